/* SPDX-License-Identifier: Apache-2.0 */
/*
 * xDLMS server driven by the client of dlms_client.h over the direct API,
 * the TCP wrapper and HDLC: associations (none, LLS, HLS-5 with GMAC),
 * GET/SET/ACTION normal, with-list and with blocks, selective access, and
 * bad input (each with its exact response and no state change).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "dlms_rig.h"

#define PROPOSED (MTR_DLMS_CONF_GET | MTR_DLMS_CONF_SET | MTR_DLMS_CONF_ACTION | MTR_DLMS_CONF_BLOCK_GET | \
                  MTR_DLMS_CONF_BLOCK_SET | MTR_DLMS_CONF_BLOCK_ACTION | MTR_DLMS_CONF_MULTIPLE_REFS |       \
                  MTR_DLMS_CONF_SELECTIVE_ACCESS | MTR_DLMS_CONF_PRIORITY_MGMT)

static const int VIAS[3] = {VIA_DIRECT, VIA_WRAPPER, VIA_HDLC};

static void assoc_lls(struct rig *g, const uint8_t pw[8])
{
    struct aarq_opts o = {.ctx = 1, .mech = 1, .auth = pw, .auth_len = 8, .conformance = PROPOSED, .max_pdu = 512};
    struct aare_info a;
    rig_associate(g, &o, &a);
    cr_assert_eq(a.result, 0, "LLS association accepted");
    cr_assert_eq(mtr_dlms_server_state(&g->srv), MTR_DLMS_ASSOC_ASSOCIATED);
}

static void assoc_public(struct rig *g)
{
    struct aarq_opts o = {.ctx = 1, .mech = -1, .conformance = PROPOSED, .max_pdu = 512};
    struct aare_info a;
    rig_associate(g, &o, &a);
    cr_assert_eq(a.result, 0);
}

/* Conformance negotiation = proposed AND offered (Green Book, xDLMS-Initiate). */
Test(server, public_association_negotiates_and_reads_over_each_transport)
{
    for (int v = 0; v < 3; v++) {
        struct rig *g = rig_new(VIAS[v], SAP_PUBLIC);
        struct aarq_opts o = {.ctx = 1, .mech = -1, .conformance = 0x00FFFF, .max_pdu = 300};
        struct aare_info a;
        uint8_t req[64], resp[256];
        size_t n;

        rig_associate(g, &o, &a);
        cr_assert_eq(a.ctx, 1);
        cr_assert_eq(a.result, 0);
        cr_assert_eq(a.diag_src, 0xA1);
        cr_assert_eq(a.diag, 0);
        cr_assert(a.initiate);
        cr_assert_eq(a.version, 6);
        cr_assert_eq(a.conformance, 0x00FFFFu & CONF_PUBLIC);
        cr_assert_eq(a.max_pdu, 1024);
        cr_assert(!a.has_mech && a.stoc_len == 0);
        n = rig_call(g, req, cl_get(0xC1, 3, OB_REG, 2, 0, NULL, 0, req), resp);
        uint8_t want[] = {0xC4, 1, 0xC1, 0, 0x06, 0x00, 0x01, 0xE2, 0x40}; /* 123456 */
        cr_assert_eq(n, sizeof want);
        cr_assert(memcmp(resp, want, n) == 0);
        n = rig_call(g, req, cl_get(0xC2, 3, OB_REG, 3, 0, NULL, 0, req), resp);
        uint8_t su[] = {0xC4, 1, 0xC2, 0, 0x02, 0x02, 0x0F, 0x00, 0x16, 30};
        cr_assert_eq(n, sizeof su);
        cr_assert(memcmp(resp, su, n) == 0, "scaler_unit {0, Wh}");
        n = rig_call(g, req, cl_get(0xC1, 8, OB_CLOCK, 1, 0, NULL, 0, req), resp);
        cr_assert_eq(n, 12);
        cr_assert(resp[4] == 0x09 && resp[5] == 6 && memcmp(resp + 6, OB_CLOCK, 6) == 0, "logical name");
        n = rig_call(g, req, cl_get(0xC1, 7, OB_PROFILE, 2, 0, NULL, 0, req), resp);
        uint8_t denied[] = {0xC4, 1, 0xC1, 1, 3};
        cr_assert_eq(n, 5);
        cr_assert(memcmp(resp, denied, 5) == 0, "public may not read the profile");
        n = rig_xfer(g, req, cl_rlrq(req), resp);
        uint8_t rlre[] = {0x63, 0x03, 0x80, 0x01, 0x00};
        cr_assert_eq(n, 5);
        cr_assert(memcmp(resp, rlre, 5) == 0);
        cr_assert_eq(mtr_dlms_server_state(&g->srv), MTR_DLMS_ASSOC_IDLE);
        rig_free(g);
    }
}

