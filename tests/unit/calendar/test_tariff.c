/* SPDX-License-Identifier: Apache-2.0 */
/* Tariff registers, DST changes, demand, billing and the saved state. */
#include "cal_test.h"

#include <criterion/criterion.h>

#include "meter/bytes.h"
#include "meter/crc.h"
#include "sim.h"

static struct mtr_tariff tf;
static struct mtr_billing_capture caps[16];
static int64_t cap_max[16];
static int n_caps;
static uint16_t codes[16];
static int n_codes;

static void on_billing(void *user, const struct mtr_billing_capture *c)
{
    (void)user;
    if (n_caps < 16) {
        caps[n_caps] = *c;
        cap_max[n_caps] = c->demand->max[MTR_Q_A_IMP][0].value;
    }
    n_caps++;
}

static void on_ev(void *user, const struct mtr_clock_event *ev)
{
    (void)user;
    if (n_codes < 16) {
        codes[n_codes] = ev->code;
    }
    n_codes++;
}

static struct mtr_tariff_config tcfg(uint32_t period_s, uint8_t periods)
{
    struct mtr_tariff_config c = {
        .demand = {period_s, periods},
        .billing = {.enabled = true, .month = 0, .day = 1, .hour = 0, .minute = 0},
        .on_billing = on_billing,
        .on_event = on_ev};
    return c;
}

static void init_at(mtr_utc_t utc, struct mtr_tariff_config c)
{
    n_caps = 0;
    n_codes = 0;
    struct mtr_clock_view v = view_fixed(utc, 0, 0);
    struct mtr_tariff_sel s = sel_of(1);
    cr_assert_eq(mtr_tariff_init(&tf, &c, &v, &s), MTR_OK);
}

static struct mtr_energy_delta a_imp(int64_t mwh)
{
    struct mtr_energy_delta d;
    memset(&d, 0, sizeof d);
    d.q[MTR_Q_A_IMP] = mwh;
    return d;
}

/* Step at @p utc (zone offset 0, change counter @p seq), tariff 1 next. */
static void step(mtr_utc_t utc, uint32_t seq, int64_t mwh)
{
    struct mtr_clock_view v = view_fixed(utc, 0, seq);
    struct mtr_energy_delta d = a_imp(mwh);
    struct mtr_tariff_sel s = sel_of(1);
    cr_assert_eq(mtr_tariff_step(&tf, &v, &d, &s), MTR_OK);
}

static void assert_sum_exact(const struct mtr_registers *r)
{
    for (unsigned q = 0; q < MTR_Q_COUNT; q++) {
        int64_t sum = 0;
        for (unsigned t = 1; t <= MTR_CFG_TARIFFS; t++) {
            sum += mtr_registers_tariff(r, q, t);
        }
        cr_assert_eq(sum, mtr_registers_total(r, q), "q=%u", q);
    }
}

/* ---------------------------------------------------------------- registers */

Test(registers, every_quantity_total_equals_tariffs_and_bad_input_changes_nothing)
{
    struct mtr_registers r;
    mtr_registers_clear(&r);
    struct mtr_energy_delta d;
    for (unsigned q = 0; q < MTR_Q_COUNT; q++) {
        d.q[q] = 1000 + q;
    }
    for (unsigned t = 0; t < MTR_CFG_TARIFFS; t++) {
        cr_assert_eq(mtr_registers_add(&r, (uint16_t)(1u << t), &d), MTR_OK);
    }
    assert_sum_exact(&r);
    cr_assert_eq(mtr_registers_total(&r, MTR_Q_S_EXP), (int64_t)MTR_CFG_TARIFFS * 1009);
    cr_assert_eq(mtr_registers_tariff(&r, MTR_Q_R_QIII, 3), 1006);
    struct mtr_registers before = r;
    cr_assert_eq(mtr_registers_add(&r, 0x3, &d), MTR_ERR_CALENDAR_TARIFF);
    cr_assert_eq(mtr_registers_add(&r, 0, &d), MTR_ERR_CALENDAR_TARIFF);
    d.q[MTR_Q_R_QII] = -1;
    cr_assert_eq(mtr_registers_add(&r, 1, &d), MTR_ERR_RANGE);
    d.q[MTR_Q_R_QII] = INT64_MAX - 5;
    cr_assert_eq(mtr_registers_add(&r, 1, &d), MTR_ERR_OVERFLOW);
    cr_assert_eq(memcmp(&before, &r, sizeof r), 0);
}

Test(registers, step_rejects_bad_input_and_changes_nothing)
{
    init_at(ut(2026, 1, 1, 12, 0, 0), tcfg(900, 1));
    step(ut(2026, 1, 1, 12, 1, 0), 0, 500);
    struct mtr_tariff before = tf;
    struct mtr_clock_view v = view_fixed(ut(2026, 1, 1, 12, 2, 0), 0, 0);
    struct mtr_energy_delta d = a_imp(-1);
    struct mtr_tariff_sel s = sel_of(2);
    cr_assert_eq(mtr_tariff_step(&tf, &v, &d, &s), MTR_ERR_RANGE);
    d = a_imp(1);
    s.masks.energy = 0;
    cr_assert_eq(mtr_tariff_step(&tf, &v, &d, &s), MTR_ERR_CALENDAR_TARIFF);
    s = sel_of(2);
    s.tariff = 0;
    cr_assert_eq(mtr_tariff_step(&tf, &v, &d, &s), MTR_ERR_CALENDAR_TARIFF);
    cr_assert_eq(memcmp(&before, &tf, sizeof tf), 0);
    cr_assert_eq(mtr_tariff_billing_end(&tf, &v, MTR_BILLING_BY_SCHEDULE), MTR_ERR_INVAL);
    cr_assert_eq(memcmp(&before, &tf, sizeof tf), 0);
}

/* ------------------------------------------------------------ DST changes */

static struct mtr_sim sim;
static struct mtr_hal hal;
static struct mtr_clock clk;
static struct mtr_calendar cal;

/* Clock in CET with the EU rule; calendar: ref_tou plus special day
 * @p y-@p m-@p d using day 4 (00:00 T1, 02:30 T5, 06:00 T2, 21:00 T1). */
static void dst_setup(mtr_utc_t start, int y, int m, int d)
{
    struct mtr_sim_config sc;
    mtr_sim_default_config(&sc);
    sc.utc_start = start;
    cr_assert_eq(mtr_sim_init(&sim, &sc), MTR_OK);
    mtr_sim_hal(&sim, &hal);
    struct mtr_clock_config cc = {.time_zone = -60};
    mtr_dst_eu(&cc.dst);
    cr_assert_eq(mtr_clock_init(&clk, &hal, &cc), MTR_OK);
    mtr_calendar_init(&cal, NULL);
    struct mtr_tou t;
    ref_tou(&t);
    cr_assert_eq(mtr_calendar_set_active(&cal, &t), MTR_OK);
    struct mtr_special_day sd = {
        .index = 1, .year = (uint16_t)y, .month = (uint8_t)m, .day = (uint8_t)d, .day_id = 4};
    cr_assert_eq(mtr_calendar_special_set(&cal, &sd), MTR_OK);
    struct mtr_clock_view v;
    cr_assert_eq(mtr_clock_now(&clk, &v), MTR_OK);
    struct mtr_tariff_sel s;
    mtr_calendar_decide(&cal, &v, 0, &s);
    struct mtr_tariff_config c = tcfg(900, 1);
    c.on_billing = NULL;
    cr_assert_eq(mtr_tariff_init(&tf, &c, &v, &s), MTR_OK);
}

