/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The control objects of the COSEM table over DLMS, on the cosem rig with
 * the control engines of cosem_rig_control.c: disconnect control (class
 * 70), its script table and schedule, the limiter (class 71), the account,
 * credit, charge and token gateway (classes 111, 112, 113, 115), the error
 * register, alarm registers, filters and monitors (classes 1, 21) and the
 * quality thresholds (class 3). Each test checks the engine's state, the
 * relays and the logs behind the answers, and that refused requests change
 * nothing.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "dlms_client.h"
#include "test_cosem_control_rig.h"

#define T0 ((mtr_utc_t)1772409600) /* 2026-03-02T00:00:00Z, a Monday */

#define MGMT MTR_COSEM_ROLE_MANAGEMENT
#define PUBLIC MTR_COSEM_ROLE_PUBLIC
#define L1 MTR_COSEM_ROLE_LEVEL1
#define L3 MTR_COSEM_ROLE_LEVEL3

static const uint8_t OB_DC[6] = {0, 0, 96, 3, 10, 255};
static const uint8_t OB_DC1[6] = {0, 1, 96, 3, 10, 255};
static const uint8_t OB_LIMITER[6] = {0, 0, 17, 0, 0, 255};
static const uint8_t OB_DCSCRIPT[6] = {0, 0, 10, 0, 106, 255};
static const uint8_t OB_DCSCHED[6] = {0, 0, 15, 0, 1, 255};
static const uint8_t OB_ACCOUNT[6] = {0, 0, 19, 0, 0, 255};
static const uint8_t OB_CREDIT[6] = {0, 0, 19, 10, 0, 255};
static const uint8_t OB_CHARGE1[6] = {0, 0, 19, 20, 0, 255};
static const uint8_t OB_TOKEN_GW[6] = {0, 0, 19, 40, 0, 255};
static const uint8_t OB_ERROR[6] = {0, 0, 97, 97, 0, 255};
static const uint8_t OB_ALARM1[6] = {0, 0, 97, 98, 0, 255};
static const uint8_t OB_FILTER1[6] = {0, 0, 97, 98, 10, 255};
static const uint8_t OB_DESC1[6] = {0, 0, 97, 98, 20, 255};
static const uint8_t OB_MONITOR1[6] = {0, 0, 16, 1, 0, 255};
static const uint8_t INT0[2] = {MTR_DLMS_INTEGER, 0};

static struct cosem_rig *R;

static void setup(void)
{
    R = cosem_rig_new(T0);
}

static void teardown(void)
{
    cosem_rig_free(R);
}

static uint64_t be(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int k = 0; k < n; k++) {
        v = v << 8 | p[k];
    }
    return v;
}

/* GET of a one-byte value (enum, boolean). */
static uint8_t get_u8(uint16_t cls, const uint8_t obis[6], uint8_t attr)
{
    int dar = cosem_rig_get(R, cls, obis, attr);
    cr_assert_eq(dar, 0, "GET attr %u answered %d", attr, dar);
    cr_assert_eq(R->val_len, 2);
    return R->val[1];
}

static uint32_t get_u32(uint16_t cls, const uint8_t obis[6], uint8_t attr)
{
    int dar = cosem_rig_get(R, cls, obis, attr);
    cr_assert_eq(dar, 0, "GET attr %u answered %d", attr, dar);
    cr_assert_eq(R->val_len, 5);
    cr_assert_eq(R->val[0], MTR_DLMS_DOUBLE_LONG_UNSIGNED);
    return (uint32_t)be(R->val + 1, 4);
}

/* GET of a long64 (limiter thresholds: the monitored value's type, mW). */
static int64_t get_i64(uint16_t cls, const uint8_t obis[6], uint8_t attr)
{
    int dar = cosem_rig_get(R, cls, obis, attr);
    cr_assert_eq(dar, 0, "GET attr %u answered %d", attr, dar);
    cr_assert_eq(R->val_len, 9);
    cr_assert_eq(R->val[0], MTR_DLMS_LONG64);
    return (int64_t)be(R->val + 1, 8);
}

static int set_u32(uint16_t cls, const uint8_t obis[6], uint8_t attr, uint32_t v)
{
    const uint8_t b[5] = {MTR_DLMS_DOUBLE_LONG_UNSIGNED, (uint8_t)(v >> 24), (uint8_t)(v >> 16),
                          (uint8_t)(v >> 8), (uint8_t)v};
    return cosem_rig_set(R, cls, obis, attr, b, sizeof b);
}

static int act0(uint16_t cls, const uint8_t obis[6], uint8_t method)
{
    return cosem_rig_action(R, cls, obis, method, INT0, sizeof INT0);
}

#if MTR_WITH_DISCONNECT

/* Mode @p mode on the main disconnector, closed by hand (e) from the safe state. */
static void closed_in_mode(uint8_t ch, uint8_t mode)
{
    cr_assert_eq(mtr_disconnect_set_mode(&R->dc, ch, mode), MTR_OK);
    if (mtr_disconnect_state(&R->dc, ch) != MTR_DC_CONNECTED) {
        cr_assert_eq(mtr_disconnect_apply(&R->dc, ch, MTR_DC_T_E, R->sim.ms), MTR_OK);
    }
    cr_assert(mtr_sim_relay(&R->sim, ch));
}

/* ================================================================ disconnect control */

Test(cosem_control, remote_disconnect_and_reconnect_move_the_relay, .init = setup, .fini = teardown)
{
    closed_in_mode(0, 2);
    cosem_rig_assoc(R, MGMT);
    cr_assert_eq(get_u8(70, OB_DC, 3), MTR_DC_CONNECTED);
    cr_assert_eq(get_u8(70, OB_DC, 2), 1, "output_state: closed");
    cr_assert_eq(get_u8(70, OB_DC, 4), 2);

    cr_assert_eq(act0(70, OB_DC, 1), 0);
    cr_assert_eq(mtr_disconnect_state(&R->dc, 0), MTR_DC_DISCONNECTED);
    cr_assert_not(mtr_sim_relay(&R->sim, 0), "the relay opened");
    cr_assert_eq(get_u8(70, OB_DC, 3), MTR_DC_DISCONNECTED);
    cr_assert_eq(get_u8(70, OB_DC, 2), 0);
    cr_assert_eq(cosem_rig_count(R, 62), 1, "Remote disconnection");

    /* again: already disconnected, nothing moves */
    uint32_t ops = mtr_sim_relay_ops(&R->sim, 0);
    cr_assert_eq(cosem_rig_action(R, 70, OB_DC, 1, NULL, 0), 0);
    cr_assert_eq(mtr_sim_relay_ops(&R->sim, 0), ops);
    cr_assert_eq(cosem_rig_count(R, 62), 1);

    /* mode 2: remote reconnection is direct (a) */
    cr_assert_eq(act0(70, OB_DC, 2), 0);
    cr_assert_eq(mtr_disconnect_state(&R->dc, 0), MTR_DC_CONNECTED);
    cr_assert(mtr_sim_relay(&R->sim, 0), "the relay closed");
    cr_assert_eq(cosem_rig_count(R, 63), 1, "Remote reconnection");
}

