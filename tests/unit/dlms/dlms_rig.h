/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A small object table for the server tests (data, register with scaler and
 * unit, clock, a profile buffer of 2000 rows with selective access by entry
 * and by range, a large octet-string), the association table of the seed's
 * roles, and a rig that carries APDUs to the server directly, over the TCP
 * wrapper or over HDLC.
 */
#ifndef DLMS_RIG_H
#define DLMS_RIG_H

#include "dlms_client.h"

/* ------------------------------------------------------------ objects */

static const uint8_t OB_DATA[6] = {0, 0, 96, 1, 0, 255};    /* meter serial number */
static const uint8_t OB_REG[6] = {1, 0, 1, 8, 0, 255};      /* +A energy */
static const uint8_t OB_CLOCK[6] = {0, 0, 1, 0, 0, 255};    /* clock */
static const uint8_t OB_PROFILE[6] = {1, 0, 99, 1, 0, 255}; /* load profile 1 */
static const uint8_t OB_BLOB[6] = {0, 0, 96, 50, 0, 255};   /* manufacturer blob */
static const uint8_t OB_ASSOC[6] = {0, 0, 40, 0, 0, 255};
static const uint8_t OB_SECSETUP[6] = {0, 0, 43, 0, 0, 255};

#define ROWS 2000u

struct model {
    uint8_t serial[16];
    size_t serial_len;
    uint32_t energy;
    uint8_t clock[12];
    int16_t tz;
    uint8_t blob[1200];
    size_t blob_len;
    uint8_t row_time[ROWS][12];
    uint32_t sets; /* successful SETs */
};
static struct model M;

/* Row k: 2024-01-01 00:00 + 15 min * k, value 1000 + 7 k. */
static inline void model_reset(void)
{
    memset(&M, 0, sizeof M);
    memcpy(M.serial, "LM0001", 6);
    M.serial_len = 6;
    M.energy = 123456;
    for (unsigned k = 0; k < ROWS; k++) {
        uint8_t *t = M.row_time[k];
        unsigned day = k / 96, min = (k % 96) * 15;
        t[0] = 0x07;
        t[1] = 0xE8;
        t[2] = 1;
        t[3] = (uint8_t)(1 + day);
        t[4] = 0xFF;
        t[5] = (uint8_t)(min / 60);
        t[6] = (uint8_t)(min % 60);
        t[7] = 0;
        t[8] = 0;
        t[9] = 0x80;
        t[10] = 0x00;
        t[11] = 0x00;
    }
    memcpy(M.clock, M.row_time[0], 12);
}

static inline mtr_err_t data_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    (void)c;
    return mtr_dlms_axdr_put_string(w, MTR_DLMS_VISIBLE_STRING, M.serial, (uint32_t)M.serial_len);
}

static inline mtr_err_t data_set(const struct mtr_dlms_call *c)
{
    if (c->data[0] != MTR_DLMS_VISIBLE_STRING || c->data[1] > sizeof M.serial || c->data_len != 2u + c->data[1])
        return MTR_ERR_INVAL;
    memcpy(M.serial, c->data + 2, c->data[1]);
    M.serial_len = c->data[1];
    M.sets++;
    return MTR_OK;
}

static inline mtr_err_t reg_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    if (c->id == 2)
        return mtr_dlms_axdr_put_uint(w, MTR_DLMS_DOUBLE_LONG_UNSIGNED, M.energy);
    if (c->id != 3)
        return MTR_ERR_NOTSUP;
    /* scaler_unit: one raw write of 3 items is not possible; the writer stages each item */
    switch (c->cursor[0]) {
    case 0:
        if (!mtr_dlms_server_room(w))
            return MTR_ERR_FULL;
        mtr_dlms_axdr_put_container(w, MTR_DLMS_STRUCTURE, 2);
        c->cursor[0] = 1;
        /* fall through */
    case 1:
        if (!mtr_dlms_server_room(w))
            return MTR_ERR_FULL;
        mtr_dlms_axdr_put_int(w, MTR_DLMS_INTEGER, 0);
        c->cursor[0] = 2;
        /* fall through */
    default:
        if (!mtr_dlms_server_room(w))
            return MTR_ERR_FULL;
        return mtr_dlms_axdr_put_uint(w, MTR_DLMS_ENUM, 30); /* Wh (Blue Book unit table) */
    }
}

