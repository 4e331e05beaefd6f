"""Waiting on conditions and looking at the processes a test started, through /proc."""

import ctypes
import glob
import signal
import subprocess
import time

PR_SET_CHILD_SUBREAPER = 36


def wait_until(predicate, timeout=5.0, interval=0.02):
    """Polls `predicate` until it returns something true or `timeout` seconds pass; its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def children(pid):
    """The pids of a process's children (every thread's), in order."""
    found = []
    for path in glob.glob(f"/proc/{pid}/task/*/children"):
        try:
            with open(path) as f:
                found += [int(x) for x in f.read().split()]
        except OSError:
            pass
    return sorted(set(found))


def set_child_subreaper(on):
    """Orphaned descendants are re-parented to this process (to be waited for) instead of init."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1 if on else 0, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")


def stop(process, grace):
    """Ends a process this test started: SIGTERM, then SIGKILL if it is still there after `grace` seconds."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)
