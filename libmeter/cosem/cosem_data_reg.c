/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Registers of the metering data: energy (class 3), demand (class 5) and
 * maximum demand (class 4) of the tariff engine, the billing period counter
 * (class 1), instantaneous values (class 3) of the metrology engine.
 *
 * Each object finds its quantity in its own logical name (value groups C,
 * D, E of IEC 62056-6-1), so the table needs no data per object.
 *
 * Wire units (docs/cosem.md, "Values"): energies are the engine's exact
 * milli-units with scaler -3 (mWh as Wh x 10^-3, long64-unsigned): no
 * rounding, no wrap for 2^64 mWh; powers and demand mW with scaler -3
 * (long64, signed: export is negative nowhere, but a net value may be);
 * voltage and current in mV / mA with scaler -3 (double-long-unsigned);
 * power factor x 10^-4 (long); frequency mHz (double-long-unsigned); THD
 * 0.01 % (long-unsigned). Unit codes: Blue Book unit table.
 */
#include "cosem_data.h"

#include "meter/metrology.h"
#include "meter/tariff.h"

#include <stdint.h>
#include <string.h>

/* scaler_unit of a register of this file: that of its value in
 * mtr_meter_value_unit() (the one place that knows the units of the meter's
 * values), THD (E = 124, not a value of mtr_meter_value()) in 1/100 %. */
static void put_scaler_unit(struct cosem_out *o, const struct mtr_dlms_call *c)
{
    int8_t scaler = 0;
    uint8_t unit = COSEM_UNIT_COUNT;

    if (c->obj->obis[3] == 7 && c->obj->obis[4] == 124) {
        cosem_put_scaler_unit(o, -2, COSEM_UNIT_PERCENT);
    } else if (mtr_meter_value_unit(c->obj->class_id, c->obj->obis, 2, &scaler, &unit) == MTR_OK) {
        cosem_put_scaler_unit(o, scaler, unit);
    } else {
        cosem_out_fail(o, MTR_ERR_NOTSUP);
    }
}

#if MTR_WITH_CALENDAR
/* Date-time attribute: @p utc, or "not specified" when @p known is false. */
static void put_time(struct cosem_out *o, const struct mtr_dlms_call *c, mtr_utc_t utc, bool known)
{
    uint8_t b[12];
    cosem_dt_unspecified(b);
    if (known) {
        mtr_err_t err = cosem_dt_from_utc(c, utc, b);
        if (err != MTR_OK) {
            cosem_out_fail(o, err);
            return;
        }
    }
    cosem_put_copy(o, MTR_DLMS_OCTET_STRING, b, 12);
}

static const struct mtr_tariff *tariff_of(const struct mtr_dlms_call *c)
{
    return cosem_engines(c)->tariff;
}
#endif

/* Demand registers: period (8) and number_of_periods (9) are meter settings,
 * reset (1) and next_period (2) too (level 3 up). */
const struct mtr_dlms_access cosem_acc_demand[MTR_CFG_DLMS_PROFILES] =
    COSEM_ACCESS_SETTING(COSEM_UPTO(9), COSEM_BIT(8) | COSEM_BIT(9), COSEM_BIT(1) | COSEM_BIT(2));
/* Maximum demand registers: read by the reading roles, reset (1) from level 3 up. */
const struct mtr_dlms_access cosem_acc_maxd[MTR_CFG_DLMS_PROFILES] =
    COSEM_ACCESS_SETTING(COSEM_UPTO(5), 0, COSEM_BIT(1));

#if MTR_WITH_CALENDAR
/* @p err; on MTR_OK the register snapshot, which carries what the call
 * changed, is committed at once (a failure is counted and retried by the
 * aggregate's periodic commit). */
static mtr_err_t committed(const struct mtr_dlms_call *c, mtr_err_t err)
{
    if (err == MTR_OK) {
        (void)mtr_meter_commit(cosem_of(c)->cfg.meter);
    }
    return err;
}
#endif

mtr_err_t cosem_billing_counter_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
#if MTR_WITH_CALENDAR
    const struct mtr_tariff *t = tariff_of(c);
    if (t == NULL) {
        return MTR_ERR_NOTSUP;
    }
    struct cosem_out o;
    cosem_out_init(&o, c, w);
    cosem_put_uint(&o, MTR_DLMS_DOUBLE_LONG_UNSIGNED, mtr_tariff_billing_count(t));
    return cosem_out_end(&o);
#else
    (void)c;
    (void)w;
    return MTR_ERR_NOTSUP;
#endif
}

#if MTR_WITH_CALENDAR || MTR_WITH_METROLOGY
/*
 * Attribute 2 of a class 3 object @p obis from the aggregate's resolver
 * (mtr_meter_value(), meter.h): the one place that maps an energy or
 * instantaneous OBIS code to an engine's value, shared with the profiles.
 * MTR_ERR_EMPTY (no metrology period yet): temporary-failure; an object it
 * does not know: object-unavailable.
 */
