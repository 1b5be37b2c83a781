/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Control objects (objects_control.def): the functions the control objects
 * share; disconnect control (class 70), limiter (class 71), disconnector
 * control script table (class 9), future disconnector activation (class
 * 22); error register, alarm registers, filters and descriptors (class 1)
 * and alarm monitors (class 21) of the events engine; power-quality
 * thresholds (class 3). Class semantics: DLMS UA Blue Book (IEC 62056-6-2);
 * OBIS codes, modes and bits: the seed's obis-objects.csv,
 * disconnector-modes.csv, disconnector-states.md, alarm-bits.csv and
 * error-register.csv. See docs/cosem-control.md.
 */
#include "cosem_control.h"

#include <limits.h>
#include <string.h>

#if MTR_WITH_DISCONNECT
#include "meter/disconnect.h"
#endif
#if MTR_WITH_EVENTS
#include "meter/events.h"
#endif
#if MTR_WITH_QUALITY
#include "meter/quality.h"
#endif

const uint8_t cosem_ctl_index[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

/* ================================================================ shared functions */

void cosem_ctl_put_bits8(struct cosem_out *o, uint8_t bits)
{
    cosem_ctl_put_bits(o, bits, 8);
}

void cosem_ctl_put_bits(struct cosem_out *o, uint8_t bits, uint8_t nbits)
{
    uint8_t b = 0;
    mtr_err_t err;

    if (nbits > 8) {
        nbits = 8;
    }
    for (unsigned k = 0; k < nbits; k++) {
        if ((bits >> k) & 1u) {
            b = (uint8_t)(b | (0x80u >> k)); /* A-XDR: bit 0 is the leading bit */
        }
    }
    /* one item, as the cosem_put_*() functions count them (cosem_int.h) */
    if (o->err != MTR_OK) {
        return;
    }
    if (o->cursor != NULL && o->n < o->cursor[0]) {
        o->n++;
        return;
    }
    if (!mtr_dlms_server_room(o->w) || o->w->cap - o->w->len < 3u) {
        cosem_out_fail(o, o->cursor != NULL ? MTR_ERR_FULL : MTR_ERR_OVERFLOW);
        return;
    }
    err = mtr_dlms_axdr_put_bits(o->w, &b, nbits); /* <= 3 bytes in this block: nothing pending */
    if (err != MTR_OK) {
        cosem_out_fail(o, err);
        return;
    }
    o->n++;
    if (o->cursor != NULL) {
        o->cursor[0] = o->n;
    }
}

void cosem_ctl_put_datetime(struct cosem_out *o, const struct mtr_dlms_call *c, mtr_utc_t utc)
{
    uint8_t b[12];

    /* The engines use 0 (and negative values) for "never" or "not set": sent as
     * the Blue Book's date-time with every field not specified. */
    if (utc <= 0 || cosem_dt_from_utc(c, utc, b) != MTR_OK) {
        cosem_dt_unspecified(b);
    }
    cosem_put_copy(o, MTR_DLMS_OCTET_STRING, b, 12);
}

void cosem_ctl_put_capture_def(struct cosem_out *o, uint16_t class_id, const uint8_t obis[6], int8_t attr,
                               uint16_t data_index)
{
    cosem_put_struct(o, 4);
    cosem_put_uint(o, MTR_DLMS_LONG_UNSIGNED, class_id);
    cosem_put_obis(o, obis);
    cosem_put_int(o, MTR_DLMS_INTEGER, attr);
    cosem_put_uint(o, MTR_DLMS_LONG_UNSIGNED, data_index);
}

void cosem_ctl_put_script(struct cosem_out *o, const uint8_t obis[6], uint16_t selector)
{
    cosem_put_struct(o, 2);
    cosem_put_obis(o, obis);
    cosem_put_uint(o, MTR_DLMS_LONG_UNSIGNED, selector);
}

bool cosem_ctl_in_fail(struct cosem_in *in, mtr_err_t err)
{
    if (in->err == MTR_OK) {
        in->err = err;
    }
    return false;
}

bool cosem_ctl_get_token(struct cosem_in *in, struct mtr_dlms_axdr_token *t)
{
    if (in->err != MTR_OK) {
        return false;
    }
    if (mtr_dlms_axdr_next(&in->r, &in->p, in->end, t) != MTR_OK) {
        return cosem_ctl_in_fail(in, MTR_ERR_INVAL);
    }
    return true;
}

bool cosem_ctl_get_num(struct cosem_in *in, int64_t *v)
{
    struct mtr_dlms_axdr_token t;
    uint64_t u;

    if (!cosem_ctl_get_token(in, &t)) {
        return false;
    }
    switch (t.tag) {
    case MTR_DLMS_INTEGER:
    case MTR_DLMS_LONG:
    case MTR_DLMS_DOUBLE_LONG:
    case MTR_DLMS_LONG64:
        return mtr_dlms_axdr_get_int(&t, v) == MTR_OK || cosem_ctl_in_fail(in, MTR_ERR_INVAL);
    case MTR_DLMS_UNSIGNED:
    case MTR_DLMS_LONG_UNSIGNED:
    case MTR_DLMS_DOUBLE_LONG_UNSIGNED:
    case MTR_DLMS_LONG64_UNSIGNED:
        if (mtr_dlms_axdr_get_uint(&t, &u) != MTR_OK) {
            return cosem_ctl_in_fail(in, MTR_ERR_INVAL);
        }
        if (u > (uint64_t)INT64_MAX) {
            return cosem_ctl_in_fail(in, COSEM_ERR_REFUSED);
        }
        *v = (int64_t)u;
        return true;
    default:
        return cosem_ctl_in_fail(in, MTR_ERR_INVAL);
    }
}

bool cosem_ctl_get_unum(struct cosem_in *in, uint64_t max, uint64_t *v)
{
    int64_t s;

    if (!cosem_ctl_get_num(in, &s)) {
        return false;
    }
    if (s < 0 || (uint64_t)s > max) {
        return cosem_ctl_in_fail(in, COSEM_ERR_REFUSED);
    }
    *v = (uint64_t)s;
    return true;
}

bool cosem_ctl_get_bits8(struct cosem_in *in, uint8_t *bits)
{
    struct mtr_dlms_axdr_token t;
    uint8_t b = 0;

    if (!cosem_ctl_get_token(in, &t)) {
        return false;
    }
    if (t.tag != MTR_DLMS_BIT_STRING || t.count > 8) {
        return cosem_ctl_in_fail(in, MTR_ERR_INVAL);
    }
    for (uint32_t k = 0; k < t.count; k++) {
        if (t.value[0] & (0x80u >> k)) {
            b = (uint8_t)(b | (1u << k));
        }
    }
    *bits = b;
    return true;
}

bool cosem_ctl_get_datetime(struct cosem_in *in, const struct mtr_dlms_call *c, mtr_utc_t *utc)
{
    struct mtr_dlms_axdr_token t;

    if (!cosem_ctl_get_token(in, &t)) {
        return false;
    }
    if (t.value_len != 12 || !((t.tag == MTR_DLMS_OCTET_STRING && t.count == 12) || t.tag == MTR_DLMS_DATE_TIME)) {
        return cosem_ctl_in_fail(in, MTR_ERR_INVAL);
    }
    /* date and time not specified at all: "never", the engines' 0 (what
     * cosem_ctl_put_datetime() sends for it, so a value read writes back) */
    bool unspecified = true;
    for (unsigned k = 0; k < 9; k++) {
        unspecified = unspecified && t.value[k] == 0xFFu;
    }
    if (unspecified) {
        *utc = 0;
        return true;
    }
    if (cosem_dt_to_utc(c, t.value, utc) != MTR_OK) {
        return cosem_ctl_in_fail(in, MTR_ERR_INVAL);
    }
    return true;
}

mtr_err_t cosem_ctl_err(mtr_err_t err)
{
    switch (err) {
    case MTR_ERR_DISCONNECT_FORBIDDEN:
        return MTR_ERR_DLMS_DENIED;
    case MTR_ERR_DISCONNECT_STATE:
    case MTR_ERR_DISCONNECT_CAUSE:
    case MTR_ERR_PREPAID_NO_EC:
    case MTR_ERR_PREPAID_ACCOUNT:
    case MTR_ERR_STATE:
        return MTR_ERR_BUSY;
    case MTR_ERR_DISCONNECT_CHANNEL:
    case MTR_ERR_PREPAID_UNIT:
    case MTR_ERR_NOENT:
        return MTR_ERR_NOTSUP;
    case MTR_ERR_RANGE:
    case MTR_ERR_INVAL:
        /* an engine refusing a value the object decoded well */
        return COSEM_ERR_REFUSED;
    default:
        return err; /* the engine's own code: other-reason, or as the server maps it */
    }
}

mtr_err_t cosem_ctl_now_ms(const struct mtr_dlms_call *c, mtr_ms_t *ms)
{
    const struct mtr_hal *hal = &cosem_of(c)->cfg.meter->hal;

    return hal->clock->ms_now(hal->ctx, ms) == MTR_OK ? MTR_OK : MTR_ERR_IO;
}

mtr_utc_t cosem_ctl_now_utc(const struct mtr_dlms_call *c)
{
    const struct mtr_hal *hal = &cosem_of(c)->cfg.meter->hal;
    mtr_utc_t utc = -1;

    if (hal->clock->rtc_get(hal->ctx, &utc) != MTR_OK || utc < 0) {
        return -1;
    }
    return utc;
}

/* ================================================================ access rights */

/*
 * Roles (meter/cosem.h, seed security.json; docs/cosem-control.md): public
 * reads the logical names and the supply state; levels 1..3 read
 * everything; level 3 (the other meter settings) also writes the limiter's
 * thresholds and durations, the alarm filters and the quality thresholds;
 * the management client alone operates the supply (remote disconnect and
 * reconnect, scripts), changes the control mode, programs the emergency
 * profile and clears the error and alarm registers.
 */
#define ROLE(r) [MTR_COSEM_ROLE_##r]

const struct mtr_dlms_access cosem_acc_dc[MTR_CFG_DLMS_PROFILES] = {
    ROLE(PUBLIC) = {COSEM_UPTO(3), 0, 0},
    ROLE(MANAGEMENT) = {COSEM_UPTO(4), COSEM_BIT(4), COSEM_UPTO(2)},
    ROLE(LEVEL1) = {COSEM_UPTO(4), 0, 0},
    ROLE(LEVEL2) = {COSEM_UPTO(4), 0, 0},
    ROLE(LEVEL3) = {COSEM_UPTO(4), 0, 0},
    ROLE(PRE_ESTABLISHED) = {COSEM_BIT(1), 0, 0},
};

#define LIMITER_SETTINGS (COSEM_BIT(4) | COSEM_BIT(5) | COSEM_BIT(6) | COSEM_BIT(7))
const struct mtr_dlms_access cosem_acc_limiter[MTR_CFG_DLMS_PROFILES] = {
    ROLE(PUBLIC) = {COSEM_BIT(1), 0, 0},
    ROLE(MANAGEMENT) = {COSEM_UPTO(11), LIMITER_SETTINGS | COSEM_BIT(8) | COSEM_BIT(9), 0},
    ROLE(LEVEL1) = {COSEM_UPTO(11), 0, 0},
    ROLE(LEVEL2) = {COSEM_UPTO(11), 0, 0},
    ROLE(LEVEL3) = {COSEM_UPTO(11), LIMITER_SETTINGS, 0},
    ROLE(PRE_ESTABLISHED) = {COSEM_BIT(1), 0, 0},
};

const struct mtr_dlms_access cosem_acc_dc_script[MTR_CFG_DLMS_PROFILES] =
    COSEM_ACCESS_MANAGEMENT(COSEM_UPTO(2), 0, COSEM_BIT(1));

const struct mtr_dlms_access cosem_acc_dc_schedule[MTR_CFG_DLMS_PROFILES] =
    COSEM_ACCESS_MANAGEMENT(COSEM_UPTO(4), 0, 0);

const struct mtr_dlms_access cosem_acc_error_reg[MTR_CFG_DLMS_PROFILES] =
    COSEM_ACCESS_MANAGEMENT(COSEM_UPTO(2), COSEM_BIT(2), 0);

const struct mtr_dlms_access cosem_acc_alarm_reg[MTR_CFG_DLMS_PROFILES] =
    COSEM_ACCESS_MANAGEMENT(COSEM_UPTO(2), COSEM_BIT(2), 0);

const struct mtr_dlms_access cosem_acc_alarm_filter[MTR_CFG_DLMS_PROFILES] =
    COSEM_ACCESS_SETTING(COSEM_UPTO(2), COSEM_BIT(2), 0);

const struct mtr_dlms_access cosem_acc_alarm_monitor[MTR_CFG_DLMS_PROFILES] = COSEM_ACCESS_READ(COSEM_UPTO(4));

const struct mtr_dlms_access cosem_acc_quality[MTR_CFG_DLMS_PROFILES] =
    COSEM_ACCESS_SETTING(COSEM_UPTO(3), COSEM_BIT(2), 0);

#if MTR_WITH_DISCONNECT

/* ================================================================ disconnect control (class 70) */

/* The disconnector of the object (channel = the object's index), or NULL. */
static struct mtr_disconnect *dc_of(const struct mtr_dlms_call *c, uint8_t *ch)
{
    const struct mtr_meter_engines *e = cosem_engines(c);

    *ch = *(const uint8_t *)c->obj->user;
    if (e == NULL || e->disconnect == NULL || *ch >= MTR_CFG_DISCONNECT_CHANNELS) {
        return NULL;
    }
    return e->disconnect;
}

mtr_err_t cosem_dc_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    uint8_t ch;
    struct mtr_disconnect *dc = dc_of(c, &ch);
    struct cosem_out o;

    if (dc == NULL) {
        return MTR_ERR_NOTSUP;
    }
    cosem_out_init(&o, c, w);
    switch (c->id) {
    case 2: /* output_state */
        cosem_put_bool(&o, mtr_disconnect_output(dc, ch));
        break;
    case 3: /* control_state */
        cosem_put_uint(&o, MTR_DLMS_ENUM, mtr_disconnect_state(dc, ch));
        break;
    case 4: /* control_mode */
        cosem_put_uint(&o, MTR_DLMS_ENUM, mtr_disconnect_mode(dc, ch));
        break;
    default:
        return MTR_ERR_NOTSUP;
    }
    return cosem_out_end(&o);
}

