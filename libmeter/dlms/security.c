/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Security suite 0 (Green Book, "Cryptographic algorithms", suite 0:
 * AES-GCM-128 and AES-128 key wrap) through the HAL's crypto ops:
 * glo-/ded-ciphered APDUs and general-glo-ciphering, the security header
 * (SC || IC), IV = system title || IC, AAD = SC || AK (|| plaintext when only
 * authenticated), 12-byte tags; invocation counters; HLS-5 GMAC; key
 * transfer; the saved counter blob.
 */
#include "meter/crc.h"
#include "server_private.h"

static const uint8_t ln_association[6] = {0, 0, 40, 0, 0, 255};

static void make_iv(uint8_t iv[12], const uint8_t title[8], uint32_t ic)
{
    memcpy(iv, title, 8);
    mtr_put_be32(iv + 8, ic);
}

static bool equal_ct(const uint8_t *a, const uint8_t *b, size_t n)
{
    uint8_t d = 0;
    for (size_t k = 0; k < n; k++)
        d |= (uint8_t)(a[k] ^ b[k]);
    return d == 0;
}

/* GMAC over aad (no plaintext) into tag[12]. */
static mtr_err_t gmac(const struct mtr_hal *hal, const uint8_t key[16], const uint8_t iv[12], const uint8_t *aad,
                      size_t aad_len, uint8_t tag[GCM_TAG])
{
    uint8_t none = 0;
    return hal->crypto->gcm_encrypt(hal->ctx, key, iv, 12, aad, aad_len, &none, 0, &none, tag, GCM_TAG);
}

/*
 * Protect (decrypt = false) or check and open (decrypt = true) @p buf in place.
 * Authentication only needs SC || AK || buf contiguous: in @p scratch when
 * given, else in the 17 bytes just before @p buf (the caller reserved them).
 */
mtr_err_t sec_gcm(const struct mtr_hal *hal, const uint8_t key[16], const uint8_t ak[16], uint8_t sc,
                  const uint8_t title[8], uint32_t ic, uint8_t *buf, size_t len, uint8_t *tag, bool decrypt,
                  uint8_t *scratch, size_t scratch_cap)
{
    uint8_t iv[12];
    uint8_t aad[17];
    uint8_t t[GCM_TAG];
    mtr_err_t err;

    if (hal == NULL || hal->crypto == NULL || hal->crypto->gcm_encrypt == NULL || hal->crypto->gcm_decrypt == NULL)
        return MTR_ERR_NOTSUP;
    make_iv(iv, title, ic);
    aad[0] = sc;
    memcpy(aad + 1, ak, 16);
    if ((sc & (SC_AUTH | SC_ENC)) == (SC_AUTH | SC_ENC)) {
        err = decrypt ? hal->crypto->gcm_decrypt(hal->ctx, key, iv, 12, aad, 17, buf, len, buf, tag, GCM_TAG)
                      : hal->crypto->gcm_encrypt(hal->ctx, key, iv, 12, aad, 17, buf, len, buf, tag, GCM_TAG);
        return err == MTR_ERR_AUTH ? MTR_ERR_DLMS_CIPHER : err;
    }
    if (sc & SC_ENC) /* counter mode only: the same keystream both ways */
        return hal->crypto->gcm_encrypt(hal->ctx, key, iv, 12, NULL, 0, buf, len, buf, t, GCM_TAG);
    if (!(sc & SC_AUTH))
        return MTR_ERR_DLMS_APDU;
    if (scratch == NULL) {
        scratch = buf - 17;
    } else {
        if (scratch_cap < 17 + len)
            return MTR_ERR_DLMS_TOO_LONG;
        memmove(scratch + 17, buf, len);
    }
    memcpy(scratch, aad, 17);
    err = gmac(hal, key, iv, scratch, 17 + len, t);
    if (err != MTR_OK)
        return err;
    if (!decrypt) {
        memcpy(tag, t, GCM_TAG);
        return MTR_OK;
    }
    return equal_ct(t, tag, GCM_TAG) ? MTR_OK : MTR_ERR_DLMS_CIPHER;
}

