/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file units.h
 * @brief Integer quantities with named units, and exact carried division.
 *
 * The core has no floating point. Every physical quantity is an integer in a
 * fixed unit named by its type; COSEM scalers map these units to the wire.
 *
 * | type              | unit                         | range used                     |
 * |-------------------|------------------------------|--------------------------------|
 * | mtr_mwh_t         | milliwatt-hour (energy)      | int64: +-9.2e15 Wh, 1e9 years at 1 MW |
 * | mtr_mvarh_t       | millivar-hour                | as energy                      |
 * | mtr_mvah_t        | millivolt-ampere-hour        | as energy                      |
 * | mtr_mv_t          | millivolt (RMS or peak)      | int32: +-2.1 MV                |
 * | mtr_ma_t          | milliampere                  | int32: +-2.1 MA                |
 * | mtr_mw_t          | milliwatt, also mvar, mVA    | int64                          |
 * | mtr_mhz_t         | millihertz                   | uint32                         |
 * | mtr_pf_t          | power factor x 10000         | int16: -10000..10000           |
 * | mtr_cdeg_t        | angle in 0.01 degree         | int32: -18000..18000           |
 * | mtr_ms_t          | monotonic milliseconds       | uint32, wraps every 49.7 days  |
 * | mtr_utc_t         | seconds since 1970-01-01 UTC | int64, no 2038/2106 problem    |
 * | mtr_money_t       | currency minor units (cents) | int64                          |
 */
#ifndef METER_UNITS_H
#define METER_UNITS_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef int64_t mtr_mwh_t;   /**< energy, milliwatt-hours */
typedef int64_t mtr_mvarh_t; /**< reactive energy, millivar-hours */
typedef int64_t mtr_mvah_t;  /**< apparent energy, millivolt-ampere-hours */
typedef int32_t mtr_mv_t;    /**< voltage, millivolts */
typedef int32_t mtr_ma_t;    /**< current, milliamperes */
typedef int64_t mtr_mw_t;    /**< power, milliwatts (also mvar, mVA) */
typedef uint32_t mtr_mhz_t;  /**< frequency, millihertz */
typedef int16_t mtr_pf_t;    /**< power factor, 1/10000 */
typedef int32_t mtr_cdeg_t;  /**< angle, 1/100 degree */
typedef uint32_t mtr_ms_t;   /**< monotonic time, milliseconds, wrapping */
typedef int64_t mtr_utc_t;   /**< wall time, seconds since 1970-01-01T00:00:00Z */
typedef int64_t mtr_money_t; /**< money, currency minor units */

/** Milliwatt-hours in one kilowatt-hour. */
#define MTR_MWH_PER_KWH 1000000LL
/** Milliwatt-milliseconds in one milliwatt-hour. */
#define MTR_MWMS_PER_MWH 3600000LL
/** Power factor of exactly 1. */
#define MTR_PF_ONE 10000

/**
 * @brief Wrap-safe "a is at or after b" for ::mtr_ms_t (valid while the two
 *        are less than 2^31 ms, 24.8 days, apart).
 */
static inline bool mtr_ms_reached(mtr_ms_t now, mtr_ms_t deadline)
{
    return (int32_t)(now - deadline) >= 0;
}

/** @brief Wrap-safe elapsed milliseconds from @p since to @p now. */
static inline uint32_t mtr_ms_elapsed(mtr_ms_t now, mtr_ms_t since)
{
    return (uint32_t)(now - since);
}

/**
 * @brief Accumulator that divides without ever losing a remainder.
 *
 * Holds a value in a fine unit as whole coarse units plus a remainder, for
 * example energy in mW*ms moved into whole mWh: mtr_carry_add(&c, mw * ms,
 * MTR_MWMS_PER_MWH) returns the whole mWh to add to a register and keeps the
 * rest. Over any sequence, whole*den + rem equals the exact sum of what was
 * added. The remainder has the sign of the last total and |rem| < den.
 */
struct mtr_carry {
    int64_t rem; /**< fine units not yet moved out, |rem| < den */
};

/**
 * @brief Add @p fine units and return the whole coarse units now complete.
 * @param c   accumulator (rem starts at 0).
 * @param fine amount in fine units; |fine| must be < INT64_MAX - den.
 * @param den fine units per coarse unit, > 0.
 * @return whole coarse units to move out (may be negative for export).
 */
static inline int64_t mtr_carry_add(struct mtr_carry *c, int64_t fine, int64_t den)
{
    int64_t sum = c->rem + fine;
    int64_t whole = sum / den; /* C division truncates toward zero */
    c->rem = sum - whole * den;
    return whole;
}

#ifdef __cplusplus
}
#endif

#endif /* METER_UNITS_H */
