"""Helpers for the mount end-to-end tests (docs/PROTOCOL.md §11).

A mount is followed by what the kernel says of it: while it is mounted, `MountTrace` notes the
loop device under it (the mount's source in /proc/self/mountinfo) and the FUSE-served file that
loop device reads (its backing file), so that afterwards it can show that the mount, the loop
device and the FUSE mount serving it are all gone. Only what belongs to that one mount is
looked at: other tests run beside these, with loop devices and mounts of their own.
"""

import hashlib
import json
import os
import random
import subprocess
import sys

import filesystems
from clone_support import evidence
from loops import run

CODECS = ("gz", "zst", "lz4", "uncompressed")

# How long a first mount may take: a gz image is read whole once to build its index.
MOUNT_TIMEOUT = 180


def core_env(cache_directory):
    """A core's environment whose index files go to a directory of the test's own."""
    return {"APART_CacheDirectory": cache_directory}


def clone(core, device, destination, compression, name="mnt"):
    """Clones a listed device; the image's path."""
    request = {"type": "clone", "source": device.path, "destination": destination, "name": name, "compression": compression}
    core.send(request)
    first = core.wait_for(lambda m: m.get("type") in ("clone", "clone-failed") and m.get("source") == device.path, what="clone's first answer")
    assert first["type"] == "clone", evidence(core, f"clone refused: {first}")
    final = core.job_end(first["id"], "clone", timeout=300)
    assert final["type"] == "clone" and final.get("finish"), evidence(core, f"clone failed: {final}")
    return final["destination"]


def mount(core, source, part=None, mountpoint=None, timeout=MOUNT_TIMEOUT):
    """Sends mount-image; its answer (mounted-image or mount-image-failed)."""
    request = {"type": "mount-image", "source": source}
    if part is not None:
        request["part"] = part
    if mountpoint is not None:
        request["mountpoint"] = mountpoint
    core.send(request)
    return core.wait_for(
        lambda m: m.get("type") in ("mounted-image", "mount-image-failed") and m.get("source") == source,
        timeout=timeout, what=f"answer to {request}")


def mounted(core, source, **kwargs):
    answer = mount(core, source, **kwargs)
    assert answer["type"] == "mounted-image", evidence(core, f"mount of {source} failed: {answer}")
    return answer


def unmount(core, mount_id, timeout=60):
    core.send({"type": "unmount-image", "id": mount_id})
    return core.wait_for(
        lambda m: m.get("type") in ("unmounted-image", "unmount-image-failed") and m.get("id") == mount_id,
        timeout=timeout, what=f"answer to unmount-image {mount_id}")


def mountinfo():
    """(mount point, fstype, source) of every mount this process sees."""
    entries = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            separator = fields.index("-")
            entries.append((unescape(fields[4]), fields[separator + 1], fields[separator + 2]))
    return entries


def unescape(field):
    return field.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\")


def backing_file(loop):
    try:
        with open(f"/sys/block/{os.path.basename(loop)}/loop/backing_file") as f:
            return f.read().strip()
    except FileNotFoundError:
        return None


class MountTrace:
    """What one mounted image holds: its mount, the loop device under it and the FUSE file behind that."""

    def __init__(self, path):
        self.path = path
        found = [entry for entry in mountinfo() if entry[0] == path]
        assert found, f"{path} is not mounted"
        _, self.fstype, self.loop = found[-1]
        assert self.loop.startswith("/dev/loop"), f"{path} is mounted from {self.loop}, not a loop device"
        self.backing = backing_file(self.loop)
        assert self.backing, f"{self.loop} under {path} has no backing file"
        with open(f"/sys/block/{os.path.basename(self.loop)}/ro") as f:
            assert f.read().strip() == "1", f"{self.loop} under {path} is not read-only"
        self.fuse = [entry for entry in mountinfo() if entry[1].startswith("fuse") and self.backing.startswith(entry[0].rstrip("/") + "/")
                     or entry[0] == self.backing]
        assert self.fuse, f"{self.backing} (behind {self.loop}) is not served by a FUSE mount: {mountinfo()}"

    def leftovers(self):
        """What of it is still there; empty when it is all gone."""
        left = []
        if any(entry[0] == self.path for entry in mountinfo()):
            left.append(f"{self.path} is still mounted")
        if backing_file(self.loop) == self.backing:
            left.append(f"{self.loop} still reads {self.backing}")
        for point, fstype, _ in self.fuse:
            if any(entry[0] == point for entry in mountinfo()):
                left.append(f"the FUSE mount {point} ({fstype}) is still there")
        return left


def add_big_file(loops, device, size_mib=24, seed=5):
    """A file of random data on the device's filesystem, to read at random offsets; its bytes."""
    data = random.Random(seed).randbytes(size_mib << 20)
    command, _ = filesystems.MOUNT[device.fstype]
    mountpoint = loops.mount(device, command)
    try:
        with open(os.path.join(mountpoint, "big.bin"), "wb") as f:
            f.write(data)
        run("sync")
    finally:
        loops.umount(mountpoint)
    return data


def assert_random_reads_match(path, data, reads=300, seed=11):
    """Reads of random lengths at random offsets (the end included) are the original's bytes."""
    rng = random.Random(seed)
    with open(path, "rb", buffering=0) as f:
        for _ in range(reads):
            offset = rng.randrange(0, len(data))
            length = rng.choice((1, 511, 4096, 65536, 1 << 20, 3 << 20))
            f.seek(offset)
            got = f.read(length)
            assert got == data[offset:offset + length], f"{path}: {length} bytes at {offset} differ"
        f.seek(len(data) - 10)
        assert f.read(100) == data[-10:]


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def files_sha256(paths):
    return {path: sha256(path) for path in paths}


# Reads every file under a directory in a process of its own, so that a read that hung would be
# stopped by the timeout instead of hanging the test: per file, its SHA-256 or the error.
_READER = r"""
import hashlib, json, os, sys
root = sys.argv[1]
out = {}
for directory, dirnames, filenames in os.walk(root):
    for name in filenames:
        path = os.path.join(directory, name)
        if os.path.islink(path):
            continue
        try:
            with open(path, "rb") as f:
                out[os.path.relpath(path, root)] = hashlib.sha256(f.read()).hexdigest()
        except OSError as e:
            out[os.path.relpath(path, root)] = "error: " + (e.strerror or str(e))
print(json.dumps(out))
"""


def read_all(root, timeout=120):
    """Every file under root: its SHA-256, or "error: …"; raises TimeoutExpired if reading hangs."""
    result = subprocess.run([sys.executable, "-c", _READER, root], capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)
