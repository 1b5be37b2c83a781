/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Six months of a prepaid meter in 15-minute steps: day and night tariffs,
 * a block tariff reset every billing period, a new price every month
 * through the passive unit charge, a standing charge, two debts (by time and
 * by payment), random purchases as real STS tokens, emergency credit taken
 * with the button, friendly weekends and evenings, and power cuts that
 * restart from the last saved blob. Checked at every step: the books
 * balance exactly and the supply decision follows the rules; at the end, the
 * consumption charge equals an independent computation of the energy's cost
 * to the cent, and every token bought is in the books exactly once.
 */
#include "pp_fixture.h"

static struct pp_fx fx;
static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

/* The test's own model of the consumption charge: prices and blocks. */
struct oracle {
    int32_t tariff[2];
    int32_t next_tariff[2];
    mtr_utc_t activation;
    int64_t period_mwh;
    int64_t fine; /* sum of mWh x price, in 1/10^9 minor unit */
    int64_t bought;
};

static const int64_t UPPER[2] = {100000000, 300000000}; /* 100 kWh, 300 kWh */
static const int32_t STEP[3] = {0, 4000, 12000};

/* Cost of energy [e0, e1) of the period in tariff t, by overlap with each block. */
static int64_t oracle_cost(const struct oracle *o, int t, int64_t e0, int64_t e1)
{
    int64_t lo[3] = {0, UPPER[0], UPPER[1]};
    int64_t hi[3] = {UPPER[0], UPPER[1], INT64_MAX};
    int64_t fine = 0;
    for (int b = 0; b < 3; b++) {
        int64_t a = e0 > lo[b] ? e0 : lo[b];
        int64_t z = e1 < hi[b] ? e1 : hi[b];
        if (z > a)
            fine += (z - a) * (o->tariff[t] + STEP[b]);
    }
    return fine;
}

static void set_prices(struct oracle *o, int32_t t1, int32_t t2, mtr_utc_t when)
{
    struct mtr_prepaid_unit_charge uc;
    memset(&uc, 0, sizeof uc);
    uc.tariff[0] = t1;
    uc.tariff[1] = t2;
    uc.blocks = 3;
    uc.upper[0] = UPPER[0];
    uc.upper[1] = UPPER[1];
    for (int b = 0; b < 3; b++)
        uc.block_price[b] = STEP[b];
    cr_assert_eq(mtr_prepaid_set_passive(&fx.pp, &uc, when), MTR_OK);
    o->next_tariff[0] = t1;
    o->next_tariff[1] = t2;
    o->activation = when;
}

static void configure(struct oracle *o)
{
    struct mtr_prepaid_friendly f;
    struct mtr_prepaid_charge_cfg standing = {.type = MTR_PREPAID_CHARGE_TIME,
                                              .config = MTR_PREPAID_CHG_CONTINUOUS,
                                              .collect = MTR_PREPAID_COLLECT_FRIENDLY,
                                              .period_s = 86400, .amount = 50};
    struct mtr_prepaid_charge_cfg by_time = {.type = MTR_PREPAID_CHARGE_TIME, .period_s = 86400,
                                             .amount = 30, .collect = MTR_PREPAID_COLLECT_FRIENDLY};
    struct mtr_prepaid_charge_cfg by_pay = {.type = MTR_PREPAID_CHARGE_PAYMENT,
                                            .config = MTR_PREPAID_CHG_PERCENTAGE, .proportion = 2000};
    struct mtr_prepaid_credit_cfg ec = {.priority = 2, .preset = 1000, .available_threshold = 200,
                                        .config = MTR_PREPAID_CC_CONFIRMATION |
                                                  MTR_PREPAID_CC_PAID_BACK};
    cr_assert_eq(mtr_prepaid_set_charge(&fx.pp, 0, &standing), MTR_OK);
    cr_assert_eq(mtr_prepaid_set_charge(&fx.pp, 1, &by_time), MTR_OK);
    cr_assert_eq(mtr_prepaid_set_debt(&fx.pp, 1, 2000), MTR_OK);
    cr_assert_eq(mtr_prepaid_set_charge(&fx.pp, 2, &by_pay), MTR_OK);
    cr_assert_eq(mtr_prepaid_set_debt(&fx.pp, 2, 5000), MTR_OK);
    cr_assert_eq(mtr_prepaid_set_credit(&fx.pp, MTR_PREPAID_CREDIT_EMERGENCY, &ec), MTR_OK);
    cr_assert_eq(mtr_prepaid_set_thresholds(&fx.pp, 500, 300), MTR_OK);
    memset(&f, 0, sizeof f);
    f.hours[5] = f.hours[6] = 0xFFFFFF;  /* weekends */
    for (int d = 0; d < 5; d++)
        f.hours[d] = (1u << 18) | (1u << 19); /* 18:00-20:00 */
    f.special_days = true;
    cr_assert_eq(mtr_prepaid_set_friendly(&fx.pp, &f), MTR_OK);
    set_prices(o, 20000, 11000, -1);
    cr_assert_eq(mtr_prepaid_activate_passive(&fx.pp), MTR_OK);
    o->tariff[0] = 20000;
    o->tariff[1] = 11000;
    o->activation = -1;
}

