/* SPDX-License-Identifier: Apache-2.0 */
/* Once-per-period work: RMS, powers, the reactive estimator, energy registers. */
#include <string.h>

#include "meter/meter.h"
#include "metrology_int.h"

/* RMS of a sum of squares over n samples, scaled by k (units per Q16 code). */
static uint64_t rms(uint64_t sum, uint32_t n, struct mtr_fx k)
{
    struct mtr_u128 ms = mtr_u128_div(mtr_u128_shl((struct mtr_u128){0, sum}, 32),
                                      (struct mtr_u128){0, n});
    return mtr_fx_mul_u64(mtr_isqrt128(ms), k);
}

static int64_t div_round(int64_t a, int64_t b)
{
    return a >= 0 ? (a + b / 2) / b : -((-a + b / 2) / b);
}

static uint8_t quadrant(int64_t p, int64_t q)
{
    return p >= 0 ? (q >= 0 ? 1 : 4) : (q >= 0 ? 2 : 3);
}

static mtr_pf_t power_factor(int64_t p, int64_t s)
{
    if (s <= 0) {
        return p >= 0 ? MTR_PF_ONE : -MTR_PF_ONE;
    }
    int64_t a = p < 0 ? -p : p;
    int64_t pf = a >= s ? MTR_PF_ONE : (a * 10000 + s / 2) / s;
    return (mtr_pf_t)(p < 0 ? -pf : pf);
}

static void add_reg(struct mtr_metrology *m, unsigned idx, unsigned kind, int64_t uj)
{
    struct mtr_carry c = {m->rem[idx][kind]};
    m->reg[idx][kind] += mtr_carry_add(&c, uj, MTR_METROLOGY_UJ_PER_MWH);
    m->rem[idx][kind] = c.rem;
}

void mtr_metrology_register(struct mtr_metrology *m, unsigned idx, int64_t ep, int64_t eq,
                            int64_t es)
{
    uint8_t qd = quadrant(ep, eq);
    int64_t aq = eq < 0 ? -eq : eq;
    add_reg(m, idx, ep >= 0 ? MTR_E_A_IMP : MTR_E_A_EXP, ep >= 0 ? ep : -ep);
    add_reg(m, idx, (unsigned)(MTR_E_R_Q1 + qd - 1), aq);
    add_reg(m, idx, eq >= 0 ? MTR_E_R_IMP : MTR_E_R_EXP, aq);
    add_reg(m, idx, ep >= 0 ? MTR_E_S_IMP : MTR_E_S_EXP, es);
}

/* Fundamental reactive sum from R = sum v[k-n] i[k] and P = sum v[k] i[k]:
 * R = P cos(nw) + Q sin(nw), so Q = (R - P cos(nw)) / sin(nw). */
struct qcoef {
    int64_t a; /* 1 / sin(nw), Q30 */
    int64_t b; /* -cos(nw) / sin(nw), Q30 */
};

static struct qcoef q_coeffs(uint32_t f_mhz, uint32_t rate, uint32_t delay)
{
    uint64_t w = (((uint64_t)f_mhz << 32) + 500u * rate) / (1000u * (uint64_t)rate);
    int32_t c, s;
    mtr_cordic_sincos((mtr_turn_t)(w * delay), &c, &s);
    struct qcoef k;
    if (s < (1 << 28)) {
        s = 1 << 28; /* cannot happen for delays chosen near a quarter period */
    }
    k.a = (int64_t)(((uint64_t)1 << 60) / (uint64_t)s);
    k.b = -(((int64_t)c * (1ll << 30)) / s);
    return k;
}

static int64_t q_sum(int64_t r, int64_t p, struct qcoef k, uint64_t *frac)
{
    struct mtr_u128 acc = mtr_u128_add(mtr_s128_mul(r, k.a), mtr_s128_mul(p, k.b));
    acc = mtr_u128_add(acc, (struct mtr_u128){0, *frac});
    *frac = acc.lo & ((1u << 30) - 1u);
    return (int64_t)mtr_s128_sar(acc, 30).lo;
}

static mtr_mhz_t period_frequency(const struct mtr_metrology *m)
{
    if (m->zc_count < 2) {
        return 0;
    }
    uint64_t span = m->zc_last - m->zc_first;
    return (mtr_mhz_t)(((uint64_t)(m->zc_count - 1) * m->cfg.rate_hz * 1000u * 65536u + span / 2) /
                       span);
}

static void element(struct mtr_metrology *m, int p, struct qcoef k, int64_t e[3])
{
    struct mtr_metrology_phase *r = &m->res.ph[p];
    uint32_t n = m->period_n;
    r->u_uv = (uint32_t)rms(m->v2[p], n, m->kv[p]);
    r->i_ua = (uint32_t)rms(m->i2[p], n, m->ki[p]);
    r->u_mv = (mtr_mv_t)((r->u_uv + 500u) / 1000u);
    r->i_ma = (mtr_ma_t)((r->i_ua + 500u) / 1000u);
    int64_t qs = q_sum(m->vq[p], m->vi[p], k, &m->qcfrac[p]);
    uint64_t ss = mtr_isqrt128(mtr_u128_mul(m->v2[p], m->i2[p]));
    e[0] = mtr_fx_mul_carry(m->vi[p], m->kp[p], &m->pfrac[p]);
    e[1] = mtr_fx_mul_carry(qs, m->kp[p], &m->qfrac[p]);
    e[2] = mtr_fx_mul_carry((int64_t)ss, m->kp[p], &m->sfrac[p]);
    r->p_mw = div_round(e[0], m->cfg.period_ms);
    r->q_mvar = div_round(e[1], m->cfg.period_ms);
    r->s_mva = div_round(e[2], m->cfg.period_ms);
    r->pf = power_factor(e[0], e[2]);
    r->quadrant = quadrant(e[0], e[1]);
    r->missing = (int64_t)r->u_uv * 1000 < (int64_t)m->cfg.un_mv * m->cfg.missing_permille;
    r->below_start = (int64_t)r->i_ua < (int64_t)m->cfg.start_ma * 1000;
    if (r->below_start) {
        e[0] = e[1] = e[2] = 0;
    }
}

