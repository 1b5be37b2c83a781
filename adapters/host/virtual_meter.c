/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The virtual meter: libmeter on the sim HAL, metering a synthetic 3-phase
 * load (or a recorded one) at real or accelerated time with every engine
 * wired by the aggregate (metrology, clock, calendar, tariff registers,
 * store, disconnect, prepaid with STS, and profiles when the library has
 * them), and serving the COSEM object table over DLMS: the TCP wrapper
 * (IEC 62056-47, several clients at once) and HDLC (IEC 62056-46) on a
 * pseudo-terminal. With --nvm FILE the whole state survives a restart.
 * Firmware images go through the image transfer engine to an image store in
 * a file (docs/firmware-update.md, "The virtual meter").
 * docs/virtual-meter.md describes the options, the configuration file and
 * the log.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "meter/bytes.h"
#include "meter/clock.h"
#include "meter/disconnect.h"
#include "meter/meter.h"
#include "meter/metrology.h"
#include "meter/store.h"
#include "meter/tariff.h"
#include "sim.h"
#include "vm_config.h"

#if defined(MTR_WITH_DLMS)
#include "meter/dlms.h"
#endif
#if defined(MTR_WITH_COSEM)
#include "meter/cosem.h"
#endif
#if defined(MTR_WITH_PREPAID) && defined(MTR_WITH_STS)
#include "meter/prepaid.h"
#include "meter/sts.h"
#define VM_PREPAID 1
#else
#define VM_PREPAID 0
#endif
#if defined(MTR_WITH_PROFILE)
#include "meter/profile.h"
#define VM_PROFILES 1
#else
#define VM_PROFILES 0
#endif
#if defined(MTR_WITH_EVENTS) && defined(MTR_WITH_PROFILE)
#include "meter/events.h"
#define VM_EVENTS 1
#else
#define VM_EVENTS 0
#endif
#if defined(MTR_WITH_QUALITY)
#include "meter/quality.h"
#define VM_QUALITY 1
#else
#define VM_QUALITY 0
#endif
#if defined(MTR_WITH_DISPLAY)
#include "meter/display.h"
#define VM_DISPLAY 1
#else
#define VM_DISPLAY 0
#endif

/* The engines are wired when the library holds them all (-DMTR_WITH_<ENGINE>
 * from libmeter_dep); otherwise the virtual meter runs the bare run model. */
#if defined(MTR_WITH_METROLOGY) && defined(MTR_WITH_CALENDAR) && defined(MTR_WITH_STORE) &&     \
    defined(MTR_WITH_DISCONNECT)
#define VM_ENGINES 1
#else
#define VM_ENGINES 0
#endif
/* DLMS is served when the object table is built. */
#if VM_ENGINES && defined(MTR_WITH_DLMS) && defined(MTR_WITH_COSEM)
#define VM_DLMS 1
#else
#define VM_DLMS 0
#endif

/* NVM: 2 MiB of 4 KiB sectors (room for 60 days of 15-minute load profile). */
#define VM_NVM_SIZE (2u * 1024u * 1024u)
#define VM_SECTOR 4096u

enum {
    PART_ENERGY = 1,
    PART_CAL = 2,
    PART_DC = 3,
    PART_PP = 4,
    PART_CALENDAR = 5,
    PART_HOST = 6,
    PART_SETTINGS = 7,
    PART_EVENTS = 8,
    PART_QUALITY = 9,
    PART_LP1 = 10,
    PART_BILLING = 11,
    PART_FIRMWARE = 12, /* the firmware the meter runs (after an image activation) */
    PART_DISPLAY = 13,  /* display settings and readout sequences */
    PART_LOG0 = 20, /* + mtr_events_log index */
    NPARTS_MAX = 32,
};

/* Settings written over DLMS (push setups, schedulers, passwords): one record. */
#define VM_SETTINGS_RECORD 3000u
#define VM_SETTINGS_MAGIC 0x564D5332u /* "VMS2" */
/* Capacity of each event log (seed ST402 section 5.4: 500 entries). */
#define VM_LOG_ENTRIES 500u
#define VM_PUSH_OBJECTS 8
#define VM_PUSH_DEST 64
#define VM_PUSH_WINDOWS 2
#define VM_SCHED_TIMES 4

/* The calendar record: far below the build's maximum for a real calendar
 * (docs/calendar.md); one record must fit a 4 KiB sector. */
#define VM_CALENDAR_RECORD 3800u
/* Host record: clock offset and the DLMS invocation counters. */
#define VM_HOST_RECORD 128u
#define VM_HOST_MAGIC 0x564D4831u /* "VMH1" */

#define VM_MAX_CONN 64
#define VM_BLK_CAP 8192u

/* Firmware record: which image was activated last, and image_transfer_enabled. */
#define VM_FW_RECORD 128u
#define VM_FW_MAGIC 0x564D4631u /* "VMF1" */
#define VM_FW_ID_MAX 64u        /* MTR_IMAGE_ID_MAX: an identifier becomes the version */
#define VM_PATH_MAX 4096

struct opts {
    double seconds; /* simulated seconds to run; 0: until a signal */
    double speed;   /* simulated seconds per real second; 0: as fast as possible */
    const char *nvm;
    const char *samples;
    const char *config;
    const char *start; /* initial clock of a new meter */
    int port;          /* -2: from the configuration */
    bool port_given;
    bool pty;
    unsigned adc_rate;
    bool adc_rate_given;
    bool fast; /* 1 kHz ADC and 2 s metrology periods: for long accelerated runs */
    bool no_load; /* no ADC at all: the clock, calendar and profiles run, energy does not */
    const char *image_dir; /* image store directory (default: next to the NVM file) */
    int quiet; /* 1: no per-second lines; 2: banner and summary only */
};

/* Raw sums of the current second, per channel, from the ADC hand-over. */
struct second_stats {
    double sum_sq[MTR_ADC_CHANNELS];
    double sum_vi[3];
    uint64_t frames;
};

#if VM_DLMS
struct conn {
    int fd; /* -1: free */
    unsigned id;
    char peer[64];
    struct mtr_dlms_server_cfg cfg;
    struct mtr_dlms_server srv;
    struct mtr_dlms_wrapper_rx rx;
    uint8_t rxbuf[MTR_CFG_DLMS_MAX_APDU];
    uint8_t blk[VM_BLK_CAP];
    uint64_t last_ms;
    uint32_t auth_seen;
    uint8_t state;
};

struct hdlc_port {
    int master, slave;
    char path[128];
    struct mtr_dlms_hdlc_link link;
    struct mtr_dlms_server_cfg cfg;
    struct mtr_dlms_server srv;
    uint8_t rx_apdu[MTR_CFG_DLMS_MAX_APDU];
    uint8_t tx_apdu[MTR_CFG_DLMS_MAX_APDU + 3 + 16];
    uint8_t blk[VM_BLK_CAP];
    uint32_t auth_seen;
    uint8_t state;
    uint8_t link_state;
    bool active;
};
#endif

struct app {
    struct vm_config conf;
    struct mtr_sim sim;
    struct mtr_hal hal;
    struct mtr_meter meter;
    struct mtr_metrology metro;
    struct mtr_metrology_config metro_cfg;
    struct mtr_clock clk;
    struct mtr_clock_config clock_cfg;
    struct mtr_calendar cal;
    struct mtr_tariff trf;
    struct mtr_store store;
    struct mtr_store_part parts[NPARTS_MAX];
    struct mtr_store_part_cfg table[NPARTS_MAX];
    uint16_t nparts;
    struct mtr_store_cfg store_cfg;
    struct mtr_tariff_config tariff_cfg;
    struct mtr_disconnect dc;
    struct mtr_dc_config dc_cfg;
    uint8_t calendar_buf[VM_CALENDAR_RECORD];
#if VM_PREPAID
    struct mtr_prepaid pp;
    struct mtr_prepaid_config pp_cfg;
    struct mtr_sts sts;
    struct mtr_sts_cipher sts_cipher;
#endif
#if VM_PROFILES
    struct mtr_profile lp1, billing;
    struct mtr_profile *profiles[2];
    const struct mtr_profile_config *profile_cfgs[2];
#endif
#if VM_EVENTS
    struct mtr_events events;
    struct mtr_events_config events_cfg;
    struct mtr_profile logs[MTR_EVLOG_COUNT];
    struct mtr_profile_config log_cfg[MTR_EVLOG_COUNT];
#endif
#if VM_QUALITY
    struct mtr_quality quality;
    struct mtr_quality_config quality_cfg;
    uint8_t quality_buf[MTR_QUALITY_BLOB_SIZE];
#endif
#if VM_DISPLAY
    struct mtr_display display;
    struct mtr_display_config display_cfg;
    uint8_t display_buf[MTR_DISPLAY_BLOB_SIZE];
    char lcd[2 * MTR_DISPLAY_CODE_SIZE + MTR_DISPLAY_TEXT_SIZE]; /* last screen logged */
#endif
    struct mtr_meter_engines engines;
    struct mtr_meter_config mc;
    struct mtr_timer second;
    struct second_stats acc;
    double v_lsb_mv; /* millivolts per ADC code */
    double i_lsb_ma;
    uint32_t seconds_reported;
    int quiet;
    bool host_restored;
    int64_t last_hour;
    int64_t clock_offset; /* meter UTC - real UTC at the last save */
#if VM_DLMS
    struct mtr_dlms_security sec;
    bool has_crypto;
    struct mtr_dlms_assoc_cfg assocs[VM_MAX_CLIENTS];
    struct mtr_cosem cosem;
    struct mtr_cosem_config cosem_cfg;
    struct mtr_cosem_tcp tcp;
    struct mtr_cosem_hdlc hdlc_setup;
    struct mtr_cosem_local_port local_port;
    struct mtr_cosem_push_setup push[MTR_COSEM_PUSHES];
    struct mtr_cosem_capture push_objects[MTR_COSEM_PUSHES][VM_PUSH_OBJECTS];
    uint8_t push_dest[MTR_COSEM_PUSHES][VM_PUSH_DEST];
    uint8_t push_windows[MTR_COSEM_PUSHES][VM_PUSH_WINDOWS][24];
    struct mtr_cosem_schedule schedule[MTR_COSEM_SCHEDULERS];
    uint8_t sched_times[MTR_COSEM_SCHEDULERS][VM_SCHED_TIMES][9];
    uint8_t push_buf[4096];
    uint8_t fw_signature[16]; /* 1-0:0.2.8.255: SHA-256 of the running image, first 16 bytes */
    uint8_t fw_version[VM_FW_ID_MAX]; /* 1-0:0.2.0.255 and 1-1:0.2.0.255 */
    uint8_t fw_version_len;
    uint32_t fw_size;       /* bytes of the activated image (0: the built-in firmware) */
    int64_t fw_activated;   /* UTC of its activation */
    bool image_disabled;    /* image_transfer_enabled written false (kept in the record) */
    bool fw_changed;        /* activation: the object table takes the new identifiers */
    bool image_ready;
    struct mtr_image image;
    struct mtr_image_config image_cfg;
    uint8_t *image_bitmap;
    int bank_fd; /* the image store (a second flash bank of a real meter) */
    char bank_path[VM_PATH_MAX];   /* "" when the bank is an unlinked temporary file */
    char active_path[VM_PATH_MAX]; /* copy of the image activated last ("": none kept) */
    bool cosem_ready;
    const struct mtr_dlms_obj *objects;
    uint16_t nobjects;
    int listen_fd;
    uint16_t bound_port;
    struct conn *conns;
    unsigned nconns;
    unsigned next_id;
    struct hdlc_port hdlc;
    /* 16 bytes of room over the largest APDU: a ciphered block of a client whose
     * PDU size is the largest APDU must not meet the end of the buffer */
    uint8_t out[MTR_DLMS_WRAPPER_HEADER + MTR_CFG_DLMS_MAX_APDU + 16];
#endif
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

/* ------------------------------------------------------------------ log */

static struct app *g_app;

static void format_utc(mtr_utc_t utc, char *buf, size_t len)
{
    time_t t = (time_t)utc;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* One log line: "<meter time> <what>: <message>". */
static void vm_log(const char *what, const char *fmt, ...)
{
    if (g_app != NULL && g_app->quiet >= 2) {
        return;
    }
    char when[32] = "-";
    mtr_utc_t utc;
    if (g_app != NULL && g_app->hal.clock != NULL &&
        g_app->hal.clock->rtc_get(g_app->hal.ctx, &utc) == MTR_OK) {
        format_utc(utc, when, sizeof when);
    }
    va_list ap;
    va_start(ap, fmt);
    printf("%s %s: ", when, what);
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    fflush(stdout);
}

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ------------------------------------------------------------------ options */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: virtual-meter [options]\n"
            "Runs libmeter on the simulated board, metering a synthetic 3-phase load\n"
            "(230 V, 5 A per phase, PF 0.9 lagging, 50 Hz, 4 kHz sampling by default),\n"
            "prints once per simulated second what the core has seen (and the display when\n"
            "it changes) and serves the\n"
            "COSEM object table over DLMS (TCP wrapper, and HDLC on a pseudo-terminal).\n\n"
            "  -s, --seconds N   simulated seconds to run (default 10; 0 = until SIGINT/SIGTERM)\n"
            "  -x, --speed X     simulated seconds per real second (default 0 = as fast as possible;\n"
            "                    1 = real time)\n"
            "  -n, --nvm FILE    keep the simulated NVM in FILE (created if missing): registers,\n"
            "                    clock, calendar, profiles, credit, disconnect state and the\n"
            "                    DLMS invocation counters survive a restart\n"
            "  -p, --play FILE   play ADC samples from FILE (mtr-samples format) instead of\n"
            "                    the synthetic load\n"
            "      --adc-rate HZ sampling rate of the synthetic load, 1000..16000 (default 4000)\n"
            "      --fast        for long accelerated runs: 1 kHz sampling (unless --adc-rate)\n"
            "                    and 2-second metrology periods\n"
            "      --no-load     no ADC at all (clock, calendar, profiles and DLMS run, the\n"
            "                    registers stay): fills long profiles quickly\n"
            "  -c, --config FILE keys, system title, client SAPs and passwords, port...\n"
            "                    (key = value lines, see docs/virtual-meter.md)\n"
            "  -P, --port N      TCP port of the DLMS wrapper (default 4059; 0 = any free port,\n"
            "                    printed in the log; off = none)\n"
            "      --pty         serve DLMS over HDLC on a new pseudo-terminal (path printed)\n"
            "      --start TIME  clock of a new meter: 2026-01-31T23:50:00Z or UTC seconds\n"
            "                    (default: the host's clock)\n"
            "      --image-dir DIR  image store of the firmware update: DIR/image.bank (the\n"
            "                    image being transferred) and DIR/image.active (the image\n"
            "                    activated last); default FILE.bank and FILE.active next to\n"
            "                    the --nvm FILE, else a temporary file\n"
            "  -q, --quiet       no per-second lines (-qq: banner and summary only)\n"
            "  -h, --help        this text\n"
            "SIGINT or SIGTERM: the meter flushes its state (as on a power failure), saves\n"
            "the NVM file and exits 0.\n");
}