static mtr_err_t meter_value(const struct mtr_dlms_call *c, const uint8_t obis[6], int64_t *v)
{
    mtr_err_t err = mtr_meter_value(cosem_of(c)->cfg.meter, 3, obis, 2, v);
    if (err == MTR_ERR_EMPTY) {
        return MTR_ERR_BUSY;
    }
    return err == MTR_ERR_NOENT ? MTR_ERR_NOTSUP : err;
}
#endif

#define C_ABS_ACTIVE 15u /* |A| = +A + -A (IEC 62056-6-1 value group C 15) */

mtr_err_t cosem_energy_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    unsigned cc = c->obj->obis[2];
    struct cosem_out o;
    cosem_out_init(&o, c, w);
    if (c->id == 3) {
        put_scaler_unit(&o, c);
        return cosem_out_end(&o);
    }
#if MTR_WITH_CALENDAR
    /* the tariff registers only (mtr_meter_value() would fall back to metrology) */
    if (tariff_of(c) == NULL) {
        return MTR_ERR_NOTSUP;
    }
    uint8_t ln[6];
    int64_t v = 0, x = 0;
    mtr_err_t err;
    memcpy(ln, c->obj->obis, sizeof ln);
    if (cc == C_ABS_ACTIVE) {
        ln[2] = 1; /* +A */
        err = meter_value(c, ln, &v);
        ln[2] = 2; /* -A */
        if (err == MTR_OK) {
            err = meter_value(c, ln, &x);
        }
        v = v <= INT64_MAX - x ? v + x : INT64_MAX;
    } else {
        err = meter_value(c, ln, &v);
    }
    if (err != MTR_OK) {
        return err;
    }
    cosem_put_uint(&o, MTR_DLMS_LONG64_UNSIGNED, v > 0 ? (uint64_t)v : 0u);
    return cosem_out_end(&o);
#else
    (void)cc;
    return MTR_ERR_NOTSUP;
#endif
}

mtr_err_t cosem_demand_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    unsigned q = (unsigned)c->obj->obis[2] - 1u;
    struct cosem_out o;
    cosem_out_init(&o, c, w);
    if (c->id == 4) {
        put_scaler_unit(&o, c);
        return cosem_out_end(&o);
    }
#if MTR_WITH_CALENDAR
    const struct mtr_tariff *t = tariff_of(c);
    if (t == NULL) {
        return MTR_ERR_NOTSUP;
    }
    const struct mtr_demand *dm = mtr_tariff_demand(t);
    switch (c->id) {
    case 2: /* current_average_value */
        cosem_put_int(&o, MTR_DLMS_LONG64, mtr_demand_current(dm, q));
        break;
    case 3: /* last_average_value */
        cosem_put_int(&o, MTR_DLMS_LONG64, dm->last_avg[q]);
        break;
    case 5: /* status: enum mtr_demand_status bits of the last average */
        cosem_put_uint(&o, MTR_DLMS_UNSIGNED, dm->last_status);
        break;
    case 6: /* capture_time */
        put_time(&o, c, dm->last_time, dm->last_time != 0);
        break;
    case 7: /* start_time_current */
        put_time(&o, c, dm->start, dm->started);
        break;
    case 8: /* period, s: the settings last written (they apply from the next sub-period) */
    case 9: { /* number_of_periods */
        struct mtr_demand_config dc;
        mtr_tariff_demand_config(t, &dc);
        if (c->id == 8) {
            cosem_put_uint(&o, MTR_DLMS_DOUBLE_LONG_UNSIGNED, dc.period_s);
        } else {
            cosem_put_uint(&o, MTR_DLMS_LONG_UNSIGNED, dc.periods);
        }
        break;
    }
    default:
        return MTR_ERR_NOTSUP;
    }
    return cosem_out_end(&o);
#else
    return MTR_ERR_NOTSUP;
#endif
}

/*
 * period (8) and number_of_periods (9) written: one setting of the tariff
 * engine for every demand register (mtr_tariff_set_demand(): 60..3600 s in
 * whole minutes, 1..MTR_CFG_CALENDAR_DEMAND_WINDOW sub-periods). The running
 * sub-period ends as it began; the new settings apply from its end (the
 * window restarts). A value the engine refuses: MTR_ERR_CALENDAR_PERIOD
 * (other-reason), nothing changed. The register snapshot, which carries the
 * settings, is committed at once.
 */
