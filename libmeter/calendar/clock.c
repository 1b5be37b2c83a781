/* SPDX-License-Identifier: Apache-2.0 */
/* The clock (COSEM class 8): RTC through the HAL, zone, DST, adjustments. */
#include "calendar_priv.h"

/* Local times near the ends of the range must stay inside it. */
#define EDGE_S (15 * 3600)

static void check_clock(const struct mtr_clock *clk)
{
    MTR_ASSERT(clk != NULL && clk->magic == CAL_CLOCK_MAGIC);
}

mtr_err_t clock_check_settings(int16_t time_zone, const struct mtr_dst_config *dst)
{
    if (time_zone < -840 || time_zone > 840) {
        return MTR_ERR_CALENDAR_DST;
    }
    return mtr_dst_check(dst);
}

static void emit(const struct mtr_clock *clk, uint16_t code, uint8_t cause, mtr_utc_t before,
                 mtr_utc_t after)
{
    cal_emit(clk->cfg.on_event, clk->cfg.user, code, cause, before, after);
}

mtr_err_t mtr_clock_init(struct mtr_clock *clk, const struct mtr_hal *hal,
                         const struct mtr_clock_config *cfg)
{
    MTR_ASSERT(clk != NULL && hal != NULL && hal->clock != NULL && cfg != NULL);
    mtr_err_t err = clock_check_settings(cfg->time_zone, &cfg->dst);
    if (err != MTR_OK) {
        return err;
    }
    mtr_utc_t utc = 0;
    err = hal->clock->rtc_get(hal->ctx, &utc);
    if (err != MTR_OK && err != MTR_ERR_RTC_INVALID) {
        return err;
    }
    *clk = (struct mtr_clock){.hal = hal, .cfg = *cfg, .magic = CAL_CLOCK_MAGIC};
    if (err == MTR_ERR_RTC_INVALID || utc < MTR_UTC_MIN + EDGE_S || utc > MTR_UTC_MAX - EDGE_S) {
        clk->status = MTR_CLOCK_ST_INVALID;
        emit(clk, MTR_CLOCK_EV_INVALID, MTR_CLOCK_BY_RTC_LOST, utc, utc);
    }
    return MTR_OK;
}

size_t mtr_clock_size(void)
{
    return sizeof(struct mtr_clock);
}

static int32_t std_offset(const struct mtr_clock *clk)
{
    return -(int32_t)clk->cfg.time_zone * 60;
}

mtr_err_t mtr_clock_view_at(const struct mtr_clock *clk, mtr_utc_t utc, struct mtr_clock_view *view)
{
    check_clock(clk);
    MTR_ASSERT(view != NULL);
    int32_t std = std_offset(clk);
    uint8_t status = clk->status;
    int32_t off = std;
    if (mtr_dst_active(&clk->cfg.dst, std, utc)) {
        off += (int32_t)clk->cfg.dst.deviation_min * 60;
        status |= MTR_CLOCK_ST_DST;
    }
    struct mtr_datetime dt;
    mtr_err_t err = mtr_datetime_from_utc(utc, off, status, &dt);
    if (err != MTR_OK) {
        return err;
    }
    *view = (struct mtr_clock_view){.utc = utc,
                                    .offset_s = off,
                                    .std_offset_s = std,
                                    .status = status,
                                    .change_seq = clk->change_seq,
                                    .local = dt};
    return MTR_OK;
}

mtr_err_t mtr_clock_now(struct mtr_clock *clk, struct mtr_clock_view *view)
{
    check_clock(clk);
    mtr_utc_t utc = 0;
    mtr_err_t err = clk->hal->clock->rtc_get(clk->hal->ctx, &utc);
    if (err != MTR_OK && err != MTR_ERR_RTC_INVALID) {
        return err;
    }
    bool bad =
        err == MTR_ERR_RTC_INVALID || utc < MTR_UTC_MIN + EDGE_S || utc > MTR_UTC_MAX - EDGE_S;
    if (bad && !(clk->status & MTR_CLOCK_ST_INVALID)) {
        clk->status |= MTR_CLOCK_ST_INVALID;
        clk->change_seq++;
        emit(clk, MTR_CLOCK_EV_INVALID, MTR_CLOCK_BY_RTC_LOST, utc, utc);
    }
    if (utc < MTR_UTC_MIN + EDGE_S) {
        utc = MTR_UTC_MIN + EDGE_S;
    } else if (utc > MTR_UTC_MAX - EDGE_S) {
        utc = MTR_UTC_MAX - EDGE_S;
    }
    return mtr_clock_view_at(clk, utc, view);
}

