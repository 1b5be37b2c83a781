/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target for the whole xDLMS server on a small object table. Input:
 * one byte choosing the starting state (0 idle, 1 public association,
 * 2 LLS association with every service, 3 HLS-5 pending, 4 ciphered
 * pre-established client), then APDUs as [length high, length low, bytes].
 * Every response must fit its buffer and the negotiated PDU size; refused
 * requests must leave the association state as it was.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "meter/dlms.h"
#include "sim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int cond)
{
    if (!cond)
        abort();
}

static uint8_t serial[16] = "LM0001";
static uint8_t serial_len = 6;
static uint8_t blob[600];

static mtr_err_t data_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    (void)c;
    return mtr_dlms_axdr_put_string(w, MTR_DLMS_VISIBLE_STRING, serial, serial_len);
}

static mtr_err_t data_set(const struct mtr_dlms_call *c)
{
    if (c->data_len < 2 || c->data[0] != MTR_DLMS_VISIBLE_STRING || c->data[1] > sizeof serial ||
        c->data_len != 2u + c->data[1])
        return MTR_ERR_INVAL;
    memcpy(serial, c->data + 2, c->data[1]);
    serial_len = c->data[1];
    return MTR_OK;
}

/* A buffer of rows streamed item by item; selector 2 picks entries. */
static mtr_err_t rows_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    uint32_t n = 300;

    if (c->cursor[0] == 0) {
        if (c->selector == 2) {
            if (c->sel_len < 7 || c->sel[0] != 0x06)
                return MTR_ERR_INVAL;
            n = c->sel[4] % 200u;
        } else if (c->selector != 0) {
            return MTR_ERR_RANGE;
        }
        if (!mtr_dlms_server_room(w))
            return MTR_ERR_FULL;
        mtr_dlms_axdr_put_container(w, MTR_DLMS_ARRAY, n);
        c->cursor[0] = 1;
        c->cursor[1] = n;
    }
    while (c->cursor[0] <= c->cursor[1]) {
        if (!mtr_dlms_server_room(w))
            return MTR_ERR_FULL;
        mtr_dlms_axdr_put_uint(w, MTR_DLMS_DOUBLE_LONG_UNSIGNED, c->cursor[0]++);
    }
    return MTR_OK;
}

static mtr_err_t blob_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    (void)c;
    return mtr_dlms_axdr_put_string(w, MTR_DLMS_OCTET_STRING, blob, sizeof blob);
}

static mtr_err_t blob_set(const struct mtr_dlms_call *c)
{
    memcpy(blob, c->data, c->data_len < sizeof blob ? c->data_len : sizeof blob);
    return MTR_OK;
}

static mtr_err_t blob_action(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    return mtr_dlms_axdr_put_uint(w, MTR_DLMS_DOUBLE_LONG_UNSIGNED, (uint32_t)c->data_len);
}

#define ALL {0xFFFF, 0xFFFF, 0xFFFF}
static const struct mtr_dlms_access ACC_RO[2] = {{0x0003, 0, 0}, ALL};
static const struct mtr_dlms_access ACC_ALL[2] = {ALL, ALL};

static const struct mtr_dlms_obj OBJECTS[] = {
    {1, 0, {0, 0, 96, 1, 0, 255}, ACC_RO, data_get, data_set, NULL, NULL},
    {7, 1, {1, 0, 99, 1, 0, 255}, ACC_ALL, rows_get, NULL, NULL, NULL},
    {1, 0, {0, 0, 96, 50, 0, 255}, ACC_ALL, blob_get, blob_set, blob_action, NULL},
};

static const uint8_t PW[8] = "12345678";
static const uint8_t TITLE[8] = {0x4D, 0x4D, 0x4D, 0, 0, 0, 0, 1};
static const struct mtr_dlms_assoc_cfg ASSOCS[] = {
    {16, MTR_DLMS_MECH_NONE, MTR_DLMS_POLICY_NONE, 0, 0, 0, NULL, MTR_DLMS_CONF_GET | MTR_DLMS_CONF_BLOCK_GET, NULL},
    {32, MTR_DLMS_MECH_LLS, MTR_DLMS_POLICY_NONE, 1, MTR_DLMS_ASSOC_KEY_TRANSFER, 8, PW, MTR_DLMS_CONF_SERVER, NULL},
    {3, MTR_DLMS_MECH_HLS_GMAC, MTR_DLMS_POLICY_NONE, 1, 0, 0, NULL, MTR_DLMS_CONF_SERVER, NULL},
    {102, MTR_DLMS_MECH_NONE, MTR_DLMS_POLICY_AUTH_ENC, 1, MTR_DLMS_ASSOC_PRE_ESTABLISHED, 0, NULL,
     MTR_DLMS_CONF_SERVER, TITLE},
};

/* AARQs that open states 1..3 (built per the Green Book; see tests/unit/dlms). */
static const uint8_t AARQ_PUBLIC[] = {0x60, 0x1D, 0xA1, 0x09, 0x06, 0x07, 0x60, 0x85, 0x74, 0x05, 0x08, 0x01,
                                      0x01, 0xBE, 0x10, 0x04, 0x0E, 0x01, 0x00, 0x00, 0x00, 0x06, 0x5F, 0x1F,
                                      0x04, 0x00, 0x00, 0x1E, 0x5D, 0xFF, 0xFF};
