/* SPDX-License-Identifier: Apache-2.0 */
/* Activity calendar, special days, passive activation, tariff control and
 * validation. Weekdays of the dates used are checked with libc. */
#include "cal_test.h"

#include <criterion/criterion.h>

static struct mtr_calendar cal;
static struct mtr_tou tou;
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

static void setup(void)
{
    struct mtr_calendar_config cc = {.on_event = on_ev};
    mtr_calendar_init(&cal, &cc);
    ref_tou(&tou);
    cr_assert_eq(mtr_calendar_set_active(&cal, &tou), MTR_OK);
    n_ev = 0;
}

TestSuite(tou, .init = setup);

/* Tariff at a local civil time (zone offset 0 keeps local == UTC). */
static uint8_t at(int y, int mo, int d, int h, int mi, int s)
{
    struct mtr_clock_view v = view_fixed(ut(y, mo, d, h, mi, s), 0, 0);
    struct mtr_tariff_sel sel;
    mtr_calendar_decide(&cal, &v, 0, &sel);
    cr_assert_eq(sel.masks.energy, 1u << (sel.tariff - 1));
    return sel.tariff;
}

static int wday(int y, int mo, int d)
{
    time_t t = (time_t)ut(y, mo, d, 12, 0, 0);
    struct tm tm;
    gmtime_r(&t, &tm);
    return tm.tm_wday; /* 0 = Sunday */
}

Test(tou, workday_switching_points_and_weekend)
{
    cr_assert_eq(wday(2026, 1, 14), 3); /* Wednesday, winter season */
    cr_assert_eq(at(2026, 1, 14, 6, 59, 59), 1);
    cr_assert_eq(at(2026, 1, 14, 7, 0, 0), 2);
    cr_assert_eq(at(2026, 1, 14, 21, 59, 59), 2);
    cr_assert_eq(at(2026, 1, 14, 22, 0, 0), 1);
    cr_assert_eq(wday(2026, 1, 17), 6); /* Saturday */
    cr_assert_eq(at(2026, 1, 17, 12, 0, 0), 3);
}

Test(tou, midnight_and_season_boundaries)
{
    /* 2026-03-31 (Tue, winter) 23:59:59 -> 2026-04-01 (Wed, summer) 00:00 */
    cr_assert(wday(2026, 3, 31) == 2 && wday(2026, 4, 1) == 3);
    cr_assert_eq(at(2026, 3, 31, 23, 59, 59), 1);
    cr_assert_eq(at(2026, 4, 1, 2, 29, 59), 1);
    cr_assert_eq(at(2026, 4, 1, 2, 30, 0), 5); /* summer workday profile */
    cr_assert_eq(at(2026, 4, 1, 6, 0, 0), 2);
    cr_assert_eq(at(2026, 9, 30, 21, 0, 0), 1);
    cr_assert_eq(wday(2026, 9, 30), 3);
    cr_assert_eq(at(2026, 9, 30, 20, 59, 59), 2);
    cr_assert_eq(wday(2026, 10, 1), 4);
    cr_assert_eq(at(2026, 10, 1, 7, 0, 0), 2);
    cr_assert_eq(at(2026, 10, 1, 2, 30, 0), 1); /* winter profile again */
    /* the year end: 2026-12-31 Thu -> 2027-01-01 Fri, winter carries over */
    cr_assert_eq(at(2026, 12, 31, 23, 59, 59), 1);
    cr_assert_eq(at(2027, 1, 1, 7, 0, 0), 2);
    /* leap day 2028-02-29 (Tuesday) is an ordinary winter workday */
    cr_assert_eq(wday(2028, 2, 29), 2);
    cr_assert_eq(at(2028, 2, 29, 7, 0, 0), 2);
}

