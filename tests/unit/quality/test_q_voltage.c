/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Voltage events per phase: sag (76-78), swell (79-81), missing voltage
 * (82-84) and its return (85-87), current without voltage (228-230).
 * Thresholds of the seed (tou-limits.json power_quality: sag 0.8 Un, swell
 * 1.15 Un, missing 0.5 Un) at their edges, the hysteresis, and the minimum
 * durations (one period short of them and exactly them).
 */
#include "q_fixture.h"

TestSuite(q_voltage, .init = fx_init);

#define SAG_MV 184000     /* 0.8 x 230 V */
#define SWELL_MV 264500   /* 1.15 x 230 V */
#define MISSING_MV 115000 /* 0.5 x 230 V */
#define HYST_MV 4600      /* 2 % of 230 V */

Test(q_voltage, sag_threshold_edge)
{
    fx_run_u(0, SAG_MV, 100); /* at the threshold: not below it */
    cr_assert_eq(fx_count(76), 0);
    fx_run_u(0, SAG_MV - 1, 1);
    cr_assert_eq(fx_one(76)->utc, fx.now - 1);
    cr_assert_eq(fx_one(76)->value, SAG_MV - 1);
    cr_assert_eq(fx_counters().sags[0], 1);
    fx_check_names();
}

Test(q_voltage, swell_threshold_edge)
{
    fx_run_u(1, SWELL_MV, 100);
    cr_assert_eq(fx_count(80), 0);
    fx_run_u(1, SWELL_MV + 1, 1);
    cr_assert_eq(fx_one(80)->value, SWELL_MV + 1);
    cr_assert_eq(fx_counters().swells[1], 1);
    cr_assert_eq(fx_count(79) + fx_count(81), 0);
    fx_check_names();
}

Test(q_voltage, sag_minimum_duration)
{
    mtr_utc_t t0 = fx.now;

    fx.cfg.settings.event_s = 3;
    fx_apply();
    fx_run_u(0, 180000, 2); /* 2 s: one period short */
    fx_run_u(0, UN, 1);
    cr_assert_eq(fx.nev, 0);
    cr_assert_eq(fx_counters().sags[0], 0);
    fx_run_u(0, 181000, 1);
    fx_run_u(0, 170000, 1);
    fx_run_u(0, 175000, 1); /* exactly 3 s */
    cr_assert_eq(fx_one(76)->utc, t0 + 5);
    cr_assert_eq(fx_one(76)->value, 170000); /* lowest so far */
    cr_assert_eq(fx_counters().sags[0], 1);
    cr_assert(mtr_quality_active(&fx.q) & MTR_QUALITY_ST_SAG);
    fx_run_u(0, 160000, 4);
    fx_run_u(0, UN, 5);
    cr_assert_eq(fx.nrec, 1);
    cr_assert_eq(fx.rec[0].kind, MTR_QUALITY_SAG);
    cr_assert_eq(fx.rec[0].phase, 0);
    cr_assert_eq(fx.rec[0].start, t0 + 2); /* beginning of the period stamped t0 + 3 */
    cr_assert_eq(fx.rec[0].end, t0 + 9);
    cr_assert_eq(fx.rec[0].duration_s, 7);
    cr_assert_eq(fx.rec[0].extreme_mv, 160000);
    cr_assert_eq(fx_counters().sag_s[0], 7);
    cr_assert_eq(fx_count(76), 1);
    cr_assert_eq(mtr_quality_active(&fx.q), 0);
}

Test(q_voltage, sag_hysteresis_and_return_time)
{
    mtr_utc_t t0 = fx.now;

    fx.cfg.settings.normal_s = 2;
    fx_apply();
    fx_run_u(0, 150000, 1);           /* declared at t0 */
    fx_run_u(0, SAG_MV, 3);           /* above the threshold, inside the hysteresis */
    fx_run_u(0, SAG_MV + HYST_MV - 1, 3);
    cr_assert_eq(fx.nrec, 0);
    fx_run_u(0, SAG_MV + HYST_MV, 1); /* one period back: 1 s short of normal_s */
    fx_run_u(0, 170000, 1);           /* the return run breaks off */
    cr_assert_eq(fx.nrec, 0);
    fx_run_u(0, SAG_MV + HYST_MV, 2); /* exactly normal_s */
    cr_assert_eq(fx.nrec, 1);
    cr_assert_eq(fx.rec[0].start, t0 - 1);
    cr_assert_eq(fx.rec[0].end, t0 + 8);
    cr_assert_eq(fx.rec[0].duration_s, 9); /* the broken-off return period counts */
    cr_assert_eq(fx.rec[0].extreme_mv, 150000);
    cr_assert_eq(fx_count(76), 1);
    cr_assert_eq(fx_counters().sags[0], 1);
    cr_assert_eq(fx_counters().sag_s[0], 9);
}