/* Oracle: day 4's tariff at the local wall time of @p utc, by libc TZ rules. */
static unsigned oracle_day4(mtr_utc_t utc)
{
    setenv("TZ", "CET-1CEST,M3.5.0/2,M10.5.0/3", 1);
    tzset();
    time_t tt = (time_t)utc;
    struct tm tm;
    localtime_r(&tt, &tm);
    int min = tm.tm_hour * 60 + tm.tm_min;
    return min < 150 ? 1 : min < 360 ? 5 : min < 1260 ? 2 : 1;
}

/* Run minute steps from @p from for @p minutes, 1000 mWh a minute, and check
 * every register against the oracle. */
static void run_minutes(mtr_utc_t from, int minutes)
{
    int64_t want[MTR_CFG_TARIFFS + 1] = {0};
    unsigned cur = oracle_day4(from);
    struct mtr_registers r0 = *mtr_tariff_registers(&tf);
    for (int i = 1; i <= minutes; i++) {
        mtr_sim_advance(&sim, 60000);
        struct mtr_clock_view v;
        cr_assert_eq(mtr_clock_now(&clk, &v), MTR_OK);
        struct mtr_tariff_sel s;
        mtr_calendar_decide(&cal, &v, 0, &s);
        struct mtr_energy_delta d = a_imp(1000);
        cr_assert_eq(mtr_tariff_step(&tf, &v, &d, &s), MTR_OK);
        want[cur] += 1000;
        cur = oracle_day4(v.utc);
        cr_assert_eq(s.tariff, cur, "minute %d", i);
    }
    const struct mtr_registers *r = mtr_tariff_registers(&tf);
    cr_assert_eq(r->total[MTR_Q_A_IMP] - r0.total[MTR_Q_A_IMP], (int64_t)minutes * 1000);
    for (unsigned t = 1; t <= MTR_CFG_TARIFFS; t++) {
        cr_assert_eq(mtr_registers_tariff(r, MTR_Q_A_IMP, t) -
                         mtr_registers_tariff(&r0, MTR_Q_A_IMP, t),
                     want[t], "T%u", t);
    }
    assert_sum_exact(r);
}

Test(dst, autumn_repeated_hour_counts_nothing_twice)
{
    /* 2026-10-25, EU: 03:00 CEST -> 02:00 CET at 01:00 UTC; the 02:30
     * switching point happens twice, energy is counted once. */
    dst_setup(ut(2026, 10, 24, 22, 0, 0), 2026, 10, 25);
    run_minutes(ut(2026, 10, 24, 22, 0, 0), 300);
    const struct mtr_registers *r = mtr_tariff_registers(&tf);
    /* the run ends at 03:00 UTC = 04:00 CET; T5 ran 02:30-03:00 CEST and
     * 02:30-04:00 CET: 30 + 90 minutes */
    cr_assert_eq(mtr_registers_tariff(r, MTR_Q_A_IMP, 5), 120 * 1000);
    mtr_sim_free(&sim);
}

Test(dst, spring_skipped_hour_switching_point_takes_effect_at_jump)
{
    /* 2026-03-29, EU: 02:00 CET -> 03:00 CEST at 01:00 UTC; 02:30 never
     * occurs, its switching point (T5) takes effect at the jump. */
    dst_setup(ut(2026, 3, 29, 0, 0, 0), 2026, 3, 29);
    run_minutes(ut(2026, 3, 29, 0, 0, 0), 59);
    struct mtr_clock_view v;
    mtr_sim_advance(&sim, 60000);
    cr_assert_eq(mtr_clock_now(&clk, &v), MTR_OK);
    cr_assert(v.local.hour == 3 && v.local.minute == 0);
    struct mtr_tariff_sel s;
    mtr_calendar_decide(&cal, &v, 0, &s);
    cr_assert_eq(s.tariff, 5);
    mtr_sim_free(&sim);
}

Test(dst, us_rule_spring_and_autumn)
{
    /* New York: EST5EDT, 2026-03-08 and 2026-11-01 at 02:00 local. */
    struct mtr_dst_config d;
    mtr_dst_us(&d);
    cr_assert(!mtr_dst_active(&d, -5 * 3600, ut(2026, 3, 8, 6, 59, 59)));
    cr_assert(mtr_dst_active(&d, -5 * 3600, ut(2026, 3, 8, 7, 0, 0)));
    cr_assert(mtr_dst_active(&d, -5 * 3600, ut(2026, 11, 1, 5, 59, 59)));
    cr_assert(!mtr_dst_active(&d, -5 * 3600, ut(2026, 11, 1, 6, 0, 0)));
}

/* ------------------------------------------------------------------ demand */

Test(demand, settings_checked)
{
    struct mtr_demand_config bad[] = {
        {30, 1}, {3660, 1}, {90, 1}, {900, 0}, {900, MTR_CFG_CALENDAR_DEMAND_WINDOW + 1}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_assert_eq(mtr_demand_check(&bad[i]), MTR_ERR_CALENDAR_PERIOD);
        struct mtr_tariff_config c = tcfg(bad[i].period_s, bad[i].periods);
        struct mtr_clock_view v = view_fixed(ut(2026, 1, 1, 0, 0, 0), 0, 0);
        struct mtr_tariff_sel s = sel_of(1);
        memset(&tf, 0x5A, sizeof tf);
        struct mtr_tariff copy = tf;
        cr_assert_eq(mtr_tariff_init(&tf, &c, &v, &s), MTR_ERR_CALENDAR_PERIOD);
        cr_assert_eq(memcmp(&copy, &tf, sizeof tf), 0);
    }
    struct mtr_demand_config ok[] = {{60, 1}, {3600, 1}, {900, MTR_CFG_CALENDAR_DEMAND_WINDOW}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        cr_assert_eq(mtr_demand_check(&ok[i]), MTR_OK);
    }
    struct mtr_tariff_config c = tcfg(900, 1);
    c.billing.day = 32;
    struct mtr_clock_view v = view_fixed(ut(2026, 1, 1, 0, 0, 0), 0, 0);
    struct mtr_tariff_sel s = sel_of(1);
    cr_assert_eq(mtr_tariff_init(&tf, &c, &v, &s), MTR_ERR_CALENDAR_PERIOD);
}

/* 6 kW for one minute = 100 Wh = 100000 mWh. */
#define KW6_MIN 100000

