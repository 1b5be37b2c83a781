/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Benchmark of the calendar engine on the host:
 * - the tariff decision (mtr_calendar_decide) per call, with a calendar at
 *   the seed ST402 limits (8 seasons, 8 weeks, 24 day profiles of 48
 *   switching points, a full special days table);
 * - one simulated year of 15-minute intervals through clock view + calendar
 *   + registers + demand + billing.
 * Prints one JSON line last.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "meter/clock.h"
#include "meter/tariff.h"

static struct mtr_calendar cal;
static struct mtr_clock clk;
static struct mtr_tariff tf;

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void full_calendar(void)
{
    static struct mtr_tou t;
    memset(&t, 0, sizeof t);
    t.n_days = MTR_CFG_CALENDAR_DAYS;
    for (int d = 0; d < MTR_CFG_CALENDAR_DAYS; d++) {
        t.day[d].id = (uint8_t)(d + 1);
        t.day[d].n = MTR_CFG_CALENDAR_SWITCHES;
        for (int i = 0; i < MTR_CFG_CALENDAR_SWITCHES; i++) {
            uint32_t s = (uint32_t)i * 86400u / MTR_CFG_CALENDAR_SWITCHES;
            t.day[d].sw[i] = (struct mtr_tou_switch){(uint8_t)(s / 3600), (uint8_t)(s / 60 % 60),
                                                     (uint8_t)(s % 60),
                                                     (uint8_t)(1 + (i + d) % MTR_CFG_TARIFFS)};
        }
    }
    t.n_weeks = MTR_CFG_CALENDAR_WEEKS;
    for (int w = 0; w < MTR_CFG_CALENDAR_WEEKS; w++) {
        t.week[w].id = (uint8_t)(w + 1);
        for (int i = 0; i < 7; i++) {
            t.week[w].day[i] = (uint8_t)(1 + (w * 7 + i) % MTR_CFG_CALENDAR_DAYS);
        }
    }
    t.n_seasons = MTR_CFG_CALENDAR_SEASONS;
    for (int s = 0; s < MTR_CFG_CALENDAR_SEASONS; s++) {
        t.season[s] = (struct mtr_tou_season){(uint8_t)(1 + s * 12 / MTR_CFG_CALENDAR_SEASONS), 1,
                                              (uint8_t)(1 + s % MTR_CFG_CALENDAR_WEEKS)};
    }
    mtr_calendar_init(&cal, NULL);
    if (mtr_calendar_set_active(&cal, &t) != MTR_OK) {
        fprintf(stderr, "calendar rejected\n");
    }
    for (uint16_t i = 0; i < MTR_CFG_CALENDAR_SPECIAL_DAYS; i++) {
        struct mtr_special_day sd = {.index = i,
                                     .year = MTR_SPECIAL_EVERY_YEAR,
                                     .month = (uint8_t)(1 + i % 12),
                                     .day = (uint8_t)(1 + i % 28),
                                     .day_id = (uint8_t)(1 + i % MTR_CFG_CALENDAR_DAYS)};
        (void)mtr_calendar_special_set(&cal, &sd);
    }
}

static mtr_err_t rtc_get(void *ctx, mtr_utc_t *utc)
{
    (void)ctx;
    *utc = 1767225600;
    return MTR_OK;
}

int main(void)
{
    static const struct mtr_clock_ops ops = {.rtc_get = rtc_get};
    static const struct mtr_hal hal = {.clock = &ops};
    struct mtr_clock_config cc = {.time_zone = -60};
    mtr_dst_eu(&cc.dst);
    if (mtr_clock_init(&clk, &hal, &cc) != MTR_OK) {
        return 1;
    }
    full_calendar();

    /* 1: the decision alone, at times spread over a year */
    enum { CALLS = 1000000 };
    struct mtr_clock_view v;
    mtr_clock_view_at(&clk, 1767225600, &v);
    uint32_t x = 1, sink = 0;
    double t0 = now_ns();
    for (int i = 0; i < CALLS; i++) {
        x = x * 1664525u + 1013904223u;
        v.utc = 1767225600 + (x >> 7);
        struct mtr_tariff_sel s;
        mtr_calendar_decide(&cal, &v, 0, &s);
        sink += s.tariff;
    }
    double decide_ns = (now_ns() - t0) / CALLS;

    /* 2: one year of 15-minute steps through everything */
    struct mtr_tariff_config tc = {.demand = {900, 1}, .billing = {.enabled = true, .day = 1}};
    struct mtr_tariff_sel s;
    mtr_clock_view_at(&clk, 1767225600, &v);
    mtr_calendar_decide(&cal, &v, 0, &s);
    mtr_tariff_init(&tf, &tc, &v, &s);
    enum { STEPS = 365 * 96 };
    struct mtr_energy_delta d;
    memset(&d, 0, sizeof d);
    t0 = now_ns();
    for (int i = 1; i <= STEPS; i++) {
        mtr_clock_view_at(&clk, 1767225600 + (mtr_utc_t)i * 900, &v);
        (void)mtr_calendar_poll(&cal, &v);
        mtr_calendar_decide(&cal, &v, 0, &s);
        d.q[MTR_Q_A_IMP] = 250000 + (i % 97) * 1000;
        d.q[MTR_Q_R_IMP] = 50000;
        (void)mtr_tariff_step(&tf, &v, &d, &s);
    }
    double year_ns = now_ns() - t0;
    printf("{\"bench\": \"bench_calendar\", \"decide_ns_per_call\": %.1f, "
           "\"year_15min_steps\": %d, \"year_15min_ms\": %.2f, \"step_ns\": %.1f, "
           "\"billing_periods\": %u, \"sink\": %u}\n",
           decide_ns, STEPS, year_ns / 1e6, year_ns / STEPS, mtr_tariff_billing_count(&tf),
           sink % 10);
    return 0;
}
