/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The charges (class 113): the consumption charge (price per tariff plus a
 * stepped block price on the billing period's energy, active and passive),
 * time charges (standing charge, debt recovery by time) and payment charges
 * (a proportion or a fixed amount of every purchase). Every division goes
 * through a struct mtr_carry: no fraction of a minor unit is lost, it is
 * collected when it completes.
 */
#include <string.h>

#include "pp_priv.h"

#define CHARGE_CONFIG_BITS 0x03u
#define COLLECT_BITS 0x05u
#define PROPORTION_DEN 10000

mtr_err_t pp_check_unit_charge(const struct mtr_prepaid_unit_charge *uc)
{
    for (unsigned t = 0; t < MTR_CFG_TARIFFS; t++) {
        if (uc->tariff[t] < 0 || uc->tariff[t] > MTR_PREPAID_PRICE_MAX) {
            return MTR_ERR_RANGE;
        }
    }
    if (uc->blocks > MTR_PREPAID_BLOCKS) {
        return MTR_ERR_RANGE;
    }
    for (unsigned b = 0; b < uc->blocks; b++) {
        if (uc->block_price[b] < 0 || uc->block_price[b] > MTR_PREPAID_PRICE_MAX) {
            return MTR_ERR_RANGE;
        }
        if (b + 1u < uc->blocks && (uc->upper[b] <= (b == 0 ? 0 : uc->upper[b - 1]) ||
                                    uc->upper[b] > PP_TOTAL_MAX)) {
            return MTR_ERR_RANGE;
        }
    }
    return MTR_OK;
}

mtr_err_t pp_check_charge(const struct mtr_prepaid_charge_cfg *c)
{
    if (c->type == PP_CHARGE_UNUSED) {
        return MTR_OK;
    }
    if ((c->type != MTR_PREPAID_CHARGE_TIME && c->type != MTR_PREPAID_CHARGE_PAYMENT) ||
        (c->config & ~CHARGE_CONFIG_BITS) != 0 || (c->collect & ~COLLECT_BITS) != 0) {
        return MTR_ERR_INVAL;
    }
    if (c->amount < 0 || c->amount > MTR_PREPAID_AMOUNT_MAX || c->proportion > PROPORTION_DEN) {
        return MTR_ERR_RANGE;
    }
    if (c->type == MTR_PREPAID_CHARGE_TIME &&
        (c->period_s == 0 || c->period_s > PP_PERIOD_MAX_S || c->amount > PP_TIME_AMOUNT_MAX)) {
        return MTR_ERR_RANGE;
    }
    return MTR_OK;
}

static unsigned block_of(const struct mtr_prepaid_unit_charge *uc, mtr_mwh_t period)
{
    unsigned b = 0;

    while (b + 1u < uc->blocks && period >= uc->upper[b]) {
        b++;
    }
    return b;
}

static void collected(struct mtr_prepaid_charge_info *info, int64_t amount, mtr_utc_t utc)
{
    info->total_paid += amount;
    info->last_collection = amount;
    info->last_collection_utc = utc;
}

/* Price one tariff's energy, split at the block limits it crosses. */
static int64_t price_tariff(struct mtr_prepaid_state *st, unsigned t, mtr_mwh_t d)
{
    const struct mtr_prepaid_unit_charge *uc = &st->active;
    int64_t whole = 0;

    while (d > 0) {
        unsigned b = block_of(uc, st->period_mwh);
        mtr_mwh_t part = d;
        int64_t price = uc->tariff[t] + (uc->blocks > 0 ? uc->block_price[b] : 0);
        if (b + 1u < uc->blocks && uc->upper[b] - st->period_mwh < part) {
            part = uc->upper[b] - st->period_mwh;
        }
        whole += mtr_carry_add(&st->cons_carry, part * price, PP_PRICE_DEN);
        st->period_mwh += part;
        d -= part;
    }
    return whole;
}

void pp_charge_usage(struct mtr_prepaid_state *st, uint8_t unit, const struct mtr_prepaid_usage *u,
                     mtr_utc_t utc)
{
    int64_t cost = 0;
    bool active = st->account == MTR_PREPAID_ACCOUNT_ACTIVE;

    for (unsigned t = 0; t < MTR_CFG_TARIFFS; t++) {
        if (u->delta[t] == 0) {
            continue;
        }
        if (!active) {
            st->period_mwh += u->delta[t];
        } else if (unit == MTR_PREPAID_UNIT_ENERGY) {
            st->period_mwh += u->delta[t];
            cost += u->delta[t];
        } else {
            cost += price_tariff(st, t, u->delta[t]);
        }
    }
    if (cost > 0) {
        pp_debit(st, cost);
        collected(&st->cons, cost, utc);
    }
}

/* Collect up to @p whole for charge @p c; a debt charge stops at its remaining. */
static int64_t collect(struct mtr_prepaid_state *st, struct mtr_prepaid_charge *c, int64_t whole,
                       mtr_utc_t utc, uint32_t *ev)
{
    bool continuous = (c->cfg.config & MTR_PREPAID_CHG_CONTINUOUS) != 0;

    if (!continuous && whole > c->info.remaining) {
        whole = c->info.remaining;
    }
    if (whole <= 0) {
        return 0;
    }
    pp_debit(st, whole);
    collected(&c->info, whole, utc);
    if (!continuous) {
        c->info.remaining -= whole;
        if (c->info.remaining == 0) {
            c->carry.rem = 0;
            *ev |= MTR_PREPAID_EV_DEBT_CLEARED;
        }
    }
    return whole;
}

static bool collecting(const struct mtr_prepaid_state *st, const struct mtr_prepaid_charge *c,
                       bool friendly)
{
    if (!st->supply_on && (c->cfg.collect & MTR_PREPAID_COLLECT_DISCONNECTED) == 0) {
        return false;
    }
    if (friendly && (c->cfg.collect & MTR_PREPAID_COLLECT_FRIENDLY) == 0) {
        return false;
    }
    return (c->cfg.config & MTR_PREPAID_CHG_CONTINUOUS) != 0 || c->info.remaining > 0;
}

void pp_charge_time(struct mtr_prepaid_state *st, mtr_utc_t utc, bool friendly, uint32_t *ev)
{
    int64_t elapsed = st->last_utc < 0 ? 0 : utc - st->last_utc;

    if (elapsed <= 0 || st->account != MTR_PREPAID_ACCOUNT_ACTIVE) {
        return;
    }
    for (unsigned i = 0; i < MTR_PREPAID_CHARGES; i++) {
        struct mtr_prepaid_charge *c = &st->charge[i];
        if (c->cfg.type != MTR_PREPAID_CHARGE_TIME || !collecting(st, c, friendly)) {
            continue;
        }
        /* elapsed = q periods + r seconds: q*amount <= 7e16, r*amount <= 3.2e14 */
        int64_t period = c->cfg.period_s;
        int64_t whole = (elapsed / period) * c->cfg.amount;
        whole += mtr_carry_add(&c->carry, (elapsed % period) * c->cfg.amount, period);
        (void)collect(st, c, whole, utc, ev);
    }
}

int64_t pp_charge_payment(struct mtr_prepaid_state *st, int64_t amount, mtr_utc_t utc, uint32_t *ev)
{
    int64_t total = 0;

    for (unsigned i = 0; i < MTR_PREPAID_CHARGES; i++) {
        struct mtr_prepaid_charge *c = &st->charge[i];
        int64_t whole;
        if (c->cfg.type != MTR_PREPAID_CHARGE_PAYMENT ||
            ((c->cfg.config & MTR_PREPAID_CHG_CONTINUOUS) == 0 && c->info.remaining <= 0)) {
            continue;
        }
        if ((c->cfg.config & MTR_PREPAID_CHG_PERCENTAGE) != 0) {
            whole = mtr_carry_add(&c->carry, amount * c->cfg.proportion, PROPORTION_DEN);
        } else {
            whole = c->cfg.amount;
        }
        total += collect(st, c, whole, utc, ev);
    }
    return total;
}

mtr_err_t mtr_prepaid_set_passive(struct mtr_prepaid *pp, const struct mtr_prepaid_unit_charge *uc,
                                  mtr_utc_t activation_utc)
{
    mtr_err_t err;

    MTR_ASSERT(pp != NULL && uc != NULL);
    if (pp->cfg->unit == MTR_PREPAID_UNIT_ENERGY) {
        return MTR_ERR_PREPAID_UNIT;
    }
    err = pp_check_unit_charge(uc);
    if (err != MTR_OK) {
        return err;
    }
    if (activation_utc < -1 || activation_utc > PP_UTC_MAX) {
        return MTR_ERR_RANGE;
    }
    pp->s.passive = *uc;
    pp->s.passive_utc = activation_utc;
    pp->s.generation++;
    return MTR_OK;
}

mtr_err_t mtr_prepaid_activate_passive(struct mtr_prepaid *pp)
{
    MTR_ASSERT(pp != NULL);
    pp->s.active = pp->s.passive;
    pp->s.passive_utc = -1;
    pp->events |= MTR_PREPAID_EV_PRICE_ACTIVATED;
    pp->s.generation++;
    return MTR_OK;
}

const struct mtr_prepaid_unit_charge *mtr_prepaid_active_charge(const struct mtr_prepaid *pp)
{
    MTR_ASSERT(pp != NULL);
    return &pp->s.active;
}

const struct mtr_prepaid_unit_charge *mtr_prepaid_passive_charge(const struct mtr_prepaid *pp,
                                                                 mtr_utc_t *activation_utc)
{
    MTR_ASSERT(pp != NULL);
    if (activation_utc != NULL) {
        *activation_utc = pp->s.passive_utc;
    }
    return &pp->s.passive;
}

mtr_err_t mtr_prepaid_set_charge(struct mtr_prepaid *pp, unsigned idx,
                                 const struct mtr_prepaid_charge_cfg *cfg)
{
    mtr_err_t err;

    MTR_ASSERT(pp != NULL && cfg != NULL);
    if (idx >= MTR_PREPAID_CHARGES) {
        return MTR_ERR_RANGE;
    }
    if (pp->cfg->unit == MTR_PREPAID_UNIT_ENERGY && cfg->type != PP_CHARGE_UNUSED) {
        return MTR_ERR_PREPAID_UNIT;
    }
    err = pp_check_charge(cfg);
    if (err != MTR_OK) {
        return err;
    }
    pp->s.charge[idx].cfg = *cfg;
    pp->s.charge[idx].carry.rem = 0;
    pp->s.generation++;
    return MTR_OK;
}

mtr_err_t mtr_prepaid_set_debt(struct mtr_prepaid *pp, unsigned idx, int64_t amount)
{
    MTR_ASSERT(pp != NULL);
    if (idx >= MTR_PREPAID_CHARGES || amount < 0 || amount > MTR_PREPAID_AMOUNT_MAX) {
        return MTR_ERR_RANGE;
    }
    pp->s.charge[idx].info.remaining = amount;
    pp->s.generation++;
    return MTR_OK;
}

mtr_err_t mtr_prepaid_update_debt(struct mtr_prepaid *pp, unsigned idx, int64_t delta)
{
    struct mtr_prepaid_charge *c;
    int64_t v;

    MTR_ASSERT(pp != NULL);
    if (idx >= MTR_PREPAID_CHARGES || delta < -MTR_PREPAID_AMOUNT_MAX || delta > MTR_PREPAID_AMOUNT_MAX) {
        return MTR_ERR_RANGE;
    }
    c = &pp->s.charge[idx];
    v = c->info.remaining + delta;
    if (v < 0 || v > MTR_PREPAID_AMOUNT_MAX) {
        return MTR_ERR_RANGE;
    }
    if (v == 0 && c->info.remaining > 0) {
        c->carry.rem = 0;
        pp->events |= MTR_PREPAID_EV_DEBT_CLEARED;
    }
    c->info.remaining = v;
    pp->s.generation++;
    return MTR_OK;
}

mtr_err_t mtr_prepaid_charge_collect(struct mtr_prepaid *pp, unsigned idx, mtr_utc_t utc,
                                     int64_t *collected)
{
    struct mtr_prepaid_charge *c;
    int64_t got;

    MTR_ASSERT(pp != NULL);
    if (collected != NULL) {
        *collected = 0;
    }
    if (idx >= MTR_PREPAID_CHARGES || utc < 0 || utc > PP_UTC_MAX) {
        return MTR_ERR_RANGE;
    }
    c = &pp->s.charge[idx];
    if (c->cfg.type == PP_CHARGE_UNUSED || pp->s.account != MTR_PREPAID_ACCOUNT_ACTIVE ||
        (c->cfg.type == MTR_PREPAID_CHARGE_PAYMENT && (c->cfg.config & MTR_PREPAID_CHG_PERCENTAGE) != 0)) {
        return MTR_ERR_STATE;
    }
    got = collect(&pp->s, c, c->cfg.amount, utc, &pp->events);
    pp_settle(&pp->s, pp->friendly_now, &pp->events);
    pp->s.generation++;
    if (collected != NULL) {
        *collected = got;
    }
    return MTR_OK;
}

mtr_err_t mtr_prepaid_charge_config(const struct mtr_prepaid *pp, unsigned idx,
                                    struct mtr_prepaid_charge_cfg *out)
{
    MTR_ASSERT(pp != NULL && out != NULL);
    if (idx >= MTR_PREPAID_CHARGES) {
        return MTR_ERR_RANGE;
    }
    *out = pp->s.charge[idx].cfg;
    return MTR_OK;
}

mtr_err_t mtr_prepaid_charge_info(const struct mtr_prepaid *pp, unsigned idx,
                                  struct mtr_prepaid_charge_info *info)
{
    MTR_ASSERT(pp != NULL && info != NULL);
    if (idx > MTR_PREPAID_CHARGES) {
        return MTR_ERR_RANGE;
    }
    *info = idx == MTR_PREPAID_CHARGES ? pp->s.cons : pp->s.charge[idx].info;
    return MTR_OK;
}

mtr_mwh_t mtr_prepaid_period_energy(const struct mtr_prepaid *pp)
{
    MTR_ASSERT(pp != NULL);
    return pp->s.period_mwh;
}
