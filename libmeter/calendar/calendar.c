/* SPDX-License-Identifier: Apache-2.0 */
/* Activity calendar object: active/passive calendars, special days (class 11),
 * tariff control and the register activation masks (class 6). */
#include <string.h>

#include "calendar_priv.h"
#include "tou_priv.h"

static void check_cal(const struct mtr_calendar *cal)
{
    MTR_ASSERT(cal != NULL && cal->magic == CAL_CALENDAR_MAGIC);
}

static void emit(const struct mtr_calendar *cal, uint16_t code, mtr_utc_t now)
{
    cal_emit(cal->cfg.on_event, cal->cfg.user, code, MTR_CLOCK_BY_CALENDAR, now, now);
}

void mtr_calendar_init(struct mtr_calendar *cal, const struct mtr_calendar_config *cfg)
{
    MTR_ASSERT(cal != NULL);
    memset(cal, 0, sizeof *cal);
    if (cfg != NULL) {
        cal->cfg = *cfg;
    }
    cal->activate_at = MTR_CAL_NEVER;
    cal->control = MTR_TARIFF_BY_CALENDAR;
    for (uint8_t i = 0; i < 4; i++) {
        cal->input_tariff[i] = (uint8_t)(i + 1 <= MTR_CFG_TARIFFS ? i + 1 : 1);
    }
    for (uint16_t t = 0; t < MTR_CFG_TARIFFS; t++) {
        cal->masks[t].energy = (uint16_t)(1u << t);
        cal->masks[t].demand = (uint16_t)(1u << t);
    }
    cal->magic = CAL_CALENDAR_MAGIC;
}

size_t mtr_calendar_size(void)
{
    return sizeof(struct mtr_calendar);
}

mtr_err_t mtr_calendar_set_active(struct mtr_calendar *cal, const struct mtr_tou *tou)
{
    check_cal(cal);
    mtr_err_t err = mtr_tou_check(tou);
    if (err != MTR_OK) {
        return err;
    }
    memmove(&cal->active, tou, sizeof *tou);
    cal->has_active = true;
    cal->change_seq++;
    return MTR_OK;
}

mtr_err_t mtr_calendar_set_passive(struct mtr_calendar *cal, const struct mtr_tou *tou,
                                   mtr_utc_t activate_at)
{
    check_cal(cal);
    if (activate_at != MTR_CAL_NEVER && (activate_at < MTR_UTC_MIN || activate_at > MTR_UTC_MAX)) {
        return MTR_ERR_CALENDAR_DATE;
    }
    mtr_err_t err = mtr_tou_check(tou);
    if (err != MTR_OK) {
        return err;
    }
    memmove(&cal->passive, tou, sizeof *tou);
    cal->has_passive = true;
    cal->activate_at = activate_at;
    cal->change_seq++;
    emit(cal, MTR_CAL_EV_PASSIVE_PROGRAMMED, activate_at == MTR_CAL_NEVER ? 0 : activate_at);
    return MTR_OK;
}

mtr_err_t mtr_calendar_activate_passive(struct mtr_calendar *cal, mtr_utc_t now)
{
    check_cal(cal);
    if (!cal->has_passive) {
        return MTR_ERR_EMPTY;
    }
    cal->active = cal->passive;
    cal->has_active = true;
    cal->activate_at = MTR_CAL_NEVER;
    cal->change_seq++;
    emit(cal, MTR_CAL_EV_TOU_ACTIVATED, now);
    return MTR_OK;
}

mtr_err_t mtr_calendar_set_passive_name(struct mtr_calendar *cal, const uint8_t *name,
                                        size_t len)
{
    check_cal(cal);
    MTR_ASSERT(name != NULL || len == 0);
    if (!cal->has_passive) {
        return MTR_ERR_EMPTY;
    }
    mtr_err_t err = mtr_tou_name_set(&cal->passive.name, name, len);
    if (err != MTR_OK) {
        return err;
    }
    cal->change_seq++;
    emit(cal, MTR_CAL_EV_PASSIVE_PROGRAMMED, cal->activate_at == MTR_CAL_NEVER ? 0 : cal->activate_at);
    return MTR_OK;
}

bool mtr_calendar_poll(struct mtr_calendar *cal, const struct mtr_clock_view *now)
{
    check_cal(cal);
    MTR_ASSERT(now != NULL);
    if (cal->has_passive && cal->activate_at != MTR_CAL_NEVER && now->utc >= cal->activate_at) {
        return mtr_calendar_activate_passive(cal, now->utc) == MTR_OK;
    }
    return false;
}

const struct mtr_tou *mtr_calendar_active(const struct mtr_calendar *cal)
{
    check_cal(cal);
    return cal->has_active ? &cal->active : NULL;
}