Test(q_voltage, swell_record_and_counters)
{
    mtr_utc_t t0 = fx.now;

    fx_run_u(2, 270000, 4);
    fx_run_u(2, 280000, 2);
    fx_run_u(2, SWELL_MV - HYST_MV + 1, 1); /* not yet back (hysteresis) */
    fx_run_u(2, SWELL_MV - HYST_MV, 1);
    cr_assert_eq(fx_one(81)->utc, t0);
    cr_assert_eq(fx_one(81)->value, 270000);
    cr_assert_eq(fx.nrec, 1);
    cr_assert_eq(fx.rec[0].kind, MTR_QUALITY_SWELL);
    cr_assert_eq(fx.rec[0].phase, 2);
    cr_assert_eq(fx.rec[0].duration_s, 7);
    cr_assert_eq(fx.rec[0].extreme_mv, 280000);
    /* a second swell */
    fx_run_u(2, 300000, 3);
    fx_run_u(2, UN, 1);
    cr_assert_eq(fx_count(81), 2);
    cr_assert_eq(fx_counters().swells[2], 2);
    cr_assert_eq(fx_counters().swell_s[2], 10);
    cr_assert_eq(fx_counters().swells[0] + fx_counters().swells[1], 0);
}

Test(q_voltage, every_phase_its_own_codes)
{
    for (int p = 0; p < 3; p++) {
        fx_init();
        fx_run_u(p, 150000, 3);
        fx_run_u(p, UN, 3);
        fx_run_u(p, 270000, 3);
        fx_run_u(p, UN, 3);
        fx_run_u(p, 0, 10);
        fx_run_u(p, UN, 3);
        cr_assert_eq(fx_count((uint16_t)(76 + p)), 2); /* the sag and the missing phase's */
        cr_assert_eq(fx_count((uint16_t)(79 + p)), 1);
        cr_assert_eq(fx_count((uint16_t)(82 + p)), 1);
        cr_assert_eq(fx_count((uint16_t)(85 + p)), 1);
        cr_assert_eq(fx_count((uint16_t)(228 + p)), 1); /* 5 A flowed without voltage */
        cr_assert_eq(fx.nev, 6, "phase %d: %d events", p, fx.nev);
        cr_assert_eq(fx_counters().sags[p], 2);
        cr_assert_eq(fx_counters().swells[p], 1);
        cr_assert_eq(fx_counters().missing[p], 1);
        fx_check_names();
    }
}

Test(q_voltage, missing_minimum_duration_and_return)
{
    mtr_utc_t t0 = fx.now;

    fx_run_u(0, MISSING_MV, 50); /* at the threshold: present (a sag though) */
    cr_assert_eq(fx_count(82), 0);
    fx_run_u(0, UN, 1);
    t0 = fx.now;
    fx_run_u(0, MISSING_MV - 1, 4); /* missing_s - 1 */
    fx_run_u(0, UN, 1);
    cr_assert_eq(fx_count(82), 0);
    fx_run_u(0, 1000, 5); /* exactly missing_s */
    cr_assert_eq(fx_one(82)->utc, t0 + 9);
    cr_assert_eq(fx_one(82)->value, 1000);
    cr_assert(mtr_quality_active(&fx.q) & MTR_QUALITY_ST_MISSING);
    fx_run_u(0, 0, 10);
    fx_run_u(0, MISSING_MV + HYST_MV - 1, 5); /* inside the hysteresis: still missing */
    cr_assert_eq(fx_count(85), 0);
    fx_run_u(0, MISSING_MV + HYST_MV, 1);
    cr_assert_eq(fx_one(85)->utc, t0 + 25);
    cr_assert_eq(fx_one(85)->value, 20); /* seconds missing */
    cr_assert_eq(fx_counters().missing[0], 1);
    cr_assert_eq(fx_counters().missing_s[0], 20);
    cr_assert_eq(fx.rec[fx.nrec - 1].kind, MTR_QUALITY_MISSING);
    cr_assert_eq(fx.rec[fx.nrec - 1].extreme_mv, 0);
    cr_assert_eq(fx.rec[fx.nrec - 1].start, t0 + 4);
    cr_assert_eq(fx.rec[fx.nrec - 1].end, t0 + 24);
}

