#!/usr/bin/env bash
# live.sh BINARY: end-to-end tests of live capture (netscope -i).
#
# Two network namespaces made here, joined by a veth pair: NetScope captures
# on one end (ns "cap", veth "vcap"), tcpreplay sends the captures of
# tests/pcaps onto the other (ns "snd", veth "vsnd").  Nothing is sent
# anywhere else.  IPv6 is off in both namespaces and the veth MACs are not
# those of the replayed frames, so the kernel adds no packet of its own
# (no neighbour discovery, no ARP reply, no TCP reset).
#
# The replayed file (mix.pcap) is made here from the Ethernet captures of
# tests/pcaps (DNS, HTTP, TLS, ICMP, a nanosecond file and 802.1Q-tagged
# HTTP), one after the other, retimed to one packet per millisecond so that
# the offline run of the same file sees no flow timeout either.
# ipv4_frag.pcap is replayed on its own: with PACKET_FANOUT_FLAG_DEFRAG the
# kernel hands the capture reassembled datagrams, so its packet counts
# legitimately differ from the file's; only its flow records are compared.
#
# Checks (one line each, then "live: N passed, N failed"):
#  a) --threads 1 and 2, 10 copies of mix.pcap at 2000 pps: exit 0 and
#     stats.accounting.read + stats.capture.kernel_drops == packets sent.
#  b) --threads 2: the flow records equal those of `netscope -r mix.pcap
#     --threads 1`, field by field, less the fields that depend on when and
#     where the packets were read (timestamp, flow.start/end/age, flow_id,
#     pcap_filename, in_iface).  Both directions of every flow must reach
#     the same worker for this to hold.  The same for ipv4_frag.pcap.
#  c) a BPF filter: read == what tcpdump passes on the file with the same
#     expression, and the flow records equal the offline run's with it.
#  d) SIGTERM 1 s into an 8 s replay: NetScope stops within 5 s although
#     packets keep coming; exit 0, every line is JSON and passes
#     tests/schema_check.py, a final stats record adds up.
#  e) -w: the live pcap holds `read` packets, the frames replayed; offline
#     -r ... -w writes every packet of the file, or those the filter passes.
#  g) rule reload: --threads 2 -S with tests/rules/reload_a.rules; UDP
#     packets made here (10.250.0.2 -> 10.250.0.1:7000, one source port
#     each, every payload carrying the strings of sid 9000001, in both
#     sets, 9000002, only in set A, and 9000003, only in set B); 1000 with
#     set A, then SIGUSR2 with set B in place, then 14000 at 2000 pps while
#     SIGUSR2 comes 10 more times (sets alternating, and once the rule file
#     gone: that reload fails and the set in use stays).  Every packet read,
#     no kernel drop, every reload reported, one 9000001 alert per packet
#     and exactly one of 9000002/9000003 per packet (each packet is
#     inspected by one set), none of 9000003 before set B was loaded.
#  h) rollups live (--rollup-interval 1): 4 s of ping from $ns_snd to
#     10.250.0.1 (vcap's own address, so the kernel there answers), with
#     --threads 1, with --threads 2 and fanout lb (both workers then see
#     packets of every second) while SIGUSR2 reloads the rules, and with
#     --threads 2 and the default hash fanout (the ping is one flow: one
#     worker stays idle and must close its intervals on its own).  Each:
#     exit 0; non-final intervals are [k s, k+1 s), one record each (not
#     one per worker); the intervals and their packet counts are those of
#     the packets' own timestamps in the run's -w pcap (a packet may count
#     one interval late, at most 2 in all: the crossing stamps of
#     engine/live.h), so a second in which the sender was held up (a
#     loaded machine) is no record rather than a failure; one final
#     record, the last; rollups were in eve.json while capture ran (one a second);
#     summed packets and bytes equal the final stats' decoder.pkts,
#     accounting.decoded and decoder.bytes, and tests/rollup_check.py
#     (per-protocol sums, flows started/ended) passes.
# Skipped (exit 0) when not root or network namespaces are unavailable.
set -uo pipefail
bin=$(realpath "${1:?binary}")
cd "$(dirname "$0")/.."
. tests/netns.sh
export TZ=UTC
t_start=$EPOCHREALTIME

skip() { echo "live: skipped: $*"; exit 0; }
[ "$(id -u)" = 0 ] || skip "not root"
command -v ip >/dev/null || skip "ip (iproute2) not installed"

