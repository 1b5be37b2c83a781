/* SPDX-License-Identifier: Apache-2.0 */
/*
 * System objects over DLMS: the current association (object_list per role,
 * its other attributes, changing the LLS secret), SAP assignment, security
 * setup, the port setups (values, validated writes, the changed hook) and
 * the firmware identifiers.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "dlms_client.h"
#include "meter/bytes.h"
#include "test_cosem_sys.h"

#define UTC0 1717200000 /* 2024-06-01 00:00:00 UTC */

static const uint8_t LN_ASSOC[6] = {0, 0, 40, 0, 0, 255};
static const uint8_t LN_SAP[6] = {0, 0, 41, 0, 0, 255};
static const uint8_t LN_SEC[6] = {0, 0, 43, 0, 0, 255};
static const uint8_t LN_TCP[6] = {0, 0, 25, 0, 0, 255};
static const uint8_t LN_HDLC[6] = {0, 1, 22, 0, 0, 255};
static const uint8_t LN_LOCAL[6] = {0, 0, 20, 0, 0, 255};
static const uint8_t LN_FW[6] = {1, 0, 0, 2, 0, 255};
static const uint8_t LN_FW_LNR[6] = {1, 1, 0, 2, 0, 255};
static const uint8_t LN_FW_SIG[6] = {1, 0, 0, 2, 8, 255};

/* ------------------------------------------------------------ A-XDR walker */

struct walk {
    struct mtr_dlms_axdr_reader rd;
    const uint8_t *p, *end;
};

static void walk_init(struct walk *w, const uint8_t *b, size_t n)
{
    mtr_dlms_axdr_reader_init(&w->rd);
    w->p = b;
    w->end = b + n;
}

static struct mtr_dlms_axdr_token walk_next(struct walk *w, uint8_t tag)
{
    struct mtr_dlms_axdr_token t;
    cr_assert_eq(mtr_dlms_axdr_next(&w->rd, &w->p, w->end, &t), MTR_OK);
    cr_assert_eq(t.tag, tag, "tag %u, expected %u", t.tag, tag);
    return t;
}

static uint64_t walk_uint(struct walk *w, uint8_t tag)
{
    struct mtr_dlms_axdr_token t = walk_next(w, tag);
    uint64_t v;
    cr_assert_eq(mtr_dlms_axdr_get_uint(&t, &v), MTR_OK);
    return v;
}

static int64_t walk_int(struct walk *w, uint8_t tag)
{
    struct mtr_dlms_axdr_token t = walk_next(w, tag);
    int64_t v;
    cr_assert_eq(mtr_dlms_axdr_get_int(&t, &v), MTR_OK);
    return v;
}

static void walk_end(const struct walk *w)
{
    cr_assert(mtr_dlms_axdr_done(&w->rd));
    cr_assert_eq(w->p, w->end, "nothing after the value");
}

static uint8_t top_bit(uint16_t m)
{
    uint8_t n = 0;
    while (m) {
        n++;
        m >>= 1;
    }
    return n;
}

/* ------------------------------------------------------------ object_list */