mtr_err_t mtr_dlms_hls_gmac(const struct mtr_hal *hal, const struct mtr_dlms_security *sec,
                            const uint8_t title[8], uint32_t ic, const uint8_t *challenge, size_t len,
                            uint8_t out[17])
{
    uint8_t aad[17 + 64];
    uint8_t iv[12];
    mtr_err_t err;

    MTR_ASSERT(sec != NULL && title != NULL && challenge != NULL && out != NULL);
    if (len > 64)
        return MTR_ERR_INVAL;
    if (hal == NULL || hal->crypto == NULL || hal->crypto->gcm_encrypt == NULL)
        return MTR_ERR_NOTSUP;
    aad[0] = SC_AUTH;
    memcpy(aad + 1, sec->ak, 16);
    memcpy(aad + 17, challenge, len);
    make_iv(iv, title, ic);
    err = gmac(hal, sec->ek, iv, aad, 17 + len, out + 5);
    if (err != MTR_OK)
        return err;
    out[0] = SC_AUTH;
    mtr_put_be32(out + 1, ic);
    return MTR_OK;
}

/* ------------------------------------------------------------ requests */

struct sealed {
    const uint8_t *title;
    uint8_t *ct;
    size_t ct_len;
    uint32_t ic;
    uint8_t sc;
    uint8_t kind;
};

static mtr_err_t parse_sealed(const struct mtr_dlms_server *s, uint8_t *apdu, size_t len, struct sealed *x)
{
    struct dlms_rd r = {apdu + 1, apdu + len, false};
    uint8_t tag = apdu[0];
    uint32_t n;

    x->title = s->client_title;
    x->kind = tag == TAG_GENERAL_GLO ? PROT_GENERAL : tag >= TAG_GET_REQ + TAG_DED_OFFSET ? PROT_DED : PROT_GLO;
    if (x->kind == PROT_GENERAL) {
        if (rd_len(&r) != 8)
            return MTR_ERR_DLMS_APDU;
        x->title = rd_bytes(&r, 8);
    }
    n = rd_len(&r);
    x->sc = rd_u8(&r);
    x->ic = rd_be(&r, 4);
    if (r.bad || n != (size_t)(r.end - r.p) + 5)
        return MTR_ERR_DLMS_APDU;
    if ((x->sc & (SC_SUITE | SC_COMPRESS)) != 0 || (x->sc & (SC_AUTH | SC_ENC)) == 0 ||
        ((x->sc & SC_BROADCAST) && x->kind == PROT_DED))
        return MTR_ERR_DLMS_APDU;
    x->ct = (uint8_t *)(uintptr_t)r.p;
    x->ct_len = (size_t)(r.end - r.p);
    if (x->sc & SC_AUTH) {
        if (x->ct_len < GCM_TAG + 1u)
            return MTR_ERR_DLMS_APDU;
        x->ct_len -= GCM_TAG;
    }
    return x->ct_len > 0 ? MTR_OK : MTR_ERR_DLMS_APDU;
}

static mtr_err_t ex(struct mtr_dlms_server *s, struct dlms_out *o, uint8_t service, uint32_t ic, mtr_err_t err)
{
    out_exception(o, EX_NOT_ALLOWED, service, ic);
    s->cnt.exceptions++;
    return err;
}

mtr_err_t sec_decipher(struct mtr_dlms_server *s, uint8_t *apdu, size_t len, uint8_t *scratch,
                       size_t scratch_cap, uint8_t **plain, size_t *plain_len, struct dlms_out *o)
{
    struct mtr_dlms_security *sec = s->cfg->sec;
    struct sealed x;
    const uint8_t *key;
    mtr_err_t err;

    if (!s->ciphered || sec == NULL)
        return ex(s, o, EX_OP_NOT_POSSIBLE, 0, MTR_ERR_DLMS_DENIED);
    err = parse_sealed(s, apdu, len, &x);
    if (err != MTR_OK)
        return ex(s, o, EX_DECIPHERING, 0, err);
    if ((x.kind == PROT_DED && !s->has_ded) || (x.kind != PROT_GENERAL && !s->has_title) ||
        (x.kind == PROT_GENERAL && s->has_title && memcmp(x.title, s->client_title, 8) != 0))
        return ex(s, o, EX_OP_NOT_POSSIBLE, 0, MTR_ERR_DLMS_DENIED);
    if (sec->rx_seen[s->entry] && x.ic <= sec->rx_ic[s->entry]) {
        s->cnt.replays++;
        srv_event(s, MTR_DLMS_EV_REPLAY);
        return ex(s, o, EX_IC_ERROR, sec->rx_ic[s->entry] + 1u, MTR_ERR_DLMS_REPLAY);
    }
    key = x.kind == PROT_DED ? s->ded : (x.sc & SC_BROADCAST) ? sec->bk : sec->ek;
    err = sec_gcm(s->cfg->hal, key, sec->ak, x.sc, x.title, x.ic, x.ct, x.ct_len, x.ct + x.ct_len, true,
                  scratch, scratch_cap);
    if (err == MTR_ERR_DLMS_TOO_LONG)
        return ex(s, o, EX_PDU_TOO_LONG, 0, err);
    if (err != MTR_OK) {
        s->cnt.decrypt_failures++;
        srv_event(s, MTR_DLMS_EV_DECRYPT_FAILURE);
        return ex(s, o, EX_DECIPHERING, 0, MTR_ERR_DLMS_CIPHER);
    }
    if (x.kind != PROT_GENERAL && x.ct[0] + (x.kind == PROT_DED ? TAG_DED_OFFSET : TAG_GLO_OFFSET) != apdu[0])
        return ex(s, o, EX_DECIPHERING, 0, MTR_ERR_DLMS_APDU);
    sec->rx_ic[s->entry] = x.ic;
    sec->rx_seen[s->entry] = true;
    memcpy(s->resp_key, key, 16);
    s->resp_sc = (uint8_t)(x.sc & (SC_AUTH | SC_ENC));
    s->resp_kind = x.kind;
    *plain = x.ct;
    *plain_len = x.ct_len;
    return MTR_OK;
}

