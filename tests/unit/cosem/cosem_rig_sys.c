/* SPDX-License-Identifier: Apache-2.0 */
/* The rig's hooks for the system objects (test_cosem_sys.h). */
#include "test_cosem_sys.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

struct sys_fx fx;

unsigned fx_events(uint16_t code)
{
    unsigned n = 0;
    for (unsigned k = 0; k < fx.nev && k < FX_EVENTS; k++) {
        n += fx.ev_code[k] == code;
    }
    return n;
}

static mtr_err_t push_send(void *user, uint8_t push, const struct mtr_cosem_push_setup *setup,
                           const uint8_t *apdu, size_t len)
{
    (void)user;
    cr_assert_eq(setup, &fx.push[push], "the hook gets the push's own setup");
    fx.send_calls++;
    if (fx.send_result != MTR_OK) {
        return fx.send_result;
    }
    if (fx.nsent < FX_SENT) {
        struct fx_sent *s = &fx.sent[fx.nsent];
        cr_assert_leq(len, sizeof s->apdu);
        s->push = push;
        memcpy(s->apdu, apdu, len);
        s->len = len;
        s->at = fx.r->cosem.now;
    }
    fx.nsent++;
    return MTR_OK;
}

static mtr_err_t set_secret(void *user, uint16_t client_sap, const uint8_t *secret, size_t len)
{
    (void)user;
    cr_assert_leq(len, sizeof fx.secret);
    memcpy(fx.secret, secret, len);
    fx.secret_len = len;
    fx.secret_sap = client_sap;
    fx.secret_calls++;
    return MTR_OK;
}

static void changed(void *user, uint8_t what, uint8_t index)
{
    (void)user;
    fx.nchanged++;
    fx.changed_what = what;
    fx.changed_index = index;
}

/* ------------------------------------------------------------ image store in RAM */

static mtr_err_t img_prepare(void *user, uint32_t size)
{
    (void)user;
    cr_assert_leq(size, FX_STORE);
    memset(fx.store, 0xFF, sizeof fx.store); /* an erased flash bank */
    fx.prepares++;
    return MTR_OK;
}

static mtr_err_t img_write(void *user, uint32_t off, const uint8_t *data, size_t len)
{
    (void)user;
    cr_assert_leq(off + len, FX_STORE);
    memcpy(fx.store + off, data, len);
    return MTR_OK;
}

static mtr_err_t img_read(void *user, uint32_t off, uint8_t *data, size_t len)
{
    (void)user;
    cr_assert_leq(off + len, FX_STORE);
    memcpy(data, fx.store + off, len);
    return MTR_OK;
}

static mtr_err_t img_activate(void *user, const struct mtr_image_info *info)
{
    (void)user;
    if (fx.activate_result == MTR_OK) {
        fx.activations++;
        memcpy(fx.activated_digest, info->digest, 32);
    }
    return fx.activate_result;
}

static void img_event(void *user, uint16_t code, const char *name)
{
    (void)user;
    if (fx.nev < FX_EVENTS) {
        fx.ev_code[fx.nev] = code;
        snprintf(fx.ev_name[fx.nev], sizeof fx.ev_name[0], "%s", name);
    }
    fx.nev++;
}

/* ------------------------------------------------------------ hooks */

void cosem_rig_sys_engines(struct cosem_rig *r)
{
    (void)r;
}

static const uint8_t push_ln[MTR_COSEM_PUSHES][6] = {
    {0, 0, 25, 9, 0, 255}, {0, 1, 25, 9, 0, 255}, {0, 2, 25, 9, 0, 255},
    {0, 3, 25, 9, 0, 255}, {0, 4, 25, 9, 0, 255}, {0, 7, 25, 9, 0, 255},
};

