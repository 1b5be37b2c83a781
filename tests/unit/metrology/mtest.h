/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers of the metrology tests: drive the engine with the sim ADC and
 * compute the exact reference quantities of the synthetic signal. */
#ifndef MTEST_H
#define MTEST_H

#include <math.h>
#include <string.h>

#include "meter/metrology.h"
#include "sim_adc.h"

#define TEST_PI 3.14159265358979323846

/* Feed frames [*idx, *idx + n) of @p adc to @p m. */
static inline void mt_run(struct mtr_metrology *m, const struct mtr_sim_adc *adc, uint64_t *idx,
                          uint64_t n)
{
    int32_t buf[64 * MTR_ADC_CHANNELS];
    while (n > 0) {
        size_t k = n < 64 ? (size_t)n : 64;
        for (size_t f = 0; f < k; f++) {
            mtr_sim_adc_frame(adc, (*idx)++, &buf[f * MTR_ADC_CHANNELS]);
        }
        mtr_metrology_process(m, buf, k);
        n -= k;
    }
}

/* Register + remainder of (phase, kind), in joules (double is fine in tests). */
static inline double mt_joules(const struct mtr_metrology *m, unsigned ph, unsigned kind)
{
    int64_t w, r;
    mtr_metrology_energy(m, ph, kind, &w, &r);
    return ((double)w * 3600000.0 + (double)r) * 1e-6;
}

/* Signed active energy (import - export) and reactive (+R - -R), joules. */
static inline double mt_p_j(const struct mtr_metrology *m, unsigned ph)
{
    return mt_joules(m, ph, MTR_E_A_IMP) - mt_joules(m, ph, MTR_E_A_EXP);
}
static inline double mt_q_j(const struct mtr_metrology *m, unsigned ph)
{
    return mt_joules(m, ph, MTR_E_R_IMP) - mt_joules(m, ph, MTR_E_R_EXP);
}

/* Exact mean active power (W) of phase p of the synthetic source: the sum over
 * harmonics of Vh Ih cos(h i_angle + phi_vh - phi_ih) (sim_adc.h formula). */
static inline double mt_ref_p(const struct mtr_sim_adc_cfg *c, int p)
{
    const struct mtr_sim_phase_cfg *ph = &c->phase[p];
    double u = ph->v_rms_mv * 1e-3, i = ph->i_rms_ma * 1e-3;
    double a = ph->i_angle_cdeg * TEST_PI / 18000.0;
    double sum = u * i * cos(a);
    for (int h = 2; h <= MTR_SIM_HARMONIC_MAX; h++) {
        double d = h * a + (ph->v_harm_cdeg[h] - ph->i_harm_cdeg[h]) * TEST_PI / 18000.0;
        sum += u * ph->v_harm_permille[h] / 1000.0 * i * ph->i_harm_permille[h] / 1000.0 * cos(d);
    }
    return sum;
}

/* Exact fundamental reactive power (var) of phase p: U1 I1 sin(i_angle). */
static inline double mt_ref_q1(const struct mtr_sim_adc_cfg *c, int p)
{
    const struct mtr_sim_phase_cfg *ph = &c->phase[p];
    return ph->v_rms_mv * 1e-3 * ph->i_rms_ma * 1e-3 * sin(ph->i_angle_cdeg * TEST_PI / 18000.0);
}

/* True RMS (V or A) of a fundamental with harmonics given in per mille. */
static inline double mt_ref_rms(int64_t fund_milli, const uint16_t *harm)
{
    double s = 1.0;
    for (int h = 2; h <= MTR_SIM_HARMONIC_MAX; h++) {
        s += (harm[h] / 1000.0) * (harm[h] / 1000.0);
    }
    return fund_milli * 1e-3 * sqrt(s);
}

/* Engine configuration matching a sim source. */
static inline void mt_config(struct mtr_metrology_config *mc, const struct mtr_sim_adc_cfg *ac)
{
    mtr_metrology_config_default(mc);
    mc->rate_hz = ac->rate_hz;
    mc->bits = ac->bits;
    mc->v_full_scale_mv = ac->v_full_scale_mv;
    mc->i_full_scale_ma = ac->i_full_scale_ma;
    mc->neutral_measured = ac->neutral_measured;
}

/* Same load on the three phases: RMS values and current lag. */
static inline void mt_load(struct mtr_sim_adc_cfg *ac, int64_t u_mv, int64_t i_ma, int32_t lag_cdeg)
{
    for (int p = 0; p < 3; p++) {
        ac->phase[p].v_rms_mv = u_mv;
        ac->phase[p].i_rms_ma = i_ma;
        ac->phase[p].i_angle_cdeg = lag_cdeg;
    }
}

static inline double mt_err_pct(double meas, double ref)
{
    return (meas - ref) / fabs(ref) * 100.0;
}

#endif /* MTEST_H */
