"""Turns bench/run's measurements into RESULTS.md (and a short summary for the terminal)."""

import statistics

# The targets of issues 15 ("A leaner core") and 16 (mounting images), each defined here once.
TARGETS = {
    "ratio": 1.00,  # median wall-time ratio A/B per codec, clone and restore (and clone-disk, restore-disk)
    "core_share": 0.005,  # core CPU / children's CPU during a clone, every codec
    "rss_mib": 40.0,  # core peak RSS through a clone (every codec) and through a clone-disk
    "startup_ratio": 2.5,  # median spawn → status: started ÷ the floor's median spawn → its line
    "status_ratio": 1.3,  # median status-request round trip ÷ median time of the programs it needs
    "idle_wakeups": 1.0,  # an idle service core's wake-ups per second (context switches of all its threads)
    "idle_rss_flat_mib": 1.0,
    "zst_framing_time": 1.03,  # seekable zst (pzstd's frames) ÷ one-frame zstd -T0, clone wall time in the shell
    "zst_framing_size": 1.01,  # and image size  # |median VmRSS of the churn's last tenth − of its second tenth| (10 min: minutes)
    "mount_root_seconds": 1.0,  # median mount-image → the root listed, every codec (gz with its index built)
    "mount_read_share": 0.5,  # the largest file's read rate through the mount ÷ the restore's rate (used bytes ÷ median restore A)
}


def restore_rate(data, codec):
    """Bytes per second a restore of codec's image writes: the used blocks over the median A restore."""
    return data["fixture"]["used_bytes"] / median(data["restore"][codec]["A"])


def read_rate(entry):
    """Bytes per second the largest file was read at through the mount: its size over the median read."""
    return entry["file_bytes"] / median(entry["read"])


def median(values):
    return statistics.median(values) if values else float("nan")


def ratios(entry):
    return [a / b for a, b in zip(entry["A"], entry["B"])]


def shares(entry):
    return [core / children if children > 0 else float("inf") for core, children in zip(entry["core_cpu"], entry["children_cpu"])]


def s(value):
    return f"{value:.2f}"


def ms(value):
    return f"{value * 1000:.1f}"


def pct(value):
    return f"{value * 100:.2f}%"


def mib(kib):
    return f"{kib / 1024:.1f}"


def met(ok):
    return "met" if ok else "**not met**"


def added(entry):
    """Per pair, from the trace: what the core added to the wall time, in seconds and as a share of B's."""
    pairs = [(a, b, bw) for a, b, bw in zip(entry.get("phases_A", []), entry.get("phases_B", []), entry["B"]) if a and b]
    seconds = [(a["pre"] + a["post"]) - (b["pre"] + b["post"]) for a, b, _ in pairs]
    return seconds, [x / bw for x, (_, _, bw) in zip(seconds, pairs)]


def idle_flat(data):
    """(drift in KiB, met) of the service core's VmRSS through the churn; None when not measured."""
    idle = data.get("idle")
    if not idle:
        return None
    drift = idle["last_tenth_kib"] - idle["second_tenth_kib"]
    return drift, abs(drift) / 1024 <= TARGETS["idle_rss_flat_mib"]


