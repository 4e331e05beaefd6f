"""Opening an image without restoring it (issue 16), as bench/run measures it: mount-image to a
listed root, a gz image's index build against `pigz -d` of the same image, and the largest
file's read through the mount against restoring the image.

Each A run is a fresh connect-mode core whose cache directory (where gz indexes live) is the
bench's own, so that the machine's cache neither helps nor is touched."""

import hashlib
import os
import shlex
import tempfile
import time

from measure import Core, JobFailed, drop_caches, shell
from system import run

READ_CHUNK = 1 << 20
ANSWER_TIMEOUT = 300


def largest_file(device):
    """(path relative to the root, size, SHA-256) of the largest regular file of the read-only
    ext4 on device, mounted here read-only without journal replay for the walk."""
    mountpoint = tempfile.mkdtemp(prefix="apart-bench-walk-")
    try:
        run("mount", "-o", "ro,noload", device, mountpoint)
        try:
            best = None
            for directory, _, names in os.walk(mountpoint):
                for name in names:
                    path = os.path.join(directory, name)
                    info = os.lstat(path)
                    if os.path.isfile(path) and not os.path.islink(path) and (best is None or info.st_size > best[1]):
                        best = (path, info.st_size)
            if best is None:
                raise JobFailed(f"{device} holds no file to read")
            return os.path.relpath(best[0], mountpoint), best[1], sha256_of(best[0])
        finally:
            run("umount", mountpoint)
    finally:
        os.rmdir(mountpoint)


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb", buffering=0) as f:
        while chunk := f.read(READ_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def read_all(path):
    """Bytes read from path in 1 MiB reads, as a copy out would."""
    buffer = bytearray(READ_CHUNK)
    total = 0
    with open(path, "rb", buffering=0) as f:
        while count := f.readinto(buffer):
            total += count
    return total


def mount_a(core_path, image, cache_dir, file=None):
    """A fresh core, started, caches dropped; mount-image → mounted-image → the root listed:
    those seconds. With file (relative path, size, SHA-256), the file is then read whole through
    the mount (timed, checked against its size, then its hash untimed). Unmounts before the core
    goes, and checks that it did."""
    core = Core(core_path, env={"APART_CacheDirectory": cache_dir})
    try:
        core.wait_started()
        drop_caches()
        started = time.monotonic()
        core.presenter.send({"type": "mount-image", "source": image})
        answer = core.wait_for_type(("mounted-image", "mount-image-failed", "error"), "answer to mount-image", ANSWER_TIMEOUT)
        if answer["type"] != "mounted-image":
            raise JobFailed(f"mount-image of {image} failed: {answer.get('error')}; log:\n{core.presenter.log()}")
        entries = os.listdir(answer["path"])
        result = {"root_seconds": time.monotonic() - started, "entries": len(entries)}
        try:
            if file is not None:
                relative, size, digest = file
                path = os.path.join(answer["path"], relative)
                started = time.monotonic()
                got = read_all(path)
                result["read_seconds"] = time.monotonic() - started
                if got != size:
                    raise JobFailed(f"read {got} bytes of {relative} through the mount, not {size}")
                if sha256_of(path) != digest:
                    raise JobFailed(f"{relative} read through the mount differs from the source's")
        finally:
            core.presenter.send({"type": "unmount-image", "id": answer["id"]})
            gone = core.wait_for_type(("unmounted-image", "unmount-image-failed"), "answer to unmount-image", ANSWER_TIMEOUT)
            if gone["type"] != "unmounted-image":
                raise JobFailed(f"unmount-image failed: {gone.get('error')}")
        if os.path.ismount(answer["path"]):
            raise JobFailed(f"{answer['path']} is still mounted after unmounted-image")
        return result
    finally:
        core.close()


def index_files(cache_dir):
    """The gz indexes the cores built under cache_dir, as (path, bytes)."""
    found = []
    for directory, _, names in os.walk(cache_dir):
        found.extend((os.path.join(directory, n), os.path.getsize(os.path.join(directory, n))) for n in names)
    return found


def forget_indexes(cache_dir):
    for path, _ in index_files(cache_dir):
        os.unlink(path)


def pigz_decompress_script(image):
    return f"pigz -d -c {shlex.quote(image)} > /dev/null\n"


def measure(core_path, image, codec, file, runs, work_dir, log):
    """The series for one codec's image: for gz, the first mount (index built) alternating with
    `pigz -d` of the image, then mounts with the index; for the others, mounts. Each mount is
    followed by the file's read."""
    cache_dir = tempfile.mkdtemp(prefix="apart-bench-cache-", dir=work_dir)
    series = {"image": os.path.basename(image), "image_bytes": os.path.getsize(image), "root": [], "read": [],
              "file": file[0], "file_bytes": file[1]}
    if codec == "gz":
        series.update(index_build=[], pigz=[], pigz_script=pigz_decompress_script(image))
        for i in range(runs):
            forget_indexes(cache_dir)
            first = mount_a(core_path, image, cache_dir)
            series["index_build"].append(first["root_seconds"])
            series["index_bytes"] = sum(size for _, size in index_files(cache_dir))
            pigz = shell(series["pigz_script"], os.devnull)
            series["pigz"].append(pigz["seconds"])
            log(f"mount gz {i + 1}/{runs}: first mount (index built) {first['root_seconds']:.2f}s  pigz -d {pigz['seconds']:.2f}s")
        if not index_files(cache_dir):
            raise JobFailed("a gz mount left no index in the cache directory")
    for i in range(runs):
        a = mount_a(core_path, image, cache_dir, file)
        series["root"].append(a["root_seconds"])
        series["read"].append(a["read_seconds"])
        log(f"mount {codec} {i + 1}/{runs}: listed root in {a['root_seconds']:.3f}s, {file[0]} read at "
            f"{file[1] / a['read_seconds'] / 2**20:.0f} MiB/s")
    return series
