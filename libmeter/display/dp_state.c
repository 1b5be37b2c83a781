/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Settings, readout lists and the state machine (auto scroll, manual mode,
 * test mode) driven by the monotonic millisecond time.
 */
#include "dp_priv.h"

#include <string.h>

size_t mtr_display_ctx_size(void)
{
    return sizeof(struct mtr_display);
}

uint32_t mtr_display_config_items(void)
{
    return MTR_CFG_DISPLAY_ITEMS;
}

void mtr_display_settings_default(struct mtr_display_settings *s)
{
    MTR_ASSERT(s != NULL);
    memset(s, 0, sizeof *s);
    s->scroll_s = 8;          /* seed 001 §4.1.1.2: 1-0:129.1.10.255, default 8 s */
    s->test_s = 3600;         /* seed 001 §4.1.1.1: 0-0:96.34.10.255, default 3600 s */
    s->manual_timeout_s = 60; /* the seed gives no value ("after inactivity") */
}

void dp_put_settings(struct mtr_display_settings *dst, const struct mtr_display_settings *s)
{
    dst->scroll_s = s->scroll_s;
    dst->test_s = s->test_s;
    dst->manual_timeout_s = s->manual_timeout_s;
}

mtr_err_t dp_check_settings(const struct mtr_display_settings *s)
{
    if (s->scroll_s < MTR_DISPLAY_SCROLL_MIN_S || s->scroll_s > MTR_DISPLAY_SCROLL_MAX_S ||
        s->test_s < MTR_DISPLAY_TEST_MIN_S || s->test_s > MTR_DISPLAY_TEST_MAX_S ||
        s->manual_timeout_s < MTR_DISPLAY_MANUAL_MIN_S ||
        s->manual_timeout_s > MTR_DISPLAY_MANUAL_MAX_S) {
        return MTR_ERR_DISPLAY_CONFIG;
    }
    return MTR_OK;
}

static bool same_item(const struct mtr_display_item *a, const struct mtr_display_item *b)
{
    return a->class_id == b->class_id && memcmp(a->ln, b->ln, 6) == 0 &&
           a->attribute_index == b->attribute_index && a->data_index == b->data_index;
}

mtr_err_t dp_check_list(const struct mtr_display_item *items, uint16_t count)
{
    if (count > MTR_CFG_DISPLAY_ITEMS || (count > 0 && items == NULL)) {
        return MTR_ERR_DISPLAY_LIST;
    }
    for (uint16_t i = 0; i < count; i++) {
        if (items[i].class_id == 0 || items[i].attribute_index <= 0) {
            return MTR_ERR_DISPLAY_LIST;
        }
        for (uint16_t j = 0; j < i; j++) {
            if (same_item(&items[i], &items[j])) {
                return MTR_ERR_DISPLAY_LIST;
            }
        }
    }
    return MTR_OK;
}

void dp_store_list(struct mtr_display *d, uint8_t which, const struct mtr_display_item *items,
                   uint16_t count)
{
    struct mtr_display_item *dst = d->item[which];

    memset(dst, 0, sizeof d->item[which]);
    for (uint16_t i = 0; i < count; i++) {
        dst[i].class_id = items[i].class_id;
        memcpy(dst[i].ln, items[i].ln, 6);
        dst[i].attribute_index = items[i].attribute_index;
        dst[i].data_index = items[i].data_index;
    }
    d->count[which] = count;
}

static uint32_t ms_of(uint32_t s)
{
    return s * 1000u; /* every setting is at most 86400 s: no wrap */
}

void dp_go_auto(struct mtr_display *d, mtr_ms_t t)
{
    d->mode = MTR_DISPLAY_AUTO;
    d->list = MTR_DISPLAY_GENERAL;
    d->index = 0;
    d->due = t + ms_of(d->set.scroll_s);
}

static bool time_ok(const struct mtr_display *d, mtr_ms_t now)
{
    return (int32_t)(now - d->last) >= 0;
}

