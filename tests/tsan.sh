#!/usr/bin/env bash
# tests/tsan.sh TSAN_BUILD_DIR [SHARED]: the threaded paths under
# ThreadSanitizer (make tsan builds TSAN_BUILD_DIR/netscope and the unit
# tests with -fsanitize=thread).
#
#   1. the unit tests that start threads or share state between them (the
#      ring's producer and consumer, the background pcre compile, the
#      writer, the top view's lock; the others are single-threaded and
#      run under ASan in make test);
#   2. netscope -r over every test capture with 4 workers (more threads
#      than cores: the most interleavings), rules loaded (workers, writer,
#      reader, rollups, anomaly detectors);
#   3. all of ET Open (when SHARED has it) with the background pcre
#      compile racing the workers, over the capture with the most flows;
#   4. tests/live.sh and tests/top.sh with the TSan binary: fanout workers,
#      the writer, 10 rule reloads (RCU) under traffic, top's UI thread.
#
# The verdict is ThreadSanitizer's alone: any report fails.  Steps 1-3 must
# also exit as the release build does; in step 4 the live checks that need
# full speed (no kernel drops at 3,000 packets/s) may fail under TSan's
# 5-15x slowdown, so only the reports count there (make test runs those
# checks on the release build).
#
# liburcu's grace periods are invisible to TSan: engine/engine_int.h adds
# the happens-before edges RCU guarantees (NS_RCU_*) in this build only.
set -u
B=${1:?usage: tests/tsan.sh TSAN_BUILD_DIR [SHARED]}
SHARED=${2:-../shared}
NS=$B/netscope
work=$(mktemp -d /tmp/netscope-tsan.XXXXXX)
trap 'rm -rf "$work"' EXIT
export TSAN_OPTIONS="log_path=$work/tsan exitcode=66 report_signal_unsafe=0 second_deadlock_stack=1"
fails=0
t0=$(date +%s)

reports() { cat "$work"/tsan.* 2>/dev/null | grep -c 'WARNING: ThreadSanitizer'; }
verdict() {    # name before
    local n=$(( $(reports) - $2 ))
    if [ "$n" -gt 0 ]; then
        echo "FAIL: $1: $n ThreadSanitizer report(s)"
        fails=$((fails + 1))
    else
        echo "ok:   $1"
    fi
}

echo "== unit tests with threads"
for u in test_ring test_pcre_hs test_writer test_top test_logfile; do
    t=$B/tests/$u
    before=$(reports)
    if ! "$t" >"$work/unit.out" 2>&1; then
        echo "FAIL: $(basename "$t") exited $?"; tail -5 "$work/unit.out"; fails=$((fails + 1))
    fi
    verdict "$(basename "$t")" "$before"
done

echo "== captures, 4 workers, rules"
for p in tests/pcaps/*.pcap tests/pcaps/*.pcapng; do
    for th in 4; do
        before=$(reports)
        out=$work/run; rm -rf "$out"; mkdir -p "$out"
        "$NS" -r "$p" -l "$out" --threads $th -S tests/rules/reload_a.rules --rollup-interval 1 \
            >/dev/null 2>"$work/run.err"
        rc=$?
        # the two damaged captures end with status 1 (README), others 0
        case $(basename "$p") in truncated.pcap|corrupt.pcap) want=1 ;; *) want=0 ;; esac
        if [ $rc != $want ]; then
            echo "FAIL: $(basename "$p") --threads $th: exit $rc"; tail -3 "$work/run.err"
            fails=$((fails + 1))
        fi
        verdict "$(basename "$p") --threads $th" "$before"
    done
done

if [ -d "$SHARED/rules/et-open" ]; then
    echo "== ET Open, background pcre compile, 2 workers"
    before=$(reports)
    out=$work/et; mkdir -p "$out" "$work/cache"
    rules=()
    for f in "$SHARED"/rules/et-open/*.rules; do rules+=(-S "$f"); done
    "$NS" -r tests/pcaps/many_hosts.pcap -l "$out" --threads 2 "${rules[@]}" \
        --set detect.cache-dir="$work/cache" >/dev/null 2>"$work/et.err"
    rc=$?
    [ $rc = 0 ] || { echo "FAIL: ET Open run: exit $rc"; tail -3 "$work/et.err"; fails=$((fails + 1)); }
    verdict "ET Open over many_hosts.pcap" "$before"
fi

if [ "$(id -u)" = 0 ]; then
    echo "== live capture and reloads (tests/live.sh), netscope top (tests/top.sh)"
    before=$(reports)
    bash tests/live.sh "$NS" >"$work/live.out" 2>&1
    grep -E '^live: [0-9]+ passed' "$work/live.out" | sed 's/^/      (functional, under TSan) /'
    verdict "tests/live.sh" "$before"
    before=$(reports)
    bash tests/top.sh "$NS" >"$work/top.out" 2>&1
    verdict "tests/top.sh" "$before"
else
    echo "skip: live.sh and top.sh need root"
fi

if [ "$(reports)" -gt 0 ]; then
    echo "-- first report:"
    cat "$work"/tsan.* | sed -n '/WARNING: ThreadSanitizer/,/^SUMMARY/p' | head -60
fi
echo "tsan: $fails failed, $(reports) report(s), $(( $(date +%s) - t0 )) s"
[ $fails = 0 ]
