/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Settings, init, counters, and the saved-state blob (version 1).
 *
 * Blob layout, big-endian (sizes in bytes):
 *   'Q' 'L' | version 1 | phases                                    4
 *   settings (field order of struct mtr_quality_settings)          42
 *   voltage detectors [phase][sag, swell, missing], each:
 *     active u8, run ms u32, event ms u64, start i64, last i64,
 *     extreme mV i32                                        9 x 33 = 297
 *   current-without-voltage detectors: active u8, run ms u32  3 x 5 = 15
 *   other detectors (sequence, neutral, asymmetry, reversal,
 *     PF under, PF over, bypass)                              7 x 5 = 35
 *   counts u32 [phase][kind]                                       36
 *   total ms u64 [phase][kind]                                     72
 *   interruptions: short n u32, long n u32, short s u64, long s u64,
 *     last long start i64, last long end i64                       40
 *   supply: down u8, down utc i64                                   9
 *   bad voltage quality: interval i64, window i64, per phase
 *     sum mV*ms i64, ms u32, valid u16, bad u16                    64
 *   inputs: stable u8, pending u8, since i64 x 3                   26
 *   CRC-32 of everything before                                     4
 * All three phases are always written; the phase count of the build's
 * configuration must match on load.
 */
#include "q_priv.h"

#include <string.h>

#include "meter/bytes.h"
#include "meter/crc.h"

#define BLOB_VERSION 1u
#define BLOB_HEAD 4u
#define T_MAX MTR_QUALITY_UTC_MAX /* bound of saved times and durations */

size_t mtr_quality_blob_size(void)
{
    return MTR_QUALITY_BLOB_SIZE;
}

size_t mtr_quality_ctx_size(void)
{
    return sizeof(struct mtr_quality);
}

void mtr_quality_settings_default(struct mtr_quality_settings *s)
{
    MTR_ASSERT(s != NULL);
    memset(s, 0, sizeof *s);
    s->sag_permille = 800;      /* seed 001 §5.7: 0.8 Un (tou-limits.json) */
    s->swell_permille = 1150;   /* seed 001 §5.7: 1.15 Un */
    s->missing_permille = 500;  /* seed 001 §4.1.1.1 phase presence: 50 % Un */
    s->hysteresis_permille = 20; /* IEC 61000-4-30 §5.4.2.1: typically 2 % of Udin */
    s->unbalance_permille = 20; /* EN 50160: 2 % unbalance */
    s->pf_under = 0;
    s->pf_over = MTR_PF_ONE;
    s->i_min_ma = 100;
    s->neutral_unbalance_ma = 2000;
    s->event_s = 1;
    s->missing_s = 5;
    s->normal_s = 1;
    s->detect_s = 5;
    s->debounce_s = 1;
    s->long_s = 180;            /* seed 001 §5.7.2: 3-minute long/short boundary */
    s->bvq_days = 7;            /* seed: 7 days of bad voltage (event-codes.csv 92-94) */
    s->bvq_band_permille = 100; /* EN 50160: Un +-10 % */
    s->bvq_share_permille = 50; /* EN 50160: 95 % of the 10-minute means in the band */
    s->options = 0;
}

static bool in_range(uint32_t v, uint32_t lo, uint32_t hi)
{
    return v >= lo && v <= hi;
}

