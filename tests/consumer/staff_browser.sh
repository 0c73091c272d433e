#!/usr/bin/env bash
# The staff pages in a real browser (SPEC 6): a real server on a temp SQLite file, a staff
# account, a reading held for review, and a certification session the reference DMS played;
# then headless Chromium (Debian's chromium + chromium-driver, driven by selenium) logs in,
# records the C07 and C14 verdicts, approves the DMS and finds it on /approved-dms.
# Screenshots of every staff page go to $CARPASS_SCREENSHOTS, or to a new temp dir.
# Usage: tests/consumer/staff_browser.sh PATH/TO/carpass
set -euo pipefail
binary=$(realpath "${1:?usage: staff_browser.sh PATH/TO/carpass}")
here=$(cd "$(dirname "$0")" && pwd)
for tool in chromium chromedriver; do
    command -v "$tool" >/dev/null || { echo "$tool is missing (Debian: apt-get install chromium chromium-driver)" >&2; exit 1; }
done
work=$(mktemp -d)
shots=${CARPASS_SCREENSHOTS:-$(mktemp -d -t carpass-staff-pages.XXXXXX)}
mkdir -p "$shots"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export CARPASS_DATABASE_URL="sqlite://$work/carpass.db" CARPASS_PUBLIC_URL="http://127.0.0.1:$port"

python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/staff_browser.requirements.txt"

secret() { python3 -c 'import secrets; print(secrets.token_urlsafe(18))'; }
staff_password=$(secret)
garage_password=$(secret)
"$binary" init >/dev/null
"$binary" staff company add --kbo 0403.170.701 --name "Het Register" --nace 94990 --kind registry >/dev/null
printf '%s\n' "$staff_password" |
    "$binary" staff user add --kbo 0403.170.701 --username staff.anna --role staff --password-stdin >/dev/null
# From the first staff account on, account changes name who makes them.
export CARPASS_STAFF=staff.anna
# A garage and a registered car, for a reading that waits in the review queue.
"$binary" staff company add --kbo 1234.567.894 --name "Garage Janssens BV" --nace 45201 --kind garage >/dev/null
printf '%s\n' "$garage_password" |
    "$binary" staff user add --kbo 1234.567.894 --username garage.janssens --role submitter --password-stdin >/dev/null
cat >"$work/vehicles.csv" <<'CSV'
vin,make,model,category,mass_kg,first_registration,first_registration_be,imported_used,five_digit_odometer,euro_norm,co2_g_km,fuel
WDB2030461A000001,Mercedes-Benz,C 200,M1,1500,2019-03-01,2019-03-01,false,false,6d,128,petrol
CSV
"$binary" import vehicles "$work/vehicles.csv" >/dev/null

"$binary" serve --bind "127.0.0.1:$port" >"$work/server.out" 2>"$work/server.err" &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 120); do
    python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/readyz', timeout=2)" 2>/dev/null && break
    sleep 0.5
done

session=$("$binary" certify start --dms "Acme DMS" --dms-version 4.2 --builder "Acme Software NV" --format json |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["session_id"])')
"$binary" certify simulate "$session" --endpoint "http://127.0.0.1:$port" --timeout 3 >"$work/simulate.out"
"$binary" certify evaluate "$session" --format json --output /dev/null >"$work/evaluate.out" 2>&1

STAFF_USER=staff.anna STAFF_PASSWORD=$staff_password GARAGE_USER=garage.janssens GARAGE_PASSWORD=$garage_password \
    "$work/venv/bin/python" "$here/staff_browser.py" "http://127.0.0.1:$port" "$session" "$shots" || {
    echo "--- server log" >&2
    tail -n 40 "$work/server.err" >&2
    exit 1
}
