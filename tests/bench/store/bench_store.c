/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Store benchmark on the sim HAL, default configuration: 256 KiB NOR flash,
 * 4 KiB sectors, write unit 1; energy registers (200 bytes) committed every
 * 15 min, LP1 entries every 15 min, LP2 entries hourly, 4 log events a day.
 * Prints, per partition, bytes written and erases per sector per simulated
 * day and the projected flash lifetime for 100k erase cycles; then the host
 * cost and the NVM bytes of a commit, an append and a read by index. The
 * last line is one JSON object.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "meter/store.h"
#include "sim.h"

#define DAYS      60u
#define ENDURANCE 100000u
#define SECTOR    4096u

enum { ENERGY = 1, LP1 = 2, LP2 = 3, LOG = 4 };

static const struct mtr_store_part_cfg table[] = {
    {.id = ENERGY, .kind = MTR_STORE_SNAPSHOT, .first_sector = 0, .sectors = 2, .record_size = 200},
    {.id = LP1, .kind = MTR_STORE_RING, .first_sector = 2, .sectors = 8, .record_size = 40},
    {.id = LP2, .kind = MTR_STORE_RING, .first_sector = 10, .sectors = 4, .record_size = 40},
    {.id = LOG, .kind = MTR_STORE_RING, .first_sector = 14, .sectors = 4, .record_size = 16},
};
#define NPARTS 4u

/* A HAL that counts the NVM bytes read, written and erased. */
static struct mtr_hal inner;
static uint64_t n_read, n_written, n_erased;

static mtr_err_t c_info(void *ctx, struct mtr_nvm_info *info)
{
    return inner.nvm->info(ctx, info);
}
static mtr_err_t c_read(void *ctx, uint32_t addr, void *buf, size_t len)
{
    n_read += len;
    return inner.nvm->read(ctx, addr, buf, len);
}
static mtr_err_t c_write(void *ctx, uint32_t addr, const void *buf, size_t len)
{
    n_written += len;
    return inner.nvm->write(ctx, addr, buf, len);
}
static mtr_err_t c_erase(void *ctx, uint32_t addr, size_t len)
{
    n_erased += len;
    return inner.nvm->erase(ctx, addr, len);
}
static const struct mtr_nvm_ops counting = {c_info, c_read, c_write, c_erase};

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void check(mtr_err_t rc, const char *what)
{
    if (rc != MTR_OK) {
        fprintf(stderr, "bench_store: %s: %s\n", what, mtr_strerror(rc));
        exit(1);
    }
}

struct part_fig {
    double bytes_day;
    double erases_sector_day;
    double years;
};

