/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Security suite 0: Green Book vectors (glo-get-request of Table 40, HLS-5
 * GMAC of Table 43, the HLS AARQ/AARE example), ciphered associations
 * (glo, ded, general-glo) over the direct API and HDLC, replay and tag
 * failures, key transfer with AES key wrap, the saved counters, notifications.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "dlms_rig.h"
#include "dlms_vectors.h"

static struct vec vecs[VEC_MAX];
static size_t nvec;

static void load(void)
{
    nvec = vec_load("dlms_apdu.data", vecs, VEC_MAX);
    cr_assert_geq(nvec, 8);
}

TestSuite(security, .init = load);

static const uint8_t GET_CLOCK[13] = {0xC0, 0x01, 0x00, 0x00, 0x08, 0x00, 0x00, 0x01, 0x00, 0x00, 0xFF, 0x02, 0x00};

/* The client's own ciphering reproduces Green Book Table 40 (all three protections). */
Test(security, client_reproduces_green_book_glo_get_request)
{
    struct rig *g = rig_new(VIA_DIRECT, SAP_PUBLIC);
    static const char *names[3] = {"gb_glo_get_auth", "gb_glo_get_enc", "gb_glo_get_auth_enc"};
    static const uint8_t sc[3] = {0x10, 0x20, 0x30};
    uint8_t out[128];

    memcpy(g->cl.title, GB_SERVER_ST, 8); /* the example ciphers with system title 4D4D4D0000BC614E */
    for (int k = 0; k < 3; k++) {
        const struct vec *v = vec_find(vecs, nvec, names[k]);
        g->cl.ic = 0x01234567;
        size_t n = cl_protect(&g->cl, sc[k], GET_CLOCK, sizeof GET_CLOCK, out);
        cr_assert_eq(n, v->len, "%s", names[k]);
        cr_assert(memcmp(out, v->b, n) == 0, "%s", names[k]);
    }
    rig_free(g);
}

/* The server deciphers the Table 40 APDUs and answers ciphered with the same protection. */
Test(security, server_serves_green_book_glo_get_request)
{
    static const struct mtr_dlms_assoc_cfg pre[3] = {
        {0x66, MTR_DLMS_MECH_NONE, MTR_DLMS_POLICY_AUTH, 0, MTR_DLMS_ASSOC_PRE_ESTABLISHED, 0, NULL,
         MTR_DLMS_CONF_GET, GB_SERVER_ST},
        {0x67, MTR_DLMS_MECH_NONE, MTR_DLMS_POLICY_ENC, 0, MTR_DLMS_ASSOC_PRE_ESTABLISHED, 0, NULL,
         MTR_DLMS_CONF_GET, GB_SERVER_ST},
        {0x68, MTR_DLMS_MECH_NONE, MTR_DLMS_POLICY_AUTH_ENC, 0, MTR_DLMS_ASSOC_PRE_ESTABLISHED, 0, NULL,
         MTR_DLMS_CONF_GET, GB_SERVER_ST},
    };
    static const char *names[3] = {"gb_glo_get_auth", "gb_glo_get_enc", "gb_glo_get_auth_enc"};
    struct rig *g = rig_new(VIA_DIRECT, 0x66);

    g->cfg.assocs = pre;
    g->cfg.nassocs = 3;
    cr_assert_eq(mtr_dlms_server_init(&g->srv, &g->cfg), MTR_OK);
    memcpy(g->cl.server_title, GB_SERVER_ST, 8);
    for (int k = 0; k < 3; k++) {
        const struct vec *v = vec_find(vecs, nvec, names[k]);
        uint8_t resp[128], *plain;
        size_t n;
        g->sap = (uint16_t)(0x66 + k);
        n = rig_xfer(g, v->b, v->len, resp);
        cr_assert_eq(g->last, MTR_OK, "%s: %d", names[k], g->last);
        cr_assert_eq(resp[0], 0xCC, "glo-get-response");
        cr_assert_eq(resp[2], (k + 1) << 4, "same protection as the request");
        g->cl.server_ic = 0;
        n = cl_open(&g->cl, resp, n, &plain);
        cr_assert_eq(n, 4 + 14);
        cr_assert(plain[0] == 0xC4 && plain[1] == 1 && plain[3] == 0 && plain[4] == 0x09 && plain[5] == 12);
        cr_assert(memcmp(plain + 6, M.clock, 12) == 0);
        /* the same APDU again is a replay */
        uint32_t ic = g->sec.rx_ic[k];
        n = rig_xfer(g, v->b, v->len, resp);
        cr_assert_eq(g->last, MTR_ERR_DLMS_REPLAY);
        uint8_t ex[] = {0xD8, 1, 6, 0x01, 0x23, 0x45, 0x68};
        cr_assert_eq(n, 7);
        cr_assert(memcmp(resp, ex, 7) == 0, "invocation-counter-error with the next acceptable value");
        cr_assert_eq(g->sec.rx_ic[k], ic);
        cr_assert_eq(g->ev.code[g->ev.n - 1], 50);
        cr_assert_str_eq(g->ev.name[g->ev.n - 1], "Replay attack");
    }
    cr_assert_eq(mtr_dlms_server_counters(&g->srv)->replays, 3);
    rig_free(g);
}

