/* SPDX-License-Identifier: Apache-2.0 */
/*
 * System objects (objects_system.def): the current association (class 15
 * version 1) with its object_list, SAP assignment (17), security setup (64
 * version 0), TCP-UDP setup (41), IEC HDLC setup (23 version 1), IEC local
 * port setup (19 version 1) and the firmware identifiers (class 1).
 * Attribute layouts: DLMS UA Blue Book (IEC 62056-6-2), section 4.
 * Push setups and schedulers are in cosem_sys_push.c, image transfer in
 * cosem_sys_image.c.
 */
#include "cosem_sys.h"

#include <stddef.h>
#include <string.h>

_Static_assert(MTR_CFG_DLMS_PROFILES >= MTR_COSEM_ROLES,
               "the object table needs a profile per role");

const uint8_t cosem_sys_index[MTR_COSEM_PUSHES] = {0, 1, 2, 3, 4, 5};

/* ------------------------------------------------------------ access rights */

/* Roles: seed security.json "client roles". Everyone may read the current
 * association (object_list is how a client discovers the meter); writes of
 * settings and the firmware update are for the management client only. */
#define R_ASSOC (COSEM_UPTO(6) | COSEM_BIT(8) | COSEM_BIT(9))
#define ALL_ROLES(g, s, a)                                                                         \
    {                                                                                              \
        [MTR_COSEM_ROLE_PUBLIC] = {(g), 0, 0}, [MTR_COSEM_ROLE_MANAGEMENT] = {(g), (s), (a)},      \
        [MTR_COSEM_ROLE_LEVEL1] = {(g), 0, 0}, [MTR_COSEM_ROLE_LEVEL2] = {(g), 0, 0},              \
        [MTR_COSEM_ROLE_LEVEL3] = {(g), 0, 0}, [MTR_COSEM_ROLE_PRE_ESTABLISHED] = {(g), 0, 0},     \
    }
/* Readable by the authenticated roles, logical name only for public and pre-established. */
#define AUTH_ROLES(g, s, a)                                                                        \
    {                                                                                              \
        [MTR_COSEM_ROLE_PUBLIC] = {COSEM_BIT(1), 0, 0},                                            \
        [MTR_COSEM_ROLE_MANAGEMENT] = {(g), (s), (a)}, [MTR_COSEM_ROLE_LEVEL1] = {(g), 0, 0},      \
        [MTR_COSEM_ROLE_LEVEL2] = {(g), 0, 0}, [MTR_COSEM_ROLE_LEVEL3] = {(g), 0, 0},              \
        [MTR_COSEM_ROLE_PRE_ESTABLISHED] = {COSEM_BIT(1), 0, 0},                                   \
    }

/* Attribute 7 (secret, write-only): each password role changes its own LLS
 * password. Method 1 (reply_to_HLS_authentication) is answered by the server
 * while an HLS association is pending, before any right applies; in an open
 * association it is no-access. */
const struct mtr_dlms_access cosem_acc_sys_assoc[MTR_CFG_DLMS_PROFILES] = {
    [MTR_COSEM_ROLE_PUBLIC] = {R_ASSOC, 0, 0},
    [MTR_COSEM_ROLE_MANAGEMENT] = {R_ASSOC, COSEM_BIT(7), 0},
    [MTR_COSEM_ROLE_LEVEL1] = {R_ASSOC, COSEM_BIT(7), 0},
    [MTR_COSEM_ROLE_LEVEL2] = {R_ASSOC, COSEM_BIT(7), 0},
    [MTR_COSEM_ROLE_LEVEL3] = {R_ASSOC, COSEM_BIT(7), 0},
    [MTR_COSEM_ROLE_PRE_ESTABLISHED] = {R_ASSOC, 0, 0},
};
const struct mtr_dlms_access cosem_acc_sys_sap[MTR_CFG_DLMS_PROFILES] =
    ALL_ROLES(COSEM_UPTO(2), 0, 0);
/* Method 1 (security_activate) raises the policy of the management client's
 * own association entry; method 2 (global_key_transfer) is answered by the
 * server itself, which also checks the MTR_DLMS_ASSOC_KEY_TRANSFER flag of
 * the association. */
const struct mtr_dlms_access cosem_acc_sys_security[MTR_CFG_DLMS_PROFILES] =
    ALL_ROLES(COSEM_UPTO(5), 0, COSEM_UPTO(2));
const struct mtr_dlms_access cosem_acc_sys_push[MTR_CFG_DLMS_PROFILES] =
    AUTH_ROLES(COSEM_UPTO(7), COSEM_UPTO(7) & ~COSEM_BIT(1), COSEM_BIT(1));
const struct mtr_dlms_access cosem_acc_sys_sched[MTR_CFG_DLMS_PROFILES] =
    AUTH_ROLES(COSEM_UPTO(4), COSEM_BIT(4), 0);
/* The push script table: executed by the management client (as push method 1). */
const struct mtr_dlms_access cosem_acc_sys_script[MTR_CFG_DLMS_PROFILES] =
    AUTH_ROLES(COSEM_UPTO(2), 0, COSEM_BIT(1));
const struct mtr_dlms_access cosem_acc_sys_tcp[MTR_CFG_DLMS_PROFILES] =
    AUTH_ROLES(COSEM_UPTO(6), COSEM_UPTO(6) & ~COSEM_BIT(1), 0);
