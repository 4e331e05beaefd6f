"""Helpers for the hardening suite (test_hardening.py, test_fuzz.py): faults injected into real
jobs (real partclone, real compressors, real loop devices), and a seeded fuzzer for the wire.

What the suite holds the core to, for every fault: the presenter gets the job's `*-failed`
message with a reason a person understands; no `.inprogress` or partial image is left; no
partclone or compressor is left; the core goes on serving (a following clone of another device
succeeds) — unless the fault is the core itself dying.

Devices that really fail: this machine has no device-mapper, NBD, null_blk nor the block layer's
fault injection (`make-it-fail`). A loop device whose backing file lives on a filesystem that is
shut down mid-job (FS_IOC_SHUTDOWN, the ioctl behind `xfs_io -x -c shutdown`, which ext4 has too)
fails every later read and write with EIO, exactly like a disk dropping out: `FailingDisk` builds
that stack (outer loop → ext4 → backing file → inner loop) and tears it down in the right order.
"""

import contextlib
import datetime
import fcntl
import glob
import hashlib
import os
import random
import re
import shutil
import stat
import struct
import tempfile
import time

import yaml

import filesystems
from clone_support import chkimg, core_children, evidence, listing, send_clone, still_ours
from loops import LoopDevice, Loops, run
from processes import wait_until

try:  # libyaml: the fuzzer loads thousands of answers
    YamlLoader = yaml.CSafeLoader
    YamlDumper = yaml.CSafeDumper
except AttributeError:  # pragma: no cover - Debian's python3-yaml has libyaml
    YamlLoader = yaml.SafeLoader
    YamlDumper = yaml.SafeDumper

# The program a clone compresses with, and the one a restore decompresses with: zst images are
# written by pzstd (independent frames, readable in place) and read by zstd.
COMPRESSORS = {"gz": "pigz", "zst": "pzstd", "lz4": "lz4"}
DECOMPRESSORS = {"gz": "pigz", "zst": "zstd", "lz4": "lz4"}
CODECS = list(COMPRESSORS)

# A big source: a job on it lasts seconds, long enough to hurt it midway.
BIG_MIB = 100
RANDOM_MIB = 64

# Words a person recognises in each kind of failure.
SPACE_RAN_OUT = re.compile(r"no space left|not enough (free )?space|(disk|device|destination|filesystem) is full", re.I)
IN_USE = re.compile(r"in use|busy", re.I)
IO_ERROR = re.compile(r"input/output error|i/o error|bad sector|read error|write error|cannot (read|write)", re.I)

FS_IOC_SHUTDOWN = 0x8004587D  # _IOR('X', 125, __u32), XFS_IOC_GOINGDOWN: ext4 and xfs
SHUTDOWN_NOLOGFLUSH = 2


# -- sources and images, made once per module ------------------------------------------------


def make_big_ext4(loops, seed=11, size_mib=BIG_MIB, random_mib=RANDOM_MIB):
    """An ext4 device with the harness's sample files and `random_mib` MiB of seeded incompressible data."""
    return filesystems.make_big_ext4(loops, size_mib, random_mib, files=True, seed=seed)


class Stock:
    """A big ext4 source, what it holds, and its images (one per codec, made by a core of their own)."""

    def __init__(self):
        self.loops = Loops()
        self.directory = tempfile.mkdtemp(prefix="apart-e2e-hardening-")
        self._images = {}
        try:
            self.source = make_big_ext4(self.loops)
            self.snapshot = filesystems.snapshot(self.loops, self.source, "ext4")
        except BaseException:
            self.close()
            raise

    def image(self, codec):
        """The path of an image of the source (made on first use); tests must not change it."""
        if codec not in self._images:
            from presenter import Presenter

            core = Presenter()
            try:
                core.wait_for(lambda m: m.get("type") == "status" and m.get("status") == "started", timeout=15)
                directory = tempfile.mkdtemp(prefix=f"{codec}-", dir=self.directory)
                request = {"type": "clone", "source": self.source.path, "destination": directory, "name": "stock", "compression": codec}
                first, _ = send_clone(core, request)
                assert first["type"] == "clone", evidence(core, f"the stock clone was refused: {first}")
                end = core.job_end(first["id"], "clone", timeout=120)
                assert end["type"] == "clone", evidence(core, f"the stock clone failed: {end}")
            finally:
                core.close()
            self._images[codec] = (end["destination"], sha256_file(end["destination"]))
        return self._images[codec][0]

    def image_sha256(self, codec):
        self.image(codec)
        return self._images[codec][1]

    def copy_of_image(self, codec, directory):
        """A private copy of an image (same file name), for tests that delete or rename it."""
        target = os.path.join(directory, os.path.basename(self.image(codec)))
        shutil.copyfile(self.image(codec), target)
        return target

    def close(self):
        try:
            self.loops.cleanup()
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)


# -- files and processes ---------------------------------------------------------------------


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def size_of(path):
    try:
        return os.path.getsize(path)
    except OSError:
        return -1


