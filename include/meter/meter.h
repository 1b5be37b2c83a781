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

/** Application hooks and settings for mtr_meter_init(). All fields optional. */
struct mtr_meter_config {
    /** Every event after the core handled it, including MTR_EV_USER ones. */
    void (*on_event)(struct mtr_meter *m, const struct mtr_event *ev, void *user);
    /**
     * ADC frames as they are drained (MTR_ADC_CHANNELS samples each): the
     * hand-over point to metrology.
     */
    void (*on_frames)(struct mtr_meter *m, const int32_t *frames, size_t n, void *user);
    void *user; /**< given back to the hooks */
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
    uint32_t magic;
};

/**
 * @brief Initialise @p m on @p hal. Checks the HAL (mtr_hal_check()), reads
 *        the RTC's validity, the ADC's properties and the inputs.
 * @param cfg may be NULL (no hooks).
 * @return MTR_OK; MTR_ERR_CONFIG for an incomplete HAL or an ADC whose
 *         properties the core cannot use (channels != MTR_ADC_CHANNELS, bits
 *         outside 12..24, rate 0); otherwise the error of the first HAL call
 *         that failed (nvm.info, clock.rtc_get, io.adc_info, io.inputs). An
 *         invalid RTC is not an error: see mtr_meter_rtc_invalid(). On any
 *         error @p m is left untouched.
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
 * @brief Set the RTC through the HAL and clear the invalid condition.
 * @param utc seconds since 1970-01-01T00:00:00Z, >= 0.
 * @return MTR_OK; MTR_ERR_RANGE for a negative time; MTR_ERR_NOTSUP if the
 *         HAL has no rtc_set; the HAL's error (the flag is then unchanged).
 */
mtr_err_t mtr_meter_rtc_set(struct mtr_meter *m, mtr_utc_t utc);
/** @brief Properties of the ADC; false (and @p info untouched) if the HAL has none. */
bool mtr_meter_adc_info(const struct mtr_meter *m, struct mtr_adc_info *info);
/** @brief True between MTR_EV_POWER_FAIL and MTR_EV_POWER_RESTORED. */
bool mtr_meter_power_failing(const struct mtr_meter *m);

/** @brief Library version, "major.minor.patch". */
const char *mtr_version(void);

#ifdef __cplusplus
}
#endif

#endif /* METER_METER_H */
