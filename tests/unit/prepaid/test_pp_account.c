/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Prepaid engine, feature by feature: account and payment mode, prices per
 * tariff with carried remainders, block tariffs, passive prices, standing
 * charge, debt recovery by time and by payment, credit priorities,
 * emergency credit with its button, friendly periods, the next-credit
 * threshold, allowances, and bad input that changes nothing. Expected
 * amounts are worked out by hand in the comments.
 */
#include "pp_fixture.h"

static struct pp_fx fx;

static void setup(void)
{
    pp_fx_init(&fx, MTR_PREPAID_UNIT_CURRENCY);
}

TestSuite(prepaid_account, .init = setup);

static void flat_price(int32_t t1, int32_t t2)
{
    struct mtr_prepaid_unit_charge uc;
    memset(&uc, 0, sizeof uc);
    uc.tariff[0] = t1;
    uc.tariff[1] = t2;
    cr_assert_eq(mtr_prepaid_set_passive(&fx.pp, &uc, -1), MTR_OK);
    cr_assert_eq(mtr_prepaid_activate_passive(&fx.pp), MTR_OK);
    pp_fx_tick(&fx, NULL, 0, false); /* reports the activation */
}

static void pay(int64_t cents)
{
    cr_assert_eq(mtr_prepaid_payment(&fx.pp, MTR_PREPAID_CREDIT_TOKEN, cents, fx.utc, NULL), MTR_OK);
}

static struct mtr_prepaid_output use(mtr_mwh_t t1, mtr_mwh_t t2, uint32_t step_s)
{
    struct mtr_prepaid_usage u;
    memset(&u, 0, sizeof u);
    u.delta[0] = t1;
    u.delta[1] = t2;
    fx.utc += step_s;
    return pp_fx_tick(&fx, &u, 0, false);
}

static int64_t token_credit(void)
{
    return mtr_prepaid_credit_amount(&fx.pp, MTR_PREPAID_CREDIT_TOKEN);
}

Test(prepaid_account, new_account_does_not_disconnect_active_one_does)
{
    struct mtr_prepaid fresh;
    cr_assert_eq(mtr_prepaid_init(&fresh, &fx.cfg, NULL), MTR_OK);
    cr_assert_eq(mtr_prepaid_mode(&fresh), MTR_PREPAID_MODE_PREPAYMENT);
    cr_assert_eq(mtr_prepaid_account(&fresh), MTR_PREPAID_ACCOUNT_NEW);
    cr_assert(mtr_prepaid_supply(&fresh).allowed);
    cr_assert_eq(mtr_prepaid_supply(&fresh).reason, MTR_PREPAID_SUPPLY_NOT_PREPAID);
    /* the fixture's account is active with no credit: the first tick cuts */
    struct mtr_prepaid_output o = pp_fx_tick(&fx, NULL, 0, false);
    cr_assert_not(o.supply.allowed);
    cr_assert_eq(o.supply.reason, MTR_PREPAID_SUPPLY_NO_CREDIT);
    cr_assert(o.events & MTR_PREPAID_EV_SUPPLY_OFF);
    cr_assert(o.status & MTR_PREPAID_OUT_OF_CREDIT);
    cr_assert_str_eq(mtr_prepaid_reason_name(o.supply.reason), "out of credit");
    /* a payment reconnects at once */
    pay(100);
    cr_assert(mtr_prepaid_supply(&fx.pp).allowed);
    cr_assert_eq(mtr_prepaid_supply(&fx.pp).reason, MTR_PREPAID_SUPPLY_CREDIT);
}

Test(prepaid_account, credit_mode_never_disconnects)
{
    flat_price(20000, 0);
    cr_assert_eq(mtr_prepaid_set_mode(&fx.pp, MTR_PREPAID_MODE_CREDIT), MTR_OK);
    struct mtr_prepaid_output o = use(5000000, 0, 3600); /* 5 kWh at 20 c = 100 c */
    cr_assert(o.supply.allowed);
    cr_assert_eq(o.supply.reason, MTR_PREPAID_SUPPLY_NOT_PREPAID);
    cr_assert_eq(token_credit(), -100);
    pp_fx_balanced(&fx.pp);
    cr_assert_eq(mtr_prepaid_set_mode(&fx.pp, (enum mtr_prepaid_payment_mode)3), MTR_ERR_INVAL);
}

Test(prepaid_account, price_per_tariff)
{
    /* T1 20 c/kWh, T2 10 c/kWh (in 1/1000 c) */
    flat_price(20000, 10000);
    pay(10000);
    use(1000000, 2000000, 900); /* 1 kWh x 20 + 2 kWh x 10 = 40 c */
    cr_assert_eq(token_credit(), 10000 - 40);
    struct mtr_prepaid_charge_info ci;
    cr_assert_eq(mtr_prepaid_charge_info(&fx.pp, MTR_PREPAID_CHARGES, &ci), MTR_OK);
    cr_assert_eq(ci.total_paid, 40);
    cr_assert_eq(ci.last_collection, 40);
    cr_assert_eq(ci.last_collection_utc, fx.utc);
    cr_assert_eq(mtr_prepaid_period_energy(&fx.pp), 3000000);
    pp_fx_balanced(&fx.pp);
}

