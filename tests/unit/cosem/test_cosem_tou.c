/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Time of use and billing over COSEM: activity calendar, special days,
 * register activation, tariffication and end-of-billing scripts, the
 * billing schedule.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "cosem_rig.h"
#include "cosem_value.h"

#define T0 ((mtr_utc_t)1709251200) /* 2024-03-01T00:00:00Z: T1 until 06:00 */

static const uint8_t CAL[6] = {0, 0, 13, 0, 0, 255};
static const uint8_t SPECIAL[6] = {0, 0, 11, 0, 0, 255};
static const uint8_t ACT_ENERGY[6] = {0, 0, 14, 0, 1, 255};
static const uint8_t ACT_DEMAND[6] = {0, 0, 14, 0, 2, 255};
static const uint8_t TARIFF_SCRIPTS[6] = {0, 0, 10, 0, 100, 255};
static const uint8_t BILLING_SCRIPTS[6] = {0, 0, 10, 0, 1, 255};
static const uint8_t BILLING_SCHEDULE[6] = {0, 0, 15, 0, 0, 255};

/* day_profile_table: @p n days; day k has id ids[k] and one switch per
 * pair (hour, tariff) of sw[8k..8k+7], ending at a 0 tariff. */
static void days_value(struct cosem_val *v, int n, const uint8_t *ids, const uint8_t *sw)
{
    cv_reset(v);
    cv_tag_len(v, MTR_DLMS_ARRAY, (size_t)n);
    for (int k = 0; k < n; k++) {
        int m = 0;
        while (m < 4 && sw[8 * k + 2 * m + 1] != 0) {
            m++;
        }
        cv_tag_len(v, MTR_DLMS_STRUCTURE, 2);
        cv_uint(v, MTR_DLMS_UNSIGNED, ids[k]);
        cv_tag_len(v, MTR_DLMS_ARRAY, (size_t)m);
        for (int i = 0; i < m; i++) {
            const uint8_t tm[4] = {sw[8 * k + 2 * i], 0, 0, 0};
            cv_tag_len(v, MTR_DLMS_STRUCTURE, 3);
            cv_bytes(v, MTR_DLMS_OCTET_STRING, tm, 4);
            cv_bytes(v, MTR_DLMS_OCTET_STRING, TARIFF_SCRIPTS, 6);
            cv_uint(v, MTR_DLMS_LONG_UNSIGNED, sw[8 * k + 2 * i + 1]);
        }
    }
}

/* week_profile_table: one week @p id, every weekday day @p day. */
static void week_value(struct cosem_val *v, uint8_t id, uint8_t day)
{
    cv_reset(v);
    cv_tag_len(v, MTR_DLMS_ARRAY, 1);
    cv_tag_len(v, MTR_DLMS_STRUCTURE, 8);
    cv_bytes(v, MTR_DLMS_OCTET_STRING, &id, 1);
    for (int d = 0; d < 7; d++) {
        cv_uint(v, MTR_DLMS_UNSIGNED, day);
    }
}

/* season_profile: one season from 01-01 with week @p week. */
static void season_value(struct cosem_val *v, uint8_t week)
{
    const uint8_t start[12] = {0xFF, 0xFF, 1, 1, 0xFF, 0, 0, 0, 0xFF, 0x80, 0x00, 0xFF};
    cv_reset(v);
    cv_tag_len(v, MTR_DLMS_ARRAY, 1);
    cv_tag_len(v, MTR_DLMS_STRUCTURE, 3);
    cv_bytes(v, MTR_DLMS_OCTET_STRING, "S1", 2);
    cv_bytes(v, MTR_DLMS_OCTET_STRING, start, 12);
    cv_bytes(v, MTR_DLMS_OCTET_STRING, &week, 1);
}

static uint8_t tariff_now(struct cosem_rig *r)
{
    cr_assert_eq(cosem_rig_get(r, 6, ACT_ENERGY, 4), 0);
    cr_assert(r->val_len == 4 && r->val[0] == MTR_DLMS_OCTET_STRING && r->val[1] == 2);
    return r->val[3];
}

