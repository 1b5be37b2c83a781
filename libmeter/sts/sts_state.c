/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Saved state of the STS decoder, version 1, big-endian:
 *   0  'S' 'T' 'S' version            4
 *   4  key change sections held, EA, 0, 0
 *   8  decoder key (8), KRN, KT, TI, KEN, base, 0
 *  22  1st and 2nd key change sections as plain data blocks (8 + 8), 0, 0
 *  40  number of TIDs n (2), then n TIDs of 3 bytes
 *  42 + 3n  CRC-32 of all the bytes before it (4)
 */
#include <string.h>

#include "meter/bytes.h"
#include "meter/crc.h"
#include "meter/sts.h"

#include "sts_internal.h"

#define STATE_VERSION 1u
#define OFF_KCT 22u
#define OFF_TIDS 40u
#define HEAD_LEN 42u

_Static_assert(HEAD_LEN + 4u + 3u * MTR_STS_TID_MEMORY == MTR_STS_STATE_SIZE,
               "MTR_STS_STATE_SIZE out of step with the layout");

size_t mtr_sts_state_size(void)
{
    return MTR_STS_STATE_SIZE;
}

mtr_err_t mtr_sts_save(const struct mtr_sts *s, uint8_t *buf, size_t cap, size_t *len)
{
    size_t n;

    MTR_ASSERT(s != NULL && buf != NULL && len != NULL);
    n = HEAD_LEN + 3u * s->ntids;
    if (cap < n + 4u)
        return MTR_ERR_FULL;
    memset(buf, 0, HEAD_LEN);
    buf[0] = 'S'; buf[1] = 'T'; buf[2] = 'S'; buf[3] = STATE_VERSION;
    buf[4] = s->kct_have;
    buf[5] = s->cipher.ea;
    mtr_put_be64(buf + 8, s->key.dk);
    buf[16] = s->key.krn; buf[17] = s->key.kt; buf[18] = s->key.ti;
    buf[19] = s->key.ken; buf[20] = s->key.base;
    for (unsigned i = 0; i < 2; i++) {
        uint64_t block = 0;
        if ((s->kct_have >> i) & 1u)
            (void)mtr_sts_block_pack(&s->kct[i], &block);
        mtr_put_be64(buf + OFF_KCT + 8u * i, block);
    }
    mtr_put_be16(buf + OFF_TIDS, s->ntids);
    for (uint32_t i = 0; i < s->ntids; i++) {
        uint8_t *q = buf + HEAD_LEN + 3u * i;
        q[0] = (uint8_t)(s->tids[i] >> 16); q[1] = (uint8_t)(s->tids[i] >> 8);
        q[2] = (uint8_t)s->tids[i];
    }
    mtr_put_be32(buf + n, mtr_crc32(buf, n));
    *len = n + 4u;
    return MTR_OK;
}

/* The key change section of slot @p i, if held and well formed. */
static bool load_kct(const uint8_t *b, uint8_t have, unsigned i, struct mtr_sts_token *t)
{
    uint64_t block = mtr_get_be64(b + OFF_KCT + 8u * i);

    memset(t, 0, sizeof *t);
    if (!((have >> i) & 1u))
        return block == 0;
    return mtr_sts_block_unpack(MTR_STS_CLASS_MGMT, block, t) == MTR_OK &&
           t->subclass == MTR_STS_MGMT_SET_KEY_1ST + i;
}

static bool header_ok(const struct mtr_sts *s, const uint8_t *b, struct mtr_sts_key *k)
{
    k->dk = mtr_get_be64(b + 8);
    k->krn = b[16]; k->kt = b[17]; k->ti = b[18]; k->ken = b[19]; k->base = b[20];
    return b[0] == 'S' && b[1] == 'T' && b[2] == 'S' && b[3] == STATE_VERSION &&
           b[4] <= 3u && b[5] == s->cipher.ea && k->kt <= 3u && k->krn >= 1u &&
           k->krn <= 15u && k->ti <= 99u && k->base < MTR_STS_BASE_COUNT;
}

mtr_err_t mtr_sts_load(struct mtr_sts *s, const uint8_t **p, const uint8_t *end)
{
    const uint8_t *b;
    struct mtr_sts_key key;
    struct mtr_sts_token kct[2];
    size_t avail;
    size_t n;
    uint16_t ntids;

    MTR_ASSERT(s != NULL && p != NULL && *p != NULL && end != NULL);
    b = *p;
    avail = end >= b ? (size_t)(end - b) : 0u;
    if (avail < HEAD_LEN + 4u)
        return MTR_ERR_DECODE;
    ntids = mtr_get_be16(b + OFF_TIDS);
    if (ntids > MTR_STS_TID_MEMORY)
        return MTR_ERR_DECODE;
    n = HEAD_LEN + 3u * (size_t)ntids;
    if (avail < n + 4u)
        return MTR_ERR_DECODE;
    if (mtr_get_be32(b + n) != mtr_crc32(b, n))
        return MTR_ERR_CRC;
    if (!header_ok(s, b, &key) || !load_kct(b, b[4], 0, &kct[0]) || !load_kct(b, b[4], 1, &kct[1]))
        return MTR_ERR_DECODE;
    s->key = key;
    s->kct_have = b[4];
    memcpy(s->kct, kct, sizeof kct);
    s->ntids = ntids;
    for (uint32_t i = 0; i < ntids; i++) {
        const uint8_t *q = b + HEAD_LEN + 3u * i;
        s->tids[i] = ((uint32_t)q[0] << 16) | ((uint32_t)q[1] << 8) | q[2];
    }
    s->changes++;
    *p = b + n + 4u;
    return MTR_OK;
}