Test(prepaid_account, no_fraction_of_a_cent_is_lost)
{
    /* 3/1000 c per kWh; 333 333 333 mWh costs 0.999 999 999 c */
    flat_price(3, 0);
    pay(100);
    use(333333333, 0, 60);
    cr_assert_eq(token_credit(), 100, "999 999 999: nothing complete yet");
    use(333333333, 0, 60); /* 1 999 999 998: 1 c */
    cr_assert_eq(token_credit(), 99);
    use(333333333, 0, 60); /* 2 999 999 997: 2 c, 999 999 997 carried */
    cr_assert_eq(token_credit(), 98);
    use(1, 0, 60); /* + 3 -> exactly 10^9: 1 c more */
    cr_assert_eq(token_credit(), 97);
    pp_fx_balanced(&fx.pp);
}

Test(prepaid_account, block_tariff_steps_on_billing_period_energy)
{
    struct mtr_prepaid_unit_charge uc;
    memset(&uc, 0, sizeof uc);
    uc.tariff[0] = 10000;                                      /* 10 c base */
    uc.blocks = 3;
    uc.upper[0] = 100000000; uc.upper[1] = 200000000;          /* 100 kWh, 200 kWh */
    uc.block_price[0] = 0; uc.block_price[1] = 5000; uc.block_price[2] = 15000;
    cr_assert_eq(mtr_prepaid_set_passive(&fx.pp, &uc, -1), MTR_OK);
    cr_assert_eq(mtr_prepaid_activate_passive(&fx.pp), MTR_OK);
    pay(100000);
    /* 250 kWh in one go: 100 x 10 + 100 x 15 + 50 x 25 = 3750 c */
    use(250000000, 0, 3600);
    cr_assert_eq(token_credit(), 100000 - 3750);
    cr_assert_eq(mtr_prepaid_billing_reset(&fx.pp), MTR_OK);
    cr_assert_eq(mtr_prepaid_period_energy(&fx.pp), 0);
    use(10000000, 0, 3600); /* back in block 1: 10 kWh x 10 c */
    cr_assert_eq(token_credit(), 100000 - 3750 - 100);
    pp_fx_balanced(&fx.pp);
}

Test(prepaid_account, passive_price_activates_at_its_time)
{
    struct mtr_prepaid_unit_charge uc;
    flat_price(10000, 0);
    pay(10000);
    memset(&uc, 0, sizeof uc);
    uc.tariff[0] = 30000;
    cr_assert_eq(mtr_prepaid_set_passive(&fx.pp, &uc, fx.utc + 3600), MTR_OK);
    struct mtr_prepaid_output o = use(1000000, 0, 1800);
    cr_assert_eq(token_credit(), 10000 - 10);
    cr_assert_eq(o.events & MTR_PREPAID_EV_PRICE_ACTIVATED, 0);
    /* the energy handed in with the activating tick was used before it */
    o = use(1000000, 0, 1800);
    cr_assert(o.events & MTR_PREPAID_EV_PRICE_ACTIVATED);
    cr_assert_eq(token_credit(), 10000 - 20);
    cr_assert_eq(mtr_prepaid_active_charge(&fx.pp)->tariff[0], 30000);
    use(1000000, 0, 1800);
    cr_assert_eq(token_credit(), 10000 - 50);
}

Test(prepaid_account, standing_charge_by_time_exactly)
{
    struct mtr_prepaid_charge_cfg sc = {.type = MTR_PREPAID_CHARGE_TIME,
                                        .config = MTR_PREPAID_CHG_CONTINUOUS,
                                        .collect = MTR_PREPAID_COLLECT_DISCONNECTED |
                                                   MTR_PREPAID_COLLECT_FRIENDLY,
                                        .period_s = 86400, .amount = 100};
    cr_assert_eq(mtr_prepaid_set_charge(&fx.pp, 0, &sc), MTR_OK);
    pay(1000);
    pp_fx_tick(&fx, NULL, 0, false);
    /* 36 h in uneven steps: 1.5 days x 100 c = 150 c */
    mtr_utc_t end = fx.utc + 129600;
    for (uint32_t i = 0; fx.utc < end; i++) {
        uint32_t step = 1u + (i * 7919u) % 5000u;
        fx.utc = fx.utc + step > end ? end : fx.utc + step;
        pp_fx_tick(&fx, NULL, 0, false);
    }
    cr_assert_eq(token_credit(), 1000 - 150);
    struct mtr_prepaid_charge_info ci;
    cr_assert_eq(mtr_prepaid_charge_info(&fx.pp, 0, &ci), MTR_OK);
    cr_assert_eq(ci.total_paid, 150);
    pp_fx_balanced(&fx.pp);
}

Test(prepaid_account, debt_recovered_by_time)
{
    struct mtr_prepaid_charge_cfg d = {.type = MTR_PREPAID_CHARGE_TIME,
                                       .collect = MTR_PREPAID_COLLECT_DISCONNECTED,
                                       .period_s = 86400, .amount = 300};
    cr_assert_eq(mtr_prepaid_set_charge(&fx.pp, 1, &d), MTR_OK);
    cr_assert_eq(mtr_prepaid_set_debt(&fx.pp, 1, 1000), MTR_OK);
    cr_assert_eq(mtr_prepaid_debt(&fx.pp), 1000);
    pay(5000);
    pp_fx_tick(&fx, NULL, 0, false);
    uint32_t ev = 0;
    for (int day = 0; day < 5; day++) {
        fx.utc += 86400;
        ev |= pp_fx_tick(&fx, NULL, 0, false).events;
    }
    /* 300 + 300 + 300 + 100 (capped) */
    cr_assert_eq(token_credit(), 4000);
    cr_assert_eq(mtr_prepaid_debt(&fx.pp), 0);
    cr_assert(ev & MTR_PREPAID_EV_DEBT_CLEARED);
    pp_fx_balanced(&fx.pp);
}

