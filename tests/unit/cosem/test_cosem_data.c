/* SPDX-License-Identifier: Apache-2.0 */
/* Registers over COSEM hold the engines' values: energy, demand, instantaneous values. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "cosem_rig.h"
#include "cosem_value.h"

#define T0 ((mtr_utc_t)1709251200) /* 2024-03-01T00:00:00Z, tariff T1 until 06:00 */

static void ln(uint8_t out[6], uint8_t a, uint8_t c, uint8_t d, uint8_t e)
{
    const uint8_t v[6] = {a, 0, c, d, e, 255};
    memcpy(out, v, 6);
}

Test(cosem_data, every_energy_register_is_the_tariff_engine_register)
{
    struct cosem_rig *r = cosem_rig_new(T0 + 6 * 3600 - 600); /* 05:50 */
    uint16_t n;
    const struct mtr_dlms_obj *t = mtr_cosem_table(&n);
    unsigned checked = 0;

    cosem_rig_run(r, 1200000u, 1000); /* into T2 (06:00) */
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL1);
    const struct mtr_registers *reg = mtr_tariff_registers(&r->trf);
    cr_assert_gt(mtr_registers_total(reg, MTR_Q_A_IMP), 0, "load registered");
    cr_assert_gt(mtr_registers_tariff(reg, MTR_Q_A_IMP, 2), 0, "T2 registered");
    for (uint16_t k = 0; k < n; k++) {
        if (t[k].class_id != 3 || t[k].obis[0] != 1 || t[k].obis[3] != 8) {
            continue;
        }
        unsigned c = t[k].obis[2], e = t[k].obis[4];
        unsigned q = c == 15 ? MTR_Q_A_IMP : c - 1u;
        int64_t want = e == 0 ? mtr_registers_total(reg, q) : mtr_registers_tariff(reg, q, e);
        if (c == 15) { /* |A| = +A + -A */
            want += e == 0 ? mtr_registers_total(reg, MTR_Q_A_EXP) : mtr_registers_tariff(reg, MTR_Q_A_EXP, e);
        }
        cr_assert_eq(cosem_rig_get(r, 3, t[k].obis, 2), 0);
        cr_expect_eq((int64_t)val_uint(r, MTR_DLMS_LONG64_UNSIGNED), want, "%s", mtr_cosem_object_name(k));
        int s;
        unsigned u;
        cr_assert_eq(cosem_rig_get(r, 3, t[k].obis, 3), 0);
        val_scaler_unit(r, &s, &u);
        cr_expect_eq(s, -3, "mWh exact: scaler -3");
        cr_expect_eq(u, q < 2 ? 30u : q < 8 ? 32u : 31u, "Wh, varh, VAh");
        checked++;
    }
    cr_assert_eq(checked, (MTR_Q_COUNT + 1) * (1 + MTR_CFG_TARIFFS));
    cosem_rig_free(r);
}

Test(cosem_data, energy_registers_cannot_be_reset)
{
    struct cosem_rig *r = cosem_rig_new(T0);
    uint8_t o[6];
    ln(o, 1, 1, 8, 0);
    cosem_rig_run(r, 60000, 1000);
    int64_t before = mtr_registers_total(mtr_tariff_registers(&r->trf), MTR_Q_A_IMP);
    for (int role = 0; role < MTR_COSEM_ROLES; role++) {
        cosem_rig_assoc(r, role);
        cr_expect_eq(cosem_rig_action(r, 3, o, 1, (const uint8_t[]){0x0F, 0x00}, 2),
                     MTR_DLMS_DAR_READ_WRITE_DENIED);
        cr_expect_eq(cosem_rig_set(r, 3, o, 2, (const uint8_t[]){0x15, 0, 0, 0, 0, 0, 0, 0, 0}, 9),
                     MTR_DLMS_DAR_READ_WRITE_DENIED);
    }
    cr_assert_eq(mtr_registers_total(mtr_tariff_registers(&r->trf), MTR_Q_A_IMP), before);
    cosem_rig_free(r);
}