Test(cosem_control, reconnect_in_a_conditional_mode_leaves_it_ready, .init = setup, .fini = teardown)
{
    closed_in_mode(0, 1);
    cosem_rig_assoc(R, MGMT);
    cr_assert_eq(act0(70, OB_DC, 1), 0);
    cr_assert_eq(act0(70, OB_DC, 2), 0);
    cr_assert_eq(mtr_disconnect_state(&R->dc, 0), MTR_DC_READY, "d: ready for reconnection");
    cr_assert_not(mtr_sim_relay(&R->sim, 0), "still open: the customer reconnects");
    cr_assert_eq(get_u8(70, OB_DC, 3), MTR_DC_READY);
    cr_assert_eq(act0(70, OB_DC, 2), 0, "already ready: nothing to do");
    cr_assert_eq(mtr_disconnect_state(&R->dc, 0), MTR_DC_READY);
}

Test(cosem_control, a_mode_that_forbids_it_refuses_with_read_write_denied, .init = setup, .fini = teardown)
{
    const uint8_t mode0[2] = {MTR_DLMS_ENUM, 0};
    closed_in_mode(0, 2);
    cosem_rig_assoc(R, MGMT);
    cr_assert_eq(cosem_rig_set(R, 70, OB_DC, 4, mode0, sizeof mode0), 0);
    cr_assert_eq(mtr_disconnect_mode(&R->dc, 0), 0);
    uint32_t ops = mtr_sim_relay_ops(&R->sim, 0);
    uint32_t logs = R->nlog;
    cr_assert_eq(act0(70, OB_DC, 1), MTR_DLMS_DAR_READ_WRITE_DENIED);
    cr_assert_eq(act0(70, OB_DC, 2), MTR_DLMS_DAR_READ_WRITE_DENIED);
    cr_assert_eq(mtr_disconnect_state(&R->dc, 0), MTR_DC_CONNECTED);
    cr_assert(mtr_sim_relay(&R->sim, 0));
    cr_assert_eq(mtr_sim_relay_ops(&R->sim, 0), ops, "the relay did not move");
    cr_assert_eq(R->nlog, logs, "nothing logged");
}

Test(cosem_control, a_remote_reconnection_held_by_a_local_cause_is_a_temporary_failure, .init = setup,
     .fini = teardown)
{
    closed_in_mode(0, 2);
    cosem_rig_assoc(R, MGMT);
    cr_assert_eq(act0(70, OB_DC, 1), 0);
    cr_assert_eq(mtr_disconnect_local_set(&R->dc, 0, MTR_DC_CAUSE_PREPAID, R->sim.ms), MTR_OK);
    cr_assert_eq(act0(70, OB_DC, 2), MTR_DLMS_DAR_TEMPORARY_FAILURE);
    cr_assert_eq(mtr_disconnect_state(&R->dc, 0), MTR_DC_DISCONNECTED);
    cr_assert_not(mtr_sim_relay(&R->sim, 0));
}

Test(cosem_control, control_mode_is_validated, .init = setup, .fini = teardown)
{
    const uint8_t mode9[2] = {MTR_DLMS_ENUM, 9};
    const uint8_t unsigned5[2] = {MTR_DLMS_UNSIGNED, 5};
    const uint8_t state1[2] = {MTR_DLMS_ENUM, 1};
    closed_in_mode(0, 2);
    struct mtr_disconnect before = R->dc;
    cosem_rig_assoc(R, MGMT);
    cr_assert_eq(cosem_rig_set(R, 70, OB_DC, 4, mode9, sizeof mode9), MTR_DLMS_DAR_OTHER);
    cr_assert_eq(cosem_rig_set(R, 70, OB_DC, 4, unsigned5, sizeof unsigned5), MTR_DLMS_DAR_TYPE_UNMATCHED);
    cr_assert_eq(cosem_rig_set(R, 70, OB_DC, 3, state1, sizeof state1), MTR_DLMS_DAR_READ_WRITE_DENIED);
    cr_assert_eq(memcmp(&before, &R->dc, sizeof before), 0, "nothing changed");
    cr_assert_eq(get_u8(70, OB_DC, 4), 2);
}

Test(cosem_control, only_management_operates_the_supply, .init = setup, .fini = teardown)
{
    const int roles[3] = {PUBLIC, L1, L3};
    closed_in_mode(0, 2);
    for (int k = 0; k < 3; k++) {
        cosem_rig_assoc(R, roles[k]);
        cr_assert_eq(act0(70, OB_DC, 1), MTR_DLMS_DAR_READ_WRITE_DENIED, "role %d", roles[k]);
        cr_assert_eq(get_u8(70, OB_DC, 3), MTR_DC_CONNECTED, "the state is readable by role %d", roles[k]);
    }
    cr_assert(mtr_sim_relay(&R->sim, 0));
    cosem_rig_assoc(R, PUBLIC);
    cr_assert_eq(cosem_rig_get(R, 70, OB_DC, 4), MTR_DLMS_DAR_READ_WRITE_DENIED, "public: no control mode");
}

Test(cosem_control, a_relay_object_drives_its_own_channel, .init = setup, .fini = teardown)
{
    closed_in_mode(0, 2);
    closed_in_mode(1, 2);
    cosem_rig_assoc(R, MGMT);
    cr_assert_eq(act0(70, OB_DC1, 1), 0);
    cr_assert_eq(mtr_disconnect_state(&R->dc, 1), MTR_DC_DISCONNECTED);
    cr_assert_not(mtr_sim_relay(&R->sim, 1));
    cr_assert_eq(mtr_disconnect_state(&R->dc, 0), MTR_DC_CONNECTED, "the main breaker stays");
    cr_assert(mtr_sim_relay(&R->sim, 0));
}