Test(cosem_tou, active_calendar_reads_the_engine)
{
    struct cosem_rig *r = cosem_rig_new(T0);
    static struct tokens tk;
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL1);
    cr_assert_eq(cosem_rig_get(r, 20, CAL, 5), 0);
    tokens_of(r->val, r->val_len, &tk);
    /* array(1) { struct { day_id 1, array(3) { struct {time, LN, selector} ... } } } */
    cr_assert(tk.t[0].tag == MTR_DLMS_ARRAY && tk.t[0].count == 1);
    cr_assert_eq(tok_uint(&tk.t[2], MTR_DLMS_UNSIGNED), 1);
    cr_assert(tk.t[3].tag == MTR_DLMS_ARRAY && tk.t[3].count == 3);
    for (int k = 0; k < 3; k++) {
        const struct mtr_dlms_axdr_token *s = &tk.t[4 + 4 * k];
        static const uint8_t hour[3] = {0, 6, 18};
        cr_assert(s[1].tag == MTR_DLMS_OCTET_STRING && s[1].value_len == 4 && s[1].value[0] == hour[k]);
        cr_assert(s[2].value_len == 6 && memcmp(s[2].value, TARIFF_SCRIPTS, 6) == 0);
        cr_assert_eq(tok_uint(&s[3], MTR_DLMS_LONG_UNSIGNED), (uint64_t)k + 1);
    }
    cr_assert_eq(cosem_rig_get(r, 20, CAL, 3), 0);
    tokens_of(r->val, r->val_len, &tk);
    cr_assert(tk.t[0].count == 1 && tk.t[3].value_len == 12 && tk.t[3].value[2] == 1 && tk.t[3].value[3] == 1,
              "one season from 01-01");
    /* name: CRC-32 of the content, the same for the identical passive copy */
    cr_assert_eq(cosem_rig_get(r, 20, CAL, 2), 0);
    uint8_t name[6];
    cr_assert_eq(r->val_len, 6);
    memcpy(name, r->val, 6);
    cr_assert_eq(cosem_rig_get(r, 20, CAL, 6), 0);
    cr_assert(memcmp(name, r->val, 6) == 0);
    cr_assert_eq(cosem_rig_get(r, 20, CAL, 10), 0);
    cr_assert(r->val_len == 14 && r->val[2] == 0xFF && r->val[3] == 0xFF, "activation: never (not specified)");
    cr_assert_eq(tariff_now(r), 1);
    cosem_rig_free(r);
}

Test(cosem_tou, a_refused_calendar_write_changes_nothing)
{
    struct cosem_rig *r = cosem_rig_new(T0);
    static struct mtr_calendar cal;
    static struct mtr_cosem cm;
    static struct cosem_val v;
    const uint8_t ids[2] = {1, 1};
    const uint8_t good[2][8] = {{0, 1, 12, 2}, {0, 3}};

    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL2);
    memcpy(&cal, &r->cal, sizeof cal);
    memcpy(&cm, &r->cosem, sizeof cm);
    days_value(&v, 2, ids, &good[0][0]); /* duplicate day_id */
    cr_assert_neq(cosem_rig_set(r, 20, CAL, 9, v.b, v.n), 0);
    const uint8_t ids2[1] = {2};
    const uint8_t tariff99[1][8] = {{0, 1, 12, 99}};
    days_value(&v, 1, ids2, &tariff99[0][0]); /* no tariff 99 */
    cr_assert_neq(cosem_rig_set(r, 20, CAL, 9, v.b, v.n), 0);
    const uint8_t order[1][8] = {{12, 1, 6, 2}};
    days_value(&v, 1, ids2, &order[0][0]); /* switches out of order */
    cr_assert_neq(cosem_rig_set(r, 20, CAL, 9, v.b, v.n), 0);
    const uint8_t hour25[1][8] = {{25, 1}};
    days_value(&v, 1, ids2, &hour25[0][0]);
    cr_assert_neq(cosem_rig_set(r, 20, CAL, 9, v.b, v.n), 0);
    /* a season on 02-29 */
    season_value(&v, 1);
    v.b[13] = 2;
    v.b[14] = 29;
    cr_assert_neq(cosem_rig_set(r, 20, CAL, 7, v.b, v.n), 0);
    /* wrong shapes */
    cr_assert_neq(cosem_rig_set(r, 20, CAL, 8, (const uint8_t[]){MTR_DLMS_UNSIGNED, 1}, 2), 0);
    cr_assert_neq(cosem_rig_set(r, 20, CAL, 10, (const uint8_t[]){MTR_DLMS_OCTET_STRING, 1, 0}, 3), 0);
    /* a level 1 client may not write the calendar at all */
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL1);
    days_value(&v, 1, ids2, &good[0][0]);
    cr_assert_eq(cosem_rig_set(r, 20, CAL, 9, v.b, v.n), MTR_DLMS_DAR_READ_WRITE_DENIED);
    cr_assert(memcmp(&cal, &r->cal, sizeof cal) == 0, "calendar unchanged");
    cr_assert(memcmp(&cm, &r->cosem, sizeof cm) == 0, "nothing staged");
    cosem_rig_free(r);
}

/* Program a passive calendar "always T4" (day 2, week 2) by parts, as a head-end does. */
static void program_t4(struct cosem_rig *r)
{
    static struct cosem_val v;
    const uint8_t ids[1] = {2};
    const uint8_t t4[1][8] = {{0, 4}};
    const struct mtr_tou *before = mtr_calendar_passive(&r->cal);
    uint8_t before_days = before->day[0].id;

    days_value(&v, 1, ids, &t4[0][0]);
    cr_assert_eq(cosem_rig_set(r, 20, CAL, 9, v.b, v.n), 0, "day profiles");
    /* staged: the passive weeks still name day 1; the engine's passive is unchanged */
    cr_assert(r->cosem.tou_staged);
    cr_assert_eq(mtr_calendar_passive(&r->cal)->day[0].id, before_days);
    cr_assert_eq(cosem_rig_get(r, 20, CAL, 9), 0);
    cr_assert(r->val_len > 6 && r->val[5] == 2, "the passive attribute reads the written days");
    week_value(&v, 2, 2);
    cr_assert_eq(cosem_rig_set(r, 20, CAL, 8, v.b, v.n), 0, "week profiles");
    cr_assert(r->cosem.tou_staged, "the season still names week 1");
    season_value(&v, 2);
    cr_assert_eq(cosem_rig_set(r, 20, CAL, 7, v.b, v.n), 0, "seasons");
    cr_assert(!r->cosem.tou_staged, "whole: handed to the calendar");
    const struct mtr_tou *p = mtr_calendar_passive(&r->cal);
    cr_assert(p->n_days == 1 && p->day[0].id == 2 && p->day[0].sw[0].tariff == 4);
    cr_assert(p->n_weeks == 1 && p->week[0].id == 2 && p->n_seasons == 1 && p->season[0].week == 2);
}

