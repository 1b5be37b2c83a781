/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Payment metering objects (objects_control.def): account (class 111,
 * 0-0:19.0.0.255), credits (class 112, 0-0:19.10.e.255), charges (class
 * 113, 0-0:19.20.e.255: e = 0..3 one per tariff, e = 10..12 the engine's time
 * and payment charges) and the token gateway (class 115, 0-0:19.40.0.255),
 * over the prepaid engine (meter/prepaid.h). Class
 * semantics: DLMS UA Blue Book; OBIS codes and attribute use: the seed's
 * prepaid.json (ST402 section 5.13). Every accepted change is committed
 * through the aggregate (mtr_meter_prepaid_commit(); a token through
 * mtr_meter_token_submit()), so credit and settings survive a power cut.
 *
 * Amounts are double-long (Blue Book classes 111..113: int32 minor units);
 * the engine's int64 amounts are saturated at INT32_MIN/INT32_MAX on reads,
 * and writes take any integer type whose value fits a double-long.
 */
#include "cosem_control.h"

#include <limits.h>
#include <string.h>

#if MTR_WITH_PREPAID
#include "meter/prepaid.h"

/* Roles: public reads the account state and the credit amounts (customer
 * information); levels 1..3 read everything; only the management client
 * changes money matters (account, credits, prices, tokens). */
#define B COSEM_BIT
/* account: attributes 2..19; the settings (mode and status, currency,
 * thresholds, provision limit) and methods 1..3 by the management client */
#define ACCOUNT_SET (B(2) | B(15) | B(16) | B(17) | B(18) | B(19))
const struct mtr_dlms_access cosem_acc_account[MTR_CFG_DLMS_PROFILES] = COSEM_ACCESS_INIT(
    B(1) | B(2) | B(4) | B(5), COSEM_UPTO(19), 0, 0, 0, 0, 0, 0, ACCOUNT_SET, COSEM_UPTO(3));

/* credits: update_amount on the main and reserved credits, set_amount_to_value
 * on every credit but the emergency credit, invoke_credit on the emergency credit */
const struct mtr_dlms_access cosem_acc_credit[MTR_CFG_DLMS_PROFILES] = COSEM_ACCESS_INIT(
    B(1) | B(2) | B(3), COSEM_UPTO(11), 0, 0, 0, 0, 0, 0, B(4) | B(5) | B(6) | B(7) | B(9) | B(10) | B(11), B(2));
const struct mtr_dlms_access cosem_acc_credit_pay[MTR_CFG_DLMS_PROFILES] = COSEM_ACCESS_INIT(
    B(1) | B(2) | B(3), COSEM_UPTO(11), 0, 0, 0, 0, 0, 0, B(4) | B(5) | B(6) | B(7) | B(9) | B(10) | B(11),
    B(1) | B(2));
const struct mtr_dlms_access cosem_acc_credit_ec[MTR_CFG_DLMS_PROFILES] = COSEM_ACCESS_INIT(
    B(1) | B(2) | B(3), COSEM_UPTO(11), 0, 0, 0, 0, 0, 0, B(4) | B(5) | B(6) | B(7) | B(9) | B(10) | B(11), B(3));

const struct mtr_dlms_access cosem_acc_charge[MTR_CFG_DLMS_PROFILES] =
    COSEM_ACCESS_INIT(B(1) | B(5), COSEM_UPTO(13), 0, 0, 0, 0, 0, 0, B(6) | B(7), COSEM_UPTO(2));
/* time and payment charges (debts, fees): read; collect and the debt (methods 3..5) */
const struct mtr_dlms_access cosem_acc_charge_debt[MTR_CFG_DLMS_PROFILES] =
    COSEM_ACCESS_INIT(B(1), COSEM_UPTO(13), 0, 0, 0, 0, 0, 0, 0, B(3) | B(4) | B(5));

/* token gateway: the last token and its status (2..6) read; enter by the management client */
const struct mtr_dlms_access cosem_acc_token_gw[MTR_CFG_DLMS_PROFILES] =
    COSEM_ACCESS_INIT(B(1), COSEM_UPTO(6), 0, 0, 0, 0, 0, 0, 0, B(1));
#undef B

/* ---------------------------------------------------------------- engine access */

static struct mtr_prepaid *pp_of(const struct mtr_dlms_call *c)
{
    const struct mtr_meter_engines *e = cosem_engines(c);
    return e == NULL ? NULL : e->prepaid;
}

/* Commit after a change (a failure is counted and retried by the aggregate). */
static mtr_err_t pp_done(const struct mtr_dlms_call *c, mtr_err_t err)
{
    if (err == MTR_OK) {
        (void)mtr_meter_prepaid_commit(cosem_of(c)->cfg.meter);
    }
    return cosem_ctl_err(err);
}

/* ================================================================ account (class 111) */

static const uint8_t OBIS_CREDIT[6] = {0, 0, 19, 10, 0, 255};
static const uint8_t OBIS_CHARGE[6] = {0, 0, 19, 20, 0, 255};
static const uint8_t OBIS_ENERGY_T[6] = {1, 0, 1, 8, 0, 255};
/* Charge objects: one per tariff (e = tariff - 1, the table has 4 rows),
 * then the engine's time and payment charges (e = 10 + n, 3 rows). */
#define TARIFF_CHARGES (MTR_CFG_TARIFFS < 4 ? MTR_CFG_TARIFFS : 4u)
#define DEBT_CHARGES (MTR_PREPAID_CHARGES < 3 ? MTR_PREPAID_CHARGES : 3u)
#define DEBT_E0 10u

/* Credit OBIS e-group -> credit type: the seed names 0 (main) and 1 (emergency).
 * The e-group is also the index in credit_reference_list (class 111 attribute 9). */
