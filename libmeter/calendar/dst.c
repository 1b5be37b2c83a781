/* SPDX-License-Identifier: Apache-2.0 */
/* Daylight saving time: yearly rules and explicit dates. */
#include "calendar_priv.h"

void mtr_dst_eu(struct mtr_dst_config *dst)
{
    MTR_ASSERT(dst != NULL);
    /* Directive 2000/84/EC, articles 2 and 3: summer time begins and ends at
     * 01:00 GMT on the last Sunday of March and of October. */
    *dst = (struct mtr_dst_config){
        .kind = MTR_DST_RULE,
        .enabled = true,
        .deviation_min = 60,
        .begin = {.month = 3, .week = 5, .weekday = 7, .base = MTR_DST_AT_UTC, .minute = 60},
        .end = {.month = 10, .week = 5, .weekday = 7, .base = MTR_DST_AT_UTC, .minute = 60},
    };
}

void mtr_dst_us(struct mtr_dst_config *dst)
{
    MTR_ASSERT(dst != NULL);
    /* 15 U.S.C. 260a (Energy Policy Act of 2005, sec. 110): 2:00 a.m. local
     * time on the second Sunday of March and the first Sunday of November. */
    *dst = (struct mtr_dst_config){
        .kind = MTR_DST_RULE,
        .enabled = true,
        .deviation_min = 60,
        .begin = {.month = 3, .week = 2, .weekday = 7, .base = MTR_DST_AT_WALL, .minute = 120},
        .end = {.month = 11, .week = 1, .weekday = 7, .base = MTR_DST_AT_WALL, .minute = 120},
    };
}

static bool point_ok(const struct mtr_dst_point *p)
{
    return p->month >= 1 && p->month <= 12 && p->week >= 1 && p->week <= 5 && p->weekday >= 1 &&
           p->weekday <= 7 && p->base <= MTR_DST_AT_WALL && p->minute < 1440;
}

mtr_err_t mtr_dst_check(const struct mtr_dst_config *dst)
{
    MTR_ASSERT(dst != NULL);
    if (dst->deviation_min < -120 || dst->deviation_min > 120) {
        return MTR_ERR_CALENDAR_DST;
    }
    switch (dst->kind) {
    case MTR_DST_NONE:
        return MTR_OK;
    case MTR_DST_RULE:
        if (!point_ok(&dst->begin) || !point_ok(&dst->end) || dst->begin.month == dst->end.month) {
            return MTR_ERR_CALENDAR_DST;
        }
        return MTR_OK;
    case MTR_DST_EXPLICIT:
        if (dst->begin_utc < MTR_UTC_MIN || dst->end_utc > MTR_UTC_MAX ||
            dst->begin_utc >= dst->end_utc) {
            return MTR_ERR_CALENDAR_DST;
        }
        return MTR_OK;
    default:
        return MTR_ERR_CALENDAR_DST;
    }
}

/* Day number of the n-th (5: last) given weekday of a month. */
static int32_t rule_day(int32_t year, const struct mtr_dst_point *p)
{
    if (p->week == 5) {
        int32_t last = mtr_civil_days(year, p->month, mtr_civil_month_days(year, p->month));
        int32_t back = ((int32_t)mtr_civil_weekday(last) - p->weekday + 7) % 7;
        return last - back;
    }
    int32_t first = mtr_civil_days(year, p->month, 1);
    int32_t fwd = ((int32_t)p->weekday - mtr_civil_weekday(first) + 7) % 7;
    return first + fwd + 7 * (p->week - 1);
}

mtr_utc_t mtr_dst_switch_utc(const struct mtr_dst_config *dst, int32_t std_offset_s, int32_t year,
                             bool end)
{
    MTR_ASSERT(dst != NULL);
    const struct mtr_dst_point *p = end ? &dst->end : &dst->begin;
    mtr_utc_t t = (mtr_utc_t)rule_day(year, p) * CAL_SECS_PER_DAY + (mtr_utc_t)p->minute * 60;
    if (p->base == MTR_DST_AT_STANDARD || (p->base == MTR_DST_AT_WALL && !end)) {
        t -= std_offset_s;
    } else if (p->base == MTR_DST_AT_WALL) {
        t -= std_offset_s + (int32_t)dst->deviation_min * 60;
    }
    return t;
}

bool mtr_dst_active(const struct mtr_dst_config *dst, int32_t std_offset_s, mtr_utc_t utc)
{
    MTR_ASSERT(dst != NULL);
    if (!dst->enabled) {
        return false;
    }
    if (dst->kind == MTR_DST_EXPLICIT) {
        return utc >= dst->begin_utc && utc < dst->end_utc;
    }
    if (dst->kind != MTR_DST_RULE) {
        return false;
    }
    int32_t year;
    uint8_t m, d;
    mtr_civil_from_days((int32_t)cal_floor_div64(utc + std_offset_s, CAL_SECS_PER_DAY), &year, &m,
                        &d);
    mtr_utc_t b = mtr_dst_switch_utc(dst, std_offset_s, year, false);
    mtr_utc_t e = mtr_dst_switch_utc(dst, std_offset_s, year, true);
    if (b < e) {
        return utc >= b && utc < e;
    }
    return utc >= b || utc < e; /* southern hemisphere: summer spans the new year */
}
