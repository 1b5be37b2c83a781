/* SPDX-License-Identifier: Apache-2.0 */
/* Lookup helpers over a validated activity calendar. */
#ifndef METER_TOU_PRIV_H
#define METER_TOU_PRIV_H

#include "meter/clock.h"

/** Sort key of a month/day within a year. */
static inline uint16_t tou_season_key(uint8_t month, uint8_t day)
{
    return (uint16_t)(month * 32u + day);
}

/** Rules of one day profile (mtr_tou_check()). */
mtr_err_t tou_check_day(const struct mtr_tou_day *d);
/** Whether a season may start on @p month / @p day (02-29 may not). */
bool tou_season_date_ok(uint8_t month, uint8_t day);

/** Day profile with @p id, or NULL. */
const struct mtr_tou_day *tou_find_day(const struct mtr_tou *tou, uint8_t id);
/** Day profile of local day @p days by season and weekday (validated table). */
const struct mtr_tou_day *tou_week_day(const struct mtr_tou *tou, int32_t days);
/** Tariff of the last switching point at or before @p sod; false if none. */
bool tou_day_tariff(const struct mtr_tou_day *d, uint32_t sod, uint8_t *tariff);

#endif /* METER_TOU_PRIV_H */