/* Advance to @p now (checked). Each deadline passed is taken at its own
 * time, so the result does not depend on how often the caller polls. */
static void advance(struct mtr_display *d, mtr_ms_t now)
{
    d->last = now;
    if (d->mode != MTR_DISPLAY_AUTO && mtr_ms_reached(now, d->due)) {
        dp_go_auto(d, d->due); /* manual time-out or end of test */
    }
    if (d->mode != MTR_DISPLAY_AUTO) {
        return;
    }
    uint16_t n = d->count[MTR_DISPLAY_GENERAL];
    uint32_t step = ms_of(d->set.scroll_s);
    if (n < 2) {
        /* nothing to scroll: keep the timer one interval ahead */
        d->index = 0;
        d->due = now + step;
        return;
    }
    if (mtr_ms_reached(now, d->due)) {
        uint32_t steps = 1u + mtr_ms_elapsed(now, d->due) / step;
        d->index = (uint16_t)((d->index + steps % n) % n);
        d->due += steps * step;
    }
}

mtr_err_t mtr_display_init(struct mtr_display *d, const struct mtr_display_config *cfg,
                           mtr_ms_t now)
{
    mtr_err_t err;
    const struct mtr_display_decimals *dec;

    MTR_ASSERT(d != NULL && cfg != NULL);
    dec = &cfg->decimals;
    if (dec->energy > MTR_DISPLAY_DECIMALS_MAX || dec->power > MTR_DISPLAY_DECIMALS_MAX ||
        dec->voltage > MTR_DISPLAY_DECIMALS_MAX || dec->current > MTR_DISPLAY_DECIMALS_MAX) {
        return MTR_ERR_DISPLAY_CONFIG;
    }
    err = dp_check_settings(&cfg->settings);
    if (err == MTR_OK) {
        err = dp_check_list(cfg->general, cfg->general_count);
    }
    if (err == MTR_OK) {
        err = dp_check_list(cfg->alternate, cfg->alternate_count);
    }
    if (err != MTR_OK) {
        return err;
    }
    memset(d, 0, sizeof *d);
    d->cfg = cfg;
    d->dec = *dec;
    dp_put_settings(&d->set, &cfg->settings);
    dp_store_list(d, MTR_DISPLAY_GENERAL, cfg->general, cfg->general_count);
    dp_store_list(d, MTR_DISPLAY_ALTERNATE, cfg->alternate, cfg->alternate_count);
    d->last = now;
    dp_go_auto(d, now);
    return MTR_OK;
}

mtr_err_t mtr_display_poll(struct mtr_display *d, mtr_ms_t now)
{
    MTR_ASSERT(d != NULL);
    if (!time_ok(d, now)) {
        return MTR_ERR_DISPLAY_TIME;
    }
    advance(d, now);
    return MTR_OK;
}

bool mtr_display_deadline(const struct mtr_display *d, mtr_ms_t *at)
{
    MTR_ASSERT(d != NULL && at != NULL);
    if (d->mode == MTR_DISPLAY_AUTO && d->count[MTR_DISPLAY_GENERAL] < 2) {
        return false;
    }
    *at = d->due;
    return true;
}

uint8_t mtr_display_key_of(uint32_t held_ms)
{
    if (held_ms < MTR_DISPLAY_PRESS_SHORT_MS) {
        return MTR_DISPLAY_KEY_NEXT;
    }
    if (held_ms > MTR_DISPLAY_PRESS_EXIT_MS) {
        return MTR_DISPLAY_KEY_EXIT;
    }
    return MTR_DISPLAY_KEY_NONE;
}

