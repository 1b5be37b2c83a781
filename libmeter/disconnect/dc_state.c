/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Init, first start, and the saved-state blob (version 1).
 *
 * Layout, big-endian (sizes in bytes; N = MTR_CFG_DISCONNECT_CHANNELS,
 * G = MTR_CFG_DISCONNECT_GROUPS):
 *   'D' 'C' | version 1 | N | G                                  5
 *   per channel: state, mode, causes, pending (transition + 1)   4 N
 *   limiter: normal mW u32, emergency mW u32, period u16,
 *            penalty u16, min over u32, min under u32             20
 *   emergency: id u16, activation i64, duration u64, groups u8,
 *              group u16 x G                                       19 + 2 G
 *   code red: flag u8, limit mW u32, penalty u64                  13
 *   penalty: trip cause u8, exceeded u8, end i64 (-1: none)       10
 *   CRC-32 of everything before                                    4
 */
#include "dc_priv.h"

#include <string.h>

#include "meter/bytes.h"
#include "meter/crc.h"
#include "meter/meter.h"

#define BLOB_VERSION 1u

size_t mtr_disconnect_blob_size(void)
{
    return MTR_DISCONNECT_BLOB_SIZE;
}

mtr_err_t dc_check_limiter(const struct mtr_dc_limiter *lim)
{
    if (lim->normal_mw < MTR_DC_LIMIT_MIN_MW || lim->normal_mw > MTR_DC_LIMIT_MAX_MW ||
        lim->emergency_mw < MTR_DC_LIMIT_MIN_MW || lim->emergency_mw > MTR_DC_LIMIT_MAX_MW) {
        return MTR_ERR_DISCONNECT_THRESHOLD;
    }
    if (lim->period_s < MTR_DC_PERIOD_MIN_S || lim->period_s > MTR_DC_PERIOD_MAX_S ||
        lim->penalty_s < MTR_DC_PERIOD_MIN_S || lim->penalty_s > MTR_DC_PERIOD_MAX_S ||
        lim->min_over_s > MTR_DC_DURATION_MAX_S || lim->min_under_s > MTR_DC_DURATION_MAX_S) {
        return MTR_ERR_DISCONNECT_PERIOD;
    }
    return MTR_OK;
}

mtr_err_t dc_check_emergency(const struct mtr_dc_emergency *ep)
{
    if (ep->activation_utc < 0 || ep->duration_s > (uint64_t)MTR_DC_CODE_RED_MAX_S) {
        return MTR_ERR_DISCONNECT_PERIOD;
    }
    if (ep->groups > MTR_CFG_DISCONNECT_GROUPS) {
        return MTR_ERR_DISCONNECT_GROUP;
    }
    return MTR_OK;
}

mtr_err_t dc_check_code_red(mtr_mw_t limit_mw, uint64_t interval_s, uint64_t penalty_s,
                            mtr_utc_t activation_utc)
{
    if (limit_mw < MTR_DC_CODE_RED_MIN_MW || limit_mw > MTR_DC_CODE_RED_MAX_MW) {
        return MTR_ERR_DISCONNECT_THRESHOLD;
    }
    if (activation_utc < 0 || interval_s > (uint64_t)MTR_DC_CODE_RED_MAX_S ||
        penalty_s > (uint64_t)MTR_DC_CODE_RED_MAX_S) {
        return MTR_ERR_DISCONNECT_PERIOD;
    }
    return MTR_OK;
}

static mtr_err_t check_config(const struct mtr_dc_config *cfg)
{
    if (cfg->mode > MTR_DC_MODE_MAX) {
        return MTR_ERR_DISCONNECT_MODE;
    }
    if (cfg->feedback_ms < 1 || cfg->feedback_ms > 60000 || cfg->debounce_ms < 1 ||
        cfg->debounce_ms > 1000 || cfg->disconnect_hold_ms > 60000 ||
        cfg->reconnect_hold_ms > 60000) {
        return MTR_ERR_INVAL;
    }
    return dc_check_limiter(&cfg->limiter);
}

mtr_err_t mtr_disconnect_init(struct mtr_disconnect *dc, const struct mtr_dc_config *cfg,
                              const struct mtr_hal *hal)
{
    mtr_err_t err;

    MTR_ASSERT(dc != NULL && cfg != NULL && hal != NULL);
    err = check_config(cfg);
    if (err != MTR_OK) {
        return err;
    }
    memset(dc, 0, sizeof *dc);
    dc->cfg = cfg;
    dc->hal = hal;
    for (uint8_t ch = 0; ch < MTR_CFG_DISCONNECT_CHANNELS; ch++) {
        dc->s.ch[ch].state = MTR_DC_READY;
        dc->s.ch[ch].mode = cfg->mode;
    }
    dc->s.lim = cfg->limiter;
    dc->s.penalty_end = -1;
    dc_limiter_reset(dc);
    return MTR_OK;
}

