#!/usr/bin/env bash
# tests/output_safety.sh BIN: eve.json is never corrupt and never silently
# lossy (README "Output safety", output/logfile.h).
#
#  - JSON escaping: a capture of hostile application data (control
#    characters, quotes, backslashes, NUL bytes, invalid UTF-8) in every
#    field that is logged -- HTTP URI/Host/User-Agent/headers, DNS names,
#    TLS SNI, SMTP HELO/MAIL FROM/RCPT TO, FTP commands, SSH banners -- and
#    a hostile pcap file name; every line must pass a strict JSON parser
#    and each field must read back as the bytes sent, invalid bytes as
#    \xNN as Suricata writes them (output/json.h);
#  - faults: a 256 KiB tmpfs filling up, a read-only log directory, the
#    file deleted during a paced run, rotation by size and by interval, mv + SIGHUP,
#    SIGKILL and SIGTERM mid-run, and eve.json as a FIFO whose reader
#    stalls: every line written is whole (after SIGKILL all but the last),
#    one message per failure naming the file, and the exit summary adds up
#    (lines = written + dropped by reason);
#  - the other output files, logfiles too: the CSV files of --csv (hostile
#    keys escaped, a full tmpfs, rotation by size, mv + SIGHUP: each file
#    starts with its header row and holds whole rows) and the pcap of -w
#    (a full tmpfs, rotation by size, mv + SIGHUP: each file a whole pcap
#    of its own, read by tcpdump too; a FIFO whose reader stalls, under
#    outputs.pcap.write-timeout); their exit summary lines add up.
#
# The captures are written by Python here: real clients refuse to send
# most of these bytes (NUL in a URI, invalid UTF-8 in an SNI), so the test
# builds the TCP sessions itself.  "Paced" runs read the capture from a
# FIFO that a Python feeder fills a packet at a time.  Needs root (mounts).
set -u
bin=$(readlink -f "${1:-build/netscope}")
cd "$(dirname "$0")/.."
export TZ=UTC
work=$(mktemp -d /tmp/ns_outsafe.XXXXXX)
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok: $*"; }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
mounts=()
cleanup() {
    for m in "${mounts[@]}"; do umount "$m" 2>/dev/null; done
    rm -rf "$work"
}
trap cleanup EXIT

# ---- the captures --------------------------------------------------------
cat >"$work/gen.py" <<'EOF'
import struct, sys

out_hostile, out_many = sys.argv[1], sys.argv[2]

def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

def ip4(a):
    return bytes(int(x) for x in a.split("."))

def frame(src, dst, proto, l4):
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 1, 0, 64, proto, 0, ip4(src), ip4(dst))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + b"\x08\x00" + ip + l4

def tcp(src, dst, sp, dp, seq, ack, flags, data=b""):
    h = struct.pack("!HHIIBBHHH", sp, dp, seq, ack, 5 << 4, flags, 65535, 0, 0)
    ph = ip4(src) + ip4(dst) + struct.pack("!BBH", 0, 6, len(h) + len(data))
    c = csum(ph + h + data)
    return frame(src, dst, 6, h[:16] + struct.pack("!H", c) + h[18:] + data)

def udp(src, dst, sp, dp, data):
    h = struct.pack("!HHHH", sp, dp, 8 + len(data), 0)
    return frame(src, dst, 17, h + data)

class Pcap:
    def __init__(self):
        self.pkts = []
        self.t = 1700000000.0
    def add(self, f, dt=0.001):
        self.t += dt
        self.pkts.append((self.t, f))
    def write(self, path):
        with open(path, "wb") as fh:
            fh.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
            for t, f in self.pkts:
                fh.write(struct.pack("<IIII", int(t), int((t % 1) * 1e6), len(f), len(f)) + f)

def session(p, cli, srv, cp, sp, turns):
    """A TCP conversation: handshake, turns [(from_client, bytes)], FINs."""
    cs, ss = 1000, 5000
    p.add(tcp(cli, srv, cp, sp, cs, 0, 0x02))
    p.add(tcp(srv, cli, sp, cp, ss, cs + 1, 0x12))
    cs += 1; ss += 1
    p.add(tcp(cli, srv, cp, sp, cs, ss, 0x10))
    for from_cli, data in turns:
        if from_cli:
            p.add(tcp(cli, srv, cp, sp, cs, ss, 0x18, data)); cs += len(data)
            p.add(tcp(srv, cli, sp, cp, ss, cs, 0x10))
        else:
            p.add(tcp(srv, cli, sp, cp, ss, cs, 0x18, data)); ss += len(data)
            p.add(tcp(cli, srv, cp, sp, cs, ss, 0x10))
    p.add(tcp(cli, srv, cp, sp, cs, ss, 0x11)); cs += 1
    p.add(tcp(srv, cli, sp, cp, ss, cs, 0x11)); ss += 1
    p.add(tcp(cli, srv, cp, sp, cs, ss, 0x10))

