/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file disconnect.h
 * @brief Disconnect control (COSEM class 70), load limiter (class 71) and code red.
 *
 * One ::mtr_disconnect context holds MTR_CFG_DISCONNECT_CHANNELS disconnector
 * channels (channel 0 = the main breaker, the others auxiliary relays), each a
 * class 70 object with a control state, an output state and a control mode
 * 0..8 whose allowed transitions a..h are those of the seed's Table 7
 * (`disconnector-modes.csv`). The limiter, code red and the button act on
 * channel 0. Prepaid (or any other engine) opens the supply through a named
 * local cause; the supply reconnects locally only when no cause remains.
 *
 * Nothing here sleeps or reads a clock: the aggregate calls
 * mtr_disconnect_tick() with the time and the limiter's monitored value.
 * Persistence: every change of saved state is serialised into a versioned
 * blob with CRC-32 and handed to the @c persist callback BEFORE the relay is
 * driven (see docs/disconnect.md, "Power cuts"); mtr_disconnect_restore()
 * takes the blob back after a restart.
 *
 * Units: power in mW (::mtr_mw_t), wall time in UTC seconds (::mtr_utc_t),
 * durations in seconds unless named _ms, monotonic time in ::mtr_ms_t.
 */
#ifndef METER_DISCONNECT_H
#define METER_DISCONNECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "meter/config.h"
#include "meter/error.h"
#include "meter/hal.h"
#include "meter/units.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Control state (class 70 attribute 3). */
enum mtr_dc_state {
    MTR_DC_DISCONNECTED = 0, /**< supply open */
    MTR_DC_CONNECTED = 1,    /**< supply closed */
    MTR_DC_READY = 2,        /**< ready_for_reconnection: open, may be reconnected locally */
};

/** Transitions of class 70 (meanings from the DLMS Blue Book, see docs/disconnect.md). */
enum mtr_dc_transition {
    MTR_DC_T_A = 0, /**< remote_reconnect: disconnected -> connected */
    MTR_DC_T_B,     /**< remote_disconnect: connected -> disconnected */
    MTR_DC_T_C,     /**< remote_disconnect: ready -> disconnected */
    MTR_DC_T_D,     /**< remote_reconnect: disconnected -> ready */
    MTR_DC_T_E,     /**< manual_reconnect: ready -> connected */
    MTR_DC_T_F,     /**< manual_disconnect: connected -> ready */
    MTR_DC_T_G,     /**< local_disconnect: connected -> ready */
    MTR_DC_T_H,     /**< local_reconnect: ready -> connected */
    MTR_DC_T_COUNT
};

/** Highest control mode (seed Table 7 lists modes 0..8). */
#define MTR_DC_MODE_MAX 8

/** Local causes that hold the supply open (a set: bits). */
enum mtr_dc_cause {
    MTR_DC_CAUSE_LIMITER = 1u << 0,  /**< limiter penalty running */
    MTR_DC_CAUSE_CODE_RED = 1u << 1, /**< code red penalty running */
    MTR_DC_CAUSE_PREPAID = 1u << 2,  /**< credit exhausted (prepaid engine) */
    MTR_DC_CAUSE_ALL = 0x07u,        /**< every cause defined */
};

/** One event for the event log: the (code, name) pair of the seed's event-codes.csv. */
struct mtr_dc_event {
    uint8_t code;     /**< event code (seed Table 10) */
    uint8_t channel;  /**< disconnector channel (0 for limiter events) */
    const char *name; /**< name exactly as in event-codes.csv */
};

/** Alarm register 2 (seed Table 12), bit 31: disconnect/reconnect failure. */
#define MTR_DC_ALARM_REGISTER 2u
#define MTR_DC_ALARM_RELAY_FAILURE 0x80000000u

