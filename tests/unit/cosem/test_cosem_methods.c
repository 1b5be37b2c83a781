/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Methods of the metering data objects (Blue Book, IEC 62056-6-2) over DLMS:
 * maximum demand reset (class 4 method 1), demand register reset and
 * next_period (class 5 methods 1 and 2), clock adjust_to_measuring_period
 * (class 8 method 2). Each with every role (allowed: works; others:
 * read-write-denied and nothing changed), its effect read back through the
 * attributes, refused parameters, and what must survive a restart.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "cosem_rig.h"
#include "cosem_value.h"

#define T0 ((mtr_utc_t)1709251200) /* 2024-03-01T00:00:00Z, tariff T1 until 06:00 */

static const uint8_t CLOCK[6] = {0, 0, 1, 0, 0, 255};
static const uint8_t INT0[2] = {MTR_DLMS_INTEGER, 0};
static const uint8_t LONG0[3] = {MTR_DLMS_LONG, 0, 0};
static const uint8_t STRUCT0[2] = {MTR_DLMS_STRUCTURE, 0};

static void ln(uint8_t out[6], uint8_t a, uint8_t c, uint8_t d, uint8_t e)
{
    const uint8_t v[6] = {a, 0, c, d, e, 255};
    memcpy(out, v, 6);
}

static mtr_utc_t now(struct cosem_rig *r)
{
    struct mtr_clock_view v;
    cr_assert_eq(mtr_clock_now(&r->clk, &v), MTR_OK);
    return v.utc;
}

/* The value read (r->val) is the date-time of @p utc (the rig's zone is UTC). */
static void expect_dt(const struct cosem_rig *r, mtr_utc_t utc, const char *what)
{
    struct mtr_datetime dt;
    struct mtr_dlms_datetime d;
    cr_assert_eq(mtr_datetime_from_utc(utc, 0, 0, &dt), MTR_OK);
    cr_assert(r->val_len == 14 && r->val[0] == MTR_DLMS_OCTET_STRING && r->val[1] == 12, "%s: octet-string", what);
    cr_assert_eq(mtr_dlms_datetime_decode(r->val + 2, &d), MTR_OK, "%s", what);
    cr_expect(d.year == dt.year && d.month == dt.month && d.day == dt.day && d.hour == dt.hour &&
                  d.minute == dt.minute && d.second == dt.second,
              "%s: %04u-%02u-%02u %02u:%02u:%02u", what, d.year, d.month, d.day, d.hour, d.minute, d.second);
}

/* ACTION refused with @p res, the tariff engine and the clock unchanged. */
static void refused(struct cosem_rig *r, uint16_t cls, const uint8_t o[6], uint8_t m, const uint8_t *p, size_t n,
                    int res, const char *what)
{
    static struct mtr_tariff trf;
    static struct mtr_clock clk;
    memcpy(&trf, &r->trf, sizeof trf);
    memcpy(&clk, &r->clk, sizeof clk);
    mtr_utc_t t = now(r);
    cr_assert_eq(cosem_rig_action(r, cls, o, m, p, n), res, "%s", what);
    cr_assert_eq(memcmp(&trf, &r->trf, sizeof trf), 0, "%s changed the tariff engine", what);
    cr_assert_eq(memcmp(&clk, &r->clk, sizeof clk), 0, "%s changed the clock engine", what);
    cr_assert_eq(now(r), t, "%s moved the time", what);
}

static const int NOT_SETTING[] = {MTR_COSEM_ROLE_PUBLIC, MTR_COSEM_ROLE_PRE_ESTABLISHED, MTR_COSEM_ROLE_LEVEL1,
                                  MTR_COSEM_ROLE_LEVEL2};

static uint32_t commits(const struct cosem_rig *r)
{
    struct mtr_meter_wiring w;
    mtr_meter_wiring(&r->meter, &w);
    return w.commits;
}

/* ------------------------------------------------------- class 4: reset */

