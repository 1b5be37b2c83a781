/* SPDX-License-Identifier: Apache-2.0 */
/* The tariff engine: one step moves registers, demand and billing forward. */
#include <string.h>

#include "calendar_priv.h"
#include "tariff_priv.h"

static void check_t(const struct mtr_tariff *t)
{
    MTR_ASSERT(t != NULL && t->magic == CAL_TARIFF_MAGIC);
}

static mtr_err_t check_sel(const struct mtr_tariff_sel *sel)
{
    if (sel->tariff < 1 || sel->tariff > MTR_CFG_TARIFFS ||
        tariff_mask_index(sel->masks.energy) < 0 || tariff_mask_index(sel->masks.demand) < 0) {
        return MTR_ERR_CALENDAR_TARIFF;
    }
    return MTR_OK;
}

static int64_t local_of(const struct mtr_clock_view *now)
{
    return now->utc + now->offset_s;
}

mtr_err_t mtr_tariff_init(struct mtr_tariff *t, const struct mtr_tariff_config *cfg,
                          const struct mtr_clock_view *now, const struct mtr_tariff_sel *sel)
{
    MTR_ASSERT(t != NULL && cfg != NULL && now != NULL && sel != NULL);
    mtr_err_t err = mtr_demand_check(&cfg->demand);
    if (err == MTR_OK) {
        err = billing_check(&cfg->billing);
    }
    if (err == MTR_OK) {
        err = check_sel(sel);
    }
    if (err != MTR_OK) {
        return err;
    }
    memset(t, 0, sizeof *t);
    t->cfg = *cfg;
    t->dm.cfg = cfg->demand;
    t->dm.next = cfg->demand;
    t->sel = *sel;
    t->seen_seq = now->change_seq;
    t->last_utc = now->utc;
    t->billing_last = billing_latest(&cfg->billing, local_of(now));
    demand_start(&t->dm, now, 0);
    t->magic = CAL_TARIFF_MAGIC;
    return MTR_OK;
}

size_t mtr_tariff_size(void)
{
    return sizeof(struct mtr_tariff);
}

static void billing_close(struct mtr_tariff *t, const struct mtr_clock_view *now, uint8_t cause,
                          int64_t boundary)
{
    static const uint16_t codes[] = {0, MTR_BILLING_EV_REGULAR, MTR_BILLING_EV_REMOTE,
                                     MTR_BILLING_EV_MANUAL};
    t->billing_count++;
    if (t->cfg.on_billing != NULL) {
        struct mtr_billing_capture cap = {.period = t->billing_count,
                                          .cause = cause,
                                          .utc = now->utc,
                                          .boundary_local = boundary,
                                          .clock_status = now->status,
                                          .reg = &t->reg,
                                          .demand = &t->dm};
        t->cfg.on_billing(t->cfg.user, &cap);
    }
    cal_emit(t->cfg.on_event, t->cfg.user, codes[cause], MTR_CLOCK_BY_CALENDAR, now->utc, now->utc);
    demand_billing_reset(&t->dm);
}

static void billing_poll(struct mtr_tariff *t, const struct mtr_clock_view *now)
{
    if (!t->cfg.billing.enabled || (now->status & MTR_CLOCK_ST_INVALID)) {
        return;
    }
    /* Boundaries crossed by a jump end one period; a boundary already
     * closed is never closed again, even when the clock goes back. */
    int64_t b = billing_latest(&t->cfg.billing, local_of(now));
    if (b > t->billing_last) {
        t->billing_last = b;
        billing_close(t, now, MTR_BILLING_BY_SCHEDULE, b);
    }
}

static void follow(struct mtr_tariff *t, const struct mtr_clock_view *now)
{
    t->seen_seq = now->change_seq;
    t->last_utc = now->utc;
}

mtr_err_t mtr_tariff_step(struct mtr_tariff *t, const struct mtr_clock_view *now,
                          const struct mtr_energy_delta *d, const struct mtr_tariff_sel *next)
{
    check_t(t);
    MTR_ASSERT(now != NULL && d != NULL && next != NULL);
    mtr_err_t err = check_sel(next);
    if (err == MTR_OK) {
        err = mtr_registers_add(&t->reg, t->sel.masks.energy, d);
    }
    if (err != MTR_OK) {
        return err;
    }
    int didx = tariff_mask_index(t->sel.masks.demand);
    demand_add(&t->dm, d);
    if (now->change_seq != t->seen_seq || now->utc < t->last_utc) {
        demand_interrupt(&t->dm, now, MTR_DEMAND_ST_CLOCK, didx);
    } else {
        demand_advance(&t->dm, now, didx);
    }
    billing_poll(t, now);
    t->sel = *next;
    follow(t, now);
    return MTR_OK;
}

mtr_err_t mtr_tariff_billing_end(struct mtr_tariff *t, const struct mtr_clock_view *now,
                                 uint8_t cause)
{
    check_t(t);
    MTR_ASSERT(now != NULL);
    if (cause != MTR_BILLING_BY_COMMAND && cause != MTR_BILLING_BY_BUTTON) {
        return MTR_ERR_INVAL;
    }
    billing_close(t, now, cause, 0);
    return MTR_OK;
}

void mtr_tariff_power_restored(struct mtr_tariff *t, const struct mtr_clock_view *now)
{
    check_t(t);
    MTR_ASSERT(now != NULL);
    demand_interrupt(&t->dm, now, MTR_DEMAND_ST_POWER, tariff_mask_index(t->sel.masks.demand));
    billing_poll(t, now);
    follow(t, now);
}

mtr_utc_t mtr_tariff_next_deadline(const struct mtr_tariff *t)
{
    check_t(t);
    return t->dm.end;
}