mtr_err_t cosem_dc_set(const struct mtr_dlms_call *c)
{
    uint8_t ch;
    struct mtr_disconnect *dc = dc_of(c, &ch);
    struct cosem_in in;
    uint64_t mode = 0;

    if (dc == NULL) {
        return MTR_ERR_NOTSUP;
    }
    if (c->id != 4) {
        return MTR_ERR_DLMS_DENIED;
    }
    cosem_in_init(&in, c->data, c->data_len);
    (void)cosem_get_uint(&in, MTR_DLMS_ENUM, &mode);
    if (cosem_in_end(&in) != MTR_OK) {
        return cosem_in_end(&in);
    }
    if (mode > UINT8_MAX) {
        return COSEM_ERR_REFUSED;
    }
    return cosem_ctl_err(mtr_disconnect_set_mode(dc, ch, (uint8_t)mode));
}

#define DC_T(x) (1u << MTR_DC_T_##x)

/*
 * remote_disconnect / remote_reconnect of channel @p ch: refused with
 * read-write-denied when the control mode allows neither of the method's
 * transitions (b/c; a/d); a channel already where the method leads
 * (disconnected; connected, or ready in a mode with d) succeeds unchanged.
 */
static mtr_err_t dc_remote(const struct mtr_dlms_call *c, struct mtr_disconnect *dc, uint8_t ch, bool reconnect)
{
    uint8_t mask = mtr_disconnect_mode_mask(mtr_disconnect_mode(dc, ch));
    uint8_t state = mtr_disconnect_state(dc, ch);
    mtr_ms_t now;
    mtr_err_t err;

    if (!reconnect) {
        if ((mask & (DC_T(B) | DC_T(C))) == 0) {
            return MTR_ERR_DLMS_DENIED;
        }
        if (state == MTR_DC_DISCONNECTED) {
            return MTR_OK;
        }
    } else {
        if ((mask & (DC_T(A) | DC_T(D))) == 0) {
            return MTR_ERR_DLMS_DENIED;
        }
        if (state == MTR_DC_CONNECTED || (state == MTR_DC_READY && (mask & DC_T(D)) != 0)) {
            return MTR_OK;
        }
    }
    err = cosem_ctl_now_ms(c, &now);
    if (err != MTR_OK) {
        return err;
    }
    err = reconnect ? mtr_disconnect_remote_reconnect(dc, ch, now) : mtr_disconnect_remote_disconnect(dc, ch, now);
    return cosem_ctl_err(err);
}