const struct mtr_dlms_access cosem_acc_sys_hdlc[MTR_CFG_DLMS_PROFILES] =
    AUTH_ROLES(COSEM_UPTO(9), COSEM_UPTO(9) & ~COSEM_BIT(1), 0);
/* Attributes 7..9 (the IEC 62056-21 passwords P1, P2, W5) are write-only. */
const struct mtr_dlms_access cosem_acc_sys_local[MTR_CFG_DLMS_PROFILES] =
    AUTH_ROLES(COSEM_UPTO(6), COSEM_UPTO(9) & ~COSEM_BIT(1), 0);
const struct mtr_dlms_access cosem_acc_sys_fw[MTR_CFG_DLMS_PROFILES] =
    ALL_ROLES(COSEM_UPTO(2), 0, 0);
/* Seed security.json: the firmware update is for the management client only. */
const struct mtr_dlms_access cosem_acc_sys_image[MTR_CFG_DLMS_PROFILES] =
    AUTH_ROLES(COSEM_UPTO(7), COSEM_BIT(5), COSEM_UPTO(4));

/* ------------------------------------------------------------ streaming */

void sys_emit_init(struct sys_emit *e, struct mtr_dlms_axdr_writer *w, uint32_t *count)
{
    e->w = w;
    e->count = count;
    e->skip = *count;
    e->idx = 0;
    e->err = MTR_OK;
}

/* True when item e->idx is to be written now. */
static bool due(struct sys_emit *e)
{
    if (e->err != MTR_OK)
        return false;
    if (e->idx < e->skip) {
        e->idx++;
        return false;
    }
    if (!mtr_dlms_server_room(e->w)) {
        e->err = MTR_ERR_FULL;
        return false;
    }
    return true;
}

static void done(struct sys_emit *e, mtr_err_t err)
{
    if (err != MTR_OK) {
        e->err = err;
        return;
    }
    e->idx++;
    *e->count = e->idx;
}

void sys_cont(struct sys_emit *e, uint8_t tag, uint32_t n)
{
    if (due(e))
        done(e, mtr_dlms_axdr_put_container(e->w, tag, n));
}

void sys_uint(struct sys_emit *e, uint8_t tag, uint64_t v)
{
    if (due(e))
        done(e, mtr_dlms_axdr_put_uint(e->w, tag, v));
}

void sys_int(struct sys_emit *e, uint8_t tag, int64_t v)
{
    if (due(e))
        done(e, mtr_dlms_axdr_put_int(e->w, tag, v));
}

void sys_str(struct sys_emit *e, uint8_t tag, const uint8_t *p, uint32_t n)
{
    if (due(e))
        done(e, mtr_dlms_axdr_put_string(e->w, tag, n > 0 ? p : NULL, n));
}

void sys_bits(struct sys_emit *e, const uint8_t *p, uint32_t bits)
{
    if (due(e))
        done(e, mtr_dlms_axdr_put_bits(e->w, bits > 0 ? p : NULL, bits));
}

void sys_null(struct sys_emit *e)
{
    if (due(e))
        done(e, mtr_dlms_axdr_put_fixed(e->w, MTR_DLMS_NULL_DATA, NULL));
}

/* ------------------------------------------------------------ decoding */

void sys_rd_init(struct sys_rd *r, const uint8_t *data, size_t len)
{
    mtr_dlms_axdr_reader_init(&r->r);
    r->p = data;
    r->end = data + len;
    r->bad = data == NULL;
}

static bool take(struct sys_rd *r, uint8_t tag, struct mtr_dlms_axdr_token *t)
{
    if (r->bad || mtr_dlms_axdr_next(&r->r, &r->p, r->end, t) != MTR_OK || t->tag != tag)
        r->bad = true;
    return !r->bad;
}

uint32_t sys_rd_cont(struct sys_rd *r, uint8_t tag)
{
    struct mtr_dlms_axdr_token t;
    return take(r, tag, &t) ? t.count : 0;
}

uint64_t sys_rd_uint(struct sys_rd *r, uint8_t tag)
{
    struct mtr_dlms_axdr_token t;
    uint64_t v = 0;

    if (take(r, tag, &t) && mtr_dlms_axdr_get_uint(&t, &v) != MTR_OK)
        r->bad = true;
    return r->bad ? 0 : v;
}

int64_t sys_rd_int(struct sys_rd *r, uint8_t tag)
{
    struct mtr_dlms_axdr_token t;
    int64_t v = 0;

    if (take(r, tag, &t) && mtr_dlms_axdr_get_int(&t, &v) != MTR_OK)
        r->bad = true;
    return r->bad ? 0 : v;
}

const uint8_t *sys_rd_str(struct sys_rd *r, uint8_t tag, uint32_t *len)
{
    struct mtr_dlms_axdr_token t;

    *len = 0;
    if (!take(r, tag, &t))
        return NULL;
    *len = t.value_len;
    return t.value;
}

bool sys_rd_done(const struct sys_rd *r)
{
    return !r->bad && r->p == r->end && mtr_dlms_axdr_done(&r->r);
}

/* ------------------------------------------------------------ shared */

static const uint8_t ln_security_setup[6] = {0, 0, 43, 0, 0, 255};

