/* SPDX-License-Identifier: Apache-2.0 */
/* Saved form of the activity calendar, special days, tariff control and
 * activation masks: versioned, variable length, big-endian, CRC-32 last.
 * The loader runs the same reader twice: once to check everything without
 * writing, once to apply, so that nothing changes on any error. Version 2
 * adds the names of the calendar, its weeks and seasons (docs/calendar.md);
 * version 1 blobs still load, their names not set. */
#include <string.h>

#include "calendar_priv.h"
#include "meter/bytes.h"
#include "meter/crc.h"
#include "tou_priv.h"

#define HDR        21u /* magic+version, length, tariffs, flags, control, inputs, activation */
#define F_ACTIVE   0x01u
#define F_PASSIVE  0x02u
#define SPECIAL_SZ 7u
#define NAME_UNSET 0xFFu /* saved name length: the default name */

/* Bounded reader over the body of a blob. */
struct rd {
    const uint8_t *p, *end;
};

static const uint8_t *take(struct rd *r, size_t n)
{
    if ((size_t)(r->end - r->p) < n) {
        return NULL;
    }
    const uint8_t *at = r->p;
    r->p += n;
    return at;
}

/* Set of one-byte ids. */
struct idset {
    uint8_t bit[32];
};

static bool idset_has(const struct idset *s, uint8_t id)
{
    return (s->bit[id >> 3] & (1u << (id & 7u))) != 0;
}

static void idset_add(struct idset *s, uint8_t id)
{
    s->bit[id >> 3] |= (uint8_t)(1u << (id & 7u));
}

/* ----------------------------------------------------------------- save */

static size_t name_bytes(const struct mtr_tou_name *n)
{
    return n->set ? 1u + n->len : 1u;
}

static size_t tou_bytes(const struct mtr_tou *t)
{
    size_t n = 3u + name_bytes(&t->name);
    for (uint8_t i = 0; i < t->n_days; i++) {
        n += 2u + 4u * t->day[i].n;
    }
    for (uint8_t i = 0; i < t->n_weeks; i++) {
        n += 8u + name_bytes(&t->week_name[i]);
    }
    for (uint8_t i = 0; i < t->n_seasons; i++) {
        n += 3u + name_bytes(&t->season_name[i]) + name_bytes(&t->season_week[i]);
    }
    return n;
}

size_t mtr_calendar_state_max(void)
{
    return MTR_CALENDAR_STATE_MAX;
}

size_t mtr_calendar_state_size(const struct mtr_calendar *cal)
{
    MTR_ASSERT(cal != NULL && cal->magic == CAL_CALENDAR_MAGIC);
    size_t n = HDR + 4u * MTR_CFG_TARIFFS + 2u + SPECIAL_SZ * cal->n_special + 4u;
    n += cal->has_active ? tou_bytes(&cal->active) : 0u;
    return n + (cal->has_passive ? tou_bytes(&cal->passive) : 0u);
}

static uint8_t *put_name(uint8_t *w, const struct mtr_tou_name *n)
{
    if (!n->set) {
        *w++ = NAME_UNSET;
        return w;
    }
    *w++ = n->len;
    memcpy(w, n->b, n->len);
    return w + n->len;
}

/* Name, days first, then weeks, then seasons: the order of the checks. */
static uint8_t *put_tou(uint8_t *w, const struct mtr_tou *t)
{
    *w++ = t->n_seasons;
    *w++ = t->n_weeks;
    *w++ = t->n_days;
    w = put_name(w, &t->name);
    for (uint8_t i = 0; i < t->n_days; i++) {
        const struct mtr_tou_day *d = &t->day[i];
        *w++ = d->id;
        *w++ = d->n;
        for (uint8_t k = 0; k < d->n; k++) {
            *w++ = d->sw[k].hour;
            *w++ = d->sw[k].minute;
            *w++ = d->sw[k].second;
            *w++ = d->sw[k].tariff;
        }
    }
    for (uint8_t i = 0; i < t->n_weeks; i++) {
        *w++ = t->week[i].id;
        memcpy(w, t->week[i].day, 7);
        w = put_name(w + 7, &t->week_name[i]);
    }
    for (uint8_t i = 0; i < t->n_seasons; i++) {
        *w++ = t->season[i].month;
        *w++ = t->season[i].day;
        *w++ = t->season[i].week;
        w = put_name(w, &t->season_name[i]);
        w = put_name(w, &t->season_week[i]);
    }
    return w;
}

