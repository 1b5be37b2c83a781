/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A DLMS/COSEM client written for the tests from the Green Book (IEC
 * 62056-5-3, -46, -47), independent of the server code: its own AARQ, GET,
 * SET, ACTION, RLRQ builders, response parsers, suite 0 ciphering, HDLC
 * frames and wrapper headers. It shares only the CRC of meter/crc.h and the
 * GCM/key-wrap operations of the sim HAL.
 */
#ifndef DLMS_CLIENT_H
#define DLMS_CLIENT_H

#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "meter/crc.h"
#include "meter/dlms.h"
#include "sim.h"

/* ------------------------------------------------------------ byte builder */

struct cb {
    uint8_t b[70000];
    size_t n;
};

static inline void cb_u8(struct cb *c, uint8_t v)
{
    cr_assert_lt(c->n, sizeof c->b);
    c->b[c->n++] = v;
}

static inline void cb_put(struct cb *c, const void *p, size_t n)
{
    cr_assert_leq(c->n + n, sizeof c->b);
    memcpy(c->b + c->n, p, n);
    c->n += n;
}

static inline void cb_be(struct cb *c, uint64_t v, int bytes)
{
    for (int k = bytes - 1; k >= 0; k--)
        cb_u8(c, (uint8_t)(v >> (8 * k)));
}

/* A-XDR length (Green Book 8.x: short form, or 0x81..0x84 + big-endian). */
static inline void cb_len(struct cb *c, size_t n)
{
    if (n < 0x80) {
        cb_u8(c, (uint8_t)n);
    } else if (n <= 0xFF) {
        cb_u8(c, 0x81);
        cb_u8(c, (uint8_t)n);
    } else {
        cb_u8(c, 0x82);
        cb_be(c, n, 2);
    }
}

static inline size_t cl_len(const uint8_t **p, const uint8_t *end)
{
    size_t n;
    cr_assert_lt(*p, end);
    n = *(*p)++;
    if (n & 0x80) {
        size_t k = n & 0x7F;
        cr_assert(k >= 1 && k <= 2 && (size_t)(end - *p) >= k);
        n = k == 1 ? (*p)[0] : ((size_t)(*p)[0] << 8 | (*p)[1]);
        *p += k;
    }
    return n;
}

/* ------------------------------------------------------------ keys (Green Book examples) */

/* Green Book ed. 8, Tables 40 and 43 (suite 0 examples, also quoted in the
 * public test suites of jDLMS, the Python dlms-cosem package and others). */
static const uint8_t GB_EK[16] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
                                  0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F};
static const uint8_t GB_AK[16] = {0xD0, 0xD1, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7,
                                  0xD8, 0xD9, 0xDA, 0xDB, 0xDC, 0xDD, 0xDE, 0xDF};
static const uint8_t GB_CLIENT_ST[8] = {0x4D, 0x4D, 0x4D, 0x00, 0x00, 0x00, 0x00, 0x01};
static const uint8_t GB_SERVER_ST[8] = {0x4D, 0x4D, 0x4D, 0x00, 0x00, 0xBC, 0x61, 0x4E};

/* ------------------------------------------------------------ client state */

struct client {
    const struct mtr_hal *hal;
    uint8_t ek[16];
    uint8_t ak[16];
    uint8_t ded[16];
    uint8_t title[8];
    uint8_t server_title[8];
    uint32_t ic;         /* next invocation counter */
    uint32_t server_ic;  /* last one seen from the server */
    uint8_t sc;          /* 0 plain, else 0x10/0x20/0x30 */
    uint8_t kind;        /* 0 glo, 1 ded, 2 general-glo */
    uint8_t iid;
};

/* GCM by the HAL op: aad = SC || AK [|| plain when authentication only]. */
static inline void cl_seal(const struct client *cl, const uint8_t key[16], uint8_t sc, const uint8_t title[8],
                    uint32_t ic, uint8_t *data, size_t n, uint8_t tag[12])
{
    uint8_t iv[12];
    static uint8_t aad[70000];
    uint8_t scratch[12] = {0};

    memcpy(iv, title, 8);
    iv[8] = (uint8_t)(ic >> 24);
    iv[9] = (uint8_t)(ic >> 16);
    iv[10] = (uint8_t)(ic >> 8);
    iv[11] = (uint8_t)ic;
    aad[0] = sc;
    memcpy(aad + 1, cl->ak, 16);
    if ((sc & 0x30) == 0x30) {
        cr_assert_eq(cl->hal->crypto->gcm_encrypt(cl->hal->ctx, key, iv, 12, aad, 17, data, n, data, tag, 12), MTR_OK);
    } else if (sc & 0x20) {
        cr_assert_eq(cl->hal->crypto->gcm_encrypt(cl->hal->ctx, key, iv, 12, NULL, 0, data, n, data, scratch, 12),
                     MTR_OK);
    } else {
        memcpy(aad + 17, data, n);
        cr_assert_eq(cl->hal->crypto->gcm_encrypt(cl->hal->ctx, key, iv, 12, aad, 17 + n, scratch, 0, scratch, tag, 12),
                     MTR_OK);
    }
}