void sys_assoc(const struct mtr_dlms_call *c, struct mtr_dlms_assoc_info *info)
{
    if (c->server != NULL) {
        mtr_dlms_server_assoc(c->server, info);
        return;
    }
    memset(info, 0, sizeof *info);
    info->sec = cosem_of(c)->cfg.sec;
    memcpy(info->security_setup, ln_security_setup, 6);
}

void sys_changed(struct mtr_cosem *c, uint8_t what, uint8_t index)
{
    if (c->cfg.changed != NULL)
        c->cfg.changed(c->cfg.user, what, index);
}

/* ------------------------------------------------------------ object_list */

/* Attributes and methods of each interface class (Blue Book, section 4). */
struct class_shape {
    uint8_t cls;
    uint8_t attrs;
    uint8_t methods;
};

static const struct class_shape shapes[] = {
    {1, 2, 0},    /* Data */
    {3, 3, 1},    /* Register */
    {4, 5, 1},    /* Extended register */
    {5, 9, 2},    /* Demand register */
    {6, 4, 3},    /* Register activation */
    {7, 8, 2},    /* Profile generic (version 1) */
    {8, 9, 6},    /* Clock */
    {9, 2, 1},    /* Script table */
    {11, 2, 2},   /* Special days table */
    {15, 9, 4},   /* Association LN (version 1) */
    {17, 2, 1},   /* SAP assignment */
    {18, 7, 4},   /* Image transfer */
    {19, 9, 0},   /* IEC local port setup (version 1) */
    {20, 10, 1},  /* Activity calendar */
    {21, 4, 0},   /* Register monitor */
    {22, 4, 0},   /* Single action schedule */
    {23, 9, 0},   /* IEC HDLC setup (version 1) */
    {40, 7, 1},   /* Push setup (version 0) */
    {41, 6, 0},   /* TCP-UDP setup */
    {61, 4, 2},   /* Register table */
    {63, 3, 0},   /* Status mapping */
    {64, 5, 2},   /* Security setup (version 0) */
    {70, 4, 2},   /* Disconnect control */
    {71, 11, 0},  /* Limiter */
    {111, 19, 3}, /* Account */
    {112, 11, 3}, /* Credit */
    {113, 13, 5}, /* Charge */
    {115, 6, 1},  /* Token gateway */
};

static uint8_t highest(uint32_t mask)
{
    uint8_t n = 0;
    while (mask != 0) {
        n++;
        mask >>= 1;
    }
    return n;
}

/* Attributes and methods listed for @p o: its class's, or at least as many
 * as any profile's rights name. */
static void shape_of(const struct mtr_dlms_obj *o, uint8_t *attrs, uint8_t *methods)
{
    *attrs = 1;
    *methods = 0;
    for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
        if (shapes[k].cls == o->class_id) {
            *attrs = shapes[k].attrs;
            *methods = shapes[k].methods;
        }
    }
    if (o->access == NULL)
        return;
    for (unsigned p = 0; p < MTR_CFG_DLMS_PROFILES; p++) {
        uint8_t a = highest(o->access[p].get | o->access[p].set);
        uint8_t m = highest(o->access[p].act);
        *attrs = a > *attrs ? a : *attrs;
        *methods = m > *methods ? m : *methods;
    }
}

/* object_list_element: {class_id, version, logical_name, access_rights}. */
static void list_entry(struct sys_emit *e, const struct mtr_dlms_obj *o, uint8_t profile)
{
    static const struct mtr_dlms_access none = {0, 0, 0};
    const struct mtr_dlms_access *a =
        o->access != NULL && profile < MTR_CFG_DLMS_PROFILES ? &o->access[profile] : &none;
    uint8_t attrs, methods;

    shape_of(o, &attrs, &methods);
    sys_cont(e, MTR_DLMS_STRUCTURE, 4);
    sys_uint(e, MTR_DLMS_LONG_UNSIGNED, o->class_id);
    sys_uint(e, MTR_DLMS_UNSIGNED, o->version);
    sys_str(e, MTR_DLMS_OCTET_STRING, o->obis, 6);
    sys_cont(e, MTR_DLMS_STRUCTURE, 2);
    sys_cont(e, MTR_DLMS_ARRAY, attrs);
    for (uint8_t id = 1; id <= attrs; id++) {
        /* access_mode: 0 no-access, 1 read-only, 2 write-only, 3 read-and-write;
         * the logical name is always readable (the server answers it). */
        bool rd = id == 1 || ((a->get >> (id - 1)) & 1u);
        bool wr = id != 1 && ((a->set >> (id - 1)) & 1u);
        bool sel = o->class_id == 7 && id == 2; /* profile buffer: by range, by entry */
        sys_cont(e, MTR_DLMS_STRUCTURE, 3);
        sys_int(e, MTR_DLMS_INTEGER, id);
        sys_uint(e, MTR_DLMS_ENUM, (rd ? 1u : 0u) | (wr ? 2u : 0u));
        if (sel) {
            sys_cont(e, MTR_DLMS_ARRAY, 2);
            sys_int(e, MTR_DLMS_INTEGER, 1);
            sys_int(e, MTR_DLMS_INTEGER, 2);
        } else {
            sys_null(e);
        }
    }
    sys_cont(e, MTR_DLMS_ARRAY, methods);
    for (uint8_t id = 1; id <= methods; id++) {
        sys_cont(e, MTR_DLMS_STRUCTURE, 2);
        sys_int(e, MTR_DLMS_INTEGER, id);
        sys_uint(e, MTR_DLMS_ENUM, (a->act >> (id - 1)) & 1u); /* 0 no-access, 1 access */
    }
}

