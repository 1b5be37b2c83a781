/* SPDX-License-Identifier: Apache-2.0 */
/* A real meter with the COSEM object table behind a DLMS server (cosem_rig.h). */
#include "cosem_rig.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "dlms_client.h"

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

#define RIG_MAX_PDU 512u /* small: long values go in blocks */
#define RIG_SET_CHUNK 400u

/* seed security.json: public 16, management 1, pre-established 102; the
 * level roles have no SAP in the seed (32, 48, 64 here) */
const uint16_t cosem_rig_sap[MTR_COSEM_ROLES] = {
    [MTR_COSEM_ROLE_PUBLIC] = 16,  [MTR_COSEM_ROLE_MANAGEMENT] = 1, [MTR_COSEM_ROLE_LEVEL1] = 32,
    [MTR_COSEM_ROLE_LEVEL2] = 48,  [MTR_COSEM_ROLE_LEVEL3] = 64,    [MTR_COSEM_ROLE_PRE_ESTABLISHED] = 102,
};

/* ------------------------------------------------------------ hooks (weak) */

__attribute__((weak)) void cosem_rig_control_engines(struct cosem_rig *r)
{
    (void)r;
}

__attribute__((weak)) void cosem_rig_control_server(struct cosem_rig *r)
{
    (void)r;
}

__attribute__((weak)) void cosem_rig_sys_engines(struct cosem_rig *r)
{
    (void)r;
}

__attribute__((weak)) void cosem_rig_sys_server(struct cosem_rig *r)
{
    (void)r;
}

/* ------------------------------------------------------------ meter */

static void on_log(struct mtr_meter *m, const struct mtr_log_record *rec, void *user)
{
    (void)m;
    struct cosem_rig *r = user;
    if (r->nlog < COSEM_RIG_LOG_MAX) {
        r->log[r->nlog++] = *rec;
    }
}

static void on_billing(void *user, const struct mtr_billing_capture *cap)
{
    (void)cap;
    ((struct cosem_rig *)user)->nbills++;
}

static void rig_tou(struct mtr_tou *tou)
{
    memset(tou, 0, sizeof *tou);
    tou->n_days = 1;
    tou->day[0] = (struct mtr_tou_day){.id = 1, .n = 3, .sw = {{0, 0, 0, 1}, {6, 0, 0, 2}, {18, 0, 0, 3}}};
    tou->n_weeks = 1;
    tou->week[0] = (struct mtr_tou_week){.id = 1, .day = {1, 1, 1, 1, 1, 1, 1}};
    tou->n_seasons = 1;
    tou->season[0] = (struct mtr_tou_season){.month = 1, .day = 1, .week = 1};
}

/* The engines on the rig's NVM, as at power-up: configurations, the other
 * groups' engines (hooks), mtr_meter_init() (which restores what the store holds). */
