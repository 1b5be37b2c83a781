/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Selective access of the profile buffer (Blue Book class 7 attribute 2):
 * range and entry descriptors at their edges, column subsets, a wrapped FIFO,
 * bad selectors, damaged records, cursors kept across captures, and range
 * reads compared with a plain model over random capture times.
 */
#include <stdlib.h>

#include "profile_fixture.h"

/* 10 entries at T0 + 15 min .. T0 + 150 min. */
static void ten(struct px *f)
{
    px_open(f, GEO_NOR1);
    for (int i = 1; i <= 10; i++) {
        cr_assert_eq(px_capture(f, T0 + i * MIN15, 0), MTR_OK);
    }
}

/* Read a selection; check count == entries returned; return the times. */
static uint32_t sel_read(struct px *f, const struct mtr_profile_sel *sel, mtr_utc_t *t,
                         uint32_t cap)
{
    struct mtr_profile_cursor cur;
    uint32_t count = 0xDEAD, got = 0;
    cr_assert_eq(mtr_profile_select(&f->p, sel, &cur, &count), MTR_OK);
    struct mtr_profile_entry e;
    mtr_err_t rc;
    while ((rc = mtr_profile_next(&f->p, sel, &cur, &e)) == MTR_OK) {
        cr_assert_lt(got, cap);
        t[got++] = e.utc;
    }
    cr_assert_eq(rc, MTR_ERR_EMPTY);
    cr_assert_eq(mtr_profile_next(&f->p, sel, &cur, &e), MTR_ERR_EMPTY, "the end stays the end");
    cr_assert_eq(got, count);
    return got;
}

static struct mtr_profile_sel range(mtr_utc_t from, mtr_utc_t to)
{
    return (struct mtr_profile_sel){.by = MTR_PROFILE_RANGE, .from = from, .to = to};
}

static struct mtr_profile_sel entries(uint32_t from, uint32_t to)
{
    return (struct mtr_profile_sel){.by = MTR_PROFILE_ENTRY, .from_entry = from, .to_entry = to};
}

Test(select, empty_profile)
{
    struct px f;
    px_open(&f, GEO_NOR1);
    mtr_utc_t t[4];
    struct mtr_profile_sel s = {.by = MTR_PROFILE_ALL};
    cr_assert_eq(sel_read(&f, &s, t, 4), 0u);
    s = range(0, MTR_PROFILE_UTC_MAX);
    cr_assert_eq(sel_read(&f, &s, t, 4), 0u);
    s = entries(1, 0);
    cr_assert_eq(sel_read(&f, &s, t, 4), 0u);
    px_close(&f);
}

Test(select, range_edges)
{
    struct px f;
    ten(&f);
    mtr_utc_t t[16];
    struct mtr_profile_sel s = range(T0 + 3 * MIN15, T0 + 3 * MIN15);
    cr_assert_eq(sel_read(&f, &s, t, 16), 1u, "exactly one entry");
    cr_assert_eq(t[0], T0 + 3 * MIN15);
    s = range(T0 + 3 * MIN15 + 1, T0 + 4 * MIN15 - 1);
    cr_assert_eq(sel_read(&f, &s, t, 16), 0u, "between two entries");
    s = range(0, T0 + MIN15 - 1);
    cr_assert_eq(sel_read(&f, &s, t, 16), 0u, "before the oldest");
    s = range(T0 + 10 * MIN15 + 1, MTR_PROFILE_UTC_MAX);
    cr_assert_eq(sel_read(&f, &s, t, 16), 0u, "after the newest");
    s = range(T0 - 86400, T0 + 86400);
    cr_assert_eq(sel_read(&f, &s, t, 16), 10u, "beyond the buffer on both sides");
    cr_assert_eq(t[0], T0 + MIN15);
    cr_assert_eq(t[9], T0 + 10 * MIN15);
    s = range(T0 + 1, T0 + 3 * MIN15);
    cr_assert_eq(sel_read(&f, &s, t, 16), 3u);
    cr_assert_eq(t[2], T0 + 3 * MIN15);
    s = range(T0 + 8 * MIN15, T0 + 86400);
    cr_assert_eq(sel_read(&f, &s, t, 16), 3u);
    cr_assert_eq(t[0], T0 + 8 * MIN15);
    s = range(T0 + 10 * MIN15, T0 + 10 * MIN15);
    cr_assert_eq(sel_read(&f, &s, t, 16), 1u, "the newest alone");
    s = range(T0 + MIN15, T0 + MIN15);
    cr_assert_eq(sel_read(&f, &s, t, 16), 1u, "the oldest alone");
    s = range(INT64_MIN, INT64_MAX);
    cr_assert_eq(sel_read(&f, &s, t, 16), 10u);
    px_close(&f);
}

