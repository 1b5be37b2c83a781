/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Push setups (class 40 version 0) and push action schedulers (class 22),
 * Blue Book 4.4.8 and 4.5.7; seed st402-comms.json "push" (section 5.8).
 *
 * A push reads the values of its push_object_list through the table's own
 * get callbacks, wraps them in a data-notification (a structure of the
 * values, no date-time), protects it when push_policy asks for it and hands
 * it to the application's push_send hook. A push is started by its method
 * 1, by its scheduler (intervals 1..3), by an alarm (mtr_cosem_push_alarm())
 * or by the application (mtr_cosem_push_trigger()); mtr_cosem_tick() makes
 * the attempts when they are due: after a random delay of up to
 * randomisation_start_interval, inside a communication window, and again
 * after repetition_delay up to number_of_retries times while push_send fails.
 */
#include "cosem_sys.h"

#include <string.h>

#define DAY       86400
#define PLAN_DAYS 400 /* a scheduler entry that matches no day in this many is idle */

/* The IDIS push script table (executed_script of the schedulers). */
static const uint8_t ln_push_script[6] = MTR_COSEM_PUSH_SCRIPT_TABLE;

/* ------------------------------------------------------------ civil time */

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Date of day @p days since 1970-01-01 (proleptic Gregorian). */
static void civil(int64_t days, int32_t *y, uint8_t *m, uint8_t *d)
{
    int64_t z = days + 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t dd = doy - (153 * mp + 2) / 5 + 1;
    int64_t mm = mp < 10 ? mp + 3 : mp - 9;

    *y = (int32_t)(yoe + era * 400 + (mm <= 2));
    *m = (uint8_t)mm;
    *d = (uint8_t)dd;
}

