/* SPDX-License-Identifier: Apache-2.0 */
/* Property test: 20 simulated years of random consumption with random clock
 * shifts and sets (forward and back) and a yearly save/restore (power cut).
 * Independent oracles: libc localtime_r with the POSIX form of the EU rule
 * for local time, a direct reading of the reference calendar for tariffs,
 * and timegm for the monthly billing boundaries. */
#include "cal_test.h"

#include <criterion/criterion.h>

#include "sim.h"

#define HOURS_20_YEARS (20 * 8766)

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint64_t rnd(uint64_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng % n;
}

static int64_t boundaries[400];
static int n_closed;

static void on_billing(void *user, const struct mtr_billing_capture *c)
{
    (void)user;
    if (n_closed < 400) {
        boundaries[n_closed] = c->boundary_local;
    }
    n_closed++;
}

/* Local wall time by libc (TZ set once by the test). */
static struct tm local_tm(mtr_utc_t utc)
{
    time_t tt = (time_t)utc;
    struct tm tm;
    localtime_r(&tt, &tm);
    return tm;
}

/* The reference calendar of cal_test.h, read directly. */
static unsigned oracle_tariff(mtr_utc_t utc)
{
    struct tm tm = local_tm(utc);
    int md = (tm.tm_mon + 1) * 32 + tm.tm_mday;
    bool summer = md >= 4 * 32 + 1 && md < 10 * 32 + 1;
    int min = tm.tm_hour * 60 + tm.tm_min;
    if (tm.tm_wday == 0 || tm.tm_wday == 6) {
        return 3;
    }
    if (summer) {
        return min < 150 ? 1 : min < 360 ? 5 : min < 1260 ? 2 : 1;
    }
    return min < 420 ? 1 : min < 1320 ? 2 : 1;
}

/* Latest first-of-month 00:00 at or before the local time of @p utc, as local seconds. */
static int64_t oracle_boundary(mtr_utc_t utc)
{
    struct tm tm = local_tm(utc);
    struct tm b = {.tm_year = tm.tm_year, .tm_mon = tm.tm_mon, .tm_mday = 1};
    return (int64_t)timegm(&b);
}

struct world {
    struct mtr_sim sim;
    struct mtr_hal hal;
    struct mtr_clock clk;
    struct mtr_calendar cal;
    struct mtr_tariff tf;
    struct mtr_tariff_config tcfg;
    int64_t sum[MTR_Q_COUNT];
    int64_t want[MTR_Q_COUNT][MTR_CFG_TARIFFS + 1];
    unsigned cur; /* oracle tariff in force since the last step */
    int64_t last_boundary;
    int expect_closed;
};

static struct world w;

static void setup_world(void)
{
    setenv("TZ", "CET-1CEST,M3.5.0/2,M10.5.0/3", 1);
    tzset();
    struct mtr_sim_config sc;
    mtr_sim_default_config(&sc);
    sc.utc_start = ut(2026, 1, 1, 0, 0, 0);
    cr_assert_eq(mtr_sim_init(&w.sim, &sc), MTR_OK);
    mtr_sim_hal(&w.sim, &w.hal);
    struct mtr_clock_config cc = {.time_zone = -60};
    mtr_dst_eu(&cc.dst);
    cr_assert_eq(mtr_clock_init(&w.clk, &w.hal, &cc), MTR_OK);
    mtr_calendar_init(&w.cal, NULL);
    struct mtr_tou t;
    ref_tou(&t);
    cr_assert_eq(mtr_calendar_set_active(&w.cal, &t), MTR_OK);
    w.tcfg = (struct mtr_tariff_config){
        .demand = {900, 1}, .billing = {.enabled = true, .day = 1}, .on_billing = on_billing};
    struct mtr_clock_view v;
    cr_assert_eq(mtr_clock_now(&w.clk, &v), MTR_OK);
    struct mtr_tariff_sel s;
    mtr_calendar_decide(&w.cal, &v, 0, &s);
    cr_assert_eq(mtr_tariff_init(&w.tf, &w.tcfg, &v, &s), MTR_OK);
    w.cur = oracle_tariff(v.utc);
    cr_assert_eq(s.tariff, w.cur);
    w.last_boundary = oracle_boundary(v.utc);
}

static int forward_sets;