static void check_object_list(int role)
{
    struct cosem_rig *r = cosem_rig_new(UTC0);
    uint16_t n;
    const struct mtr_dlms_obj *t = mtr_cosem_table(&n);
    struct walk w;

    cosem_rig_assoc(r, role);
    cr_assert_eq(cosem_rig_get(r, 15, LN_ASSOC, 2), 0, "object_list readable by role %d", role);
    cr_assert_gt(r->blocks, 1, "object_list is long: it comes in blocks");
    walk_init(&w, r->val, r->val_len);
    cr_assert_eq(walk_next(&w, MTR_DLMS_ARRAY).count, n, "one entry per object of the table");
    for (uint16_t k = 0; k < n; k++) {
        const struct mtr_dlms_access *a = &t[k].access[role];
        struct mtr_dlms_axdr_token ln;
        uint32_t na, nm;
        cr_assert_eq(walk_next(&w, MTR_DLMS_STRUCTURE).count, 4);
        cr_assert_eq(walk_uint(&w, MTR_DLMS_LONG_UNSIGNED), t[k].class_id);
        cr_assert_eq(walk_uint(&w, MTR_DLMS_UNSIGNED), t[k].version);
        ln = walk_next(&w, MTR_DLMS_OCTET_STRING);
        cr_assert_eq(ln.value_len, 6);
        cr_assert_arr_eq(ln.value, t[k].obis, 6);
        cr_assert_eq(walk_next(&w, MTR_DLMS_STRUCTURE).count, 2);
        na = walk_next(&w, MTR_DLMS_ARRAY).count;
        cr_assert_geq(na, top_bit((uint16_t)(a->get | a->set)),
                      "every attribute with rights is listed");
        for (uint32_t id = 1; id <= na; id++) {
            bool rd = id == 1 || ((a->get >> (id - 1)) & 1u);
            bool wr = id != 1 && ((a->set >> (id - 1)) & 1u);
            struct mtr_dlms_axdr_token sel;
            cr_assert_eq(walk_next(&w, MTR_DLMS_STRUCTURE).count, 3);
            cr_assert_eq(walk_int(&w, MTR_DLMS_INTEGER), (int64_t)id);
            cr_assert_eq(walk_uint(&w, MTR_DLMS_ENUM), (rd ? 1u : 0u) | (wr ? 2u : 0u),
                         "role %d, object %u, attribute %u", role, k, id);
            cr_assert_eq(mtr_dlms_axdr_next(&w.rd, &w.p, w.end, &sel), MTR_OK);
            if (sel.tag == MTR_DLMS_ARRAY) {
                for (uint32_t s = 0; s < sel.count; s++) {
                    (void)walk_int(&w, MTR_DLMS_INTEGER);
                }
            } else {
                cr_assert_eq(sel.tag, MTR_DLMS_NULL_DATA);
            }
        }
        nm = walk_next(&w, MTR_DLMS_ARRAY).count;
        cr_assert_geq(nm, top_bit(a->act));
        for (uint32_t id = 1; id <= nm; id++) {
            cr_assert_eq(walk_next(&w, MTR_DLMS_STRUCTURE).count, 2);
            cr_assert_eq(walk_int(&w, MTR_DLMS_INTEGER), (int64_t)id);
            cr_assert_eq(walk_uint(&w, MTR_DLMS_ENUM), (a->act >> (id - 1)) & 1u);
        }
        /* the classes of the system objects have their Blue Book shape */
        if (t[k].class_id == 15) {
            cr_assert(na == 9 && nm == 4);
        } else if (t[k].class_id == 18) {
            cr_assert(na == 7 && nm == 4);
        } else if (t[k].class_id == 40) {
            cr_assert(na == 7 && nm == 1);
        } else if (t[k].class_id == 64) {
            cr_assert(na == 5 && nm == 2);
        }
    }
    walk_end(&w);
    cosem_rig_free(r);
}

Test(cosem_sys, object_list_public)
{
    check_object_list(MTR_COSEM_ROLE_PUBLIC);
}
Test(cosem_sys, object_list_management)
{
    check_object_list(MTR_COSEM_ROLE_MANAGEMENT);
}
Test(cosem_sys, object_list_level1)
{
    check_object_list(MTR_COSEM_ROLE_LEVEL1);
}
Test(cosem_sys, object_list_level2)
{
    check_object_list(MTR_COSEM_ROLE_LEVEL2);
}
Test(cosem_sys, object_list_level3)
{
    check_object_list(MTR_COSEM_ROLE_LEVEL3);
}
Test(cosem_sys, object_list_pre_established)
{
    check_object_list(MTR_COSEM_ROLE_PRE_ESTABLISHED);
}

Test(cosem_sys, object_list_lists_the_system_objects)
{
    static const struct {
        uint16_t cls;
        uint8_t ln[6];
    } want[] = {
        {15, {0, 0, 40, 0, 0, 255}}, {17, {0, 0, 41, 0, 0, 255}}, {64, {0, 0, 43, 0, 0, 255}},
        {40, {0, 0, 25, 9, 0, 255}}, {40, {0, 1, 25, 9, 0, 255}}, {40, {0, 2, 25, 9, 0, 255}},
        {40, {0, 3, 25, 9, 0, 255}}, {40, {0, 4, 25, 9, 0, 255}}, {40, {0, 7, 25, 9, 0, 255}},
        {22, {0, 1, 15, 0, 4, 255}}, {22, {0, 2, 15, 0, 4, 255}}, {22, {0, 3, 15, 0, 4, 255}},
        {41, {0, 0, 25, 0, 0, 255}}, {23, {0, 1, 22, 0, 0, 255}}, {19, {0, 0, 20, 0, 0, 255}},
        {1, {1, 0, 0, 2, 0, 255}},   {1, {1, 1, 0, 2, 0, 255}},   {1, {1, 0, 0, 2, 8, 255}},
        {18, {0, 0, 44, 0, 0, 255}},
    };
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
        cr_assert_geq(cosem_rig_find(want[k].cls, want[k].ln), 0, "system object %zu in the table",
                      k);
    }
}