static const uint8_t CREDIT_OF_E[MTR_PREPAID_CREDITS] = {
    MTR_PREPAID_CREDIT_TOKEN, MTR_PREPAID_CREDIT_EMERGENCY, MTR_PREPAID_CREDIT_RESERVED,
    MTR_PREPAID_CREDIT_TIME_BASED, MTR_PREPAID_CREDIT_CONSUMPTION};

/* Index in credit_reference_list (the e-group) of credit type t: the inverse of CREDIT_OF_E. */
static unsigned credit_index(unsigned t)
{
    for (unsigned e = 0; e < MTR_PREPAID_CREDITS; e++) {
        if (CREDIT_OF_E[e] == t) {
            return e;
        }
    }
    return 0xFFu;
}

/* A money amount as double-long (Blue Book), saturated at the int32 limits. */
static void put_money(struct cosem_out *o, int64_t v)
{
    if (v > INT32_MAX) {
        v = INT32_MAX;
    } else if (v < INT32_MIN) {
        v = INT32_MIN;
    }
    cosem_put_int(o, MTR_DLMS_DOUBLE_LONG, v);
}

/* A money amount written: any integer type, value within double-long. */
static bool get_money(struct cosem_in *in, int64_t *v)
{
    if (!cosem_ctl_get_num(in, v)) {
        return false;
    }
    if (*v < INT32_MIN || *v > INT32_MAX) {
        return cosem_ctl_in_fail(in, COSEM_ERR_REFUSED);
    }
    return true;
}

mtr_err_t cosem_account_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    struct mtr_prepaid *pp = pp_of(c);
    struct cosem_out o;

    if (pp == NULL) {
        return MTR_ERR_NOTSUP;
    }
    cosem_out_init(&o, c, w);
    switch (c->id) {
    case 2: /* account_mode_and_status */
        cosem_put_struct(&o, 2);
        cosem_put_uint(&o, MTR_DLMS_ENUM, (uint64_t)mtr_prepaid_mode(pp));
        cosem_put_uint(&o, MTR_DLMS_ENUM, (uint64_t)mtr_prepaid_account(pp));
        break;
    case 3: { /* current_credit_in_use: the credit type drawn from now (priority order) */
        unsigned in_use = 0xFF;
        for (unsigned t = 0; t < MTR_PREPAID_CREDITS; t++) {
            if (mtr_prepaid_credit_status(pp, (enum mtr_prepaid_credit_type)t) == MTR_PREPAID_CS_IN_USE) {
                in_use = credit_index(t);
                break;
            }
        }
        cosem_put_uint(&o, MTR_DLMS_UNSIGNED, in_use);
        break;
    }
    case 4: /* current_credit_status */
        cosem_ctl_put_bits8(&o, (uint8_t)mtr_prepaid_status(pp));
        break;
    case 5: /* available_credit */
        put_money(&o, mtr_prepaid_available(pp));
        break;
    case 6: /* amount_to_clear: nothing is cleared from outside */
    case 7: /* clearance_threshold */
        put_money(&o, 0);
        break;
    case 8: /* aggregated_debt */
        put_money(&o, mtr_prepaid_debt(pp));
        break;
    case 9: /* credit_reference_list */
    case 10: { /* charge_reference_list: one consumption charge per tariff (seed 19.20.0/1),
              * then the time and payment charges (19.20.10..) */
        bool credits = c->id == 9;
        uint32_t n = credits ? MTR_PREPAID_CREDITS : TARIFF_CHARGES + DEBT_CHARGES;
        cosem_put_array(&o, n);
        for (uint32_t k = 0; k < n; k++) {
            uint8_t ln[6];
            memcpy(ln, credits ? OBIS_CREDIT : OBIS_CHARGE, 6);
            ln[4] = (uint8_t)(credits || k < TARIFF_CHARGES ? k : DEBT_E0 + k - TARIFF_CHARGES);
            cosem_put_copy(&o, MTR_DLMS_OCTET_STRING, ln, 6);
        }
        break;
    }
    case 11: { /* credit_charge_configuration: every charge is collected from the main
              * credit first (collection_configuration bit-string(3), Blue Book: bit 0
              * collect when disconnected, 1 in load limiting, 2 in friendly periods);
              * a tariff's consumption charge: none; a time or payment charge: its
              * collect bits (same numbering) */
        uint32_t n = TARIFF_CHARGES + DEBT_CHARGES;
        cosem_put_array(&o, n);
        for (uint32_t k = 0; k < n; k++) {
            uint8_t ln[6];
            struct mtr_prepaid_charge_cfg cc;
            uint8_t bits = 0;
            memcpy(ln, OBIS_CHARGE, 6);
            ln[4] = (uint8_t)(k < TARIFF_CHARGES ? k : DEBT_E0 + k - TARIFF_CHARGES);
            if (k >= TARIFF_CHARGES && mtr_prepaid_charge_config(pp, k - TARIFF_CHARGES, &cc) == MTR_OK) {
                bits = cc.collect;
            }
            cosem_put_struct(&o, 3);
            cosem_put_copy(&o, MTR_DLMS_OCTET_STRING, OBIS_CREDIT, 6);
            cosem_put_copy(&o, MTR_DLMS_OCTET_STRING, ln, 6);
            cosem_ctl_put_bits(&o, bits, 3);
        }
        break;
    }
    case 12: /* token_gateway_configuration: a credit token goes whole (100 %) to the main credit */
        cosem_put_array(&o, 1);
        cosem_put_struct(&o, 2);
        cosem_put_copy(&o, MTR_DLMS_OCTET_STRING, OBIS_CREDIT, 6);
        cosem_put_uint(&o, MTR_DLMS_UNSIGNED, 100);
        break;
    case 13: /* account_activation_time */
        cosem_ctl_put_datetime(&o, c, mtr_prepaid_activation_time(pp));
        break;
    case 14: /* account_closure_time */
        cosem_ctl_put_datetime(&o, c, mtr_prepaid_closure_time(pp));
        break;
    case 15: { /* currency {currency_name utf8-string, currency_scale integer, currency_unit enum} */
        struct mtr_prepaid_currency cur;
        mtr_prepaid_currency(pp, &cur);
        cosem_put_struct(&o, 3);
        cosem_put_copy(&o, MTR_DLMS_UTF8_STRING, cur.name, cur.name_len);
        cosem_put_int(&o, MTR_DLMS_INTEGER, cur.scale);
        cosem_put_uint(&o, MTR_DLMS_ENUM, cur.unit);
        break;
    }
    case 16: { /* low_credit_threshold */
        int64_t low = 0;
        mtr_prepaid_thresholds(pp, &low, NULL);
        put_money(&o, low);
        break;
    }
    case 17: { /* next_credit_available_threshold */
        int64_t next = 0;
        mtr_prepaid_thresholds(pp, NULL, &next);
        put_money(&o, next);
        break;
    }
    case 18: /* max_provision: long-unsigned, credit units */
    case 19: { /* max_provision_period: double_long (Blue Book), seconds */
        uint16_t max = 0;
        uint32_t period = 0;
        mtr_prepaid_max_provision(pp, &max, &period);
        if (c->id == 18) {
            cosem_put_uint(&o, MTR_DLMS_LONG_UNSIGNED, max);
        } else {
            cosem_put_int(&o, MTR_DLMS_DOUBLE_LONG, (int64_t)period);
        }
        break;
    }
    default:
        return MTR_ERR_NOTSUP;
    }
    return cosem_out_end(&o);
}