/* Profile of 2000 rows (~42 KB) read in blocks over each transport, whole and selected. */
Test(server, block_transfer_and_selective_access_over_each_transport)
{
    static uint8_t got[60000], want[60000];
    for (int v = 0; v < 3; v++) {
        struct rig *g = rig_new(VIAS[v], SAP_L1);
        unsigned blocks;
        int dar;
        size_t n, w;

        assoc_lls(g, PW_L1);
        n = rig_get_all(g, 7, OB_PROFILE, 2, 0, NULL, 0, got, &dar, &blocks);
        w = expect_rows(0, ROWS - 1, want);
        cr_assert_eq(dar, -1);
        cr_assert_gt(w, 40000);
        cr_assert_eq(n, w);
        cr_assert(memcmp(got, want, n) == 0);
        cr_assert_gt(blocks, w / 512, "blocks no larger than the client's PDU");
        /* entry_descriptor: entries 11..20 (Blue Book, profile generic selective access 2) */
        uint8_t by_entry[] = {0x02, 0x04, 0x06, 0, 0, 0, 11, 0x06, 0, 0, 0, 20, 0x12, 0, 0, 0x12, 0, 0};
        n = rig_get_all(g, 7, OB_PROFILE, 2, 2, by_entry, sizeof by_entry, got, &dar, &blocks);
        w = expect_rows(10, 19, want);
        cr_assert_eq(n, w);
        cr_assert(memcmp(got, want, n) == 0);
        cr_assert_eq(blocks, 0, "small selection in one response");
        /* range_descriptor: 2024-01-02 00:00 .. 2024-01-02 01:00 (rows 96..100) */
        struct cb *c = malloc(sizeof *c);
        c->n = 0;
        uint8_t restr[] = {0x02, 0x04, 0x12, 0x00, 0x08, 0x09, 0x06, 0, 0, 1, 0, 0, 255, 0x0F, 0x02, 0x12, 0, 0};
        cb_u8(c, 0x02);
        cb_u8(c, 0x04);
        cb_put(c, restr, sizeof restr);
        cb_u8(c, 0x09);
        cb_u8(c, 12);
        cb_put(c, M.row_time[96], 12);
        cb_u8(c, 0x09);
        cb_u8(c, 12);
        cb_put(c, M.row_time[100], 12);
        cb_u8(c, 0x01);
        cb_u8(c, 0x00);
        n = rig_get_all(g, 7, OB_PROFILE, 2, 1, c->b, c->n, got, &dar, &blocks);
        w = expect_rows(96, 100, want);
        cr_assert_eq(n, w, "range: %zu bytes, dar %d", n, dar);
        cr_assert(memcmp(got, want, n) == 0);
        free(c);
        /* entries outside the buffer: scope-of-access-violated */
        uint8_t bad_entry[] = {0x02, 0x04, 0x06, 0, 0, 0x10, 0, 0x06, 0, 0, 0x10, 1, 0x12, 0, 0, 0x12, 0, 0};
        n = rig_get_all(g, 7, OB_PROFILE, 2, 2, bad_entry, sizeof bad_entry, got, &dar, &blocks);
        cr_assert_eq(dar, MTR_DLMS_DAR_SCOPE_VIOLATED);
        rig_free(g);
    }
}

