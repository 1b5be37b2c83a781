/* SPDX-License-Identifier: Apache-2.0 */
/* Internals shared by registers, demand, billing and the saved state. */
#ifndef METER_TARIFF_PRIV_H
#define METER_TARIFF_PRIV_H

#include "meter/tariff.h"

/** Index (0-based) of the single tariff bit of @p mask, or -1. */
int tariff_mask_index(uint16_t mask);
/** Whether adding @p d to @p reg is allowed (no negative delta, no overflow). */
mtr_err_t registers_check_add(const struct mtr_registers *reg, const struct mtr_energy_delta *d);

/** Start demand at @p now (sub-period flagged short unless aligned). */
void demand_start(struct mtr_demand *dm, const struct mtr_clock_view *now, uint8_t flags);
/** Add the energy of @p d to the running sub-period. */
void demand_add(struct mtr_demand *dm, const struct mtr_energy_delta *d);
/** Close the sub-periods that ended by @p now; @p tariff_idx = 0-based demand tariff. */
void demand_advance(struct mtr_demand *dm, const struct mtr_clock_view *now, int tariff_idx);
/** Close the running sub-period early with @p flags and start a new one at @p now. */
void demand_interrupt(struct mtr_demand *dm, const struct mtr_clock_view *now, uint8_t flags,
                      int tariff_idx);
/** Billing end: add the maxima to the cumulative maxima and clear them. */
void demand_billing_reset(struct mtr_demand *dm);

/** Latest scheduled boundary at or before local second @p local. */
int64_t billing_latest(const struct mtr_billing_schedule *s, int64_t local);
/** Check a schedule. */
mtr_err_t billing_check(const struct mtr_billing_schedule *s);

#endif /* METER_TARIFF_PRIV_H */
