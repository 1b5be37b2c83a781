/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Time of use and billing over COSEM, on the calendar and tariff engines
 * (Blue Book interface classes; OBIS codes of the seed's tou-limits.json):
 *   activity calendar (class 20, 0-0:13.0.0.255),
 *   special days table (class 11, 0-0:11.0.0.255),
 *   register activation (class 6, 0-0:14.0.1.255 energy, 0-0:14.0.2.255 demand),
 *   tariffication script table (class 9, 0-0:10.0.100.255, script n = tariff n),
 *   end of billing period script table (class 9, 0-0:10.0.1.255) and its
 *   single action schedule (class 22, 0-0:15.0.0.255).
 *
 * The passive calendar is written attribute by attribute (7 seasons, 8
 * weeks, 9 day profiles, 10 activation time). Each written value is checked
 * on its own first (counts, dates, times, order, tariffs, duplicate ids: a
 * refused value changes nothing); it then goes into the context's staged
 * copy, which is handed to the calendar engine (mtr_calendar_set_passive())
 * as soon as its parts refer to one another consistently. Until then the
 * passive attributes read the staged copy (docs/cosem.md, "Activity calendar").
 *
 * Names (calendar_name, season_profile_name, week_profile_name, week_name:
 * octet-strings, Blue Book class 20) of 0..MTR_CFG_CALENDAR_NAME_LEN bytes are
 * kept by the calendar engine (struct mtr_tou) and read back as written. A
 * one-byte week name is the engine's week id (so is a season's one-byte
 * week_name), a one-byte season name equal to its position is the default:
 * both are kept as "not set" and read back the same. A name not set reads as
 * its default: calendar name the CRC-32 of the content, season name its
 * position, week name its id (docs/cosem.md, "Calendar names").
 */
#include "cosem_data.h"

#include <string.h>

#include "meter/clock.h"
#include "meter/crc.h"
#include "meter/tariff.h"

/* Methods of the classes here. */
#define M_ACTIVATE 1u /* class 20 activate_passive_calendar */
#define M_INSERT 1u   /* class 11 insert */
#define M_DELETE 2u   /* class 11 delete */
#define M_EXECUTE 1u  /* class 9 execute */
#define M_ADD_REGISTER 1u /* class 6 add_register */
#define M_ADD_MASK 2u     /* class 6 add_mask */
#define M_DELETE_MASK 3u  /* class 6 delete_mask */

/* TOU (level 2 up): passive calendar attributes 6..10 (name, seasons,
 * weeks, days, activation time), activation. */
const struct mtr_dlms_access cosem_acc_calendar[MTR_CFG_DLMS_PROFILES] =
    COSEM_ACCESS_TOU(COSEM_UPTO(10),
                     COSEM_BIT(6) | COSEM_BIT(7) | COSEM_BIT(8) | COSEM_BIT(9) | COSEM_BIT(10),
                     COSEM_BIT(M_ACTIVATE));
const struct mtr_dlms_access cosem_acc_special[MTR_CFG_DLMS_PROFILES] =
    COSEM_ACCESS_TOU(COSEM_UPTO(2), 0, COSEM_BIT(M_INSERT) | COSEM_BIT(M_DELETE));
const struct mtr_dlms_access cosem_acc_tariff_script[MTR_CFG_DLMS_PROFILES] =
    COSEM_ACCESS_TOU(COSEM_UPTO(2), 0, COSEM_BIT(M_EXECUTE));
/* Ending a billing period is a meter setting (level 3 up). */
const struct mtr_dlms_access cosem_acc_billing_script[MTR_CFG_DLMS_PROFILES] =
    COSEM_ACCESS_SETTING(COSEM_UPTO(2), 0, COSEM_BIT(M_EXECUTE));
/* Register activation: the mask_list (3) and the methods that change it
 * (add_register, add_mask, delete_mask) are part of the TOU (level 2 up). */
const struct mtr_dlms_access cosem_acc_activation[MTR_CFG_DLMS_PROFILES] =
    COSEM_ACCESS_TOU(COSEM_UPTO(4), COSEM_BIT(3),
                     COSEM_BIT(M_ADD_REGISTER) | COSEM_BIT(M_ADD_MASK) | COSEM_BIT(M_DELETE_MASK));
/* When billing periods end (execution_time, 4): a meter setting (level 3 up). */
const struct mtr_dlms_access cosem_acc_billing_schedule[MTR_CFG_DLMS_PROFILES] =
    COSEM_ACCESS_SETTING(COSEM_UPTO(4), COSEM_BIT(4), 0);

#if MTR_WITH_CALENDAR

static const uint8_t LN_TARIFF_SCRIPTS[6] = {0, 0, 10, 0, 100, 255};
static const uint8_t LN_BILLING_SCRIPTS[6] = {0, 0, 10, 0, 1, 255};
static const uint8_t LN_ACT_ENERGY[6] = {0, 0, 14, 0, 1, 255};
static const uint8_t LN_ACT_DEMAND[6] = {0, 0, 14, 0, 2, 255};
static const uint8_t LN_BILLING_PROFILE[6] = {0, 0, 98, 1, 0, 255}; /* seed profiles.json */


static struct mtr_calendar *cal_of(const struct mtr_dlms_call *c)
{
    return cosem_engines(c)->calendar;
}

/* Now, from the clock (UTC 0 and a zero view without one). */
static void now_view(const struct mtr_dlms_call *c, struct mtr_clock_view *v)
{
    struct mtr_clock *clk = cosem_engines(c)->clock;
    memset(v, 0, sizeof *v);
    if (clk != NULL) {
        (void)mtr_clock_now(clk, v);
    }
}

/* ------------------------------------------------------------ calendar */

/* The calendar name: CRC-32 of the content in use (big-endian, 4 bytes). */
static uint32_t tou_crc(const struct mtr_tou *t)
{
    uint32_t crc = mtr_crc32_update(0, &t->n_seasons, 1);
    crc = mtr_crc32_update(crc, t->season, (size_t)t->n_seasons * sizeof t->season[0]);
    crc = mtr_crc32_update(crc, &t->n_weeks, 1);
    crc = mtr_crc32_update(crc, t->week, (size_t)t->n_weeks * sizeof t->week[0]);
    crc = mtr_crc32_update(crc, &t->n_days, 1);
    for (uint8_t i = 0; i < t->n_days; i++) {
        crc = mtr_crc32_update(crc, &t->day[i], 2);
        crc = mtr_crc32_update(crc, t->day[i].sw, (size_t)t->day[i].n * sizeof t->day[i].sw[0]);
    }
    return crc;
}

