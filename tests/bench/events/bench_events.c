/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Events engine benchmark on the sim HAL, default NVM (256 KiB NOR flash,
 * 4 KiB sectors, write unit 1), the nine logs at the seed's capacity of 500
 * entries each and a 4-sector state partition. Prints the host time and the
 * NVM bytes of a raise into one log and into all logs (event 255), of a
 * register write, of an init with full logs; the RAM of the contexts; and
 * the state partition's lifetime at 50 events a day for 100k erase cycles.
 * The last line is one JSON object.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "meter/events.h"
#include "meter/store.h"
#include "sim.h"
#define BENCH_NAME "bench_events"
#include "../bench_check.h"
#include "../bench_nvm_count.h"
#include "../bench_time.h"

#define SECTOR         4096u
#define ENDURANCE      100000u
#define EVENTS_PER_DAY 50u
#define N              5000u

static struct mtr_sim sim;
static struct mtr_hal hal;
static struct mtr_store st;
static struct mtr_store_part parts[1 + MTR_EVLOG_COUNT];
static struct mtr_store_part_cfg table[1 + MTR_EVLOG_COUNT];
static struct mtr_profile_config pcfg[MTR_EVLOG_COUNT];
static struct mtr_profile prof[MTR_EVLOG_COUNT];
static struct mtr_events ev;

static void boot(void)
{
    struct mtr_store_cfg sc = {.parts = table, .state = parts, .nparts = 1 + MTR_EVLOG_COUNT};
    check(mtr_store_init(&st, &hal, &sc), "store init");
    struct mtr_events_config c;
    memset(&c, 0, sizeof c);
    c.store = &st;
    c.state_part = 1;
    for (uint8_t l = 0; l < MTR_EVLOG_COUNT; l++) {
        c.log[l] = &prof[l];
        c.log_cfg[l] = &pcfg[l];
    }
    check(mtr_events_init(&ev, &c), "events init");
}

struct fig {
    double ns, written, read, erased;
};

static void reset_counts(void)
{
    n_read = n_written = n_erased = 0;
}

static struct fig per_op(double t0, uint32_t n)
{
    struct fig f = {(now_ns() - t0) / n, (double)n_written / n, (double)n_read / n,
                    (double)n_erased / n};
    return f;
}

int main(void)
{
    struct mtr_sim_config sc;
    mtr_sim_default_config(&sc);
    sc.adc_enabled = false;
    check(mtr_sim_init(&sim, &sc), "sim");
    mtr_sim_hal(&sim, &inner);
    hal = inner;
    hal.nvm = &counting;

    /* state: 4 sectors; each log the sectors that keep 500 entries */
    table[0] = (struct mtr_store_part_cfg){.id = 1,
                                           .kind = MTR_STORE_SNAPSHOT,
                                           .first_sector = 0,
                                           .sectors = 4,
                                           .record_size = MTR_EVENTS_BLOB_SIZE};
    uint32_t sector = 4;
    for (uint8_t l = 0; l < MTR_EVLOG_COUNT; l++) {
        uint32_t rs = mtr_events_log_record_size(l);
        uint32_t per = SECTOR / mtr_store_slot_size(rs, 1);
        uint32_t secs = (MTR_EVENTS_SEED_CAPACITY + per - 1) / per + 1;
        table[1 + l] = (struct mtr_store_part_cfg){.id = (uint16_t)(10 + l),
                                                   .kind = MTR_STORE_RING,
                                                   .first_sector = sector,
                                                   .sectors = secs,
                                                   .record_size = (uint16_t)rs};
        sector += secs;
        check(mtr_events_log_default(l, (uint16_t)(10 + l), MTR_EVENTS_SEED_CAPACITY, &pcfg[l]),
              "log config");
    }
    if (sector * SECTOR > sc.nvm_size) {
        fprintf(stderr, "bench_events: layout needs %u sectors\n", sector);
        return 1;
    }
    boot();

    mtr_utc_t t = 1767225600;
    /* one log: event 3, the standard log */
    reset_counts();
    double t0 = now_ns();
    for (uint32_t i = 0; i < N; i++) {
        check(mtr_events_raise(&ev, 3, NULL, t++, 0), "raise 3");
    }
    struct fig one = per_op(t0, N);
    /* every log: event 255 */
    reset_counts();
    t0 = now_ns();
    for (uint32_t i = 0; i < N / 5; i++) {
        check(mtr_events_raise(&ev, 255, NULL, t++, 0), "raise 255");
    }
    struct fig all = per_op(t0, N / 5);
    /* a register write that commits the state only */
    reset_counts();
    t0 = now_ns();
    for (uint32_t i = 0; i < N; i++) {
        check(mtr_events_filter_write(&ev, 1, (i & 1) ? MTR_EVENTS_ALARM1_VALID : 0), "filter");
    }
    struct fig reg = per_op(t0, N);
    /* init with every log full */
    reset_counts();
    t0 = now_ns();
    boot();
    struct fig init = per_op(t0, 1);
    if (mtr_events_restored(&ev, NULL) != MTR_EVENTS_RESTORED ||
        mtr_profile_entries_in_use(mtr_events_log(&ev, 0)) != MTR_EVENTS_SEED_CAPACITY) {
        fprintf(stderr, "bench_events: restart lost the state\n");
        return 1;
    }
    struct mtr_store_stats ss;
    check(mtr_store_stats(&st, 1, &ss), "stats");
    /* state partition: every event commits once; erases per sector per day */
    double slots = ss.slots;
    double erases_day = (double)EVENTS_PER_DAY / slots;
    double years = ENDURANCE / erases_day / 365.25;
    size_t ram = sizeof(struct mtr_events) + MTR_EVLOG_COUNT * sizeof(struct mtr_profile);

    printf("raise, 1 log:   %8.0f ns  written %6.0f B  read %6.0f B  erased %6.0f B\n", one.ns,
           one.written, one.read, one.erased);
    printf("raise, 9 logs:  %8.0f ns  written %6.0f B  read %6.0f B  erased %6.0f B\n", all.ns,
           all.written, all.read, all.erased);
    printf("filter write:   %8.0f ns  written %6.0f B  read %6.0f B  erased %6.0f B\n", reg.ns,
           reg.written, reg.read, reg.erased);
    printf("init (full):    %8.0f ns  read %.0f B\n", init.ns, init.read);
    printf("RAM: struct mtr_events %zu B, struct mtr_profile %zu B x %u\n",
           sizeof(struct mtr_events), sizeof(struct mtr_profile), MTR_EVLOG_COUNT);
    printf("state partition: %u slots in 4 sectors, %.2f erases/sector/day at %u events/day, "
           "%.0f years\n",
           ss.slots, erases_day, EVENTS_PER_DAY, years);
    printf(
        "{\"bench\": \"bench_events\", \"raise_ns\": %.0f, \"raise_bytes_written\": %.0f, "
        "\"raise_bytes_read\": %.0f, \"raise_bytes_erased\": %.0f, \"raise_all_ns\": %.0f, "
        "\"raise_all_bytes_written\": %.0f, \"register_write_ns\": %.0f, "
        "\"register_write_bytes\": %.0f, \"init_full_ns\": %.0f, \"init_full_bytes_read\": %.0f, "
        "\"ram_events\": %zu, \"ram_with_profiles\": %zu, \"state_slots\": %u, "
        "\"state_years_50_per_day\": %.0f}\n",
        one.ns, one.written, one.read, one.erased, all.ns, all.written, reg.ns, reg.written,
        init.ns, init.read, sizeof(struct mtr_events), ram, ss.slots, years);
    mtr_sim_free(&sim);
    return 0;
}