static mtr_err_t account_set_mode(const struct mtr_dlms_call *c, struct mtr_prepaid *pp, struct cosem_in *in)
{
    uint64_t mode = 0, status = 0;
    mtr_utc_t now = cosem_ctl_now_utc(c);
    enum mtr_prepaid_account_status cur = mtr_prepaid_account(pp);
    mtr_err_t err = MTR_OK;

    if (cosem_get_struct(in, 2) && cosem_get_uint(in, MTR_DLMS_ENUM, &mode)) {
        (void)cosem_get_uint(in, MTR_DLMS_ENUM, &status);
    }
    if (cosem_in_end(in) != MTR_OK) {
        return cosem_in_end(in);
    }
    if ((mode != MTR_PREPAID_MODE_CREDIT && mode != MTR_PREPAID_MODE_PREPAYMENT) ||
        status < MTR_PREPAID_ACCOUNT_NEW || status > MTR_PREPAID_ACCOUNT_CLOSED) {
        return COSEM_ERR_REFUSED;
    }
    /* a new account comes only from reset_account; a closed one is not reopened */
    if ((status == MTR_PREPAID_ACCOUNT_NEW && cur != MTR_PREPAID_ACCOUNT_NEW) ||
        (status == MTR_PREPAID_ACCOUNT_ACTIVE && cur == MTR_PREPAID_ACCOUNT_CLOSED)) {
        return MTR_ERR_BUSY;
    }
    if (now < 0) {
        return MTR_ERR_IO;
    }
    if (mode != (uint64_t)mtr_prepaid_mode(pp)) {
        err = mtr_prepaid_set_mode(pp, (enum mtr_prepaid_payment_mode)mode);
    }
    if (err == MTR_OK && status != (uint64_t)cur) {
        err = status == MTR_PREPAID_ACCOUNT_ACTIVE ? mtr_prepaid_activate(pp, now) : mtr_prepaid_close(pp, now);
    }
    return pp_done(c, err);
}

/* currency: {name utf8-string (a visible-string is taken too: older Blue
 * Book editions), scale integer, unit enum}. */
static mtr_err_t account_set_currency(const struct mtr_dlms_call *c, struct mtr_prepaid *pp, struct cosem_in *in)
{
    struct mtr_prepaid_currency cur;
    struct mtr_dlms_axdr_token t;
    int64_t scale = 0;
    uint64_t unit = 0;
    bool big = false;

    memset(&cur, 0, sizeof cur);
    if (cosem_get_struct(in, 3) && cosem_ctl_get_token(in, &t)) {
        if (t.tag != MTR_DLMS_UTF8_STRING && t.tag != MTR_DLMS_VISIBLE_STRING) {
            (void)cosem_ctl_in_fail(in, MTR_ERR_INVAL);
        } else if (t.count > MTR_PREPAID_CURRENCY_NAME || t.value_len != t.count) {
            big = true;
        } else {
            memcpy(cur.name, t.value, t.count);
            cur.name_len = (uint8_t)t.count;
        }
        if (cosem_ctl_get_num(in, &scale)) {
            (void)cosem_get_uint(in, MTR_DLMS_ENUM, &unit);
        }
    }
    if (cosem_in_end(in) != MTR_OK) {
        return cosem_in_end(in);
    }
    if (big || scale < INT8_MIN || scale > INT8_MAX || unit > UINT8_MAX) {
        return COSEM_ERR_REFUSED;
    }
    cur.scale = (int8_t)scale;
    cur.unit = (uint8_t)unit;
    return pp_done(c, mtr_prepaid_set_currency(pp, &cur));
}

