/* SPDX-License-Identifier: Apache-2.0 */
/* A-XDR codec: vectors (tests/vectors/dlms_axdr.data), prefixes, bad input, streaming encode. */
#include <criterion/criterion.h>
#include <string.h>

#include "dlms_vectors.h"
#include "meter/axdr.h"
#include "meter/meter.h"

static struct vec vecs[VEC_MAX];
static size_t nvec;

static void load(void)
{
    nvec = vec_load("dlms_axdr.data", vecs, VEC_MAX);
    cr_assert_gt(nvec, 30);
}

TestSuite(axdr, .init = load);

/* Decode a whole value into tokens; returns the count, asserts success. */
static size_t decode_all(const uint8_t *b, size_t len, struct mtr_dlms_axdr_token *t, size_t max)
{
    struct mtr_dlms_axdr_reader r;
    const uint8_t *p = b;
    size_t n = 0;

    mtr_dlms_axdr_reader_init(&r);
    while (!mtr_dlms_axdr_done(&r)) {
        cr_assert_lt(n, max);
        mtr_err_t err = mtr_dlms_axdr_next(&r, &p, b + len, &t[n++]);
        cr_assert_eq(err, MTR_OK, "err %d (%s)", err, mtr_strerror(err));
    }
    cr_assert_eq(p, b + len, "value ends before the input");
    cr_assert_eq(mtr_dlms_axdr_next(&r, &p, b + len, &t[0]), MTR_ERR_EMPTY);
    return n;
}

/* Re-encode tokens through a writer whose buffers hold @p chunk bytes. */
static size_t encode_chunked(const struct mtr_dlms_axdr_token *t, size_t n, size_t chunk, uint8_t *out)
{
    struct mtr_dlms_axdr_writer w;
    uint8_t buf[64];
    size_t total = 0;

    mtr_dlms_axdr_writer_init(&w, buf, chunk);
    for (size_t k = 0; k < n; k++) {
        cr_assert_eq(mtr_dlms_axdr_put_token(&w, &t[k]), MTR_OK);
        while (mtr_dlms_axdr_writer_pending(&w) > 0 || w.len == w.cap) {
            memcpy(out + total, buf, w.len);
            total += w.len;
            mtr_dlms_axdr_writer_next(&w, buf, chunk);
            if (w.len == 0 && mtr_dlms_axdr_writer_pending(&w) == 0)
                break;
        }
    }
    memcpy(out + total, buf, w.len);
    total += w.len;
    cr_assert_eq(w.total, total);
    return total;
}

Test(axdr, every_vector_decodes_and_reencodes_byte_exact)
{
    static struct mtr_dlms_axdr_token t[VEC_BYTES];
    static const size_t chunks[] = {1, 2, 3, 7, 13, 64};
    uint8_t out[VEC_BYTES];

    for (size_t v = 0; v < nvec; v++) {
        size_t n = decode_all(vecs[v].b, vecs[v].len, t, VEC_BYTES);
        for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
            size_t len = encode_chunked(t, n, chunks[c], out);
            cr_assert_eq(len, vecs[v].len, "%s chunk %zu", vecs[v].name, chunks[c]);
            cr_assert(memcmp(out, vecs[v].b, len) == 0, "%s chunk %zu", vecs[v].name, chunks[c]);
        }
    }
}

Test(axdr, every_strict_prefix_is_rejected_cleanly)
{
    for (size_t v = 0; v < nvec; v++) {
        for (size_t cut = 0; cut < vecs[v].len; cut++) {
            struct mtr_dlms_axdr_reader r;
            struct mtr_dlms_axdr_token t;
            const uint8_t *b = vecs[v].b;
            const uint8_t *end = b + cut;
            const uint8_t *p = b;
            mtr_err_t err = MTR_OK;

            mtr_dlms_axdr_reader_init(&r);
            while (!mtr_dlms_axdr_done(&r) && (err = mtr_dlms_axdr_next(&r, &p, end, &t)) == MTR_OK)
                ;
            cr_assert(err == MTR_ERR_DLMS_TRUNCATED || err == MTR_ERR_DLMS_COUNT,
                      "%s cut %zu: err %d", vecs[v].name, cut, err);
            p = b;
            cr_assert_eq(mtr_dlms_axdr_skip(&p, end), err);
            cr_assert_eq(p, b, "skip moved on error");
        }
        const uint8_t *p = vecs[v].b;
        cr_assert_eq(mtr_dlms_axdr_skip(&p, vecs[v].b + vecs[v].len), MTR_OK);
        cr_assert_eq(p, vecs[v].b + vecs[v].len);
    }
}

