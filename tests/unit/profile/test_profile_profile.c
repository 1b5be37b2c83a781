/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Profile engine: configuration checks, the capture schedule (15-minute
 * boundaries, skipped periods, clock set back and forward), the status byte
 * and its implied rules (seed profiles.json), reset, restart recovery, the
 * saved state and the record decoder.
 */
#include "profile_fixture.h"

/* ------------------------------------------------------------ configuration */

static void expect_init(struct px *f, const struct mtr_profile_config *cfg, mtr_err_t want)
{
    struct mtr_profile q;
    memset(&q, 0xA5, sizeof q);
    struct mtr_profile before = q;
    mtr_err_t rc = mtr_profile_init(&q, &f->st, cfg);
    cr_assert_eq(rc, want, "init gave %d, want %d", (int)rc, (int)want);
    cr_assert_eq(memcmp(&q, &before, sizeof q), 0, "a refused configuration changed the context");
}

Test(profile, config_checked)
{
    struct px f;
    px_open(&f, GEO_NOR1);
    struct mtr_profile_config c = f.cfg;
    const uint32_t bad_periods[] = {1, 60, 299, 301, 120, 7200, 43200, 86401, UINT32_MAX};
    for (size_t i = 0; i < sizeof bad_periods / sizeof bad_periods[0]; i++) {
        c = f.cfg;
        c.capture_period_s = bad_periods[i];
        expect_init(&f, &c, MTR_ERR_PROFILE_PERIOD);
    }
    const uint32_t good_periods[] = {0, 300, 600, 900, 1800, 3600, 86400};
    for (size_t i = 0; i < sizeof good_periods / sizeof good_periods[0]; i++) {
        c = f.cfg;
        c.capture_period_s = good_periods[i];
        struct mtr_profile q;
        cr_assert_eq(mtr_profile_init(&q, &f.st, &c), MTR_OK);
        cr_assert_eq(mtr_profile_capture_period(&q), good_periods[i]);
    }
    c = f.cfg;
    c.align_offset_s = 86400;
    expect_init(&f, &c, MTR_ERR_PROFILE_PERIOD);
    c.align_offset_s = -86400;
    expect_init(&f, &c, MTR_ERR_PROFILE_PERIOD);
    c = f.cfg;
    c.ncolumns = 0;
    expect_init(&f, &c, MTR_ERR_PROFILE_COLUMNS);
    c.ncolumns = MTR_CFG_PROFILE_COLUMNS + 1;
    expect_init(&f, &c, MTR_ERR_PROFILE_COLUMNS);
    c = f.cfg;
    c.columns = NULL;
    expect_init(&f, &c, MTR_ERR_PROFILE_COLUMNS);
    struct mtr_profile_column cols[PX_NCOL];
    memcpy(cols, px_columns, sizeof cols);
    c = f.cfg;
    c.columns = cols;
    cols[3].kind = 3;
    expect_init(&f, &c, MTR_ERR_PROFILE_COLUMNS);
    cols[3].kind = MTR_PROFILE_COL_CLOCK; /* two clock columns */
    expect_init(&f, &c, MTR_ERR_PROFILE_COLUMNS);
    cols[3].kind = MTR_PROFILE_COL_STATUS; /* two status columns */
    expect_init(&f, &c, MTR_ERR_PROFILE_COLUMNS);
    c = f.cfg;
    c.capacity = 0;
    expect_init(&f, &c, MTR_ERR_PROFILE_CAPACITY);
    uint32_t keeps = 0;
    cr_assert_eq(mtr_store_capacity(&f.st, ID_LP, &keeps), MTR_OK);
    c.capacity = keeps + 1u;
    expect_init(&f, &c, MTR_ERR_PROFILE_CAPACITY);
    c.capacity = keeps;
    struct mtr_profile q;
    cr_assert_eq(mtr_profile_init(&q, &f.st, &c), MTR_OK);
    cr_assert_eq(mtr_profile_entries(&q), keeps);
    c = f.cfg;
    c.part = ID_SMALL; /* record_size 20 < 12 + 3 * 8 */
    expect_init(&f, &c, MTR_ERR_PROFILE_RECORD);
    c.part = ID_SNAP;
    expect_init(&f, &c, MTR_ERR_STORE_KIND);
    c.part = 99;
    expect_init(&f, &c, MTR_ERR_STORE_NO_PART);
    px_close(&f);
}