Test(demand, block_average_maximum_and_timestamp)
{
    init_at(ut(2026, 1, 1, 12, 0, 0), tcfg(900, 1));
    for (int i = 1; i <= 15; i++) {
        step(ut(2026, 1, 1, 12, i, 0), 0, KW6_MIN);
        if (i == 5) {
            /* class 5 current_average: energy so far over the whole period */
            cr_assert_eq(mtr_demand_current(mtr_tariff_demand(&tf), MTR_Q_A_IMP), 2000000);
        }
    }
    const struct mtr_demand *dm = mtr_tariff_demand(&tf);
    cr_assert_eq(dm->last_avg[MTR_Q_A_IMP], 6000000); /* mW */
    cr_assert_eq(dm->last_status, 0);
    cr_assert_eq(dm->last_time, ut(2026, 1, 1, 12, 15, 0));
    cr_assert_eq(dm->max[MTR_Q_A_IMP][1].value, 6000000);
    cr_assert_eq(dm->max[MTR_Q_A_IMP][1].time, ut(2026, 1, 1, 12, 15, 0));
    cr_assert_eq(dm->max[MTR_Q_A_IMP][0].value, 6000000);
    cr_assert_eq(dm->max[MTR_Q_A_IMP][2].value, 0);
    cr_assert_eq(mtr_tariff_next_deadline(&tf), ut(2026, 1, 1, 12, 30, 0));
}

Test(demand, period_cut_by_clock_change_is_flagged_not_counted)
{
    init_at(ut(2026, 1, 1, 12, 0, 0), tcfg(900, 1));
    for (int i = 1; i <= 7; i++) {
        step(ut(2026, 1, 1, 12, i, 0), 0, 2 * KW6_MIN);
    }
    step(ut(2026, 1, 1, 12, 7, 30), 1, 2 * KW6_MIN); /* clock shifted: seq 0 -> 1 */
    const struct mtr_demand *dm = mtr_tariff_demand(&tf);
    cr_assert(dm->last_status & MTR_DEMAND_ST_CLOCK);
    cr_assert(dm->last_status & MTR_DEMAND_ST_SHORT);
    for (int i = 8; i <= 15; i++) {
        step(ut(2026, 1, 1, 12, i, 0), 1, 2 * KW6_MIN);
    }
    /* the rest of the period started off-boundary: flagged as well */
    cr_assert(dm->last_status & MTR_DEMAND_ST_SHORT);
    cr_assert_eq(dm->max[MTR_Q_A_IMP][0].value, 0);
    cr_assert_eq(dm->full_periods, 0);
    cr_assert_eq(dm->short_periods, 2);
    for (int i = 16; i <= 30; i++) {
        step(ut(2026, 1, 1, 12, i, 0), 1, KW6_MIN);
    }
    cr_assert_eq(dm->last_status, 0);
    cr_assert_eq(dm->max[MTR_Q_A_IMP][0].value, 6000000);
}

Test(demand, power_cut_and_gap_are_flagged)
{
    init_at(ut(2026, 1, 1, 12, 0, 0), tcfg(900, 1));
    step(ut(2026, 1, 1, 12, 5, 0), 0, 9 * KW6_MIN);
    struct mtr_clock_view v = view_fixed(ut(2026, 1, 1, 12, 10, 0), 0, 0);
    mtr_tariff_power_restored(&tf, &v);
    const struct mtr_demand *dm = mtr_tariff_demand(&tf);
    cr_assert(dm->last_status & MTR_DEMAND_ST_POWER);
    step(ut(2026, 1, 1, 12, 15, 0), 0, KW6_MIN);
    cr_assert(dm->last_status & MTR_DEMAND_ST_SHORT);
    step(ut(2026, 1, 1, 12, 50, 0), 0, 99 * KW6_MIN); /* no step for 35 min */
    cr_assert(dm->last_status & MTR_DEMAND_ST_GAP);
    cr_assert_eq(dm->max[MTR_Q_A_IMP][0].value, 0);
}

Test(demand, sliding_window)
{
    init_at(ut(2026, 1, 1, 12, 0, 0), tcfg(300, 3));
    const struct mtr_demand *dm = mtr_tariff_demand(&tf);
    int kw[] = {3, 6, 9, 12, 3};
    int64_t want_last[] = {-1, -1, 6000000, 9000000, 8000000};
    for (int p = 0; p < 5; p++) {
        for (int m = 1; m <= 5; m++) {
            step(ut(2026, 1, 1, 12, p * 5 + m, 0), 0, kw[p] * KW6_MIN / 6);
        }
        if (want_last[p] >= 0) {
            cr_assert_eq(dm->last_avg[MTR_Q_A_IMP], want_last[p], "p=%d", p);
            cr_assert_eq(dm->last_status, 0);
        } else {
            cr_assert(dm->last_status & MTR_DEMAND_ST_SHORT);
        }
    }
    cr_assert_eq(dm->max[MTR_Q_A_IMP][0].value, 9000000);
    cr_assert_eq(dm->max[MTR_Q_A_IMP][0].time, ut(2026, 1, 1, 12, 20, 0));
    cr_assert_eq(dm->full_periods, 3);
}

Test(demand, maximum_per_demand_tariff)
{
    init_at(ut(2026, 1, 1, 12, 0, 0), tcfg(900, 1));
    struct mtr_tariff_sel t2 = sel_of(2);
    for (int i = 1; i <= 30; i++) {
        struct mtr_clock_view v = view_fixed(ut(2026, 1, 1, 12, i, 0), 0, 0);
        struct mtr_energy_delta d = a_imp(i <= 15 ? KW6_MIN : 2 * KW6_MIN);
        cr_assert_eq(mtr_tariff_step(&tf, &v, &d, &t2), MTR_OK);
    }
    const struct mtr_demand *dm = mtr_tariff_demand(&tf);
    /* first step ran under T1, all later ones under T2 */
    cr_assert_eq(dm->max[MTR_Q_A_IMP][2].value, 12000000);
    cr_assert_eq(dm->max[MTR_Q_A_IMP][0].value, 12000000);
}

/* ------------------------------------------------------------------ billing */

Test(billing, year_end_closes_once_and_resets_maxima)
{
    init_at(ut(2026, 12, 31, 23, 0, 0), tcfg(900, 1));
    for (int i = 1; i <= 8; i++) {
        step(ut(2026, 12, 31, 23, 0, 0) + i * 900, 0, KW6_MIN * 15);
    }
    cr_assert_eq(n_caps, 1);
    cr_assert_eq(caps[0].period, 1);
    cr_assert_eq(caps[0].cause, MTR_BILLING_BY_SCHEDULE);
    cr_assert_eq(caps[0].boundary_local, ut(2027, 1, 1, 0, 0, 0));
    cr_assert_eq(caps[0].utc, ut(2027, 1, 1, 0, 0, 0));
    cr_assert_eq(cap_max[0], 6000000); /* maxima captured before their reset */
    cr_assert_eq(n_codes, 1);
    cr_assert_eq(codes[0], 223); /* seed: regular billing capture */
    const struct mtr_demand *dm = mtr_tariff_demand(&tf);
    cr_assert_eq(dm->cumulative[MTR_Q_A_IMP][0], 6000000);
    cr_assert_eq(mtr_tariff_billing_count(&tf), 1);
    /* back across the boundary and forward again: not closed twice */
    step(ut(2026, 12, 31, 23, 50, 0), 1, 0);
    step(ut(2027, 1, 1, 0, 10, 0), 1, 0);
    step(ut(2027, 1, 1, 0, 20, 0), 1, 0);
    cr_assert_eq(n_caps, 1);
}