static uint8_t month_days(int32_t y, uint8_t m)
{
    static const uint8_t md[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return (uint8_t)(md[m - 1] + (m == 2 && leap));
}

/* Local time broken down: year, month, day, hour, minute, second. */
struct fields {
    int32_t v[6];
};

static void split(int64_t t, struct fields *f)
{
    int64_t days = floor_div(t, DAY);
    int64_t s = t - days * DAY;
    uint8_t m, d;

    civil(days, &f->v[0], &m, &d);
    f->v[1] = m;
    f->v[2] = d;
    f->v[3] = (int32_t)(s / 3600);
    f->v[4] = (int32_t)(s / 60 % 60);
    f->v[5] = (int32_t)(s % 60);
}

/* Fields of a COSEM date-time pattern, -1 where not specified (also the
 * DST/last-day markers, which windows treat as "any"). */
static void pattern(const uint8_t dt[12], struct fields *f)
{
    uint16_t y = (uint16_t)(dt[0] << 8 | dt[1]);

    f->v[0] = y == 0xFFFF ? -1 : y;
    f->v[1] = dt[2] >= 1 && dt[2] <= 12 ? dt[2] : -1;
    f->v[2] = dt[3] >= 1 && dt[3] <= 31 ? dt[3] : -1;
    f->v[3] = dt[5] == 0xFF ? -1 : dt[5];
    f->v[4] = dt[6] == 0xFF ? -1 : dt[6];
    f->v[5] = dt[7] == 0xFF ? -1 : dt[7];
}

/* Compare on the fields both specify, most significant first. */
static int cmp(const struct fields *a, const struct fields *b)
{
    for (unsigned k = 0; k < 6; k++) {
        if (a->v[k] < 0 || b->v[k] < 0 || a->v[k] == b->v[k])
            continue;
        return a->v[k] < b->v[k] ? -1 : 1;
    }
    return 0;
}

/* Inside a communication window (none: always). A window whose start comes
 * after its end (e.g. 22:00 to 06:00 every day) wraps around. */
static bool in_window(const struct mtr_cosem_push_setup *ps, int64_t local)
{
    struct fields now, s, e;

    if (ps->nwindows == 0 || ps->windows == NULL)
        return true;
    split(local, &now);
    for (uint8_t k = 0; k < ps->nwindows; k++) {
        bool after, before;
        pattern(ps->windows[k], &s);
        pattern(ps->windows[k] + 12, &e);
        after = cmp(&now, &s) >= 0;
        before = cmp(&now, &e) <= 0;
        if (cmp(&s, &e) <= 0 ? (after && before) : (after || before))
            return true;
    }
    return false;
}

/* Does day @p days match the date pattern (year, month, day, day of week)? */
static bool date_match(const uint8_t date[5], int64_t days)
{
    int32_t y;
    uint8_t m, d;
    uint16_t py = (uint16_t)(date[0] << 8 | date[1]);
    uint8_t dow =
        (uint8_t)(days + 3 - floor_div(days + 3, 7) * 7 + 1); /* 1970-01-01: Thursday (4) */

    civil(days, &y, &m, &d);
    if (py != 0xFFFF && py != y)
        return false;
    if (date[2] >= 1 && date[2] <= 12 && date[2] != m)
        return false;
    if (date[3] == 0xFE && d != month_days(y, m))
        return false;
    if (date[3] == 0xFD && d != month_days(y, m) - 1)
        return false;
    if (date[3] >= 1 && date[3] <= 31 && date[3] != d)
        return false;
    return date[4] == 0xFF || date[4] == dow;
}

/* First second of the day >= @p from matching the time pattern, or -1. */
static int32_t tod_next(const uint8_t tm[4], int32_t from)
{
    int32_t h0 = from / 3600, m0 = from / 60 % 60, s0 = from % 60;

    for (int32_t h = h0; h < 24; h++) {
        if (tm[0] != 0xFF && tm[0] != h)
            continue;
        for (int32_t m = h == h0 ? m0 : 0; m < 60; m++) {
            int32_t lo = (h == h0 && m == m0) ? s0 : 0;
            if (tm[1] != 0xFF && tm[1] != m)
                continue;
            if (tm[2] == 0xFF)
                return h * 3600 + m * 60 + lo;
            if (tm[2] >= lo && tm[2] < 60)
                return h * 3600 + m * 60 + tm[2];
        }
    }
    return -1;
}

/* Earliest local time > @p after matching an entry of @p s; false if none within PLAN_DAYS. */
static bool plan(const struct mtr_cosem_schedule *s, int64_t after, int64_t *next)
{
    int64_t start = after + 1;
    int64_t day0 = floor_div(start, DAY);
    int32_t tod = (int32_t)(start - day0 * DAY);
    bool found = false;

    for (uint8_t k = 0; k < s->ntimes; k++) {
        for (int64_t d = 0; d < PLAN_DAYS; d++) {
            int32_t t;
            if (found && (day0 + d) * DAY > *next)
                break;
            if (!date_match(s->times[k] + 4, day0 + d))
                continue;
            t = tod_next(s->times[k], d == 0 ? tod : 0);
            if (t < 0)
                continue;
            if (!found || (day0 + d) * DAY + t < *next)
                *next = (day0 + d) * DAY + t;
            found = true;
            break;
        }
    }
    return found;
}

/* ------------------------------------------------------------ sending */

static bool push_ready(const struct mtr_cosem *c)
{
    return c->cfg.push != NULL && c->cfg.push_send != NULL && c->cfg.push_buf != NULL &&
           c->cfg.push_buf_size >= 64;
}

/* Drop what an item wrote after @p len (a value whose read failed). */
static void unwrite(struct mtr_dlms_axdr_writer *w, size_t len, uint32_t total)
{
    w->len = len;
    w->total = total;
    w->cur = w->nseg;
}

/* The value of one capture object, or null-data when it cannot be read. */
static mtr_err_t put_value(struct mtr_cosem *c, const struct mtr_cosem_capture *cap,
                           struct mtr_dlms_axdr_writer *w)
{
    const struct mtr_dlms_obj *o = cosem_find(cap->class_id, cap->obis);
    size_t len = w->len;
    uint32_t total = w->total;
    mtr_err_t err = MTR_ERR_NOENT;

    if (!mtr_dlms_server_room(w))
        return MTR_ERR_FULL;
    if (o != NULL && cap->attr == 1)
        return mtr_dlms_axdr_put_string(w, MTR_DLMS_OCTET_STRING, o->obis, 6);
    if (o != NULL && o->get != NULL && cap->attr > 1)
        err = cosem_get_attr(c, NULL, o, (uint8_t)cap->attr, MTR_COSEM_ROLE_MANAGEMENT, w);
    if (err == MTR_OK || err == MTR_ERR_FULL)
        return err;
    if (mtr_dlms_axdr_writer_pending(w) != 0)
        return MTR_ERR_FULL;
    unwrite(w, len, total);
    return mtr_dlms_axdr_put_fixed(w, MTR_DLMS_NULL_DATA, NULL);
}

/* Build the APDU of push @p k in push_buf. */
static mtr_err_t build(struct mtr_cosem *c, uint8_t k, size_t *len)
{
    const struct mtr_cosem_push_setup *ps = &c->cfg.push[k];
    uint8_t *buf = c->cfg.push_buf;
    size_t cap = c->cfg.push_buf_size;
    uint8_t policy = c->cfg.push_policy;
    size_t room =
        cap - 6u - (policy != MTR_DLMS_POLICY_NONE ? 32u : 0u); /* header; ciphering head and tag */
    struct mtr_dlms_axdr_writer w;
    mtr_err_t err;

    mtr_dlms_axdr_writer_init(&w, buf + 6, room);
    err = mtr_dlms_axdr_put_container(&w, MTR_DLMS_STRUCTURE, ps->nobjects);
    for (uint8_t i = 0; err == MTR_OK && i < ps->nobjects; i++)
        err = put_value(c, &ps->objects[i], &w);
    if (err == MTR_OK && mtr_dlms_axdr_writer_pending(&w) != 0)
        err = MTR_ERR_FULL;
    if (err != MTR_OK)
        return err;
    c->push_iid = (c->push_iid + 1u) & 0x00FFFFFFu; /* unconfirmed, normal priority */
    err = mtr_dlms_data_notification(c->push_iid, NULL, buf + 6, w.len, buf, cap, len);
    if (err != MTR_OK || policy == MTR_DLMS_POLICY_NONE)
        return err;
    if (c->cfg.sec == NULL || c->cfg.hal == NULL)
        return MTR_ERR_NOTSUP;
    /* security control byte of the policy: 0x10 authenticated, 0x20 encrypted */
    return mtr_dlms_protect(c->cfg.hal, c->cfg.sec,
                            (uint8_t)((policy & MTR_DLMS_POLICY_AUTH ? 0x10u : 0u) |
                                      (policy & MTR_DLMS_POLICY_ENC ? 0x20u : 0u)),
                            buf, *len, buf, cap, len);
}

/* Make the attempt of push @p k if it is due. */
static void attempt(struct mtr_cosem *c, uint8_t k)
{
    struct mtr_cosem_push_run *run = &c->push_run[k];
    const struct mtr_cosem_push_setup *ps = &c->cfg.push[k];
    size_t len = 0;
    mtr_err_t err;

    if (!run->pending || run->due > c->now || !in_window(ps, c->now + c->offset))
        return;
    run->st.attempts++;
    err = build(c, k, &len);
    if (err != MTR_OK) { /* not something a retry mends */
        run->pending = false;
        run->st.failed++;
        return;
    }
    if (c->cfg.push_send(c->cfg.user, k, ps, c->cfg.push_buf, len) == MTR_OK) {
        run->pending = false;
        run->st.sent++;
    } else if (run->left > 0) {
        run->left--;
        run->due = c->now + ps->repetition_s;
    } else {
        run->pending = false;
        run->st.failed++;
    }
}

/* Random delay of 0..max seconds (0 without an entropy source). */
static uint32_t random_delay(const struct mtr_cosem *c, uint16_t max)
{
    const struct mtr_hal *hal = c->cfg.hal;
    uint8_t b[4];

    if (max == 0 || hal == NULL || hal->sys == NULL || hal->sys->entropy == NULL ||
        hal->sys->entropy(hal->ctx, b, sizeof b) != MTR_OK)
        return 0;
    return ((uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3]) %
           ((uint32_t)max + 1u);
}

mtr_err_t mtr_cosem_push_trigger(struct mtr_cosem *c, uint8_t push)
{
    struct mtr_cosem_push_run *run;

    MTR_ASSERT(c != NULL);
    if (push >= MTR_COSEM_PUSHES)
        return MTR_ERR_RANGE;
    if (!push_ready(c))
        return MTR_ERR_NOTSUP;
    run = &c->push_run[push];
    if (run->pending)
        return MTR_OK;
    run->pending = true;
    run->left = c->cfg.push[push].retries;
    run->due = c->now + random_delay(c, c->cfg.push[push].randomisation_s);
    run->st.triggered++;
    attempt(c, push);
    return MTR_OK;
}

mtr_err_t mtr_cosem_push_alarm(struct mtr_cosem *c)
{
    return mtr_cosem_push_trigger(c, MTR_COSEM_PUSH_ALARM);
}

void mtr_cosem_push_stats(const struct mtr_cosem *c, uint8_t push, struct mtr_cosem_push_stats *out)
{
    MTR_ASSERT(c != NULL && out != NULL);
    if (push >= MTR_COSEM_PUSHES) {
        memset(out, 0, sizeof *out);
        return;
    }
    *out = c->push_run[push].st;
}

void mtr_cosem_tick(struct mtr_cosem *c, mtr_utc_t utc, int32_t offset_s)
{
    int64_t local = utc + offset_s;
    bool back;

    MTR_ASSERT(c != NULL);
    back = c->ticked && local < c->now + c->offset;
    c->now = utc;
    c->offset = offset_s;
    c->ticked = true;
    for (uint8_t n = 0; c->cfg.schedule != NULL && n < MTR_COSEM_SCHEDULERS; n++) {
        const struct mtr_cosem_schedule *s = &c->cfg.schedule[n];
        uint8_t bit = (uint8_t)(1u << n);
        int64_t next = 0;
        if (s->times == NULL || s->ntimes == 0)
            continue;
        if (!(c->sched_known & bit) || back) {
            c->sched_known = (uint8_t)(c->sched_known & ~bit);
            if (plan(s, local - 1, &next)) {
                c->sched_next[n] = next;
                c->sched_known |= bit;
            }
        }
        if ((c->sched_known & bit) && c->sched_next[n] <= local) {
            /* once, however many occurrences a late tick missed */
            (void)mtr_cosem_push_trigger(c, (uint8_t)(MTR_COSEM_PUSH_INTERVAL_1 + n));
            c->sched_known = (uint8_t)(c->sched_known & ~bit);
            if (plan(s, local, &next)) {
                c->sched_next[n] = next;
                c->sched_known |= bit;
            }
        }
    }
    for (uint8_t k = 0; push_ready(c) && k < MTR_COSEM_PUSHES; k++)
        attempt(c, k);
}

/* ------------------------------------------------------------ push setup attributes */

static uint8_t index_of(const struct mtr_dlms_call *c)
{
    return *(const uint8_t *)c->obj->user;
}

mtr_err_t cosem_sys_push_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    struct mtr_cosem *cs = cosem_of(c);
    const struct mtr_cosem_push_setup *ps;
    struct sys_emit e;

    if (cs->cfg.push == NULL)
        return MTR_ERR_NOTSUP;
    if (c->selector != 0)
        return MTR_ERR_RANGE;
    ps = &cs->cfg.push[index_of(c)];
    sys_emit_init(&e, w, &c->cursor[1]);
    switch (c->id) {
    case 2: /* push_object_list: array of capture_object_definition */
        sys_cont(&e, MTR_DLMS_ARRAY, ps->nobjects);
        for (uint8_t k = 0; k < ps->nobjects; k++) {
            const struct mtr_cosem_capture *o = &ps->objects[k];
            sys_cont(&e, MTR_DLMS_STRUCTURE, 4);
            sys_uint(&e, MTR_DLMS_LONG_UNSIGNED, o->class_id);
            sys_str(&e, MTR_DLMS_OCTET_STRING, o->obis, 6);
            sys_int(&e, MTR_DLMS_INTEGER, o->attr);
            sys_uint(&e, MTR_DLMS_LONG_UNSIGNED, o->data_index);
        }
        break;
    case 3: /* send_destination_and_method */
        sys_cont(&e, MTR_DLMS_STRUCTURE, 3);
        sys_uint(&e, MTR_DLMS_ENUM, ps->transport);
        sys_str(&e, MTR_DLMS_OCTET_STRING, ps->dest, ps->dest != NULL ? ps->dest_len : 0u);
        sys_uint(&e, MTR_DLMS_ENUM, ps->message);
        break;
    case 4: /* communication_window: array of {start, end} date-times */
        sys_cont(&e, MTR_DLMS_ARRAY, ps->windows != NULL ? ps->nwindows : 0u);
        for (uint8_t k = 0; ps->windows != NULL && k < ps->nwindows; k++) {
            sys_cont(&e, MTR_DLMS_STRUCTURE, 2);
            sys_str(&e, MTR_DLMS_OCTET_STRING, ps->windows[k], 12);
            sys_str(&e, MTR_DLMS_OCTET_STRING, ps->windows[k] + 12, 12);
        }
        break;
    case 5:
        sys_uint(&e, MTR_DLMS_LONG_UNSIGNED, ps->randomisation_s);
        break;
    case 6:
        sys_uint(&e, MTR_DLMS_UNSIGNED, ps->retries);
        break;
    case 7:
        sys_uint(&e, MTR_DLMS_LONG_UNSIGNED, ps->repetition_s);
        break;
    default:
        return MTR_ERR_NOTSUP;
    }
    return e.err;
}

