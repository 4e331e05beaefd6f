"""Hardening, end to end: faults injected into running jobs (real partclone, real compressors, real
loop devices, a real pyzmq presenter), and what must hold after each (see hardening_support):
the matching `*-failed` message with a reason a person understands, no `.inprogress` or partial
image left, no partclone or compressor left, and a core that goes on serving.

Some faults need not fail the job, and the tests say what must then hold:
- `losetup -d` on a device in use only sets autoclear: the device keeps working until the job
  closes it. A clone may then finish; its image must be complete (partclone.chkimg) and restore
  the source's files exactly. A restore may finish; its backing file must hold the image's files.
- An image deleted while a restore reads it stays readable through the open descriptor: the
  restore may finish, and the device must then hold exactly the source's files.
A disk that really fails (EIO on every later read or write; see hardening_support.FailingDisk)
must fail the job, saying so.
"""

import os
import re
import shutil
import signal
import subprocess
import time

import pytest

import filesystems
from clone_support import chkimg, core_children, evidence, listing, partclone_header, rig  # noqa: F401 - rig is a fixture
from foundation_support import drain_until_exit, is_dying, spawn_presenter_process
from hardening_support import (
    BIG_MIB,
    CODECS,
    COMPRESSORS,
    DECOMPRESSORS,
    IN_USE,
    IO_ERROR,
    SPACE_RAN_OUT,
    Stock,
    assert_failed_with_reason,
    assert_goes_on_serving,
    assert_no_process_left,
    command_line,
    drop_caches,
    failing_disk,
    journal_records,
    make_big_ext4,
    processes_mentioning,
    left_behind_with_argument,
    processes_with_argument,
    reap,
    reattach_read_only,
    running,
    sha256_file,
    shell_shims,
    size_of,
    start,
    wait_mid_clone,
    wait_mid_restore,
)
from loops import can_claim_exclusively, run
from presenter import CORE
from processes import children, set_child_subreaper, wait_until


@pytest.fixture(scope="module")
def stock():
    made = Stock()
    try:
        yield made
    finally:
        made.close()


def clone_request(device_path, destination, name="hurt", compression="gz"):
    return {"type": "clone", "source": device_path, "destination": destination, "name": name, "compression": compression}


def restore_request(image, device):
    return {"type": "restore", "source": image, "destination": device.path}


def open_paths(pid):
    """What a process holds open (readlink of its descriptors; deleted files end in ' (deleted)')."""
    found = []
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            found.append(os.readlink(f"/proc/{pid}/fd/{fd}"))
        except OSError:
            pass
    return found


def assert_image_not_held(core, image_path):
    """No partial image survives as an open, unlinked file either (it would still use the space)."""
    held = [path for path in open_paths(core.process.pid) if os.path.basename(image_path) in path]
    assert not held, evidence(core, f"the core still holds {held}")


def listed_target(rig, seed=21):
    """A device a restore may write to: listed (it holds an empty ext4), as big as the stock source."""
    return rig.filesystem("ext4", size_mib=BIG_MIB, files=False, seed=seed)


# -- programs killed mid-job -----------------------------------------------------------------


@pytest.mark.parametrize("codec", CODECS)
def test_the_compressor_killed_with_sigkill_mid_clone_fails_the_clone_naming_it_and_leaves_no_file_or_process(rig, stock, codec):
    core = rig.core()
    destination = rig.directory()
    first = start(core, clone_request(stock.source.path, destination, compression=codec), "clone")
    assert first["type"] == "clone", evidence(core, f"refused: {first}")
    programs = wait_mid_clone(core, first)
    compressor = [pid for pid, program in programs.items() if program == COMPRESSORS[codec]]
    assert len(compressor) == 1, f"the clone's processes are {programs}"

    os.kill(compressor[0], signal.SIGKILL)
    end = core.job_end(first["id"], "clone", timeout=60)

    left = listing(destination)
    assert_failed_with_reason(core, end, "clone", first, re.compile(rf"{COMPRESSORS[codec]}.*(killed|signal)"), "compressor killed")
    assert left == [], evidence(core, f"files left: {left}")
    assert_no_process_left(core, programs, first["destination"])
    assert_image_not_held(core, first["destination"])
    assert can_claim_exclusively(stock.source.path), "the source is still held"
    assert_goes_on_serving(core, rig)


