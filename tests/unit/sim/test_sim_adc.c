/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tests of the simulated ADC: the synthetic waveforms are measured back from
 * the samples (RMS, angles, harmonics, drift, noise) and the sample-file
 * parser is run against tests/vectors/sim_samples.data.
 */
#define _POSIX_C_SOURCE 200809L

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim_adc.h"

#ifndef SIM_SAMPLES_VECTORS
#define SIM_SAMPLES_VECTORS "tests/vectors/sim_samples.data"
#endif

#define PI 3.14159265358979323846
#define SQRT2 1.41421356237309504880
/* 10 cycles of 50 Hz at 4000 frames/s: every single-bin DFT below is exact. */
#define CYCLE 80u
#define WHOLE (10u * CYCLE)

/* ================================================================ helpers */

static void setup(struct mtr_sim_adc *adc, const struct mtr_sim_adc_cfg *cfg)
{
    cr_assert_eq(mtr_sim_adc_init(adc, cfg), MTR_OK);
}

static double code_max(uint8_t bits)
{
    return (double)((1l << (bits - 1)) - 1);
}

static int32_t sample(const struct mtr_sim_adc *adc, uint64_t index, unsigned ch)
{
    int32_t f[MTR_ADC_CHANNELS];

    mtr_sim_adc_frame(adc, index, f);
    return f[ch];
}

static double mean(const struct mtr_sim_adc *adc, unsigned ch, uint64_t n)
{
    double s = 0.0;

    for (uint64_t k = 0; k < n; k++)
        s += sample(adc, k, ch);
    return s / (double)n;
}

static double rms(const struct mtr_sim_adc *adc, unsigned ch, uint64_t n)
{
    double s = 0.0;

    for (uint64_t k = 0; k < n; k++) {
        double x = sample(adc, k, ch);
        s += x * x;
    }
    return sqrt(s / (double)n);
}

/* Single-bin DFT of @n samples at @cycles cycles per @n samples: amplitude and phase. */
struct phasor {
    double amp; /* peak, codes */
    double deg; /* angle of the sine, degrees */
};

static struct phasor dft(const struct mtr_sim_adc *adc, unsigned ch, uint64_t n, double cycles)
{
    double re = 0.0;
    double im = 0.0;
    struct phasor p;

    for (uint64_t k = 0; k < n; k++) {
        double w = 2.0 * PI * cycles * (double)k / (double)n;
        double x = sample(adc, k, ch);
        re += x * cos(w);
        im -= x * sin(w);
    }
    p.amp = 2.0 * hypot(re, im) / (double)n;
    p.deg = atan2(im, re) * 180.0 / PI + 90.0; /* sin(w + a) lands at a - 90 degrees */
    return p;
}

/* a - b folded into (-180, 180] degrees. */
static double angle_diff(double a, double b)
{
    double d = fmod(a - b, 360.0);

    if (d > 180.0)
        d -= 360.0;
    if (d <= -180.0)
        d += 360.0;
    return d;
}

static struct mtr_sim_adc_cfg quiet_cfg(void)
{
    struct mtr_sim_adc_cfg cfg;

    mtr_sim_adc_default(&cfg);
    for (unsigned p = 0; p < 3; p++) {
        cfg.phase[p].v_rms_mv = 0;
        cfg.phase[p].i_rms_ma = 0;
    }
    return cfg;
}

/* ========================================================== waveforms */

Test(sim_adc, default_config_is_valid_and_as_documented)
{
    struct mtr_sim_adc_cfg cfg;
    struct mtr_sim_adc adc;

    mtr_sim_adc_default(&cfg);
    setup(&adc, &cfg);
    cr_expect_eq(mtr_sim_adc_rate(&adc), 4000u);
    cr_expect_eq(mtr_sim_adc_bits(&adc), 24u);
    cr_expect_eq(cfg.freq_mhz, 50000u);
    cr_expect_eq(cfg.phase[1].v_angle_cdeg, -12000);
    cr_expect_eq(cfg.phase[2].v_angle_cdeg, 12000);
    cr_expect(fabs(cos(cfg.phase[0].i_angle_cdeg / 18000.0 * PI) - 0.9) < 1e-4, "PF 0.9");
    cr_expect_eq(mtr_sim_adc_file_frames(&adc), 0u);
}

Test(sim_adc, rms_over_whole_cycles_matches_config)
{
    struct mtr_sim_adc_cfg cfg;
    struct mtr_sim_adc adc;

    mtr_sim_adc_default(&cfg);
    cfg.phase[1].v_rms_mv = 57735;
    cfg.phase[2].i_rms_ma = 63250;
    setup(&adc, &cfg);
    for (unsigned p = 0; p < 3; p++) {
        double v = rms(&adc, MTR_ADC_V1 + p, WHOLE) * 600000.0 / code_max(24);
        double i = rms(&adc, MTR_ADC_I1 + p, WHOLE) * 200000.0 / code_max(24);
        double v_want = (double)cfg.phase[p].v_rms_mv;
        double i_want = (double)cfg.phase[p].i_rms_ma;

        cr_expect(fabs(v - v_want) < 1e-5 * v_want, "V%u rms %.4f mV, want %.0f", p + 1, v, v_want);
        cr_expect(fabs(i - i_want) < 1e-5 * i_want, "I%u rms %.4f mA, want %.0f", p + 1, i, i_want);
    }
}

Test(sim_adc, rms_at_12_bits_within_half_an_lsb)
{
    struct mtr_sim_adc_cfg cfg;
    struct mtr_sim_adc adc;
    const double lsb_mv = 600000.0 / code_max(12);

    mtr_sim_adc_default(&cfg);
    cfg.bits = 12;
    cfg.phase[0].v_rms_mv = 100000;
    setup(&adc, &cfg);
    double v = rms(&adc, MTR_ADC_V1, WHOLE) * lsb_mv;
    cr_expect(fabs(v - 100000.0) < 0.5 * lsb_mv, "rms %.1f mV", v);
}

