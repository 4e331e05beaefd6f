"""The Debian packages (packaging/debian), end to end, on this machine: built from this tree by
packaging/debian/build.sh, checked by lintian, installed with apt-get (which pulls what they need
from Debian's archive), used through the installed /usr/bin/apart and /usr/lib/apart/apart-core
(list; clone, verify and restore on loop devices; the xz example plugin, built from the template
against the packed SDK, copied into the installed core's plugins/ adds xz, and an xz image
round-trips), apart-core-lz4 removed (lz4 leaves the
compressions, nothing else changes), then all purged: the files under /usr, /etc, /var/lib and
/opt, and the installed packages, are what they were before.

The test leaves the machine as it found it, whatever happens: everything it installed is purged in
a `finally`, with the group `apart` the packages' sysusers entry creates (Debian leaves system
groups behind on purge; the test removes it when it did not exist before).

APART_DEB_DIR=DIR uses the .debs already built in DIR instead of building them here (a build from
a fresh tree takes a few minutes).
"""

import json
import os
import re
import shutil
import stat
import subprocess

import pytest

import filesystems
from loops import run

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(REPO, "packaging", "debian", "build.sh")
XZ_BUILD = os.path.join(REPO, "examples", "Compression.Xz", "build.sh")
PACKAGES = ["apart-core", "apart-core-zstd", "apart-core-lz4", "apart"]
APART = "/usr/bin/apart"
LIBDIR = "/usr/lib/apart"
GROUP = "apart"
# The core's state directory: the packaged core's (the unit's StateDirectory), and the default of
# every core the rest of the suite runs at the same time, so it is not compared.
STATE_DIRECTORY = "/var/lib/apart-core"
SCANNED = ["/usr", "/etc", "/var/lib", "/opt"]
# apt's and dpkg's own bookkeeping (the packages' own files in /var/lib/dpkg/info are compared),
# and what other tests running meanwhile may write.
NOT_COMPARED = re.compile(r"^(/var/lib/apt/|/var/lib/dpkg/(?!info/)|/var/lib/dpkg/info/(?!apart)|" + re.escape(STATE_DIRECTORY) + r"(/|$))|/__pycache__(/|$)")
APT_ENV = {"DEBIAN_FRONTEND": "noninteractive"}


def apt_get(*args, timeout=900):
    """apt-get, waiting for dpkg's lock if someone else holds it."""
    command = ["apt-get", "-o", "DPkg::Lock::Timeout=300", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=dict(os.environ, **APT_ENV))


def installed_packages():
    result = run("dpkg-query", "-W", "-f", "${Package}\t${db:Status-Abbrev}\n")
    return {line.split("\t")[0] for line in result.stdout.splitlines() if line.split("\t")[1].startswith("ii")}


def present_packages():
    """Packages dpkg knows with any files or configuration on the machine (not purged)."""
    result = run("dpkg-query", "-W", "-f", "${Package}\t${db:Status-Abbrev}\n")
    return {line.split("\t")[0] for line in result.stdout.splitlines() if not line.split("\t")[1].startswith("un")}


def scan():
    """Every path under SCANNED (one filesystem each), but those NOT_COMPARED."""
    found = set()
    for top in SCANNED:
        device = os.lstat(top).st_dev
        for directory, subdirectories, files in os.walk(top):
            kept = []
            for name in subdirectories:
                path = os.path.join(directory, name)
                try:
                    if os.lstat(path).st_dev == device:
                        kept.append(name)
                except FileNotFoundError:
                    continue
            subdirectories[:] = kept
            for name in kept + files:
                path = os.path.join(directory, name)
                if not NOT_COMPARED.search(path):
                    found.add(path)
    return found


def group_exists(name):
    return run("getent", "group", name, check=False).returncode == 0


def apart(*args, timeout=180, extra_env=None):
    env = dict(os.environ, **(extra_env or {}))
    env.pop("APART_CORE", None)  # the core beside the installed apart, as a user's
    env.pop("APART_CONNECT", None)
    result = subprocess.run([APART, *args], capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL, env=env, cwd="/")
    return result.returncode, result.stdout, result.stderr


def compressions():
    code, out, err = apart("list", "--json")
    assert code == 0, err
    return json.loads(out)["compression_options"]


def control_field(deb, field):
    return run("dpkg-deb", "--field", deb, field).stdout.strip()


@pytest.fixture(scope="module")
def debs():
    """The four .debs: APART_DEB_DIR's, or built here by packaging/debian/build.sh."""
    directory = os.environ.get("APART_DEB_DIR")
    if not directory:
        result = subprocess.run([BUILD], capture_output=True, text=True, timeout=1500, cwd=REPO)
        assert result.returncode == 0, f"packaging/debian/build.sh failed ({result.returncode}):\n{result.stdout[-6000:]}\n{result.stderr[-6000:]}"
        directory = os.path.join(REPO, "artifacts", "deb")
    found = {}
    for name in sorted(os.listdir(directory)):
        if name.endswith(".deb"):
            found[control_field(os.path.join(directory, name), "Package")] = os.path.join(os.path.abspath(directory), name)
    assert sorted(found) == sorted(PACKAGES), f"{directory} holds {sorted(found)}"
    return found