def command_line(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return None


def state_of(pid):
    """The process state letter (R, S, D, Z…), or None when there is no such process."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return None


def running(pid):
    """Alive and not a zombie (a zombie has exited and released everything)."""
    return state_of(pid) not in (None, "Z")


def processes_mentioning(*needles):
    """Processes anywhere on the machine whose command line names one of `needles`."""
    found = {}
    me = os.getpid()
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != me:
            line = command_line(int(entry))
            if line and any(needle in line for needle in needles):
                found[int(entry)] = line
    return found


def processes_with_argument(*arguments):
    """Processes anywhere on the machine with one of `arguments` as a whole argument."""
    found = {}
    wanted = {a.encode() for a in arguments}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    argv = f.read().split(b"\0")
            except OSError:
                continue
            if wanted.intersection(argv):
                found[int(entry)] = b" ".join(argv).decode(errors="replace")
    return found


def left_behind_with_argument(core_pid, *arguments):
    """Processes with one of `arguments` as a whole argument that the core at `core_pid` left
    behind: its own children, or orphans of any parent. Other running cores' programs (another
    test's device listing, whose blkid names every device on the machine) are not its doing."""
    from clone_support import parent_of, program_of

    def theirs(pid):
        parent = parent_of(pid)
        return parent is not None and parent != core_pid and program_of(parent) == "apart-core"

    return {pid: line for pid, line in processes_with_argument(*arguments).items() if not theirs(pid)}


# -- the wire --------------------------------------------------------------------------------


def start(core, request, kind, timeout=15):
    """Sends a clone/restore request; returns its first answer (progress or refusal)."""
    key = "source" if kind == "clone" else "destination"
    core.send(request)
    return core.wait_for(
        lambda m: m.get("type") in (kind, f"{kind}-failed") and m.get(key) == request[key],
        timeout=timeout,
        what=f"first answer to {request}",
    )


def wait_mid_clone(core, first, at_least=2 << 20, timeout=30):
    """Waits until a clone has written `at_least` bytes to its .inprogress file while partclone
    and the compressor both run; returns {pid: program} of its processes then."""
    in_progress = first["destination"] + ".inprogress"

    def midway():
        programs = core_children(core)
        if size_of(in_progress) >= at_least and len(programs) >= 2:
            return programs
        return None

    programs = wait_until(midway, timeout)
    assert programs, evidence(core, f"the clone never got midway: {listing(os.path.dirname(in_progress))}, children {core_children(core)}")
    assert not [m for m in core.of_job(first["id"]) if m.get("finish") is not None], evidence(core, "the clone ended before the fault")
    return programs


def wait_mid_restore(core, at_least=4 << 20, timeout=30):
    """Waits until a restore's reader (the decompressor, or a restore-disk's reader of pieces) has
    read `at_least` bytes of an image file but not all of it, with partclone running; returns
    ({pid: program}, bytes read). A restore-disk passes here on its first partition image that big."""

    def midway():
        programs = core_children(core)
        if not any((program or "").startswith("partclone.") for program in programs.values()):
            return None
        for pid in programs:
            for read, size in files_read(pid):
                if read >= at_least:
                    return programs, read, size
        return None

    found = wait_until(midway, timeout)
    assert found, evidence(core, f"the restore never got midway; children {core_children(core)}")
    programs, read, size = found
    assert read < size, evidence(core, f"the whole image file ({size} bytes) was read before the fault")
    return programs, read


def files_read(pid):
    """(offset, size) of each regular file a process has open for reading only (an image it
    reads; not a clone's .inprogress file that a compressor beside it writes)."""
    try:
        descriptors = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return []
    found = []
    for fd in descriptors:
        try:
            status = os.stat(f"/proc/{pid}/fd/{fd}")
            with open(f"/proc/{pid}/fdinfo/{fd}") as f:
                info = dict(line.split(":", 1) for line in f if ":" in line)
            flags, position = int(info["flags"], 8), int(info["pos"])
        except (OSError, KeyError, ValueError):
            continue
        if stat.S_ISREG(status.st_mode) and flags & os.O_ACCMODE == os.O_RDONLY:
            found.append((position, status.st_size))
    return found


def assert_failed_with_reason(core, end, kind, first, pattern=None, what=""):
    """The job's failure message: the right type and id, its request's fields, and a reason that
    is a sentence (never just 'Failed'), matching `pattern` when given."""
    assert end["type"] == f"{kind}-failed", evidence(core, f"{what}: the {kind} did not fail: {end}")
    assert end["id"] == first["id"] and end["source"] == first["source"] and end["destination"] == first["destination"], evidence(
        core, f"{what}: the failure does not name its job: {end}")
    assert end["start"] == first["start"] and end["finish"] >= end["start"], evidence(core, f"{what}: start/finish {end}")
    error = end.get("error")
    assert isinstance(error, str) and len(error.strip()) > 12, evidence(core, f"{what}: error {error!r} is not a reason")
    assert error.strip().rstrip(".!").lower() not in ("failed", "error", "cancelled"), evidence(core, f"{what}: error {error!r}")
    if pattern is not None:
        assert re.search(pattern, error), evidence(core, f"{what}: the reason {error!r} does not say /{pattern.pattern if hasattr(pattern, 'pattern') else pattern}/")
    return error


def assert_no_process_left(core, programs, *paths):
    """None of the job's processes is alive (checked at once: the failure message comes after they
    are stopped), the core has no child, and nothing anywhere still names the job's paths."""
    left = {pid: program for pid, program in programs.items() if still_ours(core, pid) or running(pid)}
    assert not left, evidence(core, f"processes left after the job's end: {left}")
    assert core_children(core) == {}, evidence(core, f"the core still has children: {core_children(core)}")
    strays = processes_mentioning(*paths) if paths else {}
    assert not strays, evidence(core, f"processes still naming {paths}: {strays}")


def assert_goes_on_serving(core, rig):
    """A following clone of another device succeeds and makes a valid image."""
    status = core.status()
    assert status["status"] == "running", evidence(core, f"status {status}")
    device = rig.filesystem("ext4", files=False, seed=99)
    destination = rig.directory()
    request = {"type": "clone", "source": device.path, "destination": destination, "name": "after", "compression": "lz4"}
    first = start(core, request, "clone")
    assert first["type"] == "clone", evidence(core, f"the following clone was refused: {first}")
    end = core.job_end(first["id"], "clone", timeout=60)
    assert end["type"] == "clone", evidence(core, f"the following clone failed: {end}")
    assert listing(destination) == [os.path.basename(end["destination"])], evidence(core, f"the following clone left {listing(destination)}")
    chkimg(end["destination"], "lz4")


def reattach_read_only(loops, backing, size):
    """A new read-only loop device over a backing file (tracked by `loops`, detached by it)."""
    path = run("losetup", "--find", "--show", "--read-only", backing).stdout.strip()
    device = LoopDevice(path, backing, size)
    loops.devices.append(device)
    return device


# -- a disk that really fails ----------------------------------------------------------------


def shut_down_filesystem(mountpoint):
    """FS_IOC_SHUTDOWN: from now on every read and write on that filesystem fails with EIO."""
    fd = os.open(mountpoint, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.ioctl(fd, FS_IOC_SHUTDOWN, struct.pack("I", SHUTDOWN_NOLOGFLUSH))
    finally:
        os.close(fd)


def drop_caches():
    with open("/proc/sys/vm/drop_caches", "w") as f:
        f.write("3\n")


class FailingDisk:
    """A loop device (`device`) whose backing file is on an ext4 that `fail()` shuts down: the
    device's later reads and writes fail with EIO, as a disk's do when it drops out."""

    def __init__(self, loops, size_mib=BIG_MIB):
        self.loops = loops
        self.outer = loops.attach(size_mib + 64)
        run("mkfs.ext4", "-q", "-F", self.outer.path)
        self.mountpoint = tempfile.mkdtemp(prefix="apart-e2e-failing-")
        run("mount", self.outer.path, self.mountpoint)
        self.backing = os.path.join(self.mountpoint, "disk.img")
        with open(self.backing, "wb") as f:
            f.truncate(size_mib << 20)
        path = run("losetup", "--find", "--show", self.backing).stdout.strip()
        self.device = LoopDevice(path, self.backing, size_mib << 20)
        self.failed = False

    def fail(self):
        shut_down_filesystem(self.mountpoint)
        self.failed = True

    def close(self):
        run("losetup", "-d", self.device.path, check=False)
        deadline = time.monotonic() + 5
        while run("umount", self.mountpoint, check=False).returncode != 0:
            if time.monotonic() > deadline:
                run("umount", "-l", self.mountpoint, check=False)
                break
            time.sleep(0.1)
        os.rmdir(self.mountpoint)
        # the outer loop device is the `loops` fixture's to detach


@contextlib.contextmanager
def failing_disk(loops, size_mib=BIG_MIB):
    disk = FailingDisk(loops, size_mib)
    try:
        yield disk
    finally:
        disk.close()


# -- processes that outlive their parent -----------------------------------------------------

def reap(pid, timeout):
    """Waits for a child (or adopted orphan) to end; returns its wait status, or None."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            got, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return None
        if got == pid:
            return status
        if time.monotonic() > deadline:
            return None
        time.sleep(0.01)


def journal_records(state_directory):
    return sorted(glob.glob(os.path.join(state_directory, "inprogress", "*.record")))


# -- the fuzzer ------------------------------------------------------------------------------

FINAL_TYPES = {"error", "clone-failed", "restore-failed", "verify-failed", "delete-clone-failed"}
IMAGE_TIME = "2017-05-03T1020"


class Sandbox:
    """The only files fuzz messages name: a temporary directory with every kind of hostile path
    (symlinks out of it, to devices, dangling and looping; a FIFO; a directory named like an
    image), and no image file anyone could lose. Its contents are fingerprinted to prove that
    nothing in it changed."""

    def __init__(self):
        self.root = tempfile.mkdtemp(prefix="apart-fuzz-")
        # A file outside the sandbox that symlinks lead to (as they would to /etc/passwd, which
        # other programs on this machine may change while the test runs).
        self.outside = tempfile.mkdtemp(prefix="apart-fuzz-outside-")
        self.secret = os.path.join(self.outside, "passwd")
        with open(self.secret, "w") as f:
            f.write("root:x:0:0:root:/root:/bin/bash\n")
        r = self.root
        os.mkdir(os.path.join(r, "images"))
        os.symlink(os.path.join(r, "images"), os.path.join(r, "link-images"))
        os.symlink("/etc", os.path.join(r, "link-etc"))
        os.symlink(self.secret, os.path.join(r, f"link-passwd-{IMAGE_TIME}.apt.ext4.gz"))
        os.symlink("/dev/null", os.path.join(r, f"link-null-{IMAGE_TIME}.apt.dd.uncompressed"))
        os.symlink("/dev/null", os.path.join(r, "link-null"))
        os.symlink("/nonexistent/apart-fuzz", os.path.join(r, f"dangling-{IMAGE_TIME}.apt.ext4.gz"))
        os.symlink(f"loop-{IMAGE_TIME}.apt.ext4.gz", os.path.join(r, f"loop-{IMAGE_TIME}.apt.ext4.gz"))
        os.mkfifo(os.path.join(r, f"fifo-{IMAGE_TIME}.apt.ext4.gz"))
        os.mkdir(os.path.join(r, f"dir-{IMAGE_TIME}.apt.ext4.gz"))
        with open(os.path.join(r, "notes.txt"), "w") as f:
            f.write("not an image\n")
        self.before = self.fingerprint()

    def path(self, *parts):
        return os.path.join(self.root, *parts)

    def fingerprint(self):
        """Every entry of the sandbox and of the outside directory: kind, mode, content or target."""
        found = {}
        for directory, dirnames, filenames in [*os.walk(self.root), *os.walk(self.outside)]:
            for name in dirnames + filenames:
                path = os.path.join(directory, name)
                info = os.lstat(path)
                if stat.S_ISLNK(info.st_mode):
                    found[path] = ("link", os.readlink(path))
                elif stat.S_ISREG(info.st_mode):
                    found[path] = ("file", oct(stat.S_IMODE(info.st_mode)), sha256_file(path))
                else:
                    found[path] = (stat.S_IFMT(info.st_mode), oct(stat.S_IMODE(info.st_mode)))
        return found

    def unjam(self):
        """Opens the FIFO for writing and closes it: a reader stuck opening it gets end-of-file."""
        try:
            fd = os.open(self.path(f"fifo-{IMAGE_TIME}.apt.ext4.gz"), os.O_WRONLY | os.O_NONBLOCK)
            os.close(fd)
        except OSError:
            pass

    def close(self):
        self.unjam()
        shutil.rmtree(self.root, ignore_errors=True)
        shutil.rmtree(self.outside, ignore_errors=True)


class Fuzzer:
    """Hostile messages from a seed: the same seed gives the same messages, so any failure replays.

    `messages(n)` yields (index, category, frames) with frames a list of byte strings (one frame
    but for the multi-frame category). None of them is a status-request or kill-request; none
    names an existing block device or an existing image file outside the sandbox (`safe`)."""

    def __init__(self, seed, sandbox):
        self.seed = seed
        self.rng = random.Random(seed)
        self.box = sandbox
        s = sandbox.path
        long_component = "d" * 300
        self.devices = [
            "/dev/apart-fuzz-none", "/dev/apart-fuzz-none1", "/dev/null", "/dev/zero", "/dev/../dev/null",
            "/dev/loop-apart-fuzz", "dev/relative", "", " ", "/", "/dev/", "/dev/apart\nfuzz", "/dev/apart\0fuzz",
            s("link-null"), s("notes.txt"), s("images"), "/dev/apart-fuzz/" + long_component, "/dev/" + "x" * 5000,
            "/dev/apart-fuzz; reboot", "$(reboot)", "`reboot`", "-rf", "--help",
        ]
        self.images = [
            s("images", f"x-{IMAGE_TIME}.apt.ext4.gz"),
            s(f"link-passwd-{IMAGE_TIME}.apt.ext4.gz"),
            s(f"link-null-{IMAGE_TIME}.apt.dd.uncompressed"),
            s(f"dangling-{IMAGE_TIME}.apt.ext4.gz"),
            s(f"loop-{IMAGE_TIME}.apt.ext4.gz"),
            s(f"fifo-{IMAGE_TIME}.apt.ext4.gz"),
            s(f"dir-{IMAGE_TIME}.apt.ext4.gz"),
            s("images", "..", f"link-passwd-{IMAGE_TIME}.apt.ext4.gz"),
            s("images", "..", "..", os.path.basename(sandbox.root), f"dangling-{IMAGE_TIME}.apt.ext4.gz"),
            s("link-images", f"x-{IMAGE_TIME}.apt.ext4.gz"),
            s("link-etc", f"passwd-{IMAGE_TIME}.apt.ext4.gz"),
            s("images", f"nul\0x-{IMAGE_TIME}.apt.ext4.gz"),
            s("images\0", f"x-{IMAGE_TIME}.apt.ext4.gz"),
            s("images", f"new\nline-{IMAGE_TIME}.apt.ext4.gz"),
            s("images", f"x-{IMAGE_TIME}.apt.ext4.bz2"),
            s("images", f"x-{IMAGE_TIME}.apt.nofs.gz"),
            s("images", f"x-{IMAGE_TIME}.apt.ext4.zstd"),
            s("images", f"x-2017-13-45T9999.apt.ext4.gz"),
            s("images", long_component, f"x-{IMAGE_TIME}.apt.ext4.gz"),
            s("images", ("e" * 250) + f"-{IMAGE_TIME}.apt.ext4.gz"),
            s(*(["images", ".."] * 600), f"x-{IMAGE_TIME}.apt.ext4.gz"),
            f"x-{IMAGE_TIME}.apt.ext4.gz", f"../x-{IMAGE_TIME}.apt.ext4.gz", "",
            "/etc/passwd", "/proc/self/mem", "/dev/stdin", s("notes.txt"), s("images") + "/",
            s("images", f"$(touch pwned)-{IMAGE_TIME}.apt.ext4.gz"), s("images", f"x; reboot-{IMAGE_TIME}.apt.ext4.gz"),
        ]
        self.directories = [
            s("images"), s("link-images"), s("link-etc"), s("images") + "/", s("images", "..", "images"),
            "images", "relative/dir", "", "/nonexistent/apart-fuzz", s("notes.txt"), s("link-null"),
            s("images\0"), s("images\nx"), s("images", long_component), s(*(["images", ".."] * 600)),
            s("images", "$(touch pwned)"),
        ]
        self.names = [
            "work", "", ".", "..", "../x", "../../etc/x", "a/b", "/abs", "x; touch pwned", "x; touch /tmp/pwned",
            "$(reboot)", "`reboot`", "$(touch pwned)", "a\0b", "a\nb", "a\rb", "tab\there", "-rf", "--help",
            "a" * 200, "a" * 201, "a" * 4096, "ü" * 101, " ", "*", "?[x]", "\u202eevil", "emoji 🗜", "nul\0",
            "x" * 100_000, "it's: \"quoted\" #c", "~", "null", "true", "0.5",
        ]
        self.compressions = ["gz", "zst", "lz4", "uncompressed", "bz2", "", "GZ", "gz; reboot", "../gz", "zstd", "a" * 1000, "gz\0"]
        self.ids = ["deadbeef", "", "../", "a\0b", "x" * 10_000, "12345678", "0", "null", "$(reboot)"]

    # -- building blocks

    def pick(self, pool):
        return self.rng.choice(pool)

    def request(self, kind=None):
        """A request of any type but status/kill, with values from the hostile pools."""
        kind = kind or self.pick(["clone", "clone", "restore", "verify", "cancel-clone", "cancel-restore", "cancel-verify", "delete-clone"])
        if kind == "clone":
            message = {"type": "clone", "source": self.pick(self.devices), "destination": self.pick(self.directories), "name": self.pick(self.names)}
            if self.rng.random() < 0.7:
                message["compression"] = self.pick(self.compressions)
        elif kind == "restore":
            message = {"type": "restore", "source": self.pick(self.images), "destination": self.pick(self.devices)}
        elif kind == "verify":
            message = {"type": "verify", "source": self.pick(self.images)}
        elif kind.startswith("cancel-"):
            message = {"type": kind, "id": self.pick(self.ids)}
        else:
            message = {"type": "delete-clone", "file": self.pick(self.images)}
        return message

    def dump(self, message):
        style = self.rng.random()
        flow = style < 0.2
        text = yaml.dump(
            message, Dumper=YamlDumper, default_flow_style=flow, allow_unicode=self.rng.random() < 0.5,
            sort_keys=self.rng.random() < 0.5, width=1 << 30)
        return text.encode("utf-8")

    def mutate(self, data, count):
        data = bytearray(data)
        specials = b":-[]{}&*!|>'\"%@#,?\n\t\\ \0"
        for _ in range(count):
            how = self.rng.randrange(6)
            at = self.rng.randrange(len(data) + 1)
            if how == 0 and data:
                at = min(at, len(data) - 1)
                data[at] ^= 1 << self.rng.randrange(8)
            elif how == 1 and data:
                at = min(at, len(data) - 1)
                data[at] = self.rng.randrange(256)
            elif how == 2:
                data[at:at] = bytes([self.rng.choice(specials)])
            elif how == 3 and data:
                del data[at:at + self.rng.randrange(1, 8)]
            elif how == 4 and data:
                chunk = data[at:at + self.rng.randrange(1, 32)]
                data[at:at] = chunk * self.rng.randrange(1, 4)
            else:
                data[at:at] = self.rng.randbytes(self.rng.randrange(1, 8))
        return bytes(data)

    # -- categories: each returns a list of frames

    def random_bytes(self):
        return [self.rng.randbytes(self.rng.choice([0, 1, 2, 7, 64, 512, 4096]))]

    def random_text(self):
        alphabet = "abc type:clone-restore/\\.\n\t -[]{}&*!|>'\"%@#,?~01"
        return ["".join(self.rng.choice(alphabet) for _ in range(self.rng.randrange(1, 300))).encode()]

    def truncated(self):
        data = self.dump(self.request())
        return [data[: self.rng.randrange(len(data) + 1)]]

    def mutated(self):
        return [self.mutate(self.dump(self.request()), self.rng.randrange(1, 9))]

    def invalid_utf8(self):
        data = bytearray(self.dump(self.request()))
        bad = [b"\xff", b"\xfe", b"\xc3\x28", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80", b"\xc0\xaf", b"\x80", b"\xe2\x82", b"\xf4\x90\x80\x80"]
        for _ in range(self.rng.randrange(1, 4)):
            at = self.rng.randrange(len(data) + 1)
            data[at:at] = self.pick(bad)
        if self.rng.random() < 0.15:
            return [("type: verify\nsource: x\n").encode("utf-16")]
        return [bytes(data)]

    def deeply_nested(self):
        depth = self.pick([33, 40, 100, 1000, 50_000])
        field = self.pick(["source", "destination", "name", "file", "id", "type", "extra"])
        how = self.rng.randrange(5)
        if how == 0:
            value = "[" * depth + "]" * depth
        elif how == 1:
            value = "{a: " * depth + "1" + "}" * depth
        elif how == 2:
            value = "[" * depth  # never closed
        elif how == 3:
            return [("type: clone\n" + "".join(" " * i + f"k{i}:\n" for i in range(min(depth, 2000))) + " " * min(depth, 2000) + "x\n").encode()]
        else:
            return [("[" * depth + "type: clone" + "]" * depth).encode()]
        return [f"type: {self.pick(['clone', 'restore', 'verify', 'delete-clone'])}\n{field}: {value}\n".encode()]

    def alias_bomb(self):
        how = self.rng.randrange(5)
        if how == 0:
            levels = self.rng.randrange(5, 12)
            lines = ["type: clone", 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
            for level in range(1, levels):
                lines.append(f"a{level}: &a{level} [" + ",".join([f"*a{level - 1}"] * 9) + "]")
            lines.append(f"source: *a{levels - 1}")
            return [("\n".join(lines) + "\n").encode()]
        if how == 1:
            return [b"type: &t verify\nsource: *t\n"]
        if how == 2:
            return [b"base: &b {type: verify, source: /dev/null}\n<<: *b\n"]
        if how == 3:
            return [b"type: verify\nsource: *undefined\n"]
        return [b"&a [*a]\n"]

    def huge(self):
        size = self.pick([10_000_000, 10_000_000, (1 << 20) + 1, (1 << 20) - 200])
        how = self.rng.randrange(4)
        if how == 0:
            return [b"type: clone\nsource: /dev/apart-fuzz-none\ndestination: " + self.box.root.encode() + b"\nname: " + b"n" * (size - 100) + b"\n"]
        if how == 1:
            return [b"type: verify\nsource: '" + b"/" * (size - 30) + b"'\n"]
        if how == 2:
            return [self.rng.randbytes(size)]
        return [b"type: delete-clone\nfile: \"" + b"\\x41" * ((size - 40) // 4) + b"\"\n"]

    def wrong_types(self):
        message = self.request()
        key = self.pick(sorted(message))
        message[key] = self.pick([
            [1, 2], {"a": 1}, 1, 0.5, 1.0, -1e308, True, None, [], {}, [[["deep"]]],
            datetime.datetime(2017, 4, 18, 17, 39, 1, tzinfo=datetime.timezone.utc), b"\x00\x01binary", 10**30,
        ])
        return [self.dump(message)]

    def missing_field(self):
        message = self.request()
        keys = [k for k in sorted(message) if k != "compression"]
        for key in self.rng.sample(keys, self.rng.randrange(1, len(keys) + 1)):
            del message[key]
        if not message:
            return [b"{}\n"]
        return [self.dump(message)]

    def hostile_values(self):
        """A well-formed request whose values come from the hostile pools, in any quoting style."""
        message = self.request()
        style = self.rng.randrange(3)
        if style == 0:
            return [self.dump(message)]
        lines = []
        for key, value in message.items():
            if style == 1 and "\n" not in value and "\0" not in value:
                lines.append(f"{key}: '" + value.replace("'", "''") + "'")
            else:
                escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\0", "\\0").replace("\r", "\\r").replace("\t", "\\t")
                lines.append(f'{key}: "{escaped}"')
        return [("\n".join(lines) + "\n").encode()]

    def odd_keys(self):
        how = self.rng.randrange(6)
        message = self.request()
        if how == 0:
            extra = {f"k{i}": "v" for i in range(self.pick([60, 63, 64, 65, 1000]))}
            message.update(extra)
            return [self.dump(message)]
        if how == 1:
            return [self.dump(message) + b"type: verify\n"]  # the type twice
        if how == 2:
            return [b"? [a, b]\n: c\ntype: verify\nsource: /dev/null\n"]
        if how == 3:
            return [b'"ty\\0pe": verify\nsource: /dev/null\n']
        if how == 4:
            return [b"1: 2\n3.5: verify\ntrue: false\n~: x\n"]
        return [b"type: verify\nsource: /dev/null\n" + b"".join(b"x%d: y\n" % i for i in range(100_000))]

    def yaml_oddities(self):
        return [self.pick([
            b"---\ntype: verify\nsource: /dev/null\n---\ntype: cancel-clone\nid: x\n",
            b"%YAML 1.1\n---\ntype: verify\nsource: /dev/null\n",
            b"%YAML 9.9\n---\ntype: verify\n",
            b"%TAG ! tag:evil.com,2000:\n---\ntype: !evil verify\nsource: /dev/null\n",
            b"type: !!python/object/apply:os.system [\"touch pwned\"]\nsource: /dev/null\n",
            b"type: !!binary dmVyaWZ5\nsource: /dev/null\n",
            b"type: verify\nsource: !!str /dev/null\nextra: !!set {a, b}\n",
            b"...\n",
            b"---\n",
            b"type: |\n  verify\nsource: >\n  /dev/null\n",
            b"type: verify\nsource: /dev/null\n...\ngarbage after the end\n",
            b"\xef\xbb\xbftype: verify\nsource: /dev/null\n",
            b"type:verify\n",
            b"type: verify\tsource: x\n",
            b"type: 'verify\n",
            b'type: "cancel-clone"\nid: "\\ud800"\n',
            b'type: cancel-clone\nid: "\\U0010FFFF\\x00\\e\\N\\_"\n',
            b"type: cancel-clone\nid: &x\n",
            b"\t\ttype: verify\n",
            b"- - - - -\n",
            b"type: [verify\n",
            b"type: cancel-clone\nid: 1e999\n",
        ])]

    def multi_frame(self):
        first = self.dump(self.request())
        return [first, b"type: status-request\n", self.rng.randbytes(16)]

    CATEGORIES = [
        ("random bytes", "random_bytes", 8),
        ("random text", "random_text", 5),
        ("truncated request", "truncated", 12),
        ("mutated request", "mutated", 18),
        ("invalid utf-8", "invalid_utf8", 6),
        ("deeply nested yaml", "deeply_nested", 4),
        ("alias bomb", "alias_bomb", 4),
        ("wrong value type", "wrong_types", 12),
        ("missing field", "missing_field", 9),
        ("hostile names and paths", "hostile_values", 16),
        ("odd keys", "odd_keys", 3),
        ("yaml oddities", "yaml_oddities", 2),
        ("extra frames", "multi_frame", 1),
    ]

    def messages(self, count, huge=20):
        """`count` messages, `huge` of them (evenly spread) of 10 MB or about 1 MiB."""
        names = [c[0] for c in self.CATEGORIES]
        methods = [c[1] for c in self.CATEGORIES]
        weights = [c[2] for c in self.CATEGORIES]
        huge_every = count // huge if huge else 0
        for index in range(count):
            while True:
                if huge_every and index % huge_every == huge_every // 2:
                    category, frames = "10 MB or 1 MiB message", self.huge()
                else:
                    choice = self.rng.choices(range(len(names)), weights)[0]
                    category, frames = names[choice], getattr(self, methods[choice])()
                if self.safe(frames):
                    break
            yield index, category, frames

    # -- the guard

    _PATH = re.compile(rb"/[^\s\"'\[\]{},:\\\x00]*")

    def safe(self, frames):
        """False for anything that could end the core or touch something real: a status or kill
        request, an existing block device, an existing image-named file outside the sandbox."""
        for frame in frames[:1]:
            lowered = frame.lower()
            if b"kill-request" in lowered or b"status-request" in lowered:
                return False
            if len(frame) > 2_000_000:
                continue  # huge frames are built from fixed, harmless values
            candidates = {m.group(0).decode("utf-8", "replace") for m in self._PATH.finditer(frame)}
            loaded = None
            # (libyaml's composer recurses in C: deep nesting would crash this test, not the core)
            if len(frame) < 200_000 and frame.count(b"[") + frame.count(b"{") < 200 and b"\n" + b" " * 200 not in frame:
                try:
                    loaded = yaml.load(frame, Loader=YamlLoader)
                except Exception:  # noqa: BLE001 - most fuzz is not YAML
                    pass
            if isinstance(loaded, dict):
                for key, value in loaded.items():
                    if isinstance(value, str):
                        candidates.add(value)
                    if key == "type" and value in ("kill-request", "status-request"):
                        return False
            for candidate in candidates:
                if not self._harmless(candidate):
                    return False
        return True

    def _harmless(self, path):
        if "\0" in path or not path.startswith("/"):
            return True
        try:
            info = os.stat(path)
        except (OSError, ValueError):
            return True
        if stat.S_ISBLK(info.st_mode):
            return False
        real = os.path.realpath(path)
        inside = real == self.box.root or real.startswith(self.box.root + os.sep)
        return inside or ".apt." not in os.path.basename(real)


class FuzzRun:
    """Sends fuzz messages to a core with up to `window` unanswered at a time, a status-request
    after every `status_every`, reads and checks every answer, and watches the core's memory."""

    def __init__(self, core, window=64, status_every=16, stall=20.0):
        self.core = core
        self.socket = core.socket
        self.window = window
        self.status_every = status_every
        self.stall = stall
        self.hostile = 0
        self.statuses_sent = 0
        self.finals = {}
        self.statuses = 0
        self.unexpected = []
        self.unloadable = []
        self.jobs = {}  # verify jobs the fuzz started: id -> ended
        self.peak_rss_kib = 0
        self.sent_log = []  # (index, category, frames) of the messages in flight, for replays
        self.failure = None

    @property
    def answered(self):
        return sum(self.finals.values())

    def in_flight(self):
        return self.hostile + self.statuses_sent - self.answered - self.statuses

    def memory(self):
        try:
            with open(f"/proc/{self.core.process.pid}/status") as f:
                fields = dict(line.split(":", 1) for line in f if ":" in line)
            return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])
        except (OSError, KeyError, ValueError):
            return None

    def _receive(self, timeout_ms):
        got = 0
        if self.socket.poll(timeout_ms) == 0:
            return 0
        import zmq

        while True:
            try:
                raw = self.socket.recv(zmq.NOBLOCK)
            except zmq.Again:
                return got
            got += 1
            self._account(raw)

    def _account(self, raw):
        try:
            message = yaml.load(raw, Loader=YamlLoader)
        except Exception as e:  # noqa: BLE001
            self.unloadable.append((raw[:500], str(e)))
            return
        if not isinstance(message, dict) or "type" not in message:
            self.unloadable.append((raw[:500], "not a mapping with a type"))
            return
        kind = message["type"]
        if kind == "status" and message.get("status") == "running":
            self.statuses += 1
        elif kind in FINAL_TYPES:
            self.finals[kind] = self.finals.get(kind, 0) + 1
            if kind == "verify-failed" and message.get("id") in self.jobs:
                self.jobs[message["id"]] = True
        elif kind == "verify" and message.get("finish") is None:
            self.jobs.setdefault(message.get("id"), False)  # a verify of /etc/passwd through a symlink: read-only, must fail
        else:
            self.unexpected.append(raw[:500])

    def _send(self, frames):
        """Sends without blocking, reading answers while the core cannot take more; False when
        the core died or stalled meanwhile."""
        import zmq

        waiting_since = time.monotonic()
        while True:
            try:
                if len(frames) == 1:
                    self.socket.send(frames[0], zmq.NOBLOCK)
                else:
                    self.socket.send_multipart(frames, zmq.NOBLOCK)
                return True
            except zmq.Again:
                if self._receive(10):
                    waiting_since = time.monotonic()
                elif self._dead_or_stalled(waiting_since):
                    return False

    def _sample_memory(self):
        sampled = self.memory()
        if sampled:
            self.peak_rss_kib = max(self.peak_rss_kib, sampled[0], sampled[1])

    def run(self, messages):
        last_answer = time.monotonic()
        last_sample = 0.0
        for index, category, frames in messages:
            while self.in_flight() >= self.window:
                if self._receive(100):
                    last_answer = time.monotonic()
                elif self._dead_or_stalled(last_answer):
                    return False
            self.sent_log.append((index, category, frames))
            if len(self.sent_log) > 4 * self.window:
                del self.sent_log[: self.window]
            if not self._send(frames):
                return False
            self.hostile += 1
            if self.hostile % self.status_every == 0:
                if not self._send([b"type: status-request\n"]):
                    return False
                self.statuses_sent += 1
            if self._receive(0):
                last_answer = time.monotonic()
            if time.monotonic() - last_sample > 0.2:
                self._sample_memory()
                last_sample = time.monotonic()
        # everything sent: wait for the rest, then a moment for any extra answer
        while self.in_flight() > 0:
            if self._receive(100):
                last_answer = time.monotonic()
            elif self._dead_or_stalled(last_answer):
                return False
        quiet_until = time.monotonic() + 1.5
        while time.monotonic() < quiet_until:
            self._receive(100)
        self._sample_memory()
        return True

    def _dead_or_stalled(self, last_answer):
        if self.core.process.poll() is not None:
            self.failure = f"the core exited with status {self.core.process.returncode}"
            return True
        if time.monotonic() - last_answer > self.stall:
            self.failure = f"no answer for {self.stall:.0f}s with {self.in_flight()} messages unanswered"
            return True
        self._sample_memory()
        return False


