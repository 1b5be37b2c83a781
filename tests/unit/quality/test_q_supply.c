/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Supply interruptions (short/long at the seed's 180 s boundary,
 * tou-limits.json voltage_cut), a power cut during a sag or a missing
 * phase, the cover and magnetic inputs with bounce (40-45), settings
 * (refused when bad, COSEM thresholds 1-0:12.31/35/39 in mV), every event
 * code against the seed's event-codes.csv, and the saved state (round
 * trip, every prefix and every flipped byte refused with nothing changed).
 */
#include "q_fixture.h"

#include "meter/bytes.h"
#include "meter/crc.h"

TestSuite(q_supply, .init = fx_init);

/* ------------------------------------------------------ interruptions */

static void cut(mtr_utc_t start, mtr_utc_t len)
{
    cr_assert_eq(mtr_quality_power_down(&fx.q, start), MTR_OK);
    cr_assert(mtr_quality_active(&fx.q) & MTR_QUALITY_ST_POWER_DOWN);
    cr_assert_eq(mtr_quality_power_up(&fx.q, start + len), MTR_OK);
    cr_assert_eq(mtr_quality_active(&fx.q) & MTR_QUALITY_ST_POWER_DOWN, 0);
}

Test(q_supply, short_and_long_at_180_s)
{
    mtr_utc_t t = fx.now;
    struct mtr_quality_counters c;

    cut(t, 179);
    c = fx_counters();
    cr_assert_eq(c.short_count, 1);
    cr_assert_eq(c.short_s, 179);
    cr_assert_eq(c.long_count, 0);
    cr_assert_eq(fx.npf, 0);
    cr_assert_eq(c.last_long_start, -1);
    cut(t + 1000, 180);
    cut(t + 2000, 181);
    c = fx_counters();
    cr_assert_eq(c.short_count, 1);
    cr_assert_eq(c.long_count, 2);
    cr_assert_eq(c.long_s, 361);
    cr_assert_eq(fx.npf, 2);
    cr_assert_eq(fx.pf[0].start, t + 1000);
    cr_assert_eq(fx.pf[0].end, t + 1180);
    cr_assert_eq(fx.pf[0].dur, 180);
    cr_assert_eq(fx.pf[1].dur, 181);
    cr_assert_eq(c.last_long_start, t + 2000);
    cr_assert_eq(c.last_long_end, t + 2181);
    cr_assert_eq(fx.nev, 0); /* codes 1 and 2 are the aggregate's */
}

Test(q_supply, boundary_configurable)
{
    fx.cfg.settings.long_s = 60;
    fx_apply();
    cut(fx.now, 59);
    cut(fx.now + 100, 60);
    cr_assert_eq(fx_counters().short_count, 1);
    cr_assert_eq(fx_counters().long_count, 1);
}

Test(q_supply, power_up_without_down_and_down_twice)
{
    struct mtr_quality before;
    struct mtr_quality_input in = fx_normal();

    cr_assert_eq(mtr_quality_power_up(&fx.q, fx.now), MTR_OK); /* first start */
    cr_assert_eq(fx_counters().short_count + fx_counters().long_count, 0);
    cr_assert_eq(mtr_quality_power_down(&fx.q, fx.now), MTR_OK);
    before = fx.q;
    cr_assert_eq(mtr_quality_power_down(&fx.q, fx.now + 5), MTR_ERR_QUALITY_STATE);
    cr_assert_eq(mtr_quality_step(&fx.q, &in, fx.now + 5), MTR_ERR_QUALITY_STATE);
    cr_assert_eq(mtr_quality_power_up(&fx.q, -1), MTR_ERR_QUALITY_INPUT);
    cr_assert_eq(memcmp(&fx.q, &before, sizeof before), 0);
    cr_assert_eq(mtr_quality_power_up(&fx.q, fx.now + 500), MTR_OK);
    cr_assert_eq(fx_counters().long_s, 500);
    cr_assert_eq(mtr_quality_power_down(&fx.q, -1), MTR_ERR_QUALITY_INPUT);
}

