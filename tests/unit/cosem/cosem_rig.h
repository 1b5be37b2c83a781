/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A real meter (sim HAL, engines wired through mtr_meter_init()) with the
 * COSEM object table served by a DLMS server, and a client that calls the
 * server with real APDUs (tests/unit/dlms/dlms_client.h): one association
 * per role of enum mtr_cosem_role, GET (with blocks), SET (with blocks),
 * ACTION.
 *
 * Engines wired: metrology, clock, calendar (a TOU calendar programmed at
 * boot), tariff, store, and disconnect when built. Object groups whose
 * engines need more wiring define, in tests/unit/cosem/cosem_rig_<group>.c,
 * the hooks below (their weak defaults do nothing).
 */
#ifndef TEST_COSEM_RIG_H
#define TEST_COSEM_RIG_H

#include <stdbool.h>
#include <stdint.h>

#include "meter/clock.h"
#include "meter/cosem.h"
#include "meter/dlms.h"
#include "meter/meter.h"
#include "meter/metrology.h"
#include "meter/store.h"
#include "meter/tariff.h"
#if MTR_WITH_DISCONNECT
#include "meter/disconnect.h"
#endif
#if MTR_WITH_DISPLAY
#include "meter/display.h"
#endif
#include "sim.h"

/* Partitions of the rig's NVM. */
enum { COSEM_RIG_PART_ENERGY = 1, COSEM_RIG_PART_CAL = 2, COSEM_RIG_PART_CALENDAR = 3, COSEM_RIG_PART_DC = 4,
       COSEM_RIG_PART_DISPLAY = 5 };
#define COSEM_RIG_PARTS 5
#define COSEM_RIG_CALENDAR_RECORD 3072u
#define COSEM_RIG_VALUE_MAX 65536u
#define COSEM_RIG_LOG_MAX 256

/* Client SAP of each role's association (index: enum mtr_cosem_role). */
extern const uint16_t cosem_rig_sap[MTR_COSEM_ROLES];

struct cosem_rig {
    struct mtr_sim sim;
    struct mtr_hal hal;
    /* engines */
    struct mtr_metrology metro;
    struct mtr_clock clk;
    struct mtr_calendar cal;
    struct mtr_tariff trf;
    struct mtr_store store;
    struct mtr_store_part parts[COSEM_RIG_PARTS];
    struct mtr_store_part_cfg table[COSEM_RIG_PARTS];
    struct mtr_store_cfg store_cfg;
#if MTR_WITH_DISCONNECT
    struct mtr_disconnect dc;
    struct mtr_dc_config dc_cfg;
#endif
    struct mtr_tariff_config tariff_cfg;
    struct mtr_clock_config clock_cfg;
    uint8_t calendar_buf[COSEM_RIG_CALENDAR_RECORD];
#if MTR_WITH_DISPLAY
    struct mtr_display disp; /* the seed's display (sectors 10-11) */
    struct mtr_display_config disp_cfg;
    uint8_t disp_buf[MTR_DISPLAY_BLOB_SIZE];
#endif
    struct mtr_meter_engines engines;
    struct mtr_meter_config mc;
    struct mtr_meter meter;
    /* object table and server */
    struct mtr_cosem_config cosem_cfg;
    struct mtr_cosem cosem;
    struct mtr_dlms_security sec;
    struct mtr_dlms_assoc_cfg assocs[MTR_COSEM_ROLES];
    struct mtr_dlms_server_cfg scfg;
    struct mtr_dlms_server srv;
    uint8_t blk[COSEM_RIG_VALUE_MAX];
    /* client */
    int role;      /* associated role, -1: none */
    uint8_t iid;
    uint32_t apdus; /* APDUs served */
    /* last value received (GET value, ACTION return data) */
    uint8_t val[COSEM_RIG_VALUE_MAX];
    size_t val_len;
    unsigned blocks; /* GET: blocks of the last value (0: not in blocks) */
    /* what the application saw */
    struct mtr_log_record log[COSEM_RIG_LOG_MAX];
    uint32_t nlog;
    uint32_t nbills;
    /* for the hooks of other object groups */
    void *ext[4];
};

