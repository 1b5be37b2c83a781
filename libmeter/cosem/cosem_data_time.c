/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Clock (interface class 8, version 0, 0-0:1.0.0.255; Blue Book 4.5.1) on
 * the clock engine: every write goes through the engine's own setter
 * (mtr_meter_rtc_set() for the time, so that the aggregate clears its
 * invalid-RTC flag), which refuses a bad value and changes nothing.
 *
 * daylight_savings_begin / _end (attributes 5, 6) carry the engine's yearly
 * rule (docs/cosem.md, "Clock"): year not specified; month; day of month
 * 1, 8, 15, 22 with a weekday = the first, second, third, fourth such
 * weekday, 0xFE with a weekday = the last one; hour and minute of the
 * switch; the deviation field gives the time base: 0 = UTC, the standard
 * time zone = local standard time, not specified = local wall time. Both
 * fully "not specified": no summer time. The first end written while there is
 * no rule takes the other end from the EU rule until that one is written. Explicit dates (engine kind
 * MTR_DST_EXPLICIT) are shown with their year, in UTC.
 */
#include "cosem_data.h"

#include <string.h>

#include "meter/clock.h"
#include "meter/tariff.h"

#define M_QUARTER 1u  /* adjust_to_quarter */
#define M_PERIOD 2u   /* adjust_to_measuring_period (the demand period of the tariff engine) */
#define M_MINUTE 3u   /* adjust_to_minute */
#define M_PRESET 4u   /* adjust_to_preset_time */
#define M_SET_PRESET 5u /* preset_adjusting_time */
#define M_SHIFT 6u    /* shift_time */

/* Time is set from level 1 up; zone and DST are settings (level 3 up). */
#define CLOCK_SETTINGS (COSEM_BIT(3) | COSEM_BIT(5) | COSEM_BIT(6) | COSEM_BIT(7) | COSEM_BIT(8))
#define CLOCK_METHODS                                                                              \
    (COSEM_BIT(M_QUARTER) | COSEM_BIT(M_PERIOD) | COSEM_BIT(M_MINUTE) | COSEM_BIT(M_PRESET) |     \
     COSEM_BIT(M_SET_PRESET) | COSEM_BIT(M_SHIFT))
const struct mtr_dlms_access cosem_acc_clock[MTR_CFG_DLMS_PROFILES] =
    COSEM_ACCESS_INIT(COSEM_UPTO(9), COSEM_UPTO(9), COSEM_BIT(2), CLOCK_METHODS, COSEM_BIT(2),
                      CLOCK_METHODS, COSEM_BIT(2) | CLOCK_SETTINGS, CLOCK_METHODS,
                      COSEM_BIT(2) | CLOCK_SETTINGS, CLOCK_METHODS);

#if MTR_WITH_CALENDAR

static struct mtr_clock *clock_of(const struct mtr_dlms_call *c)
{
    return cosem_engines(c)->clock;
}

/* Wire bytes of a DST switching point (see the file comment). */
static mtr_err_t dst_encode(const struct mtr_dst_config *dst, int16_t time_zone, bool end, uint8_t b[12])
{
    cosem_dt_unspecified(b);
    if (dst->kind == MTR_DST_EXPLICIT) {
        struct mtr_datetime dt;
        mtr_err_t err = mtr_datetime_from_utc(end ? dst->end_utc : dst->begin_utc, 0, 0, &dt);
        if (err != MTR_OK) {
            return err;
        }
        struct mtr_dlms_datetime d = {dt.year, dt.month, dt.day, dt.weekday, dt.hour, dt.minute,
                                      dt.second, 0xFF, 0, 0xFF};
        mtr_dlms_datetime_encode(&d, b);
    } else if (dst->kind == MTR_DST_RULE) {
        const struct mtr_dst_point *pt = end ? &dst->end : &dst->begin;
        struct mtr_dlms_datetime d = {
            0xFFFFu, pt->month, pt->week >= 5 ? 0xFEu : (uint8_t)(1u + 7u * (pt->week - 1u)),
            pt->weekday, (uint8_t)(pt->minute / 60u), (uint8_t)(pt->minute % 60u), 0, 0xFF,
            pt->base == MTR_DST_AT_UTC        ? 0
            : pt->base == MTR_DST_AT_STANDARD ? time_zone
                                              : MTR_DLMS_DEVIATION_NONE,
            0xFF};
        mtr_dlms_datetime_encode(&d, b);
    }
    return MTR_OK;
}