static struct mtr_dlms_axdr_token first(const char *name)
{
    static struct mtr_dlms_axdr_token t[VEC_BYTES];
    const struct vec *v = vec_find(vecs, nvec, name);
    decode_all(v->b, v->len, t, VEC_BYTES);
    return t[0];
}

/* Integer limits of the Blue Book types (int8..int64, uint8..uint64). */
Test(axdr, integer_values_and_signs)
{
    struct mtr_dlms_axdr_token t;
    int64_t i;
    uint64_t u;

    t = first("long64_min");
    cr_assert_eq(mtr_dlms_axdr_get_int(&t, &i), MTR_OK);
    cr_assert_eq(i, INT64_MIN);
    cr_assert_eq(mtr_dlms_axdr_get_uint(&t, &u), MTR_ERR_DLMS_TAG);
    t = first("integer_min");
    cr_assert_eq(mtr_dlms_axdr_get_int(&t, &i), MTR_OK);
    cr_assert_eq(i, -128);
    t = first("long_min");
    cr_assert_eq(mtr_dlms_axdr_get_int(&t, &i), MTR_OK);
    cr_assert_eq(i, -32768);
    t = first("double_long_min");
    cr_assert_eq(mtr_dlms_axdr_get_int(&t, &i), MTR_OK);
    cr_assert_eq(i, INT32_MIN);
    t = first("long64_unsigned_max");
    cr_assert_eq(mtr_dlms_axdr_get_uint(&t, &u), MTR_OK);
    cr_assert_eq(u, UINT64_MAX);
    t = first("double_long_unsigned_max");
    cr_assert_eq(mtr_dlms_axdr_get_uint(&t, &u), MTR_OK);
    cr_assert_eq(u, UINT32_MAX);
    cr_assert_eq(mtr_dlms_axdr_get_int(&t, &i), MTR_ERR_DLMS_TAG);
}

Test(axdr, delta_types_28_to_33)
{
    static struct mtr_dlms_axdr_token t[16];
    const struct vec *v = vec_find(vecs, nvec, "deltas");
    const int64_t want[] = {-1, -2, -3, 1, 2, 3};
    size_t n = decode_all(v->b, v->len, t, 16);

    cr_assert_eq(n, 7);
    for (size_t k = 0; k < 6; k++) {
        int64_t i;
        uint64_t u;
        cr_assert_eq(t[k + 1].tag, 28 + k);
        if (k < 3) {
            cr_assert_eq(mtr_dlms_axdr_get_int(&t[k + 1], &i), MTR_OK);
        } else {
            cr_assert_eq(mtr_dlms_axdr_get_uint(&t[k + 1], &u), MTR_OK);
            i = (int64_t)u;
        }
        cr_assert_eq(i, want[k]);
    }
}

Test(axdr, tokens_describe_containers_strings_and_compact_arrays)
{
    static struct mtr_dlms_axdr_token t[64];
    const struct vec *v = vec_find(vecs, nvec, "compact_array");
    size_t n = decode_all(v->b, v->len, t, 64);

    cr_assert_eq(n, 1);
    cr_assert_eq(t[0].tag, MTR_DLMS_COMPACT_ARRAY);
    cr_assert_eq(t[0].desc_len, 4);
    cr_assert_eq(t[0].count, 12);
    v = vec_find(vecs, nvec, "profile_rows");
    n = decode_all(v->b, v->len, t, 64);
    cr_assert_eq(n, 1 + 2 * 5);
    cr_assert_eq(t[0].count, 2);
    cr_assert_eq(t[1].tag, MTR_DLMS_STRUCTURE);
    cr_assert_eq(t[1].depth, 1);
    cr_assert_eq(t[2].tag, MTR_DLMS_OCTET_STRING);
    cr_assert_eq(t[2].depth, 2);
    cr_assert_eq(t[2].value_len, 12);
    v = vec_find(vecs, nvec, "bit_string_10");
    n = decode_all(v->b, v->len, t, 64);
    cr_assert_eq(t[0].count, 10);
    cr_assert_eq(t[0].value_len, 2);
    v = vec_find(vecs, nvec, "non_minimal_length");
    n = decode_all(v->b, v->len, t, 64);
    cr_assert_eq(t[0].len_size, 3);
    cr_assert_eq(t[0].count, 3);
}