Test(q_supply, clock_earlier_at_power_up)
{
    cut(fx.now, -3600);
    cr_assert_eq(fx_counters().short_count, 1);
    cr_assert_eq(fx_counters().short_s, 0);
}

Test(q_supply, power_cut_during_sag_ends_it)
{
    mtr_utc_t t0 = fx.now;

    fx_run_u(1, 150000, 10);
    cr_assert_eq(fx_counters().sags[1], 1);
    cr_assert_eq(mtr_quality_power_down(&fx.q, t0 + 12), MTR_OK);
    cr_assert_eq(fx.nrec, 1);
    cr_assert_eq(fx.rec[0].kind, MTR_QUALITY_SAG);
    cr_assert_eq(fx.rec[0].start, t0 - 1);
    cr_assert_eq(fx.rec[0].end, t0 + 12);
    cr_assert_eq(fx.rec[0].duration_s, 10);
    cr_assert_eq(fx_counters().sag_s[1], 10);
    cr_assert_eq(mtr_quality_active(&fx.q) & MTR_QUALITY_ST_SAG << 1, 0);
    cr_assert_eq(mtr_quality_power_up(&fx.q, t0 + 100), MTR_OK);
    fx.now = t0 + 101;
    fx_run_u(1, UN, 10);
    cr_assert_eq(fx.nrec, 1); /* nothing more to end */
    fx_run_u(1, 150000, 1);
    cr_assert_eq(fx_count(77), 2); /* a sag after the cut is a new one */
    cr_assert_eq(fx_counters().sags[1], 2);
}

Test(q_supply, sag_already_returning_ends_where_it_returned)
{
    mtr_utc_t t0 = fx.now;

    fx.cfg.settings.normal_s = 10;
    fx_apply();
    fx_run_u(0, 150000, 5);
    fx_run_u(0, UN, 3); /* return run, 7 s short */
    cr_assert_eq(mtr_quality_power_down(&fx.q, t0 + 20), MTR_OK);
    cr_assert_eq(fx.rec[0].end, t0 + 4);
    cr_assert_eq(fx.rec[0].duration_s, 5);
}

Test(q_supply, missing_phase_stays_declared_across_a_cut)
{
    fx_run_u(2, 0, 10);
    cr_assert_eq(fx_count(84), 1);
    cut(fx.now + 5, 60);
    fx.now += 100;
    fx_run_u(2, 0, 10);
    cr_assert_eq(fx_count(84), 1); /* not declared again */
    cr_assert_eq(fx_count(87), 0);
    cut(fx.now + 5, 60);
    fx.now += 100;
    fx_run_u(2, UN, 1);
    cr_assert_eq(fx_one(87)->value, 20); /* measured time only */
    cr_assert_eq(fx_counters().missing[2], 1);
    cr_assert_eq(fx_counters().missing_s[2], 20);
}

Test(q_supply, pending_runs_dropped_at_power_down)
{
    fx_run_u(0, 0, 4); /* missing_s - 1 */
    cut(fx.now, 10);
    fx.now += 20;
    fx_run_u(0, 0, 1);
    cr_assert_eq(fx_count(82), 0);
    fx_run_u(0, 0, 4);
    cr_assert_eq(fx_count(82), 1);
}

/* ------------------------------------------------------------- inputs */

