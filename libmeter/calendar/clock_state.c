/* SPDX-License-Identifier: Apache-2.0 */
/* Saved form of the clock settings: time zone, DST settings, pending preset.
 * Fixed size, big-endian, CRC-32 last. */
#include "calendar_priv.h"
#include "meter/bytes.h"
#include "meter/crc.h"

size_t mtr_clock_state_size(void)
{
    return MTR_CLOCK_STATE_SIZE;
}

static uint8_t *put_point(uint8_t *w, const struct mtr_dst_point *pt)
{
    w[0] = pt->month;
    w[1] = pt->week;
    w[2] = pt->weekday;
    w[3] = pt->base;
    mtr_put_be16(w + 4, pt->minute);
    return w + 6;
}

static const uint8_t *get_point(const uint8_t *r, struct mtr_dst_point *pt)
{
    *pt = (struct mtr_dst_point){r[0], r[1], r[2], r[3], mtr_get_be16(r + 4)};
    return r + 6;
}

static uint8_t *put64(uint8_t *w, mtr_utc_t v)
{
    mtr_put_be64(w, (uint64_t)v);
    return w + 8;
}

mtr_err_t mtr_clock_save(const struct mtr_clock *clk, uint8_t *buf, size_t cap, size_t *len)
{
    MTR_ASSERT(clk != NULL && clk->magic == CAL_CLOCK_MAGIC && buf != NULL && len != NULL);
    if (cap < MTR_CLOCK_STATE_SIZE) {
        return MTR_ERR_OVERFLOW;
    }
    const struct mtr_dst_config *d = &clk->cfg.dst;
    uint8_t *w = buf;
    *w++ = 'C';
    *w++ = 'L';
    *w++ = 'K';
    *w++ = MTR_CLOCK_STATE_VERSION;
    mtr_put_be16(w, (uint16_t)clk->cfg.time_zone);
    w[2] = d->kind;
    w[3] = d->enabled ? 1u : 0u;
    mtr_put_be16(w + 4, (uint16_t)d->deviation_min);
    w = put_point(w + 6, &d->begin);
    w = put_point(w, &d->end);
    w = put64(w, d->begin_utc);
    w = put64(w, d->end_utc);
    *w++ = clk->preset_valid ? 1u : 0u;
    w = put64(w, clk->preset_valid ? clk->preset : 0);
    w = put64(w, clk->preset_valid ? clk->preset_from : 0);
    w = put64(w, clk->preset_valid ? clk->preset_to : 0);
    mtr_put_be32(w, mtr_crc32(buf, (size_t)(w - buf)));
    *len = MTR_CLOCK_STATE_SIZE;
    return MTR_OK;
}

/* Settings of a blob whose CRC was checked. */
struct clock_saved {
    int16_t time_zone;
    struct mtr_dst_config dst;
    bool preset_valid;
    mtr_utc_t preset, from, to;
};

static mtr_err_t decode(const uint8_t *b, struct clock_saved *s)
{
    const uint8_t *r = b;
    s->time_zone = (int16_t)mtr_get_be16(r + 4);
    s->dst.kind = r[6];
    s->dst.enabled = r[7] != 0;
    s->dst.deviation_min = (int16_t)mtr_get_be16(r + 8);
    r = get_point(r + 10, &s->dst.begin);
    r = get_point(r, &s->dst.end);
    s->dst.begin_utc = (mtr_utc_t)mtr_get_be64(r);
    s->dst.end_utc = (mtr_utc_t)mtr_get_be64(r + 8);
    uint8_t pv = r[16];
    s->preset = (mtr_utc_t)mtr_get_be64(r + 17);
    s->from = (mtr_utc_t)mtr_get_be64(r + 25);
    s->to = (mtr_utc_t)mtr_get_be64(r + 33);
    s->preset_valid = pv == 1;
    if (b[7] > 1 || pv > 1 || (pv == 0 && (s->preset != 0 || s->from != 0 || s->to != 0))) {
        return MTR_ERR_DECODE;
    }
    mtr_err_t err = clock_check_settings(s->time_zone, &s->dst);
    if (err == MTR_OK && s->preset_valid) {
        err = clock_check_preset(s->preset, s->from, s->to);
    }
    return err;
}

mtr_err_t mtr_clock_load(struct mtr_clock *clk, const uint8_t **p, const uint8_t *end)
{
    MTR_ASSERT(clk != NULL && clk->magic == CAL_CLOCK_MAGIC && p != NULL && *p != NULL);
    const uint8_t *r = *p;
    if (end < r || (size_t)(end - r) < 4) {
        return MTR_ERR_DECODE;
    }
    if (r[0] != 'C' || r[1] != 'L' || r[2] != 'K' || r[3] != MTR_CLOCK_STATE_VERSION) {
        return MTR_ERR_CALENDAR_VERSION;
    }
    if ((size_t)(end - r) < MTR_CLOCK_STATE_SIZE) {
        return MTR_ERR_DECODE;
    }
    if (mtr_crc32(r, MTR_CLOCK_STATE_SIZE - 4) != mtr_get_be32(r + MTR_CLOCK_STATE_SIZE - 4)) {
        return MTR_ERR_CRC;
    }
    struct clock_saved s;
    mtr_err_t err = decode(r, &s);
    if (err != MTR_OK) {
        return err;
    }
    clk->cfg.time_zone = s.time_zone;
    clk->cfg.dst = s.dst;
    clk->preset_valid = s.preset_valid;
    clk->preset = s.preset;
    clk->preset_from = s.from;
    clk->preset_to = s.to;
    clk->change_seq++;
    clk->settings_seq++;
    *p = r + MTR_CLOCK_STATE_SIZE;
    return MTR_OK;
}
