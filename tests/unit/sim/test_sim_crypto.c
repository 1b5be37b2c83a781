/* SPDX-License-Identifier: Apache-2.0 */
/* Known-answer tests of the host crypto ops. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "sim.h"

static void hex(const char *s, uint8_t *out)
{
    for (size_t i = 0; s[2 * i] != '\0'; i++) {
        unsigned v;
        sscanf(s + 2 * i, "%2x", &v);
        out[i] = (uint8_t)v;
    }
}

static const struct mtr_crypto_ops *ops(void)
{
    const struct mtr_crypto_ops *c = mtr_sim_crypto_ops();
    cr_assert_not_null(c);
    return c;
}

/* "The Galois/Counter Mode of Operation", McGrew and Viega, test case 4. */
Test(sim_crypto, gcm_test_case_4)
{
    uint8_t key[16];
    uint8_t iv[12];
    uint8_t pt[60];
    uint8_t aad[20];
    uint8_t ct[60];
    uint8_t tag[16];
    uint8_t want_ct[60];
    uint8_t want_tag[16];
    hex("feffe9928665731c6d6a8f9467308308", key);
    hex("cafebabefacedbaddecaf888", iv);
    hex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39", pt);
    hex("feedfacedeadbeeffeedfacedeadbeefabaddad2", aad);
    hex("42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091", want_ct);
    hex("5bc94fbc3221a5db94fae95ae7121a47", want_tag);
    cr_assert_eq(ops()->gcm_encrypt(NULL, key, iv, 12, aad, 20, pt, 60, ct, tag, 16), MTR_OK);
    cr_assert_eq(memcmp(ct, want_ct, 60), 0);
    cr_assert_eq(memcmp(tag, want_tag, 16), 0);
    uint8_t back[60];
    cr_assert_eq(ops()->gcm_decrypt(NULL, key, iv, 12, aad, 20, ct, 60, back, tag, 16), MTR_OK);
    cr_assert_eq(memcmp(back, pt, 60), 0);
    /* DLMS uses 12-byte tags: the truncated tag verifies too. */
    cr_assert_eq(ops()->gcm_decrypt(NULL, key, iv, 12, aad, 20, ct, 60, back, tag, 12), MTR_OK);
}

Test(sim_crypto, gcm_rejects_a_flipped_bit_and_zeroes_output)
{
    uint8_t key[16] = {1};
    uint8_t iv[12] = {2};
    uint8_t pt[32] = "meter data, to be kept secret";
    uint8_t ct[32];
    uint8_t tag[12];
    uint8_t out[32];
    ops()->gcm_encrypt(NULL, key, iv, 12, NULL, 0, pt, 32, ct, tag, 12);
    ct[5] ^= 0x01;
    memset(out, 0x77, sizeof out);
    cr_assert_eq(ops()->gcm_decrypt(NULL, key, iv, 12, NULL, 0, ct, 32, out, tag, 12), MTR_ERR_AUTH);
    for (size_t i = 0; i < sizeof out; i++) {
        cr_assert_eq(out[i], 0);
    }
    cr_assert_eq(ops()->gcm_encrypt(NULL, key, iv, 12, NULL, 0, pt, 32, ct, tag, 2), MTR_ERR_INVAL);
}

/* RFC 3394 section 4.1: 128-bit key data with a 128-bit KEK. */
Test(sim_crypto, key_wrap_rfc3394)
{
    uint8_t kek[16];
    uint8_t key[16];
    uint8_t want[24];
    uint8_t wrapped[24];
    uint8_t back[16];
    hex("000102030405060708090a0b0c0d0e0f", kek);
    hex("00112233445566778899aabbccddeeff", key);
    hex("1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5", want);
    cr_assert_eq(ops()->key_wrap(NULL, kek, key, 16, wrapped), MTR_OK);
    cr_assert_eq(memcmp(wrapped, want, 24), 0);
    cr_assert_eq(ops()->key_unwrap(NULL, kek, wrapped, 24, back), MTR_OK);
    cr_assert_eq(memcmp(back, key, 16), 0);
    wrapped[23] ^= 0x80;
    memset(back, 0x55, sizeof back);
    cr_assert_eq(ops()->key_unwrap(NULL, kek, wrapped, 24, back), MTR_ERR_AUTH);
    cr_assert_eq(back[0], 0x55, "nothing written on a failed unwrap");
    cr_assert_eq(ops()->key_wrap(NULL, kek, key, 12, wrapped), MTR_ERR_INVAL);
    cr_assert_eq(ops()->key_unwrap(NULL, kek, wrapped, 16, back), MTR_ERR_INVAL);
}

/* FIPS 180-2 appendix B.1 and B.2. */
Test(sim_crypto, sha256_incremental)
{
    struct mtr_sha256_state st;
    uint8_t d[32];
    uint8_t want[32];
    hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", want);
    ops()->sha256_start(NULL, &st);
    ops()->sha256_update(NULL, &st, "a", 1);
    ops()->sha256_update(NULL, &st, "bc", 2);
    ops()->sha256_finish(NULL, &st, d);
    cr_assert_eq(memcmp(d, want, 32), 0);
    hex("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", want);
    const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    ops()->sha256_start(NULL, &st);
    ops()->sha256_update(NULL, &st, m, strlen(m));
    ops()->sha256_finish(NULL, &st, d);
    cr_assert_eq(memcmp(d, want, 32), 0);
}

/* The classic DES example (key 133457799BBCDFF1, J. Orlin Grabbe). */
Test(sim_crypto, des_block)
{
    uint8_t key[8];
    uint8_t pt[8];
    uint8_t ct[8];
    uint8_t want[8];
    uint8_t back[8];
    hex("133457799bbcdff1", key);
    hex("0123456789abcdef", pt);
    hex("85e813540f0ab405", want);
    cr_assert_eq(ops()->des_block(NULL, key, pt, ct, false), MTR_OK);
    cr_assert_eq(memcmp(ct, want, 8), 0);
    cr_assert_eq(ops()->des_block(NULL, key, ct, back, true), MTR_OK);
    cr_assert_eq(memcmp(back, pt, 8), 0);
}
