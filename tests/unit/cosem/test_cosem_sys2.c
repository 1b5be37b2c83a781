/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Push setups and push action schedulers: the data-notification of each
 * push setup (plain and protected), scheduled interval pushes, the alarm
 * push, retries, randomisation, communication windows, and the validation
 * of every writable attribute.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "dlms_client.h"
#include "test_cosem_sys.h"

#define UTC0 1717200000 /* 2024-06-01 00:00:00 UTC, a Saturday */

static const uint8_t PUSH_LN[MTR_COSEM_PUSHES][6] = {
    {0, 0, 25, 9, 0, 255}, {0, 1, 25, 9, 0, 255}, {0, 2, 25, 9, 0, 255},
    {0, 3, 25, 9, 0, 255}, {0, 4, 25, 9, 0, 255}, {0, 7, 25, 9, 0, 255},
};
static const uint8_t SCHED_LN[MTR_COSEM_SCHEDULERS][6] = {
    {0, 1, 15, 0, 4, 255}, {0, 2, 15, 0, 4, 255}, {0, 3, 15, 0, 4, 255}};
static const uint8_t PUSH0[2] = {MTR_DLMS_INTEGER, 0};

/* A plain data-notification of the default object list of push @p k. */
static void check_notification(const uint8_t *a, size_t n, int k)
{
    static const uint8_t fw[] = "V030202";
    size_t off = 6;
    cr_assert_gt(n, 6);
    cr_assert_eq(a[0], 0x0F, "data-notification");
    cr_assert_eq(a[5], 0, "no date-time");
    cr_assert(a[off] == MTR_DLMS_STRUCTURE && a[off + 1] == 3,
              "structure of the 3 captured values");
    off += 2;
    cr_assert(a[off] == MTR_DLMS_OCTET_STRING && a[off + 1] == 6);
    cr_assert_arr_eq(a + off + 2, PUSH_LN[k], 6, "attribute 1 of the push setup itself");
    off += 8;
    cr_assert(a[off] == MTR_DLMS_OCTET_STRING && a[off + 1] == 7);
    cr_assert_arr_eq(a + off + 2, fw, 7, "firmware version, read through its get callback");
    off += 9;
    cr_assert(a[off] == MTR_DLMS_LONG_UNSIGNED && a[off + 1] == 0x0F && a[off + 2] == 0xDB,
              "TCP port 4059");
    off += 3;
    cr_assert_eq(off, n, "nothing after the body");
}

static void tick(struct cosem_rig *r, mtr_utc_t utc)
{
    mtr_cosem_tick(&r->cosem, utc, 0);
}

Test(cosem_sys_push, method_of_every_push_setup)
{
    struct cosem_rig *r = cosem_rig_new(UTC0);
    tick(r, UTC0);
    cosem_rig_assoc(r, MTR_COSEM_ROLE_MANAGEMENT);
    for (int k = 0; k < MTR_COSEM_PUSHES; k++) {
        cr_assert_eq(cosem_rig_action(r, 40, PUSH_LN[k], 1, PUSH0, 2), 0);
        cr_assert_eq(fx.nsent, (unsigned)k + 1, "push %d sent at once", k);
        cr_assert_eq(fx.sent[k].push, k);
        check_notification(fx.sent[k].apdu, fx.sent[k].len, k);
        struct mtr_cosem_push_stats st;
        mtr_cosem_push_stats(&r->cosem, (uint8_t)k, &st);
        cr_assert(st.triggered == 1 && st.sent == 1 && st.attempts == 1 && st.failed == 0);
    }
    /* invoke ids differ from one notification to the next */
    cr_assert_neq(memcmp(fx.sent[0].apdu + 1, fx.sent[1].apdu + 1, 4), 0);
    cosem_rig_free(r);
}

