/* SPDX-License-Identifier: Apache-2.0 */
/* Exact accumulation, creep and starting, pulse outputs, calibration. */
#include <criterion/criterion.h>
#include <criterion/logging.h>

#include "metrology_int.h"
#include "mtest.h"
#include "sim.h"
#include "meter/crc.h"

__extension__ typedef unsigned __int128 u128t; /* host tests only: exact reference sums */

static struct mtr_metrology m;

static void init_default(const struct mtr_sim_adc_cfg *ac, struct mtr_sim_adc *adc,
                         struct mtr_metrology_config *mc, const struct mtr_hal *hal)
{
    mt_config(mc, ac);
    cr_assert_eq(mtr_sim_adc_init(adc, ac), MTR_OK);
    cr_assert_eq(mtr_metrology_init(&m, mc, hal), MTR_OK);
}

/* 20 years at Umax x Imax (1.15 x 230 V x 100 A per phase), accelerated: one
 * day of energy per register call, with an odd micro-joule remainder so that
 * the carries work; the exact total (128-bit) must equal whole * 3.6e6 + rem. */
Test(energy, twenty_years_at_imax_exact)
{
    struct mtr_sim_adc_cfg ac;
    struct mtr_sim_adc adc;
    struct mtr_metrology_config mc;
    mtr_sim_adc_default(&ac);
    init_default(&ac, &adc, &mc, NULL);
    const int64_t day_uj = 264500LL * 100000LL / 1000 * 86400LL + 123457; /* uW*s per day + odd */
    u128t sum = 0;
    for (int d = 0; d < 7305; d++) {
        for (unsigned p = 0; p <= MTR_METROLOGY_TOTAL; p++) {
            int64_t e = p == MTR_METROLOGY_TOTAL ? 3 * day_uj : day_uj;
            mtr_metrology_register(&m, p, e, -e / 2, e + 1);
        }
        sum += (u128t)day_uj;
    }
    for (unsigned p = 0; p <= MTR_METROLOGY_TOTAL; p++) {
        u128t want = p == MTR_METROLOGY_TOTAL ? 3 * sum : sum;
        int64_t w, r;
        cr_assert_eq(mtr_metrology_energy(&m, p, MTR_E_A_IMP, &w, &r), MTR_OK);
        cr_expect(w > 0 && r >= 0 && r < MTR_METROLOGY_UJ_PER_MWH);
        cr_expect((u128t)w * 3600000u + (u128t)r == want, "phase %u", p);
        cr_assert_eq(mtr_metrology_energy(&m, p, MTR_E_S_IMP, &w, &r), MTR_OK);
        cr_expect((u128t)w * 3600000u + (u128t)r == want + 7305u, "S %u", p);
    }
}

/* The per-sample sums cannot overflow: a full-scale period at the largest
 * period length (16384 samples) still gives the exact power. */
Test(energy, full_scale_period_no_overflow)
{
    struct mtr_sim_adc_cfg ac;
    struct mtr_sim_adc adc;
    struct mtr_metrology_config mc;
    mtr_sim_adc_default(&ac);
    ac.rate_hz = 8000;
    mt_load(&ac, 424264, 141421, 0); /* 99.99 % of full scale peak */
    mt_config(&mc, &ac);
    mc.period_ms = 2000;
    cr_assert_eq(mtr_sim_adc_init(&adc, &ac), MTR_OK);
    cr_assert_eq(mtr_metrology_init(&m, &mc, NULL), MTR_OK);
    uint64_t idx = 0;
    mt_run(&m, &adc, &idx, 4 * 16000);
    struct mtr_metrology_result r;
    cr_assert_eq(mtr_metrology_result(&m, &r), MTR_OK);
    double err = mt_err_pct(r.p_mw * 1e-3, 3 * mt_ref_p(&ac, 0));
    cr_expect(fabs(err) <= 0.01, "%+.5f %%", err);
}