mtr_err_t mtr_display_press(struct mtr_display *d, mtr_ms_t now, uint8_t key)
{
    MTR_ASSERT(d != NULL);
    if (!time_ok(d, now)) {
        return MTR_ERR_DISPLAY_TIME;
    }
    if (key > MTR_DISPLAY_KEY_EXIT) {
        return MTR_ERR_INVAL;
    }
    advance(d, now);
    if (key == MTR_DISPLAY_KEY_EXIT) {
        if (d->mode != MTR_DISPLAY_AUTO) {
            dp_go_auto(d, now);
        }
    } else if (key == MTR_DISPLAY_KEY_NEXT) {
        if (d->mode == MTR_DISPLAY_AUTO) {
            d->mode = MTR_DISPLAY_MANUAL;
            d->list =
                d->count[MTR_DISPLAY_ALTERNATE] > 0 ? MTR_DISPLAY_ALTERNATE : MTR_DISPLAY_GENERAL;
            d->index = 0;
            d->due = now + ms_of(d->set.manual_timeout_s);
        } else if (d->mode == MTR_DISPLAY_MANUAL) {
            uint16_t n = d->count[d->list];
            d->index = n > 0 ? (uint16_t)((d->index + 1u) % n) : 0;
            d->due = now + ms_of(d->set.manual_timeout_s);
        }
    }
    return MTR_OK;
}

mtr_err_t mtr_display_test(struct mtr_display *d, mtr_ms_t now)
{
    MTR_ASSERT(d != NULL);
    if (!time_ok(d, now)) {
        return MTR_ERR_DISPLAY_TIME;
    }
    advance(d, now);
    d->mode = MTR_DISPLAY_TEST;
    d->list = MTR_DISPLAY_GENERAL;
    d->index = 0;
    d->due = now + ms_of(d->set.test_s);
    return MTR_OK;
}

void mtr_display_state(const struct mtr_display *d, struct mtr_display_state *out)
{
    MTR_ASSERT(d != NULL && out != NULL);
    memset(out, 0, sizeof *out);
    out->mode = d->mode;
    out->list = d->list;
    if (d->mode != MTR_DISPLAY_TEST && d->index < d->count[d->list]) {
        out->shown = true;
        out->index = d->index;
        out->item = d->item[d->list][d->index];
    }
}

mtr_err_t mtr_display_set_list(struct mtr_display *d, uint8_t which,
                               const struct mtr_display_item *items, uint16_t count)
{
    mtr_err_t err;

    MTR_ASSERT(d != NULL);
    if (which > MTR_DISPLAY_ALTERNATE) {
        return MTR_ERR_INVAL;
    }
    err = dp_check_list(items, count);
    if (err != MTR_OK) {
        return err;
    }
    dp_store_list(d, which, items, count);
    if (d->list == which && d->mode != MTR_DISPLAY_TEST) {
        d->index = 0;
        if (d->mode == MTR_DISPLAY_AUTO) {
            d->due = d->last + ms_of(d->set.scroll_s);
        }
    }
    return MTR_OK;
}

uint16_t mtr_display_list(const struct mtr_display *d, uint8_t which,
                          const struct mtr_display_item **items)
{
    MTR_ASSERT(d != NULL);
    if (which > MTR_DISPLAY_ALTERNATE) {
        if (items != NULL) {
            *items = NULL;
        }
        return 0;
    }
    if (items != NULL) {
        *items = d->item[which];
    }
    return d->count[which];
}

mtr_err_t mtr_display_set(struct mtr_display *d, const struct mtr_display_settings *s)
{
    MTR_ASSERT(d != NULL && s != NULL);
    if (dp_check_settings(s) != MTR_OK) {
        return MTR_ERR_DISPLAY_CONFIG;
    }
    dp_put_settings(&d->set, s);
    return MTR_OK;
}

void mtr_display_get(const struct mtr_display *d, struct mtr_display_settings *s)
{
    MTR_ASSERT(d != NULL && s != NULL);
    *s = d->set;
}

void mtr_display_decimals(const struct mtr_display *d, struct mtr_display_decimals *out)
{
    MTR_ASSERT(d != NULL && out != NULL);
    *out = d->dec;
}