/* A name kept by the engine (or staged): its bytes stay valid across blocks. */
static void put_set_name(struct cosem_out *o, const struct mtr_tou_name *n)
{
    cosem_put_view(o, MTR_DLMS_OCTET_STRING, n->b, n->len);
}

static void put_name(struct cosem_out *o, const struct mtr_tou *t)
{
    uint8_t b[4] = {0, 0, 0, 0};
    if (t == NULL) {
        cosem_put_copy(o, MTR_DLMS_OCTET_STRING, b, 0);
        return;
    }
    if (t->name.set) {
        put_set_name(o, &t->name);
        return;
    }
    uint32_t crc = tou_crc(t);
    b[0] = (uint8_t)(crc >> 24);
    b[1] = (uint8_t)(crc >> 16);
    b[2] = (uint8_t)(crc >> 8);
    b[3] = (uint8_t)crc;
    cosem_put_copy(o, MTR_DLMS_OCTET_STRING, b, 4);
}

static void put_seasons(struct cosem_out *o, const struct mtr_tou *t)
{
    uint8_t n = t != NULL ? t->n_seasons : 0;
    cosem_put_array(o, n);
    for (uint8_t i = 0; i < n && o->err == MTR_OK; i++) {
        const struct mtr_tou_season *s = &t->season[i];
        /* season_start: every year, local 00:00 */
        struct mtr_dlms_datetime d = {0xFFFFu, s->month, s->day, 0xFF, 0, 0, 0, 0xFF,
                                      MTR_DLMS_DEVIATION_NONE, 0xFF};
        uint8_t b[12];
        uint8_t name = (uint8_t)(i + 1u);
        mtr_dlms_datetime_encode(&d, b);
        cosem_put_struct(o, 3);
        if (t->season_name[i].set) {
            put_set_name(o, &t->season_name[i]);
        } else {
            cosem_put_copy(o, MTR_DLMS_OCTET_STRING, &name, 1);
        }
        cosem_put_copy(o, MTR_DLMS_OCTET_STRING, b, 12);
        if (t->season_week[i].set) {
            put_set_name(o, &t->season_week[i]);
        } else {
            cosem_put_view(o, MTR_DLMS_OCTET_STRING, &s->week, 1);
        }
    }
}

static void put_weeks(struct cosem_out *o, const struct mtr_tou *t)
{
    uint8_t n = t != NULL ? t->n_weeks : 0;
    cosem_put_array(o, n);
    for (uint8_t i = 0; i < n && o->err == MTR_OK; i++) {
        const struct mtr_tou_week *wk = &t->week[i];
        cosem_put_struct(o, 8);
        if (t->week_name[i].set) {
            put_set_name(o, &t->week_name[i]);
        } else {
            cosem_put_view(o, MTR_DLMS_OCTET_STRING, &wk->id, 1);
        }
        for (int d = 0; d < 7; d++) {
            cosem_put_uint(o, MTR_DLMS_UNSIGNED, wk->day[d]);
        }
    }
}

static void put_days(struct cosem_out *o, const struct mtr_tou *t)
{
    uint8_t n = t != NULL ? t->n_days : 0;
    cosem_put_array(o, n);
    for (uint8_t i = 0; i < n && o->err == MTR_OK; i++) {
        const struct mtr_tou_day *d = &t->day[i];
        cosem_put_struct(o, 2);
        cosem_put_uint(o, MTR_DLMS_UNSIGNED, d->id);
        cosem_put_array(o, d->n);
        for (uint8_t k = 0; k < d->n && o->err == MTR_OK; k++) {
            uint8_t tm[4] = {d->sw[k].hour, d->sw[k].minute, d->sw[k].second, 0};
            cosem_put_struct(o, 3);
            cosem_put_copy(o, MTR_DLMS_OCTET_STRING, tm, 4);
            cosem_put_obis(o, LN_TARIFF_SCRIPTS);
            cosem_put_uint(o, MTR_DLMS_LONG_UNSIGNED, d->sw[k].tariff);
        }
    }
}

static void put_activation(struct cosem_out *o, const struct mtr_dlms_call *c, mtr_utc_t at)
{
    uint8_t b[12];
    cosem_dt_unspecified(b);
    if (at != MTR_CAL_NEVER) {
        mtr_err_t err = cosem_dt_from_utc(c, at, b);
        if (err != MTR_OK) {
            cosem_out_fail(o, err);
            return;
        }
    }
    cosem_put_copy(o, MTR_DLMS_OCTET_STRING, b, 12);
}

mtr_err_t cosem_calendar_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    const struct mtr_calendar *cal = cal_of(c);
    const struct mtr_cosem *cm = cosem_of(c);
    struct cosem_out o;
    mtr_utc_t at;

    if (cal == NULL) {
        return MTR_ERR_NOTSUP;
    }
    (void)mtr_calendar_control(cal, &at);
    const struct mtr_tou *act = mtr_calendar_active(cal);
    const struct mtr_tou *pas = cm->tou_staged ? &cm->tou_stage : mtr_calendar_passive(cal);
    if (cm->tou_staged) {
        at = cm->tou_stage_at;
    }
    cosem_out_init(&o, c, w);
    switch (c->id) {
    case 2:
        put_name(&o, act);
        break;
    case 3:
        put_seasons(&o, act);
        break;
    case 4:
        put_weeks(&o, act);
        break;
    case 5:
        put_days(&o, act);
        break;
    case 6:
        put_name(&o, pas);
        break;
    case 7:
        put_seasons(&o, pas);
        break;
    case 8:
        put_weeks(&o, pas);
        break;
    case 9:
        put_days(&o, pas);
        break;
    case 10:
        put_activation(&o, c, at);
        break;
    default:
        return MTR_ERR_NOTSUP;
    }
    return cosem_out_end(&o);
}

/* 256-bit set of one-byte ids (duplicate checks). */
static bool id_seen(uint8_t set[32], uint8_t id)
{
    bool seen = (set[id >> 3] >> (id & 7u)) & 1u;
    set[id >> 3] = (uint8_t)(set[id >> 3] | (1u << (id & 7u)));
    return seen;
}