mtr_err_t q_check_settings(const struct mtr_quality_settings *s)
{
    uint32_t hyst = s->hysteresis_permille;
    uint32_t swell_min = 1000u + (hyst > 0 ? hyst : 1u);

    if (hyst > 100 || s->missing_permille < 1 || s->sag_permille <= s->missing_permille ||
        s->sag_permille + hyst > 1000u || !in_range(s->swell_permille, swell_min, 2000) ||
        !in_range(s->unbalance_permille, 1, 1000)) {
        return MTR_ERR_QUALITY_CONFIG;
    }
    if (s->pf_over > MTR_PF_ONE || s->pf_under > s->pf_over) {
        return MTR_ERR_QUALITY_CONFIG;
    }
    if (s->i_min_ma < 1 || s->i_min_ma > 100000 || s->neutral_unbalance_ma < 1 ||
        s->neutral_unbalance_ma > 1000000) {
        return MTR_ERR_QUALITY_CONFIG;
    }
    if (!in_range(s->event_s, 1, MTR_QUALITY_TIME_MAX_S) ||
        !in_range(s->missing_s, 1, MTR_QUALITY_TIME_MAX_S) ||
        !in_range(s->normal_s, 1, MTR_QUALITY_TIME_MAX_S) ||
        !in_range(s->detect_s, 1, MTR_QUALITY_TIME_MAX_S) ||
        s->debounce_s > MTR_QUALITY_TIME_MAX_S || !in_range(s->long_s, 1, 86400)) {
        return MTR_ERR_QUALITY_CONFIG;
    }
    if (s->bvq_days > 7 || !in_range(s->bvq_band_permille, 1, 500) ||
        s->bvq_share_permille > 999 || (s->options & ~(uint32_t)MTR_QUALITY_OPT_ALL) != 0) {
        return MTR_ERR_QUALITY_CONFIG;
    }
    return MTR_OK;
}

void q_bvq_reset(struct mtr_quality_saved *s)
{
    s->bvq_interval = -1;
    s->bvq_window = -1;
    for (unsigned p = 0; p < MTR_QUALITY_PHASES; p++) {
        s->bvq_sum[p] = 0;
        s->bvq_ms[p] = 0;
        s->bvq_valid[p] = 0;
        s->bvq_bad[p] = 0;
    }
}

void q_emit(const struct mtr_quality *q, uint16_t code, const char *name, mtr_utc_t utc,
            int64_t value)
{
    if (q->cfg->on_event != NULL) {
        q->cfg->on_event(q->cfg->user, code, name, utc, value);
    }
}

mtr_err_t mtr_quality_init(struct mtr_quality *q, const struct mtr_quality_config *cfg)
{
    MTR_ASSERT(q != NULL && cfg != NULL);
    if (cfg->un_mv < 1000 || cfg->un_mv > 1000000 || cfg->phases < 1 ||
        cfg->phases > MTR_QUALITY_PHASES || q_check_settings(&cfg->settings) != MTR_OK) {
        return MTR_ERR_QUALITY_CONFIG;
    }
    memset(q, 0, sizeof *q);
    q->cfg = cfg;
    q->s.set = cfg->settings;
    q->s.last_long_start = -1;
    q->s.last_long_end = -1;
    q->s.down_utc = -1;
    q_bvq_reset(&q->s);
    return MTR_OK;
}

mtr_err_t mtr_quality_set(struct mtr_quality *q, const struct mtr_quality_settings *s)
{
    MTR_ASSERT(q != NULL && s != NULL);
    if (q_check_settings(s) != MTR_OK) {
        return MTR_ERR_QUALITY_CONFIG;
    }
    if (s->bvq_days != q->s.set.bvq_days) {
        q_bvq_reset(&q->s);
    }
    q->s.set = *s;
    return MTR_OK;
}

void mtr_quality_get(const struct mtr_quality *q, struct mtr_quality_settings *s)
{
    MTR_ASSERT(q != NULL && s != NULL);
    *s = q->s.set;
}

static const uint16_t *threshold_of(const struct mtr_quality_settings *s, uint8_t which)
{
    switch (which) {
    case MTR_QUALITY_THR_SAG:
        return &s->sag_permille;
    case MTR_QUALITY_THR_SWELL:
        return &s->swell_permille;
    case MTR_QUALITY_THR_MISSING:
        return &s->missing_permille;
    default:
        return NULL;
    }
}

mtr_mv_t mtr_quality_threshold_mv(const struct mtr_quality *q, uint8_t which)
{
    const uint16_t *pm;

    MTR_ASSERT(q != NULL);
    pm = threshold_of(&q->s.set, which);
    if (pm == NULL) {
        return 0;
    }
    return (mtr_mv_t)(((int64_t)q->cfg->un_mv * *pm + 500) / 1000);
}