mtr_err_t cosem_account_set(const struct mtr_dlms_call *c)
{
    struct mtr_prepaid *pp = pp_of(c);
    struct cosem_in in;
    int64_t v = 0, next = 0;

    if (pp == NULL) {
        return MTR_ERR_NOTSUP;
    }
    cosem_in_init(&in, c->data, c->data_len);
    switch (c->id) {
    case 2:
        return account_set_mode(c, pp, &in);
    case 16:
        (void)get_money(&in, &v);
        if (cosem_in_end(&in) != MTR_OK) {
            return cosem_in_end(&in);
        }
        mtr_prepaid_thresholds(pp, NULL, &next); /* attribute 17 is kept */
        return pp_done(c, mtr_prepaid_set_thresholds(pp, v, next));
    case 17:
        (void)get_money(&in, &v);
        if (cosem_in_end(&in) != MTR_OK) {
            return cosem_in_end(&in);
        }
        mtr_prepaid_thresholds(pp, &next, NULL); /* attribute 16 is kept */
        return pp_done(c, mtr_prepaid_set_thresholds(pp, next, v));
    case 15:
        return account_set_currency(c, pp, &in);
    case 18:
    case 19: { /* each write keeps the other; any integer type */
        uint16_t max = 0;
        uint32_t period = 0;
        uint64_t u = 0;
        (void)cosem_ctl_get_unum(&in, c->id == 18 ? UINT16_MAX : UINT32_MAX, &u);
        if (cosem_in_end(&in) != MTR_OK) {
            return cosem_in_end(&in);
        }
        mtr_prepaid_max_provision(pp, &max, &period);
        if (c->id == 18) {
            max = (uint16_t)u;
        } else {
            period = (uint32_t)u;
        }
        return pp_done(c, mtr_prepaid_set_max_provision(pp, max, period));
    }
    default:
        return MTR_ERR_DLMS_DENIED;
    }
}

mtr_err_t cosem_account_action(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    struct mtr_prepaid *pp = pp_of(c);
    mtr_utc_t now = cosem_ctl_now_utc(c);

    (void)w;
    if (pp == NULL || c->id < 1 || c->id > 3) {
        return MTR_ERR_NOTSUP;
    }
    if (cosem_param_integer(c) != MTR_OK) {
        return MTR_ERR_INVAL;
    }
    if (now < 0 && c->id != 3) {
        return MTR_ERR_IO;
    }
    switch (c->id) {
    case 1:
        return pp_done(c, mtr_prepaid_activate(pp, now));
    case 2:
        return pp_done(c, mtr_prepaid_close(pp, now));
    default:
        return pp_done(c, mtr_prepaid_reset(pp));
    }
}

/* ================================================================ credit (class 112) */

static bool credit_of(const struct mtr_dlms_call *c, struct mtr_prepaid **pp, enum mtr_prepaid_credit_type *t)
{
    uint8_t e = *(const uint8_t *)c->obj->user;

    *pp = pp_of(c);
    if (*pp == NULL || e >= MTR_PREPAID_CREDITS) {
        return false;
    }
    *t = (enum mtr_prepaid_credit_type)CREDIT_OF_E[e];
    return true;
}

mtr_err_t cosem_credit_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    struct mtr_prepaid *pp;
    enum mtr_prepaid_credit_type t;
    struct mtr_prepaid_credit_cfg cv;
    const struct mtr_prepaid_credit_cfg *cfg = &cv;
    struct cosem_out o;

    if (!credit_of(c, &pp, &t)) {
        return MTR_ERR_NOTSUP;
    }
    mtr_prepaid_credit_config(pp, t, &cv);
    cosem_out_init(&o, c, w);
    switch (c->id) {
    case 2: /* current_credit_amount */
        put_money(&o, mtr_prepaid_credit_amount(pp, t));
        break;
    case 3: /* credit_type */
        cosem_put_uint(&o, MTR_DLMS_ENUM, (uint64_t)t);
        break;
    case 4: /* priority */
        cosem_put_uint(&o, MTR_DLMS_UNSIGNED, cfg->priority);
        break;
    case 5: /* warning_threshold */
        put_money(&o, cfg->warning_threshold);
        break;
    case 6: /* limit */
        put_money(&o, cfg->limit);
        break;
    case 7: /* credit_configuration */
        cosem_ctl_put_bits(&o, cfg->config, 5); /* Blue Book: bit-string(5) */
        break;
    case 8: /* credit_status */
        cosem_put_uint(&o, MTR_DLMS_ENUM, (uint64_t)mtr_prepaid_credit_status(pp, t));
        break;
    case 9: /* preset_credit_amount */
        put_money(&o, cfg->preset);
        break;
    case 10: /* credit_available_threshold */
        put_money(&o, cfg->available_threshold);
        break;
    case 11: /* period: date-time of the next top-up (Blue Book), not specified: none */
        cosem_ctl_put_datetime(&o, c, cfg->period_utc);
        break;
    default:
        return MTR_ERR_NOTSUP;
    }
    return cosem_out_end(&o);
}


mtr_err_t cosem_credit_set(const struct mtr_dlms_call *c)
{
    struct mtr_prepaid *pp;
    enum mtr_prepaid_credit_type t;
    struct mtr_prepaid_credit_cfg cfg;
    struct cosem_in in;
    int64_t v = 0;
    uint64_t u = 0;

    if (!credit_of(c, &pp, &t)) {
        return MTR_ERR_NOTSUP;
    }
    mtr_prepaid_credit_config(pp, t, &cfg);
    cosem_in_init(&in, c->data, c->data_len);
    switch (c->id) {
    case 4:
        (void)cosem_ctl_get_unum(&in, UINT8_MAX, &u);
        cfg.priority = (uint8_t)u;
        break;
    case 5:
        (void)get_money(&in, &v);
        cfg.warning_threshold = v;
        break;
    case 6:
        (void)get_money(&in, &v);
        cfg.limit = v;
        break;
    case 7:
        (void)cosem_ctl_get_bits8(&in, &cfg.config);
        break;
    case 9:
        (void)get_money(&in, &v);
        cfg.preset = v;
        break;
    case 10:
        (void)get_money(&in, &v);
        cfg.available_threshold = v;
        break;
    case 11: { /* a date-time; every field not specified: no period */
        mtr_utc_t at = 0;
        (void)cosem_ctl_get_datetime(&in, c, &at);
        cfg.period_utc = at > 0 ? at : -1;
        break;
    }
    default:
        return MTR_ERR_DLMS_DENIED;
    }
    if (cosem_in_end(&in) != MTR_OK) {
        return cosem_in_end(&in);
    }
    /* priority or configuration bits the engine refuses: other-reason */
    return pp_done(c, mtr_prepaid_set_credit(pp, t, &cfg));
}

