# SPDX-License-Identifier: Apache-2.0
"""Flash and RAM of a linked image per part of libmeter, from the GNU ld map file.

  size_by_part.py [--by-file] IMAGE.map

Reads the "Linker script and memory map" of IMAGE.map (`-Wl,-Map=...`) and
adds up the input sections kept in the image, by kind: text (`.text*`,
`.vectors`, veneers), rodata (`.rodata*`, `.ARM.ex*`), data (`.data*`),
bss (`.bss*`, `COMMON`); the stack, the emulated NVM and `.noinit` (NOLOAD
output sections of the board) are listed apart. Parts: the objects of
libmeter.a by source directory (`core`, `store`, `metrology`, `calendar`,
`dlms`, `sts`, `disconnect`, `prepaid`, `profile`, `events`, `quality`, `display`,
`cosem`; `aggregate` for libmeter/meter*.c), the C library and the compiler
run-time together, and the program and board files of the image. Flash is
text + rodata + data, RAM data + bss. Prints a Markdown table (with
--by-file: one row per object file). Alignment padding (`*fill*`) is not
counted, so the total may be a few bytes below `size`; merged string
sections count once (each input section is cut at the next one's address).
"""

import argparse
import os
import re
import sys

KINDS = ["text", "rodata", "data", "bss"]
BOARD_SECTIONS = (".stack", ".nvm", ".noinit")
ENGINE_DIRS = ["core", "store", "metrology", "calendar", "dlms", "sts", "disconnect", "prepaid",
               "profile", "events", "quality", "display", "cosem"]

# " .text.foo  0x00001234  0x58 path/to/file.o" or the same split after the name.
ENTRY_RE = re.compile(r"^ (?P<sec>[.\w$*-]+|COMMON)?\s+0x(?P<addr>[0-9a-f]+)\s+0x(?P<size>[0-9a-f]+)\s+(?P<file>\S.*)$")
OUTPUT_RE = re.compile(r"^(?P<sec>\.[\w.]+)\s*(?:0x[0-9a-f]+\s+0x[0-9a-f]+)?")


def kind_of(section):
    if section.startswith((".text", ".vectors", ".glue_7", ".vfp11_veneer", ".v4_bx")):
        return "text"
    if section.startswith((".rodata", ".ARM.ex", ".gnu.linkonce.arm")):
        return "rodata"
    if section.startswith(".data"):
        return "data"
    if section.startswith(".bss") or section == "COMMON":
        return "bss"
    return None


def part_of(path):
    # a member of libmeter.a: "libmeter.a(x.c.o)", or "libmeter.a.p/x.c.o" (Meson's thin archive)
    m = re.search(r"libmeter[^/]*\.a(?:\((?P<member>[^)]+)\)|\.p/(?P<thin>[^/]+))$", path)
    if m:
        member = m.group("member") or m.group("thin")
        if member.startswith("meter"):
            return "aggregate", member
        head = member.split("_", 1)[0]
        return (head if head in ENGINE_DIRS else "other"), member
    if re.search(r"lib(c|c_nano|gcc|nosys|m)\.a\(", path) or "/crt" in path:
        return "libc + libgcc", os.path.basename(path)
    return "program + board", os.path.basename(path)


def parse(map_text):
    """{(part, file): {kind: bytes}} and {board section: bytes}.

    An input section's bytes are its size, cut at the address of the next
    one: merged string sections are listed with sizes that overlap."""
    lines = map_text.splitlines()
    try:
        start = lines.index("Linker script and memory map")
    except ValueError:
        raise SystemExit("no memory map in the file (link with -Wl,-Map=FILE)")
    sizes, board = {}, {}
    output = None
    out_end = 0
    entries = []  # (address, size, kind, key) of the current output section
    pending = None  # an input section name alone on its line

    def flush():
        ordered = sorted(entries, key=lambda e: e[0])
        for n, (addr, size, kind, key) in enumerate(ordered):
            limit = ordered[n + 1][0] if n + 1 < len(ordered) else max(out_end, addr + size)
            size = max(0, min(size, limit - addr))
            if size:
                entry = sizes.setdefault(key, dict.fromkeys(KINDS, 0))
                entry[kind] += size
        entries.clear()

    for line in lines[start + 1:]:
        m = OUTPUT_RE.match(line)
        if (m and not line.startswith(" ")) or line.startswith("/DISCARD/") or line.startswith("OUTPUT("):
            flush()
            output = m.group("sec") if m else None
            fields = line.split()
            out_end = int(fields[1], 16) + int(fields[2], 16) if len(fields) >= 3 else 0
            if output in BOARD_SECTIONS and len(fields) >= 3:
                board[output] = int(fields[2], 16)
            pending = None
            continue
        if output is None or output in BOARD_SECTIONS:
            continue
        stripped = line.strip()
        if re.match(r"^ [.\w$-]+$|^ COMMON$", line):
            pending = stripped
            continue
        if out_end == 0 and pending is None and output is not None:
            # the output section's address and size on the line after its name
            f = line.split()
            if len(f) == 2 and all(x.startswith("0x") for x in f):
                out_end = int(f[0], 16) + int(f[1], 16)
                continue
        m = ENTRY_RE.match(line)
        if not m:
            pending = None
            continue
        sec = m.group("sec") or pending
        pending = None
        if sec is None or sec.startswith("*"):
            continue
        kind = kind_of(sec)
        size = int(m.group("size"), 16)
        if kind is None or size == 0:
            continue
        entries.append((int(m.group("addr"), 16), size, kind, part_of(m.group("file").strip())))
    flush()
    return sizes, board


def table(rows, first):
    out = ["| %s | text | rodata | data | bss | flash | RAM |" % first,
           "|---|---:|---:|---:|---:|---:|---:|"]
    total = dict.fromkeys(KINDS, 0)
    for name, k in rows:
        for kind in KINDS:
            total[kind] += k[kind]
        out.append("| %s | %d | %d | %d | %d | %d | %d |" % (
            name, k["text"], k["rodata"], k["data"], k["bss"],
            k["text"] + k["rodata"] + k["data"], k["data"] + k["bss"]))
    out.append("| **total** | %d | %d | %d | %d | %d | %d |" % (
        total["text"], total["rodata"], total["data"], total["bss"],
        total["text"] + total["rodata"] + total["data"], total["data"] + total["bss"]))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--by-file", action="store_true", help="one row per object file")
    ap.add_argument("map", help="the linker map file")
    args = ap.parse_args()
    with open(args.map, encoding="utf-8", errors="replace") as f:
        sizes, board = parse(f.read())
    if not sizes:
        print("no input sections found in %s" % args.map)
        return 1
    order = ENGINE_DIRS + ["aggregate", "other", "libc + libgcc", "program + board"]
    if args.by_file:
        rows = sorted(((("%s: %s" % key), v) for key, v in sizes.items()),
                      key=lambda r: (order.index(r[0].split(":")[0]), r[0]))
        lines = table(rows, "object")
    else:
        parts = {}
        for (part, _), v in sizes.items():
            p = parts.setdefault(part, dict.fromkeys(KINDS, 0))
            for kind in KINDS:
                p[kind] += v[kind]
        lines = table([(p, parts[p]) for p in order if p in parts], "part")
    print("\n".join(lines))
    if board:
        print()
        print("Board sections (RAM, not counted above): " +
              ", ".join("%s %d" % (s, board[s]) for s in BOARD_SECTIONS if s in board))
    return 0


if __name__ == "__main__":
    sys.exit(main())
