# SPDX-License-Identifier: Apache-2.0
"""Run the mps2-an386 bench image under QEMU with -icount shift=0 and report its figures.

  run_qemu_bench.py [--qemu PATH] [--timeout S] [--bench NAME --lines A,B --figures X,Y] BENCH.elf

Runs `qemu-system-arm -M mps2-an386 -nographic -semihosting-config
enable=on,target=native -icount shift=0 -kernel BENCH.elf` (1 instruction =
1 ns of virtual time), kills it after the timeout, and checks that the image
printed everything (format: adapters/boards/mps2-an386/bench.c): its start
line, the timer calibration, the metrology and calendar lines, and a JSON line
last with every figure, and exited with status 0. Prints what the image
printed and then that JSON line, last. Exit status 0 when complete, 1
otherwise, 77 (skipped) without QEMU.

Another image (e.g. cosem_bench.elf, bench_cortex_m4_cosem) gives its own
name (the "bench" of its JSON line), the prefixes of the lines it must print
in order (one of them "calibration ") and the figures its JSON line must
carry, each a comma-separated list; the defaults are bench.elf's.
"""

import argparse
import json
import re
import shutil
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qemu_common import run_qemu  # noqa: E402

SKIP = 77

# Figures the JSON line must carry, each a number.
FIGURES = [
    "instructions_per_tick", "rate_hz", "block_frames",
    "instructions_per_sample_set", "per_sample_path_instructions",
    "per_sample_plain_instructions", "per_sample_path_target",
    "per_second_work_instructions", "process_call_instructions", "frequency_crossing_instructions",
    "share_of_48mhz_at_4khz_percent", "calendar_decide_instructions",
    "tariff_day_15min_steps", "tariff_day_instructions", "tariff_step_instructions",
    "stack_used_bytes",
]

# Lines the image prints before the JSON line, in this order.
LINES = ["bench: libmeter ", "calibration ", "metrology ", "calendar "]




def problems(lines, status, timed_out, timeout, name="bench_cortex_m4", prefixes=None,
             figures=None):
    """What is wrong with a run, as a list of messages (empty: complete)."""
    prefixes = LINES if prefixes is None else prefixes
    figures = FIGURES if figures is None else figures
    found = []
    if timed_out:
        found.append("QEMU did not finish within %g s" % timeout)
    elif status != 0:
        found.append("exit status %s" % status)
    pos = 0
    for prefix in prefixes:
        while pos < len(lines) and not lines[pos].startswith(prefix):
            pos += 1
        if pos == len(lines):
            found.append("no line starting with %r in order" % prefix)
            return found
    cal_line = next((l for l in lines if l.startswith("calibration ")), "")
    cal = dict(re.findall(r"(\w+)=(\d+)", cal_line))
    if int(cal.get("ticks", 0)) <= 0:
        found.append("the calibration measured no ticks")
    last = lines[-1] if lines else ""
    try:
        fig = json.loads(last)
    except ValueError:
        found.append("the last line is not JSON: %r" % last)
        return found
    if fig.get("bench") != name:
        found.append("the JSON line is not %s's" % name)
    for key in figures:
        v = fig.get(key)
        if isinstance(v, bool) or not isinstance(v, (int, float)) or v <= 0:
            found.append("figure %s missing or not a positive number: %r" % (key, v))
    return found


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--qemu", default="", help="qemu-system-arm (default: from PATH)")
    ap.add_argument("--timeout", type=float, default=240.0, help="seconds before QEMU is killed")
    ap.add_argument("--bench", default="bench_cortex_m4", help="name in the JSON line")
    ap.add_argument("--lines", default="", help="comma-separated prefixes of the lines, in order")
    ap.add_argument("--figures", default="", help="comma-separated figures of the JSON line")
    ap.add_argument("elf", help="the bench image")
    args = ap.parse_args()
    prefixes = args.lines.split(",") if args.lines else None
    figures = args.figures.split(",") if args.figures else None

    qemu = args.qemu or shutil.which("qemu-system-arm")
    if not qemu:
        print("%s: qemu-system-arm not found, skipped" % args.bench)
        return SKIP

    cmd, status, timed_out, out, seconds = run_qemu(qemu, args.elf, args.timeout, icount=True)
    lines = [l.rstrip("\r") for l in out.splitlines() if l.strip()]
    print("$ " + " ".join(cmd))
    print("wall time %.1f s" % seconds)
    found = problems(lines, status, timed_out, args.timeout, args.bench, prefixes, figures)
    for l in lines[:-1] if not found else lines:
        print("| " + l)
    if found:
        for f in found:
            print("%s: %s" % (args.bench, f))
        return 1
    print(lines[-1])
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
