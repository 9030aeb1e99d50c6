#!/usr/bin/env python3
"""sv_engine.py - run NetScope on one suricata-verify test with the settings the test assumes.

    sv_engine.py [--print] NETSCOPE PCAP OUTDIR

Runs `NETSCOPE -r PCAP -l OUTDIR --threads 1 [--set KEY=VALUE ...]` and exits with its
status.  Meant as sv_suite.py's engine command:

    sv_suite.py --engine 'python3 tests/sv_engine.py build/netscope {pcap} {outdir}' CORPUS

The test is found from OUTDIR's name, which sv_suite.py makes from the test's name with
"/" replaced by "__" (dns/v2/bug-1158 -> dns__v2__bug-1158), under the corpus that holds
PCAP (the first folder above PCAP with tests/<name>/test.yaml), or under $SV_CORPUS.

The --set options come from what the test assumes of Suricata, in this order (a later
source wins): its suricata.yaml (the eve-log writing eve.json: ethernet, community-id-seed,
dns version/requests/responses, dhcp extended; app-layer.protocols.dns enabled,
tcp.enabled, udp.enabled; stream.midstream, stream.reassembly.depth), the `--set` options
among test.yaml's `args:` (the same keys), and test.yaml's `env:` SURICATA_EVE_DNS_VERSION.
Only settings NetScope implements are passed; anything else (`-k none`: NetScope never
drops packets over bad checksums; other protocols' parsers; ...) is left out silently, and
so is a value NetScope would not accept.  The eve-log's list of types is left out too:
NetScope runs a protocol's parser only when its records are written, so narrowing the
types would also switch off detection that Suricata still does (its anomalies, app_proto).  A test file that cannot be read or parsed adds no
settings: the run goes on with the defaults.  --print prints the command instead of
running it.
"""
import os
import re
import shlex
import sys

try:
    import yaml
except ImportError:  # pragma: no cover - no settings without PyYAML
    yaml = None

def as_bool(v):
    """yes/no for a Suricata boolean, None when it is not one.  detection-only (the
    protocol is detected but not parsed, so nothing is logged) counts as no."""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int):
        return "yes" if v else "no"
    if isinstance(v, str):
        s = v.strip().lower()
        if s in ("yes", "true", "on", "1"):
            return "yes"
        if s in ("no", "false", "off", "0", "detection-only"):
            return "no"
    return None


def as_size(v):
    """A size in bytes with an optional kb/mb/gb suffix, as NetScope reads it (Suricata's
    "32 KiB" is 1024-based too: 32kb)."""
    if isinstance(v, bool):
        return None
    m = re.fullmatch(r"([0-9]+)\s*(?:([kmg])i?b)?", str(v).strip(), re.IGNORECASE)
    if not m:
        return None
    unit = (m.group(2) or "").lower()
    if int(m.group(1)) << {"": 0, "k": 10, "m": 20, "g": 30}[unit] > 1 << 30:
        return None                 # past stream.reassembly.depth's 1gb
    return m.group(1) + (unit + "b" if unit else "")


def as_int_in(lo, hi):
    def conv(v):
        if isinstance(v, bool):
            return None
        try:
            n = int(str(v).strip())
        except ValueError:
            return None
        return str(n) if lo <= n <= hi else None
    return conv


# Suricata key (flattened, see flatten()) -> (NetScope key, value converter).
EVE = r"outputs\.\d+\.eve-log\."
KEYS = [
    (EVE + r"ethernet", "outputs.eve.ethernet", as_bool),
    (EVE + r"community-id-seed", "outputs.eve.community-id-seed", as_int_in(0, 65535)),
    (EVE + r"types\.\d+\.dns\.version", "outputs.eve.dns.version", as_int_in(2, 3)),
    (EVE + r"types\.\d+\.dns\.requests", "outputs.eve.dns.requests", as_bool),
    (EVE + r"types\.\d+\.dns\.responses", "outputs.eve.dns.responses", as_bool),
    (EVE + r"types\.\d+\.dhcp\.extended", "outputs.eve.dhcp-extended", as_bool),
    (r"app-layer\.protocols\.dns\.enabled", "app-layer.protocols.dns.enabled", as_bool),
    (r"app-layer\.protocols\.dns\.tcp\.enabled", "app-layer.protocols.dns.tcp.enabled", as_bool),
    (r"app-layer\.protocols\.dns\.udp\.enabled", "app-layer.protocols.dns.udp.enabled", as_bool),
    (r"stream\.midstream", "stream.midstream", as_bool),
    (r"stream\.reassembly\.depth", "stream.reassembly.depth", as_size),
]


