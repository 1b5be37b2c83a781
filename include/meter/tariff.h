/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file tariff.h
 * @brief Tariff energy registers, maximum demand (COSEM class 5 semantics)
 *        and billing periods (class 22 schedule semantics).
 *
 * Inputs are plain structs: energy deltas per quantity (from metrology), the
 * clock's ::mtr_clock_view and the calendar's ::mtr_tariff_sel (meter/clock.h).
 * One call, mtr_tariff_step(), moves everything forward:
 *
 * 1. the deltas go to the total and to the one tariff register selected by
 *    the energy activation mask in force since the previous step, so the
 *    total always equals the sum of the tariff registers, exactly;
 * 2. the deltas go to the running demand sub-period; sub-periods end at
 *    aligned boundaries; one cut short by a clock change, a power cut, an
 *    invalid clock or a gap is flagged and never counted as a full one;
 * 3. a billing boundary reached (in local time) ends the billing period once:
 *    capture hook, period counter, demand maxima reset;
 * 4. the selection for the next interval is taken from @p next.
 *
 * Energy is counted by delta, never by time: a repeated or skipped hour
 * changes which register receives energy, never how much is counted.
 */
#ifndef METER_TARIFF_H
#define METER_TARIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "meter/clock.h"
#include "meter/config.h"
#include "meter/error.h"
#include "meter/units.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Metered quantities (OBIS C in brackets). */
enum mtr_quantity {
    MTR_Q_A_IMP = 0, /**< +A active import, mWh (1.8) */
    MTR_Q_A_EXP,     /**< -A active export, mWh (2.8) */
    MTR_Q_R_IMP,     /**< +R reactive import, mvarh (3.8) */
    MTR_Q_R_EXP,     /**< -R reactive export, mvarh (4.8) */
    MTR_Q_R_QI,      /**< reactive quadrant I, mvarh (5.8) */
    MTR_Q_R_QII,     /**< reactive quadrant II, mvarh (6.8) */
    MTR_Q_R_QIII,    /**< reactive quadrant III, mvarh (7.8) */
    MTR_Q_R_QIV,     /**< reactive quadrant IV, mvarh (8.8) */
    MTR_Q_S_IMP,     /**< apparent import, mVAh (9.8) */
    MTR_Q_S_EXP,     /**< apparent export, mVAh (10.8) */
    MTR_Q_COUNT
};

/** Energy measured since the previous step, per quantity, each >= 0. */
struct mtr_energy_delta {
    int64_t q[MTR_Q_COUNT]; /**< mWh, mvarh or mVAh as enum mtr_quantity says */
};

/** Energy registers: totals and T1..Tn per quantity. */
struct mtr_registers {
    int64_t total[MTR_Q_COUNT];
    int64_t tariff[MTR_Q_COUNT][MTR_CFG_TARIFFS];
};

/** @brief Zero every register. */
void mtr_registers_clear(struct mtr_registers *reg);
/**
 * @brief Add @p d to the totals and to the register selected by @p energy_mask.
 * @return MTR_OK; MTR_ERR_CALENDAR_TARIFF (mask without exactly one valid
 *         bit); MTR_ERR_RANGE (a negative delta); MTR_ERR_OVERFLOW (a register
 *         would pass INT64_MAX). On error nothing changed.
 */
mtr_err_t mtr_registers_add(struct mtr_registers *reg, uint16_t energy_mask,
                            const struct mtr_energy_delta *d);
/** @brief Total of quantity @p q (0 for q out of range). */
int64_t mtr_registers_total(const struct mtr_registers *reg, unsigned q);
/** @brief Register T@p tariff (1..MTR_CFG_TARIFFS) of quantity @p q (0 out of range). */
int64_t mtr_registers_tariff(const struct mtr_registers *reg, unsigned q, unsigned tariff);

/* ----------------------------------------------------------------- demand */

/** Quantities with demand: the first MTR_CFG_CALENDAR_DEMAND_QUANTITIES of enum mtr_quantity. */
#define MTR_DEMAND_QUANTITIES MTR_CFG_CALENDAR_DEMAND_QUANTITIES

