/* SPDX-License-Identifier: Apache-2.0 */
/*
 * STS ciphers and key generation (IEC 62055-41): EA07 (Standard Transfer
 * Algorithm), EA09 (DES through the HAL), DKGA02 and DKGA04, and the token
 * encoder. Bit numbering: a 64-bit value's bit 0 is its least significant;
 * nibble i of a block is bits 4i+3..4i.
 */
#include <string.h>

#include "meter/bytes.h"
#include "meter/sts.h"

#include "sts_internal.h"

static uint64_t rotl64(uint64_t v, unsigned n)
{
    return (v << n) | (v >> (64u - n));
}

static uint64_t rotr64(uint64_t v, unsigned n)
{
    return (v >> n) | (v << (64u - n));
}

static bool is_perm(const uint8_t *t, unsigned n)
{
    uint64_t seen = 0;

    for (unsigned i = 0; i < n; i++) {
        if (t[i] >= n || (seen >> t[i]) & 1u)
            return false;
        seen |= (uint64_t)1 << t[i];
    }
    return true;
}

mtr_err_t mtr_sts_sta_check(const struct mtr_sts_sta_tables *t)
{
    MTR_ASSERT(t != NULL);
    if (!is_perm(t->s[0], 16) || !is_perm(t->s[1], 16) || !is_perm(t->p, 64))
        return MTR_ERR_INVAL;
    return MTR_OK;
}

/*
 * Encryption: the key is complemented and rotated right by 12 bits; then 16
 * rounds of: substitute each nibble i through s[key bit 4i+3], permute the
 * 64 bits, rotate the key left by 1.
 */
uint64_t mtr_sts_ea07_encrypt(const struct mtr_sts_sta_tables *t, uint64_t key, uint64_t block)
{
    uint64_t k = rotr64(~key, 12);

    MTR_ASSERT(t != NULL);
    for (unsigned round = 0; round < 16; round++) {
        uint64_t s = 0;
        uint64_t p = 0;

        for (unsigned i = 0; i < 16; i++) {
            unsigned sel = (unsigned)(k >> (4 * i + 3)) & 1u;
            s |= (uint64_t)t->s[sel][(block >> (4 * i)) & 0xFu] << (4 * i);
        }
        for (unsigned i = 0; i < 64; i++)
            p |= ((s >> i) & 1u) << t->p[i];
        block = p;
        k = rotl64(k, 1);
    }
    return block;
}

/*
 * Decryption undoes the rounds in reverse order. Round r of the encryption
 * selected nibble i's table with bit 4i+3 of rotl(~key, r - 12), which is
 * the complement of bit 4i + (15 - r) of the key: so decryption round d
 * reads bit 4i of rotr(key, d) and uses the inverse of the other table.
 */
uint64_t mtr_sts_ea07_decrypt(const struct mtr_sts_sta_tables *t, uint64_t key, uint64_t block)
{
    uint8_t inv[2][16];
    uint64_t k = key;

    MTR_ASSERT(t != NULL);
    for (unsigned i = 0; i < 16; i++) {
        inv[0][t->s[0][i] & 0xFu] = (uint8_t)i;
        inv[1][t->s[1][i] & 0xFu] = (uint8_t)i;
    }
    for (unsigned round = 0; round < 16; round++) {
        uint64_t p = 0;
        uint64_t s = 0;

        for (unsigned i = 0; i < 64; i++)
            p |= ((block >> t->p[i]) & 1u) << i;
        for (unsigned i = 0; i < 16; i++) {
            unsigned sel = (unsigned)(k >> (4 * i)) & 1u;
            s |= (uint64_t)inv[sel ^ 1u][(p >> (4 * i)) & 0xFu] << (4 * i);
        }
        block = s;
        k = rotr64(k, 1);
    }
    return block;
}

mtr_err_t mtr_sts_ea09(const struct mtr_hal *hal, uint64_t key, uint64_t in, bool decrypt,
                       uint64_t *out)
{
    uint8_t k[8];
    uint8_t b[8];
    uint8_t o[8];
    mtr_err_t err;

    MTR_ASSERT(hal != NULL && out != NULL);
    if (hal->crypto == NULL || hal->crypto->des_block == NULL)
        return MTR_ERR_NOTSUP;
    mtr_put_be64(k, key);
    mtr_put_be64(b, in);
    err = hal->crypto->des_block(hal->ctx, k, b, o, decrypt);
    memset(k, 0, sizeof k);
    if (err == MTR_OK)
        *out = mtr_get_be64(o);
    return err;
}

/* ---------------------------------------------------------- key generation */

#define POW10_11 100000000000ull

