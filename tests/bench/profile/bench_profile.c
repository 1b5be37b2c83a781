/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Profile benchmark on the sim HAL: load profile 1 of the seed (15-minute
 * period, 60 days = 5760 entries; clock, status and 8 values: A+, A-, R1..R4,
 * average load, signal quality) in a ring of 4 KiB NOR sectors, write unit 1.
 * 61 days are captured, so the ring has wrapped. Measures the host cost of a
 * capture and the NVM bytes it programs and erases, the recovery at start-up,
 * and a selective read of one day (96 entries) by range (binary search), by
 * entry and by range after the clock went back (linear scan). The last line
 * is one JSON object.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "meter/profile.h"
#include "meter/store.h"
#include "sim.h"
#define BENCH_NAME "bench_profile"
#include "../bench_check.h"
#include "../bench_nvm_count.h"

#define SECTOR   4096u
#define SECTORS  140u /* 42 slots of 96 B per sector: 139 * 42 = 5838 kept */
#define ENTRIES  5760u
#define DAY      96u
#define T0       ((mtr_utc_t)1700006400)
#define NVALUES  8u
#define REPEAT   50u

static const struct mtr_store_part_cfg table[] = {
    {.id = 1, .kind = MTR_STORE_RING, .first_sector = 0, .sectors = SECTORS,
     .record_size = 12 + 8 * NVALUES},
};

static const struct mtr_profile_column cols[] = {
    {.kind = MTR_PROFILE_COL_CLOCK, .class_id = 8, .obis = {0, 0, 1, 0, 0, 255}, .attr = 2},
    {.kind = MTR_PROFILE_COL_STATUS, .class_id = 1, .obis = {0, 0, 96, 10, 1, 255}, .attr = 2},
    {.kind = MTR_PROFILE_COL_VALUE, .class_id = 3, .obis = {1, 0, 1, 8, 0, 255}, .attr = 2},
    {.kind = MTR_PROFILE_COL_VALUE, .class_id = 3, .obis = {1, 0, 2, 8, 0, 255}, .attr = 2},
    {.kind = MTR_PROFILE_COL_VALUE, .class_id = 3, .obis = {1, 0, 5, 8, 0, 255}, .attr = 2},
    {.kind = MTR_PROFILE_COL_VALUE, .class_id = 3, .obis = {1, 0, 6, 8, 0, 255}, .attr = 2},
    {.kind = MTR_PROFILE_COL_VALUE, .class_id = 3, .obis = {1, 0, 7, 8, 0, 255}, .attr = 2},
    {.kind = MTR_PROFILE_COL_VALUE, .class_id = 3, .obis = {1, 0, 8, 8, 0, 255}, .attr = 2},
    {.kind = MTR_PROFILE_COL_VALUE, .class_id = 5, .obis = {1, 0, 1, 5, 0, 255}, .attr = 3},
    {.kind = MTR_PROFILE_COL_VALUE, .class_id = 3, .obis = {0, 0, 96, 12, 5, 255}, .attr = 2},
};

static const struct mtr_profile_config lp1 = {
    .obis = {0, 0, 99, 1, 0, 255},
    .part = 1,
    .capture_period_s = 900,
    .capacity = ENTRIES,
    .columns = cols,
    .ncolumns = 10,
};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static struct mtr_store st;
static struct mtr_store_part parts[1];
static struct mtr_profile prof;
static struct mtr_profile_entry entry;

/* Read a selection to its end; returns the entries read. */
static uint32_t read_sel(const struct mtr_profile_sel *sel)
{
    struct mtr_profile_cursor cur;
    uint32_t count = 0, got = 0;
    check(mtr_profile_select(&prof, sel, &cur, &count), "select");
    while (mtr_profile_next(&prof, sel, &cur, &entry) == MTR_OK) {
        got++;
    }
    if (got != count) {
        fprintf(stderr, "bench_profile: counted %u, read %u\n", count, got);
        exit(1);
    }
    return got;
}

/* ns per read of @sel, averaged over REPEAT reads; *n gets the entries. */
static uint64_t time_sel(const struct mtr_profile_sel *sel, uint32_t *n, uint64_t *bytes)
{
    uint64_t r0 = n_read;
    uint64_t t0 = now_ns();
    for (uint32_t i = 0; i < REPEAT; i++) {
        *n = read_sel(sel);
    }
    uint64_t dt = (now_ns() - t0) / REPEAT;
    *bytes = (n_read - r0) / REPEAT;
    return dt;
}

