/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Profiles, events and quality wired into the aggregate: mtr_meter_value(),
 * the load profile and billing profile captures with their status bits,
 * every event code the aggregate produces (produced by its cause, logged
 * once, counted), the alarm push, the power failure log, and the records a
 * restart must not repeat.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "meter/crc.h"
#include "meter_rig.h"

static struct rig r;

#define DAY_S 86400LL
#define D2025_01_06 20094LL /* a Monday */
#define D2025_01_31 20119LL
#define D2025_06_10 20249LL

static const uint8_t OBIS_AP[6] = {1, 0, 1, 8, 0, 255};

static void boot(void)
{
    cr_assert_eq(rig_boot(&r), MTR_OK);
}

static void reboot(void)
{
    mtr_sim_nvm_restore(&r.sim);
    boot();
}

static struct mtr_meter_wiring __attribute__((unused)) wiring(void)
{
    struct mtr_meter_wiring w;
    mtr_meter_wiring(&r.e.meter, &w);
    return w;
}

static mtr_utc_t now_utc(void)
{
    mtr_utc_t utc = 0;
    cr_assert_eq(r.hal.clock->rtc_get(r.hal.ctx, &utc), MTR_OK);
    return utc;
}

/* One event of the aggregate: its counter, its log entries, its records. */
static void assert_once(uint16_t code, const char *name, uint8_t log, uint32_t count_before,
                        uint32_t entries_before)
{
    cr_assert_eq(rig_ev_count(&r, code, name), count_before + 1, "code %u counted once", code);
    cr_assert_eq(rig_log_entries(&r, log, code), entries_before + 1, "code %u logged once", code);
}

Test(meter_records, values_resolve_in_one_place)
{
    rig_board_records(&r, D2025_01_06 * DAY_S + 12 * 3600, 0);
    boot();
    int64_t v;
    cr_assert_eq(mtr_meter_value(&r.e.meter, 3, (const uint8_t[]){1, 0, 32, 7, 0, 255}, 2, &v),
                 MTR_ERR_EMPTY, "no metrology period yet");
    rig_run(&r, 3000, 10);
    /* energy registers: the tariff's, total and per tariff */
    cr_assert_eq(mtr_meter_value(&r.e.meter, 3, OBIS_AP, 2, &v), MTR_OK);
    cr_assert_eq(v, rig_total(&r, MTR_Q_A_IMP));
    cr_assert(v > 0);
    cr_assert_eq(mtr_meter_value(&r.e.meter, 3, (const uint8_t[]){1, 0, 1, 8, 2, 255}, 2, &v),
                 MTR_OK);
    cr_assert_eq(v, mtr_registers_tariff(mtr_tariff_registers(&r.e.trf), MTR_Q_A_IMP, 2));
    cr_assert_eq(mtr_meter_value(&r.e.meter, 3, (const uint8_t[]){1, 0, 21, 8, 0, 255}, 2, &v),
                 MTR_OK, "phase L1 +A from metrology");
    cr_assert(v > 0 && v < rig_total(&r, MTR_Q_A_IMP));
    /* instantaneous values of the default load: 230 V, 5 A, PF 0.9, 50 Hz */
    cr_assert_eq(mtr_meter_value(&r.e.meter, 3, (const uint8_t[]){1, 0, 32, 7, 0, 255}, 2, &v),
                 MTR_OK);
    cr_assert(v > 229000 && v < 231000, "U L1 %lld mV", (long long)v);
    cr_assert_eq(mtr_meter_value(&r.e.meter, 3, (const uint8_t[]){1, 0, 51, 7, 0, 255}, 2, &v),
                 MTR_OK);
    cr_assert(v > 4950 && v < 5050, "I L2 %lld mA", (long long)v);
    cr_assert_eq(mtr_meter_value(&r.e.meter, 3, (const uint8_t[]){1, 0, 1, 7, 0, 255}, 2, &v),
                 MTR_OK);
    cr_assert(v > 3 * 1000000 && v < 3 * 1060000, "+P %lld mW", (long long)v);
    cr_assert_eq(mtr_meter_value(&r.e.meter, 3, (const uint8_t[]){1, 0, 2, 7, 0, 255}, 2, &v),
                 MTR_OK);
    cr_assert_eq(v, 0, "no export");
    cr_assert_eq(mtr_meter_value(&r.e.meter, 3, (const uint8_t[]){1, 0, 13, 7, 0, 255}, 2, &v),
                 MTR_OK);
    cr_assert(v > 8900 && v < 9100, "PF %lld", (long long)v);
    cr_assert_eq(mtr_meter_value(&r.e.meter, 3, (const uint8_t[]){1, 0, 14, 7, 0, 255}, 2, &v),
                 MTR_OK);
    cr_assert(v > 49900 && v < 50100, "f %lld mHz", (long long)v);
    /* abstract objects */
    cr_assert_eq(mtr_meter_value(&r.e.meter, 1, (const uint8_t[]){0, 0, 97, 97, 0, 255}, 2, &v),
                 MTR_OK);
    cr_assert_eq(v, mtr_events_error(&r.e.ev));
    cr_assert_eq(mtr_meter_value(&r.e.meter, 1, (const uint8_t[]){0, 0, 97, 98, 10, 255}, 2, &v),
                 MTR_OK);
    cr_assert_eq(v, mtr_events_filter(&r.e.ev, 1));
    cr_assert_eq(mtr_meter_value(&r.e.meter, 1, (const uint8_t[]){0, 0, 0, 1, 0, 255}, 2, &v),
                 MTR_OK);
    cr_assert_eq(v, mtr_tariff_billing_count(&r.e.trf));
    /* demand: class 5 current / last average */
    cr_assert_eq(mtr_meter_value(&r.e.meter, 5, (const uint8_t[]){1, 0, 1, 4, 0, 255}, 2, &v),
                 MTR_OK);
    cr_assert_eq(v, mtr_demand_current(mtr_tariff_demand(&r.e.trf), MTR_Q_A_IMP));
    /* anything else */
    cr_assert_eq(mtr_meter_value(&r.e.meter, 3, (const uint8_t[]){1, 0, 1, 8, 9, 255}, 2, &v),
                 MTR_ERR_NOENT, "no tariff 9");
    cr_assert_eq(mtr_meter_value(&r.e.meter, 3, OBIS_AP, 3, &v), MTR_ERR_NOENT, "attribute 3");
    cr_assert_eq(mtr_meter_value(&r.e.meter, 7, OBIS_AP, 2, &v), MTR_ERR_NOENT, "class 7");
    cr_assert_eq(mtr_meter_value(&r.e.meter, 3, (const uint8_t[]){1, 0, 99, 99, 0, 255}, 2, &v),
                 MTR_ERR_NOENT);
    cr_assert_eq(mtr_meter_value(&r.e.meter, 3, (const uint8_t[]){1, 0, 1, 8, 0, 0}, 2, &v),
                 MTR_ERR_NOENT, "F != 255");
    rig_free(&r);
}

