#!/usr/bin/env bash
# tests/anomaly_e2e.sh: the anomaly detectors (engine/anomaly.h) against
# real attack tools, and against the project's ordinary captures.
#
# Two namespaces made here (names carry this shell's PID) are joined by a
# veth pair, client 10.99.0.1 / fd99::1 <-> server 10.99.0.2 / fd99::2, as
# in tests/make_captures.sh; the client also routes 10.98.0.0/24 through
# the server (which drops it) so a host sweep has somewhere to go.  The
# server runs dnsmasq (:53) and sshd (:22, a throwaway host key).  tcpdump
# records the client's side while the client runs:
#   nmap -sS -p 1-1000 server       vertical scan        sid 2
#   nmap -sT -p 1-200 fd99::2       vertical scan (v6)   sid 2
#   nmap -sS -Pn -p 80 10.98.0.1-60 horizontal scan      sid 1
#   hping3 -S -p 80 (3000, 10k/s)   SYN flood            sid 3
#   hping3 --icmp (3000, 10k/s)     ICMP flood           sid 4
#   dig: 150 long random names      long names, unique subdomains, TXT: sids 5 6 7
#   ssh x15 (no credentials)        brute force          sid 8
# then build/netscope reads the capture and each sid must be in eve.json.
# Then every capture in tests/pcaps (and BENCH_PCAP when it exists) must
# raise no gid 9000 alert: the false-positive count is printed.
#
# Usage: sudo tests/anomaly_e2e.sh [build/netscope]
# Needs (make deps): iproute2 tcpdump nmap hping3 dnsmasq-base bind9-dnsutils
#                    openssh-server openssh-client python3
set -euo pipefail
export LC_ALL=C
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=$(realpath "${1:-$HERE/../build/netscope}")
BENCH_PCAP=${BENCH_PCAP:-/root/bench/bench-pcap/bench_100M.pcap}
NS_C=ns_an_cli_$$
NS_S=ns_an_srv_$$
CLI4=10.99.0.1 SRV4=10.99.0.2 CLI6=fd99::1 SRV6=fd99::2

die() { echo "anomaly_e2e: $*" >&2; exit 1; }
log() { echo "== $(date +%T) $*"; }
[ "$(id -u)" = 0 ] || die "run as root (needs ip netns)"
for t in ip tcpdump nmap hping3 dnsmasq dig ssh ssh-keygen python3; do
    command -v "$t" >/dev/null || die "missing $t (make deps)"
done
[ -x /usr/sbin/sshd ] || die "missing sshd (make deps: openssh-server)"

