"""Helpers for the clone and delete end-to-end tests (docs/PROTOCOL.md §4 and §5).

`rig` is the per-test fixture: it starts cores (with umask 0, so a 0600 image proves the core
asks for 0600, and in a time zone other than UTC, so image names prove they use local time),
makes devices, temporary directories and tiny mounts, and removes all of them again in the right
order even when the test fails: cores first, then partition nodes, mounts and directories; the
`loops` fixture it depends on then detaches the loop devices.
"""

import datetime
import glob
import os
import random
import re
import shutil
import signal
import stat
import subprocess
import tempfile
import time
import zoneinfo

import pytest

import filesystems
from loops import run
from processes import children

# The core runs in this zone: UTC+05:45, so a name written in UTC is off by 5h45 and caught.
CORE_TZ = "Asia/Kathmandu"

VARIANTS = {"ext4": "ext4", "xfs": "xfs", "btrfs": "btrfs", "vfat": "vfat", "ntfs": "ntfs", "exfat": "exfat", None: "dd"}

# The filesystem name partclone writes into its image header, per variant (a prefix for FAT).
HEADER_FS = {"ext4": "EXTFS", "xfs": "XFS", "btrfs": "BTRFS", "vfat": "FAT", "ntfs": "NTFS", "exfat": "EXFAT"}

EXTENSIONS = {"gz": "gz", "zst": "zst", "lz4": "lz4", "uncompressed": "uncompressed"}
DECOMPRESS = {"gz": ["pigz", "-d", "-c"], "zst": ["zstd", "-d", "-q", "-c", "--long=31"], "lz4": ["lz4", "-d", "-q", "-c"], "uncompressed": None}

TIME_IN_YAML = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
COMPLETE_IN_YAML = re.compile(r"^complete: (\S+)$", re.M)
SPACE_RAN_OUT = re.compile(r"no space left|not enough (free )?space|out of (disk )?space|space ran out|(disk|device|destination|filesystem) is full", re.I)


# -- the rig ---------------------------------------------------------------------------------