def test_lintian_reports_no_errors_and_no_unexplained_warnings(debs):
    for package, deb in debs.items():
        result = subprocess.run(["lintian", "--no-tag-display-limit", deb], capture_output=True, text=True, timeout=600)
        tags = [line for line in result.stdout.splitlines() if re.match(r"^[EW]: ", line)]
        assert not [line for line in tags if line.startswith("E: ")], f"lintian {package}:\n{result.stdout}{result.stderr}"
        assert not tags, f"lintian {package} warns (the README lists the warnings kept; none are):\n{result.stdout}"
        assert result.returncode == 0, f"lintian {package} failed ({result.returncode}): {result.stderr}"


def test_the_packages_hold_every_file_once_and_apart_only_the_cli(debs):
    owners = {}
    for package, deb in debs.items():
        for line in run_tar_list(deb):
            if not line.endswith("/"):
                owners.setdefault(line, []).append(package)
    twice = {path: packages for path, packages in owners.items() if len(packages) > 1}
    assert not twice, twice
    cli = sorted(path for path, packages in owners.items() if packages == ["apart"])
    assert "./usr/lib/apart/apart" in cli and "./usr/lib/apart/apart.dll" in cli and "./usr/bin/apart" in cli, cli
    assert not [path for path in cli if re.search(r"/(libcoreclr\.so|System\.Private\.CoreLib\.dll|apart-core)$", path)], cli
    assert owners["./usr/lib/apart/libcoreclr.so"] == ["apart-core"], "the private .NET runtime is in apart-core"
    assert all(path.startswith("./usr/lib/apart/plugins/Compression.Zstd/") or path.startswith("./usr/share/doc/") for path, p in owners.items() if p == ["apart-core-zstd"])
    assert all(path.startswith("./usr/lib/apart/plugins/Compression.Lz4/") or path.startswith("./usr/share/doc/") for path, p in owners.items() if p == ["apart-core-lz4"])


def run_tar_list(deb):
    """The paths in a .deb's data (./usr/…)."""
    data = subprocess.run(["dpkg-deb", "--fsys-tarfile", deb], capture_output=True, check=True).stdout
    return subprocess.run(["tar", "-t"], input=data, capture_output=True, check=True).stdout.decode().splitlines()


