/* SPDX-License-Identifier: Apache-2.0 */
/* Private to libmeter/disconnect: shared between the state machine, the blob
 * codec and the limiter. */
#ifndef METER_DC_PRIV_H
#define METER_DC_PRIV_H

#include "meter/disconnect.h"

/** Indexes into dc_events[]. */
enum dc_ev {
    DC_EV_READY = 0,    /* 59 */
    DC_EV_MAN_DISC,     /* 60 */
    DC_EV_MAN_RECON,    /* 61 */
    DC_EV_REM_DISC,     /* 62 */
    DC_EV_REM_RECON,    /* 63 */
    DC_EV_LOC_DISC,     /* 64 */
    DC_EV_LIM_EXCEEDED, /* 65 */
    DC_EV_LIM_OK,       /* 66 */
    DC_EV_LIM_CHANGED,  /* 67 */
    DC_EV_FAILURE,      /* 68 */
    DC_EV_LOC_RECON,    /* 69 */
    DC_EV_COUNT
};

/** Source and target state of each transition. */
extern const uint8_t dc_from[MTR_DC_T_COUNT];
extern const uint8_t dc_to[MTR_DC_T_COUNT];
/** Event (enum dc_ev) each transition logs. */
extern const uint8_t dc_trans_event[MTR_DC_T_COUNT];

/** Log event @p ev of channel @p ch. */
void dc_emit(const struct mtr_disconnect *dc, enum dc_ev ev, uint8_t ch);
/** Serialise and hand the blob to persist (MTR_OK without a persist callback). */
mtr_err_t dc_commit(struct mtr_disconnect *dc);
/** Drive the relay of @p ch, start its feedback supervision, raise a failure on error. */
mtr_err_t dc_drive(struct mtr_disconnect *dc, uint8_t ch, bool closed, mtr_ms_t now_ms);
/** Relay feedback supervision of every watched channel (from each tick). */
void dc_supervise(struct mtr_disconnect *dc, mtr_ms_t now_ms);
/** Check limiter parameters: MTR_ERR_DISCONNECT_THRESHOLD / _PERIOD. */
mtr_err_t dc_check_limiter(const struct mtr_dc_limiter *lim);
/** Check an emergency profile: MTR_ERR_DISCONNECT_PERIOD / _GROUP. */
mtr_err_t dc_check_emergency(const struct mtr_dc_emergency *ep);
/** Check a code red: MTR_ERR_DISCONNECT_THRESHOLD / _PERIOD. */
mtr_err_t dc_check_code_red(mtr_mw_t limit_mw, uint64_t interval_s, uint64_t penalty_s,
                            mtr_utc_t activation_utc);
/** Reset the limiter's run-time (averaging window, above/below, time base). */
void dc_limiter_reset(struct mtr_disconnect *dc);

#endif /* METER_DC_PRIV_H */