Test(profile, sizes_and_attributes)
{
    cr_assert_eq(mtr_profile_record_size(0), 12u);
    cr_assert_eq(mtr_profile_record_size(3), 36u);
    cr_assert_eq(mtr_profile_record_size(MTR_CFG_PROFILE_COLUMNS),
                 12u + 8u * MTR_CFG_PROFILE_COLUMNS);
    cr_assert_eq(mtr_profile_record_size(MTR_CFG_PROFILE_COLUMNS + 1u), 0u);
    cr_assert_eq(mtr_profile_config_columns(), MTR_CFG_PROFILE_COLUMNS);
    cr_assert_eq(mtr_profile_size(), sizeof(struct mtr_profile));
    cr_assert_eq(mtr_profile_entry_size(), sizeof(struct mtr_profile_entry));
    cr_assert_str_eq(mtr_strerror(MTR_ERR_PROFILE_SELECTOR), "profile: selective access invalid");

    struct px f;
    px_open(&f, GEO_NOR8);
    uint8_t n = 0;
    cr_assert_eq(mtr_profile_columns(&f.p, &n), px_columns);
    cr_assert_eq(n, PX_NCOL);
    cr_assert_eq(mtr_profile_value_count(&f.p), PX_VALUES);
    cr_assert_eq(mtr_profile_sort_method(&f.p), MTR_PROFILE_SORT_FIFO);
    cr_assert_null(mtr_profile_sort_object(&f.p));
    cr_assert_eq(mtr_profile_entries_in_use(&f.p), 0u);
    cr_assert_eq(mtr_profile_entries(&f.p), 20u);
    mtr_utc_t t;
    cr_assert(!mtr_profile_last_capture(&f.p, &t));
    cr_assert(!mtr_profile_last_reset(&f.p, &t));
    px_close(&f);
}

/* ----------------------------------------------------------------- schedule */

/* Run the clock minute by minute from @from to @to, capturing when due. */
static uint32_t run(struct px *f, mtr_utc_t from, mtr_utc_t to)
{
    uint32_t captures = 0;
    for (mtr_utc_t t = from; t <= to; t += 60) {
        mtr_utc_t b = -1;
        if (mtr_profile_due(&f->p, t, &b)) {
            cr_assert_eq(b % MIN15, 0, "boundary %lld not on a quarter hour", (long long)b);
            cr_assert_leq(b, t);
            cr_assert_gt(b + MIN15, t, "boundary %lld captured late at %lld", (long long)b,
                         (long long)t);
            cr_assert_eq(px_capture(f, b, 0), MTR_OK);
            cr_assert(!mtr_profile_due(&f->p, t, NULL), "due twice for one boundary");
            captures++;
        }
    }
    return captures;
}

Test(profile, quarter_hours_over_days)
{
    struct px f;
    px_open(&f, GEO_NOR1);
    /* Start a little after midnight: the first entry is at 00:15. */
    uint32_t n = run(&f, T0 + 7, T0 + 3 * 86400 + 7);
    cr_assert_eq(n, 3u * 96u);
    cr_assert_eq(mtr_profile_entries_in_use(&f.p), 20u);
    struct mtr_profile_entry e[20];
    cr_assert_eq(px_all(&f, e, 20), 20u);
    for (uint32_t i = 0; i < 20; i++) {
        cr_assert_eq(e[i].utc, T0 + 3 * 86400 - (mtr_utc_t)(19 - i) * MIN15);
        cr_assert_eq(e[i].status, 0);
        px_check_values(&e[i]);
    }
    mtr_utc_t last;
    cr_assert(mtr_profile_last_capture(&f.p, &last));
    cr_assert_eq(last, T0 + 3 * 86400);
    px_close(&f);
}

Test(profile, no_capture_when_period_is_zero)
{
    struct px f;
    px_open(&f, GEO_NOR1);
    cr_assert_eq(mtr_profile_set_period(&f.p, 0), MTR_OK);
    cr_assert_eq(run(&f, T0, T0 + 86400), 0u);
    cr_assert_eq(px_capture(&f, T0 + 5, 0), MTR_OK); /* method 2 still captures */
    cr_assert_eq(mtr_profile_entries_in_use(&f.p), 1u);
    px_close(&f);
}