/* Up to 16 decimal digits of v (most significant first) as BCD nibbles. */
static uint64_t to_bcd(uint64_t v, unsigned digits)
{
    uint64_t r = 0;

    for (unsigned i = 0; i < digits; i++) {
        r |= (v % 10u) << (4 * i);
        v /= 10u;
    }
    return r;
}

static bool params_ok(const struct mtr_sts_key_params *p)
{
    return p->iin <= 999999u && p->iain < POW10_11 && p->sgc <= 999999u && p->ti <= 99u &&
           p->krn >= 1u && p->krn <= 15u && p->kt <= 3u;
}

uint8_t mtr_sts_pan_check_digit(uint32_t iin, uint64_t iain)
{
    uint64_t v = (uint64_t)iin * POW10_11 + iain;
    unsigned sum = 0;

    for (unsigned pos = 1; pos <= 17; pos++) { /* from the right: odd positions doubled */
        unsigned d = (unsigned)(v % 10u);
        v /= 10u;
        if (pos & 1u) {
            d *= 2u;
            d = d > 9u ? d - 9u : d;
        }
        sum += d;
    }
    return (uint8_t)((10u - sum % 10u) % 10u);
}

mtr_err_t mtr_sts_dkga02(const struct mtr_hal *hal, const uint8_t vk[8],
                         const struct mtr_sts_key_params *p, uint64_t *dk)
{
    uint64_t pan;
    uint64_t ctl;
    uint64_t key = mtr_get_be64(vk);
    uint64_t enc;
    mtr_err_t err;

    MTR_ASSERT(hal != NULL && vk != NULL && p != NULL && dk != NULL);
    if (!params_ok(p))
        return MTR_ERR_INVAL;
    pan = to_bcd((uint64_t)(p->iin % 100000u) * POW10_11 + p->iain, 16);
    ctl = ((uint64_t)p->kt << 60) | (to_bcd(p->sgc, 6) << 36) | (to_bcd(p->ti, 2) << 28) |
          ((uint64_t)p->krn << 24) | 0xFFFFFFu;
    err = mtr_sts_ea09(hal, key, pan ^ ctl, false, &enc);
    if (err == MTR_OK)
        *dk = enc ^ pan ^ ctl ^ key;
    key = 0;
    return err;
}

/* ----------------------------------------------------------------- DKGA04 */

#define SHA_BLOCK 64u
#define DKGA04_DATA 49u

static bool sha_ok(const struct mtr_hal *hal)
{
    const struct mtr_crypto_ops *c = hal->crypto;
    return c != NULL && c->sha256_start != NULL && c->sha256_update != NULL &&
           c->sha256_finish != NULL;
}

static void put_digits(uint8_t *out, uint64_t v, unsigned n)
{
    for (unsigned i = n; i-- > 0;) {
        out[i] = (uint8_t)('0' + v % 10u);
        v /= 10u;
    }
}

static const char hex_digit[] = "0123456789abcdef";
static const char *const base_code[MTR_STS_BASE_COUNT] = {"93", "14", "35"};

/* The KDF input: tagged fields as the STS compliance vectors use them. */
static void dkga04_data(const struct mtr_sts_key_params *p, uint8_t d[DKGA04_DATA])
{
    size_t n = 0;

    d[n++] = 0x04; d[n++] = 0x02; d[n++] = '0'; d[n++] = '4';
    d[n++] = 0x02; d[n++] = (uint8_t)base_code[p->base][0]; d[n++] = (uint8_t)base_code[p->base][1];
    d[n++] = 0x02; d[n++] = (uint8_t)('0' + p->ea / 10u); d[n++] = (uint8_t)('0' + p->ea % 10u);
    d[n++] = 0x02; put_digits(d + n, p->ti, 2); n += 2;
    d[n++] = 0x00; d[n++] = 0x04; d[n++] = 0x06; put_digits(d + n, p->sgc, 6); n += 6;
    d[n++] = 0x01; d[n++] = (uint8_t)hex_digit[p->kt & 0xFu];
    d[n++] = 0x01; d[n++] = (uint8_t)hex_digit[p->krn & 0xFu];
    d[n++] = 0x12; put_digits(d + n, p->iin, 6); n += 6;
    put_digits(d + n, p->iain, 11); n += 11;
    d[n++] = (uint8_t)('0' + mtr_sts_pan_check_digit(p->iin, p->iain));
    d[n++] = 0x00; d[n++] = 0x00; d[n++] = 0x00; d[n++] = 0x40;
}