/* push_object_list: validated whole (pass 0), then stored (pass 1). */
static mtr_err_t set_objects(const struct mtr_dlms_call *c, struct mtr_cosem_push_setup *ps)
{
    for (int pass = 0; pass < 2; pass++) {
        struct sys_rd r;
        uint32_t n;
        sys_rd_init(&r, c->data, c->data_len);
        n = sys_rd_cont(&r, MTR_DLMS_ARRAY);
        if (!r.bad && n > 0 && (n > ps->objects_cap || ps->objects == NULL))
            return SYS_REFUSED;
        for (uint32_t k = 0; k < n && !r.bad; k++) {
            struct mtr_cosem_capture cap;
            const uint8_t *ln;
            uint32_t lnl;
            int64_t attr;
            uint64_t di;
            if (sys_rd_cont(&r, MTR_DLMS_STRUCTURE) != 4)
                r.bad = true;
            cap.class_id = (uint16_t)sys_rd_uint(&r, MTR_DLMS_LONG_UNSIGNED);
            ln = sys_rd_str(&r, MTR_DLMS_OCTET_STRING, &lnl);
            attr = sys_rd_int(&r, MTR_DLMS_INTEGER);
            di = sys_rd_uint(&r, MTR_DLMS_LONG_UNSIGNED);
            if (r.bad || lnl != 6)
                return MTR_ERR_INVAL;
            memcpy(cap.obis, ln, 6);
            if (attr < 1 || attr > (int64_t)MTR_DLMS_ATTR_MAX || di != 0 ||
                cosem_find(cap.class_id, cap.obis) == NULL)
                return SYS_REFUSED;
            cap.attr = (int8_t)attr;
            cap.data_index = 0;
            if (pass == 1)
                ps->objects[k] = cap;
        }
        if (!sys_rd_done(&r))
            return MTR_ERR_INVAL;
        if (pass == 1)
            ps->nobjects = (uint8_t)n;
    }
    return MTR_OK;
}