Test(q_supply, terminal_cover_with_bounce)
{
    mtr_utc_t t = fx.now;
    uint32_t open = MTR_IN_TERMINAL_COVER | MTR_IN_BUTTON_1;

    fx.cfg.settings.debounce_s = 2;
    fx_apply();
    cr_assert_eq(mtr_quality_inputs(&fx.q, open, t), MTR_OK);
    cr_assert_eq(mtr_quality_inputs(&fx.q, 0, t), MTR_OK);
    cr_assert_eq(mtr_quality_inputs(&fx.q, open, t + 1), MTR_OK);
    cr_assert_eq(mtr_quality_inputs(&fx.q, 0, t + 1), MTR_OK);
    cr_assert_eq(mtr_quality_inputs(&fx.q, open, t + 2), MTR_OK);
    cr_assert_eq(mtr_quality_inputs(&fx.q, open, t + 3), MTR_OK); /* 1 s stable */
    cr_assert_eq(fx.nev, 0);
    cr_assert_eq(mtr_quality_inputs(&fx.q, open, t + 4), MTR_OK); /* 2 s stable */
    cr_assert_eq(fx_one(40)->utc, t + 4);
    cr_assert_eq(fx_one(40)->value, open);
    cr_assert(mtr_quality_active(&fx.q) & MTR_QUALITY_ST_TERMINAL_COVER);
    for (int i = 5; i < 50; i++) {
        cr_assert_eq(mtr_quality_inputs(&fx.q, open, t + i), MTR_OK);
    }
    cr_assert_eq(mtr_quality_inputs(&fx.q, 0, t + 50), MTR_OK);
    cr_assert_eq(mtr_quality_inputs(&fx.q, open, t + 51), MTR_OK);
    cr_assert_eq(mtr_quality_inputs(&fx.q, 0, t + 52), MTR_OK);
    cr_assert_eq(mtr_quality_inputs(&fx.q, 0, t + 53), MTR_OK);
    cr_assert_eq(fx_count(41), 0);
    cr_assert_eq(mtr_quality_inputs(&fx.q, 0, t + 54), MTR_OK);
    cr_assert_eq(fx_one(41)->utc, t + 54);
    cr_assert_eq(fx.nev, 2);
    fx_check_names();
}

Test(q_supply, meter_cover_and_magnetic_field)
{
    mtr_utc_t t = fx.now;

    fx.cfg.settings.debounce_s = 0;
    fx_apply();
    cr_assert_eq(mtr_quality_inputs(&fx.q, MTR_IN_MAIN_COVER, t), MTR_OK);
    cr_assert_eq(fx_one(44)->utc, t);
    cr_assert_eq(mtr_quality_inputs(&fx.q, MTR_IN_MAIN_COVER | MTR_IN_MAGNETIC, t + 1), MTR_OK);
    cr_assert_eq(fx_one(42)->utc, t + 1);
    cr_assert_eq(mtr_quality_inputs(&fx.q, MTR_IN_MAIN_COVER | MTR_IN_MAGNETIC, t + 2), MTR_OK);
    cr_assert_eq(mtr_quality_inputs(&fx.q, MTR_IN_BUTTON_2 | MTR_IN_POWER_FAIL, t + 3), MTR_OK);
    cr_assert_eq(fx_one(43)->utc, t + 3);
    cr_assert_eq(fx_one(45)->utc, t + 3);
    cr_assert_eq(fx.nev, 4);
    cr_assert_eq(mtr_quality_inputs(&fx.q, 0, -1), MTR_ERR_QUALITY_INPUT);
    fx_check_names();
}

Test(q_supply, input_clock_going_back_restarts_debounce)
{
    mtr_utc_t t = fx.now;

    fx.cfg.settings.debounce_s = 5;
    fx_apply();
    cr_assert_eq(mtr_quality_inputs(&fx.q, MTR_IN_MAGNETIC, t), MTR_OK);
    cr_assert_eq(mtr_quality_inputs(&fx.q, MTR_IN_MAGNETIC, t - 100), MTR_OK);
    cr_assert_eq(mtr_quality_inputs(&fx.q, MTR_IN_MAGNETIC, t - 96), MTR_OK);
    cr_assert_eq(fx.nev, 0);
    cr_assert_eq(mtr_quality_inputs(&fx.q, MTR_IN_MAGNETIC, t - 95), MTR_OK);
    cr_assert_eq(fx_count(42), 1);
}

/* ------------------------------------------------------------ settings */