/** Ranges (seed 001 §5.3.2 / §5.3.3, tou-limits.json). */
#define MTR_DC_LIMIT_MIN_MW 1000000LL     /**< limiter thresholds: 1 kW */
#define MTR_DC_LIMIT_MAX_MW 75000000LL    /**< limiter thresholds: 75 kW */
#define MTR_DC_CODE_RED_MIN_MW 1000000LL  /**< code red limit Y: 1 kW */
#define MTR_DC_CODE_RED_MAX_MW 100000000LL /**< code red limit Y: 100 kW */
#define MTR_DC_PERIOD_MIN_S 30u           /**< averaging period A and penalty C */
#define MTR_DC_PERIOD_MAX_S 3600u
#define MTR_DC_DURATION_MAX_S 86400u      /**< min over/under durations (not in the seed) */
#define MTR_DC_CODE_RED_MAX_S 4102488000LL /**< code red X and Z: 130 years */

/** Limiter parameters (class 71 attributes 4, 5, 6, 7 and the seed's penalty C). */
struct mtr_dc_limiter {
    mtr_mw_t normal_mw;     /**< threshold_normal, MTR_DC_LIMIT_MIN_MW..MAX_MW */
    mtr_mw_t emergency_mw;  /**< threshold_emergency, same range */
    uint16_t period_s;      /**< averaging period A, 30..3600 */
    uint16_t penalty_s;     /**< penalty C, 30..3600 */
    uint32_t min_over_s;    /**< min_over_threshold_duration, 0..86400 */
    uint32_t min_under_s;   /**< min_under_threshold_duration, 0..86400 */
};

/** Emergency profile (class 71 attributes 8, 9, 10). */
struct mtr_dc_emergency {
    uint16_t id;                                  /**< emergency_profile_id */
    mtr_utc_t activation_utc;                     /**< activation time, >= 0 */
    uint64_t duration_s;                          /**< 0..MTR_DC_CODE_RED_MAX_S */
    uint8_t groups;                               /**< used entries of @c group, 0..MTR_CFG_DISCONNECT_GROUPS */
    uint16_t group[MTR_CFG_DISCONNECT_GROUPS];    /**< emergency_profile_group_id_list */
};

/** Code red from the head-end (seed §5.3.3). */
struct mtr_dc_code_red {
    mtr_mw_t limit_mw;        /**< Y, MTR_DC_CODE_RED_MIN_MW..MAX_MW */
    mtr_utc_t activation_utc; /**< start of interval X, >= 0 */
    uint64_t interval_s;      /**< X, 0..MTR_DC_CODE_RED_MAX_S */
    uint64_t penalty_s;       /**< Z, 0..MTR_DC_CODE_RED_MAX_S */
    uint16_t group;           /**< targeted group; only this meter's group reacts */
};

/** Configuration given at init; the context keeps the pointer (static storage). */
struct mtr_dc_config {
    /**
     * Store the blob (::mtr_disconnect_blob_size() bytes) durably before
     * returning. NULL: no persistence. An error aborts the change that wanted
     * it (nothing changed, the error returned to the caller).
     */
    mtr_err_t (*persist)(void *user, const uint8_t *blob, size_t len);
    /** Log one event (NULL: events dropped). */
    void (*on_event)(void *user, const struct mtr_dc_event *ev);
    /** Raise an alarm bit: @p reg 2, @p mask MTR_DC_ALARM_RELAY_FAILURE (NULL: none). */
    void (*on_alarm)(void *user, uint8_t reg, uint32_t mask);
    void *user;                                   /**< handed to the callbacks */
    uint8_t relay[MTR_CFG_DISCONNECT_CHANNELS];   /**< HAL relay number of each channel */
    uint8_t mode;                                 /**< control mode after init, 0..8 */
    uint16_t group_id;                            /**< this meter's group (emergency/code red) */
    uint32_t feedback_ms;  /**< relay feedback must follow within this, 1..60000 */
    uint32_t debounce_ms;  /**< button must be stable this long, 1..1000 */
    uint32_t disconnect_hold_ms; /**< button held longer than this opens (f), 0..60000 */
    uint32_t reconnect_hold_ms;  /**< button held longer than this recloses (e), 0..60000 */
    struct mtr_dc_limiter limiter;                /**< limiter after init */
};

/** Inputs of one tick. */
struct mtr_dc_input {
    mtr_ms_t now_ms;        /**< monotonic time */
    mtr_utc_t now_utc;      /**< wall time (valid RTC), >= 0 */
    mtr_mw_t monitored_mw;  /**< monitored value for the seconds since the last tick
                                 (default: average active import power) */
    uint32_t inputs;        /**< ::mtr_input bits (MTR_IN_BUTTON_2 is the disconnect button) */
};