Test(profile, hourly_and_daily_boundaries)
{
    struct px f;
    px_open(&f, GEO_NOR1);
    cr_assert_eq(mtr_profile_set_period(&f.p, 3600), MTR_OK);
    cr_assert_eq(px_capture(&f, T0 + 10 * 3600, 0), MTR_OK);
    mtr_utc_t b;
    cr_assert(!mtr_profile_due(&f.p, T0 + 10 * 3600 + 3599, &b));
    cr_assert(mtr_profile_due(&f.p, T0 + 11 * 3600, &b));
    cr_assert_eq(b, T0 + 11 * 3600);
    cr_assert_eq(mtr_profile_set_period(&f.p, 86400), MTR_OK);
    cr_assert(!mtr_profile_due(&f.p, T0 + 86399, &b));
    cr_assert(mtr_profile_due(&f.p, T0 + 86400 + 5, &b));
    cr_assert_eq(b, T0 + 86400, "daily boundaries at 00:00 UTC");
    cr_assert_eq(mtr_profile_set_period(&f.p, 1200), MTR_ERR_PROFILE_PERIOD);
    cr_assert_eq(mtr_profile_capture_period(&f.p), 86400u);
    px_close(&f);

    /* With an offset of one hour, daily boundaries fall at 23:00 UTC. */
    px_open(&f, GEO_NOR1);
    f.cfg.capture_period_s = 86400;
    f.cfg.align_offset_s = 3600;
    cr_assert_eq(px_boot(&f), MTR_OK);
    cr_assert_eq(px_capture(&f, T0, 0), MTR_OK);
    cr_assert(!mtr_profile_due(&f.p, T0 + 23 * 3600 - 1, &b));
    cr_assert(mtr_profile_due(&f.p, T0 + 23 * 3600, &b));
    cr_assert_eq(b, T0 + 23 * 3600);
    px_close(&f);
}

Test(profile, first_due_starts_the_schedule)
{
    struct px f;
    px_open(&f, GEO_NOR1);
    mtr_utc_t b;
    cr_assert(!mtr_profile_due(&f.p, T0 + 600, &b), "no entry for the period already begun");
    cr_assert(!mtr_profile_due(&f.p, T0 + 899, &b));
    cr_assert(mtr_profile_due(&f.p, T0 + 900, &b));
    cr_assert_eq(b, T0 + 900);
    px_close(&f);
}

Test(profile, skipped_periods_give_one_entry_with_pdn)
{
    struct px f;
    px_open(&f, GEO_NOR1);
    cr_assert_eq(run(&f, T0 + 10 * 3600 - 60, T0 + 10 * 3600 + 20 * 60), 2u); /* 10:00 10:15 */
    /* Power down 10:20 .. 13:07; the meter notes PDN when power returns. */
    mtr_profile_note(&f.p, MTR_PROFILE_ST_PDN);
    mtr_utc_t b;
    cr_assert(mtr_profile_due(&f.p, T0 + 13 * 3600 + 7 * 60, &b));
    cr_assert_eq(b, T0 + 13 * 3600, "the latest boundary, no made-up entries");
    cr_assert_eq(px_capture(&f, b, 0), MTR_OK);
    cr_assert_eq(mtr_profile_pending(&f.p), 0);
    cr_assert(!mtr_profile_due(&f.p, T0 + 13 * 3600 + 14 * 60, &b));
    cr_assert(mtr_profile_due(&f.p, T0 + 13 * 3600 + 15 * 60, &b));
    cr_assert_eq(px_capture(&f, b, 0), MTR_OK);
    struct mtr_profile_entry e[8];
    cr_assert_eq(px_all(&f, e, 8), 4u);
    cr_assert_eq(e[0].utc, T0 + 10 * 3600);
    cr_assert_eq(e[1].utc, T0 + 10 * 3600 + 900);
    cr_assert_eq(e[2].utc, T0 + 13 * 3600);
    cr_assert_eq(e[2].status, MTR_PROFILE_ST_PDN);
    cr_assert_eq(e[3].status, 0);
    px_close(&f);
}

