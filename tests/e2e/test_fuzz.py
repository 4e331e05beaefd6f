"""Hostile input, end to end (docs/PROTOCOL.md §1 and §8, README "Limits"): what a presenter sends can
never crash the core, stall it, make it run anything or touch anything, or grow it without bound.

The seeded fuzz prints its seed; `APART_FUZZ_SEED=N ./test.sh -k fuzz` replays the same messages.
Every fuzzed core runs with a stand-in lsblk that lists no device at all (until the fuzz is over),
and fuzz messages name only paths inside a temporary sandbox and devices that do not exist: no
fuzz message can reach a real device or a file of this machine, even if the core had a bug.
"""

import os
import random
import time

import pytest
import yaml
import zmq

import filesystems
from clone_support import chkimg, evidence, listing, rig  # noqa: F401 - rig is a fixture
from hardening_support import (
    FINAL_TYPES,
    IMAGE_TIME,
    FuzzRun,
    Fuzzer,
    Sandbox,
    YamlLoader,
    lsblk_stand_in,
    replay_one_by_one,
    start,
)

FUZZ_COUNT = 30_000  # at least 10,000; about 30 s here
SEED_VARIABLE = "APART_FUZZ_SEED"
RSS_LIMIT_KIB = 200 * 1024
MIB = 1 << 20


def fuzz_seed():
    value = os.environ.get(SEED_VARIABLE)
    return int(value) if value else random.SystemRandom().randrange(1, 1 << 32)


@pytest.fixture
def sandbox():
    box = Sandbox()
    try:
        yield box
    finally:
        box.close()


@pytest.fixture
def no_devices(tmp_path):
    """(env for a core whose lsblk lists nothing, the file that lists what it may see)."""
    allowed = tmp_path / "lsblk-devices"
    return {"APART_LSBLK_CMD": lsblk_stand_in(str(tmp_path), str(allowed))}, allowed


def peak_rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        fields = dict(line.split(":", 1) for line in f if ":" in line)
    return int(fields["VmHWM"].split()[0])


# -- the fuzz ------------------------------------------------------------------------------------


def test_thirty_thousand_hostile_messages_each_get_one_error_or_failure_and_the_core_stays_small_and_still_works(rig, sandbox, no_devices, record_property):
    seed = fuzz_seed()  # chosen and printed at the top of the run by conftest.py
    env, allowed = no_devices
    core = rig.core(env=env)
    cwd = os.readlink(f"/proc/{core.process.pid}/cwd")
    cwd_before = listing(cwd)

    started = time.monotonic()
    fuzz = FuzzRun(core)
    finished = fuzz.run(Fuzzer(seed, sandbox).messages(FUZZ_COUNT))
    took = time.monotonic() - started
    summary = (
        f"fuzz seed {seed}: sent {fuzz.hostile} hostile messages and {fuzz.statuses_sent} status-requests in {took:.1f}s; "
        f"answers {dict(sorted(fuzz.finals.items()))}, {fuzz.statuses} status; verify jobs {len(fuzz.jobs)}; "
        f"peak RSS {fuzz.peak_rss_kib / 1024:.1f} MiB"
    )
    record_property("shown", summary)  # printed at the end of the run (conftest.py)

    if not finished:
        sandbox.unjam()
        culprit = replay_one_by_one(fuzz.sent_log, sandbox, env=env)
        pytest.fail(f"{summary}\n{fuzz.failure}\nreplayed one by one on a fresh core, the first that fails: {culprit}\ncore log:\n{core.log()}")
    if fuzz.answered != fuzz.hostile or fuzz.statuses != fuzz.statuses_sent:
        culprit = replay_one_by_one(Fuzzer(seed, sandbox).messages(FUZZ_COUNT), sandbox, env=env, budget=60)
        pytest.fail(
            f"{summary}\n{fuzz.answered} error/*-failed answers to {fuzz.hostile} hostile messages, {fuzz.statuses} status to "
            f"{fuzz.statuses_sent} status-requests\nreplayed one by one on a fresh core, the first that fails: {culprit}")
    assert not fuzz.unloadable, f"{summary}\nanswers a YAML loader cannot read: {fuzz.unloadable[:5]}"
    assert not fuzz.unexpected, f"{summary}\nanswers that are neither error nor *-failed: {fuzz.unexpected[:5]}"
    assert all(fuzz.jobs.values()), f"{summary}\nverify jobs without their verify-failed: {fuzz.jobs}"
    assert core.process.poll() is None, f"{summary}\nthe core exited"
    hwm = peak_rss_kib(core.process.pid)
    assert hwm < RSS_LIMIT_KIB, f"{summary}\npeak RSS (VmHWM) {hwm / 1024:.1f} MiB, over 200 MiB"
    assert sandbox.fingerprint() == sandbox.before, f"{summary}\nthe sandbox (or the file its symlinks lead to) changed"
    assert listing(cwd) == cwd_before, f"{summary}\nthe core's working directory {cwd} changed: {listing(cwd)}"

    # Afterwards the same core still clones, verifies and restores correctly.
    source = rig.filesystem("ext4", seed=5)
    target = rig.filesystem("ext4", files=False, seed=6)
    allowed.write_text(f"{source.path} {target.path}\n")
    status = core.status()
    listed = {part["name"] for device in status["sources"] for part in device["parts"]}
    assert {source.name, target.name} <= listed, evidence(core, f"after the fuzz the status lists {listed}")
    expected = filesystems.snapshot(rig.loops, source, "ext4")
    through_symlink = sandbox.path("link-images")
    request = {"type": "clone", "source": source.path, "destination": through_symlink, "name": "after-fuzz", "compression": "zst"}
    first = start(core, request, "clone")
    assert first["type"] == "clone", evidence(core, f"after the fuzz the clone was refused: {first}")
    end = core.job_end(first["id"], "clone", timeout=60)
    assert end["type"] == "clone", evidence(core, f"after the fuzz the clone failed: {end}")
    image = sandbox.path("images", os.path.basename(end["destination"]))
    assert listing(sandbox.path("images")) == [os.path.basename(image)], listing(sandbox.path("images"))
    chkimg(image, "zst")

    core.send({"type": "verify", "source": image})
    checked = core.wait_for(lambda m: m.get("type") in ("verify", "verify-failed") and m.get("source") == image, timeout=15)
    checked = checked if checked["type"] == "verify-failed" else core.job_end(checked["id"], "verify", timeout=60)
    assert checked["type"] == "verify", evidence(core, f"after the fuzz the verify failed: {checked}")

    first = start(core, {"type": "restore", "source": image, "destination": target.path}, "restore")
    assert first["type"] == "restore", evidence(core, f"after the fuzz the restore was refused: {first}")
    end = core.job_end(first["id"], "restore", timeout=60)
    assert end["type"] == "restore", evidence(core, f"after the fuzz the restore failed: {end}")
    assert filesystems.snapshot(rig.loops, target, "ext4") == expected, "the restored files differ from the source's"
    filesystems.check(target, "ext4")


