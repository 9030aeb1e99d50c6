#!/usr/bin/env bash
# tests/fuzz/run.sh: seeds and runs one libFuzzer target (make fuzz,
# make fuzz-smoke).
#
#   run.sh FUZZER SECONDS SHARED     fuzz for SECONDS, corpus kept in
#                                    build/fuzz/corpus_<target>
#   run.sh --regress FUZZER          run every tests/fuzz/regress/<target>/*
#                                    once: none may crash
#
# Seeds, made once per corpus: tests/fuzz/<target>.seeds (one input per
# line), the files in tests/fuzz/seeds/<target>/, and from captures in
# tests/pcaps and SHARED/corpus when it exists: frames (tests/fuzz/seed.py)
# for fuzz_dissect, conversations (seed.py --chunks) for the app-layer
# targets, whole files up to 64 KiB for fuzz_reader and fuzz_pipeline.
# tests/fuzz/<target>.dict is the target's dictionary.
set -u
if [ "$1" = --regress ]; then
    f=$2; t=$(basename "$f"); n=0
    for r in tests/fuzz/regress/"$t"/*; do
        [ -f "$r" ] || continue
        if ! "$f" -runs=1 "$r" >build/fuzz/regress_"$t".log 2>&1; then
            echo "FAIL: $f $r (build/fuzz/regress_$t.log)"; exit 1
        fi
        n=$((n + 1))
    done
    echo "== $t: $n regression inputs pass"
    exit 0
fi
f=$1; secs=$2; shared=$3
t=$(basename "$f")
c=build/fuzz/corpus_$t
pcaps() {
    { ls tests/pcaps/*.pcap tests/pcaps/*.pcapng 2>/dev/null
      [ -d "$shared/corpus" ] && find "$shared/corpus" \( -name '*.pcap' -o -name '*.pcapng' \) | sort; } | cat
}
if [ ! -f "$c/.seeded" ]; then
    mkdir -p "$c"
    [ -f tests/fuzz/"$t".seeds ] && split -l 1 tests/fuzz/"$t".seeds "$c"/seed_
    [ -d tests/fuzz/seeds/"$t" ] && cp tests/fuzz/seeds/"$t"/* "$c"/
    case $t in
    fuzz_rules|fuzz_report|fuzz_defrag|fuzz_stream|fuzz_config) ;;
    fuzz_dissect) pcaps | xargs -d '\n' python3 tests/fuzz/seed.py "$c" >/dev/null ;;
    fuzz_reader|fuzz_pipeline)
        pcaps | while read -r p; do
            [ "$(stat -c %s "$p")" -le 65536 ] && cp "$p" "$c/$(sha1sum "$p" | cut -c1-16).${p##*.}"
        done ;;
    *) pcaps | xargs -d '\n' python3 tests/fuzz/seed.py --chunks "$c" >/dev/null ;;
    esac
    touch "$c/.seeded"
fi
case $t in
fuzz_dissect) max=2048 ;;
fuzz_defrag|fuzz_stream) max=8192 ;;
fuzz_config) max=16384 ;;
*) max=65536 ;;
esac
dict=
[ -f tests/fuzz/"$t".dict ] && dict=-dict=tests/fuzz/"$t".dict
mkdir -p build/fuzz/artifacts
echo "== $t for $secs s ($(ls "$c" | wc -l) inputs in $c)"
# stderr of the target (netscope's own warnings) goes to the log; the
# crash report, if any, is printed from it
"$f" -max_len=$max -timeout=10 -rss_limit_mb=2048 -max_total_time="$secs" \
    -print_final_stats=1 -artifact_prefix=build/fuzz/artifacts/"$t"- $dict "$c" \
    >build/fuzz/"$t".log 2>&1
rc=$?
grep -E '^stat::(number_of_executed_units|peak_rss_mb)|^Done [0-9]+ runs' build/fuzz/"$t".log | tr '\n' ' '; echo
if [ $rc -ne 0 ]; then
    grep -A40 -m1 -E 'ERROR|runtime error|Timeout|leak' build/fuzz/"$t".log | head -60
    echo "FAIL: $t (build/fuzz/$t.log; input in build/fuzz/artifacts/)"
    exit 1
fi