Test(server, lls_wrong_password_rejected_with_event_and_no_state_change)
{
    struct rig *g = rig_new(VIA_DIRECT, SAP_L2);
    static const uint8_t bad[8] = "22222223";
    struct aarq_opts o = {.ctx = 1, .mech = 1, .auth = bad, .auth_len = 8, .conformance = PROPOSED, .max_pdu = 512};
    struct aare_info a;
    uint8_t req[64], resp[64];

    rig_associate(g, &o, &a);
    cr_assert_eq(g->last, MTR_ERR_AUTH);
    cr_assert_eq(a.result, 1, "rejected-permanent");
    cr_assert_eq(a.diag_src, 0xA1, "acse-service-user");
    cr_assert_eq(a.diag, 13, "authentication-failure");
    cr_assert_eq(mtr_dlms_server_state(&g->srv), MTR_DLMS_ASSOC_IDLE);
    cr_assert_eq(mtr_dlms_server_counters(&g->srv)->auth_failures, 1);
    cr_assert_eq(mtr_dlms_server_counters(&g->srv)->associations, 0);
    cr_assert_eq(g->ev.n, 1);
    cr_assert_eq(g->ev.code[0], 46); /* seed event table */
    cr_assert_str_eq(g->ev.name[0], "Association authentication failure (n times wrong password)");
    /* a GET is refused: no association */
    size_t n = rig_xfer(g, req, cl_get(0xC1, 3, OB_REG, 2, 0, NULL, 0, req), resp);
    cr_assert_eq(g->last, MTR_ERR_DLMS_ASSOC);
    uint8_t ex[] = {0xD8, 1, 1};
    cr_assert_eq(n, 3);
    cr_assert(memcmp(resp, ex, 3) == 0);
    /* the right password works, and is reported */
    o.auth = PW_L2;
    rig_associate(g, &o, &a);
    cr_assert_eq(a.result, 0);
    cr_assert_eq(g->ev.code[1], 249);
    cr_assert_str_eq(g->ev.name[1], "Successful user authentication");
    /* wrong mechanism and missing mechanism */
    mtr_dlms_server_abort(&g->srv);
    o.mech = 5;
    rig_associate(g, &o, &a);
    cr_assert_eq(a.diag, 11, "authentication-mechanism-name-not-recognised");
    o.mech = -1;
    o.auth = NULL;
    rig_associate(g, &o, &a);
    cr_assert_eq(a.diag, 12, "authentication-mechanism-name-required");
    cr_assert_eq(mtr_dlms_server_state(&g->srv), MTR_DLMS_ASSOC_IDLE);
    rig_free(g);
}