Test(billing, forward_jump_across_boundaries_closes_once)
{
    init_at(ut(2027, 1, 15, 0, 0, 0), tcfg(900, 1));
    step(ut(2027, 5, 15, 0, 0, 0), 1, 10);
    cr_assert_eq(n_caps, 1);
    cr_assert_eq(caps[0].boundary_local, ut(2027, 5, 1, 0, 0, 0));
    step(ut(2027, 5, 15, 0, 15, 0), 1, 10);
    cr_assert_eq(n_caps, 1);
}

Test(billing, day_31_schedule_ends_on_leap_day)
{
    struct mtr_tariff_config c = tcfg(900, 1);
    c.billing.day = 31;
    c.billing.hour = 23;
    c.billing.minute = 30;
    init_at(ut(2028, 2, 28, 0, 0, 0), c);
    mtr_utc_t t = ut(2028, 2, 28, 0, 0, 0);
    for (int i = 0; i < 96 * 2; i++) {
        t += 900;
        step(t, 0, 1);
    }
    cr_assert_eq(n_caps, 1);
    cr_assert_eq(caps[0].boundary_local, ut(2028, 2, 29, 23, 30, 0));
}

Test(billing, yearly_schedule_and_local_time)
{
    struct mtr_tariff_config c = tcfg(900, 1);
    c.billing.month = 7;
    init_at(ut(2026, 6, 30, 21, 0, 0), c);
    /* CEST (+2 h): local midnight of 1 July is 22:00 UTC on 30 June */
    struct mtr_clock_view v = view_fixed(ut(2026, 6, 30, 21, 59, 59), 7200, 0);
    struct mtr_energy_delta d = a_imp(0);
    struct mtr_tariff_sel s = sel_of(1);
    cr_assert_eq(mtr_tariff_step(&tf, &v, &d, &s), MTR_OK);
    cr_assert_eq(n_caps, 0);
    v = view_fixed(ut(2026, 6, 30, 22, 0, 0), 7200, 0);
    cr_assert_eq(mtr_tariff_step(&tf, &v, &d, &s), MTR_OK);
    cr_assert_eq(n_caps, 1);
    v = view_fixed(ut(2026, 8, 30, 22, 0, 0), 7200, 0);
    cr_assert_eq(mtr_tariff_step(&tf, &v, &d, &s), MTR_OK);
    cr_assert_eq(n_caps, 1);
}

Test(billing, command_and_button)
{
    init_at(ut(2026, 1, 10, 0, 0, 0), tcfg(900, 1));
    struct mtr_clock_view v = view_fixed(ut(2026, 1, 10, 1, 0, 0), 0, 0);
    cr_assert_eq(mtr_tariff_billing_end(&tf, &v, MTR_BILLING_BY_COMMAND), MTR_OK);
    cr_assert_eq(mtr_tariff_billing_end(&tf, &v, MTR_BILLING_BY_BUTTON), MTR_OK);
    cr_assert_eq(n_caps, 2);
    cr_assert(caps[0].period == 1 && caps[1].period == 2);
    cr_assert(codes[0] == 209 && codes[1] == 210); /* seed: remote / manual billing capture */
}

Test(billing, invalid_clock_defers_the_schedule)
{
    init_at(ut(2026, 1, 31, 23, 0, 0), tcfg(900, 1));
    struct mtr_clock_view v = view_fixed(ut(2026, 2, 1, 0, 30, 0), 0, 0);
    v.status = MTR_CLOCK_ST_INVALID;
    struct mtr_energy_delta d = a_imp(0);
    struct mtr_tariff_sel s = sel_of(1);
    cr_assert_eq(mtr_tariff_step(&tf, &v, &d, &s), MTR_OK);
    cr_assert_eq(n_caps, 0);
    cr_assert(mtr_tariff_demand(&tf)->flags & MTR_DEMAND_ST_INVALID);
    v = view_fixed(ut(2026, 2, 1, 0, 40, 0), 0, 1);
    cr_assert_eq(mtr_tariff_step(&tf, &v, &d, &s), MTR_OK);
    cr_assert_eq(n_caps, 1);
}

Test(billing, a_new_schedule_never_ends_a_period_in_the_past)
{
    struct mtr_billing_schedule got, want = {.enabled = true, .month = 0, .day = 15, .hour = 6, .minute = 30};
    init_at(ut(2026, 3, 20, 0, 0, 0), tcfg(900, 1));
    mtr_tariff_billing_schedule(&tf, &got);
    cr_assert(got.enabled && got.month == 0 && got.day == 1 && got.hour == 0 && got.minute == 0);
    struct mtr_clock_view v = view_fixed(ut(2026, 3, 20, 0, 0, 0), 0, 0);
    cr_assert_eq(mtr_tariff_set_billing(&tf, &want, &v), MTR_OK);
    mtr_tariff_billing_schedule(&tf, &got);
    cr_assert_eq(memcmp(&got, &want, sizeof got), 0);
    /* 15 March 06:30 is past: not closed; 1 April (old schedule) is no boundary now */
    step(ut(2026, 3, 20, 0, 15, 0), 0, 10);
    step(ut(2026, 4, 2, 0, 0, 0), 1, 10);
    cr_assert_eq(n_caps, 0);
    step(ut(2026, 4, 15, 6, 29, 0), 1, 10);
    cr_assert_eq(n_caps, 0);
    step(ut(2026, 4, 15, 6, 30, 0), 1, 10);
    cr_assert_eq(n_caps, 1);
    cr_assert_eq(caps[0].boundary_local, ut(2026, 4, 15, 6, 30, 0));

    /* refused schedules change nothing */
    struct mtr_billing_schedule bad[] = {{true, 13, 1, 0, 0}, {true, 0, 0, 0, 0}, {true, 0, 32, 0, 0},
                                         {true, 0, 1, 24, 0}, {true, 0, 1, 0, 60}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct mtr_tariff before = tf;
        cr_assert_eq(mtr_tariff_set_billing(&tf, &bad[i], &v), MTR_ERR_CALENDAR_PERIOD, "i=%zu", i);
        cr_assert_eq(memcmp(&before, &tf, sizeof tf), 0);
    }
    /* disabled: no end by schedule */
    struct mtr_billing_schedule off = want;
    off.enabled = false;
    v = view_fixed(ut(2026, 4, 20, 0, 0, 0), 0, 1);
    cr_assert_eq(mtr_tariff_set_billing(&tf, &off, &v), MTR_OK);
    step(ut(2026, 6, 1, 0, 0, 0), 1, 10);
    cr_assert_eq(n_caps, 1);
    /* enabled again later: the boundaries passed meanwhile are not closed */
    v = view_fixed(ut(2026, 6, 1, 0, 0, 0), 0, 1);
    cr_assert_eq(mtr_tariff_set_billing(&tf, &want, &v), MTR_OK);
    step(ut(2026, 6, 1, 0, 15, 0), 1, 10);
    cr_assert_eq(n_caps, 1);
    step(ut(2026, 6, 15, 6, 30, 0), 1, 10);
    cr_assert_eq(n_caps, 2);
}

