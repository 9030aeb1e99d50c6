#!/usr/bin/env bash
# tests/valgrind.sh BINARY: the end-to-end tests (tests/e2e.sh) with every
# netscope run under valgrind's memcheck.  Fails when any run reports an
# invalid read or write, a use of uninitialised memory, a bad free, or a
# leak that is definitely or indirectly lost; e2e's own checks that depend
# on speed (a signal sent while a file is being read) may see a slower
# run, so e2e's verdict is printed but only memcheck's counts here.
#
# BINARY should be a release build (-O2 -g): ASan's shadow memory and
# valgrind do not mix.
set -uo pipefail
bin=$(realpath "${1:?usage: tests/valgrind.sh BINARY}")
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "valgrind: not installed (make deps)"; exit 1; }
work=$(mktemp -d /tmp/netscope-vg.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/logs"

# One log per process; suppressions only for what is not ours (none needed
# so far: libpcap, libyaml, Hyperscan and OpenSSL free what NetScope
# gives back, and their reachable blocks at exit are not leaks).
cat >"$work/netscope" <<EOF
#!/bin/sh
exec valgrind --tool=memcheck --quiet --error-exitcode=0 --leak-check=full \\
    --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \\
    --track-origins=yes --num-callers=24 --log-file="$work/logs/vg.%p" "$bin" "\$@"
EOF
chmod +x "$work/netscope"

t0=$(date +%s)
bash tests/e2e.sh "$work/netscope" >"$work/e2e.out" 2>&1
echo "valgrind: e2e under memcheck: $(tail -1 "$work/e2e.out") ($(( $(date +%s) - t0 )) s)"

runs=$(find "$work/logs" -name 'vg.*' | wc -l)
bad=0
for f in "$work"/logs/vg.*; do
    [ -s "$f" ] || continue
    if grep -qE 'Invalid (read|write|free)|uninitialised|Mismatched free|definitely lost|indirectly lost|Source and destination overlap' "$f"; then
        bad=$((bad + 1))
        [ $bad -le 3 ] && { echo "-- $f"; head -60 "$f"; }
    fi
done
echo "valgrind: $runs netscope runs, $bad with memcheck errors or leaks"
[ "$runs" -gt 50 ] && [ $bad = 0 ]
