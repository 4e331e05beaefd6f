"""The `apart` command-line presenter, end to end: the published artifacts/apart-core/apart, which
binds its own ipc:// socket and spawns the published apart-core beside it, against real loop
devices, real partclone and real compressors. Also ./demo.sh as CI runs it, and `apart clone` in
a real terminal (tmux)."""

import glob
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

import pytest

import filesystems
from loops import run
from processes import children

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
APART = os.environ.get("APART", os.path.join(REPO, "artifacts", "apart-core", "apart"))
PERCENT_LINE = re.compile(r"^(clone|restore|verify|clone-disk|restore-disk) \d{1,3}\.\d%", re.MULTILINE)


def apart(*args, input=None, timeout=180):
    """Runs apart with pipes (not a terminal): exit code, stdout, stderr."""
    result = subprocess.run([APART, *args], input=input, capture_output=True, text=True, timeout=timeout, stdin=None if input is not None else subprocess.DEVNULL)
    return result.returncode, result.stdout, result.stderr


def one_line(stderr):
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line on stderr, got: {stderr!r}"
    return lines[0]


def listed_part(device):
    code, out, err = apart("list", "--json")
    assert code == 0, err
    listing = json.loads(out)
    for source in listing["sources"]:
        for part in source["parts"]:
            if part["path"] == device.path:
                return part, listing
    raise AssertionError(f"{device.path} is not in apart list --json: {out}")


def big_ext4(loops, size_mib=256, random_mib=200):
    """An ext4 device with incompressible data: its clone lasts seconds."""
    return filesystems.make_big_ext4(loops, size_mib, random_mib, label="clibig")


def pids_of(program):
    found = []
    for path in glob.glob("/proc/[0-9]*/cmdline"):
        try:
            with open(path, "rb") as f:
                argv = [part.decode(errors="replace") for part in f.read().split(b"\0") if part]
        except OSError:
            continue
        if argv and program(argv):
            found.append(int(path.split("/")[2]))
    return found


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_list_json_shows_a_loop_device_with_its_fstype_and_label(loops):
    device = filesystems.make(loops, "ext4", label="cli-list", files=False)

    part, listing = listed_part(device)

    assert part["fstype"] == "ext4"
    assert part["label"] == "cli-list"
    assert part["mounted"] is False
    assert part["size"] == device.size
    assert re.fullmatch(r"[0-9a-f-]{36}", part["uuid"])
    assert "gz" in listing["compression_options"]


def test_list_for_people_is_a_table(loops):
    device = filesystems.make(loops, "ext4", label="cli-table", files=False)

    code, out, err = apart("list")

    assert code == 0, err
    row = next(line for line in out.splitlines() if device.path + " " in line)
    assert "ext4" in row and "cli-table" in row and "32 MiB" in row
    assert "Compressions: gz" in out


