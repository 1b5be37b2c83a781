/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target for the disconnect engine's saved-state decoder
 * (mtr_disconnect_restore). Besides memory errors it checks what a restore
 * promises: a refused blob changes nothing and drives no relay; an accepted
 * blob drives each relay exactly once, leaves relay and state agreeing, and
 * saves back to the same bytes once its pending event is logged.
 *
 * Linked with fuzz/replay_main.c it becomes a plain program that runs the
 * files (or directories of files) named on its command line through the
 * target once, for replaying the corpus without libFuzzer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "meter/disconnect.h"
#include "sim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int cond)
{
    if (!cond)
        abort();
}

static int events;

static void on_event(void *user, const struct mtr_dc_event *ev)
{
    (void)user;
    require(ev->name != NULL && ev->code >= 59 && ev->code <= 69);
    events++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct mtr_sim sim;
    static struct mtr_disconnect dc, before;
    struct mtr_sim_config sc;
    struct mtr_hal hal;
    struct mtr_dc_config cfg;
    uint8_t out[MTR_DISCONNECT_BLOB_SIZE];
    uint32_t ops[MTR_CFG_DISCONNECT_CHANNELS];
    mtr_err_t err;

    memset(&cfg, 0, sizeof cfg);
    cfg.on_event = on_event;
    for (uint8_t ch = 0; ch < MTR_CFG_DISCONNECT_CHANNELS; ch++)
        cfg.relay[ch] = (uint8_t)(ch % 3u);
    cfg.mode = 1;
    cfg.feedback_ms = 200;
    cfg.debounce_ms = 50;
    cfg.limiter.normal_mw = 5000000;
    cfg.limiter.emergency_mw = 3000000;
    cfg.limiter.period_s = 60;
    cfg.limiter.penalty_s = 60;
    mtr_sim_default_config(&sc);
    sc.nvm_size = 4096;
    sc.nvm_sector_size = 4096;
    require(mtr_sim_init(&sim, &sc) == MTR_OK);
    mtr_sim_hal(&sim, &hal);
    require(mtr_disconnect_init(&dc, &cfg, &hal) == MTR_OK);
    before = dc;
    events = 0;
    for (uint8_t ch = 0; ch < 3; ch++)
        ops[ch] = mtr_sim_relay_ops(&sim, ch);
    err = mtr_disconnect_restore(&dc, data, size, 0);
    if (err != MTR_OK) {
        require(err == MTR_ERR_DISCONNECT_BLOB || err == MTR_ERR_DISCONNECT_BLOB_CRC ||
                err == MTR_ERR_DISCONNECT_VERSION);
        require(memcmp(&dc, &before, sizeof dc) == 0);
        require(events == 0);
        for (uint8_t ch = 0; ch < 3; ch++)
            require(mtr_sim_relay_ops(&sim, ch) == ops[ch]);
    } else {
        require(size == MTR_DISCONNECT_BLOB_SIZE);
        for (uint8_t ch = 0; ch < MTR_CFG_DISCONNECT_CHANNELS; ch++) {
            require(mtr_disconnect_state(&dc, ch) <= MTR_DC_READY);
            require(mtr_disconnect_mode(&dc, ch) <= MTR_DC_MODE_MAX);
            if (ch < 3)
                require(mtr_sim_relay(&sim, ch) == mtr_disconnect_output(&dc, ch) ||
                        cfg.relay[ch] != ch);
        }
        require(mtr_disconnect_save(&dc, out, sizeof out) == MTR_OK);
        if (events == 0)
            require(memcmp(out, data, size) == 0);
    }
    mtr_sim_free(&sim);
    return 0;
}
