/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Profiles (class 7 version 1, Blue Book "Profile generic"): the load and
 * billing profiles of the meter (::mtr_meter_engines.profiles, found by
 * their logical name) and the event logs of the events engine
 * (mtr_events_log()). OBIS codes: the seed's profiles.json and
 * obis-objects.csv. See docs/cosem-control.md.
 *
 * Attribute 2 (buffer) is read with the profile engine's selective access
 * (mtr_profile_select() / mtr_profile_next()) and streamed in blocks. The
 * call's two cursor words hold the reading across blocks:
 *   cursor[0]  ring position of the next entry (::mtr_profile_cursor.pos);
 *   cursor[1]  bit 31: the array header is sent; bits 24..30: items of the
 *              current entry already sent; bits 0..23: entries still owed
 *              to the array (its announced count less those sent).
 * An entry whose items span two blocks is read again from its position and
 * its remaining items sent. If entries leave the ring while a long read is
 * going on (fewer than counted), the array is completed with entries of
 * null-data, so that the value stays well formed.
 */
#include "cosem_control.h"

#include <limits.h>
#include <string.h>

#if MTR_WITH_CALENDAR
#include "meter/clock.h"
#endif
#if MTR_WITH_EVENTS
#include "meter/events.h"
#endif

const struct cosem_profile_ref cosem_pg_lp[6] = {
    {COSEM_PG_PROFILE, 0}, {COSEM_PG_PROFILE, 1}, {COSEM_PG_PROFILE, 2},
    {COSEM_PG_PROFILE, 3}, {COSEM_PG_PROFILE, 4}, {COSEM_PG_PROFILE, 5},
};
const struct cosem_profile_ref cosem_pg_log[9] = {
    {COSEM_PG_LOG, 0}, {COSEM_PG_LOG, 1}, {COSEM_PG_LOG, 2}, {COSEM_PG_LOG, 3}, {COSEM_PG_LOG, 4},
    {COSEM_PG_LOG, 5}, {COSEM_PG_LOG, 6}, {COSEM_PG_LOG, 7}, {COSEM_PG_LOG, 8},
};

/* Roles: every reading role reads the profiles; level 3 sets the capture
 * period of a load profile; the management client alone resets (clears) a
 * profile or a log and captures on demand. */
const struct mtr_dlms_access cosem_acc_profile[MTR_CFG_DLMS_PROFILES] =
    COSEM_ACCESS_INIT(COSEM_BIT(1), COSEM_UPTO(8), 0, 0, 0, 0, COSEM_BIT(4), 0, COSEM_BIT(4), COSEM_UPTO(2));
const struct mtr_dlms_access cosem_acc_event_log[MTR_CFG_DLMS_PROFILES] =
    COSEM_ACCESS_MANAGEMENT(COSEM_UPTO(8), 0, COSEM_BIT(1));

/* ================================================================ selective access */

#define SEL_MAX_COLUMNS 64u

static uint64_t col_bit(unsigned k)
{
    return (uint64_t)1u << k;
}

/* A capture_object_definition; @p k its column (ncols: none matches). */
static bool sel_capture_def(struct cosem_in *in, const struct mtr_profile_column *cols, uint8_t ncols,
                            unsigned *k)
{
    uint64_t cls = 0, idx = 0;
    int64_t attr = 0;
    const uint8_t *ln = NULL;
    uint32_t len;

    if (!cosem_get_struct(in, 4) || !cosem_get_uint(in, MTR_DLMS_LONG_UNSIGNED, &cls) ||
        !cosem_get_bytes(in, MTR_DLMS_OCTET_STRING, &ln, &len, 6) || !cosem_get_int(in, MTR_DLMS_INTEGER, &attr) ||
        !cosem_get_uint(in, MTR_DLMS_LONG_UNSIGNED, &idx)) {
        return false;
    }
    for (*k = 0; *k < ncols; (*k)++) {
        const struct mtr_profile_column *col = &cols[*k];
        if (col->class_id == cls && memcmp(col->obis, ln, 6) == 0 && col->attr == attr && col->data_index == idx) {
            break;
        }
    }
    return true;
}

