/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Prepaid engine, the Blue Book parts of classes 111..113 beyond the basics:
 * the credit period as a date-time (class 112 attribute 11) with its repeat,
 * set_amount_to_value (112 method 2), collect and the debt of a charge (113
 * methods 3..5), the account's currency and provision limit (111 attributes
 * 15, 18, 19); each refusal leaves the engine unchanged (memcmp), each
 * accepted change keeps the books balanced; the version 2 blob round trip
 * and the loading of version 1 blobs (converted, and real ones made by the
 * version 1 code: the fuzz corpus).
 */
#include <stdio.h>

#include "meter/bytes.h"
#include "meter/crc.h"
#include "pp_fixture.h"

static struct pp_fx fx;

static void setup(void)
{
    pp_fx_init(&fx, MTR_PREPAID_UNIT_CURRENCY);
}

TestSuite(prepaid_bluebook, .init = setup);

#define DAY 86400

/* A refused call: @p call returns @p err and the engine is unchanged. */
#define REFUSED(call, err)                                                                        \
    do {                                                                                          \
        struct mtr_prepaid before_ = fx.pp;                                                       \
        cr_assert_eq((call), (err), "%s", #call);                                                 \
        cr_assert_eq(memcmp(&before_, &fx.pp, sizeof before_), 0, "changed by %s", #call);        \
    } while (0)

static int64_t amount(enum mtr_prepaid_credit_type t)
{
    return mtr_prepaid_credit_amount(&fx.pp, t);
}

static struct mtr_prepaid_output tick_after(uint32_t s)
{
    fx.utc += s;
    return pp_fx_tick(&fx, NULL, 0, false);
}

/* ------------------------------------------------------------ credit period */

Test(prepaid_bluebook, credit_period_is_a_date_time_validated)
{
    struct mtr_prepaid_credit_cfg c = {.priority = 1, .preset = 50, .period_utc = -2};
    REFUSED(mtr_prepaid_set_credit(&fx.pp, MTR_PREPAID_CREDIT_TIME_BASED, &c), MTR_ERR_RANGE);
    c.period_utc = 7000000001LL; /* after 2191 */
    REFUSED(mtr_prepaid_set_credit(&fx.pp, MTR_PREPAID_CREDIT_TIME_BASED, &c), MTR_ERR_RANGE);
    c.period_utc = fx.utc;
    c.repeat_s = 31622401u; /* 366 days + 1 s */
    REFUSED(mtr_prepaid_set_credit(&fx.pp, MTR_PREPAID_CREDIT_TIME_BASED, &c), MTR_ERR_RANGE);
    c.repeat_s = 31622400u;
    cr_assert_eq(mtr_prepaid_set_credit(&fx.pp, MTR_PREPAID_CREDIT_TIME_BASED, &c), MTR_OK);
    struct mtr_prepaid_credit_cfg got;
    mtr_prepaid_credit_config(&fx.pp, MTR_PREPAID_CREDIT_TIME_BASED, &got);
    cr_assert(got.period_utc == fx.utc && got.repeat_s == 31622400u);
    /* after init no credit has a period */
    struct mtr_prepaid fresh;
    cr_assert_eq(mtr_prepaid_init(&fresh, &fx.cfg, NULL), MTR_OK);
    for (unsigned t = 0; t < MTR_PREPAID_CREDITS; t++) {
        mtr_prepaid_credit_config(&fresh, (enum mtr_prepaid_credit_type)t, &got);
        cr_assert_eq(got.period_utc, -1);
    }
}

Test(prepaid_bluebook, time_based_credit_topped_up_at_its_period_then_every_repeat)
{
    mtr_utc_t at = fx.utc + 3600;
    struct mtr_prepaid_credit_cfg c = {.priority = 1, .preset = 50, .period_utc = at, .repeat_s = DAY};
    struct mtr_prepaid_credit_cfg got;
    cr_assert_eq(mtr_prepaid_set_credit(&fx.pp, MTR_PREPAID_CREDIT_TIME_BASED, &c), MTR_OK);
    pp_fx_tick(&fx, NULL, 0, false);
    cr_assert_eq(amount(MTR_PREPAID_CREDIT_TIME_BASED), 0, "not before its period");
    tick_after(3599);
    cr_assert_eq(amount(MTR_PREPAID_CREDIT_TIME_BASED), 0, "one second before");
    tick_after(1);
    cr_assert_eq(amount(MTR_PREPAID_CREDIT_TIME_BASED), 50, "at its period");
    mtr_prepaid_credit_config(&fx.pp, MTR_PREPAID_CREDIT_TIME_BASED, &got);
    cr_assert_eq(got.period_utc, at + DAY, "the period moves on by repeat_s");
    cr_assert_eq(mtr_prepaid_set_amount(&fx.pp, MTR_PREPAID_CREDIT_TIME_BASED, 10), MTR_OK);
    /* three days later (ticks missed): topped up once, next period after now */
    tick_after(3 * DAY);
    cr_assert_eq(amount(MTR_PREPAID_CREDIT_TIME_BASED), 50);
    mtr_prepaid_credit_config(&fx.pp, MTR_PREPAID_CREDIT_TIME_BASED, &got);
    cr_assert_eq(got.period_utc, at + 4 * DAY);
    cr_assert_gt(got.period_utc, fx.utc);
    pp_fx_balanced(&fx.pp);
}

Test(prepaid_bluebook, a_period_without_repeat_tops_up_once_and_ends)
{
    struct mtr_prepaid_credit_cfg c = {.priority = 2, .preset = 70, .period_utc = fx.utc + 60};
    struct mtr_prepaid_credit_cfg got;
    cr_assert_eq(mtr_prepaid_set_credit(&fx.pp, MTR_PREPAID_CREDIT_CONSUMPTION, &c), MTR_OK);
    tick_after(60);
    cr_assert_eq(amount(MTR_PREPAID_CREDIT_CONSUMPTION), 70, "the consumption-based credit too");
    mtr_prepaid_credit_config(&fx.pp, MTR_PREPAID_CREDIT_CONSUMPTION, &got);
    cr_assert_eq(got.period_utc, -1, "no period any more");
    cr_assert_eq(mtr_prepaid_set_amount(&fx.pp, MTR_PREPAID_CREDIT_CONSUMPTION, 0), MTR_OK);
    tick_after(DAY);
    cr_assert_eq(amount(MTR_PREPAID_CREDIT_CONSUMPTION), 0, "not again");
    pp_fx_balanced(&fx.pp);
}

Test(prepaid_bluebook, a_period_waits_for_an_active_account_and_has_no_effect_on_other_credits)
{
    struct mtr_prepaid_credit_cfg c = {.priority = 1, .preset = 40, .period_utc = fx.utc};
    struct mtr_prepaid_credit_cfg r = {.priority = 3, .preset = 40, .period_utc = fx.utc};
    cr_assert_eq(mtr_prepaid_set_credit(&fx.pp, MTR_PREPAID_CREDIT_TIME_BASED, &c), MTR_OK);
    cr_assert_eq(mtr_prepaid_set_credit(&fx.pp, MTR_PREPAID_CREDIT_RESERVED, &r), MTR_OK);
    cr_assert_eq(mtr_prepaid_set_mode(&fx.pp, MTR_PREPAID_MODE_CREDIT), MTR_OK);
    tick_after(10);
    cr_assert_eq(amount(MTR_PREPAID_CREDIT_TIME_BASED), 0, "credit mode: waits");
    cr_assert_eq(mtr_prepaid_set_mode(&fx.pp, MTR_PREPAID_MODE_PREPAYMENT), MTR_OK);
    tick_after(10);
    cr_assert_eq(amount(MTR_PREPAID_CREDIT_TIME_BASED), 40);
    cr_assert_eq(amount(MTR_PREPAID_CREDIT_RESERVED), 0, "no effect on the reserved credit");
    struct mtr_prepaid_credit_cfg got;
    mtr_prepaid_credit_config(&fx.pp, MTR_PREPAID_CREDIT_RESERVED, &got);
    cr_assert_eq(got.period_utc, fx.utc - 20, "kept and read back");
}

Test(prepaid_bluebook, a_clock_set_forward_tops_up_once)
{
    struct mtr_prepaid_credit_cfg c = {.priority = 1, .preset = 30, .period_utc = fx.utc + DAY, .repeat_s = DAY};
    cr_assert_eq(mtr_prepaid_set_credit(&fx.pp, MTR_PREPAID_CREDIT_TIME_BASED, &c), MTR_OK);
    pp_fx_tick(&fx, NULL, 0, false);
    fx.utc += 10 * DAY;
    cr_assert_eq(mtr_prepaid_time_set(&fx.pp, fx.utc), MTR_OK);
    pp_fx_tick(&fx, NULL, 0, false);
    cr_assert_eq(amount(MTR_PREPAID_CREDIT_TIME_BASED), 30);
    cr_assert_eq(mtr_prepaid_ledger(&fx.pp).granted, 30, "granted once");
}

/* ------------------------------------------------------------ set_amount_to_value */

Test(prepaid_bluebook, set_amount_to_value_validated)
{
    struct mtr_prepaid_credit_cfg lim = {.priority = 1, .config = MTR_PREPAID_CC_TOKENS, .limit = 1000,
                                         .period_utc = -1};
    REFUSED(mtr_prepaid_set_amount(&fx.pp, MTR_PREPAID_CREDIT_EMERGENCY, 10), MTR_ERR_INVAL);
    REFUSED(mtr_prepaid_set_amount(&fx.pp, (enum mtr_prepaid_credit_type)5, 10), MTR_ERR_INVAL);
    REFUSED(mtr_prepaid_set_amount(&fx.pp, MTR_PREPAID_CREDIT_TOKEN, MTR_PREPAID_AMOUNT_MAX + 1), MTR_ERR_RANGE);
    REFUSED(mtr_prepaid_set_amount(&fx.pp, MTR_PREPAID_CREDIT_TOKEN, -MTR_PREPAID_AMOUNT_MAX - 1), MTR_ERR_RANGE);
    REFUSED(mtr_prepaid_set_amount(&fx.pp, MTR_PREPAID_CREDIT_RESERVED, -1), MTR_ERR_RANGE);
    cr_assert_eq(mtr_prepaid_set_credit(&fx.pp, MTR_PREPAID_CREDIT_TOKEN, &lim), MTR_OK);
    REFUSED(mtr_prepaid_set_amount(&fx.pp, MTR_PREPAID_CREDIT_TOKEN, 1001), MTR_ERR_PREPAID_LIMIT);
    cr_assert_eq(mtr_prepaid_set_amount(&fx.pp, MTR_PREPAID_CREDIT_TOKEN, 1000), MTR_OK);
    cr_assert_eq(mtr_prepaid_set_amount(&fx.pp, MTR_PREPAID_CREDIT_TOKEN, -20), MTR_OK, "a debt on the token credit");
    cr_assert_eq(mtr_prepaid_close(&fx.pp, fx.utc), MTR_OK);
    REFUSED(mtr_prepaid_set_amount(&fx.pp, MTR_PREPAID_CREDIT_TOKEN, 5), MTR_ERR_PREPAID_ACCOUNT);
}

Test(prepaid_bluebook, set_amount_to_value_settles_like_update_amount)
{
    struct mtr_prepaid_output o = pp_fx_tick(&fx, NULL, 0, false);
    cr_assert_not(o.supply.allowed, "no credit: off");
    cr_assert_eq(mtr_prepaid_set_amount(&fx.pp, MTR_PREPAID_CREDIT_TOKEN, 700), MTR_OK);
    cr_assert(mtr_prepaid_supply(&fx.pp).allowed, "back on at once");
    cr_assert_eq(mtr_prepaid_available(&fx.pp), 700);
    o = tick_after(1);
    cr_assert(o.events & MTR_PREPAID_EV_CREDIT_ADDED);
    cr_assert(o.events & MTR_PREPAID_EV_SUPPLY_ON);
    cr_assert(o.status & MTR_PREPAID_IN_CREDIT);
    struct mtr_prepaid_ledger l = mtr_prepaid_ledger(&fx.pp);
    cr_assert(l.granted == 700 && l.bought == 0, "an adjustment, not a purchase");
    cr_assert_eq(mtr_prepaid_set_amount(&fx.pp, MTR_PREPAID_CREDIT_TOKEN, 200), MTR_OK);
    l = mtr_prepaid_ledger(&fx.pp);
    cr_assert_eq(l.cleared, 500, "a fall is cleared");
    pp_fx_balanced(&fx.pp);
    cr_assert_eq(mtr_prepaid_set_amount(&fx.pp, MTR_PREPAID_CREDIT_TOKEN, 0), MTR_OK);
    o = tick_after(1);
    cr_assert(o.events & MTR_PREPAID_EV_OUT_OF_CREDIT);
    cr_assert(o.events & MTR_PREPAID_EV_SUPPLY_OFF);
    cr_assert_eq(mtr_prepaid_provided(&fx.pp, fx.utc), 0, "no provision counted");
    pp_fx_balanced(&fx.pp);
}

/* ------------------------------------------------------------ charges */

static void debt_charge(unsigned idx, uint8_t type, uint8_t config, int64_t amount_, int64_t debt)
{
    struct mtr_prepaid_charge_cfg cc = {.type = type, .config = config, .period_s = DAY, .amount = amount_,
                                        .proportion = 2500};
    cr_assert_eq(mtr_prepaid_set_charge(&fx.pp, idx, &cc), MTR_OK);
    cr_assert_eq(mtr_prepaid_set_debt(&fx.pp, idx, debt), MTR_OK);
}

Test(prepaid_bluebook, update_total_amount_remaining_validated_and_clears)
{
    struct mtr_prepaid_charge_info info;
    debt_charge(0, MTR_PREPAID_CHARGE_TIME, 0, 10, 100);
    REFUSED(mtr_prepaid_update_debt(&fx.pp, MTR_PREPAID_CHARGES, 5), MTR_ERR_RANGE);
    REFUSED(mtr_prepaid_update_debt(&fx.pp, 0, -101), MTR_ERR_RANGE);
    REFUSED(mtr_prepaid_update_debt(&fx.pp, 0, MTR_PREPAID_AMOUNT_MAX), MTR_ERR_RANGE);
    REFUSED(mtr_prepaid_update_debt(&fx.pp, 0, INT64_MIN), MTR_ERR_RANGE);
    cr_assert_eq(mtr_prepaid_update_debt(&fx.pp, 0, 50), MTR_OK);
    cr_assert_eq(mtr_prepaid_charge_info(&fx.pp, 0, &info), MTR_OK);
    cr_assert_eq(info.remaining, 150);
    cr_assert_eq(mtr_prepaid_debt(&fx.pp), 150, "aggregated debt follows");
    cr_assert_eq(mtr_prepaid_update_debt(&fx.pp, 0, -150), MTR_OK);
    struct mtr_prepaid_output o = tick_after(0);
    cr_assert(o.events & MTR_PREPAID_EV_DEBT_CLEARED);
    cr_assert_eq(mtr_prepaid_debt(&fx.pp), 0);
    REFUSED(mtr_prepaid_set_debt(&fx.pp, 0, -1), MTR_ERR_RANGE);
    cr_assert_eq(mtr_prepaid_set_debt(&fx.pp, 0, 40), MTR_OK, "set_total_amount_remaining");
    cr_assert_eq(mtr_prepaid_debt(&fx.pp), 40);
}

Test(prepaid_bluebook, collect_takes_one_unit_charge_capped_by_the_debt)
{
    struct mtr_prepaid_charge_info info;
    int64_t got = -1;
    cr_assert_eq(mtr_prepaid_payment(&fx.pp, MTR_PREPAID_CREDIT_TOKEN, 1000, fx.utc, NULL), MTR_OK);
    debt_charge(0, MTR_PREPAID_CHARGE_TIME, 0, 30, 50);
    debt_charge(1, MTR_PREPAID_CHARGE_PAYMENT, MTR_PREPAID_CHG_CONTINUOUS, 25, 0);
    debt_charge(2, MTR_PREPAID_CHARGE_PAYMENT, MTR_PREPAID_CHG_PERCENTAGE, 0, 100);
    REFUSED(mtr_prepaid_charge_collect(&fx.pp, MTR_PREPAID_CHARGES, fx.utc, &got), MTR_ERR_RANGE);
    REFUSED(mtr_prepaid_charge_collect(&fx.pp, 0, -5, &got), MTR_ERR_RANGE);
    REFUSED(mtr_prepaid_charge_collect(&fx.pp, 2, fx.utc, &got), MTR_ERR_STATE);
    cr_assert_eq(mtr_prepaid_charge_collect(&fx.pp, 0, fx.utc + 5, &got), MTR_OK);
    cr_assert_eq(got, 30);
    cr_assert_eq(mtr_prepaid_charge_collect(&fx.pp, 0, fx.utc + 6, &got), MTR_OK);
    cr_assert_eq(got, 20, "capped by the 20 left");
    cr_assert_eq(mtr_prepaid_charge_info(&fx.pp, 0, &info), MTR_OK);
    cr_assert(info.remaining == 0 && info.total_paid == 50 && info.last_collection == 20 &&
              info.last_collection_utc == fx.utc + 6);
    cr_assert_eq(mtr_prepaid_charge_collect(&fx.pp, 0, fx.utc + 7, &got), MTR_OK);
    cr_assert_eq(got, 0, "nothing owed");
    cr_assert_eq(mtr_prepaid_charge_collect(&fx.pp, 1, fx.utc, &got), MTR_OK);
    cr_assert_eq(got, 25, "a continuous fee");
    cr_assert_eq(mtr_prepaid_credit_amount(&fx.pp, MTR_PREPAID_CREDIT_TOKEN), 1000 - 75);
    cr_assert_eq(mtr_prepaid_ledger(&fx.pp).consumed, 75);
    pp_fx_balanced(&fx.pp);
    struct mtr_prepaid_charge_cfg cc;
    cr_assert_eq(mtr_prepaid_charge_config(&fx.pp, 1, &cc), MTR_OK);
    cr_assert(cc.type == MTR_PREPAID_CHARGE_PAYMENT && cc.amount == 25);
    cr_assert_eq(mtr_prepaid_charge_config(&fx.pp, MTR_PREPAID_CHARGES, &cc), MTR_ERR_RANGE);
}

Test(prepaid_bluebook, collect_refused_on_an_unused_slot_or_an_inactive_account)
{
    int64_t got = -1;
    REFUSED(mtr_prepaid_charge_collect(&fx.pp, 0, fx.utc, &got), MTR_ERR_STATE);
    debt_charge(0, MTR_PREPAID_CHARGE_TIME, 0, 30, 50);
    cr_assert_eq(mtr_prepaid_reset(&fx.pp), MTR_OK); /* account new */
    REFUSED(mtr_prepaid_charge_collect(&fx.pp, 0, fx.utc, &got), MTR_ERR_STATE);
    cr_assert_eq(got, 0);
}

/* ------------------------------------------------------------ currency */

static mtr_err_t set_currency(const char *name, size_t len, int8_t scale, uint8_t unit)
{
    struct mtr_prepaid_currency c;
    size_t have = strlen(name);
    memset(&c, 0, sizeof c);
    memcpy(c.name, name, have < sizeof c.name ? have : sizeof c.name);
    c.name_len = (uint8_t)len;
    c.scale = scale;
    c.unit = unit;
    return mtr_prepaid_set_currency(&fx.pp, &c);
}

Test(prepaid_bluebook, currency_validated_and_read_back)
{
    struct mtr_prepaid_currency c;
    cr_assert_eq(mtr_prepaid_config_currency_name(), MTR_PREPAID_CURRENCY_NAME);
    cr_assert_eq(sizeof c.name, mtr_prepaid_config_currency_name());
    mtr_prepaid_currency(&fx.pp, &c);
    cr_assert(c.name_len == 0 && c.scale == 0 && c.unit == MTR_PREPAID_CURRENCY_MONETARY, "after init");
    REFUSED(set_currency("EUR", MTR_PREPAID_CURRENCY_NAME + 1u, -2, 2), MTR_ERR_RANGE);
    REFUSED(set_currency("EUR", 3, -10, 2), MTR_ERR_RANGE);
    REFUSED(set_currency("EUR", 3, 10, 2), MTR_ERR_RANGE);
    REFUSED(set_currency("EUR", 3, -2, 3), MTR_ERR_INVAL);
    REFUSED(set_currency("\xC0\x80", 2, -2, 2), MTR_ERR_INVAL);     /* overlong NUL */
    REFUSED(set_currency("\xED\xA0\x80", 3, -2, 2), MTR_ERR_INVAL); /* a surrogate */
    REFUSED(set_currency("\xE2\x82", 2, -2, 2), MTR_ERR_INVAL);     /* truncated euro sign */
    REFUSED(set_currency("\x80" "A", 2, -2, 2), MTR_ERR_INVAL);     /* a continuation first */
    cr_assert_eq(set_currency("\xE2\x82\xAC", 3, -2, MTR_PREPAID_CURRENCY_MONETARY), MTR_OK, "the euro sign");
    mtr_prepaid_currency(&fx.pp, &c);
    cr_assert(c.name_len == 3 && memcmp(c.name, "\xE2\x82\xAC", 3) == 0 && c.scale == -2 && c.unit == 2);
    cr_assert_eq(set_currency("kWh", 3, 3, MTR_PREPAID_CURRENCY_CONSUMPTION), MTR_OK);
    cr_assert_eq(set_currency("", 0, 0, MTR_PREPAID_CURRENCY_TIME), MTR_OK, "an empty name");
}

/* ------------------------------------------------------------ max provision */

Test(prepaid_bluebook, max_provision_limits_payments_within_the_period)
{
    uint16_t max = 1;
    uint32_t period = 1;
    mtr_prepaid_max_provision(&fx.pp, &max, &period);
    cr_assert(max == 0 && period == 0, "no limit after init");
    REFUSED(mtr_prepaid_set_max_provision(&fx.pp, 1000, 31622401u), MTR_ERR_RANGE);
    cr_assert_eq(mtr_prepaid_set_max_provision(&fx.pp, 1000, DAY), MTR_OK);
    mtr_prepaid_max_provision(&fx.pp, &max, &period);
    cr_assert(max == 1000 && period == DAY);
    cr_assert_eq(mtr_prepaid_payment(&fx.pp, MTR_PREPAID_CREDIT_TOKEN, 600, fx.utc, NULL), MTR_OK);
    REFUSED(mtr_prepaid_payment(&fx.pp, MTR_PREPAID_CREDIT_TOKEN, 401, fx.utc + 10, NULL), MTR_ERR_PREPAID_PROVISION);
    cr_assert_eq(mtr_prepaid_payment(&fx.pp, MTR_PREPAID_CREDIT_RESERVED, 400, fx.utc + 20, NULL), MTR_OK);
    cr_assert_eq(mtr_prepaid_provided(&fx.pp, fx.utc + 20), 1000);
    REFUSED(mtr_prepaid_payment(&fx.pp, MTR_PREPAID_CREDIT_TOKEN, 1, fx.utc + DAY - 1, NULL), MTR_ERR_PREPAID_PROVISION);
    cr_assert_eq(mtr_prepaid_payment(&fx.pp, MTR_PREPAID_CREDIT_TOKEN, 1000, fx.utc + DAY, NULL), MTR_OK,
                 "a new period");
    cr_assert_eq(mtr_prepaid_provided(&fx.pp, fx.utc + DAY), 1000);
    /* set_amount_to_value is not a provision */
    cr_assert_eq(mtr_prepaid_set_amount(&fx.pp, MTR_PREPAID_CREDIT_TOKEN, 5000), MTR_OK);
    /* period 0: each provision alone */
    cr_assert_eq(mtr_prepaid_set_max_provision(&fx.pp, 300, 0), MTR_OK);
    REFUSED(mtr_prepaid_payment(&fx.pp, MTR_PREPAID_CREDIT_TOKEN, 301, fx.utc + DAY, NULL), MTR_ERR_PREPAID_PROVISION);
    cr_assert_eq(mtr_prepaid_payment(&fx.pp, MTR_PREPAID_CREDIT_TOKEN, 300, fx.utc + DAY, NULL), MTR_OK);
    cr_assert_eq(mtr_prepaid_payment(&fx.pp, MTR_PREPAID_CREDIT_TOKEN, 300, fx.utc + DAY, NULL), MTR_OK);
    cr_assert_eq(mtr_prepaid_set_max_provision(&fx.pp, 0, 0), MTR_OK);
    cr_assert_eq(mtr_prepaid_payment(&fx.pp, MTR_PREPAID_CREDIT_TOKEN, 100000, fx.utc + DAY, NULL), MTR_OK, "no limit");
    pp_fx_balanced(&fx.pp);
}

Test(prepaid_bluebook, a_token_over_max_provision_is_refused_whole)
{
    char t[21];
    struct mtr_prepaid_token_result r;
    cr_assert_eq(mtr_prepaid_set_max_provision(&fx.pp, 500, DAY), MTR_OK);
    pp_fx_token(&fx, MTR_STS_CREDIT_ELECTRICITY_CURRENCY, 400, t);
    cr_assert_eq(mtr_prepaid_token_submit(&fx.pp, t, 20, MTR_PREPAID_DELIVERY_MANUAL, fx.utc, &r), MTR_OK);
    pp_fx_token(&fx, MTR_STS_CREDIT_ELECTRICITY_CURRENCY, 200, t);
    struct mtr_prepaid before = fx.pp;
    struct mtr_sts sts_before = fx.sts;
    cr_assert_eq(mtr_prepaid_token_submit(&fx.pp, t, 20, MTR_PREPAID_DELIVERY_MANUAL, fx.utc + 60, &r),
                 MTR_ERR_PREPAID_PROVISION);
    cr_assert_eq(r.sts.status, MTR_STS_REJECT_OVERFLOW);
    cr_assert_eq(r.gw, MTR_PREPAID_GW_VALIDATION_FAILURE);
    cr_assert_eq(r.credited, 0);
    cr_assert_eq(memcmp(&before, &fx.pp, sizeof before), 0, "engine unchanged");
    cr_assert_eq(memcmp(&sts_before, &fx.sts, sizeof sts_before), 0, "TID not used up");
    /* the same token is accepted in the next period */
    cr_assert_eq(mtr_prepaid_token_submit(&fx.pp, t, 20, MTR_PREPAID_DELIVERY_MANUAL, fx.utc + DAY, &r), MTR_OK);
    cr_assert_eq(mtr_prepaid_credit_amount(&fx.pp, MTR_PREPAID_CREDIT_TOKEN), 600);
}

/* ------------------------------------------------------------ persistence */

static void rich_state(void)
{
    struct mtr_prepaid_credit_cfg tb = {.priority = 2, .preset = 50, .period_utc = fx.utc + 3600, .repeat_s = DAY};
    cr_assert_eq(mtr_prepaid_set_credit(&fx.pp, MTR_PREPAID_CREDIT_TIME_BASED, &tb), MTR_OK);
    cr_assert_eq(set_currency("EUR", 3, -2, MTR_PREPAID_CURRENCY_MONETARY), MTR_OK);
    cr_assert_eq(mtr_prepaid_set_max_provision(&fx.pp, 9000, 7 * DAY), MTR_OK);
    cr_assert_eq(mtr_prepaid_payment(&fx.pp, MTR_PREPAID_CREDIT_TOKEN, 1234, fx.utc, NULL), MTR_OK);
    debt_charge(0, MTR_PREPAID_CHARGE_TIME, 0, 10, 300);
    pp_fx_tick(&fx, NULL, 0, false);
}

static void reload(const uint8_t *b, size_t n, struct pp_fx *other)
{
    pp_fx_init(other, MTR_PREPAID_UNIT_CURRENCY);
    other->pp.cfg = &fx.cfg;
    other->pp.sts = &other->sts;
    cr_assert_eq(mtr_prepaid_load(&other->pp, b, n), MTR_OK);
}

Test(prepaid_bluebook, version_2_blob_round_trip)
{
    static uint8_t a[MTR_PREPAID_STATE_SIZE], b[MTR_PREPAID_STATE_SIZE];
    static struct pp_fx other;
    size_t n, m;
    rich_state();
    cr_assert_eq(mtr_prepaid_save(&fx.pp, a, sizeof a, &n), MTR_OK);
    cr_assert_eq(a[2], 2, "version 2");
    reload(a, n, &other);
    cr_assert_eq(mtr_prepaid_save(&other.pp, b, sizeof b, &m), MTR_OK);
    cr_assert(m == n && memcmp(a, b, n) == 0);
    struct mtr_prepaid_currency c;
    mtr_prepaid_currency(&other.pp, &c);
    cr_assert(c.name_len == 3 && memcmp(c.name, "EUR", 3) == 0 && c.scale == -2);
    uint16_t max;
    uint32_t period;
    mtr_prepaid_max_provision(&other.pp, &max, &period);
    cr_assert(max == 9000 && period == 7 * DAY);
    cr_assert_eq(mtr_prepaid_provided(&other.pp, fx.utc), 1234);
    struct mtr_prepaid_credit_cfg got;
    mtr_prepaid_credit_config(&other.pp, MTR_PREPAID_CREDIT_TIME_BASED, &got);
    cr_assert(got.period_utc == fx.utc + 3600 && got.repeat_s == DAY);
}

static void reseal(uint8_t *buf, size_t n)
{
    mtr_put_be32(buf + n - 4, mtr_crc32(buf, n - 4));
}

Test(prepaid_bluebook, version_2_blob_with_bad_new_fields_refused)
{
    static uint8_t a[MTR_PREPAID_STATE_SIZE], c[MTR_PREPAID_STATE_SIZE];
    size_t n;
    rich_state();
    cr_assert_eq(mtr_prepaid_save(&fx.pp, a, sizeof a, &n), MTR_OK);
    size_t sts_len = mtr_get_be16(a + MTR_PREPAID_CORE_SIZE - 2u);
    size_t acc = MTR_PREPAID_CORE_SIZE - 2u - (25u + MTR_PREPAID_CURRENCY_NAME); /* account part */
    cr_assert_eq(n, MTR_PREPAID_CORE_SIZE + sts_len + 4u);
    struct mtr_prepaid before = fx.pp;
    /* name length above the capacity; padding not zero; scale 10; unit 3; period above 366 days */
    memcpy(c, a, n); c[acc] = MTR_PREPAID_CURRENCY_NAME + 1u; reseal(c, n);
    cr_assert_eq(mtr_prepaid_load(&fx.pp, c, n), MTR_ERR_PREPAID_BLOB);
    memcpy(c, a, n); c[acc + 1u + MTR_PREPAID_CURRENCY_NAME - 1u] = 'X'; reseal(c, n);
    cr_assert_eq(mtr_prepaid_load(&fx.pp, c, n), MTR_ERR_PREPAID_BLOB);
    memcpy(c, a, n); c[acc + 1u + MTR_PREPAID_CURRENCY_NAME] = 10; reseal(c, n);
    cr_assert_eq(mtr_prepaid_load(&fx.pp, c, n), MTR_ERR_PREPAID_BLOB);
    memcpy(c, a, n); c[acc + 2u + MTR_PREPAID_CURRENCY_NAME] = 3; reseal(c, n);
    cr_assert_eq(mtr_prepaid_load(&fx.pp, c, n), MTR_ERR_PREPAID_BLOB);
    memcpy(c, a, n); mtr_put_be32(c + acc + 5u + MTR_PREPAID_CURRENCY_NAME, 31622401u); reseal(c, n);
    cr_assert_eq(mtr_prepaid_load(&fx.pp, c, n), MTR_ERR_PREPAID_BLOB);
    /* the time-based credit's period before 1970 - 1 */
    memcpy(c, a, n); mtr_put_be64(c + 63 + 3 * 55 + 35, (uint64_t)-2); reseal(c, n);
    cr_assert_eq(mtr_prepaid_load(&fx.pp, c, n), MTR_ERR_PREPAID_BLOB);
    cr_assert_eq(memcmp(&before, &fx.pp, sizeof before), 0);
}

/* The same state as version 1 wrote it: tb_next after ec_owed, credit
 * periods in seconds, no account part. */
static size_t to_v1(const uint8_t *v2, size_t n, mtr_utc_t tb_next, uint8_t *v1)
{
    size_t sts_len = mtr_get_be16(v2 + MTR_PREPAID_CORE_SIZE - 2u);
    const uint8_t *p = v2;
    uint8_t *q = v1;
    memcpy(q, p, 63); q[2] = 1; q += 63; p += 63;
    mtr_put_be64(q, (uint64_t)tb_next); q += 8;
    for (unsigned i = 0; i < MTR_PREPAID_CREDITS; i++) {
        memcpy(q, p, 35); q += 35; p += 35;
        p += 8;                          /* period date-time */
        memcpy(q, p, 4); q += 4; p += 4; /* repeat -> period in seconds */
        memcpy(q, p, 8); q += 8; p += 8;
    }
    size_t rest = MTR_PREPAID_CORE_SIZE - 2u - (25u + MTR_PREPAID_CURRENCY_NAME) - (size_t)(p - v2);
    memcpy(q, p, rest); q += rest;
    p = v2 + MTR_PREPAID_CORE_SIZE - 2u;
    memcpy(q, p, 2 + sts_len); q += 2 + sts_len;
    size_t m = (size_t)(q - v1) + 4u;
    reseal(v1, m);
    cr_assert_eq(m + (57u + MTR_PREPAID_CURRENCY_NAME), n);
    return m;
}

Test(prepaid_bluebook, version_1_blob_loads_converted)
{
    static uint8_t a[MTR_PREPAID_STATE_SIZE], v1[MTR_PREPAID_STATE_SIZE];
    static struct pp_fx other;
    size_t n, m;
    rich_state();
    cr_assert_eq(mtr_prepaid_save(&fx.pp, a, sizeof a, &n), MTR_OK);
    m = to_v1(a, n, fx.utc + 777, v1);
    reload(v1, m, &other);
    struct mtr_prepaid_credit_cfg got;
    mtr_prepaid_credit_config(&other.pp, MTR_PREPAID_CREDIT_TIME_BASED, &got);
    cr_assert_eq(got.repeat_s, DAY, "the version 1 period in seconds repeats");
    cr_assert_eq(got.period_utc, fx.utc + 777, "the next top-up becomes the period date-time");
    mtr_prepaid_credit_config(&other.pp, MTR_PREPAID_CREDIT_TOKEN, &got);
    cr_assert_eq(got.period_utc, -1);
    struct mtr_prepaid_currency c;
    mtr_prepaid_currency(&other.pp, &c);
    cr_assert(c.name_len == 0 && c.unit == MTR_PREPAID_CURRENCY_MONETARY, "currency as after init");
    uint16_t max = 1;
    mtr_prepaid_max_provision(&other.pp, &max, NULL);
    cr_assert_eq(max, 0);
    cr_assert_eq(mtr_prepaid_credit_amount(&other.pp, MTR_PREPAID_CREDIT_TOKEN),
                 mtr_prepaid_credit_amount(&fx.pp, MTR_PREPAID_CREDIT_TOKEN));
    cr_assert_eq(mtr_prepaid_generation(&other.pp), mtr_prepaid_generation(&fx.pp));
    /* no top-up scheduled in version 1: due at the next tick (its last tick time) */
    m = to_v1(a, n, -1, v1);
    reload(v1, m, &other);
    mtr_prepaid_credit_config(&other.pp, MTR_PREPAID_CREDIT_TIME_BASED, &got);
    cr_assert_eq(got.period_utc, fx.utc);
    /* saved again: version 2 */
    cr_assert_eq(mtr_prepaid_save(&other.pp, a, sizeof a, &n), MTR_OK);
    cr_assert_eq(a[2], 2);
    /* a truncated version 1 blob is refused, unchanged */
    struct mtr_prepaid before = other.pp;
    cr_assert_eq(mtr_prepaid_load(&other.pp, v1, m - 1), MTR_ERR_PREPAID_BLOB);
    cr_assert_eq(memcmp(&before, &other.pp, sizeof before), 0);
}

#ifdef PP_CORPUS
/* Blobs written by the version 1 code (the fuzz corpus of the loader). */
Test(prepaid_bluebook, real_version_1_blobs_load)
{
    static const char *const names[] = {"default", "rich"};
    static uint8_t b[MTR_PREPAID_STATE_SIZE + 16];
    unsigned loaded = 0;
    for (unsigned k = 0; k < 2; k++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", PP_CORPUS, names[k]);
        FILE *f = fopen(path, "rb");
        if (f == NULL) {
            continue;
        }
        size_t n = fread(b, 1, sizeof b, f);
        fclose(f);
        if (n < 3 || b[2] != 1) {
            continue;
        }
        static struct mtr_sts sts;
        static struct mtr_prepaid pp;
        cr_assert_eq(mtr_sts_init(&sts, &fx.ciph, &(struct mtr_sts_key){.dk = 0x0123456789abcdefull, .krn = 1,
                                                                        .kt = 2, .ti = 1, .ken = 255,
                                                                        .base = MTR_STS_BASE_2014}),
                     MTR_OK);
        cr_assert_eq(mtr_prepaid_init(&pp, &fx.cfg, &sts), MTR_OK);
        cr_assert_eq(mtr_prepaid_load(&pp, b, n), MTR_OK, "%s", names[k]);
        pp_fx_balanced(&pp);
        loaded++;
    }
    cr_assert_gt(loaded, 0, "no version 1 blob found in %s", PP_CORPUS);
}
#endif