/* ------------------------------------------------------------ association attributes */

Test(cosem_sys, association_attributes)
{
    struct cosem_rig *r = cosem_rig_new(UTC0);
    struct walk w;

    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL2);
    /* associated_partners_id: client SAP 48, server SAP 1 */
    cr_assert_eq(cosem_rig_get(r, 15, LN_ASSOC, 3), 0);
    walk_init(&w, r->val, r->val_len);
    cr_assert_eq(walk_next(&w, MTR_DLMS_STRUCTURE).count, 2);
    cr_assert_eq(walk_int(&w, MTR_DLMS_INTEGER), cosem_rig_sap[MTR_COSEM_ROLE_LEVEL2]);
    cr_assert_eq(walk_uint(&w, MTR_DLMS_LONG_UNSIGNED), 1);
    walk_end(&w);
    /* application_context_name 2.16.756.5.8.1.1 (LN, no ciphering) */
    cr_assert_eq(cosem_rig_get(r, 15, LN_ASSOC, 4), 0);
    static const uint8_t ctx[] = {2, 7, 17, 2, 17, 16, 18, 0x02, 0xF4, 17, 5, 17, 8, 17, 1, 17, 1};
    cr_assert_eq(r->val_len, sizeof ctx);
    cr_assert_arr_eq(r->val, ctx, sizeof ctx);
    /* xDLMS_context_info: the negotiated conformance and PDU sizes */
    cr_assert_eq(cosem_rig_get(r, 15, LN_ASSOC, 5), 0);
    walk_init(&w, r->val, r->val_len);
    cr_assert_eq(walk_next(&w, MTR_DLMS_STRUCTURE).count, 6);
    struct mtr_dlms_axdr_token conf = walk_next(&w, MTR_DLMS_BIT_STRING);
    uint32_t want = mtr_dlms_server_conformance(&r->srv);
    cr_assert_eq(conf.count, 24);
    cr_assert_eq((uint32_t)conf.value[0] << 16 | (uint32_t)conf.value[1] << 8 | conf.value[2],
                 want);
    cr_assert_eq(walk_uint(&w, MTR_DLMS_LONG_UNSIGNED), r->scfg.max_pdu);
    cr_assert_gt(walk_uint(&w, MTR_DLMS_LONG_UNSIGNED), 0);
    cr_assert_eq(walk_uint(&w, MTR_DLMS_UNSIGNED), 6);
    cr_assert_eq(walk_int(&w, MTR_DLMS_INTEGER), 0);
    cr_assert_eq(walk_next(&w, MTR_DLMS_OCTET_STRING).value_len, 0, "keys are never shown");
    walk_end(&w);
    /* authentication_mechanism_name: lowest level (the rig's associations) */
    cr_assert_eq(cosem_rig_get(r, 15, LN_ASSOC, 6), 0);
    cr_assert_eq(r->val[r->val_len - 1], MTR_DLMS_MECH_NONE);
    /* secret: write-only */
    cr_assert_eq(cosem_rig_get(r, 15, LN_ASSOC, 7), MTR_DLMS_DAR_READ_WRITE_DENIED);
    /* association_status: associated */
    cr_assert_eq(cosem_rig_get(r, 15, LN_ASSOC, 8), 0);
    cr_assert(r->val_len == 2 && r->val[0] == MTR_DLMS_ENUM && r->val[1] == 2);
    /* security_setup_reference */
    cr_assert_eq(cosem_rig_get(r, 15, LN_ASSOC, 9), 0);
    cr_assert(r->val_len == 8 && r->val[0] == MTR_DLMS_OCTET_STRING && r->val[1] == 6);
    cr_assert_arr_eq(r->val + 2, LN_SEC, 6);
    cosem_rig_free(r);
}

