/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Profiles and event logs (class 7) over DLMS on the cosem rig: the buffer
 * read whole and with selective access by range and by entry at the edges
 * (empty, beyond, one entry, a wrapped FIFO, column subsets), streamed in
 * blocks (a day of the 15-minute load profile: 96 entries) and compared
 * entry by entry with what mtr_profile_select()/mtr_profile_next() give
 * for the same selection; bad selectors (the data-access-result, nothing
 * changed); the other attributes; the reset and capture methods.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "dlms_client.h"
#include "meter/clock.h"
#include "test_cosem_control_rig.h"

#if MTR_WITH_PROFILE

#define T0 ((mtr_utc_t)1772409600) /* 2026-03-02T00:00:00Z */
#define Q 900                      /* 15 min */

#define MGMT MTR_COSEM_ROLE_MANAGEMENT
#define PUBLIC MTR_COSEM_ROLE_PUBLIC
#define L1 MTR_COSEM_ROLE_LEVEL1
#define L3 MTR_COSEM_ROLE_LEVEL3

static const uint8_t OB_LP1[6] = {0, 0, 99, 1, 0, 255};
static const uint8_t INT0[2] = {MTR_DLMS_INTEGER, 0};

static struct cosem_rig *R;

static void setup(void)
{
    R = cosem_rig_new(T0);
    cosem_rig_assoc(R, L1);
}

static void teardown(void)
{
    cosem_rig_free(R);
}

static struct mtr_profile *lp1(void)
{
    return &ctl(R)->prof[1];
}

static uint64_t be(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int k = 0; k < n; k++) {
        v = v << 8 | p[k];
    }
    return v;
}

/* Entry k of the test data: capture time T0 + k x 15 min, +A 1000 + 7k, -A 3k. */
static void capture(uint32_t from, uint32_t n)
{
    for (uint32_t k = from; k < from + n; k++) {
        int64_t v[2] = {1000 + 7 * (int64_t)k, 3 * (int64_t)k};
        cr_assert_eq(mtr_profile_capture(lp1(), T0 + (mtr_utc_t)k * Q, (uint8_t)(k % 3 == 0 ? 0x08 : 0), v, 2),
                     MTR_OK);
    }
}

/* GET with selective access; follows blocks. @return the data-access-result, the value in R->val. */
static int get_sel(uint16_t cls, const uint8_t obis[6], uint8_t attr, uint8_t selector, const uint8_t *sel,
                   size_t sel_len)
{
    static uint8_t req[600], resp[MTR_CFG_DLMS_MAX_APDU + 64];
    size_t n = cl_get(R->iid, cls, obis, attr, selector, sel, sel_len, req);
    uint32_t expect = 1;

    R->val_len = 0;
    R->blocks = 0;
    n = cosem_rig_xfer(R, req, n, resp, sizeof resp);
    for (;;) {
        cr_assert_geq(n, 4);
        cr_assert_eq(resp[0], 0xC4, "GET-response, got %02X", resp[0]);
        if (resp[1] == 1) {
            if (resp[3] == 1) {
                return resp[4];
            }
            memcpy(R->val, resp + 4, n - 4);
            R->val_len = n - 4;
            return 0;
        }
        cr_assert_eq(resp[1], 2, "GET-response-with-datablock");
        cr_assert_eq(be(resp + 4, 4), expect, "block number");
        R->blocks++;
        if (resp[8] == 1) {
            return resp[9];
        }
        const uint8_t *p = resp + 9;
        size_t raw = cl_len(&p, resp + n);
        cr_assert_leq(R->val_len + raw, sizeof R->val);
        memcpy(R->val + R->val_len, p, raw);
        R->val_len += raw;
        if (resp[3] == 1) {
            return 0;
        }
        n = cosem_rig_xfer(R, req, cl_get_next(R->iid, expect++, req), resp, sizeof resp);
    }
}

/* ------------------------------------------------------------ access parameters */