static mtr_err_t set_destination(const struct mtr_dlms_call *c, struct mtr_cosem_push_setup *ps)
{
    struct sys_rd r;
    uint64_t transport, message;
    const uint8_t *dest;
    uint32_t n;

    sys_rd_init(&r, c->data, c->data_len);
    if (sys_rd_cont(&r, MTR_DLMS_STRUCTURE) != 3)
        r.bad = true;
    transport = sys_rd_uint(&r, MTR_DLMS_ENUM);
    dest = sys_rd_str(&r, MTR_DLMS_OCTET_STRING, &n);
    message = sys_rd_uint(&r, MTR_DLMS_ENUM);
    if (!sys_rd_done(&r))
        return MTR_ERR_INVAL;
    /* message 0: A-XDR encoded xDLMS APDU, the only form this meter sends */
    if (transport > MTR_COSEM_TRANSPORT_ZIGBEE || message != 0 || n > ps->dest_cap ||
        (n > 0 && ps->dest == NULL))
        return SYS_REFUSED;
    ps->transport = (uint8_t)transport;
    ps->message = 0;
    if (n > 0)
        memcpy(ps->dest, dest, n);
    ps->dest_len = (uint8_t)n;
    return MTR_OK;
}

static mtr_err_t set_windows(const struct mtr_dlms_call *c, struct mtr_cosem_push_setup *ps)
{
    for (int pass = 0; pass < 2; pass++) {
        struct sys_rd r;
        uint32_t n;
        sys_rd_init(&r, c->data, c->data_len);
        n = sys_rd_cont(&r, MTR_DLMS_ARRAY);
        if (!r.bad && n > 0 && (n > ps->windows_cap || ps->windows == NULL))
            return SYS_REFUSED;
        for (uint32_t k = 0; k < n && !r.bad; k++) {
            const uint8_t *s, *e;
            uint32_t sl, el;
            struct mtr_dlms_datetime dt;
            if (sys_rd_cont(&r, MTR_DLMS_STRUCTURE) != 2)
                r.bad = true;
            s = sys_rd_str(&r, MTR_DLMS_OCTET_STRING, &sl);
            e = sys_rd_str(&r, MTR_DLMS_OCTET_STRING, &el);
            if (r.bad || sl != 12 || el != 12)
                return MTR_ERR_INVAL;
            if (mtr_dlms_datetime_decode(s, &dt) != MTR_OK ||
                mtr_dlms_datetime_decode(e, &dt) != MTR_OK)
                return SYS_REFUSED;
            if (pass == 1) {
                memcpy(ps->windows[k], s, 12);
                memcpy(ps->windows[k] + 12, e, 12);
            }
        }
        if (!sys_rd_done(&r))
            return MTR_ERR_INVAL;
        if (pass == 1)
            ps->nwindows = (uint8_t)n;
    }
    return MTR_OK;
}

