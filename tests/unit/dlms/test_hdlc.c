/* SPDX-License-Identifier: Apache-2.0 */
/*
 * HDLC (IEC 62056-46): frame vectors (tests/vectors/dlms_hdlc.data), the
 * stream assembler, bad frames, and the server link driven by a client
 * written here from the standard (its own frame builder and parser; only
 * the CRC-16/X-25 of meter/crc.h is shared).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "dlms_vectors.h"
#include "meter/crc.h"
#include "meter/hdlc.h"

static struct vec vecs[VEC_MAX];
static size_t nvec;

static void load(void)
{
    nvec = vec_load("dlms_hdlc.data", vecs, VEC_MAX);
    cr_assert_geq(nvec, 10);
}

TestSuite(hdlc, .init = load);
TestSuite(link, .init = load);

Test(hdlc, vectors_parse_and_reencode_exactly)
{
    for (size_t v = 0; v < nvec; v++) {
        struct mtr_dlms_hdlc_frame f;
        const uint8_t *p = vecs[v].b;
        uint8_t out[600];
        size_t len;

        cr_assert_eq(mtr_dlms_hdlc_parse(&p, vecs[v].b + vecs[v].len, &f), MTR_OK, "%s", vecs[v].name);
        cr_assert_eq(p, vecs[v].b + vecs[v].len);
        cr_assert_eq(mtr_dlms_hdlc_encode(&f, out, sizeof out, &len), MTR_OK);
        cr_assert_eq(len, vecs[v].len, "%s", vecs[v].name);
        cr_assert(memcmp(out, vecs[v].b, len) == 0, "%s", vecs[v].name);
        cr_assert_eq(mtr_dlms_hdlc_encode(&f, out, len - 1, &len), MTR_ERR_FULL);
        for (size_t cut = 0; cut < vecs[v].len; cut++) {
            struct mtr_dlms_hdlc_rx rx;
            p = vecs[v].b;
            cr_assert_eq(mtr_dlms_hdlc_parse(&p, vecs[v].b + cut, &f), MTR_ERR_DLMS_TRUNCATED);
            cr_assert_eq(p, vecs[v].b);
            mtr_dlms_hdlc_rx_init(&rx);
            cr_assert_eq(mtr_dlms_hdlc_rx_feed(&rx, 0, &p, vecs[v].b + cut, &f), MTR_ERR_EMPTY);
        }
    }
}

/* Field values of the public captures (addresses per IEC 62056-46 8.4.2). */
Test(hdlc, public_frames_fields)
{
    struct mtr_dlms_hdlc_frame f;
    const struct vec *v = vec_find(vecs, nvec, "public_snrm_4byte");
    const uint8_t *p = v->b;

    cr_assert_eq(mtr_dlms_hdlc_parse(&p, v->b + v->len, &f), MTR_OK);
    cr_assert_eq(f.dst.size, 4);
    cr_assert_eq(f.dst.upper, 1);
    cr_assert_eq(f.dst.lower, 17);
    cr_assert_eq(f.src.upper, 120);
    cr_assert_eq(f.control, 0x93);
    cr_assert_eq(f.info_len, 0);
    v = vec_find(vecs, nvec, "gurux_snrm");
    p = v->b;
    cr_assert_eq(mtr_dlms_hdlc_parse(&p, v->b + v->len, &f), MTR_OK);
    cr_assert_eq(f.dst.size, 1);
    cr_assert_eq(f.dst.upper, 1);
    cr_assert_eq(f.src.upper, 16);
    v = vec_find(vecs, nvec, "i_segmented");
    p = v->b;
    cr_assert_eq(mtr_dlms_hdlc_parse(&p, v->b + v->len, &f), MTR_OK);
    cr_assert(f.segmented);
    cr_assert_eq(f.info_len, 3 + 13);
}

static void expect_parse(const uint8_t *b, size_t len, mtr_err_t want)
{
    struct mtr_dlms_hdlc_frame f;
    const uint8_t *p = b;
    cr_assert_eq(mtr_dlms_hdlc_parse(&p, b + len, &f), want);
    cr_assert_eq(p, b);
}

