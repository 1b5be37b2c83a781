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
#if MTR_WITH_PROFILE
#include "meter/profile.h"
#endif
#if MTR_WITH_EVENTS
#include "meter/events.h"
#endif
#if MTR_WITH_QUALITY
#include "meter/quality.h"
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
    EV_CLOCK_OLD = 4,
    EV_CLOCK_NEW = 5,
    EV_NV_MEMORY_ERROR = 14,
    EV_PARAMETRIZATION = 47,
};

/* Bytes of the register snapshot's version-2 block (meter_records.c): the
 * time of the commit, its flags, the event counters the power-up records
 * and the billing captures are checked against, and the last capture of
 * each billing profile. */
#define SNAP_EXT_BYTES (8u + 1u + 4u * 4u + 8u * MTR_METER_BILLING_PROFILES)
/* Flag of that block: the commit is the power-fail warning's flush. */
#define SNAP_EXT_WARNED 0x01u

/* Which tariff quantity each metrology energy kind maps to (meter_wire.c). */
extern const uint8_t meter_kind_of_quantity[MTR_METER_ENERGY_KINDS];

/* Logging and time (meter_wire.c). */
mtr_utc_t meter_rtc_now(struct mtr_meter *m);
void meter_log_rec(struct mtr_meter *m, uint8_t source, uint16_t code, mtr_utc_t utc, int64_t value);
/* What a restore from partition @p part came to (::mtr_meter_restore), from
 * the store's load (@p store_rc) and the engine's (@p load_rc, used when the
 * store had a record): a record the engine refuses is logged as an NV memory
 * error (the engine keeps its default). */
uint8_t meter_restored(struct mtr_meter *m, mtr_err_t store_rc, mtr_err_t load_rc, uint16_t part);
/* The name of one of the aggregate's codes (meter_wire.c). */
const char *meter_ev_name(uint16_t code);

/* Profiles, events and quality (meter_records.c; no-ops for engines not built). */
struct mtr_clock_view;
/* Every record: the application's on_log, then the events engine. */
void meter_log(struct mtr_meter *m, const struct mtr_log_record *r);
/* The same as an on_log hook (installed in m->cfg.on_log; the application's
 * own hook is kept in m->wire.app_log). */
void meter_log_hook(struct mtr_meter *m, const struct mtr_log_record *rec, void *user);
/* Built and configured? MTR_ERR_NOTSUP / MTR_ERR_CONFIG. */
mtr_err_t meter_records_check(const struct mtr_meter_engines *e);
/* The events engine on the store (first, so that every later record reaches it). */
mtr_err_t meter_events_init(struct mtr_meter *m);
/* The profiles and the quality engine (after the register snapshot). */
mtr_err_t meter_records_init(struct mtr_meter *m);
/* The power-up records, the quality power up, the PDN notes, "Power up". */
void meter_records_power_up(struct mtr_meter *m);
/* One step: quality, scheduled captures, retries, the quality commit. */
void meter_records_step(struct mtr_meter *m, const struct mtr_clock_view *v, mtr_utc_t utc,
                        mtr_ms_t now);
/* A billing end (tariff's on_billing): the billing profiles. */
struct mtr_billing_capture;
void meter_records_billing(struct mtr_meter *m, const struct mtr_billing_capture *cap);
/* The clock moved from @before to @after. */
void meter_records_clock(struct mtr_meter *m, mtr_utc_t before, mtr_utc_t after);
/* MTR_EV_POWER_FAIL (before the register flush) and MTR_EV_POWER_RESTORED. */
void meter_records_power_fail(struct mtr_meter *m, mtr_utc_t utc);
void meter_records_power_restored(struct mtr_meter *m, mtr_utc_t utc);
/* The quality engine's input bits. */
void meter_records_inputs(struct mtr_meter *m);
/* The version-2 block of the register snapshot: write / adopt. */
void meter_records_snap_ext(struct mtr_meter *m, uint8_t *buf);
void meter_records_snap_load(struct mtr_meter *m, const uint8_t *buf);
/* Transition events of the disconnect engine raised so far (dedup mark). */
uint32_t meter_records_dc_mark(struct mtr_meter *m);
/* Settings committed: event 47 (not raised without an events engine). */
void meter_records_parametrization(struct mtr_meter *m, mtr_utc_t utc);

/* The register snapshot and the calendar record through the store (meter_persist.c). */
mtr_err_t meter_snap_commit(struct mtr_meter *m);
uint8_t meter_snap_restore(struct mtr_meter *m);
bool meter_snap_enabled(const struct mtr_meter *m);
bool meter_calrec_enabled(const struct mtr_meter *m);
mtr_err_t meter_calrec_commit(struct mtr_meter *m);
uint8_t meter_calrec_restore(struct mtr_meter *m);

#endif /* METER_METER_WIRE_INT_H */