/* An LLS association of level 1 changes its own password. */
Test(cosem_sys, secret_of_lls_association)
{
    struct cosem_rig *r = cosem_rig_new(UTC0);
    static const uint8_t pw[8] = "11111111";
    uint8_t req[300], resp[600];
    struct client cl = {.hal = &r->hal};
    struct aarq_opts o = {.ctx = 1,
                          .mech = MTR_DLMS_MECH_LLS,
                          .auth = pw,
                          .auth_len = 8,
                          .conformance =
                              MTR_DLMS_CONF_SERVER & ~(uint32_t)MTR_DLMS_CONF_GENERAL_PROTECTION,
                          .max_pdu = 0xFFFF};
    struct aare_info a;
    struct cosem_val v;

    r->assocs[MTR_COSEM_ROLE_LEVEL1].mechanism = MTR_DLMS_MECH_LLS;
    r->assocs[MTR_COSEM_ROLE_LEVEL1].secret = pw;
    r->assocs[MTR_COSEM_ROLE_LEVEL1].secret_len = 8;
    mtr_dlms_server_abort(&r->srv);
    r->role = MTR_COSEM_ROLE_LEVEL1;
    size_t n = cl_aarq(&cl, &o, req);
    n = cosem_rig_xfer(r, req, n, resp, sizeof resp);
    cl_parse_aare(&cl, resp, n, &a);
    cr_assert_eq(a.result, 0);
    /* the mechanism attribute shows LLS */
    cr_assert_eq(cosem_rig_get(r, 15, LN_ASSOC, 6), 0);
    cr_assert_eq(r->val[r->val_len - 1], MTR_DLMS_MECH_LLS);

    cv_reset(&v);
    cv_bytes(&v, MTR_DLMS_OCTET_STRING, "new-secret", 10);
    cr_assert_eq(cosem_rig_set(r, 15, LN_ASSOC, 7, v.b, v.n), 0);
    cr_assert_eq(fx.secret_calls, 1);
    cr_assert_eq(fx.secret_sap, cosem_rig_sap[MTR_COSEM_ROLE_LEVEL1]);
    cr_assert(fx.secret_len == 10 && memcmp(fx.secret, "new-secret", 10) == 0);
    /* refused: empty, too long, wrong type */
    cv_reset(&v);
    cv_bytes(&v, MTR_DLMS_OCTET_STRING, "", 0);
    cr_assert_eq(cosem_rig_set(r, 15, LN_ASSOC, 7, v.b, v.n), MTR_DLMS_DAR_OTHER);
    uint8_t big[65];
    memset(big, 'x', sizeof big);
    cv_reset(&v);
    cv_bytes(&v, MTR_DLMS_OCTET_STRING, big, sizeof big);
    cr_assert_eq(cosem_rig_set(r, 15, LN_ASSOC, 7, v.b, v.n), MTR_DLMS_DAR_OTHER);
    cv_reset(&v);
    cv_bytes(&v, MTR_DLMS_VISIBLE_STRING, "abc", 3);
    cr_assert_eq(cosem_rig_set(r, 15, LN_ASSOC, 7, v.b, v.n), MTR_DLMS_DAR_TYPE_UNMATCHED);
    cr_assert_eq(fx.secret_calls, 1, "refused values never reach the application");
    cosem_rig_free(r);
}

/* Without LLS there is no password to change; public has no right at all. */
Test(cosem_sys, secret_refused_without_lls)
{
    struct cosem_rig *r = cosem_rig_new(UTC0);
    struct cosem_val v;
    cv_reset(&v);
    cv_bytes(&v, MTR_DLMS_OCTET_STRING, "abcd", 4);
    cosem_rig_assoc(r, MTR_COSEM_ROLE_MANAGEMENT);
    cr_assert_eq(cosem_rig_set(r, 15, LN_ASSOC, 7, v.b, v.n), MTR_DLMS_DAR_READ_WRITE_DENIED);
    cosem_rig_assoc(r, MTR_COSEM_ROLE_PUBLIC);
    cr_assert_eq(cosem_rig_set(r, 15, LN_ASSOC, 7, v.b, v.n), MTR_DLMS_DAR_READ_WRITE_DENIED);
    cr_assert_eq(fx.secret_calls, 0);
    cosem_rig_free(r);
}

Test(cosem_sys, sap_assignment)
{
    struct cosem_rig *r = cosem_rig_new(UTC0);
    struct walk w;
    cosem_rig_assoc(r, MTR_COSEM_ROLE_PUBLIC);
    cr_assert_eq(cosem_rig_get(r, 17, LN_SAP, 2), 0);
    walk_init(&w, r->val, r->val_len);
    cr_assert_eq(walk_next(&w, MTR_DLMS_ARRAY).count, 1);
    cr_assert_eq(walk_next(&w, MTR_DLMS_STRUCTURE).count, 2);
    cr_assert_eq(walk_uint(&w, MTR_DLMS_LONG_UNSIGNED), 1);
    struct mtr_dlms_axdr_token name = walk_next(&w, MTR_DLMS_OCTET_STRING);
    cr_assert(name.value_len == 16 && memcmp(name.value, "LMT0001234567890", 16) == 0);
    walk_end(&w);
    cosem_rig_free(r);
}

