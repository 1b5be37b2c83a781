/* SPDX-License-Identifier: Apache-2.0 */
/* HDLC server link (IEC 62056-46 8.4): NDM/NRM, negotiation, sequencing, segmentation. */
#include <string.h>

#include "meter/hdlc.h"
#include "meter/meter.h"

#define DEFAULT_INFO 128u /* IEC 62056-46: default maximum information field length */
#define MIN_INFO 32u
#define FRMR_W 0x01u /* control field invalid or not implemented */
#define FRMR_X 0x02u /* information field not permitted */
#define FRMR_Y 0x04u /* information field too long */
#define FRMR_Z 0x08u /* invalid N(R) */

static const uint8_t llc_cmd[3] = {0xE6, 0xE6, 0x00};
static const uint8_t llc_rsp[3] = {0xE6, 0xE7, 0x00};

/* A reply under construction: written into out by send(). */
struct reply {
    uint8_t *out;
    size_t cap;
    size_t *len;
};

mtr_err_t mtr_dlms_hdlc_init(struct mtr_dlms_hdlc_link *l, const struct mtr_dlms_hdlc_cfg *cfg)
{
    MTR_ASSERT(l != NULL && cfg != NULL);
    if (cfg->upper == 0 || cfg->upper > 0x3FFFu || cfg->lower > 0x3FFFu || cfg->max_info < MIN_INFO ||
        cfg->max_info > MTR_CFG_DLMS_HDLC_MAX_INFO || cfg->window < 1 ||
        cfg->window > MTR_CFG_DLMS_HDLC_WINDOW || cfg->rx_apdu == NULL || cfg->rx_cap == 0 ||
        cfg->tx_apdu == NULL || cfg->tx_cap <= sizeof llc_rsp || cfg->on_apdu == NULL)
        return MTR_ERR_INVAL;
    memset(l, 0, sizeof *l);
    l->cfg = *cfg;
    mtr_dlms_hdlc_rx_init(&l->rx);
    l->state = MTR_DLMS_HDLC_NDM;
    return MTR_OK;
}

uint8_t mtr_dlms_hdlc_state(const struct mtr_dlms_hdlc_link *l)
{
    MTR_ASSERT(l != NULL);
    return l->state;
}

size_t mtr_dlms_hdlc_link_size(void)
{
    return sizeof(struct mtr_dlms_hdlc_link);
}

size_t mtr_dlms_hdlc_wire_max(void)
{
    return MTR_DLMS_HDLC_WIRE_MAX;
}

static void disconnect(struct mtr_dlms_hdlc_link *l)
{
    l->state = MTR_DLMS_HDLC_NDM;
    l->rx_len = 0;
    l->tx_len = 0;
    l->tx_off = 0;
    l->apdu_held = false;
    l->unacked = false;
}

bool mtr_dlms_hdlc_poll(struct mtr_dlms_hdlc_link *l, mtr_ms_t now)
{
    MTR_ASSERT(l != NULL);
    if (l->state == MTR_DLMS_HDLC_NDM || l->cfg.inactivity_ms == 0 ||
        mtr_ms_elapsed(now, l->last_rx) < l->cfg.inactivity_ms)
        return false;
    disconnect(l);
    return true;
}

static void send(const struct mtr_dlms_hdlc_link *l, struct reply *r, uint8_t control, const uint8_t *info,
                 uint16_t n, bool seg)
{
    struct mtr_dlms_hdlc_frame f;

    memset(&f, 0, sizeof f);
    f.dst.upper = l->client;
    f.dst.size = 1;
    f.src = l->self;
    f.control = (uint8_t)(control | MTR_DLMS_HDLC_PF);
    f.info = info;
    f.info_len = n;
    f.segmented = seg;
    if (mtr_dlms_hdlc_encode(&f, r->out, r->cap, r->len) != MTR_OK)
        *r->len = 0;
}

static void send_s(const struct mtr_dlms_hdlc_link *l, struct reply *r, uint8_t type)
{
    send(l, r, (uint8_t)((l->vr << 5) | type), NULL, 0, false);
}

/* Enter the frame reject condition; the reply carries the rejected control field. */
static void frmr(struct mtr_dlms_hdlc_link *l, struct reply *r, uint8_t control, uint8_t why)
{
    l->frmr[0] = control;
    l->frmr[1] = (uint8_t)((l->vr << 5) | (l->vs << 1));
    l->frmr[2] = why;
    l->state = MTR_DLMS_HDLC_FRMR_STATE;
    send(l, r, MTR_DLMS_HDLC_FRMR, l->frmr, 3, false);
}