def test_partclone_killed_mid_restore_fails_the_restore_naming_it_and_leaves_the_image_intact_and_no_process(rig, stock):
    image = stock.image("gz")
    target = listed_target(rig)
    core = rig.core()
    first = start(core, restore_request(image, target), "restore")
    assert first["type"] == "restore", evidence(core, f"refused: {first}")
    programs, _ = wait_mid_restore(core)
    partclone = [pid for pid, program in programs.items() if program.startswith("partclone")]
    assert len(partclone) == 1, f"the restore's processes are {programs}"

    os.kill(partclone[0], signal.SIGKILL)
    end = core.job_end(first["id"], "restore", timeout=60)

    assert_failed_with_reason(core, end, "restore", first, re.compile(r"partclone\S* .*(killed|signal)"), "partclone killed")
    assert_no_process_left(core, programs, image)
    assert listing(os.path.dirname(image)) == [os.path.basename(image)], "files appeared beside the image"
    assert sha256_file(image) == stock.image_sha256("gz"), "the image changed"
    assert can_claim_exclusively(target.path), "the destination is still held"
    assert_goes_on_serving(core, rig)


@pytest.mark.parametrize("codec", CODECS)
def test_the_decompressor_killed_mid_restore_fails_the_restore_naming_it_and_leaves_no_process(rig, stock, codec):
    image = stock.image(codec)
    target = listed_target(rig)
    core = rig.core()
    first = start(core, restore_request(image, target), "restore")
    assert first["type"] == "restore", evidence(core, f"refused: {first}")
    programs, _ = wait_mid_restore(core)
    decompressor = [pid for pid, program in programs.items() if program == DECOMPRESSORS[codec]]
    assert len(decompressor) == 1, f"the restore's processes are {programs}"

    os.kill(decompressor[0], signal.SIGKILL)
    end = core.job_end(first["id"], "restore", timeout=60)

    assert_failed_with_reason(core, end, "restore", first, re.compile(rf"{DECOMPRESSORS[codec]}.*(killed|signal)"), "decompressor killed")
    assert_no_process_left(core, programs, image)
    assert sha256_file(image) == stock.image_sha256(codec), "the image changed"
    assert can_claim_exclusively(target.path), "the destination is still held"
    assert_goes_on_serving(core, rig)


# -- the destination of a clone goes bad -----------------------------------------------------


@pytest.mark.parametrize("codec", ["gz", "lz4"])
def test_a_destination_that_fills_up_mid_clone_fails_the_clone_saying_so_and_frees_every_byte(rig, stock, codec):
    tiny = rig.tiny_tmpfs("24m")
    core = rig.core()
    first = start(core, clone_request(stock.source.path, tiny, compression=codec), "clone")
    assert first["type"] == "clone", evidence(core, f"refused: {first}")
    programs = wait_mid_clone(core, first)

    end = core.job_end(first["id"], "clone", timeout=60)

    assert_failed_with_reason(core, end, "clone", first, SPACE_RAN_OUT, "destination full")
    assert listing(tiny) == [], evidence(core, f"files left on the full destination: {listing(tiny)}")
    assert_no_process_left(core, programs, first["destination"])
    assert_image_not_held(core, first["destination"])
    free = os.statvfs(tiny)
    assert free.f_bavail * free.f_frsize >= 23 * (1 << 20), "the space the partial image used was not given back"
    assert_goes_on_serving(core, rig)


def test_the_destination_directory_removed_mid_clone_fails_the_clone_saying_so_and_leaves_no_file(rig, stock):
    parent = rig.directory()
    destination = os.path.join(parent, "images")
    os.mkdir(destination)
    core = rig.core()
    first = start(core, clone_request(stock.source.path, destination, compression="lz4"), "clone")
    assert first["type"] == "clone", evidence(core, f"refused: {first}")
    programs = wait_mid_clone(core, first)

    shutil.rmtree(destination)
    end = core.job_end(first["id"], "clone", timeout=60)

    assert_failed_with_reason(core, end, "clone", first, re.compile(r"(removed|deleted|no longer exists|does not exist)", re.I), "directory removed")
    assert listing(parent) == [], evidence(core, f"something was left or recreated: {listing(parent)}")
    assert_no_process_left(core, programs, first["destination"])
    assert_image_not_held(core, first["destination"])
    assert_goes_on_serving(core, rig)