/* Green Book Table 43: f(StoC) and f(CtoS) of the HLS-5 example. */
Test(security, hls5_gmac_green_book_vector)
{
    struct rig *g = rig_new(VIA_DIRECT, SAP_PUBLIC);
    const struct vec *fstoc = vec_find(vecs, nvec, "gb_hls5_f_stoc");
    const struct vec *fctos = vec_find(vecs, nvec, "gb_hls5_f_ctos");
    static const uint8_t stoc[8] = "P6wRJ21F", ctos[8] = "K56iVagY";
    uint8_t f[17];

    cr_assert_eq(mtr_dlms_hls_gmac(&g->hal, &g->sec, GB_CLIENT_ST, 1, stoc, 8, f), MTR_OK);
    cr_assert_eq(fstoc->len, 17);
    cr_assert(memcmp(f, fstoc->b, 17) == 0);
    cr_assert_eq(mtr_dlms_hls_gmac(&g->hal, &g->sec, GB_SERVER_ST, 0x01234567, ctos, 8, f), MTR_OK);
    cr_assert(memcmp(f, fctos->b, 17) == 0);
    rig_free(g);
}

/* The Green Book HLS AARQ: the client builds it byte for byte; the server wants a calling-AP-title. */
Test(security, green_book_hls_aarq_and_aare)
{
    struct rig *g = rig_new(VIA_DIRECT, SAP_HLS);
    const struct vec *q = vec_find(vecs, nvec, "gb_aarq_hls5");
    const struct vec *e = vec_find(vecs, nvec, "gb_aare_hls5");
    static const uint8_t ctos[8] = "K56iVagY";
    struct aarq_opts o = {.ctx = 1, .mech = 5, .auth = ctos, .auth_len = 8, .conformance = 0x007E1F, .max_pdu = 0x4B0};
    uint8_t b[128], resp[300];
    struct aare_info a;
    size_t n = cl_aarq(&g->cl, &o, b);

    cr_assert_eq(n, q->len);
    cr_assert(memcmp(b, q->b, n) == 0);
    n = rig_xfer(g, q->b, q->len, resp);
    cr_assert_eq(g->last, MTR_ERR_DLMS_ASSOC);
    cl_parse_aare(&g->cl, resp, n, &a);
    cr_assert(a.result == 1 && a.diag == 3, "calling-AP-title-not-recognized");
    memcpy(b, e->b, e->len);
    cl_parse_aare(&g->cl, b, e->len, &a);
    cr_assert(a.result == 0 && a.diag == 14 && a.mech == 5 && a.conformance == 0x00501F && a.max_pdu == 0x01F4);
    cr_assert(a.stoc_len == 8 && memcmp(a.stoc, "P6wRJ21F", 8) == 0);
    rig_free(g);
}