Test(tou, day_without_midnight_point_continues_previous_day)
{
    struct mtr_tou t2;
    ref_tou(&t2);
    t2.day[0].n = 2;
    t2.day[0].sw[0] = sw(7, 0, 2);
    t2.day[0].sw[1] = sw(22, 0, 6);
    cr_assert_eq(mtr_calendar_set_active(&cal, &t2), MTR_OK);
    /* Thursday 2026-01-15 06:00: Wednesday's last point (22:00 T6) goes on */
    cr_assert_eq(at(2026, 1, 15, 6, 0, 0), 6);
    /* Monday 2026-01-19 06:00: Sunday's last point (00:00 T3) goes on */
    cr_assert_eq(wday(2026, 1, 19), 1);
    cr_assert_eq(at(2026, 1, 19, 6, 0, 0), 3);
}

Test(tou, special_days_fixed_and_yearly_override_week)
{
    struct mtr_special_day xmas = {
        .index = 1, .year = MTR_SPECIAL_EVERY_YEAR, .month = 12, .day = 25, .day_id = 3};
    struct mtr_special_day once = {.index = 2, .year = 2026, .month = 1, .day = 14, .day_id = 2};
    struct mtr_special_day leap = {
        .index = 3, .year = MTR_SPECIAL_EVERY_YEAR, .month = 2, .day = 29, .day_id = 3};
    cr_assert_eq(mtr_calendar_special_set(&cal, &xmas), MTR_OK);
    cr_assert_eq(mtr_calendar_special_set(&cal, &once), MTR_OK);
    cr_assert_eq(mtr_calendar_special_set(&cal, &leap), MTR_OK);
    cr_assert_eq(at(2026, 12, 25, 12, 0, 0), 4);
    cr_assert_eq(at(2031, 12, 25, 12, 0, 0), 4);
    cr_assert_eq(at(2026, 12, 24, 12, 0, 0), 2);
    cr_assert_eq(at(2026, 1, 14, 12, 0, 0), 3);
    cr_assert_eq(at(2027, 1, 14, 12, 0, 0), 2); /* fixed: only in 2026 */
    cr_assert_eq(at(2028, 2, 29, 12, 0, 0), 4);
    /* a dated entry wins over a yearly one on the same date */
    struct mtr_special_day xmas26 = {.index = 4, .year = 2026, .month = 12, .day = 25, .day_id = 2};
    cr_assert_eq(mtr_calendar_special_set(&cal, &xmas26), MTR_OK);
    cr_assert_eq(at(2026, 12, 25, 12, 0, 0), 3);
    cr_assert_eq(at(2027, 12, 25, 12, 0, 0), 4);
    cr_assert_eq(mtr_calendar_special_delete(&cal, 4), MTR_OK);
    cr_assert_eq(at(2026, 12, 25, 12, 0, 0), 4);
    cr_assert_eq(mtr_calendar_special_delete(&cal, 4), MTR_ERR_NOENT);
    cr_assert_eq(mtr_calendar_special_count(&cal), 3);
}

Test(tou, special_day_bad_input_changes_nothing)
{
    struct mtr_special_day ok = {.index = 1, .year = 2026, .month = 5, .day = 1, .day_id = 3};
    cr_assert_eq(mtr_calendar_special_set(&cal, &ok), MTR_OK);
    const struct mtr_special_day bad[] = {
        {.index = 1, .year = 2027, .month = 2, .day = 29, .day_id = 3},
        {.index = 1, .year = 2026, .month = 13, .day = 1, .day_id = 3},
        {.index = 1, .year = 1969, .month = 1, .day = 1, .day_id = 3},
        {.index = 1, .year = MTR_SPECIAL_EVERY_YEAR, .month = 4, .day = 31, .day_id = 3},
        {.index = 1, .year = 2026, .month = 5, .day = 0, .day_id = 3},
    };
    struct mtr_calendar before = cal;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_assert_eq(mtr_calendar_special_set(&cal, &bad[i]), MTR_ERR_CALENDAR_DATE, "%zu", i);
    }
    struct mtr_special_day undef = {.index = 1, .year = 2026, .month = 5, .day = 1, .day_id = 99};
    cr_assert_eq(mtr_calendar_special_set(&cal, &undef), MTR_ERR_CALENDAR_REF);
    cr_assert_eq(memcmp(&before, &cal, sizeof cal), 0);
    /* table full: MTR_CFG_CALENDAR_SPECIAL_DAYS entries (seed ST402: 31) */
    for (uint16_t i = 0; i < MTR_CFG_CALENDAR_SPECIAL_DAYS - 1; i++) {
        struct mtr_special_day sd = {
            .index = (uint16_t)(100 + i), .year = 2030, .month = 1, .day = 1, .day_id = 3};
        cr_assert_eq(mtr_calendar_special_set(&cal, &sd), MTR_OK);
    }
    before = cal;
    struct mtr_special_day more = {.index = 9999, .year = 2030, .month = 1, .day = 2, .day_id = 3};
    cr_assert_eq(mtr_calendar_special_set(&cal, &more), MTR_ERR_CALENDAR_LIMIT);
    cr_assert_eq(memcmp(&before, &cal, sizeof cal), 0);
}

