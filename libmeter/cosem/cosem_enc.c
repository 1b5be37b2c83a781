/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Functions every object group shares (cosem_int.h): a value streamed into the GET
 * writer across blocks, a SET value or ACTION parameter pulled item by item,
 * and COSEM date-times (Blue Book 4.1.6.1) from and to UTC.
 */
#include "cosem_int.h"

#include <string.h>

#include "meter/clock.h"

/* ------------------------------------------------------------ value writer */

void cosem_out_init(struct cosem_out *o, const struct mtr_dlms_call *call,
                    struct mtr_dlms_axdr_writer *w)
{
    MTR_ASSERT(o != NULL && call != NULL && w != NULL);
    o->w = w;
    o->cursor = call->cursor;
    o->n = 0;
    o->err = MTR_OK;
}

mtr_err_t cosem_out_end(struct cosem_out *o)
{
    return o->err;
}

void cosem_out_fail(struct cosem_out *o, mtr_err_t err)
{
    if (o->err == MTR_OK) {
        o->err = err;
    }
}

/*
 * Whether the next item is to be written now: false when it was sent in an
 * earlier block (skipped), when an error or a full block stopped the value,
 * or when there is no room (then MTR_ERR_FULL). @p whole: bytes the item
 * needs in this block (0: it may be split by the server).
 */
static bool item_begin(struct cosem_out *o, uint32_t whole)
{
    if (o->err != MTR_OK) {
        return false;
    }
    if (o->cursor != NULL && o->n < o->cursor[0]) {
        o->n++;
        return false;
    }
    bool room = mtr_dlms_server_room(o->w) && (whole == 0 || o->w->cap - o->w->len >= whole);
    if (!room) {
        /* Without block transfer a value that does not fit cannot be sent. */
        o->err = o->cursor != NULL ? MTR_ERR_FULL : MTR_ERR_OVERFLOW;
        return false;
    }
    return true;
}

static void item_end(struct cosem_out *o, mtr_err_t err)
{
    if (err != MTR_OK) {
        o->err = err;
        return;
    }
    o->n++;
    if (o->cursor != NULL) {
        o->cursor[0] = o->n;
    }
}

void cosem_put_array(struct cosem_out *o, uint32_t count)
{
    if (item_begin(o, 0)) {
        item_end(o, mtr_dlms_axdr_put_container(o->w, MTR_DLMS_ARRAY, count));
    }
}

void cosem_put_struct(struct cosem_out *o, uint32_t count)
{
    if (item_begin(o, 0)) {
        item_end(o, mtr_dlms_axdr_put_container(o->w, MTR_DLMS_STRUCTURE, count));
    }
}

void cosem_put_uint(struct cosem_out *o, uint8_t tag, uint64_t v)
{
    if (item_begin(o, 0)) {
        item_end(o, mtr_dlms_axdr_put_uint(o->w, tag, v));
    }
}

void cosem_put_int(struct cosem_out *o, uint8_t tag, int64_t v)
{
    if (item_begin(o, 0)) {
        item_end(o, mtr_dlms_axdr_put_int(o->w, tag, v));
    }
}

void cosem_put_bool(struct cosem_out *o, bool v)
{
    cosem_put_uint(o, MTR_DLMS_BOOLEAN, v ? 1u : 0u);
}

void cosem_put_null(struct cosem_out *o)
{
    if (item_begin(o, 0)) {
        item_end(o, mtr_dlms_axdr_put_fixed(o->w, MTR_DLMS_NULL_DATA, NULL));
    }
}

void cosem_put_view(struct cosem_out *o, uint8_t tag, const uint8_t *data, uint32_t len)
{
    if (item_begin(o, 0)) {
        item_end(o, mtr_dlms_axdr_put_string(o->w, tag, data, len));
    }
}

void cosem_put_copy(struct cosem_out *o, uint8_t tag, const uint8_t *data, uint32_t len)
{
    MTR_ASSERT(len <= 64u);
    /* tag, one length byte, the bytes: all drained by the put, none pending */
    if (item_begin(o, 2u + len)) {
        item_end(o, mtr_dlms_axdr_put_string(o->w, tag, data, len));
        MTR_ASSERT(mtr_dlms_axdr_writer_pending(o->w) == 0);
    }
}

