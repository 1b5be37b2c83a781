/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file profile.h
 * @brief Profile engine with the semantics of COSEM class 7 (profile
 *        generic): load profiles, billing profiles and, through the events
 *        engine, event logs.
 *
 * A profile is a FIFO of entries kept in a ring partition of the store
 * (meter/store.h), so every captured entry survives any power cut. An entry
 * is the capture time, the profile status byte (seed profiles.json) and one
 * int64 value per value column. The columns are described by capture object
 * definitions (class, logical name, attribute, data index) and by how the
 * COSEM layer encodes them; the engine itself never encodes A-XDR.
 *
 * Capture: mtr_profile_due() says when a capture period boundary has been
 * crossed (boundaries are aligned on UTC multiples of the period, shifted by
 * the optional align_offset_s: xx:00, xx:15, ...; daily at 00:00 UTC by
 * default); the caller then gathers the values and calls
 * mtr_profile_capture().
 * Conditions during the period (power down, clock adjusted) are noted with
 * mtr_profile_note() and flagged in the next entry.
 *
 * Reading: mtr_profile_select() applies a selective access (by range of
 * capture times, by range of entries, with a range of columns), says how
 * many entries match, and mtr_profile_next() returns them one at a time
 * from a two-word cursor that a DLMS block transfer can keep.
 *
 * Reset: mtr_profile_reset() appends a reset marker; older records are no
 * longer in the buffer. Record layout, decisions and what a power cut can
 * lose: docs/profiles.md.
 *
 * RAM: one ::mtr_profile per profile (424 bytes with the default
 * MTR_CFG_PROFILE_COLUMNS), caller-allocated; no allocation; at most about
 * 600 bytes of stack per call including the store.
 */
#ifndef METER_PROFILE_H
#define METER_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "meter/config.h"
#include "meter/error.h"
#include "meter/units.h"

