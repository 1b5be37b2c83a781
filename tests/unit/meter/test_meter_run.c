/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A complete meter on the sim HAL: ADC -> metrology -> tariff registers
 * chosen by the calendar -> billing; limiter -> disconnect; clock changes.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "meter_rig.h"

static struct rig r;

#define DAY_S 86400LL
#define D2025_01_06 20094LL /* days 1970-01-01 .. 2025-01-06 (a Monday) */
#define D2025_02_01 20120LL

/* Default synthetic load: 3 x 230 V x 5 A x PF 0.9 = 3105 W, i.e. 862.5 mWh per second. */
#define P_MW 3105000LL
#define MWH_PER_S (P_MW / 3600) /* 862 (rounded down) */
#define E_MWH(s) (P_MW * (s) / 3600) /* energy of s seconds of load, mWh */

static void boot_at(mtr_utc_t utc)
{
    rig_board(&r, utc, 0);
    cr_assert_eq(rig_boot(&r), MTR_OK);
}

static void assert_registers_match_metrology(void)
{
    /* By meaning (IEC 62053-23 / OBIS C): tariff quantity -> metrology kind. */
    static const unsigned kind[MTR_Q_COUNT] = {
        [MTR_Q_A_IMP] = MTR_E_A_IMP, [MTR_Q_A_EXP] = MTR_E_A_EXP,
        [MTR_Q_R_IMP] = MTR_E_R_IMP, [MTR_Q_R_EXP] = MTR_E_R_EXP,
        [MTR_Q_R_QI] = MTR_E_R_Q1,   [MTR_Q_R_QII] = MTR_E_R_Q2,
        [MTR_Q_R_QIII] = MTR_E_R_Q3, [MTR_Q_R_QIV] = MTR_E_R_Q4,
        [MTR_Q_S_IMP] = MTR_E_S_IMP, [MTR_Q_S_EXP] = MTR_E_S_EXP,
    };
    for (unsigned q = 0; q < MTR_Q_COUNT; q++) {
        cr_assert_eq(rig_tariff_sum(&r, q), rig_total(&r, q), "quantity %u", q);
        cr_assert_eq(rig_total(&r, q), rig_metro(&r, kind[q]), "quantity %u", q);
    }
}

Test(meter_run, tariff_registers_follow_the_calendar_and_sum_to_metrology)
{
    /* 05:50 UTC (zone 0, no DST); the calendar switches T1 -> T2 at 06:00. */
    boot_at(D2025_01_06 * DAY_S + 5 * 3600 + 50 * 60);
    rig_run(&r, 600 * 1000, 10);
    const struct mtr_registers *reg = mtr_tariff_registers(&r.e.trf);
    int64_t t1 = mtr_registers_tariff(reg, MTR_Q_A_IMP, 1);
    assert_registers_match_metrology();
    rig_run(&r, 600 * 1000, 10);
    assert_registers_match_metrology();
    int64_t t1_after = mtr_registers_tariff(reg, MTR_Q_A_IMP, 1);
    int64_t t2 = mtr_registers_tariff(reg, MTR_Q_A_IMP, 2);
    /* 600 s on each side of the switching point, within one period (1 s). */
    cr_assert(t1_after >= 600 * MWH_PER_S - 2 * MWH_PER_S && t1_after <= 601 * MWH_PER_S,
              "T1 %lld", (long long)t1_after);
    cr_assert(t2 >= 599 * MWH_PER_S - MWH_PER_S && t2 <= 601 * MWH_PER_S, "T2 %lld",
              (long long)t2);
    cr_assert(t1_after - t1 <= MWH_PER_S, "T1 grew after 06:00 by %lld", (long long)(t1_after - t1));
    cr_assert_eq(mtr_registers_tariff(reg, MTR_Q_A_IMP, 3), 0);
    cr_assert_eq(rig_total(&r, MTR_Q_A_EXP), 0);
    struct mtr_meter_wiring w;
    mtr_meter_wiring(&r.e.meter, &w);
    cr_assert_eq(w.step_errors, 0);
    cr_assert(w.steps >= 1199 && w.steps <= 1201, "steps %u", w.steps);
    cr_assert_eq(w.commits, 1, "one commit per %d s", MTR_CFG_STORE_ENERGY_COMMIT_S);
    cr_assert_eq(w.energy_restore, MTR_RESTORE_MISSING);
    cr_assert_eq(rig_count(&r, 2), 1, "Power up logged once");
    /* the monitored value handed to the limiter is the import power */
    mtr_mw_t p = mtr_meter_monitored_mw(&r.e.meter);
    cr_assert(p > P_MW - P_MW / 200 && p < P_MW + P_MW / 200, "P %lld", (long long)p);
    rig_free(&r);
}

