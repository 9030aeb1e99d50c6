#!/usr/bin/env bash
# bench/live.sh: live capture loss of NetScope compared with tcpdump.
#
# Two network namespaces made here, joined by a veth pair; tcpreplay sends
# the benchmark capture from one end (ns "snd", veth "vsnd") at a list of
# rates, at most BENCH_LIVE_LIMIT packets a step, and the other end (ns
# "cap", veth "vcap") is captured at each rate twice: once by
# `tcpdump -i vcap -w /dev/null` and once by `netscope -i vcap --threads N`.
# Nothing is sent anywhere else.
#
# Loss of a run = packets sent (tcpreplay's successful packets) - packets
# received (tcpdump: "packets captured"; netscope: stats.accounting.read),
# shown with the kernel's own drop count (tcpdump: "dropped by kernel";
# netscope: stats.capture.kernel_drops); for netscope the queue and output
# loss of its "netscope: loss:" line must be 0 too.
# The table gives, per step, the rate asked for, the rate tcpreplay achieved
# and the loss of each; then the highest step each got through with zero
# loss, and PASS/FAIL for "netscope sustains >= tcpdump's zero-loss rate".
# The sender is tcpreplay on the same 2 cores, so the top steps measure the
# sender as much as the receivers.  This is a report: exit status 0.
#
# env: BENCH_PCAP         capture to replay (default /root/bench/bench-pcap/bench_100M.pcap)
#      BENCH_LIVE_RATES   steps in packets/s, "top" for --topspeed
#                         (default "50000 100000 200000 300000 400000 500000 top")
#      BENCH_LIVE_LIMIT   packets sent per step (default 200000)
#      BENCH_LIVE_THREADS netscope --threads (default 2)
#      NETSCOPE           binary to measure (default build/netscope)
set -uo pipefail
cd "$(dirname "$0")/.."
. tests/netns.sh

BENCH_PCAP=${BENCH_PCAP:-/root/bench/bench-pcap/bench_100M.pcap}
RATES=${BENCH_LIVE_RATES:-100000 200000 300000 top}
LIMIT=${BENCH_LIVE_LIMIT:-200000}
THREADS=${BENCH_LIVE_THREADS:-2}
NETSCOPE=$(realpath "${NETSCOPE:-build/netscope}" 2>/dev/null || echo "${NETSCOPE:-build/netscope}")
t_start=$EPOCHREALTIME

skip() { echo "== live capture bench: skipped: $*"; exit 0; }
echo "== live capture: tcpdump vs netscope on a veth pair"
[ "$(id -u)" = 0 ] || skip "not root"
for tool in ip tcpreplay tcpdump python3; do
    command -v "$tool" >/dev/null || skip "$tool not installed (make deps)"
done
[ -r "$BENCH_PCAP" ] || skip "no capture at $BENCH_PCAP (make it with ../shared/tools/make_bench_pcap.sh, or set BENCH_PCAP)"
HAVE_NS=1
if [ ! -x "$NETSCOPE" ]; then
    echo "   $NETSCOPE not built: only tcpdump is measured"; HAVE_NS=0
elif ! "$NETSCOPE" --help 2>&1 | grep -q -- '-i'; then
    echo "   $NETSCOPE has no -i (live capture): only tcpdump is measured"; HAVE_NS=0
fi

ns_cap=nsbench-cap-$$ ns_snd=nsbench-snd-$$
work=$(mktemp -d "${TMPDIR:-/tmp}/netscope-livebench.XXXXXX")
pids=()
trap 'netns_cleanup "$work" "$ns_cap" "$ns_snd"' EXIT
trap 'exit 130' INT TERM HUP

{ netns_pair "$ns_cap" vcap 02:5e:00:00:00:01 "$ns_snd" vsnd 02:5e:00:00:00:02 &&
  netns_up "$ns_cap" vcap 10.250.0.1/30 && netns_up "$ns_snd" vsnd 10.250.0.2/30; } 2>"$work/err" ||
    skip "cannot set up the namespaces: $(head -1 "$work/err")"

# Warm the page cache (tcpreplay also preloads each step with -K).
cat "$BENCH_PCAP" > /dev/null