Test(profile, clock_set_back)
{
    struct px f;
    px_open(&f, GEO_NOR1);
    const mtr_utc_t h10 = T0 + 10 * 3600;
    cr_assert_eq(run(&f, h10 - 60, h10 + 20 * 60), 2u); /* 10:00 10:15 */
    /* At 10:20 the clock is set back to 10:05. */
    mtr_profile_clock_changed(&f.p, h10 + 20 * 60, h10 + 5 * 60);
    cr_assert_eq(mtr_profile_pending(&f.p), MTR_PROFILE_ST_CAD);
    mtr_utc_t b;
    for (mtr_utc_t t = h10 + 5 * 60; t < h10 + 900; t += 60) {
        cr_assert(!mtr_profile_due(&f.p, t, &b), "no capture before the next boundary");
    }
    cr_assert(mtr_profile_due(&f.p, h10 + 900, &b), "the next boundary is not lost");
    cr_assert_eq(b, h10 + 900);
    cr_assert_eq(px_capture(&f, b, 0), MTR_OK);
    cr_assert(!mtr_profile_due(&f.p, h10 + 900 + 60, &b), "nor duplicated");
    cr_assert(mtr_profile_due(&f.p, h10 + 1800, &b));
    cr_assert_eq(px_capture(&f, b, 0), MTR_OK);

    /* Back again, before every entry: capture times now go back. */
    mtr_profile_clock_changed(&f.p, h10 + 1810, h10 - 3600 + 60);
    cr_assert(mtr_profile_due(&f.p, h10 - 3600 + 900, &b));
    cr_assert_eq(px_capture(&f, b, 0), MTR_OK);

    struct mtr_profile_entry e[8];
    cr_assert_eq(px_all(&f, e, 8), 5u);
    const mtr_utc_t want[] = {h10, h10 + 900, h10 + 900, h10 + 1800, h10 - 2700};
    const uint8_t st[] = {0, 0, MTR_PROFILE_ST_CAD, 0, MTR_PROFILE_ST_CAD};
    for (int i = 0; i < 5; i++) {
        cr_assert_eq(e[i].utc, want[i], "entry %d", i);
        cr_assert_eq(e[i].status, st[i], "entry %d", i);
    }
    /* Range reads stay right although capture times go back. */
    struct mtr_profile_sel sel = {.by = MTR_PROFILE_RANGE, .from = h10 - 3600, .to = h10 - 1};
    struct mtr_profile_cursor cur;
    uint32_t count;
    cr_assert_eq(mtr_profile_select(&f.p, &sel, &cur, &count), MTR_OK);
    cr_assert_eq(count, 1u);
    cr_assert_eq(mtr_profile_next(&f.p, &sel, &cur, &e[0]), MTR_OK);
    cr_assert_eq(e[0].utc, h10 - 2700);
    sel.from = h10 + 900;
    sel.to = h10 + 900;
    cr_assert_eq(mtr_profile_select(&f.p, &sel, &cur, &count), MTR_OK);
    cr_assert_eq(count, 2u);
    px_close(&f);
}

Test(profile, clock_set_back_unannounced)
{
    struct px f;
    px_open(&f, GEO_NOR1);
    const mtr_utc_t h10 = T0 + 10 * 3600;
    cr_assert_eq(px_capture(&f, h10 + 900, 0), MTR_OK);
    /* Restart with the clock behind the newest entry. */
    cr_assert_eq(px_boot(&f), MTR_OK);
    mtr_utc_t b;
    cr_assert(!mtr_profile_due(&f.p, h10 + 300, &b));
    cr_assert_eq(mtr_profile_pending(&f.p), MTR_PROFILE_ST_CAD);
    cr_assert(!mtr_profile_due(&f.p, h10 + 899, &b));
    cr_assert(mtr_profile_due(&f.p, h10 + 900, &b));
    cr_assert_eq(b, h10 + 900);
    px_close(&f);
}

Test(profile, clock_set_forward)
{
    struct px f;
    px_open(&f, GEO_NOR1);
    const mtr_utc_t h10 = T0 + 10 * 3600;
    cr_assert_eq(px_capture(&f, h10, 0), MTR_OK);
    /* At 10:05 the clock jumps to 12:40. */
    mtr_profile_clock_changed(&f.p, h10 + 300, h10 + 2 * 3600 + 40 * 60);
    mtr_utc_t b;
    cr_assert(mtr_profile_due(&f.p, h10 + 2 * 3600 + 40 * 60, &b));
    cr_assert_eq(b, h10 + 2 * 3600 + 30 * 60);
    cr_assert_eq(px_capture(&f, b, 0), MTR_OK);
    cr_assert(mtr_profile_due(&f.p, h10 + 2 * 3600 + 45 * 60, &b));
    cr_assert_eq(px_capture(&f, b, 0), MTR_OK);
    struct mtr_profile_entry e[4];
    cr_assert_eq(px_all(&f, e, 4), 3u);
    cr_assert_eq(e[1].status, MTR_PROFILE_ST_CAD);
    cr_assert_eq(e[2].status, 0);
    px_close(&f);
}