static void protected_push(uint8_t policy, uint8_t sc)
{
    struct cosem_rig *r = cosem_rig_new(UTC0);
    struct client cl = {.hal = &r->hal};
    uint8_t *plain;
    uint32_t ic = r->sec.tx_ic;

    memcpy(cl.ek, GB_EK, 16);
    memcpy(cl.ak, GB_AK, 16);
    r->cosem.cfg.push_policy = policy;
    tick(r, UTC0);
    cosem_rig_assoc(r, MTR_COSEM_ROLE_MANAGEMENT);
    cr_assert_eq(cosem_rig_action(r, 40, PUSH_LN[MTR_COSEM_PUSH_INSTALLATION], 1, PUSH0, 2), 0);
    cr_assert_eq(fx.nsent, 1);
    uint8_t *a = fx.sent[0].apdu;
    cr_assert_eq(a[0], 0xDB, "general-glo-ciphering");
    cr_assert_arr_eq(a + 2, GB_SERVER_ST, 8, "server system title");
    cr_assert_eq(a[11], sc, "security control byte of the policy");
    cr_assert_eq((uint32_t)a[12] << 24 | (uint32_t)a[13] << 16 | (uint32_t)a[14] << 8 | a[15], ic,
                 "the server's next invocation counter");
    cr_assert_eq(r->sec.tx_ic, ic + 1);
    size_t n = cl_open(&cl, a, fx.sent[0].len, &plain);
    check_notification(plain, n, MTR_COSEM_PUSH_INSTALLATION);
    cosem_rig_free(r);
}

Test(cosem_sys_push, protected_auth_enc)
{
    protected_push(MTR_DLMS_POLICY_AUTH_ENC, 0x30);
}
Test(cosem_sys_push, protected_auth)
{
    protected_push(MTR_DLMS_POLICY_AUTH, 0x10);
}
Test(cosem_sys_push, protected_enc)
{
    protected_push(MTR_DLMS_POLICY_ENC, 0x20);
}

Test(cosem_sys_push, protected_without_security_state_fails)
{
    struct cosem_rig *r = cosem_rig_new(UTC0);
    r->cosem.cfg.push_policy = MTR_DLMS_POLICY_AUTH_ENC;
    r->cosem.cfg.sec = NULL;
    tick(r, UTC0);
    cr_assert_eq(mtr_cosem_push_trigger(&r->cosem, MTR_COSEM_PUSH_CONNECTIVITY), MTR_OK);
    cr_assert_eq(fx.send_calls, 0, "never sent in clear when protection is asked for");
    struct mtr_cosem_push_stats st;
    mtr_cosem_push_stats(&r->cosem, MTR_COSEM_PUSH_CONNECTIVITY, &st);
    cr_assert_eq(st.failed, 1);
    cosem_rig_free(r);
}

/* Interval 1 fires at 00:15:00 every day, exactly once each day. */
Test(cosem_sys_push, interval_push_fires_once_at_its_time)
{
    struct cosem_rig *r = cosem_rig_new(UTC0);
    for (mtr_utc_t t = UTC0; t < UTC0 + 15 * 60; t += 1) {
        tick(r, t);
    }
    cr_assert_eq(fx.nsent, 0, "nothing before 00:15:00");
    tick(r, UTC0 + 15 * 60);
    cr_assert_eq(fx.nsent, 1);
    cr_assert_eq(fx.sent[0].push, MTR_COSEM_PUSH_INTERVAL_1);
    cr_assert_eq(fx.sent[0].at, UTC0 + 15 * 60);
    check_notification(fx.sent[0].apdu, fx.sent[0].len, MTR_COSEM_PUSH_INTERVAL_1);
    tick(r, UTC0 + 15 * 60); /* the same second again */
    for (mtr_utc_t t = UTC0 + 15 * 60 + 1; t < UTC0 + 86400 + 15 * 60; t += 60) {
        tick(r, t);
    }
    unsigned hourly = 24; /* interval 2: every hour at :30 */
    cr_assert_eq(fx.nsent, 1 + hourly, "interval 1 once, interval 2 once an hour");
    unsigned i1 = 0;
    for (unsigned k = 0; k < fx.nsent; k++) {
        i1 += fx.sent[k].push == MTR_COSEM_PUSH_INTERVAL_1;
    }
    cr_assert_eq(i1, 1);
    tick(r, UTC0 + 86400 + 15 * 60);
    cr_assert_eq(fx.sent[fx.nsent - 1].push, MTR_COSEM_PUSH_INTERVAL_1, "the next day at 00:15:00");
    cosem_rig_free(r);
}

