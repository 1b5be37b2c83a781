/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file meter.h
 * @brief The meter aggregate and the no-OS run model: events, timers, mtr_poll().
 *
 * Run model: interrupts only post events (mtr_post(), mtr_post_adc_ready(),
 * mtr_post_input(), mtr_post_power_fail()); the application's main loop calls
 * mtr_poll(), which drains the events, runs the timers that are due and says
 * how long the loop may sleep. Nothing in the core blocks and there are no
 * threads.
 *
 * @code
 * static struct mtr_meter meter;
 * mtr_meter_init(&meter, &board_hal, &cfg);
 * for (;;) {
 *     uint32_t sleep_ms;
 *     mtr_poll(&meter, &sleep_ms);
 *     board_sleep_until_interrupt(sleep_ms);
 * }
 * @endcode
 */
#ifndef METER_METER_H
#define METER_METER_H

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

/* ----------------------------------------------------------------- assert */

/**
 * @brief Assert hook: called when the core finds a caller bug (NULL context,
 *        buffer below its documented minimum, timer started twice...).
 * @param file source file, or NULL when MTR_CFG_ASSERT_FILE is 0.
 * @param line source line.
 * @param user the pointer given to mtr_set_assert_hook().
 * The hook should not return (log and reset, or longjmp in a test). If it
 * returns, the core stops in an endless loop so that the watchdog resets it.
 */
typedef void (*mtr_assert_hook_t)(const char *file, int line, void *user);

/** @brief Install the assert hook (NULL restores the default: endless loop). */
void mtr_set_assert_hook(mtr_assert_hook_t hook, void *user);

/** @brief Called by MTR_ASSERT on failure; does not return. */
void mtr_assert_failed(const char *file, int line);

#if MTR_CFG_ASSERT
#if MTR_CFG_ASSERT_FILE
#define MTR_ASSERT(cond) ((cond) ? (void)0 : mtr_assert_failed(__FILE__, __LINE__))
#else
#define MTR_ASSERT(cond) ((cond) ? (void)0 : mtr_assert_failed(NULL, __LINE__))
#endif
#else
#define MTR_ASSERT(cond) ((void)0)
#endif

/* ----------------------------------------------------------------- events */

/** Event types. Values below MTR_EV_USER are the core's. */
enum mtr_event_type {
    MTR_EV_NONE = 0,
    MTR_EV_ADC_READY = 1,      /**< ADC frames are waiting in adc_read() */
    MTR_EV_INPUT = 2,          /**< inputs changed; arg = new ::mtr_input mask */
    MTR_EV_POWER_FAIL = 3,     /**< supply failing: commit what must survive now */
    MTR_EV_POWER_RESTORED = 4, /**< supply back after a power-fail warning */
    MTR_EV_RTC_TICK = 5,       /**< RTC second (optional source of wall time) */
    MTR_EV_COMM = 6,           /**< a port has bytes or finished sending; arg = port */
    MTR_EV_USER = 128,         /**< first type free for the application */
};

/** One event: 8 bytes, copied into the queue. */
struct mtr_event {
    uint8_t type;  /**< ::mtr_event_type */
    uint8_t src;   /**< sub-source (port, relay...), type-specific */
    uint16_t aux;  /**< type-specific */
    uint32_t arg;  /**< type-specific */
};

/**
 * Bounded, ISR-safe queue of events: producers are interrupts (several, when
 * the HAL has critical_enter/exit), the one consumer is mtr_poll(). A full
 * queue drops the new event and counts it.
 */
struct mtr_evq {
    struct mtr_event slot[MTR_CFG_EVENT_QUEUE_LEN];
    volatile uint32_t head;    /**< written by producers only */
    volatile uint32_t tail;    /**< written by the consumer only */
    volatile uint32_t dropped; /**< events lost to a full queue */
};

/** @brief Empty the queue. Not ISR-safe (call before interrupts post). */
void mtr_evq_init(struct mtr_evq *q);
/**
 * @brief Append a copy of @p ev. **ISR-safe**.
 * @param hal its sys critical section protects producers of different
 *        interrupt levels; NULL or no sys ops: single producer level.
 * @return MTR_OK; MTR_ERR_FULL (event dropped and counted).
 */
mtr_err_t mtr_evq_post(struct mtr_evq *q, const struct mtr_hal *hal, const struct mtr_event *ev);
/**
 * @brief Take the oldest event. Consumer side only.
 * @return MTR_OK; MTR_ERR_EMPTY.
 */
mtr_err_t mtr_evq_get(struct mtr_evq *q, struct mtr_event *ev);
/** @brief Events waiting. */
uint32_t mtr_evq_count(const struct mtr_evq *q);

/* ----------------------------------------------------------------- timers */

/** Longest timer delay or period, 2^30 ms (12.4 days), so that comparisons stay wrap-safe. */
#define MTR_TIMER_MAX_MS (1UL << 30)

struct mtr_timer;
/** Timer callback, run from mtr_poll() (main loop context). */
typedef void (*mtr_timer_fn)(struct mtr_timer *t, void *arg);

/** A caller-allocated timer. Fields are private; use the functions. */
struct mtr_timer {
    struct mtr_timer *next;
    mtr_ms_t due;
    uint32_t period;  /**< 0: one-shot */
    uint32_t missed;  /**< periods skipped because mtr_poll() came too late */
    mtr_timer_fn fn;
    void *arg;
    bool armed;
};