mtr_err_t cosem_sys_push_set(const struct mtr_dlms_call *c)
{
    struct mtr_cosem *cs = cosem_of(c);
    uint8_t k = index_of(c);
    struct mtr_cosem_push_setup *ps;
    struct sys_rd r;
    uint64_t v;
    mtr_err_t err = MTR_OK;

    if (cs->cfg.push == NULL)
        return MTR_ERR_NOTSUP;
    if (c->selector != 0)
        return MTR_ERR_RANGE;
    ps = &cs->cfg.push[k];
    switch (c->id) {
    case 2:
        err = set_objects(c, ps);
        break;
    case 3:
        err = set_destination(c, ps);
        break;
    case 4:
        err = set_windows(c, ps);
        break;
    case 5:
    case 6:
    case 7:
        sys_rd_init(&r, c->data, c->data_len);
        v = sys_rd_uint(&r, c->id == 6 ? MTR_DLMS_UNSIGNED : MTR_DLMS_LONG_UNSIGNED);
        if (!sys_rd_done(&r))
            return MTR_ERR_INVAL;
        if (c->id == 5)
            ps->randomisation_s = (uint16_t)v;
        else if (c->id == 6)
            ps->retries = (uint8_t)v;
        else
            ps->repetition_s = (uint16_t)v;
        break;
    default:
        return MTR_ERR_DLMS_DENIED;
    }
    if (err == MTR_OK)
        sys_changed(cs, MTR_COSEM_SETTING_PUSH, k);
    return err;
}

