/* SPDX-License-Identifier: Apache-2.0 */
/* Private to libmeter/store: slot layout, record I/O and recovery. */
#ifndef METER_STORE_INTERNAL_H
#define METER_STORE_INTERNAL_H

#include "meter/store.h"

/* Slot layout (docs/persistence.md):
 *   [0, mark_len)                commit mark: MARK pattern repeated
 *   [mark_len, mark_len + 12)    header: magic(2) version(1) kind(1) id(2) len(2) seq(4)
 *   then payload (len bytes), CRC-32 (4) over header + payload, padding. */
#define ST_HDR_LEN 12u
#define ST_CRC_LEN 4u
#define ST_MAGIC   0x5354u /* "ST" */
#define ST_NONE    UINT32_MAX
#define ST_CHUNK   MTR_STORE_MAX_WRITE_UNIT

extern const uint8_t st_mark[4];

/* What a slot holds. */
enum st_class {
    ST_VALID,   /* committed, CRC good, known version */
    ST_NEWER,   /* committed, CRC good, newer format version */
    ST_CORRUPT, /* commit mark present but the record is damaged */
    ST_TORN,    /* no commit mark: an interrupted write, or never written */
};

struct st_slot {
    enum st_class cls;
    uint32_t seq;
    uint16_t len;
};

static inline uint32_t st_unit_of(const struct mtr_store_part *p, uint32_t slot)
{
    return slot / p->unit_slots;
}

static inline uint32_t st_next(const struct mtr_store_part *p, uint32_t slot)
{
    return slot + 1u == p->nslots ? 0u : slot + 1u;
}

/* First slot of the erase unit after the one holding @slot. */
static inline uint32_t st_next_unit_start(const struct mtr_store_part *p, uint32_t slot)
{
    uint32_t s = (st_unit_of(p, slot) + 1u) * p->unit_slots;
    return s >= p->nslots ? 0u : s;
}

/* Slots from @from forward to @to (0 when equal). */
static inline uint32_t st_dist(const struct mtr_store_part *p, uint32_t from, uint32_t to)
{
    return to >= from ? to - from : p->nslots - from + to;
}

/* store_rec.c */
uint32_t st_slot_addr(const struct mtr_store *st, const struct mtr_store_part *p, uint32_t slot);
mtr_err_t st_classify(struct mtr_store *st, const struct mtr_store_part *p, uint32_t slot,
                      struct st_slot *out);
mtr_err_t st_is_blank(struct mtr_store *st, const struct mtr_store_part *p, uint32_t slot,
                      bool *blank);
mtr_err_t st_read_payload(struct mtr_store *st, const struct mtr_store_part *p, uint32_t slot,
                          void *buf, size_t cap, size_t *len, uint32_t *seq);
mtr_err_t st_put(struct mtr_store *st, struct mtr_store_part *p, const void *data, uint16_t len);

/* store_scan.c */
mtr_err_t st_recover(struct mtr_store *st, struct mtr_store_part *p);
mtr_err_t st_first_valid(struct mtr_store *st, const struct mtr_store_part *p, uint32_t from,
                         uint32_t to, uint32_t *found);

/* store.c */
void st_fault(struct mtr_store *st, struct mtr_store_part *p, uint32_t fault, uint32_t n);

#endif /* METER_STORE_INTERNAL_H */
