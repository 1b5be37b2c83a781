/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The virtual meter: libmeter on the sim HAL, metering a synthetic 3-phase
 * load (or a recorded one) at real or accelerated time, printing once per
 * simulated second what the core has seen.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "meter/meter.h"
#include "sim.h"

struct opts {
    double seconds; /* simulated seconds to run; 0: until a signal */
    double speed;   /* simulated seconds per real second; 0: as fast as possible */
    const char *nvm;
    const char *samples;
    int quiet;
};

/* Raw sums of the current second, per channel, from the ADC hand-over. */
struct second_stats {
    double sum_sq[MTR_ADC_CHANNELS];
    double sum_vi[3];
    uint64_t frames;
};

struct app {
    struct mtr_sim sim;
    struct mtr_meter meter;
    struct mtr_timer second;
    struct second_stats acc;
    double v_lsb_mv; /* millivolts per ADC code */
    double i_lsb_ma;
    uint32_t seconds_reported;
    int quiet;
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: virtual-meter [options]\n"
            "Runs libmeter on the simulated board, metering a synthetic 3-phase load\n"
            "(230 V, 5 A per phase, PF 0.9 lagging, 50 Hz, 4 kHz sampling by default)\n"
            "and prints once per simulated second what the core has seen.\n\n"
            "  -s, --seconds N   simulated seconds to run (default 10; 0 = until SIGINT/SIGTERM)\n"
            "  -x, --speed X     simulated seconds per real second (default 0 = as fast as possible;\n"
            "                    1 = real time)\n"
            "  -n, --nvm FILE    keep the simulated NVM in FILE (created if missing)\n"
            "  -p, --play FILE   play ADC samples from FILE (mtr-samples format) instead of\n"
            "                    the synthetic load\n"
            "  -q, --quiet       print the summary only\n"
            "  -h, --help        this text\n");
}

