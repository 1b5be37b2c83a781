# SPDX-License-Identifier: Apache-2.0
"""Run the mps2-an386 smoke image under QEMU and check what it prints.

  run_qemu_smoke.py [--qemu PATH] [--timeout S] [--size SIZE] SMOKE.elf

Runs `qemu-system-arm -M mps2-an386 -nographic -semihosting-config
enable=on,target=native -kernel SMOKE.elf`, kills it after the timeout, and
checks the output line by line (format: adapters/boards/mps2-an386/smoke.c):
every expected HAL contract test reported PASS and none FAIL, the run-model
counters of the `poll` line consistent with the configuration, `smoke: PASS`
last, exit status 0. Prints TAP, one line per check, with the image's flash
and RAM use as a diagnostic (`# flash=<text+data> ram=<data+bss>`).
"""

import argparse
import re
import shutil
import subprocess
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qemu_common import Tap, run_qemu  # noqa: E402

# tests/contract/contract.c: every one must run and pass on this board, which
# provides all the hooks (power cut, set_ms, advance_ms) so none may SKIP.
EXPECTED_CONTRACT = [
    "nvm_info", "nvm_erase", "nvm_read_after_write", "nvm_unaligned",
    "nvm_zero_length", "nvm_bounds", "nvm_torn_write", "nvm_torn_erase",
    "nvm_power_off", "clock_monotonic", "clock_wrap", "rtc_set_get",
]

# What smoke.c is built with; a change there must be made here too.
EXPECTED_CONFIG = {
    "timer_period_ms": 20, "timer_count": 50, "event_period_ms": 10,
    "start_ms": 0xFFFFFFFF - 499,
}

CONTRACT_RE = re.compile(r"^contract (?P<name>\S+) (?P<result>PASS|FAIL|SKIP)(?: (?P<detail>.*))?$")




def key_values(line):
    return {k: int(v) for k, v in re.findall(r"(\w+)=(-?\d+)", line)}


def image_size(size_tool, elf):
    """(diagnostic lines) of the image's flash and RAM use, from size -B and -A."""
    if not size_tool:
        size_tool = shutil.which("arm-none-eabi-size")
    if not size_tool:
        return ["size: no arm-none-eabi-size found"]
    try:
        out = subprocess.run([size_tool, "-B", "-d", elf], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, universal_newlines=True,
                             check=True).stdout
        text, data, bss = (int(x) for x in out.splitlines()[1].split()[:3])
        out = subprocess.run([size_tool, "-A", "-d", elf], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, universal_newlines=True,
                             check=True).stdout
    except (OSError, subprocess.CalledProcessError, ValueError, IndexError) as e:
        return ["size: %s" % e]
    sections = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0].startswith(".") and parts[1].isdigit():
            sections[parts[0]] = int(parts[1])
    detail = " ".join("%s=%d" % (s, sections[s]) for s in
                      (".text", ".data", ".bss", ".stack", ".nvm", ".noinit") if s in sections)
    return ["flash=%d ram=%d" % (text + data, data + bss),
            "text=%d data=%d bss=%d (bss includes the stack and the emulated NVM: %s)"
            % (text, data, bss, detail)]




