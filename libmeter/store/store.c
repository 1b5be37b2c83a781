/* SPDX-License-Identifier: Apache-2.0 */
/* The store's API: configuration checks, partition look-up, snapshots, rings,
 * faults and statistics. */
#include <string.h>

#include "meter/meter.h"
#include "store_internal.h"

static bool is_pow2(uint32_t v)
{
    return v != 0 && (v & (v - 1u)) == 0;
}

static uint32_t align_up(uint32_t v, uint32_t unit)
{
    return (v + unit - 1u) & ~(unit - 1u);
}

uint32_t mtr_store_slot_size(uint32_t record_size, uint32_t write_unit)
{
    if (!is_pow2(write_unit) || write_unit > MTR_STORE_MAX_WRITE_UNIT || record_size > 0xFFFFu) {
        return 0;
    }
    return align_up(4u, write_unit) + align_up(ST_HDR_LEN + record_size + ST_CRC_LEN, write_unit);
}

size_t mtr_store_part_size(void)
{
    return sizeof(struct mtr_store_part);
}

size_t mtr_store_size(void)
{
    return sizeof(struct mtr_store);
}

void st_fault(struct mtr_store *st, struct mtr_store_part *p, uint32_t fault, uint32_t n)
{
    if (n == 0) {
        return;
    }
    struct mtr_store_faults *f = &st->faults;
    uint32_t *ctr = fault == MTR_STORE_FAULT_CRC        ? &f->crc
                    : fault == MTR_STORE_FAULT_FALLBACK ? &f->fallback
                    : fault == MTR_STORE_FAULT_VERSION  ? &f->version
                    : fault == MTR_STORE_FAULT_TORN     ? &f->torn
                    : fault == MTR_STORE_FAULT_LOST     ? &f->lost
                                                        : &f->write;
    *ctr = *ctr > UINT32_MAX - n ? UINT32_MAX : *ctr + n;
    f->flags |= fault;
    p->faults |= fault;
    if (st->on_fault != NULL) {
        st->on_fault(st->user, p->cfg.id, fault);
    }
}

/* ------------------------------------------------------------------ init */

static mtr_err_t check_geometry(const struct mtr_hal *hal, const struct mtr_nvm_info *info)
{
    if (!is_pow2(info->sector_size) || !is_pow2(info->write_unit) ||
        info->write_unit > info->sector_size || info->size == 0 ||
        info->size % info->sector_size != 0 || (info->needs_erase && hal->nvm->erase == NULL)) {
        return MTR_ERR_CONFIG;
    }
    return info->write_unit > MTR_STORE_MAX_WRITE_UNIT ? MTR_ERR_NOTSUP : MTR_OK;
}

/* Geometry of one partition into @p (a scratch copy), or an error. */
static mtr_err_t plan_part(const struct mtr_nvm_info *info, const struct mtr_store_part_cfg *c,
                           struct mtr_store_part *p)
{
    uint32_t nvm_sectors = info->size / info->sector_size;
    if (c->id == 0 || c->id == 0xFFFFu ||
        (c->kind != MTR_STORE_SNAPSHOT && c->kind != MTR_STORE_RING) || c->sectors == 0 ||
        c->first_sector >= nvm_sectors || c->sectors > nvm_sectors - c->first_sector) {
        return MTR_ERR_STORE_LAYOUT;
    }
    uint32_t slot = mtr_store_slot_size(c->record_size, info->write_unit);
    if (c->record_size == 0 || slot > info->sector_size) {
        return MTR_ERR_STORE_RECORD_SIZE;
    }
    uint32_t per_sector = info->sector_size / slot;
    memset(p, 0, sizeof *p);
    p->cfg = *c;
    p->slot_size = (uint16_t)slot;
    p->mark_len = (uint16_t)align_up(4u, info->write_unit);
    p->unit_slots = info->needs_erase ? (uint16_t)per_sector : 1u;
    if (per_sector > UINT32_MAX / c->sectors || per_sector * c->sectors / p->unit_slots < 2u) {
        return MTR_ERR_STORE_LAYOUT; /* a ring or snapshot needs two erase units */
    }
    p->nslots = per_sector * c->sectors;
    p->current = ST_NONE;
    return MTR_OK;
}

