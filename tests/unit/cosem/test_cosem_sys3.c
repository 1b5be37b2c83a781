/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Image transfer (class 18, 0-0:44.0.0.255) over DLMS: a whole multi-block
 * transfer through verification and activation (GMAC and ECDSA images), the
 * firmware events of the seed's Table 9, the management-only rights, and
 * every malformed or out-of-order request refused with nothing changed.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/ecdsa.h>
#include <mbedtls/sha256.h>

#include "dlms_client.h"
#include "test_cosem_sys.h"

#define UTC0    1717200000
#define PAYLOAD 1000u
#define SIZE    (MTR_IMAGE_HEADER + PAYLOAD) /* 1160 bytes: 10 blocks, the last of 8 bytes */
#define BLOCKS  ((SIZE + FX_BLOCK - 1) / FX_BLOCK)

static const uint8_t LN_IMG[6] = {0, 0, 44, 0, 0, 255};
static const uint8_t ID[] = "MAC-ST402D-LR-HW1.0-FW3.2.3"; /* seed 11.3 identifier format */
static const uint8_t ZERO[2] = {MTR_DLMS_INTEGER, 0};

/* ------------------------------------------------------------ images */

static uint32_t rng_state = 0x12345678u;

static int test_rng(void *ctx, unsigned char *out, size_t len)
{
    (void)ctx;
    for (size_t k = 0; k < len; k++) {
        rng_state ^= rng_state << 13;
        rng_state ^= rng_state >> 17;
        rng_state ^= rng_state << 5;
        out[k] = (unsigned char)rng_state;
    }
    return 0;
}

/* A fixed P-256 key pair: d = 0x1111..11, its public key into pub. */
static void ecdsa_key(mbedtls_ecp_group *grp, mbedtls_mpi *d, uint8_t pub[64])
{
    mbedtls_ecp_point q;
    uint8_t raw[32], point[65];
    size_t olen;
    memset(raw, 0x11, sizeof raw);
    mbedtls_ecp_group_init(grp);
    mbedtls_mpi_init(d);
    mbedtls_ecp_point_init(&q);
    cr_assert_eq(mbedtls_ecp_group_load(grp, MBEDTLS_ECP_DP_SECP256R1), 0);
    cr_assert_eq(mbedtls_mpi_read_binary(d, raw, sizeof raw), 0);
    cr_assert_eq(mbedtls_ecp_mul(grp, &q, d, &grp->G, test_rng, NULL), 0);
    cr_assert_eq(mbedtls_ecp_point_write_binary(grp, &q, MBEDTLS_ECP_PF_UNCOMPRESSED, &olen, point,
                                                sizeof point),
                 0);
    cr_assert_eq(olen, 65);
    memcpy(pub, point + 1, 64);
    mbedtls_ecp_point_free(&q);
}

/* Build an image of PAYLOAD bytes named for @p type, authenticated with @p scheme. */
static void make_image(struct cosem_rig *r, uint8_t *img, const char *type, uint8_t scheme,
                       const uint8_t key[16])
{
    uint8_t *h = img;
    memset(img, 0, SIZE);
    for (uint32_t k = 0; k < PAYLOAD; k++) {
        img[MTR_IMAGE_HEADER + k] = (uint8_t)(k * 7 + 3);
    }
    memcpy(h, "LMFW", 4);
    h[4] = 1;
    h[5] = scheme;
    h[6] = 0;
    h[7] = MTR_IMAGE_HEADER;
    h[8] = 0;
    h[9] = 0;
    h[10] = (uint8_t)(PAYLOAD >> 8);
    h[11] = (uint8_t)PAYLOAD;
    memcpy(h + 12, type, strlen(type));
    cr_assert_eq(mbedtls_sha256_ret(img + MTR_IMAGE_HEADER, PAYLOAD, h + 44, 0), 0);
    if (scheme == MTR_IMAGE_SCHEME_GMAC) {
        uint8_t dummy[1];
        memset(h + 76, 0xA7, 12);
        cr_assert_eq(r->hal.crypto->gcm_encrypt(r->hal.ctx, key, h + 76, 12, h, MTR_IMAGE_SIGNED,
                                                dummy, 0, dummy, h + MTR_IMAGE_SIGNED, 16),
                     MTR_OK);
    } else {
        mbedtls_ecp_group grp;
        mbedtls_mpi d, sr, ss;
        uint8_t digest[32];
        ecdsa_key(&grp, &d, fx.ecdsa_pub);
        mbedtls_mpi_init(&sr);
        mbedtls_mpi_init(&ss);
        cr_assert_eq(mbedtls_sha256_ret(h, MTR_IMAGE_SIGNED, digest, 0), 0);
        cr_assert_eq(mbedtls_ecdsa_sign(&grp, &sr, &ss, &d, digest, 32, test_rng, NULL), 0);
        cr_assert_eq(mbedtls_mpi_write_binary(&sr, h + MTR_IMAGE_SIGNED, 32), 0);
        cr_assert_eq(mbedtls_mpi_write_binary(&ss, h + MTR_IMAGE_SIGNED + 32, 32), 0);
        mbedtls_mpi_free(&sr);
        mbedtls_mpi_free(&ss);
        mbedtls_mpi_free(&d);
        mbedtls_ecp_group_free(&grp);
    }
}