mtr_err_t cosem_dc_action(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    uint8_t ch;
    struct mtr_disconnect *dc = dc_of(c, &ch);
    mtr_err_t err;

    (void)w;
    if (dc == NULL || (c->id != 1 && c->id != 2)) {
        return MTR_ERR_NOTSUP;
    }
    err = cosem_param_integer(c);
    if (err != MTR_OK) {
        return err;
    }
    return dc_remote(c, dc, ch, c->id == 2);
}

/* ================================================================ limiter (class 71) */

/* Monitored value: active power import of the last metrology period,
 * 1-0:1.7.0.255 attribute 2 (long64 mW, scaler -3 W: docs/cosem.md). The
 * thresholds have its type and unit: long64, mW. */
static const uint8_t OBIS_MONITORED[6] = {1, 0, 1, 7, 0, 255};
/* Disconnector control script table: script 1 disconnects, 2 reconnects. */
static const uint8_t OBIS_DC_SCRIPT[6] = {0, 0, 10, 0, 106, 255};
static const uint8_t OBIS_DC_MAIN[6] = {0, 0, 96, 3, 10, 255};

static struct mtr_disconnect *limiter_of(const struct mtr_dlms_call *c)
{
    const struct mtr_meter_engines *e = cosem_engines(c);

    return e == NULL ? NULL : e->disconnect;
}

