/* SPDX-License-Identifier: Apache-2.0 */
/* The wiring of the engines into the aggregate (private to meter.c). */
#ifndef METER_METER_WIRE_H
#define METER_METER_WIRE_H

#include "meter/meter.h"

#include "core/with.h" /* MTR_WITH_<ENGINE>, set by libmeter/meson.build */

/* Initialise, restore and start the engines of cfg->engines (m is written). */
mtr_err_t meter_wire_init(struct mtr_meter *m);
/* Frames drained from the ADC, before the application's on_frames. */
void meter_wire_frames(struct mtr_meter *m, const int32_t *frames, size_t n);
/* After a drain: step if metrology finished a period. */
void meter_wire_after_drain(struct mtr_meter *m);
/* MTR_EV_POWER_FAIL (first of a warning) and MTR_EV_POWER_RESTORED. */
void meter_wire_power_fail(struct mtr_meter *m);
void meter_wire_power_restored(struct mtr_meter *m);
/* mtr_meter_rtc_set() with a clock engine: MTR_ERR_NOTSUP when none is wired. */
mtr_err_t meter_wire_rtc_set(struct mtr_meter *m, mtr_utc_t utc);

/* The prepaid engine's part (meter_prepaid.c; no-ops when it is not built). */
struct mtr_clock_view;
/* Built and configured? MTR_ERR_NOTSUP / MTR_ERR_CONFIG as check_built(). */
mtr_err_t meter_prepaid_check(const struct mtr_meter_engines *e);
/* Initialise the engine and restore its blob (after the register snapshot). */
mtr_err_t meter_prepaid_init(struct mtr_meter *m);
/* After the tariff step: tick, supply -> local cause, billing end, commit. */
void meter_prepaid_step(struct mtr_meter *m, const struct mtr_clock_view *v, mtr_ms_t now,
                        bool clock_moved);
/* MTR_EV_POWER_FAIL: commit the blob. */
void meter_prepaid_power_fail(struct mtr_meter *m);

/* MTR_EV_INPUT: the new input mask is in m->inputs. */
void meter_wire_inputs(struct mtr_meter *m);

/* The display (meter_display.c; no-ops without the engine). */
mtr_err_t meter_display_check(const struct mtr_meter_engines *e);
mtr_err_t meter_display_init(struct mtr_meter *m);
void meter_display_step(struct mtr_meter *m, mtr_ms_t now);
void meter_display_inputs(struct mtr_meter *m);

#endif /* METER_METER_WIRE_H */