/* Each bad input: the exact error, the reader and the input pointer unchanged. */
static void expect_bad(const uint8_t *b, size_t len, mtr_err_t want)
{
    struct mtr_dlms_axdr_reader r;
    struct mtr_dlms_axdr_reader before;
    struct mtr_dlms_axdr_token t;
    const uint8_t *p = b;
    mtr_err_t err;

    mtr_dlms_axdr_reader_init(&r);
    for (;;) {
        const uint8_t *at = p;
        memcpy(&before, &r, sizeof r);
        err = mtr_dlms_axdr_next(&r, &p, b + len, &t);
        if (err != MTR_OK) {
            cr_assert_eq(p, at);
            cr_assert(memcmp(&before, &r, sizeof r) == 0, "reader changed on error");
            break;
        }
        cr_assert(!mtr_dlms_axdr_done(&r), "bad input decoded completely");
    }
    cr_assert_eq(err, want, "got %d (%s), want %d", err, mtr_strerror(err), want);
}

Test(axdr, unknown_tags)
{
    static const uint8_t tags[] = {7, 8, 11, 14, 34, 100, 254};
    for (size_t k = 0; k < sizeof tags; k++) {
        uint8_t b[4] = {tags[k], 0, 0, 0};
        expect_bad(b, sizeof b, MTR_ERR_DLMS_TAG);
    }
    const uint8_t in_array[] = {0x01, 0x02, 0x11, 0x01, 0x07};
    expect_bad(in_array, sizeof in_array, MTR_ERR_DLMS_TAG);
    const uint8_t compact_bad_desc[] = {0x13, 0x07, 0x01, 0x00};
    expect_bad(compact_bad_desc, sizeof compact_bad_desc, MTR_ERR_DLMS_TAG);
    const uint8_t compact_in_compact[] = {0x13, 0x13, 0x01, 0x00};
    expect_bad(compact_in_compact, sizeof compact_in_compact, MTR_ERR_DLMS_TAG);
}

/* Green Book: the length is one byte below 0x80, or 0x81..0x84 followed by 1..4 bytes. */
Test(axdr, invalid_length_bytes)
{
    static const uint8_t lens[] = {0x80, 0x85, 0x86, 0x8F, 0xFF};
    for (size_t k = 0; k < sizeof lens; k++) {
        uint8_t b[8] = {0x09, lens[k], 1, 1, 1, 1, 1, 1};
        expect_bad(b, sizeof b, MTR_ERR_DLMS_LENGTH);
        b[0] = 0x01;
        expect_bad(b, sizeof b, MTR_ERR_DLMS_LENGTH);
    }
    const uint8_t four[] = {0x09, 0x84, 0x00, 0x00, 0x00, 0x01, 0xAB};
    const uint8_t *p = four;
    cr_assert_eq(mtr_dlms_axdr_skip(&p, four + sizeof four), MTR_OK);
    cr_assert_eq(p, four + sizeof four);
}

Test(axdr, lengths_past_end_and_truncation)
{
    const uint8_t str[] = {0x09, 0x05, 1, 2, 3, 4};
    expect_bad(str, sizeof str, MTR_ERR_DLMS_TRUNCATED);
    const uint8_t huge[] = {0x0A, 0x84, 0xFF, 0xFF, 0xFF, 0xFF, 0x41};
    expect_bad(huge, sizeof huge, MTR_ERR_DLMS_TRUNCATED);
    const uint8_t bits[] = {0x04, 0x84, 0xFF, 0xFF, 0xFF, 0xFF, 0x00};
    expect_bad(bits, sizeof bits, MTR_ERR_DLMS_TRUNCATED);
    const uint8_t fixed[] = {0x06, 0x00, 0x01, 0x02};
    expect_bad(fixed, sizeof fixed, MTR_ERR_DLMS_TRUNCATED);
    const uint8_t dt[] = {0x19, 0x07, 0xE8, 0x01, 0x01, 0xFF, 0, 0, 0, 0, 0x80, 0x00};
    expect_bad(dt, sizeof dt, MTR_ERR_DLMS_TRUNCATED);
    const uint8_t compact[] = {0x13, 0x11, 0x05, 1, 2};
    expect_bad(compact, sizeof compact, MTR_ERR_DLMS_TRUNCATED);
}

