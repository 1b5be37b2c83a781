/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The saved state: ONE blob with the whole prepaid state and the STS
 * decoder's state (key, TID memory), version 2, big-endian, CRC-32 at the
 * end. T = MTR_CFG_TARIFFS, B = MTR_CFG_PREPAID_BLOCKS, C = MTR_CFG_PREPAID_CHARGES,
 * N = MTR_CFG_PREPAID_CURRENCY_NAME.
 *
 *   'P' 'P' | version 2 | unit | T | B | C | 0                          8
 *   generation u32                                                        4
 *   mode, account, supply_on                                              3
 *   last, activation, closure (i64), low, next, ec_owed (i64)            48
 *   5 credits: priority, config, status, warning, limit, preset,
 *              available threshold (i64), period date-time i64,
 *              repeat u32, amount i64                                5 x 55
 *   active and passive unit charge: T x price i32, blocks u8,
 *              B x upper i64, B x block price i32               2 x (4T+1+12B)
 *   passive activation i64, period energy i64                            16
 *   consumption charge: paid, remaining, last time, last amount, carry   40
 *   C charges: type, config, collect, period u32, amount i64,
 *              proportion u16, paid, remaining, last time, last, carry C x 57
 *   friendly: 7 x hours u32, special days u8                             29
 *   ledger: bought, granted, consumed, cleared (i64)                     32
 *   currency: name length u8, name N bytes (zero padded), scale i8,
 *             unit u8; max_provision u16, max_provision_period u32,
 *             provision period start i64, provided in it i64        25 + N
 *   STS part length u16, STS part (mtr_sts_save(), 0 bytes without one)  2 + n
 *   CRC-32 of everything before                                           4
 *
 * Version 1 (still loaded) differs: the head has the next top-up time of the
 * time-based credit (i64) after ec_owed; a credit has period u32 (seconds)
 * instead of period date-time and repeat (5 x 47); no currency and
 * provision part. Its core is 425 + 2 (4T + 1 + 12B) + 57C bytes. A
 * version 1 credit's period becomes repeat_s; the time-based credit's
 * period date-time becomes its next top-up time (or, with a period and none
 * scheduled, its last tick: topped up at the next tick, as version 1 did).
 */
#include <string.h>

#include "meter/bytes.h"
#include "meter/crc.h"
#include "pp_priv.h"

#define BLOB_VERSION 2u
#define BLOB_V1 1u
/** Core size of a version 1 blob of this build. */
#define V1_CORE_SIZE \
    (425u + 2u * (4u * MTR_CFG_TARIFFS + 1u + 12u * MTR_PREPAID_BLOCKS) + 57u * MTR_PREPAID_CHARGES)

size_t mtr_prepaid_state_size(void)
{
    return MTR_PREPAID_STATE_SIZE;
}

/* ------------------------------------------------------------------ writer */

struct wr {
    uint8_t *p;
};

static void w8(struct wr *w, uint8_t v)
{
    *w->p++ = v;
}

static void w16(struct wr *w, uint16_t v)
{
    mtr_put_be16(w->p, v);
    w->p += 2;
}

static void w32(struct wr *w, uint32_t v)
{
    mtr_put_be32(w->p, v);
    w->p += 4;
}

static void w64(struct wr *w, int64_t v)
{
    mtr_put_be64(w->p, (uint64_t)v);
    w->p += 8;
}

static void w_unit_charge(struct wr *w, const struct mtr_prepaid_unit_charge *uc)
{
    for (unsigned t = 0; t < MTR_CFG_TARIFFS; t++) {
        w32(w, (uint32_t)uc->tariff[t]);
    }
    w8(w, uc->blocks);
    for (unsigned b = 0; b < MTR_PREPAID_BLOCKS; b++) {
        w64(w, uc->upper[b]);
        w32(w, (uint32_t)uc->block_price[b]);
    }
}

static void w_info(struct wr *w, const struct mtr_prepaid_charge_info *i, const struct mtr_carry *c)
{
    w64(w, i->total_paid);
    w64(w, i->remaining);
    w64(w, i->last_collection_utc);
    w64(w, i->last_collection);
    w64(w, c->rem);
}

