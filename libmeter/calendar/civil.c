/* SPDX-License-Identifier: Apache-2.0 */
/* Civil time: day numbers, proleptic Gregorian dates, COSEM date-time. */
#include "calendar_priv.h"

#define SECS_PER_DAY 86400
#define DAYS_PER_ERA 146097 /* 400 Gregorian years */

bool mtr_civil_is_leap(int32_t year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

uint8_t mtr_civil_month_days(int32_t year, uint8_t month)
{
    static const uint8_t days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12) {
        return 0;
    }
    return (uint8_t)(days[month - 1] + (month == 2 && mtr_civil_is_leap(year) ? 1 : 0));
}

/* Floor division for a positive divisor. */
static int32_t floor_div(int32_t a, int32_t b)
{
    int32_t q = a / b;
    return (a % b != 0 && a < 0) ? q - 1 : q;
}

/* The year is taken as starting on 1 March, so that the leap day is the last
 * day of the (shifted) year and month lengths follow a fixed pattern. */
int32_t mtr_civil_days(int32_t year, uint8_t month, uint8_t day)
{
    int32_t y = month <= 2 ? year - 1 : year;
    int32_t era = floor_div(y, 400);
    int32_t yoe = y - era * 400;                                      /* 0..399 */
    int32_t mp = month > 2 ? (int32_t)month - 3 : (int32_t)month + 9; /* 0 = March */
    int32_t doy = (153 * mp + 2) / 5 + (int32_t)day - 1;              /* 0..365 */
    int32_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;              /* 0..146096 */
    return era * DAYS_PER_ERA + doe - 719468;                         /* 0000-03-01 -> 1970-01-01 */
}

void mtr_civil_from_days(int32_t days, int32_t *year, uint8_t *month, uint8_t *day)
{
    int32_t z = days + 719468;
    int32_t era = floor_div(z, DAYS_PER_ERA);
    int32_t doe = z - era * DAYS_PER_ERA;
    int32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int32_t mp = (5 * doy + 2) / 153;
    int32_t d = doy - (153 * mp + 2) / 5 + 1;
    int32_t m = mp < 10 ? mp + 3 : mp - 9;
    *year = yoe + era * 400 + (m <= 2 ? 1 : 0);
    *month = (uint8_t)m;
    *day = (uint8_t)d;
}

uint8_t mtr_civil_weekday(int32_t days)
{
    /* 1970-01-01 was a Thursday (ISO 4). */
    int32_t w = (days + 3) % 7;
    if (w < 0) {
        w += 7;
    }
    return (uint8_t)(w + 1);
}

mtr_err_t mtr_datetime_from_utc(mtr_utc_t utc, int32_t offset_s, uint8_t status,
                                struct mtr_datetime *dt)
{
    MTR_ASSERT(dt != NULL);
    if (utc < MTR_UTC_MIN || utc > MTR_UTC_MAX || offset_s < -50400 || offset_s > 50400 ||
        offset_s % 60 != 0) {
        return MTR_ERR_CALENDAR_DATE;
    }
    mtr_utc_t local = utc + offset_s;
    if (local < MTR_UTC_MIN || local > MTR_UTC_MAX) {
        return MTR_ERR_CALENDAR_DATE;
    }
    int32_t days = (int32_t)(local / SECS_PER_DAY);
    int32_t sod = (int32_t)(local - (mtr_utc_t)days * SECS_PER_DAY);
    int32_t y;
    mtr_civil_from_days(days, &y, &dt->month, &dt->day);
    dt->year = (uint16_t)y;
    dt->weekday = mtr_civil_weekday(days);
    dt->hour = (uint8_t)(sod / 3600);
    dt->minute = (uint8_t)(sod / 60 % 60);
    dt->second = (uint8_t)(sod % 60);
    dt->hundredths = 0;
    dt->deviation = (int16_t)(-offset_s / 60);
    dt->status = status;
    return MTR_OK;
}

mtr_err_t mtr_datetime_check(const struct mtr_datetime *dt)
{
    MTR_ASSERT(dt != NULL);
    if (dt->year < MTR_YEAR_MIN || dt->year > MTR_YEAR_MAX || dt->month < 1 || dt->month > 12 ||
        dt->day < 1 || dt->day > mtr_civil_month_days(dt->year, dt->month) || dt->hour > 23 ||
        dt->minute > 59 || dt->second > 59 || dt->hundredths > 99) {
        return MTR_ERR_CALENDAR_DATE;
    }
    if (dt->deviation != MTR_DEVIATION_UNSPECIFIED &&
        (dt->deviation < -840 || dt->deviation > 840)) {
        return MTR_ERR_CALENDAR_DATE;
    }
    if (dt->weekday != 0 && dt->weekday != 0xFF &&
        dt->weekday != mtr_civil_weekday(mtr_civil_days(dt->year, dt->month, dt->day))) {
        return MTR_ERR_CALENDAR_DATE;
    }
    return MTR_OK;
}

mtr_err_t mtr_datetime_to_utc(const struct mtr_datetime *dt, mtr_utc_t *utc)
{
    MTR_ASSERT(utc != NULL);
    mtr_err_t err = mtr_datetime_check(dt);
    if (err != MTR_OK) {
        return err;
    }
    if (dt->deviation == MTR_DEVIATION_UNSPECIFIED) {
        return MTR_ERR_CALENDAR_DATE;
    }
    mtr_utc_t local = (mtr_utc_t)mtr_civil_days(dt->year, dt->month, dt->day) * SECS_PER_DAY +
                      dt->hour * 3600 + dt->minute * 60 + dt->second;
    mtr_utc_t u = local + (mtr_utc_t)dt->deviation * 60;
    if (u < MTR_UTC_MIN || u > MTR_UTC_MAX) {
        return MTR_ERR_CALENDAR_DATE;
    }
    *utc = u;
    return MTR_OK;
}