Test(cosem_data, public_reads_no_register)
{
    struct cosem_rig *r = cosem_rig_new(T0);
    uint8_t o[6];
    ln(o, 1, 1, 8, 0);
    cosem_rig_assoc(r, MTR_COSEM_ROLE_PUBLIC);
    cr_assert_eq(cosem_rig_get(r, 3, o, 2), MTR_DLMS_DAR_READ_WRITE_DENIED);
    ln(o, 1, 32, 7, 0);
    cr_assert_eq(cosem_rig_get(r, 3, o, 2), MTR_DLMS_DAR_READ_WRITE_DENIED);
    cosem_rig_free(r);
}

/* Instantaneous value of (c, e) and its scaler/unit, as seen by level 1. */
static int64_t inst(struct cosem_rig *r, uint8_t c, uint8_t e, int scaler, unsigned unit)
{
    uint8_t o[6];
    int s;
    unsigned u;
    ln(o, 1, c, 7, e);
    cr_assert_eq(cosem_rig_get(r, 3, o, 3), 0, "1-0:%u.7.%u scaler_unit", c, e);
    val_scaler_unit(r, &s, &u);
    cr_expect_eq(s, scaler, "1-0:%u.7.%u scaler", c, e);
    cr_expect_eq(u, unit, "1-0:%u.7.%u unit", c, e);
    cr_assert_eq(cosem_rig_get(r, 3, o, 2), 0, "1-0:%u.7.%u value", c, e);
    struct tokens *tk = malloc(sizeof *tk);
    tokens_of(r->val, r->val_len, tk);
    int64_t v;
    if (mtr_dlms_axdr_get_int(&tk->t[0], &v) != MTR_OK) {
        v = (int64_t)tok_uint(&tk->t[0], tk->t[0].tag);
    }
    free(tk);
    return v;
}

Test(cosem_data, instantaneous_values_are_the_metrology_result)
{
    struct cosem_rig *r = cosem_rig_new(T0);
    struct mtr_metrology_result m;
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL1);
    cr_assert_eq(mtr_metrology_result(&r->metro, &m), MTR_OK);
    for (unsigned p = 0; p < MTR_CFG_PHASES; p++) {
        uint8_t b = (uint8_t)(20u * (p + 1u));
        cr_expect_eq(inst(r, b + 12, 0, -3, 35), m.ph[p].u_mv, "U L%u", p + 1);
        cr_expect_eq(inst(r, b + 11, 0, -3, 33), m.ph[p].i_ma, "I L%u", p + 1);
        cr_expect_eq(inst(r, b + 1, 0, -3, 27), m.ph[p].p_mw > 0 ? m.ph[p].p_mw : 0, "P+ L%u", p + 1);
        cr_expect_eq(inst(r, b + 3, 0, -3, 29), m.ph[p].q_mvar > 0 ? m.ph[p].q_mvar : 0, "Q+ L%u", p + 1);
        cr_expect_eq(inst(r, b + 13, 0, -4, 255), m.ph[p].pf, "PF L%u", p + 1);
#if MTR_CFG_HARMONICS
        cr_expect_eq(inst(r, b + 12, 124, -2, 56), m.ph[p].thd_u, "THD U L%u", p + 1);
#endif
    }
    /* the sim's default load: 230 V, 5 A, PF 0.9 lagging on each phase */
    cr_expect(m.ph[0].u_mv > 228000 && m.ph[0].u_mv < 232000, "U L1 %d mV", m.ph[0].u_mv);
    cr_expect_eq(inst(r, 1, 0, -3, 27), m.p_mw);
    cr_expect_eq(inst(r, 2, 0, -3, 27), 0, "no export");
    cr_expect_eq(inst(r, 9, 0, -3, 28), m.s_mva);
    cr_expect_eq(inst(r, 13, 0, -4, 255), m.pf);
    cr_expect_eq(inst(r, 14, 0, -3, 44), (int64_t)m.f_mhz);
    cr_expect(m.f_mhz > 49900 && m.f_mhz < 50100);
    cr_expect_eq(inst(r, 91, 0, -3, 33), (int64_t)((m.in_ua + 500u) / 1000u));
    cosem_rig_free(r);
}

