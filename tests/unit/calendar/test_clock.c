/* SPDX-License-Identifier: Apache-2.0 */
/* The clock on the sim HAL: DST rules, set/shift/adjust/preset, status,
 * events and bad input. DST oracles: libc localtime_r with POSIX TZ rules. */
#include "cal_test.h"

#include <criterion/criterion.h>

#include "sim.h"

static struct mtr_sim sim;
static struct mtr_hal hal;
static struct mtr_clock clk;
static struct mtr_clock_event evs[16];
static int n_ev;

static void on_ev(void *user, const struct mtr_clock_event *ev)
{
    (void)user;
    if (n_ev < 16) {
        evs[n_ev] = *ev;
    }
    n_ev++;
}

static void start_at(mtr_utc_t utc, bool valid)
{
    struct mtr_sim_config cfg;
    mtr_sim_default_config(&cfg);
    cfg.utc_start = utc;
    cfg.rtc_valid = valid;
    cr_assert_eq(mtr_sim_init(&sim, &cfg), MTR_OK);
    mtr_sim_hal(&sim, &hal);
    struct mtr_clock_config cc = {.time_zone = -60, .on_event = on_ev};
    mtr_dst_eu(&cc.dst);
    n_ev = 0;
    cr_assert_eq(mtr_clock_init(&clk, &hal, &cc), MTR_OK);
}

static void fini(void)
{
    mtr_sim_free(&sim);
}

static mtr_utc_t rtc(void)
{
    mtr_utc_t t = 0;
    (void)hal.clock->rtc_get(hal.ctx, &t);
    return t;
}

TestSuite(clock, .fini = fini);

/* Compare mtr_dst_active with libc for every hour of 1971..2199. */
static void dst_matches_tz(const char *tz, int16_t time_zone, const struct mtr_dst_config *dst)
{
    setenv("TZ", tz, 1);
    tzset();
    for (mtr_utc_t t = ut(1971, 1, 1, 0, 30, 0); t < ut(2199, 12, 1, 0, 0, 0); t += 3600) {
        time_t tt = (time_t)t;
        struct tm tm;
        localtime_r(&tt, &tm);
        cr_assert_eq(mtr_dst_active(dst, -time_zone * 60, t), tm.tm_isdst > 0, "%s t=%lld", tz,
                     (long long)t);
    }
}

Test(clock, eu_rule_matches_posix_tz_rule)
{
    struct mtr_dst_config d;
    mtr_dst_eu(&d);
    /* POSIX TZ forms of the same rules (M3.5.0 = last Sunday of March). */
    dst_matches_tz("CET-1CEST,M3.5.0/2,M10.5.0/3", -60, &d);
    dst_matches_tz("GMT0BST,M3.5.0/1,M10.5.0/2", 0, &d);
}

Test(clock, us_rule_matches_posix_tz_rule)
{
    struct mtr_dst_config d;
    mtr_dst_us(&d);
    dst_matches_tz("EST5EDT,M3.2.0/2,M11.1.0/2", 300, &d);
    dst_matches_tz("PST8PDT,M3.2.0/2,M11.1.0/2", 480, &d);
}

Test(clock, eu_2026_switching_seconds)
{
    /* Summer time 2026 in the EU: 29 March and 25 October, 01:00 UTC. */
    start_at(ut(2026, 3, 29, 0, 59, 59), true);
    struct mtr_clock_view v;
    cr_assert_eq(mtr_clock_now(&clk, &v), MTR_OK);
    cr_assert(v.local.hour == 1 && v.local.minute == 59 && v.local.deviation == -60);
    cr_assert_eq(v.status & MTR_CLOCK_ST_DST, 0);
    mtr_sim_advance(&sim, 1000);
    cr_assert_eq(mtr_clock_now(&clk, &v), MTR_OK);
    cr_assert(v.local.hour == 3 && v.local.minute == 0 && v.local.deviation == -120);
    cr_assert_eq(v.status & MTR_CLOCK_ST_DST, MTR_CLOCK_ST_DST);
    cr_assert_eq(mtr_clock_view_at(&clk, ut(2026, 10, 25, 0, 59, 59), &v), MTR_OK);
    cr_assert(v.local.hour == 2 && v.local.minute == 59 && (v.status & MTR_CLOCK_ST_DST));
    cr_assert_eq(mtr_clock_view_at(&clk, ut(2026, 10, 25, 1, 0, 0), &v), MTR_OK);
    cr_assert(v.local.hour == 2 && v.local.minute == 0 && !(v.status & MTR_CLOCK_ST_DST));
    cr_assert_eq(n_ev, 0);
}