mtr_err_t cosem_credit_action(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    struct mtr_prepaid *pp;
    enum mtr_prepaid_credit_type t;
    struct mtr_dlms_axdr_token tk;
    struct cosem_in in;
    int64_t amount = 0;

    (void)w;
    if (!credit_of(c, &pp, &t)) {
        return MTR_ERR_NOTSUP;
    }
    cosem_in_init(&in, c->data, c->data_len);
    switch (c->id) {
    case 1: /* update_amount: a payment from the head-end (token and reserved credits) */
        if (t != MTR_PREPAID_CREDIT_TOKEN && t != MTR_PREPAID_CREDIT_RESERVED) {
            return MTR_ERR_NOTSUP;
        }
        (void)cosem_ctl_get_num(&in, &amount);
        if (cosem_in_end(&in) != MTR_OK) {
            return cosem_in_end(&in);
        }
        /* mtr_meter_payment() commits the blob itself */
        return cosem_ctl_err(mtr_meter_payment(cosem_of(c)->cfg.meter, (unsigned)t, amount, NULL));
    case 3: /* invoke_credit: the emergency credit; parameter credit_status enum or integer 0 */
        if (t != MTR_PREPAID_CREDIT_EMERGENCY) {
            return MTR_ERR_NOTSUP;
        }
        if (c->data != NULL) {
            (void)cosem_ctl_get_token(&in, &tk);
            if (cosem_in_end(&in) != MTR_OK) {
                return cosem_in_end(&in);
            }
        }
        return pp_done(c, mtr_prepaid_ec_invoke(pp));
    case 2: /* set_amount_to_value: double_long (any integer type whose value fits one) */
        (void)get_money(&in, &amount);
        if (cosem_in_end(&in) != MTR_OK) {
            return cosem_in_end(&in);
        }
        return pp_done(c, mtr_prepaid_set_amount(pp, t, amount));
    default:
        return MTR_ERR_NOTSUP;
    }
}

/* ================================================================ charge (class 113) */

/*
 * One consumption charge object per tariff (seed: 0-0:19.20.0.255 tariff 1,
 * 0-0:19.20.1.255 tariff 2). unit_charge {charge_per_unit_scaling
 * {commodity_scale, price_scale}, commodity {class_id, logical_name,
 * attribute_index}, charge_table array of {index, charge_per_unit long}}:
 * the price is charge_per_unit x 10^price_scale minor currency units per
 * 10^commodity_scale Wh of the tariff register 1-0:1.8.t.255. The engine
 * keeps 1/1000 minor unit per kWh: commodity_scale 3, price_scale -3 .. 6.
 * The charge table has one entry per block of the block tariff (index:
 * tariff, block), or one (index: tariff) for a flat price.
 */
#define PRICE_SCALE_MIN (-3)
#define PRICE_SCALE_MAX 6

static bool charge_of(const struct mtr_dlms_call *c, struct mtr_prepaid **pp, unsigned *tariff)
{
    *tariff = *(const uint8_t *)c->obj->user;
    *pp = pp_of(c);
    return *pp != NULL && *tariff < MTR_CFG_TARIFFS;
}

static int64_t pow10_of(int e)
{
    int64_t p = 1;
    while (e-- > 0) {
        p *= 10;
    }
    return p;
}

static int64_t price_of(const struct mtr_prepaid_unit_charge *uc, unsigned tariff, unsigned block)
{
    int64_t p = uc->tariff[tariff];
    if (uc->blocks >= 1 && block < MTR_PREPAID_BLOCKS) {
        p += uc->block_price[block];
    }
    return p;
}

/* Smallest price scale at which every price of the table fits a long (exactly when possible). */
static int price_scale(const struct mtr_prepaid_unit_charge *uc, unsigned tariff, unsigned n)
{
    for (int exact = 1; exact >= 0; exact--) {
        for (int s = PRICE_SCALE_MIN; s <= PRICE_SCALE_MAX; s++) {
            int64_t d = pow10_of(s - PRICE_SCALE_MIN);
            bool ok = true;
            for (unsigned b = 0; b < n && ok; b++) {
                int64_t p = price_of(uc, tariff, b);
                ok = p / d <= INT16_MAX && (!exact || p % d == 0);
            }
            if (ok) {
                return s;
            }
        }
    }
    return PRICE_SCALE_MAX;
}

static void seq_unit_charge(struct cosem_out *o, const struct mtr_prepaid_unit_charge *uc, unsigned tariff)
{
    unsigned n = uc->blocks > 1 ? uc->blocks : 1u;
    int scale = price_scale(uc, tariff, n);
    int64_t d = pow10_of(scale - PRICE_SCALE_MIN);
    uint8_t ln[6];

    memcpy(ln, OBIS_ENERGY_T, 6);
    ln[4] = (uint8_t)(tariff + 1u);
    cosem_put_struct(o, 3);
    cosem_put_struct(o, 2);
    cosem_put_int(o, MTR_DLMS_INTEGER, 3);
    cosem_put_int(o, MTR_DLMS_INTEGER, scale);
    cosem_put_struct(o, 3);
    cosem_put_uint(o, MTR_DLMS_LONG_UNSIGNED, 3);
    cosem_put_obis(o, ln);
    cosem_put_int(o, MTR_DLMS_INTEGER, 2);
    cosem_put_array(o, n);
    for (unsigned b = 0; b < n; b++) {
        uint8_t idx[2] = {(uint8_t)(tariff + 1u), (uint8_t)(b + 1u)};
        int64_t p = price_of(uc, tariff, b) / d;
        cosem_put_struct(o, 2);
        cosem_put_copy(o, MTR_DLMS_OCTET_STRING, idx, uc->blocks > 1 ? 2u : 1u);
        cosem_put_int(o, MTR_DLMS_LONG, p > INT16_MAX ? INT16_MAX : p);
    }
}

