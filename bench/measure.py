"""One measurement each: A (apart-core driven over the protocol) and B (the plain shell pipeline).

A: a presenter (tests/e2e/presenter.py: a pyzmq PAIR socket bound at ipc://, like apart-gtk)
spawns a fresh apart-core for every run and waits for `status: started` (not timed). Then the
caches are dropped and the clock runs from the request being sent to the success message being
received. Only messages that can end the job are parsed, so the presenter costs next to nothing
while the job runs.

B: bash runs the same programs with the same options, `set -o pipefail`, and the same flush at
the end; the clock runs from spawning bash to reaping it.
"""

import hashlib
import os
import select
import shlex
import shutil
import signal
import subprocess
import time

import yaml

from system import children_of, drop_caches, proc_cpu, proc_status_kib

try:
    from yaml import CSafeLoader as Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as Loader

from presenter import Presenter  # noqa: E402  (tests/e2e is on sys.path, see bench/run)

CODECS = ["gz", "zst", "lz4", "uncompressed"]

# The programs and options the core runs (plugins/Compression.*/*Plugin.cs). bench/run checks
# them against the command lines the core really starts and reports both.
COMPRESS = {
    "gz": ["pigz", "-1", "-c"],
    "zst": ["pzstd", "-3", "-q", "-c"],
    "lz4": ["lz4", "-q", "-c", "-BI", "-B7", "-BX"],
    "uncompressed": None,
}

# What zst images were written with before they became seekable (issue 16): their framing's cost
# is timed against it, in the shell, alternating with B.
UNFRAMED_ZST = ["zstd", "-T0", "-q", "-c"]
DECOMPRESS = {
    "gz": ["pigz", "-d", "-c"],
    "zst": ["zstd", "-d", "-q", "-c", "--long=31"],
    "lz4": ["lz4", "-d", "-q", "-c"],
    "uncompressed": None,
}

JOB_TIMEOUT = 600


class JobFailed(Exception):
    pass