Test(clock, explicit_dates_and_none)
{
    start_at(ut(2026, 6, 1, 0, 0, 0), true);
    struct mtr_dst_config d = {.kind = MTR_DST_EXPLICIT,
                               .enabled = true,
                               .deviation_min = 60,
                               .begin_utc = ut(2026, 5, 1, 0, 0, 0),
                               .end_utc = ut(2026, 9, 1, 0, 0, 0)};
    cr_assert(mtr_dst_active(&d, 0, d.begin_utc));
    cr_assert(!mtr_dst_active(&d, 0, d.begin_utc - 1));
    cr_assert(!mtr_dst_active(&d, 0, d.end_utc));
    d.kind = MTR_DST_NONE;
    cr_assert(!mtr_dst_active(&d, 0, ut(2026, 7, 1, 0, 0, 0)));
    mtr_dst_eu(&d);
    d.enabled = false;
    cr_assert(!mtr_dst_active(&d, 0, ut(2026, 7, 1, 0, 0, 0)));
}

Test(clock, set_emits_old_and_new_events_and_counts)
{
    start_at(ut(2026, 1, 1, 0, 0, 0), true);
    uint32_t seq = mtr_clock_changes(&clk);
    mtr_utc_t to = ut(2026, 5, 5, 5, 5, 5);
    cr_assert_eq(mtr_clock_set(&clk, to), MTR_OK);
    cr_assert_eq(rtc(), to);
    cr_assert_eq(mtr_clock_changes(&clk), seq + 1);
    cr_assert_eq(n_ev, 2);
    /* seed event-codes.csv: 4 = clock adjusted (old value), 5 = (new value) */
    cr_assert(evs[0].code == 4 && evs[1].code == 5);
    cr_assert(evs[0].before == ut(2026, 1, 1, 0, 0, 0) && evs[0].after == to);
    cr_assert_eq(evs[1].cause, MTR_CLOCK_BY_SET);
}

Test(clock, set_datetime_uses_its_deviation)
{
    start_at(ut(2026, 1, 1, 0, 0, 0), true);
    struct mtr_datetime dt = {2026, 7, 1, 3, 12, 0, 0, 0, -120, 0};
    cr_assert_eq(mtr_clock_set_datetime(&clk, &dt), MTR_OK);
    cr_assert_eq(rtc(), ut(2026, 7, 1, 10, 0, 0));
}

Test(clock, bad_times_rejected_nothing_changed)
{
    start_at(ut(2026, 1, 1, 0, 0, 0), true);
    uint32_t seq = mtr_clock_changes(&clk);
    cr_assert_eq(mtr_clock_set(&clk, -5), MTR_ERR_CALENDAR_DATE);
    cr_assert_eq(mtr_clock_set(&clk, MTR_UTC_MAX + 1), MTR_ERR_CALENDAR_DATE);
    struct mtr_datetime dt = {2026, 2, 30, 0, 0, 0, 0, 0, 0, 0};
    cr_assert_eq(mtr_clock_set_datetime(&clk, &dt), MTR_ERR_CALENDAR_DATE);
    cr_assert_eq(mtr_clock_shift(&clk, 901), MTR_ERR_CALENDAR_SHIFT);
    cr_assert_eq(mtr_clock_shift(&clk, -901), MTR_ERR_CALENDAR_SHIFT);
    cr_assert_eq(mtr_clock_set_time_zone(&clk, 841), MTR_ERR_CALENDAR_DST);
    struct mtr_dst_config d;
    mtr_dst_eu(&d);
    d.begin.week = 6;
    cr_assert_eq(mtr_clock_set_dst(&clk, &d), MTR_ERR_CALENDAR_DST);
    mtr_dst_eu(&d);
    d.deviation_min = 121;
    cr_assert_eq(mtr_clock_set_dst(&clk, &d), MTR_ERR_CALENDAR_DST);
    d = (struct mtr_dst_config){
        .kind = MTR_DST_EXPLICIT, .enabled = true, .begin_utc = 10, .end_utc = 5};
    cr_assert_eq(mtr_clock_set_dst(&clk, &d), MTR_ERR_CALENDAR_DST);
    cr_assert_eq(mtr_clock_preset(&clk, ut(2026, 1, 1, 0, 0, 0), 10, 5), MTR_ERR_CALENDAR_DATE);
    cr_assert_eq(rtc(), ut(2026, 1, 1, 0, 0, 0));
    cr_assert_eq(mtr_clock_changes(&clk), seq);
    cr_assert_eq(n_ev, 0);
    int16_t tz;
    struct mtr_dst_config now;
    mtr_clock_settings(&clk, &tz, &now);
    mtr_dst_eu(&d);
    cr_assert(tz == -60 && memcmp(&now, &d, sizeof d) == 0);
}