Test(hdlc, bad_frames)
{
    const struct vec *v = vec_find(vecs, nvec, "i_get_request");
    uint8_t b[VEC_BYTES];

    memcpy(b, v->b, v->len);
    b[6] ^= 1; /* HCS, first byte after control (1-byte addresses) */
    expect_parse(b, v->len, MTR_ERR_DLMS_HCS);
    memcpy(b, v->b, v->len);
    b[v->len - 3] ^= 0x80; /* FCS */
    expect_parse(b, v->len, MTR_ERR_DLMS_FCS);
    memcpy(b, v->b, v->len);
    b[10] ^= 0xFF; /* information */
    expect_parse(b, v->len, MTR_ERR_DLMS_FCS);
    memcpy(b, v->b, v->len);
    b[v->len - 1] = 0x00; /* closing flag */
    expect_parse(b, v->len, MTR_ERR_DLMS_FRAME);
    memcpy(b, v->b, v->len);
    b[1] = 0xB0; /* not format type 3 */
    expect_parse(b, v->len, MTR_ERR_DLMS_FRAME);
    const uint8_t short_len[] = {0x7E, 0xA0, 0x06, 0x03, 0x21, 0x93, 0x00, 0x7E};
    expect_parse(short_len, sizeof short_len, MTR_ERR_DLMS_FRAME);
    /* destination of 3 bytes (bit 0 set on the third) */
    const uint8_t addr3[] = {0x7E, 0xA0, 0x09, 0x00, 0x02, 0x23, 0x21, 0x93, 0x00, 0x00, 0x7E};
    expect_parse(addr3, sizeof addr3, MTR_ERR_DLMS_ADDRESS);
    /* destination with no terminating byte within 4 */
    const uint8_t addr5[] = {0x7E, 0xA0, 0x0A, 0x00, 0x02, 0x00, 0x22, 0x21, 0x93, 0x00, 0x00, 0x7E};
    expect_parse(addr5, sizeof addr5, MTR_ERR_DLMS_ADDRESS);
}

/* Vectors back to back with garbage (no flag byte) in between, fed in every chunk size. */
Test(hdlc, assembler_finds_frames_in_any_chunking)
{
    static uint8_t stream[8192];
    size_t total = 0;
    static const uint8_t junk[] = {0x00, 0xA0, 0x13, 0xFF, 0x55};

    for (size_t v = 0; v < nvec; v++) {
        memcpy(stream + total, junk, sizeof junk);
        total += sizeof junk;
        memcpy(stream + total, vecs[v].b, vecs[v].len);
        total += vecs[v].len;
    }
    for (size_t chunk = 1; chunk <= 13; chunk++) {
        struct mtr_dlms_hdlc_rx rx;
        size_t got = 0;

        mtr_dlms_hdlc_rx_init(&rx);
        for (size_t off = 0; off < total; off += chunk) {
            const uint8_t *p = stream + off;
            const uint8_t *end = stream + (off + chunk < total ? off + chunk : total);
            struct mtr_dlms_hdlc_frame f;
            mtr_err_t err;
            while ((err = mtr_dlms_hdlc_rx_feed(&rx, 0, &p, end, &f)) != MTR_ERR_EMPTY) {
                cr_assert_eq(err, MTR_OK, "chunk %zu: %d", chunk, err);
                cr_assert_lt(got, nvec);
                got++;
            }
        }
        cr_assert_eq(got, nvec, "chunk %zu", chunk);
    }
}

