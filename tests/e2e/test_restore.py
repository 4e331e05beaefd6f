"""Restore (docs/PROTOCOL.md §6), end to end: the published core, real partclone and compressors, real
loop devices, a pyzmq presenter over ipc://.

Round trips compare what matters byte for byte: every file's SHA-256, plus names, kinds, sizes,
modes and symlink targets (filesystems.snapshot). ext4, xfs and btrfs are read through the
kernel; ntfs and exfat through their FUSE drivers (ntfs-3g, exfat-fuse), as the kernel here has
no driver for them; vfat through mtools (mcopy), as the kernel here cannot mount it. dd images are
compared by the device's bytes (SHA-256; for the larger device, of its first |A| bytes). Each
filesystem's own checker runs read-only on both restored devices.
"""

import os
import time

import pytest

import filesystems
from loops import can_claim_exclusively, run
from restore_support import (
    alive,
    assert_failure,
    assert_refused,
    assert_still_serving,
    assert_success_run,
    copy_image,
    damage,
    descendants,
    fingerprint,
    image_file_name,
    image_stock,
    make_dd_source,
    processes_using,
    run_job,
    scratch_directory,
    start_job,
    variant_of,
    wait_for_partclone_below,
)

COMPRESSIONS = ["gz", "zst", "lz4", "uncompressed"]

ROUND_TRIPS = [("ext4", c) for c in COMPRESSIONS] + [(fs, "gz") for fs in ("xfs", "btrfs", "vfat", "ntfs", "exfat", "dd")]

VARIANTS = {"ext4": "ext4", "xfs": "xfs", "btrfs": "btrfs", "vfat": "vfat", "ntfs": "ntfs", "exfat": "exfat", "dd": "dd"}

LARGER_BY_MIB = 16


@pytest.fixture(scope="module")
def stock():
    with image_stock() as images:
        yield images


@pytest.fixture
def scratch():
    with scratch_directory() as directory:
        yield directory


def restore_request(image, device):
    return {"type": "restore", "source": image, "destination": device.path if hasattr(device, "path") else device}


def start_restores(core, requests):
    """Sends every request at once; returns each one's first answer, by destination."""
    for request in requests:
        core.send(request)
    firsts = {}
    while len(firsts) < len(requests):
        message = core.wait_for(lambda m: m.get("type") in ("restore", "restore-failed") and m.get("id") not in {f["id"] for f in firsts.values()}, timeout=15)
        firsts[message["destination"]] = message
    return firsts


def restore_and_expect_success(core, requests, timeout=120):
    firsts = start_restores(core, requests)
    for request in requests:
        first = firsts[request["destination"]]
        assert first["type"] == "restore", f"{request} was refused: {first['_raw']}\n{core.log()}"
        end = core.job_end(first["id"], "restore", timeout)
        assert end["type"] == "restore", f"{request} failed: {end['_raw']}\n{core.log()}"
        assert_success_run(core, first["id"], "restore", request, require_syncing=True)


def file_problems(loops, device, cloned, what):
    """What is wrong with a restored filesystem: its checker's objections, and every file that
    is missing, extra or different (content hash, size, mode, link target). Empty when intact."""
    problems = []
    try:
        filesystems.check(device, cloned.kind)
    except RuntimeError as e:
        problems.append(f"{what}: the {cloned.kind} checker objects: {e}")
    restored = filesystems.snapshot(loops, device, cloned.kind)
    missing = sorted(set(cloned.snapshot) - set(restored))
    extra = sorted(set(restored) - set(cloned.snapshot))
    changed = sorted(p for p in set(restored) & set(cloned.snapshot) if restored[p] != cloned.snapshot[p])
    if missing or extra or changed:
        problems.append(f"{what}: files missing {missing}, extra {extra}, changed {changed}")
    return problems


def assert_same_files(loops, devices, cloned):
    problems = [p for what, device in devices.items() for p in file_problems(loops, device, cloned, what)]
    assert not problems, "\n".join(problems)


# -- round trips -----------------------------------------------------------------------------


@pytest.mark.parametrize("kind,compression", ROUND_TRIPS, ids=[f"{k}-{c}" for k, c in ROUND_TRIPS])
def test_a_clone_restores_to_a_blank_device_of_the_same_size_and_to_a_larger_one_intact(kind, compression, stock, core, loops):
    cloned = stock.get(kind, compression)
    assert variant_of(cloned.image) == VARIANTS[kind], cloned.image
    size_mib = cloned.size >> 20
    same = loops.attach(size_mib)
    larger = loops.attach(size_mib + LARGER_BY_MIB)

    restore_and_expect_success(core, [restore_request(cloned.image, same), restore_request(cloned.image, larger)])

    if kind == "dd":
        differ = [what for what, digest in (("same-size device", same.sha256()), ("larger device", larger.sha256(cloned.size))) if digest != cloned.sha256]
        assert not differ, f"bytes differ from the source's on: {differ}"
    else:
        assert_same_files(loops, {"same-size device": same, "larger device": larger}, cloned)


