#!/usr/bin/env python3
"""tshark_diff.py NETSCOPE DIR [--min 99] [--list N]: NetScope against tshark.

For every capture under DIR, the transactions both tools see:
  dns   the first query name of each DNS message (requests and responses),
  http  host and URI of each HTTP request,
  tls   the SNI of each TLS ClientHello over TCP that has one,
as NetScope's EVE records report them (netscope -r, midstream pickup on)
and as `tshark -T fields` does.  Per kind, transactions are compared as
multisets per capture: agreeing = the intersection, total = the union.
Prints the agreement per kind and the disagreements (with the side that
has the extra one); exits 1 when a kind is below --min percent."""
import argparse, collections, concurrent.futures, re, json, os, shutil, subprocess, sys, tempfile

KINDS = ("dns", "http", "tls")
FIELDS = ["frame.protocols", "tcp.stream", "dns.qry.name", "http.request", "http.host", "http.request.uri",
          "tls.handshake.type", "tls.handshake.extensions_server_name"]


def norm_name(s, ours):
    """Bytes outside printable ASCII: NetScope escapes them (\\xNN, as
    Suricata), tshark shows U+FFFD; both become '?'."""
    if ours:
        s = re.sub(r"\\x[0-9a-fA-F]{2}", "?", s)
        s = "" if s == "<root>" else s
    else:
        s = re.sub(r"\\([0-7]{3}|[a-z\\])", "?", s)     # tshark's C escapes
    s = "".join(c if " " <= c <= "~" else "?" for c in s).lower().rstrip(".")
    return re.sub(r"\?+", "?", s)       # tshark folds some byte runs into one U+FFFD


def norm_http(s, ours):
    """HTTP host and URI: tshark's string fields end at a NUL byte (the
    rest of the value is not in its output) and show every byte outside
    ASCII as U+FFFD, where NetScope writes valid UTF-8 as it is and other
    bytes as \\xNN; both are compared as far as tshark can show them, with
    such bytes as '?', as for DNS names (norm_name)."""
    if ours:
        s = s.split("\x00", 1)[0]
        s = re.sub(r"\\x[0-9a-fA-F]{2}", "?", s)
    s = "".join(c if " " <= c <= "~" else "?" for c in s)
    return re.sub(r"\?+", "?", s)


# Where tshark cannot decode a DNS name (a label of the reserved types 01
# and 10, RFC 6891 section 5) it writes this placeholder, which is not a
# name: such a message has no name to compare, as when tshark leaves the
# field empty (and NetScope logs no question for it either).
TSHARK_NO_NAME = ("<Unknown extended label>",)


def tshark_txs(pcap):
    """One tshark pass.  tshark calls mDNS and LLMNR protocols of their own
    and dissects SSDP (HTTP over UDP multicast) as http: those are left out,
    as is DNS quoted inside ICMP errors (not a transaction).  TCP segments
    that arrive out of order are reassembled, as NetScope does (README, TCP
    reassembly): by default tshark does not, and misses the requests they
    carry."""
    cmd = ["tshark", "-r", pcap, "-o", "tcp.reassemble_out_of_order:TRUE",
           "-Y", "dns || http.request || tls.handshake.type == 1",
           "-T", "fields", "-E", "occurrence=f", "-E", "separator=\t"]
    for f in FIELDS:
        cmd += ["-e", f]
    r = subprocess.run(cmd, capture_output=True, text=True, errors="replace")
    out = {k: collections.Counter() for k in KINDS}
    hellos = set()
    for line in r.stdout.splitlines():
        v = dict(zip(FIELDS, line.split("\t")))
        protos = v.get("frame.protocols", "").split(":")
        if "icmp" in protos or "icmpv6" in protos:
            continue
        if "dns" in protos and v.get("dns.qry.name") and v["dns.qry.name"] not in TSHARK_NO_NAME:
            name = v["dns.qry.name"]
            out["dns"][norm_name("" if name == "<Root>" else name, False)] += 1
        if v.get("http.request") and "tcp" in protos:
            host = v.get("http.host", "").lower()
            host = host.rsplit(":", 1)[0] if host.count(":") == 1 else host.strip("[]")
            out["http"][(norm_http(host, False), norm_http(v.get("http.request.uri", ""), False))] += 1
        # TLS over TCP: tshark also decrypts QUIC Initial packets and shows
        # their ClientHello, which is QUIC's, not a tls transaction
        if "1" in v.get("tls.handshake.type", "").split(",") and "tcp" in protos and \
                v.get("tls.handshake.extensions_server_name"):
            # a handshake is one transaction: a second ClientHello on the
            # connection (after a HelloRetryRequest) belongs to it
            key = (v.get("tcp.stream"), v["tls.handshake.extensions_server_name"].lower())
            if key not in hellos:
                hellos.add(key)
                out["tls"][key[1]] += 1
    return out


