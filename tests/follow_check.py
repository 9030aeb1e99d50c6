#!/usr/bin/env python3
"""follow_check.py NETSCOPE PCAP [--shuffle]: `netscope follow` against tshark.

For every TCP stream tshark finds in PCAP, the bytes each direction carried
(tshark -z follow,tcp,raw) must equal what `netscope follow --format json`
prints for the same endpoints.  With --shuffle the check runs on a copy of
PCAP in which each pair of neighbouring data segments sent the same way is
swapped (out-of-order delivery), compared with tshark's view of the
original.  Prints one line per stream; exits 1 on any difference."""
import base64, json, os, re, struct, subprocess, sys, tempfile


def tshark_streams(pcap):
    out = subprocess.run(["tshark", "-r", pcap, "-T", "fields", "-e", "tcp.stream"],
                         capture_output=True, text=True).stdout.split()
    return sorted({int(x) for x in out if x.strip().isdigit()})


def tshark_follow(pcap, idx):
    txt = subprocess.run(["tshark", "-r", pcap, "-q", "-z", "follow,tcp,raw,%d" % idx],
                         capture_output=True, text=True).stdout
    nodes, data = [], [bytearray(), bytearray()]
    for line in txt.splitlines():
        m = re.match(r"Node [01]: (.*):(\d+)$", line)
        if m:
            nodes.append((m.group(1).strip("[]"), int(m.group(2))))
            continue
        if re.fullmatch(r"\t?[0-9a-f]+", line):
            d = 1 if line.startswith("\t") else 0
            data[d] += bytes.fromhex(line.strip())
    # tshark writes its own marker where bytes were lost; we write none
    data = [bytearray(re.sub(rb"\[\d+ bytes missing in capture file\]\x00?", b"", bytes(x)))
            for x in data]
    return nodes, data


def netscope_follow(ns, pcap, nodes):
    eps = ["[%s]:%d" % n if ":" in n[0] else "%s:%d" % n for n in nodes]
    r = subprocess.run([ns, "follow", "-r", pcap, "--format", "json"] + eps,
                       capture_output=True, text=True)
    if r.returncode != 0:
        return None, r.stderr.strip()
    lines = [json.loads(l) for l in r.stdout.splitlines()]
    head = lines[0]["follow"]
    cli = (head["client"]["ip"], head["client"]["port"])
    data = [bytearray(), bytearray()]
    for rec in lines[1:]:
        if "data" in rec:
            data[0 if rec["dir"] == "toserver" else 1] += base64.b64decode(rec["data"])
    # tshark's node 0 sent the first segment; ours is the client
    if not same_ep(cli, nodes[0]):
        data.reverse()
    return data, ""


def same_ep(a, b):
    import ipaddress
    return ipaddress.ip_address(a[0]) == ipaddress.ip_address(b[0]) and a[1] == b[1]


def shuffled_copy(pcap, out):
    """Swaps neighbouring TCP data packets of one flow and direction."""
    raw = open(pcap, "rb").read()
    magic = raw[:4]
    e = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    dlt = struct.unpack_from(e + "I", raw, 20)[0]
    recs, off = [], 24
    while off + 16 <= len(raw):
        incl = struct.unpack_from(e + "I", raw, off + 8)[0]
        recs.append(raw[off:off + 16 + incl])
        off += 16 + incl

    def key(rec):
        fr = rec[16:]
        base = 14 if dlt == 1 else 0
        if len(fr) < base + 20 or fr[base] >> 4 != 4 or fr[base + 9] != 6:
            return None
        ihl = (fr[base] & 15) * 4
        tot = struct.unpack_from(">H", fr, base + 2)[0]
        th = base + ihl
        doff = (fr[th + 12] >> 4) * 4
        if tot - ihl - doff <= 0:
            return None
        return fr[base + 12:base + 20] + fr[th:th + 4]

    i = swaps = 0
    while i + 1 < len(recs):
        k1, k2 = key(recs[i]), key(recs[i + 1])
        if k1 is not None and k1 == k2:
            # keep timestamps in order: swap the frames, not the headers
            a, b = recs[i], recs[i + 1]
            recs[i] = a[:16] + b[16:]
            recs[i] = recs[i][:8] + b[8:16] + recs[i][16:]
            recs[i + 1] = b[:16] + a[16:]
            recs[i + 1] = recs[i + 1][:8] + a[8:16] + recs[i + 1][16:]
            i += 2
            swaps += 1
        else:
            i += 1
    open(out, "wb").write(raw[:24] + b"".join(recs))
    return swaps


def main():
    ns, pcap = sys.argv[1], sys.argv[2]
    shuffle = "--shuffle" in sys.argv[3:]
    target = pcap
    tmp = None
    if shuffle:
        fd, tmp = tempfile.mkstemp(suffix=".pcap")
        os.close(fd)
        if shuffled_copy(pcap, tmp) == 0:
            print("FAIL %s: nothing to shuffle" % os.path.basename(pcap))
            sys.exit(1)
        target = tmp
    bad = 0
    streams = tshark_streams(pcap)
    for idx in streams:
        nodes, want = tshark_follow(pcap, idx)
        if len(nodes) != 2:
            continue
        got, err = netscope_follow(ns, target, nodes)
        name = "%s stream %d%s" % (os.path.basename(pcap), idx, " shuffled" if shuffle else "")
        if got is None:
            print("FAIL %s: %s" % (name, err))
            bad += 1
        elif got != want:
            print("FAIL %s: toserver %d/%d bytes, toclient %d/%d bytes (netscope/tshark)"
                  % (name, len(got[0]), len(want[0]), len(got[1]), len(want[1])))
            bad += 1
        else:
            print("ok %s: %d + %d bytes" % (name, len(want[0]), len(want[1])))
    if tmp:
        os.unlink(tmp)
    sys.exit(1 if bad else 0)


main()