static void w_state(struct wr *w, const struct mtr_prepaid *pp)
{
    const struct mtr_prepaid_state *st = &pp->s;

    w8(w, 'P'); w8(w, 'P'); w8(w, BLOB_VERSION); w8(w, pp->cfg->unit);
    w8(w, MTR_CFG_TARIFFS); w8(w, MTR_PREPAID_BLOCKS); w8(w, MTR_PREPAID_CHARGES); w8(w, 0);
    w32(w, st->generation);
    w8(w, st->mode); w8(w, st->account); w8(w, st->supply_on ? 1u : 0u);
    w64(w, st->last_utc); w64(w, st->activation_utc); w64(w, st->closure_utc);
    w64(w, st->low_threshold); w64(w, st->next_threshold); w64(w, st->ec_owed);
    for (unsigned i = 0; i < MTR_PREPAID_CREDITS; i++) {
        const struct mtr_prepaid_credit *c = &st->credit[i];
        w8(w, c->cfg.priority); w8(w, c->cfg.config); w8(w, c->status);
        w64(w, c->cfg.warning_threshold); w64(w, c->cfg.limit); w64(w, c->cfg.preset);
        w64(w, c->cfg.available_threshold); w64(w, c->cfg.period_utc); w32(w, c->cfg.repeat_s);
        w64(w, c->amount);
    }
    w_unit_charge(w, &st->active);
    w_unit_charge(w, &st->passive);
    w64(w, st->passive_utc);
    w64(w, st->period_mwh);
    w_info(w, &st->cons, &st->cons_carry);
    for (unsigned i = 0; i < MTR_PREPAID_CHARGES; i++) {
        const struct mtr_prepaid_charge *c = &st->charge[i];
        w8(w, c->cfg.type); w8(w, c->cfg.config); w8(w, c->cfg.collect);
        w32(w, c->cfg.period_s); w64(w, c->cfg.amount); w16(w, c->cfg.proportion);
        w_info(w, &c->info, &c->carry);
    }
    for (unsigned d = 0; d < 7; d++) {
        w32(w, st->friendly.hours[d]);
    }
    w8(w, st->friendly.special_days ? 1u : 0u);
    w64(w, st->ledger.bought); w64(w, st->ledger.granted);
    w64(w, st->ledger.consumed); w64(w, st->ledger.cleared);
    w8(w, st->currency.name_len);
    for (unsigned k = 0; k < MTR_PREPAID_CURRENCY_NAME; k++) {
        w8(w, k < st->currency.name_len ? st->currency.name[k] : 0u);
    }
    w8(w, (uint8_t)st->currency.scale); w8(w, st->currency.unit);
    w16(w, st->max_provision); w32(w, st->max_provision_period_s);
    w64(w, st->prov_start_utc); w64(w, st->prov_sum);
}

mtr_err_t mtr_prepaid_save(const struct mtr_prepaid *pp, uint8_t *buf, size_t cap, size_t *len)
{
    struct wr w;
    size_t sts_len = 0;
    size_t n;

    MTR_ASSERT(pp != NULL && buf != NULL && len != NULL);
    if (cap < MTR_PREPAID_STATE_SIZE) {
        return MTR_ERR_FULL;
    }
    w.p = buf;
    w_state(&w, pp);
    MTR_ASSERT((size_t)(w.p - buf) == MTR_PREPAID_CORE_SIZE - 2u);
    if (pp->sts != NULL) {
        mtr_err_t err = mtr_sts_save(pp->sts, w.p + 2, MTR_STS_STATE_SIZE, &sts_len);
        MTR_ASSERT(err == MTR_OK);
        (void)err;
    }
    w16(&w, (uint16_t)sts_len);
    n = MTR_PREPAID_CORE_SIZE + sts_len;
    mtr_put_be32(buf + n, mtr_crc32(buf, n));
    *len = n + 4u;
    return MTR_OK;
}

/* ------------------------------------------------------------------ reader */

struct rd {
    const uint8_t *p;
};

static uint8_t r8(struct rd *r)
{
    return *r->p++;
}

