/* SPDX-License-Identifier: Apache-2.0 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>

#include "meter/meter.h"

static struct mtr_event ev(uint8_t type, uint32_t arg)
{
    return (struct mtr_event){.type = type, .arg = arg};
}

Test(evq, fifo_order_and_empty)
{
    struct mtr_evq q;
    mtr_evq_init(&q);
    struct mtr_event out;
    cr_assert_eq(mtr_evq_get(&q, &out), MTR_ERR_EMPTY);
    for (uint32_t i = 0; i < 5; i++) {
        struct mtr_event e = ev(MTR_EV_USER, i);
        cr_assert_eq(mtr_evq_post(&q, NULL, &e), MTR_OK);
    }
    cr_assert_eq(mtr_evq_count(&q), 5u);
    for (uint32_t i = 0; i < 5; i++) {
        cr_assert_eq(mtr_evq_get(&q, &out), MTR_OK);
        cr_assert_eq(out.arg, i);
    }
    cr_assert_eq(mtr_evq_get(&q, &out), MTR_ERR_EMPTY);
}

Test(evq, full_queue_drops_new_event_and_counts)
{
    struct mtr_evq q;
    mtr_evq_init(&q);
    for (uint32_t i = 0; i < MTR_CFG_EVENT_QUEUE_LEN; i++) {
        struct mtr_event e = ev(MTR_EV_USER, i);
        cr_assert_eq(mtr_evq_post(&q, NULL, &e), MTR_OK);
    }
    struct mtr_event extra = ev(MTR_EV_USER, 999);
    cr_assert_eq(mtr_evq_post(&q, NULL, &extra), MTR_ERR_FULL);
    cr_assert_eq(q.dropped, 1u);
    struct mtr_event out;
    for (uint32_t i = 0; i < MTR_CFG_EVENT_QUEUE_LEN; i++) {
        cr_assert_eq(mtr_evq_get(&q, &out), MTR_OK);
        cr_assert_eq(out.arg, i, "queued events intact after an overflow");
    }
    cr_assert_eq(mtr_evq_get(&q, &out), MTR_ERR_EMPTY);
}

Test(evq, indices_wrap_around_2_pow_32)
{
    struct mtr_evq q;
    mtr_evq_init(&q);
    q.head = q.tail = 0xFFFFFFFEu;
    for (uint32_t i = 0; i < 6; i++) {
        struct mtr_event e = ev(MTR_EV_USER, i);
        cr_assert_eq(mtr_evq_post(&q, NULL, &e), MTR_OK);
    }
    cr_assert_eq(mtr_evq_count(&q), 6u);
    struct mtr_event out;
    for (uint32_t i = 0; i < 6; i++) {
        cr_assert_eq(mtr_evq_get(&q, &out), MTR_OK);
        cr_assert_eq(out.arg, i);
    }
}

/* A signal handler stands in for an interrupt: it preempts the consumer at
 * arbitrary points. Every event posted must come out exactly once, in order. */
static struct mtr_evq sq;
static volatile uint32_t posted;
static volatile uint32_t rejected;

static void on_alarm(int sig)
{
    (void)sig;
    struct mtr_event e = ev(MTR_EV_USER, posted);
    if (mtr_evq_post(&sq, NULL, &e) == MTR_OK) {
        posted = posted + 1;
    } else {
        rejected = rejected + 1;
    }
}

Test(evq, producer_in_signal_handler)
{
    mtr_evq_init(&sq);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigaction(SIGUSR1, &sa, NULL);
    uint32_t expect = 0;
    struct mtr_event out;
    for (int round = 0; round < 20000; round++) {
        raise(SIGUSR1);
        if (round % 3 == 0) {
            raise(SIGUSR1);
        }
        while (mtr_evq_get(&sq, &out) == MTR_OK) {
            cr_assert_eq(out.arg, expect, "event lost or reordered");
            expect++;
        }
    }
    cr_assert_eq(expect, posted);
    cr_assert_eq(sq.dropped, rejected);
    signal(SIGUSR1, SIG_DFL);
}

/* Two producer threads serialised by a critical section (a mutex standing
 * for masked interrupts) and one consumer: nothing lost, per-producer order kept. */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static mtr_err_t crit_enter(void *ctx, uint32_t *state)
{
    (void)ctx;
    *state = 0;
    pthread_mutex_lock(&mu);
    return MTR_OK;
}

static mtr_err_t crit_exit(void *ctx, uint32_t state)
{
    (void)ctx;
    (void)state;
    pthread_mutex_unlock(&mu);
    return MTR_OK;
}

static const struct mtr_sys_ops crit_ops = {.critical_enter = crit_enter, .critical_exit = crit_exit};
static const struct mtr_hal crit_hal = {.sys = &crit_ops};
static struct mtr_evq tq;
#define PER_PRODUCER 200000u

static void *producer(void *arg)
{
    uint8_t src = (uint8_t)(uintptr_t)arg;
    for (uint32_t i = 0; i < PER_PRODUCER;) {
        struct mtr_event e = {.type = MTR_EV_USER, .src = src, .arg = i};
        if (mtr_evq_post(&tq, &crit_hal, &e) == MTR_OK) {
            i++;
        }
    }
    return NULL;
}

Test(evq, two_producers_one_consumer)
{
    mtr_evq_init(&tq);
    pthread_t a;
    pthread_t b;
    pthread_create(&a, NULL, producer, (void *)(uintptr_t)1);
    pthread_create(&b, NULL, producer, (void *)(uintptr_t)2);
    uint32_t next[3] = {0, 0, 0};
    struct mtr_event out;
    while (next[1] < PER_PRODUCER || next[2] < PER_PRODUCER) {
        if (mtr_evq_get(&tq, &out) == MTR_OK) {
            cr_assert(out.src == 1 || out.src == 2);
            cr_assert_eq(out.arg, next[out.src], "producer %d: lost or reordered", out.src);
            next[out.src]++;
        }
    }
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    cr_assert_eq(mtr_evq_get(&tq, &out), MTR_ERR_EMPTY);
}