static void rig_boot_engines(struct cosem_rig *r)
{
    uint8_t np = 3;
    (void)np;
    r->table[0] = (struct mtr_store_part_cfg){COSEM_RIG_PART_ENERGY, MTR_STORE_SNAPSHOT, 0, 4,
                                              (uint16_t)mtr_meter_energy_record_size()};
    r->table[1] = (struct mtr_store_part_cfg){COSEM_RIG_PART_CAL, MTR_STORE_SNAPSHOT, 4, 2,
                                              MTR_METROLOGY_CAL_BLOB_SIZE};
    r->table[2] = (struct mtr_store_part_cfg){COSEM_RIG_PART_CALENDAR, MTR_STORE_SNAPSHOT, 6, 2, 2048};
#if MTR_WITH_DISCONNECT
    r->table[np++] = (struct mtr_store_part_cfg){COSEM_RIG_PART_DC, MTR_STORE_SNAPSHOT, 8, 2,
                                                 (uint16_t)mtr_disconnect_blob_size()};
    r->dc_cfg = (struct mtr_dc_config){
        .relay = {0, 1, 2},
        .mode = 6,
        .feedback_ms = 1000,
        .debounce_ms = 50,
        .disconnect_hold_ms = 3000,
        .reconnect_hold_ms = 10000,
        .limiter = {.normal_mw = MTR_DC_LIMIT_MAX_MW, .emergency_mw = MTR_DC_LIMIT_MAX_MW, .period_s = 30,
                    .penalty_s = 30},
    };
#endif
#if MTR_WITH_DISPLAY
    r->table[np++] = (struct mtr_store_part_cfg){COSEM_RIG_PART_DISPLAY, MTR_STORE_SNAPSHOT, 10, 2,
                                                 MTR_DISPLAY_BLOB_SIZE};
    mtr_display_seed(&r->disp_cfg, false);
#endif
    r->store_cfg = (struct mtr_store_cfg){.parts = r->table, .state = r->parts, .nparts = np};
    r->tariff_cfg = (struct mtr_tariff_config){
        .demand = {.period_s = 900, .periods = 1},
        .billing = {.enabled = true, .day = 1},
        .on_billing = on_billing,
        .user = r,
    };
    r->clock_cfg = (struct mtr_clock_config){.time_zone = 0, .dst = {.kind = MTR_DST_NONE}};
    r->engines = (struct mtr_meter_engines){
        .metrology = &r->metro,
        .clock = &r->clk,
        .clock_cfg = &r->clock_cfg,
        .calendar = &r->cal,
        .tariff = &r->trf,
        .tariff_cfg = &r->tariff_cfg,
        .store = &r->store,
        .store_cfg = &r->store_cfg,
        .energy_part = COSEM_RIG_PART_ENERGY,
        .cal_part = COSEM_RIG_PART_CAL,
        .calendar_part = COSEM_RIG_PART_CALENDAR,
        .calendar_buf = r->calendar_buf,
        .calendar_buf_size = sizeof r->calendar_buf,
#if MTR_WITH_DISCONNECT
        .disconnect = &r->dc,
        .disconnect_cfg = &r->dc_cfg,
        .disconnect_part = COSEM_RIG_PART_DC,
#endif
#if MTR_WITH_DISPLAY
        .display = &r->disp,
        .display_cfg = &r->disp_cfg,
        .display_part = COSEM_RIG_PART_DISPLAY,
        .display_buf = r->disp_buf,
#endif
    };
    cosem_rig_control_engines(r);
    cosem_rig_sys_engines(r);
    r->mc = (struct mtr_meter_config){.engines = &r->engines, .on_log = on_log, .user = r};
    cr_assert_eq(mtr_meter_init(&r->meter, &r->hal, &r->mc), MTR_OK);
}

/* The object table and the DLMS server, no association. */
static void rig_boot_server(struct cosem_rig *r)
{
    /* server: every role of the seed, no authentication (the rights are
     * what is tested here; docs/security.md covers the mechanisms) */
    memcpy(r->sec.system_title, GB_SERVER_ST, 8);
    memcpy(r->sec.ek, GB_EK, 16);
    memcpy(r->sec.ak, GB_AK, 16);
    memset(r->sec.kek, 0x3C, 16);
    r->sec.tx_ic = 1;
    for (int k = 0; k < MTR_COSEM_ROLES; k++) {
        r->assocs[k] = (struct mtr_dlms_assoc_cfg){
            .client_sap = cosem_rig_sap[k],
            .mechanism = MTR_DLMS_MECH_NONE,
            .policy = MTR_DLMS_POLICY_NONE,
            .profile = (uint8_t)k,
            .flags = k == MTR_COSEM_ROLE_PRE_ESTABLISHED ? MTR_DLMS_ASSOC_PRE_ESTABLISHED : 0,
            .conformance = MTR_DLMS_CONF_SERVER & ~(uint32_t)MTR_DLMS_CONF_GENERAL_PROTECTION,
        };
    }
    r->cosem_cfg = (struct mtr_cosem_config){.hal = &r->hal, .meter = &r->meter, .sec = &r->sec};
    uint16_t n;
    r->scfg = (struct mtr_dlms_server_cfg){
        .hal = &r->hal,
        .objects = mtr_cosem_table(&n),
        .assocs = r->assocs,
        .nassocs = MTR_COSEM_ROLES,
        .max_pdu = RIG_MAX_PDU,
        .conformance = MTR_DLMS_CONF_SERVER,
        .sec = &r->sec,
        .security_setup = {0, 0, 43, 0, 0, 255},
        .blk = r->blk,
        .blk_cap = sizeof r->blk,
        .user = &r->cosem,
    };
    r->scfg.nobjects = n;
    cosem_rig_control_server(r);
    cosem_rig_sys_server(r);
    cr_assert_eq(mtr_cosem_init(&r->cosem, &r->cosem_cfg), MTR_OK);
    cr_assert_eq(mtr_dlms_server_init(&r->srv, &r->scfg), MTR_OK);
}

