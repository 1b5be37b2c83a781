/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The COSEM object table served by the DLMS server on mps2-an386, run under
 * QEMU with semihosting (tests/support/run_qemu_cosem.py).
 *
 * 1. mtr_meter_init() on the board HAL with every engine wired: metrology,
 *    clock, calendar, tariff, store (on the emulated NVM), disconnect,
 *    prepaid, profiles (load profile 1 and billing profile 1), events (the
 *    seed's logs but M-Bus) and quality; the RTC set to 2024-03-01T00:00:00Z.
 * 2. Two seconds of a synthetic 3-phase signal (230 V, 5 A lagging 30
 *    degrees) handed to the metrology engine (the board has no ADC), a step
 *    of the engines (mtr_meter_commit()) and two captures of load profile 1.
 * 3. An mtr_cosem context and an mtr_dlms_server over mtr_cosem_table(),
 *    then request APDUs built here, each response checked (APDU tags,
 *    results, the A-XDR value decoded by a walker of this file):
 *    - AARQ from the public client (SAP 16, no authentication): AARE accepted;
 *      GET 0-0:1.0.0.255 attribute 2 (clock): an octet-string of 12, the
 *      date set; GET 1-0:1.8.0.255 attribute 2: read-write-denied (the
 *      public role reads basic parameters only, docs/objects.md); RLRQ.
 *    - AARQ from the management client (SAP 1, LLS) with a wrong password:
 *      refused; with the right one: accepted. GET 1-0:1.8.0.255 attribute 2:
 *      long64-unsigned, > 0 and equal to mtr_meter_value(); GET of the
 *      buffer of load profile 1 (0-0:99.1.0.255 attribute 2): an array of
 *      the two entries, each a structure of its 6 columns, the last +A
 *      value equal to the register; GET of the standard event log buffer
 *      (0-0:99.98.0.255 attribute 2): entries of clock and event code; RLRQ.
 *
 * Output, one line each (run_qemu_cosem.py parses it):
 *   cosem: libmeter <version> on mps2-an386
 *   sizes meter=<bytes> cosem=<bytes> server=<bytes> <engine>=<bytes>...
 *   table objects=<n> bytes=<n>
 *   meter init rc=<n> ...
 *   check <name> PASS|FAIL[ <detail>]
 *   cosem: PASS | cosem: FAIL (<reason>)
 * and the exit status is 0 on PASS, 1 on FAIL.
 *
 * Built with -DCOSEM_BENCH=1 (cosem_bench.elf), the image then measures the
 * instructions of one GET through the server under QEMU -icount (as bench.c
 * does) and prints a JSON line last (run_qemu_bench.py --bench
 * bench_cortex_m4_cosem).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "board_hal.h"
#include "meter/clock.h"
#include "meter/cosem.h"
#include "meter/disconnect.h"
#include "meter/dlms.h"
#include "meter/events.h"
#include "meter/meter.h"
#include "meter/metrology.h"
#include "meter/prepaid.h"
#include "meter/profile.h"
#include "meter/quality.h"
#include "meter/store.h"
#include "meter/tariff.h"
#include "semihost.h"

#ifndef COSEM_BENCH
#define COSEM_BENCH 0
#endif

/* 2024-03-01T00:00:00Z */
#define START_UTC 1709251200LL
#define FEED_S 2u
#define CLIENT_PUBLIC 16u      /* seed security.json: public client */
#define CLIENT_MANAGEMENT 1u   /* seed security.json: management client */
#define MAX_PDU 1024u
#define OUT_CAP 1100u

#define BOARD_LINE_CAP 512u
#include "board_print.h"

/* ------------------------------------------------------------------ output */

static _Noreturn void fail(const char *why)
{
    struct line l = {.len = 0};
    put_str(&l, "cosem: FAIL (");
    put_str(&l, why);
    put_char(&l, ')');
    line_end(&l);
    semihost_exit(1);
}

static void on_assert(const char *file, int line, void *user)
{
    (void)user;
    print_assert(file, line);
    fail("assert");
}

/* ------------------------------------------------------------------ checks */

static uint32_t checks_failed;

/* "check <name> PASS|FAIL[ <detail>]"; @p detail may be NULL. */
static bool check(const char *name, bool ok, const struct line *detail)
{
    struct line l = {.len = 0};
    put_str(&l, "check ");
    put_str(&l, name);
    put_str(&l, ok ? " PASS" : " FAIL");
    if (detail != NULL && detail->len > 0) { /* starts with a space */
        for (size_t i = 0; i < detail->len; i++) {
            put_char(&l, detail->buf[i]);
        }
    }
    line_end(&l);
    if (!ok) {
        checks_failed++;
    }
    return ok;
}

/* ------------------------------------------------------------------ A-XDR */

/* An A-XDR length (IEC 61334-6: one byte below 0x80, else 0x8N and N bytes). */
static bool axdr_len(const uint8_t *p, size_t n, size_t *pos, uint32_t *len)
{
    if (*pos >= n) {
        return false;
    }
    uint8_t b = p[(*pos)++];
    if (b < 0x80u) {
        *len = b;
        return true;
    }
    uint8_t k = b & 0x7Fu;
    if (k == 0 || k > 4 || n - *pos < k) {
        return false;
    }
    uint32_t v = 0;
    for (uint8_t i = 0; i < k; i++) {
        v = v << 8 | p[(*pos)++];
    }
    *len = v;
    return true;
}

/* Bytes after the tag of the fixed-size Data types (Green Book, Data CHOICE), -1 otherwise. */
static int axdr_fixed(uint8_t tag)
{
    switch (tag) {
    case 0: /* null-data */
        return 0;
    case 3: /* boolean */
    case 13: /* bcd */
    case 15: /* integer */
    case 17: /* unsigned */
    case 22: /* enum */
        return 1;
    case 16: /* long */
    case 18: /* long-unsigned */
        return 2;
    case 5: /* double-long */
    case 6: /* double-long-unsigned */
    case 23: /* float32 */
    case 27: /* time */
        return 4;
    case 26: /* date */
        return 5;
    case 20: /* long64 */
    case 21: /* long64-unsigned */
    case 24: /* float64 */
        return 8;
    case 25: /* date-time */
        return 12;
    default:
        return -1;
    }
}

#define AXDR_DEPTH 8

/*
 * Walk one Data value at p[*pos..n): arrays and structures with a stack of
 * element counts (no recursion), strings by their length, fixed types by
 * their size. @return true when it is complete and well formed; *pos is then
 * past it.
 */
static bool axdr_skip(const uint8_t *p, size_t n, size_t *pos)
{
    uint32_t left[AXDR_DEPTH];
    unsigned depth = 1;
    left[0] = 1;
    size_t at = *pos;
    while (depth > 0) {
        if (left[depth - 1] == 0) {
            depth--;
            continue;
        }
        left[depth - 1]--;
        if (at >= n) {
            return false;
        }
        uint8_t tag = p[at++];
        uint32_t len;
        int fixed = axdr_fixed(tag);
        if (fixed >= 0) {
            if (n - at < (size_t)fixed) {
                return false;
            }
            at += (size_t)fixed;
        } else if (tag == 1 || tag == 2) { /* array, structure */
            if (!axdr_len(p, n, &at, &len) || depth == AXDR_DEPTH) {
                return false;
            }
            left[depth++] = len;
        } else if (tag == 4) { /* bit-string: length in bits */
            if (!axdr_len(p, n, &at, &len) || n - at < (len + 7u) / 8u) {
                return false;
            }
            at += (len + 7u) / 8u;
        } else if (tag == 9 || tag == 10 || tag == 12) { /* octet, visible, utf8 string */
            if (!axdr_len(p, n, &at, &len) || n - at < len) {
                return false;
            }
            at += len;
        } else {
            return false;
        }
    }
    *pos = at;
    return true;
}

/* The integer of a fixed-size integer value at p[pos] (tag included). */
static bool axdr_int(const uint8_t *p, size_t n, size_t pos, int64_t *v)
{
    if (pos >= n) {
        return false;
    }
    uint8_t tag = p[pos];
    int size = axdr_fixed(tag);
    bool is_signed = tag == 5 || tag == 15 || tag == 16 || tag == 20;
    if (size <= 0 || size > 8 || tag == 23 || tag == 24 || tag >= 25 || n - pos - 1u < (size_t)size) {
        return false;
    }
    uint64_t u = 0;
    for (int i = 0; i < size; i++) {
        u = u << 8 | p[pos + 1u + (size_t)i];
    }
    if (is_signed && size < 8 && (u >> (8 * size - 1)) != 0) {
        u |= ~(uint64_t)0 << (8 * size);
    }
    *v = (int64_t)u;
    return true;
}

/* ----------------------------------------------------------------- engines */

/* Partitions of the NVM (4 KiB sectors). */
#define COSEM_PARTS_SECTOR BOARD_NVM_SECTOR_SIZE
#include "../cosem_parts.h"
#define LP1_ENTRIES 96u     /* one day of 15-minute entries */
#define BILLING_ENTRIES 12u

/* Load profile 1 (seed profiles.json: 0-0:99.1.0.255, 15 minutes): the
 * capture time, the profile status and the energy totals (mWh, scaler -3,
 * unit Wh / varh). */
static const struct mtr_profile_column LP1_COLUMNS[] = {
    {MTR_PROFILE_COL_CLOCK, 0, 8, {0, 0, 1, 0, 0, 255}, 2, 0, 0, 255},
    {MTR_PROFILE_COL_STATUS, 0, 1, {0, 0, 96, 10, 1, 255}, 2, 0, 0, 255},
    {MTR_PROFILE_COL_VALUE, 0, 3, {1, 0, 1, 8, 0, 255}, 2, 0, -3, 30},
    {MTR_PROFILE_COL_VALUE, 0, 3, {1, 0, 2, 8, 0, 255}, 2, 0, -3, 30},
    {MTR_PROFILE_COL_VALUE, 0, 3, {1, 0, 3, 8, 0, 255}, 2, 0, -3, 32},
    {MTR_PROFILE_COL_VALUE, 0, 3, {1, 0, 4, 8, 0, 255}, 2, 0, -3, 32},
};
#define LP1_NCOLUMNS (sizeof LP1_COLUMNS / sizeof LP1_COLUMNS[0])
#define LP1_VALUES 4u
static const struct mtr_profile_config LP1_CFG = {
    .obis = {0, 0, 99, 1, 0, 255},
    .part = PART_LP1,
    .capture_period_s = 900,
    .capacity = LP1_ENTRIES,
    .columns = LP1_COLUMNS,
    .ncolumns = LP1_NCOLUMNS,
};

/* Billing profile 1 (seed: 0-0:98.1.0.255, captured at every billing end). */
static const struct mtr_profile_column BILLING_COLUMNS[] = {
    {MTR_PROFILE_COL_CLOCK, 0, 8, {0, 0, 1, 0, 0, 255}, 2, 0, 0, 255},
    {MTR_PROFILE_COL_VALUE, 0, 3, {1, 0, 1, 8, 0, 255}, 2, 0, -3, 30},
    {MTR_PROFILE_COL_VALUE, 0, 3, {1, 0, 1, 8, 1, 255}, 2, 0, -3, 30},
    {MTR_PROFILE_COL_VALUE, 0, 3, {1, 0, 1, 8, 2, 255}, 2, 0, -3, 30},
    {MTR_PROFILE_COL_VALUE, 0, 3, {1, 0, 2, 8, 0, 255}, 2, 0, -3, 30},
};
#define BILLING_VALUES 4u
static const struct mtr_profile_config BILLING_CFG = {
    .obis = {0, 0, 98, 1, 0, 255},
    .part = PART_BILLING,
    .capture_period_s = 0,
    .capacity = BILLING_ENTRIES,
    .columns = BILLING_COLUMNS,
    .ncolumns = sizeof BILLING_COLUMNS / sizeof BILLING_COLUMNS[0],
};

static struct mtr_meter meter;
static struct mtr_metrology metro;
static struct mtr_clock clk;
static struct mtr_calendar cal;
static struct mtr_tariff trf;
static struct mtr_store store;
static struct mtr_disconnect dc;
static struct mtr_prepaid pp;
static struct mtr_profile lp1, billing;
static struct mtr_profile *profiles[2] = {&lp1, &billing};
static const struct mtr_profile_config *const profile_cfgs[2] = {&LP1_CFG, &BILLING_CFG};
static struct mtr_events events;
static struct mtr_profile logs[MTR_EVLOG_COUNT];
static struct mtr_profile_config log_cfg[MTR_EVLOG_COUNT];
static struct mtr_quality quality;
static uint8_t calendar_buf[CALENDAR_RECORD];
static uint8_t quality_buf[MTR_QUALITY_BLOB_SIZE];

static struct mtr_store_cfg store_cfg;
static struct mtr_clock_config clock_cfg;
static struct mtr_tariff_config tariff_cfg;
static struct mtr_dc_config dc_cfg;
static struct mtr_prepaid_config pp_cfg;
static struct mtr_events_config events_cfg;
static struct mtr_quality_config quality_cfg;
static struct mtr_meter_engines engines;
static struct mtr_meter_config meter_cfg;

static struct mtr_cosem cosem;
static struct mtr_dlms_server server;
static struct mtr_dlms_server_cfg server_cfg;
static uint32_t log_records;
static uint32_t stack_server; /* stack of one DLMS exchange (main()) */

static void on_log(struct mtr_meter *m, const struct mtr_log_record *rec, void *user)
{
    (void)m;
    (void)rec;
    (void)user;
    log_records++;
}

static void layout(void)
{
    add_snapshots();
    uint32_t rec = mtr_profile_record_size(LP1_VALUES);
    add_part(PART_LP1, MTR_STORE_RING, ring_sectors(LP1_ENTRIES, rec), rec);
    rec = mtr_profile_record_size(BILLING_VALUES);
    add_part(PART_BILLING, MTR_STORE_RING, ring_sectors(BILLING_ENTRIES, rec), rec);
    for (uint8_t l = 0; l < MTR_EVLOG_COUNT; l++) {
        if (l == MTR_EVLOG_MBUS) {
            continue; /* no producer in the core */
        }
        rec = mtr_events_log_record_size(l);
        add_part((uint16_t)(PART_LOG0 + l), MTR_STORE_RING, ring_sectors(LOG_ENTRIES, rec), rec);
    }
    store_cfg = (struct mtr_store_cfg){.parts = table, .state = parts, .nparts = nparts};
}

static mtr_err_t wire(void)
{
    layout();
    if (next_sector * BOARD_NVM_SECTOR_SIZE > BOARD_NVM_SIZE) {
        fail("the partitions do not fit the NVM");
    }
    clock_cfg = (struct mtr_clock_config){.time_zone = 0, .dst = {.kind = MTR_DST_NONE}};
    tariff_cfg = (struct mtr_tariff_config){.demand = {.period_s = 900, .periods = 1},
                                            .billing = {.enabled = true, .day = 1}};
    dc_cfg = (struct mtr_dc_config){
        .relay = {0, 1, 2}, .mode = 6, .feedback_ms = 1000, .debounce_ms = 50,
        .disconnect_hold_ms = 3000, .reconnect_hold_ms = 10000,
        .limiter = {.normal_mw = MTR_DC_LIMIT_MAX_MW, .emergency_mw = MTR_DC_LIMIT_MAX_MW,
                    .period_s = 60, .penalty_s = 60}};
    /* Electricity tokens count 0.1 kWh (docs/prepaid.md); no token decoder:
     * the board has no crypto and no key. */
    pp_cfg = (struct mtr_prepaid_config){.unit = MTR_PREPAID_UNIT_ENERGY, .token_scale = 100000,
                                         .ec_button = MTR_IN_BUTTON_2, .ec_press_min_ms = 50,
                                         .ec_press_max_ms = 5000};
    events_cfg = (struct mtr_events_config){.state_part = PART_EVENTS};
    for (uint8_t l = 0; l < MTR_EVLOG_COUNT; l++) {
        if (l != MTR_EVLOG_MBUS &&
            mtr_events_log_default(l, (uint16_t)(PART_LOG0 + l), LOG_ENTRIES, &log_cfg[l]) == MTR_OK) {
            events_cfg.log[l] = &logs[l];
            events_cfg.log_cfg[l] = &log_cfg[l];
        }
    }
    quality_cfg = (struct mtr_quality_config){.un_mv = 230000, .phases = 3};
    mtr_quality_settings_default(&quality_cfg.settings);

    engines = (struct mtr_meter_engines){
        .metrology = &metro,
        .clock = &clk,
        .clock_cfg = &clock_cfg,
        .calendar = &cal,
        .tariff = &trf,
        .tariff_cfg = &tariff_cfg,
        .store = &store,
        .store_cfg = &store_cfg,
        .energy_part = PART_ENERGY,
        .cal_part = PART_CAL,
        .disconnect_part = PART_DC,
        .calendar_part = PART_CALENDAR,
        .calendar_buf = calendar_buf,
        .calendar_buf_size = sizeof calendar_buf,
        .disconnect = &dc,
        .disconnect_cfg = &dc_cfg,
        .prepaid = &pp,
        .prepaid_cfg = &pp_cfg,
        .prepaid_part = PART_PP,
        .profiles = profiles,
        .profile_cfgs = profile_cfgs,
        .nprofiles = 2,
        .billing_profiles = 1u << 1,
        .events = &events,
        .events_cfg = &events_cfg,
        .quality = &quality,
        .quality_cfg = &quality_cfg,
        .quality_part = PART_QUALITY,
        .quality_buf = quality_buf,
    };
    meter_cfg = (struct mtr_meter_config){.engines = &engines, .on_log = on_log};
    return mtr_meter_init(&meter, &board_hal, &meter_cfg);
}

/* ------------------------------------------------------------------ signal */

#include "board_sine.h"

#define BLOCK 32u

/* @p seconds of frames at the metrology's rate, ABC sequence, current
 * lagging 30 degrees, in blocks of 32 (a DMA half-buffer). */
static uint32_t feed(uint32_t rate_hz, uint32_t seconds)
{
    static int32_t frames[BLOCK][MTR_ADC_CHANNELS];
    uint32_t total = rate_hz * seconds, k = 0;
    while (k < total) {
        uint32_t n = total - k < BLOCK ? total - k : BLOCK;
        for (uint32_t f = 0; f < n; f++, k++) {
            for (uint32_t p = 0; p < 3; p++) {
                uint32_t v = (SINE_STEP * k + SINE_N * 3u - 80u * p) % SINE_N;
                uint32_t i = (v + SINE_N - 20u) % SINE_N;
                frames[f][MTR_ADC_V1 + p] = wave(V_PEAK, v);
                frames[f][MTR_ADC_I1 + p] = wave(I_PEAK, i);
            }
            frames[f][MTR_ADC_IN] = 0;
        }
        mtr_metrology_process(&metro, &frames[0][0], n);
    }
    struct mtr_metrology_result r;
    return mtr_metrology_result(&metro, &r) == MTR_OK ? r.seq : 0;
}

/* ------------------------------------------------------------------ client */

static uint8_t req[64];
static uint8_t in[64];
static uint8_t out[OUT_CAP];
static size_t out_len;
static mtr_err_t last_rc;

static const uint8_t LN_CLOCK[6] = {0, 0, 1, 0, 0, 255};
static const uint8_t LN_A_PLUS[6] = {1, 0, 1, 8, 0, 255};
static const uint8_t LN_LP1[6] = {0, 0, 99, 1, 0, 255};
static const uint8_t LN_STD_LOG[6] = {0, 0, 99, 98, 0, 255};
static const uint8_t LLS_SECRET[8] = {'1', '2', '3', '4', '5', '6', '7', '8'};
static const uint8_t LLS_WRONG[8] = {'1', '2', '3', '4', '5', '6', '7', '9'};

/* Association table: the seed's public client (no authentication) and its
 * management client, with a password (LLS: the board has no AES-GCM for
 * HLS-5); the rights are those of the table's roles. */
static const struct mtr_dlms_assoc_cfg ASSOCS[] = {
    {.client_sap = CLIENT_PUBLIC, .mechanism = MTR_DLMS_MECH_NONE, .policy = MTR_DLMS_POLICY_NONE,
     .profile = MTR_COSEM_ROLE_PUBLIC,
     .conformance = MTR_DLMS_CONF_GET | MTR_DLMS_CONF_BLOCK_GET | MTR_DLMS_CONF_SELECTIVE_ACCESS},
    {.client_sap = CLIENT_MANAGEMENT, .mechanism = MTR_DLMS_MECH_LLS, .policy = MTR_DLMS_POLICY_NONE,
     .profile = MTR_COSEM_ROLE_MANAGEMENT, .secret_len = sizeof LLS_SECRET, .secret = LLS_SECRET,
     .conformance = MTR_DLMS_CONF_SERVER & ~(uint32_t)MTR_DLMS_CONF_GENERAL_PROTECTION},
};

static void serve(uint16_t client, const uint8_t *apdu, size_t len)
{
    memcpy(in, apdu, len);
    out_len = 0;
    last_rc = mtr_dlms_server_apdu(&server, client, in, len, out, sizeof out, &out_len);
}

/* An object identifier 2.16.756.5.8.<a>.<b> (Green Book: application
 * context names a = 1, mechanism names a = 2), BER-encoded. */
static size_t put_oid(uint8_t *p, uint8_t a, uint8_t b)
{
    static const uint8_t prefix[5] = {0x60, 0x85, 0x74, 0x05, 0x08};
    memcpy(p, prefix, sizeof prefix);
    p[5] = a;
    p[6] = b;
    return 7;
}

/* AARQ (IEC 62056-5-3, ACSE): LN referencing without ciphering, the
 * xDLMS InitiateRequest (DLMS version 6, conformance, max PDU); with
 * @p secret, LLS: ACSE requirements (authentication), mechanism name
 * 2.16.756.5.8.2.1, calling-authentication-value. */
static size_t build_aarq(const uint8_t *secret, size_t secret_len, uint32_t conformance)
{
    uint8_t *p = req + 2;
    *p++ = 0xA1; /* application-context-name */
    *p++ = 9;
    *p++ = 0x06;
    *p++ = 7;
    p += put_oid(p, 1, 1);
    if (secret != NULL) {
        *p++ = 0x8A; /* sender-acse-requirements: authentication */
        *p++ = 2;
        *p++ = 0x07;
        *p++ = 0x80;
        *p++ = 0x8B; /* mechanism-name */
        *p++ = 7;
        p += put_oid(p, 2, MTR_DLMS_MECH_LLS);
        *p++ = 0xAC; /* calling-authentication-value, charstring */
        *p++ = (uint8_t)(secret_len + 2u);
        *p++ = 0x80;
        *p++ = (uint8_t)secret_len;
        memcpy(p, secret, secret_len);
        p += secret_len;
    }
    static const uint8_t initiate_head[] = {0xBE, 0x10, 0x04, 0x0E, 0x01, 0x00, 0x00, 0x00, 0x06,
                                            0x5F, 0x1F, 0x04, 0x00};
    memcpy(p, initiate_head, sizeof initiate_head);
    p += sizeof initiate_head;
    *p++ = (uint8_t)(conformance >> 16);
    *p++ = (uint8_t)(conformance >> 8);
    *p++ = (uint8_t)conformance;
    *p++ = (uint8_t)(MAX_PDU >> 8);
    *p++ = (uint8_t)MAX_PDU;
    size_t n = (size_t)(p - req);
    req[0] = 0x60;
    req[1] = (uint8_t)(n - 2u);
    return n;
}

/* The result of the AARE in out[] (A2: association-result), 0xFF if none;
 * @p conf the negotiated conformance of its InitiateResponse (0 if none). */
static uint8_t aare_result(uint32_t *conf)
{
    *conf = 0;
    if (out_len < 2 || out[0] != 0x61 || out[1] != out_len - 2u) {
        return 0xFF;
    }
    uint8_t result = 0xFF;
    for (size_t at = 2; at + 2u <= out_len;) {
        uint8_t tag = out[at], len = out[at + 1u];
        const uint8_t *v = &out[at + 2u];
        if (len >= 0x80u || at + 2u + len > out_len) {
            return 0xFF;
        }
        if (tag == 0xA2 && len == 3 && v[0] == 0x02 && v[1] == 1) {
            result = v[2];
        }
        /* user-information: InitiateResponse 08 00 06 5F 1F 04 00 <conformance 3> <max PDU 2> 00 07 */
        if (tag == 0xBE && len >= 16 && v[0] == 0x04 && v[2] == 0x08 && v[5] == 0x5F) {
            *conf = (uint32_t)v[9] << 16 | (uint32_t)v[10] << 8 | v[11];
        }
        at += 2u + len;
    }
    return result;
}

/* GET-request-normal (C0 01), invoke-id-and-priority 0xC1, no selective access. */
static size_t build_get(uint16_t class_id, const uint8_t obis[6], uint8_t attr)
{
    req[0] = 0xC0;
    req[1] = 0x01;
    req[2] = 0xC1;
    req[3] = (uint8_t)(class_id >> 8);
    req[4] = (uint8_t)class_id;
    memcpy(&req[5], obis, 6);
    req[11] = attr;
    req[12] = 0;
    return 13;
}

struct get_result {
    bool normal;   /* a GET-response-normal with our invoke id */
    int dar;       /* data-access-result, 0 = data */
    size_t value;  /* offset of the value in out[] (dar 0) */
    bool decoded;  /* the value is one well-formed A-XDR Data value ending the APDU */
};

static struct get_result get(uint16_t client, uint16_t class_id, const uint8_t obis[6], uint8_t attr)
{
    struct get_result g = {false, -1, 0, false};
    serve(client, req, build_get(class_id, obis, attr));
    if (last_rc != MTR_OK || out_len < 5 || out[0] != 0xC4 || out[1] != 0x01 || out[2] != 0xC1) {
        return g;
    }
    g.normal = true;
    if (out[3] == 1) { /* data-access-result */
        g.dar = out_len == 5 ? out[4] : -1;
        return g;
    }
    if (out[3] != 0) {
        return g;
    }
    g.dar = 0;
    g.value = 4;
    size_t pos = 4;
    g.decoded = axdr_skip(out, out_len, &pos) && pos == out_len;
    return g;
}

static void detail_rc(struct line *l)
{
    put_kv(l, "rc", last_rc);
    put_kv(l, "len", (int64_t)out_len);
    put_str(l, " apdu=");
    put_hex(l, out, out_len < 24u ? out_len : 24u);
}

static bool release(const char *name, uint16_t client)
{
    static const uint8_t RLRQ[] = {0x62, 0x03, 0x80, 0x01, 0x00}; /* reason normal */
    serve(client, RLRQ, sizeof RLRQ);
    struct line l = {.len = 0};
    detail_rc(&l);
    return check(name, last_rc == MTR_OK && out_len >= 2 && out[0] == 0x63 &&
                           mtr_dlms_server_state(&server) == MTR_DLMS_ASSOC_IDLE, &l);
}

/* A profile buffer at out[value]: an array of @p entries structures of
 * @p ncol elements each; @p col_out the integer of column @p col of the
 * last entry. */
static bool profile_buffer(size_t value, uint32_t *entries, uint32_t ncol, uint32_t col, int64_t *col_out)
{
    size_t pos = value;
    uint32_t n, k;
    if (out[pos++] != 0x01 || !axdr_len(out, out_len, &pos, &n)) {
        return false;
    }
    *entries = n;
    for (uint32_t e = 0; e < n; e++) {
        if (pos >= out_len || out[pos++] != 0x02 || !axdr_len(out, out_len, &pos, &k) || k != ncol) {
            return false;
        }
        for (uint32_t c = 0; c < k; c++) {
            if (c == col && e + 1u == n && !axdr_int(out, out_len, pos, col_out)) {
                return false;
            }
            if (!axdr_skip(out, out_len, &pos)) {
                return false;
            }
        }
    }
    return pos == out_len;
}

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

/* The public client: what it may read and what it may not. */
static void public_client(void)
{
    struct line l = {.len = 0};
    uint32_t conf;
    serve(CLIENT_PUBLIC, req, build_aarq(NULL, 0, ASSOCS[0].conformance));
    uint8_t result = aare_result(&conf);
    put_kv(&l, "result", result);
    put_kv(&l, "conformance", conf);
    detail_rc(&l);
    check("public_aarq_accepted", last_rc == MTR_OK && result == 0 && conf != 0 &&
                                      mtr_dlms_server_state(&server) == MTR_DLMS_ASSOC_ASSOCIATED,
          &l);

    struct get_result g = get(CLIENT_PUBLIC, 8, LN_CLOCK, 2);
    l.len = 0;
    bool date = g.dar == 0 && g.decoded && out_len == 4u + 2u + 12u && out[4] == 0x09 && out[5] == 12;
    if (date) {
        put_kv(&l, "year", be16(&out[6]));
        put_kv(&l, "month", out[8]);
        put_kv(&l, "day", out[9]);
        put_kv(&l, "hour", out[11]);
    }
    detail_rc(&l);
    check("public_get_clock", g.normal && date && be16(&out[6]) == 2024 && out[8] == 3 && out[9] == 1,
          &l);

    g = get(CLIENT_PUBLIC, 3, LN_A_PLUS, 2);
    l.len = 0;
    put_kv(&l, "dar", g.dar);
    detail_rc(&l);
    check("public_get_energy_denied", g.normal && g.dar == MTR_DLMS_DAR_READ_WRITE_DENIED, &l);

    g = get(CLIENT_PUBLIC, 7, LN_LP1, 1); /* logical_name: the public role may read it */
    l.len = 0;
    put_kv(&l, "dar", g.dar);
    detail_rc(&l);
    check("public_get_profile_name", g.normal && g.dar == 0 && g.decoded && out_len == 12 &&
                                         out[4] == 0x09 && out[5] == 6 && memcmp(&out[6], LN_LP1, 6) == 0,
          &l);
    release("public_release", CLIENT_PUBLIC);
}

/* The management client: the energy register, the load profile, a log. */
static void management_client(void)
{
    struct line l = {.len = 0};
    uint32_t conf;
    serve(CLIENT_MANAGEMENT, req, build_aarq(LLS_WRONG, sizeof LLS_WRONG, ASSOCS[1].conformance));
    uint8_t result = aare_result(&conf);
    put_kv(&l, "result", result);
    detail_rc(&l);
    check("management_wrong_password_refused",
          result != 0 && result != 0xFF && mtr_dlms_server_state(&server) == MTR_DLMS_ASSOC_IDLE &&
              mtr_dlms_server_counters(&server)->auth_failures == 1,
          &l);

    serve(CLIENT_MANAGEMENT, req, build_aarq(LLS_SECRET, sizeof LLS_SECRET, ASSOCS[1].conformance));
    result = aare_result(&conf);
    l.len = 0;
    put_kv(&l, "result", result);
    put_kv(&l, "conformance", conf);
    detail_rc(&l);
    check("management_aarq_accepted", last_rc == MTR_OK && result == 0 && conf != 0 &&
                                          mtr_dlms_server_state(&server) == MTR_DLMS_ASSOC_ASSOCIATED,
          &l);

    int64_t engine = -1, wire_v = -1;
    (void)mtr_meter_value(&meter, 3, LN_A_PLUS, 2, &engine);
    struct get_result g = get(CLIENT_MANAGEMENT, 3, LN_A_PLUS, 2);
    bool u64 = g.dar == 0 && g.decoded && out_len == 4u + 9u && out[4] == 0x15 &&
               axdr_int(out, out_len, 4, &wire_v);
    l.len = 0;
    put_kv(&l, "mwh", wire_v);
    put_kv(&l, "engine_mwh", engine);
    detail_rc(&l);
    check("management_get_energy", g.normal && u64 && wire_v > 0 && wire_v == engine, &l);

    g = get(CLIENT_MANAGEMENT, 3, LN_A_PLUS, 3); /* scaler_unit: {-3, Wh} */
    l.len = 0;
    detail_rc(&l);
    check("management_get_energy_scaler_unit",
          g.normal && g.dar == 0 && g.decoded && out_len == 4u + 6u && out[4] == 0x02 && out[5] == 2 &&
              out[6] == 0x0F && out[7] == 0xFD && out[8] == 0x16 && out[9] == 30,
          &l);

    g = get(CLIENT_MANAGEMENT, 7, LN_LP1, 2);
    uint32_t entries = 0;
    int64_t last_a_plus = -1;
    bool buf = g.dar == 0 && g.decoded &&
               profile_buffer(g.value, &entries, LP1_NCOLUMNS, 2, &last_a_plus);
    l.len = 0;
    put_kv(&l, "entries", entries);
    put_kv(&l, "last_a_plus_mwh", last_a_plus);
    put_kv(&l, "bytes", (int64_t)out_len);
    detail_rc(&l);
    check("management_get_load_profile", g.normal && buf && entries == 2 && last_a_plus == wire_v, &l);

    g = get(CLIENT_MANAGEMENT, 7, LN_STD_LOG, 2);
    entries = 0;
    int64_t code = -1;
    buf = g.dar == 0 && g.decoded && profile_buffer(g.value, &entries, 2, 1, &code);
    l.len = 0;
    put_kv(&l, "entries", entries);
    put_kv(&l, "last_code", code);
    put_kv(&l, "bytes", (int64_t)out_len);
    detail_rc(&l);
    check("management_get_event_log", g.normal && buf && entries >= 1 && code > 0, &l);

    release("management_release", CLIENT_MANAGEMENT);
}

/* ------------------------------------------------------------------- bench */

#if COSEM_BENCH
#include "board_icount.h"

#define REPEAT 100u

static void calibrate(void)
{
    (void)board_calibrate();
    struct line l = {.len = 0};
    put_str(&l, "calibration");
    put_kv(&l, "loop_instructions", (int64_t)cal_instr);
    put_kv(&l, "ticks", (int64_t)cal_ticks);
    line_end(&l);
    if (cal_ticks == 0) {
        fail("the timer does not count");
    }
}

/* REPEAT times the request in req[0..len) from @p client, each copied into
 * in[] first; with @p call false the copy alone (the loop's frame). */
__attribute__((noinline)) static uint32_t time_requests(uint16_t client, size_t len, bool call)
{
    uint32_t t0 = ticks();
    for (uint32_t i = 0; i < REPEAT; i++) {
        memcpy(in, req, len);
        if (call) {
            (void)mtr_dlms_server_apdu(&server, client, in, len, out, sizeof out, &out_len);
        }
        __asm__ volatile("" ::: "memory");
    }
    return since(t0, ticks());
}

static int64_t per_get(uint16_t class_id, const uint8_t obis[6], uint8_t attr, size_t *bytes)
{
    size_t len = build_get(class_id, obis, attr);
    uint32_t frame = time_requests(CLIENT_MANAGEMENT, len, false);
    uint32_t t = time_requests(CLIENT_MANAGEMENT, len, true);
    if (out_len < 5 || out[0] != 0xC4 || out[1] != 0x01 || out[3] != 0) {
        fail("GET refused while measured");
    }
    *bytes = out_len;
    return x100_per(t - frame, REPEAT);
}

static void bench(void)
{
    uint32_t conf;
    serve(CLIENT_MANAGEMENT, req, build_aarq(LLS_SECRET, sizeof LLS_SECRET, ASSOCS[1].conformance));
    if (aare_result(&conf) != 0) {
        fail("association for the measurement");
    }
    timer_start();
    calibrate();
    size_t reg_bytes, clock_bytes, lp_bytes;
    int64_t reg = per_get(3, LN_A_PLUS, 2, &reg_bytes);
    int64_t clock = per_get(8, LN_CLOCK, 2, &clock_bytes);
    uint8_t last_ln[6] = {0};
    uint16_t first_at = 0, last_at = 0;
    for (uint16_t k = 0; k < server_cfg.nobjects; k++) { /* the energy register found last in the table */
        const struct mtr_dlms_obj *o = &server_cfg.objects[k];
        if (o->class_id == 3 && o->obis[0] == 1 && o->obis[3] == 8) {
            memcpy(last_ln, o->obis, 6);
            last_at = k;
        }
        if (o->class_id == 3 && memcmp(o->obis, LN_A_PLUS, 6) == 0) {
            first_at = k;
        }
    }
    size_t last_bytes;
    int64_t last = per_get(3, last_ln, 2, &last_bytes);
    int64_t lp = per_get(7, LN_LP1, 2, &lp_bytes);

    /* association and release, once (AARQ with LLS, RLRQ) */
    static const uint8_t RLRQ[] = {0x62, 0x03, 0x80, 0x01, 0x00};
    serve(CLIENT_MANAGEMENT, RLRQ, sizeof RLRQ);
    size_t aarq_len = build_aarq(LLS_SECRET, sizeof LLS_SECRET, ASSOCS[1].conformance);
    memcpy(in, req, aarq_len);
    uint32_t t0 = ticks();
    (void)mtr_dlms_server_apdu(&server, CLIENT_MANAGEMENT, in, aarq_len, out, sizeof out, &out_len);
    uint32_t t_aarq = since(t0, ticks());
    if (aare_result(&conf) != 0) {
        fail("association while measured");
    }

    struct line l = {.len = 0};
    put_str(&l, "cosem_get");
    put_kv(&l, "repeat", REPEAT);
    put_kv(&l, "register_bytes", (int64_t)reg_bytes);
    put_str(&l, " last_register=");
    for (int k = 0; k < 6; k++) {
        put_u64(&l, last_ln[k]);
        put_char(&l, k == 5 ? ' ' : '.');
    }
    put_str(&l, "last_register_bytes=");
    put_u64(&l, last_bytes);
    put_kv(&l, "register_index", first_at);
    put_kv(&l, "last_register_index", last_at);
    put_kv(&l, "clock_bytes", (int64_t)clock_bytes);
    put_kv(&l, "profile_bytes", (int64_t)lp_bytes);
    put_kv(&l, "aarq_ticks", t_aarq);
    line_end(&l);

    put_str(&l, "{\"bench\": \"bench_cortex_m4_cosem\"");
    put_json(&l, "instructions_per_tick", (int64_t)((cal_instr * 100u + cal_ticks / 2u) / cal_ticks));
    put_json(&l, "get_register_instructions", reg);
    put_json(&l, "get_last_register_instructions", last);
    put_json(&l, "get_clock_instructions", clock);
    put_json(&l, "get_profile_2_entries_instructions", lp);
    put_json_int(&l, "aarq_lls_instructions", (x100_per(t_aarq, 1) + 50) / 100);
    put_json_int(&l, "profile_response_bytes", (int64_t)lp_bytes);
    put_json_int(&l, "objects", server_cfg.nobjects);
    put_json_int(&l, "dlms_exchange_stack_bytes", stack_server);
    put_str(&l, "}");
    line_end(&l);
}
#endif

/* -------------------------------------------------------------------- main */

extern uint32_t __stack_top__[]; /* mps2_an386.ld */

/* Bytes of stack @p fn takes below the caller's frame (high-water mark). */
__attribute__((noinline)) static uint32_t stack_of(void (*fn)(void))
{
    uint32_t *sp;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    board_stack_paint();
    fn();
    return board_stack_used() - (uint32_t)((uintptr_t)__stack_top__ - (uintptr_t)sp);
}

/* The start of the meter: its results, for main(). */
static struct {
    mtr_err_t init, rtc, commit, cap1, cap2, poll;
    uint32_t periods;
} start;

static void start_meter(void)
{
    start.init = wire();
    if (start.init != MTR_OK) {
        return;
    }
    start.rtc = mtr_meter_rtc_set(&meter, START_UTC);
    struct mtr_metrology_config mc;
    mtr_metrology_config_default(&mc);
    make_sine();
    start.periods = feed(mc.rate_hz, FEED_S);
    start.commit = mtr_meter_commit(&meter); /* step: energy into the tariff registers */
    start.cap1 = mtr_meter_profile_capture(&meter, 0);
    start.cap2 = mtr_meter_profile_capture(&meter, 0);
    uint32_t sleep_ms;
    start.poll = mtr_poll(&meter, &sleep_ms);
}

/* One exchange of the management client: AARQ (LLS), GET of the register,
 * the clock, load profile 1 and the standard event log, RLRQ. */
static void exchange(void)
{
    static const uint8_t RLRQ[] = {0x62, 0x03, 0x80, 0x01, 0x00};
    uint32_t conf;
    serve(CLIENT_MANAGEMENT, req, build_aarq(LLS_SECRET, sizeof LLS_SECRET, ASSOCS[1].conformance));
    bool ok = aare_result(&conf) == 0;
    serve(CLIENT_MANAGEMENT, req, build_get(3, LN_A_PLUS, 2));
    ok = ok && last_rc == MTR_OK && out[3] == 0;
    serve(CLIENT_MANAGEMENT, req, build_get(8, LN_CLOCK, 2));
    ok = ok && last_rc == MTR_OK && out[3] == 0;
    serve(CLIENT_MANAGEMENT, req, build_get(7, LN_LP1, 2));
    ok = ok && last_rc == MTR_OK && out[3] == 0;
    serve(CLIENT_MANAGEMENT, req, build_get(7, LN_STD_LOG, 2));
    ok = ok && last_rc == MTR_OK && out[3] == 0;
    serve(CLIENT_MANAGEMENT, RLRQ, sizeof RLRQ);
    ok = ok && last_rc == MTR_OK && out[0] == 0x63;
    if (!ok) {
        fail("the exchange measured for its stack was refused");
    }
}

int main(void)
{
    static struct line l;
    board_init();
    mtr_set_assert_hook(on_assert, NULL);

    put_str(&l, "cosem: libmeter ");
    put_str(&l, mtr_version());
    put_str(&l, " on mps2-an386");
    line_end(&l);

    /* the static contexts, as this compiler lays them out */
    put_str(&l, "sizes");
    put_kv(&l, "meter", (int64_t)sizeof(struct mtr_meter));
    put_kv(&l, "cosem", (int64_t)sizeof(struct mtr_cosem));
    put_kv(&l, "server", (int64_t)sizeof(struct mtr_dlms_server));
    put_kv(&l, "metrology", (int64_t)sizeof(struct mtr_metrology));
    put_kv(&l, "clock", (int64_t)sizeof(struct mtr_clock));
    put_kv(&l, "calendar", (int64_t)sizeof(struct mtr_calendar));
    put_kv(&l, "tariff", (int64_t)sizeof(struct mtr_tariff));
    put_kv(&l, "store", (int64_t)sizeof(struct mtr_store));
    put_kv(&l, "store_part", (int64_t)sizeof(struct mtr_store_part));
    put_kv(&l, "disconnect", (int64_t)sizeof(struct mtr_disconnect));
    put_kv(&l, "prepaid", (int64_t)sizeof(struct mtr_prepaid));
    put_kv(&l, "profile", (int64_t)sizeof(struct mtr_profile));
    put_kv(&l, "events", (int64_t)sizeof(struct mtr_events));
    put_kv(&l, "quality", (int64_t)sizeof(struct mtr_quality));
    line_end(&l);

    uint16_t nobj = 0;
    const struct mtr_dlms_obj *objs = mtr_cosem_table(&nobj);
    put_str(&l, "table");
    put_kv(&l, "objects", nobj);
    put_kv(&l, "bytes", (int64_t)((size_t)nobj * sizeof(struct mtr_dlms_obj)));
    line_end(&l);

    uint32_t stack_start = stack_of(start_meter);
    struct mtr_meter_wiring w;
    mtr_meter_wiring(&meter, &w);
    put_str(&l, "meter init rc=");
    put_i64(&l, start.init);
    put_kv(&l, "partitions", nparts);
    put_kv(&l, "sectors", next_sector);
    put_kv(&l, "energy_restore", w.energy_restore);
    put_kv(&l, "events_restore", w.events_restore);
    line_end(&l);
    if (start.init != MTR_OK) {
        fail("mtr_meter_init");
    }
    put_str(&l, "run");
    put_kv(&l, "rtc_set", start.rtc);
    put_kv(&l, "periods", start.periods);
    put_kv(&l, "commit", start.commit);
    put_kv(&l, "captures", (int64_t)start.cap1 + start.cap2);
    put_kv(&l, "poll", start.poll);
    put_kv(&l, "steps", w.steps);
    put_kv(&l, "events_raised", w.events_raised);
    put_kv(&l, "log_records", log_records);
    line_end(&l);
    if (start.rtc != MTR_OK || start.periods < FEED_S || start.commit != MTR_OK ||
        start.cap1 != MTR_OK || start.cap2 != MTR_OK || start.poll != MTR_OK) {
        fail("the engines did not run");
    }

    static const struct mtr_cosem_config cosem_cfg = {.hal = &board_hal, .meter = &meter};
    server_cfg = (struct mtr_dlms_server_cfg){
        .hal = &board_hal,
        .objects = objs,
        .nobjects = nobj,
        .assocs = ASSOCS,
        .nassocs = sizeof ASSOCS / sizeof ASSOCS[0],
        .max_pdu = MAX_PDU,
        .conformance = MTR_DLMS_CONF_SERVER & ~(uint32_t)MTR_DLMS_CONF_GENERAL_PROTECTION,
        .user = &cosem,
    };
    mtr_err_t crc = mtr_cosem_init(&cosem, &cosem_cfg);
    mtr_err_t src = mtr_dlms_server_init(&server, &server_cfg);
    put_str(&l, "server init cosem=");
    put_i64(&l, crc);
    put_kv(&l, "server", src);
    line_end(&l);
    if (crc != MTR_OK || src != MTR_OK) {
        fail("server init");
    }

    public_client();
    management_client();

    stack_server = stack_of(exchange);
    put_str(&l, "stack start=");
    put_u64(&l, stack_start);
    put_kv(&l, "server", stack_server);
    put_kv(&l, "size", board_stack_size());
    line_end(&l);

    if (checks_failed != 0) {
        fail("a check failed");
    }
    print("cosem: PASS");
#if COSEM_BENCH
    bench();
#endif
    return 0;
}
