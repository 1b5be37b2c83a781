/* SPDX-License-Identifier: Apache-2.0 */
/* xDLMS server: APDU dispatch, association checks, exception-response, glue. */
#include "server_private.h"

/* ------------------------------------------------------------ request reader */

uint8_t rd_u8(struct dlms_rd *r)
{
    if (r->bad || r->p >= r->end) {
        r->bad = true;
        return 0;
    }
    return *r->p++;
}

uint32_t rd_be(struct dlms_rd *r, unsigned n)
{
    uint32_t v = 0;

    if (r->bad || (size_t)(r->end - r->p) < n) {
        r->bad = true;
        return 0;
    }
    while (n--)
        v = (v << 8) | *r->p++;
    return v;
}

const uint8_t *rd_bytes(struct dlms_rd *r, size_t n)
{
    const uint8_t *q = r->p;

    if (r->bad || (size_t)(r->end - r->p) < n) {
        r->bad = true;
        return NULL;
    }
    r->p += n;
    return q;
}

void rd_desc(struct dlms_rd *r, struct dlms_desc *d)
{
    const uint8_t *obis;

    d->class_id = (uint16_t)rd_be(r, 2);
    obis = rd_bytes(r, 6);
    if (obis != NULL)
        memcpy(d->obis, obis, 6);
    d->id = rd_u8(r);
}

const uint8_t *rd_data(struct dlms_rd *r, size_t *len)
{
    const uint8_t *q = r->p;

    if (r->bad || mtr_dlms_axdr_skip(&r->p, r->end) != MTR_OK) {
        r->bad = true;
        return NULL;
    }
    *len = (size_t)(r->p - q);
    return q;
}

uint32_t rd_len(struct dlms_rd *r)
{
    uint32_t n = 0;

    if (r->bad || mtr_dlms_axdr_get_length(&r->p, r->end, &n, NULL) != MTR_OK)
        r->bad = true;
    return n;
}

/* ------------------------------------------------------------ response writer */

bool out_put(struct dlms_out *o, const void *b, size_t n)
{
    if (n > o->cap - o->len)
        return false;
    if (n > 0)
        memcpy(o->buf + o->len, b, n);
    o->len += n;
    return true;
}

bool out_u8(struct dlms_out *o, uint8_t v)
{
    return out_put(o, &v, 1);
}

size_t len_size(uint32_t n)
{
    return n < 0x80u ? 1u : n <= 0xFFu ? 2u : n <= 0xFFFFu ? 3u : 5u;
}

bool out_len(struct dlms_out *o, uint32_t n)
{
    uint8_t b[5];
    size_t k = len_size(n);

    if (k == 1) {
        b[0] = (uint8_t)n;
    } else {
        b[0] = (uint8_t)(0x80u + k - 1u);
        for (size_t i = k - 1; i >= 1; i--) {
            b[i] = (uint8_t)n;
            n >>= 8;
        }
    }
    return out_put(o, b, k);
}

void out_exception(struct dlms_out *o, uint8_t state, uint8_t service, uint32_t ic)
{
    uint8_t b[7] = {TAG_EXCEPTION, state, service};

    mtr_put_be32(b + 3, ic);
    o->len = 0;
    (void)out_put(o, b, service == EX_IC_ERROR ? 7u : 3u);
}

/* ------------------------------------------------------------ server helpers */

const struct mtr_dlms_assoc_cfg *srv_entry(const struct mtr_dlms_server *s)
{
    return &s->cfg->assocs[s->entry];
}

bool srv_conf(const struct mtr_dlms_server *s, uint32_t bits)
{
    return (s->conformance & bits) == bits;
}

/* Index of the object (class, obis), or -1 with the data-access-result. */
int srv_find(const struct mtr_dlms_server *s, uint16_t class_id, const uint8_t obis[6], uint8_t *dar)
{
    *dar = MTR_DLMS_DAR_OBJECT_UNDEFINED;
    for (uint16_t k = 0; k < s->cfg->nobjects; k++) {
        const struct mtr_dlms_obj *o = &s->cfg->objects[k];
        if (memcmp(o->obis, obis, 6) != 0)
            continue;
        if (o->class_id == class_id)
            return k;
        *dar = 9; /* object-class-inconsistent */
    }
    return -1;
}