Test(cosem_tou, tou_change_switches_the_tariff_at_the_activation_time)
{
    struct cosem_rig *r = cosem_rig_new(T0);
    static struct cosem_val v;
    uint8_t at[12];

    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL2);
    uint32_t programmed = cosem_rig_count(r, MTR_CAL_EV_PASSIVE_PROGRAMMED);
    program_t4(r);
    cr_assert_eq(cosem_rig_count(r, MTR_CAL_EV_PASSIVE_PROGRAMMED), programmed + 1);
    dt_bytes(at, 2024, 3, 1, 1, 0, 0, 0); /* 01:00 UTC */
    cv_reset(&v);
    cv_bytes(&v, MTR_DLMS_OCTET_STRING, at, 12);
    cr_assert_eq(cosem_rig_set(r, 20, CAL, 10, v.b, v.n), 0);
    mtr_utc_t when;
    (void)mtr_calendar_control(&r->cal, &when);
    cr_assert_eq(when, T0 + 3600);
    cr_assert_eq(cosem_rig_get(r, 20, CAL, 10), 0);
    cr_assert(r->val_len == 14 && memcmp(r->val + 2, at, 4) == 0 && r->val[7] == 1, "activation reads back");

    cosem_rig_run(r, 3500u * 1000u, 1000); /* 00:58 */
    cr_assert_eq(tariff_now(r), 1);
    int64_t t4 = mtr_registers_tariff(mtr_tariff_registers(&r->trf), MTR_Q_A_IMP, 4);
    cr_assert_eq(t4, 0);
    cosem_rig_run(r, 600u * 1000u, 1000); /* 01:08 */
    cr_assert_eq(tariff_now(r), 4, "the new calendar is active");
    cr_assert_eq(mtr_calendar_active(&r->cal)->day[0].sw[0].tariff, 4);
    cr_assert_eq(cosem_rig_count(r, MTR_CAL_EV_TOU_ACTIVATED), 1);
    cr_assert_gt(mtr_registers_tariff(mtr_tariff_registers(&r->trf), MTR_Q_A_IMP, 4), 0, "energy in T4");
    /* the register of T4 over COSEM */
    const uint8_t e4[6] = {1, 0, 1, 8, 4, 255};
    cr_assert_eq(cosem_rig_get(r, 3, e4, 2), 0);
    cr_assert_eq((int64_t)val_uint(r, MTR_DLMS_LONG64_UNSIGNED),
                 mtr_registers_tariff(mtr_tariff_registers(&r->trf), MTR_Q_A_IMP, 4));
    /* persisted by the aggregate */
    struct mtr_meter_wiring w;
    mtr_meter_wiring(&r->meter, &w);
    cr_assert_gt(w.calendar_commits, 0);
    cosem_rig_free(r);
}

Test(cosem_tou, activate_passive_calendar_method)
{
    struct cosem_rig *r = cosem_rig_new(T0);
    static struct cosem_val v;
    const uint8_t zero[2] = {MTR_DLMS_INTEGER, 0};
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL1);
    cr_assert_eq(cosem_rig_action(r, 20, CAL, 1, zero, 2), MTR_DLMS_DAR_READ_WRITE_DENIED);
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL2);
    /* while the written calendar is not whole, activation is refused */
    const uint8_t ids[1] = {2};
    const uint8_t t4[1][8] = {{0, 4}};
    days_value(&v, 1, ids, &t4[0][0]);
    cr_assert_eq(cosem_rig_set(r, 20, CAL, 9, v.b, v.n), 0);
    cr_assert_neq(cosem_rig_action(r, 20, CAL, 1, zero, 2), 0);
    cr_assert_eq(mtr_calendar_active(&r->cal)->day[0].id, 1);
    week_value(&v, 2, 2);
    cr_assert_eq(cosem_rig_set(r, 20, CAL, 8, v.b, v.n), 0);
    season_value(&v, 2);
    cr_assert_eq(cosem_rig_set(r, 20, CAL, 7, v.b, v.n), 0);
    cr_assert_eq(cosem_rig_action(r, 20, CAL, 1, zero, 2), 0);
    cr_assert_eq(mtr_calendar_active(&r->cal)->day[0].id, 2);
    cosem_rig_run(r, 2000, 1000);
    cr_assert_eq(tariff_now(r), 4);
    cosem_rig_free(r);
}