const struct mtr_registers *mtr_tariff_registers(const struct mtr_tariff *t)
{
    check_t(t);
    return &t->reg;
}

const struct mtr_demand *mtr_tariff_demand(const struct mtr_tariff *t)
{
    check_t(t);
    return &t->dm;
}

uint32_t mtr_tariff_billing_count(const struct mtr_tariff *t)
{
    check_t(t);
    return t->billing_count;
}

mtr_err_t mtr_tariff_set_billing(struct mtr_tariff *t, const struct mtr_billing_schedule *s,
                                 const struct mtr_clock_view *now)
{
    check_t(t);
    MTR_ASSERT(s != NULL && now != NULL);
    mtr_err_t err = billing_check(s);
    if (err != MTR_OK) {
        return err;
    }
    /* a boundary of the new schedule already past is not closed: the next
     * end is its first boundary after now (never one closed before) */
    int64_t b = billing_latest(s, local_of(now));
    if (b > t->billing_last) {
        t->billing_last = b;
    }
    t->cfg.billing = *s;
    return MTR_OK;
}

void mtr_tariff_billing_schedule(const struct mtr_tariff *t, struct mtr_billing_schedule *out)
{
    check_t(t);
    MTR_ASSERT(out != NULL);
    *out = t->cfg.billing;
}

mtr_err_t mtr_tariff_set_demand(struct mtr_tariff *t, const struct mtr_demand_config *cfg)
{
    check_t(t);
    MTR_ASSERT(cfg != NULL);
    mtr_err_t err = mtr_demand_check(cfg);
    if (err != MTR_OK) {
        return err;
    }
    /* applied by demand_start() when the running sub-period has ended */
    t->dm.next = *cfg;
    t->cfg.demand = *cfg;
    return MTR_OK;
}

void mtr_tariff_demand_config(const struct mtr_tariff *t, struct mtr_demand_config *out)
{
    check_t(t);
    MTR_ASSERT(out != NULL);
    *out = t->dm.next;
}

/* --------------------------------------- methods of the demand objects */

/* A time the demand objects can be reset at (tariff.h: the methods). */
static mtr_err_t check_method_now(const struct mtr_clock_view *now)
{
    if (now->utc < MTR_UTC_MIN || now->utc > MTR_UTC_MAX) {
        return MTR_ERR_RANGE;
    }
    return (now->status & MTR_CLOCK_ST_INVALID) ? MTR_ERR_STATE : MTR_OK;
}

/* Demand brought to @p now as mtr_tariff_step() does, without energy. */
static void demand_catch_up(struct mtr_tariff *t, const struct mtr_clock_view *now)
{
    int didx = tariff_mask_index(t->sel.masks.demand);
    if (now->change_seq != t->seen_seq || now->utc < t->last_utc) {
        demand_interrupt(&t->dm, now, MTR_DEMAND_ST_CLOCK, didx);
    } else {
        demand_advance(&t->dm, now, didx);
    }
    follow(t, now);
}

/* The running sub-period ends at @p now, not counted; a new one starts. */
static void demand_restart(struct mtr_demand *dm, const struct mtr_clock_view *now)
{
    if (dm->start < now->utc) {
        dm->short_periods++;
    }
    dm->last_status = (uint8_t)(dm->flags | MTR_DEMAND_ST_SHORT);
    dm->last_time = now->utc;
    /* the window of full sub-periods is broken */
    memset(dm->ring, 0, sizeof dm->ring);
    dm->ring_n = 0;
    dm->ring_pos = 0;
    demand_start(dm, now, 0);
}

mtr_err_t mtr_tariff_max_reset(struct mtr_tariff *t, unsigned q, unsigned tariff,
                               const struct mtr_clock_view *now)
{
    check_t(t);
    MTR_ASSERT(now != NULL);
    if (q >= MTR_DEMAND_QUANTITIES || tariff > MTR_CFG_TARIFFS) {
        return MTR_ERR_RANGE;
    }
    mtr_err_t err = check_method_now(now);
    if (err != MTR_OK) {
        return err;
    }
    /* a window that ended before the reset makes its maximum first, and is reset with it */
    demand_catch_up(t, now);
    t->dm.max[q][tariff] = (struct mtr_demand_max){0, now->utc};
    return MTR_OK;
}

mtr_err_t mtr_tariff_demand_reset(struct mtr_tariff *t, const struct mtr_clock_view *now)
{
    check_t(t);
    MTR_ASSERT(now != NULL);
    mtr_err_t err = check_method_now(now);
    if (err != MTR_OK) {
        return err;
    }
    demand_catch_up(t, now);
    memset(t->dm.last_avg, 0, sizeof t->dm.last_avg);
    demand_restart(&t->dm, now);
    t->dm.last_status = MTR_DEMAND_ST_SHORT; /* a default value, not a measured window */
    return MTR_OK;
}

mtr_err_t mtr_tariff_demand_next_period(struct mtr_tariff *t, const struct mtr_clock_view *now)
{
    check_t(t);
    MTR_ASSERT(now != NULL);
    mtr_err_t err = check_method_now(now);
    if (err != MTR_OK) {
        return err;
    }
    demand_catch_up(t, now);
    struct mtr_demand *dm = &t->dm;
    if (dm->start >= now->utc) {
        return MTR_OK; /* a boundary (or a clock change) ended the period at now */
    }
    for (unsigned q = 0; q < MTR_DEMAND_QUANTITIES; q++) {
        dm->last_avg[q] = mtr_demand_current(dm, q);
    }
    demand_restart(dm, now);
    return MTR_OK;
}