/* Send the next (or, when again is set, the last) segment of the response. */
static void send_segment(struct mtr_dlms_hdlc_link *l, struct reply *r, bool again)
{
    size_t off = again ? l->tx_off - l->tx_last : l->tx_off;
    size_t n = l->tx_len - off;
    uint8_t ns = again ? (uint8_t)((l->vs - 1u) & 7u) : l->vs;

    if (n > l->max_tx)
        n = l->max_tx;
    send(l, r, (uint8_t)((l->vr << 5) | (ns << 1)), l->cfg.tx_apdu + off, (uint16_t)n,
         off + n < l->tx_len);
    if (!again) {
        l->tx_off += n;
        l->tx_last = n;
        l->vs = (uint8_t)((l->vs + 1u) & 7u);
        l->unacked = true;
    }
}

/* One parameter value of 1..4 bytes, big-endian. */
static uint32_t param_value(const uint8_t *v, uint8_t n)
{
    uint32_t x = 0;
    for (uint8_t k = 0; k < n; k++)
        x = (x << 8) | v[k];
    return x;
}

/* SNRM information field (format 0x81, group 0x80): the client's proposal. */
static mtr_err_t negotiate(const struct mtr_dlms_hdlc_link *l, const struct mtr_dlms_hdlc_frame *f,
                           uint16_t *max_rx, uint16_t *max_tx, uint8_t *win_rx)
{
    uint32_t v[4] = {DEFAULT_INFO, DEFAULT_INFO, 1, 1}; /* client tx info, rx info, tx win, rx win */

    if (f->info_len > 0) {
        const uint8_t *q = f->info;
        const uint8_t *end = f->info + f->info_len;

        if (f->info_len < 3 || q[0] != 0x81u || q[1] != 0x80u || q[2] != f->info_len - 3u)
            return MTR_ERR_DLMS_PARAM;
        q += 3;
        while (q < end) {
            uint8_t id;
            uint8_t n;
            if (end - q < 2)
                return MTR_ERR_DLMS_PARAM;
            id = q[0];
            n = q[1];
            if (id < 5 || id > 8 || n < 1 || n > 4 || end - q - 2 < n)
                return MTR_ERR_DLMS_PARAM;
            v[id - 5] = param_value(q + 2, n);
            q += 2 + n;
        }
    }
    if (v[0] < MIN_INFO || v[1] < MIN_INFO || v[2] < 1 || v[2] > 7 || v[3] < 1 || v[3] > 7)
        return MTR_ERR_DLMS_PARAM;
    *max_rx = (uint16_t)(v[0] < l->cfg.max_info ? v[0] : l->cfg.max_info);
    *max_tx = (uint16_t)(v[1] < l->cfg.max_info ? v[1] : l->cfg.max_info);
    *win_rx = (uint8_t)(v[2] < l->cfg.window ? v[2] : l->cfg.window);
    return MTR_OK;
}

static uint8_t *put_param(uint8_t *o, uint8_t id, uint32_t v, uint8_t n)
{
    *o++ = id;
    *o++ = n;
    while (n--)
        *o++ = (uint8_t)(v >> (8u * n));
    return o;
}

static mtr_err_t on_snrm(struct mtr_dlms_hdlc_link *l, const struct mtr_dlms_hdlc_frame *f, struct reply *r)
{
    uint8_t ua[23];
    uint8_t *o = ua + 3;
    uint16_t max_rx;
    uint16_t max_tx;
    uint8_t win_rx;
    mtr_err_t err = negotiate(l, f, &max_rx, &max_tx, &win_rx);

    if (err != MTR_OK) {
        if (l->state == MTR_DLMS_HDLC_NDM)
            send(l, r, MTR_DLMS_HDLC_DM, NULL, 0, false);
        return err;
    }
    disconnect(l);
    l->state = MTR_DLMS_HDLC_NRM;
    l->vs = 0;
    l->vr = 0;
    l->max_rx = max_rx;
    l->max_tx = max_tx;
    l->win_rx = win_rx;
    l->win_tx = 1; /* one I-frame per poll */
    ua[0] = 0x81;
    ua[1] = 0x80;
    o = put_param(o, 5, max_tx, max_tx > 0xFFu ? 2 : 1);
    o = put_param(o, 6, max_rx, max_rx > 0xFFu ? 2 : 1);
    o = put_param(o, 7, l->win_tx, 4);
    o = put_param(o, 8, l->win_rx, 4);
    ua[2] = (uint8_t)(o - ua - 3);
    send(l, r, MTR_DLMS_HDLC_UA, ua, (uint16_t)(o - ua), false);
    return MTR_OK;
}

