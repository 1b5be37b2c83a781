/* SPDX-License-Identifier: Apache-2.0 */
/* The clock object (class 8) on the clock engine. */
#include <criterion/criterion.h>
#include <string.h>

#include "cosem_rig.h"
#include "cosem_value.h"

#define T0 ((mtr_utc_t)1709251200) /* 2024-03-01T00:00:00Z, a Friday */

static const uint8_t CLOCK[6] = {0, 0, 1, 0, 0, 255};

static mtr_utc_t now(struct cosem_rig *r)
{
    struct mtr_clock_view v;
    cr_assert_eq(mtr_clock_now(&r->clk, &v), MTR_OK);
    return v.utc;
}

static int set_time(struct cosem_rig *r, const uint8_t dt[12])
{
    struct cosem_val v;
    cv_reset(&v);
    cv_bytes(&v, MTR_DLMS_OCTET_STRING, dt, 12);
    return cosem_rig_set(r, 8, CLOCK, 2, v.b, v.n);
}

Test(cosem_clock, time_reads_the_clock)
{
    struct cosem_rig *r = cosem_rig_new(T0);
    cosem_rig_assoc(r, MTR_COSEM_ROLE_PUBLIC);
    cr_assert_eq(cosem_rig_get(r, 8, CLOCK, 2), 0);
    cr_assert_eq(r->val_len, 14);
    cr_assert(r->val[0] == MTR_DLMS_OCTET_STRING && r->val[1] == 12);
    struct mtr_dlms_datetime d;
    cr_assert_eq(mtr_dlms_datetime_decode(r->val + 2, &d), MTR_OK);
    cr_expect(d.year == 2024 && d.month == 3 && d.day == 1 && d.dow == 5 && d.hour == 0 && d.minute == 0 &&
              d.second == 2 && d.deviation == 0 && d.status == 0, "2024-03-01 Fri 00:00:02, deviation 0");
    cr_assert_eq(cosem_rig_get(r, 8, CLOCK, 9), 0);
    cr_expect_eq(val_uint(r, MTR_DLMS_ENUM), 1, "internal crystal");
    cosem_rig_free(r);
}

Test(cosem_clock, level1_sets_the_time_public_cannot)
{
    struct cosem_rig *r = cosem_rig_new(T0);
    uint8_t dt[12];
    dt_bytes(dt, 2030, 6, 15, 12, 0, 0, 0);
    cosem_rig_assoc(r, MTR_COSEM_ROLE_PUBLIC);
    cr_assert_eq(set_time(r, dt), MTR_DLMS_DAR_READ_WRITE_DENIED);
    cr_assert_lt(now(r), T0 + 10);
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL1);
    cr_assert_eq(set_time(r, dt), 0);
    cr_assert_eq(now(r), (mtr_utc_t)1907755200, "2030-06-15T12:00:00Z");
    cr_expect_eq(cosem_rig_count(r, MTR_CLOCK_EV_ADJUSTED_NEW), 1, "clock adjusted event");
    /* a deviation of -120 (local = UTC + 2 h) */
    dt_bytes(dt, 2030, 6, 15, 14, 0, 30, -120);
    cr_assert_eq(set_time(r, dt), 0);
    cr_assert_eq(now(r), (mtr_utc_t)1907755230);
    cosem_rig_free(r);
}

Test(cosem_clock, a_refused_time_changes_nothing)
{
    struct cosem_rig *r = cosem_rig_new(T0);
    static struct mtr_clock before;
    uint8_t dt[12];
    cosem_rig_assoc(r, MTR_COSEM_ROLE_MANAGEMENT);
    memcpy(&before, &r->clk, sizeof before);
    dt_bytes(dt, 2030, 2, 30, 12, 0, 0, 0); /* no 30th of February */
    cr_assert_neq(set_time(r, dt), 0);
    dt_bytes(dt, 2030, 2, 3, 24, 0, 0, 0);
    cr_assert_neq(set_time(r, dt), 0);
    dt_bytes(dt, 2250, 1, 1, 0, 0, 0, 0); /* past the range of the clock */
    cr_assert_neq(set_time(r, dt), 0);
    cr_assert_neq(cosem_rig_set(r, 8, CLOCK, 2, (const uint8_t[]){0x12, 0x00, 0x01}, 3), 0, "wrong type");
    cr_assert(memcmp(&before, &r->clk, sizeof before) == 0, "clock unchanged");
    cr_assert_lt(now(r), T0 + 10);
    cosem_rig_free(r);
}

