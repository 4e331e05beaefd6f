"""Foundation: a pyzmq presenter bound like apart-gtk starts the published core and talks to it
(docs/PROTOCOL.md §1-3, §8), the core survives bad input, ends cleanly, and each plugin folder is
exactly one feature."""

import datetime
import json
import os
import random
import re
import signal
import subprocess
import time
import uuid

import pytest
import yaml
import filesystems
from foundation_support import (
    ALL_CODECS,
    CODEC_PLUGINS,
    CORE,
    check_status_types,
    check_timestamp,
    clone_request,
    core_copy,
    descendants,
    drain_until_exit,
    end_with_kill_request,
    files_in,
    is_dying,
    is_started,
    kill_processes,
    part_named,
    path_without,
    public,
    spawn_presenter_process,
    stalled_partclone,
    still_alive,
    stdout_of,
    timestamps,
    wait_started,
    write_script,
)
from loops import run
from processes import set_child_subreaper, wait_until


def blkid(device):
    """TYPE, LABEL, UUID as blkid probes them."""
    out = run("blkid", "-p", "-o", "export", device.path).stdout
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


def clone_many(presenter, destination, clones):
    """Starts clones [(source name, image name, codec)] at once (they run in parallel; one source
    serves one job at a time) and waits for every end; returns {image name: last message}. Fails
    if any is refused."""
    ids = {}
    for source, name, codec in clones:
        presenter.send(clone_request(f"/dev/{source}", destination, name, codec))
        first = presenter.wait_for(
            lambda m: m.get("type") == "clone-failed" or (m.get("type") == "clone" and os.path.basename(m.get("destination", "")).startswith(name + "-")),
            timeout=10,
            what=f"first reply to clone {name}",
        )
        assert first["type"] == "clone", f"clone {name} ({codec}) refused: {first['_raw']}; log:\n{presenter.log()}"
        ids[name] = first["id"]

    def end_of(job_id):
        return next((m for m in presenter.messages if m.get("id") == job_id and (m.get("type") == "clone-failed" or m.get("finish") is not None)), None)

    presenter.wait_for(lambda _m: all(end_of(i) for i in ids.values()), timeout=60, what="end of every clone")
    return {name: end_of(job_id) for name, job_id in ids.items()}


def clone_and_wait(presenter, source, destination, name, compression):
    presenter.send(clone_request(f"/dev/{source}", destination, name, compression))
    first = presenter.wait_for(lambda m: m.get("type") in ("clone", "clone-failed"), timeout=10, what="clone reply")
    if first["type"] == "clone-failed":
        return first
    return presenter.job_end(first["id"], "clone", timeout=60)


# -- starting, over both transports -----------------------------------------------------------


@pytest.mark.parametrize("transport", ["ipc", "tcp"])
def test_core_sends_status_started_within_2_s_with_right_types(presenters, transport):
    presenter = presenters(transport=transport)
    if transport == "ipc":
        assert re.fullmatch(r"ipc:///tmp/[^/]+\.ipc", presenter.address)
        assert os.path.exists(presenter.ipc_path)
    else:
        assert re.fullmatch(r"tcp://127\.0\.0\.1:\d+", presenter.address)
    message = presenter.next(timeout=2)
    elapsed = time.monotonic() - presenter.started_at
    assert is_started(message), f"first message is not status: started: {message['_raw']}"
    assert elapsed <= 2.0, f"status: started after {elapsed:.2f}s"
    loaded = yaml.safe_load(message["_raw"])  # what apart-gtk does with it
    loaded["_raw"] = message["_raw"]
    check_status_types(loaded)
    assert message["compression_options"] == ALL_CODECS
    # status-request answers with the same shape and status: running
    running = presenter.status()
    check_status_types(running)
    assert running["compression_options"] == ALL_CODECS
    assert isinstance(running.get("jobs", []), list)


