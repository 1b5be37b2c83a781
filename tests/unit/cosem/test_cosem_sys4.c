/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The image transfer engine through its own API (configuration checks,
 * missing crypto), the push engine's edge cases (buffer too small, values
 * that cannot be read, missing hooks), the DLMS functions the system
 * objects rely on (association accessor, data-notification built in place),
 * and over DLMS: the value objects of the logs' and profiles' capture
 * objects (objects_records.def), the numeric firmware version, the push
 * script table, associated_partners_id, the association's and security
 * setup's methods, the local port passwords and access masks above 16.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlms_client.h"
#include "test_cosem_sys.h"
#if MTR_WITH_EVENTS
#include "meter/events.h"
#endif
#if MTR_WITH_PROFILE
#include "meter/profile.h"
#endif

#define UTC0 1717200000

/* ------------------------------------------------------------ image engine */

static mtr_err_t ok_prepare(void *u, uint32_t s)
{
    (void)u;
    (void)s;
    return MTR_OK;
}

static mtr_err_t ok_write(void *u, uint32_t o, const uint8_t *d, size_t n)
{
    (void)u;
    (void)o;
    (void)d;
    (void)n;
    return MTR_OK;
}

static mtr_err_t ok_read(void *u, uint32_t o, uint8_t *d, size_t n)
{
    (void)u;
    (void)o;
    memset(d, 0, n);
    return MTR_OK;
}

static mtr_err_t ok_activate(void *u, const struct mtr_image_info *i)
{
    (void)u;
    (void)i;
    return MTR_OK;
}

static uint8_t bitmap[8];

static struct mtr_image_config good(void)
{
    return (struct mtr_image_config){
        .hal = NULL,
        .block_size = 64,
        .capacity = 4096,
        .bitmap = bitmap,
        .bitmap_size = sizeof bitmap,
        .type = (const uint8_t *)"T",
        .type_len = 1,
        .prepare = ok_prepare,
        .write = ok_write,
        .read = ok_read,
        .activate = ok_activate,
    };
}

Test(cosem_sys_engine, image_config_checks)
{
    struct mtr_image img;
    struct mtr_image_config c = good();
    cr_assert_eq(mtr_image_init(&img, &c), MTR_OK);
    cr_assert_eq(mtr_image_status(&img), MTR_IMAGE_NOT_INITIATED);
    cr_assert(mtr_image_enabled(&img));
    cr_assert_eq(mtr_image_block_size(&img), 64);
    struct mtr_image_config bad[10];
    for (int k = 0; k < 10; k++) {
        bad[k] = good();
    }
    bad[0].block_size = 15;
    bad[1].block_size = 65536;
    bad[2].capacity = MTR_IMAGE_HEADER;
    bad[3].bitmap_size = 7; /* 4096 / 64 = 64 blocks need 8 bytes */
    bad[4].bitmap = NULL;
    bad[5].type_len = 0;
    bad[6].type_len = 33;
    bad[7].prepare = NULL;
    bad[8].read = NULL;
    bad[9].activate = NULL;
    for (int k = 0; k < 10; k++) {
        cr_assert_eq(mtr_image_init(&img, &bad[k]), MTR_ERR_CONFIG, "configuration %d", k);
    }
    cr_assert_eq(mtr_image_bitmap_bytes(4096, 64), 8);
    cr_assert_eq(mtr_image_bitmap_bytes(4097, 64), 9);
    cr_assert_eq(mtr_image_bitmap_bytes(100, 0), 0);
    cr_assert_eq(mtr_image_size(), sizeof(struct mtr_image));
}

Test(cosem_sys_engine, verify_without_sha256_changes_nothing)
{
    struct mtr_image img, before;
    struct mtr_image_config c = good();
    uint8_t blk[64] = {0};
    cr_assert_eq(mtr_image_init(&img, &c), MTR_OK);
    cr_assert_eq(mtr_image_initiate(&img, (const uint8_t *)"id", 2, 200, false), MTR_OK);
    cr_assert_eq(mtr_image_block(&img, 0, blk, 64), MTR_OK);
    cr_assert_eq(mtr_image_block(&img, 1, blk, 64), MTR_OK);
    cr_assert_eq(mtr_image_block(&img, 2, blk, 64), MTR_OK);
    cr_assert_eq(mtr_image_block(&img, 3, blk, 8), MTR_OK);
    cr_assert_eq(mtr_image_first_missing(&img), 4);
    before = img;
    cr_assert_eq(mtr_image_verify(&img, false), MTR_ERR_NOTSUP);
    cr_assert_eq(memcmp(&before, &img, sizeof img), 0);
    struct mtr_image_info info;
    cr_assert(!mtr_image_to_activate(&img, &info));
    const uint8_t *bm;
    cr_assert_eq(mtr_image_blocks(&img, &bm), 4);
    cr_assert_eq(bm[0], 0xF0);
}

/* ------------------------------------------------------------ push engine */

