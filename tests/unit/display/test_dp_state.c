/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The state machine: auto scroll at the interval edge (interval - 1 ms /
 * interval ms), wrapping and catching up, the wrap of the millisecond
 * counter, manual mode and its time-out edge, test mode start and end edge,
 * time going back refused; and every setter's validation (refused input
 * changes nothing: memcmp of the context).
 */
#include "dp_fixture.h"

TestSuite(dp_state, .init = fx_init);

#define IV 8000u      /* default scroll interval, ms */
#define MANUAL 60000u /* default manual time-out, ms */
#define TEST 3600000u /* default test duration, ms */

/* ------------------------------------------------------------ auto scroll */

Test(dp_state, init_shows_first_general_entry)
{
    struct mtr_display_state s = fx_state();
    struct mtr_display_settings set;

    cr_assert_eq(s.mode, MTR_DISPLAY_AUTO);
    cr_assert_eq(s.list, MTR_DISPLAY_GENERAL);
    cr_assert(s.shown);
    cr_assert_eq(s.index, 0);
    cr_assert_eq(memcmp(&s.item, &fx.general[0], sizeof s.item), 0);
    mtr_display_get(&fx.d, &set);
    cr_assert_eq(set.scroll_s, 8);
    cr_assert_eq(set.test_s, 3600);
    cr_assert_eq(set.manual_timeout_s, 60);
    cr_assert_eq(mtr_display_config_items(), MTR_CFG_DISPLAY_ITEMS);
    cr_assert_eq(mtr_display_ctx_size(), sizeof(struct mtr_display));
}

Test(dp_state, scroll_edge)
{
    mtr_ms_t at;

    cr_assert(mtr_display_deadline(&fx.d, &at));
    cr_assert_eq(at, T0 + IV);
    fx_at(T0 + IV - 1, MTR_DISPLAY_AUTO, MTR_DISPLAY_GENERAL, 0);
    fx_at(T0 + IV, MTR_DISPLAY_AUTO, MTR_DISPLAY_GENERAL, 1);
    fx_at(T0 + 2 * IV - 1, MTR_DISPLAY_AUTO, MTR_DISPLAY_GENERAL, 1);
    fx_at(T0 + 2 * IV, MTR_DISPLAY_AUTO, MTR_DISPLAY_GENERAL, 2);
    cr_assert(mtr_display_deadline(&fx.d, &at));
    cr_assert_eq(at, T0 + 3 * IV);
}

Test(dp_state, scroll_wraps)
{
    fx_at(T0 + 3 * IV - 1, MTR_DISPLAY_AUTO, MTR_DISPLAY_GENERAL, 2);
    fx_at(T0 + 3 * IV, MTR_DISPLAY_AUTO, MTR_DISPLAY_GENERAL, 0);
    fx_at(T0 + 4 * IV, MTR_DISPLAY_AUTO, MTR_DISPLAY_GENERAL, 1);
}

Test(dp_state, late_poll_catches_up_on_the_same_grid)
{
    mtr_ms_t at;

    /* 7 intervals and 3 ms: 7 steps over 3 entries */
    fx_at(T0 + 7 * IV + 3, MTR_DISPLAY_AUTO, MTR_DISPLAY_GENERAL, 7 % 3);
    cr_assert(mtr_display_deadline(&fx.d, &at));
    cr_assert_eq(at, T0 + 8 * IV);
    fx_at(T0 + 8 * IV - 1, MTR_DISPLAY_AUTO, MTR_DISPLAY_GENERAL, 7 % 3);
    fx_at(T0 + 8 * IV, MTR_DISPLAY_AUTO, MTR_DISPLAY_GENERAL, 8 % 3);
}

Test(dp_state, scroll_across_the_ms_counter_wrap)
{
    mtr_ms_t t0 = 0xFFFFFFFFu - 5000u;

    fx_init_at(t0);
    fx_at(t0 + IV - 1, MTR_DISPLAY_AUTO, MTR_DISPLAY_GENERAL, 0);
    cr_assert_lt(t0 + IV, t0); /* the counter wrapped */
    fx_at(t0 + IV, MTR_DISPLAY_AUTO, MTR_DISPLAY_GENERAL, 1);
}