def test_an_image_with_the_old_zstd_extension_restores_intact(stock, core, loops, scratch):
    cloned = stock.get("ext4", "zst")
    assert cloned.image.endswith(".zst")
    image = copy_image(cloned.image, scratch, os.path.basename(cloned.image) + "d")
    assert image.endswith(".apt.ext4.zstd")
    destination = loops.attach(cloned.size >> 20)

    restore_and_expect_success(core, [restore_request(image, destination)])

    assert_same_files(loops, {"device restored from .zstd": destination}, cloned)


# -- refusals --------------------------------------------------------------------------------


@pytest.mark.parametrize("fstype", ["ext4", "ntfs"], ids=["kernel-mounted ext4", "fuse-mounted ntfs"])
def test_a_mounted_destination_is_refused_and_left_unchanged(fstype, stock, core, loops):
    image = stock.get("ext4", "gz").image
    destination = filesystems.make(loops, fstype, size_mib=64, files=False)
    command, _ = filesystems.MOUNT[fstype]
    loops.mount(destination, command, "ro")
    before = fingerprint(destination.path), fingerprint(image)

    assert_refused(core, restore_request(image, destination), destination.path, ["mounted", "in use", "busy"])

    assert (fingerprint(destination.path), fingerprint(image)) == before
    assert_still_serving(core)


SMALLER = {
    "ext4 image, half-size device": ("ext4", -16 << 20),
    "ext4 image, one sector short": ("ext4", -512),
    "dd image, one sector short": ("dd", -512),
}


@pytest.mark.parametrize("case", list(SMALLER))
def test_a_destination_smaller_than_the_image_is_refused_and_left_unchanged(case, stock, core, loops):
    kind, shortfall = SMALLER[case]
    cloned = stock.get(kind, "gz")
    destination = loops.attach(cloned.size >> 20, fill=b"\xa5" * 4096)  # not all zeros: a write would show
    os.truncate(destination.backing, cloned.size + shortfall)
    run("losetup", "--set-capacity", destination.path)
    destination.size = cloned.size + shortfall
    with open(destination.path, "rb") as device:
        assert device.seek(0, os.SEEK_END) == destination.size
    before = fingerprint(destination.path), fingerprint(cloned.image)

    assert_refused(core, restore_request(cloned.image, destination), destination.path, ["small", "size", "fit", "larger", "bytes"])

    assert (fingerprint(destination.path), fingerprint(cloned.image)) == before


UNLISTED = ["/dev/null", "/dev/mem", "regular file", "relative path"]


@pytest.mark.parametrize("case", UNLISTED)
def test_an_unlisted_destination_is_refused_and_left_unchanged(case, stock, core, loops, scratch):
    image = stock.get("ext4", "gz").image
    if case == "regular file":
        path = os.path.join(scratch, "not-a-device")
        with open(path, "wb") as f:
            f.write(os.urandom(1 << 20))
            f.truncate(64 << 20)
    elif case == "relative path":
        listed = filesystems.make(loops, "ext4", files=False)
        path = os.path.relpath(listed.path, "/")  # dev/loopN: the device, but not as listed
    else:
        path = case
    target = path if os.path.isabs(path) else "/" + path
    before = fingerprint(target), fingerprint(image)

    assert_refused(core, restore_request(image, path), path, ["listed", "partition", "not a", "device"])

    assert (fingerprint(target), fingerprint(image)) == before


def test_a_destination_that_a_running_clone_is_reading_is_refused_and_left_unchanged(stock, core, loops, scratch):
    image = stock.get("ext4", "gz").image
    # Incompressible, so the clone takes seconds: random bytes under a swap signature (cloned raw).
    device = make_dd_source(loops, size_mib=160, data=os.urandom(160 << 20))
    before = fingerprint(device.path), fingerprint(image)
    core.send({"type": "clone", "source": device.path, "destination": scratch, "name": "busy", "compression": "gz"})
    clone = core.wait_for(lambda m: m.get("type") in ("clone", "clone-failed"), timeout=15)
    assert clone["type"] == "clone", clone["_raw"]
    try:
        assert_refused(core, restore_request(image, device), device.path, ["in use", "busy", "used by", "another job"])
        ended = [m for m in core.of_job(clone["id"]) if m.get("finish") is not None or m["type"] == "clone-failed"]
        assert not ended, f"the clone ended before the refusal was checked; make its device larger: {ended}"
    finally:
        core.send({"type": "cancel-clone", "id": clone["id"]})
        end = core.job_end(clone["id"], "clone", timeout=60)
    assert end["type"] == "clone-failed" and end["error"] == "Cancelled", end["_raw"]
    assert (fingerprint(device.path), fingerprint(image)) == before


def test_a_missing_image_is_refused_and_the_destination_left_unchanged(core, loops, scratch):
    image = os.path.join(scratch, image_file_name("gone", "ext4", "gz"))
    destination = filesystems.make(loops, "ext4")
    before = fingerprint(destination.path)

    assert_refused(core, restore_request(image, destination), image, ["exist", "no such", "missing", "not found"])

    assert fingerprint(destination.path) == before
    assert not os.path.exists(image)