Test(hdlc, assembler_rejects_and_resyncs)
{
    struct mtr_dlms_hdlc_rx rx;
    struct mtr_dlms_hdlc_frame f;
    const struct vec *v = vec_find(vecs, nvec, "disc");
    uint8_t b[64];
    const uint8_t *p;

    /* a length over the frame buffer, then a good frame */
    b[0] = 0x7E;
    b[1] = 0xA7;
    b[2] = 0xFF;
    memcpy(b + 3, v->b, v->len);
    mtr_dlms_hdlc_rx_init(&rx);
    p = b;
    cr_assert_eq(mtr_dlms_hdlc_rx_feed(&rx, 0, &p, b + 3 + v->len, &f), MTR_ERR_DLMS_TOO_LONG);
    cr_assert_eq(mtr_dlms_hdlc_rx_feed(&rx, 0, &p, b + 3 + v->len, &f), MTR_OK);
    cr_assert_eq(f.control, 0x53);
    /* a bad FCS is reported and the next frame still found */
    memcpy(b, v->b, v->len);
    b[v->len - 2] ^= 1;
    memcpy(b + v->len, v->b, v->len);
    p = b;
    cr_assert_eq(mtr_dlms_hdlc_rx_feed(&rx, 0, &p, b + 2 * v->len, &f), MTR_ERR_DLMS_FCS);
    cr_assert_eq(mtr_dlms_hdlc_rx_feed(&rx, 0, &p, b + 2 * v->len, &f), MTR_OK);
    /* a frame whose bytes stop for longer than the inter-octet time-out is dropped */
    p = v->b;
    cr_assert_eq(mtr_dlms_hdlc_rx_feed(&rx, 100, &p, v->b + 4, &f), MTR_ERR_EMPTY);
    cr_assert_eq(mtr_dlms_hdlc_rx_feed(&rx, 100 + MTR_CFG_DLMS_HDLC_INTER_OCTET_MS + 1, &p,
                                       v->b + v->len, &f),
                 MTR_ERR_EMPTY);
}

/* ------------------------------------------------------------------ the client */

#define CLIENT 0x10 /* public client SAP 16: address byte 0x21 */

struct client {
    uint8_t srv[4];
    size_t srv_len;
};

/* Build a frame from client to server (IEC 62056-46 8.4.1, frame format type 3). */
static size_t cframe(const struct client *c, uint8_t *o, uint8_t ctrl, const uint8_t *info, size_t n, bool seg)
{
    size_t k = 0;
    size_t hdr = 2 + c->srv_len + 1 + 1;
    size_t flen = hdr + (n ? n + 2 : 0) + 2;
    uint16_t crc;

    o[k++] = 0x7E;
    o[k++] = (uint8_t)(0xA0 | (seg ? 0x08 : 0) | (flen >> 8));
    o[k++] = (uint8_t)flen;
    memcpy(o + k, c->srv, c->srv_len);
    k += c->srv_len;
    o[k++] = (CLIENT << 1) | 1;
    o[k++] = ctrl;
    if (n) {
        crc = mtr_crc16_x25(o + 1, k - 1);
        o[k++] = (uint8_t)crc;
        o[k++] = (uint8_t)(crc >> 8);
        memcpy(o + k, info, n);
        k += n;
    }
    crc = mtr_crc16_x25(o + 1, k - 1);
    o[k++] = (uint8_t)crc;
    o[k++] = (uint8_t)(crc >> 8);
    o[k++] = 0x7E;
    return k;
}

struct reply {
    uint8_t ctrl;
    bool seg;
    uint8_t info[512];
    size_t n;
};

/* Check a server frame completely and take its fields. */
static void creply(const struct client *c, const uint8_t *b, size_t len, struct reply *r)
{
    size_t flen;
    size_t k;

    cr_assert_geq(len, 9);
    cr_assert_eq(b[0], 0x7E);
    cr_assert_eq(b[len - 1], 0x7E);
    cr_assert_eq(b[1] & 0xF0, 0xA0);
    flen = (size_t)((b[1] & 7) << 8 | b[2]);
    cr_assert_eq(flen + 2, len);
    cr_assert_eq(b[3], (CLIENT << 1) | 1, "reply to the client");
    cr_assert(memcmp(b + 4, c->srv, c->srv_len) == 0, "server address echoed");
    k = 4 + c->srv_len;
    r->ctrl = b[k++];
    r->seg = (b[1] & 0x08) != 0;
    r->n = 0;
    if (k + 3 < len) {
        uint16_t hcs = mtr_crc16_x25(b + 1, k - 1);
        cr_assert_eq(b[k] | b[k + 1] << 8, hcs);
        k += 2;
        r->n = len - 3 - k;
        memcpy(r->info, b + k, r->n);
    }
    cr_assert_eq(mtr_crc16_x25_update(MTR_CRC16_X25_INIT, b + 1, len - 2), 0xF0B8, "FCS");
}

/* The upper layer: answers 0xC4 + the request repeated up to resp_size bytes. */
static size_t resp_size = 300;
static int busy_once;
static size_t calls;