/* emergency_profile_active: this meter's group is listed and now lies in the
 * profile's window (mtr_disconnect_emergency_active(); an unknown time: false). */
static bool limiter_emergency_active(const struct mtr_dlms_call *c, const struct mtr_disconnect *dc)
{
    return mtr_disconnect_emergency_active(dc, cosem_ctl_now_utc(c));
}

mtr_err_t cosem_limiter_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    struct mtr_disconnect *dc = limiter_of(c);
    struct mtr_dc_limiter lim;
    struct mtr_dc_emergency epv;
    const struct mtr_dc_emergency *ep = &epv;
    struct cosem_out o;

    if (dc == NULL) {
        return MTR_ERR_NOTSUP;
    }
    mtr_disconnect_limiter_get(dc, &lim);
    mtr_disconnect_emergency_get(dc, &epv);
    cosem_out_init(&o, c, w);
    switch (c->id) {
    case 2: /* monitored_value: value_definition {class_id, logical_name, attribute_index}
             * (Blue Book, class 71 attribute 2: three elements, no data_index) */
        cosem_put_struct(&o, 3);
        cosem_put_uint(&o, MTR_DLMS_LONG_UNSIGNED, 3);
        cosem_put_obis(&o, OBIS_MONITORED);
        cosem_put_int(&o, MTR_DLMS_INTEGER, 2);
        break;
    case 3: /* threshold_active */
        cosem_put_int(&o, MTR_DLMS_LONG64, mtr_disconnect_active_threshold(dc));
        break;
    case 4: /* threshold_normal */
        cosem_put_int(&o, MTR_DLMS_LONG64, lim.normal_mw);
        break;
    case 5: /* threshold_emergency */
        cosem_put_int(&o, MTR_DLMS_LONG64, lim.emergency_mw);
        break;
    case 6: /* min_over_threshold_duration, s */
        cosem_put_uint(&o, MTR_DLMS_DOUBLE_LONG_UNSIGNED, lim.min_over_s);
        break;
    case 7: /* min_under_threshold_duration, s */
        cosem_put_uint(&o, MTR_DLMS_DOUBLE_LONG_UNSIGNED, lim.min_under_s);
        break;
    case 8: /* emergency_profile {id, activation_time, duration} */
        cosem_put_struct(&o, 3);
        cosem_put_uint(&o, MTR_DLMS_LONG_UNSIGNED, ep->id);
        cosem_ctl_put_datetime(&o, c, ep->activation_utc);
        cosem_put_uint(&o, MTR_DLMS_DOUBLE_LONG_UNSIGNED,
                       ep->duration_s > UINT32_MAX ? UINT32_MAX : (uint32_t)ep->duration_s);
        break;
    case 9: { /* emergency_profile_group_id_list */
        uint8_t n = ep->groups <= MTR_CFG_DISCONNECT_GROUPS ? ep->groups : MTR_CFG_DISCONNECT_GROUPS;
        cosem_put_array(&o, n);
        for (uint8_t g = 0; g < n; g++) {
            cosem_put_uint(&o, MTR_DLMS_LONG_UNSIGNED, ep->group[g]);
        }
        break;
    }
    case 10: /* emergency_profile_active */
        cosem_put_bool(&o, limiter_emergency_active(c, dc));
        break;
    case 11: /* actions: the engine opens (g) and recloses (h) the main disconnector itself */
        cosem_put_struct(&o, 2);
        cosem_ctl_put_script(&o, OBIS_DC_SCRIPT, 1);
        cosem_ctl_put_script(&o, OBIS_DC_SCRIPT, 2);
        break;
    default:
        return MTR_ERR_NOTSUP;
    }
    return cosem_out_end(&o);
}