/* HLS-5 with GMAC, 4 passes (Green Book, HLS authentication), over the wrapper. */
Test(server, hls5_four_pass_over_wrapper_and_hdlc)
{
    for (int v = 1; v < 3; v++) {
        struct rig *g = rig_new(VIAS[v], SAP_HLS);
        static const uint8_t ctos[8] = "K56iVagY"; /* Green Book example challenge */
        struct aarq_opts o = {.ctx = 1, .mech = 5, .auth = ctos, .auth_len = 8, .title = true,
                              .conformance = PROPOSED, .max_pdu = 512};
        struct aare_info a;
        uint8_t req[128], resp[128], f[19], tag[12];
        size_t n;

        rig_associate(g, &o, &a);
        cr_assert_eq(a.result, 0);
        cr_assert_eq(a.diag, 14, "authentication-required");
        cr_assert(a.has_mech && a.mech == 5);
        cr_assert(a.has_title && memcmp(a.title, GB_SERVER_ST, 8) == 0);
        cr_assert_eq(a.stoc_len, MTR_CFG_DLMS_CHALLENGE);
        cr_assert_eq(mtr_dlms_server_state(&g->srv), MTR_DLMS_ASSOC_PENDING);
        /* pending: everything but reply_to_HLS_authentication is denied */
        n = rig_call(g, req, cl_get(0xC1, 3, OB_REG, 2, 0, NULL, 0, req), resp);
        cr_assert(n == 5 && resp[3] == 1 && resp[4] == 3);
        /* pass 3 with a wrong tag: refused, still pending */
        f[0] = 0x09;
        f[1] = 17;
        f[2] = 0x10;
        f[3] = 0, f[4] = 0, f[5] = 0, f[6] = 1;
        cl_seal(&g->cl, GB_EK, 0x10, GB_CLIENT_ST, 1, a.stoc, a.stoc_len, f + 7);
        f[18] ^= 1;
        n = rig_call(g, req, cl_action(0xC1, 15, OB_ASSOC, 1, f, 19, req), resp);
        uint8_t refused[] = {0xC7, 1, 0xC1, 3, 0};
        cr_assert_eq(n, 5);
        cr_assert(memcmp(resp, refused, 5) == 0);
        cr_assert_eq(mtr_dlms_server_state(&g->srv), MTR_DLMS_ASSOC_PENDING);
        cr_assert_eq(mtr_dlms_server_counters(&g->srv)->auth_failures, 1);
        cr_assert_eq(g->ev.code[0], 46);
        /* pass 3 right: f(StoC) = SC || IC || GMAC(SC || AK || StoC) */
        f[18] ^= 1;
        n = rig_call(g, req, cl_action(0xC1, 15, OB_ASSOC, 1, f, 19, req), resp);
        cr_assert_eq(n, 6 + 19);
        cr_assert(resp[3] == 0 && resp[4] == 1 && resp[5] == 0 && resp[6] == 0x09 && resp[7] == 17);
        /* pass 4: check f(CtoS) with the server title and its IC */
        cr_assert_eq(resp[8], 0x10);
        uint32_t sic = be32(resp + 9);
        uint8_t c2[8];
        memcpy(c2, ctos, 8);
        cl_seal(&g->cl, GB_EK, 0x10, GB_SERVER_ST, sic, c2, 8, tag);
        cr_assert(memcmp(tag, resp + 13, 12) == 0, "f(CtoS)");
        cr_assert_eq(mtr_dlms_server_state(&g->srv), MTR_DLMS_ASSOC_ASSOCIATED);
        cr_assert_eq(g->ev.code[1], 249);
        n = rig_call(g, req, cl_get(0xC1, 3, OB_REG, 2, 0, NULL, 0, req), resp);
        cr_assert(n == 9 && resp[3] == 0);
        rig_free(g);
    }
}