/* One SHA-256 pass: pad (key ^ pad byte) then the message parts. */
static mtr_err_t hmac_pass(const struct mtr_hal *hal, struct mtr_sha256_state *st,
                           const uint8_t *key, size_t klen, uint8_t padb, const uint8_t *m,
                           size_t mlen, uint8_t out[32])
{
    const struct mtr_crypto_ops *c = hal->crypto;
    uint8_t pad[SHA_BLOCK];
    mtr_err_t err;

    memset(pad, padb, sizeof pad);
    for (size_t i = 0; i < klen; i++)
        pad[i] ^= key[i];
    err = c->sha256_start(hal->ctx, st);
    if (err == MTR_OK)
        err = c->sha256_update(hal->ctx, st, pad, sizeof pad);
    if (err == MTR_OK)
        err = c->sha256_update(hal->ctx, st, m, mlen);
    if (err == MTR_OK)
        err = c->sha256_finish(hal->ctx, st, out);
    memset(pad, 0, sizeof pad);
    return err;
}

mtr_err_t mtr_sts_dkga04(const struct mtr_hal *hal, const uint8_t vk[20],
                         const struct mtr_sts_key_params *p, uint64_t *dk)
{
    struct mtr_sha256_state st;
    uint8_t data[DKGA04_DATA];
    uint8_t inner[32];
    uint8_t mac[32];
    mtr_err_t err;

    MTR_ASSERT(hal != NULL && vk != NULL && p != NULL && dk != NULL);
    if (!params_ok(p) || p->krn > 9u || p->base >= MTR_STS_BASE_COUNT ||
        (p->ea != MTR_STS_EA07 && p->ea != MTR_STS_EA09))
        return MTR_ERR_INVAL;
    if (!sha_ok(hal))
        return MTR_ERR_NOTSUP;
    dkga04_data(p, data);
    err = hmac_pass(hal, &st, vk, 20, 0x36, data, sizeof data, inner);
    if (err == MTR_OK)
        err = hmac_pass(hal, &st, vk, 20, 0x5C, inner, sizeof inner, mac);
    if (err == MTR_OK)
        *dk = mtr_get_be64(mac);
    memset(inner, 0, sizeof inner);
    memset(mac, 0, sizeof mac);
    memset(&st, 0, sizeof st);
    return err;
}

/* ------------------------------------------------------------ token level */

bool mtr_sts_cipher_ok(const struct mtr_sts_cipher *c)
{
    if (c->ea == MTR_STS_EA07)
        return c->sta != NULL && mtr_sts_sta_check(c->sta) == MTR_OK;
    if (c->ea == MTR_STS_EA09)
        return c->hal != NULL && c->hal->crypto != NULL && c->hal->crypto->des_block != NULL;
    return false;
}

static mtr_err_t cipher_run(const struct mtr_sts_cipher *c, uint64_t dk, uint64_t in,
                            bool decrypt, uint64_t *out)
{
    if (c->ea == MTR_STS_EA09)
        return mtr_sts_ea09(c->hal, dk, in, decrypt, out);
    *out = decrypt ? mtr_sts_ea07_decrypt(c->sta, dk, in) : mtr_sts_ea07_encrypt(c->sta, dk, in);
    return MTR_OK;
}

mtr_err_t mtr_sts_encode(const struct mtr_sts_cipher *c, uint64_t dk,
                         const struct mtr_sts_token *t, char out[MTR_STS_DIGITS + 1])
{
    uint64_t block;
    uint64_t enc;
    struct mtr_sts_number n;
    mtr_err_t err;

    MTR_ASSERT(c != NULL && t != NULL && out != NULL);
    err = mtr_sts_block_pack(t, &block);
    if (err != MTR_OK)
        return err;
    if (t->cls == MTR_STS_CLASS_TEST) {
        enc = block;
    } else {
        if (!mtr_sts_cipher_ok(c))
            return MTR_ERR_INVAL;
        err = cipher_run(c, dk, block, false, &enc);
        if (err != MTR_OK)
            return err;
    }
    n = mtr_sts_transpose(enc, t->cls);
    mtr_sts_digits_format(&n, out);
    return MTR_OK;
}

mtr_err_t mtr_sts_decipher(const struct mtr_sts_cipher *c, uint64_t dk,
                           const struct mtr_sts_number *n, struct mtr_sts_token *t)
{
    uint8_t cls;
    uint64_t block = mtr_sts_untranspose(n, &cls);
    mtr_err_t err;

    if (cls == MTR_STS_CLASS_RESERVED)
        return MTR_ERR_STS_CLASS;
    if (cls == MTR_STS_CLASS_TEST)
        return mtr_sts_block_unpack(cls, block, t);
    err = cipher_run(c, dk, block, true, &block);
    if (err != MTR_OK)
        return err;
    err = mtr_sts_block_unpack(cls, block, t);
    return err == MTR_ERR_STS_CRC ? MTR_ERR_STS_INCORRECT : err;
}
