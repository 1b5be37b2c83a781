/* SPDX-License-Identifier: Apache-2.0 */
/* Private helpers shared by the calendar engine's sources. */
#ifndef METER_CALENDAR_PRIV_H
#define METER_CALENDAR_PRIV_H

#include "meter/clock.h"
#include "meter/meter.h"

#define CAL_SECS_PER_DAY   86400
#define CAL_CLOCK_MAGIC    0x434C4B31u /* "CLK1" */
#define CAL_CALENDAR_MAGIC 0x43414C31u /* "CAL1" */
#define CAL_TARIFF_MAGIC   0x54415231u /* "TAR1" */

/** Time zone and DST rules of the clock's setters. */
mtr_err_t clock_check_settings(int16_t time_zone, const struct mtr_dst_config *dst);
/** Rule of mtr_clock_preset(). */
mtr_err_t clock_check_preset(mtr_utc_t preset, mtr_utc_t from, mtr_utc_t to);
/** Rule of a special day's date (mtr_calendar_special_set()). */
bool cal_special_date_ok(const struct mtr_special_day *sd);
/** Rule of a class 6 activation mask: exactly one bit among the tariffs. */
bool cal_one_tariff_bit(uint16_t mask);

/** Call @p fn (if any) with one event. */
static inline void cal_emit(mtr_clock_event_fn fn, void *user, uint16_t code, uint8_t cause,
                            mtr_utc_t before, mtr_utc_t after)
{
    if (fn != NULL) {
        struct mtr_clock_event ev = {
            .code = code, .cause = cause, .before = before, .after = after};
        fn(user, &ev);
    }
}

/** Floor division of a 64-bit value by a positive divisor. */
static inline int64_t cal_floor_div64(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && a < 0) ? q - 1 : q;
}

#endif /* METER_CALENDAR_PRIV_H */