/* Accelerated time: each poll advances @p step_ms and hands metrology 0.1 s
 * of samples (a 400-frame ADC buffer): registers move, the calendar, the
 * profiles and the commits follow the wall clock. */
static void run_fast(uint32_t polls, uint32_t step_ms)
{
    for (uint32_t i = 0; i < polls && mtr_sim_nvm_powered(&r.sim); i++) {
        mtr_sim_advance(&r.sim, step_ms);
        (void)mtr_post_adc_ready(&r.e.meter);
        cr_assert_eq(mtr_poll(&r.e.meter, NULL), MTR_OK);
    }
}

static uint32_t read_profile(struct mtr_profile *p, struct mtr_profile_entry *out, uint32_t max)
{
    struct mtr_profile_sel sel = {.by = MTR_PROFILE_ALL};
    struct mtr_profile_cursor cur;
    uint32_t count = 0, n = 0;
    cr_assert_eq(mtr_profile_select(p, &sel, &cur, &count), MTR_OK);
    while (n < max && mtr_profile_next(p, &sel, &cur, &out[n]) == MTR_OK) {
        n++;
    }
    cr_assert_eq(n, count < max ? count : max);
    return n;
}

static struct mtr_profile_entry ent[64];

Test(meter_records, load_profile_captures_with_status)
{
    rig_board_records(&r, D2025_01_06 * DAY_S + 12 * 3600 + 10, 400);
    boot();
    run_fast(60, 60000); /* one hour: 12:15, 12:30, 12:45, 13:00 */
    struct mtr_profile *lp = &r.e.prof[RIG_LP1];
    uint32_t n = read_profile(lp, ent, 64);
    cr_assert_eq(n, 4);
    for (uint32_t i = 0; i < n; i++) {
        cr_assert_eq(ent[i].utc, D2025_01_06 * DAY_S + 12 * 3600 + 900 * (int64_t)(i + 1));
        cr_assert_eq(ent[i].status, 0, "a first start is no power down");
        cr_assert_eq(ent[i].nvalues, RIG_LP1_VALUES);
        cr_assert(i == 0 || ent[i].v[0] > ent[i - 1].v[0], "+A grows");
        cr_assert(ent[i].v[4] > 229000 && ent[i].v[4] < 231000, "U L1");
    }
    cr_assert(ent[n - 1].v[0] <= rig_total(&r, MTR_Q_A_IMP));
    struct mtr_meter_wiring w = wiring();
    cr_assert_eq(w.profile_captures, 4);
    cr_assert_eq(w.profile_capture_errors, 0);
    cr_assert_eq(w.profile_value_errors, 0);
    /* a restart: PDN in the next entry */
    reboot();
    run_fast(15, 60000);
    n = read_profile(lp, ent, 64);
    cr_assert_eq(n, 5);
    cr_assert_eq(ent[4].status, MTR_PROFILE_ST_PDN);
    /* the clock set forward by 2 minutes: CAD */
    cr_assert_eq(mtr_meter_rtc_set(&r.e.meter, now_utc() + 120), MTR_OK);
    run_fast(15, 60000);
    n = read_profile(lp, ent, 64);
    cr_assert_eq(n, 6);
    cr_assert_eq(ent[5].status, MTR_PROFILE_ST_CAD);
    /* a critical error register bit: ERR (and DNV) */
    cr_assert_eq(mtr_events_error_set(&r.e.ev, 0x00000008u, now_utc()), MTR_OK);
    run_fast(15, 60000);
    n = read_profile(lp, ent, 64);
    cr_assert_eq(n, 7);
    cr_assert_eq(ent[6].status, MTR_PROFILE_ST_ERR | MTR_PROFILE_ST_DNV);
    cr_assert_eq(mtr_events_error_clear(&r.e.ev, 0x00000008u, now_utc()), MTR_OK);
    /* the RTC lost: CIV (and DNV) until it is set, event 6 once */
    uint32_t civ = rig_ev_count(&r, 6, NULL);
    mtr_sim_rtc_lose(&r.sim);
    reboot();
    cr_assert_eq(rig_ev_count(&r, 6, NULL), civ + 1);
    run_fast(15, 60000);
    /* the RTC stands in 1970: no boundary comes; a capture by command */
    cr_assert_eq(mtr_meter_profile_capture(&r.e.meter, RIG_LP1), MTR_OK);
    n = read_profile(lp, ent, 64);
    cr_assert_eq(n, 8);
    cr_assert((ent[n - 1].status & (MTR_PROFILE_ST_CIV | MTR_PROFILE_ST_DNV)) ==
                  (MTR_PROFILE_ST_CIV | MTR_PROFILE_ST_DNV),
              "status %02x", ent[n - 1].status);
    rig_free(&r);
}