static size_t entry_sel(uint8_t *b, uint32_t from, uint32_t to, uint16_t from_col, uint16_t to_col)
{
    const uint8_t s[18] = {0x02, 0x04, 0x06, (uint8_t)(from >> 24), (uint8_t)(from >> 16), (uint8_t)(from >> 8),
                           (uint8_t)from, 0x06, (uint8_t)(to >> 24), (uint8_t)(to >> 16), (uint8_t)(to >> 8),
                           (uint8_t)to, 0x12, (uint8_t)(from_col >> 8), (uint8_t)from_col, 0x12,
                           (uint8_t)(to_col >> 8), (uint8_t)to_col};
    memcpy(b, s, sizeof s);
    return sizeof s;
}

static size_t put_def(uint8_t *b, uint16_t cls, const uint8_t obis[6], int8_t attr)
{
    const uint8_t d[18] = {0x02, 0x04, 0x12, (uint8_t)(cls >> 8), (uint8_t)cls, 0x09, 0x06, obis[0], obis[1],
                           obis[2], obis[3], obis[4], obis[5], 0x0F, (uint8_t)attr, 0x12, 0x00, 0x00};
    memcpy(b, d, sizeof d);
    return sizeof d;
}

static const uint8_t OB_CLK[6] = {0, 0, 1, 0, 0, 255};
static const uint8_t OB_APLUS[6] = {1, 0, 1, 8, 0, 255};
static const uint8_t OB_AMINUS[6] = {1, 0, 2, 8, 0, 255};

/* Date-time of @p utc: UTC, deviation 0 (the rig's clock: zone 0, no DST). */
static size_t put_time(uint8_t *b, mtr_utc_t utc)
{
    int32_t y;
    uint8_t mo, d;
    int32_t days = (int32_t)(utc / 86400), sod = (int32_t)(utc % 86400);
    mtr_civil_from_days(days, &y, &mo, &d);
    const uint8_t t[14] = {0x09, 0x0C, (uint8_t)(y >> 8), (uint8_t)y, mo, d, 0xFF, (uint8_t)(sod / 3600),
                           (uint8_t)(sod / 60 % 60), (uint8_t)(sod % 60), 0x00, 0x00, 0x00, 0x00};
    memcpy(b, t, sizeof t);
    return sizeof t;
}

/* range_descriptor on the clock column, with @p n selected values of (class, obis, attr). */
static size_t range_sel(uint8_t *b, mtr_utc_t from, mtr_utc_t to, unsigned n, const uint16_t *cls,
                        const uint8_t (*obis)[6], const int8_t *attr)
{
    size_t k = 0;
    b[k++] = 0x02;
    b[k++] = 0x04;
    k += put_def(b + k, 8, OB_CLK, 2);
    k += put_time(b + k, from);
    k += put_time(b + k, to);
    b[k++] = 0x01;
    b[k++] = (uint8_t)n;
    for (unsigned i = 0; i < n; i++) {
        k += put_def(b + k, cls[i], obis[i], attr[i]);
    }
    return k;
}

/* ------------------------------------------------------------ comparison */

