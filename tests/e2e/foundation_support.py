"""Helpers for test_foundation.py: process trees from /proc, copies of the published core with
plugin folders removed, PATHs without a program, stand-in programs, and a presenter that runs in
a process of its own (so a test can SIGKILL it, as a crashed GUI).

Run as a program (`python3 foundation_support.py presenter ...`) it is that separate presenter.
"""

import datetime
import json
import os
import shutil
import subprocess
import sys
import time


HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from presenter import CORE, CoreExited  # noqa: E402

ALL_CODECS = ["gz", "uncompressed", "zst", "lz4"]
CODEC_PLUGINS = {"gz": "Compression.Gzip", "uncompressed": "Compression.None", "zst": "Compression.Zstd", "lz4": "Compression.Lz4"}
TIMESTAMP_KEYS = ("start", "finish", "estimated_finish")


# -- messages ---------------------------------------------------------------------------------


def is_started(message):
    return message.get("type") == "status" and message.get("status") == "started"


def is_dying(message):
    return message.get("type") == "status" and message.get("status") == "dying"


def wait_started(presenter, timeout=10):
    return presenter.wait_for(is_started, timeout=timeout, what="status: started")


def public(message):
    """A received message without the harness's _raw copy."""
    return {key: value for key, value in message.items() if key != "_raw"}


def drain_until_exit(presenter, timeout=15):
    """Receives until the core has exited, then whatever is still in flight; returns the exit status.

    (The harness's next() gives up as soon as one 0.2 s poll is empty and the process has ended,
    which can drop a last message that was in flight; this waits for it.)"""
    deadline = time.monotonic() + timeout
    while presenter.process.poll() is None:
        if time.monotonic() > deadline:
            raise TimeoutError(f"core still running after {timeout}s; messages {presenter.types()}; log:\n{presenter.log()}")
        presenter.receive(0.1)
    # a last message still in flight when the process ended is in the socket within milliseconds
    linger = 0.01 if presenter.messages and is_dying(presenter.messages[-1]) else 0.5
    while presenter.receive(linger) is not None:
        pass
    return presenter.process.returncode


def stdout_of(presenter):
    """Everything the (exited) core wrote to its standard output."""
    assert presenter.process.poll() is not None, "read stdout only once the core has exited"
    return presenter.process.stdout.read()


def end_with_kill_request(presenter):
    """Sends kill-request; asserts dying, exit 0 and an empty stdout."""
    presenter.send({"type": "kill-request"})
    code = drain_until_exit(presenter)
    assert any(is_dying(m) for m in presenter.messages), f"no status: dying; got {presenter.types()}; log:\n{presenter.log()}"
    assert code == 0, f"exit status {code}; log:\n{presenter.log()}"
    assert stdout_of(presenter) == b""


def is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def check_status_types(message):
    """Asserts the types docs/PROTOCOL.md §2-3 give a status message, as yaml.safe_load reads them."""
    assert message["type"] == "status", message
    assert isinstance(message["sources"], list), message["_raw"]
    for source in message["sources"]:
        assert isinstance(source["name"], str) and source["name"], source
        assert is_int(source["size"]), f"source size is {type(source['size']).__name__}: {source}"
        assert isinstance(source["parts"], list) and source["parts"], source
        for part in source["parts"]:
            assert isinstance(part["name"], str) and part["name"], part
            assert is_int(part["size"]), f"part size is {type(part['size']).__name__}: {part}"
            assert isinstance(part["mounted"], bool), f"mounted is {type(part['mounted']).__name__}: {part}"
            for key in ("label", "fstype", "uuid"):
                assert part.get(key) is None or isinstance(part[key], str), f"{key} is {type(part[key]).__name__}: {part}"
    options = message["compression_options"]
    assert isinstance(options, list) and all(isinstance(o, str) for o in options), message["_raw"]
    assert options == [codec for codec in ALL_CODECS if codec in options], f"not in protocol order or unknown: {options}"


def part_named(message, name):
    """(source, part) of the part with that name, or (None, None)."""
    for source in message["sources"]:
        for part in source["parts"]:
            if part["name"] == name:
                return source, part
    return None, None