Test(meter_records, dst_status_in_summer)
{
    rig_board_records(&r, D2025_06_10 * DAY_S + 3600, 400);
    mtr_dst_eu(&r.clock_cfg.dst);
    boot();
    run_fast(20, 60000);
    uint32_t n = read_profile(&r.e.prof[RIG_LP1], ent, 64);
    cr_assert(n >= 1);
    cr_assert_eq(ent[0].status, MTR_PROFILE_ST_DST);
    rig_free(&r);
}

Test(meter_records, billing_profile_at_billing_ends)
{
    /* 2025-01-31 23:00 UTC; billing on the 1st at 00:00 */
    rig_board_records(&r, D2025_01_31 * DAY_S + 23 * 3600, 400);
    boot();
    uint32_t regular = rig_ev_count(&r, 223, NULL);
    run_fast(120, 60000);
    cr_assert_eq(mtr_tariff_billing_count(&r.e.trf), 1);
    struct mtr_profile *bp = &r.e.prof[RIG_BILLING];
    uint32_t n = read_profile(bp, ent, 64);
    cr_assert_eq(n, 1);
    cr_assert(ent[0].utc >= (D2025_01_31 + 1) * DAY_S && ent[0].utc < (D2025_01_31 + 1) * DAY_S + 61);
    cr_assert_eq(ent[0].v[0], 1, "billing period counter");
    cr_assert_eq(ent[0].v[1], ent[0].v[2] + ent[0].v[3] + ent[0].v[4], "total = T1 + T2 + T3");
    cr_assert(ent[0].v[1] > 0 && ent[0].v[1] < rig_total(&r, MTR_Q_A_IMP));
    cr_assert(ent[0].v[5] > 0, "the maximum demand of the period, before its reset");
    cr_assert(ent[0].v[6] > D2025_01_31 * DAY_S, "and its time");
    cr_assert(ent[0].v[6] <= ent[0].utc, "a maximum of the period that ended");
    cr_assert(mtr_tariff_demand(&r.e.trf)->max[0][0].time > ent[0].utc,
              "the maxima were reset after the capture");
    cr_assert_eq(rig_ev_count(&r, 223, NULL), regular + 1);
    cr_assert_eq(rig_log_entries(&r, MTR_EVLOG_STANDARD, 223), 1);
    /* by command and by button: 209 and 210, each with its capture */
    struct mtr_clock_view v;
    cr_assert_eq(mtr_clock_now(&r.e.clk, &v), MTR_OK);
    cr_assert_eq(mtr_tariff_billing_end(&r.e.trf, &v, MTR_BILLING_BY_COMMAND), MTR_OK);
    cr_assert_eq(mtr_tariff_billing_end(&r.e.trf, &v, MTR_BILLING_BY_BUTTON), MTR_OK);
    run_fast(2, 60000);
    cr_assert_eq(rig_ev_count(&r, 209, NULL), 1);
    cr_assert_eq(rig_ev_count(&r, 210, NULL), 1);
    n = read_profile(bp, ent, 64);
    cr_assert_eq(n, 3);
    cr_assert_eq(ent[1].v[0], 2);
    cr_assert_eq(ent[2].v[0], 3);
    struct mtr_meter_wiring w = wiring();
    cr_assert_eq(w.profile_capture_errors, 0);
    rig_free(&r);
}