/* The entries in R->val (an array of structures) against the engine's selection. */
static uint32_t compare_with_engine(const struct mtr_profile_sel *sel, uint64_t cols)
{
    struct mtr_dlms_axdr_reader rd;
    struct mtr_dlms_axdr_token t;
    const uint8_t *p = R->val, *end = R->val + R->val_len;
    struct mtr_profile_cursor cur;
    struct mtr_profile_entry e;
    uint32_t count, n = 0;
    uint16_t first, last;
    uint8_t ncols;
    const struct mtr_profile_column *c = mtr_profile_columns(lp1(), &ncols);

    cr_assert_eq(mtr_profile_select(lp1(), sel, &cur, &count), MTR_OK);
    cr_assert_eq(mtr_profile_sel_columns(lp1(), sel, &first, &last), MTR_OK);
    mtr_dlms_axdr_reader_init(&rd);
    cr_assert_eq(mtr_dlms_axdr_next(&rd, &p, end, &t), MTR_OK);
    cr_assert_eq(t.tag, MTR_DLMS_ARRAY);
    cr_assert_eq(t.count, count, "array of %u entries, the engine selects %u", t.count, count);
    while (mtr_profile_next(lp1(), sel, &cur, &e) == MTR_OK) {
        unsigned vi = 0, items = 0;
        for (unsigned k = 0; k < ncols; k++) {
            items += (cols >> k) & 1u;
        }
        cr_assert_eq(mtr_dlms_axdr_next(&rd, &p, end, &t), MTR_OK);
        cr_assert(t.tag == MTR_DLMS_STRUCTURE && t.count == items, "entry %u: structure of %u", n, items);
        for (unsigned k = first - 1u; k < last; k++) {
            bool sent = (cols >> k) & 1u;
            int64_t v = 0;
            if (c[k].kind == MTR_PROFILE_COL_VALUE) {
                v = e.v[vi++];
            }
            if (!sent) {
                continue;
            }
            cr_assert_eq(mtr_dlms_axdr_next(&rd, &p, end, &t), MTR_OK);
            if (c[k].kind == MTR_PROFILE_COL_CLOCK) {
                cr_assert(t.tag == MTR_DLMS_OCTET_STRING && t.count == 12);
                int32_t days = mtr_civil_days((int32_t)be(t.value, 2), t.value[2], t.value[3]);
                mtr_utc_t utc = (mtr_utc_t)days * 86400 + t.value[5] * 3600 + t.value[6] * 60 + t.value[7];
                cr_assert_eq(utc, e.utc, "entry %u: capture time", n);
            } else if (c[k].kind == MTR_PROFILE_COL_STATUS) {
                uint64_t u;
                cr_assert_eq(t.tag, MTR_DLMS_UNSIGNED);
                cr_assert_eq(mtr_dlms_axdr_get_uint(&t, &u), MTR_OK);
                cr_assert_eq(u, e.status, "entry %u: status", n);
            } else {
                uint64_t u;
                cr_assert_eq(t.tag, MTR_DLMS_LONG64_UNSIGNED);
                cr_assert_eq(mtr_dlms_axdr_get_uint(&t, &u), MTR_OK);
                cr_assert_eq((int64_t)u, v, "entry %u column %u", n, k + 1);
            }
        }
        n++;
    }
    cr_assert(mtr_dlms_axdr_done(&rd) && p == end, "nothing after the entries");
    cr_assert_eq(n, count);
    return n;
}

static uint32_t array_count(void)
{
    const uint8_t *p = R->val;
    cr_assert_geq(R->val_len, 2);
    cr_assert_eq(R->val[0], MTR_DLMS_ARRAY);
    p++;
    return (uint32_t)cl_len(&p, R->val + R->val_len);
}

static const struct mtr_profile_sel ALL = {.by = MTR_PROFILE_ALL};

/* ================================================================ reading */

Test(cosem_control2, an_empty_profile_gives_an_empty_array, .init = setup, .fini = teardown)
{
    uint8_t s[64];
    cr_assert_eq(get_sel(7, OB_LP1, 2, 0, NULL, 0), 0);
    cr_assert(R->val_len == 2 && R->val[0] == MTR_DLMS_ARRAY && R->val[1] == 0);
    cr_assert_eq(get_sel(7, OB_LP1, 2, 2, s, entry_sel(s, 1, 0, 1, 0)), 0);
    cr_assert_eq(array_count(), 0);
    cr_assert_eq(get_sel(7, OB_LP1, 2, 1, s, range_sel(s, T0, T0 + 86400, 0, NULL, NULL, NULL)), 0);
    cr_assert_eq(array_count(), 0);
    cr_assert_eq(cosem_rig_get(R, 7, OB_LP1, 7), 0);
    cr_assert(R->val_len == 5 && be(R->val + 1, 4) == 0, "entries_in_use 0");
}