/* Read the RTC for the "before" of a change (its raw value if invalid). */
static mtr_err_t rtc_read(const struct mtr_clock *clk, mtr_utc_t *utc)
{
    mtr_err_t err = clk->hal->clock->rtc_get(clk->hal->ctx, utc);
    return err == MTR_ERR_RTC_INVALID ? MTR_OK : err;
}

static mtr_err_t change_to(struct mtr_clock *clk, mtr_utc_t before, mtr_utc_t after, uint8_t cause)
{
    if (after < MTR_UTC_MIN + EDGE_S || after > MTR_UTC_MAX - EDGE_S) {
        return MTR_ERR_CALENDAR_DATE;
    }
    if (clk->hal->clock->rtc_set == NULL) {
        return MTR_ERR_NOTSUP;
    }
    mtr_err_t err = clk->hal->clock->rtc_set(clk->hal->ctx, after);
    if (err != MTR_OK) {
        return err;
    }
    clk->status &= (uint8_t) ~(MTR_CLOCK_ST_INVALID | MTR_CLOCK_ST_DOUBTFUL);
    clk->change_seq++;
    emit(clk, MTR_CLOCK_EV_ADJUSTED_OLD, cause, before, after);
    emit(clk, MTR_CLOCK_EV_ADJUSTED_NEW, cause, before, after);
    return MTR_OK;
}

mtr_err_t mtr_clock_set(struct mtr_clock *clk, mtr_utc_t utc)
{
    check_clock(clk);
    mtr_utc_t before = 0;
    mtr_err_t err = rtc_read(clk, &before);
    return err != MTR_OK ? err : change_to(clk, before, utc, MTR_CLOCK_BY_SET);
}

mtr_err_t mtr_clock_set_datetime(struct mtr_clock *clk, const struct mtr_datetime *dt)
{
    check_clock(clk);
    mtr_utc_t utc;
    mtr_err_t err = mtr_datetime_to_utc(dt, &utc);
    return err != MTR_OK ? err : mtr_clock_set(clk, utc);
}

/* Move a valid clock by @p delta seconds. */
static mtr_err_t move_by(struct mtr_clock *clk, int32_t delta, uint8_t cause)
{
    if (clk->status & MTR_CLOCK_ST_INVALID) {
        return MTR_ERR_STATE;
    }
    mtr_utc_t now = 0;
    mtr_err_t err = clk->hal->clock->rtc_get(clk->hal->ctx, &now);
    if (err == MTR_ERR_RTC_INVALID) {
        return MTR_ERR_STATE;
    }
    return err != MTR_OK ? err : change_to(clk, now, now + delta, cause);
}

mtr_err_t mtr_clock_shift(struct mtr_clock *clk, int32_t seconds)
{
    check_clock(clk);
    if (seconds < -900 || seconds > 900) {
        return MTR_ERR_CALENDAR_SHIFT;
    }
    return move_by(clk, seconds, MTR_CLOCK_BY_SHIFT);
}

/* Delta that rounds local time (@p standard: local standard time) to the
 * nearest multiple of @p unit (ties up). */
static mtr_err_t round_delta(struct mtr_clock *clk, int32_t unit, bool standard, int32_t *delta)
{
    if (clk->status & MTR_CLOCK_ST_INVALID) {
        return MTR_ERR_STATE;
    }
    struct mtr_clock_view v;
    mtr_err_t err = mtr_clock_now(clk, &v);
    if (err != MTR_OK) {
        return err;
    }
    int64_t rem = (v.utc + (standard ? v.std_offset_s : v.offset_s)) % unit;
    if (rem < 0) {
        rem += unit;
    }
    *delta = (int32_t)(rem * 2 >= unit ? unit - rem : -rem);
    return MTR_OK;
}

mtr_err_t mtr_clock_adjust_to_quarter(struct mtr_clock *clk)
{
    check_clock(clk);
    int32_t delta = 0;
    mtr_err_t err = round_delta(clk, 900, false, &delta);
    return err != MTR_OK ? err : move_by(clk, delta, MTR_CLOCK_BY_QUARTER);
}