Test(cosem_sys_engine, push_without_hooks)
{
    struct cosem_rig *r = cosem_rig_new(UTC0);
    r->cosem.cfg.push_send = NULL;
    cr_assert_eq(mtr_cosem_push_trigger(&r->cosem, 0), MTR_ERR_NOTSUP);
    mtr_cosem_tick(&r->cosem, UTC0 + 15 * 60, 0); /* schedulers due, nothing to send with */
    struct mtr_cosem_push_stats st;
    mtr_cosem_push_stats(&r->cosem, MTR_COSEM_PUSH_INTERVAL_1, &st);
    cr_assert_eq(st.triggered, 0, "nothing started without a way to send");
    mtr_cosem_push_stats(&r->cosem, 200, &st);
    cr_assert_eq(st.triggered, 0);
    cosem_rig_free(r);
}

Test(cosem_sys_engine, push_larger_than_its_buffer)
{
    struct cosem_rig *r = cosem_rig_new(UTC0);
    struct mtr_cosem_push_stats st;
    for (int k = 0; k < FX_OBJECTS; k++) {
        fx.objects[0][k] =
            (struct mtr_cosem_capture){1, {1, 0, 0, 2, 8, 255}, 2, 0}; /* 18 bytes each */
    }
    fx.push[0].nobjects = FX_OBJECTS;
    r->cosem.cfg.push_buf_size = 96;
    mtr_cosem_tick(&r->cosem, UTC0, 0);
    cr_assert_eq(mtr_cosem_push_trigger(&r->cosem, 0), MTR_OK);
    cr_assert_eq(fx.send_calls, 0);
    mtr_cosem_push_stats(&r->cosem, 0, &st);
    cr_assert(st.failed == 1 && st.sent == 0);
    /* with room it goes */
    r->cosem.cfg.push_buf_size = FX_PUSH_BUF;
    cr_assert_eq(mtr_cosem_push_trigger(&r->cosem, 0), MTR_OK);
    cr_assert_eq(fx.nsent, 1);
    cr_assert_eq(fx.sent[0].len, 6 + 2 + FX_OBJECTS * 18);
    cosem_rig_free(r);
}

/* Values that cannot be read are sent as null-data; the association as seen outside one. */
Test(cosem_sys_engine, push_values_outside_an_association)
{
    struct cosem_rig *r = cosem_rig_new(UTC0);
    fx.objects[1][0] = (struct mtr_cosem_capture){41, {0, 0, 25, 0, 0, 255}, 2, 0};
    fx.objects[1][1] = (struct mtr_cosem_capture){15, {0, 0, 40, 0, 0, 255}, 8, 0};
    fx.objects[1][2] = (struct mtr_cosem_capture){15, {0, 0, 40, 0, 0, 255}, 7, 0};
    fx.push[1].nobjects = 3;
    r->cosem.cfg.tcp = NULL;
    mtr_cosem_tick(&r->cosem, UTC0, 0);
    cr_assert_eq(mtr_cosem_push_trigger(&r->cosem, 1), MTR_OK);
    cr_assert_eq(fx.nsent, 1);
    static const uint8_t body[] = {2, 3, 0, 22, 0, 0};
    cr_assert_eq(fx.sent[0].len, 6 + sizeof body);
    cr_assert_arr_eq(fx.sent[0].apdu + 6, body, sizeof body,
                     "null-data, association status 0 (non-associated), the secret never");
    cosem_rig_free(r);
}

/* ------------------------------------------------------------ DLMS functions */

Test(cosem_sys_engine, association_accessor)
{
    struct cosem_rig *r = cosem_rig_new(UTC0);
    struct mtr_dlms_assoc_info a;
    mtr_dlms_server_assoc(&r->srv, &a);
    cr_assert(a.state == MTR_DLMS_ASSOC_IDLE && a.client_sap == 0 && a.conformance == 0);
    cr_assert_eq(a.server_max_pdu, r->scfg.max_pdu);
    cr_assert_eq(a.sec, &r->sec);
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL2);
    mtr_dlms_server_assoc(&r->srv, &a);
    cr_assert_eq(a.state, MTR_DLMS_ASSOC_ASSOCIATED);
    cr_assert_eq(a.client_sap, cosem_rig_sap[MTR_COSEM_ROLE_LEVEL2]);
    cr_assert_eq(a.profile, MTR_COSEM_ROLE_LEVEL2);
    cr_assert_eq(a.conformance, mtr_dlms_server_conformance(&r->srv));
    cr_assert_gt(a.client_max_pdu, 0);
    cr_assert(!a.ciphered && !a.has_client_title && !a.local_port);
    uint8_t ss[6] = {0, 0, 43, 0, 0, 255};
    cr_assert_arr_eq(a.security_setup, ss, 6);
    cosem_rig_free(r);
}