mtr_err_t sec_encipher(struct mtr_dlms_server *s, uint8_t tag_plain, uint8_t *out, size_t cap,
                       size_t plain_len, size_t *len)
{
    struct mtr_dlms_security *sec = s->cfg->sec;
    uint8_t *p = out + CIPHER_HEAD;
    size_t body = 5 + plain_len + ((s->resp_sc & SC_AUTH) ? GCM_TAG : 0u);
    uint8_t h[CIPHER_HEAD];
    struct dlms_out t = {h, sizeof h, 0};
    uint32_t ic;
    mtr_err_t err;

    if (sec->tx_ic == UINT32_MAX)
        return MTR_ERR_OVERFLOW;
    /* CIPHER_HEAD already holds the SC and IC that body counts (5 bytes). */
    if (CIPHER_HEAD + body - 5u > cap)
        return MTR_ERR_FULL;
    ic = sec->tx_ic;
    err = sec_gcm(s->cfg->hal, s->resp_key, sec->ak, s->resp_sc, sec->system_title, ic, p, plain_len,
                  p + plain_len, false, NULL, 0);
    memset(s->resp_key, 0, sizeof s->resp_key);
    if (err != MTR_OK)
        return err;
    sec->tx_ic++;
    if (s->resp_kind == PROT_GENERAL) {
        (void)out_u8(&t, TAG_GENERAL_GLO);
        (void)out_u8(&t, 8);
        (void)out_put(&t, sec->system_title, 8);
    } else {
        (void)out_u8(&t, (uint8_t)(tag_plain + (s->resp_kind == PROT_DED ? TAG_DED_OFFSET : TAG_GLO_OFFSET)));
    }
    (void)out_len(&t, (uint32_t)body);
    (void)out_u8(&t, s->resp_sc);
    (void)out_put(&t, (const uint8_t[4]){(uint8_t)(ic >> 24), (uint8_t)(ic >> 16), (uint8_t)(ic >> 8), (uint8_t)ic},
                  4);
    memcpy(out, h, t.len);
    memmove(out + t.len, p, body - 5);
    *len = t.len + body - 5;
    return MTR_OK;
}

mtr_err_t mtr_dlms_protect(const struct mtr_hal *hal, struct mtr_dlms_security *sec, uint8_t sc,
                           const uint8_t *apdu, size_t len, uint8_t *out, size_t cap, size_t *olen)
{
    size_t head = 20; /* >= tag, title (9), length (<= 3), SC, IC; and >= 17 for SC || AK */
    size_t body = len + ((sc & SC_AUTH) ? GCM_TAG : 0u);
    struct dlms_out t = {out, cap, 0};
    uint32_t ic;
    mtr_err_t err;

    MTR_ASSERT(sec != NULL && apdu != NULL && out != NULL && olen != NULL);
    if (sc != SC_AUTH && sc != SC_ENC && sc != (SC_AUTH | SC_ENC))
        return MTR_ERR_INVAL;
    if (head + body > cap)
        return MTR_ERR_FULL;
    if (sec->tx_ic == UINT32_MAX)
        return MTR_ERR_OVERFLOW;
    ic = sec->tx_ic;
    memmove(out + head, apdu, len);
    err = sec_gcm(hal, sec->ek, sec->ak, sc, sec->system_title, ic, out + head, len, out + head + len, false,
                  NULL, 0);
    if (err != MTR_OK)
        return err;
    sec->tx_ic++;
    (void)out_u8(&t, TAG_GENERAL_GLO);
    (void)out_u8(&t, 8);
    (void)out_put(&t, sec->system_title, 8);
    (void)out_len(&t, (uint32_t)(5 + body));
    (void)out_u8(&t, sc);
    mtr_put_be32(out + t.len, ic);
    t.len += 4;
    memmove(out + t.len, out + head, body);
    *olen = t.len + body;
    return MTR_OK;
}

