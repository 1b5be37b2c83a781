/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Conditions of the whole meter: phase sequence reversal (88), missing
 * neutral (89), phase asymmetry (90), current reversal (91), power factor
 * under/over limit (214/215), phase bypass with neutral present (251), and
 * the weekly voltage quality (92-94, EN 50160 style: more than 5 % of a
 * week's 10-minute means outside Un +-10 %).
 */
#include "q_fixture.h"

TestSuite(q_cond, .init = fx_init);

Test(q_cond, phase_sequence_reversal)
{
    struct mtr_quality_input in = fx_normal();

    in.sequence = -1;
    fx_run(&in, 4); /* detect_s - 1 */
    in.sequence = 1;
    fx_run(&in, 1);
    cr_assert_eq(fx.nev, 0);
    in.sequence = -1;
    fx_run(&in, 5);
    cr_assert_eq(fx_one(88)->utc, fx.now - 1);
    cr_assert_eq(fx_one(88)->value, -1);
    fx_run(&in, 100);
    in.sequence = 0; /* unknown: neither clears nor confirms */
    fx_run(&in, 10);
    cr_assert(mtr_quality_active(&fx.q) & MTR_QUALITY_ST_SEQUENCE);
    in.sequence = 1;
    fx_run(&in, 1);
    cr_assert_eq(mtr_quality_active(&fx.q) & MTR_QUALITY_ST_SEQUENCE, 0);
    in.sequence = -1;
    fx_run(&in, 5);
    cr_assert_eq(fx_count(88), 2);
    cr_assert_eq(fx.nev, 2);
    fx_check_names();
}

Test(q_cond, sequence_needs_three_phases)
{
    struct mtr_quality_input in = fx_normal();

    fx_init_phases(2);
    in.sequence = -1;
    fx_run(&in, 50);
    cr_assert_eq(fx.nev, 0);
}

/* L1 = L2 = 230 V and L3 = x: unbalance 2 (230 - x) / (460 + x), above 2 %
 * for x < 223168.3 mV. */
Test(q_cond, phase_asymmetry_edge)
{
    struct mtr_quality_input in = fx_normal();

    in.ph[2].u_mv = 223169;
    fx_run(&in, 100);
    cr_assert_eq(fx.nev, 0);
    in.ph[2].u_mv = 223168;
    fx_run(&in, 4);
    cr_assert_eq(fx.nev, 0);
    fx_run(&in, 1);
    cr_assert_eq(fx_one(90)->utc, fx.now - 1);
    cr_assert_eq(fx_one(90)->value, 20);
    cr_assert_eq(fx.nev, 1);
    fx_check_names();
}

Test(q_cond, asymmetry_not_judged_with_a_phase_missing)
{
    struct mtr_quality_input in = fx_normal();

    in.ph[1].u_mv = 0;
    in.ph[1].i_ma = 0;
    fx_run(&in, 60);
    cr_assert_eq(fx_count(90), 0);
    cr_assert_eq(fx_count(82 + 1), 1);
}

/* Floating star point: voltages 250/230/210 V, currents 10/5/1 A. */
static struct mtr_quality_input neutral_in(uint32_t in_ua)
{
    struct mtr_quality_input in = fx_normal();
    in.ph[0].u_mv = 250000;
    in.ph[2].u_mv = 210000;
    in.ph[0].i_ma = 10000;
    in.ph[1].i_ma = 5000;
    in.ph[2].i_ma = 1000;
    in.in_ua = in_ua;
    return in;
}

Test(q_cond, missing_neutral_criterion)
{
    struct mtr_quality_input in = neutral_in(2250000); /* In = (Imax - Imin) / 4 */

    fx_run(&in, 60);
    cr_assert_eq(fx_count(89), 0);
    cr_assert_eq(fx_count(90), 1); /* the voltages are unbalanced all the same */
    in = neutral_in(2249999);
    fx_run(&in, 5);
    cr_assert_eq(fx_one(89)->value, 2249999);
    cr_assert_eq(fx_one(89)->utc, fx.now - 1);
    /* balanced voltages with the same currents: no neutral fault */
    fx_init();
    in = neutral_in(0);
    in.ph[0].u_mv = UN;
    in.ph[2].u_mv = UN;
    fx_run(&in, 60);
    cr_assert_eq(fx.nev, 0);
    /* unbalanced voltages, but a load spread below neutral_unbalance_ma */
    in = neutral_in(0);
    in.ph[0].i_ma = 2999; /* 2999/2000/1000 mA: spread 1999 mA */
    in.ph[1].i_ma = 2000;
    fx_run(&in, 60);
    cr_assert_eq(fx_count(89), 0);
    in.ph[0].i_ma = 3000;
    fx_run(&in, 5);
    cr_assert_eq(fx_count(89), 1);
    fx_check_names();
}

Test(q_cond, missing_neutral_external_detector)
{
    struct mtr_quality_input in = fx_normal();

    fx_init_phases(1);
    in.neutral_lost = true;
    fx_run(&in, 5);
    cr_assert_eq(fx_count(89), 1);
    in.neutral_lost = false;
    fx_run(&in, 1);
    in.neutral_lost = true;
    fx_run(&in, 5);
    cr_assert_eq(fx_count(89), 2);
    cr_assert_eq(fx.nev, 2);
}

Test(q_cond, current_reversal_other_phases_import)
{
    struct mtr_quality_input in = fx_normal();

    in.ph[1].p_mw = -1000000;
    fx_run(&in, 5);
    cr_assert_eq(fx_one(91)->value, 2);
    fx_run(&in, 100);
    cr_assert_eq(fx_count(91), 1);
    /* export below i_min is no reversal: the condition clears */
    in.ph[1].i_ma = 99;
    fx_run(&in, 1);
    cr_assert_eq(mtr_quality_active(&fx.q) & MTR_QUALITY_ST_REVERSAL, 0);
    /* every phase exporting (generation): no reversal by default */
    in = fx_normal();
    for (int p = 0; p < 3; p++) {
        in.ph[p].p_mw = -1000000;
    }
    fx_run(&in, 100);
    cr_assert_eq(fx_count(91), 1);
    fx_check_names();
}

Test(q_cond, current_reversal_any_phase_option)
{
    struct mtr_quality_input in = fx_normal();

    for (int p = 0; p < 3; p++) {
        in.ph[p].p_mw = -1000000;
    }
    fx.cfg.settings.options = MTR_QUALITY_OPT_REVERSAL_ANY;
    fx_apply();
    fx_run(&in, 5);
    cr_assert_eq(fx_one(91)->value, 7);
    /* single-phase meter: its phase exporting */
    fx_init_phases(1);
    fx.cfg.settings.options = MTR_QUALITY_OPT_REVERSAL_ANY;
    fx_apply();
    in = fx_normal();
    in.ph[0].p_mw = -5;
    fx_run(&in, 5);
    cr_assert_eq(fx_one(91)->value, 1);
}

Test(q_cond, power_factor_limits)
{
    struct mtr_quality_input in = fx_normal();

    fx.cfg.settings.pf_under = 9000;
    fx.cfg.settings.pf_over = 9500;
    fx_apply();
    in.pf = 9000;
    fx_run(&in, 60);
    in.pf = 9500;
    fx_run(&in, 60);
    cr_assert_eq(fx.nev, 0);
    in.pf = -8999; /* exporting: |PF| counts */
    fx_run(&in, 5);
    cr_assert_eq(fx_one(214)->value, -8999);
    in.pf = 9500;
    fx_run(&in, 1);
    in.pf = 9501;
    fx_run(&in, 5);
    cr_assert_eq(fx_one(215)->value, 9501);
    cr_assert_eq(fx_one(215)->utc, fx.now - 1);
    cr_assert_eq(fx.nev, 2);
    /* no current: not judged */
    fx_init();
    fx.cfg.settings.pf_under = 9000;
    fx_apply();
    in = fx_normal();
    in.pf = 0;
    for (int p = 0; p < 3; p++) {
        in.ph[p].i_ma = 99;
    }
    fx_run(&in, 60);
    cr_assert_eq(fx.nev, 0);
    in.ph[2].i_ma = 100;
    fx_run(&in, 5);
    cr_assert_eq(fx_count(214), 1);
    fx_check_names();
}

Test(q_cond, power_factor_off_by_default)
{
    struct mtr_quality_input in = fx_normal();

    in.pf = 0;
    fx_run(&in, 60);
    in.pf = 10000;
    fx_run(&in, 60);
    cr_assert_eq(fx.nev, 0);
}

/* Phases 5 A each (sum 15 A): bypass when In > 15 A x 9/8 = 16.875 A and
 * In >= 15 A + i_min. */
Test(q_cond, phase_bypass_with_neutral_present)
{
    struct mtr_quality_input in = fx_normal();

    in.in_measured = true;
    in.in_ua = 16875000;
    fx_run(&in, 60);
    cr_assert_eq(fx.nev, 0);
    in.in_ua = 16875001;
    fx_run(&in, 5);
    cr_assert_eq(fx_one(251)->value, 16875001);
    /* computed neutral current: not judged */
    fx_init();
    in.in_measured = false;
    in.in_ua = 100000000;
    fx_run(&in, 60);
    cr_assert_eq(fx.nev, 0);
    /* single phase, no load current: In >= i_min is a bypass */
    fx_init_phases(1);
    in = fx_normal();
    in.ph[0].i_ma = 0;
    in.in_measured = true;
    in.in_ua = 99999;
    fx_run(&in, 60);
    cr_assert_eq(fx.nev, 0);
    in.in_ua = 100000;
    fx_run(&in, 5);
    cr_assert_eq(fx_count(251), 1);
    fx_check_names();
}

/* ------------------------------------------------ bad voltage quality */

#define WEEK 604800
#define MONDAY 1572825600 /* 2019-11-04 00:00 UTC, a Monday */

/* Step one 10-minute interval from @p t with 60 s periods; @p u per phase. */
static void interval(mtr_utc_t t, mtr_mv_t u1, mtr_mv_t u2, mtr_mv_t u3, int periods)
{
    struct mtr_quality_input in = fx_normal();

    in.period_ms = 60000;
    in.ph[0].u_mv = u1;
    in.ph[1].u_mv = u2;
    in.ph[2].u_mv = u3;
    for (int i = 0; i < periods; i++) {
        cr_assert_eq(mtr_quality_step(&fx.q, &in, t + 60 * i), MTR_OK);
    }
}

/* A week from MONDAY: the first @p bad intervals at @p u on the phases of
 * @p mask, the others at Un; @p measured intervals stepped in all. */
static void week(int bad, mtr_mv_t u, unsigned mask, int measured)
{
    fx.cfg.settings.bvq_days = 7;
    fx_apply();
    for (int k = 0; k < measured; k++) {
        mtr_mv_t v = k < bad ? u : UN;
        interval(MONDAY + 600 * k, (mask & 1) ? v : UN, (mask & 2) ? v : UN,
                 (mask & 4) ? v : UN, 10);
    }
}

static void next_week(void)
{
    struct mtr_quality_input in = fx_normal();
    cr_assert_eq(mtr_quality_step(&fx.q, &in, MONDAY + WEEK), MTR_OK);
}

Test(q_cond, bad_voltage_quality_51_of_1008)
{
    week(51, 200000, 7, 1008); /* 200 V: below 230 V - 10 % */
    cr_assert_eq(fx_count(92) + fx_count(93) + fx_count(94), 0);
    cr_assert_eq(fx_counters().bvq_valid[0], 1007); /* the last one closes next week */
    cr_assert_eq(fx_counters().bvq_bad[1], 51);
    next_week();
    for (int p = 0; p < 3; p++) {
        cr_assert_eq(fx_one((uint16_t)(92 + p))->utc, MONDAY + WEEK);
        cr_assert_eq(fx_one((uint16_t)(92 + p))->value, 51);
    }
    cr_assert_eq(fx_counters().bvq_valid[0], 0);
    fx_check_names();
}

Test(q_cond, bad_voltage_quality_50_of_1008_is_fine)
{
    week(50, 200000, 7, 1008);
    next_week();
    cr_assert_eq(fx_count(92) + fx_count(93) + fx_count(94), 0);
}

Test(q_cond, bad_voltage_quality_band_edge_one_phase)
{
    /* 253 V = Un + 10 % is inside the band, 253.001 V outside; L2 only */
    week(100, 253000, 2, 1008);
    next_week();
    cr_assert_eq(fx_count(93), 0);
    fx_init();
    week(100, 253001, 2, 1008);
    next_week();
    cr_assert_eq(fx_count(93), 1);
    cr_assert_eq(fx_count(92) + fx_count(94), 0);
}

Test(q_cond, bad_voltage_quality_needs_half_a_week)
{
    week(503, 200000, 1, 503);
    next_week();
    cr_assert_eq(fx_count(92), 0);
    fx_init();
    week(504, 200000, 1, 504);
    next_week();
    cr_assert_eq(fx_one(92)->value, 504);
}

Test(q_cond, ten_minute_mean_needs_half_an_interval)
{
    fx.cfg.settings.bvq_days = 7;
    fx_apply();
    interval(MONDAY, 200000, UN, UN, 4); /* 240 s measured */
    interval(MONDAY + 600, 200000, UN, UN, 5); /* 300 s */
    interval(MONDAY + 1200, UN, UN, UN, 1);
    cr_assert_eq(fx_counters().bvq_valid[0], 1);
    cr_assert_eq(fx_counters().bvq_bad[0], 1);
    /* a missing phase is not measured */
    interval(MONDAY + 1800, UN, 0, UN, 10);
    interval(MONDAY + 2400, UN, UN, UN, 1);
    cr_assert_eq(fx_counters().bvq_valid[0], 2);
    cr_assert_eq(fx_counters().bvq_valid[1], 1);
}

Test(q_cond, bad_voltage_quality_daily_window)
{
    fx.cfg.settings.bvq_days = 1;
    fx_apply();
    /* 144 means a day, 5 % = 7.2: 8 bad is bad, 7 is not */
    for (int k = 0; k < 144; k++) {
        interval(MONDAY + 600 * k, k < 8 ? 260000 : UN, k < 7 ? 260000 : UN, UN, 10);
    }
    interval(MONDAY + 86400, UN, UN, UN, 1);
    cr_assert_eq(fx_one(92)->value, 8);
    cr_assert_eq(fx_count(93), 0);
    cr_assert_eq(fx_count(94), 0);
}

Test(q_cond, bad_voltage_quality_off)
{
    fx.cfg.settings.bvq_days = 0;
    fx_apply();
    for (int k = 0; k < 1008; k++) {
        interval(MONDAY + 600 * k, 200000, 200000, 200000, 1);
    }
    next_week();
    cr_assert_eq(fx_count(92) + fx_count(93) + fx_count(94), 0);
    cr_assert_eq(fx_counters().bvq_valid[0], 0);
}