Test(demand, new_settings_apply_from_the_end_of_the_running_sub_period)
{
    init_at(ut(2026, 1, 1, 12, 0, 0), tcfg(900, 1));
    const struct mtr_demand *dm = mtr_tariff_demand(&tf);
    struct mtr_demand_config got, want = {300, 3};
    for (int i = 1; i <= 5; i++) {
        step(ut(2026, 1, 1, 12, i, 0), 0, KW6_MIN);
    }
    cr_assert_eq(mtr_tariff_set_demand(&tf, &want), MTR_OK);
    mtr_tariff_demand_config(&tf, &got);
    cr_assert(got.period_s == 300 && got.periods == 3, "reads the settings written");
    cr_assert(dm->cfg.period_s == 900 && dm->cfg.periods == 1, "the running sub-period keeps its own");
    cr_assert_eq(mtr_tariff_next_deadline(&tf), ut(2026, 1, 1, 12, 15, 0));
    for (int i = 6; i <= 15; i++) {
        step(ut(2026, 1, 1, 12, i, 0), 0, KW6_MIN);
    }
    /* the 900 s sub-period ended whole and counted: 6 kW */
    cr_assert_eq(dm->last_avg[MTR_Q_A_IMP], 6000000);
    cr_assert_eq(dm->last_status, 0);
    cr_assert_eq(dm->max[MTR_Q_A_IMP][0].value, 6000000);
    cr_assert(dm->cfg.period_s == 300 && dm->cfg.periods == 3, "in force from 12:15");
    cr_assert_eq(mtr_tariff_next_deadline(&tf), ut(2026, 1, 1, 12, 20, 0));
    cr_assert_eq(dm->ring_n, 0, "the window restarts empty");
    /* three 5-minute sub-periods fill the new window: 3, 6, 9 kW -> 6 kW */
    int kw[] = {3, 6, 9};
    for (int p = 0; p < 3; p++) {
        for (int m = 1; m <= 5; m++) {
            step(ut(2026, 1, 1, 12, 15 + p * 5 + m, 0), 0, kw[p] * KW6_MIN / 6);
        }
    }
    cr_assert_eq(dm->last_avg[MTR_Q_A_IMP], 6000000);
    cr_assert_eq(dm->last_status, 0);
    cr_assert_eq(dm->last_time, ut(2026, 1, 1, 12, 30, 0));

    /* a boundary the new period does not share: the first sub-period is flagged short */
    struct mtr_demand_config hour = {3600, 1};
    cr_assert_eq(mtr_tariff_set_demand(&tf, &hour), MTR_OK);
    uint32_t shorts = dm->short_periods;
    step(ut(2026, 1, 1, 12, 35, 0), 0, KW6_MIN);
    cr_assert_eq(dm->cfg.period_s, 3600);
    cr_assert_eq(mtr_tariff_next_deadline(&tf), ut(2026, 1, 1, 13, 0, 0));
    for (int m = 36; m <= 60; m++) {
        step(ut(2026, 1, 1, 12, m, 0), 0, KW6_MIN);
    }
    cr_assert_eq(dm->short_periods, shorts + 1);
    cr_assert(dm->last_status & MTR_DEMAND_ST_SHORT);

    /* refused settings change nothing; setting what is in force cancels a pending change */
    struct mtr_demand_config bad[] = {{30, 1}, {90, 1}, {900, 0}, {900, MTR_CFG_CALENDAR_DEMAND_WINDOW + 1}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct mtr_tariff before = tf;
        cr_assert_eq(mtr_tariff_set_demand(&tf, &bad[i]), MTR_ERR_CALENDAR_PERIOD);
        cr_assert_eq(memcmp(&before, &tf, sizeof tf), 0);
    }
    cr_assert_eq(mtr_tariff_set_demand(&tf, &want), MTR_OK);
    cr_assert_eq(mtr_tariff_set_demand(&tf, &hour), MTR_OK);
    for (int m = 1; m <= 60; m++) {
        step(ut(2026, 1, 1, 13, m, 0), 0, KW6_MIN);
    }
    cr_assert_eq(dm->cfg.period_s, 3600);
    cr_assert_eq(dm->last_status, 0, "a whole hour, counted");
    cr_assert_eq(dm->last_avg[MTR_Q_A_IMP], 6000000);
}

/* ------------------------------------------------------------ saved state */