/* Attributes 10..12 of a charge (class 113): last_collection_time,
 * last_collection_amount, total_amount_remaining. */
static void put_collection(struct cosem_out *o, const struct mtr_dlms_call *c,
                           const struct mtr_prepaid_charge_info *info)
{
    switch (c->id) {
    case 10:
        cosem_ctl_put_datetime(o, c, info->last_collection_utc > 0 ? info->last_collection_utc : -1);
        break;
    case 11:
        put_money(o, info->last_collection);
        break;
    default:
        put_money(o, info->remaining);
        break;
    }
}

mtr_err_t cosem_charge_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    struct mtr_prepaid *pp;
    unsigned tariff;
    struct mtr_prepaid_charge_info info;
    mtr_utc_t act;
    const struct mtr_prepaid_unit_charge *passive;
    struct cosem_out o;

    if (!charge_of(c, &pp, &tariff)) {
        return MTR_ERR_NOTSUP;
    }
    if (mtr_prepaid_charge_info(pp, MTR_PREPAID_CHARGES, &info) != MTR_OK) {
        return MTR_ERR_NOTSUP;
    }
    passive = mtr_prepaid_passive_charge(pp, &act);
    cosem_out_init(&o, c, w);
    switch (c->id) {
    case 2: /* total_amount_paid (the consumption charge, all tariffs) */
        put_money(&o, info.total_paid);
        break;
    case 3: /* charge_type: consumption based */
        cosem_put_uint(&o, MTR_DLMS_ENUM, MTR_PREPAID_CHARGE_CONSUMPTION);
        break;
    case 4: /* priority */
        cosem_put_uint(&o, MTR_DLMS_UNSIGNED, 1);
        break;
    case 5: /* unit_charge_active */
        seq_unit_charge(&o, mtr_prepaid_active_charge(pp), tariff);
        break;
    case 6: /* unit_charge_passive */
        seq_unit_charge(&o, passive, tariff);
        break;
    case 7: /* unit_charge_activation_time */
        cosem_ctl_put_datetime(&o, c, act);
        break;
    case 8: /* period: collected at every tick */
        cosem_put_uint(&o, MTR_DLMS_DOUBLE_LONG_UNSIGNED, 0);
        break;
    case 9: /* charge_configuration */
        cosem_ctl_put_bits(&o, 0, 2); /* Blue Book: bit-string(2) */
        break;
    case 10: /* last_collection_time, last_collection_amount, total_amount_remaining */
    case 11:
    case 12:
        put_collection(&o, c, &info);
        break;
    case 13: /* proportion */
        cosem_put_uint(&o, MTR_DLMS_LONG_UNSIGNED, 0);
        break;
    default:
        return MTR_ERR_NOTSUP;
    }
    return cosem_out_end(&o);
}

/* A unit_charge for @p tariff into @p uc (the passive, only that tariff's price changes). */
static mtr_err_t rd_unit_charge(struct cosem_in *in, unsigned tariff, struct mtr_prepaid_unit_charge *uc)
{
    int64_t commodity = 0, scale = 0, cls = 0, attr = 0, price = 0;
    const uint8_t *ln = NULL, *idx;
    uint32_t n = 0, len;

    if (cosem_get_struct(in, 3) && cosem_get_struct(in, 2) && cosem_ctl_get_num(in, &commodity) &&
        cosem_ctl_get_num(in, &scale) && cosem_get_struct(in, 3) && cosem_ctl_get_num(in, &cls) &&
        cosem_get_bytes(in, MTR_DLMS_OCTET_STRING, &ln, &len, 6) && cosem_ctl_get_num(in, &attr) &&
        cosem_get_array(in, &n)) {
        if (n != 1) {
            /* one price per tariff; blocks are programmed through the engine */
            (void)cosem_ctl_in_fail(in, COSEM_ERR_REFUSED);
        } else if (cosem_get_struct(in, 2) && cosem_get_bytes(in, MTR_DLMS_OCTET_STRING, &idx, &len, 0)) {
            (void)cosem_ctl_get_num(in, &price);
        }
    }
    if (cosem_in_end(in) != MTR_OK) {
        return cosem_in_end(in);
    }
    if (commodity != 3 || cls != 3 || attr != 2 || ln[0] != 1 || ln[2] != 1 || ln[3] != 8 ||
        ln[4] != tariff + 1u || scale < PRICE_SCALE_MIN || scale > PRICE_SCALE_MAX || price < 0 ||
        price > INT16_MAX) {
        return COSEM_ERR_REFUSED;
    }
    price *= pow10_of((int)scale - PRICE_SCALE_MIN);
    if (price > MTR_PREPAID_PRICE_MAX) {
        return COSEM_ERR_REFUSED;
    }
    uc->tariff[tariff] = (int32_t)price;
    return MTR_OK;
}

mtr_err_t cosem_charge_set(const struct mtr_dlms_call *c)
{
    struct mtr_prepaid *pp;
    unsigned tariff;
    struct mtr_prepaid_unit_charge uc;
    mtr_utc_t act;
    struct cosem_in in;
    mtr_err_t err;

    if (!charge_of(c, &pp, &tariff)) {
        return MTR_ERR_NOTSUP;
    }
    uc = *mtr_prepaid_passive_charge(pp, &act);
    cosem_in_init(&in, c->data, c->data_len);
    switch (c->id) {
    case 6:
        err = rd_unit_charge(&in, tariff, &uc);
        break;
    case 7:
        if (c->data_len == 14 && c->data[0] == MTR_DLMS_OCTET_STRING && c->data[1] == 12 && c->data[2] == 0xFF &&
            c->data[3] == 0xFF) {
            act = -1; /* year not specified: no activation time (method 2 activates) */
            err = MTR_OK;
            break;
        }
        (void)cosem_ctl_get_datetime(&in, c, &act);
        err = cosem_in_end(&in);
        break;
    default:
        return MTR_ERR_DLMS_DENIED;
    }
    if (err != MTR_OK) {
        return err;
    }
    return pp_done(c, mtr_prepaid_set_passive(pp, &uc, act));
}