Test(select, entry_edges)
{
    struct px f;
    ten(&f);
    mtr_utc_t t[16];
    struct mtr_profile_sel s = entries(1, 0);
    cr_assert_eq(sel_read(&f, &s, t, 16), 10u);
    s = entries(3, 5);
    cr_assert_eq(sel_read(&f, &s, t, 16), 3u);
    cr_assert_eq(t[0], T0 + 3 * MIN15);
    cr_assert_eq(t[2], T0 + 5 * MIN15);
    s = entries(10, 10);
    cr_assert_eq(sel_read(&f, &s, t, 16), 1u);
    cr_assert_eq(t[0], T0 + 10 * MIN15);
    s = entries(10, 0);
    cr_assert_eq(sel_read(&f, &s, t, 16), 1u);
    s = entries(1, 1);
    cr_assert_eq(sel_read(&f, &s, t, 16), 1u);
    cr_assert_eq(t[0], T0 + MIN15);
    s = entries(11, 0);
    cr_assert_eq(sel_read(&f, &s, t, 16), 0u, "from beyond the entries");
    s = entries(11, 20);
    cr_assert_eq(sel_read(&f, &s, t, 16), 0u);
    s = entries(5, 100);
    cr_assert_eq(sel_read(&f, &s, t, 16), 6u, "to beyond the entries is cut");
    cr_assert_eq(t[5], T0 + 10 * MIN15);
    s = entries(UINT32_MAX, 0);
    cr_assert_eq(sel_read(&f, &s, t, 16), 0u);
    px_close(&f);
}

Test(select, columns)
{
    struct px f;
    ten(&f);
    struct mtr_profile_entry e;
    struct mtr_profile_cursor cur;
    uint32_t count;
    int64_t v[PX_VALUES];
    px_values(T0 + 4 * MIN15, v);
    struct {
        uint16_t from, to;
        uint8_t n;
        int first; /* index of the first value returned */
        uint16_t c0, c1;
    } cases[] = {
        {0, 0, 3, 0, 1, 5}, {1, 5, 3, 0, 1, 5}, {3, 4, 2, 0, 3, 4}, {4, 5, 2, 1, 4, 5},
        {5, 0, 1, 2, 5, 5}, {1, 2, 0, 0, 1, 2}, {2, 2, 0, 0, 2, 2}, {0, 3, 1, 0, 1, 3},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct mtr_profile_sel s = entries(4, 4);
        s.from_col = cases[i].from;
        s.to_col = cases[i].to;
        uint16_t c0, c1;
        cr_assert_eq(mtr_profile_sel_columns(&f.p, &s, &c0, &c1), MTR_OK);
        cr_assert_eq(c0, cases[i].c0);
        cr_assert_eq(c1, cases[i].c1);
        cr_assert_eq(mtr_profile_select(&f.p, &s, &cur, &count), MTR_OK);
        cr_assert_eq(count, 1u);
        cr_assert_eq(mtr_profile_next(&f.p, &s, &cur, &e), MTR_OK);
        cr_assert_eq(e.utc, T0 + 4 * MIN15);
        cr_assert_eq(e.nvalues, cases[i].n, "case %zu", i);
        for (int k = 0; k < cases[i].n; k++) {
            cr_assert_eq(e.v[k], v[cases[i].first + k], "case %zu value %d", i, k);
        }
    }
    /* No selective access: every column whatever from_col/to_col say. */
    struct mtr_profile_sel s = {.by = MTR_PROFILE_ALL, .from_col = 4, .to_col = 99};
    cr_assert_eq(mtr_profile_select(&f.p, &s, &cur, &count), MTR_OK);
    cr_assert_eq(mtr_profile_next(&f.p, &s, &cur, &e), MTR_OK);
    cr_assert_eq(e.nvalues, PX_VALUES);
    px_close(&f);
}