Test(state, settings_are_saved_and_a_version_1_state_still_loads)
{
    init_at(ut(2026, 5, 10, 0, 0, 0), tcfg(900, 1));
    struct mtr_billing_schedule bs = {.enabled = true, .month = 7, .day = 31, .hour = 23, .minute = 45};
    struct mtr_demand_config dc = {1800, 2};
    struct mtr_clock_view v = view_fixed(ut(2026, 5, 10, 0, 0, 0), 0, 0);
    cr_assert_eq(mtr_tariff_set_billing(&tf, &bs, &v), MTR_OK);
    cr_assert_eq(mtr_tariff_set_demand(&tf, &dc), MTR_OK); /* still pending: saved as written */
    step(ut(2026, 5, 10, 0, 5, 0), 0, 1000);
    uint8_t buf[MTR_TARIFF_STATE_SIZE];
    size_t len = 0;
    cr_assert_eq(mtr_tariff_save(&tf, buf, sizeof buf, &len), MTR_OK);
    cr_assert_eq(len, MTR_TARIFF_STATE_SIZE);
    cr_assert_eq(buf[3], 2, "version 2");
    int64_t last = tf.billing_last;

    /* a restart with the factory settings: the saved ones come back */
    init_at(ut(2026, 5, 10, 1, 0, 0), tcfg(900, 1));
    const uint8_t *p = buf;
    cr_assert_eq(mtr_tariff_load(&tf, &p, buf + len), MTR_OK);
    struct mtr_billing_schedule gb;
    struct mtr_demand_config gd;
    mtr_tariff_billing_schedule(&tf, &gb);
    mtr_tariff_demand_config(&tf, &gd);
    cr_assert_eq(memcmp(&gb, &bs, sizeof gb), 0);
    cr_assert(gd.period_s == 1800 && gd.periods == 2);
    cr_assert_eq(tf.billing_last, last);
    step(ut(2026, 5, 10, 1, 10, 0), 0, 1000);
    cr_assert_eq(tf.dm.cfg.period_s, 1800, "in force after the restart");
    cr_assert_eq(mtr_tariff_next_deadline(&tf), ut(2026, 5, 10, 1, 30, 0));

    /* settings the setters refuse, under a valid CRC: refused whole */
    struct mtr_tariff fresh = tf;
    static const size_t at[] = {MTR_TARIFF_STATE_V1_SIZE - 4, MTR_TARIFF_STATE_V1_SIZE - 3,
                                MTR_TARIFF_STATE_V1_SIZE - 2, MTR_TARIFF_STATE_V1_SIZE + 4};
    static const uint8_t val[] = {2, 13, 0, 0};
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        uint8_t bad[sizeof buf];
        memcpy(bad, buf, len);
        bad[at[i]] = val[i];
        uint32_t crc = mtr_crc32(bad, len - 4);
        mtr_put_be32(bad + len - 4, crc);
        p = bad;
        cr_assert_eq(mtr_tariff_load(&tf, &p, bad + len), MTR_ERR_DECODE, "i=%zu", i);
        cr_assert_eq(memcmp(&fresh, &tf, sizeof tf), 0);
    }

    /* a version 1 state (as written before the settings were saved) keeps the settings in force */
    uint8_t v1[MTR_TARIFF_STATE_V1_SIZE];
    memcpy(v1, buf, MTR_TARIFF_STATE_V1_SIZE - 4);
    v1[3] = 1;
    mtr_put_be32(v1 + sizeof v1 - 4, mtr_crc32(v1, sizeof v1 - 4));
    init_at(ut(2026, 5, 10, 2, 0, 0), tcfg(600, 1));
    p = v1;
    cr_assert_eq(mtr_tariff_load(&tf, &p, v1 + sizeof v1), MTR_OK);
    cr_assert_eq(p, v1 + sizeof v1);
    mtr_tariff_billing_schedule(&tf, &gb);
    mtr_tariff_demand_config(&tf, &gd);
    cr_assert(gb.enabled && gb.month == 0 && gb.day == 1, "the schedule of the configuration");
    cr_assert(gd.period_s == 600 && gd.periods == 1);
    cr_assert_eq(mtr_registers_total(mtr_tariff_registers(&tf), MTR_Q_A_IMP), 1000);
}

Test(state, round_trip_and_every_corruption_rejected)
{
    init_at(ut(2026, 12, 31, 23, 0, 0), tcfg(900, 1));
    for (int i = 1; i <= 8; i++) {
        step(ut(2026, 12, 31, 23, 0, 0) + i * 900, 0, KW6_MIN * 15 + i);
    }
    uint8_t buf[MTR_TARIFF_STATE_SIZE + 8];
    size_t len = 0;
    cr_assert_eq(mtr_tariff_save(&tf, buf, MTR_TARIFF_STATE_SIZE - 1, &len), MTR_ERR_OVERFLOW);
    cr_assert_eq(mtr_tariff_save(&tf, buf, sizeof buf, &len), MTR_OK);
    cr_assert_eq(len, mtr_tariff_state_size());
    struct mtr_tariff saved = tf;
    init_at(ut(2027, 1, 1, 2, 0, 0), tcfg(900, 1));
    struct mtr_tariff fresh = tf;
    /* every prefix: short */
    for (size_t n = 0; n < len; n++) {
        const uint8_t *p = buf;
        mtr_err_t e = mtr_tariff_load(&tf, &p, buf + n);
        cr_assert(e == MTR_ERR_DECODE, "n=%zu e=%d", n, e);
        cr_assert(p == buf && memcmp(&fresh, &tf, sizeof tf) == 0);
    }
    /* every byte flipped: header or CRC */
    for (size_t i = 0; i < len; i++) {
        buf[i] ^= 0x40;
        const uint8_t *p = buf;
        mtr_err_t e = mtr_tariff_load(&tf, &p, buf + len);
        cr_assert(e == (i < 8 ? MTR_ERR_CALENDAR_VERSION : MTR_ERR_CRC), "i=%zu e=%d", i, e);
        cr_assert_eq(memcmp(&fresh, &tf, sizeof tf), 0);
        buf[i] ^= 0x40;
    }
    /* a consistent CRC over inconsistent content */
    uint8_t bad[sizeof buf];
    memcpy(bad, buf, len);
    bad[8 + 7] ^= 1; /* total of +A no longer the sum of its tariffs */
    uint32_t crc = mtr_crc32(bad, len - 4);
    bad[len - 4] = (uint8_t)(crc >> 24);
    bad[len - 3] = (uint8_t)(crc >> 16);
    bad[len - 2] = (uint8_t)(crc >> 8);
    bad[len - 1] = (uint8_t)crc;
    const uint8_t *p = bad;
    cr_assert_eq(mtr_tariff_load(&tf, &p, bad + len), MTR_ERR_DECODE);
    cr_assert_eq(memcmp(&fresh, &tf, sizeof tf), 0);
    p = buf;
    cr_assert_eq(mtr_tariff_load(&tf, &p, buf + len), MTR_OK);
    cr_assert_eq(p, buf + len);
    cr_assert_eq(memcmp(&tf.reg, &saved.reg, sizeof tf.reg), 0);
    cr_assert_eq(mtr_tariff_billing_count(&tf), 1);
    cr_assert_eq(memcmp(tf.dm.cumulative, saved.dm.cumulative, sizeof tf.dm.cumulative), 0);
    /* the boundary closed before the cut is not closed again after it */
    step(ut(2027, 1, 1, 2, 15, 0), 0, 0);
    cr_assert_eq(mtr_tariff_billing_count(&tf), 1);
}

/* ------------------------------------------- methods of the demand objects */

/* Each refused call of a demand method leaves the engine byte for byte as it was. */
static void methods_refused(void)
{
    struct mtr_clock_view bad[3];
    bad[0] = view_fixed(tf.last_utc, 0, tf.seen_seq);
    bad[0].status = MTR_CLOCK_ST_INVALID;
    bad[1] = view_fixed(tf.last_utc, 0, tf.seen_seq);
    bad[1].utc = MTR_UTC_MIN - 1;
    bad[2] = view_fixed(tf.last_utc, 0, tf.seen_seq);
    bad[2].utc = MTR_UTC_MAX + 1;
    const mtr_err_t want[3] = {MTR_ERR_STATE, MTR_ERR_RANGE, MTR_ERR_RANGE};
    struct mtr_clock_view ok = view_fixed(tf.last_utc, 0, tf.seen_seq);
    static struct mtr_tariff before;
    before = tf;
    for (int k = 0; k < 3; k++) {
        cr_assert_eq(mtr_tariff_max_reset(&tf, 0, 0, &bad[k]), want[k], "k=%d", k);
        cr_assert_eq(mtr_tariff_demand_reset(&tf, &bad[k]), want[k], "k=%d", k);
        cr_assert_eq(mtr_tariff_demand_next_period(&tf, &bad[k]), want[k], "k=%d", k);
        cr_assert_eq(memcmp(&before, &tf, sizeof tf), 0, "k=%d", k);
    }
    cr_assert_eq(mtr_tariff_max_reset(&tf, MTR_DEMAND_QUANTITIES, 0, &ok), MTR_ERR_RANGE);
    cr_assert_eq(mtr_tariff_max_reset(&tf, 0, MTR_CFG_TARIFFS + 1, &ok), MTR_ERR_RANGE);
    cr_assert_eq(mtr_tariff_max_reset(&tf, UINT32_MAX, UINT32_MAX, &ok), MTR_ERR_RANGE);
    cr_assert_eq(memcmp(&before, &tf, sizeof tf), 0);
}

