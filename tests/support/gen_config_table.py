#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Prints the table of MTR_CFG_* options of include/meter/config.h (Markdown),
or, with --check FILE, checks that FILE documents every option (TAP)."""
import re
import sys

root = sys.argv[-1] if len(sys.argv) > 1 and not sys.argv[-1].endswith('.md') else '.'


def options(path):
    text = open(path).read()
    out = []
    for m in re.finditer(r'/\*\*(.*?)\*/\s*#ifndef (MTR_CFG_\w+)\s*#define \2 ([^\n]+)', text, re.S):
        doc = ' '.join(l.strip(' *') for l in m.group(1).splitlines()).strip()
        out.append((m.group(2), m.group(3).strip(), doc))
    return out


def main():
    args = sys.argv[1:]
    if args and args[0] == '--check':
        doc, cfg = args[1], args[2]
        text = open(doc).read()
        opts = options(cfg)
        print(f'1..{len(opts) + 1}')
        print(('ok' if len(opts) > 10 else 'not ok') + f' 1 - config.h has {len(opts)} documented options')
        bad = 0
        for i, (name, _, _) in enumerate(opts, 2):
            ok = f'`{name}`' in text
            bad += not ok
            print(('ok' if ok else 'not ok') + f' {i} - {name} is in {doc.split("/")[-1]}')
        sys.exit(1 if bad else 0)
    for name, default, doc in options(args[0] if args else 'include/meter/config.h'):
        print(f'| `{name}` | `{default}` | {doc} |')


main()