/* A tick that comes late fires the missed occurrence once, not once per occurrence. */
Test(cosem_sys_push, late_tick_fires_once)
{
    struct cosem_rig *r = cosem_rig_new(UTC0);
    fx.sched[0].ntimes = 0; /* interval 2 only: hourly at :30 */
    tick(r, UTC0);
    tick(r, UTC0 + 5 * 3600); /* 00:30 .. 04:30 missed */
    cr_assert_eq(fx.nsent, 1);
    cr_assert_eq(fx.sent[0].push, MTR_COSEM_PUSH_INTERVAL_2);
    tick(r, UTC0 + 5 * 3600 + 1799);
    cr_assert_eq(fx.nsent, 1);
    tick(r, UTC0 + 5 * 3600 + 1800);
    cr_assert_eq(fx.nsent, 2, "05:30");
    /* the clock set back an hour: 04:30 comes again */
    tick(r, UTC0 + 4 * 3600 + 1799);
    tick(r, UTC0 + 4 * 3600 + 1800);
    cr_assert_eq(fx.nsent, 3);
    cosem_rig_free(r);
}

Test(cosem_sys_push, local_time_offset)
{
    struct cosem_rig *r = cosem_rig_new(UTC0);
    fx.sched[1].ntimes = 0;
    /* UTC+2: 00:15 local is 22:15 UTC the day before */
    mtr_cosem_tick(&r->cosem, UTC0 - 2 * 3600 + 14 * 60, 7200);
    mtr_cosem_tick(&r->cosem, UTC0 - 2 * 3600 + 15 * 60, 7200);
    cr_assert_eq(fx.nsent, 1);
    cr_assert_eq(fx.sent[0].push, MTR_COSEM_PUSH_INTERVAL_1);
    cosem_rig_free(r);
}

Test(cosem_sys_push, alarm_push)
{
    struct cosem_rig *r = cosem_rig_new(UTC0);
    tick(r, UTC0);
    cr_assert_eq(mtr_cosem_push_alarm(&r->cosem), MTR_OK);
    cr_assert_eq(fx.nsent, 1);
    cr_assert_eq(fx.sent[0].push, MTR_COSEM_PUSH_ALARM);
    check_notification(fx.sent[0].apdu, fx.sent[0].len, MTR_COSEM_PUSH_ALARM);
    cr_assert_eq(mtr_cosem_push_trigger(&r->cosem, MTR_COSEM_PUSHES), MTR_ERR_RANGE);
    cosem_rig_free(r);
}

Test(cosem_sys_push, retries_with_repetition_delay)
{
    struct cosem_rig *r = cosem_rig_new(UTC0);
    struct mtr_cosem_push_stats st;
    tick(r, UTC0);
    fx.send_result = MTR_ERR_IO;
    cr_assert_eq(mtr_cosem_push_alarm(&r->cosem), MTR_OK);
    cr_assert_eq(fx.send_calls, 1);
    cr_assert_eq(mtr_cosem_push_alarm(&r->cosem), MTR_OK, "a pending push is not started twice");
    tick(r, UTC0 + 59);
    cr_assert_eq(fx.send_calls, 1, "repetition_delay 60 s");
    tick(r, UTC0 + 60);
    cr_assert_eq(fx.send_calls, 2);
    tick(r, UTC0 + 120);
    cr_assert_eq(fx.send_calls, 3, "number_of_retries 2");
    tick(r, UTC0 + 600);
    cr_assert_eq(fx.send_calls, 3, "given up");
    mtr_cosem_push_stats(&r->cosem, MTR_COSEM_PUSH_ALARM, &st);
    cr_assert(st.triggered == 1 && st.attempts == 3 && st.sent == 0 && st.failed == 1);
    /* a retry that gets through */
    cr_assert_eq(mtr_cosem_push_alarm(&r->cosem), MTR_OK);
    fx.send_result = MTR_OK;
    tick(r, UTC0 + 660);
    cr_assert_eq(fx.nsent, 1);
    mtr_cosem_push_stats(&r->cosem, MTR_COSEM_PUSH_ALARM, &st);
    cr_assert(st.triggered == 2 && st.sent == 1 && st.failed == 1);
    cosem_rig_free(r);
}

