/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Association control (ACSE, IEC 62056-5-3 / Green Book): AARQ decoding,
 * AARE encoding with the xDLMS InitiateRequest/InitiateResponse, RLRQ/RLRE.
 * ACSE fields are BER (one-byte tags, definite lengths of 1..3 bytes);
 * the Initiate PDUs inside user-information are A-XDR.
 */
#include "server_private.h"

/* Object identifier prefix 2.16.756.5.8 (DLMS UA): 60 85 74 05 08. */
static const uint8_t oid_dlms[5] = {0x60, 0x85, 0x74, 0x05, 0x08};

enum { CTX_LN = 1, CTX_LN_CIPHER = 3 };
/* ACSE service-user diagnostics. */
enum {
    DIAG_NULL = 0,
    DIAG_NO_REASON = 1,
    DIAG_CONTEXT = 2,
    DIAG_CALLING_TITLE = 3,
    DIAG_MECH_NOT_RECOGNISED = 11,
    DIAG_MECH_REQUIRED = 12,
    DIAG_AUTH_FAILURE = 13,
    DIAG_AUTH_REQUIRED = 14,
};
/* Initiate errors of ConfirmedServiceError. */
enum { INIT_OTHER = 0, INIT_VERSION = 1, INIT_CONFORMANCE = 2, INIT_PDU_SIZE = 3 };

struct aarq {
    const uint8_t *title;
    const uint8_t *auth;
    uint8_t *ui;
    size_t ui_len;
    uint8_t auth_len;
    uint8_t ctx;
    uint8_t mech;
    bool has_mech;
};

struct initreq {
    const uint8_t *ded;
    uint32_t conf;
    uint16_t max_pdu;
    uint8_t version;
};

/* One BER TLV with a one-byte tag; *p moves past it. */
static bool ber_tlv(const uint8_t **p, const uint8_t *end, uint8_t *tag, const uint8_t **v, size_t *len)
{
    const uint8_t *q = *p;
    size_t n;

    if (end - q < 2)
        return false;
    *tag = *q++;
    n = *q++;
    if (n == 0x81 || n == 0x82) {
        unsigned k = n & 0x7Fu;
        if ((size_t)(end - q) < k)
            return false;
        n = k == 1 ? q[0] : mtr_get_be16(q);
        q += k;
    } else if (n > 0x7F) {
        return false;
    }
    if ((size_t)(end - q) < n)
        return false;
    *v = q;
    *len = n;
    *p = q + n;
    return true;
}

/* An OBJECT IDENTIFIER 2.16.756.5.8.<a>.<b>: returns b, or -1. */
static int oid_arc(const uint8_t *v, size_t len, uint8_t a)
{
    if (len != 7 || memcmp(v, oid_dlms, 5) != 0 || v[5] != a)
        return -1;
    return v[6];
}

static bool aarq_field(struct aarq *q, uint8_t tag, const uint8_t *v, size_t n)
{
    const uint8_t *ip = v;
    const uint8_t *iv;
    size_t in;
    uint8_t it;
    int arc;

    switch (tag) {
    case 0x80: /* protocol-version */
    case 0x8A: /* sender-acse-requirements */
    case 0xA2: case 0xA3: case 0xA4: case 0xA5: case 0xA7: case 0xA8: case 0xA9:
    case 0xBD: /* implementation-information */
        return true;
    case 0xA1: /* application-context-name */
        if (!ber_tlv(&ip, v + n, &it, &iv, &in) || it != 0x06 || ip != v + n)
            return false;
        arc = oid_arc(iv, in, 1);
        if (arc < 0 || iv[5] != 1)
            return false;
        q->ctx = (uint8_t)arc;
        return true;
    case 0xA6: /* calling-AP-title */
        if (!ber_tlv(&ip, v + n, &it, &iv, &in) || it != 0x04 || in != 8 || ip != v + n)
            return false;
        q->title = iv;
        return true;
    case 0x8B: /* mechanism-name */
        arc = oid_arc(v, n, 2);
        if (arc < 0)
            return false;
        q->mech = (uint8_t)arc;
        q->has_mech = true;
        return true;
    case 0xAC: /* calling-authentication-value: charstring [0] */
        if (!ber_tlv(&ip, v + n, &it, &iv, &in) || it != 0x80 || in < 1 || in > 64 || ip != v + n)
            return false;
        q->auth = iv;
        q->auth_len = (uint8_t)in;
        return true;
    case 0xBE: /* user-information: OCTET STRING */
        if (!ber_tlv(&ip, v + n, &it, &iv, &in) || it != 0x04 || in < 1 || ip != v + n)
            return false;
        q->ui = (uint8_t *)(uintptr_t)iv; /* inside the caller's writable request */
        q->ui_len = in;
        return true;
    default:
        return false;
    }
}