Test(axdr, element_counts_that_cannot_fit)
{
    const uint8_t big[] = {0x01, 0x82, 0xFF, 0xFF, 0x00, 0x00, 0x00};
    expect_bad(big, sizeof big, MTR_ERR_DLMS_COUNT);
    /* each element needs a byte: 3 announced, 2 bytes left */
    const uint8_t three[] = {0x02, 0x03, 0x00, 0x00};
    expect_bad(three, sizeof three, MTR_ERR_DLMS_COUNT);
    /* an inner array cannot take the bytes its outer siblings still need */
    const uint8_t inner[] = {0x01, 0x03, 0x01, 0x02, 0x00, 0x00, 0x00};
    expect_bad(inner, sizeof inner, MTR_ERR_DLMS_COUNT);
    /* over MTR_CFG_DLMS_MAX_ELEMENTS even if bytes were there */
    static uint8_t over[70000];
    over[0] = 0x01;
    over[1] = 0x83;
    over[2] = 0x01;
    over[3] = 0x00;
    over[4] = 0x00;
    expect_bad(over, sizeof over, MTR_ERR_DLMS_COUNT);
    const uint8_t desc[] = {0x13, 0x02, 0x05, 0x11, 0x11, 0x00};
    expect_bad(desc, sizeof desc, MTR_ERR_DLMS_COUNT);
}

Test(axdr, nesting_bombs_stop_at_the_configured_depth)
{
    uint8_t b[2 * MTR_CFG_DLMS_MAX_DEPTH + 4] = {0};
    const uint8_t *p;
    size_t n = 0;

    for (unsigned k = 0; k < MTR_CFG_DLMS_MAX_DEPTH; k++) {
        b[n++] = 0x02;
        b[n++] = 0x01;
    }
    b[n++] = 0x00;
    p = b;
    cr_assert_eq(mtr_dlms_axdr_skip(&p, b + n), MTR_OK, "depth %d must pass", MTR_CFG_DLMS_MAX_DEPTH);
    n = 0;
    for (unsigned k = 0; k <= MTR_CFG_DLMS_MAX_DEPTH; k++) {
        b[n++] = 0x01;
        b[n++] = 0x01;
    }
    b[n++] = 0x00;
    expect_bad(b, n, MTR_ERR_DLMS_DEPTH);
    uint8_t d[4 + 3 * (MTR_CFG_DLMS_MAX_DEPTH + 1)];
    n = 0;
    d[n++] = 0x13;
    for (unsigned k = 0; k <= MTR_CFG_DLMS_MAX_DEPTH; k++) {
        d[n++] = 0x01;
        d[n++] = 0x00;
        d[n++] = 0x01;
    }
    d[n++] = 0x11;
    d[n++] = 0x00;
    expect_bad(d, n, MTR_ERR_DLMS_DEPTH);
}