static uint8_t *put_header(const struct mtr_calendar *cal, uint8_t *w, size_t len)
{
    w[0] = 'C';
    w[1] = 'A';
    w[2] = 'L';
    w[3] = MTR_CALENDAR_STATE_VERSION;
    mtr_put_be16(w + 4, (uint16_t)len);
    w[6] = MTR_CFG_TARIFFS;
    w[7] = (uint8_t)((cal->has_active ? F_ACTIVE : 0u) | (cal->has_passive ? F_PASSIVE : 0u));
    w[8] = cal->control;
    memcpy(w + 9, cal->input_tariff, 4);
    mtr_put_be64(w + 13, (uint64_t)cal->activate_at);
    w += HDR;
    for (unsigned t = 0; t < MTR_CFG_TARIFFS; t++, w += 4) {
        mtr_put_be16(w, cal->masks[t].energy);
        mtr_put_be16(w + 2, cal->masks[t].demand);
    }
    return w;
}

mtr_err_t mtr_calendar_save(const struct mtr_calendar *cal, uint8_t *buf, size_t cap,
                            size_t *len)
{
    MTR_ASSERT(buf != NULL && len != NULL);
    size_t n = mtr_calendar_state_size(cal);
    if (cap < n || n > UINT16_MAX) {
        return MTR_ERR_OVERFLOW;
    }
    uint8_t *w = put_header(cal, buf, n);
    mtr_put_be16(w, cal->n_special);
    w += 2;
    for (uint16_t i = 0; i < cal->n_special; i++, w += SPECIAL_SZ) {
        const struct mtr_special_day *s = &cal->special[i];
        mtr_put_be16(w, s->index);
        mtr_put_be16(w + 2, s->year);
        w[4] = s->month;
        w[5] = s->day;
        w[6] = s->day_id;
    }
    if (cal->has_active) {
        w = put_tou(w, &cal->active);
    }
    if (cal->has_passive) {
        w = put_tou(w, &cal->passive);
    }
    mtr_put_be32(w, mtr_crc32(buf, (size_t)(w - buf)));
    *len = n;
    return MTR_OK;
}

/* ----------------------------------------------------------------- load */

/* One day profile: checked as mtr_tou_check() does; copied to @p dst if given. */
static mtr_err_t read_day(struct rd *r, struct mtr_tou_day *dst, struct idset *days)
{
    const uint8_t *b = take(r, 2);
    if (b == NULL) {
        return MTR_ERR_DECODE;
    }
    struct mtr_tou_day d;
    memset(&d, 0, sizeof d);
    d.id = b[0];
    d.n = b[1];
    if (d.n < 1 || d.n > MTR_CFG_CALENDAR_SWITCHES) {
        return MTR_ERR_CALENDAR_LIMIT;
    }
    if ((b = take(r, 4u * d.n)) == NULL) {
        return MTR_ERR_DECODE;
    }
    for (uint8_t k = 0; k < d.n; k++, b += 4) {
        d.sw[k] = (struct mtr_tou_switch){b[0], b[1], b[2], b[3]};
    }
    mtr_err_t err = tou_check_day(&d);
    if (err != MTR_OK) {
        return err;
    }
    if (idset_has(days, d.id)) {
        return MTR_ERR_CALENDAR_REF; /* duplicate id */
    }
    idset_add(days, d.id);
    if (dst != NULL) {
        *dst = d;
    }
    return MTR_OK;
}

/* One saved name (version 2): @p ref gets its bytes, p NULL if not set;
 * copied to @p dst if given. */
