#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs what is missing, builds, starts the virtual meter in the background
# on its built-in default load (230 V, 5 A per phase, PF 0.9 lagging, 50 Hz)
# at 30 simulated minutes per second on a free TCP port, reads the clock, the
# active energy (total and per tariff) and the voltages over DLMS with
# dlms-client, prints them, and stops the meter with SIGTERM. Extra arguments
# go to the virtual meter (try --help).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
bash tests/support/install-deps.sh demo
if [ ! -f build-demo/build.ninja ]; then
  meson setup build-demo -Dtests=disabled >/dev/null
fi
ninja -C build-demo adapters/host/virtual-meter adapters/host/dlms-client >/dev/null
bin=build-demo/adapters/host
log=$(mktemp)
"$bin/virtual-meter" --seconds 0 --fast --speed 1800 -q --port 0 "$@" >"$log" 2>&1 &
meter=$!
cleanup() {
  kill "$meter" 2>/dev/null || true
  rm -f "$log"
}
trap cleanup EXIT

# the meter prints its port, then one line per simulated hour
wait_for() {
  for _ in $(seq 300); do
    if grep -q "$1" "$log"; then return 0; fi
    if ! kill -0 "$meter" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "demo: the virtual meter did not start:" >&2
  cat "$log" >&2
  exit 1
}
wait_for "listening on"
port=$(sed -n 's/.*listening on [0-9.]*:\([0-9]*\).*/\1/p' "$log" | head -1)
wait_for "clock: hour begins"

echo "virtual meter on 127.0.0.1:$port, 30 simulated minutes per second; reading over DLMS:"
# client 32: level 1 (reads everything), LLS password of the default configuration
"$bin/dlms-client" --port "$port" --client-sap 32 --password 11111111 --json \
  get 0-0:1.0.0.255 8 2 \
  get 1-0:1.8.0.255 3 2 get 1-0:1.8.1.255 3 2 get 1-0:1.8.2.255 3 2 \
  get 1-0:1.8.3.255 3 2 get 1-0:1.8.4.255 3 2 \
  get 1-0:32.7.0.255 3 2 get 1-0:52.7.0.255 3 2 get 1-0:72.7.0.255 3 2 |
  python3 -c '
import json, sys
r = [json.loads(l) for l in sys.stdin]
def v(o, k=1):
    return float(o["scaled"]) / k if o.get("ok") else float("nan")
print("  clock             " + str(r[0].get("value")))
print(f"  active energy A+  {v(r[1], 1000):.3f} kWh")
print("  tariffs T1..T4    " + " / ".join(f"{v(o, 1000):.3f}" for o in r[2:6]) + " kWh")
print("  voltage L1..L3    " + " / ".join(f"{v(o):.1f}" for o in r[6:9]) + " V")
'
kill -TERM "$meter"
wait "$meter" || true
grep -E "virtual-meter: (saved|stopped|done)" "$log" | sed 's/^/  /'
