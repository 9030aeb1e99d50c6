#!/usr/bin/env bash
# tests/top.sh BIN: netscope top in a 120x40 tmux pane over a paced capture
# with one rule; the screen must show the rates, protocols, talkers and
# alerts of tests/pcaps/icmp_ping.pcap, and 'q' must end it with status 0.
#
# Then, as root, `netscope top -i` live: two network namespaces made here
# (nstop-a-PID, nstop-b-PID, veth ntva/ntvb, 10.252.0.1-2/30), the view on
# ntva in a's namespace while b pings 10.252.0.1 five times a second.  The
# screen must show a non-zero packet and bit rate, ICMP packets, a talker
# of 10.252.0.0/30 with its bytes and the kernel's packet count; 'q' must
# stop the capture within 3 s with status 0, and -l DIR's eve.json hold
# stats records (one a second) whose last counted what was read, and
# rollup records (one a second) ending in a final one that add up
# (tests/rollup_check.py).  Talkers are counted when flows end (README,
# Rollups), so the ICMP timeouts are set to 0 there: the ping's flow ends
# at every expiry pass (each second) and starts again.
set -u
bin=$(realpath "${1:-build/netscope}")
cd "$(dirname "$0")/.."
. tests/netns.sh
command -v tmux >/dev/null || { echo "top.sh: tmux missing (make deps)"; exit 1; }
work=$(mktemp -d)
sess="nstop$$"
na=nstop-a-$$ nb=nstop-b-$$
cleanup() {
    tmux kill-session -t "$sess" 2>/dev/null
    tmux kill-session -t "${sess}l" 2>/dev/null
    [ -n "${ppid_ping:-}" ] && kill "$ppid_ping" 2>/dev/null
    netns_del "$na" "$nb"
    rm -rf "$work"
}
trap cleanup EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }

tmux new-session -d -s "$sess" -x 120 -y 40 \
    "$bin top -r tests/pcaps/icmp_ping.pcap -S tests/rules/top.rules -l $work --threads 2 2>$work/err; echo \$? > $work/rc; sleep 60"
sleep 2.5
tmux capture-pane -p -t "$sess" > "$work/screen"
grep -q "input ended, final counters" "$work/screen" || bad "no final state"
grep -q "total 16 packets" "$work/screen" || bad "rates: total 16 packets"
grep -Eq "^  ICMP +6 " "$work/screen" || bad "protocols: ICMP 6"
grep -Eq "^  ICMPv6 +8 " "$work/screen" || bad "protocols: ICMPv6 8"
grep -Eq "^  ARP +2 " "$work/screen" || bad "protocols: ARP 2"
grep -Eq "^  10\.99\.0\.1 +294$" "$work/screen" || bad "talkers: 10.99.0.1 294"
grep -q "ALERTS (14 in all" "$work/screen" || bad "alerts: 14 in all"
grep -q "\[9100001\] top test: icmp seen" "$work/screen" || bad "alerts: sid 9100001"
tmux send-keys -t "$sess" q
for _ in $(seq 50); do [ -s "$work/rc" ] && break; sleep 0.1; done
[ "$(cat "$work/rc" 2>/dev/null)" = 0 ] || bad "exit status $(cat "$work/rc" 2>/dev/null) after q"
[ "$(grep -c '"event_type":"alert"' "$work/eve.json" 2>/dev/null)" = 14 ] || bad "-l: 14 alerts in eve.json"
[ $fail = 0 ] || { cat "$work/screen"; cat "$work/err"; }

# --- netscope top -i -----------------------------------------------------
live_fail=0
lbad() { echo "FAIL: live: $*"; fail=1; live_fail=1; }
if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null || ! command -v ping >/dev/null; then
    echo "top.sh: live part skipped (needs root, ip and ping)"
elif ! netns_pair "$na" ntva "" "$nb" ntvb "" 2>/dev/null; then
    echo "top.sh: live part skipped (cannot make the namespaces)"