/* from_value / to_value: a date-time (octet-string(12) or date-time) to UTC. */
static bool sel_time(struct cosem_in *in, const struct mtr_dlms_call *c, mtr_utc_t *utc)
{
    struct mtr_dlms_axdr_token t;

    if (!cosem_ctl_get_token(in, &t)) {
        return false;
    }
    if (t.value_len != 12 || !((t.tag == MTR_DLMS_OCTET_STRING && t.count == 12) || t.tag == MTR_DLMS_DATE_TIME)) {
        return cosem_ctl_in_fail(in, MTR_ERR_INVAL);
    }
    if (c != NULL) {
        return cosem_dt_to_utc(c, t.value, utc) == MTR_OK || cosem_ctl_in_fail(in, MTR_ERR_RANGE);
    }
#if MTR_WITH_CALENDAR
    {
        /* no meter (tools, fuzzing): the deviation must be given */
        struct mtr_dlms_datetime d;
        struct mtr_datetime dt;
        if (mtr_dlms_datetime_decode(t.value, &d) != MTR_OK || d.deviation == MTR_DLMS_DEVIATION_NONE) {
            return cosem_ctl_in_fail(in, MTR_ERR_RANGE);
        }
        dt = (struct mtr_datetime){d.year, d.month, d.day, d.dow == 0xFF ? 0 : d.dow, d.hour, d.minute,
                                   d.second, 0, d.deviation, 0};
        return mtr_datetime_to_utc(&dt, utc) == MTR_OK || cosem_ctl_in_fail(in, MTR_ERR_RANGE);
    }
#else
    return cosem_ctl_in_fail(in, MTR_ERR_RANGE);
#endif
}

static mtr_err_t sel_range(struct cosem_in *in, const struct mtr_dlms_call *c, const struct mtr_profile_column *cols,
                           uint8_t ncols, struct cosem_sel *s)
{
    unsigned k = ncols;
    uint32_t n = 0;

    if (!cosem_get_struct(in, 4) || !sel_capture_def(in, cols, ncols, &k)) {
        return cosem_in_end(in);
    }
    /* the restricting object must be the clock column (capture time) */
    if (k >= ncols || cols[k].kind != MTR_PROFILE_COL_CLOCK) {
        return MTR_ERR_RANGE;
    }
    if (!sel_time(in, c, &s->ps.from) || !sel_time(in, c, &s->ps.to) || !cosem_get_array(in, &n)) {
        return cosem_in_end(in);
    }
    for (uint32_t i = 0; i < n; i++) {
        if (!sel_capture_def(in, cols, ncols, &k)) {
            return cosem_in_end(in);
        }
        if (k >= ncols || (s->cols & col_bit(k)) != 0) {
            return MTR_ERR_RANGE; /* not a column of the profile, or twice */
        }
        s->cols |= col_bit(k);
    }
    if (cosem_in_end(in) != MTR_OK) {
        return cosem_in_end(in);
    }
    if (s->ps.to < s->ps.from) {
        return MTR_ERR_RANGE;
    }
    s->ps.by = MTR_PROFILE_RANGE;
    return MTR_OK;
}

static mtr_err_t sel_entry(struct cosem_in *in, uint8_t ncols, struct cosem_sel *s)
{
    uint64_t from = 0, to = 0, first = 0, last = 0;

    if (cosem_get_struct(in, 4) && cosem_get_uint(in, MTR_DLMS_DOUBLE_LONG_UNSIGNED, &from) &&
        cosem_get_uint(in, MTR_DLMS_DOUBLE_LONG_UNSIGNED, &to) && cosem_get_uint(in, MTR_DLMS_LONG_UNSIGNED, &first)) {
        (void)cosem_get_uint(in, MTR_DLMS_LONG_UNSIGNED, &last);
    }
    if (cosem_in_end(in) != MTR_OK) {
        return cosem_in_end(in);
    }
    if (last == 0) {
        last = ncols;
    }
    if (from == 0 || (to != 0 && to < from) || first == 0 || first > last || last > ncols) {
        return MTR_ERR_RANGE;
    }
    s->ps.by = MTR_PROFILE_ENTRY;
    s->ps.from_entry = (uint32_t)from;
    s->ps.to_entry = (uint32_t)to;
    s->cols = 0;
    for (uint64_t k = first - 1u; k < last; k++) {
        s->cols |= col_bit((unsigned)k);
    }
    return MTR_OK;
}