Test(cosem_sys_push, randomisation_start_interval)
{
    struct cosem_rig *r = cosem_rig_new(UTC0);
    fx.push[MTR_COSEM_PUSH_CONNECTIVITY].randomisation_s = 30;
    fx.sched[0].ntimes = 0;
    fx.sched[1].ntimes = 0;
    unsigned waited = 0;
    for (int round = 0; round < 20; round++) {
        mtr_utc_t t0 = UTC0 + round * 100;
        unsigned before = fx.nsent;
        tick(r, t0);
        cr_assert_eq(mtr_cosem_push_trigger(&r->cosem, MTR_COSEM_PUSH_CONNECTIVITY), MTR_OK);
        waited += fx.nsent == before;
        for (mtr_utc_t t = t0 + 1; t <= t0 + 30; t++) {
            tick(r, t);
        }
        cr_assert_eq(fx.nsent, before + 1, "sent exactly once within the interval");
        cr_assert_leq(fx.sent[fx.nsent - 1].at, t0 + 30);
    }
    cr_assert_gt(waited, 0, "some start was delayed");
    cosem_rig_free(r);
}

static void window(uint8_t w[24], uint8_t h0, uint8_t h1)
{
    static const uint8_t any[12] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0xFF, 0x80, 0x00, 0xFF};
    memcpy(w, any, 12);
    memcpy(w + 12, any, 12);
    w[5] = h0;
    w[12 + 5] = h1;
}

Test(cosem_sys_push, communication_window)
{
    struct cosem_rig *r = cosem_rig_new(UTC0 + 3 * 3600);
    struct cosem_val v;
    uint8_t w[24];
    window(w, 22, 6); /* 22:00 .. 06:00, across midnight */
    fx.sched[0].ntimes = 0;
    fx.sched[1].ntimes = 0;
    cosem_rig_assoc(r, MTR_COSEM_ROLE_MANAGEMENT);
    cv_reset(&v);
    cv_tag_len(&v, MTR_DLMS_ARRAY, 1);
    cv_tag_len(&v, MTR_DLMS_STRUCTURE, 2);
    cv_bytes(&v, MTR_DLMS_OCTET_STRING, w, 12);
    cv_bytes(&v, MTR_DLMS_OCTET_STRING, w + 12, 12);
    cr_assert_eq(cosem_rig_set(r, 40, PUSH_LN[0], 4, v.b, v.n), 0);
    cr_assert_eq(fx.push[0].nwindows, 1);
    cr_assert_eq(cosem_rig_get(r, 40, PUSH_LN[0], 4), 0);
    cr_assert_eq(r->val_len, v.n);
    cr_assert_arr_eq(r->val, v.b, v.n, "read back as written");

    tick(r, UTC0 + 12 * 3600); /* noon: outside */
    cr_assert_eq(cosem_rig_action(r, 40, PUSH_LN[0], 1, PUSH0, 2), 0);
    cr_assert_eq(fx.nsent, 0, "waits for the window");
    tick(r, UTC0 + 21 * 3600 + 59 * 60 + 59);
    cr_assert_eq(fx.nsent, 0);
    tick(r, UTC0 + 22 * 3600);
    cr_assert_eq(fx.nsent, 1, "sent when the window opens");
    tick(r, UTC0 + 86400 + 3 * 3600); /* 03:00 next day: inside */
    cr_assert_eq(cosem_rig_action(r, 40, PUSH_LN[0], 1, PUSH0, 2), 0);
    cr_assert_eq(fx.nsent, 2);
    cosem_rig_free(r);
}

/* ------------------------------------------------------------ attribute writes */

static void capture(struct cosem_val *v, uint16_t cls, const uint8_t ln[6], int8_t attr,
                    uint16_t di)
{
    cv_tag_len(v, MTR_DLMS_STRUCTURE, 4);
    cv_uint(v, MTR_DLMS_LONG_UNSIGNED, cls);
    cv_bytes(v, MTR_DLMS_OCTET_STRING, ln, 6);
    cv_uint(v, MTR_DLMS_INTEGER, (uint8_t)attr);
    cv_uint(v, MTR_DLMS_LONG_UNSIGNED, di);
}

