/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Private: callbacks and access rights of the objects in objects_control.def
 * (disconnector, limiter, prepaid, profiles and event logs, error and alarm
 * registers, power-quality thresholds: cosem_control.c, cosem_control_pp.c,
 * cosem_control_pg.c), and the few shared functions they add to those of
 * cosem_int.h.
 *
 * Errors are answered as data-access-results (docs/cosem.md and
 * docs/cosem-control.md): a value of the wrong type MTR_ERR_INVAL
 * (type-unmatched); a value refused by the object or its engine
 * COSEM_ERR_REFUSED or the engine's own code (other-reason); access
 * parameters out of their scope, a script that does not exist MTR_ERR_RANGE
 * (scope-of-access-violated); a transition the control mode forbids
 * MTR_ERR_DLMS_DENIED (read-write-denied); a state that does not allow it
 * now MTR_ERR_BUSY (temporary-failure); an engine that is not wired
 * MTR_ERR_NOTSUP (object-unavailable).
 */
#ifndef LIBMETER_COSEM_CONTROL_H
#define LIBMETER_COSEM_CONTROL_H

#include "cosem_int.h"
#include "meter/profile.h"

/* ------------------------------------------------------------ shared */

/* A value refused by the object itself (out of its range): other-reason (250),
 * like the values the engines refuse with their own codes. */
#define COSEM_ERR_REFUSED MTR_ERR_OVERFLOW

/* Object user data: an index (disconnector channel, credit, tariff, log...). */
extern const uint8_t cosem_ctl_index[16];

/* An 8-bit bit-string whose C bit n is the Blue Book's bit n (sent first). */
void cosem_ctl_put_bits8(struct cosem_out *o, uint8_t bits);
/* The low @p nbits (1..8) of @p bits as a bit-string of that length (C bit n = wire bit n). */
void cosem_ctl_put_bits(struct cosem_out *o, uint8_t bits, uint8_t nbits);
/* A date-time as octet-string(12) of @p utc in the clock's local time (< 0: not specified). */
void cosem_ctl_put_datetime(struct cosem_out *o, const struct mtr_dlms_call *c, mtr_utc_t utc);
/* A capture object definition {class_id, logical_name, attribute_index, data_index}. */
void cosem_ctl_put_capture_def(struct cosem_out *o, uint16_t class_id, const uint8_t obis[6], int8_t attr,
                               uint16_t data_index);
/* A script {script_logical_name, script_selector}. */
void cosem_ctl_put_script(struct cosem_out *o, const uint8_t obis[6], uint16_t selector);

/* Any integer type (signed or unsigned) as int64 (an unsigned above INT64_MAX: COSEM_ERR_REFUSED). */
bool cosem_ctl_get_num(struct cosem_in *in, int64_t *v);
/* Any integer type, 0..@p max (else COSEM_ERR_REFUSED). */
bool cosem_ctl_get_unum(struct cosem_in *in, uint64_t max, uint64_t *v);
/* An 8-bit (or shorter) bit-string into C bits (bit n = Blue Book bit n). */
bool cosem_ctl_get_bits8(struct cosem_in *in, uint8_t *bits);
/* A date-time (octet-string(12) or date-time) to UTC (invalid: MTR_ERR_INVAL). */
bool cosem_ctl_get_datetime(struct cosem_in *in, const struct mtr_dlms_call *c, mtr_utc_t *utc);
/* The next token, any tag. */
bool cosem_ctl_get_token(struct cosem_in *in, struct mtr_dlms_axdr_token *t);
/* Record @p err (the first one is kept) and fail the read. */
bool cosem_ctl_in_fail(struct cosem_in *in, mtr_err_t err);

/* Engine error -> the error the server answers as data-access-result (see above). */
mtr_err_t cosem_ctl_err(mtr_err_t err);
/* Monotonic ms now (the meter's HAL). @return MTR_OK; MTR_ERR_IO. */
mtr_err_t cosem_ctl_now_ms(const struct mtr_dlms_call *c, mtr_ms_t *ms);
/* UTC now (the meter's RTC), -1 when unknown. */
mtr_utc_t cosem_ctl_now_utc(const struct mtr_dlms_call *c);

/* ------------------------------------------------------------ disconnector, limiter (cosem_control.c) */

extern const struct mtr_dlms_access cosem_acc_dc[MTR_CFG_DLMS_PROFILES];
extern const struct mtr_dlms_access cosem_acc_limiter[MTR_CFG_DLMS_PROFILES];
extern const struct mtr_dlms_access cosem_acc_dc_script[MTR_CFG_DLMS_PROFILES];
extern const struct mtr_dlms_access cosem_acc_dc_schedule[MTR_CFG_DLMS_PROFILES];

mtr_err_t cosem_dc_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);
mtr_err_t cosem_dc_set(const struct mtr_dlms_call *c);
mtr_err_t cosem_dc_action(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);
mtr_err_t cosem_limiter_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);
mtr_err_t cosem_limiter_set(const struct mtr_dlms_call *c);
mtr_err_t cosem_dc_script_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);
mtr_err_t cosem_dc_script_action(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);
mtr_err_t cosem_dc_schedule_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);

/* ------------------------------------------------------------ errors, alarms, quality (cosem_control.c) */

/* The user index of a status object (class 1 of the events engine). */
enum cosem_status_kind {
    COSEM_ST_ERROR = 0,   /* error register 0-0:97.97.0.255 */
    COSEM_ST_ALARM1 = 1,  /* alarm register 1 0-0:97.98.0.255 */
    COSEM_ST_ALARM2 = 2,  /* alarm register 2 0-0:97.98.1.255 */
    COSEM_ST_FILTER1 = 3, /* alarm filter 1 0-0:97.98.10.255 */
    COSEM_ST_FILTER2 = 4, /* alarm filter 2 0-0:97.98.11.255 */
    COSEM_ST_DESC1 = 5,   /* alarm descriptor 1 0-0:97.98.20.255 */
    COSEM_ST_DESC2 = 6,   /* alarm descriptor 2 0-0:97.98.21.255 */
};