# The hostile strings (bytes); tests read them back from here.
H = {
    "uri": b"/a\"b\\c\x01d\x00e\x1f\xff\xfe/\xc3\xa9\xe2\x82?q=\x7f\xed\xa0\x80",
    "host": b"h\"\\\x01\xc0\xafst",
    "ua": b"UA\"\\\x00\x08\x0c\t\x1b[31m\xf4\x90\x80\x80\xc3\xa9end",
    "xhdr": b"v\x00\"\\\xff",
    "sni": b"s\"n\\i\x00\x01\xff\xfe.example",
    "helo": b"he\"l\\o\x01\xff",
    "mail_from": b"<a\"\\\x00\x1b\xff@x.test>",
    "rcpt_to": b"<b\x7f\xc0\xaf\\\"@y.test>",
    "ftp_user": b"u\"\\\x00\x01\xfe",
    "ssh_cli": b"Open\"SSH\\\x00\x01\xff",
    "ssh_srv": b"srv\xc3\xa9\x80\"",
    "dns": b"a\"b\\c\x00\x01\xff",
}

p = Pcap()
C, S = "10.0.0.1", "10.0.0.2"
session(p, C, S, 40001, 80, [
    (True, b"GET " + H["uri"] + b" HTTP/1.1\r\nHost: " + H["host"] + b"\r\nUser-Agent: " + H["ua"] +
           b"\r\nX-Evil: " + H["xhdr"] + b"\r\n\r\n"),
    (False, b"HTTP/1.1 200 OK\r\nServer: s\"\\\xff\r\nContent-Length: 0\r\n\r\n"),
])
sni = H["sni"]
ext = struct.pack("!HHHBH", 0, len(sni) + 5, len(sni) + 3, 0, len(sni)) + sni
body = b"\x03\x03" + b"\x11" * 32 + b"\x00" + struct.pack("!H", 2) + b"\x00\x2f" + b"\x01\x00" + \
       struct.pack("!H", len(ext)) + ext
hs = b"\x01" + struct.pack("!I", len(body))[1:] + body
session(p, C, S, 40002, 443, [(True, b"\x16\x03\x01" + struct.pack("!H", len(hs)) + hs)])
session(p, C, S, 40003, 25, [
    (False, b"220 mx.test ESMTP\r\n"),
    (True, b"EHLO " + H["helo"] + b"\r\n"), (False, b"250 ok\r\n"),
    (True, b"MAIL FROM:" + H["mail_from"] + b"\r\n"), (False, b"250 ok\r\n"),
    (True, b"RCPT TO:" + H["rcpt_to"] + b"\r\n"), (False, b"250 ok\r\n"),
    (True, b"DATA\r\n"), (False, b"354 go\r\n"),
    (True, b"Subject: s\x00\"\\\xff\r\n\r\nbody\r\n.\r\n"), (False, b"250 queued\r\n"),
    (True, b"QUIT\r\n"), (False, b"221 bye\r\n"),
])
session(p, C, S, 40004, 21, [
    (False, b"220 ftp \"\\\xff\r\n"),
    (True, b"USER " + H["ftp_user"] + b"\r\n"), (False, b"331 pw\x01\r\n"),
    (True, b"PASS p\x00\r\n"), (False, b"230 in\r\n"),
])
session(p, C, S, 40005, 22, [
    (True, b"SSH-2.0-" + H["ssh_cli"] + b"\r\n"),
    (False, b"SSH-2.0-" + H["ssh_srv"] + b"\r\n"),
])
# DNS: a label with quote, backslash, NUL, control and a non-UTF-8 byte
q = b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00" + bytes([len(H["dns"])]) + H["dns"] + \
    b"\x04test\x00\x00\x01\x00\x01"
p.add(udp(C, S, 40006, 53, q))
p.write(out_hostile)

# many.pcap: 3000 DNS transactions over 30 s of packet time (about 3 MB of EVE)
m = Pcap()
for i in range(3000):
    name = b"".join(bytes([len(x)]) + x for x in (b"host%d" % i, b"example", b"test"))
    q = struct.pack("!HHHHHH", i, 0x0100, 1, 0, 0, 0) + name + b"\x00\x00\x01\x00\x01"
    r = struct.pack("!HHHHHH", i, 0x8180, 1, 1, 0, 0) + name + b"\x00\x00\x01\x00\x01" + \
        b"\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04\x0a\x00\x00\x09"
    cp = 10000 + i
    m.add(udp("10.1.0.1", "10.1.0.2", cp, 53, q), 0.01)
    m.add(udp("10.1.0.2", "10.1.0.1", 53, cp, r), 0.0001)
m.write(out_many)
EOF

# check.py [--cut-last] FILE...: every line strict JSON (UTF-8, no duplicate
# keys, no NaN, no lone surrogates), an object with an event_type; the
# files in order are one stream, whose very last line may be cut with
# --cut-last.  Prints the number of whole lines.
cat >"$work/check.py" <<'EOF'
import json, sys

args = sys.argv[1:]
cut_last = args and args[0] == "--cut-last"
if cut_last:
    args = args[1:]

def nodup(pairs):
    d = {}
    for k, v in pairs:
        if k in d:
            raise ValueError("duplicate key %r" % k)
        d[k] = v
    return d

def no_nan(x):
    raise ValueError("not JSON: %s" % x)

def walk(v):
    if isinstance(v, str):
        v.encode("utf-8")          # lone surrogates (\ud800) fail here
    elif isinstance(v, dict):
        for k, x in v.items():
            walk(k); walk(x)
    elif isinstance(v, list):
        for x in v:
            walk(x)