static mtr_err_t echo(void *user, const uint8_t *apdu, size_t len, uint8_t *resp, size_t cap, size_t *n)
{
    (void)user;
    calls++;
    if (busy_once) {
        busy_once = 0;
        return MTR_ERR_BUSY;
    }
    cr_assert_geq(cap, resp_size);
    resp[0] = 0xC4;
    for (size_t k = 1; k < resp_size; k++)
        resp[k] = apdu[(k - 1) % len];
    *n = resp_size;
    return MTR_OK;
}

static uint8_t rx_apdu[512];
static uint8_t tx_apdu[1024];

static void link_up(struct mtr_dlms_hdlc_link *l)
{
    struct mtr_dlms_hdlc_cfg cfg = {
        .upper = 1, .lower = 17, .max_info = 128, .window = 1, .inactivity_ms = 60000,
        .rx_apdu = rx_apdu, .rx_cap = sizeof rx_apdu, .tx_apdu = tx_apdu, .tx_cap = sizeof tx_apdu,
        .on_apdu = echo,
    };
    resp_size = 300;
    busy_once = 0;
    calls = 0;
    cr_assert_eq(mtr_dlms_hdlc_init(l, &cfg), MTR_OK);
}

/* Send one frame, expect @p want and (when @p r) exactly one reply. */
static mtr_err_t xfer(struct mtr_dlms_hdlc_link *l, const struct client *c, mtr_ms_t now, const uint8_t *f,
                      size_t n, struct reply *r)
{
    static uint8_t out[MTR_DLMS_HDLC_WIRE_MAX];
    const uint8_t *p = f;
    size_t len = 99;
    mtr_err_t err = mtr_dlms_hdlc_input(l, now, &p, f + n, out, sizeof out, &len);

    cr_assert_eq(p, f + n, "frame consumed");
    if (r != NULL) {
        cr_assert_gt(len, 0, "a reply");
        creply(c, out, len, r);
    } else {
        cr_assert_eq(len, 0, "no reply");
    }
    return err;
}

static const struct client c2 = {{0x02, 0x23}, 2}; /* upper 1, lower 17 */

static void connect(struct mtr_dlms_hdlc_link *l, const struct client *c)
{
    /* proposal: client transmits and receives 64-byte info fields, windows of 1 */
    static const uint8_t snrm[] = {0x81, 0x80, 0x0C, 0x05, 0x01, 0x40, 0x06, 0x01, 0x40,
                                   0x07, 0x01, 0x01, 0x08, 0x01, 0x01};
    static const uint8_t ua[] = {0x81, 0x80, 0x12, 0x05, 0x01, 0x40, 0x06, 0x01, 0x40, 0x07, 0x04,
                                 0x00, 0x00, 0x00, 0x01, 0x08, 0x04, 0x00, 0x00, 0x00, 0x01};
    uint8_t f[64];
    struct reply r;

    cr_assert_eq(xfer(l, c, 0, f, cframe(c, f, 0x93, snrm, sizeof snrm, false), &r), MTR_OK);
    cr_assert_eq(r.ctrl, 0x73, "UA");
    cr_assert_eq(r.n, sizeof ua);
    cr_assert(memcmp(r.info, ua, sizeof ua) == 0);
    cr_assert_eq(mtr_dlms_hdlc_state(l), MTR_DLMS_HDLC_NRM);
}

/* SNRM/UA, a 150-byte request in three segments, a 303-byte response in five,
 * one retransmission, then DISC/UA. Control fields per IEC 62056-46 8.4.3. */