# wait_for FILE PATTERN PID: until FILE matches PATTERN (or exists when
# PATTERN is empty), the process dies, or 5 s.
wait_for() {
    local i
    for i in $(seq 50); do
        if [ -z "$2" ]; then [ -e "$1" ] && return 0
        else grep -q "$2" "$1" 2>/dev/null && return 0; fi
        kill -0 "$3" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

# stop PID: SIGTERM, wait up to 30 s, then SIGKILL; prints the exit status
# ("killed" when it had to be killed).
stop() {
    local i
    kill -TERM "$1" 2>/dev/null
    for i in $(seq 300); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$1" 2>/dev/null; then
        kill -KILL "$1" 2>/dev/null; wait "$1" 2>/dev/null; echo killed
    else
        wait "$1"; echo $?
    fi
}

# replay DIR RATE: tcpreplay onto vsnd; writes DIR/sent and DIR/pps.
replay() {
    local dir=$1 rate=$2 speed
    if [ "$rate" = top ]; then speed=--topspeed; else speed=--pps=$rate; fi
    ip netns exec "$ns_snd" tcpreplay -i vsnd -K "$speed" --limit="$LIMIT" "$BENCH_PCAP" \
        >"$dir/tcpreplay.out" 2>&1
    local ok act
    ok=$(sed -n 's/^[[:space:]]*Successful packets:[[:space:]]*\([0-9]*\).*/\1/p' "$dir/tcpreplay.out" | tail -1)
    act=$(sed -n 's/^Actual: \([0-9]*\) packets.*/\1/p' "$dir/tcpreplay.out" | tail -1)
    echo "${ok:-${act:-0}}" > "$dir/sent"
    sed -n 's/^Rated: .* \([0-9.]*\) pps.*/\1/p' "$dir/tcpreplay.out" | tail -1 | cut -d. -f1 > "$dir/pps"
}

# run_tcpdump STEP RATE: writes "sent pps received kernel_drops" to
# $work/STEP.tcpdump/result.  (Run in this shell, not a subshell, so that
# cleanup knows the pid.)
run_tcpdump() {
    local d=$work/$1.tcpdump p
    mkdir -p "$d"
    ip netns exec "$ns_cap" tcpdump -i vcap -w /dev/null >"$d/stdout" 2>"$d/stderr" &
    p=$!; pids+=("$p")
    wait_for "$d/stderr" "listening on" "$p"
    sleep 0.5
    replay "$d" "$2"
    sleep 1
    stop "$p" > "$d/rc"
    local got drops
    got=$(sed -n 's/^\([0-9]*\) packets\{0,1\} captured.*/\1/p' "$d/stderr")
    drops=$(sed -n 's/^\([0-9]*\) packets\{0,1\} dropped by kernel.*/\1/p' "$d/stderr")
    echo "$(cat "$d/sent") $(cat "$d/pps") ${got:--1} ${drops:--1}" > "$d/result"
}

# ns_read_drops EVE: "read kernel_drops" from netscope's last stats record.
ns_read_drops() {
    python3 -c '
import json, sys
a, c = {}, {}
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r.get("event_type") == "stats":
        a = r["stats"].get("accounting", {}); c = r["stats"].get("capture", {})
print(a.get("read", -1), c.get("kernel_drops", -1))' "$1" 2>/dev/null || echo "-1 -1"
}

# run_netscope STEP RATE: writes "sent pps read kernel_drops queue+output_loss" to
# $work/STEP.netscope/result.
run_netscope() {
    local d=$work/$1.netscope p
    mkdir -p "$d"
    ip netns exec "$ns_cap" "$NETSCOPE" -i vcap --threads "$THREADS" -l "$d" \
        >"$d/stdout" 2>"$d/stderr" &
    p=$!; pids+=("$p")
    wait_for "$d/eve.json" "" "$p"
    sleep 1
    replay "$d" "$2"
    sleep 1
    stop "$p" > "$d/rc"
    local st
    st=$(ns_read_drops "$d/eve.json")
    # "netscope: loss: kernel K of N packets (P %), freezes F; queues Q; output O records"
    local other
    other=$(sed -n 's/^netscope: loss:.*queues \([0-9]*\).*output \([0-9]*\).*/\1 \2/p' "$d/stderr" | head -1)
    if [[ $other =~ ^([0-9]+)\ ([0-9]+)$ ]]; then
        other=$((BASH_REMATCH[1] + BASH_REMATCH[2]))
    else
        other=-1
    fi
    echo "$(cat "$d/sent") $(cat "$d/pps") $st $other" > "$d/result"
}

fmt='%-7s | %7s %8s %8s %6s %6s | %7s %8s %8s %6s %6s\n'
echo
printf "$fmt" "" "tcpdump" "" "" "" "" "netscope" "" "" "" ""
printf "$fmt" step sent "sent/s" got kdrops loss sent "sent/s" read kdrops loss
td_best=none ns_best=none td_best_pps=0 ns_best_pps=0 i=0
td_idx=-1 ns_idx=-1 td_broken=0 ns_broken=0
for rate in $RATES; do
    run_tcpdump "$i" "$rate"
    read -r td_sent td_pps td_got td_drops < "$work/$i.tcpdump/result"
    td_loss=$((td_sent - td_got))
    [ "$td_got" -lt 0 ] && td_loss=?
    if [ "$td_loss" = 0 ] && [ "$td_drops" = 0 ] && [ "$td_broken" = 0 ]; then
        td_best=$rate td_best_pps=$td_pps td_idx=$i
    else td_broken=1; fi
    ns_sent=- ns_pps=- ns_read=- ns_drops=- ns_loss=-
    if [ "$HAVE_NS" = 1 ]; then
        run_netscope "$i" "$rate"
        read -r ns_sent ns_pps ns_read ns_drops ns_other < "$work/$i.netscope/result"
        ns_loss=$((ns_sent - ns_read))
        [ "$ns_read" -lt 0 ] && ns_loss=?
        if [ "$ns_loss" = 0 ] && [ "$ns_drops" = 0 ] && [ "$ns_other" = 0 ] && [ "$ns_broken" = 0 ]; then
            ns_best=$rate ns_best_pps=$ns_pps ns_idx=$i
        else ns_broken=1; fi
    fi
    printf "$fmt" "$rate" "$td_sent" "$td_pps" "$td_got" "$td_drops" "$td_loss" \
        "$ns_sent" "$ns_pps" "$ns_read" "$ns_drops" "$ns_loss"
    i=$((i + 1))
done
if [ "$HAVE_NS" = 1 ]; then
    echo
    i=0
    for rate in $RATES; do
        d=$work/$i.netscope
        echo "netscope at $rate (exit $(cat "$d/rc")): $(grep -h '^netscope: loss:' "$d/stderr" | head -1)"
        [ "$(cat "$d/rc")" = 0 ] || tail -2 "$d/stderr" | sed 's/^/    /'
        i=$((i + 1))
    done
fi
echo
echo "tcpdump  zero loss up to step: $td_best (achieved $td_best_pps pps)"
if [ "$HAVE_NS" = 1 ]; then
    echo "netscope zero loss up to step: $ns_best (achieved $ns_best_pps pps), --threads $THREADS"
    if [ "$ns_idx" -ge "$td_idx" ]; then
        echo "PASS netscope sustains >= tcpdump's zero-loss rate"
    else
        echo "FAIL netscope sustains >= tcpdump's zero-loss rate"
    fi
fi
# A second sender: trafgen (netsniff-ng) writes synthetic frames through its
# own TX ring, about four times faster than tcpreplay here, so the receivers
# rather than the sender meet their limit.  UDP to port 53 from 7,977
# source ports (one flow each), 142-byte frames, BENCH_LIVE_TG_COUNT
# (default 3,000,000: several times what netscope's default rings hold, so
# the rate is sustained, not buffered) per step.  The frames are for a MAC
# and an address that nobody has, so the capturing side never answers.
TG_RATES=${BENCH_LIVE_TG_RATES:-500000 1000000 top}
TG_COUNT=${BENCH_LIVE_TG_COUNT:-3000000}
if command -v trafgen >/dev/null; then
    cat > "$work/tg.cfg" <<'EOF'
{
  eth(da=02:5e:00:00:00:99, sa=02:5e:00:00:00:02),
  ipv4(saddr=10.250.0.2, daddr=10.250.9.9),
  udp(sp=dinc(1024, 9000), dp=53),
  fill(0x41, 100)
}
EOF
    # tg_send DIR RATE: writes DIR/sent and DIR/pps (achieved)
    tg_send() {
        local dir=$1 rate=$2 args=() t0 t1
        [ "$rate" = top ] || args=(-b "${rate}pps")
        t0=$EPOCHREALTIME
        ip netns exec "$ns_snd" trafgen --dev vsnd --conf "$work/tg.cfg" -n "$TG_COUNT" -P 1 -q -C \
            "${args[@]}" >"$dir/trafgen.out" 2>&1
        t1=$EPOCHREALTIME
        local sent
        sent=$(sed -n 's/^[[:space:]]*\([0-9]*\) packets outgoing.*/\1/p' "$dir/trafgen.out" | tail -1)
        echo "${sent:-0}" > "$dir/sent"
        awk -v n="${sent:-0}" -v a="$t0" -v b="$t1" 'BEGIN { printf "%d\n", n / (b - a) }' > "$dir/pps"
    }
    tg_row() {   # tg_row STEP RATE TOOL: "sent pps got drops"
        local d=$work/tg$1.$3 p
        mkdir -p "$d"
        if [ "$3" = tcpdump ]; then
            ip netns exec "$ns_cap" tcpdump -i vcap -w /dev/null >"$d/stdout" 2>"$d/stderr" &
            p=$!; pids+=("$p")
            wait_for "$d/stderr" "listening on" "$p"
        else
            ip netns exec "$ns_cap" "$NETSCOPE" -i vcap --threads "$THREADS" -l "$d" >"$d/stdout" 2>"$d/stderr" &
            p=$!; pids+=("$p")
            wait_for "$d/eve.json" "" "$p"
        fi
        sleep 1
        tg_send "$d" "$2"
        sleep 1
        stop "$p" > "$d/rc"
        local got drops
        if [ "$3" = tcpdump ]; then
            got=$(sed -n 's/^\([0-9]*\) packets\{0,1\} captured.*/\1/p' "$d/stderr")
            drops=$(sed -n 's/^\([0-9]*\) packets\{0,1\} dropped by kernel.*/\1/p' "$d/stderr")
        else
            read -r got drops < <(ns_read_drops "$d/eve.json")
        fi
        echo "$(cat "$d/sent") $(cat "$d/pps") ${got:--1} ${drops:--1}"
    }
    echo
    echo "== trafgen sender, $TG_COUNT packets a step"
    printf "$fmt" step sent "sent/s" got kdrops loss sent "sent/s" read kdrops loss
    tg_td_best=none tg_ns_best=none tg_td_idx=-1 tg_ns_idx=-1 i=0 tdb=0 nsb=0
    for rate in $TG_RATES; do
        read -r a1 a2 a3 a4 < <(tg_row "$i" "$rate" tcpdump)
        l1=$((a1 - a3))
        if [ "$l1" = 0 ] && [ "$a4" = 0 ] && [ $tdb = 0 ]; then tg_td_best="$rate ($a2 pps)"; tg_td_idx=$i; else tdb=1; fi
        b1=- b2=- b3=- b4=- l2=-
        if [ "$HAVE_NS" = 1 ]; then
            read -r b1 b2 b3 b4 < <(tg_row "$i" "$rate" netscope)
            l2=$((b1 - b3))
            if [ "$l2" = 0 ] && [ "$b4" = 0 ] && [ $nsb = 0 ]; then tg_ns_best="$rate ($b2 pps)"; tg_ns_idx=$i; else nsb=1; fi
        fi
        printf "$fmt" "$rate" "$a1" "$a2" "$a3" "$a4" "$l1" "$b1" "$b2" "$b3" "$b4" "$l2"
        i=$((i + 1))
    done
    echo "tcpdump  zero loss up to step (trafgen): $tg_td_best"
    if [ "$HAVE_NS" = 1 ]; then
        echo "netscope zero loss up to step (trafgen): $tg_ns_best, --threads $THREADS"
        if [ "$tg_ns_idx" -ge "$tg_td_idx" ]; then
            echo "PASS (trafgen) netscope sustains >= tcpdump's zero-loss rate"
        else
            echo "FAIL (trafgen) netscope sustains >= tcpdump's zero-loss rate"
        fi
    fi
else
    echo "== trafgen not installed (netsniff-ng): the faster sender is skipped"
fi
echo "== live capture bench: $(python3 -c "print('%.0f' % ($EPOCHREALTIME - $t_start))") s"
exit 0