static int parse_time(const char *s, mtr_utc_t *out)
{
    char *end = NULL;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno == 0 && *end == '\0' && v >= 0) {
        *out = (mtr_utc_t)v;
        return 0;
    }
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
    if (end == NULL || (strcmp(end, "Z") != 0 && *end != '\0')) {
        return -1;
    }
    *out = (mtr_utc_t)timegm(&tm);
    return 0;
}

static int parse(int argc, char **argv, struct opts *o)
{
    enum { OPT_PTY = 256, OPT_START, OPT_ADC_RATE, OPT_FAST, OPT_NO_LOAD, OPT_IMAGE_DIR };
    static const struct option longs[] = {
        {"seconds", required_argument, NULL, 's'}, {"speed", required_argument, NULL, 'x'},
        {"nvm", required_argument, NULL, 'n'},     {"play", required_argument, NULL, 'p'},
        {"config", required_argument, NULL, 'c'},  {"port", required_argument, NULL, 'P'},
        {"pty", no_argument, NULL, OPT_PTY},       {"start", required_argument, NULL, OPT_START},
        {"adc-rate", required_argument, NULL, OPT_ADC_RATE}, {"fast", no_argument, NULL, OPT_FAST},
        {"no-load", no_argument, NULL, OPT_NO_LOAD},
        {"image-dir", required_argument, NULL, OPT_IMAGE_DIR},
        {"quiet", no_argument, NULL, 'q'},         {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    *o = (struct opts){.seconds = 10, .speed = 0, .port = -2, .adc_rate = 4000};
    int c;
    while ((c = getopt_long(argc, argv, "s:x:n:p:c:P:qh", longs, NULL)) != -1) {
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
        case 'c':
            o->config = optarg;
            break;
        case 'P': {
            if (strcmp(optarg, "off") == 0) {
                o->port = -1;
            } else {
                long v = strtol(optarg, &end, 10);
                if (*end != '\0' || v < 0 || v > 65535) {
                    fprintf(stderr, "virtual-meter: --port wants 0..65535 or off, not '%s'\n",
                            optarg);
                    return 2;
                }
                o->port = (int)v;
            }
            o->port_given = true;
            break;
        }
        case OPT_PTY:
            o->pty = true;
            break;
        case OPT_START: {
            mtr_utc_t t;
            if (parse_time(optarg, &t) != 0) {
                fprintf(stderr,
                        "virtual-meter: --start wants 2026-01-31T23:50:00Z or UTC seconds, not '%s'\n",
                        optarg);
                return 2;
            }
            o->start = optarg;
            break;
        }
        case OPT_ADC_RATE: {
            long v = strtol(optarg, &end, 10);
            if (*end != '\0' || v < 1000 || v > 16000) {
                fprintf(stderr, "virtual-meter: --adc-rate wants 1000..16000, not '%s'\n", optarg);
                return 2;
            }
            o->adc_rate = (unsigned)v;
            o->adc_rate_given = true;
            break;
        }
        case OPT_FAST:
            o->fast = true;
            break;
        case OPT_NO_LOAD:
            o->no_load = true;
            break;
        case OPT_IMAGE_DIR:
            o->image_dir = optarg;
            break;
        case 'q':
            o->quiet++;
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
    if (o->fast && !o->adc_rate_given) {
        o->adc_rate = 1000;
    }
    return 0;
}

/* ------------------------------------------------------------------ metering report */

static void on_frames(struct mtr_meter *m, const int32_t *f, size_t n, void *user)
{
    (void)m;
    struct app *a = user;
    if (a->quiet) {
        return;
    }
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
    fflush(stdout);
#endif
}

#if VM_DISPLAY
static void log_display(struct app *a);
#endif

static void on_second(struct mtr_timer *t, void *arg)
{
    (void)t;
    struct app *a = arg;
    a->seconds_reported++;
#if VM_DISPLAY
    if (a->quiet == 0 && a->engines.display != NULL) {
        log_display(a); /* the LCD, when it changed */
    }
#endif
#if VM_ENGINES
    struct mtr_clock_view cv;
    if (mtr_clock_now(&a->clk, &cv) == MTR_OK) {
#if VM_DLMS
        if (a->cosem_ready) {
            mtr_cosem_tick(&a->cosem, cv.utc, cv.offset_s);
        }
#endif
        /* one line per simulated hour (tests and people follow the clock with it) */
        if (cv.utc / 3600 != a->last_hour) {
            if (a->last_hour != 0) {
                const struct mtr_registers *reg = mtr_tariff_registers(&a->trf);
                vm_log("clock", "hour begins: A+=%.3f kWh T1=%.3f T2=%.3f T3=%.3f T4=%.3f kWh",
                       (double)mtr_registers_total(reg, MTR_Q_A_IMP) / 1e6,
                       (double)mtr_registers_tariff(reg, MTR_Q_A_IMP, 1) / 1e6,
                       (double)mtr_registers_tariff(reg, MTR_Q_A_IMP, 2) / 1e6,
                       (double)mtr_registers_tariff(reg, MTR_Q_A_IMP, 3) / 1e6,
                       (double)mtr_registers_tariff(reg, MTR_Q_A_IMP, 4) / 1e6);
            }
            a->last_hour = cv.utc / 3600;
        }
    }
#endif
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

static const char *log_source_name(unsigned s)
{
    static const char *const names[] = {"meter", "clock", "calendar", "tariff",
                                        "disconnect", "store", "prepaid"};
    return s < sizeof names / sizeof names[0] ? names[s] : "engine";
}

/* Every event of every engine: one log line (power, clock, calendar, billing, relay...). */
static void on_log(struct mtr_meter *m, const struct mtr_log_record *rec, void *user)
{
    (void)m;
    (void)user;
    if (rec->kind == MTR_LOG_ALARM) {
        vm_log("alarm", "%s register %u mask 0x%08llx", log_source_name(rec->source),
               (unsigned)rec->channel, (unsigned long long)rec->value);
        return;
    }
    vm_log("event", "%s %u \"%s\"%s", log_source_name(rec->source), (unsigned)rec->code,
           rec->name != NULL ? rec->name : "", rec->channel ? " (channel)" : "");
}

#if VM_ENGINES
/* Alarm bits raised (events engine, through the aggregate): the "On Alarm" push. */
static void on_alarm(struct mtr_meter *m, uint8_t reg, uint32_t new_bits, void *user)
{
    (void)m;
    struct app *a = user;
    vm_log("alarm", "alarm register %u: bits 0x%08lx raised", (unsigned)reg,
           (unsigned long)new_bits);
#if VM_DLMS
    if (a->cosem_ready) {
        mtr_err_t rc = mtr_cosem_push_alarm(&a->cosem);
        if (rc != MTR_OK && rc != MTR_ERR_NOTSUP) {
            vm_log("push", "alarm push not started: %s", mtr_strerror(rc));
        }
    }
#else
    (void)a;
#endif
}
#endif

/* ------------------------------------------------------------------ store layout */

#if VM_ENGINES
static void add_part(struct app *a, uint16_t id, uint8_t kind, uint32_t first, uint32_t sectors,
                     uint32_t record)
{
    a->table[a->nparts++] = (struct mtr_store_part_cfg){id, kind, first, sectors, (uint16_t)record};
}

#if VM_PROFILES
/* Load profile 1 (seed profiles.json: 0-0:99.1.0.255, 15 minutes, 60 days = 5760
 * entries): the capture time, the profile status and the energy totals. */
static const struct mtr_profile_column LP1_COLUMNS[] = {
    {MTR_PROFILE_COL_CLOCK, 0, 8, {0, 0, 1, 0, 0, 255}, 2, 0, 0, 255},
    {MTR_PROFILE_COL_STATUS, 0, 1, {0, 0, 96, 10, 1, 255}, 2, 0, 0, 255},
    {MTR_PROFILE_COL_VALUE, 0, 3, {1, 0, 1, 8, 0, 255}, 2, 0, -3, 30},
    {MTR_PROFILE_COL_VALUE, 0, 3, {1, 0, 2, 8, 0, 255}, 2, 0, -3, 30},
    {MTR_PROFILE_COL_VALUE, 0, 3, {1, 0, 3, 8, 0, 255}, 2, 0, -3, 32},
    {MTR_PROFILE_COL_VALUE, 0, 3, {1, 0, 4, 8, 0, 255}, 2, 0, -3, 32},
};
static const struct mtr_profile_config LP1_CFG = {
    .obis = {0, 0, 99, 1, 0, 255},
    .part = PART_LP1,
    .capture_period_s = 900,
    .capacity = 5760,
    .columns = LP1_COLUMNS,
    .ncolumns = sizeof LP1_COLUMNS / sizeof LP1_COLUMNS[0],
};
/* Billing profile 1 (seed: 0-0:98.1.0.255, monthly, 310 periods): A+ total
 * and per tariff, A- total, at every billing end. */
static const struct mtr_profile_column BILLING_COLUMNS[] = {
    {MTR_PROFILE_COL_CLOCK, 0, 8, {0, 0, 1, 0, 0, 255}, 2, 0, 0, 255},
    {MTR_PROFILE_COL_VALUE, 0, 3, {1, 0, 1, 8, 0, 255}, 2, 0, -3, 30},
    {MTR_PROFILE_COL_VALUE, 0, 3, {1, 0, 1, 8, 1, 255}, 2, 0, -3, 30},
    {MTR_PROFILE_COL_VALUE, 0, 3, {1, 0, 1, 8, 2, 255}, 2, 0, -3, 30},
    {MTR_PROFILE_COL_VALUE, 0, 3, {1, 0, 1, 8, 3, 255}, 2, 0, -3, 30},
    {MTR_PROFILE_COL_VALUE, 0, 3, {1, 0, 1, 8, 4, 255}, 2, 0, -3, 30},
    {MTR_PROFILE_COL_VALUE, 0, 3, {1, 0, 2, 8, 0, 255}, 2, 0, -3, 30},
};
static const struct mtr_profile_config BILLING_CFG = {
    .obis = {0, 0, 98, 1, 0, 255},
    .part = PART_BILLING,
    .capture_period_s = 0,
    .capacity = 310,
    .columns = BILLING_COLUMNS,
    .ncolumns = sizeof BILLING_COLUMNS / sizeof BILLING_COLUMNS[0],
};

/* Sectors of a ring keeping @p entries records of @p nvalues values. */
static uint32_t ring_sectors(uint32_t entries, uint32_t nvalues)
{
    uint32_t slot = mtr_profile_record_size(nvalues) + MTR_STORE_RECORD_OVERHEAD + 4u;
    uint32_t per = VM_SECTOR / slot;
    return (entries + per - 1) / per + 1;
}

#endif

/* A billing period ended (the aggregate captures the billing profile). */
static void on_billing(void *user, const struct mtr_billing_capture *cap)
{
    (void)user;
    vm_log("billing", "period %lu ended (cause %u): A+=%.3f kWh", (unsigned long)cap->period,
           (unsigned)cap->cause, (double)mtr_registers_total(cap->reg, MTR_Q_A_IMP) / 1e6);
}

/* NVM layout (2 MiB, 4 KiB sectors). */
static void layout(struct app *a)
{
    uint32_t s = 0;
    a->nparts = 0;
    add_part(a, PART_ENERGY, MTR_STORE_SNAPSHOT, s, 4, (uint32_t)mtr_meter_energy_record_size());
    s += 4;
    add_part(a, PART_CAL, MTR_STORE_SNAPSHOT, s, 2, MTR_METROLOGY_CAL_BLOB_SIZE);
    s += 2;
    add_part(a, PART_DC, MTR_STORE_SNAPSHOT, s, 2, (uint32_t)mtr_meter_disconnect_record_size());
    s += 2;
#if VM_PREPAID
    add_part(a, PART_PP, MTR_STORE_SNAPSHOT, s, 2, (uint32_t)mtr_prepaid_state_size());
#endif
    s += 2;
    add_part(a, PART_CALENDAR, MTR_STORE_SNAPSHOT, s, 2, VM_CALENDAR_RECORD);
    s += 2;
    add_part(a, PART_HOST, MTR_STORE_SNAPSHOT, s, 2, VM_HOST_RECORD);
    s += 2;
    add_part(a, PART_SETTINGS, MTR_STORE_SNAPSHOT, s, 2, VM_SETTINGS_RECORD);
    s += 2;
#if VM_QUALITY
    add_part(a, PART_QUALITY, MTR_STORE_SNAPSHOT, s, 2, MTR_QUALITY_BLOB_SIZE);
    s += 2;
#endif
#if VM_EVENTS
    add_part(a, PART_EVENTS, MTR_STORE_SNAPSHOT, s, 2, MTR_EVENTS_BLOB_SIZE);
    s += 2;
    /* every log of the seed but M-Bus (no producer) */
    for (uint8_t l = 0; l < MTR_EVLOG_COUNT; l++) {
        if (l == MTR_EVLOG_MBUS) {
            continue;
        }
        uint32_t rec = mtr_events_log_record_size(l);
        uint32_t slot = rec + MTR_STORE_RECORD_OVERHEAD + 4u;
        uint32_t n = (VM_LOG_ENTRIES + VM_SECTOR / slot - 1) / (VM_SECTOR / slot) + 1;
        add_part(a, (uint16_t)(PART_LOG0 + l), MTR_STORE_RING, s, n, rec);
        s += n;
    }
#endif
#if VM_PROFILES
    uint32_t n = ring_sectors(LP1_CFG.capacity, 4);
    add_part(a, PART_LP1, MTR_STORE_RING, s, n, mtr_profile_record_size(4));
    s += n;
    n = ring_sectors(BILLING_CFG.capacity, 6);
    add_part(a, PART_BILLING, MTR_STORE_RING, s, n, mtr_profile_record_size(6));
    s += n;
#endif
#if VM_DLMS
    /* last, so that an NVM file of an older virtual meter keeps its layout */
    if (s + 2u <= VM_NVM_SIZE / VM_SECTOR) {
        add_part(a, PART_FIRMWARE, MTR_STORE_SNAPSHOT, s, 2, VM_FW_RECORD);
        s += 2;
    }
#endif
#if VM_DISPLAY
    /* after the firmware record: older NVM files keep their layout */
    if (s + 2u <= VM_NVM_SIZE / VM_SECTOR) {
        add_part(a, PART_DISPLAY, MTR_STORE_SNAPSHOT, s, 2, MTR_DISPLAY_BLOB_SIZE);
        s += 2;
    }
#endif
    (void)s;
    a->store_cfg = (struct mtr_store_cfg){.parts = a->table, .state = a->parts, .nparts = a->nparts};
}

/* The host record: clock offset against the host's clock, DLMS counters. */
static int host_load(struct app *a)
{
    uint8_t buf[VM_HOST_RECORD];
    size_t len = 0;
    if (mtr_store_load(&a->store, PART_HOST, buf, sizeof buf, &len, NULL) != MTR_OK || len < 20 ||
        mtr_get_be32(buf) != VM_HOST_MAGIC) {
        return -1;
    }
    a->clock_offset = (int64_t)mtr_get_be64(buf + 4);
#if VM_DLMS
    uint16_t blen = mtr_get_be16(buf + 12);
    if (blen > 0 && 14u + blen <= len) {
        mtr_err_t rc = mtr_dlms_security_load(&a->sec, buf + 14, blen);
        if (rc != MTR_OK) {
            vm_log("dlms", "saved invocation counters refused: %s", mtr_strerror(rc));
        }
    }
#endif
    return 0;
}

static mtr_err_t host_save(struct app *a)
{
    uint8_t buf[VM_HOST_RECORD];
    memset(buf, 0, sizeof buf);
    mtr_put_be32(buf, VM_HOST_MAGIC);
    mtr_utc_t utc = 0;
    if (a->hal.clock->rtc_get(a->hal.ctx, &utc) == MTR_OK) {
        a->clock_offset = (int64_t)utc - (int64_t)time(NULL);
    }
    mtr_put_be64(buf + 4, (uint64_t)a->clock_offset);
    size_t len = 14;
#if VM_DLMS
    size_t blen = 0;
    mtr_err_t rc = mtr_dlms_security_save(&a->sec, buf + 14, sizeof buf - 14, &blen);
    if (rc == MTR_OK) {
        mtr_put_be16(buf + 12, (uint16_t)blen);
        len += blen;
    }
#endif
    return mtr_store_commit(&a->store, PART_HOST, buf, len);
}

/* Every day: 00:00 T1, 06:00 T2, 18:00 T3 (local time) until a head-end programs another. */
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

#if VM_DISPLAY
/* What the core does not know: the serial number 0-0:96.1.0.255 (its last 8
 * digits, from the configuration's serial when it ends in digits). */
static mtr_err_t display_value(void *user, const struct mtr_display_item *item,
                               struct mtr_display_value *out)
{
    static const uint8_t ln_serial[6] = {0, 0, 96, 1, 0, 255};
    const struct app *a = user;
    const char *s = a->conf.serial;
    size_t n = strlen(s), k = n;
    int64_t v = 0, scale = 1;
    if (memcmp(item->ln, ln_serial, 6) != 0) {
        return MTR_ERR_NOENT;
    }
    while (k > 0 && n - k < 8 && s[k - 1] >= '0' && s[k - 1] <= '9') {
        v += (s[k - 1] - '0') * scale;
        scale *= 10;
        k--;
    }
    if (k == n) {
        return MTR_ERR_NOENT;
    }
    out->value = v;
    out->unit = MTR_DISPLAY_UNIT_NONE;
    out->format = MTR_DISPLAY_FMT_NUMBER;
    return MTR_OK;
}

/* The LCD in the log when it shows another entry: "display: 1.8.0     1.23". */
static void log_display(struct app *a)
{
    struct mtr_display_screen scr;
    char shown[sizeof a->lcd];
    (void)mtr_display_render(&a->display, &scr);
    snprintf(shown, sizeof shown, "%u %s", (unsigned)scr.mode, scr.code);
    if (strcmp(shown, a->lcd) != 0) {
        memcpy(a->lcd, shown, sizeof shown);
        vm_log("display", "%s%s %s", scr.all_segments ? "test " : "", scr.code, scr.text);
    }
}
#endif

static mtr_err_t wire_engines(struct app *a, bool fast)
{
    a->tariff_cfg = (struct mtr_tariff_config){.demand = {.period_s = 900, .periods = 1},
                                               .billing = {.enabled = true, .day = 1}};
    a->tariff_cfg.on_billing = on_billing;
    a->tariff_cfg.user = a;
    a->clock_cfg = (struct mtr_clock_config){.time_zone = (int16_t)a->conf.time_zone,
                                             .dst = {.kind = MTR_DST_NONE}};
    a->dc_cfg = (struct mtr_dc_config){
        .relay = {0, 1, 2}, .mode = 6, .feedback_ms = 1000, .debounce_ms = 50,
        .disconnect_hold_ms = 3000, .reconnect_hold_ms = 10000,
        .limiter = {.normal_mw = MTR_DC_LIMIT_MAX_MW, .emergency_mw = MTR_DC_LIMIT_MAX_MW,
                    .period_s = 60, .penalty_s = 60}};
    a->engines = (struct mtr_meter_engines){
        .metrology = &a->metro, .clock = &a->clk, .clock_cfg = &a->clock_cfg, .calendar = &a->cal,
        .tariff = &a->trf, .tariff_cfg = &a->tariff_cfg, .store = &a->store,
        .store_cfg = &a->store_cfg, .energy_part = PART_ENERGY, .cal_part = PART_CAL,
        .disconnect_part = PART_DC, .calendar_part = PART_CALENDAR,
        .calendar_buf = a->calendar_buf, .calendar_buf_size = sizeof a->calendar_buf,
        .disconnect = &a->dc, .disconnect_cfg = &a->dc_cfg};
    if (fast && a->sim.cfg.adc_enabled) {
        mtr_metrology_config_default(&a->metro_cfg);
        a->metro_cfg.rate_hz = mtr_sim_adc_rate(&a->sim.adc);
        a->metro_cfg.bits = mtr_sim_adc_bits(&a->sim.adc);
        a->metro_cfg.period_ms = 2000;
        a->engines.metrology_cfg = &a->metro_cfg;
    }
#if VM_PREPAID
    /* Electricity tokens count 0.1 kWh (docs/prepaid.md, "Units"); emergency
     * credit on the second button (seed: press under 5 s). */
    a->pp_cfg = (struct mtr_prepaid_config){.unit = MTR_PREPAID_UNIT_ENERGY,
                                            .token_scale = 100000,
                                            .ec_button = MTR_IN_BUTTON_2,
                                            .ec_press_min_ms = 50,
                                            .ec_press_max_ms = 5000};
    a->engines.prepaid = &a->pp;
    a->engines.prepaid_cfg = &a->pp_cfg;
    a->engines.prepaid_part = PART_PP;
    if (a->conf.sts_dk != 0 && a->hal.crypto != NULL) {
        /* EA09 (DES through the HAL): no secret substitution tables needed */
        a->sts_cipher = (struct mtr_sts_cipher){.ea = MTR_STS_EA09, .hal = &a->hal};
        const struct mtr_sts_key key = {.dk = a->conf.sts_dk, .krn = 1, .kt = 2, .ti = 1,
                                        .ken = 255, .base = MTR_STS_BASE_2014};
        mtr_err_t rc = mtr_sts_init(&a->sts, &a->sts_cipher, &key);
        if (rc != MTR_OK) {
            fprintf(stderr, "virtual-meter: STS decoder: %s\n", mtr_strerror(rc));
            return rc;
        }
        a->engines.sts = &a->sts;
    }
#endif
#if VM_PROFILES
    /* the aggregate initialises the profiles on its store and captures them */
    a->profiles[0] = &a->lp1;
    a->profiles[1] = &a->billing;
    a->profile_cfgs[0] = &LP1_CFG;
    a->profile_cfgs[1] = &BILLING_CFG;
    a->engines.profiles = a->profiles;
    a->engines.profile_cfgs = a->profile_cfgs;
    a->engines.nprofiles = 2;
    a->engines.billing_profiles = 1u << 1;
#endif
#if VM_EVENTS
    /* every log of the seed but M-Bus (no producer); store and alarm hook set by the aggregate */
    a->events_cfg = (struct mtr_events_config){.state_part = PART_EVENTS};
    for (uint8_t l = 0; l < MTR_EVLOG_COUNT; l++) {
        if (l == MTR_EVLOG_MBUS) {
            continue;
        }
        if (mtr_events_log_default(l, (uint16_t)(PART_LOG0 + l), VM_LOG_ENTRIES, &a->log_cfg[l]) ==
            MTR_OK) {
            a->events_cfg.log[l] = &a->logs[l];
            a->events_cfg.log_cfg[l] = &a->log_cfg[l];
        }
    }
    a->engines.events = &a->events;
    a->engines.events_cfg = &a->events_cfg;
#endif
#if VM_QUALITY
    /* Un 230 V, 3 phases, the seed's settings; its callbacks are the aggregate's */
    a->quality_cfg = (struct mtr_quality_config){.un_mv = 230000, .phases = 3};
    mtr_quality_settings_default(&a->quality_cfg.settings);
    a->engines.quality = &a->quality;
    a->engines.quality_cfg = &a->quality_cfg;
    a->engines.quality_part = PART_QUALITY;
    a->engines.quality_buf = a->quality_buf;
#endif
#if VM_DISPLAY
    /* the seed's display (direct meter); the serial number from the configuration */
    mtr_display_seed(&a->display_cfg, false);
    a->engines.display = &a->display;
    a->engines.display_cfg = &a->display_cfg;
    a->engines.display_value = display_value;
    a->engines.display_part = PART_DISPLAY;
    a->engines.display_buf = a->display_buf;
#endif
    return MTR_OK;
}
#endif /* VM_ENGINES */

/* ------------------------------------------------------------------ DLMS */

#if VM_DLMS
static const uint8_t SECURITY_SETUP[6] = {0, 0, 43, 0, 0, 255};

static int send_all_blocking(int fd, const uint8_t *b, size_t n)
{
    while (n > 0) {
        ssize_t k = send(fd, b, n, MSG_NOSIGNAL);
        if (k < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -1;
        }
        b += k;
        n -= (size_t)k;
    }
    return 0;
}

static void obis_text(const uint8_t *o, char *buf, size_t len)
{
    snprintf(buf, len, "%u-%u:%u.%u.%u.%u", o[0], o[1], o[2], o[3], o[4], o[5]);
}

static const char *dar_name(unsigned d)
{
    switch (d) {
    case 0:
        return "success";
    case 1:
        return "hardware-fault";
    case 2:
        return "temporary-failure";
    case 3:
        return "read-write-denied";
    case 4:
        return "object-undefined";
    case 9:
        return "object-class-inconsistent";
    case 11:
        return "object-unavailable";
    case 12:
        return "type-unmatched";
    case 13:
        return "scope-of-access-violated";
    case 14:
        return "data-block-unavailable";
    case 15:
        return "long-get-aborted";
    case 16:
        return "no-long-get-in-progress";
    case 19:
        return "data-block-number-invalid";
    default:
        return "other-reason";
    }
}

/* A one-line summary of a request APDU (before the server deciphers it in place). */
static void request_summary(const uint8_t *r, size_t n, char *out, size_t cap)
{
    char ob[32];
    if (n == 0) {
        snprintf(out, cap, "empty");
        return;
    }
    switch (r[0]) {
    case 0x60:
        snprintf(out, cap, "AARQ");
        return;
    case 0x62:
        snprintf(out, cap, "RLRQ");
        return;
    case 0xC0:
    case 0xC1:
    case 0xC3: {
        const char *svc = r[0] == 0xC0 ? "GET" : r[0] == 0xC1 ? "SET" : "ACTION";
        if (n >= 13 && r[1] == 1) {
            obis_text(r + 5, ob, sizeof ob);
            bool sel = r[0] != 0xC3 && n > 13 && r[12] == 1; /* access-selection flag */
            snprintf(out, cap, "%s %u %s %s %u%s", svc, (unsigned)mtr_get_be16(r + 3), ob,
                     r[0] == 0xC3 ? "method" : "attr", r[11], sel ? " (selective access)" : "");
        } else if (n >= 7 && r[0] == 0xC0 && r[1] == 2) {
            snprintf(out, cap, "GET next block %lu", (unsigned long)mtr_get_be32(r + 3));
        } else if (n >= 4 && r[1] == 3 && r[0] != 0xC1) {
            snprintf(out, cap, "%s with list of %u", svc, r[3]);
        } else {
            snprintf(out, cap, "%s (choice %u)", svc, n > 1 ? r[1] : 0);
        }
        return;
    }
    case 0xC8:
    case 0xC9:
    case 0xCB:
    case 0xD0:
    case 0xD1:
    case 0xD3:
    case 0xDB:
        snprintf(out, cap, "ciphered %s (%zu B)",
                 r[0] == 0xDB ? "general-glo" : r[0] >= 0xD0 ? "ded" : "glo", n);
        return;
    default:
        snprintf(out, cap, "APDU tag 0x%02X (%zu B)", r[0], n);
    }
}

static void response_summary(const uint8_t *r, size_t n, char *out, size_t cap)
{
    if (n == 0) {
        snprintf(out, cap, "no response");
        return;
    }
    switch (r[0]) {
    case 0x61: {
        /* AARE: result [2] is A2 03 02 01 <result> */
        unsigned result = 255;
        for (size_t i = 2; i + 4 < n; i++) {
            if (r[i] == 0xA2 && r[i + 1] == 3 && r[i + 2] == 2 && r[i + 3] == 1) {
                result = r[i + 4];
                break;
            }
        }
        snprintf(out, cap, "AARE %s", result == 0 ? "accepted" : "rejected");
        return;
    }
    case 0x63:
        snprintf(out, cap, "RLRE");
        return;
    case 0xC4:
        if (n >= 4 && r[1] == 1) {
            if (r[3] == 0) {
                snprintf(out, cap, "ok (%zu B)", n);
            } else if (n >= 5) {
                snprintf(out, cap, "%s", dar_name(r[4]));
            }
        } else if (n >= 9 && r[1] == 2) {
            snprintf(out, cap, "block %lu%s (%zu B)", (unsigned long)mtr_get_be32(r + 4),
                     r[3] ? " last" : "", n);
        } else {
            snprintf(out, cap, "GET response (%zu B)", n);
        }
        return;
    case 0xC5:
    case 0xC7:
        if (n >= 4 && r[1] == 1) {
            snprintf(out, cap, "%s", r[3] == 0 ? "ok" : dar_name(r[3]));
        } else {
            snprintf(out, cap, "%s response (%zu B)", r[0] == 0xC5 ? "SET" : "ACTION", n);
        }
        return;
    case 0xD8:
        snprintf(out, cap, "exception-response");
        return;
    default:
        if (r[0] >= 0xCC && r[0] <= 0xDF) {
            snprintf(out, cap, "ciphered response (%zu B)", n);
        } else {
            snprintf(out, cap, "APDU tag 0x%02X (%zu B)", r[0], n);
        }
    }
}

static void on_dlms_event(void *user, uint16_t code, const char *name)
{
    (void)user;
    vm_log("security", "event %u \"%s\"", (unsigned)code, name);
#if VM_EVENTS
    /* the server is the application's: its events go to the logs from here */
    struct app *a = g_app;
    mtr_utc_t utc = 0;
    if (a != NULL && a->hal.clock->rtc_get(a->hal.ctx, &utc) == MTR_OK) {
        mtr_err_t rc = mtr_events_raise(&a->events, code, name, utc, 0);
        if (rc != MTR_OK) {
            vm_log("security", "event %u not logged: %s", (unsigned)code, mtr_strerror(rc));
        }
    }
#endif
}

/* ---- firmware update: the image transfer engine on an image store in a file */

/* The identifier as text for the log: itself when printable, else hex. */
static void id_text(const uint8_t *id, size_t n, char *out, size_t cap)
{
    bool printable = n > 0;
    for (size_t i = 0; i < n; i++) {
        printable = printable && id[i] >= 0x20 && id[i] < 0x7F;
    }
    size_t k = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && k + 3 < cap; i++) {
        k += (size_t)snprintf(out + k, cap - k, printable ? "%c" : "%02X", id[i]);
    }
}

static mtr_err_t fw_save(struct app *a)
{
    uint8_t buf[VM_FW_RECORD];
    memset(buf, 0, sizeof buf);
    mtr_put_be32(buf, VM_FW_MAGIC);
    buf[4] = (uint8_t)((a->image_disabled ? 1u : 0u) | (a->fw_size != 0 ? 2u : 0u));
    buf[5] = a->fw_version_len;
    memcpy(buf + 6, a->fw_version, a->fw_version_len);
    memcpy(buf + 6 + VM_FW_ID_MAX, a->fw_signature, 16);
    mtr_put_be32(buf + 22 + VM_FW_ID_MAX, a->fw_size);
    mtr_put_be64(buf + 26 + VM_FW_ID_MAX, (uint64_t)a->fw_activated);
    return mtr_store_commit(&a->store, PART_FIRMWARE, buf, 34 + VM_FW_ID_MAX);
}

/* The running firmware: the built-in one, or the image activated last. */
static void fw_load(struct app *a)
{
    uint8_t buf[VM_FW_RECORD];
    size_t len = 0;
    int n = snprintf((char *)a->fw_version, sizeof a->fw_version, "V%s", mtr_version());
    a->fw_version_len = (uint8_t)(n < (int)sizeof a->fw_version ? n : (int)sizeof a->fw_version - 1);
    memset(a->fw_signature, 0, sizeof a->fw_signature); /* seed 11.1: 0 while computed */
    if (mtr_store_load(&a->store, PART_FIRMWARE, buf, sizeof buf, &len, NULL) != MTR_OK ||
        len != 34 + VM_FW_ID_MAX || mtr_get_be32(buf) != VM_FW_MAGIC || buf[5] > VM_FW_ID_MAX) {
        return;
    }
    a->image_disabled = (buf[4] & 1u) != 0;
    if ((buf[4] & 2u) != 0 && buf[5] > 0) {
        a->fw_version_len = buf[5];
        memcpy(a->fw_version, buf + 6, buf[5]);
        memcpy(a->fw_signature, buf + 6 + VM_FW_ID_MAX, 16);
        a->fw_size = mtr_get_be32(buf + 22 + VM_FW_ID_MAX);
        a->fw_activated = (int64_t)mtr_get_be64(buf + 26 + VM_FW_ID_MAX);
    }
}

static mtr_err_t bank_prepare(void *user, uint32_t size)
{
    struct app *a = user;
    /* "erase the bank": a file of @p size zero bytes */
    if (ftruncate(a->bank_fd, 0) != 0 || ftruncate(a->bank_fd, (off_t)size) != 0) {
        vm_log("firmware", "image store: %s", strerror(errno));
        return MTR_ERR_IO;
    }
    return MTR_OK;
}

static mtr_err_t bank_write(void *user, uint32_t offset, const uint8_t *data, size_t len)
{
    struct app *a = user;
    while (len > 0) {
        ssize_t k = pwrite(a->bank_fd, data, len, (off_t)offset);
        if (k <= 0) {
            if (k < 0 && errno == EINTR) {
                continue;
            }
            vm_log("firmware", "image store write: %s", k < 0 ? strerror(errno) : "short");
            return MTR_ERR_IO;
        }
        data += k;
        len -= (size_t)k;
        offset += (uint32_t)k;
    }
    return MTR_OK;
}

static mtr_err_t bank_read(void *user, uint32_t offset, uint8_t *data, size_t len)
{
    struct app *a = user;
    while (len > 0) {
        ssize_t k = pread(a->bank_fd, data, len, (off_t)offset);
        if (k <= 0) {
            if (k < 0 && errno == EINTR) {
                continue;
            }
            vm_log("firmware", "image store read: %s", k < 0 ? strerror(errno) : "short");
            return MTR_ERR_IO;
        }
        data += k;
        len -= (size_t)k;
        offset += (uint32_t)k;
    }
    return MTR_OK;
}

/* A copy of the verified image as the boot loader would install it, in @p tmp. */
static mtr_err_t copy_active(struct app *a, uint32_t size, const char *tmp)
{
    uint8_t chunk[4096];
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        vm_log("firmware", "%s: %s", tmp, strerror(errno));
        return MTR_ERR_IO;
    }
    mtr_err_t rc = MTR_OK;
    for (uint32_t off = 0; off < size && rc == MTR_OK;) {
        size_t n = size - off < sizeof chunk ? size - off : sizeof chunk;
        rc = bank_read(a, off, chunk, n);
        if (rc == MTR_OK && write(fd, chunk, n) != (ssize_t)n) {
            vm_log("firmware", "%s: %s", tmp, strerror(errno));
            rc = MTR_ERR_IO;
        }
        off += (uint32_t)n;
    }
    if (close(fd) != 0 && rc == MTR_OK) {
        rc = MTR_ERR_IO;
    }
    if (rc != MTR_OK) {
        unlink(tmp);
    }
    return rc;
}

/*
 * Activation: what a boot loader does once it has installed the image. The
 * meter then runs the image's firmware: its identifier is the firmware version
 * (1-0:0.2.0.255, 1-1:0.2.0.255), the first 16 bytes of its payload digest the
 * firmware signature (1-0:0.2.8.255), kept in the firmware record.
 */
static mtr_err_t bank_activate(void *user, const struct mtr_image_info *info)
{
    struct app *a = user;
    char text[2 * VM_FW_ID_MAX + 1];
    char tmp[VM_PATH_MAX + 8];
    if (info->id_len == 0 || info->id_len > VM_FW_ID_MAX) {
        return MTR_ERR_RANGE;
    }
    snprintf(tmp, sizeof tmp, "%s.new", a->active_path);
    if (a->active_path[0] != '\0') {
        mtr_err_t rc = copy_active(a, info->size, tmp);
        if (rc != MTR_OK) {
            return rc;
        }
    }
    uint8_t old_version[VM_FW_ID_MAX], old_signature[16];
    uint8_t old_len = a->fw_version_len;
    uint32_t old_size = a->fw_size;
    int64_t old_at = a->fw_activated;
    memcpy(old_version, a->fw_version, sizeof old_version);
    memcpy(old_signature, a->fw_signature, sizeof old_signature);
    memcpy(a->fw_version, info->id, info->id_len);
    a->fw_version_len = info->id_len;
    memcpy(a->fw_signature, info->digest, 16);
    a->fw_size = info->size;
    mtr_utc_t utc = 0;
    (void)a->hal.clock->rtc_get(a->hal.ctx, &utc);
    a->fw_activated = (int64_t)utc;
    mtr_err_t rc = fw_save(a);
    if (rc != MTR_OK) {
        /* not recorded: the meter keeps its firmware (status 7, activation failed) */
        memcpy(a->fw_version, old_version, sizeof old_version);
        a->fw_version_len = old_len;
        memcpy(a->fw_signature, old_signature, sizeof old_signature);
        a->fw_size = old_size;
        a->fw_activated = old_at;
        vm_log("firmware", "activation not recorded: %s", mtr_strerror(rc));
        if (a->active_path[0] != '\0') {
            unlink(tmp);
        }
        return rc;
    }
    /* recorded: the copy becomes the active image */
    if (a->active_path[0] != '\0' && rename(tmp, a->active_path) != 0) {
        vm_log("firmware", "%s: %s", a->active_path, strerror(errno));
    }
    a->fw_changed = true;
    id_text(info->id, info->id_len, text, sizeof text);
    vm_log("firmware", "firmware activated: %s (%lu bytes)", text, (unsigned long)info->size);
    return MTR_OK;
}

/* The image engine's events (17, 18, 51, 204, 240, 241 and the optical port's) to the logs. */
static void on_image_event(void *user, uint16_t code, const char *name)
{
    struct app *a = user;
    /* the firmware update log keeps the version running after the event */
    int64_t version = (int64_t)mtr_cosem_fw_number(a->fw_version, a->fw_version_len);
    vm_log("firmware", "event %u \"%s\"", (unsigned)code, name);
#if VM_EVENTS
    mtr_utc_t utc = 0;
    if (a->hal.clock->rtc_get(a->hal.ctx, &utc) == MTR_OK) {
        mtr_err_t rc = mtr_events_raise(&a->events, code, name, utc, version);
        if (rc != MTR_OK) {
            vm_log("firmware", "event %u not logged: %s", (unsigned)code, mtr_strerror(rc));
        }
    }
#else
    (void)version;
#endif
}

/* After an activation (between two APDUs): the object table serves the new identifiers. */
static void fw_apply(struct app *a)
{
    a->fw_changed = false;
    mtr_err_t rc = mtr_cosem_set_fw_version(&a->cosem, a->fw_version, a->fw_version_len,
                                            a->fw_version, a->fw_version_len);
    if (rc != MTR_OK) {
        vm_log("firmware", "object table: %s", mtr_strerror(rc));
    }
}

static int open_bank(struct app *a, const struct opts *o)
{
    a->bank_path[0] = '\0';
    a->active_path[0] = '\0';
    if (o->image_dir != NULL) {
        if (mkdir(o->image_dir, 0755) != 0 && errno != EEXIST) {
            fprintf(stderr, "virtual-meter: --image-dir %s: %s\n", o->image_dir, strerror(errno));
            return -1;
        }
        snprintf(a->bank_path, sizeof a->bank_path, "%s/image.bank", o->image_dir);
        snprintf(a->active_path, sizeof a->active_path, "%s/image.active", o->image_dir);
    } else if (o->nvm != NULL) {
        snprintf(a->bank_path, sizeof a->bank_path, "%s.bank", o->nvm);
        snprintf(a->active_path, sizeof a->active_path, "%s.active", o->nvm);
    }
    if (a->bank_path[0] != '\0') {
        a->bank_fd = open(a->bank_path, O_RDWR | O_CREAT, 0644);
        if (a->bank_fd < 0) {
            fprintf(stderr, "virtual-meter: image store %s: %s\n", a->bank_path, strerror(errno));
            return -1;
        }
        return 0;
    }
    char path[] = "/tmp/virtual-meter-image-XXXXXX";
    a->bank_fd = mkstemp(path);
    if (a->bank_fd < 0) {
        fprintf(stderr, "virtual-meter: image store: %s\n", strerror(errno));
        return -1;
    }
    unlink(path);
    return 0;
}

/* The image transfer object 0-0:44.0.0.255 (needs SHA-256: a build with crypto). */
static int image_setup(struct app *a, const struct opts *o)
{
    const struct vm_config *c = &a->conf;
    a->bank_fd = -1;
    if (!a->has_crypto) {
        printf("virtual-meter: no image transfer (this build has no crypto for the verification)\n");
        return 0;
    }
    if (open_bank(a, o) != 0) {
        return -1;
    }
    size_t bm = mtr_image_bitmap_bytes(c->image_max_size, c->image_block_size);
    a->image_bitmap = calloc(bm > 0 ? bm : 1, 1);
    if (a->image_bitmap == NULL) {
        fprintf(stderr, "virtual-meter: out of memory\n");
        return -1;
    }
    a->image_cfg = (struct mtr_image_config){
        .hal = &a->hal, .block_size = c->image_block_size, .capacity = c->image_max_size,
        .bitmap = a->image_bitmap, .bitmap_size = bm, .type = (const uint8_t *)c->image_type,
        .type_len = (uint8_t)strlen(c->image_type),
        .gmac_key = c->has_firmware_key ? c->firmware_key : NULL,
        .ecdsa_pub = c->has_firmware_pub ? c->firmware_pub : NULL, .prepare = bank_prepare,
        .write = bank_write, .read = bank_read, .activate = bank_activate,
        .on_event = on_image_event, .user = a};
    mtr_err_t rc = mtr_image_init(&a->image, &a->image_cfg);
    if (rc != MTR_OK) {
        fprintf(stderr, "virtual-meter: image transfer: %s\n", mtr_strerror(rc));
        return -1;
    }
    mtr_image_enable(&a->image, !a->image_disabled, false);
    a->image_ready = true;
    printf("virtual-meter: image transfer: type %s, blocks of %lu B, images up to %lu B, "
           "GMAC key %s, ECDSA key %s, store %s%s\n",
           c->image_type, (unsigned long)c->image_block_size, (unsigned long)c->image_max_size,
           c->has_firmware_key ? "set" : "none", c->has_firmware_pub ? "set" : "none",
           a->bank_path[0] ? a->bank_path : "a temporary file",
           a->image_disabled ? " (transfer disabled)" : "");
    return 0;
}

static void image_close(struct app *a)
{
    if (a->bank_fd >= 0) {
        close(a->bank_fd);
        a->bank_fd = -1;
    }
    free(a->image_bitmap);
    a->image_bitmap = NULL;
}

/* ---- settings written over DLMS: push setups, schedulers, passwords, port setups (one snapshot) */

static void w8(uint8_t **p, uint8_t v)
{
    *(*p)++ = v;
}

static void w16(uint8_t **p, uint16_t v)
{
    mtr_put_be16(*p, v);
    *p += 2;
}

static mtr_err_t settings_save(struct app *a)
{
    static uint8_t buf[VM_SETTINGS_RECORD];
    uint8_t *p = buf;
    mtr_put_be32(p, VM_SETTINGS_MAGIC);
    p += 4;
    for (unsigned i = 0; i < MTR_COSEM_PUSHES; i++) {
        const struct mtr_cosem_push_setup *ps = &a->push[i];
        w8(&p, ps->nobjects);
        for (unsigned k = 0; k < ps->nobjects; k++) {
            w16(&p, ps->objects[k].class_id);
            memcpy(p, ps->objects[k].obis, 6);
            p += 6;
            w8(&p, (uint8_t)ps->objects[k].attr);
            w16(&p, ps->objects[k].data_index);
        }
        w8(&p, ps->transport);
        w8(&p, ps->message);
        w8(&p, ps->dest_len);
        memcpy(p, ps->dest, ps->dest_len);
        p += ps->dest_len;
        w8(&p, ps->nwindows);
        for (unsigned k = 0; k < ps->nwindows; k++) {
            memcpy(p, ps->windows[k], 24);
            p += 24;
        }
        w16(&p, ps->randomisation_s);
        w8(&p, ps->retries);
        w16(&p, ps->repetition_s);
    }
    for (unsigned i = 0; i < MTR_COSEM_SCHEDULERS; i++) {
        w8(&p, a->schedule[i].ntimes);
        for (unsigned k = 0; k < a->schedule[i].ntimes; k++) {
            memcpy(p, a->schedule[i].times[k], 9);
            p += 9;
        }
    }
    w8(&p, (uint8_t)a->conf.nclients);
    for (unsigned i = 0; i < a->conf.nclients; i++) {
        w16(&p, a->conf.clients[i].sap);
        w8(&p, a->conf.clients[i].password_len);
        memcpy(p, a->conf.clients[i].password, a->conf.clients[i].password_len);
        p += a->conf.clients[i].password_len;
    }
    w16(&p, a->tcp.port);
    memcpy(p, a->tcp.ip_ref, 6);
    p += 6;
    w16(&p, a->tcp.mss);
    w8(&p, a->tcp.nb_sim_conn);
    w16(&p, a->tcp.inactivity_s);
    w8(&p, a->hdlc_setup.speed);
    w8(&p, a->hdlc_setup.window_tx);
    w8(&p, a->hdlc_setup.window_rx);
    w16(&p, a->hdlc_setup.max_info_tx);
    w16(&p, a->hdlc_setup.max_info_rx);
    w16(&p, a->hdlc_setup.inter_octet_ms);
    w16(&p, a->hdlc_setup.inactivity_s);
    w16(&p, a->hdlc_setup.address);
    w8(&p, a->local_port.mode);
    w8(&p, a->local_port.default_baud);
    w8(&p, a->local_port.prop_baud);
    w8(&p, a->local_port.response_time);
    w8(&p, a->local_port.addr_len);
    memcpy(p, a->local_port.addr, a->local_port.addr_len);
    p += a->local_port.addr_len;
    return mtr_store_commit(&a->store, PART_SETTINGS, buf, (size_t)(p - buf));
}

struct rd {
    const uint8_t *p, *end;
    bool bad;
};

static const uint8_t *take(struct rd *r, size_t n)
{
    if (r->bad || (size_t)(r->end - r->p) < n) {
        r->bad = true;
        return NULL;
    }
    const uint8_t *q = r->p;
    r->p += n;
    return q;
}

static uint8_t r8(struct rd *r)
{
    const uint8_t *q = take(r, 1);
    return q ? q[0] : 0;
}

static uint16_t r16(struct rd *r)
{
    const uint8_t *q = take(r, 2);
    return q ? mtr_get_be16(q) : 0;
}

/* Adopt saved settings; a record that does not fit this build is ignored. */
static void settings_load(struct app *a)
{
    static uint8_t buf[VM_SETTINGS_RECORD];
    size_t len = 0;
    if (mtr_store_load(&a->store, PART_SETTINGS, buf, sizeof buf, &len, NULL) != MTR_OK ||
        len < 4 || mtr_get_be32(buf) != VM_SETTINGS_MAGIC) {
        return;
    }
    struct rd r = {buf + 4, buf + len, false};
    static struct mtr_cosem_push_setup push[MTR_COSEM_PUSHES];
    static struct mtr_cosem_capture objs[MTR_COSEM_PUSHES][VM_PUSH_OBJECTS];
    static uint8_t dest[MTR_COSEM_PUSHES][VM_PUSH_DEST];
    static uint8_t win[MTR_COSEM_PUSHES][VM_PUSH_WINDOWS][24];
    static uint8_t times[MTR_COSEM_SCHEDULERS][VM_SCHED_TIMES][9];
    uint8_t ntimes[MTR_COSEM_SCHEDULERS];
    for (unsigned i = 0; i < MTR_COSEM_PUSHES && !r.bad; i++) {
        struct mtr_cosem_push_setup *ps = &push[i];
        memset(ps, 0, sizeof *ps);
        ps->nobjects = r8(&r);
        if (ps->nobjects > VM_PUSH_OBJECTS) {
            r.bad = true;
            break;
        }
        for (unsigned k = 0; k < ps->nobjects; k++) {
            objs[i][k].class_id = r16(&r);
            const uint8_t *o = take(&r, 6);
            if (o != NULL) {
                memcpy(objs[i][k].obis, o, 6);
            }
            objs[i][k].attr = (int8_t)r8(&r);
            objs[i][k].data_index = r16(&r);
        }
        ps->transport = r8(&r);
        ps->message = r8(&r);
        ps->dest_len = r8(&r);
        const uint8_t *d = ps->dest_len <= VM_PUSH_DEST ? take(&r, ps->dest_len) : NULL;
        if (d == NULL) {
            r.bad = true;
            break;
        }
        memcpy(dest[i], d, ps->dest_len);
        ps->nwindows = r8(&r);
        if (ps->nwindows > VM_PUSH_WINDOWS) {
            r.bad = true;
            break;
        }
        for (unsigned k = 0; k < ps->nwindows; k++) {
            const uint8_t *w = take(&r, 24);
            if (w != NULL) {
                memcpy(win[i][k], w, 24);
            }
        }
        ps->randomisation_s = r16(&r);
        ps->retries = r8(&r);
        ps->repetition_s = r16(&r);
    }
    for (unsigned i = 0; i < MTR_COSEM_SCHEDULERS && !r.bad; i++) {
        ntimes[i] = r8(&r);
        if (ntimes[i] > VM_SCHED_TIMES) {
            r.bad = true;
            break;
        }
        for (unsigned k = 0; k < ntimes[i]; k++) {
            const uint8_t *t = take(&r, 9);
            if (t != NULL) {
                memcpy(times[i][k], t, 9);
            }
        }
    }
    unsigned nclients = r8(&r);
    const uint8_t *pw_start = r.p;
    for (unsigned i = 0; i < nclients && !r.bad; i++) {
        (void)r16(&r);
        uint8_t n = r8(&r);
        (void)take(&r, n);
    }
    const uint8_t *pw_end = r.p;
    struct mtr_cosem_tcp tcp;
    struct mtr_cosem_hdlc hd;
    struct mtr_cosem_local_port lp;
    memset(&lp, 0, sizeof lp);
    tcp.port = r16(&r);
    const uint8_t *ipref = take(&r, 6);
    if (ipref != NULL) {
        memcpy(tcp.ip_ref, ipref, 6);
    }
    tcp.mss = r16(&r);
    tcp.nb_sim_conn = r8(&r);
    tcp.inactivity_s = r16(&r);
    hd.speed = r8(&r);
    hd.window_tx = r8(&r);
    hd.window_rx = r8(&r);
    hd.max_info_tx = r16(&r);
    hd.max_info_rx = r16(&r);
    hd.inter_octet_ms = r16(&r);
    hd.inactivity_s = r16(&r);
    hd.address = r16(&r);
    lp.mode = r8(&r);
    lp.default_baud = r8(&r);
    lp.prop_baud = r8(&r);
    lp.response_time = r8(&r);
    lp.addr_len = r8(&r);
    const uint8_t *la = lp.addr_len <= sizeof lp.addr ? take(&r, lp.addr_len) : NULL;
    if (la == NULL) {
        r.bad = true;
    } else {
        memcpy(lp.addr, la, lp.addr_len);
    }
    if (r.bad || r.p != r.end) {
        vm_log("settings", "saved settings do not fit this build: defaults kept");
        return;
    }
    for (unsigned i = 0; i < MTR_COSEM_PUSHES; i++) {
        struct mtr_cosem_push_setup *ps = &a->push[i];
        ps->nobjects = push[i].nobjects;
        memcpy(ps->objects, objs[i], sizeof objs[i]);
        ps->transport = push[i].transport;
        ps->message = push[i].message;
        ps->dest_len = push[i].dest_len;
        memcpy(ps->dest, dest[i], VM_PUSH_DEST);
        ps->nwindows = push[i].nwindows;
        memcpy(ps->windows, win[i], sizeof win[i]);
        ps->randomisation_s = push[i].randomisation_s;
        ps->retries = push[i].retries;
        ps->repetition_s = push[i].repetition_s;
    }
    for (unsigned i = 0; i < MTR_COSEM_SCHEDULERS; i++) {
        a->schedule[i].ntimes = ntimes[i];
        memcpy(a->schedule[i].times, times[i], sizeof times[i]);
    }
    a->tcp = tcp;
    a->hdlc_setup = hd;
    a->local_port = lp;
    /* passwords changed over DLMS (attribute 7 of the association) */
    struct rd q = {pw_start, pw_end, false};
    for (unsigned i = 0; i < nclients; i++) {
        uint16_t sap = r16(&q);
        uint8_t n = r8(&q);
        const uint8_t *pw = take(&q, n);
        for (unsigned k = 0; k < a->conf.nclients; k++) {
            struct vm_client *c = &a->conf.clients[k];
            if (c->sap == sap && c->mech == MTR_DLMS_MECH_LLS && n > 0 && n <= 64 && pw != NULL) {
                memcpy(c->password, pw, n);
                c->password_len = n;
                a->assocs[k].secret_len = n;
            }
        }
    }
}

static void on_changed(void *user, uint8_t what, uint8_t index)
{
    struct app *a = user;
    static const char *const names[] = {"?", "TCP-UDP setup", "HDLC setup", "local port setup",
                                        "push setup", "push scheduler", "image transfer"};
    vm_log("settings", "%s %u changed", what < 7 ? names[what] : "setting", (unsigned)index);
    mtr_err_t rc;
    if (what == MTR_COSEM_SETTING_IMAGE && a->image_ready) {
        /* image_transfer_enabled: kept in the firmware record */
        a->image_disabled = !mtr_image_enabled(&a->image);
        rc = fw_save(a);
    } else {
        rc = settings_save(a);
    }
    if (rc != MTR_OK) {
        vm_log("settings", "not saved: %s", mtr_strerror(rc));
    }
}

static mtr_err_t on_set_secret(void *user, uint16_t client_sap, const uint8_t *secret, size_t len)
{
    struct app *a = user;
    if (len == 0 || len > 64) {
        return MTR_ERR_RANGE;
    }
    for (unsigned k = 0; k < a->conf.nclients; k++) {
        struct vm_client *c = &a->conf.clients[k];
        if (c->sap == client_sap && c->mech == MTR_DLMS_MECH_LLS) {
            memcpy(c->password, secret, len);
            c->password_len = (uint8_t)len;
            a->assocs[k].secret_len = (uint8_t)len;
            vm_log("settings", "client %u: LLS password changed", (unsigned)client_sap);
            return settings_save(a);
        }
    }
    return MTR_ERR_NOTSUP;
}

static const char *push_name(unsigned i)
{
    static const char *const names[] = {"on connectivity", "interval 1", "interval 2",
                                        "interval 3",      "on alarm",   "on installation"};
    return i < MTR_COSEM_PUSHES ? names[i] : "?";
}

/*
 * Send a data-notification to "host:port" over TCP, in a wrapper frame from
 * the management logical device (wPort 1) to the client wPort 1.
 */
static mtr_err_t on_push_send(void *user, uint8_t push, const struct mtr_cosem_push_setup *setup,
                              const uint8_t *apdu, size_t len)
{
    struct app *a = user;
    char dest[300];
    if (setup->dest_len > 0) {
        memcpy(dest, setup->dest, setup->dest_len);
        dest[setup->dest_len] = '\0';
    } else if (a->conf.push_host[0] != '\0') {
        snprintf(dest, sizeof dest, "%s:%u", a->conf.push_host, (unsigned)a->conf.push_port);
    } else {
        vm_log("push", "%s: no destination", push_name(push));
        return MTR_ERR_CONFIG;
    }
    if (setup->transport != MTR_COSEM_TRANSPORT_TCP) {
        vm_log("push", "%s: transport %u not served by the virtual meter", push_name(push),
               (unsigned)setup->transport);
        return MTR_ERR_NOTSUP;
    }
    char *colon = strrchr(dest, ':');
    if (colon == NULL || len > 0xFFFF) {
        vm_log("push", "%s: destination '%s' is not host:port", push_name(push), dest);
        return MTR_ERR_CONFIG;
    }
    *colon = '\0';
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(dest, colon + 1, &hints, &res) != 0 || res == NULL) {
        vm_log("push", "%s: unknown host %s", push_name(push), dest);
        return MTR_ERR_IO;
    }
    int fd = socket(res->ai_family, res->ai_socktype, res->ai_protocol);
    struct timeval tv = {.tv_sec = 2, .tv_usec = 0};
    mtr_err_t rc = MTR_ERR_IO;
    if (fd >= 0) {
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        if (connect(fd, res->ai_addr, res->ai_addrlen) == 0) {
            uint8_t hdr[MTR_DLMS_WRAPPER_HEADER];
            struct mtr_dlms_wrapper_hdr h = {.src = 1, .dst = 1, .len = (uint16_t)len};
            mtr_dlms_wrapper_put(hdr, &h);
            if (send_all_blocking(fd, hdr, sizeof hdr) == 0 &&
                send_all_blocking(fd, apdu, len) == 0) {
                rc = MTR_OK;
            }
        }
        close(fd);
    }
    freeaddrinfo(res);
    vm_log("push", "%s: data-notification of %zu B to %s:%s %s", push_name(push), len, dest,
           colon + 1, rc == MTR_OK ? "sent" : "failed");
    return rc;
}

/* Default push setups: the alarm push carries its own name and the alarm registers
 * (IDIS), the others their own name and the clock; destination from the configuration. */
static void push_defaults(struct app *a)
{
    static const uint8_t own[MTR_COSEM_PUSHES][6] = {
        {0, 0, 25, 9, 0, 255}, {0, 1, 25, 9, 0, 255}, {0, 2, 25, 9, 0, 255},
        {0, 3, 25, 9, 0, 255}, {0, 4, 25, 9, 0, 255}, {0, 7, 25, 9, 0, 255}};
    for (unsigned i = 0; i < MTR_COSEM_PUSHES; i++) {
        struct mtr_cosem_push_setup *ps = &a->push[i];
        memset(ps, 0, sizeof *ps);
        ps->objects = a->push_objects[i];
        ps->objects_cap = VM_PUSH_OBJECTS;
        ps->dest = a->push_dest[i];
        ps->dest_cap = VM_PUSH_DEST;
        ps->windows = a->push_windows[i];
        ps->windows_cap = VM_PUSH_WINDOWS;
        ps->transport = MTR_COSEM_TRANSPORT_TCP;
        ps->retries = 3;
        ps->repetition_s = 30;
        ps->objects[0] = (struct mtr_cosem_capture){40, {0}, 1, 0};
        memcpy(ps->objects[0].obis, own[i], 6);
        if (i == MTR_COSEM_PUSH_ALARM) {
            ps->objects[1] = (struct mtr_cosem_capture){1, {0, 0, 97, 98, 0, 255}, 2, 0};
            ps->objects[2] = (struct mtr_cosem_capture){1, {0, 0, 97, 98, 1, 255}, 2, 0};
            ps->nobjects = 3;
        } else {
            ps->objects[1] = (struct mtr_cosem_capture){8, {0, 0, 1, 0, 0, 255}, 2, 0};
            ps->nobjects = 2;
        }
        if (a->conf.push_host[0] != '\0') {
            int n = snprintf((char *)ps->dest, VM_PUSH_DEST, "%s:%u", a->conf.push_host,
                             (unsigned)a->conf.push_port);
            ps->dest_len = (uint8_t)(n < VM_PUSH_DEST ? n : VM_PUSH_DEST - 1);
        }
    }
    for (unsigned i = 0; i < MTR_COSEM_SCHEDULERS; i++) {
        a->schedule[i] = (struct mtr_cosem_schedule){.times = a->sched_times[i], .ntimes = 0,
                                                     .times_cap = VM_SCHED_TIMES};
    }
}

/* After each APDU: log association changes, save the counters when due. */
static void after_apdu(struct app *a, const char *chan, uint16_t sap, uint8_t *state,
                       uint32_t *auth_seen, const struct mtr_dlms_server *srv)
{
    uint8_t now = mtr_dlms_server_state(srv);
    uint32_t fails = mtr_dlms_server_counters(srv)->auth_failures;
    bool refused = fails != *auth_seen;
    *auth_seen = fails;
    const struct vm_client *cl = vm_config_client(&a->conf, sap);
    if (now != *state) {
        if (now == MTR_DLMS_ASSOC_ASSOCIATED) {
            vm_log("dlms", "%s association opened: client %u (%s, %s)", chan, (unsigned)sap,
                   cl ? vm_role_name(cl->role) : "?", cl ? vm_mech_name(cl->mech) : "?");
        } else if (now == MTR_DLMS_ASSOC_PENDING) {
            vm_log("dlms", "%s association pending: client %u must answer the HLS challenge", chan,
                   (unsigned)sap);
        } else {
            vm_log("dlms", "%s association released: client %u", chan, (unsigned)sap);
        }
        *state = now;
    } else if (refused) {
        vm_log("dlms", "%s association refused: client %u: authentication failure", chan,
               (unsigned)sap);
    }
    if (a->fw_changed) {
        fw_apply(a);
    }
    if (mtr_dlms_security_save_due(&a->sec)) {
        mtr_err_t src = host_save(a);
        if (src != MTR_OK) {
            vm_log("dlms", "saving the invocation counters failed: %s", mtr_strerror(src));
        }
    }
}

static void server_cfg(struct app *a, struct mtr_dlms_server_cfg *cfg, uint8_t *blk, size_t blk_cap,
                       bool local)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->hal = &a->hal;
    cfg->objects = a->objects;
    cfg->nobjects = a->nobjects;
    cfg->assocs = a->assocs;
    cfg->nassocs = (uint8_t)a->conf.nclients;
    cfg->max_pdu = MTR_CFG_DLMS_MAX_APDU;
    cfg->conformance = MTR_DLMS_CONF_SERVER;
    cfg->sec = a->has_crypto ? &a->sec : NULL;
    memcpy(cfg->security_setup, SECURITY_SETUP, 6);
    cfg->blk = blk;
    cfg->blk_cap = blk_cap;
    cfg->on_event = on_dlms_event;
    cfg->user = &a->cosem;
    cfg->local_port = local;
}