class Core:
    """One apart-core process and the presenter that started it."""

    def __init__(self, core_path, env=None):
        self.presenter = Presenter(core=core_path, env=env, start=False)
        self.spawned_at = time.monotonic()
        self.presenter.start()
        self.pid = self.presenter.process.pid
        self.started = None
        self.wrapper = None  # a program the core runs each stage under (setpriv), if any

    @property
    def socket(self):
        return self.presenter.socket

    def receive(self, timeout):
        """The next raw message, or None after timeout seconds."""
        if self.socket.poll(int(timeout * 1000)) == 0:
            return None
        return self.socket.recv()

    def next_raw(self, deadline, what, timeout):
        """The next raw message before deadline (time.monotonic()): TimeoutError after it (`what`
        was awaited for `timeout` seconds), JobFailed if the core exits first."""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"apart-core sent no {what} within {timeout}s; log:\n{self.presenter.log()}")
            raw = self.receive(min(left, 0.5))
            if raw is not None:
                return raw
            if self.presenter.process.poll() is not None:
                raise JobFailed(f"apart-core exited with {self.presenter.process.returncode}; log:\n{self.presenter.log()}")

    def wait_started(self, timeout=60):
        """Seconds from spawn to the `status: started` message."""
        deadline = time.monotonic() + timeout
        while True:
            raw = self.next_raw(deadline, "status: started", timeout)
            if b"status: started" in raw:
                elapsed = time.monotonic() - self.spawned_at
                self.started = yaml.load(raw, Loader=Loader)
                return elapsed

    def wait_for_type(self, types, what, timeout):
        """The next message whose type is one of `types`, parsed; the others are skipped."""
        deadline = time.monotonic() + timeout
        while True:
            message = yaml.load(self.next_raw(deadline, what, timeout), Loader=Loader)
            if message.get("type") in types:
                return message

    def status_round_trip(self, timeout=30):
        started = time.monotonic()
        self.presenter.send({"type": "status-request"})
        deadline = started + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no status: running within {timeout}s")
            raw = self.receive(left)
            if raw is not None and b"status: running" in raw:
                return time.monotonic() - started

    def job(self, request, kind, watch_children=None):
        """Sends a clone/restore request; returns the seconds to the success message, the window
        (monotonic times), the message, the core's own CPU seconds (user, sys, both), its
        children's, and the distinct command lines of the children seen while watching. watch_children: how many programs the pipeline has; when given, /proc is read
        every 20 ms until they have all been seen (only in the first run of a series)."""
        seen = {}
        cpu0, children0 = proc_cpu(self.pid)
        started = time.monotonic()
        self.presenter.send(request)
        deadline = started + JOB_TIMEOUT
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"{kind} did not end within {JOB_TIMEOUT}s; log:\n{self.presenter.log()}")
            polling = watch_children is not None and not self._pipeline_seen(seen, watch_children)
            raw = self.receive(min(left, 0.02) if polling else left)
            if polling:
                for _, argv in children_of(self.pid):
                    program = self._program(argv)
                    if program:
                        seen.setdefault(program, None)
            if raw is None:
                if self.presenter.process.poll() is not None:
                    raise JobFailed(f"apart-core exited with {self.presenter.process.returncode}; log:\n{self.presenter.log()}")
                continue
            if b"finish:" not in raw and b"failed" not in raw and b"type: error" not in raw:
                continue  # progress: not worth parsing
            message = yaml.load(raw, Loader=Loader)
            if message.get("type") == kind and message.get("finish") is not None:
                ended = time.monotonic()
                cpu1, children1 = proc_cpu(self.pid)
                return {
                    "seconds": ended - started,
                    "window": (started, ended),
                    "message": message,
                    "core_user": cpu1[0] - cpu0[0],
                    "core_sys": cpu1[1] - cpu0[1],
                    "core_cpu": sum(cpu1[:2]) - sum(cpu0[:2]),
                    "children_cpu": children1 - children0,
                    "commands": [list(argv) for argv in seen],
                    "wrapper": self.wrapper,
                }
            if message.get("type") in (f"{kind}-failed", "error"):
                raise JobFailed(f"{kind} failed: {message.get('error')}; log:\n{self.presenter.log()}")

    def _program(self, argv):
        """The command line a child runs, or None for what is not a stage of the pipeline: lsblk,
        blkid, a child not yet past its exec (it still shows the core's own command line). A
        wrapper such as `setpriv --pdeathsig KILL -- PROGRAM ARGS` counts as PROGRAM ARGS, marked."""
        if not argv or argv == self.presenter.process.args:
            return None
        name = os.path.basename(argv[0])
        if name.startswith(("lsblk", "blkid")) or name == os.path.basename(self.presenter.core_path):
            return None
        if name == "setpriv" and "--" in argv:
            self.wrapper = " ".join(argv[: argv.index("--")])
            argv = argv[argv.index("--") + 1:]
            if not argv:
                return None
        return tuple(argv)

    @staticmethod
    def _pipeline_seen(seen, programs):
        """Whether partclone and the other programs of the pipeline have all been seen (distinct
        command lines: a decompressor the core ran alone to read an image's header counts once)."""
        imagers = [argv for argv in seen if os.path.basename(argv[0]).startswith("partclone")]
        return bool(imagers) and len(seen) >= programs

    def peak_rss_kib(self):
        return proc_status_kib(self.pid, "VmHWM")

    def close(self):
        self.presenter.close()


def clone_a(core_path, source, directory, name, codec, watch=False):
    """A clone through apart-core: a fresh core, started, caches dropped, request → success."""
    core = Core(core_path)
    try:
        core.wait_started()
        check_listed(core, source)
        drop_caches()
        request = {"type": "clone", "source": source, "destination": directory, "name": name, "compression": codec}
        wanted = 1 if COMPRESS[codec] is None else 2
        result = core.job(request, "clone", watch_children=wanted if watch else None)
        result.update(image=result["message"]["destination"], image_size=result["message"].get("image_size"),
                      peak_rss_kib=core.peak_rss_kib(), pid=core.pid)
        return result
    finally:
        core.close()


