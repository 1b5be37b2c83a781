/* SPDX-License-Identifier: Apache-2.0 */
/* Crypto ops of the host HAL on mbedTLS. AES key wrap is RFC 3394 section
 * 2.2 over mbedTLS's AES block cipher (Debian's mbedTLS 2.28 is built
 * without MBEDTLS_NIST_KW_C). */
#include <string.h>

#include <mbedtls/aes.h>
#include <mbedtls/des.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/gcm.h>
#include <mbedtls/sha256.h>

#include "sim.h"

_Static_assert(sizeof(mbedtls_sha256_context) <= sizeof(struct mtr_sha256_state),
               "struct mtr_sha256_state too small for mbedtls_sha256_context");

static bool tag_len_ok(size_t n)
{
    return n >= 4 && n <= 16;
}

static mtr_err_t gcm_encrypt(void *ctx, const uint8_t key[16], const uint8_t *iv, size_t iv_len,
                             const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len,
                             uint8_t *out, uint8_t *tag, size_t tag_len)
{
    (void)ctx;
    if (iv_len == 0 || !tag_len_ok(tag_len)) {
        return MTR_ERR_INVAL;
    }
    mbedtls_gcm_context gcm;
    mbedtls_gcm_init(&gcm);
    int rc = mbedtls_gcm_setkey(&gcm, MBEDTLS_CIPHER_ID_AES, key, 128);
    if (rc == 0) {
        rc = mbedtls_gcm_crypt_and_tag(&gcm, MBEDTLS_GCM_ENCRYPT, len, iv, iv_len, aad, aad_len,
                                       in, out, tag_len, tag);
    }
    mbedtls_gcm_free(&gcm);
    return rc == 0 ? MTR_OK : MTR_ERR_INVAL;
}

static mtr_err_t gcm_decrypt(void *ctx, const uint8_t key[16], const uint8_t *iv, size_t iv_len,
                             const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len,
                             uint8_t *out, const uint8_t *tag, size_t tag_len)
{
    (void)ctx;
    if (iv_len == 0 || !tag_len_ok(tag_len)) {
        return MTR_ERR_INVAL;
    }
    mbedtls_gcm_context gcm;
    mbedtls_gcm_init(&gcm);
    int rc = mbedtls_gcm_setkey(&gcm, MBEDTLS_CIPHER_ID_AES, key, 128);
    if (rc == 0) {
        rc = mbedtls_gcm_auth_decrypt(&gcm, len, iv, iv_len, aad, aad_len, tag, tag_len, in, out);
    }
    mbedtls_gcm_free(&gcm);
    if (rc == MBEDTLS_ERR_GCM_AUTH_FAILED) {
        memset(out, 0, len); /* never hand out unauthenticated plaintext */
        return MTR_ERR_AUTH;
    }
    return rc == 0 ? MTR_OK : MTR_ERR_INVAL;
}

static const uint8_t kw_iv[8] = {0xA6, 0xA6, 0xA6, 0xA6, 0xA6, 0xA6, 0xA6, 0xA6};

static void xor_t(uint8_t a[8], uint64_t t)
{
    for (int i = 7; i >= 0; i--) {
        a[i] ^= (uint8_t)t;
        t >>= 8;
    }
}

static mtr_err_t key_wrap(void *ctx, const uint8_t kek[16], const uint8_t *in, size_t len,
                          uint8_t *out)
{
    (void)ctx;
    if (len < 16 || len % 8 != 0) {
        return MTR_ERR_INVAL;
    }
    size_t n = len / 8;
    mbedtls_aes_context aes;
    mbedtls_aes_init(&aes);
    mbedtls_aes_setkey_enc(&aes, kek, 128);
    uint8_t a[8];
    uint8_t b[16];
    memcpy(a, kw_iv, 8);
    memmove(out + 8, in, len);
    for (uint64_t j = 0; j <= 5; j++) {
        for (size_t i = 1; i <= n; i++) {
            memcpy(b, a, 8);
            memcpy(b + 8, out + 8 * i, 8);
            mbedtls_aes_crypt_ecb(&aes, MBEDTLS_AES_ENCRYPT, b, b);
            memcpy(a, b, 8);
            xor_t(a, n * j + i);
            memcpy(out + 8 * i, b + 8, 8);
        }
    }
    memcpy(out, a, 8);
    mbedtls_aes_free(&aes);
    return MTR_OK;
}