mtr_err_t cosem_sel_decode(const struct mtr_dlms_call *c, uint8_t selector, const uint8_t *sel, size_t len,
                           const struct mtr_profile_column *cols, uint8_t ncols, struct cosem_sel *out)
{
    struct cosem_sel s;
    struct cosem_in in;
    mtr_err_t err;

    if (cols == NULL || ncols == 0 || ncols > SEL_MAX_COLUMNS) {
        return MTR_ERR_RANGE;
    }
    memset(&s, 0, sizeof s);
    s.ps.by = MTR_PROFILE_ALL;
    if (selector == 0) {
        err = MTR_OK;
    } else if (selector == 1 || selector == 2) {
        if (sel == NULL || len == 0) {
            return MTR_ERR_INVAL;
        }
        cosem_in_init(&in, sel, len);
        err = selector == 1 ? sel_range(&in, c, cols, ncols, &s) : sel_entry(&in, ncols, &s);
    } else {
        return MTR_ERR_RANGE; /* access selectors of class 7: 1 and 2 */
    }
    if (err != MTR_OK) {
        return err;
    }
    if (s.cols == 0) {
        s.cols = ncols == SEL_MAX_COLUMNS ? UINT64_MAX : col_bit(ncols) - 1u;
    }
    /* the engine reads the span from the first to the last column sent */
    for (unsigned k = 0; k < ncols; k++) {
        if (s.cols & col_bit(k)) {
            if (s.ps.from_col == 0) {
                s.ps.from_col = (uint16_t)(k + 1u);
            }
            s.ps.to_col = (uint16_t)(k + 1u);
        }
    }
    *out = s;
    return MTR_OK;
}

#if MTR_WITH_PROFILE

/* ================================================================ the object's profile */

static struct mtr_profile *profile_of(const struct mtr_dlms_call *c, const struct cosem_profile_ref **ref)
{
    const struct mtr_meter_engines *e = cosem_engines(c);

    *ref = (const struct cosem_profile_ref *)c->obj->user;
    if (e == NULL) {
        return NULL;
    }
    if ((*ref)->kind == COSEM_PG_LOG) {
#if MTR_WITH_EVENTS
        return e->events != NULL ? mtr_events_log(e->events, (*ref)->index) : NULL;
#else
        return NULL;
#endif
    }
    for (uint8_t i = 0; i < e->nprofiles && e->profiles != NULL; i++) {
        struct mtr_profile *p = e->profiles[i];
        const uint8_t *ln = mtr_profile_logical_name(p);
        if (ln != NULL && memcmp(ln, c->obj->obis, 6) == 0) {
            return p;
        }
    }
    return NULL;
}

/* ================================================================ buffer (attribute 2) */

/* Large locals (an entry, the values of a capture) get a stack frame of their own. */
#if defined(__GNUC__)
#define COSEM_NOINLINE __attribute__((noinline))
#else
#define COSEM_NOINLINE
#endif

#define CUR_HEADER 0x80000000u
#define CUR_ITEM_SHIFT 24
#define CUR_ITEM_MASK 0x7Fu
#define CUR_OWED_MASK 0x00FFFFFFu

static unsigned popcount64(uint64_t v)
{
    unsigned n = 0;
    while (v != 0) {
        v &= v - 1u;
        n++;
    }
    return n;
}