Test(dp_state, other_interval)
{
    struct mtr_display_settings s;

    mtr_display_get(&fx.d, &s);
    s.scroll_s = 1;
    cr_assert_eq(mtr_display_set(&fx.d, &s), MTR_OK);
    /* the running interval keeps its deadline, the next ones are 1 s */
    fx_at(T0 + IV, MTR_DISPLAY_AUTO, MTR_DISPLAY_GENERAL, 1);
    fx_at(T0 + IV + 999, MTR_DISPLAY_AUTO, MTR_DISPLAY_GENERAL, 1);
    fx_at(T0 + IV + 1000, MTR_DISPLAY_AUTO, MTR_DISPLAY_GENERAL, 2);
}

Test(dp_state, empty_general_list_shows_nothing)
{
    mtr_ms_t at;
    struct mtr_display_screen scr;

    cr_assert_eq(mtr_display_set_list(&fx.d, MTR_DISPLAY_GENERAL, NULL, 0), MTR_OK);
    cr_assert_not(fx_state().shown);
    cr_assert_not(mtr_display_deadline(&fx.d, &at));
    fx_at(T0 + 10 * IV, MTR_DISPLAY_AUTO, MTR_DISPLAY_GENERAL, 0);
    cr_assert_not(fx_state().shown);
    cr_assert_eq(mtr_display_render(&fx.d, &scr), MTR_OK);
    cr_assert_str_eq(scr.text, "        ");
    cr_assert_str_eq(scr.code, "");
    cr_assert_eq(fx.reads, 0);
}

Test(dp_state, one_entry_does_not_scroll)
{
    mtr_ms_t at;

    cr_assert_eq(mtr_display_set_list(&fx.d, MTR_DISPLAY_GENERAL, fx.general, 1), MTR_OK);
    cr_assert_not(mtr_display_deadline(&fx.d, &at));
    fx_at(T0 + 5 * IV, MTR_DISPLAY_AUTO, MTR_DISPLAY_GENERAL, 0);
    cr_assert(fx_state().shown);
    /* a longer list scrolls one interval after the latest time seen */
    cr_assert_eq(mtr_display_set_list(&fx.d, MTR_DISPLAY_GENERAL, fx.general, 3), MTR_OK);
    cr_assert(mtr_display_deadline(&fx.d, &at));
    cr_assert_eq(at, T0 + 6 * IV);
    fx_at(T0 + 6 * IV - 1, MTR_DISPLAY_AUTO, MTR_DISPLAY_GENERAL, 0);
    fx_at(T0 + 6 * IV, MTR_DISPLAY_AUTO, MTR_DISPLAY_GENERAL, 1);
}

Test(dp_state, set_list_shown_restarts_it)
{
    fx_at(T0 + 2 * IV, MTR_DISPLAY_AUTO, MTR_DISPLAY_GENERAL, 2);
    cr_assert_eq(mtr_display_set_list(&fx.d, MTR_DISPLAY_GENERAL, fx.general, 2), MTR_OK);
    cr_assert_eq(fx_state().index, 0);
    /* the other list does not move the one shown */
    fx_at(T0 + 3 * IV, MTR_DISPLAY_AUTO, MTR_DISPLAY_GENERAL, 1);
    cr_assert_eq(mtr_display_set_list(&fx.d, MTR_DISPLAY_ALTERNATE, fx.alternate, 2), MTR_OK);
    cr_assert_eq(fx_state().index, 1);
}

/* ------------------------------------------------------------ manual mode */

Test(dp_state, press_enters_manual_and_steps_alternate)
{
    mtr_ms_t t = T0 + IV + 100;
    struct mtr_display_state s;

    cr_assert_eq(mtr_display_press(&fx.d, t, MTR_DISPLAY_KEY_NEXT), MTR_OK);
    s = fx_state();
    cr_assert_eq(s.mode, MTR_DISPLAY_MANUAL);
    cr_assert_eq(s.list, MTR_DISPLAY_ALTERNATE);
    cr_assert_eq(s.index, 0);
    cr_assert_eq(memcmp(&s.item, &fx.alternate[0], sizeof s.item), 0);
    for (uint16_t i = 1; i <= 5; i++) {
        cr_assert_eq(mtr_display_press(&fx.d, t + i * 1000u, MTR_DISPLAY_KEY_NEXT), MTR_OK);
        cr_assert_eq(fx_state().index, i % 4, "press %u", i);
    }
    /* manual mode does not scroll */
    fx_at(t + 5000 + 5 * IV, MTR_DISPLAY_MANUAL, MTR_DISPLAY_ALTERNATE, 1);
}