/* Management client: ciphered context, HLS-5, glo / ded / general-glo requests, over direct and HDLC. */
static void mgmt_session(struct rig *g, bool ded)
{
    static const uint8_t ctos[16] = "0123456789ABCDEF";
    struct aarq_opts o = {.ctx = 3, .mech = 5, .auth = ctos, .auth_len = 16, .title = true,
                          .conformance = MTR_DLMS_CONF_SERVER, .max_pdu = 700, .ded = ded};
    struct aare_info a;
    uint8_t req[128], resp[1100], f[19];
    size_t n;

    rig_associate(g, &o, &a);
    cr_assert_eq(a.result, 0);
    cr_assert_eq(a.ctx, 3);
    cr_assert_eq(a.diag, 14);
    cr_assert(a.initiate, "glo-initiate-response opened by the client");
    cr_assert_eq(a.conformance, MTR_DLMS_CONF_SERVER);
    cr_assert_eq(mtr_dlms_server_state(&g->srv), MTR_DLMS_ASSOC_PENDING);
    g->cl.sc = 0x30;
    /* plain requests violate the policy */
    n = rig_xfer(g, req, cl_get(0xC1, 3, OB_REG, 2, 0, NULL, 0, req), resp);
    cr_assert(n == 3 && resp[0] == 0xD8 && resp[1] == 1 && resp[2] == 1);
    f[0] = 0x09, f[1] = 17, f[2] = 0x10;
    f[3] = (uint8_t)(g->cl.ic >> 24), f[4] = (uint8_t)(g->cl.ic >> 16), f[5] = (uint8_t)(g->cl.ic >> 8);
    f[6] = (uint8_t)g->cl.ic;
    cl_seal(&g->cl, GB_EK, 0x10, GB_CLIENT_ST, g->cl.ic, a.stoc, a.stoc_len, f + 7);
    n = rig_call(g, req, cl_action(0xC1, 15, OB_ASSOC, 1, f, 19, req), resp);
    cr_assert(n == 25 && resp[0] == 0xC7 && resp[3] == 0);
    cr_assert_eq(mtr_dlms_server_state(&g->srv), MTR_DLMS_ASSOC_ASSOCIATED);
}

Test(security, management_ciphered_session_glo_ded_general)
{
    static uint8_t got[60000], want[60000];
    for (int v = 0; v < 2; v++) {
        struct rig *g = rig_new(v ? VIA_HDLC : VIA_DIRECT, SAP_MGMT);
        uint8_t req[128], resp[200];
        unsigned blocks;
        int dar;
        size_t n;

        mgmt_session(g, true);
        /* glo: the whole profile in ciphered blocks */
        n = rig_get_all(g, 7, OB_PROFILE, 2, 0, NULL, 0, got, &dar, &blocks);
        cr_assert_eq(n, expect_rows(0, ROWS - 1, want));
        cr_assert(memcmp(got, want, n) == 0);
        cr_assert_gt(blocks, 60);
        /* ded */
        g->cl.kind = 1;
        uint8_t t[] = {0x09, 12, 0x07, 0xE8, 3, 1, 0xFF, 12, 0, 0, 0, 0x80, 0, 0};
        n = rig_call(g, req, cl_set(0xC1, 8, OB_CLOCK, 2, t, sizeof t, req), resp);
        cr_assert(n == 4 && resp[0] == 0xC5 && resp[3] == 0);
        cr_assert(memcmp(M.clock, t + 2, 12) == 0);
        /* general-glo */
        g->cl.kind = 2;
        n = rig_call(g, req, cl_get(0xC1, 3, OB_REG, 2, 0, NULL, 0, req), resp);
        cr_assert(n == 9 && resp[0] == 0xC4 && resp[3] == 0);
        /* authentication only is below the policy */
        g->cl.kind = 0;
        g->cl.sc = 0x10;
        n = rig_xfer(g, req, cl_protect(&g->cl, 0x10, GET_CLOCK, sizeof GET_CLOCK, req), resp);
        cr_assert(n == 3 && resp[0] == 0xD8 && resp[2] == 1);
        rig_free(g);
    }
}

