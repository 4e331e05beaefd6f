"""Whole disks (docs/PROTOCOL.md §10): clone-disk and restore-disk in Clonezilla's image format,
on real loop devices with sfdisk, partclone and Clonezilla itself as the peer that checks and
writes the format. The kernel here shows no partition nodes: the core maps partitions through
loop devices of its own, and none may be left attached after a job, whatever its end."""

import os
import random
import re
import signal
import subprocess

import disks
import filesystems
from clone_support import CORE_TZ, SPACE_RAN_OUT, assert_still_serving, core_children, evidence, kill, listing, rig, saved_by_clonezilla_in_pieces  # noqa: F401
from hardening_support import wait_mid_restore
from loops import run
from processes import wait_until

DIRECTORY_NAME = re.compile(r"^(?P<name>.+)-\d{4}-\d{2}-\d{2}T\d{4}-img$")


def start_job(core, request, kind, timeout=30):
    """Sends a disk request; its first message (progress 0.0 or the refusal)."""
    core.send(request)
    return core.wait_for(
        lambda m: m.get("type") in (kind, f"{kind}-failed") and m.get("source") == request["source"],
        timeout=timeout,
        what=f"first answer to {request}",
    )


def run_job(core, request, kind, timeout=180):
    first = start_job(core, request, kind)
    assert first["type"] == kind, evidence(core, f"{request} was refused: {first}")
    return first, core.job_end(first["id"], kind, timeout=timeout)


def clone_disk(rig, core, disk, name="disk", compression=None):
    destination = rig.directory()
    request = {"type": "clone-disk", "source": disk.path, "destination": destination, "name": name}
    if compression:
        request["compression"] = compression
    first, final = run_job(core, request, "clone-disk")
    assert final["type"] == "clone-disk" and final.get("finish") is not None, evidence(core, f"clone-disk failed: {final}")
    return final["destination"], first, final


def restore_disk(core, image, target, grow=False):
    request = {"type": "restore-disk", "source": image, "destination": target.path}
    if grow:
        request["grow"] = True
    first, final = run_job(core, request, "restore-disk")
    assert final["type"] == "restore-disk" and final.get("finish") is not None, evidence(core, f"restore-disk failed: {final}")
    return first, final


def delete(core, path):
    core.send({"type": "delete-clone", "file": path})
    return core.wait_for(lambda m: m.get("type") in ("deleted-clone", "delete-clone-failed") and m.get("file") == path, what=f"delete-clone of {path}")


def ocs_chkimg(image):
    """Clonezilla's own check of an image directory: its exit status is its verdict."""
    result = subprocess.run(
        ["ocs-chkimg", "-b", "--nogui", "-or", os.path.dirname(image), os.path.basename(image)],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=600)
    return result.returncode, re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr)


def assert_no_core_loops(core, *devices):
    for device in devices:
        assert wait_until(lambda: disks.core_loops_over(device) == [], timeout=5), evidence(
            core, f"loop devices left over {device.path}: {disks.core_loops_over(device)}")


def by_number(loops, disk, source_parts):
    """The restored disk's partitions with the source's filesystem facts."""
    restored = disks.partitions(loops, disk)
    for number, part in restored.items():
        part.fstype = source_parts[number].fstype
        part.label = source_parts[number].label
    return restored


# -- status --------------------------------------------------------------------------------


def test_status_lists_a_gpt_disk_with_table_and_partitions_without_kernel_nodes_and_a_blank_disk(rig):
    disk, parts = disks.gpt_disk(rig.loops)
    blank = rig.loops.attach(64)
    core = rig.core()

    status = assert_still_serving(core)

    sources = {source["name"]: source for source in status.get("sources") or []}
    listed = sources.get(disk.name)
    assert listed is not None and listed.get("table") == "gpt", evidence(core, f"{disk.name} in status: {listed}")
    assert [(p["name"], p.get("fstype"), p.get("label")) for p in listed["parts"]] == [
        (parts[1].name, "vfat", "EFI"), (parts[2].name, "swap", "apartswap"), (parts[3].name, "ext4", "root")], evidence(core, str(listed))
    assert [p["size"] for p in listed["parts"]] == [parts[n].size for n in (1, 2, 3)]
    assert not os.path.exists(parts[1].path), "the premise: the kernel shows no partition nodes here"
    empty = sources.get(blank.name)
    assert empty is not None and empty.get("table") is None, evidence(core, f"blank {blank.name} in status: {empty}")
    assert [(p["name"], p.get("fstype"), p["size"]) for p in empty["parts"]] == [(blank.name, None, 64 << 20)], evidence(core, str(empty))


