"""Making, filling, checking and reading the filesystems the suite clones.

Files are compared by a snapshot: every path with its kind, size, mode, SHA-256 of its content
and symlink target. One flipped byte in any file changes its hash. ext4, xfs and btrfs are
mounted by the kernel; ntfs and exfat through their FUSE drivers (ntfs-3g, exfat-fuse); the
kernel here cannot mount vfat, so vfat files are read out with mtools (mcopy) and compared the
same way. Each filesystem's own checker runs too.
"""

import hashlib
import os
import random
import shutil
import stat
import tempfile

from loops import run

# Smallest sizes each mkfs accepts here, in MiB.
SIZES = {"ext4": 32, "xfs": 300, "btrfs": 128, "vfat": 32, "ntfs": 32, "exfat": 32}

MKFS = {
    "ext4": lambda dev, label: ["mkfs.ext4", "-q", "-F", "-L", label, dev],
    "xfs": lambda dev, label: ["mkfs.xfs", "-q", "-f", "-L", label, dev],
    "btrfs": lambda dev, label: ["mkfs.btrfs", "-q", "-f", "-L", label, dev],
    "vfat": lambda dev, label: ["mkfs.vfat", "-n", label.upper()[:11], dev],
    "ntfs": lambda dev, label: ["mkfs.ntfs", "-Q", "-q", "-F", "-L", label, dev],
    "exfat": lambda dev, label: ["mkfs.exfat", "-L", label, dev],
}

CHECK = {
    "ext4": lambda dev: ["e2fsck", "-fn", dev],
    "xfs": lambda dev: ["xfs_repair", "-n", dev],
    "btrfs": lambda dev: ["btrfs", "check", "--readonly", dev],
    "vfat": lambda dev: ["fsck.vfat", "-n", dev],
    "ntfs": lambda dev: ["ntfsfix", "-n", dev],
    "exfat": lambda dev: ["fsck.exfat", "-n", dev],
}

MOUNT = {
    "ext4": (["mount"], "ro"),
    "xfs": (["mount"], "ro,norecovery"),
    "btrfs": (["mount"], "ro"),
    "ntfs": (["ntfs-3g"], "ro"),
    "exfat": (["mount.exfat-fuse"], "ro"),
}

SUPPORTS_LINKS_AND_MODES = {"ext4", "xfs", "btrfs"}


def make(loops, fstype, label="apartdata", size_mib=None, files=True, seed=1):
    """A loop device holding a new filesystem, filled with sample files."""
    device = loops.attach(size_mib or SIZES[fstype])
    run(*MKFS[fstype](device.path, label))
    device.fstype = fstype
    device.label = label
    if files:
        fill(loops, device, seed)
    return device


def make_big_ext4(loops, size_mib=256, random_mib=200, label="apartdata", files=False, seed=None):
    """An ext4 device holding `random_mib` MiB of incompressible data, so that its clone lasts
    seconds, and the sample files too with `files`. The data is seeded when `seed` is given."""
    device = make(loops, "ext4", label=label, size_mib=size_mib, files=files, seed=seed or 1)
    rng = random.Random(seed) if seed is not None else None
    mountpoint = loops.mount(device)
    try:
        with open(os.path.join(mountpoint, "random.bin"), "wb") as f:
            for _ in range(random_mib):
                f.write(rng.randbytes(1 << 20) if rng else os.urandom(1 << 20))
        run("sync")
    finally:
        loops.umount(mountpoint)
    return device


def make_raw(loops, size_mib=16, seed=7):
    """A loop device holding no filesystem: random bytes, cloned with partclone.dd."""
    data = random.Random(seed).randbytes(size_mib << 20)
    device = loops.attach(size_mib, fill=data)
    device.fstype = None
    return device


def sample_tree(directory, fstype, seed):
    """Writes sample files: text, compressible and random binaries, nesting, links and modes."""
    rng = random.Random(seed)
    os.makedirs(os.path.join(directory, "docs", "deep", "er"))
    with open(os.path.join(directory, "readme.txt"), "w") as f:
        f.write("Apart sample file\n" * 200)
    with open(os.path.join(directory, "docs", "notes.md"), "w") as f:
        f.write("".join(rng.choice("abcdefgh \n") for _ in range(50_000)))
    with open(os.path.join(directory, "docs", "deep", "er", "random.bin"), "wb") as f:
        f.write(rng.randbytes(3 << 20))
    with open(os.path.join(directory, "zeros.bin"), "wb") as f:
        f.write(bytes(1 << 20))
    with open(os.path.join(directory, "Name with spaces & ünïcode.txt"), "w") as f:
        f.write("unicode ✓\n")
    if fstype in SUPPORTS_LINKS_AND_MODES:
        os.symlink("docs/notes.md", os.path.join(directory, "link-to-notes"))
        os.chmod(os.path.join(directory, "readme.txt"), 0o640)
        os.chmod(os.path.join(directory, "docs", "deep"), 0o700)


def fill(loops, device, seed=1):
    source = tempfile.mkdtemp(prefix="apart-sample-")
    try:
        sample_tree(source, device.fstype, seed)
        if device.fstype == "vfat":
            entries = [os.path.join(source, name) for name in os.listdir(source)]
            run("mcopy", "-s", "-i", device.path, *entries, "::/")
        else:
            command, _ = MOUNT[device.fstype]
            mountpoint = loops.mount(device, command)
            try:
                run("cp", "-a", source + "/.", mountpoint)
                run("sync")
            finally:
                loops.umount(mountpoint)
    finally:
        shutil.rmtree(source)


def snapshot(loops, device, fstype):
    """Every file of the filesystem on a device: path -> (kind, mode, size, sha256 or link target)."""
    if fstype == "vfat":
        out = tempfile.mkdtemp(prefix="apart-vfat-")
        try:
            run("mcopy", "-s", "-n", "-m", "-i", device.path, "::/*", out + "/")
            return tree(out, modes=False)
        finally:
            shutil.rmtree(out)
    command, options = MOUNT[fstype]
    mountpoint = loops.mount(device, command, options)
    try:
        return tree(mountpoint, modes=fstype in SUPPORTS_LINKS_AND_MODES)
    finally:
        loops.umount(mountpoint)


def tree(root, modes):
    entries = {}
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in ("lost+found", "System Volume Information")]
        for name in sorted(dirnames + filenames):
            path = os.path.join(directory, name)
            relative = os.path.relpath(path, root)
            info = os.lstat(path)
            mode = stat.S_IMODE(info.st_mode) if modes else None
            if stat.S_ISLNK(info.st_mode):
                entries[relative] = ("link", mode, None, os.readlink(path))
            elif stat.S_ISDIR(info.st_mode):
                entries[relative] = ("dir", mode, None, None)
            else:
                with open(path, "rb") as f:
                    entries[relative] = ("file", mode, info.st_size, hashlib.sha256(f.read()).hexdigest())
    return entries


def check(device, fstype):
    """Runs the filesystem's own checker read-only; returns its output, raises when it objects."""
    return run(*CHECK[fstype](device.path)).stdout