/** A list of armed timers, sorted by due time. */
struct mtr_timers {
    struct mtr_timer *head;
};

/** @brief Prepare a timer; it is not armed. */
void mtr_timer_init(struct mtr_timer *t, mtr_timer_fn fn, void *arg);
/**
 * @brief Arm @p t to fire @p delay ms after @p now, then every @p period ms
 *        (0: once). Re-arming an armed timer moves it.
 * @return MTR_OK; MTR_ERR_RANGE if delay or period exceeds MTR_TIMER_MAX_MS.
 */
mtr_err_t mtr_timers_start(struct mtr_timers *list, struct mtr_timer *t, mtr_ms_t now,
                           uint32_t delay, uint32_t period);
/** @brief Disarm @p t (no effect if it is not armed). */
void mtr_timers_stop(struct mtr_timers *list, struct mtr_timer *t);
/**
 * @brief Run every timer due at @p now, in due order. A periodic timer that
 *        fell behind by whole periods fires once and keeps its phase; the
 *        skipped periods are counted in its @c missed.
 * @return the number of callbacks run.
 */
uint32_t mtr_timers_run(struct mtr_timers *list, mtr_ms_t now);
/**
 * @brief Milliseconds from @p now to the earliest due timer: 0 if one is due,
 *        MTR_POLL_FOREVER if none is armed.
 */
uint32_t mtr_timers_next(const struct mtr_timers *list, mtr_ms_t now);
/** @brief Whether @p t is armed. */
bool mtr_timer_armed(const struct mtr_timer *t);
/** @brief sizeof(struct mtr_timer), for bindings that allocate it. */
size_t mtr_timer_size(void);

/* ------------------------------------------------------------------ meter */

/** mtr_poll() result when nothing is scheduled: sleep until an interrupt. */
#define MTR_POLL_FOREVER UINT32_MAX

struct mtr_meter;

/* Engines the aggregate wires (meter.h includes none of their headers). */
struct mtr_metrology;
struct mtr_metrology_config;
struct mtr_clock;
struct mtr_clock_config;
struct mtr_calendar;
struct mtr_tariff;
struct mtr_tariff_config;
struct mtr_store;
struct mtr_store_cfg;
struct mtr_disconnect;
struct mtr_dc_config;
struct mtr_billing_capture;
struct mtr_prepaid;
struct mtr_prepaid_config;
struct mtr_sts;
struct mtr_prepaid_token_result;
struct mtr_profile;
struct mtr_profile_config;
struct mtr_events;
struct mtr_events_config;
struct mtr_quality;
struct mtr_quality_config;
struct mtr_display;
struct mtr_display_config;
struct mtr_display_item;
struct mtr_display_value;

/** Energy kinds carried between metrology and the tariff registers (MTR_E_COUNT == MTR_Q_COUNT). */
#define MTR_METER_ENERGY_KINDS 10

/** Which engine a ::mtr_log_record comes from. */
enum mtr_log_source {
    MTR_LOG_METER = 0,  /**< the aggregate itself (power up/down, refused saved state) */
    MTR_LOG_CLOCK,      /**< clock (time set, DST, clock invalid) */
    MTR_LOG_CALENDAR,   /**< activity calendar, tariff control */
    MTR_LOG_TARIFF,     /**< billing ends */
    MTR_LOG_DISCONNECT, /**< disconnector, limiter, code red */
    MTR_LOG_STORE,      /**< NVM faults */
    /** prepaid engine: @c code 0 (the seed has no prepaid codes), @c name
     *  ("Low credit", "Supply disallowed"...), @c value the ::mtr_prepaid_event bit */
    MTR_LOG_PREPAID,
    /** power-quality engine: sags, swells, missing voltage, covers, magnetic
     *  field... (@c value as docs/quality.md says) */
    MTR_LOG_QUALITY,
    /** the events engine's own state (its saved state refused: code 14) */
    MTR_LOG_EVENTS,
};

/** What a ::mtr_log_record is. */
enum mtr_log_kind {
    MTR_LOG_EVENT = 0, /**< an event: @c code and @c name of the seed's event-codes.csv */
    MTR_LOG_ALARM = 1, /**< an alarm bit: register @c channel, mask in @c value, @c code 0 */
};

/**
 * One event of an engine, as handed to ::mtr_meter_config.on_log: the (code,
 * name) pair of the standard event codes (seed event-codes.csv, Table 10)
 * with the time it happened.
 */
struct mtr_log_record {
    uint16_t code;    /**< event code (0 for an alarm) */
    uint8_t source;   /**< ::mtr_log_source */
    uint8_t kind;     /**< ::mtr_log_kind */
    uint8_t channel;  /**< disconnector channel, alarm register, or 0 */
    const char *name; /**< static string: the event's name exactly as in event-codes.csv */
    mtr_utc_t utc;    /**< when, UTC seconds (clock changes: the time before/after the change) */
    int64_t value;    /**< code-specific: alarm mask, NVM partition id, error code; else 0 */
};

