/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The event logs as profiles: their default logical names and capture
 * objects, the check of a caller's log configuration, and the look at a
 * log's ring that recovery uses to tell whether an entry was written.
 */
#include <string.h>

#include "ev_priv.h"
#include "meter/meter.h"

/* Logical names of the logs: seed profiles.json "event_logs" (ST402 section
 * 5.4). The seed gives the security log no OBIS: E = 128 is in the
 * manufacturer-specific range of value group E (IEC 62056-6-1). */
static const uint8_t log_obis[MTR_EVLOG_COUNT][6] = {
    [MTR_EVLOG_STANDARD] = {0, 0, 99, 98, 0, 255},
    [MTR_EVLOG_FRAUD] = {0, 0, 99, 98, 1, 255},
    [MTR_EVLOG_DISCONNECTOR] = {0, 0, 99, 98, 2, 255},
    [MTR_EVLOG_MBUS] = {0, 0, 99, 98, 3, 255},
    [MTR_EVLOG_POWER_QUALITY] = {0, 0, 99, 98, 4, 255},
    [MTR_EVLOG_COMMUNICATION] = {0, 0, 99, 98, 5, 255},
    [MTR_EVLOG_FIRMWARE] = {0, 0, 99, 98, 6, 255},
    [MTR_EVLOG_POWER_FAILURE] = {1, 0, 99, 97, 0, 255},
    [MTR_EVLOG_SECURITY] = {0, 0, 99, 98, 128, 255},
};

/* A-XDR type tags (IEC 62056-6-2) the COSEM layer encodes the values as. */
#define AXDR_DOUBLE_LONG_UNSIGNED 6u
#define AXDR_UNSIGNED             17u
#define UNIT_SECOND               7u /* Blue Book unit enumeration */
#define UNIT_NONE                 255u

#define CLOCK_COL                                                                                  \
    {                                                                                              \
        .kind = MTR_PROFILE_COL_CLOCK, .class_id = 8, .obis = {0, 0, 1, 0, 0, 255}, .attr = 2,     \
        .unit = UNIT_NONE                                                                          \
    }
/* Event code objects 0-0:96.11.e.255 (IDIS: one per event log, class 1). */
#define CODE_COL(e)                                                                                \
    {                                                                                              \
        .kind = MTR_PROFILE_COL_VALUE, .axdr_type = AXDR_UNSIGNED, .class_id = 1,                  \
        .obis = {0, 0, 96, 11, (e), 255}, .attr = 2, .unit = UNIT_NONE                             \
    }

static const struct mtr_profile_column cols_std[2] = {CLOCK_COL, CODE_COL(0)};
static const struct mtr_profile_column cols_fraud[2] = {CLOCK_COL, CODE_COL(1)};
static const struct mtr_profile_column cols_disc[2] = {CLOCK_COL, CODE_COL(2)};
static const struct mtr_profile_column cols_mbus[2] = {CLOCK_COL, CODE_COL(3)};
static const struct mtr_profile_column cols_pq[2] = {CLOCK_COL, CODE_COL(4)};
static const struct mtr_profile_column cols_comm[2] = {CLOCK_COL, CODE_COL(5)};
static const struct mtr_profile_column cols_sec[2] = {CLOCK_COL, CODE_COL(128)};
/* Firmware update log: time, code, FW version (seed 5.4). The legally
 * relevant firmware version 1-0:0.2.0.255 (seed 11.2) is an octet-string
 * ("V030202") and a log value is a number: the column names the numeric
 * twin of the COSEM table, 1-0:0.2.128.255 (E = 128 manufacturer-specific,
 * IEC 62056-6-1), double-long-unsigned, "V03xxyy" read as the number 3xxyy. */
