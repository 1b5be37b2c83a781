/* SPDX-License-Identifier: Apache-2.0 */
/* DLMS/COSEM TCP-UDP wrapper (IEC 62056-47): header and stream reassembly. */
#include <string.h>

#include "meter/bytes.h"
#include "meter/dlms.h"
#include "meter/meter.h"

mtr_err_t mtr_dlms_wrapper_parse(const uint8_t **p, const uint8_t *end, size_t max_apdu,
                                 struct mtr_dlms_wrapper_hdr *h)
{
    const uint8_t *q;
    uint16_t len;

    MTR_ASSERT(p != NULL && *p != NULL && end != NULL && h != NULL);
    q = *p;
    if (end - q < MTR_DLMS_WRAPPER_HEADER)
        return MTR_ERR_DLMS_TRUNCATED;
    if (mtr_get_be16(q) != MTR_DLMS_WRAPPER_VERSION)
        return MTR_ERR_DLMS_VERSION;
    len = mtr_get_be16(q + 6);
    if (len == 0)
        return MTR_ERR_DLMS_LENGTH;
    if (len > max_apdu || len > MTR_CFG_DLMS_MAX_APDU)
        return MTR_ERR_DLMS_TOO_LONG;
    h->src = mtr_get_be16(q + 2);
    h->dst = mtr_get_be16(q + 4);
    h->len = len;
    *p = q + MTR_DLMS_WRAPPER_HEADER;
    return MTR_OK;
}

void mtr_dlms_wrapper_put(uint8_t out[MTR_DLMS_WRAPPER_HEADER], const struct mtr_dlms_wrapper_hdr *h)
{
    MTR_ASSERT(out != NULL && h != NULL);
    mtr_put_be16(out, MTR_DLMS_WRAPPER_VERSION);
    mtr_put_be16(out + 2, h->src);
    mtr_put_be16(out + 4, h->dst);
    mtr_put_be16(out + 6, h->len);
}

void mtr_dlms_wrapper_rx_init(struct mtr_dlms_wrapper_rx *rx, uint8_t *buf, size_t cap, uint16_t wport)
{
    MTR_ASSERT(rx != NULL && buf != NULL && cap > 0);
    memset(rx, 0, sizeof *rx);
    rx->buf = buf;
    rx->cap = cap;
    rx->wport = wport;
}

static mtr_err_t take_header(struct mtr_dlms_wrapper_rx *rx, const uint8_t **p, const uint8_t *end)
{
    const uint8_t *h = rx->hdr;
    size_t n = (size_t)(MTR_DLMS_WRAPPER_HEADER - rx->hdr_len);
    mtr_err_t err;

    if (n > (size_t)(end - *p))
        n = (size_t)(end - *p);
    memcpy(rx->hdr + rx->hdr_len, *p, n);
    *p += n;
    rx->hdr_len = (uint8_t)(rx->hdr_len + n);
    if (rx->hdr_len < MTR_DLMS_WRAPPER_HEADER)
        return MTR_ERR_EMPTY;
    err = mtr_dlms_wrapper_parse(&h, rx->hdr + MTR_DLMS_WRAPPER_HEADER, rx->cap, &rx->h);
    if (err == MTR_OK && rx->wport != 0 && rx->h.dst != rx->wport)
        err = MTR_ERR_DLMS_WPORT;
    if (err != MTR_OK) {
        rx->hdr_len = 0;
        memset(rx->hdr, 0, sizeof rx->hdr);
        memset(&rx->h, 0, sizeof rx->h);
    }
    return err;
}

mtr_err_t mtr_dlms_wrapper_feed(struct mtr_dlms_wrapper_rx *rx, const uint8_t **p, const uint8_t *end,
                                struct mtr_dlms_wrapper_hdr *h)
{
    size_t n;

    MTR_ASSERT(rx != NULL && p != NULL && *p != NULL && end != NULL && h != NULL);
    if (rx->hdr_len < MTR_DLMS_WRAPPER_HEADER) {
        mtr_err_t err = take_header(rx, p, end);
        if (err != MTR_OK)
            return err;
    }
    n = (size_t)(rx->h.len - rx->got);
    if (n > (size_t)(end - *p))
        n = (size_t)(end - *p);
    if (n > 0)
        memcpy(rx->buf + rx->got, *p, n);
    *p += n;
    rx->got = (uint16_t)(rx->got + n);
    if (rx->got < rx->h.len)
        return MTR_ERR_EMPTY;
    *h = rx->h;
    rx->hdr_len = 0;
    rx->got = 0;
    return MTR_OK;
}

uint32_t mtr_dlms_config_max_apdu(void)
{
    return MTR_CFG_DLMS_MAX_APDU;
}