#ifdef __cplusplus
extern "C" {
#endif

struct mtr_store;

/** Profile status byte (seed profiles.json "profile_status_byte"). */
#define MTR_PROFILE_ST_ERR 0x01u /**< critical error (DNV also set) */
#define MTR_PROFILE_ST_CIV 0x02u /**< clock invalid (DNV also set) */
#define MTR_PROFILE_ST_DNV 0x04u /**< data not valid */
#define MTR_PROFILE_ST_DST 0x08u /**< daylight saving time active */
#define MTR_PROFILE_ST_CAD 0x20u /**< clock adjusted during the period */
#define MTR_PROFILE_ST_PDN 0x80u /**< power down during the period */

/** What a column holds. */
enum mtr_profile_col_kind {
    MTR_PROFILE_COL_CLOCK = 0,  /**< the capture time (clock object, attribute 2) */
    MTR_PROFILE_COL_STATUS = 1, /**< the profile status byte */
    MTR_PROFILE_COL_VALUE = 2,  /**< an int64 value handed to mtr_profile_capture() */
};

/** One column: a capture object definition (Blue Book class 7, attribute 3). */
struct mtr_profile_column {
    uint8_t kind;        /**< ::mtr_profile_col_kind */
    uint8_t axdr_type;   /**< A-XDR type tag the COSEM layer encodes a value as (0: default) */
    uint16_t class_id;   /**< class of the captured object */
    uint8_t obis[6];     /**< its logical name */
    int8_t attr;         /**< its attribute */
    uint16_t data_index; /**< data index (0: the whole attribute) */
    int8_t scaler;       /**< scaler of the value as encoded (register scaler_unit) */
    uint8_t unit;        /**< unit enumeration (Blue Book), 255 = none */
};

/** Sort methods (class 7 attribute 5); FIFO is the one supported. */
#define MTR_PROFILE_SORT_FIFO 1u

/** Configuration of a profile (usually `static const`). */
struct mtr_profile_config {
    uint8_t obis[6];                         /**< logical name of the profile */
    uint16_t part;                           /**< ring partition of the store */
    uint32_t capture_period_s;               /**< 0 (no automatic capture), 300, 600, 900, 1800, 3600, 86400 */
    uint32_t capacity;                       /**< entries kept (profile_entries), 1.. ring capacity */
    const struct mtr_profile_column *columns; /**< capture objects, @c ncolumns entries */
    uint8_t ncolumns;                        /**< 1..MTR_CFG_PROFILE_COLUMNS */
    int32_t align_offset_s;                  /**< boundaries b have (b + this) a multiple of the
                                                  period: 0 = UTC alignment (default); e.g. 3600
                                                  puts daily captures at 00:00 UTC+1. -86399..86399 */
};

/** One entry. Values of MTR_PROFILE_COL_VALUE columns in column order. */
struct mtr_profile_entry {
    mtr_utc_t utc;  /**< capture time, UTC seconds */
    uint8_t status; /**< MTR_PROFILE_ST_* */
    uint8_t nvalues; /**< values that follow */
    int64_t v[MTR_CFG_PROFILE_COLUMNS]; /**< one per value column, in column order (from
                                             mtr_profile_next(): the value columns inside
                                             the selected column range only) */
};

/** Selective access kinds (class 7 attribute 2 access selectors). */
enum mtr_profile_by {
    MTR_PROFILE_ALL = 0,   /**< no selective access: every entry, every column */
    MTR_PROFILE_RANGE = 1, /**< range_descriptor: capture time from..to (inclusive) */
    MTR_PROFILE_ENTRY = 2, /**< entry_descriptor: entries from..to, 1-based, 0 = the last */
};

/** A selective access. */
struct mtr_profile_sel {
    uint8_t by;          /**< ::mtr_profile_by */
    mtr_utc_t from, to;  /**< RANGE: capture times, inclusive */
    uint32_t from_entry; /**< ENTRY: first entry, 1 = oldest */
    uint32_t to_entry;   /**< ENTRY: last entry, 0 = the newest */
    uint16_t from_col;   /**< first column, 1-based (0 or 1: the first) */
    uint16_t to_col;     /**< last column, 1-based (0: the last) */
};

/** Position of a reading; two words, so a DLMS block transfer can keep it. */
struct mtr_profile_cursor {
    uint32_t pos;  /**< number of the next entry to look at (entry numbers survive the ring's
                        wrap-around, ring positions do not); opaque to the caller */
    uint32_t left; /**< entries still to return */
};

/* ------------------------------------------------------------------ sizes */

/** Format version of the ring records written by this code (docs/profiles.md). */
#define MTR_PROFILE_FORMAT_VERSION 1u
/** Bytes of a record before its values: version, type, status, value count,
 *  entry number (4), capture time (4). */
#define MTR_PROFILE_RECORD_HEADER 12u
/** Record size for @p n value columns (compile-time twin of mtr_profile_record_size()). */
#define MTR_PROFILE_RECORD_SIZE(n) (MTR_PROFILE_RECORD_HEADER + 8u * (uint32_t)(n))
/** Largest record: MTR_CFG_PROFILE_COLUMNS value columns. */
#define MTR_PROFILE_RECORD_MAX MTR_PROFILE_RECORD_SIZE(MTR_CFG_PROFILE_COLUMNS)
/** Bytes of the saved state blob (mtr_profile_state_save()). */
#define MTR_PROFILE_STATE_SIZE 12u
/** Largest capture time a record can hold (u32 seconds: 2106-02-07T06:28:15Z). */
#define MTR_PROFILE_UTC_MAX ((mtr_utc_t)UINT32_MAX)

/** Record types in the ring (byte 1 of a record). */
enum mtr_profile_rec_type {
    MTR_PROFILE_REC_ENTRY = 1, /**< a captured entry */
    MTR_PROFILE_REC_RESET = 2, /**< a reset marker: older records are not in the buffer */
};

/**
 * @brief A profile: caller-allocated (about 400 bytes with the default
 *        MTR_CFG_PROFILE_COLUMNS, mtr_profile_size()); filled by
 *        mtr_profile_init(); fields are private.
 *
 * Entries carry an entry number @c n that grows by one per capture for the
 * life of the ring (a reset does not restart it); the buffer holds the
 * entries with a number above @c base_n.
 */
struct mtr_profile {
    struct mtr_store *st;                  /* the store holding the ring */
    const struct mtr_profile_config *cfg;  /* caller's, outlives the profile */
    uint32_t period_s;                     /* capture period in use */
    uint32_t newest_n;                     /* number of the newest entry ever captured, 0: none */
    uint32_t base_n;                       /* entries numbered above this are in the buffer */
    uint32_t marker_n;                     /* number carried by the newest reset marker */
    uint32_t gone_n;                       /* entries numbered up to this left the ring */
    uint32_t in_use;                       /* entries in the buffer (entries_in_use) */
    uint32_t gaps;                         /* numbers in the buffer whose record is unreadable */
    uint32_t desc_n;                       /* newest entry captured earlier than its predecessor */
    uint32_t hint_pos;                     /* ring position of the last record located */
    uint32_t hint_n;                       /* its entry number (0: no hint) */
    mtr_utc_t last_utc;                    /* capture time of the newest entry, -1: none */
    mtr_utc_t sched_utc;                   /* boundaries after this time are due, -1: none */
    mtr_utc_t reset_utc;                   /* time of the newest reset, -1: none */
    uint8_t pending;                       /* MTR_PROFILE_ST_* noted for the next entry */
    uint8_t nvalues;                       /* value columns */
    uint8_t flags;                         /* private state bits */
    uint8_t rec[MTR_PROFILE_RECORD_MAX];   /* one record, read or written */
};

/* ------------------------------------------------------------- functions */

/**
 * @brief Bytes of a record with @p nvalues value columns: the smallest
 *        record_size of the ring partition (store.h ::mtr_store_part_cfg).
 *        Passing the number of columns gives a safe upper bound.
 * @return MTR_PROFILE_RECORD_HEADER + 8 * @p nvalues; 0 if @p nvalues is
 *         above MTR_CFG_PROFILE_COLUMNS.
 */
uint32_t mtr_profile_record_size(uint32_t nvalues);

/**
 * @brief Check a configuration, then recover the profile from its ring:
 *        entries in use, the newest entry number, the last capture time and
 *        the newest reset. Reads the whole ring once (holes and damaged
 *        records are skipped and not counted); never writes.
 * @param p profile to fill.
 * @param st an initialised store (mtr_store_init()); must outlive @p p.
 * @param cfg configuration; must outlive @p p (usually `static const`).
 * @return MTR_OK; MTR_ERR_PROFILE_PERIOD (capture period not one of 0, 300,
 *         600, 900, 1800, 3600, 86400, or align_offset_s not in
 *         -86399..86399); MTR_ERR_PROFILE_COLUMNS (0 or more than
 *         MTR_CFG_PROFILE_COLUMNS columns, columns NULL, an unknown column
 *         kind, or more than one clock or status column);
 *         MTR_ERR_PROFILE_CAPACITY (capacity 0 or above what the ring always
 *         keeps, mtr_store_capacity()); MTR_ERR_PROFILE_RECORD (the ring's
 *         record_size is below mtr_profile_record_size() of the value
 *         columns); MTR_ERR_STORE_NO_PART, MTR_ERR_STORE_KIND (not a ring),
 *         MTR_ERR_STATE (store not initialised); NVM errors from reading.
 *         On a configuration error @p p is not changed; after an NVM error
 *         it is left not ready (its calls return MTR_ERR_STATE or false).
 */
mtr_err_t mtr_profile_init(struct mtr_profile *p, struct mtr_store *st,
                           const struct mtr_profile_config *cfg);

/**
 * @brief Note status bits for the next entry (power down, clock adjusted,
 *        error, ...). They are OR-ed into the next captured entry and then
 *        cleared. Bits 4 and 6 are ignored (always 0).
 * @param bits MTR_PROFILE_ST_* bits.
 */
void mtr_profile_note(struct mtr_profile *p, uint8_t bits);

/** @brief Status bits noted and not yet captured. */
uint8_t mtr_profile_pending(const struct mtr_profile *p);

/**
 * @brief Is a capture due? True when a capture period boundary lies after
 *        the last capture and at or before @p utc. Boundaries are the times b
 *        with (b + align_offset_s) a multiple of the capture period (UTC
 *        alignment by default; docs/profiles.md). When several boundaries
 *        were skipped (power down, clock set forward), only the latest is
 *        reported: one entry is captured for it, with the noted PDN/CAD; no
 *        entries are made up for the missing periods.
 *        If @p utc is before the last capture although
 *        mtr_profile_clock_changed() was not called (e.g. the clock was set
 *        back while the meter was off), the profile re-bases itself as
 *        mtr_profile_clock_changed() would, and notes CAD.
 * @param utc current time, UTC seconds.
 * @param[out] boundary the latest boundary <= @p utc (may be NULL); set only
 *        when true is returned.
 * @return false when the period is 0 (no automatic capture) or nothing is due.
 */
bool mtr_profile_due(struct mtr_profile *p, mtr_utc_t utc, mtr_utc_t *boundary);

/**
 * @brief The clock was set from @p old_utc to @p new_utc (by more than the
 *        synchronisation limit: the caller decides). Notes CAD. When the
 *        clock went back, the schedule is re-based on the boundary at or
 *        before @p new_utc, so the next boundary after @p new_utc is
 *        captured (not lost) and none at or before it is captured again
 *        right away (not duplicated). When it went forward, boundaries
 *        skipped over are handled by mtr_profile_due() (one entry, latest
 *        boundary).
 */
void mtr_profile_clock_changed(struct mtr_profile *p, mtr_utc_t old_utc, mtr_utc_t new_utc);

/**
 * @brief Capture one entry (class 7 method 2 "capture", or a scheduled
 *        capture at the boundary given by mtr_profile_due()). Appends one
 *        record to the ring: once this returns MTR_OK the entry survives any
 *        power cut; after a power cut during the call, recovery finds either
 *        the entry complete or no trace of it.
 *        The status is @p status | the noted bits; CIV or ERR imply DNV; bits
 *        4 and 6 are cleared. The noted bits are cleared on success only.
 * @param utc capture time, UTC seconds, 0..MTR_PROFILE_UTC_MAX.
 * @param status MTR_PROFILE_ST_* bits to set besides the noted ones (e.g. DST).
 * @param values one per value column, in column order.
 * @param n number of values: must equal the number of value columns.
 * @return MTR_OK; MTR_ERR_PROFILE_VALUES (@p n wrong); MTR_ERR_RANGE (@p utc
 *         out of range); errors of mtr_store_append() (MTR_ERR_POWER: the
 *         entry may or may not be there; re-initialise after power returns).
 *         On error the buffer and the noted bits are unchanged.
 */
mtr_err_t mtr_profile_capture(struct mtr_profile *p, mtr_utc_t utc, uint8_t status,
                              const int64_t *values, size_t n);

/**
 * @brief Empty the buffer (class 7 method 1 "reset"). Power-fail safe: one
 *        reset marker record is appended; records older than the newest
 *        marker are not in the buffer. The capture schedule, the last capture
 *        time and the noted bits are kept.
 * @param utc time of the reset, UTC seconds, 0..MTR_PROFILE_UTC_MAX
 *        (mtr_profile_last_reset()).
 * @return MTR_OK; MTR_ERR_RANGE (@p utc out of range); errors of
 *         mtr_store_append(). On error nothing changed.
 */
mtr_err_t mtr_profile_reset(struct mtr_profile *p, mtr_utc_t utc);

/**
 * @brief Apply a selective access: validate @p sel, count the entries it
 *        matches and set @p cur on the first.
 *        MTR_PROFILE_ALL: every entry, every column (from_col/to_col ignored).
 *        MTR_PROFILE_RANGE: entries whose capture time is in from..to,
 *        inclusive. Binary search while the buffer's capture times never
 *        decrease, a linear scan once the clock went back inside the buffer.
 *        MTR_PROFILE_ENTRY: entries from_entry..to_entry, 1 = the oldest in
 *        the buffer, to_entry 0 = the newest; to_entry beyond the buffer is
 *        cut to the newest; from_entry beyond the buffer gives no entry.
 *        Columns from_col..to_col, 1-based (from_col 0 = 1, to_col 0 = the
 *        last); see mtr_profile_sel_columns().
 * @param[out] cur cursor for mtr_profile_next().
 * @param[out] count entries matching (the A-XDR array length).
 * @return MTR_OK (also when nothing matches: @p count 0);
 *         MTR_ERR_PROFILE_SELECTOR (unknown kind, RANGE to < from, ENTRY
 *         from_entry 0, ENTRY to_entry != 0 and from_entry > to_entry);
 *         MTR_ERR_RANGE (column range outside 1..ncolumns or reversed);
 *         NVM errors. On error @p cur and @p count are not changed.
 */
mtr_err_t mtr_profile_select(struct mtr_profile *p, const struct mtr_profile_sel *sel,
                             struct mtr_profile_cursor *cur, uint32_t *count);

/**
 * @brief Next entry of a selection, oldest first. @p out->v holds the values
 *        of the value columns inside the column range, in column order
 *        (@p out->nvalues of them); utc and status are always filled.
 *        Captures made while a selection is read do not change what it
 *        returns. Entries that left the ring meanwhile are skipped (fewer
 *        than counted may come); a reset meanwhile ends the selection.
 * @param sel the selector given to mtr_profile_select().
 * @param cur cursor from mtr_profile_select(), advanced.
 * @return MTR_OK; MTR_ERR_EMPTY at the end; MTR_ERR_RANGE (bad column
 *         range); NVM errors.
 */
mtr_err_t mtr_profile_next(struct mtr_profile *p, const struct mtr_profile_sel *sel,
                           struct mtr_profile_cursor *cur, struct mtr_profile_entry *out);

/**
 * @brief Columns a selector returns, 1-based inclusive: from_col (0 -> 1) to
 *        to_col (0 -> ncolumns); every column for MTR_PROFILE_ALL.
 * @return MTR_OK; MTR_ERR_RANGE (outside 1..ncolumns, or first > last).
 */
mtr_err_t mtr_profile_sel_columns(const struct mtr_profile *p, const struct mtr_profile_sel *sel,
                                  uint16_t *first, uint16_t *last);

/** @brief Capture objects (attribute 3): the configured columns; @p n gets their number. */
const struct mtr_profile_column *mtr_profile_columns(const struct mtr_profile *p, uint8_t *n);

/**
 * @brief Logical name of the profile (the OBIS code of its configuration,
 *        6 bytes), or NULL for a profile that mtr_profile_init() has not
 *        filled. Inline: it only reads the configuration given at init.
 */
static inline const uint8_t *mtr_profile_logical_name(const struct mtr_profile *p)
{
    return p != NULL && p->cfg != NULL ? p->cfg->obis : NULL;
}

/** @brief Number of value columns (values per capture). */
uint8_t mtr_profile_value_count(const struct mtr_profile *p);

/** @brief Capture period in use (attribute 4), seconds; 0 = no automatic capture. */
uint32_t mtr_profile_capture_period(const struct mtr_profile *p);

/**
 * @brief Set the capture period (attribute 4, writable). Kept in RAM: the
 *        caller persists it with mtr_profile_state_save(). The next boundary
 *        is the first boundary of the new period after the last capture.
 * @return MTR_OK; MTR_ERR_PROFILE_PERIOD (not an allowed period; unchanged).
 */
mtr_err_t mtr_profile_set_period(struct mtr_profile *p, uint32_t period_s);

/** @brief Sort method (attribute 5): always MTR_PROFILE_SORT_FIFO. */
uint8_t mtr_profile_sort_method(const struct mtr_profile *p);

/** @brief Sort object (attribute 6): NULL, none (FIFO sorts by capture order). */
const struct mtr_profile_column *mtr_profile_sort_object(const struct mtr_profile *p);

/** @brief Entries in use (attribute 7): entries in the buffer, 0..profile_entries. */
uint32_t mtr_profile_entries_in_use(const struct mtr_profile *p);

/** @brief Profile entries (attribute 8): the configured capacity (configuration, not writable). */
uint32_t mtr_profile_entries(const struct mtr_profile *p);

/**
 * @brief Capture time of the newest entry ever captured (kept across a reset).
 * @return false if the ring holds no entry and no reset marker.
 */
bool mtr_profile_last_capture(const struct mtr_profile *p, mtr_utc_t *utc);

/**
 * @brief Time of the newest reset still in the ring.
 * @return false if none.
 */
bool mtr_profile_last_reset(const struct mtr_profile *p, mtr_utc_t *utc);

/**
 * @brief Save the run-time state that is not in the ring: the capture period
 *        (if set at run time) and the noted status bits. Layout: version 1,
 *        noted bits, 2 bytes 0, period u32, CRC-32 of the 8 bytes before,
 *        big-endian (docs/profiles.md).
 * @param[out] buf at least MTR_PROFILE_STATE_SIZE bytes.
 * @param[out] len bytes written.
 * @return MTR_OK; MTR_ERR_OVERFLOW (@p cap too small).
 */
mtr_err_t mtr_profile_state_save(const struct mtr_profile *p, uint8_t *buf, size_t cap,
                                 size_t *len);

/**
 * @brief Load a state saved by mtr_profile_state_save() (after
 *        mtr_profile_init()): sets the capture period and ORs the noted bits.
 * @return MTR_OK; MTR_ERR_PROFILE_BLOB (wrong length or invalid values);
 *         MTR_ERR_PROFILE_BLOB_CRC; MTR_ERR_PROFILE_VERSION. On error
 *         nothing changed.
 */
mtr_err_t mtr_profile_state_load(struct mtr_profile *p, const uint8_t *buf, size_t len);

/**
 * @brief Decode one ring record (as read back from NVM). Bounded: checks the
 *        format version, the type, the value count against
 *        MTR_CFG_PROFILE_COLUMNS, the length and the reserved status bits.
 *        An entry fills @p out; a reset marker gives @p out->utc = time of
 *        the reset, nvalues 1 and v[0] = the last capture time before it.
 * @param rec record bytes, @p len of them.
 * @param[out] type ::mtr_profile_rec_type.
 * @param[out] number entry number (a marker: the newest entry's number then).
 * @param[out] out decoded entry.
 * @return MTR_OK; MTR_ERR_PROFILE_VERSION (another format version);
 *         MTR_ERR_PROFILE_FORMAT (anything else wrong). On error @p type,
 *         @p number and @p out are not meaningful.
 */
mtr_err_t mtr_profile_record_decode(const uint8_t *rec, size_t len, uint8_t *type,
                                    uint32_t *number, struct mtr_profile_entry *out);

/* ------------------------------------------------------ the seed's profiles */

/** The profiles of the seed (profiles.json; docs/profiles.md "The seed's profiles"). */
enum mtr_profile_seed {
    MTR_PROFILE_SEED_BILLING1 = 0, /**< billing profile 1, 0-0:98.1.0.255, at billing ends */
    MTR_PROFILE_SEED_LP1 = 1,      /**< load profile 1, 0-0:99.1.0.255, 15 min */
    MTR_PROFILE_SEED_LP2 = 2,      /**< load profile 2, 0-0:99.2.0.255, 1 h */
    MTR_PROFILE_SEED_LP3 = 3,      /**< load profile 3, 1-0:99.3.0.255, daily */
    MTR_PROFILE_SEED_LP4 = 4,      /**< load profile 4, 1-0:99.129.0.255, 10 min, U and I */
    MTR_PROFILE_SEED_LP5 = 5,      /**< load profile 5 / billing profile 2, 1-0:99.130.0.255 */
    MTR_PROFILE_SEED_COUNT = 6
};

/**
 * @brief Fill @p out with one of the seed's profiles: logical name, default
 *        capture period, capacity (MTR_CFG_PROFILE_<name>_ENTRIES) and
 *        columns (const data of the library). Values are those of the
 *        aggregate's mtr_meter_value().
 * @param which ::mtr_profile_seed.
 * @param part the ring partition of the store that will hold it; its
 *        record_size must be at least mtr_profile_seed_record_size().
 * @return MTR_OK; MTR_ERR_RANGE (@p which out of range).
 */
mtr_err_t mtr_profile_seed(unsigned which, uint16_t part, struct mtr_profile_config *out);

/** @brief Smallest ring record_size for seed profile @p which (0: out of range). */
uint32_t mtr_profile_seed_record_size(unsigned which);

/** @brief sizeof(struct mtr_profile), for bindings. */
size_t mtr_profile_size(void);
/** @brief sizeof(struct mtr_profile_entry), for bindings. */
size_t mtr_profile_entry_size(void);
/** @brief MTR_CFG_PROFILE_COLUMNS of this build. */
uint32_t mtr_profile_config_columns(void);

#ifdef __cplusplus
}
#endif

#endif /* METER_PROFILE_H */
