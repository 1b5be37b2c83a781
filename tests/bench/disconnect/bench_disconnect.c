/* SPDX-License-Identifier: Apache-2.0 */
/* Costs of the disconnect engine on the host: limiter tick, transition with
 * persist, blob save and restore; RAM of the context and blob size. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "meter/disconnect.h"
#include "sim.h"
#include "../bench_time.h"

static volatile uint32_t sink;

static mtr_err_t persist(void *user, const uint8_t *blob, size_t len)
{
    (void)user;
    sink += blob[len - 1];
    return MTR_OK;
}

int main(void)
{
    static struct mtr_sim sim;
    static struct mtr_disconnect dc;
    static struct mtr_dc_config cfg;
    struct mtr_sim_config sc;
    struct mtr_hal hal;
    struct mtr_dc_input in = {0};
    uint8_t blob[MTR_DISCONNECT_BLOB_SIZE];
    const int ticks = 1000000, flips = 100000, codecs = 200000;
    double t0, tick_ns, flip_ns, save_ns, restore_ns;

    mtr_sim_default_config(&sc);
    if (mtr_sim_init(&sim, &sc) != MTR_OK)
        return 1;
    mtr_sim_hal(&sim, &hal);
    cfg.persist = persist;
    cfg.relay[1] = 1;
    cfg.relay[2] = 2;
    cfg.mode = 6;
    cfg.feedback_ms = 200;
    cfg.debounce_ms = 50;
    cfg.disconnect_hold_ms = 3000;
    cfg.reconnect_hold_ms = 10000;
    cfg.limiter = (struct mtr_dc_limiter){5000000, 3000000, 60, 60, 0, 0};
    if (mtr_disconnect_init(&dc, &cfg, &hal) != MTR_OK || mtr_disconnect_start(&dc, 0) != MTR_OK ||
        mtr_disconnect_apply(&dc, 0, MTR_DC_T_E, 0) != MTR_OK)
        return 1;

    in.monitored_mw = 4000000;
    t0 = now_ns();
    for (int i = 0; i < ticks; i++) {
        in.now_ms += 1000;
        in.now_utc += 1;
        (void)mtr_disconnect_tick(&dc, &in);
    }
    tick_ns = (now_ns() - t0) / ticks;

    t0 = now_ns();
    for (int i = 0; i < flips; i++) {
        (void)mtr_disconnect_apply(&dc, 0, (i & 1) ? MTR_DC_T_E : MTR_DC_T_F, in.now_ms);
    }
    flip_ns = (now_ns() - t0) / flips;

    t0 = now_ns();
    for (int i = 0; i < codecs; i++) {
        (void)mtr_disconnect_save(&dc, blob, sizeof blob);
        sink += blob[i % sizeof blob];
    }
    save_ns = (now_ns() - t0) / codecs;

    t0 = now_ns();
    for (int i = 0; i < codecs / 10; i++) {
        (void)mtr_disconnect_restore(&dc, blob, sizeof blob, in.now_ms);
    }
    restore_ns = (now_ns() - t0) / (codecs / 10);

    mtr_sim_free(&sim);
    printf("{\"bench\": \"bench_disconnect\", \"tick_ns\": %.1f, \"transition_ns\": %.1f, "
           "\"save_ns\": %.1f, \"restore_ns\": %.1f, \"ctx_bytes\": %zu, \"blob_bytes\": %zu}\n",
           tick_ns, flip_ns, save_ns, restore_ns, mtr_disconnect_ctx_size(),
           mtr_disconnect_blob_size());
    return 0;
}