/* ------------------------------------------------------------------- status */

Test(profile, status_implied_rules)
{
    struct px f;
    px_open(&f, GEO_NOR1);
    struct {
        uint8_t note, status, want;
    } cases[] = {
        {0, MTR_PROFILE_ST_CIV, MTR_PROFILE_ST_CIV | MTR_PROFILE_ST_DNV},
        {0, MTR_PROFILE_ST_ERR, MTR_PROFILE_ST_ERR | MTR_PROFILE_ST_DNV},
        {MTR_PROFILE_ST_CIV, 0, MTR_PROFILE_ST_CIV | MTR_PROFILE_ST_DNV},
        {0, 0x50, 0},
        {0x10, 0x40 | MTR_PROFILE_ST_DST, MTR_PROFILE_ST_DST},
        {MTR_PROFILE_ST_PDN, MTR_PROFILE_ST_DST, MTR_PROFILE_ST_PDN | MTR_PROFILE_ST_DST},
        {MTR_PROFILE_ST_CAD | MTR_PROFILE_ST_ERR, 0,
         MTR_PROFILE_ST_CAD | MTR_PROFILE_ST_ERR | MTR_PROFILE_ST_DNV},
        {0, 0xFF, 0xAF},
        {0, MTR_PROFILE_ST_DNV, MTR_PROFILE_ST_DNV},
    };
    const size_t n = sizeof cases / sizeof cases[0];
    for (size_t i = 0; i < n; i++) {
        mtr_profile_note(&f.p, cases[i].note);
        cr_assert_eq(mtr_profile_pending(&f.p) & 0x50, 0, "reserved bits never noted");
        cr_assert_eq(px_capture(&f, T0 + (mtr_utc_t)i * MIN15, cases[i].status), MTR_OK);
        cr_assert_eq(mtr_profile_pending(&f.p), 0);
    }
    struct mtr_profile_entry e[16];
    cr_assert_eq(px_all(&f, e, 16), n);
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(e[i].status, cases[i].want, "case %zu: 0x%02x", i, e[i].status);
    }
    px_close(&f);
}

Test(profile, bad_capture_changes_nothing)
{
    struct px f;
    px_open(&f, GEO_NOR1);
    cr_assert_eq(px_capture(&f, T0, 0), MTR_OK);
    mtr_profile_note(&f.p, MTR_PROFILE_ST_PDN);
    struct mtr_profile before = f.p;
    int64_t v[PX_VALUES + 1] = {1, 2, 3, 4};
    cr_assert_eq(mtr_profile_capture(&f.p, T0 + 900, 0, v, PX_VALUES + 1), MTR_ERR_PROFILE_VALUES);
    cr_assert_eq(mtr_profile_capture(&f.p, T0 + 900, 0, v, PX_VALUES - 1), MTR_ERR_PROFILE_VALUES);
    cr_assert_eq(mtr_profile_capture(&f.p, -1, 0, v, PX_VALUES), MTR_ERR_RANGE);
    cr_assert_eq(mtr_profile_capture(&f.p, (mtr_utc_t)UINT32_MAX + 1, 0, v, PX_VALUES),
                 MTR_ERR_RANGE);
    cr_assert_eq(mtr_profile_reset(&f.p, -5), MTR_ERR_RANGE);
    cr_assert_eq(mtr_profile_set_period(&f.p, 901), MTR_ERR_PROFILE_PERIOD);
    cr_assert_eq(memcmp(&f.p, &before, sizeof before), 0);
    cr_assert_eq(mtr_profile_capture(&f.p, MTR_PROFILE_UTC_MAX, 0, v, PX_VALUES), MTR_OK);
    px_close(&f);
}

/* -------------------------------------------------------------------- reset */

