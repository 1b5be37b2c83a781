/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Ring records and the saved state blob: encoding and bounded decoding.
 *
 * Record (format version 1, big-endian like the store's own header):
 *   0  version (1)
 *   1  type: 1 entry, 2 reset marker
 *   2  status byte (entry; 0 in a marker)
 *   3  value count k (entry: value columns; marker: 1)
 *   4  entry number, u32 (marker: the newest entry's number at the reset)
 *   8  time, u32 UTC seconds (entry: capture time; marker: time of the reset)
 *   12 k values, int64 each (marker: the last capture time, -1 = none)
 * Length: exactly 12 + 8 k.
 *
 * State blob (version 1): version, noted status bits, 0, 0, capture period
 * u32, CRC-32 of the 8 bytes before.
 */
#include <string.h>

#include "meter/bytes.h"
#include "meter/crc.h"
#include "pf_priv.h"

#define STATE_VERSION 1u

uint32_t mtr_profile_record_size(uint32_t nvalues)
{
    return nvalues > MTR_CFG_PROFILE_COLUMNS ? 0u : MTR_PROFILE_RECORD_SIZE(nvalues);
}

bool pf_period_ok(uint32_t period_s)
{
    /* Seed profiles.json "capture_period_options_s". */
    switch (period_s) {
    case 0u:
    case 300u:
    case 600u:
    case 900u:
    case 1800u:
    case 3600u:
    case 86400u:
        return true;
    default:
        return false;
    }
}

size_t pf_encode(uint8_t *rec, uint8_t type, uint8_t status, uint32_t n, mtr_utc_t utc,
                 const int64_t *values, size_t nvalues)
{
    rec[PF_OFF_VERSION] = MTR_PROFILE_FORMAT_VERSION;
    rec[PF_OFF_TYPE] = type;
    rec[PF_OFF_STATUS] = status;
    rec[PF_OFF_COUNT] = (uint8_t)nvalues;
    mtr_put_be32(rec + PF_OFF_NUMBER, n);
    mtr_put_be32(rec + PF_OFF_UTC, (uint32_t)utc);
    for (size_t i = 0; i < nvalues; i++) {
        mtr_put_be64(rec + PF_OFF_VALUES + 8u * i, (uint64_t)values[i]);
    }
    return PF_OFF_VALUES + 8u * nvalues;
}

int64_t pf_value(const uint8_t *rec, uint32_t i)
{
    return (int64_t)mtr_get_be64(rec + PF_OFF_VALUES + 8u * i);
}

mtr_err_t pf_decode_hdr(const uint8_t *rec, size_t len, struct pf_hdr *h)
{
    if (len < MTR_PROFILE_RECORD_HEADER) {
        return MTR_ERR_PROFILE_FORMAT;
    }
    if (rec[PF_OFF_VERSION] != MTR_PROFILE_FORMAT_VERSION) {
        return MTR_ERR_PROFILE_VERSION;
    }
    uint8_t type = rec[PF_OFF_TYPE];
    uint8_t status = rec[PF_OFF_STATUS];
    uint8_t k = rec[PF_OFF_COUNT];
    if (k > MTR_CFG_PROFILE_COLUMNS || len != MTR_PROFILE_RECORD_SIZE(k)) {
        return MTR_ERR_PROFILE_FORMAT;
    }
    if (type == MTR_PROFILE_REC_ENTRY) {
        if ((status & PF_ST_RESERVED) != 0) {
            return MTR_ERR_PROFILE_FORMAT;
        }
    } else if (type == MTR_PROFILE_REC_RESET) {
        if (status != 0 || k != 1u) {
            return MTR_ERR_PROFILE_FORMAT;
        }
    } else {
        return MTR_ERR_PROFILE_FORMAT;
    }
    uint32_t n = mtr_get_be32(rec + PF_OFF_NUMBER);
    if (n == UINT32_MAX) {
        return MTR_ERR_PROFILE_FORMAT; /* never written: numbers stop one below */
    }
    h->type = type;
    h->status = status;
    h->nvalues = k;
    h->ours = false;
    h->n = n;
    h->utc = (mtr_utc_t)mtr_get_be32(rec + PF_OFF_UTC);
    return MTR_OK;
}

mtr_err_t mtr_profile_record_decode(const uint8_t *rec, size_t len, uint8_t *type,
                                    uint32_t *number, struct mtr_profile_entry *out)
{
    MTR_ASSERT(type != NULL && number != NULL && out != NULL);
    MTR_ASSERT(rec != NULL || len == 0);
    struct pf_hdr h;
    mtr_err_t rc = pf_decode_hdr(rec, len, &h);
    if (rc != MTR_OK) {
        return rc;
    }
    *type = h.type;
    *number = h.n;
    out->utc = h.utc;
    out->status = h.status;
    out->nvalues = h.nvalues;
    for (uint32_t i = 0; i < h.nvalues; i++) {
        out->v[i] = pf_value(rec, i);
    }
    return MTR_OK;
}

mtr_err_t mtr_profile_state_save(const struct mtr_profile *p, uint8_t *buf, size_t cap,
                                 size_t *len)
{
    MTR_ASSERT(p != NULL && buf != NULL && len != NULL);
    if (cap < MTR_PROFILE_STATE_SIZE) {
        return MTR_ERR_OVERFLOW;
    }
    buf[0] = STATE_VERSION;
    buf[1] = p->pending;
    buf[2] = 0;
    buf[3] = 0;
    mtr_put_be32(buf + 4, p->period_s);
    mtr_put_be32(buf + 8, mtr_crc32(buf, 8));
    *len = MTR_PROFILE_STATE_SIZE;
    return MTR_OK;
}

mtr_err_t mtr_profile_state_load(struct mtr_profile *p, const uint8_t *buf, size_t len)
{
    MTR_ASSERT(p != NULL);
    MTR_ASSERT(buf != NULL || len == 0);
    if (len != MTR_PROFILE_STATE_SIZE) {
        return MTR_ERR_PROFILE_BLOB;
    }
    if (mtr_crc32(buf, 8) != mtr_get_be32(buf + 8)) {
        return MTR_ERR_PROFILE_BLOB_CRC;
    }
    if (buf[0] != STATE_VERSION) {
        return MTR_ERR_PROFILE_VERSION;
    }
    uint32_t period = mtr_get_be32(buf + 4);
    if ((buf[1] & PF_ST_RESERVED) != 0 || buf[2] != 0 || buf[3] != 0 || !pf_period_ok(period)) {
        return MTR_ERR_PROFILE_BLOB;
    }
    p->period_s = period;
    p->pending |= buf[1];
    return MTR_OK;
}

size_t mtr_profile_size(void)
{
    return sizeof(struct mtr_profile);
}

size_t mtr_profile_entry_size(void)
{
    return sizeof(struct mtr_profile_entry);
}

uint32_t mtr_profile_config_columns(void)
{
    return MTR_CFG_PROFILE_COLUMNS;
}