def replay_one_by_one(frames_list, sandbox, env=None, per_message=5.0, budget=120.0):
    """Sends messages one at a time to a fresh core, each followed by a status-request, and
    returns a description of the first one not answered by exactly one error/*-failed (or that
    ends or stalls the core), or None."""
    from presenter import Presenter

    core = Presenter(env=env)
    started = time.monotonic()
    try:
        core.wait_for(lambda m: m.get("type") == "status" and m.get("status") == "started", timeout=15)
        for index, category, frames in frames_list:
            if time.monotonic() - started > budget:
                return None
            core.socket.send_multipart(frames) if len(frames) > 1 else core.socket.send(frames[0])
            core.socket.send(b"type: status-request\n")
            finals, deadline = [], time.monotonic() + per_message
            status_seen = False
            while time.monotonic() < deadline and not (status_seen and finals):
                if core.socket.poll(100) == 0:
                    if core.process.poll() is not None:
                        return describe(index, category, frames, f"the core exited with status {core.process.returncode}", core)
                    continue
                raw = core.socket.recv()
                try:
                    message = yaml.load(raw, Loader=YamlLoader)
                except Exception:  # noqa: BLE001
                    return describe(index, category, frames, f"an answer that is not YAML: {raw[:300]!r}", core)
                if message.get("type") == "status":
                    status_seen = True
                elif message.get("type") in FINAL_TYPES:
                    finals.append(message)
            if not status_seen:
                sandbox.unjam()
                return describe(index, category, frames, "the core stopped answering (not even status-request)", core)
            if len(finals) != 1:
                return describe(index, category, frames, f"{len(finals)} answers of type error/*-failed instead of 1", core)
        return None
    finally:
        sandbox.unjam()
        core.close()