static inline mtr_err_t reg_action(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    (void)w;
    if (c->id != 1 || c->data == NULL || c->data[0] != MTR_DLMS_INTEGER)
        return MTR_ERR_INVAL;
    M.energy = 0; /* reset */
    return MTR_OK;
}

static inline mtr_err_t clock_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    if (c->id == 2)
        return mtr_dlms_axdr_put_string(w, MTR_DLMS_OCTET_STRING, M.clock, 12);
    return mtr_dlms_axdr_put_int(w, MTR_DLMS_LONG, M.tz);
}

static inline mtr_err_t clock_set(const struct mtr_dlms_call *c)
{
    struct mtr_dlms_datetime dt;
    if (c->id == 2) {
        if (c->data_len != 14 || c->data[0] != MTR_DLMS_OCTET_STRING || c->data[1] != 12 ||
            mtr_dlms_datetime_decode(c->data + 2, &dt) != MTR_OK)
            return MTR_ERR_INVAL;
        memcpy(M.clock, c->data + 2, 12);
    } else {
        if (c->data_len != 3 || c->data[0] != MTR_DLMS_LONG)
            return MTR_ERR_INVAL;
        M.tz = (int16_t)(c->data[1] << 8 | c->data[2]);
    }
    M.sets++;
    return MTR_OK;
}

static inline uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Rows [from, to] (0-based) selected by the access selector. */
static inline mtr_err_t profile_range(const struct mtr_dlms_call *c, uint32_t *from, uint32_t *to)
{
    const uint8_t *s = c->sel;
    *from = 0;
    *to = ROWS - 1;
    if (c->selector == 0)
        return MTR_OK;
    if (c->selector == 2) { /* entry_descriptor {from_entry, to_entry, from_value, to_value} */
        uint32_t a, b;
        if (c->sel_len != 18 || s[0] != 2 || s[1] != 4 || s[2] != 6 || s[7] != 6)
            return MTR_ERR_INVAL;
        a = be32(s + 3);
        b = be32(s + 8);
        if (b == 0)
            b = ROWS;
        if (a < 1 || a > b || b > ROWS)
            return MTR_ERR_RANGE;
        *from = a - 1;
        *to = b - 1;
        return MTR_OK;
    }
    if (c->selector == 1) { /* range_descriptor {restricting object, from, to, selected values} */
        const uint8_t *f, *t;
        if (c->sel_len < 2 + 18 + 14 + 14 + 2 || s[0] != 2 || s[1] != 4 || s[2] != 2)
            return MTR_ERR_INVAL;
        f = s + 2 + 18;
        t = f + 14;
        if (f[0] != 9 || f[1] != 12 || t[0] != 9 || t[1] != 12)
            return MTR_ERR_INVAL;
        *from = ROWS;
        *to = 0;
        for (uint32_t k = 0; k < ROWS; k++) {
            if (memcmp(M.row_time[k], f + 2, 8) >= 0 && memcmp(M.row_time[k], t + 2, 8) <= 0) {
                if (*from == ROWS)
                    *from = k;
                *to = k;
            }
        }
        if (*from == ROWS)
            return MTR_ERR_RANGE;
        return MTR_OK;
    }
    return MTR_ERR_RANGE;
}

/* cursor[0]: 0 = header due, else 1 + item index (3 items per row); cursor[1]: from | to << 16. */
static inline mtr_err_t profile_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    uint32_t from, to;

    if (c->id != 2)
        return MTR_ERR_NOTSUP;
    if (c->cursor[0] == 0) {
        mtr_err_t err = profile_range(c, &from, &to);
        if (err != MTR_OK)
            return err;
        if (!mtr_dlms_server_room(w))
            return MTR_ERR_FULL;
        mtr_dlms_axdr_put_container(w, MTR_DLMS_ARRAY, to - from + 1);
        c->cursor[1] = from | to << 16;
        c->cursor[0] = 1;
    }
    from = c->cursor[1] & 0xFFFF;
    to = c->cursor[1] >> 16;
    for (;;) {
        uint32_t item = c->cursor[0] - 1;
        uint32_t row = from + item / 3;
        if (row > to)
            return MTR_OK;
        if (!mtr_dlms_server_room(w))
            return MTR_ERR_FULL;
        if (item % 3 == 0)
            mtr_dlms_axdr_put_container(w, MTR_DLMS_STRUCTURE, 2);
        else if (item % 3 == 1)
            mtr_dlms_axdr_put_string(w, MTR_DLMS_OCTET_STRING, M.row_time[row], 12);
        else
            mtr_dlms_axdr_put_uint(w, MTR_DLMS_DOUBLE_LONG_UNSIGNED, 1000 + 7 * row);
        c->cursor[0]++;
    }
}