Test(tou, passive_activates_at_its_exact_second)
{
    struct mtr_tou p;
    ref_tou(&p);
    for (int i = 0; i < 7; i++) {
        p.week[0].day[i] = 3; /* winter: T4 all week */
    }
    mtr_utc_t when = ut(2026, 1, 14, 10, 20, 30);
    cr_assert_eq(mtr_calendar_set_passive(&cal, &p, when), MTR_OK);
    cr_assert_eq(n_ev, 1);
    cr_assert_eq(evs[0].code, 19); /* seed: passive TOU programmed */
    struct mtr_clock_view v = view_fixed(when - 1, 0, 0);
    cr_assert(!mtr_calendar_poll(&cal, &v));
    cr_assert_eq(at(2026, 1, 14, 10, 20, 29), 2);
    v = view_fixed(when, 0, 0);
    cr_assert(mtr_calendar_poll(&cal, &v));
    cr_assert_eq(n_ev, 2);
    cr_assert(evs[1].code == 9 && evs[1].before == when); /* seed: TOU activated */
    cr_assert_eq(at(2026, 1, 14, 10, 20, 30), 4);
    cr_assert(!mtr_calendar_poll(&cal, &v)); /* once */
    cr_assert_eq(memcmp(mtr_calendar_active(&cal), &p, sizeof p), 0);
}

Test(tou, passive_activation_at_once)
{
    cr_assert_eq(mtr_calendar_activate_passive(&cal, 0), MTR_ERR_EMPTY);
    struct mtr_tou p;
    ref_tou(&p);
    p.day[0].sw[1].tariff = 7;
    cr_assert_eq(mtr_calendar_set_passive(&cal, &p, MTR_CAL_NEVER), MTR_OK);
    cr_assert_eq(at(2026, 1, 14, 8, 0, 0), 2);
    struct mtr_clock_view v = view_fixed(ut(2199, 1, 1, 0, 0, 0), 0, 0);
    cr_assert(!mtr_calendar_poll(&cal, &v));
    cr_assert_eq(mtr_calendar_activate_passive(&cal, 5), MTR_OK);
    cr_assert_eq(at(2026, 1, 14, 8, 0, 0), 7);
}

static void expect_rejected(const struct mtr_tou *bad, mtr_err_t want)
{
    struct mtr_calendar before = cal;
    cr_assert_eq(mtr_tou_check(bad), want);
    cr_assert_eq(mtr_calendar_set_active(&cal, bad), want);
    cr_assert_eq(mtr_calendar_set_passive(&cal, bad, 100), want);
    cr_assert_eq(memcmp(&before, &cal, sizeof cal), 0, "calendar changed");
    cr_assert_eq(n_ev, 0);
}