Test(cosem_sys_engine, data_notification_in_place)
{
    uint8_t buf[64], dt[12];
    size_t len;
    memset(dt, 0xFF, sizeof dt);
    memcpy(buf + 6, (const uint8_t[]){0x11, 0x22}, 2);
    cr_assert_eq(mtr_dlms_data_notification(0x010203, NULL, buf + 6, 2, buf, sizeof buf, &len),
                 MTR_OK);
    static const uint8_t want[] = {0x0F, 0, 1, 2, 3, 0, 0x11, 0x22};
    cr_assert_eq(len, sizeof want);
    cr_assert_arr_eq(buf, want, sizeof want);
    /* with a date-time the header is 18 bytes: a body at out + 6 moves */
    memcpy(buf + 6, (const uint8_t[]){0x11, 0x22}, 2);
    cr_assert_eq(mtr_dlms_data_notification(7, dt, buf + 6, 2, buf, sizeof buf, &len), MTR_OK);
    cr_assert_eq(len, 20);
    cr_assert(buf[5] == 12 && buf[6] == 0xFF && buf[18] == 0x11 && buf[19] == 0x22);
    cr_assert_eq(mtr_dlms_data_notification(7, dt, buf + 6, 2, buf, 19, &len), MTR_ERR_FULL);
}

/* The sim's optional ECDSA op (meter/hal.h): a key off the curve is refused. */
Test(cosem_sys_engine, sim_ecdsa_op_rejects_bad_input)
{
    struct cosem_rig *r = cosem_rig_new(UTC0);
    const struct mtr_crypto_ops *c = r->hal.crypto;
    uint8_t pub[64], digest[32], sig[64];
    cr_assert_not_null(c->ecdsa_p256_verify, "the sim has the optional ECDSA op");
    memset(pub, 0x01, sizeof pub);
    memset(digest, 0x02, sizeof digest);
    memset(sig, 0x03, sizeof sig);
    cr_assert_eq(c->ecdsa_p256_verify(r->hal.ctx, pub, digest, sig), MTR_ERR_INVAL);
    cosem_rig_free(r);
}

/* ================================================================ value objects, scripts, rights */

/* The error of a value the system objects refuse, answered other-reason
 * (checked on the wire below; libmeter/cosem/cosem_sys.h). */
#define SYS_REFUSED_CODE MTR_ERR_OVERFLOW

static const uint8_t LN_ASSOC4[6] = {0, 0, 40, 0, 0, 255};
static const uint8_t LN_SEC4[6] = {0, 0, 43, 0, 0, 255};
static const uint8_t LN_LOCAL4[6] = {0, 0, 20, 0, 0, 255};
static const uint8_t LN_SCRIPT[6] = MTR_COSEM_PUSH_SCRIPT_TABLE;
static const uint8_t LN_FW_NUM[6] = {1, 0, 0, 2, 128, 255};

/* The unsigned value of a fixed-size integer in r->val, checking its tag. */
static uint64_t val_uint(const struct cosem_rig *r, uint8_t tag)
{
    int size = mtr_dlms_axdr_fixed_size(tag);
    uint64_t v = 0;
    cr_assert_gt(size, 0);
    cr_assert_eq(r->val_len, (size_t)size + 1u, "a %d-byte value, got %zu bytes", size, r->val_len);
    cr_assert_eq(r->val[0], tag, "tag %u, expected %u", r->val[0], tag);
    for (int k = 1; k <= size; k++) {
        v = v << 8 | r->val[k];
    }
    return v;
}

/* A GET of (class, obis, 2) as @p role that must succeed with @p tag: its value. */
static uint64_t get_uint(struct cosem_rig *r, int role, uint16_t cls, const uint8_t obis[6], uint8_t tag)
{
    cosem_rig_assoc(r, role);
    cr_assert_eq(cosem_rig_get(r, cls, obis, 2), 0, "%u-%u:%u.%u.%u.%u read", obis[0], obis[1], obis[2],
                 obis[3], obis[4], obis[5]);
    return val_uint(r, tag);
}

#if MTR_WITH_EVENTS
/* The event code object of each log (IDIS 0-0:96.11.e.255). */
static const uint8_t CODE_E[MTR_EVLOG_COUNT] = {
    [MTR_EVLOG_STANDARD] = 0,      [MTR_EVLOG_FRAUD] = 1,         [MTR_EVLOG_DISCONNECTOR] = 2,
    [MTR_EVLOG_MBUS] = 3,          [MTR_EVLOG_POWER_QUALITY] = 4, [MTR_EVLOG_COMMUNICATION] = 5,
    [MTR_EVLOG_FIRMWARE] = 6,      [MTR_EVLOG_POWER_FAILURE] = 129, [MTR_EVLOG_SECURITY] = 128,
};

/* Every value column of every event log names an object of the table with
 * its class, whose attribute is of the column's A-XDR type. */
