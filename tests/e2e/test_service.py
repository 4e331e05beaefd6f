"""Service mode end to end (issue 8): `apart-core --listen` as one core per machine, bound at an
ipc:// Unix socket (mode, group, directory, stale files, symlinks), presenters that connect and
go while jobs go on, who may connect (SO_PEERCRED, real unprivileged users), tcp:// only with
CURVE, the systemd notify protocol, the unit file and its capability set, and `apart --connect`.

systemd is installed here but does not run (no systemd as PID 1), so the unit is checked with
`systemd-analyze verify --root`, the notify protocol through a NOTIFY_SOCKET this test binds,
and the capability set by running the core under setpriv with exactly the unit's bounding set.
What only a running systemd could show is not tested here: the sandboxing settings (PrivateTmp,
ProtectHome, ProtectSystem, the other Protect*/Restrict* lines, SystemCallArchitectures,
LockPersonality), RuntimeDirectory/StateDirectory, Restart, KillMode and the journal.
"""

import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import time

import pytest
import zmq

import filesystems
from clone_support import chkimg, partclone_header
from loops import Loops
from presenter import CORE, REPO
from processes import children
from service_support import (  # noqa: F401 - fixtures
    SYSUSERS,
    UNIT,
    accounts,
    bounding_set,
    capabilities_of,
    free_tcp_port,
    scratch_directory,
    service,
    setpriv_bounded,
    stale_socket,
    unit_values,
)

APART = os.environ.get("APART", os.path.join(REPO, "artifacts", "apart-core", "apart"))

# What a ZMTP 3 peer sends first, its signature (0xff, an 8-byte field libzmq sets to 1, 0x7f), in hex as service_client reports it.
ZMTP_SIGNATURE = "ff00000000000000017f"


