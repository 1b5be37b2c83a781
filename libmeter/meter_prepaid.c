/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The prepaid engine's part of the wiring (private to the aggregate): after
 * each tariff step, the A+ energy the tariff registers took per tariff goes
 * to mtr_prepaid_tick() with the clock's local weekday and hour and the
 * calendar's special days; the supply decision becomes the disconnect
 * engine's local cause MTR_DC_CAUSE_PREPAID; the prepaid blob (credit and
 * STS TID memory together) goes through the store after every accepted
 * token or payment, at every billing end, on the energy commit interval and
 * on MTR_EV_POWER_FAIL; prepaid events go to on_log.
 */
#include <string.h>

#include "meter_wire.h"

/* Prepaid needs the tariff registers (per-tariff energy) and the clock. */
#define HAVE_PP (MTR_WITH_PREPAID && MTR_WITH_CALENDAR)

#if HAVE_PP
#include "meter/clock.h"
#include "meter/prepaid.h"
#include "meter/tariff.h"
#endif
#if HAVE_PP && MTR_WITH_STORE
#include "meter/store.h"
#endif
#if HAVE_PP && MTR_WITH_DISCONNECT
#include "meter/disconnect.h"
#endif

/* "NV memory error" (seed event-codes.csv) for a refused prepaid blob. */
#define EV_NV_MEMORY_ERROR 14u

mtr_err_t meter_prepaid_check(const struct mtr_meter_engines *e)
{
#if !MTR_WITH_PREPAID
    if (e->prepaid != NULL) {
        return MTR_ERR_NOTSUP;
    }
#endif
#if !MTR_WITH_STS
    if (e->sts != NULL) {
        return MTR_ERR_NOTSUP;
    }
#endif
    if (e->prepaid == NULL) {
        /* a decoder alone would lose its TID memory: it lives in the prepaid blob */
        return e->sts != NULL ? MTR_ERR_CONFIG : MTR_OK;
    }
    return e->prepaid_cfg == NULL || e->tariff == NULL ? MTR_ERR_CONFIG : MTR_OK;
}

#if HAVE_PP

static void pp_error(struct mtr_meter *m, mtr_err_t rc)
{
    m->wire.w.step_errors++;
    m->wire.w.last_error = rc;
}

static void pp_log(struct mtr_meter *m, uint8_t source, uint16_t code, const char *name,
                   mtr_utc_t utc, int64_t value)
{
    if (m->cfg.on_log == NULL) {
        return;
    }
    struct mtr_log_record r = {.code = code,
                               .source = source,
                               .kind = MTR_LOG_EVENT,
                               .name = name,
                               .utc = utc,
                               .value = value};
    m->cfg.on_log(m, &r, m->cfg.user);
}

/* The seed's event-codes.csv has no prepaid events: the records carry code 0,
 * these names and the ::mtr_prepaid_event bit as value. */
static const char *const pp_event_names[] = {
    "Low credit",                    /* MTR_PREPAID_EV_LOW_CREDIT */
    "Out of credit",                 /* MTR_PREPAID_EV_OUT_OF_CREDIT */
    "Emergency credit selectable",   /* MTR_PREPAID_EV_EC_SELECTABLE */
    "Emergency credit invoked",      /* MTR_PREPAID_EV_EC_INVOKED */
    "Supply disallowed",             /* MTR_PREPAID_EV_SUPPLY_OFF */
    "Supply allowed",                /* MTR_PREPAID_EV_SUPPLY_ON */
    "Passive unit charge activated", /* MTR_PREPAID_EV_PRICE_ACTIVATED */
    "Debt cleared",                  /* MTR_PREPAID_EV_DEBT_CLEARED */
    "Credit added",                  /* MTR_PREPAID_EV_CREDIT_ADDED */
};

