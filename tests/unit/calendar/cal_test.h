/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the calendar and tariff tests. Oracles use the host's
 * libc (timegm, localtime_r with POSIX TZ rules), never the code under test. */
#ifndef CAL_TEST_H
#define CAL_TEST_H

#define _DEFAULT_SOURCE 1
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "meter/clock.h"
#include "meter/tariff.h"

/** UTC second of a UTC civil time, by libc. */
static inline mtr_utc_t ut(int y, int mo, int d, int h, int mi, int s)
{
    struct tm tm = {.tm_year = y - 1900,
                    .tm_mon = mo - 1,
                    .tm_mday = d,
                    .tm_hour = h,
                    .tm_min = mi,
                    .tm_sec = s};
    return (mtr_utc_t)timegm(&tm);
}

/** A view of @p utc at a fixed offset (no DST), built without the clock. */
static inline struct mtr_clock_view view_fixed(mtr_utc_t utc, int32_t offset_s, uint32_t seq)
{
    struct mtr_clock_view v;
    memset(&v, 0, sizeof v);
    v.utc = utc;
    v.offset_s = offset_s;
    v.std_offset_s = offset_s;
    v.change_seq = seq;
    (void)mtr_datetime_from_utc(utc, offset_s, 0, &v.local);
    return v;
}

/** Selection of tariff @p t with the identity masks. */
static inline struct mtr_tariff_sel sel_of(uint8_t t)
{
    struct mtr_tariff_sel s = {.tariff = t,
                               .control = MTR_TARIFF_BY_CALENDAR,
                               .masks = {(uint16_t)(1u << (t - 1)), (uint16_t)(1u << (t - 1))}};
    return s;
}

/** Switching point. */
static inline struct mtr_tou_switch sw(uint8_t h, uint8_t m, uint8_t tariff)
{
    struct mtr_tou_switch s = {h, m, 0, tariff};
    return s;
}

/**
 * Reference calendar: winter season from 10-01 (week 1), summer from 04-01
 * (week 2). Day 1 (workday): 00:00 T1, 07:00 T2, 22:00 T1. Day 2 (weekend):
 * 00:00 T3. Day 3 (holiday): 00:00 T4. Day 4 (summer workday): 06:00 T2,
 * 02:30 is skipped on purpose: 00:00 T1, 02:30 T5, 06:00 T2, 21:00 T1.
 * Week 1: Mon-Fri day 1, Sat-Sun day 2. Week 2: Mon-Fri day 4, Sat-Sun day 2.
 */
static inline void ref_tou(struct mtr_tou *t)
{
    memset(t, 0, sizeof *t);
    t->n_days = 4;
    t->day[0].id = 1;
    t->day[0].n = 3;
    t->day[0].sw[0] = sw(0, 0, 1);
    t->day[0].sw[1] = sw(7, 0, 2);
    t->day[0].sw[2] = sw(22, 0, 1);
    t->day[1].id = 2;
    t->day[1].n = 1;
    t->day[1].sw[0] = sw(0, 0, 3);
    t->day[2].id = 3;
    t->day[2].n = 1;
    t->day[2].sw[0] = sw(0, 0, 4);
    t->day[3].id = 4;
    t->day[3].n = 4;
    t->day[3].sw[0] = sw(0, 0, 1);
    t->day[3].sw[1] = sw(2, 30, 5);
    t->day[3].sw[2] = sw(6, 0, 2);
    t->day[3].sw[3] = sw(21, 0, 1);
    t->n_weeks = 2;
    t->week[0].id = 1;
    t->week[1].id = 2;
    for (int i = 0; i < 7; i++) {
        t->week[0].day[i] = i < 5 ? 1 : 2;
        t->week[1].day[i] = i < 5 ? 4 : 2;
    }
    t->n_seasons = 2;
    t->season[0] = (struct mtr_tou_season){4, 1, 2};
    t->season[1] = (struct mtr_tou_season){10, 1, 1};
}

#endif /* CAL_TEST_H */
