"""Images owned by who asked: a presenter running as a user (a member of the service's group)
gets images and image directories owned by that user, mode 0600, readable by them, in
directories they may write in; a core started through pkexec gives a root presenter's images to
PKEXEC_UID; root's stay root's."""

import json
import os
import pwd
import stat
import subprocess

import disks
import filesystems
from presenter import REPO, Presenter
from restore_support import run_job
from service_support import accounts, bounding_set, service, setpriv_bounded  # noqa: F401 - fixtures

APART = os.environ.get("APART", os.path.join(REPO, "artifacts", "apart-core", "apart"))


def apart_as(user, *args, timeout=180):
    """The published `apart`, run as `user` (through setpriv): exit code, stdout, stderr."""
    entry = pwd.getpwnam(user)
    command = ["setpriv", f"--reuid={entry.pw_uid}", f"--regid={entry.pw_gid}", "--init-groups", APART, *args]
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL,
                            env={"PATH": "/usr/bin:/bin:/usr/sbin:/sbin", "LANG": "C.UTF-8"}, cwd="/tmp")
    return result.returncode, result.stdout, result.stderr


def read_as(user, path):
    """The first bytes of `path` as `user` reads them (they must be able to)."""
    entry = pwd.getpwnam(user)
    result = subprocess.run(["setpriv", f"--reuid={entry.pw_uid}", f"--regid={entry.pw_gid}", "--init-groups", "head", "-c", "16", path],
                            capture_output=True, timeout=30)
    assert result.returncode == 0, f"{user} cannot read {path}: {result.stderr!r}"
    return result.stdout


def owned(path):
    st = os.lstat(path)
    return st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)


def users_directory(service, user):
    """A directory like ~alice/backups: owned by the user, mode 0700."""
    directory = os.path.join(service.directory(), "backups")
    os.mkdir(directory, 0o700)
    entry = pwd.getpwnam(user)
    os.chown(directory, entry.pw_uid, entry.pw_gid)
    return directory


def test_a_member_driving_the_service_gets_images_and_image_directories_of_their_own(service, loops, accounts):
    source = filesystems.make(loops, "ext4", label="ownsrc", files=False)
    disk, _ = disks.gpt_disk(loops, size_mib=72, ext4_mib=16)
    member = pwd.getpwnam(accounts.member)
    destination = users_directory(service, accounts.member)
    # The unit's capabilities exactly: giving a file away is CAP_CHOWN's, which the unit keeps.
    core = service.core(env={"APART_SocketGroup": accounts.group}, wrapper=setpriv_bounded(bounding_set()))

    code, out, err = apart_as(accounts.member, "--connect", core.address, "clone", source.path, destination, "--name", "mine", "--json")
    assert code == 0, f"{err}\n{core.log_tail()}"
    image = json.loads(out)["image"]
    assert owned(image) == (member.pw_uid, member.pw_gid, 0o600), owned(image)
    with open(image, "rb") as f:
        assert read_as(accounts.member, image) == f.read(16)

    code, out, err = apart_as(accounts.member, "--connect", core.address, "clone-disk", disk.path, destination, "--name", "laptop", "--json")
    assert code == 0, f"{err}\n{core.log_tail()}"
    directory = json.loads(out)["image"]
    assert owned(directory) == (member.pw_uid, member.pw_gid, 0o700), owned(directory)
    files = sorted(os.listdir(directory))
    assert files and all(owned(os.path.join(directory, name)) == (member.pw_uid, member.pw_gid, 0o600) for name in files), \
        {name: owned(os.path.join(directory, name)) for name in files}
    read_as(accounts.member, os.path.join(directory, "parts"))
    assert owned(destination)[:2] == (member.pw_uid, member.pw_gid), "the directory the user named is left as it was"

    # Where the member may not write themselves (a directory of root's), the core still writes
    # (it is root) but the image stays root's: nobody is lent root's reach as files of their own.
    roots = service.directory()
    os.chmod(roots, 0o755)
    code, out, err = apart_as(accounts.member, "--connect", core.address, "clone", source.path, roots, "--name", "notmine", "--json")
    assert code == 0, f"{err}\n{core.log_tail()}"
    assert owned(json.loads(out)["image"]) == (0, 0, 0o600)
    assert f"is not given to uid {member.pw_uid} (they may not write in {roots})" in core.log(), core.log_tail()

    # A root presenter of the same core: root's image.
    presenter = service.client(core)
    presenter.greeting()
    _, root_clone = run_job(presenter, {"type": "clone", "source": source.path, "destination": destination, "name": "roots"}, "clone")
    assert root_clone["type"] == "clone", presenter.evidence(str(root_clone))
    assert owned(root_clone["destination"]) == (0, 0, 0o600)


def test_a_core_started_through_pkexec_gives_a_root_presenters_images_to_pkexec_uid_and_otherwise_to_root(presenters, loops, accounts, tmp_path):
    source = filesystems.make(loops, "ext4", label="pkexecsrc", files=False)
    member = pwd.getpwnam(accounts.member)
    destination = str(tmp_path / "backups")
    os.mkdir(destination, 0o700)
    os.chown(destination, member.pw_uid, member.pw_gid)
    for name, env, expected in (("pkexec", {"PKEXEC_UID": str(member.pw_uid)}, (member.pw_uid, member.pw_gid, 0o600)),
                                ("plain", {}, (0, 0, 0o600))):
        core = presenters(env=env)
        core.wait_for(lambda m: m.get("type") == "status" and m.get("status") == "started", timeout=15)
        _, done = run_job(core, {"type": "clone", "source": source.path, "destination": destination, "name": name}, "clone")
        assert done["type"] == "clone", core.core_log()
        assert owned(done["destination"]) == expected, (name, owned(done["destination"]))
