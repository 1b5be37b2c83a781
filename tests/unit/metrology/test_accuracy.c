/* SPDX-License-Identifier: Apache-2.0 */
/* Accuracy on the synthetic source: measured energy against the exact energy
 * of the signal over whole seconds. Limits:
 *  - IEC 62053-22:2003 table 4 (class 0.2S active): PF 1: +-0.4 % from 0.01 In
 *    to 0.05 In, +-0.2 % from 0.05 In to Imax; PF 0.5L / 0.8C: +-0.5 % from
 *    0.02 In to 0.1 In, +-0.3 % from 0.1 In to Imax.
 *  - IEC 62053-23:2003 table 6 (class 2 reactive): sin 1: +-2.5 % 0.05-0.1 Ib,
 *    +-2.0 % 0.1 Ib-Imax; sin 0.5: +-2.5 % 0.1-0.2 Ib, +-2.0 % 0.2 Ib-Imax;
 *    sin 0.25: +-2.5 % 0.2 Ib-Imax.
 *  - the library's own target (docs/metrology.md): with a 24-bit ADC and an
 *    ideal front end, active within +-0.1 % at PF 1 from 0.01 In to Imax and
 *    +-0.2 % at PF 0.5L / 0.8C; fundamental reactive within +-0.2 % at
 *    sin 1 and 0.5 from 45 to 65 Hz; Urms/Irms within +-0.1 % over 1000:1. */
#include <criterion/criterion.h>
#include <criterion/logging.h>

#include "mtest.h"

struct point {
    double p_err, q_err; /* worst over phases and total, percent */
};

/* Warm up @p warm s, then measure @p secs s; worst errors over phases and total. */
static struct point measure(const struct mtr_sim_adc_cfg *ac, unsigned warm, unsigned secs)
{
    static struct mtr_metrology m;
    struct mtr_sim_adc adc;
    struct mtr_metrology_config mc;
    mt_config(&mc, ac);
    cr_assert_eq(mtr_sim_adc_init(&adc, ac), MTR_OK);
    cr_assert_eq(mtr_metrology_init(&m, &mc, NULL), MTR_OK);
    mc.start_ma = 0;
    uint64_t idx = 0;
    mt_run(&m, &adc, &idx, (uint64_t)warm * ac->rate_hz);
    double p0[4], q0[4];
    for (unsigned i = 0; i < 4; i++) {
        p0[i] = mt_p_j(&m, i);
        q0[i] = mt_q_j(&m, i);
    }
    mt_run(&m, &adc, &idx, (uint64_t)secs * ac->rate_hz);
    struct point w = {0, 0};
    double pt = 0, qt = 0;
    for (unsigned i = 0; i < 4; i++) {
        double pr = i < 3 ? mt_ref_p(ac, (int)i) * secs : pt;
        double qr = i < 3 ? mt_ref_q1(ac, (int)i) * secs : qt;
        if (i < 3) {
            pt += pr;
            qt += qr;
        }
        double ep = fabs(pr) > 1e-9 ? mt_err_pct(mt_p_j(&m, i) - p0[i], pr) : 0;
        double eq = fabs(qr) > 1e-9 ? mt_err_pct(mt_q_j(&m, i) - q0[i], qr) : 0;
        if (fabs(ep) > fabs(w.p_err)) {
            w.p_err = ep;
        }
        if (fabs(eq) > fabs(w.q_err)) {
            w.q_err = eq;
        }
    }
    return w;
}

struct pf_case {
    const char *name;
    int32_t lag_cdeg;
};

/* Current as a share of In (5 A), Imax 100 A. */
static const double loads[] = {0.01, 0.05, 0.1, 0.2, 1.0, 20.0};

static double active_limit(double x, int32_t lag)
{
    if (lag == 0) {
        return 0.1; /* library target (tighter than 0.2S: 0.4 % / 0.2 %) */
    }
    if (lag == 6000 || lag == -3687) {
        return 0.2; /* library target (tighter than 0.2S: 0.5 % / 0.3 %) */
    }
    return x < 0.05 ? 0.4 : 0.2; /* 0.25L: not in table 4; the PF 1 limits of 0.2S */
}

static double reactive_limit(double x, int32_t lag)
{
    int32_t a = lag < 0 ? -lag : lag;
    if (a == 9000 || a == 3000 || a == 6000 || a == 3687 || a == 7552) {
        /* library target +-0.2 % for sin 1 and 0.5; class 2 (IEC 62053-23) otherwise */
        if (a == 9000 || a == 3000) {
            return 0.2;
        }
        return x < 0.2 ? 2.5 : 2.0;
    }
    return 2.0;
}

Test(accuracy, iec_table_points_every_quadrant)
{
    static const struct pf_case pfs[] = {
        {"PF 1", 0}, {"PF 0.5L", 6000}, {"PF 0.8C", -3687}, {"PF 0.25L", 7552},
        {"sin 1 L", 9000}, {"sin 0.5 L", 3000}};
    cr_log_info("| point | I/In | direction | active err %% (limit) | reactive err %% (limit) |");
    for (size_t k = 0; k < sizeof pfs / sizeof pfs[0]; k++) {
        for (size_t l = 0; l < sizeof loads / sizeof loads[0]; l++) {
            for (int dir = 0; dir < 2; dir++) {
                struct mtr_sim_adc_cfg ac;
                mtr_sim_adc_default(&ac);
                int32_t lag = pfs[k].lag_cdeg + (dir ? 18000 : 0);
                mt_load(&ac, 230000, (int64_t)(5000 * loads[l] + 0.5), lag);
                struct point w = measure(&ac, 1, 1);
                double la = active_limit(loads[l], pfs[k].lag_cdeg);
                double lr = reactive_limit(loads[l], pfs[k].lag_cdeg);
                cr_log_info("| %s | %.2f | %s | %+.4f (%.1f) | %+.4f (%.1f) |", pfs[k].name, loads[l],
                            dir ? "export" : "import", w.p_err, la, w.q_err, lr);
                if (pfs[k].lag_cdeg != 9000) {
                    cr_expect(fabs(w.p_err) <= la, "%s %.2f In dir %d: active %+.4f %%", pfs[k].name,
                              loads[l], dir, w.p_err);
                }
                if (pfs[k].lag_cdeg != 0 && loads[l] >= 0.05) {
                    cr_expect(fabs(w.q_err) <= lr, "%s %.2f In dir %d: reactive %+.4f %%",
                              pfs[k].name, loads[l], dir, w.q_err);
                }
            }
        }
    }
}