def test_clone_restore_verify_round_trip_the_files(loops, workdir):
    source = filesystems.make(loops, "ext4", label="cliround")
    target = loops.attach(filesystems.SIZES["ext4"])
    # YAML must carry these exactly: ": ", a leading '*', '#'.
    destination = os.path.join(workdir, "*odd: dir #1")
    os.mkdir(destination)

    code, out, err = apart("clone", source.path, destination, "--name", "my: image")
    assert code == 0, err
    assert PERCENT_LINE.search(out), out
    assert "\r" not in out and "\x1b" not in out, "not a terminal: plain lines, no redraws"
    images = os.listdir(destination)
    assert len(images) == 1 and images[0].startswith("my: image-") and images[0].endswith(".apt.ext4.gz"), images
    image = os.path.join(destination, images[0])
    assert f"Image: {image}" in out
    assert f"({os.path.getsize(image)} bytes)" in out

    code, out, err = apart("restore", image, target.path, "--yes", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert (result["result"], result["job"], result["image"], result["device"]) == ("succeeded", "restore", image, target.path)
    assert PERCENT_LINE.search(err), "with --json, progress goes to standard error"

    code, out, err = apart("verify", image, "--json")
    assert code == 0, err
    assert json.loads(out)["result"] == "succeeded"

    assert filesystems.snapshot(loops, target, "ext4") == filesystems.snapshot(loops, source, "ext4")
    filesystems.check(target, "ext4")


def test_clone_json_names_the_image_and_its_size(loops, workdir):
    source = filesystems.make(loops, "ext4", label="clijson")

    code, out, err = apart("clone", source.name, workdir, "--compression", "zst", "--json")

    assert code == 0, err
    result = json.loads(out)
    assert result["result"] == "succeeded" and result["device"] == source.path
    assert result["image"].endswith(".apt.ext4.zst") and os.path.dirname(result["image"]) == workdir
    assert result["image_size"] == os.path.getsize(result["image"])

    code, out, err = apart("delete", result["image"])
    assert code == 0, err
    assert not os.path.exists(result["image"])


def test_restore_answered_no_leaves_the_device_untouched(loops, workdir):
    source = filesystems.make(loops, "ext4", label="clisrc")
    target = filesystems.make(loops, "ext4", label="clikeep", seed=2)
    code, out, err = apart("clone", source.path, workdir, "--json")
    assert code == 0, err
    image = json.loads(out)["image"]
    before = target.sha256()

    code, out, err = apart("restore", image, target.path, input="n\n")

    assert code != 0
    assert target.sha256() == before
    assert f"Overwrite {target.path}? [y/N]" in err
    assert "will be lost" in err
    assert "not restored" in err.splitlines()[-1]
    assert not PERCENT_LINE.search(out + err), "no restore may start"


def test_restore_with_no_answer_at_all_is_a_no(loops, workdir):
    source = filesystems.make(loops, "ext4", label="clisrc2")
    code, out, err = apart("clone", source.path, workdir, "--json")
    assert code == 0, err
    before = source.sha256()

    code, _, _ = apart("restore", json.loads(out)["image"], source.path, input="")

    assert code != 0
    assert source.sha256() == before


def test_ctrl_c_during_clone_cancels_through_the_core(loops, workdir):
    device = big_ext4(loops)
    process = subprocess.Popen([APART, "clone", device.path, workdir], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line)
            progress = re.match(r"clone (\d+\.\d)%", line)
            if progress and float(progress.group(1)) >= 1.0:
                break  # partclone is running
        assert any(PERCENT_LINE.match(line) for line in lines), f"no progress: {lines} {process.stderr.read() if process.poll() is not None else ''}"
        cores = [pid for pid in children(process.pid) if alive(pid)]
        assert len(cores) == 1, f"apart's children: {cores}"
        assert os.getsid(cores[0]) == cores[0] != os.getsid(process.pid), "the core runs in a session of its own"
        assert any(name.endswith(".inprogress") for name in os.listdir(workdir)), "the clone should be writing"

        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

    assert process.returncode == 130, (process.returncode, out, err)
    assert "cancelling" in out
    assert one_line(err) == "apart: clone cancelled: no image was kept"
    assert os.listdir(workdir) == [], "no .inprogress file, no image"
    assert not alive(cores[0]), "the core has exited"
    assert pids_of(lambda argv: device.path in argv and any(os.path.basename(a).startswith("partclone") for a in argv)) == [], "no partclone left"


def test_clone_disk_restore_disk_and_verify_of_the_directory_from_the_command_line(loops, workdir):
    import disks

    disk, parts = disks.gpt_disk(loops)
    before = disks.snapshot(loops, parts[3])
    target = loops.attach(128)

    listing = json.loads(apart("list", "--json")[1])
    source = next(s for s in listing["sources"] if s["path"] == disk.path)
    code, out, progress = apart("clone-disk", disk.name, workdir, "--name", "cli", "--json")
    assert code == 0, progress
    result = json.loads(out)
    image = result["image"]
    code, verified, err = apart("verify", image + "/")
    assert code == 0, err
    code, asked, err = apart("restore-disk", image, target.path, input="n\n")
    assert code == 1 and "Everything now on" in err and "not restored" in err, (code, err)
    code, restored, err = apart("restore-disk", image, target.name, "--yes", "--grow")

    assert source["table"] == "gpt" and [p["name"] for p in source["parts"]] == [parts[n].name for n in (1, 2, 3)], source
    assert result["result"] == "succeeded" and result["job"] == "clone-disk" and result["device"] == disk.path, result
    assert os.path.basename(image).startswith("cli-") and image.endswith("-img") and os.path.isdir(image)
    assert re.search(r"^clone-disk \d+\.\d% loop\d+p3", progress, re.MULTILINE), f"no progress naming the partition: {progress}"
    assert verified.splitlines()[-1].startswith(f"Verified: {image} "), verified
    assert code == 0 and f"Restored {image} to {target.path}" in restored, (code, restored, err)
    grown = disks.partitions(loops, target)[3]
    grown.fstype = "ext4"
    assert disks.snapshot(loops, grown) == before
    code, out, err = apart("delete", image)
    assert code == 0 and not os.path.exists(image), err


def test_failures_are_one_line_with_the_cores_reason(workdir):
    code, out, err = apart("clone", "/dev/apart-no-such-device", workdir)

    assert code == 1
    line = one_line(err)
    assert line.startswith("apart: clone failed: ") and "/dev/apart-no-such-device" in line
    assert os.listdir(workdir) == []


def test_a_wrong_command_line_exits_2():
    code, _, err = apart("clone", "only-one-argument")

    assert code == 2
    assert one_line(err).startswith("apart: ")


def test_every_command_has_help():
    for command in ("list", "clone", "restore", "verify", "delete", "demo", "clone-disk", "restore-disk"):
        code, out, err = apart(command, "--help")
        assert code == 0, err
        assert "USAGE:" in out and f"apart {command}" in out


def test_clone_in_a_terminal_draws_a_progress_bar(loops, workdir):
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed (scripts/install-deps.sh installs it)")
    device = big_ext4(loops, size_mib=400, random_mib=300)  # lasts long enough for partclone to report a rate
    session = f"apart-cli-test-{os.getpid()}"
    done = os.path.join(workdir, "exit-code")
    command = f"{APART} clone {device.path} {workdir}/out; echo $? > {done}; sleep 60"
    os.mkdir(os.path.join(workdir, "out"))
    run("tmux", "new-session", "-d", "-s", session, "-x", "100", "-y", "30", command)
    try:
        captures = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not os.path.exists(done):
            captures.append(run("tmux", "capture-pane", "-p", "-J", "-t", session).stdout)
            time.sleep(0.5)
        time.sleep(0.5)
        final = run("tmux", "capture-pane", "-p", "-J", "-t", session).stdout
    finally:
        run("tmux", "kill-session", "-t", session, check=False)

    with open(done) as f:
        assert f.read().strip() == "0", final
    print("\n--- while running ---\n" + next((c for c in captures if "ETA" in c), captures[-1] if captures else "").strip())
    print("--- at the end ---\n" + final.strip())
    assert any("━" in c and re.search(r"\d+%", c) for c in captures), captures[-3:]
    assert any("ETA" in c or "syncing" in c for c in captures), captures[-3:]
    image = os.listdir(os.path.join(workdir, "out"))[0]
    assert f"Image: {workdir}/out/{image}" in final
    assert "100% done" in final


def test_ctrl_c_in_a_terminal_reaches_only_apart_which_cancels_through_the_core(loops, workdir):
    """The terminal sends SIGINT to its whole foreground process group: the core, in a session
    of its own, must not get it, or it would stop the job itself and apart would not see its
    own cancel confirmed."""
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed (scripts/install-deps.sh installs it)")
    device = big_ext4(loops)
    session = f"apart-cli-test-{os.getpid()}"
    done = os.path.join(workdir, "exit-code")
    os.mkdir(os.path.join(workdir, "out"))
    run("tmux", "new-session", "-d", "-s", session, "-x", "100", "-y", "30",
        f"{APART} clone {device.path} {workdir}/out 2> {workdir}/stderr; echo $? > {done}; sleep 60")
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not re.search(r"\b([1-9]\d?)%", run("tmux", "capture-pane", "-p", "-t", session).stdout):
            time.sleep(0.2)
        run("tmux", "send-keys", "-t", session, "C-c")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not os.path.exists(done):
            time.sleep(0.2)
        screen = run("tmux", "capture-pane", "-p", "-J", "-t", session).stdout
    finally:
        run("tmux", "kill-session", "-t", session, check=False)

    with open(done) as f:
        assert f.read().strip() == "130", screen
    with open(os.path.join(workdir, "stderr")) as f:
        assert f.read().strip() == "apart: clone cancelled: no image was kept"
    assert "cancelling" in screen
    assert os.listdir(os.path.join(workdir, "out")) == []


def _work_tree_copy(destination):
    """The files a fresh clone would have (tracked and new, not ignored), copied to `destination`."""
    listed = subprocess.run(["git", "-C", REPO, "ls-files", "-z", "--cached", "--others", "--exclude-standard"], capture_output=True, check=True)
    for relative in listed.stdout.decode().split("\0"):
        source = os.path.join(REPO, relative)
        if not relative or not os.path.lexists(source):
            continue
        target = os.path.join(destination, relative)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(source, target, follow_symlinks=False)


def _demo_leftovers():
    loops = [line for line in run("losetup", "-a").stdout.splitlines() if "apart-demo-" in line]
    files = glob.glob(os.path.join(tempfile.gettempdir(), "apart-demo-*")) + glob.glob("/tmp/apart-cli-*.ipc")
    return loops, files


def test_demo_sh_as_ci_runs_it_passes_and_leaves_nothing_behind(loops):
    """./demo.sh installs, builds and runs `apart demo`. It runs in a copy of the work tree so that
    its rebuild of artifacts/ does not pull the layout from under anything else using it."""
    if shutil.which("git") is None or not os.path.isdir(os.path.join(REPO, ".git")):
        pytest.skip("needs a git work tree to copy")
    sentinel = loops.attach(16)  # a loop device the demo did not make: it must stay attached
    before = _demo_leftovers()
    copy = tempfile.mkdtemp(prefix="apart-cli-demo-sh-")
    try:
        _work_tree_copy(copy)
        env = dict(os.environ, CI="true")
        env.pop("APART_CORE", None)
        result = subprocess.run(["./demo.sh"], cwd=copy, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=1500)
    finally:
        shutil.rmtree(copy, ignore_errors=True)

    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    assert PERCENT_LINE.search(result.stdout), result.stdout[-3000:]
    assert "Summary" in result.stdout and "identical in content, size and mode" in result.stdout, result.stdout[-3000:]
    assert "\x1b" not in result.stdout and "\r" not in result.stdout, "CI is no terminal: plain lines"
    assert _demo_leftovers() == before, "the demo left a loop device or a temporary folder behind"
    assert sentinel.path in run("losetup", "--list", "--noheadings", "--output", "NAME").stdout.split(), "the demo detached a device it did not make"