Test(prepaid_account, debt_recovered_by_percentage_of_purchases)
{
    struct mtr_prepaid_charge_cfg d = {.type = MTR_PREPAID_CHARGE_PAYMENT,
                                       .config = MTR_PREPAID_CHG_PERCENTAGE, .proportion = 2500};
    struct mtr_prepaid_token_result r;
    cr_assert_eq(mtr_prepaid_set_charge(&fx.pp, 2, &d), MTR_OK);
    cr_assert_eq(mtr_prepaid_set_debt(&fx.pp, 2, 1000), MTR_OK);
    cr_assert_eq(mtr_prepaid_payment(&fx.pp, MTR_PREPAID_CREDIT_TOKEN, 1000, fx.utc, &r), MTR_OK);
    cr_assert_eq(r.to_charges, 250);
    cr_assert_eq(mtr_prepaid_payment(&fx.pp, MTR_PREPAID_CREDIT_TOKEN, 1000, fx.utc, &r), MTR_OK);
    cr_assert_eq(r.to_charges, 250);
    cr_assert_eq(mtr_prepaid_payment(&fx.pp, MTR_PREPAID_CREDIT_TOKEN, 3000, fx.utc, &r), MTR_OK);
    cr_assert_eq(r.to_charges, 500, "25 %% of 3000 is 750, capped at the 500 left");
    cr_assert_eq(token_credit(), 5000 - 1000);
    cr_assert_eq(mtr_prepaid_debt(&fx.pp), 0);
    pp_fx_balanced(&fx.pp);
}

Test(prepaid_account, percentage_remainders_are_carried)
{
    struct mtr_prepaid_charge_cfg d = {.type = MTR_PREPAID_CHARGE_PAYMENT,
                                       .config = MTR_PREPAID_CHG_PERCENTAGE |
                                                 MTR_PREPAID_CHG_CONTINUOUS,
                                       .proportion = 3333};
    cr_assert_eq(mtr_prepaid_set_charge(&fx.pp, 0, &d), MTR_OK);
    for (int i = 0; i < 3; i++)
        pay(1); /* 0.3333 each: 0.9999 after three */
    cr_assert_eq(token_credit(), 3);
    pay(1); /* 1.3332: one cent complete */
    cr_assert_eq(token_credit(), 3);
    pp_fx_balanced(&fx.pp);
}

Test(prepaid_account, fixed_fee_per_purchase)
{
    struct mtr_prepaid_charge_cfg d = {.type = MTR_PREPAID_CHARGE_PAYMENT,
                                       .config = MTR_PREPAID_CHG_CONTINUOUS, .amount = 50};
    cr_assert_eq(mtr_prepaid_set_charge(&fx.pp, 0, &d), MTR_OK);
    pay(1000);
    pay(1000);
    cr_assert_eq(token_credit(), 1900);
    pp_fx_balanced(&fx.pp);
}

Test(prepaid_account, credits_are_drawn_by_priority)
{
    struct mtr_prepaid_credit_cfg res = {.priority = 1};
    struct mtr_prepaid_credit_cfg tok = {.priority = 2, .config = MTR_PREPAID_CC_TOKENS};
    flat_price(100000, 0); /* 1 EUR/kWh */
    cr_assert_eq(mtr_prepaid_set_credit(&fx.pp, MTR_PREPAID_CREDIT_RESERVED, &res), MTR_OK);
    cr_assert_eq(mtr_prepaid_set_credit(&fx.pp, MTR_PREPAID_CREDIT_TOKEN, &tok), MTR_OK);
    pay(500);
    cr_assert_eq(mtr_prepaid_payment(&fx.pp, MTR_PREPAID_CREDIT_RESERVED, 300, fx.utc, NULL), MTR_OK);
    use(4000000, 0, 3600); /* 400 c: 300 from reserved, 100 from token */
    cr_assert_eq(mtr_prepaid_credit_amount(&fx.pp, MTR_PREPAID_CREDIT_RESERVED), 0);
    cr_assert_eq(mtr_prepaid_credit_status(&fx.pp, MTR_PREPAID_CREDIT_RESERVED),
                 MTR_PREPAID_CS_CONSUMED);
    cr_assert_eq(token_credit(), 400);
    cr_assert_eq(mtr_prepaid_credit_status(&fx.pp, MTR_PREPAID_CREDIT_TOKEN), MTR_PREPAID_CS_IN_USE);
    pp_fx_balanced(&fx.pp);
}

static void setup_ec(uint8_t config)
{
    struct mtr_prepaid_credit_cfg ec = {.priority = 2, .config = config, .preset = 500,
                                        .available_threshold = 100};
    cr_assert_eq(mtr_prepaid_set_credit(&fx.pp, MTR_PREPAID_CREDIT_EMERGENCY, &ec), MTR_OK);
}

static uint32_t press(uint32_t ms)
{
    uint32_t ev = 0;
    ev |= pp_fx_tick(&fx, NULL, MTR_IN_BUTTON_2, false).events;
    fx.ms += ms;
    fx.utc += ms / 1000u;
    ev |= pp_fx_tick(&fx, NULL, 0, false).events;
    return ev;
}