/* IEC 62053-21 8.3.2 / 62053-22: no-load at 1.15 Un with no current: no more
 * than one pulse; here, exactly zero energy over 24 simulated hours at 1 kHz
 * with a 1 % full-scale offset and noise, after 30 s of stabilisation
 * (IEC 62052-11: the meter is energised before the test; without calibration
 * DC seeds the DC filters settle in that time). The samples of the 24 hours
 * are 100 s of the sim ADC's signal (5000 whole cycles, so the waveform is
 * continuous where it repeats) played 864 times: generating 86.4 million
 * frames of noise would cost minutes. */
Test(energy, creep_no_load_115_un_offset_noise)
{
    struct mtr_sim_adc_cfg ac;
    struct mtr_sim_adc adc;
    struct mtr_metrology_config mc;
    mtr_sim_adc_default(&ac);
    ac.rate_hz = 1000;
    ac.noise_lsb = 8;
    ac.seed = 99;
    mt_load(&ac, 264500, 0, 0);
    for (int ch = 0; ch < MTR_ADC_CHANNELS; ch++) {
        ac.dc_offset[ch] = 83886;
    }
    init_default(&ac, &adc, &mc, NULL);
    uint64_t idx = 0;
    mt_run(&m, &adc, &idx, 30ull * 1000);
    int64_t w0[MTR_METROLOGY_TOTAL + 1][MTR_E_COUNT], r0[MTR_METROLOGY_TOTAL + 1][MTR_E_COUNT];
    for (unsigned p = 0; p <= MTR_METROLOGY_TOTAL; p++) {
        for (unsigned k = 0; k < MTR_E_COUNT; k++) {
            mtr_metrology_energy(&m, p, k, &w0[p][k], &r0[p][k]);
        }
    }
    enum { SPAN = 100 * 1000, PLAYS = 864 }; /* 100 s x 864 = 24 h */
    static int32_t span[SPAN * MTR_ADC_CHANNELS];
    for (uint32_t f = 0; f < SPAN; f++) {
        mtr_sim_adc_frame(&adc, idx + f, &span[f * MTR_ADC_CHANNELS]);
    }
    for (int play = 0; play < PLAYS; play++) {
        for (uint32_t f = 0; f < SPAN; f += 50) {
            mtr_metrology_process(&m, &span[f * MTR_ADC_CHANNELS], 50);
        }
    }
    for (unsigned p = 0; p <= MTR_METROLOGY_TOTAL; p++) {
        for (unsigned k = 0; k < MTR_E_COUNT; k++) {
            int64_t w, r;
            mtr_metrology_energy(&m, p, k, &w, &r);
            cr_expect(w == w0[p][k] && r == r0[p][k], "phase %u kind %u", p, k);
        }
    }
    struct mtr_metrology_result res;
    cr_assert_eq(mtr_metrology_result(&m, &res), MTR_OK);
    cr_expect(res.ph[0].below_start && res.ph[1].below_start && res.ph[2].below_start);
}

/* IEC 62053-22 8.3.3: a class 0.2S meter starts and keeps registering at
 * 0.001 In, PF 1. Threshold configured at 0.0008 In. */
Test(energy, starting_current_0001_in)
{
    struct mtr_sim_adc_cfg ac;
    struct mtr_sim_adc adc;
    struct mtr_metrology_config mc;
    mtr_sim_adc_default(&ac);
    ac.noise_lsb = 8;
    mt_load(&ac, 230000, 5, 0);
    mt_config(&mc, &ac);
    mc.start_ma = 4;
    cr_assert_eq(mtr_sim_adc_init(&adc, &ac), MTR_OK);
    cr_assert_eq(mtr_metrology_init(&m, &mc, NULL), MTR_OK);
    uint64_t idx = 0;
    mt_run(&m, &adc, &idx, 2 * 4000);
    double e0 = mt_p_j(&m, MTR_METROLOGY_TOTAL);
    mt_run(&m, &adc, &idx, 10 * 4000);
    double err = mt_err_pct(mt_p_j(&m, MTR_METROLOGY_TOTAL) - e0, 3 * mt_ref_p(&ac, 0) * 10);
    cr_log_info("0.001 In: active %+.4f %%", err);
    /* 0.2S at 0.001 In has no accuracy limit; the 0.01 In limit (+-0.4 %) is used. */
    cr_expect(fabs(err) <= 0.4, "%+.4f", err);
    struct mtr_metrology_result r;
    mtr_metrology_result(&m, &r);
    cr_expect(!r.ph[0].below_start);
}