static bool all_unspecified(const uint8_t b[12])
{
    uint8_t u[12];
    cosem_dt_unspecified(u);
    /* the status byte may be 0 or 0xFF */
    return memcmp(b, u, 11) == 0 && (b[11] == 0xFF || b[11] == 0);
}

/* New DST settings from a write of attribute 5 (@p end false) or 6. */
static mtr_err_t dst_decode(const struct mtr_dlms_call *c, const uint8_t b[12], int16_t time_zone,
                            bool end, struct mtr_dst_config *dst)
{
    struct mtr_dlms_datetime d;
    if (all_unspecified(b)) {
        dst->kind = MTR_DST_NONE; /* no summer time */
        return MTR_OK;
    }
    if (mtr_dlms_datetime_decode(b, &d) != MTR_OK) {
        return MTR_ERR_INVAL;
    }
    if (d.year != 0xFFFFu) {
        /* an explicit date: only while the settings are explicit dates */
        mtr_utc_t utc;
        if (dst->kind != MTR_DST_EXPLICIT) {
            return MTR_ERR_RANGE;
        }
        if (cosem_dt_to_utc(c, b, &utc) != MTR_OK) {
            return MTR_ERR_INVAL;
        }
        *(end ? &dst->end_utc : &dst->begin_utc) = utc;
        return MTR_OK;
    }
    struct mtr_dst_point pt = {.month = d.month, .weekday = d.dow};
    if (d.month < 1 || d.month > 12 || d.dow < 1 || d.dow > 7 || d.hour > 23 || d.minute > 59 ||
        (d.second != 0 && d.second != 0xFF)) {
        return MTR_ERR_INVAL;
    }
    if (d.day == 0xFE) {
        pt.week = 5;
    } else if (d.day >= 1 && d.day <= 22 && (d.day - 1u) % 7u == 0) {
        pt.week = (uint8_t)(1u + (d.day - 1u) / 7u);
    } else {
        return MTR_ERR_INVAL;
    }
    if (d.deviation == 0) {
        pt.base = MTR_DST_AT_UTC;
    } else if (d.deviation == MTR_DLMS_DEVIATION_NONE) {
        pt.base = MTR_DST_AT_WALL;
    } else if (d.deviation == time_zone) {
        pt.base = MTR_DST_AT_STANDARD;
    } else {
        return MTR_ERR_INVAL;
    }
    pt.minute = (uint16_t)(d.hour * 60u + d.minute);
    if (dst->kind != MTR_DST_RULE) {
        /* the first end of a new rule: the other one is the EU rule's until
         * it is written too (summer time stays as enabled as it was) */
        struct mtr_dst_config eu;
        mtr_dst_eu(&eu);
        dst->begin = eu.begin;
        dst->end = eu.end;
        if (dst->deviation_min == 0) {
            dst->deviation_min = eu.deviation_min;
        }
    }
    dst->kind = MTR_DST_RULE;
    *(end ? &dst->end : &dst->begin) = pt;
    return MTR_OK;
}