/* cursor[0]: 0 = array header due, else 1 + object; cursor[1]: items of that object written. */
static mtr_err_t object_list(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    uint16_t n;
    const struct mtr_dlms_obj *t = mtr_cosem_table(&n);
    uint8_t profile = c->server != NULL ? c->profile : (uint8_t)MTR_COSEM_ROLE_MANAGEMENT;

    if (c->cursor[0] == 0) {
        mtr_err_t err;
        if (!mtr_dlms_server_room(w))
            return MTR_ERR_FULL;
        err = mtr_dlms_axdr_put_container(w, MTR_DLMS_ARRAY, n);
        if (err != MTR_OK)
            return err;
        c->cursor[0] = 1;
        c->cursor[1] = 0;
    }
    while (c->cursor[0] - 1u < n) {
        struct sys_emit e;
        sys_emit_init(&e, w, &c->cursor[1]);
        list_entry(&e, &t[c->cursor[0] - 1u], profile);
        if (e.err != MTR_OK)
            return e.err;
        c->cursor[0]++;
        c->cursor[1] = 0;
    }
    return MTR_OK;
}

/* ------------------------------------------------------------ association LN */

/* OID 2.16.756.5.8.{1,2}.n as the structure of its 7 arcs (Blue Book class 15). */
static void oid(struct sys_emit *e, uint8_t kind, uint8_t n)
{
    sys_cont(e, MTR_DLMS_STRUCTURE, 7);
    sys_uint(e, MTR_DLMS_UNSIGNED, 2);        /* joint-iso-ctt */
    sys_uint(e, MTR_DLMS_UNSIGNED, 16);       /* country */
    sys_uint(e, MTR_DLMS_LONG_UNSIGNED, 756); /* country-name */
    sys_uint(e, MTR_DLMS_UNSIGNED, 5);        /* identified-organization */
    sys_uint(e, MTR_DLMS_UNSIGNED, 8);        /* DLMS UA */
    sys_uint(e, MTR_DLMS_UNSIGNED, kind);     /* 1 application context, 2 mechanism name */
    sys_uint(e, MTR_DLMS_UNSIGNED, n);
}

mtr_err_t cosem_sys_assoc_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    struct mtr_cosem *cs = cosem_of(c);
    struct mtr_dlms_assoc_info a;
    struct sys_emit e;
    uint8_t *sc;

    if (c->selector != 0)
        return MTR_ERR_RANGE;
    if (c->id == 2)
        return object_list(c, w);
    sys_assoc(c, &a);
    sys_emit_init(&e, w, &c->cursor[1]);
    switch (c->id) {
    case 3: /* associated_partners_id {client_SAP integer, server_SAP long-unsigned}:
             * the server takes client SAPs 0..127 only (mtr_dlms_server_init()) */
        sys_cont(&e, MTR_DLMS_STRUCTURE, 2);
        sys_int(&e, MTR_DLMS_INTEGER, (int8_t)(a.client_sap & 0x7Fu));
        sys_uint(&e, MTR_DLMS_LONG_UNSIGNED, cs->cfg.server_sap != 0 ? cs->cfg.server_sap : 1u);
        break;
    case 4: /* application_context_name: LN referencing, 1 plain / 3 with ciphering */
        oid(&e, 1, a.ciphered ? 3 : 1);
        break;
    case 5: /* xDLMS_context_info */
        sc = cs->sys_scratch[0];
        sc[0] = (uint8_t)(a.conformance >> 16);
        sc[1] = (uint8_t)(a.conformance >> 8);
        sc[2] = (uint8_t)a.conformance;
        sys_cont(&e, MTR_DLMS_STRUCTURE, 6);
        sys_bits(&e, sc, 24);
        sys_uint(&e, MTR_DLMS_LONG_UNSIGNED, a.server_max_pdu);
        sys_uint(&e, MTR_DLMS_LONG_UNSIGNED, a.client_max_pdu);
        sys_uint(&e, MTR_DLMS_UNSIGNED, 6);          /* DLMS version */
        sys_int(&e, MTR_DLMS_INTEGER, 0);            /* quality_of_service */
        sys_str(&e, MTR_DLMS_OCTET_STRING, NULL, 0); /* cyphering_info: keys are never shown */
        break;
    case 6: /* authentication_mechanism_name */
        oid(&e, 2, a.mechanism);
        break;
    case 8: /* association_status: 0 non-associated, 1 pending, 2 associated */
        sys_uint(&e, MTR_DLMS_ENUM, a.state);
        break;
    case 9: /* security_setup_reference */
        memcpy(cs->sys_scratch[1], a.security_setup, 6);
        sys_str(&e, MTR_DLMS_OCTET_STRING, cs->sys_scratch[1], 6);
        break;
    case 7: /* secret: write-only */
        return MTR_ERR_DLMS_DENIED;
    default:
        return MTR_ERR_NOTSUP;
    }
    return e.err;
}