static uint16_t r16(struct rd *r)
{
    uint16_t v = mtr_get_be16(r->p);
    r->p += 2;
    return v;
}

static uint32_t r32(struct rd *r)
{
    uint32_t v = mtr_get_be32(r->p);
    r->p += 4;
    return v;
}

static int64_t r64(struct rd *r)
{
    int64_t v = (int64_t)mtr_get_be64(r->p);
    r->p += 8;
    return v;
}

static bool within(int64_t v, int64_t lo, int64_t hi)
{
    return v >= lo && v <= hi;
}

static bool r_unit_charge(struct rd *r, struct mtr_prepaid_unit_charge *uc)
{
    for (unsigned t = 0; t < MTR_CFG_TARIFFS; t++) {
        uc->tariff[t] = (int32_t)r32(r);
    }
    uc->blocks = r8(r);
    for (unsigned b = 0; b < MTR_PREPAID_BLOCKS; b++) {
        uc->upper[b] = r64(r);
        uc->block_price[b] = (int32_t)r32(r);
    }
    return pp_check_unit_charge(uc) == MTR_OK;
}

static bool r_info(struct rd *r, struct mtr_prepaid_charge_info *i, struct mtr_carry *c, int64_t den)
{
    i->total_paid = r64(r);
    i->remaining = r64(r);
    i->last_collection_utc = r64(r);
    i->last_collection = r64(r);
    c->rem = r64(r);
    return within(i->total_paid, 0, PP_TOTAL_MAX) && within(i->remaining, 0, MTR_PREPAID_AMOUNT_MAX) &&
           within(i->last_collection_utc, 0, PP_UTC_MAX) &&
           within(i->last_collection, 0, PP_TOTAL_MAX) && within(c->rem, 0, den - 1);
}

/* A version 1 credit: period in seconds, no date-time (set by r_v1_period()). */
static bool r_credits(struct rd *r, struct mtr_prepaid_state *st, uint8_t version)
{
    for (unsigned i = 0; i < MTR_PREPAID_CREDITS; i++) {
        struct mtr_prepaid_credit *c = &st->credit[i];
        c->cfg.priority = r8(r); c->cfg.config = r8(r); c->status = r8(r);
        c->cfg.warning_threshold = r64(r); c->cfg.limit = r64(r); c->cfg.preset = r64(r);
        c->cfg.available_threshold = r64(r);
        if (version == BLOB_V1) {
            c->cfg.period_utc = -1;
            c->cfg.repeat_s = r32(r);
        } else {
            c->cfg.period_utc = r64(r);
            c->cfg.repeat_s = r32(r);
        }
        c->amount = r64(r);
        if (pp_check_credit(i, &c->cfg) != MTR_OK || c->status > MTR_PREPAID_CS_CONSUMED ||
            !within(c->amount, i == MTR_PREPAID_CREDIT_TOKEN ? -PP_TOTAL_MAX : 0, PP_TOTAL_MAX)) {
            return false;
        }
    }
    return true;
}

static bool r_charges(struct rd *r, struct mtr_prepaid_state *st, uint8_t unit)
{
    for (unsigned i = 0; i < MTR_PREPAID_CHARGES; i++) {
        struct mtr_prepaid_charge *c = &st->charge[i];
        int64_t den;
        c->cfg.type = r8(r); c->cfg.config = r8(r); c->cfg.collect = r8(r);
        c->cfg.period_s = r32(r); c->cfg.amount = r64(r); c->cfg.proportion = r16(r);
        den = c->cfg.type == MTR_PREPAID_CHARGE_TIME ? (int64_t)c->cfg.period_s
              : c->cfg.type == MTR_PREPAID_CHARGE_PAYMENT ? 10000 : 1;
        if (pp_check_charge(&c->cfg) != MTR_OK || !r_info(r, &c->info, &c->carry, den) ||
            (unit == MTR_PREPAID_UNIT_ENERGY && c->cfg.type != PP_CHARGE_UNUSED)) {
            return false;
        }
    }
    return true;
}

