#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Prints the table of MTR_CFG_* options of include/meter/config.h (Markdown);
with --update DOC CONFIG rewrites the generated table of DOC; with --check DOC
CONFIG checks that DOC documents every option (TAP)."""
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


CORE = {'MTR_CFG_ASSERT', 'MTR_CFG_ASSERT_FILE', 'MTR_CFG_EVENT_QUEUE_LEN',
        'MTR_CFG_POLL_MAX_EVENTS', 'MTR_CFG_ADC_FRAMES', 'MTR_CFG_PHASES', 'MTR_CFG_TARIFFS',
        'MTR_CFG_HARMONICS', 'MTR_CFG_HARMONIC_MAX'}
BEGIN = '<!-- engine options: generated, do not edit -->\n'
END = '\n<!-- end engine options -->'


def update(doc, cfg):
    """Rewrite the engine options table of @doc from @cfg."""
    text = open(doc).read()
    i = text.index(BEGIN) + len(BEGIN)
    j = text.index(END)
    rows = ['| option | default | meaning and allowed range |', '|---|---|---|']
    rows += [f'| `{n}` | `{d}` | {t} |' for n, d, t in options(cfg) if n not in CORE]
    open(doc, 'w').write(text[:i] + '\n'.join(rows) + text[j:])


def main():
    args = sys.argv[1:]
    if args and args[0] == '--update':
        update(args[1], args[2])
        return
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
