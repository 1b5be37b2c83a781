/* SPDX-License-Identifier: Apache-2.0 */
/* Internals of the events engine shared by its source files. */
#ifndef METER_EV_PRIV_H
#define METER_EV_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "meter/events.h"
#include "meter/profile.h"
#include "meter/meter.h"
#include "meter/store.h"

/* Rows of the code table the engine itself raises (looked up once, in
 * ev_core.c; the codes are unique in event-codes.csv). */
#define EV_CODE_POWER_DOWN    1u   /* code of a power failure log entry */
#define EV_CODE_ERROR_CLEARED 10u  /* "Error register cleared" */
#define EV_CODE_ALARM_CLEARED 11u  /* "Alarm register cleared" */
#define EV_CODE_LOG_CLEARED   255u /* "Event log cleared" */

#define EV_NO_ROW 0xFFFFu

/* Largest record of an event log: the profile header and three values. */
#define EV_REC_MAX MTR_PROFILE_RECORD_SIZE(MTR_EVENTS_MAX_VALUES)

/* ev_core.c */
uint16_t ev_row(uint16_t code);
mtr_err_t ev_finish(struct mtr_events *ev, bool check);

/* ev_state.c */
void ev_defaults(struct mtr_events_state *s);
void ev_encode(const struct mtr_events_state *s, uint8_t out[MTR_EVENTS_BLOB_SIZE]);
mtr_err_t ev_check_blob(const uint8_t *blob, size_t len);
void ev_decode(const uint8_t blob[MTR_EVENTS_BLOB_SIZE], struct mtr_events_state *s);

/* ev_logs.c */
mtr_err_t ev_check_log_cfg(uint8_t log, const struct mtr_profile_config *cfg);
mtr_err_t ev_ring_mark(struct mtr_events *ev, uint8_t log, uint32_t *mark);
mtr_err_t ev_ring_inspect(struct mtr_events *ev, uint8_t log, uint32_t mark, bool *reset_seen,
                          bool *entry_seen);

#endif /* METER_EV_PRIV_H */