Test(meter_run, an_hour_of_tariffs)
{
    /* 05:30 .. 06:30, and the sums hold at every minute. */
    boot_at(D2025_01_06 * DAY_S + 5 * 3600 + 30 * 60);
    for (int min = 0; min < 60; min++) {
        rig_run(&r, 60 * 1000, 20);
        assert_registers_match_metrology();
    }
    const struct mtr_registers *reg = mtr_tariff_registers(&r.e.trf);
    int64_t t1 = mtr_registers_tariff(reg, MTR_Q_A_IMP, 1);
    int64_t t2 = mtr_registers_tariff(reg, MTR_Q_A_IMP, 2);
    /* 1800 s each, within one metrology period and 0.1 % of metering error */
    cr_assert(t1 >= E_MWH(1799) - E_MWH(2) && t1 <= E_MWH(1801) + E_MWH(2), "T1 %lld",
              (long long)t1);
    cr_assert(t2 >= E_MWH(1799) - E_MWH(2) && t2 <= E_MWH(1801) + E_MWH(2), "T2 %lld",
              (long long)t2);
    struct mtr_meter_wiring w;
    mtr_meter_wiring(&r.e.meter, &w);
    cr_assert_eq(w.commits, 3600 / MTR_CFG_STORE_ENERGY_COMMIT_S);
    rig_free(&r);
}

/* Loads in each quadrant (current lag angle): which registers move, by the
 * definitions of IEC 62053-23 (QI: P>=0 Q>=0, QII: P<0 Q>=0, QIII: P<0 Q<0,
 * QIV: P>=0 Q<0; R+ = QI+QII, R- = QIII+QIV; S by the sign of P). */
static void quadrant(int32_t lag_cdeg, const unsigned *moving, size_t n)
{
    rig_board(&r, D2025_01_06 * DAY_S + 12 * 3600, 0);
    struct mtr_sim_adc_cfg a = r.sim.cfg.adc;
    for (int p = 0; p < 3; p++) {
        a.phase[p].i_angle_cdeg = lag_cdeg;
    }
    cr_assert_eq(mtr_sim_adc_set(&r.sim, &a), MTR_OK);
    cr_assert_eq(rig_boot(&r), MTR_OK);
    rig_run(&r, 3000, 10);
    assert_registers_match_metrology();
    for (unsigned q = 0; q < MTR_Q_COUNT; q++) {
        bool expect = false;
        for (size_t i = 0; i < n; i++) {
            expect |= moving[i] == q;
        }
        cr_assert_eq(rig_total(&r, q) > 0, expect, "lag %d: quantity %u = %lld", lag_cdeg, q,
                     (long long)rig_total(&r, q));
    }
    rig_free(&r);
}

Test(meter_run, energy_kinds_map_by_meaning)
{
    const unsigned q1[] = {MTR_Q_A_IMP, MTR_Q_R_IMP, MTR_Q_R_QI, MTR_Q_S_IMP};
    const unsigned q2[] = {MTR_Q_A_EXP, MTR_Q_R_IMP, MTR_Q_R_QII, MTR_Q_S_EXP};
    const unsigned q3[] = {MTR_Q_A_EXP, MTR_Q_R_EXP, MTR_Q_R_QIII, MTR_Q_S_EXP};
    const unsigned q4[] = {MTR_Q_A_IMP, MTR_Q_R_EXP, MTR_Q_R_QIV, MTR_Q_S_IMP};
    quadrant(3000, q1, 4);
    quadrant(15000, q2, 4);
    quadrant(-15000, q3, 4);
    quadrant(-3000, q4, 4);
}

Test(meter_run, billing_ends_once_at_the_boundary_and_across_a_restart)
{
    const mtr_utc_t boundary = D2025_02_01 * DAY_S;
    boot_at(boundary - 300);
    rig_run(&r, 299 * 1000, 10);
    cr_assert_eq(r.nbills, 0);
    rig_run(&r, 2 * 1000, 10);
    cr_assert_eq(r.nbills, 1);
    cr_assert_eq(r.bills[0].period, 1);
    cr_assert_eq(r.bills[0].boundary, boundary);
    cr_assert_eq(rig_count(&r, 223), 1, "Regular billing capture");
    struct mtr_meter_wiring w;
    mtr_meter_wiring(&r.e.meter, &w);
    cr_assert_eq(w.commits, 1, "committed at the billing end");
    /* restart: the period is not closed again */
    cr_assert_eq(rig_boot(&r), MTR_OK);
    mtr_meter_wiring(&r.e.meter, &w);
    cr_assert_eq(w.energy_restore, MTR_RESTORE_OK);
    cr_assert_eq(mtr_tariff_billing_count(&r.e.trf), 1);
    rig_run(&r, 600 * 1000, 10);
    cr_assert_eq(r.nbills, 1);
    cr_assert_eq(mtr_tariff_billing_count(&r.e.trf), 1);
    rig_free(&r);
}