Test(link, scripted_client_exchange_with_segmentation)
{
    struct mtr_dlms_hdlc_link l;
    uint8_t apdu[153];
    uint8_t f[256];
    uint8_t got[512];
    size_t have = 0;
    struct reply r;
    uint8_t ns = 0;
    uint8_t nr = 0;

    link_up(&l);
    connect(&l, &c2);
    apdu[0] = 0xE6;
    apdu[1] = 0xE6;
    apdu[2] = 0x00;
    for (size_t k = 3; k < sizeof apdu; k++)
        apdu[k] = (uint8_t)(k * 3);
    for (size_t off = 0; off < sizeof apdu; off += 64) {
        size_t n = sizeof apdu - off < 64 ? sizeof apdu - off : 64;
        bool more = off + n < sizeof apdu;
        uint8_t ctrl = (uint8_t)(nr << 5 | 0x10 | ns << 1);
        cr_assert_eq(xfer(&l, &c2, 10, f, cframe(&c2, f, ctrl, apdu + off, n, more), &r), MTR_OK);
        ns = (ns + 1) & 7;
        if (more) {
            cr_assert_eq(r.ctrl, (uint8_t)(ns << 5 | 0x11), "RR N(R)=%u", ns);
        }
    }
    cr_assert_eq(calls, 1);
    /* first response segment is in r: I-frame N(S)=0, N(R)=3 */
    for (uint8_t k = 0;; k++) {
        cr_assert_eq(r.ctrl & 1, 0, "I-frame");
        cr_assert_eq((r.ctrl >> 1) & 7, k & 7);
        cr_assert_eq(r.ctrl >> 5, ns);
        cr_assert_leq(r.n, 64);
        memcpy(got + have, r.info, r.n);
        have += r.n;
        nr = (k + 1) & 7;
        if (!r.seg)
            break;
        if (k == 1) { /* pretend the frame was lost: RR still acknowledging only k-1 */
            struct reply again;
            cr_assert_eq(xfer(&l, &c2, 20, f, cframe(&c2, f, (uint8_t)(k << 5 | 0x11), NULL, 0, false), &again),
                         MTR_OK);
            cr_assert_eq(again.ctrl, r.ctrl);
            cr_assert_eq(again.n, r.n);
            cr_assert(memcmp(again.info, r.info, r.n) == 0, "same frame again");
        }
        cr_assert_eq(xfer(&l, &c2, 20, f, cframe(&c2, f, (uint8_t)(nr << 5 | 0x11), NULL, 0, false), &r), MTR_OK);
    }
    cr_assert_eq(have, 3 + resp_size);
    cr_assert(memcmp(got, "\xE6\xE7\x00\xC4", 4) == 0, "LLC response header + APDU");
    for (size_t k = 1; k < resp_size; k++)
        cr_assert_eq(got[3 + k], apdu[3 + (k - 1) % 150]);
    /* nothing more to send: RR is answered with RR */
    cr_assert_eq(xfer(&l, &c2, 30, f, cframe(&c2, f, (uint8_t)(nr << 5 | 0x11), NULL, 0, false), &r), MTR_OK);
    cr_assert_eq(r.ctrl, (uint8_t)(ns << 5 | 0x11));
    cr_assert_eq(xfer(&l, &c2, 40, f, cframe(&c2, f, 0x53, NULL, 0, false), &r), MTR_OK);
    cr_assert_eq(r.ctrl, 0x73, "UA to DISC");
    cr_assert_eq(mtr_dlms_hdlc_state(&l), MTR_DLMS_HDLC_NDM);
    cr_assert_eq(xfer(&l, &c2, 50, f, cframe(&c2, f, 0x53, NULL, 0, false), &r), MTR_OK);
    cr_assert_eq(r.ctrl, 0x1F, "DM to DISC when disconnected");
    cr_assert_eq(xfer(&l, &c2, 50, f, cframe(&c2, f, 0x10, apdu, 10, false), &r), MTR_ERR_STATE);
    cr_assert_eq(r.ctrl, 0x1F, "DM to I when disconnected");
}

/* The link state except the assembler's buffer. */
static void same_state(const struct mtr_dlms_hdlc_link *a, const struct mtr_dlms_hdlc_link *b)
{
    struct mtr_dlms_hdlc_link x = *a;
    x.rx = b->rx;
    cr_assert(memcmp(&x, b, sizeof x) == 0, "link state changed");
}