static uint32_t cnt(uint16_t code)
{
    return rig_ev_count(&r, code, NULL);
}

static uint32_t std_entries(uint16_t code)
{
    return rig_log_entries(&r, MTR_EVLOG_STANDARD, code);
}

/* @p code went up by one in its counter and its log, by the cause just run. */
#define ONCE(code, log, expr)                                                                      \
    do {                                                                                           \
        uint32_t c0_ = cnt(code), e0_ = rig_log_entries(&r, log, code);                            \
        expr;                                                                                      \
        assert_once(code, NULL, log, c0_, e0_);                                                    \
    } while (0)

/* The same, for use inside ONCE. */
#define ONCE_IN(code, log, expr)                                                                   \
    do {                                                                                           \
        uint32_t c1_ = cnt(code), e1_ = rig_log_entries(&r, log, code);                            \
        expr;                                                                                      \
        assert_once(code, NULL, log, c1_, e1_);                                                    \
    } while (0)

static struct mtr_tou passive;

Test(meter_records, aggregate_events_each_once)
{
    rig_board_records(&r, D2025_01_06 * DAY_S + 12 * 3600, 400);
    r.persist_calendar = true;
    boot();
    /* 2 at the first start-up, no power down before it */
    cr_assert_eq(cnt(2), 1);
    cr_assert_eq(cnt(1), 0);
    cr_assert_eq(std_entries(2), 1);
    run_fast(5, 60000);

    /* 1 on the warning (committed), then 2 when the supply comes back */
    ONCE(1, MTR_EVLOG_STANDARD, {
        cr_assert_eq(mtr_post_power_fail(&r.e.meter), MTR_OK);
        cr_assert_eq(mtr_poll(&r.e.meter, NULL), MTR_OK);
    });
    ONCE(2, MTR_EVLOG_STANDARD, {
        mtr_sim_advance(&r.sim, 10000);
        cr_assert_eq(mtr_post(&r.e.meter, MTR_EV_POWER_RESTORED, 0, 0), MTR_OK);
        cr_assert_eq(mtr_poll(&r.e.meter, NULL), MTR_OK);
    });
    cr_assert_eq(mtr_events_short_failures(&r.e.ev), 1, "a 10 s interruption is short");

    /* a warning, then the cut: after 10 minutes, the power failure log */
    cr_assert_eq(mtr_post_power_fail(&r.e.meter), MTR_OK);
    cr_assert_eq(mtr_poll(&r.e.meter, NULL), MTR_OK);
    mtr_utc_t down = now_utc();
    mtr_sim_advance(&r.sim, 600000);
    uint32_t pd = cnt(1);
    ONCE(2, MTR_EVLOG_STANDARD, reboot());
    cr_assert_eq(cnt(1), pd, "the warning's power down is not logged again");
    uint32_t n = read_profile(mtr_events_log(&r.e.ev, MTR_EVLOG_POWER_FAILURE), ent, 64);
    cr_assert_eq(n, 1);
    cr_assert_eq(ent[0].v[0], 1);
    cr_assert_eq(ent[0].v[1], down, "start: the warning");
    cr_assert_eq(ent[0].v[2], 600, "duration");
    cr_assert_eq(ent[0].utc, down + 600);

    /* a cut without warning: power down raised at the restart, from the
     * last commit, then the power failure and the power up */
    run_fast(5, 60000);
    mtr_utc_t cut = now_utc();
    mtr_sim_advance(&r.sim, 3600000);
    ONCE(1, MTR_EVLOG_STANDARD, ONCE_IN(2, MTR_EVLOG_STANDARD, reboot()));
    n = read_profile(mtr_events_log(&r.e.ev, MTR_EVLOG_POWER_FAILURE), ent, 64);
    cr_assert_eq(n, 2);
    cr_assert(ent[1].v[1] <= cut && ent[1].v[1] >= cut - MTR_CFG_STORE_ENERGY_COMMIT_S,
              "start: the last commit, within the commit interval");
    cr_assert_eq(ent[1].v[1] + ent[1].v[2], now_utc());

    /* clock set: 4 and 5; DST settings: 3 */
    ONCE(4, MTR_EVLOG_STANDARD, ONCE_IN(5, MTR_EVLOG_STANDARD, {
        cr_assert_eq(mtr_meter_rtc_set(&r.e.meter, now_utc() + 300), MTR_OK);
    }));
    struct mtr_dst_config dst;
    mtr_dst_eu(&dst);
    ONCE(3, MTR_EVLOG_STANDARD, cr_assert_eq(mtr_clock_set_dst(&r.e.clk, &dst), MTR_OK));
    run_fast(1, 1000);

    /* passive calendar: 19 when programmed (47 for its commit), 9 when
     * activated (no 47 for the activation alone) */
    passive = *mtr_calendar_active(&r.e.cal);
    passive.day[0].sw[1].hour = 7;
    ONCE(47, MTR_EVLOG_STANDARD, ONCE_IN(19, MTR_EVLOG_STANDARD, {
        cr_assert_eq(mtr_calendar_set_passive(&r.e.cal, &passive, now_utc() + 120), MTR_OK);
        run_fast(1, 1000);
    }));
    uint32_t p47 = cnt(47);
    ONCE(9, MTR_EVLOG_STANDARD, run_fast(3, 60000));
    cr_assert_eq(cnt(47), p47, "an activation is not a parametrization");
    cr_assert_eq(mtr_calendar_active(&r.e.cal)->day[0].sw[1].hour, 7);

    /* tariff control: 202 to the inputs, 201 back to the calendar */
    ONCE(202, MTR_EVLOG_STANDARD, cr_assert_eq(mtr_calendar_set_control(&r.e.cal, MTR_TARIFF_BY_INPUTS, NULL, now_utc()), MTR_OK));
    ONCE(201, MTR_EVLOG_STANDARD, cr_assert_eq(mtr_calendar_set_control(&r.e.cal, MTR_TARIFF_BY_CALENDAR, NULL, now_utc()), MTR_OK));
    run_fast(1, 1000);

    /* the disconnect engine's events in the disconnector log */
    ONCE(61, MTR_EVLOG_DISCONNECTOR, cr_assert_eq(mtr_disconnect_apply(&r.e.dc, 0, MTR_DC_T_E, r.sim.ms), MTR_OK));
    ONCE(62, MTR_EVLOG_DISCONNECTOR, cr_assert_eq(mtr_disconnect_remote_disconnect(&r.e.dc, 0, r.sim.ms), MTR_OK));
    /* a relay that does not follow: 68 and alarm register 2 bit 31, pushed */
    mtr_sim_relay_stick(&r.sim, 0, true);
    uint32_t push = r.npush;
    ONCE(68, MTR_EVLOG_DISCONNECTOR, {
        cr_assert_eq(mtr_disconnect_remote_reconnect(&r.e.dc, 0, r.sim.ms), MTR_OK);
        run_fast(3, 1000);
    });
    cr_assert((mtr_events_alarm(&r.e.ev, 2) & 0x80000000u) != 0);
    cr_assert((r.alarms[2] & 0x80000000u) != 0);
    cr_assert(r.npush > push);
    mtr_sim_relay_stick(&r.sim, 0, false);

    /* quality: a sag on L1, a terminal cover opened */
    struct mtr_sim_adc_cfg a = r.sim.cfg.adc;
    a.phase[0].v_rms_mv = 150000;
    cr_assert_eq(mtr_sim_adc_set(&r.sim, &a), MTR_OK);
    ONCE(76, MTR_EVLOG_POWER_QUALITY, run_fast(30, 1000));
    a.phase[0].v_rms_mv = 230000;
    cr_assert_eq(mtr_sim_adc_set(&r.sim, &a), MTR_OK);
    run_fast(30, 1000);
    struct mtr_quality_counters qc;
    mtr_quality_counters(&r.e.q, &qc);
    cr_assert_eq(qc.sags[0], 1);
    mtr_sim_set_inputs(&r.sim, MTR_IN_TERMINAL_COVER);
    ONCE(40, MTR_EVLOG_FRAUD, {
        cr_assert_eq(mtr_post_input(&r.e.meter, MTR_IN_TERMINAL_COVER), MTR_OK);
        run_fast(3, 1000);
    });
    cr_assert((r.alarms[1] & 0x00002000u) != 0, "fraud alarm pushed");

    /* a profile reset: 254 with its row */
    uint32_t lp1c = rig_ev_count(&r, 254, "Load profile 1 cleared");
    uint32_t bpc = rig_ev_count(&r, 254, "Billing profile cleared");
    cr_assert_eq(mtr_meter_profile_reset(&r.e.meter, RIG_LP1), MTR_OK);
    cr_assert_eq(mtr_profile_entries_in_use(&r.e.prof[RIG_LP1]), 0);
    cr_assert_eq(rig_ev_count(&r, 254, "Load profile 1 cleared"), lp1c + 1);
    cr_assert_eq(mtr_meter_profile_reset(&r.e.meter, RIG_BILLING), MTR_OK);
    cr_assert_eq(rig_ev_count(&r, 254, "Billing profile cleared"), bpc + 1);
    cr_assert_eq(mtr_meter_profile_reset(&r.e.meter, 2), MTR_ERR_NOENT);

    /* 10 and 11 come from the events engine itself (COSEM writes) */
    ONCE(10, MTR_EVLOG_STANDARD, cr_assert_eq(mtr_events_error_write(&r.e.ev, 0, now_utc()), MTR_OK));
    ONCE(11, MTR_EVLOG_STANDARD, cr_assert_eq(mtr_events_alarm_write(&r.e.ev, 2, 0x80000000u, now_utc()), MTR_OK));

    struct mtr_meter_wiring w = wiring();
    cr_assert_eq(w.event_unknown, 0, "every pair is in the code table");
    cr_assert_eq(w.event_errors, 0);
    cr_assert_eq(w.quality_errors, 0);
    cr_assert(w.events_raised > 10, "raised %u since the last start", w.events_raised);
    /* nothing duplicated: each log's counter is its entries */
    for (uint8_t log = 0; log < MTR_EVLOG_COUNT; log++) {
        if (mtr_events_log(&r.e.ev, log) != NULL) {
            cr_assert_eq(mtr_events_log_count(&r.e.ev, log), rig_log_entries(&r, log, 0),
                         "log %u", log);
        }
    }
    rig_free(&r);
}