struct cosem_rig *cosem_rig_new(mtr_utc_t utc)
{
    struct cosem_rig *r = calloc(1, sizeof *r);
    struct mtr_sim_config sc;
    cr_assert_not_null(r);
    mtr_sim_default_config(&sc);
    sc.utc_start = utc;
    cr_assert_eq(mtr_sim_init(&r->sim, &sc), MTR_OK);
    mtr_sim_hal(&r->sim, &r->hal);
    r->role = -1;
    r->iid = 0xC1;

    rig_boot_engines(r);
    static struct mtr_tou tou;
    rig_tou(&tou);
    cr_assert_eq(mtr_calendar_set_active(&r->cal, &tou), MTR_OK);
    cr_assert_eq(mtr_calendar_set_passive(&r->cal, &tou, MTR_CAL_NEVER), MTR_OK);
    cosem_rig_run(r, 2000, 100);

    rig_boot_server(r);
    return r;
}

void cosem_rig_reboot(struct cosem_rig *r)
{
    /* RAM is lost: every context starts from nothing; the sim (NVM, RTC) stays */
    mtr_dlms_server_abort(&r->srv);
    memset(&r->metro, 0, sizeof r->metro);
    memset(&r->clk, 0, sizeof r->clk);
    memset(&r->cal, 0, sizeof r->cal);
    memset(&r->trf, 0, sizeof r->trf);
    memset(&r->store, 0, sizeof r->store);
    memset(r->parts, 0, sizeof r->parts);
#if MTR_WITH_DISCONNECT
    memset(&r->dc, 0, sizeof r->dc);
#endif
    memset(&r->meter, 0, sizeof r->meter);
    memset(&r->cosem, 0, sizeof r->cosem);
    memset(&r->srv, 0, sizeof r->srv);
    r->role = -1;
    rig_boot_engines(r);
    cosem_rig_run(r, 2000, 100);
    rig_boot_server(r);
}

void cosem_rig_free(struct cosem_rig *r)
{
    mtr_sim_free(&r->sim);
    free(r);
}

void cosem_rig_run(struct cosem_rig *r, uint64_t ms, uint32_t step_ms)
{
    for (uint64_t t = 0; t < ms; t += step_ms) {
        mtr_sim_advance(&r->sim, step_ms);
        (void)mtr_post_adc_ready(&r->meter);
        cr_assert_eq(mtr_poll(&r->meter, NULL), MTR_OK);
    }
}

uint32_t cosem_rig_count(const struct cosem_rig *r, uint16_t code)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < r->nlog; i++) {
        n += r->log[i].kind == MTR_LOG_EVENT && r->log[i].code == code;
    }
    return n;
}

/* ------------------------------------------------------------ client */

size_t cosem_rig_xfer(struct cosem_rig *r, const uint8_t *apdu, size_t len, uint8_t *resp, size_t cap)
{
    static uint8_t in[MTR_CFG_DLMS_MAX_APDU];
    size_t n = 0;
    cr_assert_leq(len, sizeof in);
    memcpy(in, apdu, len);
    (void)mtr_dlms_server_apdu(&r->srv, cosem_rig_sap[r->role], in, len, resp, cap, &n);
    r->apdus++;
    return n;
}