/* Attribute 7: the LLS password of the current association, 1..64 bytes. */
mtr_err_t cosem_sys_assoc_set(const struct mtr_dlms_call *c)
{
    struct mtr_cosem *cs = cosem_of(c);
    struct mtr_dlms_assoc_info a;
    struct sys_rd r;
    const uint8_t *pw;
    uint32_t n;

    if (c->id != 7)
        return MTR_ERR_DLMS_DENIED;
    if (c->selector != 0)
        return MTR_ERR_RANGE;
    sys_rd_init(&r, c->data, c->data_len);
    pw = sys_rd_str(&r, MTR_DLMS_OCTET_STRING, &n);
    if (!sys_rd_done(&r))
        return MTR_ERR_INVAL;
    if (n < 1 || n > 64)
        return SYS_REFUSED;
    sys_assoc(c, &a);
    if (a.state != MTR_DLMS_ASSOC_ASSOCIATED || a.mechanism != MTR_DLMS_MECH_LLS)
        return MTR_ERR_DLMS_DENIED;
    if (cs->cfg.set_secret == NULL)
        return MTR_ERR_NOTSUP;
    return cs->cfg.set_secret(cs->cfg.user, a.client_sap, pw, n);
}

/* ------------------------------------------------------------ SAP assignment */

mtr_err_t cosem_sys_sap_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    struct mtr_cosem *cs = cosem_of(c);
    struct sys_emit e;

    if (c->selector != 0)
        return MTR_ERR_RANGE;
    if (c->id != 2)
        return MTR_ERR_NOTSUP;
    sys_emit_init(&e, w, &c->cursor[1]);
    /* SAP_assignment_list: array of {SAP long-unsigned, logical_device_name octet-string} */
    sys_cont(&e, MTR_DLMS_ARRAY, 1);
    sys_cont(&e, MTR_DLMS_STRUCTURE, 2);
    sys_uint(&e, MTR_DLMS_LONG_UNSIGNED, cs->cfg.server_sap != 0 ? cs->cfg.server_sap : 1u);
    sys_str(&e, MTR_DLMS_OCTET_STRING, cs->cfg.device_name,
            cs->cfg.device_name != NULL ? cs->cfg.device_name_len : 0);
    return e.err;
}

/* ------------------------------------------------------------ security setup */

mtr_err_t cosem_sys_security_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    struct mtr_cosem *cs = cosem_of(c);
    struct mtr_dlms_assoc_info a;
    struct sys_emit e;
    const struct mtr_dlms_security *sec;

    if (c->selector != 0)
        return MTR_ERR_RANGE;
    sys_assoc(c, &a);
    sec = a.sec != NULL ? a.sec : cs->cfg.sec;
    sys_emit_init(&e, w, &c->cursor[1]);
    switch (c->id) {
    case 2: /* security_policy of the current association (version 0 enumeration) */
        sys_uint(&e, MTR_DLMS_ENUM, a.policy);
        break;
    case 3: /* security_suite 0: AES-GCM-128 */
        sys_uint(&e, MTR_DLMS_ENUM, 0);
        break;
    case 4: /* client_system_title */
        memcpy(cs->sys_scratch[2], a.client_title, 8);
        sys_str(&e, MTR_DLMS_OCTET_STRING, cs->sys_scratch[2], a.has_client_title ? 8u : 0u);
        break;
    case 5: /* server_system_title */
        sys_str(&e, MTR_DLMS_OCTET_STRING, sec != NULL ? sec->system_title : NULL,
                sec != NULL ? 8u : 0u);
        break;
    default:
        return MTR_ERR_NOTSUP;
    }
    return e.err;
}

/*
 * Method 1 security_activate(security_policy enum): the policy of the
 * association table entry of the current association is raised (Blue Book
 * class 64 version 0: the policy can only be strengthened). The new policy
 * must keep every protection of the current one (1 -> 3, 2 -> 3; 1 -> 2
 * would drop authentication and is refused as a lowering); the same policy
 * changes nothing. The application applies it to its association table
 * (set_policy); the server asks for it from the next request on. Method 2
 * reaches this callback only without a security state (the server serves it).
 */
mtr_err_t cosem_sys_security_action(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    struct mtr_cosem *cs = cosem_of(c);
    struct mtr_dlms_assoc_info a;
    struct sys_rd r;
    uint64_t policy;

    (void)w;
    if (c->id != 1)
        return MTR_ERR_NOTSUP;
    sys_rd_init(&r, c->data, c->data_len);
    policy = sys_rd_uint(&r, MTR_DLMS_ENUM);
    if (!sys_rd_done(&r))
        return MTR_ERR_INVAL;
    sys_assoc(c, &a);
    if (a.state != MTR_DLMS_ASSOC_ASSOCIATED)
        return MTR_ERR_DLMS_DENIED;
    if (policy > MTR_DLMS_POLICY_AUTH_ENC || (policy & a.policy) != a.policy)
        return SYS_REFUSED; /* unknown, or lower than the current policy */
    if (policy == a.policy)
        return MTR_OK;
    if (a.sec == NULL)
        return SYS_REFUSED; /* no keys: the server could not protect anything */
    if (cs->cfg.set_policy == NULL)
        return MTR_ERR_NOTSUP;
    return cs->cfg.set_policy(cs->cfg.user, a.entry, (uint8_t)policy);
}

