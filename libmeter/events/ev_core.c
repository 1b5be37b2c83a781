/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The events engine: lookup, raise, log clear, power failures, error and
 * alarm registers, init and recovery.
 *
 * Every change follows one protocol (docs/events.md, "Persistence"):
 *   1. check the input; refuse it with nothing changed;
 *   2. complete the entries of an earlier operation an error interrupted;
 *   3. apply the change in RAM, with the operation's log entries recorded as
 *      pending (row, logs, time, values, each ring's newest sequence number);
 *   4. commit the snapshot: on failure, undo step 3 and return the error;
 *   5. append the entries; a power cut here is completed by recovery, which
 *      looks in each ring for a record newer than the pending mark.
 */
#include <string.h>

#include "ev_priv.h"
#include "meter/meter.h"

static const uint32_t valid_alarm[2] = {MTR_EVENTS_ALARM1_VALID, MTR_EVENTS_ALARM2_VALID};

/* ---------------------------------------------------------------- lookup */

static bool name_eq(const char *a, const char *b)
{
    return strcmp(a, b) == 0;
}

uint16_t ev_row(uint16_t code)
{
    uint16_t found = EV_NO_ROW;
    for (uint16_t i = 0; i < MTR_EVENTS_CODES; i++) {
        if (mtr_event_table[i].code == code) {
            if (found != EV_NO_ROW) {
                return EV_NO_ROW; /* several rows: the name is needed */
            }
            found = i;
        }
    }
    return found;
}

mtr_err_t mtr_events_find(uint16_t code, const char *name, uint16_t *index)
{
    MTR_ASSERT(index != NULL);
    uint16_t row = EV_NO_ROW;
    if (name == NULL || name[0] == '\0') {
        row = ev_row(code);
    } else {
        for (uint16_t i = 0; i < MTR_EVENTS_CODES; i++) {
            if (mtr_event_table[i].code == code && name_eq(mtr_event_table[i].name, name)) {
                row = i;
                break;
            }
        }
    }
    if (row == EV_NO_ROW) {
        return MTR_ERR_EVENTS_UNKNOWN;
    }
    *index = row;
    return MTR_OK;
}

const struct mtr_event_def *mtr_events_lookup(uint16_t code, const char *name)
{
    uint16_t i;
    return mtr_events_find(code, name, &i) == MTR_OK ? &mtr_event_table[i] : NULL;
}

/* ---------------------------------------------------------------- undo */

/* What a change may modify, saved before it (the per-row counters: only
 * the row raised). */
struct ev_undo {
    uint32_t error, alarm[2], filter[2], descriptor[2];
    mtr_utc_t error_utc;
    uint32_t short_failures;
    uint32_t log_count[MTR_EVLOG_COUNT];
    uint16_t row;
    uint32_t row_count;
    struct mtr_events_pending p;
    uint16_t left;
};

static void undo_save(const struct mtr_events *ev, struct ev_undo *u, uint16_t row)
{
    const struct mtr_events_state *s = &ev->s;
    u->error = s->error;
    u->error_utc = s->error_utc;
    for (size_t r = 0; r < 2; r++) {
        u->alarm[r] = s->alarm[r];
        u->filter[r] = s->filter[r];
        u->descriptor[r] = s->descriptor[r];
    }
    u->short_failures = s->short_failures;
    memcpy(u->log_count, s->log_count, sizeof u->log_count);
    u->row = row;
    u->row_count = row != EV_NO_ROW ? s->code_count[row] : 0;
    u->p = s->p;
    u->left = ev->left;
}

static void undo_restore(struct mtr_events *ev, const struct ev_undo *u)
{
    struct mtr_events_state *s = &ev->s;
    s->error = u->error;
    s->error_utc = u->error_utc;
    for (size_t r = 0; r < 2; r++) {
        s->alarm[r] = u->alarm[r];
        s->filter[r] = u->filter[r];
        s->descriptor[r] = u->descriptor[r];
    }
    s->short_failures = u->short_failures;
    memcpy(s->log_count, u->log_count, sizeof s->log_count);
    if (u->row != EV_NO_ROW) {
        s->code_count[u->row] = u->row_count;
    }
    s->p = u->p;
    ev->left = u->left;
}

/* ---------------------------------------------------------------- commit */

static void inc(uint32_t *c)
{
    *c += *c != UINT32_MAX ? 1u : 0u; /* saturate: never wraps back to 0 */
}

/* Commit the state. An operation whose entries are all written is dropped
 * from it first (it needs no recovery any more). */
static mtr_err_t commit(struct mtr_events *ev)
{
    if (ev->left == 0 && ev->s.p.op != MTR_EVENTS_OP_NONE) {
        memset(&ev->s.p, 0, sizeof ev->s.p);
    }
    ev_encode(&ev->s, ev->blob);
    return mtr_store_commit(ev->cfg.store, ev->cfg.state_part, ev->blob, MTR_EVENTS_BLOB_SIZE);
}

/* ---------------------------------------------------------------- entries */

/* Append the pending operation's entry to @log (after a reset for a clear). */
static mtr_err_t write_entry(struct mtr_events *ev, uint8_t log, bool check)
{
    const struct mtr_events_pending *p = &ev->s.p;
    struct mtr_profile *prof = ev->cfg.log[log];
    bool reset_seen = false;
    bool entry_seen = false;
    mtr_err_t rc;
    if (check) {
        rc = ev_ring_inspect(ev, log, p->mark[log], &reset_seen, &entry_seen);
        if (rc != MTR_OK) {
            return rc;
        }
        if (entry_seen) {
            return MTR_OK; /* written before the power cut */
        }
    }
    if (p->op == MTR_EVENTS_OP_CLEAR && !reset_seen) {
        rc = mtr_profile_reset(prof, p->utc);
        if (rc != MTR_OK) {
            return rc;
        }
    }
    int64_t v[MTR_EVENTS_MAX_VALUES];
    if (p->op == MTR_EVENTS_OP_POWER) {
        v[0] = EV_CODE_POWER_DOWN;
    } else {
        v[0] = mtr_event_table[p->index].code;
    }
    v[1] = p->value;
    v[2] = p->value2;
    size_t n = mtr_profile_value_count(prof);
    return mtr_profile_capture(prof, p->utc, 0, v, n);
}

/* Write the entries of the pending operation still missing (ev->left).
 * @check: look in each ring first for an entry written before a power cut. */
mtr_err_t ev_finish(struct mtr_events *ev, bool check)
{
    for (uint8_t log = 0; log < MTR_EVLOG_COUNT; log++) {
        uint16_t bit = (uint16_t)(1u << log);
        if ((ev->left & bit) == 0) {
            continue;
        }
        mtr_err_t rc = write_entry(ev, log, check);
        if (rc != MTR_OK) {
            return rc;
        }
        ev->left &= (uint16_t)~bit;
    }
    return MTR_OK;
}

/* Before a new change: the entries an earlier error left out. Once the
 * pending operation is not fresh from this boot's own writes, the rings
 * are looked at first. */
static mtr_err_t settle(struct mtr_events *ev)
{
    return ev->left != 0 ? ev_finish(ev, true) : MTR_OK;
}

static void push(struct mtr_events *ev, const uint32_t newbits[2])
{
    for (uint8_t r = 0; r < 2; r++) {
        if (newbits[r] != 0 && ev->cfg.on_alarm != NULL) {
            ev->cfg.on_alarm(ev->cfg.user, (uint8_t)(r + 1u), newbits[r]);
        }
    }
}

/* Steps 4 and 5 of a change prepared in RAM (undo saved in @u). */
static mtr_err_t run(struct mtr_events *ev, const struct ev_undo *u, const uint32_t newbits[2])
{
    mtr_err_t rc = commit(ev);
    if (rc != MTR_OK) {
        undo_restore(ev, u);
        return rc;
    }
    rc = ev_finish(ev, false);
    push(ev, newbits);
    return rc;
}

/* Alarm bits of an occurrence: the descriptor latches all of them, the
 * register those its filter lets through; @newbits gets the bits that went
 * from 0 to 1 in the register. */
static void alarm_apply(struct mtr_events *ev, uint8_t r, uint32_t bits, uint32_t *newbits)
{
    struct mtr_events_state *s = &ev->s;
    bits &= valid_alarm[r];
    s->descriptor[r] |= bits;
    uint32_t through = bits & s->filter[r];
    *newbits |= through & ~s->alarm[r];
    s->alarm[r] |= through;
}

static void error_apply(struct mtr_events *ev, uint32_t set, uint32_t clear, mtr_utc_t utc)
{
    struct mtr_events_state *s = &ev->s;
    uint32_t e = (s->error | set) & ~clear;
    if (e != s->error) {
        s->error = e;
        s->error_utc = utc;
    }
}

/* Step 3 of a raise of @row: counters, alarm and error bits, the pending
 * entries. Marks must have been read (they fail without a change). */
static void raise_apply(struct mtr_events *ev, uint16_t row, mtr_utc_t utc, int64_t value,
                        uint16_t logs, const uint32_t mark[MTR_EVLOG_COUNT], uint32_t newbits[2])
{
    const struct mtr_event_def *d = &mtr_event_table[row];
    struct mtr_events_state *s = &ev->s;
    inc(&s->code_count[row]);
    for (uint8_t log = 0; log < MTR_EVLOG_COUNT; log++) {
        if (logs & (1u << log)) {
            inc(&s->log_count[log]);
        }
    }
    alarm_apply(ev, 0, d->alarm1, &newbits[0]);
    alarm_apply(ev, 1, d->alarm2, &newbits[1]);
    error_apply(ev, d->error_set, d->error_clear, utc);
    memset(&s->p, 0, sizeof s->p);
    if (logs != 0) {
        s->p.op = MTR_EVENTS_OP_RAISE;
        s->p.index = row;
        s->p.logs = logs;
        s->p.utc = utc;
        s->p.value = value;
        memcpy(s->p.mark, mark, sizeof s->p.mark);
    }
    ev->left = logs;
}

static bool time_ok(mtr_utc_t t)
{
    return t >= 0 && t <= MTR_PROFILE_UTC_MAX;
}

static mtr_err_t read_marks(struct mtr_events *ev, uint16_t logs, uint32_t mark[MTR_EVLOG_COUNT])
{
    memset(mark, 0, sizeof(uint32_t) * MTR_EVLOG_COUNT);
    for (uint8_t log = 0; log < MTR_EVLOG_COUNT; log++) {
        if (logs & (1u << log)) {
            mtr_err_t rc = ev_ring_mark(ev, log, &mark[log]);
            if (rc != MTR_OK) {
                return rc;
            }
        }
    }
    return MTR_OK;
}

/* A raise of a checked row, after an optional change already applied in
 * RAM since @u was saved (the clear of a register that the event records). */
static mtr_err_t raise_row(struct mtr_events *ev, struct ev_undo *u, uint16_t row, mtr_utc_t utc,
                           int64_t value)
{
    uint16_t logs = mtr_event_table[row].logs & ev->kept;
    uint32_t mark[MTR_EVLOG_COUNT];
    uint32_t newbits[2] = {0, 0};
    mtr_err_t rc = read_marks(ev, logs, mark);
    if (rc != MTR_OK) {
        undo_restore(ev, u);
        return rc;
    }
    raise_apply(ev, row, utc, value, logs, mark, newbits);
    return run(ev, u, newbits);
}

static mtr_err_t begin(struct mtr_events *ev)
{
    if (!ev->ready) {
        return MTR_ERR_STATE;
    }
    return settle(ev);
}

mtr_err_t mtr_events_raise_index(struct mtr_events *ev, uint16_t index, mtr_utc_t utc,
                                 int64_t value)
{
    MTR_ASSERT(ev != NULL);
    if (index >= MTR_EVENTS_CODES) {
        return MTR_ERR_EVENTS_UNKNOWN;
    }
    if (!time_ok(utc)) {
        return MTR_ERR_EVENTS_TIME;
    }
    mtr_err_t rc = begin(ev);
    if (rc != MTR_OK) {
        return rc;
    }
    struct ev_undo u;
    undo_save(ev, &u, index);
    return raise_row(ev, &u, index, utc, value);
}

mtr_err_t mtr_events_raise(struct mtr_events *ev, uint16_t code, const char *name, mtr_utc_t utc,
                           int64_t value)
{
    MTR_ASSERT(ev != NULL);
    uint16_t row;
    mtr_err_t rc = mtr_events_find(code, name, &row);
    if (rc != MTR_OK) {
        return rc;
    }
    return mtr_events_raise_index(ev, row, utc, value);
}

mtr_err_t mtr_events_clear_log(struct mtr_events *ev, uint8_t log, mtr_utc_t utc)
{
    MTR_ASSERT(ev != NULL);
    if (log >= MTR_EVLOG_COUNT) {
        return MTR_ERR_RANGE;
    }
    if (!time_ok(utc)) {
        return MTR_ERR_EVENTS_TIME;
    }
    if (!ev->ready) {
        return MTR_ERR_STATE;
    }
    if ((ev->kept & (1u << log)) == 0) {
        return MTR_ERR_NOENT;
    }
    mtr_err_t rc = settle(ev);
    if (rc != MTR_OK) {
        return rc;
    }
    uint16_t row = ev_row(EV_CODE_LOG_CLEARED);
    uint32_t mark;
    rc = ev_ring_mark(ev, log, &mark);
    if (rc != MTR_OK) {
        return rc;
    }
    struct ev_undo u;
    undo_save(ev, &u, row);
    struct mtr_events_state *s = &ev->s;
    inc(&s->code_count[row]);
    inc(&s->log_count[log]);
    memset(&s->p, 0, sizeof s->p);
    s->p.op = MTR_EVENTS_OP_CLEAR;
    s->p.index = row;
    s->p.logs = (uint16_t)(1u << log);
    s->p.utc = utc;
    s->p.mark[log] = mark;
    ev->left = s->p.logs;
    const uint32_t none[2] = {0, 0};
    return run(ev, &u, none);
}

mtr_err_t mtr_events_power_failure(struct mtr_events *ev, mtr_utc_t start_utc, mtr_utc_t end_utc)
{
    MTR_ASSERT(ev != NULL);
    if (!time_ok(start_utc) || !time_ok(end_utc) || start_utc > end_utc) {
        return MTR_ERR_EVENTS_TIME;
    }
    if (!ev->ready) {
        return MTR_ERR_STATE;
    }
    uint32_t limit =
        ev->cfg.long_failure_s != 0 ? ev->cfg.long_failure_s : MTR_EVENTS_LONG_FAILURE_S;
    bool is_long = end_utc - start_utc >= (mtr_utc_t)limit;
    const uint8_t log = MTR_EVLOG_POWER_FAILURE;
    if (is_long && (ev->kept & (1u << log)) == 0) {
        return MTR_ERR_NOENT;
    }
    mtr_err_t rc = settle(ev);
    if (rc != MTR_OK) {
        return rc;
    }
    uint32_t mark = 0;
    if (is_long) {
        rc = ev_ring_mark(ev, log, &mark);
        if (rc != MTR_OK) {
            return rc;
        }
    }
    struct ev_undo u;
    undo_save(ev, &u, EV_NO_ROW);
    struct mtr_events_state *s = &ev->s;
    if (is_long) {
        inc(&s->log_count[log]);
        memset(&s->p, 0, sizeof s->p);
        s->p.op = MTR_EVENTS_OP_POWER;
        s->p.logs = (uint16_t)(1u << log);
        s->p.utc = end_utc;
        s->p.value = start_utc;
        s->p.value2 = end_utc - start_utc;
        s->p.mark[log] = mark;
        ev->left = s->p.logs;
    } else {
        inc(&s->short_failures);
    }
    const uint32_t none[2] = {0, 0};
    return run(ev, &u, none);
}

/* ---------------------------------------------------------------- error register */

static mtr_err_t error_change(struct mtr_events *ev, uint32_t set, uint32_t clear, mtr_utc_t utc)
{
    MTR_ASSERT(ev != NULL);
    if (((set | clear) & ~MTR_EVENTS_ERROR_VALID) != 0) {
        return MTR_ERR_EVENTS_RESERVED;
    }
    if (!time_ok(utc)) {
        return MTR_ERR_EVENTS_TIME;
    }
    mtr_err_t rc = begin(ev);
    if (rc != MTR_OK) {
        return rc;
    }
    uint32_t e = (ev->s.error | set) & ~clear;
    if (e == ev->s.error) {
        return MTR_OK; /* nothing to commit */
    }
    struct ev_undo u;
    undo_save(ev, &u, EV_NO_ROW);
    error_apply(ev, set, clear, utc);
    const uint32_t none[2] = {0, 0};
    return run(ev, &u, none);
}

mtr_err_t mtr_events_error_set(struct mtr_events *ev, uint32_t mask, mtr_utc_t utc)
{
    return error_change(ev, mask, 0, utc);
}

mtr_err_t mtr_events_error_clear(struct mtr_events *ev, uint32_t mask, mtr_utc_t utc)
{
    return error_change(ev, 0, mask, utc);
}

mtr_err_t mtr_events_error_write(struct mtr_events *ev, uint32_t value, mtr_utc_t utc)
{
    MTR_ASSERT(ev != NULL);
    if (value != 0) {
        return MTR_ERR_EVENTS_VALUE;
    }
    if (!time_ok(utc)) {
        return MTR_ERR_EVENTS_TIME;
    }
    mtr_err_t rc = begin(ev);
    if (rc != MTR_OK) {
        return rc;
    }
    uint16_t row = ev_row(EV_CODE_ERROR_CLEARED);
    struct ev_undo u;
    undo_save(ev, &u, row);
    error_apply(ev, 0, UINT32_MAX, utc);
    return raise_row(ev, &u, row, utc, 0);
}

uint32_t mtr_events_error(const struct mtr_events *ev)
{
    MTR_ASSERT(ev != NULL);
    return ev->s.error;
}

mtr_utc_t mtr_events_error_time(const struct mtr_events *ev)
{
    MTR_ASSERT(ev != NULL);
    return ev->s.error_utc;
}

/* ---------------------------------------------------------------- alarms */

static mtr_err_t check_reg(uint8_t reg, uint32_t bits)
{
    if (reg != MTR_EVENTS_ALARM1 && reg != MTR_EVENTS_ALARM2) {
        return MTR_ERR_RANGE;
    }
    return (bits & ~valid_alarm[reg - 1u]) != 0 ? MTR_ERR_EVENTS_RESERVED : MTR_OK;
}

mtr_err_t mtr_events_alarm_set(struct mtr_events *ev, uint8_t reg, uint32_t mask, mtr_utc_t utc)
{
    MTR_ASSERT(ev != NULL);
    mtr_err_t rc = check_reg(reg, mask);
    if (rc != MTR_OK) {
        return rc;
    }
    if (!time_ok(utc)) {
        return MTR_ERR_EVENTS_TIME;
    }
    rc = begin(ev);
    if (rc != MTR_OK) {
        return rc;
    }
    uint8_t r = (uint8_t)(reg - 1u);
    if ((mask & ~ev->s.descriptor[r]) == 0 && (mask & ev->s.filter[r] & ~ev->s.alarm[r]) == 0) {
        return MTR_OK; /* already latched and set: nothing to commit */
    }
    struct ev_undo u;
    undo_save(ev, &u, EV_NO_ROW);
    uint32_t newbits[2] = {0, 0};
    alarm_apply(ev, r, mask, &newbits[r]);
    return run(ev, &u, newbits);
}

mtr_err_t mtr_events_alarm_write(struct mtr_events *ev, uint8_t reg, uint32_t value, mtr_utc_t utc)
{
    MTR_ASSERT(ev != NULL);
    mtr_err_t rc = check_reg(reg, value);
    if (rc != MTR_OK) {
        return rc;
    }
    if (!time_ok(utc)) {
        return MTR_ERR_EVENTS_TIME;
    }
    rc = begin(ev);
    if (rc != MTR_OK) {
        return rc;
    }
    uint16_t row = ev_row(EV_CODE_ALARM_CLEARED);
    struct ev_undo u;
    undo_save(ev, &u, row);
    ev->s.alarm[reg - 1u] &= ~value;
    return raise_row(ev, &u, row, utc, 0);
}

static mtr_err_t reg_write(struct mtr_events *ev, uint8_t reg, uint32_t value, bool filter)
{
    MTR_ASSERT(ev != NULL);
    mtr_err_t rc = check_reg(reg, value);
    if (rc != MTR_OK) {
        return rc;
    }
    rc = begin(ev);
    if (rc != MTR_OK) {
        return rc;
    }
    uint8_t r = (uint8_t)(reg - 1u);
    uint32_t *target = filter ? &ev->s.filter[r] : &ev->s.descriptor[r];
    uint32_t v = filter ? value : *target & ~value;
    if (v == *target) {
        return MTR_OK;
    }
    struct ev_undo u;
    undo_save(ev, &u, EV_NO_ROW);
    *target = v;
    const uint32_t none[2] = {0, 0};
    return run(ev, &u, none);
}

mtr_err_t mtr_events_filter_write(struct mtr_events *ev, uint8_t reg, uint32_t value)
{
    return reg_write(ev, reg, value, true);
}

mtr_err_t mtr_events_descriptor_write(struct mtr_events *ev, uint8_t reg, uint32_t value)
{
    return reg_write(ev, reg, value, false);
}

uint32_t mtr_events_alarm(const struct mtr_events *ev, uint8_t reg)
{
    MTR_ASSERT(ev != NULL);
    return reg == 1u || reg == 2u ? ev->s.alarm[reg - 1u] : 0u;
}

uint32_t mtr_events_filter(const struct mtr_events *ev, uint8_t reg)
{
    MTR_ASSERT(ev != NULL);
    return reg == 1u || reg == 2u ? ev->s.filter[reg - 1u] : 0u;
}

uint32_t mtr_events_descriptor(const struct mtr_events *ev, uint8_t reg)
{
    MTR_ASSERT(ev != NULL);
    return reg == 1u || reg == 2u ? ev->s.descriptor[reg - 1u] : 0u;
}

/* ---------------------------------------------------------------- accessors */

struct mtr_profile *mtr_events_log(struct mtr_events *ev, uint8_t log)
{
    MTR_ASSERT(ev != NULL);
    return log < MTR_EVLOG_COUNT && (ev->kept & (1u << log)) ? ev->cfg.log[log] : NULL;
}

uint32_t mtr_events_log_count(const struct mtr_events *ev, uint8_t log)
{
    MTR_ASSERT(ev != NULL);
    return log < MTR_EVLOG_COUNT ? ev->s.log_count[log] : 0u;
}

uint32_t mtr_events_code_count(const struct mtr_events *ev, uint16_t index)
{
    MTR_ASSERT(ev != NULL);
    return index < MTR_EVENTS_CODES ? ev->s.code_count[index] : 0u;
}

uint32_t mtr_events_short_failures(const struct mtr_events *ev)
{
    MTR_ASSERT(ev != NULL);
    return ev->s.short_failures;
}

uint8_t mtr_events_restored(const struct mtr_events *ev, mtr_err_t *why)
{
    MTR_ASSERT(ev != NULL);
    if (why != NULL) {
        *why = ev->restore_err;
    }
    return ev->restore;
}

/* ---------------------------------------------------------------- init */

static mtr_err_t check_config(const struct mtr_events_config *cfg, uint16_t *kept)
{
    *kept = 0;
    for (uint8_t log = 0; log < MTR_EVLOG_COUNT; log++) {
        if (cfg->log[log] == NULL && cfg->log_cfg[log] == NULL) {
            continue;
        }
        if (cfg->log[log] == NULL || cfg->log_cfg[log] == NULL) {
            return MTR_ERR_CONFIG;
        }
        mtr_err_t rc = ev_check_log_cfg(log, cfg->log_cfg[log]);
        if (rc != MTR_OK) {
            return rc;
        }
        uint16_t part = cfg->log_cfg[log]->part;
        if (part == cfg->state_part) {
            return MTR_ERR_CONFIG;
        }
        for (uint8_t o = 0; o < log; o++) {
            if ((*kept & (1u << o)) && cfg->log_cfg[o]->part == part) {
                return MTR_ERR_CONFIG; /* two logs in one ring */
            }
        }
        *kept |= (uint16_t)(1u << log);
    }
    return MTR_OK;
}

mtr_err_t mtr_events_init(struct mtr_events *ev, const struct mtr_events_config *cfg)
{
    MTR_ASSERT(ev != NULL && cfg != NULL && cfg->store != NULL);
    ev->ready = false;
    uint16_t kept;
    mtr_err_t rc = check_config(cfg, &kept);
    if (rc != MTR_OK) {
        return rc;
    }
    uint32_t rs;
    rc = mtr_store_record_size(cfg->store, cfg->state_part, &rs);
    if (rc != MTR_OK) {
        return rc;
    }
    if (rs < MTR_EVENTS_BLOB_SIZE) {
        return MTR_ERR_CONFIG; /* every commit would fail */
    }
    memset(ev, 0, sizeof *ev);
    ev->cfg = *cfg;
    for (uint8_t log = 0; log < MTR_EVLOG_COUNT; log++) {
        if (kept & (1u << log)) {
            rc = mtr_profile_init(cfg->log[log], cfg->store, cfg->log_cfg[log]);
            if (rc != MTR_OK) {
                return rc;
            }
        }
    }
    ev->kept = kept;
    ev_defaults(&ev->s);
    size_t len = 0;
    rc = mtr_store_load(cfg->store, cfg->state_part, ev->blob, sizeof ev->blob, &len, NULL);
    if (rc == MTR_ERR_NOENT) {
        ev->restore = MTR_EVENTS_MISSING;
    } else if (rc == MTR_ERR_OVERFLOW) {
        ev->restore = MTR_EVENTS_REFUSED; /* a larger record than any layout of ours */
        ev->restore_err = MTR_ERR_EVENTS_BLOB;
    } else if (rc != MTR_OK) {
        return rc;
    } else {
        rc = ev_check_blob(ev->blob, len);
        if (rc == MTR_OK) {
            ev_decode(ev->blob, &ev->s);
            ev->restore = MTR_EVENTS_RESTORED;
        } else {
            ev->restore = MTR_EVENTS_REFUSED;
            ev->restore_err = rc;
        }
    }
    if (ev->restore != MTR_EVENTS_RESTORED) {
        /* Without a saved state, the entries in each log are a floor for
         * its counter. */
        for (uint8_t log = 0; log < MTR_EVLOG_COUNT; log++) {
            if (kept & (1u << log)) {
                ev->s.log_count[log] = mtr_profile_entries_in_use(cfg->log[log]);
            }
        }
    }
    ev->ready = true;
    /* Recovery: the entries of the operation in progress at a power cut. */
    ev->left = ev->s.p.logs & ev->kept;
    return ev_finish(ev, true);
}