/**
 * The engines the aggregate runs. Every context is caller-allocated and
 * given by pointer; NULL means "not used" (an engine left out of the build
 * must be NULL, else mtr_meter_init() returns MTR_ERR_NOTSUP).
 * mtr_meter_init() initialises each given engine from its configuration,
 * restores its saved state from the store and takes over its callbacks;
 * afterwards the application programs run-time settings (activity calendar,
 * special days, limiter...) through the engines' own functions on the same
 * pointers. See docs/architecture.md, "Wiring".
 */
struct mtr_meter_engines {
    struct mtr_metrology *metrology;                /**< fed with every drained ADC frame */
    const struct mtr_metrology_config *metrology_cfg; /**< NULL: mtr_metrology_config_default() */
    struct mtr_clock *clock;                        /**< required by tariff */
    /** NULL: UTC, no DST; its on_event/user are replaced (events go to on_log) */
    const struct mtr_clock_config *clock_cfg;
    struct mtr_calendar *calendar; /**< NULL: always tariff 1; initialised empty (program it after init) */
    struct mtr_tariff *tariff;     /**< registers, demand, billing; needs clock */
    /** required with tariff; on_event/user replaced, on_billing called with its user */
    const struct mtr_tariff_config *tariff_cfg;
    struct mtr_store *store;                 /**< NULL: nothing persists */
    const struct mtr_store_cfg *store_cfg;   /**< required with store; on_fault/user replaced */
    uint16_t energy_part;     /**< snapshot partition of registers (0: none); mtr_meter_energy_record_size() */
    uint16_t cal_part;        /**< snapshot partition of the calibration blob (0: none) */
    uint16_t disconnect_part; /**< snapshot partition of the disconnect blob (0: none) */
    /** snapshot partition of the calendar and clock settings (0: none); its
     *  record_size at most mtr_meter_calendar_record_size() */
    uint16_t calendar_part;
    /** with calendar_part: RAM for encoding and reading that record, at
     *  least the partition's record_size bytes (a calendar whose record is
     *  larger is not committed: commit error MTR_ERR_OVERFLOW) */
    uint8_t *calendar_buf;
    uint16_t calendar_buf_size; /**< bytes of calendar_buf */
    struct mtr_disconnect *disconnect; /**< disconnector + limiter */
    /** required with disconnect; kept by the engine: mtr_meter_init() sets its
     *  persist, on_event, on_alarm and user fields */
    struct mtr_dc_config *disconnect_cfg;
    /** credit, charges, token gateway; needs tariff. Ticked after each tariff
     *  step; its supply decision is the disconnect cause MTR_DC_CAUSE_PREPAID */
    struct mtr_prepaid *prepaid;
    const struct mtr_prepaid_config *prepaid_cfg; /**< required with prepaid */
    /** token decoder of prepaid (NULL: no tokens), initialised by the
     *  application (cipher, key) before mtr_meter_init(); its TID memory is
     *  saved in the prepaid blob and restored with it */
    struct mtr_sts *sts;
    uint16_t prepaid_part; /**< snapshot partition of the prepaid blob (0: none); mtr_prepaid_state_size() */
    /** profiles (COSEM class 7: load profiles, billing profiles): RAM for
     *  @c nprofiles profiles, each initialised by mtr_meter_init() on the
     *  meter's store with @c profile_cfgs[i] (needs store). The aggregate
     *  captures a profile whose capture period is not 0 at each period
     *  boundary (the clock's UTC), and the profiles of @c billing_profiles
     *  at every billing end; each VALUE column is resolved by
     *  mtr_meter_value(). */
    struct mtr_profile *const *profiles;
    /** configuration of each profile (usually `static const`); must outlive
     *  the meter. NULL: the application initialised the profiles itself
     *  (mtr_profile_init(), on any store) before mtr_meter_init() */
    const struct mtr_profile_config *const *profile_cfgs;
    uint8_t nprofiles; /**< entries of @c profiles and @c profile_cfgs, 0..8 */
    /** bit i: profile i is a billing profile, captured at every billing end
     *  with the values at the end of the period (needs tariff) */
    uint8_t billing_profiles;
    /** event logs, counters, error and alarm registers; initialised by
     *  mtr_meter_init() from @c events_cfg on the meter's store (needs
     *  store). Every event record of on_log with a code is raised here,
     *  every alarm record sets its alarm bits. */
    struct mtr_events *events;
    /** the logs, their profiles and the state partition; its store,
     *  on_alarm and user are replaced (the push goes to
     *  ::mtr_meter_config.on_alarm). NULL: the application initialised
     *  @c events itself (mtr_events_init(), its own alarm hook) */
    const struct mtr_events_config *events_cfg;
    /** power-quality supervision, fed with every metrology period, the
     *  inputs and the power-fail warning */
    struct mtr_quality *quality;
    /** kept by the engine: mtr_meter_init() initialises @c quality with it
     *  and sets its on_event, on_voltage_record, on_power_failure and user
     *  fields (its events then reach on_log and the events engine). NULL:
     *  the application initialised @c quality itself (its callbacks stay
     *  its own; no quality_part then) */
    struct mtr_quality_config *quality_cfg;
    /** snapshot partition of the quality blob (0: none), record size at
     *  least MTR_QUALITY_BLOB_SIZE */
    uint16_t quality_part;
    /** with quality_part: RAM for encoding and reading that blob, at least
     *  MTR_QUALITY_BLOB_SIZE bytes */
    uint8_t *quality_buf;
    /** display: readout sequences, scrolling, button, test mode
     *  (docs/display.md). Polled at every step; button 1
     *  (MTR_IN_BUTTON_1) presses are timed and given to it. */
    struct mtr_display *display;
    /** kept by the engine: mtr_meter_init() sets its value and user fields
     *  (values from mtr_meter_value() scaled by mtr_meter_value_unit(),
     *  local time and date from the clock, then @c display_value) and
     *  initialises @c display with it. NULL: the application initialised
     *  @c display itself (no display_part then) */
    struct mtr_display_config *display_cfg;
    /** values the core does not know (serial number, battery voltage,
     *  signal quality ...), asked with ::mtr_meter_config.user; NULL: those
     *  entries show the error indication */
    mtr_err_t (*display_value)(void *user, const struct mtr_display_item *item,
                               struct mtr_display_value *out);
    /** snapshot partition of the display settings and lists (0: none),
     *  record size at least MTR_DISPLAY_BLOB_SIZE */
    uint16_t display_part;
    /** with display_part: RAM for that blob, at least MTR_DISPLAY_BLOB_SIZE bytes */
    uint8_t *display_buf;
};