Test(cosem_sys_records, log_columns_name_objects_of_their_type)
{
    struct cosem_rig *r = cosem_rig_new(UTC0);
    unsigned checked = 0;
    for (uint8_t log = 0; log < MTR_EVLOG_COUNT; log++) {
        struct mtr_profile_config pc;
        cr_assert_eq(mtr_events_log_default(log, 1, 10, &pc), MTR_OK);
        for (uint8_t k = 0; k < pc.ncolumns; k++) {
            const struct mtr_profile_column *col = &pc.columns[k];
            if (col->kind != MTR_PROFILE_COL_VALUE) {
                continue;
            }
            cr_assert_geq(cosem_rig_find(col->class_id, col->obis), 0,
                          "log %u column %u: %u-%u:%u.%u.%u.%u (class %u) not in the table", log, k + 1,
                          col->obis[0], col->obis[1], col->obis[2], col->obis[3], col->obis[4], col->obis[5],
                          col->class_id);
            cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL1);
            cr_assert_eq(cosem_rig_get(r, col->class_id, col->obis, (uint8_t)col->attr), 0);
            cr_assert_eq(r->val[0], col->axdr_type, "log %u column %u: object of type %u, column %u", log, k + 1,
                         r->val[0], col->axdr_type);
            checked++;
        }
    }
    cr_assert_eq(checked, MTR_EVLOG_COUNT + 1 + 2, "codes, the firmware version, start and duration");
    cosem_rig_free(r);
}

/* Each event code object answers the code of its log's newest entry. */
Test(cosem_sys_records, event_code_objects_follow_their_logs)
{
    struct cosem_rig *r = cosem_rig_new(UTC0);
    struct mtr_events *ev = r->engines.events;
    cr_assert_not_null(ev, "the rig keeps the event logs");
    for (uint8_t log = 0; log < MTR_EVLOG_COUNT; log++) {
        const uint8_t ln[6] = {0, 0, 96, 11, CODE_E[log], 255};
        uint16_t row = 0;
        /* the last row of the table that goes to this log (255 goes everywhere: skipped) */
        for (uint16_t k = 0; k < MTR_EVENTS_CODES; k++) {
            if ((mtr_event_table[k].logs & (1u << log)) && mtr_event_table[k].code != 255) {
                row = k;
            }
        }
        if (log == MTR_EVLOG_POWER_FAILURE) {
            cr_assert_eq(mtr_events_power_failure(ev, UTC0 + 10, UTC0 + 400), MTR_OK);
        } else {
            cr_assert_eq(mtr_events_raise_index(ev, row, UTC0 + 20, 30202), MTR_OK);
        }
        uint16_t want = log == MTR_EVLOG_POWER_FAILURE ? 1u : mtr_event_table[row].code;
        cr_assert_eq(get_uint(r, MTR_COSEM_ROLE_LEVEL2, 1, ln, MTR_DLMS_UNSIGNED), want, "log %u", log);
        cosem_rig_assoc(r, MTR_COSEM_ROLE_PUBLIC);
        cr_assert_eq(cosem_rig_get(r, 1, ln, 2), MTR_DLMS_DAR_READ_WRITE_DENIED, "public reads no log");
    }
    /* a clear writes event 255 as the log's first entry */
    cr_assert_eq(mtr_events_clear_log(ev, MTR_EVLOG_FRAUD, UTC0 + 30), MTR_OK);
    cr_assert_eq(get_uint(r, MTR_COSEM_ROLE_LEVEL1, 1, (const uint8_t[]){0, 0, 96, 11, 1, 255}, MTR_DLMS_UNSIGNED),
                 255);
    cosem_rig_free(r);
}

/* The power failure log's start time and duration objects, and the firmware
 * update log's version column against the numeric firmware version. */
Test(cosem_sys_records, power_failure_and_firmware_values)
{
    struct cosem_rig *r = cosem_rig_new(UTC0);
    struct mtr_events *ev = r->engines.events;
    static const uint8_t START[6] = {0, 0, 96, 7, 128, 255}, DURATION[6] = {0, 0, 96, 7, 19, 255};
    cr_assert_not_null(ev);
    cr_assert_eq(mtr_events_power_failure(ev, UTC0 + 100, UTC0 + 100 + 3600), MTR_OK);
    cr_assert_eq(mtr_events_power_failure(ev, UTC0 + 5000, UTC0 + 5010), MTR_OK, "short: not logged");
    cr_assert_eq(get_uint(r, MTR_COSEM_ROLE_MANAGEMENT, 1, START, MTR_DLMS_DOUBLE_LONG_UNSIGNED), UTC0 + 100);
    cr_assert_eq(get_uint(r, MTR_COSEM_ROLE_LEVEL3, 3, DURATION, MTR_DLMS_DOUBLE_LONG_UNSIGNED), 3600);
    cr_assert_eq(cosem_rig_get(r, 3, DURATION, 3), 0);
    static const uint8_t su[] = {2, 2, 0x0F, 0, 0x16, 7}; /* scaler 0, unit second */
    cr_assert(r->val_len == sizeof su && memcmp(r->val, su, sizeof su) == 0, "scaler_unit {0, s}");

    /* the firmware update log keeps the number of the version string */
    uint64_t fw = get_uint(r, MTR_COSEM_ROLE_PUBLIC, 1, LN_FW_NUM, MTR_DLMS_DOUBLE_LONG_UNSIGNED);
    cr_assert_eq(fw, 30202, "V030202");
    uint16_t row;
    cr_assert_eq(mtr_events_find(18, "Firmware activated", &row), MTR_OK);
    cr_assert_eq(mtr_events_raise_index(ev, row, UTC0 + 200, (int64_t)fw), MTR_OK);
    int64_t v[MTR_EVENTS_MAX_VALUES];
    mtr_utc_t at = 0;
    cr_assert_eq(mtr_events_log_last(ev, MTR_EVLOG_FIRMWARE, &at, v), MTR_OK);
    cr_assert(at == UTC0 + 200 && v[0] == 18 && v[1] == 30202);
    cosem_rig_free(r);
}
#endif