int main(void)
{
    struct mtr_sim sim;
    struct mtr_sim_config sc;
    mtr_sim_default_config(&sc);
    sc.nvm_size = SECTORS * SECTOR;
    sc.nvm_sector_size = SECTOR;
    sc.adc_enabled = false;
    check(mtr_sim_init(&sim, &sc), "sim");
    mtr_sim_hal(&sim, &inner);
    struct mtr_hal hal = inner;
    hal.nvm = &counting;
    struct mtr_store_cfg scfg = {.parts = table, .state = parts, .nparts = 1};
    check(mtr_store_init(&st, &hal, &scfg), "store init");
    check(mtr_profile_init(&prof, &st, &lp1), "profile init");

    /* 61 days of captures. */
    const uint32_t captures = ENTRIES + DAY;
    int64_t v[NVALUES];
    uint64_t w0 = n_written, e0 = n_erased;
    uint64_t t0 = now_ns();
    for (uint32_t i = 1; i <= captures; i++) {
        for (uint32_t k = 0; k < NVALUES; k++) {
            v[k] = (int64_t)i * 250000 + k;
        }
        check(mtr_profile_capture(&prof, T0 + (mtr_utc_t)i * 900, 0, v, NVALUES), "capture");
    }
    uint64_t capture_ns = (now_ns() - t0) / captures;
    uint64_t capture_w = (n_written - w0) / captures;
    uint64_t capture_e = (n_erased - e0) / captures;
    if (mtr_profile_entries_in_use(&prof) != ENTRIES) {
        fprintf(stderr, "bench_profile: %u entries in use\n", mtr_profile_entries_in_use(&prof));
        return 1;
    }

    /* Recovery at start-up. */
    uint64_t r0 = n_read;
    t0 = now_ns();
    check(mtr_store_init(&st, &hal, &scfg), "store init");
    check(mtr_profile_init(&prof, &st, &lp1), "profile init");
    uint64_t init_ns = now_ns() - t0;
    uint64_t init_r = n_read - r0;

    /* One day from the middle of the buffer. */
    const mtr_utc_t day0 = T0 + (mtr_utc_t)(DAY + 30 * DAY) * 900 + 900;
    struct mtr_profile_sel by_range = {.by = MTR_PROFILE_RANGE, .from = day0,
                                       .to = day0 + (mtr_utc_t)(DAY - 1) * 900};
    struct mtr_profile_sel by_entry = {.by = MTR_PROFILE_ENTRY, .from_entry = 30 * DAY + 1,
                                       .to_entry = 31 * DAY};
    uint32_t n_range = 0, n_entry = 0, n_linear = 0;
    uint64_t b_range = 0, b_entry = 0, b_linear = 0;
    uint64_t range_ns = time_sel(&by_range, &n_range, &b_range);
    uint64_t entry_ns = time_sel(&by_entry, &n_entry, &b_entry);
    /* The clock went back once: range reads fall back to a linear scan. */
    for (uint32_t k = 0; k < NVALUES; k++) {
        v[k] = 0;
    }
    check(mtr_profile_capture(&prof, T0 + 900, 0, v, NVALUES), "capture back");
    uint64_t linear_ns = time_sel(&by_range, &n_linear, &b_linear);
    if (n_range != DAY || n_entry != DAY || n_linear != DAY) {
        fprintf(stderr, "bench_profile: day read gave %u / %u / %u entries\n", n_range, n_entry,
                n_linear);
        return 1;
    }

    printf("profile LP1: %u entries of 8 values, 15 min, ring of %u x 4 KiB NOR sectors\n", ENTRIES,
           SECTORS);
    printf("  capture: %llu ns, %llu B programmed, %llu B erased (mean over %u)\n",
           (unsigned long long)capture_ns, (unsigned long long)capture_w,
           (unsigned long long)capture_e, captures);
    printf("  recovery at start-up: %llu ns, %llu B read\n", (unsigned long long)init_ns,
           (unsigned long long)init_r);
    printf("  one day by range: %llu ns (%llu ns/entry), %llu B read\n",
           (unsigned long long)range_ns, (unsigned long long)(range_ns / DAY),
           (unsigned long long)b_range);
    printf("  one day by entry: %llu ns (%llu ns/entry), %llu B read\n",
           (unsigned long long)entry_ns, (unsigned long long)(entry_ns / DAY),
           (unsigned long long)b_entry);
    printf("  one day by range, linear scan: %llu ns, %llu B read\n",
           (unsigned long long)linear_ns, (unsigned long long)b_linear);
    printf("{\"bench\": \"bench_profile\", \"entries\": %u, \"values\": %u, "
           "\"capture_ns\": %llu, \"capture_bytes_written\": %llu, "
           "\"capture_bytes_erased\": %llu, \"init_ns\": %llu, \"init_bytes_read\": %llu, "
           "\"day_range_ns\": %llu, \"day_range_ns_per_entry\": %llu, "
           "\"day_range_bytes_read\": %llu, \"day_entry_ns\": %llu, "
           "\"day_entry_ns_per_entry\": %llu, \"day_entry_bytes_read\": %llu, "
           "\"day_range_linear_ns\": %llu, \"day_range_linear_bytes_read\": %llu}\n",
           ENTRIES, NVALUES, (unsigned long long)capture_ns, (unsigned long long)capture_w,
           (unsigned long long)capture_e, (unsigned long long)init_ns,
           (unsigned long long)init_r, (unsigned long long)range_ns,
           (unsigned long long)(range_ns / DAY), (unsigned long long)b_range,
           (unsigned long long)entry_ns, (unsigned long long)(entry_ns / DAY),
           (unsigned long long)b_entry, (unsigned long long)linear_ns,
           (unsigned long long)b_linear);
    mtr_sim_free(&sim);
    return 0;
}
