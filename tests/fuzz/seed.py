#!/usr/bin/env python3
"""seed.py OUTDIR PCAP...: libFuzzer seeds for fuzz_dissect from real captures.

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

def main():
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