/* Wrap a plain request as glo-/ded-/general-glo-ciphered with the client's next IC. */
static inline size_t cl_protect(struct client *cl, uint8_t sc, const uint8_t *plain, size_t n, uint8_t *out)
{
    static struct cb c;
    uint8_t body[4096];
    uint8_t tag[12];
    const uint8_t *key = cl->kind == 1 ? cl->ded : cl->ek;
    size_t blen = 5 + n + ((sc & 0x10) ? 12 : 0);

    cr_assert_lt(n, sizeof body);
    memcpy(body, plain, n);
    cl_seal(cl, key, sc, cl->title, cl->ic, body, n, tag);
    c.n = 0;
    if (cl->kind == 2) {
        cb_u8(&c, 0xDB);
        cb_u8(&c, 8);
        cb_put(&c, cl->title, 8);
    } else {
        cb_u8(&c, (uint8_t)(plain[0] + (cl->kind == 1 ? 0x10 : 0x08)));
    }
    cb_len(&c, blen);
    cb_u8(&c, sc);
    cb_be(&c, cl->ic, 4);
    cb_put(&c, body, n);
    if (sc & 0x10)
        cb_put(&c, tag, 12);
    cl->ic++;
    memcpy(out, c.b, c.n);
    return c.n;
}

/* Open a ciphered response in place; returns the plain length (asserts the tag). */
static inline size_t cl_open(struct client *cl, uint8_t *apdu, size_t n, uint8_t **plain)
{
    const uint8_t *p = apdu + 1;
    const uint8_t *end = apdu + n;
    const uint8_t *title = cl->server_title;
    const uint8_t *key = cl->kind == 1 ? cl->ded : cl->ek;
    size_t blen;
    uint8_t sc;
    uint32_t ic;
    uint8_t tag[12];
    size_t pl;
    uint8_t *data;

    if (apdu[0] == 0xDB) {
        cr_assert_eq(*p++, 8);
        title = p;
        p += 8;
    }
    blen = cl_len(&p, end);
    cr_assert_eq(blen, (size_t)(end - p));
    sc = *p++;
    ic = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    p += 4;
    cr_assert(cl->server_ic == 0 || ic > cl->server_ic, "server invocation counter must increase");
    cl->server_ic = ic;
    pl = blen - 5 - ((sc & 0x10) ? 12 : 0);
    data = (uint8_t *)(uintptr_t)p;
    if ((sc & 0x30) == 0x30) {
        uint8_t iv[12], aad[17];
        memcpy(iv, title, 8);
        memcpy(iv + 8, data - 4, 4);
        aad[0] = sc;
        memcpy(aad + 1, cl->ak, 16);
        cr_assert_eq(cl->hal->crypto->gcm_decrypt(cl->hal->ctx, key, iv, 12, aad, 17, data, pl, data, data + pl, 12),
                     MTR_OK, "response tag");
    } else {
        memcpy(tag, data + pl, 12);
        cl_seal(cl, key, sc, title, ic, data, pl, tag);
        if (sc & 0x10)
            cr_assert(memcmp(tag, data + pl, 12) == 0, "response tag");
    }
    *plain = data;
    return pl;
}

/* ------------------------------------------------------------ ACSE */

struct aarq_opts {
    uint8_t ctx;          /* 1 LN, 3 LN ciphered */
    int mech;             /* -1 none sent */
    const uint8_t *auth;  /* password / CtoS */
    size_t auth_len;
    bool title;
    uint32_t conformance;
    uint16_t max_pdu;
    uint8_t version;
    bool ded;
};

/* InitiateRequest (Green Book, xDLMS-Initiate.request, A-XDR). */
static inline size_t cl_initiate(const struct client *cl, const struct aarq_opts *o, uint8_t *out)
{
    struct cb *c = malloc(sizeof *c);
    size_t n;

    c->n = 0;
    cb_u8(c, 0x01);
    if (o->ded) {
        cb_u8(c, 1);
        cb_u8(c, 16);
        cb_put(c, cl->ded, 16);
    } else {
        cb_u8(c, 0);
    }
    cb_u8(c, 0);                 /* response-allowed: default TRUE */
    cb_u8(c, 0);                 /* proposed-quality-of-service absent */
    cb_u8(c, o->version ? o->version : 6);
    cb_be(c, 0x5F1F0400u, 4);    /* [APPLICATION 31] IMPLICIT BIT STRING (SIZE(24)) */
    cb_be(c, o->conformance, 3);
    cb_be(c, o->max_pdu, 2);
    n = c->n;
    memcpy(out, c->b, n);
    free(c);
    return n;
}