/* Hand the reassembled APDU to the upper layer and start the response. */
static mtr_err_t deliver(struct mtr_dlms_hdlc_link *l, struct reply *r)
{
    size_t n = 0;
    mtr_err_t err = l->cfg.on_apdu(l->cfg.user, l->cfg.rx_apdu, l->rx_len, l->cfg.tx_apdu + 3,
                                   l->cfg.tx_cap - 3, &n);

    if (err == MTR_ERR_BUSY) {
        l->apdu_held = true;
        send_s(l, r, MTR_DLMS_HDLC_RNR);
        return MTR_OK;
    }
    l->apdu_held = false;
    l->rx_len = 0;
    if (err != MTR_OK || n == 0 || n > l->cfg.tx_cap - 3) {
        send_s(l, r, MTR_DLMS_HDLC_RR);
        return err;
    }
    memcpy(l->cfg.tx_apdu, llc_rsp, sizeof llc_rsp);
    l->tx_len = n + 3;
    l->tx_off = 0;
    send_segment(l, r, false);
    return MTR_OK;
}

/* N(R) may acknowledge everything (V(S)) or leave our last I-frame unacknowledged. */
static bool nr_valid(const struct mtr_dlms_hdlc_link *l, uint8_t nr)
{
    return nr == l->vs || (l->unacked && nr == ((l->vs - 1u) & 7u));
}

static void ack(struct mtr_dlms_hdlc_link *l, uint8_t nr)
{
    if (nr == l->vs)
        l->unacked = false;
}

static mtr_err_t on_i(struct mtr_dlms_hdlc_link *l, const struct mtr_dlms_hdlc_frame *f, struct reply *r)
{
    uint8_t c = f->control;
    uint8_t nr = (uint8_t)(c >> 5);
    const uint8_t *data = f->info;
    size_t n = f->info_len;

    if (f->info_len > l->max_rx) {
        frmr(l, r, c, FRMR_Y);
        return MTR_ERR_DLMS_TOO_LONG;
    }
    if (!nr_valid(l, nr)) {
        frmr(l, r, c, FRMR_Z);
        return MTR_ERR_DLMS_SEQUENCE;
    }
    if (((c >> 1) & 7u) != l->vr || l->apdu_held) {
        if (c & MTR_DLMS_HDLC_PF)
            send_s(l, r, l->apdu_held ? MTR_DLMS_HDLC_RNR : MTR_DLMS_HDLC_RR);
        return l->apdu_held ? MTR_ERR_BUSY : MTR_ERR_DLMS_SEQUENCE;
    }
    if (l->rx_len == 0) {
        if (n < 3 || memcmp(data, llc_cmd, 3) != 0) {
            if (c & MTR_DLMS_HDLC_PF)
                send_s(l, r, MTR_DLMS_HDLC_RR);
            return MTR_ERR_DLMS_LLC;
        }
        data += 3;
        n -= 3;
    }
    if (n > l->cfg.rx_cap - l->rx_len) {
        frmr(l, r, c, FRMR_Y);
        return MTR_ERR_DLMS_TOO_LONG;
    }
    if (n > 0)
        memcpy(l->cfg.rx_apdu + l->rx_len, data, n);
    l->rx_len += n;
    l->vr = (uint8_t)((l->vr + 1u) & 7u);
    ack(l, nr);
    l->tx_len = 0; /* a new request ends any response still being sent */
    l->tx_off = 0;
    if (f->segmented) {
        if (c & MTR_DLMS_HDLC_PF)
            send_s(l, r, MTR_DLMS_HDLC_RR);
        return MTR_OK;
    }
    return deliver(l, r);
}

