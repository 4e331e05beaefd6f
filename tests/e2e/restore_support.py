"""Helpers for the restore and verify end-to-end tests (docs/PROTOCOL.md §6 and §7).

Images always come from the core's own clone. A module-scoped `ImageStock` clones each source it
is asked for once (through its own core and loop devices) and removes everything at the end; a
test that damages or renames an image works on a copy in its own temporary directory.

dd sources: the harness's `make_raw` gives a device of random bytes with no filesystem, which
the core neither lists nor clones ("holds neither a filesystem nor partitions"). A swap
signature on top of random bytes makes a listed part that partclone has no tool for, so the
core images it with partclone.dd; every byte after the first page stays random.
"""

import contextlib
import hashlib
import os
import random
import re
import shutil
import stat
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime

import filesystems
from loops import Loops, run
from presenter import Presenter
from processes import wait_until

# Image file extension per compression option (docs/PROTOCOL.md §3/§4).
EXTENSIONS = {"gz": "gz", "zst": "zst", "lz4": "lz4", "uncompressed": "uncompressed"}

COMPLETE_FIELD = re.compile(r"^complete: (\S+)$", re.MULTILINE)


# -- starting a core -------------------------------------------------------------------------


def start_core():
    presenter = Presenter()
    try:
        presenter.wait_for(lambda m: m.get("type") == "status" and m.get("status") == "started", timeout=15)
    except BaseException:
        presenter.close()
        raise
    return presenter


# -- sources ---------------------------------------------------------------------------------


def make_dd_source(loops, size_mib=16, seed=7, data=None):
    """A listed part that the core images with partclone.dd: random bytes under a swap signature."""
    if data is None:
        data = random.Random(seed).randbytes(size_mib << 20)
    device = loops.attach(size_mib, fill=data)
    run("mkswap", device.path)
    device.fstype = "swap"
    return device


def make_source(loops, kind):
    """A loop device to clone: a filesystem with the harness's sample files, or a dd source."""
    if kind == "dd":
        return make_dd_source(loops)
    return filesystems.make(loops, kind)


# Files the harness puts on every filesystem: an empty or partial snapshot must not pass.
SAMPLE_FILES = {
    "readme.txt": 18 * 200,
    os.path.join("docs", "notes.md"): 50_000,
    os.path.join("docs", "deep", "er", "random.bin"): 3 << 20,
    "zeros.bin": 1 << 20,
}


def assert_sample_files(snapshot, kind):
    for path, size in SAMPLE_FILES.items():
        assert path in snapshot, f"the {kind} source lacks the sample file {path}: {sorted(snapshot)}"
        assert snapshot[path][0] == "file" and snapshot[path][2] == size, f"{path} on {kind}: {snapshot[path]}"
    if kind in filesystems.SUPPORTS_LINKS_AND_MODES:
        assert snapshot["link-to-notes"] == ("link", snapshot["link-to-notes"][1], None, "docs/notes.md")
        assert snapshot["readme.txt"][1] == 0o640
        assert snapshot[os.path.join("docs", "deep")][1] == 0o700


@dataclass
class Cloned:
    """A source device, what it held when it was cloned, and the core's image of it."""

    kind: str  # a filesystem type, or "dd"
    compression: str
    device: object
    image: str
    snapshot: dict = field(default=None)  # filesystems: path -> (kind, mode, size, hash/target)
    sha256: str = None  # dd: the device's bytes
    clone_end: dict = None

    @property
    def size(self):
        return self.device.size


class ImageStock:
    """Clones sources on demand, once each, with its own core; removes it all on close."""

    def __init__(self):
        self.loops = Loops()
        self.directory = tempfile.mkdtemp(prefix="apart-e2e-images-")
        self.presenter = None
        self.cloned = {}

    def get(self, kind, compression="gz"):
        key = (kind, compression)
        if key not in self.cloned:
            self.cloned[key] = self._clone(kind, compression)
        return self.cloned[key]

    def big_dd(self, size_mib, compression="zst"):
        """A dd image of a large device (zeros under a swap signature): quick to clone, long to restore."""
        key = ("big-dd", size_mib, compression)
        if key not in self.cloned:
            device = self.loops.attach(size_mib)
            run("mkswap", device.path)
            self.cloned[key] = Cloned("dd", compression, device, self._image_of(device, compression, "big"))
        return self.cloned[key]

    def _clone(self, kind, compression):
        device = make_source(self.loops, kind)
        if kind == "dd":
            cloned = Cloned(kind, compression, device, None, sha256=device.sha256())
        else:
            snapshot = filesystems.snapshot(self.loops, device, kind)
            assert_sample_files(snapshot, kind)
            cloned = Cloned(kind, compression, device, None, snapshot=snapshot)
        cloned.image = self._image_of(device, compression, f"{kind}-{compression}", cloned)
        return cloned

    def _image_of(self, device, compression, name, cloned=None):
        if self.presenter is None:
            self.presenter = start_core()
        directory = tempfile.mkdtemp(prefix=f"{name}-", dir=self.directory)
        end = clone(self.presenter, device.path, directory, name, compression)
        if cloned is not None:
            cloned.clone_end = end
        return end["destination"]

    def close(self):
        try:
            if self.presenter is not None:
                self.presenter.close()
        finally:
            self.loops.cleanup()
            shutil.rmtree(self.directory, ignore_errors=True)