/* emergency_profile (8) or emergency_profile_group_id_list (9). */
static mtr_err_t limiter_set_emergency(const struct mtr_dlms_call *c, struct mtr_disconnect *dc,
                                       struct cosem_in *in)
{
    struct mtr_dc_emergency ep;
    uint64_t id = 0, duration = 0, g = 0;
    uint32_t n = 0;

    mtr_disconnect_emergency_get(dc, &ep);
    if (c->id == 8) {
        if (cosem_get_struct(in, 3) && cosem_ctl_get_unum(in, UINT16_MAX, &id) &&
            cosem_ctl_get_datetime(in, c, &ep.activation_utc)) {
            (void)cosem_ctl_get_unum(in, UINT32_MAX, &duration);
        }
        ep.id = (uint16_t)id;
        ep.duration_s = duration;
    } else {
        if (cosem_get_array(in, &n) && n > MTR_CFG_DISCONNECT_GROUPS) {
            (void)cosem_ctl_in_fail(in, COSEM_ERR_REFUSED);
        }
        memset(ep.group, 0, sizeof ep.group);
        for (uint32_t k = 0; k < n && in->err == MTR_OK; k++) {
            if (cosem_ctl_get_unum(in, UINT16_MAX, &g)) {
                ep.group[k] = (uint16_t)g;
            }
        }
        ep.groups = (uint8_t)n;
    }
    if (cosem_in_end(in) != MTR_OK) {
        return cosem_in_end(in);
    }
    return cosem_ctl_err(mtr_disconnect_emergency_set(dc, &ep));
}