static bool parse_aarq(const uint8_t *apdu, size_t len, struct aarq *q)
{
    const uint8_t *p = apdu;
    const uint8_t *v;
    size_t n;
    uint8_t tag;

    memset(q, 0, sizeof *q);
    if (!ber_tlv(&p, apdu + len, &tag, &v, &n) || tag != TAG_AARQ || p != apdu + len)
        return false;
    p = v;
    while (p < v + n) {
        const uint8_t *fv;
        size_t fn;
        if (!ber_tlv(&p, v + n, &tag, &fv, &fn) || !aarq_field(q, tag, fv, fn))
            return false;
    }
    return q->ctx != 0;
}

static bool parse_initiate(const uint8_t *b, size_t len, struct initreq *ir)
{
    struct dlms_rd r = {b, b + len, false};

    memset(ir, 0, sizeof *ir);
    if (rd_u8(&r) != TAG_INITIATE_REQ)
        return false;
    if (rd_u8(&r) != 0) { /* dedicated-key */
        if (rd_len(&r) != 16)
            return false;
        ir->ded = rd_bytes(&r, 16);
    }
    if (rd_u8(&r) != 0) /* response-allowed, default TRUE */
        (void)rd_u8(&r);
    if (rd_u8(&r) != 0) /* proposed-quality-of-service */
        (void)rd_u8(&r);
    ir->version = rd_u8(&r);
    if (rd_be(&r, 4) != 0x5F1F0400u) /* [APPLICATION 31] BIT STRING, 4 bytes, 0 unused bits */
        return false;
    ir->conf = rd_be(&r, 3);
    ir->max_pdu = (uint16_t)rd_be(&r, 2);
    return rd_done(&r);
}

/* Constant-time comparison (no early exit on the first difference). */
static bool same(const uint8_t *a, const uint8_t *b, size_t n)
{
    uint8_t d = 0;
    for (size_t k = 0; k < n; k++)
        d |= (uint8_t)(a[k] ^ b[k]);
    return d == 0;
}

/* ------------------------------------------------------------ AARE */

struct aare {
    const uint8_t *ui;  /* user-information contents, or NULL */
    const uint8_t *stoc; /* HLS: server challenge, or NULL */
    size_t ui_len;
    uint8_t ctx;
    uint8_t result;
    uint8_t diag;
    uint8_t mech;
    bool title;
};

static void put_oid(struct dlms_out *o, uint8_t tag, uint8_t a, uint8_t b, bool wrapped)
{
    if (wrapped) {
        (void)out_u8(o, tag);
        (void)out_u8(o, 9);
        tag = 0x06;
    }
    (void)out_u8(o, tag);
    (void)out_u8(o, 7);
    (void)out_put(o, oid_dlms, 5);
    (void)out_u8(o, a);
    (void)out_u8(o, b);
}

