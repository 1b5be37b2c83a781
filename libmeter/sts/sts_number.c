/* SPDX-License-Identifier: Apache-2.0 */
/*
 * STS token numbers (IEC 62055-41): 20 digits <-> 66 bits, class
 * transposition, token CRC, amount coding, TID <-> UTC. Integer only; the
 * decode direction uses no division.
 */
#include "meter/sts.h"

#include "sts_internal.h"

/* 2^66 - 1 = 73786976294838206463: hi = 3, lo = all ones. */
#define HI_MAX 3u

/* v = v * 10 + d on the 66-bit pair, shifts and adds only. Returns false on
 * overflow past 2^66 - 1. */
static bool mul10_add(struct mtr_sts_number *v, uint8_t d)
{
    uint64_t lo8 = v->lo << 3;
    uint64_t lo2 = v->lo << 1;
    uint32_t hi = ((uint32_t)v->hi << 3) + (uint32_t)(v->lo >> 61) + ((uint32_t)v->hi << 1) +
                  (uint32_t)(v->lo >> 63);
    uint64_t lo = lo8 + lo2;

    hi += lo < lo8 ? 1u : 0u;
    lo += d;
    hi += lo < d ? 1u : 0u;
    if (hi > HI_MAX)
        return false;
    v->lo = lo;
    v->hi = (uint8_t)hi;
    return true;
}

mtr_err_t mtr_sts_digits_parse(const char *digits, size_t len, struct mtr_sts_number *n)
{
    struct mtr_sts_number v = {0, 0};

    MTR_ASSERT(n != NULL);
    if (len != MTR_STS_DIGITS || digits == NULL)
        return MTR_ERR_STS_LENGTH;
    for (size_t i = 0; i < len; i++) {
        if (digits[i] < '0' || digits[i] > '9')
            return MTR_ERR_STS_DIGIT;
    }
    for (size_t i = 0; i < len; i++) {
        if (!mul10_add(&v, (uint8_t)(digits[i] - '0')))
            return MTR_ERR_STS_RANGE;
    }
    *n = v;
    return MTR_OK;
}

void mtr_sts_digits_format(const struct mtr_sts_number *n, char out[MTR_STS_DIGITS + 1])
{
    uint8_t bcd[MTR_STS_DIGITS] = {0}; /* bcd[0] = least significant digit */

    MTR_ASSERT(n != NULL && out != NULL);
    for (int bit = 65; bit >= 0; bit--) {
        uint8_t in = bit >= 64 ? (uint8_t)((n->hi >> (bit - 64)) & 1u)
                               : (uint8_t)((n->lo >> bit) & 1u);
        for (int d = 0; d < MTR_STS_DIGITS; d++) {
            if (bcd[d] >= 5)
                bcd[d] = (uint8_t)(bcd[d] + 3);
        }
        for (int d = MTR_STS_DIGITS - 1; d > 0; d--)
            bcd[d] = (uint8_t)(((bcd[d] << 1) & 0xF) | (bcd[d - 1] >> 3));
        bcd[0] = (uint8_t)(((bcd[0] << 1) & 0xF) | in);
    }
    for (int d = 0; d < MTR_STS_DIGITS; d++)
        out[MTR_STS_DIGITS - 1 - d] = (char)('0' + bcd[d]);
    out[MTR_STS_DIGITS] = '\0';
}

#define BIT27 ((uint64_t)1 << 27)
#define BIT28 ((uint64_t)1 << 28)

struct mtr_sts_number mtr_sts_transpose(uint64_t block, uint8_t cls)
{
    struct mtr_sts_number n;

    n.hi = (uint8_t)((((block >> 28) & 1u) << 1) | ((block >> 27) & 1u));
    n.lo = (block & ~(BIT27 | BIT28)) | ((uint64_t)((cls >> 1) & 1u) << 28) |
           ((uint64_t)(cls & 1u) << 27);
    return n;
}

uint64_t mtr_sts_untranspose(const struct mtr_sts_number *n, uint8_t *cls)
{
    MTR_ASSERT(n != NULL && cls != NULL);
    *cls = (uint8_t)((((n->lo >> 28) & 1u) << 1) | ((n->lo >> 27) & 1u));
    return (n->lo & ~(BIT27 | BIT28)) | ((uint64_t)((n->hi >> 1) & 1u) << 28) |
           ((uint64_t)(n->hi & 1u) << 27);
}

uint16_t mtr_sts_crc(uint8_t cls, uint64_t block)
{
    uint64_t v = ((uint64_t)(cls & 3u) << 48) | (block >> 16);
    uint16_t crc = 0xFFFFu;

    for (int i = 6; i >= 0; i--) {
        crc ^= (uint8_t)(v >> (8 * i));
        for (int b = 0; b < 8; b++)
            crc = (crc & 1u) ? (uint16_t)((crc >> 1) ^ 0xA001u) : (uint16_t)(crc >> 1);
    }
    return (uint16_t)((crc << 8) | (crc >> 8));
}

/* Offsets of the four exponents: sum(i = 1..e) 2^14 * 10^(i-1). */
static const uint32_t amount_offset[4] = {0u, 16384u, 180224u, 1818624u};
static const uint32_t pow10_tab[4] = {1u, 10u, 100u, 1000u};

uint32_t mtr_sts_amount_decode(uint16_t field)
{
    unsigned e = field >> 14;

    return (uint32_t)(field & 0x3FFFu) * pow10_tab[e] + amount_offset[e];
}

mtr_err_t mtr_sts_amount_encode(uint32_t value, uint16_t *field, uint32_t *represented)
{
    unsigned e = 3;
    uint32_t m;

    MTR_ASSERT(field != NULL && represented != NULL);
    if (value > MTR_STS_AMOUNT_MAX)
        return MTR_ERR_STS_OVERFLOW;
    while (value < amount_offset[e])
        e--;
    m = (value - amount_offset[e] + pow10_tab[e] - 1u) / pow10_tab[e];
    if (m > 0x3FFFu) { /* rounded up past this exponent: first value of the next */
        e++;
        m = 0;
    }
    *field = (uint16_t)((e << 14) | m);
    *represented = mtr_sts_amount_decode(*field);
    return MTR_OK;
}

/* 1993-01-01, 2014-01-01, 2035-01-01 at 00:00:00 UTC. */
static const mtr_utc_t base_utc[MTR_STS_BASE_COUNT] = {725846400, 1388534400, 2051222400};

mtr_utc_t mtr_sts_base_utc(enum mtr_sts_base base)
{
    return (unsigned)base < MTR_STS_BASE_COUNT ? base_utc[base] : 0;
}

mtr_utc_t mtr_sts_tid_to_utc(enum mtr_sts_base base, uint32_t tid)
{
    return mtr_sts_base_utc(base) + (mtr_utc_t)tid * 60;
}

mtr_err_t mtr_sts_utc_to_tid(enum mtr_sts_base base, mtr_utc_t utc, uint32_t *tid)
{
    mtr_utc_t minutes;

    MTR_ASSERT(tid != NULL);
    if ((unsigned)base >= MTR_STS_BASE_COUNT)
        return MTR_ERR_INVAL;
    if (utc < base_utc[base])
        return MTR_ERR_RANGE;
    minutes = (utc - base_utc[base]) / 60;
    if (minutes > (mtr_utc_t)MTR_STS_TID_MAX)
        return MTR_ERR_RANGE;
    *tid = (uint32_t)minutes;
    return MTR_OK;
}