Test(cosem_sys, security_setup)
{
    struct cosem_rig *r = cosem_rig_new(UTC0);
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL3);
    cr_assert_eq(cosem_rig_get(r, 64, LN_SEC, 2), 0);
    cr_assert(r->val_len == 2 && r->val[0] == MTR_DLMS_ENUM && r->val[1] == MTR_DLMS_POLICY_NONE);
    cr_assert_eq(cosem_rig_get(r, 64, LN_SEC, 3), 0);
    cr_assert(r->val_len == 2 && r->val[0] == MTR_DLMS_ENUM && r->val[1] == 0, "suite 0");
    cr_assert_eq(cosem_rig_get(r, 64, LN_SEC, 4), 0);
    cr_assert(r->val_len == 2 && r->val[1] == 0, "no client title in a plain AARQ");
    cr_assert_eq(cosem_rig_get(r, 64, LN_SEC, 5), 0);
    cr_assert(r->val_len == 10 && r->val[0] == MTR_DLMS_OCTET_STRING && r->val[1] == 8);
    cr_assert_arr_eq(r->val + 2, GB_SERVER_ST, 8);
    /* nothing of it is writable */
    uint8_t v[2] = {MTR_DLMS_ENUM, 3};
    cosem_rig_assoc(r, MTR_COSEM_ROLE_MANAGEMENT);
    cr_assert_eq(cosem_rig_set(r, 64, LN_SEC, 2, v, 2), MTR_DLMS_DAR_READ_WRITE_DENIED);
    cosem_rig_free(r);
}

/* ------------------------------------------------------------ port setups */

static int set_u(struct cosem_rig *r, uint16_t cls, const uint8_t *ln, uint8_t attr, uint8_t tag,
                 uint64_t x)
{
    struct cosem_val v;
    cv_reset(&v);
    cv_uint(&v, tag, x);
    return cosem_rig_set(r, cls, ln, attr, v.b, v.n);
}

Test(cosem_sys, tcp_setup)
{
    struct cosem_rig *r = cosem_rig_new(UTC0);
    struct mtr_cosem_tcp before;

    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL1);
    cr_assert_eq(cosem_rig_get(r, 41, LN_TCP, 2), 0);
    cr_assert(r->val_len == 3 && r->val[0] == MTR_DLMS_LONG_UNSIGNED && r->val[1] == 0x0F &&
                  r->val[2] == 0xDB,
              "port 4059");
    cr_assert_eq(cosem_rig_get(r, 41, LN_TCP, 6), 0);
    cr_assert(r->val_len == 3 && r->val[2] == 180, "inactivity time-out 180 s (seed Table 6)");
    cr_assert_eq(set_u(r, 41, LN_TCP, 2, MTR_DLMS_LONG_UNSIGNED, 4060),
                 MTR_DLMS_DAR_READ_WRITE_DENIED);

    cosem_rig_assoc(r, MTR_COSEM_ROLE_MANAGEMENT);
    cr_assert_eq(set_u(r, 41, LN_TCP, 2, MTR_DLMS_LONG_UNSIGNED, 4060), 0);
    cr_assert_eq(fx.tcp.port, 4060);
    cr_assert(fx.nchanged == 1 && fx.changed_what == MTR_COSEM_SETTING_TCP);
    cr_assert_eq(set_u(r, 41, LN_TCP, 6, MTR_DLMS_LONG_UNSIGNED, 15), 0);
    cr_assert_eq(fx.tcp.inactivity_s, 15);
    cr_assert_eq(set_u(r, 41, LN_TCP, 5, MTR_DLMS_UNSIGNED, 2), 0);
    cr_assert_eq(fx.tcp.nb_sim_conn, 2);
    cr_assert_eq(set_u(r, 41, LN_TCP, 4, MTR_DLMS_LONG_UNSIGNED, 1460), 0);
    cr_assert_eq(fx.tcp.mss, 1460);
    struct cosem_val v;
    cv_reset(&v);
    cv_bytes(&v, MTR_DLMS_OCTET_STRING, (const uint8_t[]){0, 0, 25, 1, 1, 255}, 6);
    cr_assert_eq(cosem_rig_set(r, 41, LN_TCP, 3, v.b, v.n), 0);
    cr_assert_eq(fx.tcp.ip_ref[4], 1);

    /* refused, nothing changes */
    before = fx.tcp;
    unsigned nchanged = fx.nchanged;
    cr_assert_eq(set_u(r, 41, LN_TCP, 2, MTR_DLMS_LONG_UNSIGNED, 0), MTR_DLMS_DAR_OTHER);
    cr_assert_eq(set_u(r, 41, LN_TCP, 2, MTR_DLMS_DOUBLE_LONG_UNSIGNED, 4061),
                 MTR_DLMS_DAR_TYPE_UNMATCHED);
    cr_assert_eq(set_u(r, 41, LN_TCP, 4, MTR_DLMS_LONG_UNSIGNED, 39), MTR_DLMS_DAR_OTHER);
    cr_assert_eq(set_u(r, 41, LN_TCP, 5, MTR_DLMS_UNSIGNED, 0), MTR_DLMS_DAR_OTHER);
    cv_reset(&v);
    cv_bytes(&v, MTR_DLMS_OCTET_STRING, (const uint8_t[]){0, 0, 25, 1, 0}, 5);
    cr_assert_eq(cosem_rig_set(r, 41, LN_TCP, 3, v.b, v.n), MTR_DLMS_DAR_TYPE_UNMATCHED);
    cr_assert_eq(memcmp(&before, &fx.tcp, sizeof before), 0);
    cr_assert_eq(fx.nchanged, nchanged);
    cosem_rig_free(r);
}

