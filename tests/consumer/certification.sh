#!/usr/bin/env bash
# The certification harness from the command line, end to end: a real server, `certify start`,
# the reference DMS (`certify simulate`), and `certify evaluate` in every format. The JUnit XML
# is read by junitparser (a CI report parser from PyPI), the bundle is checked with
# `sha256sum -c`, and the HTML must stand alone. Usage: tests/consumer/certification.sh PATH/TO/carpass
set -euo pipefail
binary=$(realpath "${1:?usage: certification.sh PATH/TO/carpass}")
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export CARPASS_DATABASE_URL="sqlite://$work/carpass.db" CARPASS_PUBLIC_URL="http://127.0.0.1:$port"

python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"

"$binary" serve --bind "127.0.0.1:$port" >"$work/server.out" 2>"$work/server.err" &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 120); do
    python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/readyz', timeout=2)" 2>/dev/null && break
    sleep 0.5
done

session=$("$binary" certify start --dms "Acme DMS" --dms-version 4.2 --builder "Acme Software NV" --format json |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["session_id"])')
"$binary" certify sheet "$session" --lang nl | grep -q "Stel in de DMS"
"$binary" certify simulate "$session" --endpoint "http://127.0.0.1:$port" --timeout 3 >"$work/simulate.out"

"$binary" certify evaluate "$session" --format junit --output "$work/report.xml"
"$binary" certify evaluate "$session" --format html --output "$work/report.html"
"$binary" certify evaluate "$session" --format json --output - >"$work/report.json"
"$binary" certify evaluate "$session" --format bundle --output "$work/bundle.tar"

"$work/venv/bin/python" - "$work/report.xml" "$work/report.json" <<'PY'
import json, sys
from junitparser import JUnitXml
xml = JUnitXml.fromfile(sys.argv[1])
cases = [case for suite in xml for case in suite]
assert len(cases) == 16, f"16 criteria, got {len(cases)}"
failed = [case.name for case in cases if any(r._tag in ("failure", "error") for r in case.result)]
assert not failed, f"the reference DMS failed {failed}"
report = json.load(open(sys.argv[2]))
assert report["certifiable"], "the reference DMS is certifiable"
print(f"junitparser read {len(cases)} test cases, none failed; the JSON report says certifiable")
PY

if grep -Eq '<(script|link|img)[^>]+(src|href)="https?:' "$work/report.html"; then
    echo "the HTML report loads something from elsewhere" >&2
    exit 1
fi
mkdir "$work/bundle"
tar -xf "$work/bundle.tar" -C "$work/bundle"
(cd "$work/bundle" && sha256sum --quiet -c SHA256SUMS)
echo "the bundle's $(wc -l <"$work/bundle/SHA256SUMS") files match SHA256SUMS"