static inline mtr_err_t blob_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    (void)c;
    return mtr_dlms_axdr_put_string(w, MTR_DLMS_OCTET_STRING, M.blob, (uint32_t)M.blob_len);
}

static inline mtr_err_t blob_set(const struct mtr_dlms_call *c)
{
    const uint8_t *p = c->data;
    uint32_t n;
    if (p[0] != MTR_DLMS_OCTET_STRING)
        return MTR_ERR_INVAL;
    p++;
    if (mtr_dlms_axdr_get_length(&p, c->data + c->data_len, &n, NULL) != MTR_OK || n > sizeof M.blob)
        return MTR_ERR_INVAL;
    memcpy(M.blob, p, n);
    M.blob_len = n;
    M.sets++;
    return MTR_OK;
}

/* Method 1: returns the byte count of its parameter as double-long-unsigned. */
static inline mtr_err_t blob_action(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    return mtr_dlms_axdr_put_uint(w, MTR_DLMS_DOUBLE_LONG_UNSIGNED, (uint32_t)c->data_len);
}

/* Profiles: 0 public, 1 level 1 (read, set time), 2 level 2 (read, time, time zone), 3 management. */
#define BIT(n) (1u << ((n)-1))
static const struct mtr_dlms_access ACC_DATA[4] = {
    {BIT(1) | BIT(2), 0, 0}, {BIT(1) | BIT(2), 0, 0}, {BIT(1) | BIT(2), 0, 0}, {BIT(1) | BIT(2), BIT(2), 0}};
static const struct mtr_dlms_access ACC_REG[4] = {{BIT(1) | BIT(2) | BIT(3), 0, 0},
                                                  {BIT(1) | BIT(2) | BIT(3), 0, 0},
                                                  {BIT(1) | BIT(2) | BIT(3), 0, 0},
                                                  {BIT(1) | BIT(2) | BIT(3), 0, BIT(1)}};
static const struct mtr_dlms_access ACC_CLOCK[4] = {{BIT(1) | BIT(2), 0, 0},
                                                    {BIT(1) | BIT(2) | BIT(3), BIT(2), 0},
                                                    {BIT(1) | BIT(2) | BIT(3), BIT(2) | BIT(3), 0},
                                                    {BIT(1) | BIT(2) | BIT(3), BIT(2) | BIT(3), 0}};
static const struct mtr_dlms_access ACC_PROFILE[4] = {
    {BIT(1), 0, 0}, {BIT(1) | BIT(2), 0, 0}, {BIT(1) | BIT(2), 0, 0}, {BIT(1) | BIT(2), 0, 0}};
static const struct mtr_dlms_access ACC_BLOB[4] = {{0, 0, 0}, {0, 0, 0}, {0, 0, 0}, {BIT(1) | BIT(2), BIT(2), BIT(1)}};

static const struct mtr_dlms_obj OBJECTS[] = {
    {1, 0, {0, 0, 96, 1, 0, 255}, ACC_DATA, data_get, data_set, NULL, NULL},
    {3, 0, {1, 0, 1, 8, 0, 255}, ACC_REG, reg_get, NULL, reg_action, NULL},
    {8, 0, {0, 0, 1, 0, 0, 255}, ACC_CLOCK, clock_get, clock_set, NULL, NULL},
    {7, 1, {1, 0, 99, 1, 0, 255}, ACC_PROFILE, profile_get, NULL, NULL, NULL},
    {1, 0, {0, 0, 96, 50, 0, 255}, ACC_BLOB, blob_get, blob_set, blob_action, NULL},
};