class Rig:
    def __init__(self, loops, presenters):
        self.loops = loops
        self._presenters = presenters
        self.cores = []
        self.directories = []
        self.mounts = []
        self.partitioned = []

    # cores

    def core(self, env=None, umask=0o000):
        """A core (through a real pyzmq presenter over ipc://) that has sent status: started."""
        from presenter import Presenter

        environment = {"TZ": CORE_TZ}
        environment.update(env or {})
        presenter = Presenter(env=environment, start=False)
        self.cores.append(presenter)
        previous = os.umask(umask)
        try:
            presenter.start()
        finally:
            os.umask(previous)
        presenter.wait_for(lambda m: m.get("type") == "status" and m.get("status") == "started", timeout=15)
        return presenter

    # directories and mounts

    def directory(self, prefix="apart-e2e-dest-"):
        path = tempfile.mkdtemp(prefix=prefix)
        self.directories.append(path)
        return path

    def tiny_tmpfs(self, size="1m"):
        """A directory on a freshly mounted tmpfs of `size`: a destination that fills up."""
        path = tempfile.mkdtemp(prefix="apart-e2e-tiny-")
        run("mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "apart-e2e-tiny", path)
        self.mounts.append(path)
        return path

    # devices

    def filesystem(self, fstype, size_mib=None, files=True, seed=1):
        return filesystems.make(self.loops, fstype, size_mib=size_mib, files=files, seed=seed)

    def big_ext4(self, size_mib=256, random_mib=200):
        """An ext4 device holding `random_mib` MiB of incompressible data: its clone lasts seconds."""
        return filesystems.make_big_ext4(self.loops, size_mib, random_mib)

    def raw_partition(self, size_mib=16, seed=7):
        """A partition holding random bytes and no filesystem (cloned with partclone.dd).

        The harness's make_raw gives a whole device with no filesystem, which PROTOCOL §3 does
        not list; a partition is listed whatever it holds. Returns (partition path, size, bytes).
        """
        disk = self.loops.attach(size_mib + 2)
        run("sfdisk", "-q", disk.path, input=f"label: dos\nstart=2048, size={size_mib * 2048}, type=83\n")
        run("partx", "-a", disk.path)
        self.partitioned.append(disk.path)
        partition = disk.path + "p1"
        deadline = time.monotonic() + 5
        while not os.path.exists(partition):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{partition} did not appear")
            time.sleep(0.05)
        data = random.Random(seed).randbytes(size_mib << 20)
        with open(partition, "r+b") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        return partition, size_mib << 20, data

    # teardown

    def cleanup(self):
        errors = []
        for presenter in self.cores:
            try:
                presenter.close()
            except Exception as e:  # noqa: BLE001 - keep cleaning
                errors.append(e)
        for disk in self.partitioned:
            run("partx", "-d", disk, check=False)
        for path in reversed(self.mounts):
            if run("umount", path, check=False).returncode != 0:
                run("umount", "-l", path, check=False)
            shutil.rmtree(path, ignore_errors=True)
        for path in self.directories:
            shutil.rmtree(path, ignore_errors=True)
        if errors:
            raise errors[0]


@pytest.fixture
def rig(loops, presenters):
    created = Rig(loops, presenters)
    try:
        yield created
    finally:
        created.cleanup()


# -- processes -------------------------------------------------------------------------------


def command_line(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return [part.decode(errors="replace") for part in f.read().split(b"\0") if part]
    except OSError:
        return None


def parent_of(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def program_of(pid):
    """The program a child runs, looking through a `setpriv … --` wrapper (setpriv execs it)."""
    argv = command_line(pid) or []
    if argv and os.path.basename(argv[0]) == "setpriv" and "--" in argv:
        argv = argv[argv.index("--") + 1:]
    return os.path.basename(argv[0]) if argv else None


def core_children(core):
    """{pid: program} of the core's children now."""
    return {pid: program_of(pid) for pid in children(core.process.pid)}


def still_ours(core, pid):
    """True while `pid` is still a (possibly zombie) child of the core."""
    return os.path.exists(f"/proc/{pid}") and parent_of(pid) == core.process.pid


# -- the wire --------------------------------------------------------------------------------


def evidence(core, extra=""):
    raw = "\n---\n".join(m.get("_raw", "") for m in core.messages)
    return f"{extra}\nmessages received:\n{raw}\ncore log:\n{core.log()}"


def send_clone(core, request, timeout=10):
    """Sends a clone request; returns (first message about it, seconds it took to arrive)."""
    sent = time.monotonic()
    core.send(request)
    first = core.wait_for(
        lambda m: m.get("type") in ("clone", "clone-failed") and m.get("source") == request.get("source"),
        timeout=timeout,
        what=f"first answer to {request}",
    )
    return first, time.monotonic() - sent


def expected_image_name(name, start, variant, extension):
    local = start.astimezone(zoneinfo.ZoneInfo(CORE_TZ))
    return f"{name}-{local:%Y-%m-%dT%H%M}.apt.{variant}.{extension}"


def raw_field(message, key):
    """The text of a top-level key as it was on the wire."""
    match = re.search(rf"^{re.escape(key)}: (.*)$", message["_raw"], re.M)
    return match.group(1) if match else None


def assert_time_field(message, key, core):
    value = message.get(key)
    assert isinstance(value, datetime.datetime) and value.tzinfo is not None, evidence(core, f"{key} is not an RFC 3339 UTC time: {value!r}")
    assert value.utcoffset() == datetime.timedelta(0), evidence(core, f"{key} is not in UTC: {value!r}")
    assert TIME_IN_YAML.match(raw_field(message, key) or ""), evidence(core, f"{key} is not written unquoted with Z: {raw_field(message, key)!r}")


def assert_complete_field(message, core):
    raw = COMPLETE_IN_YAML.search(message["_raw"])
    assert raw and re.fullmatch(r"\d+\.\d+", raw.group(1)), evidence(core, f"complete without a decimal point: {raw and raw.group(1)!r}")
    assert isinstance(message["complete"], float) and 0.0 <= message["complete"] <= 1.0


def assert_clone_run(core, job_id, request, destination, first_latency):
    """Asserts every message of a successful clone job has the shape and order of §4."""
    messages = core.of_job(job_id)
    assert messages, evidence(core, f"no messages of {job_id}")
    final = messages[-1]
    assert final["type"] == "clone" and final.get("finish") is not None, evidence(core, f"clone {job_id} did not succeed: {final}")
    assert first_latency < 0.5, evidence(core, f"the first message came {first_latency:.3f}s after the request")
    assert isinstance(job_id, str) and job_id, evidence(core, f"id {job_id!r} is not a string")
    start = messages[0].get("start")
    for message in messages:
        assert message["type"] == "clone", evidence(core, f"unexpected {message['type']} in a successful job")
        assert message["id"] == job_id
        assert message["source"] == request["source"], evidence(core, f"source {message['source']!r} != {request['source']!r}")
        assert message["destination"] == destination, evidence(core, f"destination {message['destination']!r} != {destination!r}")
        assert_time_field(message, "start", core)
        assert message["start"] == start, evidence(core, "start changed during the job")
        assert_complete_field(message, core)
        assert isinstance(message.get("syncing"), bool), evidence(core, f"syncing is {message.get('syncing')!r}")
        if message.get("estimated_finish") is not None:
            assert_time_field(message, "estimated_finish", core)
        if message.get("rate") is not None:
            assert isinstance(message["rate"], str) and message["rate"], evidence(core, f"rate {message['rate']!r}")

    first, running, last = messages[0], messages[1:-1], messages[-1]
    assert first["complete"] == 0.0 and first.get("rate") is None and first["syncing"] is False, evidence(core, f"bad first message {first}")
    assert first.get("finish") is None and first.get("image_size") is None, evidence(core, "the first message already has finish/image_size")
    for message in running:
        assert message.get("finish") is None and message.get("image_size") is None, evidence(core, f"a running message has finish/image_size: {message}")
        assert message["complete"] <= 0.9999, evidence(core, f"complete {message['complete']} while running")
    completes = [m["complete"] for m in messages]
    assert completes == sorted(completes), evidence(core, f"complete went backwards: {completes}")

    syncing_at = [i for i, m in enumerate(running) if m["syncing"]]
    assert syncing_at, evidence(core, "no syncing: true message before the success")
    assert all(m["syncing"] and m["complete"] == 0.9999 for m in running[syncing_at[0]:]), evidence(
        core, "after syncing started, a message was not syncing: true with complete 0.9999")
    progress = running[:syncing_at[0]]
    assert progress, evidence(core, "no progress message between the first message and syncing")
    assert all(m["syncing"] is False for m in progress)

    assert last["complete"] == 1.0 and last["syncing"] is False, evidence(core, f"bad success message {last}")
    assert_time_field(last, "finish", core)
    assert last["finish"] >= start, evidence(core, "finish before start")
    assert isinstance(last.get("image_size"), int) and not isinstance(last["image_size"], bool), evidence(core, f"image_size {last.get('image_size')!r}")
    return messages


def assert_refusal(core, request, first, what):
    """A request that cannot start: clone-failed, fresh id, the request's source/destination, start = finish = now, a reason."""
    assert first["type"] == "clone-failed", evidence(core, f"{what}: the core started a clone instead of refusing: {first}")
    assert isinstance(first.get("id"), str) and first["id"], evidence(core, f"{what}: id {first.get('id')!r}")
    assert first["source"] == request["source"], evidence(core, f"{what}: source {first['source']!r}")
    assert first["destination"] == request["destination"], evidence(core, f"{what}: destination {first['destination']!r} is not the request's")
    assert_time_field(first, "start", core)
    assert_time_field(first, "finish", core)
    assert first["start"] == first["finish"], evidence(core, f"{what}: start {first['start']} != finish {first['finish']}")
    now = datetime.datetime.now(datetime.timezone.utc)
    assert abs((first["start"] - now).total_seconds()) < 10, evidence(core, f"{what}: start {first['start']} is not now ({now})")
    error = first.get("error")
    assert isinstance(error, str) and len(error.strip()) > len("Failed") and error.strip().rstrip(".") != "Failed", evidence(
        core, f"{what}: error {error!r} is not a reason")
    assert not [m for m in core.messages if m.get("type") == "clone" and m.get("id") == first["id"]], evidence(
        core, f"{what}: progress messages were sent for a refused request")
    return first


def assert_still_serving(core):
    status = core.status()
    assert status.get("status") == "running", evidence(core, f"status {status}")
    return status


# -- images ----------------------------------------------------------------------------------


class Decompressed:
    """The image's decompressed bytes as a stream (a pipe from the decompressor, or the file)."""

    def __init__(self, path, codec):
        self.path = path
        self.process = None
        self.result = None
        command = DECOMPRESS[codec]
        if command is None:
            self.stream = open(path, "rb")
        else:
            self.process = subprocess.Popen(command + [path], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            self.stream = self.process.stdout

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        """Returns the decompressor's (status, stderr); 0 for a plain file. Safe to call twice."""
        if self.process is None:
            self.stream.close()
            return 0, b""
        self.stream.close()
        if self.result is None:
            err = self.process.stderr.read()
            self.process.stderr.close()
            try:
                self.result = self.process.wait(60), err
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.result = self.process.wait(), err
        return self.result


def partclone_header(path, codec):
    """(filesystem name, device size) from a partclone image's header."""
    with Decompressed(path, codec) as image:
        head = image.stream.read(60)
    assert head[:16] == b"partclone-image\0", f"{path} is not a partclone image: {head[:16]!r}"
    fs = head[36:52].split(b"\0", 1)[0].decode()
    size = int.from_bytes(head[52:60], "little")
    return fs, size


def chkimg(path, codec):
    """Decompresses the image into partclone.chkimg; returns its output; raises when either fails."""
    command = DECOMPRESS[codec]
    if command is None:
        result = subprocess.run(["partclone.chkimg", "-s", path], capture_output=True, timeout=300)
        assert result.returncode == 0, f"partclone.chkimg rejected {path}: {result.stdout[-2000:]!r} {result.stderr[-2000:]!r}"
        return result.stdout
    decompress = subprocess.Popen(command + [path], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    check = subprocess.Popen(["partclone.chkimg", "-s", "-"], stdin=decompress.stdout, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    decompress.stdout.close()
    try:
        out, _ = check.communicate(timeout=300)
    finally:
        if check.poll() is None:
            check.kill()
        decompressed = decompress.wait(60)
    err = decompress.stderr.read()
    decompress.stderr.close()
    assert decompressed == 0, f"{command[0]} could not decompress {path}: {err!r}"
    assert check.returncode == 0, f"partclone.chkimg rejected {path}: {out[-2000:]!r}"
    return out


def assert_raw_image_equals(path, codec, expected):
    """A dd image decompresses to exactly `expected` (the device's size and bytes)."""
    with Decompressed(path, codec) as image:
        got = bytearray()
        while True:
            block = image.stream.read(1 << 20)
            if not block:
                break
            got += block
            assert len(got) <= len(expected), f"{path} decompresses to more than the device's {len(expected)} bytes"
        status, err = image.close()
    assert status == 0, f"decompressing {path} failed: {err!r}"
    assert len(got) == len(expected), f"{path} decompresses to {len(got)} bytes, the device has {len(expected)}"
    assert bytes(got) == expected, f"{path} does not hold the device's bytes"


def mode_of(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def listing(directory):
    return sorted(os.listdir(directory))


def blkid_uuid(device_path):
    result = run("blkid", "-p", "-s", "UUID", "-o", "value", device_path, check=False)
    return result.stdout.strip() or None


def kill(pid):
    os.kill(pid, signal.SIGKILL)


def saved_by_clonezilla_in_pieces(rig):
    """A 48 MiB ext4 with files and 6 MiB of random data, saved by Clonezilla's own
    `ocs-sr saveparts` with 2 MB pieces: (source, its snapshot, the image root, the pieces)."""
    loops = rig.loops
    source = filesystems.make(loops, "ext4", label="czdata", size_mib=48, seed=9)
    filler = os.path.join(loops.mount(source), "random.bin")
    with open(filler, "wb") as f:
        f.write(random.Random(9).randbytes(6 << 20))
    loops.umount(os.path.dirname(filler))
    before = filesystems.snapshot(loops, source, "ext4")
    images = rig.directory()
    saved = subprocess.run(
        ["ocs-sr", "--nogui", "-b", "-q2", "-j2", "-z1p", "-i", "2", "-sfsck", "-senc", "-p", "true", "-or", images, "-gb", "saveparts", "CZ", source.name],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=600)
    assert saved.returncode == 0, saved.stdout[-2000:] + saved.stderr[-2000:]
    pieces = sorted(glob.glob(os.path.join(images, "CZ", f"{source.name}.ext4-ptcl-img.gz.*")))
    assert len(pieces) >= 3, f"Clonezilla did not split the image: {pieces}"
    return source, before, images, pieces