/*
 * A new meter at @p utc (UTC, zone 0, no DST), its engines wired, a TOU
 * calendar (00:00 T1, 06:00 T2, 18:00 T3 every day) active and a passive
 * copy programmed (activation: never), 2 s of load run (metrology results
 * exist), the table and the server ready, no association. Heap-allocated.
 */
struct cosem_rig *cosem_rig_new(mtr_utc_t utc);
void cosem_rig_free(struct cosem_rig *r);
/*
 * Restart the meter on the same NVM and RTC: every engine context, the
 * meter, the table and the server start from nothing (RAM lost, no power-fail
 * commit) and restore what the store holds; the other groups' hooks run again;
 * 2 s of load; no association.
 */
void cosem_rig_reboot(struct cosem_rig *r);
/* Run @p ms of simulated time in steps of @p step_ms (ADC ready + poll). */
void cosem_rig_run(struct cosem_rig *r, uint64_t ms, uint32_t step_ms);

/* Open the association of @p role (after releasing any other one). */
void cosem_rig_assoc(struct cosem_rig *r, int role);

/* Send one plain APDU, return the response length (into @p resp). */
size_t cosem_rig_xfer(struct cosem_rig *r, const uint8_t *apdu, size_t len, uint8_t *resp, size_t cap);

/*
 * GET attribute @p attr of (class, obis); follows blocks. @return the
 * data-access-result (0: success, the value in r->val / r->val_len).
 */
int cosem_rig_get(struct cosem_rig *r, uint16_t class_id, const uint8_t obis[6], uint8_t attr);
/* SET with value bytes @p v (in blocks when larger than the PDU). @return the data-access-result. */
int cosem_rig_set(struct cosem_rig *r, uint16_t class_id, const uint8_t obis[6], uint8_t attr,
                  const uint8_t *v, size_t len);
/* ACTION with parameter @p p (NULL: none). @return the action-result; return data in r->val. */
int cosem_rig_action(struct cosem_rig *r, uint16_t class_id, const uint8_t obis[6], uint8_t method,
                     const uint8_t *p, size_t len);

/* Index of object (class, obis) in the table, -1 if absent. */
int cosem_rig_find(uint16_t class_id, const uint8_t obis[6]);
/* The object with logical name A-B:C.D.E.F (asserts that it exists). */
const struct mtr_dlms_obj *cosem_rig_obj(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint8_t e, uint8_t f);

/* Count of log records with event @p code. */
uint32_t cosem_rig_count(const struct cosem_rig *r, uint16_t code);

/* A-XDR value builder for SET values and ACTION parameters. */
struct cosem_val {
    uint8_t b[COSEM_RIG_VALUE_MAX];
    size_t n;
};
void cv_reset(struct cosem_val *v);
void cv_u8(struct cosem_val *v, uint8_t x);
void cv_tag_len(struct cosem_val *v, uint8_t tag, size_t n); /* tag + A-XDR length */
void cv_bytes(struct cosem_val *v, uint8_t tag, const void *p, size_t n);
void cv_uint(struct cosem_val *v, uint8_t tag, uint64_t x);  /* fixed-size integer types */

/* Hooks of the other object groups (weak defaults: nothing). *_engines run
 * before mtr_meter_init() (add engines to r->engines), *_server after it,
 * before mtr_cosem_init() and mtr_dlms_server_init() (edit r->cosem_cfg,
 * r->scfg). */
void cosem_rig_control_engines(struct cosem_rig *r);
void cosem_rig_control_server(struct cosem_rig *r);
void cosem_rig_sys_engines(struct cosem_rig *r);
void cosem_rig_sys_server(struct cosem_rig *r);

#endif
