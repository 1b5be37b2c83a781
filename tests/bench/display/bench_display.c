/* SPDX-License-Identifier: Apache-2.0 */
/* Costs of the display engine on the host: formatting one value (energy,
 * voltage, a value of another unit giving up decimals), rendering the
 * screen of the entry shown (code, value source, format), one poll, and
 * blob save and load; RAM of the context and blob size. */
#define _POSIX_C_SOURCE 200809L
#define BENCH_NAME "bench_display"
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "meter/display.h"
#include "../bench_check.h"
#include "../bench_time.h"

static volatile uint32_t sink;
static int64_t next_value = 123456789;

static mtr_err_t value(void *user, const struct mtr_display_item *item,
                       struct mtr_display_value *out)
{
    (void)user;
    out->value = next_value + item->ln[4];
    out->scaler = 0;
    out->unit = 30; /* Wh */
    out->format = MTR_DISPLAY_FMT_NUMBER;
    return MTR_OK;
}

#define N 1000000

int main(void)
{
    static struct mtr_display d;
    static struct mtr_display_config cfg;
    struct mtr_display_screen scr;
    struct mtr_display_decimals dec;
    char text[MTR_DISPLAY_TEXT_SIZE];
    uint8_t blob[MTR_DISPLAY_BLOB_SIZE];
    size_t len = 0;
    double t0, t_energy, t_voltage, t_other, t_render, t_poll, t_save, t_load;

    mtr_display_seed(&cfg, false);
    cfg.value = value;
    check(mtr_display_init(&d, &cfg, 0), "init");
    mtr_display_decimals(&d, &dec);

    struct mtr_display_value e = {123456789012, -3, 30, MTR_DISPLAY_FMT_NUMBER};
    t0 = now_ns();
    for (int i = 0; i < N; i++) {
        e.value += i;
        (void)mtr_display_format(&dec, &e, text);
        sink += (uint8_t)text[3];
    }
    t_energy = (now_ns() - t0) / N;

    struct mtr_display_value u = {230049, -3, 35, MTR_DISPLAY_FMT_NUMBER};
    t0 = now_ns();
    for (int i = 0; i < N; i++) {
        u.value += i & 7;
        (void)mtr_display_format(&dec, &u, text);
        sink += (uint8_t)text[3];
    }
    t_voltage = (now_ns() - t0) / N;

    struct mtr_display_value o = {-500123456789, -10, 44, MTR_DISPLAY_FMT_NUMBER};
    t0 = now_ns();
    for (int i = 0; i < N; i++) {
        o.value -= i & 7;
        (void)mtr_display_format(&dec, &o, text);
        sink += (uint8_t)text[3];
    }
    t_other = (now_ns() - t0) / N;

    t0 = now_ns();
    for (int i = 0; i < N; i++) {
        next_value += 7;
        check(mtr_display_render(&d, &scr), "render");
        sink += (uint8_t)scr.text[4];
    }
    t_render = (now_ns() - t0) / N;

    t0 = now_ns();
    for (uint32_t i = 0; i < N; i++) {
        check(mtr_display_poll(&d, i * 100u), "poll");
    }
    t_poll = (now_ns() - t0) / N;

    t0 = now_ns();
    for (int i = 0; i < N / 100; i++) {
        check(mtr_display_save(&d, blob, sizeof blob, &len), "save");
    }
    t_save = (now_ns() - t0) / (N / 100);
    t0 = now_ns();
    for (int i = 0; i < N / 100; i++) {
        check(mtr_display_load(&d, blob, len), "load");
    }
    t_load = (now_ns() - t0) / (N / 100);

    printf("{\"bench\": \"bench_display\", \"format_energy_ns\": %.1f, \"format_voltage_ns\": %.1f, "
           "\"format_other_ns\": %.1f, \"render_ns\": %.1f, \"poll_ns\": %.1f, \"save_ns\": %.0f, "
           "\"load_ns\": %.0f, \"ctx_bytes\": %zu, \"blob_bytes\": %zu}\n",
           t_energy, t_voltage, t_other, t_render, t_poll, t_save, t_load, mtr_display_ctx_size(),
           mtr_display_blob_size());
    return sink == 0xFFFFFFFFu;
}