Test(tou, limit_and_order_violations_keep_old_calendar)
{
    struct mtr_tou b;
    ref_tou(&b);
    b.n_seasons = MTR_CFG_CALENDAR_SEASONS + 1; /* seed ST402: 8 seasons */
    expect_rejected(&b, MTR_ERR_CALENDAR_LIMIT);
    ref_tou(&b);
    b.n_weeks = MTR_CFG_CALENDAR_WEEKS + 1;
    expect_rejected(&b, MTR_ERR_CALENDAR_LIMIT);
    ref_tou(&b);
    b.n_days = MTR_CFG_CALENDAR_DAYS + 1;
    expect_rejected(&b, MTR_ERR_CALENDAR_LIMIT);
    ref_tou(&b);
    b.day[0].n = MTR_CFG_CALENDAR_SWITCHES + 1; /* seed ST402: 48 per day */
    expect_rejected(&b, MTR_ERR_CALENDAR_LIMIT);
    ref_tou(&b);
    b.day[0].n = 0;
    expect_rejected(&b, MTR_ERR_CALENDAR_LIMIT);
    ref_tou(&b);
    b.n_seasons = 0;
    expect_rejected(&b, MTR_ERR_CALENDAR_LIMIT);
    ref_tou(&b);
    b.season[1] = b.season[0]; /* overlapping: same start */
    b.season[1].week = 1;
    expect_rejected(&b, MTR_ERR_CALENDAR_SEASONS);
    ref_tou(&b);
    b.season[0] = (struct mtr_tou_season){10, 1, 1};
    b.season[1] = (struct mtr_tou_season){4, 1, 2}; /* unordered */
    expect_rejected(&b, MTR_ERR_CALENDAR_SEASONS);
    ref_tou(&b);
    b.day[0].sw[1] = sw(23, 0, 2); /* 00:00, 23:00, 22:00 */
    expect_rejected(&b, MTR_ERR_CALENDAR_DAY_ORDER);
    ref_tou(&b);
    b.day[0].sw[1] = sw(0, 0, 2); /* duplicate start */
    expect_rejected(&b, MTR_ERR_CALENDAR_DAY_ORDER);
    ref_tou(&b);
    b.day[0].sw[1].tariff = MTR_CFG_TARIFFS + 1;
    expect_rejected(&b, MTR_ERR_CALENDAR_TARIFF);
    ref_tou(&b);
    b.day[0].sw[1].tariff = 0;
    expect_rejected(&b, MTR_ERR_CALENDAR_TARIFF);
    ref_tou(&b);
    b.day[0].sw[1].hour = 24;
    expect_rejected(&b, MTR_ERR_CALENDAR_DATE);
    ref_tou(&b);
    b.season[0].day = 31; /* 04-31 */
    expect_rejected(&b, MTR_ERR_CALENDAR_DATE);
    ref_tou(&b);
    b.season[0] = (struct mtr_tou_season){2, 29, 2};
    expect_rejected(&b, MTR_ERR_CALENDAR_DATE);
    ref_tou(&b);
    b.week[1].day[3] = 77; /* undefined day */
    expect_rejected(&b, MTR_ERR_CALENDAR_REF);
    ref_tou(&b);
    b.season[0].week = 9; /* undefined week */
    expect_rejected(&b, MTR_ERR_CALENDAR_REF);
    ref_tou(&b);
    b.day[1].id = 1; /* duplicate day id */
    expect_rejected(&b, MTR_ERR_CALENDAR_REF);
    ref_tou(&b);
    b.week[1].id = 1;
    expect_rejected(&b, MTR_ERR_CALENDAR_REF);
    struct mtr_calendar before = cal;
    ref_tou(&b);
    cr_assert_eq(mtr_calendar_set_passive(&cal, &b, MTR_UTC_MAX + 1), MTR_ERR_CALENDAR_DATE);
    cr_assert_eq(memcmp(&before, &cal, sizeof cal), 0);
}