void cosem_rig_sys_server(struct cosem_rig *r)
{
    static const uint8_t fw_lr[] = "V030202", fw_lnr[] = "V010005", name[] = "LMT0001234567890";
    static const uint8_t sig[16] = {0x5A, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                                    0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xA5};
    static const uint8_t dest[] = "129.0.2.21:4059"; /* seed st402-comms.json destination format */
    struct mtr_cosem_config *c = &r->cosem_cfg;

    memset(&fx, 0, sizeof fx);
    fx.r = r;
    for (int k = 0; k < MTR_COSEM_PUSHES; k++) {
        struct mtr_cosem_push_setup *p = &fx.push[k];
        /* the push setup itself, the firmware version, the TCP port */
        fx.objects[k][0] = (struct mtr_cosem_capture){40, {0}, 1, 0};
        memcpy(fx.objects[k][0].obis, push_ln[k], 6);
        fx.objects[k][1] = (struct mtr_cosem_capture){1, {1, 0, 0, 2, 0, 255}, 2, 0};
        fx.objects[k][2] = (struct mtr_cosem_capture){41, {0, 0, 25, 0, 0, 255}, 2, 0};
        memcpy(fx.dest[k], dest, sizeof dest - 1);
        *p = (struct mtr_cosem_push_setup){
            .objects = fx.objects[k],
            .nobjects = 3,
            .objects_cap = FX_OBJECTS,
            .transport = MTR_COSEM_TRANSPORT_TCP,
            .message = 0,
            .dest = fx.dest[k],
            .dest_len = sizeof dest - 1,
            .dest_cap = sizeof fx.dest[k],
            .windows = fx.windows[k],
            .nwindows = 0,
            .windows_cap = FX_WINDOWS,
            .randomisation_s = 0,
            .retries = 2,
            .repetition_s = 60,
        };
    }
    /* interval 1: every day at 00:15:00; interval 2: every hour at :30:00; interval 3: none */
    static const uint8_t t1[9] = {0, 15, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    static const uint8_t t2[9] = {0xFF, 30, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    memcpy(fx.times[0][0], t1, 9);
    memcpy(fx.times[1][0], t2, 9);
    for (int k = 0; k < MTR_COSEM_SCHEDULERS; k++) {
        fx.sched[k] = (struct mtr_cosem_schedule){fx.times[k], k < 2 ? 1 : 0, FX_TIMES};
    }
    fx.tcp = (struct mtr_cosem_tcp){4059, {0, 0, 25, 1, 0, 255}, 576, 1, 180};
    fx.hdlc = (struct mtr_cosem_hdlc){5, 1, 1, 128, 128, 200, 120, 17};
    fx.lp = (struct mtr_cosem_local_port){.mode = 1, .default_baud = 0, .prop_baud = 5};

    memset(fx.gmac_key, 0x4B, sizeof fx.gmac_key);
    fx.img_cfg = (struct mtr_image_config){
        .hal = &r->hal,
        .block_size = FX_BLOCK,
        .capacity = FX_STORE,
        .bitmap = fx.bitmap,
        .bitmap_size = sizeof fx.bitmap,
        .type = (const uint8_t *)FX_TYPE,
        .type_len = sizeof FX_TYPE - 1,
        .gmac_key = fx.gmac_key,
        .ecdsa_pub = NULL,
        .prepare = img_prepare,
        .write = img_write,
        .read = img_read,
        .activate = img_activate,
        .on_event = img_event,
        .user = &fx,
    };
    cr_assert_eq(mtr_image_init(&fx.img, &fx.img_cfg), MTR_OK);

    c->server_sap = 1;
    c->device_name = name;
    c->device_name_len = sizeof name - 1;
    c->fw_version = fw_lr;
    c->fw_version_len = sizeof fw_lr - 1;
    c->fw_version_lnr = fw_lnr;
    c->fw_version_lnr_len = sizeof fw_lnr - 1;
    c->fw_signature = sig;
    c->fw_signature_len = sizeof sig;
    c->tcp = &fx.tcp;
    c->hdlc = &fx.hdlc;
    c->local_port = &fx.lp;
    c->push = fx.push;
    c->schedule = fx.sched;
    c->push_policy = MTR_DLMS_POLICY_NONE;
    c->push_buf = fx.push_buf;
    c->push_buf_size = sizeof fx.push_buf;
    c->image = &fx.img;
    c->push_send = push_send;
    c->set_secret = set_secret;
    c->changed = changed;
    /* the management client may change the keys (global_key_transfer of the security setup) */
    r->assocs[MTR_COSEM_ROLE_MANAGEMENT].flags |= MTR_DLMS_ASSOC_KEY_TRANSFER;
}
