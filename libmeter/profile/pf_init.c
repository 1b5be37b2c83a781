/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Configuration check and recovery of a profile from its ring, plus the
 * attribute accessors (Blue Book class 7 attributes 3..8).
 *
 * Recovery reads every ring position once: the newest entry number, the
 * newest reset marker, the last capture time and the oldest number still in
 * the ring; then the entries of the buffer once more, to count them (holes
 * and damaged records are not counted) and to see whether their capture
 * times ever go back. Every loop is bounded by the ring's positions.
 */
#include <string.h>

#include "pf_priv.h"

static mtr_err_t check_config(const struct mtr_profile_config *cfg, uint8_t *nvalues)
{
    if (!pf_period_ok(cfg->capture_period_s) || cfg->align_offset_s <= -86400 ||
        cfg->align_offset_s >= 86400) {
        return MTR_ERR_PROFILE_PERIOD;
    }
    if (cfg->ncolumns == 0 || cfg->ncolumns > MTR_CFG_PROFILE_COLUMNS || cfg->columns == NULL) {
        return MTR_ERR_PROFILE_COLUMNS;
    }
    uint8_t clocks = 0, statuses = 0, values = 0;
    for (uint8_t i = 0; i < cfg->ncolumns; i++) {
        switch (cfg->columns[i].kind) {
        case MTR_PROFILE_COL_CLOCK:
            clocks++;
            break;
        case MTR_PROFILE_COL_STATUS:
            statuses++;
            break;
        case MTR_PROFILE_COL_VALUE:
            values++;
            break;
        default:
            return MTR_ERR_PROFILE_COLUMNS;
        }
    }
    if (clocks > 1 || statuses > 1) {
        return MTR_ERR_PROFILE_COLUMNS;
    }
    *nvalues = values;
    return MTR_OK;
}

/* The ring's largest payload. The store has no accessor for it: its
 * partition table is the caller's own configuration, reachable from the
 * store context. */
void pf_set_base(struct mtr_profile *p)
{
    uint32_t cap = p->cfg->capacity;
    uint32_t base = p->newest_n > cap ? p->newest_n - cap : 0u;
    base = p->marker_n > base ? p->marker_n : base;
    base = p->gone_n > base ? p->gone_n : base;
    p->base_n = base > p->newest_n ? p->newest_n : base;
}

/* Entry numbers up to gone_n have left the ring: from its oldest good record. */
mtr_err_t pf_oldest(struct mtr_profile *p)
{
    uint32_t count = 0;
    mtr_err_t rc = mtr_store_count(p->st, p->cfg->part, &count);
    for (uint32_t pos = 0; rc == MTR_OK && pos < count; pos++) {
        struct pf_hdr h;
        rc = pf_read(p, pos, &h);
        if (rc == MTR_OK) {
            uint32_t gone = h.ours && h.n > 0 ? h.n - 1u : h.n;
            p->gone_n = gone > p->gone_n ? gone : p->gone_n;
            if (h.n > p->marker_n) {
                p->flags &= (uint8_t)~PF_RESET; /* the newest marker left the ring */
            }
            break;
        }
        rc = rc == MTR_ERR_NOENT ? MTR_OK : rc;
    }
    p->hint_n = 0;
    return rc;
}

static mtr_utc_t clamp_utc(int64_t t)
{
    return t < 0 ? -1 : t > MTR_PROFILE_UTC_MAX ? MTR_PROFILE_UTC_MAX : t;
}

mtr_err_t pf_recover(struct mtr_profile *p)
{
    uint32_t count = 0;
    mtr_err_t rc = mtr_store_count(p->st, p->cfg->part, &count);
    if (rc != MTR_OK) {
        return rc;
    }
    uint32_t newest = 0, marker = 0, gone = 0;
    bool any = false;
    mtr_utc_t last = -1, reset = -1;
    for (uint32_t pos = 0; pos < count; pos++) {
        struct pf_hdr h;
        rc = pf_read(p, pos, &h);
        if (rc == MTR_ERR_NOENT) {
            continue;
        }
        if (rc != MTR_OK) {
            return rc;
        }
        if (!any) {
            gone = h.ours && h.n > 0 ? h.n - 1u : h.n;
            any = true;
        }
        newest = h.n > newest ? h.n : newest;
        if (h.type == MTR_PROFILE_REC_RESET) {
            marker = h.n > marker ? h.n : marker;
            reset = h.utc;
            last = clamp_utc(pf_value(p->rec, 0));
        } else {
            /* Entries of another layout (capture objects changed) end the
             * buffer as a reset would (Blue Book: changing capture_objects
             * clears the buffer). */
            marker = !h.ours && h.n > marker ? h.n : marker;
            last = h.utc;
        }
    }
    p->newest_n = newest;
    p->marker_n = marker;
    p->gone_n = gone;
    p->last_utc = last;
    p->reset_utc = reset;
    p->flags = (uint8_t)((p->flags & ~PF_RESET) | (reset >= 0 ? PF_RESET : 0u));
    p->hint_n = 0;
    pf_set_base(p);

    /* The buffer: count its entries, see whether capture times go back. */
    uint32_t in_use = 0, desc = 0;
    mtr_utc_t prev = 0;
    for (uint32_t n = p->base_n + 1u; n <= newest && n != 0;) {
        uint32_t pos;
        struct pf_hdr h;
        rc = pf_locate(p, n, &pos, &h);
        if (rc == MTR_ERR_EMPTY) {
            break;
        }
        if (rc != MTR_OK) {
            return rc;
        }
        if (in_use > 0 && h.utc < prev) {
            desc = h.n;
        }
        prev = h.utc;
        in_use++;
        n = h.n + 1u;
    }
    p->in_use = in_use;
    p->desc_n = desc;
    p->gaps = newest - p->base_n - in_use;
    return MTR_OK;
}