static int dlms_setup(struct app *a, const struct opts *o)
{
    struct vm_config *c = &a->conf;
    a->has_crypto = a->hal.crypto != NULL;
    memcpy(a->sec.system_title, c->system_title, 8);
    memcpy(a->sec.ek, c->ek, 16);
    memcpy(a->sec.ak, c->ak, 16);
    memcpy(a->sec.bk, c->bk, 16);
    memcpy(a->sec.kek, c->kek, 16);
    a->sec.tx_ic = 1;
    unsigned n = 0;
    for (unsigned i = 0; i < c->nclients; i++) {
        const struct vm_client *e = &c->clients[i];
        if (!a->has_crypto && (e->mech == MTR_DLMS_MECH_HLS_GMAC || e->policy != 0)) {
            fprintf(stderr,
                    "virtual-meter: client %u needs ciphering: this build has no crypto "
                    "(mbedTLS); client left out\n",
                    (unsigned)e->sap);
            continue;
        }
        a->assocs[n] = (struct mtr_dlms_assoc_cfg){
            .client_sap = e->sap, .mechanism = e->mech, .policy = e->policy,
            .profile = e->role, .flags = e->flags, .secret_len = e->password_len,
            .secret = e->password_len ? e->password : NULL, .conformance = MTR_DLMS_CONF_SERVER,
            .client_title = e->has_title ? e->title : NULL};
        if (e->role == VM_ROLE_PUBLIC) {
            /* seed: public reads basic parameters only */
            a->assocs[n].conformance = MTR_DLMS_CONF_GET | MTR_DLMS_CONF_BLOCK_GET |
                                       MTR_DLMS_CONF_MULTIPLE_REFS |
                                       MTR_DLMS_CONF_SELECTIVE_ACCESS;
        }
        n++;
    }
    if (n == 0) {
        fprintf(stderr, "virtual-meter: no client can associate\n");
        return 2;
    }
    /* clients left out: keep the table and the configuration in the same order */
    if (n != c->nclients) {
        unsigned k = 0;
        for (unsigned i = 0; i < c->nclients; i++) {
            if (a->has_crypto || (c->clients[i].mech != MTR_DLMS_MECH_HLS_GMAC &&
                                  c->clients[i].policy == 0)) {
                c->clients[k++] = c->clients[i];
            }
        }
        c->nclients = n;
        for (unsigned i = 0; i < n; i++) {
            a->assocs[i].secret = c->clients[i].password_len ? c->clients[i].password : NULL;
            a->assocs[i].client_title = c->clients[i].has_title ? c->clients[i].title : NULL;
        }
    }
    push_defaults(a);
    int port = o->port_given ? o->port : c->port;
    a->tcp = (struct mtr_cosem_tcp){.port = (uint16_t)(port > 0 ? port : MTR_DLMS_WRAPPER_TCP_PORT),
                                    .ip_ref = {0, 0, 25, 1, 0, 255}, .mss = 576,
                                    .nb_sim_conn = (uint8_t)c->max_connections,
                                    .inactivity_s = (uint16_t)c->inactivity_s};
    a->hdlc_setup = (struct mtr_cosem_hdlc){
        .speed = 5, .window_tx = 1, .window_rx = 1, .max_info_tx = MTR_CFG_DLMS_HDLC_MAX_INFO,
        .max_info_rx = MTR_CFG_DLMS_HDLC_MAX_INFO, .inter_octet_ms = MTR_CFG_DLMS_HDLC_INTER_OCTET_MS,
        .inactivity_s = (uint16_t)c->inactivity_s, .address = (uint16_t)(0x10 + c->hdlc_address)};
    a->local_port = (struct mtr_cosem_local_port){.mode = 1, .default_baud = 0, .prop_baud = 5,
                                                  .response_time = 0, .addr_len = 0};
    /* what a head-end wrote over DLMS replaces the defaults (the ports actually served
     * still follow the options and the configuration file) */
    settings_load(a);
    fw_load(a);
    if (image_setup(a, o) != 0) {
        return 1;
    }
    a->cosem_cfg = (struct mtr_cosem_config){
        .hal = &a->hal, .meter = &a->meter, .sec = &a->sec, .server_sap = 1,
        .device_name = (const uint8_t *)c->serial, .device_name_len = (uint8_t)strlen(c->serial),
        .fw_version = a->fw_version, .fw_version_len = a->fw_version_len,
        .fw_version_lnr = a->fw_version, .fw_version_lnr_len = a->fw_version_len,
        .fw_signature = a->fw_signature,
        .fw_signature_len = sizeof a->fw_signature, .tcp = &a->tcp, .hdlc = &a->hdlc_setup,
        .local_port = &a->local_port, .push = a->push, .schedule = a->schedule,
        .push_policy = MTR_DLMS_POLICY_NONE, .push_buf = a->push_buf,
        .push_buf_size = sizeof a->push_buf, .push_send = on_push_send,
        .set_secret = on_set_secret, .changed = on_changed, .user = a,
        .image = a->image_ready ? &a->image : NULL};
    mtr_err_t rc = mtr_cosem_init(&a->cosem, &a->cosem_cfg);
    if (rc != MTR_OK) {
        fprintf(stderr, "virtual-meter: object table: %s\n", mtr_strerror(rc));
        return 1;
    }
    a->cosem_ready = true;
    {
        char text[2 * VM_FW_ID_MAX + 1];
        id_text(a->fw_version, a->fw_version_len, text, sizeof text);
        if (a->fw_size != 0) {
            char when[32];
            format_utc((mtr_utc_t)a->fw_activated, when, sizeof when);
            printf("virtual-meter: firmware %s (image of %lu B activated %s)\n", text,
                   (unsigned long)a->fw_size, when);
        } else {
            printf("virtual-meter: firmware %s (built in)\n", text);
        }
    }
    a->objects = mtr_cosem_table(&a->nobjects);
    a->conns = calloc(c->max_connections, sizeof *a->conns);
    if (a->conns == NULL) {
        fprintf(stderr, "virtual-meter: out of memory\n");
        return 1;
    }
    a->nconns = c->max_connections;
    for (unsigned i = 0; i < a->nconns; i++) {
        a->conns[i].fd = -1;
    }
    /* a server over the configuration: checks the association table once */
    struct mtr_dlms_server_cfg probe;
    static uint8_t probe_blk[16];
    struct mtr_dlms_server probe_srv;
    server_cfg(a, &probe, probe_blk, sizeof probe_blk, false);
    if ((rc = mtr_dlms_server_init(&probe_srv, &probe)) != MTR_OK) {
        fprintf(stderr, "virtual-meter: DLMS server: %s (check the client table)\n",
                mtr_strerror(rc));
        return 2;
    }

    a->listen_fd = -1;
    if (port >= 0) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        int one = 1;
        struct sockaddr_in sa;
        memset(&sa, 0, sizeof sa);
        sa.sin_family = AF_INET;
        sa.sin_port = htons((uint16_t)port);
        if (inet_pton(AF_INET, c->bind, &sa.sin_addr) != 1) {
            fprintf(stderr, "virtual-meter: bind address '%s' is not an IPv4 address\n", c->bind);
            if (fd >= 0) {
                close(fd);
            }
            return 2;
        }
        if (fd >= 0) {
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        }
        if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 8) != 0) {
            int err = errno;
            if (fd >= 0) {
                close(fd);
            }
            if (o->port_given || c->port != MTR_DLMS_WRAPPER_TCP_PORT) {
                fprintf(stderr, "virtual-meter: cannot listen on %s:%d: %s\n", c->bind, port,
                        strerror(err));
                return 1;
            }
            /* the default port is taken (another meter?): go on without TCP */
            printf("virtual-meter: port %d busy (%s): no DLMS over TCP (use --port)\n", port,
                   strerror(err));
        } else {
            socklen_t sl = sizeof sa;
            getsockname(fd, (struct sockaddr *)&sa, &sl);
            a->bound_port = ntohs(sa.sin_port);
            fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
            a->listen_fd = fd;
            printf("virtual-meter: DLMS wrapper listening on %s:%u (%u objects, %u clients)\n",
                   c->bind, (unsigned)a->bound_port, (unsigned)a->nobjects, n);
        }
    }
    return 0;
}