n = 0
for fi, path in enumerate(args):
    data = open(path, "rb").read()
    lines = data.split(b"\n")
    tail = lines.pop()             # b"" when the file ends with '\n'
    if tail:
        if not (cut_last and fi == len(args) - 1):
            sys.exit("%s: last line cut (%d bytes)" % (path, len(tail)))
    for i, l in enumerate(lines, 1):
        try:
            r = json.loads(l.decode("utf-8", "strict"), strict=True,
                           object_pairs_hook=nodup, parse_constant=no_nan)
            walk(r)
            assert isinstance(r, dict) and "event_type" in r, "not an EVE record"
        except Exception as e:
            sys.exit("%s:%d: %s: %r" % (path, i, e, l[:200]))
        n += 1
print(n)
EOF

# summary STDERR [UNIT] -> "lines written dropped" from the exit summary
# line of eve.json (UNIT lines), the CSV files (rows) or -w (records)
summary() {
    sed -n "s/.*: \([0-9]*\) ${2:-lines} = \([0-9]*\) written + \([0-9]*\) dropped.*/\1 \2 \3/p" "$1" | tail -1
}

# pcapcheck.py [--same ORIG] [--cut-last] FILE...: each FILE a pcap of its
# own (global header, then records whole up to its last byte; with
# --cut-last the very last record may be cut, as a pipe leaves it); prints
# the number of whole records.  --same: the records of all FILEs are
# ORIG's, in any order.
cat >"$work/pcapcheck.py" <<'EOF'
import struct, sys
args = sys.argv[1:]
orig = None
if args[:1] == ["--same"]:
    orig, args = args[1], args[2:]
cut_last = args[:1] == ["--cut-last"]
if cut_last:
    args = args[1:]

def records(path, may_cut=False):
    d = open(path, "rb").read()
    if len(d) < 24:
        sys.exit("%s: %d bytes, no global header" % (path, len(d)))
    magic, vmaj, vmin, _, _, snap, _ = struct.unpack("=IHHiIII", d[:24])
    if magic != 0xa1b2c3d4 or (vmaj, vmin) != (2, 4):
        sys.exit("%s: no pcap global header" % path)
    off, out = 24, []
    while off < len(d):
        if off + 16 > len(d):
            if may_cut:
                break
            sys.exit("%s: record header cut at byte %d" % (path, off))
        _, us, cap, wire = struct.unpack("=IIII", d[off:off + 16])
        if cap > snap or cap > wire or us >= 1000000:
            sys.exit("%s: record at byte %d bogus" % (path, off))
        if off + 16 + cap > len(d):
            if may_cut:
                break
            sys.exit("%s: record at byte %d cut" % (path, off))
        out.append(d[off:off + 16 + cap])
        off += 16 + cap
    return out

got = [r for i, p in enumerate(args) for r in records(p, cut_last and i == len(args) - 1)]
if orig is not None and sorted(got) != sorted(records(orig)):
    sys.exit("the records differ from %s's" % orig)
print(len(got))
EOF

# csvcheck.py FILE...: each FILE a CSV file of --csv: its header row first
# (the same in every file of one kind), then whole rows (CRLF, as many
# fields as the header, no control byte); prints the number of rows.
cat >"$work/csvcheck.py" <<'EOF'
import csv, io, os, re, sys
heads, n = {}, 0
for path in sys.argv[1:]:
    kind = re.sub(r"\.csv.*", ".csv", os.path.basename(path))
    data = open(path, "rb").read()
    if not data.endswith(b"\r\n"):
        sys.exit("%s: the last row is cut" % path)
    lines = data[:-2].split(b"\r\n")
    head = lines[0]
    if not (head.startswith(b"start,end,") or head.startswith(b"timestamp,flow_id,")):
        sys.exit("%s: starts with %r, not a header row" % (path, head[:60]))
    if heads.setdefault(kind, head) != head:
        sys.exit("%s: another header row than the other %s files" % (path, kind))
    nf = head.count(b",") + 1
    for i, l in enumerate(lines[1:], 2):
        if any(b < 0x20 or b == 0x7f for b in l):
            sys.exit("%s:%d: a control byte: %r" % (path, i, l[:120]))
        row = next(csv.reader(io.StringIO(l.decode("utf-8", "surrogateescape"))))
        if len(row) != nf:
            sys.exit("%s:%d: %d fields, the header has %d" % (path, i, len(row), nf))
        n += 1
print(n)
EOF

# rotated DIR NAME: DIR/NAME.* in writing order, then DIR/NAME
rotated() {
    (cd "$1" && ls "$2".* 2>/dev/null | sort -t. -k3,3 -k4,4n | sed "s|^|$1/|"; echo "$1/$2")
}
# feed SRC FIFO SECONDS: the capture into FIFO, spread over SECONDS
cat >"$work/feed.py" <<'EOF'
import struct, sys, time
src, fifo, secs = sys.argv[1], sys.argv[2], float(sys.argv[3])
data = open(src, "rb").read()
pkts, off = [], 24
while off < len(data):
    caplen = struct.unpack("<I", data[off + 8:off + 12])[0]
    pkts.append(data[off:off + 16 + caplen]); off += 16 + caplen