# -- a GPT disk, round trip --------------------------------------------------------------------


def test_a_gpt_disk_clones_checks_in_clonezilla_and_restores_to_a_larger_disk_with_the_same_table_files_and_swap(rig):
    loops = rig.loops
    disk, parts = disks.gpt_disk(loops)
    before = {n: disks.snapshot(loops, parts[n]) for n in (1, 3)}
    swap_before = disks.swap_identity(loops, parts[2])
    table_before = disks.dump(disk)
    core = rig.core()

    image, first, final = clone_disk(rig, core, disk, name="laptop")

    messages = [m for m in core.of_job(first["id"]) if m["type"] == "clone-disk"]
    assert DIRECTORY_NAME.match(os.path.basename(image)) and DIRECTORY_NAME.match(os.path.basename(image))["name"] == "laptop", image
    assert listing(os.path.dirname(image)) == [os.path.basename(image)], evidence(core, "more than the image in the destination")
    assert os.stat(image).st_mode & 0o777 == 0o700
    assert {m.get("part") for m in messages if m.get("part")} == {parts[1].path, parts[3].path}, evidence(core, "part fields")
    completes = [m["complete"] for m in messages]
    assert completes == sorted(completes) and completes[-1] == 1.0, evidence(core, f"complete went {completes}")
    files = sorted(os.listdir(image))
    size = sum(os.path.getsize(os.path.join(image, f)) for f in files)
    assert final["image_size"] == size, evidence(core, f"image_size {final['image_size']} != {size}")
    for expected in ("disk", "parts", "dev-fs.list", "blkid.list", "blkdev.list", "B2SUMS", f"{disk.name}-pt.sf", f"{disk.name}-pt.parted",
                     f"{disk.name}-mbr", f"{disk.name}-gpt-1st", f"{disk.name}-gpt-2nd", f"{disk.name}-gpt.gdisk",
                     f"swappt-{parts[2].name}.info", f"{parts[1].name}.vfat-ptcl-img.gz.aa", f"{parts[3].name}.ext4-ptcl-img.gz.aa"):
        assert expected in files, f"{expected} missing from {files}"
    assert all(os.stat(os.path.join(image, f)).st_mode & 0o777 == 0o600 for f in files)
    assert open(os.path.join(image, "parts")).read().split() == [parts[1].name, parts[3].name]
    assert_no_core_loops(core, disk)

    code, said = ocs_chkimg(image)
    assert code == 0, f"ocs-chkimg refused the image ({code}):\n{said}"
    assert subprocess.run(["b2sum", "--check", "--quiet", "B2SUMS"], cwd=image).returncode == 0

    target = loops.attach(160)
    restore_disk(core, image, target)

    assert disks.dump(target) == table_before, "the restored table differs"
    code, said = disks.verify(target)
    assert code == 0, f"sfdisk --verify: {said}"
    restored = by_number(loops, target, parts)
    assert disks.table(target)["lastlba"] == (160 << 20) // 512 - 34, "the GPT backup is not at the end of the larger disk"
    for n in (1, 3):
        assert disks.snapshot(loops, restored[n]) == before[n], f"files of partition {n} differ"
        disks.fsck(loops, restored[n])
    assert disks.swap_identity(loops, restored[2]) == swap_before
    assert_no_core_loops(core, disk, target)


def test_restore_disk_with_grow_extends_the_last_partition_and_its_ext4_to_the_end_of_the_disk(rig):
    loops = rig.loops
    disk, parts = disks.gpt_disk(loops)
    before = disks.snapshot(loops, parts[3])
    core = rig.core()
    image, _, _ = clone_disk(rig, core, disk, compression="zst")
    target = loops.attach(192)

    _, final = restore_disk(core, image, target, grow=True)

    assert final.get("note") is None, evidence(core, f"a note on a grown ext4: {final.get('note')}")
    restored = by_number(loops, target, parts)
    end = restored[3].start + restored[3].size
    assert end > (190 << 20), f"the last partition ends at {end}, not near the disk's end"
    assert [restored[n].start for n in (1, 2, 3)] == [parts[n].start for n in (1, 2, 3)]
    assert [restored[n].size for n in (1, 2)] == [parts[n].size for n in (1, 2)]
    device = disks.mapped(loops, restored[3], read_only=True)
    blocks = dict(line.split(":", 1) for line in run("dumpe2fs", "-h", device.path).stdout.splitlines() if ":" in line)
    loops.detach(device)
    assert int(blocks["Block count"]) * int(blocks["Block size"]) == restored[3].size, f"ext4 did not grow to {restored[3].size}: {blocks['Block count']}"
    disks.fsck(loops, restored[3])
    assert disks.snapshot(loops, restored[3]) == before
    assert_no_core_loops(core, disk, target)