Test(meter_run, limiter_opens_the_relay_and_recloses_after_the_penalty)
{
    rig_board(&r, D2025_01_06 * DAY_S + 12 * 3600, 0);
    r.limit_mw = 2000000; /* 2 kW < 3.1 kW load; period 30 s, penalty 30 s, mode 6 */
    cr_assert_eq(rig_boot(&r), MTR_OK);
    cr_assert_not(mtr_sim_relay(&r.sim, 0), "default safe state: open");
    mtr_ms_t now = r.sim.ms;
    cr_assert_eq(mtr_disconnect_apply(&r.e.dc, 0, MTR_DC_T_E, now), MTR_OK);
    cr_assert(mtr_sim_relay(&r.sim, 0));
    rig_run(&r, 25 * 1000, 10);
    cr_assert(mtr_sim_relay(&r.sim, 0), "below one averaging window: closed");
    rig_run(&r, 8 * 1000, 10);
    cr_assert_not(mtr_sim_relay(&r.sim, 0), "tripped after one window above 2 kW");
    cr_assert_eq(mtr_disconnect_state(&r.e.dc, 0), MTR_DC_READY);
    cr_assert_eq(rig_count(&r, 65), 1, "Limiter threshold exceeded");
    cr_assert_eq(rig_count(&r, 64), 1, "Local disconnection");
    rig_run(&r, 32 * 1000, 10);
    cr_assert(mtr_sim_relay(&r.sim, 0), "mode 6: h at the end of the 30 s penalty");
    cr_assert_eq(rig_count(&r, 69), 1, "Local reconnection");
    /* the state survives a restart, relay and state agree */
    cr_assert_eq(rig_boot(&r), MTR_OK);
    struct mtr_meter_wiring w;
    mtr_meter_wiring(&r.e.meter, &w);
    cr_assert_eq(w.disconnect_restore, MTR_RESTORE_OK);
    cr_assert_eq(mtr_disconnect_output(&r.e.dc, 0), mtr_sim_relay(&r.sim, 0));
    rig_free(&r);
}

Test(meter_run, clock_changes_reach_the_limiter_and_demand)
{
    boot_at(D2025_01_06 * DAY_S + 12 * 3600);
    rig_run(&r, 100 * 1000, 10);
    mtr_utc_t before;
    cr_assert_eq(r.hal.clock->rtc_get(r.hal.ctx, &before), MTR_OK);
    /* back by 10 minutes: the limiter would refuse an earlier time without time_set */
    cr_assert_eq(mtr_meter_rtc_set(&r.e.meter, before - 600), MTR_OK);
    rig_run(&r, 20 * 1000, 10);
    struct mtr_meter_wiring w;
    mtr_meter_wiring(&r.e.meter, &w);
    cr_assert_eq(w.step_errors, 0, "last error %d", w.last_error);
    cr_assert_eq(rig_count(&r, 4), 1, "Clock adjusted (old value)");
    cr_assert_eq(rig_count(&r, 5), 1, "Clock adjusted (new value)");
    for (uint32_t i = 0; i < r.nlog; i++) {
        if (r.log[i].code == 4) {
            cr_assert_eq(r.log[i].utc, before);
            cr_assert_str_eq(r.log[i].name, "Clock adjusted (old value)");
        }
        if (r.log[i].code == 5) {
            cr_assert_eq(r.log[i].utc, before - 600);
        }
    }
    /* demand: the sub-period the change cut short is flagged, not counted */
    rig_run(&r, 1000 * 1000, 10);
    const struct mtr_demand *dm = mtr_tariff_demand(&r.e.trf);
    cr_assert(dm->short_periods >= 1);
    assert_registers_match_metrology();
    rig_free(&r);
}

Test(meter_run, bare_engines_config_is_rejected_when_incomplete)
{
    rig_board(&r, D2025_01_06 * DAY_S, 0);
    struct mtr_tariff trf;
    struct mtr_meter m;
    struct mtr_meter_engines e = {.tariff = &trf, .tariff_cfg = &r.tariff_cfg};
    struct mtr_meter_config mc = {.engines = &e};
    cr_assert_eq(mtr_meter_init(&m, &r.hal, &mc), MTR_ERR_CONFIG, "tariff without a clock");
    rig_free(&r);
}
