/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by the files of the aggregate's wiring (meter_wire.c,
 * meter_persist.c): the engine headers of the engines built, the seed's event
 * codes the aggregate reports, and the helpers the files call across. */
#ifndef METER_METER_WIRE_INT_H
#define METER_METER_WIRE_INT_H

#include <string.h>

#include "meter/bytes.h"
#include "meter/crc.h"
#include "meter_wire.h"

#if MTR_WITH_METROLOGY
#include "meter/metrology.h"
#endif
#if MTR_WITH_CALENDAR
#include "meter/clock.h"
#include "meter/tariff.h"
#endif
#if MTR_WITH_STORE
#include "meter/store.h"
#endif
#if MTR_WITH_DISCONNECT
#include "meter/disconnect.h"
#endif

/* The register snapshot needs the store and something to save; the calendar
 * record needs the store and the calendar. */
#define HAVE_SNAP (MTR_WITH_STORE && (MTR_WITH_METROLOGY || MTR_WITH_CALENDAR))
#define HAVE_CALREC (MTR_WITH_STORE && MTR_WITH_CALENDAR)

/* Event codes and names of the seed's event-codes.csv (Table 10) that the
 * aggregate reports besides the disconnect engine's own (code, name) pairs. */
enum {
    EV_POWER_DOWN = 1,
    EV_POWER_UP = 2,
    EV_NV_MEMORY_ERROR = 14,
};

/* Which tariff quantity each metrology energy kind maps to (meter_wire.c). */
extern const uint8_t meter_kind_of_quantity[MTR_METER_ENERGY_KINDS];

/* Logging and time (meter_wire.c). */
mtr_utc_t meter_rtc_now(struct mtr_meter *m);
void meter_log_rec(struct mtr_meter *m, uint8_t source, uint16_t code, mtr_utc_t utc, int64_t value);

/* The register snapshot and the calendar record through the store (meter_persist.c). */
mtr_err_t meter_snap_commit(struct mtr_meter *m);
uint8_t meter_snap_restore(struct mtr_meter *m);
bool meter_snap_enabled(const struct mtr_meter *m);
bool meter_calrec_enabled(const struct mtr_meter *m);
mtr_err_t meter_calrec_commit(struct mtr_meter *m);
uint8_t meter_calrec_restore(struct mtr_meter *m);

#endif /* METER_METER_WIRE_INT_H */
