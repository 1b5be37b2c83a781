#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Runs the virtual meter and checks what it prints (TAP).

1. A 3-second run on the default load: one report line per simulated second
   with the configured load (230 V, 5 A, PF 0.9: P = 3 x 230 x 5 x 0.9 W) and
   a summary with every frame accounted for.
2. A run until SIGTERM: it stops cleanly, says so, exits 0 (the runs after the
   first do not serve DLMS: --port off).
3. Bad options: exit status 2 and a message.
4. The engines: a metrology line per second (P = 3105 W), the energy
   registers per tariff per minute (sum of T1..T3 = A+), and with --nvm the
   registers saved at exit (also on SIGTERM) and restored by the next run.
5. --image-dir: the image store of the firmware update is created there.
"""
import os
import re
import signal
import subprocess
import sys
import tempfile

exe = sys.argv[1]
results = []


def check(name, cond, detail=""):
    results.append((name, bool(cond), detail))


line_re = re.compile(
    r"^\S+Z frames=(\d+) U=([\d.]+)/([\d.]+)/([\d.]+) V I=([\d.]+)/([\d.]+)/([\d.]+) A "
    r"P=([\d.]+) W events=(\d+) overruns=(\d+)$")

run = subprocess.run([exe, "--seconds", "3"], capture_output=True, text=True, timeout=60)
lines = run.stdout.splitlines()
check("exit status 0", run.returncode == 0, run.stderr)
reports = [line_re.match(l) for l in lines if line_re.match(l)]
check("one report per simulated second", len(reports) == 3, run.stdout)
for i, m in enumerate(reports):
    frames, *vals = m.groups()
    u = [float(v) for v in vals[0:3]]
    a = [float(v) for v in vals[3:6]]
    p = float(vals[6])
    check(f"second {i + 1}: 4000 frames", int(frames) == 4000, frames)
    check(f"second {i + 1}: U = 230 V per phase", all(abs(x - 230.0) < 0.2 for x in u), str(u))
    check(f"second {i + 1}: I = 5 A per phase", all(abs(x - 5.0) < 0.01 for x in a), str(a))
    check(f"second {i + 1}: P = 3105 W", abs(p - 3105.0) < 3.0, str(p))
    check(f"second {i + 1}: no overruns", int(vals[8]) == 0, vals[8])
metro_re = re.compile(r"^  metrology U=\S+ V I=\S+ A P=([-\d.]+) W Q=([-\d.]+) var S=([\d.]+) VA "
                      r"PF=([-\d.]+) f=([\d.]+) Hz$")
engines = "no engines in this build" not in run.stdout
metro = [metro_re.match(l) for l in lines if metro_re.match(l)] if engines else [None] * 3
check("one metrology line per simulated second", len(metro) == 3, run.stdout)
for i, m in enumerate(metro if engines else []):
    check(f"metrology {i + 1}: P = 3105 W, PF 0.9, 50 Hz",
          abs(float(m.group(1)) - 3105.0) < 3.0 and abs(float(m.group(4)) - 0.9) < 0.002
          and abs(float(m.group(5)) - 50.0) < 0.02, m.group(0))
summary = [l for l in lines if "simulated s:" in l]
check("summary line", len(summary) == 1 and "frames=12000" in summary[0] and "dropped=0" in summary[0],
      "\n".join(summary))

def read_until(proc, rx, limit=200):
    """Lines of proc up to the first matching rx (the meter also logs its events)."""
    seen = []
    for _ in range(limit):
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(line)
        if rx.match(line.strip()):
            break
    return seen


proc = subprocess.Popen([exe, "--seconds", "0", "--speed", "20", "--port", "off"],
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
head = read_until(proc, line_re)  # banner, registers at start, events, first report
first = next((l for l in head if l.startswith("virtual-meter:")), "")
second = head[-1] if head else ""  # first report: the meter is running
proc.send_signal(signal.SIGTERM)
out, err = proc.communicate(timeout=30)
check("runs until a signal", first.startswith("virtual-meter:") and line_re.match(second.strip()),
      first + second)
check("SIGTERM: clean stop, exit 0", proc.returncode == 0 and "stopped by signal" in out,
      f"rc={proc.returncode} {out[-200:]} {err}")

reg_re = re.compile(r"^(.*) A\+=([\d.]+) kWh T1=([\d.]+) T2=([\d.]+) T3=([\d.]+) kWh A-=([\d.]+) kWh "
                    r"R\+=([\d.]+) kvarh billing=(\d+)$")


def registers(text, what):
    out = []
    for l in text.splitlines():
        m = reg_re.match(l)
        if m and what in m.group(1):
            out.append([float(x) for x in m.groups()[1:5]])
    return out


if engines:
    with tempfile.TemporaryDirectory() as tmp:
        nvm = os.path.join(tmp, "meter.nvm")
        first = subprocess.run([exe, "--seconds", "61", "--nvm", nvm, "--port", "off"],
                               capture_output=True, text=True, timeout=120)
        minute = registers(first.stdout, "  registers")
        check("registers printed after a minute", len(minute) == 1, first.stdout[-400:])
        if minute:
            a, t1, t2, t3 = minute[0]
            # 60 s of 3105 W = 0.05175 kWh, printed to 1 Wh
            check("A+ after a minute = 0.052 kWh", abs(a - 0.05175) <= 0.0015, str(minute[0]))
            check("tariff registers sum to A+", abs(t1 + t2 + t3 - a) <= 0.0015, str(minute[0]))
        saved = registers(first.stdout, "virtual-meter: saved")
        check("registers saved at exit", first.returncode == 0 and len(saved) == 1, first.stdout[-300:])
        second = subprocess.run([exe, "--seconds", "1", "--nvm", nvm, "--port", "off"],
                                capture_output=True, text=True, timeout=60)
        restored = registers(second.stdout, "virtual-meter: restored")
        check("restart restores the saved registers", saved and restored and restored[0] == saved[0],
              second.stdout[:300])
        proc = subprocess.Popen([exe, "--seconds", "0", "--speed", "20", "--nvm", nvm, "--port", "off"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        read_until(proc, line_re)
        read_until(proc, line_re)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
        on_term = registers(out, "virtual-meter: saved")
        check("SIGTERM: registers saved", proc.returncode == 0 and len(on_term) == 1, out[-300:])
        third = subprocess.run([exe, "--seconds", "1", "--nvm", nvm, "--port", "off"],
                               capture_output=True, text=True, timeout=60)
        again = registers(third.stdout, "virtual-meter: restored")
        check("after SIGTERM the registers continue from where they were",
              on_term and again and again[0] == on_term[0] and again[0][0] >= restored[0][0],
              third.stdout[:300])

# The image store of the firmware update (builds with DLMS, the object table and crypto).
with tempfile.TemporaryDirectory() as tmp:
    idir = os.path.join(tmp, "images")
    r = subprocess.run([exe, "--seconds", "1", "--port", "off", "--image-dir", idir, "-qq"],
                       capture_output=True, text=True, timeout=60)
    if "image transfer: type" in r.stdout:
        check("--image-dir: the directory and its image bank are created",
              r.returncode == 0 and os.path.isfile(os.path.join(idir, "image.bank"))
              and os.path.join(idir, "image.bank") in r.stdout, r.stdout + r.stderr)
        blocker = os.path.join(tmp, "file")
        open(blocker, "w").close()
        r = subprocess.run([exe, "--seconds", "1", "--port", "off", "--image-dir",
                            os.path.join(blocker, "sub"), "-qq"],
                           capture_output=True, text=True, timeout=60)
        check("--image-dir that cannot be created: exit 1 with a message",
              r.returncode == 1 and "--image-dir" in r.stderr, r.stderr)

bad = subprocess.run([exe, "--seconds", "ten"], capture_output=True, text=True, timeout=30)
check("bad option value: exit 2 with a message", bad.returncode == 2 and "--seconds" in bad.stderr,
      bad.stderr)
helpr = subprocess.run([exe, "--help"], capture_output=True, text=True, timeout=30)
check("--help", helpr.returncode == 0 and "usage:" in helpr.stdout)

print(f"1..{len(results)}")
for i, (name, ok, detail) in enumerate(results, 1):
    print(f"{'ok' if ok else 'not ok'} {i} - {name}")
    if not ok and detail:
        for l in str(detail).splitlines()[:10]:
            print(f"# {l}")
sys.exit(0 if all(ok for _, ok, _ in results) else 1)