Test(cosem_sys_push, push_object_list_write)
{
    struct cosem_rig *r = cosem_rig_new(UTC0);
    static const uint8_t fw_sig[6] = {1, 0, 0, 2, 8, 255}, hdlc[6] = {0, 1, 22, 0, 0, 255};
    static const uint8_t nowhere[6] = {0, 0, 96, 99, 99, 255};
    struct cosem_val v;
    cosem_rig_assoc(r, MTR_COSEM_ROLE_MANAGEMENT);
    cv_reset(&v);
    cv_tag_len(&v, MTR_DLMS_ARRAY, 2);
    capture(&v, 1, fw_sig, 2, 0);
    capture(&v, 23, hdlc, 9, 0);
    cr_assert_eq(cosem_rig_set(r, 40, PUSH_LN[2], 2, v.b, v.n), 0);
    cr_assert(fx.changed_what == MTR_COSEM_SETTING_PUSH && fx.changed_index == 2);
    cr_assert_eq(cosem_rig_get(r, 40, PUSH_LN[2], 2), 0);
    cr_assert_eq(r->val_len, v.n);
    cr_assert_arr_eq(r->val, v.b, v.n);
    tick(r, UTC0);
    cr_assert_eq(cosem_rig_action(r, 40, PUSH_LN[2], 1, PUSH0, 2), 0);
    static const uint8_t body[] = {2,    2,    9,    16,   0x5A, 0x11, 0x22, 0x33,
                                   0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xAA, 0xBB,
                                   0xCC, 0xDD, 0xEE, 0xA5, 18,   0,    17};
    cr_assert_eq(fx.sent[0].len, 6 + sizeof body);
    cr_assert_arr_eq(fx.sent[0].apdu + 6, body, sizeof body);

    /* refused, nothing changes */
    struct mtr_cosem_push_setup before = fx.push[2];
    struct mtr_cosem_capture objs[FX_OBJECTS];
    memcpy(objs, fx.objects[2], sizeof objs);
    unsigned nchanged = fx.nchanged;
    cv_reset(&v);
    cv_tag_len(&v, MTR_DLMS_ARRAY, 1);
    capture(&v, 1, nowhere, 2, 0);
    cr_assert_eq(cosem_rig_set(r, 40, PUSH_LN[2], 2, v.b, v.n), MTR_DLMS_DAR_OTHER,
                 "not in the table");
    cv_reset(&v);
    cv_tag_len(&v, MTR_DLMS_ARRAY, 1);
    capture(&v, 3, fw_sig, 2, 0);
    cr_assert_eq(cosem_rig_set(r, 40, PUSH_LN[2], 2, v.b, v.n), MTR_DLMS_DAR_OTHER,
                 "wrong class");
    cv_reset(&v);
    cv_tag_len(&v, MTR_DLMS_ARRAY, 1);
    capture(&v, 1, fw_sig, 0, 0);
    cr_assert_eq(cosem_rig_set(r, 40, PUSH_LN[2], 2, v.b, v.n), MTR_DLMS_DAR_OTHER,
                 "attribute 0");
    cv_reset(&v);
    cv_tag_len(&v, MTR_DLMS_ARRAY, 1);
    capture(&v, 1, fw_sig, 2, 1);
    cr_assert_eq(cosem_rig_set(r, 40, PUSH_LN[2], 2, v.b, v.n), MTR_DLMS_DAR_OTHER,
                 "data index");
    cv_reset(&v);
    cv_tag_len(&v, MTR_DLMS_ARRAY, FX_OBJECTS + 1);
    for (int k = 0; k <= FX_OBJECTS; k++) {
        capture(&v, 1, fw_sig, 2, 0);
    }
    cr_assert_eq(cosem_rig_set(r, 40, PUSH_LN[2], 2, v.b, v.n), MTR_DLMS_DAR_OTHER,
                 "too many");
    cv_reset(&v);
    cv_tag_len(&v, MTR_DLMS_ARRAY, 2);
    capture(&v, 1, fw_sig, 2, 0);
    cv_tag_len(&v, MTR_DLMS_STRUCTURE, 3);
    cv_uint(&v, MTR_DLMS_LONG_UNSIGNED, 1);
    cv_bytes(&v, MTR_DLMS_OCTET_STRING, fw_sig, 6);
    cv_uint(&v, MTR_DLMS_INTEGER, 2);
    cr_assert_eq(cosem_rig_set(r, 40, PUSH_LN[2], 2, v.b, v.n), MTR_DLMS_DAR_TYPE_UNMATCHED,
                 "short structure");
    cv_reset(&v);
    cv_uint(&v, MTR_DLMS_UNSIGNED, 1);
    cr_assert_eq(cosem_rig_set(r, 40, PUSH_LN[2], 2, v.b, v.n), MTR_DLMS_DAR_TYPE_UNMATCHED);
    cr_assert_eq(memcmp(&before, &fx.push[2], sizeof before), 0);
    cr_assert_eq(memcmp(objs, fx.objects[2], sizeof objs), 0);
    cr_assert_eq(fx.nchanged, nchanged);
    cosem_rig_free(r);
}

