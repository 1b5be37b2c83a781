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

import re
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qemu_common import check_results, key_values, start_image  # noqa: E402

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


def main():
    started = start_image(__doc__, "the smoke image")
    if started is None:
        return 0
    _, tap, status, timed_out, lines = started
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

    results = check_results(tap, lines, CONTRACT_RE, EXPECTED_CONTRACT, lambda n: "contract %s" % n,
                            "contract test")
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
