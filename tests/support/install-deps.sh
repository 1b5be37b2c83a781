#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs what building and testing libmeter needs on Debian 12, if missing.
# Usage: tests/support/install-deps.sh [--list] [demo|all]   (default: all)
#   --list: print the packages and install nothing.
set -euo pipefail
list=0
if [ "${1:-}" = --list ]; then list=1; shift; fi
what=${1:-all}
pkgs=(build-essential meson ninja-build pkg-config python3 libmbedtls-dev)
if [ "$what" = all ]; then
  pkgs+=(libcriterion-dev clang llvm libclang-rt-14-dev
         gcc-arm-none-eabi libnewlib-arm-none-eabi binutils-arm-none-eabi qemu-system-arm)
fi
if [ "$list" = 1 ]; then
  echo "${pkgs[@]}"
  exit 0
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo=sudo; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y --no-install-recommends "${missing[@]}"
