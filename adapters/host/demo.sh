#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs what is missing, builds, and runs the virtual meter on its built-in
# default load for ten simulated seconds. Extra arguments go to the program
# (try --help).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
bash tests/support/install-deps.sh demo
if [ ! -f build-demo/build.ninja ]; then
  meson setup build-demo -Dtests=disabled >/dev/null
fi
ninja -C build-demo adapters/host/virtual-meter >/dev/null
exec build-demo/adapters/host/virtual-meter --seconds 10 "$@"