def test_grow_leaves_a_filesystem_that_cannot_grow_at_its_size_and_says_so(rig):
    loops = rig.loops
    disk = loops.attach(48)
    run("sfdisk", "-q", disk.path, input="label: gpt\nstart=2048, size=65536, type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7\n")
    parts = disks.partitions(loops, disk)
    disks.make_filesystem(loops, parts[1], "vfat", "DATA", seed=5)
    before = disks.snapshot(loops, parts[1])
    core = rig.core()
    image, _, _ = clone_disk(rig, core, disk)
    target = loops.attach(96)

    _, final = restore_disk(core, image, target, grow=True)

    assert "vfat" in (final.get("note") or "") and "left at its size" in final["note"], evidence(core, f"note {final.get('note')!r}")
    restored = by_number(loops, target, parts)
    assert disks.snapshot(loops, restored[1]) == before


# -- MBR: boot code and the gap after it ------------------------------------------------------


def test_an_mbr_disk_keeps_its_boot_code_gap_and_logical_partition_byte_for_byte(rig):
    loops = rig.loops
    disk = loops.attach(96)
    run("sfdisk", "-q", disk.path, input=(
        "label: dos\nlabel-id: 0x1234abcd\n"
        "start=2048, size=40960, type=83, bootable\n"
        "start=43008, type=5\n"
        "start=45056, size=40960, type=83\n"))
    boot_code = random.Random(11).randbytes(440)
    gap = random.Random(12).randbytes(2047 * 512)
    disks.write_bytes(disk, 0, boot_code)
    disks.write_bytes(disk, 512, gap)
    parts = disks.partitions(loops, disk)
    disks.make_filesystem(loops, parts[1], "ext4", "primary", seed=6)
    disks.make_filesystem(loops, parts[5], "ext4", "logical", seed=7)
    before = {n: disks.snapshot(loops, parts[n]) for n in (1, 5)}
    head = disks.read_bytes(disk, 0, 2048 * 512)
    ebr = disks.read_bytes(disk, parts[2].start, 512)
    core = rig.core()

    image, _, _ = clone_disk(rig, core, disk, name="mbr")
    code, said = ocs_chkimg(image)
    assert code == 0, f"ocs-chkimg refused the image ({code}):\n{said}"
    assert os.path.getsize(os.path.join(image, f"{disk.name}-hidden-data-after-mbr")) == 2047 * 512
    target = loops.attach(128, fill=random.Random(13).randbytes(4 << 20))  # not zeroed: old bytes must not survive
    restore_disk(core, image, target)

    assert disks.read_bytes(target, 0, 2048 * 512) == head, "the boot code, table or gap after the MBR differs"
    assert disks.read_bytes(target, parts[2].start, 512) == ebr, "the extended boot record differs"
    assert disks.dump(target) == disks.dump(disk)
    restored = by_number(loops, target, parts)
    for n in (1, 5):
        assert disks.snapshot(loops, restored[n]) == before[n], f"files of partition {n} differ"
    assert_no_core_loops(core, disk, target)


# -- Clonezilla's images ------------------------------------------------------------------------