# -- hostile messages one by one, each with the answer it must get -------------------------------


def nested(depth):
    return "[" * depth + "]" * depth


def alias_bomb():
    lines = ["type: clone", 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    lines.append("source: *i\ndestination: /tmp\nname: bomb")
    return "\n".join(lines) + "\n"


def image_path(box, name, directory="images"):
    return box.path(directory, f"{name}-{IMAGE_TIME}.apt.ext4.gz")


NONE = "/dev/apart-fuzz-none"

# id: (payload from the sandbox, the answer's type, the `request` an error must name or None)
ONE_BY_ONE = {
    "alias bomb": (lambda b: alias_bomb(), "error", None),
    "an alias to the type": (lambda b: "type: &t verify\nsource: *t\n", "error", None),
    "merge key": (lambda b: "base: &b {type: verify, source: /dev/null}\n<<: *b\n", "error", None),
    "nesting 10,000 deep": (lambda b: f"type: clone\nsource: {nested(10_000)}\n", "error", None),
    "nesting 33 deep": (lambda b: f"type: verify\nsource: {nested(33)}\n", "error", None),
    "a 10 MB string": (lambda b: "type: clone\nsource: /dev/x\ndestination: /tmp\nname: " + "n" * 10_000_000 + "\n", "error", None),
    "1 MiB and 1 byte": (lambda b: "type: verify\nsource: " + "/" * (MIB + 1 - 22) + "\n", "error", None),
    "just under 1 MiB, with a huge name": (lambda b: f"type: clone\nsource: {NONE}\ndestination: /tmp\nname: " + "n" * (MIB - 200) + "\n", "clone-failed", None),
    "invalid utf-8": (lambda b: b"type: verify\nsource: /tmp/caf\xc3\x28-\xff\xfe\n", "error", None),
    "a UTF-16 request": (lambda b: "type: verify\nsource: /dev/null\n".encode("utf-16"), "error", None),
    "source: [1, 2]": (lambda b: "type: clone\nsource: [1, 2]\ndestination: /tmp\nname: x\n", "error", "clone"),
    "destination: {a: 1}": (lambda b: f"type: restore\nsource: {image_path(b, 'x')}\ndestination: {{a: 1}}\n", "error", "restore"),
    "a complete-style float as the source": (lambda b: "type: verify\nsource: 0.5634\n", "verify-failed", None),
    "a float as the name": (lambda b: f"type: clone\nsource: {NONE}\ndestination: /tmp\nname: 1.0\n", "clone-failed", None),
    "a float as the id": (lambda b: "type: cancel-clone\nid: 0.9999\n", "error", "cancel-clone"),
    "a boolean as the file": (lambda b: "type: delete-clone\nfile: true\n", "delete-clone-failed", None),
    "a python tag as the type": (lambda b: 'type: !!python/object/apply:os.system ["touch pwned"]\nsource: /dev/null\n', "error", None),
    "a flow list cut short by a block scalar": (lambda b: "type: verify\n[\n>\n", "error", None),
    "an unclosed flow mapping before a backquote": (lambda b: "id: {../\ntype`ncel-restor\n", "error", None),
    "an unclosed flow mapping in a value": (lambda b: f"type: clone\nsource: /dev/\ndestination: {{{b.path('notes.txt')}\nname: ''\n", "error", None),
    "two documents": (lambda b: "type: verify\nsource: /dev/null\n---\ntype: cancel-clone\nid: x\n", "error", None),
    "no type": (lambda b: "source: /dev/null\n", "error", None),
    "clone without source": (lambda b: "type: clone\ndestination: /tmp\nname: x\n", "error", "clone"),
    "clone without destination": (lambda b: f"type: clone\nsource: {NONE}\nname: x\n", "error", "clone"),
    "clone without name": (lambda b: f"type: clone\nsource: {NONE}\ndestination: /tmp\n", "error", "clone"),
    "restore without source": (lambda b: f"type: restore\ndestination: {NONE}\n", "error", "restore"),
    "restore without destination": (lambda b: f"type: restore\nsource: {image_path(b, 'x')}\n", "error", "restore"),
    "verify without source": (lambda b: "type: verify\n", "error", "verify"),
    "cancel-clone without id": (lambda b: "type: cancel-clone\n", "error", "cancel-clone"),
    "cancel-restore without id": (lambda b: "type: cancel-restore\n", "error", "cancel-restore"),
    "cancel-verify without id": (lambda b: "type: cancel-verify\n", "error", "cancel-verify"),
    "delete-clone without file": (lambda b: "type: delete-clone\n", "error", "delete-clone"),
    "a name with ../": (lambda b: f"type: clone\nsource: {NONE}\ndestination: {b.path('images')}\nname: ../../escaped\n", "clone-failed", None),
    "a name with NUL": (lambda b: f'type: clone\nsource: {NONE}\ndestination: {b.path("images")}\nname: "a\\0b"\n', "clone-failed", None),
    "a name with a newline": (lambda b: f'type: clone\nsource: {NONE}\ndestination: {b.path("images")}\nname: "a\\nb"\n', "clone-failed", None),
    "a name of 100,000 bytes": (lambda b: f"type: clone\nsource: {NONE}\ndestination: {b.path('images')}\nname: " + "n" * 100_000 + "\n", "clone-failed", None),
    "an image path with ../ out of its directory": (lambda b: f"type: restore\nsource: {b.path('images', '..', '..', '..', 'etc', f'x-{IMAGE_TIME}.apt.ext4.gz')}\ndestination: {NONE}\n", "restore-failed", None),
    "a restore source with NUL": (lambda b: f'type: restore\nsource: "{b.path("images")}/a\\0b-{IMAGE_TIME}.apt.ext4.gz"\ndestination: {NONE}\n', "restore-failed", None),
    "a verify source with NUL": (lambda b: f'type: verify\nsource: "{b.path("images")}/a\\0b-{IMAGE_TIME}.apt.ext4.gz"\n', "verify-failed", None),
    "a delete-clone file with NUL": (lambda b: f'type: delete-clone\nfile: "{b.path("images")}/a\\0b-{IMAGE_TIME}.apt.ext4.gz"\n', "delete-clone-failed", None),
    "a delete-clone file with a newline": (lambda b: f'type: delete-clone\nfile: "{b.path("images")}/a\\nb-{IMAGE_TIME}.apt.ext4.gz"\n', "delete-clone-failed", None),
    "a delete-clone of a symlink out of the sandbox named like an image": (lambda b: f"type: delete-clone\nfile: {image_path(b, 'link-passwd', '.')}\n", "delete-clone-failed", None),
    "a verify of a symlink to /dev/null named like an image": (lambda b: f"type: verify\nsource: {b.path(f'link-null-{IMAGE_TIME}.apt.dd.uncompressed')}\n", "verify-failed", None),
    "a verify of a dangling symlink": (lambda b: f"type: verify\nsource: {image_path(b, 'dangling', '.')}\n", "verify-failed", None),
    "a verify of a symlink loop": (lambda b: f"type: verify\nsource: {image_path(b, 'loop', '.')}\n", "verify-failed", None),
    "a verify of a directory named like an image": (lambda b: f"type: verify\nsource: {image_path(b, 'dir', '.')}\n", "verify-failed", None),
    "a verify of a FIFO named like an image": (lambda b: f"type: verify\nsource: {image_path(b, 'fifo', '.')}\n", "verify-failed", None),
    "a restore of a FIFO named like an image": (lambda b: f"type: restore\nsource: {image_path(b, 'fifo', '.')}\ndestination: {NONE}\n", "restore-failed", None),
    "a path longer than PATH_MAX": (lambda b: f"type: verify\nsource: {b.path(*(['images', '..'] * 1000))}/x-{IMAGE_TIME}.apt.ext4.gz\n", "verify-failed", None),
    "a path component longer than 255 bytes": (lambda b: f"type: verify\nsource: {b.path('images', 'c' * 300)}-{IMAGE_TIME}.apt.ext4.gz\n", "verify-failed", None),
    "a cancel id of 10,000 bytes": (lambda b: "type: cancel-restore\nid: " + "i" * 10_000 + "\n", "error", "cancel-restore"),
}


class SharedCore:
    """One core for the one-by-one cases, replaced when a case left it dead or stalled."""

    def __init__(self, presenters, env):
        self._presenters = presenters
        self._env = env
        self.core = None

    def get(self, sandbox):
        if self.core is not None and not self._healthy():
            sandbox.unjam()
            self.core.close() if self.core.process.poll() is None else None
            self.core = None
        if self.core is None:
            self.core = self._presenters(env=self._env)
            self.core.wait_for(lambda m: m.get("type") == "status" and m.get("status") == "started", timeout=15)
        self._drain()
        return self.core

    def _healthy(self):
        if self.core.process.poll() is not None:
            return False
        self._drain()
        try:
            self.core.status(timeout=3)
            return True
        except Exception:  # noqa: BLE001 - stalled or gone: a new core
            return False

    def _drain(self):
        while self.core.process.poll() is None and self.core.receive(0.05) is not None:
            pass
        self.core._seen = len(self.core.messages)


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    from presenter import Presenter

    directory = tmp_path_factory.mktemp("one-by-one")
    env = {"APART_LSBLK_CMD": lsblk_stand_in(str(directory), str(directory / "lsblk-devices"))}
    started = []

    def presenters(**kwargs):
        presenter = Presenter(**kwargs)
        started.append(presenter)
        return presenter

    try:
        yield SharedCore(presenters, env)
    finally:
        for presenter in started:
            presenter.close()


@pytest.mark.parametrize("case", list(ONE_BY_ONE))
def test_each_hostile_message_gets_exactly_one_answer_of_the_right_type_and_the_core_keeps_serving(shared, sandbox, case):
    build, expected, request_type = ONE_BY_ONE[case]
    core = shared.get(sandbox)
    payload = build(sandbox)
    payload = payload.encode() if isinstance(payload, str) else payload

    first_new = len(core.messages)
    core.send(payload)
    answers = []
    deadline = time.monotonic() + 5
    while not answers and time.monotonic() < deadline:
        try:
            message = core.next(timeout=0.5)
        except TimeoutError:
            continue
        if message.get("type") in FINAL_TYPES | {"deleted-clone"} or (message.get("finish") is not None):
            answers.append(message)
    alive = core.process.poll() is None
    try:
        status = core.status(timeout=3) if alive else None
    except TimeoutError:
        status = None
    time.sleep(0.2)
    while alive and core.process.poll() is None and core.receive(0.05) is not None:
        pass
    answers = [m for m in core.messages[first_new:] if m.get("type") in FINAL_TYPES | {"deleted-clone"} or m.get("finish") is not None]
    context = f"{case}: sent {payload[:300]!r}\nanswers: {[m['_raw'][:400] for m in answers]}\ncore log:\n{core.log()[-3000:]}"

    assert alive and core.process.poll() is None, f"the core exited ({core.process.returncode}); {context}"
    assert answers, f"no answer within 5 s; {context}"
    assert status is not None and status["status"] == "running", f"the core stopped answering status-request; {context}"
    assert len(answers) == 1, f"{len(answers)} answers; {context}"
    answer = answers[0]
    assert answer["type"] == expected, f"answered {answer['type']}, not {expected}; {context}"
    error = answer.get("error")
    assert isinstance(error, str) and len(error.strip()) > 5, f"no reason; {context}"
    if request_type is not None:
        assert answer.get("request") == request_type, f"the error names request {answer.get('request')!r}; {context}"
    assert len(answer["_raw"]) < 2 * MIB, f"an answer of {len(answer['_raw'])} bytes; {context}"
    assert sandbox.fingerprint() == sandbox.before, f"the sandbox changed; {context}"
    assert not os.path.exists(os.path.join(os.readlink(f"/proc/{core.process.pid}/cwd"), "pwned"))


def test_extra_frames_after_the_first_are_dropped_even_a_kill_request(shared, sandbox):
    core = shared.get(sandbox)
    core.socket.send_multipart([b"type: cancel-verify\nid: nope\n", b"type: kill-request\n", b"type: status-request\n"])
    answer = core.wait_for(lambda m: m.get("type") in FINAL_TYPES or m.get("type") == "status", timeout=10)
    assert answer["type"] == "error" and answer.get("request") == "cancel-verify", answer["_raw"]
    status = core.status(timeout=5)
    assert status["status"] == "running"
    time.sleep(0.3)
    assert core.process.poll() is None, f"an extra frame (kill-request) ended the core; log:\n{core.log()}"
    while core.receive(0.05) is not None:
        pass
    after = next(i for i, m in enumerate(core.messages) if m is status) + 1
    extra = [m for m in core.messages[after:] if m.get("type") in ("status", "error")]
    assert not extra, f"an extra frame was answered: {[m['_raw'][:200] for m in extra]}"


# -- size ----------------------------------------------------------------------------------------


def flood(core, payload, count, timeout=120):
    """Sends `count` copies of a big message as fast as the core takes them, reading answers all
    along; returns (answers, peak RSS in KiB while it ran)."""
    socket = core.socket
    sent, answers, peak = 0, [], 0
    deadline = time.monotonic() + timeout
    frame = zmq.Frame(payload)
    while len(answers) < count and time.monotonic() < deadline and core.process.poll() is None:
        if sent < count:
            try:
                socket.send(frame, zmq.NOBLOCK, copy=False)
                sent += 1
            except zmq.Again:
                pass
        while socket.poll(0 if sent < count else 100):
            answers.append(yaml.load(socket.recv(), Loader=YamlLoader))
        try:
            peak = max(peak, peak_rss_kib(core.process.pid))
        except OSError:
            break
    return answers, peak


def test_a_flood_of_10_mb_messages_is_answered_with_errors_and_keeps_the_core_under_200_mib(presenters, no_devices):
    env, _ = no_devices
    core = presenters(env=env)
    core.wait_for(lambda m: m.get("type") == "status" and m.get("status") == "started", timeout=15)
    payload = b"type: clone\nsource: /dev/apart-fuzz-none\ndestination: /nonexistent\nname: " + b"n" * 10_000_000 + b"\n"
    count = 200

    answers, peak = flood(core, payload, count)

    assert core.process.poll() is None, f"the core exited; log:\n{core.log()}"
    assert len(answers) == count, f"{len(answers)} answers to {count} messages of 10 MB; log:\n{core.log()}"
    assert all(a["type"] == "error" and "limit" in a["error"] for a in answers), {a["type"] for a in answers}
    assert core.status(timeout=10)["status"] == "running"
    assert peak < RSS_LIMIT_KIB, f"peak RSS (VmHWM) {peak / 1024:.1f} MiB after {count} messages of 10 MB, over 200 MiB"


def test_a_message_over_the_64_mib_transport_limit_is_dropped_and_the_core_goes_on(presenters, no_devices):
    """Up to 64 MiB a message is read and refused with `error`; beyond, the transport drops the
    connection rather than hold the message in memory (README), and the presenter reconnects."""
    env, _ = no_devices
    core = presenters(env=env)
    core.wait_for(lambda m: m.get("type") == "status" and m.get("status") == "started", timeout=15)

    core.send(b"type: status-request\npad: " + b"p" * (70 * MIB) + b"\n")
    try:
        answer = core.next(timeout=10)
    except TimeoutError:
        answer = None
    status = core.status(timeout=15)

    assert core.process.poll() is None, f"the core exited; log:\n{core.log()}"
    assert status["status"] == "running"
    assert answer is None or answer["type"] in ("error", "status"), (
        f"a 70 MiB message got {answer['_raw'][:300]!r}; core log:\n{core.log()}")