/* Method 1 push(data integer(0)). */
mtr_err_t cosem_sys_push_action(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    struct sys_rd r;
    int64_t v;

    (void)w;
    if (c->id != 1)
        return MTR_ERR_NOTSUP;
    sys_rd_init(&r, c->data, c->data_len);
    v = sys_rd_int(&r, MTR_DLMS_INTEGER);
    if (!sys_rd_done(&r))
        return MTR_ERR_INVAL;
    if (v != 0)
        return SYS_REFUSED;
    return mtr_cosem_push_trigger(cosem_of(c), index_of(c));
}

/* ------------------------------------------------------------ push action schedulers */

mtr_err_t cosem_sys_sched_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    struct mtr_cosem *cs = cosem_of(c);
    uint8_t n = index_of(c);
    const struct mtr_cosem_schedule *s;
    struct sys_emit e;

    if (cs->cfg.schedule == NULL)
        return MTR_ERR_NOTSUP;
    if (c->selector != 0)
        return MTR_ERR_RANGE;
    s = &cs->cfg.schedule[n];
    sys_emit_init(&e, w, &c->cursor[1]);
    switch (c->id) {
    case 2: /* executed_script: push script table, script n + 1 pushes interval n + 1 */
        sys_cont(&e, MTR_DLMS_STRUCTURE, 2);
        sys_str(&e, MTR_DLMS_OCTET_STRING, ln_push_script, 6);
        sys_uint(&e, MTR_DLMS_LONG_UNSIGNED, n + 1u);
        break;
    case 3: /* type 5: n times, each its own time, wildcards in the date allowed */
        sys_uint(&e, MTR_DLMS_ENUM, 5);
        break;
    case 4: /* execution_time: array of {time octet-string(4), date octet-string(5)} */
        sys_cont(&e, MTR_DLMS_ARRAY, s->times != NULL ? s->ntimes : 0u);
        for (uint8_t k = 0; s->times != NULL && k < s->ntimes; k++) {
            sys_cont(&e, MTR_DLMS_STRUCTURE, 2);
            sys_str(&e, MTR_DLMS_OCTET_STRING, s->times[k], 4);
            sys_str(&e, MTR_DLMS_OCTET_STRING, s->times[k] + 4, 5);
        }
        break;
    default:
        return MTR_ERR_NOTSUP;
    }
    return e.err;
}