TMP=$(mktemp -d /tmp/anomaly_e2e.XXXXXX)
PIDS=()
CAP_PID=""
cleanup() {
    set +e
    [ -n "$CAP_PID" ] && kill -INT "$CAP_PID" 2>/dev/null && wait "$CAP_PID" 2>/dev/null
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    for ns in "$NS_C" "$NS_S"; do
        for p in $(ip netns pids "$ns" 2>/dev/null); do kill "$p" 2>/dev/null; done
    done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
    ip netns del "$NS_C" 2>/dev/null
    ip netns del "$NS_S" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

C() { ip netns exec "$NS_C" "$@"; }
S() { ip netns exec "$NS_S" "$@"; }
bg() { local ns=$1; shift; ip netns exec "$ns" "$@" & PIDS+=($!); }

log "namespaces $NS_C / $NS_S"
ip netns add "$NS_C"
ip netns add "$NS_S"
for ns in "$NS_C" "$NS_S"; do
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.accept_dad=0 \
        net.ipv6.conf.all.accept_dad=0
    ip -n "$ns" link set lo up
done
ip link add name an_cli netns "$NS_C" address 02:98:00:00:00:01 type veth \
    peer name an_srv netns "$NS_S" address 02:98:00:00:00:02
ip -n "$NS_C" addr add "$CLI4/24" dev an_cli
ip -n "$NS_S" addr add "$SRV4/24" dev an_srv
ip -n "$NS_C" -6 addr add "$CLI6/64" dev an_cli nodad
ip -n "$NS_S" -6 addr add "$SRV6/64" dev an_srv nodad
ip -n "$NS_C" link set an_cli up
ip -n "$NS_S" link set an_srv up
ip -n "$NS_C" route add 10.98.0.0/24 via "$SRV4"

log "servers: dnsmasq, sshd"
bg "$NS_S" dnsmasq --no-daemon --conf-file=/dev/null --no-resolv --no-hosts \
    --listen-address="$SRV4" --bind-interfaces --port=53 --user=root \
    --address=/tunnel.example/10.0.0.1 --txt-record=tunnel.example,x
ssh-keygen -q -t ed25519 -N '' -f "$TMP/hostkey"
mkdir -p /run/sshd
bg "$NS_S" /usr/sbin/sshd -D -e -f /dev/null -h "$TMP/hostkey" -p 22 \
    -o ListenAddress="$SRV4" -o PidFile=none -o PasswordAuthentication=no \
    -o KbdInteractiveAuthentication=no
sleep 1

log "capture"
ip netns exec "$NS_C" tcpdump -q -U -n --immediate-mode -Z root -i an_cli -w "$TMP/attack.pcap" 2>/dev/null &
CAP_PID=$!
sleep 1

log "nmap: SYN scan, connect scan (IPv6), host sweep"
C nmap -n -Pn -sS -p 1-1000 --max-retries 1 "$SRV4" >/dev/null
C nmap -n -Pn -6 -sT -p 1-200 --max-retries 1 "$SRV6" >/dev/null
C nmap -n -Pn -sS -p 80 --max-retries 0 --host-timeout 5s 10.98.0.1-60 >/dev/null || true
log "hping3: SYN flood, ICMP flood"
C hping3 -q -S -p 80 -c 3000 -i u100 "$SRV4" >/dev/null 2>&1 || true
C hping3 -q --icmp -c 3000 -i u100 "$SRV4" >/dev/null 2>&1 || true
log "dig: long random names under tunnel.example"
python3 - "$TMP/names.txt" <<'PYEOF'
import random, sys
r = random.Random(6)
a = "abcdefghijklmnopqrstuvwxyz0123456789"
with open(sys.argv[1], "w") as f:
    for i in range(150):
        lab = "".join(r.choice(a) for _ in range(60))
        f.write("%s.%s.t.tunnel.example %s\n" % (lab, i, "TXT" if i % 2 else "A"))
PYEOF
C dig @"$SRV4" +tries=1 +time=1 +noall -f "$TMP/names.txt" >/dev/null || true
log "ssh: 15 attempts without credentials"
for i in $(seq 15); do
    C ssh -n -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
        -o ConnectTimeout=3 -o LogLevel=ERROR nobody@"$SRV4" true 2>/dev/null || true
done
sleep 1
kill -INT "$CAP_PID"
wait "$CAP_PID" 2>/dev/null || true
CAP_PID=""
[ -n "${KEEP_PCAP:-}" ] && cp "$TMP/attack.pcap" "$KEEP_PCAP"

log "netscope on the attack capture"
mkdir -p "$TMP/out"
"$BIN" -r "$TMP/attack.pcap" -l "$TMP/out" >/dev/null
fail=0
for sid in 1 2 3 4 5 6 7 8; do
    n=$(grep -c "\"gid\":9000,\"signature_id\":$sid," "$TMP/out/eve.json" || true)
    echo "sid $sid: $n alert(s)"
    [ "$n" -ge 1 ] || { echo "FAIL: sid $sid did not fire"; fail=1; }
done
grep '"gid":9000' "$TMP/out/eve.json" | cut -c1-400 | head -20

log "ordinary captures: no gid 9000 alert"
fp=0
for f in "$HERE"/pcaps/*.pcap "$HERE"/pcaps/*.pcapng ${BENCH_PCAP:+"$BENCH_PCAP"}; do
    [ -f "$f" ] || continue
    rm -rf "$TMP/o" && mkdir -p "$TMP/o"
    "$BIN" -r "$f" -l "$TMP/o" >/dev/null 2>&1 || true
    n=$(grep -c '"gid":9000' "$TMP/o/eve.json" 2>/dev/null || true)
    echo "$(basename "$f"): ${n:-0} false positive(s)"
    fp=$((fp + ${n:-0}))
done
echo "false positives on ordinary captures: $fp"
[ "$fp" -eq 0 ] || fail=1
[ "$fail" -eq 0 ] && echo "anomaly_e2e: OK"
exit "$fail"