/* ------------------------------------------------------------ power cuts */

/* A cycle cut at every byte, each followed by a restart on the same NVM. */
typedef void (*cycle_fn)(void);
typedef void (*check_fn)(bool completed, uint32_t k);

static uint32_t cut_every_byte(const uint8_t *image, uint32_t size, cycle_fn cycle, check_fn check)
{
    for (uint32_t k = 0;; k++) {
        memcpy(mtr_sim_nvm_data(&r.sim), image, size);
        reboot();
        mtr_sim_nvm_cut_after(&r.sim, k);
        cycle();
        bool completed = mtr_sim_nvm_powered(&r.sim);
        reboot();
        check(completed, k);
        if (completed) {
            return k;
        }
    }
}

static uint32_t base62, dedups;

static void dc_cycle(void)
{
    (void)mtr_disconnect_remote_disconnect(&r.e.dc, 0, r.sim.ms);
}

static void dc_check(bool completed, uint32_t k)
{
    uint32_t c = cnt(62);
    cr_assert_eq(c, rig_log_entries(&r, MTR_EVLOG_DISCONNECTOR, 62), "cut %u", k);
    if (mtr_disconnect_state(&r.e.dc, 0) == MTR_DC_DISCONNECTED) {
        cr_assert_eq(c, base62 + 1, "cut %u: the transition's event exactly once", k);
    } else {
        cr_assert_eq(c, base62, "cut %u: no transition, no event", k);
        cr_assert(!completed);
    }
    dedups += wiring().events_deduped;
}

