"""Service mode (`apart-core --listen`) for the end-to-end tests.

`ServiceCore` starts the published core bound at an address, with its own state directory and a
log file, optionally under a wrapper (setpriv) and a umask. `Client` is a pyzmq PAIR presenter
that *connects* to it, as a presenter of a service does. `Accounts` makes a group and two
unprivileged users (one in the group) and removes them again, whatever happens. The `service`
fixture gives a factory for both and stops every core and closes every client at the end of the
test, before the `loops` fixture detaches loop devices.
"""

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import pytest
import zmq

from loops import run
from presenter import CORE, REPO, CoreExited, MessageLog
from processes import stop

PYTHON = "/usr/bin/python3"
UNIT = os.path.join(REPO, "packaging", "systemd", "apart-core.service")
SYSUSERS = os.path.join(REPO, "packaging", "systemd", "apart.sysusers.conf")
CLIENT_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "service_client.py")
CORE_TZ = "Asia/Kathmandu"


def scratch_directory(prefix):
    """A directory under /tmp that unprivileged users can traverse (0755)."""
    path = tempfile.mkdtemp(prefix=prefix)
    os.chmod(path, 0o755)
    return path


class ServiceCore:
    """apart-core --listen ADDRESS, with its log in a file."""

    def __init__(self, address=None, env=None, wrapper=(), umask=None, args=None):
        self.directory = scratch_directory("apart-e2e-svc-")
        self.state = os.path.join(self.directory, "state")
        os.mkdir(self.state, 0o700)
        self.socket_path = None
        if address is None:
            self.socket_path = os.path.join(self.directory, "run", "apart.sock")
            address = f"ipc://{self.socket_path}"
        elif address.startswith("ipc://"):
            self.socket_path = address[len("ipc://"):]
        self.address = address
        self.log_path = os.path.join(self.directory, "core.log")
        self.env = dict(os.environ, APART_StateDirectory=self.state, TZ=CORE_TZ)
        self.env.pop("NOTIFY_SOCKET", None)
        self.env.update(env or {})
        self.command = [*wrapper, CORE, *(args if args is not None else ["--listen", address])]
        self.umask = umask
        self.process = None

    def start(self):
        with open(self.log_path, "wb") as log:
            previous = os.umask(self.umask) if self.umask is not None else None
            try:
                self.process = subprocess.Popen(self.command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log, env=self.env)
            finally:
                if previous is not None:
                    os.umask(previous)
        return self

    def wait_listening(self, timeout=20):
        """Waits for the log's "Listening at"; raises CoreExited when the core exits first."""
        deadline = time.monotonic() + timeout
        while "Listening at" not in self.log():
            if self.process.poll() is not None:
                raise CoreExited(f"core exited with {self.process.returncode} before listening; log:\n{self.log()}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"core not listening after {timeout}s; log:\n{self.log()}")
            time.sleep(0.05)
        return self

    def wait_exit(self, timeout=30):
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"core still running after {timeout}s; log:\n{self.log()}") from None

    def terminate(self, timeout=30):
        self.process.send_signal(signal.SIGTERM)
        return self.wait_exit(timeout)

    def running(self):
        return self.process is not None and self.process.poll() is None

    def log(self):
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def log_tail(self):
        return self.log()[-6000:]

    def close(self):
        if self.process is not None:
            stop(self.process, 30)
            if self.process.stdout is not None:
                self.process.stdout.close()
        shutil.rmtree(self.directory, ignore_errors=True)


class Client(MessageLog):
    """A pyzmq PAIR presenter connected to a service core (optionally a CURVE client)."""

    def __init__(self, core, address=None, curve_server_key=None):
        self.core = core
        self.context = zmq.Context()
        self.socket = self.context.socket(zmq.PAIR)
        self.socket.setsockopt(zmq.LINGER, 0)
        if curve_server_key is not None:
            public, secret = zmq.curve_keypair()
            self.socket.curve_serverkey = curve_server_key
            self.socket.curve_publickey = public
            self.socket.curve_secretkey = secret
        self.socket.connect(address or core.address)
        self._start_log()
        self.closed = False

    def core_log(self):
        return self.core.log_tail()

    def core_running(self):
        return self.core.running()

    def greeting(self, timeout=15):
        """The first message: a service greets every presenter with status: running."""
        message = self.next(timeout)
        assert message.get("type") == "status" and message.get("status") == "running", self.evidence(f"first message is not status: running: {message}")
        return message

    def evidence(self, extra=""):
        raw = "\n---\n".join(m.get("_raw", "") for m in self.messages)
        return f"{extra}\nmessages received:\n{raw}\ncore log:\n{self.core.log_tail()}"

    def close(self):
        if not self.closed:
            self.closed = True
            self.socket.close(0)
            self.context.term()


class Services:
    """Every core and client a test starts; all stopped and closed by cleanup()."""

    def __init__(self):
        self.cores = []
        self.clients = []
        self.directories = []

    def core(self, address=None, env=None, wrapper=(), umask=None, args=None, start=True, listening=True):
        core = ServiceCore(address=address, env=env, wrapper=wrapper, umask=umask, args=args)
        self.cores.append(core)
        if start:
            core.start()
            if listening:
                core.wait_listening()
        return core

    def client(self, core, address=None, curve_server_key=None):
        client = Client(core, address=address, curve_server_key=curve_server_key)
        self.clients.append(client)
        return client

    def directory(self, prefix="apart-e2e-svc-dest-"):
        path = scratch_directory(prefix)
        self.directories.append(path)
        return path

    def cleanup(self):
        for client in self.clients:
            client.close()
        for core in self.cores:
            core.close()
        for path in self.directories:
            shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def service(loops):
    """Depends on `loops` so that cores stop before the test's loop devices are detached."""
    created = Services()
    try:
        yield created
    finally:
        created.cleanup()