Test(prepaid_account, emergency_credit_by_button_and_paid_back)
{
    flat_price(100000, 0);
    setup_ec(MTR_PREPAID_CC_CONFIRMATION | MTR_PREPAID_CC_PAID_BACK);
    pay(150);
    cr_assert_eq(mtr_prepaid_credit_status(&fx.pp, MTR_PREPAID_CREDIT_EMERGENCY),
                 MTR_PREPAID_CS_ENABLED);
    cr_assert_eq(mtr_prepaid_ec_invoke(&fx.pp), MTR_ERR_PREPAID_NO_EC);
    struct mtr_prepaid_output o = use(600000, 0, 600); /* 60 c: 90 left <= 100 */
    cr_assert(o.events & MTR_PREPAID_EV_EC_SELECTABLE);
    cr_assert(o.status & MTR_PREPAID_NEXT_CREDIT_SELECTABLE);
    /* a press of 5 s or more does not count (seed: less than 5 s) */
    cr_assert_eq(press(5000) & MTR_PREPAID_EV_EC_INVOKED, 0);
    cr_assert_eq(press(30) & MTR_PREPAID_EV_EC_INVOKED, 0, "bounce");
    cr_assert(press(800) & MTR_PREPAID_EV_EC_INVOKED);
    cr_assert_eq(mtr_prepaid_credit_amount(&fx.pp, MTR_PREPAID_CREDIT_EMERGENCY), 500);
    cr_assert_eq(mtr_prepaid_debt(&fx.pp), 500);
    cr_assert(mtr_prepaid_status(&fx.pp) & MTR_PREPAID_SELECTABLE_IN_USE);
    /* 300 c: 90 from the token credit first (priority 1), 210 from EC */
    use(3000000, 0, 3600);
    cr_assert_eq(token_credit(), 0);
    cr_assert_eq(mtr_prepaid_credit_amount(&fx.pp, MTR_PREPAID_CREDIT_EMERGENCY), 290);
    cr_assert_eq(mtr_prepaid_supply(&fx.pp).reason, MTR_PREPAID_SUPPLY_EMERGENCY);
    pp_fx_balanced(&fx.pp);
    /* a purchase of 1000: unused 290 taken back, 210 used repaid */
    struct mtr_prepaid_token_result r;
    cr_assert_eq(mtr_prepaid_payment(&fx.pp, MTR_PREPAID_CREDIT_TOKEN, 1000, fx.utc, &r), MTR_OK);
    cr_assert_eq(r.paid_back, 210);
    cr_assert_eq(token_credit(), 790);
    cr_assert_eq(mtr_prepaid_credit_amount(&fx.pp, MTR_PREPAID_CREDIT_EMERGENCY), 0);
    cr_assert_eq(mtr_prepaid_debt(&fx.pp), 0);
    cr_assert_eq(mtr_prepaid_credit_status(&fx.pp, MTR_PREPAID_CREDIT_EMERGENCY),
                 MTR_PREPAID_CS_ENABLED);
    pp_fx_balanced(&fx.pp);
}

Test(prepaid_account, emergency_credit_exhausted_disconnects_and_small_purchase_leaves_debt)
{
    flat_price(100000, 0);
    setup_ec(MTR_PREPAID_CC_PAID_BACK); /* no confirmation: invoked automatically */
    struct mtr_prepaid_output o = pp_fx_tick(&fx, NULL, 0, false);
    cr_assert(o.events & MTR_PREPAID_EV_EC_INVOKED);
    cr_assert(o.supply.allowed);
    o = use(6000000, 0, 3600); /* 600 c > 500 EC */
    cr_assert_not(o.supply.allowed);
    cr_assert_eq(token_credit(), -100);
    cr_assert_eq(mtr_prepaid_credit_status(&fx.pp, MTR_PREPAID_CREDIT_EMERGENCY),
                 MTR_PREPAID_CS_CONSUMED);
    pay(300); /* fills -100, then repays 200 of the 500 owed */
    cr_assert_eq(token_credit(), 0);
    cr_assert_eq(mtr_prepaid_debt(&fx.pp), 300);
    cr_assert_not(mtr_prepaid_supply(&fx.pp).allowed);
    pp_fx_balanced(&fx.pp);
}

Test(prepaid_account, friendly_periods_hold_the_supply)
{
    struct mtr_prepaid_friendly f;
    memset(&f, 0, sizeof f);
    f.hours[2] = 0xFFFFFFu & ~0x3FFu; /* Wednesday from 10:00 */
    f.special_days = true;
    cr_assert_eq(mtr_prepaid_set_friendly(&fx.pp, &f), MTR_OK);
    flat_price(100000, 0);
    pay(100);
    fx.utc += 11 * 3600; /* Wednesday 11:00: friendly */
    struct mtr_prepaid_output o = use(2000000, 0, 0); /* 200 c: out of credit */
    cr_assert(o.supply.allowed);
    cr_assert_eq(o.supply.reason, MTR_PREPAID_SUPPLY_FRIENDLY);
    cr_assert_eq(token_credit(), -100);
    o = use(0, 0, 13 * 3600); /* Thursday 00:00: not friendly */
    cr_assert_not(o.supply.allowed);
    cr_assert(o.events & MTR_PREPAID_EV_SUPPLY_OFF);
    /* a friendly period does not reconnect a supply already off */
    struct mtr_prepaid_input in = {.utc = fx.utc + 60, .weekday = 3, .hour = 0, .friendly = true};
    cr_assert_eq(mtr_prepaid_tick(&fx.pp, &in, &o), MTR_OK);
    cr_assert_not(o.supply.allowed);
    /* special day and plain input keep it on */
    pay(150);
    in.utc += 60;
    in.friendly = false;
    in.special_day = true;
    struct mtr_prepaid_usage u = {{2000000}};
    in.usage = &u;
    cr_assert_eq(mtr_prepaid_tick(&fx.pp, &in, &o), MTR_OK);
    cr_assert(o.supply.allowed);
    cr_assert_eq(o.supply.reason, MTR_PREPAID_SUPPLY_FRIENDLY);
    pp_fx_balanced(&fx.pp);
}