/* kind: 0 get, 1 set, 2 action. Only an open association has rights. */
bool srv_allowed(const struct mtr_dlms_server *s, const struct mtr_dlms_obj *o, int kind, uint8_t id)
{
    const struct mtr_dlms_access *a;
    uint32_t mask;

    if (s->state != MTR_DLMS_ASSOC_ASSOCIATED || id == 0 || o->access == NULL ||
        id > (kind == 2 ? MTR_DLMS_METHOD_MAX : MTR_DLMS_ATTR_MAX))
        return false;
    a = &o->access[srv_entry(s)->profile];
    mask = kind == 0 ? a->get : kind == 1 ? a->set : a->act;
    return (mask >> (id - 1u)) & 1u;
}

uint8_t srv_resolve(const struct mtr_dlms_server *s, const struct dlms_desc *d, int kind,
                    uint16_t *idx)
{
    const struct mtr_dlms_obj *o;
    uint8_t dar;
    int k = srv_find(s, d->class_id, d->obis, &dar);
    bool present;

    *idx = 0;
    if (k < 0)
        return dar;
    o = &s->cfg->objects[k];
    /* Attribute 1 (logical name) is always readable and never writable. */
    if (!srv_allowed(s, o, kind, d->id) || (kind == 1 && d->id == 1))
        return MTR_DLMS_DAR_READ_WRITE_DENIED;
    present = kind == 0 ? (d->id == 1 || o->get != NULL) : kind == 1 ? o->set != NULL : o->action != NULL;
    if (!present)
        return MTR_DLMS_DAR_OBJECT_UNAVAILABLE;
    *idx = (uint16_t)k;
    return MTR_DLMS_DAR_SUCCESS;
}

uint8_t srv_dar(mtr_err_t err)
{
    switch (err) {
    case MTR_OK:
        return MTR_DLMS_DAR_SUCCESS;
    case MTR_ERR_IO:
        return MTR_DLMS_DAR_HARDWARE_FAULT;
    case MTR_ERR_BUSY:
    case MTR_ERR_TIMEOUT:
        return MTR_DLMS_DAR_TEMPORARY_FAILURE;
    case MTR_ERR_DLMS_DENIED:
        return MTR_DLMS_DAR_READ_WRITE_DENIED;
    case MTR_ERR_NOENT:
        return MTR_DLMS_DAR_OBJECT_UNDEFINED;
    case MTR_ERR_NOTSUP:
        return MTR_DLMS_DAR_OBJECT_UNAVAILABLE;
    case MTR_ERR_INVAL:
    case MTR_ERR_DLMS_TRUNCATED:
    case MTR_ERR_DLMS_LENGTH:
    case MTR_ERR_DLMS_TAG:
    case MTR_ERR_DLMS_DEPTH:
    case MTR_ERR_DLMS_COUNT:
    case MTR_ERR_DLMS_VALUE:
        return MTR_DLMS_DAR_TYPE_UNMATCHED;
    case MTR_ERR_RANGE:
        return MTR_DLMS_DAR_SCOPE_VIOLATED;
    default:
        return MTR_DLMS_DAR_OTHER;
    }
}

static const char *event_name(uint16_t code)
{
    switch (code) {
    case MTR_DLMS_EV_AUTH_FAILURE:
        return "Association authentication failure (n times wrong password)";
    case MTR_DLMS_EV_KEY_CHANGED:
        return "Global key changed";
    case MTR_DLMS_EV_DECRYPT_FAILURE:
        return "Decryption or authentication failure";
    case MTR_DLMS_EV_REPLAY:
        return "Replay attack";
    case MTR_DLMS_EV_LOCAL_COMM:
        return "Local communication attempt";
    default:
        return "Successful user authentication";
    }
}

void srv_event(struct mtr_dlms_server *s, uint16_t code)
{
    if (s->cfg->on_event != NULL)
        s->cfg->on_event(s->cfg->user, code, event_name(code));
}

void srv_call_init(const struct mtr_dlms_server *s, struct mtr_dlms_call *c, const struct mtr_dlms_obj *o,
                   uint8_t id)
{
    memset(c, 0, sizeof *c);
    c->obj = o;
    c->user = s->cfg->user;
    c->client_sap = s->client_sap;
    c->id = id;
    c->profile = srv_entry(s)->profile;
    c->server = s;
}

