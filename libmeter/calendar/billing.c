/* SPDX-License-Identifier: Apache-2.0 */
/* Billing schedule (COSEM class 22 single action schedule semantics). */
#include "calendar_priv.h"
#include "tariff_priv.h"

mtr_err_t billing_check(const struct mtr_billing_schedule *s)
{
    if (s->month > 12 || s->day < 1 || s->day > 31 || s->hour > 23 || s->minute > 59) {
        return MTR_ERR_CALENDAR_PERIOD;
    }
    return MTR_OK;
}

/* Local second of the boundary in month @p m of year @p y. */
static int64_t boundary(const struct mtr_billing_schedule *s, int32_t y, uint8_t m)
{
    uint8_t last = mtr_civil_month_days(y, m);
    uint8_t d = s->day < last ? s->day : last;
    return (int64_t)mtr_civil_days(y, m, d) * CAL_SECS_PER_DAY + s->hour * 3600 + s->minute * 60;
}

int64_t billing_latest(const struct mtr_billing_schedule *s, int64_t local)
{
    int32_t y;
    uint8_t m, d;
    mtr_civil_from_days((int32_t)cal_floor_div64(local, CAL_SECS_PER_DAY), &y, &m, &d);
    if (s->month != 0) {
        int64_t b = boundary(s, y, s->month);
        return b <= local ? b : boundary(s, y - 1, s->month);
    }
    int64_t b = boundary(s, y, m);
    if (b <= local) {
        return b;
    }
    return m == 1 ? boundary(s, y - 1, 12) : boundary(s, y, (uint8_t)(m - 1));
}