/* ------------------------------------------------------------ built-in methods */

static void put_result(struct mtr_dlms_server *s, struct mtr_dlms_axdr_writer *w, const uint8_t f[17])
{
    memcpy(s->ctos, f, 17); /* the writer may keep a view until the response is sent */
    (void)mtr_dlms_axdr_put_string(w, MTR_DLMS_OCTET_STRING, s->ctos, 17);
}

/* reply_to_HLS_authentication: data is octet-string f(StoC); answers f(CtoS). */
static uint8_t reply_to_hls(struct mtr_dlms_server *s, const uint8_t *data, size_t len,
                            struct mtr_dlms_axdr_writer *w, mtr_err_t *err)
{
    struct mtr_dlms_security *sec = s->cfg->sec;
    uint8_t f[17];

    if (len != 19 || data[0] != MTR_DLMS_OCTET_STRING || data[1] != 17 || data[2] != SC_AUTH)
        return MTR_DLMS_DAR_TYPE_UNMATCHED;
    if (mtr_dlms_hls_gmac(s->cfg->hal, sec, s->client_title, mtr_get_be32(data + 3), s->stoc,
                          MTR_CFG_DLMS_CHALLENGE, f) != MTR_OK ||
        !equal_ct(f + 5, data + 7, GCM_TAG)) {
        s->cnt.auth_failures++;
        srv_event(s, MTR_DLMS_EV_AUTH_FAILURE);
        *err = MTR_ERR_AUTH;
        return MTR_DLMS_DAR_READ_WRITE_DENIED;
    }
    if (sec->tx_ic == UINT32_MAX ||
        mtr_dlms_hls_gmac(s->cfg->hal, sec, sec->system_title, sec->tx_ic, s->ctos, s->ctos_len, f) != MTR_OK)
        return MTR_DLMS_DAR_OTHER;
    sec->tx_ic++;
    s->state = MTR_DLMS_ASSOC_ASSOCIATED;
    s->cnt.associations++;
    srv_event(s, MTR_DLMS_EV_AUTH_OK);
    if (s->cfg->local_port)
        srv_event(s, MTR_DLMS_EV_LOCAL_COMM);
    put_result(s, w, f);
    return 0;
}

bool dlms_builtin_action(struct mtr_dlms_server *s, const struct dlms_desc *d, const uint8_t *data,
                         size_t data_len, struct mtr_dlms_axdr_writer *w, uint8_t *result, mtr_err_t *err)
{
    if (d->class_id == 15 && d->id == 1 && memcmp(d->obis, ln_association, 6) == 0 &&
        s->state == MTR_DLMS_ASSOC_PENDING) {
        *result = data == NULL ? MTR_DLMS_DAR_TYPE_UNMATCHED : reply_to_hls(s, data, data_len, w, err);
        return true;
    }
    if (d->class_id == 64 && d->id == 2 && s->cfg->sec != NULL &&
        memcmp(d->obis, s->cfg->security_setup, 6) == 0) {
        if (s->state != MTR_DLMS_ASSOC_ASSOCIATED || !(srv_entry(s)->flags & MTR_DLMS_ASSOC_KEY_TRANSFER))
            *result = MTR_DLMS_DAR_READ_WRITE_DENIED;
        else
            *result = data == NULL ? MTR_DLMS_DAR_TYPE_UNMATCHED : srv_dar(sec_key_transfer(s, data, data_len));
        return true;
    }
    return false;
}