static struct mtr_sim sim;

/* Pulses x constant == register over a long run, paced through io.pulse. */
Test(energy, pulses_match_register)
{
    struct mtr_sim_config sc;
    mtr_sim_default_config(&sc);
    sc.adc_enabled = false;
    cr_assert_eq(mtr_sim_init(&sim, &sc), MTR_OK);
    struct mtr_hal hal;
    mtr_sim_hal(&sim, &hal);
    struct mtr_sim_adc_cfg ac;
    struct mtr_sim_adc adc;
    struct mtr_metrology_config mc;
    mtr_sim_adc_default(&ac);
    mt_load(&ac, 230000, 60000, 2584);
    init_default(&ac, &adc, &mc, &hal);
    static const struct mtr_metrology_pulse_cfg pc[] = {
        {MTR_PULSE_A_ABS, 0, 2, 10000}, {MTR_PULSE_R_IMP, 1, 10, 3200},
        {MTR_PULSE_A_IMP, 2, 40, 1000}, {MTR_PULSE_S_ABS, 3, 10, 4000}};
    for (unsigned i = 0; i < 4; i++) {
        cr_assert_eq(mtr_metrology_pulse_config(&m, i, &pc[i]), MTR_OK);
    }
    struct mtr_metrology_pulse_cfg bad = {MTR_PULSE_A_IMP, 4, 0, 1000};
    cr_expect_eq(mtr_metrology_pulse_config(&m, 4, &bad), MTR_ERR_RANGE);
    cr_expect_eq(mtr_metrology_pulse_config(&m, MTR_METROLOGY_PULSE_OUTPUTS, &pc[0]), MTR_ERR_RANGE);
    uint64_t idx = 0;
    /* 120 s of load, then 30 s without current to drain what is pending. */
    for (int phase = 0; phase < 2; phase++) {
        for (int ms = 0; ms < (phase ? 30000 : 120000); ms++) {
            mt_run(&m, &adc, &idx, 4);
            mtr_sim_advance(&sim, 1);
        }
        mt_load(&ac, 230000, 0, 0);
        cr_assert_eq(mtr_sim_adc_init(&adc, &ac), MTR_OK);
    }
    static const unsigned kinds[] = {MTR_E_A_IMP, MTR_E_R_IMP, MTR_E_A_IMP, MTR_E_S_IMP};
    for (unsigned i = 0; i < 4; i++) {
        int64_t w, r;
        uint64_t emitted, pending;
        mtr_metrology_energy(&m, MTR_METROLOGY_TOTAL, kinds[i], &w, &r);
        u128t uj = (u128t)w * 3600000u + (u128t)r;
        uint64_t want = (uint64_t)(uj * pc[i].imp_per_kunit / 3600000000000ull);
        cr_assert_eq(mtr_metrology_pulse_count(&m, i, &emitted, &pending), MTR_OK);
        cr_log_info("output %u: %llu pulses, register %lld, %u imp/k", i, (unsigned long long)emitted,
                    (long long)w, pc[i].imp_per_kunit);
        cr_expect_eq(pending, 0);
        cr_expect_eq(emitted, want, "output %u: %llu != %llu", i, (unsigned long long)emitted,
                     (unsigned long long)want);
        cr_expect_eq(mtr_sim_pulses(&sim, pc[i].out), emitted);
    }
    mtr_sim_free(&sim);
}

/* ------------------------------------------------------------ calibration */

static const struct mtr_metrology_cal *neutral_cal(void)
{
    static struct mtr_metrology_cal c;
    for (int p = 0; p < 3; p++) {
        c.v_gain[p] = c.i_gain[p] = MTR_METROLOGY_GAIN_ONE;
    }
    c.in_gain = MTR_METROLOGY_GAIN_ONE;
    return &c;
}