static inline void cb_oid(struct cb *c, uint8_t a, uint8_t b)
{
    static const uint8_t pfx[5] = {0x60, 0x85, 0x74, 0x05, 0x08};
    cb_u8(c, 7);
    cb_put(c, pfx, 5);
    cb_u8(c, a);
    cb_u8(c, b);
}

static inline size_t cl_aarq(struct client *cl, const struct aarq_opts *o, uint8_t *out)
{
    struct cb *c = malloc(sizeof *c);
    uint8_t ui[200];
    size_t uin = cl_initiate(cl, o, ui);
    size_t n;

    if (o->ctx == 3) { /* glo-initiate-request, authenticated and encrypted */
        uint8_t tmp[200];
        size_t k;
        uint8_t saved = cl->kind;
        cl->kind = 0;
        k = cl_protect(cl, 0x30, ui, uin, tmp);
        cl->kind = saved;
        tmp[0] = 0x21;
        memcpy(ui, tmp, k);
        uin = k;
    }
    c->n = 0;
    cb_u8(c, 0xA1);
    cb_u8(c, 9);
    cb_u8(c, 0x06);
    cb_oid(c, 1, o->ctx);
    if (o->title) {
        cb_u8(c, 0xA6);
        cb_u8(c, 10);
        cb_u8(c, 0x04);
        cb_u8(c, 8);
        cb_put(c, cl->title, 8);
    }
    if (o->mech >= 0) {
        cb_u8(c, 0x8A);
        cb_u8(c, 2);
        cb_u8(c, 0x07);
        cb_u8(c, 0x80);
        cb_u8(c, 0x8B);
        cb_oid(c, 2, (uint8_t)o->mech);
    }
    if (o->auth != NULL) {
        cb_u8(c, 0xAC);
        cb_u8(c, (uint8_t)(o->auth_len + 2));
        cb_u8(c, 0x80);
        cb_u8(c, (uint8_t)o->auth_len);
        cb_put(c, o->auth, o->auth_len);
    }
    cb_u8(c, 0xBE);
    cb_u8(c, (uint8_t)(uin + 2));
    cb_u8(c, 0x04);
    cb_u8(c, (uint8_t)uin);
    cb_put(c, ui, uin);
    out[0] = 0x60;
    cr_assert_lt(c->n, 128);
    out[1] = (uint8_t)c->n;
    memcpy(out + 2, c->b, c->n);
    n = c->n + 2;
    free(c);
    return n;
}

struct aare_info {
    uint8_t ctx, result, diag_src, diag, mech;
    bool has_mech, has_title;
    uint8_t title[8];
    uint8_t stoc[64];
    size_t stoc_len;
    uint8_t ui[128];
    size_t ui_len;
    /* InitiateResponse, when present */
    bool initiate;
    uint32_t conformance;
    uint16_t max_pdu;
    uint8_t version;
    /* ConfirmedServiceError, when present */
    int init_error;
};

static inline void cl_tlv(const uint8_t **p, const uint8_t *end, uint8_t *tag, const uint8_t **v, size_t *n)
{
    cr_assert_geq(end - *p, 2);
    *tag = *(*p)++;
    *n = cl_len(p, end);
    cr_assert_leq(*n, (size_t)(end - *p));
    *v = *p;
    *p += *n;
}

static inline void cl_parse_initiate(struct aare_info *a, const uint8_t *u, size_t n)
{
    a->init_error = -1;
    if (u[0] == 0x0E) {
        cr_assert_eq(n, 4);
        cr_assert_eq(u[1], 1);
        cr_assert_eq(u[2], 6);
        a->init_error = u[3];
        return;
    }
    cr_assert_eq(u[0], 0x08);
    cr_assert_eq(n, 14);
    cr_assert_eq(u[1], 0);
    a->version = u[2];
    cr_assert_eq(u[3], 0x5F);
    cr_assert_eq(u[4], 0x1F);
    cr_assert_eq(u[5], 0x04);
    cr_assert_eq(u[6], 0x00);
    a->conformance = (uint32_t)u[7] << 16 | (uint32_t)u[8] << 8 | u[9];
    a->max_pdu = (uint16_t)(u[10] << 8 | u[11]);
    cr_assert_eq(u[12], 0x00);
    cr_assert_eq(u[13], 0x07);
    a->initiate = true;
}