Test(server, with_list_get_set_action)
{
    struct rig *g = rig_new(VIA_DIRECT, SAP_L3);
    struct cb *c = malloc(sizeof *c);
    uint8_t resp[1200];
    size_t n;

    assoc_lls(g, PW_L3);
    /* GET-request-with-list: register value, undefined object, class mismatch, serial */
    static const uint8_t none[6] = {0, 0, 96, 99, 0, 255};
    c->n = 0;
    cb_u8(c, 0xC0), cb_u8(c, 3), cb_u8(c, 0xC5), cb_u8(c, 4);
    cb_desc(c, 3, OB_REG, 2), cb_u8(c, 0);
    cb_desc(c, 1, none, 2), cb_u8(c, 0);
    cb_desc(c, 1, OB_REG, 2), cb_u8(c, 0);
    cb_desc(c, 1, OB_DATA, 2), cb_u8(c, 0);
    n = rig_call(g, c->b, c->n, resp);
    uint8_t want[] = {0xC4, 3, 0xC5, 4, 0, 0x06, 0, 1, 0xE2, 0x40, 1, 4, 1, 9, 0, 0x0A, 6, 'L', 'M', '0', '0', '0', '1'};
    cr_assert_eq(n, sizeof want);
    cr_assert(memcmp(resp, want, n) == 0, "object-undefined 4, object-class-inconsistent 9");
    /* SET-request-with-list: serial and time zone; then a type mismatch */
    c->n = 0;
    cb_u8(c, 0xC1), cb_u8(c, 4), cb_u8(c, 0xC6), cb_u8(c, 2);
    cb_desc(c, 1, OB_DATA, 2), cb_u8(c, 0);
    cb_desc(c, 8, OB_CLOCK, 3), cb_u8(c, 0);
    cb_u8(c, 2);
    uint8_t v1[] = {0x0A, 3, 'X', 'Y', 'Z'}, v2[] = {0x10, 0xFF, 0xC4};
    cb_put(c, v1, sizeof v1), cb_put(c, v2, sizeof v2);
    n = rig_call(g, c->b, c->n, resp);
    uint8_t sw[] = {0xC5, 5, 0xC6, 2, 0, 0};
    cr_assert_eq(n, sizeof sw);
    cr_assert(memcmp(resp, sw, n) == 0);
    cr_assert(M.serial_len == 3 && memcmp(M.serial, "XYZ", 3) == 0 && M.tz == -60);
    uint8_t wrong[] = {0x11, 5};
    n = rig_call(g, c->b, cl_set(0xC1, 8, OB_CLOCK, 3, wrong, 2, c->b), resp);
    uint8_t tm[] = {0xC5, 1, 0xC1, 12};
    cr_assert_eq(n, 4);
    cr_assert(memcmp(resp, tm, 4) == 0, "type-unmatched");
    cr_assert_eq(M.tz, -60);
    /* ACTION normal: register reset (integer 0 parameter) */
    uint8_t zero[] = {0x0F, 0};
    n = rig_call(g, c->b, cl_action(0xC1, 3, OB_REG, 1, zero, 2, c->b), resp);
    uint8_t ar[] = {0xC7, 1, 0xC1, 0, 0};
    cr_assert_eq(n, 5);
    cr_assert(memcmp(resp, ar, 5) == 0);
    cr_assert_eq(M.energy, 0);
    /* ACTION-request-with-list: blob method 1 with a null and an integer */
    c->n = 0;
    cb_u8(c, 0xC3), cb_u8(c, 3), cb_u8(c, 0xC7), cb_u8(c, 2);
    cb_desc(c, 1, OB_BLOB, 1), cb_desc(c, 1, OB_BLOB, 2);
    cb_u8(c, 2), cb_u8(c, 0), cb_u8(c, 0x0F), cb_u8(c, 7);
    n = rig_call(g, c->b, c->n, resp);
    uint8_t al[] = {0xC7, 3, 0xC7, 2, 0, 1, 0, 0x06, 0, 0, 0, 1, 3, 0};
    cr_assert_eq(n, sizeof al);
    cr_assert(memcmp(resp, al, n) == 0, "method 2 does not exist: read-write-denied");
    free(c);
    rig_free(g);
}

Test(server, set_and_action_with_blocks)
{
    for (int v = 0; v < 3; v += 2) {
        struct rig *g = rig_new(VIAS[v], SAP_L3);
        uint8_t value[1004], req[700], resp[200];
        size_t n;

        assoc_lls(g, PW_L3);
        value[0] = 0x09;
        value[1] = 0x82;
        value[2] = 0x03;
        value[3] = 0xE8; /* 1000 bytes */
        for (int k = 0; k < 1000; k++)
            value[4 + k] = (uint8_t)(k * 7);
        /* out-of-sequence block first: no-long-set-in-progress */
        n = rig_call(g, req, cl_set_block(0xC1, false, 0, NULL, 0, false, 2, value, 10, req), resp);
        uint8_t nl[] = {0xC5, 3, 0xC1, 18, 0, 0, 0, 2};
        cr_assert_eq(n, 8);
        cr_assert(memcmp(resp, nl, 8) == 0);
        for (uint32_t b = 1; b <= 3; b++) {
            size_t off = (b - 1) * 400, len = b < 3 ? 400 : sizeof value - 800;
            n = rig_call(g, req, cl_set_block(0xC1, b == 1, 1, OB_BLOB, 2, b == 3, b, value + off, len, req), resp);
            if (b < 3) {
                uint8_t ack[] = {0xC5, 2, 0xC1, 0, 0, 0, (uint8_t)b};
                cr_assert_eq(n, 7);
                cr_assert(memcmp(resp, ack, 7) == 0);
            } else {
                uint8_t fin[] = {0xC5, 3, 0xC1, 0, 0, 0, 0, 3};
                cr_assert_eq(n, 8);
                cr_assert(memcmp(resp, fin, 8) == 0);
            }
        }
        cr_assert_eq(M.blob_len, 1000);
        cr_assert(memcmp(M.blob, value + 4, 1000) == 0);
        /* a wrong block number aborts */
        n = rig_call(g, req, cl_set_block(0xC1, true, 1, OB_BLOB, 2, false, 1, value, 400, req), resp);
        n = rig_call(g, req, cl_set_block(0xC1, false, 0, NULL, 0, false, 3, value + 400, 400, req), resp);
        uint8_t inv[] = {0xC5, 3, 0xC1, 19, 0, 0, 0, 3};
        cr_assert_eq(n, 8);
        cr_assert(memcmp(resp, inv, 8) == 0);
        cr_assert_eq(M.sets, 1);
        /* ACTION with parameter blocks: blob method 1 answers the parameter size */
        n = rig_call(g, req, cl_action_block(0xC1, true, 1, OB_BLOB, 1, false, 1, value, 600, req), resp);
        uint8_t nx[] = {0xC7, 4, 0xC1, 0, 0, 0, 1};
        cr_assert_eq(n, 7);
        cr_assert(memcmp(resp, nx, 7) == 0, "action-response-next-pblock");
        n = rig_call(g, req, cl_action_block(0xC1, false, 0, NULL, 0, true, 2, value + 600, 404, req), resp);
        uint8_t done[] = {0xC7, 1, 0xC1, 0, 1, 0, 0x06, 0, 0, 0x03, 0xEC};
        cr_assert_eq(n, sizeof done);
        cr_assert(memcmp(resp, done, n) == 0);
        rig_free(g);
    }
}