def flatten(node, prefix, out):
    """{"a": {"b": [x, {"c": y}]}} -> {"a.b.0": x, "a.b.1.c": y}, as Suricata's --set
    names the keys of its yaml (list items by index)."""
    if isinstance(node, dict):
        for k, v in node.items():
            flatten(v, "%s%s." % (prefix, k), out)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            flatten(v, "%s%d." % (prefix, i), out)
    elif prefix:
        out[prefix[:-1]] = node


def load_yaml(path):
    """The document at path, or None (missing, unreadable or not YAML)."""
    if yaml is None or not os.path.isfile(path):
        return None
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return yaml.safe_load(f)
    except Exception:  # any odd file: no settings from it
        return None


def eve_log_indices(doc):
    """Indices in outputs of the eve-log outputs that write eve.json (the file the
    checks read)."""
    found = []
    outs = doc.get("outputs") if isinstance(doc, dict) else None
    if not isinstance(outs, list):
        return found
    for i, o in enumerate(outs):
        if not isinstance(o, dict) or not isinstance(o.get("eve-log"), dict):
            continue
        eve = o["eve-log"]
        if str(eve.get("filename") or "eve.json") != "eve.json":
            continue
        found.append(i)
    return found


def translate(flat, out):
    """Adds to out (NetScope key -> value) what flat (Suricata key -> value) says."""
    for key, value in flat.items():
        for pattern, ours, conv in KEYS:
            if re.fullmatch(pattern, key):
                v = conv(value)
                if v is not None:
                    out[ours] = v
                break


def from_suricata_yaml(path, out):
    doc = load_yaml(path)
    if not isinstance(doc, dict):
        return
    flat = {}
    flatten(doc, "", flat)
    keep = set(eve_log_indices(doc))
    # eve-log keys only from the outputs that write eve.json
    flat = {k: v for k, v in flat.items()
            if not re.match(r"outputs\.\d+\.", k) or int(k.split(".")[1]) in keep}
    translate(flat, out)


def from_test_yaml(path, out):
    doc = load_yaml(path)
    if not isinstance(doc, dict):
        return
    args = doc.get("args") or []
    if isinstance(args, str):
        args = [args]
    words = []
    for a in args if isinstance(args, list) else []:
        try:
            words += shlex.split(str(a))
        except ValueError:
            continue
    flat = {}
    for i, w in enumerate(words):
        kv = None
        if w == "--set" and i + 1 < len(words):
            kv = words[i + 1]
        elif w.startswith("--set="):
            kv = w[len("--set="):]
        if kv and "=" in kv:
            k, v = kv.split("=", 1)
            flat[k.strip()] = v.strip()
    translate(flat, out)
    env = doc.get("env")
    if isinstance(env, dict) and "SURICATA_EVE_DNS_VERSION" in env:
        v = as_int_in(2, 3)(env["SURICATA_EVE_DNS_VERSION"])
        if v is not None:
            out["outputs.eve.dns.version"] = v


def test_dir(pcap, outdir):
    name = os.path.basename(os.path.normpath(outdir)).replace("__", "/")
    roots = []
    if os.environ.get("SV_CORPUS"):
        roots.append(os.environ["SV_CORPUS"])
    d = os.path.dirname(os.path.abspath(pcap))
    while True:
        roots.append(d)
        up = os.path.dirname(d)
        if up == d:
            break
        d = up
    for r in roots:
        t = os.path.join(r, "tests", name)
        if os.path.isfile(os.path.join(t, "test.yaml")):
            return t
    return None


def settings(pcap, outdir):
    """NetScope --set assignments for the test behind outdir; [] when unknown."""
    out = {}
    try:
        t = test_dir(pcap, outdir)
        if t:
            from_suricata_yaml(os.path.join(t, "suricata.yaml"), out)
            from_test_yaml(os.path.join(t, "test.yaml"), out)
    except Exception:  # never fail the run over the test's files
        out = {}
    return ["%s=%s" % kv for kv in out.items()]


def main(argv):
    show = len(argv) > 1 and argv[1] == "--print"
    if show:
        argv = argv[:1] + argv[2:]
    if len(argv) != 4:
        sys.stderr.write("usage: sv_engine.py [--print] NETSCOPE PCAP OUTDIR\n")
        return 2
    netscope, pcap, outdir = argv[1:]
    cmd = [netscope, "-r", pcap, "-l", outdir, "--threads", "1"]
    for s in settings(pcap, outdir):
        cmd += ["--set", s]
    if show:
        print(" ".join(shlex.quote(c) for c in cmd))
        return 0
    sys.stdout.flush()
    os.execvp(netscope, cmd)
    return 127  # not reached


if __name__ == "__main__":
    sys.exit(main(sys.argv))