Test(sim_adc, rms_with_harmonics_adds_in_quadrature)
{
    struct mtr_sim_adc_cfg cfg;
    struct mtr_sim_adc adc;

    mtr_sim_adc_default(&cfg);
    cfg.phase[0].v_harm_permille[3] = 100;
    cfg.phase[0].v_harm_permille[5] = 50;
    cfg.phase[0].v_harm_cdeg[5] = 4500;
    setup(&adc, &cfg);
    double want = 230000.0 * sqrt(1.0 + 0.01 + 0.0025);
    double v = rms(&adc, MTR_ADC_V1, WHOLE) * 600000.0 / code_max(24);
    cr_expect(fabs(v - want) < 1e-5 * want, "rms %.3f mV, want %.3f", v, want);
}

Test(sim_adc, current_lags_voltage_by_the_configured_angle)
{
    static const int32_t angles[] = {2584, -3000, 9000, 0, 17900, -17900, 36000};
    struct mtr_sim_adc_cfg cfg;
    struct mtr_sim_adc adc;

    for (size_t k = 0; k < sizeof angles / sizeof angles[0]; k++) {
        mtr_sim_adc_default(&cfg);
        cfg.phase[1].i_angle_cdeg = angles[k];
        setup(&adc, &cfg);
        struct phasor v = dft(&adc, MTR_ADC_V2, WHOLE, 10.0);
        struct phasor i = dft(&adc, MTR_ADC_I2, WHOLE, 10.0);
        double lag = angle_diff(v.deg, i.deg);
        double want = angle_diff(angles[k] / 100.0, 0.0);
        cr_expect(fabs(angle_diff(lag, want)) < 0.001, "lag %.5f deg, want %.2f", lag, want);
    }
}

Test(sim_adc, voltages_follow_the_abc_sequence)
{
    struct mtr_sim_adc_cfg cfg;
    struct mtr_sim_adc adc;

    mtr_sim_adc_default(&cfg);
    setup(&adc, &cfg);
    struct phasor v1 = dft(&adc, MTR_ADC_V1, WHOLE, 10.0);
    struct phasor v2 = dft(&adc, MTR_ADC_V2, WHOLE, 10.0);
    struct phasor v3 = dft(&adc, MTR_ADC_V3, WHOLE, 10.0);
    cr_expect(fabs(angle_diff(v1.deg, 0.0)) < 0.001, "V1 at %.5f", v1.deg);
    cr_expect(fabs(angle_diff(v2.deg, -120.0)) < 0.001, "V2 at %.5f", v2.deg);
    cr_expect(fabs(angle_diff(v3.deg, 120.0)) < 0.001, "V3 at %.5f", v3.deg);
}

Test(sim_adc, balanced_currents_sum_to_zero_and_neutral_is_minus_the_sum)
{
    struct mtr_sim_adc_cfg cfg;
    struct mtr_sim_adc adc;
    int32_t f[MTR_ADC_CHANNELS];

    mtr_sim_adc_default(&cfg);
    cfg.neutral_measured = true;
    setup(&adc, &cfg);
    for (uint64_t k = 0; k < WHOLE; k++) {
        mtr_sim_adc_frame(&adc, k, f);
        int64_t sum = (int64_t)f[MTR_ADC_I1] + f[MTR_ADC_I2] + f[MTR_ADC_I3];
        cr_assert(llabs(sum) <= 2, "frame %llu: sum %lld", (unsigned long long)k, (long long)sum);
        cr_assert(llabs(f[MTR_ADC_IN] + sum) <= 2, "frame %llu: IN %d", (unsigned long long)k,
                  f[MTR_ADC_IN]);
    }
}

Test(sim_adc, unbalanced_neutral_tracks_the_sum)
{
    struct mtr_sim_adc_cfg cfg;
    struct mtr_sim_adc adc;
    int32_t f[MTR_ADC_CHANNELS];
    int32_t peak = 0;

    mtr_sim_adc_default(&cfg);
    cfg.neutral_measured = true;
    cfg.phase[1].i_rms_ma = 20000;
    cfg.phase[2].i_rms_ma = 0;
    setup(&adc, &cfg);
    for (uint64_t k = 0; k < WHOLE; k++) {
        mtr_sim_adc_frame(&adc, k, f);
        int64_t sum = (int64_t)f[MTR_ADC_I1] + f[MTR_ADC_I2] + f[MTR_ADC_I3];
        cr_assert(llabs(f[MTR_ADC_IN] + sum) <= 2, "frame %llu", (unsigned long long)k);
        peak = abs(f[MTR_ADC_IN]) > peak ? abs(f[MTR_ADC_IN]) : peak;
    }
    cr_expect_gt(peak, 500000, "neutral peak %d codes", peak);
}

Test(sim_adc, unmeasured_neutral_reads_zero)
{
    struct mtr_sim_adc_cfg cfg;
    struct mtr_sim_adc adc;

    mtr_sim_adc_default(&cfg);
    cfg.phase[0].i_rms_ma = 40000;
    cfg.dc_offset[MTR_ADC_IN] = 1000;
    cfg.noise_lsb = 50;
    setup(&adc, &cfg);
    for (uint64_t k = 0; k < WHOLE; k++)
        cr_assert_eq(sample(&adc, k, MTR_ADC_IN), 0);
}

Test(sim_adc, triplen_harmonics_add_up_in_the_neutral)
{
    struct mtr_sim_adc_cfg cfg;
    struct mtr_sim_adc adc;

    mtr_sim_adc_default(&cfg);
    cfg.neutral_measured = true;
    for (unsigned p = 0; p < 3; p++) {
        cfg.phase[p].i_harm_permille[3] = 200;
        cfg.phase[p].i_harm_permille[5] = 100;
    }
    setup(&adc, &cfg);
    double per_lsb = 200000.0 / code_max(24);
    double third = dft(&adc, MTR_ADC_IN, WHOLE, 30.0).amp * per_lsb;
    double fund = dft(&adc, MTR_ADC_IN, WHOLE, 10.0).amp * per_lsb;
    double fifth = dft(&adc, MTR_ADC_IN, WHOLE, 50.0).amp * per_lsb;
    double want = 3.0 * 0.2 * 5000.0 * SQRT2;
    cr_expect(fabs(third - want) < 1e-4 * want, "3rd in neutral %.3f mA, want %.3f", third, want);
    cr_expect(fund < 0.01, "fundamental in neutral %.4f mA", fund);
    cr_expect(fifth < 0.01, "5th in neutral %.4f mA", fifth);
}