const struct mtr_tou *mtr_calendar_passive(const struct mtr_calendar *cal)
{
    check_cal(cal);
    return cal->has_passive ? &cal->passive : NULL;
}

/* ------------------------------------------------------------ special days */

bool cal_special_date_ok(const struct mtr_special_day *sd)
{
    bool every = sd->year == MTR_SPECIAL_EVERY_YEAR;
    return (every || (sd->year >= MTR_YEAR_MIN && sd->year <= MTR_YEAR_MAX)) && sd->day >= 1 &&
           sd->day <= mtr_civil_month_days(every ? 2000 : sd->year, sd->month);
}

static int find_special(const struct mtr_calendar *cal, uint16_t index)
{
    for (uint16_t i = 0; i < cal->n_special; i++) {
        if (cal->special[i].index == index) {
            return (int)i;
        }
    }
    return -1;
}

mtr_err_t mtr_calendar_special_set(struct mtr_calendar *cal, const struct mtr_special_day *sd)
{
    check_cal(cal);
    MTR_ASSERT(sd != NULL);
    if (!cal_special_date_ok(sd)) {
        return MTR_ERR_CALENDAR_DATE;
    }
    if (!cal->has_active || tou_find_day(&cal->active, sd->day_id) == NULL) {
        return MTR_ERR_CALENDAR_REF;
    }
    int i = find_special(cal, sd->index);
    if (i < 0) {
        if (cal->n_special >= MTR_CFG_CALENDAR_SPECIAL_DAYS) {
            return MTR_ERR_CALENDAR_LIMIT;
        }
        i = cal->n_special++;
    }
    cal->special[i] = *sd;
    cal->change_seq++;
    return MTR_OK;
}

mtr_err_t mtr_calendar_special_delete(struct mtr_calendar *cal, uint16_t index)
{
    check_cal(cal);
    int i = find_special(cal, index);
    if (i < 0) {
        return MTR_ERR_NOENT;
    }
    cal->n_special--;
    memmove(&cal->special[i], &cal->special[i + 1],
            (size_t)(cal->n_special - (uint16_t)i) * sizeof cal->special[0]);
    cal->change_seq++;
    return MTR_OK;
}

uint16_t mtr_calendar_special_count(const struct mtr_calendar *cal)
{
    check_cal(cal);
    return cal->n_special;
}

bool mtr_calendar_special_get(const struct mtr_calendar *cal, uint16_t i,
                              struct mtr_special_day *sd)
{
    check_cal(cal);
    MTR_ASSERT(sd != NULL);
    if (i >= cal->n_special) {
        return false;
    }
    *sd = cal->special[i];
    return true;
}

/* Special day profile of local day @p days: a dated entry wins over a yearly one. */
static const struct mtr_tou_day *special_day(const struct mtr_calendar *cal, int32_t days)
{
    int32_t y;
    uint8_t m, d;
    mtr_civil_from_days(days, &y, &m, &d);
    const struct mtr_tou_day *yearly = NULL;
    for (uint16_t i = 0; i < cal->n_special; i++) {
        const struct mtr_special_day *s = &cal->special[i];
        if (s->month != m || s->day != d) {
            continue;
        }
        const struct mtr_tou_day *p = tou_find_day(&cal->active, s->day_id);
        if (p != NULL && s->year == (uint16_t)y) {
            return p;
        }
        if (p != NULL && s->year == MTR_SPECIAL_EVERY_YEAR && yearly == NULL) {
            yearly = p;
        }
    }
    return yearly;
}

static const struct mtr_tou_day *day_profile(const struct mtr_calendar *cal, int32_t days)
{
    const struct mtr_tou_day *p = special_day(cal, days);
    return p != NULL ? p : tou_week_day(&cal->active, days);
}

uint8_t mtr_calendar_tariff_at(const struct mtr_calendar *cal, int32_t days, uint32_t sod)
{
    check_cal(cal);
    if (!cal->has_active) {
        return 1;
    }
    uint8_t tariff = 1;
    if (!tou_day_tariff(day_profile(cal, days), sod, &tariff)) {
        /* Before the day's first switching point the previous day's last goes on. */
        (void)tou_day_tariff(day_profile(cal, days - 1), CAL_SECS_PER_DAY, &tariff);
    }
    return tariff;
}

/* ----------------------------------------------------------- tariff control */