/** Status of a demand sub-period (mtr_demand.last_status). */
enum mtr_demand_status {
    MTR_DEMAND_ST_SHORT = 0x01,   /**< not a full window of full sub-periods */
    MTR_DEMAND_ST_CLOCK = 0x02,   /**< cut by a clock change */
    MTR_DEMAND_ST_POWER = 0x04,   /**< cut by a power cut */
    MTR_DEMAND_ST_INVALID = 0x08, /**< clock invalid during the sub-period */
    MTR_DEMAND_ST_GAP = 0x10,     /**< no step for a whole period (time not followed) */
};

/** Demand settings (class 5 attributes 8 and 9). */
struct mtr_demand_config {
    uint32_t period_s; /**< sub-period, 60..3600, whole minutes (seed ST402: 900) */
    uint8_t periods;   /**< sub-periods per window, 1 (block) ..MTR_CFG_CALENDAR_DEMAND_WINDOW */
};

/**
 * One maximum with its time. A maximum is always above 0 (only a window
 * above the maximum replaces it), so value 0 means "no maximum in this
 * billing period yet".
 */
struct mtr_demand_max {
    int64_t value;  /**< mW (mvar, mVA); 0: no maximum yet */
    mtr_utc_t time; /**< end of the window that made it; with value 0, the time of the last
                         mtr_tariff_max_reset() (0: not specified) */
};

/** Demand state. Fields are readable; change them only through the functions. */
struct mtr_demand {
    struct mtr_demand_config cfg;  /**< settings of the running sub-period */
    struct mtr_demand_config next; /**< settings from the next sub-period on (mtr_tariff_set_demand());
                                        equal to @c cfg when no change is pending */
    bool started;
    uint8_t flags;   /**< status of the running sub-period so far */
    mtr_utc_t start; /**< start of the running sub-period (start_time_current) */
    mtr_utc_t end;   /**< its aligned end */
    int64_t energy[MTR_DEMAND_QUANTITIES]; /**< in the running sub-period */
    int64_t ring[MTR_CFG_CALENDAR_DEMAND_WINDOW][MTR_DEMAND_QUANTITIES];
    uint8_t ring_n, ring_pos;                /**< full sub-periods in the window, next slot */
    int64_t last_avg[MTR_DEMAND_QUANTITIES]; /**< last_average_value, mW */
    uint8_t last_status;                     /**< ::mtr_demand_status of last_avg */
    mtr_utc_t last_time;                     /**< capture_time of last_avg */
    uint32_t full_periods;                   /**< windows that counted towards the maxima */
    uint32_t short_periods;                  /**< sub-periods flagged and not counted */
    /** Maxima since the last billing end: [q][0] any tariff, [q][n] tariff Mn. */
    struct mtr_demand_max max[MTR_DEMAND_QUANTITIES][MTR_CFG_TARIFFS + 1];
    /** Cumulative maxima: sum of the maxima at each billing end, same indexing. */
    int64_t cumulative[MTR_DEMAND_QUANTITIES][MTR_CFG_TARIFFS + 1];
};

/** @brief Check demand settings. @return MTR_OK; MTR_ERR_CALENDAR_PERIOD. */
mtr_err_t mtr_demand_check(const struct mtr_demand_config *cfg);
/**
 * @brief current_average_value of quantity @p q at this moment: energy of
 *        the window so far over the window's nominal length, mW.
 */
int64_t mtr_demand_current(const struct mtr_demand *dm, unsigned q);

/* ---------------------------------------------------------------- billing */

/** Why a billing period ended. */
enum mtr_billing_cause {
    MTR_BILLING_BY_SCHEDULE = 1, /**< single action schedule */
    MTR_BILLING_BY_COMMAND = 2,  /**< remote command */
    MTR_BILLING_BY_BUTTON = 3,   /**< local (sealed) button */
};

/** Event codes of billing ends (seed event-codes.csv, Table 10). */
enum mtr_billing_event_code {
    MTR_BILLING_EV_REMOTE = 209,  /**< remote billing capture */
    MTR_BILLING_EV_MANUAL = 210,  /**< manual billing capture */
    MTR_BILLING_EV_REGULAR = 223, /**< regular billing capture */
};