/** Application hooks and settings for mtr_meter_init(). All fields optional. */
struct mtr_meter_config {
    /** Every event after the core handled it, including MTR_EV_USER ones. */
    void (*on_event)(struct mtr_meter *m, const struct mtr_event *ev, void *user);
    /**
     * ADC frames as they are drained (MTR_ADC_CHANNELS samples each), after
     * metrology (if wired) has processed them.
     */
    void (*on_frames)(struct mtr_meter *m, const int32_t *frames, size_t n, void *user);
    void *user; /**< given back to the hooks */
    /** Engines to wire; NULL: the bare run model. Must outlive the meter. */
    const struct mtr_meter_engines *engines;
    /** Every event of every wired engine, before it is raised in the
     *  events engine (when one is wired). A record the aggregate knows to be
     *  the repetition, after a power cut, of one already logged is not
     *  given (docs/event-producers.md). */
    void (*on_log)(struct mtr_meter *m, const struct mtr_log_record *rec, void *user);
    /**
     * Alarm push (events engine): alarm bits of register @p reg (1 or 2)
     * that its filter lets through went from 0 to 1, after the change was
     * committed. @p new_bits is never 0.
     */
    void (*on_alarm)(struct mtr_meter *m, uint8_t reg, uint32_t new_bits, void *user);
};

/** What happened to one engine's saved state at mtr_meter_init(). */
enum mtr_meter_restore {
    MTR_RESTORE_NONE = 0,    /**< engine or partition not used */
    MTR_RESTORE_OK = 1,      /**< saved state adopted */
    MTR_RESTORE_MISSING = 2, /**< nothing saved yet: the engine's defaults */
    MTR_RESTORE_REFUSED = 3, /**< saved state refused by the engine: its defaults (logged) */
};

/** Counters and state of the wiring (mtr_meter_wiring()). */
struct mtr_meter_wiring {
    uint32_t steps;         /**< energy/tariff/limiter steps run */
    uint32_t commits;       /**< register snapshots committed */
    uint32_t commit_errors; /**< register snapshots that failed (retried at the next step) */
    uint32_t step_errors;   /**< engine calls of a step that returned an error */
    uint8_t energy_restore; /**< ::mtr_meter_restore of the register snapshot */
    uint8_t cal_restore;    /**< ::mtr_meter_restore of the calibration */
    uint8_t disconnect_restore; /**< ::mtr_meter_restore of the disconnect state */
    uint8_t calendar_restore; /**< ::mtr_meter_restore of the calendar and clock settings */
    uint32_t calendar_commits;       /**< calendar/clock settings records committed */
    uint32_t calendar_commit_errors; /**< ...that failed (retried at the next step) */
    mtr_err_t last_error;   /**< last error of an engine call in a step or commit */
    uint8_t prepaid_restore; /**< ::mtr_meter_restore of the prepaid blob (credit + TID memory) */
    uint32_t prepaid_commits;       /**< prepaid blobs committed */
    uint32_t prepaid_commit_errors; /**< ...that failed (retried at the next step) */
    uint32_t profile_captures;       /**< profile entries captured (load and billing) */
    uint32_t profile_capture_errors; /**< captures that failed (retried at the next step) */
    /** VALUE columns mtr_meter_value() could not resolve (captured as 0, entry flagged DNV) */
    uint32_t profile_value_errors;
    uint32_t events_raised;  /**< records raised in the events engine (events and alarms) */
    uint32_t event_errors;   /**< raises the events engine refused with a store error */
    /** wiring errors: records whose (code, name) pair is not in the code
     *  table, or that could not wait for the events engine (queue full) */
    uint32_t event_unknown;
    /** records not logged because they repeat, after a power cut, one logged before it */
    uint32_t events_deduped;
    uint8_t events_restore;  /**< ::mtr_meter_restore of the events state */
    uint8_t quality_restore; /**< ::mtr_meter_restore of the quality blob */
    uint32_t quality_commits;       /**< quality blobs committed */
    uint32_t quality_commit_errors; /**< ...that failed (retried at the next step) */
    uint32_t quality_errors;        /**< quality steps or inputs the engine refused */
    uint8_t display_restore;        /**< ::mtr_meter_restore of the display blob */
    uint32_t display_commits;       /**< display blobs committed */
    uint32_t display_commit_errors; /**< ...that failed */
    uint32_t display_errors;        /**< display polls or presses the engine refused */
};