Test(sim_adc, harmonic_amplitude_and_phase_from_a_single_bin_dft)
{
    static const unsigned order[] = {2, 3, 5, 7, 13, 21};
    static const uint16_t permille[] = {15, 50, 123, 9, 30, 7};
    static const int32_t phi[] = {0, 9000, -4500, 17000, 1234, -30000};
    struct mtr_sim_adc_cfg cfg;
    struct mtr_sim_adc adc;

    mtr_sim_adc_default(&cfg);
    for (size_t k = 0; k < 6; k++) {
        cfg.phase[1].v_harm_permille[order[k]] = permille[k];
        cfg.phase[1].v_harm_cdeg[order[k]] = phi[k];
    }
    setup(&adc, &cfg);
    struct phasor f = dft(&adc, MTR_ADC_V2, WHOLE, 10.0);
    for (size_t k = 0; k < 6; k++) {
        const unsigned h = order[k];
        struct phasor x = dft(&adc, MTR_ADC_V2, WHOLE, 10.0 * h);
        double got = x.amp / f.amp * 1000.0;
        double phase = angle_diff(x.deg, h * f.deg);
        cr_expect(fabs(got - permille[k]) < 0.01, "h%u: %.4f permille, want %u", h, got,
                  permille[k]);
        cr_expect(fabs(angle_diff(phase, phi[k] / 100.0)) < 0.05, "h%u: phase %.3f, want %.2f", h,
                  phase, phi[k] / 100.0);
    }
    cr_expect(dft(&adc, MTR_ADC_V2, WHOLE, 40.0).amp < 2.0, "no 4th harmonic");
}

Test(sim_adc, current_harmonics_use_the_current_channels)
{
    struct mtr_sim_adc_cfg cfg;
    struct mtr_sim_adc adc;

    mtr_sim_adc_default(&cfg);
    cfg.phase[2].i_harm_permille[3] = 300;
    setup(&adc, &cfg);
    double ratio = dft(&adc, MTR_ADC_I3, WHOLE, 30.0).amp / dft(&adc, MTR_ADC_I3, WHOLE, 10.0).amp;
    cr_expect(fabs(ratio - 0.3) < 1e-5, "I3 3rd/fundamental %.6f", ratio);
    cr_expect(dft(&adc, MTR_ADC_V3, WHOLE, 30.0).amp < 2.0, "V3 has no 3rd harmonic");
}

/* ================================================================ drift */

struct crossings {
    unsigned count;
    double last_s; /* time of the last upward zero crossing, seconds */
};

static struct crossings upward_crossings(const struct mtr_sim_adc *adc, uint64_t frames)
{
    struct crossings c = {0, 0.0};
    const double rate = mtr_sim_adc_rate(adc);
    int32_t prev = sample(adc, 0, MTR_ADC_V1);

    for (uint64_t k = 1; k <= frames; k++) {
        int32_t cur = sample(adc, k, MTR_ADC_V1);
        if (prev < 0 && cur >= 0) {
            c.count++;
            c.last_s = ((double)(k - 1) + (double)-prev / (double)(cur - prev)) / rate;
        }
        prev = cur;
    }
    return c;
}

/* Time at which the phase c(t) = f0 t + d t^2 / 2 reaches @cycles. */
static double time_of_cycles(double f0, double d, double cycles)
{
    return d == 0.0 ? cycles / f0 : (-f0 + sqrt(f0 * f0 + 2.0 * d * cycles)) / d;
}

static void check_drift(uint32_t rate, int32_t drift_mhz_per_s, unsigned want)
{
    struct mtr_sim_adc_cfg cfg;
    struct mtr_sim_adc adc;

    mtr_sim_adc_default(&cfg);
    cfg.rate_hz = rate;
    cfg.drift_mhz_per_s = drift_mhz_per_s;
    cfg.phase[0].v_angle_cdeg = 1000; /* crossings at whole cycles - 1/36 */
    setup(&adc, &cfg);
    struct crossings c = upward_crossings(&adc, 10u * rate);
    double d = drift_mhz_per_s / 1000.0;
    double t_want = time_of_cycles(50.0, d, want - 1.0 / 36.0);
    cr_expect_eq(c.count, want, "rate %u drift %d: %u crossings, want %u", rate, drift_mhz_per_s,
                 c.count, want);
    cr_expect(fabs(c.last_s - t_want) < 5e-6, "rate %u drift %d: last crossing %.7f s, want %.7f",
              rate, drift_mhz_per_s, c.last_s, t_want);
}

Test(sim_adc, drift_integrates_frequency_over_ten_seconds)
{
    check_drift(4000, 0, 500);      /* 50 Hz for 10 s */
    check_drift(4000, 100, 505);    /* 50 -> 51 Hz: 500 + 0.1 * 100 / 2 */
    check_drift(4000, -100, 495);   /* 50 -> 49 Hz */
    check_drift(3001, 1000, 550);   /* odd rate; 50 -> 60 Hz */
    check_drift(100000, -2000, 400); /* 50 -> 30 Hz */
}

Test(sim_adc, phase_is_exact_at_large_indices)
{
    struct mtr_sim_adc_cfg cfg;
    struct mtr_sim_adc adc;
    int32_t a[MTR_ADC_CHANNELS];
    int32_t b[MTR_ADC_CHANNELS];

    mtr_sim_adc_default(&cfg);
    cfg.phase[0].v_harm_permille[7] = 40;
    setup(&adc, &cfg);
    /* 50 Hz at 4000 frames/s repeats every 80 frames, also after 100 years */
    const uint64_t far = 80ull * 157680000000ull;
    for (uint64_t k = 0; k < 200; k += 7) {
        mtr_sim_adc_frame(&adc, k, a);
        mtr_sim_adc_frame(&adc, far + k, b);
        cr_assert_arr_eq(a, b, sizeof a, "frame %llu differs after 100 years",
                         (unsigned long long)k);
    }
}