Test(cosem_tou, day_profiles_in_blocks)
{
    struct cosem_rig *r = cosem_rig_new(T0);
    static struct cosem_val v;
    static uint8_t ids[MTR_CFG_CALENDAR_DAYS];
    static uint8_t sw[MTR_CFG_CALENDAR_DAYS][8];
    for (int k = 0; k < MTR_CFG_CALENDAR_DAYS; k++) {
        ids[k] = (uint8_t)(10 + k);
        const uint8_t s[8] = {0, 1, 7, 2, 12, 3, 20, (uint8_t)(1 + k % MTR_CFG_TARIFFS)};
        memcpy(sw[k], s, 8);
    }
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL3);
    days_value(&v, MTR_CFG_CALENDAR_DAYS, ids, &sw[0][0]);
    cr_assert_gt(v.n, 512, "larger than the PDU: SET in blocks");
    cr_assert_eq(cosem_rig_set(r, 20, CAL, 9, v.b, v.n), 0);
    cr_assert_eq(cosem_rig_get(r, 20, CAL, 9), 0);
    cr_assert_gt(r->blocks, 1, "GET in blocks");
    cr_assert_eq(r->val_len, v.n);
    cr_assert(memcmp(r->val, v.b, v.n) == 0, "the day profiles read back");
    cosem_rig_free(r);
}

Test(cosem_tou, special_days_insert_and_delete)
{
    struct cosem_rig *r = cosem_rig_new(T0);
    static struct tokens tk;
    const uint8_t xmas[] = {MTR_DLMS_STRUCTURE, 3, MTR_DLMS_LONG_UNSIGNED, 0, 7, MTR_DLMS_OCTET_STRING, 5,
                            0xFF, 0xFF, 12, 25, 0xFF, MTR_DLMS_UNSIGNED, 1};
    const uint8_t unknown_day[] = {MTR_DLMS_STRUCTURE, 3, MTR_DLMS_LONG_UNSIGNED, 0, 8, MTR_DLMS_OCTET_STRING, 5,
                                   0xFF, 0xFF, 12, 26, 0xFF, MTR_DLMS_UNSIGNED, 9};
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL1);
    cr_assert_eq(cosem_rig_action(r, 11, SPECIAL, 1, xmas, sizeof xmas), MTR_DLMS_DAR_READ_WRITE_DENIED);
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL2);
    cr_assert_eq(cosem_rig_action(r, 11, SPECIAL, 1, xmas, sizeof xmas), 0);
    cr_assert_neq(cosem_rig_action(r, 11, SPECIAL, 1, unknown_day, sizeof unknown_day), 0);
    cr_assert_eq(mtr_calendar_special_count(&r->cal), 1);
    cr_assert_eq(cosem_rig_get(r, 11, SPECIAL, 2), 0);
    tokens_of(r->val, r->val_len, &tk);
    cr_assert(tk.t[0].count == 1);
    cr_assert_eq(tok_uint(&tk.t[2], MTR_DLMS_LONG_UNSIGNED), 7);
    cr_assert(tk.t[3].value_len == 5 && memcmp(tk.t[3].value, xmas + 7, 5) == 0);
    cr_assert_eq(tok_uint(&tk.t[4], MTR_DLMS_UNSIGNED), 1);
    cr_assert_neq(cosem_rig_action(r, 11, SPECIAL, 2, (const uint8_t[]){MTR_DLMS_LONG_UNSIGNED, 0, 8}, 3), 0);
    cr_assert_eq(cosem_rig_action(r, 11, SPECIAL, 2, (const uint8_t[]){MTR_DLMS_LONG_UNSIGNED, 0, 7}, 3), 0);
    cr_assert_eq(mtr_calendar_special_count(&r->cal), 0);
    cosem_rig_free(r);
}

Test(cosem_tou, register_activation_lists_the_engine_masks)
{
    struct cosem_rig *r = cosem_rig_new(T0);
    static struct tokens tk;
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL1);
    cr_assert_eq(cosem_rig_get(r, 6, ACT_ENERGY, 2), 0);
    tokens_of(r->val, r->val_len, &tk);
    cr_assert_eq(tk.t[0].count, MTR_Q_COUNT * MTR_CFG_TARIFFS);
    /* entry 2: class 3, 1-0:1.8.2.255 */
    cr_assert_eq(tok_uint(&tk.t[1 + 3 + 1], MTR_DLMS_LONG_UNSIGNED), 3);
    cr_assert(memcmp(tk.t[1 + 3 + 2].value, (const uint8_t[]){1, 0, 1, 8, 2, 255}, 6) == 0);
    cr_assert_eq(cosem_rig_get(r, 6, ACT_ENERGY, 3), 0);
    tokens_of(r->val, r->val_len, &tk);
    cr_assert_eq(tk.t[0].count, MTR_CFG_TARIFFS);
    /* mask "00 02" selects entry 2 of each quantity */
    const struct mtr_dlms_axdr_token *m2 = &tk.t[1 + (3 + MTR_Q_COUNT)];
    cr_assert(m2[1].value_len == 2 && m2[1].value[1] == 2);
    cr_assert_eq(tok_uint(&m2[3], MTR_DLMS_UNSIGNED), 2);
    cr_assert_eq(tok_uint(&m2[4], MTR_DLMS_UNSIGNED), MTR_CFG_TARIFFS + 2);
    cr_assert_eq(cosem_rig_get(r, 6, ACT_DEMAND, 2), 0);
    tokens_of(r->val, r->val_len, &tk);
    cr_assert_eq(tk.t[0].count, MTR_DEMAND_QUANTITIES * MTR_CFG_TARIFFS);
    cr_assert_eq(tok_uint(&tk.t[2], MTR_DLMS_LONG_UNSIGNED), 4, "maximum demand registers: class 4");
    cosem_rig_free(r);
}

