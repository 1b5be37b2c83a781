/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Raising events: each (code, name) lands in exactly the logs of the table,
 * once, with its time, code and value, and counts; unknown input changes
 * nothing (context and NVM); log clears write 255 first; the power failure
 * log.
 */
#include "ev_fixture.h"

#define T0 1767225600 /* 2026-01-01T00:00:00Z */

static struct fx f;
static struct fx_obs before, after;

/* The newest entry of @log. */
static void newest(uint8_t log, mtr_utc_t *utc, int64_t v[MTR_EVENTS_MAX_VALUES])
{
    static struct fx_log lg;
    fx_read_log(&f, log, &lg);
    cr_assert_gt(lg.n, 0u);
    *utc = lg.utc[lg.n - 1];
    memcpy(v, lg.v[lg.n - 1], sizeof lg.v[0]);
}

Test(events_raise, every_row_lands_in_exactly_its_logs_once_and_counts)
{
    fx_open(&f);
    for (uint16_t i = 0; i < MTR_EVENTS_CODES; i++) {
        const struct mtr_event_def *d = &mtr_event_table[i];
        mtr_utc_t t = T0 + 60 * i;
        fx_observe(&f, &before);
        int64_t value = 30000 + i;
        cr_assert_eq(mtr_events_raise(&f.ev, d->code, d->name, t, value), MTR_OK, "row %u", i);
        fx_observe(&f, &after);
        cr_assert_eq(after.code_count[i], before.code_count[i] + 1u);
        for (uint16_t j = 0; j < MTR_EVENTS_CODES; j++) {
            if (j != i) {
                cr_assert_eq(after.code_count[j], before.code_count[j]);
            }
        }
        for (uint8_t l = 0; l < MTR_EVLOG_COUNT; l++) {
            bool in = (d->logs & (1u << l)) != 0;
            cr_assert_eq(after.log_count[l], before.log_count[l] + (in ? 1u : 0u),
                         "row %u (%u %s) log %u", i, d->code, d->name, l);
            uint32_t grew = after.logs[l].n - before.logs[l].n;
            if (!in) {
                cr_assert_eq(memcmp(&after.logs[l], &before.logs[l], sizeof after.logs[l]), 0,
                             "row %u changed log %u", i, l);
                continue;
            }
            /* one entry more (or the oldest dropped at capacity) */
            cr_assert(grew == 1u || (after.logs[l].n == FX_CAPACITY && grew == 0u));
            mtr_utc_t u;
            int64_t v[MTR_EVENTS_MAX_VALUES];
            newest(l, &u, v);
            cr_assert_eq(u, t);
            cr_assert_eq(v[0], d->code);
            if (l == MTR_EVLOG_FIRMWARE) {
                cr_assert_eq(v[1], value, "firmware log keeps the version");
            }
        }
    }
    fx_close(&f);
}

Test(events_raise, same_code_other_name_are_different_rows)
{
    fx_open(&f);
    uint16_t a, b;
    cr_assert_eq(mtr_events_find(254, "Load profile 1 cleared", &a), MTR_OK);
    cr_assert_eq(mtr_events_find(254, "M-Bus load profile 1 cleared", &b), MTR_OK);
    cr_assert_eq(mtr_events_raise(&f.ev, 254, "Load profile 1 cleared", T0, 0), MTR_OK);
    cr_assert_eq(mtr_events_code_count(&f.ev, a), 1u);
    cr_assert_eq(mtr_events_code_count(&f.ev, b), 0u);
    cr_assert_eq(mtr_events_log_count(&f.ev, MTR_EVLOG_STANDARD), 1u);
    cr_assert_eq(mtr_events_log_count(&f.ev, MTR_EVLOG_MBUS), 0u);
    cr_assert_eq(mtr_events_raise_index(&f.ev, b, T0 + 1, 0), MTR_OK);
    cr_assert_eq(mtr_events_code_count(&f.ev, b), 1u);
    cr_assert_eq(mtr_events_log_count(&f.ev, MTR_EVLOG_MBUS), 1u);
    fx_close(&f);
}

/* Bad input: the context and the NVM stay byte for byte. */
static void refused(mtr_err_t got, mtr_err_t want, const char *what)
{
    cr_assert_eq(got, want, "%s: %d", what, got);
}

