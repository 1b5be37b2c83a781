/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test bed of the display engine: a context on three general and four
 * alternate entries, a value source the tests fill, and functions that step
 * the monotonic time.
 */
#ifndef DP_FIXTURE_H
#define DP_FIXTURE_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meter/display.h"

#define T0 1000000u /* monotonic ms at init */

struct fx {
    struct mtr_display_config cfg;
    struct mtr_display d;
    struct mtr_display_item general[MTR_CFG_DISPLAY_ITEMS];
    struct mtr_display_item alternate[MTR_CFG_DISPLAY_ITEMS];
    struct mtr_display_value value; /* what the source returns */
    mtr_err_t value_err;            /* ... or this error */
    int reads;
    struct mtr_display_item last_item; /* the entry last read */
};

static struct fx fx;

static inline mtr_err_t fx_value(void *user, const struct mtr_display_item *item,
                                 struct mtr_display_value *out)
{
    cr_assert_eq(user, &fx);
    fx.reads++;
    fx.last_item = *item;
    if (fx.value_err != MTR_OK) {
        return fx.value_err;
    }
    *out = fx.value;
    return MTR_OK;
}

/* Entry @p e of a register 1-0:C.8.e.255 (class 3, attribute 2). */
static inline struct mtr_display_item fx_reg(uint8_t c, uint8_t e)
{
    struct mtr_display_item it;
    memset(&it, 0, sizeof it);
    it.class_id = 3;
    it.ln[0] = 1;
    it.ln[2] = c;
    it.ln[3] = 8;
    it.ln[4] = e;
    it.ln[5] = 255;
    it.attribute_index = 2;
    return it;
}

/* Init with the default settings, 3 general entries 1.8.0..2 and 4
 * alternate entries 2.8.0..3, decimals 2/2/1/2, the time at @p t. */
static inline void fx_init_at(mtr_ms_t t)
{
    memset(&fx, 0, sizeof fx);
    mtr_display_settings_default(&fx.cfg.settings);
    fx.cfg.decimals = (struct mtr_display_decimals){2, 2, 1, 2};
    for (uint8_t i = 0; i < 3; i++) {
        fx.general[i] = fx_reg(1, i);
    }
    for (uint8_t i = 0; i < 4; i++) {
        fx.alternate[i] = fx_reg(2, i);
    }
    fx.cfg.general = fx.general;
    fx.cfg.general_count = 3;
    fx.cfg.alternate = fx.alternate;
    fx.cfg.alternate_count = 4;
    fx.cfg.value = fx_value;
    fx.cfg.user = &fx;
    cr_assert_eq(mtr_display_init(&fx.d, &fx.cfg, t), MTR_OK);
}

static inline void fx_init(void)
{
    fx_init_at(T0);
}

static inline struct mtr_display_state fx_state(void)
{
    struct mtr_display_state s;
    mtr_display_state(&fx.d, &s);
    return s;
}

/* Poll at @p t and check mode, list and index. */
static inline void fx_at(mtr_ms_t t, uint8_t mode, uint8_t list, uint16_t index)
{
    cr_assert_eq(mtr_display_poll(&fx.d, t), MTR_OK, "poll at %u", (unsigned)t);
    struct mtr_display_state s = fx_state();
    cr_assert_eq(s.mode, mode, "mode at %u: %u, want %u", (unsigned)t, s.mode, mode);
    cr_assert_eq(s.list, list, "list at %u: %u, want %u", (unsigned)t, s.list, list);
    cr_assert_eq(s.index, index, "index at %u: %u, want %u", (unsigned)t, s.index, index);
}

#endif /* DP_FIXTURE_H */