Test(profile, reset_then_captures_and_restart)
{
    struct px f;
    px_open(&f, GEO_NOR1);
    for (int i = 1; i <= 5; i++) {
        cr_assert_eq(px_capture(&f, T0 + i * MIN15, 0), MTR_OK);
    }
    mtr_profile_note(&f.p, MTR_PROFILE_ST_DNV);
    cr_assert_eq(mtr_profile_reset(&f.p, T0 + 5 * MIN15 + 100), MTR_OK);
    cr_assert_eq(mtr_profile_entries_in_use(&f.p), 0u);
    cr_assert_eq(mtr_profile_pending(&f.p), MTR_PROFILE_ST_DNV, "notes are kept");
    struct mtr_profile_entry e[8];
    cr_assert_eq(px_all(&f, e, 8), 0u);
    mtr_utc_t t;
    cr_assert(mtr_profile_last_reset(&f.p, &t));
    cr_assert_eq(t, T0 + 5 * MIN15 + 100);
    cr_assert(mtr_profile_last_capture(&f.p, &t));
    cr_assert_eq(t, T0 + 5 * MIN15);
    /* The schedule goes on: 01:15 was captured before the reset. */
    cr_assert(!mtr_profile_due(&f.p, T0 + 5 * MIN15 + 200, &t));

    /* A restart keeps the reset. */
    cr_assert_eq(px_boot(&f), MTR_OK);
    cr_assert_eq(mtr_profile_entries_in_use(&f.p), 0u);
    cr_assert(mtr_profile_last_reset(&f.p, &t));
    cr_assert_eq(t, T0 + 5 * MIN15 + 100);
    cr_assert(mtr_profile_last_capture(&f.p, &t));
    cr_assert_eq(t, T0 + 5 * MIN15);
    cr_assert(!mtr_profile_due(&f.p, T0 + 5 * MIN15 + 200, &t), "no duplicate after a restart");
    cr_assert(mtr_profile_due(&f.p, T0 + 6 * MIN15, &t));

    for (int i = 6; i <= 8; i++) {
        cr_assert_eq(px_capture(&f, T0 + i * MIN15, 0), MTR_OK);
    }
    cr_assert_eq(px_all(&f, e, 8), 3u);
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(e[i].utc, T0 + (6 + i) * MIN15);
        px_check_values(&e[i]);
    }
    cr_assert_eq(px_boot(&f), MTR_OK);
    cr_assert_eq(px_all(&f, e, 8), 3u);
    cr_assert_eq(e[0].utc, T0 + 6 * MIN15);

    /* Two resets in a row, and a reset of an empty profile. */
    cr_assert_eq(mtr_profile_reset(&f.p, T0 + 9 * MIN15), MTR_OK);
    cr_assert_eq(mtr_profile_reset(&f.p, T0 + 9 * MIN15 + 1), MTR_OK);
    cr_assert_eq(px_boot(&f), MTR_OK);
    cr_assert_eq(px_all(&f, e, 8), 0u);
    cr_assert(mtr_profile_last_reset(&f.p, &t));
    cr_assert_eq(t, T0 + 9 * MIN15 + 1);
    px_close(&f);

    px_open(&f, GEO_EEPROM);
    cr_assert_eq(mtr_profile_reset(&f.p, T0), MTR_OK);
    cr_assert_eq(px_boot(&f), MTR_OK);
    cr_assert(!mtr_profile_last_capture(&f.p, &t));
    cr_assert(mtr_profile_last_reset(&f.p, &t));
    cr_assert_eq(px_capture(&f, T0 + 1, 0), MTR_OK);
    cr_assert_eq(px_all(&f, e, 8), 1u);
    px_close(&f);
}

Test(profile, reset_marker_dropped_with_its_unit)
{
    struct px f;
    px_open(&f, GEO_NOR1);
    cr_assert_eq(px_capture(&f, T0, 0), MTR_OK);
    cr_assert_eq(mtr_profile_reset(&f.p, T0 + 1), MTR_OK);
    /* Enough captures to drop the marker's erase unit. */
    for (int i = 1; i <= 60; i++) {
        cr_assert_eq(px_capture(&f, T0 + i * MIN15, 0), MTR_OK);
    }
    cr_assert_eq(px_boot(&f), MTR_OK);
    mtr_utc_t t;
    cr_assert(!mtr_profile_last_reset(&f.p, &t), "the marker left the ring");
    struct mtr_profile_entry e[20];
    cr_assert_eq(px_all(&f, e, 20), 20u);
    cr_assert_eq(e[0].utc, T0 + 41 * MIN15);
    cr_assert_eq(e[19].utc, T0 + 60 * MIN15);
    px_close(&f);
}

/* ------------------------------------------------------------------ restart */