static mtr_err_t on_s(struct mtr_dlms_hdlc_link *l, const struct mtr_dlms_hdlc_frame *f, struct reply *r)
{
    uint8_t c = f->control;
    uint8_t nr = (uint8_t)(c >> 5);
    bool resend;

    if (f->info_len != 0) {
        frmr(l, r, c, FRMR_X | FRMR_W);
        return MTR_ERR_DLMS_CONTROL;
    }
    if (!nr_valid(l, nr)) {
        frmr(l, r, c, FRMR_Z);
        return MTR_ERR_DLMS_SEQUENCE;
    }
    resend = l->unacked && nr != l->vs;
    ack(l, nr);
    if (!(c & MTR_DLMS_HDLC_PF))
        return MTR_OK;
    if ((c & 0x0Fu) == MTR_DLMS_HDLC_RNR) {
        send_s(l, r, MTR_DLMS_HDLC_RR); /* client busy: no I-frame now */
        return MTR_OK;
    }
    if (l->apdu_held)
        return deliver(l, r);
    if (resend)
        send_segment(l, r, true);
    else if (l->tx_off < l->tx_len)
        send_segment(l, r, false);
    else
        send_s(l, r, MTR_DLMS_HDLC_RR);
    return MTR_OK;
}

/* Frames in NRM (or the reject condition, where only SNRM and DISC are served). */
static mtr_err_t on_connected(struct mtr_dlms_hdlc_link *l, const struct mtr_dlms_hdlc_frame *f,
                              struct reply *r)
{
    uint8_t c = f->control;
    uint8_t u = (uint8_t)(c & ~MTR_DLMS_HDLC_PF);

    if (u == MTR_DLMS_HDLC_SNRM)
        return on_snrm(l, f, r);
    if (u == MTR_DLMS_HDLC_DISC) {
        send(l, r, MTR_DLMS_HDLC_UA, NULL, 0, false);
        disconnect(l);
        return MTR_OK;
    }
    if (l->state == MTR_DLMS_HDLC_FRMR_STATE) {
        send(l, r, MTR_DLMS_HDLC_FRMR, l->frmr, 3, false);
        return MTR_ERR_STATE;
    }
    if (u == MTR_DLMS_HDLC_UI)
        return MTR_OK; /* no UI service above the link */
    if ((c & 1u) == 0)
        return on_i(l, f, r);
    if ((c & 0x0Fu) == MTR_DLMS_HDLC_RR || (c & 0x0Fu) == MTR_DLMS_HDLC_RNR)
        return on_s(l, f, r);
    frmr(l, r, c, FRMR_W);
    return MTR_ERR_DLMS_CONTROL;
}

static mtr_err_t on_frame(struct mtr_dlms_hdlc_link *l, const struct mtr_dlms_hdlc_frame *f, struct reply *r)
{
    uint8_t u = (uint8_t)(f->control & ~MTR_DLMS_HDLC_PF);
    bool ours = f->dst.upper == l->cfg.upper && (f->dst.size == 1 || f->dst.lower == l->cfg.lower);

    if (!ours || f->src.size != 1 ||
        (l->state != MTR_DLMS_HDLC_NDM && (uint8_t)f->src.upper != l->client))
        return MTR_ERR_DLMS_ADDRESS;
    if (l->state != MTR_DLMS_HDLC_NDM)
        return on_connected(l, f, r);
    l->client = (uint8_t)f->src.upper;
    l->self = f->dst;
    if (u == MTR_DLMS_HDLC_SNRM)
        return on_snrm(l, f, r);
    if (u == MTR_DLMS_HDLC_UI)
        return MTR_OK;
    send(l, r, MTR_DLMS_HDLC_DM, NULL, 0, false);
    return u == MTR_DLMS_HDLC_DISC ? MTR_OK : MTR_ERR_STATE;
}

mtr_err_t mtr_dlms_hdlc_input(struct mtr_dlms_hdlc_link *l, mtr_ms_t now, const uint8_t **p,
                              const uint8_t *end, uint8_t *out, size_t cap, size_t *out_len)
{
    struct mtr_dlms_hdlc_frame f;
    struct reply r = {out, cap, out_len};
    uint8_t client;
    struct mtr_dlms_hdlc_addr self;
    mtr_err_t err;

    MTR_ASSERT(l != NULL && out != NULL && out_len != NULL && cap >= MTR_DLMS_HDLC_WIRE_MAX);
    *out_len = 0;
    (void)mtr_dlms_hdlc_poll(l, now);
    err = mtr_dlms_hdlc_rx_feed(&l->rx, now, p, end, &f);
    if (err != MTR_OK)
        return err;
    client = l->client;
    self = l->self;
    err = on_frame(l, &f, &r);
    if (l->state == MTR_DLMS_HDLC_NDM && err != MTR_OK) {
        l->client = client; /* a refused frame leaves no trace */
        l->self = self;
    }
    if (err == MTR_OK && l->state != MTR_DLMS_HDLC_NDM)
        l->last_rx = now;
    return err;
}