def test_a_partition_saved_by_clonezilla_in_pieces_restores_with_type_restore(rig):
    loops = rig.loops
    source, before, images, pieces = saved_by_clonezilla_in_pieces(rig)
    target = loops.attach(48)
    core = rig.core()

    first, final = run_job(core, {"type": "restore", "source": pieces[0], "destination": target.path}, "restore")

    assert final["type"] == "restore" and final.get("finish") is not None, evidence(core, f"restore failed: {final}")
    target.fstype = "ext4"
    assert filesystems.snapshot(loops, target, "ext4") == before
    _, verified = run_job(core, {"type": "verify", "source": pieces[0]}, "verify")
    assert verified["type"] == "verify" and verified.get("finish") is not None, evidence(core, f"verify failed: {verified}")
    _, whole = run_job(core, {"type": "verify", "source": os.path.join(images, "CZ")}, "verify")
    assert whole["type"] == "verify" and whole.get("finish") is not None, evidence(core, f"verify of the directory failed: {whole}")
    middle = start_job(core, {"type": "restore", "source": pieces[1], "destination": target.path}, "restore")
    assert middle["type"] == "restore-failed" and os.path.basename(pieces[0]) in middle["error"], evidence(core, f"a middle piece: {middle}")
    answer = delete(core, os.path.join(images, "CZ"))
    assert answer["type"] == "delete-clone-failed" and os.path.isdir(os.path.join(images, "CZ")), evidence(core, f"delete of Clonezilla's image: {answer}")


# -- damaged images -----------------------------------------------------------------------------