static bool is_friendly(mtr_utc_t utc, bool special)
{
    uint8_t wd = pp_weekday(utc);
    int hour = (int)((utc % 86400) / 3600);
    return special || wd >= 5 || hour == 18 || hour == 19;
}

struct snapshot {
    uint8_t blob[MTR_PREPAID_STATE_SIZE];
    size_t n;
    struct oracle o;
};

static void save(struct snapshot *s, const struct oracle *o)
{
    cr_assert_eq(mtr_prepaid_save(&fx.pp, s->blob, sizeof s->blob, &s->n), MTR_OK);
    s->o = *o;
}

static void buy(struct oracle *o, struct snapshot *snap, int *tokens)
{
    char t[21];
    struct mtr_prepaid_token_result r;
    uint32_t amount = 500 + rnd(15000);
    pp_fx_token(&fx, MTR_STS_CREDIT_ELECTRICITY_CURRENCY, amount, t);
    cr_assert_eq(mtr_prepaid_token_submit(&fx.pp, t, 20, MTR_PREPAID_DELIVERY_MANUAL, fx.utc, &r),
                 MTR_OK);
    cr_assert_eq(r.credited, amount);
    o->bought += amount;
    save(snap, o); /* the protocol: save right after an accepted token */
    (*tokens)++;
    if (rnd(10) == 0) { /* and sometimes the same token again, from the head-end */
        cr_assert_eq(mtr_prepaid_token_submit(&fx.pp, t, 20, MTR_PREPAID_DELIVERY_REMOTE, fx.utc, &r),
                     MTR_ERR_STS_USED);
    }
}

