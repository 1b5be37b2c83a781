/* SPDX-License-Identifier: Apache-2.0 */
/* Configuration, the per-sample path and frequency tracking. */
#include <string.h>

#include "meter/meter.h"
#include "metrology_int.h"

void mtr_metrology_config_default(struct mtr_metrology_config *cfg)
{
    MTR_ASSERT(cfg != NULL);
    memset(cfg, 0, sizeof *cfg);
    cfg->rate_hz = 4000;
    cfg->bits = 24;
    cfg->wiring = MTR_CFG_PHASES == 3 ? MTR_WIRING_3P4W : MTR_WIRING_1P2W;
    cfg->v_full_scale_mv = 600000;
    cfg->i_full_scale_ma = 200000;
    cfg->un_mv = 230000;
    cfg->ib_ma = 5000;
    cfg->imax_ma = 100000;
    cfg->fn_mhz = 50000;
    cfg->period_ms = 1000;
    cfg->start_ma = 20;
    cfg->missing_permille = 500;
}

size_t mtr_metrology_size(void)
{
    return sizeof(struct mtr_metrology);
}

static bool config_ok(const struct mtr_metrology_config *c)
{
    if (c->rate_hz < 1000 || c->rate_hz > 16000 || c->bits < 12 || c->bits > 24) {
        return false;
    }
    if (c->wiring < MTR_WIRING_1P2W || c->wiring > MTR_WIRING_3P3W ||
        (MTR_CFG_PHASES == 1 && c->wiring != MTR_WIRING_1P2W)) {
        return false;
    }
    if (c->v_full_scale_mv < 1 || c->v_full_scale_mv > 1000000 || c->i_full_scale_ma < 1 ||
        c->i_full_scale_ma > 2000000) {
        return false;
    }
    if (c->un_mv <= 0 || c->ib_ma <= 0 || c->imax_ma < c->ib_ma || c->start_ma < 0) {
        return false;
    }
    if (c->fn_mhz != 50000 && c->fn_mhz != 60000) {
        return false;
    }
    if (c->period_ms < 100 || c->period_ms > 2000 ||
        ((uint64_t)c->rate_hz * c->period_ms) % 1000 != 0 ||
        (uint64_t)c->rate_hz * c->period_ms / 1000 > 16384) {
        return false;
    }
    if (c->missing_permille < 1 || c->missing_permille > 1000) {
        return false;
    }
    /* Quarter period at 42 Hz must fit the voltage history. */
    if (c->rate_hz / 168 + 2 >= MTR_METROLOGY_VHIST) {
        return false;
    }
#if MTR_CFG_HARMONICS
    if (c->rate_hz / 42 + 6 > MTR_CFG_METROLOGY_HARM_CAPTURE) {
        return false;
    }
#endif
    return true;
}

static int64_t full_scale24(const struct mtr_metrology_config *c)
{
    return (((int64_t)1 << (c->bits - 1)) - 1) << (24 - c->bits);
}

static unsigned hpf_shift(uint32_t rate);

bool mtr_metrology_constants(struct mtr_metrology *m)
{
    const struct mtr_metrology_config *c = &m->cfg;
    int64_t fs = full_scale24(c);
    struct mtr_u128 den_p = mtr_u128_mul((uint64_t)(fs * fs), c->rate_hz);
    struct mtr_fx kp[3], kv[3], ki[3], kin;
    for (int p = 0; p < 3; p++) {
        /* v_fs * i_fs < 2^41, times the voltage gain < 2^72, times the current gain. */
        struct mtr_u128 a = mtr_u128_mul((uint64_t)c->v_full_scale_mv * (uint64_t)c->i_full_scale_ma,
                                         m->cal.v_gain[p]);
        struct mtr_u128 lo = mtr_u128_mul(a.lo, m->cal.i_gain[p]);
        struct mtr_u128 hi = mtr_u128_shl(mtr_u128_mul(a.hi, m->cal.i_gain[p]), 64);
        if (!mtr_fx_ratio(mtr_u128_add(lo, hi), den_p, 60, &kp[p]) ||
            !mtr_fx_ratio(mtr_u128_mul((uint64_t)c->v_full_scale_mv * 1000u, m->cal.v_gain[p]),
                          mtr_u128_mul((uint64_t)fs, 1), 46, &kv[p]) ||
            !mtr_fx_ratio(mtr_u128_mul((uint64_t)c->i_full_scale_ma * 1000u, m->cal.i_gain[p]),
                          mtr_u128_mul((uint64_t)fs, 1), 46, &ki[p])) {
            return false;
        }
    }
    if (!mtr_fx_ratio(mtr_u128_mul((uint64_t)c->i_full_scale_ma * 1000u, m->cal.in_gain),
                      mtr_u128_mul((uint64_t)fs, 1), 46, &kin)) {
        return false;
    }
    memcpy(m->kp, kp, sizeof kp);
    memcpy(m->kv, kv, sizeof kv);
    memcpy(m->ki, ki, sizeof ki);
    m->kin = kin;
    return true;
}

