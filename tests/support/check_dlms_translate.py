#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""TAP test of dlms-translate: decode to XML and JSON, encode back, byte-exact.

Usage: check_dlms_translate.py DLMS_TRANSLATE VECTOR_DIR

Vectors: tests/vectors/dlms_{apdu,axdr,hdlc,wrapper}.data ("name: HEX ; source",
white space allowed inside HEX). Every vector, every strict prefix of a few of
them, and seeded random byte strings must survive decode -> encode unchanged.
"""
import json
import os
import random
import subprocess
import sys

EXE = sys.argv[1]
VECTORS = sys.argv[2]
MODES = {"dlms_apdu.data": "--apdu", "dlms_axdr.data": "--data",
         "dlms_hdlc.data": "--frame", "dlms_wrapper.data": "--wrapper"}

results = []


def ok(cond, name, diag=""):
    results.append((bool(cond), name, diag))


def run(args, stdin=""):
    p = subprocess.run([EXE] + args, input=stdin, capture_output=True, text=True, timeout=30)
    return p.returncode, p.stdout, p.stderr


def load(fname):
    out = []
    with open(os.path.join(VECTORS, fname), encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            name, rest = line.split(":", 1)
            hexpart = rest.split(";", 1)[0]
            out.append((name.strip(), "".join(hexpart.split()).upper()))
    return out


def roundtrip(mode, hexstr):
    """Returns (xml, json text, error message or None)."""
    texts = []
    for fmt in ("--xml", "--json"):
        rc, out, err = run(["decode", fmt, mode], hexstr + "\n")
        if rc != 0:
            return None, None, f"decode {fmt} exit {rc}: {err.strip()}"
        if fmt == "--json":
            try:
                json.loads(out)
            except ValueError as e:
                return None, None, f"decode --json is not JSON: {e}"
        rc, back, err = run(["encode", fmt], out)
        if rc != 0:
            return None, None, f"encode {fmt} exit {rc}: {err.strip()}"
        if back.strip() != hexstr:
            return None, None, f"{fmt}: {back.strip()} != {hexstr}"
        texts.append(out)
    return texts[0], texts[1], None


# Vectors that are not what their mode decodes: their bytes stay in an error leaf.
NOT_DECODABLE = {
    "gb_hls5_f_stoc": "f(StoC) is an authentication value, not an APDU",
    "gb_hls5_f_ctos": "f(CtoS) is an authentication value, not an APDU",
    "ui": "the information field after the LLC header is not an APDU",
}
decoded = {}
for fname, mode in MODES.items():
    for name, h in load(fname):
        x, j, err = roundtrip(mode, h)
        ok(err is None, f"{fname} {name}: XML and JSON round trip", err or "")
        decoded[name] = x or ""
        if x is not None and name in NOT_DECODABLE:
            ok("error=" in x, f"{fname} {name}: kept in an error leaf ({NOT_DECODABLE[name]})", x)
        elif x is not None:
            # the whole input was understood: no hex leaf carries an error
            ok("error=" not in x, f"{fname} {name}: decoded without error", x if "error=" in x else "")

# Truncated vectors: every strict prefix still round-trips (decoded with an error leaf).
trunc = 0
trunc_fail = []
for fname, mode in MODES.items():
    for name, h in load(fname)[:6]:
        for cut in range(0, len(h), 2):
            trunc += 1
            _, _, err = roundtrip(mode, h[:cut])
            if err:
                trunc_fail.append(f"{name}[:{cut // 2}]: {err}")
ok(not trunc_fail, f"{trunc} truncated vectors round trip", "\n".join(trunc_fail[:5]))

# Random byte strings (seeded), each first byte forced to a known tag half of the time.
rng = random.Random(62056)
tags = [0xC0, 0xC1, 0xC3, 0xC4, 0xC5, 0xC7, 0xD8, 0x0F, 0x60, 0x61, 0xC8, 0xDB, 0x01, 0x02, 0x7E]
rand_fail = []
count = 0
for mode in ("--apdu", "--frame", "--wrapper", "--data"):
    for i in range(40):
        b = bytearray(rng.randrange(256) for _ in range(rng.randrange(0, 40)))
        if b and i % 2:
            b[0] = rng.choice(tags)
        h = b.hex().upper()
        count += 1
        _, _, err = roundtrip(mode, h)
        if err:
            rand_fail.append(f"{mode} {h}: {err}")
ok(not rand_fail, f"{count} random byte strings round trip", "\n".join(rand_fail[:5]))

# Known fields (values from the vector files; names from the Green Book / IEC 62056-46).
def has(name, *needles):
    text = decoded.get(name, "")
    miss = [n for n in needles if n not in text]
    ok(not miss, f"{name} shows {', '.join(needles)}", f"missing {miss}")


has("public_get_object_list", "<get-request-normal", '<class-id u16="15"/>',
    'obis="0.0.40.0.0.255"', '<attribute-id i8="2"/>')
has("i_get_request", 'kind="I"', 'obis="0.0.1.0.0.255"', '<class-id u16="8"/>')
has("gurux_snrm", 'kind="SNRM"', 'pf="1"')
has("public_snrm_4byte", 'kind="SNRM"', 'upper="1"', 'lower="17"')
has("gb_glo_get_auth_enc", "<glo-get-request", '<security-control u8="48"', 'encryption="yes"',
    '<invocation-counter u32="19088743"/>')
has("gb_aarq_hls5", "<aarq", 'meaning="hls-gmac"', 'text="K56iVagY"', "<initiate-request",
    'services="priority-mgmt-supported', "block-transfer-with-get-or-read")
has("public_aare", "<aare", "<initiate-response", '<server-max-receive-pdu-size u16="1500"/>')
has("gb_aare_hls5", "<aare", '<server-max-receive-pdu-size u16="500"/>', 'text="P6wRJ21F"')
has("set_clock", "<set-request-normal", 'obis="0.0.1.0.0.255"', "<octet-string",
    "2002-12-04")
has("non_minimal_length", 'len-size="3"')
has("public_rlre", "<rlre", "<reason")

# Malformed input keeps its bytes in an error leaf.
rc, out, _ = run(["decode", "C0FF00"])
ok(rc == 0 and 'error="' in out and 'hex="FF00"' in out, "unknown choice kept as hex with an error", out)

# An edited readable value is honoured by the encoder.
rc, out, _ = run(["decode", "C001C1000F0000280000FF0200"])
rc2, back, _ = run(["encode"], out.replace('obis="0.0.40.0.0.255"', 'obis="1.0.1.8.0.255"'))
ok(rc2 == 0 and back.strip() == "C001C1000F0100010800FF0200", "edited OBIS is encoded", back)

# Usage errors exit 2; input that cannot be encoded exits 1.
for args, stdin, want, label in [
    ([], "", 2, "no command"),
    (["frobnicate"], "", 2, "unknown command"),
    (["decode", "--bogus", "00"], "", 2, "unknown option"),
    (["decode", "ABC"], "", 2, "odd hex digits"),
    (["decode", "zz"], "", 2, "not hex"),
    (["encode", "extra"], "", 2, "encode with an argument"),
    (["encode"], "<dlms><x hex=\"0\"/></dlms>", 1, "bad hex in XML"),
    (["encode"], "<dlms><x u8=\"256\"/></dlms>", 1, "u8 out of range"),
    (["encode"], "<dlms><x", 1, "truncated XML"),
    (["encode", "--json"], "{\"element\": \"x\", \"u16\": -1}", 1, "negative u16 in JSON"),
    (["encode"], "<dlms><x tag=\"09\" len=\"axdr\" len-size=\"1\" hex=\"" + "00" * 200 + "\"/></dlms>", 1,
     "length that does not fit its len-size"),
]:
    rc, _, err = run(args, stdin)
    ok(rc == want, f"{label}: exit {want}", f"exit {rc}: {err.strip()}")
rc, out, _ = run(["--help"])
ok(rc == 0 and "usage:" in out, "--help exits 0 with usage")

print(f"1..{len(results)}")
for i, (good, name, diag) in enumerate(results, 1):
    print(f"{'ok' if good else 'not ok'} {i} - {name}")
    if not good and diag:
        for line in str(diag).splitlines()[:20]:
            print(f"# {line}")
sys.exit(0)