/* ------------------------------------------------------------ associations (seed roles) */

#define SAP_PUBLIC 16
#define SAP_MGMT 1
#define SAP_PRE 102
#define SAP_L1 32
#define SAP_L2 48
#define SAP_L3 64
#define SAP_HLS 3
#define CONF_ALL MTR_DLMS_CONF_SERVER
#define CONF_PUBLIC (MTR_DLMS_CONF_GET | MTR_DLMS_CONF_BLOCK_GET | MTR_DLMS_CONF_MULTIPLE_REFS | \
                     MTR_DLMS_CONF_SELECTIVE_ACCESS)

static const uint8_t PW_L1[8] = "11111111";
static const uint8_t PW_L2[8] = "22222222";
static const uint8_t PW_L3[8] = "33333333";
static const uint8_t PRE_TITLE[8] = {0x4D, 0x4D, 0x4D, 0x00, 0x00, 0x00, 0x01, 0x02};

static const struct mtr_dlms_assoc_cfg ASSOCS[] = {
    {SAP_PUBLIC, MTR_DLMS_MECH_NONE, MTR_DLMS_POLICY_NONE, 0, 0, 0, NULL, CONF_PUBLIC, NULL},
    {SAP_MGMT, MTR_DLMS_MECH_HLS_GMAC, MTR_DLMS_POLICY_AUTH_ENC, 3, MTR_DLMS_ASSOC_KEY_TRANSFER, 0, NULL, CONF_ALL,
     NULL},
    {SAP_PRE, MTR_DLMS_MECH_NONE, MTR_DLMS_POLICY_AUTH_ENC, 0, MTR_DLMS_ASSOC_PRE_ESTABLISHED, 0, NULL,
     MTR_DLMS_CONF_GET | MTR_DLMS_CONF_GENERAL_PROTECTION, PRE_TITLE},
    {SAP_L1, MTR_DLMS_MECH_LLS, MTR_DLMS_POLICY_NONE, 1, 0, 8, PW_L1, CONF_ALL, NULL},
    {SAP_L2, MTR_DLMS_MECH_LLS, MTR_DLMS_POLICY_NONE, 2, 0, 8, PW_L2, CONF_ALL, NULL},
    {SAP_L3, MTR_DLMS_MECH_LLS, MTR_DLMS_POLICY_NONE, 3, 0, 8, PW_L3, CONF_ALL, NULL},
    {SAP_HLS, MTR_DLMS_MECH_HLS_GMAC, MTR_DLMS_POLICY_NONE, 3, 0, 0, NULL, CONF_ALL, NULL},
};

/* ------------------------------------------------------------ rig */

enum { VIA_DIRECT, VIA_WRAPPER, VIA_HDLC };

struct event_log {
    uint16_t code[16];
    char name[16][80];
    unsigned n;
};

struct rig {
    struct mtr_sim sim;
    struct mtr_hal hal;
    struct mtr_dlms_security sec;
    struct mtr_dlms_server_cfg cfg;
    struct mtr_dlms_server srv;
    uint8_t blk[2048];
    int via;
    uint16_t sap;
    mtr_err_t last;
    struct event_log ev;
    /* wrapper */
    struct mtr_dlms_wrapper_rx wrx;
    uint8_t wbuf[MTR_CFG_DLMS_MAX_APDU];
    /* hdlc */
    struct mtr_dlms_hdlc_link link;
    uint8_t hrx[MTR_CFG_DLMS_MAX_APDU];
    uint8_t htx[MTR_CFG_DLMS_MAX_APDU + 3];
    uint8_t ns, nr;
    mtr_ms_t now;
    struct client cl;
};

static inline void on_event(void *user, uint16_t code, const char *name)
{
    struct event_log *e = &((struct rig *)user)->ev;
    if (e->n < 16) {
        e->code[e->n] = code;
        snprintf(e->name[e->n], sizeof e->name[0], "%s", name);
    }
    e->n++;
}

static struct rig *rig_new(int via, uint16_t sap)
{
    struct rig *g = calloc(1, sizeof *g);
    struct mtr_sim_config sc;

