"""Where A's extra time goes, from the kernel's own records: `perf record` of the process
tracepoints (fork, exec, exit) over the whole benchmark, on CLOCK_MONOTONIC so that they line up
with the times bench/run takes. Optional: without perf the breakdown is left out.

For each timed run, given its window (request sent → success received, or bash spawned → bash
reaped) and the process it started from (the core, or bash):

- pre: from the start of the window to the exec of the first program of the pipeline
  (partclone, the compressor or the decompressor), everything before: for A, reading the request,
  lsblk and blkid, claiming the device, creating the file, starting the programs; for B, bash;
- pipeline: from that exec to the exit of the last program of the pipeline;
- post: from there to the end of the window: for A, reaping, the flush (fsync, rename, fsync of
  the directory; or fsync and BLKFLSBUF of the device) and the success message; for B, `sync -f`
  or `blockdev --flushbufs` and bash's exit.

partclone's 2-second progress steps fall inside "pipeline", A and B alike, so pre + post is the
part of the wall time that the core can change, measured without that noise.
"""

import os
import re
import shutil
import signal
import subprocess
import time

EVENTS = "sched:sched_process_fork,sched:sched_process_exec,sched:sched_process_exit"
LINE = re.compile(r"^\s*(?P<comm>.*?)\s+(?P<pid>-?\d+)/(?P<tid>-?\d+)\s+(?P<time>\d+\.\d+):\s+(?P<event>[\w:]+):\s*(?P<trace>.*)$")
PIPELINE_PROGRAMS = ("partclone.", "pigz", "pzstd", "zstd", "lz4")


class Tracer:
    def __init__(self, path):
        self.path = path
        self.process = None
        self.problem = None

    def start(self):
        if shutil.which("perf") is None:
            self.problem = "perf is not installed"
            return False
        self.process = subprocess.Popen(
            ["perf", "record", "-q", "-k", "CLOCK_MONOTONIC", "-a", "-e", EVENTS, "-o", self.path],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        # perf writes its header once it has opened every event; wait for it (or its failure).
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.problem = "perf record failed: " + self.process.stderr.read().decode(errors="replace").strip()[-300:]
                self.process = None
                return False
            if os.path.exists(self.path) and os.path.getsize(self.path) > 0:
                time.sleep(0.3)
                return True
            time.sleep(0.05)
        self.stop()
        self.problem = "perf record did not start"
        return False

    def stop(self):
        if self.process is None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def events(self):
        """[(time, tgid, kind, fields)] with kind fork/exec/exit."""
        result = subprocess.run(["perf", "script", "-i", self.path, "-F", "comm,pid,tid,time,event,trace"],
                                capture_output=True, text=True, errors="replace")
        found = []
        for line in result.stdout.splitlines():
            match = LINE.match(line)
            if not match:
                continue
            fields = dict(re.findall(r"(\w+)=(\S+)", match["trace"]))
            kind = match["event"].rsplit("_", 1)[-1]
            found.append((float(match["time"]), int(match["pid"]), int(match["tid"]), kind, fields))
        return found


def analyse(events, runs):
    """For each run (t0, t1, root pid), a dict pre/pipeline/post in seconds, or None when the
    trace does not show the pipeline (lost events)."""
    children = {}
    for _, tgid, _, kind, fields in events:
        if kind == "fork" and "child_pid" in fields:
            children.setdefault(tgid, set()).add(int(fields["child_pid"]))
    execs = {}
    exits = {}
    for when, tgid, tid, kind, fields in events:
        if kind == "exec":
            execs.setdefault(tgid, []).append((when, os.path.basename(fields.get("filename", ""))))
        elif kind == "exit":
            dead = fields.get("group_dead")
            if dead == "true" or (dead is None and tgid == tid):
                exits.setdefault(tgid, []).append(when)
    results = []
    for t0, t1, root in runs:
        tree = set()
        todo = [root]
        while todo:
            pid = todo.pop()
            if pid in tree:
                continue
            tree.add(pid)
            todo.extend(children.get(pid, ()))
        stages = []  # (exec time, exit time, program, programs it was started through)
        for pid in tree:
            programs = [(when, name) for when, name in execs.get(pid, []) if t0 <= when <= t1]
            for i, (when, name) in enumerate(programs):
                ended = [e for e in exits.get(pid, []) if e >= when]
                if name.startswith(PIPELINE_PROGRAMS) and ended:
                    wrappers = {earlier for _, earlier in programs[:i] if not earlier.startswith(PIPELINE_PROGRAMS)}
                    stages.append((when, min(ended), name, wrappers))
        imagers = [s for s in stages if s[2].startswith("partclone.")]
        if not imagers:
            results.append(None)
            continue
        imager_start = min(s[0] for s in imagers)
        # A decompressor run alone earlier (to read an image's header) is not part of the pipeline.
        pipeline = [s for s in stages if s[1] >= imager_start]
        start = min(s[0] for s in pipeline)
        end = max(s[1] for s in pipeline)
        wrappers = sorted(set().union(*(s[3] for s in pipeline)))
        results.append({"pre": start - t0, "pipeline": end - start, "post": t1 - end, "wrappers": wrappers})
    return results