Test(cosem_control2, a_day_of_quarter_hours_in_blocks_entry_by_entry, .init = setup, .fini = teardown)
{
    capture(0, 96);
    cr_assert_eq(get_sel(7, OB_LP1, 2, 0, NULL, 0), 0);
    cr_assert_gt(R->blocks, 1, "96 entries do not fit one PDU: %u blocks", R->blocks);
    cr_assert_eq(compare_with_engine(&ALL, 0xF), 96);
    cr_assert_eq(cosem_rig_get(R, 7, OB_LP1, 7), 0);
    cr_assert_eq(be(R->val + 1, 4), 96);
    cr_assert_eq(cosem_rig_get(R, 7, OB_LP1, 8), 0);
    cr_assert_eq(be(R->val + 1, 4), LP1_CAPACITY);
}

Test(cosem_control2, by_range_inside_beyond_and_one_entry, .init = setup, .fini = teardown)
{
    uint8_t s[96];
    struct mtr_profile_sel sel = {.by = MTR_PROFILE_RANGE};
    capture(0, 96);

    sel.from = T0 + 10 * 3600;
    sel.to = T0 + 12 * 3600;
    cr_assert_eq(get_sel(7, OB_LP1, 2, 1, s, range_sel(s, sel.from, sel.to, 0, NULL, NULL, NULL)), 0);
    cr_assert_eq(compare_with_engine(&sel, 0xF), 9, "10:00 .. 12:00 inclusive");

    sel.from = sel.to = T0 + 5 * Q;
    cr_assert_eq(get_sel(7, OB_LP1, 2, 1, s, range_sel(s, sel.from, sel.to, 0, NULL, NULL, NULL)), 0);
    cr_assert_eq(compare_with_engine(&sel, 0xF), 1, "one entry");

    cr_assert_eq(get_sel(7, OB_LP1, 2, 1, s, range_sel(s, T0 + 5 * Q + 1, T0 + 6 * Q - 1, 0, NULL, NULL, NULL)), 0);
    cr_assert_eq(array_count(), 0, "between two entries");
    cr_assert_eq(get_sel(7, OB_LP1, 2, 1, s, range_sel(s, T0 + 86400, T0 + 2 * 86400, 0, NULL, NULL, NULL)), 0);
    cr_assert_eq(array_count(), 0, "beyond the newest");
    cr_assert_eq(get_sel(7, OB_LP1, 2, 1, s, range_sel(s, T0 - 86400, T0 - 1, 0, NULL, NULL, NULL)), 0);
    cr_assert_eq(array_count(), 0, "before the oldest");

    sel.from = T0 - 86400;
    sel.to = T0 + 2 * 86400;
    cr_assert_eq(get_sel(7, OB_LP1, 2, 1, s, range_sel(s, sel.from, sel.to, 0, NULL, NULL, NULL)), 0);
    cr_assert_eq(compare_with_engine(&sel, 0xF), 96, "around everything");
}

Test(cosem_control2, by_entry_at_the_edges, .init = setup, .fini = teardown)
{
    uint8_t s[32];
    struct mtr_profile_sel sel = {.by = MTR_PROFILE_ENTRY};
    capture(0, 96);

    sel.from_entry = 1, sel.to_entry = 1;
    cr_assert_eq(get_sel(7, OB_LP1, 2, 2, s, entry_sel(s, 1, 1, 1, 0)), 0);
    cr_assert_eq(compare_with_engine(&sel, 0xF), 1, "the oldest");
    sel.from_entry = 96, sel.to_entry = 0;
    cr_assert_eq(get_sel(7, OB_LP1, 2, 2, s, entry_sel(s, 96, 0, 1, 0)), 0);
    cr_assert_eq(compare_with_engine(&sel, 0xF), 1, "the newest");
    sel.from_entry = 50, sel.to_entry = 60;
    cr_assert_eq(get_sel(7, OB_LP1, 2, 2, s, entry_sel(s, 50, 60, 1, 0)), 0);
    cr_assert_eq(compare_with_engine(&sel, 0xF), 11);
    sel.from_entry = 90, sel.to_entry = 200;
    cr_assert_eq(get_sel(7, OB_LP1, 2, 2, s, entry_sel(s, 90, 200, 1, 0)), 0);
    cr_assert_eq(compare_with_engine(&sel, 0xF), 7, "cut at the newest");
    cr_assert_eq(get_sel(7, OB_LP1, 2, 2, s, entry_sel(s, 97, 0, 1, 0)), 0);
    cr_assert_eq(array_count(), 0, "beyond the newest");
}

