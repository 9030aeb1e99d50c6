#!/usr/bin/env bash
# tests/top.sh BIN: netscope top in a 120x40 tmux pane over a paced capture
# with one rule; the screen must show the rates, protocols, talkers and
# alerts of tests/pcaps/icmp_ping.pcap, and 'q' must end it with status 0.
set -u
bin=${1:-build/netscope}
command -v tmux >/dev/null || { echo "top.sh: tmux missing (make deps)"; exit 1; }
work=$(mktemp -d)
sess="nstop$$"
trap 'tmux kill-session -t "$sess" 2>/dev/null; rm -rf "$work"' EXIT
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
if [ $fail = 0 ]; then echo "top.sh: ok"; else cat "$work/screen"; cat "$work/err"; fi
exit $fail
