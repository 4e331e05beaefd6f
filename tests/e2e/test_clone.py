"""Clone end to end (docs/PROTOCOL.md §4): real partclone, real compressors, real loop devices, a real
pyzmq presenter over ipc://. Every core runs with umask 0 and TZ=Asia/Kathmandu (see clone_support)."""

import datetime
import os
import time
import uuid
import zoneinfo

import pytest

from processes import wait_until
from clone_support import (  # noqa: F401 - rig is a fixture
    CORE_TZ,
    EXTENSIONS,
    HEADER_FS,
    SPACE_RAN_OUT,
    VARIANTS,
    assert_clone_run,
    assert_raw_image_equals,
    assert_refusal,
    assert_still_serving,
    blkid_uuid,
    chkimg,
    core_children,
    evidence,
    expected_image_name,
    kill,
    listing,
    mode_of,
    partclone_header,
    rig,
    send_clone,
    still_ours,
)

FILESYSTEMS = ["ext4", "xfs", "btrfs", "vfat", "ntfs", "exfat"]
CODECS = ["gz", "zst", "lz4", "uncompressed"]


def clone_to_success(core, request, variant, codec, timeout=120):
    """Runs a clone that must succeed; checks §4's messages, name, size and mode; returns the image path."""
    first, latency = send_clone(core, request)
    assert first["type"] == "clone", evidence(core, f"the clone was refused: {first}")
    final = core.job_end(first["id"], "clone", timeout=timeout)
    assert final["type"] == "clone", evidence(core, f"the clone failed: {final}")
    destination = os.path.join(os.path.normpath(request["destination"]), expected_image_name(request["name"], first["start"], variant, EXTENSIONS[codec]))
    assert_clone_run(core, first["id"], request, destination, latency)
    assert listing(request["destination"]) == [os.path.basename(destination)], evidence(
        core, f"the destination holds {listing(request['destination'])}, not just the image")
    assert final["image_size"] == os.path.getsize(destination), evidence(core, f"image_size {final['image_size']} != {os.path.getsize(destination)}")
    assert mode_of(destination) == 0o600, f"image mode is {oct(mode_of(destination))}, not 0600 (core started with umask 0)"
    return destination, first, final


def start_long_clone(rig, core, name="long"):
    """Starts a clone of a big ext4 (seconds long) and returns after its first progress message."""
    device = rig.big_ext4()
    destination = rig.directory()
    request = {"type": "clone", "source": device.path, "destination": destination, "name": name, "compression": "gz"}
    first, _ = send_clone(core, request)
    assert first["type"] == "clone", evidence(core, f"the clone was refused: {first}")
    progress = core.wait_for(lambda m: m.get("id") == first["id"], timeout=30, what="first progress message")
    assert progress["type"] == "clone" and progress.get("finish") is None, evidence(
        core, f"the clone ended before the test could act: {progress}; use a bigger device")
    return device, request, first, progress


@pytest.mark.parametrize("fstype", FILESYSTEMS)
def test_a_clone_of_each_filesystem_finishes_with_the_right_name_messages_and_a_valid_image(rig, fstype):
    device = rig.filesystem(fstype)
    core = rig.core()
    destination = rig.directory()
    request = {"type": "clone", "source": device.path, "destination": destination, "name": f"img-{fstype}"}  # compression: the default, gz

    image, first, final = clone_to_success(core, request, VARIANTS[fstype], "gz")

    if first.get("source_uuid") is not None:
        assert first["source_uuid"] == blkid_uuid(device.path), evidence(core, "source_uuid is not the filesystem's UUID")
    fs, size = partclone_header(image, "gz")
    assert fs.startswith(HEADER_FS[fstype]), f"the image header says {fs!r}, not {HEADER_FS[fstype]}"
    assert size == device.size, f"the image header's device size {size} != {device.size}"
    chkimg(image, "gz")


