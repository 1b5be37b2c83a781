/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target for the disconnect engine's saved-state decoder
 * (mtr_disconnect_restore). Besides memory errors it checks what a restore
 * promises: a refused blob changes nothing and drives no relay; an accepted
 * blob drives each relay exactly once, leaves relay and state agreeing, and
 * saves back to the same bytes once its pending event is logged.
 *
 * Built with -DMTR_FUZZ_REPLAY_MAIN it becomes a plain program that runs the
 * files (or directories of files) named on its command line through the
 * target once, for replaying the corpus without libFuzzer.
 */
#ifdef MTR_FUZZ_REPLAY_MAIN
#define _POSIX_C_SOURCE 200809L
#endif

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

#ifdef MTR_FUZZ_REPLAY_MAIN
#include <dirent.h>
#include <stdio.h>

/* Run one file through the target; 0 on success. */
static int replay_file(const char *path)
{
    size_t len = 0;
    uint8_t *buf = NULL;
    int failed = 0;
    FILE *f = fopen(path, "rb");

    if (f == NULL)
        return 1;
    for (;;) {
        uint8_t *p = realloc(buf, len + 4096);
        size_t got;

        if (p == NULL) {
            failed = 1;
            break;
        }
        buf = p;
        got = fread(buf + len, 1, 4096, f);
        len += got;
        if (got < 4096) {
            failed = ferror(f) != 0;
            break;
        }
    }
    fclose(f);
    if (!failed)
        LLVMFuzzerTestOneInput(buf, len);
    free(buf);
    return failed;
}

/* Run a file, or every entry of a directory. */
static int replay_path(const char *path)
{
    char child[4096];
    struct dirent *e;
    int failed = 0;
    DIR *d = opendir(path);

    if (d == NULL)
        return replay_file(path);
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (snprintf(child, sizeof child, "%s/%s", path, e->d_name) >= (int)sizeof child)
            failed = 1;
        else
            failed |= replay_file(child);
    }
    closedir(d);
    return failed;
}

int main(int argc, char **argv)
{
    int failed = 0;

    for (int k = 1; k < argc; k++) {
        if (replay_path(argv[k]) != 0) {
            fprintf(stderr, "cannot replay %s\n", argv[k]);
            failed = 1;
        }
    }
    return failed;
}
#endif
