/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Limiter (class 71), emergency profile and code red on the sim clock.
 * Ranges asserted: seed 001 §5.3.2 (limiter 1-75 kW, period and penalty
 * 30-3600 s) and §5.3.3 (code red 1-100 kW, 0-130 years), tou-limits.json.
 * Default fixture: 5 kW normal threshold, 60 s window, 60 s penalty.
 */
#include "dc_fixture.h"

static void teardown(void)
{
    fx_teardown();
}

TestSuite(dc_limiter, .fini = teardown);

/* Connected main breaker in @p mode, first limiter tick done at t0. */
static mtr_utc_t connected(uint8_t mode)
{
    fx_setup_mode(2);
    cr_assert_eq(mtr_disconnect_apply(&fx.dc, 0, MTR_DC_T_E, fx_ms()), MTR_OK);
    cr_assert_eq(mtr_disconnect_set_mode(&fx.dc, 0, mode), MTR_OK);
    cr_assert_eq(fx_tick_s(0), MTR_OK);
    fx.nev = 0;
    return fx_utc();
}

/* Tick once a second with @p mw until the state of channel 0 leaves
 * @p state; return the UTC second when it did (or -1 after @p max s). */
static mtr_utc_t run_until_change(mtr_mw_t mw, uint32_t max)
{
    uint8_t st = mtr_disconnect_state(&fx.dc, 0);
    for (uint32_t i = 0; i < max; i++) {
        cr_assert_eq(fx_tick_s(mw), MTR_OK);
        if (mtr_disconnect_state(&fx.dc, 0) != st) {
            return fx_utc();
        }
    }
    return -1;
}

Test(dc_limiter, opens_at_the_window_end_and_recloses_after_the_penalty_in_mode_5)
{
    mtr_utc_t t0 = connected(5); /* h allowed: automatic reconnection */
    mtr_utc_t open_at = run_until_change(6000000, 600);

    cr_assert_eq(open_at, t0 + 60, "the first 60 s window average 6 kW > 5 kW");
    cr_assert_eq(mtr_disconnect_state(&fx.dc, 0), MTR_DC_READY);
    cr_assert_not(mtr_sim_relay(&fx.sim, 0));
    cr_assert_eq(mtr_disconnect_last_average(&fx.dc), 6000000);
    cr_assert_eq(fx.nev, 2);
    cr_assert_eq(fx.ev[0].code, 65);
    cr_assert_eq(fx.ev[1].code, 64);
    cr_assert_eq(mtr_disconnect_causes(&fx.dc, 0), MTR_DC_CAUSE_LIMITER);
    cr_assert_eq(mtr_disconnect_penalty_end(&fx.dc), open_at + 60);
    /* no load while open */
    cr_assert_eq(run_until_change(0, 600), open_at + 60, "penalty C = 60 s");
    cr_assert_eq(mtr_disconnect_state(&fx.dc, 0), MTR_DC_CONNECTED);
    cr_assert(mtr_sim_relay(&fx.sim, 0));
    cr_assert_eq(fx_count(69), 1);
    cr_assert_eq(fx_count(66), 1, "a zero window after the trip is back to normal");
    cr_assert_eq(mtr_disconnect_penalty_end(&fx.dc), -1);
}

Test(dc_limiter, min_over_duration_delays_the_trip)
{
    struct mtr_dc_limiter lim = fx.cfg.limiter;
    mtr_utc_t t0 = connected(5);
    lim = fx.cfg.limiter;
    lim.min_over_s = 30;
    cr_assert_eq(mtr_disconnect_limiter_set(&fx.dc, &lim), MTR_OK);
    cr_assert_eq(run_until_change(6000000, 600), t0 + 60 + 30);
}

Test(dc_limiter, under_threshold_never_opens)
{
    connected(5);
    cr_assert_eq(run_until_change(5000000, 400), -1, "exactly at the threshold is not over");
    cr_assert_eq(fx.nev, 0);
}