static void log_events(struct mtr_meter *m, uint32_t events, mtr_utc_t utc)
{
    for (unsigned b = 0; b < sizeof pp_event_names / sizeof pp_event_names[0]; b++) {
        if ((events & (1u << b)) != 0) {
            pp_log(m, MTR_LOG_PREPAID, 0, pp_event_names[b], utc, (int64_t)(1u << b));
        }
    }
}

static mtr_utc_t now_utc(struct mtr_meter *m)
{
    struct mtr_clock_view v;
    if (mtr_clock_now(m->wire.e.clock, &v) == MTR_OK) {
        m->wire.last_utc = v.utc;
    }
    return m->wire.last_utc;
}

/* ------------------------------------------------------------- the blob */

static bool pp_persists(const struct mtr_meter *m)
{
#if MTR_WITH_STORE
    return m->wire.e.store != NULL && m->wire.e.prepaid_part != 0;
#else
    (void)m;
    return false;
#endif
}

/* Commit the blob; a failure is counted and retried at the next step. */
static mtr_err_t pp_commit(struct mtr_meter *m, mtr_ms_t now)
{
    if (!pp_persists(m)) {
        return MTR_ERR_NOTSUP;
    }
#if MTR_WITH_STORE
    uint8_t blob[MTR_PREPAID_STATE_SIZE];
    size_t len = 0;
    mtr_err_t rc = mtr_prepaid_save(m->wire.e.prepaid, blob, sizeof blob, &len);
    if (rc == MTR_OK) {
        rc = mtr_store_commit(m->wire.e.store, m->wire.e.prepaid_part, blob, len);
    }
    if (rc == MTR_OK) {
        m->wire.w.prepaid_commits++;
        m->wire.pp_commit_ms = now;
        m->wire.pp_dirty = false;
    } else {
        m->wire.w.prepaid_commit_errors++;
        m->wire.w.last_error = rc;
        m->wire.pp_dirty = true;
    }
    return rc;
#else
    (void)now;
    return MTR_ERR_NOTSUP;
#endif
}

static uint8_t pp_restore(struct mtr_meter *m)
{
#if MTR_WITH_STORE
    uint8_t blob[MTR_PREPAID_STATE_SIZE];
    size_t len = 0;
    const struct mtr_meter_engines *e = &m->wire.e;
    mtr_err_t rc = mtr_store_load(e->store, e->prepaid_part, blob, sizeof blob, &len, NULL);
    if (rc == MTR_ERR_NOENT) {
        return MTR_RESTORE_MISSING;
    }
    if (rc == MTR_OK) {
        rc = mtr_prepaid_load(e->prepaid, blob, len);
    }
    if (rc != MTR_OK) {
        /* the engine keeps its default (mtr_prepaid_init()), the decoder its own */
        pp_log(m, MTR_LOG_METER, EV_NV_MEMORY_ERROR, "NV memory error", m->wire.last_utc,
               e->prepaid_part);
        return MTR_RESTORE_REFUSED;
    }
    return MTR_RESTORE_OK;
#else
    (void)m;
    return MTR_RESTORE_NONE;
#endif
}

/* --------------------------------------------------------------- supply */

/* The decision of the engine as the local cause "prepaid" of channel 0;
 * reconnection then follows the disconnect control mode. */
static void apply_supply(struct mtr_meter *m, mtr_ms_t now)
{
#if MTR_WITH_DISCONNECT
    struct mtr_disconnect *dc = m->wire.e.disconnect;
    if (dc == NULL) {
        return;
    }
    bool allowed = mtr_prepaid_supply(m->wire.e.prepaid).allowed;
    bool held = (mtr_disconnect_causes(dc, 0) & MTR_DC_CAUSE_PREPAID) != 0;
    mtr_err_t rc = MTR_OK;
    if (!allowed && !held) {
        rc = mtr_disconnect_local_set(dc, 0, MTR_DC_CAUSE_PREPAID, now);
        if (rc == MTR_ERR_DISCONNECT_FORBIDDEN || rc == MTR_ERR_NOTSUP) {
            rc = MTR_OK; /* the mode (0) allows no local disconnection, or no relay */
        }
    } else if (allowed && held) {
        rc = mtr_disconnect_local_clear(dc, 0, MTR_DC_CAUSE_PREPAID, now);
    }
    if (rc != MTR_OK) {
        pp_error(m, rc); /* tried again at the next step */
    }
#else
    (void)m;
    (void)now;
#endif
}

