"""The benchmark's fixture: an ext4 filesystem about 90% full of mixed content, built once into a
backing file under the cache directory and reused by every later run (keyed by size and VERSION).

Content, in this order, until each share is reached:
- compressible: real files of this machine (documentation, translations, shared libraries,
  .NET assemblies), copied as they are, up to COMPRESSIBLE_SHARE of the filesystem's blocks;
- incompressible: pseudo-random bytes (a fixed seed, so every build is the same) up to FULL_SHARE.
"""

import json
import os
import random
import shutil
import tempfile
import time

from system import run

# Bump when the content recipe changes: old cached fixtures are then rebuilt, not reused.
VERSION = 1

FULL_SHARE = 0.90
COMPRESSIBLE_SHARE = 0.60

COMPRESSIBLE_SOURCES = [
    "/usr/share/doc",
    "/usr/share/locale",
    "/usr/lib/x86_64-linux-gnu",
    "/usr/share/dotnet",
    "/usr/lib/dotnet",
    "/usr/share/man",
    "/usr/share",
    "/usr/lib",
]

RANDOM_FILE = 8 << 20
SEED = 20240601


def path_for(cache_dir, size_mib):
    return os.path.join(cache_dir, f"fixture-ext4-{size_mib}MiB-v{VERSION}.img")


def ensure(cache_dir, size_mib, log):
    """The cached fixture's backing file and its description, building both when missing."""
    path = path_for(cache_dir, size_mib)
    meta_path = path + ".json"
    if os.path.exists(path) and os.path.exists(meta_path):
        with open(meta_path) as f:
            meta = json.load(f)
        if meta.get("version") == VERSION and os.path.getsize(path) == size_mib << 20:
            meta["cached"] = True
            return path, meta
    os.makedirs(cache_dir, exist_ok=True)
    log(f"building the {size_mib} MiB fixture (once; cached as {path})")
    started = time.monotonic()
    partial = path + ".building"
    if os.path.exists(partial):
        os.unlink(partial)
    with open(partial, "wb") as f:
        f.truncate(size_mib << 20)
    device = run("losetup", "--find", "--show", partial).stdout.strip()
    mountpoint = tempfile.mkdtemp(prefix="apart-bench-fill-")
    mounted = False
    try:
        run("mkfs.ext4", "-q", "-F", "-m", "0", "-E", "lazy_itable_init=0,lazy_journal_init=0", "-L", "apartbench", device)
        run("mount", device, mountpoint)
        mounted = True
        meta = _fill(mountpoint)
        run("sync", "-f", mountpoint)
        run("umount", mountpoint)
        mounted = False
        run("e2fsck", "-fn", device)
    finally:
        if mounted:
            run("umount", mountpoint, check=False)
        run("losetup", "-d", device, check=False)
        os.rmdir(mountpoint)
    meta.update(version=VERSION, size=size_mib << 20, build_seconds=round(time.monotonic() - started, 1))
    with open(meta_path + ".building", "w") as f:
        json.dump(meta, f, indent=1)
    os.rename(partial, path)
    os.rename(meta_path + ".building", meta_path)
    meta["cached"] = False
    return path, meta


def _used(mountpoint):
    st = os.statvfs(mountpoint)
    return (st.f_blocks - st.f_bfree) * st.f_frsize, st.f_blocks * st.f_frsize


