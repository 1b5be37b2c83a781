#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Generates libmeter/events/ev_table.c, the events engine's code table, from
the seed reference files event-codes.csv, alarm-bits.csv and
error-register.csv.

    gen_event_table.py REFDIR OUT.c              write the table
    gen_event_table.py --check REFDIR OUT.c HDR [DOC]
                                                 check (TAP) that OUT.c is what
                                                 REFDIR gives, that the masks and
                                                 counts of HDR (events.h) agree,
                                                 and that DOC has the code table
    gen_event_table.py --markdown REFDIR         print the code table for docs/events.md

The key of the table is (code, name): codes are not unique in the seed (254 is
eleven different "cleared" events). Names are the csv `name` column verbatim.
Decisions the seed leaves open (the log of code 90, the error register bits
set or cleared by an event) are the tables LOG_OVERRIDE and ERROR_MAP below,
checked against the csv names so that a change of the seed is noticed; they
are documented in docs/events.md.
"""
import csv
import os
import re
import sys

# Log keys of the seed (README "Event log keys"), in the order of
# enum mtr_events_log (include/meter/events.h).
LOGS = ['standard', 'fraud_detection', 'disconnector_control', 'mbus', 'power_quality',
        'communication', 'firmware_update', 'power_failure', 'security']
ENUM = {'standard': 'STANDARD', 'fraud_detection': 'FRAUD', 'disconnector_control': 'DISCONNECTOR',
        'mbus': 'MBUS', 'power_quality': 'POWER_QUALITY', 'communication': 'COMMUNICATION',
        'firmware_update': 'FIRMWARE', 'power_failure': 'POWER_FAILURE', 'security': 'SECURITY'}

# Code 90 "Phase asymmetry" has no log in the seed (code inferred from IDIS);
# it goes to the standard log beside 88 and 89, its neighbours in Table 10.
LOG_OVERRIDE = {(90, 'Phase asymmetry'): ['standard']}

# Error register bits (error-register.csv) set or cleared by an event:
# (code, event name) -> ([(bit, error name) set], [(bit, error name) cleared]).
ERROR_MAP = {
    (6, 'Clock invalid'): ([(0, 'Clock error')], []),
    (7, 'Replace battery'): ([(23, 'Battery must be changed')], []),
    (8, 'Battery voltage low'): ([(26, 'Low battery voltage')], []),
    (12, 'Program memory error'): ([(16, 'Flash memory legally relevant error')], []),
    (14, 'NV memory error'): ([(15, 'Flash memory legally non-relevant (LNR) error')], []),
    (15, 'Watchdog error'): ([(14, 'Reset WDT legally non-relevant')], []),
    (16, 'Measurement system error'): ([(11, 'Measuring part operating error (CE)')], []),
    (40, 'Terminal cover removed'): ([(24, 'Removed terminal block cover')], []),
    (42, 'Strong DC field detected'): ([(27, 'Strong magnetic field')], []),
    (44, 'Meter cover removed'): ([(25, 'Removed meter cover')], []),
    (82, 'Missing voltage L1'): ([(8, 'Phase L1 no voltage')], []),
    (83, 'Missing voltage L2'): ([(9, 'Phase L2 no voltage')], []),
    (84, 'Missing voltage L3'): ([(10, 'Phase L3 no voltage')], []),
    (85, 'Voltage L1 normal'): ([], [(8, 'Phase L1 no voltage')]),
    (86, 'Voltage L2 normal'): ([], [(9, 'Phase L2 no voltage')]),
    (87, 'Voltage L3 normal'): ([], [(10, 'Phase L3 no voltage')]),
    (90, 'Phase asymmetry'): ([(4, 'Phase voltage asymmetry')], []),
    (200, 'Irregular LR part reset'): ([(28, 'Reset WDT legally relevant')], []),
}


def c_string(s):
    out = '"'
    for ch in s:
        if ch in '"\\':
            out += '\\' + ch
        elif 32 <= ord(ch) < 127:
            out += ch
        else:
            raise ValueError(f'non-ASCII character in {s!r}')
    return out + '"'


def read_csv(refdir, name):
    with open(os.path.join(refdir, name), newline='') as f:
        return list(csv.DictReader(f))


def build(refdir):
    """Returns (rows, alarm masks, error masks, C text)."""
    events = read_csv(refdir, 'event-codes.csv')
    alarms = read_csv(refdir, 'alarm-bits.csv')
    errors = read_csv(refdir, 'error-register.csv')

    keys = [(int(r['code']), r['name']) for r in events]
    if len(set(keys)) != len(keys):
        raise ValueError('(code, name) is not unique in event-codes.csv')

    # Alarm bits of each code (alarm-bits.csv related_event_codes), a mask per
    # register: 91 "Current reversal" is both alarm 1 bit 13 and alarm 2 bit 10.
    alarm_of = {}
    valid = {1: 0, 2: 0}
    for a in alarms:
        reg, bit = int(a['alarm_register']), int(a['bit'])
        if int(a['mask'], 16) != 1 << bit:
            raise ValueError(f'alarm {reg} bit {bit}: mask {a["mask"]}')
        if a['reserved'] == 'no':
            valid[reg] |= 1 << bit
        for c in filter(None, a['related_event_codes'].split(';')):
            c = int(c)
            if sum(1 for k in keys if k[0] == c) != 1:
                raise ValueError(f'alarm code {c} is not one unique event code')
            if a['reserved'] != 'no':
                raise ValueError(f'code {c} related to reserved alarm {reg} bit {bit}')
            masks = alarm_of.setdefault(c, [0, 0])
            masks[reg - 1] |= 1 << bit

    err_names = {}
    err_valid = 0
    for e in errors:
        bit = int(e['bit'])
        if int(e['mask'], 16) != 1 << bit:
            raise ValueError(f'error bit {bit}: mask {e["mask"]}')
        if e['legally_relevant'] != 'unassigned':
            err_valid |= 1 << bit
            err_names[bit] = e['name']
    for key, (sets, clears) in ERROR_MAP.items():
        if key not in keys:
            raise ValueError(f'ERROR_MAP: no event {key}')
        for bit, name in sets + clears:
            if err_names.get(bit) != name:
                raise ValueError(f'ERROR_MAP: error bit {bit} is not {name!r}')
    for key in LOG_OVERRIDE:
        row = events[keys.index(key)]
        if row['logs']:
            raise ValueError(f'LOG_OVERRIDE: {key} has logs in the csv now')

    rows = []
    for r, key in zip(events, keys):
        logs = r['logs'].split(';') if r['logs'] else LOG_OVERRIDE.get(key, [])
        for lg in logs:
            if lg not in LOGS:
                raise ValueError(f'unknown log {lg!r} for {key}')
        a1, a2 = alarm_of.get(key[0], (0, 0))
        sets, clears = ERROR_MAP.get(key, ([], []))
        flags = []
        if r['manufacturer_specific'] == 'yes':
            flags.append('MTR_EVENT_F_MANUFACTURER')
        if r['code_basis'] != 'seed':
            flags.append('MTR_EVENT_F_INFERRED')
        if not r['logs']:
            flags.append('MTR_EVENT_F_LOG_CHOSEN')
        rows.append({'code': key[0], 'name': key[1], 'logs': logs, 'a1': a1, 'a2': a2,
                     'eset': sum(1 << b for b, _ in sets), 'eclr': sum(1 << b for b, _ in clears),
                     'flags': flags})

    lines = [
        '/* SPDX-License-Identifier: Apache-2.0 */',
        '/*',
        ' * The event code table: one row per (code, name) of the seed\'s',
        ' * event-codes.csv (ST402 technical description, section 5.4, Tables 8, 9',
        ' * and 10), in the csv\'s order, with the logs the event goes to, the alarm',
        ' * bits of alarm-bits.csv (Table 12) related to it, and the error register',
        ' * bits (error-register.csv, Table 5) it sets or clears.',
        ' *',
        ' * Generated by tests/support/gen_event_table.py: do not edit; the test',
        ' * events-table checks that it matches the csv files.',
        ' */',
        '#include "ev_priv.h"',
        '',
        '#define L(x) (1u << MTR_EVLOG_##x)',
        '',
        f'_Static_assert(MTR_EVENTS_CODES == {len(rows)}, "rows of event-codes.csv");',
        f'_Static_assert(MTR_EVENTS_ALARM1_VALID == 0x{valid[1]:08X}u, "alarm-bits.csv register 1");',
        f'_Static_assert(MTR_EVENTS_ALARM2_VALID == 0x{valid[2]:08X}u, "alarm-bits.csv register 2");',
        f'_Static_assert(MTR_EVENTS_ERROR_VALID == 0x{err_valid:08X}u, "error-register.csv");',
        '',
        '/* code, logs, alarm register 1 bits, alarm register 2 bits, error register',
        ' * bits set, error register bits cleared, flags, name */',
        'const struct mtr_event_def mtr_event_table[MTR_EVENTS_CODES] = {',
    ]
    for r in rows:
        logs = ' | '.join(f'L({ENUM[lg]})' for lg in r['logs']) or '0u'
        flags = ' | '.join(r['flags']) or '0u'
        lines.append(f'    {{{r["code"]}u, {logs}, 0x{r["a1"]:08X}u, 0x{r["a2"]:08X}u, 0x{r["eset"]:08X}u, '
                     f'0x{r["eclr"]:08X}u, {flags}, {c_string(r["name"])}}},')
    lines += ['};', '']
    return rows, valid, err_valid, '\n'.join(lines)


def check(refdir, out, hdr, doc):
    tests = []
    try:
        rows, valid, err_valid, text = build(refdir)
        tests.append((True, f'reference files consistent ({len(rows)} event rows)'))
    except (ValueError, KeyError, OSError) as e:
        print('1..1')
        print(f'not ok 1 - reference files: {e}')
        sys.exit(1)
    try:
        have = open(out).read()
    except OSError:
        have = ''
    tests.append((have == text, f'{os.path.basename(out)} is generated from the csv files'))
    # Every csv row is in the file with its exact name, once.
    for r in rows:
        pat = re.compile(r'\{' + str(r['code']) + r'u, [^\n]*, ' + re.escape(c_string(r['name'])) + r'\},')
        tests.append((len(pat.findall(have)) == 1, f'row ({r["code"]}, {r["name"]}) present once'))
    h = open(hdr).read()

    def macro(name):
        m = re.search(r'#define ' + name + r'\s+(0x[0-9A-Fa-f]+|\d+)u?', h)
        return int(m.group(1), 0) if m else None
    tests.append((macro('MTR_EVENTS_CODES') == len(rows), 'MTR_EVENTS_CODES matches the csv'))
    tests.append((macro('MTR_EVENTS_ALARM1_VALID') == valid[1], 'MTR_EVENTS_ALARM1_VALID'))
    tests.append((macro('MTR_EVENTS_ALARM2_VALID') == valid[2], 'MTR_EVENTS_ALARM2_VALID'))
    tests.append((macro('MTR_EVENTS_ERROR_VALID') == err_valid, 'MTR_EVENTS_ERROR_VALID'))
    for i, lg in enumerate(LOGS):
        m = re.search(r'MTR_EVLOG_' + ENUM[lg] + r'\s*=\s*(\d+)', h)
        tests.append((m is not None and int(m.group(1)) == i, f'MTR_EVLOG_{ENUM[lg]} = {i}'))
    if doc is not None:
        try:
            text = open(doc).read()
        except OSError:
            text = ''
        tests.append((markdown(rows) in text, f'{os.path.basename(doc)} has the generated code table'))
    print(f'1..{len(tests)}')
    bad = 0
    for i, (ok, what) in enumerate(tests, 1):
        bad += not ok
        print(('ok' if ok else 'not ok') + f' {i} - {what}')
    sys.exit(1 if bad else 0)


def bits(mask, prefix=''):
    return ' '.join(f'{prefix}{b}' for b in range(32) if mask >> b & 1)


def markdown(rows):
    out = ['| code | name | logs | alarm 1 bits | alarm 2 bits | error bits set | error bits cleared |',
           '|---|---|---|---|---|---|---|']
    for r in rows:
        logs = ', '.join(r['logs']) + (' (chosen)' if 'MTR_EVENT_F_LOG_CHOSEN' in r['flags'] else '')
        out.append(f'| {r["code"]} | {r["name"]} | {logs} | {bits(r["a1"])} | {bits(r["a2"])} | '
                   f'{bits(r["eset"])} | {bits(r["eclr"])} |')
    return '\n'.join(out) + '\n'


def main():
    args = sys.argv[1:]
    if len(args) == 2 and args[0] == '--markdown':
        sys.stdout.write(markdown(build(args[1])[0]))
    elif len(args) in (4, 5) and args[0] == '--check':
        check(args[1], args[2], args[3], args[4] if len(args) == 5 else None)
    elif len(args) == 2:
        open(args[1], 'w').write(build(args[0])[3])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


main()