mtr_err_t mtr_quality_set_threshold_mv(struct mtr_quality *q, uint8_t which, mtr_mv_t mv)
{
    struct mtr_quality_settings s;
    int64_t pm;

    MTR_ASSERT(q != NULL);
    if (threshold_of(&q->s.set, which) == NULL || mv <= 0) {
        return MTR_ERR_QUALITY_CONFIG;
    }
    pm = ((int64_t)mv * 1000 + q->cfg->un_mv / 2) / q->cfg->un_mv;
    if (pm > 65535) {
        return MTR_ERR_QUALITY_CONFIG;
    }
    s = q->s.set;
    *(uint16_t *)(uintptr_t)threshold_of(&s, which) = (uint16_t)pm;
    return mtr_quality_set(q, &s);
}

void mtr_quality_counters(const struct mtr_quality *q, struct mtr_quality_counters *out)
{
    const struct mtr_quality_saved *s;

    MTR_ASSERT(q != NULL && out != NULL);
    s = &q->s;
    memset(out, 0, sizeof *out);
    for (unsigned p = 0; p < MTR_QUALITY_PHASES; p++) {
        out->sags[p] = s->count[p][MTR_QUALITY_SAG];
        out->swells[p] = s->count[p][MTR_QUALITY_SWELL];
        out->missing[p] = s->count[p][MTR_QUALITY_MISSING];
        out->sag_s[p] = s->total_ms[p][MTR_QUALITY_SAG] / 1000u;
        out->swell_s[p] = s->total_ms[p][MTR_QUALITY_SWELL] / 1000u;
        out->missing_s[p] = s->total_ms[p][MTR_QUALITY_MISSING] / 1000u;
        out->bvq_valid[p] = s->bvq_valid[p];
        out->bvq_bad[p] = s->bvq_bad[p];
    }
    out->short_count = s->short_n;
    out->short_s = s->short_s;
    out->long_count = s->long_n;
    out->long_s = s->long_s;
    out->last_long_start = s->last_long_start;
    out->last_long_end = s->last_long_end;
}

void mtr_quality_reset_counters(struct mtr_quality *q)
{
    MTR_ASSERT(q != NULL);
    memset(q->s.count, 0, sizeof q->s.count);
    memset(q->s.total_ms, 0, sizeof q->s.total_ms);
    q->s.short_n = 0;
    q->s.long_n = 0;
    q->s.short_s = 0;
    q->s.long_s = 0;
    q->s.last_long_start = -1;
    q->s.last_long_end = -1;
}

uint32_t mtr_quality_active(const struct mtr_quality *q)
{
    static const uint32_t gbit[Q_G_COUNT] = {
        MTR_QUALITY_ST_SEQUENCE, MTR_QUALITY_ST_NEUTRAL, MTR_QUALITY_ST_ASYMMETRY,
        MTR_QUALITY_ST_REVERSAL, MTR_QUALITY_ST_PF_UNDER, MTR_QUALITY_ST_PF_OVER,
        MTR_QUALITY_ST_BYPASS,
    };
    const struct mtr_quality_saved *s;
    uint32_t st = 0;

    MTR_ASSERT(q != NULL);
    s = &q->s;
    for (unsigned p = 0; p < MTR_QUALITY_PHASES; p++) {
        if (s->v[p][MTR_QUALITY_SAG].d.active) {
            st |= (uint32_t)MTR_QUALITY_ST_SAG << p;
        }
        if (s->v[p][MTR_QUALITY_SWELL].d.active) {
            st |= (uint32_t)MTR_QUALITY_ST_SWELL << p;
        }
        if (s->v[p][MTR_QUALITY_MISSING].d.active) {
            st |= (uint32_t)MTR_QUALITY_ST_MISSING << p;
        }
        if (s->cwv[p].active) {
            st |= (uint32_t)MTR_QUALITY_ST_CWV << p;
        }
    }
    for (unsigned g = 0; g < Q_G_COUNT; g++) {
        if (s->g[g].active) {
            st |= gbit[g];
        }
    }
    if (s->in_stable & MTR_IN_TERMINAL_COVER) {
        st |= MTR_QUALITY_ST_TERMINAL_COVER;
    }
    if (s->in_stable & MTR_IN_MAIN_COVER) {
        st |= MTR_QUALITY_ST_MAIN_COVER;
    }
    if (s->in_stable & MTR_IN_MAGNETIC) {
        st |= MTR_QUALITY_ST_MAGNETIC;
    }
    if (s->down) {
        st |= MTR_QUALITY_ST_POWER_DOWN;
    }
    return st;
}