# -- the image of a restore goes away --------------------------------------------------------


def test_the_image_deleted_mid_restore_either_restores_the_source_exactly_or_fails_cleanly(rig, stock, record_property):
    directory = rig.directory()
    image = stock.copy_of_image("gz", directory)
    target = listed_target(rig)
    core = rig.core()
    first = start(core, restore_request(image, target), "restore")
    assert first["type"] == "restore", evidence(core, f"refused: {first}")
    programs, read = wait_mid_restore(core)

    os.unlink(image)
    end = core.job_end(first["id"], "restore", timeout=60)

    assert_no_process_left(core, programs, image)
    assert listing(directory) == [], f"files left beside the deleted image: {listing(directory)}"
    assert_image_not_held(core, image)
    if end["type"] == "restore":
        outcome = f"completed (the decompressor had read {read} bytes when the image was unlinked; it kept reading its open descriptor)"
        filesystems.check(target, "ext4")
        assert filesystems.snapshot(rig.loops, target, "ext4") == stock.snapshot, "the restore reported success but the files differ"
    else:
        outcome = f"failed: {end.get('error')}"
        assert_failed_with_reason(core, end, "restore", first, None, "image deleted")
    record_property("shown", f"image deleted mid-restore: {outcome}")  # printed at the end of the run (conftest.py)
    assert_goes_on_serving(core, rig)


# -- devices detached or failing -------------------------------------------------------------


def test_the_source_detached_mid_clone_either_makes_a_complete_image_that_restores_exactly_or_fails_cleanly(rig, record_property):
    source = make_big_ext4(rig.loops, seed=12)
    expected = filesystems.snapshot(rig.loops, source, "ext4")
    destination = rig.directory()
    core = rig.core()
    first = start(core, clone_request(source.path, destination), "clone")
    assert first["type"] == "clone", evidence(core, f"refused: {first}")
    programs = wait_mid_clone(core, first)
    written = size_of(first["destination"] + ".inprogress")

    rig.loops.detach(source)  # losetup -d: on a device in use, this sets autoclear
    end = core.job_end(first["id"], "clone", timeout=60)

    assert_no_process_left(core, programs, first["destination"])
    assert wait_until(lambda: run("losetup", "-j", source.backing, check=False).stdout.strip() == "", 5), "the loop device was never released"
    if end["type"] == "clone":
        outcome = f"completed ({written} bytes were written when losetup -d ran; the device stayed readable until the core closed it)"
        image = end["destination"]
        assert listing(destination) == [os.path.basename(image)]
        assert partclone_header(image, "gz") == ("EXTFS", source.size)
        chkimg(image, "gz")
        target = listed_target(rig, seed=22)
        restored = start(core, restore_request(image, target), "restore")
        assert restored["type"] == "restore", evidence(core, f"refused: {restored}")
        assert core.job_end(restored["id"], "restore", timeout=60)["type"] == "restore", evidence(core, "the image does not restore")
        filesystems.check(target, "ext4")
        assert filesystems.snapshot(rig.loops, target, "ext4") == expected, "the image's files differ from the source's"
    else:
        outcome = f"failed: {end.get('error')}"
        assert_failed_with_reason(core, end, "clone", first, None, "source detached")
        assert listing(destination) == [], f"files left: {listing(destination)}"
    record_property("shown", f"source detached mid-clone: {outcome}")  # printed at the end of the run (conftest.py)
    assert_goes_on_serving(core, rig)


