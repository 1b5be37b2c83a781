# SPDX-License-Identifier: Apache-2.0
"""Run the mps2-an386 cosem image under QEMU and check what it prints.

  run_qemu_cosem.py [--qemu PATH] [--timeout S] [--size SIZE] COSEM.elf

Runs `qemu-system-arm -M mps2-an386 -nographic -semihosting-config
enable=on,target=native -kernel COSEM.elf`, kills it after the timeout, and
checks the output (format: adapters/boards/mps2-an386/cosem.c): the image
started, printed its context sizes and the object table, mtr_meter_init()
with every engine returned MTR_OK, the engines ran (metrology periods, a
step, two profile captures), the object table and the DLMS server were
initialised, every expected `check` line reported PASS and none FAIL,
`cosem: PASS` last, exit status 0. Prints TAP, one line per check, with the
image's flash and RAM use and the context sizes as diagnostics.
"""

import re
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qemu_common import check_results, key_values, start_image  # noqa: E402

# What cosem.c checks, in this order; a change there must be made here too.
EXPECTED_CHECKS = [
    "public_aarq_accepted", "public_get_clock", "public_get_energy_denied",
    "public_get_profile_name", "public_release",
    "management_wrong_password_refused", "management_aarq_accepted",
    "management_get_energy", "management_get_energy_scaler_unit",
    "management_get_load_profile", "management_get_event_log", "management_release",
]

CHECK_RE = re.compile(r"^check (?P<name>\S+) (?P<result>PASS|FAIL)(?: (?P<detail>.*))?$")

# Contexts whose size the image prints (sizeof on the target).
SIZES = ["meter", "cosem", "server", "metrology", "clock", "calendar", "tariff", "store",
         "disconnect", "prepaid", "profile", "events", "quality"]



def first(lines, prefix):
    return next((l for l in lines if l.startswith(prefix)), "")


def main():
    started = start_image(__doc__, "the cosem image")
    if started is None:
        return 0
    _, tap, status, timed_out, lines = started
    tap.check(any(l.startswith("cosem: libmeter ") for l in lines), "the image started")

    sizes = key_values(first(lines, "sizes "))
    tap.check(all(sizes.get(k, 0) > 0 for k in SIZES), "the context sizes were reported",
              ["missing: %s" % [k for k in SIZES if sizes.get(k, 0) <= 0]])
    table = key_values(first(lines, "table "))
    tap.check(table.get("objects", 0) > 0 and table.get("bytes", 0) > 0,
              "the object table has %s objects (%s bytes)" % (table.get("objects"), table.get("bytes")),
              [first(lines, "table ") or "no 'table' line"])

    init = first(lines, "meter init ")
    tap.check(key_values(init).get("rc") == 0, "mtr_meter_init with every engine returned MTR_OK",
              [init or "no 'meter init' line"])
    run = first(lines, "run ")
    kv = key_values(run)
    tap.check(bool(run) and kv.get("rtc_set") == 0 and kv.get("periods", 0) >= 2 and
              kv.get("commit") == 0 and kv.get("captures") == 0 and kv.get("poll") == 0 and
              kv.get("steps", 0) >= 1,
              "the engines ran: RTC set, metrology periods, a step, two profile captures",
              [run or "no 'run' line"])
    srv = first(lines, "server init ")
    kv = key_values(srv)
    tap.check(kv.get("cosem") == 0 and kv.get("server") == 0,
              "mtr_cosem_init and mtr_dlms_server_init returned MTR_OK", [srv or "no 'server init' line"])

    check_results(tap, lines, CHECK_RE, EXPECTED_CHECKS, lambda n: n.replace("_", " "), "check")

    stack = key_values(first(lines, "stack "))
    used = max(stack.get("start", 0), stack.get("server", 0))
    tap.check(stack.get("start", 0) > 0 and stack.get("server", 0) > 0 and used < stack.get("size", 0),
              "the stack stayed within its size (start of the meter %s, DLMS exchange %s, of %s bytes)"
              % (stack.get("start"), stack.get("server"), stack.get("size")))

    last = lines[-1] if lines else ""
    tap.check(last == "cosem: PASS", "the cosem image reported PASS last", [last or "no output"])
    tap.check(status == 0 and not timed_out, "exit status 0", ["exit status %s" % status])
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
