#!/usr/bin/env python3
"""seed.py OUTDIR PCAP...: libFuzzer seeds for fuzz_dissect from real captures.
seed.py --chunks OUTDIR PCAP...: seeds for the app-layer parser targets
(tests/fuzz/fuzz_appl.h's chunk format): one seed per TCP or UDP
conversation of an Ethernet/raw/Linux-cooked IPv4/IPv6 capture, its
payloads in capture order, each [dir][len16][bytes] (dir 1: the first
sender), at most 64 KiB per seed.

Each seed is one captured frame prefixed with the index of its link type in
fuzz_dissect.c's table; at most 4000 seeds, frames of unsupported link types
skipped.  Plain pcap only (pcapng files are skipped)."""
import hashlib, os, struct, sys

DLTS = [1, 113, 276, 0, 108, 12, 14, 101, 228, 229]   # order of fuzz_dlts[]

def frames(path):
    d = open(path, "rb").read()
    if len(d) < 24:
        return
    magic = d[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        return
    dlt = struct.unpack_from(e + "I", d, 20)[0] & 0xffff
    if dlt not in DLTS:
        return
    off = 24
    while off + 16 <= len(d):
        incl = struct.unpack_from(e + "I", d, off + 8)[0]
        if incl > 65535 or off + 16 + incl > len(d):
            return
        yield DLTS.index(dlt), d[off + 16:off + 16 + incl]
        off += 16 + incl

def l4_payload(dlt, fr):
    """(src, sport, dst, dport, proto, payload) of an IPv4/IPv6 TCP/UDP frame."""
    if dlt == 1:
        off, et = 14, fr[12:14] if len(fr) >= 14 else b""
        while et in (b"\x81\x00", b"\x88\xa8") and len(fr) >= off + 4:
            et, off = fr[off + 2:off + 4], off + 4
    elif dlt == 113:
        off, et = 16, fr[14:16] if len(fr) >= 16 else b""
    elif dlt in (101, 12, 228, 229, 14):
        off = 0
        et = b"\x08\x00" if fr[:1] and fr[0] >> 4 == 4 else b"\x86\xdd"
    else:
        return None
    ip = fr[off:]
    if et == b"\x08\x00" and len(ip) >= 20 and ip[0] >> 4 == 4:
        ihl = (ip[0] & 15) * 4
        if struct.unpack_from(">H", ip, 6)[0] & 0x3fff:
            return None     # fragment
        proto, src, dst, l4 = ip[9], ip[12:16], ip[16:20], ip[ihl:struct.unpack_from(">H", ip, 2)[0]]
    elif et == b"\x86\xdd" and len(ip) >= 40:
        proto, src, dst, l4 = ip[6], ip[8:24], ip[24:40], ip[40:40 + struct.unpack_from(">H", ip, 4)[0]]
    else:
        return None
    if proto == 6 and len(l4) >= 20:
        sp, dp = struct.unpack_from(">HH", l4)
        return src, sp, dst, dp, 6, l4[(l4[12] >> 4) * 4:]
    if proto == 17 and len(l4) >= 8:
        sp, dp = struct.unpack_from(">HH", l4)
        return src, sp, dst, dp, 17, l4[8:]
    return None

def chunks(out, paths):
    os.makedirs(out, exist_ok=True)
    n = 0
    for p in paths:
        convs = {}
        for idx, fr in frames(p):
            r = l4_payload(DLTS[idx], fr)
            if not r or not r[5]:
                continue
            src, sp, dst, dp, proto, pl = r
            key = (proto,) + tuple(sorted([(src, sp), (dst, dp)]))
            c = convs.setdefault(key, {"first": (src, sp), "data": bytearray()})
            if len(c["data"]) + 3 + len(pl) > 65536:
                continue
            d = 1 if (src, sp) == c["first"] else 0
            c["data"] += bytes([d]) + struct.pack(">H", len(pl)) + pl
        for c in convs.values():
            blob = bytes(c["data"])
            path = os.path.join(out, hashlib.sha1(blob).hexdigest())
            if not os.path.exists(path):
                open(path, "wb").write(blob)
                n += 1
    print(f"seed.py: {n} seeds in {out}")

def main():
    if sys.argv[1] == "--chunks":
        chunks(sys.argv[2], sys.argv[3:])
        return
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    n = 0
    for p in sys.argv[2:]:
        for idx, fr in frames(p):
            blob = bytes([idx]) + fr[:2048]
            name = hashlib.sha1(blob).hexdigest()
            path = os.path.join(out, name)
            if not os.path.exists(path):
                open(path, "wb").write(blob)
                n += 1
            if n >= 4000:
                print(f"seed.py: {n} seeds in {out}")
                return
    print(f"seed.py: {n} seeds in {out}")

main()
