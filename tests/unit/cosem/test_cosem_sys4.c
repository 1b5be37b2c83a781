/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The image transfer engine through its own API (configuration checks,
 * missing crypto), the push engine's edge cases (buffer too small, values
 * that cannot be read, missing hooks) and the DLMS functions the system
 * objects rely on (association accessor, data-notification built in place).
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "dlms_client.h"
#include "test_cosem_sys.h"

#define UTC0 1717200000

/* ------------------------------------------------------------ image engine */

static mtr_err_t ok_prepare(void *u, uint32_t s)
{
    (void)u;
    (void)s;
    return MTR_OK;
}

static mtr_err_t ok_write(void *u, uint32_t o, const uint8_t *d, size_t n)
{
    (void)u;
    (void)o;
    (void)d;
    (void)n;
    return MTR_OK;
}

static mtr_err_t ok_read(void *u, uint32_t o, uint8_t *d, size_t n)
{
    (void)u;
    (void)o;
    memset(d, 0, n);
    return MTR_OK;
}

static mtr_err_t ok_activate(void *u, const struct mtr_image_info *i)
{
    (void)u;
    (void)i;
    return MTR_OK;
}

static uint8_t bitmap[8];

static struct mtr_image_config good(void)
{
    return (struct mtr_image_config){
        .hal = NULL,
        .block_size = 64,
        .capacity = 4096,
        .bitmap = bitmap,
        .bitmap_size = sizeof bitmap,
        .type = (const uint8_t *)"T",
        .type_len = 1,
        .prepare = ok_prepare,
        .write = ok_write,
        .read = ok_read,
        .activate = ok_activate,
    };
}

Test(cosem_sys_engine, image_config_checks)
{
    struct mtr_image img;
    struct mtr_image_config c = good();
    cr_assert_eq(mtr_image_init(&img, &c), MTR_OK);
    cr_assert_eq(mtr_image_status(&img), MTR_IMAGE_NOT_INITIATED);
    cr_assert(mtr_image_enabled(&img));
    cr_assert_eq(mtr_image_block_size(&img), 64);
    struct mtr_image_config bad[10];
    for (int k = 0; k < 10; k++) {
        bad[k] = good();
    }
    bad[0].block_size = 15;
    bad[1].block_size = 65536;
    bad[2].capacity = MTR_IMAGE_HEADER;
    bad[3].bitmap_size = 7; /* 4096 / 64 = 64 blocks need 8 bytes */
    bad[4].bitmap = NULL;
    bad[5].type_len = 0;
    bad[6].type_len = 33;
    bad[7].prepare = NULL;
    bad[8].read = NULL;
    bad[9].activate = NULL;
    for (int k = 0; k < 10; k++) {
        cr_assert_eq(mtr_image_init(&img, &bad[k]), MTR_ERR_CONFIG, "configuration %d", k);
    }
    cr_assert_eq(mtr_image_bitmap_bytes(4096, 64), 8);
    cr_assert_eq(mtr_image_bitmap_bytes(4097, 64), 9);
    cr_assert_eq(mtr_image_bitmap_bytes(100, 0), 0);
    cr_assert_eq(mtr_image_size(), sizeof(struct mtr_image));
}

Test(cosem_sys_engine, verify_without_sha256_changes_nothing)
{
    struct mtr_image img, before;
    struct mtr_image_config c = good();
    uint8_t blk[64] = {0};
    cr_assert_eq(mtr_image_init(&img, &c), MTR_OK);
    cr_assert_eq(mtr_image_initiate(&img, (const uint8_t *)"id", 2, 200, false), MTR_OK);
    cr_assert_eq(mtr_image_block(&img, 0, blk, 64), MTR_OK);
    cr_assert_eq(mtr_image_block(&img, 1, blk, 64), MTR_OK);
    cr_assert_eq(mtr_image_block(&img, 2, blk, 64), MTR_OK);
    cr_assert_eq(mtr_image_block(&img, 3, blk, 8), MTR_OK);
    cr_assert_eq(mtr_image_first_missing(&img), 4);
    before = img;
    cr_assert_eq(mtr_image_verify(&img, false), MTR_ERR_NOTSUP);
    cr_assert_eq(memcmp(&before, &img, sizeof img), 0);
    struct mtr_image_info info;
    cr_assert(!mtr_image_to_activate(&img, &info));
    const uint8_t *bm;
    cr_assert_eq(mtr_image_blocks(&img, &bm), 4);
    cr_assert_eq(bm[0], 0xF0);
}

/* ------------------------------------------------------------ push engine */

Test(cosem_sys_engine, push_without_hooks)
{
    struct cosem_rig *r = cosem_rig_new(UTC0);
    r->cosem.cfg.push_send = NULL;
    cr_assert_eq(mtr_cosem_push_trigger(&r->cosem, 0), MTR_ERR_NOTSUP);
    mtr_cosem_tick(&r->cosem, UTC0 + 15 * 60, 0); /* schedulers due, nothing to send with */
    struct mtr_cosem_push_stats st;
    mtr_cosem_push_stats(&r->cosem, MTR_COSEM_PUSH_INTERVAL_1, &st);
    cr_assert_eq(st.triggered, 0, "nothing started without a way to send");
    mtr_cosem_push_stats(&r->cosem, 200, &st);
    cr_assert_eq(st.triggered, 0);
    cosem_rig_free(r);
}

