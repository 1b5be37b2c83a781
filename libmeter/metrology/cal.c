/* SPDX-License-Identifier: Apache-2.0 */
/* Calibration: coefficients, their versioned blob, and the reference-load procedure. */
#include <string.h>

#include "meter/bytes.h"
#include "meter/crc.h"
#include "meter/meter.h"
#include "metrology_int.h"

void mtr_metrology_phase_coeffs(struct mtr_metrology *m);
void mtr_metrology_dc_seed(struct mtr_metrology *m);

static const uint8_t cal_magic[4] = {'M', 'C', 'A', 'L'};

static bool gain_ok(uint32_t g)
{
    return g >= MTR_METROLOGY_GAIN_ONE / 2u && g <= MTR_METROLOGY_GAIN_ONE * 2u;
}

static bool cal_ok(const struct mtr_metrology_cal *c)
{
    if (!gain_ok(c->in_gain)) {
        return false;
    }
    for (int p = 0; p < 3; p++) {
        if (!gain_ok(c->v_gain[p]) || !gain_ok(c->i_gain[p]) || c->phase[p] < -32767 ||
            c->phase[p] > 32767 || c->v_dc[p] < -(1 << 22) || c->v_dc[p] > (1 << 22) ||
            c->i_dc[p] < -(1 << 22) || c->i_dc[p] > (1 << 22)) {
            return false;
        }
    }
    return true;
}

/* Apply validated coefficients; false (nothing changed) if the constants
 * cannot be represented. */
static bool apply(struct mtr_metrology *m, const struct mtr_metrology_cal *cal)
{
    struct mtr_metrology_cal old = m->cal;
    m->cal = *cal;
    if (!mtr_metrology_constants(m)) {
        m->cal = old;
        return false;
    }
    mtr_metrology_phase_coeffs(m);
    return true;
}

void mtr_metrology_cal_mode(struct mtr_metrology *m, bool on)
{
    MTR_ASSERT(m != NULL);
    if (!on && m->cal_status == MTR_ERR_BUSY) {
        m->cal_status = MTR_ERR_METROLOGY_LOCKED;
    }
    m->cal_mode = on;
}

void mtr_metrology_cal_get(const struct mtr_metrology *m, struct mtr_metrology_cal *out)
{
    MTR_ASSERT(m != NULL && out != NULL);
    *out = m->cal;
}

mtr_err_t mtr_metrology_cal_set(struct mtr_metrology *m, const struct mtr_metrology_cal *cal)
{
    MTR_ASSERT(m != NULL && cal != NULL);
    if (!m->cal_mode) {
        return MTR_ERR_METROLOGY_LOCKED;
    }
    if (!cal_ok(cal) || !apply(m, cal)) {
        return MTR_ERR_RANGE;
    }
    return MTR_OK;
}

static uint8_t *put32s(uint8_t *p, const uint32_t *v, int n)
{
    for (int i = 0; i < n; i++, p += 4) {
        mtr_put_be32(p, v[i]);
    }
    return p;
}

static const uint8_t *get32s(const uint8_t *p, uint32_t *v, int n)
{
    for (int i = 0; i < n; i++, p += 4) {
        v[i] = mtr_get_be32(p);
    }
    return p;
}

mtr_err_t mtr_metrology_cal_encode(const struct mtr_metrology_cal *cal, uint8_t *buf, size_t cap)
{
    MTR_ASSERT(cal != NULL && buf != NULL);
    if (cap < MTR_METROLOGY_CAL_BLOB_SIZE) {
        return MTR_ERR_FULL;
    }
    uint8_t *p = buf;
    memcpy(p, cal_magic, 4);
    mtr_put_be16(p + 4, MTR_METROLOGY_CAL_VERSION);
    mtr_put_be16(p + 6, MTR_METROLOGY_CAL_BLOB_SIZE);
    p = put32s(p + 8, cal->v_gain, 3);
    p = put32s(p, cal->i_gain, 3);
    p = put32s(p, &cal->in_gain, 1);
    p = put32s(p, (const uint32_t *)(const void *)cal->phase, 3);
    p = put32s(p, (const uint32_t *)(const void *)cal->v_dc, 3);
    p = put32s(p, (const uint32_t *)(const void *)cal->i_dc, 3);
    memset(p, 0, 12);
    p += 12;
    mtr_put_be32(p, mtr_crc32(buf, (size_t)(p - buf)));
    return MTR_OK;
}