/* Keep a written name: "not set" when it is the default (@p is_default). */
static void keep_name(struct mtr_tou_name *n, const uint8_t *b, uint32_t len, bool is_default)
{
    if (is_default) {
        memset(n, 0, sizeof *n);
    } else {
        (void)mtr_tou_name_set(n, b, len); /* length checked by the caller */
    }
}

/*
 * Parse a passive table of attribute @p id (7, 8, 9) from @p in, with every
 * check that does not need the other tables. @p dst NULL: check only; else
 * the parsed table replaces its part of @p dst (call it only after a check
 * that passed). @return MTR_OK; MTR_ERR_INVAL (shape); the calendar's error.
 */
static mtr_err_t parse_part(struct cosem_in *in, uint8_t id, struct mtr_tou *dst)
{
    uint8_t seen[32];
    /* week names written so far (duplicate check): offset from @p base, length */
    uint16_t wn_off[MTR_CFG_CALENDAR_WEEKS];
    uint8_t wn_n[MTR_CFG_CALENDAR_WEEKS];
    const uint8_t *base = in->p;
    uint32_t n = 0;
    const uint8_t *b;
    uint32_t len;
    uint64_t v;
    uint16_t prev_season = 0;
    mtr_err_t err = MTR_OK;

    memset(seen, 0, sizeof seen);
    if (!cosem_get_array(in, &n)) {
        return MTR_ERR_INVAL;
    }
    uint32_t cap = id == 7 ? MTR_CFG_CALENDAR_SEASONS : id == 8 ? MTR_CFG_CALENDAR_WEEKS : MTR_CFG_CALENDAR_DAYS;
    if (n > cap) {
        return MTR_ERR_CALENDAR_LIMIT;
    }
    for (uint32_t i = 0; i < n && in->err == MTR_OK && err == MTR_OK; i++) {
        if (id == 7) {
            struct mtr_dlms_datetime d;
            const uint8_t *sn = NULL, *wn = NULL;
            uint32_t sn_len = 0, wn_len = 0;
            (void)cosem_get_struct(in, 3);
            (void)cosem_get_bytes(in, MTR_DLMS_OCTET_STRING, &sn, &sn_len, 0);
            if (!cosem_get_bytes(in, MTR_DLMS_OCTET_STRING, &b, &len, 12) ||
                !cosem_get_bytes(in, MTR_DLMS_OCTET_STRING, &wn, &wn_len, 0)) {
                break;
            }
            if (sn_len > MTR_CFG_CALENDAR_NAME_LEN || wn_len > MTR_CFG_CALENDAR_NAME_LEN) {
                err = MTR_ERR_CALENDAR_NAME;
                break;
            }
            if (mtr_dlms_datetime_decode(b, &d) != MTR_OK || d.month < 1 || d.month > 12 ||
                d.day < 1 || d.day > mtr_civil_month_days(2001, d.month) ||
                (d.hour != 0 && d.hour != 0xFF) || (d.minute != 0 && d.minute != 0xFF) ||
                (d.second != 0 && d.second != 0xFF)) {
                err = MTR_ERR_CALENDAR_DATE; /* a season starts on a day at 00:00; never 02-29 */
                break;
            }
            /* a one-byte week_name is the week id; another one is kept as a name */
            uint8_t week = wn_len == 1 ? wn[0] : 0;
            if (dst != NULL) {
                dst->season[i] = (struct mtr_tou_season){d.month, d.day, week};
                keep_name(&dst->season_name[i], sn, sn_len, sn_len == 1 && sn[0] == i + 1u);
                keep_name(&dst->season_week[i], wn, wn_len, wn_len == 1);
            }
            /* strictly increasing start dates */
            uint16_t key = (uint16_t)(d.month * 32u + d.day);
            if (i > 0 && key <= prev_season) {
                err = MTR_ERR_CALENDAR_SEASONS;
                break;
            }
            prev_season = key;
        } else if (id == 8) {
            uint8_t days[7];
            const uint8_t *wn = NULL;
            uint32_t wn_len = 0;
            (void)cosem_get_struct(in, 8);
            if (!cosem_get_bytes(in, MTR_DLMS_OCTET_STRING, &wn, &wn_len, 0)) {
                break;
            }
            for (int d = 0; d < 7; d++) {
                v = 0;
                (void)cosem_get_uint(in, MTR_DLMS_UNSIGNED, &v);
                days[d] = (uint8_t)v;
            }
            if (in->err != MTR_OK) {
                break;
            }
            if (wn_len > MTR_CFG_CALENDAR_NAME_LEN) {
                err = MTR_ERR_CALENDAR_NAME;
                break;
            }
            if ((size_t)(wn - base) > UINT16_MAX) {
                err = MTR_ERR_CALENDAR_LIMIT; /* a week table far larger than any valid one */
                break;
            }
            for (uint32_t k = 0; k < i && err == MTR_OK; k++) {
                if (wn_n[k] == wn_len && memcmp(base + wn_off[k], wn, wn_len) == 0) {
                    err = MTR_ERR_CALENDAR_REF; /* duplicate week profile name */
                }
            }
            if (err != MTR_OK) {
                break;
            }
            wn_off[i] = (uint16_t)(wn - base);
            wn_n[i] = (uint8_t)wn_len;
            if (dst != NULL) {
                /* a one-byte name is the week id; another one is kept as a name */
                dst->week[i].id = wn_len == 1 ? wn[0] : 0;
                memcpy(dst->week[i].day, days, 7);
                keep_name(&dst->week_name[i], wn, wn_len, wn_len == 1);
            }
        } else {
            uint32_t m = 0;
            uint32_t prev = 0;
            (void)cosem_get_struct(in, 2);
            (void)cosem_get_uint(in, MTR_DLMS_UNSIGNED, &v);
            uint8_t did = (uint8_t)v;
            if (!cosem_get_array(in, &m)) {
                break;
            }
            if (m < 1 || m > MTR_CFG_CALENDAR_SWITCHES) {
                err = MTR_ERR_CALENDAR_LIMIT;
                break;
            }
            if (id_seen(seen, did)) {
                err = MTR_ERR_CALENDAR_REF; /* duplicate day_id */
                break;
            }
            for (uint32_t k = 0; k < m && in->err == MTR_OK && err == MTR_OK; k++) {
                const uint8_t *tm;
                const uint8_t *ln;
                (void)cosem_get_struct(in, 3);
                (void)cosem_get_bytes(in, MTR_DLMS_OCTET_STRING, &tm, &len, 4);
                (void)cosem_get_bytes(in, MTR_DLMS_OCTET_STRING, &ln, &len, 6);
                v = 0;
                (void)cosem_get_uint(in, MTR_DLMS_LONG_UNSIGNED, &v);
                if (in->err != MTR_OK) {
                    break;
                }
                uint8_t sec = tm[2] == 0xFF ? 0 : tm[2];
                if (memcmp(ln, LN_TARIFF_SCRIPTS, 6) != 0) {
                    err = MTR_ERR_CALENDAR_REF; /* actions run the tariffication scripts only */
                } else if (tm[0] > 23 || tm[1] > 59 || sec > 59 || (tm[3] != 0 && tm[3] != 0xFF)) {
                    err = MTR_ERR_CALENDAR_DATE;
                } else if (v < 1 || v > MTR_CFG_TARIFFS) {
                    err = MTR_ERR_CALENDAR_TARIFF;
                } else {
                    uint32_t t = (uint32_t)tm[0] * 3600u + tm[1] * 60u + sec;
                    if (k > 0 && t <= prev) {
                        err = MTR_ERR_CALENDAR_DAY_ORDER;
                    }
                    prev = t;
                    if (dst != NULL) {
                        dst->day[i].sw[k] = (struct mtr_tou_switch){tm[0], tm[1], sec, (uint8_t)v};
                    }
                }
            }
            if (dst != NULL) {
                dst->day[i].id = did;
                dst->day[i].n = (uint8_t)m;
            }
        }
    }
    if (err == MTR_OK) {
        err = cosem_in_end(in);
    }
    if (err == MTR_OK && dst != NULL) {
        if (id == 7) {
            dst->n_seasons = (uint8_t)n;
        } else if (id == 8) {
            dst->n_weeks = (uint8_t)n;
        } else {
            dst->n_days = (uint8_t)n;
        }
    }
    return err;
}