static mtr_err_t check_table(const struct mtr_nvm_info *info, const struct mtr_store_cfg *cfg)
{
    if (cfg->nparts == 0) {
        return MTR_ERR_STORE_LAYOUT;
    }
    for (uint16_t i = 0; i < cfg->nparts; i++) {
        struct mtr_store_part scratch;
        mtr_err_t rc = plan_part(info, &cfg->parts[i], &scratch);
        if (rc != MTR_OK) {
            return rc;
        }
        const struct mtr_store_part_cfg *a = &cfg->parts[i];
        for (uint16_t j = 0; j < i; j++) {
            const struct mtr_store_part_cfg *b = &cfg->parts[j];
            bool overlap = a->first_sector < b->first_sector + b->sectors &&
                           b->first_sector < a->first_sector + a->sectors;
            if (overlap || a->id == b->id) {
                return MTR_ERR_STORE_LAYOUT;
            }
        }
    }
    return MTR_OK;
}

mtr_err_t mtr_store_init(struct mtr_store *st, const struct mtr_hal *hal,
                         const struct mtr_store_cfg *cfg)
{
    MTR_ASSERT(st != NULL && hal != NULL && hal->nvm != NULL && cfg != NULL);
    MTR_ASSERT(cfg->nparts == 0 || (cfg->parts != NULL && cfg->state != NULL));
    struct mtr_nvm_info info;
    mtr_err_t rc = hal->nvm->info(hal->ctx, &info);
    if (rc == MTR_OK) {
        rc = check_geometry(hal, &info);
    }
    if (rc == MTR_OK) {
        rc = check_table(&info, cfg);
    }
    if (rc != MTR_OK) {
        return rc;
    }
    memset(st, 0, sizeof *st);
    st->hal = hal;
    st->info = info;
    st->parts = cfg->state;
    st->nparts = cfg->nparts;
    st->on_fault = cfg->on_fault;
    st->user = cfg->user;
    for (uint16_t i = 0; i < cfg->nparts; i++) {
        (void)plan_part(&info, &cfg->parts[i], &st->parts[i]);
        rc = st_recover(st, &st->parts[i]);
        if (rc != MTR_OK) {
            return rc;
        }
    }
    st->ready = true;
    return MTR_OK;
}

/* ---------------------------------------------------------------- look-up */

static mtr_err_t find(const struct mtr_store *st, uint16_t id, int kind,
                      struct mtr_store_part **out)
{
    MTR_ASSERT(st != NULL);
    if (!st->ready) {
        return MTR_ERR_STATE;
    }
    for (uint16_t i = 0; i < st->nparts; i++) {
        if (st->parts[i].cfg.id == id) {
            *out = &st->parts[i];
            return kind == 0 || st->parts[i].cfg.kind == kind ? MTR_OK : MTR_ERR_STORE_KIND;
        }
    }
    return MTR_ERR_STORE_NO_PART;
}

/* -------------------------------------------------------------- snapshots */

static mtr_err_t put(struct mtr_store *st, uint16_t id, int kind, const void *data, size_t len)
{
    struct mtr_store_part *p;
    mtr_err_t rc = find(st, id, kind, &p);
    if (rc != MTR_OK) {
        return rc;
    }
    MTR_ASSERT(data != NULL || len == 0);
    if (len > p->cfg.record_size) {
        return MTR_ERR_RANGE;
    }
    return st_put(st, p, data, (uint16_t)len);
}

mtr_err_t mtr_store_commit(struct mtr_store *st, uint16_t id, const void *data, size_t len)
{
    return put(st, id, MTR_STORE_SNAPSHOT, data, len);
}

mtr_err_t mtr_store_load(struct mtr_store *st, uint16_t id, void *buf, size_t cap, size_t *len,
                         uint32_t *seq)
{
    struct mtr_store_part *p;
    mtr_err_t rc = find(st, id, MTR_STORE_SNAPSHOT, &p);
    MTR_ASSERT(buf != NULL || cap == 0);
    for (int attempt = 0; rc == MTR_OK && attempt < 2; attempt++) {
        if (p->current == ST_NONE) {
            return MTR_ERR_NOENT;
        }
        rc = st_read_payload(st, p, p->current, buf, cap, len, seq);
        if (rc != MTR_ERR_CRC && rc != MTR_ERR_NOENT) {
            return rc;
        }
        /* The copy in use went bad since start-up: fall back to the last good one. */
        st_fault(st, p, MTR_STORE_FAULT_CRC, 1);
        rc = st_recover(st, p);
        if (rc == MTR_OK) {
            st_fault(st, p, MTR_STORE_FAULT_FALLBACK, 1);
        }
    }
    return rc == MTR_OK ? MTR_ERR_CRC : rc;
}

/* ------------------------------------------------------------------ rings */

mtr_err_t mtr_store_append(struct mtr_store *st, uint16_t id, const void *data, size_t len)
{
    return put(st, id, MTR_STORE_RING, data, len);
}

mtr_err_t mtr_store_count(const struct mtr_store *st, uint16_t id, uint32_t *count)
{
    struct mtr_store_part *p;
    mtr_err_t rc = find(st, id, MTR_STORE_RING, &p);
    if (rc == MTR_OK) {
        *count = p->count;
    }
    return rc;
}