Test(cosem_control, the_script_table_disconnects_and_the_schedule_is_empty, .init = setup, .fini = teardown)
{
    const uint8_t script1[3] = {MTR_DLMS_LONG_UNSIGNED, 0, 1};
    const uint8_t script7[3] = {MTR_DLMS_LONG_UNSIGNED, 0, 7};
    const uint8_t empty[2] = {MTR_DLMS_ARRAY, 0};
    closed_in_mode(0, 2);
    cosem_rig_assoc(R, MGMT);
    cr_assert_eq(cosem_rig_action(R, 9, OB_DCSCRIPT, 1, script7, sizeof script7), MTR_DLMS_DAR_SCOPE_VIOLATED);
    cr_assert(mtr_sim_relay(&R->sim, 0));
    cr_assert_eq(cosem_rig_action(R, 9, OB_DCSCRIPT, 1, script1, sizeof script1), 0);
    cr_assert_not(mtr_sim_relay(&R->sim, 0));
    cr_assert_eq(cosem_rig_get(R, 9, OB_DCSCRIPT, 2), 0);
    cr_assert(R->val_len > 20 && R->val[0] == MTR_DLMS_ARRAY && R->val[1] == 2);
    cr_assert_eq(cosem_rig_get(R, 22, OB_DCSCHED, 4), 0);
    cr_assert(R->val_len == 2 && memcmp(R->val, empty, 2) == 0);
    cr_assert_eq(cosem_rig_set(R, 22, OB_DCSCHED, 4, empty, sizeof empty), MTR_DLMS_DAR_READ_WRITE_DENIED);
}

/* ================================================================ limiter */

Test(cosem_control, limiter_thresholds_read_back_and_refuse_out_of_range, .init = setup, .fini = teardown)
{
    struct mtr_dc_limiter lim;
    const uint8_t text[4] = {MTR_DLMS_VISIBLE_STRING, 2, '5', 'k'};
    static const uint8_t monitored[15] = {0x02, 0x03, 0x12, 0x00, 0x03, 0x09, 0x06, 1, 0, 1, 7, 0, 255,
                                          0x0F, 0x02};

    cosem_rig_assoc(R, MGMT);
    cr_assert_eq(get_i64(71, OB_LIMITER, 4), MTR_DC_LIMIT_MAX_MW);
    cr_assert_eq(cosem_rig_get(R, 71, OB_LIMITER, 2), 0);
    cr_assert(R->val_len == sizeof monitored && memcmp(R->val, monitored, sizeof monitored) == 0,
              "monitored value: 1-0:1.7.0.255 attribute 2");

    cr_assert_eq(set_u32(71, OB_LIMITER, 4, 5000000), 0, "5 kW, in mW");
    cr_assert_eq(get_i64(71, OB_LIMITER, 4), 5000000);
    mtr_disconnect_limiter_get(&R->dc, &lim);
    cr_assert_eq(lim.normal_mw, 5000000);
    cosem_rig_run(R, 2000, 100); /* the limiter takes the threshold at its next second */
    cr_assert_eq(get_i64(71, OB_LIMITER, 3), 5000000, "threshold_active is the normal one");

    struct mtr_disconnect before = R->dc;
    cr_assert_eq(set_u32(71, OB_LIMITER, 4, 80000000), MTR_DLMS_DAR_OTHER, "80 kW > 75 kW");
    cr_assert_eq(set_u32(71, OB_LIMITER, 5, 999999), MTR_DLMS_DAR_OTHER, "below 1 kW");
    cr_assert_eq(cosem_rig_set(R, 71, OB_LIMITER, 4, text, sizeof text), MTR_DLMS_DAR_TYPE_UNMATCHED);
    cr_assert_eq(set_u32(71, OB_LIMITER, 6, 90000), MTR_DLMS_DAR_OTHER, "over a day");
    cr_assert_eq(set_u32(71, OB_LIMITER, 3, 5000000), MTR_DLMS_DAR_READ_WRITE_DENIED, "threshold_active");
    cr_assert_eq(memcmp(&before, &R->dc, sizeof before), 0, "nothing changed");
    cr_assert_eq(get_i64(71, OB_LIMITER, 4), 5000000);

    cr_assert_eq(set_u32(71, OB_LIMITER, 6, 120), 0);
    cr_assert_eq(set_u32(71, OB_LIMITER, 7, 60), 0);
    cr_assert_eq(get_u32(71, OB_LIMITER, 6), 120);
    cr_assert_eq(get_u32(71, OB_LIMITER, 7), 60);
    mtr_disconnect_limiter_get(&R->dc, &lim);
    cr_assert(lim.min_over_s == 120 && lim.min_under_s == 60);
}

Test(cosem_control, an_unset_emergency_profile_time_is_not_specified, .init = setup, .fini = teardown)
{
    /* date-time with every field not specified, deviation 0x8000 (Blue Book) */
    static const uint8_t never[12] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x80, 0x00, 0xFF};
    struct mtr_dc_emergency ep;
    cosem_rig_assoc(R, MGMT);
    mtr_disconnect_emergency_get(&R->dc, &ep);
    cr_assert_eq(ep.activation_utc, 0, "the engine's default: never");
    cr_assert_eq(cosem_rig_get(R, 71, OB_LIMITER, 8), 0);
    cr_assert(R->val_len == 2 + 3 + 14 + 5 && R->val[5] == MTR_DLMS_OCTET_STRING && R->val[6] == 12);
    cr_assert(memcmp(R->val + 7, never, 12) == 0, "not 1970-01-01");
}

Test(cosem_control, limiter_settings_by_role, .init = setup, .fini = teardown)
{
    cosem_rig_assoc(R, L3);
    cr_assert_eq(set_u32(71, OB_LIMITER, 5, 6000000), 0, "level 3 sets the thresholds");
    cr_assert_eq(get_i64(71, OB_LIMITER, 5), 6000000);
    cosem_rig_assoc(R, L1);
    cr_assert_eq(set_u32(71, OB_LIMITER, 5, 7000000), MTR_DLMS_DAR_READ_WRITE_DENIED);
    cr_assert_eq(get_i64(71, OB_LIMITER, 5), 6000000);
    cosem_rig_assoc(R, PUBLIC);
    cr_assert_eq(cosem_rig_get(R, 71, OB_LIMITER, 4), MTR_DLMS_DAR_READ_WRITE_DENIED);
}