/* Activation time: "not specified" = never; else a date-time in range. */
static mtr_err_t parse_activation(const struct mtr_dlms_call *c, mtr_utc_t *at)
{
    struct cosem_in in;
    const uint8_t *b = NULL;
    uint32_t len;
    uint8_t u[12];
    cosem_in_init(&in, c->data, c->data_len);
    (void)cosem_get_bytes(&in, MTR_DLMS_OCTET_STRING, &b, &len, 12);
    mtr_err_t err = cosem_in_end(&in);
    if (err != MTR_OK) {
        return err;
    }
    cosem_dt_unspecified(u);
    if (memcmp(b, u, 11) == 0) {
        *at = MTR_CAL_NEVER;
        return MTR_OK;
    }
    if (cosem_dt_to_utc(c, b, at) != MTR_OK) {
        return MTR_ERR_INVAL;
    }
    return *at >= MTR_UTC_MIN && *at <= MTR_UTC_MAX ? MTR_OK : MTR_ERR_CALENDAR_DATE;
}

/* Hand the staged passive calendar to the engine once it is whole. */
static mtr_err_t stage_commit(struct mtr_cosem *cm, struct mtr_calendar *cal)
{
    if (mtr_tou_check(&cm->tou_stage) != MTR_OK) {
        return MTR_OK; /* parts still missing: kept staged */
    }
    mtr_err_t err = mtr_calendar_set_passive(cal, &cm->tou_stage, cm->tou_stage_at);
    if (err == MTR_OK) {
        cm->tou_staged = false;
    }
    return err;
}

/* Start staging from the engine's passive calendar (or none). */
static void stage_open(struct mtr_cosem *cm, const struct mtr_calendar *cal)
{
    if (cm->tou_staged) {
        return;
    }
    const struct mtr_tou *pas = mtr_calendar_passive(cal);
    if (pas != NULL) {
        cm->tou_stage = *pas;
    } else {
        memset(&cm->tou_stage, 0, sizeof cm->tou_stage);
    }
    (void)mtr_calendar_control(cal, &cm->tou_stage_at);
    cm->tou_staged = true;
}

/* calendar_name_passive (6): 0..MTR_CFG_CALENDAR_NAME_LEN bytes, read back as written. */
static mtr_err_t set_passive_name(const struct mtr_dlms_call *c, struct mtr_cosem *cm,
                                  struct mtr_calendar *cal)
{
    struct cosem_in in;
    const uint8_t *b = NULL;
    uint32_t len = 0;
    cosem_in_init(&in, c->data, c->data_len);
    (void)cosem_get_bytes(&in, MTR_DLMS_OCTET_STRING, &b, &len, 0);
    mtr_err_t err = cosem_in_end(&in);
    if (err != MTR_OK) {
        return err;
    }
    if (len > MTR_CFG_CALENDAR_NAME_LEN) {
        return MTR_ERR_CALENDAR_NAME; /* refused: nothing changed */
    }
    if (!cm->tou_staged && mtr_calendar_passive(cal) != NULL) {
        return mtr_calendar_set_passive_name(cal, b, len);
    }
    stage_open(cm, cal);
    (void)mtr_tou_name_set(&cm->tou_stage.name, b, len);
    return stage_commit(cm, cal);
}

mtr_err_t cosem_calendar_set(const struct mtr_dlms_call *c)
{
    struct mtr_calendar *cal = cal_of(c);
    struct mtr_cosem *cm = cosem_of(c);
    struct cosem_in in;
    mtr_err_t err;

    if (cal == NULL) {
        return MTR_ERR_NOTSUP;
    }
    if (c->id == 6) {
        return set_passive_name(c, cm, cal);
    }
    if (c->id == 10) {
        mtr_utc_t at;
        err = parse_activation(c, &at);
        if (err != MTR_OK) {
            return err;
        }
        if (!cm->tou_staged && mtr_calendar_passive(cal) != NULL) {
            return mtr_calendar_set_passive(cal, mtr_calendar_passive(cal), at);
        }
        stage_open(cm, cal);
        cm->tou_stage_at = at;
        return stage_commit(cm, cal);
    }
    if (c->id < 7 || c->id > 9) {
        return MTR_ERR_NOTSUP;
    }
    cosem_in_init(&in, c->data, c->data_len);
    err = parse_part(&in, c->id, NULL);
    if (err != MTR_OK) {
        return err; /* refused: nothing changed */
    }
    stage_open(cm, cal);
    cosem_in_init(&in, c->data, c->data_len);
    (void)parse_part(&in, c->id, &cm->tou_stage);
    return stage_commit(cm, cal);
}

