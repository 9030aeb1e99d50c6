#!/usr/bin/env bash
# corpus_asan.sh BINARY SHARED: run the sanitizer build over every capture in
# SHARED/corpus (robustness/, ndpi/, suricata-verify/) with two workers.
# Passes when no run has a sanitizer report, a crash or a hang; exit 1 is
# allowed (truncated or corrupt files must give it), anything else is not.
# With SHARED/rules/et-open, every run also loads five of its files (about
# 7,000 rules: policy, dns, info, web_client, smtp), so the detection code
# (prefilters, verification, flowbits, thresholds, alerts) runs under the
# sanitizers on every capture; their databases (the pcre ones too) are
# compiled once, then read from a cache.
set -uo pipefail
bin=${1:?binary}
shared=${2:?shared dir}
if [ ! -d "$shared/corpus" ]; then
    echo "corpus_asan: $shared/corpus not found: skipping the sanitizer run over the shared corpus"
    exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export ASAN_OPTIONS=exitcode=99:detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=halt_on_error=1:exitcode=99:print_stacktrace=1
find "$shared/corpus/robustness" "$shared/corpus/ndpi" "$shared/corpus/suricata-verify" \
     -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' -o -name '*.pcap.gz' \) | sort > "$work/list"
total=$(wc -l < "$work/list")
rules=()
et=$shared/rules/et-open
for f in policy dns info web_client smtp; do
    [ -r "$et/emerging-$f.rules" ] && rules+=(-S "$et/emerging-$f.rules")
done
if [ ${#rules[@]} -gt 0 ]; then
    rules+=(--set "detect.cache-dir=$work/cache")
    # fills the cache, the pcre databases too (sync), so that every run
    # below verifies with Hyperscan first and starts no background compile
    "$bin" -r "$(head -1 "$work/list")" -l "$work" "${rules[@]}" \
        --set detect.pcre-hyperscan=sync >/dev/null 2>&1
fi
export RULES_ARGS="${rules[*]}"
run_one() {
    f=$1; work=$2; bin=$3
    d=$(mktemp -d -p "$work")
    # shellcheck disable=SC2086
    timeout 120 "$bin" -r "$f" -l "$d" --threads 2 $RULES_ARGS >"$d/out" 2>"$d/err"
    rc=$?
    if [ $rc -ne 0 ] && [ $rc -ne 1 ]; then
        echo "FAIL rc=$rc $f"
        grep -m5 -E 'ERROR|runtime error|SUMMARY' "$d/err" | sed 's/^/    /'
    elif grep -q -E 'AddressSanitizer|LeakSanitizer|runtime error' "$d/err"; then
        echo "FAIL sanitizer $f"
        grep -m5 -E 'ERROR|runtime error|SUMMARY' "$d/err" | sed 's/^/    /'
    fi
    rm -rf "$d"
}
export -f run_one
tr '\n' '\0' < "$work/list" | xargs -0 -P 2 -I{} bash -c 'run_one "$1" "$2" "$3"' _ {} "$work" "$bin" > "$work/fails"
nfail=$(grep -c '^FAIL' "$work/fails")
cat "$work/fails"
echo "corpus_asan: $((total - nfail)) passed, $nfail failed"
[ "$nfail" -eq 0 ]
