/* SPDX-License-Identifier: Apache-2.0 */
/* A-XDR pull decoder (IEC 62056-6-2 data types, Green Book encoding rules). */
#include "axdr_private.h"

#include "meter/bytes.h"
#include "meter/meter.h"

/* Value size of each tag 0..33: >= 0 fixed, VAR_* variable, BAD unknown. */
enum { BAD = -1, VAR_STR = -2, VAR_BITS = -3, CONT = -4, COMPACT = -5 };

static const int8_t kinds[34] = {
    0,       CONT, CONT, 1,   VAR_BITS, 4, 4, BAD, BAD, VAR_STR, VAR_STR, BAD,
    VAR_STR, 1,    BAD,  1,   2,        1, 2, COMPACT, 8, 8, 1, 4,
    8,       12,   5,    4,   1,        2, 4, 1,   2,   4,
};

int axdr_kind(uint8_t tag)
{
    if (tag == MTR_DLMS_DONT_CARE)
        return 0;
    return tag < sizeof kinds ? kinds[tag] : BAD;
}

int mtr_dlms_axdr_fixed_size(uint8_t tag)
{
    int k = axdr_kind(tag);
    return k >= 0 ? k : -1;
}

mtr_err_t mtr_dlms_axdr_get_length(const uint8_t **p, const uint8_t *end, uint32_t *len,
                                   uint8_t *len_size)
{
    const uint8_t *q;
    uint32_t v = 0;
    uint8_t n;

    MTR_ASSERT(p != NULL && *p != NULL && end != NULL && len != NULL);
    q = *p;
    if (q >= end)
        return MTR_ERR_DLMS_TRUNCATED;
    n = *q++;
    if (n < 0x80u) {
        v = n;
        n = 0;
    } else if (n >= 0x81u && n <= 0x84u) {
        n = (uint8_t)(n & 0x7Fu);
        if ((size_t)(end - q) < n)
            return MTR_ERR_DLMS_TRUNCATED;
        for (uint8_t k = 0; k < n; k++)
            v = (v << 8) | *q++;
    } else {
        return MTR_ERR_DLMS_LENGTH;
    }
    *len = v;
    if (len_size != NULL)
        *len_size = (uint8_t)(n + 1u);
    *p = q;
    return MTR_OK;
}

void mtr_dlms_axdr_reader_init(struct mtr_dlms_axdr_reader *r)
{
    MTR_ASSERT(r != NULL);
    memset(r, 0, sizeof *r);
}

bool mtr_dlms_axdr_done(const struct mtr_dlms_axdr_reader *r)
{
    MTR_ASSERT(r != NULL);
    return r->started && r->depth == 0;
}

/* Walk a compact-array TypeDescription without recursion; *q moves past it. */
static mtr_err_t read_description(const uint8_t **q, const uint8_t *end)
{
    uint32_t left[MTR_CFG_DLMS_MAX_DEPTH + 1];
    unsigned depth = 0;
    const uint8_t *s = *q;

    left[0] = 1;
    for (;;) {
        uint8_t tag;
        uint32_t n;
        mtr_err_t err;

        while (left[depth] == 0) {
            if (depth == 0) {
                *q = s;
                return MTR_OK;
            }
            depth--;
        }
        left[depth]--;
        if (s >= end)
            return MTR_ERR_DLMS_TRUNCATED;
        tag = *s++;
        if (tag == MTR_DLMS_ARRAY) {
            if (end - s < 2)
                return MTR_ERR_DLMS_TRUNCATED;
            s += 2; /* number-of-elements, Unsigned16: one description follows */
            n = 1;
        } else if (tag == MTR_DLMS_STRUCTURE) {
            err = mtr_dlms_axdr_get_length(&s, end, &n, NULL);
            if (err != MTR_OK)
                return err;
            if (n > MTR_CFG_DLMS_MAX_ELEMENTS || n > (uint32_t)(end - s))
                return MTR_ERR_DLMS_COUNT;
        } else {
            int k = axdr_kind(tag);
            if (k == BAD || k == COMPACT)
                return MTR_ERR_DLMS_TAG;
            continue;
        }
        if (depth + 1u > MTR_CFG_DLMS_MAX_DEPTH)
            return MTR_ERR_DLMS_DEPTH;
        left[++depth] = n;
    }
}

/* Body of one item after its tag: fills t, moves *q past it. */
static mtr_err_t read_body(const uint8_t **q, const uint8_t *end, int kind, struct mtr_dlms_axdr_token *t)
{
    const uint8_t *s = *q;
    uint32_t n = 0;
    uint32_t bytes;
    mtr_err_t err;

    if (kind >= 0) {
        if ((size_t)(end - s) < (size_t)kind)
            return MTR_ERR_DLMS_TRUNCATED;
        t->value = kind ? s : NULL;
        t->value_len = (uint32_t)kind;
        *q = s + kind;
        return MTR_OK;
    }
    if (kind == COMPACT) {
        t->desc = s;
        err = read_description(&s, end);
        if (err != MTR_OK)
            return err;
        if (s - t->desc > 0xFFFF)
            return MTR_ERR_DLMS_COUNT;
        t->desc_len = (uint16_t)(s - t->desc);
    }
    err = mtr_dlms_axdr_get_length(&s, end, &n, &t->len_size);
    if (err != MTR_OK)
        return err;
    t->count = n;
    if (kind == CONT) {
        *q = s;
        return MTR_OK;
    }
    bytes = kind == VAR_BITS ? (n >> 3) + ((n & 7u) != 0) : n;
    if ((size_t)(end - s) < bytes)
        return MTR_ERR_DLMS_TRUNCATED;
    t->value = s;
    t->value_len = bytes;
    *q = s + bytes;
    return MTR_OK;
}