Test(meter_records, disconnect_event_once_at_every_cut)
{
    rig_board_records(&r, D2025_01_06 * DAY_S + 12 * 3600, 400);
    boot();
    cr_assert_eq(mtr_disconnect_apply(&r.e.dc, 0, MTR_DC_T_E, r.sim.ms), MTR_OK);
    run_fast(3, 1000);
    base62 = cnt(62);
    uint32_t size = r.sim.cfg.nvm_size;
    uint8_t *image = malloc(size);
    cr_assert_not_null(image);
    memcpy(image, mtr_sim_nvm_data(&r.sim), size);
    dedups = 0;
    uint32_t cuts = cut_every_byte(image, size, dc_cycle, dc_check);
    rig_diag("remote disconnection: %u cut points, %u restarts recognised the event as logged",
             cuts, dedups);
    cr_assert(dedups > 0, "the cut between the event and the second persist was hit");
    free(image);
    rig_free(&r);
}

static void bill_cycle(void)
{
    run_fast(1, 60000); /* 23:59:30 -> 00:00:30: the billing end */
}

static void bill_check(bool completed, uint32_t k)
{
    (void)completed;
    run_fast(2, 1000); /* a billing end the cut kept from its commit comes again */
    cr_assert_eq(mtr_tariff_billing_count(&r.e.trf), 1, "cut %u", k);
    cr_assert_eq(mtr_profile_entries_in_use(&r.e.prof[RIG_BILLING]), 1, "cut %u: one capture", k);
    cr_assert_eq(cnt(223), 1, "cut %u: one event", k);
    cr_assert_eq(std_entries(223), 1, "cut %u", k);
    uint32_t n = read_profile(&r.e.prof[RIG_BILLING], ent, 64);
    cr_assert_eq(ent[n - 1].v[0], 1, "period 1");
    dedups += wiring().events_deduped;
}

