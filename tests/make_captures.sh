#!/usr/bin/env bash
# tests/make_captures.sh: record NetScope's small test captures with real
# tools and write them to tests/pcaps/.
#
# Two network namespaces made here (names carry this shell's PID, so runs
# never collide) are joined by a veth pair:
#     client cap_cli 10.99.0.1/24 fd99::1/64  <->  server cap_srv 10.99.0.2/24 fd99::2/64
# The server runs a Python HTTP server (:80), `openssl s_server` (:443, a
# throwaway self-signed certificate made at run time) and dnsmasq (:53).
# Clients (curl, dig, openssl s_client, ping) run in the client namespace and
# tcpdump/dumpcap capture there.  Traffic only ever goes to addresses inside
# these two namespaces: every client is given a literal address (curl
# --resolve, dig @server), proxies are ignored, and the namespaces have no
# route anywhere else.  Everything started here is stopped, and both
# namespaces deleted, by the EXIT trap on every exit path.
#
# Two link types need kernel features some kernels lack (this project's CI
# VMs have neither 8021q nor ipip).  The script uses the kernel feature when
# it is there and otherwise a small userspace stand-in, so the capture still
# holds real traffic between real stacks:
#   vlan_http.pcap  kernel VLAN subinterfaces, else a userspace 802.1Q trunk:
#                   a tap device in each namespace carries VLAN 42, and a
#                   relay adds/strips the tag on the shared veth.
#   raw_ip.pcap     an ipip tunnel, else a tun device in each namespace joined
#                   by a relay over UDP (a minimal VPN); either way the capture
#                   on the tunnel interface has link type RAW.
#
# Usage: sudo tests/make_captures.sh [OUTDIR]      (default: tests/pcaps)
# Needs: iproute2 tcpdump curl bind9-dnsutils openssl dnsmasq-base
#        iputils-ping python3; ethtool (optional: offloads off);
#        wireshark-common (dumpcap/editcap) for mixed.pcapng, capinfos.
# Re-running makes equivalent files; timestamps, ports, TLS keys and DNS ids
# differ.
set -euo pipefail
export LC_ALL=C
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/netns.sh"
OUT=${1:-$HERE/pcaps}
NS_C=ns_cap_cli_$$
NS_S=ns_cap_srv_$$
CLI_IF=cap_cli
SRV_IF=cap_srv
CLI4=10.99.0.1   SRV4=10.99.0.2
CLI6=fd99::1     SRV6=fd99::2
VLAN_ID=42
VCLI4=10.98.0.1  VSRV4=10.98.0.2
TCLI4=10.97.0.1  TSRV4=10.97.0.2
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)

die() { echo "make_captures: $*" >&2; exit 1; }
log() { echo "== $*"; }

[ "$(id -u)" = 0 ] || die "run as root (needs ip netns)"
for t in ip ss tcpdump curl dig openssl dnsmasq ping; do
    command -v "$t" >/dev/null || die "missing $t (make deps)"
done
[ -n "$PY" ] || die "missing python3"

TMP=$(mktemp -d /tmp/make_captures.XXXXXX)
PIDS=()            # every background process we started
CAP_PID=""

