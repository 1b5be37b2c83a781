/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target for the power-quality engine's saved-state loader
 * (mtr_quality_load). Besides memory and undefined-behaviour errors it
 * checks what a load promises: a refused blob changes nothing; an accepted
 * blob saves back to the same bytes, and the engine then runs (periods,
 * inputs, a power cut) with every event a known code and name. An input of
 * the blob's length is also tried with its CRC made right, so that the
 * checks of every field are reached.
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
#include "meter/hal.h"
#include "meter/quality.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int cond)
{
    if (!cond)
        abort();
}

static int events;

static void on_event(void *user, uint16_t code, const char *name, mtr_utc_t utc, int64_t value)
{
    (void)user;
    (void)value;
    require(name != NULL && name[0] != '\0' && utc >= 0);
    require((code >= 40 && code <= 45) || (code >= 76 && code <= 94) || code == 214 ||
            code == 215 || (code >= 228 && code <= 230) || code == 251);
    events++;
}

static void on_record(void *user, const struct mtr_quality_record *r)
{
    (void)user;
    require(r->kind <= MTR_QUALITY_MISSING && r->phase < MTR_QUALITY_PHASES);
    require(r->extreme_mv >= 0 && r->extreme_mv <= MTR_QUALITY_U_MAX_MV);
}

static void on_power_failure(void *user, mtr_utc_t start, mtr_utc_t end, uint64_t dur)
{
    (void)user;
    require(start >= 0 && end >= start && (uint64_t)(end - start) == dur);
}

static void one(const uint8_t *data, size_t size)
{
    static struct mtr_quality q, before;
    static struct mtr_quality_config cfg;
    uint8_t out[MTR_QUALITY_BLOB_SIZE];
    struct mtr_quality_input in;
    size_t len = 0;
    mtr_err_t err;

    memset(&cfg, 0, sizeof cfg);
    cfg.on_event = on_event;
    cfg.on_voltage_record = on_record;
    cfg.on_power_failure = on_power_failure;
    cfg.un_mv = 230000;
    cfg.phases = 3;
    mtr_quality_settings_default(&cfg.settings);
    require(mtr_quality_init(&q, &cfg) == MTR_OK);
    before = q;
    events = 0;
    err = mtr_quality_load(&q, data, size);
    if (err != MTR_OK) {
        require(err == MTR_ERR_QUALITY_BLOB || err == MTR_ERR_QUALITY_BLOB_CRC ||
                err == MTR_ERR_QUALITY_VERSION);
        require(memcmp(&q, &before, sizeof q) == 0);
        return;
    }
    require(size == MTR_QUALITY_BLOB_SIZE);
    require(mtr_quality_save(&q, out, sizeof out, &len) == MTR_OK);
    require(len == size && memcmp(out, data, size) == 0);
    require(events == 0);

    /* run the restored state: it must hold together */
    memset(&in, 0, sizeof in);
    for (int p = 0; p < MTR_QUALITY_PHASES; p++) {
        in.ph[p].u_mv = (mtr_mv_t)(data[p] * 1000u);
        in.ph[p].i_ma = (mtr_ma_t)(data[3 + p] * 100u);
        in.ph[p].p_mw = (int8_t)data[6 + p];
    }
    in.pf = (mtr_pf_t)(data[9] * 39);
    in.in_ua = data[10] * 100000u;
    in.in_measured = data[11] & 1;
    in.sequence = (int8_t)((data[12] % 3) - 1);
    in.period_ms = 60000;
    (void)mtr_quality_power_up(&q, 1700000000);
    for (int i = 0; i < 30; i++) {
        require(mtr_quality_step(&q, &in, 1700000000 + 600 * i) == MTR_OK);
        require(mtr_quality_inputs(&q, data[13 + i % 8], 1700000000 + 600 * i) == MTR_OK);
    }
    require(mtr_quality_power_down(&q, 1700020000) == MTR_OK);
    require(mtr_quality_power_up(&q, 1700030000) == MTR_OK);
    require(mtr_quality_save(&q, out, sizeof out, &len) == MTR_OK);
    require(mtr_quality_load(&q, out, len) == MTR_OK);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t fixed[MTR_QUALITY_BLOB_SIZE];

    one(data, size);
    if (size == MTR_QUALITY_BLOB_SIZE) {
        memcpy(fixed, data, size);
        mtr_put_be32(fixed + size - 4, mtr_crc32(fixed, size - 4));
        one(fixed, size);
    }
    return 0;
}