Test(cosem_methods, maximum_demand_reset_from_level3_survives_a_restart)
{
    struct cosem_rig *r = cosem_rig_new(T0);
    uint8_t m1[6], m0[6];
    ln(m1, 1, 1, 6, 1);
    ln(m0, 1, 1, 6, 0);
    const struct mtr_demand *dm = mtr_tariff_demand(&r->trf);
    cosem_rig_run(r, 31u * 60u * 1000u, 1000); /* two full 15-minute periods in T1 */
    int64_t max0 = dm->max[MTR_Q_A_IMP][0].value;
    cr_assert_gt(dm->max[MTR_Q_A_IMP][1].value, 0);
    cr_assert_gt(max0, 0);

    for (size_t k = 0; k < sizeof NOT_SETTING / sizeof NOT_SETTING[0]; k++) {
        cosem_rig_assoc(r, NOT_SETTING[k]);
        refused(r, 4, m1, 1, INT0, 2, MTR_DLMS_DAR_READ_WRITE_DENIED, "a role below level 3");
    }
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL3);
    refused(r, 4, m1, 1, LONG0, 3, MTR_DLMS_DAR_TYPE_UNMATCHED, "a long for integer (0)");
    refused(r, 4, m1, 1, STRUCT0, 2, MTR_DLMS_DAR_TYPE_UNMATCHED, "a structure for integer (0)");
    refused(r, 4, m1, 2, INT0, 2, MTR_DLMS_DAR_READ_WRITE_DENIED, "no method 2");
    cr_assert_eq(cosem_rig_get(r, 4, m1, 4), 0);
    cr_assert_eq(val_uint(r, MTR_DLMS_UNSIGNED), 0, "status: a maximum");

    uint32_t c0 = commits(r);
    mtr_utc_t t = now(r);
    cr_assert_eq(cosem_rig_action(r, 4, m1, 1, INT0, 2), 0);
    cr_assert_gt(commits(r), c0, "the register snapshot is committed");
    cr_assert_eq(cosem_rig_get(r, 4, m1, 2), 0);
    cr_assert_eq(val_int(r, MTR_DLMS_LONG64), 0, "value: default 0");
    cr_assert_eq(cosem_rig_get(r, 4, m1, 4), 0);
    cr_assert_eq(val_uint(r, MTR_DLMS_UNSIGNED), 1, "status: no maximum yet");
    cr_assert_eq(cosem_rig_get(r, 4, m1, 5), 0);
    expect_dt(r, t, "capture_time: the time of the reset");
    /* only that register: the maximum of any tariff stays */
    cr_assert_eq(cosem_rig_get(r, 4, m0, 2), 0);
    cr_assert_eq(val_int(r, MTR_DLMS_LONG64), max0);

    /* management may too; a register without a maximum resets as well */
    cosem_rig_assoc(r, MTR_COSEM_ROLE_MANAGEMENT);
    cr_assert_eq(cosem_rig_action(r, 4, m0, 1, NULL, 0), 0, "no parameter: integer (0) by default");
    cr_assert_eq(dm->max[MTR_Q_A_IMP][0].value, 0);
    uint8_t m2[6];
    ln(m2, 1, 1, 6, 2);
    cr_assert_eq(cosem_rig_action(r, 4, m2, 1, INT0, 2), 0);

    /* a restart keeps the reset: the maximum does not come back */
    cosem_rig_reboot(r);
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL1);
    cr_assert_eq(cosem_rig_get(r, 4, m1, 2), 0);
    cr_assert_eq(val_int(r, MTR_DLMS_LONG64), 0);
    cr_assert_eq(cosem_rig_get(r, 4, m0, 2), 0);
    cr_assert_eq(val_int(r, MTR_DLMS_LONG64), 0);
    cr_assert_eq(cosem_rig_get(r, 4, m1, 4), 0);
    cr_assert_eq(val_uint(r, MTR_DLMS_UNSIGNED), 1);
    cr_assert_eq(cosem_rig_get(r, 4, m1, 5), 0);
    expect_dt(r, t, "capture_time kept");

    /* the next full window makes a new maximum */
    cosem_rig_run(r, 31u * 60u * 1000u, 1000);
    cr_assert_eq(cosem_rig_get(r, 4, m1, 2), 0);
    cr_assert_gt(val_int(r, MTR_DLMS_LONG64), 0);
    cr_assert_eq(cosem_rig_get(r, 4, m1, 4), 0);
    cr_assert_eq(val_uint(r, MTR_DLMS_UNSIGNED), 0);
    cosem_rig_free(r);
}

