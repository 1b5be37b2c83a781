# SPDX-License-Identifier: Apache-2.0
"""Compare the metrology determinism check on the Cortex-M4 (QEMU) with the host.

  run_qemu_determinism.py [--qemu PATH] [--timeout S] --host DET_HOST DET.elf

DET.elf (adapters/boards/mps2-an386/det.c) and DET_HOST (det_host.c, the same
program and the same libmeter sources built for the build machine) run
tests/unit/metrology/test_determinism_common.c on the frames of
tests/vectors/metrology_det.data and print the same lines: the frames' CRC,
every period's results, the energy registers (whole units and remainder) and
a CRC-32 digest of all of it. This script runs DET_HOST, runs DET.elf with
`qemu-system-arm -M mps2-an386 -nographic -semihosting-config
enable=on,target=native -kernel DET.elf` (killed after the timeout), and
checks that both are complete and bit-identical: one TAP line per period,
per register set and for the digest. It also runs `DET_HOST --flip`, which
changes the least significant bit of one register, and checks that the
digest and the comparison see it.
"""

import re
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qemu_common import Tap, find_qemu, image_parser, qemu_cmd, run_cmd  # noqa: E402




def run(cmd, timeout):
    status, timed_out, out, seconds = run_cmd(cmd, timeout)
    return status, timed_out, [l.rstrip("\r") for l in out.splitlines()], seconds


class Run:
    """The lines of one run, by kind."""

    def __init__(self, lines):
        self.lines = lines
        self.body = [l for l in lines if not l.startswith("board:")]
        self.complete = bool(self.body) and self.body[-1] == "det: end"
        self.periods = {}
        self.registers = {}
        self.digest = None
        self.frames_crc = None
        for l in self.body:
            m = re.match(r"^period (\d+) ", l)
            if m:
                self.periods.setdefault(int(m.group(1)), []).append(l)
            m = re.match(r"^registers (\S+) ", l)
            if m:
                self.registers[m.group(1)] = l
            m = re.search(r"\bdigest=(0x[0-9a-f]{8})", l)
            if m and l.startswith("det:"):
                self.digest = m.group(1)
            m = re.search(r"\bframes_crc=(0x[0-9a-f]{8})", l)
            if m and l.startswith("det:"):
                self.frames_crc = m.group(1)


def first_difference(a, b):
    for x, y in zip(a, b):
        if x != y:
            return ["host:  " + x, "board: " + y]
    if len(a) != len(b):
        return ["host has %d lines, board %d" % (len(a), len(b))]
    return []


def main():
    ap = image_parser(__doc__, "the determinism image")
    ap.add_argument("--host", required=True, help="det_host, the check built for this machine")
    args = ap.parse_args()

    qemu = find_qemu(args.qemu)
    if not qemu:
        return 0

    tap = Tap()
    status, timed_out, lines, _ = run([args.host], args.timeout)
    host = Run(lines)
    tap.check(status == 0 and not timed_out and host.complete and host.digest is not None,
              "the host program ran to the end",
              ["exit status %s" % status] + lines[-5:])

    status, timed_out, lines, _ = run([args.host, "--flip"], args.timeout)
    flipped = Run(lines)

    cmd = qemu_cmd(qemu, args.elf)
    status, timed_out, lines, seconds = run(cmd, args.timeout)
    board = Run(lines)
    tap.diag("$ " + " ".join(cmd))
    tap.diag("wall time %.1f s" % seconds)
    for l in lines:
        if l.startswith("det:") or l.startswith("registers ") or l.startswith("board:"):
            tap.diag("| " + l)
    tap.check(not timed_out, "QEMU finished within %g s" % args.timeout)
    tap.check(status == 0 and board.complete, "the board ran to the end",
              ["exit status %s" % status] + lines[-5:])

    tap.check(host.frames_crc is not None and host.frames_crc == board.frames_crc,
              "same frames (CRC %s)" % host.frames_crc,
              ["host %s, board %s" % (host.frames_crc, board.frames_crc)])
    tap.check(len(host.periods) > 0 and sorted(host.periods) == sorted(board.periods),
              "same periods (%d)" % len(host.periods),
              ["host %s, board %s" % (sorted(host.periods), sorted(board.periods))])
    for seq in sorted(host.periods):
        tap.check(host.periods[seq] == board.periods.get(seq),
                  "period %d: results and harmonics identical" % seq,
                  first_difference(host.periods[seq], board.periods.get(seq, [])))
    for name in sorted(host.registers):
        tap.check(host.registers[name] == board.registers.get(name),
                  "registers %s identical (whole and remainder)" % name,
                  ["host:  " + host.registers[name],
                   "board: " + board.registers.get(name, "missing")])
    tap.check(len(host.registers) == 4, "registers of 3 phases and the total compared",
              ["%d register lines" % len(host.registers)])
    tap.check(host.body == board.body, "every line identical",
              first_difference(host.body, board.body))
    tap.check(host.digest is not None and host.digest == board.digest,
              "digest identical (%s)" % host.digest,
              ["host %s, board %s" % (host.digest, board.digest)])

    tap.check(flipped.complete and flipped.digest not in (None, host.digest, board.digest) and
              flipped.registers.get("total") != board.registers.get("total"),
              "a one-bit change of a register changes the digest (%s)" % flipped.digest,
              ["flipped %s, host %s" % (flipped.digest, host.digest)])
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
