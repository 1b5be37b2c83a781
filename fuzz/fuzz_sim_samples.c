/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target for the sample-file parser of the simulated ADC
 * (mtr_sim_adc_load_diag). Besides memory errors, it checks what a decoded
 * file promises: header values in range, every sample within the declared
 * bits, playback that loops, a reason and a line for every rejection, and an
 * ADC left unchanged by a failed load.
 *
 * Linked with fuzz/replay_main.c it becomes a plain program that runs the
 * files (or directories of files) named on its command line through the
 * target once, for replaying the corpus without libFuzzer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim_adc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int cond)
{
    if (!cond)
        abort();
}

static void check_loaded(const struct mtr_sim_adc *adc)
{
    const size_t n = mtr_sim_adc_file_frames(adc);
    const uint8_t bits = mtr_sim_adc_bits(adc);
    int32_t f[MTR_ADC_CHANNELS];
    int32_t g[MTR_ADC_CHANNELS];
    int32_t hi;

    require(n >= 1);
    require(bits >= MTR_SIM_BITS_MIN && bits <= MTR_SIM_BITS_MAX);
    hi = (int32_t)((1ul << (bits - 1u)) - 1u);
    require(mtr_sim_adc_rate(adc) >= MTR_SIM_RATE_MIN && mtr_sim_adc_rate(adc) <= MTR_SIM_RATE_MAX);
    for (size_t k = 0; k < n; k++) {
        mtr_sim_adc_frame(adc, k, f);
        for (unsigned ch = 0; ch < MTR_ADC_CHANNELS; ch++)
            require(f[ch] <= hi && f[ch] >= -hi - 1);
    }
    mtr_sim_adc_frame(adc, 0, f);
    mtr_sim_adc_frame(adc, (uint64_t)n, g);
    require(memcmp(f, g, sizeof f) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mtr_sim_adc_cfg cfg;
    struct mtr_sim_adc adc;
    struct mtr_sim_adc before;
    struct mtr_sim_samples_diag diag;
    mtr_err_t err;

    mtr_sim_adc_default(&cfg);
    require(mtr_sim_adc_init(&adc, &cfg) == MTR_OK);
    memcpy(&before, &adc, sizeof adc);
    err = mtr_sim_adc_load_diag(&adc, data, size, &diag);
    if (err == MTR_OK) {
        require(diag.reason == NULL);
        check_loaded(&adc);
        mtr_sim_adc_free(&adc);
        return 0;
    }
    require(err == MTR_ERR_DECODE || err == MTR_ERR_FULL);
    require(diag.reason != NULL);
    require(err != MTR_ERR_DECODE || diag.line >= 1);
    require(memcmp(&adc, &before, sizeof adc) == 0);
    return 0;
}
