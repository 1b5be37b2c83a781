#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Firmware update of the virtual meter over DLMS (TAP).

Builds signed images with fw-image (GMAC with the firmware key, ECDSA P-256
with a key pair it generates), runs virtual-meter on an ephemeral port with
its NVM in a file and transfers them with `dlms-client ... image FILE`
through the image transfer object 0-0:44.0.0.255:

- a valid image: transferred in blocks, verified, activated; the firmware
  update log 0-0:99.98.6.255 gets 17 then 18 (with the new version), the
  firmware version objects and the firmware signature change;
- a corrupted image (a payload byte flipped): verification fails, event 51,
  nothing to activate, the version unchanged; a wrong key: event 241; a wrong
  meter type: event 240;
- ECDSA: a valid image activated, one signed with another key refused (241);
- public and level 1 clients are refused (only management may update);
- a transfer started by hand resumes from its first missing block; another
  one over a transfer in progress aborts it (204);
- image_transfer_enabled written false refuses a transfer;
- over HDLC (the optical port of the meter): the "via optical port" code 242;
- SIGTERM and a restart on the same NVM: the activated version, the firmware
  update log and image_transfer_enabled are kept.

Waits are on the meter's log lines and on the client's exit, with time-outs;
no sleeps.
"""
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time

VM, CLIENT, FW = sys.argv[1], sys.argv[2], sys.argv[3]
results = []  # (name, ok, detail)

FW_KEY = "0F0E0D0C0B0A09080706050403020100"
TYPE = "LMTEST-3PH"
IMAGE = "0-0:44.0.0.255"
FW_LOG = "0-0:99.98.6.255"
FW_VERSION = "1-0:0.2.0.255"
FW_VERSION_LNR = "1-1:0.2.0.255"
FW_SIGNATURE = "1-0:0.2.8.255"


def check(name, cond, detail=""):
    results.append((name, bool(cond), detail))
    return bool(cond)


def finish():
    print(f"1..{len(results)}")
    for i, (name, ok, detail) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {i} - {name}")
        if not ok and detail:
            for line in str(detail).splitlines()[:20]:
                print(f"# {line}")
    sys.exit(0 if all(ok for _, ok, _ in results) else 1)


class Meter:
    """A running virtual meter; its stdout lines are collected by a thread."""

    def __init__(self, args):
        self.proc = subprocess.Popen([VM] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, bufsize=1)
        self.lines = []
        self.err = []
        self.cv = threading.Condition()
        self.readers = [threading.Thread(target=self._read, args=(s, into), daemon=True)
                        for s, into in ((self.proc.stdout, self.lines), (self.proc.stderr, self.err))]
        for t in self.readers:
            t.start()

    def _read(self, stream, into):
        for line in stream:
            with self.cv:
                into.append(line.rstrip("\n"))
                self.cv.notify_all()
        with self.cv:
            self.cv.notify_all()

    def wait(self, pattern, timeout=60, start=0):
        """First line from index start matching pattern, or None."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self.cv:
            i = start
            while True:
                while i < len(self.lines):
                    m = rx.search(self.lines[i])
                    if m:
                        return m
                    i += 1
                left = deadline - time.monotonic()
                if left <= 0 or (self.proc.poll() is not None and i >= len(self.lines)):
                    return None
                self.cv.wait(min(left, 1.0))

    def mark(self):
        with self.cv:
            return len(self.lines)

    def since(self, mark):
        with self.cv:
            return self.lines[mark:]

    def stop(self, timeout=60):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        for t in self.readers:
            t.join(timeout=10)  # the pipes are closed: the readers end
        return rc

    def text(self):
        with self.cv:
            return "\n".join(self.lines[-40:]) + "\n" + "\n".join(self.err[-10:])


