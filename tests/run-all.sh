#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs what is missing, then builds and runs every test of libmeter:
#   1. gcc -Werror build, every host suite
#   2. clang ASan+UBSan build (-fno-sanitize-recover=all), every host suite
#   3. install into a prefix and build a program against it with pkg-config
#   4. Cortex-M4F cross build, QEMU smoke and purity checks (suite cortex-m)
#   5. Cortex-M0+ cross build: the core links without FPU or divider
#   6. libFuzzer: replay the corpus and fuzz each target for a bounded time
# Prints "tests: N passed, N failed" last; exits non-zero if anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=${MTR_BUILD_ROOT:-$root/build-ci}
fuzz_seconds=${MTR_FUZZ_SECONDS:-60}
jobs=$(nproc 2>/dev/null || echo 2)

bash tests/support/install-deps.sh all || { echo "tests: 0 passed, 1 failed"; exit 1; }

rm -rf "$out"
mkdir -p "$out"
passed=0
failed=0
failures=()

# A stage that is not a meson test run counts as one test.
stage() {
  local name=$1; shift
  echo "=== $name"
  if "$@"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    failures+=("$name")
    echo "*** FAILED: $name"
  fi
}

# Count the results of a meson test run from its JSON log.
count_meson() {
  local dir=$1 log=$1/meson-logs/testlog.json
  [ -f "$log" ] || { failed=$((failed + 1)); failures+=("$dir: no test log"); return; }
  local res
  res=$(/usr/bin/python3 - "$log" <<'PY'
import json, sys
ok = bad = 0
names = []
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["result"] in ("OK", "EXPECTEDFAIL", "SKIP"):
        ok += 1
    else:
        bad += 1
        names.append(r["name"])
print(ok, bad, " ".join(names))
PY
)
  local ok bad names
  read -r ok bad names <<<"$res"
  passed=$((passed + ok))
  failed=$((failed + bad))
  [ "$bad" -gt 0 ] && failures+=("$dir: $names")
  return 0
}

meson_suite_run() {
  local dir=$1; shift
  meson test -C "$dir" --print-errorlogs --num-processes "$jobs" "$@"
  count_meson "$dir"
}

# 1. gcc, warnings are errors
stage "gcc build" bash -c "meson setup '$out/gcc' --werror -Dtests=enabled -Dcrypto=enabled >/dev/null && ninja -C '$out/gcc'"
[ -d "$out/gcc" ] && meson_suite_run "$out/gcc"

# 2. clang with AddressSanitizer and UndefinedBehaviorSanitizer
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
stage "clang asan+ubsan build" bash -c "CC=clang meson setup '$out/asan' -Dtests=enabled -Dcrypto=enabled \
  -Db_sanitize=address,undefined -Db_lundef=false -Dc_args=-fno-sanitize-recover=all >/dev/null && ninja -C '$out/asan'"
[ -d "$out/asan" ] && meson_suite_run "$out/asan"

# 3. install and build against the installed library
stage "install + pkg-config" bash tests/support/check_install.sh "$out/install"
stage "install with a configuration header + pkg-config" env MTR_INSTALL_CONFIG_CHECK=1 \
  bash tests/support/check_install.sh "$out/install-config" -Dconfig_file=tests/support/install_config.h

# 4. Cortex-M4F under QEMU
stage "cortex-m4f cross build" bash -c "meson setup '$out/m4f' --cross-file cross/cortex-m4f.txt >/dev/null && ninja -C '$out/m4f'"
[ -d "$out/m4f" ] && meson_suite_run "$out/m4f" --suite cortex-m
if [ -f "$out/m4f/adapters/boards/mps2-an386/smoke.elf" ]; then
  echo "--- Cortex-M4F smoke image (flash = text + data, RAM = data + bss):"
  arm-none-eabi-size "$out/m4f/adapters/boards/mps2-an386/smoke.elf"
fi

# 5. Cortex-M0+ link check
stage "cortex-m0plus cross build" bash -c "meson setup '$out/m0' --cross-file cross/cortex-m0plus.txt -Dboard=none >/dev/null && ninja -C '$out/m0'"
[ -d "$out/m0" ] && meson_suite_run "$out/m0" --suite cortex-m
if [ -f "$out/m0/adapters/boards/none/link_check.elf" ]; then
  echo "--- Cortex-M0+ link image:"
  arm-none-eabi-size "$out/m0/adapters/boards/none/link_check.elf"
fi

# 6. fuzzing, bounded
stage "fuzz build" bash -c "CC=clang meson setup '$out/fuzz' -Dfuzz=enabled -Dtests=disabled \
  -Db_sanitize=address,undefined -Db_lundef=false -Dc_args='-fsanitize=fuzzer-no-link -fno-sanitize-recover=all' >/dev/null && ninja -C '$out/fuzz'"
if [ -d "$out/fuzz" ]; then
  for target in "$out"/fuzz/fuzz/fuzz_*; do
    case $target in *_replay) continue ;; esac
    [ -f "$target" ] && [ -x "$target" ] || continue
    name=$(basename "$target")
    corpus=$root/fuzz/corpus/${name#fuzz_}
    work=$out/fuzz-corpus/$name
    mkdir -p "$work"
    # Decoders of wire bytes get the full time; NVM read-back and file decoders half.
    case $name in
      fuzz_axdr|fuzz_hdlc|fuzz_wrapper|fuzz_apdu|fuzz_sts_token|fuzz_cosem_selector|fuzz_cosem_sys) secs=$fuzz_seconds ;;
      *) secs=$(( (fuzz_seconds + 1) / 2 )) ;;
    esac
    stage "$name replay + ${secs}s" bash -c "'$target' -runs=0 '$corpus' && \
      '$target' -max_total_time=$secs -print_final_stats=1 -artifact_prefix='$out/' '$work' '$corpus'"
  done
fi

echo
if [ ${#failures[@]} -gt 0 ]; then
  echo "failed:"
  printf '  %s\n' "${failures[@]}"
fi
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