Test(q_supply, defaults_are_the_seeds)
{
    struct mtr_quality_settings s;

    mtr_quality_settings_default(&s);
    cr_assert_eq(s.sag_permille, 800);
    cr_assert_eq(s.swell_permille, 1150);
    cr_assert_eq(s.missing_permille, 500);
    cr_assert_eq(s.long_s, 180);
    cr_assert_eq(s.bvq_days, 7);
    cr_assert_eq(mtr_quality_threshold_mv(&fx.q, MTR_QUALITY_THR_SAG), 184000);
    cr_assert_eq(mtr_quality_threshold_mv(&fx.q, MTR_QUALITY_THR_SWELL), 264500);
    cr_assert_eq(mtr_quality_threshold_mv(&fx.q, MTR_QUALITY_THR_MISSING), 115000);
    cr_assert_eq(mtr_quality_threshold_mv(&fx.q, 3), 0);
}

/* Mutations of valid settings that must be refused. */
static void mutate(struct mtr_quality_settings *s, int c)
{
    switch (c) {
    case 0: s->sag_permille = s->missing_permille; break;
    case 1: s->sag_permille = 1000 - s->hysteresis_permille + 1; break;
    case 2: s->swell_permille = 1000 + s->hysteresis_permille - 1; break;
    case 3: s->swell_permille = 2001; break;
    case 4: s->missing_permille = 0; break;
    case 5: s->hysteresis_permille = 101; break;
    case 6: s->unbalance_permille = 0; break;
    case 7: s->unbalance_permille = 1001; break;
    case 8: s->pf_over = 10001; break;
    case 9: s->pf_under = 9000; s->pf_over = 8999; break;
    case 10: s->i_min_ma = 0; break;
    case 11: s->i_min_ma = 100001; break;
    case 12: s->neutral_unbalance_ma = 0; break;
    case 13: s->event_s = 0; break;
    case 14: s->missing_s = 3601; break;
    case 15: s->normal_s = 0; break;
    case 16: s->detect_s = 3601; break;
    case 17: s->debounce_s = 3601; break;
    case 18: s->long_s = 0; break;
    case 19: s->long_s = 86401; break;
    case 20: s->bvq_days = 8; break;
    case 21: s->bvq_band_permille = 0; break;
    case 22: s->bvq_band_permille = 501; break;
    case 23: s->bvq_share_permille = 1000; break;
    case 24: s->options = 2; break;
    default: s->hysteresis_permille = 0; s->swell_permille = 1000; break;
    }
}
#define NMUT 26

Test(q_supply, bad_settings_refused)
{
    struct mtr_quality before, q2;
    struct mtr_quality_config cfg;

    fx_run_u(0, 150000, 3);
    before = fx.q;
    for (int c = 0; c < NMUT; c++) {
        struct mtr_quality_settings s = fx.cfg.settings;
        mutate(&s, c);
        cr_assert_eq(mtr_quality_set(&fx.q, &s), MTR_ERR_QUALITY_CONFIG, "case %d", c);
        cr_assert_eq(memcmp(&fx.q, &before, sizeof before), 0, "case %d", c);
        cfg = fx.cfg;
        cfg.settings = s;
        memset(&q2, 0xA5, sizeof q2);
        cr_assert_eq(mtr_quality_init(&q2, &cfg), MTR_ERR_QUALITY_CONFIG, "case %d", c);
        for (size_t i = 0; i < sizeof q2; i++) {
            cr_assert_eq(((uint8_t *)&q2)[i], 0xA5);
        }
    }
    /* the edges that are still valid */
    {
        struct mtr_quality_settings s = fx.cfg.settings;
        s.hysteresis_permille = 0;
        s.sag_permille = 1000;
        s.swell_permille = 1001;
        s.missing_permille = 999;
        s.pf_under = 10000;
        s.pf_over = 10000;
        s.bvq_days = 0;
        s.debounce_s = 0;
        cr_assert_eq(mtr_quality_set(&fx.q, &s), MTR_OK);
    }
    cfg = fx.cfg;
    for (int c = 0; c < 4; c++) {
        cfg = fx.cfg;
        switch (c) {
        case 0: cfg.un_mv = 999; break;
        case 1: cfg.un_mv = 1000001; break;
        case 2: cfg.phases = 0; break;
        default: cfg.phases = 4; break;
        }
        cr_assert_eq(mtr_quality_init(&q2, &cfg), MTR_ERR_QUALITY_CONFIG);
    }
}