Test(cosem_sys, hdlc_setup)
{
    struct cosem_rig *r = cosem_rig_new(UTC0);
    cosem_rig_assoc(r, MTR_COSEM_ROLE_MANAGEMENT);
    cr_assert_eq(cosem_rig_get(r, 23, LN_HDLC, 9), 0);
    cr_assert(r->val_len == 3 && r->val[2] == 17, "device address 17 (seed RS-485 range 17..116)");
    cr_assert_eq(set_u(r, 23, LN_HDLC, 9, MTR_DLMS_LONG_UNSIGNED, 116), 0);
    cr_assert_eq(fx.hdlc.address, 116);
    cr_assert(fx.changed_what == MTR_COSEM_SETTING_HDLC);
    cr_assert_eq(set_u(r, 23, LN_HDLC, 2, MTR_DLMS_ENUM, 6), 0);
    cr_assert_eq(fx.hdlc.speed, 6);
    cr_assert_eq(set_u(r, 23, LN_HDLC, 7, MTR_DLMS_LONG_UNSIGNED, 500), 0);
    cr_assert_eq(fx.hdlc.inter_octet_ms, 500);

    struct mtr_cosem_hdlc before = fx.hdlc;
    cr_assert_eq(set_u(r, 23, LN_HDLC, 2, MTR_DLMS_ENUM, 10), MTR_DLMS_DAR_OTHER);
    cr_assert_eq(set_u(r, 23, LN_HDLC, 3, MTR_DLMS_UNSIGNED, 8), MTR_DLMS_DAR_OTHER);
    cr_assert_eq(set_u(r, 23, LN_HDLC, 4, MTR_DLMS_UNSIGNED, 0), MTR_DLMS_DAR_OTHER);
    cr_assert_eq(set_u(r, 23, LN_HDLC, 5, MTR_DLMS_LONG_UNSIGNED, 2031),
                 MTR_DLMS_DAR_OTHER);
    cr_assert_eq(set_u(r, 23, LN_HDLC, 6, MTR_DLMS_LONG_UNSIGNED, 31), MTR_DLMS_DAR_OTHER);
    cr_assert_eq(set_u(r, 23, LN_HDLC, 7, MTR_DLMS_LONG_UNSIGNED, 19), MTR_DLMS_DAR_OTHER);
    cr_assert_eq(set_u(r, 23, LN_HDLC, 9, MTR_DLMS_LONG_UNSIGNED, 0x0F),
                 MTR_DLMS_DAR_OTHER);
    cr_assert_eq(set_u(r, 23, LN_HDLC, 9, MTR_DLMS_UNSIGNED, 20), MTR_DLMS_DAR_TYPE_UNMATCHED);
    cr_assert_eq(memcmp(&before, &fx.hdlc, sizeof before), 0);
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL3);
    cr_assert_eq(set_u(r, 23, LN_HDLC, 9, MTR_DLMS_LONG_UNSIGNED, 20),
                 MTR_DLMS_DAR_READ_WRITE_DENIED);
    cr_assert_eq(memcmp(&before, &fx.hdlc, sizeof before), 0);
    cosem_rig_free(r);
}