mtr_err_t cosem_limiter_set(const struct mtr_dlms_call *c)
{
    struct mtr_disconnect *dc = limiter_of(c);
    struct mtr_dc_limiter lim;
    struct cosem_in in;
    uint64_t v = 0;

    if (dc == NULL) {
        return MTR_ERR_NOTSUP;
    }
    cosem_in_init(&in, c->data, c->data_len);
    mtr_disconnect_limiter_get(dc, &lim);
    switch (c->id) {
    case 4: /* thresholds: mW (the monitored value's unit), any integer type */
    case 5:
        (void)cosem_ctl_get_unum(&in, (uint64_t)INT64_MAX, &v);
        if (c->id == 4) {
            lim.normal_mw = (mtr_mw_t)v;
        } else {
            lim.emergency_mw = (mtr_mw_t)v;
        }
        break;
    case 6: /* durations, s */
    case 7:
        (void)cosem_ctl_get_unum(&in, MTR_DC_DURATION_MAX_S, &v);
        if (c->id == 6) {
            lim.min_over_s = (uint32_t)v;
        } else {
            lim.min_under_s = (uint32_t)v;
        }
        break;
    case 8:
    case 9:
        return limiter_set_emergency(c, dc, &in);
    default:
        return MTR_ERR_DLMS_DENIED;
    }
    if (cosem_in_end(&in) != MTR_OK) {
        return cosem_in_end(&in);
    }
    return cosem_ctl_err(mtr_disconnect_limiter_set(dc, &lim));
}

/* ================================================================ script table (class 9) */

mtr_err_t cosem_dc_script_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    struct cosem_out o;

    if (limiter_of(c) == NULL || c->id != 2) {
        return MTR_ERR_NOTSUP;
    }
    /* scripts: {script_identifier, actions {service_id 2 = execute method,
     * class_id, logical_name, index = method, parameter integer 0}} */
    cosem_out_init(&o, c, w);
    cosem_put_array(&o, 2);
    for (uint8_t id = 1; id <= 2; id++) {
        cosem_put_struct(&o, 2);
        cosem_put_uint(&o, MTR_DLMS_LONG_UNSIGNED, id);
        cosem_put_array(&o, 1);
        cosem_put_struct(&o, 5);
        cosem_put_uint(&o, MTR_DLMS_ENUM, 2);
        cosem_put_uint(&o, MTR_DLMS_LONG_UNSIGNED, 70);
        cosem_put_obis(&o, OBIS_DC_MAIN);
        cosem_put_int(&o, MTR_DLMS_INTEGER, id);
        cosem_put_int(&o, MTR_DLMS_INTEGER, 0);
    }
    return cosem_out_end(&o);
}

mtr_err_t cosem_dc_script_action(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    struct mtr_disconnect *dc = limiter_of(c);
    struct cosem_in in;
    uint64_t id = 0;

    (void)w;
    if (dc == NULL || c->id != 1) {
        return MTR_ERR_NOTSUP;
    }
    cosem_in_init(&in, c->data, c->data_len);
    (void)cosem_get_uint(&in, MTR_DLMS_LONG_UNSIGNED, &id);
    if (cosem_in_end(&in) != MTR_OK) {
        return cosem_in_end(&in);
    }
    if (id != 1 && id != 2) {
        return MTR_ERR_RANGE;
    }
    return dc_remote(c, dc, 0, id == 2);
}

/* ================================================================ schedule (class 22) */

/*
 * The disconnect engine offers no scheduling: the future disconnector
 * activation answers an empty execution_time list and is not writable
 * (docs/cosem-control.md).
 */
mtr_err_t cosem_dc_schedule_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    struct cosem_out o;

    if (limiter_of(c) == NULL) {
        return MTR_ERR_NOTSUP;
    }
    cosem_out_init(&o, c, w);
    switch (c->id) {
    case 2: /* executed_script */
        cosem_ctl_put_script(&o, OBIS_DC_SCRIPT, 1);
        break;
    case 3: /* type: size of execution_time = 1 */
        cosem_put_uint(&o, MTR_DLMS_ENUM, 1);
        break;
    case 4: /* execution_time */
        cosem_put_array(&o, 0);
        break;
    default:
        return MTR_ERR_NOTSUP;
    }
    return cosem_out_end(&o);
}