Test(cosem_control2, column_subsets, .init = setup, .fini = teardown)
{
    uint8_t s[96];
    capture(0, 20);

    struct mtr_profile_sel sel = {.by = MTR_PROFILE_ENTRY, .from_entry = 3, .to_entry = 8, .from_col = 3,
                                  .to_col = 4};
    cr_assert_eq(get_sel(7, OB_LP1, 2, 2, s, entry_sel(s, 3, 8, 3, 4)), 0);
    cr_assert_eq(compare_with_engine(&sel, 0xC), 6, "+A and -A only");

    sel = (struct mtr_profile_sel){.by = MTR_PROFILE_ENTRY, .from_entry = 1, .to_entry = 0, .from_col = 2,
                                   .to_col = 2};
    cr_assert_eq(get_sel(7, OB_LP1, 2, 2, s, entry_sel(s, 1, 0, 2, 2)), 0);
    cr_assert_eq(compare_with_engine(&sel, 0x2), 20, "the status column only");

    /* range with selected values clock and -A (not adjacent) */
    const uint16_t cls[2] = {8, 3};
    const uint8_t obis[2][6] = {{0, 0, 1, 0, 0, 255}, {1, 0, 2, 8, 0, 255}};
    const int8_t attr[2] = {2, 2};
    sel = (struct mtr_profile_sel){.by = MTR_PROFILE_RANGE, .from = T0, .to = T0 + 4 * Q, .from_col = 1,
                                   .to_col = 4};
    cr_assert_eq(get_sel(7, OB_LP1, 2, 1, s, range_sel(s, sel.from, sel.to, 2, cls, obis, attr)), 0);
    cr_assert_eq(compare_with_engine(&sel, 0x9), 5, "clock and -A");
    /* the same listed the other way round: columns come in capture order */
    const uint16_t cls2[2] = {3, 8};
    const uint8_t obis2[2][6] = {{1, 0, 2, 8, 0, 255}, {0, 0, 1, 0, 0, 255}};
    cr_assert_eq(get_sel(7, OB_LP1, 2, 1, s, range_sel(s, sel.from, sel.to, 2, cls2, obis2, attr)), 0);
    cr_assert_eq(compare_with_engine(&sel, 0x9), 5);
}

Test(cosem_control2, a_wrapped_fifo_keeps_the_newest, .init = setup, .fini = teardown)
{
    uint8_t s[32];
    capture(0, 150);
    cr_assert_eq(mtr_profile_entries_in_use(lp1()), LP1_CAPACITY);
    cr_assert_eq(get_sel(7, OB_LP1, 2, 0, NULL, 0), 0);
    cr_assert_eq(compare_with_engine(&ALL, 0xF), LP1_CAPACITY);
    /* entry 1 is now capture 30 (the 31st) */
    struct mtr_profile_sel sel = {.by = MTR_PROFILE_ENTRY, .from_entry = 1, .to_entry = 1};
    cr_assert_eq(get_sel(7, OB_LP1, 2, 2, s, entry_sel(s, 1, 1, 3, 3)), 0);
    sel.from_col = sel.to_col = 3;
    cr_assert_eq(compare_with_engine(&sel, 0x4), 1);
    cr_assert(R->val_len == 2 + 2 + 9 && R->val[4] == MTR_DLMS_LONG64_UNSIGNED);
    cr_assert_eq(be(R->val + 5, 8), 1000 + 7 * 30, "the oldest kept");
}

