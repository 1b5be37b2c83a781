/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target for the HDLC layer: the bytes go through the stream assembler
 * (each parsed frame must re-encode to its own bytes) and, in a second pass,
 * through a server link whose replies must all be well-formed frames.
 * The first byte chooses the chunk size, so every split of the stream is tried.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "meter/hdlc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int cond)
{
    if (!cond)
        abort();
}

static mtr_err_t echo(void *user, const uint8_t *apdu, size_t len, uint8_t *resp, size_t cap, size_t *n)
{
    size_t k = len * 3 < cap ? len * 3 : cap;
    (void)user;
    if (len > 0 && apdu[0] == 0xBB)
        return MTR_ERR_BUSY;
    for (size_t i = 0; i < k; i++)
        resp[i] = len ? apdu[i % len] : 0;
    *n = k;
    return MTR_OK;
}

static void check_reply(const uint8_t *b, size_t n)
{
    struct mtr_dlms_hdlc_frame f;
    const uint8_t *p = b;
    if (n == 0)
        return;
    require(mtr_dlms_hdlc_parse(&p, b + n, &f) == MTR_OK);
    require(p == b + n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t rx_apdu[300];
    static uint8_t tx_apdu[700];
    static uint8_t out[MTR_DLMS_HDLC_WIRE_MAX];
    struct mtr_dlms_hdlc_rx rx;
    struct mtr_dlms_hdlc_link l;
    struct mtr_dlms_hdlc_cfg cfg = {
        .upper = 1, .lower = 17, .max_info = MTR_CFG_DLMS_HDLC_MAX_INFO, .window = 1, .inactivity_ms = 5000,
        .rx_apdu = rx_apdu, .rx_cap = sizeof rx_apdu, .tx_apdu = tx_apdu, .tx_cap = sizeof tx_apdu,
        .on_apdu = echo,
    };
    size_t chunk;
    const uint8_t *end = data + size;

    if (size < 1)
        return 0;
    chunk = (size_t)(data[0] & 0x1F) + 1;
    data++;
    mtr_dlms_hdlc_rx_init(&rx);
    for (const uint8_t *c = data; c < end; c += chunk) {
        const uint8_t *p = c;
        const uint8_t *ce = (size_t)(end - c) > chunk ? c + chunk : end;
        struct mtr_dlms_hdlc_frame f;
        mtr_err_t err;
        while ((err = mtr_dlms_hdlc_rx_feed(&rx, 0, &p, ce, &f)) != MTR_ERR_EMPTY) {
            if (err == MTR_OK) {
                size_t n;
                require(mtr_dlms_hdlc_encode(&f, out, sizeof out, &n) == MTR_OK);
                check_reply(out, n);
            }
        }
        require(p == ce);
    }
    require(mtr_dlms_hdlc_init(&l, &cfg) == MTR_OK);
    mtr_ms_t now = 0;
    for (const uint8_t *c = data; c < end; c += chunk) {
        const uint8_t *p = c;
        const uint8_t *ce = (size_t)(end - c) > chunk ? c + chunk : end;
        while (p < ce) {
            size_t n = 0;
            (void)mtr_dlms_hdlc_input(&l, now, &p, ce, out, sizeof out, &n);
            check_reply(out, n);
            require(mtr_dlms_hdlc_state(&l) <= MTR_DLMS_HDLC_FRMR_STATE);
            require(l.rx_len <= sizeof rx_apdu && l.tx_off <= l.tx_len && l.tx_len <= sizeof tx_apdu);
        }
        now += 10;
    }
    return 0;
}

