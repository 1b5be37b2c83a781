/* SPDX-License-Identifier: Apache-2.0 */
/* HDLC frame format type 3 (IEC 62056-46 8.4.1): parse, encode, stream assembler. */
#include <string.h>

#include "meter/crc.h"
#include "meter/hdlc.h"
#include "meter/meter.h"

#define FLAG 0x7Eu
#define MIN_LEN 7u /* format 2 + dst 1 + src 1 + control 1 + FCS 2 */

static uint16_t get_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

/* An address field ends with the first byte whose bit 0 is set; 1, 2 or 4 bytes. */
static mtr_err_t get_addr(const uint8_t **p, const uint8_t *end, struct mtr_dlms_hdlc_addr *a)
{
    const uint8_t *q = *p;
    uint8_t n = 0;

    while (n < 4 && q + n < end && (q[n] & 1u) == 0)
        n++;
    if (n == 4 || q + n >= end)
        return MTR_ERR_DLMS_ADDRESS;
    n++;
    if (n == 3)
        return MTR_ERR_DLMS_ADDRESS;
    a->size = n;
    if (n == 1) {
        a->upper = q[0] >> 1;
        a->lower = 0;
    } else if (n == 2) {
        a->upper = q[0] >> 1;
        a->lower = q[1] >> 1;
    } else {
        a->upper = (uint16_t)(((q[0] >> 1) << 7) | (q[1] >> 1));
        a->lower = (uint16_t)(((q[2] >> 1) << 7) | (q[3] >> 1));
    }
    *p = q + n;
    return MTR_OK;
}

mtr_err_t mtr_dlms_hdlc_parse(const uint8_t **p, const uint8_t *end, struct mtr_dlms_hdlc_frame *f)
{
    struct mtr_dlms_hdlc_frame fr;
    const uint8_t *q;
    const uint8_t *body;
    const uint8_t *fcs;
    uint16_t len;
    mtr_err_t err;

    MTR_ASSERT(p != NULL && *p != NULL && end != NULL && f != NULL);
    q = *p;
    if (end - q < 3)
        return MTR_ERR_DLMS_TRUNCATED;
    if (q[0] != FLAG || (q[1] & 0xF0u) != 0xA0u)
        return MTR_ERR_DLMS_FRAME;
    len = (uint16_t)(((q[1] & 7u) << 8) | q[2]);
    if (len < MIN_LEN)
        return MTR_ERR_DLMS_FRAME;
    if (end - q < (ptrdiff_t)len + 2)
        return MTR_ERR_DLMS_TRUNCATED;
    if (q[len + 1] != FLAG)
        return MTR_ERR_DLMS_FRAME;
    memset(&fr, 0, sizeof fr);
    body = q + 1;
    fcs = body + len - 2;
    fr.segmented = (q[1] & 0x08u) != 0;
    q = body + 2;
    err = get_addr(&q, fcs, &fr.dst);
    if (err == MTR_OK)
        err = get_addr(&q, fcs, &fr.src);
    if (err != MTR_OK)
        return err;
    if (q >= fcs)
        return MTR_ERR_DLMS_FRAME;
    fr.control = *q++;
    if (q != fcs) {
        if (fcs - q < 3)
            return MTR_ERR_DLMS_FRAME; /* an HCS needs an information field after it */
        if (mtr_crc16_x25(body, (size_t)(q - body)) != get_le16(q))
            return MTR_ERR_DLMS_HCS;
        fr.info = q + 2;
        fr.info_len = (uint16_t)(fcs - fr.info);
    }
    if (mtr_crc16_x25(body, (size_t)(fcs - body)) != get_le16(fcs))
        return MTR_ERR_DLMS_FCS;
    *f = fr;
    *p = body + len + 1;
    return MTR_OK;
}

static mtr_err_t put_addr(const struct mtr_dlms_hdlc_addr *a, uint8_t *o)
{
    uint16_t lim = a->size == 4 ? 0x3FFFu : 0x7Fu;

    if ((a->size != 1 && a->size != 2 && a->size != 4) || a->upper > lim || a->lower > lim ||
        (a->size == 1 && a->lower != 0))
        return MTR_ERR_INVAL;
    if (a->size == 1) {
        o[0] = (uint8_t)(a->upper << 1);
    } else if (a->size == 2) {
        o[0] = (uint8_t)(a->upper << 1);
        o[1] = (uint8_t)(a->lower << 1);
    } else {
        o[0] = (uint8_t)((a->upper >> 7) << 1);
        o[1] = (uint8_t)(a->upper << 1);
        o[2] = (uint8_t)((a->lower >> 7) << 1);
        o[3] = (uint8_t)(a->lower << 1);
    }
    o[a->size - 1] |= 1u;
    return MTR_OK;
}