/* One value of a value column, as the column's A-XDR type (0: long64), saturated to it. */
static void put_value(struct cosem_out *o, const struct mtr_dlms_call *c, uint8_t tag, int64_t v)
{
    int64_t lo = INT64_MIN, hi = INT64_MAX;

    switch (tag) {
    case MTR_DLMS_INTEGER:
        lo = INT8_MIN, hi = INT8_MAX;
        break;
    case MTR_DLMS_LONG:
        lo = INT16_MIN, hi = INT16_MAX;
        break;
    case MTR_DLMS_DOUBLE_LONG:
        lo = INT32_MIN, hi = INT32_MAX;
        break;
    case MTR_DLMS_LONG64:
        break;
    case MTR_DLMS_UNSIGNED:
    case MTR_DLMS_ENUM:
        lo = 0, hi = UINT8_MAX;
        break;
    case MTR_DLMS_BOOLEAN:
        lo = 0, hi = 1;
        break;
    case MTR_DLMS_LONG_UNSIGNED:
        lo = 0, hi = UINT16_MAX;
        break;
    case MTR_DLMS_DOUBLE_LONG_UNSIGNED:
        lo = 0, hi = UINT32_MAX;
        break;
    case MTR_DLMS_LONG64_UNSIGNED:
        lo = 0;
        break;
    case MTR_DLMS_OCTET_STRING: /* a time (UTC seconds) sent as a date-time */
    case MTR_DLMS_DATE_TIME:
        cosem_ctl_put_datetime(o, c, v);
        return;
    default:
        tag = MTR_DLMS_LONG64;
        break;
    }
    v = v < lo ? lo : (v > hi ? hi : v);
    if (lo < 0) {
        cosem_put_int(o, tag, v);
    } else {
        cosem_put_uint(o, tag, (uint64_t)v);
    }
}

/* One entry: structure of the selected columns (e == NULL: null-data for each). */
static void put_entry(struct cosem_out *o, const struct mtr_dlms_call *c, const struct mtr_profile_column *cols,
                      const struct cosem_sel *s, const struct mtr_profile_entry *e)
{
    unsigned vi = 0;

    cosem_put_struct(o, popcount64(s->cols));
    for (unsigned k = (unsigned)s->ps.from_col - 1u; k < s->ps.to_col; k++) {
        const struct mtr_profile_column *col = &cols[k];
        int64_t v = 0;
        bool have = e != NULL;

        if (col->kind == MTR_PROFILE_COL_VALUE) {
            have = have && vi < e->nvalues;
            if (have) {
                v = e->v[vi];
            }
            vi++;
        }
        if ((s->cols & col_bit(k)) == 0) {
            continue;
        }
        if (!have) {
            cosem_put_null(o);
        } else if (col->kind == MTR_PROFILE_COL_CLOCK) {
            cosem_ctl_put_datetime(o, c, e->utc);
        } else if (col->kind == MTR_PROFILE_COL_STATUS) {
            cosem_put_uint(o, col->axdr_type != 0 ? col->axdr_type : MTR_DLMS_UNSIGNED, e->status);
        } else {
            put_value(o, c, col->axdr_type, v);
        }
    }
}

/*
 * One entry (the next of the selection, at cursor[0]) into the block.
 * Kept out of buffer_get() so that the entry (MTR_CFG_PROFILE_COLUMNS
 * values) and the selection are not in the same stack frame.
 */
static COSEM_NOINLINE mtr_err_t buffer_entry(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w,
                                             struct mtr_profile *p, const struct mtr_profile_column *cols,
                                             const struct cosem_sel *s)
{
    struct mtr_profile_entry e;
    struct mtr_profile_cursor pc;
    struct cosem_out o;
    uint32_t *cur = c->cursor;
    uint32_t owed = cur[1] & CUR_OWED_MASK;
    uint32_t items = (cur[1] >> CUR_ITEM_SHIFT) & CUR_ITEM_MASK;
    mtr_err_t err;
    bool gone;

    pc.pos = cur[0];
    pc.left = owed;
    err = mtr_profile_next(p, &s->ps, &pc, &e);
    gone = err == MTR_ERR_EMPTY;
    if (err != MTR_OK && !gone) {
        return cosem_ctl_err(err);
    }
    cosem_out_init(&o, c, w);
    o.cursor = &items;
    put_entry(&o, c, cols, s, gone ? NULL : &e);
    err = cosem_out_end(&o);
    if (err != MTR_OK) {
        if (err == MTR_ERR_FULL) {
            /* the entry is read again from its position at the next block */
            cur[1] = CUR_HEADER | (items & CUR_ITEM_MASK) << CUR_ITEM_SHIFT | owed;
        }
        return err;
    }
    if (!gone) {
        cur[0] = pc.pos;
    }
    cur[1] = CUR_HEADER | (owed - 1u);
    return MTR_OK;
}

