/* SPDX-License-Identifier: Apache-2.0 */
/* A-XDR streaming encoder into caller buffers. */
#include "axdr_private.h"

#include "meter/bytes.h"
#include "meter/meter.h"

void mtr_dlms_axdr_writer_init(struct mtr_dlms_axdr_writer *w, uint8_t *buf, size_t cap)
{
    MTR_ASSERT(w != NULL && (buf != NULL || cap == 0));
    memset(w, 0, sizeof *w);
    w->buf = buf;
    w->cap = cap;
}

size_t mtr_dlms_axdr_writer_pending(const struct mtr_dlms_axdr_writer *w)
{
    size_t n = 0;

    MTR_ASSERT(w != NULL);
    for (uint8_t k = w->cur; k < w->nseg; k++)
        n += w->seg_len[k];
    return n;
}

static void drain(struct mtr_dlms_axdr_writer *w)
{
    while (w->cur < w->nseg) {
        size_t room = w->cap - w->len;
        size_t n = w->seg_len[w->cur];

        if (n > room)
            n = room;
        if (n > 0)
            memcpy(w->buf + w->len, w->seg[w->cur], n);
        w->len += n;
        w->total += (uint32_t)n;
        w->seg[w->cur] += n;
        w->seg_len[w->cur] -= (uint32_t)n;
        if (w->seg_len[w->cur] != 0)
            return;
        w->cur++;
    }
}

void mtr_dlms_axdr_writer_next(struct mtr_dlms_axdr_writer *w, uint8_t *buf, size_t cap)
{
    MTR_ASSERT(w != NULL && (buf != NULL || cap == 0));
    w->buf = buf;
    w->cap = cap;
    w->len = 0;
    drain(w);
}

/* Item assembly: begin, add staged bytes or views, then commit (drains). */
static mtr_err_t begin(struct mtr_dlms_axdr_writer *w)
{
    MTR_ASSERT(w != NULL);
    if (mtr_dlms_axdr_writer_pending(w) != 0)
        return MTR_ERR_BUSY;
    w->nseg = 0;
    w->cur = 0;
    return MTR_OK;
}

static void add_view(struct mtr_dlms_axdr_writer *w, const uint8_t *p, uint32_t n)
{
    if (n == 0)
        return;
    w->seg[w->nseg] = p;
    w->seg_len[w->nseg++] = n;
}

/* Copy @p n bytes into the stage at @p at as the next segment (at most 4 per item). */
static uint8_t *stage(struct mtr_dlms_axdr_writer *w, uint8_t *at, const uint8_t *src, uint32_t n)
{
    if (n == 0)
        return at;
    memcpy(at, src, n);
    add_view(w, at, n);
    return at + n;
}

/* Length field with @p size bytes (1: short form, 2..5: 0x81..0x84 + value). */
static uint8_t *put_len(struct mtr_dlms_axdr_writer *w, uint8_t *at, uint32_t v, uint8_t size)
{
    uint8_t b[5];

    if (size <= 1) {
        b[0] = (uint8_t)v;
    } else {
        b[0] = (uint8_t)(0x80u + size - 1u);
        for (uint8_t k = (uint8_t)(size - 1u); k >= 1; k--) {
            b[k] = (uint8_t)v;
            v >>= 8;
        }
    }
    return stage(w, at, b, size ? size : 1u);
}

static uint8_t min_len_size(uint32_t v)
{
    if (v < 0x80u)
        return 1;
    if (v <= 0xFFu)
        return 2;
    if (v <= 0xFFFFu)
        return 3;
    return v <= 0xFFFFFFu ? 4 : 5;
}

static bool len_fits(uint32_t v, uint8_t size)
{
    if (size == 1)
        return v < 0x80u;
    return size >= 2 && size <= 5 && (size == 5 || (v >> (8u * (size - 1u))) == 0);
}

static mtr_err_t commit(struct mtr_dlms_axdr_writer *w)
{
    drain(w);
    return MTR_OK;
}

static mtr_err_t put_header(struct mtr_dlms_axdr_writer *w, uint8_t tag, uint32_t n, uint8_t len_size)
{
    uint8_t *at = w->stage;
    mtr_err_t err = begin(w);

    if (err != MTR_OK)
        return err;
    at = stage(w, at, &tag, 1);
    (void)put_len(w, at, n, len_size);
    return MTR_OK;
}

mtr_err_t mtr_dlms_axdr_put_container(struct mtr_dlms_axdr_writer *w, uint8_t tag, uint32_t count)
{
    mtr_err_t err;

    if (tag != MTR_DLMS_ARRAY && tag != MTR_DLMS_STRUCTURE)
        return MTR_ERR_INVAL;
    err = put_header(w, tag, count, min_len_size(count));
    return err != MTR_OK ? err : commit(w);
}

static mtr_err_t put_be(struct mtr_dlms_axdr_writer *w, uint8_t tag, uint64_t v)
{
    uint8_t b[8];
    int size = axdr_kind(tag);
    uint8_t *at = w->stage;
    mtr_err_t err = begin(w);

    if (err != MTR_OK)
        return err;
    for (int k = size - 1; k >= 0; k--) {
        b[k] = (uint8_t)v;
        v >>= 8;
    }
    at = stage(w, at, &tag, 1);
    (void)stage(w, at, b, (uint32_t)size);
    return commit(w);
}

