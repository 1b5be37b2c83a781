/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The account (class 111): init, payment mode and status, thresholds, the
 * status bits, the ledger and the supply decision.
 */
#include <string.h>

#include "pp_priv.h"

size_t mtr_prepaid_size(void)
{
    return sizeof(struct mtr_prepaid);
}

uint32_t mtr_prepaid_config_currency_name(void)
{
    return MTR_CFG_PREPAID_CURRENCY_NAME;
}

void pp_state_defaults(struct mtr_prepaid_state *st)
{
    memset(st, 0, sizeof *st);
    st->mode = MTR_PREPAID_MODE_PREPAYMENT;
    st->account = MTR_PREPAID_ACCOUNT_NEW;
    st->supply_on = true;
    st->last_utc = -1;
    st->passive_utc = -1;
    st->prov_start_utc = -1;
    st->currency.unit = MTR_PREPAID_CURRENCY_MONETARY;
    for (unsigned i = 0; i < MTR_PREPAID_CREDITS; i++) {
        st->credit[i].cfg.period_utc = -1;
    }
    st->credit[MTR_PREPAID_CREDIT_TOKEN].cfg.priority = 1;
    st->credit[MTR_PREPAID_CREDIT_TOKEN].cfg.config = MTR_PREPAID_CC_TOKENS | MTR_PREPAID_CC_RESETTABLE;
    for (unsigned i = 0; i < MTR_PREPAID_CHARGES; i++) {
        st->charge[i].cfg.type = PP_CHARGE_UNUSED;
    }
    pp_credit_statuses(st, NULL);
    st->bits = pp_status_bits(st);
}

mtr_err_t mtr_prepaid_init(struct mtr_prepaid *pp, const struct mtr_prepaid_config *cfg,
                           struct mtr_sts *sts)
{
    MTR_ASSERT(pp != NULL && cfg != NULL);
    if (cfg->unit > MTR_PREPAID_UNIT_ENERGY || cfg->token_scale < 1 ||
        cfg->token_scale > PP_TOKEN_SCALE_MAX || cfg->ec_button == 0 ||
        cfg->ec_press_min_ms >= cfg->ec_press_max_ms) {
        return MTR_ERR_INVAL;
    }
    memset(pp, 0, sizeof *pp);
    pp->cfg = cfg;
    pp->sts = sts;
    pp_state_defaults(&pp->s);
    return MTR_OK;
}

bool pp_prepay_active(const struct mtr_prepaid_state *st)
{
    return st->mode == MTR_PREPAID_MODE_PREPAYMENT && st->account == MTR_PREPAID_ACCOUNT_ACTIVE;
}

int64_t pp_left(const struct mtr_prepaid_state *st)
{
    int64_t sum = -st->ec_owed;

    for (unsigned i = 0; i < MTR_PREPAID_CREDITS; i++) {
        sum += st->credit[i].amount;
    }
    return sum;
}

static bool ec_in_use(const struct mtr_prepaid_state *st)
{
    uint8_t s = st->credit[MTR_PREPAID_CREDIT_EMERGENCY].status;

    return s == MTR_PREPAID_CS_INVOKED || s == MTR_PREPAID_CS_IN_USE;
}

int64_t pp_available(const struct mtr_prepaid_state *st)
{
    int64_t sum = 0;

    for (unsigned i = 0; i < MTR_PREPAID_CREDITS; i++) {
        const struct mtr_prepaid_credit *c = &st->credit[i];
        if (c->cfg.priority == 0 && i != MTR_PREPAID_CREDIT_TOKEN) {
            continue;
        }
        if (i == MTR_PREPAID_CREDIT_EMERGENCY && !ec_in_use(st)) {
            continue;
        }
        sum += c->amount;
    }
    return sum;
}