    model_reset();
    mtr_sim_default_config(&sc);
    cr_assert_eq(mtr_sim_init(&g->sim, &sc), MTR_OK);
    mtr_sim_hal(&g->sim, &g->hal);
    cr_assert_not_null(g->hal.crypto, "the dlms tests need the sim built with mbedTLS (-Dcrypto=enabled)");
    memcpy(g->sec.system_title, GB_SERVER_ST, 8);
    memcpy(g->sec.ek, GB_EK, 16);
    memcpy(g->sec.ak, GB_AK, 16);
    memset(g->sec.kek, 0x3C, 16);
    g->sec.tx_ic = 1;
    g->cfg.hal = &g->hal;
    g->cfg.objects = OBJECTS;
    g->cfg.nobjects = sizeof OBJECTS / sizeof OBJECTS[0];
    g->cfg.assocs = ASSOCS;
    g->cfg.nassocs = sizeof ASSOCS / sizeof ASSOCS[0];
    g->cfg.max_pdu = 1024;
    g->cfg.conformance = MTR_DLMS_CONF_SERVER;
    g->cfg.sec = &g->sec;
    memcpy(g->cfg.security_setup, OB_SECSETUP, 6);
    g->cfg.blk = g->blk;
    g->cfg.blk_cap = sizeof g->blk;
    g->cfg.on_event = on_event;
    g->cfg.user = g;
    cr_assert_eq(mtr_dlms_server_init(&g->srv, &g->cfg), MTR_OK);
    g->via = via;
    g->sap = sap;
    g->cl.hal = &g->hal;
    memcpy(g->cl.ek, GB_EK, 16);
    memcpy(g->cl.ak, GB_AK, 16);
    memcpy(g->cl.title, GB_CLIENT_ST, 8);
    memset(g->cl.ded, 0x5A, 16);
    g->cl.ic = 1;
    g->cl.iid = 0xC1;
    mtr_dlms_wrapper_rx_init(&g->wrx, g->wbuf, sizeof g->wbuf, 1);
    if (via == VIA_HDLC) {
        struct mtr_dlms_hdlc_cfg hc = {.upper = 1, .max_info = MTR_CFG_DLMS_HDLC_MAX_INFO, .window = 1,
                                       .inactivity_ms = 120000, .rx_apdu = g->hrx, .rx_cap = sizeof g->hrx,
                                       .tx_apdu = g->htx, .tx_cap = sizeof g->htx,
                                       .on_apdu = mtr_dlms_server_hdlc_apdu, .user = &g->srv};
        uint8_t f[64], out[MTR_DLMS_HDLC_WIRE_MAX];
        size_t n = hd_frame(f, (uint8_t)sap, 0x93, NULL, 0, false), olen;
        const uint8_t *p = f;
        struct hd_rx r;
        cr_assert_eq(mtr_dlms_hdlc_init(&g->link, &hc), MTR_OK);
        mtr_dlms_server_attach_hdlc(&g->srv, &g->link);
        cr_assert_eq(mtr_dlms_hdlc_input(&g->link, 0, &p, f + n, out, sizeof out, &olen), MTR_OK);
        hd_parse(out, olen, &r);
        cr_assert_eq(r.ctrl & ~0x10, 0x63, "UA");
    }
    return g;
}

static inline void rig_free(struct rig *g)
{
    mtr_sim_free(&g->sim);
    free(g);
}

/* One frame to the link, one reply frame back. */
static inline void hd_step(struct rig *g, const uint8_t *f, size_t n, struct hd_rx *r, uint8_t *out, size_t cap)
{
    const uint8_t *p = f;
    size_t olen = 0;
    g->now += 10;
    (void)mtr_dlms_hdlc_input(&g->link, g->now, &p, f + n, out, cap, &olen);
    cr_assert_eq(p, f + n);
    cr_assert_gt(olen, 0, "the link must answer");
    hd_parse(out, olen, r);
}