def test_the_destination_detached_mid_restore_either_leaves_the_source_files_in_its_backing_file_or_fails_cleanly(rig, stock, record_property):
    image = stock.image("gz")
    target = listed_target(rig)
    core = rig.core()
    first = start(core, restore_request(image, target), "restore")
    assert first["type"] == "restore", evidence(core, f"refused: {first}")
    programs, read = wait_mid_restore(core)

    rig.loops.detach(target)  # losetup -d: on a device in use, this sets autoclear
    end = core.job_end(first["id"], "restore", timeout=60)

    assert_no_process_left(core, programs, image)
    assert wait_until(lambda: run("losetup", "-j", target.backing, check=False).stdout.strip() == "", 5), "the loop device was never released"
    if end["type"] == "restore":
        outcome = f"completed ({read} bytes of the image were read when losetup -d ran; the device kept working until the core closed it)"
        backing = reattach_read_only(rig.loops, target.backing, target.size)
        filesystems.check(backing, "ext4")
        assert filesystems.snapshot(rig.loops, backing, "ext4") == stock.snapshot, "the restore reported success but the backing file's files differ"
    else:
        outcome = f"failed: {end.get('error')}"
        assert_failed_with_reason(core, end, "restore", first, None, "destination detached")
    record_property("shown", f"destination detached mid-restore: {outcome}")  # printed at the end of the run (conftest.py)
    assert sha256_file(image) == stock.image_sha256("gz")
    assert_goes_on_serving(core, rig)


def test_a_source_disk_failing_with_io_errors_mid_clone_fails_the_clone_saying_so_and_leaves_no_file(rig, loops):
    with failing_disk(loops) as disk:
        run("mkfs.ext4", "-q", "-F", disk.device.path)
        mountpoint = loops.mount(disk.device)
        try:
            with open(os.path.join(mountpoint, "random.bin"), "wb") as f:
                for _ in range(64):
                    f.write(os.urandom(1 << 20))
        finally:
            loops.umount(mountpoint)
        run("sync")
        drop_caches()  # the clone must read the failing backing file, not cached pages
        destination = rig.directory()
        core = rig.core()
        first = start(core, clone_request(disk.device.path, destination), "clone")
        assert first["type"] == "clone", evidence(core, f"refused: {first}")
        programs = wait_mid_clone(core, first)

        disk.fail()
        end = core.job_end(first["id"], "clone", timeout=60)

        left = listing(destination)
        assert_no_process_left(core, programs, first["destination"])
        assert left == [], evidence(core, f"files left: {left}")
        assert_image_not_held(core, first["destination"])
        assert_failed_with_reason(core, end, "clone", first, IO_ERROR, "source disk failing")
    assert_goes_on_serving(core, rig)


def test_a_destination_disk_failing_with_io_errors_mid_restore_fails_the_restore_saying_so(rig, loops, stock):
    image = stock.image("gz")
    with failing_disk(loops) as disk:
        run("mkfs.ext4", "-q", "-F", disk.device.path)  # listed: it holds a filesystem
        core = rig.core()
        first = start(core, restore_request(image, disk.device), "restore")
        assert first["type"] == "restore", evidence(core, f"refused: {first}")
        programs, _ = wait_mid_restore(core)

        disk.fail()
        end = core.job_end(first["id"], "restore", timeout=60)

        assert_no_process_left(core, programs, image)
        assert_failed_with_reason(core, end, "restore", first, IO_ERROR, "destination disk failing")
    assert sha256_file(image) == stock.image_sha256("gz")
    assert_goes_on_serving(core, rig)


# -- one device, two jobs --------------------------------------------------------------------


ROUNDS = 6


