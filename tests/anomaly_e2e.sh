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
#   the server's veth takes a new MAC and arping announces it (gratuitous
#   request, then reply): 10.99.0.2 changed MAC                 sid 9
# then build/netscope reads the capture and each sid must be in eve.json,
# sid 9 with the old and the new MAC; the final stats record must count
# every alert written (output.alert, anomaly.alert.<detector>), and so
# must the exit summary.  With --threads 1 the vertical scan's alert must
# come before the first flow ended at shutdown (the closed flows reached
# the detectors when they closed, not at the end); with --types alert,stats
# (no flow records) sids 1-4 and 8 must still fire.
# A second capture: ping every 0.1 s for 15 s, an hping3 UDP burst (3000
# packets in 0.3 s), 5 s more ping; read with --rollup-interval 1 and
# anomaly.spike-warmup 8, sid 10 must fire at the burst's interval and
# never before it.
# Then every capture in tests/pcaps (and BENCH_PCAP when it exists) must
# raise no gid 9000 alert: the false-positive count is printed.
#
# Usage: sudo tests/anomaly_e2e.sh [build/netscope]
# Needs (make deps): iproute2 tcpdump nmap hping3 dnsmasq-base bind9-dnsutils
#                    openssh-server openssh-client iputils-arping
#                    iputils-ping python3
set -euo pipefail
export LC_ALL=C
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/netns.sh"
BIN=$(realpath "${1:-$HERE/../build/netscope}")
BENCH_PCAP=${BENCH_PCAP:-/root/bench/bench-pcap/bench_100M.pcap}
NS_C=ns_an_cli_$$
NS_S=ns_an_srv_$$
CLI4=10.99.0.1 SRV4=10.99.0.2 CLI6=fd99::1 SRV6=fd99::2

die() { echo "anomaly_e2e: $*" >&2; exit 1; }
log() { echo "== $(date +%T) $*"; }
[ "$(id -u)" = 0 ] || die "run as root (needs ip netns)"
for t in ip tcpdump nmap hping3 dnsmasq dig ssh ssh-keygen arping ping python3; do
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
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
    netns_del "$NS_C" "$NS_S"
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

C() { ip netns exec "$NS_C" "$@"; }
S() { ip netns exec "$NS_S" "$@"; }
bg() { local ns=$1; shift; ip netns exec "$ns" "$@" & PIDS+=($!); }

log "namespaces $NS_C / $NS_S"
netns_pair -6 "$NS_C" an_cli 02:98:00:00:00:01 "$NS_S" an_srv 02:98:00:00:00:02
netns_up "$NS_C" an_cli "$CLI4/24" "$CLI6/64"
netns_up "$NS_S" an_srv "$SRV4/24" "$SRV6/64"
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
log "arp: the server's address moves to a new MAC"
# the client learnt 02:98:00:00:00:02 for the server above
ip -n "$NS_S" link set dev an_srv address 02:98:00:00:00:66
S arping -q -U -c 2 -I an_srv "$SRV4" || true
S arping -q -A -c 2 -I an_srv "$SRV4" || true
sleep 1
kill -INT "$CAP_PID"
wait "$CAP_PID" 2>/dev/null || true
CAP_PID=""
[ -n "${KEEP_PCAP:-}" ] && cp "$TMP/attack.pcap" "$KEEP_PCAP"

log "capture: slow ping, then a burst (traffic spike)"
ip netns exec "$NS_C" tcpdump -q -U -n --immediate-mode -Z root -i an_cli -w "$TMP/spike.pcap" 2>/dev/null &
CAP_PID=$!
sleep 1
C ping -q -i 0.1 -c 200 "$SRV4" >/dev/null &
PING_PID=$!
sleep 15
C hping3 -q --udp -p 9 -c 3000 -i u100 "$SRV4" >/dev/null 2>&1 || true
wait "$PING_PID" || true
sleep 1
kill -INT "$CAP_PID"
wait "$CAP_PID" 2>/dev/null || true
CAP_PID=""

log "netscope on the attack capture"
mkdir -p "$TMP/out"
"$BIN" -r "$TMP/attack.pcap" -l "$TMP/out" >/dev/null 2>"$TMP/out/stderr"
fail=0
for sid in 1 2 3 4 5 6 7 8 9; do
    n=$(grep -c "\"gid\":9000,\"signature_id\":$sid," "$TMP/out/eve.json" || true)
    echo "sid $sid: $n alert(s)"
    [ "$n" -ge 1 ] || { echo "FAIL: sid $sid did not fire"; fail=1; }
done
grep '"gid":9000' "$TMP/out/eve.json" | cut -c1-400 | head -20
# sid 9's evidence: the old binding first, then the new MAC
python3 - "$TMP/out/eve.json" <<'PYEOF' || fail=1
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
arp = [r for r in recs if r.get("event_type") == "alert" and r["alert"]["gid"] == 9000
       and r["alert"]["signature_id"] == 9]
ok = any(r.get("src_ip") == "10.99.0.2" and
         r["anomaly"].get("macs", [])[:2] == ["02:98:00:00:00:02", "02:98:00:00:00:66"]
         for r in arp)