Test(events_raise, unknown_or_bad_input_changes_nothing)
{
    fx_open(&f);
    cr_assert_eq(mtr_events_raise(&f.ev, 40, NULL, T0, 0), MTR_OK);
    static struct mtr_events ev0;
    static uint8_t nvm0[FX_NVM];
    ev0 = f.ev;
    memcpy(nvm0, mtr_sim_nvm_data(&f.sim), FX_NVM);
    int npush = f.npush;

    refused(mtr_events_raise(&f.ev, 21, NULL, T0, 0), MTR_ERR_EVENTS_UNKNOWN, "code 21");
    refused(mtr_events_raise(&f.ev, 0, NULL, T0, 0), MTR_ERR_EVENTS_UNKNOWN, "code 0");
    refused(mtr_events_raise(&f.ev, 1, "Power up", T0, 0), MTR_ERR_EVENTS_UNKNOWN, "1 Power up");
    refused(mtr_events_raise(&f.ev, 1, "power down", T0, 0), MTR_ERR_EVENTS_UNKNOWN, "case");
    refused(mtr_events_raise(&f.ev, 254, NULL, T0, 0), MTR_ERR_EVENTS_UNKNOWN, "254 no name");
    refused(mtr_events_raise(&f.ev, 254, "Load profile 9 cleared", T0, 0), MTR_ERR_EVENTS_UNKNOWN,
            "254 other");
    refused(mtr_events_raise_index(&f.ev, MTR_EVENTS_CODES, T0, 0), MTR_ERR_EVENTS_UNKNOWN, "idx");
    refused(mtr_events_raise(&f.ev, 1, NULL, -1, 0), MTR_ERR_EVENTS_TIME, "negative time");
    refused(mtr_events_raise(&f.ev, 1, NULL, MTR_PROFILE_UTC_MAX + 1, 0), MTR_ERR_EVENTS_TIME,
            "time past u32");
    refused(mtr_events_clear_log(&f.ev, MTR_EVLOG_COUNT, T0), MTR_ERR_RANGE, "clear log 9");
    refused(mtr_events_clear_log(&f.ev, 0, -5), MTR_ERR_EVENTS_TIME, "clear time");
    refused(mtr_events_power_failure(&f.ev, T0 + 10, T0), MTR_ERR_EVENTS_TIME, "inverted failure");
    refused(mtr_events_power_failure(&f.ev, -1, T0), MTR_ERR_EVENTS_TIME, "negative start");
    refused(mtr_events_error_set(&f.ev, 1u << 5, T0), MTR_ERR_EVENTS_RESERVED, "error bit 5");
    refused(mtr_events_error_clear(&f.ev, 1u << 22, T0), MTR_ERR_EVENTS_RESERVED, "error bit 22");
    refused(mtr_events_error_set(&f.ev, 1, -1), MTR_ERR_EVENTS_TIME, "error time");
    refused(mtr_events_error_write(&f.ev, 1, T0), MTR_ERR_EVENTS_VALUE, "error write 1");
    refused(mtr_events_alarm_set(&f.ev, 1, 1u << 2, T0), MTR_ERR_EVENTS_RESERVED, "alarm 1 bit 2");
    refused(mtr_events_alarm_set(&f.ev, 2, 1u << 21, T0), MTR_ERR_EVENTS_RESERVED,
            "alarm 2 bit 21");
    refused(mtr_events_alarm_set(&f.ev, 0, 1, T0), MTR_ERR_RANGE, "alarm 0");
    refused(mtr_events_alarm_set(&f.ev, 3, 1, T0), MTR_ERR_RANGE, "alarm 3");
    refused(mtr_events_alarm_write(&f.ev, 1, 0xFFFFFFFFu, T0), MTR_ERR_EVENTS_RESERVED,
            "write all");
    refused(mtr_events_filter_write(&f.ev, 1, 1u << 31), MTR_ERR_EVENTS_RESERVED, "filter bit 31");
    refused(mtr_events_filter_write(&f.ev, 2, 1u << 25), MTR_ERR_EVENTS_RESERVED,
            "filter 2 bit 25");
    refused(mtr_events_descriptor_write(&f.ev, 1, 1u << 14), MTR_ERR_EVENTS_RESERVED,
            "desc bit 14");
    refused(mtr_events_filter_write(&f.ev, 7, 0), MTR_ERR_RANGE, "filter 7");

    cr_assert_eq(memcmp(&ev0, &f.ev, sizeof ev0), 0, "context changed");
    cr_assert_eq(memcmp(nvm0, mtr_sim_nvm_data(&f.sim), FX_NVM), 0, "NVM changed");
    cr_assert_eq(f.npush, npush);
    fx_close(&f);
}