static void random_clock_change(void)
{
    uint64_t r = rnd(1000);
    if (r < 5) {
        cr_assert_eq(mtr_clock_shift(&w.clk, (int32_t)rnd(1801) - 900), MTR_OK);
    } else if (r == 5) {
        mtr_utc_t now = 0;
        cr_assert_eq(w.hal.clock->rtc_get(w.hal.ctx, &now), MTR_OK);
        int64_t jump = (int64_t)rnd(80 * 86400) - 40 * 86400;
        forward_sets += jump > 0;
        cr_assert_eq(mtr_clock_set(&w.clk, now + jump), MTR_OK);
    }
}

static void one_step(uint32_t ms)
{
    mtr_sim_advance(&w.sim, ms);
    struct mtr_clock_view v;
    cr_assert_eq(mtr_clock_now(&w.clk, &v), MTR_OK);
    struct mtr_energy_delta d;
    for (unsigned q = 0; q < MTR_Q_COUNT; q++) {
        d.q[q] = (int64_t)rnd(2000000);
        w.sum[q] += d.q[q];
        w.want[q][w.cur] += d.q[q];
    }
    (void)mtr_calendar_poll(&w.cal, &v);
    struct mtr_tariff_sel s;
    mtr_calendar_decide(&w.cal, &v, 0, &s);
    cr_assert_eq(mtr_tariff_step(&w.tf, &v, &d, &s), MTR_OK);
    w.cur = oracle_tariff(v.utc);
    cr_assert_eq(s.tariff, w.cur, "utc %lld", (long long)v.utc);
    int64_t b = oracle_boundary(v.utc);
    if (b > w.last_boundary) {
        w.last_boundary = b;
        w.expect_closed++;
    }
    cr_assert_eq(n_closed, w.expect_closed, "utc %lld", (long long)v.utc);
    if (n_closed > 0 && n_closed <= 400) {
        cr_assert_eq(boundaries[n_closed - 1], w.last_boundary);
    }
}

static void power_cut_and_restore(void)
{
    uint8_t blob[MTR_TARIFF_STATE_SIZE];
    size_t len;
    cr_assert_eq(mtr_tariff_save(&w.tf, blob, sizeof blob, &len), MTR_OK);
    struct mtr_clock_view v;
    cr_assert_eq(mtr_clock_now(&w.clk, &v), MTR_OK);
    struct mtr_tariff_sel s;
    mtr_calendar_decide(&w.cal, &v, 0, &s);
    memset(&w.tf, 0xA5, sizeof w.tf);
    cr_assert_eq(mtr_tariff_init(&w.tf, &w.tcfg, &v, &s), MTR_OK);
    const uint8_t *p = blob;
    cr_assert_eq(mtr_tariff_load(&w.tf, &p, blob + len), MTR_OK);
    mtr_tariff_power_restored(&w.tf, &v);
}

Test(property, twenty_years_random_consumption_and_clock_changes, .timeout = 120)
{
    setup_world();
    for (int h = 0; h < HOURS_20_YEARS; h++) {
        uint32_t left = 3600000;
        while (left > 0) {
            uint32_t ms = rnd(3) == 0 ? left : 1000u * (uint32_t)(1 + rnd(left / 1000));
            one_step(ms);
            left -= ms;
        }
        random_clock_change();
        if (h % 8766 == 4000) {
            power_cut_and_restore();
        }
    }
    const struct mtr_registers *r = mtr_tariff_registers(&w.tf);
    for (unsigned q = 0; q < MTR_Q_COUNT; q++) {
        cr_assert_eq(r->total[q], w.sum[q], "no energy lost or duplicated, q=%u", q);
        int64_t all = 0;
        for (unsigned t = 1; t <= MTR_CFG_TARIFFS; t++) {
            cr_assert_eq(mtr_registers_tariff(r, q, t), w.want[q][t], "q=%u T%u", q, t);
            all += mtr_registers_tariff(r, q, t);
        }
        cr_assert_eq(all, r->total[q]);
    }
    /* each period closed once: strictly increasing boundaries, one per
     * month passed, except the months a forward set (at most 40 days, so at
     * most two boundaries) jumped over */
    for (int i = 1; i < n_closed && i < 400; i++) {
        cr_assert_gt(boundaries[i], boundaries[i - 1]);
    }
    cr_assert_eq((int)mtr_tariff_billing_count(&w.tf), n_closed);
    time_t lb = (time_t)w.last_boundary;
    struct tm end;
    gmtime_r(&lb, &end);
    int months = (end.tm_year + 1900 - 2026) * 12 + end.tm_mon;
    cr_assert_leq(n_closed, months);
    cr_assert_geq(n_closed, months - 2 * forward_sets);
    cr_assert_geq(months, 12 * 18); /* the clock really ran for about 20 years */
    mtr_sim_free(&w.sim);
}