mtr_err_t cosem_calendar_action(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    struct mtr_calendar *cal = cal_of(c);
    struct mtr_clock_view v;
    (void)w;
    if (cal == NULL) {
        return MTR_ERR_NOTSUP;
    }
    if (c->id != M_ACTIVATE) {
        return MTR_ERR_NOTSUP;
    }
    mtr_err_t err = cosem_param_integer(c);
    if (err != MTR_OK) {
        return err;
    }
    if (cosem_of(c)->tou_staged) {
        return MTR_ERR_STATE; /* the passive calendar written is not whole yet */
    }
    now_view(c, &v);
    return mtr_calendar_activate_passive(cal, v.utc);
}

/* ------------------------------------------------------------ special days */

mtr_err_t cosem_special_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    const struct mtr_calendar *cal = cal_of(c);
    struct cosem_out o;
    if (cal == NULL) {
        return MTR_ERR_NOTSUP;
    }
    if (c->id != 2) {
        return MTR_ERR_NOTSUP;
    }
    uint16_t n = mtr_calendar_special_count(cal);
    cosem_out_init(&o, c, w);
    cosem_put_array(&o, n);
    for (uint16_t i = 0; i < n && o.err == MTR_OK; i++) {
        struct mtr_special_day sd;
        (void)mtr_calendar_special_get(cal, i, &sd);
        uint8_t date[5] = {(uint8_t)(sd.year >> 8), (uint8_t)sd.year, sd.month, sd.day, 0xFF};
        cosem_put_struct(&o, 3);
        cosem_put_uint(&o, MTR_DLMS_LONG_UNSIGNED, sd.index);
        cosem_put_copy(&o, MTR_DLMS_OCTET_STRING, date, 5);
        cosem_put_uint(&o, MTR_DLMS_UNSIGNED, sd.day_id);
    }
    return cosem_out_end(&o);
}

mtr_err_t cosem_special_action(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    struct mtr_calendar *cal = cal_of(c);
    struct cosem_in in;
    uint64_t idx = 0, did = 0;
    const uint8_t *date = NULL;
    uint32_t len;
    mtr_err_t err;

    (void)w;
    if (cal == NULL) {
        return MTR_ERR_NOTSUP;
    }
    cosem_in_init(&in, c->data, c->data_len);
    if (c->id == M_DELETE) {
        (void)cosem_get_uint(&in, MTR_DLMS_LONG_UNSIGNED, &idx);
        err = cosem_in_end(&in);
        return err != MTR_OK ? err : mtr_calendar_special_delete(cal, (uint16_t)idx);
    }
    if (c->id != M_INSERT) {
        return MTR_ERR_NOTSUP;
    }
    (void)cosem_get_struct(&in, 3);
    (void)cosem_get_uint(&in, MTR_DLMS_LONG_UNSIGNED, &idx);
    (void)cosem_get_bytes(&in, MTR_DLMS_OCTET_STRING, &date, &len, 5);
    (void)cosem_get_uint(&in, MTR_DLMS_UNSIGNED, &did);
    err = cosem_in_end(&in);
    if (err != MTR_OK) {
        return err;
    }
    /* date: year (0xFFFF every year), month, day, weekday (not used) */
    struct mtr_special_day sd = {(uint16_t)idx, (uint16_t)(date[0] << 8 | date[1]), date[2], date[3],
                                 (uint8_t)did};
    return mtr_calendar_special_set(cal, &sd);
}

/* ------------------------------------------------------------ register activation */

/* Quantities switched by the activation object (energy: all; demand: those with demand). */
static unsigned act_quantities(bool demand)
{
    return demand ? MTR_DEMAND_QUANTITIES : MTR_Q_COUNT;
}

mtr_err_t cosem_activation_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    const struct mtr_calendar *cal = cal_of(c);
    bool demand = c->obj->obis[4] == 2;
    unsigned nq = act_quantities(demand);
    struct cosem_out o;

    if (cal == NULL) {
        return MTR_ERR_NOTSUP;
    }
    cosem_out_init(&o, c, w);
    switch (c->id) {
    case 2: /* register_assignment: the tariff registers, quantity by quantity */
        cosem_put_array(&o, nq * MTR_CFG_TARIFFS);
        for (unsigned q = 0; q < nq && o.err == MTR_OK; q++) {
            for (unsigned t = 1; t <= MTR_CFG_TARIFFS; t++) {
                uint8_t ln[6] = {1, 0, (uint8_t)(q + 1u), demand ? 6 : 8, (uint8_t)t, 255};
                cosem_put_struct(&o, 2);
                cosem_put_uint(&o, MTR_DLMS_LONG_UNSIGNED, demand ? 4 : 3);
                cosem_put_obis(&o, ln);
            }
        }
        break;
    case 3: /* mask_list: mask "00 0n" of tariff n selects register Tk (Mk) of every quantity */
        cosem_put_array(&o, MTR_CFG_TARIFFS);
        for (unsigned t = 1; t <= MTR_CFG_TARIFFS && o.err == MTR_OK; t++) {
            struct mtr_tariff_masks m;
            uint8_t name[2] = {(uint8_t)(t >> 8), (uint8_t)t};
            (void)mtr_calendar_masks(cal, (uint8_t)t, &m);
            uint16_t mask = demand ? m.demand : m.energy;
            unsigned k = 0;
            while (k < 15u && ((mask >> k) & 1u) == 0) {
                k++;
            }
            cosem_put_struct(&o, 2);
            cosem_put_copy(&o, MTR_DLMS_OCTET_STRING, name, 2);
            cosem_put_array(&o, nq);
            for (unsigned q = 0; q < nq; q++) {
                cosem_put_uint(&o, MTR_DLMS_UNSIGNED, q * MTR_CFG_TARIFFS + k + 1u);
            }
        }
        break;
    case 4: { /* active_mask: the mask of the tariff in force now */
        struct mtr_clock_view v;
        struct mtr_tariff_sel sel;
        now_view(c, &v);
        mtr_calendar_decide(cal, &v, mtr_meter_inputs(cosem_of(c)->cfg.meter), &sel);
        uint8_t name[2] = {0, sel.tariff};
        cosem_put_copy(&o, MTR_DLMS_OCTET_STRING, name, 2);
        break;
    }
    default:
        return MTR_ERR_NOTSUP;
    }
    return cosem_out_end(&o);
}