Test(cosem_control, emergency_profile_and_groups, .init = setup, .fini = teardown)
{
    /* {id 5, activation 2026-03-02 00:00:00 UTC (deviation 0), duration 3600 s} */
    const uint8_t ep[] = {0x02, 0x03, 0x12, 0x00, 0x05, 0x09, 0x0C, 0x07, 0xEA, 3, 2, 1, 0, 0, 0, 0, 0x00, 0x00,
                          0x00, 0x06, 0x00, 0x00, 0x0E, 0x10};
    const uint8_t groups[] = {0x01, 0x01, 0x12, 0x00, 0x00};
    const uint8_t too_many[] = {0x01, 0x05, 0x12, 0, 1, 0x12, 0, 2, 0x12, 0, 3, 0x12, 0, 4, 0x12, 0, 5};

    cosem_rig_assoc(R, MGMT);
    cr_assert_eq(get_u8(71, OB_LIMITER, 10), 0);
    cr_assert_eq(cosem_rig_set(R, 71, OB_LIMITER, 8, ep, sizeof ep), 0);
    cr_assert_eq(cosem_rig_set(R, 71, OB_LIMITER, 9, groups, sizeof groups), 0);
    cr_assert_eq(get_u8(71, OB_LIMITER, 10), 1, "this meter's group 0 listed, now in the window");
    cr_assert_eq(cosem_rig_get(R, 71, OB_LIMITER, 8), 0);
    cr_assert_eq(R->val_len, sizeof ep);
    cr_assert_eq(memcmp(R->val, ep, 5), 0, "id");
    cr_assert_eq(memcmp(R->val + 7, ep + 7, 4), 0, "date");
    cr_assert_eq(memcmp(R->val + 19, ep + 19, 5), 0, "duration");
    cr_assert_eq(cosem_rig_get(R, 71, OB_LIMITER, 9), 0);
    cr_assert(R->val_len == sizeof groups && memcmp(R->val, groups, sizeof groups) == 0);
    cr_assert_eq(cosem_rig_set(R, 71, OB_LIMITER, 9, too_many, sizeof too_many), MTR_DLMS_DAR_OTHER);
    cr_assert_eq(cosem_rig_get(R, 71, OB_LIMITER, 9), 0);
    cr_assert(R->val_len == sizeof groups && memcmp(R->val, groups, sizeof groups) == 0, "unchanged");
}

#endif /* MTR_WITH_DISCONNECT */

#if MTR_WITH_PREPAID

/* ================================================================ prepaid */

/* The seed's activation value (prepaid.json): {prepayment mode, account active}. */
static const uint8_t ACTIVATE[6] = {0x02, 0x02, 0x16, 0x02, 0x16, 0x02};

/* A currency credit token (STS class 0, subclass 4) of @p units, fresh TID. */
static void make_token(uint32_t units, uint8_t p[22])
{
    struct cosem_ctl_ext *x = ctl(R);
    uint16_t field;
    uint32_t rep;
    struct mtr_sts_token t;
    char digits[21];
    cr_assert_eq(mtr_sts_amount_encode(units, &field, &rep), MTR_OK);
    cr_assert_eq(rep, units);
    memset(&t, 0, sizeof t);
    t.cls = MTR_STS_CLASS_CREDIT;
    t.subclass = 4;
    t.rnd = (uint8_t)(x->tid & 15u);
    t.tid = x->tid++;
    t.field = field;
    cr_assert_eq(mtr_sts_encode(&x->ciph, CTL_DK, &t, digits), MTR_OK);
    p[0] = MTR_DLMS_OCTET_STRING;
    p[1] = 20;
    memcpy(p + 2, digits, 20);
}

/* GET of a money amount: double-long (Blue Book classes 111..113). */
static int32_t get_money(uint16_t cls, const uint8_t obis[6], uint8_t attr)
{
    int dar = cosem_rig_get(R, cls, obis, attr);
    cr_assert_eq(dar, 0, "GET attr %u answered %d", attr, dar);
    cr_assert_eq(R->val_len, 5);
    cr_assert_eq(R->val[0], MTR_DLMS_DOUBLE_LONG);
    return (int32_t)(uint32_t)be(R->val + 1, 4);
}

static int64_t credit_over_dlms(void)
{
    return get_money(112, OB_CREDIT, 2);
}

Test(cosem_control, the_seed_activation_value_activates_the_account, .init = setup, .fini = teardown)
{
    const uint8_t bad[6] = {0x02, 0x02, 0x16, 0x03, 0x16, 0x02};
    struct mtr_prepaid *pp = &ctl(R)->pp;
    cosem_rig_assoc(R, MGMT);
    cr_assert_eq(mtr_prepaid_account(pp), MTR_PREPAID_ACCOUNT_NEW);
    cr_assert_eq(cosem_rig_set(R, 111, OB_ACCOUNT, 2, bad, sizeof bad), MTR_DLMS_DAR_OTHER, "mode 3");
    cr_assert_eq(mtr_prepaid_account(pp), MTR_PREPAID_ACCOUNT_NEW);
    cr_assert_eq(cosem_rig_set(R, 111, OB_ACCOUNT, 2, ACTIVATE, sizeof ACTIVATE), 0);
    cr_assert_eq(mtr_prepaid_account(pp), MTR_PREPAID_ACCOUNT_ACTIVE);
    cr_assert_eq(mtr_prepaid_mode(pp), MTR_PREPAID_MODE_PREPAYMENT);
    cr_assert_eq(cosem_rig_get(R, 111, OB_ACCOUNT, 2), 0);
    cr_assert(R->val_len == sizeof ACTIVATE && memcmp(R->val, ACTIVATE, sizeof ACTIVATE) == 0);
    cosem_rig_assoc(R, L3);
    cr_assert_eq(cosem_rig_action(R, 111, OB_ACCOUNT, 2, INT0, sizeof INT0), MTR_DLMS_DAR_READ_WRITE_DENIED);
    cr_assert_eq(mtr_prepaid_account(pp), MTR_PREPAID_ACCOUNT_ACTIVE);
}