static void write_aare(const struct mtr_dlms_server *s, struct dlms_out *o, const struct aare *e)
{
    struct dlms_out body = {o->buf + 3, o->cap - 3, 0};
    uint8_t b[7] = {0xA2, 3, 2, 1, e->result, 0xA3, 5};
    uint8_t d[5] = {0xA1, 3, 2, 1, e->diag};

    put_oid(&body, 0xA1, 1, e->ctx, true);
    (void)out_put(&body, b, sizeof b);
    (void)out_put(&body, d, sizeof d);
    if (e->title && s->cfg->sec != NULL) {
        uint8_t t[4] = {0xA4, 10, 0x04, 8};
        (void)out_put(&body, t, 4);
        (void)out_put(&body, s->cfg->sec->system_title, 8);
    }
    if (e->stoc != NULL) {
        uint8_t req[4] = {0x88, 2, 0x07, 0x80};
        uint8_t av[4] = {0xAA, MTR_CFG_DLMS_CHALLENGE + 2, 0x80, MTR_CFG_DLMS_CHALLENGE};
        (void)out_put(&body, req, 4);
        put_oid(&body, 0x89, 2, e->mech, false);
        (void)out_put(&body, av, 4);
        (void)out_put(&body, e->stoc, MTR_CFG_DLMS_CHALLENGE);
    }
    if (e->ui != NULL) {
        (void)out_u8(&body, 0xBE);
        (void)out_len(&body, (uint32_t)(e->ui_len + 2));
        (void)out_u8(&body, 0x04);
        (void)out_u8(&body, (uint8_t)e->ui_len);
        (void)out_put(&body, e->ui, e->ui_len);
    }
    o->len = 0;
    (void)out_u8(o, TAG_AARE);
    (void)out_len(o, (uint32_t)body.len);
    memmove(o->buf + o->len, body.buf, body.len);
    o->len += body.len;
}

static mtr_err_t reject(const struct mtr_dlms_server *s, struct dlms_out *o, uint8_t ctx, uint8_t diag,
                        mtr_err_t err)
{
    struct aare e = {.ctx = ctx ? ctx : CTX_LN, .result = 1, .diag = diag};
    write_aare(s, o, &e);
    return err;
}

static mtr_err_t reject_initiate(const struct mtr_dlms_server *s, struct dlms_out *o, uint8_t ctx, uint8_t why)
{
    uint8_t cse[4] = {TAG_CONFIRMED_ERROR, 1, 6, why}; /* initiateError, service initiate */
    struct aare e = {.ctx = ctx, .result = 1, .diag = DIAG_NO_REASON, .ui = cse, .ui_len = 4};
    write_aare(s, o, &e);
    return MTR_ERR_DLMS_ASSOC;
}

/* ------------------------------------------------------------ AARQ */

static int find_entry(const struct mtr_dlms_server *s, uint16_t sap)
{
    for (uint8_t k = 0; k < s->cfg->nassocs; k++)
        if (s->cfg->assocs[k].client_sap == sap)
            return k;
    return -1;
}

/* ACSE checks; returns the diagnostic (DIAG_NULL when acceptable). */
static uint8_t check_acse(const struct mtr_dlms_server *s, const struct mtr_dlms_assoc_cfg *a,
                          const struct aarq *q)
{
    if (q->ctx != CTX_LN && q->ctx != CTX_LN_CIPHER)
        return DIAG_CONTEXT;
    if (q->ctx == CTX_LN_CIPHER ? s->cfg->sec == NULL : a->policy != MTR_DLMS_POLICY_NONE)
        return DIAG_CONTEXT;
    if ((q->ctx == CTX_LN_CIPHER || a->mechanism == MTR_DLMS_MECH_HLS_GMAC) && q->title == NULL)
        return DIAG_CALLING_TITLE;
    if (a->mechanism == MTR_DLMS_MECH_NONE)
        return q->has_mech && q->mech != MTR_DLMS_MECH_NONE ? DIAG_MECH_NOT_RECOGNISED : DIAG_NULL;
    if (!q->has_mech)
        return DIAG_MECH_REQUIRED;
    if (q->mech != a->mechanism)
        return DIAG_MECH_NOT_RECOGNISED;
    if (q->auth == NULL || (a->mechanism == MTR_DLMS_MECH_HLS_GMAC && q->auth_len < 8))
        return DIAG_AUTH_FAILURE;
    return DIAG_NULL;
}

/* Decipher a glo-initiate-request in place; the plain InitiateRequest is at *ui. */
static mtr_err_t open_initiate(struct mtr_dlms_server *s, uint8_t entry, const struct mtr_dlms_assoc_cfg *a,
                               struct aarq *q, uint32_t *ic, uint8_t *sc, struct dlms_out *o)
{
    struct dlms_rd r = {q->ui, q->ui + q->ui_len, false};
    uint8_t need = a->policy == MTR_DLMS_POLICY_AUTH ? SC_AUTH
                   : a->policy == MTR_DLMS_POLICY_ENC ? SC_ENC
                                                      : (uint8_t)(SC_AUTH | SC_ENC);
    struct mtr_dlms_security *sec = s->cfg->sec;
    uint32_t n;
    uint8_t *ct;
    size_t ct_len;
    mtr_err_t err;

