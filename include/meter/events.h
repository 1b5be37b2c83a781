/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file events.h
 * @brief Events engine: event logs, event counters, the error register, the
 *        alarm registers with their filters and descriptors, and the power
 *        failure log.
 *
 * **Event logs are profiles.** Each log is a COSEM class 7 profile
 * (meter/profile.h) in a ring partition of the store; its columns are the
 * clock, the event code and per-log extras. The caller allocates one
 * ::mtr_profile per log it keeps and hands its configuration in
 * ::mtr_events_config; the engine initialises the profiles and appends their
 * entries. The COSEM layer reads them through mtr_events_log() with the
 * profile engine's selective access, and clears them with
 * mtr_events_clear_log() (never mtr_profile_reset() directly: the clear
 * must log event 255 as the first record after it).
 *
 * **The code table** (mtr_event_table, generated from the seed's
 * event-codes.csv, alarm-bits.csv and error-register.csv) has one row per
 * (code, name): codes are not unique (254 is eleven "cleared" events). Each
 * row gives the logs the event goes to, the alarm bits related to it and the
 * error register bits it sets or clears. mtr_events_raise() takes the code and
 * the name exactly as in the csv `name` column (the name may be NULL or ""
 * when the code is unique).
 *
 * **A raise** appends one entry (capture time, code, extras) to every log of
 * the row that is kept, increments the per-log counters and the row's
 * counter, sets the related alarm bits (those the filter lets through; the
 * descriptor latches all), sets or clears the related error register bits,
 * and calls the alarm push hook for alarm bits that went from 0 to 1.
 *
 * **Persistence.** The registers, filters, descriptors and counters are one
 * snapshot record of the store (::mtr_events_config.state_part, record size
 * at least MTR_EVENTS_BLOB_SIZE). Every change commits it before the call
 * returns. A raise first commits the snapshot with the event's effects and
 * the event itself as "pending" (its logs and each log's ring position),
 * then appends the entries; recovery at mtr_events_init() completes the
 * entries of a pending event that a power cut interrupted. So after a power
 * cut at any byte an event is either wholly there (entries, counters, alarm
 * and error bits) or wholly absent, and counters never go backwards. See
 * docs/events.md.
 *
 * RAM: one ::mtr_events (about 1.5 KB with the 136-row table, most of it
 * the per-code counters and the snapshot buffer) plus the caller's
 * ::mtr_profile contexts; at most about 300 bytes of stack per call.
 */
#ifndef METER_EVENTS_H
#define METER_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "meter/config.h"
#include "meter/error.h"
#include "meter/profile.h"
#include "meter/units.h"

#ifdef __cplusplus
extern "C" {
#endif

struct mtr_store;

/** Rows of the code table: (code, name) pairs of the seed's event-codes.csv. */
#define MTR_EVENTS_CODES 136
/** Alarm register 1 bits that are not reserved (alarm-bits.csv, seed Table 12). */
#define MTR_EVENTS_ALARM1_VALID 0x007F3F03u
/** Alarm register 2 bits that are not reserved (alarm-bits.csv, seed Table 12). */
#define MTR_EVENTS_ALARM2_VALID 0x801FFFFFu
/** Error register bits assigned by the seed (error-register.csv, Table 5). */
#define MTR_EVENTS_ERROR_VALID 0xFFBDCF1Fu
/** Capacity of each event log in the seed (ST402 section 5.4), entries. */
#define MTR_EVENTS_SEED_CAPACITY 500u
/** A power failure at least this long is "long" (seed 5.7: 3 minutes), seconds. */
#define MTR_EVENTS_LONG_FAILURE_S 180u
/** Bytes of the saved state (snapshot payload), format version 1. */
#define MTR_EVENTS_BLOB_SIZE 695u
/** Value columns an event log needs at most (code, start time, duration). */
#define MTR_EVENTS_MAX_VALUES 3u

/** The event logs (seed event-codes.csv "logs" keys), by index. */
enum mtr_events_log {
    MTR_EVLOG_STANDARD = 0,      /**< standard event log, 0-0:99.98.0.255 */
    MTR_EVLOG_FRAUD = 1,         /**< fraud detection log, 0-0:99.98.1.255 */
    MTR_EVLOG_DISCONNECTOR = 2,  /**< disconnector control log, 0-0:99.98.2.255 */
    MTR_EVLOG_MBUS = 3,          /**< M-Bus event log, 0-0:99.98.3.255 (no producer in the core) */
    MTR_EVLOG_POWER_QUALITY = 4, /**< power quality event log, 0-0:99.98.4.255 */
    MTR_EVLOG_COMMUNICATION = 5, /**< communication event log, 0-0:99.98.5.255 */
    MTR_EVLOG_FIRMWARE = 6,      /**< firmware update event log, 0-0:99.98.6.255 (+ FW version) */
    MTR_EVLOG_POWER_FAILURE = 7, /**< long power failures, 1-0:99.97.0.255 (+ start, duration) */
    MTR_EVLOG_SECURITY = 8,      /**< security log, manufacturer-specific 0-0:99.98.128.255 */
    MTR_EVLOG_COUNT = 9
};

/** Row flags (::mtr_event_def.flags). */
#define MTR_EVENT_F_MANUFACTURER 0x01u /**< manufacturer-specific code (seed Table 10) */
#define MTR_EVENT_F_INFERRED     0x02u /**< code not printed in the seed: IDIS numbering */
#define MTR_EVENT_F_LOG_CHOSEN   0x04u /**< the seed names no log: chosen (docs/events.md) */

/** One row of the code table. */
struct mtr_event_def {
    uint16_t code;        /**< event code */
    uint16_t logs;        /**< bit (1 << ::mtr_events_log) per log the event goes to */
    uint32_t alarm1;      /**< alarm register 1 bits related to the event */
    uint32_t alarm2;      /**< alarm register 2 bits related to the event */
    uint32_t error_set;   /**< error register bits the event sets */
    uint32_t error_clear; /**< error register bits the event clears */
    uint8_t flags;        /**< MTR_EVENT_F_* */
    const char *name;     /**< name exactly as in the csv `name` column */
};

/** The code table, in the csv's order (generated: libmeter/events/ev_table.c). */
extern const struct mtr_event_def mtr_event_table[MTR_EVENTS_CODES];

/** Which alarm register (the `reg` arguments). */
#define MTR_EVENTS_ALARM1 1u /**< alarm register 1, 0-0:97.98.0.255 */
#define MTR_EVENTS_ALARM2 2u /**< alarm register 2, 0-0:97.98.1.255 */

/**
 * @brief Alarm push hook: called when alarm bits that the filter lets
 *        through go from 0 to 1, after the change is committed.
 * @param user ::mtr_events_config.user.
 * @param reg MTR_EVENTS_ALARM1 or MTR_EVENTS_ALARM2.
 * @param new_bits the bits that went from 0 to 1 (never 0).
 */
typedef void (*mtr_events_alarm_hook_t)(void *user, uint8_t reg, uint32_t new_bits);

/** Configuration of the events engine (the caller's RAM and partitions). */
struct mtr_events_config {
    struct mtr_store *store; /**< initialised store; must outlive the context */
    uint16_t state_part;     /**< snapshot partition, record size >= MTR_EVENTS_BLOB_SIZE */
    /** Per log: caller RAM for its profile, or NULL when the log is not kept. */
    struct mtr_profile *log[MTR_EVLOG_COUNT];
    /**
     * Per kept log: its profile configuration (a ring partition of its own;
     * column 1 the clock, column 2 the event code, then the extras of
     * mtr_events_log_default()). mtr_events_log_default() fills one.
     */
    const struct mtr_profile_config *log_cfg[MTR_EVLOG_COUNT];
    /** Shortest power failure kept in the power failure log, s (0: MTR_EVENTS_LONG_FAILURE_S). */
    uint32_t long_failure_s;
    mtr_events_alarm_hook_t on_alarm; /**< optional (NULL: no push) */
    void *user;                       /**< handed to @c on_alarm */
};

/** What mtr_events_init() found in the state partition. */
enum mtr_events_restore {
    MTR_EVENTS_RESTORED = 1, /**< saved state adopted */
    MTR_EVENTS_MISSING = 2,  /**< nothing saved yet: defaults (first start) */
    MTR_EVENTS_REFUSED = 3,  /**< saved state refused (corrupt, other layout): defaults */
};

/** Kinds of the pending operation of the saved state (internal, in the blob). */
enum mtr_events_op {
    MTR_EVENTS_OP_NONE = 0,  /**< nothing pending */
    MTR_EVENTS_OP_RAISE = 1, /**< an event's entries */
    MTR_EVENTS_OP_CLEAR = 2, /**< a log clear and its event 255 */
    MTR_EVENTS_OP_POWER = 3, /**< a power failure log entry */
};

/** The operation of the saved state whose log entries may still be missing. */
struct mtr_events_pending {
    uint8_t op;                     /**< ::mtr_events_op */
    uint16_t index;                 /**< table row (RAISE, CLEAR; 0 otherwise) */
    uint16_t logs;                  /**< logs it writes, bit per ::mtr_events_log */
    mtr_utc_t utc;                  /**< entry time */
    int64_t value;                  /**< RAISE: the value; POWER: the start time */
    int64_t value2;                 /**< POWER: the duration, s */
    uint32_t mark[MTR_EVLOG_COUNT]; /**< per log: the ring's newest sequence number before */
};

/** The persistent state (read it through the accessors). */
struct mtr_events_state {
    uint32_t error;                        /**< error register 0-0:97.97.0.255 */
    uint32_t alarm[2];                     /**< alarm registers 1 and 2 */
    uint32_t filter[2];                    /**< alarm filters 1 and 2 (bit 0: masked) */
    uint32_t descriptor[2];                /**< alarm descriptors 1 and 2 (latched) */
    mtr_utc_t error_utc;                   /**< time of the last error register change, -1 */
    uint32_t short_failures;               /**< power failures shorter than long_failure_s */
    uint32_t log_count[MTR_EVLOG_COUNT];   /**< entries ever written per log */
    uint32_t code_count[MTR_EVENTS_CODES]; /**< raises per table row */
    struct mtr_events_pending p;           /**< operation in progress or last done */
};

/** The events engine: caller-allocated, fields private. */
struct mtr_events {
    struct mtr_events_config cfg;
    struct mtr_events_state s;
    uint16_t left;   /* logs of the pending operation not yet written since init */
    uint16_t kept;   /* bit per log that is kept (profile given and initialised) */
    uint8_t restore; /* ::mtr_events_restore */
    bool ready;
    mtr_err_t restore_err; /* why the saved state was refused */
    uint8_t blob[MTR_EVENTS_BLOB_SIZE];
};

/**
 * @brief Fill a profile configuration with a log's defaults: its OBIS (see
 *        ::mtr_events_log), no automatic capture, and its columns: the clock
 *        and the event code (0-0:96.11.e.255, IDIS), then for the firmware
 *        update log the firmware version as a number (1-0:0.2.128.255, the
 *        number of the version string 1-0:0.2.0.255 of seed 11.2: the raise's
 *        value), for the power failure log the start time (0-0:96.7.128.255)
 *        and the duration (0-0:96.7.19.255).
 * @param log ::mtr_events_log.
 * @param part ring partition of the store for it.
 * @param capacity entries (seed: MTR_EVENTS_SEED_CAPACITY).
 * @param[out] out filled.
 * @return MTR_OK; MTR_ERR_RANGE (@p log out of range).
 */
mtr_err_t mtr_events_log_default(uint8_t log, uint16_t part, uint32_t capacity,
                                 struct mtr_profile_config *out);

/** @brief Bytes of payload a ring partition needs for @p log's default columns (0: bad log). */
uint32_t mtr_events_log_record_size(uint8_t log);

/**
 * @brief Initialise: the logs' profiles, then the saved state. Recovers
 *        everything: a missing state gives the defaults (filters let every
 *        alarm through, all else 0); a corrupt one gives the defaults too,
 *        reported by mtr_events_restored(); the entries of an operation a
 *        power cut interrupted are written now.
 * @return MTR_OK (also with the defaults); MTR_ERR_CONFIG (a log's columns
 *         are not clock + 1..3 values, a profile without configuration or
 *         the reverse, two logs on one partition, a log on the state
 *         partition, a state record size below MTR_EVENTS_BLOB_SIZE);
 *         MTR_ERR_STORE_NO_PART; errors of mtr_profile_init() and of the
 *         store (reading the state, writing the completed entries: then the
 *         context is usable and the next call completes them). On a
 *         configuration error nothing is written and @p ev is not usable.
 */
mtr_err_t mtr_events_init(struct mtr_events *ev, const struct mtr_events_config *cfg);

/** @brief What init found: ::mtr_events_restore; @p why: the refusal's error (may be NULL). */
uint8_t mtr_events_restored(const struct mtr_events *ev, mtr_err_t *why);

/**
 * @brief The table row of (code, name).
 * @param name exactly as in the csv `name` column; NULL or "": the code's
 *        only row.
 * @return the row, or NULL (unknown pair, or a code of several rows without
 *         its name).
 */
const struct mtr_event_def *mtr_events_lookup(uint16_t code, const char *name);

/**
 * @brief Index of (code, name) in mtr_event_table, as mtr_events_lookup().
 * @return MTR_OK; MTR_ERR_EVENTS_UNKNOWN.
 */
mtr_err_t mtr_events_find(uint16_t code, const char *name, uint16_t *index);

/**
 * @brief Raise an event: log it, count it, set its alarm and error bits.
 *        Returns once every entry is committed to the store.
 * @param code,name the (code, name) pair of event-codes.csv (name NULL or ""
 *        when the code is unique).
 * @param utc when, UTC seconds (>= 0).
 * @param value the first extra column of the logs that have one (firmware
 *        update log: the firmware version); ignored by the others.
 * @return MTR_OK; MTR_ERR_EVENTS_UNKNOWN (no such row) or MTR_ERR_EVENTS_TIME
 *         (@p utc < 0) with nothing changed; MTR_ERR_STATE (init failed);
 *         store errors: before the event is durable nothing changed; after
 *         it (an entry failed) the event is counted and its entries are
 *         completed by the next call or the next init.
 */
mtr_err_t mtr_events_raise(struct mtr_events *ev, uint16_t code, const char *name, mtr_utc_t utc,
                           int64_t value);

/** @brief mtr_events_raise() by table index; MTR_ERR_EVENTS_UNKNOWN if @p index >=
 * MTR_EVENTS_CODES. */
mtr_err_t mtr_events_raise_index(struct mtr_events *ev, uint16_t index, mtr_utc_t utc,
                                 int64_t value);

/**
 * @brief Clear a log (class 7 method reset) and write event 255 "Event log
 *        cleared" as its first entry; counts it for that log only.
 * @return MTR_OK; MTR_ERR_RANGE (no such log) or MTR_ERR_NOENT (log not
 *         kept) or MTR_ERR_EVENTS_TIME with nothing changed; store and
 *         profile errors (completed by the next call or init, as a raise).
 */
mtr_err_t mtr_events_clear_log(struct mtr_events *ev, uint8_t log, mtr_utc_t utc);

/**
 * @brief A power failure ended: a long one (>= long_failure_s) is an entry
 *        of the power failure log (time = @p end_utc, code 1 "Power down",
 *        start time, duration in s); a short one only counts.
 * @return MTR_OK; MTR_ERR_EVENTS_TIME (@p start_utc < 0 or after @p end_utc)
 *         with nothing changed; store errors as mtr_events_raise().
 */
mtr_err_t mtr_events_power_failure(struct mtr_events *ev, mtr_utc_t start_utc, mtr_utc_t end_utc);

/* ---------------------------------------------------------------- error register */

/**
 * @brief Set error register bits (producers: self-tests, NVM faults...).
 * @param mask bits to set; only MTR_EVENTS_ERROR_VALID bits.
 * @param utc time of the change (kept as mtr_events_error_time()).
 * @return MTR_OK; MTR_ERR_EVENTS_RESERVED (an unassigned bit) or
 *         MTR_ERR_EVENTS_TIME with nothing changed; store errors (nothing
 *         changed).
 */
mtr_err_t mtr_events_error_set(struct mtr_events *ev, uint32_t mask, mtr_utc_t utc);

/** @brief Clear error register bits; as mtr_events_error_set(). No event is logged. */
mtr_err_t mtr_events_error_clear(struct mtr_events *ev, uint32_t mask, mtr_utc_t utc);

/**
 * @brief A COSEM write of the error register: only 0 is accepted; it clears
 *        the register and raises event 10 "Error register cleared".
 * @return MTR_OK; MTR_ERR_EVENTS_VALUE (@p value != 0) or MTR_ERR_EVENTS_TIME
 *         with nothing changed; as mtr_events_raise().
 */
mtr_err_t mtr_events_error_write(struct mtr_events *ev, uint32_t value, mtr_utc_t utc);

/** @brief The error register. */
uint32_t mtr_events_error(const struct mtr_events *ev);

/** @brief Time of the last error register change (-1: never). */
mtr_utc_t mtr_events_error_time(const struct mtr_events *ev);

/* ---------------------------------------------------------------- alarms */

/**
 * @brief Raise alarm bits that have no event code (e.g. alarm 2 bits 19 and
 *        20) as a raise does: the descriptor latches @p mask, the register
 *        takes the bits its filter lets through, the push hook gets those
 *        that went from 0 to 1.
 * @param reg MTR_EVENTS_ALARM1 or MTR_EVENTS_ALARM2.
 * @return MTR_OK; MTR_ERR_RANGE (bad @p reg), MTR_ERR_EVENTS_RESERVED (a
 *         reserved bit) or MTR_ERR_EVENTS_TIME with nothing changed; store
 *         errors (nothing changed).
 */
mtr_err_t mtr_events_alarm_set(struct mtr_events *ev, uint8_t reg, uint32_t mask, mtr_utc_t utc);

/**
 * @brief A COSEM write of an alarm register: the bits written as 1 are
 *        cleared (write back what was read to acknowledge it), and event 11
 *        "Alarm register cleared" is raised.
 * @return as mtr_events_alarm_set(), then as mtr_events_raise().
 */
mtr_err_t mtr_events_alarm_write(struct mtr_events *ev, uint8_t reg, uint32_t value, mtr_utc_t utc);

/**
 * @brief A COSEM write of an alarm filter (bit 0: the alarm is masked: it
 *        does not reach the register nor the push; the descriptor still
 *        latches it). Bits already in the register stay.
 * @return MTR_OK; MTR_ERR_RANGE; MTR_ERR_EVENTS_RESERVED (a reserved bit set);
 *         store errors (nothing changed).
 */
mtr_err_t mtr_events_filter_write(struct mtr_events *ev, uint8_t reg, uint32_t value);

/**
 * @brief A COSEM write of an alarm descriptor: the bits written as 1 are
 *        cleared. No event.
 * @return as mtr_events_filter_write().
 */
mtr_err_t mtr_events_descriptor_write(struct mtr_events *ev, uint8_t reg, uint32_t value);

/** @brief Alarm register @p reg (1 or 2; 0 for another value). */
uint32_t mtr_events_alarm(const struct mtr_events *ev, uint8_t reg);
/** @brief Alarm filter @p reg (1 or 2; 0 for another value). */
uint32_t mtr_events_filter(const struct mtr_events *ev, uint8_t reg);
/** @brief Alarm descriptor @p reg (1 or 2; 0 for another value). */
uint32_t mtr_events_descriptor(const struct mtr_events *ev, uint8_t reg);

/* ---------------------------------------------------------------- logs and counters */

/** @brief The profile of @p log for the COSEM layer, or NULL if not kept. */
struct mtr_profile *mtr_events_log(struct mtr_events *ev, uint8_t log);

/** @brief Entries ever written to @p log (0 for a bad log). Never goes backwards. */
uint32_t mtr_events_log_count(const struct mtr_events *ev, uint8_t log);

/** @brief Times table row @p index was raised (0 for a bad index). Never goes backwards. */
uint32_t mtr_events_code_count(const struct mtr_events *ev, uint16_t index);

/** @brief Power failures shorter than the long-failure threshold. */
uint32_t mtr_events_short_failures(const struct mtr_events *ev);

/**
 * @brief The newest entry of @p log as its ring holds it: its capture time
 *        and its values, the event code first, then the log's extras
 *        (firmware update log: the firmware version; power failure log: the
 *        start time and the duration). The value objects of the logs' capture
 *        objects (event code objects 0-0:96.11.e.255, ...) serve these.
 * @param[out] utc capture time, UTC seconds (may be NULL).
 * @param[out] values MTR_EVENTS_MAX_VALUES values; those the log has not are 0.
 * @return MTR_OK; MTR_ERR_RANGE (no such log); MTR_ERR_NOENT (log not kept);
 *         MTR_ERR_EMPTY (no entry in the buffer: @p values all 0);
 *         MTR_ERR_STATE (init failed); errors of the profile engine reading
 *         the ring. Changes nothing.
 */
mtr_err_t mtr_events_log_last(struct mtr_events *ev, uint8_t log, mtr_utc_t *utc,
                              int64_t values[MTR_EVENTS_MAX_VALUES]);

/** @brief Default logical name of @p log (6 bytes), or NULL for a bad log. */
const uint8_t *mtr_events_log_obis(uint8_t log);

/* ---------------------------------------------------------------- saved state */

/**
 * @brief Encode the state as the snapshot payload (what init loads).
 * @return MTR_OK; MTR_ERR_OVERFLOW (@p cap < MTR_EVENTS_BLOB_SIZE).
 */
mtr_err_t mtr_events_save(const struct mtr_events *ev, uint8_t *buf, size_t cap, size_t *len);

/**
 * @brief Decode and check a saved state and adopt it (the decoder of init,
 *        for tools and tests). Does not write the logs.
 * @return MTR_OK; MTR_ERR_EVENTS_BLOB (truncated, other layout, invalid
 *         values), MTR_ERR_EVENTS_BLOB_CRC, MTR_ERR_EVENTS_VERSION with
 *         nothing changed.
 */
mtr_err_t mtr_events_restore(struct mtr_events *ev, const uint8_t *blob, size_t len);

/** @brief sizeof(struct mtr_events), for bindings. */
size_t mtr_events_size(void);

#ifdef __cplusplus
}
#endif

#endif /* METER_EVENTS_H */