/* Tariff of mask name "00 0n" (n = 1..MTR_CFG_TARIFFS), 0 for any other name. */
static unsigned mask_tariff(const uint8_t *name, uint32_t len)
{
    return len == 2 && name[0] == 0 && name[1] >= 1 && name[1] <= MTR_CFG_TARIFFS ? name[1] : 0u;
}

/*
 * One register_act_mask {mask_name, index_list} (Blue Book class 6) from
 * @p in: @p t the tariff it names (0: no tariff's name), @p k the register
 * (0-based) it selects for every quantity, -1 unless the index_list is one
 * the engine can do: @p nq entries, entry q = q x MTR_CFG_TARIFFS + k + 1
 * (register k + 1 of quantity q, the same k for all), as attribute 3 reads.
 * @return false on a shape error (recorded in @p in).
 */
static bool read_act_mask(struct cosem_in *in, unsigned nq, unsigned *t, int *k)
{
    const uint8_t *name = NULL;
    uint32_t len = 0, m = 0;
    int kk = -1;
    *t = 0;
    *k = -1;
    if (!cosem_get_struct(in, 2) || !cosem_get_bytes(in, MTR_DLMS_OCTET_STRING, &name, &len, 0) ||
        !cosem_get_array(in, &m)) {
        return false;
    }
    *t = mask_tariff(name, len);
    bool ok = m == nq;
    for (uint32_t q = 0; q < m && in->err == MTR_OK; q++) {
        uint64_t idx = 0;
        if (!cosem_get_uint(in, MTR_DLMS_UNSIGNED, &idx)) {
            break;
        }
        uint64_t base = (uint64_t)q * MTR_CFG_TARIFFS + 1u;
        int kq = idx >= base && idx < base + MTR_CFG_TARIFFS ? (int)(idx - base) : -1;
        ok = ok && kq >= 0 && (q == 0 || kq == kk);
        kk = q == 0 ? kq : kk;
    }
    *k = ok ? kk : -1;
    return in->err == MTR_OK;
}

/* Set mask @p k (register k + 1) of the object's kind in @p m. */
static void put_mask(struct mtr_tariff_masks *m, bool demand, unsigned k)
{
    if (demand) {
        m->demand = (uint16_t)(1u << k);
    } else {
        m->energy = (uint16_t)(1u << k);
    }
}

/* The masks changed: persisted with the calendar record (a failure is
 * counted and retried by the aggregate's step). */
static void commit_masks(const struct mtr_dlms_call *c)
{
    (void)mtr_meter_calendar_commit(cosem_of(c)->cfg.meter);
}

/*
 * mask_list (attribute 3) written: an array naming every tariff once (mask
 * "00 0n", any order), each index_list exactly what the engine can do: one
 * register for every quantity, entry q the register of quantity q, as read
 * (q x MTR_CFG_TARIFFS + k + 1 for register k + 1). All masks change at once
 * (mtr_calendar_set_mask_list()): the energy object writes the energy masks,
 * the demand object the demand masks. A list that names a tariff twice,
 * leaves one out or asks for what the engine cannot do is refused
 * (MTR_ERR_CALENDAR_TARIFF: other-reason) and nothing changes.
 */
mtr_err_t cosem_activation_set(const struct mtr_dlms_call *c)
{
    struct mtr_calendar *cal = cal_of(c);
    bool demand = c->obj->obis[4] == 2;
    unsigned nq = act_quantities(demand);
    struct mtr_tariff_masks masks[MTR_CFG_TARIFFS];
    struct cosem_in in;
    uint32_t n = 0, named = 0;
    bool ok = true;

    if (cal == NULL) {
        return MTR_ERR_NOTSUP;
    }
    if (c->id != 3) {
        return MTR_ERR_DLMS_DENIED;
    }
    for (uint8_t t = 1; t <= MTR_CFG_TARIFFS; t++) {
        (void)mtr_calendar_masks(cal, t, &masks[t - 1]);
    }
    cosem_in_init(&in, c->data, c->data_len);
    if (cosem_get_array(&in, &n)) {
        ok = n == MTR_CFG_TARIFFS;
    }
    for (uint32_t e = 0; e < n && in.err == MTR_OK; e++) {
        int k = -1;
        unsigned t = 0;
        if (!read_act_mask(&in, nq, &t, &k)) {
            break;
        }
        ok = ok && t != 0 && (named & (1u << t)) == 0 && k >= 0;
        named |= t != 0 ? 1u << t : 0u;
        if (ok) {
            put_mask(&masks[t - 1], demand, (unsigned)k);
        }
    }
    mtr_err_t err = cosem_in_end(&in);
    if (err != MTR_OK) {
        return err;
    }
    if (!ok) {
        return MTR_ERR_CALENDAR_TARIFF;
    }
    err = mtr_calendar_set_mask_list(cal, masks);
    if (err == MTR_OK) {
        commit_masks(c);
    }
    return err;
}

/* add_register: whether (class, logical name) is in this object's register_assignment. */
static bool is_assigned(bool demand, unsigned nq, uint64_t class_id, const uint8_t ln[6])
{
    return class_id == (demand ? 4u : 3u) && ln[0] == 1 && ln[1] == 0 && ln[2] >= 1 &&
           ln[2] <= nq && ln[3] == (demand ? 6 : 8) && ln[4] >= 1 && ln[4] <= MTR_CFG_TARIFFS &&
           ln[5] == 255;
}

/*
 * Methods of class 6 (Blue Book): the engine keeps one mask per tariff, over
 * the tariff registers the build meters.
 *  1 add_register(register_assignment {class_id, logical_name}): the
 *    registers are fixed by the build: a register already assigned succeeds
 *    and changes nothing; any other is refused (MTR_ERR_CALENDAR_REF:
 *    other-reason).
 *  2 add_mask(register_act_mask {mask_name, index_list}): the mask of an
 *    existing name "00 0n" is replaced (Blue Book: a mask of the same name is
 *    overwritten), index_list checked as for mask_list; another name (a new
 *    mask) or a list the engine cannot do: MTR_ERR_CALENDAR_TARIFF
 *    (other-reason), nothing changed.
 *  3 delete_mask(mask_name): every tariff keeps a mask (its tariffication
 *    script activates it), so the mask of "00 0n" returns to its default,
 *    register n; another name: MTR_ERR_CALENDAR_REF (other-reason).
 * Values of another shape: MTR_ERR_INVAL (type-unmatched). A change is
 * persisted with the calendar record at once, like a written mask_list.
 */