Test(cosem_data, demand_and_maximum_demand_are_the_tariff_engine_demand)
{
    struct cosem_rig *r = cosem_rig_new(T0);
    uint8_t o[6];
    cosem_rig_run(r, 31u * 60u * 1000u, 1000); /* two full 15-minute periods */
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL2);
    const struct mtr_demand *dm = mtr_tariff_demand(&r->trf);
    ln(o, 1, 1, 4, 0);
    cr_assert_eq(cosem_rig_get(r, 5, o, 8), 0);
    cr_expect_eq(val_uint(r, MTR_DLMS_DOUBLE_LONG_UNSIGNED), 900);
    cr_assert_eq(cosem_rig_get(r, 5, o, 9), 0);
    cr_expect_eq(val_uint(r, MTR_DLMS_LONG_UNSIGNED), 1);
    cr_assert_eq(cosem_rig_get(r, 5, o, 3), 0);
    cr_expect_eq(val_int(r, MTR_DLMS_LONG64), dm->last_avg[0]);
    cr_expect_gt(dm->last_avg[0], 0);
    cr_assert_eq(cosem_rig_get(r, 5, o, 2), 0);
    cr_expect_eq(val_int(r, MTR_DLMS_LONG64), mtr_demand_current(dm, 0));
    cr_assert_eq(cosem_rig_get(r, 5, o, 6), 0);
    cr_expect(r->val_len == 14 && r->val[0] == 9 && r->val[2] == 0x07 && r->val[3] == 0xE8,
              "capture_time in 2024");

    ln(o, 1, 1, 6, 0);
    cr_assert_eq(cosem_rig_get(r, 4, o, 2), 0);
    cr_expect_eq(val_int(r, MTR_DLMS_LONG64), dm->max[0][0].value);
    cr_expect_gt(dm->max[0][0].value, 0);
    cr_assert_eq(cosem_rig_get(r, 4, o, 5), 0);
    uint8_t want[12];
    dt_bytes(want, 2024, 3, 1, (uint8_t)(dm->max[0][0].time % 86400 / 3600),
             (uint8_t)(dm->max[0][0].time % 3600 / 60), 0, 0);
    cr_expect(r->val_len == 14 && memcmp(r->val + 2, want, 4) == 0 && memcmp(r->val + 7, want + 5, 3) == 0,
              "maximum's capture time");
    ln(o, 1, 1, 6, 1); /* M1: the load ran in T1 */
    cr_assert_eq(cosem_rig_get(r, 4, o, 2), 0);
    cr_expect_eq(val_int(r, MTR_DLMS_LONG64), dm->max[0][1].value);
    ln(o, 1, 1, 6, 2); /* M2: nothing yet */
    cr_assert_eq(cosem_rig_get(r, 4, o, 2), 0);
    cr_expect_eq(val_int(r, MTR_DLMS_LONG64), 0);
    cr_assert_eq(cosem_rig_get(r, 4, o, 4), 0);
    cr_expect_eq(val_uint(r, MTR_DLMS_UNSIGNED), 1, "status: no maximum");
    cosem_rig_free(r);
}

Test(cosem_data, billing_period_counter)
{
    struct cosem_rig *r = cosem_rig_new(T0);
    uint8_t o[6] = {1, 0, 0, 1, 0, 255};
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL1);
    cr_assert_eq(cosem_rig_get(r, 1, o, 2), 0);
    cr_expect_eq(val_uint(r, MTR_DLMS_DOUBLE_LONG_UNSIGNED), mtr_tariff_billing_count(&r->trf));
    cosem_rig_free(r);
}

/* SET of a demand register attribute refused with @p dar, the tariff engine unchanged. */
static void demand_refused(struct cosem_rig *r, const uint8_t o[6], uint8_t attr, const uint8_t *v, size_t n,
                           int dar, const char *what)
{
    static struct mtr_tariff before;
    memcpy(&before, &r->trf, sizeof before);
    cr_assert_eq(cosem_rig_set(r, 5, o, attr, v, n), dar, "%s", what);
    cr_assert_eq(memcmp(&before, &r->trf, sizeof before), 0, "%s changed the tariff engine", what);
}