/** When billing periods end: local wall time, monthly or yearly. */
struct mtr_billing_schedule {
    bool enabled;
    uint8_t month;  /**< 0: every month; 1..12: once a year in that month */
    uint8_t day;    /**< 1..31; past the month's end, its last day */
    uint8_t hour;   /**< 0..23 */
    uint8_t minute; /**< 0..59 */
};

struct mtr_tariff;

/** What the capture hook receives at a billing end. */
struct mtr_billing_capture {
    uint32_t period; /**< billing period counter, already advanced */
    uint8_t cause;   /**< ::mtr_billing_cause */
    mtr_utc_t utc;   /**< when the capture ran */
    int64_t
        boundary_local;   /**< scheduled boundary, local seconds since 1970 (0 by command/button) */
    uint8_t clock_status; /**< ::mtr_clock_status at the capture (invalid: data flagged) */
    const struct mtr_registers *reg; /**< registers at the end of the period */
    const struct mtr_demand *demand; /**< maxima of the period, before their reset */
};

/* ----------------------------------------------------------------- tariff */

/** Settings of the tariff engine. */
struct mtr_tariff_config {
    struct mtr_demand_config demand;
    struct mtr_billing_schedule billing;
    /** Billing end: capture the profile (profiles.json billing profile). May be NULL. */
    void (*on_billing)(void *user, const struct mtr_billing_capture *cap);
    mtr_clock_event_fn on_event; /**< events 209, 210, 223; may be NULL */
    void *user;
};

/** Registers + demand + billing. Caller-allocated; read through the accessors. */
struct mtr_tariff {
    struct mtr_tariff_config cfg;
    struct mtr_registers reg;
    struct mtr_demand dm;
    uint32_t billing_count;
    int64_t billing_last; /**< last scheduled boundary closed, local seconds */
    struct mtr_tariff_sel sel;
    uint32_t seen_seq;
    mtr_utc_t last_utc;
    uint32_t magic;
};

/**
 * @brief Initialise at @p now with the selection @p sel (zero registers,
 *        billing counter 0; the latest scheduled boundary at or before now
 *        counts as closed).
 * @return MTR_OK; MTR_ERR_CALENDAR_PERIOD (demand or schedule invalid);
 *         MTR_ERR_CALENDAR_TARIFF (bad masks). On error @p t is untouched.
 */
mtr_err_t mtr_tariff_init(struct mtr_tariff *t, const struct mtr_tariff_config *cfg,
                          const struct mtr_clock_view *now, const struct mtr_tariff_sel *sel);
/** @brief sizeof(struct mtr_tariff), for bindings. */
size_t mtr_tariff_size(void);
/**
 * @brief One step (see the file comment). Call at least at every demand
 *        sub-period end (mtr_tariff_next_deadline()) and at every tariff
 *        switching time, or simply every second to every minute.
 * @param d energy since the previous step, all >= 0.
 * @param next selection from now on (usually mtr_calendar_decide() at @p now).
 * @return MTR_OK; MTR_ERR_RANGE (negative delta); MTR_ERR_OVERFLOW;
 *         MTR_ERR_CALENDAR_TARIFF (bad masks in @p next). On error nothing changed.
 */
mtr_err_t mtr_tariff_step(struct mtr_tariff *t, const struct mtr_clock_view *now,
                          const struct mtr_energy_delta *d, const struct mtr_tariff_sel *next);
/**
 * @brief End the billing period now, by command or button (the schedule is
 *        not affected).
 * @return MTR_OK; MTR_ERR_INVAL for a cause that is neither.
 */
mtr_err_t mtr_tariff_billing_end(struct mtr_tariff *t, const struct mtr_clock_view *now,
                                 uint8_t cause);