Test(cosem_sys_push, destination_and_parameters_write)
{
    struct cosem_rig *r = cosem_rig_new(UTC0);
    struct cosem_val v;
    cosem_rig_assoc(r, MTR_COSEM_ROLE_MANAGEMENT);
    cv_reset(&v);
    cv_tag_len(&v, MTR_DLMS_STRUCTURE, 3);
    cv_uint(&v, MTR_DLMS_ENUM, MTR_COSEM_TRANSPORT_UDP);
    cv_bytes(&v, MTR_DLMS_OCTET_STRING, "10.0.0.1:4059", 13);
    cv_uint(&v, MTR_DLMS_ENUM, 0);
    cr_assert_eq(cosem_rig_set(r, 40, PUSH_LN[4], 3, v.b, v.n), 0);
    cr_assert(fx.push[4].transport == 1 && fx.push[4].dest_len == 13 &&
              memcmp(fx.dest[4], "10.0.0.1:4059", 13) == 0);
    cr_assert_eq(cosem_rig_get(r, 40, PUSH_LN[4], 3), 0);
    cr_assert_arr_eq(r->val, v.b, v.n);
    uint8_t a5[3] = {MTR_DLMS_LONG_UNSIGNED, 0, 90}, a6[2] = {MTR_DLMS_UNSIGNED, 5},
            a7[3] = {MTR_DLMS_LONG_UNSIGNED, 1, 0};
    cr_assert_eq(cosem_rig_set(r, 40, PUSH_LN[4], 5, a5, 3), 0);
    cr_assert_eq(cosem_rig_set(r, 40, PUSH_LN[4], 6, a6, 2), 0);
    cr_assert_eq(cosem_rig_set(r, 40, PUSH_LN[4], 7, a7, 3), 0);
    cr_assert(fx.push[4].randomisation_s == 90 && fx.push[4].retries == 5 &&
              fx.push[4].repetition_s == 256);
    cr_assert_eq(cosem_rig_get(r, 40, PUSH_LN[4], 7), 0);
    cr_assert_arr_eq(r->val, a7, 3);

    struct mtr_cosem_push_setup before = fx.push[4];
    cv_reset(&v);
    cv_tag_len(&v, MTR_DLMS_STRUCTURE, 3);
    cv_uint(&v, MTR_DLMS_ENUM, 8);
    cv_bytes(&v, MTR_DLMS_OCTET_STRING, "x", 1);
    cv_uint(&v, MTR_DLMS_ENUM, 0);
    cr_assert_eq(cosem_rig_set(r, 40, PUSH_LN[4], 3, v.b, v.n), MTR_DLMS_DAR_OTHER,
                 "transport");
    cv_reset(&v);
    cv_tag_len(&v, MTR_DLMS_STRUCTURE, 3);
    cv_uint(&v, MTR_DLMS_ENUM, 0);
    cv_bytes(&v, MTR_DLMS_OCTET_STRING, "x", 1);
    cv_uint(&v, MTR_DLMS_ENUM, 1);
    cr_assert_eq(cosem_rig_set(r, 40, PUSH_LN[4], 3, v.b, v.n), MTR_DLMS_DAR_OTHER,
                 "XML message");
    uint8_t longdest[33];
    memset(longdest, '9', sizeof longdest);
    cv_reset(&v);
    cv_tag_len(&v, MTR_DLMS_STRUCTURE, 3);
    cv_uint(&v, MTR_DLMS_ENUM, 0);
    cv_bytes(&v, MTR_DLMS_OCTET_STRING, longdest, sizeof longdest);
    cv_uint(&v, MTR_DLMS_ENUM, 0);
    cr_assert_eq(cosem_rig_set(r, 40, PUSH_LN[4], 3, v.b, v.n), MTR_DLMS_DAR_OTHER,
                 "longer than its RAM");
    uint8_t bad5[2] = {MTR_DLMS_UNSIGNED, 1}, bad6[3] = {MTR_DLMS_LONG_UNSIGNED, 0, 1};
    cr_assert_eq(cosem_rig_set(r, 40, PUSH_LN[4], 5, bad5, 2), MTR_DLMS_DAR_TYPE_UNMATCHED);
    cr_assert_eq(cosem_rig_set(r, 40, PUSH_LN[4], 6, bad6, 3), MTR_DLMS_DAR_TYPE_UNMATCHED);
    cr_assert_eq(cosem_rig_set(r, 40, PUSH_LN[4], 1, bad6, 3), MTR_DLMS_DAR_READ_WRITE_DENIED);
    /* a window of invalid date-times */
    uint8_t w[24];
    window(w, 24, 6);
    cv_reset(&v);
    cv_tag_len(&v, MTR_DLMS_ARRAY, 1);
    cv_tag_len(&v, MTR_DLMS_STRUCTURE, 2);
    cv_bytes(&v, MTR_DLMS_OCTET_STRING, w, 12);
    cv_bytes(&v, MTR_DLMS_OCTET_STRING, w + 12, 12);
    cr_assert_eq(cosem_rig_set(r, 40, PUSH_LN[4], 4, v.b, v.n), MTR_DLMS_DAR_OTHER);
    cr_assert_eq(memcmp(&before, &fx.push[4], sizeof before), 0);
    cosem_rig_free(r);
}