/* Drive every relay once to its state's output. */
static void drive_all(struct mtr_disconnect *dc, mtr_ms_t now_ms)
{
    for (uint8_t ch = 0; ch < MTR_CFG_DISCONNECT_CHANNELS; ch++) {
        (void)dc_drive(dc, ch, dc->s.ch[ch].state == MTR_DC_CONNECTED, now_ms);
    }
}

mtr_err_t mtr_disconnect_start(struct mtr_disconnect *dc, mtr_ms_t now_ms)
{
    mtr_err_t err;

    MTR_ASSERT(dc != NULL);
    if (dc->hal->io == NULL || dc->hal->io->relay_set == NULL) {
        return MTR_ERR_NOTSUP;
    }
    err = dc_commit(dc);
    if (err != MTR_OK) {
        return err;
    }
    drive_all(dc, now_ms);
    return MTR_OK;
}

/* ------------------------------------------------------------- encoding */

static uint8_t *put8(uint8_t *p, uint32_t v)
{
    *p = (uint8_t)v;
    return p + 1;
}

static uint8_t *put16(uint8_t *p, uint32_t v)
{
    mtr_put_be16(p, (uint16_t)v);
    return p + 2;
}

static uint8_t *put32(uint8_t *p, uint32_t v)
{
    mtr_put_be32(p, v);
    return p + 4;
}

static uint8_t *put64(uint8_t *p, uint64_t v)
{
    mtr_put_be64(p, v);
    return p + 8;
}

mtr_err_t mtr_disconnect_save(const struct mtr_disconnect *dc, uint8_t *buf, size_t cap)
{
    const struct mtr_dc_saved *s;
    uint8_t *p = buf;

    MTR_ASSERT(dc != NULL && buf != NULL);
    if (cap < MTR_DISCONNECT_BLOB_SIZE) {
        return MTR_ERR_FULL;
    }
    s = &dc->s;
    p = put8(put8(put8(put8(put8(p, 'D'), 'C'), BLOB_VERSION), MTR_CFG_DISCONNECT_CHANNELS),
             MTR_CFG_DISCONNECT_GROUPS);
    for (unsigned ch = 0; ch < MTR_CFG_DISCONNECT_CHANNELS; ch++) {
        p = put8(put8(put8(put8(p, s->ch[ch].state), s->ch[ch].mode), s->ch[ch].causes),
                 s->ch[ch].pending);
    }
    p = put32(put32(p, (uint32_t)s->lim.normal_mw), (uint32_t)s->lim.emergency_mw);
    p = put16(put16(p, s->lim.period_s), s->lim.penalty_s);
    p = put32(put32(p, s->lim.min_over_s), s->lim.min_under_s);
    p = put64(put16(p, s->ep.id), (uint64_t)s->ep.activation_utc);
    p = put8(put64(p, s->ep.duration_s), s->ep.groups);
    for (unsigned g = 0; g < MTR_CFG_DISCONNECT_GROUPS; g++) {
        p = put16(p, g < s->ep.groups ? s->ep.group[g] : 0u);
    }
    p = put64(put32(put8(p, s->code_red), (uint32_t)s->cr_limit_mw), s->cr_penalty_s);
    p = put64(put8(put8(p, s->trip), s->exceeded), (uint64_t)s->penalty_end);
    put32(p, mtr_crc32(buf, (size_t)(p - buf)));
    return MTR_OK;
}

/* ------------------------------------------------------------- decoding */

/* Reader over a blob whose full length was checked beforehand. */
struct rd {
    const uint8_t *p;
};

static uint8_t get8(struct rd *r)
{
    return *r->p++;
}

static uint16_t get16(struct rd *r)
{
    uint16_t v = mtr_get_be16(r->p);
    r->p += 2;
    return v;
}

static uint32_t get32(struct rd *r)
{
    uint32_t v = mtr_get_be32(r->p);
    r->p += 4;
    return v;
}

static uint64_t get64(struct rd *r)
{
    uint64_t v = mtr_get_be64(r->p);
    r->p += 8;
    return v;
}

static bool channel_ok(const struct mtr_dc_channel *c)
{
    if (c->state > MTR_DC_READY || c->mode > MTR_DC_MODE_MAX ||
        (c->causes & ~MTR_DC_CAUSE_ALL) != 0 || c->pending > MTR_DC_T_COUNT) {
        return false;
    }
    if (c->state == MTR_DC_CONNECTED && c->causes != 0) {
        return false; /* a cause always holds the supply open */
    }
    return c->pending == 0 || dc_to[c->pending - 1u] == c->state;
}

static void read_channels(struct rd *r, struct mtr_dc_saved *s)
{
    for (unsigned ch = 0; ch < MTR_CFG_DISCONNECT_CHANNELS; ch++) {
        struct mtr_dc_channel *c = &s->ch[ch];
        c->state = get8(r);
        c->mode = get8(r);
        c->causes = get8(r);
        c->pending = get8(r);
        c->cmd = c->state == MTR_DC_CONNECTED;
    }
}