Test(prepaid_account, next_credit_threshold_before_reconnection)
{
    cr_assert_eq(mtr_prepaid_set_thresholds(&fx.pp, 200, 500), MTR_OK);
    struct mtr_prepaid_output o = pp_fx_tick(&fx, NULL, 0, false);
    cr_assert_not(o.supply.allowed);
    pay(300);
    cr_assert_not(mtr_prepaid_supply(&fx.pp).allowed);
    cr_assert_eq(mtr_prepaid_supply(&fx.pp).reason, MTR_PREPAID_SUPPLY_BELOW_THRESHOLD);
    cr_assert(mtr_prepaid_status(&fx.pp) & MTR_PREPAID_IN_CREDIT);
    pay(300);
    cr_assert(mtr_prepaid_supply(&fx.pp).allowed);
    cr_assert_eq(mtr_prepaid_status(&fx.pp) & MTR_PREPAID_LOW_CREDIT, 0);
}

Test(prepaid_account, low_credit_warning)
{
    struct mtr_prepaid_credit_cfg tok = {.priority = 1, .config = MTR_PREPAID_CC_TOKENS,
                                         .warning_threshold = 80};
    cr_assert_eq(mtr_prepaid_set_credit(&fx.pp, MTR_PREPAID_CREDIT_TOKEN, &tok), MTR_OK);
    cr_assert_eq(mtr_prepaid_set_thresholds(&fx.pp, 100, 0), MTR_OK);
    flat_price(10000, 0);
    pay(150);
    cr_assert_not(mtr_prepaid_credit_warning(&fx.pp, MTR_PREPAID_CREDIT_TOKEN));
    struct mtr_prepaid_output o = use(6000000, 0, 60); /* 60 c: 90 left */
    cr_assert(o.events & MTR_PREPAID_EV_LOW_CREDIT);
    cr_assert(o.status & MTR_PREPAID_LOW_CREDIT);
    cr_assert(o.supply.allowed);
    cr_assert_not(mtr_prepaid_credit_warning(&fx.pp, MTR_PREPAID_CREDIT_TOKEN));
    use(1000000, 0, 60);
    cr_assert(mtr_prepaid_credit_warning(&fx.pp, MTR_PREPAID_CREDIT_TOKEN));
}

Test(prepaid_account, allowances_by_time_and_billing_period)
{
    struct mtr_prepaid_credit_cfg tb = {.priority = 1, .preset = 50, .period_utc = fx.utc, .repeat_s = 86400};
    struct mtr_prepaid_credit_cfg cb = {.priority = 1, .preset = 70, .period_utc = -1};
    cr_assert_eq(mtr_prepaid_set_credit(&fx.pp, MTR_PREPAID_CREDIT_TIME_BASED, &tb), MTR_OK);
    cr_assert_eq(mtr_prepaid_set_credit(&fx.pp, MTR_PREPAID_CREDIT_CONSUMPTION, &cb), MTR_OK);
    flat_price(10000, 0);
    pp_fx_tick(&fx, NULL, 0, false);
    cr_assert_eq(mtr_prepaid_credit_amount(&fx.pp, MTR_PREPAID_CREDIT_TIME_BASED), 50);
    use(3000000, 0, 3600); /* 30 c from the allowance */
    cr_assert_eq(mtr_prepaid_credit_amount(&fx.pp, MTR_PREPAID_CREDIT_TIME_BASED), 20);
    use(0, 0, 86400);      /* next day: topped up to 50 again */
    cr_assert_eq(mtr_prepaid_credit_amount(&fx.pp, MTR_PREPAID_CREDIT_TIME_BASED), 50);
    cr_assert_eq(mtr_prepaid_billing_reset(&fx.pp), MTR_OK);
    cr_assert_eq(mtr_prepaid_credit_amount(&fx.pp, MTR_PREPAID_CREDIT_CONSUMPTION), 70);
    struct mtr_prepaid_ledger l = mtr_prepaid_ledger(&fx.pp);
    cr_assert_eq(l.granted, 50 + 30 + 70);
    cr_assert_eq(l.bought, 0);
    pp_fx_balanced(&fx.pp);
}

Test(prepaid_account, account_methods)
{
    pay(500);
    cr_assert_eq(mtr_prepaid_reset(&fx.pp), MTR_OK);
    cr_assert_eq(token_credit(), 0);
    cr_assert_eq(mtr_prepaid_ledger(&fx.pp).bought, 0);
    cr_assert_eq(mtr_prepaid_account(&fx.pp), MTR_PREPAID_ACCOUNT_NEW);
    cr_assert_eq(mtr_prepaid_close(&fx.pp, fx.utc), MTR_OK);
    cr_assert_eq(mtr_prepaid_activate(&fx.pp, fx.utc), MTR_ERR_STATE);
    struct mtr_prepaid before = fx.pp;
    cr_assert_eq(mtr_prepaid_payment(&fx.pp, MTR_PREPAID_CREDIT_TOKEN, 10, fx.utc, NULL),
                 MTR_ERR_PREPAID_ACCOUNT);
    cr_assert_eq(memcmp(&before, &fx.pp, sizeof before), 0);
}

