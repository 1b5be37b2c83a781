/* SPDX-License-Identifier: Apache-2.0 */
/* Records in slots: classification, reading, and the commit protocol
 * (body, read back, then commit mark). */
#include <string.h>

#include "meter/bytes.h"
#include "meter/crc.h"
#include "store_internal.h"

const uint8_t st_mark[4] = {0xA5u, 0x5Au, 0xC3u, 0x3Cu};

static mtr_err_t nvm_read(struct mtr_store *st, uint32_t addr, void *buf, size_t len)
{
    return st->hal->nvm->read(st->hal->ctx, addr, buf, len);
}

static mtr_err_t nvm_write(struct mtr_store *st, struct mtr_store_part *p, uint32_t addr,
                           const void *buf, size_t len)
{
    mtr_err_t rc = st->hal->nvm->write(st->hal->ctx, addr, buf, len);
    if (rc == MTR_OK) {
        p->bytes += len;
    }
    return rc;
}

uint32_t st_slot_addr(const struct mtr_store *st, const struct mtr_store_part *p, uint32_t slot)
{
    uint32_t per_sector = st->info.sector_size / p->slot_size;
    uint32_t sector = p->cfg.first_sector + slot / per_sector;
    return sector * st->info.sector_size + (slot % per_sector) * p->slot_size;
}

static bool mark_ok(const uint8_t *m, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        if (m[i] != st_mark[i & 3u]) {
            return false;
        }
    }
    return true;
}

/* How far the commit mark was programmed. */
enum mark_state { MARK_NONE, MARK_PART, MARK_FULL };

static enum mark_state mark_state(const struct mtr_store *st, const uint8_t *m, uint32_t n)
{
    if (mark_ok(m, n)) {
        return MARK_FULL;
    }
    for (uint32_t i = 0; i < n; i++) {
        if (m[i] != st->info.erased) {
            return MARK_PART;
        }
    }
    return MARK_NONE;
}

/* Header fields that must hold before the CRC is worth computing. */
static bool header_fits(const struct mtr_store_part *p, const uint8_t *h, struct st_slot *out)
{
    out->len = mtr_get_be16(h + 6);
    out->seq = mtr_get_be32(h + 8);
    return mtr_get_be16(h) == ST_MAGIC && h[2] != 0 && h[3] == p->cfg.kind &&
           mtr_get_be16(h + 4) == p->cfg.id && out->len <= p->cfg.record_size;
}

/* The mark is written only after the body read back correctly, so any
 * programmed mark bit over a good CRC means a complete record (a cut in the
 * mark, or a flipped mark bit, loses nothing). A damaged record counts as
 * corrupt only under a whole mark: a cut never looks like corruption. */
static enum st_class class_of(enum mark_state mark, bool crc_good, uint8_t version)
{
    if (mark == MARK_NONE || (!crc_good && mark == MARK_PART)) {
        return ST_TORN;
    }
    if (!crc_good) {
        return ST_CORRUPT;
    }
    return version > MTR_STORE_FORMAT_VERSION ? ST_NEWER : ST_VALID;
}

mtr_err_t st_classify(struct mtr_store *st, const struct mtr_store_part *p, uint32_t slot,
                      struct st_slot *out)
{
    uint8_t buf[ST_CHUNK + ST_HDR_LEN];
    uint32_t addr = st_slot_addr(st, p, slot);
    mtr_err_t rc = nvm_read(st, addr, buf, p->mark_len + ST_HDR_LEN);
    if (rc != MTR_OK) {
        return rc;
    }
    enum mark_state marked = mark_state(st, buf, p->mark_len);
    const uint8_t *h = buf + p->mark_len;
    uint8_t version = h[2];
    out->cls = class_of(marked, false, version);
    if (!header_fits(p, h, out)) {
        out->seq = mtr_get_be16(h) == ST_MAGIC ? out->seq : 0;
        return MTR_OK;
    }
    uint32_t crc = mtr_crc32_update(MTR_CRC32_INIT, h, ST_HDR_LEN);
    addr += p->mark_len + ST_HDR_LEN;
    for (uint32_t left = out->len; left > 0;) {
        uint32_t n = left < ST_CHUNK ? left : ST_CHUNK;
        rc = nvm_read(st, addr, buf, n);
        if (rc != MTR_OK) {
            return rc;
        }
        crc = mtr_crc32_update(crc, buf, n);
        addr += n;
        left -= n;
    }
    rc = nvm_read(st, addr, buf, ST_CRC_LEN);
    if (rc != MTR_OK) {
        return rc;
    }
    out->cls = class_of(marked, (crc ^ 0xFFFFFFFFu) == mtr_get_be32(buf), version);
    return MTR_OK;
}