/* ====================================================== codes and clipping */

static void check_clipping(uint8_t bits)
{
    struct mtr_sim_adc_cfg cfg;
    struct mtr_sim_adc adc;
    const int32_t top = (int32_t)code_max(bits);
    int32_t hi = INT32_MIN, lo = INT32_MAX, v1_peak = 0;
    unsigned clipped = 0;

    mtr_sim_adc_default(&cfg);
    cfg.bits = bits;
    cfg.v_full_scale_mv = 400000;
    cfg.phase[0].v_rms_mv = 70711;  /* peak 100000 mV, a quarter of full scale */
    cfg.phase[1].v_rms_mv = 565686; /* peak 800000 mV, twice full scale */
    setup(&adc, &cfg);
    for (uint64_t k = 0; k < WHOLE; k++) {
        int32_t x = sample(&adc, k, MTR_ADC_V2);
        int32_t y = sample(&adc, k, MTR_ADC_V1);
        hi = x > hi ? x : hi;
        lo = x < lo ? x : lo;
        clipped += x == top || x == -top - 1;
        v1_peak = y > v1_peak ? y : v1_peak;
    }
    cr_expect_eq(hi, top, "%u bits: max %d", bits, hi);
    cr_expect_eq(lo, -top - 1, "%u bits: min %d", bits, lo);
    cr_expect_gt(clipped, WHOLE / 4, "%u bits: %u clipped", bits, clipped);
    /* V1 (angle 0) has a sample at its crest, every 80 frames from frame 20 */
    double want = SQRT2 * 70711.0 / 400000.0 * top;
    cr_expect(fabs(v1_peak - want) <= 0.5, "%u bits: V1 peak %d, want %.2f", bits, v1_peak, want);
    cr_expect_eq(sample(&adc, 20, MTR_ADC_V1), v1_peak, "%u bits: crest not at frame 20", bits);
}

Test(sim_adc, clipping_at_12_and_24_bits)
{
    check_clipping(12);
    check_clipping(24);
}

Test(sim_adc, offset_clips_at_the_top)
{
    struct mtr_sim_adc_cfg cfg = quiet_cfg();
    struct mtr_sim_adc adc;

    cfg.bits = 12;
    cfg.dc_offset[MTR_ADC_V1] = 2047;
    cfg.phase[0].v_rms_mv = 100000;
    setup(&adc, &cfg);
    for (uint64_t k = 0; k < CYCLE; k++) {
        int32_t x = sample(&adc, k, MTR_ADC_V1);
        cr_assert(x <= 2047 && x > 1000, "frame %llu: %d", (unsigned long long)k, x);
    }
    cr_expect_eq(sample(&adc, 20, MTR_ADC_V1), 2047);
}

Test(sim_adc, dc_offset_shows_as_the_mean)
{
    static const int32_t off[MTR_ADC_CHANNELS] = {100, -250, 7, 8000, -8000, 1, -3};
    struct mtr_sim_adc_cfg cfg;
    struct mtr_sim_adc adc;

    mtr_sim_adc_default(&cfg);
    cfg.neutral_measured = true;
    memcpy(cfg.dc_offset, off, sizeof off);
    setup(&adc, &cfg);
    for (unsigned ch = 0; ch < MTR_ADC_CHANNELS; ch++) {
        double m = mean(&adc, ch, WHOLE);
        cr_expect(fabs(m - off[ch]) < 0.01, "channel %u: mean %.4f, want %d", ch, m, off[ch]);
    }
}

/* ================================================================ noise */

#define NOISE_N 100000u

Test(sim_adc, noise_rms_and_distribution_match_noise_lsb)
{
    struct mtr_sim_adc_cfg cfg = quiet_cfg();
    struct mtr_sim_adc adc;
    int32_t f[MTR_ADC_CHANNELS];
    int32_t prev[MTR_ADC_CHANNELS] = {0};
    double s[MTR_ADC_CHANNELS] = {0}, s2[MTR_ADC_CHANNELS] = {0};
    double cross = 0.0, lag1 = 0.0;
    unsigned within[MTR_ADC_CHANNELS] = {0};

    cfg.noise_lsb = 20;
    cfg.seed = 42;
    cfg.neutral_measured = true;
    setup(&adc, &cfg);
    for (uint64_t k = 0; k < NOISE_N; k++) {
        mtr_sim_adc_frame(&adc, k, f);
        for (unsigned ch = 0; ch < MTR_ADC_CHANNELS; ch++) {
            s[ch] += f[ch];
            s2[ch] += (double)f[ch] * f[ch];
            within[ch] += abs(f[ch]) <= 20;
        }
        cross += (double)f[MTR_ADC_V1] * f[MTR_ADC_I1];
        lag1 += (double)f[MTR_ADC_V2] * prev[MTR_ADC_V2];
        memcpy(prev, f, sizeof f);
    }
    for (unsigned ch = 0; ch < MTR_ADC_CHANNELS; ch++) {
        double m = s[ch] / NOISE_N;
        double sd = sqrt(s2[ch] / NOISE_N - m * m);
        double frac = within[ch] / (double)NOISE_N;
        cr_expect(fabs(m) < 0.4, "channel %u: mean %.3f", ch, m);
        cr_expect(fabs(sd - 20.0) < 0.3, "channel %u: rms %.3f LSB", ch, sd);
        /* P(|round(20 z)| <= 20) = P(|z| < 1.025) = 0.6946 */
        cr_expect(fabs(frac - 0.6946) < 0.01, "channel %u: %.4f within 1 sigma", ch, frac);
    }
    cr_expect(fabs(cross / NOISE_N / 400.0) < 0.02, "channels correlated: %.4f",
              cross / NOISE_N / 400.0);
    cr_expect(fabs(lag1 / NOISE_N / 400.0) < 0.02, "frames correlated: %.4f",
              lag1 / NOISE_N / 400.0);
}