uint32_t pp_status_bits(const struct mtr_prepaid_state *st)
{
    const struct mtr_prepaid_credit *ec = &st->credit[MTR_PREPAID_CREDIT_EMERGENCY];
    int64_t avail = pp_available(st);
    uint32_t b = MTR_PREPAID_CREDIT_REFERENCE_LIST;

    b |= avail > 0 ? MTR_PREPAID_IN_CREDIT : MTR_PREPAID_OUT_OF_CREDIT;
    if (avail <= st->low_threshold) {
        b |= MTR_PREPAID_LOW_CREDIT;
    }
    if (ec->cfg.priority != 0 && ec->cfg.preset > 0 && st->ec_owed == 0 &&
        ec->status != MTR_PREPAID_CS_CONSUMED) {
        b |= MTR_PREPAID_NEXT_CREDIT_ENABLED;
    }
    if (ec->status == MTR_PREPAID_CS_SELECTABLE) {
        b |= MTR_PREPAID_NEXT_CREDIT_SELECTABLE;
    }
    if (ec_in_use(st)) {
        b |= MTR_PREPAID_SELECTABLE_IN_USE;
    }
    return b;
}

static void edge(uint32_t before, uint32_t after, uint32_t bit, uint32_t ev_bit, uint32_t *ev)
{
    if ((after & bit) != 0 && (before & bit) == 0) {
        *ev |= ev_bit;
    }
}

/* Statuses, emergency credit and the supply latch after any change. Once
 * off, the supply comes back only with credit at or above the next credit
 * threshold (or on emergency credit); it goes off only outside friendly
 * periods, and a friendly period does not bring it back. */
void pp_settle(struct mtr_prepaid_state *st, bool friendly, uint32_t *ev)
{
    uint32_t before = st->bits;
    uint32_t after;
    bool was = st->supply_on;
    int64_t avail;

    pp_credit_statuses(st, ev);
    avail = pp_available(st);
    if (!pp_prepay_active(st)) {
        st->supply_on = true;
    } else if (st->supply_on) {
        st->supply_on = avail > 0 || friendly;
    } else {
        st->supply_on = avail > 0 && (avail >= st->next_threshold || ec_in_use(st));
    }
    after = pp_status_bits(st);
    st->bits = after;
    edge(before, after, MTR_PREPAID_LOW_CREDIT, MTR_PREPAID_EV_LOW_CREDIT, ev);
    edge(before, after, MTR_PREPAID_OUT_OF_CREDIT, MTR_PREPAID_EV_OUT_OF_CREDIT, ev);
    edge(before, after, MTR_PREPAID_NEXT_CREDIT_SELECTABLE, MTR_PREPAID_EV_EC_SELECTABLE, ev);
    if (was && !st->supply_on) {
        *ev |= MTR_PREPAID_EV_SUPPLY_OFF;
    } else if (!was && st->supply_on) {
        *ev |= MTR_PREPAID_EV_SUPPLY_ON;
    }
}

static void changed(struct mtr_prepaid *pp)
{
    pp_settle(&pp->s, pp->friendly_now, &pp->events);
    pp->s.generation++;
}

mtr_err_t mtr_prepaid_set_mode(struct mtr_prepaid *pp, enum mtr_prepaid_payment_mode mode)
{
    MTR_ASSERT(pp != NULL);
    if (mode != MTR_PREPAID_MODE_CREDIT && mode != MTR_PREPAID_MODE_PREPAYMENT) {
        return MTR_ERR_INVAL;
    }
    pp->s.mode = (uint8_t)mode;
    changed(pp);
    return MTR_OK;
}

mtr_err_t mtr_prepaid_activate(struct mtr_prepaid *pp, mtr_utc_t utc)
{
    MTR_ASSERT(pp != NULL);
    if (pp->s.account == MTR_PREPAID_ACCOUNT_CLOSED) {
        return MTR_ERR_STATE;
    }
    pp->s.account = MTR_PREPAID_ACCOUNT_ACTIVE;
    pp->s.activation_utc = utc;
    changed(pp);
    return MTR_OK;
}