static mtr_err_t hdlc_on_apdu(void *user, const uint8_t *apdu, size_t len, uint8_t *resp,
                              size_t cap, size_t *resp_len)
{
    struct app *a = user;
    struct hdlc_port *h = &a->hdlc;
    char req[96], res[96], chan[32];
    uint16_t sap = h->link.client;
    request_summary(apdu, len, req, sizeof req);
    mtr_err_t rc = mtr_dlms_server_hdlc_apdu(&h->srv, apdu, len, resp, cap, resp_len);
    response_summary(resp, *resp_len, res, sizeof res);
    snprintf(chan, sizeof chan, "hdlc client %u", (unsigned)sap);
    if (a->quiet < 2) {
        vm_log("dlms", "%s: %s -> %s", chan, req, res);
    }
    after_apdu(a, "hdlc", sap, &h->state, &h->auth_seen, &h->srv);
    return rc;
}

static int hdlc_setup(struct app *a)
{
    struct hdlc_port *h = &a->hdlc;
    char name[128];
    if (openpty(&h->master, &h->slave, name, NULL, NULL) != 0) {
        fprintf(stderr, "virtual-meter: openpty: %s\n", strerror(errno));
        return 1;
    }
    struct termios tio;
    if (tcgetattr(h->slave, &tio) == 0) {
        cfmakeraw(&tio);
        tcsetattr(h->slave, TCSANOW, &tio);
    }
    fcntl(h->master, F_SETFL, fcntl(h->master, F_GETFL) | O_NONBLOCK);
    snprintf(h->path, sizeof h->path, "%s", name);
    server_cfg(a, &h->cfg, h->blk, sizeof h->blk, true);
    mtr_err_t rc = mtr_dlms_server_init(&h->srv, &h->cfg);
    struct mtr_dlms_hdlc_cfg hc = {
        .upper = a->conf.hdlc_address, .lower = 0, .max_info = MTR_CFG_DLMS_HDLC_MAX_INFO,
        .window = MTR_CFG_DLMS_HDLC_WINDOW, .inactivity_ms = a->conf.inactivity_s * 1000u,
        .rx_apdu = h->rx_apdu, .rx_cap = sizeof h->rx_apdu, .tx_apdu = h->tx_apdu,
        .tx_cap = sizeof h->tx_apdu, .on_apdu = hdlc_on_apdu, .user = a};
    if (rc == MTR_OK) {
        rc = mtr_dlms_hdlc_init(&h->link, &hc);
    }
    if (rc != MTR_OK) {
        fprintf(stderr, "virtual-meter: HDLC: %s\n", mtr_strerror(rc));
        return 1;
    }
    mtr_dlms_server_attach_hdlc(&h->srv, &h->link);
    h->active = true;
    printf("virtual-meter: HDLC on %s (server address %u)\n", h->path,
           (unsigned)a->conf.hdlc_address);
    return 0;
}