/** Records that may wait for the events engine (during init, or raised
 *  while it is busy): see mtr_meter_wiring().event_unknown. */
#define MTR_METER_LOG_QUEUE 8

/** Most billing profiles whose dedup state the register snapshot keeps
 *  (::mtr_meter_engines.billing_profiles is 8 bits). */
#define MTR_METER_BILLING_PROFILES 8

/** Run-time state of the wiring inside ::mtr_meter (private). */
struct mtr_meter_wire {
    struct mtr_meter_engines e;
    void (*on_billing)(void *user, const struct mtr_billing_capture *cap); /* from tariff_cfg */
    void *billing_user;
    struct mtr_timer tick;
    struct mtr_meter_wiring w;
    int64_t seen[MTR_METER_ENERGY_KINDS]; /* metrology totals already given to the tariff */
    uint32_t metro_seq;   /* metrology result period last stepped */
    uint32_t clock_seq;   /* clock change counter last given to disconnect */
    uint32_t billing_seen; /* billing counter of the last commit */
    uint32_t cal_seen, clk_seen; /* calendar / clock settings counters of the last commit */
    uint32_t calrec_crc;         /* CRC-32 of the calendar record last committed or restored */
    bool calrec_known;           /* calrec_crc is valid */
    mtr_ms_t last_step_ms, last_commit_ms;
    mtr_utc_t last_utc;
    mtr_mw_t monitored_mw; /* average import power of the last period, mW */
    uint16_t tick_ms;
    bool active;
    int64_t pp_seen[MTR_CFG_TARIFFS]; /* A+ tariff registers already given to prepaid */
    uint32_t pp_billing_seen;         /* billing counter prepaid last saw */
    mtr_ms_t pp_commit_ms;            /* last prepaid blob commit */
    bool pp_dirty;                    /* a prepaid commit is owed (failed or pending) */
    /* records (meter_records.c) */
    void (*app_log)(struct mtr_meter *m, const struct mtr_log_record *rec, void *user);
    struct mtr_log_record logq[MTR_METER_LOG_QUEUE]; /* waiting for the events engine */
    uint8_t logq_n;
    bool ev_ready, ev_busy, restoring_dc;
    uint32_t skip_dc;      /* disconnect transition events already logged before the cut */
    uint32_t skip_bill_ev; /* billing events already logged before the cut */
    uint8_t skip_bill_lp;  /* billing profiles already captured before the cut */
    bool warned;           /* the snapshot being committed is the power-fail flush */
    bool tou_activated;    /* event 9 since the last calendar commit (no 47 for it) */
    bool q_dirty;          /* a quality commit is owed */
    bool q_now;            /* ...at once (the engine raised an event) */
    uint32_t q_seq;        /* metrology period last given to quality */
    mtr_ms_t q_commit_ms;  /* last quality blob commit */
    mtr_utc_t down_utc;    /* the power-fail warning's time (-1: none) */
    /* restored from the register snapshot (version 2), for the power-up records */
    bool snap_ext;         /* the snapshot held them */
    uint8_t snap_flags;
    mtr_utc_t snap_utc;
    uint32_t snap_pd, snap_pu, snap_pf, snap_bill_ev;
    mtr_utc_t snap_bill_lp[MTR_METER_BILLING_PROFILES];
    /* a billing capture that failed, retried at the next step with its values */
    uint8_t bill_retry;    /* profiles still owed */
    uint8_t bill_vals_idx; /* the profile bill_vals belongs to (8: none) */
    mtr_utc_t bill_utc;
    uint8_t bill_status;
    int64_t bill_vals[MTR_CFG_PROFILE_COLUMNS];
    /* display (meter_display.c) */
    bool disp_down;        /* button 1 held */
    mtr_ms_t disp_down_ms; /* ...since */
};

/** Counters of the run model, for diagnostics and tests. */
struct mtr_meter_stats {
    uint32_t polls;        /**< mtr_poll() calls */
    uint32_t events;       /**< events handled */
    uint32_t dropped;      /**< events lost to a full queue */
    uint32_t timer_runs;   /**< timer callbacks run */
    uint64_t adc_frames;   /**< ADC frames drained */
    uint32_t adc_overruns; /**< adc_read() reported lost frames */
    uint32_t hal_errors;   /**< HAL calls from mtr_poll() that failed */
    uint32_t power_fails;  /**< power-fail warnings seen */
};

/** The meter: caller-allocated, fields private (use the functions). */
struct mtr_meter {
    struct mtr_hal hal;
    struct mtr_meter_config cfg;
    struct mtr_evq evq;
    struct mtr_timers timers;
    struct mtr_meter_stats stats;
    struct mtr_adc_info adc;
    uint32_t inputs;
    bool has_adc;
    bool rtc_invalid;
    bool power_failing;
    struct mtr_meter_wire wire;
    uint32_t magic;
};