Test(cosem_methods, every_maximum_demand_register_resets_its_own_maximum)
{
    struct cosem_rig *r = cosem_rig_new(T0);
    uint16_t n;
    const struct mtr_dlms_obj *tab = mtr_cosem_table(&n);
    struct mtr_demand *dm = &r->trf.dm;
    unsigned done = 0;
    /* a distinct maximum in every register (the engine's state, as a load would leave it) */
    for (unsigned q = 0; q < MTR_DEMAND_QUANTITIES; q++) {
        for (unsigned e = 0; e <= MTR_CFG_TARIFFS; e++) {
            dm->max[q][e] = (struct mtr_demand_max){1000 + 100 * (int64_t)q + (int64_t)e, T0};
        }
    }
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL3);
    for (uint16_t k = 0; k < n; k++) {
        if (tab[k].class_id != 4 || tab[k].obis[3] != 6) {
            continue;
        }
        unsigned q = tab[k].obis[2] - 1u, e = tab[k].obis[4];
        cr_assert_eq(cosem_rig_action(r, 4, tab[k].obis, 1, INT0, 2), 0, "%s", mtr_cosem_object_name(k));
        cr_assert_eq(dm->max[q][e].value, 0, "%s", mtr_cosem_object_name(k));
        done++;
        /* the others are untouched */
        unsigned zero = 0;
        for (unsigned q2 = 0; q2 < MTR_DEMAND_QUANTITIES; q2++) {
            for (unsigned e2 = 0; e2 <= MTR_CFG_TARIFFS; e2++) {
                zero += dm->max[q2][e2].value == 0;
                if (dm->max[q2][e2].value != 0) {
                    cr_assert_eq(dm->max[q2][e2].value, 1000 + 100 * (int64_t)q2 + (int64_t)e2);
                }
            }
        }
        cr_assert_eq(zero, done, "%s reset another maximum", mtr_cosem_object_name(k));
    }
    cr_assert_eq(done, MTR_DEMAND_QUANTITIES * (MTR_CFG_TARIFFS + 1u));
    cosem_rig_free(r);
}

/* --------------------------------------------- class 5: reset, next_period */

Test(cosem_methods, demand_next_period_and_reset_from_level3)
{
    struct cosem_rig *r = cosem_rig_new(T0);
    uint8_t a_imp[6], o[6];
    ln(a_imp, 1, 1, 4, 0);
    const struct mtr_demand *dm = mtr_tariff_demand(&r->trf);
    cosem_rig_run(r, 20u * 60u * 1000u, 1000); /* 00:20: a full period, 5 minutes of the next */
    cr_assert_gt(dm->last_avg[MTR_Q_A_IMP], 0);
    int64_t max0 = dm->max[MTR_Q_A_IMP][0].value;

    for (size_t k = 0; k < sizeof NOT_SETTING / sizeof NOT_SETTING[0]; k++) {
        cosem_rig_assoc(r, NOT_SETTING[k]);
        refused(r, 5, a_imp, 1, INT0, 2, MTR_DLMS_DAR_READ_WRITE_DENIED, "reset below level 3");
        refused(r, 5, a_imp, 2, INT0, 2, MTR_DLMS_DAR_READ_WRITE_DENIED, "next_period below level 3");
    }
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL3);
    refused(r, 5, a_imp, 1, LONG0, 3, MTR_DLMS_DAR_TYPE_UNMATCHED, "reset with a long");
    refused(r, 5, a_imp, 2, STRUCT0, 2, MTR_DLMS_DAR_TYPE_UNMATCHED, "next_period with a structure");
    refused(r, 5, a_imp, 3, INT0, 2, MTR_DLMS_DAR_READ_WRITE_DENIED, "no method 3");

    /* next_period: current_average_value becomes last_average_value, a new period starts now */
    cr_assert_eq(cosem_rig_get(r, 5, a_imp, 2), 0);
    int64_t cur = val_int(r, MTR_DLMS_LONG64);
    cr_assert_gt(cur, 0);
    mtr_utc_t t = now(r);
    uint32_t c0 = commits(r);
    cr_assert_eq(cosem_rig_action(r, 5, a_imp, 2, INT0, 2), 0);
    cr_assert_gt(commits(r), c0, "the register snapshot is committed");
    cr_assert_eq(cosem_rig_get(r, 5, a_imp, 3), 0);
    cr_assert_eq(val_int(r, MTR_DLMS_LONG64), cur, "last_average_value");
    cr_assert_eq(cosem_rig_get(r, 5, a_imp, 5), 0);
    cr_assert(val_uint(r, MTR_DLMS_UNSIGNED) & MTR_DEMAND_ST_SHORT, "status: a period cut short");
    cr_assert_eq(cosem_rig_get(r, 5, a_imp, 6), 0);
    expect_dt(r, t, "capture_time");
    cr_assert_eq(cosem_rig_get(r, 5, a_imp, 7), 0);
    expect_dt(r, t, "start_time_current");
    cr_assert_eq(dm->max[MTR_Q_A_IMP][0].value, max0, "no maximum of a period cut short");

    /* reset through another quantity's register: every demand register back to 0 */
    cosem_rig_run(r, 60u * 1000u, 1000);
    cr_assert_gt(mtr_demand_current(dm, MTR_Q_A_IMP), 0);
    cosem_rig_assoc(r, MTR_COSEM_ROLE_MANAGEMENT);
    ln(o, 1, 2, 4, 0);
    t = now(r);
    cr_assert_eq(cosem_rig_action(r, 5, o, 1, INT0, 2), 0);
    for (uint8_t c = 1; c <= MTR_DEMAND_QUANTITIES; c++) {
        ln(o, 1, c, 4, 0);
        cr_assert_eq(cosem_rig_get(r, 5, o, 3), 0);
        cr_assert_eq(val_int(r, MTR_DLMS_LONG64), 0, "C=%u last_average_value", c);
        cr_assert_eq(cosem_rig_get(r, 5, o, 2), 0);
        cr_assert_eq(val_int(r, MTR_DLMS_LONG64), mtr_demand_current(dm, c - 1u));
        cr_assert_eq(cosem_rig_get(r, 5, o, 6), 0);
        expect_dt(r, t, "capture_time");
        cr_assert_eq(cosem_rig_get(r, 5, o, 7), 0);
        expect_dt(r, t, "start_time_current");
    }
    cr_assert_eq(dm->max[MTR_Q_A_IMP][0].value, max0, "maxima kept");
    /* the short sub-period runs to 00:30, the next one is whole again */
    cr_assert_eq(mtr_tariff_next_deadline(&r->trf), T0 + 1800);
    cosem_rig_run(r, 25u * 60u * 1000u, 1000);
    cr_assert_eq(dm->last_status, 0);
    cr_assert_gt(dm->last_avg[MTR_Q_A_IMP], 0);
    cosem_rig_free(r);
}