mtr_err_t cosem_charge_action(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    struct mtr_prepaid *pp;
    unsigned tariff;
    struct mtr_prepaid_unit_charge uc;
    mtr_utc_t act;
    struct cosem_in in;
    mtr_err_t err;

    (void)w;
    if (!charge_of(c, &pp, &tariff)) {
        return MTR_ERR_NOTSUP;
    }
    switch (c->id) {
    case 1: /* update_unit_charge: the passive unit charge */
        uc = *mtr_prepaid_passive_charge(pp, &act);
        cosem_in_init(&in, c->data, c->data_len);
        err = rd_unit_charge(&in, tariff, &uc);
        if (err != MTR_OK) {
            return err;
        }
        return pp_done(c, mtr_prepaid_set_passive(pp, &uc, act));
    case 2: /* activate_passive_unit_charge */
        err = cosem_param_integer(c);
        if (err != MTR_OK) {
            return err;
        }
        return pp_done(c, mtr_prepaid_activate_passive(pp));
    default:
        return MTR_ERR_NOTSUP;
    }
}

/* ================================================================ time and payment charges (class 113) */

/*
 * The engine's time and payment charges (standing charge, debt recovery by
 * time or by payment, fees) at 0-0:19.20.(10 + n).255, n = 0..
 * MTR_CFG_PREPAID_CHARGES - 1 (user: 10 + n). Read-only but for methods 3
 * collect (data ::= integer (0)), 4 update_total_amount_remaining and 5
 * set_total_amount_remaining (data ::= double-long); the engine's API sets
 * them up. unit_charge = {{commodity_scale 0, price_scale}, {0, 0-0:0.0.0.0,
 * 0} (no commodity: charged by time or by payment), [{index "", charge_per_unit
 * long}]}: charge_per_unit x 10^price_scale is the charge's amount per period
 * (time) or per purchase (payment), in credit units.
 */
#define DEBT_USER0 10u

static bool debt_of(const struct mtr_dlms_call *c, struct mtr_prepaid **pp, unsigned *idx,
                    struct mtr_prepaid_charge_cfg *cfg)
{
    uint8_t u = *(const uint8_t *)c->obj->user;

    *pp = pp_of(c);
    *idx = (unsigned)u - DEBT_USER0;
    return *pp != NULL && u >= DEBT_USER0 && mtr_prepaid_charge_config(*pp, *idx, cfg) == MTR_OK;
}

/* An amount as charge_per_unit x 10^scale: the smallest scale 0..13 at which it fits a long. */
static void seq_debt_unit_charge(struct cosem_out *o, int64_t amount)
{
    static const uint8_t none[6] = {0, 0, 0, 0, 0, 0};
    int scale = 0;
    int64_t d = 1;

    while (amount / d > INT16_MAX && scale < 13) {
        d *= 10;
        scale++;
    }
    cosem_put_struct(o, 3);
    cosem_put_struct(o, 2);
    cosem_put_int(o, MTR_DLMS_INTEGER, 0);
    cosem_put_int(o, MTR_DLMS_INTEGER, scale);
    cosem_put_struct(o, 3);
    cosem_put_uint(o, MTR_DLMS_LONG_UNSIGNED, 0);
    cosem_put_obis(o, none);
    cosem_put_int(o, MTR_DLMS_INTEGER, 0);
    cosem_put_array(o, 1);
    cosem_put_struct(o, 2);
    cosem_put_copy(o, MTR_DLMS_OCTET_STRING, none, 0);
    cosem_put_int(o, MTR_DLMS_LONG, amount / d > INT16_MAX ? INT16_MAX : amount / d);
}

mtr_err_t cosem_debt_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    struct mtr_prepaid *pp;
    struct mtr_prepaid_charge_cfg cfg;
    struct mtr_prepaid_charge_info info;
    struct cosem_out o;
    unsigned idx;
    bool used;

    if (!debt_of(c, &pp, &idx, &cfg) || mtr_prepaid_charge_info(pp, idx, &info) != MTR_OK) {
        return MTR_ERR_NOTSUP;
    }
    used = cfg.type != 0xFFu;
    cosem_out_init(&o, c, w);
    switch (c->id) {
    case 2: /* total_amount_paid */
        put_money(&o, info.total_paid);
        break;
    case 3: /* charge_type: time based (also an unused slot) or payment event based */
        cosem_put_uint(&o, MTR_DLMS_ENUM, used ? cfg.type : (uint8_t)MTR_PREPAID_CHARGE_TIME);
        break;
    case 4: /* priority: 0 = not used */
        cosem_put_uint(&o, MTR_DLMS_UNSIGNED, used ? 1u : 0u);
        break;
    case 5: /* unit_charge_active */
    case 6: /* unit_charge_passive: the same (no passive amount in the engine) */
        seq_debt_unit_charge(&o, cfg.amount);
        break;
    case 7: /* unit_charge_activation_time: none */
        cosem_ctl_put_datetime(&o, c, -1);
        break;
    case 8: /* period, s: of a time charge; 0 for a payment charge */
        cosem_put_uint(&o, MTR_DLMS_DOUBLE_LONG_UNSIGNED, cfg.type == MTR_PREPAID_CHARGE_TIME ? cfg.period_s : 0u);
        break;
    case 9: /* charge_configuration: bit 0 percentage based, bit 1 continuous (bit-string(2)) */
        cosem_ctl_put_bits(&o, cfg.config, 2);
        break;
    case 10: /* last_collection_time, last_collection_amount, total_amount_remaining */
    case 11:
    case 12:
        put_collection(&o, c, &info);
        break;
    case 13: /* proportion, 1/100 % */
        cosem_put_uint(&o, MTR_DLMS_LONG_UNSIGNED, cfg.proportion);
        break;
    default:
        return MTR_ERR_NOTSUP;
    }
    return cosem_out_end(&o);
}