Test(dp_state, manual_timeout_edge)
{
    mtr_ms_t t = T0 + 500;
    mtr_ms_t at;

    cr_assert_eq(mtr_display_press(&fx.d, t, MTR_DISPLAY_KEY_NEXT), MTR_OK);
    cr_assert_eq(mtr_display_press(&fx.d, t + 20000, MTR_DISPLAY_KEY_NEXT), MTR_OK);
    cr_assert(mtr_display_deadline(&fx.d, &at));
    cr_assert_eq(at, t + 20000 + MANUAL);
    /* the time-out runs from the last press */
    fx_at(t + 20000 + MANUAL - 1, MTR_DISPLAY_MANUAL, MTR_DISPLAY_ALTERNATE, 1);
    fx_at(t + 20000 + MANUAL, MTR_DISPLAY_AUTO, MTR_DISPLAY_GENERAL, 0);
    /* auto scroll starts again from the time-out */
    fx_at(t + 20000 + MANUAL + IV - 1, MTR_DISPLAY_AUTO, MTR_DISPLAY_GENERAL, 0);
    fx_at(t + 20000 + MANUAL + IV, MTR_DISPLAY_AUTO, MTR_DISPLAY_GENERAL, 1);
}

Test(dp_state, late_poll_after_timeout_counts_from_the_timeout)
{
    cr_assert_eq(mtr_display_press(&fx.d, T0, MTR_DISPLAY_KEY_NEXT), MTR_OK);
    fx_at(T0 + MANUAL + 2 * IV + 5, MTR_DISPLAY_AUTO, MTR_DISPLAY_GENERAL, 2);
}

Test(dp_state, press_after_timeout_enters_manual_again)
{
    cr_assert_eq(mtr_display_press(&fx.d, T0, MTR_DISPLAY_KEY_NEXT), MTR_OK);
    cr_assert_eq(mtr_display_press(&fx.d, T0 + 1, MTR_DISPLAY_KEY_NEXT), MTR_OK);
    cr_assert_eq(fx_state().index, 1);
    /* the press at the time-out first returns to auto, then enters manual */
    cr_assert_eq(mtr_display_press(&fx.d, T0 + 1 + MANUAL, MTR_DISPLAY_KEY_NEXT), MTR_OK);
    cr_assert_eq(fx_state().mode, MTR_DISPLAY_MANUAL);
    cr_assert_eq(fx_state().index, 0);
}

Test(dp_state, exit_returns_to_auto)
{
    cr_assert_eq(mtr_display_press(&fx.d, T0 + 10, MTR_DISPLAY_KEY_NEXT), MTR_OK);
    cr_assert_eq(mtr_display_press(&fx.d, T0 + 20, MTR_DISPLAY_KEY_NEXT), MTR_OK);
    cr_assert_eq(mtr_display_press(&fx.d, T0 + 30, MTR_DISPLAY_KEY_EXIT), MTR_OK);
    fx_at(T0 + 30, MTR_DISPLAY_AUTO, MTR_DISPLAY_GENERAL, 0);
    fx_at(T0 + 30 + IV - 1, MTR_DISPLAY_AUTO, MTR_DISPLAY_GENERAL, 0);
    fx_at(T0 + 30 + IV, MTR_DISPLAY_AUTO, MTR_DISPLAY_GENERAL, 1);
    /* EXIT and NONE in auto mode: nothing */
    struct mtr_display before = fx.d;
    cr_assert_eq(mtr_display_press(&fx.d, T0 + 30 + IV, MTR_DISPLAY_KEY_EXIT), MTR_OK);
    cr_assert_eq(mtr_display_press(&fx.d, T0 + 30 + IV, MTR_DISPLAY_KEY_NONE), MTR_OK);
    cr_assert_eq(memcmp(&before, &fx.d, sizeof before), 0);
}

Test(dp_state, empty_alternate_list_steps_general)
{
    cr_assert_eq(mtr_display_set_list(&fx.d, MTR_DISPLAY_ALTERNATE, NULL, 0), MTR_OK);
    cr_assert_eq(mtr_display_press(&fx.d, T0 + 1, MTR_DISPLAY_KEY_NEXT), MTR_OK);
    fx_at(T0 + 1, MTR_DISPLAY_MANUAL, MTR_DISPLAY_GENERAL, 0);
    cr_assert_eq(mtr_display_press(&fx.d, T0 + 2, MTR_DISPLAY_KEY_NEXT), MTR_OK);
    cr_assert_eq(mtr_display_press(&fx.d, T0 + 3, MTR_DISPLAY_KEY_NEXT), MTR_OK);
    cr_assert_eq(mtr_display_press(&fx.d, T0 + 4, MTR_DISPLAY_KEY_NEXT), MTR_OK);
    fx_at(T0 + 4, MTR_DISPLAY_MANUAL, MTR_DISPLAY_GENERAL, 0);
}