Test(cosem_control2, bad_selectors_are_refused_and_change_nothing, .init = setup, .fini = teardown)
{
    uint8_t s[128];
    size_t n;
    capture(0, 10);
    struct mtr_profile before = *lp1();

    cr_assert_eq(get_sel(7, OB_LP1, 2, 3, s, entry_sel(s, 1, 0, 1, 0)), MTR_DLMS_DAR_SCOPE_VIOLATED, "selector 3");
    cr_assert_eq(get_sel(7, OB_LP1, 2, 2, s, entry_sel(s, 0, 0, 1, 0)), MTR_DLMS_DAR_SCOPE_VIOLATED, "entry 0");
    cr_assert_eq(get_sel(7, OB_LP1, 2, 2, s, entry_sel(s, 5, 4, 1, 0)), MTR_DLMS_DAR_SCOPE_VIOLATED, "to < from");
    cr_assert_eq(get_sel(7, OB_LP1, 2, 2, s, entry_sel(s, 1, 0, 0, 0)), MTR_DLMS_DAR_SCOPE_VIOLATED, "column 0");
    cr_assert_eq(get_sel(7, OB_LP1, 2, 2, s, entry_sel(s, 1, 0, 1, 5)), MTR_DLMS_DAR_SCOPE_VIOLATED, "column 5");
    cr_assert_eq(get_sel(7, OB_LP1, 2, 2, s, entry_sel(s, 1, 0, 3, 2)), MTR_DLMS_DAR_SCOPE_VIOLATED, "reversed");
    n = entry_sel(s, 1, 0, 1, 0);
    s[1] = 3;
    cr_assert_eq(get_sel(7, OB_LP1, 2, 2, s, n - 3), MTR_DLMS_DAR_TYPE_UNMATCHED, "structure of 3");
    n = entry_sel(s, 1, 0, 1, 0);
    s[2] = MTR_DLMS_DOUBLE_LONG;
    cr_assert_eq(get_sel(7, OB_LP1, 2, 2, s, n), MTR_DLMS_DAR_TYPE_UNMATCHED, "from_entry signed");
    cr_assert_eq(get_sel(7, OB_LP1, 2, 2, (const uint8_t[]){0x11, 0x01}, 2), MTR_DLMS_DAR_TYPE_UNMATCHED,
                 "not a structure");

    /* range: restricting object not the clock, reversed times, a column the profile lacks, twice */
    n = range_sel(s, T0, T0 + Q, 0, NULL, NULL, NULL);
    s[5] = 0; /* restricting object: class 3, +A */
    s[6] = 3;
    memcpy(s + 9, OB_APLUS, 6);
    cr_assert_eq(get_sel(7, OB_LP1, 2, 1, s, n), MTR_DLMS_DAR_SCOPE_VIOLATED, "restricting object +A");
    cr_assert_eq(get_sel(7, OB_LP1, 2, 1, s, range_sel(s, T0 + Q, T0, 0, NULL, NULL, NULL)),
                 MTR_DLMS_DAR_SCOPE_VIOLATED, "to < from");
    const uint16_t cls[2] = {3, 3};
    const uint8_t unknown[2][6] = {{1, 0, 3, 8, 0, 255}, {1, 0, 3, 8, 0, 255}};
    const uint8_t twice[2][6] = {{1, 0, 2, 8, 0, 255}, {1, 0, 2, 8, 0, 255}};
    const int8_t attr[2] = {2, 2};
    cr_assert_eq(get_sel(7, OB_LP1, 2, 1, s, range_sel(s, T0, T0 + Q, 1, cls, unknown, attr)),
                 MTR_DLMS_DAR_SCOPE_VIOLATED, "+R is not captured");
    cr_assert_eq(get_sel(7, OB_LP1, 2, 1, s, range_sel(s, T0, T0 + Q, 2, cls, twice, attr)),
                 MTR_DLMS_DAR_SCOPE_VIOLATED, "-A twice");
    n = range_sel(s, T0, T0 + Q, 0, NULL, NULL, NULL);
    s[24] = 13; /* from_value: month 13 */
    cr_assert_eq(get_sel(7, OB_LP1, 2, 1, s, n), MTR_DLMS_DAR_SCOPE_VIOLATED, "not a date");
    n = range_sel(s, T0, T0 + Q, 0, NULL, NULL, NULL);
    s[20] = MTR_DLMS_VISIBLE_STRING;
    cr_assert_eq(get_sel(7, OB_LP1, 2, 1, s, n), MTR_DLMS_DAR_TYPE_UNMATCHED, "from_value a visible-string");
    cr_assert_eq(get_sel(7, OB_LP1, 7, 2, s, entry_sel(s, 1, 0, 1, 0)), MTR_DLMS_DAR_SCOPE_VIOLATED,
                 "selective access on entries_in_use");

    cr_assert_eq(memcmp(&before, lp1(), sizeof before), 0, "the profile is unchanged");
    cr_assert_eq(get_sel(7, OB_LP1, 2, 0, NULL, 0), 0);
    cr_assert_eq(compare_with_engine(&ALL, 0xF), 10);
}

