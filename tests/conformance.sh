#!/usr/bin/env bash
# conformance.sh BINARY SHARED: suricata-verify checks over our EVE output.
# Each test runs with the settings it assumes of Suricata (tests/sv_engine.py
# turns its suricata.yaml, args and env into --set options).
# Gate: at least 80 % of the in-scope flow checks pass, at least 80 % of the
# app-layer checks (dns, http, tls, smtp, ftp, ssh, dhcp together) pass, and
# the engine exits 0 on every test capture.
# Then the rules: the tier-1 and tier-2 tests of corpus/suricata-verify-alert
# with their rule files, alert checks only.  Gate: ALERT_MIN percent
# (default 80, the bar of issue 5; 84.3 % pass today).
set -uo pipefail
bin=${1:?binary}
shared=${2:?shared dir}
corpus=$shared/corpus/suricata-verify
if [ ! -d "$corpus" ]; then
    echo "conformance: $corpus not found: skipping"
    exit 0
fi
here=$(cd "$(dirname "$0")" && pwd)
case $bin in /*) abs=$bin ;; *) abs=$(pwd)/$bin ;; esac
out=$(mktemp)
trap 'rm -f "$out"' EXIT
python3 "$shared/tools/sv_suite.py" \
    --engine "python3 $(printf %q "$here/sv_engine.py") $(printf %q "$abs") {pcap} {outdir}" \
    "$corpus" -q | tee "$out"
awk '
    BEGIN { split("dns http tls smtp ftp ssh dhcp", t, " "); for (i in t) app[t[i]] = 1 }
    /^per event type/ { table = 1; next }
    table && /^  [^ ]/ {
        if ($1 == "flow") { fp = $2; ff = $3 }
        if ($1 in app) { ap += $2; af += $3 }
        next
    }
    { table = 0 }
    /^engine exited non-zero on/ { crashes = $5 }
    END {
        frate = (fp + ff) ? fp / (fp + ff) : 0
        arate = (ap + af) ? ap / (ap + af) : 0
        printf "conformance: flow checks %d passed, %d failed (%.1f %%)\n", fp, ff, 100 * frate
        printf "conformance: app-layer checks (dns http tls smtp ftp ssh dhcp) %d passed, %d failed (%.1f %%)\n", ap, af, 100 * arate
        printf "conformance: engine non-zero exits: %d\n", crashes + 0
        if (frate < 0.80 || arate < 0.80 || crashes + 0 > 0) {
            print "conformance: FAILED (bar: 80 % of flow checks, 80 % of app-layer checks, no non-zero exit)"
            exit 1
        }
    }' "$out"
rc=$?
[ $rc -ne 0 ] && exit $rc

alerts=$shared/corpus/suricata-verify-alert
if [ ! -d "$alerts" ]; then
    echo "conformance: $alerts not found: skipping the rules"
    exit 0
fi
ALERT_MIN=${ALERT_MIN:-80}
python3 "$shared/tools/sv_suite.py" "$alerts" --event-types alert --tiers T1,T2 \
    --engine "$(printf %q "$abs") -r {pcap} -l {outdir} {rules_args}" -q | tee "$out"
awk -v min="$ALERT_MIN" '
    /^  alert / { p = $2; f = $3 }
    /^engine exited non-zero on/ { crashes = $5 }
    END {
        rate = (p + f) ? p / (p + f) : 0
        printf "conformance: alert checks (rules, tiers 1-2) %d passed, %d failed (%.1f %%)\n", p, f, 100 * rate
        if (100 * rate < min || crashes + 0 > 0) {
            printf "conformance: FAILED (gate: %s %% of alert checks, no non-zero exit)\n", min
            exit 1
        }
    }' "$out"