Test(q_supply, thresholds_in_millivolts)
{
    struct mtr_quality before;
    struct mtr_quality_settings s;

    cr_assert_eq(mtr_quality_set_threshold_mv(&fx.q, MTR_QUALITY_THR_SAG, 200000), MTR_OK);
    mtr_quality_get(&fx.q, &s);
    cr_assert_eq(s.sag_permille, 870); /* 869.57 rounded */
    cr_assert_eq(mtr_quality_threshold_mv(&fx.q, MTR_QUALITY_THR_SAG), 200100);
    cr_assert_eq(mtr_quality_set_threshold_mv(&fx.q, MTR_QUALITY_THR_SWELL, 253000), MTR_OK);
    cr_assert_eq(mtr_quality_threshold_mv(&fx.q, MTR_QUALITY_THR_SWELL), 253000);
    cr_assert_eq(mtr_quality_set_threshold_mv(&fx.q, MTR_QUALITY_THR_MISSING, 23000), MTR_OK);
    cr_assert_eq(mtr_quality_threshold_mv(&fx.q, MTR_QUALITY_THR_MISSING), 23000);
    before = fx.q;
    cr_assert_eq(mtr_quality_set_threshold_mv(&fx.q, MTR_QUALITY_THR_SWELL, 230000),
                 MTR_ERR_QUALITY_CONFIG);
    cr_assert_eq(mtr_quality_set_threshold_mv(&fx.q, MTR_QUALITY_THR_MISSING, 200100),
                 MTR_ERR_QUALITY_CONFIG);
    cr_assert_eq(mtr_quality_set_threshold_mv(&fx.q, MTR_QUALITY_THR_SAG, 0),
                 MTR_ERR_QUALITY_CONFIG);
    cr_assert_eq(mtr_quality_set_threshold_mv(&fx.q, 3, 200000), MTR_ERR_QUALITY_CONFIG);
    cr_assert_eq(mtr_quality_set_threshold_mv(&fx.q, MTR_QUALITY_THR_SWELL, INT32_MAX),
                 MTR_ERR_QUALITY_CONFIG);
    cr_assert_eq(memcmp(&fx.q, &before, sizeof before), 0);
    /* the new sag threshold applies */
    fx_run_u(0, 200099, 1);
    cr_assert_eq(fx_count(76), 1);
}

Test(q_supply, reset_counters)
{
    fx_run_u(0, 150000, 3);
    fx_run_u(0, UN, 1);
    cut(fx.now, 300);
    fx_run_u(0, 150000, 3);
    mtr_quality_reset_counters(&fx.q);
    cr_assert_eq(fx_counters().sags[0], 0);
    cr_assert_eq(fx_counters().long_count, 0);
    cr_assert_eq(fx_counters().last_long_start, -1);
    fx.now += 400;
    fx_run_u(0, UN, 1);
    cr_assert_eq(fx_counters().sag_s[0], 3); /* the ongoing sag adds itself */
}

/* ------------------------------------------------- all codes, by name */