static inline size_t via_hdlc(struct rig *g, const uint8_t *apdu, size_t len, uint8_t *resp)
{
    static uint8_t msg[MTR_CFG_DLMS_MAX_APDU + 3];
    uint8_t f[MTR_DLMS_HDLC_WIRE_MAX], out[MTR_DLMS_HDLC_WIRE_MAX];
    size_t off = 0, got = 0, total = len + 3;
    struct hd_rx r;

    msg[0] = 0xE6;
    msg[1] = 0xE6;
    msg[2] = 0x00;
    memcpy(msg + 3, apdu, len);
    for (;;) { /* send in segments of the default maximum information field */
        size_t n = total - off > MTR_CFG_DLMS_HDLC_MAX_INFO ? MTR_CFG_DLMS_HDLC_MAX_INFO : total - off;
        bool more = off + n < total;
        size_t fl = hd_frame(f, (uint8_t)g->sap, (uint8_t)(g->nr << 5 | 0x10 | g->ns << 1), msg + off, n, more);
        g->ns = (g->ns + 1) & 7;
        off += n;
        hd_step(g, f, fl, &r, out, sizeof out);
        if (!more)
            break;
        cr_assert_eq(r.ctrl & 0x0F, 0x01, "RR between segments");
    }
    for (;;) { /* collect the response segments */
        cr_assert_eq(r.ctrl & 1, 0, "I-frame");
        g->nr = ((r.ctrl >> 1) + 1) & 7;
        memcpy(msg + got, r.info, r.n);
        got += r.n;
        if (!r.seg)
            break;
        hd_step(g, f, hd_frame(f, (uint8_t)g->sap, (uint8_t)(g->nr << 5 | 0x10 | 0x01), NULL, 0, false), &r, out,
                sizeof out);
    }
    cr_assert_geq(got, 3);
    cr_assert(msg[0] == 0xE6 && msg[1] == 0xE7 && msg[2] == 0x00, "LLC response");
    memcpy(resp, msg + 3, got - 3);
    return got - 3;
}

static inline size_t via_wrapper(struct rig *g, const uint8_t *apdu, size_t len, uint8_t *resp)
{
    static uint8_t stream[MTR_CFG_DLMS_MAX_APDU + 8];
    static uint8_t out[MTR_CFG_DLMS_MAX_APDU + 8];
    struct mtr_dlms_wrapper_hdr h;
    const uint8_t *p = stream;
    size_t olen = 0;

    stream[0] = 0;
    stream[1] = 1;
    stream[2] = (uint8_t)(g->sap >> 8);
    stream[3] = (uint8_t)g->sap;
    stream[4] = 0;
    stream[5] = 1;
    stream[6] = (uint8_t)(len >> 8);
    stream[7] = (uint8_t)len;
    memcpy(stream + 8, apdu, len);
    for (size_t k = 0; k < len + 8; k += 7) { /* the meter gets the stream in 7-byte chunks */
        const uint8_t *ce = stream + (k + 7 < len + 8 ? k + 7 : len + 8);
        while (p < ce) {
            mtr_err_t err = mtr_dlms_wrapper_feed(&g->wrx, &p, ce, &h);
            if (err == MTR_ERR_EMPTY)
                break;
            cr_assert_eq(err, MTR_OK);
            g->last = mtr_dlms_server_apdu(&g->srv, h.src, g->wbuf, h.len, out + 8, sizeof out - 8, &olen);
            h.dst = h.src;
            h.src = 1;
            h.len = (uint16_t)olen;
            mtr_dlms_wrapper_put(out, &h);
        }
    }
    /* client side: its own header check */
    cr_assert(out[0] == 0 && out[1] == 1 && out[2] == 0 && out[3] == 1, "wrapper version and source wPort");
    cr_assert_eq(out[4] << 8 | out[5], g->sap);
    cr_assert_eq((size_t)(out[6] << 8 | out[7]), olen);
    memcpy(resp, out + 8, olen);
    return olen;
}

/* Send a plain or already protected APDU; returns the response APDU. */
static inline size_t rig_xfer(struct rig *g, const uint8_t *apdu, size_t len, uint8_t *resp)
{
    static uint8_t in[MTR_CFG_DLMS_MAX_APDU];
    size_t n = 0;

    if (g->via == VIA_WRAPPER)
        return via_wrapper(g, apdu, len, resp);
    if (g->via == VIA_HDLC)
        return via_hdlc(g, apdu, len, resp);
    memcpy(in, apdu, len);
    g->last = mtr_dlms_server_apdu(&g->srv, g->sap, in, len, resp, MTR_CFG_DLMS_MAX_APDU, &n);
    return n;
}