@contextlib.contextmanager
def scratch_directory():
    """A temporary directory removed afterwards whatever happens (pytest's tmp_path is kept)."""
    directory = tempfile.mkdtemp(prefix="apart-e2e-scratch-")
    try:
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@contextlib.contextmanager
def image_stock():
    stock = ImageStock()
    try:
        yield stock
    finally:
        stock.close()


def clone(presenter, source, directory, name, compression, timeout=180):
    """Clones through the core and returns its success message (fails the test otherwise)."""
    presenter.send({"type": "clone", "source": source, "destination": directory, "name": name, "compression": compression})
    first = presenter.wait_for(lambda m: m.get("type") in ("clone", "clone-failed"), timeout=15)
    end = first if first["type"] == "clone-failed" else presenter.job_end(first["id"], "clone", timeout)
    assert end["type"] == "clone", f"the clone of {source} needed by this test failed: {end}\n{presenter.log()}"
    image = end["destination"]
    assert os.path.isfile(image), image
    assert image.endswith("." + EXTENSIONS[compression]), image
    return end


# -- images ----------------------------------------------------------------------------------


def copy_image(image, directory, file_name=None):
    """A copy of an image (with its extended attributes: the dd source size) under a new directory."""
    target = os.path.join(directory, file_name or os.path.basename(image))
    shutil.copy2(image, target)  # copies user.* xattrs on Linux
    return target


def image_file_name(name, variant, extension, when=None):
    return f"{name}-{(when or datetime.now()).strftime('%Y-%m-%dT%H%M')}.apt.{variant}.{extension}"


def variant_of(image):
    return os.path.basename(image).split(".apt.", 1)[1].split(".")[0]