Test(cosem_sys, local_port_setup)
{
    struct cosem_rig *r = cosem_rig_new(UTC0);
    struct cosem_val v;
    cosem_rig_assoc(r, MTR_COSEM_ROLE_MANAGEMENT);
    cr_assert_eq(cosem_rig_get(r, 19, LN_LOCAL, 4), 0);
    cr_assert(r->val_len == 2 && r->val[1] == 5, "9600 bit/s (seed optical port)");
    cr_assert_eq(set_u(r, 19, LN_LOCAL, 5, MTR_DLMS_ENUM, 1), 0);
    cr_assert_eq(fx.lp.response_time, 1);
    cv_reset(&v);
    cv_bytes(&v, MTR_DLMS_OCTET_STRING, "12345678", 8);
    cr_assert_eq(cosem_rig_set(r, 19, LN_LOCAL, 6, v.b, v.n), 0);
    cr_assert(fx.lp.addr_len == 8 && memcmp(fx.lp.addr, "12345678", 8) == 0);
    cr_assert_eq(cosem_rig_get(r, 19, LN_LOCAL, 6), 0);
    cr_assert(r->val_len == 10 && memcmp(r->val + 2, "12345678", 8) == 0);

    struct mtr_cosem_local_port before = fx.lp;
    uint8_t big[33];
    memset(big, '7', sizeof big);
    cv_reset(&v);
    cv_bytes(&v, MTR_DLMS_OCTET_STRING, big, sizeof big);
    cr_assert_eq(cosem_rig_set(r, 19, LN_LOCAL, 6, v.b, v.n), MTR_DLMS_DAR_OTHER);
    cr_assert_eq(set_u(r, 19, LN_LOCAL, 2, MTR_DLMS_ENUM, 3), MTR_DLMS_DAR_OTHER);
    cr_assert_eq(set_u(r, 19, LN_LOCAL, 5, MTR_DLMS_ENUM, 2), MTR_DLMS_DAR_OTHER);
    cr_assert_eq(set_u(r, 19, LN_LOCAL, 3, MTR_DLMS_UNSIGNED, 5), MTR_DLMS_DAR_TYPE_UNMATCHED);
    cr_assert_eq(cosem_rig_get(r, 19, LN_LOCAL, 7), MTR_DLMS_DAR_READ_WRITE_DENIED,
                 "passwords are not read");
    cr_assert_eq(memcmp(&before, &fx.lp, sizeof before), 0);
    cosem_rig_free(r);
}

/* ------------------------------------------------------------ firmware */

Test(cosem_sys, firmware_identifiers_for_every_role)
{
    struct cosem_rig *r = cosem_rig_new(UTC0);
    for (int role = 0; role < MTR_COSEM_ROLES; role++) {
        cosem_rig_assoc(r, role);
        cr_assert_eq(cosem_rig_get(r, 1, LN_FW, 2), 0);
        cr_assert(r->val_len == 9 && r->val[0] == MTR_DLMS_OCTET_STRING &&
                  memcmp(r->val + 2, "V030202", 7) == 0);
        cr_assert_eq(cosem_rig_get(r, 1, LN_FW_LNR, 2), 0);
        cr_assert(r->val_len == 9 && memcmp(r->val + 2, "V010005", 7) == 0);
        cr_assert_eq(cosem_rig_get(r, 1, LN_FW_SIG, 2), 0);
        cr_assert(r->val_len == 18 && r->val[1] == 16 && r->val[2] == 0x5A && r->val[17] == 0xA5,
                  "16-byte signature (seed 11.1)");
        uint8_t v[3] = {MTR_DLMS_OCTET_STRING, 1, 'X'};
        cr_assert_eq(cosem_rig_set(r, 1, LN_FW, 2, v, 3), MTR_DLMS_DAR_READ_WRITE_DENIED);
    }
    cosem_rig_free(r);
}