mtr_err_t mtr_prepaid_close(struct mtr_prepaid *pp, mtr_utc_t utc)
{
    MTR_ASSERT(pp != NULL);
    pp->s.account = MTR_PREPAID_ACCOUNT_CLOSED;
    pp->s.closure_utc = utc;
    changed(pp);
    return MTR_OK;
}

mtr_err_t mtr_prepaid_reset(struct mtr_prepaid *pp)
{
    struct mtr_prepaid_state *st = &pp->s;

    MTR_ASSERT(pp != NULL);
    st->account = MTR_PREPAID_ACCOUNT_NEW;
    st->ec_owed = 0;
    for (unsigned i = 0; i < MTR_PREPAID_CREDITS; i++) {
        st->credit[i].amount = 0;
    }
    for (unsigned i = 0; i < MTR_PREPAID_CHARGES; i++) {
        memset(&st->charge[i].info, 0, sizeof st->charge[i].info);
        st->charge[i].carry.rem = 0;
    }
    memset(&st->cons, 0, sizeof st->cons);
    st->cons_carry.rem = 0;
    st->period_mwh = 0;
    memset(&st->ledger, 0, sizeof st->ledger);
    st->prov_start_utc = -1;
    st->prov_sum = 0;
    st->credit[MTR_PREPAID_CREDIT_EMERGENCY].status = MTR_PREPAID_CS_ENABLED;
    changed(pp);
    return MTR_OK;
}

mtr_err_t mtr_prepaid_set_thresholds(struct mtr_prepaid *pp, int64_t low_credit,
                                     int64_t next_credit)
{
    MTR_ASSERT(pp != NULL);
    if (low_credit > MTR_PREPAID_AMOUNT_MAX || low_credit < -MTR_PREPAID_AMOUNT_MAX ||
        next_credit < 0 || next_credit > MTR_PREPAID_AMOUNT_MAX) {
        return MTR_ERR_RANGE;
    }
    pp->s.low_threshold = low_credit;
    pp->s.next_threshold = next_credit;
    changed(pp);
    return MTR_OK;
}

void mtr_prepaid_thresholds(const struct mtr_prepaid *pp, int64_t *low_credit, int64_t *next_credit)
{
    MTR_ASSERT(pp != NULL);
    if (low_credit != NULL) {
        *low_credit = pp->s.low_threshold;
    }
    if (next_credit != NULL) {
        *next_credit = pp->s.next_threshold;
    }
}

mtr_utc_t mtr_prepaid_activation_time(const struct mtr_prepaid *pp)
{
    MTR_ASSERT(pp != NULL);
    return pp->s.activation_utc > 0 ? pp->s.activation_utc : -1;
}

mtr_utc_t mtr_prepaid_closure_time(const struct mtr_prepaid *pp)
{
    MTR_ASSERT(pp != NULL);
    return pp->s.closure_utc > 0 ? pp->s.closure_utc : -1;
}

/* Length of the UTF-8 sequence led by @p b, 0 if @p b cannot lead one. */
static unsigned utf8_len(uint8_t b)
{
    if (b < 0x80u) {
        return 1;
    }
    if (b >= 0xC2u && b <= 0xDFu) {
        return 2;
    }
    if (b >= 0xE0u && b <= 0xEFu) {
        return 3;
    }
    return b >= 0xF0u && b <= 0xF4u ? 4 : 0;
}

/* Well-formed UTF-8 (RFC 3629): no overlong form, no surrogate, <= U+10FFFF. */
static bool utf8_ok(const uint8_t *s, size_t n)
{
    size_t i = 0;

    while (i < n) {
        unsigned len = utf8_len(s[i]);
        if (len == 0 || i + len > n) {
            return false;
        }
        for (unsigned k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0u) != 0x80u) {
                return false;
            }
        }
        if ((s[i] == 0xE0u && s[i + 1] < 0xA0u) || (s[i] == 0xEDu && s[i + 1] > 0x9Fu) ||
            (s[i] == 0xF0u && s[i + 1] < 0x90u) || (s[i] == 0xF4u && s[i + 1] > 0x8Fu)) {
            return false;
        }
        i += len;
    }
    return true;
}