static mtr_err_t key_unwrap(void *ctx, const uint8_t kek[16], const uint8_t *in, size_t len,
                            uint8_t *out)
{
    (void)ctx;
    if (len < 24 || len % 8 != 0 || len > 8 + 512) {
        return MTR_ERR_INVAL;
    }
    size_t n = len / 8 - 1;
    uint8_t r[512];
    uint8_t a[8];
    uint8_t b[16];
    mbedtls_aes_context aes;
    mbedtls_aes_init(&aes);
    mbedtls_aes_setkey_dec(&aes, kek, 128);
    memcpy(a, in, 8);
    memcpy(r, in + 8, len - 8);
    for (uint64_t j = 6; j-- > 0;) {
        for (size_t i = n; i >= 1; i--) {
            xor_t(a, n * j + i);
            memcpy(b, a, 8);
            memcpy(b + 8, r + 8 * (i - 1), 8);
            mbedtls_aes_crypt_ecb(&aes, MBEDTLS_AES_DECRYPT, b, b);
            memcpy(a, b, 8);
            memcpy(r + 8 * (i - 1), b + 8, 8);
        }
    }
    mbedtls_aes_free(&aes);
    uint8_t diff = 0;
    for (int i = 0; i < 8; i++) {
        diff |= (uint8_t)(a[i] ^ kw_iv[i]);
    }
    if (diff != 0) {
        memset(r, 0, sizeof r);
        return MTR_ERR_AUTH;
    }
    memcpy(out, r, len - 8);
    memset(r, 0, sizeof r);
    return MTR_OK;
}

static mtr_err_t sha_start(void *ctx, struct mtr_sha256_state *st)
{
    (void)ctx;
    mbedtls_sha256_context *c = (mbedtls_sha256_context *)(void *)st->opaque;
    mbedtls_sha256_init(c);
    return mbedtls_sha256_starts_ret(c, 0) == 0 ? MTR_OK : MTR_ERR_IO;
}

static mtr_err_t sha_update(void *ctx, struct mtr_sha256_state *st, const void *data, size_t len)
{
    (void)ctx;
    mbedtls_sha256_context *c = (mbedtls_sha256_context *)(void *)st->opaque;
    return mbedtls_sha256_update_ret(c, data, len) == 0 ? MTR_OK : MTR_ERR_IO;
}

static mtr_err_t sha_finish(void *ctx, struct mtr_sha256_state *st, uint8_t digest[32])
{
    (void)ctx;
    mbedtls_sha256_context *c = (mbedtls_sha256_context *)(void *)st->opaque;
    int rc = mbedtls_sha256_finish_ret(c, digest);
    mbedtls_sha256_free(c);
    return rc == 0 ? MTR_OK : MTR_ERR_IO;
}

static mtr_err_t des_block(void *ctx, const uint8_t key[8], const uint8_t in[8], uint8_t out[8],
                           bool decrypt)
{
    (void)ctx;
    mbedtls_des_context des;
    mbedtls_des_init(&des);
    int rc = decrypt ? mbedtls_des_setkey_dec(&des, key) : mbedtls_des_setkey_enc(&des, key);
    if (rc == 0) {
        rc = mbedtls_des_crypt_ecb(&des, in, out);
    }
    mbedtls_des_free(&des);
    return rc == 0 ? MTR_OK : MTR_ERR_INVAL;
}

/* ECDSA P-256 verification (FIPS 186-4) with mbedTLS's ECP module. */
static mtr_err_t ecdsa_verify(void *ctx, const uint8_t pub[64], const uint8_t digest[32],
                              const uint8_t sig[64])
{
    (void)ctx;
    uint8_t point[65];
    mbedtls_ecp_group grp;
    mbedtls_ecp_point q;
    mbedtls_mpi r, s;
    mtr_err_t err = MTR_ERR_INVAL;

    point[0] = 0x04; /* uncompressed */
    memcpy(point + 1, pub, 64);
    mbedtls_ecp_group_init(&grp);
    mbedtls_ecp_point_init(&q);
    mbedtls_mpi_init(&r);
    mbedtls_mpi_init(&s);
    if (mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_SECP256R1) == 0 &&
        mbedtls_ecp_point_read_binary(&grp, &q, point, sizeof point) == 0 &&
        mbedtls_ecp_check_pubkey(&grp, &q) == 0) {
        err = MTR_ERR_AUTH;
        if (mbedtls_mpi_read_binary(&r, sig, 32) == 0 && mbedtls_mpi_read_binary(&s, sig + 32, 32) == 0 &&
            mbedtls_ecdsa_verify(&grp, digest, 32, &q, &r, &s) == 0) {
            err = MTR_OK;
        }
    }
    mbedtls_mpi_free(&s);
    mbedtls_mpi_free(&r);
    mbedtls_ecp_point_free(&q);
    mbedtls_ecp_group_free(&grp);
    return err;
}

static const struct mtr_crypto_ops ops = {
    .gcm_encrypt = gcm_encrypt,
    .gcm_decrypt = gcm_decrypt,
    .key_wrap = key_wrap,
    .key_unwrap = key_unwrap,
    .sha256_start = sha_start,
    .sha256_update = sha_update,
    .sha256_finish = sha_finish,
    .des_block = des_block,
    .ecdsa_p256_verify = ecdsa_verify,
};

const struct mtr_crypto_ops *mtr_sim_crypto_ops(void)
{
    return &ops;
}