mtr_err_t cosem_activation_action(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    struct mtr_calendar *cal = cal_of(c);
    bool demand = c->obj->obis[4] == 2;
    unsigned nq = act_quantities(demand);
    struct mtr_tariff_masks m, old;
    struct cosem_in in;
    const uint8_t *b = NULL;
    uint32_t len = 0;
    uint64_t cls = 0;
    unsigned t = 0;
    int k = -1;
    mtr_err_t err;

    (void)w;
    if (cal == NULL) {
        return MTR_ERR_NOTSUP;
    }
    cosem_in_init(&in, c->data, c->data_len);
    switch (c->id) {
    case M_ADD_REGISTER:
        (void)cosem_get_struct(&in, 2);
        (void)cosem_get_uint(&in, MTR_DLMS_LONG_UNSIGNED, &cls);
        (void)cosem_get_bytes(&in, MTR_DLMS_OCTET_STRING, &b, &len, 6);
        err = cosem_in_end(&in);
        if (err != MTR_OK) {
            return err;
        }
        return is_assigned(demand, nq, cls, b) ? MTR_OK : MTR_ERR_CALENDAR_REF;
    case M_ADD_MASK:
        (void)read_act_mask(&in, nq, &t, &k);
        err = cosem_in_end(&in);
        if (err != MTR_OK) {
            return err;
        }
        if (t == 0 || k < 0) {
            return MTR_ERR_CALENDAR_TARIFF;
        }
        break;
    case M_DELETE_MASK:
        (void)cosem_get_bytes(&in, MTR_DLMS_OCTET_STRING, &b, &len, 0);
        err = cosem_in_end(&in);
        if (err != MTR_OK) {
            return err;
        }
        t = mask_tariff(b, len);
        if (t == 0) {
            return MTR_ERR_CALENDAR_REF;
        }
        k = (int)t - 1; /* the default: tariff n on register n */
        break;
    default:
        return MTR_ERR_NOTSUP;
    }
    (void)mtr_calendar_masks(cal, (uint8_t)t, &old);
    m = old;
    put_mask(&m, demand, (unsigned)k);
    if (m.energy == old.energy && m.demand == old.demand) {
        return MTR_OK; /* the mask in force: nothing changes */
    }
    err = mtr_calendar_set_masks(cal, (uint8_t)t, &m);
    if (err == MTR_OK) {
        commit_masks(c);
    }
    return err;
}

/* ------------------------------------------------------------ scripts */

static bool is_billing_scripts(const struct mtr_dlms_call *c)
{
    return memcmp(c->obj->obis, LN_BILLING_SCRIPTS, 6) == 0;
}

mtr_err_t cosem_script_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    struct cosem_out o;
    if (c->id != 2) {
        return MTR_ERR_NOTSUP;
    }
    cosem_out_init(&o, c, w);
    if (is_billing_scripts(c)) {
        /* script 1: capture the billing profile (the tariff engine closes the
         * period, the aggregate captures the billing profiles) */
        cosem_put_array(&o, 1);
        cosem_put_struct(&o, 2);
        cosem_put_uint(&o, MTR_DLMS_LONG_UNSIGNED, 1);
        cosem_put_array(&o, 1);
        cosem_put_struct(&o, 5);
        cosem_put_uint(&o, MTR_DLMS_ENUM, 2); /* execute a method */
        cosem_put_uint(&o, MTR_DLMS_LONG_UNSIGNED, 7);
        cosem_put_obis(&o, LN_BILLING_PROFILE);
        cosem_put_int(&o, MTR_DLMS_INTEGER, 2); /* capture */
        cosem_put_int(&o, MTR_DLMS_INTEGER, 0);
        return cosem_out_end(&o);
    }
    /* script n: write active_mask "00 0n" of both activation objects (seed
     * tou-limits.json, tariffication script example) */
    cosem_put_array(&o, MTR_CFG_TARIFFS);
    for (unsigned t = 1; t <= MTR_CFG_TARIFFS && o.err == MTR_OK; t++) {
        uint8_t name[2] = {(uint8_t)(t >> 8), (uint8_t)t};
        cosem_put_struct(&o, 2);
        cosem_put_uint(&o, MTR_DLMS_LONG_UNSIGNED, t);
        cosem_put_array(&o, 2);
        for (int k = 0; k < 2; k++) {
            cosem_put_struct(&o, 5);
            cosem_put_uint(&o, MTR_DLMS_ENUM, 1); /* write an attribute */
            cosem_put_uint(&o, MTR_DLMS_LONG_UNSIGNED, 6);
            cosem_put_obis(&o, k == 0 ? LN_ACT_ENERGY : LN_ACT_DEMAND);
            cosem_put_int(&o, MTR_DLMS_INTEGER, 4);
            cosem_put_copy(&o, MTR_DLMS_OCTET_STRING, name, 2);
        }
    }
    return cosem_out_end(&o);
}

mtr_err_t cosem_script_action(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    struct cosem_in in;
    uint64_t id = 0;
    struct mtr_clock_view v;

    (void)w;
    if (c->id != M_EXECUTE) {
        return MTR_ERR_NOTSUP;
    }
    cosem_in_init(&in, c->data, c->data_len);
    (void)cosem_get_uint(&in, MTR_DLMS_LONG_UNSIGNED, &id);
    mtr_err_t err = cosem_in_end(&in);
    if (err != MTR_OK) {
        return err;
    }
    now_view(c, &v);
    if (is_billing_scripts(c)) {
        struct mtr_tariff *t = cosem_engines(c)->tariff;
        if (t == NULL) {
            return MTR_ERR_NOTSUP;
        }
        if (id != 1) {
            return MTR_ERR_RANGE;
        }
        return mtr_tariff_billing_end(t, &v, MTR_BILLING_BY_COMMAND);
    }
    /* Tariff n: under external control only (the inputs' map then gives
     * tariff n whatever the inputs); the calendar decides otherwise. */
    struct mtr_calendar *cal = cal_of(c);
    if (cal == NULL) {
        return MTR_ERR_NOTSUP;
    }
    if (id < 1 || id > MTR_CFG_TARIFFS) {
        return MTR_ERR_RANGE;
    }
    if (mtr_calendar_control(cal, NULL) != MTR_TARIFF_BY_INPUTS) {
        return MTR_ERR_STATE;
    }
    uint8_t map[4] = {(uint8_t)id, (uint8_t)id, (uint8_t)id, (uint8_t)id};
    return mtr_calendar_set_control(cal, MTR_TARIFF_BY_INPUTS, map, v.utc);
}

