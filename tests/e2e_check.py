#!/usr/bin/env python3
"""e2e_check.py EVE EXPECTED: check an eve.json against expected records.

EXPECTED holds one JSON object per line (lines starting with # are notes):
  {"count": N, "match": {"event_type": "flow", "flow.pkts_toserver": 3, ...}}
Keys are dotted paths ("a.b[0].c"); the check passes when exactly N records
match every key.  "__absent" as a value means the key must not exist.
Prints one line per failed check and a closing "N passed, N failed" line;
exits 1 when any check failed."""
import json, re, sys

ABSENT = "__absent"

def get(rec, path):
    cur = rec
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        if part.startswith("["):
            i = int(part[1:-1])
            if not isinstance(cur, list) or i >= len(cur):
                return ABSENT
            cur = cur[i]
        else:
            if not isinstance(cur, dict) or part not in cur:
                return ABSENT
            cur = cur[part]
    return cur

def main():
    eve, expected = sys.argv[1], sys.argv[2]
    recs = [json.loads(l) for l in open(eve) if l.strip()]
    passed = failed = 0
    for n, line in enumerate(open(expected), 1):
        if not line.strip() or line.startswith("#"):
            continue
        chk = json.loads(line)
        got = sum(1 for r in recs if all(get(r, k) == v for k, v in chk["match"].items()))
        if got == chk["count"]:
            passed += 1
        else:
            failed += 1
            print(f"{expected}:{n}: expected {chk['count']} records matching {json.dumps(chk['match'])}, got {got}")
    print(f"e2e_check {eve}: {passed} passed, {failed} failed")
    return 1 if failed else 0

if __name__ == "__main__":
    sys.exit(main())
