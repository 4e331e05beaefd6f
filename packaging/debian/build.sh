#!/usr/bin/env bash
# Builds Apart's Debian packages into artifacts/deb/: apart-core, apart-core-zstd, apart-core-lz4
# and apart (see README, "Debian packages").
#
# A copy of the source tree (the files git knows of, untracked ones too unless ignored) is staged
# in artifacts/deb-build/apart-VERSION/ with packaging/debian/debian/ as its debian/, and built
# there by dpkg-buildpackage -b, so the build never writes into the working tree. The version is
# Directory.Build.props' <Version>; debian/changelog is generated from it. Needs the .NET 10 SDK
# (not in Debian's archive) and dpkg-dev, debhelper (scripts/install-deps.sh installs them). Any
# user may run it (Rules-Requires-Root: no).
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD

for tool in dotnet dpkg-buildpackage dh git; do
  command -v "$tool" >/dev/null || { echo "build.sh: $tool is not installed (scripts/install-deps.sh; dotnet: see README)" >&2; exit 1; }
done

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# debhelper points HOME at a scratch directory in its own steps; the caller's NuGet cache is kept.
export NUGET_PACKAGES="${NUGET_PACKAGES:-$HOME/.nuget/packages}"

version=$(dotnet msbuild Directory.Build.props -getProperty:Version 2>/dev/null || true)
[ -n "$version" ] || version=$(dotnet msbuild src/Apart.Host/Apart.Host.csproj -getProperty:Version)
[[ "$version" =~ ^[0-9][0-9A-Za-z.+~-]*$ ]] || { echo "build.sh: odd version '$version' in Directory.Build.props" >&2; exit 1; }

build=artifacts/deb-build
stage="$build/apart-$version"
rm -rf "$build" artifacts/deb
mkdir -p "$stage" artifacts/deb

# The source: what a clean clone has, plus local changes not yet committed.
git ls-files -z --cached --others --exclude-standard |
  tar --null --no-recursion --ignore-failed-read --files-from=- -cf - |
  tar -xf - -C "$stage"
cp -a packaging/debian/debian "$stage/debian"
# The unit and the sysusers entry are kept once, in packaging/systemd/.
cp packaging/systemd/apart-core.service "$stage/debian/apart-core.service"
cp packaging/systemd/apart.sysusers.conf "$stage/debian/apart-core.apart.sysusers"

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git status --porcelain 2>/dev/null | grep -q . && echo " with local changes" || true)
when=$(date -R -u -d "@$(git log -1 --format=%ct 2>/dev/null || date +%s)")
maintainer=$(sed -n 's/^Maintainer: //p' packaging/debian/debian/control)
cat >"$stage/debian/changelog" <<CHANGELOG
apart ($version) unstable; urgency=medium

  * Built by packaging/debian/build.sh from commit $commit$dirty.

 -- $maintainer  $when
CHANGELOG

(cd "$stage" && dpkg-buildpackage -b -us -uc)

mv "$build"/*.deb artifacts/deb/

# Every installed path in exactly one package (directories aside).
listing=$(for deb in artifacts/deb/*.deb; do dpkg-deb --fsys-tarfile "$deb" | tar -t | grep -v '/$'; done | sort)
duplicates=$(uniq -d <<<"$listing")
if [ -n "$duplicates" ]; then
  echo "build.sh: files in more than one package:" >&2
  echo "$duplicates" >&2
  exit 1
fi

ls -l artifacts/deb/