Test(q_voltage, current_without_voltage)
{
    struct mtr_quality_input in = fx_normal();

    for (int p = 0; p < 3; p++) {
        fx_init();
        in = fx_normal();
        in.ph[p].u_mv = 0;
        in.ph[p].i_ma = 99; /* below i_min */
        fx_run(&in, 20);
        cr_assert_eq(fx_count((uint16_t)(228 + p)), 0);
        in.ph[p].i_ma = 100;
        fx_run(&in, 4); /* detect_s - 1 */
        in.ph[p].i_ma = 0;
        fx_run(&in, 1);
        in.ph[p].i_ma = 3000;
        fx_run(&in, 30);
        cr_assert_eq(fx_one((uint16_t)(228 + p))->utc, fx.now - 26);
        cr_assert_eq(fx_one((uint16_t)(228 + p))->value, 3000);
        cr_assert(mtr_quality_active(&fx.q) & ((uint32_t)MTR_QUALITY_ST_CWV << p));
        /* back to normal, then again: a second event */
        fx_run_u(p, UN, 2);
        fx_run(&in, 5);
        cr_assert_eq(fx_count((uint16_t)(228 + p)), 2);
        fx_check_names();
    }
}

Test(q_voltage, single_phase_ignores_l2_l3)
{
    struct mtr_quality_input in = fx_normal();

    fx_init_phases(1);
    in.ph[1].u_mv = 0;
    in.ph[2].u_mv = 999999999; /* not even checked */
    in.ph[1].i_ma = 5000;
    in.sequence = -1;
    fx_run(&in, 100);
    cr_assert_eq(fx.nev, 0);
    in.ph[0].u_mv = 0;
    fx_run(&in, 10);
    cr_assert_eq(fx_count(82), 1);
    cr_assert_eq(fx_count(76), 1);
    cr_assert_eq(fx_count(228), 1);
    cr_assert_eq(fx.nev, 3);
}

Test(q_voltage, periods_other_than_one_second)
{
    struct mtr_quality_input in = fx_normal();

    fx.cfg.settings.event_s = 2;
    fx_apply();
    in.period_ms = 500;
    in.ph[0].u_mv = 150000;
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(mtr_quality_step(&fx.q, &in, fx.now), MTR_OK);
    }
    cr_assert_eq(fx_count(76), 0); /* 1.5 s */
    cr_assert_eq(mtr_quality_step(&fx.q, &in, fx.now), MTR_OK);
    cr_assert_eq(fx_count(76), 1); /* 2 s */
    in = fx_normal();
    in.period_ms = 200;
    for (int i = 0; i < 4; i++) {
        cr_assert_eq(mtr_quality_step(&fx.q, &in, fx.now + 1), MTR_OK);
    }
    cr_assert_eq(fx.nrec, 0); /* 800 ms back: normal_s not reached */
    cr_assert_eq(mtr_quality_step(&fx.q, &in, fx.now + 1), MTR_OK);
    cr_assert_eq(fx.nrec, 1);
    cr_assert_eq(fx.rec[0].duration_s, 2);
}

Test(q_voltage, bad_input_refused_and_nothing_changed)
{
    struct mtr_quality_input in;
    struct mtr_quality before;

    fx_run_u(0, 150000, 3); /* a sag in progress */
    before = fx.q;
    for (int c = 0; c < 11; c++) {
        mtr_utc_t utc = fx.now;
        in = fx_normal();
        in.ph[0].u_mv = 150000;
        switch (c) {
        case 0: in.period_ms = 0; break;
        case 1: in.period_ms = MTR_QUALITY_PERIOD_MAX_MS + 1; break;
        case 2: in.ph[1].u_mv = -1; break;
        case 3: in.ph[2].u_mv = MTR_QUALITY_U_MAX_MV + 1; break;
        case 4: in.ph[0].i_ma = -1; break;
        case 5: in.ph[0].i_ma = MTR_QUALITY_I_MAX_MA + 1; break;
        case 6: in.pf = 10001; break;
        case 7: in.pf = -10001; break;
        case 8: in.sequence = 2; break;
        case 9: utc = MTR_QUALITY_UTC_MAX + 1; break;
        default: utc = -1; break;
        }
        cr_assert_eq(mtr_quality_step(&fx.q, &in, utc), MTR_ERR_QUALITY_INPUT, "case %d", c);
        cr_assert_eq(memcmp(&fx.q, &before, sizeof before), 0, "case %d", c);
    }
    cr_assert_eq(fx.nev, 1);
    in = fx_normal();
    in.period_ms = MTR_QUALITY_PERIOD_MAX_MS;
    cr_assert_eq(mtr_quality_step(&fx.q, &in, fx.now), MTR_OK);
}
