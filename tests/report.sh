#!/usr/bin/env bash
# report.sh BINARY: end-to-end test of `netscope report`.
#  - runs BINARY over every capture in tests/pcaps, with a few rules so
#    there are alerts, into one eve.json (appended to, run after run);
#  - adds lines the reader must survive: a truncated record, garbage, and
#    records whose names are HTML/script injections;
#  - `BINARY report` must exit 0, name each bad line by its number, and
#    write a page under 512 KB with no external reference and no <script;
#  - headless Chromium (Debian's chromium package, `make deps`) loads the
#    page: no console message (errors, CSP violations), and its DOM has
#    every chart as <svg class="chart" data-points="N"> with N > 0 and no
#    element injected from the input;
#  - the screenshot is kept as build/report/report.png (with report.html).
# When chromium is missing and cannot be installed, the browser part is
# skipped with a message (exit 0); everything before it still runs.
set -uo pipefail
bin=$(realpath "${1:?binary}")
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0 fail=0
ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
art=build/report
mkdir -p "$art"
rm -f "$art/report.png" "$art/report.html"

cat > "$work/report.rules" <<'EOF'
alert http any any -> any any (msg:"report test: HTTP GET <b>x</b>"; http.method; content:"GET"; sid:9100001; rev:1;)
alert dns any any -> any any (msg:"report test: DNS query"; dns.query; content:"example"; sid:9100002; rev:1;)
alert icmp any any -> any any (msg:"report test: ICMP"; sid:9100003; rev:1;)
alert tls any any -> any any (msg:"report test: TLS SNI"; tls.sni; content:"example.test"; sid:9100004; rev:1;)
EOF