/* The version number of the firmware update log (1-0:0.2.128.255). */
Test(cosem_sys, firmware_version_number)
{
    static const struct {
        const char *id;
        uint32_t n;
    } rows[] = {
        {"V030202", 30202u},  {"V1", 1u},          {"V999999999", 999999999u},
        {"V", 0u},            {"v030202", 0u},     {"V03a202", 0u},
        {"V 30202", 0u},      {"V0000000000", 0u}, /* 11 bytes: longer than "V" + 9 digits */
        {"030202", 0u},       {"", 0u},
    };
    for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
        cr_assert_eq(mtr_cosem_fw_number((const uint8_t *)rows[k].id, strlen(rows[k].id)), rows[k].n,
                     "%s", rows[k].id);
    }
    cr_assert_eq(mtr_cosem_fw_number(NULL, 7), 0u);
}

/* After an activation the application serves the new version; the rest of the
 * context (here a passive calendar staged over DLMS) stays. */
Test(cosem_sys, firmware_version_replaced_in_place)
{
    static const uint8_t LN_FW_NUM[6] = {1, 0, 0, 2, 128, 255};
    static const uint8_t v2[] = "V030305";
    static uint8_t longer[MTR_COSEM_FW_ID_MAX + 1];
    struct cosem_rig *r = cosem_rig_new(UTC0);
    cosem_rig_assoc(r, MTR_COSEM_ROLE_MANAGEMENT);
    cr_assert_eq(cosem_rig_get(r, 1, LN_FW_NUM, 2), 0);
    cr_assert(r->val_len == 5 && r->val[0] == MTR_DLMS_DOUBLE_LONG_UNSIGNED &&
              mtr_get_be32(r->val + 1) == 30202u);
    r->cosem.tou_staged = true; /* RAM state the setter keeps */
    r->cosem.push_iid = 77;

    struct mtr_cosem before = r->cosem;
    cr_assert_eq(mtr_cosem_set_fw_version(&r->cosem, longer, sizeof longer, v2, 7), MTR_ERR_RANGE);
    cr_assert_eq(mtr_cosem_set_fw_version(&r->cosem, NULL, 3, v2, 7), MTR_ERR_RANGE);
    cr_assert_eq(mtr_cosem_set_fw_version(&r->cosem, v2, 7, NULL, 1), MTR_ERR_RANGE);
    cr_assert_eq(memcmp(&before, &r->cosem, sizeof before), 0, "a refused version changes nothing");

    cr_assert_eq(mtr_cosem_set_fw_version(&r->cosem, v2, 7, v2, 7), MTR_OK);
    cr_assert(r->cosem.tou_staged && r->cosem.push_iid == 77);
    cr_assert_eq(cosem_rig_get(r, 1, LN_FW, 2), 0);
    cr_assert(r->val_len == 9 && memcmp(r->val + 2, "V030305", 7) == 0);
    cr_assert_eq(cosem_rig_get(r, 1, LN_FW_LNR, 2), 0);
    cr_assert(r->val_len == 9 && memcmp(r->val + 2, "V030305", 7) == 0);
    cr_assert_eq(cosem_rig_get(r, 1, LN_FW_NUM, 2), 0);
    cr_assert_eq(mtr_get_be32(r->val + 1), 30305u);

    cr_assert_eq(mtr_cosem_set_fw_version(&r->cosem, NULL, 0, NULL, 0), MTR_OK);
    cr_assert_eq(cosem_rig_get(r, 1, LN_FW, 2), MTR_DLMS_DAR_OBJECT_UNAVAILABLE);
    cr_assert_eq(cosem_rig_get(r, 1, LN_FW_NUM, 2), MTR_DLMS_DAR_OBJECT_UNAVAILABLE);
    cosem_rig_free(r);
}

Test(cosem_sys, unconfigured_objects_are_unavailable)
{
    struct cosem_rig *r = cosem_rig_new(UTC0);
    r->cosem.cfg.tcp = NULL;
    r->cosem.cfg.fw_signature = NULL;
    cosem_rig_assoc(r, MTR_COSEM_ROLE_MANAGEMENT);
    cr_assert_eq(cosem_rig_get(r, 41, LN_TCP, 2), MTR_DLMS_DAR_OBJECT_UNAVAILABLE);
    cr_assert_eq(set_u(r, 41, LN_TCP, 2, MTR_DLMS_LONG_UNSIGNED, 1),
                 MTR_DLMS_DAR_OBJECT_UNAVAILABLE);
    cr_assert_eq(cosem_rig_get(r, 1, LN_FW_SIG, 2), MTR_DLMS_DAR_OBJECT_UNAVAILABLE);
    cosem_rig_free(r);
}
