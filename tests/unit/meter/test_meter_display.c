/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The display wired into the aggregate: its values come from the meter
 * (registers scaled by mtr_meter_value_unit(), the clock's local time and
 * date, the error register, the application for the rest), it scrolls with
 * the meter's steps, button 1 presses are timed into its keys, and its
 * settings and lists persist in their partition.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "meter_rig.h"

static struct rig r;

#define DAY_S 86400LL
#define T0 (20094LL * DAY_S + 12 * 3600 + 34 * 60 + 56) /* Monday 2025-01-06 12:34:56 UTC */

static const struct mtr_display_item ITEM_AP = {3, {1, 0, 1, 8, 0, 255}, 2, 0};
static const struct mtr_display_item ITEM_U1 = {3, {1, 0, 32, 7, 0, 255}, 2, 0};
static const struct mtr_display_item ITEM_TIME = {1, {1, 0, 0, 9, 1, 255}, 2, 0};
static const struct mtr_display_item ITEM_DATE = {1, {1, 0, 0, 9, 2, 255}, 2, 0};
static const struct mtr_display_item ITEM_ERR = {1, {0, 0, 97, 97, 0, 255}, 2, 0};
static const struct mtr_display_item ITEM_SERIAL = {1, {0, 0, 96, 1, 0, 255}, 2, 0};

static mtr_err_t app_value(void *user, const struct mtr_display_item *item,
                           struct mtr_display_value *out)
{
    cr_assert_eq(user, &r, "the application's user pointer");
    if (memcmp(item->ln, ITEM_SERIAL.ln, 6) != 0) {
        return MTR_ERR_NOENT;
    }
    out->value = 12345678;
    out->unit = MTR_DISPLAY_UNIT_NONE;
    return MTR_OK;
}

static void boot(void)
{
    cr_assert_eq(rig_boot(&r), MTR_OK);
}

static struct mtr_meter_wiring wiring(void)
{
    struct mtr_meter_wiring w;
    mtr_meter_wiring(&r.e.meter, &w);
    return w;
}

static struct mtr_display_state shown(void)
{
    struct mtr_display_state st;
    mtr_display_state(&r.e.disp, &st);
    return st;
}

/* Hold button 1 for @p ms, then release it (the rig's 10 ms steps). */
static void press(uint32_t ms)
{
    mtr_sim_set_inputs(&r.sim, MTR_IN_BUTTON_1); /* the board's input interrupt: */
    cr_assert_eq(mtr_post_input(&r.e.meter, MTR_IN_BUTTON_1), MTR_OK);
    rig_run(&r, ms, 10);
    mtr_sim_set_inputs(&r.sim, 0);
    cr_assert_eq(mtr_post_input(&r.e.meter, 0), MTR_OK);
    rig_run(&r, 20, 10);
}

Test(meter_display, values_come_from_the_meter)
{
    rig_board_records(&r, T0, 0);
    boot();
    struct mtr_display_value v;
    cr_assert_eq(mtr_meter_display_value(&r.e.meter, &ITEM_U1, &v), MTR_ERR_EMPTY,
                 "no metrology period yet");
    rig_run(&r, 3000, 10);
    /* a register: its value, scaled as the register serves it */
    cr_assert_eq(mtr_meter_display_value(&r.e.meter, &ITEM_AP, &v), MTR_OK);
    int64_t ap = 0;
    cr_assert_eq(mtr_meter_value(&r.e.meter, 3, ITEM_AP.ln, 2, &ap), MTR_OK);
    cr_assert(ap > 0);
    cr_assert(v.value == ap && v.scaler == -3 && v.unit == MTR_DISPLAY_UNIT_WH &&
              v.format == MTR_DISPLAY_FMT_NUMBER);
    cr_assert_eq(mtr_meter_display_value(&r.e.meter, &ITEM_U1, &v), MTR_OK);
    cr_assert(v.value > 229000 && v.value < 231000 && v.scaler == -3 &&
              v.unit == MTR_DISPLAY_UNIT_V);
    /* local time and date of the clock (UTC here: no zone configured) */
    struct mtr_clock_view cv;
    cr_assert_eq(mtr_clock_now(&r.e.clk, &cv), MTR_OK);
    cr_assert_eq(mtr_meter_display_value(&r.e.meter, &ITEM_TIME, &v), MTR_OK);
    cr_assert_eq(v.format, MTR_DISPLAY_FMT_TIME);
    cr_assert_eq(v.value, cv.local.hour * 3600 + cv.local.minute * 60 + cv.local.second);
    cr_assert(v.value >= 12 * 3600 + 34 * 60 + 58 && v.value <= 12 * 3600 + 35 * 60);
    cr_assert_eq(mtr_meter_display_value(&r.e.meter, &ITEM_DATE, &v), MTR_OK);
    cr_assert_eq(v.format, MTR_DISPLAY_FMT_DATE);
    cr_assert_eq(v.value, 20250106);
    /* the error register in hex */
    cr_assert_eq(mtr_meter_display_value(&r.e.meter, &ITEM_ERR, &v), MTR_OK);
    cr_assert_eq(v.format, MTR_DISPLAY_FMT_HEX);
    cr_assert_eq(v.value, (int64_t)mtr_events_error(&r.e.ev));
    /* nobody knows the serial number: the error indication on the screen */
    cr_assert_eq(mtr_meter_display_value(&r.e.meter, &ITEM_SERIAL, &v), MTR_ERR_NOENT);
    const struct mtr_display_item *list = NULL;
    cr_assert_eq(mtr_display_list(&r.e.disp, MTR_DISPLAY_GENERAL, &list), 14);
    cr_assert_eq(memcmp(list[0].ln, ITEM_SERIAL.ln, 6), 0, "the seed's list starts with it");
    struct mtr_display_screen scr;
    cr_assert_eq(mtr_display_render(&r.e.disp, &scr), MTR_ERR_NOENT);
    cr_assert_str_eq(scr.code, "96.1.0");
    cr_assert(strncmp(scr.text, "Err", 3) == 0, "'%s'", scr.text);
    /* a time is not a quantity */
    const struct mtr_display_item md_time = {4, {1, 0, 1, 6, 0, 255}, 5, 0};
    cr_assert_eq(mtr_meter_display_value(&r.e.meter, &md_time, &v), MTR_ERR_NOENT);
    rig_free(&r);
}

