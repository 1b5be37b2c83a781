/* SPDX-License-Identifier: Apache-2.0 */
/* COSEM date, time and date-time (Blue Book 4.1.6.1): encode, decode, validate. */
#include "axdr_private.h"

#include "meter/bytes.h"
#include "meter/meter.h"

#define NS 0xFFu /* "not specified" */

static bool in(uint8_t v, uint8_t lo, uint8_t hi)
{
    return v == NS || (v >= lo && v <= hi);
}

/* y / 100 for any 16-bit y without a divide instruction (exact for 0..65535). */
static uint32_t div100(uint32_t y)
{
    return (uint32_t)(((uint64_t)y * 83887u) >> 23);
}

static bool leap(uint16_t y)
{
    uint32_t c = div100(y);
    return (y & 3u) == 0 && (c * 100u != y || (c & 3u) == 0);
}

static mtr_err_t check_date(uint16_t year, uint8_t month, uint8_t day, uint8_t dow)
{
    static const uint8_t mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    if (!(in(month, 1, 12) || month == 0xFDu || month == 0xFEu))
        return MTR_ERR_DLMS_VALUE;
    if (!(in(day, 1, 31) || day == 0xFDu || day == 0xFEu))
        return MTR_ERR_DLMS_VALUE;
    if (!in(dow, 1, 7))
        return MTR_ERR_DLMS_VALUE;
    if (month >= 1 && month <= 12 && day <= 31) {
        if (day > mdays[month - 1])
            return MTR_ERR_DLMS_VALUE;
        if (month == 2 && day == 29 && year != 0xFFFFu && !leap(year))
            return MTR_ERR_DLMS_VALUE;
    }
    return MTR_OK;
}

static mtr_err_t check_time(uint8_t h, uint8_t m, uint8_t s, uint8_t hs)
{
    return in(h, 0, 23) && in(m, 0, 59) && in(s, 0, 59) && in(hs, 0, 99) ? MTR_OK : MTR_ERR_DLMS_VALUE;
}

mtr_err_t mtr_dlms_datetime_check(const struct mtr_dlms_datetime *dt)
{
    mtr_err_t err;

    MTR_ASSERT(dt != NULL);
    err = check_date(dt->year, dt->month, dt->day, dt->dow);
    if (err != MTR_OK)
        return err;
    err = check_time(dt->hour, dt->minute, dt->second, dt->hundredths);
    if (err != MTR_OK)
        return err;
    if (dt->deviation != MTR_DLMS_DEVIATION_NONE && (dt->deviation < -720 || dt->deviation > 720))
        return MTR_ERR_DLMS_VALUE;
    return MTR_OK;
}

mtr_err_t mtr_dlms_datetime_decode(const uint8_t b[12], struct mtr_dlms_datetime *dt)
{
    struct mtr_dlms_datetime d;
    mtr_err_t err;

    MTR_ASSERT(b != NULL && dt != NULL);
    d.year = mtr_get_be16(b);
    d.month = b[2];
    d.day = b[3];
    d.dow = b[4];
    d.hour = b[5];
    d.minute = b[6];
    d.second = b[7];
    d.hundredths = b[8];
    d.deviation = (int16_t)mtr_get_be16(b + 9);
    d.status = b[11];
    err = mtr_dlms_datetime_check(&d);
    if (err == MTR_OK)
        *dt = d;
    return err;
}

void mtr_dlms_datetime_encode(const struct mtr_dlms_datetime *dt, uint8_t b[12])
{
    MTR_ASSERT(b != NULL && dt != NULL);
    mtr_put_be16(b, dt->year);
    b[2] = dt->month;
    b[3] = dt->day;
    b[4] = dt->dow;
    b[5] = dt->hour;
    b[6] = dt->minute;
    b[7] = dt->second;
    b[8] = dt->hundredths;
    mtr_put_be16(b + 9, (uint16_t)dt->deviation);
    b[11] = dt->status;
}

mtr_err_t mtr_dlms_date_check(const uint8_t b[5])
{
    MTR_ASSERT(b != NULL);
    return check_date(mtr_get_be16(b), b[2], b[3], b[4]);
}

mtr_err_t mtr_dlms_time_check(const uint8_t b[4])
{
    MTR_ASSERT(b != NULL);
    return check_time(b[0], b[1], b[2], b[3]);
}