    if (rd_u8(&r) != TAG_GLO_INITIATE_REQ)
        return MTR_ERR_DLMS_APDU;
    n = rd_len(&r);
    *sc = rd_u8(&r);
    *ic = rd_be(&r, 4);
    if (r.bad || n != (size_t)(r.end - r.p) + 5 || (*sc & (SC_SUITE | SC_COMPRESS | SC_BROADCAST)) != 0 ||
        (*sc & need) != need)
        return MTR_ERR_DLMS_APDU;
    ct_len = (size_t)(r.end - r.p) - ((*sc & SC_AUTH) ? GCM_TAG : 0u);
    if ((size_t)(r.end - r.p) < ((*sc & SC_AUTH) ? GCM_TAG : 0u) + 1u)
        return MTR_ERR_DLMS_APDU;
    if (sec->rx_seen[entry] && *ic <= sec->rx_ic[entry]) {
        s->cnt.replays++;
        srv_event(s, MTR_DLMS_EV_REPLAY);
        return MTR_ERR_DLMS_REPLAY;
    }
    ct = (uint8_t *)(uintptr_t)r.p;
    err = sec_gcm(s->cfg->hal, sec->ek, sec->ak, *sc, q->title, *ic, ct, ct_len, ct + ct_len, true, o->buf,
                  o->cap);
    if (err != MTR_OK) {
        s->cnt.decrypt_failures++;
        srv_event(s, MTR_DLMS_EV_DECRYPT_FAILURE);
        return MTR_ERR_DLMS_CIPHER;
    }
    q->ui = ct;
    q->ui_len = ct_len;
    return MTR_OK;
}

/* InitiateResponse (plain) into b[14]. */
static void initiate_response(uint8_t b[14], uint32_t conf, uint16_t max_pdu)
{
    b[0] = TAG_INITIATE_RESP;
    b[1] = 0;    /* negotiated-quality-of-service absent */
    b[2] = 6;    /* negotiated-dlms-version-number */
    mtr_put_be32(b + 3, 0x5F1F0400u);
    b[7] = (uint8_t)(conf >> 16);
    b[8] = (uint8_t)(conf >> 8);
    b[9] = (uint8_t)conf;
    mtr_put_be16(b + 10, max_pdu);
    b[12] = 0x00; /* vaa-name 0x0007: LN referencing */
    b[13] = 0x07;
}

/* Checks of the InitiateRequest; INIT_* + 1 when refused, 0 when acceptable. */
static uint8_t check_initiate(const struct mtr_dlms_server *s, const struct mtr_dlms_assoc_cfg *a,
                              const struct initreq *ir, bool ciphered, uint32_t *conf)
{
    uint32_t offer = a->conformance & s->cfg->conformance;

    if (s->cfg->sec == NULL)
        offer &= ~(uint32_t)MTR_DLMS_CONF_GENERAL_PROTECTION;
    *conf = ir->conf & offer;
    if (ir->ded != NULL && !ciphered)
        return INIT_OTHER + 1;
    if (ir->version < 6)
        return INIT_VERSION + 1;
    if (ir->max_pdu != 0 && ir->max_pdu < 64)
        return INIT_PDU_SIZE + 1;
    if ((*conf & (MTR_DLMS_CONF_GET | MTR_DLMS_CONF_SET | MTR_DLMS_CONF_ACTION)) == 0)
        return INIT_CONFORMANCE + 1;
    return 0;
}

