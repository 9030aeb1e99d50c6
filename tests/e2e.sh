#!/usr/bin/env bash
# e2e.sh BINARY: end-to-end tests of the netscope binary on the captures in
# tests/pcaps (recorded by tests/make_captures.sh).  For each capture:
#  - it runs with 1, 2 and 4 workers and the sets of records are identical;
#  - every record validates against output/eve.schema.json;
#  - the final stats account for every packet (read = decoded + filtered +
#    unsupported + invalid) and read equals what tcpdump reads from the file;
#  - tests/expected/NAME.expect (if present) holds.
# Then the error paths: truncated and corrupt files, BPF filters, unknown
# link types, bad options and configuration files; signals while reading
# (SIGINT; SIGUSR2, which reloads the rules).
set -uo pipefail
bin=$(realpath "${1:?binary}")
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0 fail=0
ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
export TZ=UTC

# final_stats EVE -> prints "read decoded filtered unsupported invalid"
final_stats() {
    python3 -c '
import json, sys
last = None
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r["event_type"] == "stats":
        last = r["stats"]["accounting"]
a = last or {}
print(a.get("read", -1), a.get("decoded", -1), a.get("filtered", -1), a.get("unsupported", -1), a.get("invalid", -1))' "$1"
}

# canon EVE: the records, sorted, minus the gauges that depend on how
# the memory is split between workers (flow.memuse, flow.spare, and the
# memory.* split: the queues and defrag pools are per worker).
canon() {
    python3 -c '
import json, sys
out = []
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r["event_type"] == "stats":
        for k in ("memuse", "spare"):
            r["stats"]["flow"].pop(k, None)
        r["stats"].pop("memory", None)
    out.append(json.dumps(r, sort_keys=True))
print("\n".join(sorted(out)))' "$1"
}

run() { # run NAME OUTDIR ARGS...
    local name=$1 out=$2; shift 2
    mkdir -p "$out"
    "$bin" -l "$out" "$@" >"$out/stdout" 2>"$out/stderr"
    echo $? > "$out/rc"
}