def test_a_clone_and_a_restore_of_the_same_device_sent_together_the_second_is_refused_as_busy_and_the_first_completes(rig):
    """Ten rounds, the clone sent first in half of them. Every round: exactly one job runs and
    completes correctly, the other is refused as busy before touching anything. And the one that
    runs is the one sent first."""
    donor = rig.filesystem("ext4", seed=3)
    device = rig.filesystem("ext4", seed=4)
    core = rig.core()
    images = rig.directory()
    made = start(core, clone_request(donor.path, images, name="donor", compression="lz4"), "clone")
    image = core.job_end(made["id"], "clone", timeout=60)["destination"]
    donor_files = filesystems.snapshot(rig.loops, donor, "ext4")
    restored_bytes = None
    rounds = []
    for round_number in range(ROUNDS):
        order = ("clone", "restore") if round_number % 2 == 0 else ("restore", "clone")
        destination = rig.directory()
        requests = {
            "clone": clone_request(device.path, destination, name=f"same{round_number}", compression="lz4"),
            "restore": restore_request(image, device),
        }
        before = device.sha256()
        for kind in order:
            core.send(requests[kind])
        answers = {}
        while len(answers) < 2:
            message = core.wait_for(
                lambda m: (m.get("type") in ("clone", "clone-failed") and m.get("source") == device.path and m.get("id") not in {a["id"] for a in answers.values()})
                or (m.get("type") in ("restore", "restore-failed") and m.get("destination") == device.path and m.get("id") not in {a["id"] for a in answers.values()}),
                timeout=15)
            answers[message["type"].split("-")[0]] = message

        started = [kind for kind, answer in answers.items() if answer["type"] == kind]
        what = f"round {round_number}, {order[0]} sent first"
        assert len(started) == 1, evidence(core, f"{what}: {len(started)} of the two jobs on one device started: {answers}")
        winner = started[0]
        loser = answers["restore" if winner == "clone" else "clone"]
        assert IN_USE.search(loser.get("error") or ""), evidence(core, f"{what}: the refusal does not say the device is busy: {loser}")
        assert loser["start"] == loser["finish"]
        end = core.job_end(answers[winner]["id"], winner, timeout=60)
        assert end["type"] == winner, evidence(core, f"{what}: the {winner} that ran failed: {end}")
        if winner == "clone":
            chkimg(end["destination"], "lz4")
            assert device.sha256() == before, f"{what}: the refused restore wrote to the device"
        else:
            assert listing(destination) == [], f"{what}: the refused clone left {listing(destination)}"
            if restored_bytes is None:
                assert filesystems.snapshot(rig.loops, device, "ext4") == donor_files, f"{what}: the restore did not put the image's files on the device"
                restored_bytes = device.sha256()
            assert device.sha256() == restored_bytes, f"{what}: the restore wrote something else"
        rounds.append((order[0], winner))

    second_won = [(first, winner) for first, winner in rounds if first != winner]
    assert not second_won, (
        f"the request sent second ran and the one sent first was refused in {len(second_won)} of {ROUNDS} rounds "
        f"(sent first, ran): {rounds}")


# -- the core told to stop, or killed --------------------------------------------------------


@pytest.mark.parametrize("how", ["kill-request", "SIGTERM"])
def test_kill_request_or_sigterm_with_a_clone_and_a_restore_running_fails_both_then_says_dying_and_exits_0_leaving_nothing(rig, stock, how):
    image = stock.image("zst")
    target = listed_target(rig)
    destination = rig.directory()
    core = rig.core()
    clone = start(core, clone_request(stock.source.path, destination), "clone")
    restore = start(core, restore_request(image, target), "restore")
    assert clone["type"] == "clone" and restore["type"] == "restore", evidence(core, "a job was refused")
    wait_mid_clone(core, clone)
    wait_mid_restore(core)
    programs = core_children(core)
    assert len(programs) == 4, f"not both jobs' programs: {programs}"

    if how == "kill-request":
        core.send({"type": "kill-request"})
    else:
        core.process.send_signal(signal.SIGTERM)
    code = drain_until_exit(core, timeout=30)

    assert code == 0, evidence(core, f"exit status {code}")
    ends = {kind: [m for m in core.messages if m.get("id") == job["id"] and m["type"] == f"{kind}-failed"] for kind, job in (("clone", clone), ("restore", restore))}
    assert all(len(found) == 1 and found[0]["error"] == "Cancelled" for found in ends.values()), evidence(core, f"the jobs' ends: {ends}")
    assert is_dying(core.messages[-1]), evidence(core, "the last message is not status: dying")
    last_end = max(core.messages.index(found[0]) for found in ends.values())
    assert last_end < len(core.messages) - 1, evidence(core, "dying came before a job's failure")
    left = {pid: program for pid, program in programs.items() if running(pid)}
    assert not left, f"processes left: {left}"
    assert not processes_mentioning(image, clone["destination"]) and not left_behind_with_argument(core.process.pid, stock.source.path, target.path)
    assert listing(destination) == [], f"files left: {listing(destination)}"
    assert sha256_file(image) == stock.image_sha256("zst")
    assert can_claim_exclusively(target.path) and can_claim_exclusively(stock.source.path)