Test(q_supply, every_code_once_with_the_seeds_names)
{
    static const uint16_t expect[] = {40, 41, 42, 43, 44, 45, 76, 77, 78, 79, 80, 81, 82, 83,
                                      84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 214, 215,
                                      228, 229, 230, 251};
    struct mtr_quality_input in;

    fx.cfg.settings.pf_under = 9000;
    fx.cfg.settings.debounce_s = 0;
    fx.cfg.settings.event_s = 1;
    fx.cfg.settings.bvq_days = 1;
    fx_apply();
    for (uint32_t b = 0; b < 6; b++) {
        uint32_t bits[3] = {MTR_IN_TERMINAL_COVER, MTR_IN_MAGNETIC, MTR_IN_MAIN_COVER};
        cr_assert_eq(mtr_quality_inputs(&fx.q, (b & 1) ? 0 : bits[b / 2], fx.now + b), MTR_OK);
    }
    fx.now = 1572825600; /* midnight UTC */
    for (int p = 0; p < 3; p++) {
        fx_run_u(p, 150000, 1); /* sag */
        fx_run_u(p, UN, 1);
        fx_run_u(p, 270000, 1); /* swell */
        fx_run_u(p, UN, 1);
    }
    for (int p = 0; p < 3; p++) {
        in = fx_normal();
        in.ph[p].u_mv = 0; /* missing with current: 82.., 228.., and its sag */
        fx_run(&in, 5);
        fx_run_u(p, UN, 1);
    }
    in = fx_normal();
    in.sequence = -1;
    fx_run(&in, 5);
    in = fx_normal();
    in.neutral_lost = true;
    fx_run(&in, 5);
    in = fx_normal();
    in.ph[0].u_mv = 200000; /* asymmetry */
    fx_run(&in, 5);
    in = fx_normal();
    in.ph[0].p_mw = -1;
    fx_run(&in, 5);
    in = fx_normal();
    in.pf = 8000;
    fx_run(&in, 5);
    fx.cfg.settings.pf_over = 9900;
    fx_apply();
    in.pf = 10000;
    fx_run(&in, 5);
    in = fx_normal();
    in.in_measured = true;
    in.in_ua = 20000000;
    fx_run(&in, 5);
    /* a day of 10-minute means at 200 V on every phase */
    in = fx_normal();
    in.period_ms = 60000;
    for (int p = 0; p < 3; p++) {
        in.ph[p].u_mv = 200000;
    }
    for (int k = 0; k < 1440; k++) {
        cr_assert_eq(mtr_quality_step(&fx.q, &in, 1572825600 + 60 * k), MTR_OK);
    }
    in = fx_normal();
    cr_assert_eq(mtr_quality_step(&fx.q, &in, 1572825600 + 86400), MTR_OK);

    fx_check_names();
    for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++) {
        int n = fx_count(expect[i]);
        cr_assert(n == 1 || (expect[i] >= 76 && expect[i] <= 78 && n == 2), "code %u: %d",
                  expect[i], n);
    }
    cr_assert_eq(fx.nev, (int)(sizeof expect / sizeof expect[0]) + 3);
}

/* ---------------------------------------------------------- saved state */

/* A state with something in every part: counters, ongoing events, a
 * pending power down, inputs, a weekly window. */
static void busy_state(void)
{
    struct mtr_quality_input in = fx_normal();

    fx.cfg.settings.bvq_days = 7;
    fx.cfg.settings.debounce_s = 5;
    fx_apply();
    fx_run_u(0, 150000, 3);
    fx_run_u(0, UN, 1);
    cut(fx.now, 400);
    cut(fx.now + 500, 30);
    fx.now += 1000;
    in.ph[1].u_mv = 0;
    in.ph[2].u_mv = 270000;
    in.sequence = -1;
    fx_run(&in, 700);
    in.ph[0].u_mv = 150000;
    fx_run(&in, 2);
    cr_assert_eq(mtr_quality_inputs(&fx.q, MTR_IN_MAIN_COVER, fx.now), MTR_OK);
    cr_assert_eq(mtr_quality_inputs(&fx.q, MTR_IN_MAIN_COVER, fx.now + 5), MTR_OK);
    cr_assert_eq(mtr_quality_inputs(&fx.q, MTR_IN_MAIN_COVER | MTR_IN_MAGNETIC, fx.now + 6),
                 MTR_OK);
}