/** Per-channel state (fields private; use the accessors). */
struct mtr_dc_channel {
    uint8_t state, mode, causes, pending; /* pending: transition + 1, 0 = none */
    bool watch, fault, cmd;
    mtr_ms_t drive_ms;
};

/** Everything the blob carries (private). */
struct mtr_dc_saved {
    struct mtr_dc_channel ch[MTR_CFG_DISCONNECT_CHANNELS];
    struct mtr_dc_limiter lim;
    struct mtr_dc_emergency ep;
    bool code_red;         /* ep came from code red: threshold cr_limit_mw, penalty cr_penalty_s */
    mtr_mw_t cr_limit_mw;
    uint64_t cr_penalty_s;
    uint8_t trip;          /* cause of the running penalty, 0 = none */
    bool exceeded;
    mtr_utc_t penalty_end;
};

/** The context (caller-allocated; fields private). */
struct mtr_disconnect {
    const struct mtr_dc_config *cfg;
    const struct mtr_hal *hal;
    struct mtr_dc_saved s;
    /* limiter run-time, not saved: the averaging window restarts after a restart */
    int64_t win_sum;  /* mW*s */
    uint32_t win_n;   /* seconds in the window */
    mtr_mw_t last_avg;
    bool above, have_utc;
    mtr_utc_t above_since, below_since, last_utc;
    mtr_mw_t active_thr;
    /* button */
    bool btn_raw, btn_fired;
    mtr_ms_t btn_since;
};

/** Bytes of a saved-state blob for this build. */
#define MTR_DISCONNECT_BLOB_SIZE (71u + 4u * MTR_CFG_DISCONNECT_CHANNELS + \
                                  2u * MTR_CFG_DISCONNECT_GROUPS)
/** @brief Run-time twin of MTR_DISCONNECT_BLOB_SIZE. */
size_t mtr_disconnect_blob_size(void);
/** @brief sizeof(struct mtr_disconnect), for bindings. */
size_t mtr_disconnect_ctx_size(void);

/**
 * @brief Check @p cfg and set @p dc to the default safe state: every channel
 *        ready_for_reconnection (open), mode cfg->mode, no cause, no penalty.
 *        Touches no hardware; follow with mtr_disconnect_restore() or
 *        mtr_disconnect_start().
 * @param hal io.relay_set is needed for any transition that moves a relay.
 * @return MTR_OK; MTR_ERR_DISCONNECT_MODE; MTR_ERR_DISCONNECT_THRESHOLD,
 *         MTR_ERR_DISCONNECT_PERIOD for the limiter; MTR_ERR_INVAL for a
 *         timing outside its range (@p dc untouched on error).
 */
mtr_err_t mtr_disconnect_init(struct mtr_disconnect *dc, const struct mtr_dc_config *cfg,
                              const struct mtr_hal *hal);

/**
 * @brief First start, or start after a refused blob: drive every relay once
 *        to the current (default safe) state and persist it.
 * @return MTR_OK; errors of persist (nothing driven); MTR_ERR_NOTSUP without relay_set.
 */
mtr_err_t mtr_disconnect_start(struct mtr_disconnect *dc, mtr_ms_t now_ms);

/**
 * @brief Serialise the saved state (version 1, big-endian, CRC-32 last).
 * @param[out] buf at least mtr_disconnect_blob_size() bytes.
 * @return MTR_OK; MTR_ERR_FULL if @p cap is too small (nothing written).
 */
mtr_err_t mtr_disconnect_save(const struct mtr_disconnect *dc, uint8_t *buf, size_t cap);

/**
 * @brief Adopt a saved blob after a restart: validate all of it, then drive
 *        each relay exactly once to its saved output state, log the event of a
 *        transition that was committed but not yet logged, and persist.
 * @return MTR_OK; MTR_ERR_DISCONNECT_BLOB (length, layout or a value out of
 *         range); MTR_ERR_DISCONNECT_BLOB_CRC; MTR_ERR_DISCONNECT_VERSION. On
 *         these errors nothing changed and no relay was driven: the caller
 *         then calls mtr_disconnect_start().
 */