def _fill(mountpoint):
    _, total = _used(mountpoint)
    compressible_goal = int(total * COMPRESSIBLE_SHARE)
    full_goal = int(total * FULL_SHARE)
    files = {"compressible": 0, "random": 0}
    written = {"compressible": 0, "random": 0}

    # Compressible: copy real files until the share is reached (sources repeat into new folders
    # if this machine has too few; that never happens on a Debian with the .NET SDK).
    seen = set()
    round_ = 0
    done = False
    while not done:
        copied_this_round = 0
        for source in COMPRESSIBLE_SOURCES:
            if done:
                break
            for directory, dirnames, filenames in os.walk(source):
                dirnames.sort()
                for name in sorted(filenames):
                    src = os.path.join(directory, name)
                    try:
                        info = os.lstat(src)
                    except OSError:
                        continue
                    if not os.path.isfile(src) or os.path.islink(src) or info.st_size == 0:
                        continue
                    key = (info.st_dev, info.st_ino)
                    if round_ == 0 and key in seen:
                        continue
                    seen.add(key)
                    used, _ = _used(mountpoint)
                    room = compressible_goal - used
                    if room <= 64 << 10:
                        done = True
                        break
                    if info.st_size > room:
                        continue
                    dst = os.path.join(mountpoint, "files", str(round_), os.path.relpath(src, "/"))
                    try:
                        os.makedirs(os.path.dirname(dst), exist_ok=True)
                        shutil.copyfile(src, dst)
                    except OSError:
                        continue
                    files["compressible"] += 1
                    written["compressible"] += info.st_size
                    copied_this_round += 1
                if done:
                    break
        if not done and copied_this_round == 0:
            break  # nothing fits any more
        round_ += 1

    # Incompressible: pseudo-random data to FULL_SHARE.
    rng = random.Random(SEED)
    os.makedirs(os.path.join(mountpoint, "random"), exist_ok=True)
    index = 0
    while True:
        used, _ = _used(mountpoint)
        room = full_goal - used
        if room < 64 << 10:
            break
        length = min(RANDOM_FILE, room - (16 << 10))
        with open(os.path.join(mountpoint, "random", f"r{index:05d}.bin"), "wb") as f:
            f.write(rng.randbytes(length))
            f.flush()
            os.fsync(f.fileno())
        files["random"] += 1
        written["random"] += length
        index += 1

    used, total = _used(mountpoint)
    return {
        "filesystem_bytes": total,
        "used_bytes": used,
        "used_share": round(used / total, 4),
        "compressible_bytes": written["compressible"],
        "compressible_files": files["compressible"],
        "random_bytes": written["random"],
        "random_files": files["random"],
    }


# -- a whole disk -----------------------------------------------------------------------------

EFI_MIB = 32
EFI_SOURCES = ["/usr/share/doc/bash", "/usr/share/doc/coreutils", "/usr/share/doc/util-linux", "/usr/share/doc/partclone"]
CHECK = {"ext4": ["e2fsck", "-fn"], "vfat": ["fsck.vfat", "-n"]}


def disk(fixture_path, path, size_mib):
    """A GPT disk around the fixture, as a laptop's: an EFI vfat partition of 32 MiB holding some
    documentation, then the fixture's ext4 as the second partition. Built afresh per run (the
    fixture's bytes are copied sparsely). Returns [(number, fstype, start, size)] in bytes."""
    mib = 1 << 20
    efi_start, root_start = mib, (1 + EFI_MIB) * mib
    with open(path, "wb") as f:
        f.truncate((1 + EFI_MIB + size_mib + 1) * mib)
    run("sfdisk", "-q", path, input=(
        "label: gpt\n"
        f"start={efi_start // 512}, size={EFI_MIB * mib // 512}, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name=\"EFI\"\n"
        f"start={root_start // 512}, size={size_mib * mib // 512}, type=0FC63DAF-8483-4772-8E79-3D69C47D8E4C, name=\"root\"\n"))
    run("dd", f"if={fixture_path}", f"of={path}", "bs=1M", f"seek={root_start // mib}", "conv=sparse,notrunc", "status=none")
    device = run("losetup", "--find", "--show", "-o", str(efi_start), "--sizelimit", str(EFI_MIB * mib), path).stdout.strip()
    try:
        run("mkfs.vfat", "-n", "EFI", device)
        run("mcopy", "-s", "-i", device, *[s for s in EFI_SOURCES if os.path.isdir(s)], "::/")
    finally:
        run("losetup", "-d", device, check=False)
    return [(1, "vfat", efi_start, EFI_MIB * mib), (2, "ext4", root_start, size_mib * mib)]


def check_disk(device, parts):
    """Each partition of a restored disk checks clean with its filesystem's checker. parts: (name, fstype, start, size)."""
    for _, fstype, start, size in parts:
        mapped = run("losetup", "--find", "--show", "--read-only", "-o", str(start), "--sizelimit", str(size), device).stdout.strip()
        try:
            run(*CHECK[fstype], mapped)
        finally:
            run("losetup", "-d", mapped, check=False)
