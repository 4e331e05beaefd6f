#!/usr/bin/env bash
# Installs, from Debian's own archive, every program Apart drives or its tests use, skipping
# what is already there. Run as root. The .NET SDK is not in Debian's archive: it must be
# present already (see README).
set -euo pipefail

packages=(
  partclone pigz zstd lz4              # the tools the core drives
  libzmq5                              # libzmq.so.5: the core's ZeroMQ transport
  xz-utils                             # xz: the plugin SDK's example codec (examples/Compression.Xz)
  fdisk parted gdisk                   # sfdisk, parted, sgdisk: whole disks' tables (Clonezilla's format)
  util-linux e2fsprogs                 # lsblk, blkid, losetup, setpriv; mkfs.ext4
  xfsprogs btrfs-progs dosfstools ntfs-3g exfatprogs exfat-fuse mtools   # filesystems the tests clone
  python3 python3-zmq python3-yaml python3-pytest python3-pytest-xdist   # the end-to-end presenter (a real libzmq peer)
  clonezilla                           # ocs-sr, ocs-chkimg: the peer that reads and writes the disk image format
  tmux                                 # terminal capture of the CLI's progress bar
  procps                               # ps, pgrep in tests and benchmarks
  systemd passwd                       # systemd-analyze, systemd-sysusers; useradd (service tests; systemd is not started)
  dpkg-dev debhelper lintian           # the Debian packages: dpkg-buildpackage, dh, and their check (packaging/debian)
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done

if ((${#missing[@]})); then
  echo "Installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v dotnet >/dev/null; then
  echo "The .NET 10 SDK is needed to build Apart and is not in Debian's archive." >&2
  echo "Install it as https://learn.microsoft.com/dotnet/core/install/linux-debian says, then run this again." >&2
  exit 1
fi
