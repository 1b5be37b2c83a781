# SPDX-License-Identifier: Apache-2.0
"""What the QEMU runners share: a TAP writer and running a command or a
Cortex-M image under qemu-system-arm (mps2-an386, semihosting) with a time-out,
the arguments of a runner, the key=value figures of a line and an image's size."""
import argparse
import re
import shutil
import subprocess
import sys
import time


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def check(self, ok, text, diag=()):
        self.n += 1
        print("%s %d - %s" % ("ok" if ok else "not ok", self.n, text))
        if not ok:
            self.failed += 1
            for d in diag:
                print("# " + d)
        return ok

    def diag(self, text):
        print("# " + text)

    def done(self):
        print("1..%d" % self.n)
        sys.stdout.flush()
        return 1 if self.failed else 0


def run_cmd(cmd, timeout):
    """(return code, timed out, output text, seconds); the process is killed on time-out."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    try:
        out, _ = proc.communicate(timeout=timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
        timed_out = True
    return proc.returncode, timed_out, out.decode("utf-8", "replace"), time.monotonic() - start


def qemu_cmd(qemu, elf, icount=False):
    cmd = [qemu, "-M", "mps2-an386", "-nographic",
           "-semihosting-config", "enable=on,target=native"]
    if icount:
        cmd += ["-icount", "shift=0"]  # one instruction = 1 ns of virtual time
    return cmd + ["-kernel", elf]


def run_qemu(qemu, elf, timeout, icount=False):
    """(command, return code, timed out, output text, seconds)."""
    cmd = qemu_cmd(qemu, elf, icount)
    rc, timed_out, out, secs = run_cmd(cmd, timeout)
    return cmd, rc, timed_out, out, secs


def image_parser(doc, elf_help, timeout=60.0):
    """The arguments every image runner takes: --qemu, --timeout and the image."""
    ap = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    ap.add_argument("--qemu", default="", help="qemu-system-arm (default: from PATH)")
    ap.add_argument("--timeout", type=float, default=timeout, help="seconds before QEMU is killed")
    ap.add_argument("elf", help=elf_help)
    return ap


def find_qemu(path):
    """qemu-system-arm (path, else from PATH); None, with a TAP skip printed, when there is none."""
    qemu = path or shutil.which("qemu-system-arm")
    if not qemu:
        print("1..0 # SKIP qemu-system-arm not found")
    return qemu


def run_image(tap, qemu, elf, timeout):
    """Run elf under QEMU, its command, wall time and output as TAP diagnostics;
    (return code, timed out, output lines)."""
    cmd, status, timed_out, out, seconds = run_qemu(qemu, elf, timeout)
    tap.diag("$ " + " ".join(cmd))
    tap.diag("wall time %.1f s" % seconds)
    lines = [l.rstrip("\r") for l in out.splitlines()]
    for l in lines:
        tap.diag("| " + l)
    return status, timed_out, lines


def start_image(doc, elf_help):
    """The start of a runner of an image that prints its results: parse --qemu,
    --timeout, --size and the image, print the image's size, run it (run_image)
    and check that QEMU finished in time. (args, tap, return code, timed out,
    output lines), or None when there is no QEMU (a TAP skip printed)."""
    ap = image_parser(doc, elf_help)
    ap.add_argument("--size", default="", help="arm-none-eabi-size, for the flash/RAM figures")
    args = ap.parse_args()

    qemu = find_qemu(args.qemu)
    if not qemu:
        return None

    tap = Tap()
    for d in image_size(args.size, args.elf):
        tap.diag(d)
    status, timed_out, lines = run_image(tap, qemu, args.elf, args.timeout)
    tap.check(not timed_out, "QEMU finished within %g s" % args.timeout)
    return args, tap, status, timed_out, lines


def check_results(tap, lines, pattern, expected, title, what):
    """The result lines of an image (pattern: a regex with the groups name,
    result and detail): one TAP check per expected name (its text title(name))
    that it PASSed, one that no line FAILed, and a diagnostic naming the lines
    not expected; what names one line ("check"). Returns {name: (result, detail)}."""
    results = {}
    for l in lines:
        m = pattern.match(l)
        if m:
            results[m.group("name")] = (m.group("result"), m.group("detail") or "")
    for name in expected:
        result, detail = results.get(name, ("missing", ""))
        tap.check(result == "PASS", title(name), ["%s %s" % (result, detail)])
    unexpected = sorted(n for n in results if n not in expected)
    failed = sorted("%s: %s" % (n, r[1]) for n, r in results.items() if r[0] == "FAIL")
    tap.check(not failed, "no %s failed" % what, failed)
    if unexpected:
        tap.diag("%ss not in the expected list: %s" % (what, ", ".join(unexpected)))
    return results


def key_values(line):
    """The key=<integer> pairs of a line, as a dict."""
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