/* ------------------------------------------------------------ the blob */

/*
 * One walk over the saved fields serves the three uses: put (save), check
 * (load, first pass: read and validate, write nothing) and apply (load,
 * second pass over a blob the check accepted). Each x_ function returns the
 * value written or read so that fields can be checked against each other.
 */
struct ser {
    uint8_t *w;       /* put: next byte to write */
    const uint8_t *r; /* check/apply: next byte to read */
    bool put, apply, bad;
};

static uint64_t x_uint(struct ser *sr, void *field, unsigned bytes, uint64_t max)
{
    uint64_t v = 0;

    if (sr->put) {
        switch (bytes) {
        case 1: v = *(const uint8_t *)field; *sr->w = (uint8_t)v; break;
        case 2: v = *(const uint16_t *)field; mtr_put_be16(sr->w, (uint16_t)v); break;
        case 4: v = *(const uint32_t *)field; mtr_put_be32(sr->w, (uint32_t)v); break;
        default: v = *(const uint64_t *)field; mtr_put_be64(sr->w, v); break;
        }
        sr->w += bytes;
        return v;
    }
    switch (bytes) {
    case 1: v = *sr->r; break;
    case 2: v = mtr_get_be16(sr->r); break;
    case 4: v = mtr_get_be32(sr->r); break;
    default: v = mtr_get_be64(sr->r); break;
    }
    sr->r += bytes;
    if (v > max) {
        sr->bad = true;
    } else if (sr->apply) {
        switch (bytes) {
        case 1: *(uint8_t *)field = (uint8_t)v; break;
        case 2: *(uint16_t *)field = (uint16_t)v; break;
        case 4: *(uint32_t *)field = (uint32_t)v; break;
        default: *(uint64_t *)field = v; break;
        }
    }
    return v;
}

static uint8_t x_u8(struct ser *sr, uint8_t *f, uint8_t max)
{
    return (uint8_t)x_uint(sr, f, 1, max);
}

static uint16_t x_u16(struct ser *sr, uint16_t *f, uint16_t max)
{
    return (uint16_t)x_uint(sr, f, 2, max);
}

static uint32_t x_u32(struct ser *sr, uint32_t *f, uint32_t max)
{
    return (uint32_t)x_uint(sr, f, 4, max);
}

static uint64_t x_u64(struct ser *sr, uint64_t *f, uint64_t max)
{
    return x_uint(sr, f, 8, max);
}

/* A signed field of 4 or 8 bytes (two's complement, big-endian) in [min, max]. */
static int64_t x_int(struct ser *sr, void *field, unsigned bytes, int64_t min, int64_t max)
{
    int64_t v;

    if (sr->put) {
        if (bytes == 4) {
            v = *(const int32_t *)field;
            mtr_put_be32(sr->w, (uint32_t)(int32_t)v);
        } else {
            v = *(const int64_t *)field;
            mtr_put_be64(sr->w, (uint64_t)v);
        }
        sr->w += bytes;
        return v;
    }
    v = bytes == 4 ? (int64_t)(int32_t)mtr_get_be32(sr->r) : (int64_t)mtr_get_be64(sr->r);
    sr->r += bytes;
    if (v < min || v > max) {
        sr->bad = true;
    } else if (sr->apply) {
        if (bytes == 4) {
            *(int32_t *)field = (int32_t)v;
        } else {
            *(int64_t *)field = v;
        }
    }
    return v;
}

static int64_t x_i64(struct ser *sr, int64_t *f, int64_t min, int64_t max)
{
    return x_int(sr, f, 8, min, max);
}

static int32_t x_i32(struct ser *sr, int32_t *f, int32_t min, int32_t max)
{
    return (int32_t)x_int(sr, f, 4, min, max);
}