mtr_err_t cosem_demand_set(const struct mtr_dlms_call *c)
{
#if MTR_WITH_CALENDAR
    struct mtr_tariff *t = cosem_engines(c)->tariff;
    struct mtr_demand_config dc;
    struct cosem_in in;
    uint64_t v = 0;

    if (t == NULL) {
        return MTR_ERR_NOTSUP;
    }
    if (c->id != 8 && c->id != 9) {
        return MTR_ERR_DLMS_DENIED;
    }
    cosem_in_init(&in, c->data, c->data_len);
    (void)cosem_get_uint(&in, c->id == 8 ? MTR_DLMS_DOUBLE_LONG_UNSIGNED : MTR_DLMS_LONG_UNSIGNED, &v);
    mtr_err_t err = cosem_in_end(&in);
    if (err != MTR_OK) {
        return err;
    }
    mtr_tariff_demand_config(t, &dc);
    if (c->id == 8) {
        dc.period_s = (uint32_t)v;
    } else if (v > UINT8_MAX) {
        return MTR_ERR_CALENDAR_PERIOD;
    } else {
        dc.periods = (uint8_t)v;
    }
    err = mtr_tariff_set_demand(t, &dc);
    return committed(c, err);
#else
    (void)c;
    return MTR_ERR_NOTSUP;
#endif
}

mtr_err_t cosem_maxd_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    unsigned q = (unsigned)c->obj->obis[2] - 1u;
    unsigned e = c->obj->obis[4]; /* 0: any tariff, n: tariff Mn */
    struct cosem_out o;
    cosem_out_init(&o, c, w);
    if (c->id == 3) {
        put_scaler_unit(&o, c);
        return cosem_out_end(&o);
    }
#if MTR_WITH_CALENDAR
    const struct mtr_tariff *t = tariff_of(c);
    if (t == NULL) {
        return MTR_ERR_NOTSUP;
    }
    const struct mtr_demand_max *mx = &mtr_tariff_demand(t)->max[q][e];
    switch (c->id) {
    case 2:
        cosem_put_int(&o, MTR_DLMS_LONG64, mx->value);
        break;
    case 4: /* status: no maximum yet (1: value 0, tariff.h) or a maximum of this billing period (0) */
        cosem_put_uint(&o, MTR_DLMS_UNSIGNED, mx->value == 0 ? 1u : 0u);
        break;
    case 5: /* when the maximum was made, or of the last reset */
        put_time(&o, c, mx->time, mx->time != 0);
        break;
    default:
        return MTR_ERR_NOTSUP;
    }
    return cosem_out_end(&o);
#else
    (void)e;
    return MTR_ERR_NOTSUP;
#endif
}

#if MTR_WITH_CALENDAR
/* The tariff engine and the clock's view of now, for a method. */
static mtr_err_t method_now(const struct mtr_dlms_call *c, struct mtr_tariff **t,
                            struct mtr_clock_view *now)
{
    const struct mtr_meter_engines *e = cosem_engines(c);
    mtr_err_t err = cosem_param_integer(c); /* data: integer (0) */
    if (err != MTR_OK) {
        return err;
    }
    if (e->tariff == NULL || e->clock == NULL) {
        return MTR_ERR_NOTSUP;
    }
    *t = e->tariff;
    return mtr_clock_now(e->clock, now);
}
#endif

/*
 * Demand register methods (Blue Book class 5): reset (1) and next_period
 * (2), data integer (0), on the tariff engine (mtr_tariff_demand_reset(),
 * mtr_tariff_demand_next_period()). The demand quantities share one
 * measuring period: a method called on any demand register acts on all of
 * them. Refused while the clock is invalid (other-reason). The register
 * snapshot is committed at once, as for the demand settings.
 */
mtr_err_t cosem_demand_action(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    (void)w;
#if MTR_WITH_CALENDAR
    struct mtr_tariff *t = NULL;
    struct mtr_clock_view now;
    if (c->id != 1 && c->id != 2) {
        return MTR_ERR_DLMS_DENIED;
    }
    mtr_err_t err = method_now(c, &t, &now);
    if (err != MTR_OK) {
        return err;
    }
    err = c->id == 1 ? mtr_tariff_demand_reset(t, &now) : mtr_tariff_demand_next_period(t, &now);
    return committed(c, err);
#else
    (void)c;
    return MTR_ERR_NOTSUP;
#endif
}

/*
 * Maximum demand register reset (Blue Book class 4 method 1, data integer
 * (0)): the maximum of this object's quantity (C) and tariff (E) goes back
 * to value 0, status 1 (no maximum yet), capture_time the time of the reset
 * (mtr_tariff_max_reset()); the register snapshot is committed at once so
 * that a restart does not bring the maximum back.
 */
mtr_err_t cosem_maxd_action(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    (void)w;
#if MTR_WITH_CALENDAR
    struct mtr_tariff *t = NULL;
    struct mtr_clock_view now;
    if (c->id != 1) {
        return MTR_ERR_DLMS_DENIED;
    }
    mtr_err_t err = method_now(c, &t, &now);
    if (err != MTR_OK) {
        return err;
    }
    return committed(c, mtr_tariff_max_reset(t, (unsigned)c->obj->obis[2] - 1u, c->obj->obis[4], &now));
#else
    (void)c;
    return MTR_ERR_NOTSUP;
#endif
}