Test(clock, shift_and_limits)
{
    start_at(ut(2026, 1, 1, 12, 0, 0), true);
    cr_assert_eq(mtr_clock_shift(&clk, 900), MTR_OK);
    cr_assert_eq(rtc(), ut(2026, 1, 1, 12, 15, 0));
    cr_assert_eq(mtr_clock_shift(&clk, -900), MTR_OK);
    cr_assert_eq(rtc(), ut(2026, 1, 1, 12, 0, 0));
    cr_assert_eq(mtr_clock_changes(&clk), 2);
    cr_assert_eq(n_ev, 4);
}

Test(clock, adjust_to_quarter_and_minute)
{
    start_at(ut(2026, 1, 1, 12, 7, 29), true);
    cr_assert_eq(mtr_clock_adjust_to_quarter(&clk), MTR_OK);
    cr_assert_eq(rtc(), ut(2026, 1, 1, 12, 0, 0));
    mtr_sim_set_utc(&sim, ut(2026, 1, 1, 12, 7, 30));
    cr_assert_eq(mtr_clock_adjust_to_quarter(&clk), MTR_OK);
    cr_assert_eq(rtc(), ut(2026, 1, 1, 12, 15, 0));
    mtr_sim_set_utc(&sim, ut(2026, 1, 1, 12, 52, 31));
    cr_assert_eq(mtr_clock_adjust_to_quarter(&clk), MTR_OK);
    cr_assert_eq(rtc(), ut(2026, 1, 1, 13, 0, 0));
    mtr_sim_set_utc(&sim, ut(2026, 1, 1, 12, 3, 29));
    cr_assert_eq(mtr_clock_adjust_to_minute(&clk), MTR_OK);
    cr_assert_eq(rtc(), ut(2026, 1, 1, 12, 3, 0));
    mtr_sim_set_utc(&sim, ut(2026, 1, 1, 12, 3, 30));
    cr_assert_eq(mtr_clock_adjust_to_minute(&clk), MTR_OK);
    cr_assert_eq(rtc(), ut(2026, 1, 1, 12, 4, 0));
}

/* adjust_to_measuring_period: boundaries in local standard time (CET here,
 * summer time in July: a 90-minute period shows the difference). */
Test(clock, adjust_to_period_in_standard_time)
{
    start_at(ut(2026, 7, 1, 10, 0, 0), true); /* 11:00 CET, 12:00 CEST */
    cr_assert_eq(mtr_clock_adjust_to_period(&clk, 0), MTR_ERR_RANGE);
    cr_assert_eq(mtr_clock_adjust_to_period(&clk, 86401), MTR_ERR_RANGE);
    cr_assert_eq(n_ev, 0, "refused: nothing changed");
    cr_assert_eq(mtr_clock_adjust_to_period(&clk, 5400), MTR_OK);
    cr_assert_eq(rtc(), ut(2026, 7, 1, 9, 30, 0), "10:30 CET, not 12:00 CEST");
    cr_assert_eq(evs[0].cause, MTR_CLOCK_BY_PERIOD);
    mtr_sim_set_utc(&sim, ut(2026, 7, 1, 10, 15, 0)); /* 11:15 CET: half way, up */
    cr_assert_eq(mtr_clock_adjust_to_period(&clk, 5400), MTR_OK);
    cr_assert_eq(rtc(), ut(2026, 7, 1, 11, 0, 0));
    mtr_sim_set_utc(&sim, ut(2026, 7, 1, 10, 7, 29));
    cr_assert_eq(mtr_clock_adjust_to_period(&clk, 900), MTR_OK);
    cr_assert_eq(rtc(), ut(2026, 7, 1, 10, 0, 0));
}