void cosem_put_raw(struct cosem_out *o, const uint8_t *data, uint32_t len)
{
    MTR_ASSERT(len <= 128u && (data != NULL || len == 0));
    /* nothing pending (item_begin): the bytes go straight into the buffer */
    if (item_begin(o, len)) {
        if (len > 0) {
            memcpy(o->w->buf + o->w->len, data, len);
        }
        o->w->len += len;
        o->w->total += len;
        item_end(o, MTR_OK);
    }
}

void cosem_put_bits(struct cosem_out *o, const uint8_t *data, uint32_t bits)
{
    MTR_ASSERT(bits <= 64u * 8u);
    /* tag, a length of at most two bytes, the bytes: all drained, none pending */
    if (item_begin(o, 3u + (bits + 7u) / 8u)) {
        item_end(o, mtr_dlms_axdr_put_bits(o->w, data, bits));
        MTR_ASSERT(mtr_dlms_axdr_writer_pending(o->w) == 0);
    }
}

void cosem_put_obis(struct cosem_out *o, const uint8_t obis[6])
{
    cosem_put_copy(o, MTR_DLMS_OCTET_STRING, obis, 6);
}

void cosem_put_scaler_unit(struct cosem_out *o, int8_t scaler, uint8_t unit)
{
    cosem_put_struct(o, 2);
    cosem_put_int(o, MTR_DLMS_INTEGER, scaler);
    cosem_put_uint(o, MTR_DLMS_ENUM, unit);
}

/* ------------------------------------------------------------ value reader */

void cosem_in_init(struct cosem_in *in, const uint8_t *data, size_t len)
{
    MTR_ASSERT(in != NULL);
    mtr_dlms_axdr_reader_init(&in->r);
    in->p = data;
    in->end = data != NULL ? data + len : NULL;
    in->err = data != NULL && len > 0 ? MTR_OK : MTR_ERR_INVAL;
}

mtr_err_t cosem_in_end(const struct cosem_in *in)
{
    if (in->err != MTR_OK) {
        return in->err;
    }
    return mtr_dlms_axdr_done(&in->r) && in->p == in->end ? MTR_OK : MTR_ERR_INVAL;
}

/* The next token, of tag @p tag (any tag when 0xFF is not wanted: see callers). */
static bool next(struct cosem_in *in, uint8_t tag, struct mtr_dlms_axdr_token *t)
{
    if (in->err != MTR_OK) {
        return false;
    }
    if (mtr_dlms_axdr_next(&in->r, &in->p, in->end, t) != MTR_OK || t->tag != tag) {
        in->err = MTR_ERR_INVAL;
        return false;
    }
    return true;
}

bool cosem_get_array(struct cosem_in *in, uint32_t *count)
{
    struct mtr_dlms_axdr_token t;
    if (!next(in, MTR_DLMS_ARRAY, &t)) {
        return false;
    }
    *count = t.count;
    return true;
}

bool cosem_get_struct(struct cosem_in *in, uint32_t count)
{
    struct mtr_dlms_axdr_token t;
    if (!next(in, MTR_DLMS_STRUCTURE, &t)) {
        return false;
    }
    if (t.count != count) {
        in->err = MTR_ERR_INVAL;
        return false;
    }
    return true;
}

bool cosem_get_uint(struct cosem_in *in, uint8_t tag, uint64_t *v)
{
    struct mtr_dlms_axdr_token t;
    return next(in, tag, &t) && mtr_dlms_axdr_get_uint(&t, v) == MTR_OK;
}

bool cosem_get_int(struct cosem_in *in, uint8_t tag, int64_t *v)
{
    struct mtr_dlms_axdr_token t;
    return next(in, tag, &t) && mtr_dlms_axdr_get_int(&t, v) == MTR_OK;
}

bool cosem_get_bool(struct cosem_in *in, bool *v)
{
    uint64_t u;
    if (!cosem_get_uint(in, MTR_DLMS_BOOLEAN, &u)) {
        return false;
    }
    *v = u != 0;
    return true;
}

bool cosem_get_bytes(struct cosem_in *in, uint8_t tag, const uint8_t **v, uint32_t *len, uint32_t want)
{
    struct mtr_dlms_axdr_token t;
    if (!next(in, tag, &t)) {
        return false;
    }
    if (want != 0 && t.value_len != want) {
        in->err = MTR_ERR_INVAL;
        return false;
    }
    *v = t.value;
    *len = t.value_len;
    return true;
}