Test(cosem_clock, time_zone_is_a_level3_setting)
{
    struct cosem_rig *r = cosem_rig_new(T0);
    static struct mtr_clock before;
    int16_t tz;
    struct mtr_dst_config dst;
    const uint8_t cet[3] = {MTR_DLMS_LONG, 0xFF, 0xC4}; /* -60 */
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL2);
    cr_assert_eq(cosem_rig_set(r, 8, CLOCK, 3, cet, 3), MTR_DLMS_DAR_READ_WRITE_DENIED);
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL3);
    memcpy(&before, &r->clk, sizeof before);
    cr_assert_neq(cosem_rig_set(r, 8, CLOCK, 3, (const uint8_t[]){MTR_DLMS_LONG, 0x07, 0xD0}, 3), 0, "2000 min");
    cr_assert(memcmp(&before, &r->clk, sizeof before) == 0);
    uint32_t commits = r->meter.wire.w.calendar_commits;
    cr_assert_eq(cosem_rig_set(r, 8, CLOCK, 3, cet, 3), 0);
    mtr_clock_settings(&r->clk, &tz, &dst);
    cr_assert_eq(tz, -60);
    cr_assert_eq(cosem_rig_get(r, 8, CLOCK, 3), 0);
    cr_assert_eq(val_int(r, MTR_DLMS_LONG), -60);
    /* local time now carries the zone: 01:00 with deviation -60 */
    cr_assert_eq(cosem_rig_get(r, 8, CLOCK, 2), 0);
    cr_expect(r->val[7] == 1 && r->val[11] == 0xFF && r->val[12] == 0xC4, "01:00, deviation -60");
    /* the aggregate persists the settings at its next step */
    cosem_rig_run(r, 2000, 1000);
    struct mtr_meter_wiring w;
    mtr_meter_wiring(&r->meter, &w);
    cr_expect_gt(w.calendar_commits, commits, "clock settings committed");
    cosem_rig_free(r);
}

Test(cosem_clock, dst_rule_round_trip)
{
    struct cosem_rig *r = cosem_rig_new(T0);
    struct cosem_val v;
    struct mtr_dst_config dst, eu;
    int16_t tz;
    /* EU rule: last Sunday of March / October, 01:00 UTC (Directive 2000/84/EC) */
    const uint8_t begin[12] = {0xFF, 0xFF, 3, 0xFE, 7, 1, 0, 0, 0xFF, 0x00, 0x00, 0xFF};
    const uint8_t end[12] = {0xFF, 0xFF, 10, 0xFE, 7, 1, 0, 0, 0xFF, 0x00, 0x00, 0xFF};
    cosem_rig_assoc(r, MTR_COSEM_ROLE_MANAGEMENT);
    cv_reset(&v);
    cv_bytes(&v, MTR_DLMS_OCTET_STRING, begin, 12);
    /* no rule yet: the first end written takes the other from the EU rule */
    cr_assert_eq(cosem_rig_set(r, 8, CLOCK, 5, v.b, v.n), 0);
    mtr_clock_settings(&r->clk, &tz, &dst);
    cr_assert_eq(dst.kind, MTR_DST_RULE);
    cr_assert(!dst.enabled, "still disabled");
    cv_reset(&v);
    cv_bytes(&v, MTR_DLMS_OCTET_STRING, end, 12);
    cr_assert_eq(cosem_rig_set(r, 8, CLOCK, 6, v.b, v.n), 0);
    cr_assert_eq(cosem_rig_set(r, 8, CLOCK, 8, (const uint8_t[]){MTR_DLMS_BOOLEAN, 1}, 2), 0);
    cr_assert_eq(cosem_rig_set(r, 8, CLOCK, 7, (const uint8_t[]){MTR_DLMS_INTEGER, 60}, 2), 0);
    mtr_clock_settings(&r->clk, &tz, &dst);
    mtr_dst_eu(&eu);
    cr_assert_eq(dst.kind, MTR_DST_RULE);
    cr_assert(dst.enabled);
    cr_assert_eq(dst.deviation_min, 60);
    cr_assert(memcmp(&dst.begin, &eu.begin, sizeof eu.begin) == 0, "begin = EU rule");
    cr_assert(memcmp(&dst.end, &eu.end, sizeof eu.end) == 0, "end = EU rule");
    cr_assert_eq(cosem_rig_get(r, 8, CLOCK, 5), 0);
    cr_assert(r->val_len == 14 && memcmp(r->val + 2, begin, 12) == 0, "begin reads back");
    cr_assert_eq(cosem_rig_get(r, 8, CLOCK, 6), 0);
    cr_assert(r->val_len == 14 && memcmp(r->val + 2, end, 12) == 0, "end reads back");
    /* the second Sunday at 02:00 local wall time (US style) */
    const uint8_t second[12] = {0xFF, 0xFF, 3, 8, 7, 2, 0, 0, 0xFF, 0x80, 0x00, 0xFF};
    cv_reset(&v);
    cv_bytes(&v, MTR_DLMS_OCTET_STRING, second, 12);
    cr_assert_eq(cosem_rig_set(r, 8, CLOCK, 5, v.b, v.n), 0);
    mtr_clock_settings(&r->clk, &tz, &dst);
    cr_assert(dst.begin.week == 2 && dst.begin.base == MTR_DST_AT_WALL && dst.begin.minute == 120);
    /* a day that is no week start is refused, nothing changes */
    static struct mtr_clock before;
    memcpy(&before, &r->clk, sizeof before);
    const uint8_t bad[12] = {0xFF, 0xFF, 3, 9, 7, 2, 0, 0, 0xFF, 0x80, 0x00, 0xFF};
    cv_reset(&v);
    cv_bytes(&v, MTR_DLMS_OCTET_STRING, bad, 12);
    cr_assert_neq(cosem_rig_set(r, 8, CLOCK, 5, v.b, v.n), 0);
    cr_assert(memcmp(&before, &r->clk, sizeof before) == 0);
    cosem_rig_free(r);
}