Test(prepaid_simulation, six_months_balance_exactly)
{
    static struct snapshot snap;
    struct oracle o;
    int offs = 0, ons = 0, ec_uses = 0, cuts = 0, tokens = 0, friendly_holds = 0;
    bool prev_allowed = true;
    const int steps = 182 * 96;

    pp_fx_init(&fx, MTR_PREPAID_UNIT_CURRENCY);
    memset(&o, 0, sizeof o);
    configure(&o);
    save(&snap, &o);
    for (int i = 0; i < steps; i++) {
        int day = i / 96;
        bool special = day % 30 == 17;
        bool friendly = is_friendly(fx.utc + 900, special);
        struct mtr_prepaid_usage u;
        struct mtr_prepaid_input in;
        struct mtr_prepaid_output out;

        memset(&u, 0, sizeof u);
        if (prev_allowed) {
            int hour = (int)((fx.utc % 86400) / 3600);
            int t = hour >= 7 && hour < 23 ? 0 : 1;
            u.delta[t] = rnd(400000) + (rnd(50) == 0 ? 3000000 : 0);
            o.fine += oracle_cost(&o, t, o.period_mwh, o.period_mwh + u.delta[t]);
            o.period_mwh += u.delta[t];
        }
        fx.utc += 900;
        fx.ms += 900000;
        memset(&in, 0, sizeof in);
        in.utc = fx.utc;
        in.now_ms = fx.ms;
        in.weekday = pp_weekday(fx.utc);
        in.hour = (uint8_t)((fx.utc % 86400) / 3600);
        in.special_day = special;
        in.usage = &u;
        cr_assert_eq(mtr_prepaid_tick(&fx.pp, &in, &out), MTR_OK);
        if (o.activation >= 0 && fx.utc >= o.activation) {
            o.tariff[0] = o.next_tariff[0];
            o.tariff[1] = o.next_tariff[1];
            o.activation = -1;
            cr_assert(out.events & MTR_PREPAID_EV_PRICE_ACTIVATED);
        }
        pp_fx_balanced(&fx.pp);

        /* the supply decision */
        int64_t avail = mtr_prepaid_available(&fx.pp);
        if (friendly && prev_allowed) {
            cr_assert(out.supply.allowed, "step %d: cut in a friendly period", i);
            friendly_holds += avail <= 0;
        }
        if (out.supply.allowed && !friendly)
            cr_assert_gt(avail, 0, "step %d", i);
        if (!out.supply.allowed)
            cr_assert(avail <= 0 || avail < 300, "step %d: off with %lld", i, (long long)avail);
        offs += prev_allowed && !out.supply.allowed;
        ons += !prev_allowed && out.supply.allowed;
        prev_allowed = out.supply.allowed;

        /* the customer */
        if ((out.status & MTR_PREPAID_NEXT_CREDIT_SELECTABLE) && rnd(8) == 0) {
            in.usage = NULL;
            in.inputs = MTR_IN_BUTTON_2;
            cr_assert_eq(mtr_prepaid_tick(&fx.pp, &in, NULL), MTR_OK);
            in.now_ms += 700;
            in.inputs = 0;
            cr_assert_eq(mtr_prepaid_tick(&fx.pp, &in, &out), MTR_OK);
            cr_assert(out.events & MTR_PREPAID_EV_EC_INVOKED);
            fx.ms = in.now_ms;
            ec_uses++;
            prev_allowed = out.supply.allowed;
        }
        if (avail < 600 && rnd(prev_allowed ? 300 : 30) == 0)
            buy(&o, &snap, &tokens);

        /* the utility: a new price every 30 days, billing period reset */
        if (i % (30 * 96) == 30 * 96 - 1) {
            cr_assert_eq(mtr_prepaid_billing_reset(&fx.pp), MTR_OK);
            o.period_mwh = 0;
            set_prices(&o, 15000 + (int32_t)rnd(20000), 8000 + (int32_t)rnd(8000),
                       fx.utc + 86400 + 3600 * (mtr_utc_t)rnd(24));
            save(&snap, &o);
        }
        if (i % 96 == 95)
            save(&snap, &o);
        /* a power cut: restart from the last saved blob */
        if (rnd(400) == 0) {
            cr_assert_eq(mtr_prepaid_load(&fx.pp, snap.blob, snap.n), MTR_OK);
            o = snap.o;
            prev_allowed = mtr_prepaid_supply(&fx.pp).allowed;
            cuts++;
        }
    }
    struct mtr_prepaid_charge_info ci;
    cr_assert_eq(mtr_prepaid_charge_info(&fx.pp, MTR_PREPAID_CHARGES, &ci), MTR_OK);
    cr_assert_eq(ci.total_paid, o.fine / (MTR_MWH_PER_KWH * MTR_PREPAID_PRICE_SCALE),
                 "consumption charge %lld vs oracle %lld", (long long)ci.total_paid,
                 (long long)(o.fine / 1000000000));
    cr_assert_eq(mtr_prepaid_ledger(&fx.pp).bought, o.bought);
    pp_fx_balanced(&fx.pp);
    cr_log_info("offs %d ons %d ec %d cuts %d tokens %d holds %d", offs, ons, ec_uses, cuts, tokens, friendly_holds);
    cr_assert_gt(offs, 3, "supply went off %d times", offs);
    cr_assert_gt(ons, 3, "supply came back %d times", ons);
    cr_assert_gt(ec_uses, 0);
    cr_assert_gt(cuts, 3);
    cr_assert_gt(tokens, 10);
    cr_assert_gt(friendly_holds, 0, "credit never ran out in a friendly period");
    struct mtr_prepaid_charge_info d1, d2;
    cr_assert_eq(mtr_prepaid_charge_info(&fx.pp, 1, &d1), MTR_OK);
    cr_assert_eq(mtr_prepaid_charge_info(&fx.pp, 2, &d2), MTR_OK);
    cr_assert_eq(d1.total_paid + d1.remaining, 2000, "time debt: paid + left = the debt");
    cr_assert_eq(d2.total_paid + d2.remaining, 5000, "payment debt: paid + left = the debt");
}