def test_an_image_with_a_truncated_or_damaged_piece_is_refused_by_verify_and_restore_disk_naming_the_piece(rig):
    loops = rig.loops
    disk, parts = disks.gpt_disk(loops)
    core = rig.core()
    image, _, _ = clone_disk(rig, core, disk)
    piece = f"{parts[3].name}.ext4-ptcl-img.gz.aa"
    path = os.path.join(image, piece)
    original = open(path, "rb").read()
    target = loops.attach(128, fill=b"\xa5" * (1 << 20))
    untouched = disks.read_bytes(target, 0, 1 << 20)

    os.truncate(path, len(original) // 2)
    verify = start_job(core, {"type": "verify", "source": image}, "verify")
    verify = verify if verify["type"] == "verify-failed" else core.job_end(verify["id"], "verify")
    restore = start_job(core, {"type": "restore-disk", "source": image, "destination": target.path}, "restore-disk")
    assert verify["type"] == "verify-failed" and piece in verify["error"] and "truncated" in verify["error"], evidence(core, f"verify: {verify}")
    assert restore["type"] == "restore-disk-failed" and piece in restore["error"], evidence(core, f"restore-disk: {restore}")

    damaged = bytearray(original)
    damaged[len(damaged) // 2] ^= 0xFF
    with open(path, "wb") as f:
        f.write(damaged)
    restore = start_job(core, {"type": "restore-disk", "source": image, "destination": target.path}, "restore-disk")
    restore = restore if restore["type"] == "restore-disk-failed" else core.job_end(restore["id"], "restore-disk")
    assert restore["type"] == "restore-disk-failed" and piece in restore["error"] and "damaged" in restore["error"], evidence(core, f"restore-disk: {restore}")
    assert disks.read_bytes(target, 0, 1 << 20) == untouched, "a byte of the target was written"
    assert_no_core_loops(core, disk, target)


# -- refusals ---------------------------------------------------------------------------------------


def test_disk_requests_that_cannot_be_done_are_refused_up_front_with_the_reason(rig):
    loops = rig.loops
    disk, parts = disks.gpt_disk(loops)
    core = rig.core()
    image, _, _ = clone_disk(rig, core, disk)
    small = loops.attach(64)

    too_small = start_job(core, {"type": "restore-disk", "source": image, "destination": small.path}, "restore-disk")
    assert too_small["type"] == "restore-disk-failed", evidence(core, str(too_small))
    assert "too small" in too_small["error"] and str(64 << 20) in too_small["error"] and re.search(r"need \d+ bytes", too_small["error"]), evidence(core, too_small["error"])
    partition = start_job(core, {"type": "restore-disk", "source": image, "destination": parts[3].path}, "restore-disk")
    assert partition["type"] == "restore-disk-failed" and "partition" in partition["error"], evidence(core, str(partition))
    unlisted = start_job(core, {"type": "restore-disk", "source": image, "destination": "/dev/null"}, "restore-disk")
    assert unlisted["type"] == "restore-disk-failed" and "not a listed disk" in unlisted["error"], evidence(core, str(unlisted))
    not_an_image = start_job(core, {"type": "restore-disk", "source": rig.directory(), "destination": small.path}, "restore-disk")
    assert not_an_image["type"] == "restore-disk-failed" and "not an image directory" in not_an_image["error"], evidence(core, str(not_an_image))
    blank_clone = start_job(core, {"type": "clone-disk", "source": small.path, "destination": rig.directory(), "name": "x"}, "clone-disk")
    assert blank_clone["type"] == "clone-disk-failed" and "no partition table" in blank_clone["error"], evidence(core, str(blank_clone))

    root = disks.mapped(loops, parts[3])
    mountpoint = loops.mount(root)
    try:
        mounted_clone = start_job(core, {"type": "clone-disk", "source": disk.path, "destination": rig.directory(), "name": "x"}, "clone-disk")
        mounted_restore = start_job(core, {"type": "restore-disk", "source": image, "destination": disk.path}, "restore-disk")
    finally:
        loops.umount(mountpoint)
        loops.detach(root)
    for answer in (mounted_clone, mounted_restore):
        assert answer["type"].endswith("-failed") and "mounted" in answer["error"] and parts[3].path in answer["error"], evidence(core, str(answer))
    assert_still_serving(core)
    assert_no_core_loops(core, disk, small)


def test_delete_clone_removes_an_image_directory_apart_made_but_not_one_with_a_stranger_in_it(rig):
    disk, _ = disks.gpt_disk(rig.loops)
    core = rig.core()
    image, _, _ = clone_disk(rig, core, disk)
    other, _, _ = clone_disk(rig, core, disk, name="other")
    stranger = os.path.join(other, "notes.txt")
    open(stranger, "w").write("mine\n")

    kept = delete(core, other)
    deleted = delete(core, image)

    assert kept["type"] == "delete-clone-failed" and "notes.txt" in kept["error"] and os.path.exists(stranger), evidence(core, str(kept))
    assert sorted(os.listdir(other)) and os.path.isdir(other)
    assert deleted["type"] == "deleted-clone", evidence(core, str(deleted))
    assert not os.path.exists(image) and listing(os.path.dirname(image)) == []


# -- cancel and failure mid-way ----------------------------------------------------------------


def long_disk(rig):
    """A disk whose clone lasts seconds: 120 MiB of random data on its ext4 partition."""
    return disks.gpt_disk(rig.loops, size_mib=224, ext4_mib=160, random_mib=120)


def wait_for_part_progress(core, job_id, kind, part):
    """The first progress of the job's programs on `part` (the big partition): it has a rate."""
    return core.wait_for(lambda m: m.get("id") == job_id and m.get("type") == kind and m.get("part") == part and m.get("rate"),
                         timeout=60, what=f"{kind} progress on {part}")


def test_cancel_clone_disk_mid_way_leaves_no_directory_and_no_loop_device(rig):
    disk, parts = long_disk(rig)
    core = rig.core()
    destination = rig.directory()
    first = start_job(core, {"type": "clone-disk", "source": disk.path, "destination": destination, "name": "cancelled"}, "clone-disk")
    assert first["type"] == "clone-disk", evidence(core, str(first))
    wait_for_part_progress(core, first["id"], "clone-disk", parts[3].path)
    assert listing(destination) == [os.path.basename(first["destination"]) + ".inprogress"], listing(destination)

    core.send({"type": "cancel-clone-disk", "id": first["id"]})
    final = core.job_end(first["id"], "clone-disk", timeout=30)

    assert final["type"] == "clone-disk-failed" and final["error"] == "Cancelled", evidence(core, str(final))
    assert listing(destination) == [], evidence(core, f"left behind: {listing(destination)}")
    assert core_children(core) == {}, evidence(core, f"processes left: {core_children(core)}")
    assert_no_core_loops(core, disk)
    assert not assert_still_serving(core).get("jobs")


def test_a_compressor_killed_mid_clone_disk_fails_it_and_leaves_no_directory_and_no_loop_device(rig):
    disk, parts = long_disk(rig)
    core = rig.core()
    destination = rig.directory()
    first = start_job(core, {"type": "clone-disk", "source": disk.path, "destination": destination, "name": "killed"}, "clone-disk")
    wait_for_part_progress(core, first["id"], "clone-disk", parts[3].path)
    compressor = [pid for pid, program in core_children(core).items() if program == "pigz"]
    assert len(compressor) == 1, f"the core's children are {core_children(core)}"

    kill(compressor[0])
    final = core.job_end(first["id"], "clone-disk", timeout=30)

    assert final["type"] == "clone-disk-failed" and "pigz" in final["error"], evidence(core, str(final))
    assert listing(destination) == [], evidence(core, f"left behind: {listing(destination)}")
    assert wait_until(lambda: core_children(core) == {}, timeout=5), evidence(core, f"processes left: {core_children(core)}")
    assert_no_core_loops(core, disk)


def test_clone_disk_to_a_destination_that_fills_up_fails_saying_so_and_leaves_no_directory(rig):
    disk, _ = disks.gpt_disk(rig.loops, random_mib=8)
    tiny = rig.tiny_tmpfs("4m")
    core = rig.core()

    first, final = run_job(core, {"type": "clone-disk", "source": disk.path, "destination": tiny, "name": "full"}, "clone-disk")

    assert final["type"] == "clone-disk-failed" and SPACE_RAN_OUT.search(final["error"]), evidence(core, str(final))
    assert listing(tiny) == [], evidence(core, f"left behind: {listing(tiny)}")
    assert_no_core_loops(core, disk)
    assert_still_serving(core)


def test_cancel_or_a_killed_imager_mid_restore_disk_fails_it_and_leaves_no_loop_device(rig):
    disk, parts = long_disk(rig)
    core = rig.core()
    image, _, _ = clone_disk(rig, core, disk)
    target = rig.loops.attach(256)

    # Partclone tells its progress every second or so, and the big partition restores in about a
    # second here (the clone was read seconds before), so its first rated progress may be its
    # last: the reader's place in that partition's image file marks the middle.
    first = start_job(core, {"type": "restore-disk", "source": image, "destination": target.path}, "restore-disk")
    wait_mid_restore(core)
    core.send({"type": "cancel-restore-disk", "id": first["id"]})
    cancelled = core.job_end(first["id"], "restore-disk", timeout=30)

    assert cancelled["type"] == "restore-disk-failed" and cancelled["error"] == "Cancelled", evidence(core, str(cancelled))
    assert core_children(core) == {}, evidence(core, f"processes left: {core_children(core)}")
    assert_no_core_loops(core, disk, target)

    second = start_job(core, {"type": "restore-disk", "source": image, "destination": target.path}, "restore-disk")
    programs, _ = wait_mid_restore(core)
    imager = [pid for pid, program in programs.items() if program == "partclone.ext4"]
    assert len(imager) == 1, f"the core's children are {programs}"
    kill(imager[0])
    failed = core.job_end(second["id"], "restore-disk", timeout=30)

    assert failed["type"] == "restore-disk-failed" and "partclone" in failed["error"], evidence(core, str(failed))
    assert wait_until(lambda: core_children(core) == {}, timeout=5), evidence(core, f"processes left: {core_children(core)}")
    assert_no_core_loops(core, disk, target)
    assert_still_serving(core)


def test_a_core_killed_mid_clone_disk_leaves_no_loop_device_and_the_next_core_removes_its_directory(rig):
    from hardening_support import journal_records, reap, running
    from processes import set_child_subreaper

    disk, parts = long_disk(rig)
    state = rig.directory(prefix="apart-e2e-state-")
    env = {"APART_StateDirectory": state}
    set_child_subreaper(True)
    adopted = []
    try:
        doomed = rig.core(env=env)
        destination = rig.directory()
        first = start_job(doomed, {"type": "clone-disk", "source": disk.path, "destination": destination, "name": "doomed"}, "clone-disk")
        wait_for_part_progress(doomed, first["id"], "clone-disk", parts[3].path)
        adopted = list(core_children(doomed))
        partial = first["destination"] + ".inprogress"
        assert os.path.isdir(partial) and disks.core_loops_over(disk), "the premise: the clone is writing through the core's loop device"

        doomed.process.send_signal(signal.SIGKILL)
        doomed.process.wait(10)
        for pid in adopted:
            reap(pid, 5)

        assert wait_until(lambda: disks.core_loops_over(disk) == [], timeout=10), f"loop devices left over {disk.path}: {disks.core_loops_over(disk)}"
        assert os.path.isdir(partial), "the killed core's directory vanished before a new core started (nothing to prove)"
        newcomer = rig.core(env=env)  # status: started comes after the clean-up
        assert listing(destination) == [], evidence(newcomer, f"the next core left {listing(destination)}")
        assert journal_records(state) == [], f"records left: {journal_records(state)}"
    finally:
        for pid in adopted:
            if running(pid):
                os.kill(pid, signal.SIGKILL)
            reap(pid, 2)
        set_child_subreaper(False)
