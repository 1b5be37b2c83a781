/* SPDX-License-Identifier: Apache-2.0 */
/* Activity calendar tables (COSEM class 20): validation and lookup. Weeks
 * are named (Blue Book class 20: week_profile_name, an octet-string) and a
 * season refers to its week by that name (week_name). */
#include <string.h>

#include "calendar_priv.h"
#include "tou_priv.h"

size_t mtr_tou_size(void)
{
    return sizeof(struct mtr_tou);
}

uint32_t mtr_calendar_config_name_len(void)
{
    return MTR_CFG_CALENDAR_NAME_LEN;
}

mtr_err_t mtr_tou_name_set(struct mtr_tou_name *name, const uint8_t *bytes, size_t len)
{
    MTR_ASSERT(name != NULL && (bytes != NULL || len == 0));
    if (len > MTR_CFG_CALENDAR_NAME_LEN) {
        return MTR_ERR_CALENDAR_NAME;
    }
    memset(name, 0, sizeof *name);
    name->set = true;
    name->len = (uint8_t)len;
    if (len > 0) {
        memcpy(name->b, bytes, len);
    }
    return MTR_OK;
}

static struct tou_ref name_or(const struct mtr_tou_name *n, const uint8_t *byte)
{
    return n->set ? (struct tou_ref){n->b, n->len} : (struct tou_ref){byte, 1};
}

struct tou_ref tou_week_name(const struct mtr_tou *tou, uint8_t i)
{
    return name_or(&tou->week_name[i], &tou->week[i].id);
}

struct tou_ref tou_season_ref(const struct mtr_tou *tou, uint8_t i)
{
    return name_or(&tou->season_week[i], &tou->season[i].week);
}

const struct mtr_tou_week *tou_find_week(const struct mtr_tou *tou, struct tou_ref name)
{
    for (uint8_t i = 0; i < tou->n_weeks; i++) {
        if (tou_ref_eq(tou_week_name(tou, i), name)) {
            return &tou->week[i];
        }
    }
    return NULL;
}

const struct mtr_tou_week *mtr_tou_season_week(const struct mtr_tou *tou, uint8_t season)
{
    MTR_ASSERT(tou != NULL);
    return season < tou->n_seasons ? tou_find_week(tou, tou_season_ref(tou, season)) : NULL;
}

static bool name_ok(const struct mtr_tou_name *n)
{
    return !n->set || n->len <= MTR_CFG_CALENDAR_NAME_LEN;
}

static bool names_ok(const struct mtr_tou *tou)
{
    bool ok = name_ok(&tou->name);
    for (uint8_t i = 0; i < tou->n_weeks; i++) {
        ok = ok && name_ok(&tou->week_name[i]);
    }
    for (uint8_t i = 0; i < tou->n_seasons; i++) {
        ok = ok && name_ok(&tou->season_name[i]) && name_ok(&tou->season_week[i]);
    }
    return ok;
}

const struct mtr_tou_day *tou_find_day(const struct mtr_tou *tou, uint8_t id)
{
    for (uint8_t i = 0; i < tou->n_days; i++) {
        if (tou->day[i].id == id) {
            return &tou->day[i];
        }
    }
    return NULL;
}

static uint32_t sw_second(const struct mtr_tou_switch *sw)
{
    return (uint32_t)sw->hour * 3600u + (uint32_t)sw->minute * 60u + sw->second;
}

mtr_err_t tou_check_day(const struct mtr_tou_day *d)
{
    if (d->n < 1 || d->n > MTR_CFG_CALENDAR_SWITCHES) {
        return MTR_ERR_CALENDAR_LIMIT;
    }
    for (uint8_t i = 0; i < d->n; i++) {
        const struct mtr_tou_switch *sw = &d->sw[i];
        if (sw->hour > 23 || sw->minute > 59 || sw->second > 59) {
            return MTR_ERR_CALENDAR_DATE;
        }
        if (sw->tariff < 1 || sw->tariff > MTR_CFG_TARIFFS) {
            return MTR_ERR_CALENDAR_TARIFF;
        }
        if (i > 0 && sw_second(sw) <= sw_second(&d->sw[i - 1])) {
            return MTR_ERR_CALENDAR_DAY_ORDER;
        }
    }
    return MTR_OK;
}