Test(cosem_methods, demand_reset_applies_a_pending_period_and_it_survives_a_restart)
{
    struct cosem_rig *r = cosem_rig_new(T0);
    uint8_t a_imp[6];
    ln(a_imp, 1, 1, 4, 0);
    const struct mtr_demand *dm = mtr_tariff_demand(&r->trf);
    const uint8_t p300[5] = {MTR_DLMS_DOUBLE_LONG_UNSIGNED, 0, 0, 0x01, 0x2C};
    cosem_rig_run(r, 5u * 60u * 1000u, 1000); /* 00:05 */
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL3);
    cr_assert_eq(cosem_rig_set(r, 5, a_imp, 8, p300, 5), 0);
    cr_assert_eq(dm->cfg.period_s, 900, "pending until 00:15");
    cr_assert_eq(cosem_rig_action(r, 5, a_imp, 1, INT0, 2), 0);
    cr_assert_eq(dm->cfg.period_s, 300, "in force from the reset");
    cr_assert_eq(mtr_tariff_next_deadline(&r->trf), T0 + 600);
    cosem_rig_reboot(r);
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL1);
    cr_assert_eq(cosem_rig_get(r, 5, a_imp, 8), 0);
    cr_assert_eq(val_uint(r, MTR_DLMS_DOUBLE_LONG_UNSIGNED), 300);
    cosem_rig_run(r, 2000, 1000);
    cr_assert_eq(dm->cfg.period_s, 300);
    cosem_rig_free(r);
}

/* ------------------------------------ class 8: adjust_to_measuring_period */