Test(dc_limiter, conditional_modes_wait_for_the_customer_after_the_penalty)
{
    static const uint8_t modes[] = {1, 2, 3, 4};
    for (size_t i = 0; i < sizeof modes; i++) {
        mtr_utc_t t0 = connected(modes[i]);
        cr_assert_eq(run_until_change(6000000, 600), t0 + 60);
        cr_assert_eq(run_until_change(0, 300), -1, "mode %u has no h", modes[i]);
        cr_assert_eq(mtr_disconnect_causes(&fx.dc, 0), 0, "penalty over after 60 s");
        cr_assert_eq(mtr_disconnect_state(&fx.dc, 0), MTR_DC_READY);
        cr_assert_eq(mtr_disconnect_apply(&fx.dc, 0, MTR_DC_T_E, fx_ms()), MTR_OK);
        fx_teardown();
    }
}

Test(dc_limiter, threshold_change_mid_window_applies_at_the_window_end)
{
    struct mtr_dc_limiter lim;
    mtr_utc_t t0 = connected(5);

    for (int i = 0; i < 30; i++) {
        cr_assert_eq(fx_tick_s(4000000), MTR_OK);
    }
    lim = fx.cfg.limiter;
    lim.normal_mw = 3000000;
    cr_assert_eq(mtr_disconnect_limiter_set(&fx.dc, &lim), MTR_OK);
    cr_assert_eq(fx_tick_s(4000000), MTR_OK);
    cr_assert_eq(fx_count(67), 1, "threshold changed logged once");
    cr_assert_eq(mtr_disconnect_active_threshold(&fx.dc), 3000000);
    cr_assert_eq(mtr_disconnect_state(&fx.dc, 0), MTR_DC_CONNECTED, "not before the window ends");
    cr_assert_eq(run_until_change(4000000, 100), t0 + 60, "window not restarted");

    /* the other way: raising the threshold mid-window prevents the trip */
    fx_teardown();
    t0 = connected(5);
    lim = fx.cfg.limiter;
    lim.normal_mw = 3000000;
    cr_assert_eq(mtr_disconnect_limiter_set(&fx.dc, &lim), MTR_OK);
    for (int i = 0; i < 30; i++) {
        cr_assert_eq(fx_tick_s(4000000), MTR_OK);
    }
    lim.normal_mw = 5000000;
    cr_assert_eq(mtr_disconnect_limiter_set(&fx.dc, &lim), MTR_OK);
    cr_assert_eq(run_until_change(4000000, 200), -1);
    (void)t0;
}

Test(dc_limiter, power_cut_during_the_penalty_resumes_it)
{
    mtr_utc_t t0 = connected(5);
    mtr_utc_t open_at = run_until_change(6000000, 600);
    uint32_t ops;

    cr_assert_eq(open_at, t0 + 60);
    for (int i = 0; i < 20; i++) {
        cr_assert_eq(fx_tick_s(0), MTR_OK);
    }
    /* power off for 10 s: RAM lost, the RTC runs on */
    mtr_sim_advance(&fx.sim, 10000);
    ops = mtr_sim_relay_ops(&fx.sim, 0);
    cr_assert_eq(fx_restart(), MTR_OK);
    cr_assert_eq(mtr_sim_relay_ops(&fx.sim, 0), ops + 1, "driven once on restore");
    cr_assert_not(mtr_sim_relay(&fx.sim, 0), "still open after the restart (not skipped)");
    cr_assert_eq(mtr_disconnect_penalty_end(&fx.dc), open_at + 60);
    /* not reset: it ends 60 s after the trip, not 60 s after the restart */
    cr_assert_eq(run_until_change(0, 600), open_at + 60);
    cr_assert_eq(mtr_disconnect_state(&fx.dc, 0), MTR_DC_CONNECTED);
}