/* GET-next without a long GET, with a wrong block number; the long GET is then over. */
Test(server, get_next_errors)
{
    struct rig *g = rig_new(VIA_DIRECT, SAP_L1);
    uint8_t req[64], resp[1100];
    size_t n;

    assoc_lls(g, PW_L1);
    n = rig_call(g, req, cl_get_next(0xC1, 1, req), resp);
    uint8_t none[] = {0xC4, 2, 0xC1, 1, 0, 0, 0, 1, 1, 16};
    cr_assert_eq(n, sizeof none);
    cr_assert(memcmp(resp, none, n) == 0, "no-long-get-in-progress");
    n = rig_call(g, req, cl_get(0xC1, 7, OB_PROFILE, 2, 0, NULL, 0, req), resp);
    cr_assert(resp[1] == 2 && resp[3] == 0 && be32(resp + 4) == 1);
    n = rig_call(g, req, cl_get_next(0xC1, 5, req), resp);
    uint8_t ab[] = {0xC4, 2, 0xC1, 1, 0, 0, 0, 5, 1, 15};
    cr_assert_eq(n, sizeof ab);
    cr_assert(memcmp(resp, ab, n) == 0, "long-get-aborted");
    n = rig_call(g, req, cl_get_next(0xC1, 1, req), resp);
    cr_assert(n == 10 && resp[9] == 16);
    rig_free(g);
}

/* ------------------------------------------------------------ bad input */

struct snap {
    uint8_t state;
    uint32_t conf;
    struct model m;
    uint32_t ic[MTR_CFG_DLMS_ASSOC_MAX];
    uint32_t tx;
};

static void take(const struct rig *g, struct snap *s)
{
    s->state = mtr_dlms_server_state(&g->srv);
    s->conf = mtr_dlms_server_conformance(&g->srv);
    s->m = M;
    memcpy(s->ic, g->sec.rx_ic, sizeof s->ic);
    s->tx = g->sec.tx_ic;
}

static void same_as(const struct rig *g, const struct snap *s)
{
    cr_assert_eq(mtr_dlms_server_state(&g->srv), s->state);
    cr_assert_eq(mtr_dlms_server_conformance(&g->srv), s->conf);
    cr_assert(memcmp(&M, &s->m, sizeof M) == 0, "objects unchanged");
    cr_assert(memcmp(g->sec.rx_ic, s->ic, sizeof s->ic) == 0, "invocation counters unchanged");
    cr_assert_eq(g->sec.tx_ic, s->tx);
}

