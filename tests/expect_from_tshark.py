#!/usr/bin/env python3
"""expect_from_tshark.py PCAP > tests/expected/NAME.expect

Writes the flow records a capture must produce, derived with tshark (an
independent dissector), not with NetScope: one line per TCP/UDP
conversation with its client (the first packet's sender, or the receiver
of a SYN/ACK seen first), packets and captured bytes per direction, VLAN
ids, and the application protocol where tshark recognised one (http, dns,
tls).  Unfragmented traffic only: tshark counts fragments as frames, while
a flow counts reassembled datagrams.  Used once to write the committed
tests/expected files; e2e.sh checks NetScope's output against them."""
import collections, json, subprocess, sys

FIELDS = ["frame.cap_len", "vlan.id", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst",
          "tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport", "tcp.flags", "frame.protocols",
          "ip.flags.mf", "ip.frag_offset"]

def full6(a):
    import ipaddress
    return ipaddress.IPv6Address(a).exploded

def main():
    cmd = ["tshark", "-n", "-r", sys.argv[1], "-T", "fields", "-E", "separator=\t", "-E", "occurrence=f"]
    for f in FIELDS:
        cmd += ["-e", f]
    rows = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.splitlines()
    convs = collections.OrderedDict()
    for row in rows:
        v = dict(zip(FIELDS, row.split("\t")))
        src, dst = v["ip.src"], v["ip.dst"]
        if not src:
            src, dst = v["ipv6.src"], v["ipv6.dst"]
            if not src:
                continue
            src, dst = full6(src), full6(dst)
        if v["tcp.srcport"]:
            proto, sp, dp = "TCP", int(v["tcp.srcport"]), int(v["tcp.dstport"])
        elif v["udp.srcport"]:
            proto, sp, dp = "UDP", int(v["udp.srcport"]), int(v["udp.dstport"])
        else:
            continue
        if v.get("ip.flags.mf") == "1" or v.get("ip.frag_offset") not in ("", "0"):
            continue
        vlan = v["vlan.id"]
        key = (proto, vlan) + tuple(sorted([(src, sp), (dst, dp)]))
        c = convs.get(key)
        if c is None:
            flags = int(v["tcp.flags"], 16) if v["tcp.flags"] else 0
            synack = proto == "TCP" and flags & 0x12 == 0x12
            cli = (dst, dp) if synack else (src, sp)
            srv = (src, sp) if synack else (dst, dp)
            c = convs[key] = {"cli": cli, "srv": srv, "pkts": [0, 0], "bytes": [0, 0],
                              "vlan": vlan, "apps": set()}
        d = 0 if (src, sp) == c["cli"] else 1
        c["pkts"][d] += 1
        c["bytes"][d] += int(v["frame.cap_len"])
        for app in ("http", "dns", "tls"):
            if app in v["frame.protocols"].split(":"):
                c["apps"].add(app)
    print(f"# derived with tshark from {sys.argv[1].split('/')[-1]} by tests/expect_from_tshark.py")
    for (proto, vlan, *_), c in convs.items():
        m = {"event_type": "flow", "proto": proto,
             "src_ip": c["cli"][0], "src_port": c["cli"][1],
             "dest_ip": c["srv"][0], "dest_port": c["srv"][1],
             "flow.pkts_toserver": c["pkts"][0], "flow.pkts_toclient": c["pkts"][1],
             "flow.bytes_toserver": c["bytes"][0], "flow.bytes_toclient": c["bytes"][1]}
        if vlan:
            m["vlan"] = [int(x) for x in vlan.split(",")]
        if len(c["apps"]) == 1:
            m["app_proto"] = c["apps"].pop()
        print(json.dumps({"count": 1, "match": m}))

main()