Test(dc_limiter, commands_during_the_penalty)
{
    mtr_utc_t t0 = connected(5); /* conditional, with h */
    mtr_utc_t open_at = run_until_change(6000000, 600);
    struct fx_snap before;

    cr_assert_eq(open_at, t0 + 60);
    fx_snap(&before);
    cr_assert_eq(mtr_disconnect_apply(&fx.dc, 0, MTR_DC_T_E, fx_ms()), MTR_ERR_DISCONNECT_CAUSE);
    cr_assert_eq(mtr_disconnect_remote_reconnect(&fx.dc, 0, fx_ms()), MTR_ERR_DISCONNECT_STATE);
    fx_assert_unchanged(&before, "refused during the penalty");
    /* the head-end may still disconnect; then reconnect to ready (d) */
    cr_assert_eq(mtr_disconnect_remote_disconnect(&fx.dc, 0, fx_ms()), MTR_OK);
    cr_assert_eq(mtr_disconnect_state(&fx.dc, 0), MTR_DC_DISCONNECTED);
    cr_assert_eq(mtr_disconnect_causes(&fx.dc, 0), MTR_DC_CAUSE_LIMITER);
    cr_assert_eq(mtr_disconnect_remote_reconnect(&fx.dc, 0, fx_ms()), MTR_OK);
    cr_assert_eq(mtr_disconnect_state(&fx.dc, 0), MTR_DC_READY);
    cr_assert_eq(run_until_change(0, 600), open_at + 60, "h at the end of the penalty");
    cr_assert_eq(mtr_disconnect_state(&fx.dc, 0), MTR_DC_CONNECTED);

    /* direct mode: a during the penalty is refused, after it allowed */
    fx_teardown();
    t0 = connected(6);
    open_at = run_until_change(6000000, 600);
    cr_assert_eq(mtr_disconnect_remote_disconnect(&fx.dc, 0, fx_ms()), MTR_OK);
    cr_assert_eq(mtr_disconnect_remote_reconnect(&fx.dc, 0, fx_ms()), MTR_ERR_DISCONNECT_CAUSE);
    for (int i = 0; i < 60; i++) {
        cr_assert_eq(fx_tick_s(0), MTR_OK);
    }
    cr_assert_eq(mtr_disconnect_state(&fx.dc, 0), MTR_DC_DISCONNECTED, "h only from ready");
    cr_assert_eq(mtr_disconnect_remote_reconnect(&fx.dc, 0, fx_ms()), MTR_OK);
    cr_assert_eq(mtr_disconnect_state(&fx.dc, 0), MTR_DC_CONNECTED);
}

Test(dc_limiter, emergency_profile_for_our_group)
{
    struct mtr_dc_emergency ep = {0};
    mtr_utc_t t0 = connected(5);

    ep.id = 1;
    ep.activation_utc = t0 + 10;
    ep.duration_s = 1000;
    ep.groups = 2;
    ep.group[0] = 3;
    ep.group[1] = fx.cfg.group_id;
    cr_assert_eq(mtr_disconnect_emergency_set(&fx.dc, &ep), MTR_OK);
    for (int i = 0; i < 9; i++) {
        cr_assert_eq(fx_tick_s(4000000), MTR_OK);
    }
    cr_assert_eq(mtr_disconnect_active_threshold(&fx.dc), 5000000);
    cr_assert_eq(fx_tick_s(4000000), MTR_OK);
    cr_assert_eq(mtr_disconnect_active_threshold(&fx.dc), 3000000, "emergency threshold from t0+10");
    cr_assert_eq(fx_count(67), 1);
    cr_assert_eq(run_until_change(4000000, 100), t0 + 60);
    cr_assert_eq(mtr_disconnect_causes(&fx.dc, 0), MTR_DC_CAUSE_LIMITER);

    /* another group's profile does not apply */
    fx_teardown();
    connected(5);
    ep.group[1] = 9;
    cr_assert_eq(mtr_disconnect_emergency_set(&fx.dc, &ep), MTR_OK);
    cr_assert_eq(run_until_change(4000000, 200), -1);
}