Test(cosem_tou, tariffication_script_selects_the_tariff_under_external_control)
{
    struct cosem_rig *r = cosem_rig_new(T0);
    static struct mtr_calendar cal;
    const uint8_t t4[3] = {MTR_DLMS_LONG_UNSIGNED, 0, 4};
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL2);
    memcpy(&cal, &r->cal, sizeof cal);
    cr_assert_neq(cosem_rig_action(r, 9, TARIFF_SCRIPTS, 1, t4, 3), 0, "the calendar decides");
    cr_assert_neq(cosem_rig_action(r, 9, TARIFF_SCRIPTS, 1, (const uint8_t[]){MTR_DLMS_LONG_UNSIGNED, 0, 99}, 3),
                  0);
    cr_assert(memcmp(&cal, &r->cal, sizeof cal) == 0);
    cr_assert_eq(mtr_calendar_set_control(&r->cal, MTR_TARIFF_BY_INPUTS, NULL, T0), MTR_OK);
    cr_assert_eq(cosem_rig_action(r, 9, TARIFF_SCRIPTS, 1, t4, 3), 0);
    cosem_rig_run(r, 60000, 1000);
    cr_assert_eq(tariff_now(r), 4);
    cr_assert_gt(mtr_registers_tariff(mtr_tariff_registers(&r->trf), MTR_Q_A_IMP, 4), 0);
    /* the script table describes script 4 */
    static struct tokens tk;
    cr_assert_eq(cosem_rig_get(r, 9, TARIFF_SCRIPTS, 2), 0);
    tokens_of(r->val, r->val_len, &tk);
    cr_assert_eq(tk.t[0].count, MTR_CFG_TARIFFS);
    cosem_rig_free(r);
}

Test(cosem_tou, end_of_billing_script_closes_a_billing_period)
{
    struct cosem_rig *r = cosem_rig_new(T0);
    const uint8_t one[3] = {MTR_DLMS_LONG_UNSIGNED, 0, 1};
    uint32_t count = mtr_tariff_billing_count(&r->trf);
    uint32_t bills = r->nbills;
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL2);
    cr_assert_eq(cosem_rig_action(r, 9, BILLING_SCRIPTS, 1, one, 3), MTR_DLMS_DAR_READ_WRITE_DENIED);
    cr_assert_eq(mtr_tariff_billing_count(&r->trf), count);
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL3);
    cr_assert_neq(cosem_rig_action(r, 9, BILLING_SCRIPTS, 1, (const uint8_t[]){MTR_DLMS_LONG_UNSIGNED, 0, 2}, 3),
                  0, "no script 2");
    cr_assert_eq(mtr_tariff_billing_count(&r->trf), count);
    struct mtr_meter_wiring w0, w1;
    mtr_meter_wiring(&r->meter, &w0);
    cr_assert_eq(cosem_rig_action(r, 9, BILLING_SCRIPTS, 1, one, 3), 0);
    cr_assert_eq(mtr_tariff_billing_count(&r->trf), count + 1);
    cr_assert_eq(r->nbills, bills + 1, "billing captured");
    cr_assert_eq(cosem_rig_count(r, MTR_BILLING_EV_REMOTE), 1, "remote billing capture event");
    cosem_rig_run(r, 2000, 1000);
    mtr_meter_wiring(&r->meter, &w1);
    cr_assert_gt(w1.commits, w0.commits, "the billing end is committed");
    const uint8_t counter[6] = {1, 0, 0, 1, 0, 255};
    cr_assert_eq(cosem_rig_get(r, 1, counter, 2), 0);
    cr_assert_eq(val_uint(r, MTR_DLMS_DOUBLE_LONG_UNSIGNED), count + 1);
    cosem_rig_free(r);
}

Test(cosem_tou, billing_schedule_is_the_tariff_engine_schedule)
{
    struct cosem_rig *r = cosem_rig_new(T0);
    static struct tokens tk;
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL1);
    cr_assert_eq(cosem_rig_get(r, 22, BILLING_SCHEDULE, 2), 0);
    tokens_of(r->val, r->val_len, &tk);
    cr_assert(tk.t[1].value_len == 6 && memcmp(tk.t[1].value, BILLING_SCRIPTS, 6) == 0);
    cr_assert_eq(tok_uint(&tk.t[2], MTR_DLMS_LONG_UNSIGNED), 1);
    cr_assert_eq(cosem_rig_get(r, 22, BILLING_SCHEDULE, 4), 0);
    tokens_of(r->val, r->val_len, &tk);
    /* the rig bills on day 1 of every month at 00:00 */
    cr_assert_eq(tk.t[0].count, 1);
    cr_assert(tk.t[2].value_len == 4 && tk.t[2].value[0] == 0 && tk.t[2].value[1] == 0);
    cr_assert(tk.t[3].value_len == 5 && memcmp(tk.t[3].value, (const uint8_t[]){0xFF, 0xFF, 0xFF, 1, 0xFF}, 5) == 0);
    cosem_rig_free(r);
}