static const struct mtr_profile_column cols_fw[3] = {
    CLOCK_COL,
    CODE_COL(6),
    {.kind = MTR_PROFILE_COL_VALUE,
     .axdr_type = AXDR_DOUBLE_LONG_UNSIGNED,
     .class_id = 1,
     .obis = {1, 0, 0, 2, 128, 255},
     .attr = 2,
     .unit = UNIT_NONE},
};
/* Power failure log: end time, code, start time, duration in s (seed 5.7.2
 * "timestamp, occurrence time and duration"; duration object 0-0:96.7.19.255
 * (class 3, scaler 0, unit s) as DSMR's power failure event log; the start
 * time object 0-0:96.7.128.255 (class 1) is manufacturer-specific, UTC
 * seconds). */
static const struct mtr_profile_column cols_pf[4] = {
    CLOCK_COL,
    CODE_COL(129),
    {.kind = MTR_PROFILE_COL_VALUE,
     .axdr_type = AXDR_DOUBLE_LONG_UNSIGNED,
     .class_id = 1,
     .obis = {0, 0, 96, 7, 128, 255},
     .attr = 2,
     .unit = UNIT_SECOND},
    {.kind = MTR_PROFILE_COL_VALUE,
     .axdr_type = AXDR_DOUBLE_LONG_UNSIGNED,
     .class_id = 3,
     .obis = {0, 0, 96, 7, 19, 255},
     .attr = 2,
     .unit = UNIT_SECOND},
};

static const struct {
    const struct mtr_profile_column *cols;
    uint8_t n;
} log_cols[MTR_EVLOG_COUNT] = {
    [MTR_EVLOG_STANDARD] = {cols_std, 2},      [MTR_EVLOG_FRAUD] = {cols_fraud, 2},
    [MTR_EVLOG_DISCONNECTOR] = {cols_disc, 2}, [MTR_EVLOG_MBUS] = {cols_mbus, 2},
    [MTR_EVLOG_POWER_QUALITY] = {cols_pq, 2},  [MTR_EVLOG_COMMUNICATION] = {cols_comm, 2},
    [MTR_EVLOG_FIRMWARE] = {cols_fw, 3},       [MTR_EVLOG_POWER_FAILURE] = {cols_pf, 4},
    [MTR_EVLOG_SECURITY] = {cols_sec, 2},
};

const uint8_t *mtr_events_log_obis(uint8_t log)
{
    return log < MTR_EVLOG_COUNT ? log_obis[log] : NULL;
}

mtr_err_t mtr_events_log_default(uint8_t log, uint16_t part, uint32_t capacity,
                                 struct mtr_profile_config *out)
{
    MTR_ASSERT(out != NULL);
    if (log >= MTR_EVLOG_COUNT) {
        return MTR_ERR_RANGE;
    }
    memset(out, 0, sizeof *out);
    memcpy(out->obis, log_obis[log], 6);
    out->part = part;
    out->capture_period_s = 0; /* entries come from events only */
    out->capacity = capacity;
    out->columns = log_cols[log].cols;
    out->ncolumns = log_cols[log].n;
    return MTR_OK;
}

uint32_t mtr_events_log_record_size(uint8_t log)
{
    return log < MTR_EVLOG_COUNT ? MTR_PROFILE_RECORD_SIZE(log_cols[log].n - 1u) : 0u;
}

mtr_err_t mtr_events_log_last(struct mtr_events *ev, uint8_t log, mtr_utc_t *utc,
                              int64_t values[MTR_EVENTS_MAX_VALUES])
{
    struct mtr_profile_entry e; /* about 340 bytes: the one large local */
    struct mtr_profile_cursor cur;
    struct mtr_profile_sel sel;
    struct mtr_profile *p;
    uint32_t in_use, count = 0;
    mtr_err_t rc;

    MTR_ASSERT(ev != NULL && values != NULL);
    memset(values, 0, MTR_EVENTS_MAX_VALUES * sizeof values[0]);
    if (log >= MTR_EVLOG_COUNT) {
        return MTR_ERR_RANGE;
    }
    if (!ev->ready) {
        return MTR_ERR_STATE;
    }
    p = mtr_events_log(ev, log);
    if (p == NULL) {
        return MTR_ERR_NOENT;
    }
    in_use = mtr_profile_entries_in_use(p);
    if (in_use == 0) {
        return MTR_ERR_EMPTY;
    }
    memset(&sel, 0, sizeof sel);
    sel.by = MTR_PROFILE_ENTRY;
    sel.from_entry = in_use;
    sel.to_entry = 0;
    rc = mtr_profile_select(p, &sel, &cur, &count);
    if (rc == MTR_OK) {
        rc = count == 0 ? MTR_ERR_EMPTY : mtr_profile_next(p, &sel, &cur, &e);
    }
    if (rc != MTR_OK) {
        return rc;
    }
    for (uint8_t i = 0; i < e.nvalues && i < MTR_EVENTS_MAX_VALUES; i++) {
        values[i] = e.v[i];
    }
    if (utc != NULL) {
        *utc = e.utc;
    }
    return MTR_OK;
}