/**
 * @brief Initialise @p m on @p hal. Checks the HAL (mtr_hal_check()), reads
 *        the RTC's validity, the ADC's properties and the inputs; then, if
 *        cfg->engines is given, initialises the engines, restores their saved
 *        state from the store (each engine's default when it is missing or
 *        refused: see mtr_meter_wiring()) and starts the meter's step timer.
 * @param cfg may be NULL (no hooks, no engines).
 * @return MTR_OK; MTR_ERR_CONFIG for an incomplete HAL or an ADC whose
 *         properties the core cannot use (channels != MTR_ADC_CHANNELS, bits
 *         outside 12..24, rate 0); otherwise the error of the first HAL call
 *         that failed (nvm.info, clock.rtc_get, io.adc_info, io.inputs). An
 *         invalid RTC is not an error: see mtr_meter_rtc_invalid(). On any
 *         of these errors @p m is left untouched. With engines: MTR_ERR_NOTSUP
 *         for an engine not built; MTR_ERR_CONFIG for a missing configuration
 *         or a tariff without a clock; the error of an engine's init or of
 *         mtr_store_init() (then @p m is left uninitialised and the engine
 *         contexts may have been written).
 */
mtr_err_t mtr_meter_init(struct mtr_meter *m, const struct mtr_hal *hal,
                         const struct mtr_meter_config *cfg);
/** @brief sizeof(struct mtr_meter), for bindings that allocate it. */
size_t mtr_meter_size(void);

/**
 * @brief One turn of the main loop: handle up to MTR_CFG_POLL_MAX_EVENTS
 *        events, run due timers, kick the watchdog.
 * @param[out] sleep_ms may be NULL; ms until the next thing to do: 0 if events
 *             are still queued, MTR_POLL_FOREVER if nothing is scheduled.
 * @return MTR_OK; MTR_ERR_IO if the monotonic clock failed: before the
 *         events, nothing is run; after them (the clock is read again for
 *         the timers), the events were handled but no timer ran and the
 *         watchdog was not kicked. Failures of other HAL calls are counted in
 *         stats.hal_errors.
 */
mtr_err_t mtr_poll(struct mtr_meter *m, uint32_t *sleep_ms);

/** @brief Post an event. **ISR-safe.** @return MTR_OK; MTR_ERR_FULL. */
mtr_err_t mtr_post(struct mtr_meter *m, uint8_t type, uint8_t src, uint32_t arg);
/** @brief Post MTR_EV_ADC_READY (from the ADC/DMA interrupt). **ISR-safe.** */
mtr_err_t mtr_post_adc_ready(struct mtr_meter *m);
/** @brief Post MTR_EV_INPUT with the new input mask. **ISR-safe.** */
mtr_err_t mtr_post_input(struct mtr_meter *m, uint32_t inputs);
/** @brief Post MTR_EV_POWER_FAIL (supply failing). **ISR-safe.** */
mtr_err_t mtr_post_power_fail(struct mtr_meter *m);

/** @brief Arm a timer on the meter's timer list, relative to the HAL's now. */
mtr_err_t mtr_timer_start(struct mtr_meter *m, struct mtr_timer *t, uint32_t delay,
                          uint32_t period);
/** @brief Disarm a timer of the meter's list. */
void mtr_timer_stop(struct mtr_meter *m, struct mtr_timer *t);

/** @brief Copy of the run-model counters. */
void mtr_meter_stats(const struct mtr_meter *m, struct mtr_meter_stats *out);
/** @brief Input mask last reported by an MTR_EV_INPUT event or read at init. */
uint32_t mtr_meter_inputs(const struct mtr_meter *m);
/** @brief True if the RTC was found invalid at init (battery lost) and not set since
 *         through mtr_meter_rtc_set(). */
bool mtr_meter_rtc_invalid(const struct mtr_meter *m);
/**
 * @brief Set the RTC and clear the invalid condition: through mtr_clock_set()
 *        when a clock engine is wired (events, change counter, limiter and
 *        demand told), else through the HAL.
 * @param utc seconds since 1970-01-01T00:00:00Z, >= 0.
 * @return MTR_OK; MTR_ERR_RANGE for a negative time; MTR_ERR_NOTSUP if the
 *         HAL has no rtc_set; the HAL's error (the flag is then unchanged).
 */
mtr_err_t mtr_meter_rtc_set(struct mtr_meter *m, mtr_utc_t utc);
/** @brief Properties of the ADC; false (and @p info untouched) if the HAL has none. */
bool mtr_meter_adc_info(const struct mtr_meter *m, struct mtr_adc_info *info);
/** @brief True between MTR_EV_POWER_FAIL and MTR_EV_POWER_RESTORED. */
bool mtr_meter_power_failing(const struct mtr_meter *m);

/* ----------------------------------------------------------------- wiring */

/**
 * @brief Step the engines now (energy deltas to the tariff registers, demand,
 *        billing, limiter) and commit the register snapshot (and nothing else).
 *        Done by mtr_poll() on MTR_EV_POWER_FAIL and every
 *        MTR_CFG_STORE_ENERGY_COMMIT_S seconds.
 * @return MTR_OK; MTR_ERR_NOTSUP without a store and energy partition; the
 *         error of the clock or of mtr_store_commit().
 */
mtr_err_t mtr_meter_commit(struct mtr_meter *m);
/**
 * @brief Commit the calibration in use (after a calibration procedure).
 * @return MTR_OK; MTR_ERR_NOTSUP without metrology, store or calibration
 *         partition; the error of mtr_store_commit().
 */