static void expect_exception(struct rig *g, const uint8_t *req, size_t n, mtr_err_t err, uint8_t state,
                             uint8_t service)
{
    uint8_t resp[64];
    struct snap s;
    size_t r;

    take(g, &s);
    r = rig_xfer(g, req, n, resp);
    cr_assert_eq(g->last, err, "got %d want %d", g->last, err);
    cr_assert_geq(r, 3);
    cr_assert(resp[0] == 0xD8 && resp[1] == state && resp[2] == service, "exception %02X %02X %02X", resp[0],
              resp[1], resp[2]);
    same_as(g, &s);
}

Test(server, truncated_oversized_unknown_and_unassociated)
{
    struct rig *g = rig_new(VIA_DIRECT, SAP_PUBLIC);
    static uint8_t req[1100], resp[300];
    size_t n = cl_get(0xC1, 3, OB_REG, 2, 0, NULL, 0, req);
    struct aarq_opts o = {.ctx = 1, .mech = -1, .conformance = PROPOSED, .max_pdu = 512};
    uint8_t aarq[128];
    size_t an = cl_aarq(&g->cl, &o, aarq);

    expect_exception(g, req, n, MTR_ERR_DLMS_ASSOC, 1, 1); /* no association */
    for (size_t cut = 1; cut < an; cut++) {                 /* every prefix of the AARQ */
        struct snap s;
        size_t r;
        take(g, &s);
        r = rig_xfer(g, aarq, cut, resp);
        cr_assert_neq(g->last, MTR_OK, "prefix %zu", cut);
        cr_assert(r > 0 && resp[0] == 0x61);
        same_as(g, &s);
    }
    assoc_public(g);
    for (size_t cut = 1; cut < n; cut++)
        expect_exception(g, req, cut, MTR_ERR_DLMS_APDU, cut == 1 ? 1 : 1, 3);
    req[n] = 0; /* a trailing byte */
    expect_exception(g, req, n + 1, MTR_ERR_DLMS_APDU, 1, 3);
    memset(req, 0xC0, 1025);
    expect_exception(g, req, 1025, MTR_ERR_DLMS_TOO_LONG, 1, 4); /* over the server's max PDU */
    uint8_t unknown[] = {0xC6, 1, 0xC1};
    expect_exception(g, unknown, 3, MTR_ERR_DLMS_APDU, 2, 2);
    uint8_t choice[] = {0xC0, 9, 0xC1};
    expect_exception(g, choice, 3, MTR_ERR_DLMS_APDU, 1, 3);
    /* a nesting bomb as SET value and a count larger than the bytes left */
    uint8_t bomb[64];
    size_t bn = 0;
    for (int k = 0; k < 20; k++)
        bomb[bn++] = 0x01, bomb[bn++] = 0x01;
    bomb[bn++] = 0;
    n = cl_get(0xC1, 7, OB_PROFILE, 2, 2, bomb, bn, req);
    expect_exception(g, req, n, MTR_ERR_DLMS_APDU, 1, 3);
    uint8_t count[] = {0x01, 0x82, 0xFF, 0xFF, 0x00};
    n = cl_get(0xC1, 7, OB_PROFILE, 2, 2, count, sizeof count, req);
    expect_exception(g, req, n, MTR_ERR_DLMS_APDU, 1, 3);
    /* a second AARQ while associated is refused */
    struct snap s;
    take(g, &s);
    n = rig_xfer(g, aarq, an, resp);
    cr_assert_eq(g->last, MTR_ERR_DLMS_ASSOC);
    cr_assert_eq(resp[0], 0x61);
    same_as(g, &s);
    /* another client SAP is not served */
    g->sap = SAP_L1;
    n = cl_get(0xC1, 3, OB_REG, 2, 0, NULL, 0, req);
    expect_exception(g, req, n, MTR_ERR_DLMS_ASSOC, 1, 1);
    rig_free(g);
}