static void open_association(struct mtr_dlms_server *s, uint8_t entry, uint16_t sap, const struct aarq *q,
                             const struct initreq *ir, uint32_t conf)
{
    const struct mtr_dlms_assoc_cfg *a = &s->cfg->assocs[entry];

    mtr_dlms_server_abort(s);
    s->entry = entry;
    s->client_sap = sap;
    s->conformance = conf;
    s->max_tx = ir->max_pdu == 0 ? 0xFFFFu : ir->max_pdu;
    s->ciphered = q->ctx == CTX_LN_CIPHER;
    if (q->title != NULL) {
        memcpy(s->client_title, q->title, 8);
        s->has_title = true;
    }
    if (ir->ded != NULL) {
        memcpy(s->ded, ir->ded, 16);
        s->has_ded = true;
    }
    if (a->mechanism == MTR_DLMS_MECH_HLS_GMAC) {
        memcpy(s->ctos, q->auth, q->auth_len);
        s->ctos_len = q->auth_len;
        s->state = MTR_DLMS_ASSOC_PENDING;
        return;
    }
    s->state = MTR_DLMS_ASSOC_ASSOCIATED;
    s->cnt.associations++;
    if (a->mechanism == MTR_DLMS_MECH_LLS)
        srv_event(s, MTR_DLMS_EV_AUTH_OK);
    if (s->cfg->local_port)
        srv_event(s, MTR_DLMS_EV_LOCAL_COMM);
}

/* The accepted AARE; ciphered contexts answer with a glo-initiate-response. */
static mtr_err_t accept(struct mtr_dlms_server *s, struct dlms_out *o, uint8_t ctx, uint8_t sc,
                        const uint8_t *stoc)
{
    const struct mtr_dlms_assoc_cfg *a = srv_entry(s);
    struct mtr_dlms_security *sec = s->cfg->sec;
    uint8_t ui[2 + 5 + 14 + GCM_TAG];
    struct aare e = {.ctx = ctx, .result = 0, .ui = ui, .ui_len = 14, .mech = a->mechanism, .stoc = stoc};

    e.diag = stoc != NULL ? DIAG_AUTH_REQUIRED : DIAG_NULL;
    e.title = ctx == CTX_LN_CIPHER || stoc != NULL;
    initiate_response(ui, s->conformance, s->cfg->max_pdu);
    if (ctx == CTX_LN_CIPHER) {
        size_t n = 14 + ((sc & SC_AUTH) ? GCM_TAG : 0u);
        mtr_err_t err;
        if (sec->tx_ic == UINT32_MAX)
            return MTR_ERR_OVERFLOW;
        memmove(ui + 7, ui, 14);
        err = sec_gcm(s->cfg->hal, sec->ek, sec->ak, sc, sec->system_title, sec->tx_ic, ui + 7, 14, ui + 21,
                      false, o->buf, o->cap);
        if (err != MTR_OK)
            return err;
        ui[0] = TAG_GLO_INITIATE_RESP;
        ui[1] = (uint8_t)(5 + n);
        ui[2] = sc;
        mtr_put_be32(ui + 3, sec->tx_ic++);
        e.ui_len = 7 + n;
    }
    write_aare(s, o, &e);
    return MTR_OK;
}

static mtr_err_t aarq_user_info(struct mtr_dlms_server *s, uint8_t entry, struct aarq *q, struct initreq *ir,
                                uint32_t *ic, uint8_t *sc, struct dlms_out *o)
{
    const struct mtr_dlms_assoc_cfg *a = &s->cfg->assocs[entry];
    mtr_err_t err;

    if (q->ui == NULL)
        return MTR_ERR_DLMS_APDU;
    if (q->ctx == CTX_LN_CIPHER) {
        err = open_initiate(s, entry, a, q, ic, sc, o);
        if (err != MTR_OK)
            return err;
    }
    return parse_initiate(q->ui, q->ui_len, ir) ? MTR_OK : MTR_ERR_DLMS_APDU;
}