#define U32V(x) (const uint8_t[]){MTR_DLMS_DOUBLE_LONG_UNSIGNED, 0, 0, (uint8_t)((x) >> 8), (uint8_t)(x)}, 5
#define U16V(x) (const uint8_t[]){MTR_DLMS_LONG_UNSIGNED, (uint8_t)((x) >> 8), (uint8_t)(x)}, 3

Test(cosem_data, demand_period_and_number_of_periods_written_at_a_period_boundary)
{
    struct cosem_rig *r = cosem_rig_new(T0);
    uint8_t a_imp[6], a_exp[6];
    ln(a_imp, 1, 1, 4, 0);
    ln(a_exp, 1, 2, 4, 0);
    const struct mtr_demand *dm = mtr_tariff_demand(&r->trf);

    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL2);
    demand_refused(r, a_imp, 8, U32V(1800), MTR_DLMS_DAR_READ_WRITE_DENIED, "level 2 sets no demand period");
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL3);
    demand_refused(r, a_imp, 8, U32V(1801), MTR_DLMS_DAR_OTHER, "not whole minutes");
    demand_refused(r, a_imp, 8, U32V(30), MTR_DLMS_DAR_OTHER, "below a minute");
    demand_refused(r, a_imp, 8, U32V(7200), MTR_DLMS_DAR_OTHER, "above an hour");
    demand_refused(r, a_imp, 9, U16V(0), MTR_DLMS_DAR_OTHER, "no sub-period");
    demand_refused(r, a_imp, 9, U16V(MTR_CFG_CALENDAR_DEMAND_WINDOW + 1), MTR_DLMS_DAR_OTHER, "a window too long");
    demand_refused(r, a_imp, 9, U16V(300), MTR_DLMS_DAR_OTHER, "beyond 255");
    demand_refused(r, a_imp, 8, U16V(1800), MTR_DLMS_DAR_TYPE_UNMATCHED, "long-unsigned for the period");
    demand_refused(r, a_imp, 9, U32V(2), MTR_DLMS_DAR_TYPE_UNMATCHED, "double-long-unsigned for the count");
    demand_refused(r, a_imp, 7, U32V(2), MTR_DLMS_DAR_READ_WRITE_DENIED, "start_time_current");

    /* valid: read back at once (through any demand register), in force from the next boundary */
    struct mtr_meter_wiring w0, w1;
    mtr_meter_wiring(&r->meter, &w0);
    cr_assert_eq(cosem_rig_set(r, 5, a_imp, 8, U32V(1800)), 0);
    cr_assert_eq(cosem_rig_set(r, 5, a_exp, 9, U16V(2)), 0);
    mtr_meter_wiring(&r->meter, &w1);
    cr_assert_geq(w1.commits, w0.commits + 2, "the register snapshot is committed");
    cr_assert_eq(cosem_rig_get(r, 5, a_exp, 8), 0);
    cr_assert_eq(val_uint(r, MTR_DLMS_DOUBLE_LONG_UNSIGNED), 1800);
    cr_assert_eq(cosem_rig_get(r, 5, a_imp, 9), 0);
    cr_assert_eq(val_uint(r, MTR_DLMS_LONG_UNSIGNED), 2);
    cr_assert(dm->cfg.period_s == 900 && dm->cfg.periods == 1, "the running sub-period keeps its settings");
    cosem_rig_run(r, 15u * 60u * 1000u, 1000); /* past 00:15 */
    cr_assert(dm->cfg.period_s == 1800 && dm->cfg.periods == 2, "in force from the boundary");
    cr_assert_eq(dm->last_status, 0, "the 900 s sub-period ended whole");
    cr_assert_eq(mtr_tariff_next_deadline(&r->trf), T0 + 1800, "the next sub-period is aligned: 00:15-00:30 is short");
    cosem_rig_run(r, 16u * 60u * 1000u, 1000); /* past 00:31 */
    cr_assert(dm->last_status & MTR_DEMAND_ST_SHORT, "the sub-period after the change is not counted");

    /* kept over a restart */
    cosem_rig_reboot(r);
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL1);
    cr_assert_eq(cosem_rig_get(r, 5, a_imp, 8), 0);
    cr_assert_eq(val_uint(r, MTR_DLMS_DOUBLE_LONG_UNSIGNED), 1800);
    cr_assert_eq(cosem_rig_get(r, 5, a_imp, 9), 0);
    cr_assert_eq(val_uint(r, MTR_DLMS_LONG_UNSIGNED), 2);
    cosem_rig_run(r, 2000, 1000);
    cr_assert(dm->cfg.period_s == 1800 && dm->cfg.periods == 2);
    cosem_rig_free(r);
}