static void save(uint8_t *buf)
{
    size_t len = 0;
    cr_assert_eq(mtr_quality_save(&fx.q, buf, MTR_QUALITY_BLOB_SIZE, &len), MTR_OK);
    cr_assert_eq(len, MTR_QUALITY_BLOB_SIZE);
    cr_assert_eq(len, mtr_quality_blob_size());
}

Test(q_supply, save_load_round_trip)
{
    uint8_t a[MTR_QUALITY_BLOB_SIZE], b[MTR_QUALITY_BLOB_SIZE];
    struct mtr_quality orig;
    struct mtr_quality_counters c1, c2;
    struct mtr_quality_settings s1, s2;
    size_t len = 0;
    int nev;

    busy_state();
    cr_assert_eq(mtr_quality_save(&fx.q, a, sizeof a - 1, &len), MTR_ERR_FULL);
    save(a);
    orig = fx.q;
    mtr_quality_counters(&orig, &c1);
    mtr_quality_get(&orig, &s1);
    /* a fresh context with the configuration's defaults */
    cr_assert_eq(mtr_quality_init(&fx.q, &fx.cfg), MTR_OK);
    fx.cfg.settings.debounce_s = 1; /* not what was saved */
    cr_assert_eq(mtr_quality_load(&fx.q, a, sizeof a), MTR_OK);
    save(b);
    cr_assert_eq(memcmp(a, b, sizeof a), 0);
    mtr_quality_counters(&fx.q, &c2);
    mtr_quality_get(&fx.q, &s2);
    cr_assert_eq(memcmp(&c1, &c2, sizeof c1), 0);
    cr_assert_eq(s2.debounce_s, 5);
    cr_assert_eq(s2.bvq_days, 7);
    cr_assert_eq(mtr_quality_active(&fx.q), mtr_quality_active(&orig));
    cr_assert(mtr_quality_active(&fx.q) & MTR_QUALITY_ST_MISSING << 1);
    cr_assert(mtr_quality_active(&fx.q) & MTR_QUALITY_ST_SWELL << 2);
    cr_assert(mtr_quality_active(&fx.q) & MTR_QUALITY_ST_SEQUENCE);
    cr_assert(mtr_quality_active(&fx.q) & MTR_QUALITY_ST_MAIN_COVER);
    /* the restored ongoing events go on as they would have */
    nev = fx.nev;
    fx_run_u(1, UN, 1);
    cr_assert_eq(fx.nev, nev + 1);
    cr_assert_eq(fx.ev[nev].code, 86);
    cr_assert_eq(fx.ev[nev].value, 702);
    /* the pending magnetic input still needs its debounce */
    cr_assert_eq(mtr_quality_inputs(&fx.q, MTR_IN_MAIN_COVER | MTR_IN_MAGNETIC, fx.now + 10),
                 MTR_OK);
    cr_assert_eq(fx_count(42), 1);
}

Test(q_supply, load_while_down_then_power_up)
{
    uint8_t a[MTR_QUALITY_BLOB_SIZE];
    mtr_utc_t t = fx.now;

    fx_run_u(0, 150000, 3);
    cr_assert_eq(mtr_quality_power_down(&fx.q, t + 3), MTR_OK);
    save(a); /* what the aggregate commits at the power-fail warning */
    cr_assert_eq(mtr_quality_init(&fx.q, &fx.cfg), MTR_OK);
    cr_assert_eq(mtr_quality_load(&fx.q, a, sizeof a), MTR_OK);
    cr_assert_eq(mtr_quality_power_up(&fx.q, t + 3 + 200), MTR_OK);
    cr_assert_eq(fx.npf, 1);
    cr_assert_eq(fx.pf[0].start, t + 3);
    cr_assert_eq(fx.pf[0].dur, 200);
    cr_assert_eq(fx_counters().sags[0], 1);
    cr_assert_eq(fx_counters().sag_s[0], 3);
}

static void refused(const uint8_t *blob, size_t len, mtr_err_t want)
{
    struct mtr_quality before = fx.q;
    mtr_err_t err = mtr_quality_load(&fx.q, blob, len);

    cr_assert_eq(err, want, "len %zu: %d", len, err);
    cr_assert_eq(memcmp(&fx.q, &before, sizeof before), 0);
}