bool cosem_get_any(struct cosem_in *in)
{
    struct mtr_dlms_axdr_token t;
    if (in->err != MTR_OK) {
        return false;
    }
    /* a whole value: its token and, for containers, all nested tokens */
    uint8_t depth = in->r.depth;
    if (mtr_dlms_axdr_next(&in->r, &in->p, in->end, &t) != MTR_OK) {
        in->err = MTR_ERR_INVAL;
        return false;
    }
    while (in->r.depth > depth) {
        if (mtr_dlms_axdr_next(&in->r, &in->p, in->end, &t) != MTR_OK) {
            in->err = MTR_ERR_INVAL;
            return false;
        }
    }
    return true;
}

mtr_err_t cosem_param_integer(const struct mtr_dlms_call *call)
{
    struct cosem_in in;
    int64_t v;
    if (call->data == NULL) {
        return MTR_OK;
    }
    cosem_in_init(&in, call->data, call->data_len);
    (void)cosem_get_int(&in, MTR_DLMS_INTEGER, &v);
    return cosem_in_end(&in);
}

/* ------------------------------------------------------------ date and time */

void cosem_dt_unspecified(uint8_t b[12])
{
    memset(b, 0xFF, 12);
    b[9] = 0x80; /* deviation 0x8000 */
    b[10] = 0x00;
}

#if MTR_WITH_CALENDAR
static struct mtr_clock *clock_of(const struct mtr_dlms_call *call)
{
    return cosem_engines(call)->clock;
}

mtr_err_t cosem_dt_from_utc(const struct mtr_dlms_call *call, mtr_utc_t utc, uint8_t b[12])
{
    struct mtr_clock *clk = clock_of(call);
    struct mtr_datetime dt;
    mtr_err_t err;
    if (clk != NULL) {
        struct mtr_clock_view v;
        err = mtr_clock_view_at(clk, utc, &v);
        dt = v.local;
    } else {
        err = mtr_datetime_from_utc(utc, 0, 0, &dt);
    }
    if (err != MTR_OK) {
        return err;
    }
    struct mtr_dlms_datetime d = {
        .year = dt.year, .month = dt.month, .day = dt.day, .dow = dt.weekday,
        .hour = dt.hour, .minute = dt.minute, .second = dt.second, .hundredths = dt.hundredths,
        .deviation = dt.deviation, .status = dt.status,
    };
    mtr_dlms_datetime_encode(&d, b);
    return MTR_OK;
}

mtr_err_t cosem_dt_to_utc(const struct mtr_dlms_call *call, const uint8_t b[12], mtr_utc_t *utc)
{
    struct mtr_dlms_datetime d;
    if (mtr_dlms_datetime_decode(b, &d) != MTR_OK || d.year == 0xFFFFu || d.month > 12 ||
        d.day > 31 || d.hour > 23 || d.minute > 59 || d.second > 59) {
        return MTR_ERR_INVAL;
    }
    struct mtr_datetime dt = {
        .year = d.year, .month = d.month, .day = d.day, .weekday = d.dow,
        .hour = d.hour, .minute = d.minute, .second = d.second,
        .hundredths = d.hundredths == 0xFFu ? 0 : d.hundredths,
        .deviation = d.deviation, .status = 0,
    };
    if (dt.weekday == 0xFFu) {
        dt.weekday = 0;
    }
    if (d.deviation == MTR_DLMS_DEVIATION_NONE) {
        /* local time of the meter: the offset in force at that local time
         * (taken at the naive UTC reading, exact but within a DST change) */
        struct mtr_clock *clk = clock_of(call);
        int32_t off = 0;
        if (clk != NULL) {
            struct mtr_clock_view v;
            mtr_utc_t naive;
            dt.deviation = 0;
            if (mtr_datetime_to_utc(&dt, &naive) != MTR_OK) {
                return MTR_ERR_INVAL;
            }
            if (mtr_clock_view_at(clk, naive, &v) == MTR_OK) {
                off = v.offset_s;
            }
        }
        dt.deviation = (int16_t)(-off / 60);
    }
    return mtr_datetime_to_utc(&dt, utc) == MTR_OK ? MTR_OK : MTR_ERR_INVAL;
}
#else
mtr_err_t cosem_dt_from_utc(const struct mtr_dlms_call *call, mtr_utc_t utc, uint8_t b[12])
{
    (void)call;
    (void)utc;
    (void)b;
    return MTR_ERR_NOTSUP;
}

mtr_err_t cosem_dt_to_utc(const struct mtr_dlms_call *call, const uint8_t b[12], mtr_utc_t *utc)
{
    (void)call;
    (void)b;
    (void)utc;
    return MTR_ERR_NOTSUP;
}
#endif
