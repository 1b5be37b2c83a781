/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Capture (Blue Book class 7 method 2), reset (method 1), the capture
 * schedule and the status notes.
 *
 * Status byte: seed profiles.json "profile_status_byte" and its implied
 * rules (CIV or ERR imply DNV; bits 4 and 6 always 0).
 * Schedule: boundaries are the times b with (b + align_offset_s) a multiple
 * of the capture period, UTC by default (docs/profiles.md).
 */
#include <string.h>

#include "pf_priv.h"

void mtr_profile_note(struct mtr_profile *p, uint8_t bits)
{
    MTR_ASSERT(p != NULL);
    p->pending |= (uint8_t)(bits & (uint8_t)~PF_ST_RESERVED);
}

uint8_t mtr_profile_pending(const struct mtr_profile *p)
{
    MTR_ASSERT(p != NULL);
    return p->pending;
}

static uint8_t implied(uint8_t status)
{
    status &= (uint8_t)~PF_ST_RESERVED;
    if ((status & (MTR_PROFILE_ST_CIV | MTR_PROFILE_ST_ERR)) != 0) {
        status |= MTR_PROFILE_ST_DNV;
    }
    return status;
}

/* Append the record in p->rec; track erase units dropped by the ring. */
static mtr_err_t append(struct mtr_profile *p, size_t len)
{
    uint32_t before = 0, after = 0;
    mtr_err_t rc = mtr_store_count(p->st, p->cfg->part, &before);
    if (rc == MTR_OK) {
        rc = mtr_store_append(p->st, p->cfg->part, p->rec, len);
    }
    if (rc != MTR_OK) {
        /* The record may or may not be in the ring: count again before the
         * next use. */
        p->flags |= PF_RESCAN;
        p->hint_n = 0;
        return rc;
    }
    rc = mtr_store_count(p->st, p->cfg->part, &after);
    if (rc == MTR_OK && after != before + 1u) {
        rc = pf_oldest(p); /* the oldest erase unit was dropped */
    }
    if (rc != MTR_OK) {
        p->flags |= PF_RESCAN;
    }
    return MTR_OK;
}

mtr_err_t mtr_profile_capture(struct mtr_profile *p, mtr_utc_t utc, uint8_t status,
                              const int64_t *values, size_t n)
{
    MTR_ASSERT(p != NULL);
    MTR_ASSERT(values != NULL || n == 0);
    if ((p->flags & PF_READY) == 0) {
        return MTR_ERR_STATE;
    }
    if (n != p->nvalues) {
        return MTR_ERR_PROFILE_VALUES;
    }
    if (utc < 0 || utc > MTR_PROFILE_UTC_MAX) {
        return MTR_ERR_RANGE;
    }
    mtr_err_t rc = pf_refresh(p);
    if (rc != MTR_OK) {
        return rc;
    }
    if (p->newest_n >= UINT32_MAX - 1u) {
        return MTR_ERR_OVERFLOW;
    }
    uint8_t st = implied((uint8_t)(status | p->pending));
    uint32_t num = p->newest_n + 1u;
    size_t len = pf_encode(p->rec, MTR_PROFILE_REC_ENTRY, st, num, utc, values, n);
    rc = append(p, len);
    if (rc != MTR_OK) {
        return rc;
    }
    if (p->in_use > 0 && utc < p->last_utc) {
        p->desc_n = num; /* the clock went back: range reads scan linearly */
    }
    uint32_t old_base = p->base_n;
    p->newest_n = num;
    p->last_utc = utc;
    p->sched_utc = utc;
    p->pending = 0;
    p->hint_pos = 0;
    p->hint_n = 0;
    pf_set_base(p);
    if (p->gaps > 0 && p->base_n != old_base) {
        p->flags |= PF_RESCAN; /* damaged records may have left the buffer */
        (void)pf_refresh(p);
    } else {
        p->in_use = p->newest_n - p->base_n - p->gaps;
    }
    return MTR_OK;
}

mtr_err_t mtr_profile_reset(struct mtr_profile *p, mtr_utc_t utc)
{
    MTR_ASSERT(p != NULL);
    if ((p->flags & PF_READY) == 0) {
        return MTR_ERR_STATE;
    }
    if (utc < 0 || utc > MTR_PROFILE_UTC_MAX) {
        return MTR_ERR_RANGE;
    }
    mtr_err_t rc = pf_refresh(p);
    if (rc != MTR_OK) {
        return rc;
    }
    int64_t last = p->last_utc;
    size_t len = pf_encode(p->rec, MTR_PROFILE_REC_RESET, 0, p->newest_n, utc, &last, 1);
    rc = append(p, len);
    if (rc != MTR_OK) {
        return rc;
    }
    p->marker_n = p->newest_n;
    p->reset_utc = utc;
    p->flags |= PF_RESET;
    p->hint_n = 0;
    pf_set_base(p);
    p->in_use = 0;
    p->gaps = 0;
    p->desc_n = 0;
    return MTR_OK;
}

/* ---------------------------------------------------------------- schedule */

/* The latest boundary <= t: (b + offset) a multiple of the period. */
static mtr_utc_t floor_boundary(const struct mtr_profile *p, mtr_utc_t t)
{
    int64_t period = (int64_t)p->period_s;
    int64_t x = t + p->cfg->align_offset_s;
    int64_t q = x / period;
    if (x % period < 0) {
        q--;
    }
    return q * period - p->cfg->align_offset_s;
}

bool mtr_profile_due(struct mtr_profile *p, mtr_utc_t utc, mtr_utc_t *boundary)
{
    MTR_ASSERT(p != NULL);
    if ((p->flags & PF_READY) == 0 || p->period_s == 0) {
        return false;
    }
    if (p->sched_utc < 0) {
        /* Nothing captured yet: the schedule starts now, the first entry
         * comes at the next boundary. */
        p->sched_utc = utc;
        return false;
    }
    if (utc < p->sched_utc) {
        /* The clock is behind the last capture and nobody said so. */
        mtr_profile_clock_changed(p, p->sched_utc, utc);
        return false;
    }
    mtr_utc_t b = floor_boundary(p, utc);
    if (b <= p->sched_utc) {
        return false;
    }
    if (boundary != NULL) {
        *boundary = b;
    }
    return true;
}

void mtr_profile_clock_changed(struct mtr_profile *p, mtr_utc_t old_utc, mtr_utc_t new_utc)
{
    MTR_ASSERT(p != NULL);
    (void)old_utc;
    p->pending |= MTR_PROFILE_ST_CAD;
    if (p->period_s != 0 && p->sched_utc >= 0 && new_utc < p->sched_utc) {
        /* Back before the last capture: boundaries after the new time are
         * captured again (not lost); the one at or before it is taken as
         * done (not captured at once, not duplicated). */
        p->sched_utc = floor_boundary(p, new_utc);
    } else if (p->period_s == 0 && p->sched_utc >= 0 && new_utc < p->sched_utc) {
        p->sched_utc = new_utc;
    }
}