static void hdlc_input(struct app *a)
{
    struct hdlc_port *h = &a->hdlc;
    uint8_t in[512];
    static uint8_t out[MTR_DLMS_HDLC_WIRE_MAX];
    ssize_t got;
    while ((got = read(h->master, in, sizeof in)) > 0) {
        const uint8_t *p = in;
        const uint8_t *end = in + got;
        while (p < end) {
            size_t olen = 0;
            mtr_ms_t now = (mtr_ms_t)mono_ms();
            mtr_err_t rc = mtr_dlms_hdlc_input(&h->link, now, &p, end, out, sizeof out, &olen);
            if (olen > 0 && write(h->master, out, olen) < 0) {
                vm_log("hdlc", "write: %s", strerror(errno));
            }
            if (rc == MTR_ERR_EMPTY) {
                break;
            }
        }
        uint8_t ls = mtr_dlms_hdlc_state(&h->link);
        if (ls != h->link_state) {
            vm_log("hdlc", "link %s (client %u)", ls == MTR_DLMS_HDLC_NRM ? "connected" : "disconnected",
                   (unsigned)h->link.client);
            if (ls == MTR_DLMS_HDLC_NDM) {
                mtr_dlms_server_abort(&h->srv);
                h->state = MTR_DLMS_ASSOC_IDLE;
            }
            h->link_state = ls;
        }
    }
}