Test(cosem_control, a_token_entered_over_dlms_raises_the_credit_once, .init = setup, .fini = teardown)
{
    struct mtr_prepaid *pp = &ctl(R)->pp;
    uint8_t p[22];

    cosem_rig_assoc(R, MGMT);
    cr_assert_eq(cosem_rig_set(R, 111, OB_ACCOUNT, 2, ACTIVATE, sizeof ACTIVATE), 0);
    int64_t before = mtr_prepaid_credit_amount(pp, MTR_PREPAID_CREDIT_TOKEN);
    cr_assert_eq(credit_over_dlms(), before);
    make_token(500, p);

    cr_assert_eq(cosem_rig_action(R, 115, OB_TOKEN_GW, 1, p, sizeof p), 0);
    cr_assert_eq(R->val_len, 7, "token_status {status_code, data_value}");
    cr_assert(R->val[0] == 0x02 && R->val[1] == 0x02 && R->val[2] == MTR_DLMS_ENUM);
    cr_assert_eq(R->val[3], MTR_PREPAID_GW_EXECUTION_OK);
    cr_assert(R->val[4] == MTR_DLMS_BIT_STRING && R->val[5] == 8);
    cr_assert_eq(R->val[6], MTR_STS_ACCEPTED);
    int64_t after = mtr_prepaid_credit_amount(pp, MTR_PREPAID_CREDIT_TOKEN);
    cr_assert_eq(after - before, 500, "500 currency units, token scale 1");
    cr_assert_eq(credit_over_dlms(), after);

    /* the same token again: refused, the credit stays */
    cr_assert_eq(cosem_rig_action(R, 115, OB_TOKEN_GW, 1, p, sizeof p), 0);
    cr_assert_neq(R->val[3], MTR_PREPAID_GW_EXECUTION_OK);
    cr_assert_eq(R->val[6], MTR_STS_REJECT_USED);
    cr_assert_eq(mtr_prepaid_credit_amount(pp, MTR_PREPAID_CREDIT_TOKEN), after);

    /* only the management client delivers tokens */
    make_token(10, p);
    cosem_rig_assoc(R, L3);
    cr_assert_eq(cosem_rig_action(R, 115, OB_TOKEN_GW, 1, p, sizeof p), MTR_DLMS_DAR_READ_WRITE_DENIED);
    cr_assert_eq(mtr_prepaid_credit_amount(pp, MTR_PREPAID_CREDIT_TOKEN), after);
}

/* GET attribute @p attr of the token gateway into R->val (success asserted). */
static void get_gw(uint8_t attr)
{
    int dar = cosem_rig_get(R, 115, OB_TOKEN_GW, attr);
    cr_assert_eq(dar, 0, "token gateway attr %u answered %d", attr, dar);
}

/* token_description: an array of one octet-string, the STS decoder's message for @p st. */
static void expect_description(enum mtr_sts_status st)
{
    const char *msg = mtr_sts_message(st);
    size_t n = strlen(msg);
    get_gw(4);
    cr_assert(R->val_len == 4 + n && R->val[0] == MTR_DLMS_ARRAY && R->val[1] == 1 &&
                  R->val[2] == MTR_DLMS_OCTET_STRING && R->val[3] == n && memcmp(R->val + 4, msg, n) == 0,
              "description \"%s\"", msg);
}

Test(cosem_control, the_token_gateway_keeps_the_last_token_and_its_status, .init = setup, .fini = teardown)
{
    const uint8_t empty_token[2] = {MTR_DLMS_OCTET_STRING, 0};
    const uint8_t no_desc[2] = {MTR_DLMS_ARRAY, 0};
    const uint8_t no_status[6] = {MTR_DLMS_STRUCTURE, 2, MTR_DLMS_ENUM, 0, MTR_DLMS_BIT_STRING, 0};
    const uint8_t remote[2] = {MTR_DLMS_ENUM, MTR_PREPAID_DELIVERY_REMOTE};
    const uint8_t too_long[2 + MTR_COSEM_TOKEN_MAX + 1] = {MTR_DLMS_VISIBLE_STRING, MTR_COSEM_TOKEN_MAX + 1};
    /* date-time with every field not specified, deviation 0x8000 (Blue Book 4.1.6.1) */
    const uint8_t unspecified[12] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x80, 0x00, 0xFF};
    uint8_t p[22], q[22], ret[16];
    size_t ret_len;

    cosem_rig_assoc(R, L1);
    /* before any token: empty token, time not specified, no description, remote */
    get_gw(2);
    cr_assert(R->val_len == 2 && memcmp(R->val, empty_token, 2) == 0);
    get_gw(3);
    cr_assert(R->val_len == 14 && R->val[0] == MTR_DLMS_OCTET_STRING && memcmp(R->val + 2, unspecified, 12) == 0,
              "token_time not specified");
    get_gw(4);
    cr_assert(R->val_len == 2 && memcmp(R->val, no_desc, 2) == 0);
    get_gw(5);
    cr_assert(R->val_len == 2 && memcmp(R->val, remote, 2) == 0);
    get_gw(6);
    cr_assert(R->val_len == sizeof no_status && memcmp(R->val, no_status, sizeof no_status) == 0);

    /* an accepted token: each attribute tells of it, token_status as enter returned it */
    cosem_rig_assoc(R, MGMT);
    cr_assert_eq(cosem_rig_set(R, 111, OB_ACCOUNT, 2, ACTIVATE, sizeof ACTIVATE), 0);
    make_token(250, p);
    mtr_utc_t at = R->sim.utc;
    cr_assert_eq(cosem_rig_action(R, 115, OB_TOKEN_GW, 1, p, sizeof p), 0);
    cr_assert_eq(R->val_len, 7);
    ret_len = R->val_len;
    memcpy(ret, R->val, ret_len);
    cosem_rig_assoc(R, L3);
    get_gw(2);
    cr_assert(R->val_len == 22 && R->val[0] == MTR_DLMS_OCTET_STRING && memcmp(R->val + 1, p + 1, 21) == 0,
              "the token as entered");
    get_gw(3);
    cr_assert(R->val_len == 14 && R->val[0] == MTR_DLMS_OCTET_STRING && R->val[1] == 12);
    struct mtr_dlms_datetime dt;
    cr_assert_eq(mtr_dlms_datetime_decode(R->val + 2, &dt), MTR_OK);
    /* the rig's clock: zone 0, no DST, so the local time is UTC */
    mtr_utc_t got = (mtr_utc_t)mtr_civil_days(dt.year, dt.month, dt.day) * 86400 + dt.hour * 3600 +
                    dt.minute * 60 + dt.second;
    cr_assert(got >= at && got <= at + 1, "token_time is when it was entered");
    expect_description(MTR_STS_ACCEPTED);
    get_gw(5);
    cr_assert(R->val_len == 2 && memcmp(R->val, remote, 2) == 0);
    get_gw(6);
    cr_assert(R->val_len == ret_len && memcmp(R->val, ret, ret_len) == 0, "token_status = the return data");
    cr_assert(R->val[3] == MTR_PREPAID_GW_EXECUTION_OK && R->val[6] == MTR_STS_ACCEPTED);

    /* a refused token (used before) is the last token too */
    cosem_rig_assoc(R, MGMT);
    cr_assert_eq(cosem_rig_action(R, 115, OB_TOKEN_GW, 1, p, sizeof p), 0);
    get_gw(6);
    cr_assert(R->val[3] != MTR_PREPAID_GW_EXECUTION_OK && R->val[5] == 8 && R->val[6] == MTR_STS_REJECT_USED);
    expect_description(MTR_STS_REJECT_USED);

    /* a parameter the gateway refuses (empty, too long, not a string) is no token: nothing changes */
    struct mtr_cosem before = R->cosem;
    cr_assert_eq(cosem_rig_action(R, 115, OB_TOKEN_GW, 1, empty_token, sizeof empty_token), MTR_DLMS_DAR_OTHER);
    cr_assert_eq(cosem_rig_action(R, 115, OB_TOKEN_GW, 1, too_long, sizeof too_long), MTR_DLMS_DAR_OTHER);
    cr_assert_eq(cosem_rig_action(R, 115, OB_TOKEN_GW, 1, INT0, sizeof INT0), MTR_DLMS_DAR_TYPE_UNMATCHED);
    cr_assert_eq(memcmp(&before.token, &R->cosem.token, sizeof before.token), 0);

    /* a second token as visible-string replaces the first */
    make_token(5, q);
    q[0] = MTR_DLMS_VISIBLE_STRING;
    cr_assert_eq(cosem_rig_action(R, 115, OB_TOKEN_GW, 1, q, sizeof q), 0);
    get_gw(2);
    cr_assert(R->val_len == 22 && R->val[0] == MTR_DLMS_OCTET_STRING && memcmp(R->val + 1, q + 1, 21) == 0);
    get_gw(6);
    cr_assert_eq(R->val[3], MTR_PREPAID_GW_EXECUTION_OK);

    /* the token is not public */
    cosem_rig_assoc(R, PUBLIC);
    for (uint8_t a = 2; a <= 6; a++) {
        cr_assert_eq(cosem_rig_get(R, 115, OB_TOKEN_GW, a), MTR_DLMS_DAR_READ_WRITE_DENIED);
    }
}

