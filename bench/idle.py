"""A service-mode core with nobody, then presenters coming and going: its wake-ups and its memory.

The core runs as tests/e2e/service_support.py starts one (`apart-core --listen ipc://PATH`, as
root, its own state directory, the log in a file). Presenters connect as service_client.py's
does: a pyzmq PAIR socket connecting to the service's address.

- **Wake-ups**: the sum over every thread of the core (/proc/PID/task/*/status) of
  voluntary_ctxt_switches + nonvoluntary_ctxt_switches. A thread that sleeps until something
  happens adds nothing; one that wakes on a timer adds one per wake-up. Threads are followed by
  id, so that one that exits during the window keeps what it added while seen (read every
  second), and one that starts counts from zero.
- **Memory**: VmRSS from /proc/PID/status, sampled every few seconds through the churn.
"""

import os
import statistics
import time

from service_support import Client, ServiceCore  # noqa: E402  (tests/e2e is on sys.path, see bench/run)
from system import proc_cpu, proc_status_kib

SETTLE_SECONDS = 5



def thread_switches(pid):
    """{thread id: voluntary + nonvoluntary context switches so far}."""
    found = {}
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        total = 0
        try:
            with open(f"/proc/{pid}/task/{task}/status") as f:
                for line in f:
                    if line.startswith(("voluntary_ctxt_switches:", "nonvoluntary_ctxt_switches:")):
                        total += int(line.split()[1])
        except OSError:
            continue
        found[task] = total
    return found


def idle_window(pid, seconds, step=1.0):
    """Watches an idle process for `seconds`: its wake-ups per second, its CPU seconds, its threads."""
    first = thread_switches(pid)
    last = dict(first)
    cpu0, children0 = proc_cpu(pid)
    started = time.monotonic()
    while True:
        left = started + seconds - time.monotonic()
        if left <= 0:
            break
        time.sleep(min(step, left))
        for task, count in thread_switches(pid).items():
            last[task] = count
    elapsed = time.monotonic() - started
    cpu1, children1 = proc_cpu(pid)
    wakeups = sum(count - first.get(task, 0) for task, count in last.items())
    return {"seconds": elapsed, "wakeups": wakeups, "per_second": wakeups / elapsed, "threads": len(thread_switches(pid)),
            "cpu": sum(cpu1) - sum(cpu0), "children_cpu": children1 - children0}


def churn(core, seconds, sample_every, pause):
    """Repeats connect, greeting, status-request, disconnect for `seconds`, VmRSS sampled every
    `sample_every` seconds (and once before). Returns the samples [(seconds since start, KiB)]
    and the number of cycles."""
    pid = core.process.pid
    started = time.monotonic()
    samples = [(0.0, proc_status_kib(pid, "VmRSS"))]
    next_sample = started + sample_every
    cycles = 0
    while time.monotonic() - started < seconds:
        client = Client(core)
        try:
            client.greeting(timeout=30)
            client.status(timeout=30)
        finally:
            client.close()
        cycles += 1
        end = time.monotonic() + pause
        while True:
            now = time.monotonic()
            if now >= next_sample:
                samples.append((now - started, proc_status_kib(pid, "VmRSS")))
                next_sample += sample_every
            if now >= end:
                break
            time.sleep(max(0.0, min(end, next_sample) - now))
        if not core.running():
            raise RuntimeError(f"the service core exited during the churn; log:\n{core.log_tail()}")
    samples.append((time.monotonic() - started, proc_status_kib(pid, "VmRSS")))
    return samples, cycles


def flatness(samples, seconds):
    """(median KiB of the second tenth of the churn, of the last tenth). For 10 minutes: the
    second minute's and the last minute's (the first is left out: the core is still warming up)."""
    tenth = seconds / 10
    second = [kib for t, kib in samples if tenth <= t < 2 * tenth] or [samples[0][1]]
    last = [kib for t, kib in samples if t >= seconds - tenth] or [samples[-1][1]]
    return statistics.median(second), statistics.median(last)


def measure(core_path, idle_seconds, churn_seconds, sample_every, pause, log):
    """A service core: settles, idles (no presenter), churns, idles again; everything measured."""
    core = ServiceCore()
    core.command = [core_path, "--listen", core.address]
    try:
        core.start()
        core.wait_listening()
        time.sleep(SETTLE_SECONDS)  # past the start's own work (device listing, codec probes, tiered compilation's first rounds)
        pid = core.process.pid
        result = {"address": core.address, "settle_seconds": SETTLE_SECONDS, "rss_start_kib": proc_status_kib(pid, "VmRSS")}
        result["before"] = idle_window(pid, idle_seconds)
        log(f"idle service core: {result['before']['per_second']:.2f} wake-ups/s over {result['before']['seconds']:.0f}s "
            f"({result['before']['threads']} threads)")
        samples, cycles = churn(core, churn_seconds, sample_every, pause)
        result.update(samples=samples, cycles=cycles, churn_seconds=churn_seconds, sample_every=sample_every, pause=pause)
        result["second_tenth_kib"], result["last_tenth_kib"] = flatness(samples, churn_seconds)
        log(f"churn: {cycles} connect/status/disconnect cycles in {churn_seconds:.0f}s, VmRSS {samples[0][1] / 1024:.1f} → "
            f"{samples[-1][1] / 1024:.1f} MiB")
        time.sleep(1)  # the last presenter's disconnect handled
        result["after"] = idle_window(pid, idle_seconds)
        log(f"idle again: {result['after']['per_second']:.2f} wake-ups/s")
        result["peak_rss_kib"] = proc_status_kib(pid, "VmHWM")
        return result
    finally:
        core.close()