for pcap in tests/pcaps/*.pcap tests/pcaps/*.pcapng; do
    [ -f "$pcap" ] || continue
    name=$(basename "$pcap"); name=${name%.*}
    case $name in truncated|corrupt) continue ;; esac
    for t in 1 2 4; do
        run "$name" "$work/$name.$t" -r "$pcap" --threads "$t"
    done
    rc=$(cat "$work/$name.1/rc")
    [ "$rc" = 0 ] && ok || { bad "$name: exit $rc: $(tail -1 "$work/$name.1/stderr")"; continue; }
    canon "$work/$name.1/eve.json" > "$work/$name.1.sorted"
    nrec=$(wc -l < "$work/$name.1.sorted")
    [ "$nrec" -gt 1 ] && ok || bad "$name: only $nrec records"
    for t in 2 4; do
        if canon "$work/$name.$t/eve.json" | cmp -s - "$work/$name.1.sorted"; then ok
        else bad "$name: records with --threads $t differ from --threads 1"
             diff <(canon "$work/$name.$t/eve.json") "$work/$name.1.sorted" | head -4
        fi
    done
    if python3 tests/schema_check.py "$work/$name.1/eve.json" > "$work/$name.schema" 2>&1; then ok
    else bad "$name: schema: $(head -3 "$work/$name.schema")"; fi
    read -r rd dec filt uns inv < <(final_stats "$work/$name.1/eve.json")
    want=$(tcpdump -nr "$pcap" 2>/dev/null | wc -l)
    if [ "$rd" = "$want" ] && [ $((dec + filt + uns + inv)) = "$rd" ]; then ok
    else bad "$name: accounting read=$rd (tcpdump: $want) decoded=$dec filtered=$filt unsupported=$uns invalid=$inv"; fi
    if [ -f "tests/expected/$name.expect" ]; then
        if python3 tests/e2e_check.py "$work/$name.1/eve.json" "tests/expected/$name.expect" > "$work/$name.check"; then ok
        else bad "$name: expected records:"; cat "$work/$name.check"; fi
    fi
done

# A BPF filter: only the client's packets are analysed, the rest is counted
# as filtered, so no flow may have a packet to the client.
if [ -f tests/pcaps/http_curl.pcap ]; then
    run bpf "$work/bpf" -r tests/pcaps/http_curl.pcap --threads 1 src host 10.99.0.1 and tcp
    read -r rd dec filt uns inv < <(final_stats "$work/bpf/eve.json")
    want=$(tcpdump -nr tests/pcaps/http_curl.pcap 'src host 10.99.0.1 and tcp' 2>/dev/null | wc -l)
    nonflow=$(python3 -c 'import json,sys; print(sum(1 for l in open(sys.argv[1]) if json.loads(l)["event_type"]=="flow" and (json.loads(l).get("dest_port")!=80 or json.loads(l)["flow"]["pkts_toclient"])))' "$work/bpf/eve.json")
    if [ "$dec" = "$want" ] && [ $((rd - filt)) = "$want" ] && [ "$filt" -gt 0 ] && [ "$nonflow" = 0 ]; then ok
    else bad "bpf: read=$rd decoded=$dec filtered=$filt (tcpdump with the filter: $want), flows not to port 80: $nonflow"; fi
    run badbpf "$work/badbpf" -r tests/pcaps/http_curl.pcap 'tcp port http and bogus'
    if [ "$(cat "$work/badbpf/rc")" = 2 ] && grep -q 'bad BPF filter "tcp port http and bogus"' "$work/badbpf/stderr"; then ok
    else bad "bad bpf: rc $(cat "$work/badbpf/rc"): $(cat "$work/badbpf/stderr")"; fi
fi

# A truncated file: exit 1, the file and byte offset named, records kept.
if [ -f tests/pcaps/truncated.pcap ]; then
    run trunc "$work/trunc" -r tests/pcaps/truncated.pcap --threads 2
    read -r rd dec filt uns inv < <(final_stats "$work/trunc/eve.json")
    nflow=$(grep -c '"event_type":"flow"' "$work/trunc/eve.json")
    if [ "$(cat "$work/trunc/rc")" = 1 ] && grep -q 'truncated.pcap: truncated or corrupt capture after packet [0-9]*, at byte offset [0-9]*' "$work/trunc/stderr" \
       && [ "$rd" -gt 0 ] && [ "$nflow" -gt 0 ]; then ok
    else bad "truncated: rc $(cat "$work/trunc/rc") read=$rd flows=$nflow: $(cat "$work/trunc/stderr")"; fi
fi
if [ -f tests/pcaps/corrupt.pcap ]; then
    run corrupt "$work/corrupt" -r tests/pcaps/corrupt.pcap
    if [ "$(cat "$work/corrupt/rc")" = 1 ] && grep -q 'corrupt.pcap' "$work/corrupt/stderr"; then ok
    else bad "corrupt: rc $(cat "$work/corrupt/rc"): $(cat "$work/corrupt/stderr")"; fi
fi

# An unsupported link type (the header of a real capture rewritten to
# LINKTYPE_IEEE802_11 = 105): a clear message, every packet counted.
src=tests/pcaps/icmp_ping.pcap
if [ -f "$src" ]; then
    python3 -c '
import sys, struct
b = bytearray(open(sys.argv[1], "rb").read())
end = "<" if b[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
struct.pack_into(end + "I", b, 20, 105)
open(sys.argv[2], "wb").write(b)' "$src" "$work/dlt105.pcap"
    run dlt "$work/dlt" -r "$work/dlt105.pcap"
    read -r rd dec filt uns inv < <(final_stats "$work/dlt/eve.json")
    if [ "$(cat "$work/dlt/rc")" = 0 ] && grep -q 'link type 105 (IEEE802_11) is not supported' "$work/dlt/stderr" \
       && [ "$rd" -gt 0 ] && [ "$uns" = "$rd" ]; then ok
    else bad "unsupported dlt: rc $(cat "$work/dlt/rc") read=$rd unsupported=$uns: $(cat "$work/dlt/stderr")"; fi
fi

# retime IN OUT MODE A B: copy a pcap, rewriting packet times (MODE step:
# packet i at t0 + i*A seconds; MODE shift: +A seconds from packet B on) for
# the tests of what happens on packet time.
retime() {
    python3 - "$@" <<'PY'
import struct, sys
src, dst, mode, a, b = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), int(sys.argv[5])
d = open(src, "rb").read()
e = "<" if d[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
out, off, i = bytearray(d[:24]), 24, 0
while off + 16 <= len(d):
    sec, usec, incl, orig = struct.unpack_from(e + "IIII", d, off)
    if i == 0:
        t0 = sec
    if mode == "step":
        sec = t0 + int(i * a)
    elif i >= b:
        sec += int(a)
    out += struct.pack(e + "IIII", sec, usec, incl, orig) + d[off + 16:off + 16 + incl]
    off += 16 + incl
    i += 1
open(dst, "wb").write(out)
PY
}

# Periodic stats on packet time: each record's totals add up.
if [ -f tests/pcaps/icmp_ping.pcap ]; then
    retime tests/pcaps/icmp_ping.pcap "$work/slow.pcap" step 1 0
    run stats "$work/stats" -r "$work/slow.pcap" --stats-interval 3 --threads 2
    if python3 -c '
import json, sys
n = 0
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r["event_type"] != "stats": continue
    a = r["stats"]["accounting"]; n += 1
    assert a["read"] == a["decoded"] + a["filtered"] + a["unsupported"] + a["invalid"], a
    assert a["read"] == r["stats"]["decoder"]["pkts"] + a["filtered"] + a["unsupported"], a
sys.exit(0 if n == 6 else 1)' "$work/stats/eve.json"; then ok
    else bad "periodic stats: 6 records expected over 15 s at a 3 s interval, each adding up"; fi
fi

# Rollups: several captures laid end to end 5 s apart, rollups every 3 s of
# packet time.  Their totals equal the stats and flow records, --threads 1
# and 2 give the same rollups, the CSV files agree with them, and with one
# rollup for the whole file the top talkers are within the sketch's bound
# of the exact counts from the flow records (tests/rollup_check.py).
python3 - "$work/ru.pcap" tests/pcaps/dns_dig.pcap tests/pcaps/http_curl.pcap \
    tests/pcaps/tls_openssl.pcap tests/pcaps/icmp_ping.pcap <<'PY'
import struct, sys
out, base = bytearray(), None
for n, src in enumerate(sys.argv[2:]):
    d = open(src, "rb").read()
    e = "<" if d[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    if not out:
        out += struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, struct.unpack_from(e + "I", d, 20)[0])
    off, t0 = 24, None
    while off + 16 <= len(d):
        sec, usec, incl, orig = struct.unpack_from(e + "IIII", d, off)
        if t0 is None:
            t0 = sec
            if base is None:
                base = sec
        out += struct.pack("<IIII", base + 5 * n + (sec - t0), usec, incl, orig) + d[off + 16:off + 16 + incl]
        off += 16 + incl
open(sys.argv[1], "wb").write(out)
PY
mkdir -p "$work/ru1/csv" "$work/ru2/csv"
run ru1 "$work/ru1" -r "$work/ru.pcap" --rollup-interval 3 --threads 1 --csv "$work/ru1/csv"
run ru2 "$work/ru2" -r "$work/ru.pcap" --rollup-interval 3 --threads 2 --csv "$work/ru2/csv"
run ru0 "$work/ru0" -r "$work/ru.pcap" --rollup-interval 86400 --threads 2
for t in 1 2; do
    nru=$(grep -c '"event_type":"rollup"' "$work/ru$t/eve.json")
    if [ "$(cat "$work/ru$t/rc")" = 0 ] && [ "$nru" -ge 4 ] \
       && python3 tests/rollup_check.py "$work/ru$t/eve.json" "$work/ru$t/csv" > "$work/ru$t.check" \
       && python3 tests/schema_check.py "$work/ru$t/eve.json" >> "$work/ru$t.check"; then ok
    else bad "rollups, --threads $t ($nru records): $(cat "$work/ru$t.check" "$work/ru$t/stderr")"; fi
done
if cmp -s <(grep '"event_type":"rollup"' "$work/ru1/eve.json") <(grep '"event_type":"rollup"' "$work/ru2/eve.json"); then ok
else bad "rollups: --threads 2 differs from --threads 1"; fi
if [ "$(grep -c '"event_type":"rollup"' "$work/ru0/eve.json")" = 1 ] \
   && python3 tests/rollup_check.py "$work/ru0/eve.json" > "$work/ru0.check"; then ok
else bad "rollups, one interval: $(cat "$work/ru0.check")"; fi
# The sketch's bound with evictions: many_hosts.pcap has 41 senders (40
# clients, four of them heavy, and the server); with 16 counters and the
# whole sketch listed, every count is within its error of the flow records'
# exact value, error <= N/16, and every sender above N/16 is listed, with
# one worker and with two workers' sketches merged.
for t in 1 2; do
    run "mh$t" "$work/mh$t" -r tests/pcaps/many_hosts.pcap --threads $t --rollup-interval 86400 \
        --set rollups.capacity=16 --set rollups.top-n=16
    if [ "$(cat "$work/mh$t/rc")" = 0 ] \
       && python3 tests/rollup_check.py "$work/mh$t/eve.json" --whole-sketch > "$work/mh$t.check"; then ok
    else bad "rollups with evictions, --threads $t: $(cat "$work/mh$t.check" "$work/mh$t/stderr")"; fi
done
run rubad "$work/rubad" -r "$work/ru.pcap" --rollup-interval x
[ "$(cat "$work/rubad/rc")" = 2 ] && grep -q -- '--rollup-interval: expected seconds' "$work/rubad/stderr" && ok \
    || bad "bad --rollup-interval: $(cat "$work/rubad/stderr")"

# Flow timeouts on packet time: the IPv6 half of the ping capture comes
# 400 s later, past ICMP's 300 s established timeout, so the IPv4 ping flow
# ends with reason timeout; the same with 1, 2 and 4 workers.
if [ -f tests/pcaps/icmp_ping.pcap ]; then
    retime tests/pcaps/icmp_ping.pcap "$work/gap.pcap" shift 400 8
    for t in 1 2 4; do run "gap$t" "$work/gap$t" -r "$work/gap.pcap" --threads $t; done
    cat > "$work/gap.expect" <<'EOF'
{"count": 1, "match": {"event_type": "flow", "proto": "ICMP", "flow.reason": "timeout", "flow.state": "established", "flow.pkts_toserver": 3, "flow.pkts_toclient": 3}}
{"count": 1, "match": {"event_type": "flow", "proto": "IPv6-ICMP", "flow.reason": "shutdown", "flow.state": "established", "flow.pkts_toserver": 4, "flow.pkts_toclient": 3}}
EOF
    if python3 tests/e2e_check.py "$work/gap1/eve.json" "$work/gap.expect" > "$work/gap.check"; then ok
    else bad "flow timeout: $(cat "$work/gap.check")"; fi
    for t in 2 4; do
        if cmp -s <(canon "$work/gap$t/eve.json") <(canon "$work/gap1/eve.json"); then ok
        else bad "flow timeout: --threads $t differs from --threads 1"; fi
    done
fi

# SIGINT while reading: reading stops, what was read is analysed, flushed
# and written (valid records, stats that add up), exit 1 naming where it
# stopped.  The capture comes through a FIFO whose writer sends 2000 copies
# of http_curl.pcap's packets and then holds the pipe open, so netscope is
# blocked in a read when the signal comes, whatever the machine's speed.
if [ -f tests/pcaps/http_curl.pcap ]; then
    mkfifo "$work/fifo.pcap"
    python3 - tests/pcaps/http_curl.pcap "$work/fifo.pcap" <<'PY' &
import sys, time
d = open(sys.argv[1], "rb").read()
with open(sys.argv[2], "wb") as f:
    f.write(d[:24] + d[24:] * 2000)
    f.flush()
    time.sleep(20)
PY
    wpid=$!
    mkdir -p "$work/sig"
    "$bin" -r "$work/fifo.pcap" -l "$work/sig" --threads 2 >/dev/null 2>"$work/sig/stderr" &
    pid=$!
    sleep 1.5
    kill -INT $pid
    wait $pid
    rc=$?
    kill $wpid 2>/dev/null; wait $wpid 2>/dev/null
    read -r rd dec filt uns inv < <(final_stats "$work/sig/eve.json")
    if [ "$rc" = 1 ] && grep -q 'fifo.pcap: interrupted after packet 48000; open flows flushed' "$work/sig/stderr" \
       && [ "$rd" = 48000 ] && [ $((dec + filt + uns + inv)) = "$rd" ] \
       && python3 tests/schema_check.py "$work/sig/eve.json" >/dev/null; then ok
    else bad "SIGINT while reading: rc $rc, read $rd: $(tail -2 "$work/sig/stderr")"; fi
fi

# SIGUSR2 while reading: the rules (tests/rules/reload_a.rules) are reloaded
# five times while a capture of 20000 UDP packets comes through a FIFO in
# 20 slices over 2 s, once with the rule file gone (that reload fails and
# says so; the set in use stays); the flow and alert records equal those of
# a run on the same file without the signal.  Without rules, SIGUSR2 is
# reported and ignored.
python3 - "$work/udp.pcap" <<'PY'
import struct, sys
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff)
    return ~(s + (s >> 16)) & 0xffff
o = bytearray(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
for i in range(20000):
    pl = b"NSRELOAD-BOTH NSRELOAD-ONLYA NSRELOAD-ONLYB seq=%08d\n" % i
    udp = struct.pack("!HHHH", 1024 + i, 7000, 8 + len(pl), 0) + pl
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), i & 0xffff, 0, 64, 17, 0,
                     bytes([10, 250, 0, 2]), bytes([10, 250, 0, 1]))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    fr = bytes.fromhex("025e00000101025e000001020800") + ip + udp
    t = 1700000000000000 + i * 1000
    o += struct.pack("<IIII", t // 1000000, t % 1000000, len(fr), len(fr)) + fr
open(sys.argv[1], "wb").write(o)
PY
# records EVE: the flow and alert records less pcap_filename, sorted
# canonical JSON
records() {
    python3 -c '
import json, sys
out = []
for r in map(json.loads, open(sys.argv[1])):
    if r["event_type"] in ("flow", "alert"):
        r.pop("pcap_filename", None)
        out.append(json.dumps(r, sort_keys=True))
print("\n".join(sorted(out)))' "$1"
}
# slowfifo FILE FIFO SLICES: writes FILE into FIFO in SLICES parts, 0.1 s
# apart (given up after 30 s, so a reader that never came cannot hang us)
slowfifo() {
    timeout 30 python3 - "$@" <<'PY'
import sys, time
d, n = open(sys.argv[1], "rb").read(), int(sys.argv[3])
with open(sys.argv[2], "wb") as f:
    step = (len(d) + n - 1) // n
    for k in range(n):
        f.write(d[k * step:(k + 1) * step])
        f.flush()
        time.sleep(0.1)
PY
}
# wait_log FILE PATTERN N: until FILE has N lines matching PATTERN (10 s at most)
wait_log() {
    local i
    for i in $(seq 200); do
        [ "$(grep -c -- "$2" "$1")" -ge "$3" ] && return 0
        sleep 0.05
    done
    return 1
}
mkdir -p "$work/rl" "$work/rl0"
cp tests/rules/reload_a.rules "$work/rl/cur.rules"
rlargs=(-S "$work/rl/cur.rules" --set detect.cache-dir="$work/rl/cache" --threads 2)
run rl0 "$work/rl0" -r "$work/udp.pcap" "${rlargs[@]}"
mkfifo "$work/rl/fifo.pcap"
slowfifo "$work/udp.pcap" "$work/rl/fifo.pcap" 20 &
wpid=$!
"$bin" -r "$work/rl/fifo.pcap" -l "$work/rl" "${rlargs[@]}" >/dev/null 2>"$work/rl/stderr" &
pid=$!
rl_err=""
for k in 1 2 3 4 5; do
    sleep 0.3
    if [ "$k" = 3 ]; then
        mv "$work/rl/cur.rules" "$work/rl/gone.rules"
        kill -USR2 $pid
        wait_log "$work/rl/stderr" 'rules reload failed: ' 1 || rl_err="$rl_err; failed reload not reported"
        mv "$work/rl/gone.rules" "$work/rl/cur.rules"
    else
        kill -USR2 $pid
        wait_log "$work/rl/stderr" 'rules reloaded (generation' $((k < 3 ? k : k - 1)) || rl_err="$rl_err; reload $k not reported"
    fi
done
wait $pid
rc=$?
wait $wpid
nal=$(grep -c '"event_type":"alert"' "$work/rl/eve.json")
if [ "$rc" = 0 ] && [ "$(cat "$work/rl0/rc")" = 0 ] && [ -z "$rl_err" ] && [ "$nal" = 40000 ] \
   && grep -q 'rules reload failed: .*cur.rules: No such file or directory; keeping the 2 rules loaded at ' "$work/rl/stderr" \
   && grep -q 'netscope: rules: 4 reloads done, 1 failed; generation 5 ' "$work/rl/stderr" \
   && grep '"event_type":"stats"' "$work/rl/eve.json" | tail -1 | grep -q '"generation":5,' \
   && grep '"event_type":"stats"' "$work/rl/eve.json" | tail -1 | grep -q '"reloads_failed":1,' \
   && cmp -s <(records "$work/rl/eve.json") <(records "$work/rl0/eve.json"); then ok
else bad "SIGUSR2 while reading: rc $rc, $nal alerts (40000 expected, as without the signal)${rl_err}: $(grep -e reload -e 'packets read' "$work/rl/stderr" | tail -3)"; fi
mkdir -p "$work/rl1"
rm -f "$work/rl/fifo.pcap" && mkfifo "$work/rl/fifo.pcap"
slowfifo "$work/udp.pcap" "$work/rl/fifo.pcap" 5 &
wpid=$!
"$bin" -r "$work/rl/fifo.pcap" -l "$work/rl1" --threads 2 >/dev/null 2>"$work/rl1/stderr" &
pid=$!
sleep 0.2
kill -USR2 $pid
wait_log "$work/rl1/stderr" 'SIGUSR2: no rules configured' 1
wait $pid
rc=$?
wait $wpid
if [ "$rc" = 0 ] && grep -q 'netscope: SIGUSR2: no rules configured' "$work/rl1/stderr" \
   && grep -q 'fifo.pcap: 20000 packets read' "$work/rl1/stderr"; then ok
else bad "SIGUSR2 without rules: rc $rc: $(tail -2 "$work/rl1/stderr")"; fi

# netscope follow: the bytes of each TCP stream equal tshark's "Follow TCP
# stream", also with neighbouring segments swapped (out of order); a flow
# chosen by flow_id; UDP; --pcap writes exactly that flow's packets.
if command -v tshark >/dev/null; then
    for p in http_curl tls_openssl dns_dig vlan_http; do
        if python3 tests/follow_check.py "$bin" "tests/pcaps/$p.pcap" > "$work/follow.$p" 2>&1; then ok
        else bad "follow $p: $(grep FAIL "$work/follow.$p" | head -2)"; fi
    done
    if python3 tests/follow_check.py "$bin" tests/pcaps/tls_openssl.pcap --shuffle > "$work/follow.shuf" 2>&1; then ok
    else bad "follow out of order: $(grep FAIL "$work/follow.shuf" | head -2)"; fi
fi
mkdir -p "$work/fl"
"$bin" -r tests/pcaps/dns_dig.pcap -l "$work/fl" >/dev/null 2>&1
udp_id=$(python3 -c 'import json,sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r["event_type"] == "flow" and r["proto"] == "UDP":
        print(r["flow_id"]); break' "$work/fl/eve.json")
"$bin" follow -r tests/pcaps/dns_dig.pcap --flow-id "$udp_id" --format json --pcap "$work/fl/one.pcap" > "$work/fl/udp.json" 2>"$work/fl/err"
want=$(tcpdump -nr tests/pcaps/dns_dig.pcap "udp and port $(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["follow"]["client"]["port"])' "$work/fl/udp.json")" 2>/dev/null | wc -l)
got=$(tcpdump -nr "$work/fl/one.pcap" 2>/dev/null | wc -l)
chunks=$(grep -c '"data"' "$work/fl/udp.json")
if [ -n "$udp_id" ] && [ "$got" -ge 2 ] && [ "$got" = "$want" ] && [ "$chunks" = "$got" ] \
   && head -1 "$work/fl/udp.json" | grep -q "\"flow_id\":$udp_id,"; then ok
else bad "follow --flow-id $udp_id (UDP): $got packets written, $want in the flow, $chunks chunks: $(cat "$work/fl/err")"; fi
"$bin" follow -r tests/pcaps/http_curl.pcap --format hex 10.99.0.2:80 10.99.0.1:48026 > "$work/fl/hex" 2>&1
grep -q '^00000000  47 45 54 20 2f 69 6e 64  65 78 2e 68 74 6d 6c 20  |GET /index.html |$' "$work/fl/hex" \
  && grep -q 'Node 0: 10.99.0.1:48026' "$work/fl/hex" && ok || bad "follow --format hex: $(head -8 "$work/fl/hex")"
# a write that fails (a full disk) is an error that names the output
"$bin" follow -r tests/pcaps/http_curl.pcap 10.99.0.2:80 10.99.0.1:48026 > /dev/full 2>"$work/fl/full"; rc=$?
[ "$rc" = 1 ] && grep -q 'standard output: write: No space left on device' "$work/fl/full" && ok \
    || bad "follow > /dev/full: rc $rc: $(head -2 "$work/fl/full")"
"$bin" follow -r tests/pcaps/http_curl.pcap --pcap /dev/full 10.99.0.2:80 10.99.0.1:48026 > /dev/null 2>"$work/fl/pfull"; rc=$?
[ "$rc" = 1 ] && grep -q '/dev/full: write: No space left on device' "$work/fl/pfull" && ok \
    || bad "follow --pcap /dev/full: rc $rc: $(head -2 "$work/fl/pfull")"
"$bin" follow -r tests/pcaps/http_curl.pcap 10.99.0.2:80 10.9.9.9:1 > /dev/null 2>"$work/fl/none"; rc=$?
[ "$rc" = 1 ] && grep -q 'no TCP or UDP flow between those endpoints' "$work/fl/none" && ok || bad "follow, no such flow: rc $rc"
"$bin" follow -r tests/pcaps/http_curl.pcap 10.99.0.2 10.99.0.1:1 > /dev/null 2>"$work/fl/bad"; rc=$?
[ "$rc" = 2 ] && grep -q 'expected HOST:PORT' "$work/fl/bad" && ok || bad "follow, bad endpoint: rc $rc"

# Errors in options and configuration name what was wrong.
run noargs "$work/noargs"
[ "$(cat "$work/noargs/rc")" = 2 ] && grep -q usage "$work/noargs/stderr" && ok || bad "no arguments: rc $(cat "$work/noargs/rc")"
run missing "$work/missing" -r "$work/does-not-exist.pcap"
[ "$(cat "$work/missing/rc")" = 2 ] && grep -q 'does-not-exist.pcap' "$work/missing/stderr" && ok || bad "missing file: $(cat "$work/missing/stderr")"
run threads "$work/threads" -r tests/pcaps/icmp_ping.pcap --threads abc
[ "$(cat "$work/threads/rc")" = 2 ] && grep -q -- '--threads: expected 1..256, got "abc"' "$work/threads/stderr" && ok || bad "bad --threads: $(cat "$work/threads/stderr")"
printf 'flow:\n  timeouts:\n    tcp:\n      new: soon\n' > "$work/bad.yaml"
run badcfg "$work/badcfg" --config "$work/bad.yaml" -r tests/pcaps/icmp_ping.pcap
if [ "$(cat "$work/badcfg/rc")" = 2 ] && grep -q "bad.yaml:4: flow.timeouts.tcp.new" "$work/badcfg/stderr"; then ok
else bad "bad config: rc $(cat "$work/badcfg/rc"): $(cat "$work/badcfg/stderr")"; fi
run goodcfg "$work/goodcfg" --config configs/netscope.yaml -r tests/pcaps/icmp_ping.pcap
[ "$(cat "$work/goodcfg/rc")" = 0 ] && ok || bad "configs/netscope.yaml: $(cat "$work/goodcfg/stderr")"

echo "e2e: $pass passed, $fail failed"
[ "$fail" = 0 ]
