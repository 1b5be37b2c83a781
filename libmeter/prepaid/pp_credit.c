/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The credits (class 112): drawing them in priority order, their statuses,
 * emergency credit (selectable, invoked, paid back), allowances topped up
 * by time or by billing period, and purchases.
 */
#include <string.h>

#include "pp_priv.h"

#define CREDIT_CONFIG_BITS 0x1Fu
#define PRIORITY_MAX 5u

static int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

mtr_err_t pp_check_credit(unsigned type, const struct mtr_prepaid_credit_cfg *c)
{
    if (type >= MTR_PREPAID_CREDITS || c->priority > PRIORITY_MAX ||
        (c->config & ~CREDIT_CONFIG_BITS) != 0) {
        return MTR_ERR_INVAL;
    }
    if (type == MTR_PREPAID_CREDIT_TOKEN && c->priority == 0) {
        return MTR_ERR_INVAL;
    }
    if (c->preset < 0 || c->preset > MTR_PREPAID_AMOUNT_MAX || c->limit < 0 ||
        c->limit > MTR_PREPAID_AMOUNT_MAX || c->warning_threshold > MTR_PREPAID_AMOUNT_MAX ||
        c->warning_threshold < -MTR_PREPAID_AMOUNT_MAX ||
        c->available_threshold > MTR_PREPAID_AMOUNT_MAX ||
        c->available_threshold < -MTR_PREPAID_AMOUNT_MAX || c->period_utc < -1 ||
        c->period_utc > PP_UTC_MAX || c->repeat_s > PP_PERIOD_MAX_S) {
        return MTR_ERR_RANGE;
    }
    return MTR_OK;
}

static bool drawable(const struct mtr_prepaid_state *st, unsigned type)
{
    const struct mtr_prepaid_credit *c = &st->credit[type];

    if (c->cfg.priority == 0 || c->amount <= 0) {
        return false;
    }
    return type != MTR_PREPAID_CREDIT_EMERGENCY || c->status == MTR_PREPAID_CS_INVOKED ||
           c->status == MTR_PREPAID_CS_IN_USE;
}

/* Collect @p amount from the credits, priority 1 first; what they cannot
 * cover takes the token credit below zero (friendly periods, debts). */
void pp_debit(struct mtr_prepaid_state *st, int64_t amount)
{
    if (amount <= 0) {
        return;
    }
    st->ledger.consumed += amount;
    for (unsigned prio = 1; prio <= PRIORITY_MAX && amount > 0; prio++) {
        for (unsigned i = 0; i < MTR_PREPAID_CREDITS && amount > 0; i++) {
            struct mtr_prepaid_credit *c = &st->credit[i];
            if (c->cfg.priority != prio || !drawable(st, i)) {
                continue;
            }
            int64_t take = min64(amount, c->amount);
            c->amount -= take;
            amount -= take;
            if (i == MTR_PREPAID_CREDIT_EMERGENCY) {
                c->status = MTR_PREPAID_CS_IN_USE;
            }
        }
    }
    st->credit[MTR_PREPAID_CREDIT_TOKEN].amount -= amount;
}

static bool ec_configured(const struct mtr_prepaid_credit *ec)
{
    return ec->cfg.priority != 0 && ec->cfg.preset > 0;
}

static void ec_status(struct mtr_prepaid_state *st, uint32_t *ev)
{
    struct mtr_prepaid_credit *ec = &st->credit[MTR_PREPAID_CREDIT_EMERGENCY];
    int64_t others;

    switch (ec->status) {
    case MTR_PREPAID_CS_INVOKED:
    case MTR_PREPAID_CS_IN_USE:
        if (ec->amount <= 0) {
            ec->status = MTR_PREPAID_CS_CONSUMED;
        }
        return;
    case MTR_PREPAID_CS_CONSUMED:
        return; /* until a purchase clears what is owed */
    default:
        break;
    }
    others = pp_available(st);
    if (ec_configured(ec) && pp_prepay_active(st) && st->ec_owed == 0 && ec->amount == 0 &&
        others <= ec->cfg.available_threshold) {
        ec->status = MTR_PREPAID_CS_SELECTABLE;
        if ((ec->cfg.config & MTR_PREPAID_CC_CONFIRMATION) == 0) {
            (void)pp_ec_invoke(st, ev);
        }
    } else {
        ec->status = MTR_PREPAID_CS_ENABLED;
    }
}

void pp_credit_statuses(struct mtr_prepaid_state *st, uint32_t *ev)
{
    uint32_t dummy = 0;

    for (unsigned i = 0; i < MTR_PREPAID_CREDITS; i++) {
        struct mtr_prepaid_credit *c = &st->credit[i];
        if (i == MTR_PREPAID_CREDIT_EMERGENCY) {
            continue;
        }
        if (c->cfg.priority == 0) {
            c->status = MTR_PREPAID_CS_ENABLED;
        } else {
            c->status = c->amount > 0 ? MTR_PREPAID_CS_IN_USE : MTR_PREPAID_CS_CONSUMED;
        }
    }
    ec_status(st, ev != NULL ? ev : &dummy);
}

