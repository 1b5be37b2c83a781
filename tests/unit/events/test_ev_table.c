/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The code table against the seed's csv files: every row of event-codes.csv
 * is in it once with its name exactly, its logs, and the alarm bits
 * alarm-bits.csv relates to its code; (code, name) lookup.
 */
#include "ev_fixture.h"

static uint16_t parse_logs(char *s)
{
    uint16_t bits = 0;
    char *tok = strtok(s, ";");
    while (tok != NULL) {
        bits |= fx_log_bit(tok);
        tok = strtok(NULL, ";");
    }
    return bits;
}

Test(events_table, every_csv_row_is_in_the_table_with_its_exact_name_and_logs)
{
    FILE *fp = fopen(MTR_EV_REFERENCE "/event-codes.csv", "r");
    cr_assert_not_null(fp);
    char line[2048];
    cr_assert_not_null(fgets(line, sizeof line, fp)); /* header */
    int rows = 0;
    bool seen[MTR_EVENTS_CODES] = {false};
    while (fgets(line, sizeof line, fp) != NULL) {
        char *f[16];
        int n = fx_csv_split(line, f, 16);
        cr_assert_geq(n, 3);
        uint16_t code = (uint16_t)atoi(f[0]);
        const struct mtr_event_def *d = mtr_events_lookup(code, f[1]);
        cr_assert_not_null(d, "(%u, %s) missing", code, f[1]);
        cr_assert_eq(d->code, code);
        cr_assert_str_eq(d->name, f[1]);
        size_t idx = (size_t)(d - mtr_event_table);
        cr_assert(!seen[idx], "row %zu matched twice", idx);
        seen[idx] = true;
        uint16_t logs = f[2][0] != '\0' ? parse_logs(f[2]) : 0;
        if (logs == 0) {
            /* the seed names no log: chosen and flagged */
            cr_assert(d->flags & MTR_EVENT_F_LOG_CHOSEN);
            cr_assert_eq(d->logs, 1u << MTR_EVLOG_STANDARD, "(%u) chosen log", code);
        } else {
            cr_assert_eq(d->logs, logs, "(%u, %s): logs %#x, csv %#x", code, f[1], d->logs, logs);
        }
        cr_assert_eq((d->flags & MTR_EVENT_F_MANUFACTURER) != 0, strcmp(f[4], "yes") == 0);
        cr_assert_eq((d->flags & MTR_EVENT_F_INFERRED) != 0, strcmp(f[7], "seed") != 0);
        rows++;
    }
    fclose(fp);
    cr_assert_eq(rows, MTR_EVENTS_CODES);
}

Test(events_table, alarm_bits_follow_alarm_bits_csv)
{
    uint32_t want[MTR_EVENTS_CODES][2];
    memset(want, 0, sizeof want);
    uint32_t valid[2] = {0, 0};
    FILE *fp = fopen(MTR_EV_REFERENCE "/alarm-bits.csv", "r");
    cr_assert_not_null(fp);
    char line[2048];
    cr_assert_not_null(fgets(line, sizeof line, fp));
    int rows = 0;
    while (fgets(line, sizeof line, fp) != NULL) {
        char *f[16];
        cr_assert_geq(fx_csv_split(line, f, 16), 6);
        int reg = atoi(f[0]);
        int bit = atoi(f[1]);
        cr_assert(reg == 1 || reg == 2);
        if (strcmp(f[4], "no") == 0) {
            valid[reg - 1] |= 1u << bit;
        }
        for (char *tok = strtok(f[5], ";"); tok != NULL; tok = strtok(NULL, ";")) {
            uint16_t code = (uint16_t)atoi(tok);
            const struct mtr_event_def *d = mtr_events_lookup(code, NULL);
            cr_assert_not_null(d, "alarm code %u is not one unique row", code);
            want[d - mtr_event_table][reg - 1] |= 1u << bit;
        }
        rows++;
    }
    fclose(fp);
    cr_assert_eq(rows, 64);
    cr_assert_eq(valid[0], MTR_EVENTS_ALARM1_VALID);
    cr_assert_eq(valid[1], MTR_EVENTS_ALARM2_VALID);
    for (size_t i = 0; i < MTR_EVENTS_CODES; i++) {
        cr_assert_eq(mtr_event_table[i].alarm1, want[i][0], "row %zu alarm 1", i);
        cr_assert_eq(mtr_event_table[i].alarm2, want[i][1], "row %zu alarm 2", i);
    }
    /* examples of the brief's mapping */
    cr_assert_eq(mtr_events_lookup(6, NULL)->alarm1, 1u << 0);
    cr_assert_eq(mtr_events_lookup(1, NULL)->alarm2, 1u << 0);
    cr_assert_eq(mtr_events_lookup(91, NULL)->alarm1, 1u << 13);
    cr_assert_eq(mtr_events_lookup(91, NULL)->alarm2, 1u << 10);
}