/* ------------------------------------------------------------ client side */

static int initiate(struct cosem_rig *r, const uint8_t *id, size_t id_len, uint32_t size)
{
    struct cosem_val v;
    cv_reset(&v);
    cv_tag_len(&v, MTR_DLMS_STRUCTURE, 2);
    cv_bytes(&v, MTR_DLMS_OCTET_STRING, id, id_len);
    cv_uint(&v, MTR_DLMS_DOUBLE_LONG_UNSIGNED, size);
    return cosem_rig_action(r, 18, LN_IMG, 1, v.b, v.n);
}

static int block(struct cosem_rig *r, uint32_t n, const uint8_t *data, size_t len)
{
    struct cosem_val v;
    cv_reset(&v);
    cv_tag_len(&v, MTR_DLMS_STRUCTURE, 2);
    cv_uint(&v, MTR_DLMS_DOUBLE_LONG_UNSIGNED, n);
    cv_bytes(&v, MTR_DLMS_OCTET_STRING, data, len);
    return cosem_rig_action(r, 18, LN_IMG, 2, v.b, v.n);
}

static int send_block(struct cosem_rig *r, const uint8_t *img, uint32_t n)
{
    size_t len = n + 1 < BLOCKS ? FX_BLOCK : SIZE - n * FX_BLOCK;
    return block(r, n, img + n * FX_BLOCK, len);
}

static uint8_t status(struct cosem_rig *r)
{
    cr_assert_eq(cosem_rig_get(r, 18, LN_IMG, 6), 0);
    cr_assert(r->val_len == 2 && r->val[0] == MTR_DLMS_ENUM);
    return r->val[1];
}

static uint32_t get_u32(struct cosem_rig *r, uint8_t attr)
{
    cr_assert_eq(cosem_rig_get(r, 18, LN_IMG, attr), 0);
    cr_assert(r->val_len == 5 && r->val[0] == MTR_DLMS_DOUBLE_LONG_UNSIGNED);
    return (uint32_t)r->val[1] << 24 | (uint32_t)r->val[2] << 16 | (uint32_t)r->val[3] << 8 |
           r->val[4];
}

/* A management association with a transfer of @p img complete (not verified). */
static struct cosem_rig *transferred(uint8_t *img)
{
    struct cosem_rig *r = cosem_rig_new(UTC0);
    make_image(r, img, FX_TYPE, MTR_IMAGE_SCHEME_GMAC, fx.gmac_key);
    cosem_rig_assoc(r, MTR_COSEM_ROLE_MANAGEMENT);
    cr_assert_eq(initiate(r, ID, sizeof ID - 1, SIZE), 0);
    for (uint32_t n = 0; n < BLOCKS; n++) {
        cr_assert_eq(send_block(r, img, n), 0, "block %u", n);
    }
    return r;
}

/* Snapshot of everything a refused request must leave alone. */
struct snap {
    struct mtr_image img;
    uint8_t bitmap[sizeof fx.bitmap];
    uint8_t store[FX_STORE];
    unsigned nev, activations, prepares;
};

static void snap_take(struct snap *s)
{
    s->img = fx.img;
    memcpy(s->bitmap, fx.bitmap, sizeof s->bitmap);
    memcpy(s->store, fx.store, sizeof s->store);
    s->nev = fx.nev;
    s->activations = fx.activations;
    s->prepares = fx.prepares;
}