mtr_err_t cosem_sys_sched_set(const struct mtr_dlms_call *c)
{
    struct mtr_cosem *cs = cosem_of(c);
    uint8_t idx = index_of(c);
    struct mtr_cosem_schedule *s;

    if (cs->cfg.schedule == NULL)
        return MTR_ERR_NOTSUP;
    if (c->id != 4)
        return MTR_ERR_DLMS_DENIED;
    if (c->selector != 0)
        return MTR_ERR_RANGE;
    s = &cs->cfg.schedule[idx];
    for (int pass = 0; pass < 2; pass++) {
        struct sys_rd r;
        uint32_t n;
        sys_rd_init(&r, c->data, c->data_len);
        n = sys_rd_cont(&r, MTR_DLMS_ARRAY);
        if (!r.bad && n > 0 && (n > s->times_cap || s->times == NULL))
            return SYS_REFUSED;
        for (uint32_t k = 0; k < n && !r.bad; k++) {
            const uint8_t *t, *d;
            uint32_t tl, dl;
            if (sys_rd_cont(&r, MTR_DLMS_STRUCTURE) != 2)
                r.bad = true;
            t = sys_rd_str(&r, MTR_DLMS_OCTET_STRING, &tl);
            d = sys_rd_str(&r, MTR_DLMS_OCTET_STRING, &dl);
            if (r.bad || tl != 4 || dl != 5)
                return MTR_ERR_INVAL;
            if (mtr_dlms_time_check(t) != MTR_OK || mtr_dlms_date_check(d) != MTR_OK)
                return SYS_REFUSED;
            if (pass == 1) {
                memcpy(s->times[k], t, 4);
                memcpy(s->times[k] + 4, d, 5);
            }
        }
        if (!sys_rd_done(&r))
            return MTR_ERR_INVAL;
        if (pass == 1)
            s->ntimes = (uint8_t)n;
    }
    cs->sched_known = (uint8_t)(cs->sched_known & ~(1u << idx));
    sys_changed(cs, MTR_COSEM_SETTING_SCHEDULE, idx);
    return MTR_OK;
}

