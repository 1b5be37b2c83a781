/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target for the calibration blob decoder (mtr_metrology_cal_decode and
 * mtr_metrology_cal_load). Besides memory errors it checks that a rejected
 * blob leaves the engine's coefficients unchanged, and that an accepted one
 * re-encodes to the same bytes.
 *
 * Linked with fuzz/replay_main.c it becomes a plain program that runs the
 * files (or directories of files) named on its command line through the
 * target once, for replaying the corpus without libFuzzer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "meter/metrology.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int cond)
{
    if (!cond)
        abort();
}

static struct mtr_metrology metro;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mtr_metrology_config cfg;
    struct mtr_metrology_cal before, after, dec;
    uint8_t again[MTR_METROLOGY_CAL_BLOB_SIZE];

    mtr_metrology_config_default(&cfg);
    require(mtr_metrology_init(&metro, &cfg, NULL) == MTR_OK);
    mtr_metrology_cal_get(&metro, &before);
    mtr_err_t err = mtr_metrology_cal_decode(data, size, &dec);
    mtr_err_t lerr = mtr_metrology_cal_load(&metro, data, size);
    mtr_metrology_cal_get(&metro, &after);
    if (err != MTR_OK) {
        require(err == MTR_ERR_DECODE || err == MTR_ERR_CRC || err == MTR_ERR_RANGE ||
                err == MTR_ERR_METROLOGY_VERSION);
        require(lerr == err);
        require(memcmp(&before, &after, sizeof before) == 0);
        return 0;
    }
    require(size == MTR_METROLOGY_CAL_BLOB_SIZE);
    require(mtr_metrology_cal_encode(&dec, again, sizeof again) == MTR_OK);
    require(memcmp(again, data, size) == 0);
    if (lerr == MTR_OK) {
        require(memcmp(&dec, &after, sizeof dec) == 0);
    } else {
        require(memcmp(&before, &after, sizeof before) == 0);
    }
    return 0;
}