mtr_err_t mtr_disconnect_restore(struct mtr_disconnect *dc, const uint8_t *blob, size_t len,
                                 mtr_ms_t now_ms);

/**
 * @brief Perform exactly transition @p t on channel @p ch (table check, then
 *        persist, drive the relay if the output changes, log the event).
 * @return MTR_OK; MTR_ERR_DISCONNECT_CHANNEL; MTR_ERR_DISCONNECT_FORBIDDEN (the
 *         mode does not allow @p t); MTR_ERR_DISCONNECT_STATE (@p t does not
 *         start from the current state); MTR_ERR_DISCONNECT_CAUSE (a, e, h
 *         while a local cause remains); MTR_ERR_NOTSUP (no relay_set); errors
 *         of persist. On every error nothing changed. A relay_set error after
 *         the commit is returned with the state changed and the failure raised.
 */
mtr_err_t mtr_disconnect_apply(struct mtr_disconnect *dc, uint8_t ch, enum mtr_dc_transition t,
                               mtr_ms_t now_ms);

/** @brief Class 70 method 1: b from connected, c from ready. Errors as mtr_disconnect_apply(). */
mtr_err_t mtr_disconnect_remote_disconnect(struct mtr_disconnect *dc, uint8_t ch, mtr_ms_t now_ms);
/** @brief Class 70 method 2: a or d, whichever the mode allows. Errors as mtr_disconnect_apply(). */
mtr_err_t mtr_disconnect_remote_reconnect(struct mtr_disconnect *dc, uint8_t ch, mtr_ms_t now_ms);

/**
 * @brief Add local cause(s) @p cause: from connected, transition g.
 * @return MTR_OK; MTR_ERR_DISCONNECT_CHANNEL (unknown channel or cause bits);
 *         errors of the g transition (cause not recorded then).
 */
mtr_err_t mtr_disconnect_local_set(struct mtr_disconnect *dc, uint8_t ch, uint8_t cause,
                                   mtr_ms_t now_ms);
/**
 * @brief Remove local cause(s): when none remains and the channel is ready,
 *        transition h if the mode allows it (otherwise the channel waits for
 *        a manual reconnection).
 * @return MTR_OK; MTR_ERR_DISCONNECT_CHANNEL; errors of persist or of the relay.
 */
mtr_err_t mtr_disconnect_local_clear(struct mtr_disconnect *dc, uint8_t ch, uint8_t cause,
                                     mtr_ms_t now_ms);

/**
 * @brief Write the control mode (class 70 attribute 4). The state is kept.
 * @return MTR_OK; MTR_ERR_DISCONNECT_CHANNEL; MTR_ERR_DISCONNECT_MODE; errors of persist.
 */
mtr_err_t mtr_disconnect_set_mode(struct mtr_disconnect *dc, uint8_t ch, uint8_t mode);

/**
 * @brief Advance time: button, relay feedback supervision, limiter (one
 *        sample per elapsed UTC second), emergency profile, penalties.
 * @return MTR_OK; MTR_ERR_DISCONNECT_TIME if now_utc is before the previous
 *         tick's (nothing changed; see mtr_disconnect_time_set());
 *         MTR_ERR_DISCONNECT_PERIOD for now_utc < 0; errors of persist or
 *         of the relay when the limiter acts (it retries next second).
 */
mtr_err_t mtr_disconnect_tick(struct mtr_disconnect *dc, const struct mtr_dc_input *in);

/**
 * @brief The wall clock was set: keep the running penalty's remaining time,
 *        restart the averaging window at @p now_utc.
 * @return MTR_OK; MTR_ERR_DISCONNECT_PERIOD for now_utc < 0; errors of persist.
 */
mtr_err_t mtr_disconnect_time_set(struct mtr_disconnect *dc, mtr_utc_t now_utc);

/**
 * @brief Write the limiter parameters (all or nothing). Logs "Limiter
 *        threshold changed" when the active threshold changes.
 * @return MTR_OK; MTR_ERR_DISCONNECT_THRESHOLD; MTR_ERR_DISCONNECT_PERIOD;
 *         errors of persist.
 */
