/* SPDX-License-Identifier: Apache-2.0 */
#include "meter/meter.h"

void mtr_timer_init(struct mtr_timer *t, mtr_timer_fn fn, void *arg)
{
    MTR_ASSERT(t != NULL && fn != NULL);
    t->next = NULL;
    t->due = 0;
    t->period = 0;
    t->missed = 0;
    t->fn = fn;
    t->arg = arg;
    t->armed = false;
}

size_t mtr_timer_size(void)
{
    return sizeof(struct mtr_timer);
}

bool mtr_timer_armed(const struct mtr_timer *t)
{
    MTR_ASSERT(t != NULL);
    return t->armed;
}

static void unlink_timer(struct mtr_timers *list, struct mtr_timer *t)
{
    for (struct mtr_timer **pp = &list->head; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == t) {
            *pp = t->next;
            break;
        }
    }
    t->next = NULL;
    t->armed = false;
}

/* Dues all lie within MTR_TIMER_MAX_MS (plus lateness) of each other, so the
 * signed difference orders them across the wrap. */
static void insert_sorted(struct mtr_timers *list, struct mtr_timer *t)
{
    struct mtr_timer **pp = &list->head;
    while (*pp != NULL && (int32_t)((*pp)->due - t->due) <= 0) {
        pp = &(*pp)->next;
    }
    t->next = *pp;
    *pp = t;
    t->armed = true;
}

mtr_err_t mtr_timers_start(struct mtr_timers *list, struct mtr_timer *t, mtr_ms_t now,
                           uint32_t delay, uint32_t period)
{
    MTR_ASSERT(list != NULL && t != NULL && t->fn != NULL);
    if (delay > MTR_TIMER_MAX_MS || period > MTR_TIMER_MAX_MS) {
        return MTR_ERR_RANGE;
    }
    if (t->armed) {
        unlink_timer(list, t);
    }
    t->due = now + delay;
    t->period = period;
    t->missed = 0;
    insert_sorted(list, t);
    return MTR_OK;
}

void mtr_timers_stop(struct mtr_timers *list, struct mtr_timer *t)
{
    MTR_ASSERT(list != NULL && t != NULL);
    if (t->armed) {
        unlink_timer(list, t);
    }
}

uint32_t mtr_timers_run(struct mtr_timers *list, mtr_ms_t now)
{
    MTR_ASSERT(list != NULL);
    uint32_t runs = 0;
    /* Timers re-armed for now by their own callback are not run again in
     * this call: the loop stops at the first timer due after 'now' or once
     * every timer present at entry had its turn. */
    uint32_t budget = 0;
    for (struct mtr_timer *t = list->head; t != NULL; t = t->next) {
        budget++;
    }
    while (budget-- > 0 && list->head != NULL && mtr_ms_reached(now, list->head->due)) {
        struct mtr_timer *t = list->head;
        list->head = t->next;
        t->next = NULL;
        t->armed = false;
        if (t->period != 0) {
            uint32_t late = now - t->due;
            uint32_t skipped = late / t->period;
            t->missed += skipped;
            t->due += (skipped + 1u) * t->period;
            insert_sorted(list, t);
        }
        t->fn(t, t->arg);
        runs++;
    }
    return runs;
}

uint32_t mtr_timers_next(const struct mtr_timers *list, mtr_ms_t now)
{
    MTR_ASSERT(list != NULL);
    if (list->head == NULL) {
        return MTR_POLL_FOREVER;
    }
    if (mtr_ms_reached(now, list->head->due)) {
        return 0;
    }
    return list->head->due - now;
}