/* Settings are read into a local copy, checked as a whole, then stored. */
static void x_settings(struct ser *sr, struct mtr_quality_settings *set)
{
    struct mtr_quality_settings t = *set;
    bool apply = sr->apply;

    if (!sr->put) {
        sr->apply = true; /* the x_ functions store into the local copy t */
    }
    x_u16(sr, &t.sag_permille, UINT16_MAX);
    x_u16(sr, &t.swell_permille, UINT16_MAX);
    x_u16(sr, &t.missing_permille, UINT16_MAX);
    x_u16(sr, &t.hysteresis_permille, UINT16_MAX);
    x_u16(sr, &t.unbalance_permille, UINT16_MAX);
    x_u16(sr, &t.pf_under, UINT16_MAX);
    x_u16(sr, &t.pf_over, UINT16_MAX);
    x_i32(sr, &t.i_min_ma, INT32_MIN, INT32_MAX);
    x_i32(sr, &t.neutral_unbalance_ma, INT32_MIN, INT32_MAX);
    x_u16(sr, &t.event_s, UINT16_MAX);
    x_u16(sr, &t.missing_s, UINT16_MAX);
    x_u16(sr, &t.normal_s, UINT16_MAX);
    x_u16(sr, &t.detect_s, UINT16_MAX);
    x_u16(sr, &t.debounce_s, UINT16_MAX);
    x_u32(sr, &t.long_s, UINT32_MAX);
    x_u8(sr, &t.bvq_days, UINT8_MAX);
    x_u16(sr, &t.bvq_band_permille, UINT16_MAX);
    x_u16(sr, &t.bvq_share_permille, UINT16_MAX);
    x_u8(sr, &t.options, UINT8_MAX);
    sr->apply = apply;
    if (!sr->put) {
        if (q_check_settings(&t) != MTR_OK) {
            sr->bad = true;
        } else if (apply) {
            *set = t;
        }
    }
}

/* A set of the supervised input bits. */
static void x_bits(struct ser *sr, uint8_t *f)
{
    uint8_t v = x_u8(sr, f, UINT8_MAX);

    if ((v & ~(uint8_t)Q_INPUT_MASK) != 0) {
        sr->bad = true;
    }
}

static void x_det(struct ser *sr, struct mtr_quality_det *d)
{
    x_u8(sr, &d->active, 1);
    x_u32(sr, &d->run_ms, Q_RUN_MAX_MS);
}

static void x_walk(struct ser *sr, struct mtr_quality_saved *s)
{
    for (unsigned p = 0; p < MTR_QUALITY_PHASES; p++) {
        for (unsigned k = 0; k < 3; k++) {
            struct mtr_quality_vdet *v = &s->v[p][k];
            x_det(sr, &v->d);
            x_u64(sr, &v->ev_ms, (uint64_t)T_MAX);
            x_i64(sr, &v->start, -T_MAX, T_MAX);
            x_i64(sr, &v->last, -T_MAX, T_MAX);
            x_i32(sr, &v->extreme, 0, MTR_QUALITY_U_MAX_MV);
        }
    }
    for (unsigned p = 0; p < MTR_QUALITY_PHASES; p++) {
        x_det(sr, &s->cwv[p]);
    }
    for (unsigned g = 0; g < Q_G_COUNT; g++) {
        x_det(sr, &s->g[g]);
    }
    for (unsigned p = 0; p < MTR_QUALITY_PHASES; p++) {
        for (unsigned k = 0; k < 3; k++) {
            x_u32(sr, &s->count[p][k], UINT32_MAX);
        }
    }
    for (unsigned p = 0; p < MTR_QUALITY_PHASES; p++) {
        for (unsigned k = 0; k < 3; k++) {
            x_u64(sr, &s->total_ms[p][k], (uint64_t)T_MAX);
        }
    }
    x_u32(sr, &s->short_n, UINT32_MAX);
    x_u32(sr, &s->long_n, UINT32_MAX);
    x_u64(sr, &s->short_s, (uint64_t)T_MAX);
    x_u64(sr, &s->long_s, (uint64_t)T_MAX);
    x_i64(sr, &s->last_long_start, -1, T_MAX);
    x_i64(sr, &s->last_long_end, -1, T_MAX);
    if (x_u8(sr, &s->down, 1) != 0) {
        x_i64(sr, &s->down_utc, 0, T_MAX);
    } else {
        x_i64(sr, &s->down_utc, -1, T_MAX);
    }
    x_i64(sr, &s->bvq_interval, -1, T_MAX);
    x_i64(sr, &s->bvq_window, -1, T_MAX);
    for (unsigned p = 0; p < MTR_QUALITY_PHASES; p++) {
        uint16_t valid;
        int64_t sum = x_i64(sr, &s->bvq_sum[p], 0, T_MAX);
        uint32_t ms = x_u32(sr, &s->bvq_ms[p], Q_BVQ_MS_MAX);
        if (sum > (int64_t)MTR_QUALITY_U_MAX_MV * ms) {
            sr->bad = true; /* a mean above any voltage accepted */
        }
        valid = x_u16(sr, &s->bvq_valid[p], UINT16_MAX);
        x_u16(sr, &s->bvq_bad[p], valid);
    }
    x_bits(sr, &s->in_stable);
    x_bits(sr, &s->in_pending);
    for (unsigned i = 0; i < 3; i++) {
        x_i64(sr, &s->in_since[i], 0, T_MAX);
    }
}

