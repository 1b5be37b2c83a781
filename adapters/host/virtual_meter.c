/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The virtual meter: libmeter on the sim HAL, metering a synthetic 3-phase
 * load (or a recorded one) at real or accelerated time with the engines
 * wired by the aggregate (metrology, clock, calendar, tariff registers,
 * store, disconnect). Prints once per simulated second what the ADC gave and
 * what metrology computed, and once per simulated minute the energy
 * registers per tariff. With --nvm FILE the registers survive a restart.
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

#include "meter/clock.h"
#include "meter/disconnect.h"
#include "meter/meter.h"
#include "meter/metrology.h"
#include "meter/store.h"
#include "meter/tariff.h"
#include "sim.h"

/* The engines are wired when the library holds them all (-DMTR_WITH_<ENGINE>
 * from libmeter_dep); otherwise the virtual meter runs the bare run model. */
#if defined(MTR_WITH_METROLOGY) && defined(MTR_WITH_CALENDAR) && defined(MTR_WITH_STORE) &&     \
    defined(MTR_WITH_DISCONNECT)
#define VM_ENGINES 1
#else
#define VM_ENGINES 0
#endif

enum { PART_ENERGY = 1, PART_CAL = 2, PART_DC = 3 };

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
    struct mtr_metrology metro;
    struct mtr_clock clk;
    struct mtr_calendar cal;
    struct mtr_tariff trf;
    struct mtr_store store;
    struct mtr_store_part parts[3];
    struct mtr_store_part_cfg table[3];
    struct mtr_store_cfg store_cfg;
    struct mtr_tariff_config tariff_cfg;
    struct mtr_disconnect dc;
    struct mtr_dc_config dc_cfg;
    struct mtr_meter_engines engines;
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

