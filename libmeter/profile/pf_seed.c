/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The seed's profiles (ST402 technical description, section 5.1-5.2, as
 * recorded in profiles.json): billing profile 1, load profiles 1-4 and load
 * profile 5 (billing profile 2), with their logical names, default capture
 * periods and capacities (MTR_CFG_PROFILE_*_ENTRIES). Where the seed names
 * categories instead of channels, the columns chosen are listed in
 * docs/profiles.md ("The seed's profiles").
 *
 * Values are what the aggregate's mtr_meter_value() returns: energy in mWh
 * (scaler -3, Wh), power in mW (scaler -3, W / var), voltage in mV (scaler
 * -3, V), current in mA (scaler -3, A). A-XDR tags and units are Blue Book
 * numbers: 6 double-long-unsigned, 21 long64-unsigned, 20 long64, 17
 * unsigned; units 27 W, 29 var, 30 Wh, 32 varh, 33 A, 35 V.
 */
#include <string.h>

#include "pf_priv.h"

#define T_U32 6u
#define T_U64 21u
#define T_U8 17u

#define COL_CLOCK {MTR_PROFILE_COL_CLOCK, 0, 8, {0, 0, 1, 0, 0, 255}, 2, 0, 0, 255}
#define COL_STATUS {MTR_PROFILE_COL_STATUS, T_U8, 1, {0, 0, 96, 10, 1, 255}, 2, 0, 0, 255}
/* A register of group A = 1 (class 3, value attribute), scaler -3. */
#define COL_REG(c, d, e, t, u) {MTR_PROFILE_COL_VALUE, (t), 3, {1, 0, (c), (d), (e), 255}, 2, 0, -3, (u)}
#define ENERGY(c, e) COL_REG((c), 8, (e), T_U64, (c) <= 2 ? 30u : 32u)

/* Billing profile 1, 0-0:98.1.0.255: monthly, the values a billing period closes with. */
static const struct mtr_profile_column billing1[] = {
    COL_CLOCK,
    ENERGY(1, 0), ENERGY(1, 1), ENERGY(1, 2), ENERGY(1, 3), ENERGY(1, 4),
    ENERGY(2, 0), ENERGY(2, 1), ENERGY(2, 2), ENERGY(2, 3), ENERGY(2, 4),
    ENERGY(3, 0), ENERGY(4, 0), ENERGY(5, 0), ENERGY(6, 0), ENERGY(7, 0), ENERGY(8, 0),
    /* maximum demand of +A in the period (class 4, value) */
    {MTR_PROFILE_COL_VALUE, T_U64, 4, {1, 0, 1, 6, 0, 255}, 2, 0, -3, 27},
};

/* Load profile 1, 0-0:99.1.0.255: timestamp, A+, A-, R1..R4, average 15-minute load; the
 * unnamed tenth channel is the profile status (seed note); communication signal quality belongs
 * to the modem, not to the core, and is left out. */
static const struct mtr_profile_column lp1[] = {
    COL_CLOCK, COL_STATUS,
    ENERGY(1, 0), ENERGY(2, 0), ENERGY(5, 0), ENERGY(6, 0), ENERGY(7, 0), ENERGY(8, 0),
    /* last average demand of +A (class 5, last_average_value) */
    {MTR_PROFILE_COL_VALUE, T_U64, 5, {1, 0, 1, 4, 0, 255}, 3, 0, -3, 27},
};

/* Load profile 2, 0-0:99.2.0.255: "all energies, powers, profile status" in 10 channels. */
static const struct mtr_profile_column lp2[] = {
    COL_CLOCK, COL_STATUS,
    ENERGY(1, 0), ENERGY(2, 0), ENERGY(3, 0), ENERGY(4, 0),
    COL_REG(1, 7, 0, T_U32, 27), COL_REG(2, 7, 0, T_U32, 27),
    COL_REG(3, 7, 0, T_U32, 29), COL_REG(4, 7, 0, T_U32, 29),
};