/* An accepted "set maximum power limit" token (IEC 62055-41 class 2
 * subclass 0, the value in W) becomes the limiter's normal threshold. A value
 * outside the limiter's range (1..75 kW) is refused by the limiter and counted. */
static void apply_management(struct mtr_meter *m, const struct mtr_prepaid_token_result *r)
{
#if MTR_WITH_DISCONNECT
    struct mtr_disconnect *dc = m->wire.e.disconnect;
    if (dc == NULL || r->sts.status != MTR_STS_MGMT_ACCEPTED ||
        r->sts.token.cls != MTR_STS_CLASS_MGMT ||
        r->sts.token.subclass != MTR_STS_MGMT_SET_MAX_POWER) {
        return;
    }
    struct mtr_dc_limiter lim;
    mtr_disconnect_limiter_get(dc, &lim);
    lim.normal_mw = (mtr_mw_t)r->sts.value * 1000;
    mtr_err_t rc = mtr_disconnect_limiter_set(dc, &lim);
    if (rc != MTR_OK) {
        pp_error(m, rc);
    }
#else
    (void)m;
    (void)r;
#endif
}

/* ----------------------------------------------------------------- step */

static bool special_today(const struct mtr_calendar *cal, const struct mtr_datetime *local)
{
    struct mtr_special_day sd;
    if (cal == NULL) {
        return false;
    }
    for (uint16_t i = 0; mtr_calendar_special_get(cal, i, &sd); i++) {
        if (sd.month == local->month && sd.day == local->day &&
            (sd.year == MTR_SPECIAL_EVERY_YEAR || sd.year == local->year)) {
            return true;
        }
    }
    return false;
}

static mtr_err_t pp_tick(struct mtr_meter *m, const struct mtr_prepaid_input *in,
                         struct mtr_prepaid_output *out)
{
    struct mtr_prepaid *pp = m->wire.e.prepaid;
    mtr_err_t rc = mtr_prepaid_tick(pp, in, out);
    if (rc == MTR_ERR_PREPAID_TIME) {
        /* the RTC went back without the clock engine knowing (HAL set) */
        rc = mtr_prepaid_time_set(pp, in->utc);
        if (rc == MTR_OK) {
            rc = mtr_prepaid_tick(pp, in, out);
        }
    }
    return rc;
}

/* Tick with the A+ energy the tariff registered per tariff since the last
 * tick, in slices the engine takes (MTR_PREPAID_DELTA_MAX_MWH per tariff). */
static void tick_usage(struct mtr_meter *m, const struct mtr_prepaid_input *base)
{
    const struct mtr_registers *regs = mtr_tariff_registers(m->wire.e.tariff);
    int64_t cur[MTR_CFG_TARIFFS];
    int64_t left[MTR_CFG_TARIFFS];
    struct mtr_prepaid_usage u;
    struct mtr_prepaid_output out;
    for (unsigned t = 0; t < MTR_CFG_TARIFFS; t++) {
        cur[t] = mtr_registers_tariff(regs, MTR_Q_A_IMP, t + 1u);
        left[t] = cur[t] > m->wire.pp_seen[t] ? cur[t] - m->wire.pp_seen[t] : 0;
    }
    struct mtr_prepaid_input in = *base;
    in.usage = &u;
    bool more = true;
    while (more) {
        more = false;
        for (unsigned t = 0; t < MTR_CFG_TARIFFS; t++) {
            u.delta[t] = left[t] < MTR_PREPAID_DELTA_MAX_MWH ? left[t] : MTR_PREPAID_DELTA_MAX_MWH;
        }
        mtr_err_t rc = pp_tick(m, &in, &out);
        if (rc != MTR_OK) {
            pp_error(m, rc); /* what is not charged yet goes with the next step */
            return;
        }
        log_events(m, out.events, in.utc);
        for (unsigned t = 0; t < MTR_CFG_TARIFFS; t++) {
            left[t] -= u.delta[t];
            m->wire.pp_seen[t] = cur[t] - left[t];
            more = more || left[t] > 0;
        }
    }
}