def restore_a(core_path, image, device, watch=False, compressed=True):
    core = Core(core_path)
    try:
        core.wait_started()
        check_listed(core, device)
        drop_caches()
        request = {"type": "restore", "source": image, "destination": device}
        result = core.job(request, "restore", watch_children=(2 if compressed else 1) if watch else None)
        result.update(peak_rss_kib=core.peak_rss_kib(), pid=core.pid)
        return result
    finally:
        core.close()


def check_listed(core, device):
    name = os.path.basename(device)
    parts = [part for source in core.started.get("sources") or [] for part in source.get("parts") or []]
    if not any(part.get("name") == name for part in parts):
        raise JobFailed(f"apart-core does not list {device}; it lists {[p.get('name') for p in parts]}")


# -- B: the shell ----------------------------------------------------------------------------


def clone_script(partclone, codec, source, file, log, compress=None):
    q = shlex.quote
    imager = f"{q(partclone)} -c -s {q(source)} -o -"
    compress = compress or COMPRESS[codec]
    pipeline = f"{imager} > {q(file)}" if compress is None else f"{imager} | {shlex.join(compress)} > {q(file)}"
    return f"set -o pipefail\nexec 2>{q(log)}\n{pipeline} && sync -f {q(file)}\n"


def restore_script(partclone, codec, file, device, log):
    q = shlex.quote
    imager = f"{q(partclone)} -r -s - -o {q(device)}"
    decompress = DECOMPRESS[codec]
    pipeline = f"{imager} < {q(file)}" if decompress is None else f"{shlex.join(decompress)} < {q(file)} | {imager}"
    return f"set -o pipefail\nexec 2>{q(log)}\n{pipeline} && blockdev --flushbufs {q(device)}\n"


def shell(script, log, timeout=None):
    """Runs a bash script after dropping the caches: seconds, window, bash's pid, and the CPU
    seconds of bash and everything it reaped. With a timeout, bash runs in a session of its own
    and the whole session is stopped when it is exceeded (JobFailed)."""
    drop_caches()
    started = time.monotonic()
    pid = os.posix_spawn("/bin/bash", ["bash", "-c", script], os.environ, setsid=timeout is not None)
    try:
        while True:
            waited, status, usage = os.wait4(pid, 0 if timeout is None else os.WNOHANG)
            if waited:
                break
            if time.monotonic() - started > timeout:
                raise TimeoutError(f"{script.strip().splitlines()[-1]} did not end within {timeout}s")
            time.sleep(0.05)
    except BaseException as error:
        try:
            os.killpg(pid, signal.SIGTERM) if timeout is not None else os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
        if isinstance(error, TimeoutError):
            raise JobFailed(str(error)) from None
        raise
    elapsed = time.monotonic() - started
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        tail = ""
        try:
            with open(log, errors="replace") as f:
                tail = f.read()[-2000:]
        except OSError:
            pass
        raise JobFailed(f"shell pipeline exited {code}:\n{script}\n{tail}")
    return {"seconds": elapsed, "window": (started, started + elapsed), "pid": pid, "cpu": usage.ru_utime + usage.ru_stime}


# -- whole disks ----------------------------------------------------------------------------

# Clonezilla's piece size as the core uses it by default (plugins/Imaging.Clonezilla/PieceSize.cs).
PIECE_BYTES = 4096 * 1000 * 1000


def clone_disk_a(core_path, disk, directory, name, codec):
    """A clone-disk through apart-core: a fresh core, started, caches dropped, request → success."""
    core = Core(core_path)
    try:
        core.wait_started()
        if not any(source.get("name") == os.path.basename(disk) for source in core.started.get("sources") or []):
            raise JobFailed(f"apart-core does not list {disk}")
        drop_caches()
        request = {"type": "clone-disk", "source": disk, "destination": directory, "name": name, "compression": codec}
        result = core.job(request, "clone-disk")
        result.update(image=result["message"]["destination"], image_size=result["message"].get("image_size"),
                      peak_rss_kib=core.peak_rss_kib(), pid=core.pid)
        return result
    finally:
        core.close()