mtr_err_t mtr_quality_save(const struct mtr_quality *q, uint8_t *buf, size_t cap, size_t *len)
{
    struct ser sr;
    /* the walk only reads the state in put mode */
    struct mtr_quality_saved *s = (struct mtr_quality_saved *)(uintptr_t)&q->s;

    MTR_ASSERT(q != NULL && buf != NULL && len != NULL);
    if (cap < MTR_QUALITY_BLOB_SIZE) {
        return MTR_ERR_FULL;
    }
    buf[0] = 'Q';
    buf[1] = 'L';
    buf[2] = BLOB_VERSION;
    buf[3] = q->cfg->phases;
    memset(&sr, 0, sizeof sr);
    sr.w = buf + BLOB_HEAD;
    sr.put = true;
    x_settings(&sr, &s->set);
    x_walk(&sr, s);
    MTR_ASSERT((size_t)(sr.w - buf) == MTR_QUALITY_BLOB_SIZE - 4u);
    mtr_put_be32(sr.w, mtr_crc32(buf, MTR_QUALITY_BLOB_SIZE - 4u));
    *len = MTR_QUALITY_BLOB_SIZE;
    return MTR_OK;
}

mtr_err_t mtr_quality_load(struct mtr_quality *q, const uint8_t *buf, size_t len)
{
    struct ser sr;

    MTR_ASSERT(q != NULL && (buf != NULL || len == 0));
    if (len != MTR_QUALITY_BLOB_SIZE || buf[0] != 'Q' || buf[1] != 'L') {
        return MTR_ERR_QUALITY_BLOB;
    }
    if (mtr_crc32(buf, len - 4u) != mtr_get_be32(buf + len - 4u)) {
        return MTR_ERR_QUALITY_BLOB_CRC;
    }
    if (buf[2] != BLOB_VERSION) {
        return MTR_ERR_QUALITY_VERSION;
    }
    if (buf[3] != q->cfg->phases) {
        return MTR_ERR_QUALITY_BLOB;
    }
    /* pass 1: check everything, change nothing */
    memset(&sr, 0, sizeof sr);
    sr.r = buf + BLOB_HEAD;
    x_settings(&sr, &q->s.set);
    x_walk(&sr, &q->s);
    if (sr.bad) {
        return MTR_ERR_QUALITY_BLOB;
    }
    MTR_ASSERT((size_t)(sr.r - buf) == len - 4u);
    /* pass 2: the same walk, storing */
    memset(&sr, 0, sizeof sr);
    sr.r = buf + BLOB_HEAD;
    sr.apply = true;
    x_settings(&sr, &q->s.set);
    x_walk(&sr, &q->s);
    return MTR_OK;
}