static void fix_crc(uint8_t *blob)
{
    mtr_put_be32(blob + MTR_QUALITY_BLOB_SIZE - 4,
                 mtr_crc32(blob, MTR_QUALITY_BLOB_SIZE - 4));
}

Test(q_supply, corrupt_blob_refused_nothing_changed)
{
    uint8_t good[MTR_QUALITY_BLOB_SIZE], bad[MTR_QUALITY_BLOB_SIZE + 1];

    busy_state();
    save(good);
    fx_init(); /* a different state to keep */
    fx_run_u(2, 150000, 3);
    for (size_t n = 0; n < sizeof good; n++) {
        refused(good, n, MTR_ERR_QUALITY_BLOB);
    }
    memcpy(bad, good, sizeof good);
    bad[sizeof good] = 0;
    refused(bad, sizeof bad, MTR_ERR_QUALITY_BLOB);
    for (size_t i = 0; i < sizeof good; i++) {
        for (int m = 0; m < 2; m++) {
            memcpy(bad, good, sizeof good);
            bad[i] ^= m ? 0xFF : 0x01;
            mtr_err_t err = mtr_quality_load(&fx.q, bad, sizeof good);
            cr_assert(err == MTR_ERR_QUALITY_BLOB_CRC || (i < 2 && err == MTR_ERR_QUALITY_BLOB),
                      "byte %zu: %d", i, err);
        }
    }
    /* well-formed CRC, wrong content */
    memcpy(bad, good, sizeof good);
    bad[2] = 2;
    fix_crc(bad);
    refused(bad, sizeof good, MTR_ERR_QUALITY_VERSION);
    memcpy(bad, good, sizeof good);
    bad[3] = 1;
    fix_crc(bad);
    refused(bad, sizeof good, MTR_ERR_QUALITY_BLOB);
    memcpy(bad, good, sizeof good);
    mtr_put_be16(bad + 4, 400); /* sag 40 % = below missing 50 % */
    fix_crc(bad);
    refused(bad, sizeof good, MTR_ERR_QUALITY_BLOB);
    memcpy(bad, good, sizeof good);
    bad[4 + 42] = 2; /* first detector's active flag */
    fix_crc(bad);
    refused(bad, sizeof good, MTR_ERR_QUALITY_BLOB);
    memcpy(bad, good, sizeof good);
    bad[MTR_QUALITY_BLOB_SIZE - 4 - 26] = 0x01; /* a button bit as cover state */
    fix_crc(bad);
    refused(bad, sizeof good, MTR_ERR_QUALITY_BLOB);
    memcpy(bad, good, sizeof good);
    mtr_put_be16(bad + MTR_QUALITY_BLOB_SIZE - 4 - 26 - 2, 1); /* bad > valid on L3 */
    mtr_put_be16(bad + MTR_QUALITY_BLOB_SIZE - 4 - 26 - 4, 0);
    fix_crc(bad);
    refused(bad, sizeof good, MTR_ERR_QUALITY_BLOB);
    /* the untouched blob still loads */
    cr_assert_eq(mtr_quality_load(&fx.q, good, sizeof good), MTR_OK);
}

Test(q_supply, error_codes_named)
{
    for (mtr_err_t e = MTR_ERR_QUALITY_VERSION; e <= MTR_ERR_QUALITY_CONFIG; e++) {
        const char *s = mtr_strerror(e);
        cr_assert_not_null(s);
        cr_assert_eq(strncmp(s, "quality: ", 9), 0, "code %d: %s", (int)e, s);
        for (mtr_err_t f = MTR_ERR_QUALITY_VERSION; f < e; f++) {
            cr_assert_str_neq(s, mtr_strerror(f));
        }
    }
    cr_assert_eq(mtr_quality_ctx_size(), sizeof(struct mtr_quality));
}