bool pp_ec_invoke(struct mtr_prepaid_state *st, uint32_t *ev)
{
    struct mtr_prepaid_credit *ec = &st->credit[MTR_PREPAID_CREDIT_EMERGENCY];

    if (ec->status != MTR_PREPAID_CS_SELECTABLE) {
        return false;
    }
    ec->amount += ec->cfg.preset;
    if ((ec->cfg.config & MTR_PREPAID_CC_PAID_BACK) != 0) {
        st->ec_owed += ec->cfg.preset;
    } else {
        st->ledger.granted += ec->cfg.preset;
    }
    ec->status = MTR_PREPAID_CS_INVOKED;
    *ev |= MTR_PREPAID_EV_EC_INVOKED;
    return true;
}

/* The unused emergency credit is taken back, the used part is repaid from
 * the token credit as far as it goes; what remains owed is debt. */
static int64_t ec_payback(struct mtr_prepaid_state *st)
{
    struct mtr_prepaid_credit *ec = &st->credit[MTR_PREPAID_CREDIT_EMERGENCY];
    struct mtr_prepaid_credit *tok = &st->credit[MTR_PREPAID_CREDIT_TOKEN];
    int64_t repay = 0;

    if (st->ec_owed > 0) {
        int64_t cancel = min64(ec->amount > 0 ? ec->amount : 0, st->ec_owed);
        ec->amount -= cancel;
        st->ec_owed -= cancel;
        repay = min64(st->ec_owed, tok->amount > 0 ? tok->amount : 0);
        tok->amount -= repay;
        st->ec_owed -= repay;
    }
    if (st->ec_owed == 0 && ec->amount <= 0) {
        ec->status = MTR_PREPAID_CS_ENABLED;
    } else if (st->ec_owed > 0) {
        ec->status = MTR_PREPAID_CS_CONSUMED;
    }
    return repay;
}

void pp_purchase(struct mtr_prepaid_state *st, unsigned type, int64_t amount, mtr_utc_t utc,
                 struct mtr_prepaid_token_result *r, uint32_t *ev)
{
    st->credit[type].amount += amount;
    st->ledger.bought += amount;
    r->credited = amount;
    r->to_charges = pp_charge_payment(st, amount, utc, ev);
    r->paid_back = ec_payback(st);
    *ev |= MTR_PREPAID_EV_CREDIT_ADDED;
}

static void top_up(struct mtr_prepaid_state *st, unsigned type)
{
    struct mtr_prepaid_credit *c = &st->credit[type];

    if (c->cfg.priority != 0 && c->amount < c->cfg.preset) {
        st->ledger.granted += c->cfg.preset - c->amount;
        c->amount = c->cfg.preset;
    }
}

/* Blue Book class 112 attribute 11: a time- or consumption-based credit is
 * topped up to its preset at its period (a date-time). The top-up waits while
 * the account is not prepaid and active or the credit is unused; then the
 * period moves on by repeat_s past @p utc, or ends (-1). */
void pp_period_credits(struct mtr_prepaid_state *st, mtr_utc_t utc)
{
    static const uint8_t types[2] = {MTR_PREPAID_CREDIT_TIME_BASED, MTR_PREPAID_CREDIT_CONSUMPTION};

    for (unsigned k = 0; k < 2; k++) {
        struct mtr_prepaid_credit *c = &st->credit[types[k]];
        int64_t at = c->cfg.period_utc;
        int64_t repeat = c->cfg.repeat_s;
        if (at <= 0 || utc < at || c->cfg.priority == 0 || !pp_prepay_active(st)) {
            continue;
        }
        top_up(st, types[k]);
        at = repeat == 0 ? -1 : at + ((utc - at) / repeat + 1) * repeat;
        c->cfg.period_utc = at > PP_UTC_MAX ? -1 : at;
    }
}

mtr_err_t mtr_prepaid_billing_reset(struct mtr_prepaid *pp)
{
    MTR_ASSERT(pp != NULL);
    pp->s.period_mwh = 0;
    if (pp_prepay_active(&pp->s)) {
        top_up(&pp->s, MTR_PREPAID_CREDIT_CONSUMPTION);
    }
    pp_settle(&pp->s, pp->friendly_now, &pp->events);
    pp->s.generation++;
    return MTR_OK;
}

mtr_err_t mtr_prepaid_set_credit(struct mtr_prepaid *pp, enum mtr_prepaid_credit_type type,
                                 const struct mtr_prepaid_credit_cfg *cfg)
{
    mtr_err_t err;

    MTR_ASSERT(pp != NULL && cfg != NULL);
    err = pp_check_credit((unsigned)type, cfg);
    if (err != MTR_OK) {
        return err;
    }
    pp->s.credit[type].cfg = *cfg;
    pp_settle(&pp->s, pp->friendly_now, &pp->events);
    pp->s.generation++;
    return MTR_OK;
}