mtr_err_t mtr_dlms_axdr_put_uint(struct mtr_dlms_axdr_writer *w, uint8_t tag, uint64_t v)
{
    int size = axdr_kind(tag);

    MTR_ASSERT(w != NULL);
    if (!axdr_is_uint(tag))
        return MTR_ERR_INVAL;
    if (size < 8 && (v >> (8 * size)) != 0)
        return MTR_ERR_RANGE;
    return put_be(w, tag, v);
}

mtr_err_t mtr_dlms_axdr_put_int(struct mtr_dlms_axdr_writer *w, uint8_t tag, int64_t v)
{
    int size = axdr_kind(tag);

    MTR_ASSERT(w != NULL);
    if (!axdr_is_int(tag))
        return MTR_ERR_INVAL;
    if (size < 8) {
        int64_t lim = (int64_t)1 << (8 * size - 1);
        if (v < -lim || v >= lim)
            return MTR_ERR_RANGE;
    }
    return put_be(w, tag, (uint64_t)v);
}

mtr_err_t mtr_dlms_axdr_put_fixed(struct mtr_dlms_axdr_writer *w, uint8_t tag, const uint8_t *v)
{
    int size = axdr_kind(tag);
    uint8_t *at = w->stage;
    mtr_err_t err;

    MTR_ASSERT(w != NULL && (v != NULL || size <= 0));
    if (size < 0)
        return MTR_ERR_INVAL;
    err = begin(w);
    if (err != MTR_OK)
        return err;
    at = stage(w, at, &tag, 1);
    (void)stage(w, at, v, (uint32_t)size);
    return commit(w);
}

mtr_err_t mtr_dlms_axdr_put_string(struct mtr_dlms_axdr_writer *w, uint8_t tag, const uint8_t *data,
                                   uint32_t len)
{
    mtr_err_t err;

    MTR_ASSERT(w != NULL && (data != NULL || len == 0));
    if (axdr_kind(tag) != -2)
        return MTR_ERR_INVAL;
    err = put_header(w, tag, len, min_len_size(len));
    if (err != MTR_OK)
        return err;
    add_view(w, data, len);
    return commit(w);
}

mtr_err_t mtr_dlms_axdr_put_bits(struct mtr_dlms_axdr_writer *w, const uint8_t *data, uint32_t bits)
{
    uint32_t bytes = (bits >> 3) + ((bits & 7u) != 0);
    mtr_err_t err;

    MTR_ASSERT(w != NULL && (data != NULL || bits == 0));
    err = put_header(w, MTR_DLMS_BIT_STRING, bits, min_len_size(bits));
    if (err != MTR_OK)
        return err;
    add_view(w, data, bytes);
    return commit(w);
}

mtr_err_t mtr_dlms_axdr_put_datetime(struct mtr_dlms_axdr_writer *w, const struct mtr_dlms_datetime *dt)
{
    uint8_t b[12];

    MTR_ASSERT(dt != NULL);
    mtr_dlms_datetime_encode(dt, b);
    return mtr_dlms_axdr_put_fixed(w, MTR_DLMS_DATE_TIME, b);
}

mtr_err_t mtr_dlms_axdr_put_token(struct mtr_dlms_axdr_writer *w, const struct mtr_dlms_axdr_token *t)
{
    int kind;
    uint8_t *at = w->stage;
    mtr_err_t err;

    MTR_ASSERT(w != NULL && t != NULL);
    kind = axdr_kind(t->tag);
    if (kind >= 0)
        return t->value_len == (uint32_t)kind ? mtr_dlms_axdr_put_fixed(w, t->tag, t->value) : MTR_ERR_INVAL;
    if (kind == -1 || !len_fits(t->count, t->len_size))
        return MTR_ERR_INVAL;
    if (kind == -5) {
        if (t->desc == NULL || t->desc_len == 0)
            return MTR_ERR_INVAL;
        err = begin(w);
        if (err != MTR_OK)
            return err;
        at = stage(w, at, &t->tag, 1);
        add_view(w, t->desc, t->desc_len);
        (void)put_len(w, at, t->count, t->len_size);
    } else {
        err = put_header(w, t->tag, t->count, t->len_size);
        if (err != MTR_OK)
            return err;
    }
    if (kind != -4)
        add_view(w, t->value, t->value_len);
    return commit(w);
}

mtr_err_t axdr_put_raw(struct mtr_dlms_axdr_writer *w, const uint8_t *b, uint32_t n)
{
    mtr_err_t err = begin(w);

    MTR_ASSERT(n <= MTR_DLMS_AXDR_STAGE);
    if (err != MTR_OK)
        return err;
    (void)stage(w, w->stage, b, n);
    return commit(w);
}

void axdr_writer_truncate(struct mtr_dlms_axdr_writer *w, size_t len)
{
    MTR_ASSERT(w != NULL && len <= w->len);
    w->total -= (uint32_t)(w->len - len);
    w->len = len;
    w->cur = w->nseg;
}