mtr_err_t mtr_clock_adjust_to_minute(struct mtr_clock *clk)
{
    check_clock(clk);
    int32_t delta = 0;
    mtr_err_t err = round_delta(clk, 60, false, &delta);
    return err != MTR_OK ? err : move_by(clk, delta, MTR_CLOCK_BY_MINUTE);
}

mtr_err_t mtr_clock_adjust_to_period(struct mtr_clock *clk, uint32_t period_s)
{
    check_clock(clk);
    int32_t delta = 0;
    if (period_s < 1 || period_s > 86400) {
        return MTR_ERR_RANGE;
    }
    mtr_err_t err = round_delta(clk, (int32_t)period_s, true, &delta);
    return err != MTR_OK ? err : move_by(clk, delta, MTR_CLOCK_BY_PERIOD);
}

mtr_err_t clock_check_preset(mtr_utc_t preset, mtr_utc_t from, mtr_utc_t to)
{
    if (preset < MTR_UTC_MIN + EDGE_S || preset > MTR_UTC_MAX - EDGE_S || from < MTR_UTC_MIN ||
        to > MTR_UTC_MAX || from > to) {
        return MTR_ERR_CALENDAR_DATE;
    }
    return MTR_OK;
}

mtr_err_t mtr_clock_preset(struct mtr_clock *clk, mtr_utc_t preset, mtr_utc_t from, mtr_utc_t to)
{
    check_clock(clk);
    mtr_err_t err = clock_check_preset(preset, from, to);
    if (err != MTR_OK) {
        return err;
    }
    clk->preset = preset;
    clk->preset_from = from;
    clk->preset_to = to;
    clk->preset_valid = true;
    clk->settings_seq++;
    return MTR_OK;
}

mtr_err_t mtr_clock_adjust_to_preset(struct mtr_clock *clk)
{
    check_clock(clk);
    if (!clk->preset_valid) {
        return MTR_ERR_CALENDAR_PRESET;
    }
    mtr_utc_t now = 0;
    mtr_err_t err = rtc_read(clk, &now);
    if (err != MTR_OK) {
        return err;
    }
    if (now < clk->preset_from || now > clk->preset_to) {
        return MTR_ERR_CALENDAR_PRESET;
    }
    err = change_to(clk, now, clk->preset, MTR_CLOCK_BY_PRESET);
    if (err == MTR_OK) {
        clk->preset_valid = false;
        clk->settings_seq++;
    }
    return err;
}

static mtr_utc_t now_or_zero(const struct mtr_clock *clk)
{
    mtr_utc_t now = 0;
    (void)rtc_read(clk, &now);
    return now;
}

mtr_err_t mtr_clock_set_time_zone(struct mtr_clock *clk, int16_t time_zone)
{
    check_clock(clk);
    mtr_err_t err = clock_check_settings(time_zone, &clk->cfg.dst);
    if (err != MTR_OK) {
        return err;
    }
    clk->cfg.time_zone = time_zone;
    clk->change_seq++;
    clk->settings_seq++;
    return MTR_OK;
}

mtr_err_t mtr_clock_set_dst(struct mtr_clock *clk, const struct mtr_dst_config *dst)
{
    check_clock(clk);
    MTR_ASSERT(dst != NULL);
    mtr_err_t err = clock_check_settings(clk->cfg.time_zone, dst);
    if (err != MTR_OK) {
        return err;
    }
    bool toggled = dst->enabled != clk->cfg.dst.enabled;
    clk->cfg.dst = *dst;
    clk->change_seq++;
    clk->settings_seq++;
    if (toggled) {
        mtr_utc_t now = now_or_zero(clk);
        emit(clk, MTR_CLOCK_EV_DST_CHANGED, MTR_CLOCK_BY_SETTINGS, now, now);
    }
    return MTR_OK;
}

void mtr_clock_settings(const struct mtr_clock *clk, int16_t *time_zone, struct mtr_dst_config *dst)
{
    check_clock(clk);
    if (time_zone != NULL) {
        *time_zone = clk->cfg.time_zone;
    }
    if (dst != NULL) {
        *dst = clk->cfg.dst;
    }
}

uint32_t mtr_clock_changes(const struct mtr_clock *clk)
{
    check_clock(clk);
    return clk->change_seq;
}

uint32_t mtr_clock_settings_changes(const struct mtr_clock *clk)
{
    check_clock(clk);
    return clk->settings_seq;
}