mtr_err_t st_is_blank(struct mtr_store *st, const struct mtr_store_part *p, uint32_t slot,
                      bool *blank)
{
    uint8_t buf[ST_CHUNK];
    uint32_t addr = st_slot_addr(st, p, slot);
    *blank = true;
    for (uint32_t left = p->slot_size; left > 0 && *blank;) {
        uint32_t n = left < ST_CHUNK ? left : ST_CHUNK;
        mtr_err_t rc = nvm_read(st, addr, buf, n);
        if (rc != MTR_OK) {
            return rc;
        }
        for (uint32_t i = 0; i < n; i++) {
            *blank = *blank && buf[i] == st->info.erased;
        }
        addr += n;
        left -= n;
    }
    return MTR_OK;
}

/* One pass: header, payload straight into @buf, CRC check; on failure the
 * payload bytes read are zeroed so that no unchecked data leaks out. */
mtr_err_t st_read_payload(struct mtr_store *st, const struct mtr_store_part *p, uint32_t slot,
                          void *buf, size_t cap, size_t *len, uint32_t *seq)
{
    uint8_t h[ST_CHUNK + ST_HDR_LEN];
    struct st_slot s;
    uint32_t addr = st_slot_addr(st, p, slot);
    mtr_err_t rc = nvm_read(st, addr, h, p->mark_len + ST_HDR_LEN);
    if (rc != MTR_OK) {
        return rc;
    }
    enum mark_state marked = mark_state(st, h, p->mark_len);
    const uint8_t *hdr = h + p->mark_len;
    if (!header_fits(p, hdr, &s)) {
        return class_of(marked, false, 0) == ST_CORRUPT ? MTR_ERR_CRC : MTR_ERR_NOENT;
    }
    if (s.len > cap) {
        return MTR_ERR_OVERFLOW;
    }
    addr += p->mark_len + ST_HDR_LEN;
    uint8_t crc_be[ST_CRC_LEN];
    rc = nvm_read(st, addr, buf, s.len);
    if (rc == MTR_OK) {
        rc = nvm_read(st, addr + s.len, crc_be, sizeof crc_be);
    }
    uint32_t crc = mtr_crc32_update(MTR_CRC32_INIT, hdr, ST_HDR_LEN);
    crc = mtr_crc32_update(crc, buf, s.len) ^ 0xFFFFFFFFu;
    enum st_class cls =
        rc == MTR_OK ? class_of(marked, crc == mtr_get_be32(crc_be), hdr[2]) : ST_TORN;
    if (cls != ST_VALID) {
        memset(buf, 0, s.len);
    }
    if (rc != MTR_OK) {
        return rc;
    }
    if (cls == ST_TORN) {
        return MTR_ERR_NOENT;
    }
    if (cls == ST_CORRUPT) {
        return MTR_ERR_CRC;
    }
    if (cls == ST_NEWER) {
        return MTR_ERR_STORE_VERSION;
    }
    if (len != NULL) {
        *len = s.len;
    }
    if (seq != NULL) {
        *seq = s.seq;
    }
    return MTR_OK;
}

/* ------------------------------------------------------------------ write */

/* What is written: header, payload, CRC, then padding to the write unit. */
struct st_body {
    uint8_t hdr[ST_HDR_LEN];
    const uint8_t *data;
    uint16_t len;
    uint8_t crc[ST_CRC_LEN];
    uint8_t pad;
};

