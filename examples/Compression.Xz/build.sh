#!/usr/bin/env bash
# Builds this example as a third party builds a plugin: packs the plugin SDK (Apart.Abstractions)
# into a local feed, artifacts/sdk-feed/, then builds the plugin against that package alone (its
# nuget.config names the feed; examples/Directory.Build.props keeps the repository's build
# settings out). The last line printed is the finished plugin folder's absolute path: copy it
# under an installed core's plugins/.
#
#   APART_SDK_VERSION=2.0.0 examples/Compression.Xz/build.sh
# packs the SDK as that version instead of its own and builds the plugin against it (to see a
# host skip a plugin built against a contract version it does not load).
set -euo pipefail
example=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$example/../.." && pwd)
feed=$repo/artifacts/sdk-feed
version=${APART_SDK_VERSION:-$(dotnet msbuild "$repo/src/Apart.Abstractions/Apart.Abstractions.csproj" -nologo -getProperty:Version)}
out=$repo/artifacts/examples/Apart.Abstractions-$version/plugins/Compression.Xz

# One build at a time: builds share this example's obj/ and the packages folder below.
mkdir -p "$repo/artifacts/examples"
exec 9>"$repo/artifacts/examples/.build.lock"
flock 9

# The SDK, packed from the sources into the feed. Its own build directory, so that packing
# touches neither src/Apart.Abstractions/{bin,obj} nor anything a build of the solution uses.
echo "== packing Apart.Abstractions $version into $feed" >&2
dotnet pack "$repo/src/Apart.Abstractions/Apart.Abstractions.csproj" -c Release -nologo -clp:ErrorsOnly \
  -o "$feed" --artifacts-path "$repo/artifacts/sdk-build/$version" -p:Version="$version" >&2

# The plugin, restored into a packages folder of its own with no Apart.Abstractions in it: the
# package just packed is used, never one cached from an earlier pack of the same version.
export NUGET_PACKAGES=$repo/artifacts/examples/nuget-packages
rm -rf "$NUGET_PACKAGES/apart.abstractions" "$out"
echo "== building Compression.Xz against Apart.Abstractions $version" >&2
dotnet publish "$example/Compression.Xz.csproj" -c Release -nologo -clp:ErrorsOnly \
  -o "$out" -p:ApartAbstractionsVersion="$version" >&2

# The host provides the contracts; a copy in the folder would not be the host's type.
if [ -e "$out/Apart.Abstractions.dll" ]; then
  echo "build.sh: $out holds Apart.Abstractions.dll; the plugin must not ship the contracts" >&2
  exit 1
fi
[ -f "$out/Compression.Xz.dll" ] || { echo "build.sh: no $out/Compression.Xz.dll" >&2; exit 1; }
echo "$out"