def targets(data):
    """(what, target, measured, met, note) for every target."""
    rows = []
    for op in ("clone", "restore", "clone-disk", "restore-disk"):
        for codec, entry in data.get(op, {}).items():
            value = median(ratios(entry))
            _, shares_added = added(entry)
            notes = []
            if shares_added:
                notes.append(f"trace: the core adds {pct(median(shares_added))} (ratio {1 + median(shares_added):.3f})")
            if entry.get("C"):
                notes.append(f"Clonezilla: {s(median(entry['C']))} s, {median(entry['C']) / median(entry['B']):.2f} × B")
            rows.append((f"{op} wall ratio A/B, {codec}", f"≤ {TARGETS['ratio']:.2f}", f"{value:.3f}", value <= TARGETS["ratio"], "; ".join(notes)))
    framed = data["clone"].get("zst")
    if framed and framed.get("unframed"):
        value = median(framed["B"]) / median(framed["unframed"])
        rows.append(("seekable zst: clone time ÷ zstd -T0's (shell, medians)", f"≤ {TARGETS['zst_framing_time']:.2f}", f"{value:.3f}",
                     value <= TARGETS["zst_framing_time"], f"{s(median(framed['B']))} s against {s(median(framed['unframed']))} s"))
        value = framed["B_image_size"] / framed["unframed_size"]
        rows.append(("seekable zst: image size ÷ zstd -T0's", f"≤ {TARGETS['zst_framing_size']:.2f}", f"{value:.4f}",
                     value <= TARGETS["zst_framing_size"], f"{framed['B_image_size']} against {framed['unframed_size']} bytes"))
    for codec, entry in data["clone"].items():
        value = median(shares(entry))
        rows.append((f"core CPU / children CPU during a clone, {codec}", f"≤ {pct(TARGETS['core_share'])}", pct(value),
                     value <= TARGETS["core_share"], f"{median(entry['core_cpu']):.2f} s of {median(entry['children_cpu']):.2f} s"))
    floor_rss = f"the floor: {mib(median(data['floor_rss_kib']))} MiB" if data.get("floor_rss_kib") else ""
    peak = max((kib for entry in data["clone"].values() for kib in entry["rss_kib"]), default=float("nan"))
    rows.append(("core peak RSS during a clone (all codecs, max)", f"≤ {TARGETS['rss_mib']:.0f} MiB", f"{mib(peak)} MiB",
                 peak / 1024 <= TARGETS["rss_mib"], floor_rss))
    peak = max((kib for entry in data.get("clone-disk", {}).values() for kib in entry["rss_kib"]), default=float("nan"))
    rows.append(("core peak RSS during a clone-disk (max)", f"≤ {TARGETS['rss_mib']:.0f} MiB", f"{mib(peak)} MiB",
                 peak / 1024 <= TARGETS["rss_mib"], floor_rss))
    core, floor = median(data["startup_warm"]), median(data["floor_startup"])
    rows.append(("start-up: spawn → status: started ÷ the floor's spawn → its line (medians)", f"≤ {TARGETS['startup_ratio']:.1f} ×",
                 f"{core / floor:.2f} ×", core / floor <= TARGETS["startup_ratio"],
                 f"core {core * 1000:.0f} ms (fastest {min(data['startup_warm']) * 1000:.0f}), floor {floor * 1000:.0f} ms "
                 f"(fastest {min(data['floor_startup']) * 1000:.0f})"))
    rtt, programs = median(data["status_rtt"]), median(data["status_programs"])
    rows.append(("status-request round trip ÷ its lsblk and blkid runs (medians)", f"≤ {TARGETS['status_ratio']:.1f} ×",
                 f"{rtt / programs:.2f} ×", rtt / programs <= TARGETS["status_ratio"],
                 f"round trip {rtt * 1000:.1f} ms, the programs {programs * 1000:.1f} ms"))
    for codec, entry in data.get("mount", {}).items():
        value = median(entry["root"])
        note = f"fastest {s(min(entry['root']))} s, slowest {s(max(entry['root']))} s"
        if entry.get("index_build"):
            note += f"; the index built by the first mount, {s(median(entry['index_build']))} s (Mounting)"
        rows.append((f"mount-image → root listed, {codec}" + (" (its index built)" if codec == "gz" else ""),
                     f"< {TARGETS['mount_root_seconds']:.0f} s", f"{value:.3f} s", value < TARGETS["mount_root_seconds"], note))
    for codec, entry in data.get("mount", {}).items():
        value = read_rate(entry) / restore_rate(data, codec)
        rows.append((f"largest file read through the mount ÷ restore rate, {codec}", f"≥ {TARGETS['mount_read_share'] * 100:.0f}%",
                     f"{value * 100:.0f}%", value >= TARGETS["mount_read_share"],
                     f"{read_rate(entry) / 2**20:.0f} MiB/s against {restore_rate(data, codec) / 2**20:.0f} MiB/s"))
    idle = data.get("idle")
    if idle:
        worst = max(idle["before"]["per_second"], idle["after"]["per_second"])
        rows.append(("idle service core: wake-ups per second (no presenter; before and after the churn, max)",
                     f"≤ {TARGETS['idle_wakeups']:.0f} /s", f"{worst:.2f} /s", worst <= TARGETS["idle_wakeups"],
                     f"before {idle['before']['per_second']:.2f}, after {idle['after']['per_second']:.2f}, "
                     f"{idle['before']['seconds']:.0f} s each"))
        drift, ok = idle_flat(data)
        rows.append((f"service core VmRSS flat through {idle['churn_seconds'] / 60:.1f} min of connect, status, disconnect",
                     f"drift ≤ {TARGETS['idle_rss_flat_mib']:.0f} MiB", f"{drift / 1024:+.2f} MiB", ok,
                     f"median of the last tenth {mib(idle['last_tenth_kib'])} MiB, of the second {mib(idle['second_tenth_kib'])} MiB; "
                     f"{idle['cycles']} cycles"))
    return rows