mtr_err_t mtr_disconnect_limiter_set(struct mtr_disconnect *dc, const struct mtr_dc_limiter *lim);
/**
 * @brief Write the emergency profile and group list (ends a code red).
 * @return MTR_OK; MTR_ERR_DISCONNECT_PERIOD (activation < 0, duration too
 *         long); MTR_ERR_DISCONNECT_GROUP (groups > MTR_CFG_DISCONNECT_GROUPS);
 *         errors of persist.
 */
mtr_err_t mtr_disconnect_emergency_set(struct mtr_disconnect *dc, const struct mtr_dc_emergency *ep);
/**
 * @brief Code red: the emergency threshold becomes Y from activation for X
 *        seconds; a trip while it applies opens with penalty Z.
 * @return MTR_OK; MTR_ERR_DISCONNECT_THRESHOLD; MTR_ERR_DISCONNECT_PERIOD;
 *         MTR_ERR_DISCONNECT_GROUP (another group: ignored, nothing changed);
 *         errors of persist.
 */
mtr_err_t mtr_disconnect_code_red(struct mtr_disconnect *dc, const struct mtr_dc_code_red *cr);
/**
 * @brief End a code red now: the emergency profile is cleared and a code red
 *        penalty ends (the supply recloses per the mode).
 * @return MTR_OK; MTR_ERR_DISCONNECT_STATE if no code red was set; errors of persist.
 */
mtr_err_t mtr_disconnect_code_red_cancel(struct mtr_disconnect *dc, mtr_ms_t now_ms);

/** @brief Allowed transitions of @p mode as bits (1 << ::mtr_dc_transition); 0 for a bad mode. */
uint8_t mtr_disconnect_mode_mask(uint8_t mode);
/** @brief Control state of @p ch (::mtr_dc_state). */
uint8_t mtr_disconnect_state(const struct mtr_disconnect *dc, uint8_t ch);
/** @brief Output state of @p ch (class 70 attribute 2): true = closed. */
bool mtr_disconnect_output(const struct mtr_disconnect *dc, uint8_t ch);
/** @brief Control mode of @p ch. */
uint8_t mtr_disconnect_mode(const struct mtr_disconnect *dc, uint8_t ch);
/** @brief Local causes holding @p ch open (::mtr_dc_cause bits). */
uint8_t mtr_disconnect_causes(const struct mtr_disconnect *dc, uint8_t ch);
/** @brief True after the relay of @p ch failed to follow its last command. */
bool mtr_disconnect_relay_fault(const struct mtr_disconnect *dc, uint8_t ch);
/** @brief Threshold the limiter compares with now, mW (normal or emergency). */
mtr_mw_t mtr_disconnect_active_threshold(const struct mtr_disconnect *dc);
/** @brief The limiter parameters in force (as last set by mtr_disconnect_limiter_set()). */
void mtr_disconnect_limiter_get(const struct mtr_disconnect *dc, struct mtr_dc_limiter *out);
/**
 * @brief The emergency profile in force (class 71 attributes 8 and 9): what
 *        mtr_disconnect_emergency_set() last accepted, or what a code red
 *        made of it (its interval, this meter's group); zeros after a code
 *        red was cancelled. Entries of @c group past @c groups are 0.
 */
void mtr_disconnect_emergency_get(const struct mtr_disconnect *dc, struct mtr_dc_emergency *out);
/**
 * @brief emergency_profile_active (class 71 attribute 10): this meter's group
 *        (::mtr_dc_config.group_id) is in the profile's group list and
 *        @p now lies in [activation, activation + duration).
 * @param now UTC seconds; a negative (unknown) time gives false.
 */
bool mtr_disconnect_emergency_active(const struct mtr_disconnect *dc, mtr_utc_t now);
/** @brief Average of the last complete averaging window, mW. */
mtr_mw_t mtr_disconnect_last_average(const struct mtr_disconnect *dc);
/** @brief End of the running limiter/code red penalty (UTC), or -1 when none. */
mtr_utc_t mtr_disconnect_penalty_end(const struct mtr_disconnect *dc);
/** @brief The limiter is in the exceeded state (between events 65 and 66). */
bool mtr_disconnect_exceeded(const struct mtr_disconnect *dc);

#ifdef __cplusplus
}
#endif

#endif /* METER_DISCONNECT_H */