/* global_key_transfer: array of structure {enum key_id, octet-string wrapped_key (24)}. */
mtr_err_t sec_key_transfer(struct mtr_dlms_server *s, const uint8_t *data, size_t len)
{
    struct mtr_dlms_security *sec = s->cfg->sec;
    const struct mtr_crypto_ops *c = s->cfg->hal->crypto;
    uint8_t keys[4][16];
    uint8_t ids[4];
    struct dlms_rd r = {data, data + len, false};
    uint32_t n;

    if (c == NULL || c->key_unwrap == NULL)
        return MTR_ERR_NOTSUP;
    if (rd_u8(&r) != MTR_DLMS_ARRAY)
        return MTR_ERR_INVAL;
    n = rd_len(&r);
    if (r.bad || n < 1 || n > 4)
        return MTR_ERR_INVAL;
    for (uint32_t k = 0; k < n; k++) {
        const uint8_t *wrapped;
        if (rd_be(&r, 3) != 0x020216u) /* structure of 2, enum */
            return MTR_ERR_INVAL;
        ids[k] = rd_u8(&r);
        if (rd_be(&r, 2) != 0x0918u || ids[k] > 3) /* octet-string of 24 bytes */
            return MTR_ERR_INVAL;
        wrapped = rd_bytes(&r, 24);
        if (r.bad)
            return MTR_ERR_INVAL;
        if (c->key_unwrap(s->cfg->hal->ctx, sec->kek, wrapped, 24, keys[k]) != MTR_OK) {
            memset(keys, 0, sizeof keys);
            return MTR_ERR_AUTH;
        }
    }
    if (!rd_done(&r)) {
        memset(keys, 0, sizeof keys);
        return MTR_ERR_INVAL;
    }
    for (uint32_t k = 0; k < n; k++) {
        uint8_t *dst = ids[k] == 0 ? sec->ek : ids[k] == 1 ? sec->bk : ids[k] == 2 ? sec->ak : sec->kek;
        memcpy(dst, keys[k], 16);
    }
    memset(keys, 0, sizeof keys);
    memset(sec->rx_seen, 0, sizeof sec->rx_seen); /* counters restart with new keys */
    s->cnt.key_changes++;
    srv_event(s, MTR_DLMS_EV_KEY_CHANGED);
    return MTR_OK;
}

/* ------------------------------------------------------------ saved counters */

#define BLOB_VERSION 1u

size_t mtr_dlms_security_blob_size(void)
{
    return MTR_DLMS_SECURITY_BLOB;
}

bool mtr_dlms_security_save_due(const struct mtr_dlms_security *sec)
{
    MTR_ASSERT(sec != NULL);
    return sec->tx_ic - sec->tx_saved >= MTR_CFG_DLMS_IC_GAP / 2u;
}

mtr_err_t mtr_dlms_security_save(struct mtr_dlms_security *sec, uint8_t *buf, size_t cap, size_t *len)
{
    uint8_t *p = buf + 12;

    MTR_ASSERT(sec != NULL && buf != NULL && len != NULL);
    if (cap < MTR_DLMS_SECURITY_BLOB)
        return MTR_ERR_FULL;
    if (sec->tx_ic > UINT32_MAX - MTR_CFG_DLMS_IC_GAP)
        return MTR_ERR_OVERFLOW;
    memset(buf, 0, 12);
    buf[0] = BLOB_VERSION;
    buf[1] = MTR_CFG_DLMS_ASSOC_MAX;
    mtr_put_be32(buf + 4, sec->tx_ic + MTR_CFG_DLMS_IC_GAP);
    for (unsigned k = 0; k < MTR_CFG_DLMS_ASSOC_MAX; k++) {
        mtr_put_be32(p, sec->rx_ic[k]);
        p[4] = sec->rx_seen[k];
        p += 5;
    }
    mtr_put_be32(p, mtr_crc32(buf, (size_t)(p - buf)));
    sec->tx_saved = sec->tx_ic;
    *len = MTR_DLMS_SECURITY_BLOB;
    return MTR_OK;
}

mtr_err_t mtr_dlms_security_load(struct mtr_dlms_security *sec, const uint8_t *buf, size_t len)
{
    const uint8_t *p = buf + 12;
    size_t body = MTR_DLMS_SECURITY_BLOB - 4;

    MTR_ASSERT(sec != NULL && buf != NULL);
    if (len < 2)
        return MTR_ERR_DLMS_BLOB;
    if (buf[0] != BLOB_VERSION)
        return MTR_ERR_DLMS_BLOB_VERSION;
    if (len != MTR_DLMS_SECURITY_BLOB || buf[1] != MTR_CFG_DLMS_ASSOC_MAX)
        return MTR_ERR_DLMS_BLOB;
    if (mtr_crc32(buf, body) != mtr_get_be32(buf + body))
        return MTR_ERR_DLMS_BLOB_CRC;
    for (unsigned k = 0; k < MTR_CFG_DLMS_ASSOC_MAX; k++)
        if (p[5 * k + 4] > 1)
            return MTR_ERR_DLMS_BLOB;
    sec->tx_ic = mtr_get_be32(buf + 4);
    sec->tx_saved = sec->tx_ic;
    for (unsigned k = 0; k < MTR_CFG_DLMS_ASSOC_MAX; k++) {
        sec->rx_ic[k] = mtr_get_be32(p + 5 * k);
        sec->rx_seen[k] = p[5 * k + 4] != 0;
    }
    return MTR_OK;
}