Test(cal, blob_round_trip_and_bad_input_changes_nothing)
{
    struct mtr_metrology_cal c = *neutral_cal(), d, now;
    c.v_gain[1] = MTR_METROLOGY_GAIN_ONE + 12345;
    c.phase[2] = -4000;
    c.i_dc[0] = -77;
    uint8_t blob[MTR_METROLOGY_CAL_BLOB_SIZE + 4];
    cr_assert_eq(mtr_metrology_cal_encode(&c, blob, 10), MTR_ERR_FULL);
    cr_assert_eq(mtr_metrology_cal_encode(&c, blob, sizeof blob), MTR_OK);
    cr_assert_eq(mtr_metrology_cal_decode(blob, MTR_METROLOGY_CAL_BLOB_SIZE, &d), MTR_OK);
    cr_expect_eq(memcmp(&c, &d, sizeof c), 0);

    struct mtr_sim_adc_cfg ac;
    struct mtr_sim_adc adc;
    struct mtr_metrology_config mc;
    mtr_sim_adc_default(&ac);
    init_default(&ac, &adc, &mc, NULL);
    uint8_t bad[MTR_METROLOGY_CAL_BLOB_SIZE];
    /* every byte flipped, every prefix: a clear error, nothing changed */
    for (size_t i = 0; i < MTR_METROLOGY_CAL_BLOB_SIZE; i++) {
        memcpy(bad, blob, sizeof bad);
        bad[i] ^= 0x01;
        mtr_err_t e = mtr_metrology_cal_load(&m, bad, sizeof bad);
        cr_expect(e == MTR_ERR_CRC || e == MTR_ERR_DECODE || e == MTR_ERR_METROLOGY_VERSION, "byte %zu: %d", i, e);
        cr_expect_eq(mtr_metrology_cal_load(&m, blob, i), MTR_ERR_DECODE);
    }
    mtr_metrology_cal_get(&m, &now);
    cr_expect_eq(memcmp(&now, neutral_cal(), sizeof now), 0);
    /* version 2 with a valid CRC */
    memcpy(bad, blob, sizeof bad);
    bad[5] = 2;
    uint32_t crc = mtr_crc32(bad, sizeof bad - 4);
    bad[84] = (uint8_t)(crc >> 24); bad[85] = (uint8_t)(crc >> 16); bad[86] = (uint8_t)(crc >> 8); bad[87] = (uint8_t)crc;
    cr_expect_eq(mtr_metrology_cal_load(&m, bad, sizeof bad), MTR_ERR_METROLOGY_VERSION);
    /* a gain of 3.0 with a valid CRC */
    struct mtr_metrology_cal big = c;
    big.i_gain[0] = 3u * MTR_METROLOGY_GAIN_ONE;
    cr_assert_eq(mtr_metrology_cal_encode(&big, bad, sizeof bad), MTR_OK);
    cr_expect_eq(mtr_metrology_cal_load(&m, bad, sizeof bad), MTR_ERR_RANGE);
    mtr_metrology_cal_get(&m, &now);
    cr_expect_eq(memcmp(&now, neutral_cal(), sizeof now), 0);
    /* start-up load is allowed once; later changes need calibration mode */
    cr_expect_eq(mtr_metrology_cal_load(&m, blob, MTR_METROLOGY_CAL_BLOB_SIZE), MTR_OK);
    mtr_metrology_cal_get(&m, &now);
    cr_expect_eq(memcmp(&now, &c, sizeof now), 0);
    cr_expect_eq(mtr_metrology_cal_load(&m, blob, MTR_METROLOGY_CAL_BLOB_SIZE), MTR_ERR_METROLOGY_LOCKED);
    cr_expect_eq(mtr_metrology_cal_set(&m, neutral_cal()), MTR_ERR_METROLOGY_LOCKED);
    struct mtr_metrology_cal_ref ref = {1, 230000, 5000, 0, 2};
    cr_expect_eq(mtr_metrology_cal_start(&m, &ref), MTR_ERR_METROLOGY_LOCKED);
    mtr_metrology_cal_get(&m, &now);
    cr_expect_eq(memcmp(&now, &c, sizeof now), 0);
    mtr_metrology_cal_mode(&m, true);
    cr_expect_eq(mtr_metrology_cal_set(&m, &big), MTR_ERR_RANGE);
    cr_expect_eq(mtr_metrology_cal_set(&m, neutral_cal()), MTR_OK);
    ref.periods = 0;
    cr_expect_eq(mtr_metrology_cal_start(&m, &ref), MTR_ERR_RANGE);
}