static inline void cl_parse_aare(struct client *cl, uint8_t *b, size_t n, struct aare_info *a)
{
    const uint8_t *p = b;
    const uint8_t *v;
    size_t len;
    uint8_t tag;

    memset(a, 0, sizeof *a);
    a->init_error = -1;
    cl_tlv(&p, b + n, &tag, &v, &len);
    cr_assert_eq(tag, 0x61);
    cr_assert_eq(p, b + n);
    for (p = v; p < v + len;) {
        const uint8_t *fv;
        size_t fn;
        cl_tlv(&p, v + len, &tag, &fv, &fn);
        switch (tag) {
        case 0xA1:
            cr_assert_eq(fn, 9);
            a->ctx = fv[8];
            break;
        case 0xA2:
            cr_assert_eq(fn, 3);
            a->result = fv[2];
            break;
        case 0xA3:
            cr_assert_eq(fn, 5);
            a->diag_src = fv[0];
            a->diag = fv[4];
            break;
        case 0xA4:
            cr_assert_eq(fn, 10);
            memcpy(a->title, fv + 2, 8);
            a->has_title = true;
            break;
        case 0x88:
            break;
        case 0x89:
            cr_assert_eq(fn, 7);
            a->mech = fv[6];
            a->has_mech = true;
            break;
        case 0xAA:
            cr_assert_eq(fv[0], 0x80);
            a->stoc_len = fv[1];
            memcpy(a->stoc, fv + 2, fv[1]);
            break;
        case 0xBE:
            cr_assert_eq(fv[0], 0x04);
            a->ui_len = fv[1];
            memcpy(a->ui, fv + 2, fv[1]);
            break;
        default:
            cr_assert_fail("unexpected AARE field %02X", tag);
        }
    }
    if (a->ui_len > 0) {
        if (a->ui[0] == 0x28) {
            uint8_t *plain;
            size_t pl;
            uint8_t saved = cl->kind;
            memcpy(cl->server_title, a->title, 8);
            cl->kind = 0;
            pl = cl_open(cl, a->ui, a->ui_len, &plain);
            cl->kind = saved;
            cl_parse_initiate(a, plain, pl);
        } else {
            cl_parse_initiate(a, a->ui, a->ui_len);
        }
    }
}

/* ------------------------------------------------------------ xDLMS requests */

static inline void cb_desc(struct cb *c, uint16_t class_id, const uint8_t obis[6], uint8_t id)
{
    cb_be(c, class_id, 2);
    cb_put(c, obis, 6);
    cb_u8(c, id);
}

static inline size_t cl_get(uint8_t iid, uint16_t class_id, const uint8_t obis[6], uint8_t attr, uint8_t selector,
                     const uint8_t *sel, size_t sel_len, uint8_t *out)
{
    struct cb *c = malloc(sizeof *c);
    size_t n;

    c->n = 0;
    cb_u8(c, 0xC0);
    cb_u8(c, 1);
    cb_u8(c, iid);
    cb_desc(c, class_id, obis, attr);
    if (selector) {
        cb_u8(c, 1);
        cb_u8(c, selector);
        cb_put(c, sel, sel_len);
    } else {
        cb_u8(c, 0);
    }
    n = c->n;
    memcpy(out, c->b, n);
    free(c);
    return n;
}

static inline size_t cl_get_next(uint8_t iid, uint32_t block, uint8_t *out)
{
    out[0] = 0xC0;
    out[1] = 2;
    out[2] = iid;
    out[3] = (uint8_t)(block >> 24);
    out[4] = (uint8_t)(block >> 16);
    out[5] = (uint8_t)(block >> 8);
    out[6] = (uint8_t)block;
    return 7;
}

static inline size_t cl_set(uint8_t iid, uint16_t class_id, const uint8_t obis[6], uint8_t attr, const uint8_t *v,
                     size_t vlen, uint8_t *out)
{
    struct cb *c = malloc(sizeof *c);
    size_t n;

    c->n = 0;
    cb_u8(c, 0xC1);
    cb_u8(c, 1);
    cb_u8(c, iid);
    cb_desc(c, class_id, obis, attr);
    cb_u8(c, 0);
    cb_put(c, v, vlen);
    n = c->n;
    memcpy(out, c->b, n);
    free(c);
    return n;
}