/* mask_list of an activation object: tariff t selects register shift[t - 1] (1-based) of every quantity. */
static void mask_list_value(struct cosem_val *v, unsigned nq, const uint8_t *reg)
{
    cv_reset(v);
    cv_tag_len(v, MTR_DLMS_ARRAY, MTR_CFG_TARIFFS);
    for (unsigned t = 1; t <= MTR_CFG_TARIFFS; t++) {
        const uint8_t name[2] = {0, (uint8_t)t};
        cv_tag_len(v, MTR_DLMS_STRUCTURE, 2);
        cv_bytes(v, MTR_DLMS_OCTET_STRING, name, 2);
        cv_tag_len(v, MTR_DLMS_ARRAY, nq);
        for (unsigned q = 0; q < nq; q++) {
            cv_uint(v, MTR_DLMS_UNSIGNED, q * MTR_CFG_TARIFFS + reg[t - 1]);
        }
    }
}

/* A SET refused with @p dar that leaves the calendar engine as it was. */
static void refused_cal(struct cosem_rig *r, const uint8_t obis[6], uint8_t attr, const struct cosem_val *v,
                        int dar, const char *what)
{
    static struct mtr_calendar before;
    memcpy(&before, &r->cal, sizeof before);
    cr_assert_eq(cosem_rig_set(r, 6, obis, attr, v->b, v->n), dar, "%s", what);
    cr_assert_eq(memcmp(&before, &r->cal, sizeof before), 0, "%s changed the calendar", what);
}