Test(cosem_sys_push, method_rights_and_parameter)
{
    struct cosem_rig *r = cosem_rig_new(UTC0);
    tick(r, UTC0);
    for (int role = 0; role < MTR_COSEM_ROLES; role++) {
        if (role == MTR_COSEM_ROLE_MANAGEMENT) {
            continue;
        }
        cosem_rig_assoc(r, role);
        cr_assert_eq(cosem_rig_action(r, 40, PUSH_LN[0], 1, PUSH0, 2),
                     MTR_DLMS_DAR_READ_WRITE_DENIED, "role %d", role);
        uint8_t v[3] = {MTR_DLMS_LONG_UNSIGNED, 0, 1};
        cr_assert_eq(cosem_rig_set(r, 40, PUSH_LN[0], 7, v, 3), MTR_DLMS_DAR_READ_WRITE_DENIED);
    }
    cosem_rig_assoc(r, MTR_COSEM_ROLE_MANAGEMENT);
    uint8_t bad[2] = {MTR_DLMS_UNSIGNED, 0}, one[2] = {MTR_DLMS_INTEGER, 1};
    cr_assert_eq(cosem_rig_action(r, 40, PUSH_LN[0], 1, bad, 2), MTR_DLMS_DAR_TYPE_UNMATCHED);
    cr_assert_eq(cosem_rig_action(r, 40, PUSH_LN[0], 1, one, 2), MTR_DLMS_DAR_OTHER);
    cr_assert_eq(fx.send_calls, 0);
    cosem_rig_free(r);
}

/* ------------------------------------------------------------ schedulers */

