#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs libmeter into a prefix, then builds and runs a program outside the
# tree against it with pkg-config, linked shared and static.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=${1:-$(mktemp -d)}
shift || true
rm -rf "$work"
mkdir -p "$work"
prefix=$work/prefix
meson setup "$work/build" "$root" --prefix "$prefix" --libdir lib -Dtests=disabled "$@" >/dev/null
meson install -C "$work/build" >/dev/null
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
test -f "$prefix/include/meter/meter.h"
test -f "$prefix/lib/pkgconfig/meter.pc"
app=$work/app
mkdir -p "$app"
cp "$root/examples/bare_metal_loop/main.c" "$app/main.c"
cd "$app"
cc -std=c11 -Wall -Werror main.c $(pkg-config --cflags --libs meter) -Wl,-rpath,"$prefix/lib" -o app-shared
cc -std=c11 -Wall -Werror main.c $(pkg-config --cflags meter) $(pkg-config --libs --static meter) -o app-static -static
deps=$(ldd ./app-shared)
case $deps in *"$prefix/lib/libmeter.so"*) ;; *) echo "app-shared does not use the installed libmeter.so"; exit 1 ;; esac
./app-shared
./app-static
if [ "${MTR_INSTALL_CONFIG_CHECK:-0}" = 1 ]; then
  cc -std=c11 -Wall -Werror "$root/tests/support/install_config_check.c" \
    $(pkg-config --cflags --libs meter) -Wl,-rpath,"$prefix/lib" -o config-check
  ./config-check
fi
echo "installed libmeter $(pkg-config --modversion meter): shared and static programs run"