def client(port, *cmds, sap=2, password="mgmt0002", hls=False, config=None, hdlc=None,
           ic_file=None):
    """dlms-client --json; (exit status, JSON objects, stderr and stdout)."""
    args = [CLIENT, "--json", "--timeout", "30", "--client-sap", str(sap)]
    args += ["--hdlc", hdlc] if hdlc else ["--port", str(port)]
    if hls:
        args += ["--hls", "--config", config, "--ic-file", ic_file]
    elif password:
        args += ["--password", password]
    p = subprocess.run(args + [str(c) for c in cmds], capture_output=True, text=True, timeout=300)
    objs = []
    for line in p.stdout.splitlines():
        try:
            objs.append(json.loads(line))
        except ValueError:
            pass
    return p.returncode, objs, p.stderr + p.stdout[-1500:]


def fw_image(*args):
    p = subprocess.run([FW] + [str(a) for a in args], capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def version_hex(text):
    return text.encode().hex().upper()


def fw_log(port):
    """Rows [time, code, version] of the firmware update log, or None."""
    rc, objs, err = client(port, "profile", FW_LOG)
    if rc != 0 or not objs or not objs[0].get("ok"):
        return None, err
    return objs[0]["rows"], err


def main():
    tmp = tempfile.TemporaryDirectory(prefix="vm-image-")
    d = tmp.name
    nvm = os.path.join(d, "meter.nvm")
    conf = os.path.join(d, "meter.conf")
    ic_file = os.path.join(d, "ic")

    # ---- fw-image: keys and images
    rc, out, err = fw_image("keygen")
    keys = dict(re.findall(r"^(private|public) = ([0-9A-F]+)$", out, re.M))
    check("fw-image keygen: a P-256 key pair (32-byte private, 64-byte public)",
          rc == 0 and len(keys.get("private", "")) == 64 and len(keys.get("public", "")) == 128,
          out + err)
    rc2, out2, _ = fw_image("keygen")
    other = dict(re.findall(r"^(private|public) = ([0-9A-F]+)$", out2, re.M))
    rc, _, err = fw_image("build", "--gmac-key", FW_KEY, os.devnull, os.path.join(d, "x.img"))
    check("fw-image build without --type: usage error (exit 2)", rc == 2 and "--type" in err, err)

    payload = os.urandom(5000)
    with open(os.path.join(d, "payload.bin"), "wb") as f:
        f.write(payload)
    pay = os.path.join(d, "payload.bin")
    keyfile = os.path.join(d, "fw.key")
    with open(keyfile, "w") as f:
        f.write(FW_KEY + "\n")

    def build(name, *opts):
        path = os.path.join(d, name)
        rc, out, err = fw_image("build", "--type", TYPE, *opts, pay, path)
        return path if rc == 0 else None, out + err

    good, err = build("good.img", "--gmac-key", "@" + keyfile)
    check("fw-image build: a GMAC image of 160 + 5000 bytes, key from a file",
          good is not None and os.path.getsize(good) == 5160, err)
    with open(good, "rb") as f:
        img = f.read()
    h = img[:160]
    check("the image header follows the format (LMFW, v1, GMAC, 160, length, type, digest)",
          h[:4] == b"LMFW" and h[4] == 1 and h[5] == 1 and h[6:8] == b"\x00\xa0"
          and int.from_bytes(h[8:12], "big") == 5000 and h[12:44].rstrip(b"\0") == TYPE.encode()
          and h[44:76] == hashlib.sha256(payload).digest() and h[88:96] == bytes(8)
          and h[112:160] == bytes(48), h.hex())
    rc, out, err = fw_image("check", "--type", TYPE, "--gmac-key", FW_KEY, good)
    check("fw-image check: the image passes with its key", rc == 0 and "GMAC tag valid" in out,
          out + err)
    rc, out, err = fw_image("check", "--gmac-key", "00" * 16, good)
    check("fw-image check: another key fails (exit 1)", rc == 1 and "INVALID" in out, out + err)

    corrupt = os.path.join(d, "corrupt.img")
    bad = bytearray(img)
    bad[160 + 2345] ^= 0x01  # one bit of the payload, as on a bad line
    with open(corrupt, "wb") as f:
        f.write(bad)
    wrongkey, _ = build("wrongkey.img", "--gmac-key", "00" * 16)
    wrongtype = os.path.join(d, "wrongtype.img")
    rc, _, err = fw_image("build", "--type", "ANOTHER-METER", "--gmac-key", FW_KEY, pay, wrongtype)
    ecdsa, err_e = build("ecdsa.img", "--ecdsa-key", keys.get("private", ""))
    ecdsa_other, _ = build("ecdsa-other.img", "--ecdsa-key", other.get("private", ""))
    check("fw-image build: ECDSA images with two keys, and a GMAC image of another type",
          rc == 0 and ecdsa and ecdsa_other and rc2 == 0, err + err_e)
    rc, out, err = fw_image("check", "--ecdsa-pub", "04" + keys.get("public", ""), ecdsa)
    check("fw-image check: the ECDSA signature is valid with the public key",
          rc == 0 and "signature valid" in out, out + err)

    with open(conf, "w") as f:
        f.write(f"""# firmware update test meter
client.16 = public none
client.1 = management hls policy=auth_enc key_transfer
client.2 = management lls password=mgmt0002
client.32 = level1 lls password=11111111
image_type = {TYPE}
image_block_size = 256
image_max_size = 65536
firmware_key = {FW_KEY}
firmware_public_key = {keys.get("public", "")}
""")

    m = Meter(["--seconds", "0", "--speed", "1", "--no-load", "-q", "--port", "0", "--pty",
               "--nvm", nvm, "--config", conf, "--start", "2026-03-02T00:00:00Z"])
    got = m.wait(r"listening on [\d.]+:(\d+)", 60)
    if not check("meter listens on an ephemeral port", got, m.text()):
        m.stop()
        return
    port = int(got.group(1))
    pty = m.wait(r"HDLC on (\S+)", 10)
    check("the banner names the image transfer settings",
          m.wait(rf"image transfer: type {TYPE}, blocks of 256 B, images up to 65536 B, "
                 r"GMAC key set, ECDSA key set, store \S+meter.nvm.bank", 5), m.text())

    rc, objs, err = client(port, "get", FW_VERSION, 1, 2, "get", IMAGE, 18, 2, "get", IMAGE, 18, 6)
    old_version = objs[0].get("value") if objs else None
    check("before: a firmware version, image_block_size 256, status 0 (not initiated)",
          rc == 0 and len(objs) == 3 and old_version and objs[1]["value"] == 256
          and objs[2]["value"] == 0, err)
    log0, err = fw_log(port)
    check("before: the firmware update log is readable", log0 is not None, err)
    log0 = log0 or []

    # ---- only the management role may update
    mark = m.mark()
    rc, objs, err = client(port, "image", good, "--id", "V030201", sap=16, password=None)
    o = objs[0] if objs else {}
    check("public client: refused (read-write-denied), exit 1",
          rc == 1 and o.get("ok") is False and o.get("error") == "read-write-denied"
          and o.get("sent") == 0, err)
    rc, objs, err = client(port, "image", good, "--id", "V030201", sap=32, password="11111111")
    o = objs[0] if objs else {}
    check("level 1 client: reads the block size, its initiate is refused",
          rc == 1 and o.get("step") == "image_transfer_initiate"
          and o.get("error") == "read-write-denied" and o.get("sent") == 0, err)
    check("refused clients raise no firmware event",
          not any("firmware:" in line for line in m.since(mark)), "\n".join(m.since(mark)))

    # ---- a valid image over HLS with ciphering (the default management client)
    mark = m.mark()
    rc, objs, err = client(port, "image", good, "--id", "V030203", sap=1, hls=True, config=conf,
                           ic_file=ic_file)
    o = objs[0] if objs else {}
    check("valid GMAC image (HLS, ciphered): 21 blocks sent, verified, activated, status 6",
          rc == 0 and o.get("ok") and o.get("blocks") == 21 and o.get("sent") == 21
          and o.get("verified") and o.get("activated") and o.get("status") == 6, err)
    check("the meter logs 'firmware activated: V030203'",
          m.wait(r"firmware: firmware activated: V030203 \(5160 bytes\)", 30, mark), m.text())
    log1, err = fw_log(port)
    new = [r[1] for r in (log1 or [])[len(log0):]]
    check("firmware update log: 17 then 18", new == [17, 18], f"{log1} {err}")
    check("firmware update log: 18 carries the new version (V030203 -> 30203)",
          log1 and log1[-1][1] == 18 and log1[-1][2] == 30203, str(log1))
    rc, objs, err = client(port, "get", FW_VERSION, 1, 2, "get", FW_VERSION_LNR, 1, 2,
                           "get", FW_SIGNATURE, 1, 2, "get", IMAGE, 18, 7)
    vals = [o.get("value") for o in objs]
    check("firmware version objects report V030203",
          rc == 0 and len(vals) == 4 and vals[0] == version_hex("V030203")
          and vals[1] == version_hex("V030203"), f"{vals} {err}")
    check("firmware signature = SHA-256 of the payload (first 16 bytes)",
          len(vals) == 4 and vals[2] == hashlib.sha256(payload).digest()[:16].hex().upper(),
          str(vals))
    check("image_to_activate_info: size, identifier, GMAC tag",
          len(vals) == 4 and vals[3] == [[5160, version_hex("V030203"), img[96:112].hex().upper()]],
          str(vals))
    with open(nvm + ".active", "rb") as f:
        check("the activated image is kept next to the NVM file", f.read() == img)

    # ---- a corrupted image: verification fails with 51, nothing is activated
    def refused(path, ident, code, name, sap=2):
        mark = m.mark()
        before, _ = fw_log(port)
        rc, objs, err = client(port, "image", path, "--id", ident, sap=sap)
        o = objs[0] if objs else {}
        check(f"{name}: all blocks in, verification fails (status 4), exit 1",
              rc == 1 and o.get("sent") == 21 and o.get("step") == "image_verify"
              and o.get("status") == 4 and not o.get("activated"), err)
        after, err = fw_log(port)
        added = [r[1] for r in (after or [])[len(before or []):]]
        check(f"{name}: event {code} in the firmware update log, and nothing else", added == [code],
              f"{added} {err}")
        rc, objs, err = client(port, "get", FW_VERSION, 1, 2, "get", IMAGE, 18, 7,
                               "action", IMAGE, 18, 4)
        check(f"{name}: version unchanged, nothing to activate, activation refused",
              len(objs) == 3 and objs[0].get("value") == version_hex("V030203")
              and objs[1].get("value") == [] and objs[2].get("ok") is False
              and not any(f"firmware activated: {ident}" in line for line in m.since(mark)),
              f"{objs} {err}")

    refused(corrupt, "V030204", 51, "corrupted image")
    refused(wrongkey, "V030204", 241, "GMAC image under another key")
    refused(wrongtype, "V030204", 240, "image of another meter type")
    refused(ecdsa_other, "V030205", 241, "ECDSA image signed by another key")

    # ---- a valid ECDSA image (LLS management client)
    mark = m.mark()
    rc, objs, err = client(port, "image", ecdsa, "--id", "V030206")
    o = objs[0] if objs else {}
    check("valid ECDSA image: verified and activated",
          rc == 0 and o.get("activated") and o.get("status") == 6, err)
    check("the meter logs 'firmware activated: V030206'",
          m.wait(r"firmware activated: V030206", 30, mark), m.text())
    log2, err = fw_log(port)
    check("firmware update log ends with 17, 18 (30206)",
          log2 and [r[1] for r in log2[-2:]] == [17, 18] and log2[-1][2] == 30206, str(log2))

    # ---- over HDLC, the meter's optical port: the "via optical port" codes
    if pty:
        before, _ = fw_log(port)
        rc, objs, err = client(None, "image", good, "--id", "V030207", "--no-activate",
                               hdlc=pty.group(1))
        o = objs[0] if objs else {}
        after, _ = fw_log(port)
        added = [r[1] for r in (after or [])[len(before or []):]]
        check("HDLC (optical port): verified, not activated, event 242",
              rc == 0 and o.get("verified") and not o.get("activated") and o.get("status") == 3
              and added == [242], f"{added} {err}")
    else:
        check("HDLC: a pseudo-terminal is offered", False, m.text())

    # ---- an interrupted transfer resumes; another one over it aborts it (204)
    ident = "V03020A".encode().hex()
    rc, objs, err = client(port, "action", IMAGE, 18, 1, f"struct(octets:{ident},u32:{len(img)})",
                           "action", IMAGE, 18, 2, f"struct(u32:0,octets:{img[:256].hex()})",
                           "get", IMAGE, 18, 4)
    check("a transfer started by hand: block 0 in, first missing block 1",
          rc == 0 and len(objs) == 3 and objs[2].get("value") == 1, err)
    before, _ = fw_log(port)
    rc, objs, err = client(port, "image", good, "--id", "V03020A", "--no-activate")
    o = objs[0] if objs else {}
    after, _ = fw_log(port)
    added = [r[1] for r in (after or [])[len(before or []):]]
    check("image of the same identifier and size: resumes from block 1 (20 sent), verified, 17",
          rc == 0 and o.get("sent") == 20 and o.get("verified") and added == [17],
          f"{added} {err}")
    rc, objs, err = client(port, "action", IMAGE, 18, 1, f"struct(octets:{ident},u32:{len(img)})")
    before, _ = fw_log(port)
    rc, objs, err = client(port, "image", good, "--id", "V03020B", "--no-activate")
    o = objs[0] if objs else {}
    after, _ = fw_log(port)
    added = [r[1] for r in (after or [])[len(before or []):]]
    check("another image over a transfer in progress: 204 (aborted), then all 21 blocks, 17",
          rc == 0 and o.get("sent") == 21 and added == [204, 17], f"{added} {err}")

    # ---- image_transfer_enabled false: a transfer is refused
    rc, objs, err = client(port, "set", IMAGE, 18, 5, "bool:0", "image", good, "--id", "V030208")
    check("image_transfer_enabled written false: the transfer is refused",
          rc == 1 and len(objs) == 2 and objs[0].get("ok")
          and objs[1].get("step") == "image_transfer_initiate"
          and objs[1].get("error") == "read-write-denied", err)

    # ---- restart on the same NVM
    rc, first, err = client(port, "get", FW_VERSION, 1, 2, "get", FW_SIGNATURE, 1, 2)
    log_before, _ = fw_log(port)
    rc = m.stop()
    check("SIGTERM: exit 0, state saved", rc == 0 and any("virtual-meter: saved" in line
                                                        for line in m.lines), m.text())
    m2 = Meter(["--seconds", "0", "--speed", "1", "--no-load", "-q", "--port", "0", "--nvm", nvm,
                "--config", conf])
    got = m2.wait(r"listening on [\d.]+:(\d+)", 60)
    if not check("restart on the same NVM", got, m2.text()):
        m2.stop()
        return
    port2 = int(got.group(1))
    check("the banner names the running firmware V030206",
          m2.wait(r"virtual-meter: firmware V030206 \(image of 5160 B activated", 5), m2.text())
    check("image transfer still disabled after the restart",
          m2.wait(r"image transfer: .*\(transfer disabled\)", 5), m2.text())
    rc, again, err = client(port2, "get", FW_VERSION, 1, 2, "get", FW_SIGNATURE, 1, 2,
                            "get", FW_VERSION_LNR, 1, 2, "get", IMAGE, 18, 5)
    check("after the restart: the version and signature of the activated image",
          rc == 0 and len(again) == 4 and again[0].get("value") == version_hex("V030206")
          and again[:2] == first[:2] and again[2].get("value") == version_hex("V030206")
          and again[0].get("value") != old_version, f"{first} {again} {err}")
    check("after the restart: image_transfer_enabled is false", len(again) == 4
          and again[3].get("value") is False, str(again))
    log3, err = fw_log(port2)
    check("after the restart: the firmware update log is kept", log3 == log_before, f"{log3} {err}")
    # enabled again: a transfer goes through
    rc, objs, err = client(port2, "set", IMAGE, 18, 5, "bool:1", "image", good, "--id", "V030209")
    check("enabled again: a valid image is activated", rc == 0 and len(objs) == 2
          and objs[1].get("activated"), err)
    rc = m2.stop()
    check("second stop: exit 0", rc == 0, m2.text())


try:
    main()
except Exception:  # report, do not hide
    import traceback
    check("the test ran to its end", False, traceback.format_exc())
finish()