Test(link, bad_input_changes_nothing)
{
    struct mtr_dlms_hdlc_link l;
    struct mtr_dlms_hdlc_link before;
    uint8_t f[128];
    uint8_t g[128];
    struct reply r;
    size_t n;
    static const uint8_t req[] = {0xE6, 0xE6, 0x00, 0xC0, 0x01, 0xC1};

    link_up(&l);
    connect(&l, &c2);
    before = l;
    /* out-of-sequence N(S) = 5 while V(R) = 0: RR N(R)=0, nothing accepted */
    cr_assert_eq(xfer(&l, &c2, 5, f, cframe(&c2, f, 0x1A, req, sizeof req, false), &r), MTR_ERR_DLMS_SEQUENCE);
    cr_assert_eq(r.ctrl, 0x11);
    same_state(&before, &l);
    /* other station: logical device 2, or physical 18 */
    struct client other = {{0x04, 0x23}, 2};
    cr_assert_eq(xfer(&l, &other, 5, f, cframe(&other, f, 0x10, req, sizeof req, false), NULL),
                 MTR_ERR_DLMS_ADDRESS);
    other.srv[0] = 0x02;
    other.srv[1] = 0x25;
    cr_assert_eq(xfer(&l, &other, 5, f, cframe(&other, f, 0x10, req, sizeof req, false), NULL),
                 MTR_ERR_DLMS_ADDRESS);
    same_state(&before, &l);
    /* wrong HCS, wrong FCS */
    n = cframe(&c2, f, 0x10, req, sizeof req, false);
    memcpy(g, f, n);
    g[7] ^= 0x01;
    cr_assert_eq(xfer(&l, &c2, 5, g, n, NULL), MTR_ERR_DLMS_HCS);
    memcpy(g, f, n);
    g[n - 2] ^= 0x01;
    cr_assert_eq(xfer(&l, &c2, 5, g, n, NULL), MTR_ERR_DLMS_FCS);
    same_state(&before, &l);
    /* no LLC header */
    cr_assert_eq(xfer(&l, &c2, 5, g, cframe(&c2, g, 0x10, req + 3, 3, false), &r), MTR_ERR_DLMS_LLC);
    cr_assert_eq(r.ctrl, 0x11);
    same_state(&before, &l);
    /* the good frame still goes through afterwards */
    resp_size = 10;
    cr_assert_eq(xfer(&l, &c2, 5, f, n, &r), MTR_OK);
    cr_assert_eq(r.ctrl, 0x30, "I N(S)=0 N(R)=1 F");
}

Test(link, refused_snrm_parameters)
{
    struct mtr_dlms_hdlc_link l;
    struct mtr_dlms_hdlc_link before;
    uint8_t f[64];
    struct reply r;
    static const uint8_t bad[][12] = {
        {0x81, 0x80, 0x03, 0x07, 0x01, 0x00},             /* window 0 */
        {0x81, 0x80, 0x03, 0x05, 0x01, 0x10},             /* max info 16 */
        {0x81, 0x81, 0x03, 0x05, 0x01, 0x80},             /* group id */
        {0x81, 0x80, 0x04, 0x05, 0x01, 0x80},             /* group length */
        {0x81, 0x80, 0x03, 0x09, 0x01, 0x01},             /* unknown parameter */
        {0x81, 0x80, 0x07, 0x05, 0x05, 0, 0, 0, 0x80, 0}, /* 5-byte value */
    };
    static const size_t len[] = {6, 6, 6, 6, 6, 10};

    link_up(&l);
    before = l;
    for (size_t k = 0; k < sizeof len / sizeof len[0]; k++) {
        cr_assert_eq(xfer(&l, &c2, 0, f, cframe(&c2, f, 0x93, bad[k], len[k], false), &r), MTR_ERR_DLMS_PARAM,
                     "case %zu", k);
        cr_assert_eq(r.ctrl, 0x1F, "DM");
        same_state(&before, &l);
    }
    /* no information field: defaults (128 bytes, window 1) */
    cr_assert_eq(xfer(&l, &c2, 0, f, cframe(&c2, f, 0x93, NULL, 0, false), &r), MTR_OK);
    cr_assert_eq(r.ctrl, 0x73);
    cr_assert_eq(r.info[5], 0x80);
}