/*
 * Cumulative maximum demand (class 3, 1-0:C.2.E.255; IEC 62056-6-1 value
 * group D 2 "cumulative maximum 1"): the sum of the maxima of C.6.E at each
 * billing end (the tariff engine's cumulative maxima), E = 0 any tariff, n
 * tariff Mn. Same type and unit as the maxima: long64, mW (mvar, mVA) with
 * scaler -3.
 */
mtr_err_t cosem_cumd_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    unsigned q = (unsigned)c->obj->obis[2] - 1u;
    unsigned e = c->obj->obis[4];
    struct cosem_out o;
    cosem_out_init(&o, c, w);
    if (c->id == 3) {
        put_scaler_unit(&o, c);
        return cosem_out_end(&o);
    }
#if MTR_WITH_CALENDAR
    const struct mtr_tariff *t = tariff_of(c);
    if (t == NULL) {
        return MTR_ERR_NOTSUP;
    }
    if (c->id != 2 || q >= MTR_DEMAND_QUANTITIES || e > MTR_CFG_TARIFFS) {
        return MTR_ERR_NOTSUP;
    }
    cosem_put_int(&o, MTR_DLMS_LONG64, mtr_tariff_demand(t)->cumulative[q][e]);
    return cosem_out_end(&o);
#else
    (void)e;
    return MTR_ERR_NOTSUP;
#endif
}

/* ---------------------------------------------------------- instantaneous */

/* What an instantaneous object shows: kind k (C within its phase group) and
 * phase p (0 total, 1..3), or the neutral (C = 91). */
struct inst {
    uint8_t k;
    uint8_t phase;
    bool thd;
};

static struct inst inst_of(const uint8_t obis[6])
{
    struct inst in = {obis[2], 0, obis[4] == 124};
    if (obis[2] > 20 && obis[2] <= 80) {
        in.phase = (uint8_t)((obis[2] - 1u) / 20u);
        in.k = (uint8_t)(obis[2] - 20u * in.phase);
    }
    return in;
}

#if MTR_WITH_METROLOGY
/* THD (E = 124) of the phase's voltage or current: the metrology result (mtr_meter_value() has no THD). */
static mtr_err_t inst_thd(struct cosem_out *o, struct inst in, const struct mtr_metrology *m)
{
    struct mtr_metrology_result r;
    if (mtr_metrology_result(m, &r) != MTR_OK) {
        return MTR_ERR_BUSY; /* no period complete yet: temporary-failure */
    }
    const struct mtr_metrology_phase *ph = &r.ph[in.phase - 1u];
    cosem_put_uint(o, MTR_DLMS_LONG_UNSIGNED, in.k == 11 ? ph->thd_i : ph->thd_u);
    return MTR_OK;
}

/* The wire type of value @p v (mtr_meter_value(), meter.h) of kind in.k. */
static void inst_put(struct cosem_out *o, struct inst in, int64_t v)
{
    switch (in.k) {
    case 11: /* current, voltage (mA, mV) */
    case 12:
        cosem_put_uint(o, MTR_DLMS_DOUBLE_LONG_UNSIGNED, v > 0 ? (uint32_t)v : 0u);
        break;
    case 13: /* power factor x 10000, sign of P */
        cosem_put_int(o, MTR_DLMS_LONG, v);
        break;
    case 14: /* frequency, mHz */
    case 91: /* neutral current, mA */
        cosem_put_uint(o, MTR_DLMS_DOUBLE_LONG_UNSIGNED, v > 0 ? (uint64_t)v : 0u);
        break;
    default: /* powers: each direction's share, >= 0 (the apparent power follows P's direction) */
        cosem_put_int(o, MTR_DLMS_LONG64, v);
        break;
    }
}
#endif

mtr_err_t cosem_inst_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    struct inst in = inst_of(c->obj->obis);
    struct cosem_out o;
    cosem_out_init(&o, c, w);
    if (c->id == 3) {
        put_scaler_unit(&o, c);
        return cosem_out_end(&o);
    }
#if MTR_WITH_METROLOGY
    const struct mtr_metrology *m = cosem_engines(c)->metrology;
    mtr_err_t err;
    if (m == NULL) {
        return MTR_ERR_NOTSUP;
    }
    if (in.thd) {
        err = inst_thd(&o, in, m);
    } else {
        int64_t v = 0;
        err = meter_value(c, c->obj->obis, &v);
        if (err == MTR_OK) {
            inst_put(&o, in, v);
        }
    }
    return err != MTR_OK ? err : cosem_out_end(&o);
#else
    return MTR_ERR_NOTSUP;
#endif
}