Test(clock, adjust_to_period_refused_while_invalid)
{
    start_at(ut(2026, 1, 1, 12, 7, 0), false);
    int before = n_ev; /* the RTC found invalid */
    cr_assert_eq(mtr_clock_adjust_to_period(&clk, 900), MTR_ERR_STATE);
    cr_assert_eq(n_ev, before, "no change");
    cr_assert_eq(rtc(), ut(2026, 1, 1, 12, 7, 0));
}

Test(clock, preset_within_window_only_and_consumed)
{
    start_at(ut(2026, 1, 1, 12, 0, 0), true);
    mtr_utc_t target = ut(2026, 1, 1, 12, 0, 30);
    cr_assert_eq(mtr_clock_adjust_to_preset(&clk), MTR_ERR_CALENDAR_PRESET);
    cr_assert_eq(mtr_clock_preset(&clk, target, ut(2026, 1, 1, 12, 1, 0), ut(2026, 1, 1, 12, 2, 0)),
                 MTR_OK);
    cr_assert_eq(mtr_clock_adjust_to_preset(&clk), MTR_ERR_CALENDAR_PRESET);
    cr_assert_eq(rtc(), ut(2026, 1, 1, 12, 0, 0));
    cr_assert_eq(n_ev, 0);
    mtr_sim_advance(&sim, 90000);
    cr_assert_eq(mtr_clock_adjust_to_preset(&clk), MTR_OK);
    cr_assert_eq(rtc(), target);
    cr_assert_eq(evs[0].cause, MTR_CLOCK_BY_PRESET);
    cr_assert_eq(mtr_clock_adjust_to_preset(&clk), MTR_ERR_CALENDAR_PRESET);
}

Test(clock, invalid_rtc_marks_clock_invalid_until_set)
{
    start_at(ut(2026, 1, 1, 12, 0, 0), false);
    cr_assert_eq(n_ev, 1);
    cr_assert_eq(evs[0].code, 6); /* seed: clock invalid */
    struct mtr_clock_view v;
    cr_assert_eq(mtr_clock_now(&clk, &v), MTR_OK);
    cr_assert(v.status & MTR_CLOCK_ST_INVALID);
    cr_assert_eq(mtr_clock_shift(&clk, 10), MTR_ERR_STATE);
    cr_assert_eq(mtr_clock_adjust_to_quarter(&clk), MTR_ERR_STATE);
    cr_assert_eq(mtr_clock_set(&clk, ut(2026, 2, 1, 0, 0, 0)), MTR_OK);
    cr_assert_eq(mtr_clock_now(&clk, &v), MTR_OK);
    cr_assert_eq(v.status & MTR_CLOCK_ST_INVALID, 0);
    cr_assert_eq(v.utc, ut(2026, 2, 1, 0, 0, 0));
    /* losing the RTC later is seen at the next read */
    mtr_sim_rtc_lose(&sim);
    uint32_t seq = mtr_clock_changes(&clk);
    cr_assert_eq(mtr_clock_now(&clk, &v), MTR_OK);
    cr_assert(v.status & MTR_CLOCK_ST_INVALID);
    cr_assert_eq(v.change_seq, seq + 1);
}

Test(clock, dst_toggle_emits_event_and_changes_local_time)
{
    start_at(ut(2026, 7, 1, 10, 0, 0), true);
    struct mtr_clock_view v;
    cr_assert_eq(mtr_clock_now(&clk, &v), MTR_OK);
    cr_assert_eq(v.local.hour, 12);
    struct mtr_dst_config d;
    mtr_dst_eu(&d);
    d.enabled = false;
    cr_assert_eq(mtr_clock_set_dst(&clk, &d), MTR_OK);
    cr_assert_eq(n_ev, 1);
    cr_assert_eq(evs[0].code, 3); /* seed: DST enabled or disabled */
    cr_assert_eq(mtr_clock_now(&clk, &v), MTR_OK);
    cr_assert_eq(v.local.hour, 11);
    cr_assert_eq(v.change_seq, 1);
    cr_assert_eq(mtr_clock_set_time_zone(&clk, 0), MTR_OK);
    cr_assert_eq(mtr_clock_now(&clk, &v), MTR_OK);
    cr_assert(v.local.hour == 10 && v.change_seq == 2);
}
