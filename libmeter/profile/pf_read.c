/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reading: ring positions to entries, and selective access (Blue Book class 7
 * attribute 2: range_descriptor, entry_descriptor, selected columns).
 *
 * An entry is found by its entry number, which grows by one per capture: a
 * number stays valid while the ring drops its oldest erase units, so a cursor
 * (next number, entries left) survives captures between DLMS blocks. Numbers
 * never decrease along the ring positions (markers repeat the number of the
 * entry before them), so the position of a number is found by a guess from
 * the newest end, a hint from the previous look, or a binary search.
 */
#include <string.h>

#include "pf_priv.h"

/* Read and decode position @pos. MTR_ERR_NOENT: a hole (interrupted write),
 * a damaged record, a record of another format or not of this profile's
 * layout; MTR_ERR_RANGE past the newest position; NVM errors. */
mtr_err_t pf_read(struct mtr_profile *p, uint32_t pos, struct pf_hdr *h)
{
    size_t len = 0;
    mtr_err_t rc = mtr_store_read(p->st, p->cfg->part, pos, p->rec, sizeof p->rec, &len, NULL);
    if (rc == MTR_ERR_CRC || rc == MTR_ERR_STORE_VERSION || rc == MTR_ERR_OVERFLOW) {
        return MTR_ERR_NOENT;
    }
    if (rc != MTR_OK) {
        return rc;
    }
    if (pf_decode_hdr(p->rec, len, h) != MTR_OK) {
        return MTR_ERR_NOENT;
    }
    h->ours = h->type == MTR_PROFILE_REC_ENTRY && h->nvalues == p->nvalues;
    return MTR_OK;
}

/* Position @pos holds the entry numbered @target? */
static mtr_err_t probe(struct mtr_profile *p, uint32_t pos, uint32_t target, struct pf_hdr *h,
                       bool *hit)
{
    *hit = false;
    mtr_err_t rc = pf_read(p, pos, h);
    if (rc == MTR_ERR_NOENT || rc == MTR_ERR_RANGE) {
        return MTR_OK;
    }
    *hit = rc == MTR_OK && h->ours && h->n == target;
    return rc;
}

/* First good record at a position in [from, to); *at = to if none. */
static mtr_err_t first_good(struct mtr_profile *p, uint32_t from, uint32_t to, uint32_t *at,
                            struct pf_hdr *h)
{
    for (uint32_t q = from; q < to; q++) {
        mtr_err_t rc = pf_read(p, q, h);
        if (rc == MTR_OK) {
            *at = q;
            return MTR_OK;
        }
        if (rc != MTR_ERR_NOENT) {
            return rc;
        }
    }
    *at = to;
    return MTR_OK;
}

/* Locate the first entry of this profile numbered >= @target, at any
 * position still in the ring. MTR_ERR_EMPTY if there is none. */
mtr_err_t pf_locate(struct mtr_profile *p, uint32_t target, uint32_t *pos, struct pf_hdr *h)
{
    uint32_t count = 0;
    mtr_err_t rc = mtr_store_count(p->st, p->cfg->part, &count);
    if (rc != MTR_OK) {
        return rc;
    }
    if (target > p->newest_n || count == 0) {
        return MTR_ERR_EMPTY;
    }
    bool hit = false;
    uint32_t guess[3];
    uint32_t nguess = 0;
    if (p->hint_n != 0 && target == p->hint_n + 1u && p->hint_pos + 1u < count) {
        guess[nguess++] = p->hint_pos + 1u;
    }
    if (p->hint_n != 0 && target == p->hint_n && p->hint_pos < count) {
        guess[nguess++] = p->hint_pos;
    }
    if (p->newest_n - target < count) {
        /* No hole after it: the newest entry is at the newest position. */
        guess[nguess++] = count - 1u - (p->newest_n - target);
    }
    for (uint32_t i = 0; i < nguess && !hit; i++) {
        rc = probe(p, guess[i], target, h, &hit);
        if (rc != MTR_OK) {
            return rc;
        }
        *pos = guess[i];
    }
    if (!hit) {
        /* Lower bound over positions: the first good record numbered >= target. */
        uint32_t lo = 0, hi = count, best = count;
        while (lo < hi) {
            uint32_t mid = lo + (hi - lo) / 2u;
            uint32_t q;
            rc = first_good(p, mid, hi, &q, h);
            if (rc != MTR_OK) {
                return rc;
            }
            if (q == hi) {
                hi = mid;
            } else if (h->n >= target) {
                best = q;
                hi = mid;
            } else {
                lo = q + 1u;
            }
        }
        /* Markers and records of another layout numbered >= target come
         * after the entries they follow: skip them. */
        for (;;) {
            uint32_t q;
            rc = first_good(p, best, count, &q, h);
            if (rc != MTR_OK) {
                return rc;
            }
            if (q == count) {
                return MTR_ERR_EMPTY;
            }
            if (h->ours && h->n >= target) {
                *pos = q;
                break;
            }
            best = q + 1u;
        }
        /* The buffer in p->rec holds the record at *pos. */
    }
    p->hint_pos = *pos;
    p->hint_n = h->n;
    return MTR_OK;
}