/* Linear-interpolation weights of a fractional delay: positive phase delays
 * the current, negative the voltage. */
void mtr_metrology_phase_coeffs(struct mtr_metrology *m);
void mtr_metrology_phase_coeffs(struct mtr_metrology *m)
{
    for (int p = 0; p < 3; p++) {
        int32_t ph = m->cal.phase[p];
        m->ai[p] = ph > 0 ? ph : 0;
        m->av[p] = ph < 0 ? -ph : 0;
    }
}

static void cal_neutral(struct mtr_metrology_cal *cal)
{
    memset(cal, 0, sizeof *cal);
    for (int p = 0; p < 3; p++) {
        cal->v_gain[p] = MTR_METROLOGY_GAIN_ONE;
        cal->i_gain[p] = MTR_METROLOGY_GAIN_ONE;
    }
    cal->in_gain = MTR_METROLOGY_GAIN_ONE;
}

void mtr_metrology_dc_seed(struct mtr_metrology *m);
void mtr_metrology_dc_seed(struct mtr_metrology *m)
{
    for (int p = 0; p < 3; p++) {
        m->dc[MTR_ADC_V1 + p] = m->cal.v_dc[p] * (1 << MTR_DC_Q);
        m->dc[MTR_ADC_I1 + p] = m->cal.i_dc[p] * (1 << MTR_DC_Q);
    }
}

mtr_err_t mtr_metrology_init(struct mtr_metrology *m, const struct mtr_metrology_config *cfg,
                             const struct mtr_hal *hal)
{
    MTR_ASSERT(m != NULL && cfg != NULL);
    if (!config_ok(cfg)) {
        return MTR_ERR_CONFIG;
    }
    static struct mtr_metrology zero;
    struct mtr_metrology tmp_cal;
    tmp_cal.cfg = *cfg;
    cal_neutral(&tmp_cal.cal);
    if (!mtr_metrology_constants(&tmp_cal)) {
        return MTR_ERR_CONFIG;
    }
    *m = zero;
    m->cfg = *cfg;
    m->hal = hal;
    cal_neutral(&m->cal);
    (void)mtr_metrology_constants(m);
    mtr_metrology_phase_coeffs(m);
    m->mask = cfg->wiring == MTR_WIRING_1P2W ? 1u : cfg->wiring == MTR_WIRING_3P3W ? 5u : 7u;
    m->shift24 = (uint8_t)(24 - cfg->bits);
    m->period_n = (uint32_t)((uint64_t)cfg->rate_hz * cfg->period_ms / 1000u);
    uint8_t k = 0;
    while ((cfg->rate_hz / 500u) >> (k + 1)) {
        k++;
    }
    m->lpf_k = k;
    m->hk_final = (uint8_t)hpf_shift(cfg->rate_hz);
    m->hk = m->hk_final;
    /* 2 % of the nominal peak, in 24-bit codes (the filters keep ~60 % of it). */
    m->hyst = (int32_t)((int64_t)cfg->un_mv * 1414 / 1000 * full_scale24(cfg) / cfg->v_full_scale_mv / 50);
    m->qdelay = (cfg->rate_hz * 1000u + 2u * cfg->fn_mhz) / (4u * cfg->fn_mhz);
    m->f_period = 0;
#if MTR_CFG_HARMONICS
    m->cap_state = 1;
#endif
    m->cal_status = MTR_ERR_EMPTY;
    m->magic = MTR_METROLOGY_MAGIC;
    return MTR_OK;
}

static void freq_crossing(struct mtr_metrology *m, int32_t yp, int32_t y)
{
    uint64_t frac = ((uint64_t)(uint32_t)(-yp) << 16) / (uint32_t)(y - yp);
    uint64_t tq = ((m->nsamp - 1u) << 16) + frac;
    uint32_t rate = m->cfg.rate_hz;
    if (m->zc_n > 0) {
        uint64_t dt = tq - m->zc[0];
        /* A cycle must last between 1/75 and 1/40 s; otherwise restart. */
        if (dt < ((uint64_t)rate << 16) / 75u || dt > ((uint64_t)rate << 16) / 40u) {
            m->zc_n = 0;
            m->zc_count = 0;
        }
    }
    memmove(&m->zc[1], &m->zc[0], sizeof m->zc - sizeof m->zc[0]);
    m->zc[0] = tq;
    if (m->zc_n < 11) {
        m->zc_n++;
    }
    if (m->zc_n >= 2) {
        uint64_t span = m->zc[0] - m->zc[m->zc_n - 1];
        m->f_cycle = (mtr_mhz_t)(((uint64_t)(m->zc_n - 1) * rate * 1000u * 65536u + span / 2) / span);
    }
    if (m->zc_count == 0) {
        m->zc_first = tq;
    }
    m->zc_last = tq;
    m->zc_count++;
#if MTR_CFG_HARMONICS
    mtr_metrology_harm_crossing(m, tq);
#endif
}