mtr_err_t cosem_clock_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    struct mtr_clock *clk = clock_of(c);
    struct cosem_out o;
    int16_t tz;
    struct mtr_dst_config dst;
    uint8_t b[12];
    mtr_err_t err;

    if (clk == NULL) {
        return MTR_ERR_NOTSUP;
    }
    cosem_out_init(&o, c, w);
    mtr_clock_settings(clk, &tz, &dst);
    switch (c->id) {
    case 2: /* time */
    case 4: /* status */
    {
        struct mtr_clock_view v;
        err = mtr_clock_now(clk, &v);
        if (err != MTR_OK) {
            return err;
        }
        if (c->id == 4) {
            cosem_put_uint(&o, MTR_DLMS_UNSIGNED, v.status);
            break;
        }
        struct mtr_dlms_datetime d = {v.local.year, v.local.month, v.local.day,
                                      v.local.weekday, v.local.hour, v.local.minute,
                                      v.local.second, v.local.hundredths, v.local.deviation,
                                      v.status};
        mtr_dlms_datetime_encode(&d, b);
        cosem_put_copy(&o, MTR_DLMS_OCTET_STRING, b, 12);
        break;
    }
    case 3: /* time_zone, minutes (Blue Book sign) */
        cosem_put_int(&o, MTR_DLMS_LONG, tz);
        break;
    case 5: /* daylight_savings_begin */
    case 6: /* daylight_savings_end */
        err = dst_encode(&dst, tz, c->id == 6, b);
        if (err != MTR_OK) {
            return err;
        }
        cosem_put_copy(&o, MTR_DLMS_OCTET_STRING, b, 12);
        break;
    case 7: /* daylight_savings_deviation, minutes */
        cosem_put_int(&o, MTR_DLMS_INTEGER, dst.deviation_min);
        break;
    case 8: /* daylight_savings_enabled */
        cosem_put_bool(&o, dst.enabled && dst.kind != MTR_DST_NONE);
        break;
    case 9: /* clock_base: internal crystal */
        cosem_put_uint(&o, MTR_DLMS_ENUM, 1);
        break;
    default:
        return MTR_ERR_NOTSUP;
    }
    return cosem_out_end(&o);
}

/* A date-time value: octet-string (12) as the Blue Book defines the clock's
 * attributes, or the date-time type (25) some clients send. */
static bool get_dt(struct cosem_in *in, const uint8_t **b)
{
    uint32_t len;
    struct cosem_in save = *in;
    if (cosem_get_bytes(in, MTR_DLMS_OCTET_STRING, b, &len, 12)) {
        return true;
    }
    *in = save;
    struct mtr_dlms_axdr_token t;
    if (mtr_dlms_axdr_next(&in->r, &in->p, in->end, &t) != MTR_OK || t.tag != MTR_DLMS_DATE_TIME) {
        in->err = MTR_ERR_INVAL;
        return false;
    }
    *b = t.value;
    return true;
}

mtr_err_t cosem_clock_set(const struct mtr_dlms_call *c)
{
    struct mtr_clock *clk = clock_of(c);
    struct cosem_in in;
    int16_t tz;
    struct mtr_dst_config dst;
    const uint8_t *b = NULL;
    int64_t v = 0;
    bool flag = false;
    mtr_err_t err;

    if (clk == NULL) {
        return MTR_ERR_NOTSUP;
    }
    mtr_clock_settings(clk, &tz, &dst);
    cosem_in_init(&in, c->data, c->data_len);
    switch (c->id) {
    case 2:
    case 5:
    case 6:
        (void)get_dt(&in, &b);
        break;
    case 3:
        (void)cosem_get_int(&in, MTR_DLMS_LONG, &v);
        break;
    case 7:
        (void)cosem_get_int(&in, MTR_DLMS_INTEGER, &v);
        break;
    case 8:
        (void)cosem_get_bool(&in, &flag);
        break;
    default:
        return MTR_ERR_NOTSUP;
    }
    err = cosem_in_end(&in);
    if (err != MTR_OK) {
        return err;
    }
    switch (c->id) {
    case 2: {
        mtr_utc_t utc;
        if (cosem_dt_to_utc(c, b, &utc) != MTR_OK) {
            return MTR_ERR_INVAL;
        }
        return mtr_meter_rtc_set(cosem_of(c)->cfg.meter, utc);
    }
    case 3:
        return mtr_clock_set_time_zone(clk, (int16_t)v);
    case 7:
        if (v < -120 || v > 120) {
            return MTR_ERR_RANGE;
        }
        dst.deviation_min = (int16_t)v;
        break;
    case 8:
        dst.enabled = flag;
        break;
    default: /* 5, 6 */
        err = dst_decode(c, b, tz, c->id == 6, &dst);
        if (err != MTR_OK) {
            return err;
        }
        break;
    }
    return mtr_clock_set_dst(clk, &dst);
}

