# Sourced by the top-level scripts: block devices need root. Re-runs the calling script through
# sudo when started by another user and sudo exists; otherwise says so plainly.
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    exec sudo --preserve-env=PATH,DOTNET_ROOT,CI "$0" "$@"
  fi
  echo "$(basename "$0") needs root (it creates loop devices and reads and writes block devices)," >&2
  echo "and this machine has no sudo: run it as root." >&2
  exit 1
fi