Test(tou, full_size_calendar_is_accepted)
{
    struct mtr_tou b;
    memset(&b, 0, sizeof b);
    b.n_days = MTR_CFG_CALENDAR_DAYS;
    for (int d = 0; d < MTR_CFG_CALENDAR_DAYS; d++) {
        b.day[d].id = (uint8_t)(d + 10);
        b.day[d].n = MTR_CFG_CALENDAR_SWITCHES;
        for (int i = 0; i < MTR_CFG_CALENDAR_SWITCHES; i++) {
            uint32_t s = (uint32_t)i * 86400u / MTR_CFG_CALENDAR_SWITCHES;
            b.day[d].sw[i] =
                (struct mtr_tou_switch){(uint8_t)(s / 3600), (uint8_t)(s / 60 % 60),
                                        (uint8_t)(s % 60), (uint8_t)(1 + i % MTR_CFG_TARIFFS)};
        }
    }
    b.n_weeks = MTR_CFG_CALENDAR_WEEKS;
    for (int w = 0; w < MTR_CFG_CALENDAR_WEEKS; w++) {
        b.week[w].id = (uint8_t)(w + 1);
        for (int i = 0; i < 7; i++) {
            b.week[w].day[i] = (uint8_t)(10 + (w * 7 + i) % MTR_CFG_CALENDAR_DAYS);
        }
    }
    b.n_seasons = MTR_CFG_CALENDAR_SEASONS;
    for (int s = 0; s < MTR_CFG_CALENDAR_SEASONS; s++) {
        b.season[s] = (struct mtr_tou_season){(uint8_t)(1 + s * 12 / MTR_CFG_CALENDAR_SEASONS),
                                              (uint8_t)(1 + s % 2),
                                              (uint8_t)(1 + s % MTR_CFG_CALENDAR_WEEKS)};
    }
    cr_assert_eq(mtr_calendar_set_active(&cal, &b), MTR_OK);
}

Test(tou, external_inputs_mode)
{
    struct mtr_clock_view v = view_fixed(ut(2026, 1, 14, 12, 0, 0), 0, 0);
    struct mtr_tariff_sel sel;
    const uint8_t map[4] = {1, 2, 3, 4};
    cr_assert_eq(mtr_calendar_set_control(&cal, MTR_TARIFF_BY_INPUTS, map, v.utc), MTR_OK);
    cr_assert_eq(n_ev, 1);
    cr_assert_eq(evs[0].code, 202); /* seed: change from internal to external */
    mtr_calendar_decide(&cal, &v, 0, &sel);
    cr_assert(sel.tariff == 1 && sel.control == MTR_TARIFF_BY_INPUTS);
    mtr_calendar_decide(&cal, &v, MTR_IN_TARIFF_1, &sel);
    cr_assert_eq(sel.tariff, 2);
    mtr_calendar_decide(&cal, &v, MTR_IN_TARIFF_2, &sel);
    cr_assert_eq(sel.tariff, 3);
    mtr_calendar_decide(&cal, &v, MTR_IN_TARIFF_1 | MTR_IN_TARIFF_2 | MTR_IN_BUTTON_1, &sel);
    cr_assert_eq(sel.tariff, 4);
    const uint8_t bad[4] = {1, 2, 0, 4};
    cr_assert_eq(mtr_calendar_set_control(&cal, MTR_TARIFF_BY_CALENDAR, bad, 0),
                 MTR_ERR_CALENDAR_TARIFF);
    cr_assert_eq(mtr_calendar_set_control(&cal, 7, NULL, 0), MTR_ERR_INVAL);
    mtr_calendar_decide(&cal, &v, MTR_IN_TARIFF_2, &sel);
    cr_assert_eq(sel.tariff, 3);
    cr_assert_eq(mtr_calendar_set_control(&cal, MTR_TARIFF_BY_CALENDAR, NULL, v.utc), MTR_OK);
    cr_assert_eq(evs[1].code, 201);
    mtr_calendar_decide(&cal, &v, MTR_IN_TARIFF_2, &sel);
    cr_assert(sel.tariff == 2 && sel.control == MTR_TARIFF_BY_CALENDAR);
}

