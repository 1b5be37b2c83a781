/* SPDX-License-Identifier: Apache-2.0 */
/* Costs of the core services on the host: CRCs, event queue, timers, poll. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "meter/crc.h"
#include "meter/meter.h"
#include "sim.h"
#include "bench_time.h"

static volatile uint32_t sink;

static double crc16_mb_s(const uint8_t *buf, size_t len, int reps)
{
    double t0 = now_ns();
    for (int i = 0; i < reps; i++) {
        sink += mtr_crc16_x25(buf, len);
    }
    return (double)len * reps / ((now_ns() - t0) / 1e9) / 1e6;
}

static double crc32_mb_s(const uint8_t *buf, size_t len, int reps)
{
    double t0 = now_ns();
    for (int i = 0; i < reps; i++) {
        sink += mtr_crc32(buf, len);
    }
    return (double)len * reps / ((now_ns() - t0) / 1e9) / 1e6;
}

static double evq_ns(int reps)
{
    static struct mtr_evq q;
    mtr_evq_init(&q);
    struct mtr_event ev = {.type = MTR_EV_USER};
    struct mtr_event out;
    double t0 = now_ns();
    for (int i = 0; i < reps; i++) {
        ev.arg = (uint32_t)i;
        mtr_evq_post(&q, NULL, &ev);
        mtr_evq_get(&q, &out);
        sink += out.arg;
    }
    return (now_ns() - t0) / reps;
}

static void tick(struct mtr_timer *t, void *arg)
{
    (void)t;
    (void)arg;
    sink++;
}

static double timers_ns(int reps)
{
    struct mtr_timers list = {0};
    struct mtr_timer t[16];
    for (int i = 0; i < 16; i++) {
        mtr_timer_init(&t[i], tick, NULL);
        mtr_timers_start(&list, &t[i], 0, (uint32_t)(i + 1), (uint32_t)(i + 1));
    }
    double t0 = now_ns();
    for (int i = 1; i <= reps; i++) {
        mtr_timers_run(&list, (mtr_ms_t)i);
    }
    return (now_ns() - t0) / reps;
}

static double poll_idle_ns(int reps)
{
    struct mtr_sim_config cfg;
    mtr_sim_default_config(&cfg);
    cfg.adc_enabled = false;
    static struct mtr_sim sim;
    mtr_sim_init(&sim, &cfg);
    struct mtr_hal hal;
    mtr_sim_hal(&sim, &hal);
    static struct mtr_meter m;
    mtr_meter_init(&m, &hal, NULL);
    double t0 = now_ns();
    for (int i = 0; i < reps; i++) {
        mtr_post(&m, MTR_EV_USER, 0, (uint32_t)i);
        mtr_poll(&m, NULL);
    }
    double ns = (now_ns() - t0) / reps;
    mtr_sim_free(&sim);
    return ns;
}

int main(void)
{
    static uint8_t buf[4096];
    for (size_t i = 0; i < sizeof buf; i++) {
        buf[i] = (uint8_t)(i * 131u + 7u);
    }
    double c16 = crc16_mb_s(buf, sizeof buf, 4000);
    double c32 = crc32_mb_s(buf, sizeof buf, 4000);
    double q = evq_ns(2000000);
    double tm = timers_ns(200000);
    double p = poll_idle_ns(1000000);
    printf("CRC-16/X-25 %.0f MB/s, CRC-32 %.0f MB/s, event post+get %.1f ns, "
           "16 timers run per ms %.1f ns, poll with one event %.1f ns\n",
           c16, c32, q, tm, p);
    printf("{\"bench\": \"bench_core\", \"crc16_x25_mb_s\": %.1f, \"crc32_mb_s\": %.1f, "
           "\"evq_post_get_ns\": %.2f, \"timers16_run_ns\": %.2f, \"poll_one_event_ns\": %.2f}\n",
           c16, c32, q, tm, p);
    return 0;
}