static void body_chunk(const struct st_body *b, uint32_t off, uint8_t *out, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        uint32_t o = off + i;
        if (o < ST_HDR_LEN) {
            out[i] = b->hdr[o];
        } else if (o < ST_HDR_LEN + b->len) {
            out[i] = b->data[o - ST_HDR_LEN];
        } else if (o < ST_HDR_LEN + b->len + ST_CRC_LEN) {
            out[i] = b->crc[o - ST_HDR_LEN - b->len];
        } else {
            out[i] = b->pad;
        }
    }
}

/* Write the body (@verify false) or compare it with what is stored. */
static mtr_err_t body_pass(struct mtr_store *st, struct mtr_store_part *p, uint32_t addr,
                           const struct st_body *b, bool verify)
{
    uint8_t want[ST_CHUNK];
    uint8_t got[ST_CHUNK];
    uint32_t total = (uint32_t)p->slot_size - p->mark_len;
    for (uint32_t off = 0; off < total; off += ST_CHUNK) {
        uint32_t n = total - off < ST_CHUNK ? total - off : ST_CHUNK;
        body_chunk(b, off, want, n);
        mtr_err_t rc =
            verify ? nvm_read(st, addr + off, got, n) : nvm_write(st, p, addr + off, want, n);
        if (rc != MTR_OK) {
            return rc;
        }
        if (verify && memcmp(want, got, n) != 0) {
            return MTR_ERR_STORE_VERIFY;
        }
    }
    return MTR_OK;
}

static mtr_err_t mark_pass(struct mtr_store *st, struct mtr_store_part *p, uint32_t addr, bool set)
{
    uint8_t m[ST_CHUNK];
    for (uint32_t i = 0; i < p->mark_len; i++) {
        m[i] = set ? st_mark[i & 3u] : st->info.erased;
    }
    mtr_err_t rc = nvm_write(st, p, addr, m, p->mark_len);
    if (rc != MTR_OK || !set) {
        return rc;
    }
    uint8_t got[ST_CHUNK];
    rc = nvm_read(st, addr, got, p->mark_len);
    if (rc == MTR_OK && !mark_ok(got, p->mark_len)) {
        rc = MTR_ERR_STORE_VERIFY;
    }
    return rc;
}

/* On EEPROM the slot holds an old record: clear its mark first, so that a cut
 * in the body leaves an uncommitted slot, not a damaged committed one. */
static mtr_err_t unmark_old(struct mtr_store *st, struct mtr_store_part *p, uint32_t addr)
{
    uint8_t m[ST_CHUNK];
    mtr_err_t rc = nvm_read(st, addr, m, p->mark_len);
    if (rc != MTR_OK || mark_state(st, m, p->mark_len) == MARK_NONE) {
        return rc;
    }
    return mark_pass(st, p, addr, false);
}

/* Make the head's erase unit writable: on flash erase it. Records of a ring
 * in that unit are dropped; a snapshot's copy in use is never erased. */
static mtr_err_t open_unit(struct mtr_store *st, struct mtr_store_part *p)
{
    uint32_t unit = st_unit_of(p, p->head);
    if (p->cfg.kind == MTR_STORE_SNAPSHOT && p->current != ST_NONE &&
        st_unit_of(p, p->current) == unit) {
        return MTR_ERR_STORE_NO_SPACE;
    }
    if (st->info.needs_erase) {
        uint32_t addr = (p->cfg.first_sector + unit) * st->info.sector_size;
        mtr_err_t rc = st->hal->nvm->erase(st->hal->ctx, addr, st->info.sector_size);
        if (rc != MTR_OK) {
            return rc;
        }
        if (p->erases == 0) {
            p->first_erase = unit;
        }
        p->erases++;
    }
    if (p->cfg.kind == MTR_STORE_RING && p->count > 0 && st_unit_of(p, p->tail) == unit) {
        uint32_t from = st_next_unit_start(p, p->head);
        uint32_t t;
        mtr_err_t rc = st_first_valid(st, p, from, st_dist(p, from, p->head), &t);
        if (rc != MTR_OK) {
            return rc;
        }
        p->tail = t == ST_NONE ? p->head : t;
        p->count = t == ST_NONE ? 0 : st_dist(p, t, p->head);
    }
    return MTR_OK;
}