mtr_err_t mtr_meter_cal_commit(struct mtr_meter *m);
/** @brief Payload bytes of the register snapshot: the record size of its partition. */
size_t mtr_meter_energy_record_size(void);
/**
 * @brief Commit the calendar and clock settings now if they changed since
 *        the last commit (the step does the same after every step; call it
 *        right after programming them to shorten the window). An unchanged
 *        record is not written again.
 * @return MTR_OK (committed, or nothing changed); MTR_ERR_NOTSUP without a
 *         store and calendar partition; MTR_ERR_OVERFLOW (record larger than
 *         calendar_buf); the error of mtr_store_commit().
 */
mtr_err_t mtr_meter_calendar_commit(struct mtr_meter *m);
/**
 * @brief Largest payload of the calendar partition for this build: header,
 *        MTR_CLOCK_STATE_SIZE and MTR_CALENDAR_STATE_MAX (0 without the
 *        calendar engine). A real calendar needs far less (docs/calendar.md).
 */
size_t mtr_meter_calendar_record_size(void);
/** @brief Copy of the wiring's counters and restore results. */
void mtr_meter_wiring(const struct mtr_meter *m, struct mtr_meter_wiring *out);
/** @brief Average active import power of the last metrology period (the limiter's input), mW. */
mtr_mw_t mtr_meter_monitored_mw(const struct mtr_meter *m);

/**
 * @brief Submit a token (keypad, CIU or head-end) to the wired prepaid engine
 *        through mtr_prepaid_token_submit() at the clock's time; an accepted
 *        token commits the prepaid blob (credit and TID together: a power cut
 *        keeps both or neither) and, if the supply may come back, clears the
 *        disconnect cause "prepaid" at once (reconnection per the control mode).
 * @param delivery ::mtr_prepaid_delivery.
 * @param[out] r always written (struct mtr_prepaid_token_result of prepaid.h).
 * @return as mtr_prepaid_token_submit(); MTR_ERR_NOTSUP without a prepaid
 *         engine. A failed commit does not refuse the accepted token: it is
 *         counted in mtr_meter_wiring() (prepaid_commit_errors) and retried
 *         at every step.
 */
mtr_err_t mtr_meter_token_submit(struct mtr_meter *m, const char *digits, size_t len,
                                 uint8_t delivery, struct mtr_prepaid_token_result *r);
/**
 * @brief A payment from the head-end (mtr_prepaid_payment() on credit
 *        @p credit_type, ::mtr_prepaid_credit_type) at the clock's time; an
 *        accepted payment is committed and may reconnect, as a token.
 * @param[out] r optional.
 * @return as mtr_prepaid_payment(); MTR_ERR_INVAL for an unknown credit
 *         type; MTR_ERR_NOTSUP without a prepaid engine.
 */
mtr_err_t mtr_meter_payment(struct mtr_meter *m, unsigned credit_type, int64_t amount,
                            struct mtr_prepaid_token_result *r);
/**
 * @brief Commit the prepaid blob now (after programming the account, credits,
 *        charges or friendly periods through the engine's own functions).
 * @return MTR_OK; MTR_ERR_NOTSUP without prepaid, store or prepaid_part;
 *         MTR_ERR_IO (monotonic clock); the error of mtr_store_commit().
 */
mtr_err_t mtr_meter_prepaid_commit(struct mtr_meter *m);

/**
 * @brief Payload bytes of the disconnect partition's record: the disconnect
 *        blob and 4 bytes with which the aggregate recognises, after a power
 *        cut, a transition event already logged (docs/event-producers.md). A
 *        partition of mtr_disconnect_blob_size() bytes still works, without
 *        that recognition.
 */
size_t mtr_meter_disconnect_record_size(void);