Test(select, bad_selectors_change_nothing)
{
    struct px f;
    ten(&f);
    struct mtr_profile_sel bad[] = {
        {.by = 3},
        {.by = 255},
        {.by = MTR_PROFILE_RANGE, .from = T0 + 2, .to = T0 + 1},
        {.by = MTR_PROFILE_ENTRY, .from_entry = 0, .to_entry = 3},
        {.by = MTR_PROFILE_ENTRY, .from_entry = 0, .to_entry = 0},
        {.by = MTR_PROFILE_ENTRY, .from_entry = 5, .to_entry = 3},
        {.by = MTR_PROFILE_ENTRY, .from_entry = 1, .from_col = 6},
        {.by = MTR_PROFILE_ENTRY, .from_entry = 1, .to_col = 6},
        {.by = MTR_PROFILE_ENTRY, .from_entry = 1, .from_col = 4, .to_col = 3},
        {.by = MTR_PROFILE_RANGE, .from = 0, .to = T0 * 2, .from_col = 6, .to_col = 6},
        {.by = MTR_PROFILE_RANGE, .from = 0, .to = T0 * 2, .from_col = 0xFFFF},
    };
    const mtr_err_t want[] = {MTR_ERR_PROFILE_SELECTOR, MTR_ERR_PROFILE_SELECTOR,
                              MTR_ERR_PROFILE_SELECTOR, MTR_ERR_PROFILE_SELECTOR,
                              MTR_ERR_PROFILE_SELECTOR, MTR_ERR_PROFILE_SELECTOR,
                              MTR_ERR_RANGE,            MTR_ERR_RANGE,
                              MTR_ERR_RANGE,            MTR_ERR_RANGE,
                              MTR_ERR_RANGE};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct mtr_profile before = f.p;
        struct mtr_profile_cursor cur = {.pos = 0x1234, .left = 0x5678};
        uint32_t count = 0x9ABC;
        cr_assert_eq(mtr_profile_select(&f.p, &bad[i], &cur, &count), want[i], "selector %zu", i);
        cr_assert_eq(memcmp(&f.p, &before, sizeof before), 0, "selector %zu changed the profile", i);
        cr_assert_eq(cur.pos, 0x1234u);
        cr_assert_eq(cur.left, 0x5678u);
        cr_assert_eq(count, 0x9ABCu);
    }
    /* next() with a column range made bad after select. */
    struct mtr_profile_sel s = entries(1, 0);
    struct mtr_profile_cursor cur;
    uint32_t count;
    cr_assert_eq(mtr_profile_select(&f.p, &s, &cur, &count), MTR_OK);
    struct mtr_profile_cursor keep = cur;
    s.to_col = 9;
    struct mtr_profile_entry e;
    cr_assert_eq(mtr_profile_next(&f.p, &s, &cur, &e), MTR_ERR_RANGE);
    cr_assert_eq(memcmp(&cur, &keep, sizeof cur), 0);
    px_close(&f);
}

/* More captures than the capacity and than the ring keeps. */
static void wrapped(enum geo g, uint32_t capacity)
{
    struct px f;
    px_open_cap(&f, g, capacity);
    const int N = 200;
    for (int i = 1; i <= N; i++) {
        cr_assert_eq(px_capture(&f, T0 + i * MIN15, 0), MTR_OK);
        if (i % 13 == 0 || i > N - 3) {
            uint32_t want = (uint32_t)i < capacity ? (uint32_t)i : capacity;
            cr_assert_eq(mtr_profile_entries_in_use(&f.p), want, "after %d captures", i);
        }
    }
    mtr_utc_t t[64];
    struct mtr_profile_sel s = {.by = MTR_PROFILE_ALL};
    cr_assert_eq(sel_read(&f, &s, t, 64), capacity);
    for (uint32_t i = 0; i < capacity; i++) {
        cr_assert_eq(t[i], T0 + (mtr_utc_t)(N - (int)capacity + 1 + (int)i) * MIN15);
    }
    s = entries(1, 1);
    cr_assert_eq(sel_read(&f, &s, t, 64), 1u);
    cr_assert_eq(t[0], T0 + (mtr_utc_t)(N - (int)capacity + 1) * MIN15);
    s = range(T0, T0 + 86400 * 10);
    cr_assert_eq(sel_read(&f, &s, t, 64), capacity);
    /* An entry still in the ring but outside the buffer is not returned. */
    s = range(T0 + (mtr_utc_t)(N - (int)capacity) * MIN15, T0 + (mtr_utc_t)(N - (int)capacity) * MIN15);
    cr_assert_eq(sel_read(&f, &s, t, 64), 0u);
    s = range(T0 + (mtr_utc_t)(N - 1) * MIN15, T0 + 86400 * 10);
    cr_assert_eq(sel_read(&f, &s, t, 64), capacity < 2 ? capacity : 2u);
    s = entries(capacity < 2 ? 1 : capacity - 1, 0);
    cr_assert_eq(sel_read(&f, &s, t, 64), capacity < 2 ? capacity : 2u);
    cr_assert_eq(t[capacity < 2 ? 0 : 1], T0 + (mtr_utc_t)N * MIN15);
    cr_assert_eq(px_boot(&f), MTR_OK);
    cr_assert_eq(mtr_profile_entries_in_use(&f.p), capacity);
    px_close(&f);
}