extern const struct mtr_dlms_access cosem_acc_error_reg[MTR_CFG_DLMS_PROFILES];
extern const struct mtr_dlms_access cosem_acc_alarm_reg[MTR_CFG_DLMS_PROFILES];
extern const struct mtr_dlms_access cosem_acc_alarm_filter[MTR_CFG_DLMS_PROFILES];
extern const struct mtr_dlms_access cosem_acc_alarm_monitor[MTR_CFG_DLMS_PROFILES];
extern const struct mtr_dlms_access cosem_acc_quality[MTR_CFG_DLMS_PROFILES];

mtr_err_t cosem_status_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);
mtr_err_t cosem_status_set(const struct mtr_dlms_call *c);
mtr_err_t cosem_alarm_monitor_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);
mtr_err_t cosem_quality_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);
mtr_err_t cosem_quality_set(const struct mtr_dlms_call *c);

/* ------------------------------------------------------------ prepaid (cosem_control_pp.c) */

extern const struct mtr_dlms_access cosem_acc_account[MTR_CFG_DLMS_PROFILES];
extern const struct mtr_dlms_access cosem_acc_credit[MTR_CFG_DLMS_PROFILES];
extern const struct mtr_dlms_access cosem_acc_credit_pay[MTR_CFG_DLMS_PROFILES];
extern const struct mtr_dlms_access cosem_acc_credit_ec[MTR_CFG_DLMS_PROFILES];
extern const struct mtr_dlms_access cosem_acc_charge[MTR_CFG_DLMS_PROFILES];
extern const struct mtr_dlms_access cosem_acc_charge_debt[MTR_CFG_DLMS_PROFILES];
extern const struct mtr_dlms_access cosem_acc_token_gw[MTR_CFG_DLMS_PROFILES];

mtr_err_t cosem_account_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);
mtr_err_t cosem_account_set(const struct mtr_dlms_call *c);
mtr_err_t cosem_account_action(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);
mtr_err_t cosem_credit_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);
mtr_err_t cosem_credit_set(const struct mtr_dlms_call *c);
mtr_err_t cosem_credit_action(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);
mtr_err_t cosem_charge_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);
mtr_err_t cosem_charge_set(const struct mtr_dlms_call *c);
mtr_err_t cosem_charge_action(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);
/* the engine's time and payment charges (0-0:19.20.10.255 ...; user: 10 + charge index) */
mtr_err_t cosem_debt_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);
mtr_err_t cosem_debt_action(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);
mtr_err_t cosem_token_gw_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);
mtr_err_t cosem_token_gw_action(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);

/* ------------------------------------------------------------ profiles (cosem_control_pg.c) */

/* The user of a profile object: its place among the meter's profiles or logs. */
enum cosem_profile_kind {
    COSEM_PG_PROFILE = 0, /* engines->profiles[], found by its logical name */
    COSEM_PG_LOG = 1,     /* a log of the events engine (index: ::mtr_events_log) */
};
struct cosem_profile_ref {
    uint8_t kind;  /* ::cosem_profile_kind */
    uint8_t index; /* COSEM_PG_LOG: the log; COSEM_PG_PROFILE: load profile number (1..5), 0 billing */
};
extern const struct cosem_profile_ref cosem_pg_lp[6];          /* [0] billing profile, [n] load profile n */
extern const struct cosem_profile_ref cosem_pg_log[9];         /* [log] event log */

extern const struct mtr_dlms_access cosem_acc_profile[MTR_CFG_DLMS_PROFILES];
extern const struct mtr_dlms_access cosem_acc_event_log[MTR_CFG_DLMS_PROFILES];

mtr_err_t cosem_profile_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);
mtr_err_t cosem_profile_set(const struct mtr_dlms_call *c);
mtr_err_t cosem_profile_action(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w);

/* A decoded selective access of class 7 attribute 2. */
struct cosem_sel {
    struct mtr_profile_sel ps; /* for mtr_profile_select(): entries or times, column span */
    uint64_t cols;             /* columns to send: bit k = column k (0-based) */
};

/*
 * Decode the access parameters of class 7 attribute 2 for a profile of
 * @p ncols columns @p cols (1..64). Reads only the @p len bytes at @p sel.
 * Selector 0: everything.
 * Selector 1 (range_descriptor {restricting_object, from_value, to_value,
 * selected_values}): the restricting object must be the profile's clock
 * column; from/to are date-times (octet-string(12) or date-time; UTC
 * through the clock of @p c, or with @p c NULL as given, deviation
 * required); selected_values empty (all columns) or capture object
 * definitions of the profile's columns, each at most once.
 * Selector 2 (entry_descriptor {from_entry, to_entry, from_selected_value,
 * to_selected_value}): from_entry >= 1, to_entry 0 (the newest) or
 * >= from_entry; from_selected_value >= 1, to_selected_value 0 (the last)
 * or from..ncols.
 * @return MTR_OK; MTR_ERR_INVAL (malformed parameters, wrong types);
 *         MTR_ERR_RANGE (unknown selector, values out of range, columns the
 *         profile does not have). @p out is written only on success.
 */
mtr_err_t cosem_sel_decode(const struct mtr_dlms_call *c, uint8_t selector, const uint8_t *sel, size_t len,
                           const struct mtr_profile_column *cols, uint8_t ncols, struct cosem_sel *out);

#endif
