#!/usr/bin/env bash
# demo.sh: analyse the sample capture that ships in the repo and show what
# came out.  Run through `make demo`, which installs and builds first.
set -euo pipefail
cd "$(dirname "$0")/.."
pcap=tests/pcaps/mixed.pcapng
[ -f "$pcap" ] || pcap=tests/pcaps/http_curl.pcap
out=build/demo
rm -rf "$out" && mkdir -p "$out"
echo "== netscope -r $pcap -l $out"
build/netscope -r "$pcap" -l "$out"
echo
echo "== flows (from $out/eve.json)"
python3 - "$out/eve.json" <<'PY'
import json, sys, collections
types = collections.Counter()
for line in open(sys.argv[1]):
    r = json.loads(line)
    types[r["event_type"]] += 1
    if r["event_type"] == "flow":
        f = r["flow"]
        ep = lambda ip, port: f"{ip}:{port}" if port is not None else ip
        print(f'  {r["proto"]:<5} {r.get("app_proto", "-"):<7} {ep(r["src_ip"], r.get("src_port")):>22} -> {ep(r["dest_ip"], r.get("dest_port")):<22}'
              f' {f["pkts_toserver"]:>4}/{f["pkts_toclient"]:<4} pkts {f["bytes_toserver"]:>7}/{f["bytes_toclient"]:<7} bytes'
              f'  {f["state"]:<11} {r.get("netscope", {}).get("conn_state", "")}')
    elif r["event_type"] == "stats":
        last = r["stats"]
print("== records by type:", ", ".join(f"{k} {v}" for k, v in sorted(types.items())))
a = last["accounting"]
print(f'== packets: {a["read"]} read = {a["decoded"]} decoded + {a["filtered"]} filtered + '
      f'{a["unsupported"]} unsupported + {a["invalid"]} invalid')
PY
echo
echo "EVE JSON written to $(pwd)/$out/eve.json"