Test(dp_state, key_of_press_length)
{
    cr_assert_eq(mtr_display_key_of(0), MTR_DISPLAY_KEY_NEXT);
    cr_assert_eq(mtr_display_key_of(1999), MTR_DISPLAY_KEY_NEXT);
    cr_assert_eq(mtr_display_key_of(2000), MTR_DISPLAY_KEY_NONE);
    cr_assert_eq(mtr_display_key_of(7000), MTR_DISPLAY_KEY_NONE);
    cr_assert_eq(mtr_display_key_of(7001), MTR_DISPLAY_KEY_EXIT);
    cr_assert_eq(mtr_display_key_of(UINT32_MAX), MTR_DISPLAY_KEY_EXIT);
}

Test(dp_state, unknown_key_refused)
{
    struct mtr_display before = fx.d;

    cr_assert_eq(mtr_display_press(&fx.d, T0 + IV, 3), MTR_ERR_INVAL);
    cr_assert_eq(mtr_display_press(&fx.d, T0 + IV, 255), MTR_ERR_INVAL);
    cr_assert_eq(memcmp(&before, &fx.d, sizeof before), 0);
}

/* -------------------------------------------------------------- test mode */

Test(dp_state, test_mode_edge)
{
    mtr_ms_t t = T0 + 1234;
    struct mtr_display_screen scr;
    mtr_ms_t at;

    cr_assert_eq(mtr_display_test(&fx.d, t), MTR_OK);
    cr_assert_eq(fx_state().mode, MTR_DISPLAY_TEST);
    cr_assert_not(fx_state().shown);
    cr_assert(mtr_display_deadline(&fx.d, &at));
    cr_assert_eq(at, t + TEST);
    cr_assert_eq(mtr_display_render(&fx.d, &scr), MTR_OK);
    cr_assert(scr.all_segments);
    cr_assert_str_eq(scr.text, "8.8.8.8.8.8.8.8.");
    cr_assert_eq(fx.reads, 0);
    /* a short press does not end it */
    cr_assert_eq(mtr_display_press(&fx.d, t + 5, MTR_DISPLAY_KEY_NEXT), MTR_OK);
    fx_at(t + TEST - 1, MTR_DISPLAY_TEST, MTR_DISPLAY_GENERAL, 0);
    fx_at(t + TEST, MTR_DISPLAY_AUTO, MTR_DISPLAY_GENERAL, 0);
    cr_assert(fx_state().shown);
    fx_at(t + TEST + IV - 1, MTR_DISPLAY_AUTO, MTR_DISPLAY_GENERAL, 0);
    fx_at(t + TEST + IV, MTR_DISPLAY_AUTO, MTR_DISPLAY_GENERAL, 1);
}

Test(dp_state, test_mode_duration_setting_and_restart)
{
    struct mtr_display_settings s;

    mtr_display_get(&fx.d, &s);
    s.test_s = 10;
    cr_assert_eq(mtr_display_set(&fx.d, &s), MTR_OK);
    cr_assert_eq(mtr_display_test(&fx.d, T0), MTR_OK);
    cr_assert_eq(mtr_display_test(&fx.d, T0 + 5000), MTR_OK); /* restarts */
    fx_at(T0 + 14999, MTR_DISPLAY_TEST, MTR_DISPLAY_GENERAL, 0);
    fx_at(T0 + 15000, MTR_DISPLAY_AUTO, MTR_DISPLAY_GENERAL, 0);
}

Test(dp_state, test_mode_from_manual_and_exit)
{
    cr_assert_eq(mtr_display_press(&fx.d, T0, MTR_DISPLAY_KEY_NEXT), MTR_OK);
    cr_assert_eq(mtr_display_test(&fx.d, T0 + 10), MTR_OK);
    /* the manual time-out no longer applies */
    fx_at(T0 + MANUAL + 10, MTR_DISPLAY_TEST, MTR_DISPLAY_GENERAL, 0);
    cr_assert_eq(mtr_display_press(&fx.d, T0 + MANUAL + 20, MTR_DISPLAY_KEY_EXIT), MTR_OK);
    fx_at(T0 + MANUAL + 20, MTR_DISPLAY_AUTO, MTR_DISPLAY_GENERAL, 0);
}

