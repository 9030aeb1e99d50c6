"""rollup_check.py EVE [CSV_DIR] [--whole-sketch]: the rollup records of EVE add up.

- summed over the rollups, packets/bytes and packets per L3/L4 protocol
  equal the final stats record's decoder counters, flows started its
  flow.total, flows ended the number of flow records;
- bytes per L4 protocol and flows/packets/bytes per app_proto equal what
  the flow records say;
- with one rollup for the whole capture, every top talker's true count
  (from the flow records: a host's bytes and packets sent) lies in
  [count - error, count] and error <= the sketch bound;
- CSV_DIR: the CSV files parse (python csv) and agree with the rollups;
- --whole-sketch (run with rollups.top-n = rollups.capacity, one rollup,
  on a capture with more senders than counters): the lists are the whole
  sketches, keys were evicted (some error > 0), and every sender whose
  true count is above the bound N / k is listed (Space-Saving's guarantee).
Prints one line per failure; exit 1 on any."""
import collections
import csv
import json
import os
import sys

whole = "--whole-sketch" in sys.argv
args = [a for a in sys.argv[1:] if a != "--whole-sketch"]
recs = [json.loads(l) for l in open(args[0])]
ru = [r["rollup"] for r in recs if r["event_type"] == "rollup"]
flows = [r for r in recs if r["event_type"] == "flow"]
stats = [r["stats"] for r in recs if r["event_type"] == "stats"][-1]
bad = []


def check(cond, what):
    if not cond:
        bad.append(what)


def total(path):
    s = 0
    for r in ru:
        v = r
        for k in path:
            v = v[k]
        s += v
    return s


dec = stats["decoder"]
check(ru and ru[-1]["final"] and not any(r["final"] for r in ru[:-1]), "one final rollup, the last")
check(total(["packets"]) == dec["pkts"], "packets %d != decoder.pkts %d" % (total(["packets"]), dec["pkts"]))
check(total(["bytes"]) == dec["bytes"], "bytes != decoder.bytes")
for l3 in ("ipv4", "ipv6"):
    check(total(["l3", l3, "packets"]) == dec[l3], "l3 %s packets" % l3)
for l4, name in (("tcp", "tcp"), ("udp", "udp"), ("icmp", "icmpv4"), ("ipv6-icmp", "icmpv6")):
    check(total(["l4", l4, "packets"]) == dec[name], "l4 %s packets" % l4)
check(total(["flows", "started"]) == stats["flow"]["total"], "flows started != flow.total")
check(total(["flows", "ended"]) == len(flows), "flows ended != flow records")
fb = collections.Counter()
app = collections.defaultdict(lambda: [0, 0, 0])
talk_b, talk_p = collections.Counter(), collections.Counter()
for f in flows:
    b = f["flow"]["bytes_toserver"] + f["flow"]["bytes_toclient"]
    p = f["flow"]["pkts_toserver"] + f["flow"]["pkts_toclient"]
    fb[f["proto"]] += b
    a = app[f.get("app_proto", "unknown")]
    a[0] += 1; a[1] += p; a[2] += b
    talk_b[f["src_ip"]] += f["flow"]["bytes_toserver"]
    talk_b[f["dest_ip"]] += f["flow"]["bytes_toclient"]
    talk_p[f["src_ip"]] += f["flow"]["pkts_toserver"]
    talk_p[f["dest_ip"]] += f["flow"]["pkts_toclient"]
for l4, proto in (("tcp", "TCP"), ("udp", "UDP")):
    check(total(["l4", l4, "bytes"]) == fb[proto], "l4 %s bytes %d != flows %d" % (l4, total(["l4", l4, "bytes"]), fb[proto]))
got = collections.defaultdict(lambda: [0, 0, 0])
for r in ru:
    for k, v in r["app_proto"].items():
        g = got[k]
        g[0] += v["flows"]; g[1] += v["packets"]; g[2] += v["bytes"]
check(dict(got) == dict(app), "app_proto %s != flows %s" % (dict(got), dict(app)))
if len(ru) == 1:
    r = ru[0]
    for key, exact, cnt in (("top_talkers_bytes", talk_b, "bytes"), ("top_talkers_packets", talk_p, "packets")):
        bound = r["sketch"][key]["bound"]
        for e in r[key]:
            t = exact[e["ip"]]
            check(e[cnt] - e["error"] <= t <= e[cnt] and e["error"] <= bound,
                  "%s %s: %d not in [%d - %d]" % (key, e["ip"], t, e[cnt], e["error"]))
        listed = {e["ip"] for e in r[key]}
        if len(r[key]) < 10 and not whole:   # not cut at top-n: every sender is there
            check(listed == {ip for ip, t in exact.items() if t}, "%s: listed %s, flows %s" % (key, listed, set(exact)))
        if whole:
            cap = r["sketch"]["capacity"]
            senders = [ip for ip, t in exact.items() if t]
            check(len(senders) > cap and len(r[key]) == cap,
                  "%s: %d senders, %d listed, capacity %d" % (key, len(senders), len(r[key]), cap))
            check(any(e["error"] > 0 for e in r[key]), "%s: no key was evicted" % key)
            heavy = {ip for ip, t in exact.items() if t > bound}
            check(heavy and heavy <= listed, "%s: above the bound %d but missing: %s" % (key, bound, heavy - listed))
if len(args) > 1:
    d = args[1]
    rows = lambda name: list(csv.DictReader(open(os.path.join(d, name), newline="")))
    tot = rows("rollup_totals.csv")
    check(len(tot) == len(ru), "rollup_totals.csv rows %d != rollups %d" % (len(tot), len(ru)))
    for row, r in zip(tot, ru):
        check(row["start"] == r["start"] and row["end"] == r["end"], "csv start/end")
        check(int(row["packets"]) == r["packets"] and int(row["bytes"]) == r["bytes"] and
              int(row["flows_ended"]) == r["flows"]["ended"], "csv totals differ from EVE")
    tk = rows("rollup_talkers.csv")
    check(len(tk) == sum(len(r["top_talkers_bytes"]) + len(r["top_talkers_packets"]) for r in ru), "csv talkers rows")
    byrun = collections.defaultdict(list)
    for row in tk:
        byrun[(row["start"], row["by"])].append((row["ip"], int(row["value"]), int(row["error"])))
    for r in ru:
        for by, key, cnt in (("bytes", "top_talkers_bytes", "bytes"), ("packets", "top_talkers_packets", "packets")):
            check(byrun[(r["start"], by)] == [(e["ip"], e[cnt], e["error"]) for e in r[key]], "csv talkers differ")
    pr = rows("rollup_protocols.csv")
    check(sum(int(x["packets"]) for x in pr if x["layer"] == "l3") == total(["l3", "ipv4", "packets"]) + total(["l3", "ipv6", "packets"]), "csv l3 packets")
    for name in ("rollup_sizes.csv", "rollup_ports.csv", "rollup_dns.csv", "rollup_http.csv", "rollup_tls.csv"):
        rows(name)
    fl = rows("flows.csv")
    check(len(fl) == len(flows), "flows.csv rows %d != flow records %d" % (len(fl), len(flows)))
    ids = sorted(int(x["flow_id"]) for x in fl)
    check(ids == sorted(f["flow_id"] for f in flows), "flows.csv flow ids")
for b in bad:
    print("rollup_check: " + b)
print("rollup_check: %d rollups, %d flows, %s" % (len(ru), len(flows), "ok" if not bad else "FAILED"))
sys.exit(1 if bad else 0)