Test(events_raise, clearing_each_log_writes_255_first)
{
    fx_open(&f);
    uint16_t r255;
    cr_assert_eq(mtr_events_find(255, NULL, &r255), MTR_OK);
    /* some history in every log */
    for (uint16_t i = 0; i < MTR_EVENTS_CODES; i++) {
        cr_assert_eq(mtr_events_raise_index(&f.ev, i, T0 + i, 0), MTR_OK);
    }
    cr_assert_eq(mtr_events_power_failure(&f.ev, T0 + 200, T0 + 1000), MTR_OK);
    for (uint8_t l = 0; l < MTR_EVLOG_COUNT; l++) {
        fx_observe(&f, &before);
        cr_assert_gt(before.logs[l].n, 1u);
        mtr_utc_t t = T0 + 5000 + l;
        cr_assert_eq(mtr_events_clear_log(&f.ev, l, t), MTR_OK);
        fx_observe(&f, &after);
        cr_assert_eq(after.logs[l].n, 1u, "log %u after clear", l);
        cr_assert_eq(after.logs[l].utc[0], t);
        cr_assert_eq(after.logs[l].v[0][0], 255);
        cr_assert_eq(after.log_count[l], before.log_count[l] + 1u);
        cr_assert_eq(after.code_count[r255], before.code_count[r255] + 1u);
        for (uint8_t o = 0; o < MTR_EVLOG_COUNT; o++) {
            if (o != l) {
                cr_assert_eq(memcmp(&after.logs[o], &before.logs[o], sizeof after.logs[o]), 0);
                cr_assert_eq(after.log_count[o], before.log_count[o]);
            }
        }
        /* the next event follows the 255 */
        cr_assert_eq(mtr_events_raise(&f.ev, 255, NULL, t + 1, 0), MTR_OK);
        fx_read_log(&f, l, &after.logs[l]);
        cr_assert_eq(after.logs[l].n, 2u);
        cr_assert_eq(after.logs[l].v[0][0], 255);
        cr_assert_eq(after.logs[l].utc[1], t + 1);
    }
    /* the clear survives a reboot */
    cr_assert_eq(fx_boot(&f), MTR_OK);
    fx_read_log(&f, MTR_EVLOG_STANDARD, &after.logs[0]);
    cr_assert_eq(after.logs[0].v[0][0], 255);
    fx_close(&f);
}

Test(events_raise, logs_not_kept_are_skipped_and_not_counted)
{
    uint16_t kept = (1u << MTR_EVLOG_STANDARD) | (1u << MTR_EVLOG_POWER_QUALITY);
    fx_open_geo(&f, FX_NOR1, kept);
    cr_assert_null(mtr_events_log(&f.ev, MTR_EVLOG_FRAUD));
    cr_assert_not_null(mtr_events_log(&f.ev, MTR_EVLOG_STANDARD));
    cr_assert_eq(mtr_events_raise(&f.ev, 255, NULL, T0, 0), MTR_OK);
    cr_assert_eq(mtr_events_raise(&f.ev, 40, NULL, T0 + 1, 0), MTR_OK); /* fraud only */
    for (uint8_t l = 0; l < MTR_EVLOG_COUNT; l++) {
        cr_assert_eq(mtr_events_log_count(&f.ev, l), (kept & (1u << l)) ? 1u : 0u, "log %u", l);
    }
    cr_assert_eq(
        mtr_events_code_count(&f.ev, (uint16_t)(mtr_events_lookup(40, NULL) - mtr_event_table)),
        1u);
    cr_assert_eq(mtr_events_alarm(&f.ev, 1), 1u << 13, "fraud alarm without the fraud log");
    cr_assert_eq(mtr_events_clear_log(&f.ev, MTR_EVLOG_FRAUD, T0), MTR_ERR_NOENT);
    cr_assert_eq(mtr_events_power_failure(&f.ev, T0, T0 + 3600), MTR_ERR_NOENT);
    cr_assert_eq(mtr_events_power_failure(&f.ev, T0, T0 + 10), MTR_OK); /* short: counted */
    cr_assert_eq(mtr_events_short_failures(&f.ev), 1u);
    fx_close(&f);
}