/* ------------------------------------------------------- time going back */

Test(dp_state, time_going_back_refused)
{
    struct mtr_display before;

    cr_assert_eq(mtr_display_poll(&fx.d, T0 + 100), MTR_OK);
    before = fx.d;
    cr_assert_eq(mtr_display_poll(&fx.d, T0 + 99), MTR_ERR_DISPLAY_TIME);
    cr_assert_eq(mtr_display_press(&fx.d, T0 + 99, MTR_DISPLAY_KEY_NEXT), MTR_ERR_DISPLAY_TIME);
    cr_assert_eq(mtr_display_press(&fx.d, T0, MTR_DISPLAY_KEY_EXIT), MTR_ERR_DISPLAY_TIME);
    cr_assert_eq(mtr_display_test(&fx.d, T0 + 99), MTR_ERR_DISPLAY_TIME);
    /* more than 2^31 ms ahead is behind */
    cr_assert_eq(mtr_display_poll(&fx.d, T0 + 100 + 0x80000000u), MTR_ERR_DISPLAY_TIME);
    cr_assert_eq(memcmp(&before, &fx.d, sizeof before), 0);
    /* the same time again is fine */
    cr_assert_eq(mtr_display_poll(&fx.d, T0 + 100), MTR_OK);
    cr_assert_eq(memcmp(&before, &fx.d, sizeof before), 0);
}

Test(dp_state, time_going_back_in_manual_and_test_refused)
{
    struct mtr_display before;

    cr_assert_eq(mtr_display_press(&fx.d, T0 + 50, MTR_DISPLAY_KEY_NEXT), MTR_OK);
    before = fx.d;
    cr_assert_eq(mtr_display_press(&fx.d, T0 + 49, MTR_DISPLAY_KEY_NEXT), MTR_ERR_DISPLAY_TIME);
    cr_assert_eq(memcmp(&before, &fx.d, sizeof before), 0);
    cr_assert_eq(mtr_display_test(&fx.d, T0 + 60), MTR_OK);
    before = fx.d;
    cr_assert_eq(mtr_display_poll(&fx.d, T0 + 59), MTR_ERR_DISPLAY_TIME);
    cr_assert_eq(memcmp(&before, &fx.d, sizeof before), 0);
}

/* ------------------------------------------------------------- validation */

static void list_refused(uint8_t which, const struct mtr_display_item *items, uint16_t count,
                         mtr_err_t want)
{
    struct mtr_display before = fx.d;
    cr_assert_eq(mtr_display_set_list(&fx.d, which, items, count), want, "count %u", count);
    cr_assert_eq(memcmp(&before, &fx.d, sizeof before), 0);
}

Test(dp_state, set_list_validation)
{
    struct mtr_display_item it[MTR_CFG_DISPLAY_ITEMS + 1];

    for (unsigned i = 0; i < MTR_CFG_DISPLAY_ITEMS + 1u; i++) {
        it[i] = fx_reg((uint8_t)(1 + i / 200u), (uint8_t)(i % 200u));
    }
    for (uint8_t w = 0; w < 2; w++) {
        /* the full capacity is accepted, one more is not */
        list_refused(w, it, MTR_CFG_DISPLAY_ITEMS + 1, MTR_ERR_DISPLAY_LIST);
        list_refused(w, NULL, 1, MTR_ERR_DISPLAY_LIST);
        struct mtr_display_item bad[3] = {fx_reg(1, 0), fx_reg(1, 1), fx_reg(1, 2)};
        bad[2].class_id = 0;
        list_refused(w, bad, 3, MTR_ERR_DISPLAY_LIST);
        bad[2] = fx_reg(1, 2);
        bad[1].attribute_index = 0;
        list_refused(w, bad, 3, MTR_ERR_DISPLAY_LIST);
        bad[1].attribute_index = -1;
        list_refused(w, bad, 3, MTR_ERR_DISPLAY_LIST);
        bad[1].attribute_index = INT8_MIN;
        list_refused(w, bad, 3, MTR_ERR_DISPLAY_LIST);
        bad[1] = fx_reg(1, 1);
        bad[2] = bad[0]; /* duplicate */
        list_refused(w, bad, 3, MTR_ERR_DISPLAY_LIST);
        /* differing only in the data index or the attribute is no duplicate */
        bad[2].data_index = 1;
        cr_assert_eq(mtr_display_set_list(&fx.d, w, bad, 3), MTR_OK);
        bad[2] = bad[0];
        bad[2].attribute_index = 3;
        cr_assert_eq(mtr_display_set_list(&fx.d, w, bad, 3), MTR_OK);
        bad[2] = bad[0];
        bad[2].ln[5] = 101;
        cr_assert_eq(mtr_display_set_list(&fx.d, w, bad, 3), MTR_OK);
        cr_assert_eq(mtr_display_set_list(&fx.d, w, it, MTR_CFG_DISPLAY_ITEMS), MTR_OK);
        const struct mtr_display_item *got;
        cr_assert_eq(mtr_display_list(&fx.d, w, &got), MTR_CFG_DISPLAY_ITEMS);
        cr_assert_eq(memcmp(got, it, MTR_CFG_DISPLAY_ITEMS * sizeof *it), 0);
    }
    list_refused(2, it, 1, MTR_ERR_INVAL);
    cr_assert_eq(mtr_display_list(&fx.d, 2, NULL), 0);
}