Test(axdr, writer_checks_ranges_tags_and_busy)
{
    struct mtr_dlms_axdr_writer w;
    uint8_t buf[4];
    static const uint8_t data[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};

    mtr_dlms_axdr_writer_init(&w, buf, sizeof buf);
    cr_assert_eq(mtr_dlms_axdr_put_uint(&w, MTR_DLMS_UNSIGNED, 256), MTR_ERR_RANGE);
    cr_assert_eq(mtr_dlms_axdr_put_int(&w, MTR_DLMS_INTEGER, 128), MTR_ERR_RANGE);
    cr_assert_eq(mtr_dlms_axdr_put_int(&w, MTR_DLMS_LONG, -32769), MTR_ERR_RANGE);
    cr_assert_eq(mtr_dlms_axdr_put_uint(&w, MTR_DLMS_LONG, 1), MTR_ERR_INVAL);
    cr_assert_eq(mtr_dlms_axdr_put_container(&w, MTR_DLMS_OCTET_STRING, 1), MTR_ERR_INVAL);
    cr_assert_eq(w.len, 0);
    cr_assert_eq(mtr_dlms_axdr_put_string(&w, MTR_DLMS_OCTET_STRING, data, 10), MTR_OK);
    cr_assert_eq(w.len, 4);
    cr_assert_eq(mtr_dlms_axdr_writer_pending(&w), 8);
    cr_assert_eq(mtr_dlms_axdr_put_uint(&w, MTR_DLMS_UNSIGNED, 1), MTR_ERR_BUSY);
    cr_assert(memcmp(buf, "\x09\x0A\x01\x02", 4) == 0);
    mtr_dlms_axdr_writer_next(&w, buf, sizeof buf);
    cr_assert(memcmp(buf, "\x03\x04\x05\x06", 4) == 0);
    mtr_dlms_axdr_writer_next(&w, buf, sizeof buf);
    cr_assert_eq(w.len, 4);
    cr_assert_eq(mtr_dlms_axdr_writer_pending(&w), 0);
    cr_assert_eq(w.total, 12);
}

/* A 1000-row profile buffer written in 37-byte blocks and decoded back in one piece. */
Test(axdr, long_array_streams_across_blocks)
{
    static uint8_t all[64 * 1024];
    uint8_t block[37];
    struct mtr_dlms_axdr_writer w;
    size_t total = 0;
    const unsigned rows = 1000;

    mtr_dlms_axdr_writer_init(&w, block, sizeof block);
#define FLUSH()                                                                                    \
    while (mtr_dlms_axdr_writer_pending(&w) > 0 || w.len == w.cap) {                               \
        memcpy(all + total, block, w.len);                                                         \
        total += w.len;                                                                            \
        mtr_dlms_axdr_writer_next(&w, block, sizeof block);                                        \
    }
    cr_assert_eq(mtr_dlms_axdr_put_container(&w, MTR_DLMS_ARRAY, rows), MTR_OK);
    FLUSH();
    for (unsigned k = 0; k < rows; k++) {
        struct mtr_dlms_datetime dt = {2024, 1, (uint8_t)(1 + k % 28), 0xFF, (uint8_t)(k % 24), 0, 0, 0, 60, 0};
        cr_assert_eq(mtr_dlms_axdr_put_container(&w, MTR_DLMS_STRUCTURE, 3), MTR_OK);
        FLUSH();
        cr_assert_eq(mtr_dlms_axdr_put_datetime(&w, &dt), MTR_OK);
        FLUSH();
        cr_assert_eq(mtr_dlms_axdr_put_uint(&w, MTR_DLMS_DOUBLE_LONG_UNSIGNED, 1000u * k), MTR_OK);
        FLUSH();
        cr_assert_eq(mtr_dlms_axdr_put_int(&w, MTR_DLMS_LONG64, -(int64_t)k), MTR_OK);
        FLUSH();
    }
    memcpy(all + total, block, w.len);
    total += w.len;
    cr_assert_eq(total, 4 + rows * (2 + 13 + 5 + 9));

    struct mtr_dlms_axdr_reader r;
    struct mtr_dlms_axdr_token t;
    const uint8_t *p = all;
    unsigned seen = 0;
    mtr_dlms_axdr_reader_init(&r);
    while (!mtr_dlms_axdr_done(&r)) {
        cr_assert_eq(mtr_dlms_axdr_next(&r, &p, all + total, &t), MTR_OK);
        if (t.tag == MTR_DLMS_LONG64) {
            int64_t v;
            cr_assert_eq(mtr_dlms_axdr_get_int(&t, &v), MTR_OK);
            cr_assert_eq(v, -(int64_t)seen);
            seen++;
        }
    }
    cr_assert_eq(seen, rows);
    cr_assert_eq(p, all + total);
}