def netscope_txs(ns, pcap, tmp):
    d = tempfile.mkdtemp(dir=tmp)
    r = subprocess.run([ns, "-r", pcap, "-l", d, "--threads", "1", "--set",
                        "stream.midstream=yes", "--types", "dns,http,tls"],
                       capture_output=True, text=True)
    out = {k: collections.Counter() for k in KINDS}
    path = os.path.join(d, "eve.json")
    if r.returncode not in (0, 1) or not os.path.exists(path):
        return out, "netscope exit %d: %s" % (r.returncode, r.stderr.strip()[-200:])
    for line in open(path, errors="replace"):
        rec = json.loads(line)
        t = rec.get("event_type")
        if t == "dns" and {rec.get("src_port"), rec.get("dest_port")} & {5353, 5355}:
            continue                # mDNS, LLMNR: not tshark's dns
        if t == "dns":
            q = rec["dns"].get("queries") or []
            if q:
                out["dns"][norm_name(q[0].get("rrname", ""), True)] += 1
        elif t == "http":
            h = rec["http"]
            if "http_method" in h:
                out["http"][(norm_http(h.get("hostname", ""), True), norm_http(h.get("url", ""), True))] += 1
        elif t == "tls":
            sni = rec["tls"].get("sni")
            if sni:
                out["tls"][sni.lower()] += 1
    shutil.rmtree(d)
    return out, ""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("netscope")
    ap.add_argument("dir")
    ap.add_argument("--min", type=float, default=99.0)
    ap.add_argument("--list", type=int, default=40, help="disagreements shown per kind")
    o = ap.parse_args()
    pcaps = sorted(os.path.join(r, f) for r, _, fs in os.walk(o.dir) for f in fs
                   if f.endswith((".pcap", ".pcapng", ".cap")))
    agree = collections.Counter()
    total = collections.Counter()
    diffs = collections.defaultdict(list)
    tmp = tempfile.mkdtemp()

    def one(p):
        return p, tshark_txs(p), netscope_txs(o.netscope, p, tmp)

    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as ex:
        results = list(ex.map(one, pcaps))
    for p, t, (n, err) in results:
        if err:
            print("error: %s: %s" % (p, err))
        for kind in KINDS:
            a, b = t[kind], n[kind]
            agree[kind] += sum((a & b).values())
            total[kind] += sum((a | b).values())
            for k, v in (a - b).items():
                diffs[kind].append("%s: tshark only x%d: %s" % (os.path.basename(p), v, k))
            for k, v in (b - a).items():
                diffs[kind].append("%s: netscope only x%d: %s" % (os.path.basename(p), v, k))
    shutil.rmtree(tmp)
    rc = 0
    for kind in KINDS:
        rate = 100.0 * agree[kind] / total[kind] if total[kind] else 100.0
        print("%-5s %6d of %6d transactions agree (%.2f %%) over %d captures"
              % (kind, agree[kind], total[kind], rate, len(pcaps)))
        for line in diffs[kind][:o.list]:
            print("      " + line)
        if len(diffs[kind]) > o.list:
            print("      ... %d more" % (len(diffs[kind]) - o.list))
        if rate < o.min:
            rc = 1
    sys.exit(rc)


main()