NOT_IMAGES = {
    "a renamed image": ("backup.img", ["named", "name", "not an image"]),
    "no time in the name": ("work.apt.ext4.gz", ["named", "name", "not an image"]),
    "an unknown compression": (image_file_name("work", "ext4", "bz2"), ["compression", "bz2"]),
    "a directory named like an image": (image_file_name("work", "ext4", "gz"), ["regular file", "directory", "not a file"]),
}


@pytest.mark.parametrize("case", list(NOT_IMAGES))
def test_a_source_that_is_not_an_image_is_refused_and_the_destination_left_unchanged(case, stock, core, loops, scratch):
    file_name, words = NOT_IMAGES[case]
    path = os.path.join(scratch, file_name)
    if case == "a directory named like an image":
        os.mkdir(path)
    else:
        copy_image(stock.get("ext4", "gz").image, scratch, file_name)  # a good image inside
    destination = filesystems.make(loops, "ext4")
    before, source_before = fingerprint(destination.path), fingerprint(path)

    assert_refused(core, restore_request(path, destination), path, words)

    assert fingerprint(destination.path) == before
    assert fingerprint(path) == source_before


# -- cancel ----------------------------------------------------------------------------------


def test_a_restore_cancelled_midway_ends_cancelled_and_leaves_no_process(stock, core, loops):
    big = stock.big_dd(512)
    destination = loops.attach(512)
    before_children = descendants(core.process.pid)
    request = restore_request(big.image, destination)

    first = start_job(core, request, "restore")
    assert first["type"] == "restore", first["_raw"]
    wait_for_partclone_below(core, first["id"], "restore", before_children)
    time.sleep(0.5)  # well into writing: this restore lasts about 5 s
    running = wait_for_partclone_below(core, first["id"], "restore", before_children)

    core.send({"type": "cancel-restore", "id": first["id"]})
    end = core.job_end(first["id"], "restore", timeout=60)

    assert end["type"] == "restore-failed", end["_raw"]
    assert end["error"] == "Cancelled", end["_raw"]
    left = {pid: line for pid, line in running.items() if alive(pid)}
    assert not left, f"processes left after the Cancelled message: {left}"
    assert descendants(core.process.pid).keys() <= before_children.keys()
    assert not processes_using(big.image, destination.path)
    assert can_claim_exclusively(destination.path), "something still holds the destination"
    assert not [m for m in core.of_job(first["id"]) if m["type"] == "restore" and m.get("finish")]
    assert_still_serving(core)


# -- damaged images --------------------------------------------------------------------------


@pytest.mark.parametrize("compression", COMPRESSIONS)
@pytest.mark.parametrize("how", ["truncated", "flipped"], ids=["truncated", "bytes flipped in the middle"])
def test_a_damaged_image_fails_to_restore_with_a_reason(how, compression, stock, core, loops, scratch):
    cloned = stock.get("ext4", compression)
    image = copy_image(cloned.image, scratch)
    damage(image, how, compression)
    destination = loops.attach(cloned.size >> 20)
    request = restore_request(image, destination)

    first, end = run_job(core, request, "restore", timeout=120)

    assert_failure(end, "restore", job_id=first["id"], request=request, presenter=core)
    assert not [m for m in core.of_job(first["id"]) if m["type"] == "restore" and m.get("finish")], core.of_job(first["id"])
    assert not processes_using(image, destination.path)


def test_a_dd_image_of_unknown_size_that_does_not_fit_fails_to_restore_with_a_reason(stock, core, loops, scratch):
    cloned = stock.get("dd", "gz")
    image = os.path.join(scratch, os.path.basename(cloned.image))
    with open(cloned.image, "rb") as source, open(image, "wb") as copy:
        copy.write(source.read())  # no xattr: the source size is unknown
    assert "user.apart.source_size" not in os.listxattr(image)
    destination = loops.attach((cloned.size >> 20) // 2)
    request = restore_request(image, destination)

    first, end = run_job(core, request, "restore", timeout=120)

    error = assert_failure(end, "restore", request=request, presenter=core)
    assert any(word in error.lower() for word in ("small", "fit", "larger", "space")), error
    assert not [m for m in core.of_job(end["id"]) if m["type"] == "restore" and m.get("finish")]


# -- cancel-restore with an id that is not a running restore ---------------------------------


@pytest.mark.parametrize("case", ["never used", "of a finished restore"])
def test_cancel_restore_with_an_unknown_id_gets_an_error(case, stock, core, loops):
    if case == "never used":
        job_id = "0badc0de"
    else:
        cloned = stock.get("ext4", "gz")
        request = restore_request(cloned.image, loops.attach(cloned.size >> 20))
        first, end = run_job(core, request, "restore")
        assert end["type"] == "restore" and end.get("finish"), end["_raw"]
        job_id = first["id"]

    core.send({"type": "cancel-restore", "id": job_id})
    error = core.wait_for(lambda m: m.get("type") in ("error", "restore-failed", "restore"), timeout=10)

    assert error["type"] == "error", error["_raw"]
    assert error.get("request") == "cancel-restore", error["_raw"]
    assert isinstance(error.get("error"), str) and job_id in error["error"], error["_raw"]
    assert_still_serving(core)
