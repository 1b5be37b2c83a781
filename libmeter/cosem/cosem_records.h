/* SPDX-License-Identifier: Apache-2.0 */
/* Private: callbacks of the objects in objects_records.def, the value
 * objects the capture objects of the event logs and load profiles name
 * (cosem_records.c). */
#ifndef LIBMETER_COSEM_RECORDS_H
#define LIBMETER_COSEM_RECORDS_H

#include "cosem_int.h"

/* The `user` of a log value object: the log (enum mtr_events_log) and the
 * value of its newest entry (0: the event code, 1 and 2: the extras). */
struct cosem_rec_ref {
    uint8_t log;
    uint8_t value;
};

/* [log]: the event code object of each log (0-0:96.11.e.255). */
extern const struct cosem_rec_ref cosem_rec_code[9];
/* The power failure log's start time (0-0:96.7.128.255) and duration (0-0:96.7.19.255). */
extern const struct cosem_rec_ref cosem_rec_pf_start;
extern const struct cosem_rec_ref cosem_rec_pf_duration;

/* Event code objects and the start time (class 1), the duration (class 3). */
mtr_err_t cosem_rec_log_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);
/* Profile status 0-0:96.10.1.255 (class 1). */
mtr_err_t cosem_rec_status_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);

#endif