/** @brief The supply came back: the running demand sub-period is flagged (power). */
void mtr_tariff_power_restored(struct mtr_tariff *t, const struct mtr_clock_view *now);
/** @brief UTC at which the running demand sub-period ends. */
mtr_utc_t mtr_tariff_next_deadline(const struct mtr_tariff *t);
/** @brief The energy registers. */
const struct mtr_registers *mtr_tariff_registers(const struct mtr_tariff *t);
/** @brief The demand state (averages, maxima, cumulative maxima). */
const struct mtr_demand *mtr_tariff_demand(const struct mtr_tariff *t);
/** @brief The billing period counter. */
uint32_t mtr_tariff_billing_count(const struct mtr_tariff *t);

/**
 * @brief Change when billing periods end (class 22 execution_time). The
 *        last closed boundary becomes the later of the one already closed
 *        and the new schedule's latest boundary at or before @p now, so a
 *        new schedule never ends a period for a time already past: the next
 *        end is the new schedule's first boundary after @p now. Saved by
 *        mtr_tariff_save().
 * @return MTR_OK; MTR_ERR_CALENDAR_PERIOD (month > 12, day not 1..31, hour
 *         or minute out of range; nothing changed).
 */
mtr_err_t mtr_tariff_set_billing(struct mtr_tariff *t, const struct mtr_billing_schedule *s,
                                 const struct mtr_clock_view *now);
/** @brief The billing schedule in force (configuration, or as last set). */
void mtr_tariff_billing_schedule(const struct mtr_tariff *t, struct mtr_billing_schedule *out);
/**
 * @brief Change the demand settings (class 5 period and number_of_periods).
 *        The running sub-period ends as planned with the settings it began
 *        with; the new settings apply from there: the sliding window
 *        restarts empty, and a first sub-period that does not start on a
 *        boundary of the new period is flagged short (not counted), as
 *        after a power cut. Maxima and cumulative maxima are kept. Setting
 *        what is in force cancels a pending change. Saved by mtr_tariff_save().
 * @return MTR_OK; MTR_ERR_CALENDAR_PERIOD (see mtr_demand_check(); nothing changed).
 */
mtr_err_t mtr_tariff_set_demand(struct mtr_tariff *t, const struct mtr_demand_config *cfg);
/** @brief The demand settings last set (pending or in force: mtr_demand.next). */
void mtr_tariff_demand_config(const struct mtr_tariff *t, struct mtr_demand_config *out);

/*
 * Methods of the demand objects (Blue Book, IEC 62056-6-2: extended register
 * class 4 method 1, demand register class 5 methods 1 and 2). Each first
 * brings the demand state to @p now as mtr_tariff_step() would without
 * energy: sub-periods that ended by @p now are closed, a clock change seen in
 * @p now cuts the running one (flagged). Energy measured since the previous
 * step is handed over by the next step and goes to the sub-period running
 * then. Each refuses, changing nothing:
 *  - MTR_ERR_STATE while the clock is invalid (MTR_CLOCK_ST_INVALID in
 *    @p now: the time of the reset would not be known);
 *  - MTR_ERR_RANGE for now->utc outside MTR_UTC_MIN..MTR_UTC_MAX.
 */

/**
 * @brief reset of one maximum demand register (class 4 method 1): the
 *        maximum of quantity @p q for @p tariff goes back to its default,
 *        value 0 ("no maximum in this billing period yet"), with the time
 *        of the reset (now->utc) as its time. The next full window above 0
 *        makes a new maximum. The other maxima and every cumulative maximum
 *        are kept. Saved by mtr_tariff_save().
 * @param q 0..MTR_DEMAND_QUANTITIES-1 (enum mtr_quantity).
 * @param tariff 0: the maximum of any tariff; 1..MTR_CFG_TARIFFS: tariff Mn.
 * @return MTR_OK; MTR_ERR_RANGE (q or tariff out of range, now out of
 *         range); MTR_ERR_STATE (clock invalid). On error nothing changed.
 */
mtr_err_t mtr_tariff_max_reset(struct mtr_tariff *t, unsigned q, unsigned tariff,
                               const struct mtr_clock_view *now);