void mtr_prepaid_credit_config(const struct mtr_prepaid *pp, enum mtr_prepaid_credit_type type,
                               struct mtr_prepaid_credit_cfg *out)
{
    MTR_ASSERT(pp != NULL && out != NULL && (unsigned)type < MTR_PREPAID_CREDITS);
    *out = pp->s.credit[type].cfg;
}

int64_t mtr_prepaid_credit_amount(const struct mtr_prepaid *pp, enum mtr_prepaid_credit_type type)
{
    MTR_ASSERT(pp != NULL && (unsigned)type < MTR_PREPAID_CREDITS);
    return pp->s.credit[type].amount;
}

enum mtr_prepaid_credit_status mtr_prepaid_credit_status(const struct mtr_prepaid *pp,
                                                         enum mtr_prepaid_credit_type type)
{
    MTR_ASSERT(pp != NULL && (unsigned)type < MTR_PREPAID_CREDITS);
    return (enum mtr_prepaid_credit_status)pp->s.credit[type].status;
}

bool mtr_prepaid_credit_warning(const struct mtr_prepaid *pp, enum mtr_prepaid_credit_type type)
{
    MTR_ASSERT(pp != NULL && (unsigned)type < MTR_PREPAID_CREDITS);
    return pp->s.credit[type].cfg.priority != 0 &&
           pp->s.credit[type].amount <= pp->s.credit[type].cfg.warning_threshold;
}

mtr_err_t mtr_prepaid_payment(struct mtr_prepaid *pp, enum mtr_prepaid_credit_type type,
                              int64_t amount, mtr_utc_t utc, struct mtr_prepaid_token_result *r)
{
    struct mtr_prepaid_token_result local;
    const struct mtr_prepaid_credit *c;

    MTR_ASSERT(pp != NULL);
    if (r == NULL) {
        r = &local;
    }
    memset(r, 0, sizeof *r);
    r->utc = utc;
    r->delivery = MTR_PREPAID_DELIVERY_REMOTE;
    r->gw = MTR_PREPAID_GW_VALIDATION_FAILURE;
    if (type != MTR_PREPAID_CREDIT_TOKEN && type != MTR_PREPAID_CREDIT_RESERVED) {
        return MTR_ERR_INVAL;
    }
    if (amount <= 0 || amount > MTR_PREPAID_AMOUNT_MAX) {
        return MTR_ERR_RANGE;
    }
    if (pp->s.account == MTR_PREPAID_ACCOUNT_CLOSED) {
        return MTR_ERR_PREPAID_ACCOUNT;
    }
    c = &pp->s.credit[type];
    if (c->cfg.limit != 0 && c->amount + amount > c->cfg.limit) {
        return MTR_ERR_PREPAID_LIMIT;
    }
    if (!pp_provision_take(&pp->s, amount, utc)) {
        return MTR_ERR_PREPAID_PROVISION;
    }
    pp_purchase(&pp->s, (unsigned)type, amount, utc, r, &pp->events);
    pp_settle(&pp->s, pp->friendly_now, &pp->events);
    pp->s.generation++;
    r->gw = MTR_PREPAID_GW_EXECUTION_OK;
    return MTR_OK;
}

mtr_err_t mtr_prepaid_set_amount(struct mtr_prepaid *pp, enum mtr_prepaid_credit_type type,
                                 int64_t amount)
{
    struct mtr_prepaid_credit *c;
    int64_t d;

    MTR_ASSERT(pp != NULL);
    if ((unsigned)type >= MTR_PREPAID_CREDITS || type == MTR_PREPAID_CREDIT_EMERGENCY) {
        return MTR_ERR_INVAL;
    }
    if (amount > MTR_PREPAID_AMOUNT_MAX ||
        amount < (type == MTR_PREPAID_CREDIT_TOKEN ? -MTR_PREPAID_AMOUNT_MAX : 0)) {
        return MTR_ERR_RANGE;
    }
    if (pp->s.account == MTR_PREPAID_ACCOUNT_CLOSED) {
        return MTR_ERR_PREPAID_ACCOUNT;
    }
    c = &pp->s.credit[type];
    if (c->cfg.limit != 0 && amount > c->cfg.limit) {
        return MTR_ERR_PREPAID_LIMIT;
    }
    /* the books: a rise is granted, a fall cleared */
    d = amount - c->amount;
    if (d > 0) {
        pp->s.ledger.granted += d;
        pp->events |= MTR_PREPAID_EV_CREDIT_ADDED;
    } else {
        pp->s.ledger.cleared -= d;
    }
    c->amount = amount;
    pp_settle(&pp->s, pp->friendly_now, &pp->events);
    pp->s.generation++;
    return MTR_OK;
}

mtr_err_t mtr_prepaid_ec_invoke(struct mtr_prepaid *pp)
{
    MTR_ASSERT(pp != NULL);
    if (!pp_ec_invoke(&pp->s, &pp->events)) {
        return MTR_ERR_PREPAID_NO_EC;
    }
    pp_settle(&pp->s, pp->friendly_now, &pp->events);
    pp->s.generation++;
    return MTR_OK;
}