/* SET-request-with-first-datablock (first) or -with-datablock. */
static inline size_t cl_set_block(uint8_t iid, bool first, uint16_t class_id, const uint8_t obis[6], uint8_t attr,
                           bool last, uint32_t number, const uint8_t *raw, size_t n, uint8_t *out)
{
    struct cb *c = malloc(sizeof *c);
    size_t len;

    c->n = 0;
    cb_u8(c, 0xC1);
    cb_u8(c, first ? 2 : 3);
    cb_u8(c, iid);
    if (first) {
        cb_desc(c, class_id, obis, attr);
        cb_u8(c, 0);
    }
    cb_u8(c, last);
    cb_be(c, number, 4);
    cb_len(c, n);
    cb_put(c, raw, n);
    len = c->n;
    memcpy(out, c->b, len);
    free(c);
    return len;
}

static inline size_t cl_action(uint8_t iid, uint16_t class_id, const uint8_t obis[6], uint8_t method, const uint8_t *p,
                        size_t plen, uint8_t *out)
{
    struct cb *c = malloc(sizeof *c);
    size_t n;

    c->n = 0;
    cb_u8(c, 0xC3);
    cb_u8(c, 1);
    cb_u8(c, iid);
    cb_desc(c, class_id, obis, method);
    if (p != NULL) {
        cb_u8(c, 1);
        cb_put(c, p, plen);
    } else {
        cb_u8(c, 0);
    }
    n = c->n;
    memcpy(out, c->b, n);
    free(c);
    return n;
}

/* ACTION-request-with-first-pblock (first) or -with-pblock. */
static inline size_t cl_action_block(uint8_t iid, bool first, uint16_t class_id, const uint8_t obis[6], uint8_t method,
                              bool last, uint32_t number, const uint8_t *raw, size_t n, uint8_t *out)
{
    struct cb *c = malloc(sizeof *c);
    size_t len;

    c->n = 0;
    cb_u8(c, 0xC3);
    cb_u8(c, first ? 4 : 6);
    cb_u8(c, iid);
    if (first)
        cb_desc(c, class_id, obis, method);
    cb_u8(c, last);
    cb_be(c, number, 4);
    cb_len(c, n);
    cb_put(c, raw, n);
    len = c->n;
    memcpy(out, c->b, len);
    free(c);
    return len;
}

static inline size_t cl_rlrq(uint8_t *out)
{
    static const uint8_t r[5] = {0x62, 0x03, 0x80, 0x01, 0x00}; /* reason normal */
    memcpy(out, r, sizeof r);
    return sizeof r;
}

/* ------------------------------------------------------------ HDLC client (IEC 62056-46) */

#define CL_SERVER_HDLC 0x03 /* upper address 1, one byte: (1 << 1) | 1 */

static inline size_t hd_frame(uint8_t *out, uint8_t client, uint8_t ctrl, const uint8_t *info, size_t n, bool seg)
{
    size_t len = 2 + 1 + 1 + 1 + (n ? 2 + n : 0) + 2;
    uint16_t crc;

    out[0] = 0x7E;
    out[1] = (uint8_t)(0xA0 | (seg ? 0x08 : 0) | ((len >> 8) & 0x07));
    out[2] = (uint8_t)len;
    out[3] = CL_SERVER_HDLC;
    out[4] = (uint8_t)(client << 1 | 1);
    out[5] = ctrl;
    if (n) {
        crc = mtr_crc16_x25(out + 1, 5);
        out[6] = (uint8_t)crc;
        out[7] = (uint8_t)(crc >> 8);
        memcpy(out + 8, info, n);
    }
    crc = mtr_crc16_x25(out + 1, len - 2);
    out[len - 1] = (uint8_t)crc;
    out[len] = (uint8_t)(crc >> 8);
    out[len + 1] = 0x7E;
    return len + 2;
}

struct hd_rx {
    uint8_t ctrl;
    bool seg;
    const uint8_t *info;
    size_t n;
};

static inline void hd_parse(const uint8_t *f, size_t n, struct hd_rx *r)
{
    size_t len;
    uint16_t crc;

    cr_assert_geq(n, 9);
    cr_assert_eq(f[0], 0x7E);
    cr_assert_eq(f[n - 1], 0x7E);
    cr_assert_eq(f[1] & 0xF0, 0xA0);
    len = (size_t)(f[1] & 0x07) << 8 | f[2];
    cr_assert_eq(len + 2, n);
    r->seg = (f[1] & 0x08) != 0;
    cr_assert_eq(f[4], CL_SERVER_HDLC);
    r->ctrl = f[5];
    crc = mtr_crc16_x25(f + 1, len - 2);
    cr_assert_eq(f[len - 1] | f[len] << 8, crc, "FCS");
    r->n = len > 7 ? len - 9 : 0;
    r->info = f + 8;
}

#endif
