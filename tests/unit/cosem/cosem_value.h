/* SPDX-License-Identifier: Apache-2.0 */
/* Decoding of the values a test receives (r->val), with the library's A-XDR reader. */
#ifndef TEST_COSEM_VALUE_H
#define TEST_COSEM_VALUE_H

#include <criterion/criterion.h>

#include "cosem_rig.h"

/* Tokens of a value, in order. */
struct tokens {
    struct mtr_dlms_axdr_token t[4096];
    size_t n;
};

static inline void tokens_of(const uint8_t *v, size_t len, struct tokens *out)
{
    struct mtr_dlms_axdr_reader rd;
    const uint8_t *p = v;
    mtr_dlms_axdr_reader_init(&rd);
    out->n = 0;
    while (!mtr_dlms_axdr_done(&rd)) {
        cr_assert_lt(out->n, sizeof out->t / sizeof out->t[0]);
        cr_assert_eq(mtr_dlms_axdr_next(&rd, &p, v + len, &out->t[out->n]), MTR_OK, "A-XDR value");
        out->n++;
    }
    cr_assert_eq(p, v + len, "one value");
}

static inline uint64_t tok_uint(const struct mtr_dlms_axdr_token *t, uint8_t tag)
{
    uint64_t v;
    cr_assert_eq(t->tag, tag, "tag %u, expected %u", t->tag, tag);
    cr_assert_eq(mtr_dlms_axdr_get_uint(t, &v), MTR_OK);
    return v;
}

static inline int64_t tok_int(const struct mtr_dlms_axdr_token *t, uint8_t tag)
{
    int64_t v;
    cr_assert_eq(t->tag, tag, "tag %u, expected %u", t->tag, tag);
    cr_assert_eq(mtr_dlms_axdr_get_int(t, &v), MTR_OK);
    return v;
}

/* A value that is one unsigned (signed) integer of @p tag. */
static inline uint64_t val_uint(const struct cosem_rig *r, uint8_t tag)
{
    static struct tokens tk;
    tokens_of(r->val, r->val_len, &tk);
    cr_assert_eq(tk.n, 1);
    return tok_uint(&tk.t[0], tag);
}

static inline int64_t val_int(const struct cosem_rig *r, uint8_t tag)
{
    static struct tokens tk;
    tokens_of(r->val, r->val_len, &tk);
    cr_assert_eq(tk.n, 1);
    return tok_int(&tk.t[0], tag);
}

/* scaler_unit {integer, enum}. */
static inline void val_scaler_unit(const struct cosem_rig *r, int *scaler, unsigned *unit)
{
    static struct tokens tk;
    tokens_of(r->val, r->val_len, &tk);
    cr_assert_eq(tk.n, 3);
    cr_assert(tk.t[0].tag == MTR_DLMS_STRUCTURE && tk.t[0].count == 2);
    *scaler = (int)tok_int(&tk.t[1], MTR_DLMS_INTEGER);
    *unit = (unsigned)tok_uint(&tk.t[2], MTR_DLMS_ENUM);
}

/* Wire bytes of a COSEM date-time with a specified deviation. */
static inline void dt_bytes(uint8_t b[12], uint16_t y, uint8_t mo, uint8_t d, uint8_t h, uint8_t mi, uint8_t s,
                            int16_t deviation)
{
    b[0] = (uint8_t)(y >> 8);
    b[1] = (uint8_t)y;
    b[2] = mo;
    b[3] = d;
    b[4] = 0xFF;
    b[5] = h;
    b[6] = mi;
    b[7] = s;
    b[8] = 0;
    b[9] = (uint8_t)((uint16_t)deviation >> 8);
    b[10] = (uint8_t)deviation;
    b[11] = 0;
}

#endif