Test(events_raise, power_failure_log)
{
    fx_open(&f);
    /* shorter than 3 minutes: counted, not logged */
    cr_assert_eq(mtr_events_power_failure(&f.ev, T0, T0 + 179), MTR_OK);
    cr_assert_eq(mtr_events_short_failures(&f.ev), 1u);
    cr_assert_eq(mtr_events_log_count(&f.ev, MTR_EVLOG_POWER_FAILURE), 0u);
    cr_assert_eq(mtr_events_power_failure(&f.ev, T0 + 1000, T0 + 1180), MTR_OK);
    cr_assert_eq(mtr_events_power_failure(&f.ev, T0 + 5000, T0 + 9000), MTR_OK);
    static struct fx_log lg;
    fx_read_log(&f, MTR_EVLOG_POWER_FAILURE, &lg);
    cr_assert_eq(lg.n, 2u);
    cr_assert_eq(lg.nv, 3);
    cr_assert_eq(lg.utc[0], T0 + 1180);  /* end time */
    cr_assert_eq(lg.v[0][0], 1);         /* code 1 "Power down" */
    cr_assert_eq(lg.v[0][1], T0 + 1000); /* start time */
    cr_assert_eq(lg.v[0][2], 180);       /* duration */
    cr_assert_eq(lg.utc[1], T0 + 9000);
    cr_assert_eq(lg.v[1][2], 4000);
    cr_assert_eq(mtr_events_log_count(&f.ev, MTR_EVLOG_POWER_FAILURE), 2u);
    cr_assert_eq(mtr_events_short_failures(&f.ev), 1u);
    /* the other logs are untouched, no event is counted */
    cr_assert_eq(mtr_events_log_count(&f.ev, MTR_EVLOG_STANDARD), 0u);
    cr_assert_eq(mtr_events_code_count(&f.ev, 0), 0u);
    /* a configurable threshold */
    f.ecfg.long_failure_s = 10;
    cr_assert_eq(mtr_events_init(&f.ev, &f.ecfg), MTR_OK);
    cr_assert_eq(mtr_events_power_failure(&f.ev, T0 + 20000, T0 + 20010), MTR_OK);
    cr_assert_eq(mtr_events_log_count(&f.ev, MTR_EVLOG_POWER_FAILURE), 3u);
    fx_close(&f);
}

Test(events_raise, counters_and_registers_survive_a_reboot)
{
    fx_open(&f);
    cr_assert_eq(mtr_events_raise(&f.ev, 42, NULL, T0, 0), MTR_OK);
    cr_assert_eq(mtr_events_raise(&f.ev, 17, NULL, T0 + 1, 30202), MTR_OK);
    cr_assert_eq(mtr_events_filter_write(&f.ev, 2, MTR_EVENTS_ALARM2_VALID & ~1u), MTR_OK);
    cr_assert_eq(mtr_events_error_set(&f.ev, 1u << 3, T0 + 2), MTR_OK);
    cr_assert_eq(mtr_events_power_failure(&f.ev, T0, T0 + 5), MTR_OK);
    fx_observe(&f, &before);
    cr_assert_eq(mtr_events_restored(&f.ev, NULL), MTR_EVENTS_MISSING);
    cr_assert_eq(fx_boot(&f), MTR_OK);
    mtr_err_t why = 1;
    cr_assert_eq(mtr_events_restored(&f.ev, &why), MTR_EVENTS_RESTORED);
    cr_assert_eq(why, MTR_OK);
    fx_observe(&f, &after);
    cr_assert(fx_obs_eq(&before, &after));
    cr_assert_eq(mtr_events_error_time(&f.ev), T0 + 2);
    fx_close(&f);
}