mtr_err_t mtr_calendar_set_control(struct mtr_calendar *cal, uint8_t control,
                                   const uint8_t input_tariff[4], mtr_utc_t now)
{
    check_cal(cal);
    if (control != MTR_TARIFF_BY_CALENDAR && control != MTR_TARIFF_BY_INPUTS) {
        return MTR_ERR_INVAL;
    }
    if (input_tariff != NULL) {
        for (int i = 0; i < 4; i++) {
            if (input_tariff[i] < 1 || input_tariff[i] > MTR_CFG_TARIFFS) {
                return MTR_ERR_CALENDAR_TARIFF;
            }
        }
        if (memcmp(cal->input_tariff, input_tariff, 4) != 0) {
            memcpy(cal->input_tariff, input_tariff, 4);
            cal->change_seq++;
        }
    }
    if (control != cal->control) {
        cal->control = control;
        cal->change_seq++;
        emit(cal,
             control == MTR_TARIFF_BY_INPUTS ? MTR_CAL_EV_INTERNAL_TO_EXTERNAL
                                             : MTR_CAL_EV_EXTERNAL_TO_INTERNAL,
             now);
    }
    return MTR_OK;
}

bool cal_one_tariff_bit(uint16_t mask)
{
    return mask != 0 && (mask & (mask - 1u)) == 0 && mask < (1u << MTR_CFG_TARIFFS);
}

mtr_err_t mtr_calendar_set_masks(struct mtr_calendar *cal, uint8_t tariff,
                                 const struct mtr_tariff_masks *masks)
{
    check_cal(cal);
    MTR_ASSERT(masks != NULL);
    if (tariff < 1 || tariff > MTR_CFG_TARIFFS || !cal_one_tariff_bit(masks->energy) ||
        !cal_one_tariff_bit(masks->demand)) {
        return MTR_ERR_CALENDAR_TARIFF;
    }
    cal->masks[tariff - 1] = *masks;
    cal->change_seq++;
    return MTR_OK;
}

mtr_err_t mtr_calendar_set_mask_list(struct mtr_calendar *cal,
                                     const struct mtr_tariff_masks masks[MTR_CFG_TARIFFS])
{
    check_cal(cal);
    MTR_ASSERT(masks != NULL);
    for (unsigned t = 0; t < MTR_CFG_TARIFFS; t++) {
        if (!cal_one_tariff_bit(masks[t].energy) || !cal_one_tariff_bit(masks[t].demand)) {
            return MTR_ERR_CALENDAR_TARIFF;
        }
    }
    bool same = true;
    for (unsigned t = 0; t < MTR_CFG_TARIFFS; t++) {
        same = same && cal->masks[t].energy == masks[t].energy && cal->masks[t].demand == masks[t].demand;
    }
    if (!same) {
        for (unsigned t = 0; t < MTR_CFG_TARIFFS; t++) {
            cal->masks[t] = masks[t];
        }
        cal->change_seq++;
    }
    return MTR_OK;
}

void mtr_calendar_decide(const struct mtr_calendar *cal, const struct mtr_clock_view *now,
                         uint32_t inputs, struct mtr_tariff_sel *sel)
{
    check_cal(cal);
    MTR_ASSERT(now != NULL && sel != NULL);
    uint8_t tariff;
    if (cal->control == MTR_TARIFF_BY_INPUTS) {
        unsigned code =
            ((inputs & MTR_IN_TARIFF_1) ? 1u : 0u) | ((inputs & MTR_IN_TARIFF_2) ? 2u : 0u);
        tariff = cal->input_tariff[code];
    } else {
        mtr_utc_t local = now->utc + now->offset_s;
        int32_t days = (int32_t)cal_floor_div64(local, CAL_SECS_PER_DAY);
        tariff = mtr_calendar_tariff_at(cal, days,
                                        (uint32_t)(local - (mtr_utc_t)days * CAL_SECS_PER_DAY));
    }
    sel->tariff = tariff;
    sel->control = cal->control;
    sel->masks = cal->masks[tariff - 1];
}

uint8_t mtr_calendar_input_tariff(const struct mtr_calendar *cal, uint8_t code)
{
    check_cal(cal);
    return cal->input_tariff[code & 3u];
}

uint8_t mtr_calendar_control(const struct mtr_calendar *cal, mtr_utc_t *activate_at)
{
    check_cal(cal);
    if (activate_at != NULL) {
        *activate_at = cal->activate_at;
    }
    return cal->control;
}

bool mtr_calendar_masks(const struct mtr_calendar *cal, uint8_t tariff,
                        struct mtr_tariff_masks *masks)
{
    check_cal(cal);
    MTR_ASSERT(masks != NULL);
    if (tariff < 1 || tariff > MTR_CFG_TARIFFS) {
        return false;
    }
    *masks = cal->masks[tariff - 1];
    return true;
}

uint32_t mtr_calendar_changes(const struct mtr_calendar *cal)
{
    check_cal(cal);
    return cal->change_seq;
}