mtr_err_t mtr_metrology_cal_decode(const uint8_t *buf, size_t len, struct mtr_metrology_cal *out)
{
    MTR_ASSERT(out != NULL && (buf != NULL || len == 0));
    if (len != MTR_METROLOGY_CAL_BLOB_SIZE || memcmp(buf, cal_magic, 4) != 0) {
        return MTR_ERR_DECODE;
    }
    if (mtr_get_be16(buf + 4) != MTR_METROLOGY_CAL_VERSION) {
        return MTR_ERR_METROLOGY_VERSION;
    }
    if (mtr_get_be32(buf + len - 4) != mtr_crc32(buf, len - 4)) {
        return MTR_ERR_CRC;
    }
    if (mtr_get_be16(buf + 6) != MTR_METROLOGY_CAL_BLOB_SIZE) {
        return MTR_ERR_DECODE;
    }
    for (size_t i = 72; i < 84; i++) {
        if (buf[i] != 0) {
            return MTR_ERR_DECODE;
        }
    }
    struct mtr_metrology_cal c;
    const uint8_t *p = get32s(buf + 8, c.v_gain, 3);
    p = get32s(p, c.i_gain, 3);
    p = get32s(p, &c.in_gain, 1);
    uint32_t raw[9];
    (void)get32s(p, raw, 9);
    for (int i = 0; i < 3; i++) {
        c.phase[i] = (int32_t)raw[i];
        c.v_dc[i] = (int32_t)raw[3 + i];
        c.i_dc[i] = (int32_t)raw[6 + i];
    }
    if (!cal_ok(&c)) {
        return MTR_ERR_RANGE;
    }
    *out = c;
    return MTR_OK;
}

mtr_err_t mtr_metrology_cal_load(struct mtr_metrology *m, const uint8_t *buf, size_t len)
{
    MTR_ASSERT(m != NULL);
    struct mtr_metrology_cal c;
    mtr_err_t err = mtr_metrology_cal_decode(buf, len, &c);
    if (err != MTR_OK) {
        return err;
    }
    if (m->cal_loaded && !m->cal_mode) {
        return MTR_ERR_METROLOGY_LOCKED;
    }
    if (!apply(m, &c)) {
        return MTR_ERR_RANGE;
    }
    if (!m->cal_loaded && m->nsamp == 0) {
        mtr_metrology_dc_seed(m);
        m->hk = m->hk_final; /* seeded: no fast start-up phase */
    }
    m->cal_loaded = true;
    return MTR_OK;
}

mtr_err_t mtr_metrology_cal_start(struct mtr_metrology *m, const struct mtr_metrology_cal_ref *ref)
{
    MTR_ASSERT(m != NULL && ref != NULL);
    if (!m->cal_mode) {
        return MTR_ERR_METROLOGY_LOCKED;
    }
    if ((ref->phases & m->mask) == 0 || (ref->phases & ~m->mask) != 0 || ref->u_mv <= 0 ||
        ref->i_ma <= 0 || ref->angle < -8500 || ref->angle > 8500 || ref->periods < 1 ||
        ref->periods > 600) {
        return MTR_ERR_RANGE;
    }
    m->cref = *ref;
    m->cal_left = (uint16_t)(ref->periods + 1u); /* the running period is partial: skip it */
    memset(m->cal_v2, 0, sizeof m->cal_v2);
    memset(m->cal_i2, 0, sizeof m->cal_i2);
    memset(m->cal_p, 0, sizeof m->cal_p);
    memset(m->cal_q, 0, sizeof m->cal_q);
    m->cal_nper = 0;
    m->cal_status = MTR_ERR_BUSY;
    return MTR_OK;
}