static void snap_same(const struct snap *s)
{
    cr_assert_eq(memcmp(&s->img, &fx.img, sizeof s->img), 0, "engine state unchanged");
    cr_assert_eq(memcmp(s->bitmap, fx.bitmap, sizeof s->bitmap), 0);
    cr_assert_eq(memcmp(s->store, fx.store, sizeof s->store), 0, "image store unchanged");
    cr_assert_eq(s->nev, fx.nev, "no event");
    cr_assert_eq(s->activations, fx.activations);
    cr_assert_eq(s->prepares, fx.prepares);
}

/* ------------------------------------------------------------ tests */

Test(cosem_sys_image, full_transfer_verify_activate)
{
    static uint8_t img[SIZE];
    struct cosem_rig *r = cosem_rig_new(UTC0);
    make_image(r, img, FX_TYPE, MTR_IMAGE_SCHEME_GMAC, fx.gmac_key);
    cosem_rig_assoc(r, MTR_COSEM_ROLE_MANAGEMENT);
    cr_assert_eq(get_u32(r, 2), FX_BLOCK, "image_block_size");
    cr_assert_eq(status(r), MTR_IMAGE_NOT_INITIATED);
    cr_assert_eq(cosem_rig_get(r, 18, LN_IMG, 5), 0);
    cr_assert(r->val_len == 2 && r->val[0] == MTR_DLMS_BOOLEAN && r->val[1] == 1, "enabled");

    cr_assert_eq(initiate(r, ID, sizeof ID - 1, SIZE), 0);
    cr_assert_eq(status(r), MTR_IMAGE_TRANSFER_INITIATED);
    /* blocks out of order: the odd ones first */
    for (uint32_t n = 1; n < BLOCKS; n += 2) {
        cr_assert_eq(send_block(r, img, n), 0);
    }
    cr_assert_eq(get_u32(r, 4), 0, "first block not transferred");
    cr_assert_eq(cosem_rig_get(r, 18, LN_IMG, 3), 0);
    cr_assert(r->val_len == 4 && r->val[0] == MTR_DLMS_BIT_STRING && r->val[1] == BLOCKS);
    cr_assert(r->val[2] == 0x55 && (r->val[3] & 0xC0) == 0x40, "bit n = block n, MSB first");
    cr_assert_eq(cosem_rig_action(r, 18, LN_IMG, 3, ZERO, 2), MTR_DLMS_DAR_OTHER,
                 "verify before all blocks");
    for (uint32_t n = 0; n < BLOCKS; n += 2) {
        cr_assert_eq(send_block(r, img, n), 0);
    }
    cr_assert_eq(get_u32(r, 4), BLOCKS, "all transferred");
    cr_assert_eq(send_block(r, img, 3), 0, "a block sent again is acknowledged");
    cr_assert_eq(memcmp(fx.store, img, SIZE), 0, "the store holds the image");

    cr_assert_eq(cosem_rig_action(r, 18, LN_IMG, 3, ZERO, 2), 0, "image_verify");
    cr_assert_eq(status(r), MTR_IMAGE_VERIFY_OK);
    cr_assert_eq(fx.nev, 1);
    cr_assert_eq(fx.ev_code[0], 17);
    cr_assert_str_eq(fx.ev_name[0], "Firmware ready for activation");
    /* image_to_activate_info */
    cr_assert_eq(cosem_rig_get(r, 18, LN_IMG, 7), 0);
    struct cosem_val want;
    cv_reset(&want);
    cv_tag_len(&want, MTR_DLMS_ARRAY, 1);
    cv_tag_len(&want, MTR_DLMS_STRUCTURE, 3);
    cv_uint(&want, MTR_DLMS_DOUBLE_LONG_UNSIGNED, SIZE);
    cv_bytes(&want, MTR_DLMS_OCTET_STRING, ID, sizeof ID - 1);
    cv_bytes(&want, MTR_DLMS_OCTET_STRING, img + MTR_IMAGE_SIGNED, 16);
    cr_assert_eq(r->val_len, want.n);
    cr_assert_arr_eq(r->val, want.b, want.n);

    cr_assert_eq(cosem_rig_action(r, 18, LN_IMG, 4, ZERO, 2), 0, "image_activate");
    cr_assert_eq(status(r), MTR_IMAGE_ACTIVATE_OK);
    cr_assert_eq(fx.activations, 1);
    cr_assert_arr_eq(fx.activated_digest, img + 44, 32,
                     "the payload digest goes to the boot loader");
    cr_assert_eq(fx.nev, 2);
    cr_assert_eq(fx.ev_code[1], 18);
    cr_assert_str_eq(fx.ev_name[1], "Firmware activated");
    cosem_rig_free(r);
}