Test(sim_adc, noise_is_reproducible_per_seed)
{
    struct mtr_sim_adc_cfg cfg;
    struct mtr_sim_adc a, b, c;
    int32_t fa[MTR_ADC_CHANNELS], fb[MTR_ADC_CHANNELS], fc[MTR_ADC_CHANNELS];
    unsigned differ = 0;

    mtr_sim_adc_default(&cfg);
    cfg.noise_lsb = 10;
    cfg.seed = 0x1234567890abcdefull;
    setup(&a, &cfg);
    setup(&b, &cfg);
    cfg.seed++;
    setup(&c, &cfg);
    for (uint64_t k = 0; k < 2000; k++) {
        mtr_sim_adc_frame(&a, k, fa);
        mtr_sim_adc_frame(&b, k, fb);
        mtr_sim_adc_frame(&c, k, fc);
        cr_assert_arr_eq(fa, fb, sizeof fa, "same seed, frame %llu", (unsigned long long)k);
        for (unsigned ch = 0; ch < MTR_ADC_CHANNELS - 1; ch++)
            differ += fa[ch] != fc[ch];
    }
    cr_expect_gt(differ, 2000u * 6u * 9u / 10u, "other seed: only %u samples differ", differ);
}

Test(sim_adc, frames_are_identical_in_any_order)
{
    struct mtr_sim_adc_cfg cfg;
    struct mtr_sim_adc adc, twin;
    static int32_t seq[1000][MTR_ADC_CHANNELS];
    int32_t f[MTR_ADC_CHANNELS];

    mtr_sim_adc_default(&cfg);
    cfg.drift_mhz_per_s = -37;
    cfg.noise_lsb = 5;
    cfg.seed = 7;
    cfg.neutral_measured = true;
    cfg.phase[0].v_harm_permille[5] = 60;
    cfg.phase[2].i_harm_permille[3] = 250;
    setup(&adc, &cfg);
    for (uint64_t k = 0; k < 1000; k++)
        mtr_sim_adc_frame(&adc, k, seq[k]);
    for (uint64_t k = 0; k < 1000; k++) {
        uint64_t idx = (k * 7919u) % 1000u;
        mtr_sim_adc_frame(&adc, UINT64_C(1) << 52, f);
        mtr_sim_adc_frame(&adc, idx, f);
        cr_assert_arr_eq(f, seq[idx], sizeof f, "frame %llu out of order", (unsigned long long)idx);
        mtr_sim_adc_frame(&adc, 999 - k, f);
        cr_assert_arr_eq(f, seq[999 - k], sizeof f, "frame %llu backwards",
                         (unsigned long long)(999 - k));
    }
    setup(&twin, &cfg);
    for (uint64_t k = 0; k < 50; k++) {
        int32_t g[MTR_ADC_CHANNELS];
        mtr_sim_adc_frame(&adc, UINT64_MAX - k, f);
        mtr_sim_adc_frame(&twin, UINT64_MAX - k, g);
        cr_assert_arr_eq(f, g, sizeof f, "frame 2^64-1-%llu", (unsigned long long)k);
    }
}

/* ================================================================= init */

#define INVALID_CASES 31

/* Make field @k of a default configuration invalid; return its name. */
static const char *break_field(struct mtr_sim_adc_cfg *c, int k)
{
    switch (k) {
    case 0: c->rate_hz = 0; return "rate 0";
    case 1: c->rate_hz = 100001; return "rate 100001";
    case 2: c->bits = 11; return "bits 11";
    case 3: c->bits = 25; return "bits 25";
    case 4: c->bits = 0; return "bits 0";
    case 5: c->freq_mhz = 0; return "freq 0";
    case 6: c->freq_mhz = 2000000; return "freq at Nyquist";
    case 7: c->rate_hz = 100; return "50 Hz at 100 frames/s";
    case 8: c->drift_mhz_per_s = 1000001; return "drift +1000001";
    case 9: c->drift_mhz_per_s = -1000001; return "drift -1000001";
    case 10: c->drift_mhz_per_s = INT32_MIN; return "drift INT32_MIN";
    case 11: c->v_full_scale_mv = 0; return "v full scale 0";
    case 12: c->v_full_scale_mv = -1; return "v full scale -1";
    case 13: c->i_full_scale_ma = 0; return "i full scale 0";
    case 14: c->phase[0].v_rms_mv = -1; return "v rms -1";
    case 15: c->phase[1].i_rms_ma = -1; return "i rms -1";
    case 16: c->phase[2].v_angle_cdeg = 36001; return "v angle 36001";
    case 17: c->phase[0].v_angle_cdeg = -36001; return "v angle -36001";
    case 18: c->phase[1].i_angle_cdeg = 36001; return "i angle 36001";
    case 19: c->phase[0].v_harm_permille[0] = 1; return "harmonic 0 set";
    case 20: c->phase[1].v_harm_permille[1] = 1; return "harmonic 1 set";
    case 21: c->phase[2].v_harm_permille[2] = 1001; return "v harmonic 1001 permille";
    case 22: c->phase[0].i_harm_permille[21] = 1001; return "i harmonic 1001 permille";
    case 23: c->phase[1].v_harm_cdeg[5] = 36001; return "v harmonic phase 36001";
    case 24: c->phase[2].i_harm_cdeg[1] = 5; return "i harmonic 1 phase set";
    case 25: c->phase[0].i_harm_cdeg[21] = -36001; return "i harmonic phase -36001";
    case 26: c->dc_offset[MTR_ADC_IN] = 8388608; return "offset above 24 bits";
    case 27: c->dc_offset[MTR_ADC_V1] = -8388609; return "offset below 24 bits";
    case 28: c->bits = 12; c->dc_offset[MTR_ADC_I2] = 2048; return "offset above 12 bits";
    case 29: c->noise_lsb = 8388609; return "noise above 24 bits";
    default: c->bits = 12; c->noise_lsb = 2049; return "noise above 12 bits";
    }
}