static void read_limits(struct rd *r, struct mtr_dc_saved *s)
{
    s->lim.normal_mw = get32(r);
    s->lim.emergency_mw = get32(r);
    s->lim.period_s = get16(r);
    s->lim.penalty_s = get16(r);
    s->lim.min_over_s = get32(r);
    s->lim.min_under_s = get32(r);
    s->ep.id = get16(r);
    s->ep.activation_utc = (mtr_utc_t)get64(r);
    s->ep.duration_s = get64(r);
    s->ep.groups = get8(r);
    for (unsigned g = 0; g < MTR_CFG_DISCONNECT_GROUPS; g++) {
        s->ep.group[g] = get16(r);
    }
}

static mtr_err_t check_saved(const struct mtr_dc_saved *s, uint8_t cr_flag, uint8_t exceeded)
{
    for (unsigned ch = 0; ch < MTR_CFG_DISCONNECT_CHANNELS; ch++) {
        if (!channel_ok(&s->ch[ch])) {
            return MTR_ERR_DISCONNECT_BLOB;
        }
    }
    if (dc_check_limiter(&s->lim) != MTR_OK || dc_check_emergency(&s->ep) != MTR_OK ||
        cr_flag > 1 || exceeded > 1) {
        return MTR_ERR_DISCONNECT_BLOB;
    }
    if (cr_flag && dc_check_code_red(s->cr_limit_mw, 0, s->cr_penalty_s, 0) != MTR_OK) {
        return MTR_ERR_DISCONNECT_BLOB;
    }
    if ((s->trip & ~(MTR_DC_CAUSE_LIMITER | MTR_DC_CAUSE_CODE_RED)) != 0 ||
        (s->trip == 0 ? s->penalty_end != -1 : s->penalty_end < 0)) {
        return MTR_ERR_DISCONNECT_BLOB;
    }
    return MTR_OK;
}

/* Decode and validate a whole blob into @p s (written only on success). */
static mtr_err_t decode(const uint8_t **pp, const uint8_t *end, struct mtr_dc_saved *s)
{
    const uint8_t *p = *pp;
    size_t len = (size_t)(end - p);
    struct mtr_dc_saved t;
    struct rd r;
    uint8_t cr_flag, exceeded;
    mtr_err_t err;

    if (len < 5 || p[0] != 'D' || p[1] != 'C') {
        return MTR_ERR_DISCONNECT_BLOB;
    }
    if (p[2] != BLOB_VERSION) {
        return MTR_ERR_DISCONNECT_VERSION;
    }
    if (p[3] != MTR_CFG_DISCONNECT_CHANNELS || p[4] != MTR_CFG_DISCONNECT_GROUPS ||
        len != MTR_DISCONNECT_BLOB_SIZE) {
        return MTR_ERR_DISCONNECT_BLOB;
    }
    if (mtr_crc32(p, len - 4) != mtr_get_be32(p + len - 4)) {
        return MTR_ERR_DISCONNECT_BLOB_CRC;
    }
    memset(&t, 0, sizeof t);
    r.p = p + 5;
    read_channels(&r, &t);
    read_limits(&r, &t);
    cr_flag = get8(&r);
    t.code_red = cr_flag == 1;
    t.cr_limit_mw = get32(&r);
    t.cr_penalty_s = get64(&r);
    t.trip = get8(&r);
    exceeded = get8(&r);
    t.exceeded = exceeded == 1;
    t.penalty_end = (mtr_utc_t)get64(&r);
    err = check_saved(&t, cr_flag, exceeded);
    if (err != MTR_OK) {
        return err;
    }
    *s = t;
    *pp = end;
    return MTR_OK;
}

mtr_err_t mtr_disconnect_restore(struct mtr_disconnect *dc, const uint8_t *blob, size_t len,
                                 mtr_ms_t now_ms)
{
    const uint8_t *p = blob;
    struct mtr_dc_saved s;
    bool pending = false;
    mtr_err_t err;

    MTR_ASSERT(dc != NULL && (blob != NULL || len == 0));
    if (blob == NULL) {
        return MTR_ERR_DISCONNECT_BLOB;
    }
    err = decode(&p, blob + len, &s);
    if (err != MTR_OK) {
        return err;
    }
    dc->s = s;
    dc_limiter_reset(dc);
    drive_all(dc, now_ms);
    for (uint8_t ch = 0; ch < MTR_CFG_DISCONNECT_CHANNELS; ch++) {
        struct mtr_dc_channel *c = &dc->s.ch[ch];
        if (c->pending != 0) {
            dc_emit(dc, (enum dc_ev)dc_trans_event[c->pending - 1u], ch);
            c->pending = 0;
            pending = true;
        }
    }
    return pending ? dc_commit(dc) : MTR_OK;
}