def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--qemu", default="", help="qemu-system-arm (default: from PATH)")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds before QEMU is killed")
    ap.add_argument("--size", default="", help="arm-none-eabi-size, for the flash/RAM figures")
    ap.add_argument("elf", help="the smoke image")
    args = ap.parse_args()

    qemu = args.qemu or shutil.which("qemu-system-arm")
    if not qemu:
        print("1..0 # SKIP qemu-system-arm not found")
        return 0

    tap = Tap()
    for d in image_size(args.size, args.elf):
        tap.diag(d)

    cmd, status, timed_out, out, seconds = run_qemu(qemu, args.elf, args.timeout)
    tap.diag("$ " + " ".join(cmd))
    tap.diag("wall time %.1f s" % seconds)
    lines = [l.rstrip("\r") for l in out.splitlines()]
    for l in lines:
        tap.diag("| " + l)

    tap.check(not timed_out, "QEMU finished within %g s" % args.timeout)
    tap.check(any(l.startswith("smoke: libmeter ") for l in lines), "the image started")

    config = next((key_values(l) for l in lines if l.startswith("config ")), None)
    tap.check(config is not None and all(config.get(k) == v for k, v in EXPECTED_CONFIG.items()),
              "configuration is the expected one",
              ["expected %s, got %s" % (EXPECTED_CONFIG, config)])
    cfg = dict(EXPECTED_CONFIG)

    init = next((l for l in lines if l.startswith("meter init ")), "")
    kv = key_values(init)
    tap.check(kv.get("rc") == 0, "mtr_meter_init returned MTR_OK", [init or "no 'meter init' line"])
    tap.check(kv.get("rtc_invalid") == 1, "the RTC starts invalid", [init])

    results = {}
    for l in lines:
        m = CONTRACT_RE.match(l)
        if m:
            results[m.group("name")] = (m.group("result"), m.group("detail") or "")
    for name in EXPECTED_CONTRACT:
        result, detail = results.get(name, ("missing", ""))
        tap.check(result == "PASS", "contract %s" % name, ["%s %s" % (result, detail)])
    unexpected = sorted(n for n in results if n not in EXPECTED_CONTRACT)
    failed = sorted("%s: %s" % (n, r[1]) for n, r in results.items() if r[0] == "FAIL")
    tap.check(not failed, "no contract test failed", failed)
    if unexpected:
        tap.diag("contract tests not in the expected list: %s" % ", ".join(unexpected))
    end = next((key_values(l) for l in lines if l.startswith("contract end ")), {})
    tap.check(end.get("run") == len(results) and end.get("failures") == 0,
              "contract run complete (%s reported, %s run)" % (len(results), end.get("run")),
              ["contract end: %s" % end])

    poll_line = next((l for l in lines if l.startswith("poll ")), "")
    p = key_values(poll_line)
    tap.check(bool(poll_line), "the poll phase reported", ["no 'poll' line"])
    poll_line = poll_line or "no 'poll' line"
    n, period, every = cfg["timer_count"], cfg["timer_period_ms"], cfg["event_period_ms"]
    elapsed = p.get("elapsed_ms", -1)
    posted = p.get("posted", -1)
    tap.check(p.get("timer_runs") == n and p.get("fired") == n,
              "the periodic timer ran %d times" % n, [poll_line])
    tap.check(n * period <= elapsed < (n + 1) * period,
              "the timer kept its period (%s ms for %d x %d ms)" % (elapsed, n, period), [poll_line])
    tap.check(abs(posted - elapsed // every) <= 1 and posted > 0,
              "the SysTick interrupt posted one event per %d ms (%s in %s ms)"
              % (every, posted, elapsed), [poll_line])
    tap.check(p.get("user_events") == posted and
              p.get("events") == posted + p.get("inputs_posted", -1) and
              p.get("input_events") == 1 and p.get("inputs_posted") == 1,
              "mtr_poll handled every posted event", [poll_line])
    tap.check(p.get("dropped") == 0 and p.get("post_errors") == 0 and p.get("order_errors") == 0,
              "no event dropped or out of order", [poll_line])
    tap.check(p.get("hal_errors") == 0, "no HAL errors", [poll_line])
    tap.check(p.get("kicks") == p.get("polls") and p.get("polls", 0) >= n,
              "the watchdog was kicked on every poll", [poll_line])
    tap.check(p.get("wrapped") == 1, "the run crossed the 2^32 millisecond wrap", [poll_line])
    tap.check(p.get("inputs") == 4, "the input event reached the meter (terminal cover)", [poll_line])

    last = lines[-1] if lines else ""
    tap.check(last == "smoke: PASS", "the smoke image reported PASS last", [last or "no output"])
    tap.check(status == 0 and not timed_out, "exit status 0", ["exit status %s" % status])
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