@pytest.mark.parametrize("codec", CODECS)
def test_an_ext4_clone_with_each_compression_gets_its_extension_and_decompresses_to_a_valid_image(rig, codec):
    device = rig.filesystem("ext4")
    core = rig.core()
    destination = rig.directory() + "/"  # a trailing slash, as in PROTOCOL's example
    assert codec in core.messages[0]["compression_options"], evidence(core, f"{codec} not offered")
    request = {"type": "clone", "source": device.path, "destination": destination, "name": "work", "compression": codec}

    image, _, _ = clone_to_success(core, request, "ext4", codec)

    assert image.endswith(f".apt.ext4.{EXTENSIONS[codec]}")
    fs, size = partclone_header(image, codec)
    assert fs == "EXTFS" and size == device.size
    chkimg(image, codec)


def test_a_partition_with_no_filesystem_is_cloned_with_dd_to_exactly_its_bytes(rig):
    partition, size, data = rig.raw_partition()
    core = rig.core()
    destination = rig.directory()
    request = {"type": "clone", "source": partition, "destination": destination, "name": "raw", "compression": "zst"}

    image, _, _ = clone_to_success(core, request, "dd", "zst")

    assert image.endswith(".apt.dd.zst")
    assert_raw_image_equals(image, "zst", data)


def test_image_names_use_the_local_time_of_the_start_to_the_minute(rig):
    device = rig.filesystem("ext4", files=False)
    core = rig.core()
    destination = rig.directory()
    before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    request = {"type": "clone", "source": device.path, "destination": destination, "name": "when", "compression": "lz4"}

    image, first, _ = clone_to_success(core, request, "ext4", "lz4")

    after = datetime.datetime.now(datetime.timezone.utc)
    assert before - datetime.timedelta(seconds=1) <= first["start"] <= after, evidence(core, f"start {first['start']} is not the time of the request")
    local = first["start"].astimezone(zoneinfo.ZoneInfo(CORE_TZ))
    assert os.path.basename(image) == f"when-{local:%Y-%m-%dT%H%M}.apt.ext4.lz4"
    assert local.utcoffset() != datetime.timedelta(0)  # the test's own premise: local time is not UTC


def test_cancel_right_after_the_first_progress_message_stops_everything_and_leaves_no_file(rig):
    core = rig.core()
    device, request, first, progress = start_long_clone(rig, core)
    in_progress = first["destination"] + ".inprogress"
    assert listing(request["destination"]) == [os.path.basename(in_progress)], evidence(
        core, f"while running the destination holds {listing(request['destination'])}; only the .inprogress file may be there")
    assert mode_of(in_progress) == 0o600, f".inprogress mode {oct(mode_of(in_progress))}"
    running = core_children(core)
    assert "partclone.ext4" in running.values() and "pigz" in running.values(), f"the core's children are {running}"

    core.send({"type": "cancel-clone", "id": first["id"]})
    final = core.job_end(first["id"], "clone", timeout=30)

    # Checked at once: PROTOCOL says processes stopped and file removed *then* clone-failed.
    left_files = listing(request["destination"])
    left_processes = {pid: program for pid, program in running.items() if still_ours(core, pid)}
    assert final["type"] == "clone-failed" and final.get("error") == "Cancelled", evidence(core, f"cancel ended with {final}")
    assert final["source"] == request["source"] and final["destination"] == first["destination"] and final["start"] == first["start"]
    assert final["finish"] >= final["start"]
    assert left_files == [], evidence(core, f"files left after the cancel: {left_files}")
    assert left_processes == {}, evidence(core, f"processes left after the cancel: {left_processes}")
    assert core_children(core) == {}, evidence(core, f"the core still has children: {core_children(core)}")
    assert not [m for m in core.of_job(first["id"]) if m["type"] == "clone" and m.get("finish") is not None]
    status = assert_still_serving(core)
    assert not status.get("jobs"), evidence(core, f"the cancelled job is still listed: {status.get('jobs')}")