static void put_crc(uint8_t *o, const uint8_t *from, size_t n)
{
    uint16_t c = mtr_crc16_x25(from, n);
    o[0] = (uint8_t)c;
    o[1] = (uint8_t)(c >> 8);
}

mtr_err_t mtr_dlms_hdlc_encode(const struct mtr_dlms_hdlc_frame *f, uint8_t *out, size_t cap, size_t *len)
{
    size_t hdr;
    size_t flen;
    uint8_t *o;
    mtr_err_t err;

    MTR_ASSERT(f != NULL && out != NULL && len != NULL && (f->info != NULL || f->info_len == 0));
    if (f->info_len > 2030)
        return MTR_ERR_INVAL;
    hdr = 2u + f->dst.size + f->src.size + 1u;
    flen = hdr + (f->info_len ? 2u + f->info_len : 0u) + 2u;
    if (cap < flen + 2)
        return MTR_ERR_FULL;
    o = out + 1;
    err = put_addr(&f->dst, o + 2);
    if (err == MTR_OK)
        err = put_addr(&f->src, o + 2 + f->dst.size);
    if (err != MTR_OK)
        return err;
    out[0] = FLAG;
    o[0] = (uint8_t)(0xA0u | (f->segmented ? 0x08u : 0u) | (flen >> 8));
    o[1] = (uint8_t)flen;
    o[hdr - 1] = f->control;
    if (f->info_len) {
        put_crc(o + hdr, o, hdr);
        memcpy(o + hdr + 2, f->info, f->info_len);
    }
    put_crc(o + flen - 2, o, flen - 2);
    o[flen] = FLAG;
    *len = flen + 2;
    return MTR_OK;
}

void mtr_dlms_hdlc_rx_init(struct mtr_dlms_hdlc_rx *rx)
{
    MTR_ASSERT(rx != NULL);
    memset(rx, 0, sizeof *rx);
}

/* After a frame ends (good or bad), its closing flag may open the next one. */
static void restart(struct mtr_dlms_hdlc_rx *rx, bool had_flag)
{
    rx->len = had_flag ? 1 : 0;
    rx->need = 0;
    rx->buf[0] = FLAG;
}

/* Take one byte; returns MTR_ERR_EMPTY while the frame is incomplete. */
static mtr_err_t take(struct mtr_dlms_hdlc_rx *rx, uint8_t b, struct mtr_dlms_hdlc_frame *f)
{
    if (rx->len == 0) {
        if (b == FLAG)
            rx->buf[rx->len++] = b;
        return MTR_ERR_EMPTY;
    }
    if (rx->len == 1 && b == FLAG)
        return MTR_ERR_EMPTY; /* repeated flags between frames */
    rx->buf[rx->len++] = b;
    if (rx->len == 2 && (b & 0xF0u) != 0xA0u) {
        restart(rx, false); /* noise after a flag: keep hunting */
        return MTR_ERR_EMPTY;
    }
    if (rx->len == 3) {
        uint16_t flen = (uint16_t)(((rx->buf[1] & 7u) << 8) | b);
        if (flen < MIN_LEN) {
            restart(rx, false);
            return MTR_ERR_DLMS_FRAME;
        }
        if (flen + 2u > sizeof rx->buf) {
            restart(rx, false);
            return MTR_ERR_DLMS_TOO_LONG;
        }
        rx->need = (uint16_t)(flen + 2u);
    }
    if (rx->need == 0 || rx->len < rx->need)
        return MTR_ERR_EMPTY;
    {
        const uint8_t *q = rx->buf;
        mtr_err_t err = mtr_dlms_hdlc_parse(&q, rx->buf + rx->len, f);
        restart(rx, b == FLAG);
        return err;
    }
}

mtr_err_t mtr_dlms_hdlc_rx_feed(struct mtr_dlms_hdlc_rx *rx, mtr_ms_t now, const uint8_t **p,
                                const uint8_t *end, struct mtr_dlms_hdlc_frame *f)
{
    const uint8_t *q;

    MTR_ASSERT(rx != NULL && p != NULL && *p != NULL && end != NULL && f != NULL);
    q = *p;
    if (q < end && rx->len > 1 && MTR_CFG_DLMS_HDLC_INTER_OCTET_MS > 0 &&
        mtr_ms_elapsed(now, rx->last) > MTR_CFG_DLMS_HDLC_INTER_OCTET_MS)
        restart(rx, false);
    while (q < end) {
        mtr_err_t err = take(rx, *q++, f);
        rx->last = now;
        if (err != MTR_ERR_EMPTY) {
            *p = q;
            return err;
        }
    }
    *p = q;
    return MTR_ERR_EMPTY;
}
