/* SPDX-License-Identifier: Apache-2.0 */
/* Recovery: find the newest complete state of a partition, its write position
 * and, for a ring, its oldest record. Reads only; every loop is bounded by
 * the number of slots, whatever the NVM holds. */
#include "store_internal.h"

struct scan {
    uint32_t best; /* slot of the newest committed record (any version) */
    uint32_t best_seq;
    uint32_t cur; /* slot of the newest record of a known version */
    uint32_t cur_seq;
    uint32_t bad_seq; /* highest sequence number read from a damaged header */
    uint32_t corrupt;
    uint32_t newer;
    uint32_t first_seq; /* of the first committed record in slot order */
    uint32_t prev_seq;  /* of the last committed record seen so far */
    uint32_t gaps;      /* places where the next record skips sequence numbers */
};

static void note(struct scan *sc, uint32_t slot, const struct st_slot *s)
{
    if (s->cls == ST_CORRUPT) {
        sc->corrupt++;
        sc->bad_seq = s->seq > sc->bad_seq ? s->seq : sc->bad_seq;
        return;
    }
    if (s->cls == ST_TORN) {
        return;
    }
    /* Committed records carry consecutive numbers in slot order, except
     * once where the newest is followed by the oldest. */
    if (sc->best == ST_NONE) {
        sc->first_seq = s->seq;
    } else if (s->seq > sc->prev_seq + 1u) {
        sc->gaps++;
    }
    sc->prev_seq = s->seq;
    if (s->cls == ST_NEWER) {
        sc->newer++;
    } else if (sc->cur == ST_NONE || s->seq > sc->cur_seq) {
        sc->cur = slot;
        sc->cur_seq = s->seq;
    }
    if (sc->best == ST_NONE || s->seq > sc->best_seq) {
        sc->best = slot;
        sc->best_seq = s->seq;
    }
}

static mtr_err_t scan_all(struct mtr_store *st, const struct mtr_store_part *p, struct scan *sc)
{
    *sc = (struct scan){.best = ST_NONE, .cur = ST_NONE};
    for (uint32_t slot = 0; slot < p->nslots; slot++) {
        struct st_slot s;
        mtr_err_t rc = st_classify(st, p, slot, &s);
        if (rc != MTR_OK) {
            return rc;
        }
        note(sc, slot, &s);
    }
    if (sc->best != ST_NONE && sc->first_seq > sc->prev_seq + 1u) {
        sc->gaps++;
    }
    return MTR_OK;
}

/* Flash: the unit of the newest record was erased before it was written, so
 * every non-blank slot after it in that unit is an interrupted write; the
 * head is past the last of them. EEPROM: the head follows the newest record. */
static mtr_err_t find_head(struct mtr_store *st, const struct mtr_store_part *p, uint32_t best,
                           uint32_t *head, uint32_t *torn)
{
    *torn = 0;
    if (best == ST_NONE) {
        *head = 0;
        return MTR_OK;
    }
    bool blank;
    mtr_err_t rc;
    if (!st->info.needs_erase) {
        struct st_slot s;
        *head = st_next(p, best);
        rc = st_classify(st, p, *head, &s);
        if (rc == MTR_OK && s.cls == ST_TORN) {
            rc = st_is_blank(st, p, *head, &blank);
            *torn = blank ? 0u : 1u;
        }
        return rc;
    }
    uint32_t end = (st_unit_of(p, best) + 1u) * p->unit_slots;
    uint32_t h = best + 1u;
    for (uint32_t slot = best + 1u; slot < end; slot++) {
        rc = st_is_blank(st, p, slot, &blank);
        if (rc != MTR_OK) {
            return rc;
        }
        if (!blank) {
            h = slot + 1u;
            (*torn)++;
        }
    }
    *head = h >= p->nslots ? 0u : h;
    return MTR_OK;
}

mtr_err_t st_first_valid(struct mtr_store *st, const struct mtr_store_part *p, uint32_t from,
                         uint32_t n, uint32_t *found)
{
    *found = ST_NONE;
    uint32_t slot = from;
    for (uint32_t i = 0; i < n; i++) {
        struct st_slot s;
        mtr_err_t rc = st_classify(st, p, slot, &s);
        if (rc != MTR_OK) {
            return rc;
        }
        if (s.cls == ST_VALID || s.cls == ST_NEWER) {
            *found = slot;
            return MTR_OK;
        }
        slot = st_next(p, slot);
    }
    return MTR_OK;
}

/* Oldest record: from the head itself when its unit is not yet opened (its
 * records are the oldest), else from the next unit, forward to the head. */
static mtr_err_t find_tail(struct mtr_store *st, struct mtr_store_part *p)
{
    uint32_t from = p->head % p->unit_slots == 0 ? p->head : st_next_unit_start(p, p->head);
    uint32_t n = from == p->head ? p->nslots : st_dist(p, from, p->head);
    uint32_t t;
    mtr_err_t rc = st_first_valid(st, p, from, n, &t);
    if (rc != MTR_OK) {
        return rc;
    }
    p->tail = t == ST_NONE ? p->head : t;
    p->count = t == ST_NONE ? 0u : st_dist(p, t, p->head);
    if (t != ST_NONE && p->count == 0) {
        p->count = p->nslots; /* full EEPROM ring: the oldest record sits at the head */
    }
    return MTR_OK;
}

mtr_err_t st_recover(struct mtr_store *st, struct mtr_store_part *p)
{
    struct scan sc;
    uint32_t head;
    uint32_t torn;
    mtr_err_t rc = scan_all(st, p, &sc);
    if (rc == MTR_OK) {
        rc = find_head(st, p, sc.best, &head, &torn);
    }
    if (rc != MTR_OK) {
        return rc;
    }
    p->head = head;
    p->next_seq = sc.best == ST_NONE ? 1u : sc.best_seq + 1u;
    p->next_seq = p->next_seq == 0 ? UINT32_MAX : p->next_seq;
    p->current = p->cfg.kind == MTR_STORE_SNAPSHOT ? sc.cur : ST_NONE;
    p->tail = head;
    p->count = 0;
    if (p->cfg.kind == MTR_STORE_RING) {
        rc = find_tail(st, p);
        if (rc != MTR_OK) {
            return rc;
        }
    }
    st_fault(st, p, MTR_STORE_FAULT_CRC, sc.corrupt);
    st_fault(st, p, MTR_STORE_FAULT_VERSION, sc.newer);
    st_fault(st, p, MTR_STORE_FAULT_TORN, torn);
    st_fault(st, p, MTR_STORE_FAULT_LOST, sc.gaps);
    bool newer_than_cur = sc.best_seq > sc.cur_seq || sc.bad_seq > sc.cur_seq;
    if (p->cfg.kind == MTR_STORE_SNAPSHOT && sc.cur != ST_NONE && newer_than_cur) {
        st_fault(st, p, MTR_STORE_FAULT_FALLBACK, 1);
    }
    return MTR_OK;
}
