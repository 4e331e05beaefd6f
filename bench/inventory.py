"""The programs a status-request needs, run from Python the way the core runs them, to time them.

The core's inventory (plugins/Inventory.Lsblk/LsblkInventory.cs) runs, in sequence:

1. `lsblk -Jbo COLUMNS` (LsblkCommand.Columns);
2. when lsblk reports no filesystem for some devices (SourceListBuilder.ProbeCandidates), one
   `blkid -c /dev/null -d -o export -- NODES` for all of them (BlkidProbe.ProbeAsync);
3. for whole devices with a partition table but no partition nodes
   (SourceListBuilder.UnnodedTableCandidates), all at once: `sfdisk --json -- DEVICE`, then, for
   that device's partitions all at once, `blkid -p -O START -S SIZE -o export -- DEVICE`
   (SfdiskTableReader, BlkidProbe.ProbeRangeAsync).

`run()` does the same: the same selection rules over lsblk's output, the same programs and
arguments, sequence and parallelism as there, each program's output read whole (as CliWrap's
buffered execution does). Its time is what a status-request cannot do without.
"""

import json
import os
import shutil
import stat
import subprocess
import threading
import time

COLUMNS = "NAME,PATH,TYPE,SIZE,FSTYPE,LABEL,UUID,MOUNTPOINT,MOUNTPOINTS,PTTYPE,START"
CONTAINER_TYPES = {"5", "f", "85"}  # dos extended partitions (PartitionTable.cs)
DEVICE_MAPPER_TYPES = {"lvm", "crypt", "dm", "mpath"}


def program(name):
    return shutil.which(name) or name


def execute(argv, commands, lock):
    with lock:
        commands.append(list(argv))
    result = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True)
    return result.returncode, result.stdout.decode("utf-8", errors="replace")


def device_name(device):
    """DeviceName.Of: the name after /dev/."""
    path = device.get("path")
    if path and len(path) > len("/dev/") and path.startswith("/dev/") and "/../" not in path:
        return path[len("/dev/"):]
    kind = (device.get("type") or "").lower()
    return "mapper/" + device["name"] if kind in DEVICE_MAPPER_TYPES else device["name"]


def has_filesystem_data(device):
    return any(device.get(key) is not None for key in ("fstype", "label", "uuid"))


def size_of(device):
    try:
        return int(device.get("size") or 0)
    except (TypeError, ValueError):
        return 0


def partitions(device):
    found = []
    for child in device.get("children") or []:
        kind = child.get("type")
        if kind is not None:
            if kind.lower() == "part":
                found.append(child)
        elif len(child["name"]) > len(device["name"]) and child["name"].startswith(device["name"]):
            found.append(child)
    return found


def probe_candidates(roots):
    """SourceListBuilder.ProbeCandidates."""
    candidates, seen = [], set()

    def add(device):
        parts = [p for p in partitions(device) if size_of(p) > 0]
        if parts:
            needs = device.get("pttype") is None and not any(has_filesystem_data(p) for p in parts)
        else:
            needs = not has_filesystem_data(device)
        path = "/dev/" + device_name(device)
        if size_of(device) > 0 and needs and path not in seen:
            seen.add(path)
            candidates.append(path)
        for child in device.get("children") or []:
            add(child)

    for root in roots:
        add(root)
    return candidates


def unnoded_table_candidates(roots, probed):
    """SourceListBuilder.UnnodedTableCandidates."""
    found = []
    for device in roots:
        path = "/dev/" + device_name(device)
        table = device.get("pttype") or (probed.get(path) or {}).get("PTTYPE")
        if size_of(device) > 0 and not partitions(device) and table is not None:
            found.append(path)
    return found


def is_block_device(path):
    try:
        return stat.S_ISBLK(os.stat(path).st_mode)
    except OSError:
        return False


def parse_export(text):
    """blkid -o export: blocks of KEY=value lines, one block per device, by DEVNAME."""
    found, current = {}, {}
    for line in text.splitlines() + [""]:
        if not line.strip():
            if current.get("DEVNAME"):
                found[current["DEVNAME"]] = current
            current = {}
            continue
        key, _, value = line.partition("=")
        current[key] = value
    return found


def run():
    """Runs what a status-request runs; (seconds, the command lines in the order started)."""
    commands, lock = [], threading.Lock()
    started = time.monotonic()
    code, out = execute([program("lsblk"), "-Jbo", COLUMNS], commands, lock)
    if code != 0:
        raise RuntimeError(f"lsblk -Jbo {COLUMNS} exited {code}")
    roots = json.loads(out).get("blockdevices") or []

    probed = {}
    nodes = [path for path in dict.fromkeys(probe_candidates(roots)) if is_block_device(path)]
    if nodes:
        _, out = execute([program("blkid"), "-c", "/dev/null", "-d", "-o", "export", "--", *nodes], commands, lock)
        probed = parse_export(out)
        for path in nodes:  # blkid names a node reached by two paths after the first
            if path not in probed:
                real = os.path.realpath(path)
                probed.update({path: v for k, v in list(probed.items()) if os.path.realpath(k) == real})

    def table_and_probes(path):
        code, out = execute([program("sfdisk"), "--json", "--", path], commands, lock)
        if code != 0:
            return
        try:
            table = json.loads(out)["partitiontable"]
        except (ValueError, KeyError):
            return
        sector = int(table.get("sectorsize") or 512)
        entries = [p for p in table.get("partitions") or [] if str(p.get("type") or "").lower() not in CONTAINER_TYPES]
        if not is_block_device(path):
            return
        threads = [threading.Thread(target=execute, args=(
            [program("blkid"), "-p", "-O", str(int(p["start"]) * sector), "-S", str(int(p["size"]) * sector), "-o", "export", "--", path],
            commands, lock)) for p in entries]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    tables = [threading.Thread(target=table_and_probes, args=(path,)) for path in unnoded_table_candidates(roots, probed)]
    for thread in tables:
        thread.start()
    for thread in tables:
        thread.join()
    return time.monotonic() - started, commands