def mode_of(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


@pytest.fixture(scope="module")
def big_device():
    """An ext4 device holding 200 MiB of random data: its clone lasts seconds. Only read (cloned)."""
    loops = Loops()
    try:
        yield filesystems.make_big_ext4(loops, label="svcbig")
    finally:
        loops.cleanup()


def start_clone(client, device, destination, name="svc"):
    client.send({"type": "clone", "source": device.path, "destination": destination, "name": name, "compression": "gz"})
    first = client.wait_for(lambda m: m.get("type") in ("clone", "clone-failed") and m.get("source") == device.path, 10, "the clone's first message")
    assert first["type"] == "clone", client.evidence(f"the clone did not start: {first}")
    return first


# -- presenters come and go, jobs go on ------------------------------------------------------------


def test_a_clone_survives_its_presenter_and_the_next_presenter_sees_it_through(service, big_device):
    core = service.core()
    destination = service.directory()
    first_presenter = service.client(core)
    greeting = first_presenter.greeting()
    assert greeting.get("jobs") == [], first_presenter.evidence("a fresh service has no jobs in flight")
    first = start_clone(first_presenter, big_device, destination)
    job = first["id"]
    first_presenter.wait_for(lambda m: m.get("id") == job and m.get("complete", 0) > 0, 30, "progress of the clone")
    first_presenter.close()
    left_at = time.monotonic()

    time.sleep(0.5)
    second_presenter = service.client(core)
    greeting = second_presenter.greeting()
    jobs = greeting.get("jobs")
    assert isinstance(jobs, list) and [j.get("id") for j in jobs] == [job], second_presenter.evidence(f"jobs: {jobs!r}")
    in_flight = jobs[0]
    assert in_flight["type"] == "clone" and in_flight["source"] == big_device.path, second_presenter.evidence()
    assert in_flight["destination"] == first["destination"] and in_flight["start"] == first["start"], second_presenter.evidence()
    assert 0.0 < in_flight["complete"] < 1.0 and in_flight.get("finish") is None, second_presenter.evidence("the job is reported in flight")

    end = second_presenter.job_end(job, "clone", timeout=150)
    assert end["type"] == "clone", second_presenter.evidence(f"the clone failed after its presenter left: {end}")
    after_greeting = second_presenter.messages[1:]
    assert all(m.get("id") == job for m in after_greeting), second_presenter.evidence("only this job's messages follow the greeting")
    progress = [m for m in after_greeting if m.get("finish") is None]
    assert progress, second_presenter.evidence("the second presenter saw no progress before the success")
    completes = [in_flight["complete"]] + [m["complete"] for m in after_greeting]
    assert completes == sorted(completes) and completes[-1] == 1.0, second_presenter.evidence(f"complete: {completes}")
    assert time.monotonic() - left_at > 0.5

    image = end["destination"]
    assert os.listdir(destination) == [os.path.basename(image)], os.listdir(destination)
    assert os.path.getsize(image) == end["image_size"]
    assert partclone_header(image, "gz") == ("EXTFS", big_device.size)
    assert core.running(), core.log_tail()


def test_sigterm_cancels_the_running_job_says_dying_and_exits_0(service, big_device):
    core = service.core()
    destination = service.directory()
    presenter = service.client(core)
    presenter.greeting()
    job = start_clone(presenter, big_device, destination)["id"]
    presenter.wait_for(lambda m: m.get("id") == job and m.get("complete", 0) > 0, 30, "progress of the clone")
    helpers = set(children(core.process.pid))
    assert helpers, core.log_tail()

    core.process.send_signal(signal.SIGTERM)

    failed = presenter.wait_for(lambda m: m.get("id") == job and m.get("type") == "clone-failed", 20, "clone-failed")
    assert failed["error"] == "Cancelled", presenter.evidence()
    dying = presenter.next(10)
    assert (dying.get("type"), dying.get("status")) == ("status", "dying"), presenter.evidence(f"after clone-failed: {dying}")
    assert core.wait_exit(20) == 0, core.log_tail()
    assert os.listdir(destination) == [], "a cancelled clone leaves no file, .inprogress included"
    assert not os.path.lexists(core.socket_path), "the core removes its socket file when it stops"
    assert not [pid for pid in helpers if os.path.exists(f"/proc/{pid}")], "partclone and the compressor are gone too"


def test_kill_request_is_refused_with_error_and_the_service_keeps_serving(service):
    core = service.core()
    presenter = service.client(core)
    presenter.greeting()

    presenter.send({"type": "kill-request"})

    answer = presenter.next(10)
    assert answer.get("type") == "error" and answer.get("request") == "kill-request", presenter.evidence(f"answer: {answer}")
    assert "stop the service" in answer.get("error", "").lower(), presenter.evidence()
    time.sleep(1.0)
    assert core.running(), core.log_tail()
    assert presenter.status().get("jobs") == []
    assert "dying" not in presenter.types() and not [m for m in presenter.messages if m.get("status") == "dying"]


def allocated_kib(pid):
    """Resident KiB of the core's anonymous memory: the GC's heap and malloc's arenas, without
    code (the JIT's included) and mapped files."""
    total, anonymous = 0, False
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            fields = line.split()
            if "-" in fields[0] and not fields[0].endswith(":"):
                anonymous = len(fields) == 5 or fields[5] == "[heap]"
            elif fields[0] == "Rss:" and anonymous:
                total += int(fields[1])
    return total


def test_presenters_coming_and_going_leave_the_services_memory_where_it_was(service):
    """A service gives back, when a presenter goes, what serving it allocated: the GC's heap and
    the runtime's malloc arenas (the JIT's work while tiered compilation recompiles what the
    presenters made hot). Between the 40th and the 150th presenter it grew here by 6.9 MiB
    without malloc_trim, by 2.1-2.3 MiB with it (thread stacks and the GC's budget come and go)."""
    core = service.core()
    samples = {}
    for cycle in range(1, 151):
        presenter = service.client(core)
        presenter.greeting()
        presenter.status()
        presenter.close()
        if cycle in (40, 150):
            time.sleep(1.0)  # its disconnect handled
            samples[cycle] = allocated_kib(core.process.pid)
    grown = samples[150] - samples[40]
    assert grown <= 4.5 * 1024, f"anonymous memory grew by {grown} KiB from the 40th to the 150th presenter ({samples}); {core.log_tail()}"
    assert core.running(), core.log_tail()


def context_switches(pid):
    """Voluntary and involuntary context switches of each thread the process has now, by thread
    id: each time one of them slept and woke again (or was preempted, which an idle thread is not)."""
    switches = {}
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/status") as f:
                switches[task] = sum(int(line.split()[1]) for line in f if "ctxt_switches" in line)
        except FileNotFoundError:
            pass  # a thread that ended meanwhile
    return switches


def test_a_service_left_alone_after_presenters_sleeps(service):
    """With no presenter the core sleeps: no timer, no polling, no spinning. .NET's thread-pool
    workers spin (some 70 sched_yield calls each) when they run out of work unless told not to;
    in the minute after bench's churn that was 4.67 wake-ups a second, about 130 per worker when
    the programs' deadline timers fired, 10 s after the last status. Here, in the 12 s after 30
    presenters, it was 11-14 context switches in four runs of five and 139 in the fifth with
    spinning, 8-16 in five without; a thread that polled every 100 ms would add 120."""
    with open(CORE + ".runtimeconfig.json") as f:
        options = json.load(f)["runtimeOptions"]["configProperties"]
    assert options.get("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit") == 0, options
    core = service.core()
    for _ in range(30):
        presenter = service.client(core)
        presenter.greeting()
        presenter.status()
        presenter.close()
    time.sleep(1.0)  # its disconnect handled
    before = context_switches(core.process.pid)
    time.sleep(12.0)
    woke = sum(count - before.get(task, 0) for task, count in context_switches(core.process.pid).items())
    assert woke <= 60, f"{woke} context switches in the 12 s after the last presenter (at most 5 a second); {core.log_tail()}"
    assert core.running(), core.log_tail()


# -- the socket file -------------------------------------------------------------------------------


def test_socket_is_0660_owned_by_the_group_in_a_directory_the_core_creates(service, accounts):
    core = service.core(env={"APART_SocketGroup": accounts.group})
    run_directory = os.path.dirname(core.socket_path)

    info = os.lstat(core.socket_path)
    assert stat.S_ISSOCK(info.st_mode)
    assert stat.S_IMODE(info.st_mode) == 0o660, oct(info.st_mode)
    assert (info.st_uid, info.st_gid) == (0, accounts.gid)
    assert os.path.isdir(run_directory) and mode_of(run_directory) == 0o755, oct(mode_of(run_directory))
    assert f"Listening at {core.address}" in core.log()


@pytest.mark.parametrize("mode", ["0600", "0666", "640"])
def test_socket_mode_is_configurable(service, accounts, mode):
    core = service.core(env={"APART_SocketGroup": accounts.group, "APART_SocketMode": mode})

    assert mode_of(core.socket_path) == int(mode, 8)
    assert os.lstat(core.socket_path).st_gid == accounts.gid


@pytest.mark.parametrize("mode", ["0999", "rw-rw----", "10660", "-1"])
def test_a_socket_mode_that_is_not_octal_refuses_to_start(service, mode):
    core = service.core(env={"APART_SocketMode": mode}, listening=False)

    assert core.wait_exit(20) == 1, core.log()
    assert "SocketMode must be an octal file mode" in core.log()
    assert not os.path.lexists(core.socket_path)


def test_a_directory_the_core_creates_under_the_units_umask_still_lets_members_in(service, accounts):
    """The unit runs the core with UMask=0077; the socket's mode is set explicitly, and the
    directory the core creates must be traversable too, or no member could reach the socket."""
    core = service.core(env={"APART_SocketGroup": accounts.group}, umask=0o077)
    run_directory = os.path.dirname(core.socket_path)

    assert mode_of(core.socket_path) == 0o660
    report = accounts.run_client(accounts.member, "zmq", core.address, 5, core.directory)
    assert mode_of(run_directory) == 0o755, f"{run_directory} was created {oct(mode_of(run_directory))} under umask 0077; member saw {report}"
    assert [m["status"] for m in report["messages"]] == ["running", "running"], f"{report}\n{core.log_tail()}"


def test_a_stale_socket_file_is_replaced(service):
    core = service.core(start=False)
    os.makedirs(os.path.dirname(core.socket_path))
    stale = stale_socket(core.socket_path)
    # A second name keeps the stale inode alive, so a new socket cannot get its number.
    keeper = os.path.join(core.directory, "stale-keeper")
    os.link(core.socket_path, keeper)

    core.start().wait_listening()

    now = os.lstat(core.socket_path)
    assert stat.S_ISSOCK(now.st_mode) and now.st_ino != stale.st_ino, "a new socket was bound in place of the stale one"
    assert os.lstat(keeper).st_nlink == 1, "the stale socket's name at the path was removed"
    assert mode_of(core.socket_path) == 0o660
    assert f"Removed stale socket file {core.socket_path}" in core.log()
    presenter = service.client(core)
    presenter.greeting()
    assert presenter.status()["status"] == "running"


def test_a_socket_someone_listens_on_is_not_taken_over(service):
    core = service.core(start=False)
    os.makedirs(os.path.dirname(core.socket_path))
    owner = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        owner.bind(core.socket_path)
        owner.listen(1)
        before = os.lstat(core.socket_path)

        core.start()

        assert core.wait_exit(20) != 0, core.log()
        assert "in use" in core.log(), core.log()
        after = os.lstat(core.socket_path)
        assert (after.st_ino, stat.S_IMODE(after.st_mode), after.st_gid) == (before.st_ino, stat.S_IMODE(before.st_mode), before.st_gid)
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as knock:
            knock.connect(core.socket_path)  # still the owner's listening socket
    finally:
        owner.close()


@pytest.mark.parametrize("target_kind", ["file", "stale socket", "dangling"])
def test_a_symlink_at_the_socket_path_is_refused_and_nothing_is_followed(service, accounts, target_kind):
    core = service.core(start=False, env={"APART_SocketGroup": accounts.group, "APART_SocketMode": "0666"})
    os.makedirs(os.path.dirname(core.socket_path))
    target = os.path.join(core.directory, "target")
    if target_kind == "file":
        with open(target, "w") as f:
            f.write("precious\n")
        os.chmod(target, 0o600)
    elif target_kind == "stale socket":
        stale_socket(target)
        os.chmod(target, 0o600)
    os.symlink(target, core.socket_path)
    target_before = os.lstat(target) if target_kind != "dangling" else None

    core.start()

    assert core.wait_exit(20) != 0, core.log()
    assert os.path.islink(core.socket_path) and os.readlink(core.socket_path) == target, "the symlink is left as it was"
    assert "Listening at" not in core.log()
    assert core.socket_path in core.log(), core.log()
    if target_before is None:
        assert not os.path.lexists(target), "nothing was created through the dangling symlink"
    else:
        after = os.lstat(target)
        assert (after.st_ino, after.st_mode, after.st_uid, after.st_gid) == (target_before.st_ino, target_before.st_mode, target_before.st_uid, target_before.st_gid)
        if target_kind == "file":
            with open(target) as f:
                assert f.read() == "precious\n"


def test_a_regular_file_at_the_socket_path_is_refused_and_kept(service):
    core = service.core(start=False)
    os.makedirs(os.path.dirname(core.socket_path))
    with open(core.socket_path, "w") as f:
        f.write("not a socket\n")
    os.chmod(core.socket_path, 0o640)
    before = os.lstat(core.socket_path)

    core.start()

    assert core.wait_exit(20) != 0, core.log()
    assert "exists and is not a socket" in core.log(), core.log()
    after = os.lstat(core.socket_path)
    assert (after.st_ino, after.st_mode, after.st_size) == (before.st_ino, before.st_mode, before.st_size)
    with open(core.socket_path) as f:
        assert f.read() == "not a socket\n"


# -- who may connect ---------------------------------------------------------------------------------


def test_with_mode_0660_a_non_member_cannot_even_connect_and_a_member_can(service, accounts):
    core = service.core(env={"APART_SocketGroup": accounts.group})

    outsider_raw = accounts.run_client(accounts.outsider, "raw", core.socket_path, 2, core.directory)
    outsider_zmq = accounts.run_client(accounts.outsider, "zmq", core.address, 2, core.directory)
    member_raw = accounts.run_client(accounts.member, "raw", core.socket_path, 3, core.directory)
    member_zmq = accounts.run_client(accounts.member, "zmq", core.address, 5, core.directory)

    assert outsider_raw["connect"] == "EACCES", outsider_raw
    assert outsider_zmq["messages"] == [], outsider_zmq
    assert "Refused a presenter" not in core.log(), "the kernel refused the outsider before the core saw it"
    assert member_raw["connect"] == "ok" and member_raw["received"].startswith("ff"), f"the member gets the ZMTP greeting: {member_raw}"
    assert [(m["type"], m["status"]) for m in member_zmq["messages"]] == [("status", "running"), ("status", "running")], f"{member_zmq}\n{core.log_tail()}"
    assert "jobs:" in member_zmq["messages"][1]["raw"]


def test_with_mode_0666_the_core_shuts_a_non_member_out_at_once_and_logs_it(service, accounts):
    core = service.core(env={"APART_SocketGroup": accounts.group, "APART_SocketMode": "0666"})
    outsider = accounts.uid(accounts.outsider)

    raw = accounts.run_client(accounts.outsider, "raw", core.socket_path, 3, core.directory)
    zmq_report = accounts.run_client(accounts.outsider, "zmq", core.address, 2, core.directory)

    assert raw["connect"] == "ok", raw
    # libzmq answers a greeting with its own as it accepts, before the core can look at who
    # connected; then the connection is shut, no command of the outsider's read or answered.
    greeting = bytes.fromhex(raw["received"])
    assert raw["closed"] and len(greeting) <= 64 and ZMTP_SIGNATURE.startswith(raw["received"][:20]), \
        f"the core must close the connection after at most its greeting: {raw}"
    assert zmq_report["messages"] == [], f"the outsider's status-request got an answer: {zmq_report}"
    refusals = [line for line in core.log().splitlines() if "Refused a presenter" in line]
    assert refusals and all(f"uid {outsider}," in line for line in refusals), core.log_tail()
    assert any(accounts.group in line for line in refusals)

    member = accounts.run_client(accounts.member, "zmq", core.address, 5, core.directory)
    assert [m["status"] for m in member["messages"]] == ["running", "running"], f"{member}\n{core.log_tail()}"
    root = service.client(core)
    root.greeting()
    assert root.status()["status"] == "running"


def test_the_group_counts_as_the_primary_group_too(service, accounts):
    core = service.core(env={"APART_SocketGroup": accounts.group})

    report = accounts.run_client(accounts.outsider, "zmq", core.address, 5, core.directory, regid=accounts.gid, init_groups=False)

    assert [m["status"] for m in report["messages"]] == ["running", "running"], f"{report}\n{core.log_tail()}"


def test_without_the_group_only_root_is_admitted_and_a_warning_is_logged(service, accounts):
    missing = accounts.group + "x"
    core = service.core(env={"APART_SocketGroup": missing, "APART_SocketMode": "0666"})

    assert f"The group {missing} does not exist: only root may connect" in core.log()
    assert os.lstat(core.socket_path).st_gid == 0
    member = accounts.run_client(accounts.member, "zmq", core.address, 2, core.directory)
    assert member["messages"] == [], member
    assert f"uid {accounts.uid(accounts.member)}," in core.log()
    root = service.client(core)
    root.greeting()
    assert root.status()["status"] == "running"


def test_one_presenter_at_a_time(service):
    core = service.core()
    first = service.client(core)
    first.greeting()

    second = service.client(core)
    second.send({"type": "status-request"})
    assert second.receive(2.0) is None, second.evidence("a second presenter was served while the first was connected")
    assert first.status()["status"] == "running"

    first.close()
    assert second.greeting(15)["status"] == "running", "once the first has gone, the next is served"


# -- tcp:// only with CURVE --------------------------------------------------------------------------


def test_tcp_without_allow_tcp_refuses_to_start(service):
    port = free_tcp_port()
    core = service.core(address=f"tcp://127.0.0.1:{port}", listening=False)

    assert core.wait_exit(20) == 1
    assert f"Listening at tcp://127.0.0.1:{port} needs AllowTcp=true" in core.log(), core.log()
    assert "] Listening at" not in core.log(), core.log()
    assert core.process.stdout.read() == b"", "nothing on standard output"


def test_tcp_with_allow_tcp_but_no_key_refuses_to_start(service):
    port = free_tcp_port()
    core = service.core(address=f"tcp://127.0.0.1:{port}", env={"APART_AllowTcp": "true"}, listening=False)

    assert core.wait_exit(20) == 1
    assert "needs a CURVE server key (CurveSecretKey or CurveSecretKeyFile)" in core.log(), core.log()
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0, "nothing listens on the port"


@pytest.mark.parametrize("key_from", ["CurveSecretKey", "CurveSecretKeyFile"])
def test_tcp_with_a_curve_key_serves_curve_clients_and_nobody_else(service, key_from):
    public, secret = zmq.curve_keypair()
    port = free_tcp_port()
    env = {"APART_AllowTcp": "true"}
    core = service.core(address=f"tcp://127.0.0.1:{port}", env=env, start=False)
    if key_from == "CurveSecretKey":
        core.env["APART_CurveSecretKey"] = secret.decode()
    else:
        key_file = os.path.join(core.directory, "curve.secret")
        with open(key_file, "w") as f:
            f.write(secret.decode() + "\n")
        os.chmod(key_file, 0o600)
        core.env["APART_CurveSecretKeyFile"] = key_file
    core.start().wait_listening()

    plain = service.client(core)
    plain.send({"type": "status-request"})
    assert plain.receive(2.0) is None, plain.evidence("a plain client was answered by a CURVE server")
    plain.close()

    wrong_server = service.client(core, curve_server_key=zmq.curve_keypair()[0])
    wrong_server.send({"type": "status-request"})
    assert wrong_server.receive(1.5) is None, wrong_server.evidence("a client expecting another server key was answered")
    wrong_server.close()

    curve = service.client(core, curve_server_key=public)
    assert curve.greeting()["status"] == "running"
    assert curve.status()["jobs"] == []
    assert secret.decode() not in core.log(), "the secret key is never logged"


def test_tcp_with_a_malformed_key_refuses_to_start(service):
    port = free_tcp_port()
    core = service.core(address=f"tcp://127.0.0.1:{port}", env={"APART_AllowTcp": "true", "APART_CurveSecretKey": "not-a-key"}, listening=False)

    assert core.wait_exit(20) != 0
    assert "CURVE secret key must be 40 characters of Z85" in core.log(), core.log()


# -- systemd notify ----------------------------------------------------------------------------------


class NotifySocket:
    """A datagram Unix socket standing in for systemd's notify socket."""

    def __init__(self, directory):
        self.path = os.path.join(directory, "notify")
        self.socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.socket.bind(self.path)
        self.received = []

    def wait(self, wanted, timeout, on_arrival=None):
        """Collects datagrams until one holds the line `wanted`; calls on_arrival at once then."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no {wanted} within {timeout}s; got {self.received}")
            self.socket.settimeout(left)
            try:
                datagram = self.socket.recv(4096).decode()
            except socket.timeout:
                continue
            seen = on_arrival() if on_arrival else None
            self.received.append(datagram)
            if wanted in datagram.split("\n"):
                return seen

    def drain(self, timeout=0.5):
        self.socket.settimeout(timeout)
        try:
            while True:
                self.received.append(self.socket.recv(4096).decode())
        except socket.timeout:
            pass
        return self.received

    def close(self):
        self.socket.close()


def test_notify_ready_once_the_socket_exists_and_stopping_on_sigterm(service):
    core = service.core(start=False)
    notify = NotifySocket(core.directory)
    try:
        core.env["NOTIFY_SOCKET"] = notify.path
        core.start()

        socket_there = notify.wait("READY=1", 20, on_arrival=lambda: os.path.exists(core.socket_path))
        assert socket_there, "READY=1 came before the socket file existed"
        assert stat.S_ISSOCK(os.lstat(core.socket_path).st_mode)
        presenter = service.client(core)
        assert presenter.greeting()["status"] == "running", "ready means presenters can connect"
        assert not [d for d in notify.drain(0.3) if "STOPPING=1" in d], notify.received

        core.process.send_signal(signal.SIGTERM)
        notify.wait("STOPPING=1", 20)
        assert core.wait_exit(20) == 0, core.log()
        lines = [line for datagram in notify.drain(0.3) for line in datagram.split("\n") if line]
        assert lines.count("READY=1") == 1 and lines.count("STOPPING=1") == 1, notify.received
        assert lines.index("READY=1") < lines.index("STOPPING=1")
    finally:
        notify.close()


def test_no_ready_when_the_socket_cannot_be_bound(service):
    core = service.core(start=False)
    os.makedirs(os.path.dirname(core.socket_path))
    with open(core.socket_path, "w") as f:
        f.write("in the way\n")
    notify = NotifySocket(core.directory)
    try:
        core.env["NOTIFY_SOCKET"] = notify.path
        core.start()
        assert core.wait_exit(20) != 0, core.log()
        assert not [d for d in notify.drain(0.3) if "READY=1" in d.split("\n")], notify.received
    finally:
        notify.close()


# -- the unit and the sysusers entry -------------------------------------------------------------


def analyze_root(unit_text):
    """A scratch root for `systemd-analyze verify --root`: this machine's system units, the unit
    under test in etc/systemd/system, and the published core at the unit's ExecStart path."""
    root = scratch_directory("apart-e2e-unit-")
    shutil.copytree("/usr/lib/systemd/system", os.path.join(root, "usr/lib/systemd/system"), symlinks=True)
    os.makedirs(os.path.join(root, "etc/systemd/system"))
    with open(os.path.join(root, "etc/systemd/system/apart-core.service"), "w") as f:
        f.write(unit_text)
    os.makedirs(os.path.join(root, "usr/lib/apart"))
    shutil.copy2(CORE, os.path.join(root, "usr/lib/apart/apart-core"))
    return root


def verify_unit(root):
    return subprocess.run(["systemd-analyze", "verify", f"--root={root}", "apart-core.service"], capture_output=True, text=True, timeout=60)


def test_the_unit_passes_systemd_analyze_verify(tmp_path):
    with open(UNIT) as f:
        shipped = f.read()
    exec_start = unit_values("ExecStart")
    assert exec_start == ["/usr/lib/apart/apart-core --listen"], exec_start  # the address is the Listen setting
    assert unit_values("Type") == ["notify"], "the core says READY=1 itself"
    root = analyze_root(shipped)
    try:
        result = verify_unit(root)
        assert (result.returncode, result.stdout, result.stderr) == (0, "", ""), result

        # The check is a real one: the same root without the executable, or with a misspelt
        # setting, does not pass.
        os.unlink(os.path.join(root, "usr/lib/apart/apart-core"))
        missing = verify_unit(root)
        assert missing.returncode != 0 and "/usr/lib/apart/apart-core" in missing.stderr, missing
        shutil.copy2(CORE, os.path.join(root, "usr/lib/apart/apart-core"))
        with open(os.path.join(root, "etc/systemd/system/apart-core.service"), "w") as f:
            f.write(shipped.replace("ProtectHome=read-only", "ProtectHomes=read-only"))
        misspelt = verify_unit(root)
        assert "Unknown key 'ProtectHomes'" in misspelt.stderr, misspelt
    finally:
        shutil.rmtree(root)


def test_the_sysusers_entry_creates_the_apart_group_as_a_system_group():
    root = scratch_directory("apart-e2e-sysusers-")
    try:
        os.makedirs(os.path.join(root, "etc"))
        for name in ("passwd", "group", "shadow", "gshadow"):
            if os.path.exists(f"/etc/{name}"):
                shutil.copy2(f"/etc/{name}", os.path.join(root, "etc", name))
        os.makedirs(os.path.join(root, "usr/lib/sysusers.d"))
        shutil.copy(SYSUSERS, os.path.join(root, "usr/lib/sysusers.d/apart.conf"))
        for name in ("group", "gshadow"):  # as on a machine without the group, whatever this one has
            path = os.path.join(root, "etc", name)
            if os.path.exists(path):
                with open(path) as f:
                    kept = [line for line in f.read().splitlines() if not line.startswith("apart:")]
                with open(path, "w") as f:
                    f.write("".join(line + "\n" for line in kept))
        with open(os.path.join(root, "etc/group")) as f:
            before = f.read().splitlines()

        dry = subprocess.run(["systemd-sysusers", f"--root={root}", "--dry-run"], capture_output=True, text=True, timeout=60)
        assert dry.returncode == 0 and "Creating group 'apart'" in dry.stdout + dry.stderr, dry
        with open(os.path.join(root, "etc/group")) as f:
            assert f.read().splitlines() == before, "--dry-run wrote nothing"

        for _ in range(2):  # the second run finds the group and changes nothing
            applied = subprocess.run(["systemd-sysusers", f"--root={root}"], capture_output=True, text=True, timeout=60)
            assert applied.returncode == 0, applied
            with open(os.path.join(root, "etc/group")) as f:
                after = f.read().splitlines()
            added = [line for line in after if line not in before]
            assert len(added) == 1 and len(after) == len(before) + 1, added
            name, _, gid, members = added[0].split(":")
            assert name == "apart" and members == ""
            assert int(gid) < 1000, f"apart is a system group: {added[0]}"
        with open(os.path.join(root, "etc/passwd")) as f, open("/etc/passwd") as g:
            assert f.read() == g.read(), "no user is created"
    finally:
        shutil.rmtree(root)


# -- the unit's capabilities -------------------------------------------------------------------------


def run_job(client, request, kind, timeout=120):
    client.send(request)
    first = client.wait_for(lambda m: m.get("type") in (kind, f"{kind}-failed"), 15, f"the {kind}'s first message")
    return first if first["type"] == f"{kind}-failed" else client.job_end(first["id"], kind, timeout)


def users_directory(service, accounts):
    """A directory like ~alice/backups: owned by a user, mode 0700 (the core needs DAC_OVERRIDE there)."""
    directory = os.path.join(service.directory(), "alice-backups")
    os.mkdir(directory, 0o700)
    os.chown(directory, accounts.uid(accounts.member), accounts.gid)
    return directory


def test_the_core_does_the_whole_job_with_exactly_the_units_capabilities(service, loops, accounts):
    caps = bounding_set()
    assert "sys_admin" in caps and "chown" in caps, caps
    source = filesystems.make(loops, "ext4", label="capsrc")
    target = loops.attach(filesystems.SIZES["ext4"])
    destination = users_directory(service, accounts)

    core = service.core(env={"APART_SocketGroup": accounts.group}, wrapper=setpriv_bounded(caps))
    held = capabilities_of(core.process.pid)
    assert held["CapEff"] == set(caps) and held["CapBnd"] == set(caps) and not held["CapAmb"] and not held["CapInh"], held
    assert os.lstat(core.socket_path).st_gid == accounts.gid, "the socket was given to the group (CAP_CHOWN)"
    presenter = service.client(core)
    presenter.greeting()

    clone = run_job(presenter, {"type": "clone", "source": source.path, "destination": destination, "name": "caps"}, "clone")
    assert clone["type"] == "clone", presenter.evidence(f"clone: {clone}")
    image = clone["destination"]
    assert os.path.dirname(image) == destination and os.stat(image).st_uid == 0
    verify = run_job(presenter, {"type": "verify", "source": image}, "verify")
    assert verify["type"] == "verify", presenter.evidence(f"verify: {verify}")
    restore = run_job(presenter, {"type": "restore", "source": image, "destination": target.path}, "restore")
    assert restore["type"] == "restore", presenter.evidence(f"restore: {restore}")
    assert [m.get("syncing") for m in presenter.of_job(restore["id"])].count(True) >= 1, "the restore flushed the device"

    assert core.terminate() == 0, core.log_tail()
    filesystems.check(target, "ext4")
    assert filesystems.snapshot(loops, target, "ext4") == filesystems.snapshot(loops, source, "ext4")


def test_without_cap_sys_admin_the_restore_cannot_flush_and_says_so(service, loops):
    caps = [cap for cap in bounding_set() if cap != "sys_admin"]
    source = filesystems.make(loops, "ext4", label="capsrc2", files=False)
    target = loops.attach(filesystems.SIZES["ext4"])
    destination = service.directory()
    core = service.core(wrapper=setpriv_bounded(caps))
    assert "sys_admin" not in capabilities_of(core.process.pid)["CapEff"]
    presenter = service.client(core)
    presenter.greeting()

    clone = run_job(presenter, {"type": "clone", "source": source.path, "destination": destination, "name": "nosysadmin"}, "clone")
    assert clone["type"] == "clone", presenter.evidence("a clone needs no CAP_SYS_ADMIN")
    restore = run_job(presenter, {"type": "restore", "source": clone["destination"], "destination": target.path}, "restore")

    assert restore["type"] == "restore-failed", presenter.evidence("the flush (BLKFLSBUF) needs CAP_SYS_ADMIN")
    assert restore["error"] == f"Cannot flush the buffers of {target.path}: Permission denied", restore["error"]


def test_without_cap_chown_the_socket_cannot_be_given_to_the_group(service, accounts):
    caps = [cap for cap in bounding_set() if cap != "chown"]
    core = service.core(env={"APART_SocketGroup": accounts.group}, wrapper=setpriv_bounded(caps), listening=False)

    assert core.wait_exit(20) != 0, core.log()
    assert f"chown {core.socket_path} failed" in core.log(), core.log()
    assert not os.path.lexists(core.socket_path), "no half-set-up socket is left"


def test_without_cap_dac_override_images_cannot_go_into_a_users_directory(service, loops, accounts):
    caps = [cap for cap in bounding_set() if cap != "dac_override"]
    source = filesystems.make(loops, "ext4", label="capsrc3", files=False)
    destination = users_directory(service, accounts)
    core = service.core(wrapper=setpriv_bounded(caps))
    presenter = service.client(core)
    presenter.greeting()

    clone = run_job(presenter, {"type": "clone", "source": source.path, "destination": destination, "name": "nodac"}, "clone")

    assert clone["type"] == "clone-failed" and "permission denied" in clone["error"].lower(), presenter.evidence(f"{clone}")
    assert os.listdir(destination) == []


# -- apart --connect -------------------------------------------------------------------------------


def apart(*args, env=None, user=None, timeout=120):
    """Runs the published `apart` (as `user` through setpriv when given): exit code, stdout, stderr."""
    command = [APART, *args]
    if user is not None:
        import pwd

        entry = pwd.getpwnam(user)
        command = ["setpriv", f"--reuid={entry.pw_uid}", f"--regid={entry.pw_gid}", "--init-groups", *command]
    environment = dict(os.environ) if user is None else {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    environment.pop("APART_CONNECT", None)
    environment.update(env or {})
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL, env=environment, cwd="/tmp")
    return result.returncode, result.stdout, result.stderr


def listed_paths(listing):
    return [part["path"] for source in listing["sources"] for part in source["parts"]]


def test_apart_connect_lists_through_the_service_and_leaves_it_running(service, loops):
    device = filesystems.make(loops, "ext4", label="svclist", files=False)
    core = service.core()

    code, out, err = apart("--connect", core.address, "list", "--json")
    assert code == 0, f"{err}\n{core.log_tail()}"
    listing = json.loads(out)
    part = next(p for s in listing["sources"] for p in s["parts"] if p["path"] == device.path)
    assert (part["fstype"], part["label"]) == ("ext4", "svclist")

    code, out, err = apart("list", "--json", env={"APART_CONNECT": core.address})
    assert code == 0, err
    assert device.path in listed_paths(json.loads(out))
    code, out, err = apart("list", "--connect", core.address)
    assert code == 0 and "svclist" in out, err

    assert core.running(), "apart leaves a service running"
    assert core.log().count("Presenter admitted") == 3, core.log_tail()
    assert "Ending" not in core.log(), "nothing asked the service to end"
    presenter = service.client(core)
    assert presenter.greeting()["status"] == "running"


def test_apart_connect_clones_beside_a_job_already_in_flight(service, loops, big_device):
    small = filesystems.make(loops, "ext4", label="svcsmall")
    core = service.core()
    destination = service.directory()
    other = service.client(core)
    other.greeting()
    big_job = start_clone(other, big_device, destination, name="big")["id"]
    other.close()
    launched = time.time()

    code, out, err = apart("--connect", core.address, "clone", small.path, destination, "--name", "small", "--json", timeout=150)

    assert code == 0, f"{err}\n{core.log_tail()}"
    result = json.loads(out)
    assert result["result"] == "succeeded" and result["device"] == small.path, result
    image = result["image"]
    assert os.path.basename(image).startswith("small-") and image.endswith(".apt.ext4.gz"), image
    assert result["image_size"] == os.path.getsize(image)
    chkimg(image, "gz")
    assert core.running()
    watcher = service.client(core)
    jobs = watcher.greeting()["jobs"]
    assert [j["id"] for j in jobs] in ([big_job], []), watcher.evidence("only the big clone may still be running")
    if jobs:
        assert watcher.job_end(big_job, "clone", 150)["type"] == "clone", watcher.evidence()
    big_images = [name for name in os.listdir(destination) if name.startswith("big-")]
    assert len(big_images) == 1 and big_images[0].endswith(".apt.ext4.gz"), f"the big clone went on untouched: {os.listdir(destination)}"
    assert os.stat(os.path.join(destination, big_images[0])).st_mtime > launched, "the big clone was still running when apart started"


def test_apart_connect_as_a_member_works_and_as_anyone_else_says_why_not(service, loops, accounts):
    device = filesystems.make(loops, "ext4", label="svcuser", files=False)
    core = service.core(env={"APART_SocketGroup": accounts.group})

    code, out, err = apart("--connect", core.address, "list", "--json", user=accounts.member)
    assert code == 0, f"{err}\n{core.log_tail()}"
    assert device.path in listed_paths(json.loads(out))

    code, out, err = apart("--connect", core.address, "list", user=accounts.outsider)
    assert code == 1 and out == "", (code, out, err)
    assert err.strip() == (f"apart: permission denied on {core.socket_path}: only root and the members of the group {accounts.group} "
                           f"may drive the service (as root: usermod -aG {accounts.group} {accounts.outsider}, then log in again)"), err


def test_apart_connect_refused_by_the_core_says_so(service, accounts):
    core = service.core(env={"APART_SocketGroup": accounts.group, "APART_SocketMode": "0666"})

    started = time.monotonic()
    code, out, err = apart("--connect", core.address, "list", user=accounts.outsider)

    assert code == 1 and out == "", (code, out, err)
    assert "closed the connection: it admits root and the members of its group" in err, err
    assert time.monotonic() - started < 10
    assert f"uid {accounts.uid(accounts.outsider)}," in core.log()


def test_apart_connect_without_a_service_fails_at_once():
    missing = "/tmp/apart-e2e-no-such-service/apart.sock"

    code, out, err = apart("--connect", f"ipc://{missing}", "list")

    assert code == 1 and out == ""
    assert err.strip() == f"apart: no apart-core service at ipc://{missing}: {missing} does not exist (is the service running? systemctl status apart-core)"
    code, _, err = apart("--connect", "tcp://127.0.0.1:9", "list")
    assert code == 2 and "CURVE" in err, err