Test(demand_methods, max_reset_clears_one_maximum)
{
    init_at(ut(2026, 1, 1, 12, 0, 0), tcfg(900, 1));
    const struct mtr_demand *dm = mtr_tariff_demand(&tf);
    for (int i = 1; i <= 16; i++) {
        step(ut(2026, 1, 1, 12, i, 0), 0, KW6_MIN);
    }
    cr_assert_eq(dm->max[MTR_Q_A_IMP][1].value, 6000000);
    methods_refused();

    /* T1 of +A: back to 0 at the time of the reset; the maximum of any tariff stays */
    struct mtr_clock_view v = view_fixed(ut(2026, 1, 1, 12, 16, 0), 0, 0);
    cr_assert_eq(mtr_tariff_max_reset(&tf, MTR_Q_A_IMP, 1, &v), MTR_OK);
    cr_assert_eq(dm->max[MTR_Q_A_IMP][1].value, 0);
    cr_assert_eq(dm->max[MTR_Q_A_IMP][1].time, ut(2026, 1, 1, 12, 16, 0));
    cr_assert_eq(dm->max[MTR_Q_A_IMP][0].value, 6000000);
    cr_assert_eq(dm->max[MTR_Q_A_IMP][0].time, ut(2026, 1, 1, 12, 15, 0));
    cr_assert_eq(dm->last_avg[MTR_Q_A_IMP], 6000000, "the demand itself is not reset");
    /* the last quantity and the last tariff are valid registers */
    cr_assert_eq(mtr_tariff_max_reset(&tf, MTR_DEMAND_QUANTITIES - 1, MTR_CFG_TARIFFS, &v), MTR_OK);
    cr_assert_eq(dm->max[MTR_DEMAND_QUANTITIES - 1][MTR_CFG_TARIFFS].time, v.utc);

    /* the next full window above 0 makes a new maximum */
    for (int i = 17; i <= 30; i++) {
        step(ut(2026, 1, 1, 12, i, 0), 0, KW6_MIN / 2);
    }
    cr_assert_eq(dm->max[MTR_Q_A_IMP][1].value, 3200000, "1 min of 6 kW, 14 min of 3 kW");
    cr_assert_eq(dm->max[MTR_Q_A_IMP][1].time, ut(2026, 1, 1, 12, 30, 0));
    cr_assert_eq(dm->max[MTR_Q_A_IMP][0].value, 6000000);

    /* a window that ended before the reset (not stepped yet) is closed first and reset with it */
    for (int i = 31; i <= 44; i++) {
        step(ut(2026, 1, 1, 12, i, 0), 0, KW6_MIN * 3 / 2);
    }
    v = view_fixed(ut(2026, 1, 1, 12, 45, 0), 0, 0);
    cr_assert_eq(mtr_tariff_max_reset(&tf, MTR_Q_A_IMP, 1, &v), MTR_OK);
    cr_assert_eq(dm->max[MTR_Q_A_IMP][1].value, 0);
    cr_assert_eq(dm->max[MTR_Q_A_IMP][0].value, 8400000, "14 min of 9 kW over 15 min");
    cr_assert_eq(dm->max[MTR_Q_A_IMP][0].time, ut(2026, 1, 1, 12, 45, 0));
    cr_assert_eq(mtr_tariff_next_deadline(&tf), ut(2026, 1, 1, 13, 0, 0));

    /* saved and restored as reset; a billing end adds 0 to the cumulative maximum */
    uint8_t buf[MTR_TARIFF_STATE_SIZE];
    size_t len = 0;
    cr_assert_eq(mtr_tariff_save(&tf, buf, sizeof buf, &len), MTR_OK);
    init_at(ut(2026, 1, 1, 13, 0, 0), tcfg(900, 1));
    const uint8_t *p = buf;
    cr_assert_eq(mtr_tariff_load(&tf, &p, buf + len), MTR_OK);
    cr_assert_eq(dm->max[MTR_Q_A_IMP][1].value, 0);
    cr_assert_eq(dm->max[MTR_Q_A_IMP][1].time, ut(2026, 1, 1, 12, 45, 0));
    cr_assert_eq(dm->max[MTR_Q_A_IMP][0].value, 8400000);
    v = view_fixed(ut(2026, 1, 1, 13, 1, 0), 0, 0);
    cr_assert_eq(mtr_tariff_billing_end(&tf, &v, MTR_BILLING_BY_COMMAND), MTR_OK);
    cr_assert_eq(dm->cumulative[MTR_Q_A_IMP][1], 0);
    cr_assert_eq(dm->cumulative[MTR_Q_A_IMP][0], 8400000);
}