print("sid 9 evidence:", [(r.get("src_ip"), r["anomaly"].get("macs")) for r in arp])
if not ok:
    print("FAIL: no sid 9 alert for 10.99.0.2 with macs [old, new]")
    sys.exit(1)
PYEOF
log "counting: the final stats record and the exit summary count every alert"
python3 - "$TMP/out/eve.json" "$TMP/out/stderr" <<'PYEOF' || fail=1
import json, re, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
alerts = [r for r in recs if r.get("event_type") == "alert"]
det = {}
for r in alerts:
    if r["alert"]["gid"] == 9000:
        d = r["anomaly"]["detector"]
        det[d] = det.get(d, 0) + 1
final = [r for r in recs if r.get("event_type") == "stats"][-1]["stats"]
an = final["anomaly"]
print("alerts written %d (detectors %s); final stats: output.alert %d, anomaly %s"
      % (len(alerts), det, final["output"]["alert"], json.dumps(an)))
bad = []
if final["output"]["alert"] != len(alerts):
    bad.append("output.alert %d != %d alert records" % (final["output"]["alert"], len(alerts)))
for d, n in an["alert"].items():
    if n != det.get(d, 0):
        bad.append("anomaly.alert.%s %d != %d written" % (d, n, det.get(d, 0)))
if an["arp_records"] < 2 or an["flow_records"] < 1:
    bad.append("anomaly.arp_records %d, flow_records %d: records missing"
               % (an["arp_records"], an["flow_records"]))
m = re.search(r"; (\d+) alerts", open(sys.argv[2]).read())
if not m or int(m.group(1)) != len(alerts):
    bad.append("exit summary says %s alerts, %d written" % (m and m.group(1), len(alerts)))
for b in bad:
    print("FAIL:", b)
sys.exit(1 if bad else 0)
PYEOF

log "timeliness: closed flows reach the detectors when they close"
mkdir -p "$TMP/t1"
"$BIN" -r "$TMP/attack.pcap" -l "$TMP/t1" --threads 1 >/dev/null 2>&1
python3 - "$TMP/t1/eve.json" <<'PYEOF' || fail=1
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
vs = [i for i, r in enumerate(recs) if r.get("event_type") == "alert"
      and r["alert"]["gid"] == 9000 and r["alert"]["signature_id"] == 2]
sd = [i for i, r in enumerate(recs) if r.get("event_type") == "flow"
      and r["flow"].get("reason") == "shutdown"]
print("first vertical-scan alert: record %s; first flow ended at shutdown: record %s"
      % (vs[:1], sd[:1]))
if not vs or not sd or vs[0] > sd[0]:
    print("FAIL: the scan's alert waited for the end of the capture")
    sys.exit(1)
PYEOF
log "no flow records (--types alert,stats): the flow detectors still see flows"
mkdir -p "$TMP/nf"
"$BIN" -r "$TMP/attack.pcap" -l "$TMP/nf" --types alert,stats >/dev/null 2>&1
for sid in 1 2 3 4 8; do
    n=$(grep -c "\"gid\":9000,\"signature_id\":$sid," "$TMP/nf/eve.json" || true)
    echo "sid $sid without flow records: $n alert(s)"
    [ "$n" -ge 1 ] || { echo "FAIL: sid $sid did not fire without flow records"; fail=1; }
done

log "netscope on the spike capture (--rollup-interval 1, spike-warmup 8)"
mkdir -p "$TMP/sp"
"$BIN" -r "$TMP/spike.pcap" -l "$TMP/sp" --rollup-interval 1 \
    --set anomaly.spike-warmup=8 >/dev/null 2>&1
python3 - "$TMP/sp/eve.json" <<'PYEOF' || fail=1
import json, sys
from datetime import datetime
def ts(s):
    return datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()
recs = [json.loads(l) for l in open(sys.argv[1])]
burst = [ts(r["flow"]["start"]) for r in recs if r.get("event_type") == "flow"
         and r.get("proto") == "UDP" and r.get("dest_port") == 9]
first = min(ts(r["flow"]["start"]) for r in recs if r.get("event_type") == "flow")
sp = [r for r in recs if r.get("event_type") == "alert" and r["alert"]["gid"] == 9000
      and r["alert"]["signature_id"] == 10]
if not burst:
    print("FAIL: no burst in the spike capture")
    sys.exit(1)
b = min(burst)
print("burst at +%.1f s (%d UDP flows); sid 10 alerts at %s" % (
    b - first, len(burst),
    ["+%.1f s %s value %s mean %.1f" % (ts(r["timestamp"]) - first, r["anomaly"].get("series"),
                                         r["anomaly"].get("value"), r["anomaly"].get("mean", 0))
     for r in sp]))
bad = []
if not sp:
    bad.append("sid 10 did not fire")
elif min(ts(r["timestamp"]) for r in sp) > b + 2:
    bad.append("sid 10 fired late")
early = [r for r in sp if ts(r["timestamp"]) < b]
if early:
    bad.append("%d sid 10 alert(s) before the burst" % len(early))
for x in bad:
    print("FAIL:", x)
sys.exit(1 if bad else 0)
PYEOF

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