/* ------------------------------------------------------------ communication setups */

/*
 * The numeric attributes of the communication setup objects (TCP-UDP, IEC
 * HDLC, IEC local port): each one's A-XDR type, where its setup struct
 * keeps it (a uint8_t or uint16_t member) and the range a SET accepts.
 */
struct sys_num {
    uint8_t id;     /* attribute */
    uint8_t tag;    /* A-XDR type */
    uint8_t size;   /* bytes of the member: 1 or 2 */
    uint8_t off;    /* offset of the member */
    uint16_t lo, hi; /* range accepted by SET */
};
#define SYS_NUM(id, tag, type, member, lo, hi)                                                     \
    {(id), (tag), (uint8_t)sizeof(((type *)0)->member), (uint8_t)offsetof(type, member), (lo), (hi)}

/* TCP-UDP setup (class 41), ranges of the Blue Book. */
static const struct sys_num tcp_nums[] = {
    SYS_NUM(2, MTR_DLMS_LONG_UNSIGNED, struct mtr_cosem_tcp, port, 1, 65535),
    SYS_NUM(4, MTR_DLMS_LONG_UNSIGNED, struct mtr_cosem_tcp, mss, 40, 65535),
    SYS_NUM(5, MTR_DLMS_UNSIGNED, struct mtr_cosem_tcp, nb_sim_conn, 1, 255),
    SYS_NUM(6, MTR_DLMS_LONG_UNSIGNED, struct mtr_cosem_tcp, inactivity_s, 0, 65535), /* 0 = none */
};
/* IEC HDLC setup (class 23 version 1), ranges of the Blue Book. */
static const struct sys_num hdlc_nums[] = {
    SYS_NUM(2, MTR_DLMS_ENUM, struct mtr_cosem_hdlc, speed, 0, 9), /* 300 .. 115200 bit/s */
    SYS_NUM(3, MTR_DLMS_UNSIGNED, struct mtr_cosem_hdlc, window_tx, 1, 7),
    SYS_NUM(4, MTR_DLMS_UNSIGNED, struct mtr_cosem_hdlc, window_rx, 1, 7),
    SYS_NUM(5, MTR_DLMS_LONG_UNSIGNED, struct mtr_cosem_hdlc, max_info_tx, 32, 2030),
    SYS_NUM(6, MTR_DLMS_LONG_UNSIGNED, struct mtr_cosem_hdlc, max_info_rx, 32, 2030),
    SYS_NUM(7, MTR_DLMS_LONG_UNSIGNED, struct mtr_cosem_hdlc, inter_octet_ms, 20, 6000),
    SYS_NUM(8, MTR_DLMS_LONG_UNSIGNED, struct mtr_cosem_hdlc, inactivity_s, 0, 65535),
    SYS_NUM(9, MTR_DLMS_LONG_UNSIGNED, struct mtr_cosem_hdlc, address, 0x10, 0x3FFD),
};
/* IEC local port setup (class 19 version 1). */
static const struct sys_num local_nums[] = {
    /* default_mode: 0 IEC 62056-21, 1 HDLC, 2 not specified */
    SYS_NUM(2, MTR_DLMS_ENUM, struct mtr_cosem_local_port, mode, 0, 2),
    SYS_NUM(3, MTR_DLMS_ENUM, struct mtr_cosem_local_port, default_baud, 0, 9),
    SYS_NUM(4, MTR_DLMS_ENUM, struct mtr_cosem_local_port, prop_baud, 0, 9),
    /* response_time: 0 = 20 ms, 1 = 200 ms */
    SYS_NUM(5, MTR_DLMS_ENUM, struct mtr_cosem_local_port, response_time, 0, 1),
};
#define SYS_NUMS(t) (t), (sizeof(t) / sizeof((t)[0]))

static const struct sys_num *sys_num_of(const struct sys_num *t, size_t n, uint8_t id)
{
    for (size_t k = 0; k < n; k++) {
        if (t[k].id == id)
            return &t[k];
    }
    return NULL;
}

/* GET of a numeric attribute of @p obj into @p e: false when @p id is not one. */
static bool sys_num_get(struct sys_emit *e, const struct sys_num *t, size_t n, const void *obj,
                        uint8_t id)
{
    const struct sys_num *f = sys_num_of(t, n, id);
    const uint8_t *p = (const uint8_t *)obj;
    uint16_t v16;

    if (f == NULL)
        return false;
    if (f->size == 1) {
        sys_uint(e, f->tag, p[f->off]);
    } else {
        memcpy(&v16, p + f->off, sizeof v16);
        sys_uint(e, f->tag, v16);
    }
    return true;
}

/* One value of type @p tag in [lo, hi]: MTR_OK, MTR_ERR_INVAL (type), MTR_ERR_RANGE
 * (selective access), SYS_REFUSED (out of [lo, hi]). */
static mtr_err_t one_uint(const struct mtr_dlms_call *c, uint8_t tag, uint32_t lo, uint32_t hi,
                          uint32_t *v)
{
    struct sys_rd r;
    uint64_t x;

    if (c->selector != 0)
        return MTR_ERR_RANGE;
    sys_rd_init(&r, c->data, c->data_len);
    x = sys_rd_uint(&r, tag);
    if (!sys_rd_done(&r))
        return MTR_ERR_INVAL;
    if (x < lo || x > hi)
        return SYS_REFUSED;
    *v = (uint32_t)x;
    return MTR_OK;
}