Test(tou, activation_masks)
{
    /* Smart Factory three-phase (seed 002): 8 active, 4 reactive tariffs;
     * here demand register M1 collects tariffs 1 and 5. */
    struct mtr_tariff_masks m = {.energy = 1u << 4, .demand = 1u << 0};
    cr_assert_eq(mtr_calendar_set_masks(&cal, 5, &m), MTR_OK);
    struct mtr_clock_view v = view_fixed(ut(2026, 4, 1, 3, 0, 0), 0, 0);
    struct mtr_tariff_sel sel;
    mtr_calendar_decide(&cal, &v, 0, &sel);
    cr_assert(sel.tariff == 5 && sel.masks.energy == 0x10 && sel.masks.demand == 0x01);
    struct mtr_calendar before = cal;
    struct mtr_tariff_masks two = {.energy = 0x3, .demand = 0x1};
    cr_assert_eq(mtr_calendar_set_masks(&cal, 1, &two), MTR_ERR_CALENDAR_TARIFF);
    struct mtr_tariff_masks none = {.energy = 0x1, .demand = 0};
    cr_assert_eq(mtr_calendar_set_masks(&cal, 1, &none), MTR_ERR_CALENDAR_TARIFF);
    struct mtr_tariff_masks high = {.energy = (uint16_t)(1u << MTR_CFG_TARIFFS), .demand = 1};
    cr_assert_eq(mtr_calendar_set_masks(&cal, 1, &high), MTR_ERR_CALENDAR_TARIFF);
    cr_assert_eq(mtr_calendar_set_masks(&cal, 0, &m), MTR_ERR_CALENDAR_TARIFF);
    cr_assert_eq(memcmp(&before, &cal, sizeof cal), 0);
}

Test(tou, mask_list_all_or_nothing)
{
    struct mtr_tariff_masks list[MTR_CFG_TARIFFS];
    for (unsigned t = 0; t < MTR_CFG_TARIFFS; t++) {
        /* energy: every tariff to T1; demand: tariff n to M(n+1), the last to M1 */
        list[t].energy = 1u;
        list[t].demand = (uint16_t)(1u << ((t + 1u) % MTR_CFG_TARIFFS));
    }
    uint32_t seq = mtr_calendar_changes(&cal);
    cr_assert_eq(mtr_calendar_set_mask_list(&cal, list), MTR_OK);
    cr_assert_eq(mtr_calendar_changes(&cal), seq + 1, "one change");
    for (uint8_t t = 1; t <= MTR_CFG_TARIFFS; t++) {
        struct mtr_tariff_masks m;
        cr_assert(mtr_calendar_masks(&cal, t, &m));
        cr_assert(m.energy == list[t - 1].energy && m.demand == list[t - 1].demand, "T%u", t);
    }
    cr_assert_eq(mtr_calendar_set_mask_list(&cal, list), MTR_OK);
    cr_assert_eq(mtr_calendar_changes(&cal), seq + 1, "the same list is no change");
    struct mtr_clock_view v = view_fixed(ut(2026, 4, 1, 3, 0, 0), 0, 0);
    struct mtr_tariff_sel sel;
    mtr_calendar_decide(&cal, &v, 0, &sel);
    cr_assert_eq(sel.masks.energy, 1u);

    /* one bad mask anywhere: nothing changes */
    struct mtr_calendar before = cal;
    const uint16_t bad[] = {0, 3, (uint16_t)(1u << MTR_CFG_TARIFFS)};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        struct mtr_tariff_masks l2[MTR_CFG_TARIFFS];
        memcpy(l2, list, sizeof l2);
        l2[MTR_CFG_TARIFFS - 1].energy = 2u;     /* a good change ... */
        l2[k % MTR_CFG_TARIFFS].demand = bad[k]; /* ... and a bad one */
        cr_assert_eq(mtr_calendar_set_mask_list(&cal, l2), MTR_ERR_CALENDAR_TARIFF, "k=%zu", k);
        cr_assert_eq(memcmp(&before, &cal, sizeof cal), 0);
    }
}

Test(tou, no_calendar_means_tariff_one)
{
    struct mtr_calendar empty;
    mtr_calendar_init(&empty, NULL);
    cr_assert_null(mtr_calendar_active(&empty));
    struct mtr_clock_view v = view_fixed(ut(2026, 1, 14, 12, 0, 0), 0, 0);
    struct mtr_tariff_sel sel;
    mtr_calendar_decide(&empty, &v, 0, &sel);
    cr_assert_eq(sel.tariff, 1);
}