Test(cosem_sys_engine, push_larger_than_its_buffer)
{
    struct cosem_rig *r = cosem_rig_new(UTC0);
    struct mtr_cosem_push_stats st;
    for (int k = 0; k < FX_OBJECTS; k++) {
        fx.objects[0][k] =
            (struct mtr_cosem_capture){1, {1, 0, 0, 2, 8, 255}, 2, 0}; /* 18 bytes each */
    }
    fx.push[0].nobjects = FX_OBJECTS;
    r->cosem.cfg.push_buf_size = 96;
    mtr_cosem_tick(&r->cosem, UTC0, 0);
    cr_assert_eq(mtr_cosem_push_trigger(&r->cosem, 0), MTR_OK);
    cr_assert_eq(fx.send_calls, 0);
    mtr_cosem_push_stats(&r->cosem, 0, &st);
    cr_assert(st.failed == 1 && st.sent == 0);
    /* with room it goes */
    r->cosem.cfg.push_buf_size = FX_PUSH_BUF;
    cr_assert_eq(mtr_cosem_push_trigger(&r->cosem, 0), MTR_OK);
    cr_assert_eq(fx.nsent, 1);
    cr_assert_eq(fx.sent[0].len, 6 + 2 + FX_OBJECTS * 18);
    cosem_rig_free(r);
}

/* Values that cannot be read are sent as null-data; the association as seen outside one. */
Test(cosem_sys_engine, push_values_outside_an_association)
{
    struct cosem_rig *r = cosem_rig_new(UTC0);
    fx.objects[1][0] = (struct mtr_cosem_capture){41, {0, 0, 25, 0, 0, 255}, 2, 0};
    fx.objects[1][1] = (struct mtr_cosem_capture){15, {0, 0, 40, 0, 0, 255}, 8, 0};
    fx.objects[1][2] = (struct mtr_cosem_capture){15, {0, 0, 40, 0, 0, 255}, 7, 0};
    fx.push[1].nobjects = 3;
    r->cosem.cfg.tcp = NULL;
    mtr_cosem_tick(&r->cosem, UTC0, 0);
    cr_assert_eq(mtr_cosem_push_trigger(&r->cosem, 1), MTR_OK);
    cr_assert_eq(fx.nsent, 1);
    static const uint8_t body[] = {2, 3, 0, 22, 0, 0};
    cr_assert_eq(fx.sent[0].len, 6 + sizeof body);
    cr_assert_arr_eq(fx.sent[0].apdu + 6, body, sizeof body,
                     "null-data, association status 0 (non-associated), the secret never");
    cosem_rig_free(r);
}

/* ------------------------------------------------------------ DLMS functions */

Test(cosem_sys_engine, association_accessor)
{
    struct cosem_rig *r = cosem_rig_new(UTC0);
    struct mtr_dlms_assoc_info a;
    mtr_dlms_server_assoc(&r->srv, &a);
    cr_assert(a.state == MTR_DLMS_ASSOC_IDLE && a.client_sap == 0 && a.conformance == 0);
    cr_assert_eq(a.server_max_pdu, r->scfg.max_pdu);
    cr_assert_eq(a.sec, &r->sec);
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL2);
    mtr_dlms_server_assoc(&r->srv, &a);
    cr_assert_eq(a.state, MTR_DLMS_ASSOC_ASSOCIATED);
    cr_assert_eq(a.client_sap, cosem_rig_sap[MTR_COSEM_ROLE_LEVEL2]);
    cr_assert_eq(a.profile, MTR_COSEM_ROLE_LEVEL2);
    cr_assert_eq(a.conformance, mtr_dlms_server_conformance(&r->srv));
    cr_assert_gt(a.client_max_pdu, 0);
    cr_assert(!a.ciphered && !a.has_client_title && !a.local_port);
    uint8_t ss[6] = {0, 0, 43, 0, 0, 255};
    cr_assert_arr_eq(a.security_setup, ss, 6);
    cosem_rig_free(r);
}

Test(cosem_sys_engine, data_notification_in_place)
{
    uint8_t buf[64], dt[12];
    size_t len;
    memset(dt, 0xFF, sizeof dt);
    memcpy(buf + 6, (const uint8_t[]){0x11, 0x22}, 2);
    cr_assert_eq(mtr_dlms_data_notification(0x010203, NULL, buf + 6, 2, buf, sizeof buf, &len),
                 MTR_OK);
    static const uint8_t want[] = {0x0F, 0, 1, 2, 3, 0, 0x11, 0x22};
    cr_assert_eq(len, sizeof want);
    cr_assert_arr_eq(buf, want, sizeof want);
    /* with a date-time the header is 18 bytes: a body at out + 6 moves */
    memcpy(buf + 6, (const uint8_t[]){0x11, 0x22}, 2);
    cr_assert_eq(mtr_dlms_data_notification(7, dt, buf + 6, 2, buf, sizeof buf, &len), MTR_OK);
    cr_assert_eq(len, 20);
    cr_assert(buf[5] == 12 && buf[6] == 0xFF && buf[18] == 0x11 && buf[19] == 0x22);
    cr_assert_eq(mtr_dlms_data_notification(7, dt, buf + 6, 2, buf, 19, &len), MTR_ERR_FULL);
}

/* The sim's optional ECDSA op (meter/hal.h): a key off the curve is refused. */
Test(cosem_sys_engine, sim_ecdsa_op_rejects_bad_input)
{
    struct cosem_rig *r = cosem_rig_new(UTC0);
    const struct mtr_crypto_ops *c = r->hal.crypto;
    uint8_t pub[64], digest[32], sig[64];
    cr_assert_not_null(c->ecdsa_p256_verify, "the sim has the optional ECDSA op");
    memset(pub, 0x01, sizeof pub);
    memset(digest, 0x02, sizeof digest);
    memset(sig, 0x03, sizeof sig);
    cr_assert_eq(c->ecdsa_p256_verify(r->hal.ctx, pub, digest, sig), MTR_ERR_INVAL);
    cosem_rig_free(r);
}