# 1. one EVE file from every capture (corrupt and truncated ones exit 1
#    but still write what they read)
for p in tests/pcaps/*.pcap tests/pcaps/*.pcapng; do
    "$bin" -r "$p" -l "$work" -S "$work/report.rules" 2>/dev/null
    rc=$?
    [ $rc -le 1 ] || bad "netscope -r $p: exit $rc"
done
eve=$work/eve.json
good_lines=$(wc -l < "$eve")
[ "$good_lines" -gt 50 ] && ok || bad "only $good_lines EVE lines"

# 2. hostile and broken lines
ts=$(grep -m1 '"event_type":"flow"' "$eve" | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["timestamp"])')
{
    echo '{"timestamp":"'"$ts"'","event_type":"http","http":{"hostname":"<script>document.title=\"pwned\"</script>","http_method":"<img src=x onerror=alert(1)>","status":200}}'
    echo '{"timestamp":"'"$ts"'","event_type":"tls","tls":{"sni":"\"><svg onload=alert(1)>","version":"TLS 1.3"}}'
    echo '{"timestamp":"'"$ts"'","event_type":"dns","dns":{"type":"request","queries":[{"rrname":"<iframe src=\"https://example.com\">","rrtype":"A"}]}}'
    echo '{"timestamp":"'"$ts"'","event_type":"flow","src_ip":"1.2.3.4","dest_ip":"5.6.7.8",'
    echo 'not json at all'
    printf '{"event_type":"dns","nested":%s1%s}\n' "$(printf '[%.0s' $(seq 200))" "$(printf ']%.0s' $(seq 200))"
} >> "$eve"
bad_first=$((good_lines + 4))

# 3. the report
"$bin" report "$eve" -o "$art/report.html" 2> "$work/report.err"
rc=$?
[ $rc -eq 0 ] && ok || bad "report: exit $rc: $(cat "$work/report.err")"
for n in $bad_first $((bad_first + 1)) $((bad_first + 2)); do
    grep -q "eve.json:$n: " "$work/report.err" && ok || bad "report did not name bad line $n: $(cat "$work/report.err")"
done
html=$art/report.html
size=$(stat -c %s "$html" 2>/dev/null || echo 0)
[ "$size" -gt 1000 ] && [ "$size" -lt 524288 ] && ok || bad "report.html is $size bytes"
# markup only: the same words escaped in text are fine
ext='<(script|iframe|img|link|object|embed)|(src|href)=["'"'"']|@import|url\('
if grep -qiE "$ext" "$html"; then
    bad "report.html has a script, an injected element or an external reference: $(grep -oiE ".{30}($ext).{30}" "$html" | head -3)"
else
    ok
fi
grep -q '&lt;script&gt;document.title=&quot;pwned&quot;&lt;/script&gt;' "$html" && ok ||
    bad "the hostile host name is not shown escaped"
echo "report: $(wc -l < "$eve") EVE lines -> $html ($size bytes)"

# usage and input errors
"$bin" report > /dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && ok || bad "report without a file: exit $rc, expected 2"
"$bin" report "$work/no-such.json" -o "$work/x.html" 2> "$work/err"; rc=$?
[ $rc -eq 1 ] && grep -q "no-such.json" "$work/err" && ok || bad "report on a missing file: exit $rc: $(cat "$work/err")"
"$bin" report "$eve" -o "$work/no-such-dir/x.html" 2> "$work/err"; rc=$?
[ $rc -eq 1 ] && ok || bad "report into a missing directory: exit $rc"

# 4. the browser
chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium" ] && [ "$(id -u)" = 0 ]; then
    echo "report.sh: chromium missing, trying make deps"
    make --no-print-directory deps >/dev/null 2>&1
    chromium=$(command -v chromium || command -v chromium-browser || true)
fi
if [ -z "$chromium" ]; then
    echo "SKIP: chromium is not installed and could not be (make deps); browser checks not run"
    echo "report.sh: $pass passed, $fail failed"
    [ $fail -eq 0 ]
    exit
fi
url="file://$(realpath "$html")"
copts=(--headless --disable-gpu --no-sandbox --no-first-run --hide-scrollbars
       --user-data-dir="$work/chrome" --window-size=1280,4000)
timeout 120 "$chromium" "${copts[@]}" --enable-logging=stderr --v=0 --dump-dom "$url" \
    > "$work/dom.html" 2> "$work/chrome.err"
rc=$?
[ $rc -eq 0 ] && ok || bad "chromium --dump-dom: exit $rc: $(tail -3 "$work/chrome.err")"
# console messages (errors, CSP violations) are logged as CONSOLE lines
if grep -E 'CONSOLE|Refused to|Uncaught' "$work/chrome.err"; then
    bad "console messages while loading the page"
else
    ok
fi
python3 - "$work/dom.html" <<'EOF'
import sys
from html.parser import HTMLParser

want = ["traffic", "proto", "app", "talkers", "ports", "flow-duration", "flow-size",
        "alerts-time", "alert-sigs", "dns-names", "dns-rrtype", "dns-rcode", "http-status",
        "http-methods", "http-hosts", "tls-versions", "tls-sni", "loss", "event-types"]

class P(HTMLParser):
    def __init__(self):
        super().__init__()
        self.charts, self.bad = {}, []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("script", "iframe", "img", "object", "embed", "link"):
            self.bad.append(tag)
        if any(k.startswith("on") for k in a):
            self.bad.append(tag + " with an event handler")
        if tag == "svg" and "chart" in (a.get("class") or "").split():
            self.charts[a.get("id", "")] = int(a.get("data-points", "0"))

p = P()
p.feed(open(sys.argv[1], encoding="utf-8").read())
fails = []
for w in want:
    n = p.charts.get("chart-" + w)
    if n is None:
        fails.append("chart-%s missing" % w)
    elif n <= 0:
        fails.append("chart-%s has no data" % w)
if p.bad:
    fails.append("elements that must not be there: %s" % ", ".join(sorted(set(p.bad))))
for f in fails:
    print("FAIL: dom:", f)
print("report: DOM has %d charts: %s" % (len(p.charts), " ".join("%s=%d" % (k[6:], v) for k, v in sorted(p.charts.items()))))
sys.exit(1 if fails else 0)
EOF
[ $? -eq 0 ] && ok || bad "DOM checks"

timeout 120 "$chromium" "${copts[@]}" --screenshot="$(realpath "$art")/report.png" "$url" \
    > /dev/null 2> "$work/shot.err"
rc=$?
png=$art/report.png
if [ $rc -eq 0 ] && [ -s "$png" ] && [ "$(head -c 8 "$png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; then
    ok
    echo "report: screenshot $(realpath "$png") ($(stat -c %s "$png") bytes)"
else
    bad "no screenshot: exit $rc: $(tail -3 "$work/shot.err")"
fi

echo "report.sh: $pass passed, $fail failed"
[ $fail -eq 0 ]
