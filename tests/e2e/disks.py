"""Partitioned disks on loop devices: made with sfdisk, their partitions reached through loop
devices at their offsets (the kernel here shows no partition nodes), filled and compared."""

import json
import os
import random

import filesystems
from loops import run

SECTOR = 512
MIB = 1 << 20


class Partition:
    def __init__(self, disk, number, start, size, fstype=None, label=None):
        self.disk = disk
        self.number = number
        self.start = start  # bytes
        self.size = size  # bytes
        self.fstype = fstype
        self.label = label

    @property
    def name(self):
        base = os.path.basename(self.disk.path)
        return f"{base}p{self.number}" if base[-1].isdigit() else f"{base}{self.number}"

    @property
    def path(self):
        return "/dev/" + self.name


def table(disk):
    """sfdisk --json's partition table of a device."""
    return json.loads(run("sfdisk", "--json", disk.path).stdout)["partitiontable"]


def partitions(loops, disk):
    """The disk's partitions as sfdisk sees them, by number."""
    found = {}
    for entry in table(disk).get("partitions", []):
        number = int(entry["node"][len(disk.path):].lstrip("p"))
        found[number] = Partition(disk, number, entry["start"] * SECTOR, entry["size"] * SECTOR)
    return found


def dump(disk):
    """sfdisk --dump without what names the device itself: what must come back the same."""
    lines = []
    for line in run("sfdisk", "--dump", disk.path).stdout.splitlines():
        if line.startswith("device:") or line.startswith("last-lba:"):
            continue
        lines.append(line.replace(disk.path, "DISK"))
    return lines


def verify(disk):
    result = run("sfdisk", "--verify", disk.path, check=False)
    return result.returncode, result.stdout + result.stderr


def mapped(loops, partition, read_only=False):
    """A loop device over the partition, with the partition's filesystem facts on it."""
    device = loops.attach_range(partition.disk, partition.start, partition.size, read_only=read_only)
    device.fstype = partition.fstype
    device.label = partition.label
    return device


def make_filesystem(loops, partition, fstype, label, seed, files=True):
    device = mapped(loops, partition)
    try:
        run(*filesystems.MKFS[fstype](device.path, label))
        device.fstype = fstype
        partition.fstype = fstype
        partition.label = label
        if files:
            filesystems.fill(loops, device, seed)
    finally:
        loops.detach(device)


def make_swap(loops, partition, label):
    device = mapped(loops, partition)
    try:
        run("mkswap", "-L", label, device.path)
        partition.fstype = "swap"
        partition.label = label
    finally:
        loops.detach(device)


def swap_identity(loops, partition):
    """(UUID, LABEL) of the swap area on a partition, as blkid reads it."""
    device = mapped(loops, partition, read_only=True)
    try:
        fields = {}
        for line in run("blkid", "-p", "-o", "export", device.path).stdout.splitlines():
            key, _, value = line.partition("=")
            fields[key] = value
        return fields.get("UUID"), fields.get("LABEL"), fields.get("TYPE")
    finally:
        loops.detach(device)


def snapshot(loops, partition):
    device = mapped(loops, partition, read_only=partition.fstype != "vfat")
    try:
        return filesystems.snapshot(loops, device, partition.fstype)
    finally:
        loops.detach(device)


def fsck(loops, partition):
    device = mapped(loops, partition, read_only=True)
    try:
        return filesystems.check(device, partition.fstype)
    finally:
        loops.detach(device)


def gpt_disk(loops, size_mib=96, ext4_mib=40, random_mib=0, seed=3):
    """A GPT disk: an EFI vfat partition, a labelled swap partition, and an ext4 partition with
    files, last (so that it is the one a restore grows). Returns (disk, {number: Partition})."""
    disk = loops.attach(size_mib)
    run("sfdisk", "-q", disk.path, input=(
        "label: gpt\n"
        "start=2048, size=65536, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name=\"EFI system\"\n"
        "size=32768, type=0657FD6D-A4AB-48C8-BA57-8A4B65B6F1E1, name=\"swap\"\n"
        f"size={ext4_mib * 2048}, type=0FC63DAF-8483-4772-8E79-3D69C47D8E4C, name=\"root\"\n"))
    parts = partitions(loops, disk)
    make_filesystem(loops, parts[1], "vfat", "EFI", seed)
    make_swap(loops, parts[2], "apartswap")
    make_filesystem(loops, parts[3], "ext4", "root", seed + 1)
    if random_mib:
        add_random_file(loops, parts[3], random_mib, seed)
    return disk, parts


def add_random_file(loops, partition, size_mib, seed):
    """Incompressible data on an ext4 partition: its clone lasts seconds."""
    device = mapped(loops, partition)
    try:
        mountpoint = loops.mount(device)
        try:
            rng = random.Random(seed)
            with open(os.path.join(mountpoint, "random.bin"), "wb") as f:
                for _ in range(size_mib):
                    f.write(rng.randbytes(MIB))
            run("sync")
        finally:
            loops.umount(mountpoint)
    finally:
        loops.detach(device)


def core_loops_over(disk):
    """Loop devices set up over the disk (the core's mappings of its partitions), by path."""
    return [line.split(":")[0] for line in run("losetup", "-j", disk.path).stdout.splitlines() if line.strip()]


def write_bytes(disk, offset, data):
    with open(disk.path, "r+b") as f:
        f.seek(offset)
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def read_bytes(disk, offset, length):
    with open(disk.path, "rb") as f:
        f.seek(offset)
        return f.read(length)