def test_sigkill_of_the_core_kills_its_children_and_the_next_core_removes_its_stale_inprogress_file_and_only_that(rig, stock):
    state = rig.directory(prefix="apart-e2e-state-")
    env = {"APART_StateDirectory": state}
    set_child_subreaper(True)
    adopted = {}
    try:
        survivor = rig.core(env=env)  # a core that keeps running through all of it
        doomed = rig.core(env=env)
        doomed_destination = rig.directory()
        stranger = os.path.join(doomed_destination, "stranger-2017-05-03T1020.apt.ext4.gz.inprogress")
        with open(stranger, "wb") as f:
            f.write(b"someone else's file, not the core's")
        first = start(doomed, clone_request(stock.source.path, doomed_destination, name="doomed"), "clone")
        assert first["type"] == "clone", evidence(doomed, f"refused: {first}")
        adopted = wait_mid_clone(doomed, first)
        partial = first["destination"] + ".inprogress"
        assert len(journal_records(state)) == 1, f"the journal holds {journal_records(state)}"

        doomed.process.send_signal(signal.SIGKILL)
        doomed.process.wait(10)
        ended = {pid: reap(pid, 5) for pid in adopted}

        assert all(status is not None for status in ended.values()), f"children of the killed core still running: {[p for p, s in ended.items() if s is None]} {adopted}"
        assert all(not running(pid) for pid in adopted)
        assert os.path.exists(partial), "the killed core's .inprogress vanished before a new core started (nothing to prove)"
        assert can_claim_exclusively(stock.source.path), "the killed core's source is still held"

        survivor_destination = rig.directory()
        live = start(survivor, clone_request(stock.source.path, survivor_destination, name="survivor"), "clone")
        assert live["type"] == "clone", evidence(survivor, f"refused: {live}")
        wait_mid_clone(survivor, live)
        live_partial = live["destination"] + ".inprogress"
        assert len(journal_records(state)) == 2

        newcomer = rig.core(env=env)  # status: started comes after the clean-up

        assert not os.path.exists(partial), evidence(newcomer, f"the next core left the killed core's {partial}")
        assert listing(doomed_destination) == [os.path.basename(stranger)], f"the next core removed more: {listing(doomed_destination)}"
        with open(stranger, "rb") as f:
            assert f.read() == b"someone else's file, not the core's"
        assert os.path.exists(live_partial), evidence(newcomer, "the next core removed a running core's .inprogress")
        assert len(journal_records(state)) == 1, f"the journal holds {journal_records(state)}"
        end = survivor.job_end(live["id"], "clone", timeout=60)
        assert end["type"] == "clone", evidence(survivor, f"the running core's clone failed: {end}")
        assert listing(survivor_destination) == [os.path.basename(end["destination"])]
        chkimg(end["destination"], "gz")
        assert journal_records(state) == [], f"records left: {journal_records(state)}"
    finally:
        for pid in adopted:
            if running(pid):
                os.kill(pid, signal.SIGKILL)
            reap(pid, 2)
        set_child_subreaper(False)