/* The numeric firmware version: "V" and digits, 0 for another form, unavailable without a version. */
Test(cosem_sys_records, numeric_firmware_version)
{
    struct cosem_rig *r = cosem_rig_new(UTC0);
    static const uint8_t odd[] = "3.2.1";
    cr_assert_eq(get_uint(r, MTR_COSEM_ROLE_PRE_ESTABLISHED, 1, LN_FW_NUM, MTR_DLMS_DOUBLE_LONG_UNSIGNED), 30202);
    r->cosem.cfg.fw_version = odd;
    r->cosem.cfg.fw_version_len = sizeof odd - 1;
    cr_assert_eq(get_uint(r, MTR_COSEM_ROLE_LEVEL1, 1, LN_FW_NUM, MTR_DLMS_DOUBLE_LONG_UNSIGNED), 0);
    r->cosem.cfg.fw_version = NULL;
    cr_assert_eq(cosem_rig_get(r, 1, LN_FW_NUM, 2), MTR_DLMS_DAR_OBJECT_UNAVAILABLE);
    cosem_rig_free(r);
}

#if MTR_WITH_PROFILE
/* Profile status: the bits noted for the next entry of the load profile that captures it. */
Test(cosem_sys_records, profile_status_is_the_pending_status)
{
    struct cosem_rig *r = cosem_rig_new(UTC0);
    static const uint8_t LN_STATUS[6] = {0, 0, 96, 10, 1, 255}, LN_LP1[6] = {0, 0, 99, 1, 0, 255};
    struct mtr_profile *lp1 = NULL;
    for (uint8_t i = 0; r->engines.profiles != NULL && i < r->engines.nprofiles; i++) {
        if (memcmp(r->engines.profiles[i]->cfg->obis, LN_LP1, 6) == 0) {
            lp1 = r->engines.profiles[i];
        }
    }
    cr_assert_not_null(lp1, "the rig keeps load profile 1 with its status column");
    uint8_t st0 = mtr_profile_pending(lp1);
    cr_assert_eq(get_uint(r, MTR_COSEM_ROLE_LEVEL1, 1, LN_STATUS, MTR_DLMS_UNSIGNED), st0);
    mtr_profile_note(lp1, MTR_PROFILE_ST_PDN);
    cr_assert_eq(get_uint(r, MTR_COSEM_ROLE_LEVEL1, 1, LN_STATUS, MTR_DLMS_UNSIGNED), st0 | MTR_PROFILE_ST_PDN);
    mtr_profile_note(lp1, MTR_PROFILE_ST_CIV);
    cr_assert_eq(get_uint(r, MTR_COSEM_ROLE_LEVEL1, 1, LN_STATUS, MTR_DLMS_UNSIGNED),
                 st0 | MTR_PROFILE_ST_PDN | MTR_PROFILE_ST_CIV | MTR_PROFILE_ST_DNV, "CIV implies DNV");
    /* no profile captures it: unavailable */
    r->engines.nprofiles = 0;
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL1);
    cr_assert_eq(cosem_rig_get(r, 1, LN_STATUS, 2), MTR_DLMS_DAR_OBJECT_UNAVAILABLE);
    cosem_rig_free(r);
}
#endif

/* ------------------------------------------------------------ push script table */