static void hdlc_poll(struct app *a)
{
    struct hdlc_port *h = &a->hdlc;
    if (h->active && mtr_dlms_hdlc_poll(&h->link, (mtr_ms_t)mono_ms())) {
        vm_log("hdlc", "inactivity time-out: link disconnected");
        mtr_dlms_server_abort(&h->srv);
        h->state = MTR_DLMS_ASSOC_IDLE;
        h->link_state = MTR_DLMS_HDLC_NDM;
    }
}

static void conn_close(struct app *a, struct conn *c, const char *why)
{
    (void)a;
    if (c->state != MTR_DLMS_ASSOC_IDLE) {
        mtr_dlms_server_abort(&c->srv);
    }
    vm_log("dlms", "tcp#%u %s: connection closed (%s)", c->id, c->peer, why);
    close(c->fd);
    c->fd = -1;
}

static void conn_accept(struct app *a)
{
    for (;;) {
        struct sockaddr_in sa;
        socklen_t sl = sizeof sa;
        int fd = accept(a->listen_fd, (struct sockaddr *)&sa, &sl);
        if (fd < 0) {
            return;
        }
        struct conn *c = NULL;
        for (unsigned i = 0; i < a->nconns; i++) {
            if (a->conns[i].fd < 0) {
                c = &a->conns[i];
                break;
            }
        }
        char peer[64];
        char ip[INET_ADDRSTRLEN] = "?";
        inet_ntop(AF_INET, &sa.sin_addr, ip, sizeof ip);
        snprintf(peer, sizeof peer, "%s:%u", ip, (unsigned)ntohs(sa.sin_port));
        if (c == NULL) {
            vm_log("dlms", "connection from %s refused: %u connections open", peer, a->nconns);
            close(fd);
            continue;
        }
        memset(c, 0, offsetof(struct conn, rxbuf));
        c->fd = fd;
        c->id = ++a->next_id;
        snprintf(c->peer, sizeof c->peer, "%s", peer);
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct timeval tv = {.tv_sec = 2, .tv_usec = 0};
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        server_cfg(a, &c->cfg, c->blk, sizeof c->blk, false);
        mtr_err_t rc = mtr_dlms_server_init(&c->srv, &c->cfg);
        mtr_dlms_wrapper_rx_init(&c->rx, c->rxbuf, sizeof c->rxbuf, 1);
        c->last_ms = mono_ms();
        c->auth_seen = 0;
        c->state = MTR_DLMS_ASSOC_IDLE;
        if (rc != MTR_OK) {
            conn_close(a, c, mtr_strerror(rc));
            continue;
        }
        vm_log("dlms", "tcp#%u %s: connection opened", c->id, c->peer);
    }
}