mtr_err_t pp_check_currency(const struct mtr_prepaid_currency *c)
{
    if (c->name_len > MTR_PREPAID_CURRENCY_NAME || c->scale < -PP_CURRENCY_SCALE_MAX ||
        c->scale > PP_CURRENCY_SCALE_MAX) {
        return MTR_ERR_RANGE;
    }
    if (c->unit > MTR_PREPAID_CURRENCY_MONETARY || !utf8_ok(c->name, c->name_len)) {
        return MTR_ERR_INVAL;
    }
    return MTR_OK;
}

mtr_err_t mtr_prepaid_set_currency(struct mtr_prepaid *pp, const struct mtr_prepaid_currency *c)
{
    mtr_err_t err;

    MTR_ASSERT(pp != NULL && c != NULL);
    err = pp_check_currency(c);
    if (err != MTR_OK) {
        return err;
    }
    memset(&pp->s.currency, 0, sizeof pp->s.currency);
    memcpy(pp->s.currency.name, c->name, c->name_len);
    pp->s.currency.name_len = c->name_len;
    pp->s.currency.scale = c->scale;
    pp->s.currency.unit = c->unit;
    pp->s.generation++;
    return MTR_OK;
}

void mtr_prepaid_currency(const struct mtr_prepaid *pp, struct mtr_prepaid_currency *out)
{
    MTR_ASSERT(pp != NULL && out != NULL);
    *out = pp->s.currency;
}

mtr_err_t mtr_prepaid_set_max_provision(struct mtr_prepaid *pp, uint16_t max, uint32_t period_s)
{
    MTR_ASSERT(pp != NULL);
    if (period_s > PP_PERIOD_MAX_S) {
        return MTR_ERR_RANGE;
    }
    pp->s.max_provision = max;
    pp->s.max_provision_period_s = period_s;
    pp->s.prov_start_utc = -1;
    pp->s.prov_sum = 0;
    pp->s.generation++;
    return MTR_OK;
}

void mtr_prepaid_max_provision(const struct mtr_prepaid *pp, uint16_t *max, uint32_t *period_s)
{
    MTR_ASSERT(pp != NULL);
    if (max != NULL) {
        *max = pp->s.max_provision;
    }
    if (period_s != NULL) {
        *period_s = pp->s.max_provision_period_s;
    }
}

/* Whether the provision period that started at prov_start_utc still runs at @p utc. */
static bool provision_runs(const struct mtr_prepaid_state *st, mtr_utc_t utc)
{
    return st->prov_start_utc >= 0 && utc >= st->prov_start_utc &&
           utc - st->prov_start_utc < (int64_t)st->max_provision_period_s;
}

int64_t mtr_prepaid_provided(const struct mtr_prepaid *pp, mtr_utc_t utc)
{
    MTR_ASSERT(pp != NULL);
    return provision_runs(&pp->s, utc) ? pp->s.prov_sum : 0;
}

/* Blue Book class 111 attributes 18, 19: count @p amount into the provision
 * period running at @p utc (a new one starts when none runs), refused
 * (false, nothing changed) when it would exceed max_provision. */
bool pp_provision_take(struct mtr_prepaid_state *st, int64_t amount, mtr_utc_t utc)
{
    bool runs = provision_runs(st, utc);
    int64_t sum = (runs ? st->prov_sum : 0) + amount;

    if (st->max_provision != 0 && sum > (int64_t)st->max_provision) {
        return false;
    }
    if (!runs) {
        st->prov_start_utc = utc < 0 ? 0 : (utc > PP_UTC_MAX ? PP_UTC_MAX : utc);
    }
    st->prov_sum = sum > PP_TOTAL_MAX ? PP_TOTAL_MAX : sum;
    return true;
}