def test_partclone_killed_mid_clone_fails_the_clone_and_leaves_no_file(rig):
    core = rig.core()
    device, request, first, progress = start_long_clone(rig, core, name="killed")
    running = core_children(core)
    partclone = [pid for pid, program in running.items() if program == "partclone.ext4"]
    assert len(partclone) == 1, f"the core's children are {running}"

    kill(partclone[0])
    final = core.job_end(first["id"], "clone", timeout=30)

    left_files = listing(request["destination"])
    assert final["type"] == "clone-failed", evidence(core, f"the clone did not fail: {final}")
    error = final.get("error") or ""
    assert "partclone" in error and error.strip().rstrip(".") != "Failed", evidence(core, f"error {error!r} does not say partclone failed")
    assert final["destination"] == first["destination"] and final["start"] == first["start"]
    assert left_files == [], evidence(core, f"files left: {left_files}")
    assert wait_until(lambda: core_children(core) == {}, timeout=5), evidence(core, f"processes left: {core_children(core)}")
    assert_still_serving(core)


@pytest.mark.parametrize("codec", CODECS)
def test_a_destination_that_fills_up_fails_the_clone_saying_the_space_ran_out_and_leaves_no_file(rig, codec):
    device = rig.filesystem("ext4")  # its image is several MiB in every codec (3 MiB are random)
    tiny = rig.tiny_tmpfs("1m")
    core = rig.core()
    request = {"type": "clone", "source": device.path, "destination": tiny, "name": "full", "compression": codec}

    first, _ = send_clone(core, request)
    assert first["type"] == "clone", evidence(core, f"the clone was refused: {first}")
    final = core.job_end(first["id"], "clone", timeout=60)

    assert final["type"] == "clone-failed", evidence(core, f"the clone did not fail: {final}")
    assert SPACE_RAN_OUT.search(final.get("error") or ""), evidence(
        core, f"request {request}: the error does not say the space ran out: {final.get('error')!r}")
    assert listing(tiny) == [], evidence(core, f"files left on the full destination: {listing(tiny)}")
    assert_still_serving(core)
    # Still serving means still cloning, too: the same source, somewhere with room.
    roomy = rig.directory()
    clone_to_success(core, dict(request, destination=roomy), "ext4", codec)


def test_two_clones_of_two_devices_at_the_same_time_both_succeed_with_their_own_ids(rig):
    one = rig.filesystem("ext4", seed=1)
    two = rig.filesystem("ext4", seed=2)
    core = rig.core()
    destination = rig.directory()
    first_request = {"type": "clone", "source": one.path, "destination": destination, "name": "one", "compression": "gz"}
    second_request = {"type": "clone", "source": two.path, "destination": destination, "name": "two", "compression": "zst"}

    first, first_latency = send_clone(core, first_request)
    second, second_latency = send_clone(core, second_request)
    assert first["type"] == "clone" and second["type"] == "clone", evidence(core, "a clone was refused")
    assert first["id"] != second["id"], evidence(core, "both jobs have the same id")
    first_end = core.job_end(first["id"], "clone", timeout=120)
    second_end = core.job_end(second["id"], "clone", timeout=120)

    assert core.messages.index(second) < core.messages.index(first_end), evidence(core, "the second clone only started after the first ended")
    images = []
    for job, request, latency, variant_codec in ((first, first_request, first_latency, "gz"), (second, second_request, second_latency, "zst")):
        image = os.path.join(destination, expected_image_name(request["name"], job["start"], "ext4", variant_codec))
        assert_clone_run(core, job["id"], request, image, latency)
        images.append(image)
    assert listing(destination) == sorted(os.path.basename(i) for i in images)
    assert first_end["image_size"] == os.path.getsize(images[0]) and second_end["image_size"] == os.path.getsize(images[1])
    chkimg(images[0], "gz")
    chkimg(images[1], "zst")