Test(dc_limiter, emergency_readers_follow_the_profile_and_code_red)
{
    struct mtr_dc_emergency ep = {0}, got;
    struct mtr_dc_code_red cr = {0};
    mtr_utc_t t0 = connected(5);

    mtr_disconnect_emergency_get(&fx.dc, &got);
    cr_assert_eq(got.groups, 0, "no profile after init");
    cr_assert_not(mtr_disconnect_emergency_active(&fx.dc, t0));

    ep.id = 7;
    ep.activation_utc = t0 + 10;
    ep.duration_s = 100;
    ep.groups = 1;
    ep.group[0] = fx.cfg.group_id;
    cr_assert_eq(mtr_disconnect_emergency_set(&fx.dc, &ep), MTR_OK);
    mtr_disconnect_emergency_get(&fx.dc, &got);
    cr_assert(got.id == 7 && got.activation_utc == t0 + 10 && got.duration_s == 100 && got.groups == 1 &&
              got.group[0] == fx.cfg.group_id);
    for (unsigned g = 1; g < MTR_CFG_DISCONNECT_GROUPS; g++) {
        cr_assert_eq(got.group[g], 0, "unused entries read 0");
    }
    cr_assert_not(mtr_disconnect_emergency_active(&fx.dc, t0 + 9), "before the window");
    cr_assert(mtr_disconnect_emergency_active(&fx.dc, t0 + 10), "its first second");
    cr_assert(mtr_disconnect_emergency_active(&fx.dc, t0 + 109), "its last second");
    cr_assert_not(mtr_disconnect_emergency_active(&fx.dc, t0 + 110), "after it");
    cr_assert_not(mtr_disconnect_emergency_active(&fx.dc, -1), "time unknown");

    /* another group only: never active for this meter */
    ep.group[0] = (uint16_t)(fx.cfg.group_id + 1u);
    cr_assert_eq(mtr_disconnect_emergency_set(&fx.dc, &ep), MTR_OK);
    cr_assert_not(mtr_disconnect_emergency_active(&fx.dc, t0 + 50));

    /* a code red becomes the profile in force, its cancel clears it */
    cr.limit_mw = 2000000;
    cr.activation_utc = t0;
    cr.interval_s = 3600;
    cr.penalty_s = 300;
    cr.group = fx.cfg.group_id;
    cr_assert_eq(mtr_disconnect_code_red(&fx.dc, &cr), MTR_OK);
    mtr_disconnect_emergency_get(&fx.dc, &got);
    cr_assert(got.activation_utc == t0 && got.duration_s == 3600 && got.groups == 1 &&
              got.group[0] == fx.cfg.group_id);
    cr_assert(mtr_disconnect_emergency_active(&fx.dc, t0 + 3599));
    cr_assert_eq(mtr_disconnect_code_red_cancel(&fx.dc, fx_ms()), MTR_OK);
    mtr_disconnect_emergency_get(&fx.dc, &got);
    cr_assert(got.groups == 0 && got.duration_s == 0);
    cr_assert_not(mtr_disconnect_emergency_active(&fx.dc, t0 + 10));
}

Test(dc_limiter, code_red_trips_with_its_own_penalty)
{
    struct mtr_dc_code_red cr = {0};
    mtr_utc_t t0 = connected(5), open_at;

    cr.limit_mw = 2000000;
    cr.activation_utc = t0;
    cr.interval_s = 3600;
    cr.penalty_s = 300;
    cr.group = fx.cfg.group_id;
    cr_assert_eq(mtr_disconnect_code_red(&fx.dc, &cr), MTR_OK);
    open_at = run_until_change(3000000, 100); /* under the normal 5 kW, over Y */
    cr_assert_eq(open_at, t0 + 60);
    cr_assert_eq(mtr_disconnect_causes(&fx.dc, 0), MTR_DC_CAUSE_CODE_RED);
    cr_assert_eq(mtr_disconnect_penalty_end(&fx.dc), open_at + 300, "penalty Z, not C");
    cr_assert_eq(run_until_change(0, 1000), open_at + 300);
    cr_assert_eq(mtr_disconnect_state(&fx.dc, 0), MTR_DC_CONNECTED);
}