/* SET of a numeric attribute into the copy @p obj: as one_uint(); MTR_ERR_NOTSUP
 * when @p id is not one. */
static mtr_err_t sys_num_set(const struct mtr_dlms_call *c, const struct sys_num *t, size_t n, void *obj)
{
    const struct sys_num *f = sys_num_of(t, n, c->id);
    uint8_t *p = (uint8_t *)obj;
    uint32_t v = 0;
    mtr_err_t err;

    if (f == NULL)
        return MTR_ERR_NOTSUP;
    err = one_uint(c, f->tag, f->lo, f->hi, &v);
    if (err != MTR_OK)
        return err;
    if (f->size == 1) {
        p[f->off] = (uint8_t)v;
    } else {
        uint16_t v16 = (uint16_t)v;
        memcpy(p + f->off, &v16, sizeof v16);
    }
    return MTR_OK;
}

/* An octet-string SET value of at most @p max bytes: MTR_OK (*p, *n), MTR_ERR_RANGE
 * (selective access), MTR_ERR_INVAL (type), SYS_REFUSED (longer). */
static mtr_err_t one_str(const struct mtr_dlms_call *c, uint32_t max, const uint8_t **p, uint32_t *n)
{
    struct sys_rd r;

    if (c->selector != 0)
        return MTR_ERR_RANGE;
    sys_rd_init(&r, c->data, c->data_len);
    *p = sys_rd_str(&r, MTR_DLMS_OCTET_STRING, n);
    if (!sys_rd_done(&r))
        return MTR_ERR_INVAL;
    return *n > max ? SYS_REFUSED : MTR_OK;
}

/* Opens the GET of a communication setup: MTR_OK or the error to answer. */
static mtr_err_t setup_get_open(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w,
                                const void *obj, struct sys_emit *e)
{
    if (obj == NULL)
        return MTR_ERR_NOTSUP;
    if (c->selector != 0)
        return MTR_ERR_RANGE;
    sys_emit_init(e, w, &c->cursor[1]);
    return MTR_OK;
}

mtr_err_t cosem_sys_tcp_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    const struct mtr_cosem_tcp *t = cosem_of(c)->cfg.tcp;
    struct sys_emit e;
    mtr_err_t err = setup_get_open(c, w, t, &e);

    if (err != MTR_OK)
        return err;
    if (c->id == 3)
        sys_str(&e, MTR_DLMS_OCTET_STRING, t->ip_ref, 6);
    else if (!sys_num_get(&e, SYS_NUMS(tcp_nums), t, c->id))
        return MTR_ERR_NOTSUP;
    return e.err;
}

mtr_err_t cosem_sys_tcp_set(const struct mtr_dlms_call *c)
{
    struct mtr_cosem *cs = cosem_of(c);
    struct mtr_cosem_tcp t;
    mtr_err_t err;

    if (cs->cfg.tcp == NULL)
        return MTR_ERR_NOTSUP;
    t = *cs->cfg.tcp;
    if (c->id == 3) { /* IP_reference: logical name of the IPv4 setup */
        const uint8_t *ln = NULL;
        uint32_t n = 0;
        err = one_str(c, 6, &ln, &n);
        if (err == SYS_REFUSED || (err == MTR_OK && n != 6))
            return MTR_ERR_INVAL;
        if (err == MTR_OK)
            memcpy(t.ip_ref, ln, 6);
    } else {
        err = sys_num_set(c, SYS_NUMS(tcp_nums), &t);
    }
    if (err == MTR_ERR_NOTSUP)
        return MTR_ERR_DLMS_DENIED;
    if (err != MTR_OK)
        return err;
    *cs->cfg.tcp = t;
    sys_changed(cs, MTR_COSEM_SETTING_TCP, 0);
    return MTR_OK;
}

mtr_err_t cosem_sys_hdlc_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    const struct mtr_cosem_hdlc *h = cosem_of(c)->cfg.hdlc;
    struct sys_emit e;
    mtr_err_t err = setup_get_open(c, w, h, &e);

    if (err != MTR_OK)
        return err;
    if (!sys_num_get(&e, SYS_NUMS(hdlc_nums), h, c->id))
        return MTR_ERR_NOTSUP;
    return e.err;
}

mtr_err_t cosem_sys_hdlc_set(const struct mtr_dlms_call *c)
{
    struct mtr_cosem *cs = cosem_of(c);
    struct mtr_cosem_hdlc h;
    mtr_err_t err;

    if (cs->cfg.hdlc == NULL)
        return MTR_ERR_NOTSUP;
    h = *cs->cfg.hdlc;
    err = sys_num_set(c, SYS_NUMS(hdlc_nums), &h);
    if (err == MTR_ERR_NOTSUP)
        return MTR_ERR_DLMS_DENIED;
    if (err != MTR_OK)
        return err;
    *cs->cfg.hdlc = h;
    sys_changed(cs, MTR_COSEM_SETTING_HDLC, 0);
    return MTR_OK;
}