static mtr_err_t buffer_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w, struct mtr_profile *p)
{
    struct cosem_sel s;
    struct mtr_profile_cursor pc;
    struct cosem_out o;
    const struct mtr_profile_column *cols;
    uint32_t *cur = c->cursor;
    uint32_t items, count;
    uint8_t ncols;
    mtr_err_t err;

    cols = mtr_profile_columns(p, &ncols);
    err = cosem_sel_decode(c, c->selector, c->sel, c->sel_len, cols, ncols, &s);
    if (err != MTR_OK) {
        return err;
    }
    if ((cur[1] & CUR_HEADER) == 0) {
        err = mtr_profile_select(p, &s.ps, &pc, &count);
        if (err == MTR_ERR_PROFILE_SELECTOR || err == MTR_ERR_RANGE) {
            return MTR_ERR_RANGE; /* access parameters out of scope */
        }
        if (err != MTR_OK) {
            return cosem_ctl_err(err);
        }
        if (count > CUR_OWED_MASK) {
            return MTR_ERR_RANGE; /* ask for fewer entries */
        }
        items = 0;
        cosem_out_init(&o, c, w);
        o.cursor = &items;
        cosem_put_array(&o, count);
        if (cosem_out_end(&o) != MTR_OK) {
            return cosem_out_end(&o); /* no room yet: the selection is made again */
        }
        cur[0] = pc.pos;
        cur[1] = CUR_HEADER | count;
    }
    while ((cur[1] & CUR_OWED_MASK) != 0) {
        err = buffer_entry(c, w, p, cols, &s);
        if (err != MTR_OK) {
            return err;
        }
    }
    return MTR_OK;
}

/* ================================================================ attributes and methods */

static const uint8_t OBIS_ZERO[6] = {0, 0, 0, 0, 0, 0};

mtr_err_t cosem_profile_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    const struct cosem_profile_ref *ref;
    struct mtr_profile *p = profile_of(c, &ref);
    const struct mtr_profile_column *cols;
    struct cosem_out o;
    uint8_t n;

    if (p == NULL) {
        return MTR_ERR_NOTSUP;
    }
    if (c->id == 2) {
        return buffer_get(c, w, p);
    }
    if (c->selector != 0) {
        return MTR_ERR_RANGE; /* selective access is defined for the buffer only */
    }
    cosem_out_init(&o, c, w);
    switch (c->id) {
    case 3: /* capture_objects */
        cols = mtr_profile_columns(p, &n);
        cosem_put_array(&o, n);
        for (uint8_t k = 0; k < n; k++) {
            cosem_ctl_put_capture_def(&o, cols[k].class_id, cols[k].obis, cols[k].attr, cols[k].data_index);
        }
        break;
    case 4: /* capture_period, s */
        cosem_put_uint(&o, MTR_DLMS_DOUBLE_LONG_UNSIGNED, mtr_profile_capture_period(p));
        break;
    case 5: /* sort_method */
        cosem_put_uint(&o, MTR_DLMS_ENUM, mtr_profile_sort_method(p));
        break;
    case 6: /* sort_object: none (FIFO) */
        cosem_ctl_put_capture_def(&o, 0, OBIS_ZERO, 0, 0);
        break;
    case 7: /* entries_in_use */
        cosem_put_uint(&o, MTR_DLMS_DOUBLE_LONG_UNSIGNED, mtr_profile_entries_in_use(p));
        break;
    case 8: /* profile_entries */
        cosem_put_uint(&o, MTR_DLMS_DOUBLE_LONG_UNSIGNED, mtr_profile_entries(p));
        break;
    default:
        return MTR_ERR_NOTSUP;
    }
    return cosem_out_end(&o);
}

