/* SPDX-License-Identifier: Apache-2.0 */
/* Host cost of the metrology engine: nanoseconds per 3-phase sample set (the
 * per-sample path plus its share of the period work), and the period work
 * alone (RMS, powers, energy, harmonic analysis) per second. Prints one JSON
 * line last. Instruction counts on the Cortex-M4 come from the board's bench
 * image (bench_cortex_m4, adapters/boards/mps2-an386/bench.c), not from here. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "meter/metrology.h"
#include "sim_adc.h"
#include "../bench_time.h"

static struct mtr_metrology m;

int main(void)
{
    struct mtr_sim_adc_cfg ac;
    struct mtr_sim_adc adc;
    struct mtr_metrology_config mc;
    mtr_sim_adc_default(&ac);
    ac.phase[0].i_harm_permille[5] = 200;
    if (mtr_sim_adc_init(&adc, &ac) != MTR_OK) {
        return 1;
    }
    mtr_metrology_config_default(&mc);
    /* 10 s of frames, generated before timing */
    const size_t n = 10u * ac.rate_hz;
    int32_t *frames = malloc(n * MTR_ADC_CHANNELS * sizeof *frames);
    if (frames == NULL) {
        return 1;
    }
    for (size_t k = 0; k < n; k++) {
        mtr_sim_adc_frame(&adc, k, &frames[k * MTR_ADC_CHANNELS]);
    }
    double best = 1e30;
    for (int rep = 0; rep < 5; rep++) {
        mtr_metrology_init(&m, &mc, NULL);
        double t0 = now_ns();
        for (size_t k = 0; k < n; k += 32) {
            mtr_metrology_process(&m, &frames[k * MTR_ADC_CHANNELS], 32);
        }
        double dt = now_ns() - t0;
        best = dt < best ? dt : best;
    }
    /* The period work alone: a period's worth of frames costs the per-sample
     * part; time period ends by feeding the last frame of each period. */
    double per_period = 1e30;
    for (int rep = 0; rep < 5; rep++) {
        mtr_metrology_init(&m, &mc, NULL);
        mtr_metrology_process(&m, frames, ac.rate_hz - 1);
        double t0 = now_ns();
        mtr_metrology_process(&m, &frames[(ac.rate_hz - 1) * MTR_ADC_CHANNELS], 1);
        double dt = now_ns() - t0;
        per_period = dt < per_period ? dt : per_period;
    }
    double ns_set = best / (double)n;
    printf("metrology: %.1f ns per 3-phase sample set (with period work), %.1f us of period work per second\n",
           ns_set, per_period / 1000.0);
    printf("{\"bench\": \"bench_metrology\", \"rate_hz\": %u, \"ns_per_sample_set\": %.1f, "
           "\"period_work_us_per_s\": %.1f, \"host_share_at_4khz_pct\": %.3f, "
           "\"m4_instructions\": \"see bench_cortex_m4\"}\n",
           ac.rate_hz, ns_set, per_period / 1000.0, ns_set * ac.rate_hz / 1e7);
    free(frames);
    return 0;
}
