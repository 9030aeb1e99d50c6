#!/usr/bin/env bash
# conformance.sh BINARY SHARED: suricata-verify checks over our EVE output.
# Gate (issue 2): at least 80 % of the in-scope flow checks pass, and the
# engine exits 0 on every test capture.
set -uo pipefail
bin=${1:?binary}
shared=${2:?shared dir}
corpus=$shared/corpus/suricata-verify
if [ ! -d "$corpus" ]; then
    echo "conformance: $corpus not found: skipping"
    exit 0
fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT
python3 "$shared/tools/sv_suite.py" --engine "$(pwd)/$bin -r {pcap} -l {outdir} --threads 1" "$corpus" -q | tee "$out"
awk '
    /^  flow / { fp = $2; ff = $3 }
    /^engine exited non-zero on/ { crashes = $5 }
    END {
        rate = (fp + ff) ? fp / (fp + ff) : 0
        printf "conformance: flow checks %d passed, %d failed (%.1f %%); engine non-zero exits: %d\n", fp, ff, 100 * rate, crashes + 0
        if (rate < 0.80 || crashes + 0 > 0) { print "conformance: FAILED (bar: 80 % of flow checks, no non-zero exit)"; exit 1 }
    }' "$out"