Test(meter_records, billing_capture_once_at_every_cut)
{
    rig_board_records(&r, D2025_01_31 * DAY_S + 23 * 3600 + 59 * 60 + 20, 400);
    boot();
    run_fast(10, 1000);
    uint32_t size = r.sim.cfg.nvm_size;
    uint8_t *image = malloc(size);
    cr_assert_not_null(image);
    memcpy(image, mtr_sim_nvm_data(&r.sim), size);
    dedups = 0;
    uint32_t cuts = cut_every_byte(image, size, bill_cycle, bill_check);
    rig_diag("billing end: %u cut points, %u records recognised as done", cuts, dedups);
    cr_assert(dedups > 0);
    free(image);
    rig_free(&r);
}

/* ------------------------------------------------------------ damaged NVM */

struct slot_ref {
    uint32_t addr; /* of the slot (commit mark) */
    uint32_t seq;
    uint16_t len;
};

static const struct mtr_store_part_cfg *part_cfg(uint16_t id)
{
    for (uint16_t i = 0; i < r.nparts; i++) {
        if (r.table[i].id == id) {
            return &r.table[i];
        }
    }
    cr_assert_fail("no partition %u", id);
    return NULL;
}

/* Committed records of a partition (docs/persistence.md, format 1). */
static uint32_t records_of(uint16_t id, struct slot_ref *out, uint32_t max)
{
    const struct mtr_store_part_cfg *pc = part_cfg(id);
    const uint8_t *nvm = mtr_sim_nvm_data(&r.sim);
    uint32_t slot = mtr_store_slot_size(pc->record_size, 1), per = 4096u / slot, n = 0;
    for (uint32_t s = 0; s < pc->sectors; s++) {
        for (uint32_t i = 0; i < per && n < max; i++) {
            uint32_t a = (pc->first_sector + s) * 4096u + i * slot;
            const uint8_t *h = nvm + a + 4;
            if (nvm[a] != 0xA5 || nvm[a + 1] != 0x5A || nvm[a + 2] != 0xC3 || nvm[a + 3] != 0x3C ||
                h[0] != 'S' || h[1] != 'T' || ((h[4] << 8) | h[5]) != id) {
                continue;
            }
            out[n++] = (struct slot_ref){a, (uint32_t)h[8] << 24 | (uint32_t)h[9] << 16 |
                                                (uint32_t)h[10] << 8 | h[11],
                                         (uint16_t)((h[6] << 8) | h[7])};
        }
    }
    return n;
}