Test(cosem_control, a_malformed_token_parameter_changes_nothing, .init = setup, .fini = teardown)
{
    const uint8_t number[5] = {MTR_DLMS_DOUBLE_LONG_UNSIGNED, 0, 0, 0, 1};
    const uint8_t empty[2] = {MTR_DLMS_OCTET_STRING, 0};
    const uint8_t junk[22] = {MTR_DLMS_OCTET_STRING, 20, '1', '2', '3', '4', '5', '6', '7', '8', '9', '0',
                              '1', '2', '3', '4', '5', '6', '7', '8', '9', '0'};
    cosem_rig_assoc(R, MGMT);
    cr_assert_eq(cosem_rig_set(R, 111, OB_ACCOUNT, 2, ACTIVATE, sizeof ACTIVATE), 0);
    struct mtr_prepaid before = ctl(R)->pp;
    cr_assert_eq(cosem_rig_action(R, 115, OB_TOKEN_GW, 1, number, sizeof number), MTR_DLMS_DAR_TYPE_UNMATCHED);
    cr_assert_eq(cosem_rig_action(R, 115, OB_TOKEN_GW, 1, empty, sizeof empty), MTR_DLMS_DAR_OTHER);
    cr_assert_eq(cosem_rig_action(R, 115, OB_TOKEN_GW, 1, junk, sizeof junk), 0, "decoded and refused");
    cr_assert_neq(R->val[3], MTR_PREPAID_GW_EXECUTION_OK);
    cr_assert_eq(memcmp(&before.s.credit, &ctl(R)->pp.s.credit, sizeof before.s.credit), 0, "no credit");
}

Test(cosem_control, a_head_end_payment_and_a_tariff_price, .init = setup, .fini = teardown)
{
    struct mtr_prepaid *pp = &ctl(R)->pp;
    const uint8_t pay[5] = {MTR_DLMS_DOUBLE_LONG, 0, 0, 0x03, 0xE8};
    /* unit_charge: {{commodity_scale 3, price_scale -3}, {3, 1-0:1.8.1.255, 2}, [{"\x01", 1234}]} */
    const uint8_t uc[] = {0x02, 0x03, 0x02, 0x02, 0x0F, 0x03, 0x0F, 0xFD, 0x02, 0x03, 0x12, 0x00, 0x03, 0x09,
                          0x06, 1, 0, 1, 8, 1, 255, 0x0F, 0x02, 0x01, 0x01, 0x02, 0x02, 0x09, 0x01, 0x01, 0x10,
                          0x04, 0xD2};
    cosem_rig_assoc(R, MGMT);
    cr_assert_eq(cosem_rig_set(R, 111, OB_ACCOUNT, 2, ACTIVATE, sizeof ACTIVATE), 0);
    cr_assert_eq(cosem_rig_action(R, 112, OB_CREDIT, 1, pay, sizeof pay), 0, "update_amount 1000");
    cr_assert_eq(mtr_prepaid_credit_amount(pp, MTR_PREPAID_CREDIT_TOKEN), 1000);

    cr_assert_eq(cosem_rig_set(R, 113, OB_CHARGE1, 6, uc, sizeof uc), 0, "passive price of tariff 1");
    cr_assert_eq(cosem_rig_get(R, 113, OB_CHARGE1, 6), 0);
    cr_assert(R->val_len == sizeof uc && memcmp(R->val, uc, sizeof uc) == 0, "reads back");
    cr_assert_eq(mtr_prepaid_active_charge(pp)->tariff[0], 0, "not active yet");
    cr_assert_eq(act0(113, OB_CHARGE1, 2), 0, "activate_passive_unit_charge");
    cr_assert_eq(mtr_prepaid_active_charge(pp)->tariff[0], 1234, "1.234 minor units per kWh");
    cr_assert_eq(cosem_rig_get(R, 113, OB_CHARGE1, 5), 0);
    cr_assert(R->val_len == sizeof uc && memcmp(R->val, uc, sizeof uc) == 0);
}

