/* SPDX-License-Identifier: Apache-2.0 */
/* Lookup helpers over a validated activity calendar. */
#ifndef METER_TOU_PRIV_H
#define METER_TOU_PRIV_H

#include <string.h>

#include "meter/clock.h"

/** Sort key of a month/day within a year. */
static inline uint16_t tou_season_key(uint8_t month, uint8_t day)
{
    return (uint16_t)(month * 32u + day);
}

/** A name as bytes: a week's name or a season's reference to a week. */
struct tou_ref {
    const uint8_t *p;
    uint8_t len;
};

static inline bool tou_ref_eq(struct tou_ref a, struct tou_ref b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

/** Name of week @p i: its name if set, else its one-byte id. */
struct tou_ref tou_week_name(const struct mtr_tou *tou, uint8_t i);
/** The week name season @p i refers to: its week name if set, else its one-byte week. */
struct tou_ref tou_season_ref(const struct mtr_tou *tou, uint8_t i);
/** Week named @p name, or NULL. */
const struct mtr_tou_week *tou_find_week(const struct mtr_tou *tou, struct tou_ref name);

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