Test(prepaid_account, readers_give_back_what_the_setters_took)
{
    struct mtr_prepaid fresh;
    struct mtr_prepaid_credit_cfg cc, got;
    struct mtr_prepaid_unit_charge uc;
    mtr_utc_t at = 0;
    int64_t low = 1, next = 1;

    cr_assert_eq(mtr_prepaid_init(&fresh, &fx.cfg, NULL), MTR_OK);
    mtr_prepaid_thresholds(&fresh, &low, &next);
    cr_assert(low == 0 && next == 0, "thresholds 0 after init");
    cr_assert_eq(mtr_prepaid_activation_time(&fresh), -1, "never activated");
    cr_assert_eq(mtr_prepaid_closure_time(&fresh), -1, "never closed");
    mtr_prepaid_credit_config(&fresh, MTR_PREPAID_CREDIT_TOKEN, &got);
    cr_assert(got.priority == 1 && got.config == (MTR_PREPAID_CC_TOKENS | MTR_PREPAID_CC_RESETTABLE));
    (void)mtr_prepaid_passive_charge(&fresh, &at);
    cr_assert_eq(at, -1, "no passive activation time");

    cr_assert_eq(mtr_prepaid_set_thresholds(&fresh, -250, 400), MTR_OK);
    mtr_prepaid_thresholds(&fresh, &low, NULL);
    mtr_prepaid_thresholds(&fresh, NULL, &next);
    cr_assert(low == -250 && next == 400);

    memset(&cc, 0, sizeof cc);
    cc.priority = 2;
    cc.config = MTR_PREPAID_CC_CONFIRMATION | MTR_PREPAID_CC_PAID_BACK;
    cc.warning_threshold = 30;
    cc.limit = 5000;
    cc.preset = 1000;
    cc.available_threshold = 20;
    cr_assert_eq(mtr_prepaid_set_credit(&fresh, MTR_PREPAID_CREDIT_EMERGENCY, &cc), MTR_OK);
    mtr_prepaid_credit_config(&fresh, MTR_PREPAID_CREDIT_EMERGENCY, &got);
    cr_assert_eq(memcmp(&cc, &got, sizeof cc), 0, "credit configuration reads back");

    memset(&uc, 0, sizeof uc);
    uc.tariff[0] = 12345;
    uc.tariff[1] = 678;
    cr_assert_eq(mtr_prepaid_set_passive(&fresh, &uc, fx.utc + 3600), MTR_OK);
    const struct mtr_prepaid_unit_charge *pas = mtr_prepaid_passive_charge(&fresh, &at);
    cr_assert(pas->tariff[0] == 12345 && pas->tariff[1] == 678 && at == fx.utc + 3600);
    cr_assert_eq(mtr_prepaid_passive_charge(&fresh, NULL), pas);
    cr_assert_eq(mtr_prepaid_activate_passive(&fresh), MTR_OK);
    (void)mtr_prepaid_passive_charge(&fresh, &at);
    cr_assert_eq(at, -1, "activated: none pending");

    cr_assert_eq(mtr_prepaid_activate(&fresh, fx.utc + 10), MTR_OK);
    cr_assert_eq(mtr_prepaid_activation_time(&fresh), fx.utc + 10);
    cr_assert_eq(mtr_prepaid_close(&fresh, fx.utc + 20), MTR_OK);
    cr_assert_eq(mtr_prepaid_closure_time(&fresh), fx.utc + 20);
}