Test(cosem_control, money_amounts_are_double_long_saturated, .init = setup, .fini = teardown)
{
    struct mtr_prepaid *pp = &ctl(R)->pp;
    struct mtr_prepaid_credit_cfg cfg, before;
    const uint8_t lim[5] = {MTR_DLMS_DOUBLE_LONG, 0, 0, 0x27, 0x10};
    const uint8_t big[9] = {MTR_DLMS_LONG64, 0, 0, 0, 0, 0x80, 0, 0, 0};
    const uint8_t neg[5] = {MTR_DLMS_DOUBLE_LONG, 0xFF, 0xFF, 0xFF, 0x9C};
    static const uint8_t acc[] = {5, 6, 7, 8, 16};
    static const uint8_t cre[] = {2, 5, 6, 9, 10};
    static const uint8_t cha[] = {2, 11, 12};

    cosem_rig_assoc(R, MGMT);
    for (unsigned k = 0; k < sizeof acc; k++) {
        (void)get_money(111, OB_ACCOUNT, acc[k]);
    }
    for (unsigned k = 0; k < sizeof cre; k++) {
        (void)get_money(112, OB_CREDIT, cre[k]);
    }
    for (unsigned k = 0; k < sizeof cha; k++) {
        (void)get_money(113, OB_CHARGE1, cha[k]);
    }
    cr_assert_eq(cosem_rig_set(R, 112, OB_CREDIT, 6, lim, sizeof lim), 0, "limit 10000");
    cr_assert_eq(get_money(112, OB_CREDIT, 6), 10000);
    cr_assert_eq(cosem_rig_set(R, 111, OB_ACCOUNT, 16, neg, sizeof neg), 0, "low credit -100");
    cr_assert_eq(get_money(111, OB_ACCOUNT, 16), -100);
    mtr_prepaid_credit_config(pp, MTR_PREPAID_CREDIT_TOKEN, &before);
    cr_assert_neq(cosem_rig_set(R, 112, OB_CREDIT, 6, big, sizeof big), 0, "2^31 is beyond double-long");
    mtr_prepaid_credit_config(pp, MTR_PREPAID_CREDIT_TOKEN, &cfg);
    cr_assert(memcmp(&cfg, &before, sizeof cfg) == 0, "refused: nothing changed");
    cr_assert_eq(get_money(112, OB_CREDIT, 6), 10000);

    /* an engine amount beyond int32 reads saturated */
    cfg.limit = (int64_t)INT32_MAX + 5;
    if (mtr_prepaid_set_credit(pp, MTR_PREPAID_CREDIT_TOKEN, &cfg) == MTR_OK) {
        cr_assert_eq(get_money(112, OB_CREDIT, 6), INT32_MAX);
    }
}

Test(cosem_control, credit_bit_strings_have_their_blue_book_lengths, .init = setup, .fini = teardown)
{
    struct mtr_prepaid_credit_cfg cfg;
    cosem_rig_assoc(R, MGMT);
    mtr_prepaid_credit_config(&ctl(R)->pp, MTR_PREPAID_CREDIT_TOKEN, &cfg);
    cr_assert_eq(cosem_rig_get(R, 112, OB_CREDIT, 7), 0);
    cr_assert(R->val_len == 3 && R->val[0] == MTR_DLMS_BIT_STRING && R->val[1] == 5, "credit_configuration: 5 bits");
    cr_assert_eq(R->val[2] & 0x07u, 0, "padding bits are 0");
    cr_assert_eq(cosem_rig_set(R, 112, OB_CREDIT, 7, R->val, R->val_len), 0, "reads back as written");
    cr_assert_eq(cosem_rig_get(R, 113, OB_CHARGE1, 9), 0);
    cr_assert(R->val_len == 3 && R->val[0] == MTR_DLMS_BIT_STRING && R->val[1] == 2, "charge_configuration: 2 bits");
}

Test(cosem_control, current_credit_in_use_indexes_the_credit_reference_list, .init = setup, .fini = teardown)
{
    struct mtr_prepaid *pp = &ctl(R)->pp;
    struct mtr_prepaid_credit_cfg cfg;
    struct mtr_prepaid_token_result res;
    cosem_rig_assoc(R, MGMT);
    cr_assert_eq(cosem_rig_set(R, 111, OB_ACCOUNT, 2, ACTIVATE, sizeof ACTIVATE), 0);
    mtr_prepaid_credit_config(pp, MTR_PREPAID_CREDIT_RESERVED, &cfg);
    cfg.priority = 2;
    cr_assert_eq(mtr_prepaid_set_credit(pp, MTR_PREPAID_CREDIT_RESERVED, &cfg), MTR_OK);
    cr_assert_eq(mtr_prepaid_payment(pp, MTR_PREPAID_CREDIT_RESERVED, 100, T0, &res), MTR_OK);
    cr_assert_eq(mtr_prepaid_credit_status(pp, MTR_PREPAID_CREDIT_TOKEN), MTR_PREPAID_CS_CONSUMED);
    cr_assert_eq(mtr_prepaid_credit_status(pp, MTR_PREPAID_CREDIT_RESERVED), MTR_PREPAID_CS_IN_USE);
    cr_assert_eq(get_u8(111, OB_ACCOUNT, 3), 2, "credit_reference_list[2] is the reserved credit 0-0:19.10.2.255");
    cr_assert_eq(cosem_rig_get(R, 111, OB_ACCOUNT, 9), 0);
    cr_assert_eq(R->val[2 + 2 * 8 + 6], 2, "entry 2 of the list: e = 2");
    cr_assert_eq(cosem_rig_get(R, 112, (const uint8_t[6]){0, 0, 19, 10, 2, 255}, 3), 0);
    cr_assert_eq(R->val[1], MTR_PREPAID_CREDIT_RESERVED, "its credit_type");
}

Test(cosem_control, account_configuration_and_next_credit_threshold, .init = setup, .fini = teardown)
{
    static const uint8_t gw[] = {0x01, 0x01, 0x02, 0x02, 0x09, 0x06, 0, 0, 19, 10, 0, 255, 0x11, 100};
    const uint8_t next[5] = {MTR_DLMS_DOUBLE_LONG, 0, 0, 0x01, 0xF4};
    int64_t low = -1, nx = -1;
    cosem_rig_assoc(R, MGMT);
    cr_assert_eq(cosem_rig_get(R, 111, OB_ACCOUNT, 12), 0);
    cr_assert(R->val_len == sizeof gw && memcmp(R->val, gw, sizeof gw) == 0, "tokens: 100 %% to the main credit");
    cr_assert_eq(cosem_rig_get(R, 111, OB_ACCOUNT, 11), 0);
    cr_assert(R->val[0] == MTR_DLMS_ARRAY && R->val[1] >= 1 && R->val[2] == 0x02 && R->val[3] == 3);
    cr_assert(R->val[20] == MTR_DLMS_BIT_STRING && R->val[21] == 3, "collection_configuration: 3 bits");
    cr_assert_eq(get_money(111, OB_ACCOUNT, 17), 0);
    cr_assert_eq(cosem_rig_set(R, 111, OB_ACCOUNT, 17, next, sizeof next), 0);
    cr_assert_eq(get_money(111, OB_ACCOUNT, 17), 500);
    mtr_prepaid_thresholds(&ctl(R)->pp, &low, &nx);
    cr_assert(low == 0 && nx == 500, "attribute 16 kept");
    cosem_rig_assoc(R, L3);
    cr_assert_eq(cosem_rig_set(R, 111, OB_ACCOUNT, 17, next, sizeof next), MTR_DLMS_DAR_READ_WRITE_DENIED);
}

#endif /* MTR_WITH_PREPAID */

#if MTR_WITH_EVENTS

/* ================================================================ error and alarm registers */