def timestamps(value, path="message"):
    """Every (path, value) under a timestamp key, at any depth (jobs: lists included)."""
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "_raw":
                continue
            if key in TIMESTAMP_KEYS and item is not None:
                found.append((f"{path}.{key}", item))
            found += timestamps(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += timestamps(item, f"{path}[{i}]")
    return found


def check_timestamp(path, value, raw):
    assert isinstance(value, datetime.datetime), f"{path} loads as {type(value).__name__} {value!r}, not a datetime; raw:\n{raw}"
    assert value.tzinfo is not None, f"{path} = {value!r} is a naive datetime; raw:\n{raw}"
    assert value.utcoffset() == datetime.timedelta(0), f"{path} = {value!r} is not UTC; raw:\n{raw}"


# -- processes --------------------------------------------------------------------------------


def process_table():
    """pid -> (ppid, starttime, state, comm) for every process now."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                text = f.read()
        except OSError:
            continue
        comm = text[text.index("(") + 1 : text.rindex(")")]
        fields = text[text.rindex(")") + 2 :].split()
        table[int(entry)] = (int(fields[1]), fields[19], fields[0], comm)
    return table


def descendants(pid):
    """{(pid, starttime): comm} of every living descendant of pid."""
    table = process_table()
    children = {}
    for child, (ppid, *_rest) in table.items():
        children.setdefault(ppid, []).append(child)
    found = {}
    todo = list(children.get(pid, []))
    while todo:
        child = todo.pop()
        ppid, starttime, state, comm = table[child]
        if state != "Z":
            found[(child, starttime)] = comm
        todo += children.get(child, [])
    return found


def still_alive(processes):
    """Those of {(pid, starttime): comm} that are still running (zombies count as ended)."""
    table = process_table()
    return {
        key: comm
        for key, comm in processes.items()
        if key[0] in table and table[key[0]][1] == key[1] and table[key[0]][2] != "Z"
    }


def kill_processes(processes):
    """SIGKILLs what is left of processes this test started (by pid and start time)."""
    for (pid, _starttime), _comm in still_alive(processes).items():
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass


# -- the core, copied and trimmed -------------------------------------------------------------


def core_copy(directory, remove=()):
    """A copy of the published core (cp -a) with the named plugin folders deleted; its program path."""
    target = os.path.join(directory, "apart-core")
    subprocess.run(["cp", "-a", os.path.dirname(CORE), target], check=True)
    for folder in remove:
        path = os.path.join(target, "plugins", folder)
        assert os.path.isdir(path), f"no plugin folder {path}"
        shutil.rmtree(path)
    return os.path.join(target, "apart-core")


def path_without(directory, excluded):
    """A directory of symlinks to every program in the usual bin/sbin directories except those
    named in excluded (and anything that resolves to one of them); returns it, for PATH."""
    bindir = os.path.join(directory, "bin")
    os.makedirs(bindir)
    excluded_targets = set()
    for name in excluded:
        for d in ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"):
            if os.path.exists(os.path.join(d, name)):
                excluded_targets.add(os.path.realpath(os.path.join(d, name)))
    for d in ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"):
        if not os.path.isdir(d):
            continue
        for name in os.listdir(d):
            source = os.path.join(d, name)
            link = os.path.join(bindir, name)
            if name in excluded or os.path.lexists(link) or os.path.realpath(source) in excluded_targets:
                continue
            if os.path.isfile(source) and os.access(source, os.X_OK):
                os.symlink(source, link)
    return bindir


def write_script(path, text):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o755)
    return path


def stalled_partclone(directory):
    """APART_PARTCLONE_CMD prefix of a partclone stand-in that starts and then never finishes
    (exec: one process, as real partclone is), so a clone stays running."""
    prefix = os.path.join(directory, "partclone")
    script = write_script(
        prefix + ".stalled",
        "#!/bin/sh\necho 'Partclone stand-in: stalled' >&2\nexec sleep 300\n",
    )
    for variant in ("ext4", "dd", "chkimg"):
        os.symlink(script, f"{prefix}.{variant}")
    return prefix


def clone_request(source, destination, name, compression=None):
    request = {"type": "clone", "source": source, "destination": destination, "name": name}
    if compression is not None:
        request["compression"] = compression
    return request


def files_in(directory):
    return sorted(os.listdir(directory))


# -- a presenter in a process of its own ------------------------------------------------------


def spawn_presenter_process(core, destination, source, env):
    """Starts this file as a presenter process that binds ipc://, spawns the core, starts a clone
    and then waits forever. Returns (Popen, info) with info {core_pid, ipc_path, clone_id}."""
    process = subprocess.Popen(
        [sys.executable, os.path.abspath(__file__), "presenter", core, destination, source],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        env=dict(os.environ, **env),
        text=True,
    )
    line = process.stdout.readline()
    if not line:
        process.wait(10)
        raise RuntimeError(f"presenter process ended ({process.returncode}) before reporting")
    return process, json.loads(line)


def _presenter_main(core, destination, source):
    from presenter import Presenter

    presenter = Presenter(core=core)
    # The presenter is killed with SIGKILL: nothing it owns is cleaned up by it; the test does.
    presenter.stderr.close()
    wait_started(presenter)
    presenter.send(clone_request(f"/dev/{source}", destination, "orphan", "gz"))
    first = presenter.wait_for("clone", timeout=10)
    print(json.dumps({"core_pid": presenter.process.pid, "ipc_path": presenter.ipc_path, "clone_id": first["id"], "core_log": presenter.stderr.name}), flush=True)
    while True:
        presenter.receive(1.0)


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "presenter":
        try:
            _presenter_main(*sys.argv[2:])
        except (CoreExited, TimeoutError) as e:
            print(json.dumps({"error": str(e)}), flush=True)
            sys.exit(1)
    else:
        sys.exit("usage: foundation_support.py presenter CORE DESTINATION SOURCE_NAME")