Test(cosem_clock, shift_and_adjust_methods)
{
    struct cosem_rig *r = cosem_rig_new(T0);
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL1);
    mtr_utc_t t = now(r);
    cr_assert_eq(cosem_rig_action(r, 8, CLOCK, 6, (const uint8_t[]){MTR_DLMS_LONG, 0x00, 0x05}, 3), 0);
    cr_assert_eq(now(r), t + 5);
    cr_assert_neq(cosem_rig_action(r, 8, CLOCK, 6, (const uint8_t[]){MTR_DLMS_LONG, 0x27, 0x10}, 3), 0,
                  "10000 s is no shift");
    cr_assert_eq(now(r), t + 5);
    /* adjust_to_minute from 00:00:40 */
    cr_assert_eq(mtr_clock_set(&r->clk, T0 + 40), MTR_OK);
    cr_assert_eq(cosem_rig_action(r, 8, CLOCK, 3, (const uint8_t[]){MTR_DLMS_INTEGER, 0}, 2), 0);
    cr_assert_eq(now(r), T0 + 60);
    /* adjust_to_quarter from 00:10:00 */
    cr_assert_eq(mtr_clock_set(&r->clk, T0 + 600), MTR_OK);
    cr_assert_eq(cosem_rig_action(r, 8, CLOCK, 1, (const uint8_t[]){MTR_DLMS_INTEGER, 0}, 2), 0);
    cr_assert_eq(now(r), T0 + 900);
    /* preset 00:20 valid 00:15..00:25, then adjust_to_preset_time */
    struct cosem_val v;
    uint8_t dt[12];
    cv_reset(&v);
    cv_tag_len(&v, MTR_DLMS_STRUCTURE, 3);
    dt_bytes(dt, 2024, 3, 1, 0, 20, 0, 0);
    cv_bytes(&v, MTR_DLMS_OCTET_STRING, dt, 12);
    dt_bytes(dt, 2024, 3, 1, 0, 15, 0, 0);
    cv_bytes(&v, MTR_DLMS_OCTET_STRING, dt, 12);
    dt_bytes(dt, 2024, 3, 1, 0, 25, 0, 0);
    cv_bytes(&v, MTR_DLMS_OCTET_STRING, dt, 12);
    cr_assert_eq(cosem_rig_action(r, 8, CLOCK, 5, v.b, v.n), 0);
    cr_assert_eq(cosem_rig_action(r, 8, CLOCK, 4, (const uint8_t[]){MTR_DLMS_INTEGER, 0}, 2), 0);
    cr_assert_eq(now(r), T0 + 1200);
    /* adjust_to_measuring_period, 15-minute demand period: 00:20 -> 00:15 (test_cosem_methods.c) */
    cr_assert_eq(cosem_rig_action(r, 8, CLOCK, 2, (const uint8_t[]){MTR_DLMS_INTEGER, 0}, 2), 0);
    cr_assert_eq(now(r), T0 + 900);
    cosem_rig_assoc(r, MTR_COSEM_ROLE_PUBLIC);
    cr_assert_eq(cosem_rig_action(r, 8, CLOCK, 6, (const uint8_t[]){MTR_DLMS_LONG, 0x00, 0x05}, 3),
                 MTR_DLMS_DAR_READ_WRITE_DENIED);
    cr_assert_eq(now(r), T0 + 900);
    cosem_rig_free(r);
}