def test_the_presenter_killed_mid_clone_makes_the_core_cancel_clean_up_and_exit_within_10_s(rig, stock):
    state = rig.directory(prefix="apart-e2e-state-")
    destination = rig.directory()
    set_child_subreaper(True)
    presenter, info, programs = None, {}, {}
    try:
        presenter, info = spawn_presenter_process(CORE, destination, stock.source.name, {"APART_StateDirectory": state})
        assert "core_pid" in info, info
        core_pid = info["core_pid"]

        def midway():
            partial = [name for name in os.listdir(destination) if name.endswith(".inprogress")]
            kids = children(core_pid)
            return kids if partial and size_of(os.path.join(destination, partial[0])) >= 2 << 20 and len(kids) >= 2 else None

        programs = wait_until(midway, 30)
        assert programs, f"the clone never got midway: {listing(destination)}"
        assert len(journal_records(state)) == 1
        # A real partition takes minutes to clone; this one would finish within the core's grace
        # period. Freezing partclone (SIGSTOP) keeps the clone running as a big disk would.
        partclone = [pid for pid in programs if (command_line(pid) or "").find("partclone") >= 0]
        assert len(partclone) == 1, {pid: command_line(pid) for pid in programs}
        os.kill(partclone[0], signal.SIGSTOP)

        presenter.send_signal(signal.SIGKILL)
        presenter.wait(5)
        killed_at = time.monotonic()
        status = reap(core_pid, 10.5)
        took = time.monotonic() - killed_at
        log = open(info["core_log"], errors="replace").read()[-4000:]

        assert status is not None, f"the core still runs {took:.1f}s after its presenter was killed; log:\n{log}"
        assert took <= 10, f"the core exited only {took:.1f}s after its presenter was killed"
        assert os.WIFEXITED(status) and os.WEXITSTATUS(status) != 0, f"the core ended with wait status {status}; log:\n{log}"
        left = [pid for pid in programs if running(pid)]
        assert not left, f"processes left: {left}"
        assert listing(destination) == [], f"files left: {listing(destination)}"
        assert journal_records(state) == [], f"journal records left: {journal_records(state)}"
        assert can_claim_exclusively(stock.source.path)
    finally:
        if presenter is not None and presenter.poll() is None:
            presenter.kill()
            presenter.wait(5)
        for pid in list(programs) + ([info["core_pid"]] if "core_pid" in info else []):
            if running(pid):
                os.kill(pid, signal.SIGKILL)
            reap(pid, 2)
        set_child_subreaper(False)
        for key in ("ipc_path", "core_log"):
            if info.get(key) and os.path.exists(info[key]):
                os.unlink(info[key])


# -- no shell, ever --------------------------------------------------------------------------


def test_the_shell_shims_do_record_a_command_that_reaches_a_shell(rig):
    """The proof below relies on the shims: a shell given such a name does leave a mark."""
    sandbox = rig.directory(prefix="apart-e2e-shell-")
    mark = os.path.join(sandbox, "mark")
    shims = shell_shims(sandbox, mark)
    subprocess.run(["/bin/sh", "-c", "x; touch pwned; $(reboot)"], env={"PATH": shims}, cwd=sandbox, capture_output=True, check=False)
    with open(mark) as f:
        recorded = f.read()
    assert "touch pwned" in recorded and "reboot" in recorded, recorded


SHELL_NAME = "x; touch pwned && reboot | $(reboot) `id` > out < in & rm -rf pwned-dir"