static mtr_err_t read_name(struct rd *r, struct mtr_tou_name *dst, struct tou_ref *ref)
{
    const uint8_t *b = take(r, 1);
    if (b == NULL) {
        return MTR_ERR_DECODE;
    }
    *ref = (struct tou_ref){NULL, 0};
    if (b[0] == NAME_UNSET) {
        return MTR_OK;
    }
    if (b[0] > MTR_CFG_CALENDAR_NAME_LEN) {
        return MTR_ERR_CALENDAR_NAME;
    }
    const uint8_t *s = take(r, b[0]);
    if (s == NULL) {
        return MTR_ERR_DECODE;
    }
    *ref = (struct tou_ref){s, b[0]};
    if (dst != NULL) {
        (void)mtr_tou_name_set(dst, s, b[0]);
    }
    return MTR_OK;
}

/* Weeks already read, as saved: id, 7 day ids, then (version 2) a name. */
struct weeks_seen {
    const uint8_t *at; /* first week record */
    uint8_t n;         /* records read */
    bool named;        /* version 2 */
};

/* Name of the saved week record at @p w (read, so in bounds); @p next past it. */
static struct tou_ref saved_week_name(const struct weeks_seen *ws, const uint8_t *w,
                                      const uint8_t **next)
{
    if (!ws->named) {
        *next = w + 8;
        return (struct tou_ref){w, 1};
    }
    if (w[8] == NAME_UNSET) {
        *next = w + 9;
        return (struct tou_ref){w, 1};
    }
    *next = w + 9 + w[8];
    return (struct tou_ref){w + 9, w[8]};
}

static bool saved_week_named(const struct weeks_seen *ws, struct tou_ref name)
{
    const uint8_t *w = ws->at;
    for (uint8_t k = 0; k < ws->n; k++) {
        if (tou_ref_eq(saved_week_name(ws, w, &w), name)) {
            return true;
        }
    }
    return false;
}

static mtr_err_t read_weeks(struct rd *r, uint8_t n, struct mtr_tou *dst,
                            const struct idset *days, struct weeks_seen *ws)
{
    ws->at = r->p;
    ws->n = 0;
    for (uint8_t i = 0; i < n; i++) {
        const uint8_t *b = take(r, 8);
        struct tou_ref name = {b, 1};
        if (b == NULL) {
            return MTR_ERR_DECODE;
        }
        if (ws->named) {
            struct tou_ref set;
            mtr_err_t err = read_name(r, dst != NULL ? &dst->week_name[i] : NULL, &set);
            if (err != MTR_OK) {
                return err;
            }
            name = set.p != NULL ? set : name;
        }
        if (saved_week_named(ws, name)) {
            return MTR_ERR_CALENDAR_REF; /* duplicate week name */
        }
        ws->n++;
        for (int wd = 1; wd <= 7; wd++) {
            if (!idset_has(days, b[wd])) {
                return MTR_ERR_CALENDAR_REF;
            }
        }
        if (dst != NULL) {
            dst->week[i].id = b[0];
            memcpy(dst->week[i].day, b + 1, 7);
        }
    }
    return MTR_OK;
}

static mtr_err_t read_seasons(struct rd *r, uint8_t n, struct mtr_tou *dst,
                              const struct weeks_seen *ws)
{
    uint16_t prev = 0;
    for (uint8_t i = 0; i < n; i++) {
        const uint8_t *b = take(r, 3);
        struct tou_ref week = {b, 1};
        mtr_err_t err = MTR_OK;
        if (b == NULL) {
            return MTR_ERR_DECODE;
        }
        week.p = b + 2;
        if (ws->named) {
            struct tou_ref unused, set;
            err = read_name(r, dst != NULL ? &dst->season_name[i] : NULL, &unused);
            if (err == MTR_OK) {
                err = read_name(r, dst != NULL ? &dst->season_week[i] : NULL, &set);
            }
            if (err != MTR_OK) {
                return err;
            }
            week = set.p != NULL ? set : week;
        }
        if (!tou_season_date_ok(b[0], b[1])) {
            return MTR_ERR_CALENDAR_DATE;
        }
        if (i > 0 && tou_season_key(b[0], b[1]) <= prev) {
            return MTR_ERR_CALENDAR_SEASONS;
        }
        prev = tou_season_key(b[0], b[1]);
        if (!saved_week_named(ws, week)) {
            return MTR_ERR_CALENDAR_REF;
        }
        if (dst != NULL) {
            dst->season[i].month = b[0];
            dst->season[i].day = b[1];
            dst->season[i].week = b[2];
        }
    }
    return MTR_OK;
}

