/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target for the saved calendar (mtr_calendar_load) and the saved
 * clock settings (mtr_clock_load). The first input byte selects a mode:
 * bit 0 rewrites the trailing CRC-32 (at the length the blob declares) so
 * that the content checks behind it are reached; bit 1 feeds the clock
 * loader instead of the calendar loader. A rejected blob must leave the
 * context unchanged and the cursor where it was; an accepted one must pass
 * mtr_tou_check() and save back to the same bytes.
 *
 * Linked with fuzz/replay_main.c it becomes a plain program that runs the
 * files (or directories of files) named on its command line through the
 * target once, for replaying the corpus without libFuzzer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "meter/clock.h"
#include "meter/crc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int cond)
{
    if (!cond)
        abort();
}

static void fix_crc(uint8_t *b, size_t len)
{
    uint32_t crc = mtr_crc32(b, len - 4);
    b[len - 4] = (uint8_t)(crc >> 24);
    b[len - 3] = (uint8_t)(crc >> 16);
    b[len - 2] = (uint8_t)(crc >> 8);
    b[len - 1] = (uint8_t)crc;
}

static mtr_err_t rtc_get(void *ctx, mtr_utc_t *utc)
{
    (void)ctx;
    *utc = 1767225600; /* 2026-01-01T00:00:00Z */
    return MTR_OK;
}

static void calendar_case(uint8_t *buf, size_t n, int fix)
{
    static struct mtr_calendar cal, before;
    static uint8_t out[MTR_CALENDAR_STATE_MAX];
    const uint8_t *p = buf;
    size_t len;

    if (fix && n >= 8) {
        size_t declared = ((size_t)buf[4] << 8) | buf[5];
        if (declared >= 8 && declared <= n)
            fix_crc(buf, declared);
    }
    mtr_calendar_init(&cal, NULL);
    before = cal;
    if (mtr_calendar_load(&cal, &p, buf + n) != MTR_OK) {
        require(p == buf);
        require(memcmp(&cal, &before, sizeof cal) == 0);
        return;
    }
    require(mtr_calendar_active(&cal) == NULL || mtr_tou_check(mtr_calendar_active(&cal)) == MTR_OK);
    require(mtr_calendar_passive(&cal) == NULL ||
            mtr_tou_check(mtr_calendar_passive(&cal)) == MTR_OK);
    require(mtr_calendar_save(&cal, out, sizeof out, &len) == MTR_OK);
    if (buf[3] == MTR_CALENDAR_STATE_VERSION) {
        require(p == buf + len && memcmp(out, buf, len) == 0);
    } else {
        /* an older version saves as the current one, which loads to the same calendar */
        static struct mtr_calendar again;
        const uint8_t *q = out;
        mtr_calendar_init(&again, NULL);
        require(mtr_calendar_load(&again, &q, out + len) == MTR_OK && q == out + len);
        require(memcmp(&again, &cal, sizeof cal) == 0);
    }
}

static void clock_case(uint8_t *buf, size_t n, int fix)
{
    static const struct mtr_clock_ops ops = {.rtc_get = rtc_get};
    static struct mtr_hal hal = {.clock = &ops};
    static struct mtr_clock clk, before;
    const struct mtr_clock_config cc = {.time_zone = 0};
    uint8_t out[MTR_CLOCK_STATE_SIZE];
    const uint8_t *p = buf;
    size_t len;

    if (fix && n >= MTR_CLOCK_STATE_SIZE)
        fix_crc(buf, MTR_CLOCK_STATE_SIZE);
    require(mtr_clock_init(&clk, &hal, &cc) == MTR_OK);
    before = clk;
    if (mtr_clock_load(&clk, &p, buf + n) != MTR_OK) {
        require(p == buf);
        require(memcmp(&clk, &before, sizeof clk) == 0);
        return;
    }
    require(mtr_clock_save(&clk, out, sizeof out, &len) == MTR_OK);
    require(p == buf + len && memcmp(out, buf, len) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t buf[MTR_CALENDAR_STATE_MAX + 64];
    size_t n;

    if (size < 1)
        return 0;
    n = size - 1 < sizeof buf ? size - 1 : sizeof buf;
    memcpy(buf, data + 1, n);
    if (data[0] & 2u)
        clock_case(buf, n, data[0] & 1u);
    else
        calendar_case(buf, n, data[0] & 1u);
    return 0;
}
