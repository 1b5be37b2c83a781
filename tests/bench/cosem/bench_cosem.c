/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The COSEM object table behind the DLMS server, on a real meter (sim HAL;
 * metrology, clock, calendar and tariff wired through mtr_meter_init()):
 * nanoseconds per GET request of an energy register (1-0:1.8.0.255
 * attribute 2), of the last energy register of the table and of the clock
 * (0-0:1.0.0.255 attribute 2), APDU in to APDU out; and the size of the
 * table (objects, bytes of the const array and of the names). One JSON line.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "meter/clock.h"
#include "meter/cosem.h"
#include "meter/meter.h"
#include "meter/metrology.h"
#include "meter/tariff.h"
#include "sim.h"

#define N 200000u

static struct mtr_sim sim;
static struct mtr_hal hal;
static struct mtr_metrology metro;
static struct mtr_clock clk;
static struct mtr_calendar cal;
static struct mtr_tariff trf;
static struct mtr_meter meter;
static struct mtr_cosem cosem;
static struct mtr_dlms_server srv;
static volatile uint64_t sink;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void fail(const char *what)
{
    fprintf(stderr, "bench_cosem: %s\n", what);
    exit(1);
}

/* AARQ, LN referencing, no authentication; InitiateRequest with GET, SET,
 * ACTION, block GET, selective access; client PDU 1024 (Green Book). */
static const uint8_t AARQ[] = {0x60, 0x1D, 0xA1, 0x09, 0x06, 0x07, 0x60, 0x85, 0x74, 0x05, 0x08, 0x01,
                               0x01, 0xBE, 0x10, 0x04, 0x0E, 0x01, 0x00, 0x00, 0x00, 0x06, 0x5F, 0x1F,
                               0x04, 0x00, 0x00, 0x10, 0x1D, 0x04, 0x00};

static double per_get(uint16_t class_id, const uint8_t obis[6], uint8_t attr)
{
    uint8_t req[13] = {0xC0, 0x01, 0xC1, (uint8_t)(class_id >> 8), (uint8_t)class_id};
    uint8_t in[13], out[1100];
    size_t n;
    memcpy(req + 5, obis, 6);
    req[11] = attr;
    req[12] = 0;
    memcpy(in, req, sizeof req);
    if (mtr_dlms_server_apdu(&srv, 16, in, sizeof in, out, sizeof out, &n) != MTR_OK || n < 5 ||
        out[0] != 0xC4 || out[3] != 0) {
        fail("GET refused");
    }
    double t0 = now_s();
    for (unsigned k = 0; k < N; k++) {
        memcpy(in, req, sizeof req);
        (void)mtr_dlms_server_apdu(&srv, 16, in, sizeof in, out, sizeof out, &n);
        sink += out[n - 1];
    }
    return (now_s() - t0) * 1e9 / N;
}

int main(void)
{
    struct mtr_sim_config sc;
    mtr_sim_default_config(&sc);
    sc.utc_start = 1709251200; /* 2024-03-01 */
    if (mtr_sim_init(&sim, &sc) != MTR_OK) {
        fail("sim");
    }
    mtr_sim_hal(&sim, &hal);
    static struct mtr_clock_config clock_cfg = {.time_zone = -60};
    static struct mtr_tariff_config tariff_cfg = {.demand = {.period_s = 900, .periods = 1},
                                                  .billing = {.enabled = true, .day = 1}};
    static struct mtr_meter_engines e;
    e = (struct mtr_meter_engines){.metrology = &metro, .clock = &clk, .clock_cfg = &clock_cfg,
                                   .calendar = &cal, .tariff = &trf, .tariff_cfg = &tariff_cfg};
    static struct mtr_meter_config mc;
    mc = (struct mtr_meter_config){.engines = &e};
    if (mtr_meter_init(&meter, &hal, &mc) != MTR_OK) {
        fail("meter");
    }
    for (int k = 0; k < 20; k++) { /* 2 s of load: energy in the registers */
        mtr_sim_advance(&sim, 100);
        (void)mtr_post_adc_ready(&meter);
        (void)mtr_poll(&meter, NULL);
    }

    static struct mtr_dlms_assoc_cfg assoc = {.client_sap = 16, .profile = MTR_COSEM_ROLE_LEVEL1,
                                              .conformance = MTR_DLMS_CONF_SERVER};
    static struct mtr_dlms_server_cfg cfg;
    static const struct mtr_cosem_config cc = {.hal = &hal, .meter = &meter};
    uint16_t nobj;
    const struct mtr_dlms_obj *t = mtr_cosem_table(&nobj);
    cfg = (struct mtr_dlms_server_cfg){.hal = &hal, .objects = t, .nobjects = nobj, .assocs = &assoc,
                                       .nassocs = 1, .max_pdu = 1024, .conformance = MTR_DLMS_CONF_SERVER,
                                       .user = &cosem};
    if (mtr_cosem_init(&cosem, &cc) != MTR_OK || mtr_dlms_server_init(&srv, &cfg) != MTR_OK) {
        fail("server");
    }
    uint8_t in[sizeof AARQ], out[256];
    size_t n;
    memcpy(in, AARQ, sizeof AARQ);
    if (mtr_dlms_server_apdu(&srv, 16, in, sizeof in, out, sizeof out, &n) != MTR_OK ||
        mtr_dlms_server_state(&srv) != MTR_DLMS_ASSOC_ASSOCIATED) {
        fail("association");
    }

    static const uint8_t reg[6] = {1, 0, 1, 8, 0, 255};
    static const uint8_t clock_ln[6] = {0, 0, 1, 0, 0, 255};
    uint8_t last[6] = {0};
    for (uint16_t k = 0; k < nobj; k++) { /* the energy register found last in the table */
        if (t[k].class_id == 3 && t[k].obis[0] == 1 && t[k].obis[3] == 8) {
            memcpy(last, t[k].obis, 6);
        }
    }
    double ns_reg = per_get(3, reg, 2);
    double ns_last = per_get(3, last, 2);
    double ns_clock = per_get(8, clock_ln, 2);

    size_t names = 0;
    for (uint16_t k = 0; k < nobj; k++) {
        names += strlen(mtr_cosem_object_name(k)) + 1;
    }
    printf("{\"bench\": \"cosem\", \"get_register_ns\": %.0f, \"get_last_register_ns\": %.0f, "
           "\"get_clock_ns\": %.0f, \"objects\": %u, \"table_bytes\": %zu, \"name_bytes\": %zu, "
           "\"context_bytes\": %zu}\n",
           ns_reg, ns_last, ns_clock, nobj, (size_t)nobj * sizeof(struct mtr_dlms_obj), names,
           mtr_cosem_size());
    mtr_sim_free(&sim);
    return 0;
}