mtr_err_t mtr_profile_sel_columns(const struct mtr_profile *p, const struct mtr_profile_sel *sel,
                                  uint16_t *first, uint16_t *last)
{
    MTR_ASSERT(p != NULL && p->cfg != NULL && sel != NULL && first != NULL && last != NULL);
    uint16_t ncol = p->cfg->ncolumns;
    if (sel->by == MTR_PROFILE_ALL) {
        *first = 1;
        *last = ncol;
        return MTR_OK;
    }
    uint16_t f = sel->from_col == 0 ? 1u : sel->from_col;
    uint16_t l = sel->to_col == 0 ? ncol : sel->to_col;
    if (f > ncol || l > ncol || f > l) {
        return MTR_ERR_RANGE;
    }
    *first = f;
    *last = l;
    return MTR_OK;
}

static bool in_range(const struct mtr_profile_sel *sel, mtr_utc_t utc)
{
    return sel->by != MTR_PROFILE_RANGE || (utc >= sel->from && utc <= sel->to);
}

/* Entries of the buffer numbered first..last-1 that match @sel: how many,
 * and the number of the first (walks them, for a buffer with damaged records
 * or capture times that go back). */
static mtr_err_t walk_count(struct mtr_profile *p, const struct mtr_profile_sel *sel,
                            uint32_t first, uint32_t last, uint32_t skip, uint32_t *count,
                            uint32_t *start)
{
    uint32_t n = first;
    uint32_t c = 0;
    *start = last;
    while (n < last) {
        uint32_t pos;
        struct pf_hdr h;
        mtr_err_t rc = pf_locate(p, n, &pos, &h);
        if (rc == MTR_ERR_EMPTY || (rc == MTR_OK && h.n >= last)) {
            break;
        }
        if (rc != MTR_OK) {
            return rc;
        }
        n = h.n + 1u;
        if (!in_range(sel, h.utc)) {
            continue;
        }
        if (skip > 0) {
            skip--;
            continue;
        }
        if (c == 0) {
            *start = h.n;
        }
        c++;
    }
    *count = c;
    return MTR_OK;
}

/* Number of the first entry of the buffer whose time is >= @t (strictly
 * greater if @after); newest_n + 1 if none. Capture times never decrease. */
static mtr_err_t bound(struct mtr_profile *p, mtr_utc_t t, bool after, uint32_t *out)
{
    uint32_t lo = p->base_n + 1u, hi = p->newest_n + 1u;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2u;
        uint32_t pos;
        struct pf_hdr h;
        mtr_err_t rc = pf_locate(p, mid, &pos, &h);
        if (rc == MTR_ERR_EMPTY || (rc == MTR_OK && h.n >= hi)) {
            hi = mid;
            continue;
        }
        if (rc != MTR_OK) {
            return rc;
        }
        if (after ? h.utc > t : h.utc >= t) {
            hi = mid;
        } else {
            lo = h.n + 1u;
        }
    }
    *out = lo;
    return MTR_OK;
}

