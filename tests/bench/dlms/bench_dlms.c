/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A-XDR throughput on a realistic mix: a profile buffer (array of 2000
 * structures of a date-time octet-string and 6 double-long-unsigned) and an
 * object list (array of 400 structures of class, version, logical name and
 * access rights). Encode streams into 512-byte blocks (a GET block size);
 * decode pulls every token. Prints one JSON line, MB/s on this host.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "meter/axdr.h"

static uint8_t profile[256 * 1024];
static uint8_t objects[128 * 1024];
static volatile uint64_t sink;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

struct out {
    struct mtr_dlms_axdr_writer w;
    uint8_t block[512];
    uint8_t *dst;
    size_t total;
};

static void flush(struct out *o)
{
    while (mtr_dlms_axdr_writer_pending(&o->w) > 0 || o->w.len == o->w.cap) {
        if (o->dst != NULL)
            memcpy(o->dst + o->total, o->block, o->w.len);
        o->total += o->w.len;
        mtr_dlms_axdr_writer_next(&o->w, o->block, sizeof o->block);
    }
}

static size_t finish(struct out *o)
{
    if (o->dst != NULL)
        memcpy(o->dst + o->total, o->block, o->w.len);
    return o->total + o->w.len;
}

static size_t encode_profile(uint8_t *dst, unsigned rows)
{
    struct out o = {.dst = dst};
    uint8_t dt[12];

    mtr_dlms_axdr_writer_init(&o.w, o.block, sizeof o.block);
    mtr_dlms_axdr_put_container(&o.w, MTR_DLMS_ARRAY, rows);
    flush(&o);
    for (unsigned k = 0; k < rows; k++) {
        struct mtr_dlms_datetime d = {2024, 1, (uint8_t)(1 + k / 96 % 28), 0xFF, (uint8_t)(k / 4 % 24),
                                      (uint8_t)(k % 4 * 15), 0, 0, 60, 0};
        mtr_dlms_datetime_encode(&d, dt);
        mtr_dlms_axdr_put_container(&o.w, MTR_DLMS_STRUCTURE, 7);
        flush(&o);
        mtr_dlms_axdr_put_string(&o.w, MTR_DLMS_OCTET_STRING, dt, 12);
        flush(&o);
        for (unsigned c = 0; c < 6; c++) {
            mtr_dlms_axdr_put_uint(&o.w, MTR_DLMS_DOUBLE_LONG_UNSIGNED, 1000u * k + c);
            flush(&o);
        }
    }
    return finish(&o);
}

static size_t encode_objects(uint8_t *dst, unsigned n)
{
    struct out o = {.dst = dst};
    uint8_t ln[6] = {1, 0, 1, 8, 0, 255};

    mtr_dlms_axdr_writer_init(&o.w, o.block, sizeof o.block);
    mtr_dlms_axdr_put_container(&o.w, MTR_DLMS_ARRAY, n);
    flush(&o);
    for (unsigned k = 0; k < n; k++) {
        ln[3] = (uint8_t)k;
        mtr_dlms_axdr_put_container(&o.w, MTR_DLMS_STRUCTURE, 4);
        flush(&o);
        mtr_dlms_axdr_put_uint(&o.w, MTR_DLMS_LONG_UNSIGNED, 3);
        flush(&o);
        mtr_dlms_axdr_put_uint(&o.w, MTR_DLMS_UNSIGNED, 0);
        flush(&o);
        mtr_dlms_axdr_put_string(&o.w, MTR_DLMS_OCTET_STRING, ln, 6);
        flush(&o);
        mtr_dlms_axdr_put_container(&o.w, MTR_DLMS_STRUCTURE, 2);
        flush(&o);
        mtr_dlms_axdr_put_container(&o.w, MTR_DLMS_ARRAY, 2);
        flush(&o);
        for (unsigned a = 1; a <= 2; a++) {
            mtr_dlms_axdr_put_container(&o.w, MTR_DLMS_STRUCTURE, 3);
            flush(&o);
            mtr_dlms_axdr_put_int(&o.w, MTR_DLMS_INTEGER, a);
            flush(&o);
            mtr_dlms_axdr_put_uint(&o.w, MTR_DLMS_ENUM, 1);
            flush(&o);
            mtr_dlms_axdr_put_fixed(&o.w, MTR_DLMS_NULL_DATA, NULL);
            flush(&o);
        }
        mtr_dlms_axdr_put_container(&o.w, MTR_DLMS_ARRAY, 0);
        flush(&o);
    }
    return finish(&o);
}

static void decode(const uint8_t *b, size_t n)
{
    struct mtr_dlms_axdr_reader r;
    struct mtr_dlms_axdr_token t;
    const uint8_t *p = b;
    uint64_t acc = 0;

    mtr_dlms_axdr_reader_init(&r);
    while (!mtr_dlms_axdr_done(&r)) {
        if (mtr_dlms_axdr_next(&r, &p, b + n, &t) != MTR_OK) {
            fprintf(stderr, "decode failed\n");
            return;
        }
        acc += t.tag + t.value_len;
    }
    sink += acc;
}

int main(void)
{
    const unsigned rows = 2000, objs = 400, reps = 200;
    size_t np = encode_profile(profile, rows);
    size_t no = encode_objects(objects, objs);
    double t0, t1, t2, bytes = (double)(np + no) * reps;

    t0 = now_s();
    for (unsigned k = 0; k < reps; k++) {
        sink += encode_profile(NULL, rows);
        sink += encode_objects(NULL, objs);
    }
    t1 = now_s();
    for (unsigned k = 0; k < reps; k++) {
        decode(profile, np);
        decode(objects, no);
    }
    t2 = now_s();
    printf("{\"bench\": \"bench_dlms\", \"mix_bytes\": %zu, \"profile_rows\": %u, \"objects\": %u, "
           "\"encode_mb_s\": %.1f, \"decode_mb_s\": %.1f, \"block_bytes\": 512}\n",
           np + no, rows, objs, bytes / (t1 - t0) / 1e6, bytes / (t2 - t1) / 1e6);
    return 0;
}