void cosem_rig_assoc(struct cosem_rig *r, int role)
{
    uint8_t req[300], resp[600];
    mtr_dlms_server_abort(&r->srv);
    r->role = role;
    if (role == MTR_COSEM_ROLE_PRE_ESTABLISHED) {
        return; /* served without AARQ */
    }
    struct client cl = {.hal = &r->hal};
    struct aarq_opts o = {.ctx = 1, .mech = -1, .conformance = MTR_DLMS_CONF_SERVER & ~(uint32_t)MTR_DLMS_CONF_GENERAL_PROTECTION,
                          .max_pdu = RIG_MAX_PDU};
    struct aare_info a;
    size_t n = cl_aarq(&cl, &o, req);
    n = cosem_rig_xfer(r, req, n, resp, sizeof resp);
    cl_parse_aare(&cl, resp, n, &a);
    cr_assert_eq(a.result, 0, "association of role %d accepted", role);
}

int cosem_rig_get(struct cosem_rig *r, uint16_t class_id, const uint8_t obis[6], uint8_t attr)
{
    static uint8_t req[64], resp[MTR_CFG_DLMS_MAX_APDU + 64];
    size_t n = cl_get(r->iid, class_id, obis, attr, 0, NULL, 0, req);
    uint32_t expect = 1;

    r->val_len = 0;
    r->blocks = 0;
    n = cosem_rig_xfer(r, req, n, resp, sizeof resp);
    for (;;) {
        cr_assert_geq(n, 4, "GET response too short");
        cr_assert_eq(resp[0], 0xC4, "GET-response, got %02X", resp[0]);
        cr_assert_eq(resp[2], r->iid);
        if (resp[1] == 1) {
            if (resp[3] == 1) {
                cr_assert_eq(n, 5);
                return resp[4];
            }
            cr_assert_eq(resp[3], 0);
            memcpy(r->val, resp + 4, n - 4);
            r->val_len = n - 4;
            return 0;
        }
        cr_assert_eq(resp[1], 2, "GET-response-with-datablock");
        cr_assert_eq(be32(resp + 4), expect, "block number");
        r->blocks++;
        if (resp[8] == 1) {
            cr_assert_eq(n, 10);
            return resp[9];
        }
        cr_assert_eq(resp[8], 0);
        const uint8_t *p = resp + 9;
        size_t raw = cl_len(&p, resp + n);
        cr_assert_eq((size_t)(resp + n - p), raw);
        cr_assert_leq(r->val_len + raw, sizeof r->val);
        memcpy(r->val + r->val_len, p, raw);
        r->val_len += raw;
        if (resp[3] == 1) {
            return 0;
        }
        n = cosem_rig_xfer(r, req, cl_get_next(r->iid, expect++, req), resp, sizeof resp);
    }
}

int cosem_rig_set(struct cosem_rig *r, uint16_t class_id, const uint8_t obis[6], uint8_t attr,
                  const uint8_t *v, size_t len)
{
    static uint8_t req[MTR_CFG_DLMS_MAX_APDU], resp[MTR_CFG_DLMS_MAX_APDU];
    size_t n;
    if (len + 16 <= RIG_MAX_PDU) {
        n = cl_set(r->iid, class_id, obis, attr, v, len, req);
        n = cosem_rig_xfer(r, req, n, resp, sizeof resp);
        cr_assert_eq(n, 4, "SET-response-normal");
        cr_assert(resp[0] == 0xC5 && resp[1] == 1 && resp[2] == r->iid);
        return resp[3];
    }
    uint32_t block = 1;
    for (size_t off = 0; off < len; block++) {
        size_t k = len - off > RIG_SET_CHUNK ? RIG_SET_CHUNK : len - off;
        bool last = off + k == len;
        n = cl_set_block(r->iid, block == 1, class_id, obis, attr, last, block, v + off, k, req);
        n = cosem_rig_xfer(r, req, n, resp, sizeof resp);
        off += k;
        cr_assert_geq(n, 4);
        cr_assert_eq(resp[0], 0xC5);
        if (resp[1] == 2) { /* SET-response-datablock: acknowledged */
            cr_assert(!last);
            cr_assert_eq(be32(resp + 3), block);
            continue;
        }
        cr_assert_eq(resp[1], 3, "SET-response-last-datablock, got %u", resp[1]);
        return resp[3];
    }
    cr_assert_fail("SET in blocks without a last answer");
    return -1;
}