static inline int32_t clip(int32_t x, int32_t lim)
{
    return x > lim - 1 ? lim - 1 : x < -lim ? -lim : x;
}

/* DC removal: dc is a first-order low-pass of x (Q6, time constant 2^k
 * samples); the output subtracts the mean of its values before and after the
 * update, which cancels the +alpha/2 gain error that a one-sample-old estimate
 * leaves (the remaining gain error is of order alpha^2 / w^2, below 1e-5). */
static inline int32_t hpf(int32_t *dc, int32_t x, unsigned k)
{
    int32_t old = *dc;
    int32_t nw = old + ((x * (1 << MTR_DC_Q) - old + (1 << (k - 1))) >> k);
    *dc = nw;
    return x - ((old + nw + (1 << MTR_DC_Q)) >> (MTR_DC_Q + 1));
}

static unsigned hpf_shift(uint32_t rate)
{
    unsigned k = 1;
    while ((rate >> k) > 0u) {
        k++;
    }
    return k; /* 2^k > rate: time constant 1..2 s */
}

void mtr_metrology_process(struct mtr_metrology *m, const int32_t *frames, size_t n)
{
    MTR_ASSERT(m != NULL && m->magic == MTR_METROLOGY_MAGIC && (frames != NULL || n == 0));
    const int32_t lim = 1 << (m->cfg.bits - 1);
    const unsigned sh = m->shift24, lk = m->lpf_k;
    unsigned hk = m->hk;
    const uint8_t mask = m->mask;
    for (size_t f = 0; f < n; f++, frames += MTR_ADC_CHANNELS) {
        int32_t s[MTR_ADC_CHANNELS];
        for (int ch = 0; ch < MTR_ADC_CHANNELS; ch++) {
            s[ch] = hpf(&m->dc[ch], clip(frames[ch], lim) * (1 << sh), hk);
        }
        uint32_t pos = m->vh_pos, dpos = (pos - m->qdelay) & (MTR_METROLOGY_VHIST - 1u);
        int32_t comp[6] = {0, 0, 0, 0, 0, 0};
        for (int p = 0; p < 3; p++) {
            if (!(mask & (1u << p))) {
                continue;
            }
            int32_t v = s[MTR_ADC_V1 + p], i = s[MTR_ADC_I1 + p];
            int32_t vc = v + (int32_t)(((int64_t)(m->prev[p] - v) * m->av[p]) >> 15);
            int32_t ic = i + (int32_t)(((int64_t)(m->prev[3 + p] - i) * m->ai[p]) >> 15);
            m->prev[p] = v;
            m->prev[3 + p] = i;
            m->v2[p] += (uint64_t)((int64_t)vc * vc);
            m->i2[p] += (uint64_t)((int64_t)ic * ic);
            m->vi[p] += (int64_t)vc * ic;
            m->vq[p] += (int64_t)m->vhist[p][dpos] * ic;
            m->vhist[p][pos] = vc;
            comp[p] = vc;
            comp[3 + p] = ic;
        }
        m->vh_pos = (pos + 1u) & (MTR_METROLOGY_VHIST - 1u);
        int32_t in = m->cfg.neutral_measured ? s[MTR_ADC_IN]
                                             : -(s[MTR_ADC_I1] + s[MTR_ADC_I2] + s[MTR_ADC_I3]);
        m->in2 += (uint64_t)((int64_t)in * in);

        int32_t yp = m->lp2;
        m->lp1 += (s[MTR_ADC_V1 + m->fref] - m->lp1) >> lk;
        m->lp2 += (m->lp1 - m->lp2) >> lk;
        if (m->lp2 < -m->hyst) {
            m->armed = true;
        } else if (m->armed && yp < 0 && m->lp2 >= 0) {
            m->armed = false;
            freq_crossing(m, yp, m->lp2);
        }
#if MTR_CFG_HARMONICS
        if (m->cap_state == 2) {
            for (int c = 0; c < 6; c++) {
                m->cap[c][m->cap_len] = (mask & (1u << (c % 3))) ? comp[c] : 0;
            }
            m->cap_len++;
            if (m->cap_t1 != 0 && m->nsamp >= (m->cap_t1 >> 16) + 4u) {
                m->cap_state = 3;
            } else if (m->cap_len >= MTR_CFG_METROLOGY_HARM_CAPTURE) {
                m->cap_state = 1;
            }
        }
#else
        (void)comp;
#endif
        m->nsamp++;
        if (++m->n == m->period_n) {
            mtr_metrology_period(m);
        }
        /* Signal lost: no crossing for 1/40 s. */
        if (m->zc_n > 0 && ((m->nsamp << 16) - m->zc[0]) > ((uint64_t)m->cfg.rate_hz << 16) / 40u) {
            m->zc_n = 0;
            m->f_cycle = 0;
        }
    }
    mtr_metrology_pulse_run(m);
}

mtr_mhz_t mtr_metrology_frequency(const struct mtr_metrology *m)
{
    MTR_ASSERT(m != NULL);
    return m->f_cycle;
}