Test(cosem_sys_records, push_script_table)
{
    struct cosem_rig *r = cosem_rig_new(UTC0);
    static const uint8_t ids[] = {1, 2, 3, 4, 7};
    mtr_cosem_tick(&r->cosem, UTC0, 0);
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL1);
    cr_assert_eq(cosem_rig_get(r, 9, LN_SCRIPT, 2), 0);
    /* array of {id, array of {service 2, class 40, 0-n:25.9.0.255, method 1, integer(0)}} */
    size_t off = 0;
    cr_assert(r->val[0] == MTR_DLMS_ARRAY && r->val[1] == sizeof ids);
    off = 2;
    for (size_t k = 0; k < sizeof ids; k++) {
        const uint8_t want[] = {2, 2, 0x12, 0, ids[k], 1, 1, 2, 5, 0x16, 2, 0x12, 0, 40, 9, 6,
                                0, ids[k], 25, 9, 0, 255, 0x0F, 1, 0x0F, 0};
        cr_assert_leq(off + sizeof want, r->val_len);
        cr_assert_arr_eq(r->val + off, want, sizeof want, "script %u", ids[k]);
        off += sizeof want;
    }
    cr_assert_eq(off, r->val_len);
    /* the schedulers name scripts of this table: script n + 1 pushes interval n + 1 */
    for (uint8_t n = 0; n < MTR_COSEM_SCHEDULERS; n++) {
        const uint8_t ln[6] = {0, (uint8_t)(n + 1), 15, 0, 4, 255};
        cr_assert_eq(cosem_rig_get(r, 22, ln, 2), 0);
        const uint8_t want[] = {2, 2, 9, 6, 0, 0, 10, 0, 108, 255, 0x12, 0, (uint8_t)(n + 1)};
        cr_assert(r->val_len == sizeof want && memcmp(r->val, want, sizeof want) == 0, "scheduler %u", n + 1);
    }
    /* execute: the alarm script pushes "On Alarm"; script 0 does nothing */
    cr_assert_eq(cosem_rig_action(r, 9, LN_SCRIPT, 1, (const uint8_t[]){0x12, 0, MTR_COSEM_PUSH_SCRIPT_ALARM}, 3),
                 MTR_DLMS_DAR_READ_WRITE_DENIED, "level 1 executes nothing");
    cosem_rig_assoc(r, MTR_COSEM_ROLE_MANAGEMENT);
    cr_assert_eq(cosem_rig_action(r, 9, LN_SCRIPT, 1, (const uint8_t[]){0x12, 0, MTR_COSEM_PUSH_SCRIPT_ALARM}, 3), 0);
    cr_assert(fx.nsent == 1 && fx.sent[0].push == MTR_COSEM_PUSH_ALARM, "the alarm push went out");
    cr_assert_eq(cosem_rig_action(r, 9, LN_SCRIPT, 1, (const uint8_t[]){0x12, 0, 7}, 3), 0);
    cr_assert(fx.nsent == 2 && fx.sent[1].push == MTR_COSEM_PUSH_INSTALLATION);
    cr_assert_eq(cosem_rig_action(r, 9, LN_SCRIPT, 1, (const uint8_t[]){0x12, 0, 0}, 3), 0, "null script");
    cr_assert_eq(cosem_rig_action(r, 9, LN_SCRIPT, 1, (const uint8_t[]){0x12, 0, 5}, 3), MTR_DLMS_DAR_SCOPE_VIOLATED,
                 "no script 5");
    cr_assert_eq(cosem_rig_action(r, 9, LN_SCRIPT, 1, (const uint8_t[]){0x11, 1}, 2), MTR_DLMS_DAR_TYPE_UNMATCHED);
    cr_assert_eq(fx.nsent, 2);
    cosem_rig_free(r);
}

/* ------------------------------------------------------------ association */

/* client_SAP is an integer for every SAP the server takes (0..127). */
Test(cosem_sys_records, partners_id_client_sap_is_an_integer)
{
    struct cosem_rig *r = cosem_rig_new(UTC0);
    for (int role = 0; role < MTR_COSEM_ROLES; role++) {
        cosem_rig_assoc(r, role);
        cr_assert_eq(cosem_rig_get(r, 15, LN_ASSOC4, 3), 0);
        const uint8_t want[] = {2, 2, MTR_DLMS_INTEGER, (uint8_t)cosem_rig_sap[role], MTR_DLMS_LONG_UNSIGNED, 0, 1};
        cr_assert(r->val_len == sizeof want && memcmp(r->val, want, sizeof want) == 0, "role %d", role);
    }
    /* a client SAP the integer cannot hold is refused by the server's configuration */
    struct mtr_dlms_server s;
    struct mtr_dlms_server_cfg cfg = r->scfg;
    struct mtr_dlms_assoc_cfg assocs[MTR_COSEM_ROLES];
    memcpy(assocs, r->assocs, sizeof assocs);
    cfg.assocs = assocs;
    assocs[MTR_COSEM_ROLE_LEVEL3].client_sap = 127;
    cr_assert_eq(mtr_dlms_server_init(&s, &cfg), MTR_OK);
    assocs[MTR_COSEM_ROLE_LEVEL3].client_sap = 128;
    cr_assert_eq(mtr_dlms_server_init(&s, &cfg), MTR_ERR_INVAL);
    cosem_rig_free(r);
}

/* Methods 2..4 of the association: no access for anyone (no HLS secret with
 * mechanism 5, a const object table), as object_list says. */