Test(dc_limiter, code_red_cancel_ends_its_penalty)
{
    struct mtr_dc_code_red cr = {0};
    mtr_utc_t t0 = connected(5);

    cr.limit_mw = 2000000;
    cr.activation_utc = t0;
    cr.interval_s = (uint64_t)MTR_DC_CODE_RED_MAX_S;
    cr.penalty_s = (uint64_t)MTR_DC_CODE_RED_MAX_S;
    cr.group = fx.cfg.group_id;
    cr_assert_eq(mtr_disconnect_code_red(&fx.dc, &cr), MTR_OK);
    cr_assert_eq(run_until_change(3000000, 100), t0 + 60);
    cr_assert_eq(mtr_disconnect_penalty_end(&fx.dc), t0 + 60 + MTR_DC_CODE_RED_MAX_S,
                 "130 years in 64-bit seconds");
    cr_assert_eq(mtr_disconnect_code_red_cancel(&fx.dc, fx_ms()), MTR_OK);
    cr_assert_eq(mtr_disconnect_state(&fx.dc, 0), MTR_DC_CONNECTED);
    cr_assert_eq(mtr_disconnect_code_red_cancel(&fx.dc, fx_ms()), MTR_ERR_DISCONNECT_STATE);
}

Test(dc_limiter, bad_parameters_change_nothing)
{
    struct fx_snap before;
    struct mtr_dc_limiter lim;
    struct mtr_dc_code_red cr = {0}, good;
    struct mtr_dc_emergency ep = {0};
    struct {
        int field;
        int64_t value;
        mtr_err_t err;
    } lc[] = {
        {0, MTR_DC_LIMIT_MIN_MW - 1, MTR_ERR_DISCONNECT_THRESHOLD},
        {0, MTR_DC_LIMIT_MAX_MW + 1, MTR_ERR_DISCONNECT_THRESHOLD},
        {1, 0, MTR_ERR_DISCONNECT_THRESHOLD},
        {2, 29, MTR_ERR_DISCONNECT_PERIOD},
        {2, 3601, MTR_ERR_DISCONNECT_PERIOD},
        {3, 29, MTR_ERR_DISCONNECT_PERIOD},
        {3, 3601, MTR_ERR_DISCONNECT_PERIOD},
        {4, MTR_DC_DURATION_MAX_S + 1, MTR_ERR_DISCONNECT_PERIOD},
        {5, MTR_DC_DURATION_MAX_S + 1, MTR_ERR_DISCONNECT_PERIOD},
    };

    connected(5);
    fx_snap(&before);
    for (size_t i = 0; i < sizeof lc / sizeof lc[0]; i++) {
        lim = fx.cfg.limiter;
        switch (lc[i].field) {
        case 0: lim.normal_mw = lc[i].value; break;
        case 1: lim.emergency_mw = lc[i].value; break;
        case 2: lim.period_s = (uint16_t)lc[i].value; break;
        case 3: lim.penalty_s = (uint16_t)lc[i].value; break;
        case 4: lim.min_over_s = (uint32_t)lc[i].value; break;
        default: lim.min_under_s = (uint32_t)lc[i].value; break;
        }
        cr_assert_eq(mtr_disconnect_limiter_set(&fx.dc, &lim), lc[i].err, "case %zu", i);
    }
    /* the edges are accepted by a fresh engine */
    good.limit_mw = MTR_DC_CODE_RED_MIN_MW;
    good.activation_utc = 0;
    good.interval_s = 0;
    good.penalty_s = (uint64_t)MTR_DC_CODE_RED_MAX_S;
    good.group = fx.cfg.group_id;
    cr = good;
    cr.limit_mw = MTR_DC_CODE_RED_MIN_MW - 1;
    cr_assert_eq(mtr_disconnect_code_red(&fx.dc, &cr), MTR_ERR_DISCONNECT_THRESHOLD);
    cr.limit_mw = MTR_DC_CODE_RED_MAX_MW + 1;
    cr_assert_eq(mtr_disconnect_code_red(&fx.dc, &cr), MTR_ERR_DISCONNECT_THRESHOLD);
    cr = good;
    cr.interval_s = (uint64_t)MTR_DC_CODE_RED_MAX_S + 1;
    cr_assert_eq(mtr_disconnect_code_red(&fx.dc, &cr), MTR_ERR_DISCONNECT_PERIOD);
    cr = good;
    cr.penalty_s = (uint64_t)MTR_DC_CODE_RED_MAX_S + 1;
    cr_assert_eq(mtr_disconnect_code_red(&fx.dc, &cr), MTR_ERR_DISCONNECT_PERIOD);
    cr = good;
    cr.group = (uint16_t)(fx.cfg.group_id + 1);
    cr_assert_eq(mtr_disconnect_code_red(&fx.dc, &cr), MTR_ERR_DISCONNECT_GROUP);
    ep.groups = MTR_CFG_DISCONNECT_GROUPS + 1;
    cr_assert_eq(mtr_disconnect_emergency_set(&fx.dc, &ep), MTR_ERR_DISCONNECT_GROUP);
    ep.groups = 0;
    ep.activation_utc = -1;
    cr_assert_eq(mtr_disconnect_emergency_set(&fx.dc, &ep), MTR_ERR_DISCONNECT_PERIOD);
    cr_assert_eq(mtr_disconnect_code_red_cancel(&fx.dc, fx_ms()), MTR_ERR_DISCONNECT_STATE);
    fx_assert_unchanged(&before, "bad limiter parameters");
    cr_assert_eq(mtr_disconnect_code_red(&fx.dc, &good), MTR_OK);
    lim = fx.cfg.limiter;
    lim.normal_mw = MTR_DC_LIMIT_MAX_MW;
    lim.period_s = 3600;
    lim.penalty_s = 30;
    cr_assert_eq(mtr_disconnect_limiter_set(&fx.dc, &lim), MTR_OK);
}

