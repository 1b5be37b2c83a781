# SPDX-License-Identifier: Apache-2.0
"""What the QEMU runners share: a TAP writer and running a command or a
Cortex-M image under qemu-system-arm (mps2-an386, semihosting) with a time-out."""
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