def clonezilla(data, op, w):
    """The note under the clone or restore table: how Clonezilla ran, or why it did not."""
    entries = [(codec, e) for codec, e in data[op].items() if e.get("C")]
    if not entries:
        if data.get("clonezilla_note"):
            w(f"Clonezilla (`ocs-sr`): {data['clonezilla_note']}.")
            w("")
        return
    for codec, e in entries:
        verb = "saveparts" if op == "clone" else "restoreparts"
        w(f"Clonezilla: `ocs-sr {verb}`, {len(e['C'])} runs alternating with A and B ({codec}); options under Commands"
          + (f"; it ran `{e['C_pipeline']}`" if e.get("C_pipeline") else "") + f". Its CPU (ocs-sr and everything it reaped): "
          f"median {median(e['C_cpu']):.2f} s against B's {median(e['B_cpu']):.2f} s.")
        if op == "clone" and e.get("C_image_size"):
            w(f"Its image: {e['C_image_size']} bytes (the core's {e['image_size']}).")
        w("")


def idle_section(data, w):
    idle = data.get("idle")
    w("## Idle")
    w("")
    if not idle:
        w("Not measured.")
        w("")
        return
    drift, ok = idle_flat(data)
    w(f"A service-mode core (`apart-core --listen {idle['address']}`) with no presenter, then {idle['cycles']} cycles of connect, "
      f"greeting, status-request, disconnect over {idle['churn_seconds']:.0f} s (a pause of {idle['pause']} s between cycles), "
      "then no presenter again.")
    w("")
    w("| Figure | Before the churn | After the churn |")
    w("|---|---|---|")
    b, a = idle["before"], idle["after"]
    w(f"| window, s | {b['seconds']:.1f} | {a['seconds']:.1f} |")
    w(f"| wake-ups (context switches, all threads) | {b['wakeups']} | {a['wakeups']} |")
    w(f"| wake-ups per second | {b['per_second']:.2f} | {a['per_second']:.2f} |")
    w(f"| threads | {b['threads']} | {a['threads']} |")
    w(f"| core CPU, s | {b['cpu']:.2f} | {a['cpu']:.2f} |")
    w("")
    samples = idle["samples"]
    w(f"VmRSS through the churn, sampled every {idle['sample_every']} s ({len(samples)} samples): first {mib(samples[0][1])} MiB, "
      f"last {mib(samples[-1][1])} MiB, min {mib(min(k for _, k in samples))}, max {mib(max(k for _, k in samples))}; median of the "
      f"second tenth {mib(idle['second_tenth_kib'])} MiB, of the last tenth {mib(idle['last_tenth_kib'])} MiB: drift "
      f"{drift / 1024:+.2f} MiB ({'flat' if ok else 'not flat'}). VmRSS at the start {mib(idle['rss_start_kib'])} MiB; "
      f"peak (VmHWM) at the end {mib(idle['peak_rss_kib'])} MiB.")
    w("")


def mount_section(data, w):
    w("## Mounting an image")
    w("")
    mounts = data.get("mount") or {}
    if not mounts:
        w("Not measured.")
        w("")
        return
    f = data["mount_file"]
    w(f"Each codec's last A clone opened in place: a fresh core per run (its cache directory, where gz indexes live, the "
      f"bench's own), the page cache dropped, then `mount-image` with the image → `mounted-image` → the root listed "
      f"(os.listdir), then the fixture's largest file, `{f['path']}` ({f['bytes']} bytes), read whole in 1 MiB reads "
      "(its SHA-256 then checked against the source's, untimed), then `unmount-image`. The restore rate is the fixture's "
      "used bytes over the codec's median A restore (Restore, above).")
    w("")
    w("| Codec | Image, bytes | Root listed: min s | median s | max s | Read: median s | MiB/s | Restore MiB/s | Read ÷ restore |")
    w("|---|---|---|---|---|---|---|---|---|")
    for codec, e in mounts.items():
        w(f"| {codec} | {e['image_bytes']} | {min(e['root']):.3f} | {median(e['root']):.3f} | {max(e['root']):.3f} | "
          f"{median(e['read']):.3f} | {read_rate(e) / 2**20:.0f} | {restore_rate(data, codec) / 2**20:.0f} | "
          f"{read_rate(e) / restore_rate(data, codec) * 100:.0f}% |")
    w("")
    gz = mounts.get("gz")
    if gz and gz.get("index_build"):
        w("The gz index: the first mount of the image with no index yet (it reads the image once, keeping an access point "
          "every 4 MiB of output) against `" + gz["pigz_script"].strip() + "` after the same cache drop, alternating.")
        w("")
        w("| gz | min s | median s | max s |")
        w("|---|---|---|---|")
        for label, key in (("first mount, the index built", "index_build"), ("pigz -d of the same image", "pigz")):
            w(f"| {label} | {min(gz[key]):.2f} | {median(gz[key]):.2f} | {max(gz[key]):.2f} |")
        w("")
        w(f"Index build ÷ pigz -d (medians): {median(gz['index_build']) / median(gz['pigz']):.2f} ×; the index holds "
          f"{gz['index_bytes']} bytes for a {gz['image_bytes']}-byte image.")
        w("")