mtr_err_t dlms_aarq(struct mtr_dlms_server *s, uint16_t sap, uint8_t *apdu, size_t len, struct dlms_out *o)
{
    const struct mtr_dlms_assoc_cfg *a;
    struct initreq ir;
    struct aarq q;
    uint8_t stoc[MTR_CFG_DLMS_CHALLENGE];
    uint32_t ic = 0;
    uint32_t conf;
    uint8_t sc = 0;
    uint8_t why;
    int entry;
    mtr_err_t err;

    if (!parse_aarq(apdu, len, &q))
        return reject(s, o, CTX_LN, DIAG_NO_REASON, MTR_ERR_DLMS_APDU);
    entry = find_entry(s, sap);
    if (entry < 0 || (s->cfg->assocs[entry].flags & MTR_DLMS_ASSOC_PRE_ESTABLISHED) ||
        (s->state != MTR_DLMS_ASSOC_IDLE && !(srv_entry(s)->flags & MTR_DLMS_ASSOC_PRE_ESTABLISHED)))
        return reject(s, o, q.ctx, DIAG_NO_REASON, MTR_ERR_DLMS_ASSOC);
    a = &s->cfg->assocs[entry];
    why = check_acse(s, a, &q);
    if (why != DIAG_NULL)
        return reject(s, o, q.ctx, why, why == DIAG_AUTH_FAILURE ? MTR_ERR_AUTH : MTR_ERR_DLMS_ASSOC);
    if (a->mechanism == MTR_DLMS_MECH_LLS &&
        (q.auth_len != a->secret_len || !same(q.auth, a->secret, a->secret_len))) {
        s->cnt.auth_failures++;
        srv_event(s, MTR_DLMS_EV_AUTH_FAILURE);
        return reject(s, o, q.ctx, DIAG_AUTH_FAILURE, MTR_ERR_AUTH);
    }
    err = aarq_user_info(s, (uint8_t)entry, &q, &ir, &ic, &sc, o);
    if (err != MTR_OK)
        return reject(s, o, q.ctx, DIAG_NO_REASON, err);
    why = check_initiate(s, a, &ir, q.ctx == CTX_LN_CIPHER, &conf);
    if (why != 0)
        return reject_initiate(s, o, q.ctx, (uint8_t)(why - 1));
    if (a->mechanism == MTR_DLMS_MECH_HLS_GMAC &&
        s->cfg->hal->sys->entropy(s->cfg->hal->ctx, stoc, sizeof stoc) != MTR_OK)
        return reject(s, o, q.ctx, DIAG_NO_REASON, MTR_ERR_IO);
    if (q.ctx == CTX_LN_CIPHER && s->cfg->sec->tx_ic == UINT32_MAX)
        return reject(s, o, q.ctx, DIAG_NO_REASON, MTR_ERR_OVERFLOW);
    open_association(s, (uint8_t)entry, sap, &q, &ir, conf);
    if (q.ctx == CTX_LN_CIPHER) {
        s->cfg->sec->rx_ic[entry] = ic;
        s->cfg->sec->rx_seen[entry] = true;
    }
    if (a->mechanism == MTR_DLMS_MECH_HLS_GMAC)
        memcpy(s->stoc, stoc, sizeof stoc);
    return accept(s, o, q.ctx, sc, a->mechanism == MTR_DLMS_MECH_HLS_GMAC ? s->stoc : NULL);
}

/* ------------------------------------------------------------ RLRQ */

static void rlre(struct dlms_out *o, uint8_t reason)
{
    uint8_t b[5] = {TAG_RLRE, 3, 0x80, 1, reason};
    o->len = 0;
    (void)out_put(o, b, sizeof b);
}

mtr_err_t dlms_rlrq(struct mtr_dlms_server *s, uint16_t sap, const uint8_t *apdu, size_t len,
                    struct dlms_out *o)
{
    const uint8_t *p = apdu;
    const uint8_t *v;
    size_t n;
    uint8_t tag;

    if (!ber_tlv(&p, apdu + len, &tag, &v, &n) || p != apdu + len) {
        rlre(o, 1);
        return MTR_ERR_DLMS_APDU;
    }
    for (p = v; p < v + n;) {
        const uint8_t *fv;
        size_t fn;
        if (!ber_tlv(&p, v + n, &tag, &fv, &fn) || (tag != 0x80 && tag != 0xBE)) {
            rlre(o, 1);
            return MTR_ERR_DLMS_APDU;
        }
    }
    if (s->state == MTR_DLMS_ASSOC_IDLE || s->client_sap != sap) {
        rlre(o, 1); /* not-finished */
        return MTR_ERR_DLMS_ASSOC;
    }
    if (srv_entry(s)->flags & MTR_DLMS_ASSOC_PRE_ESTABLISHED) {
        rlre(o, 1);
        return MTR_ERR_DLMS_DENIED;
    }
    mtr_dlms_server_abort(s);
    rlre(o, 0); /* normal */
    return MTR_OK;
}