SHELL_NAMES = {
    "semicolon": "x; touch $APART_E2E_MARK",
    "command-substitution": "$(touch $APART_E2E_MARK)",
    "backticks": "`touch $APART_E2E_MARK`",
    "reboot": "$(reboot)",
    "pipes-and-redirects": "a | reboot > b < c & d && reboot || reboot",
    "yaml-and-glob": "it's: \"quoted\" #not-a-comment *star ?[x]{y} ünïcode ✓ \\back",
}


@pytest.mark.parametrize("name", SHELL_NAMES.values(), ids=SHELL_NAMES.keys())
def test_a_name_with_shell_or_yaml_syntax_makes_a_file_named_literally_and_runs_nothing(rig, name):
    device = rig.filesystem("ext4", files=False)
    sandbox = rig.directory(prefix="apart-e2e-shell-")
    mark = os.path.join(sandbox, "pwned")
    shims = os.path.join(sandbox, "bin")
    os.mkdir(shims)
    for program in ("reboot", "poweroff", "shutdown", "halt", "systemctl"):
        with open(os.path.join(shims, program), "w") as f:
            f.write(f"#!/bin/sh\necho {program} \"$@\" >> '{mark}'\n")
        os.chmod(os.path.join(shims, program), 0o755)
    # Were the name ever given to a shell, these would run instead of the real reboot.
    core = rig.core(env={"APART_E2E_MARK": mark, "PATH": shims + ":" + os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")})
    destination = rig.directory()
    request = {"type": "clone", "source": device.path, "destination": destination, "name": name, "compression": "lz4"}

    image, first, _ = clone_to_success(core, request, "ext4", "lz4")

    assert os.path.basename(image).startswith(name + "-")
    time.sleep(0.2)
    assert not os.path.exists(mark), f"the name ran a command: {open(mark).read()!r}"
    assert listing(sandbox) == ["bin"]


# -- refusals ----------------------------------------------------------------------------------


def refuse(core, request, what):
    """Sends a request twice; both must be refused, each with its own fresh id."""
    first, _ = send_clone(core, request)
    assert_refusal(core, request, first, what)
    again, _ = send_clone(core, request)
    assert_refusal(core, request, again, what)
    assert again["id"] != first["id"], evidence(core, f"{what}: refusals reuse the id {first['id']}")
    assert_still_serving(core)
    return first


def test_a_source_that_is_not_listed_is_refused_and_no_file_is_created(rig):
    core = rig.core()
    destination = rig.directory()
    for source in ("/etc/shadow", "/dev/null", "/dev/apart-e2e-no-such-device"):
        request = {"type": "clone", "source": source, "destination": destination, "name": "stolen", "compression": "uncompressed"}
        refuse(core, request, f"source {source}")
        assert listing(destination) == [], evidence(core, f"a refused clone of {source} created {listing(destination)}")


@pytest.mark.parametrize("kind", ["relative", "missing", "a-file"])
def test_a_relative_or_missing_destination_is_refused_and_nothing_is_created(rig, kind):
    device = rig.filesystem("ext4", files=False)
    core = rig.core()
    parent = rig.directory()
    cwd = os.readlink(f"/proc/{core.process.pid}/cwd")
    before_cwd = listing(cwd)
    relative = f"apart-e2e-relative-{uuid.uuid4().hex[:8]}"
    destination = {
        "relative": relative,
        "missing": os.path.join(parent, "no", "such", "directory"),
        "a-file": os.path.join(parent, "a-file"),
    }[kind]
    if kind == "a-file":
        with open(destination, "wb") as f:
            f.write(b"not a directory")
    request = {"type": "clone", "source": device.path, "destination": destination, "name": "nowhere", "compression": "gz"}

    refuse(core, request, f"destination {destination}")

    assert not os.path.exists(os.path.join(cwd, relative)), "a relative destination was created under the core's working directory"
    assert listing(cwd) == before_cwd, f"the core's working directory {cwd} changed"
    assert listing(parent) == (["a-file"] if kind == "a-file" else []), f"something was created in {parent}: {listing(parent)}"
    if kind == "a-file":
        with open(destination, "rb") as f:
            assert f.read() == b"not a directory"


def test_an_unknown_compression_is_refused(rig):
    device = rig.filesystem("ext4", files=False)
    core = rig.core()
    destination = rig.directory()
    for compression in ("bz2", "xz", "rar"):
        request = {"type": "clone", "source": device.path, "destination": destination, "name": "packed", "compression": compression}
        refuse(core, request, f"compression {compression!r}")
    assert listing(destination) == []


def test_a_compression_whose_program_does_not_work_is_not_offered_and_is_refused(rig):
    device = rig.filesystem("ext4", files=False)
    shims = rig.directory(prefix="apart-e2e-broken-lz4-")
    with open(os.path.join(shims, "lz4"), "w") as f:
        f.write("#!/bin/sh\necho 'lz4: broken on purpose' >&2\nexit 1\n")
    os.chmod(os.path.join(shims, "lz4"), 0o755)
    core = rig.core(env={"PATH": shims + ":" + os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")})
    options = core.messages[0]["compression_options"]
    assert "lz4" not in options and "gz" in options, evidence(core, f"compression_options {options} with a broken lz4")
    destination = rig.directory()
    request = {"type": "clone", "source": device.path, "destination": destination, "name": "packed", "compression": "lz4"}

    refuse(core, request, "unavailable lz4")

    assert listing(destination) == []


SLASH_NAMES = {
    "slash": "a/b",
    "dotdot": "../escaped",
    "absolute": "{parent}/absolute",
    "shell-with-slash": "x; touch {parent}/pwned",
}


@pytest.mark.parametrize("template", SLASH_NAMES.values(), ids=SLASH_NAMES.keys())
def test_a_name_with_a_slash_is_refused_and_nothing_is_created_anywhere(rig, template):
    device = rig.filesystem("ext4", files=False)
    core = rig.core()
    parent = rig.directory()
    destination = os.path.join(parent, "images")
    os.mkdir(destination)
    os.mkdir(os.path.join(destination, "a"))
    name = template.format(parent=parent)
    request = {"type": "clone", "source": device.path, "destination": destination, "name": name, "compression": "gz"}

    refuse(core, request, f"name {name!r}")

    assert listing(parent) == ["images"], f"something was created beside the destination: {listing(parent)}"
    assert listing(destination) == ["a"] and listing(os.path.join(destination, "a")) == [], f"something was created: {listing(destination)}"


@pytest.mark.parametrize("which", ["final", "inprogress"])
def test_an_image_that_already_exists_is_refused_and_left_as_it_is(rig, which):
    device = rig.filesystem("ext4", files=False)
    core = rig.core()
    destination = rig.directory()
    now = datetime.datetime.now(datetime.timezone.utc)
    if now.second >= 50:  # both requests must start in the minute the file is named for
        time.sleep(60.5 - now.second - now.microsecond / 1e6)
        now = datetime.datetime.now(datetime.timezone.utc)
    name = expected_image_name("exists", now, "ext4", "gz") + (".inprogress" if which == "inprogress" else "")
    path = os.path.join(destination, name)
    content = os.urandom(4096)
    with open(path, "wb") as f:
        f.write(content)
    os.chmod(path, 0o644)
    before = os.stat(path)
    request = {"type": "clone", "source": device.path, "destination": destination, "name": "exists"}  # gz by default

    first = refuse(core, request, f"existing {name}")

    assert expected_image_name("exists", first["start"], "ext4", "gz") == expected_image_name("exists", now, "ext4", "gz"), "the test crossed a minute"
    assert "exist" in first["error"].lower(), evidence(core, f"the error does not say the image exists: {first['error']!r}")
    assert listing(destination) == [name], f"the destination now holds {listing(destination)}"
    with open(path, "rb") as f:
        assert f.read() == content, "the existing image was overwritten"
    after = os.stat(path)
    assert (after.st_ino, after.st_mode, after.st_mtime_ns) == (before.st_ino, before.st_mode, before.st_mtime_ns)