static bool r_head(struct rd *r, struct mtr_prepaid_state *st, uint8_t version, mtr_utc_t *tb_next)
{
    st->generation = r32(r);
    st->mode = r8(r); st->account = r8(r);
    uint8_t on = r8(r);
    st->supply_on = on != 0;
    st->last_utc = r64(r); st->activation_utc = r64(r); st->closure_utc = r64(r);
    st->low_threshold = r64(r); st->next_threshold = r64(r); st->ec_owed = r64(r);
    *tb_next = version == BLOB_V1 ? r64(r) : -1;
    return within(st->mode, MTR_PREPAID_MODE_CREDIT, MTR_PREPAID_MODE_PREPAYMENT) &&
           within(st->account, MTR_PREPAID_ACCOUNT_NEW, MTR_PREPAID_ACCOUNT_CLOSED) && on <= 1 &&
           within(st->last_utc, -1, PP_UTC_MAX) && within(st->activation_utc, -PP_UTC_MAX, PP_UTC_MAX) &&
           within(st->closure_utc, -PP_UTC_MAX, PP_UTC_MAX) &&
           within(st->low_threshold, -MTR_PREPAID_AMOUNT_MAX, MTR_PREPAID_AMOUNT_MAX) &&
           within(st->next_threshold, 0, MTR_PREPAID_AMOUNT_MAX) &&
           within(st->ec_owed, 0, MTR_PREPAID_AMOUNT_MAX) &&
           within(*tb_next, -1, PP_UTC_MAX + PP_PERIOD_MAX_S);
}

static bool r_tail(struct rd *r, struct mtr_prepaid_state *st)
{
    bool ok = true;

    for (unsigned d = 0; d < 7; d++) {
        st->friendly.hours[d] = r32(r);
        ok = ok && st->friendly.hours[d] <= 0x00FFFFFFu;
    }
    uint8_t special = r8(r);
    st->friendly.special_days = special != 0;
    st->ledger.bought = r64(r); st->ledger.granted = r64(r);
    st->ledger.consumed = r64(r); st->ledger.cleared = r64(r);
    ok = ok && special <= 1 && within(st->ledger.bought, 0, PP_TOTAL_MAX) &&
         within(st->ledger.granted, 0, PP_TOTAL_MAX) && within(st->ledger.consumed, 0, PP_TOTAL_MAX) &&
         within(st->ledger.cleared, -PP_TOTAL_MAX, PP_TOTAL_MAX);
    /* the books must balance: what came in is consumed, cleared or left */
    return ok && st->ledger.bought + st->ledger.granted ==
                     st->ledger.consumed + st->ledger.cleared + pp_left(st);
}

/* Version 2: currency and provision. */
static bool r_account(struct rd *r, struct mtr_prepaid_state *st)
{
    st->currency.name_len = r8(r);
    for (unsigned k = 0; k < MTR_PREPAID_CURRENCY_NAME; k++) {
        st->currency.name[k] = r8(r);
    }
    st->currency.scale = (int8_t)r8(r);
    st->currency.unit = r8(r);
    st->max_provision = r16(r);
    st->max_provision_period_s = r32(r);
    st->prov_start_utc = r64(r);
    st->prov_sum = r64(r);
    for (unsigned k = st->currency.name_len; k < MTR_PREPAID_CURRENCY_NAME; k++) {
        if (st->currency.name[k] != 0) {
            return false; /* padding is zero: one blob per state */
        }
    }
    return pp_check_currency(&st->currency) == MTR_OK &&
           st->max_provision_period_s <= PP_PERIOD_MAX_S && within(st->prov_start_utc, -1, PP_UTC_MAX) &&
           within(st->prov_sum, 0, PP_TOTAL_MAX);
}

/* Version 1: the time-based credit's next top-up becomes its period date-time. */
static void r_v1_period(struct mtr_prepaid_state *st, mtr_utc_t tb_next)
{
    struct mtr_prepaid_credit *tb = &st->credit[MTR_PREPAID_CREDIT_TIME_BASED];

    if (tb->cfg.repeat_s == 0) {
        return;
    }
    if (tb_next < 0) {
        tb_next = st->last_utc > 0 ? st->last_utc : 1;
    }
    tb->cfg.period_utc = tb_next > PP_UTC_MAX ? PP_UTC_MAX : tb_next;
}

