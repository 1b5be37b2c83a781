/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Value objects named by capture objects (objects_records.def): what a
 * client reads at the logical name a log or profile column names.
 *
 * - Event code objects 0-0:96.11.e.255 (class 1, IDIS: one per event log;
 *   e = 0..6 the standard logs, 128 the security log, 129 the power failure
 *   log): the code of the log's newest entry, `unsigned` as the log's column
 *   (libmeter/events/ev_logs.c); 0 while the log is empty.
 * - Power failure start time 0-0:96.7.128.255 (class 1) and duration
 *   0-0:96.7.19.255 (class 3, scaler 0, unit second): the values of the
 *   power failure log's newest entry, `double-long-unsigned` as its columns
 *   (start: UTC seconds); 0 while the log is empty.
 * - Profile status 0-0:96.10.1.255 (class 1, `unsigned`): the status bits
 *   noted so far for the next entry of the load profile that captures it
 *   (the first profile with a status column naming it): power down, clock
 *   adjusted, ... (mtr_profile_pending(), with DNV implied by ERR or CIV as
 *   a capture does). The conditions the aggregate adds at capture time
 *   (DST, clock invalid, critical error) are in the captured entries only.
 *
 * A log or profile the meter does not keep: object-unavailable.
 */
#include "cosem_records.h"

#include <string.h>

#if MTR_WITH_EVENTS
#include "meter/events.h"
#endif
#if MTR_WITH_PROFILE
#include "meter/profile.h"
#endif

/* Indexes of enum mtr_events_log (meter/events.h), which this file may not see. */
const struct cosem_rec_ref cosem_rec_code[9] = {
    {0, 0}, {1, 0}, {2, 0}, {3, 0}, {4, 0}, {5, 0}, {6, 0}, {7, 0}, {8, 0},
};
const struct cosem_rec_ref cosem_rec_pf_start = {7, 1};
const struct cosem_rec_ref cosem_rec_pf_duration = {7, 2};

#define UNIT_SECOND 7u /* Blue Book unit enumeration */

#if defined(__GNUC__)
#define REC_NOINLINE __attribute__((noinline))
#else
#define REC_NOINLINE
#endif

/* The value of the newest entry of the log (0 while it is empty). Kept out
 * of the callback: the events engine reads a whole entry on its stack. */
static REC_NOINLINE mtr_err_t log_value(const struct mtr_dlms_call *c, const struct cosem_rec_ref *ref,
                                        int64_t *v)
{
#if MTR_WITH_EVENTS
    const struct mtr_meter_engines *e = cosem_engines(c);
    int64_t values[MTR_EVENTS_MAX_VALUES];
    mtr_err_t err;

    _Static_assert(MTR_EVLOG_COUNT == 9 && MTR_EVLOG_POWER_FAILURE == 7 && MTR_EVLOG_SECURITY == 8,
                   "cosem_rec_code[] follows enum mtr_events_log");
    *v = 0;
    if (e == NULL || e->events == NULL)
        return MTR_ERR_NOTSUP;
    err = mtr_events_log_last(e->events, ref->log, NULL, values);
    if (err == MTR_ERR_EMPTY)
        return MTR_OK;
    if (err == MTR_ERR_NOENT || err == MTR_ERR_STATE)
        return MTR_ERR_NOTSUP; /* log not kept, engine not ready */
    if (err != MTR_OK)
        return err;
    *v = values[ref->value < MTR_EVENTS_MAX_VALUES ? ref->value : 0];
    return MTR_OK;
#else
    (void)c;
    (void)ref;
    *v = 0;
    return MTR_ERR_NOTSUP;
#endif
}

mtr_err_t cosem_rec_log_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    const struct cosem_rec_ref *ref = (const struct cosem_rec_ref *)c->obj->user;
    struct cosem_out o;
    int64_t v = 0;
    mtr_err_t err;

    if (c->selector != 0)
        return MTR_ERR_RANGE;
    cosem_out_init(&o, c, w);
    if (c->obj->class_id == 3 && c->id == 3) {
        cosem_put_scaler_unit(&o, 0, UNIT_SECOND);
        return cosem_out_end(&o);
    }
    if (c->id != 2)
        return MTR_ERR_NOTSUP;
    err = log_value(c, ref, &v);
    if (err != MTR_OK)
        return err;
    v = v < 0 ? 0 : v;
    if (ref->value == 0)
        cosem_put_uint(&o, MTR_DLMS_UNSIGNED, (uint64_t)(v > UINT8_MAX ? UINT8_MAX : v));
    else
        cosem_put_uint(&o, MTR_DLMS_DOUBLE_LONG_UNSIGNED, (uint64_t)(v > (int64_t)UINT32_MAX ? UINT32_MAX : v));
    return cosem_out_end(&o);
}

#if MTR_WITH_PROFILE
/* The profile whose status column names this object. */
static const struct mtr_profile *status_profile(const struct mtr_dlms_call *c)
{
    const struct mtr_meter_engines *e = cosem_engines(c);

    for (uint8_t i = 0; e != NULL && e->profiles != NULL && i < e->nprofiles; i++) {
        const struct mtr_profile *p = e->profiles[i];
        const struct mtr_profile_column *col;
        uint8_t n = 0;
        if (p == NULL || p->cfg == NULL)
            continue;
        col = mtr_profile_columns(p, &n);
        for (uint8_t k = 0; col != NULL && k < n; k++)
            if (col[k].kind == MTR_PROFILE_COL_STATUS && col[k].class_id == c->obj->class_id &&
                col[k].attr == 2 && memcmp(col[k].obis, c->obj->obis, 6) == 0)
                return p;
    }
    return NULL;
}
#endif

mtr_err_t cosem_rec_status_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
#if MTR_WITH_PROFILE
    const struct mtr_profile *p;
    struct cosem_out o;
    uint8_t st;

    if (c->selector != 0)
        return MTR_ERR_RANGE;
    if (c->id != 2)
        return MTR_ERR_NOTSUP;
    p = status_profile(c);
    if (p == NULL)
        return MTR_ERR_NOTSUP;
    st = mtr_profile_pending(p);
    if ((st & (MTR_PROFILE_ST_ERR | MTR_PROFILE_ST_CIV)) != 0)
        st |= MTR_PROFILE_ST_DNV;
    cosem_out_init(&o, c, w);
    cosem_put_uint(&o, MTR_DLMS_UNSIGNED, st);
    return cosem_out_end(&o);
#else
    (void)c;
    (void)w;
    return MTR_ERR_NOTSUP;
#endif
}