def render(data):
    m = data["machine"]
    fx = data["fixture"]
    runs = data["runs"]
    out = []
    w = out.append
    w("# apart-core benchmark results")
    w("")
    w("<!-- Generated by bench/run. Do not edit by hand: run `bench/run` (as root) to regenerate. -->")
    w("_Generated by `bench/run`" + (" --quick" if data["quick"] else "") + "; do not edit by hand._")
    w("")
    if data["quick"]:
        w("> **Quick run** (`--quick`: 64 MiB fixture, 1 run each): a smoke test of the script, not a measurement.")
        w("")
    w(f"- **Date:** {data['date']:%Y-%m-%d %H:%M} UTC; the whole run took {data['runtime_seconds'] / 60:.1f} min.")
    w(f"- **Machine:** {m['cores']} cores ({m['cpu'] or 'unknown CPU'}), {m['mem_total_kib'] / 1024 / 1024:.1f} GiB memory "
      f"(MemTotal {m['mem_total_kib']} kB), kernel {m['kernel']}, {m['os'] or 'unknown OS'}.")
    w(f"- **Core:** `{data['core']}` as published (modified {data['core_mtime']:%Y-%m-%d %H:%M} UTC), run from a copy taken "
      "at the start so that a republish cannot change it mid-run.")
    t = data["tools"]
    w(f"- **Tools:** {t['partclone']}; {t['pigz']}; {t['zstd']}; {t['lz4']}.")
    w(f"- **Fixture:** ext4 on a {fx['size'] >> 20} MiB loop device, {fx['used_share'] * 100:.1f}% of its blocks in use "
      f"({fx['used_bytes'] / 2**20:.0f} MiB): {fx['compressible_bytes'] / 2**20:.0f} MiB of compressible files copied from this "
      f"machine ({fx['compressible_files']} files: documentation, translations, shared libraries, .NET assemblies) and "
      f"{fx['random_bytes'] / 2**20:.0f} MiB of random data ({fx['random_files']} files).")
    storage = ("in RAM (/dev/shm), so that the disk, which other users of this machine share, adds neither time nor noise"
               if data["storage"] == "ram" else f"on disk ({data['backing_dir']})")
    w(f"- **Devices:** source {data['source']} (read-only), restore target {data['target']}, images on an ext4 of their own on "
      f"{data['store']}; all loop devices with direct I/O, backing files {storage}.")
    w(f"- **Load:** the machine's CPUs were {data['machine_busy_share'] * 100:.0f}% busy during the run, "
      f"{data['others_share'] * 100:.0f} points of it not charged to bench/run's own processes (other users of this shared "
      f"machine, and kernel threads, the loop devices' among them); load average {data['load_start']} at the start, "
      f"{data['load_end']} at the end. Such noise is why A and B alternate.")
    w(f"- **Runs:** {runs} of A and {runs} of B per codec and operation, alternating A, B, A, B…; the page cache is dropped "
      "(`sync; echo 3 > /proc/sys/vm/drop_caches`) before every run. A fresh apart-core is started for every A run."
      + (" For gz, Clonezilla (C) runs after each B: A, B, C, A, B, C…" if any(e.get("C") for e in data["clone"].values()) else ""))
    w("")

    w("## Targets")
    w("")
    w("| Figure | Target | Measured | Note | |")
    w("|---|---|---|---|---|")
    rows = targets(data)
    for what, target, value, ok, note in rows:
        w(f"| {what} | {target} | {value} | {note} | {met(ok)} |")
    w("")
    w(f"**{sum(1 for r in rows if r[3])} of {len(rows)} targets met.**")
    w("")

    for op, title in (("clone", "Clone"), ("restore", "Restore")):
        w(f"## {title}: wall time, seconds")
        w("")
        w("| Operation | Codec | A min | A median | A max | B min | B median | B max | A/B per pair: min | median | max | median A ÷ median B "
          "| Clonezilla median | median Clonezilla ÷ median B |")
        w("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for codec, e in data[op].items():
            r = ratios(e)
            c = f"{s(median(e['C']))} | {median(e['C']) / median(e['B']):.3f}" if e.get("C") else "— | —"
            w(f"| {op} | {codec} | {s(min(e['A']))} | {s(median(e['A']))} | {s(max(e['A']))} | "
              f"{s(min(e['B']))} | {s(median(e['B']))} | {s(max(e['B']))} | "
              f"{min(r):.3f} | {median(r):.3f} | {max(r):.3f} | {median(e['A']) / median(e['B']):.3f} | {c} |")
        w("")
        clonezilla(data, op, w)

    w("## Whole disks: wall time, seconds")
    w("")
    d = data.get("disk")
    if d:
        w(f"A GPT disk {d['source']} around the fixture: " + ", ".join(f"{name} {fstype} ({size >> 20} MiB)" for name, fstype, size in d["parts"])
          + f"; restored to {d['target']}, a copy of it. A: `clone-disk` and `restore-disk` requests; B: bash doing the same work "
          "(the scripts are under Commands).")
        w("")
    w("| Operation | Codec | A min | A median | A max | B min | B median | B max | A/B per pair: min | median | max | median A ÷ median B |")
    w("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for op in ("clone-disk", "restore-disk"):
        for codec, e in data.get(op, {}).items():
            r = ratios(e)
            w(f"| {op} | {codec} | {s(min(e['A']))} | {s(median(e['A']))} | {s(max(e['A']))} | "
              f"{s(min(e['B']))} | {s(median(e['B']))} | {s(max(e['B']))} | "
              f"{min(r):.3f} | {median(r):.3f} | {max(r):.3f} | {median(e['A']) / median(e['B']):.3f} |")
    for codec, e in data.get("clone-disk", {}).items():
        w("")
        w(f"Image directory by the core: {e['image_size']} bytes; by the shell: {e['B_image_size']} bytes ({codec}).")
    w("")

    w("## The core's own cost")
    w("")
    w("| Operation | Codec | Core CPU s (median) | of which user | of which sys | Children CPU s (median) | Core ÷ children: min | median | max | B's CPU s (median) | Core peak RSS MiB (max) |")
    w("|---|---|---|---|---|---|---|---|---|---|---|")
    for op in ("clone", "restore"):
        for codec, e in data[op].items():
            sh = shares(e)
            w(f"| {op} | {codec} | {median(e['core_cpu']):.3f} | {median(e['core_user']):.3f} | {median(e['core_sys']):.3f} | "
              f"{median(e['children_cpu']):.2f} | {pct(min(sh))} | {pct(median(sh))} | {pct(max(sh))} | {median(e['B_cpu']):.2f} | "
              f"{mib(max(e['rss_kib']))} |")
    w("")
    w("| Figure | Samples | Min ms | Median ms | Max ms |")
    w("|---|---|---|---|---|")
    for label, key in (("start-up: spawn → status: started (warm cache)", "startup_warm"),
                       ("the floor: spawn → its line (warm cache)", "floor_startup"),
                       ("start-up: spawn → status: started (cold cache, for information)", "startup_cold"),
                       ("status-request round trip", "status_rtt"),
                       ("the programs a status-request runs, run by bench/run", "status_programs")):
        values = data[key]
        w(f"| {label} | {len(values)} | {ms(min(values))} | {ms(median(values))} | {ms(max(values))} |")
    w("")
    w("| Memory | Samples | Min MiB | Median MiB | Max MiB |")
    w("|---|---|---|---|---|")
    clone_rss = [kib for e in data["clone"].values() for kib in e["rss_kib"]]
    disk_rss = [kib for e in data.get("clone-disk", {}).values() for kib in e["rss_kib"]]
    for label, values in (("the floor: peak RSS (VmHWM) after its line", data["floor_rss_kib"]),
                          ("core: peak RSS (VmHWM) at status: started", data["startup_rss_kib"]),
                          ("core: peak RSS through a clone (every codec)", clone_rss),
                          ("core: peak RSS through a clone-disk", disk_rss)):
        if values:
            w(f"| {label} | {len(values)} | {mib(min(values))} | {mib(median(values))} | {mib(max(values))} |")
    w("")
    w(f"The status messages listed {data['status_sources']} parts (every loop device attached on the machine at the time, "
      "other users' included): the round trip includes listing them. The programs the status-request needs, as bench/run "
      "ran them the first time: " + " then ".join("`" + " ".join(argv) + "`" for argv in data.get("status_commands") or []) + ".")
    w("")

    mount_section(data, w)
    idle_section(data, w)

    w("## Where A's extra time goes")
    w("")
    if data.get("trace_problem") and not any("phases_A" in e for op in ("clone", "restore") for e in data[op].values()):
        w(f"Not measured: {data['trace_problem']}.")
    else:
        if data.get("trace_problem"):
            w(f"Note: {data['trace_problem']}; those runs are left out.")
            w("")
        w("Medians over the runs, from kernel tracepoints (fork/exec/exit; see below): **pre** from request (A) or spawn (B) to "
          "the first program of the pipeline, **pipeline** while its programs run, **post** from the last one's exit to the "
          "success message (A) or bash's exit (B). **Added by the core** is the median over pairs of "
          "(A pre + A post) − (B pre + B post): the part of A's wall time the core itself adds, free of the pipeline's noise.")
        w("")
        w("| Operation | Codec | A pre ms | A pipeline s | A post ms | B pre ms | B pipeline s | B post ms | Added by the core, ms | Added ÷ B's wall time | Pipeline A ÷ B |")
        w("|---|---|---|---|---|---|---|---|---|---|---|")
        for op in ("clone", "restore"):
            for codec, e in data[op].items():
                pairs = [(a, b, bw) for a, b, bw in zip(e.get("phases_A", []), e.get("phases_B", []), e["B"]) if a and b]
                if not pairs:
                    w(f"| {op} | {codec} | | | | | | | | | |")
                    continue
                pa = [a for a, _, _ in pairs]
                pb = [b for _, b, _ in pairs]
                added_seconds, added_share = added(e)
                pipe = [a["pipeline"] / b["pipeline"] for a, b, _ in pairs]
                w(f"| {op} | {codec} | {ms(median([p['pre'] for p in pa]))} | {s(median([p['pipeline'] for p in pa]))} | "
                  f"{ms(median([p['post'] for p in pa]))} | {ms(median([p['pre'] for p in pb]))} | "
                  f"{s(median([p['pipeline'] for p in pb]))} | {ms(median([p['post'] for p in pb]))} | "
                  f"{ms(median(added_seconds))} | {pct(median(added_share))} | {median(pipe):.3f} |")
    w("")

    w("## Image sizes")
    w("")
    w("| Codec | Image by the core, bytes | Image by the shell, bytes | Share of the used blocks |")
    w("|---|---|---|---|")
    for codec, e in data["clone"].items():
        w(f"| {codec} | {e['image_size']} | {e['B_image_size']} | {e['image_size'] / fx['used_bytes'] * 100:.1f}% |")
    w("")

    w("## Commands")
    w("")
    w("A: the command lines apart-core ran (read from /proc during the first A run). B: the bash script.")
    w("")
    for op in ("clone", "restore"):
        for codec, e in data[op].items():
            commands = " \\| ".join("`" + " ".join(argv) + "`" for argv in e.get("commands") or []) or "(not seen)"
            wrappers = sorted({w for phase in e.get("phases_A", []) if phase for w in phase.get("wrappers", [])})
            if e.get("wrapper"):
                commands += f", each started as `{e['wrapper']} -- …`"
            elif wrappers:
                commands += ", each started through " + ", ".join(f"`{w}`" for w in wrappers) + " (seen in the trace)"
            script = e["script"].strip().splitlines()[-1]
            w(f"- {op} {codec}: A {commands}; B `{script}`")
    for op in ("clone", "restore"):
        for codec, e in data[op].items():
            if e.get("C_script"):
                script = e["C_script"].strip().splitlines()[-1]
                w(f"- {op} {codec}, Clonezilla: `{script}`" + (f"; it ran `{e['C_pipeline']}`" if e.get("C_pipeline") else ""))
    for op in ("clone-disk", "restore-disk"):
        for codec, e in data.get(op, {}).items():
            w(f"- {op} {codec}: B, after `set -o pipefail -e`:")
            w("")
            w("  ```sh")
            for line in e["script"].strip().splitlines()[1:]:
                w("  " + line)
            w("  ```")
    w("")

    w("## What each figure means")
    w("")
    w("- **A** is apart-core driven over its protocol by a presenter (tests/e2e/presenter.py: pyzmq, a PAIR socket bound at "
      "`ipc://`, as apart-gtk binds). For every A run a fresh core is spawned and the presenter waits for `status: started` "
      "(not timed); then the page cache is dropped and the clock runs from sending the `clone`/`restore` request to receiving "
      "the success message (`finish` set). That includes everything the core does for a request: listing devices (lsblk, blkid), "
      "claiming the device, the pipeline, and the flush (clone: fsync of the image, rename, fsync of the directory; restore: "
      "fsync of the device and `BLKFLSBUF`). Each A run is the first job of its core, as when a user starts the GUI and clones.")
    w("- **B** is bash running the same programs with the same options (`set -o pipefail`), timed from spawning bash to reaping it, "
      "after the same cache drop: clone `partclone.ext4 -c -s DEV -o - | COMPRESSOR > FILE && sync -f FILE` (uncompressed: "
      "partclone writes FILE), restore `DECOMPRESSOR < FILE | partclone.ext4 -r -s - -o DEV && blockdev --flushbufs DEV`. "
      "The images live on a filesystem of their own, so `sync -f` flushes only the image, like the core's fsync.")
    w("- **A/B per pair** is A's time divided by the B run right after it; the target is judged on the median of these ratios "
      "(the ratio of the medians is shown too). Restores of a codec all use the image of the last A clone.")
    w("- **Core CPU** is the core process's own user+system time during the job (from sending the request to receiving the "
      "success message), all its threads, without its children: the change of `utime+stime` in /proc/PID/stat. **Children CPU** "
      "is the change of `cutime+cstime` over the same window: the CPU time of every child the core reaped (partclone, the "
      "compressor, lsblk, blkid), which the kernel adds to the parent when it reaps them. Both are counted in clock ticks "
      "(1/100 s). The core's system time includes the kernel's work in its fsync (writing the image's dirty pages back), which "
      "B's `sync` does in B. **B's CPU** is the user+system time of bash and everything it reaped (os.wait4), to check the "
      "children's figure.")
    w("- **Core peak RSS** is VmHWM in /proc/PID/status just after the success message: the most resident memory the core "
      "process ever had, from its start to the end of the job.")
    w("- **Start-up** is from spawning apart-core to receiving `status: started` (the core lists devices and probes the codecs "
      "first). Warm: the core's files are in the page cache (one untimed start before). Cold: the page cache dropped before "
      "each start; for information, no target. **status-request** is from sending `type: status-request` to receiving "
      "`status: running`, on one core, every sample counted, the first included.")
    w("- **The floor** is bench/floor: a hello-world console app (`Console.Out.Write` of one line) published like the core "
      "(the repository's Directory.Build.props: net10.0, linux-x64, framework-dependent, ReadyToRun, invariant globalization; "
      "the core's runtime settings, src/Apart.Host/RuntimeSettings.props, imported) into the cache directory, rebuilt when its sources, "
      "the build settings or the SDK change. Its start-up is from spawning it to reading its line from its standard output, "
      "its memory VmHWM after that line (it then waits for its standard input to end; ru_maxrss would count bench/run's "
      "own memory, which exec records for a posix_spawn child). Floor and core starts alternate, the same number of each, after one untimed start "
      f"of each; the target is the ratio of the medians (≤ {TARGETS['startup_ratio']} ×).")
    w("- **The programs a status-request runs** are timed from bench/run right after each status-request, on the same devices: "
      "`lsblk -Jbo COLUMNS`, then one `blkid -c /dev/null -d -o export -- NODES` for the devices lsblk gives no filesystem for, "
      "then for disks whose partitions have no kernel nodes `sfdisk --json` each and `blkid -p -O START -S SIZE` per partition, "
      "those disks and their partitions in parallel: the same selection, sequence and parallelism as the core's inventory "
      "(bench/inventory.py, after plugins/Inventory.Lsblk). The ratio of the medians is what the core adds on top "
      f"(≤ {TARGETS['status_ratio']} ×).")
    w("- **Clonezilla** is `ocs-sr saveparts` / `restoreparts` (C) on the same source partition and restore target, alternating "
      "with A and B for gz (A, B, C, A, B, C…, the page cache dropped before each), timed like B from spawning bash to reaping it, "
      "with the same flush after (`sync -f` of the image filesystem, `blockdev --flushbufs`). It does more than the others: it "
      "scans the machine's devices, saves their lists and the machine's description beside the image, and to restore onto "
      "another device than it saved from it first builds a renamed copy of the image's metadata.")
    w("- **Idle** is a service-mode core (`apart-core --listen ipc://PATH`, as root, its own state directory, as "
      "tests/e2e/service_support.py starts one). Wake-ups: the change of voluntary + nonvoluntary context switches summed over "
      "/proc/PID/task/*/status (threads followed by id, read every second), per second, over a window with no presenter "
      f"connected, {(data.get('idle') or {}).get('settle_seconds', 5)} s after it listens and again a second after the churn; the target is the larger of the two "
      f"(≤ {TARGETS['idle_wakeups']:.0f} /s). Churn: a pyzmq PAIR client connects (as tests/e2e/service_client.py does), takes "
      "the greeting, sends a status-request, takes the answer and disconnects, again and again; VmRSS is read every few seconds. "
      "Flat means the median of the samples in the churn's last tenth is within "
      f"{TARGETS['idle_rss_flat_mib']:.0f} MiB of the median in its second tenth (over 10 minutes: the last minute against the "
      "second; the first is left out, the core still warming up).")
    w("- **Where A's extra time goes** comes from `perf record -a -k CLOCK_MONOTONIC -e sched:sched_process_fork,"
      "sched:sched_process_exec,sched:sched_process_exit`, running through all timed runs (it records a few events per "
      "process, nothing per byte). The clocks are the same as the runs' own, so each run's window is cut into pre, pipeline "
      "and post. For restores, B's pipeline includes the kernel writing back and dropping the device's cached pages when "
      "partclone, its last user, closes it; the core holds the device open through the job, so the same work happens in "
      "A's post (fsync, BLKFLSBUF): restores' \"added by the core\" is overstated by that much, and their pipeline ratio "
      "is below 1 by as much.")
    w("- partclone's progress thread sleeps 2 s between updates and partclone waits for it before exiting, so every partclone "
      "run lasts a whole number of 2 s steps from its start (seen with `strace -e clock_nanosleep`): A and B alike. A difference "
      "that pushes a run over a step costs up to 2 s; so the ratios move in steps, and medians over pairs are what count.")
    w("")

    w("## Raw samples, seconds")
    w("")
    for op in ("clone", "restore"):
        for codec, e in data[op].items():
            w(f"- {op} {codec}: A " + ", ".join(s(v) for v in e["A"]) + "; B " + ", ".join(s(v) for v in e["B"])
              + "; core CPU " + ", ".join(f"{v:.2f}" for v in e["core_cpu"])
              + "; children CPU " + ", ".join(f"{v:.2f}" for v in e["children_cpu"]))
    for op in ("clone-disk", "restore-disk"):
        for codec, e in data.get(op, {}).items():
            w(f"- {op} {codec}: A " + ", ".join(s(v) for v in e["A"]) + "; B " + ", ".join(s(v) for v in e["B"])
              + "; core CPU " + ", ".join(f"{v:.2f}" for v in e["core_cpu"]))
    for op in ("clone", "restore"):
        for codec, e in data[op].items():
            if e.get("C"):
                w(f"- {op} {codec}, Clonezilla: " + ", ".join(s(v) for v in e["C"]) + "; its CPU " + ", ".join(f"{v:.2f}" for v in e["C_cpu"]))
    w("- start-up warm, ms: " + ", ".join(ms(v) for v in data["startup_warm"]))
    w("- the floor, ms: " + ", ".join(ms(v) for v in data["floor_startup"]) + "; peak RSS, MiB: "
      + ", ".join(mib(v) for v in data["floor_rss_kib"]))
    w("- start-up cold, ms: " + ", ".join(ms(v) for v in data["startup_cold"]))
    w("- status-request, ms: " + ", ".join(ms(v) for v in data["status_rtt"]))
    w("- its programs, ms: " + ", ".join(ms(v) for v in data["status_programs"]))
    for codec, e in (data.get("mount") or {}).items():
        w(f"- mount {codec}, root listed: " + ", ".join(f"{v:.3f}" for v in e["root"]) + "; read: " + ", ".join(s(v) for v in e["read"])
          + ("; first mount (index built): " + ", ".join(s(v) for v in e["index_build"]) + "; pigz -d: "
             + ", ".join(s(v) for v in e["pigz"]) if e.get("index_build") else ""))
    if data.get("idle"):
        w("- service core VmRSS through the churn, seconds: MiB: " + ", ".join(f"{t:.0f}: {mib(kib)}" for t, kib in data["idle"]["samples"]))
    w("")
    return "\n".join(out)


def summary(data):
    rows = targets(data)
    lines = [f"{what}: {value} (target {target}) {'met' if ok else 'NOT MET'}" + (f"; {note}" if note else "") for what, target, value, ok, note in rows]
    lines.append(f"{sum(1 for r in rows if r[3])} of {len(rows)} targets met")
    return "\n".join(lines)