mtr_err_t mtr_profile_select(struct mtr_profile *p, const struct mtr_profile_sel *sel,
                             struct mtr_profile_cursor *cur, uint32_t *count)
{
    MTR_ASSERT(p != NULL && sel != NULL && cur != NULL && count != NULL);
    if ((p->flags & PF_READY) == 0) {
        return MTR_ERR_STATE;
    }
    uint16_t c0, c1;
    if (sel->by > MTR_PROFILE_ENTRY) {
        return MTR_ERR_PROFILE_SELECTOR;
    }
    if (sel->by == MTR_PROFILE_RANGE && sel->to < sel->from) {
        return MTR_ERR_PROFILE_SELECTOR;
    }
    if (sel->by == MTR_PROFILE_ENTRY &&
        (sel->from_entry == 0 || (sel->to_entry != 0 && sel->from_entry > sel->to_entry))) {
        return MTR_ERR_PROFILE_SELECTOR;
    }
    mtr_err_t rc = mtr_profile_sel_columns(p, sel, &c0, &c1);
    if (rc == MTR_OK) {
        rc = pf_refresh(p);
    }
    if (rc != MTR_OK) {
        return rc;
    }
    uint32_t first = p->base_n + 1u; /* number of the first entry returned */
    uint32_t n = 0;                  /* entries matching */
    uint32_t end = p->newest_n + 1u;
    if (p->in_use == 0) {
        first = end;
    } else if (sel->by == MTR_PROFILE_ALL) {
        n = p->in_use;
    } else if (sel->by == MTR_PROFILE_ENTRY) {
        if (sel->from_entry > p->in_use) {
            first = end;
        } else {
            uint32_t last = sel->to_entry == 0 || sel->to_entry > p->in_use ? p->in_use
                                                                             : sel->to_entry;
            n = last - sel->from_entry + 1u;
            if (p->gaps == 0) {
                first = p->base_n + sel->from_entry;
            } else {
                uint32_t c;
                rc = walk_count(p, sel, p->base_n + 1u, end, sel->from_entry - 1u, &c, &first);
            }
        }
    } else if (pf_monotonic(p)) {
        uint32_t hi = end;
        rc = bound(p, sel->from, false, &first);
        if (rc == MTR_OK) {
            rc = bound(p, sel->to, true, &hi);
        }
        if (rc == MTR_OK && hi > first) {
            if (p->gaps == 0) {
                n = hi - first;
            } else {
                rc = walk_count(p, sel, first, hi, 0, &n, &first);
            }
        }
    } else {
        rc = walk_count(p, sel, p->base_n + 1u, end, 0, &n, &first);
    }
    if (rc != MTR_OK) {
        return rc;
    }
    cur->pos = n == 0 ? end : first;
    cur->left = n;
    *count = n;
    return MTR_OK;
}

mtr_err_t mtr_profile_next(struct mtr_profile *p, const struct mtr_profile_sel *sel,
                           struct mtr_profile_cursor *cur, struct mtr_profile_entry *out)
{
    MTR_ASSERT(p != NULL && sel != NULL && cur != NULL && out != NULL);
    if ((p->flags & PF_READY) == 0) {
        return MTR_ERR_STATE;
    }
    uint16_t c0, c1;
    mtr_err_t rc = mtr_profile_sel_columns(p, sel, &c0, &c1);
    if (rc == MTR_OK) {
        rc = pf_refresh(p);
    }
    if (rc != MTR_OK) {
        return rc;
    }
    while (cur->left > 0) {
        if (cur->pos <= p->marker_n || cur->pos == 0) {
            cur->left = 0; /* reset since the selection */
            break;
        }
        uint32_t pos;
        struct pf_hdr h;
        rc = pf_locate(p, cur->pos, &pos, &h);
        if (rc == MTR_ERR_EMPTY) {
            cur->left = 0;
            break;
        }
        if (rc != MTR_OK) {
            return rc;
        }
        if ((sel->by != MTR_PROFILE_RANGE || pf_monotonic(p)) && cur->pos <= p->gone_n) {
            /* Entries counted by the selection left the ring meanwhile: the
             * count shrinks by them, so no later entry takes their place.
             * (A range over capture times that go back is bounded by its
             * times instead.) */
            uint32_t lost = (h.n <= p->gone_n ? h.n : p->gone_n + 1u) - cur->pos;
            cur->left = lost >= cur->left ? 0u : cur->left - lost;
            if (cur->left == 0) {
                break;
            }
        }
        cur->pos = h.n + 1u;
        if (!in_range(sel, h.utc)) {
            continue;
        }
        out->utc = h.utc;
        out->status = h.status;
        uint8_t k = 0;
        uint32_t vi = 0;
        for (uint16_t c = 1; c <= p->cfg->ncolumns; c++) {
            if (p->cfg->columns[c - 1u].kind != MTR_PROFILE_COL_VALUE) {
                continue;
            }
            if (c >= c0 && c <= c1) {
                out->v[k++] = pf_value(p->rec, vi);
            }
            vi++;
        }
        out->nvalues = k;
        cur->left--;
        return MTR_OK;
    }
    return MTR_ERR_EMPTY;
}