int cosem_rig_action(struct cosem_rig *r, uint16_t class_id, const uint8_t obis[6], uint8_t method,
                     const uint8_t *p, size_t len)
{
    static uint8_t req[MTR_CFG_DLMS_MAX_APDU], resp[MTR_CFG_DLMS_MAX_APDU];
    cr_assert_leq(len + 16, RIG_MAX_PDU);
    size_t n = cl_action(r->iid, class_id, obis, method, p, len, req);
    n = cosem_rig_xfer(r, req, n, resp, sizeof resp);
    r->val_len = 0;
    /* ACTION-Response-Normal (Green Book): C7 01 invoke-id, then
     * Action-Response-With-Optional-Data: result, return-parameters OPTIONAL
     * (00 absent | 01 present + Get-Data-Result: 00 data | 01 data-access-result) */
    cr_assert_geq(n, 5, "ACTION response");
    cr_assert(resp[0] == 0xC7 && resp[1] == 1 && resp[2] == r->iid, "ACTION-response-normal");
    if (resp[4] == 0) {
        cr_assert_eq(n, 5, "no return parameters, nothing after them");
    } else {
        cr_assert_eq(resp[4], 1, "return-parameters present flag");
        cr_assert_geq(n, 7, "return parameters");
        if (resp[5] == 0) {
            memcpy(r->val, resp + 6, n - 6);
            r->val_len = n - 6;
        } else {
            cr_assert(resp[5] == 1 && n == 7, "Get-Data-Result data-access-result");
        }
    }
    return resp[3];
}

int cosem_rig_find(uint16_t class_id, const uint8_t obis[6])
{
    uint16_t n;
    const struct mtr_dlms_obj *t = mtr_cosem_table(&n);
    for (uint16_t k = 0; k < n; k++) {
        if (t[k].class_id == class_id && memcmp(t[k].obis, obis, 6) == 0) {
            return k;
        }
    }
    return -1;
}

const struct mtr_dlms_obj *cosem_rig_obj(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint8_t e, uint8_t f)
{
    uint16_t n;
    const uint8_t ln[6] = {a, b, c, d, e, f};
    const struct mtr_dlms_obj *t = mtr_cosem_table(&n);
    for (uint16_t k = 0; k < n; k++) {
        if (memcmp(t[k].obis, ln, 6) == 0) {
            return &t[k];
        }
    }
    cr_assert_fail("no object %u-%u:%u.%u.%u.%u in the table", a, b, c, d, e, f);
    return NULL;
}

/* ------------------------------------------------------------ values */

void cv_reset(struct cosem_val *v)
{
    v->n = 0;
}

void cv_u8(struct cosem_val *v, uint8_t x)
{
    cr_assert_lt(v->n, sizeof v->b);
    v->b[v->n++] = x;
}

void cv_tag_len(struct cosem_val *v, uint8_t tag, size_t n)
{
    cv_u8(v, tag);
    if (n < 0x80) {
        cv_u8(v, (uint8_t)n);
    } else if (n <= 0xFF) {
        cv_u8(v, 0x81);
        cv_u8(v, (uint8_t)n);
    } else {
        cv_u8(v, 0x82);
        cv_u8(v, (uint8_t)(n >> 8));
        cv_u8(v, (uint8_t)n);
    }
}

void cv_bytes(struct cosem_val *v, uint8_t tag, const void *p, size_t n)
{
    cv_tag_len(v, tag, n);
    cr_assert_leq(v->n + n, sizeof v->b);
    memcpy(v->b + v->n, p, n);
    v->n += n;
}

void cv_uint(struct cosem_val *v, uint8_t tag, uint64_t x)
{
    int size = mtr_dlms_axdr_fixed_size(tag);
    cr_assert_gt(size, 0);
    cv_u8(v, tag);
    for (int k = size - 1; k >= 0; k--) {
        cv_u8(v, (uint8_t)(x >> (8 * k)));
    }
}
