/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Load limiter (COSEM class 71), emergency profile, code red, the disconnect
 * button, and the tick that drives them.
 *
 * The monitored value is averaged over fixed windows of period_s seconds
 * (one sample per elapsed UTC second). At each window end the average is
 * compared with the threshold in force (normal, or emergency while the
 * emergency profile applies to this meter's group). Above for min_over_s
 * seconds: "threshold exceeded", the supply opens (local cause) for the
 * penalty; below for min_under_s: "threshold OK". The penalty ends at a UTC
 * deadline that is saved, so a power cut neither restarts nor skips it.
 */
#include "dc_priv.h"

#include <string.h>

#include "meter/meter.h"

/* Monitored values are clamped to 0..1 GW so that a window sum cannot overflow. */
#define MW_CAP 1000000000000LL

void dc_limiter_reset(struct mtr_disconnect *dc)
{
    dc->win_sum = 0;
    dc->win_n = 0;
    dc->last_avg = 0;
    dc->above = false;
    dc->have_utc = false;
    dc->above_since = 0;
    dc->below_since = 0;
    dc->last_utc = 0;
    dc->active_thr = dc->s.lim.normal_mw;
}

static mtr_err_t commit_or_revert(struct mtr_disconnect *dc, const struct mtr_dc_saved *before)
{
    mtr_err_t err = dc_commit(dc);
    if (err != MTR_OK) {
        dc->s = *before;
    }
    return err;
}

static bool emergency_active(const struct mtr_disconnect *dc, mtr_utc_t now)
{
    const struct mtr_dc_emergency *ep = &dc->s.ep;
    bool member = false;

    for (unsigned g = 0; g < ep->groups && g < MTR_CFG_DISCONNECT_GROUPS; g++) {
        member = member || ep->group[g] == dc->cfg->group_id;
    }
    return member && now >= 0 && now >= ep->activation_utc &&
           (uint64_t)(now - ep->activation_utc) < ep->duration_s;
}

static mtr_mw_t threshold(const struct mtr_disconnect *dc, mtr_utc_t now)
{
    if (!emergency_active(dc, now)) {
        return dc->s.lim.normal_mw;
    }
    return dc->s.code_red ? dc->s.cr_limit_mw : dc->s.lim.emergency_mw;
}

static void window_end(struct mtr_disconnect *dc, mtr_utc_t t)
{
    mtr_mw_t avg = dc->win_sum / dc->s.lim.period_s;

    dc->last_avg = avg;
    dc->win_sum = 0;
    dc->win_n = 0;
    if (avg > dc->active_thr && !dc->above) {
        dc->above = true;
        dc->above_since = t;
    } else if (avg <= dc->active_thr && dc->above) {
        dc->above = false;
        dc->below_since = t;
    }
}

/* Add @p gap seconds of @p mw ending at @p now. */
static void feed(struct mtr_disconnect *dc, mtr_mw_t mw, mtr_utc_t gap, mtr_utc_t now)
{
    const uint32_t period = dc->s.lim.period_s;

    mw = mw < 0 ? 0 : (mw > MW_CAP ? MW_CAP : mw);
    if (gap > (mtr_utc_t)period) {
        dc->win_sum = 0; /* ticks stopped for longer than a window: start afresh */
        dc->win_n = 0;
        return;
    }
    while (gap > 0) {
        uint32_t take = period - dc->win_n;
        if ((mtr_utc_t)take > gap) {
            take = (uint32_t)gap;
        }
        dc->win_sum += mw * (int64_t)take;
        dc->win_n += take;
        gap -= take;
        if (dc->win_n == period) {
            window_end(dc, now - gap);
        }
    }
}

static mtr_err_t trip(struct mtr_disconnect *dc, mtr_utc_t now, mtr_ms_t now_ms)
{
    struct mtr_dc_saved before = dc->s;
    bool red = dc->s.code_red && emergency_active(dc, now);
    uint8_t cause = red ? MTR_DC_CAUSE_CODE_RED : MTR_DC_CAUSE_LIMITER;
    mtr_utc_t end = now + (mtr_utc_t)(red ? dc->s.cr_penalty_s : dc->s.lim.penalty_s);
    mtr_err_t err;

    dc->s.exceeded = true;
    dc->s.trip |= cause;
    if (end > dc->s.penalty_end) {
        dc->s.penalty_end = end;
    }
    dc_emit(dc, DC_EV_LIM_EXCEEDED, 0);
    err = mtr_disconnect_local_set(dc, 0, cause, now_ms);
    if (err == MTR_ERR_DISCONNECT_FORBIDDEN || err == MTR_ERR_NOTSUP) {
        return commit_or_revert(dc, &before); /* mode 0 or no relay: logged, not opened */
    }
    if (err != MTR_OK && (dc->s.ch[0].causes & cause) == 0) {
        dc->s = before; /* not committed: tried again next second */
    }
    dc->win_sum = 0;
    dc->win_n = 0;
    return err;
}

static mtr_err_t release(struct mtr_disconnect *dc, uint8_t cause, mtr_ms_t now_ms)
{
    struct mtr_dc_saved before = dc->s;
    mtr_err_t err;

    dc->s.trip &= (uint8_t)~cause;
    if (dc->s.trip == 0) {
        dc->s.penalty_end = -1;
    }
    if ((dc->s.ch[0].causes & cause) == 0) {
        return commit_or_revert(dc, &before);
    }
    err = mtr_disconnect_local_clear(dc, 0, cause, now_ms);
    if (err != MTR_OK && (dc->s.ch[0].causes & cause) != 0) {
        dc->s = before;
    }
    return err;
}

static mtr_err_t evaluate(struct mtr_disconnect *dc, mtr_utc_t now, mtr_ms_t now_ms)
{
    mtr_err_t err = MTR_OK;

    if (!dc->s.exceeded && dc->above && now - dc->above_since >= (mtr_utc_t)dc->s.lim.min_over_s) {
        err = trip(dc, now, now_ms);
    } else if (dc->s.exceeded && !dc->above &&
               now - dc->below_since >= (mtr_utc_t)dc->s.lim.min_under_s) {
        struct mtr_dc_saved before = dc->s;
        dc->s.exceeded = false;
        err = commit_or_revert(dc, &before);
        if (err == MTR_OK) {
            dc_emit(dc, DC_EV_LIM_OK, 0);
        }
    }
    if (err == MTR_OK && dc->s.trip != 0 && now >= dc->s.penalty_end) {
        err = release(dc, dc->s.trip, now_ms);
    }
    return err;
}

static void button(struct mtr_disconnect *dc, const struct mtr_dc_input *in)
{
    bool pressed = (in->inputs & MTR_IN_BUTTON_2) != 0;
    uint32_t held;

    if (pressed != dc->btn_raw) {
        dc->btn_raw = pressed;
        dc->btn_since = in->now_ms;
        dc->btn_fired = false;
        return;
    }
    if (!pressed || dc->btn_fired) {
        return;
    }
    held = mtr_ms_elapsed(in->now_ms, dc->btn_since);
    if (held < dc->cfg->debounce_ms) {
        return;
    }
    if (dc->s.ch[0].state == MTR_DC_CONNECTED && held > dc->cfg->disconnect_hold_ms) {
        dc->btn_fired = true;
        (void)mtr_disconnect_apply(dc, 0, MTR_DC_T_F, in->now_ms);
    } else if (dc->s.ch[0].state == MTR_DC_READY && held > dc->cfg->reconnect_hold_ms) {
        dc->btn_fired = true;
        (void)mtr_disconnect_apply(dc, 0, MTR_DC_T_E, in->now_ms);
    }
}

mtr_err_t mtr_disconnect_tick(struct mtr_disconnect *dc, const struct mtr_dc_input *in)
{
    mtr_utc_t now;
    mtr_mw_t thr;

    MTR_ASSERT(dc != NULL && in != NULL);
    now = in->now_utc;
    if (now < 0) {
        return MTR_ERR_DISCONNECT_PERIOD;
    }
    if (dc->have_utc && now < dc->last_utc) {
        return MTR_ERR_DISCONNECT_TIME;
    }
    if (dc->hal->io != NULL) {
        dc_supervise(dc, in->now_ms);
    }
    button(dc, in);
    thr = threshold(dc, now);
    if (dc->have_utc && thr != dc->active_thr) {
        dc_emit(dc, DC_EV_LIM_CHANGED, 0);
    }
    dc->active_thr = thr;
    if (!dc->have_utc) {
        dc->have_utc = true;
        dc->below_since = now;
    } else {
        feed(dc, in->monitored_mw, now - dc->last_utc, now);
    }
    dc->last_utc = now;
    return evaluate(dc, now, in->now_ms);
}

mtr_err_t mtr_disconnect_time_set(struct mtr_disconnect *dc, mtr_utc_t now_utc)
{
    struct mtr_dc_saved before;
    mtr_err_t err = MTR_OK;

    MTR_ASSERT(dc != NULL);
    if (now_utc < 0) {
        return MTR_ERR_DISCONNECT_PERIOD;
    }
    before = dc->s;
    if (dc->s.trip != 0 && dc->have_utc) {
        mtr_utc_t left = dc->s.penalty_end - dc->last_utc;
        dc->s.penalty_end = now_utc + (left > 0 ? left : 0);
        err = commit_or_revert(dc, &before);
        if (err != MTR_OK) {
            return err;
        }
    }
    dc->have_utc = true;
    dc->last_utc = now_utc;
    dc->above_since = now_utc;
    dc->below_since = now_utc;
    dc->win_sum = 0;
    dc->win_n = 0;
    return MTR_OK;
}

mtr_err_t mtr_disconnect_limiter_set(struct mtr_disconnect *dc, const struct mtr_dc_limiter *lim)
{
    struct mtr_dc_saved before;
    mtr_err_t err;

    MTR_ASSERT(dc != NULL && lim != NULL);
    err = dc_check_limiter(lim);
    if (err != MTR_OK) {
        return err;
    }
    before = dc->s;
    dc->s.lim = *lim;
    err = commit_or_revert(dc, &before);
    if (err == MTR_OK && lim->period_s != before.lim.period_s) {
        dc->win_sum = 0; /* a new period starts a new window */
        dc->win_n = 0;
    }
    return err;
}

mtr_err_t mtr_disconnect_emergency_set(struct mtr_disconnect *dc, const struct mtr_dc_emergency *ep)
{
    struct mtr_dc_saved before;
    mtr_err_t err;

    MTR_ASSERT(dc != NULL && ep != NULL);
    err = dc_check_emergency(ep);
    if (err != MTR_OK) {
        return err;
    }
    before = dc->s;
    dc->s.ep = *ep;
    for (unsigned g = ep->groups; g < MTR_CFG_DISCONNECT_GROUPS; g++) {
        dc->s.ep.group[g] = 0;
    }
    dc->s.code_red = false;
    dc->s.cr_limit_mw = 0;
    dc->s.cr_penalty_s = 0;
    return commit_or_revert(dc, &before);
}

mtr_err_t mtr_disconnect_code_red(struct mtr_disconnect *dc, const struct mtr_dc_code_red *cr)
{
    struct mtr_dc_saved before;
    mtr_err_t err;

    MTR_ASSERT(dc != NULL && cr != NULL);
    err = dc_check_code_red(cr->limit_mw, cr->interval_s, cr->penalty_s, cr->activation_utc);
    if (err != MTR_OK) {
        return err;
    }
    if (cr->group != dc->cfg->group_id) {
        return MTR_ERR_DISCONNECT_GROUP;
    }
    before = dc->s;
    memset(&dc->s.ep, 0, sizeof dc->s.ep);
    dc->s.ep.activation_utc = cr->activation_utc;
    dc->s.ep.duration_s = cr->interval_s;
    dc->s.ep.groups = 1;
    dc->s.ep.group[0] = cr->group;
    dc->s.code_red = true;
    dc->s.cr_limit_mw = cr->limit_mw;
    dc->s.cr_penalty_s = cr->penalty_s;
    return commit_or_revert(dc, &before);
}

mtr_err_t mtr_disconnect_code_red_cancel(struct mtr_disconnect *dc, mtr_ms_t now_ms)
{
    struct mtr_dc_saved before;
    mtr_err_t err;

    MTR_ASSERT(dc != NULL);
    if (!dc->s.code_red) {
        return MTR_ERR_DISCONNECT_STATE;
    }
    before = dc->s;
    memset(&dc->s.ep, 0, sizeof dc->s.ep);
    dc->s.code_red = false;
    dc->s.cr_limit_mw = 0;
    dc->s.cr_penalty_s = 0;
    if ((dc->s.trip & MTR_DC_CAUSE_CODE_RED) == 0) {
        return commit_or_revert(dc, &before);
    }
    err = release(dc, MTR_DC_CAUSE_CODE_RED, now_ms);
    if (err != MTR_OK && (dc->s.ch[0].causes & MTR_DC_CAUSE_CODE_RED) != 0) {
        dc->s = before;
    }
    return err;
}

void mtr_disconnect_limiter_get(const struct mtr_disconnect *dc, struct mtr_dc_limiter *out)
{
    MTR_ASSERT(dc != NULL && out != NULL);
    *out = dc->s.lim;
}

void mtr_disconnect_emergency_get(const struct mtr_disconnect *dc, struct mtr_dc_emergency *out)
{
    MTR_ASSERT(dc != NULL && out != NULL);
    *out = dc->s.ep;
}

bool mtr_disconnect_emergency_active(const struct mtr_disconnect *dc, mtr_utc_t now)
{
    MTR_ASSERT(dc != NULL);
    return emergency_active(dc, now);
}

mtr_mw_t mtr_disconnect_active_threshold(const struct mtr_disconnect *dc)
{
    MTR_ASSERT(dc != NULL);
    return dc->active_thr;
}

mtr_mw_t mtr_disconnect_last_average(const struct mtr_disconnect *dc)
{
    MTR_ASSERT(dc != NULL);
    return dc->last_avg;
}

mtr_utc_t mtr_disconnect_penalty_end(const struct mtr_disconnect *dc)
{
    MTR_ASSERT(dc != NULL);
    return dc->s.trip != 0 ? dc->s.penalty_end : -1;
}

bool mtr_disconnect_exceeded(const struct mtr_disconnect *dc)
{
    MTR_ASSERT(dc != NULL);
    return dc->s.exceeded;
}