mtr_err_t pf_refresh(struct mtr_profile *p)
{
    if ((p->flags & PF_RESCAN) == 0) {
        return MTR_OK;
    }
    mtr_err_t rc = pf_recover(p);
    if (rc == MTR_OK) {
        p->flags &= (uint8_t)~PF_RESCAN;
    }
    return rc;
}

mtr_err_t mtr_profile_init(struct mtr_profile *p, struct mtr_store *st,
                           const struct mtr_profile_config *cfg)
{
    MTR_ASSERT(p != NULL && st != NULL && cfg != NULL);
    uint8_t nvalues = 0;
    mtr_err_t rc = check_config(cfg, &nvalues);
    if (rc != MTR_OK) {
        return rc;
    }
    uint32_t keeps = 0, size = 0;
    rc = mtr_store_capacity(st, cfg->part, &keeps);
    if (rc == MTR_OK) {
        rc = mtr_store_record_size(st, cfg->part, &size);
    }
    if (rc != MTR_OK) {
        return rc;
    }
    if (size < mtr_profile_record_size(nvalues)) {
        return MTR_ERR_PROFILE_RECORD;
    }
    if (cfg->capacity == 0 || cfg->capacity > keeps) {
        return MTR_ERR_PROFILE_CAPACITY;
    }
    memset(p, 0, sizeof *p);
    p->st = st;
    p->cfg = cfg;
    p->period_s = cfg->capture_period_s;
    p->nvalues = nvalues;
    rc = pf_recover(p);
    if (rc != MTR_OK) {
        p->flags = 0; /* not ready: every call returns MTR_ERR_STATE */
        return rc;
    }
    p->sched_utc = p->last_utc;
    p->flags |= PF_READY;
    return MTR_OK;
}

/* ------------------------------------------------------------ attributes */

const struct mtr_profile_column *mtr_profile_columns(const struct mtr_profile *p, uint8_t *n)
{
    MTR_ASSERT(p != NULL && p->cfg != NULL && n != NULL);
    *n = p->cfg->ncolumns;
    return p->cfg->columns;
}

uint8_t mtr_profile_value_count(const struct mtr_profile *p)
{
    MTR_ASSERT(p != NULL);
    return p->nvalues;
}

uint32_t mtr_profile_capture_period(const struct mtr_profile *p)
{
    MTR_ASSERT(p != NULL);
    return p->period_s;
}

mtr_err_t mtr_profile_set_period(struct mtr_profile *p, uint32_t period_s)
{
    MTR_ASSERT(p != NULL);
    if (!pf_period_ok(period_s)) {
        return MTR_ERR_PROFILE_PERIOD;
    }
    p->period_s = period_s;
    return MTR_OK;
}

uint8_t mtr_profile_sort_method(const struct mtr_profile *p)
{
    MTR_ASSERT(p != NULL);
    return MTR_PROFILE_SORT_FIFO;
}

const struct mtr_profile_column *mtr_profile_sort_object(const struct mtr_profile *p)
{
    MTR_ASSERT(p != NULL);
    return NULL;
}

uint32_t mtr_profile_entries_in_use(const struct mtr_profile *p)
{
    MTR_ASSERT(p != NULL);
    return p->in_use;
}

uint32_t mtr_profile_entries(const struct mtr_profile *p)
{
    MTR_ASSERT(p != NULL && p->cfg != NULL);
    return p->cfg->capacity;
}

bool mtr_profile_last_capture(const struct mtr_profile *p, mtr_utc_t *utc)
{
    MTR_ASSERT(p != NULL && utc != NULL);
    if (p->last_utc < 0) {
        return false;
    }
    *utc = p->last_utc;
    return true;
}

bool mtr_profile_last_reset(const struct mtr_profile *p, mtr_utc_t *utc)
{
    MTR_ASSERT(p != NULL && utc != NULL);
    if ((p->flags & PF_RESET) == 0) {
        return false;
    }
    *utc = p->reset_utc;
    return true;
}