#endif /* MTR_WITH_DISCONNECT */

#if MTR_WITH_EVENTS

/* ================================================================ error and alarm registers (class 1) */

static struct mtr_events *events_of(const struct mtr_dlms_call *c)
{
    const struct mtr_meter_engines *e = cosem_engines(c);

    return e == NULL ? NULL : e->events;
}

static uint32_t status_value(const struct mtr_events *ev, uint8_t kind)
{
    switch (kind) {
    case COSEM_ST_ERROR:
        return mtr_events_error(ev);
    case COSEM_ST_ALARM1:
    case COSEM_ST_ALARM2:
        return mtr_events_alarm(ev, (uint8_t)(kind - COSEM_ST_ALARM1 + 1u));
    case COSEM_ST_FILTER1:
    case COSEM_ST_FILTER2:
        return mtr_events_filter(ev, (uint8_t)(kind - COSEM_ST_FILTER1 + 1u));
    default:
        return mtr_events_descriptor(ev, (uint8_t)(kind - COSEM_ST_DESC1 + 1u));
    }
}

mtr_err_t cosem_status_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    struct mtr_events *ev = events_of(c);
    uint8_t kind = *(const uint8_t *)c->obj->user;
    struct cosem_out o;

    if (ev == NULL || kind > COSEM_ST_DESC2) {
        return MTR_ERR_NOTSUP;
    }
    if (c->id != 2) {
        return MTR_ERR_NOTSUP;
    }
    /* value: double-long-unsigned, 32 bits (seed Tables 5 and 12) */
    cosem_out_init(&o, c, w);
    cosem_put_uint(&o, MTR_DLMS_DOUBLE_LONG_UNSIGNED, status_value(ev, kind));
    return cosem_out_end(&o);
}

/*
 * Writes (events engine semantics): error register: only 0, which clears it
 * (event 10); alarm register and descriptor: the bits written as 1 are
 * cleared (write back what was read), the alarm register with event 11;
 * filter: the new mask (bit 0 masks the alarm), reserved bits refused.
 */
mtr_err_t cosem_status_set(const struct mtr_dlms_call *c)
{
    struct mtr_events *ev = events_of(c);
    uint8_t kind = *(const uint8_t *)c->obj->user;
    struct cosem_in in;
    uint64_t v = 0;
    mtr_utc_t now = cosem_ctl_now_utc(c);
    uint32_t x;
    mtr_err_t err;

    if (ev == NULL || kind > COSEM_ST_DESC2) {
        return MTR_ERR_NOTSUP;
    }
    if (c->id != 2) {
        return MTR_ERR_DLMS_DENIED;
    }
    cosem_in_init(&in, c->data, c->data_len);
    (void)cosem_get_uint(&in, MTR_DLMS_DOUBLE_LONG_UNSIGNED, &v);
    if (cosem_in_end(&in) != MTR_OK) {
        return cosem_in_end(&in);
    }
    x = (uint32_t)v;
    switch (kind) {
    case COSEM_ST_ERROR:
        err = now < 0 ? MTR_ERR_IO : mtr_events_error_write(ev, x, now);
        break;
    case COSEM_ST_ALARM1:
    case COSEM_ST_ALARM2:
        err = now < 0 ? MTR_ERR_IO : mtr_events_alarm_write(ev, (uint8_t)(kind - COSEM_ST_ALARM1 + 1u), x, now);
        break;
    case COSEM_ST_FILTER1:
    case COSEM_ST_FILTER2:
        err = mtr_events_filter_write(ev, (uint8_t)(kind - COSEM_ST_FILTER1 + 1u), x);
        break;
    default:
        err = mtr_events_descriptor_write(ev, (uint8_t)(kind - COSEM_ST_DESC1 + 1u), x);
        break;
    }
    return cosem_ctl_err(err);
}

/* ================================================================ alarm monitors (class 21) */

/*
 * What the events engine does, described: an alarm bit the filter lets
 * through that goes from 0 to 1 calls its push hook, which the application
 * ties to the push setup "On Alarm" (0-4:25.9.0.255). So each monitor
 * watches its alarm register (value, attribute 2) with one threshold, 0,
 * whose action_up is that push setup's method 1 (push); there is no
 * action_down. Read-only: the behaviour is the engine's.
 */
static const uint8_t OBIS_ALARM_REG[6] = {0, 0, 97, 98, 0, 255};
/* Push script table (Blue Book: script table 0-0:10.0.108.255); action_up runs
 * its alarm script, action_down its null script 0. */
static const uint8_t OBIS_PUSH_SCRIPTS[6] = MTR_COSEM_PUSH_SCRIPT_TABLE;