try:
    with open(fifo, "wb", buffering=0) as fh:
        fh.write(data[:24])
        step = max(1, len(pkts) // 200)
        for i in range(0, len(pkts), step):
            fh.write(b"".join(pkts[i:i + step]))
            time.sleep(secs / 200)
except BrokenPipeError:         # the reader was killed (the SIGKILL case)
    sys.exit(0)
EOF

python3 "$work/gen.py" "$work/hostile.pcap" "$work/many.pcap" || { echo "gen.py failed"; exit 1; }

# ---- 1. JSON escaping ------------------------------------------------------
# a hostile file name too: quote, backslash, a newline and a non-UTF-8 byte
hname="$work/"$'ho"st\\ile\n\xff'".pcap"
cp "$work/hostile.pcap" "$hname"
mkdir -p "$work/esc/csv"
"$bin" -r "$hname" -l "$work/esc" --csv "$work/esc/csv" 2>"$work/esc/stderr"
rc=$?
if [ $rc = 0 ] && n=$(python3 "$work/check.py" "$work/esc/eve.json") && [ "$n" -gt 5 ]; then
    ok "escaping: $n records pass the strict parser"
else
    bad "escaping: exit $rc, strict parse: $(python3 "$work/check.py" "$work/esc/eve.json" 2>&1)"
fi
python3 tests/schema_check.py "$work/esc/eve.json" >/dev/null && ok "escaping: schema valid" \
    || bad "escaping: schema_check: $(python3 tests/schema_check.py "$work/esc/eve.json" 2>&1 | head -3)"

# Each field read back is exactly what was sent, decoded the way
# output/json.h says, which is Suricata's rule (its rust JSON builder):
# control characters and quotes as JSON escapes (so they decode back), a
# valid UTF-8 string as is, and in one that is not valid as a whole every
# byte >= 0x80 as the text \xNN (lowercase), valid sequences included (the
# URI and User-Agent here hold both).
cat >"$work/fields.py" <<'EOF'
import json, sys
sys.path.insert(0, sys.argv[2])
eve, gen = sys.argv[1], sys.argv[2]
ns = {}
src = open(gen + "/gen.py").read()
exec(src.split("p = Pcap()")[0].split("out_hostile, out_many")[0] +
     src[src.index("H = {"):src.index("p = Pcap()")], ns)
H = ns["H"]
def suricata(b):
    try:
        return b.decode("utf-8")
    except UnicodeDecodeError:
        return "".join(chr(c) if c < 0x80 else "\\x%02x" % c for c in b)
recs = [json.loads(l) for l in open(eve, encoding="utf-8")]
by = {}
for r in recs:
    by.setdefault(r["event_type"], []).append(r)
fails = []
def expect(what, got, raw):
    want = suricata(raw)
    if got != want:
        fails.append("%s: got %r, want %r" % (what, got, want))
def one(t):
    return by.get(t, [{}])[0]
http = one("http").get("http", {})
expect("http.url", http.get("url"), H["uri"])
expect("http.http_user_agent", http.get("http_user_agent"), H["ua"])
hdrs = {h["name"]: h["value"] for h in http.get("request_headers", [])}
expect("http.request_headers X-Evil", hdrs.get("X-Evil"), H["xhdr"])
host = http.get("hostname")
expect("http.hostname", host, H["host"].lower())
expect("tls.sni", one("tls").get("tls", {}).get("sni"), H["sni"])
smtp = one("smtp").get("smtp", {})
expect("smtp.helo", smtp.get("helo"), H["helo"])
expect("smtp.mail_from", smtp.get("mail_from"), H["mail_from"])
expect("smtp.rcpt_to[0]", (smtp.get("rcpt_to") or [None])[0], H["rcpt_to"])
ftp = [r["ftp"] for r in by.get("ftp", []) if r["ftp"].get("command") == "USER"]
expect("ftp.command_data (USER)", ftp[0].get("command_data") if ftp else None, H["ftp_user"])
ssh = one("ssh").get("ssh", {})
expect("ssh.client.software_version", ssh.get("client", {}).get("software_version"), H["ssh_cli"])
expect("ssh.server.software_version", ssh.get("server", {}).get("software_version"), H["ssh_srv"])
names = [q.get("rrname") for r in by.get("dns", []) for q in r["dns"].get("queries", [])]
if not names or not all("\x00" in n or "\\x00" in n or "\\000" in n for n in names):
    fails.append("dns.rrname: %r (the NUL byte must show)" % names)
pf = recs[0].get("pcap_filename")
raw_name = sys.argv[3].encode("utf-8", "surrogateescape")
expect("pcap_filename", pf, raw_name)
for f in fails:
    print("  " + f)
print("%d fields checked, %d wrong" % (14, len(fails)))
sys.exit(1 if fails else 0)
EOF
if out=$(python3 "$work/fields.py" "$work/esc/eve.json" "$work" "$hname" 2>&1); then
    ok "escaping: ${out##*$'\n'}"
else
    bad "escaping: fields read back differ:"; echo "$out"
fi
# CSV: the DNS name, HTTP host and SNI (\x01 in each) in the rollup top
# lists, their control bytes as the text \xNN
esc=$(cd "$work/esc/csv" && grep -lF '\x01' rollup_dns.csv rollup_http.csv rollup_tls.csv | wc -l)
if n=$(python3 "$work/csvcheck.py" "$work"/esc/csv/*.csv 2>&1) && [ "$esc" = 3 ]; then
    ok "escaping: CSV, $n whole rows, the hostile DNS name, HTTP host and SNI with \\xNN"
else
    bad "escaping: CSV: $n; files with \\x01: $esc"
fi

# ---- 2. disk full: a 256 KiB tmpfs as the log directory ------------------------------
mkdir -p "$work/full"
if mount -t tmpfs -o size=256k tmpfs "$work/full"; then
    mounts+=("$work/full")
    "$bin" -r "$work/many.pcap" -l "$work/full" 2>"$work/full.stderr"
    rc=$?
    read -r lines written dropped < <(summary "$work/full.stderr")
    n=$(python3 "$work/check.py" "$work/full/eve.json" 2>&1)
    msgs=$(grep -c "$work/full/eve.json: write: No space left on device" "$work/full.stderr")
    if [ $rc = 1 ] && [ "$n" = "${written:-x}" ] && [ "$dropped" -gt 0 ] \
       && [ $((written + dropped)) = "$lines" ] && [ "$msgs" = 1 ] \
       && grep -q "disk_full $dropped" "$work/full.stderr"; then
        ok "disk full: exit 1, $written lines whole in the file, $dropped dropped as disk_full, one message"
    else
        bad "disk full: rc=$rc lines=$lines written=$written dropped=$dropped in file=$n messages=$msgs"
        cat "$work/full.stderr"
    fi
    # room again: the same directory takes a run whole
    rm -f "$work/full/eve.json"
    "$bin" -r "$work/hostile.pcap" -l "$work/full" 2>/dev/null && \
        python3 "$work/check.py" "$work/full/eve.json" >/dev/null && ok "disk full: after cleanup, runs whole" \
        || bad "disk full: run after cleanup"
else
    bad "disk full: cannot mount a tmpfs (root needed)"
fi

# ---- 2b. -w on a full tmpfs: the pcap left is whole -----------------------------
mkdir -p "$work/wfull" "$work/wfull.log"
if mount -t tmpfs -o size=256k tmpfs "$work/wfull"; then
    mounts+=("$work/wfull")
    "$bin" -r "$work/many.pcap" -l "$work/wfull.log" -w "$work/wfull/out.pcap" 2>"$work/wfull.stderr"
    rc=$?
    read -r recs written dropped < <(summary "$work/wfull.stderr" records)
    n=$(python3 "$work/pcapcheck.py" "$work/wfull/out.pcap" 2>&1)
    td=$(tcpdump -nr "$work/wfull/out.pcap" 2>"$work/wfull.td" | wc -l)
    msgs=$(grep -c "$work/wfull/out.pcap: write: No space left on device" "$work/wfull.stderr")
    if [ $rc = 1 ] && [ "$recs" = 6000 ] && [ "$n" = "${written:-x}" ] && [ "$td" = "$n" ] \
       && ! grep -qi "truncated\|bogus" "$work/wfull.td" && [ "$dropped" -gt 0 ] \
       && [ $((written + dropped)) = "$recs" ] && [ "$msgs" = 1 ] \
       && grep -q "out.pcap: $recs records = .*disk_full $dropped" "$work/wfull.stderr"; then
        ok "-w on a full disk: exit 1, $n records whole (tcpdump reads $td), $dropped dropped as disk_full"
    else
        bad "-w on a full disk: rc=$rc records=$recs written=$written dropped=$dropped in file=$n tcpdump=$td messages=$msgs"
        cat "$work/wfull.stderr" "$work/wfull.td"
    fi
else
    bad "-w on a full disk: cannot mount a tmpfs (root needed)"
fi

# ---- 2c. --csv on a full tmpfs: every file its header and whole rows ------------
mkdir -p "$work/cfull" "$work/cfull.log"
if mount -t tmpfs -o size=256k tmpfs "$work/cfull"; then
    mounts+=("$work/cfull")
    "$bin" -r "$work/many.pcap" -l "$work/cfull.log" --csv "$work/cfull" 2>"$work/cfull.stderr"
    rc=$?
    read -r rows written dropped < <(summary "$work/cfull.stderr" rows)
    n=$(python3 "$work/csvcheck.py" "$work"/cfull/*.csv 2>&1)
    nfiles=$(ls "$work"/cfull/*.csv | wc -l)
    if [ $rc = 1 ] && [ "$n" = "${written:-x}" ] && [ "$dropped" -gt 0 ] && [ "$nfiles" = 9 ] \
       && [ $((written + dropped)) = "$rows" ] \
       && grep -q "flows.csv: write: No space left on device" "$work/cfull.stderr"; then
        ok "--csv on a full disk: exit 1, $nfiles files each with its header, $n rows whole, $dropped dropped"
    else
        bad "--csv on a full disk: rc=$rc rows=$rows written=$written dropped=$dropped in files=$n files=$nfiles"
        cat "$work/cfull.stderr"
    fi
fi

# ---- 3. unwritable log directory ---------------------------------------------
mkdir -p "$work/ro"
if mount -t tmpfs -o size=64k,ro tmpfs "$work/ro"; then
    mounts+=("$work/ro")
    "$bin" -r "$work/hostile.pcap" -l "$work/ro" 2>"$work/ro.stderr"
    rc=$?
    if [ $rc = 2 ] && [ "$(wc -l <"$work/ro.stderr")" = 1 ] \
       && grep -q "cannot open $work/ro/eve.json for writing: Read-only file system" "$work/ro.stderr"; then
        ok "read-only log dir: exit 2, one line naming the file and the error"
    else
        bad "read-only log dir: rc=$rc: $(cat "$work/ro.stderr")"
    fi
fi

# ---- paced runs: the capture comes through a FIFO over a few seconds --------
# paced NAME SECONDS [netscope options]: starts netscope reading the FIFO
# $work/NAME.fifo in the background (pid in $npid), fed over SECONDS.
paced() {
    local name=$1 secs=$2; shift 2
    mkdir -p "$work/$name"
    mkfifo "$work/$name.fifo"
    "$bin" -r "$work/$name.fifo" -l "$work/$name" --stats-interval 1 "$@" 2>"$work/$name.stderr" &
    npid=$!
    python3 "$work/feed.py" "$work/many.pcap" "$work/$name.fifo" "$secs" &
    fpid=$!
}

# ---- 4. the file deleted underneath ---------------------------------------
paced del 4
sleep 1.5
rm -f "$work/del/eve.json"
wait $fpid; wait $npid
rc=$?
read -r lines written dropped < <(summary "$work/del.stderr")
n=$(python3 "$work/check.py" "$work/del/eve.json" 2>&1)
if [ $rc = 1 ] && grep -q "eve.json: deleted while open" "$work/del.stderr" \
   && [ "$(grep -c 'deleted while open' "$work/del.stderr")" = 1 ] \
   && [ "$((written + dropped))" = "$lines" ] && [ "$n" -gt 0 ] && [ "$n" -le "$written" ]; then
    ok "deleted underneath: reopened, $n lines in the new file, $dropped counted as file_deleted, $lines = $written + $dropped"
else
    bad "deleted underneath: rc=$rc lines=$lines written=$written dropped=$dropped new file=$n"
    cat "$work/del.stderr"
fi

# ---- 5. rotation by size ------------------------------------------------------
mkdir -p "$work/rot"
"$bin" -r "$work/many.pcap" -l "$work/rot" --set outputs.eve.rotate-size=64kb 2>"$work/rot.stderr"
rc=$?
read -r lines written dropped < <(summary "$work/rot.stderr")
files=$(cd "$work/rot" && ls eve.json.* | sort -t. -k3,3 -k4,4n | sed "s|^|$work/rot/|"; echo "$work/rot/eve.json")
nfiles=$(echo "$files" | wc -l)
n=$(python3 "$work/check.py" $files 2>&1)
big=$(find "$work/rot" -name 'eve.json*' -size +64k | wc -l)
rot=$(sed -n 's/.* \([0-9]*\) rotations.*/\1/p' "$work/rot.stderr")
if [ $rc = 0 ] && [ "$n" = "$lines" ] && [ "$dropped" = 0 ] && [ "$big" = 0 ] && [ "$nfiles" -gt 10 ] \
   && [ "$rot" = $((nfiles - 1)) ]; then
    ok "rotation by size: $nfiles files of at most 64 KiB, $n whole lines, none lost"
else
    bad "rotation by size: rc=$rc files=$nfiles rotations=$rot lines=$lines in files=$n too big=$big"
fi

# ---- 5a. CSV and pcap rotation by size: every file stands on its own ------------
mkdir -p "$work/orot/csv"
"$bin" -r "$work/many.pcap" -l "$work/orot" --csv "$work/orot/csv" -w "$work/orot/out.pcap" \
    --set outputs.csv.rotate-size=32kb --set outputs.pcap.rotate-size=64kb 2>"$work/orot.stderr"
rc=$?
read -r recs pw pd < <(summary "$work/orot.stderr" records)
files=$(rotated "$work/orot" out.pcap)
np=$(echo "$files" | wc -l)
n=$(python3 "$work/pcapcheck.py" --same "$work/many.pcap" $files 2>&1)
td=0
for f in $files; do td=$((td + $(tcpdump -nr "$f" 2>/dev/null | wc -l))); done
big=$(find "$work/orot" -name 'out.pcap*' -size +64k | wc -l)
prot=$(grep "out.pcap: " "$work/orot.stderr" | sed -n 's/.* \([0-9]*\) rotations.*/\1/p')
if [ $rc = 0 ] && [ "$n" = 6000 ] && [ "$recs" = 6000 ] && [ "$pw" = 6000 ] && [ "$pd" = 0 ] \
   && [ "$td" = 6000 ] && [ "$big" = 0 ] && [ "$np" -gt 5 ] && [ "$prot" = $((np - 1)) ]; then
    ok "-w rotation by size: $np pcap files of at most 64 KiB, each with its global header, all $n packets"
else
    bad "-w rotation by size: rc=$rc files=$np rotations=$prot records=$recs written=$pw in files=$n tcpdump=$td too big=$big"
fi
read -r rows cw cd < <(summary "$work/orot.stderr" rows)
files=$(for k in flows rollup_totals rollup_protocols rollup_sizes rollup_talkers rollup_ports \
                 rollup_dns rollup_http rollup_tls; do rotated "$work/orot/csv" $k.csv; done)
nc=$(echo "$files" | wc -l)
n=$(python3 "$work/csvcheck.py" $files 2>&1)
nflows=$(python3 "$work/csvcheck.py" $(rotated "$work/orot/csv" flows.csv) 2>&1)
eflows=$(grep -c '"event_type":"flow"' "$work/orot/eve.json")
big=$(find "$work/orot/csv" -size +32k | wc -l)
if [ $rc = 0 ] && [ "$n" = "$rows" ] && [ "$cw" = "$rows" ] && [ "$cd" = 0 ] && [ "$big" = 0 ] \
   && [ "$nflows" = "$eflows" ] && [ "$nc" -gt 9 ]; then
    ok "--csv rotation by size: $nc files of at most 32 KiB, each with its header row, all $n rows ($nflows flows)"
else
    bad "--csv rotation by size: rc=$rc files=$nc rows=$rows written=$cw in files=$n flows $nflows of $eflows too big=$big"
fi

# ---- 5b. rotation by interval: a 4 s paced run, a new file every second --------
paced rint 4 --set outputs.eve.rotate-interval=1
wait $fpid; wait $npid
rc=$?
read -r lines written dropped < <(summary "$work/rint.stderr")
files=$(cd "$work/rint" && ls eve.json.* 2>/dev/null | sort | sed "s|^|$work/rint/|"; echo "$work/rint/eve.json")
nfiles=$(echo "$files" | wc -l)
n=$(python3 "$work/check.py" $files 2>&1)
if [ $rc = 0 ] && [ "$n" = "$lines" ] && [ "$dropped" = 0 ] && [ "$nfiles" -ge 3 ]; then
    ok "rotation by interval (1 s over a 4 s run): $nfiles files, $n whole lines, none lost"
else
    bad "rotation by interval: rc=$rc files=$nfiles lines=$lines in files=$n dropped=$dropped"
    cat "$work/rint.stderr"
fi

# ---- 6. external rotation: mv, then SIGHUP ------------------------------------
mkdir -p "$work/hup/csv"
paced hup 4 -w "$work/hup/out.pcap" --csv "$work/hup/csv"
sleep 1.5
mv "$work/hup/eve.json" "$work/hup/eve.json.1"
mv "$work/hup/out.pcap" "$work/hup/out.pcap.1"
mv "$work/hup/csv/flows.csv" "$work/hup/csv/flows.csv.1"
kill -HUP $npid
wait $fpid; wait $npid
rc=$?
read -r lines written dropped < <(summary "$work/hup.stderr")
n=$(python3 "$work/check.py" "$work/hup/eve.json.1" "$work/hup/eve.json" 2>&1)
n1=$(python3 "$work/check.py" "$work/hup/eve.json.1" 2>&1)
if [ $rc = 0 ] && [ "$n" = "$lines" ] && [ "$dropped" = 0 ] && [ "$n1" -gt 0 ] && [ "$n1" -lt "$n" ]; then
    ok "mv + SIGHUP: $n1 lines in the moved file, $((n - n1)) in the new one, none lost"
else
    bad "mv + SIGHUP: rc=$rc lines=$lines dropped=$dropped in files=$n (moved $n1)"
    cat "$work/hup.stderr"
fi
read -r recs pw pd < <(summary "$work/hup.stderr" records)
n=$(python3 "$work/pcapcheck.py" --same "$work/many.pcap" "$work/hup/out.pcap.1" "$work/hup/out.pcap" 2>&1)
n1=$(python3 "$work/pcapcheck.py" "$work/hup/out.pcap.1" 2>&1)
nf=$(python3 "$work/csvcheck.py" "$work/hup/csv/flows.csv.1" "$work/hup/csv/flows.csv" 2>&1)
eflows=$(cat "$work/hup/eve.json.1" "$work/hup/eve.json" | grep -c '"event_type":"flow"')
if [ $rc = 0 ] && [ "$n" = 6000 ] && [ "$pw" = 6000 ] && [ "$pd" = 0 ] && [ "$n1" -gt 0 ] \
   && [ "$n1" -lt "$n" ] && [ "$nf" = "$eflows" ]; then
    ok "mv + SIGHUP: -w: $n1 packets in the moved pcap, $((n - n1)) in a new one with its own header; flows.csv: a new one with its header, $nf rows in all"
else
    bad "mv + SIGHUP, -w and --csv: records=$recs written=$pw in files=$n (moved $n1); flows.csv rows $nf of $eflows"
fi

# ---- 7. SIGKILL mid-run: all lines but possibly the last whole ----------------
paced kill 4
sleep 2
kill -KILL $npid
wait $npid 2>/dev/null
kill $fpid 2>/dev/null; wait $fpid 2>/dev/null
if n=$(python3 "$work/check.py" --cut-last "$work/kill/eve.json") && [ "$n" -gt 0 ]; then
    ok "SIGKILL: $n whole lines written before the kill"
else
    bad "SIGKILL: $n"
fi

# ---- 8. SIGTERM mid-run: every line whole, ends with the final stats ---------
paced term 4
sleep 2
kill -TERM $npid
wait $npid
rc=$?
kill $fpid 2>/dev/null; wait $fpid 2>/dev/null
read -r lines written dropped < <(summary "$work/term.stderr")
n=$(python3 "$work/check.py" "$work/term/eve.json" 2>&1)
if [ "$n" = "${lines:-x}" ] && [ "$dropped" = 0 ] && tail -1 "$work/term/eve.json" | grep -q '"event_type":"stats"'; then
    ok "SIGTERM: exit $rc, all $n lines whole, the last one the final stats"
else
    bad "SIGTERM: rc=$rc lines=$lines in file=$n"
fi

# ---- 9. eve.json is a FIFO whose reader stalls -------------------------------
# stalled FIFO OUT STDERR ARGS...: a reader opens FIFO, takes nothing for
# 3 s, then copies everything to OUT, while netscope ARGS runs (60 s at
# most).  Sets rc (netscope's exit status) and secs (how long it ran).
stalled() {
    local fifo=$1 out=$2 err=$3 rpid t0
    shift 3
    mkfifo "$fifo"
    timeout 60 python3 -c '
import sys, time
fh = open(sys.argv[1], "rb"); time.sleep(3)
open(sys.argv[2], "wb").write(fh.read())' "$fifo" "$out" &
    rpid=$!
    sleep 2    # python (a pyenv shim here) must be blocked in open() first
    t0=$(date +%s)
    timeout 60 "$bin" "$@" 2>"$err"
    rc=$?
    secs=$(($(date +%s) - t0))
    wait $rpid
}
mkdir -p "$work/fifo"
stalled "$work/fifo/eve.json" "$work/fifo.out" "$work/fifo.stderr" \
    -r "$work/many.pcap" -l "$work/fifo" --set outputs.eve.write-timeout=500
read -r lines written dropped < <(summary "$work/fifo.stderr")
# a pipe cannot be cut back: the line the stalled reader was in the middle
# of at exit stays cut (the same promise as after SIGKILL)
n=$(python3 "$work/check.py" --cut-last "$work/fifo.out" 2>&1)
if [ $rc = 1 ] && [ "$n" = "$written" ] && [ "$dropped" -gt 0 ] && [ $((written + dropped)) = "$lines" ] \
   && grep -q "slow_consumer $dropped" "$work/fifo.stderr" \
   && [ "$(grep -c 'the reader took nothing' "$work/fifo.stderr")" -ge 1 ] && [ "$secs" -lt 10 ]; then
    ok "stalled FIFO reader: no hang ($secs s), $written lines whole, $dropped dropped as slow_consumer"
else
    bad "stalled FIFO reader: rc=$rc t=$secs lines=$lines written=$written dropped=$dropped read=$n"
    cat "$work/fifo.stderr"
fi
# -w to a FIFO whose reader stalls: the pcap's own write-timeout (eve's
# is 10 minutes here, so waiting on it would hang the run)
mkdir -p "$work/wfifo"
stalled "$work/fifo/w.pcap" "$work/wfifo.out" "$work/wfifo.stderr" \
    -r "$work/many.pcap" -l "$work/wfifo" -w "$work/fifo/w.pcap" \
    --set outputs.pcap.write-timeout=500 --set outputs.eve.write-timeout=600000
read -r recs written dropped < <(summary "$work/wfifo.stderr" records)
n=$(python3 "$work/pcapcheck.py" --cut-last "$work/wfifo.out" 2>&1)
if [ $rc = 1 ] && [ "$recs" = 6000 ] && [ "$n" = "${written:-x}" ] && [ "$dropped" -gt 0 ] \
   && [ $((written + dropped)) = "$recs" ] && grep -q "w.pcap: $recs records = .*slow_consumer $dropped" "$work/wfifo.stderr" \
   && [ "$secs" -lt 10 ]; then
    ok "-w to a stalled FIFO (outputs.pcap.write-timeout 500 ms): no hang ($secs s), $n records whole, $dropped dropped as slow_consumer"
else
    bad "-w to a stalled FIFO: rc=$rc t=$secs records=$recs written=$written dropped=$dropped read=$n"
    cat "$work/wfifo.stderr"
fi
# a reader that keeps up: nothing dropped
rm -f "$work/fifo/eve.json"; mkfifo "$work/fifo/eve.json"
cat "$work/fifo/eve.json" >"$work/fifo2.out" &
rpid=$!
"$bin" -r "$work/many.pcap" -l "$work/fifo" 2>"$work/fifo2.stderr"
rc=$?
wait $rpid
read -r lines written dropped < <(summary "$work/fifo2.stderr")
n=$(python3 "$work/check.py" "$work/fifo2.out" 2>&1)
if [ $rc = 0 ] && [ "$n" = "$lines" ] && [ "$dropped" = 0 ]; then
    ok "FIFO with a reader that keeps up: all $n lines, none dropped"
else
    bad "FIFO reader keeping up: rc=$rc lines=$lines dropped=$dropped read=$n"
fi

echo "output_safety: $pass passed, $fail failed"
[ $fail = 0 ]
