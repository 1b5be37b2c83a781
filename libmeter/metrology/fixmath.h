/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file fixmath.h
 * @brief Private integer helpers of the metrology engine: 128-bit arithmetic
 *        built from 64-bit halves (no compiler extension, so that the same
 *        code runs on a 32-bit core), integer square roots, fixed-point
 *        constants and CORDIC sine/cosine/atan2.
 */
#ifndef METER_METROLOGY_FIXMATH_H
#define METER_METROLOGY_FIXMATH_H

#include <stdbool.h>
#include <stdint.h>

#include "meter/metrology.h"

#define mtr_fx mtr_metrology_fx

/** Unsigned 128-bit value; signed values use two's complement. */
struct mtr_u128 {
    uint64_t hi;
    uint64_t lo;
};


/** Angles: one full turn is 2^32 (uint32 wraps exactly once per turn). */
typedef uint32_t mtr_turn_t;

struct mtr_u128 mtr_u128_mul(uint64_t a, uint64_t b);
struct mtr_u128 mtr_s128_mul(int64_t a, int64_t b);
struct mtr_u128 mtr_u128_add(struct mtr_u128 a, struct mtr_u128 b);
struct mtr_u128 mtr_u128_from_s64(int64_t v);
struct mtr_u128 mtr_u128_shl(struct mtr_u128 a, unsigned n);
/** Arithmetic (signed) shift right. */
struct mtr_u128 mtr_s128_sar(struct mtr_u128 a, unsigned n);
struct mtr_u128 mtr_u128_shr(struct mtr_u128 a, unsigned n);
int mtr_u128_cmp(struct mtr_u128 a, struct mtr_u128 b);
/** Unsigned division; @p d must not be 0. */
struct mtr_u128 mtr_u128_div(struct mtr_u128 n, struct mtr_u128 d);
unsigned mtr_u128_bits(struct mtr_u128 a);
/** floor(sqrt(a)). */
uint64_t mtr_isqrt128(struct mtr_u128 a);

/**
 * @brief m / 2^q just below num / (den * 2^e), with m in [2^31, 2^32) when
 *        q can stay <= 62; false if m would fall below 2^20 or q below 0.
 */
bool mtr_fx_ratio(struct mtr_u128 num, struct mtr_u128 den, unsigned e, struct mtr_fx *out);
/** round(x * fx) for x >= 0. */
uint64_t mtr_fx_mul_u64(uint64_t x, struct mtr_fx fx);
/**
 * @brief floor((s * fx + *frac) ) in whole units, keeping the part below one
 *        unit in *frac (0 <= *frac < 2^q): nothing is lost over any sequence.
 */
int64_t mtr_fx_mul_carry(int64_t s, struct mtr_fx fx, uint64_t *frac);

/** cos and sin of @p a, Q30 (CORDIC, error below 2e-9). */
void mtr_cordic_sincos(mtr_turn_t a, int32_t *cos_q30, int32_t *sin_q30);
/** Angle of (x, y), in turns as a signed int32 (-2^31..2^31 = -180..180 degrees). */
int32_t mtr_cordic_atan2(int64_t y, int64_t x);
/** Signed turn angle to 0.01 degree. */
int32_t mtr_turn_to_cdeg(int32_t a);

#endif /* METER_METROLOGY_FIXMATH_H */