/* ------------------------------------------------------------ billing schedule */

mtr_err_t cosem_schedule_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    const struct mtr_tariff *t = cosem_engines(c)->tariff;
    struct mtr_billing_schedule sv;
    const struct mtr_billing_schedule *s = &sv;
    struct cosem_out o;
    if (t == NULL) {
        return MTR_ERR_NOTSUP;
    }
    mtr_tariff_billing_schedule(t, &sv);
    cosem_out_init(&o, c, w);
    switch (c->id) {
    case 2: /* executed_script */
        cosem_put_struct(&o, 2);
        cosem_put_obis(&o, LN_BILLING_SCRIPTS);
        cosem_put_uint(&o, MTR_DLMS_LONG_UNSIGNED, 1);
        break;
    case 3: /* type 1: one execution time, wildcards in the date */
        cosem_put_uint(&o, MTR_DLMS_ENUM, 1);
        break;
    case 4: { /* execution_time: local time; every month (month 0xFF) or once a year */
        uint8_t tm[4] = {s->hour, s->minute, 0, 0};
        uint8_t date[5] = {0xFF, 0xFF, s->month == 0 ? 0xFF : s->month, s->day, 0xFF};
        cosem_put_array(&o, s->enabled ? 1 : 0);
        if (s->enabled) {
            cosem_put_struct(&o, 2);
            cosem_put_copy(&o, MTR_DLMS_OCTET_STRING, tm, 4);
            cosem_put_copy(&o, MTR_DLMS_OCTET_STRING, date, 5);
        }
        break;
    }
    default:
        return MTR_ERR_NOTSUP;
    }
    return cosem_out_end(&o);
}

/*
 * execution_time (attribute 4) written: an empty array stops the schedule;
 * one entry {time, date} sets it: time hh:mm:00 (hundredths 0 or not
 * specified), date with year and weekday not specified, month not specified
 * (every month) or 1..12 (once a year), day 1..31 (past a month's end, its
 * last day). Anything else (more entries, a year, seconds, a weekday, the
 * special days 0xFD/0xFE) is refused with MTR_ERR_CALENDAR_PERIOD
 * (other-reason) and nothing changes. The tariff engine keeps it and never
 * ends a period for a boundary already past (mtr_tariff_set_billing()); the
 * register snapshot is committed at once (mtr_meter_commit()).
 */
mtr_err_t cosem_schedule_set(const struct mtr_dlms_call *c)
{
    struct mtr_tariff *t = cosem_engines(c)->tariff;
    struct mtr_billing_schedule s;
    struct mtr_clock_view v;
    struct cosem_in in;
    const uint8_t *tm = NULL, *date = NULL;
    uint32_t n = 0, len = 0;

    if (t == NULL) {
        return MTR_ERR_NOTSUP;
    }
    if (c->id != 4) {
        return MTR_ERR_DLMS_DENIED;
    }
    mtr_tariff_billing_schedule(t, &s);
    cosem_in_init(&in, c->data, c->data_len);
    if (cosem_get_array(&in, &n) && n == 1 && cosem_get_struct(&in, 2) &&
        cosem_get_bytes(&in, MTR_DLMS_OCTET_STRING, &tm, &len, 4)) {
        (void)cosem_get_bytes(&in, MTR_DLMS_OCTET_STRING, &date, &len, 5);
    }
    mtr_err_t err = cosem_in_end(&in);
    if (err != MTR_OK) {
        /* more than one entry: the value is not read to its end */
        return n > 1 && in.err == MTR_OK ? MTR_ERR_CALENDAR_PERIOD : err;
    }
    if (n == 0) {
        s.enabled = false;
    } else {
        if (tm[2] != 0 || (tm[3] != 0 && tm[3] != 0xFF) || date[0] != 0xFF || date[1] != 0xFF ||
            date[4] != 0xFF || (date[2] != 0xFF && (date[2] < 1 || date[2] > 12)) || date[3] < 1 ||
            date[3] > 31) {
            return MTR_ERR_CALENDAR_PERIOD;
        }
        s = (struct mtr_billing_schedule){.enabled = true,
                                          .month = date[2] == 0xFF ? 0 : date[2],
                                          .day = date[3],
                                          .hour = tm[0],
                                          .minute = tm[1]};
    }
    now_view(c, &v);
    err = mtr_tariff_set_billing(t, &s, &v);
    if (err == MTR_OK) {
        /* the register snapshot carries the schedule: committed now (a
         * failure is counted and retried by the aggregate's periodic commit) */
        (void)mtr_meter_commit(cosem_of(c)->cfg.meter);
    }
    return err;
}

#else /* !MTR_WITH_CALENDAR: the objects answer object-unavailable */

#define COSEM_NO_GET(fn)                                                                           \
    mtr_err_t fn(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)                    \
    {                                                                                              \
        (void)c;                                                                                   \
        (void)w;                                                                                   \
        return MTR_ERR_NOTSUP;                                                                     \
    }
COSEM_NO_GET(cosem_calendar_get)
COSEM_NO_GET(cosem_calendar_action)
COSEM_NO_GET(cosem_special_get)
COSEM_NO_GET(cosem_special_action)
COSEM_NO_GET(cosem_activation_get)
COSEM_NO_GET(cosem_activation_action)
COSEM_NO_GET(cosem_script_get)
COSEM_NO_GET(cosem_script_action)
COSEM_NO_GET(cosem_schedule_get)

mtr_err_t cosem_calendar_set(const struct mtr_dlms_call *c)
{
    (void)c;
    return MTR_ERR_NOTSUP;
}

mtr_err_t cosem_activation_set(const struct mtr_dlms_call *c)
{
    (void)c;
    return MTR_ERR_NOTSUP;
}

mtr_err_t cosem_schedule_set(const struct mtr_dlms_call *c)
{
    (void)c;
    return MTR_ERR_NOTSUP;
}

#endif