def test_names_and_paths_with_shell_syntax_are_files_named_literally_through_clone_verify_restore_and_delete_and_run_nothing(rig):
    sandbox = rig.directory(prefix="apart-e2e-shell-")
    mark = os.path.join(sandbox, "mark")
    shims = shell_shims(sandbox, mark)
    core = rig.core(env={"PATH": shims + ":" + os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")})
    cwd = os.readlink(f"/proc/{core.process.pid}/cwd")
    cwd_before = listing(cwd)
    tmp_pwned_before = os.path.exists("/tmp/pwned")
    source = rig.filesystem("ext4", seed=7)
    target = rig.filesystem("ext4", files=False, seed=8)
    directory = os.path.join(sandbox, "$(touch pwned); reboot `id` | x & y")
    os.mkdir(directory)

    refused = start(core, clone_request(source.path, directory, name="x; touch /tmp/pwned", compression="lz4"), "clone")
    assert refused["type"] == "clone-failed", evidence(core, "a name with '/' was accepted")

    first = start(core, clone_request(source.path, directory, name=SHELL_NAME, compression="lz4"), "clone")
    assert first["type"] == "clone", evidence(core, f"refused: {first}")
    end = core.job_end(first["id"], "clone", timeout=60)
    assert end["type"] == "clone", evidence(core, f"the clone failed: {end}")
    image = end["destination"]
    assert os.path.dirname(image) == directory and os.path.basename(image).startswith(SHELL_NAME + "-")
    assert listing(directory) == [os.path.basename(image)]
    chkimg(image, "lz4")

    core.send({"type": "verify", "source": image})
    verify = core.wait_for(lambda m: m.get("type") in ("verify", "verify-failed") and m.get("source") == image, timeout=15)
    verify = verify if verify["type"] == "verify-failed" else core.job_end(verify["id"], "verify", timeout=60)
    assert verify["type"] == "verify", evidence(core, f"the verify failed: {verify}")

    restore = start(core, restore_request(image, target), "restore")
    assert restore["type"] == "restore", evidence(core, f"refused: {restore}")
    assert core.job_end(restore["id"], "restore", timeout=60)["type"] == "restore", evidence(core, "the restore failed")
    assert filesystems.snapshot(rig.loops, target, "ext4") == filesystems.snapshot(rig.loops, source, "ext4")

    core.send({"type": "delete-clone", "file": image})
    deleted = core.wait_for(lambda m: m.get("type") in ("deleted-clone", "delete-clone-failed", "error"), timeout=15)
    assert deleted["type"] == "deleted-clone" and deleted["file"] == image, evidence(core, f"delete: {deleted}")
    assert listing(directory) == []

    time.sleep(0.2)
    assert not os.path.exists(mark), f"a name reached a shell: {open(mark).read()!r}"
    assert sorted(listing(sandbox)) == sorted(["shims", os.path.basename(directory)]), listing(sandbox)
    assert listing(cwd) == cwd_before, f"the core's working directory changed: {listing(cwd)}"
    assert os.path.exists("/tmp/pwned") == tmp_pwned_before


# -- endings that must not wait on the system ------------------------------------------------


@pytest.mark.parametrize("ending", ["kill-request", "SIGTERM"])
def test_the_core_ends_within_a_second_with_requests_queued_behind_a_slow_inventory(presenters, loops, tmp_path, ending):
    """lsblk that hangs (a stand-in that sleeps once a flag is set) while clone requests and
    status requests queue behind it: a kill-request or SIGTERM still ends the core within a
    second, every queued clone is answered, and no lsblk is left behind."""
    device = filesystems.make(loops, "ext4", files=False)
    slow = tmp_path / "slow"
    marker = f"apart-slow-lsblk-{os.getpid()}"
    lsblk = tmp_path / "lsblk"
    lsblk.write_text(f'#!/bin/bash\n[ -e "{slow}" ] && exec -a {marker} sleep 120\nexec /usr/bin/lsblk "$@"\n')
    lsblk.chmod(0o755)
    presenter = presenters(env={"APART_LSBLK_CMD": str(lsblk)})
    presenter.wait_for(lambda m: m.get("type") == "status" and m.get("status") == "started", timeout=10)
    slow.touch()
    names = [f"queued{i}" for i in range(4)]
    for name in names:
        presenter.send({"type": "clone", "source": device.path, "destination": str(tmp_path), "name": name})
        presenter.send({"type": "status-request"})
    assert wait_until(lambda: len(processes_with_argument(marker)) >= 2, 10), "the first check and the first status are not waiting on lsblk"

    began = time.monotonic()
    if ending == "SIGTERM":
        presenter.process.send_signal(signal.SIGTERM)
    else:
        presenter.send({"type": "kill-request"})
    code = drain_until_exit(presenter, timeout=10)
    took = time.monotonic() - began

    assert took < 1.0, f"the core took {took:.2f} s to end behind a hung lsblk; log:\n{presenter.log()}"
    assert code == 0 and any(is_dying(m) for m in presenter.messages), presenter.log()
    refused = [m for m in presenter.messages if m.get("type") == "clone-failed"]
    assert len(refused) == len(names), [m["_raw"] for m in presenter.messages]
    assert all("shutting down" in m["error"] for m in refused), [m["error"] for m in refused]
    assert not [m for m in presenter.messages if m.get("type") == "clone"], "a queued clone started"
    assert wait_until(lambda: not processes_with_argument(marker), 5), f"the hung lsblk is still there: {processes_with_argument(marker)}"
    assert not [name for name in os.listdir(tmp_path) if name.startswith("queued")], os.listdir(tmp_path)