Test(cosem_sys_records, association_methods_refused)
{
    struct cosem_rig *r = cosem_rig_new(UTC0);
    for (int role = 0; role < MTR_COSEM_ROLES; role++) {
        cosem_rig_assoc(r, role);
        for (uint8_t m = 1; m <= 4; m++) {
            cr_assert_eq(cosem_rig_action(r, 15, LN_ASSOC4, m, (const uint8_t[]){9, 1, 0}, 3),
                         MTR_DLMS_DAR_READ_WRITE_DENIED, "role %d method %u", role, m);
        }
    }
    cosem_rig_free(r);
}

/* ------------------------------------------------------------ security_activate */

static unsigned policy_calls;
static uint8_t policy_entry, policy_value;
static struct cosem_rig *policy_rig;

static mtr_err_t set_policy(void *user, uint8_t entry, uint8_t policy)
{
    (void)user;
    policy_calls++;
    policy_entry = entry;
    policy_value = policy;
    policy_rig->assocs[entry].policy = policy;
    return MTR_OK;
}

static mtr_err_t activate_direct(struct cosem_rig *r, uint8_t policy)
{
    const struct mtr_dlms_obj *o = cosem_rig_obj(0, 0, 43, 0, 0, 255);
    const uint8_t p[2] = {MTR_DLMS_ENUM, policy};
    uint32_t cursor[2] = {0, 0};
    struct mtr_dlms_call c = {.obj = o, .user = &r->cosem, .id = 1, .data = p, .data_len = 2,
                              .cursor = cursor, .server = &r->srv};
    return o->action(&c, NULL);
}

Test(cosem_sys_records, security_activate_raises_only)
{
    struct cosem_rig *r = cosem_rig_new(UTC0);
    policy_calls = 0;
    policy_rig = r;
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL3);
    cr_assert_eq(cosem_rig_action(r, 64, LN_SEC4, 1, (const uint8_t[]){0x16, 1}, 2), MTR_DLMS_DAR_READ_WRITE_DENIED);
    cosem_rig_assoc(r, MTR_COSEM_ROLE_MANAGEMENT);
    cr_assert_eq(cosem_rig_action(r, 64, LN_SEC4, 1, (const uint8_t[]){0x16, 0}, 2), 0, "the same policy");
    cr_assert_eq(cosem_rig_action(r, 64, LN_SEC4, 1, (const uint8_t[]){0x16, 1}, 2), MTR_DLMS_DAR_OBJECT_UNAVAILABLE,
                 "no set_policy hook");
    cr_assert_eq(cosem_rig_action(r, 64, LN_SEC4, 1, (const uint8_t[]){0x16, 4}, 2), MTR_DLMS_DAR_OTHER);
    cr_assert_eq(cosem_rig_action(r, 64, LN_SEC4, 1, (const uint8_t[]){0x11, 1}, 2), MTR_DLMS_DAR_TYPE_UNMATCHED);
    cr_assert_eq(policy_calls, 0);
    r->cosem.cfg.set_policy = set_policy;
    cr_assert_eq(cosem_rig_action(r, 64, LN_SEC4, 1, (const uint8_t[]){0x16, 1}, 2), 0);
    cr_assert(policy_calls == 1 && policy_entry == MTR_COSEM_ROLE_MANAGEMENT && policy_value == 1);
    /* from now on the management client must authenticate its requests */
    static uint8_t req[64], resp[MTR_CFG_DLMS_MAX_APDU];
    size_t n = cl_get(r->iid, 64, LN_SEC4, 2, 0, NULL, 0, req);
    n = cosem_rig_xfer(r, req, n, resp, sizeof resp);
    cr_assert(n >= 3 && resp[0] == 0xD8, "a plain request is refused (exception-response)");
    /* lowering (or dropping a protection) is refused, the same policy changes nothing */
    cr_assert_eq(activate_direct(r, 0), SYS_REFUSED_CODE);
    cr_assert_eq(activate_direct(r, 2), SYS_REFUSED_CODE, "1 -> 2 drops authentication");
    cr_assert_eq(activate_direct(r, 1), MTR_OK);
    cr_assert_eq(policy_calls, 1);
    cr_assert_eq(activate_direct(r, 3), MTR_OK);
    cr_assert(policy_calls == 2 && r->assocs[MTR_COSEM_ROLE_MANAGEMENT].policy == 3);
    cr_assert_eq(activate_direct(r, 1), SYS_REFUSED_CODE);
    cr_assert_eq(r->assocs[MTR_COSEM_ROLE_MANAGEMENT].policy, 3);
    /* without keys nothing can be raised */
    r->assocs[MTR_COSEM_ROLE_MANAGEMENT].policy = 0;
    r->scfg.sec = NULL;
    cr_assert_eq(activate_direct(r, 1), SYS_REFUSED_CODE);
    cr_assert_eq(policy_calls, 2);
    cosem_rig_free(r);
}

/* ------------------------------------------------------------ local port passwords */