/**
 * @brief The value of a COSEM attribute, resolved from the wired engines: the
 *        one place where the profiles' capture objects, the COSEM object
 *        table and the virtual meter read the meter's quantities.
 *
 * | object (A-B:C.D.E.F) | class, attribute | value, unit |
 * |---|---|---|
 * | 1-0:C.8.T.255, C = 1..10, T = 0 (total) or 1..MTR_CFG_TARIFFS | 3 or 4, 2 | tariff energy register of quantity C (tariff.h ::mtr_quantity C-1), mWh / mvarh / mVAh; without tariff, T = 0 from metrology |
 * | 1-0:C.8.0.255, C = 21..30 / 41..50 / 61..70 | 3 or 4, 2 | metrology energy of L1 / L2 / L3, quantity C mod 20, same units |
 * | 1-0:C.7.0.255, C = 32 / 52 / 72 | 3, 2 | Urms L1 / L2 / L3, mV |
 * | 1-0:C.7.0.255, C = 31 / 51 / 71 / 91 | 3, 2 | Irms L1 / L2 / L3 / neutral, mA |
 * | 1-0:C.7.0.255, C = 1, 2, 3, 4, 9, 10 (total), + 20 / 40 / 60 (L1..L3) | 3, 2 | +P, -P, +Q, -Q, +S, -S: mW, mvar, mVA, >= 0 (the direction's share) |
 * | 1-0:16.7.0.255 | 3, 2 | total active power, signed (import > 0), mW |
 * | 1-0:C.7.0.255, C = 13 / 33 / 53 / 73 | 3, 2 | power factor total / L1..L3 x 10000, sign of P |
 * | 1-0:14.7.0.255 | 3, 2 | frequency, mHz |
 * | 1-0:C.4.0.255, C = 1..MTR_CFG_CALENDAR_DEMAND_QUANTITIES | 5, 2 / 3 | demand: current average (attr 2) or last average (attr 3), mW (mvar, mVA) |
 * | 1-0:C.5.0.255, same C | 3 or 5, 2 | last average demand, mW |
 * | 1-0:C.6.T.255, same C, T = 0..MTR_CFG_TARIFFS | 4, 2 / 5 | maximum demand of the billing period (attr 2, mW) and its time (attr 5, UTC s) |
 * | 1-0:C.2.T.255, same C and T | 3, 2 | cumulative maximum demand, mW |
 * | 0-0:0.1.0.255 | 1, 2 | billing period counter |
 * | 0-0:97.97.0.255 | 1, 2 | error register (events) |
 * | 0-0:97.98.0.255 / 0-0:97.98.1.255 | 1, 2 | alarm register 1 / 2 (events) |
 * | 0-0:97.98.10.255 / 0-0:97.98.11.255 | 1, 2 | alarm filter 1 / 2 |
 * | 0-0:97.98.20.255 / 0-0:97.98.21.255 | 1, 2 | alarm descriptor 1 / 2 |
 *
 * Instantaneous values are those of the last metrology period.
 * @param obis the logical name, 6 bytes.
 * @param[out] out written only on MTR_OK.
 * @return MTR_OK; MTR_ERR_EMPTY (metrology has not finished a period yet);
 *         MTR_ERR_NOENT for any other object, class or attribute, or an
 *         engine that is not wired.
 */
mtr_err_t mtr_meter_value(struct mtr_meter *m, uint16_t class_id, const uint8_t obis[6],
                          int8_t attr, int64_t *out);

/**
 * @brief Scaler and unit of a value of mtr_meter_value() (the scaler_unit a
 *        register of it serves): energies -3 and Wh / varh / VAh, powers and
 *        demand -3 and W / var / VA, currents -3 A, voltages -3 V, frequency
 *        -3 Hz, power factor -4 without unit, counters and bit registers 0
 *        without unit (unit 255). Depends on the object only, not on the
 *        engines wired.
 * @return MTR_OK; MTR_ERR_NOENT for an object, class or attribute outside the
 *         table of mtr_meter_value(), or a value that is a time (maximum
 *         demand capture time), not a quantity.
 */
mtr_err_t mtr_meter_value_unit(uint16_t class_id, const uint8_t obis[6], int8_t attr,
                               int8_t *scaler, uint8_t *unit);

/**
 * @brief Capture profile @p index now (COSEM class 7 method 2) with the
 *        meter's values (mtr_meter_value()) and status.
 * @return MTR_OK; MTR_ERR_NOENT (no such profile); errors of
 *         mtr_profile_capture().
 */
mtr_err_t mtr_meter_profile_capture(struct mtr_meter *m, uint8_t index);

/**
 * @brief Reset profile @p index (COSEM class 7 method 1) and log event 254
 *        with the row of its logical name: "Load profile 1..4 cleared"
 *        (1-0:99.1..4.0.255), "Load profile 5 cleared" (1-0:99.130.0.255),
 *        "Billing profile cleared" (0-0:98.1.x.255), else "Load profile
 *        cleared".
 * @return MTR_OK; MTR_ERR_NOENT (no such profile); errors of mtr_profile_reset().
 */
mtr_err_t mtr_meter_profile_reset(struct mtr_meter *m, uint8_t index);

/**
 * @brief Commit the quality blob now (after changing the quality settings
 *        through the engine's own functions).
 * @return MTR_OK; MTR_ERR_NOTSUP without quality, store or quality_part; the
 *         error of mtr_store_commit().
 */
mtr_err_t mtr_meter_quality_commit(struct mtr_meter *m);

/**
 * @brief Commit the display settings and readout lists now (after changing
 *        them through the engine's own functions, e.g. over DLMS); event 47
 *        (parametrization) is logged.
 * @return MTR_OK; MTR_ERR_NOTSUP without display, store or display_part;
 *         the error of mtr_store_commit().
 */
mtr_err_t mtr_meter_display_commit(struct mtr_meter *m);

/**
 * @brief The value the display shows for @p item (the engine's value
 *        callback, for the object table's readout buffers and tests):
 *        1-0:0.9.1.255 / 1-0:0.9.2.255 (class 1) the local time of day and
 *        date of the clock; 0-0:97.97.0.255 the error register in hex; any
 *        other value of mtr_meter_value() as a number with the scaler and
 *        unit of mtr_meter_value_unit(); then the application's
 *        ::mtr_meter_engines.display_value.
 * @return MTR_OK; MTR_ERR_EMPTY (no metrology period yet); MTR_ERR_NOENT
 *         (a value nobody resolves).
 */
mtr_err_t mtr_meter_display_value(struct mtr_meter *m, const struct mtr_display_item *item,
                                  struct mtr_display_value *out);

/** @brief Library version, "major.minor.patch". */
const char *mtr_version(void);

#ifdef __cplusplus
}
#endif

#endif /* METER_METER_H */
