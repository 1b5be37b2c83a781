/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The seed's display configuration: readout lists built from Table 4
 * "Possible OBIS codes on the display" (seed 001 §4.1.1.1.1, the reference
 * file obis-display.csv), its decimal places and timings (tou-limits.json
 * display). Classes follow the OBIS group (Blue Book): Data (1) for
 * identifiers, local time and date and the error register, Register (3)
 * for energy, instantaneous values and the battery voltage, Extended
 * register (4) for maximum demand, GSM diagnostic (47) attribute 6
 * cell_info element 3 (signal_quality) for 25.6.0.
 */
#include "dp_priv.h"

#include <string.h>

/* clang-format off */
#define DATA(a, c, d, e) {1, {a, 0, c, d, e, 255}, 2, 0}
#define REG(c, d, e) {3, {1, 0, c, d, e, 255}, 2, 0}
#define EXT(c, d, e) {4, {1, 0, c, d, e, 255}, 2, 0}

/* General display readout 0-0:21.0.1.255 (auto scroll). */
static const struct mtr_display_item seed_general[] = {
    DATA(0, 96, 1, 0),  /* 96.1.0 meter serial number */
    DATA(1, 0, 9, 1),   /* 0.9.1 time */
    DATA(1, 0, 9, 2),   /* 0.9.2 date */
    REG(1, 8, 0),       /* 1.8.0 +A total */
    REG(1, 8, 1), REG(1, 8, 2), REG(1, 8, 3), REG(1, 8, 4), /* 1.8.T, T = 1..4 */
    REG(2, 8, 0),       /* 2.8.0 -A total */
    EXT(1, 6, 1), EXT(1, 6, 2), EXT(1, 6, 3), EXT(1, 6, 4), /* +A maximum demand T1..T4 */
    DATA(0, 97, 97, 0), /* 97.97.0 error register (F.F.) */
};

/* Alternate display readout 0-0:21.0.2.255 (manual): every row of Table 4
 * in its order; of the per-tariff rows only 1.8.T and 2.8.T (T = 1..4). */
static const struct mtr_display_item seed_alternate[] = {
    DATA(0, 96, 1, 0), DATA(0, 96, 1, 1), DATA(1, 0, 9, 1), DATA(1, 0, 9, 2),
    REG(1, 8, 0), REG(15, 8, 0),
    REG(1, 8, 1), REG(1, 8, 2), REG(1, 8, 3), REG(1, 8, 4),
    REG(2, 8, 0),
    REG(2, 8, 1), REG(2, 8, 2), REG(2, 8, 3), REG(2, 8, 4),
    EXT(1, 6, 1), EXT(1, 6, 2), EXT(1, 6, 3), EXT(1, 6, 4),
    EXT(2, 6, 1), EXT(2, 6, 2), EXT(2, 6, 3), EXT(2, 6, 4),
    REG(32, 7, 0), REG(52, 7, 0), REG(72, 7, 0), /* voltages L1..L3 */
    REG(31, 7, 0), REG(51, 7, 0), REG(71, 7, 0), /* currents */
    REG(33, 7, 0), REG(53, 7, 0), REG(73, 7, 0), /* power factors */
    REG(3, 8, 0), REG(4, 8, 0), REG(5, 8, 0), REG(6, 8, 0), REG(7, 8, 0), REG(8, 8, 0),
    REG(34, 7, 0), REG(54, 7, 0), REG(74, 7, 0), /* frequencies */
    {3, {0, 0, 96, 6, 3, 255}, 2, 0},            /* 96.6.3 RTC battery voltage */
    REG(1, 7, 0), REG(2, 7, 0), REG(3, 7, 0), REG(4, 7, 0),
    DATA(0, 97, 97, 0),
    {47, {0, 0, 25, 6, 0, 255}, 6, 3}, /* 25.6.0 signal quality */
};

/* clang-format on */

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define CLIP(n)  ((uint16_t)((n) < MTR_CFG_DISPLAY_ITEMS ? (n) : MTR_CFG_DISPLAY_ITEMS))

void mtr_display_seed(struct mtr_display_config *out, bool transformer)
{
    MTR_ASSERT(out != NULL);
    memset(out, 0, sizeof *out);
    mtr_display_settings_default(&out->settings);
    /* tou-limits.json display.decimal_defaults: direct 6+2 / 6+2,
     * transformer 6+2 / 5+3 (energy / power integers+decimals) */
    out->decimals.energy = 2;
    out->decimals.power = transformer ? 3 : 2;
    out->decimals.voltage = 1;
    out->decimals.current = 2;
    out->general = seed_general;
    out->general_count = CLIP(COUNT(seed_general));
    out->alternate = seed_alternate;
    out->alternate_count = CLIP(COUNT(seed_alternate));
}