Test(security, wrong_tag_and_replay_change_nothing)
{
    struct rig *g = rig_new(VIA_DIRECT, SAP_MGMT);
    uint8_t req[128], prot[160], resp[200];
    size_t n;

    mgmt_session(g, false);
    n = cl_protect(&g->cl, 0x30, GET_CLOCK, sizeof GET_CLOCK, prot);
    prot[n - 1] ^= 0x01; /* tag */
    uint32_t ic = g->sec.rx_ic[1], tx = g->sec.tx_ic;
    size_t r = rig_xfer(g, prot, n, resp);
    uint8_t ex[] = {0xD8, 1, 5};
    cr_assert_eq(g->last, MTR_ERR_DLMS_CIPHER);
    cr_assert(r == 3 && memcmp(resp, ex, 3) == 0, "deciphering-error");
    cr_assert_eq(g->sec.rx_ic[1], ic);
    cr_assert_eq(g->sec.tx_ic, tx);
    cr_assert_eq(mtr_dlms_server_counters(&g->srv)->decrypt_failures, 1);
    cr_assert_eq(g->ev.code[g->ev.n - 1], 49);
    cr_assert_str_eq(g->ev.name[g->ev.n - 1], "Decryption or authentication failure");
    prot[n - 1] ^= 0x01; /* the genuine APDU is accepted once */
    r = rig_xfer(g, prot, n, resp);
    cr_assert_eq(g->last, MTR_OK);
    r = rig_xfer(g, prot, n, resp);
    cr_assert_eq(g->last, MTR_ERR_DLMS_REPLAY);
    cr_assert(r == 7 && resp[2] == 6);
    /* an older counter too */
    g->cl.ic -= 2;
    n = cl_protect(&g->cl, 0x30, GET_CLOCK, sizeof GET_CLOCK, prot);
    r = rig_xfer(g, prot, n, resp);
    cr_assert_eq(g->last, MTR_ERR_DLMS_REPLAY);
    cr_assert_eq(mtr_dlms_server_state(&g->srv), MTR_DLMS_ASSOC_ASSOCIATED);
    (void)req;
    rig_free(g);
}

/* global_key_transfer (security setup method 2) with keys wrapped under the KEK (RFC 3394). */
Test(security, key_transfer)
{
    struct rig *g = rig_new(VIA_DIRECT, SAP_MGMT);
    uint8_t newkey[16], wrapped[24], kek[16], param[40], req[128], resp[200];
    size_t n;

    mgmt_session(g, false);
    memset(kek, 0x3C, 16);
    for (int k = 0; k < 16; k++)
        newkey[k] = (uint8_t)(0xA0 + k);
    cr_assert_eq(g->hal.crypto->key_wrap(g->hal.ctx, kek, newkey, 16, wrapped), MTR_OK);
    param[0] = 0x01, param[1] = 1, param[2] = 0x02, param[3] = 2, param[4] = 0x16, param[5] = 0; /* EK */
    param[6] = 0x09, param[7] = 24;
    memcpy(param + 8, wrapped, 24);
    /* a damaged wrapping is refused and changes no key */
    param[20] ^= 0x40;
    n = rig_call(g, req, cl_action(0xC1, 64, OB_SECSETUP, 2, param, 32, req), resp);
    cr_assert(n == 5 && resp[3] == MTR_DLMS_DAR_OTHER);
    cr_assert(memcmp(g->sec.ek, GB_EK, 16) == 0);
    param[20] ^= 0x40;
    n = rig_call(g, req, cl_action(0xC1, 64, OB_SECSETUP, 2, param, 32, req), resp);
    cr_assert(n == 5 && resp[3] == 0);
    cr_assert(memcmp(g->sec.ek, newkey, 16) == 0);
    cr_assert_eq(g->ev.code[g->ev.n - 1], 48);
    cr_assert_eq(mtr_dlms_server_counters(&g->srv)->key_changes, 1);
    /* the next request under the new key, with the counter restarted */
    memcpy(g->cl.ek, newkey, 16);
    g->cl.ic = 1;
    n = rig_call(g, req, cl_get(0xC1, 3, OB_REG, 2, 0, NULL, 0, req), resp);
    cr_assert(n == 9 && resp[3] == 0);
    rig_free(g);

    /* a role without the key-transfer right */
    g = rig_new(VIA_DIRECT, SAP_L3);
    struct aarq_opts o = {.ctx = 1, .mech = 1, .auth = PW_L3, .auth_len = 8, .conformance = MTR_DLMS_CONF_ACTION,
                          .max_pdu = 512};
    struct aare_info a;
    rig_associate(g, &o, &a);
    n = rig_call(g, req, cl_action(0xC1, 64, OB_SECSETUP, 2, param, 32, req), resp);
    cr_assert(n == 5 && resp[3] == 3);
    cr_assert(memcmp(g->sec.ek, GB_EK, 16) == 0);
    rig_free(g);
}