/* ------------------------------------------------------------ push script table */

/*
 * Script n pushes 0-n:25.9.0.255 (method 1 of the push setup, parameter
 * integer(0)): the IDIS push script table. Blue Book class 9 version 0:
 * scripts (2) array of script {script_identifier long-unsigned, actions
 * array of action_specification {service_id enum (2: execute method),
 * class_id long-unsigned, logical_name octet-string, index integer,
 * parameter}}; method 1 execute(script_identifier long-unsigned).
 */
static const struct {
    uint16_t id;
    uint8_t push; /* enum mtr_cosem_push_index */
    uint8_t ln[6];
} push_scripts[] = {
    {1, MTR_COSEM_PUSH_INTERVAL_1, {0, 1, 25, 9, 0, 255}},
    {2, MTR_COSEM_PUSH_INTERVAL_2, {0, 2, 25, 9, 0, 255}},
    {3, MTR_COSEM_PUSH_INTERVAL_3, {0, 3, 25, 9, 0, 255}},
    {MTR_COSEM_PUSH_SCRIPT_ALARM, MTR_COSEM_PUSH_ALARM, {0, 4, 25, 9, 0, 255}},
    {7, MTR_COSEM_PUSH_INSTALLATION, {0, 7, 25, 9, 0, 255}},
};
#define PUSH_SCRIPTS (sizeof push_scripts / sizeof push_scripts[0])

mtr_err_t cosem_sys_script_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    struct sys_emit e;

    if (c->selector != 0)
        return MTR_ERR_RANGE;
    if (c->id != 2)
        return MTR_ERR_NOTSUP;
    sys_emit_init(&e, w, &c->cursor[1]);
    sys_cont(&e, MTR_DLMS_ARRAY, PUSH_SCRIPTS);
    for (size_t k = 0; k < PUSH_SCRIPTS; k++) {
        sys_cont(&e, MTR_DLMS_STRUCTURE, 2);
        sys_uint(&e, MTR_DLMS_LONG_UNSIGNED, push_scripts[k].id);
        sys_cont(&e, MTR_DLMS_ARRAY, 1);
        sys_cont(&e, MTR_DLMS_STRUCTURE, 5);
        sys_uint(&e, MTR_DLMS_ENUM, 2);         /* execute a method */
        sys_uint(&e, MTR_DLMS_LONG_UNSIGNED, 40); /* push setup */
        sys_str(&e, MTR_DLMS_OCTET_STRING, push_scripts[k].ln, 6);
        sys_int(&e, MTR_DLMS_INTEGER, 1);       /* method 1, push */
        sys_int(&e, MTR_DLMS_INTEGER, 0);       /* its parameter, integer(0) */
    }
    return e.err;
}

/* Method 1 execute(script_identifier long-unsigned): script 0 does nothing
 * (the null script of the Blue Book); an unknown script is out of scope. */
mtr_err_t cosem_sys_script_action(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    struct sys_rd r;
    uint64_t id;

    (void)w;
    if (c->id != 1)
        return MTR_ERR_NOTSUP;
    sys_rd_init(&r, c->data, c->data_len);
    id = sys_rd_uint(&r, MTR_DLMS_LONG_UNSIGNED);
    if (!sys_rd_done(&r))
        return MTR_ERR_INVAL;
    if (id == 0)
        return MTR_OK;
    for (size_t k = 0; k < PUSH_SCRIPTS; k++)
        if (push_scripts[k].id == id)
            return mtr_cosem_push_trigger(cosem_of(c), push_scripts[k].push);
    return MTR_ERR_RANGE;
}