Test(select, wrapped_fifo_nor1)
{
    wrapped(GEO_NOR1, 20);
    wrapped(GEO_NOR1, 27); /* all the ring keeps */
    wrapped(GEO_NOR1, 1);
}
Test(select, wrapped_fifo_nor8)
{
    wrapped(GEO_NOR8, 24);
    wrapped(GEO_NOR8, 5);
}
Test(select, wrapped_fifo_eeprom)
{
    wrapped(GEO_EEPROM, 35);
    wrapped(GEO_EEPROM, 20);
}

Test(select, cursor_across_captures_and_reset)
{
    struct px f;
    ten(&f);
    struct mtr_profile_sel s = entries(2, 6);
    struct mtr_profile_cursor cur;
    uint32_t count;
    struct mtr_profile_entry e;
    cr_assert_eq(mtr_profile_select(&f.p, &s, &cur, &count), MTR_OK);
    cr_assert_eq(count, 5u);
    cr_assert_eq(mtr_profile_next(&f.p, &s, &cur, &e), MTR_OK);
    cr_assert_eq(e.utc, T0 + 2 * MIN15);
    /* Captures between two blocks: the selection is unchanged. */
    for (int i = 11; i <= 14; i++) {
        cr_assert_eq(px_capture(&f, T0 + i * MIN15, 0), MTR_OK);
    }
    for (int i = 3; i <= 6; i++) {
        cr_assert_eq(mtr_profile_next(&f.p, &s, &cur, &e), MTR_OK);
        cr_assert_eq(e.utc, T0 + i * MIN15);
        px_check_values(&e);
    }
    cr_assert_eq(mtr_profile_next(&f.p, &s, &cur, &e), MTR_ERR_EMPTY);

    /* Entries leaving the ring during a reading are skipped, never replaced. */
    s = entries(1, 5);
    cr_assert_eq(mtr_profile_select(&f.p, &s, &cur, &count), MTR_OK);
    cr_assert_eq(count, 5u);
    cr_assert_eq(mtr_profile_next(&f.p, &s, &cur, &e), MTR_OK);
    mtr_utc_t first = e.utc;
    for (int i = 15; i <= 60; i++) {
        cr_assert_eq(px_capture(&f, T0 + i * MIN15, 0), MTR_OK);
    }
    while (mtr_profile_next(&f.p, &s, &cur, &e) == MTR_OK) {
        cr_assert_leq(e.utc, first + 4 * MIN15, "an entry outside the selection");
    }

    /* A reset ends a reading. */
    s = entries(1, 0);
    cr_assert_eq(mtr_profile_select(&f.p, &s, &cur, &count), MTR_OK);
    cr_assert_eq(count, 20u);
    cr_assert_eq(mtr_profile_next(&f.p, &s, &cur, &e), MTR_OK);
    cr_assert_eq(mtr_profile_reset(&f.p, T0 + 61 * MIN15), MTR_OK);
    cr_assert_eq(px_capture(&f, T0 + 62 * MIN15, 0), MTR_OK);
    cr_assert_eq(mtr_profile_next(&f.p, &s, &cur, &e), MTR_ERR_EMPTY);
    /* A cursor kept by value (two words) goes on from where it was. */
    cr_assert_eq(sizeof(struct mtr_profile_cursor), 8u);
    px_close(&f);
}