Test(cosem_methods, adjust_to_measuring_period_from_level1)
{
    struct cosem_rig *r = cosem_rig_new(T0);
    const struct mtr_demand *dm = mtr_tariff_demand(&r->trf);
    const int denied[] = {MTR_COSEM_ROLE_PUBLIC, MTR_COSEM_ROLE_PRE_ESTABLISHED};
    cr_assert_eq(mtr_clock_set(&r->clk, T0 + 400), MTR_OK); /* 00:06:40 */
    for (size_t k = 0; k < 2; k++) {
        cosem_rig_assoc(r, denied[k]);
        refused(r, 8, CLOCK, 2, INT0, 2, MTR_DLMS_DAR_READ_WRITE_DENIED, "public");
    }
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL1);
    refused(r, 8, CLOCK, 2, LONG0, 3, MTR_DLMS_DAR_TYPE_UNMATCHED, "a long for integer (0)");

    /* 15-minute demand period: 00:06:40 -> 00:00, logged as a clock change */
    uint32_t ev4 = cosem_rig_count(r, MTR_CLOCK_EV_ADJUSTED_OLD), ev5 = cosem_rig_count(r, MTR_CLOCK_EV_ADJUSTED_NEW);
    cr_assert_eq(cosem_rig_action(r, 8, CLOCK, 2, INT0, 2), 0);
    cr_assert_eq(now(r), T0);
    cr_assert_eq(cosem_rig_count(r, MTR_CLOCK_EV_ADJUSTED_OLD), ev4 + 1, "event 4");
    cr_assert_eq(cosem_rig_count(r, MTR_CLOCK_EV_ADJUSTED_NEW), ev5 + 1, "event 5");
    /* 00:07:30, half-way: up to 00:15, and the sub-period starting there is whole */
    cr_assert_eq(mtr_clock_set(&r->clk, T0 + 450), MTR_OK);
    cosem_rig_run(r, 1000, 1000);
    cr_assert_eq(cosem_rig_action(r, 8, CLOCK, 2, INT0, 2), 0);
    cr_assert_eq(now(r), T0 + 900);
    cosem_rig_run(r, 15u * 60u * 1000u, 1000);
    cr_assert_eq(dm->last_time, T0 + 1800);
    cr_assert_eq(dm->last_status, 0, "the period after the adjustment is whole: %u start %lld", dm->last_status, (long long)(dm->start - T0));

    /* an hour's period: more than shift_time's 900 s away */
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL3);
    uint8_t a_imp[6];
    ln(a_imp, 1, 1, 4, 0);
    const uint8_t p3600[5] = {MTR_DLMS_DOUBLE_LONG_UNSIGNED, 0, 0, 0x0E, 0x10};
    cr_assert_eq(cosem_rig_set(r, 5, a_imp, 8, p3600, 5), 0);
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL2);
    cr_assert_eq(mtr_clock_set(&r->clk, T0 + 3600 + 2400), MTR_OK); /* 01:40 */
    cr_assert_eq(cosem_rig_action(r, 8, CLOCK, 2, INT0, 2), 0);
    cr_assert_eq(now(r), T0 + 7200);
    cr_assert_eq(mtr_clock_set(&r->clk, T0 + 7200 + 1799), MTR_OK); /* 02:29:59 */
    cr_assert_eq(cosem_rig_action(r, 8, CLOCK, 2, INT0, 2), 0);
    cr_assert_eq(now(r), T0 + 7200);

    /* an invalid clock has no nearest period start: refused, nothing changes */
    mtr_sim_rtc_lose(&r->sim);
    struct mtr_clock_view v;
    cr_assert_eq(mtr_clock_now(&r->clk, &v), MTR_OK);
    cr_assert(v.status & MTR_CLOCK_ST_INVALID);
    static struct mtr_clock before;
    memcpy(&before, &r->clk, sizeof before);
    cr_assert_eq(cosem_rig_action(r, 8, CLOCK, 2, INT0, 2), MTR_DLMS_DAR_OTHER);
    cr_assert_eq(memcmp(&before, &r->clk, sizeof before), 0);
    cosem_rig_free(r);
}

/* ------------------------- class 3 values resolved through mtr_meter_value() */

/* Wire bytes of the value of instantaneous object @p obis, decoded from the
 * metrology result here (tag and value as the table has always served them). */