cleanup() {
    set +e
    [ -n "$CAP_PID" ] && kill -INT "$CAP_PID" 2>/dev/null
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    # Children our servers forked (dnsmasq TCP handlers) live in our
    # namespaces only: end them by id.
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
    [ -n "$CAP_PID" ] && wait "$CAP_PID" 2>/dev/null
    netns_del "$NS_C" "$NS_S"
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

C() { ip netns exec "$NS_C" "$@"; }
S() { ip netns exec "$NS_S" "$@"; }

# bg NS COMMAND...: run COMMAND in namespace NS in the background.  A simple
# command put in the background is exec'd by the forked shell, and ip netns
# exec execs COMMAND in turn, so $! is COMMAND's own pid.
bg() { local ns=$1; shift; ip netns exec "$ns" "$@" & PIDS+=($!); }

# wait_for DESCRIPTION COMMAND...: poll (10 s) until COMMAND prints something.
wait_for() {
    local what=$1 i; shift
    for i in $(seq 200); do
        [ -n "$("$@" 2>/dev/null)" ] && return 0
        sleep 0.05
    done
    die "timed out waiting for $what"
}

########################################################################
# Namespaces and links
########################################################################
log "namespaces $NS_C / $NS_S"
# Quiet IPv6 (no DAD or router solicitations), wire-sized frames with
# correct checksums (offloads off: tests/netns.sh).
command -v ethtool >/dev/null || echo "(ethtool not installed: offloads left on)"
netns_pair -6 "$NS_C" "$CLI_IF" 02:99:00:00:00:01 "$NS_S" "$SRV_IF" 02:99:00:00:00:02
netns_up "$NS_C" "$CLI_IF" "$CLI4/24" "$CLI6/64"
netns_up "$NS_S" "$SRV_IF" "$SRV4/24" "$SRV6/64"

########################################################################
# Userspace link helper (used only where the kernel lacks 8021q / ipip)
########################################################################
cat > "$TMP/relay.py" <<'PYEOF'
# relay.py vlan TAPNAME PARENT VID : tap <-> PARENT carrying 802.1Q tag VID
# relay.py udp  TUNNAME LOCAL PEER PORT : tun <-> UDP LOCAL:PORT <-> PEER:PORT
import fcntl, os, select, socket, struct, sys
TUNSETIFF, IFF_TUN, IFF_TAP, IFF_NO_PI = 0x400454ca, 0x0001, 0x0002, 0x1000
SOL_PACKET, PACKET_AUXDATA, TP_STATUS_VLAN_VALID, PACKET_OUTGOING = 263, 8, 0x10, 4
ETH_P_ALL = 0x0003

def open_tun(name, flags):
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH22x", name.encode(), flags | IFF_NO_PI))
    return fd

mode = sys.argv[1]
if mode == "vlan":
    tap = open_tun(sys.argv[2], IFF_TAP)
    parent, vid = sys.argv[3], int(sys.argv[4])
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    s.bind((parent, ETH_P_ALL))
    tag = struct.pack("!HH", 0x8100, vid)
    while True:
        r, _, _ = select.select([tap, s], [], [])
        if tap in r:
            f = os.read(tap, 65536)
            if len(f) >= 14:
                s.send(f[:12] + tag + f[12:])
        if s in r:
            f, anc, _, addr = s.recvmsg(65536, socket.CMSG_SPACE(20))
            if addr[2] == PACKET_OUTGOING or len(f) < 14:
                continue
            tci = None
            for lvl, typ, data in anc:    # the kernel moves a received tag here
                if lvl == SOL_PACKET and typ == PACKET_AUXDATA and len(data) >= 20:
                    st, _, _, _, _, t, _ = struct.unpack("IIIHHHH", data[:20])
                    if st & TP_STATUS_VLAN_VALID:
                        tci = t
            if tci is None and f[12:14] == b"\x81\x00" and len(f) >= 18:
                tci, f = struct.unpack("!H", f[14:16])[0], f[:12] + f[16:]
            if tci is not None and (tci & 0xfff) == vid:
                os.write(tap, f)
else:
    tun = open_tun(sys.argv[2], IFF_TUN)
    local, peer, port = sys.argv[3], sys.argv[4], int(sys.argv[5])
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind((local, port))
    while True:
        r, _, _ = select.select([tun, u], [], [])
        if tun in r:
            u.sendto(os.read(tun, 65536), (peer, port))
        if u in r:
            os.write(tun, u.recv(65536))
PYEOF

########################################################################
# VLAN 42 between the namespaces
########################################################################
VLAN_MODE=kernel
C_VIF="$CLI_IF.$VLAN_ID"
S_VIF="$SRV_IF.$VLAN_ID"
if ! C ip link add link "$CLI_IF" name "$C_VIF" type vlan id "$VLAN_ID" 2>/dev/null; then
    VLAN_MODE=userspace
    C_VIF=cap_v$VLAN_ID
    S_VIF=cap_v$VLAN_ID
    bg "$NS_C" "$PY" "$TMP/relay.py" vlan "$C_VIF" "$CLI_IF" "$VLAN_ID"
    bg "$NS_S" "$PY" "$TMP/relay.py" vlan "$S_VIF" "$SRV_IF" "$VLAN_ID"
    wait_for "tap $C_VIF" ip -n "$NS_C" -o link show dev "$C_VIF"
    wait_for "tap $S_VIF" ip -n "$NS_S" -o link show dev "$S_VIF"
    ip -n "$NS_C" link set "$C_VIF" address 02:98:00:00:00:01
    ip -n "$NS_S" link set "$S_VIF" address 02:98:00:00:00:02
else
    S ip link add link "$SRV_IF" name "$S_VIF" type vlan id "$VLAN_ID"
fi
for ns_if in "$NS_C $C_VIF $VCLI4" "$NS_S $S_VIF $VSRV4"; do
    set -- $ns_if
    ip netns exec "$1" sysctl -qw "net/ipv6/conf/$2/disable_ipv6=1"   # "/": names may hold dots
    ip -n "$1" addr add "$3/24" dev "$2"
    ip -n "$1" link set "$2" up
done
log "VLAN $VLAN_ID: $VLAN_MODE ($C_VIF <-> $S_VIF)"

########################################################################
# IPv4 tunnel between the namespaces (RAW link type)
########################################################################
TUN_MODE=ipip
TUN_IF=cap_tun
if C ip link add "$TUN_IF" type ipip local "$CLI4" remote "$SRV4" 2>/dev/null; then
    S ip link add "$TUN_IF" type ipip local "$SRV4" remote "$CLI4"
else
    TUN_MODE=userspace-udp
    bg "$NS_C" "$PY" "$TMP/relay.py" udp "$TUN_IF" "$CLI4" "$SRV4" 5555
    bg "$NS_S" "$PY" "$TMP/relay.py" udp "$TUN_IF" "$SRV4" "$CLI4" 5555
    wait_for "tun in $NS_C" ip -n "$NS_C" -o link show dev "$TUN_IF"
    wait_for "tun in $NS_S" ip -n "$NS_S" -o link show dev "$TUN_IF"
fi
for ns_a in "$NS_C $TCLI4 $TSRV4" "$NS_S $TSRV4 $TCLI4"; do
    set -- $ns_a
    ip netns exec "$1" sysctl -qw "net/ipv6/conf/$TUN_IF/disable_ipv6=1"
    ip -n "$1" addr add "$2" peer "$3" dev "$TUN_IF"
    ip -n "$1" link set "$TUN_IF" up
done
log "tunnel: $TUN_MODE ($TCLI4 <-> $TSRV4)"

########################################################################
# Servers
########################################################################
log "servers"
mkdir -p "$TMP/www"
cat > "$TMP/www/index.html" <<'EOF'
<!DOCTYPE html>
<html><head><title>NetScope test page</title></head>
<body><p>Hello from the NetScope capture server.</p></body></html>
EOF
bg "$NS_S" "$PY" -m http.server 80 --bind 0.0.0.0 --directory "$TMP/www" >"$TMP/http.log" 2>&1

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
    -subj "/O=NetScope Test/CN=www.example.test" \
    -addext "subjectAltName=DNS:www.example.test,DNS:*.example.test" \
    -keyout "$TMP/key.pem" -out "$TMP/cert.pem" 2>/dev/null
bg "$NS_S" openssl s_server -quiet -accept "$SRV4:443" -cert "$TMP/cert.pem" \
    -key "$TMP/key.pem" -www </dev/null >"$TMP/tls.log" 2>&1

bg "$NS_S" dnsmasq --no-daemon --conf-file=/dev/null --no-resolv --no-hosts \
    --listen-address="$SRV4" --bind-interfaces --port=53 --user=root --group=root \
    --pid-file="$TMP/dnsmasq.pid" --dhcp-leasefile="$TMP/dnsmasq.leases" \
    --address=/example.test/"$SRV4" --address=/example.test/"$SRV6" \
    --mx-host=example.test,mail.example.test,10 \
    --local=/invalid/ >"$TMP/dnsmasq.log" 2>&1

wait_for "http :80" S ss -Hltn 'sport = :80'
wait_for "tls :443" S ss -Hltn 'sport = :443'
wait_for "dns :53/udp" S ss -Hlun 'sport = :53'
wait_for "dns :53/tcp" S ss -Hltn 'sport = :53'

########################################################################
# Capture helpers
########################################################################
mkdir -p "$OUT"

# cap_start OUTFILE READY_TEXT CAPTURE_COMMAND...: start a capture in the
# client namespace and return once it is receiving.
CAP_OUT=""
cap_start() {
    CAP_OUT=$1
    local ready=$2 i; shift 2
    rm -f "$TMP/cap.err" "$TMP/cap.out"
    ip netns exec "$NS_C" "$@" >"$TMP/cap.err" 2>&1 &
    CAP_PID=$!
    for i in $(seq 200); do
        grep -q "$ready" "$TMP/cap.err" 2>/dev/null && { sleep 0.2; return 0; }
        kill -0 "$CAP_PID" 2>/dev/null || { cat "$TMP/cap.err" >&2; die "capture for $CAP_OUT failed"; }
        sleep 0.05
    done
    die "capture for $CAP_OUT not ready"
}

# tcpdump_start FILE [tcpdump options and filter]: -U plus immediate mode, so
# nothing waits in the ring when SIGINT comes.
tcpdump_start() {
    local f=$1; shift
    cap_start "$f" "listening on" tcpdump -n -U --immediate-mode -Z root -w "$TMP/cap.out" "$@"
}

# cap_stop: let the last packets land, stop the capture (SIGINT) and move
# the file into place.
cap_stop() {
    sleep 0.5
    kill -INT "$CAP_PID"
    wait "$CAP_PID" || true
    CAP_PID=""
    [ -s "$TMP/cap.out" ] || { cat "$TMP/cap.err" >&2; die "no capture written for $CAP_OUT"; }
    chmod 644 "$TMP/cap.out"
    mv "$TMP/cap.out" "$OUT/$CAP_OUT"
    printf '   %-18s %s\n' "$CAP_OUT" "$(grep -m1 -E 'packets? captured|^Packets' "$TMP/cap.err" || true)"
}

# Expect an HTTP status from curl (always with --noproxy and literal addresses).
http_get() {
    local want=$1; shift
    local got
    got=$(C curl -s --noproxy '*' -o /dev/null -w '%{http_code}' --max-time 5 "$@")
    [ "$got" = "$want" ] || die "curl $*: status $got, expected $want"
}

dig_q() { C dig @"$SRV4" +tries=1 +time=2 "$@" >"$TMP/dig.out" || die "dig $*"; }

flush_neigh() { ip -n "$NS_C" neigh flush all; ip -n "$NS_S" neigh flush all; }

########################################################################
# The captures
########################################################################
log "captures -> $OUT"

tcpdump_start http_curl.pcap -i "$CLI_IF" 'tcp port 80'
http_get 200 "http://$SRV4/index.html"
http_get 404 "http://$SRV4/missing.html"
cap_stop

tcpdump_start dns_dig.pcap -i "$CLI_IF" 'port 53'
dig_q www.example.test A
grep -q "$SRV4" "$TMP/dig.out" || die "dig A: no answer"
dig_q www.example.test AAAA
dig_q example.test MX
dig_q nosuchhost.invalid A
grep -q NXDOMAIN "$TMP/dig.out" || die "dig: expected NXDOMAIN"
dig_q +tcp api.example.test A
cap_stop

tcpdump_start tls_openssl.pcap -i "$CLI_IF" 'tcp port 443'
http_get 200 -k --tlsv1.2 --tls-max 1.2 --resolve "www.example.test:443:$SRV4" https://www.example.test/
printf 'GET / HTTP/1.0\r\nHost: api.example.test\r\n\r\n' |
    C openssl s_client -quiet -tls1_3 -connect "$SRV4:443" -servername api.example.test \
        >"$TMP/s_client.out" 2>&1 || true
grep -q 'HTTP/1.0 200' "$TMP/s_client.out" || { cat "$TMP/s_client.out" >&2; die "s_client TLS 1.3 failed"; }
cap_stop

flush_neigh
tcpdump_start icmp_ping.pcap -i "$CLI_IF" 'icmp or icmp6 or arp'
C ping -q -c 3 -i 0.2 "$SRV4" >/dev/null
C ping -6 -q -c 3 -i 0.2 "$SRV6" >/dev/null
cap_stop

# Every fragment of an ICMPv4 datagram carries protocol 1; every IPv6
# fragment carries a Fragment header (next header 44) right after the base.
tcpdump_start ipv4_frag.pcap -i "$CLI_IF" 'icmp or (ip6 and ip6[6] == 44)'
C ping -q -c 2 -i 0.2 -s 3000 "$SRV4" >/dev/null
C ping -6 -q -c 2 -i 0.2 -s 3000 "$SRV6" >/dev/null
cap_stop

flush_neigh
tcpdump_start vlan_http.pcap -i "$CLI_IF" 'vlan'
http_get 200 "http://$VSRV4/index.html"
http_get 404 "http://$VSRV4/missing.html"
cap_stop

PCAPNG_TOOL=""
if command -v dumpcap >/dev/null; then
    PCAPNG_TOOL=dumpcap
    cap_start mixed.pcapng "Capturing on" dumpcap -q -i "$CLI_IF" -f 'port 53 or tcp port 80' -w "$TMP/cap.out"
elif command -v editcap >/dev/null; then
    PCAPNG_TOOL="tcpdump + editcap"
    tcpdump_start mixed.pcapng -i "$CLI_IF" 'port 53 or tcp port 80'
fi
if [ -n "$PCAPNG_TOOL" ]; then
    dig_q www.example.test A
    http_get 200 --resolve "www.example.test:80:$SRV4" http://www.example.test/index.html
    dig_q shop.example.test AAAA
    http_get 404 --resolve "shop.example.test:80:$SRV4" http://shop.example.test/cart
    sleep 0.5    # dumpcap's buffer timeout
    cap_stop
    if [ "$PCAPNG_TOOL" != dumpcap ]; then
        editcap -F pcapng "$OUT/mixed.pcapng" "$TMP/conv.pcapng"
        mv "$TMP/conv.pcapng" "$OUT/mixed.pcapng"
    fi
else
    echo "   mixed.pcapng       SKIPPED: needs dumpcap or editcap (wireshark-common); existing file kept"
fi

tcpdump_start nanosecond.pcap --time-stamp-precision=nano -i "$CLI_IF" 'port 53 or icmp'
dig_q www.example.test A
C ping -q -c 2 -i 0.2 "$SRV4" >/dev/null
cap_stop

for t in sll:LINUX_SLL sll2:LINUX_SLL2; do
    tcpdump_start "${t%%:*}.pcap" -i any -y "${t#*:}" 'port 53 or icmp or tcp port 80'
    C ping -q -c 2 -i 0.2 "$SRV4" >/dev/null
    dig_q www.example.test A
    http_get 200 "http://$SRV4/index.html"
    cap_stop
done

tcpdump_start raw_ip.pcap -i "$TUN_IF"
C ping -q -c 2 -i 0.2 "$TSRV4" >/dev/null
http_get 200 "http://$TSRV4/index.html"
cap_stop

# many_hosts.pcap: 40 clients (10.99.0.101-140, extra addresses on the
# client's veth) each fetch the test page over a connection of its own;
# every tenth (110, 120, 130, 140) also sends 100 pings of 400 bytes.  More
# senders than the 16-counter sketches the rollup test gives it, with four
# heavy clients and the server above N/16: top talkers with evictions.
for i in $(seq 101 140); do ip -n "$NS_C" addr add "10.99.0.$i/24" dev "$CLI_IF"; done
tcpdump_start many_hosts.pcap -i "$CLI_IF" 'tcp port 80 or icmp'
for i in $(seq 101 140); do
    http_get 200 --interface "10.99.0.$i" "http://$SRV4/index.html"
    if [ $((i % 10)) = 0 ]; then
        C ping -q -c 100 -i 0.01 -s 400 -I "10.99.0.$i" "$SRV4" >/dev/null
    fi
done
cap_stop
for i in $(seq 101 140); do ip -n "$NS_C" addr del "10.99.0.$i/24" dev "$CLI_IF"; done

########################################################################
# Damaged files, derived from http_curl.pcap
########################################################################
"$PY" - "$OUT" <<'PYEOF'
import os, struct, sys
out = sys.argv[1]
data = open(os.path.join(out, "http_curl.pcap"), "rb").read()
assert data[:4] == b"\xd4\xc3\xb2\xa1", "expected a little-endian microsecond pcap"
# Record offsets.
offs, o = [], 24
while o + 16 <= len(data):
    caplen = struct.unpack_from("<I", data, o + 8)[0]
    offs.append((o, caplen))
    o += 16 + caplen
# truncated.pcap: cut in the middle of the packet data of a record roughly
# halfway through the file (the 4th record: the request of the first GET).
o, caplen = offs[min(3, len(offs) - 1)]
cut = o + 16 + caplen // 2
open(os.path.join(out, "truncated.pcap"), "wb").write(data[:cut])
# corrupt.pcap: a valid file header, then a record header whose caplen and
# len are 0x7fffffff, followed by the bytes of the first real frame.
o0, c0 = offs[0]
ts = data[o0:o0 + 8]
rec = ts + struct.pack("<II", 0x7fffffff, 0x7fffffff)
open(os.path.join(out, "corrupt.pcap"), "wb").write(data[:24] + rec + data[o0 + 16:o0 + 16 + c0])
print("   %-18s cut at byte %d of %d (inside record 4, caplen %d)" % ("truncated.pcap", cut, len(data), caplen))
print("   %-18s header + record claiming caplen 0x7fffffff" % "corrupt.pcap")
PYEOF

########################################################################
# Check what we wrote
########################################################################
log "checking"
status=0
for f in http_curl.pcap dns_dig.pcap tls_openssl.pcap icmp_ping.pcap ipv4_frag.pcap \
         vlan_http.pcap mixed.pcapng nanosecond.pcap sll.pcap sll2.pcap raw_ip.pcap \
         many_hosts.pcap; do
    [ -f "$OUT/$f" ] || continue
    n=$(tcpdump -n -r "$OUT/$f" 2>/dev/null | wc -l)
    lt=$(tcpdump -n -r "$OUT/$f" -c 1 2>&1 >/dev/null | sed -n 's/.*link-type \([^ ]*\).*/\1/p')
    printf '   %-18s %6d bytes %4d packets  %s\n' "$f" "$(stat -c %s "$OUT/$f")" "$n" "$lt"
    [ "$n" -gt 0 ] || { echo "   ^ no packets" >&2; status=1; }
done
for f in truncated.pcap corrupt.pcap; do
    msg=$(tcpdump -n -r "$OUT/$f" 2>&1 >/dev/null | tail -1 || true)
    printf '   %-18s %6d bytes  %s\n' "$f" "$(stat -c %s "$OUT/$f")" "$msg"
done
printf '   total %d bytes\n' "$(cat "$OUT"/*.pcap "$OUT"/*.pcapng 2>/dev/null | wc -c)"
if command -v capinfos >/dev/null; then
    (cd "$OUT" && capinfos -T -t -E -c -s -u -M ./*.pcap ./*.pcapng 2>/dev/null | column -t -s "$(printf '\t')" | sed 's/^/   /') || true
fi
exit $status