/* Blue Book 4.1.6.1 ranges; leap years by the Gregorian rule. */
Test(datetime, validation)
{
    uint8_t b[12] = {0x07, 0xE8, 0x02, 0x1D, 0x04, 0x17, 0x3B, 0x3B, 0x63, 0x80, 0x00, 0x80};
    struct mtr_dlms_datetime dt;
    struct mtr_dlms_datetime keep;

    cr_assert_eq(mtr_dlms_datetime_decode(b, &dt), MTR_OK); /* 2024-02-29: leap */
    cr_assert_eq(dt.year, 2024);
    cr_assert_eq(dt.deviation, MTR_DLMS_DEVIATION_NONE);
    cr_assert_eq(dt.status, MTR_DLMS_CLOCK_DST);
    keep = dt;
    b[1] = 0xE7; /* 2023-02-29 */
    cr_assert_eq(mtr_dlms_datetime_decode(b, &dt), MTR_ERR_DLMS_VALUE);
    cr_assert(memcmp(&dt, &keep, sizeof dt) == 0);
    b[0] = 0x07; b[1] = 0xD0; /* 2000: leap */
    cr_assert_eq(mtr_dlms_datetime_decode(b, &dt), MTR_OK);
    b[0] = 0x07; b[1] = 0x6C; /* 1900: not leap */
    cr_assert_eq(mtr_dlms_datetime_decode(b, &dt), MTR_ERR_DLMS_VALUE);
    b[0] = 0xFF; b[1] = 0xFF; /* any year: 29 allowed */
    cr_assert_eq(mtr_dlms_datetime_decode(b, &dt), MTR_OK);
    b[3] = 30;
    cr_assert_eq(mtr_dlms_datetime_decode(b, &dt), MTR_ERR_DLMS_VALUE);
    b[3] = 0xFE; /* last day of month */
    cr_assert_eq(mtr_dlms_datetime_decode(b, &dt), MTR_OK);
    b[2] = 13;
    cr_assert_eq(mtr_dlms_datetime_decode(b, &dt), MTR_ERR_DLMS_VALUE);
    b[2] = 0xFD; /* DST end */
    cr_assert_eq(mtr_dlms_datetime_decode(b, &dt), MTR_OK);
    b[5] = 24;
    cr_assert_eq(mtr_dlms_datetime_decode(b, &dt), MTR_ERR_DLMS_VALUE);
    b[5] = 0xFF;
    b[8] = 100;
    cr_assert_eq(mtr_dlms_datetime_decode(b, &dt), MTR_ERR_DLMS_VALUE);
    b[8] = 0xFF;
    b[4] = 8;
    cr_assert_eq(mtr_dlms_datetime_decode(b, &dt), MTR_ERR_DLMS_VALUE);
    b[4] = 7;
    b[9] = 0x02; b[10] = 0xD1; /* +721 min */
    cr_assert_eq(mtr_dlms_datetime_decode(b, &dt), MTR_ERR_DLMS_VALUE);
    b[9] = 0xFD; b[10] = 0x30; /* -720 min */
    cr_assert_eq(mtr_dlms_datetime_decode(b, &dt), MTR_OK);
    cr_assert_eq(dt.deviation, -720);
    uint8_t again[12];
    mtr_dlms_datetime_encode(&dt, again);
    cr_assert(memcmp(again, b, 12) == 0);
    const uint8_t date[5] = {0x07, 0xE8, 0x04, 0x1F, 0xFF}; /* 31 April */
    cr_assert_eq(mtr_dlms_date_check(date), MTR_ERR_DLMS_VALUE);
    const uint8_t t[4] = {0x17, 0x3C, 0x00, 0x00}; /* minute 60 */
    cr_assert_eq(mtr_dlms_time_check(t), MTR_ERR_DLMS_VALUE);
}

Test(datetime, leap_rule_for_every_year)
{
    for (unsigned y = 0; y < 0xFFFF; y++) {
        uint8_t b[5] = {(uint8_t)(y >> 8), (uint8_t)y, 2, 29, 0xFF};
        bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        cr_assert_eq(mtr_dlms_date_check(b) == MTR_OK, leap, "year %u", y);
    }
}

Test(axdr, config_twins)
{
    cr_assert_eq(mtr_dlms_config_max_depth(), MTR_CFG_DLMS_MAX_DEPTH);
    cr_assert_eq(mtr_dlms_config_max_elements(), MTR_CFG_DLMS_MAX_ELEMENTS);
    cr_assert_eq(mtr_dlms_axdr_reader_size(), sizeof(struct mtr_dlms_axdr_reader));
    cr_assert_eq(mtr_dlms_axdr_writer_size(), sizeof(struct mtr_dlms_axdr_writer));
}