def describe(index, category, frames, what, core):
    shown = [frame[:400] for frame in frames]
    return f"message #{index} ({category}): {what}\n  frames: {shown!r}\n  core log:\n{core.log()[-3000:]}"


def lsblk_stand_in(directory, allowed_file):
    """An APART_LSBLK_CMD that lists only the devices named in `allowed_file` (real lsblk, with
    the columns the core asks for); none while the file is empty. The fuzzed core thus cannot
    see any device of this machine, let alone touch one."""
    path = os.path.join(directory, "lsblk-allowed")
    with open(allowed_file, "w"):
        pass
    with open(path, "w") as f:
        f.write(
            "#!/bin/sh\n"
            f"devices=$(cat '{allowed_file}')\n"
            'if [ -z "$devices" ]; then echo \'{"blockdevices": []}\'; exit 0; fi\n'
            'exec lsblk "$@" $devices\n'
        )
    os.chmod(path, 0o755)
    return path


# -- shells ----------------------------------------------------------------------------------

SHELL_PROGRAMS = ("touch", "reboot", "poweroff", "shutdown", "halt", "systemctl", "rm", "id")


def shell_shims(directory, mark):
    """A directory of stand-ins for programs a shell-injected name would run: each only appends
    its name and arguments to `mark`. Put first on a core's PATH, any run shows up in `mark`."""
    shims = os.path.join(directory, "shims")
    os.mkdir(shims)
    for program in SHELL_PROGRAMS:
        path = os.path.join(shims, program)
        with open(path, "w") as f:
            f.write(f"#!/bin/sh\necho {program} \"$@\" >> '{mark}'\n")
        os.chmod(path, 0o755)
    return shims