Test(cosem_control, the_error_register_is_read_and_cleared_by_writing_zero, .init = setup, .fini = teardown)
{
    struct mtr_events *ev = &ctl(R)->ev;
    uint16_t ev10;
    cr_assert_eq(mtr_events_find(10, NULL, &ev10), MTR_OK);
    cr_assert_eq(mtr_events_error_set(ev, 0x00000101u, T0), MTR_OK);
    cosem_rig_assoc(R, MGMT);
    cr_assert_eq(get_u32(1, OB_ERROR, 2), 0x00000101u);
    cr_assert_eq(set_u32(1, OB_ERROR, 2, 5), MTR_DLMS_DAR_OTHER, "only 0 clears");
    cr_assert_eq(mtr_events_error(ev), 0x00000101u);
    cr_assert_eq(set_u32(1, OB_ERROR, 2, 0), 0);
    cr_assert_eq(mtr_events_error(ev), 0);
    cr_assert_eq(get_u32(1, OB_ERROR, 2), 0);
    cr_assert_eq(mtr_events_code_count(ev, ev10), 1, "\"Error register cleared\" raised");

    cosem_rig_assoc(R, PUBLIC);
    cr_assert_eq(cosem_rig_get(R, 1, OB_ERROR, 2), MTR_DLMS_DAR_READ_WRITE_DENIED);
    cosem_rig_assoc(R, L3);
    cr_assert_eq(set_u32(1, OB_ERROR, 2, 0), MTR_DLMS_DAR_READ_WRITE_DENIED, "management clears");
}

Test(cosem_control, alarm_register_cleared_by_writing_back_and_filter_set, .init = setup, .fini = teardown)
{
    struct mtr_events *ev = &ctl(R)->ev;
    cosem_rig_assoc(R, MGMT);
    cr_assert_eq(mtr_events_alarm_set(ev, 1, 0x00000003u, T0), MTR_OK);
    cr_assert_eq(get_u32(1, OB_ALARM1, 2), 3);
    cr_assert_eq(set_u32(1, OB_ALARM1, 2, 1), 0, "acknowledge bit 0");
    cr_assert_eq(get_u32(1, OB_ALARM1, 2), 2);
    cr_assert_eq(mtr_events_alarm(ev, 1), 2);

    cosem_rig_assoc(R, L3);
    cr_assert_eq(set_u32(1, OB_FILTER1, 2, 0x00000001u), 0, "level 3 sets the filter");
    cr_assert_eq(get_u32(1, OB_FILTER1, 2), 1);
    cr_assert_eq(mtr_events_filter(ev, 1), 1);
    cr_assert_eq(set_u32(1, OB_FILTER1, 2, 0x00000004u), MTR_DLMS_DAR_OTHER, "a reserved bit");
    cr_assert_eq(mtr_events_filter(ev, 1), 1);
    /* bit 1 is masked now: the descriptor latches it, the register does not take it */
    cr_assert_eq(mtr_events_alarm_write(ev, 1, MTR_EVENTS_ALARM1_VALID, T0), MTR_OK);
    cr_assert_eq(mtr_events_alarm_set(ev, 1, 0x00000002u, T0), MTR_OK);
    cr_assert_eq(get_u32(1, OB_ALARM1, 2), 0);
    cr_assert_eq(get_u32(1, OB_DESC1, 2) & 2u, 2);
    cr_assert_eq(set_u32(1, OB_ALARM1, 2, 0), MTR_DLMS_DAR_READ_WRITE_DENIED, "management acknowledges");
}

Test(cosem_control, the_alarm_monitor_watches_its_register, .init = setup, .fini = teardown)
{
    static const uint8_t monitored[] = {0x02, 0x03, 0x12, 0x00, 0x01, 0x09, 0x06, 0, 0, 97, 98, 0, 255, 0x0F, 0x02};
    cosem_rig_assoc(R, L1);
    cr_assert_eq(cosem_rig_get(R, 21, OB_MONITOR1, 3), 0);
    cr_assert(R->val_len == sizeof monitored && memcmp(R->val, monitored, sizeof monitored) == 0);
    cr_assert_eq(cosem_rig_get(R, 21, OB_MONITOR1, 2), 0);
    cr_assert(R->val[0] == MTR_DLMS_ARRAY && R->val[1] == 1);
}

Test(cosem_control, the_alarm_monitor_actions_name_the_push_script_table, .init = setup, .fini = teardown)
{
    /* [{action_up {0-0:10.0.108.255, 4}, action_down {0-0:10.0.108.255, 0}}] */
    static const uint8_t actions[] = {0x01, 0x01, 0x02, 0x02, 0x02, 0x02, 0x09, 0x06, 0, 0, 10, 0, 108, 255,
                                      0x12, 0x00, 0x04, 0x02, 0x02, 0x09, 0x06, 0, 0, 10, 0, 108, 255, 0x12,
                                      0x00, 0x00};
    cosem_rig_assoc(R, L1);
    cr_assert_eq(cosem_rig_get(R, 21, OB_MONITOR1, 4), 0);
    cr_assert(R->val_len == sizeof actions && memcmp(R->val, actions, sizeof actions) == 0);
}

#endif /* MTR_WITH_EVENTS */

#if MTR_WITH_QUALITY

/* ================================================================ quality thresholds */

Test(cosem_control, quality_thresholds_in_volts_with_validation, .init = setup, .fini = teardown)
{
    static const uint8_t sag[6] = {1, 0, 12, 31, 0, 255};
    static const uint8_t scaler_unit[6] = {0x02, 0x02, 0x0F, 0xFD, 0x16, 35};
    struct mtr_quality *q = &ctl(R)->q;
    cosem_rig_assoc(R, L3);
    cr_assert_eq(get_u32(3, sag, 2), 184000, "0.8 Un of 230 V, mV");
    cr_assert_eq(cosem_rig_get(R, 3, sag, 3), 0);
    cr_assert(R->val_len == sizeof scaler_unit && memcmp(R->val, scaler_unit, sizeof scaler_unit) == 0);
    cr_assert_eq(set_u32(3, sag, 2, 195500), 0, "0.85 Un");
    cr_assert_eq(mtr_quality_threshold_mv(q, MTR_QUALITY_THR_SAG), 195500);
    cr_assert_eq(set_u32(3, sag, 2, 3000000), MTR_DLMS_DAR_OTHER);
    cr_assert_eq(get_u32(3, sag, 2), 195500);
    cosem_rig_assoc(R, L1);
    cr_assert_eq(set_u32(3, sag, 2, 184000), MTR_DLMS_DAR_READ_WRITE_DENIED);
}

#endif /* MTR_WITH_QUALITY */
