/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file board_sine.h
 * @brief Test images of the board: a 50 Hz test signal without a math library.
 *
 * Sine table: 240 entries per cycle (1.5 degrees), Q30, from the recurrence
 * s[n+1] = 2 cos(t) s[n] - s[n-1] with t = 2 pi / 240 (max error 5e-6).
 * make_sine() fills it once before wave() is used.
 */
#ifndef MPS2_BOARD_SINE_H
#define MPS2_BOARD_SINE_H

#include <stdint.h>

#define SINE_N 240u
#define SINE_STEP 3u /* entries per frame: 50 Hz at 4 kHz */
#define COS_T_Q30 1073373879LL
#define SIN_T_Q30 28107284LL

/* Peak codes of a 24-bit converter with the default full scale (600 V, 200 A):
 * 230 V * sqrt(2) and 5 A * sqrt(2). */
#define V_PEAK 4547591
#define I_PEAK 296582

static int32_t sine[SINE_N];

static inline void make_sine(void)
{
    int64_t prev = 0, cur = SIN_T_Q30;
    sine[0] = 0;
    sine[1] = (int32_t)cur;
    for (uint32_t n = 2; n < SINE_N; n++) {
        int64_t next = ((2 * COS_T_Q30 * cur + (1LL << 29)) >> 30) - prev;
        prev = cur;
        cur = next;
        sine[n] = (int32_t)next;
    }
}

/* Code of a sine of peak @p peak at table entry @p idx (any, taken mod SINE_N). */
static inline int32_t wave(int32_t peak, uint32_t idx)
{
    return (int32_t)(((int64_t)peak * sine[idx % SINE_N]) >> 30);
}

#endif /* MPS2_BOARD_SINE_H */
