/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The token gateway (class 115): one path for tokens from the keypad, the
 * CIU and the head-end. Two-step acceptance with the STS decoder: check
 * (nothing changes), apply to a copy of the state, commit the decoder (the
 * TID enters its memory), then the copy becomes the state. The caller saves
 * one blob holding both (mtr_prepaid_save()), so a power cut keeps both or
 * neither.
 */
#include <string.h>

#include "pp_priv.h"

#define CLEAR_ALL_REGISTERS 0xFFFFu

static enum mtr_prepaid_gw_status gw_status(enum mtr_sts_status s)
{
    switch (s) {
    case MTR_STS_ACCEPTED:
    case MTR_STS_MGMT_ACCEPTED:
    case MTR_STS_TEST_ACCEPTED:
    case MTR_STS_KEY_CHANGE_1ST:
    case MTR_STS_KEY_CHANGED:
        return MTR_PREPAID_GW_EXECUTION_OK;
    case MTR_STS_REJECT_LENGTH:
    case MTR_STS_REJECT_DIGIT:
    case MTR_STS_REJECT_RANGE:
    case MTR_STS_REJECT_CRC:
        return MTR_PREPAID_GW_FORMAT_FAILURE;
    case MTR_STS_REJECT_INCORRECT:
    case MTR_STS_REJECT_KEY_EXPIRED:
        return MTR_PREPAID_GW_AUTHENTICATION_FAILURE;
    case MTR_STS_REJECT_FAULT:
        return MTR_PREPAID_GW_EXECUTION_FAILURE;
    default:
        return MTR_PREPAID_GW_VALIDATION_FAILURE;
    }
}

/* Room for a credit token, in token units: the token credit's limit minus
 * what it holds. */
static uint32_t credit_room(const struct mtr_prepaid *pp)
{
    const struct mtr_prepaid_credit *c = &pp->s.credit[MTR_PREPAID_CREDIT_TOKEN];
    int64_t room;

    if (c->cfg.limit == 0) {
        return UINT32_MAX;
    }
    room = c->cfg.limit - c->amount;
    if (room <= 0) {
        return 0;
    }
    room /= pp->cfg->token_scale;
    return room > (int64_t)UINT32_MAX ? UINT32_MAX : (uint32_t)room;
}

static mtr_err_t refuse(struct mtr_prepaid_token_result *r, enum mtr_sts_status st, mtr_err_t err)
{
    r->sts.status = st;
    r->gw = gw_status(st);
    return err;
}

/* A closed account takes no credit: "Token rejected". */
static mtr_err_t closed(struct mtr_prepaid_token_result *r)
{
    r->sts.status = MTR_STS_REJECT_CLASS;
    r->gw = MTR_PREPAID_GW_EXECUTION_FAILURE;
    return MTR_ERR_PREPAID_ACCOUNT;
}

static void clear_credit(struct mtr_prepaid_state *st, uint16_t reg,
                         struct mtr_prepaid_token_result *r)
{
    for (unsigned i = 0; i < MTR_PREPAID_CREDITS; i++) {
        struct mtr_prepaid_credit *c = &st->credit[i];
        bool pick = reg == CLEAR_ALL_REGISTERS ? (c->cfg.config & MTR_PREPAID_CC_RESETTABLE) != 0
                                               : i == MTR_PREPAID_CREDIT_TOKEN;
        if (pick && i != MTR_PREPAID_CREDIT_EMERGENCY) {
            st->ledger.cleared += c->amount;
            r->cleared += c->amount;
            c->amount = 0;
        }
    }
}

/* Apply an accepted token to @p st; MTR_OK or a refusal (nothing kept). */
static mtr_err_t apply(const struct mtr_prepaid *pp, struct mtr_prepaid_state *st, mtr_utc_t utc,
                       struct mtr_prepaid_token_result *r, uint32_t *ev)
{
    const struct mtr_sts_token *t = &r->sts.token;
    uint8_t want = pp->cfg->unit == MTR_PREPAID_UNIT_ENERGY ? MTR_STS_CREDIT_ELECTRICITY
                                                            : MTR_STS_CREDIT_ELECTRICITY_CURRENCY;

    if (t->cls == MTR_STS_CLASS_CREDIT) {
        if (t->subclass != want) {
            return refuse(r, MTR_STS_REJECT_SUBCLASS, MTR_ERR_STS_SUBCLASS);
        }
        if (st->account == MTR_PREPAID_ACCOUNT_CLOSED) {
            return closed(r);
        }
        int64_t amount = (int64_t)r->sts.value * pp->cfg->token_scale;
        if (!pp_provision_take(st, amount, utc)) {
            /* over max_provision of the period: refused like a credit overflow */
            return refuse(r, MTR_STS_REJECT_OVERFLOW, MTR_ERR_PREPAID_PROVISION);
        }
        pp_purchase(st, MTR_PREPAID_CREDIT_TOKEN, amount, utc, r, ev);
    } else if (t->cls == MTR_STS_CLASS_MGMT && t->subclass == MTR_STS_MGMT_CLEAR_CREDIT) {
        if (st->account == MTR_PREPAID_ACCOUNT_CLOSED) {
            return closed(r);
        }
        clear_credit(st, t->field, r);
    }
    return MTR_OK;
}

mtr_err_t mtr_prepaid_token_submit(struct mtr_prepaid *pp, const char *digits, size_t len,
                                   enum mtr_prepaid_delivery delivery, mtr_utc_t utc,
                                   struct mtr_prepaid_token_result *r)
{
    struct mtr_prepaid_state next;
    uint32_t ev = 0;
    mtr_err_t err;

    MTR_ASSERT(pp != NULL && r != NULL && (digits != NULL || len == 0));
    memset(r, 0, sizeof *r);
    r->delivery = delivery;
    r->utc = utc;
    if (pp->sts == NULL) {
        r->sts.status = MTR_STS_REJECT_FAULT;
        r->gw = MTR_PREPAID_GW_EXECUTION_FAILURE;
        return MTR_ERR_NOTSUP;
    }
    err = mtr_sts_check(pp->sts, digits != NULL ? digits : "", len, credit_room(pp), &r->sts);
    r->gw = gw_status(r->sts.status);
    if (err != MTR_OK) {
        return err;
    }
    next = pp->s;
    err = apply(pp, &next, utc, r, &ev);
    if (err != MTR_OK) {
        r->credited = r->to_charges = r->paid_back = r->cleared = 0;
        return err;
    }
    pp_settle(&next, pp->friendly_now, &ev);
    next.generation++;
    err = mtr_sts_commit(pp->sts, &r->sts);
    if (err != MTR_OK) {
        r->gw = MTR_PREPAID_GW_EXECUTION_FAILURE;
        r->credited = r->to_charges = r->paid_back = r->cleared = 0;
        return err;
    }
    pp->s = next;
    pp->events |= ev;
    return MTR_OK;
}