bool mtr_dlms_server_room(const struct mtr_dlms_axdr_writer *w)
{
    MTR_ASSERT(w != NULL);
    return mtr_dlms_axdr_writer_pending(w) == 0 && w->len < w->cap;
}

/* ------------------------------------------------------------ init and state */

static bool assoc_ok(const struct mtr_dlms_server_cfg *cfg, const struct mtr_dlms_assoc_cfg *a)
{
    const struct mtr_hal *hal = cfg->hal;
    bool crypto = cfg->sec != NULL && hal != NULL && hal->crypto != NULL &&
                  hal->crypto->gcm_encrypt != NULL && hal->crypto->gcm_decrypt != NULL;

    /* client_SAP of associated_partners_id is an integer (Blue Book class 15) */
    if (a->profile >= MTR_CFG_DLMS_PROFILES || a->policy > MTR_DLMS_POLICY_AUTH_ENC || a->client_sap > 127 ||
        (a->conformance & ~(uint32_t)MTR_DLMS_CONF_SERVER) != 0)
        return false;
    if (a->mechanism == MTR_DLMS_MECH_LLS)
        return a->secret != NULL && a->secret_len >= 1 && a->secret_len <= 64;
    if (a->mechanism == MTR_DLMS_MECH_HLS_GMAC)
        return crypto && hal->sys != NULL && hal->sys->entropy != NULL;
    if (a->mechanism != MTR_DLMS_MECH_NONE)
        return false;
    return a->policy == MTR_DLMS_POLICY_NONE || crypto;
}

mtr_err_t mtr_dlms_server_init(struct mtr_dlms_server *s, const struct mtr_dlms_server_cfg *cfg)
{
    MTR_ASSERT(s != NULL && cfg != NULL);
    if (cfg->assocs == NULL || cfg->nassocs == 0 || cfg->nassocs > MTR_CFG_DLMS_ASSOC_MAX ||
        (cfg->objects == NULL && cfg->nobjects > 0) || cfg->max_pdu < 64 ||
        cfg->max_pdu > MTR_CFG_DLMS_MAX_APDU || (cfg->conformance & ~(uint32_t)MTR_DLMS_CONF_SERVER) != 0 ||
        (cfg->blk == NULL && cfg->blk_cap > 0))
        return MTR_ERR_INVAL;
    for (uint8_t k = 0; k < cfg->nassocs; k++)
        if (!assoc_ok(cfg, &cfg->assocs[k]))
            return MTR_ERR_INVAL;
    memset(s, 0, sizeof *s);
    s->cfg = cfg;
    return MTR_OK;
}

void mtr_dlms_server_abort(struct mtr_dlms_server *s)
{
    const struct mtr_dlms_server_cfg *cfg;
    const struct mtr_dlms_hdlc_link *hdlc;
    struct mtr_dlms_counters cnt;

    MTR_ASSERT(s != NULL);
    cfg = s->cfg;
    hdlc = s->hdlc;
    cnt = s->cnt;
    memset(s, 0, sizeof *s); /* also wipes the dedicated key and challenges */
    s->cfg = cfg;
    s->hdlc = hdlc;
    s->cnt = cnt;
}

uint8_t mtr_dlms_server_state(const struct mtr_dlms_server *s)
{
    MTR_ASSERT(s != NULL);
    return s->state;
}

uint32_t mtr_dlms_server_conformance(const struct mtr_dlms_server *s)
{
    MTR_ASSERT(s != NULL);
    return s->state == MTR_DLMS_ASSOC_IDLE ? 0 : s->conformance;
}

const struct mtr_dlms_counters *mtr_dlms_server_counters(const struct mtr_dlms_server *s)
{
    MTR_ASSERT(s != NULL);
    return &s->cnt;
}

void mtr_dlms_server_assoc(const struct mtr_dlms_server *s, struct mtr_dlms_assoc_info *info)
{
    MTR_ASSERT(s != NULL && info != NULL);
    memset(info, 0, sizeof *info);
    info->state = s->state;
    info->server_max_pdu = s->cfg->max_pdu;
    info->local_port = s->cfg->local_port;
    info->sec = s->cfg->sec;
    memcpy(info->security_setup, s->cfg->security_setup, 6);
    if (s->state == MTR_DLMS_ASSOC_IDLE)
        return;
    info->mechanism = srv_entry(s)->mechanism;
    info->policy = srv_entry(s)->policy;
    info->profile = srv_entry(s)->profile;
    info->flags = srv_entry(s)->flags;
    info->entry = s->entry;
    info->ciphered = s->ciphered != 0;
    info->client_sap = s->client_sap;
    info->client_max_pdu = s->max_tx;
    info->conformance = s->conformance;
    if (s->has_title) {
        info->has_client_title = true;
        memcpy(info->client_title, s->client_title, 8);
    }
}