static int send_all(int fd, const uint8_t *b, size_t n)
{
    while (n > 0) {
        ssize_t k = send(fd, b, n, MSG_NOSIGNAL);
        if (k < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                struct pollfd pf = {.fd = fd, .events = POLLOUT};
                if (poll(&pf, 1, 2000) <= 0) {
                    return -1;
                }
                continue;
            }
            return -1;
        }
        b += k;
        n -= (size_t)k;
    }
    return 0;
}

static void conn_input(struct app *a, struct conn *c)
{
    uint8_t in[2048];
    ssize_t got = recv(c->fd, in, sizeof in, 0);
    if (got == 0) {
        conn_close(a, c, "peer closed");
        return;
    }
    if (got < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            conn_close(a, c, strerror(errno));
        }
        return;
    }
    c->last_ms = mono_ms();
    const uint8_t *p = in;
    const uint8_t *end = in + got;
    while (p < end && c->fd >= 0) {
        struct mtr_dlms_wrapper_hdr h;
        mtr_err_t rc = mtr_dlms_wrapper_feed(&c->rx, &p, end, &h);
        if (rc == MTR_ERR_EMPTY) {
            break;
        }
        if (rc != MTR_OK) {
            conn_close(a, c, mtr_strerror(rc));
            return;
        }
        char req[96], res[96], chan[48];
        request_summary(c->rxbuf, h.len, req, sizeof req);
        size_t olen = 0;
        rc = mtr_dlms_server_apdu(&c->srv, h.src, c->rxbuf, h.len, a->out + MTR_DLMS_WRAPPER_HEADER,
                                  sizeof a->out - MTR_DLMS_WRAPPER_HEADER, &olen);
        response_summary(a->out + MTR_DLMS_WRAPPER_HEADER, olen, res, sizeof res);
        snprintf(chan, sizeof chan, "tcp#%u", c->id);
        vm_log("dlms", "%s client %u: %s -> %s", chan, (unsigned)h.src, req, res);
        after_apdu(a, chan, h.src, &c->state, &c->auth_seen, &c->srv);
        if (olen > 0) {
            struct mtr_dlms_wrapper_hdr oh = {.src = 1, .dst = h.src, .len = (uint16_t)olen};
            mtr_dlms_wrapper_put(a->out, &oh);
            if (send_all(c->fd, a->out, olen + MTR_DLMS_WRAPPER_HEADER) != 0) {
                conn_close(a, c, "send failed");
                return;
            }
        }
    }
}