Test(security, saved_counters_blob)
{
    struct mtr_dlms_security a, b, c;
    uint8_t blob[MTR_DLMS_SECURITY_BLOB + 8];
    size_t n;

    memset(&a, 0, sizeof a);
    a.tx_ic = 5000;
    a.rx_ic[2] = 77;
    a.rx_seen[2] = true;
    cr_assert_eq(mtr_dlms_security_blob_size(), MTR_DLMS_SECURITY_BLOB);
    cr_assert_eq(mtr_dlms_security_save(&a, blob, MTR_DLMS_SECURITY_BLOB - 1, &n), MTR_ERR_FULL);
    cr_assert_eq(mtr_dlms_security_save(&a, blob, sizeof blob, &n), MTR_OK);
    cr_assert_eq(n, MTR_DLMS_SECURITY_BLOB);
    cr_assert(!mtr_dlms_security_save_due(&a));
    memset(&b, 0, sizeof b);
    cr_assert_eq(mtr_dlms_security_load(&b, blob, n), MTR_OK);
    cr_assert_eq(b.tx_ic, 5000 + MTR_CFG_DLMS_IC_GAP, "resumes past every value used before a cut");
    cr_assert(b.rx_ic[2] == 77 && b.rx_seen[2] && !b.rx_seen[1]);
    c = b;
    for (size_t k = 0; k < n; k++) { /* any flipped bit is caught, nothing changes */
        blob[k] ^= 0x10;
        mtr_err_t err = mtr_dlms_security_load(&b, blob, n);
        cr_assert(err == MTR_ERR_DLMS_BLOB_CRC || err == MTR_ERR_DLMS_BLOB_VERSION || err == MTR_ERR_DLMS_BLOB,
                  "byte %zu", k);
        cr_assert(memcmp(&b, &c, sizeof b) == 0);
        blob[k] ^= 0x10;
    }
    for (size_t k = 0; k < n; k++)
        cr_assert_neq(mtr_dlms_security_load(&b, blob, k), MTR_OK);
    blob[0] = 2;
    cr_assert_eq(mtr_dlms_security_load(&b, blob, n), MTR_ERR_DLMS_BLOB_VERSION);
    a.tx_ic = UINT32_MAX - 3;
    cr_assert_eq(mtr_dlms_security_save(&a, blob, sizeof blob, &n), MTR_ERR_OVERFLOW);
}