def restore_disk_a(core_path, image, disk):
    core = Core(core_path)
    try:
        core.wait_started()
        drop_caches()
        result = core.job({"type": "restore-disk", "source": image, "destination": disk}, "restore-disk")
        result.update(peak_rss_kib=core.peak_rss_kib(), pid=core.pid)
        return result
    finally:
        core.close()


def clone_disk_script(codec, disk, parts, directory, log):
    """The same work in bash: the table and boot areas (sfdisk, parted, dd, sgdisk), then per
    partition a read-only loop device at its offset (no partition nodes here), partclone, the
    compressor and split, then b2sum of every file and a flush. parts: (name, fstype, start, size)."""
    q = shlex.quote
    disk_name = os.path.basename(disk)
    lines = ["set -o pipefail -e", f"exec 2>{q(log)}", f"mkdir -m 0700 {q(directory)}", f"cd {q(directory)}",
             f"sfdisk --dump {q(disk)} > {q(disk_name)}-pt.sf",
             f"parted -s {q(disk)} unit s print > {q(disk_name)}-pt.parted",
             f"dd if={q(disk)} of={q(disk_name)}-mbr bs=512 count=1 status=none",
             f"dd if={q(disk)} of={q(disk_name)}-gpt-1st bs=512 count=34 status=none",
             f"sgdisk -b {q(disk_name)}-gpt.gdisk {q(disk)} > /dev/null"]
    compress = COMPRESS[codec]
    suffix = "uncomp" if codec == "uncompressed" else codec
    for name, fstype, start, size in parts:
        piped = f" | {shlex.join(compress)}" if compress else ""
        lines += [f"l=$(losetup --find --show --read-only -o {start} --sizelimit {size} {q(disk)})",
                  f"partclone.{fstype} -c -s \"$l\" -o -{piped} | split -a 2 -b {PIECE_BYTES} - {q(name)}.{fstype}-ptcl-img.{suffix}.",
                  "losetup -d \"$l\""]
    lines += [f"echo {' '.join(q(p[0]) for p in parts)} > parts", f"echo {q(disk_name)} > disk",
              "b2sum -- * > B2SUMS", "sync -f B2SUMS"]
    return "\n".join(lines) + "\n"


def restore_disk_script(codec, image, disk, parts, log):
    """The same work in bash: check the checksums, zero the old tables, sfdisk from the dump
    without last-lba, the boot code, then per partition a loop device at its offset, cat of the
    pieces, the decompressor and partclone; then a flush."""
    q = shlex.quote
    disk_name = os.path.basename(disk)
    source = open(os.path.join(image, "disk")).read().split()[0]
    sectors = int(open(f"/sys/block/{disk_name}/size").read())
    lines = ["set -o pipefail -e", f"exec 2>{q(log)}", f"cd {q(image)}", "b2sum --check --quiet B2SUMS",
             f"dd if=/dev/zero of={q(disk)} bs=512 count=34 conv=notrunc status=none",
             f"dd if=/dev/zero of={q(disk)} bs=512 seek={sectors - 33} count=33 conv=notrunc status=none",
             f"grep -v '^last-lba:' {q(source)}-pt.sf | sfdisk --no-reread --no-tell-kernel --force --wipe always --wipe-partitions always {q(disk)} > /dev/null",
             f"dd if={q(source)}-mbr of={q(disk)} bs=446 count=1 conv=notrunc status=none"]
    decompress = DECOMPRESS[codec]
    suffix = "uncomp" if codec == "uncompressed" else codec
    for name, fstype, start, size in parts:
        piped = f" | {shlex.join(decompress)}" if decompress else ""
        lines += [f"l=$(losetup --find --show -o {start} --sizelimit {size} {q(disk)})",
                  f"cat {q(name)}.{fstype}-ptcl-img.{suffix}.*{piped} | partclone.{fstype} -r -s - -o \"$l\"",
                  "losetup -d \"$l\""]
    lines += [f"blockdev --flushbufs {q(disk)}"]
    return "\n".join(lines) + "\n"


