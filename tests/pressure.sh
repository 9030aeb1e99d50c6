#!/usr/bin/env bash
# tests/pressure.sh BINARY [GEN]: memory under pressure (README "Memory").
#
# Floods from tests/gen_pressure.c, written to a temporary directory (never
# committed), each run with memory.budget 64mb and 2 workers:
#   flows   2 M SYNs from random sources and ports (1 us apart: no timeout
#           can help, only emergency eviction),
#   frags   200 k first fragments never completed (defrag eviction),
#   stream  100 k connections with out-of-order data behind a hole that
#           never fills (stream memcap: the least recently active
#           connections' reassembly taken back, so that 90 % or more of the
#           connections are reassembled).
# Each run must exit 0, keep its peak RSS (/usr/bin/time) under the budget
# plus MEM_OVERHEAD, keep every part's use under its cap and the parts under
# the budget, count the flood's evictions or drops (non-zero), and account
# for every packet (decoder.pkts = accounting.read = packets written =
# decoded + filtered + unsupported + invalid; every SYN a flow or no_flow).
# A control run of the flow flood without a budget must go over the same
# limit: the flood really presses, so the check can fail.
#
# MEM_OVERHEAD (24 MiB) is what the budget does not cover and does not
# grow with traffic: the program and its libraries (Hyperscan, OpenSSL,
# libpcap, libyaml: about 8 MiB resident), thread stacks, the writer's
# buffers, stats and rollup tables.  The run on a 24-packet capture measures
# it (about 13 MiB, which already includes the flow tables' hash slots the
# budget counts); it must stay under the allowance too.
#
# Then, as root with hping3, a live run: hping3 --flood --rand-source -S
# for 4 s against an address in a network namespace of our own, netscope
# -i on the veth with the same budget (the capture rings now counted in
# it), checked the same way.  Skipped (with a message) where that cannot
# run.
set -uo pipefail
bin=$(realpath "${1:?binary}")
cd "$(dirname "$0")/.."
. tests/netns.sh
gen=${2:-build/gen_pressure}
export TZ=UTC
t_start=$EPOCHREALTIME

BUDGET_MB=64
MEM_OVERHEAD_MB=24
LIMIT_KB=$(( (BUDGET_MB + MEM_OVERHEAD_MB) * 1024 ))

