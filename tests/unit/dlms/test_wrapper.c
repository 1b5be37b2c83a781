/* SPDX-License-Identifier: Apache-2.0 */
/* TCP wrapper (IEC 62056-47): vectors, chunking, bad headers. */
#include <criterion/criterion.h>
#include <string.h>

#include "dlms_vectors.h"
#include "meter/dlms.h"

static struct vec vecs[VEC_MAX];
static size_t nvec;

static void load(void)
{
    nvec = vec_load("dlms_wrapper.data", vecs, VEC_MAX);
    cr_assert_geq(nvec, 4);
}

TestSuite(wrapper, .init = load);

Test(wrapper, vectors_parse_and_rebuild)
{
    for (size_t v = 0; v < nvec; v++) {
        struct mtr_dlms_wrapper_hdr h;
        const uint8_t *p = vecs[v].b;
        uint8_t again[8];

        cr_assert_eq(mtr_dlms_wrapper_parse(&p, vecs[v].b + vecs[v].len, 2048, &h), MTR_OK);
        cr_assert_eq(h.len, vecs[v].len - 8, "%s", vecs[v].name);
        mtr_dlms_wrapper_put(again, &h);
        cr_assert(memcmp(again, vecs[v].b, 8) == 0);
        for (size_t cut = 0; cut < 8; cut++) {
            p = vecs[v].b;
            cr_assert_eq(mtr_dlms_wrapper_parse(&p, vecs[v].b + cut, 2048, &h), MTR_ERR_DLMS_TRUNCATED);
            cr_assert_eq(p, vecs[v].b);
        }
    }
    const struct vec *a = vec_find(vecs, nvec, "public_aarq");
    const uint8_t *p = a->b;
    struct mtr_dlms_wrapper_hdr h;
    cr_assert_eq(mtr_dlms_wrapper_parse(&p, a->b + a->len, 2048, &h), MTR_OK);
    cr_assert_eq(h.src, 16); /* public client SAP */
    cr_assert_eq(h.dst, 1);  /* management logical device */
}

/* All vectors back to back, fed in chunks of every size 1..17. */
Test(wrapper, stream_reassembly_in_any_chunking)
{
    static uint8_t stream[4096];
    size_t total = 0;

    for (size_t v = 0; v < nvec; v++) {
        memcpy(stream + total, vecs[v].b, vecs[v].len);
        total += vecs[v].len;
    }
    for (size_t chunk = 1; chunk <= 17; chunk++) {
        uint8_t buf[256];
        struct mtr_dlms_wrapper_rx rx;
        size_t got = 0;

        mtr_dlms_wrapper_rx_init(&rx, buf, sizeof buf, 0);
        for (size_t off = 0; off < total; off += chunk) {
            const uint8_t *p = stream + off;
            const uint8_t *end = stream + (off + chunk < total ? off + chunk : total);
            while (p < end) {
                struct mtr_dlms_wrapper_hdr h;
                mtr_err_t err = mtr_dlms_wrapper_feed(&rx, &p, end, &h);
                if (err == MTR_ERR_EMPTY)
                    break;
                cr_assert_eq(err, MTR_OK);
                cr_assert_eq(h.len, vecs[got].len - 8);
                cr_assert(memcmp(buf, vecs[got].b + 8, h.len) == 0, "chunk %zu msg %zu", chunk, got);
                got++;
            }
        }
        cr_assert_eq(got, nvec);
    }
}

static void expect_bad(const uint8_t *b, size_t len, size_t cap, uint16_t wport, mtr_err_t want)
{
    uint8_t buf[64];
    struct mtr_dlms_wrapper_rx rx;
    struct mtr_dlms_wrapper_rx before;
    struct mtr_dlms_wrapper_hdr h;
    const uint8_t *p = b;

    mtr_dlms_wrapper_rx_init(&rx, buf, cap, wport);
    memcpy(&before, &rx, sizeof rx);
    cr_assert_eq(mtr_dlms_wrapper_feed(&rx, &p, b + len, &h), want);
    cr_assert(memcmp(&before, &rx, sizeof rx) == 0, "assembler changed");
}

Test(wrapper, bad_headers)
{
    const uint8_t v2[] = {0, 2, 0, 16, 0, 1, 0, 1, 0xC0};
    expect_bad(v2, sizeof v2, 64, 0, MTR_ERR_DLMS_VERSION);
    const uint8_t zero[] = {0, 1, 0, 16, 0, 1, 0, 0};
    expect_bad(zero, sizeof zero, 64, 0, MTR_ERR_DLMS_LENGTH);
    const uint8_t big[] = {0, 1, 0, 16, 0, 1, 0, 65};
    expect_bad(big, sizeof big, 64, 0, MTR_ERR_DLMS_TOO_LONG);
    const uint8_t huge[] = {0, 1, 0, 16, 0, 1, 0xFF, 0xFF};
    expect_bad(huge, sizeof huge, 64, 0, MTR_ERR_DLMS_TOO_LONG);
    const uint8_t other[] = {0, 1, 0, 16, 0, 2, 0, 1, 0xC0};
    expect_bad(other, sizeof other, 64, 1, MTR_ERR_DLMS_WPORT);
    struct mtr_dlms_wrapper_hdr h;
    const uint8_t *p = huge;
    static uint8_t max_ok[8] = {0, 1, 0, 16, 0, 1, (uint8_t)(MTR_CFG_DLMS_MAX_APDU >> 8),
                                (uint8_t)MTR_CFG_DLMS_MAX_APDU};
    cr_assert_eq(mtr_dlms_wrapper_parse(&p, huge + 8, 100000, &h), MTR_ERR_DLMS_TOO_LONG);
    p = max_ok;
    cr_assert_eq(mtr_dlms_wrapper_parse(&p, max_ok + 8, 100000, &h), MTR_OK);
    cr_assert_eq(mtr_dlms_config_max_apdu(), MTR_CFG_DLMS_MAX_APDU);
}
