/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target for the A-XDR decoder: decode any bytes token by token, skip
 * them, and for every value that decodes, re-encode its tokens through a
 * small streaming buffer and require the very same bytes back.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "meter/axdr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int cond)
{
    if (!cond)
        abort();
}

static uint8_t out[1 << 16];

/* Re-encode from the start of one value; returns bytes written. */
static size_t reencode(const uint8_t *b, const uint8_t *end)
{
    struct mtr_dlms_axdr_reader r;
    struct mtr_dlms_axdr_writer w;
    struct mtr_dlms_axdr_token t;
    uint8_t chunk[5];
    size_t total = 0;

    mtr_dlms_axdr_reader_init(&r);
    mtr_dlms_axdr_writer_init(&w, chunk, sizeof chunk);
    while (!mtr_dlms_axdr_done(&r)) {
        require(mtr_dlms_axdr_next(&r, &b, end, &t) == MTR_OK);
        require(t.value_len <= (size_t)(end - b) + t.value_len);
        require(mtr_dlms_axdr_put_token(&w, &t) == MTR_OK);
        for (;;) {
            if (mtr_dlms_axdr_writer_pending(&w) == 0 && w.len < w.cap)
                break;
            require(total + w.len <= sizeof out);
            memcpy(out + total, chunk, w.len);
            total += w.len;
            mtr_dlms_axdr_writer_next(&w, chunk, sizeof chunk);
        }
    }
    require(total + w.len <= sizeof out);
    memcpy(out + total, chunk, w.len);
    return total + w.len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *p = data;
    const uint8_t *end = data + size;

    while (p < end) {
        const uint8_t *start = p;
        mtr_err_t err = mtr_dlms_axdr_skip(&p, end);
        if (err != MTR_OK) {
            require(p == start);
            require(err == MTR_ERR_DLMS_TRUNCATED || err == MTR_ERR_DLMS_LENGTH || err == MTR_ERR_DLMS_TAG ||
                    err == MTR_ERR_DLMS_DEPTH || err == MTR_ERR_DLMS_COUNT);
            break;
        }
        require(p > start && p <= end);
        if ((size_t)(p - start) <= sizeof out) {
            size_t n = reencode(start, p);
            require(n == (size_t)(p - start));
            require(memcmp(out, start, n) == 0);
        }
    }
    return 0;
}