/* The head slot is used up, with a record (@filled) or as a hole. */
static void advance(struct mtr_store_part *p, bool filled)
{
    uint32_t old = p->head;
    p->head = st_next(p, old);
    if (p->cfg.kind != MTR_STORE_RING) {
        return;
    }
    if (p->count == 0) {
        p->tail = filled ? old : p->head;
        p->count = filled ? 1u : 0u;
    } else {
        p->count++;
    }
}

/* Write one record into the head slot: body, read back, mark, read back. */
static mtr_err_t try_slot(struct mtr_store *st, struct mtr_store_part *p, const struct st_body *b,
                          bool *marking)
{
    uint32_t addr = st_slot_addr(st, p, p->head);
    mtr_err_t rc = st->info.needs_erase ? MTR_OK : unmark_old(st, p, addr);
    if (rc == MTR_OK) {
        rc = body_pass(st, p, addr + p->mark_len, b, false);
    }
    if (rc == MTR_OK) {
        rc = body_pass(st, p, addr + p->mark_len, b, true);
    }
    if (rc == MTR_OK) {
        *marking = true;
        rc = mark_pass(st, p, addr, true);
    }
    return rc;
}

static void make_body(const struct mtr_store *st, const struct mtr_store_part *p, const void *data,
                      uint16_t len, struct st_body *b)
{
    mtr_put_be16(b->hdr, ST_MAGIC);
    b->hdr[2] = MTR_STORE_FORMAT_VERSION;
    b->hdr[3] = p->cfg.kind;
    mtr_put_be16(b->hdr + 4, p->cfg.id);
    mtr_put_be16(b->hdr + 6, len);
    mtr_put_be32(b->hdr + 8, p->next_seq);
    b->data = data;
    b->len = len;
    uint32_t crc = mtr_crc32_update(MTR_CRC32_INIT, b->hdr, ST_HDR_LEN);
    mtr_put_be32(b->crc, mtr_crc32_update(crc, data, len) ^ 0xFFFFFFFFu);
    b->pad = st->info.erased;
}

mtr_err_t st_put(struct mtr_store *st, struct mtr_store_part *p, const void *data, uint16_t len)
{
    if (p->next_seq == UINT32_MAX) {
        return MTR_ERR_OVERFLOW;
    }
    struct st_body b;
    make_body(st, p, data, len, &b);
    uint32_t failures = 0;
    for (uint32_t tries = 0; tries <= p->nslots; tries++) {
        mtr_err_t rc = MTR_OK;
        if (p->head % p->unit_slots == 0) {
            rc = open_unit(st, p);
        }
        bool blank = true;
        if (rc == MTR_OK && st->info.needs_erase) {
            rc = st_is_blank(st, p, p->head, &blank);
        }
        if (rc != MTR_OK) {
            return rc;
        }
        if (!blank) {
            advance(p, false); /* left over from an interrupted write */
            continue;
        }
        uint32_t slot = p->head;
        bool stage_marked = false;
        rc = try_slot(st, p, &b, &stage_marked);
        if (rc == MTR_OK) {
            advance(p, true);
            p->current = p->cfg.kind == MTR_STORE_SNAPSHOT ? slot : p->current;
            p->next_seq++;
            p->records++;
            return MTR_OK;
        }
        advance(p, false);
        p->next_seq += stage_marked ? 1u : 0u; /* the mark may have landed: never reuse */
        if (rc != MTR_ERR_POWER) {
            st_fault(st, p, MTR_STORE_FAULT_WRITE, 1);
        }
        if (rc != MTR_ERR_STORE_VERIFY || ++failures > MTR_CFG_STORE_RETRIES) {
            return rc;
        }
    }
    return MTR_ERR_STORE_NO_SPACE;
}