mtr_err_t cosem_sys_local_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    const struct mtr_cosem_local_port *l = cosem_of(c)->cfg.local_port;
    struct sys_emit e;
    mtr_err_t err = setup_get_open(c, w, l, &e);

    if (err != MTR_OK)
        return err;
    if (c->id == 6)
        sys_str(&e, MTR_DLMS_OCTET_STRING, l->addr, l->addr_len <= sizeof l->addr ? l->addr_len : 0u);
    else if (c->id >= 7 && c->id <= 9)
        return MTR_ERR_DLMS_DENIED; /* pass_p1, pass_p2, pass_w5: write-only */
    else if (!sys_num_get(&e, SYS_NUMS(local_nums), l, c->id))
        return MTR_ERR_NOTSUP;
    return e.err;
}

mtr_err_t cosem_sys_local_set(const struct mtr_dlms_call *c)
{
    struct mtr_cosem *cs = cosem_of(c);
    struct mtr_cosem_local_port l;
    const uint8_t *p = NULL;
    uint32_t n = 0;
    mtr_err_t err;

    if (cs->cfg.local_port == NULL)
        return MTR_ERR_NOTSUP;
    l = *cs->cfg.local_port;
    if (c->id == 6) { /* device_addr: up to 32 characters (IEC 62056-21) */
        err = one_str(c, sizeof l.addr, &p, &n);
        if (err == MTR_OK) {
            memset(l.addr, 0, sizeof l.addr);
            if (n > 0)
                memcpy(l.addr, p, n);
            l.addr_len = (uint8_t)n;
        }
    } else if (c->id >= 7 && c->id <= 9) {
        /* pass_p1, pass_p2, pass_w5 (IEC 62056-21 passwords), write-only */
        uint8_t k = (uint8_t)(c->id - 7);
        err = one_str(c, MTR_COSEM_LOCAL_PASS_MAX, &p, &n);
        if (err == MTR_OK) {
            memset(l.pass[k], 0, sizeof l.pass[k]);
            if (n > 0)
                memcpy(l.pass[k], p, n);
            l.pass_len[k] = (uint8_t)n;
        }
    } else {
        err = sys_num_set(c, SYS_NUMS(local_nums), &l);
    }
    if (err == MTR_ERR_NOTSUP)
        return MTR_ERR_DLMS_DENIED;
    if (err != MTR_OK)
        return err;
    *cs->cfg.local_port = l;
    sys_changed(cs, MTR_COSEM_SETTING_LOCAL_PORT, 0);
    return MTR_OK;
}

/* ------------------------------------------------------------ firmware identifiers */

uint32_t mtr_cosem_fw_number(const uint8_t *version, size_t len)
{
    uint64_t v = 0;

    if (version == NULL || len < 2 || len > 10 || version[0] != 'V')
        return 0;
    for (size_t k = 1; k < len; k++) {
        uint8_t d = version[k];
        if (d < '0' || d > '9')
            return 0;
        v = v * 10u + (uint64_t)(d - '0');
    }
    return v > UINT32_MAX ? 0u : (uint32_t)v;
}

mtr_err_t mtr_cosem_set_fw_version(struct mtr_cosem *c, const uint8_t *version, uint8_t len,
                                   const uint8_t *version_lnr, uint8_t lnr_len)
{
    MTR_ASSERT(c != NULL);
    if ((version == NULL && len != 0) || (version_lnr == NULL && lnr_len != 0) ||
        len > MTR_COSEM_FW_ID_MAX || lnr_len > MTR_COSEM_FW_ID_MAX)
        return MTR_ERR_RANGE;
    c->cfg.fw_version = len != 0 ? version : NULL;
    c->cfg.fw_version_len = len;
    c->cfg.fw_version_lnr = lnr_len != 0 ? version_lnr : NULL;
    c->cfg.fw_version_lnr_len = lnr_len;
    return MTR_OK;
}

/* user: 0 legally relevant version, 1 non-relevant version, 2 signature,
 * 3 the legally relevant version as a number. */
mtr_err_t cosem_sys_fw_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    const struct mtr_cosem_config *cfg = &cosem_of(c)->cfg;
    uint8_t which = *(const uint8_t *)c->obj->user;

    if (which == 3) {
        if (c->selector != 0)
            return MTR_ERR_RANGE;
        if (c->id != 2 || cfg->fw_version == NULL)
            return MTR_ERR_NOTSUP;
        if (!mtr_dlms_server_room(w))
            return MTR_ERR_FULL;
        return mtr_dlms_axdr_put_uint(w, MTR_DLMS_DOUBLE_LONG_UNSIGNED,
                                      mtr_cosem_fw_number(cfg->fw_version, cfg->fw_version_len));
    }
    const uint8_t *p = which == 0   ? cfg->fw_version
                       : which == 1 ? cfg->fw_version_lnr
                                    : cfg->fw_signature;
    uint8_t n = which == 0   ? cfg->fw_version_len
                : which == 1 ? cfg->fw_version_lnr_len
                             : cfg->fw_signature_len;

    if (c->selector != 0)
        return MTR_ERR_RANGE;
    if (c->id != 2)
        return MTR_ERR_NOTSUP;
    if (p == NULL)
        return MTR_ERR_NOTSUP;
    if (!mtr_dlms_server_room(w))
        return MTR_ERR_FULL;
    return mtr_dlms_axdr_put_string(w, MTR_DLMS_OCTET_STRING, p, n);
}
