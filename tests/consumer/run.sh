#!/usr/bin/env bash
# The consumer test: zeep (an independent SOAP stack) loads the WSDL a real server serves and
# talks to it in SOAP 1.1 and 1.2. Usage: tests/consumer/run.sh PATH/TO/carpass
set -euo pipefail
binary=${1:?usage: run.sh PATH/TO/carpass}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"

"$binary" --database-url "sqlite://$work/consumer.db" serve --demo --bind "127.0.0.1:$port" >"$work/server.out" 2>"$work/server.err" &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 120); do
    grep -q '^  submitter:' "$work/server.out" 2>/dev/null &&
        python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/readyz', timeout=2)" 2>/dev/null && break
    sleep 0.5
done
password=$(awk '/^  submitter:/ {print $4}' "$work/server.out")
# The partners' accounts, for the feeds (/soap/feeds).
account() { awk -v label="  $1:" 'index($0, label) == 1 {print $2 ":" $4}' "$work/server.out"; }
if [ -z "$password" ]; then
    echo "the demo server did not start:" >&2
    cat "$work/server.out" "$work/server.err" >&2
    exit 1
fi

status=0
odometer=123456
for version in 1.1 1.2; do
    echo "# zeep, SOAP $version"
    "$work/venv/bin/python" "$here/zeep_consumer.py" --wsdl "http://127.0.0.1:$port/soap/inflow?wsdl" \
        --username demo-garage --password "$password" --soap-version "$version" --odometer "$odometer" || status=1
    odometer=$((odometer + 44))
done
for version in 1.1 1.2; do
    echo "# zeep, feeds, SOAP $version"
    "$work/venv/bin/python" "$here/zeep_feeds.py" --wsdl "http://127.0.0.1:$port/soap/feeds?wsdl" \
        --importer "$(account importer)" --expert "$(account expert)" \
        --inspector "$(account inspector)" --garage "$(account submitter)" \
        --soap-version "$version" || status=1
done
exit $status
