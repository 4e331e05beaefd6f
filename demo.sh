#!/usr/bin/env bash
# The whole job in one command, on a fresh Debian machine: installs what is missing (Debian
# packages), builds the runnable layout, and runs `apart demo`, which makes a small filesystem
# on a loop device, clones it with progress, verifies the image, restores it to a second loop
# device, checks that every file matches, prints a summary and removes everything it made.
# Needs root (loop devices, mkfs, mount): re-runs itself through sudo when it can.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/as-root.sh

scripts/install-deps.sh
echo "Building Apart (artifacts/apart-core)…"
scripts/build.sh
exec artifacts/apart-core/apart demo "$@"