static void totals(struct mtr_metrology *m, const int64_t tot[3])
{
    struct mtr_metrology_result *r = &m->res;
    int64_t es = tot[2];
    if (m->cfg.wiring == MTR_WIRING_3P3W) {
        struct mtr_u128 sq = mtr_u128_add(mtr_s128_mul(tot[0], tot[0]), mtr_s128_mul(tot[1], tot[1]));
        es = (int64_t)mtr_isqrt128(sq);
    }
    r->p_mw = div_round(tot[0], m->cfg.period_ms);
    r->q_mvar = div_round(tot[1], m->cfg.period_ms);
    r->s_mva = div_round(es, m->cfg.period_ms);
    r->pf = power_factor(tot[0], es);
    r->quadrant = quadrant(tot[0], tot[1]);
    mtr_metrology_register(m, MTR_METROLOGY_TOTAL, tot[0], tot[1], es);
    mtr_metrology_pulse_energy(m, tot[0], tot[1], es);
}

static void choose_reference(struct mtr_metrology *m)
{
    if (!m->res.ph[m->fref].missing) {
        return;
    }
    for (uint8_t p = 0; p < 3; p++) {
        if ((m->mask & (1u << p)) && !m->res.ph[p].missing) {
            m->fref = p;
            return;
        }
    }
}

void mtr_metrology_period(struct mtr_metrology *m)
{
    mtr_mhz_t f = period_frequency(m);
    m->res.f_mhz = f;
    if (f != 0) {
        m->f_period = f;
    }
    mtr_mhz_t fq = m->f_period != 0 ? m->f_period : m->cfg.fn_mhz;
    struct qcoef k = q_coeffs(fq, m->cfg.rate_hz, m->qdelay);
    int64_t tot[3] = {0, 0, 0};
    for (int p = 0; p < MTR_METROLOGY_PHASES; p++) {
        if (!(m->mask & (1u << p))) {
            continue;
        }
        int64_t e[3];
        element(m, p, k, e);
        mtr_metrology_register(m, (unsigned)p, e[0], e[1], e[2]);
        for (int j = 0; j < 3; j++) {
            tot[j] += e[j];
        }
    }
    totals(m, tot);
    m->res.in_measured = m->cfg.neutral_measured;
    m->res.in_ua = (uint32_t)rms(m->in2, m->period_n, m->cfg.neutral_measured ? m->kin : m->ki[0]);
#if MTR_CFG_HARMONICS
    if (m->cap_state == 3) {
        mtr_metrology_harm_analyse(m);
        m->cap_state = 1;
    } else if (m->cap_state != 2) {
        m->cap_state = 1;
    }
#endif
    m->res.seq++;
    mtr_metrology_cal_period(m);
    choose_reference(m);
    /* Next period's quarter-period delay, from the frequency just measured. */
    uint32_t d = (m->cfg.rate_hz * 1000u + 2u * fq) / (4u * fq);
    m->qdelay = d < 1u ? 1u : d > MTR_METROLOGY_VHIST - 2u ? MTR_METROLOGY_VHIST - 2u : d;
    memset(m->v2, 0, sizeof m->v2);
    memset(m->i2, 0, sizeof m->i2);
    memset(m->vi, 0, sizeof m->vi);
    memset(m->vq, 0, sizeof m->vq);
    m->in2 = 0;
    m->n = 0;
    m->zc_count = 0;
}

mtr_err_t mtr_metrology_result(const struct mtr_metrology *m, struct mtr_metrology_result *out)
{
    MTR_ASSERT(m != NULL && out != NULL);
    if (m->res.seq == 0) {
        return MTR_ERR_EMPTY;
    }
    *out = m->res;
    return MTR_OK;
}

mtr_err_t mtr_metrology_energy(const struct mtr_metrology *m, unsigned phase, unsigned kind,
                               int64_t *whole, int64_t *rem_uj)
{
    MTR_ASSERT(m != NULL && whole != NULL);
    if (phase > MTR_METROLOGY_TOTAL || kind >= MTR_E_COUNT) {
        return MTR_ERR_RANGE;
    }
    *whole = m->reg[phase][kind];
    if (rem_uj != NULL) {
        *rem_uj = m->rem[phase][kind];
    }
    return MTR_OK;
}

mtr_err_t mtr_metrology_energy_restore(struct mtr_metrology *m,
                                       const int64_t regs[MTR_METROLOGY_PHASES + 1][MTR_E_COUNT])
{
    MTR_ASSERT(m != NULL && regs != NULL);
    for (int i = 0; i <= MTR_METROLOGY_PHASES; i++) {
        for (int k = 0; k < MTR_E_COUNT; k++) {
            if (regs[i][k] < 0) {
                return MTR_ERR_RANGE;
            }
        }
    }
    memcpy(m->reg, regs, sizeof m->reg);
    memset(m->rem, 0, sizeof m->rem);
    return MTR_OK;
}