/* Element bookkeeping after a complete item: count it, open it, close finished levels. */
static void account(struct mtr_dlms_axdr_reader *r, const struct mtr_dlms_axdr_token *t, bool container)
{
    if (r->depth > 0) {
        r->left[r->depth - 1]--;
        r->pending--;
    }
    r->started = true;
    if (container && t->count > 0) {
        r->left[r->depth++] = t->count;
        r->pending += t->count;
    }
    while (r->depth > 0 && r->left[r->depth - 1] == 0)
        r->depth--;
}

mtr_err_t mtr_dlms_axdr_next(struct mtr_dlms_axdr_reader *r, const uint8_t **p, const uint8_t *end,
                             struct mtr_dlms_axdr_token *t)
{
    struct mtr_dlms_axdr_token tok;
    const uint8_t *q;
    mtr_err_t err;
    int kind;

    MTR_ASSERT(r != NULL && p != NULL && *p != NULL && end != NULL && t != NULL);
    if (mtr_dlms_axdr_done(r))
        return MTR_ERR_EMPTY;
    q = *p;
    if (q >= end)
        return MTR_ERR_DLMS_TRUNCATED;
    memset(&tok, 0, sizeof tok);
    tok.tag = *q++;
    tok.depth = r->depth;
    kind = axdr_kind(tok.tag);
    if (kind == BAD)
        return MTR_ERR_DLMS_TAG;
    err = read_body(&q, end, kind, &tok);
    if (err != MTR_OK)
        return err;
    if (kind == CONT) {
        uint32_t due = r->pending - (r->depth > 0);
        if (tok.count > MTR_CFG_DLMS_MAX_ELEMENTS || tok.count > (uint32_t)(end - q) ||
            due > (uint32_t)(end - q) - tok.count)
            return MTR_ERR_DLMS_COUNT;
        if (tok.count > 0 && r->depth >= MTR_CFG_DLMS_MAX_DEPTH)
            return MTR_ERR_DLMS_DEPTH;
    }
    account(r, &tok, kind == CONT);
    *t = tok;
    *p = q;
    return MTR_OK;
}

mtr_err_t mtr_dlms_axdr_skip(const uint8_t **p, const uint8_t *end)
{
    struct mtr_dlms_axdr_reader r;
    struct mtr_dlms_axdr_token t;
    const uint8_t *q;

    MTR_ASSERT(p != NULL && *p != NULL && end != NULL);
    q = *p;
    mtr_dlms_axdr_reader_init(&r);
    do {
        mtr_err_t err = mtr_dlms_axdr_next(&r, &q, end, &t);
        if (err != MTR_OK)
            return err;
    } while (!mtr_dlms_axdr_done(&r));
    *p = q;
    return MTR_OK;
}

static uint64_t be_value(const struct mtr_dlms_axdr_token *t)
{
    uint64_t v = 0;
    for (uint32_t k = 0; k < t->value_len; k++)
        v = (v << 8) | t->value[k];
    return v;
}

bool axdr_is_uint(uint8_t tag)
{
    switch (tag) {
    case MTR_DLMS_BOOLEAN:
    case MTR_DLMS_DOUBLE_LONG_UNSIGNED:
    case MTR_DLMS_BCD:
    case MTR_DLMS_UNSIGNED:
    case MTR_DLMS_LONG_UNSIGNED:
    case MTR_DLMS_LONG64_UNSIGNED:
    case MTR_DLMS_ENUM:
    case MTR_DLMS_DELTA_UNSIGNED:
    case MTR_DLMS_DELTA_LONG_UNSIGNED:
    case MTR_DLMS_DELTA_DOUBLE_LONG_UNSIGNED:
        return true;
    default:
        return false;
    }
}

bool axdr_is_int(uint8_t tag)
{
    switch (tag) {
    case MTR_DLMS_DOUBLE_LONG:
    case MTR_DLMS_INTEGER:
    case MTR_DLMS_LONG:
    case MTR_DLMS_LONG64:
    case MTR_DLMS_DELTA_INTEGER:
    case MTR_DLMS_DELTA_LONG:
    case MTR_DLMS_DELTA_DOUBLE_LONG:
        return true;
    default:
        return false;
    }
}

mtr_err_t mtr_dlms_axdr_get_uint(const struct mtr_dlms_axdr_token *t, uint64_t *v)
{
    MTR_ASSERT(t != NULL && v != NULL);
    if (!axdr_is_uint(t->tag))
        return MTR_ERR_DLMS_TAG;
    *v = be_value(t);
    return MTR_OK;
}

mtr_err_t mtr_dlms_axdr_get_int(const struct mtr_dlms_axdr_token *t, int64_t *v)
{
    uint64_t u;
    unsigned shift;

    MTR_ASSERT(t != NULL && v != NULL);
    if (!axdr_is_int(t->tag))
        return MTR_ERR_DLMS_TAG;
    u = be_value(t);
    shift = 64u - 8u * t->value_len;
    /* sign-extend from the value width without relying on implementation-defined shifts */
    if (shift > 0 && (u >> (63u - shift)) & 1u)
        u |= ~(uint64_t)0 << (64u - shift);
    *v = (int64_t)u;
    return MTR_OK;
}

uint32_t mtr_dlms_config_max_depth(void)
{
    return MTR_CFG_DLMS_MAX_DEPTH;
}

uint32_t mtr_dlms_config_max_elements(void)
{
    return MTR_CFG_DLMS_MAX_ELEMENTS;
}

size_t mtr_dlms_axdr_reader_size(void)
{
    return sizeof(struct mtr_dlms_axdr_reader);
}

size_t mtr_dlms_axdr_writer_size(void)
{
    return sizeof(struct mtr_dlms_axdr_writer);
}