mtr_err_t cosem_debt_action(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    struct mtr_prepaid *pp;
    struct mtr_prepaid_charge_cfg cfg;
    struct cosem_in in;
    unsigned idx;
    int64_t v = 0;
    mtr_utc_t now;
    mtr_err_t err;

    (void)w;
    if (!debt_of(c, &pp, &idx, &cfg)) {
        return MTR_ERR_NOTSUP;
    }
    switch (c->id) {
    case 3: /* collect: data ::= integer (0) */
        err = cosem_param_integer(c);
        if (err != MTR_OK) {
            return err;
        }
        now = cosem_ctl_now_utc(c);
        if (now < 0) {
            return MTR_ERR_IO;
        }
        return pp_done(c, mtr_prepaid_charge_collect(pp, idx, now, NULL));
    case 4: /* update_total_amount_remaining: data ::= double_long, added */
    case 5: /* set_total_amount_remaining: data ::= double_long */
        cosem_in_init(&in, c->data, c->data_len);
        (void)get_money(&in, &v);
        if (cosem_in_end(&in) != MTR_OK) {
            return cosem_in_end(&in);
        }
        return pp_done(c, c->id == 4 ? mtr_prepaid_update_debt(pp, idx, v) : mtr_prepaid_set_debt(pp, idx, v));
    default:
        return MTR_ERR_NOTSUP;
    }
}

/* ================================================================ token gateway (class 115) */

/*
 * The gateway keeps the last token entered through enter (method 1),
 * accepted or refused, in the table's context (struct mtr_cosem_token, RAM):
 * attributes 2 token (the bytes as entered), 3 token_time (when the engine
 * took it), 4 token_description (the STS decoder's message), 5
 * token_delivery_method (remote: the head-end, the only way into this
 * gateway), 6 token_status {status_code, data_value} (Blue Book class 115).
 * data_value is an 8-bit bit-string holding the STS decoder's status
 * (meter/sts.h enum mtr_sts_status) as a number, bit 0 (sent first) its
 * most significant bit. Before the first token: an empty token, token_time
 * not specified, no description, token_status {0, empty bit-string}.
 */

/* token_status {status_code, data_value} of the last token (none yet: {0, empty}). */
static void gw_put_status(struct cosem_out *o, const struct mtr_cosem_token *tk)
{
    cosem_put_struct(o, 2);
    cosem_put_uint(o, MTR_DLMS_ENUM, tk->len != 0 ? tk->status : 0u);
    cosem_put_bits(o, &tk->sts, tk->len != 0 ? 8u : 0u);
}

mtr_err_t cosem_token_gw_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    const struct mtr_cosem_token *tk = &cosem_of(c)->token;
    struct cosem_out o;

    if (pp_of(c) == NULL) {
        return MTR_ERR_NOTSUP;
    }
    cosem_out_init(&o, c, w);
    switch (c->id) {
    case 2: /* token */
        cosem_put_view(&o, MTR_DLMS_OCTET_STRING, tk->digits, tk->len);
        break;
    case 3: /* token_time */
        cosem_ctl_put_datetime(&o, c, tk->len != 0 ? tk->time : -1);
        break;
    case 4: { /* token_description: the decoder's message */
        const char *msg = mtr_sts_message((enum mtr_sts_status)tk->sts);
        cosem_put_array(&o, tk->len != 0 ? 1u : 0u);
        if (tk->len != 0) {
            cosem_put_view(&o, MTR_DLMS_OCTET_STRING, (const uint8_t *)msg, (uint32_t)strlen(msg));
        }
        break;
    }
    case 5: /* token_delivery_method */
        cosem_put_uint(&o, MTR_DLMS_ENUM, tk->len != 0 ? tk->delivery : (uint8_t)MTR_PREPAID_DELIVERY_REMOTE);
        break;
    case 6: /* token_status */
        gw_put_status(&o, tk);
        break;
    default:
        return MTR_ERR_NOTSUP;
    }
    return cosem_out_end(&o);
}

mtr_err_t cosem_token_gw_action(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    struct mtr_cosem_token *tk = &cosem_of(c)->token;
    struct mtr_prepaid_token_result r;
    struct mtr_dlms_axdr_token t;
    struct cosem_in in;
    struct cosem_out o;
    mtr_err_t err;

    if (pp_of(c) == NULL || c->id != 1) {
        return MTR_ERR_NOTSUP;
    }
    cosem_in_init(&in, c->data, c->data_len);
    if (cosem_ctl_get_token(&in, &t) && t.tag != MTR_DLMS_OCTET_STRING && t.tag != MTR_DLMS_VISIBLE_STRING) {
        (void)cosem_ctl_in_fail(&in, MTR_ERR_INVAL);
    }
    if (cosem_in_end(&in) != MTR_OK) {
        return cosem_in_end(&in);
    }
    if (t.count == 0 || t.count > MTR_COSEM_TOKEN_MAX) {
        return COSEM_ERR_REFUSED;
    }
    err = mtr_meter_token_submit(cosem_of(c)->cfg.meter, (const char *)t.value, t.count,
                                 MTR_PREPAID_DELIVERY_REMOTE, &r);
    if (err == MTR_ERR_NOTSUP) {
        return MTR_ERR_NOTSUP;
    }
    /* kept whether accepted or refused: the gateway shows the last token entered */
    memcpy(tk->digits, t.value, t.count);
    tk->len = (uint8_t)t.count;
    tk->delivery = (uint8_t)r.delivery;
    tk->status = (uint8_t)r.gw;
    tk->sts = (uint8_t)r.sts.status;
    tk->time = r.utc >= 0 ? r.utc : -1;
    /* return data: its token_status */
    cosem_out_init(&o, c, w);
    gw_put_status(&o, tk);
    return cosem_out_end(&o);
}

#endif /* MTR_WITH_PREPAID */