mtr_err_t cosem_alarm_monitor_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    uint8_t reg = *(const uint8_t *)c->obj->user; /* 0: alarm register 1, 1: register 2 */
    uint8_t ln[6];
    struct cosem_out o;

    if (events_of(c) == NULL || reg > 1) {
        return MTR_ERR_NOTSUP;
    }
    memcpy(ln, OBIS_ALARM_REG, 6);
    ln[4] = reg;
    cosem_out_init(&o, c, w);
    switch (c->id) {
    case 2: /* thresholds */
        cosem_put_array(&o, 1);
        cosem_put_uint(&o, MTR_DLMS_DOUBLE_LONG_UNSIGNED, 0);
        break;
    case 3: /* monitored_value {class_id, logical_name, attribute_index} */
        cosem_put_struct(&o, 3);
        cosem_put_uint(&o, MTR_DLMS_LONG_UNSIGNED, 1);
        cosem_put_obis(&o, ln);
        cosem_put_int(&o, MTR_DLMS_INTEGER, 2);
        break;
    case 4: /* actions: array of action_set {action_up, action_down} */
        cosem_put_array(&o, 1);
        cosem_put_struct(&o, 2);
        cosem_ctl_put_script(&o, OBIS_PUSH_SCRIPTS, MTR_COSEM_PUSH_SCRIPT_ALARM);
        cosem_ctl_put_script(&o, OBIS_PUSH_SCRIPTS, 0);
        break;
    default:
        return MTR_ERR_NOTSUP;
    }
    return cosem_out_end(&o);
}

#endif /* MTR_WITH_EVENTS */

#if MTR_WITH_QUALITY

/* ================================================================ quality thresholds (class 3) */

/*
 * 1-0:12.31.0.255 sag, 1-0:12.35.0.255 swell, 1-0:12.39.0.255 missing
 * voltage (seed 5.7.2; D = 31 under-limit, 35 over-limit, 39 missing):
 * value in mV, scaler_unit {-3, V}, like the voltages of objects_data.def.
 * The engine keeps per mille of Un: a written value is rounded to the
 * nearest per mille and reads back as Un x per mille / 1000.
 */
#define COSEM_UNIT_VOLT 35 /* Blue Book unit table */

static struct mtr_quality *quality_of(const struct mtr_dlms_call *c, uint8_t *which)
{
    const struct mtr_meter_engines *e = cosem_engines(c);

    *which = *(const uint8_t *)c->obj->user;
    return e == NULL ? NULL : e->quality;
}

mtr_err_t cosem_quality_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    uint8_t which;
    struct mtr_quality *q = quality_of(c, &which);
    struct cosem_out o;
    mtr_mv_t mv;

    if (q == NULL) {
        return MTR_ERR_NOTSUP;
    }
    cosem_out_init(&o, c, w);
    switch (c->id) {
    case 2:
        mv = mtr_quality_threshold_mv(q, which);
        cosem_put_uint(&o, MTR_DLMS_DOUBLE_LONG_UNSIGNED, mv > 0 ? (uint64_t)mv : 0u);
        break;
    case 3:
        cosem_put_scaler_unit(&o, -3, COSEM_UNIT_VOLT);
        break;
    default:
        return MTR_ERR_NOTSUP;
    }
    return cosem_out_end(&o);
}

mtr_err_t cosem_quality_set(const struct mtr_dlms_call *c)
{
    uint8_t which;
    struct mtr_quality *q = quality_of(c, &which);
    struct mtr_quality_settings before;
    struct cosem_in in;
    uint64_t v = 0;
    mtr_err_t err;

    if (q == NULL) {
        return MTR_ERR_NOTSUP;
    }
    if (c->id != 2) {
        return MTR_ERR_DLMS_DENIED;
    }
    cosem_in_init(&in, c->data, c->data_len);
    (void)cosem_ctl_get_unum(&in, MTR_QUALITY_U_MAX_MV, &v);
    if (cosem_in_end(&in) != MTR_OK) {
        return cosem_in_end(&in);
    }
    mtr_quality_get(q, &before);
    err = mtr_quality_set_threshold_mv(q, which, (mtr_mv_t)v);
    if (err != MTR_OK) {
        return cosem_ctl_err(err);
    }
    /* persisted by the aggregate (nothing to do without a quality partition);
     * a failed commit takes the change back */
    err = mtr_meter_quality_commit(cosem_of(c)->cfg.meter);
    if (err != MTR_OK && err != MTR_ERR_NOTSUP) {
        (void)mtr_quality_set(q, &before);
        return err;
    }
    return MTR_OK;
}

#endif /* MTR_WITH_QUALITY */