# -- unprivileged users --------------------------------------------------------------------------


class Accounts:
    """A group and two users without home or shell: `member` (in the group) and `outsider`."""

    def __init__(self):
        tag = secrets.token_hex(3)
        self.group = f"aptg{tag}"
        self.member = f"aptm{tag}"
        self.outsider = f"apto{tag}"
        self.created_users = []
        self.created_group = False

    def create(self):
        run("groupadd", self.group)
        self.created_group = True
        for user, extra in ((self.member, ["-G", self.group]), (self.outsider, [])):
            run("useradd", "-M", "-N", "-s", "/usr/sbin/nologin", *extra, user)
            self.created_users.append(user)
        return self

    def remove(self):
        errors = []
        for user in self.created_users:
            result = run("userdel", user, check=False)
            if result.returncode != 0:
                errors.append(result.stderr)
        if self.created_group:
            result = run("groupdel", self.group, check=False)
            if result.returncode != 0:
                errors.append(result.stderr)
        if errors:
            raise RuntimeError(f"could not remove test accounts: {errors}")

    @property
    def gid(self):
        import grp

        return grp.getgrnam(self.group).gr_gid

    def uid(self, user):
        import pwd

        return pwd.getpwnam(user).pw_uid

    def run_client(self, user, mode, where, seconds, workdir, regid=None, init_groups=True):
        """Runs service_client.py as `user` (through setpriv); its JSON report."""
        import pwd

        script = os.path.join(workdir, "service_client.py")
        if not os.path.exists(script):
            shutil.copy(CLIENT_SCRIPT, script)
            os.chmod(script, 0o644)
        entry = pwd.getpwnam(user)
        groups = ["--init-groups"] if init_groups else ["--clear-groups"]
        command = ["setpriv", f"--reuid={entry.pw_uid}", f"--regid={regid if regid is not None else entry.pw_gid}", *groups, PYTHON, script, mode, where, str(seconds)]
        env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
        result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30, cwd=workdir, env=env)
        assert result.returncode == 0, f"{command} failed ({result.returncode}): {result.stderr}"
        return json.loads(result.stdout)


@pytest.fixture
def accounts():
    created = Accounts()
    try:
        yield created.create()
    finally:
        created.remove()


# -- the unit file -------------------------------------------------------------------------------


def unit_values(key, path=UNIT):
    """Every value of `key` in the unit's [Service] section, in order (systemd accumulates lists)."""
    values = []
    section = None
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line[0] in "#;":
                continue
            if line.startswith("[") and line.endswith("]"):
                section = line[1:-1]
                continue
            name, _, value = line.partition("=")
            if section == "Service" and name.strip() == key:
                values.append(value.strip())
    return values


def bounding_set(path=UNIT):
    """The capabilities of CapabilityBoundingSet=, as setpriv names them (sys_admin, …)."""
    caps = []
    for value in unit_values("CapabilityBoundingSet", path):
        assert not value.startswith("~"), f"CapabilityBoundingSet={value}: an inverted set is not what this test parses"
        if value == "":
            caps = []
            continue
        for name in value.split():
            assert re.fullmatch(r"CAP_[A-Z_]+", name), f"odd capability {name!r} in {path}"
            caps.append(name[len("CAP_"):].lower())
    return caps


def setpriv_bounded(caps):
    """A wrapper that runs a program as root with exactly `caps` (the unit's NoNewPrivileges too)."""
    bounding = ",".join(["-all"] + [f"+{cap}" for cap in caps])
    return ["setpriv", f"--bounding-set={bounding}", "--inh-caps=-all", "--ambient-caps=-all", "--no-new-privs", "--"]


CAP_BITS = {
    "chown": 0, "dac_override": 1, "dac_read_search": 2, "fowner": 3, "fsetid": 4, "kill": 5, "setgid": 6, "setuid": 7,
    "setpcap": 8, "linux_immutable": 9, "net_bind_service": 10, "net_broadcast": 11, "net_admin": 12, "net_raw": 13,
    "ipc_lock": 14, "ipc_owner": 15, "sys_module": 16, "sys_rawio": 17, "sys_chroot": 18, "sys_ptrace": 19,
    "sys_pacct": 20, "sys_admin": 21, "sys_boot": 22, "sys_nice": 23, "sys_resource": 24, "sys_time": 25,
    "sys_tty_config": 26, "mknod": 27, "lease": 28, "audit_write": 29, "audit_control": 30, "setfcap": 31,
}


def capabilities_of(pid):
    """{"CapEff": set of names, "CapBnd": …} of a running process."""
    found = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("CapEff", "CapPrm", "CapBnd", "CapInh", "CapAmb"):
                bits = int(value.strip(), 16)
                found[key] = {name for name, bit in CAP_BITS.items() if bits >> bit & 1} | ({f"bit{b}" for b in range(32, 64) if bits >> b & 1})
    return found


# -- small things --------------------------------------------------------------------------------


def free_tcp_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stale_socket(path):
    """Leaves a Unix socket file at `path` that nobody listens on (a dead core's)."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.close()
    return os.lstat(path)