Test(server, services_outside_conformance_and_denied_roles)
{
    struct rig *g = rig_new(VIA_DIRECT, SAP_PUBLIC);
    uint8_t req[128], resp[64];
    uint8_t t[] = {0x09, 12, 0x07, 0xE8, 1, 2, 0xFF, 0, 0, 0, 0, 0x80, 0, 0};
    size_t n;

    assoc_public(g);
    cr_assert_eq(mtr_dlms_server_conformance(&g->srv), PROPOSED & CONF_PUBLIC);
    n = cl_set(0xC1, 8, OB_CLOCK, 2, t, sizeof t, req);
    expect_exception(g, req, n, MTR_ERR_DLMS_SERVICE, 1, 2); /* SET not negotiated */
    uint8_t zero[] = {0x0F, 0};
    n = cl_action(0xC1, 3, OB_REG, 1, zero, 2, req);
    expect_exception(g, req, n, MTR_ERR_DLMS_SERVICE, 1, 2);
    rig_free(g);

    /* level 1 may set the time but not the time zone (seed roles) */
    g = rig_new(VIA_DIRECT, SAP_L1);
    assoc_lls(g, PW_L1);
    struct snap s;
    take(g, &s);
    uint8_t tz[] = {0x10, 0x00, 0x3C};
    n = rig_call(g, req, cl_set(0xC1, 8, OB_CLOCK, 3, tz, 3, req), resp);
    uint8_t denied[] = {0xC5, 1, 0xC1, 3};
    cr_assert_eq(n, 4);
    cr_assert(memcmp(resp, denied, 4) == 0);
    same_as(g, &s);
    n = rig_call(g, req, cl_set(0xC1, 8, OB_CLOCK, 2, t, sizeof t, req), resp);
    cr_assert(n == 4 && resp[3] == 0);
    cr_assert(memcmp(M.clock, t + 2, 12) == 0);
    /* an invalid date (February 30) is type-unmatched and changes nothing */
    take(g, &s);
    t[5] = 2, t[6] = 30;
    n = rig_call(g, req, cl_set(0xC1, 8, OB_CLOCK, 2, t, sizeof t, req), resp);
    cr_assert(n == 4 && resp[3] == 12);
    same_as(g, &s);
    /* the logical name is never writable */
    uint8_t ln[] = {0x09, 6, 0, 0, 1, 0, 0, 255};
    n = rig_call(g, req, cl_set(0xC1, 8, OB_CLOCK, 1, ln, sizeof ln, req), resp);
    cr_assert(n == 4 && resp[3] == 3);
    rig_free(g);
}

/* The pre-established client is served without AARQ, only ciphered, and cannot release. */
Test(server, pre_established_client)
{
    struct rig *g = rig_new(VIA_DIRECT, SAP_PRE);
    uint8_t req[128], resp[128];
    size_t n = cl_get(0xC1, 3, OB_REG, 2, 0, NULL, 0, req);

    n = rig_xfer(g, req, n, resp); /* plain refused by its policy */
    cr_assert_eq(g->last, MTR_ERR_DLMS_DENIED);
    cr_assert(n == 3 && resp[0] == 0xD8 && resp[1] == 1 && resp[2] == 1);
    cr_assert_eq(mtr_dlms_server_state(&g->srv), MTR_DLMS_ASSOC_ASSOCIATED);
    n = cl_get(0xC1, 3, OB_REG, 2, 0, NULL, 0, req);
    memcpy(g->cl.title, PRE_TITLE, 8);
    memcpy(g->cl.server_title, GB_SERVER_ST, 8);
    g->cl.sc = 0x30;
    n = rig_call(g, req, n, resp);
    cr_assert_eq(g->last, MTR_OK);
    cr_assert(n == 9 && resp[0] == 0xC4 && resp[3] == 0);
    n = rig_xfer(g, req, cl_rlrq(req), resp);
    cr_assert_eq(g->last, MTR_ERR_DLMS_DENIED);
    cr_assert(n == 5 && resp[0] == 0x63 && resp[4] == 1);
    struct aarq_opts o = {.ctx = 1, .mech = -1, .conformance = PROPOSED, .max_pdu = 512};
    struct aare_info a;
    rig_associate(g, &o, &a);
    cr_assert_eq(a.result, 1);
    rig_free(g);
}