size_t mtr_dlms_server_size(void)
{
    return sizeof(struct mtr_dlms_server);
}

/* ------------------------------------------------------------ dispatch */

/* A request from the pre-established entry of this SAP opens it implicitly. */
static bool pre_established(struct mtr_dlms_server *s, uint16_t sap)
{
    for (uint8_t k = 0; k < s->cfg->nassocs; k++) {
        const struct mtr_dlms_assoc_cfg *a = &s->cfg->assocs[k];
        if (a->client_sap != sap || !(a->flags & MTR_DLMS_ASSOC_PRE_ESTABLISHED))
            continue;
        mtr_dlms_server_abort(s);
        s->state = MTR_DLMS_ASSOC_ASSOCIATED;
        s->entry = k;
        s->client_sap = sap;
        s->conformance = a->conformance & s->cfg->conformance;
        s->max_tx = s->cfg->max_pdu;
        s->ciphered = a->policy != MTR_DLMS_POLICY_NONE;
        if (a->client_title != NULL) {
            memcpy(s->client_title, a->client_title, 8);
            s->has_title = true;
        }
        return true;
    }
    return false;
}

static bool is_ciphered_tag(uint8_t t)
{
    return (t >= TAG_GET_REQ + TAG_GLO_OFFSET && t <= TAG_ACTION_REQ + TAG_GLO_OFFSET) ||
           (t >= TAG_GET_REQ + TAG_DED_OFFSET && t <= TAG_ACTION_REQ + TAG_DED_OFFSET) ||
           t == TAG_GENERAL_GLO;
}

/* Policy bits the request must carry. */
static uint8_t policy_sc(uint8_t policy)
{
    return policy == MTR_DLMS_POLICY_AUTH ? SC_AUTH
           : policy == MTR_DLMS_POLICY_ENC ? SC_ENC
           : policy == MTR_DLMS_POLICY_AUTH_ENC ? (uint8_t)(SC_AUTH | SC_ENC)
                                                : 0u;
}

static mtr_err_t refuse(struct mtr_dlms_server *s, struct dlms_out *o, uint8_t state, uint8_t service,
                        mtr_err_t err)
{
    s->resp_kind = PROT_NONE;
    out_exception(o, state, service, 0);
    s->cnt.exceptions++;
    return err;
}

static mtr_err_t xdlms(struct mtr_dlms_server *s, uint8_t *apdu, size_t len, uint8_t *out, size_t cap,
                       struct dlms_out *o)
{
    uint8_t *plain = apdu;
    size_t plain_len = len;
    struct dlms_rd r;
    mtr_err_t err;

    s->resp_sc = 0;
    s->resp_kind = PROT_NONE;
    if (is_ciphered_tag(apdu[0])) {
        err = sec_decipher(s, apdu, len, out, cap, &plain, &plain_len, o);
        if (err != MTR_OK)
            return err;
    }
    if ((s->resp_sc & policy_sc(srv_entry(s)->policy)) != policy_sc(srv_entry(s)->policy))
        return refuse(s, o, EX_NOT_ALLOWED, EX_OP_NOT_POSSIBLE, MTR_ERR_DLMS_DENIED);
    if (plain_len < 2)
        return refuse(s, o, EX_NOT_ALLOWED, EX_OTHER, MTR_ERR_DLMS_APDU);
    r.p = plain + 1;
    r.end = plain + plain_len;
    r.bad = false;
    switch (plain[0]) {
    case TAG_GET_REQ:
        err = dlms_get(s, &r, o);
        break;
    case TAG_SET_REQ:
        err = dlms_set(s, &r, o);
        break;
    case TAG_ACTION_REQ:
        err = dlms_action(s, &r, o);
        break;
    default:
        return refuse(s, o, EX_UNKNOWN, EX_NOT_SUPPORTED, MTR_ERR_DLMS_APDU);
    }
    if (err == MTR_ERR_DLMS_APDU)
        return refuse(s, o, EX_NOT_ALLOWED, EX_OTHER, err);
    if (err == MTR_ERR_DLMS_SERVICE)
        return refuse(s, o, EX_NOT_ALLOWED, EX_NOT_SUPPORTED, err);
    return err;
}