Test(cosem_sys_image, ecdsa_image)
{
    static uint8_t img[SIZE];
    struct cosem_rig *r = cosem_rig_new(UTC0);
    make_image(r, img, FX_TYPE, MTR_IMAGE_SCHEME_ECDSA, NULL);
    fx.img_cfg.ecdsa_pub = fx.ecdsa_pub;
    cosem_rig_assoc(r, MTR_COSEM_ROLE_MANAGEMENT);
    cr_assert_eq(initiate(r, ID, sizeof ID - 1, SIZE), 0);
    for (uint32_t n = 0; n < BLOCKS; n++) {
        cr_assert_eq(send_block(r, img, n), 0);
    }
    cr_assert_eq(cosem_rig_action(r, 18, LN_IMG, 3, ZERO, 2), 0);
    cr_assert_eq(fx_events(17), 1);
    cr_assert_eq(cosem_rig_get(r, 18, LN_IMG, 7), 0);
    cr_assert_eq(r->val[r->val_len - 65], 64, "64-byte ECDSA signature");

    /* the same image with s changed: incorrect signature */
    img[MTR_IMAGE_SIGNED + 63] ^= 0x01;
    cr_assert_eq(initiate(r, (const uint8_t *)"other", 5, SIZE), 0);
    for (uint32_t n = 0; n < BLOCKS; n++) {
        cr_assert_eq(send_block(r, img, n), 0);
    }
    cr_assert_eq(cosem_rig_action(r, 18, LN_IMG, 3, ZERO, 2), MTR_DLMS_DAR_OTHER);
    cr_assert_eq(fx_events(241), 1);
    cr_assert_eq(status(r), MTR_IMAGE_VERIFY_FAILED);
    cosem_rig_free(r);
}

Test(cosem_sys_image, corrupted_block_fails_verification)
{
    static uint8_t img[SIZE];
    struct cosem_rig *r = cosem_rig_new(UTC0);
    make_image(r, img, FX_TYPE, MTR_IMAGE_SCHEME_GMAC, fx.gmac_key);
    cosem_rig_assoc(r, MTR_COSEM_ROLE_MANAGEMENT);
    cr_assert_eq(initiate(r, ID, sizeof ID - 1, SIZE), 0);
    img[5 * FX_BLOCK + 17] ^= 0x20; /* a bit flipped in transit */
    for (uint32_t n = 0; n < BLOCKS; n++) {
        cr_assert_eq(send_block(r, img, n), 0);
    }
    cr_assert_eq(cosem_rig_action(r, 18, LN_IMG, 3, ZERO, 2), MTR_DLMS_DAR_OTHER);
    cr_assert_eq(status(r), MTR_IMAGE_VERIFY_FAILED);
    cr_assert_eq(fx.nev, 1);
    cr_assert_eq(fx.ev_code[0], 51);
    cr_assert_str_eq(fx.ev_name[0], "FW verification failed");
    cr_assert_eq(cosem_rig_get(r, 18, LN_IMG, 7), 0);
    cr_assert(r->val_len == 2 && r->val[0] == MTR_DLMS_ARRAY && r->val[1] == 0,
              "nothing to activate");
    cr_assert_eq(cosem_rig_action(r, 18, LN_IMG, 4, ZERO, 2), MTR_DLMS_DAR_OTHER, "no activation");
    cr_assert_eq(fx.activations, 0);
    cr_assert_eq(fx_events(18), 0);
    cosem_rig_free(r);
}

