"""`apart mount`, `unmount`, `ls` and `cp` end to end (docs/PROTOCOL.md §11, README): the published
apart and apart-core, images made by `apart clone` from real filesystems."""

import json
import os
import signal
import stat
import subprocess

import pytest

import filesystems
from mount_support import MountTrace
from processes import wait_until
from test_cli import APART, apart


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """Index files of the cores these commands start go to the test's own directory."""
    directory = tmp_path / "cache"
    directory.mkdir()
    monkeypatch.setenv("APART_CacheDirectory", str(directory))
    return str(directory)


@pytest.fixture
def image(loops, tmp_path, cache):
    """An ext4 image (zst) of the sample files, and the files as the filesystem held them."""
    source = filesystems.make(loops, "ext4", size_mib=32, seed=21)
    before = filesystems.snapshot(loops, source, "ext4")
    code, out, err = apart("clone", source.path, str(tmp_path), "--compression", "zst", "--json")
    assert code == 0, err
    return json.loads(out)["image"], before


def test_ls_lists_a_directory_of_the_image_like_ls_la_and_leaves_nothing_mounted(image):
    path, _ = image

    code, out, err = apart("ls", path, "/docs")
    json_code, listed, _ = apart("ls", path, "docs/deep", "--json")

    assert code == 0, err
    lines = out.splitlines()
    assert [line.split()[-1] for line in lines] == ["deep", "notes.md"], out
    assert lines[0].startswith("drwx------ ") and lines[1].startswith("-rw-r--r-- "), out
    assert json_code == 0
    entries = json.loads(listed)["entries"]
    assert [(e["name"], e["type"], e["mode"]) for e in entries] == [("er", "directory", "0755")], listed
    assert not [line for line in open("/proc/self/mountinfo") if path in line]


def test_ls_of_what_is_not_there_fails_in_one_line(image):
    path, _ = image

    code, _, err = apart("ls", path, "/no/such/dir")

    assert code == 1 and err.strip().startswith("apart: ls failed:") and "/no/such/dir" in err and len(err.strip().splitlines()) == 1, err


def test_cp_copies_a_file_and_a_tree_out_with_modes_times_and_links(image, tmp_path):
    path, before = image
    out_dir = tmp_path / "out"
    out_dir.mkdir()

    code, out, err = apart("cp", path, "/readme.txt", str(out_dir))
    tree_code, _, tree_err = apart("cp", path, "/", str(tmp_path / "whole"))

    assert code == 0, err
    assert out.startswith(f"Copied /readme.txt to {out_dir}/readme.txt"), out
    copied = filesystems.tree(str(out_dir), modes=True)
    assert copied["readme.txt"] == before["readme.txt"]
    assert tree_code == 0, tree_err
    whole = filesystems.tree(str(tmp_path / "whole"), modes=True)
    assert {k: v for k, v in whole.items() if k != "lost+found"} == before
    assert os.readlink(tmp_path / "whole" / "link-to-notes") == "docs/notes.md"


def test_cp_never_overwrites_and_says_so_before_opening_the_image(image, tmp_path):
    path, _ = image
    existing = tmp_path / "readme.txt"
    existing.write_text("mine")

    code, _, err = apart("cp", path, "/readme.txt", str(tmp_path))

    assert code == 1 and "exists already" in err, err
    assert existing.read_text() == "mine"


def test_mount_prints_the_path_holds_it_until_apart_unmount_and_then_leaves_nothing(image):
    path, before = image
    holder = subprocess.Popen([APART, "mount", path], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        mounted = holder.stdout.readline().strip()
        assert mounted.startswith("/"), holder.stderr.read() if holder.poll() is not None else mounted
        trace = MountTrace(mounted)
        assert filesystems.tree(mounted, modes=True) == before

        code, out, err = apart("unmount", mounted)

        assert code == 0 and out.strip() == f"Unmounted {mounted}", err
        assert holder.wait(timeout=60) == 0, holder.stderr.read()
        assert trace.leftovers() == []
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()


def test_mount_onto_a_directory_ends_on_ctrl_c_and_unmount_of_nothing_fails(image, tmp_path):
    path, _ = image
    target = tmp_path / "here"
    target.mkdir()
    holder = subprocess.Popen([APART, "mount", path, str(target), "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = holder.stdout.readline()
        while not first.rstrip().endswith("}") and first.strip() != "}":
            line = holder.stdout.readline()
            if not line:
                break
            first += line
        mounted = json.loads(first)
        assert mounted["path"] == str(target) and mounted["fstype"] and mounted["image"] == path
        trace = MountTrace(str(target))

        holder.send_signal(signal.SIGINT)

        assert holder.wait(timeout=60) == 0, holder.stderr.read()
        assert trace.leftovers() == []
        assert stat.S_ISDIR(os.lstat(target).st_mode) and os.listdir(target) == []
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
    code, _, err = apart("unmount", str(target))
    assert code == 1 and "unmount failed" in err, err
