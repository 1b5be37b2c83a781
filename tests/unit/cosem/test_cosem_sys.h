/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The system objects' side of the rig (cosem_rig_sys.c): the settings RAM
 * the application owns (push setups, schedulers, port setups), its hooks
 * (push_send, set_secret, changed) and an image transfer engine over a RAM
 * image store, all recorded here for the tests.
 */
#ifndef TEST_COSEM_SYS_H
#define TEST_COSEM_SYS_H

#include <stdint.h>

#include "cosem_rig.h"
#include "meter/image.h"

#define FX_OBJECTS  8
#define FX_WINDOWS  2
#define FX_TIMES    4
#define FX_PUSH_BUF 1024
#define FX_SENT     32
#define FX_EVENTS   32
#define FX_STORE    8192u
#define FX_BLOCK    128u
#define FX_TYPE     "ST402D"

struct fx_sent {
    uint8_t push;
    uint8_t apdu[FX_PUSH_BUF];
    size_t len;
    mtr_utc_t at; /* cosem time of the send */
};

struct sys_fx {
    struct cosem_rig *r;
    struct mtr_cosem_capture objects[MTR_COSEM_PUSHES][FX_OBJECTS];
    uint8_t dest[MTR_COSEM_PUSHES][32];
    uint8_t windows[MTR_COSEM_PUSHES][FX_WINDOWS][24];
    struct mtr_cosem_push_setup push[MTR_COSEM_PUSHES];
    uint8_t times[MTR_COSEM_SCHEDULERS][FX_TIMES][9];
    struct mtr_cosem_schedule sched[MTR_COSEM_SCHEDULERS];
    struct mtr_cosem_tcp tcp;
    struct mtr_cosem_hdlc hdlc;
    struct mtr_cosem_local_port lp;
    uint8_t push_buf[FX_PUSH_BUF];
    /* push_send */
    struct fx_sent sent[FX_SENT];
    unsigned nsent;
    unsigned send_calls;
    mtr_err_t send_result;
    /* changed */
    unsigned nchanged;
    uint8_t changed_what, changed_index;
    /* set_secret */
    uint8_t secret[64];
    size_t secret_len;
    uint16_t secret_sap;
    unsigned secret_calls;
    /* image transfer */
    struct mtr_image img;
    struct mtr_image_config img_cfg;
    uint8_t store[FX_STORE];
    uint8_t bitmap[FX_STORE / FX_BLOCK / 8];
    uint8_t gmac_key[16];
    uint8_t ecdsa_pub[64];
    uint16_t ev_code[FX_EVENTS];
    char ev_name[FX_EVENTS][80];
    unsigned nev;
    unsigned prepares, activations;
    mtr_err_t activate_result;
    uint8_t activated_digest[32];
};

extern struct sys_fx fx;

/* Events with @p code recorded from the image transfer engine. */
unsigned fx_events(uint16_t code);

#endif