pass=0 fail=0
ok()  { pass=$((pass + 1)); echo "ok:   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

ns_cap=nslive-cap-$$ ns_snd=nslive-snd-$$
work=$(mktemp -d "${TMPDIR:-/tmp}/netscope-live.XXXXXX")
pids=()
trap 'netns_cleanup "$work" "$ns_cap" "$ns_snd"' EXIT
trap 'exit 130' INT TERM HUP

if ! netns_pair "$ns_cap" vcap 02:5e:00:00:00:01 "$ns_snd" vsnd 02:5e:00:00:00:02 \
        2>"$work/netns.err"; then
    skip "cannot set up the namespaces: $(head -1 "$work/netns.err")"
fi

for tool in tcpreplay tcpdump python3; do
    if ! command -v "$tool" >/dev/null; then
        bad "$tool is not installed (make deps installs it)"
        echo "live: $pass passed, $fail failed"; exit 1
    fi
done

# --- namespaces -----------------------------------------------------------
if ! { netns_up "$ns_cap" vcap 10.250.0.1/30 && netns_up "$ns_snd" vsnd 10.250.0.2/30; } \
        2>"$work/setup.err"; then
    skip "cannot set up the veth pair: $(head -1 "$work/setup.err")"
fi

# --- helpers --------------------------------------------------------------
# mkpcap OUT COPIES IN...: the packets of the IN files, COPIES times over,
# as one microsecond Ethernet pcap, packet i at t0 + i ms.
mkpcap() {
    python3 - "$@" <<'PY'
import struct, sys
out, copies, files = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
frames, t0 = [], None
for f in files:
    d = open(f, "rb").read()
    magic = d[:4]
    e = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    nano = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    assert struct.unpack_from(e + "I", d, 20)[0] == 1, f + ": not Ethernet"
    off = 24
    while off + 16 <= len(d):
        sec, frac, incl, orig = struct.unpack_from(e + "IIII", d, off)
        if t0 is None:
            t0 = sec * 1000000 + (frac // 1000 if nano else frac)
        frames.append((d[off + 16:off + 16 + incl], orig))
        off += 16 + incl
o = bytearray(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
i = 0
for _ in range(copies):
    for data, orig in frames:
        t = t0 + i * 1000
        o += struct.pack("<IIII", t // 1000000, t % 1000000, len(data), orig) + data
        i += 1
open(out, "wb").write(o)
PY
}

# stats EVE -> "read decoded filtered unsupported invalid kernel_packets
# kernel_drops kernel_freezes" of the last stats record (-1 when missing).
stats() {
    python3 -c '
import json, sys
a, c = {}, {}
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r.get("event_type") == "stats":
        a = r["stats"].get("accounting", {}); c = r["stats"].get("capture", {})
print(*[a.get(k, -1) for k in ("read", "decoded", "filtered", "unsupported", "invalid")],
      *[c.get(k, -1) for k in ("kernel_packets", "kernel_drops", "kernel_freezes")])' "$1" 2>/dev/null ||
        echo "-1 -1 -1 -1 -1 -1 -1 -1"
}

# flows EVE: the flow records, sorted canonical JSON, less the fields that
# depend on when and on which interface or file the packets were read.
flows() {
    python3 -c '
import json, sys
out = []
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r.get("event_type") != "flow":
        continue
    for k in ("timestamp", "flow_id", "pcap_filename", "in_iface"):
        r.pop(k, None)
    for k in ("start", "end", "age"):
        r.get("flow", {}).pop(k, None)
    out.append(json.dumps(r, sort_keys=True))
print("\n".join(sorted(out)))' "$1"
}

# frames PCAP: one line per packet, the frame in hex, sorted.
frames() {
    python3 -c '
import struct, sys
d = open(sys.argv[1], "rb").read()
e = "<" if d[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
off, out = 24, []
while off + 16 <= len(d):
    incl = struct.unpack_from(e + "I", d, off + 8)[0]
    out.append(d[off + 16:off + 16 + incl].hex())
    off += 16 + incl
print("\n".join(sorted(out)))' "$1"
}

tdcount() { # tdcount PCAP [EXPR]: packets tcpdump reads (and passes)
    local f=$1; shift
    tcpdump -nr "$f" "$@" 2>/dev/null | wc -l
}

# live_start NAME ARGS...: netscope -i vcap -l $work/NAME ARGS... in the
# capture namespace, in the background; returns once it is ready (eve.json
# created, then 1 s for the sockets).  Sets live_pid.
live_start() {
    local name=$1 i; shift
    mkdir -p "$work/$name"
    ip netns exec "$ns_cap" "$bin" -i vcap -l "$work/$name" "$@" \
        >"$work/$name/stdout" 2>"$work/$name/stderr" &
    live_pid=$!
    pids+=("$live_pid")
    for i in $(seq 50); do
        [ -e "$work/$name/eve.json" ] && break
        kill -0 "$live_pid" 2>/dev/null || break
        sleep 0.1
    done
    sleep 1
}

# live_stop NAME [SECONDS]: SIGTERM, then wait at most SECONDS (default
# 15) for the exit; sets stop_s to how long it took.  The exit status goes
# to $work/NAME/rc; if it is still running, live_wait does the rest.
live_stop() {
    local name=$1 max=${2:-15} t0=${EPOCHREALTIME/./}
    kill -TERM "$live_pid" 2>/dev/null
    while kill -0 "$live_pid" 2>/dev/null && [ $((${EPOCHREALTIME/./} - t0)) -lt $((max * 1000000)) ]; do
        sleep 0.05
    done
    stop_s=$(( (${EPOCHREALTIME/./} - t0) / 100000 )); stop_s=$((stop_s / 10)).$((stop_s % 10))
    kill -0 "$live_pid" 2>/dev/null || live_wait "$name" 0
}
# live_wait NAME SECONDS: wait for the exit, SIGKILL after SECONDS
# ($work/NAME/rc: "killed").
live_wait() {
    local name=$1 t0=${EPOCHREALTIME/./}
    while kill -0 "$live_pid" 2>/dev/null && [ $((${EPOCHREALTIME/./} - t0)) -lt $(($2 * 1000000)) ]; do
        sleep 0.05
    done
    if kill -0 "$live_pid" 2>/dev/null; then
        kill -KILL "$live_pid" 2>/dev/null
        wait "$live_pid" 2>/dev/null
        echo killed > "$work/$name/rc"
    else
        wait "$live_pid"
        echo $? > "$work/$name/rc"
    fi
}

# replay NAME ARGS...: tcpreplay ARGS on vsnd; prints the packets sent.
replay() {
    local name=$1; shift
    ip netns exec "$ns_snd" tcpreplay -i vsnd "$@" >"$work/$name/tcpreplay.out" 2>&1
    sed -n 's/^Actual: \([0-9]*\) packets.*/\1/p' "$work/$name/tcpreplay.out" | tail -1
}

# live NAME PCAP REPLAYARGS -- NETSCOPEARGS: a whole run; sets $sent.
live() {
    local name=$1 pcap=$2 rargs=() nargs=()
    shift 2
    while [ $# -gt 0 ] && [ "$1" != -- ]; do rargs+=("$1"); shift; done
    shift
    nargs=("$@")
    live_start "$name" "${nargs[@]}"
    sent=$(replay "$name" "${rargs[@]}" "$pcap")
    sleep 1
    live_stop "$name"
    [ -e "$work/$name/rc" ] || live_wait "$name" 0
    echo "${sent:-0}" > "$work/$name/sent"
}

info() { # info NAME: what a failure message shows about a run
    echo "exit $(cat "$work/$1/rc" 2>/dev/null); $(grep -h '^netscope: loss:' "$work/$1/stderr" | head -1)" \
         "$(grep -v '^netscope: loss:' "$work/$1/stderr" | tail -2 | tr '\n' ' ')"
}

# --- input ----------------------------------------------------------------
inputs=()
for f in dns_dig http_curl tls_openssl icmp_ping nanosecond vlan_http; do
    [ -f "tests/pcaps/$f.pcap" ] && inputs+=("tests/pcaps/$f.pcap")
done
mix=$work/mix.pcap mix10=$work/mix10.pcap
mkpcap "$mix" 1 "${inputs[@]}" && mkpcap "$mix10" 10 "${inputs[@]}" || {
    bad "cannot build the replay file from tests/pcaps"; echo "live: $pass passed, $fail failed"; exit 1; }
n_mix=$(tdcount "$mix") n_mix10=$(tdcount "$mix10")
echo "live: replaying $n_mix packets (${inputs[*]##*/}) from $ns_snd/vsnd to $ns_cap/vcap"
rate=2000
# Not port 80: the kernel takes the 802.1Q tag off before the socket filter
# runs, so live 'tcp port 80' also passes vlan_http's tagged frames, which
# tcpdump -r on the file (tag in place) does not.  tcpdump -i does the same.
filter='tcp port 443 or udp port 53'

# --- a) every packet sent is read or counted as a kernel drop -------------
for t in 1 2; do
    live "a$t" "$mix10" --pps=$rate -- --threads $t
    read -r rd dec filt uns inv kp kd kf < <(stats "$work/a$t/eve.json")
    if [ "$(cat "$work/a$t/rc")" = 0 ] && [ "$sent" = "$n_mix10" ] && [ $((rd + kd)) = "$sent" ] && [ "$rd" -gt 0 ]; then
        ok "a) --threads $t: $sent sent at $rate pps = $rd read + $kd kernel drops"
    else
        bad "a) --threads $t: sent $sent (file: $n_mix10), read $rd + kernel_drops $kd (kernel_packets $kp, freezes $kf); $(info "a$t")"
    fi
done

# --- b) live flow records == offline flow records ------------------------
live b "$mix" --pps=$rate -- --threads 2
mkdir -p "$work/b_off"
"$bin" -r "$mix" --threads 1 -l "$work/b_off" >/dev/null 2>"$work/b_off/stderr"
flows "$work/b/eve.json" > "$work/b.live" 2>"$work/b.err"
flows "$work/b_off/eve.json" > "$work/b.off" 2>>"$work/b.err"
nfl=$(grep -c . "$work/b.off")
read -r rd _ < <(stats "$work/b/eve.json")
if [ "$(cat "$work/b/rc")" = 0 ] && [ "$nfl" -gt 0 ] && cmp -s "$work/b.live" "$work/b.off"; then
    ok "b) --threads 2: the $nfl flow records equal the offline run's"
else
    bad "b) --threads 2: flow records differ from the offline run's (live $(grep -c . "$work/b.live"), offline $nfl, read $rd of $sent sent; $(info b)) $(head -2 "$work/b.err")"
    diff "$work/b.off" "$work/b.live" | head -8
fi

# IPv4 fragments: with PACKET_FANOUT_FLAG_DEFRAG the kernel hands over
# reassembled datagrams, so only the flow records are compared.
if [ -f tests/pcaps/ipv4_frag.pcap ]; then
    mkpcap "$work/frag.pcap" 1 tests/pcaps/ipv4_frag.pcap
    live bf "$work/frag.pcap" --pps=$rate -- --threads 2
    mkdir -p "$work/bf_off"
    "$bin" -r "$work/frag.pcap" --threads 1 -l "$work/bf_off" >/dev/null 2>"$work/bf_off/stderr"
    nfl=$(flows "$work/bf_off/eve.json" | grep -c .)
    if [ "$(cat "$work/bf/rc")" = 0 ] && [ "$nfl" -gt 0 ] && cmp -s <(flows "$work/bf/eve.json") <(flows "$work/bf_off/eve.json"); then
        ok "b) fragments (ipv4_frag.pcap): the $nfl flow records equal the offline run's"
    else
        bad "b) fragments (ipv4_frag.pcap): flow records differ from the offline run's; $(info bf)"
        diff <(flows "$work/bf_off/eve.json") <(flows "$work/bf/eve.json") | head -6
    fi
fi

# --- c) a BPF filter passes what tcpdump passes ---------------------------
live c "$mix" --pps=$rate -- --threads 2 "$filter"
want=$(tdcount "$mix" "$filter")
read -r rd dec filt uns inv kp kd kf < <(stats "$work/c/eve.json")
if [ "$(cat "$work/c/rc")" = 0 ] && [ "$want" -gt 0 ] && [ "$rd" = "$want" ] && [ "$kd" = 0 ]; then
    ok "c) filter '$filter': $rd read, as tcpdump passes"
else
    bad "c) filter '$filter': read $rd (decoded $dec filtered $filt), tcpdump passes $want of $sent sent, kernel_drops $kd; $(info c)"
fi
mkdir -p "$work/c_off"
"$bin" -r "$mix" --threads 1 -l "$work/c_off" "$filter" >/dev/null 2>"$work/c_off/stderr"
if cmp -s <(flows "$work/c/eve.json") <(flows "$work/c_off/eve.json") && [ -s "$work/c_off/eve.json" ]; then
    ok "c) filter '$filter': the flow records equal the offline run's with the filter"
else
    bad "c) filter '$filter': flow records differ from the offline run's with the filter"
    diff <(flows "$work/c_off/eve.json") <(flows "$work/c/eve.json") | head -6
fi

# --- d) SIGTERM in the middle of a replay ---------------------------------
# The replay goes on for about 8 s; SIGTERM comes 1 s into it.  NetScope
# must stop within 5 s although packets keep arriving.
# replay_bg NAME SECONDS: the mix replayed at $rate pps for about SECONDS
# in the background ($rpid, $loops)
replay_bg() {
    loops=$(($2 * rate / n_mix))
    ip netns exec "$ns_snd" tcpreplay -i vsnd --pps=$rate --loop=$loops "$mix" \
        >"$work/$1/tcpreplay.out" 2>&1 &
    rpid=$!
    pids+=("$rpid")
}
live_start d --threads 2
replay_bg d 8
sleep 1
live_stop d 5
if [ -e "$work/d/rc" ]; then
    ok "d) SIGTERM while packets keep coming: stopped in $stop_s s"
else
    bad "d) SIGTERM while packets keep coming: still running $stop_s s after SIGTERM (the replay of $((loops * n_mix)) packets at $rate pps goes on)"
fi
kill -TERM "$rpid" 2>/dev/null; wait "$rpid" 2>/dev/null
[ -e "$work/d/rc" ] || live_wait d 10
read -r rd dec filt uns inv kp kd kf < <(stats "$work/d/eve.json")
if python3 -c '
import json, sys
for i, l in enumerate(open(sys.argv[1]), 1):
    try:
        json.loads(l)
    except ValueError as e:
        sys.exit("line %d: %s" % (i, e))' "$work/d/eve.json" > "$work/d.json" 2>&1 \
   && python3 tests/schema_check.py "$work/d/eve.json" > "$work/d.schema" 2>&1 \
   && [ "$(cat "$work/d/rc")" = 0 ] && [ "$rd" -gt 0 ] && [ "$rd" = $((dec + filt + uns + inv)) ]; then
    ok "d) after SIGTERM: exit 0, $(wc -l < "$work/d/eve.json") valid records, final stats read $rd = $dec + $filt + $uns + $inv"
else
    bad "d) after SIGTERM: $(info d); read $rd decoded $dec filtered $filt unsupported $uns invalid $inv; $(head -c 300 "$work/d.json") $(head -3 "$work/d.schema" | tr '\n' ' ')"
fi

# --- d2) logrotate: eve.json moved away, then SIGHUP, while packets come ---
# NetScope opens a new eve.json; every line in both files is whole, the
# final stats are in the new one and account for every packet read.
live_start d2 --threads 2
replay_bg d2 4
sleep 1.5
mv "$work/d2/eve.json" "$work/d2/eve.json.1"
kill -HUP "$live_pid"
wait "$rpid" 2>/dev/null
sleep 1
live_stop d2
[ -e "$work/d2/rc" ] || live_wait d2 10
read -r rd dec filt uns inv kp kd kf < <(stats "$work/d2/eve.json")
if python3 -c '
import json, sys
n = []
for f in sys.argv[1:]:
    k = 0
    for i, l in enumerate(open(f, "rb"), 1):
        json.loads(l)
        k += 1
    n.append(k)
sys.exit(0 if all(n) else "an empty file: %s" % n)' "$work/d2/eve.json.1" "$work/d2/eve.json" > "$work/d2.json" 2>&1 \
   && grep -q "SIGHUP: opening" "$work/d2/stderr" \
   && [ "$(cat "$work/d2/rc")" = 0 ] && [ "$rd" -gt 0 ] && [ "$rd" = $((dec + filt + uns + inv)) ]; then
    ok "d2) mv eve.json + SIGHUP during a replay: $(wc -l < "$work/d2/eve.json.1") lines in the moved file, $(wc -l < "$work/d2/eve.json") in the new one, all whole; final stats read $rd = $dec + $filt + $uns + $inv"
else
    bad "d2) mv + SIGHUP live: $(info d2); read $rd; $(head -c 300 "$work/d2.json")"
fi

# --- e) -w writes the packets read ----------------------------------------
live e "$mix" --pps=$rate -- --threads 2 -w "$work/e/out.pcap"
read -r rd _ < <(stats "$work/e/eve.json")
got=$( [ -s "$work/e/out.pcap" ] && tdcount "$work/e/out.pcap" || echo none)
if [ "$(cat "$work/e/rc")" = 0 ] && [ "$got" = "$rd" ] && [ "$rd" = "$sent" ]; then
    ok "e) live -w: $got packets written, as read"
else
    bad "e) live -w: $got packets in the pcap, read $rd, sent $sent; $(info e)"
fi
if [ "$got" != none ] && cmp -s <(frames "$work/e/out.pcap") <(frames "$mix"); then
    ok "e) live -w: the frames written are the frames replayed"
else
    bad "e) live -w: the frames written differ from those replayed"
    diff <(frames "$mix") <(frames "$work/e/out.pcap" 2>/dev/null) 2>/dev/null | head -4 | cut -c1-120
fi
mkdir -p "$work/e_off" "$work/e_offf"
"$bin" -r "$mix" --threads 2 -l "$work/e_off" -w "$work/e_off/out.pcap" >/dev/null 2>"$work/e_off/stderr"
rc=$?
got=$( [ -s "$work/e_off/out.pcap" ] && tdcount "$work/e_off/out.pcap" || echo none)
if [ "$rc" = 0 ] && [ "$got" = "$n_mix" ] && cmp -s <(frames "$work/e_off/out.pcap") <(frames "$mix"); then
    ok "e) offline -w: all $got packets written"
else
    bad "e) offline -w: exit $rc, $got packets written of $n_mix: $(tail -1 "$work/e_off/stderr")"
fi
"$bin" -r "$mix" --threads 2 -l "$work/e_offf" -w "$work/e_offf/out.pcap" "$filter" >/dev/null 2>"$work/e_offf/stderr"
rc=$?
got=$( [ -s "$work/e_offf/out.pcap" ] && tdcount "$work/e_offf/out.pcap" || echo none)
want=$(tdcount "$mix" "$filter")
if [ "$rc" = 0 ] && [ "$got" = "$want" ]; then
    ok "e) offline -w with filter '$filter': $got packets written, as tcpdump passes"
else
    bad "e) offline -w with filter '$filter': exit $rc, $got packets written, tcpdump passes $want: $(tail -1 "$work/e_offf/stderr")"
fi

# f) bad situations: no such interface, no privileges, the interface going
#    down and coming back (reported, capture resumes), --user.
mkdir -p "$work/f1" "$work/f2"
ip netns exec "$ns_cap" "$bin" -i nosuch0 -l "$work/f1" >/dev/null 2>"$work/f1/stderr"
rc=$?
if [ "$rc" = 2 ] && grep -q 'afpacket nosuch0: no such interface' "$work/f1/stderr"; then
    ok "f) a missing interface: exit 2, named"
else
    bad "f) a missing interface: exit $rc: $(cat "$work/f1/stderr")"
fi
if command -v setpriv >/dev/null; then
    ip netns exec "$ns_cap" setpriv --reuid=65534 --regid=65534 --clear-groups \
        "$bin" -i vcap -l /tmp >/dev/null 2>"$work/f2/stderr"
    rc=$?
    if [ "$rc" = 2 ] && grep -q 'needs CAP_NET_RAW' "$work/f2/stderr"; then
        ok "f) without privileges: exit 2, says CAP_NET_RAW is needed"
    else
        bad "f) without privileges: exit $rc: $(cat "$work/f2/stderr")"
    fi
fi
live_start f3 --threads 1 --user nobody
chmod 777 "$work/f3"
ip -n "$ns_cap" link set vcap down
sleep 1
ip -n "$ns_cap" link set vcap up
sleep 2
sent=$(replay f3 --pps 2000 "$mix")
sleep 1
live_stop f3
read -r rd dec filt uns inv kd < <(stats "$work/f3/eve.json")
if [ "$(cat "$work/f3/rc")" = 0 ] && grep -q 'vcap: capture: Network is down; waiting' "$work/f3/stderr" \
   && grep -q 'capture resumed' "$work/f3/stderr" && [ "$rd" = "$sent" ]; then
    ok "f) interface down and up under --user nobody: reported, resumed, $rd of $sent read after it"
else
    bad "f) interface down/up: rc $(cat "$work/f3/rc"), read $rd of $sent: $(head -5 "$work/f3/stderr")"
fi

# --- g) SIGUSR2 reloads the rules while packets keep coming -------------
# mkudp OUT FIRST COUNT: UDP packets 10.250.0.2:(1024+i) -> 10.250.0.1:7000
# for i in FIRST..FIRST+COUNT-1, one a millisecond, to a MAC that is not
# vcap's (so the kernel in $ns_cap answers nothing); each payload has the
# strings of the three rules of tests/rules/reload_[ab].rules.
mkudp() {
    python3 - "$@" <<'PY'
import struct, sys
out, first, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff)
    return ~(s + (s >> 16)) & 0xffff
o = bytearray(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
for i in range(first, first + count):
    pl = b"NSRELOAD-BOTH NSRELOAD-ONLYA NSRELOAD-ONLYB seq=%08d\n" % i
    udp = struct.pack("!HHHH", 1024 + i, 7000, 8 + len(pl), 0) + pl
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), i & 0xffff, 0, 64, 17, 0,
                     bytes([10, 250, 0, 2]), bytes([10, 250, 0, 1]))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    fr = bytes.fromhex("025e00000101025e000001020800") + ip + udp
    t = 1700000000000000 + i * 1000
    o += struct.pack("<IIII", t // 1000000, t % 1000000, len(fr), len(fr)) + fr
open(out, "wb").write(o)
PY
}
# wait_log FILE PATTERN N: until FILE has N lines matching PATTERN (10 s at most).
wait_log() {
    local i
    for i in $(seq 200); do
        [ "$(grep -c -- "$2" "$1")" -ge "$3" ] && return 0
        sleep 0.05
    done
    return 1
}
n_g1=1000 n_g2=14000
mkdir -p "$work/g"
mkudp "$work/g1.pcap" 0 $n_g1 && mkudp "$work/g2.pcap" $n_g1 $n_g2
rules=$work/g/current.rules
cp tests/rules/reload_a.rules "$rules"
live_start g --threads 2 -S "$rules" --set detect.cache-dir="$work/g/cache"
sent1=$(replay g --pps=$rate "$work/g1.pcap")
sleep 0.5                    # past the ring's block timeout: all inspected
cp tests/rules/reload_b.rules "$rules.new" && mv "$rules.new" "$rules"
kill -USR2 "$live_pid"
reloads=1 failed=0 reload_err=""
wait_log "$work/g/stderr" 'rules reloaded (generation' 1 || reload_err="first reload not reported"
ip netns exec "$ns_snd" tcpreplay -i vsnd --pps=$rate "$work/g2.pcap" >"$work/g/tcpreplay2.out" 2>&1 &
rpid=$!
pids+=("$rpid")
for k in $(seq 2 11); do
    sleep 0.55
    if [ "$k" = 6 ]; then    # the rule file gone: the reload fails
        rm -f "$rules"
        kill -USR2 "$live_pid"
        failed=1
        wait_log "$work/g/stderr" 'rules reload failed: ' 1 || reload_err="$reload_err; the failed reload not reported"
        continue
    fi
    # set B after an odd number of successful reloads, set A after an even
    if [ $((reloads % 2)) = 1 ]; then next=a; else next=b; fi
    cp "tests/rules/reload_$next.rules" "$rules.new" && mv "$rules.new" "$rules"
    kill -USR2 "$live_pid"
    reloads=$((reloads + 1))
    wait_log "$work/g/stderr" 'rules reloaded (generation' $reloads || reload_err="$reload_err; reload $reloads not reported"
done
wait "$rpid"
sent2=$(sed -n 's/^Actual: \([0-9]*\) packets.*/\1/p' "$work/g/tcpreplay2.out" | tail -1)
sleep 1
live_stop g
sent=$((${sent1:-0} + ${sent2:-0}))
read -r rd dec filt uns inv kp kd kf < <(stats "$work/g/eve.json")
if [ "$(cat "$work/g/rc")" = 0 ] && [ "$sent" = $((n_g1 + n_g2)) ] && [ "$rd" = "$sent" ] && [ "$kd" = 0 ] \
   && [ "$rd" = $((dec + filt + uns + inv)) ]; then
    ok "g) reload: $sent sent at $rate pps = $rd read = $dec + $filt + $uns + $inv, kernel_drops $kd"
else
    bad "g) reload: sent $sent of $((n_g1 + n_g2)), read $rd, kernel_drops $kd; $(info g)"
fi
if [ -z "$reload_err" ] && grep -q "netscope: rules: $reloads reloads done, $failed failed; generation $((reloads + 1))" "$work/g/stderr" \
   && [ "$(grep -c 'rules reloaded (generation' "$work/g/stderr")" = "$reloads" ] \
   && grep -q "rules reload failed: .*current.rules: No such file or directory; keeping the [23] rules loaded at " "$work/g/stderr"; then
    ok "g) reload: $reloads reloads reported, and $failed failed (rule file gone) that kept the set in use"
else
    bad "g) reload: ${reload_err#; }; $(grep -c 'rules reloaded' "$work/g/stderr") reloads reported of $reloads: $(grep -e 'reload failed' -e 'reloads done' "$work/g/stderr" | cut -c1-200 | tr '\n' ' ')"
fi
# per source port (one packet each): the alerts by sid, and the packet time
python3 - "$work/g/eve.json" $n_g1 $((n_g1 + n_g2)) > "$work/g/alerts" 2>&1 <<'PY'
import json, sys
path, n1, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
sids = {}
for l in open(path):
    r = json.loads(l)
    if r.get("event_type") == "alert":
        sids.setdefault(r["src_port"] - 1024, []).append(r["alert"]["signature_id"])
both = sum(s.count(9000001) for s in sids.values())
a = sum(s.count(9000002) for s in sids.values())
b = sum(s.count(9000003) for s in sids.values())
one = sum(1 for i in range(n) if sorted(sids.get(i, [])) in ([9000001, 9000002], [9000001, 9000003]))
early_b = sum(1 for i in range(n1) if 9000003 in sids.get(i, []))
early_a = sum(1 for i in range(n1) if 9000002 in sids.get(i, []))
# how often the set changes along the packets as sent (workers interleave
# near a change, so this can count more changes than reloads, never fewer)
seq = [9000002 in sids.get(i, []) for i in range(n) if sids.get(i)]
switches = sum(1 for x, y in zip(seq, seq[1:]) if x != y)
print(both, a, b, one, early_a, early_b, switches)
PY
read -r g_both g_a g_b g_one g_early_a g_early_b g_sw < "$work/g/alerts"
if [ "${g_both:-x}" = "$sent" ] && [ "$g_one" = "$sent" ] && [ "$g_sw" -ge $((reloads - 2)) ]; then
    ok "g) reload: sid 9000001 (in both sets) alerted $g_both times for $sent packets; each packet raised one of set A's ($g_a) or set B's ($g_b) rule; the set changed $g_sw times along the replay"
else
    bad "g) reload: sid 9000001 alerts $g_both for $sent packets, packets with exactly one of 9000002/9000003: $g_one (A $g_a, B $g_b), set changes $g_sw for $reloads reloads $(head -c 300 "$work/g/alerts")"
fi
if [ "$g_early_a" = "$n_g1" ] && [ "$g_early_b" = 0 ] && [ "$g_b" -gt 0 ] && [ "$g_a" -gt "$n_g1" ]; then
    ok "g) reload: no set B alert before set B was loaded ($n_g1 packets before it: all set A); both sets alerted after"
else
    bad "g) reload: before set B was loaded: $g_early_a of $n_g1 packets alerted set A's rule, $g_early_b set B's; after: A $((g_a - g_early_a)), B $g_b"
fi

# --- h) rollups live ------------------------------------------------------
# rollups_live EVE PCAP: "records final_last aligned unique as_stamped
# packets bytes dec_pkts dec_bytes decoded invalid" of the rollup and last
# stats records (counts of non-final records; 1/0 for the flags).
# as_stamped: the non-final records are the intervals that hold packets
# of PCAP (the same run's -w, kernel timestamps) before the final one, and
# up to every boundary the records count what PCAP holds before it, or at
# most 2 packets fewer (those counted one interval late).
rollups_live() {
    python3 - "$1" "$2" <<'PY' 2>&1
import json, struct, sys
from datetime import datetime
ru, st = [], {}
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r["event_type"] == "rollup":
        ru.append(r["rollup"])
    elif r["event_type"] == "stats":
        st = r["stats"]
t = lambda s: datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()
reg = [r for r in ru if not r["final"]]
starts = [t(r["start"]) for r in reg]
final_last = int(bool(ru) and ru[-1]["final"] and len(ru) == len(reg) + 1)
aligned = int(all(t(r["end"]) - t(r["start"]) == 1.0 and t(r["start"]) % 1 == 0 for r in reg))
unique = int(len(set(starts)) == len(starts) and starts == sorted(starts))
d = open(sys.argv[2], "rb").read()
e = "<" if d[:4] == b"\xd4\xc3\xb2\xa1" else ">"
off, stamped = 24, {}            # second -> packets stamped in it
while off + 16 <= len(d):
    sec, _, incl, _ = struct.unpack_from(e + "IIII", d, off)
    stamped[sec] = stamped.get(sec, 0) + 1
    off += 16 + incl
fin = t(ru[-1]["start"]) if ru else float("inf")
counted = {int(t(r["start"])): r["packets"] for r in ru}
lag, as_stamped = 0, int(sorted(int(s) for s in starts) == sorted(s for s in stamped if s < fin))
for s in sorted(set(stamped) | set(counted)):
    lag += stamped.get(s, 0) - counted.get(s, 0)
    as_stamped &= int(0 <= lag <= 2)
dec, acc = st.get("decoder", {}), st.get("accounting", {})
print(len(reg), final_last, aligned, unique, as_stamped, sum(r["packets"] for r in ru),
      sum(r["bytes"] for r in ru), dec.get("pkts", -1), dec.get("bytes", -1),
      acc.get("decoded", -1), acc.get("invalid", -1))
PY
}
# live_rollups NAME ARGS...: capture with --rollup-interval 1 while
# $ns_snd pings vcap for 4 s; counts the rollups in eve.json 3 s in.
live_rollups() {
    local name=$1
    shift
    live_start "$name" --rollup-interval 1 -w "$work/$name/cap.pcap" "$@"
    ip netns exec "$ns_snd" ping -q -c 20 -i 0.2 10.250.0.1 >"$work/$name/ping.out" 2>&1 &
    local ppid=$!
    pids+=("$ppid")
    sleep 3
    grep -c '"event_type":"rollup"' "$work/$name/eve.json" > "$work/$name/early"
    [ "$name" = h2 ] && kill -USR2 "$live_pid"
    wait "$ppid"
    sleep 0.5
    live_stop "$name"
}
for h in h1 h2 h3; do
    case $h in
    h1) what="--threads 1"; live_rollups h1 --threads 1 ;;
    h2) what="--threads 2, fanout lb, SIGUSR2"
        mkdir -p "$work/h2"
        live_rollups h2 --threads 2 --set live.fanout=lb -S tests/rules/reload_a.rules \
            --set detect.cache-dir="$work/h2/cache" ;;
    h3) what="--threads 2, fanout hash: one worker sees it all, the other closes empty intervals"
        live_rollups h3 --threads 2 ;;
    esac
    read -r n fl al un co rp rb dp db dd di < <(rollups_live "$work/$h/eve.json" "$work/$h/cap.pcap")
    early=$(cat "$work/$h/early")
    what="$h) rollups live ($what)"
    if [ "$(cat "$work/$h/rc")" = 0 ] && [ "${n:-0}" -ge 4 ] && [ "$n" -le 7 ] && [ "$fl$al$un$co" = 1111 ] \
       && [ "$early" -ge 2 ]; then
        ok "$what: $n one-second intervals, one record each, aligned, as the -w pcap's stamps say, then the final one; $early in eve.json 3 s in"
    else
        bad "$what: $n intervals (want 4..7), final last $fl, aligned $al, one per interval $un, as stamped $co, $early rollups 3 s in (want >= 2); $(info $h)"
    fi
    if [ "${rp:-0}" -gt 0 ] && [ "$rp" = "$dp" ] && [ "$rp" = "$dd" ] && [ "$di" = 0 ] && [ "$rb" = "$db" ] \
       && python3 tests/rollup_check.py "$work/$h/eve.json" > "$work/$h/rollup_check" 2>&1; then
        ok "$what: rollups sum to $rp packets, $rb bytes = the final stats' decoder.pkts, decoded, decoder.bytes; rollup_check ok"
    else
        bad "$what: rollups sum to $rp packets, $rb bytes; stats decoder.pkts $dp, decoded $dd, invalid $di, decoder.bytes $db; $(tail -3 "$work/$h/rollup_check" 2>/dev/null | tr '\n' ' ')"
    fi
done
if grep -q 'rules reloaded (generation 2' "$work/h2/stderr"; then
    ok "h) rollups live: the SIGUSR2 reload during h2 was done"
else
    bad "h) rollups live: the SIGUSR2 reload during h2 not reported: $(grep reload "$work/h2/stderr" | head -2)"
fi

echo "live: $(python3 -c "print('%.0f' % ($EPOCHREALTIME - $t_start))") s"
echo "live: $pass passed, $fail failed"
[ "$fail" = 0 ]
