/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target for the saved state of the tariff engine (mtr_tariff_load).
 * The first input byte selects a mode: odd values make the target rewrite
 * the trailing CRC-32 so that the content checks behind the CRC are reached.
 * Besides memory errors, it checks that a rejected state leaves the engine
 * unchanged and the cursor where it was, and that an accepted one keeps
 * every total equal to the sum of its tariff registers and saves back to
 * the same bytes.
 *
 * Linked with fuzz/replay_main.c it becomes a plain program that runs the
 * files (or directories of files) named on its command line through the
 * target once, for replaying the corpus without libFuzzer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "meter/crc.h"
#include "meter/tariff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int cond)
{
    if (!cond)
        abort();
}

static void fresh(struct mtr_tariff *t)
{
    struct mtr_tariff_config cfg = {.demand = {900, 1}, .billing = {.enabled = true, .day = 1}};
    struct mtr_clock_view v;
    struct mtr_tariff_sel sel = {.tariff = 1, .masks = {1, 1}};

    memset(&v, 0, sizeof v);
    v.utc = 1767225600; /* 2026-01-01T00:00:00Z */
    require(mtr_tariff_init(t, &cfg, &v, &sel) == MTR_OK);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t buf[MTR_TARIFF_STATE_SIZE + 64];
    static struct mtr_tariff t, before;
    const uint8_t *p;
    size_t n;
    mtr_err_t err;

    if (size < 1)
        return 0;
    n = size - 1 < sizeof buf ? size - 1 : sizeof buf;
    memcpy(buf, data + 1, n);
    /* a version 1 state (without the settings) is shorter */
    size_t whole = n > 3 && buf[3] == 1 ? MTR_TARIFF_STATE_V1_SIZE : MTR_TARIFF_STATE_SIZE;
    if ((data[0] & 1u) && n >= whole) {
        uint32_t crc = mtr_crc32(buf, whole - 4);
        buf[whole - 4] = (uint8_t)(crc >> 24);
        buf[whole - 3] = (uint8_t)(crc >> 16);
        buf[whole - 2] = (uint8_t)(crc >> 8);
        buf[whole - 1] = (uint8_t)crc;
    }
    fresh(&t);
    before = t;
    p = buf;
    err = mtr_tariff_load(&t, &p, buf + n);
    if (err != MTR_OK) {
        require(err == MTR_ERR_DECODE || err == MTR_ERR_CRC || err == MTR_ERR_CALENDAR_VERSION);
        require(p == buf);
        require(memcmp(&t, &before, sizeof t) == 0);
        return 0;
    }
    require(p == buf + whole);
    for (unsigned q = 0; q < MTR_Q_COUNT; q++) {
        int64_t sum = 0;
        for (unsigned k = 1; k <= MTR_CFG_TARIFFS; k++)
            sum += mtr_registers_tariff(mtr_tariff_registers(&t), q, k);
        require(sum == mtr_registers_total(mtr_tariff_registers(&t), q));
    }
    {
        uint8_t out[MTR_TARIFF_STATE_SIZE];
        size_t len;
        require(mtr_tariff_save(&t, out, sizeof out, &len) == MTR_OK);
        require(len == MTR_TARIFF_STATE_SIZE);
        if (whole == MTR_TARIFF_STATE_SIZE) {
            require(memcmp(out, buf, len) == 0);
        } else {
            /* saved again as version 2: the same fields, then the settings of fresh() */
            require(out[3] == MTR_TARIFF_STATE_VERSION && memcmp(out, buf, 3) == 0 &&
                    memcmp(out + 4, buf + 4, MTR_TARIFF_STATE_V1_SIZE - 8) == 0);
        }
    }
    return 0;
}