static mtr_err_t check_days(const struct mtr_tou *tou)
{
    for (uint8_t i = 0; i < tou->n_days; i++) {
        mtr_err_t err = tou_check_day(&tou->day[i]);
        if (err != MTR_OK) {
            return err;
        }
        if (tou_find_day(tou, tou->day[i].id) != &tou->day[i]) {
            return MTR_ERR_CALENDAR_REF; /* duplicate id */
        }
    }
    return MTR_OK;
}

static mtr_err_t check_weeks(const struct mtr_tou *tou)
{
    for (uint8_t i = 0; i < tou->n_weeks; i++) {
        if (tou_find_week(tou, tou_week_name(tou, i)) != &tou->week[i]) {
            return MTR_ERR_CALENDAR_REF; /* duplicate name */
        }
        for (int wd = 0; wd < 7; wd++) {
            if (tou_find_day(tou, tou->week[i].day[wd]) == NULL) {
                return MTR_ERR_CALENDAR_REF;
            }
        }
    }
    return MTR_OK;
}

bool tou_season_date_ok(uint8_t month, uint8_t day)
{
    /* 2001: a common year, so 02-29 (which would start a season only every
     * fourth year) is rejected. */
    return month >= 1 && month <= 12 && day >= 1 && day <= mtr_civil_month_days(2001, month);
}

static mtr_err_t check_seasons(const struct mtr_tou *tou)
{
    for (uint8_t i = 0; i < tou->n_seasons; i++) {
        const struct mtr_tou_season *s = &tou->season[i];
        if (!tou_season_date_ok(s->month, s->day)) {
            return MTR_ERR_CALENDAR_DATE;
        }
        if (i > 0 && tou_season_key(s->month, s->day) <=
                         tou_season_key(tou->season[i - 1].month, tou->season[i - 1].day)) {
            return MTR_ERR_CALENDAR_SEASONS;
        }
        if (tou_find_week(tou, tou_season_ref(tou, i)) == NULL) {
            return MTR_ERR_CALENDAR_REF;
        }
    }
    return MTR_OK;
}

mtr_err_t mtr_tou_check(const struct mtr_tou *tou)
{
    MTR_ASSERT(tou != NULL);
    if (tou->n_seasons < 1 || tou->n_seasons > MTR_CFG_CALENDAR_SEASONS || tou->n_weeks < 1 ||
        tou->n_weeks > MTR_CFG_CALENDAR_WEEKS || tou->n_days < 1 ||
        tou->n_days > MTR_CFG_CALENDAR_DAYS) {
        return MTR_ERR_CALENDAR_LIMIT;
    }
    if (!names_ok(tou)) {
        return MTR_ERR_CALENDAR_NAME;
    }
    mtr_err_t err = check_days(tou);
    if (err == MTR_OK) {
        err = check_weeks(tou);
    }
    if (err == MTR_OK) {
        err = check_seasons(tou);
    }
    return err;
}

const struct mtr_tou_day *tou_week_day(const struct mtr_tou *tou, int32_t days)
{
    int32_t y;
    uint8_t m, d;
    mtr_civil_from_days(days, &y, &m, &d);
    uint16_t key = tou_season_key(m, d);
    /* Before the first start of the year, last year's last season goes on. */
    uint8_t s = (uint8_t)(tou->n_seasons - 1);
    for (uint8_t i = 0;
         i < tou->n_seasons && tou_season_key(tou->season[i].month, tou->season[i].day) <= key;
         i++) {
        s = i;
    }
    const struct mtr_tou_week *w = tou_find_week(tou, tou_season_ref(tou, s));
    return tou_find_day(tou, w->day[mtr_civil_weekday(days) - 1]);
}

bool tou_day_tariff(const struct mtr_tou_day *d, uint32_t sod, uint8_t *tariff)
{
    bool found = false;
    for (uint8_t i = 0; i < d->n && sw_second(&d->sw[i]) <= sod; i++) {
        *tariff = d->sw[i].tariff;
        found = true;
    }
    return found;
}
