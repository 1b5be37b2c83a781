/* SPDX-License-Identifier: Apache-2.0 */
/* Harmonic analysis: one cycle of every channel, captured from a zero crossing
 * of the reference voltage, resampled to 64 points by cubic (4-point
 * Lagrange) interpolation at the measured period, then a 64-point DFT per
 * harmonic. Runs once per period, outside the per-sample path. */
#include <string.h>

#include "meter/meter.h"
#include "metrology_int.h"

#if MTR_CFG_HARMONICS

#define NPTS 64

/* cos(2 pi k / 64), Q15 (computed offline). */
static const int16_t cos64[NPTS] = {
    32767,  32609,  32137,  31356,  30273,  28898,  27245,  25329,  23170,  20787,  18204,
    15446,  12539,  9512,   6393,   3212,   0,      -3212,  -6393,  -9512,  -12539, -15446,
    -18204, -20787, -23170, -25329, -27245, -28898, -30273, -31356, -32137, -32609, -32767,
    -32609, -32137, -31356, -30273, -28898, -27245, -25329, -23170, -20787, -18204, -15446,
    -12539, -9512,  -6393,  -3212,  0,      3212,   6393,   9512,   12539,  15446,  18204,
    20787,  23170,  25329,  27245,  28898,  30273,  31356,  32137,  32609};

void mtr_metrology_harm_crossing(struct mtr_metrology *m, uint64_t tq)
{
    if (m->cap_state == 1) {
        m->cap_state = 2;
        m->cap_len = 0;
        m->cap_t0 = tq;
        m->cap_t1 = 0;
        m->cap_start = m->nsamp;
    } else if (m->cap_state == 2 && m->cap_t1 == 0) {
        m->cap_t1 = tq;
    }
}

/* 4-point Lagrange interpolation between x[1] and x[2] at fraction u (Q16). */
static int32_t lagrange(const int32_t *x, int64_t u)
{
    const int64_t one = 1 << 16;
    int64_t um1 = u - one, um2 = u - 2 * one, up1 = u + one;
    /* weights, Q16 */
    int64_t w0 = -((u * um1 >> 16) * um2 >> 16) / 6;
    int64_t w1 = ((up1 * um1 >> 16) * um2 >> 16) / 2;
    int64_t w2 = -((up1 * u >> 16) * um2 >> 16) / 2;
    int64_t w3 = ((up1 * u >> 16) * um1 >> 16) / 6;
    int64_t acc = w0 * x[0] + w1 * x[1] + w2 * x[2] + w3 * x[3];
    return (int32_t)((acc + (1 << 15)) >> 16);
}

static void resample(const struct mtr_metrology *m, int c, int32_t out[NPTS])
{
    uint64_t period = m->cap_t1 - m->cap_t0;
    for (int k = 0; k < NPTS; k++) {
        uint64_t rel = (1u << 16) + period * (uint64_t)k / NPTS;
        uint32_t i = (uint32_t)(rel >> 16);
        out[k] = lagrange(&m->cap[c][i - 1u], (int64_t)(rel & 0xFFFFu));
    }
}

struct bin {
    int64_t re, im;
};

static struct bin dft(const int32_t x[NPTS], unsigned h)
{
    struct bin b = {0, 0};
    for (unsigned k = 0; k < NPTS; k++) {
        unsigned i = (h * k) & (NPTS - 1u);
        b.re += (int64_t)x[k] * cos64[i];
        b.im -= (int64_t)x[k] * cos64[(i - 16u) & (NPTS - 1u)];
    }
    return b;
}

static uint64_t mag(struct bin b)
{
    return mtr_isqrt128(mtr_u128_add(mtr_s128_mul(b.re, b.re), mtr_s128_mul(b.im, b.im)));
}

static uint16_t ratio(uint64_t a, uint64_t fund)
{
    if (fund == 0) {
        return 0;
    }
    struct mtr_u128 q = mtr_u128_div(mtr_u128_mul(a, 10000u), (struct mtr_u128){0, fund});
    return q.hi != 0 || q.lo > 65535u ? 65535u : (uint16_t)q.lo;
}

static void channel(struct mtr_metrology *m, int c)
{
    int32_t x[NPTS];
    resample(m, c, x);
    struct bin f = dft(x, 1);
    uint64_t fund = mag(f);
    struct mtr_u128 hsum = {0, 0};
    m->harm[c][0] = 0;
    m->harm[c][1] = fund != 0 ? 10000u : 0u;
    for (unsigned h = 2; h <= MTR_CFG_HARMONIC_MAX; h++) {
        uint64_t a = mag(dft(x, h));
        m->harm[c][h] = ratio(a, fund);
        hsum = mtr_u128_add(hsum, mtr_u128_mul(a, a));
    }
    uint16_t thd = ratio(mtr_isqrt128(hsum), fund);
    if (c < 3) {
        m->res.ph[c].thd_u = thd;
    } else {
        m->res.ph[c - 3].thd_i = thd;
    }
    m->fund_ang[c] = fund != 0 ? mtr_cordic_atan2(f.im, f.re) : 0;
}

/* a - b on the circle (wraps by one turn, as angles should). */
static int32_t turn_diff(int32_t a, int32_t b)
{
    return (int32_t)((uint32_t)a - (uint32_t)b);
}

void mtr_metrology_harm_analyse(struct mtr_metrology *m)
{
    uint64_t period = m->cap_t1 - m->cap_t0;
    if (m->cap_t1 <= m->cap_t0 || (period >> 16) + 4u > m->cap_len) {
        return;
    }
    for (int c = 0; c < 6; c++) {
        if (m->mask & (1u << (c % 3))) {
            channel(m, c);
        }
    }
    int8_t seq = 0;
    for (int p = 0; p < MTR_METROLOGY_PHASES; p++) {
        if (!(m->mask & (1u << p))) {
            continue;
        }
        m->res.ph[p].ui_angle = mtr_turn_to_cdeg(turn_diff(m->fund_ang[p], m->fund_ang[3 + p]));
        m->res.uu_angle[p] = mtr_turn_to_cdeg(turn_diff(m->fund_ang[0], m->fund_ang[p]));
    }
#if MTR_CFG_PHASES == 3
    bool all = !m->res.ph[0].missing && !m->res.ph[2].missing;
    if (m->cfg.wiring == MTR_WIRING_3P4W && all && !m->res.ph[1].missing) {
        seq = m->res.uu_angle[1] > 0 ? 1 : -1;
    } else if (m->cfg.wiring == MTR_WIRING_3P3W && all) {
        seq = m->res.uu_angle[2] < 0 ? 1 : -1;
    }
#endif
    m->res.sequence = seq;
}

#endif /* MTR_CFG_HARMONICS */

mtr_err_t mtr_metrology_harmonics(const struct mtr_metrology *m, unsigned ch, uint16_t *out,
                                  size_t max)
{
    MTR_ASSERT(m != NULL && (out != NULL || max == 0));
#if MTR_CFG_HARMONICS
    if (ch > MTR_ADC_I3 || !(m->mask & (1u << (ch % 3)))) {
        return MTR_ERR_RANGE;
    }
    if (m->harm[ch][1] == 0) {
        return MTR_ERR_EMPTY;
    }
    size_t n = max < MTR_CFG_HARMONIC_MAX + 1u ? max : MTR_CFG_HARMONIC_MAX + 1u;
    memcpy(out, m->harm[ch], n * sizeof out[0]);
    return MTR_OK;
#else
    (void)ch;
    (void)out;
    (void)max;
    return MTR_ERR_NOTSUP;
#endif
}
