"""Verify (docs/PROTOCOL.md §7), end to end: the published core checks images the core itself made,
with real partclone.chkimg and the real decompressors, over a pyzmq presenter on ipc://.

partclone images are checked by partclone.chkimg (its per-block checksums) behind the codec
(whose own checksum catches damage to compressed images); dd images by decompressing them whole
and comparing the length with the source size the clone recorded (xattr user.apart.source_size).
"""

import os

import pytest

from restore_support import (
    alive,
    assert_failure,
    assert_refused,
    assert_still_serving,
    assert_success_run,
    copy_image,
    damage,
    descendants,
    image_file_name,
    image_stock,
    processes_using,
    run_job,
    scratch_directory,
    sha256_file,
    start_job,
    wait_for_partclone_below,
)

COMPRESSIONS = ["gz", "zst", "lz4", "uncompressed"]

GOOD = [("ext4", c) for c in COMPRESSIONS] + [(fs, "gz") for fs in ("xfs", "btrfs", "vfat", "ntfs", "exfat")]


@pytest.fixture(scope="module")
def stock():
    with image_stock() as images:
        yield images


@pytest.fixture
def scratch():
    with scratch_directory() as directory:
        yield directory


def verify_request(image):
    return {"type": "verify", "source": image}


@pytest.mark.parametrize("kind,compression", GOOD, ids=[f"{k}-{c}" for k, c in GOOD])
def test_verify_of_a_good_image_succeeds_with_progress(kind, compression, stock, core):
    image = stock.get(kind, compression).image
    before = sha256_file(image)
    request = verify_request(image)

    first, end = run_job(core, request, "verify")

    assert end["type"] == "verify", f"{end['_raw']}\n{core.log()}"
    assert_success_run(core, first["id"], "verify", request, require_progress=True)
    assert all(m.get("destination") is None for m in core.of_job(first["id"]))
    assert sha256_file(image) == before, "verify changed the image"


@pytest.mark.parametrize("compression", ["gz", "uncompressed"])
def test_verify_of_a_dd_image_succeeds(compression, stock, core):
    image = stock.get("dd", compression).image
    request = verify_request(image)

    first, end = run_job(core, request, "verify")

    assert end["type"] == "verify", f"{end['_raw']}\n{core.log()}"
    assert_success_run(core, first["id"], "verify", request)


DAMAGED = [("ext4", c, how) for how in ("truncated", "flipped") for c in COMPRESSIONS] + [
    ("dd", "gz", "truncated"),
    ("dd", "gz", "flipped"),
    ("dd", "uncompressed", "truncated"),
]


@pytest.mark.parametrize(
    "kind,compression,how",
    DAMAGED,
    ids=[f"{k}-{c}-{'truncated' if h == 'truncated' else 'bytes flipped in the middle'}" for k, c, h in DAMAGED],
)
def test_verify_of_a_damaged_image_fails_with_a_reason(kind, compression, how, stock, core, scratch):
    image = copy_image(stock.get(kind, compression).image, scratch)
    damage(image, how, compression)
    request = verify_request(image)

    first, end = run_job(core, request, "verify")

    assert_failure(end, "verify", job_id=first["id"], request=request, presenter=core)
    assert not [m for m in core.of_job(first["id"]) if m["type"] == "verify" and m.get("finish")], core.of_job(first["id"])
    assert not processes_using(image)


NOT_IMAGES = {
    "a missing image": (image_file_name("gone", "ext4", "gz"), ["exist", "no such", "missing", "not found"]),
    "a file not named like an image": ("backup.img", ["named", "name", "not an image"]),
}


@pytest.mark.parametrize("case", list(NOT_IMAGES))
def test_verify_of_something_that_is_not_an_image_is_refused(case, stock, core, scratch):
    file_name, words = NOT_IMAGES[case]
    path = os.path.join(scratch, file_name)
    if case != "a missing image":
        copy_image(stock.get("ext4", "gz").image, scratch, file_name)

    assert_refused(core, verify_request(path), path, words, kind="verify")


def test_a_verify_cancelled_midway_ends_cancelled_and_leaves_no_process(stock, core):
    image = stock.get("ext4", "gz").image
    before_children = descendants(core.process.pid)

    first = start_job(core, verify_request(image), "verify")
    assert first["type"] == "verify", first["_raw"]
    running = wait_for_partclone_below(core, first["id"], "verify", before_children)

    core.send({"type": "cancel-verify", "id": first["id"]})
    end = core.job_end(first["id"], "verify", timeout=30)

    assert end["type"] == "verify-failed", end["_raw"]
    assert end["error"] == "Cancelled", end["_raw"]
    left = {pid: line for pid, line in running.items() if alive(pid)}
    assert not left, f"processes left after the Cancelled message: {left}"
    assert descendants(core.process.pid).keys() <= before_children.keys()
    assert not processes_using(image)
    assert_still_serving(core)


def test_cancel_verify_with_an_unknown_id_gets_an_error(core):
    core.send({"type": "cancel-verify", "id": "0badc0de"})
    error = core.wait_for(lambda m: m.get("type") in ("error", "verify-failed"), timeout=10)

    assert error["type"] == "error", error["_raw"]
    assert error.get("request") == "cancel-verify", error["_raw"]
    assert_still_serving(core)
