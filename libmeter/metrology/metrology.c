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

/* The conversion constants of @p c with calibration @p cal into @p out (kp,
 * kv, ki, kin); false if one cannot be represented (nothing written). */
static bool constants(const struct mtr_metrology_config *c, const struct mtr_metrology_cal *cal,
                      struct mtr_metrology *out)
{
    int64_t fs = full_scale24(c);
    struct mtr_u128 den_p = mtr_u128_mul((uint64_t)(fs * fs), c->rate_hz);
    struct mtr_fx kp[3], kv[3], ki[3], kin;
    for (int p = 0; p < 3; p++) {
        /* v_fs * i_fs < 2^41, times the voltage gain < 2^72, times the current gain. */
        struct mtr_u128 a = mtr_u128_mul((uint64_t)c->v_full_scale_mv * (uint64_t)c->i_full_scale_ma,
                                         cal->v_gain[p]);
        struct mtr_u128 lo = mtr_u128_mul(a.lo, cal->i_gain[p]);
        struct mtr_u128 hi = mtr_u128_shl(mtr_u128_mul(a.hi, cal->i_gain[p]), 64);
        if (!mtr_fx_ratio(mtr_u128_add(lo, hi), den_p, 60, &kp[p]) ||
            !mtr_fx_ratio(mtr_u128_mul((uint64_t)c->v_full_scale_mv * 1000u, cal->v_gain[p]),
                          mtr_u128_mul((uint64_t)fs, 1), 46, &kv[p]) ||
            !mtr_fx_ratio(mtr_u128_mul((uint64_t)c->i_full_scale_ma * 1000u, cal->i_gain[p]),
                          mtr_u128_mul((uint64_t)fs, 1), 46, &ki[p])) {
            return false;
        }
    }
    if (!mtr_fx_ratio(mtr_u128_mul((uint64_t)c->i_full_scale_ma * 1000u, cal->in_gain),
                      mtr_u128_mul((uint64_t)fs, 1), 46, &kin)) {
        return false;
    }
    if (out != NULL) {
        memcpy(out->kp, kp, sizeof kp);
        memcpy(out->kv, kv, sizeof kv);
        memcpy(out->ki, ki, sizeof ki);
        out->kin = kin;
    }
    return true;
}