Test(meter_display, the_application_gives_what_the_core_does_not_know)
{
    rig_board_records(&r, T0, 0);
    r.display_value = app_value;
    boot();
    struct mtr_display_value v;
    cr_assert_eq(mtr_meter_display_value(&r.e.meter, &ITEM_SERIAL, &v), MTR_OK);
    cr_assert_eq(v.value, 12345678);
    struct mtr_display_screen scr;
    cr_assert_eq(mtr_display_render(&r.e.disp, &scr), MTR_OK);
    cr_assert_str_eq(scr.code, "96.1.0");
    cr_assert_str_eq(scr.text, "12345678");
    /* the core's own values do not reach the application */
    cr_assert_eq(mtr_meter_display_value(&r.e.meter, &ITEM_DATE, &v), MTR_OK);
    cr_assert_eq(v.value, 20250106);
    const struct mtr_display_item unknown = {1, {0, 0, 96, 6, 3, 255}, 2, 0};
    cr_assert_eq(mtr_meter_display_value(&r.e.meter, &unknown, &v), MTR_ERR_NOENT);
    rig_free(&r);
}

Test(meter_display, scrolls_with_the_meter_steps)
{
    rig_board_records(&r, T0, 0);
    boot();
    cr_assert(shown().mode == MTR_DISPLAY_AUTO && shown().index == 0);
    rig_run(&r, 7000, 10);
    cr_assert_eq(shown().index, 0, "7 s: the first entry still");
    rig_run(&r, 2000, 10);
    cr_assert_eq(shown().index, 1, "9 s: the second (8 s scroll, 1 s steps)");
    cr_assert_eq(memcmp(shown().item.ln, ITEM_TIME.ln, 6), 0);
    struct mtr_display_screen scr;
    cr_assert_eq(mtr_display_render(&r.e.disp, &scr), MTR_OK);
    cr_assert_str_eq(scr.code, "0.9.1");
    cr_assert_eq(strlen(scr.text), 8u, "'%s'", scr.text);
    cr_assert(strncmp(scr.text, "12-35-0", 7) == 0, "12:35:0x UTC, '%s'", scr.text);
    rig_run(&r, 8000, 10);
    cr_assert_eq(shown().index, 2);
    cr_assert_eq(mtr_display_render(&r.e.disp, &scr), MTR_OK);
    cr_assert_str_eq(scr.text, "06-01-25");
    cr_assert_eq(wiring().display_errors, 0);
    rig_free(&r);
}

Test(meter_display, button_presses_are_timed_into_keys)
{
    rig_board_records(&r, T0, 0);
    boot();
    rig_run(&r, 100, 10);
    press(500); /* short: manual mode, the alternate list */
    cr_assert(shown().mode == MTR_DISPLAY_MANUAL && shown().list == MTR_DISPLAY_ALTERNATE &&
              shown().index == 0);
    press(1900);
    cr_assert_eq(shown().index, 1, "a press under 2 s: next");
    press(3000); /* 2..7 s: not the display's */
    cr_assert(shown().mode == MTR_DISPLAY_MANUAL && shown().index == 1);
    press(7500); /* long: back to auto scroll */
    cr_assert(shown().mode == MTR_DISPLAY_AUTO && shown().list == MTR_DISPLAY_GENERAL &&
              shown().index == 0);
    /* the manual time-out (60 s) through the meter's steps */
    press(100);
    cr_assert_eq(shown().mode, MTR_DISPLAY_MANUAL);
    rig_run(&r, 59000, 100);
    cr_assert_eq(shown().mode, MTR_DISPLAY_MANUAL);
    rig_run(&r, 2000, 100);
    cr_assert_eq(shown().mode, MTR_DISPLAY_AUTO);
    cr_assert_eq(wiring().display_errors, 0);
    rig_free(&r);
}