static bool r_state(struct rd *r, struct mtr_prepaid_state *st, uint8_t unit, uint8_t version)
{
    mtr_utc_t tb_next = -1;

    if (!r_head(r, st, version, &tb_next) || !r_credits(r, st, version) ||
        !r_unit_charge(r, &st->active) || !r_unit_charge(r, &st->passive)) {
        return false;
    }
    if (version == BLOB_V1) {
        st->prov_start_utc = -1;
        st->currency.unit = MTR_PREPAID_CURRENCY_MONETARY;
        r_v1_period(st, tb_next);
    }
    st->passive_utc = r64(r);
    st->period_mwh = r64(r);
    if (!within(st->passive_utc, -1, PP_UTC_MAX) || !within(st->period_mwh, 0, PP_TOTAL_MAX) ||
        !r_info(r, &st->cons, &st->cons_carry,
                unit == MTR_PREPAID_UNIT_ENERGY ? 1 : PP_PRICE_DEN)) {
        return false;
    }
    /* the consumption charge has no debt: 0 is the one valid value */
    return st->cons.remaining == 0 && r_charges(r, st, unit) && r_tail(r, st) &&
           (version == BLOB_V1 || r_account(r, st));
}

static mtr_err_t check_frame(const struct mtr_prepaid *pp, const uint8_t *buf, size_t len,
                             size_t *sts_len, size_t *core)
{
    size_t n;

    if (len < 8u || buf[0] != 'P' || buf[1] != 'P') {
        return MTR_ERR_PREPAID_BLOB;
    }
    if (buf[2] != BLOB_VERSION && buf[2] != BLOB_V1) {
        return MTR_ERR_PREPAID_VERSION;
    }
    *core = buf[2] == BLOB_V1 ? V1_CORE_SIZE : MTR_PREPAID_CORE_SIZE;
    if (buf[3] != pp->cfg->unit || buf[4] != MTR_CFG_TARIFFS || buf[5] != MTR_PREPAID_BLOCKS ||
        buf[6] != MTR_PREPAID_CHARGES || buf[7] != 0 || len < *core + 4u) {
        return MTR_ERR_PREPAID_BLOB;
    }
    *sts_len = mtr_get_be16(buf + *core - 2u);
    n = *core + *sts_len;
    if (len != n + 4u || *sts_len > MTR_STS_STATE_SIZE || (*sts_len == 0) != (pp->sts == NULL)) {
        return MTR_ERR_PREPAID_BLOB;
    }
    if (mtr_get_be32(buf + n) != mtr_crc32(buf, n)) {
        return MTR_ERR_PREPAID_BLOB_CRC;
    }
    return MTR_OK;
}

mtr_err_t mtr_prepaid_load(struct mtr_prepaid *pp, const uint8_t *buf, size_t len)
{
    struct mtr_prepaid_state st;
    struct mtr_sts sts;
    struct rd r;
    size_t sts_len = 0, core = 0;
    mtr_err_t err;

    MTR_ASSERT(pp != NULL && (buf != NULL || len == 0));
    if (buf == NULL) {
        return MTR_ERR_PREPAID_BLOB;
    }
    err = check_frame(pp, buf, len, &sts_len, &core);
    if (err != MTR_OK) {
        return err;
    }
    memset(&st, 0, sizeof st);
    r.p = buf + 8;
    if (!r_state(&r, &st, pp->cfg->unit, buf[2]) || (size_t)(r.p - buf) != core - 2u) {
        return MTR_ERR_PREPAID_BLOB;
    }
    if (pp->sts != NULL) {
        const uint8_t *p = buf + core;
        const uint8_t *end = p + sts_len;
        sts = *pp->sts;
        if (mtr_sts_load(&sts, &p, end) != MTR_OK || p != end) {
            return MTR_ERR_PREPAID_BLOB;
        }
        *pp->sts = sts;
    }
    st.bits = pp_status_bits(&st);
    pp->s = st;
    pp->friendly_now = false;
    pp->btn_down = false;
    pp->events = 0;
    return MTR_OK;
}