/* ================================================================ other attributes, methods */

Test(cosem_control2, capture_objects_and_period, .init = setup, .fini = teardown)
{
    const uint8_t p900[5] = {MTR_DLMS_DOUBLE_LONG_UNSIGNED, 0, 0, 0x03, 0x84};
    const uint8_t p1000[5] = {MTR_DLMS_DOUBLE_LONG_UNSIGNED, 0, 0, 0x03, 0xE8};
    const uint8_t p3600[5] = {MTR_DLMS_DOUBLE_LONG_UNSIGNED, 0, 0, 0x0E, 0x10};
    uint8_t def[18];
    cr_assert_eq(cosem_rig_get(R, 7, OB_LP1, 3), 0);
    cr_assert(R->val[0] == MTR_DLMS_ARRAY && R->val[1] == 4);
    put_def(def, 8, OB_CLK, 2);
    cr_assert_eq(memcmp(R->val + 2, def, 18), 0, "column 1: the clock");
    put_def(def, 3, OB_AMINUS, 2);
    cr_assert_eq(memcmp(R->val + 2 + 3 * 18, def, 18), 0, "column 4: -A");
    cr_assert_eq(cosem_rig_get(R, 7, OB_LP1, 4), 0);
    cr_assert(R->val_len == 5 && memcmp(R->val, p900, 5) == 0);
    cr_assert_eq(cosem_rig_get(R, 7, OB_LP1, 5), 0);
    cr_assert(R->val_len == 2 && R->val[0] == MTR_DLMS_ENUM && R->val[1] == MTR_PROFILE_SORT_FIFO);

    cr_assert_eq(cosem_rig_set(R, 7, OB_LP1, 4, p3600, 5), MTR_DLMS_DAR_READ_WRITE_DENIED, "level 1");
    cosem_rig_assoc(R, L3);
    cr_assert_eq(cosem_rig_set(R, 7, OB_LP1, 4, p1000, 5), MTR_DLMS_DAR_OTHER, "not an allowed period");
    cr_assert_eq(mtr_profile_capture_period(lp1()), 900);
    cr_assert_eq(cosem_rig_set(R, 7, OB_LP1, 4, p3600, 5), 0);
    cr_assert_eq(mtr_profile_capture_period(lp1()), 3600);
    cr_assert_eq(cosem_rig_get(R, 7, OB_LP1, 4), 0);
    cr_assert(R->val_len == 5 && memcmp(R->val, p3600, 5) == 0);
}

