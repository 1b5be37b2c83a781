/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Private parts of the display engine shared by its source files.
 */
#ifndef METER_DP_PRIV_H
#define METER_DP_PRIV_H

#include "meter/display.h"
#include "meter/meter.h"

/* Check a whole settings block. */
mtr_err_t dp_check_settings(const struct mtr_display_settings *s);
/* Copy the fields of @p s (padding of @p dst untouched). */
void dp_put_settings(struct mtr_display_settings *dst, const struct mtr_display_settings *s);
/* Check a readout list (count, fields, duplicates). */
mtr_err_t dp_check_list(const struct mtr_display_item *items, uint16_t count);
/* Store a list (unused entries and padding zero); the caller checked it. */
void dp_store_list(struct mtr_display *d, uint8_t which, const struct mtr_display_item *items,
                   uint16_t count);
/* Restart in auto mode at the first entry of the general list, the next
 * step one interval after @p t. */
void dp_go_auto(struct mtr_display *d, mtr_ms_t t);

#endif /* METER_DP_PRIV_H */