Test(cosem_data, cumulative_maximum_demand_is_the_sum_of_the_billed_maxima)
{
    struct cosem_rig *r = cosem_rig_new(T0);
    uint8_t o[6];
    static struct tokens tk;
    const uint8_t one[3] = {MTR_DLMS_LONG_UNSIGNED, 0, 1};
    const uint8_t billing_scripts[6] = {0, 0, 10, 0, 1, 255};
    const struct mtr_demand *dm = mtr_tariff_demand(&r->trf);

    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL3);
    ln(o, 1, 1, 2, 0);
    cr_assert_eq(cosem_rig_get(r, 3, o, 2), 0);
    cr_assert_eq(val_int(r, MTR_DLMS_LONG64), 0, "nothing billed yet");
    cr_assert_eq(cosem_rig_get(r, 3, o, 3), 0);
    tokens_of(r->val, r->val_len, &tk);
    cr_assert(tk.n == 3 && tok_int(&tk.t[1], MTR_DLMS_INTEGER) == -3 && tok_uint(&tk.t[2], MTR_DLMS_ENUM) == 27,
              "scaler_unit {-3, W}");
    ln(o, 1, 3, 2, 0);
    cr_assert_eq(cosem_rig_get(r, 3, o, 3), 0);
    tokens_of(r->val, r->val_len, &tk);
    cr_assert_eq(tok_uint(&tk.t[2], MTR_DLMS_ENUM), 29, "reactive: var");

    /* two billing periods with a maximum each */
    int64_t sum = 0, sum1 = 0;
    for (int k = 0; k < 2; k++) {
        cosem_rig_run(r, 16u * 60u * 1000u, 1000); /* a full 15-minute period */
        cr_assert_gt(dm->max[MTR_Q_A_IMP][0].value, 0);
        sum += dm->max[MTR_Q_A_IMP][0].value;
        sum1 += dm->max[MTR_Q_A_IMP][1].value;
        cr_assert_eq(cosem_rig_action(r, 9, billing_scripts, 1, one, 3), 0);
        cr_assert_eq(dm->max[MTR_Q_A_IMP][0].value, 0, "the maximum goes to the cumulative maximum");
    }
    cr_assert_eq(dm->cumulative[MTR_Q_A_IMP][0], sum);
    ln(o, 1, 1, 2, 0);
    cr_assert_eq(cosem_rig_get(r, 3, o, 2), 0);
    cr_assert_eq(val_int(r, MTR_DLMS_LONG64), sum);
    ln(o, 1, 1, 2, 1); /* M1: the load ran in T1 */
    cr_assert_eq(cosem_rig_get(r, 3, o, 2), 0);
    cr_assert_eq(val_int(r, MTR_DLMS_LONG64), sum1);
    cr_assert_gt(sum1, 0);
    ln(o, 1, 1, 2, 2); /* M2: never in force */
    cr_assert_eq(cosem_rig_get(r, 3, o, 2), 0);
    cr_assert_eq(val_int(r, MTR_DLMS_LONG64), 0);
    /* one object per demand quantity and tariff, none beyond */
    for (uint8_t c = 1; c <= MTR_DEMAND_QUANTITIES; c++) {
        for (uint8_t e = 0; e <= MTR_CFG_TARIFFS; e++) {
            ln(o, 1, c, 2, e);
            cr_assert_geq(cosem_rig_find(3, o), 0, "1-0:%u.2.%u.255", c, e);
        }
    }
    ln(o, 1, MTR_DEMAND_QUANTITIES + 1, 2, 0);
    cr_assert_eq(cosem_rig_find(3, o), -1);
    ln(o, 1, 1, 2, MTR_CFG_TARIFFS + 1);
    cr_assert_eq(cosem_rig_find(3, o), -1);
    /* not writable, not public */
    ln(o, 1, 1, 2, 0);
    cr_assert_eq(cosem_rig_set(r, 3, o, 2, (const uint8_t[]){MTR_DLMS_LONG64, 0, 0, 0, 0, 0, 0, 0, 0}, 9),
                 MTR_DLMS_DAR_READ_WRITE_DENIED);
    cosem_rig_assoc(r, MTR_COSEM_ROLE_PUBLIC);
    cr_assert_eq(cosem_rig_get(r, 3, o, 2), MTR_DLMS_DAR_READ_WRITE_DENIED);

    /* the steps after a billing end commit it: the cumulative maxima survive a restart */
    cosem_rig_run(r, 5000, 1000);
    cosem_rig_reboot(r);
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL1);
    cr_assert_eq(cosem_rig_get(r, 3, o, 2), 0);
    cr_assert_eq(val_int(r, MTR_DLMS_LONG64), sum);
    cosem_rig_free(r);
}