Test(events_table, error_bits_are_assigned_bits_only)
{
    FILE *fp = fopen(MTR_EV_REFERENCE "/error-register.csv", "r");
    cr_assert_not_null(fp);
    char line[1024];
    cr_assert_not_null(fgets(line, sizeof line, fp));
    uint32_t valid = 0;
    while (fgets(line, sizeof line, fp) != NULL) {
        char *f[8];
        cr_assert_geq(fx_csv_split(line, f, 8), 4);
        if (strcmp(f[3], "unassigned") != 0) {
            valid |= 1u << atoi(f[0]);
        }
    }
    fclose(fp);
    cr_assert_eq(valid, MTR_EVENTS_ERROR_VALID);
    for (size_t i = 0; i < MTR_EVENTS_CODES; i++) {
        cr_assert_eq(mtr_event_table[i].error_set & ~valid, 0u);
        cr_assert_eq(mtr_event_table[i].error_clear & ~valid, 0u);
        cr_assert_eq(mtr_event_table[i].error_set & mtr_event_table[i].error_clear, 0u);
    }
    cr_assert_eq(mtr_events_lookup(6, NULL)->error_set, 1u << 0);   /* clock error */
    cr_assert_eq(mtr_events_lookup(14, NULL)->error_set, 1u << 15); /* flash LNR */
    cr_assert_eq(mtr_events_lookup(85, NULL)->error_clear, 1u << 8);
}

Test(events_table, lookup_by_code_and_name)
{
    /* unique code: the name may be NULL or "" */
    cr_assert_eq(mtr_events_lookup(1, NULL), &mtr_event_table[0]);
    cr_assert_eq(mtr_events_lookup(1, ""), &mtr_event_table[0]);
    cr_assert_eq(mtr_events_lookup(1, "Power down"), &mtr_event_table[0]);
    /* names are exact */
    cr_assert_null(mtr_events_lookup(1, "POWER DOWN"));
    cr_assert_null(mtr_events_lookup(1, "Power down "));
    cr_assert_null(mtr_events_lookup(2, "Power down"));
    /* 254 needs its name: eleven rows */
    cr_assert_null(mtr_events_lookup(254, NULL));
    int n254 = 0;
    for (size_t i = 0; i < MTR_EVENTS_CODES; i++) {
        if (mtr_event_table[i].code == 254) {
            n254++;
            cr_assert_eq(mtr_events_lookup(254, mtr_event_table[i].name), &mtr_event_table[i]);
        }
    }
    cr_assert_eq(n254, 11);
    const struct mtr_event_def *d = mtr_events_lookup(254, "Load profile 3 cleared");
    cr_assert_not_null(d);
    cr_assert_str_eq(d->name, "Load profile 3 cleared");
    /* codes not in the seed */
    cr_assert_null(mtr_events_lookup(0, NULL));
    cr_assert_null(mtr_events_lookup(21, NULL));
    cr_assert_null(mtr_events_lookup(300, NULL));
    uint16_t idx = 7;
    cr_assert_eq(mtr_events_find(21, NULL, &idx), MTR_ERR_EVENTS_UNKNOWN);
    cr_assert_eq(idx, 7);
    cr_assert_eq(mtr_events_find(255, "Event log cleared", &idx), MTR_OK);
    cr_assert_eq(mtr_event_table[idx].code, 255);
    /* 255 goes to every log */
    cr_assert_eq(mtr_event_table[idx].logs, FX_ALL_LOGS);
}

Test(events_table, log_defaults)
{
    struct mtr_profile_config c;
    cr_assert_eq(mtr_events_log_default(MTR_EVLOG_COUNT, 1, 10, &c), MTR_ERR_RANGE);
    cr_assert_null(mtr_events_log_obis(MTR_EVLOG_COUNT));
    cr_assert_eq(mtr_events_log_record_size(MTR_EVLOG_COUNT), 0u);
    static const uint8_t want[MTR_EVLOG_COUNT][6] = {
        {0, 0, 99, 98, 0, 255}, {0, 0, 99, 98, 1, 255}, {0, 0, 99, 98, 2, 255},
        {0, 0, 99, 98, 3, 255}, {0, 0, 99, 98, 4, 255}, {0, 0, 99, 98, 5, 255},
        {0, 0, 99, 98, 6, 255}, {1, 0, 99, 97, 0, 255}, {0, 0, 99, 98, 128, 255}};
    for (uint8_t l = 0; l < MTR_EVLOG_COUNT; l++) {
        cr_assert_eq(mtr_events_log_default(l, 42, MTR_EVENTS_SEED_CAPACITY, &c), MTR_OK);
        cr_assert_eq(memcmp(c.obis, want[l], 6), 0, "log %u obis", l);
        cr_assert_eq(memcmp(mtr_events_log_obis(l), want[l], 6), 0);
        cr_assert_eq(c.part, 42);
        cr_assert_eq(c.capacity, 500u);
        cr_assert_eq(c.capture_period_s, 0u);
        cr_assert_geq(c.ncolumns, 2);
        cr_assert_eq(c.columns[0].kind, MTR_PROFILE_COL_CLOCK);
        cr_assert_eq(c.columns[1].kind, MTR_PROFILE_COL_VALUE);
        cr_assert_eq(c.columns[1].obis[2], 96); /* event code object 0-0:96.11.e.255 */
        cr_assert_eq(c.columns[1].obis[3], 11);
        uint8_t want_cols = l == MTR_EVLOG_FIRMWARE ? 3 : l == MTR_EVLOG_POWER_FAILURE ? 4 : 2;
        cr_assert_eq(c.ncolumns, want_cols);
        cr_assert_eq(mtr_events_log_record_size(l), mtr_profile_record_size(want_cols - 1u));
    }
}