Test(events_raise, init_refuses_bad_configurations_and_writes_nothing)
{
    fx_open(&f);
    static uint8_t nvm0[FX_NVM];
    memcpy(nvm0, mtr_sim_nvm_data(&f.sim), FX_NVM);
    struct mtr_events_config c = f.ecfg;
    static struct mtr_events ev2;
    c.log_cfg[MTR_EVLOG_FRAUD] = NULL; /* profile without configuration */
    cr_assert_eq(mtr_events_init(&ev2, &c), MTR_ERR_CONFIG);
    c = f.ecfg;
    c.log_cfg[MTR_EVLOG_FRAUD] = &f.pcfg[MTR_EVLOG_STANDARD]; /* two logs, one ring */
    cr_assert_eq(mtr_events_init(&ev2, &c), MTR_ERR_CONFIG);
    struct mtr_profile_config bad = f.pcfg[MTR_EVLOG_FRAUD];
    static const struct mtr_profile_column only_clock[1] = {{.kind = MTR_PROFILE_COL_CLOCK}};
    bad.columns = only_clock;
    bad.ncolumns = 1;
    c = f.ecfg;
    c.log_cfg[MTR_EVLOG_FRAUD] = &bad;
    cr_assert_eq(mtr_events_init(&ev2, &c), MTR_ERR_CONFIG);
    c = f.ecfg;
    c.state_part = FX_LOG_PART(0); /* state in a log's ring */
    cr_assert_eq(mtr_events_init(&ev2, &c), MTR_ERR_CONFIG);
    c = f.ecfg;
    c.state_part = FX_SMALL_PART; /* record size below the state's */
    cr_assert_eq(mtr_events_init(&ev2, &c), MTR_ERR_CONFIG);
    c = f.ecfg;
    c.state_part = 99; /* no such partition */
    cr_assert_eq(mtr_events_init(&ev2, &c), MTR_ERR_STORE_NO_PART);
    cr_assert_eq(mtr_events_raise(&ev2, 1, NULL, T0, 0), MTR_ERR_STATE);
    c = f.ecfg;
    c.state_part = FX_SMALL_PART;
    cr_assert_eq(mtr_events_init(&f.ev, &c), MTR_ERR_CONFIG);
    cr_assert_eq(mtr_events_raise(&f.ev, 1, NULL, T0, 0), MTR_ERR_STATE);
    cr_assert_eq(memcmp(nvm0, mtr_sim_nvm_data(&f.sim), FX_NVM), 0);
    cr_assert_eq(mtr_events_size(), sizeof(struct mtr_events));
    fx_close(&f);
}

/* The newest entry of a log, as the value objects of its capture objects read it. */
Test(events_raise, newest_entry_of_each_log)
{
    int64_t v[MTR_EVENTS_MAX_VALUES];
    mtr_utc_t at = -1;
    fx_open_geo(&f, FX_NOR1, (uint16_t)(FX_ALL_LOGS & ~(1u << MTR_EVLOG_MBUS)));
    memset(v, 0x55, sizeof v);
    cr_assert_eq(mtr_events_log_last(&f.ev, MTR_EVLOG_STANDARD, &at, v), MTR_ERR_EMPTY);
    cr_assert(v[0] == 0 && v[1] == 0 && v[2] == 0 && at == -1, "nothing written for an empty log");
    cr_assert_eq(mtr_events_log_last(&f.ev, MTR_EVLOG_COUNT, NULL, v), MTR_ERR_RANGE);
    cr_assert_eq(mtr_events_log_last(&f.ev, MTR_EVLOG_MBUS, NULL, v), MTR_ERR_NOENT, "log not kept");

    uint16_t row;
    cr_assert_eq(mtr_events_find(18, "Firmware activated", &row), MTR_OK);
    cr_assert_eq(mtr_events_raise_index(&f.ev, row, 1000, 30202), MTR_OK);
    cr_assert_eq(mtr_events_raise(&f.ev, 17, NULL, 2000, 30203), MTR_OK);
    cr_assert_eq(mtr_events_log_last(&f.ev, MTR_EVLOG_FIRMWARE, &at, v), MTR_OK);
    cr_assert(at == 2000 && v[0] == 17 && v[1] == 30203 && v[2] == 0, "the newest: code and version");
    cr_assert_eq(mtr_events_log_last(&f.ev, MTR_EVLOG_STANDARD, NULL, v), MTR_OK);
    cr_assert(v[0] == 17 && v[1] == 0, "a log without extras has its code only");

    cr_assert_eq(mtr_events_power_failure(&f.ev, 3000, 3000 + 600), MTR_OK);
    cr_assert_eq(mtr_events_power_failure(&f.ev, 5000, 5001), MTR_OK); /* short: not logged */
    cr_assert_eq(mtr_events_log_last(&f.ev, MTR_EVLOG_POWER_FAILURE, &at, v), MTR_OK);
    cr_assert(at == 3600 && v[0] == 1 && v[1] == 3000 && v[2] == 600, "end, code 1, start, duration");

    cr_assert_eq(mtr_events_clear_log(&f.ev, MTR_EVLOG_FIRMWARE, 4000), MTR_OK);
    cr_assert_eq(mtr_events_log_last(&f.ev, MTR_EVLOG_FIRMWARE, &at, v), MTR_OK);
    cr_assert(at == 4000 && v[0] == 255, "a clear leaves event 255 as the newest entry");

    /* a reboot reads the same from the rings */
    cr_assert_eq(fx_boot(&f), MTR_OK);
    cr_assert_eq(mtr_events_log_last(&f.ev, MTR_EVLOG_POWER_FAILURE, &at, v), MTR_OK);
    cr_assert(at == 3600 && v[1] == 3000 && v[2] == 600);
    fx_close(&f);
}