Test(cosem_sys_records, local_port_passwords_write_only)
{
    struct cosem_rig *r = cosem_rig_new(UTC0);
    struct cosem_val v;
    cosem_rig_assoc(r, MTR_COSEM_ROLE_MANAGEMENT);
    for (uint8_t a = 7; a <= 9; a++) {
        char pw[9];
        snprintf(pw, sizeof pw, "pass%04u", a);
        cv_reset(&v);
        cv_bytes(&v, MTR_DLMS_OCTET_STRING, pw, 8);
        unsigned nchanged = fx.nchanged;
        cr_assert_eq(cosem_rig_set(r, 19, LN_LOCAL4, a, v.b, v.n), 0);
        cr_assert(fx.lp.pass_len[a - 7] == 8 && memcmp(fx.lp.pass[a - 7], pw, 8) == 0, "attribute %u", a);
        cr_assert(fx.nchanged == nchanged + 1 && fx.changed_what == MTR_COSEM_SETTING_LOCAL_PORT);
        cr_assert_eq(cosem_rig_get(r, 19, LN_LOCAL4, a), MTR_DLMS_DAR_READ_WRITE_DENIED, "never read");
    }
    struct mtr_cosem_local_port before = fx.lp;
    uint8_t big[MTR_COSEM_LOCAL_PASS_MAX + 1];
    memset(big, 'p', sizeof big);
    cv_reset(&v);
    cv_bytes(&v, MTR_DLMS_OCTET_STRING, big, sizeof big);
    cr_assert_eq(cosem_rig_set(r, 19, LN_LOCAL4, 8, v.b, v.n), MTR_DLMS_DAR_OTHER);
    cv_reset(&v);
    cv_bytes(&v, MTR_DLMS_VISIBLE_STRING, "abc", 3);
    cr_assert_eq(cosem_rig_set(r, 19, LN_LOCAL4, 8, v.b, v.n), MTR_DLMS_DAR_TYPE_UNMATCHED);
    cv_reset(&v);
    cv_bytes(&v, MTR_DLMS_OCTET_STRING, "", 0);
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL3);
    cr_assert_eq(cosem_rig_set(r, 19, LN_LOCAL4, 9, v.b, v.n), MTR_DLMS_DAR_READ_WRITE_DENIED);
    cr_assert_eq(memcmp(&before, &fx.lp, sizeof before), 0);
    cosem_rig_free(r);
}

/* ------------------------------------------------------------ access masks above 16 */

static mtr_err_t wide_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    return mtr_dlms_axdr_put_uint(w, MTR_DLMS_UNSIGNED, c->id);
}

static unsigned wide_sets;

static mtr_err_t wide_set(const struct mtr_dlms_call *c)
{
    (void)c;
    wide_sets++;
    return MTR_OK;
}

static mtr_err_t wide_act(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    (void)c;
    (void)w;
    return MTR_OK;
}

/* Attributes 17..32 are reachable; ids above the masks never are. */
Test(cosem_sys_records, attributes_above_16)
{
    struct cosem_rig *r = cosem_rig_new(UTC0);
    static struct mtr_dlms_access acc[MTR_CFG_DLMS_PROFILES];
    static const uint8_t ln[6] = {0, 0, 19, 0, 0, 255};
    for (int p = 0; p < MTR_CFG_DLMS_PROFILES; p++) {
        acc[p] = (struct mtr_dlms_access){.get = 0x80050001u, .set = 1u << 17, .act = 0x8001u};
    }
    static struct mtr_dlms_obj obj;
    obj = (struct mtr_dlms_obj){111, 0, {0, 0, 19, 0, 0, 255}, acc, wide_get, wide_set, wide_act, NULL};
    r->scfg.objects = &obj;
    r->scfg.nobjects = 1;
    cr_assert_eq(mtr_dlms_server_init(&r->srv, &r->scfg), MTR_OK);
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL1);
    for (uint8_t a = 17; a <= 33; a++) {
        int dar = cosem_rig_get(r, 111, ln, a);
        if (a == 17 || a == 19 || a == 32) {
            cr_assert_eq(dar, 0, "attribute %u", a);
            cr_assert(r->val_len == 2 && r->val[1] == a);
        } else {
            cr_assert_eq(dar, MTR_DLMS_DAR_READ_WRITE_DENIED, "attribute %u", a);
        }
    }
    wide_sets = 0;
    cr_assert_eq(cosem_rig_set(r, 111, ln, 18, (const uint8_t[]){0x11, 1}, 2), 0);
    cr_assert_eq(cosem_rig_set(r, 111, ln, 17, (const uint8_t[]){0x11, 1}, 2), MTR_DLMS_DAR_READ_WRITE_DENIED);
    cr_assert_eq(wide_sets, 1);
    cr_assert_eq(cosem_rig_action(r, 111, ln, 16, (const uint8_t[]){0x0F, 0}, 2), 0);
    cr_assert_eq(cosem_rig_action(r, 111, ln, 17, (const uint8_t[]){0x0F, 0}, 2), MTR_DLMS_DAR_READ_WRITE_DENIED,
                 "methods stop at 16");
    cosem_rig_free(r);
}