Test(cosem_sys_push, scheduler_attributes)
{
    struct cosem_rig *r = cosem_rig_new(UTC0);
    struct cosem_val v;
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL1);
    cr_assert_eq(cosem_rig_get(r, 22, SCHED_LN[1], 2), 0);
    static const uint8_t script[] = {2, 2, 9, 6, 0, 0, 10, 0, 108, 255, 18, 0, 2};
    cr_assert_arr_eq(r->val, script, sizeof script, "push script table, selector 2");
    cr_assert_eq(cosem_rig_get(r, 22, SCHED_LN[0], 4), 0);
    static const uint8_t times[] = {1, 1, 2, 2,    9,    4,    0,    15,  0,
                                    0, 9, 5, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    cr_assert_eq(r->val_len, sizeof times);
    cr_assert_arr_eq(r->val, times, sizeof times);

    cosem_rig_assoc(r, MTR_COSEM_ROLE_MANAGEMENT);
    /* interval 3: Mondays at 06:00 and the last day of each month at 23:59:30 */
    cv_reset(&v);
    cv_tag_len(&v, MTR_DLMS_ARRAY, 2);
    cv_tag_len(&v, MTR_DLMS_STRUCTURE, 2);
    cv_bytes(&v, MTR_DLMS_OCTET_STRING, (const uint8_t[]){6, 0, 0, 0}, 4);
    cv_bytes(&v, MTR_DLMS_OCTET_STRING, (const uint8_t[]){0xFF, 0xFF, 0xFF, 0xFF, 1}, 5);
    cv_tag_len(&v, MTR_DLMS_STRUCTURE, 2);
    cv_bytes(&v, MTR_DLMS_OCTET_STRING, (const uint8_t[]){23, 59, 30, 0}, 4);
    cv_bytes(&v, MTR_DLMS_OCTET_STRING, (const uint8_t[]){0xFF, 0xFF, 0xFF, 0xFE, 0xFF}, 5);
    cr_assert_eq(cosem_rig_set(r, 22, SCHED_LN[2], 4, v.b, v.n), 0);
    cr_assert(fx.changed_what == MTR_COSEM_SETTING_SCHEDULE && fx.changed_index == 2);
    cr_assert_eq(fx.sched[2].ntimes, 2);
    fx.sched[0].ntimes = 0;
    fx.sched[1].ntimes = 0;
    /* 2024-06-01 is a Saturday: Monday 06-03 06:00, then 06-10, ...; 06-30 23:59:30 */
    for (mtr_utc_t t = UTC0; t <= UTC0 + 30 * 86400; t += 30) {
        tick(r, t);
    }
    cr_assert_eq(fx.nsent, 5, "4 Mondays and the last day of June");
    cr_assert_eq(fx.sent[0].at, UTC0 + 2 * 86400 + 6 * 3600);
    cr_assert_eq(fx.sent[4].at, UTC0 + 29 * 86400 + 23 * 3600 + 59 * 60 + 30);
    for (unsigned k = 0; k < fx.nsent; k++) {
        cr_assert_eq(fx.sent[k].push, MTR_COSEM_PUSH_INTERVAL_3);
    }

    struct mtr_cosem_schedule before = fx.sched[2];
    uint8_t saved[FX_TIMES][9];
    memcpy(saved, fx.times[2], sizeof saved);
    cv_reset(&v);
    cv_tag_len(&v, MTR_DLMS_ARRAY, 1);
    cv_tag_len(&v, MTR_DLMS_STRUCTURE, 2);
    cv_bytes(&v, MTR_DLMS_OCTET_STRING, (const uint8_t[]){24, 0, 0, 0}, 4);
    cv_bytes(&v, MTR_DLMS_OCTET_STRING, (const uint8_t[]){0xFF, 0xFF, 0xFF, 0xFF, 0xFF}, 5);
    cr_assert_eq(cosem_rig_set(r, 22, SCHED_LN[2], 4, v.b, v.n), MTR_DLMS_DAR_OTHER,
                 "hour 24");
    cv_reset(&v);
    cv_tag_len(&v, MTR_DLMS_ARRAY, 1);
    cv_tag_len(&v, MTR_DLMS_STRUCTURE, 2);
    cv_bytes(&v, MTR_DLMS_OCTET_STRING, (const uint8_t[]){1, 0, 0}, 3);
    cv_bytes(&v, MTR_DLMS_OCTET_STRING, (const uint8_t[]){0xFF, 0xFF, 0xFF, 0xFF, 0xFF}, 5);
    cr_assert_eq(cosem_rig_set(r, 22, SCHED_LN[2], 4, v.b, v.n), MTR_DLMS_DAR_TYPE_UNMATCHED,
                 "3-byte time");
    cv_reset(&v);
    cv_tag_len(&v, MTR_DLMS_ARRAY, FX_TIMES + 1);
    for (int k = 0; k <= FX_TIMES; k++) {
        cv_tag_len(&v, MTR_DLMS_STRUCTURE, 2);
        cv_bytes(&v, MTR_DLMS_OCTET_STRING, (const uint8_t[]){1, 0, 0, 0}, 4);
        cv_bytes(&v, MTR_DLMS_OCTET_STRING, (const uint8_t[]){0xFF, 0xFF, 0xFF, 0xFF, 0xFF}, 5);
    }
    cr_assert_eq(cosem_rig_set(r, 22, SCHED_LN[2], 4, v.b, v.n), MTR_DLMS_DAR_OTHER,
                 "too many");
    uint8_t e3[2] = {MTR_DLMS_ENUM, 1};
    cr_assert_eq(cosem_rig_set(r, 22, SCHED_LN[2], 3, e3, 2), MTR_DLMS_DAR_READ_WRITE_DENIED);
    cr_assert_eq(memcmp(&before, &fx.sched[2], sizeof before), 0);
    cr_assert_eq(memcmp(saved, fx.times[2], sizeof saved), 0);
    cosem_rig_free(r);
}