Test(cosem_sys_image, wrong_signature)
{
    static uint8_t img[SIZE];
    uint8_t other[16];
    memset(other, 0x4C, sizeof other);
    struct cosem_rig *r = cosem_rig_new(UTC0);
    make_image(r, img, FX_TYPE, MTR_IMAGE_SCHEME_GMAC, other);
    cosem_rig_assoc(r, MTR_COSEM_ROLE_MANAGEMENT);
    cr_assert_eq(initiate(r, ID, sizeof ID - 1, SIZE), 0);
    for (uint32_t n = 0; n < BLOCKS; n++) {
        cr_assert_eq(send_block(r, img, n), 0);
    }
    cr_assert_eq(cosem_rig_action(r, 18, LN_IMG, 3, ZERO, 2), MTR_DLMS_DAR_OTHER);
    cr_assert_eq(fx.nev, 1);
    cr_assert_eq(fx.ev_code[0], 241);
    cr_assert_str_eq(fx.ev_name[0], "Firmware image incorrect signature");
    cr_assert_eq(cosem_rig_action(r, 18, LN_IMG, 4, ZERO, 2), MTR_DLMS_DAR_OTHER);
    cr_assert_eq(fx.activations, 0);
    /* an ECDSA image on a meter without a public key: incorrect signature too */
    make_image(r, img, FX_TYPE, MTR_IMAGE_SCHEME_ECDSA, NULL);
    cr_assert_eq(initiate(r, ID, sizeof ID - 1, SIZE), 0);
    for (uint32_t n = 0; n < BLOCKS; n++) {
        cr_assert_eq(send_block(r, img, n), 0);
    }
    cr_assert_eq(cosem_rig_action(r, 18, LN_IMG, 3, ZERO, 2), MTR_DLMS_DAR_OTHER);
    cr_assert_eq(fx_events(241), 2);
    cosem_rig_free(r);
}

Test(cosem_sys_image, wrong_type)
{
    static uint8_t img[SIZE];
    struct cosem_rig *r = cosem_rig_new(UTC0);
    make_image(r, img, "ST402C", MTR_IMAGE_SCHEME_GMAC,
               fx.gmac_key); /* the other connection type */
    cosem_rig_assoc(r, MTR_COSEM_ROLE_MANAGEMENT);
    cr_assert_eq(initiate(r, ID, sizeof ID - 1, SIZE), 0);
    for (uint32_t n = 0; n < BLOCKS; n++) {
        cr_assert_eq(send_block(r, img, n), 0);
    }
    cr_assert_eq(cosem_rig_action(r, 18, LN_IMG, 3, ZERO, 2), MTR_DLMS_DAR_OTHER);
    cr_assert_eq(fx.nev, 1);
    cr_assert_eq(fx.ev_code[0], 240);
    cr_assert_str_eq(fx.ev_name[0], "Firmware image incorrect type");
    /* not an image at all: incorrect type as well */
    memset(img, 0x00, SIZE);
    cr_assert_eq(initiate(r, ID, sizeof ID - 1, SIZE), 0);
    for (uint32_t n = 0; n < BLOCKS; n++) {
        cr_assert_eq(send_block(r, img, n), 0);
    }
    cr_assert_eq(cosem_rig_action(r, 18, LN_IMG, 3, ZERO, 2), MTR_DLMS_DAR_OTHER);
    cr_assert_eq(fx_events(240), 2);
    cosem_rig_free(r);
}

Test(cosem_sys_image, transfer_over_transfer_aborts)
{
    static uint8_t img[SIZE];
    struct cosem_rig *r = cosem_rig_new(UTC0);
    make_image(r, img, FX_TYPE, MTR_IMAGE_SCHEME_GMAC, fx.gmac_key);
    cosem_rig_assoc(r, MTR_COSEM_ROLE_MANAGEMENT);
    cr_assert_eq(initiate(r, ID, sizeof ID - 1, SIZE), 0);
    cr_assert_eq(send_block(r, img, 0), 0);
    cr_assert_eq(send_block(r, img, 1), 0);
    /* the same identifier and size again: resumed, blocks kept */
    cr_assert_eq(initiate(r, ID, sizeof ID - 1, SIZE), 0);
    cr_assert_eq(fx.nev, 0);
    cr_assert_eq(get_u32(r, 4), 2);
    /* another image: the transfer in progress is aborted */
    cr_assert_eq(initiate(r, (const uint8_t *)"MAC-ST402D-LR-HW1.0-FW3.2.4", 27, SIZE), 0);
    cr_assert_eq(fx.nev, 1);
    cr_assert_eq(fx.ev_code[0], 204);
    cr_assert_str_eq(fx.ev_name[0], "Image transfer aborted");
    cr_assert_eq(get_u32(r, 4), 0, "starts afresh");
    cr_assert_eq(status(r), MTR_IMAGE_TRANSFER_INITIATED);
    /* disabling the transfer aborts it too */
    cr_assert_eq(send_block(r, img, 0), 0);
    uint8_t off[2] = {MTR_DLMS_BOOLEAN, 0}, on[2] = {MTR_DLMS_BOOLEAN, 1};
    cr_assert_eq(cosem_rig_set(r, 18, LN_IMG, 5, off, 2), 0);
    cr_assert_eq(fx_events(204), 2);
    cr_assert_eq(status(r), MTR_IMAGE_NOT_INITIATED);
    cr_assert(fx.changed_what == MTR_COSEM_SETTING_IMAGE);
    cr_assert_eq(initiate(r, ID, sizeof ID - 1, SIZE), MTR_DLMS_DAR_READ_WRITE_DENIED, "disabled");
    cr_assert_eq(cosem_rig_set(r, 18, LN_IMG, 5, on, 2), 0);
    cr_assert_eq(initiate(r, ID, sizeof ID - 1, SIZE), 0);
    cosem_rig_free(r);
}