/* mtr_meter_value_unit() (what the display and other users of mtr_meter_value()
 * scale by) gives, for every register of the table whose value mtr_meter_value()
 * resolves, the scaler and unit the register serves. */
Test(cosem_data, value_units_match_the_served_scaler_units)
{
    struct cosem_rig *r = cosem_rig_new(T0);
    uint16_t n;
    const struct mtr_dlms_obj *t = mtr_cosem_table(&n);
    unsigned checked = 0;

    cosem_rig_run(r, 5000u, 1000);
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL1);
    for (uint16_t k = 0; k < n; k++) {
        uint16_t cls = t[k].class_id;
        uint8_t su_attr = cls == 5 ? 4 : 3;
        if (cls != 3 && cls != 4 && cls != 5) {
            continue;
        }
        int64_t v;
        mtr_err_t have = mtr_meter_value(&r->meter, cls, t[k].obis, 2, &v);
        int8_t scaler = 0;
        uint8_t unit = 0;
        mtr_err_t rc = mtr_meter_value_unit(cls, t[k].obis, 2, &scaler, &unit);
        if (have == MTR_ERR_NOENT) {
            continue; /* not a value of mtr_meter_value() (THD, |A| sum ...) */
        }
        cr_assert_eq(rc, MTR_OK, "%s: a value without a unit", mtr_cosem_object_name(k));
        cr_assert_eq(cosem_rig_get(r, cls, t[k].obis, su_attr), 0, "%s", mtr_cosem_object_name(k));
        int s;
        unsigned u;
        val_scaler_unit(r, &s, &u);
        cr_expect_eq(s, scaler, "%s: scaler", mtr_cosem_object_name(k));
        cr_expect_eq(u, unit, "%s: unit", mtr_cosem_object_name(k));
        checked++;
    }
    cr_assert_gt(checked, 150u, "energy, demand and instantaneous registers compared (%u)", checked);
    /* what is not a quantity */
    int8_t s8;
    uint8_t u8;
    uint8_t o[6];
    ln(o, 1, 1, 6, 0);
    cr_assert_eq(mtr_meter_value_unit(4, o, 5, &s8, &u8), MTR_ERR_NOENT, "maximum demand time");
    ln(o, 1, 1, 8, 0);
    o[5] = 101;
    cr_assert_eq(mtr_meter_value_unit(3, o, 2, &s8, &u8), MTR_ERR_NOENT, "historical value");
    ln(o, 0, 96, 1, 0);
    cr_assert_eq(mtr_meter_value_unit(1, o, 2, &s8, &u8), MTR_ERR_NOENT, "serial number");
    ln(o, 0, 97, 97, 0);
    cr_assert_eq(mtr_meter_value_unit(1, o, 2, &s8, &u8), MTR_OK);
    cr_assert(s8 == 0 && u8 == 255, "error register: no unit");
    cosem_rig_free(r);
}