static struct slot_ref newest_of(uint16_t id)
{
    static struct slot_ref refs[512];
    uint32_t n = records_of(id, refs, 512);
    cr_assert(n > 0);
    struct slot_ref best = refs[0];
    for (uint32_t i = 1; i < n; i++) {
        if (refs[i].seq > best.seq) {
            best = refs[i];
        }
    }
    return best;
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void reboot_reported(const char *what)
{
    uint32_t e14 = cnt(14);
    cr_assert_eq(mtr_events_error_write(&r.e.ev, 0, now_utc()), MTR_OK); /* a fresh register */
    e14 = cnt(14);
    reboot();
    (void)e14;
    cr_assert((mtr_events_error(&r.e.ev) & 0x00008000u) != 0, "%s: NV error bit", what);
    cr_assert(std_entries(14) >= 1, "%s: event 14 logged", what);
    struct mtr_store_faults f;
    mtr_store_faults(&r.e.store, &f);
    cr_assert(f.flags != 0, "%s: found by the recovery", what);
    run_fast(20, 60000); /* and the meter goes on */
    struct mtr_meter_wiring w = wiring();
    cr_assert_eq(w.profile_capture_errors, 0, "%s", what);
    cr_assert(w.commits >= 1, "%s", what);
}

static uint32_t lcg32(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(*s >> 33);
}

Test(meter_records, damaged_nvm_detected_reported_and_survived)
{
    rig_board_records(&r, D2025_01_06 * DAY_S + 12 * 3600, 400);
    boot();
    run_fast(60, 60000);
    uint8_t *nvm = mtr_sim_nvm_data(&r.sim);

    /* a bit flip in the newest register snapshot: the older copy, bits 1
     * (FRAM energy CRC) and 15 (NV memory) of the error register, event 14,
     * ERR in the next load profile entry */
    int64_t before = rig_total(&r, MTR_Q_A_IMP);
    struct slot_ref s = newest_of(PART_ENERGY);
    nvm[s.addr + 4 + 12 + 40] ^= 0x10;
    uint32_t c14 = cnt(14);
    reboot();
    cr_assert_eq(cnt(14), c14 + 1);
    cr_assert_eq(wiring().energy_restore, MTR_RESTORE_OK, "the older copy");
    cr_assert(rig_total(&r, MTR_Q_A_IMP) <= before && rig_total(&r, MTR_Q_A_IMP) > 0);
    cr_assert_eq(mtr_events_error(&r.e.ev) & 0x00008002u, 0x00008002u);
    run_fast(20, 60000);
    uint32_t n = read_profile(&r.e.prof[RIG_LP1], ent, 64);
    cr_assert((ent[n - 1].status & MTR_PROFILE_ST_ERR) != 0);
    /* found again at the next start-up: not logged again while the bit is set */
    reboot();
    cr_assert_eq(cnt(14), c14 + 1);

    /* an erased sector in the middle of the load profile (40 h: three of its
     * sectors hold entries) */
    run_fast(400, 360000);
    const struct mtr_store_part_cfg *lp = part_cfg(PART_LP1);
    memset(nvm + (lp->first_sector + 1) * 4096u, 0xFF, 4096);
    reboot_reported("erased sector");
    n = read_profile(&r.e.prof[RIG_LP1], ent, 64);
    for (uint32_t i = 1; i < n; i++) {
        cr_assert(ent[i].utc > ent[i - 1].utc);
    }

    /* the newest register snapshot in a newer format: skipped, the older
     * copy used, reported */
    s = newest_of(PART_ENERGY);
    uint8_t *h = nvm + s.addr + 4;
    h[2] = 2; /* format version 2 */
    put_be32(h + 12 + s.len, mtr_crc32(h, 12u + s.len));
    reboot_reported("newer format");
    struct mtr_store_faults f;
    mtr_store_faults(&r.e.store, &f);
    cr_assert((f.flags & MTR_STORE_FAULT_VERSION) != 0);

    /* random bit flips in committed records of every partition */
    uint64_t seed = 99;
    static const uint16_t ids[] = {PART_ENERGY, PART_DC, PART_EVENTS, PART_QUALITY, PART_LP1,
                                   PART_LOG0 + MTR_EVLOG_STANDARD};
    static struct slot_ref refs[512];
    for (int round = 0; round < 30; round++) {
        uint16_t id = ids[lcg32(&seed) % (sizeof ids / sizeof ids[0])];
        uint32_t k = records_of(id, refs, 512);
        cr_assert(k > 0);
        struct slot_ref t = refs[lcg32(&seed) % k];
        uint32_t off = 4 + lcg32(&seed) % (12u + t.len + 4u); /* header, payload or CRC */
        nvm[t.addr + off] ^= (uint8_t)(1u << (lcg32(&seed) % 8));
        reboot_reported("bit flip");
    }
    rig_free(&r);
}

/* The seed's profiles shipped by the library: every value column names a value the aggregate
 * resolves, and the logical names, periods and capacities are those of profiles.json. */
Test(meter_records, seed_profiles_resolve_every_column)
{
    static const struct {
        uint8_t obis[6];
        uint32_t period_s, capacity;
    } want[MTR_PROFILE_SEED_COUNT] = {
        {{0, 0, 98, 1, 0, 255}, 0, 310},      {{0, 0, 99, 1, 0, 255}, 900, 5760},
        {{0, 0, 99, 2, 0, 255}, 3600, 3484},  {{1, 0, 99, 3, 0, 255}, 86400, 5762},
        {{1, 0, 99, 129, 0, 255}, 600, 1080}, {{1, 0, 99, 130, 0, 255}, 0, 850},
    };
    struct mtr_profile_config pc;
    rig_board_records(&r, D2025_01_06 * DAY_S + 12 * 3600, 0);
    boot();
    rig_run(&r, 3000, 10);
    for (unsigned k = 0; k < MTR_PROFILE_SEED_COUNT; k++) {
        cr_assert_eq(mtr_profile_seed(k, 7, &pc), MTR_OK);
        cr_assert_eq(memcmp(pc.obis, want[k].obis, 6), 0, "profile %u name", k);
        cr_assert_eq(pc.capture_period_s, want[k].period_s, "profile %u period", k);
        cr_assert_eq(pc.capacity, want[k].capacity, "profile %u capacity", k);
        cr_assert_eq(pc.part, 7);
        cr_assert(pc.ncolumns >= 2 && pc.ncolumns <= MTR_CFG_PROFILE_COLUMNS);
        cr_assert_eq(pc.columns[0].kind, MTR_PROFILE_COL_CLOCK, "profile %u starts with the clock", k);
        uint32_t values = 0;
        for (uint8_t c = 0; c < pc.ncolumns; c++) {
            const struct mtr_profile_column *col = &pc.columns[c];
            if (col->kind != MTR_PROFILE_COL_VALUE) {
                continue;
            }
            values++;
            int64_t v;
            cr_assert_eq(mtr_meter_value(&r.e.meter, col->class_id, col->obis, col->attr, &v),
                         MTR_OK, "profile %u column %u (%u.%u.%u) resolves", k, c, col->obis[2],
                         col->obis[3], col->obis[4]);
        }
        cr_assert_eq(mtr_profile_seed_record_size(k), mtr_profile_record_size(values));
    }
    cr_assert_eq(mtr_profile_seed(MTR_PROFILE_SEED_COUNT, 7, &pc), MTR_ERR_RANGE);
    cr_assert_eq(mtr_profile_seed_record_size(MTR_PROFILE_SEED_COUNT), 0u);
}