mtr_err_t mtr_store_capacity(const struct mtr_store *st, uint16_t id, uint32_t *capacity)
{
    struct mtr_store_part *p;
    mtr_err_t rc = find(st, id, MTR_STORE_RING, &p);
    if (rc == MTR_OK) {
        *capacity = p->nslots - p->unit_slots;
    }
    return rc;
}

mtr_err_t mtr_store_record_size(const struct mtr_store *st, uint16_t id, uint32_t *size)
{
    struct mtr_store_part *p;
    mtr_err_t rc = find(st, id, 0, &p);
    if (rc == MTR_OK) {
        *size = p->cfg.record_size;
    }
    return rc;
}

mtr_err_t mtr_store_read(struct mtr_store *st, uint16_t id, uint32_t index, void *buf, size_t cap,
                         size_t *len, uint32_t *seq)
{
    struct mtr_store_part *p;
    mtr_err_t rc = find(st, id, MTR_STORE_RING, &p);
    if (rc != MTR_OK) {
        return rc;
    }
    MTR_ASSERT(buf != NULL || cap == 0);
    if (index >= p->count) {
        return MTR_ERR_RANGE;
    }
    uint32_t slot = p->tail + index;
    slot = slot >= p->nslots ? slot - p->nslots : slot;
    rc = st_read_payload(st, p, slot, buf, cap, len, seq);
    if (rc == MTR_ERR_CRC) {
        st_fault(st, p, MTR_STORE_FAULT_CRC, 1);
    }
    return rc;
}

void mtr_store_iter_init(struct mtr_store_iter *it, uint16_t id)
{
    MTR_ASSERT(it != NULL);
    it->id = id;
    it->index = 0;
}

mtr_err_t mtr_store_iter_next(struct mtr_store *st, struct mtr_store_iter *it, void *buf,
                              size_t cap, size_t *len, uint32_t *seq)
{
    MTR_ASSERT(it != NULL);
    for (;;) {
        mtr_err_t rc = mtr_store_read(st, it->id, it->index, buf, cap, len, seq);
        if (rc == MTR_ERR_RANGE) {
            return MTR_ERR_EMPTY;
        }
        it->index++;
        if (rc != MTR_ERR_NOENT && rc != MTR_ERR_CRC && rc != MTR_ERR_STORE_VERSION) {
            return rc;
        }
    }
}

/* ------------------------------------------------------- faults and stats */

void mtr_store_faults(const struct mtr_store *st, struct mtr_store_faults *out)
{
    MTR_ASSERT(st != NULL && out != NULL);
    *out = st->faults;
}

void mtr_store_faults_clear(struct mtr_store *st)
{
    MTR_ASSERT(st != NULL);
    memset(&st->faults, 0, sizeof st->faults);
    for (uint16_t i = 0; i < st->nparts; i++) {
        st->parts[i].faults = 0;
    }
}

mtr_err_t mtr_store_part_faults(const struct mtr_store *st, uint16_t id, uint32_t *flags)
{
    struct mtr_store_part *p;
    mtr_err_t rc = find(st, id, 0, &p);
    if (rc == MTR_OK) {
        *flags = p->faults;
    }
    return rc;
}

mtr_err_t mtr_store_stats(const struct mtr_store *st, uint16_t id, struct mtr_store_stats *out)
{
    struct mtr_store_part *p;
    mtr_err_t rc = find(st, id, 0, &p);
    if (rc != MTR_OK) {
        return rc;
    }
    uint32_t newest = p->next_seq - 1u;
    *out = (struct mtr_store_stats){
        .records = p->records,
        .erases = p->erases,
        .bytes = p->bytes,
        .slots = p->nslots,
        .slot_size = p->slot_size,
        .newest_seq = newest,
        .est_cycles = newest == 0 ? 0u : (newest - 1u) / p->nslots + 1u,
    };
    return MTR_OK;
}

mtr_err_t mtr_store_sector_erases(const struct mtr_store *st, uint16_t id, uint32_t sector,
                                  uint32_t *erases)
{
    struct mtr_store_part *p;
    mtr_err_t rc = find(st, id, 0, &p);
    if (rc != MTR_OK) {
        return rc;
    }
    uint32_t n = p->cfg.sectors;
    if (sector >= n) {
        return MTR_ERR_RANGE;
    }
    /* Units are erased strictly in turn from first_erase on. */
    uint32_t turn =
        sector >= p->first_erase ? sector - p->first_erase : sector + n - p->first_erase;
    *erases = p->erases / n + (turn < p->erases % n ? 1u : 0u);
    return MTR_OK;
}