Test(demand_methods, reset_zeroes_the_averages_and_starts_a_sub_period)
{
    init_at(ut(2026, 1, 1, 12, 0, 0), tcfg(900, 1));
    const struct mtr_demand *dm = mtr_tariff_demand(&tf);
    struct mtr_energy_delta all;
    for (unsigned q = 0; q < MTR_Q_COUNT; q++) {
        all.q[q] = KW6_MIN;
    }
    for (int i = 1; i <= 20; i++) {
        struct mtr_clock_view v = view_fixed(ut(2026, 1, 1, 12, i, 0), 0, 0);
        struct mtr_tariff_sel s = sel_of(1);
        cr_assert_eq(mtr_tariff_step(&tf, &v, &all, &s), MTR_OK);
    }
    for (unsigned q = 0; q < MTR_DEMAND_QUANTITIES; q++) {
        cr_assert_eq(dm->last_avg[q], 6000000);
        cr_assert_eq(mtr_demand_current(dm, q), 2000000);
    }
    methods_refused();
    uint32_t shorts = dm->short_periods, fulls = dm->full_periods;

    /* off a boundary: every quantity at 0, the new sub-period short until 12:30 */
    struct mtr_clock_view v = view_fixed(ut(2026, 1, 1, 12, 20, 30), 0, 0);
    cr_assert_eq(mtr_tariff_demand_reset(&tf, &v), MTR_OK);
    for (unsigned q = 0; q < MTR_DEMAND_QUANTITIES; q++) {
        cr_assert_eq(dm->last_avg[q], 0, "q=%u", q);
        cr_assert_eq(mtr_demand_current(dm, q), 0, "q=%u", q);
        cr_assert_eq(dm->max[q][0].value, 6000000, "maxima kept");
    }
    cr_assert_eq(dm->last_status, MTR_DEMAND_ST_SHORT);
    cr_assert_eq(dm->last_time, v.utc);
    cr_assert_eq(dm->start, v.utc, "start_time_current");
    cr_assert(dm->flags & MTR_DEMAND_ST_SHORT);
    cr_assert_eq(mtr_tariff_next_deadline(&tf), ut(2026, 1, 1, 12, 30, 0));
    cr_assert_eq(dm->short_periods, shorts + 1, "the terminated sub-period is not counted");
    cr_assert_eq(dm->full_periods, fulls);
    for (int i = 21; i <= 45; i++) {
        step(ut(2026, 1, 1, 12, i, 0), 0, KW6_MIN * 2);
    }
    cr_assert_eq(dm->full_periods, fulls + 1, "12:30..12:45 counts, 12:20:30..12:30 did not");
    cr_assert_eq(dm->max[MTR_Q_A_IMP][0].value, 12000000);

    /* at a boundary with a pending change: the new settings start at once, aligned */
    struct mtr_demand_config five = {300, 1};
    cr_assert_eq(mtr_tariff_set_demand(&tf, &five), MTR_OK);
    step(ut(2026, 1, 1, 12, 50, 0), 0, KW6_MIN);
    cr_assert_eq(dm->cfg.period_s, 900, "pending until 13:00");
    v = view_fixed(ut(2026, 1, 1, 12, 50, 0), 0, 0);
    cr_assert_eq(mtr_tariff_demand_reset(&tf, &v), MTR_OK);
    cr_assert_eq(dm->cfg.period_s, 300);
    cr_assert_eq(dm->flags, 0, "12:50 is a boundary of 300 s");
    cr_assert_eq(mtr_tariff_next_deadline(&tf), ut(2026, 1, 1, 12, 55, 0));
    for (int i = 51; i <= 55; i++) {
        step(ut(2026, 1, 1, 12, i, 0), 0, KW6_MIN);
    }
    cr_assert_eq(dm->last_status, 0, "a whole sub-period after the reset");
    cr_assert_eq(dm->last_avg[MTR_Q_A_IMP], 6000000);
}

Test(demand_methods, next_period_closes_the_running_sub_period_now)
{
    init_at(ut(2026, 1, 1, 12, 0, 0), tcfg(900, 1));
    const struct mtr_demand *dm = mtr_tariff_demand(&tf);
    for (int i = 1; i <= 5; i++) {
        step(ut(2026, 1, 1, 12, i, 0), 0, KW6_MIN);
    }
    cr_assert_eq(mtr_demand_current(dm, MTR_Q_A_IMP), 2000000);
    methods_refused();
    uint32_t shorts = dm->short_periods;

    /* current_average_value becomes last_average_value; a period cut short makes no maximum */
    struct mtr_clock_view v = view_fixed(ut(2026, 1, 1, 12, 5, 0), 0, 0);
    cr_assert_eq(mtr_tariff_demand_next_period(&tf, &v), MTR_OK);
    cr_assert_eq(dm->last_avg[MTR_Q_A_IMP], 2000000);
    cr_assert_eq(dm->last_status, MTR_DEMAND_ST_SHORT);
    cr_assert_eq(dm->last_time, v.utc);
    cr_assert_eq(dm->start, v.utc);
    cr_assert_eq(mtr_demand_current(dm, MTR_Q_A_IMP), 0);
    cr_assert_eq(dm->max[MTR_Q_A_IMP][0].value, 0);
    cr_assert_eq(dm->short_periods, shorts + 1);
    cr_assert_eq(mtr_tariff_next_deadline(&tf), ut(2026, 1, 1, 12, 15, 0));

    /* at a boundary already closed by a step: nothing changes */
    for (int i = 6; i <= 15; i++) {
        step(ut(2026, 1, 1, 12, i, 0), 0, KW6_MIN);
    }
    static struct mtr_tariff before;
    before = tf;
    v = view_fixed(ut(2026, 1, 1, 12, 15, 0), 0, 0);
    cr_assert_eq(mtr_tariff_demand_next_period(&tf, &v), MTR_OK);
    cr_assert_eq(memcmp(&before, &tf, sizeof tf), 0);

    /* at a boundary no step has closed yet: the boundary closes the period, counted */
    for (int i = 16; i <= 29; i++) {
        step(ut(2026, 1, 1, 12, i, 0), 0, KW6_MIN);
    }
    v = view_fixed(ut(2026, 1, 1, 12, 30, 0), 0, 0);
    cr_assert_eq(mtr_tariff_demand_next_period(&tf, &v), MTR_OK);
    cr_assert_eq(dm->last_status, 0);
    cr_assert_eq(dm->last_avg[MTR_Q_A_IMP], 5600000, "14 min of 6 kW over 15 min");
    cr_assert_eq(dm->max[MTR_Q_A_IMP][0].value, 5600000);
    cr_assert_eq(dm->start, v.utc);

    /* a clock change seen by the method cuts the period (flagged) */
    step(ut(2026, 1, 1, 12, 33, 0), 0, KW6_MIN);
    v = view_fixed(ut(2026, 1, 1, 12, 40, 0), 1, 1);
    cr_assert_eq(mtr_tariff_demand_next_period(&tf, &v), MTR_OK);
    cr_assert(dm->last_status & MTR_DEMAND_ST_CLOCK);
    cr_assert_eq(tf.seen_seq, 1u);
}

Test(demand_methods, next_period_in_a_sliding_window)
{
    init_at(ut(2026, 1, 1, 12, 0, 0), tcfg(300, 3));
    const struct mtr_demand *dm = mtr_tariff_demand(&tf);
    int kw[] = {3, 6, 9};
    for (int p = 0; p < 3; p++) {
        for (int m = 1; m <= 5; m++) {
            step(ut(2026, 1, 1, 12, p * 5 + m, 0), 0, kw[p] * KW6_MIN / 6);
        }
    }
    cr_assert_eq(dm->last_avg[MTR_Q_A_IMP], 6000000);
    for (int m = 16; m <= 17; m++) {
        step(ut(2026, 1, 1, 12, m, 0), 0, 2 * KW6_MIN);
    }
    /* 6 kW and 9 kW for 5 min each, 12 kW for 2 min, over the 15 min window */
    int64_t cur = mtr_demand_current(dm, MTR_Q_A_IMP);
    cr_assert_eq(cur, 6600000);
    struct mtr_clock_view v = view_fixed(ut(2026, 1, 1, 12, 17, 0), 0, 0);
    cr_assert_eq(mtr_tariff_demand_next_period(&tf, &v), MTR_OK);
    cr_assert_eq(dm->last_avg[MTR_Q_A_IMP], cur);
    cr_assert_eq(dm->ring_n, 0, "the window restarts empty");
    cr_assert_eq(dm->max[MTR_Q_A_IMP][0].value, 6000000, "no maximum of a window cut short");
    cr_assert_eq(mtr_tariff_next_deadline(&tf), ut(2026, 1, 1, 12, 20, 0));
}