pass=0 fail=0
ok()  { pass=$((pass + 1)); echo "ok:   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

work=$(mktemp -d "${TMPDIR:-/tmp}/netscope-pressure.XXXXXX")
ns_a=nspress-a-$$ ns_b=nspress-b-$$
pids=()
trap 'netns_cleanup "$work" "$ns_a" "$ns_b"' EXIT
trap 'exit 130' INT TERM HUP

if [ ! -x "$gen" ]; then
    echo "pressure: $gen missing (make build/gen_pressure)"; exit 1
fi
[ -x /usr/bin/time ] || { echo "pressure: /usr/bin/time missing (apt-get install time)"; exit 1; }

# check EVE KIND PACKETS [LIVE]: the final stats record against the rules
# above; prints one line of figures, exits non-zero with the reasons.
check() {
    python3 - "$@" <<'PY'
import json, sys
eve, kind, npk = sys.argv[1], sys.argv[2], int(sys.argv[3])
live = len(sys.argv) > 4
last = None
for l in open(eve):
    r = json.loads(l)
    if r.get("event_type") == "stats":
        last = r["stats"]
errs = []
if last is None:
    print("no stats record"); sys.exit(1)
a, d, f, m, t = last["accounting"], last["decoder"], last["flow"], last["memory"], last["tcp"]
parts = ("read", "decoded", "filtered", "unsupported", "invalid")
if a["read"] != a["decoded"] + a["filtered"] + a["unsupported"] + a["invalid"]:
    errs.append("accounting does not add up: %s" % {k: a[k] for k in parts})
if not live and (a["read"] != npk or d["pkts"] != npk):
    errs.append("read %d, decoder.pkts %d, written %d" % (a["read"], d["pkts"], npk))
if live and d["pkts"] != a["read"] - a["filtered"]:
    errs.append("decoder.pkts %d != read %d - filtered %d" % (d["pkts"], a["read"], a["filtered"]))
total = m["queues"] + m["capture"]
for p in ("flow", "stream", "defrag"):
    total += m[p]["cap"]
    if m[p]["use"] > m[p]["cap"]:
        errs.append("memory.%s.use %d > cap %d" % (p, m[p]["use"], m[p]["cap"]))
if total > m["budget"]:
    errs.append("parts %d > budget %d" % (total, m["budget"]))
app_memcap = last["app_layer"]["memcap"]
if kind == "flows":
    ev = f["end"]["forced"] + f["emerg_timeout"]
    if f["emerg_mode_entered"] == 0 or ev == 0:
        errs.append("no emergency eviction: %s" % f)
    if not live and f["total"] + f["no_flow"] != npk:
        errs.append("flow.total %d + no_flow %d != %d SYNs" % (f["total"], f["no_flow"], npk))
    ended = f["end"]["forced"] + f["end"]["timeout"] + f["end"]["shutdown"]
    if ended != f["total"]:
        errs.append("flows ended %d != flow.total %d" % (ended, f["total"]))
    fig = "flows %d, emergency %d, end.forced %d, end.timeout %d (emerg_timeout %d), no_flow %d, app_layer.memcap %d" % (
        f["total"], f["emerg_mode_entered"], f["end"]["forced"], f["end"]["timeout"],
        f["emerg_timeout"], f["no_flow"], app_memcap)
elif kind == "frags":
    ev = d["defrag_evicted"]
    if ev == 0 or d["frags"] != npk:
        errs.append("defrag_evicted %d, frags %d" % (ev, d["frags"]))
    fig = "frags %d, defrag_evicted %d, defrag_timeouts %d, defrag_memcap %d" % (
        d["frags"], ev, d["defrag_timeouts"], d["defrag_memcap"])
else:
    # the oldest holders give their reassembly back, so the newest
    # connections are reassembled: nearly all of them, not just the first
    # pool's worth (7,640 of 100,000 when nothing was taken back)
    ev = t["reassembly_evicted"]
    conns = f["tcp"]
    if ev == 0 or t["reassembly_ooo"] == 0 or conns - app_memcap < 0.9 * conns:
        errs.append("reassembly_evicted %d, app_layer.memcap %d of %d connections, reassembly_ooo %d" % (
            ev, app_memcap, conns, t["reassembly_ooo"]))
    fig = "connections %d, reassembly_evicted %d, app_layer.memcap %d (connections not reassembled), reassembly_ooo %d, segment_memcap_drop %d, gaps %d" % (
        conns, ev, app_memcap, t["reassembly_ooo"], t["segment_memcap_drop"], t["reassembly_gap"])
print("%s; caps: flow %.1f, stream %.1f, defrag %.1f, queues %.1f, capture %.1f MiB of %.1f" % (
    fig, m["flow"]["cap"] / 2**20, m["stream"]["cap"] / 2**20, m["defrag"]["cap"] / 2**20,
    m["queues"] / 2**20, m["capture"] / 2**20, m["budget"] / 2**20))
if errs:
    print("; ".join(errs)); sys.exit(1)
PY
}

# flood KIND N [NETSCOPE ARGS...]: generate, run under /usr/bin/time, check
flood() {
    local kind=$1 n=$2; shift 2
    local dir=$work/$kind pcap=$work/$kind.pcap
    mkdir -p "$dir"
    "$gen" "$kind" "$n" "$pcap" || { bad "$kind: generator failed"; return; }
    local npk=$n
    [ "$kind" = stream ] && npk=$(( n / 4 * 4 ))
    /usr/bin/time -f "%M" -o "$dir/rss" "$bin" -r "$pcap" -l "$dir" --threads 2 \
        --types stats,http --set memory.budget=${BUDGET_MB}mb "$@" >"$dir/stdout" 2>"$dir/stderr"
    local rc=$? rss
    rss=$(tail -1 "$dir/rss")
    rm -f "$pcap"
    local fig
    if ! fig=$(check "$dir/eve.json" "$kind" "$npk"); then
        bad "$kind flood: $fig (exit $rc, peak RSS $((rss / 1024)) MiB)"
    elif [ "$rc" != 0 ]; then
        bad "$kind flood: exit status $rc: $(head -3 "$dir/stderr")"
    elif [ "$rss" -gt "$LIMIT_KB" ]; then
        bad "$kind flood: peak RSS $((rss / 1024)) MiB > budget $BUDGET_MB + $MEM_OVERHEAD_MB MiB"
    else
        ok "$kind flood ($npk packets): peak RSS $((rss / 1024)) MiB <= $BUDGET_MB + $MEM_OVERHEAD_MB MiB; $fig"
    fi
}

# --- the fixed overhead ---------------------------------------------------
mkdir -p "$work/base"
/usr/bin/time -f "%M" -o "$work/base/rss" "$bin" -r tests/pcaps/http_curl.pcap -l "$work/base" \
    --threads 2 --types stats,http --set memory.budget=${BUDGET_MB}mb >/dev/null 2>"$work/base/stderr"
base=$(tail -1 "$work/base/rss")
if [ "$base" -le $((MEM_OVERHEAD_MB * 1024)) ]; then
    ok "baseline (24 packets): peak RSS $((base / 1024)) MiB <= allowance $MEM_OVERHEAD_MB MiB"
else
    bad "baseline peak RSS $((base / 1024)) MiB > allowance $MEM_OVERHEAD_MB MiB"
fi
if grep -q "^netscope: memory: budget 64.0 MiB for 2 workers: flow" "$work/base/stderr"; then
    ok "start-up log: $(grep '^netscope: memory:' "$work/base/stderr")"
else
    bad "no memory line at start: $(head -3 "$work/base/stderr")"
fi
# a budget too small for the queues is a config error naming the key
if ! "$bin" -r tests/pcaps/http_curl.pcap -l "$work/base" --threads 2 \
        --set memory.budget=8mb >/dev/null 2>"$work/base/small" &&
   grep -q "memory.budget: 8.0 MiB is too small for the fixed parts" "$work/base/small"; then
    ok "budget of 8 MiB refused: $(head -1 "$work/base/small")"
else
    bad "budget of 8 MiB not refused: $(head -2 "$work/base/small")"
fi

# --- the floods -----------------------------------------------------------
flood flows 2000000
flood frags 200000
flood stream 400000

# control: the same flow flood with no budget (flow tables 128 MiB) must
# break the limit, or the RSS check above proves nothing
mkdir -p "$work/ctl"
"$gen" flows 2000000 "$work/ctl.pcap"
/usr/bin/time -f "%M" -o "$work/ctl/rss" "$bin" -r "$work/ctl.pcap" -l "$work/ctl" --threads 2 \
    --types stats >/dev/null 2>&1
rm -f "$work/ctl.pcap"
crss=$(tail -1 "$work/ctl/rss")
if [ "$crss" -gt "$LIMIT_KB" ]; then
    ok "control: the flow flood without a budget peaks at $((crss / 1024)) MiB > $((LIMIT_KB / 1024)) MiB"
else
    bad "control: without a budget the flow flood stays at $((crss / 1024)) MiB: the check cannot fail"
fi

# --- live: hping3 flood in a namespace of our own ---------------------------
live_flood() {
    [ "$(id -u)" = 0 ] || { echo "pressure: live: skipped: not root"; return; }
    command -v hping3 >/dev/null || { echo "pressure: live: skipped: hping3 not installed"; return; }
    if ! netns_pair "$ns_a" vpress-a "" "$ns_b" vpress-b "" 2>"$work/netns.err"; then
        echo "pressure: live: skipped: $(head -1 "$work/netns.err")"; return
    fi
    if ! netns_up "$ns_a" vpress-a 10.251.0.1/30 || ! netns_up "$ns_b" vpress-b 10.251.0.2/30; then
        bad "live: cannot set up the veth pair"; return
    fi
    local dir=$work/live
    mkdir -p "$dir"
    # 256 KiB blocks: the capture share of 64 MiB holds whole blocks
    ip netns exec "$ns_a" /usr/bin/time -f "%M" -o "$dir/rss" "$bin" -i vpress-a -l "$dir" \
        --threads 2 --types stats --duration 7 --set memory.budget=${BUDGET_MB}mb \
        --set live.block-size=256kb --set live.fanout-group=$(( $$ % 60000 + 1000 )) \
        >"$dir/stdout" 2>"$dir/stderr" &
    local cap=$!
    pids+=("$cap")
    sleep 1.5
    ip netns exec "$ns_b" timeout 4 hping3 --flood --rand-source -S -p 80 -q 10.251.0.1 \
        >"$dir/hping.out" 2>&1
    wait "$cap"
    local rc=$? rss fig
    rss=$(tail -1 "$dir/rss")
    if ! fig=$(check "$dir/eve.json" flows 0 live); then
        bad "live hping3 flood: $fig (exit $rc, peak RSS $((rss / 1024)) MiB; $(tail -2 "$dir/stderr"))"
    elif [ "$rc" != 0 ]; then
        bad "live hping3 flood: exit status $rc: $(tail -3 "$dir/stderr")"
    elif [ "$rss" -gt "$LIMIT_KB" ]; then
        bad "live hping3 flood: peak RSS $((rss / 1024)) MiB > $((LIMIT_KB / 1024)) MiB"
    else
        ok "live hping3 flood: peak RSS $((rss / 1024)) MiB <= $BUDGET_MB + $MEM_OVERHEAD_MB MiB; $fig; $(grep -o '[0-9]* packets read[^;]*' "$dir/stderr" | tail -1)"
    fi
}
live_flood

printf 'pressure: %d passed, %d failed (%.1f s)\n' "$pass" "$fail" \
    "$(awk -v a="$t_start" -v b="$EPOCHREALTIME" "BEGIN { print b - a }")"
[ "$fail" = 0 ]