static void print_registers(struct app *a, const char *what)
{
#if !VM_ENGINES
    (void)a;
    printf("%s: no engines in this build\n", what);
    return;
#else
    const struct mtr_registers *reg = mtr_tariff_registers(&a->trf);
    printf("%s A+=%.3f kWh T1=%.3f T2=%.3f T3=%.3f kWh A-=%.3f kWh R+=%.3f kvarh billing=%lu\n",
           what, (double)mtr_registers_total(reg, MTR_Q_A_IMP) / 1e6,
           (double)mtr_registers_tariff(reg, MTR_Q_A_IMP, 1) / 1e6,
           (double)mtr_registers_tariff(reg, MTR_Q_A_IMP, 2) / 1e6,
           (double)mtr_registers_tariff(reg, MTR_Q_A_IMP, 3) / 1e6,
           (double)mtr_registers_total(reg, MTR_Q_A_EXP) / 1e6,
           (double)mtr_registers_total(reg, MTR_Q_R_IMP) / 1e6,
           (unsigned long)mtr_tariff_billing_count(&a->trf));
#endif
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
#if VM_ENGINES
    struct mtr_metrology_result r;
    if (mtr_metrology_result(&a->metro, &r) == MTR_OK) {
        printf("  metrology U=%.1f/%.1f/%.1f V I=%.2f/%.2f/%.2f A P=%.1f W Q=%.1f var "
               "S=%.1f VA PF=%.3f f=%.2f Hz\n",
               r.ph[0].u_mv / 1000.0, r.ph[1].u_mv / 1000.0, r.ph[2].u_mv / 1000.0,
               r.ph[0].i_ma / 1000.0, r.ph[1].i_ma / 1000.0, r.ph[2].i_ma / 1000.0,
               (double)r.p_mw / 1000.0, (double)r.q_mvar / 1000.0, (double)r.s_mva / 1000.0,
               r.pf / 10000.0, r.f_mhz / 1000.0);
    }
    if (a->seconds_reported % 60 == 0) {
        print_registers(a, "  registers");
    }
#endif
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

#if VM_ENGINES
/* NVM layout (256 KiB, 4 KiB sectors): registers, calibration, disconnect. */
static void wire_engines(struct app *a)
{
    a->table[0] = (struct mtr_store_part_cfg){PART_ENERGY, MTR_STORE_SNAPSHOT, 0, 4,
                                              (uint16_t)mtr_meter_energy_record_size()};
    a->table[1] = (struct mtr_store_part_cfg){PART_CAL, MTR_STORE_SNAPSHOT, 4, 2,
                                              MTR_METROLOGY_CAL_BLOB_SIZE};
    a->table[2] = (struct mtr_store_part_cfg){PART_DC, MTR_STORE_SNAPSHOT, 6, 2,
                                              (uint16_t)mtr_disconnect_blob_size()};
    a->store_cfg = (struct mtr_store_cfg){.parts = a->table, .state = a->parts, .nparts = 3};
    a->tariff_cfg = (struct mtr_tariff_config){.demand = {.period_s = 900, .periods = 1},
                                               .billing = {.enabled = true, .day = 1}};
    a->dc_cfg = (struct mtr_dc_config){
        .relay = {0, 1, 2}, .mode = 6, .feedback_ms = 1000, .debounce_ms = 50,
        .disconnect_hold_ms = 3000, .reconnect_hold_ms = 10000,
        .limiter = {.normal_mw = MTR_DC_LIMIT_MAX_MW, .emergency_mw = MTR_DC_LIMIT_MAX_MW,
                    .period_s = 60, .penalty_s = 60}};
    a->engines = (struct mtr_meter_engines){
        .metrology = &a->metro, .clock = &a->clk, .calendar = &a->cal, .tariff = &a->trf,
        .tariff_cfg = &a->tariff_cfg, .store = &a->store, .store_cfg = &a->store_cfg,
        .energy_part = PART_ENERGY, .cal_part = PART_CAL, .disconnect_part = PART_DC,
        .disconnect = &a->dc, .disconnect_cfg = &a->dc_cfg};
}

/* Every day: 00:00 T1, 06:00 T2, 18:00 T3 (UTC). */
static mtr_err_t program_calendar(struct app *a)
{
    static struct mtr_tou tou;
    memset(&tou, 0, sizeof tou);
    tou.n_days = 1;
    tou.day[0] = (struct mtr_tou_day){.id = 1, .n = 3,
                                      .sw = {{0, 0, 0, 1}, {6, 0, 0, 2}, {18, 0, 0, 3}}};
    tou.n_weeks = 1;
    tou.week[0] = (struct mtr_tou_week){.id = 1, .day = {1, 1, 1, 1, 1, 1, 1}};
    tou.n_seasons = 1;
    tou.season[0] = (struct mtr_tou_season){.month = 1, .day = 1, .week = 1};
    return mtr_calendar_set_active(&a->cal, &tou);
}
#endif

static int setup(struct app *a, const struct opts *o)
{
    struct mtr_sim_config cfg;
    mtr_sim_default_config(&cfg);
    cfg.utc_start = (mtr_utc_t)time(NULL); /* the RTC keeps time across runs */
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
    static struct mtr_meter_config mc;
    mc = (struct mtr_meter_config){.on_frames = on_frames, .user = a};
#if VM_ENGINES
    wire_engines(a);
    mc.engines = &a->engines;
#endif
    if ((rc = mtr_meter_init(&a->meter, &hal, &mc)) != MTR_OK) {
        fprintf(stderr, "virtual-meter: meter init: %s\n", mtr_strerror(rc));
        return 1;
    }
#if VM_ENGINES
    if ((rc = program_calendar(a)) != MTR_OK) {
        fprintf(stderr, "virtual-meter: calendar: %s\n", mtr_strerror(rc));
        return 1;
    }
#endif
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
    struct mtr_meter_wiring w;
    mtr_meter_wiring(&a.meter, &w);
    print_registers(&a, w.energy_restore == MTR_RESTORE_OK ? "virtual-meter: restored"
                                                            : "virtual-meter: new registers");
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
    /* supply going down: the meter flushes its registers to the store */
    mtr_post_power_fail(&a.meter);
    (void)mtr_poll(&a.meter, NULL);
    mtr_meter_wiring(&a.meter, &w);
    print_registers(&a, w.commit_errors == 0 ? "virtual-meter: saved" : "virtual-meter: NOT saved");
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