/* Column 1 the clock, then 1..MTR_EVENTS_MAX_VALUES value columns, the first
 * of them the event code. */
mtr_err_t ev_check_log_cfg(uint8_t log, const struct mtr_profile_config *cfg)
{
    (void)log;
    if (cfg->columns == NULL || cfg->ncolumns < 2 || cfg->ncolumns > 1u + MTR_EVENTS_MAX_VALUES ||
        cfg->columns[0].kind != MTR_PROFILE_COL_CLOCK) {
        return MTR_ERR_CONFIG;
    }
    for (uint8_t i = 1; i < cfg->ncolumns; i++) {
        if (cfg->columns[i].kind != MTR_PROFILE_COL_VALUE) {
            return MTR_ERR_CONFIG;
        }
    }
    return MTR_OK;
}

/* The sequence number of the newest record of @log's ring. */
mtr_err_t ev_ring_mark(struct mtr_events *ev, uint8_t log, uint32_t *mark)
{
    struct mtr_store_stats stats;
    mtr_err_t rc = mtr_store_stats(ev->cfg.store, ev->cfg.log_cfg[log]->part, &stats);
    if (rc == MTR_OK) {
        *mark = stats.newest_seq;
    }
    return rc;
}

/* Positions looked at from the newest back: the records written after the
 * mark are at most a reset marker and an entry, with holes left by power
 * cuts between them (each boot that is cut adds at most one). */
#define INSPECT_MAX 32u

/*
 * Which records newer than @mark (ring sequence number before the operation)
 * @log's ring holds: a reset marker, an entry. Records are told apart by
 * their type byte (meter/profile.h: byte 1 of a record).
 */
mtr_err_t ev_ring_inspect(struct mtr_events *ev, uint8_t log, uint32_t mark, bool *reset_seen,
                          bool *entry_seen)
{
    struct mtr_store *st = ev->cfg.store;
    uint16_t part = ev->cfg.log_cfg[log]->part;
    uint32_t count;
    *reset_seen = false;
    *entry_seen = false;
    mtr_err_t rc = mtr_store_count(st, part, &count);
    if (rc != MTR_OK) {
        return rc;
    }
    for (uint32_t k = 0; k < INSPECT_MAX && k < count; k++) {
        uint8_t rec[EV_REC_MAX];
        size_t len = 0;
        uint32_t seq = 0;
        rc = mtr_store_read(st, part, count - 1u - k, rec, sizeof rec, &len, &seq);
        if (rc == MTR_ERR_NOENT || rc == MTR_ERR_CRC || rc == MTR_ERR_STORE_VERSION ||
            rc == MTR_ERR_OVERFLOW) {
            continue; /* a hole, or not a record of this log's layout */
        }
        if (rc != MTR_OK) {
            return rc;
        }
        if (seq <= mark) {
            break;
        }
        if (len >= 2 && rec[0] == MTR_PROFILE_FORMAT_VERSION) {
            if (rec[1] == MTR_PROFILE_REC_RESET) {
                *reset_seen = true;
            } else if (rec[1] == MTR_PROFILE_REC_ENTRY) {
                *entry_seen = true;
            }
        }
    }
    return MTR_OK;
}
