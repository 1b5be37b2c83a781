# SPDX-License-Identifier: Apache-2.0
"""Turn a sample file (format: adapters/sim/sim_adc.h) into a C array.

  samples_to_c.py INPUT.data OUTPUT.c NAME

Writes `const int32_t NAME[]` (the frames, MTR_ADC_CHANNELS codes each, in
file order) and `const uint32_t NAME_frames, NAME_rate_hz, NAME_bits`, for a
board image that has no file system. Checks the file as strictly as the sim
ADC's parser: header first, 7 values per frame within the declared bits,
`end` last with nothing after it.
"""

import re
import sys

CHANNELS = 7
HEADER = re.compile(r"^mtr-samples 1 rate=(\d+) bits=(\d+)$")
VALUE = re.compile(r"^[+-]?\d+$")


def parse(text):
    if not text.endswith("\n"):
        raise ValueError("the last line has no terminator")
    lines = text.split("\n")[:-1]
    rate = bits = None
    frames = []
    ended = False
    for no, raw in enumerate(lines, 1):
        line = raw.rstrip("\r").split("#", 1)[0].strip(" \t")
        if not line:
            continue
        if ended:
            raise ValueError("line %d: data after 'end'" % no)
        if rate is None:
            m = HEADER.match(re.sub(r"[ \t]+", " ", line))
            if not m:
                raise ValueError("line %d: not a version 1 header" % no)
            rate, bits = int(m.group(1)), int(m.group(2))
            if not 1 <= rate <= 100000 or not 12 <= bits <= 24:
                raise ValueError("line %d: rate or bits out of range" % no)
            continue
        if line == "end":
            ended = True
            continue
        values = [v.strip(" \t") for v in re.split(r"[ \t]*,[ \t]*|[ \t]+", line)]
        if len(values) != CHANNELS or not all(VALUE.match(v) for v in values):
            raise ValueError("line %d: a frame is %d integers" % (no, CHANNELS))
        frame = [int(v) for v in values]
        lim = 1 << (bits - 1)
        if any(not -lim <= v < lim for v in frame):
            raise ValueError("line %d: a value does not fit %d bits" % (no, bits))
        frames.append(frame)
    if rate is None or not frames or not ended:
        raise ValueError("no header, no frames or no 'end' line")
    return rate, bits, frames


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__.split("\n\n")[1])
    src, out, name = sys.argv[1:]
    with open(src, newline="") as f:
        try:
            rate, bits, frames = parse(f.read())
        except ValueError as e:
            sys.exit("%s: %s" % (src, e))
    with open(out, "w") as f:
        f.write("/* SPDX-License-Identifier: Apache-2.0 */\n")
        f.write("/* Generated from %s by samples_to_c.py: do not edit. */\n" % src.split("/")[-1])
        f.write("#include <stdint.h>\n\n")
        f.write("extern const uint32_t %s_frames, %s_rate_hz, %s_bits;\n" % (name, name, name))
        f.write("extern const int32_t %s[];\n\n" % name)
        f.write("const uint32_t %s_frames = %d;\n" % (name, len(frames)))
        f.write("const uint32_t %s_rate_hz = %d;\n" % (name, rate))
        f.write("const uint32_t %s_bits = %d;\n" % (name, bits))
        f.write("const int32_t %s[%d] = {\n" % (name, len(frames) * CHANNELS))
        for fr in frames:
            f.write("    %s,\n" % ", ".join("%d" % v for v in fr))
        f.write("};\n")


if __name__ == "__main__":
    main()