/* Notifications: layout of the Green Book data-notification and event-notification-request. */
Test(security, notifications_and_push_protection)
{
    struct rig *g = rig_new(VIA_DIRECT, SAP_PUBLIC);
    uint8_t body[] = {0x02, 0x02, 0x06, 0, 0, 0, 5, 0x11, 7};
    uint8_t out[128], *plain;
    size_t n;

    cr_assert_eq(mtr_dlms_data_notification(0x40000001u, NULL, body, sizeof body, out, sizeof out, &n), MTR_OK);
    uint8_t dn[] = {0x0F, 0x40, 0, 0, 1, 0x00, 0x02, 0x02, 0x06, 0, 0, 0, 5, 0x11, 7};
    cr_assert_eq(n, sizeof dn);
    cr_assert(memcmp(out, dn, n) == 0);
    cr_assert_eq(mtr_dlms_data_notification(1, M.clock, body, sizeof body, out, sizeof out, &n), MTR_OK);
    cr_assert(n == 5 + 13 + sizeof body && out[5] == 12 && memcmp(out + 6, M.clock, 12) == 0);
    cr_assert_eq(mtr_dlms_data_notification(1, M.clock, body, sizeof body, out, 20, &n), MTR_ERR_FULL);
    uint8_t val[] = {0x12, 0x00, 0x2E};
    cr_assert_eq(mtr_dlms_event_notification(NULL, 1, OB_DATA, 2, val, 3, out, sizeof out, &n), MTR_OK);
    uint8_t en[] = {0xC2, 0x00, 0x00, 0x01, 0, 0, 96, 1, 0, 255, 2, 0x12, 0x00, 0x2E};
    cr_assert_eq(n, sizeof en);
    cr_assert(memcmp(out, en, n) == 0);
    /* push protected as general-glo-ciphering, opened by the client */
    cr_assert_eq(mtr_dlms_data_notification(1, NULL, body, sizeof body, out, sizeof out, &n), MTR_OK);
    uint8_t prot[160];
    size_t pn;
    cr_assert_eq(mtr_dlms_protect(&g->hal, &g->sec, 0x30, out, n, prot, sizeof prot, &pn), MTR_OK);
    cr_assert_eq(prot[0], 0xDB);
    cr_assert_eq(mtr_dlms_protect(&g->hal, &g->sec, 0x00, out, n, prot, sizeof prot, &pn), MTR_ERR_INVAL);
    size_t m = cl_open(&g->cl, prot, pn, &plain);
    cr_assert_eq(m, n);
    cr_assert(memcmp(plain, out, n) == 0);
    rig_free(g);
}

/* Every prefix of every APDU vector, to an idle and to an associated server: refused, no change. */
Test(security, every_prefix_of_every_apdu_vector)
{
    struct rig *g = rig_new(VIA_DIRECT, SAP_L3);
    for (int assoc = 0; assoc < 2; assoc++) {
        if (assoc) {
            struct aarq_opts o = {.ctx = 1, .mech = 1, .auth = PW_L3, .auth_len = 8,
                                  .conformance = MTR_DLMS_CONF_SERVER, .max_pdu = 512};
            struct aare_info a;
            rig_associate(g, &o, &a);
            cr_assert_eq(a.result, 0);
        }
        for (size_t v = 0; v < nvec; v++) {
            for (size_t cut = 0; cut < vecs[v].len; cut++) {
                uint8_t in[VEC_BYTES], out[MTR_CFG_DLMS_MAX_APDU];
                uint8_t state = mtr_dlms_server_state(&g->srv);
                struct model m = M;
                size_t n;
                memcpy(in, vecs[v].b, cut);
                mtr_err_t err = mtr_dlms_server_apdu(&g->srv, SAP_L3, in, cut, out, sizeof out, &n);
                cr_assert_neq(err, MTR_OK, "%s cut %zu", vecs[v].name, cut);
                cr_assert_gt(n, 0);
                cr_assert_eq(mtr_dlms_server_state(&g->srv), state);
                cr_assert(memcmp(&m, &M, sizeof M) == 0);
            }
        }
    }
    rig_free(g);
}
