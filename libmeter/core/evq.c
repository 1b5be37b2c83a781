/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include "meter/meter.h"

#define EVQ_MASK (MTR_CFG_EVENT_QUEUE_LEN - 1u)

/* Stops the compiler from moving memory accesses across it. On a single-core
 * MCU this is the only ordering the queue needs; the indices are free-running
 * 32-bit words, stored atomically on every supported core. */
#if defined(__GNUC__) || defined(__clang__)
#define EVQ_BARRIER() __asm__ volatile("" ::: "memory")
#else
#define EVQ_BARRIER() ((void)0)
#endif

void mtr_evq_init(struct mtr_evq *q)
{
    MTR_ASSERT(q != NULL);
    memset(q, 0, sizeof *q);
}

static uint32_t lock(const struct mtr_hal *hal)
{
    uint32_t state = 0;
    if (hal != NULL && hal->sys != NULL && hal->sys->critical_enter != NULL) {
        (void)hal->sys->critical_enter(hal->ctx, &state);
    }
    return state;
}

static void unlock(const struct mtr_hal *hal, uint32_t state)
{
    if (hal != NULL && hal->sys != NULL && hal->sys->critical_exit != NULL) {
        (void)hal->sys->critical_exit(hal->ctx, state);
    }
}

mtr_err_t mtr_evq_post(struct mtr_evq *q, const struct mtr_hal *hal, const struct mtr_event *ev)
{
    MTR_ASSERT(q != NULL && ev != NULL);
    mtr_err_t rc = MTR_OK;
    uint32_t state = lock(hal);
    uint32_t head = q->head;
    if (head - q->tail >= MTR_CFG_EVENT_QUEUE_LEN) {
        q->dropped++;
        rc = MTR_ERR_FULL;
    } else {
        q->slot[head & EVQ_MASK] = *ev;
        EVQ_BARRIER(); /* slot contents before the index that publishes them */
        q->head = head + 1u;
    }
    unlock(hal, state);
    return rc;
}

mtr_err_t mtr_evq_get(struct mtr_evq *q, struct mtr_event *ev)
{
    MTR_ASSERT(q != NULL && ev != NULL);
    uint32_t tail = q->tail;
    if (q->head == tail) {
        return MTR_ERR_EMPTY;
    }
    EVQ_BARRIER(); /* index before the slot it published */
    *ev = q->slot[tail & EVQ_MASK];
    EVQ_BARRIER(); /* copy out before the slot is handed back */
    q->tail = tail + 1u;
    return MTR_OK;
}

uint32_t mtr_evq_count(const struct mtr_evq *q)
{
    MTR_ASSERT(q != NULL);
    return q->head - q->tail;
}