/* Front end with gain, phase and offset errors per phase. */
static const double fe_vg[3] = {1.05, 0.95, 1.03}, fe_ig[3] = {0.95, 1.05, 0.97};
static const int32_t fe_ph[3] = {100, -100, 60}; /* current lags by extra 0.01 degree */

static void front_end(struct mtr_sim_adc_cfg *ac, int64_t u_mv, int64_t i_ma, int32_t lag)
{
    mtr_sim_adc_default(ac);
    for (int p = 0; p < 3; p++) {
        ac->phase[p].v_rms_mv = (int64_t)(u_mv * fe_vg[p] + 0.5);
        ac->phase[p].i_rms_ma = (int64_t)(i_ma * fe_ig[p] + 0.5);
        ac->phase[p].i_angle_cdeg = lag + fe_ph[p];
    }
    for (int ch = 0; ch < MTR_ADC_CHANNELS; ch++) {
        ac->dc_offset[ch] = ch % 2 ? 83886 : -83886; /* 1 % of full scale */
    }
}

/* True power at the meter's terminals: the front end's output (the sim's
 * integer RMS settings) divided by its gain errors. */
static double true_p(const struct mtr_sim_adc_cfg *ac, int32_t lag)
{
    double p = 0;
    for (int k = 0; k < 3; k++) {
        p += ac->phase[k].v_rms_mv * 1e-3 / fe_vg[k] * ac->phase[k].i_rms_ma * 1e-3 / fe_ig[k];
    }
    return p * cos(lag * TEST_PI / 18000);
}

static void cal_point(struct mtr_sim_adc *adc, uint64_t *idx, int32_t lag)
{
    struct mtr_sim_adc_cfg ac;
    front_end(&ac, 230000, 5000, lag);
    cr_assert_eq(mtr_sim_adc_init(adc, &ac), MTR_OK);
    struct mtr_metrology_cal_ref ref = {7, 230000, 5000, lag, 4};
    cr_assert_eq(mtr_metrology_cal_start(&m, &ref), MTR_OK);
    mt_run(&m, adc, idx, 6 * 4000);
    cr_assert_eq(mtr_metrology_cal_status(&m), MTR_OK);
}