/* The plain response sits at out + CIPHER_HEAD when the request was ciphered. */
static mtr_err_t finish(struct mtr_dlms_server *s, uint8_t *out, size_t cap, struct dlms_out *o,
                        size_t *out_len, mtr_err_t err)
{
    if (s->resp_kind != PROT_NONE && o->len > 0) {
        mtr_err_t e = sec_encipher(s, o->buf[0], out, cap, o->len, out_len);
        if (e != MTR_OK) {
            struct dlms_out x = {out, cap, 0};
            out_exception(&x, EX_NOT_ALLOWED, EX_OTHER, 0);
            *out_len = x.len;
            return e;
        }
        return err;
    }
    if (o->buf != out && o->len > 0)
        memmove(out, o->buf, o->len);
    *out_len = o->len;
    return err;
}

mtr_err_t mtr_dlms_server_apdu(struct mtr_dlms_server *s, uint16_t client_sap, uint8_t *apdu, size_t len,
                               uint8_t *out, size_t cap, size_t *out_len)
{
    struct dlms_out o;
    size_t lim;
    mtr_err_t err;

    MTR_ASSERT(s != NULL && apdu != NULL && out != NULL && out_len != NULL && cap >= MTR_DLMS_SERVER_MIN_OUT);
    *out_len = 0;
    o.buf = out;
    o.cap = cap;
    o.len = 0;
    if (len == 0 || len > s->cfg->max_pdu) {
        out_exception(&o, EX_NOT_ALLOWED, len == 0 ? EX_OTHER : EX_PDU_TOO_LONG, 0);
        s->cnt.exceptions++;
        *out_len = o.len;
        return len == 0 ? MTR_ERR_DLMS_APDU : MTR_ERR_DLMS_TOO_LONG;
    }
    if (apdu[0] == TAG_AARQ || apdu[0] == TAG_RLRQ) {
        err = apdu[0] == TAG_AARQ ? dlms_aarq(s, client_sap, apdu, len, &o)
                                  : dlms_rlrq(s, client_sap, apdu, len, &o);
        *out_len = o.len;
        return err;
    }
    if (s->state == MTR_DLMS_ASSOC_IDLE || s->client_sap != client_sap) {
        bool pre = s->state == MTR_DLMS_ASSOC_IDLE ||
                   (srv_entry(s)->flags & MTR_DLMS_ASSOC_PRE_ESTABLISHED);
        if (!pre || !pre_established(s, client_sap)) {
            out_exception(&o, EX_NOT_ALLOWED, EX_OP_NOT_POSSIBLE, 0);
            s->cnt.exceptions++;
            *out_len = o.len;
            return MTR_ERR_DLMS_ASSOC;
        }
    }
    lim = cap < s->max_tx ? cap : s->max_tx; /* both >= 64 */
    if (is_ciphered_tag(apdu[0])) {
        o.buf = out + CIPHER_HEAD;
        o.cap = lim - CIPHER_ROOM;
    } else {
        o.cap = lim;
    }
    err = xdlms(s, apdu, len, out, cap, &o);
    return finish(s, out, cap, &o, out_len, err);
}

/* ------------------------------------------------------------ HDLC glue */

void mtr_dlms_server_attach_hdlc(struct mtr_dlms_server *s, const struct mtr_dlms_hdlc_link *link)
{
    MTR_ASSERT(s != NULL && link != NULL);
    s->hdlc = link;
}

mtr_err_t mtr_dlms_server_hdlc_apdu(void *user, const uint8_t *apdu, size_t len, uint8_t *resp, size_t cap,
                                    size_t *resp_len)
{
    struct mtr_dlms_server *s = user;

    MTR_ASSERT(s != NULL && s->hdlc != NULL);
    /* The link's reassembly buffer is the caller's and writable: decipher in place. */
    (void)mtr_dlms_server_apdu(s, s->hdlc->client, (uint8_t *)(uintptr_t)apdu, len, resp, cap, resp_len);
    return MTR_OK;
}