Test(cosem_sys_image, optical_port_events)
{
    static uint8_t img[SIZE];
    struct cosem_rig *r = cosem_rig_new(UTC0);
    r->scfg.local_port = true;
    make_image(r, img, FX_TYPE, MTR_IMAGE_SCHEME_GMAC, fx.gmac_key);
    cosem_rig_assoc(r, MTR_COSEM_ROLE_MANAGEMENT);
    cr_assert_eq(initiate(r, ID, sizeof ID - 1, SIZE), 0);
    cr_assert_eq(send_block(r, img, 0), 0);
    cr_assert_eq(initiate(r, (const uint8_t *)"x", 1, SIZE), 0);
    cr_assert_eq(fx_events(205), 1);
    cr_assert_eq(initiate(r, ID, sizeof ID - 1, SIZE), 0);
    for (uint32_t n = 0; n < BLOCKS; n++) {
        cr_assert_eq(send_block(r, img, n), 0);
    }
    cr_assert_eq(cosem_rig_action(r, 18, LN_IMG, 3, ZERO, 2), 0);
    cr_assert_eq(cosem_rig_action(r, 18, LN_IMG, 4, ZERO, 2), 0);
    cr_assert_eq(fx_events(242), 1);
    cr_assert_eq(fx_events(243), 1);
    cr_assert_eq(fx_events(17) + fx_events(18) + fx_events(204), 0);
    cr_assert_str_eq(fx.ev_name[fx.nev - 1], "Firmware activated via optical port");
    cosem_rig_free(r);
}

Test(cosem_sys_image, activation_failure_and_retry)
{
    static uint8_t img[SIZE];
    struct cosem_rig *r = transferred(img);
    cr_assert_eq(cosem_rig_action(r, 18, LN_IMG, 3, ZERO, 2), 0);
    cr_assert_eq(cosem_rig_action(r, 18, LN_IMG, 3, ZERO, 2), 0, "verifying again is harmless");
    cr_assert_eq(fx_events(17), 1);
    fx.activate_result = MTR_ERR_IO;
    cr_assert_eq(cosem_rig_action(r, 18, LN_IMG, 4, ZERO, 2), MTR_DLMS_DAR_HARDWARE_FAULT);
    cr_assert_eq(status(r), MTR_IMAGE_ACTIVATE_FAILED);
    cr_assert_eq(fx_events(18), 0);
    fx.activate_result = MTR_OK;
    cr_assert_eq(cosem_rig_action(r, 18, LN_IMG, 4, ZERO, 2), 0);
    cr_assert_eq(status(r), MTR_IMAGE_ACTIVATE_OK);
    cr_assert_eq(fx_events(18), 1);
    cr_assert_eq(fx.activations, 1);
    cosem_rig_free(r);
}