enum mtr_prepaid_payment_mode mtr_prepaid_mode(const struct mtr_prepaid *pp)
{
    MTR_ASSERT(pp != NULL);
    return (enum mtr_prepaid_payment_mode)pp->s.mode;
}

enum mtr_prepaid_account_status mtr_prepaid_account(const struct mtr_prepaid *pp)
{
    MTR_ASSERT(pp != NULL);
    return (enum mtr_prepaid_account_status)pp->s.account;
}

int64_t mtr_prepaid_available(const struct mtr_prepaid *pp)
{
    MTR_ASSERT(pp != NULL);
    return pp_available(&pp->s);
}

int64_t mtr_prepaid_debt(const struct mtr_prepaid *pp)
{
    int64_t d;

    MTR_ASSERT(pp != NULL);
    d = pp->s.ec_owed;
    for (unsigned i = 0; i < MTR_PREPAID_CHARGES; i++) {
        const struct mtr_prepaid_charge *c = &pp->s.charge[i];
        if (c->cfg.type != PP_CHARGE_UNUSED && (c->cfg.config & MTR_PREPAID_CHG_CONTINUOUS) == 0) {
            d += c->info.remaining;
        }
    }
    return d;
}

uint32_t mtr_prepaid_status(const struct mtr_prepaid *pp)
{
    MTR_ASSERT(pp != NULL);
    return pp_status_bits(&pp->s);
}

struct mtr_prepaid_supply mtr_prepaid_supply(const struct mtr_prepaid *pp)
{
    struct mtr_prepaid_supply d;
    const struct mtr_prepaid_state *st;
    int64_t avail;

    MTR_ASSERT(pp != NULL);
    st = &pp->s;
    avail = pp_available(st);
    d.allowed = st->supply_on;
    if (!pp_prepay_active(st)) {
        d.reason = MTR_PREPAID_SUPPLY_NOT_PREPAID;
    } else if (!st->supply_on) {
        d.reason = avail > 0 ? MTR_PREPAID_SUPPLY_BELOW_THRESHOLD : MTR_PREPAID_SUPPLY_NO_CREDIT;
    } else if (avail <= 0) {
        d.reason = MTR_PREPAID_SUPPLY_FRIENDLY;
    } else if (ec_in_use(st) && avail - st->credit[MTR_PREPAID_CREDIT_EMERGENCY].amount <= 0) {
        d.reason = MTR_PREPAID_SUPPLY_EMERGENCY;
    } else {
        d.reason = MTR_PREPAID_SUPPLY_CREDIT;
    }
    return d;
}

struct mtr_prepaid_ledger mtr_prepaid_ledger(const struct mtr_prepaid *pp)
{
    struct mtr_prepaid_ledger l;

    MTR_ASSERT(pp != NULL);
    l = pp->s.ledger;
    l.left = pp_left(&pp->s);
    return l;
}

const char *mtr_prepaid_reason_name(enum mtr_prepaid_reason r)
{
    switch (r) {
    case MTR_PREPAID_SUPPLY_NOT_PREPAID: return "not prepaid";
    case MTR_PREPAID_SUPPLY_CREDIT: return "credit";
    case MTR_PREPAID_SUPPLY_EMERGENCY: return "emergency credit";
    case MTR_PREPAID_SUPPLY_FRIENDLY: return "friendly period";
    case MTR_PREPAID_SUPPLY_NO_CREDIT: return "out of credit";
    case MTR_PREPAID_SUPPLY_BELOW_THRESHOLD: return "credit below threshold";
    default: return "unknown";
    }
}

uint32_t mtr_prepaid_generation(const struct mtr_prepaid *pp)
{
    MTR_ASSERT(pp != NULL);
    return pp->s.generation;
}