Test(sim_adc, init_rejects_each_invalid_field_and_changes_nothing)
{
    struct mtr_sim_adc_cfg keep;
    struct mtr_sim_adc adc, before;

    mtr_sim_adc_default(&keep);
    keep.rate_hz = 1000;
    keep.seed = 99;
    setup(&adc, &keep);
    memcpy(&before, &adc, sizeof adc);
    for (int k = 0; k < INVALID_CASES; k++) {
        struct mtr_sim_adc_cfg bad;
        mtr_sim_adc_default(&bad);
        const char *what = break_field(&bad, k);
        cr_expect_eq(mtr_sim_adc_init(&adc, &bad), MTR_ERR_INVAL, "%s accepted", what);
        cr_expect(memcmp(&adc, &before, sizeof adc) == 0, "%s changed the adc", what);
    }
    cr_expect_eq(mtr_sim_adc_init(NULL, &keep), MTR_ERR_INVAL);
    cr_expect_eq(mtr_sim_adc_init(&adc, NULL), MTR_ERR_INVAL);
    cr_expect(memcmp(&adc, &before, sizeof adc) == 0, "NULL cfg changed the adc");
}

/* Put field @k of a default configuration at the edge of its domain. */
static const char *edge_field(struct mtr_sim_adc_cfg *c, int k)
{
    switch (k) {
    case 0: c->rate_hz = 1; c->freq_mhz = 499; return "rate 1, freq just below Nyquist";
    case 1: c->rate_hz = 100000; c->freq_mhz = 49999999; return "rate 100000, freq 49.999999 kHz";
    case 2: c->bits = 12; c->dc_offset[0] = -2048; c->dc_offset[6] = 2047; return "12-bit offsets";
    case 3: c->noise_lsb = 8388608; return "noise 2^23";
    case 4: c->drift_mhz_per_s = -1000000; return "drift -1000000";
    case 5: c->drift_mhz_per_s = 1000000; return "drift 1000000";
    case 6: c->phase[0].v_angle_cdeg = -36000; c->phase[2].i_angle_cdeg = 36000; return "angles";
    case 7: c->phase[1].v_harm_permille[21] = 1000; c->phase[1].i_harm_cdeg[2] = -36000; return "harm";
    default: c->phase[0].v_rms_mv = 0; c->phase[2].i_rms_ma = 0; return "rms 0";
    }
}

Test(sim_adc, init_accepts_the_edges_of_each_domain)
{
    struct mtr_sim_adc adc;

    for (int k = 0; k < 9; k++) {
        struct mtr_sim_adc_cfg cfg;
        mtr_sim_adc_default(&cfg);
        const char *what = edge_field(&cfg, k);
        cr_expect_eq(mtr_sim_adc_init(&adc, &cfg), MTR_OK, "%s rejected", what);
    }
}

Test(sim_adc, empty_adc_gives_zero_frames)
{
    struct mtr_sim_adc adc = {0};
    int32_t f[MTR_ADC_CHANNELS] = {1, 1, 1, 1, 1, 1, 1};
    static const int32_t zero[MTR_ADC_CHANNELS] = {0};
    struct mtr_sim_adc_cfg cfg;

    mtr_sim_adc_frame(&adc, 5, f);
    cr_expect_arr_eq(f, zero, sizeof f);
    cr_expect_eq(mtr_sim_adc_rate(&adc), 0u);
    cr_expect_eq(mtr_sim_adc_bits(&adc), 0u);
    mtr_sim_adc_default(&cfg);
    setup(&adc, &cfg);
    mtr_sim_adc_free(&adc);
    mtr_sim_adc_frame(&adc, 20, f);
    cr_expect_arr_eq(f, zero, sizeof f, "freed adc must be empty");
    cr_expect_eq(mtr_sim_adc_rate(&adc), 0u);
    mtr_sim_adc_free(&adc);
    mtr_sim_adc_free(NULL);
}

/* ================================================================ files */

static char *temp_path(void)
{
    static char path[64];
    int fd;

    strcpy(path, "/tmp/sim_adc_test_XXXXXX");
    fd = mkstemp(path);
    cr_assert_geq(fd, 0, "mkstemp");
    close(fd);
    return path;
}

static void check_round_trip(struct mtr_sim_adc_cfg *cfg, uint64_t first, uint64_t count)
{
    struct mtr_sim_adc src, back;
    int32_t a[MTR_ADC_CHANNELS], b[MTR_ADC_CHANNELS];
    const char *path = temp_path();

    setup(&src, cfg);
    cr_assert_eq(mtr_sim_adc_write_file(&src, path, first, count), MTR_OK);
    cr_assert_eq(mtr_sim_adc_load_file(&back, path), MTR_OK);
    unlink(path);
    cr_expect_eq(mtr_sim_adc_rate(&back), cfg->rate_hz);
    cr_expect_eq(mtr_sim_adc_bits(&back), cfg->bits);
    cr_expect_eq(mtr_sim_adc_file_frames(&back), count);
    for (uint64_t k = 0; k < count; k++) {
        mtr_sim_adc_frame(&src, first + k, a);
        mtr_sim_adc_frame(&back, k, b);
        cr_assert_arr_eq(a, b, sizeof a, "frame %llu", (unsigned long long)k);
        mtr_sim_adc_frame(&back, k + 3 * count, b);
        cr_assert_arr_eq(a, b, sizeof a, "looped frame %llu", (unsigned long long)k);
    }
    mtr_sim_adc_free(&back);
}

Test(sim_adc, file_round_trip_plays_the_recorded_frames)
{
    struct mtr_sim_adc_cfg cfg;

    mtr_sim_adc_default(&cfg);
    cfg.noise_lsb = 300;
    cfg.seed = 5;
    cfg.drift_mhz_per_s = 250;
    cfg.neutral_measured = true;
    cfg.phase[0].v_rms_mv = 500000; /* clips */
    cfg.phase[1].i_harm_permille[3] = 400;
    check_round_trip(&cfg, 123456, 1000);
    cfg.bits = 12;
    cfg.rate_hz = 977;
    check_round_trip(&cfg, UINT64_MAX - 99, 100);
}