mtr_err_t cosem_profile_set(const struct mtr_dlms_call *c)
{
    const struct cosem_profile_ref *ref;
    struct mtr_profile *p = profile_of(c, &ref);
    struct cosem_in in;
    uint64_t v = 0;

    if (p == NULL) {
        return MTR_ERR_NOTSUP;
    }
    if (c->id != 4 || ref->kind != COSEM_PG_PROFILE) {
        return MTR_ERR_DLMS_DENIED;
    }
    cosem_in_init(&in, c->data, c->data_len);
    (void)cosem_get_uint(&in, MTR_DLMS_DOUBLE_LONG_UNSIGNED, &v);
    if (cosem_in_end(&in) != MTR_OK) {
        return cosem_in_end(&in);
    }
    return cosem_ctl_err(mtr_profile_set_period(p, (uint32_t)v));
}

#if MTR_WITH_EVENTS
/* Names of event 254 for a cleared profile (seed event-codes.csv). */
static const char *const CLEARED[6] = {
    "Billing profile cleared", "Load profile 1 cleared", "Load profile 2 cleared",
    "Load profile 3 cleared",  "Load profile 4 cleared", "Load profile 5 cleared",
};
#endif

static mtr_err_t profile_reset(const struct mtr_dlms_call *c, const struct cosem_profile_ref *ref,
                               struct mtr_profile *p)
{
    const struct mtr_meter_engines *e = cosem_engines(c);
    mtr_utc_t now = cosem_ctl_now_utc(c);
    mtr_err_t err;

    if (now < 0) {
        return MTR_ERR_IO;
    }
#if MTR_WITH_EVENTS
    if (ref->kind == COSEM_PG_LOG) {
        /* the events engine clears and writes "Event log cleared" (255) first */
        return cosem_ctl_err(mtr_events_clear_log(e->events, ref->index, now));
    }
#endif
    err = mtr_profile_reset(p, now);
    if (err != MTR_OK) {
        return cosem_ctl_err(err);
    }
#if MTR_WITH_EVENTS
    if (e->events != NULL && ref->index < 6) {
        /* the profile is cleared whatever happens to its event (the events
         * engine completes an interrupted raise itself) */
        (void)mtr_events_raise(e->events, 254, CLEARED[ref->index], now, 0);
    }
#else
    (void)e;
#endif
    return MTR_OK;
}

/*
 * capture: one entry now with the meter's values and status, by the
 * aggregate (mtr_meter_profile_capture(): the same values as its scheduled
 * captures).
 */
static mtr_err_t profile_capture(const struct mtr_dlms_call *c, const struct mtr_profile *p)
{
    const struct mtr_meter_engines *e = cosem_engines(c);

    for (uint8_t i = 0; i < e->nprofiles; i++) {
        if (e->profiles[i] == p) {
            mtr_err_t err = mtr_meter_profile_capture(cosem_of(c)->cfg.meter, i);
            return err == MTR_ERR_NOENT ? MTR_ERR_NOTSUP : cosem_ctl_err(err);
        }
    }
    return MTR_ERR_NOTSUP;
}

mtr_err_t cosem_profile_action(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    const struct cosem_profile_ref *ref;
    struct mtr_profile *p = profile_of(c, &ref);
    mtr_err_t err;

    (void)w;
    if (p == NULL) {
        return MTR_ERR_NOTSUP;
    }
    err = cosem_param_integer(c);
    if (err != MTR_OK) {
        return err;
    }
    switch (c->id) {
    case 1: /* reset */
        return profile_reset(c, ref, p);
    case 2: /* capture (load and billing profiles; the logs are written by their events) */
        return ref->kind == COSEM_PG_PROFILE ? profile_capture(c, p) : MTR_ERR_NOTSUP;
    default:
        return MTR_ERR_NOTSUP;
    }
}

#endif /* MTR_WITH_PROFILE */