else
    # no IPv6 (netns_pair): only the ping and its ARP
    netns_up "$na" ntva 10.252.0.1/30 && netns_up "$nb" ntvb 10.252.0.2/30 ||
        lbad "cannot set up the veth pair"
    mkdir -p "$work/live"
    tmux new-session -d -s "${sess}l" -x 120 -y 40 \
        "ip netns exec $na $bin top -i ntva -l $work/live --threads 2 --set flow.timeouts.icmp.new=0 --set flow.timeouts.icmp.established=0 2>$work/live/err; echo \$? > $work/live/rc; sleep 60"
    for _ in $(seq 50); do [ -e "$work/live/eve.json" ] && break; sleep 0.1; done
    sleep 1
    ip netns exec "$nb" ping -q -c 50 -i 0.2 10.252.0.1 >"$work/live/ping" 2>&1 &
    ppid_ping=$!
    # the view updates once a second: up to 8 s for every line to show
    for _ in $(seq 16); do
        sleep 0.5
        tmux capture-pane -p -t "${sess}l" > "$work/live/screen"
        python3 - "$work/live/screen" > "$work/live/seen" <<'PY'
import re, sys
s = open(sys.argv[1]).read()
si = lambda v, u: float(v) * {"": 1, "k": 1e3, "M": 1e6, "G": 1e9}[u]
m = re.search(r"^RATES +([0-9.]+) ?([kMG]?) pkt/s +([0-9.]+) ?([kMG]?)bit/s +total (\d+) packets", s, re.M)
icmp = re.search(r"^  ICMP +(\d+) ", s, re.M)
talk = re.search(r"^  10\.252\.0\.[12] +(\d+)$", s, re.M)
drops = re.search(r"^DROPS +kernel (\d+) of (\d+)", s, re.M)
print("running" if re.search(r"netscope top - interface ntva \(live\) - running", s) else "-",
      "rates" if m and si(m[1], m[2]) > 0 and si(m[3], m[4]) > 0 and int(m[5]) > 0 else "-",
      "icmp" if icmp and int(icmp[1]) > 0 else "-",
      "talker" if talk and int(talk[1]) > 0 else "-",
      "kernel" if drops and int(drops[2]) > 0 else "-")
PY
        [ "$(cat "$work/live/seen")" = "running rates icmp talker kernel" ] && break
    done
    read -r s_run s_rates s_icmp s_talk s_kern < "$work/live/seen"
    [ "$s_run" = running ] || lbad "title: not 'interface ntva (live) - running'"
    [ "$s_rates" = rates ] || lbad "rates: pkt/s, bit/s and total packets not all non-zero"
    [ "$s_icmp" = icmp ] || lbad "protocols: no ICMP packets"
    [ "$s_talk" = talker ] || lbad "talkers: no 10.252.0.x with bytes"
    [ "$s_kern" = kernel ] || lbad "drops: the kernel's packet count is 0"
    sleep 1                      # one more interval, then q while ping still runs
    tmux send-keys -t "${sess}l" q
    for _ in $(seq 30); do [ -s "$work/live/rc" ] && break; sleep 0.1; done
    [ "$(cat "$work/live/rc" 2>/dev/null)" = 0 ] || lbad "exit status '$(cat "$work/live/rc" 2>/dev/null)' within 3 s of q"
    kill "$ppid_ping" 2>/dev/null; wait "$ppid_ping" 2>/dev/null; ppid_ping=
    python3 - "$work/live/eve.json" > "$work/live/eve" 2>&1 <<'PY'
import json, sys
st, ru = [], []
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r["event_type"] == "stats":
        st.append(r["stats"])
    elif r["event_type"] == "rollup":
        ru.append(r["rollup"])
print(len(st), st[-1]["accounting"]["read"] if st else 0, len(ru), int(bool(ru) and ru[-1]["final"]))
PY
    read -r n_st read_st n_ru fin < "$work/live/eve"
    if ! [ "${n_st:-0}" -ge 3 ] 2>/dev/null || ! [ "${read_st:-0}" -gt 0 ] || ! [ "${n_ru:-0}" -ge 2 ] || [ "$fin" != 1 ]; then
        lbad "-l: eve.json has $n_st stats records (last read $read_st), $n_ru rollups (final last: $fin): $(head -c 200 "$work/live/eve")"
    fi
    python3 tests/rollup_check.py "$work/live/eve.json" > "$work/live/rollup_check" 2>&1 ||
        lbad "-l: rollups do not add up: $(tail -2 "$work/live/rollup_check" | tr '\n' ' ')"
    if [ $live_fail = 0 ]; then
        echo "top.sh: live ok: $(cat "$work/live/seen"); q -> exit 0; $n_st stats records (last read $read_st), $n_ru rollups"
    else
        cat "$work/live/screen"; cat "$work/live/err"
    fi
fi
[ $fail = 0 ] && echo "top.sh: ok"
exit $fail