Test(cosem_tou, mask_list_written_validated_and_kept_over_a_restart)
{
    struct cosem_rig *r = cosem_rig_new(T0);
    static struct cosem_val v, bad;
    static uint8_t written[COSEM_RIG_VALUE_MAX];
    uint8_t reg[MTR_CFG_TARIFFS];
    for (unsigned t = 0; t < MTR_CFG_TARIFFS; t++) {
        reg[t] = (uint8_t)((t + 1u) % MTR_CFG_TARIFFS + 1u); /* T1 -> register 2, ..., Tn -> register 1 */
    }
    mask_list_value(&v, MTR_Q_COUNT, reg);
    memcpy(written, v.b, v.n);

    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL1);
    refused_cal(r, ACT_ENERGY, 3, &v, MTR_DLMS_DAR_READ_WRITE_DENIED, "level 1 writes the TOU");
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL2);
    refused_cal(r, ACT_ENERGY, 2, &v, MTR_DLMS_DAR_READ_WRITE_DENIED, "register_assignment is fixed");

    /* refused values: other-reason (250) or type-unmatched (12), nothing changed */
    uint8_t twice[MTR_CFG_TARIFFS];
    memcpy(twice, reg, sizeof twice);
    cv_reset(&bad);
    cv_tag_len(&bad, MTR_DLMS_ARRAY, MTR_CFG_TARIFFS - 1); /* one tariff left out */
    for (unsigned t = 1; t < MTR_CFG_TARIFFS; t++) {
        const uint8_t name[2] = {0, (uint8_t)t};
        cv_tag_len(&bad, MTR_DLMS_STRUCTURE, 2);
        cv_bytes(&bad, MTR_DLMS_OCTET_STRING, name, 2);
        cv_tag_len(&bad, MTR_DLMS_ARRAY, MTR_Q_COUNT);
        for (unsigned q = 0; q < MTR_Q_COUNT; q++) {
            cv_uint(&bad, MTR_DLMS_UNSIGNED, q * MTR_CFG_TARIFFS + 1u);
        }
    }
    refused_cal(r, ACT_ENERGY, 3, &bad, MTR_DLMS_DAR_OTHER, "a tariff left out");
    mask_list_value(&bad, MTR_Q_COUNT, twice);
    bad.b[2 + 2 + 3] = 1; /* entry 1 names... */
    size_t entry = 2 + 4 + 2 + 2 * MTR_Q_COUNT; /* bytes of one mask entry */
    bad.b[2 + entry + 2 + 3] = 1; /* ...and entry 2 names tariff 1 too */
    refused_cal(r, ACT_ENERGY, 3, &bad, MTR_DLMS_DAR_OTHER, "a tariff named twice");
    mask_list_value(&bad, MTR_Q_COUNT, reg);
    bad.b[2 + 2 + 4 + 2 + 2 * 1 + 1] = (uint8_t)(MTR_CFG_TARIFFS + 3); /* quantity 2 to another register */
    refused_cal(r, ACT_ENERGY, 3, &bad, MTR_DLMS_DAR_OTHER, "quantities to different registers");
    mask_list_value(&bad, MTR_Q_COUNT, reg);
    bad.b[2 + 2 + 4 + 2 + 1] = 0; /* index 0: no such register */
    refused_cal(r, ACT_ENERGY, 3, &bad, MTR_DLMS_DAR_OTHER, "index 0");
    mask_list_value(&bad, MTR_Q_COUNT - 1, reg);
    refused_cal(r, ACT_ENERGY, 3, &bad, MTR_DLMS_DAR_OTHER, "an index list too short");
    mask_list_value(&bad, MTR_Q_COUNT, reg);
    bad.b[2 + 2 + 4 + 2] = MTR_DLMS_INTEGER; /* an integer where the index is unsigned */
    refused_cal(r, ACT_ENERGY, 3, &bad, MTR_DLMS_DAR_TYPE_UNMATCHED, "index of the wrong type");
    cv_reset(&bad);
    cv_uint(&bad, MTR_DLMS_UNSIGNED, 1);
    refused_cal(r, ACT_ENERGY, 3, &bad, MTR_DLMS_DAR_TYPE_UNMATCHED, "not an array");

    /* a valid list: read back equal, in the engine, in force at the next step */
    struct mtr_meter_wiring w0, w1;
    mtr_meter_wiring(&r->meter, &w0);
    cr_assert_eq(cosem_rig_set(r, 6, ACT_ENERGY, 3, v.b, v.n), 0);
    mtr_meter_wiring(&r->meter, &w1);
    cr_assert_gt(w1.calendar_commits, w0.calendar_commits, "committed with the calendar record");
    cr_assert_eq(cosem_rig_get(r, 6, ACT_ENERGY, 3), 0);
    cr_assert(r->val_len == v.n && memcmp(r->val, written, v.n) == 0, "reads back what was written");
    for (uint8_t t = 1; t <= MTR_CFG_TARIFFS; t++) {
        struct mtr_tariff_masks m;
        cr_assert(mtr_calendar_masks(&r->cal, t, &m));
        cr_assert_eq(m.energy, 1u << (reg[t - 1] - 1u), "T%u energy mask", t);
        cr_assert_eq(m.demand, 1u << (t - 1u), "T%u demand mask kept", t);
    }
    int64_t t1 = mtr_registers_tariff(mtr_tariff_registers(&r->trf), MTR_Q_A_IMP, 1);
    int64_t t2 = mtr_registers_tariff(mtr_tariff_registers(&r->trf), MTR_Q_A_IMP, 2);
    cosem_rig_run(r, 10000, 1000);
    cr_assert_eq(tariff_now(r), 1, "tariff 1 until 06:00");
    cr_assert_eq(mtr_registers_tariff(mtr_tariff_registers(&r->trf), MTR_Q_A_IMP, 1), t1, "T1 no longer counts");
    cr_assert_gt(mtr_registers_tariff(mtr_tariff_registers(&r->trf), MTR_Q_A_IMP, 2), t2, "tariff 1 counts in T2");

    /* the demand object writes the demand masks only */
    uint8_t dreg[MTR_CFG_TARIFFS];
    memset(dreg, 1, sizeof dreg);
    mask_list_value(&bad, MTR_DEMAND_QUANTITIES, dreg);
    cr_assert_eq(cosem_rig_set(r, 6, ACT_DEMAND, 3, bad.b, bad.n), 0);
    cr_assert_eq(cosem_rig_get(r, 6, ACT_DEMAND, 3), 0);
    cr_assert(r->val_len == bad.n && memcmp(r->val, bad.b, bad.n) == 0);
    struct mtr_tariff_masks m3;
    cr_assert(mtr_calendar_masks(&r->cal, 3, &m3));
    cr_assert(m3.demand == 1u && m3.energy == 1u << (reg[2] - 1u));

    /* kept over a restart */
    cosem_rig_reboot(r);
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL1);
    cr_assert_eq(cosem_rig_get(r, 6, ACT_ENERGY, 3), 0);
    cr_assert(r->val_len == v.n && memcmp(r->val, written, v.n) == 0, "energy masks after the restart");
    cr_assert_eq(cosem_rig_get(r, 6, ACT_DEMAND, 3), 0);
    cr_assert(r->val_len == bad.n && memcmp(r->val, bad.b, bad.n) == 0, "demand masks after the restart");
    cosem_rig_free(r);
}

/* execution_time with one entry at @p h:@p m on day @p day of month @p month (0xFF: every month). */
static void exec_time_value(struct cosem_val *v, uint8_t h, uint8_t m, uint8_t month, uint8_t day)
{
    const uint8_t tm[4] = {h, m, 0, 0};
    const uint8_t date[5] = {0xFF, 0xFF, month, day, 0xFF};
    cv_reset(v);
    cv_tag_len(v, MTR_DLMS_ARRAY, 1);
    cv_tag_len(v, MTR_DLMS_STRUCTURE, 2);
    cv_bytes(v, MTR_DLMS_OCTET_STRING, tm, 4);
    cv_bytes(v, MTR_DLMS_OCTET_STRING, date, 5);
}