void meter_prepaid_step(struct mtr_meter *m, const struct mtr_clock_view *v, mtr_ms_t now,
                        bool clock_moved)
{
    struct mtr_prepaid *pp = m->wire.e.prepaid;
    if (pp == NULL || m->wire.e.tariff == NULL) {
        return;
    }
    mtr_err_t rc;
    if (clock_moved && (rc = mtr_prepaid_time_set(pp, v->utc)) != MTR_OK) {
        pp_error(m, rc);
    }
    struct mtr_prepaid_input in = {
        .utc = v->utc,
        .now_ms = now,
        .weekday = (uint8_t)(v->local.weekday - 1u), /* ISO 1..7 -> 0 = Monday */
        .hour = v->local.hour,
        .special_day = special_today(m->wire.e.calendar, &v->local),
        .inputs = m->inputs,
    };
    tick_usage(m, &in);
    apply_supply(m, now);
    /* The blocks restart with the billing period; committed at once, before
     * the register snapshot of the same step, so that no restart loses it. */
    uint32_t billing = mtr_tariff_billing_count(m->wire.e.tariff);
    bool billed = billing != m->wire.pp_billing_seen;
    if (billed) {
        (void)mtr_prepaid_billing_reset(pp);
        m->wire.pp_billing_seen = billing;
    }
    if (!pp_persists(m) || (m->power_failing && !m->wire.pp_dirty)) {
        return;
    }
    if (billed || m->wire.pp_dirty ||
        mtr_ms_elapsed(now, m->wire.pp_commit_ms) >=
            (uint32_t)MTR_CFG_STORE_ENERGY_COMMIT_S * 1000u) {
        (void)pp_commit(m, now);
    }
}

mtr_err_t meter_prepaid_init(struct mtr_meter *m)
{
    const struct mtr_meter_engines *e = &m->wire.e;
    mtr_ms_t now;
    if (e->prepaid == NULL) {
        return MTR_OK;
    }
    if (m->hal.clock->ms_now(m->hal.ctx, &now) != MTR_OK) {
        return MTR_ERR_IO;
    }
    mtr_err_t rc = mtr_prepaid_init(e->prepaid, e->prepaid_cfg, e->sts);
    if (rc != MTR_OK) {
        return rc;
    }
    m->wire.w.prepaid_restore = pp_persists(m) ? pp_restore(m) : MTR_RESTORE_NONE;
    const struct mtr_registers *regs = mtr_tariff_registers(e->tariff);
    for (unsigned t = 0; t < MTR_CFG_TARIFFS; t++) {
        m->wire.pp_seen[t] = mtr_registers_tariff(regs, MTR_Q_A_IMP, t + 1u);
    }
    m->wire.pp_billing_seen = mtr_tariff_billing_count(e->tariff);
    m->wire.pp_commit_ms = now;
    m->wire.pp_dirty = false;
    return MTR_OK;
}

void meter_prepaid_power_fail(struct mtr_meter *m)
{
    mtr_ms_t now;
    if (m->wire.active && m->wire.e.prepaid != NULL && pp_persists(m) &&
        m->hal.clock->ms_now(m->hal.ctx, &now) == MTR_OK) {
        (void)pp_commit(m, now);
    }
}

/* ------------------------------------------------------------ public API */

static bool pp_wired(const struct mtr_meter *m)
{
    return m->wire.active && m->wire.e.prepaid != NULL;
}

/* After an accepted token or payment: commit the blob, and let a purchase
 * reconnect at once (the next step would otherwise). */