@pytest.mark.parametrize("transport", ["ipc", "tcp"])
def test_ext4_loop_device_is_listed_with_blkid_fstype_label_uuid_and_mount_state(presenters, loops, transport):
    label = "fnd" + uuid.uuid4().hex[:8]
    device = filesystems.make(loops, "ext4", label=label, files=False)
    probed = blkid(device)
    assert probed["TYPE"] == "ext4" and probed["LABEL"] == label

    presenter = presenters(transport=transport)
    started = wait_started(presenter)
    check_status_types(started)
    for message in (started, presenter.status()):
        source, part = part_named(message, device.name)
        assert part is not None, f"{device.name} not listed:\n{message['_raw']}"
        assert source["name"] == device.name and [p["name"] for p in source["parts"]] == [device.name]
        assert source["size"] == device.size and part["size"] == device.size
        assert part["fstype"] == "ext4"
        assert part["label"] == label
        assert part["uuid"] == probed["UUID"]
        assert part["mounted"] is False

    mountpoint = loops.mount(device)
    mounted = presenter.status()
    check_status_types(mounted)
    _, part = part_named(mounted, device.name)
    assert part is not None and part["mounted"] is True, mounted["_raw"]

    loops.umount(mountpoint)
    _, part = part_named(presenter.status(), device.name)
    assert part is not None and part["mounted"] is False
    end_with_kill_request(presenter)


# -- bad input ----------------------------------------------------------------------------------