# -- the floor: a hello-world .NET console app published like the core ------------------------

# Where bench/run keeps the fixture and the floor between runs (its --cache-dir default).
CACHE_DIR = "/var/tmp/apart-bench"
FLOOR_SOURCES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "floor")
FLOOR_LINE = b"floor: started\n"


def publish_floor(cache_dir, log):
    """Publishes bench/floor (Floor.csproj) into CACHE/floor-HASH/ unless done already; returns
    the path of its executable. HASH covers its sources, the repository's build settings, the
    core's runtime settings (Floor.csproj imports them) and the SDK's version, so a change of any
    rebuilds it; publishing goes to a temporary folder renamed into place, so that two runs never
    see half a floor. Not through Apart.Host.sln and not into
    artifacts/apart-core (Floor.csproj sets no PublishDir; -o and --artifacts-path say where)."""
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    sdk = subprocess.run(["dotnet", "--version"], capture_output=True, text=True, check=True).stdout.strip()
    digest = hashlib.sha256(sdk.encode())
    for path in sorted(os.listdir(FLOOR_SOURCES)):
        with open(os.path.join(FLOOR_SOURCES, path), "rb") as f:
            digest.update(path.encode() + b"\0" + f.read())
    for path in ("Directory.Build.props", "Directory.Packages.props", "src/Apart.Host/RuntimeSettings.props"):
        with open(os.path.join(repo, path), "rb") as f:
            digest.update(path.encode() + b"\0" + f.read())
    folder = os.path.join(cache_dir, "floor-" + digest.hexdigest()[:16])
    program = os.path.join(folder, "floor")
    if os.access(program, os.X_OK):
        return program, True
    started = time.monotonic()
    staging = folder + f".partial-{os.getpid()}"
    build = folder + f".build-{os.getpid()}"
    try:
        result = subprocess.run(
            ["dotnet", "publish", os.path.join(FLOOR_SOURCES, "Floor.csproj"), "-c", "Release", "-nologo", "-clp:ErrorsOnly",
             "-o", staging, "--artifacts-path", build],
            capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"dotnet publish of the floor failed ({result.returncode}):\n{result.stdout[-3000:]}{result.stderr[-3000:]}")
        try:
            os.rename(staging, folder)
        except OSError:
            if not os.access(program, os.X_OK):  # not another run's, just published
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(build, ignore_errors=True)
    log(f"floor published into {folder} in {time.monotonic() - started:.0f}s")
    return program, False


def floor_sample(program, timeout=60):
    """One start of the floor: seconds from spawn to its line on standard output, and its peak
    RSS in KiB (VmHWM, read while it waits for its standard input to end, as the core's is read
    while it runs: a child's ru_maxrss would hold this process's own peak, recorded at its exec)."""
    read_end, write_end = os.pipe()
    input_read, input_write = os.pipe()
    try:
        actions = [(os.POSIX_SPAWN_DUP2, write_end, 1), (os.POSIX_SPAWN_CLOSE, read_end),
                   (os.POSIX_SPAWN_DUP2, input_read, 0), (os.POSIX_SPAWN_CLOSE, input_write)]
        started = time.monotonic()
        pid = os.posix_spawn(program, [program], os.environ, file_actions=actions)
    except BaseException:
        for fd in (read_end, write_end, input_read, input_write):
            os.close(fd)
        raise
    os.close(write_end)
    os.close(input_read)
    line = b""
    elapsed = kib = None
    try:
        with os.fdopen(read_end, "rb", buffering=0) as out:
            deadline = started + timeout
            while not line.endswith(b"\n"):
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([out], [], [], left)[0]:
                    raise TimeoutError(f"{program} printed no line within {timeout}s")
                chunk = out.read(256)
                if not chunk:
                    break
                line += chunk
            elapsed = time.monotonic() - started
            kib = proc_status_kib(pid, "VmHWM")
            os.close(input_write)
            input_write = None
            out.read()
        _, status = os.waitpid(pid, 0)
        pid = None
    finally:
        if input_write is not None:
            os.close(input_write)
        if pid is not None:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    if line != FLOOR_LINE or os.waitstatus_to_exitcode(status) != 0 or kib is None:
        raise JobFailed(f"{program} printed {line!r}, exited {os.waitstatus_to_exitcode(status)}, VmHWM {kib}")
    return elapsed, kib