/**
 * @brief reset of the demand registers (class 5 method 1): the running
 *        sub-period is terminated and not counted; current_average_value
 *        and last_average_value go to 0 (last_status ::MTR_DEMAND_ST_SHORT:
 *        not a measured window; last_time = now->utc); a new sub-period
 *        starts at now->utc (start_time_current), flagged short unless now
 *        is a boundary; the sliding window restarts empty. Every demand
 *        quantity shares the one measuring period, so all are reset. A
 *        pending change of the settings applies from the new sub-period.
 *        Maxima and cumulative maxima are kept.
 * @return MTR_OK; MTR_ERR_RANGE; MTR_ERR_STATE (see above). On error nothing changed.
 */
mtr_err_t mtr_tariff_demand_reset(struct mtr_tariff *t, const struct mtr_clock_view *now);
/**
 * @brief next_period (class 5 method 2): the running sub-period ends at
 *        now->utc; current_average_value at that moment (the window so far
 *        over its nominal length, mtr_demand_current()) becomes
 *        last_average_value with last_time = now->utc, and a new sub-period
 *        starts at now->utc. The period ended early is shorter than its
 *        nominal length: it is flagged ::MTR_DEMAND_ST_SHORT and makes no
 *        maximum (as any sub-period cut short), the sliding window restarts
 *        empty, and the new sub-period runs to the next aligned boundary
 *        (flagged short). At a boundary (the running sub-period starts at
 *        now->utc) nothing more happens: the boundary ended the period. A
 *        pending change of the settings applies from the new sub-period.
 * @return MTR_OK; MTR_ERR_RANGE; MTR_ERR_STATE (see above). On error nothing changed.
 */
mtr_err_t mtr_tariff_demand_next_period(struct mtr_tariff *t, const struct mtr_clock_view *now);

/* ------------------------------------------------------------ persistence */

/** Version of the saved state written by mtr_tariff_save() (2: with the billing
 *  schedule and the demand settings; version 1 states still load). */
#define MTR_TARIFF_STATE_VERSION 2

/** Bytes of a version 1 saved state (without the settings). */
#define MTR_TARIFF_STATE_V1_SIZE                                                                   \
    (8u + 8u * MTR_Q_COUNT * (1u + MTR_CFG_TARIFFS) + 4u + 8u + 6u +                               \
     24u * MTR_DEMAND_QUANTITIES * (MTR_CFG_TARIFFS + 1u) + 4u)
/** Bytes of the saved state (fixed for a build): version 1 + billing schedule (5) + demand settings (5). */
#define MTR_TARIFF_STATE_SIZE (MTR_TARIFF_STATE_V1_SIZE + 10u)

/** @brief Run-time twin of MTR_TARIFF_STATE_SIZE. */
size_t mtr_tariff_state_size(void);
/**
 * @brief Write what must survive a power cut: registers, billing counter and
 *        last closed boundary, current selection, demand maxima and
 *        cumulative maxima, the billing schedule and the demand settings
 *        (those last set: a pending change is saved as made). Format: "TRF"
 *        + version, big-endian fields, CRC-32 last (see docs/calendar.md).
 * @return MTR_OK; MTR_ERR_OVERFLOW if @p cap < MTR_TARIFF_STATE_SIZE.
 */
mtr_err_t mtr_tariff_save(const struct mtr_tariff *t, uint8_t *buf, size_t cap, size_t *len);
/**
 * @brief Restore a saved state into an initialised @p t; the running demand
 *        sub-period restarts flagged (power), with the saved demand
 *        settings. A version 1 state (MTR_TARIFF_STATE_V1_SIZE bytes) keeps
 *        the billing schedule and demand settings of @p t.
 * @return MTR_OK (*p advanced); MTR_ERR_DECODE (short or inconsistent data:
 *         totals that are not the sum of their tariffs, negative registers,
 *         bad masks, a schedule or demand settings the setters refuse);
 *         MTR_ERR_CALENDAR_VERSION (unknown magic/version or a build with
 *         other sizes); MTR_ERR_CRC. On error nothing changed.
 */
mtr_err_t mtr_tariff_load(struct mtr_tariff *t, const uint8_t **p, const uint8_t *end);

#ifdef __cplusplus
}
#endif

#endif /* METER_TARIFF_H */