def alias_bomb():
    lines = ["type: status-request", 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    return ("\n".join(lines) + "\n").encode()


BAD_INPUTS = {
    "empty message": (b"", None),
    "binary garbage": (bytes(range(256)) * 16 + random.Random(3).randbytes(4096), None),
    "invalid utf-8": (b"type: status-request\nnote: caf\xc3\x28 \xff\xfe\n", None),
    "yaml that is a list": (b"- type: status-request\n- type: kill-request\n", None),
    "yaml that is a scalar": (b"status-request\n", None),
    "not yaml": (b"type: [unclosed\n  : : :\n\t- }\n", None),
    "mapping without type": (b"source: /dev/sda1\n", None),
    "unknown type": (b"type: frobnicate\n", "frobnicate"),
    "clone without destination and name": (b"type: clone\nsource: /dev/sda1\n", "clone"),
    "restore without destination": (b"type: restore\nsource: /tmp/x-2017-05-03T1020.apt.ext4.gz\n", "restore"),
    "verify without source": (b"type: verify\n", "verify"),
    "delete-clone without file": (b"type: delete-clone\n", "delete-clone"),
    "cancel-clone without id": (b"type: cancel-clone\n", "cancel-clone"),
    "10 MB message": (b"type: status-request\npadding: " + b"a" * (10 * 1000 * 1000) + b"\n", None),
    "yaml alias bomb": (alias_bomb(), None),
}


@pytest.mark.parametrize("name", list(BAD_INPUTS))
def test_bad_input_gets_type_error_with_a_reason_and_status_request_still_works(core, name):
    payload, request_type = BAD_INPUTS[name]
    core.send(payload)
    reply = core.next(timeout=10)
    assert reply["type"] == "error", f"{name}: got {reply['_raw'][:500]!r}; log:\n{core.log()}"
    assert isinstance(reply.get("error"), str) and len(reply["error"].strip()) > 5, reply["_raw"]
    if request_type is not None:
        assert reply.get("request") == request_type, reply["_raw"]
    assert core.process.poll() is None, "the core exited"
    running = core.status()
    check_status_types(running)
    assert running["compression_options"] == ALL_CODECS


def test_core_keeps_serving_after_every_bad_input_in_a_row(core):
    for name, (payload, _) in BAD_INPUTS.items():
        core.send(payload)
        reply = core.next(timeout=10)
        assert reply["type"] == "error", f"{name}: {reply['_raw'][:300]!r}"
    check_status_types(core.status())
    end_with_kill_request(core)


# -- ending ---------------------------------------------------------------------------------------


def test_kill_request_sends_dying_and_exits_0(core):
    core.send({"type": "kill-request"})
    code = drain_until_exit(core)
    assert code == 0, f"exit status {code}; log:\n{core.log()}"
    assert core.messages and is_dying(core.messages[-1]), f"last messages {[public(m) for m in core.messages[-3:]]}; log:\n{core.log()}"
    assert stdout_of(core) == b""


def test_every_ending_delivers_status_dying_before_exit_0_in_12_runs(presenters):
    """The last message must not be lost: the same ending, repeated, with each way of asking."""
    outcomes = []
    for i in range(12):
        presenter = presenters(transport="tcp" if i % 4 == 3 else "ipc")
        wait_started(presenter)
        how = ("kill-request", "SIGTERM", "SIGINT")[i % 3]
        if how == "kill-request":
            presenter.send({"type": "kill-request"})
        else:
            presenter.process.send_signal(getattr(signal, how))
        code = drain_until_exit(presenter)
        last = presenter.messages[-1]
        outcomes.append((how, presenter.address.split(":")[0], code, last.get("type"), last.get("status")))
    bad = [o for o in outcomes if o[2:] != (0, "status", "dying")]
    assert not bad, f"{len(bad)} of {len(outcomes)} endings without dying/exit 0: {bad}"


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_sends_dying_and_exits_0(core, signum):
    core.process.send_signal(signum)
    code = drain_until_exit(core)
    assert code == 0, f"exit status {code}; log:\n{core.log()}"
    assert core.messages and is_dying(core.messages[-1]), f"last messages {[public(m) for m in core.messages[-3:]]}; log:\n{core.log()}"
    assert stdout_of(core) == b""


@pytest.mark.parametrize("how", ["kill-request", "SIGTERM", "SIGINT"])
def test_ending_with_a_running_clone_cancels_it_and_leaves_no_process_or_file(presenters, loops, tmp_path, how):
    device = filesystems.make(loops, "ext4", files=False)
    destination = tmp_path / "images"
    destination.mkdir()
    prefix = stalled_partclone(str(tmp_path))
    presenter = presenters(env={"APART_PARTCLONE_CMD": prefix})
    wait_started(presenter)
    presenter.send(clone_request(f"/dev/{device.name}", str(destination), "stalled", "gz"))
    first = presenter.wait_for("clone", timeout=10)
    children = wait_until(lambda: descendants(presenter.process.pid), 5)
    assert children, "the clone started no process"
    try:
        if how == "kill-request":
            presenter.send({"type": "kill-request"})
        else:
            presenter.process.send_signal(getattr(signal, how))
        code = drain_until_exit(presenter)
        wait_until(lambda: not still_alive(children), 1)
        left = still_alive(children)
    finally:
        kill_processes(children)
    assert code == 0, f"exit status {code}; log:\n{presenter.log()}"
    types = [(m.get("type"), m.get("status")) for m in presenter.messages]
    failed = [m for m in presenter.messages if m.get("type") == "clone-failed" and m.get("id") == first["id"]]
    assert failed, f"no clone-failed for the running clone: {types}"
    assert failed[0]["error"] == "Cancelled", failed[0]["_raw"]
    assert is_dying(presenter.messages[-1]), f"messages {types}; log:\n{presenter.log()}"
    assert presenter.messages.index(failed[0]) < len(presenter.messages) - 1
    assert not left, f"processes left behind: {left}"
    assert files_in(destination) == [], "partial image left behind"
    assert stdout_of(presenter) == b""


def test_presenter_killed_with_sigkill_makes_core_exit_within_10_s_leaving_no_process(loops, tmp_path):
    device = filesystems.make(loops, "ext4", files=False)
    destination = tmp_path / "images"
    destination.mkdir()
    prefix = stalled_partclone(str(tmp_path))
    set_child_subreaper(True)
    presenter = None
    info = {}
    tree = {}
    try:
        presenter, info = spawn_presenter_process(CORE, str(destination), device.name, {"APART_PARTCLONE_CMD": prefix})
        assert "core_pid" in info, info
        core_pid = info["core_pid"]
        tree = dict(wait_until(lambda: descendants(core_pid), 5) or {})
        assert tree, "the clone started no process"
        # the core itself too, so that the clean-up below can end it whatever happens
        tree.update({key: comm for key, comm in descendants(presenter.pid).items() if key[0] == core_pid})

        presenter.send_signal(signal.SIGKILL)
        presenter.wait(5)
        killed_at = time.monotonic()
        status = None
        while time.monotonic() - killed_at < 10.5:
            pid, status = os.waitpid(core_pid, os.WNOHANG)
            if pid == core_pid:
                break
            status = None
            time.sleep(0.05)
        took = time.monotonic() - killed_at
        log = open(info["core_log"], errors="replace").read()[-4000:]
        assert status is not None, f"core {core_pid} still running {took:.1f}s after its presenter was killed; log:\n{log}"
        assert took <= 10, f"core exited only after {took:.1f}s"
        assert os.WIFEXITED(status), f"core ended by signal {os.WTERMSIG(status)}; log:\n{log}"
        assert os.WEXITSTATUS(status) != 0, f"core exited 0 though its presenter went away; log:\n{log}"
        # the kernel may take a moment to finish off a child killed by its parent-death signal
        wait_until(lambda: not still_alive(tree), 1)
        left = still_alive(tree)
        assert not left, f"processes left behind: {left}"
        assert files_in(destination) == [], "partial image left behind"
    finally:
        if presenter is not None and presenter.poll() is None:
            presenter.kill()
            presenter.wait(5)
        kill_processes(tree)
        for (pid, _start) in tree:
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass
        set_child_subreaper(False)
        for key in ("ipc_path", "core_log"):
            if info.get(key) and os.path.exists(info[key]):
                os.unlink(info[key])


# -- command line --------------------------------------------------------------------------------


def test_no_argument_prints_usage_with_environment_variables_and_exits_1():
    result = subprocess.run([CORE], capture_output=True, timeout=20, stdin=subprocess.DEVNULL)
    output = (result.stdout + result.stderr).decode()
    assert result.returncode == 1, f"exit {result.returncode}: {output}"
    assert "usage" in output.lower()
    assert "APART_PARTCLONE_CMD" in output
    assert "APART_LSBLK_CMD" in output


def test_help_prints_usage_and_exits_0():
    result = subprocess.run([CORE, "--help"], capture_output=True, timeout=20, stdin=subprocess.DEVNULL)
    output = (result.stdout + result.stderr).decode()
    assert result.returncode == 0, f"exit {result.returncode}: {output}"
    assert "usage" in output.lower()
    assert "APART_PARTCLONE_CMD" in output and "APART_LSBLK_CMD" in output


def test_logs_never_go_to_stdout(presenters, loops, tmp_path):
    device = filesystems.make(loops, "ext4", files=False)
    presenter = presenters()
    wait_started(presenter)
    presenter.send(b"\xff\xfe")
    presenter.wait_for("error", timeout=10)
    presenter.send(clone_request("/dev/does-not-exist", str(tmp_path), "nothing"))
    presenter.wait_for("clone-failed", timeout=10)
    end = clone_and_wait(presenter, device.name, str(tmp_path), "logged", "gz")
    assert end["type"] == "clone" and end["complete"] == 1.0, end["_raw"]
    presenter.send({"type": "kill-request"})
    assert drain_until_exit(presenter) == 0
    assert stdout_of(presenter) == b"", "the core wrote to stdout"
    assert presenter.log().strip(), "the core logged nothing to stderr"


# -- timestamps -----------------------------------------------------------------------------------


def test_timestamps_in_every_event_load_as_timezone_aware_datetimes(presenters, loops, tmp_path):
    source = filesystems.make(loops, "ext4", label="stamps")
    target = filesystems.make(loops, "ext4", label="target", files=False)
    presenter = presenters()
    wait_started(presenter)

    end = clone_and_wait(presenter, source.name, str(tmp_path), "stamps", "zst")
    assert end["type"] == "clone" and end["complete"] == 1.0, end["_raw"]
    image = end["destination"]
    presenter.send({"type": "verify", "source": image})
    first = presenter.wait_for(lambda m: m.get("type") in ("verify", "verify-failed"), timeout=10)
    presenter.job_end(first["id"], "verify", timeout=60)
    presenter.send({"type": "restore", "source": image, "destination": f"/dev/{target.name}"})
    first = presenter.wait_for(lambda m: m.get("type") in ("restore", "restore-failed"), timeout=10)
    presenter.job_end(first["id"], "restore", timeout=60)
    # refusals carry start and finish too
    presenter.request(clone_request("/dev/not-a-part", str(tmp_path), "refused"), "clone-failed", timeout=10)
    presenter.request({"type": "restore", "source": str(tmp_path / "none-2017-05-03T1020.apt.ext4.gz"), "destination": f"/dev/{target.name}"}, "restore-failed", timeout=10)
    presenter.request({"type": "verify", "source": str(tmp_path / "none-2017-05-03T1020.apt.ext4.gz")}, "verify-failed", timeout=10)
    presenter.status()

    job_types = {"clone", "clone-failed", "restore", "restore-failed", "verify", "verify-failed"}
    seen = set()
    checked = 0
    for message in presenter.messages:
        if message.get("type") in job_types:
            seen.add(message["type"])
            assert message.get("start") is not None, f"{message['type']} without start: {message['_raw']}"
            if message["type"].endswith("-failed") or message.get("finish") is not None or message.get("complete") == 1.0:
                assert message.get("finish") is not None, f"{message['type']} end without finish: {message['_raw']}"
        for path, value in timestamps(public(message), message.get("type", "?")):
            check_timestamp(path, value, message["_raw"])
            checked += 1
        # no timestamp hidden as a string anywhere
        for line in message["_raw"].splitlines():
            assert not re.search(r"""['"]\d{4}-\d\d-\d\dT\d\d:\d\d""", line), f"quoted timestamp: {line}"
    assert seen == job_types, f"missing event types: {job_types - seen}"
    assert checked >= 12
    # the times are now-ish, not garbage
    now = datetime.datetime.now(datetime.timezone.utc)
    for message in presenter.messages:
        if message.get("start") is not None:
            assert abs((now - message["start"]).total_seconds()) < 600, message["_raw"]
    end_with_kill_request(presenter)


def test_running_status_jobs_carry_timezone_aware_timestamps(presenters, loops, tmp_path):
    device = filesystems.make(loops, "ext4", files=False)
    prefix = stalled_partclone(str(tmp_path))
    presenter = presenters(env={"APART_PARTCLONE_CMD": prefix})
    wait_started(presenter)
    presenter.send(clone_request(f"/dev/{device.name}", str(tmp_path), "inflight", "gz"))
    first = presenter.wait_for("clone", timeout=10)
    check_timestamp("clone.start", first["start"], first["_raw"])
    running = presenter.status()
    jobs = running.get("jobs")
    assert isinstance(jobs, list) and [job.get("id") for job in jobs] == [first["id"]], running["_raw"]
    found = timestamps(public(running), "status")
    assert found, running["_raw"]
    for path, value in found:
        check_timestamp(path, value, running["_raw"])
    end_with_kill_request(presenter)


def mapped_files(pid):
    """The files a process has mapped, by base name."""
    with open(f"/proc/{pid}/maps") as maps:
        return {os.path.basename(line.split()[5]) for line in maps if len(line.split()) > 5}


def test_core_leaves_unused_libraries_unloaded_through_a_clone(presenters, loops, tmp_path):
    """Each of these once sat in every core's memory without doing anything for it (measured in
    bench/README.md): OpenSSL for random job ids, Reflection.Emit, Linq.Expressions and
    Compression for the plugin loader's runtimeconfig reading and eager reference walk;
    System.Diagnostics.Process and the socket engine its redirected pipes ran on, for lsblk,
    blkid and the codecs' --version (ShortProgram now starts them itself); Reflection.Metadata
    and Collections.Immutable to read a plugin's contract version (the runtime's own reader of
    the loaded assembly's references does it); Reflection.Emit's ILGeneration and Lightweight,
    for YamlDotNet's compiled regular expression (the core runs without dynamic code)."""
    device = filesystems.make(loops, "ext4", files=True)
    presenter = presenters()
    presenter.wait_for(is_started, timeout=10)
    end = clone_and_wait(presenter, device.name, str(tmp_path), "lean", "gz")
    assert end["type"] == "clone", end["_raw"]
    mapped = mapped_files(presenter.process.pid)
    assert "System.Private.CoreLib.dll" in mapped, f"not a .NET process map: {sorted(mapped)}"
    unwanted = {"libcrypto.so.3", "libssl.so.3", "System.Security.Cryptography.dll", "System.Reflection.Emit.dll",
                "System.Linq.Expressions.dll", "System.IO.Compression.dll",
                "System.Diagnostics.Process.dll", "System.Net.Sockets.dll", "System.IO.Pipes.dll",
                "System.Reflection.Metadata.dll", "System.Collections.Immutable.dll",
                "System.Reflection.Emit.ILGeneration.dll", "System.Reflection.Emit.Lightweight.dll"}
    assert not mapped & unwanted, f"the core mapped {sorted(mapped & unwanted)}"
    end_with_kill_request(presenter)


# -- plugins: one folder, one feature -------------------------------------------------------------


def jit_compiled_while(presenters, directory, work):
    """The methods the JIT compiled (DOTNET_JitDisasmSummary lines, tier included) in a core
    that started, ran work(presenter) and ended with a kill-request.

    The summary goes to the core's standard output, not to DOTNET_JitStdOutFile: the JIT closes
    that file at shutdown while a thread may still be compiling and printing into it, and the
    process then aborts in glibc ("free(): invalid pointer", libclrjit's vfprintf in the
    backtrace; about 1 run in 7 here). Standard output is never closed by the JIT."""
    summary = directory / "jit.txt"
    with open(summary, "wb") as stdout:
        presenter = presenters(env={"DOTNET_JitDisasmSummary": "1"}, stdout=stdout)
        presenter.wait_for(is_started, timeout=10)
        work(presenter)
        presenter.send({"type": "kill-request"})
        code = drain_until_exit(presenter)
    assert code == 0, f"exit status {code}; log:\n{presenter.log()}"
    compiled = [line.split("JIT compiled ", 1)[1] for line in summary.read_text().splitlines() if "JIT compiled " in line]
    assert compiled, "the JIT summary is empty: a check of it would prove nothing"
    return compiled


def test_host_and_plugin_code_is_precompiled_not_jit_compiled_through_a_clone(presenters, loops, tmp_path):
    """Every method Apart declares, the plugins' included, runs from its ReadyToRun image: the
    JIT compiles only generic code over Apart's types, which ReadyToRun cannot hold. (A plugin
    whose shared contracts crossgen2 did not see used to be JIT-compiled whole.) The one generic
    method Apart declares that is instantiated over the framework's types is the log's
    ILogger.Log<TState>, over each LoggerMessage argument struct: a few bytes each, and the
    framework's own loggers are compiled the same way."""
    device = filesystems.make(loops, "ext4", files=True)

    def clone(presenter):
        end = clone_and_wait(presenter, device.name, str(tmp_path), "r2r", "gz")
        assert end["type"] == "clone", end["_raw"]

    compiled = jit_compiled_while(presenters, tmp_path, clone)
    log_instantiations = "Apart.Host.Logging.StandardErrorLoggerProvider+StandardErrorLogger:"
    declared_by_apart = [method for method in compiled if method.startswith("Apart.")
                         and not (method.startswith(log_instantiations + "Log[")
                                  or method.startswith(log_instantiations + "IL_STUB_InstantiatingStub"))]
    assert not declared_by_apart, f"{len(declared_by_apart)} Apart methods JIT-compiled, e.g.:\n" + "\n".join(declared_by_apart[:20])


def test_a_core_answering_thousands_of_messages_recompiles_none_of_its_code(presenters, tmp_path):
    """The core's code runs a few times per job or per presenter: the runtime is told not to
    count calls for recompiling at tier 1 (src/Apart.Host/RuntimeSettings.props), so that a
    service's memory stays flat through thousands of presenters instead of growing by the
    counting's stubs and each method that reaches the default's 30 calls, or the 1000 set
    before. 1500 messages, each answered, run the reader, the router and the writer 1500 times."""

    def errors(presenter):
        for _ in range(1500):
            presenter.send(b"- not a mapping\n")
            answer = presenter.next(timeout=10)
            assert answer["type"] == "error", answer["_raw"]

    recompiled = [method for method in jit_compiled_while(presenters, tmp_path, errors) if "[Tier1" in method]
    # With 1000 calls, 144 to 284 methods were recompiled here (3 runs), 8 to 35 of them over
    # Apart's types; with 65535, 2 (the runtime's cast helpers).
    assert not recompiled, f"{len(recompiled)} methods recompiled at tier 1, e.g.:\n" + "\n".join(recompiled[:20])


@pytest.mark.parametrize("removed", ALL_CODECS)
def test_deleting_one_compression_plugin_removes_exactly_that_codec(presenters, loops, tmp_path, removed):
    devices = [filesystems.make(loops, "ext4", files=False) for _ in range(3)]
    device = devices[0]
    core = core_copy(str(tmp_path), remove=[CODEC_PLUGINS[removed]])
    images = tmp_path / "images"
    images.mkdir()
    presenter = presenters(core=core)
    started = wait_started(presenter)
    check_status_types(started)
    remaining = [codec for codec in ALL_CODECS if codec != removed]
    assert started["compression_options"] == remaining, started["_raw"]
    _, part = part_named(started, device.name)
    assert part is not None and part["fstype"] == "ext4", started["_raw"]

    refused = clone_and_wait(presenter, device.name, str(images), "removed", removed)
    assert refused["type"] == "clone-failed", refused["_raw"]
    assert removed in refused["error"], refused["_raw"]
    assert files_in(images) == []
    ends = clone_many(presenter, str(images), [(d.name, f"with-{codec}", codec) for d, codec in zip(devices, remaining)])
    for name, end in ends.items():
        assert end["type"] == "clone" and end["complete"] == 1.0, f"{name}: {end['_raw']}; log:\n{presenter.log()}"
        assert os.path.exists(end["destination"]) and os.path.getsize(end["destination"]) == end["image_size"]
    assert len(files_in(images)) == len(remaining)
    presenter.send(b"- not a mapping\n")
    assert presenter.next()["type"] == "error"
    end_with_kill_request(presenter)


def test_with_lz4_missing_from_path_compression_options_lack_lz4_and_everything_else_works(presenters, loops, tmp_path):
    devices = [filesystems.make(loops, "ext4", files=False) for _ in range(3)]
    device = devices[0]
    bindir = path_without(str(tmp_path), ["lz4", "lz4c", "lz4cat", "unlz4"])
    for needed in ("pigz", "zstd", "lsblk", "blkid", "setpriv", "partclone.ext4", "partclone.dd"):
        assert os.path.exists(os.path.join(bindir, needed)), needed
    assert not os.path.exists(os.path.join(bindir, "lz4"))
    images = tmp_path / "images"
    images.mkdir()
    presenter = presenters(env={"PATH": bindir})
    started = wait_started(presenter)
    check_status_types(started)
    assert started["compression_options"] == ["gz", "uncompressed", "zst"], started["_raw"]
    _, part = part_named(started, device.name)
    assert part is not None and part["fstype"] == "ext4" and part["mounted"] is False, started["_raw"]

    refused = clone_and_wait(presenter, device.name, str(images), "nolz4", "lz4")
    assert refused["type"] == "clone-failed" and "lz4" in refused["error"], refused["_raw"]
    ends = clone_many(presenter, str(images), [(d.name, f"with-{codec}", codec) for d, codec in zip(devices, ("gz", "uncompressed", "zst"))])
    for name, end in ends.items():
        assert end["type"] == "clone" and end["complete"] == 1.0, f"{name}: {end['_raw']}; log:\n{presenter.log()}"
        assert os.path.exists(end["destination"]) and os.path.getsize(end["destination"]) == end["image_size"]
    assert len(files_in(images)) == 3
    end_with_kill_request(presenter)


def test_deleting_inventory_lsblk_lists_no_sources_but_core_still_answers(presenters, loops, tmp_path):
    device = filesystems.make(loops, "ext4", files=False)
    core = core_copy(str(tmp_path), remove=["Inventory.Lsblk"])
    presenter = presenters(core=core)
    started = wait_started(presenter)
    check_status_types(started)
    assert started["sources"] == [], started["_raw"]
    assert started["compression_options"] == ALL_CODECS
    running = presenter.status()
    assert running["sources"] == [] and running["compression_options"] == ALL_CODECS
    presenter.send(b"type: frobnicate\n")
    assert presenter.next()["type"] == "error"
    refused = clone_and_wait(presenter, device.name, str(tmp_path), "unlisted", "gz")
    assert refused["type"] == "clone-failed" and refused["error"], refused["_raw"]
    end_with_kill_request(presenter)


def test_deleting_imaging_partclone_refuses_a_clone_with_clone_failed_and_a_clear_reason(presenters, loops, tmp_path):
    device = filesystems.make(loops, "ext4", files=False)
    core = core_copy(str(tmp_path), remove=["Imaging.Partclone"])
    images = tmp_path / "images"
    images.mkdir()
    presenter = presenters(core=core)
    started = wait_started(presenter)
    check_status_types(started)
    assert started["compression_options"] == ALL_CODECS
    _, part = part_named(started, device.name)
    assert part is not None and part["fstype"] == "ext4", started["_raw"]

    request = clone_request(f"/dev/{device.name}", str(images), "noimager", "gz")
    presenter.send(request)
    reply = presenter.wait_for(lambda m: m.get("type") in ("clone", "clone-failed", "error"), timeout=10)
    assert reply["type"] == "clone-failed", reply["_raw"]
    assert reply["source"] == request["source"] and reply["destination"] == request["destination"], reply["_raw"]
    assert isinstance(reply.get("id"), str) and reply["id"]
    check_timestamp("clone-failed.start", reply["start"], reply["_raw"])
    check_timestamp("clone-failed.finish", reply["finish"], reply["_raw"])
    error = reply["error"]
    assert isinstance(error, str) and error.strip().lower() not in ("failed", "error", ""), reply["_raw"]
    assert re.search(r"partclone|imag", error, re.IGNORECASE), f"reason does not say what is missing: {error!r}"
    assert files_in(images) == []
    check_status_types(presenter.status())
    end_with_kill_request(presenter)


# -- APART_LSBLK_CMD stand-in ---------------------------------------------------------------------

STANDIN_LSBLK = {
    "blockdevices": [
        {
            "name": "sdz", "size": "500107862016", "fstype": None, "label": None, "mountpoint": None,
            "children": [
                {"name": "sdz1", "size": "536870912", "fstype": "vfat", "label": "EFI", "mountpoint": "/boot/efi"},
                {"name": "sdz2", "size": "107374182400", "fstype": "ext4", "label": "Backups: #1", "mountpoint": None},
                {"name": "sdz3", "size": "8589934592", "fstype": "swap", "label": None, "mountpoint": "[SWAP]"},
            ],
        },
        {"name": "sdy", "size": 8000000000, "fstype": "xfs", "label": "whole", "mountpoint": None},
        {"name": "sdx", "size": "1000000000", "fstype": None, "label": None, "mountpoint": None},
        {"name": "sr9", "size": "0", "fstype": None, "label": None, "mountpoint": None},
    ]
}


def test_lsblk_stand_in_with_only_the_original_columns_lists_its_devices_as_it_says(presenters, loops, tmp_path):
    filesystems.make(loops, "ext4", files=False)  # a real device the stand-in does not mention
    args_file = tmp_path / "lsblk-args"
    json_file = tmp_path / "lsblk.json"
    json_file.write_text(json.dumps(STANDIN_LSBLK, indent=2))
    script = write_script(
        str(tmp_path / "lsblk-standin"),
        f"#!/bin/sh\nprintf '%s\\n' \"$@\" > '{args_file}'\ncat '{json_file}'\n",
    )
    presenter = presenters(env={"APART_LSBLK_CMD": script})
    for message in (wait_started(presenter), presenter.status()):
        check_status_types(message)
        sources = {source["name"]: source for source in message["sources"]}
        # sr9 (size 0) is left out; sdx, blank, is listed as a restore target (one part, no fstype).
        assert sorted(sources) == ["sdx", "sdy", "sdz"], message["_raw"]
        assert [(p["name"], p["size"], p.get("fstype"), p["mounted"]) for p in sources["sdx"]["parts"]] == [("sdx", 1000000000, None, False)]
        sdz = sources["sdz"]
        assert sdz["size"] == 500107862016
        parts = {part["name"]: part for part in sdz["parts"]}
        assert sorted(parts) == ["sdz1", "sdz2", "sdz3"], message["_raw"]
        assert (parts["sdz1"]["size"], parts["sdz1"]["fstype"], parts["sdz1"]["label"], parts["sdz1"]["mounted"]) == (536870912, "vfat", "EFI", True)
        assert (parts["sdz2"]["size"], parts["sdz2"]["fstype"], parts["sdz2"]["label"], parts["sdz2"]["mounted"]) == (107374182400, "ext4", "Backups: #1", False)
        assert (parts["sdz3"]["size"], parts["sdz3"]["fstype"], parts["sdz3"]["mounted"]) == (8589934592, "swap", True)
        assert parts["sdz3"].get("label") is None
        for part in parts.values():
            assert part.get("uuid") is None, part
        sdy = sources["sdy"]
        assert sdy["size"] == 8000000000
        assert [(p["name"], p["size"], p["fstype"], p["label"], p["mounted"]) for p in sdy["parts"]] == [("sdy", 8000000000, "xfs", "whole", False)]
    args = args_file.read_text().splitlines()
    assert args and args[0] == "-Jbo", f"stand-in called with {args}"
    end_with_kill_request(presenter)