Test(meter_display, settings_and_lists_persist)
{
    rig_board_records(&r, T0, 0);
    boot();
    cr_assert_eq(wiring().display_restore, MTR_RESTORE_MISSING);
    const struct mtr_display_item two[2] = {ITEM_AP, ITEM_U1};
    cr_assert_eq(mtr_display_set_list(&r.e.disp, MTR_DISPLAY_GENERAL, two, 2), MTR_OK);
    struct mtr_display_settings s;
    mtr_display_get(&r.e.disp, &s);
    s.scroll_s = 5;
    cr_assert_eq(mtr_display_set(&r.e.disp, &s), MTR_OK);
    uint32_t p47 = rig_ev_count(&r, 47, NULL);
    cr_assert_eq(mtr_meter_display_commit(&r.e.meter), MTR_OK);
    cr_assert_eq(rig_ev_count(&r, 47, NULL), p47 + 1, "parametrization logged");
    cr_assert_eq(wiring().display_commits, 1);

    mtr_sim_nvm_restore(&r.sim);
    boot();
    cr_assert_eq(wiring().display_restore, MTR_RESTORE_OK);
    const struct mtr_display_item *list = NULL;
    cr_assert_eq(mtr_display_list(&r.e.disp, MTR_DISPLAY_GENERAL, &list), 2);
    for (unsigned k = 0; k < 2; k++) {
        cr_assert(list[k].class_id == two[k].class_id && memcmp(list[k].ln, two[k].ln, 6) == 0 &&
                  list[k].attribute_index == two[k].attribute_index &&
                  list[k].data_index == two[k].data_index);
    }
    mtr_display_get(&r.e.disp, &s);
    cr_assert_eq(s.scroll_s, 5);
    cr_assert_eq(mtr_display_list(&r.e.disp, MTR_DISPLAY_ALTERNATE, NULL), 48, "the seed's");
    rig_run(&r, 5500, 10);
    cr_assert_eq(shown().index, 1, "5 s scroll");

    /* damaged copies: the store finds no valid record, the configuration's lists */
    uint8_t *nvm = mtr_sim_nvm_data(&r.sim);
    uint32_t hits = 0;
    for (uint32_t i = 0; i + 8 < r.sim.cfg.nvm_size; i++) {
        /* the first entry as the blob keeps it: class (big-endian), then the name */
        if (nvm[i] == 0 && nvm[i + 1] == 3 && memcmp(nvm + i + 2, ITEM_AP.ln, 6) == 0) {
            nvm[i + 4] ^= 0x40;
            hits++;
        }
    }
    cr_assert(hits >= 1);
    mtr_sim_nvm_restore(&r.sim);
    boot();
    cr_assert(wiring().display_restore == MTR_RESTORE_MISSING ||
              wiring().display_restore == MTR_RESTORE_REFUSED);
    cr_assert_eq(mtr_display_list(&r.e.disp, MTR_DISPLAY_GENERAL, NULL), 14, "the seed's list");

    /* a record the store keeps but the engine refuses: reported and logged */
    static uint8_t bad[MTR_DISPLAY_BLOB_SIZE];
    size_t len = 0;
    cr_assert_eq(mtr_display_save(&r.e.disp, bad, sizeof bad, &len), MTR_OK);
    bad[len - 1] ^= 1; /* its CRC */
    cr_assert_eq(mtr_store_commit(&r.e.store, PART_DISPLAY, bad, len), MTR_OK);
    uint32_t nv = rig_ev_count(&r, 14, NULL);
    mtr_sim_nvm_restore(&r.sim);
    boot();
    cr_assert_eq(wiring().display_restore, MTR_RESTORE_REFUSED);
    cr_assert_eq(mtr_display_list(&r.e.disp, MTR_DISPLAY_GENERAL, NULL), 14, "the seed's list");
    cr_assert_eq(rig_ev_count(&r, 14, NULL), nv + 1, "NV memory error logged");
    rig_free(&r);
}

Test(meter_display, a_display_partition_needs_its_buffer)
{
    rig_board_records(&r, T0, 0);
    boot();
    struct mtr_meter_engines e = r.engines;
    e.display_buf = NULL;
    struct mtr_meter_config mc = r.mc;
    mc.engines = &e;
    struct mtr_meter m2;
    cr_assert_eq(mtr_meter_init(&m2, &r.hal, &mc), MTR_ERR_CONFIG);
    rig_free(&r);
}
