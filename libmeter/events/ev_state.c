/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The saved state of the events engine (snapshot payload, version 1).
 *
 * Layout, big-endian (sizes in bytes; L = MTR_EVLOG_COUNT = 9,
 * C = MTR_EVENTS_CODES = 136):
 *   'E' 'V' | version 1 | L | C (u16)                              6
 *   error register, alarm 1, alarm 2, filter 1, filter 2,
 *   descriptor 1, descriptor 2 (u32 each)                          28
 *   error register change time (i64, -1: never)                    8
 *   short power failures (u32)                                     4
 *   entries per log (u32 x L)                                      4 L
 *   raises per table row (u32 x C)                                 4 C
 *   pending: op u8, row u16, logs u16, time i64, value i64,
 *            value2 i64, ring marks u32 x L                        29 + 4 L
 *   CRC-32 of everything before                                    4
 *
 * A blob is refused unless every field is in its domain: no reserved alarm
 * or filter bit, no unassigned error bit, a pending operation that the code
 * table allows (its logs a subset of the row's), times in range.
 */
#include <string.h>

#include "ev_priv.h"
#include "meter/bytes.h"
#include "meter/crc.h"

#define BLOB_VERSION 1u
#define OFF_REGS     6u
#define OFF_ERRUTC   (OFF_REGS + 28u)
#define OFF_SHORT    (OFF_ERRUTC + 8u)
#define OFF_LOGS     (OFF_SHORT + 4u)
#define OFF_CODES    (OFF_LOGS + 4u * MTR_EVLOG_COUNT)
#define OFF_PEND     (OFF_CODES + 4u * MTR_EVENTS_CODES)
#define OFF_CRC      (OFF_PEND + 29u + 4u * MTR_EVLOG_COUNT)

_Static_assert(OFF_CRC + 4u == MTR_EVENTS_BLOB_SIZE, "MTR_EVENTS_BLOB_SIZE");
_Static_assert(MTR_EVLOG_COUNT <= 16, "log bits fit a u16");

static const uint32_t valid_alarm[2] = {MTR_EVENTS_ALARM1_VALID, MTR_EVENTS_ALARM2_VALID};

void ev_defaults(struct mtr_events_state *s)
{
    memset(s, 0, sizeof *s);
    /* Filters let every alarm through until the HES writes them. */
    s->filter[0] = MTR_EVENTS_ALARM1_VALID;
    s->filter[1] = MTR_EVENTS_ALARM2_VALID;
    s->error_utc = -1;
}

void ev_encode(const struct mtr_events_state *s, uint8_t out[MTR_EVENTS_BLOB_SIZE])
{
    out[0] = 'E';
    out[1] = 'V';
    out[2] = BLOB_VERSION;
    out[3] = MTR_EVLOG_COUNT;
    mtr_put_be16(out + 4, MTR_EVENTS_CODES);
    uint8_t *q = out + OFF_REGS;
    const uint32_t regs[7] = {s->error,     s->alarm[0],      s->alarm[1],     s->filter[0],
                              s->filter[1], s->descriptor[0], s->descriptor[1]};
    for (size_t i = 0; i < 7; i++) {
        mtr_put_be32(q + 4 * i, regs[i]);
    }
    mtr_put_be64(out + OFF_ERRUTC, (uint64_t)s->error_utc);
    mtr_put_be32(out + OFF_SHORT, s->short_failures);
    for (size_t i = 0; i < MTR_EVLOG_COUNT; i++) {
        mtr_put_be32(out + OFF_LOGS + 4 * i, s->log_count[i]);
    }
    for (size_t i = 0; i < MTR_EVENTS_CODES; i++) {
        mtr_put_be32(out + OFF_CODES + 4 * i, s->code_count[i]);
    }
    q = out + OFF_PEND;
    q[0] = s->p.op;
    mtr_put_be16(q + 1, s->p.index);
    mtr_put_be16(q + 3, s->p.logs);
    mtr_put_be64(q + 5, (uint64_t)s->p.utc);
    mtr_put_be64(q + 13, (uint64_t)s->p.value);
    mtr_put_be64(q + 21, (uint64_t)s->p.value2);
    for (size_t i = 0; i < MTR_EVLOG_COUNT; i++) {
        mtr_put_be32(q + 29 + 4 * i, s->p.mark[i]);
    }
    mtr_put_be32(out + OFF_CRC, mtr_crc32(out, OFF_CRC));
}

static bool time_ok(int64_t t)
{
    return t >= 0 && t <= MTR_PROFILE_UTC_MAX;
}

static mtr_err_t check_pending(const uint8_t *q)
{
    uint8_t op = q[0];
    uint16_t index = mtr_get_be16(q + 1);
    uint16_t logs = mtr_get_be16(q + 3);
    int64_t utc = (int64_t)mtr_get_be64(q + 5);
    int64_t value = (int64_t)mtr_get_be64(q + 13);
    int64_t value2 = (int64_t)mtr_get_be64(q + 21);
    switch (op) {
    case MTR_EVENTS_OP_NONE:
        if (index != 0 || logs != 0 || utc != 0 || value != 0 || value2 != 0) {
            return MTR_ERR_EVENTS_BLOB;
        }
        for (size_t i = 0; i < MTR_EVLOG_COUNT; i++) {
            if (mtr_get_be32(q + 29 + 4 * i) != 0) {
                return MTR_ERR_EVENTS_BLOB;
            }
        }
        return MTR_OK;
    case MTR_EVENTS_OP_RAISE:
        if (index >= MTR_EVENTS_CODES || logs == 0 || (logs & ~mtr_event_table[index].logs) != 0 ||
            value2 != 0) {
            return MTR_ERR_EVENTS_BLOB;
        }
        break;
    case MTR_EVENTS_OP_CLEAR:
        /* one log, and the row of event 255 */
        if (index != ev_row(EV_CODE_LOG_CLEARED) || logs == 0 || (logs & (logs - 1u)) != 0 ||
            (logs & ~mtr_event_table[index].logs) != 0 || value != 0 || value2 != 0) {
            return MTR_ERR_EVENTS_BLOB;
        }
        break;
    case MTR_EVENTS_OP_POWER:
        if (index != 0 || logs != 1u << MTR_EVLOG_POWER_FAILURE || !time_ok(value) || value2 < 0 ||
            value > utc || utc - value != value2) {
            return MTR_ERR_EVENTS_BLOB;
        }
        break;
    default:
        return MTR_ERR_EVENTS_BLOB;
    }
    return time_ok(utc) ? MTR_OK : MTR_ERR_EVENTS_BLOB;
}

mtr_err_t ev_check_blob(const uint8_t *blob, size_t len)
{
    if (blob == NULL || len < 6 || blob[0] != 'E' || blob[1] != 'V') {
        return MTR_ERR_EVENTS_BLOB;
    }
    if (blob[2] != BLOB_VERSION) {
        return MTR_ERR_EVENTS_VERSION;
    }
    if (len != MTR_EVENTS_BLOB_SIZE || blob[3] != MTR_EVLOG_COUNT ||
        mtr_get_be16(blob + 4) != MTR_EVENTS_CODES) {
        return MTR_ERR_EVENTS_BLOB;
    }
    if (mtr_crc32(blob, OFF_CRC) != mtr_get_be32(blob + OFF_CRC)) {
        return MTR_ERR_EVENTS_BLOB_CRC;
    }
    const uint8_t *q = blob + OFF_REGS;
    if ((mtr_get_be32(q) & ~MTR_EVENTS_ERROR_VALID) != 0) {
        return MTR_ERR_EVENTS_BLOB;
    }
    for (size_t r = 0; r < 2; r++) {
        /* alarm r, filter r, descriptor r */
        if ((mtr_get_be32(q + 4 + 4 * r) & ~valid_alarm[r]) != 0 ||
            (mtr_get_be32(q + 12 + 4 * r) & ~valid_alarm[r]) != 0 ||
            (mtr_get_be32(q + 20 + 4 * r) & ~valid_alarm[r]) != 0) {
            return MTR_ERR_EVENTS_BLOB;
        }
    }
    int64_t eu = (int64_t)mtr_get_be64(blob + OFF_ERRUTC);
    if (eu != -1 && !time_ok(eu)) {
        return MTR_ERR_EVENTS_BLOB;
    }
    return check_pending(blob + OFF_PEND);
}

void ev_decode(const uint8_t blob[MTR_EVENTS_BLOB_SIZE], struct mtr_events_state *s)
{
    const uint8_t *q = blob + OFF_REGS;
    s->error = mtr_get_be32(q);
    for (size_t r = 0; r < 2; r++) {
        s->alarm[r] = mtr_get_be32(q + 4 + 4 * r);
        s->filter[r] = mtr_get_be32(q + 12 + 4 * r);
        s->descriptor[r] = mtr_get_be32(q + 20 + 4 * r);
    }
    s->error_utc = (mtr_utc_t)mtr_get_be64(blob + OFF_ERRUTC);
    s->short_failures = mtr_get_be32(blob + OFF_SHORT);
    for (size_t i = 0; i < MTR_EVLOG_COUNT; i++) {
        s->log_count[i] = mtr_get_be32(blob + OFF_LOGS + 4 * i);
    }
    for (size_t i = 0; i < MTR_EVENTS_CODES; i++) {
        s->code_count[i] = mtr_get_be32(blob + OFF_CODES + 4 * i);
    }
    q = blob + OFF_PEND;
    s->p.op = q[0];
    s->p.index = mtr_get_be16(q + 1);
    s->p.logs = mtr_get_be16(q + 3);
    s->p.utc = (mtr_utc_t)mtr_get_be64(q + 5);
    s->p.value = (int64_t)mtr_get_be64(q + 13);
    s->p.value2 = (int64_t)mtr_get_be64(q + 21);
    for (size_t i = 0; i < MTR_EVLOG_COUNT; i++) {
        s->p.mark[i] = mtr_get_be32(q + 29 + 4 * i);
    }
}

mtr_err_t mtr_events_save(const struct mtr_events *ev, uint8_t *buf, size_t cap, size_t *len)
{
    MTR_ASSERT(ev != NULL && buf != NULL);
    if (cap < MTR_EVENTS_BLOB_SIZE) {
        return MTR_ERR_OVERFLOW;
    }
    ev_encode(&ev->s, buf);
    if (len != NULL) {
        *len = MTR_EVENTS_BLOB_SIZE;
    }
    return MTR_OK;
}

mtr_err_t mtr_events_restore(struct mtr_events *ev, const uint8_t *blob, size_t len)
{
    MTR_ASSERT(ev != NULL);
    mtr_err_t rc = ev_check_blob(blob, len);
    if (rc != MTR_OK) {
        return rc;
    }
    ev_decode(blob, &ev->s);
    ev->left = 0;
    return MTR_OK;
}

size_t mtr_events_size(void)
{
    return sizeof(struct mtr_events);
}
