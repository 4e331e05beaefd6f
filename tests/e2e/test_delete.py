"""delete-clone end to end (docs/PROTOCOL.md §5), over ipc:// against the published core."""

import os
import shutil
import stat

from clone_support import (  # noqa: F401 - rig is a fixture
    assert_clone_run,
    assert_still_serving,
    chkimg,
    evidence,
    listing,
    rig,
    send_clone,
)


def delete(core, path, timeout=10):
    """Sends delete-clone; returns the answer about `path`."""
    core.send({"type": "delete-clone", "file": path})
    answer = core.wait_for(
        lambda m: m.get("type") in ("deleted-clone", "delete-clone-failed", "error"),
        timeout=timeout,
        what=f"answer to delete-clone {path}",
    )
    assert answer.get("file") == path, evidence(core, f"the answer is about {answer.get('file')!r}, not {path!r}: {answer}")
    return answer


def assert_refused(core, answer, what):
    assert answer["type"] == "delete-clone-failed", evidence(core, f"{what}: {answer}")
    error = answer.get("error")
    assert isinstance(error, str) and error.strip() and error.strip().rstrip(".") != "Failed", evidence(core, f"{what}: error {error!r}")


def make_image(rig, core, name="gone", compression="uncompressed"):
    device = rig.filesystem("ext4", files=False)
    destination = rig.directory()
    request = {"type": "clone", "source": device.path, "destination": destination, "name": name, "compression": compression}
    first, _ = send_clone(core, request)
    final = core.job_end(first["id"], "clone", timeout=60)
    assert final["type"] == "clone", evidence(core, f"could not make an image to delete: {final}")
    return destination, final["destination"]


def test_delete_clone_of_an_image_removes_it(rig):
    core = rig.core()
    destination, image = make_image(rig, core)
    neighbour = os.path.join(destination, "neighbour.txt")
    with open(neighbour, "w") as f:
        f.write("stays")
    assert os.path.isfile(image)

    answer = delete(core, image)

    assert answer["type"] == "deleted-clone", evidence(core, f"delete-clone of {image}: {answer}")
    assert not os.path.exists(image), "deleted-clone was sent but the image is still there"
    assert listing(destination) == ["neighbour.txt"]
    assert_still_serving(core)


def test_delete_clone_of_etc_passwd_is_refused_and_removes_nothing(rig):
    core = rig.core()
    with open("/etc/passwd", "rb") as f:
        content = f.read()
    mode = stat.S_IMODE(os.stat("/etc/passwd").st_mode)
    try:
        answer = delete(core, "/etc/passwd")
        assert_refused(core, answer, "delete-clone /etc/passwd")
        with open("/etc/passwd", "rb") as f:
            assert f.read() == content
    finally:
        if not os.path.exists("/etc/passwd"):  # a core that deleted it must not leave this machine broken
            with open("/etc/passwd", "wb") as f:
                f.write(content)
            os.chmod("/etc/passwd", mode)
    assert_still_serving(core)


def test_delete_clone_of_a_directory_named_like_an_image_is_refused_and_removes_nothing(rig):
    core = rig.core()
    parent = rig.directory()
    for name, with_content in (("work-2017-05-03T1020.apt.ext4.gz", False), ("full-2017-05-03T1020.apt.dd.zst", True)):
        directory = os.path.join(parent, name)
        os.mkdir(directory)
        if with_content:
            with open(os.path.join(directory, "inside"), "w") as f:
                f.write("inside")

        answer = delete(core, directory)

        assert_refused(core, answer, f"delete-clone of the directory {directory}")
        assert os.path.isdir(directory), f"the directory {directory} was removed"
        assert listing(directory) == (["inside"] if with_content else [])
    assert_still_serving(core)


def test_delete_clone_of_a_running_clones_file_is_refused_and_the_clone_goes_on(rig):
    core = rig.core()
    device = rig.big_ext4()
    destination = rig.directory()
    request = {"type": "clone", "source": device.path, "destination": destination, "name": "busy", "compression": "gz"}
    first, latency = send_clone(core, request)
    assert first["type"] == "clone", evidence(core, f"the clone was refused: {first}")
    progress = core.wait_for(lambda m: m.get("id") == first["id"], timeout=30, what="first progress message")
    assert progress["type"] == "clone" and progress.get("finish") is None, evidence(core, f"the clone ended too soon: {progress}")
    image = first["destination"]
    in_progress = image + ".inprogress"
    assert os.path.isfile(in_progress)

    for path in (image, in_progress):
        answer = delete(core, path)
        assert_refused(core, answer, f"delete-clone of the running clone's {path}")
        assert listing(destination) == [os.path.basename(in_progress)], evidence(core, f"after delete-clone {path} the destination holds {listing(destination)}")
        assert core.of_job(first["id"])[-1].get("finish") is None, evidence(core, "the clone ended before the test could delete its file; use a bigger device")

    final = core.job_end(first["id"], "clone", timeout=120)
    assert final["type"] == "clone", evidence(core, f"the clone did not survive the refused deletes: {final}")
    assert_clone_run(core, first["id"], request, image, latency)
    assert listing(destination) == [os.path.basename(image)]
    assert final["image_size"] == os.path.getsize(image)
    chkimg(image, "gz")


def test_delete_clone_of_a_missing_image_answers_no_such_file(rig):
    core = rig.core()
    parent = rig.directory()
    missing = [
        os.path.join(parent, "work-2017-05-03T1020.apt.ext4.gz"),
        os.path.join(parent, "no-such-directory", "work-2017-05-03T1020.apt.ext4.gz"),
    ]
    for path in missing:
        answer = delete(core, path)
        assert answer["type"] == "delete-clone-failed", evidence(core, f"delete-clone of missing {path}: {answer}")
        assert "No such file" in (answer.get("error") or ""), evidence(core, f"delete-clone of missing {path}: error {answer.get('error')!r}")
    assert listing(parent) == []
    assert_still_serving(core)


def test_delete_clone_of_an_image_removes_only_that_image_not_its_twin_in_progress(rig):
    """A deleted image leaves the rest of the directory, even files whose names extend its own."""
    core = rig.core()
    destination, image = make_image(rig, core, name="twin", compression="lz4")
    twins = [image + ".inprogress", image + ".bak"]
    for twin in twins:
        shutil.copyfile(image, twin)

    answer = delete(core, image)

    assert answer["type"] == "deleted-clone", evidence(core, f"{answer}")
    assert listing(destination) == sorted(os.path.basename(t) for t in twins)