Test(cosem_control2, reset_empties_the_profile_and_logs_it, .init = setup, .fini = teardown)
{
    capture(0, 10);
    cosem_rig_assoc(R, L3);
    cr_assert_eq(cosem_rig_action(R, 7, OB_LP1, 1, INT0, sizeof INT0), MTR_DLMS_DAR_READ_WRITE_DENIED);
    cr_assert_eq(mtr_profile_entries_in_use(lp1()), 10);
    cosem_rig_assoc(R, MGMT);
    cr_assert_eq(cosem_rig_action(R, 7, OB_LP1, 1, INT0, sizeof INT0), 0);
    cr_assert_eq(mtr_profile_entries_in_use(lp1()), 0);
    cr_assert_eq(get_sel(7, OB_LP1, 2, 0, NULL, 0), 0);
    cr_assert_eq(array_count(), 0);
#if MTR_WITH_EVENTS
    uint16_t row;
    cr_assert_eq(mtr_events_find(254, "Load profile 1 cleared", &row), MTR_OK);
    cr_assert_eq(mtr_events_code_count(&ctl(R)->ev, row), 1);
#endif
    capture(20, 3);
    cr_assert_eq(get_sel(7, OB_LP1, 2, 0, NULL, 0), 0);
    cr_assert_eq(compare_with_engine(&ALL, 0xF), 3, "new captures after the reset");
}

Test(cosem_control2, capture_takes_the_meters_values, .init = setup, .fini = teardown)
{
    int64_t aplus;
    cosem_rig_assoc(R, MGMT);
    cr_assert_eq(cosem_rig_get(R, 3, OB_APLUS, 2), 0);
    cr_assert_eq(R->val[0], MTR_DLMS_LONG64_UNSIGNED);
    aplus = (int64_t)be(R->val + 1, 8);
    cr_assert_eq(cosem_rig_action(R, 7, OB_LP1, 2, INT0, sizeof INT0), 0);
    cr_assert_eq(mtr_profile_entries_in_use(lp1()), 1);
    struct mtr_profile_cursor cur;
    struct mtr_profile_entry e;
    uint32_t count;
    cr_assert_eq(mtr_profile_select(lp1(), &ALL, &cur, &count), MTR_OK);
    cr_assert_eq(mtr_profile_next(lp1(), &ALL, &cur, &e), MTR_OK);
    cr_assert_eq(e.v[0], aplus, "+A as the register reads it");
    cr_assert_eq(e.utc, R->sim.utc);
}

#if MTR_WITH_EVENTS

Test(cosem_control2, an_event_log_reads_and_clears, .init = setup, .fini = teardown)
{
    static const uint8_t OB_DCLOG[6] = {0, 0, 99, 98, 2, 255};
    struct mtr_events *ev = &ctl(R)->ev;
    cr_assert_eq(mtr_events_raise(ev, 62, NULL, T0 + 60, 0), MTR_OK);
    cr_assert_eq(mtr_events_raise(ev, 63, NULL, T0 + 120, 0), MTR_OK);
    cr_assert_eq(get_sel(7, OB_DCLOG, 2, 0, NULL, 0), 0);
    cr_assert_eq(array_count(), 2);
    cr_assert_eq(cosem_rig_get(R, 7, OB_DCLOG, 7), 0);
    cr_assert_eq(be(R->val + 1, 4), 2);
    cr_assert_eq(cosem_rig_set(R, 7, OB_DCLOG, 4, (const uint8_t[]){6, 0, 0, 0, 0}, 5),
                 MTR_DLMS_DAR_READ_WRITE_DENIED);
    cosem_rig_assoc(R, MGMT);
    cr_assert_eq(cosem_rig_action(R, 7, OB_DCLOG, 2, INT0, sizeof INT0), MTR_DLMS_DAR_READ_WRITE_DENIED,
                 "a log captures its events only");
    cr_assert_eq(cosem_rig_action(R, 7, OB_DCLOG, 1, INT0, sizeof INT0), 0);
    cr_assert_eq(get_sel(7, OB_DCLOG, 2, 0, NULL, 0), 0);
    cr_assert_eq(array_count(), 1, "\"Event log cleared\" first");
    /* {clock, code}: the code is 255 */
    cr_assert_eq(R->val[2], MTR_DLMS_STRUCTURE);
    const uint8_t *p = R->val + 2 + 2 + 14;
    uint64_t code = p[0] == MTR_DLMS_LONG_UNSIGNED ? be(p + 1, 2) : p[0] == MTR_DLMS_UNSIGNED ? p[1] : be(p + 1, 8);
    cr_assert_eq(code, 255);
}

#endif

#endif /* MTR_WITH_PROFILE */
