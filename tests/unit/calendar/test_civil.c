/* SPDX-License-Identifier: Apache-2.0 */
/* Civil time: day numbers, dates, weekdays and COSEM date-time, checked
 * against the host libc (timegm/gmtime_r) over the whole range. */
#include "cal_test.h"

#include <criterion/criterion.h>

Test(civil, every_day_1970_to_2199_matches_libc)
{
    for (mtr_utc_t t = 0; t <= MTR_UTC_MAX; t += 86400) {
        time_t tt = (time_t)t;
        struct tm tm;
        gmtime_r(&tt, &tm);
        int32_t days = (int32_t)(t / 86400);
        cr_assert_eq(
            mtr_civil_days(tm.tm_year + 1900, (uint8_t)(tm.tm_mon + 1), (uint8_t)tm.tm_mday), days);
        int32_t y;
        uint8_t m, d;
        mtr_civil_from_days(days, &y, &m, &d);
        cr_assert(y == tm.tm_year + 1900 && m == tm.tm_mon + 1 && d == tm.tm_mday, "day %d", days);
        cr_assert_eq(mtr_civil_weekday(days), tm.tm_wday == 0 ? 7 : tm.tm_wday);
    }
}

Test(civil, range_ends_and_leap_rules)
{
    cr_assert_eq(MTR_UTC_MAX, ut(2199, 12, 31, 23, 59, 59));
    /* Gregorian rule: divisible by 4, except centuries not divisible by 400. */
    cr_assert(mtr_civil_is_leap(2028));
    cr_assert(mtr_civil_is_leap(2000));
    cr_assert(!mtr_civil_is_leap(2100));
    cr_assert(!mtr_civil_is_leap(2027));
    cr_assert_eq(mtr_civil_month_days(2028, 2), 29);
    cr_assert_eq(mtr_civil_month_days(2100, 2), 28);
    cr_assert_eq(mtr_civil_month_days(2028, 13), 0);
}

Test(civil, datetime_from_utc_matches_libc_at_random_seconds)
{
    uint64_t x = 88172645463325252ull;
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        mtr_utc_t t = 86400 + (mtr_utc_t)(x % (uint64_t)(MTR_UTC_MAX - 2 * 86400));
        int32_t off = (int32_t)((x >> 40) % 1681) * 60 - 50400;
        struct mtr_datetime dt;
        cr_assert_eq(mtr_datetime_from_utc(t, off, MTR_CLOCK_ST_DST, &dt), MTR_OK);
        time_t tt = (time_t)(t + off);
        struct tm tm;
        gmtime_r(&tt, &tm);
        cr_assert(dt.year == tm.tm_year + 1900 && dt.month == tm.tm_mon + 1 &&
                      dt.day == tm.tm_mday && dt.hour == tm.tm_hour && dt.minute == tm.tm_min &&
                      dt.second == tm.tm_sec,
                  "t=%lld", (long long)t);
        cr_assert_eq(dt.deviation, -off / 60);
        cr_assert_eq(dt.status, MTR_CLOCK_ST_DST);
        mtr_utc_t back;
        cr_assert_eq(mtr_datetime_to_utc(&dt, &back), MTR_OK);
        cr_assert_eq(back, t);
    }
}

Test(civil, leap_day_2028_and_cosem_deviation_sign)
{
    /* 2028-02-29 12:00 CET: Blue Book / IDIS deviation is UTC - local = -60. */
    struct mtr_datetime dt = {2028, 2, 29, 2, 12, 0, 0, 0, -60, 0};
    mtr_utc_t t;
    cr_assert_eq(mtr_datetime_to_utc(&dt, &t), MTR_OK);
    cr_assert_eq(t, ut(2028, 2, 29, 11, 0, 0));
    struct mtr_datetime out;
    cr_assert_eq(mtr_datetime_from_utc(t, 3600, 0, &out), MTR_OK);
    cr_assert_eq(out.weekday, 2); /* 2028-02-29 is a Tuesday (libc agrees, see above) */
    cr_assert_eq(out.deviation, -60);
}

Test(civil, invalid_datetimes_rejected_and_output_untouched)
{
    const struct mtr_datetime bad[] = {
        {2027, 2, 29, 0, 0, 0, 0, 0, 0, 0}, /* no leap day in 2027 */
        {2100, 2, 29, 0, 0, 0, 0, 0, 0, 0}, /* nor in 2100 */
        {2026, 4, 31, 0, 0, 0, 0, 0, 0, 0},
        {2026, 13, 1, 0, 0, 0, 0, 0, 0, 0},
        {2026, 0, 1, 0, 0, 0, 0, 0, 0, 0},
        {2026, 1, 0, 0, 0, 0, 0, 0, 0, 0},
        {2026, 1, 1, 0, 24, 0, 0, 0, 0, 0},
        {2026, 1, 1, 0, 0, 60, 0, 0, 0, 0},
        {2026, 1, 1, 0, 0, 0, 60, 0, 0, 0},
        {2026, 1, 1, 0, 0, 0, 0, 100, 0, 0},
        {2026, 1, 1, 0, 0, 0, 0, 0, 841, 0},
        {2026, 1, 1, 1, 0, 0, 0, 0, 0, 0}, /* 2026-01-01 is a Thursday, not Monday */
        {1969, 12, 31, 0, 0, 0, 0, 0, 0, 0},
        {2200, 1, 1, 0, 0, 0, 0, 0, 0, 0},
        {2026, 1, 1, 0, 0, 0, 0, 0, MTR_DEVIATION_UNSPECIFIED, 0},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        mtr_utc_t t = 12345;
        cr_assert_eq(mtr_datetime_to_utc(&bad[i], &t), MTR_ERR_CALENDAR_DATE, "case %zu", i);
        cr_assert_eq(t, 12345);
    }
    struct mtr_datetime dt;
    memset(&dt, 0x5A, sizeof dt);
    struct mtr_datetime copy = dt;
    cr_assert_eq(mtr_datetime_from_utc(MTR_UTC_MAX + 1, 0, 0, &dt), MTR_ERR_CALENDAR_DATE);
    cr_assert_eq(mtr_datetime_from_utc(-1, 0, 0, &dt), MTR_ERR_CALENDAR_DATE);
    cr_assert_eq(mtr_datetime_from_utc(1000, 30, 0, &dt), MTR_ERR_CALENDAR_DATE);
    cr_assert_eq(mtr_datetime_from_utc(0, -3600, 0, &dt), MTR_ERR_CALENDAR_DATE);
    cr_assert_eq(memcmp(&dt, &copy, sizeof dt), 0);
}
