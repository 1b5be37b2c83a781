/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The STS decoder: random round trips of every class under EA07 and EA09,
 * every bad token with its own result and no state change, replay memory,
 * key expiry, key change with roll-over, persistence.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "meter/sts.h"
#include "sim.h"
#include "sts_test_tables.h"

static struct mtr_hal hal;
static struct mtr_sts_cipher ciph[2];
static const uint64_t DK = 0xe653341f9d5bf36full; /* CTSA01 decoder key */
static const uint64_t OTHER_DK = 0x0123456789abcdefull;
static uint64_t rng = 88172645463325252ull;

static uint64_t rnd64(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void setup(void)
{
    memset(&hal, 0, sizeof hal);
    hal.crypto = mtr_sim_crypto_ops();
    ciph[0] = (struct mtr_sts_cipher){.ea = MTR_STS_EA07, .sta = &sts_test_tables, .hal = &hal};
    ciph[1] = (struct mtr_sts_cipher){.ea = MTR_STS_EA09, .hal = &hal};
}

static void init(struct mtr_sts *s, int ea, uint64_t dk)
{
    struct mtr_sts_key key = {.dk = dk, .krn = 1, .kt = 2, .ti = 1, .ken = 255,
                              .base = MTR_STS_BASE_1993};
    cr_assert_eq(mtr_sts_init(s, &ciph[ea], &key), MTR_OK);
}

static void credit(int ea, uint64_t dk, uint32_t tid, uint16_t field, char out[21])
{
    struct mtr_sts_token t = {.cls = 0, .subclass = 0, .rnd = 3, .tid = tid, .field = field};
    cr_assert_eq(mtr_sts_encode(&ciph[ea], dk, &t, out), MTR_OK);
}

/* A bad token: the exact error and status, and not one byte of state changed. */
static void refused(struct mtr_sts *s, const char *tok, size_t len, uint32_t room, mtr_err_t err,
                    enum mtr_sts_status st)
{
    struct mtr_sts before = *s;
    struct mtr_sts_result r;
    cr_assert_eq(mtr_sts_process(s, tok, len, room, &r), err, "%.*s", (int)len, tok);
    cr_assert_eq(r.status, st);
    cr_assert_eq(memcmp(&before, s, sizeof before), 0);
    cr_assert_str_neq(mtr_sts_message(r.status), "Unknown");
}

static struct mtr_sts_token random_token(int cls)
{
    struct mtr_sts_token t;
    memset(&t, 0, sizeof t);
    t.cls = (uint8_t)cls;
    if (cls == 0 || cls == 2) {
        t.subclass = (uint8_t)(rnd64() % 8);
        if (cls == 2 && (t.subclass == 3 || t.subclass == 4))
            t.subclass = 1;
        t.rnd = (uint8_t)(rnd64() & 0xF);
        t.tid = (uint32_t)(rnd64() & 0xFFFFFF);
        t.field = (uint16_t)rnd64();
    } else {
        t.subclass = (uint8_t)(rnd64() & 1);
        t.control = rnd64() & (t.subclass ? 0xFFFFFFFull : 0xFFFFFFFFFull);
        t.manufacturer = (uint16_t)(rnd64() & (t.subclass ? 0xFFFF : 0xFF));
    }
    return t;
}

Test(sts_decoder, round_trip_random_tokens_every_class, .init = setup)
{
    for (int ea = 0; ea < 2; ea++) {
        for (int i = 0; i < 600; i++) {
            int cls = i % 3;
            uint64_t dk = rnd64();
            struct mtr_sts_token t = random_token(cls);
            struct mtr_sts s;
            struct mtr_sts_result r;
            char out[21];
            init(&s, ea, dk);
            cr_assert_eq(mtr_sts_encode(&ciph[ea], dk, &t, out), MTR_OK);
            cr_assert_eq(strlen(out), 20u);
            cr_assert_eq(mtr_sts_check(&s, out, 20, UINT32_MAX, &r), MTR_OK, "ea %d %s", ea, out);
            cr_assert_eq(memcmp(&r.token, &t, sizeof t), 0);
        }
    }
}

Test(sts_decoder, key_change_random_round_trip, .init = setup)
{
    for (int ea = 0; ea < 2; ea++) {
        for (int i = 0; i < 100; i++) {
            uint64_t dk = rnd64(), ndk = rnd64();
            struct mtr_sts_token t1 = {.cls = 2, .subclass = 3, .ken_high = (uint8_t)(i & 0xF),
                                       .krn = (uint8_t)(1 + i % 15), .kt = (uint8_t)(i & 3),
                                       .key_half = (uint32_t)(ndk >> 32)};
            struct mtr_sts_token t2 = {.cls = 2, .subclass = 4, .ken_low = 0xF,
                                       .ti = (uint8_t)(i % 100), .key_half = (uint32_t)ndk};
            struct mtr_sts s;
            struct mtr_sts_result r;
            char a[21], b[21];
            init(&s, ea, dk);
            cr_assert_eq(mtr_sts_encode(&ciph[ea], dk, &t1, a), MTR_OK);
            cr_assert_eq(mtr_sts_encode(&ciph[ea], dk, &t2, b), MTR_OK);
            cr_assert_eq(mtr_sts_process(&s, a, 20, 0, &r), MTR_OK);
            cr_assert_eq(r.status, MTR_STS_KEY_CHANGE_1ST);
            cr_assert_eq(mtr_sts_process(&s, b, 20, 0, &r), MTR_OK);
            cr_assert_eq(r.status, MTR_STS_KEY_CHANGED);
            cr_assert_eq(mtr_sts_current_key(&s)->dk, ndk);
            cr_assert_eq(mtr_sts_current_key(&s)->kt, i & 3);
        }
    }
}

Test(sts_decoder, digits_round_trip_and_limits)
{
    struct mtr_sts_number n, m;
    char out[21];
    for (int i = 0; i < 2000; i++) {
        n.lo = rnd64();
        n.hi = (uint8_t)(rnd64() & 3);
        mtr_sts_digits_format(&n, out);
        cr_assert_eq(mtr_sts_digits_parse(out, 20, &m), MTR_OK);
        cr_assert(m.lo == n.lo && m.hi == n.hi);
    }
    /* 2^66 - 1 = 73786976294838206463 (exact power of two, computed by hand) */
    cr_assert_eq(mtr_sts_digits_parse("73786976294838206463", 20, &m), MTR_OK);
    cr_assert(m.hi == 3 && m.lo == UINT64_MAX);
    cr_assert_eq(mtr_sts_digits_parse("73786976294838206464", 20, &m), MTR_ERR_STS_RANGE);
    cr_assert_eq(mtr_sts_digits_parse("99999999999999999999", 20, &m), MTR_ERR_STS_RANGE);
    n.hi = 0;
    n.lo = 18446744073709551615ull;
    mtr_sts_digits_format(&n, out);
    cr_assert_str_eq(out, "18446744073709551615");
}

Test(sts_decoder, transposition_is_an_involution_pair)
{
    for (int i = 0; i < 1000; i++) {
        uint64_t b = rnd64();
        uint8_t cls = (uint8_t)(i & 3), c2;
        struct mtr_sts_number n = mtr_sts_transpose(b, cls);
        cr_assert_eq(mtr_sts_untranspose(&n, &c2), b);
        cr_assert_eq(c2, cls);
        cr_assert_eq((n.lo >> 27) & 3u, cls & 3u);
    }
}

Test(sts_decoder, bad_tokens_each_their_result_no_change, .init = setup)
{
    struct mtr_sts s;
    char tok[21], other[21], bad[21];
    init(&s, 0, DK);
    credit(0, DK, 1000, 500, tok);
    refused(&s, tok, 19, UINT32_MAX, MTR_ERR_STS_LENGTH, MTR_STS_REJECT_LENGTH);
    refused(&s, "12345678901234567890123", 21, UINT32_MAX, MTR_ERR_STS_LENGTH,
            MTR_STS_REJECT_LENGTH);
    memcpy(bad, tok, 21);
    bad[7] = 'x';
    refused(&s, bad, 20, UINT32_MAX, MTR_ERR_STS_DIGIT, MTR_STS_REJECT_DIGIT);
    bad[7] = ' ';
    refused(&s, bad, 20, UINT32_MAX, MTR_ERR_STS_DIGIT, MTR_STS_REJECT_DIGIT);
    refused(&s, "80000000000000000000", 20, UINT32_MAX, MTR_ERR_STS_RANGE, MTR_STS_REJECT_RANGE);
    /* a mistyped digit: the decrypted CRC fails */
    memcpy(bad, tok, 21);
    bad[19] = (char)(bad[19] == '9' ? '0' : bad[19] + 1);
    refused(&s, bad, 20, UINT32_MAX, MTR_ERR_STS_INCORRECT, MTR_STS_REJECT_INCORRECT);
    /* a token made for another meter (another key) */
    credit(0, OTHER_DK, 1000, 500, other);
    refused(&s, other, 20, UINT32_MAX, MTR_ERR_STS_INCORRECT, MTR_STS_REJECT_INCORRECT);
    /* the same token under EA09 while the meter uses EA07 */
    credit(1, DK, 1000, 500, other);
    refused(&s, other, 20, UINT32_MAX, MTR_ERR_STS_INCORRECT, MTR_STS_REJECT_INCORRECT);
    /* credit overflow: 500 units offered, room for 499 */
    refused(&s, tok, 20, 499, MTR_ERR_STS_OVERFLOW, MTR_STS_REJECT_OVERFLOW);
    /* reserved class 3: class bits 28/27 set */
    {
        struct mtr_sts_number n = mtr_sts_transpose(rnd64(), 3);
        mtr_sts_digits_format(&n, bad);
        refused(&s, bad, 20, UINT32_MAX, MTR_ERR_STS_CLASS, MTR_STS_REJECT_CLASS);
    }
    /* class 1 with a bad CRC: plain, so the CRC tells a typo */
    {
        struct mtr_sts_token t = {.cls = 1, .subclass = 0, .control = 5};
        uint64_t block;
        cr_assert_eq(mtr_sts_block_pack(&t, &block), MTR_OK);
        struct mtr_sts_number n = mtr_sts_transpose(block ^ 1u, 1);
        mtr_sts_digits_format(&n, bad);
        refused(&s, bad, 20, UINT32_MAX, MTR_ERR_STS_CRC, MTR_STS_REJECT_CRC);
        t.subclass = 2; /* class 1 subclass 2: not supported */
        block = ((uint64_t)2 << 60);
        block |= mtr_sts_crc(1, block);
        n = mtr_sts_transpose(block, 1);
        mtr_sts_digits_format(&n, bad);
        refused(&s, bad, 20, UINT32_MAX, MTR_ERR_STS_SUBCLASS, MTR_STS_REJECT_SUBCLASS);
    }
    /* class 0 subclass 9 (reserved) */
    {
        struct mtr_sts_token t = {.cls = 0, .subclass = 9, .tid = 5};
        cr_assert_eq(mtr_sts_encode(&ciph[0], DK, &t, bad), MTR_OK);
        refused(&s, bad, 20, UINT32_MAX, MTR_ERR_STS_SUBCLASS, MTR_STS_REJECT_SUBCLASS);
    }
    cr_assert_eq(mtr_sts_tid_count(&s), 0u);
}

Test(sts_decoder, replay_used_and_old, .init = setup)
{
    struct mtr_sts s;
    struct mtr_sts_result r;
    char tok[21];
    init(&s, 0, DK);
    for (uint32_t i = 0; i < MTR_STS_TID_MEMORY; i++) {
        credit(0, DK, 5000 + 10 * i, 1, tok);
        cr_assert_eq(mtr_sts_process(&s, tok, 20, UINT32_MAX, &r), MTR_OK);
        cr_assert_eq(r.status, MTR_STS_ACCEPTED);
        cr_assert_eq(r.value, 1u);
        refused(&s, tok, 20, UINT32_MAX, MTR_ERR_STS_USED, MTR_STS_REJECT_USED);
    }
    cr_assert_eq(mtr_sts_tid_count(&s), MTR_STS_TID_MEMORY);
    /* full: older than the oldest (5000) is old; between is accepted and the oldest leaves */
    credit(0, DK, 4999, 1, tok);
    refused(&s, tok, 20, UINT32_MAX, MTR_ERR_STS_OLD, MTR_STS_REJECT_OLD);
    credit(0, DK, 5001, 1, tok);
    cr_assert_eq(mtr_sts_process(&s, tok, 20, UINT32_MAX, &r), MTR_OK);
    credit(0, DK, 5000, 1, tok);
    refused(&s, tok, 20, UINT32_MAX, MTR_ERR_STS_OLD, MTR_STS_REJECT_OLD);
    cr_assert_eq(mtr_sts_tid_count(&s), MTR_STS_TID_MEMORY);
}

Test(sts_decoder, key_expiry_number, .init = setup)
{
    struct mtr_sts s;
    struct mtr_sts_key key = {.dk = DK, .krn = 1, .kt = 2, .ti = 1, .ken = 0x80, .base = 0};
    struct mtr_sts_result r;
    char tok[21];
    cr_assert_eq(mtr_sts_init(&s, &ciph[0], &key), MTR_OK);
    credit(0, DK, 0x810000, 1, tok); /* TID bits 23..16 = 0x81 > KEN 0x80 */
    refused(&s, tok, 20, UINT32_MAX, MTR_ERR_STS_KEY_EXPIRED, MTR_STS_REJECT_KEY_EXPIRED);
    credit(0, DK, 0x80FFFF, 1, tok);
    cr_assert_eq(mtr_sts_process(&s, tok, 20, UINT32_MAX, &r), MTR_OK);
}

Test(sts_decoder, rollover_key_change_moves_base_and_clears_tids, .init = setup)
{
    struct mtr_sts s;
    struct mtr_sts_result r;
    char tok[21], a[21], b[21];
    uint64_t ndk = 0x1122334455667788ull;
    init(&s, 0, DK);
    credit(0, DK, MTR_STS_TID_MAX - 5, 1, tok);
    cr_assert_eq(mtr_sts_process(&s, tok, 20, UINT32_MAX, &r), MTR_OK);
    struct mtr_sts_token t1 = {.cls = 2, .subclass = 3, .ken_high = 0xF, .krn = 2, .ro = 1,
                               .kt = 2, .key_half = (uint32_t)(ndk >> 32)};
    struct mtr_sts_token t2 = {.cls = 2, .subclass = 4, .ken_low = 0xF, .ti = 1,
                               .key_half = (uint32_t)ndk};
    cr_assert_eq(mtr_sts_encode(&ciph[0], DK, &t1, a), MTR_OK);
    cr_assert_eq(mtr_sts_encode(&ciph[0], DK, &t2, b), MTR_OK);
    cr_assert_eq(mtr_sts_process(&s, a, 20, 0, &r), MTR_OK);
    cr_assert_eq(mtr_sts_process(&s, b, 20, 0, &r), MTR_OK);
    cr_assert_eq(mtr_sts_current_key(&s)->base, MTR_STS_BASE_2014);
    cr_assert_eq(mtr_sts_tid_count(&s), 0u);
    /* a token from 2014 + 1 minute under the new key */
    credit(0, ndk, 1, 7, tok);
    cr_assert_eq(mtr_sts_process(&s, tok, 20, UINT32_MAX, &r), MTR_OK);
    cr_assert_eq(r.issued, mtr_sts_base_utc(MTR_STS_BASE_2014) + 60);
    /* the old key no longer works */
    credit(0, DK, 2, 7, tok);
    refused(&s, tok, 20, UINT32_MAX, MTR_ERR_STS_INCORRECT, MTR_STS_REJECT_INCORRECT);
}

Test(sts_decoder, commit_needs_fresh_accepted_result, .init = setup)
{
    struct mtr_sts s;
    struct mtr_sts_result r, r2;
    char tok[21];
    init(&s, 0, DK);
    credit(0, DK, 77, 1, tok);
    cr_assert_eq(mtr_sts_check(&s, tok, 20, UINT32_MAX, &r), MTR_OK);
    r2 = r;
    cr_assert_eq(mtr_sts_tid_count(&s), 0u);
    cr_assert_eq(mtr_sts_commit(&s, &r), MTR_OK);
    cr_assert_eq(mtr_sts_tid_count(&s), 1u);
    struct mtr_sts before = s;
    cr_assert_eq(mtr_sts_commit(&s, &r2), MTR_ERR_STATE); /* stale: would double the credit */
    cr_assert_eq(memcmp(&before, &s, sizeof s), 0);
    r2.status = MTR_STS_REJECT_USED;
    r2.stamp = s.changes;
    cr_assert_eq(mtr_sts_commit(&s, &r2), MTR_ERR_STATE);
}

Test(sts_decoder, save_load_round_trip_and_corruption, .init = setup)
{
    struct mtr_sts s, t;
    struct mtr_sts_result r;
    char tok[21];
    uint8_t buf[MTR_STS_STATE_SIZE];
    size_t len;
    init(&s, 0, DK);
    for (uint32_t i = 0; i < 7; i++) {
        credit(0, DK, 100 + i, 1, tok);
        cr_assert_eq(mtr_sts_process(&s, tok, 20, UINT32_MAX, &r), MTR_OK);
    }
    struct mtr_sts_token t1 = {.cls = 2, .subclass = 3, .krn = 3, .kt = 1, .key_half = 0xABCDEF01};
    cr_assert_eq(mtr_sts_encode(&ciph[0], DK, &t1, tok), MTR_OK);
    cr_assert_eq(mtr_sts_process(&s, tok, 20, 0, &r), MTR_OK);
    cr_assert_eq(mtr_sts_save(&s, buf, 10, &len), MTR_ERR_FULL);
    cr_assert_eq(mtr_sts_save(&s, buf, sizeof buf, &len), MTR_OK);
    cr_assert_eq(len, 42u + 3u * 7u + 4u);
    cr_assert_leq(len, mtr_sts_state_size());

    init(&t, 0, OTHER_DK);
    const uint8_t *p = buf;
    /* every prefix is refused and changes nothing */
    for (size_t n = 0; n < len; n++) {
        struct mtr_sts before = t;
        p = buf;
        cr_assert_neq(mtr_sts_load(&t, &p, buf + n), MTR_OK);
        cr_assert_eq(p, buf);
        cr_assert_eq(memcmp(&before, &t, sizeof t), 0);
    }
    /* every flipped bit is refused */
    for (size_t bit = 0; bit < len * 8; bit += 3) {
        struct mtr_sts before = t;
        buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        p = buf;
        cr_assert_neq(mtr_sts_load(&t, &p, buf + len), MTR_OK);
        cr_assert_eq(memcmp(&before, &t, sizeof t), 0);
        buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    p = buf;
    cr_assert_eq(mtr_sts_load(&t, &p, buf + len), MTR_OK);
    cr_assert_eq(p, buf + len);
    cr_assert_eq(t.key.dk, DK);
    cr_assert_eq(t.ntids, 7u);
    cr_assert_eq(t.kct_have, 1u);
    cr_assert_eq(t.kct[0].key_half, 0xABCDEF01u);
    /* the restored decoder refuses the replay */
    credit(0, DK, 103, 1, tok);
    refused(&t, tok, 20, UINT32_MAX, MTR_ERR_STS_USED, MTR_STS_REJECT_USED);
    /* a blob of an EA09 decoder does not load into an EA07 one */
    init(&s, 1, DK);
    cr_assert_eq(mtr_sts_save(&s, buf, sizeof buf, &len), MTR_OK);
    p = buf;
    cr_assert_eq(mtr_sts_load(&t, &p, buf + len), MTR_ERR_DECODE);
}

Test(sts_decoder, init_rejects_unusable_cipher, .init = setup)
{
    struct mtr_sts s;
    struct mtr_sts_key key = {.dk = DK, .krn = 1, .kt = 2, .ti = 1, .ken = 255};
    struct mtr_sts_sta_tables bad = sts_test_tables;
    struct mtr_sts_cipher c = {.ea = MTR_STS_EA07, .sta = &bad};
    bad.p[3] = bad.p[4];
    cr_assert_eq(mtr_sts_init(&s, &c, &key), MTR_ERR_INVAL);
    struct mtr_hal nohal = {0};
    c = (struct mtr_sts_cipher){.ea = MTR_STS_EA09, .hal = &nohal};
    cr_assert_eq(mtr_sts_init(&s, &c, &key), MTR_ERR_INVAL);
    key.krn = 0;
    cr_assert_eq(mtr_sts_init(&s, &ciph[0], &key), MTR_ERR_INVAL);
    uint64_t dk;
    struct mtr_sts_key_params kp = {.iin = 600727, .sgc = 123456, .ti = 1, .krn = 1, .kt = 2};
    uint8_t vk[20] = {0};
    cr_assert_eq(mtr_sts_dkga02(&nohal, vk, &kp, &dk), MTR_ERR_NOTSUP);
    cr_assert_eq(mtr_sts_dkga04(&nohal, vk, &kp, &dk), MTR_ERR_INVAL); /* ea unset */
    kp.ea = MTR_STS_EA07;
    cr_assert_eq(mtr_sts_dkga04(&nohal, vk, &kp, &dk), MTR_ERR_NOTSUP);
    kp.sgc = 1000000;
    cr_assert_eq(mtr_sts_dkga02(&hal, vk, &kp, &dk), MTR_ERR_INVAL);
}

/* EA09 is DES: one block against the HAL's des_block directly. */
Test(sts_decoder, ea09_is_des_big_endian, .init = setup)
{
    uint8_t k[8], in[8], out[8];
    uint64_t r;
    mtr_err_t err;
    for (int i = 0; i < 8; i++) {
        k[i] = (uint8_t)(0x13 * i + 1);
        in[i] = (uint8_t)(0x31 * i + 7);
    }
    cr_assert_eq(hal.crypto->des_block(NULL, k, in, out, false), MTR_OK);
    uint64_t key = 0, blk = 0, want = 0;
    for (int i = 0; i < 8; i++) {
        key = key << 8 | k[i];
        blk = blk << 8 | in[i];
        want = want << 8 | out[i];
    }
    err = mtr_sts_ea09(&hal, key, blk, false, &r);
    cr_assert_eq(err, MTR_OK);
    cr_assert_eq(r, want);
    cr_assert_eq(mtr_sts_ea09(&hal, key, r, true, &r), MTR_OK);
    cr_assert_eq(r, blk);
}