/* Flip a byte in the payload of the record at ring slot @slot. */
static void damage(struct px *f, uint32_t slot)
{
    uint32_t slot_size = mtr_store_slot_size(PX_RECORD, 1);
    uint8_t *nvm = mtr_sim_nvm_data(&f->sim);
    nvm[slot * slot_size + 4 + 12 + 20] ^= 0x01; /* NOR1: mark 4, header 12, payload */
}

Test(select, damaged_records_are_skipped_and_not_counted)
{
    struct px f;
    ten(&f); /* slots 0..9 hold entries 1..10 */
    damage(&f, 3);                     /* entry 4 */
    damage(&f, 6);                     /* entry 7 */
    cr_assert_eq(px_boot(&f), MTR_OK); /* recovery sees the damage */
    cr_assert_eq(mtr_profile_entries_in_use(&f.p), 8u);
    mtr_utc_t t[32];
    struct mtr_profile_sel s = {.by = MTR_PROFILE_ALL};
    cr_assert_eq(sel_read(&f, &s, t, 16), 8u);
    s = entries(3, 5); /* the 3rd..5th readable: entries 3, 5, 6 */
    cr_assert_eq(sel_read(&f, &s, t, 16), 3u);
    cr_assert_eq(t[0], T0 + 3 * MIN15);
    cr_assert_eq(t[1], T0 + 5 * MIN15);
    cr_assert_eq(t[2], T0 + 6 * MIN15);
    s = entries(8, 0);
    cr_assert_eq(sel_read(&f, &s, t, 16), 1u);
    cr_assert_eq(t[0], T0 + 10 * MIN15);
    s = range(T0 + 3 * MIN15, T0 + 7 * MIN15);
    cr_assert_eq(sel_read(&f, &s, t, 16), 3u);
    s = range(T0 + 4 * MIN15, T0 + 4 * MIN15);
    cr_assert_eq(sel_read(&f, &s, t, 16), 0u);
    /* Captures push the damaged records out of the buffer. */
    for (int i = 11; i <= 40; i++) {
        cr_assert_eq(px_capture(&f, T0 + i * MIN15, 0), MTR_OK);
        uint32_t n = 0;
        s = (struct mtr_profile_sel){.by = MTR_PROFILE_ALL};
        n = sel_read(&f, &s, t, 32);
        cr_assert_eq(n, mtr_profile_entries_in_use(&f.p));
        cr_assert_eq(t[n - 1], T0 + i * MIN15);
    }
    cr_assert_eq(mtr_profile_entries_in_use(&f.p), 20u);
    px_close(&f);
}

/* Random capture times, sometimes going back: every range read equals a
 * plain scan of a model of the buffer. */
static uint64_t rng = 88172645463325252u;
static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

static void model_check(bool backwards)
{
    struct px f;
    px_open(&f, GEO_NOR1);
    mtr_utc_t model[400];
    uint32_t n = 0;
    mtr_utc_t t = T0;
    for (int i = 0; i < 300; i++) {
        t += backwards && rnd(10) == 0 ? -(mtr_utc_t)rnd(5000) : (mtr_utc_t)rnd(3) * 450;
        cr_assert_eq(px_capture(&f, t, 0), MTR_OK);
        model[n++] = t;
        if (rnd(60) == 0) {
            cr_assert_eq(mtr_profile_reset(&f.p, t), MTR_OK);
            n = 0;
        }
        uint32_t first = n > 20 ? n - 20 : 0;
        for (int q = 0; q < 3; q++) {
            mtr_utc_t a = t - (mtr_utc_t)rnd(20000);
            mtr_utc_t b = a + (mtr_utc_t)rnd(8000);
            mtr_utc_t want[20];
            uint32_t w = 0;
            for (uint32_t k = first; k < n; k++) {
                if (model[k] >= a && model[k] <= b) {
                    want[w++] = model[k];
                }
            }
            struct mtr_profile_sel s = range(a, b);
            mtr_utc_t got[20];
            cr_assert_eq(sel_read(&f, &s, got, 20), w, "capture %d range %lld..%lld", i,
                         (long long)a, (long long)b);
            cr_assert_eq(memcmp(got, want, w * sizeof got[0]), 0);
        }
        if (rnd(50) == 0) {
            cr_assert_eq(px_boot(&f), MTR_OK);
        }
    }
    px_close(&f);
}

Test(select, range_equals_model_monotonic)
{
    model_check(false);
}
Test(select, range_equals_model_clock_back)
{
    model_check(true);
}