static void settings_refused(uint16_t scroll, uint32_t test, uint16_t manual)
{
    struct mtr_display before = fx.d;
    struct mtr_display_settings s = {scroll, test, manual};
    cr_assert_eq(mtr_display_set(&fx.d, &s), MTR_ERR_DISPLAY_CONFIG, "%u %u %u", scroll,
                 (unsigned)test, manual);
    cr_assert_eq(memcmp(&before, &fx.d, sizeof before), 0);
}

Test(dp_state, set_settings_validation)
{
    struct mtr_display_settings s, got;

    settings_refused(0, 3600, 60);
    settings_refused(256, 3600, 60);
    settings_refused(8, 0, 60);
    settings_refused(8, 86401, 60);
    settings_refused(8, 3600, 0);
    settings_refused(8, 3600, 3601);
    s = (struct mtr_display_settings){1, 1, 1};
    cr_assert_eq(mtr_display_set(&fx.d, &s), MTR_OK);
    s = (struct mtr_display_settings){255, 86400, 3600};
    cr_assert_eq(mtr_display_set(&fx.d, &s), MTR_OK);
    mtr_display_get(&fx.d, &got);
    cr_assert_eq(got.scroll_s, 255);
    cr_assert_eq(got.test_s, 86400);
    cr_assert_eq(got.manual_timeout_s, 3600);
}

static void init_refused(mtr_err_t want)
{
    struct mtr_display d;
    memset(&d, 0xA5, sizeof d);
    struct mtr_display before = d;
    cr_assert_eq(mtr_display_init(&d, &fx.cfg, T0), want);
    cr_assert_eq(memcmp(&before, &d, sizeof d), 0);
}

Test(dp_state, init_validation)
{
    struct mtr_display_decimals dec;

    mtr_display_decimals(&fx.d, &dec);
    cr_assert_eq(dec.energy, 2);
    cr_assert_eq(dec.power, 2);
    cr_assert_eq(dec.voltage, 1);
    cr_assert_eq(dec.current, 2);
    fx.cfg.decimals.energy = 8;
    init_refused(MTR_ERR_DISPLAY_CONFIG);
    fx.cfg.decimals = (struct mtr_display_decimals){7, 8, 7, 7};
    init_refused(MTR_ERR_DISPLAY_CONFIG);
    fx.cfg.decimals = (struct mtr_display_decimals){7, 7, 8, 7};
    init_refused(MTR_ERR_DISPLAY_CONFIG);
    fx.cfg.decimals = (struct mtr_display_decimals){7, 7, 7, 8};
    init_refused(MTR_ERR_DISPLAY_CONFIG);
    fx.cfg.decimals = (struct mtr_display_decimals){0, 0, 0, 0};
    fx.cfg.settings.scroll_s = 0;
    init_refused(MTR_ERR_DISPLAY_CONFIG);
    fx.cfg.settings.scroll_s = 8;
    fx.cfg.general_count = MTR_CFG_DISPLAY_ITEMS + 1;
    init_refused(MTR_ERR_DISPLAY_LIST);
    fx.cfg.general_count = 3;
    fx.alternate[3] = fx.alternate[0];
    init_refused(MTR_ERR_DISPLAY_LIST);
    fx.cfg.alternate_count = 3;
    struct mtr_display d;
    cr_assert_eq(mtr_display_init(&d, &fx.cfg, T0), MTR_OK);
    cr_assert_eq(mtr_display_list(&d, MTR_DISPLAY_ALTERNATE, NULL), 3);
}