static size_t inst_oracle(const uint8_t obis[6], const struct mtr_metrology_result *m, uint8_t *b)
{
    unsigned c = obis[2], phase = c > 20 && c <= 80 ? (c - 1u) / 20u : 0u, k = c - 20u * phase;
    const struct mtr_metrology_phase *ph = phase > 0 ? &m->ph[phase - 1u] : NULL;
    int64_t p = ph != NULL ? ph->p_mw : m->p_mw, q = ph != NULL ? ph->q_mvar : m->q_mvar;
    int64_t s = ph != NULL ? ph->s_mva : m->s_mva;
    uint8_t tag;
    uint64_t v;
    size_t n;
    if (obis[4] == 124) {
        tag = MTR_DLMS_LONG_UNSIGNED, v = k == 11 ? ph->thd_i : ph->thd_u;
    } else if (k == 11 || k == 12) {
        int32_t x = k == 11 ? ph->i_ma : ph->u_mv;
        tag = MTR_DLMS_DOUBLE_LONG_UNSIGNED, v = x > 0 ? (uint64_t)x : 0u;
    } else if (k == 13) {
        tag = MTR_DLMS_LONG, v = (uint64_t)(int64_t)(ph != NULL ? ph->pf : m->pf);
    } else if (k == 14) {
        tag = MTR_DLMS_DOUBLE_LONG_UNSIGNED, v = m->f_mhz;
    } else if (c == 91) {
        tag = MTR_DLMS_DOUBLE_LONG_UNSIGNED, v = (m->in_ua + 500u) / 1000u;
    } else {
        int64_t x = k == 1 ? (p > 0 ? p : 0) : k == 2 ? (p < 0 ? -p : 0) : k == 3 ? (q > 0 ? q : 0)
                  : k == 4 ? (q < 0 ? -q : 0) : k == 9 ? (p >= 0 ? s : 0) : (p < 0 ? s : 0);
        tag = MTR_DLMS_LONG64, v = (uint64_t)x;
    }
    n = tag == MTR_DLMS_LONG64 ? 8 : tag == MTR_DLMS_DOUBLE_LONG_UNSIGNED ? 4 : 2;
    b[0] = tag;
    for (size_t i = 0; i < n; i++) {
        b[1 + i] = (uint8_t)(v >> (8 * (n - 1 - i)));
    }
    return 1 + n;
}

Test(cosem_methods, energy_and_instantaneous_values_are_served_as_before)
{
    struct cosem_rig *r = cosem_rig_new(T0 + 6 * 3600 - 300); /* 05:55: T1, then T2 */
    uint16_t n;
    const struct mtr_dlms_obj *tab = mtr_cosem_table(&n);
    unsigned energies = 0, insts = 0;
    cosem_rig_run(r, 10u * 60u * 1000u, 1000);
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL1);
    const struct mtr_registers *reg = mtr_tariff_registers(&r->trf);
    struct mtr_metrology_result m;
    cr_assert_eq(mtr_metrology_result(&r->metro, &m), MTR_OK);
    cr_assert_gt(mtr_registers_tariff(reg, MTR_Q_A_IMP, 1), 0);
    cr_assert_gt(mtr_registers_tariff(reg, MTR_Q_A_IMP, 2), 0);
    for (uint16_t k = 0; k < n; k++) {
        const struct mtr_dlms_obj *o = &tab[k];
        if (o->class_id != 3 || o->obis[0] != 1) {
            continue;
        }
        uint8_t want[16];
        size_t len;
        if (o->obis[3] == 8) {
            unsigned c = o->obis[2], e = o->obis[4];
            int64_t v = 0;
            for (unsigned q = c == 15 ? 0u : c - 1u; q <= (c == 15 ? 1u : c - 1u); q++) {
                v += e == 0 ? mtr_registers_total(reg, q) : mtr_registers_tariff(reg, q, e);
            }
            want[0] = MTR_DLMS_LONG64_UNSIGNED;
            for (int i = 0; i < 8; i++) {
                want[1 + i] = (uint8_t)((uint64_t)v >> (56 - 8 * i));
            }
            len = 9;
            energies++;
        } else if (o->obis[3] == 7) {
            len = inst_oracle(o->obis, &m, want);
            insts++;
        } else {
            continue;
        }
        cr_assert_eq(cosem_rig_get(r, 3, o->obis, 2), 0, "%s", mtr_cosem_object_name(k));
        cr_expect(r->val_len == len && memcmp(r->val, want, len) == 0, "%s: another value than before",
                  mtr_cosem_object_name(k));
    }
    cr_assert_eq(energies, (MTR_Q_COUNT + 1u) * (1u + MTR_CFG_TARIFFS));
    cr_assert_gt(insts, 15);
    cosem_rig_free(r);
}