struct snap {
    uint32_t in_use;
    uint32_t n;
    mtr_utc_t last, reset;
    bool has_last, has_reset;
    struct mtr_profile_entry e[40];
};

static void take(struct px *f, struct snap *s)
{
    memset(s, 0, sizeof *s);
    s->in_use = mtr_profile_entries_in_use(&f->p);
    s->has_last = mtr_profile_last_capture(&f->p, &s->last);
    s->has_reset = mtr_profile_last_reset(&f->p, &s->reset);
    s->n = px_all(f, s->e, 40);
    cr_assert_eq(s->n, s->in_use);
}

static void same(const struct snap *a, const struct snap *b)
{
    cr_assert_eq(a->in_use, b->in_use);
    cr_assert_eq(a->has_last, b->has_last);
    cr_assert_eq(a->has_reset, b->has_reset);
    cr_assert_eq(a->last, b->last);
    cr_assert_eq(a->reset, b->reset);
    cr_assert_eq(a->n, b->n);
    for (uint32_t i = 0; i < a->n; i++) {
        cr_assert_eq(a->e[i].utc, b->e[i].utc);
        cr_assert_eq(a->e[i].status, b->e[i].status);
        cr_assert_eq(a->e[i].nvalues, b->e[i].nvalues);
        cr_assert_eq(memcmp(a->e[i].v, b->e[i].v, a->e[i].nvalues * sizeof a->e[i].v[0]), 0);
    }
}

static void restart_equals(enum geo g)
{
    struct px f;
    px_open(&f, g);
    struct snap a, b;
    for (int i = 1; i <= 300; i++) {
        mtr_utc_t t = T0 + i * MIN15;
        if (i == 50) {
            cr_assert_eq(mtr_profile_reset(&f.p, t - 1), MTR_OK);
        }
        if (i >= 200 && i < 205) {
            t -= 86400; /* a day back */
        }
        cr_assert_eq(px_capture(&f, t, (uint8_t)(i % 4 == 0 ? MTR_PROFILE_ST_DST : 0)), MTR_OK);
        if (i % 37 == 0 || i == 50 || (i >= 199 && i <= 230)) {
            take(&f, &a);
            cr_assert_eq(px_boot(&f), MTR_OK);
            take(&f, &b);
            same(&a, &b);
        }
    }
    px_close(&f);
}

Test(profile, restart_equals_before_nor1)
{
    restart_equals(GEO_NOR1);
}
Test(profile, restart_equals_before_nor8)
{
    restart_equals(GEO_NOR8);
}
Test(profile, restart_equals_before_eeprom)
{
    restart_equals(GEO_EEPROM);
}

/* -------------------------------------------------------------- saved state */

Test(profile, state_blob)
{
    struct px f;
    px_open(&f, GEO_NOR1);
    cr_assert_eq(mtr_profile_set_period(&f.p, 600), MTR_OK);
    mtr_profile_note(&f.p, MTR_PROFILE_ST_PDN);
    uint8_t blob[MTR_PROFILE_STATE_SIZE + 4];
    size_t len = 0;
    cr_assert_eq(mtr_profile_state_save(&f.p, blob, MTR_PROFILE_STATE_SIZE - 1, &len),
                 MTR_ERR_OVERFLOW);
    cr_assert_eq(mtr_profile_state_save(&f.p, blob, sizeof blob, &len), MTR_OK);
    cr_assert_eq(len, MTR_PROFILE_STATE_SIZE);
    cr_assert_eq(px_boot(&f), MTR_OK);
    cr_assert_eq(mtr_profile_capture_period(&f.p), 900u);
    cr_assert_eq(mtr_profile_pending(&f.p), 0);

    struct mtr_profile before = f.p;
    uint8_t bad[MTR_PROFILE_STATE_SIZE];
    cr_assert_eq(mtr_profile_state_load(&f.p, blob, len - 1), MTR_ERR_PROFILE_BLOB);
    cr_assert_eq(mtr_profile_state_load(&f.p, blob, len + 1), MTR_ERR_PROFILE_BLOB);
    for (size_t i = 0; i < len; i++) {
        memcpy(bad, blob, len);
        bad[i] ^= 0x04;
        cr_assert_eq(mtr_profile_state_load(&f.p, bad, len), MTR_ERR_PROFILE_BLOB_CRC, "byte %zu",
                     i);
    }
    /* Well-formed blobs with invalid content. */
    const struct {
        size_t at;
        uint8_t v;
        mtr_err_t want;
    } cases[] = {{0, 2, MTR_ERR_PROFILE_VERSION},
                 {1, 0x10, MTR_ERR_PROFILE_BLOB},
                 {2, 1, MTR_ERR_PROFILE_BLOB},
                 {7, 0x59, MTR_ERR_PROFILE_BLOB}}; /* period 0x259 = 601 */
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memcpy(bad, blob, len);
        bad[cases[i].at] = cases[i].v;
        mtr_put_be32(bad + 8, mtr_crc32(bad, 8));
        cr_assert_eq(mtr_profile_state_load(&f.p, bad, len), cases[i].want, "case %zu", i);
    }
    cr_assert_eq(memcmp(&f.p, &before, sizeof before), 0, "a refused blob changed the profile");
    cr_assert_eq(mtr_profile_state_load(&f.p, blob, len), MTR_OK);
    cr_assert_eq(mtr_profile_capture_period(&f.p), 600u);
    cr_assert_eq(mtr_profile_pending(&f.p), MTR_PROFILE_ST_PDN);
    px_close(&f);
}