/* Wait for and serve I/O for at most @p timeout_ms. */
static void dlms_io(struct app *a, int timeout_ms)
{
    struct pollfd pf[VM_MAX_CONN + 2];
    struct conn *who[VM_MAX_CONN + 2];
    nfds_t n = 0;
    if (a->listen_fd >= 0) {
        pf[n] = (struct pollfd){.fd = a->listen_fd, .events = POLLIN};
        who[n++] = NULL;
    }
    int hdlc_ix = -1;
    if (a->hdlc.active) {
        hdlc_ix = (int)n;
        pf[n] = (struct pollfd){.fd = a->hdlc.master, .events = POLLIN};
        who[n++] = NULL;
    }
    for (unsigned i = 0; i < a->nconns && n < VM_MAX_CONN + 2; i++) {
        if (a->conns[i].fd >= 0) {
            pf[n] = (struct pollfd){.fd = a->conns[i].fd, .events = POLLIN};
            who[n++] = &a->conns[i];
        }
    }
    if (n == 0) {
        if (timeout_ms > 0) {
            struct timespec ts = {.tv_sec = timeout_ms / 1000,
                                  .tv_nsec = (long)(timeout_ms % 1000) * 1000000L};
            nanosleep(&ts, NULL);
        }
        return;
    }
    int k = poll(pf, n, timeout_ms);
    if (k > 0) {
        for (nfds_t i = 0; i < n; i++) {
            if (pf[i].revents == 0) {
                continue;
            }
            if (who[i] != NULL) {
                if (who[i]->fd >= 0) {
                    conn_input(a, who[i]);
                }
            } else if ((int)i == hdlc_ix) {
                hdlc_input(a);
            } else {
                conn_accept(a);
            }
        }
    }
    /* inactivity time-out */
    uint64_t now = mono_ms();
    for (unsigned i = 0; i < a->nconns; i++) {
        struct conn *c = &a->conns[i];
        if (c->fd >= 0 && a->conf.inactivity_s > 0 &&
            now - c->last_ms > (uint64_t)a->conf.inactivity_s * 1000u) {
            conn_close(a, c, "inactivity time-out");
        }
    }
    hdlc_poll(a);
}

static void dlms_close_all(struct app *a)
{
    for (unsigned i = 0; i < a->nconns; i++) {
        if (a->conns[i].fd >= 0) {
            conn_close(a, &a->conns[i], "meter stopping");
        }
    }
    if (a->listen_fd >= 0) {
        close(a->listen_fd);
        a->listen_fd = -1;
    }
    if (a->hdlc.active) {
        close(a->hdlc.master);
        close(a->hdlc.slave);
        a->hdlc.active = false;
    }
    free(a->conns);
    a->conns = NULL;
    image_close(a);
}
#endif /* VM_DLMS */

/* ------------------------------------------------------------------ setup */

/*
 * The synthetic waveform is periodic when it has no noise, no drift and a
 * whole number of cycles per second: then one second of frames played in a
 * loop gives exactly the same frames, and costs no sine per sample.
 */
static mtr_err_t cache_waveform(struct app *a)
{
    const struct mtr_sim_adc_cfg *c = &a->sim.cfg.adc;
    if (c->noise_lsb != 0 || c->drift_mhz_per_s != 0 || c->freq_mhz % 1000u != 0) {
        return MTR_OK;
    }
    struct mtr_sim_adc gen;
    memset(&gen, 0, sizeof gen);
    mtr_err_t rc = mtr_sim_adc_init(&gen, c);
    if (rc != MTR_OK) {
        return rc;
    }
    char path[] = "/tmp/virtual-meter-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) {
        mtr_sim_adc_free(&gen);
        return MTR_OK; /* no cache: the generator runs per sample */
    }
    close(fd);
    rc = mtr_sim_adc_write_file(&gen, path, 0, c->rate_hz);
    if (rc == MTR_OK) {
        rc = mtr_sim_adc_play(&a->sim, path);
    }
    unlink(path);
    mtr_sim_adc_free(&gen);
    return rc;
}

static int setup(struct app *a, const struct opts *o)
{
    g_app = a;
    struct mtr_sim_config cfg;
    mtr_sim_default_config(&cfg);
    cfg.utc_start = (mtr_utc_t)time(NULL);
    cfg.nvm_path = o->nvm;
    cfg.nvm_size = VM_NVM_SIZE;
    cfg.nvm_sector_size = VM_SECTOR;
    cfg.adc.rate_hz = o->adc_rate;
    cfg.adc_enabled = !o->no_load;
    cfg.entropy_seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
    mtr_err_t rc = mtr_sim_init(&a->sim, &cfg);
    if (rc != MTR_OK) {
        fprintf(stderr, "virtual-meter: simulated board: %s%s\n", mtr_strerror(rc),
                o->nvm ? " (an NVM file of another size? it must be 2 MiB)" : "");
        return 1;
    }
    mtr_sim_hal(&a->sim, &a->hal);
    if (o->no_load) {
        /* nothing to play */
    } else if (o->samples != NULL) {
        if ((rc = mtr_sim_adc_play(&a->sim, o->samples)) != MTR_OK) {
            fprintf(stderr, "virtual-meter: %s: %s\n", o->samples, mtr_strerror(rc));
            return 1;
        }
    } else if ((rc = cache_waveform(a)) != MTR_OK) {
        fprintf(stderr, "virtual-meter: synthetic load: %s\n", mtr_strerror(rc));
        return 1;
    }
    double codes = (double)((1L << (a->sim.cfg.adc.bits - 1)) - 1);
    a->v_lsb_mv = (double)cfg.adc.v_full_scale_mv / codes;
    a->i_lsb_ma = (double)cfg.adc.i_full_scale_ma / codes;
    a->quiet = o->quiet;

#if VM_ENGINES
    layout(a);
    /* The host record first: the clock continues where it was (offset to the
     * host's clock, as a battery-backed RTC), the DLMS counters above the last ones. */
    if (mtr_store_init(&a->store, &a->hal, &a->store_cfg) == MTR_OK && host_load(a) == 0) {
        a->host_restored = true;
        mtr_sim_set_utc(&a->sim, (mtr_utc_t)((int64_t)time(NULL) + a->clock_offset));
        if (o->start != NULL) {
            fprintf(stderr, "virtual-meter: --start ignored: the meter in %s keeps its clock\n",
                    o->nvm);
        }
    } else if (o->start != NULL) {
        mtr_utc_t t = 0;
        (void)parse_time(o->start, &t);
        mtr_sim_set_utc(&a->sim, t);
    }
    if ((rc = wire_engines(a, o->fast)) != MTR_OK) {
        return 1;
    }
#endif
    a->mc = (struct mtr_meter_config){.on_frames = on_frames, .user = a, .on_log = on_log};
#if VM_ENGINES
    a->mc.on_alarm = on_alarm;
#endif
#if VM_ENGINES
    a->mc.engines = &a->engines;
#endif
    if ((rc = mtr_meter_init(&a->meter, &a->hal, &a->mc)) != MTR_OK) {
        fprintf(stderr, "virtual-meter: meter init: %s\n", mtr_strerror(rc));
        return 1;
    }
#if VM_ENGINES
    struct mtr_meter_wiring w;
    mtr_meter_wiring(&a->meter, &w);
    if (w.calendar_restore != MTR_RESTORE_OK) {
        if ((rc = program_calendar(a)) != MTR_OK) {
            fprintf(stderr, "virtual-meter: calendar: %s\n", mtr_strerror(rc));
            return 1;
        }
        (void)mtr_meter_calendar_commit(&a->meter);
    }
    if (w.disconnect_restore != MTR_RESTORE_OK) {
        /* a new meter leaves the factory connected */
        mtr_ms_t now = 0;
        (void)a->hal.clock->ms_now(a->hal.ctx, &now);
        (void)mtr_disconnect_apply(&a->dc, 0, MTR_DC_T_E, now);
    }
#endif
    mtr_timer_init(&a->second, on_second, a);
    mtr_timer_start(&a->meter, &a->second, 1000, 1000);
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
    vm_config_default(&a.conf);
    if (o.config != NULL) {
        char err[512];
        if (vm_config_load(&a.conf, o.config, err, sizeof err) != 0) {
            fprintf(stderr, "virtual-meter: configuration: %s\n", err);
            return 2;
        }
    }
    if (setup(&a, &o) != 0) {
        return 1;
    }
    g_app = &a;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct mtr_adc_info adc = {0};
    (void)mtr_meter_adc_info(&a.meter, &adc);
    printf("virtual-meter: libmeter %s, %u Hz %u-bit ADC, %s load, NVM %s\n", mtr_version(),
           (unsigned)adc.rate_hz, (unsigned)adc.bits,
           o.samples ? o.samples : "synthetic", o.nvm ? o.nvm : "in RAM");
    struct mtr_meter_wiring w;
    mtr_meter_wiring(&a.meter, &w);
    print_registers(&a, w.energy_restore == MTR_RESTORE_OK ? "virtual-meter: restored"
                                                            : "virtual-meter: new registers");
#if VM_DLMS
    if ((rc = dlms_setup(&a, &o)) != 0) {
        return rc;
    }
    if (a.host_restored) {
        (void)host_load(&a); /* the invocation counters, now that the keys are in place */
    }
    if (o.pty && hdlc_setup(&a) != 0) {
        return 1;
    }
#else
    if (o.pty || o.port_given) {
        printf("virtual-meter: no DLMS in this build (needs the dlms and cosem engines)\n");
    }
#endif
    fflush(stdout);

    /* one DMA half-buffer of 40 frames at 4 kHz; without an ADC, one second */
    const uint32_t step_ms = o.no_load ? 1000 : 10;
    uint64_t total_ms = 0;
    const uint64_t real_start = mono_ms();
    while (!stop_requested && (o.seconds == 0 || (double)total_ms < o.seconds * 1000.0)) {
        /* simulated steps due now (as fast as possible: a batch) */
        uint64_t due = 8;
        int wait_ms = 0;
        if (o.speed > 0) {
            double target = (double)(mono_ms() - real_start) * o.speed;
            double behind = target - (double)total_ms;
            if (behind < (double)step_ms) {
                due = 0;
                wait_ms = (int)ceil(((double)step_ms - behind) / o.speed);
                if (wait_ms < 1) {
                    wait_ms = 1;
                }
                if (wait_ms > 50) {
                    wait_ms = 50;
                }
            } else {
                due = (uint64_t)(behind / step_ms);
                if (due > 200) {
                    due = 200; /* keep serving the ports while catching up */
                }
            }
        }
        for (uint64_t k = 0; k < due && !stop_requested; k++) {
            if (o.seconds != 0 && (double)total_ms >= o.seconds * 1000.0) {
                break;
            }
            mtr_sim_advance(&a.sim, step_ms);
            total_ms += step_ms;
            if (!o.no_load) {
                mtr_post_adc_ready(&a.meter);
            }
            uint32_t sleep_ms;
            if (mtr_poll(&a.meter, &sleep_ms) != MTR_OK) {
                fprintf(stderr, "virtual-meter: poll failed\n");
                stop_requested = 1;
            }
        }
#if VM_DLMS
        dlms_io(&a, wait_ms);
#else
        if (wait_ms > 0) {
            struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)wait_ms * 1000000L};
            nanosleep(&ts, NULL);
        }
#endif
    }
#if VM_DLMS
    dlms_close_all(&a);
#endif
    /* supply going down: the meter flushes its registers to the store */
    mtr_post_power_fail(&a.meter);
    (void)mtr_poll(&a.meter, NULL);
    mtr_err_t hrc = MTR_OK;
#if VM_ENGINES
    (void)mtr_meter_calendar_commit(&a.meter);
    (void)mtr_meter_prepaid_commit(&a.meter);
    hrc = host_save(&a);
#endif
    g_app = NULL;
    mtr_meter_wiring(&a.meter, &w);
    print_registers(&a, w.commit_errors == 0 && hrc == MTR_OK ? "virtual-meter: saved"
                                                               : "virtual-meter: NOT saved");
    struct mtr_meter_stats st;
    mtr_meter_stats(&a.meter, &st);
    printf("virtual-meter: %s after %.1f simulated s: polls=%lu events=%lu frames=%llu "
           "overruns=%lu dropped=%lu timer_runs=%lu\n",
           stop_requested ? "stopped by signal" : "done", (double)total_ms / 1000.0,
           (unsigned long)st.polls, (unsigned long)st.events, (unsigned long long)st.adc_frames,
           (unsigned long)st.adc_overruns, (unsigned long)st.dropped, (unsigned long)st.timer_runs);
    fflush(stdout);
    mtr_sim_free(&a.sim);
    return 0;
}