/* Every refused call leaves the engine byte for byte as it was. */
#define UNCHANGED(call, err)                                                                     \
    do {                                                                                         \
        struct mtr_prepaid before_ = fx.pp;                                                      \
        cr_assert_eq((call), (err), #call);                                                      \
        cr_assert_eq(memcmp(&before_, &fx.pp, sizeof before_), 0, #call " changed the state"); \
    } while (0)

Test(prepaid_account, bad_input_changes_nothing)
{
    struct mtr_prepaid_usage u;
    struct mtr_prepaid_input in;
    flat_price(10000, 0);
    pay(1000);
    pp_fx_tick(&fx, NULL, 0, false);
    memset(&in, 0, sizeof in);
    memset(&u, 0, sizeof u);
    in.utc = fx.utc - 1;
    UNCHANGED(mtr_prepaid_tick(&fx.pp, &in, NULL), MTR_ERR_PREPAID_TIME);
    in.utc = fx.utc + 1;
    in.weekday = 7;
    UNCHANGED(mtr_prepaid_tick(&fx.pp, &in, NULL), MTR_ERR_RANGE);
    in.weekday = 0;
    in.hour = 24;
    UNCHANGED(mtr_prepaid_tick(&fx.pp, &in, NULL), MTR_ERR_RANGE);
    in.hour = 0;
    in.usage = &u;
    u.delta[MTR_CFG_TARIFFS - 1] = -1;
    UNCHANGED(mtr_prepaid_tick(&fx.pp, &in, NULL), MTR_ERR_RANGE);
    u.delta[MTR_CFG_TARIFFS - 1] = MTR_PREPAID_DELTA_MAX_MWH + 1;
    UNCHANGED(mtr_prepaid_tick(&fx.pp, &in, NULL), MTR_ERR_RANGE);

    struct mtr_prepaid_credit_cfg cc = {.priority = 6};
    UNCHANGED(mtr_prepaid_set_credit(&fx.pp, MTR_PREPAID_CREDIT_RESERVED, &cc), MTR_ERR_INVAL);
    cc.priority = 0;
    UNCHANGED(mtr_prepaid_set_credit(&fx.pp, MTR_PREPAID_CREDIT_TOKEN, &cc), MTR_ERR_INVAL);
    cc.preset = -1;
    UNCHANGED(mtr_prepaid_set_credit(&fx.pp, MTR_PREPAID_CREDIT_EMERGENCY, &cc), MTR_ERR_RANGE);
    cc.preset = 0;
    cc.config = 0x20;
    UNCHANGED(mtr_prepaid_set_credit(&fx.pp, MTR_PREPAID_CREDIT_EMERGENCY, &cc), MTR_ERR_INVAL);

    struct mtr_prepaid_unit_charge uc;
    memset(&uc, 0, sizeof uc);
    uc.tariff[0] = -1;
    UNCHANGED(mtr_prepaid_set_passive(&fx.pp, &uc, -1), MTR_ERR_RANGE);
    uc.tariff[0] = 1;
    uc.blocks = 3;
    uc.upper[0] = 100; uc.upper[1] = 100; /* not ascending */
    UNCHANGED(mtr_prepaid_set_passive(&fx.pp, &uc, -1), MTR_ERR_RANGE);
    uc.blocks = MTR_PREPAID_BLOCKS + 1;
    UNCHANGED(mtr_prepaid_set_passive(&fx.pp, &uc, -1), MTR_ERR_RANGE);

    struct mtr_prepaid_charge_cfg ch = {.type = MTR_PREPAID_CHARGE_TIME, .period_s = 0, .amount = 1};
    UNCHANGED(mtr_prepaid_set_charge(&fx.pp, 0, &ch), MTR_ERR_RANGE);
    ch.period_s = 60;
    UNCHANGED(mtr_prepaid_set_charge(&fx.pp, MTR_PREPAID_CHARGES, &ch), MTR_ERR_RANGE);
    ch.type = MTR_PREPAID_CHARGE_CONSUMPTION;
    UNCHANGED(mtr_prepaid_set_charge(&fx.pp, 0, &ch), MTR_ERR_INVAL);
    ch.type = MTR_PREPAID_CHARGE_PAYMENT;
    ch.proportion = 10001;
    UNCHANGED(mtr_prepaid_set_charge(&fx.pp, 0, &ch), MTR_ERR_RANGE);
    UNCHANGED(mtr_prepaid_set_debt(&fx.pp, 0, -5), MTR_ERR_RANGE);

    struct mtr_prepaid_friendly f;
    memset(&f, 0, sizeof f);
    f.hours[6] = 1u << 24;
    UNCHANGED(mtr_prepaid_set_friendly(&fx.pp, &f), MTR_ERR_RANGE);
    UNCHANGED(mtr_prepaid_set_thresholds(&fx.pp, 0, -1), MTR_ERR_RANGE);
    UNCHANGED(mtr_prepaid_payment(&fx.pp, MTR_PREPAID_CREDIT_TOKEN, 0, fx.utc, NULL), MTR_ERR_RANGE);
    UNCHANGED(mtr_prepaid_payment(&fx.pp, MTR_PREPAID_CREDIT_EMERGENCY, 5, fx.utc, NULL),
              MTR_ERR_INVAL);
    struct mtr_prepaid_credit_cfg lim = {.priority = 1, .config = MTR_PREPAID_CC_TOKENS, .limit = 1500};
    cr_assert_eq(mtr_prepaid_set_credit(&fx.pp, MTR_PREPAID_CREDIT_TOKEN, &lim), MTR_OK);
    UNCHANGED(mtr_prepaid_payment(&fx.pp, MTR_PREPAID_CREDIT_TOKEN, 501, fx.utc, NULL),
              MTR_ERR_PREPAID_LIMIT);
    UNCHANGED(mtr_prepaid_ec_invoke(&fx.pp), MTR_ERR_PREPAID_NO_EC);
}

Test(prepaid_account, energy_mode_refuses_money_charges)
{
    pp_fx_init(&fx, MTR_PREPAID_UNIT_ENERGY);
    struct mtr_prepaid_unit_charge uc;
    struct mtr_prepaid_charge_cfg ch = {.type = MTR_PREPAID_CHARGE_TIME, .period_s = 60, .amount = 1};
    memset(&uc, 0, sizeof uc);
    UNCHANGED(mtr_prepaid_set_passive(&fx.pp, &uc, -1), MTR_ERR_PREPAID_UNIT);
    UNCHANGED(mtr_prepaid_set_charge(&fx.pp, 0, &ch), MTR_ERR_PREPAID_UNIT);
    /* credit in mWh: 1 mWh used is 1 unit of credit */
    pay(5000000);
    use(1234567, 765433, 60);
    cr_assert_eq(token_credit(), 3000000);
    pp_fx_balanced(&fx.pp);
}

Test(prepaid_account, init_refuses_bad_config)
{
    struct mtr_prepaid p;
    struct mtr_prepaid_config c = fx.cfg;
    c.token_scale = 0;
    cr_assert_eq(mtr_prepaid_init(&p, &c, NULL), MTR_ERR_INVAL);
    c = fx.cfg;
    c.ec_press_min_ms = c.ec_press_max_ms;
    cr_assert_eq(mtr_prepaid_init(&p, &c, NULL), MTR_ERR_INVAL);
    c = fx.cfg;
    c.unit = 2;
    cr_assert_eq(mtr_prepaid_init(&p, &c, NULL), MTR_ERR_INVAL);
    cr_assert_eq(mtr_prepaid_size(), sizeof(struct mtr_prepaid));
    cr_assert_eq(mtr_prepaid_state_size(), MTR_PREPAID_STATE_SIZE);
}

/* docs/prepaid.md, "Worked example", step by step with real tokens. */
Test(prepaid_account, worked_example_of_the_docs)
{
    struct mtr_prepaid_unit_charge uc;
    struct mtr_prepaid_charge_cfg standing = {.type = MTR_PREPAID_CHARGE_TIME,
                                              .config = MTR_PREPAID_CHG_CONTINUOUS,
                                              .period_s = 86400, .amount = 50};
    struct mtr_prepaid_charge_cfg debt = {.type = MTR_PREPAID_CHARGE_PAYMENT,
                                          .config = MTR_PREPAID_CHG_PERCENTAGE, .proportion = 2500};
    struct mtr_prepaid_token_result r;
    struct mtr_prepaid_output o;
    char tok[21];

    memset(&uc, 0, sizeof uc);
    uc.tariff[0] = 20000;
    uc.tariff[1] = 10000;
    uc.blocks = 2;
    uc.upper[0] = 100000000;
    uc.block_price[1] = 5000;
    cr_assert_eq(mtr_prepaid_set_passive(&fx.pp, &uc, -1), MTR_OK);
    cr_assert_eq(mtr_prepaid_activate_passive(&fx.pp), MTR_OK);
    cr_assert_eq(mtr_prepaid_set_charge(&fx.pp, 0, &standing), MTR_OK);
    cr_assert_eq(mtr_prepaid_set_charge(&fx.pp, 1, &debt), MTR_OK);
    cr_assert_eq(mtr_prepaid_set_debt(&fx.pp, 1, 300), MTR_OK);
    setup_ec(MTR_PREPAID_CC_CONFIRMATION | MTR_PREPAID_CC_PAID_BACK);
    cr_assert_eq(mtr_prepaid_set_thresholds(&fx.pp, 200, 0), MTR_OK);
    pp_fx_tick(&fx, NULL, 0, false);

    /* 1 */
    pp_fx_token(&fx, MTR_STS_CREDIT_ELECTRICITY_CURRENCY, 2000, tok);
    cr_assert_eq(mtr_prepaid_token_submit(&fx.pp, tok, 20, MTR_PREPAID_DELIVERY_MANUAL, fx.utc, &r),
                 MTR_OK);
    cr_assert_eq(r.to_charges, 300);
    cr_assert_eq(token_credit(), 1700);
    cr_assert_eq(mtr_prepaid_debt(&fx.pp), 0);
    /* 2 */
    o = use(60000000, 30000000, 86400);
    cr_assert_eq(token_credit(), 150);
    cr_assert(o.events & MTR_PREPAID_EV_LOW_CREDIT);
    cr_assert_eq(o.status & MTR_PREPAID_NEXT_CREDIT_SELECTABLE, 0);
    /* 3: Thursday 00:01, not friendly */
    o = use(10000000, 0, 60);
    cr_assert_eq(token_credit(), -50);
    cr_assert(o.events & MTR_PREPAID_EV_OUT_OF_CREDIT);
    cr_assert(o.events & MTR_PREPAID_EV_SUPPLY_OFF);
    cr_assert(o.events & MTR_PREPAID_EV_EC_SELECTABLE);
    cr_assert_eq(o.supply.reason, MTR_PREPAID_SUPPLY_NO_CREDIT);
    /* 4 */
    cr_assert(press(1000) & MTR_PREPAID_EV_EC_INVOKED);
    o = pp_fx_tick(&fx, NULL, 0, false);
    cr_assert(o.supply.allowed);
    cr_assert_eq(o.supply.reason, MTR_PREPAID_SUPPLY_EMERGENCY);
    cr_assert_eq(mtr_prepaid_debt(&fx.pp), 500);
    /* 5 */
    use(1000000, 0, 60);
    cr_assert_eq(mtr_prepaid_credit_amount(&fx.pp, MTR_PREPAID_CREDIT_EMERGENCY), 475);
    /* 6 */
    pp_fx_token(&fx, MTR_STS_CREDIT_ELECTRICITY_CURRENCY, 1000, tok);
    cr_assert_eq(mtr_prepaid_token_submit(&fx.pp, tok, 20, MTR_PREPAID_DELIVERY_REMOTE, fx.utc, &r),
                 MTR_OK);
    cr_assert_eq(r.paid_back, 25);
    cr_assert_eq(token_credit(), 925);
    cr_assert_eq(mtr_prepaid_credit_amount(&fx.pp, MTR_PREPAID_CREDIT_EMERGENCY), 0);
    cr_assert_eq(mtr_prepaid_debt(&fx.pp), 0);
    /* 7 */
    struct mtr_prepaid_ledger l = mtr_prepaid_ledger(&fx.pp);
    cr_assert_eq(l.bought, 3000);
    cr_assert_eq(l.consumed, 2075);
    cr_assert_eq(l.cleared, 0);
    cr_assert_eq(l.left, 925);
}