Test(sim_adc, load_from_memory_owns_its_frames)
{
    char text[] = "mtr-samples 1 rate=8000 bits=16\n1 2 3 4 5 6 7\n-8 -9 -10 -11 -12 -13 -14\nend\n";
    static const int32_t second[MTR_ADC_CHANNELS] = {-8, -9, -10, -11, -12, -13, -14};
    struct mtr_sim_adc adc;
    int32_t f[MTR_ADC_CHANNELS];

    cr_assert_eq(mtr_sim_adc_load(&adc, (const uint8_t *)text, strlen(text)), MTR_OK);
    memset(text, 'x', sizeof text - 1);
    mtr_sim_adc_frame(&adc, 5, f);
    cr_expect_arr_eq(f, second, sizeof f);
    cr_expect_eq(mtr_sim_adc_rate(&adc), 8000u);
    cr_expect_eq(mtr_sim_adc_bits(&adc), 16u);
    cr_expect_eq(mtr_sim_adc_file_frames(&adc), 2u);
    mtr_sim_adc_free(&adc);
}

Test(sim_adc, failed_load_leaves_the_adc_unchanged)
{
    const char good[] = "mtr-samples 1 rate=10 bits=12\n9 8 7 6 5 4 3\nend\n";
    const char bad[] = "mtr-samples 1 rate=10 bits=12\n9 8 7 6 5 4 3\n1 2 3\nend\n";
    struct mtr_sim_adc adc, before;
    struct mtr_sim_samples_diag diag;

    cr_assert_eq(mtr_sim_adc_load(&adc, (const uint8_t *)good, strlen(good)), MTR_OK);
    memcpy(&before, &adc, sizeof adc);
    cr_expect_eq(mtr_sim_adc_load_diag(&adc, (const uint8_t *)bad, strlen(bad), &diag),
                 MTR_ERR_DECODE);
    cr_expect(memcmp(&adc, &before, sizeof adc) == 0);
    cr_expect_eq(diag.line, 3u);
    cr_expect_str_eq(diag.reason, "too few values (a frame has 7)");
    cr_expect_eq(mtr_sim_adc_load(&adc, NULL, 5), MTR_ERR_INVAL);
    cr_expect_eq(mtr_sim_adc_load(&adc, NULL, 0), MTR_ERR_DECODE);
    cr_expect_eq(mtr_sim_adc_load(NULL, (const uint8_t *)good, strlen(good)), MTR_ERR_INVAL);
    cr_expect(memcmp(&adc, &before, sizeof adc) == 0);
    cr_expect_eq(sample(&adc, 1, MTR_ADC_IN), 3);
    mtr_sim_adc_free(&adc);
}

Test(sim_adc, file_errors)
{
    struct mtr_sim_adc adc = {0}, synth;
    struct mtr_sim_adc_cfg cfg;
    struct mtr_sim_samples_diag diag;
    const char *path = temp_path();

    mtr_sim_adc_default(&cfg);
    setup(&synth, &cfg);
    cr_expect_eq(mtr_sim_adc_write_file(&adc, path, 0, 1), MTR_ERR_STATE, "empty adc");
    cr_expect_eq(mtr_sim_adc_write_file(&synth, path, 0, 0), MTR_ERR_INVAL, "no frames");
    cr_expect_eq(mtr_sim_adc_write_file(&synth, path, UINT64_MAX, 2), MTR_ERR_RANGE);
    cr_expect_eq(mtr_sim_adc_write_file(&synth, path, UINT64_MAX, 1), MTR_OK);
    cr_expect_eq(mtr_sim_adc_write_file(&synth, "/nonexistent-dir/x", 0, 1), MTR_ERR_NOENT);
    cr_expect_eq(mtr_sim_adc_load_file(&adc, "/nonexistent-dir/x"), MTR_ERR_NOENT);
    cr_expect_eq(mtr_sim_adc_load_file_diag(&adc, "/tmp", &diag), MTR_ERR_IO, "a directory");
    cr_expect_neq(diag.reason, NULL);
    cr_assert_eq(truncate(path, (off_t)MTR_SIM_SAMPLES_FILE_MAX + 1), 0);
    cr_expect_eq(mtr_sim_adc_load_file(&adc, path), MTR_ERR_RANGE, "file above 64 MiB");
    cr_assert_eq(truncate(path, 3), 0);
    cr_expect_eq(mtr_sim_adc_load_file_diag(&adc, path, &diag), MTR_ERR_DECODE);
    cr_expect_eq(diag.line, 1u);
    unlink(path);
    cr_expect_eq(mtr_sim_adc_rate(&adc), 0u, "failed loads must not fill the adc");
}

/* ============================================================== vectors */

#define VEC_MAX 64
#define VEC_DATA_MAX 2048

struct vector {
    char name[96];
    bool ok;
    size_t frames; /* ok: frames; decode: line of the error */
    uint32_t rate;
    unsigned bits;
    bool has_frame0;
    int32_t frame0[MTR_ADC_CHANNELS];
    uint8_t data[VEC_DATA_MAX];
    size_t len;
};

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
}

/* Append a data line's bytes, resolving the escapes. */
static void append_data(struct vector *v, const char *s)
{
    static const char plain[] = "nrt\\";
    static const char code[] = "\n\r\t\\";

    while (*s != '\0') {
        int c = (unsigned char)*s++;
        if (c == '\\') {
            const char *e = strchr(plain, *s);
            if (*s == 'x') {
                int hi = hex_digit(s[1]), lo = hi < 0 ? -1 : hex_digit(s[2]);
                cr_assert(hi >= 0 && lo >= 0, "vector %s: bad \\x escape", v->name);
                c = hi * 16 + lo;
                s += 3;
            } else {
                cr_assert(*s != '\0' && e != NULL, "vector %s: bad escape", v->name);
                c = code[e - plain];
                s++;
            }
        }
        cr_assert_lt(v->len, sizeof v->data, "vector %s too long", v->name);
        v->data[v->len++] = (uint8_t)c;
    }
}

static void parse_expect(struct vector *v, const char *s)
{
    unsigned long a = 0, b = 0, c = 0;

    if (sscanf(s, "ok %lu %lu %lu", &a, &b, &c) == 3) {
        v->ok = true;
        v->frames = a;
        v->rate = (uint32_t)b;
        v->bits = (unsigned)c;
    } else {
        cr_assert_eq(sscanf(s, "decode %lu", &a), 1, "vector %s: bad expect '%s'", v->name, s);
        v->frames = a;
    }
}