def truncate_to_half(path):
    size = os.path.getsize(path)
    os.truncate(path, size // 2)
    return size // 2


def flip_bytes(path, offset, count=16):
    """XORs `count` bytes at `offset` with 0xFF; returns the offset."""
    with open(path, "r+b") as f:
        f.seek(offset)
        original = f.read(count)
        assert len(original) == count
        f.seek(offset)
        f.write(bytes(b ^ 0xFF for b in original))
    return offset


def partclone_data_offset(path):
    """Where block data starts in an uncompressed partclone v2 image: after the header, the
    bitmap (one bit per block, and its CRC32). Flipping bytes beyond it hits checksummed data."""
    with open(path, "rb") as f:
        head = f.read(110)
    assert head[:15] == b"partclone-image", head[:16]
    # image_desc_v2 (110 bytes): magic(16) ptc_version(14) version(4) endianess(2) | fs(16)
    # device_size(8) totalblock(8) usedblocks(8) used_bitmap(8) block_size(4) | feature_size(4)
    # image_version(2) cpu_bits(2) checksum_mode(2) checksum_size(2) blocks_per_checksum(4)
    # reseed_checksum(1) bitmap_mode(1) | crc(4)
    assert head[30:34] == b"0002", f"not a v2 partclone image: {head[30:34]!r}"
    total_blocks = int.from_bytes(head[60:68], "little")
    return 110 + (total_blocks + 7) // 8 + 4


def damage(image, how, compression):
    """Truncates an image to half, or flips bytes in its middle (in the block data, where partclone's
    own checksums must catch it, when nothing compresses it)."""
    if how == "truncated":
        truncate_to_half(image)
        return
    offset = os.path.getsize(image) // 2
    if compression == "uncompressed" and ".apt.dd." not in image:
        # partclone's own checksums must catch it: flip bytes in the block data.
        assert offset > partclone_data_offset(image) + 4096, (offset, partclone_data_offset(image))
    flip_bytes(image, offset)


def fingerprint(path):
    """What must not change on a refused destination: its identity (kind, mode, device number,
    inode) and, for a block device or regular file, the SHA-256 of every byte. None when
    nothing is there (and nothing must appear)."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    identity = (stat.S_IFMT(info.st_mode), stat.S_IMODE(info.st_mode), info.st_rdev, info.st_ino, info.st_dev)
    if stat.S_ISBLK(info.st_mode) or stat.S_ISREG(info.st_mode):
        return identity, sha256_file(path)
    return identity, None


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


# -- jobs and their messages -----------------------------------------------------------------


def start_job(presenter, request, kind, timeout=15):
    """Sends a restore/verify request; returns its first answer (progress or failure)."""
    presenter.send(request)
    return presenter.wait_for(lambda m: m.get("type") in (kind, f"{kind}-failed"), timeout=timeout, what=f"answer to {kind}")


def run_job(presenter, request, kind, timeout=120):
    first = start_job(presenter, request, kind)
    end = first if first["type"] == f"{kind}-failed" else presenter.job_end(first["id"], kind, timeout)
    return first, end


def complete_text(message):
    found = COMPLETE_FIELD.findall(message["_raw"])
    assert len(found) == 1, f"complete field of {message['_raw']!r}"
    return found[0]


def assert_success_run(presenter, job_id, kind, request, require_syncing=False, require_progress=False):
    """The messages of a job that succeeded, as docs/PROTOCOL.md §2, §6 and §7 say they must be."""
    messages = presenter.of_job(job_id)
    context = f"{kind} {job_id} messages: {[m['_raw'] for m in messages]}\ncore log:\n{presenter.log()}"
    assert messages, context
    assert all(m["type"] == kind for m in messages), context
    first, last, middle = messages[0], messages[-1], messages[1:-1]
    assert len(messages) >= 2, context
    # The first message: complete 0.0, not syncing, no rate or finish yet.
    assert complete_text(first) == "0.0", context
    assert first.get("syncing") is False, context
    assert first.get("rate") is None and first.get("finish") is None, context
    # The last: complete 1.0 and a finish time, no longer syncing.
    assert complete_text(last) == "1.0", context
    assert last.get("syncing") is False, context
    assert isinstance(last.get("finish"), datetime) and last["finish"].tzinfo is not None, context
    assert last["finish"] >= last["start"], context
    for message in messages:
        assert message["source"] == request["source"], context
        if kind == "restore":
            assert message["destination"] == request["destination"], context
            assert message.get("source_uuid") is None and message.get("image_size") is None, context
        assert message["start"] == first["start"] and isinstance(first["start"], datetime), context
        assert re.fullmatch(r"-?\d+\.\d+", complete_text(message)), context  # always with a decimal point
    completes = [m["complete"] for m in messages]
    assert completes == sorted(completes), f"complete went backwards: {completes}; {context}"
    for message in middle:
        assert 0.0 <= message["complete"] <= 0.9999, context
        assert message.get("finish") is None, context
    if require_progress:
        assert any(0.0 < m["complete"] < 1.0 for m in middle), f"no progress between start and end; {context}"
    if require_syncing:
        syncing = [i for i, m in enumerate(messages) if m.get("syncing") is True]
        assert syncing, f"no syncing: true before the success; {context}"
        assert syncing[-1] < len(messages) - 1, context
        assert all(messages[i]["complete"] == 0.9999 for i in syncing), context
        # Once syncing, it stays syncing until the success message.
        assert all(m.get("syncing") is True for m in messages[syncing[0]:-1]), context
    assert not [m for m in presenter.messages if m.get("id") == job_id and m["type"] == f"{kind}-failed"], context
    return messages


def assert_failure(end, kind, job_id=None, request=None, presenter=None):
    """A failure message with a reason a person can act on."""
    context = f"{end.get('_raw')}\ncore log:\n{presenter.log() if presenter else ''}"
    assert end["type"] == f"{kind}-failed", context
    if job_id is not None:
        assert end["id"] == job_id, context
    error = end.get("error")
    assert isinstance(error, str) and error.strip(), context
    assert error.strip().rstrip(".").lower() not in ("failed", "error", "cancelled"), context
    if request is not None:
        assert end["source"] == request["source"], context
        if kind == "restore":
            assert end["destination"] == request["destination"], context
    assert isinstance(end.get("start"), datetime) and isinstance(end.get("finish"), datetime), context
    assert end["finish"] >= end["start"], context
    return error


def names(error, path):
    """Whether a reason names `path`: whole, or abbreviated with "…" after at least 40 of its
    characters (the core shortens long request values it quotes)."""
    if path in error:
        return True
    for cut in range(len(path) - 1, 39, -1):
        if path[:cut] + "…" in error:
            return True
    return False


def earlier_ids(presenter):
    return {m.get("id") for m in presenter.messages if m.get("id")}


def assert_refused(presenter, request, mentions, words, kind="restore"):
    """A request refused up front, asked twice: each time exactly one `kind-failed` with a fresh
    id (not one seen before, not the other refusal's), the request's source (and destination),
    and a reason that names what was wrong. Should the core accept the request instead, the job
    is cancelled at once (the destination may be a real device node)."""
    answers = []
    for _ in range(2):
        before = earlier_ids(presenter)
        answer = start_job(presenter, request, kind)
        if answer["type"] == kind:
            presenter.send({"type": f"cancel-{kind}", "id": answer["id"]})
            presenter.job_end(answer["id"], kind, timeout=60)
            raise AssertionError(f"the core accepted {request} instead of refusing it: {answer['_raw']}\n{presenter.log()}")
        error = assert_failure(answer, kind, request=request, presenter=presenter)
        assert isinstance(answer.get("id"), str) and answer["id"].strip(), answer["_raw"]
        assert answer["id"] not in before, f"id {answer['id']} is not fresh: seen before {sorted(before)}"
        assert (answer["finish"] - answer["start"]).total_seconds() < 5, answer["_raw"]
        assert names(error, mentions), f"the reason does not name {mentions}: {error!r}"
        assert any(word in error.lower() for word in words), f"the reason {error!r} says none of {words}"
        answers.append(answer)
    # Nothing else comes for either id: no progress, no second answer.
    time.sleep(0.3)
    while presenter.socket.poll(0):
        presenter.receive(0)
    for answer in answers:
        assert presenter.of_job(answer["id"]) == [answer], presenter.of_job(answer["id"])
    return answers[0]["error"]


def assert_still_serving(presenter):
    status = presenter.status()
    assert status["status"] == "running"


# -- processes -------------------------------------------------------------------------------


def _parent(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[1])
    except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
        return None


def _cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except (FileNotFoundError, ProcessLookupError):
        return None


def descendants(pid):
    """Every process below `pid`: pid -> command line."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            parent = _parent(int(entry))
            if parent is not None:
                parents[int(entry)] = parent
    found, frontier = {}, {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier and child not in found}
        for child in frontier:
            found[child] = _cmdline(child)
    return found


IMAGING_PROGRAMS = ("partclone", "pigz", "unpigz", "zstd", "pzstd", "unzstd", "lz4", "gzip")


def wait_for_partclone_below(presenter, job_id, kind, before, timeout=20):
    """Waits until the job's partclone runs below the core (the job is then truly midway);
    returns every process the job added below the core."""

    def new_processes():
        return {pid: line for pid, line in descendants(presenter.process.pid).items() if pid not in before}

    running = wait_until(lambda: any("partclone" in (line or "") for line in new_processes().values()), timeout=timeout)
    processes = new_processes()
    assert running, f"no partclone below the core within {timeout}s: {processes}; {kind} messages {presenter.of_job(job_id)}"
    ended = [m for m in presenter.messages if m.get("id") == job_id and (m.get("finish") or m["type"].endswith("-failed"))]
    assert not ended, f"the {kind} ended before it could be cancelled: {ended}"
    return processes


def processes_using(*paths):
    """Imaging programs (partclone, the compressors) anywhere on the machine — ours, or orphans
    of ours reparented elsewhere — that name one of `paths` in their arguments or hold it open
    (a decompressor reads the image on its standard input). Other programs (another core's
    blkid probing every loop device, say) are not ours to judge."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        pid = int(entry)
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                argv = [a.decode(errors="replace") for a in f.read().split(b"\0") if a]
            if not argv or not os.path.basename(argv[0]).startswith(IMAGING_PROGRAMS):
                continue
            open_files = set()
            for fd in os.listdir(f"/proc/{pid}/fd"):
                with contextlib.suppress(OSError):
                    open_files.add(os.readlink(f"/proc/{pid}/fd/{fd}"))
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        if any(path in argv or path in open_files for path in paths):
            found[pid] = " ".join(argv)
    return found


def alive(pid):
    """Whether a process exists at all (a zombie that nobody reaped counts: it is left behind)."""
    return os.path.exists(f"/proc/{pid}")