static void after_purchase(struct mtr_meter *m)
{
    mtr_ms_t now;
    if (m->hal.clock->ms_now(m->hal.ctx, &now) != MTR_OK) {
        m->stats.hal_errors++;
        m->wire.pp_dirty = pp_persists(m); /* committed at the next step */
        return;
    }
    (void)pp_commit(m, now);
    apply_supply(m, now);
}

mtr_err_t mtr_meter_token_submit(struct mtr_meter *m, const char *digits, size_t len,
                                 uint8_t delivery, struct mtr_prepaid_token_result *r)
{
    MTR_ASSERT(m != NULL && r != NULL);
    if (!pp_wired(m)) {
        memset(r, 0, sizeof *r);
        r->delivery = (enum mtr_prepaid_delivery)delivery;
        r->sts.status = MTR_STS_REJECT_FAULT;
        r->gw = MTR_PREPAID_GW_EXECUTION_FAILURE;
        return MTR_ERR_NOTSUP;
    }
    mtr_err_t rc = mtr_prepaid_token_submit(m->wire.e.prepaid, digits, len,
                                            (enum mtr_prepaid_delivery)delivery, now_utc(m), r);
    if (rc == MTR_OK) {
        after_purchase(m);
        apply_management(m, r);
    }
    return rc;
}

mtr_err_t mtr_meter_payment(struct mtr_meter *m, unsigned credit_type, int64_t amount,
                            struct mtr_prepaid_token_result *r)
{
    MTR_ASSERT(m != NULL);
    if (!pp_wired(m)) {
        return MTR_ERR_NOTSUP;
    }
    if (credit_type >= MTR_PREPAID_CREDITS) {
        return MTR_ERR_INVAL;
    }
    mtr_err_t rc = mtr_prepaid_payment(m->wire.e.prepaid, (enum mtr_prepaid_credit_type)credit_type,
                                       amount, now_utc(m), r);
    if (rc == MTR_OK) {
        after_purchase(m);
    }
    return rc;
}

mtr_err_t mtr_meter_prepaid_commit(struct mtr_meter *m)
{
    MTR_ASSERT(m != NULL);
    mtr_ms_t now;
    if (!pp_wired(m) || !pp_persists(m)) {
        return MTR_ERR_NOTSUP;
    }
    if (m->hal.clock->ms_now(m->hal.ctx, &now) != MTR_OK) {
        m->stats.hal_errors++;
        return MTR_ERR_IO;
    }
    return pp_commit(m, now);
}

#else /* !HAVE_PP: the engine is not built (or cannot be given: no tariff) */

void meter_prepaid_step(struct mtr_meter *m, const struct mtr_clock_view *v, mtr_ms_t now,
                        bool clock_moved)
{
    (void)m;
    (void)v;
    (void)now;
    (void)clock_moved;
}

mtr_err_t meter_prepaid_init(struct mtr_meter *m)
{
    (void)m;
    return MTR_OK;
}

void meter_prepaid_power_fail(struct mtr_meter *m)
{
    (void)m;
}

mtr_err_t mtr_meter_token_submit(struct mtr_meter *m, const char *digits, size_t len,
                                 uint8_t delivery, struct mtr_prepaid_token_result *r)
{
    MTR_ASSERT(m != NULL && r != NULL);
    (void)digits;
    (void)len;
    (void)delivery;
    return MTR_ERR_NOTSUP;
}

mtr_err_t mtr_meter_payment(struct mtr_meter *m, unsigned credit_type, int64_t amount,
                            struct mtr_prepaid_token_result *r)
{
    MTR_ASSERT(m != NULL);
    (void)credit_type;
    (void)amount;
    (void)r;
    return MTR_ERR_NOTSUP;
}

mtr_err_t mtr_meter_prepaid_commit(struct mtr_meter *m)
{
    MTR_ASSERT(m != NULL);
    return MTR_ERR_NOTSUP;
}

#endif
