/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target for the display engine's saved-settings loader
 * (mtr_display_load). Besides memory and undefined-behaviour errors it
 * checks what a load promises: a refused blob changes nothing; an accepted
 * blob saves back to the same bytes, and the display then runs (scrolling,
 * presses, test mode, rendering every entry of both lists) with texts of 8
 * cells. An input of the blob's length is also tried with its CRC made
 * right, so that the checks of every field are reached.
 *
 * Linked with fuzz/replay_main.c it becomes a plain program that runs the
 * files (or directories of files) named on its command line through the
 * target once, for replaying the corpus without libFuzzer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "meter/bytes.h"
#include "meter/crc.h"
#include "meter/display.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int cond)
{
    if (!cond)
        abort();
}

static const uint8_t *g_data;
static size_t g_size;

/* Values drawn from the input: every unit, scaler and format is reachable. */
static mtr_err_t value(void *user, const struct mtr_display_item *item,
                       struct mtr_display_value *out)
{
    (void)user;
    size_t at = (size_t)item->class_id + item->data_index;
    uint64_t v = 0;
    for (unsigned i = 0; i < 8; i++) {
        v = (v << 8) | (g_size ? g_data[(at + i) % g_size] : 0u);
    }
    out->value = (int64_t)v;
    out->scaler = (int8_t)item->ln[3];
    out->unit = item->ln[4];
    out->format = (uint8_t)(item->ln[5] % 5u);
    return item->ln[0] == 7 ? MTR_ERR_IO : MTR_OK;
}

/* The value text holds 8 cells ('.' takes none). */
static void check_text(const char *t)
{
    unsigned cells = 0, n = 0;
    for (; t[n] != '\0'; n++) {
        require(n < MTR_DISPLAY_TEXT_SIZE);
        cells += t[n] != '.';
    }
    require(cells == MTR_DISPLAY_DIGITS);
}

static void one(const uint8_t *data, size_t size)
{
    static struct mtr_display d, before;
    static struct mtr_display_config cfg;
    static uint8_t out[MTR_DISPLAY_BLOB_SIZE];
    struct mtr_display_screen scr;
    size_t len = 0;
    mtr_err_t err;

    mtr_display_seed(&cfg, (size & 1u) != 0);
    cfg.value = value;
    require(mtr_display_init(&d, &cfg, 5000) == MTR_OK);
    before = d;
    err = mtr_display_load(&d, data, size);
    if (err != MTR_OK) {
        require(err == MTR_ERR_DISPLAY_BLOB || err == MTR_ERR_DISPLAY_BLOB_CRC ||
                err == MTR_ERR_DISPLAY_VERSION);
        require(memcmp(&d, &before, sizeof d) == 0);
        return;
    }
    require(size == MTR_DISPLAY_BLOB_SIZE);
    require(mtr_display_save(&d, out, sizeof out, &len) == MTR_OK);
    require(len == size && memcmp(out, data, size) == 0);

    /* run the restored display: render every entry of both lists */
    g_data = data;
    g_size = size;
    mtr_ms_t t = 5000;
    struct mtr_display_settings s;
    mtr_display_get(&d, &s);
    uint16_t n = mtr_display_list(&d, MTR_DISPLAY_GENERAL, NULL);
    for (uint16_t i = 0; i < n; i++) {
        (void)mtr_display_render(&d, &scr);
        check_text(scr.text);
        t += s.scroll_s * 1000u;
        require(mtr_display_poll(&d, t) == MTR_OK);
    }
    n = mtr_display_list(&d, MTR_DISPLAY_ALTERNATE, NULL);
    for (uint16_t i = 0; i < n; i++) {
        require(mtr_display_press(&d, t, MTR_DISPLAY_KEY_NEXT) == MTR_OK);
        (void)mtr_display_render(&d, &scr);
        check_text(scr.text);
        t += 1000;
    }
    require(mtr_display_test(&d, t) == MTR_OK);
    require(mtr_display_render(&d, &scr) == MTR_OK && scr.all_segments);
    t += s.test_s * 1000u;
    require(mtr_display_poll(&d, t) == MTR_OK);
    struct mtr_display_state st;
    mtr_display_state(&d, &st);
    require(st.mode == MTR_DISPLAY_AUTO);
    require(mtr_display_save(&d, out, sizeof out, &len) == MTR_OK);
    require(len == size && memcmp(out, data, size) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t fixed[MTR_DISPLAY_BLOB_SIZE];

    one(data, size);
    if (size == MTR_DISPLAY_BLOB_SIZE) {
        memcpy(fixed, data, size);
        mtr_put_be32(fixed + size - 4, mtr_crc32(fixed, size - 4));
        one(fixed, size);
    }
    return 0;
}