int main(void)
{
    struct mtr_sim sim;
    struct mtr_sim_config sc;
    mtr_sim_default_config(&sc);
    sc.adc_enabled = false;
    check(mtr_sim_init(&sim, &sc), "sim");
    mtr_sim_hal(&sim, &inner);
    struct mtr_hal hal = inner;
    hal.nvm = &counting;
    struct mtr_store st;
    struct mtr_store_part state[NPARTS];
    struct mtr_store_cfg cfg = {.parts = table, .state = state, .nparts = NPARTS};
    check(mtr_store_init(&st, &hal, &cfg), "init");

    uint8_t regs[200] = {0};
    uint8_t entry[40] = {0};
    uint8_t ev[16] = {0};
    for (uint32_t q = 0; q < DAYS * 96u; q++) {
        regs[q % 200u]++;
        entry[0] = (uint8_t)q;
        check(mtr_store_commit(&st, ENERGY, regs, sizeof regs), "commit");
        check(mtr_store_append(&st, LP1, entry, sizeof entry), "lp1");
        if (q % 4u == 3u) {
            check(mtr_store_append(&st, LP2, entry, sizeof entry), "lp2");
        }
        if (q % 24u == 5u) {
            check(mtr_store_append(&st, LOG, ev, sizeof ev), "log");
        }
    }
    struct part_fig fig[NPARTS];
    double worst_years = 1e18;
    printf("store, %u days, 256 KiB NOR, 4 KiB sectors, write unit 1, endurance %u cycles\n", DAYS,
           ENDURANCE);
    for (uint32_t p = 0; p < NPARTS; p++) {
        struct mtr_store_stats s;
        check(mtr_store_stats(&st, table[p].id, &s), "stats");
        uint32_t hi = 0;
        for (uint32_t k = 0; k < table[p].sectors; k++) {
            uint32_t e = mtr_sim_nvm_erases(&sim, table[p].first_sector + k);
            hi = e > hi ? e : hi;
        }
        /* Steady state: every sector is erased once per lap of the slots.
         * The measured figure leaves out the first erase of each sector. */
        double per_day = (double)s.records / DAYS / s.slots;
        double measured = hi > 1 ? (double)(hi - 1u) / DAYS : 0.0;
        fig[p].bytes_day = (double)s.bytes / DAYS;
        fig[p].erases_sector_day = per_day;
        fig[p].years = ENDURANCE / per_day / 365.25;
        worst_years = fig[p].years < worst_years ? fig[p].years : worst_years;
        printf("  partition %u: %u sectors, %u slots of %u B: %.0f B/day, %.4f erases/sector/day "
               "(measured %.4f), %.0f years\n",
               table[p].id, table[p].sectors, s.slots, s.slot_size, fig[p].bytes_day, per_day,
               measured, fig[p].years);
    }

    /* Cost per operation: host time and NVM bytes. */
    enum { N = 4000 };
    uint64_t r0 = n_read, w0 = n_written, e0 = n_erased;
    double t0 = now_ns();
    for (uint32_t i = 0; i < N; i++) {
        regs[0] = (uint8_t)i;
        check(mtr_store_commit(&st, ENERGY, regs, sizeof regs), "commit");
    }
    double commit_ns = (now_ns() - t0) / N;
    double commit_w = (double)(n_written - w0) / N;
    double commit_r = (double)(n_read - r0) / N;
    double commit_e = (double)(n_erased - e0) / N;
    r0 = n_read, w0 = n_written, e0 = n_erased;
    t0 = now_ns();
    for (uint32_t i = 0; i < N; i++) {
        check(mtr_store_append(&st, LP1, entry, sizeof entry), "append");
    }
    double append_ns = (now_ns() - t0) / N;
    double append_w = (double)(n_written - w0) / N;
    double append_r = (double)(n_read - r0) / N;
    double append_e = (double)(n_erased - e0) / N;
    uint32_t count;
    check(mtr_store_count(&st, LP1, &count), "count");
    r0 = n_read;
    t0 = now_ns();
    for (uint32_t i = 0; i < N; i++) {
        size_t len;
        check(mtr_store_read(&st, LP1, (i * 7919u) % count, entry, sizeof entry, &len, NULL),
              "read");
    }
    double read_ns = (now_ns() - t0) / N;
    double read_r = (double)(n_read - r0) / N;
    r0 = n_read;
    t0 = now_ns();
    check(mtr_store_init(&st, &hal, &cfg), "recover");
    double recover_ns = now_ns() - t0;
    double recover_r = (double)(n_read - r0);
    printf("  commit (200 B): %.0f ns, %.0f B written, %.0f B read, %.0f B erased\n", commit_ns,
           commit_w, commit_r, commit_e);
    printf("  append (40 B): %.0f ns, %.0f B written, %.0f B read, %.0f B erased\n", append_ns,
           append_w, append_r, append_e);
    printf("  read by index (40 B): %.0f ns, %.0f B read\n", read_ns, read_r);
    printf("  recovery of %u partitions: %.0f ns, %.0f B read\n", NPARTS, recover_ns, recover_r);
    printf("{\"bench\": \"bench_store\", \"days\": %u, \"endurance\": %u, "
           "\"energy_bytes_day\": %.0f, \"energy_erases_sector_day\": %.3f, "
           "\"energy_years\": %.0f, \"lp1_bytes_day\": %.0f, \"lp1_erases_sector_day\": %.3f, "
           "\"lp1_years\": %.0f, \"lp2_bytes_day\": %.0f, \"log_bytes_day\": %.0f, "
           "\"worst_years\": %.0f, \"commit_ns\": %.0f, \"commit_bytes_written\": %.0f, "
           "\"commit_bytes_read\": %.0f, \"append_ns\": %.0f, \"append_bytes_written\": %.0f, "
           "\"append_bytes_read\": %.0f, \"read_ns\": %.0f, \"read_bytes\": %.0f, "
           "\"recover_ns\": %.0f, \"recover_bytes_read\": %.0f}\n",
           DAYS, ENDURANCE, fig[0].bytes_day, fig[0].erases_sector_day, fig[0].years,
           fig[1].bytes_day, fig[1].erases_sector_day, fig[1].years, fig[2].bytes_day,
           fig[3].bytes_day, worst_years, commit_ns, commit_w, commit_r, append_ns, append_w,
           append_r, read_ns, read_r, recover_ns, recover_r);
    mtr_sim_free(&sim);
    return 0;
}
