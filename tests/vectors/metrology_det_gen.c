/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Writes tests/vectors/metrology_det.data, the sample vector of the
 * metrology determinism check (docs/boards.md), with the sim ADC. The file
 * is checked in: this program ran once, and runs again only to change the
 * vector (its frames come from libm's sin(), which may differ in the last
 * bit between C libraries).
 *
 *   cc -std=c11 -Iinclude -Iadapters/sim tests/vectors/metrology_det_gen.c \
 *      adapters/sim/sim_adc.c -lm -o metrology_det_gen
 *   ./metrology_det_gen > tests/vectors/metrology_det.data
 *
 * The signal: 2 s at 2 kHz, 24 bits, full scale 600 V / 200 A, 49.98 Hz
 * drifting +15 mHz/s, three unbalanced phases (import inductive, import
 * capacitive, export), harmonics on voltages and currents, DC offsets,
 * 40 LSB of Gaussian noise, neutral current sampled.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sim_adc.h"

#define SECONDS 2u

static void phase(struct mtr_sim_phase_cfg *p, int64_t mv, int64_t ma, int32_t v_angle,
                  int32_t lag)
{
    memset(p, 0, sizeof *p);
    p->v_rms_mv = mv;
    p->i_rms_ma = ma;
    p->v_angle_cdeg = v_angle;
    p->i_angle_cdeg = lag;
    p->v_harm_permille[3] = 15;
    p->v_harm_permille[5] = 35;
    p->v_harm_permille[7] = 20;
    p->v_harm_cdeg[5] = 2000;
    p->i_harm_permille[3] = 120;
    p->i_harm_permille[5] = 80;
    p->i_harm_permille[7] = 50;
    p->i_harm_permille[11] = 25;
    p->i_harm_permille[13] = 15;
    p->i_harm_cdeg[3] = -4500;
    p->i_harm_cdeg[5] = 9000;
    p->i_harm_cdeg[7] = 3000;
}

int main(void)
{
    struct mtr_sim_adc_cfg c;
    mtr_sim_adc_default(&c);
    c.rate_hz = 2000;
    c.bits = 24;
    c.freq_mhz = 49980;
    c.drift_mhz_per_s = 15;
    phase(&c.phase[0], 231000, 12500, 0, 2500);       /* PF 0.906 lagging, import */
    phase(&c.phase[1], 228500, 7200, -12000, -3687);  /* PF 0.8 leading, import */
    phase(&c.phase[2], 233000, 3100, 12000, 17000);   /* export, quadrant II */
    const int32_t offset[MTR_ADC_CHANNELS] = {1200, -800, 300, -150, 90, 40, -25};
    memcpy(c.dc_offset, offset, sizeof offset);
    c.noise_lsb = 40;
    c.seed = 20250601u;
    c.neutral_measured = true;

    struct mtr_sim_adc adc;
    if (mtr_sim_adc_init(&adc, &c) != MTR_OK) {
        fprintf(stderr, "metrology_det_gen: configuration rejected\n");
        return 1;
    }
    printf("# SPDX-License-Identifier: Apache-2.0\n"
           "# Sample vector of the metrology determinism check (docs/boards.md):\n"
           "# the host and the Cortex-M4 must compute bit-identical registers from it.\n"
           "# Written by tests/vectors/metrology_det_gen.c with the sim ADC; do not edit.\n"
           "# 2 s, 49.98 Hz + 15 mHz/s, 231 V 12.5 A lag 25 deg, 228.5 V 7.2 A lead 36.87 deg,\n"
           "# 233 V 3.1 A lag 170 deg (export); U harmonics 3/5/7, I harmonics 3/5/7/11/13;\n"
           "# DC offsets, 40 LSB noise, neutral sampled. Format: adapters/sim/sim_adc.h.\n");
    printf("mtr-samples 1 rate=%" PRIu32 " bits=%u\n", c.rate_hz, (unsigned)c.bits);
    printf("# V1 V2 V3 I1 I2 I3 IN\n");
    for (uint64_t k = 0; k < (uint64_t)SECONDS * c.rate_hz; k++) {
        int32_t f[MTR_ADC_CHANNELS];
        mtr_sim_adc_frame(&adc, k, f);
        for (int ch = 0; ch < MTR_ADC_CHANNELS; ch++) {
            printf(ch == 0 ? "%" PRId32 : " %" PRId32, f[ch]);
        }
        printf("\n");
    }
    printf("end\n");
    return fflush(stdout) == 0 ? 0 : 1;
}