mtr_err_t mtr_metrology_cal_status(const struct mtr_metrology *m)
{
    MTR_ASSERT(m != NULL);
    return m->cal_status;
}

/* New gain = gain * reference / measured, if the measurement is within 25 %. */
static bool new_gain(uint32_t gain, uint64_t ref, uint64_t meas, uint32_t *out)
{
    if (meas == 0 || meas * 4u < ref * 3u || meas * 4u > ref * 5u) {
        return false;
    }
    uint64_t g = ((uint64_t)gain * ref + meas / 2u) / meas;
    if (g < MTR_METROLOGY_GAIN_ONE / 2u || g > MTR_METROLOGY_GAIN_ONE * 2u) {
        return false;
    }
    *out = (uint32_t)g;
    return true;
}

static bool cal_finish_phase(struct mtr_metrology *m, int p, struct mtr_metrology_cal *c)
{
    uint32_t n = m->cal_nper;
    uint64_t u = m->cal_v2[p] / n, i = m->cal_i2[p] / n;
    if (!new_gain(c->v_gain[p], (uint64_t)m->cref.u_mv * 1000u, u, &c->v_gain[p]) ||
        !new_gain(c->i_gain[p], (uint64_t)m->cref.i_ma * 1000u, i, &c->i_gain[p])) {
        return false;
    }
    /* Measured lag minus reference lag, in turns, then in samples (Q15). */
    int32_t meas = mtr_cordic_atan2(m->cal_q[p], m->cal_p[p]);
    int32_t refa = (int32_t)(((int64_t)m->cref.angle << 32) / 36000);
    int64_t err = (int64_t)meas - refa;
    mtr_mhz_t f = m->f_period != 0 ? m->f_period : m->cfg.fn_mhz;
    int64_t samples_q15 = (err * (int64_t)m->cfg.rate_hz * 1000 / (int64_t)f) / (1 << 17);
    int64_t ph = (int64_t)c->phase[p] - samples_q15;
    if (ph < -32767 || ph > 32767) {
        return false;
    }
    c->phase[p] = (int32_t)ph;
    c->v_dc[p] = m->dc[MTR_ADC_V1 + p] / (1 << MTR_DC_Q);
    c->i_dc[p] = m->dc[MTR_ADC_I1 + p] / (1 << MTR_DC_Q);
    return true;
}

void mtr_metrology_cal_period(struct mtr_metrology *m)
{
    if (m->cal_status != MTR_ERR_BUSY) {
        return;
    }
    if (m->cal_left == m->cref.periods + 1u) {
        m->cal_left--;
        return;
    }
    for (int p = 0; p < MTR_METROLOGY_PHASES; p++) {
        if (m->cref.phases & (1u << p)) {
            m->cal_v2[p] += m->res.ph[p].u_uv;
            m->cal_i2[p] += m->res.ph[p].i_ua;
            m->cal_p[p] += m->res.ph[p].p_mw;
            m->cal_q[p] += m->res.ph[p].q_mvar;
        }
    }
    m->cal_nper++;
    if (--m->cal_left > 0) {
        return;
    }
    struct mtr_metrology_cal c = m->cal;
    for (int p = 0; p < MTR_METROLOGY_PHASES; p++) {
        if ((m->cref.phases & (1u << p)) && !cal_finish_phase(m, p, &c)) {
            m->cal_status = MTR_ERR_METROLOGY_SIGNAL;
            return;
        }
    }
    m->cal_status = (cal_ok(&c) && apply(m, &c)) ? MTR_OK : MTR_ERR_METROLOGY_SIGNAL;
}