/* Request through the client's protection (if any); returns the plain response. */
static inline size_t rig_call(struct rig *g, const uint8_t *req, size_t len, uint8_t *resp)
{
    static uint8_t buf[MTR_CFG_DLMS_MAX_APDU + 64];
    static uint8_t r[MTR_CFG_DLMS_MAX_APDU + 64];
    size_t n;
    uint8_t *plain;

    if (g->cl.sc == 0)
        return rig_xfer(g, req, len, resp);
    n = cl_protect(&g->cl, g->cl.sc, req, len, buf);
    n = rig_xfer(g, buf, n, r);
    if (r[0] == 0xD8) { /* exception-responses are sent plain */
        memcpy(resp, r, n);
        return n;
    }
    n = cl_open(&g->cl, r, n, &plain);
    memmove(resp, plain, n);
    return n;
}

/* Associate with options; returns the parsed AARE. */
static inline void rig_associate(struct rig *g, const struct aarq_opts *o, struct aare_info *a)
{
    uint8_t req[300], resp[600];
    size_t n = cl_aarq(&g->cl, o, req);
    n = rig_xfer(g, req, n, resp);
    cl_parse_aare(&g->cl, resp, n, a);
}

/* GET a whole value, following blocks; returns its bytes in out (result choice checked). */
static inline size_t rig_get_all(struct rig *g, uint16_t class_id, const uint8_t obis[6], uint8_t attr, uint8_t selector,
                          const uint8_t *sel, size_t sel_len, uint8_t *out, int *dar, unsigned *blocks)
{
    static uint8_t req[600], resp[MTR_CFG_DLMS_MAX_APDU + 64];
    size_t n = cl_get(g->cl.iid, class_id, obis, attr, selector, sel, sel_len, req), total = 0;
    uint32_t expect = 1;

    *dar = -1;
    *blocks = 0;
    n = rig_call(g, req, n, resp);
    for (;;) {
        const uint8_t *p;
        size_t raw;
        cr_assert_geq(n, 4);
        cr_assert_eq(resp[0], 0xC4, "GET-response, got %02X", resp[0]);
        cr_assert_eq(resp[2], g->cl.iid);
        if (resp[1] == 1) {
            if (resp[3] == 1) {
                cr_assert_eq(n, 5);
                *dar = resp[4];
                return 0;
            }
            cr_assert_eq(resp[3], 0);
            memcpy(out, resp + 4, n - 4);
            return n - 4;
        }
        cr_assert_eq(resp[1], 2, "GET-response-with-datablock");
        cr_assert_eq(be32(resp + 4), expect, "block number");
        (*blocks)++;
        if (resp[8] == 1) {
            cr_assert_eq(n, 10);
            *dar = resp[9];
            return total;
        }
        cr_assert_eq(resp[8], 0);
        p = resp + 9;
        raw = cl_len(&p, resp + n);
        cr_assert_eq((size_t)(resp + n - p), raw);
        memcpy(out + total, p, raw);
        total += raw;
        if (resp[3] == 1)
            return total;
        n = rig_call(g, req, cl_get_next(g->cl.iid, expect++, req), resp);
    }
}

/* Expected encoding of profile rows [from, to] built by the client itself. */
static inline size_t expect_rows(uint32_t from, uint32_t to, uint8_t *out)
{
    struct cb *c = malloc(sizeof *c);
    size_t n;
    c->n = 0;
    cb_u8(c, 0x01);
    cb_len(c, to - from + 1);
    for (uint32_t k = from; k <= to; k++) {
        cb_u8(c, 0x02);
        cb_u8(c, 0x02);
        cb_u8(c, 0x09);
        cb_u8(c, 12);
        cb_put(c, M.row_time[k], 12);
        cb_u8(c, 0x06);
        cb_be(c, 1000 + 7 * k, 4);
    }
    n = c->n;
    memcpy(out, c->b, n);
    free(c);
    return n;
}

#endif
