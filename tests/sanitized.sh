#!/usr/bin/env bash
# tests/sanitized.sh COMMAND...: runs COMMAND (a test script given the
# AddressSanitizer/UBSan build) with every sanitizer report written to a
# log of its own, and fails when COMMAND fails or any netscope process it
# started wrote a report (an error, or a leak at exit), whatever exit
# status the test script expected from that process.
set -uo pipefail
logs=$(mktemp -d "${TMPDIR:-/tmp}/netscope-san.XXXXXX")
trap 'rm -rf "$logs"' EXIT
export ASAN_OPTIONS="log_path=$logs/asan:detect_leaks=1"
export UBSAN_OPTIONS="log_path=$logs/ubsan:halt_on_error=1:print_stacktrace=1"
"$@"
rc=$?
if [ -n "$(ls -A "$logs")" ]; then
    for f in "$logs"/*; do echo "== $f"; head -40 "$f"; done
    echo "sanitized: $(ls "$logs" | wc -l) sanitizer report(s) from: $*"
    exit 1
fi
[ $rc = 0 ] || { echo "sanitized: exit status $rc: $*"; exit $rc; }
echo "sanitized: no sanitizer report: $*"
