"""A presenter for end-to-end tests: a real libzmq peer (Debian's pyzmq), bound the way apart-gtk
binds, that spawns the published apart-core and speaks docs/PROTOCOL.md to it."""

import os
import subprocess
import tempfile
import time
import uuid

import yaml
import zmq

from processes import stop

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORE = os.environ.get("APART_CORE", os.path.join(REPO, "artifacts", "apart-core", "apart-core"))


class CoreExited(Exception):
    pass


class MessageLog:
    """Messages received on a PAIR socket, kept in order, with waits over them.

    A subclass sets `self.socket` and calls `_start_log()`, and says how to describe the core
    (`core_log()`, for error messages) and whether it still runs (`core_running()`)."""

    def _start_log(self):
        self.messages = []
        self._seen = 0

    def core_log(self):
        raise NotImplementedError

    def core_running(self):
        raise NotImplementedError

    def send(self, message):
        """Sends a dict as YAML, or str/bytes as they are."""
        if isinstance(message, dict):
            message = yaml.safe_dump(message, default_flow_style=False)
        if isinstance(message, str):
            message = message.encode("utf-8")
        self.socket.send(message)

    def receive(self, timeout):
        """One message within `timeout` seconds (recorded), or None."""
        if self.socket.poll(int(timeout * 1000)) == 0:
            return None
        raw = self.socket.recv()
        text = raw.decode("utf-8", errors="replace")
        try:
            message = yaml.safe_load(text)
        except yaml.YAMLError as error:
            message = {"_invalid": f"not YAML: {error}"}
        if not isinstance(message, dict):
            message = {"_invalid": f"not a mapping: {message!r}"}
        message["_raw"] = text
        self.messages.append(message)
        return message

    def next(self, timeout=10):
        """The next message not yet returned by next/wait_for."""
        deadline = time.monotonic() + timeout
        while self._seen >= len(self.messages):
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no message within {timeout}s; got {self.types()}; core log:\n{self.core_log()}")
            if self.receive(min(left, 0.2)) is None and not self.core_running():
                # A last message may still be in flight when the process has just ended.
                if self.receive(0.5) is None:
                    raise CoreExited(f"the core has exited; got {self.types()}; log:\n{self.core_log()}")
        message = self.messages[self._seen]
        self._seen += 1
        return message

    def wait_for(self, predicate, timeout=30, what=None):
        """Skips messages until one matches (a type name or a predicate); returns it."""
        if isinstance(predicate, str):
            wanted = predicate
            predicate = lambda m: m.get("type") == wanted  # noqa: E731
            what = what or wanted
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no {what or 'matching'} message within {timeout}s; got {self.types()}; log:\n{self.core_log()}")
            message = self.next(left)
            if predicate(message):
                return message

    def request(self, message, reply_type, timeout=30):
        self.send(message)
        return self.wait_for(reply_type, timeout)

    def status(self, timeout=15):
        return self.request({"type": "status-request"}, lambda m: m.get("type") == "status" and m.get("status") == "running", timeout)

    def job_end(self, job_id, kind, timeout=120):
        """The success or failure message of a job, even if an earlier wait already passed it."""
        ends = lambda m: m.get("id") == job_id and (  # noqa: E731
            m.get("type") == f"{kind}-failed" or (m.get("type") == kind and m.get("finish") is not None))
        for message in self.messages:
            if ends(message):
                return message
        return self.wait_for(ends, timeout, what=f"end of {kind} {job_id}")

    def types(self):
        return [m.get("type") for m in self.messages]

    def of_job(self, job_id):
        return [m for m in self.messages if m.get("id") == job_id]


class Presenter(MessageLog):
    """Binds a PAIR socket, starts apart-core connected to it, and records every message."""

    def __init__(self, transport="ipc", env=None, core=CORE, start=True, stdout=None):
        self.context = zmq.Context()
        self.socket = self.context.socket(zmq.PAIR)
        self.socket.setsockopt(zmq.LINGER, 0)
        self.ipc_path = None
        if transport == "ipc":
            self.ipc_path = f"/tmp/apart-test-{uuid.uuid4().hex[:12]}.ipc"
            self.address = f"ipc://{self.ipc_path}"
            self.socket.bind(self.address)
        else:
            port = self.socket.bind_to_random_port("tcp://127.0.0.1")
            self.address = f"tcp://127.0.0.1:{port}"
        self._start_log()
        self.stderr = tempfile.NamedTemporaryFile(prefix="apart-core-", suffix=".log", delete=False)
        self.env = dict(os.environ, **(env or {}))
        self.core_path = core
        self.stdout = stdout  # a file for the core's standard output; a pipe read after exit without one
        self.process = None
        self.started_at = None
        if start:
            self.start()

    def start(self):
        self.started_at = time.monotonic()
        self.process = subprocess.Popen(
            [self.core_path, self.address],
            stdin=subprocess.DEVNULL,
            stdout=self.stdout if self.stdout is not None else subprocess.PIPE,
            stderr=self.stderr,
            env=self.env,
        )
        return self

    def core_log(self):
        return self.log()

    def core_running(self):
        return self.process is not None and self.process.poll() is None

    # -- lifetime ----------------------------------------------------------------------------

    def log(self):
        with open(self.stderr.name, encoding="utf-8", errors="replace") as f:
            return f.read()[-6000:]

    def wait_exit(self, timeout=15):
        return self.process.wait(timeout)

    def close(self):
        if self.process is not None:
            stop(self.process, 15)
        if self.process is not None and self.process.stdout is not None:
            self.process.stdout.close()
        self.socket.close(0)
        self.context.term()
        if self.ipc_path and os.path.exists(self.ipc_path):
            os.unlink(self.ipc_path)
        self.stderr.close()
        os.unlink(self.stderr.name)