Test(dc_limiter, clock_going_back_is_refused)
{
    struct fx_snap before;
    struct mtr_dc_input in = {0};
    connected(5);
    fx_snap(&before);
    in.now_ms = fx_ms();
    in.now_utc = fx_utc() - 1;
    cr_assert_eq(mtr_disconnect_tick(&fx.dc, &in), MTR_ERR_DISCONNECT_TIME);
    in.now_utc = -5;
    cr_assert_eq(mtr_disconnect_tick(&fx.dc, &in), MTR_ERR_DISCONNECT_PERIOD);
    fx_assert_unchanged(&before, "clock back");
    cr_assert_eq(mtr_disconnect_time_set(&fx.dc, fx_utc() - 100), MTR_OK);
    in.now_utc = fx_utc() - 99;
    cr_assert_eq(mtr_disconnect_tick(&fx.dc, &in), MTR_OK);
}

Test(dc_limiter, clock_set_keeps_the_remaining_penalty)
{
    mtr_utc_t t0 = connected(5), open_at = run_until_change(6000000, 600);
    struct mtr_dc_input in = {0};
    cr_assert_eq(open_at, t0 + 60);
    for (int i = 0; i < 20; i++) {
        cr_assert_eq(fx_tick_s(0), MTR_OK);
    }
    /* clock set back one hour: 40 s of penalty left */
    cr_assert_eq(mtr_disconnect_time_set(&fx.dc, open_at + 20 - 3600), MTR_OK);
    cr_assert_eq(mtr_disconnect_penalty_end(&fx.dc), open_at + 60 - 3600);
    in.now_ms = fx_ms();
    in.now_utc = open_at + 59 - 3600;
    cr_assert_eq(mtr_disconnect_tick(&fx.dc, &in), MTR_OK);
    cr_assert_eq(mtr_disconnect_state(&fx.dc, 0), MTR_DC_READY);
    in.now_utc = open_at + 60 - 3600;
    cr_assert_eq(mtr_disconnect_tick(&fx.dc, &in), MTR_OK);
    cr_assert_eq(mtr_disconnect_state(&fx.dc, 0), MTR_DC_CONNECTED);
}