static void refused_trf(struct cosem_rig *r, const struct cosem_val *v, int dar, const char *what)
{
    static struct mtr_tariff before;
    memcpy(&before, &r->trf, sizeof before);
    cr_assert_eq(cosem_rig_set(r, 22, BILLING_SCHEDULE, 4, v->b, v->n), dar, "%s", what);
    cr_assert_eq(memcmp(&before, &r->trf, sizeof before), 0, "%s changed the tariff engine", what);
}

Test(cosem_tou, billing_schedule_written_validated_and_kept_over_a_restart)
{
    struct cosem_rig *r = cosem_rig_new(T0);
    static struct cosem_val v, bad;
    static uint8_t written[64];
    exec_time_value(&v, 6, 30, 0xFF, 15); /* every month, the 15th at 06:30 */
    memcpy(written, v.b, v.n);

    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL2);
    refused_trf(r, &v, MTR_DLMS_DAR_READ_WRITE_DENIED, "level 2 sets no billing schedule");
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL3);
    const struct {
        uint8_t at, val;
        const char *what;
    } BAD[] = {
        /* value: 01 01 02 02 | 09 04 hh mm ss cc | 09 05 yy yy MM DD wd */
        {6, 24, "hour 24"},  {7, 60, "minute 60"}, {8, 30, "seconds"},  {9, 7, "hundredths"},
        {12, 0x07, "a year"}, {14, 13, "month 13"}, {14, 0, "month 0"}, {15, 0, "day 0"},
        {15, 32, "day 32"},  {15, 0xFE, "last day of the month"},        {16, 5, "a weekday"},
    };
    for (size_t k = 0; k < sizeof BAD / sizeof BAD[0]; k++) {
        bad = v;
        bad.b[BAD[k].at] = BAD[k].val;
        refused_trf(r, &bad, MTR_DLMS_DAR_OTHER, BAD[k].what);
    }
    cv_reset(&bad);
    cv_tag_len(&bad, MTR_DLMS_ARRAY, 2); /* two execution times: type 1 has one */
    for (int k = 0; k < 2; k++) {
        memcpy(bad.b + bad.n, v.b + 2, v.n - 2);
        bad.n += v.n - 2;
    }
    refused_trf(r, &bad, MTR_DLMS_DAR_OTHER, "two execution times");
    bad = v;
    bad.b[4] = MTR_DLMS_VISIBLE_STRING; /* the time as a visible-string */
    refused_trf(r, &bad, MTR_DLMS_DAR_TYPE_UNMATCHED, "a time that is no octet-string");
    bad = v;
    bad.b[0] = MTR_DLMS_STRUCTURE;
    refused_trf(r, &bad, MTR_DLMS_DAR_TYPE_UNMATCHED, "a structure for the array");

    /* valid: read back equal, the engine's schedule, committed at once */
    struct mtr_meter_wiring w0, w1;
    mtr_meter_wiring(&r->meter, &w0);
    cr_assert_eq(cosem_rig_set(r, 22, BILLING_SCHEDULE, 4, v.b, v.n), 0);
    mtr_meter_wiring(&r->meter, &w1);
    cr_assert_gt(w1.commits, w0.commits, "the register snapshot is committed");
    cr_assert_eq(cosem_rig_get(r, 22, BILLING_SCHEDULE, 4), 0);
    cr_assert(r->val_len == v.n && memcmp(r->val, written, v.n) == 0, "reads back what was written");
    struct mtr_billing_schedule s;
    mtr_tariff_billing_schedule(&r->trf, &s);
    cr_assert(s.enabled && s.month == 0 && s.day == 15 && s.hour == 6 && s.minute == 30);

    /* kept over a restart, and it ends the period on the 15th at 06:30 */
    cosem_rig_reboot(r);
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL1);
    cr_assert_eq(cosem_rig_get(r, 22, BILLING_SCHEDULE, 4), 0);
    cr_assert(r->val_len == v.n && memcmp(r->val, written, v.n) == 0, "after the restart");
    uint32_t count = mtr_tariff_billing_count(&r->trf);
    mtr_sim_set_utc(&r->sim, T0 + 14 * 86400 + 6 * 3600 + 29 * 60); /* 2024-03-15 06:29 */
    cosem_rig_run(r, 30000, 1000);
    cr_assert_eq(mtr_tariff_billing_count(&r->trf), count, "not before 06:30");
    cosem_rig_run(r, 60000, 1000);
    cr_assert_eq(mtr_tariff_billing_count(&r->trf), count + 1, "06:30 on the 15th ends the period");

    /* an empty execution_time stops the schedule */
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL3);
    const uint8_t none[2] = {MTR_DLMS_ARRAY, 0};
    cr_assert_eq(cosem_rig_set(r, 22, BILLING_SCHEDULE, 4, none, 2), 0);
    cr_assert_eq(cosem_rig_get(r, 22, BILLING_SCHEDULE, 4), 0);
    cr_assert(r->val_len == 2 && memcmp(r->val, none, 2) == 0);
    mtr_sim_set_utc(&r->sim, T0 + (31 + 14) * 86400 + 7 * 3600); /* 2024-04-15 07:00 */
    cosem_rig_run(r, 3000, 1000);
    cr_assert_eq(mtr_tariff_billing_count(&r->trf), count + 1, "no end while stopped");
    cosem_rig_free(r);
}