/* preset_adjusting_time: structure {preset_time, validity_interval_start, validity_interval_end}. */
static mtr_err_t preset(const struct mtr_dlms_call *c, struct mtr_clock *clk)
{
    struct cosem_in in;
    const uint8_t *b[3] = {NULL, NULL, NULL};
    mtr_utc_t t[3];
    uint32_t len;

    cosem_in_init(&in, c->data, c->data_len);
    (void)cosem_get_struct(&in, 3);
    for (int k = 0; k < 3; k++) {
        (void)cosem_get_bytes(&in, MTR_DLMS_OCTET_STRING, &b[k], &len, 12);
    }
    mtr_err_t err = cosem_in_end(&in);
    if (err != MTR_OK) {
        return err;
    }
    for (int k = 0; k < 3; k++) {
        if (cosem_dt_to_utc(c, b[k], &t[k]) != MTR_OK) {
            return MTR_ERR_INVAL;
        }
    }
    return mtr_clock_preset(clk, t[0], t[1], t[2]);
}

/*
 * adjust_to_measuring_period (Blue Book class 8 method 2: "to the nearest
 * (+/-) starting point of a measuring period"). The measuring period is the
 * demand period of the tariff engine (class 5 attribute 8, the settings last
 * written: those the sub-period started by the change runs with), whose
 * boundaries are aligned in local standard time (mtr_clock_adjust_to_period(),
 * ties up as adjust_to_quarter); the change is logged as every clock change
 * (events 4 and 5). The engines are stepped at once, so the demand sub-period
 * the change cuts is flagged and the next one starts whole at the boundary.
 * Refused while the clock is invalid (MTR_ERR_STATE: no nearest boundary of
 * an unknown time); without the tariff engine the object has no measuring
 * period (MTR_ERR_NOTSUP).
 */
static mtr_err_t adjust_to_period(const struct mtr_dlms_call *c, struct mtr_clock *clk)
{
    const struct mtr_tariff *t = cosem_engines(c)->tariff;
    struct mtr_demand_config dc;
    mtr_err_t err = cosem_param_integer(c);

    if (err != MTR_OK) {
        return err;
    }
    if (t == NULL) {
        return MTR_ERR_NOTSUP;
    }
    mtr_tariff_demand_config(t, &dc);
    err = mtr_clock_adjust_to_period(clk, dc.period_s); /* 60..3600 (mtr_demand_check()) */
    if (err == MTR_OK) {
        /* the engines step at once, so that the demand sub-period cut by the
         * change ends and the new one starts at the boundary itself (a step a
         * second later would start it off the boundary, flagged short); a
         * failed commit is retried by the aggregate's periodic commit */
        (void)mtr_meter_commit(cosem_of(c)->cfg.meter);
    }
    return err;
}

mtr_err_t cosem_clock_action(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    struct mtr_clock *clk = clock_of(c);
    mtr_err_t err;

    (void)w;
    if (clk == NULL) {
        return MTR_ERR_NOTSUP;
    }
    switch (c->id) {
    case M_QUARTER:
    case M_MINUTE:
    case M_PRESET:
        err = cosem_param_integer(c);
        if (err != MTR_OK) {
            return err;
        }
        return c->id == M_QUARTER  ? mtr_clock_adjust_to_quarter(clk)
               : c->id == M_MINUTE ? mtr_clock_adjust_to_minute(clk)
                                   : mtr_clock_adjust_to_preset(clk);
    case M_SET_PRESET:
        return preset(c, clk);
    case M_SHIFT: {
        struct cosem_in in;
        int64_t s = 0;
        cosem_in_init(&in, c->data, c->data_len);
        (void)cosem_get_int(&in, MTR_DLMS_LONG, &s);
        err = cosem_in_end(&in);
        return err != MTR_OK ? err : mtr_clock_shift(clk, (int32_t)s);
    }
    case M_PERIOD:
        return adjust_to_period(c, clk);
    default:
        return MTR_ERR_NOTSUP;
    }
}

#else /* !MTR_WITH_CALENDAR */

mtr_err_t cosem_clock_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    (void)c;
    (void)w;
    return MTR_ERR_NOTSUP;
}

mtr_err_t cosem_clock_set(const struct mtr_dlms_call *c)
{
    (void)c;
    return MTR_ERR_NOTSUP;
}

mtr_err_t cosem_clock_action(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    (void)c;
    (void)w;
    return MTR_ERR_NOTSUP;
}

#endif