/* Load profile 3, 1-0:99.3.0.255 (daily; the seed names no channels): A+ per tariff, A-, R+, R-. */
static const struct mtr_profile_column lp3[] = {
    COL_CLOCK, COL_STATUS,
    ENERGY(1, 0), ENERGY(1, 1), ENERGY(1, 2), ENERGY(1, 3), ENERGY(1, 4),
    ENERGY(2, 0), ENERGY(3, 0), ENERGY(4, 0),
};

/* Load profile 4, 1-0:99.129.0.255: phase voltages and currents. */
static const struct mtr_profile_column lp4[] = {
    COL_CLOCK,
    COL_REG(32, 7, 0, T_U32, 35), COL_REG(52, 7, 0, T_U32, 35), COL_REG(72, 7, 0, T_U32, 35),
    COL_REG(31, 7, 0, T_U32, 33), COL_REG(51, 7, 0, T_U32, 33), COL_REG(71, 7, 0, T_U32, 33),
};

/* Load profile 5 / billing profile 2, 1-0:99.130.0.255: timestamps and A+ in two tariffs. */
static const struct mtr_profile_column lp5[] = {
    COL_CLOCK, ENERGY(1, 1), ENERGY(1, 2),
};

static const struct {
    uint8_t obis[6];
    uint32_t period_s;
    uint32_t capacity;
    const struct mtr_profile_column *cols;
    uint8_t ncols;
} seed[MTR_PROFILE_SEED_COUNT] = {
    [MTR_PROFILE_SEED_BILLING1] = {{0, 0, 98, 1, 0, 255}, 0, MTR_CFG_PROFILE_BILLING1_ENTRIES,
                                   billing1, (uint8_t)(sizeof billing1 / sizeof billing1[0])},
    [MTR_PROFILE_SEED_LP1] = {{0, 0, 99, 1, 0, 255}, 900, MTR_CFG_PROFILE_LP1_ENTRIES, lp1,
                              (uint8_t)(sizeof lp1 / sizeof lp1[0])},
    [MTR_PROFILE_SEED_LP2] = {{0, 0, 99, 2, 0, 255}, 3600, MTR_CFG_PROFILE_LP2_ENTRIES, lp2,
                              (uint8_t)(sizeof lp2 / sizeof lp2[0])},
    [MTR_PROFILE_SEED_LP3] = {{1, 0, 99, 3, 0, 255}, 86400, MTR_CFG_PROFILE_LP3_ENTRIES, lp3,
                              (uint8_t)(sizeof lp3 / sizeof lp3[0])},
    [MTR_PROFILE_SEED_LP4] = {{1, 0, 99, 129, 0, 255}, 600, MTR_CFG_PROFILE_LP4_ENTRIES, lp4,
                              (uint8_t)(sizeof lp4 / sizeof lp4[0])},
    [MTR_PROFILE_SEED_LP5] = {{1, 0, 99, 130, 0, 255}, 0, MTR_CFG_PROFILE_LP5_ENTRIES, lp5,
                              (uint8_t)(sizeof lp5 / sizeof lp5[0])},
};

mtr_err_t mtr_profile_seed(unsigned which, uint16_t part, struct mtr_profile_config *out)
{
    MTR_ASSERT(out != NULL);
    if (which >= MTR_PROFILE_SEED_COUNT) {
        return MTR_ERR_RANGE;
    }
    memset(out, 0, sizeof *out);
    memcpy(out->obis, seed[which].obis, 6);
    out->part = part;
    out->capture_period_s = seed[which].period_s;
    out->capacity = seed[which].capacity;
    out->columns = seed[which].cols;
    out->ncolumns = seed[which].ncols;
    return MTR_OK;
}

uint32_t mtr_profile_seed_record_size(unsigned which)
{
    if (which >= MTR_PROFILE_SEED_COUNT) {
        return 0;
    }
    uint32_t n = 0;
    for (uint8_t k = 0; k < seed[which].ncols; k++) {
        n += seed[which].cols[k].kind == MTR_PROFILE_COL_VALUE;
    }
    return mtr_profile_record_size(n);
}
