"""Small helpers: running programs, the page cache, /proc readings, the machine's description."""

import os
import platform
import subprocess

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def run(*command, check=True, input=None):
    result = subprocess.run(command, capture_output=True, text=True, input=input)
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}): {result.stderr.strip()}")
    return result


def drop_caches():
    """Writes back dirty pages, then drops the page cache, dentries and inodes."""
    os.sync()
    with open("/proc/sys/vm/drop_caches", "w") as f:
        f.write("3\n")


def proc_cpu(pid):
    """((own user, own sys), reaped children's user+sys) of a process, in seconds, from /proc/PID/stat.

    utime/stime (fields 14, 15) cover every thread of the process, living or exited, and nothing
    else; cutime/cstime (16, 17) are what the kernel added when the process reaped its children
    (each including the children's own reaped descendants).
    """
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # fields[0] is field 3 (state), so field N is fields[N - 3].
    utime, stime, cutime, cstime = (int(fields[n - 3]) for n in (14, 15, 16, 17))
    return (utime / CLOCK_TICKS, stime / CLOCK_TICKS), (cutime + cstime) / CLOCK_TICKS


def proc_status_kib(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return None


def children_of(pid):
    """Direct children of a process (every thread's), with their command lines."""
    found = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children") as f:
                for child in f.read().split():
                    with open(f"/proc/{child}/cmdline", "rb") as c:
                        argv = [a.decode(errors="replace") for a in c.read().split(b"\0") if a]
                    found.append((int(child), argv))
        except OSError:
            continue
    return found


def machine():
    mem_kib = None
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    model = None
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    os_name = None
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    os_name = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "cpu": model,
        "mem_total_kib": mem_kib,
        "kernel": platform.release(),
        "os": os_name,
    }


def tool_version(command):
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = (result.stdout + result.stderr).strip().splitlines()
    return text[0].strip() if text else None


def cpu_busy_total():
    """(busy, total) CPU seconds of the whole machine since boot, from /proc/stat."""
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    busy = user + nice + system + irq + softirq + steal
    return busy / CLOCK_TICKS, (busy + idle + iowait) / CLOCK_TICKS


def load_average():
    with open("/proc/loadavg") as f:
        return f.read().split()[0]