def test_installed_packages_clone_verify_restore_and_purge_to_nothing(debs, loops, tmp_path):
    already = present_packages() & set(PACKAGES)
    assert not already, f"{sorted(already)} already installed: this test would remove them"
    assert not os.path.lexists(LIBDIR) and not os.path.lexists(APART), f"{LIBDIR} or {APART} exists without the packages (a hand copy?): this test would remove it"

    packages_before = present_packages()
    files_before = scan()
    group_before = group_exists(GROUP)
    state_before = os.lstat(STATE_DIRECTORY) if os.path.isdir(STATE_DIRECTORY) else None
    state_inprogress_before = os.lstat(os.path.join(STATE_DIRECTORY, "inprogress")) if os.path.isdir(os.path.join(STATE_DIRECTORY, "inprogress")) else None
    pulled = set()
    try:
        result = apt_get("install", "-y", *debs.values())
        assert result.returncode == 0, f"apt-get install failed ({result.returncode}); without the network apt cannot fetch the packages' dependencies:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
        installed = installed_packages()
        assert set(PACKAGES) <= installed
        pulled = present_packages() - packages_before - set(PACKAGES)
        fetched = set(re.findall(r"^Get:\d+ (?:https?|file|cdrom)\S* \S+ \S+ (\S+) ", result.stdout, re.MULTILINE))
        assert pulled <= fetched, f"installed but not fetched from the archive: {sorted(pulled - fetched)}\n{result.stdout}"
        for package, deb in debs.items():
            for alternatives in filter(None, (part.strip() for part in control_field(deb, "Depends").split(","))):
                names = [re.sub(r"[\s(:].*", "", choice.strip()) for choice in alternatives.split("|")]
                assert any(name in installed for name in names), f"{package} Depends: {alternatives}: not installed"
        owned = set()
        for package in PACKAGES:
            owned.update(path for path in run("dpkg", "-L", package).stdout.splitlines() if path.startswith("/"))
        assert os.path.realpath(APART) == os.path.join(LIBDIR, "apart")
        assert not group_before or group_exists(GROUP)
        assert group_exists(GROUP), "the sysusers entry creates the group apart"
        assert not os.path.exists("/etc/systemd/system/multi-user.target.wants/apart-core.service"), "the unit is not enabled"

        # apart list, through the symlink: the core and the plugins beside the real apart.
        code, out, err = apart("list")
        assert code == 0, err
        assert "Compressions: gz, uncompressed, zst, lz4" in out, out
        # The runtime is the private one beside apart, not a .NET the machine may have (this
        # one has the SDK in /usr/share/dotnet; a user's has none).
        code, out, err = apart("list", extra_env={"COREHOST_TRACE": "1", "COREHOST_TRACE_VERBOSITY": "3", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"})
        assert code == 0, err[-3000:]
        hostfxr = re.findall(r"^.*libhostfxr\.so.*$", err, re.MULTILINE)
        assert hostfxr and all("/usr/share/dotnet" not in line for line in hostfxr), hostfxr
        assert any(f"{LIBDIR}/libhostfxr.so" in line for line in hostfxr), hostfxr

        # A round trip through the installed apart and apart-core.
        source = filesystems.make(loops, "ext4", label="debround")
        target = loops.attach(filesystems.SIZES["ext4"])
        images = tmp_path / "images"
        images.mkdir()
        code, out, err = apart("clone", source.path, str(images), "--name", "pkg", "--json")
        assert code == 0, err
        image = json.loads(out)["image"]
        assert image.endswith(".apt.ext4.gz") and os.path.getsize(image) == json.loads(out)["image_size"]
        code, out, err = apart("verify", image, "--json")
        assert code == 0 and json.loads(out)["result"] == "succeeded", err
        code, out, err = apart("restore", image, target.path, "--yes", "--json")
        assert code == 0 and json.loads(out)["result"] == "succeeded", err
        assert filesystems.snapshot(loops, target, "ext4") == filesystems.snapshot(loops, source, "ext4")
        filesystems.check(target, "ext4")

        # A third party's plugin, built from the template against the packed SDK, copied into the
        # installed core's plugins/ (and removed again: it is no file of the packages').
        xz = os.path.join(LIBDIR, "plugins", "Compression.Xz")
        built = subprocess.run([XZ_BUILD], capture_output=True, text=True, timeout=600, env={k: v for k, v in os.environ.items() if k != "APART_SDK_VERSION"})
        assert built.returncode == 0, built.stderr[-3000:]
        shutil.copytree(built.stdout.strip().splitlines()[-1], xz)
        try:
            assert compressions() == ["gz", "uncompressed", "zst", "lz4", "xz"]
            code, out, err = apart("clone", source.path, str(images), "--name", "pkgxz", "--compression", "xz", "--json")
            assert code == 0, err
            xz_image = json.loads(out)["image"]
            assert xz_image.endswith(".apt.ext4.xz")
            code, out, err = apart("restore", xz_image, target.path, "--yes", "--json")
            assert code == 0 and json.loads(out)["result"] == "succeeded", err
            assert filesystems.snapshot(loops, target, "ext4") == filesystems.snapshot(loops, source, "ext4")
        finally:
            shutil.rmtree(xz)

        # Removing apart-core-lz4 takes lz4 away, and nothing else.
        options = compressions()
        assert options == ["gz", "uncompressed", "zst", "lz4"], options
        lz4_files = {path for path in run("dpkg", "-L", "apart-core-lz4").stdout.splitlines() if os.path.isfile(path)}
        files_with_lz4 = scan()
        result = apt_get("remove", "-y", "apart-core-lz4")
        assert result.returncode == 0, result.stdout + result.stderr
        assert compressions() == [option for option in options if option != "lz4"]
        assert present_packages() - {"apart-core-lz4"} == packages_before | pulled | set(PACKAGES) - {"apart-core-lz4"}, "apt-get remove apart-core-lz4 removed or added another package"
        assert installed_packages() >= set(PACKAGES) - {"apart-core-lz4"}
        gone = files_with_lz4 - scan()
        assert {path for path in gone if not os.path.isdir(path)} >= lz4_files
        assert all(path.startswith(os.path.join(LIBDIR, "plugins", "Compression.Lz4")) or "apart-core-lz4" in path for path in gone), sorted(gone)
    finally:
        purge = apt_get("purge", "-y", *sorted((present_packages() & set(PACKAGES)) | pulled))
        if not group_before and group_exists(GROUP):
            run("groupdel", GROUP, check=False)
        restore_state_directory(state_before, state_inprogress_before)

    assert purge.returncode == 0, purge.stdout + purge.stderr
    assert present_packages() == packages_before, f"packages differ after purge: {sorted(present_packages() ^ packages_before)}"
    files_after = scan()
    left = sorted(files_after - files_before)
    assert not left, f"left behind after purge: {left[:50]}"
    # And every file dpkg listed as theirs is gone (directories such as /usr/lib/systemd stay:
    # others own them; a directory of theirs left behind is in the comparison above).
    kept = sorted(path for path in owned if os.path.lexists(path) and not os.path.isdir(path))
    assert not kept, f"files of the packages left after purge: {kept[:50]}"
    lost = sorted(files_before - files_after)
    assert not lost, f"gone after purge though there before: {lost[:50]}"


def restore_state_directory(state_before, inprogress_before):
    """Purging apart-core removes /var/lib/apart-core when it is empty; this machine's other cores
    (the suite's) share it, so it is put back as it was."""
    for path, before in ((STATE_DIRECTORY, state_before), (os.path.join(STATE_DIRECTORY, "inprogress"), inprogress_before)):
        if before is not None and not os.path.isdir(path):
            os.makedirs(path, exist_ok=True)
            os.chmod(path, stat.S_IMODE(before.st_mode))
            os.chown(path, before.st_uid, before.st_gid)