/* Limits: half of IEC 62053-22 class 0.2S (table 4). */
Test(cal, model_front_end_meets_half_02s)
{
    struct mtr_sim_adc_cfg ac;
    struct mtr_sim_adc adc;
    struct mtr_metrology_config mc;
    front_end(&ac, 230000, 5000, 0);
    init_default(&ac, &adc, &mc, NULL);
    uint64_t idx = 0;
    mt_run(&m, &adc, &idx, 8 * 4000); /* DC filters settle */
    cr_expect_eq(mtr_metrology_cal_status(&m), MTR_ERR_EMPTY);
    mtr_metrology_cal_mode(&m, true);
    cal_point(&adc, &idx, 0);
    cal_point(&adc, &idx, 6000);
    mtr_metrology_cal_mode(&m, false);
    static const double loads[] = {0.01, 0.05, 0.1, 0.2, 1.0, 20.0};
    static const int32_t lags[] = {0, 6000, -3687};
    cr_log_info("| lag | I/In | error %% | limit %% |");
    for (int a = 0; a < 3; a++) {
        for (int l = 0; l < 6; l++) {
            if (lags[a] != 0 && loads[l] < 0.02) {
                continue; /* table 4: PF 0.5L / 0.8C from 0.02 In */
            }
            int64_t i_ma = (int64_t)(5000 * loads[l] + 0.5);
            front_end(&ac, 230000, i_ma, lags[a]);
            cr_assert_eq(mtr_sim_adc_init(&adc, &ac), MTR_OK);
            /* settle after the load change (IEC 62052-11 lets a meter stabilise) */
            mt_run(&m, &adc, &idx, 6 * 4000);
            double e0 = mt_p_j(&m, MTR_METROLOGY_TOTAL);
            mt_run(&m, &adc, &idx, 2 * 4000);
            double err = mt_err_pct(mt_p_j(&m, MTR_METROLOGY_TOTAL) - e0, true_p(&ac, lags[a]) * 2);
            double lim = lags[a] == 0 ? (loads[l] < 0.05 ? 0.2 : 0.1) : (loads[l] < 0.1 ? 0.25 : 0.15);
            cr_log_info("| %.2f | %.2f | %+.4f | %.2f |", lags[a] / 100.0, loads[l], err, lim);
            cr_expect(fabs(err) <= lim, "lag %d load %.2f: %+.4f", lags[a], loads[l], err);
        }
    }
    /* the coefficients survive a blob round trip */
    struct mtr_metrology_cal c, d;
    uint8_t blob[MTR_METROLOGY_CAL_BLOB_SIZE];
    mtr_metrology_cal_get(&m, &c);
    cr_assert_eq(mtr_metrology_cal_encode(&c, blob, sizeof blob), MTR_OK);
    cr_assert_eq(mtr_metrology_cal_decode(blob, sizeof blob, &d), MTR_OK);
    cr_expect_eq(memcmp(&c, &d, sizeof c), 0);
}

Test(config, bad_configuration_rejected_untouched)
{
    struct mtr_metrology_config mc;
    mtr_metrology_config_default(&mc);
    memset(&m, 0xA5, sizeof m);
    struct mtr_metrology_config bad[8];
    for (int i = 0; i < 8; i++) {
        bad[i] = mc;
    }
    bad[0].rate_hz = 999;
    bad[1].bits = 25;
    bad[2].wiring = 9;
    bad[3].period_ms = 3000;
    bad[4].fn_mhz = 55000;
    bad[5].v_full_scale_mv = 0;
    bad[6].imax_ma = 1;
    bad[7].period_ms = 100;
    bad[7].rate_hz = 4001; /* 400.1 samples per period */
    for (int i = 0; i < 8; i++) {
        cr_expect_eq(mtr_metrology_init(&m, &bad[i], NULL), MTR_ERR_CONFIG, "case %d", i);
    }
    const uint8_t *raw = (const uint8_t *)&m;
    for (size_t i = 0; i < sizeof m; i++) {
        cr_assert_eq(raw[i], 0xA5);
    }
    int64_t w;
    cr_assert_eq(mtr_metrology_init(&m, &mc, NULL), MTR_OK);
    struct mtr_metrology_result r;
    cr_expect_eq(mtr_metrology_result(&m, &r), MTR_ERR_EMPTY);
    cr_expect_eq(mtr_metrology_energy(&m, MTR_METROLOGY_TOTAL + 1, 0, &w, NULL), MTR_ERR_RANGE);
    cr_expect_eq(mtr_metrology_energy(&m, 0, MTR_E_COUNT, &w, NULL), MTR_ERR_RANGE);
    int64_t regs[MTR_METROLOGY_PHASES + 1][MTR_E_COUNT] = {{0}};
    regs[1][2] = -1;
    cr_expect_eq(mtr_metrology_energy_restore(&m, (const int64_t(*)[MTR_E_COUNT])regs), MTR_ERR_RANGE);
    regs[1][2] = 42;
    cr_expect_eq(mtr_metrology_energy_restore(&m, (const int64_t(*)[MTR_E_COUNT])regs), MTR_OK);
    cr_expect_eq(mtr_metrology_energy(&m, 1, 2, &w, NULL), MTR_OK);
    cr_expect_eq(w, 42);
}