Test(cosem_sys_image, only_management)
{
    static uint8_t img[SIZE];
    struct cosem_rig *r = cosem_rig_new(UTC0);
    struct snap s;
    make_image(r, img, FX_TYPE, MTR_IMAGE_SCHEME_GMAC, fx.gmac_key);
    cosem_rig_assoc(r, MTR_COSEM_ROLE_MANAGEMENT);
    cr_assert_eq(initiate(r, ID, sizeof ID - 1, SIZE), 0);
    cr_assert_eq(send_block(r, img, 0), 0);
    snap_take(&s);
    for (int role = 0; role < MTR_COSEM_ROLES; role++) {
        if (role == MTR_COSEM_ROLE_MANAGEMENT) {
            continue;
        }
        cosem_rig_assoc(r, role);
        cr_assert_eq(initiate(r, ID, sizeof ID - 1, SIZE), MTR_DLMS_DAR_READ_WRITE_DENIED,
                     "role %d", role);
        cr_assert_eq(send_block(r, img, 1), MTR_DLMS_DAR_READ_WRITE_DENIED);
        cr_assert_eq(cosem_rig_action(r, 18, LN_IMG, 3, ZERO, 2), MTR_DLMS_DAR_READ_WRITE_DENIED);
        cr_assert_eq(cosem_rig_action(r, 18, LN_IMG, 4, ZERO, 2), MTR_DLMS_DAR_READ_WRITE_DENIED);
        uint8_t off[2] = {MTR_DLMS_BOOLEAN, 0};
        cr_assert_eq(cosem_rig_set(r, 18, LN_IMG, 5, off, 2), MTR_DLMS_DAR_READ_WRITE_DENIED);
        bool reads = role >= MTR_COSEM_ROLE_LEVEL1 && role <= MTR_COSEM_ROLE_LEVEL3;
        cr_assert_eq(cosem_rig_get(r, 18, LN_IMG, 6), reads ? 0 : MTR_DLMS_DAR_READ_WRITE_DENIED);
    }
    snap_same(&s);
    cosem_rig_free(r);
}