static const uint8_t AARQ_LLS[] = {0x60, 0x36, 0xA1, 0x09, 0x06, 0x07, 0x60, 0x85, 0x74, 0x05, 0x08, 0x01, 0x01,
                                   0x8A, 0x02, 0x07, 0x80, 0x8B, 0x07, 0x60, 0x85, 0x74, 0x05, 0x08, 0x02, 0x01,
                                   0xAC, 0x0A, 0x80, 0x08, '1', '2', '3', '4', '5', '6', '7', '8', 0xBE, 0x10,
                                   0x04, 0x0E, 0x01, 0x00, 0x00, 0x00, 0x06, 0x5F, 0x1F, 0x04, 0x00, 0x40, 0xFF,
                                   0xFF, 0x02, 0x00};
static const uint8_t AARQ_HLS[] = {0x60, 0x42, 0xA1, 0x09, 0x06, 0x07, 0x60, 0x85, 0x74, 0x05, 0x08, 0x01, 0x01,
                                   0xA6, 0x0A, 0x04, 0x08, 0x4D, 0x4D, 0x4D, 0, 0, 0, 0, 1, 0x8A, 0x02, 0x07,
                                   0x80, 0x8B, 0x07, 0x60, 0x85, 0x74, 0x05, 0x08, 0x02, 0x05, 0xAC, 0x0A, 0x80,
                                   0x08, 'K', '5', '6', 'i', 'V', 'a', 'g', 'Y', 0xBE, 0x10, 0x04, 0x0E, 0x01,
                                   0x00, 0x00, 0x00, 0x06, 0x5F, 0x1F, 0x04, 0x00, 0x40, 0xFF, 0xFF, 0x02, 0x00};

static struct mtr_sim sim;
static struct mtr_hal hal;
static int ready;

static void setup(void)
{
    struct mtr_sim_config sc;
    mtr_sim_default_config(&sc);
    sc.nvm_size = 4096;
    sc.nvm_sector_size = 1024;
    require(mtr_sim_init(&sim, &sc) == MTR_OK);
    mtr_sim_hal(&sim, &hal);
    ready = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t in[MTR_CFG_DLMS_MAX_APDU];
    static uint8_t out[MTR_CFG_DLMS_MAX_APDU];
    static uint8_t blk[1024];
    static struct mtr_dlms_security sec;
    static struct mtr_dlms_server_cfg cfg;
    static struct mtr_dlms_server s;
    uint16_t sap = 16;
    size_t n;
    uint8_t start;

    if (size < 1)
        return 0;
    if (!ready)
        setup();
    memset(&sec, 0, sizeof sec);
    memset(sec.ek, 0x11, 16);
    memset(sec.ak, 0x22, 16);
    memset(sec.kek, 0x33, 16);
    sec.tx_ic = 1;
    memset(&cfg, 0, sizeof cfg);
    cfg.hal = hal.crypto != NULL ? &hal : NULL;
    cfg.objects = OBJECTS;
    cfg.nobjects = 3;
    cfg.assocs = ASSOCS;
    cfg.nassocs = hal.crypto != NULL ? 4 : 2;
    cfg.max_pdu = 512;
    cfg.conformance = MTR_DLMS_CONF_SERVER;
    cfg.sec = hal.crypto != NULL ? &sec : NULL;
    cfg.security_setup[0] = 0, cfg.security_setup[2] = 43, cfg.security_setup[5] = 255;
    cfg.blk = blk;
    cfg.blk_cap = sizeof blk;
    require(mtr_dlms_server_init(&s, &cfg) == MTR_OK);
    start = (uint8_t)(data[0] % 5u);
    if (start == 1 || start == 2 || (start == 3 && cfg.nassocs > 2)) {
        const uint8_t *a = start == 1 ? AARQ_PUBLIC : start == 2 ? AARQ_LLS : AARQ_HLS;
        size_t al = start == 1 ? sizeof AARQ_PUBLIC : start == 2 ? sizeof AARQ_LLS : sizeof AARQ_HLS;
        sap = start == 1 ? 16 : start == 2 ? 32 : 3;
        memcpy(in, a, al);
        require(mtr_dlms_server_apdu(&s, sap, in, al, out, sizeof out, &n) == MTR_OK);
    } else if (start == 4) {
        sap = 102;
    }
    data++;
    size--;
    while (size >= 2) {
        size_t len = (size_t)data[0] << 8 | data[1];
        uint8_t before = mtr_dlms_server_state(&s);
        mtr_err_t err;
        data += 2;
        size -= 2;
        if (len > size)
            len = size;
        if (len > sizeof in)
            len = sizeof in;
        memcpy(in, data, len);
        err = mtr_dlms_server_apdu(&s, sap, in, len, out, sizeof out, &n);
        require(n <= sizeof out);
        require(n > 0 || (err == MTR_OK && len > 0));
        if (err != MTR_OK && err != MTR_ERR_DLMS_ASSOC && before != MTR_DLMS_ASSOC_IDLE && sap != 102)
            require(mtr_dlms_server_state(&s) == before);
        data += len;
        size -= len;
    }
    return 0;
}

