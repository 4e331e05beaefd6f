#!/usr/bin/env bash
# Runs every test: installs what is missing (Debian packages), builds, runs the unit tests and
# the end-to-end suite (real partclone, compressors, loop devices and a libzmq presenter).
# Needs root. Ends with one line: "N passed, N failed" (", N skipped" when any were).
# Arguments are passed to pytest, e.g. ./test.sh -k clone to run part of the end-to-end suite.
set -uo pipefail
cd "$(dirname "$0")"
source scripts/as-root.sh

scripts/install-deps.sh || exit 1
scripts/build.sh || { echo "0 passed, 1 failed"; exit 1; }

passed=0 failed=0 skipped=0
add_counts() { # passed failed skipped
  passed=$((passed + $1)) failed=$((failed + $2)) skipped=$((skipped + $3))
}

echo "== unit tests"
unit_log=$(mktemp)
dotnet test Apart.Host.sln -c Release --nologo 2>&1 | tee "$unit_log"
unit_status=${PIPESTATUS[0]}
unit_lines=$(grep -E '^(Passed|Failed)!' "$unit_log" || true)
while read -r line; do
  [ -n "$line" ] || continue
  f=$(sed -E 's/.*Failed: *([0-9]+).*/\1/' <<<"$line")
  p=$(sed -E 's/.*Passed: *([0-9]+).*/\1/' <<<"$line")
  s=$(sed -E 's/.*Skipped: *([0-9]+).*/\1/' <<<"$line")
  add_counts "$p" "$f" "$s"
done <<<"$unit_lines"
if [ "$unit_status" -ne 0 ] && ! grep -q '^Failed!' "$unit_log"; then
  add_counts 0 1 0 # a build or test-host failure with no counts of its own
fi
rm -f "$unit_log"

echo "== end-to-end tests"
# Three workers, a test file each at a time: the tests mostly wait on devices and programs, and
# each file's module-wide fixtures (images cloned once) stay within one worker.
e2e_log=$(mktemp)
/usr/bin/python3 -m pytest tests/e2e -rfEs -p no:cacheprovider -n 3 --dist loadfile "$@" 2>&1 | tee "$e2e_log"
e2e_status=${PIPESTATUS[0]}
summary=$(grep -E '^=+ .*(passed|failed|error|skipped|no tests ran).* in [0-9.]+s' "$e2e_log" | tail -1)
count() { grep -oE "[0-9]+ $1" <<<"$summary" | grep -oE '[0-9]+' || echo 0; }
add_counts "$(count passed)" "$(( $(count failed) + $(count error) ))" "$(count skipped)"
if [ "$e2e_status" -ne 0 ] && [ "$(count failed)" -eq 0 ] && [ "$(count error)" -eq 0 ]; then
  add_counts 0 1 0 # pytest itself failed (collection error, crash)
fi
rm -f "$e2e_log"

line="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && line="$line, $skipped skipped"
echo "$line"
[ "$failed" -eq 0 ]