static mtr_err_t read_tou(struct rd *r, struct mtr_tou *dst, bool named)
{
    const uint8_t *b = take(r, 3);
    if (b == NULL) {
        return MTR_ERR_DECODE;
    }
    uint8_t ns = b[0], nw = b[1], nd = b[2];
    if (ns < 1 || ns > MTR_CFG_CALENDAR_SEASONS || nw < 1 || nw > MTR_CFG_CALENDAR_WEEKS ||
        nd < 1 || nd > MTR_CFG_CALENDAR_DAYS) {
        return MTR_ERR_CALENDAR_LIMIT;
    }
    if (dst != NULL) {
        memset(dst, 0, sizeof *dst);
        dst->n_seasons = ns;
        dst->n_weeks = nw;
        dst->n_days = nd;
    }
    struct idset days;
    struct weeks_seen ws = {NULL, 0, named};
    memset(&days, 0, sizeof days);
    mtr_err_t err = MTR_OK;
    if (named) {
        struct tou_ref unused;
        err = read_name(r, dst != NULL ? &dst->name : NULL, &unused);
    }
    for (uint8_t i = 0; i < nd && err == MTR_OK; i++) {
        err = read_day(r, dst != NULL ? &dst->day[i] : NULL, &days);
    }
    if (err == MTR_OK) {
        err = read_weeks(r, nw, dst, &days, &ws);
    }
    return err == MTR_OK ? read_seasons(r, ns, dst, &ws) : err;
}

static mtr_err_t read_special(struct rd *r, struct mtr_calendar *dst, bool has_active)
{
    const uint8_t *b = take(r, 2);
    if (b == NULL) {
        return MTR_ERR_DECODE;
    }
    uint16_t n = mtr_get_be16(b);
    if (n > MTR_CFG_CALENDAR_SPECIAL_DAYS) {
        return MTR_ERR_CALENDAR_LIMIT;
    }
    if (n > 0 && !has_active) {
        return MTR_ERR_CALENDAR_REF; /* special days need an active calendar */
    }
    const uint8_t *tab = take(r, (size_t)SPECIAL_SZ * n);
    if (tab == NULL) {
        return MTR_ERR_DECODE;
    }
    for (uint16_t i = 0; i < n; i++) {
        const uint8_t *e = tab + (size_t)SPECIAL_SZ * i;
        struct mtr_special_day sd = {mtr_get_be16(e), mtr_get_be16(e + 2), e[4], e[5], e[6]};
        if (!cal_special_date_ok(&sd)) {
            return MTR_ERR_CALENDAR_DATE;
        }
        for (uint16_t k = 0; k < i; k++) {
            if (mtr_get_be16(tab + (size_t)SPECIAL_SZ * k) == sd.index) {
                return MTR_ERR_CALENDAR_REF; /* duplicate index */
            }
        }
        if (dst != NULL) {
            dst->special[i] = sd;
        }
    }
    if (dst != NULL) {
        dst->n_special = n;
    }
    return MTR_OK;
}