/* ------------------------------------------------------------ record decoder */

Test(profile, record_decode)
{
    uint8_t rec[MTR_PROFILE_RECORD_SIZE(3)] = {1, 1, MTR_PROFILE_ST_PDN, 3, 0, 0, 0, 9,
                                               0x65, 0x54, 0x0C, 0x00};
    for (int i = 0; i < 3; i++) {
        mtr_put_be64(rec + 12 + 8 * i, (uint64_t)(int64_t)(-1000 * (i + 1)));
    }
    struct mtr_profile_entry e;
    uint8_t type = 0;
    uint32_t num = 0;
    cr_assert_eq(mtr_profile_record_decode(rec, sizeof rec, &type, &num, &e), MTR_OK);
    cr_assert_eq(type, MTR_PROFILE_REC_ENTRY);
    cr_assert_eq(num, 9u);
    cr_assert_eq(e.utc, (mtr_utc_t)0x65540C00);
    cr_assert_eq(e.status, MTR_PROFILE_ST_PDN);
    cr_assert_eq(e.nvalues, 3);
    cr_assert_eq(e.v[2], -3000);
    cr_assert_eq(mtr_profile_record_decode(rec, sizeof rec - 1, &type, &num, &e),
                 MTR_ERR_PROFILE_FORMAT);
    cr_assert_eq(mtr_profile_record_decode(rec, 11, &type, &num, &e), MTR_ERR_PROFILE_FORMAT);
    cr_assert_eq(mtr_profile_record_decode(NULL, 0, &type, &num, &e), MTR_ERR_PROFILE_FORMAT);
    uint8_t bad[sizeof rec];
    const struct {
        size_t at;
        uint8_t v;
        mtr_err_t want;
    } cases[] = {{0, 0, MTR_ERR_PROFILE_VERSION}, {0, 2, MTR_ERR_PROFILE_VERSION},
                 {1, 0, MTR_ERR_PROFILE_FORMAT},  {1, 3, MTR_ERR_PROFILE_FORMAT},
                 {2, 0x10, MTR_ERR_PROFILE_FORMAT}, {2, 0x40, MTR_ERR_PROFILE_FORMAT},
                 {3, 2, MTR_ERR_PROFILE_FORMAT},  {3, 255, MTR_ERR_PROFILE_FORMAT},
                 {1, 2, MTR_ERR_PROFILE_FORMAT}}; /* a marker has 1 value and status 0 */
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memcpy(bad, rec, sizeof rec);
        bad[cases[i].at] = cases[i].v;
        cr_assert_eq(mtr_profile_record_decode(bad, sizeof bad, &type, &num, &e), cases[i].want,
                     "case %zu", i);
    }
    uint8_t marker[MTR_PROFILE_RECORD_SIZE(1)] = {1, 2, 0, 1, 0, 0, 0, 9, 0, 0, 1, 0};
    mtr_put_be64(marker + 12, (uint64_t)(int64_t)-1);
    cr_assert_eq(mtr_profile_record_decode(marker, sizeof marker, &type, &num, &e), MTR_OK);
    cr_assert_eq(type, MTR_PROFILE_REC_RESET);
    cr_assert_eq(e.utc, 256);
    cr_assert_eq(e.v[0], -1);
}