Test(link, frame_reject_and_recovery)
{
    struct mtr_dlms_hdlc_link l;
    uint8_t f[256];
    uint8_t info[80];
    struct reply r;

    link_up(&l);
    connect(&l, &c2);
    memset(info, 0, sizeof info);
    info[0] = 0xE6;
    info[1] = 0xE6;
    /* 80 bytes over the negotiated 64 */
    cr_assert_eq(xfer(&l, &c2, 1, f, cframe(&c2, f, 0x10, info, sizeof info, false), &r), MTR_ERR_DLMS_TOO_LONG);
    cr_assert_eq(r.ctrl, 0x97, "FRMR");
    cr_assert_eq(r.n, 3);
    cr_assert_eq(r.info[0], 0x10, "rejected control field");
    cr_assert_eq(r.info[2], 0x04, "Y: information field too long");
    cr_assert_eq(xfer(&l, &c2, 2, f, cframe(&c2, f, 0x11, NULL, 0, false), &r), MTR_ERR_STATE);
    cr_assert_eq(r.ctrl, 0x97, "FRMR repeated");
    connect(&l, &c2);
    /* N(R) = 3 acknowledges frames never sent */
    cr_assert_eq(xfer(&l, &c2, 3, f, cframe(&c2, f, 0x71, NULL, 0, false), &r), MTR_ERR_DLMS_SEQUENCE);
    cr_assert_eq(r.info[2], 0x08, "Z: invalid N(R)");
    connect(&l, &c2);
    /* a response-type control field from the client (UA) */
    cr_assert_eq(xfer(&l, &c2, 4, f, cframe(&c2, f, 0x73, NULL, 0, false), &r), MTR_ERR_DLMS_CONTROL);
    cr_assert_eq(r.info[2], 0x01, "W: invalid control field");
}

Test(link, busy_upper_layer_gets_rnr_then_serves)
{
    struct mtr_dlms_hdlc_link l;
    uint8_t f[64];
    struct reply r;
    static const uint8_t req[] = {0xE6, 0xE6, 0x00, 0xC0, 0x01, 0xC1};

    link_up(&l);
    connect(&l, &c2);
    busy_once = 1;
    resp_size = 8;
    cr_assert_eq(xfer(&l, &c2, 1, f, cframe(&c2, f, 0x10, req, sizeof req, false), &r), MTR_OK);
    cr_assert_eq(r.ctrl, 0x35, "RNR N(R)=1");
    cr_assert_eq(xfer(&l, &c2, 2, f, cframe(&c2, f, 0x11, NULL, 0, false), &r), MTR_OK);
    cr_assert_eq(r.ctrl, 0x30, "I-frame N(S)=0 N(R)=1");
    cr_assert_eq(r.n, 3 + 8);
    cr_assert_eq(calls, 2);
}

Test(link, inactivity_timeout)
{
    struct mtr_dlms_hdlc_link l;
    uint8_t f[64];
    struct reply r;

    link_up(&l);
    connect(&l, &c2);
    cr_assert_eq(xfer(&l, &c2, 1000, f, cframe(&c2, f, 0x11, NULL, 0, false), &r), MTR_OK);
    cr_assert(!mtr_dlms_hdlc_poll(&l, 1000 + 59999));
    cr_assert(mtr_dlms_hdlc_poll(&l, 1000 + 60000));
    cr_assert_eq(mtr_dlms_hdlc_state(&l), MTR_DLMS_HDLC_NDM);
    cr_assert(!mtr_dlms_hdlc_poll(&l, 1000 + 90000));
    cr_assert_eq(xfer(&l, &c2, 200000, f, cframe(&c2, f, 0x11, NULL, 0, false), &r), MTR_ERR_STATE);
    cr_assert_eq(r.ctrl, 0x1F, "DM after the time-out");
}

Test(link, init_rejects_bad_configuration)
{
    struct mtr_dlms_hdlc_link l;
    struct mtr_dlms_hdlc_cfg cfg = {
        .upper = 1, .lower = 17, .max_info = 16, .window = 1,
        .rx_apdu = rx_apdu, .rx_cap = sizeof rx_apdu, .tx_apdu = tx_apdu, .tx_cap = sizeof tx_apdu,
        .on_apdu = echo,
    };
    cr_assert_eq(mtr_dlms_hdlc_init(&l, &cfg), MTR_ERR_INVAL);
    cfg.max_info = 128;
    cfg.window = 0;
    cr_assert_eq(mtr_dlms_hdlc_init(&l, &cfg), MTR_ERR_INVAL);
    cfg.window = 1;
    cfg.upper = 0;
    cr_assert_eq(mtr_dlms_hdlc_init(&l, &cfg), MTR_ERR_INVAL);
    cfg.upper = 1;
    cr_assert_eq(mtr_dlms_hdlc_init(&l, &cfg), MTR_OK);
    cr_assert_eq(mtr_dlms_hdlc_wire_max(), MTR_DLMS_HDLC_WIRE_MAX);
    cr_assert_eq(mtr_dlms_hdlc_link_size(), sizeof l);
}