# -- C: Clonezilla (ocs-sr saveparts / restoreparts), for comparison --------------------------

OCS_SR = "/usr/sbin/ocs-sr"
# Matching the core's gz clone: partclone (-q2), pigz (-z1p, which drbl-ocs.conf runs as
# `pigz -c --fast -b 1024 [--rsyncable]`), Clonezilla's piece size in MB as the core's default
# (-i 4096), batch (-b), no TUI (--nogui), no fsck of the source (-sfsck, the core runs none), no
# encryption (-senc), no reading the image back after saving (-sc) or before restoring (-scr:
# the core does neither), nothing after the job (-p true). -or: the bench's own image filesystem
# instead of /home/partimag, as A and B. restoreparts onto another device than the image was
# saved from takes -f SOURCE (Clonezilla then builds a renamed copy of the image's metadata in /tmp).
OCS_SAVE_OPTIONS = ["--nogui", "-b", "-q2", "-z1p", "-i", "4096", "-sfsck", "-senc", "-sc", "-p", "true"]
OCS_RESTORE_OPTIONS = ["--nogui", "-b", "-scr", "-p", "true"]


def clonezilla_installed():
    return os.access(OCS_SR, os.X_OK)


def clonezilla_save_script(images, name, device, log):
    q = shlex.quote
    command = shlex.join([OCS_SR, *OCS_SAVE_OPTIONS, "-or", images, "saveparts", name, os.path.basename(device)])
    return f"set -o pipefail\nexec </dev/null >{q(log)} 2>&1\n{command} && sync -f {q(images)}\n"


def clonezilla_restore_script(images, name, source, device, log):
    q = shlex.quote
    command = shlex.join([OCS_SR, *OCS_RESTORE_OPTIONS, "-f", os.path.basename(source), "-or", images, "restoreparts", name,
                          os.path.basename(device)])
    return f"set -o pipefail\nexec </dev/null >{q(log)} 2>&1\n{command} && blockdev --flushbufs {q(device)}\n"


def clonezilla_pipeline(log):
    """The imaging pipeline ocs-sr ran, as its output says, on one line."""
    try:
        with open(log, errors="replace") as f:
            lines = [line.strip() for line in f]
    except OSError:
        return None
    for i, line in enumerate(lines):
        if line.startswith("Running: partclone"):
            return line[len("Running: "):].split(" 2> ")[0]
        if "| pigz -d" in line and "partclone" in line:
            start = max(0, i - 3)  # `( for img in …; do cat $img; done ) | pigz -d -c … | partclone…`
            while start < i and not lines[start].startswith("( for img"):
                start += 1
            return " ".join(lines[start:i + 1])
    return None


# ocs-sr runs ps, lshw, dmidecode and the like, which can hang on a busy machine: a bound.
CLONEZILLA_TIMEOUT = 1800


def clonezilla(script, log):
    """Runs an ocs-sr script like B (after dropping the caches); adds what ocs-sr ran."""
    result = shell(script, log, timeout=CLONEZILLA_TIMEOUT)
    result["pipeline"] = clonezilla_pipeline(log)
    return result