bool mtr_metrology_constants(struct mtr_metrology *m)
{
    return constants(&m->cfg, &m->cal, m);
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
    /* Validate first (small locals only: the context is large), then
     * initialise in place; on error the context is untouched. */
    struct mtr_metrology_cal cal;
    cal_neutral(&cal);
    if (!constants(cfg, &cal, NULL)) {
        return MTR_ERR_CONFIG;
    }
    memset(m, 0, sizeof *m);
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
    m->lost_q16 = ((uint64_t)cfg->rate_hz << 16) / 40u;
    m->cycle_min_q16 = ((uint64_t)cfg->rate_hz << 16) / 75u;
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
        if (dt < m->cycle_min_q16 || dt > m->lost_q16) {
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

#if defined(__GNUC__)
#define HOT static inline __attribute__((always_inline))
#define COLD static __attribute__((noinline))
#else
#define HOT static inline
#define COLD static
#endif

static unsigned hpf_shift(uint32_t rate)
{
    unsigned k = 1;
    while ((rate >> k) > 0u) {
        k++;
    }
    return k; /* 2^k > rate: time constant 1..2 s */
}

/* The per-sample state, copied into a local for a run of frames so that it
 * lives in registers and on the stack (the frames cannot alias it) and is
 * written back once per run. The DC estimates are held biased by the
 * rounding constant of the filter (d = dc - 2^(k-1)), which saves an add. */
struct hot {
    int32_t d[MTR_ADC_CHANNELS];
    int32_t prev[6];
    uint64_t v2[3], i2[3], in2;
    int64_t vi[3], vq[3];
    int32_t lp1, lp2;
    uint32_t pos;
    bool armed;
};

/* Constants of a run. */
struct konst {
    int32_t a[6];      /* interpolation weights of V1..V3, I1..I3, Q31 (Q15 << 16) */
    int32_t lim, nhyst, rnd, c;
    unsigned sh, hk, lk, ref;
    uint32_t qdelay;
    bool nm;
};

/* Field by field (no loops, no memcpy): the copy in the loop's function
 * then becomes plain scalars. */
#define HOT_COPY3(dst, src, f) ((dst)->f[0] = (src)->f[0], (dst)->f[1] = (src)->f[1], (dst)->f[2] = (src)->f[2])

HOT void hot_load(const struct mtr_metrology *m, struct hot *h, int32_t rnd)
{
    h->d[0] = m->dc[0] - rnd;
    h->d[1] = m->dc[1] - rnd;
    h->d[2] = m->dc[2] - rnd;
    h->d[3] = m->dc[3] - rnd;
    h->d[4] = m->dc[4] - rnd;
    h->d[5] = m->dc[5] - rnd;
    h->d[6] = m->dc[6] - rnd;
    HOT_COPY3(h, m, v2);
    HOT_COPY3(h, m, i2);
    HOT_COPY3(h, m, vi);
    HOT_COPY3(h, m, vq);
    h->prev[0] = m->prev[0];
    h->prev[1] = m->prev[1];
    h->prev[2] = m->prev[2];
    h->prev[3] = m->prev[3];
    h->prev[4] = m->prev[4];
    h->prev[5] = m->prev[5];
    h->in2 = m->in2;
    h->lp1 = m->lp1;
    h->lp2 = m->lp2;
    h->pos = m->vh_pos;
    h->armed = m->armed;
}

HOT void hot_store(struct mtr_metrology *m, const struct hot *h, int32_t rnd)
{
    m->dc[0] = h->d[0] + rnd;
    m->dc[1] = h->d[1] + rnd;
    m->dc[2] = h->d[2] + rnd;
    m->dc[3] = h->d[3] + rnd;
    m->dc[4] = h->d[4] + rnd;
    m->dc[5] = h->d[5] + rnd;
    m->dc[6] = h->d[6] + rnd;
    HOT_COPY3(m, h, v2);
    HOT_COPY3(m, h, i2);
    HOT_COPY3(m, h, vi);
    HOT_COPY3(m, h, vq);
    m->prev[0] = h->prev[0];
    m->prev[1] = h->prev[1];
    m->prev[2] = h->prev[2];
    m->prev[3] = h->prev[3];
    m->prev[4] = h->prev[4];
    m->prev[5] = h->prev[5];
    m->in2 = h->in2;
    m->lp1 = h->lp1;
    m->lp2 = h->lp2;
    m->vh_pos = h->pos;
    m->armed = h->armed;
}

static void konst_load(const struct mtr_metrology *m, struct konst *k)
{
    for (int p = 0; p < 3; p++) {
        k->a[p] = m->av[p] * 65536;
        k->a[3 + p] = m->ai[p] * 65536;
    }
    k->lim = 1 << (m->cfg.bits - 1);
    k->nhyst = -m->hyst;
    k->rnd = 1 << (m->hk - 1);
    k->c = 2 * k->rnd + (1 << MTR_DC_Q);
    k->sh = m->shift24;
    k->hk = m->hk;
    k->lk = m->lpf_k;
    k->ref = m->fref;
    k->qdelay = m->qdelay;
    k->nm = m->cfg.neutral_measured;
}

/* Clip to the signed range of the converter and move to the 24-bit scale; a
 * constant range for 24 bits (one saturating instruction where there is one). */
HOT int32_t clip(int32_t x, const struct konst *k, int b24)
{
    if (b24) {
#if defined(__ARM_FEATURE_SAT)
        return __builtin_arm_ssat(x, 24);
#else
        return x > 8388607 ? 8388607 : x < -8388608 ? -8388608 : x;
#endif
    }
    x = x > k->lim - 1 ? k->lim - 1 : x < -k->lim ? -k->lim : x;
    return x * (1 << k->sh);
}

/* DC removal: dc is a first-order low-pass of x (Q6, time constant 2^k
 * samples): t = (x - dc + 2^(k-1)) >> k, dc' = dc + t. The output subtracts
 * the mean of the estimate before and after the update, (dc + dc') / 2 =
 * dc + t / 2, which cancels the +alpha/2 gain error that a one-sample-old
 * estimate leaves (the remaining gain error is of order alpha^2 / w^2, below
 * 1e-5). With d = dc - 2^(k-1): t = (x - d) >> k and the output is
 * x - ((2 d + t + 2^k + 2^6) >> 7), exactly the same integers. */
HOT int32_t hpf(int32_t *d, int32_t x, const struct konst *k)
{
    int32_t old = *d;
    int32_t t = (x * (1 << MTR_DC_Q) - old) >> k->hk;
    *d = old + t;
    return x - ((2 * old + t + k->c) >> (MTR_DC_Q + 1));
}

/* x delayed by a fraction of a sample: x + (prev - x) * a / 2^31, exactly
 * (prev - x) * (a >> 16) >> 15 rounded down, as one 32x32->64 multiply whose
 * high word is the result. */
HOT int32_t interp(int32_t x, int32_t prev, int32_t a)
{
    return x + (int32_t)(((int64_t)((prev - x) * 2) * a) >> 32);
}

/* One element: phase correction, the four sums, the voltage history. */
HOT void element(struct hot *h, const struct konst *k, int32_t *vh, uint32_t pos, uint32_t dpos,
                 int p, int32_t v, int32_t i, int cmp, int32_t comp[6])
{
    int32_t vc = v, ic = i;
    if (cmp) {
        vc = interp(v, h->prev[p], k->a[p]);
        ic = interp(i, h->prev[3 + p], k->a[3 + p]);
        h->prev[p] = v;
        h->prev[3 + p] = i;
    }
    h->v2[p] += (uint64_t)((int64_t)vc * vc);
    h->i2[p] += (uint64_t)((int64_t)ic * ic);
    h->vi[p] += (int64_t)vc * ic;
    h->vq[p] += (int64_t)vh[dpos] * ic;
    vh[pos] = vc;
    comp[p] = vc;
    comp[3 + p] = ic;
}

/* One frame: DC removal, phase correction, accumulation, the frequency
 * filter. Returns true on a positive-going zero crossing of the reference
 * (then *yp is the filter output before it; comp the corrected samples). */
HOT bool frame(struct hot *h, const struct konst *k, int32_t (*vhist)[MTR_METROLOGY_VHIST],
               const int32_t *f, int b24, int cmp, int32_t comp[6], int32_t *yp)
{
    int32_t v1 = hpf(&h->d[MTR_ADC_V1], clip(f[MTR_ADC_V1], k, b24), k);
    int32_t v2 = hpf(&h->d[MTR_ADC_V2], clip(f[MTR_ADC_V2], k, b24), k);
    int32_t v3 = hpf(&h->d[MTR_ADC_V3], clip(f[MTR_ADC_V3], k, b24), k);
    int32_t i1 = hpf(&h->d[MTR_ADC_I1], clip(f[MTR_ADC_I1], k, b24), k);
    int32_t i2 = hpf(&h->d[MTR_ADC_I2], clip(f[MTR_ADC_I2], k, b24), k);
    int32_t i3 = hpf(&h->d[MTR_ADC_I3], clip(f[MTR_ADC_I3], k, b24), k);
    int32_t in = hpf(&h->d[MTR_ADC_IN], clip(f[MTR_ADC_IN], k, b24), k);
    uint32_t pos = h->pos, dpos = (pos - k->qdelay) & (MTR_METROLOGY_VHIST - 1u);
    element(h, k, vhist[0], pos, dpos, 0, v1, i1, cmp, comp);
    element(h, k, vhist[1], pos, dpos, 1, v2, i2, cmp, comp);
    element(h, k, vhist[2], pos, dpos, 2, v3, i3, cmp, comp);
    h->pos = (pos + 1u) & (MTR_METROLOGY_VHIST - 1u);
    in = k->nm ? in : -(i1 + i2 + i3);
    h->in2 += (uint64_t)((int64_t)in * in);

    /* The reference: without a phase correction, its history entry just written. */
    int32_t x = !cmp ? vhist[k->ref][pos] : k->ref == 0 ? v1 : k->ref == 1 ? v2 : v3;
    int32_t y0 = h->lp2;
    h->lp1 += (x - h->lp1) >> k->lk;
    h->lp2 += (h->lp1 - h->lp2) >> k->lk;
    if (h->lp2 < k->nhyst) {
        h->armed = true;
    } else if (h->armed && y0 < 0 && h->lp2 >= 0) {
        h->armed = false;
        *yp = y0;
        return true;
    }
    return false;
}

static void capture(struct mtr_metrology *m, const int32_t comp[6]);

/* Up to @p len frames; stops after a frame with a zero crossing (*cross).
 * With @p cap, the frames are captured as they come (a crossing frame is
 * left to the caller, after the crossing). Returns the frames done. */
HOT uint32_t run(struct mtr_metrology *m, const struct konst *kin, const int32_t *f, uint32_t len,
                 int b24, int cmp, int cap, int32_t comp[6], int32_t *yp, bool *cross)
{
    const struct konst k = *kin;
    struct hot h;
    hot_load(m, &h, k.rnd);
    int32_t (*vhist)[MTR_METROLOGY_VHIST] = m->vhist;
    const int32_t *p = f, *end = f + (size_t)len * MTR_ADC_CHANNELS;
    bool x = false;
    while (p != end && !x) {
        int32_t c[6];
        x = frame(&h, &k, vhist, p, b24, cmp, c, yp);
        if (cap) {
            memcpy(comp, c, sizeof c);
            if (!x) {
                capture(m, c);
                m->nsamp++;
            }
        }
        p += MTR_ADC_CHANNELS;
    }
    hot_store(m, &h, k.rnd);
    *cross = x;
    return (uint32_t)((size_t)(p - f) / MTR_ADC_CHANNELS);
}

/* The variants of the loop: 24-bit or any resolution, with or without a
 * phase correction; and, around the one-cycle capture, frame by frame. */
#define RUN_VARIANT(name, b24, cmp, cap)                                                           \
    COLD uint32_t name(struct mtr_metrology *m, const struct konst *k, const int32_t *f,           \
                       uint32_t len, int32_t comp[6], int32_t *yp, bool *cross)                    \
    {                                                                                              \
        return run(m, k, f, len, b24, cmp, cap, comp, yp, cross);                                  \
    }
RUN_VARIANT(run_24, 1, 0, 0)
RUN_VARIANT(run_24_cmp, 1, 1, 0)
RUN_VARIANT(run_any, 0, 0, 0)
RUN_VARIANT(run_any_cmp, 0, 1, 0)
RUN_VARIANT(run_cap, 0, 1, 1)

static uint32_t run_fast(struct mtr_metrology *m, const struct konst *k, const int32_t *f,
                         uint32_t len, int32_t comp[6], int32_t *yp, bool *cross)
{
    bool cmp = false;
    for (int c = 0; c < 6; c++) {
        cmp = cmp || k->a[c] != 0;
    }
    if (m->cfg.bits == 24) {
        return cmp ? run_24_cmp(m, k, f, len, comp, yp, cross) : run_24(m, k, f, len, comp, yp, cross);
    }
    return cmp ? run_any_cmp(m, k, f, len, comp, yp, cross) : run_any(m, k, f, len, comp, yp, cross);
}

static void capture(struct mtr_metrology *m, const int32_t comp[6])
{
#if MTR_CFG_HARMONICS
    if (m->cap_state != 2) {
        return;
    }
    for (int c = 0; c < 6; c++) {
        m->cap[c][m->cap_len] = (m->mask & (1u << (c % 3))) ? comp[c] : 0;
    }
    m->cap_len++;
    if (m->cap_t1 != 0 && m->nsamp >= (m->cap_t1 >> 16) + 4u) {
        m->cap_state = 3;
    } else if (m->cap_len >= MTR_CFG_METROLOGY_HARM_CAPTURE) {
        m->cap_state = 1;
    }
#else
    (void)m;
    (void)comp;
#endif
}

/* Waiting for the crossing that starts the capture, or capturing. */
static bool capturing(const struct mtr_metrology *m)
{
#if MTR_CFG_HARMONICS
    return m->cap_state == 1 || m->cap_state == 2;
#else
    (void)m;
    return false;
#endif
}

/* Frames until the signal-lost test first holds (no crossing for 1/40 s):
 * the smallest sample count s with (s << 16) - zc[0] > lost_q16. */
static uint64_t frames_to_lost(const struct mtr_metrology *m)
{
    if (m->zc_n == 0) {
        return UINT64_MAX;
    }
    uint64_t s = ((m->zc[0] + m->lost_q16) >> 16) + 1u;
    return s > m->nsamp ? s - m->nsamp : 1u;
}

void mtr_metrology_process(struct mtr_metrology *m, const int32_t *frames, size_t n)
{
    MTR_ASSERT(m != NULL && m->magic == MTR_METROLOGY_MAGIC && (frames != NULL || n == 0));
    struct konst k;
    konst_load(m, &k);
    while (n > 0) {
        uint64_t len = m->period_n - m->n, lost = frames_to_lost(m);
        len = len < n ? len : n;
        len = len < lost ? len : lost;
        int32_t comp[6], yp = 0;
        bool cross, cap = capturing(m);
        uint64_t first = m->nsamp;
        uint32_t done = cap ? run_cap(m, &k, frames, (uint32_t)len, comp, &yp, &cross)
                            : run_fast(m, &k, frames, (uint32_t)len, comp, &yp, &cross);
        m->nsamp = first + done - 1u; /* the index of the last frame done */
        if (cross) {
            freq_crossing(m, yp, m->lp2);
            if (cap || capturing(m)) {
                capture(m, comp);
            }
        }
        m->nsamp++;
        frames += (size_t)done * MTR_ADC_CHANNELS;
        n -= done;
        m->n += done;
        if (m->n == m->period_n) {
            mtr_metrology_period(m);
            konst_load(m, &k); /* new delay and reference; a calibration may have ended */
        }
        /* Signal lost: no crossing for 1/40 s. */
        if (m->zc_n > 0 && ((m->nsamp << 16) - m->zc[0]) > m->lost_q16) {
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
