"""The plugin SDK, as a third party uses it (docs/PLUGINS.md).

examples/Compression.Xz was generated from the `apart-codec` template and builds outside the
solution, against the Apart.Abstractions package packed into a local feed, never against the
sources: its build.sh packs the SDK, builds the plugin and prints the plugin folder. That folder,
copied into an installed core's plugins/, makes `xz` a compression option, and images cloned with
it verify and restore intact. The same plugin built against a contract version the host does not
load is skipped, and the core's log names both versions.

Both builds run once for the module (about 15 s each); each test installs into its own copy of
the published core, never into artifacts/apart-core, which other tests use at the same time."""

import os
import re
import shutil
import subprocess

import pytest

import filesystems
from foundation_support import core_copy, end_with_kill_request, wait_started
from presenter import REPO
from restore_support import assert_success_run, run_job

PLUGIN = "Compression.Xz"
BUILD = os.path.join(REPO, "examples", PLUGIN, "build.sh")
INCOMPATIBLE = "99.0.0"  # another major version than any this host offers
XZ_MAGIC = b"\xfd7zXZ\x00"


def host_contract_version():
    """Apart.Abstractions' version, from the one place it is written."""
    with open(os.path.join(REPO, "src", "Apart.Abstractions", "Apart.Abstractions.csproj"), encoding="utf-8") as f:
        return re.search(r"<Version>([^<]+)</Version>", f.read()).group(1)


def build_example(version=None):
    """Runs build.sh (APART_SDK_VERSION=version when given); returns the plugin folder it printed last."""
    env = dict(os.environ)
    env.pop("APART_SDK_VERSION", None)
    if version:
        env["APART_SDK_VERSION"] = version
    done = subprocess.run([BUILD], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"build.sh failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    folder = done.stdout.strip().splitlines()[-1]
    assert os.path.isabs(folder) and os.path.isfile(os.path.join(folder, PLUGIN + ".dll")), f"last line {folder!r}:\n{done.stdout}\n{done.stderr}"
    assert not os.path.exists(os.path.join(folder, "Apart.Abstractions.dll")), "the plugin ships the contracts"
    return folder


@pytest.fixture(scope="module")
def built():
    """The example built against the SDK as packed, and against an incompatible version of it."""
    return {"compatible": build_example(), "incompatible": build_example(INCOMPATIBLE)}


def installed_core(directory, plugin_folder):
    """A copy of the published core, the plugin folder copied under its plugins/ as an installer would."""
    core = core_copy(str(directory))
    shutil.copytree(plugin_folder, os.path.join(os.path.dirname(core), "plugins", PLUGIN))
    return core


def test_the_xz_example_built_from_the_packed_sdk_adds_xz_and_its_images_verify_and_restore_intact(built, presenters, loops, tmp_path):
    core = installed_core(tmp_path, built["compatible"])
    source = filesystems.make(loops, "ext4", size_mib=32, files=True)
    before = filesystems.snapshot(loops, source, "ext4")
    target = loops.attach(32)
    images = tmp_path / "images"
    images.mkdir()
    presenter = presenters(core=core)

    started = wait_started(presenter)
    assert "xz" in started["compression_options"], f"{started['_raw']}\n{presenter.log()}"
    assert PLUGIN in presenter.log(), presenter.log()

    clone = {"type": "clone", "source": source.path, "destination": str(images), "name": "sdk", "compression": "xz"}
    first, end = run_job(presenter, clone, "clone")
    assert end["type"] == "clone" and end["complete"] == 1.0, f"{end['_raw']}\n{presenter.log()}"
    image = end["destination"]
    assert image.endswith(".apt.ext4.xz"), end["_raw"]
    assert os.path.getsize(image) == end["image_size"]
    with open(image, "rb") as f:
        assert f.read(len(XZ_MAGIC)) == XZ_MAGIC, f"{image} is not an xz stream"

    first, verified = run_job(presenter, {"type": "verify", "source": image}, "verify")
    assert verified["type"] == "verify" and verified["complete"] == 1.0, f"{verified['_raw']}\n{presenter.log()}"

    restore = {"type": "restore", "source": image, "destination": target.path}
    first, restored = run_job(presenter, restore, "restore")
    assert restored["type"] == "restore" and restored["complete"] == 1.0, f"{restored['_raw']}\n{presenter.log()}"
    assert_success_run(presenter, first["id"], "restore", restore, require_syncing=True)
    filesystems.check(target, "ext4")
    after = filesystems.snapshot(loops, target, "ext4")
    changed = sorted(path for path in set(before) | set(after) if before.get(path) != after.get(path))
    assert not changed, f"files missing, extra or different after the restore: {changed}"
    end_with_kill_request(presenter)


def test_the_example_built_against_an_incompatible_contract_version_is_skipped_naming_both_versions(built, presenters, tmp_path, record_property):
    core = installed_core(tmp_path, built["incompatible"])
    presenter = presenters(core=core)

    started = wait_started(presenter)

    host = host_contract_version()
    expected = f"Skipped the plugin folder {PLUGIN}: built against Apart.Abstractions {INCOMPATIBLE.rsplit('.', 1)[0]}, this host offers {host}"
    log = presenter.log()
    assert expected in log, log
    line = next(line for line in log.splitlines() if expected in line)
    assert "xz" not in started["compression_options"], started["_raw"]
    assert "gz" in started["compression_options"], started["_raw"]  # the other plugins load as ever
    end_with_kill_request(presenter)
    record_property("shown", f"plugin SDK: the core skipped the incompatible plugin: {line.strip()}")