Test(cosem_sys_image, malformed_and_out_of_order_requests)
{
    static uint8_t img[SIZE];
    struct cosem_rig *r = cosem_rig_new(UTC0);
    struct cosem_val v;
    struct snap s;
    uint8_t longid[MTR_IMAGE_ID_MAX + 1];
    memset(longid, 'I', sizeof longid);
    make_image(r, img, FX_TYPE, MTR_IMAGE_SCHEME_GMAC, fx.gmac_key);
    cosem_rig_assoc(r, MTR_COSEM_ROLE_MANAGEMENT);

    snap_take(&s);
    cr_assert_eq(send_block(r, img, 0), MTR_DLMS_DAR_OTHER, "block before initiate");
    cr_assert_eq(cosem_rig_action(r, 18, LN_IMG, 3, ZERO, 2), MTR_DLMS_DAR_OTHER,
                 "verify before initiate");
    cr_assert_eq(cosem_rig_action(r, 18, LN_IMG, 4, ZERO, 2), MTR_DLMS_DAR_OTHER,
                 "activate before verify");
    cr_assert_eq(initiate(r, ID, 0, SIZE), MTR_DLMS_DAR_OTHER, "empty identifier");
    cr_assert_eq(initiate(r, longid, sizeof longid, SIZE), MTR_DLMS_DAR_OTHER,
                 "identifier too long");
    cr_assert_eq(initiate(r, ID, sizeof ID - 1, 0), MTR_DLMS_DAR_OTHER, "size 0");
    cr_assert_eq(initiate(r, ID, sizeof ID - 1, MTR_IMAGE_HEADER), MTR_DLMS_DAR_OTHER,
                 "header only");
    cr_assert_eq(initiate(r, ID, sizeof ID - 1, FX_STORE + 1), MTR_DLMS_DAR_OTHER,
                 "larger than the store");
    cv_reset(&v);
    cv_tag_len(&v, MTR_DLMS_STRUCTURE, 2);
    cv_bytes(&v, MTR_DLMS_OCTET_STRING, ID, sizeof ID - 1);
    cv_uint(&v, MTR_DLMS_LONG_UNSIGNED, 1000);
    cr_assert_eq(cosem_rig_action(r, 18, LN_IMG, 1, v.b, v.n), MTR_DLMS_DAR_TYPE_UNMATCHED,
                 "size as long-unsigned");
    cv_reset(&v);
    cv_tag_len(&v, MTR_DLMS_STRUCTURE, 3);
    cv_bytes(&v, MTR_DLMS_OCTET_STRING, ID, sizeof ID - 1);
    cv_uint(&v, MTR_DLMS_DOUBLE_LONG_UNSIGNED, SIZE);
    cv_uint(&v, MTR_DLMS_UNSIGNED, 0);
    cr_assert_eq(cosem_rig_action(r, 18, LN_IMG, 1, v.b, v.n), MTR_DLMS_DAR_TYPE_UNMATCHED,
                 "3 elements");
    cv_reset(&v);
    cv_bytes(&v, MTR_DLMS_OCTET_STRING, ID, sizeof ID - 1);
    cr_assert_eq(cosem_rig_action(r, 18, LN_IMG, 1, v.b, v.n), MTR_DLMS_DAR_TYPE_UNMATCHED,
                 "no structure");
    snap_same(&s);

    cr_assert_eq(initiate(r, ID, sizeof ID - 1, SIZE), 0);
    for (uint32_t n = 0; n + 1 < BLOCKS; n++) {
        cr_assert_eq(send_block(r, img, n), 0);
    }
    snap_take(&s);
    cr_assert_eq(block(r, BLOCKS, img, 8), MTR_DLMS_DAR_OTHER, "past the last block");
    cr_assert_eq(block(r, 0xFFFFFFFFu, img, FX_BLOCK), MTR_DLMS_DAR_OTHER);
    cr_assert_eq(block(r, BLOCKS - 1, img, FX_BLOCK), MTR_DLMS_DAR_OTHER,
                 "last block too long");
    cr_assert_eq(block(r, BLOCKS - 1, img, 7), MTR_DLMS_DAR_OTHER, "last block too short");
    cr_assert_eq(block(r, BLOCKS - 1, img, 0), MTR_DLMS_DAR_OTHER, "empty block");
    cv_reset(&v);
    cv_tag_len(&v, MTR_DLMS_STRUCTURE, 2);
    cv_uint(&v, MTR_DLMS_LONG_UNSIGNED, BLOCKS - 1);
    cv_bytes(&v, MTR_DLMS_OCTET_STRING, img, 8);
    cr_assert_eq(cosem_rig_action(r, 18, LN_IMG, 2, v.b, v.n), MTR_DLMS_DAR_TYPE_UNMATCHED,
                 "number as long");
    cv_reset(&v);
    cv_tag_len(&v, MTR_DLMS_STRUCTURE, 2);
    cv_uint(&v, MTR_DLMS_DOUBLE_LONG_UNSIGNED, BLOCKS - 1);
    cv_bytes(&v, MTR_DLMS_VISIBLE_STRING, img, 8);
    cr_assert_eq(cosem_rig_action(r, 18, LN_IMG, 2, v.b, v.n), MTR_DLMS_DAR_TYPE_UNMATCHED,
                 "value as string");
    cr_assert_eq(cosem_rig_action(r, 18, LN_IMG, 2, ZERO, 2), MTR_DLMS_DAR_TYPE_UNMATCHED);
    cr_assert_eq(cosem_rig_action(r, 18, LN_IMG, 3, ZERO, 2), MTR_DLMS_DAR_OTHER,
                 "verify before the last block");
    uint8_t one[2] = {MTR_DLMS_INTEGER, 1}, u0[2] = {MTR_DLMS_UNSIGNED, 0};
    cr_assert_eq(cosem_rig_action(r, 18, LN_IMG, 3, one, 2), MTR_DLMS_DAR_OTHER);
    cr_assert_eq(cosem_rig_action(r, 18, LN_IMG, 3, u0, 2), MTR_DLMS_DAR_TYPE_UNMATCHED);
    cr_assert_eq(cosem_rig_action(r, 18, LN_IMG, 4, ZERO, 2), MTR_DLMS_DAR_OTHER,
                 "activate before verify");
    uint8_t b1[2] = {MTR_DLMS_UNSIGNED, 1};
    cr_assert_eq(cosem_rig_set(r, 18, LN_IMG, 5, b1, 2), MTR_DLMS_DAR_TYPE_UNMATCHED);
    cr_assert_eq(cosem_rig_set(r, 18, LN_IMG, 2, (const uint8_t[]){6, 0, 0, 0, 64}, 5),
                 MTR_DLMS_DAR_READ_WRITE_DENIED, "block size is read-only");
    snap_same(&s);

    /* the request still completes afterwards */
    cr_assert_eq(send_block(r, img, BLOCKS - 1), 0);
    cr_assert_eq(cosem_rig_action(r, 18, LN_IMG, 3, ZERO, 2), 0);
    cr_assert_eq(cosem_rig_action(r, 18, LN_IMG, 4, ZERO, 2), 0);
    cr_assert_eq(fx.activations, 1);
    cosem_rig_free(r);
}