static int parse(int argc, char **argv, struct opts *o)
{
    static const struct option longs[] = {
        {"seconds", required_argument, NULL, 's'}, {"speed", required_argument, NULL, 'x'},
        {"nvm", required_argument, NULL, 'n'},     {"play", required_argument, NULL, 'p'},
        {"quiet", no_argument, NULL, 'q'},         {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    *o = (struct opts){.seconds = 10, .speed = 0};
    int c;
    while ((c = getopt_long(argc, argv, "s:x:n:p:qh", longs, NULL)) != -1) {
        char *end = NULL;
        switch (c) {
        case 's':
            o->seconds = strtod(optarg, &end);
            if (*end != '\0' || o->seconds < 0) {
                fprintf(stderr, "virtual-meter: --seconds wants a number >= 0, not '%s'\n", optarg);
                return 2;
            }
            break;
        case 'x':
            o->speed = strtod(optarg, &end);
            if (*end != '\0' || o->speed < 0) {
                fprintf(stderr, "virtual-meter: --speed wants a number >= 0, not '%s'\n", optarg);
                return 2;
            }
            break;
        case 'n':
            o->nvm = optarg;
            break;
        case 'p':
            o->samples = optarg;
            break;
        case 'q':
            o->quiet = 1;
            break;
        case 'h':
            usage(stdout);
            exit(0);
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "virtual-meter: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    return 0;
}

static void on_frames(struct mtr_meter *m, const int32_t *f, size_t n, void *user)
{
    (void)m;
    struct app *a = user;
    for (size_t i = 0; i < n; i++) {
        const int32_t *s = f + i * MTR_ADC_CHANNELS;
        for (int ch = 0; ch < MTR_ADC_CHANNELS; ch++) {
            a->acc.sum_sq[ch] += (double)s[ch] * s[ch];
        }
        for (int p = 0; p < 3; p++) {
            a->acc.sum_vi[p] += (double)s[MTR_ADC_V1 + p] * s[MTR_ADC_I1 + p];
        }
    }
    a->acc.frames += n;
}

static void format_utc(mtr_utc_t utc, char *buf, size_t len)
{
    time_t t = (time_t)utc;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void on_second(struct mtr_timer *t, void *arg)
{
    (void)t;
    struct app *a = arg;
    a->seconds_reported++;
    if (a->quiet || a->acc.frames == 0) {
        memset(&a->acc, 0, sizeof a->acc);
        return;
    }
    double n = (double)a->acc.frames;
    double v[3];
    double i[3];
    double p = 0;
    for (int ph = 0; ph < 3; ph++) {
        v[ph] = sqrt(a->acc.sum_sq[MTR_ADC_V1 + ph] / n) * a->v_lsb_mv / 1000.0;
        i[ph] = sqrt(a->acc.sum_sq[MTR_ADC_I1 + ph] / n) * a->i_lsb_ma / 1000.0;
        p += a->acc.sum_vi[ph] / n * a->v_lsb_mv * a->i_lsb_ma / 1e6;
    }
    mtr_utc_t utc = 0;
    char when[32] = "rtc-invalid";
    if (a->meter.hal.clock->rtc_get(a->meter.hal.ctx, &utc) == MTR_OK) {
        format_utc(utc, when, sizeof when);
    }
    struct mtr_meter_stats st;
    mtr_meter_stats(&a->meter, &st);
    printf("%s frames=%llu U=%.1f/%.1f/%.1f V I=%.2f/%.2f/%.2f A P=%.1f W events=%lu overruns=%lu\n",
           when, (unsigned long long)a->acc.frames, v[0], v[1], v[2], i[0], i[1], i[2], p,
           (unsigned long)st.events, (unsigned long)st.adc_overruns);
    fflush(stdout);
    memset(&a->acc, 0, sizeof a->acc);
}

static void sleep_real(double seconds)
{
    if (seconds <= 0) {
        return;
    }
    struct timespec ts = {.tv_sec = (time_t)seconds,
                          .tv_nsec = (long)((seconds - (double)(time_t)seconds) * 1e9)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR && !stop_requested) {
    }
}

static int setup(struct app *a, const struct opts *o)
{
    struct mtr_sim_config cfg;
    mtr_sim_default_config(&cfg);
    cfg.nvm_path = o->nvm;
    mtr_err_t rc = mtr_sim_init(&a->sim, &cfg);
    if (rc != MTR_OK) {
        fprintf(stderr, "virtual-meter: simulated board: %s\n", mtr_strerror(rc));
        return 1;
    }
    if (o->samples != NULL && (rc = mtr_sim_adc_play(&a->sim, o->samples)) != MTR_OK) {
        fprintf(stderr, "virtual-meter: %s: %s\n", o->samples, mtr_strerror(rc));
        return 1;
    }
    double codes = (double)((1L << (a->sim.cfg.adc.bits - 1)) - 1);
    a->v_lsb_mv = (double)cfg.adc.v_full_scale_mv / codes;
    a->i_lsb_ma = (double)cfg.adc.i_full_scale_ma / codes;
    struct mtr_hal hal;
    mtr_sim_hal(&a->sim, &hal);
    struct mtr_meter_config mc = {.on_frames = on_frames, .user = a};
    if ((rc = mtr_meter_init(&a->meter, &hal, &mc)) != MTR_OK) {
        fprintf(stderr, "virtual-meter: meter init: %s\n", mtr_strerror(rc));
        return 1;
    }
    mtr_timer_init(&a->second, on_second, a);
    mtr_timer_start(&a->meter, &a->second, 1000, 1000);
    a->quiet = o->quiet;
    return 0;
}

int main(int argc, char **argv)
{
    struct opts o;
    int rc = parse(argc, argv, &o);
    if (rc != 0) {
        return rc;
    }
    static struct app a;
    if (setup(&a, &o) != 0) {
        return 1;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    struct mtr_adc_info adc = {0};
    (void)mtr_meter_adc_info(&a.meter, &adc);
    printf("virtual-meter: libmeter %s, %u Hz %u-bit ADC, %s load, NVM %s\n", mtr_version(),
           (unsigned)adc.rate_hz, (unsigned)adc.bits,
           o.samples ? o.samples : "synthetic", o.nvm ? o.nvm : "in RAM");
    const uint32_t step_ms = 10; /* one DMA half-buffer of 40 frames at 4 kHz */
    uint64_t total_ms = 0;
    while (!stop_requested && (o.seconds == 0 || (double)total_ms < o.seconds * 1000.0)) {
        mtr_sim_advance(&a.sim, step_ms);
        total_ms += step_ms;
        mtr_post_adc_ready(&a.meter);
        uint32_t sleep_ms;
        if (mtr_poll(&a.meter, &sleep_ms) != MTR_OK) {
            fprintf(stderr, "virtual-meter: poll failed\n");
            break;
        }
        if (o.speed > 0) {
            sleep_real((double)step_ms / 1000.0 / o.speed);
        }
    }
    struct mtr_meter_stats st;
    mtr_meter_stats(&a.meter, &st);
    printf("virtual-meter: %s after %.1f simulated s: polls=%lu events=%lu frames=%llu "
           "overruns=%lu dropped=%lu timer_runs=%lu\n",
           stop_requested ? "stopped by signal" : "done", (double)total_ms / 1000.0,
           (unsigned long)st.polls, (unsigned long)st.events, (unsigned long long)st.adc_frames,
           (unsigned long)st.adc_overruns, (unsigned long)st.dropped, (unsigned long)st.timer_runs);
    mtr_sim_free(&a.sim);
    return 0;
}