static void parse_frame0(struct vector *v, const char *s)
{
    char *end;

    for (unsigned ch = 0; ch < MTR_ADC_CHANNELS; ch++) {
        v->frame0[ch] = (int32_t)strtol(s, &end, 10);
        cr_assert(end != s, "vector %s: bad frame0", v->name);
        s = end;
    }
    v->has_frame0 = true;
}

/* One line of the vector file into the vector list. */
static void vector_line(struct vector *vs, size_t *n, const char *line)
{
    struct vector *v = *n > 0 ? &vs[*n - 1] : NULL;

    if (strncmp(line, "vector: ", 8) == 0) {
        cr_assert_lt(*n, (size_t)VEC_MAX, "too many vectors");
        v = &vs[(*n)++];
        memset(v, 0, sizeof *v);
        size_t len = strlen(line + 8);
        len = len < sizeof v->name ? len : sizeof v->name - 1;
        memcpy(v->name, line + 8, len);
        return;
    }
    if (line[0] == '#' || line[0] == '\0')
        return;
    cr_assert_not_null(v, "line outside a vector: %s", line);
    if (strncmp(line, "expect: ", 8) == 0)
        parse_expect(v, line + 8);
    else if (strncmp(line, "frame0: ", 8) == 0)
        parse_frame0(v, line + 8);
    else if (strncmp(line, "data:", 5) == 0)
        append_data(v, line[5] == ' ' ? line + 6 : line + 5);
    else
        cr_assert_fail("vector %s: unknown line '%s'", v->name, line);
}

static size_t read_vectors(struct vector *vs)
{
    static char line[4096];
    size_t n = 0;
    FILE *f = fopen(SIM_SAMPLES_VECTORS, "r");

    cr_assert_not_null(f, "cannot open %s", SIM_SAMPLES_VECTORS);
    while (fgets(line, sizeof line, f) != NULL) {
        size_t len = strlen(line);
        cr_assert(len > 0 && line[len - 1] == '\n', "vector file line too long or unterminated");
        line[len - 1] = '\0';
        vector_line(vs, &n, line);
    }
    fclose(f);
    return n;
}

static void check_vector(const struct vector *v)
{
    struct mtr_sim_adc adc;
    struct mtr_sim_samples_diag diag;
    int32_t f[MTR_ADC_CHANNELS];
    mtr_err_t err = mtr_sim_adc_load_diag(&adc, v->data, v->len, &diag);

    if (!v->ok) {
        cr_expect_eq(err, MTR_ERR_DECODE, "vector '%s' accepted", v->name);
        cr_expect_eq(diag.line, v->frames, "vector '%s': error at line %zu (%s), want %zu",
                     v->name, diag.line, diag.reason ? diag.reason : "-", v->frames);
        cr_expect_not_null(diag.reason, "vector '%s': no reason", v->name);
        return;
    }
    cr_assert_eq(err, MTR_OK, "vector '%s' rejected at line %zu: %s", v->name, diag.line,
                 diag.reason ? diag.reason : "-");
    cr_expect_eq(mtr_sim_adc_file_frames(&adc), v->frames, "vector '%s' frames", v->name);
    cr_expect_eq(mtr_sim_adc_rate(&adc), v->rate, "vector '%s' rate", v->name);
    cr_expect_eq(mtr_sim_adc_bits(&adc), v->bits, "vector '%s' bits", v->name);
    mtr_sim_adc_frame(&adc, 0, f);
    if (v->has_frame0)
        cr_expect_arr_eq(f, v->frame0, sizeof f, "vector '%s' frame 0", v->name);
    mtr_sim_adc_free(&adc);
}

Test(sim_samples, vectors_decode_as_expected)
{
    static struct vector vs[VEC_MAX];
    size_t n = read_vectors(vs);
    size_t valid = 0;

    cr_assert_geq(n, 40u, "only %zu vectors read", n);
    for (size_t k = 0; k < n; k++) {
        check_vector(&vs[k]);
        valid += vs[k].ok;
    }
    cr_expect_geq(valid, 5u, "only %zu valid vectors", valid);
}

/* Load @len bytes from a buffer of exactly that size, so that an over-read is caught. */
static mtr_err_t load_exact(struct mtr_sim_adc *adc, const uint8_t *data, size_t len,
                            struct mtr_sim_samples_diag *diag)
{
    uint8_t *copy = malloc(len > 0 ? len : 1);
    mtr_err_t err;

    cr_assert_not_null(copy);
    memcpy(copy, data, len);
    err = mtr_sim_adc_load_diag(adc, len > 0 ? copy : NULL, len, diag);
    free(copy);
    return err;
}

static void check_prefixes(const struct vector *v, const struct mtr_sim_adc *sentinel)
{
    for (size_t len = 0; len < v->len; len++) {
        struct mtr_sim_adc adc = *sentinel;
        struct mtr_sim_samples_diag diag;
        mtr_err_t err = load_exact(&adc, v->data, len, &diag);

        if (err == MTR_OK) {
            cr_expect(!v->ok, "vector '%s': truncated to %zu bytes and accepted", v->name, len);
            mtr_sim_adc_free(&adc);
            continue;
        }
        cr_assert_eq(err, MTR_ERR_DECODE, "vector '%s' prefix %zu: error %d", v->name, len, err);
        cr_assert_not_null(diag.reason, "vector '%s' prefix %zu: no reason", v->name, len);
        cr_assert_geq(diag.line, 1u, "vector '%s' prefix %zu: no line", v->name, len);
        cr_assert(memcmp(&adc, sentinel, sizeof adc) == 0, "vector '%s' prefix %zu changed the adc",
                  v->name, len);
    }
}

Test(sim_samples, every_prefix_of_every_vector)
{
    static struct vector vs[VEC_MAX];
    size_t n = read_vectors(vs);
    struct mtr_sim_adc_cfg cfg;
    struct mtr_sim_adc sentinel;

    cr_assert_geq(n, 40u, "only %zu vectors read", n);
    mtr_sim_adc_default(&cfg);
    setup(&sentinel, &cfg);
    for (size_t k = 0; k < n; k++)
        check_prefixes(&vs[k], &sentinel);
}
