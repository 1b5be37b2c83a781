/* SPDX-License-Identifier: Apache-2.0 */
#include <criterion/criterion.h>

#include "meter/meter.h"

struct rec {
    int fired;
    mtr_ms_t at[16];
    mtr_ms_t *now;
};

static void on_fire(struct mtr_timer *t, void *arg)
{
    (void)t;
    struct rec *r = arg;
    if (r->fired < 16) {
        r->at[r->fired] = *r->now;
    }
    r->fired++;
}

Test(timers, one_shot_fires_once_when_due)
{
    struct mtr_timers list = {0};
    struct mtr_timer t;
    mtr_ms_t now = 1000;
    struct rec r = {.now = &now};
    mtr_timer_init(&t, on_fire, &r);
    cr_assert_eq(mtr_timers_start(&list, &t, now, 50, 0), MTR_OK);
    cr_assert_eq(mtr_timers_next(&list, now), 50u);
    now = 1049;
    cr_assert_eq(mtr_timers_run(&list, now), 0u);
    cr_assert_eq(mtr_timers_next(&list, now), 1u);
    now = 1050;
    cr_assert_eq(mtr_timers_run(&list, now), 1u);
    cr_assert_eq(r.fired, 1);
    cr_assert_not(mtr_timer_armed(&t));
    now = 5000;
    cr_assert_eq(mtr_timers_run(&list, now), 0u);
    cr_assert_eq(mtr_timers_next(&list, now), MTR_POLL_FOREVER);
}

Test(timers, due_order_across_the_wrap)
{
    struct mtr_timers list = {0};
    struct mtr_timer a;
    struct mtr_timer b;
    struct mtr_timer c;
    mtr_ms_t now = 0xFFFFFF00u;
    struct rec ra = {.now = &now};
    struct rec rb = {.now = &now};
    struct rec rc = {.now = &now};
    mtr_timer_init(&a, on_fire, &ra);
    mtr_timer_init(&b, on_fire, &rb);
    mtr_timer_init(&c, on_fire, &rc);
    mtr_timers_start(&list, &a, now, 0x300, 0); /* due after the wrap: 0x200 */
    mtr_timers_start(&list, &b, now, 0x80, 0);  /* before the wrap */
    mtr_timers_start(&list, &c, now, 0x100, 0); /* exactly at 0 */
    cr_assert_eq(mtr_timers_next(&list, now), 0x80u);
    now = 0xFFFFFF80u;
    cr_assert_eq(mtr_timers_run(&list, now), 1u);
    cr_assert_eq(rb.fired, 1);
    now = 0;
    cr_assert_eq(mtr_timers_run(&list, now), 1u);
    cr_assert_eq(rc.fired, 1);
    cr_assert_eq(ra.fired, 0);
    cr_assert_eq(mtr_timers_next(&list, now), 0x200u);
    now = 0x200;
    cr_assert_eq(mtr_timers_run(&list, now), 1u);
    cr_assert_eq(ra.fired, 1);
}

Test(timers, periodic_keeps_phase_and_counts_missed)
{
    struct mtr_timers list = {0};
    struct mtr_timer t;
    mtr_ms_t now = 0;
    struct rec r = {.now = &now};
    mtr_timer_init(&t, on_fire, &r);
    mtr_timers_start(&list, &t, now, 100, 100);
    for (now = 0; now <= 1000; now += 10) {
        mtr_timers_run(&list, now);
    }
    cr_assert_eq(r.fired, 10);
    for (int i = 0; i < 10; i++) {
        cr_assert_eq(r.at[i], (mtr_ms_t)(100 * (i + 1)), "no drift");
    }
    /* The loop stalls for 355 ms: one run, three periods missed, phase kept. */
    now = 1455;
    cr_assert_eq(mtr_timers_run(&list, now), 1u);
    cr_assert_eq(t.missed, 3u);
    cr_assert_eq(mtr_timers_next(&list, now), 45u);
}

Test(timers, stop_and_restart)
{
    struct mtr_timers list = {0};
    struct mtr_timer t;
    struct mtr_timer u;
    mtr_ms_t now = 0;
    struct rec r = {.now = &now};
    struct rec ru = {.now = &now};
    mtr_timer_init(&t, on_fire, &r);
    mtr_timer_init(&u, on_fire, &ru);
    mtr_timers_start(&list, &t, now, 10, 0);
    mtr_timers_start(&list, &u, now, 20, 0);
    mtr_timers_stop(&list, &t);
    mtr_timers_stop(&list, &t); /* twice is harmless */
    cr_assert_not(mtr_timer_armed(&t));
    mtr_timers_start(&list, &u, now, 5, 0); /* re-arm moves it */
    now = 30;
    cr_assert_eq(mtr_timers_run(&list, now), 1u);
    cr_assert_eq(r.fired, 0);
    cr_assert_eq(ru.fired, 1);
    cr_assert_eq(ru.at[0], 30u);
}

Test(timers, rejects_delays_beyond_the_wrap_safe_range)
{
    struct mtr_timers list = {0};
    struct mtr_timer t;
    mtr_ms_t now = 0;
    struct rec r = {.now = &now};
    mtr_timer_init(&t, on_fire, &r);
    cr_assert_eq(mtr_timers_start(&list, &t, 0, MTR_TIMER_MAX_MS + 1u, 0), MTR_ERR_RANGE);
    cr_assert_eq(mtr_timers_start(&list, &t, 0, 1, MTR_TIMER_MAX_MS + 1u), MTR_ERR_RANGE);
    cr_assert_not(mtr_timer_armed(&t));
    cr_assert_eq(mtr_timers_start(&list, &t, 0, MTR_TIMER_MAX_MS, 0), MTR_OK);
}

static struct mtr_timers self_list;

static void rearm_now(struct mtr_timer *t, void *arg)
{
    int *n = arg;
    (*n)++;
    mtr_timers_start(&self_list, t, 0, 0, 0); /* due again at once */
}

Test(timers, callback_rearming_itself_runs_once_per_call)
{
    struct mtr_timer t;
    int n = 0;
    self_list.head = NULL;
    mtr_timer_init(&t, rearm_now, &n);
    mtr_timers_start(&self_list, &t, 0, 0, 0);
    cr_assert_eq(mtr_timers_run(&self_list, 0), 1u);
    cr_assert_eq(n, 1);
    cr_assert(mtr_timer_armed(&t));
}