/* Header fields after the length: control, inputs, activation, masks. */
static mtr_err_t read_settings(struct rd *r, const uint8_t *h, struct mtr_calendar *dst)
{
    uint8_t flags = h[7];
    mtr_utc_t at = (mtr_utc_t)mtr_get_be64(h + 13);
    if ((flags & ~(F_ACTIVE | F_PASSIVE)) != 0 ||
        (at != MTR_CAL_NEVER && !(flags & F_PASSIVE))) {
        return MTR_ERR_DECODE;
    }
    if (at != MTR_CAL_NEVER && (at < MTR_UTC_MIN || at > MTR_UTC_MAX)) {
        return MTR_ERR_CALENDAR_DATE;
    }
    if (h[8] != MTR_TARIFF_BY_CALENDAR && h[8] != MTR_TARIFF_BY_INPUTS) {
        return MTR_ERR_INVAL;
    }
    for (int i = 0; i < 4; i++) {
        if (h[9 + i] < 1 || h[9 + i] > MTR_CFG_TARIFFS) {
            return MTR_ERR_CALENDAR_TARIFF;
        }
    }
    const uint8_t *m = take(r, 4u * MTR_CFG_TARIFFS);
    for (unsigned t = 0; t < MTR_CFG_TARIFFS; t++) {
        if (m == NULL) {
            return MTR_ERR_DECODE;
        }
        if (!cal_one_tariff_bit(mtr_get_be16(m + 4 * t)) ||
            !cal_one_tariff_bit(mtr_get_be16(m + 4 * t + 2))) {
            return MTR_ERR_CALENDAR_TARIFF;
        }
        if (dst != NULL) {
            dst->masks[t] = (struct mtr_tariff_masks){mtr_get_be16(m + 4 * t),
                                                      mtr_get_be16(m + 4 * t + 2)};
        }
    }
    if (dst != NULL) {
        dst->has_active = (flags & F_ACTIVE) != 0;
        dst->has_passive = (flags & F_PASSIVE) != 0;
        dst->control = h[8];
        memcpy(dst->input_tariff, h + 9, 4);
        dst->activate_at = at;
    }
    return MTR_OK;
}

/* Read the body of a blob whose frame and CRC were checked; write only if @p dst. */
static mtr_err_t read_body(const uint8_t *h, size_t len, struct mtr_calendar *dst)
{
    struct rd r = {h + HDR, h + len - 4};
    mtr_err_t err = read_settings(&r, h, dst);
    if (err == MTR_OK) {
        err = read_special(&r, dst, (h[7] & F_ACTIVE) != 0);
    }
    bool named = h[3] >= 2;
    if (err == MTR_OK && (h[7] & F_ACTIVE)) {
        err = read_tou(&r, dst != NULL ? &dst->active : NULL, named);
    }
    if (err == MTR_OK && (h[7] & F_PASSIVE)) {
        err = read_tou(&r, dst != NULL ? &dst->passive : NULL, named);
    }
    if (err == MTR_OK && r.p != r.end) {
        err = MTR_ERR_DECODE; /* bytes left inside the blob */
    }
    return err;
}

mtr_err_t mtr_calendar_load(struct mtr_calendar *cal, const uint8_t **p, const uint8_t *end)
{
    MTR_ASSERT(cal != NULL && cal->magic == CAL_CALENDAR_MAGIC && p != NULL && *p != NULL);
    const uint8_t *h = *p;
    if (end < h || (size_t)(end - h) < 4) {
        return MTR_ERR_DECODE;
    }
    if (h[0] != 'C' || h[1] != 'A' || h[2] != 'L' || h[3] < 1 || h[3] > MTR_CALENDAR_STATE_VERSION) {
        return MTR_ERR_CALENDAR_VERSION;
    }
    if ((size_t)(end - h) < HDR) {
        return MTR_ERR_DECODE;
    }
    size_t len = mtr_get_be16(h + 4);
    if (len < HDR + 4u || len > (size_t)(end - h)) {
        return MTR_ERR_DECODE;
    }
    if (mtr_crc32(h, len - 4) != mtr_get_be32(h + len - 4)) {
        return MTR_ERR_CRC;
    }
    if (h[6] != MTR_CFG_TARIFFS) {
        return MTR_ERR_CALENDAR_VERSION;
    }
    mtr_err_t err = read_body(h, len, NULL);
    if (err != MTR_OK) {
        return err;
    }
    (void)read_body(h, len, cal); /* checked above: cannot fail */
    cal->change_seq++;
    *p = h + len;
    return MTR_OK;
}
