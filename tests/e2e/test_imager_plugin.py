"""A second imager, from a plugin folder of its own, run by the unchanged host.

tests/TestPlugins/Sample.Imager images any device byte for byte with coreutils' dd, under the
format name `bytes`: its own programs, its own progress lines, its own way of checking images.
Installed in place of Imaging.Partclone, it clones, verifies and restores through the protocol
exactly as partclone does; nothing in the host knows it is there."""

import os
import shutil
import subprocess

import pytest

import filesystems
from foundation_support import core_copy, end_with_kill_request, wait_started
from presenter import REPO
from restore_support import assert_success_run, run_job

PLUGIN = "Sample.Imager"


@pytest.fixture(scope="module")
def sample_imager_build():
    """The test plugin's build output (built by the unit tests; built here if they have not run)."""
    built = os.path.join(REPO, "tests", "TestPlugins", PLUGIN, "bin", "Release", "net10.0")
    if not os.path.exists(os.path.join(built, PLUGIN + ".dll")):
        subprocess.run(["dotnet", "build", "-c", "Release", "-nologo", "-v", "q", os.path.join(REPO, "tests", "TestPlugins", PLUGIN)], check=True)
    return built


@pytest.fixture
def core_with_sample_imager(tmp_path, sample_imager_build):
    core = core_copy(str(tmp_path), remove=["Imaging.Partclone"])
    shutil.copytree(sample_imager_build, os.path.join(os.path.dirname(core), "plugins", PLUGIN))
    return core


def test_a_second_imager_clones_verifies_and_restores_through_the_unchanged_host(presenters, loops, tmp_path, core_with_sample_imager):
    source = filesystems.make(loops, "ext4", size_mib=32, files=True)
    target = loops.attach(48)
    images = tmp_path / "images"
    images.mkdir()
    presenter = presenters(core=core_with_sample_imager)
    started = wait_started(presenter)
    assert PLUGIN in presenter.log() and "Imaging.Partclone" not in presenter.log(), presenter.log()

    clone_request = {"type": "clone", "source": source.path, "destination": str(images), "name": "sample", "compression": "zst"}
    first, end = run_job(presenter, clone_request, "clone")
    assert end["type"] == "clone" and end["complete"] == 1.0, f"{end['_raw']}\n{presenter.log()}"
    assert end["destination"].endswith(".apt.bytes.zst"), end["_raw"]
    assert os.path.getsize(end["destination"]) == end["image_size"]
    image = end["destination"]

    first, verified = run_job(presenter, {"type": "verify", "source": image}, "verify")
    assert verified["type"] == "verify" and verified["complete"] == 1.0, verified["_raw"]
    assert_success_run(presenter, first["id"], "verify", {"type": "verify", "source": image})

    restore = {"type": "restore", "source": image, "destination": target.path}
    first, restored = run_job(presenter, restore, "restore")
    assert restored["type"] == "restore" and restored["complete"] == 1.0, f"{restored['_raw']}\n{presenter.log()}"
    assert_success_run(presenter, first["id"], "restore", restore, require_syncing=True)
    assert target.sha256(source.size) == source.sha256(), "the restored bytes differ from the source's"
    filesystems.check(target, "ext4")
    assert started["compression_options"]
    end_with_kill_request(presenter)


def test_a_device_too_small_for_the_second_imagers_image_is_refused_before_a_byte_is_written(presenters, loops, tmp_path, core_with_sample_imager):
    source = filesystems.make(loops, "ext4", size_mib=32, files=False)
    small = loops.attach(16)
    before = small.sha256()
    images = tmp_path / "images"
    images.mkdir()
    presenter = presenters(core=core_with_sample_imager)
    wait_started(presenter)
    _, end = run_job(presenter, {"type": "clone", "source": source.path, "destination": str(images), "name": "big", "compression": "uncompressed"}, "clone")
    assert end["type"] == "clone", end["_raw"]

    _, refused = run_job(presenter, {"type": "restore", "source": end["destination"], "destination": small.path}, "restore")
    assert refused["type"] == "restore-failed" and "too small" in refused["error"], refused["_raw"]
    assert small.sha256() == before
    end_with_kill_request(presenter)
