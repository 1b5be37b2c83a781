/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target for the STS token decoder. The input is used twice: as the
 * characters typed (any length, any bytes), and its first 9 bytes as a
 * 66-bit token number formatted to 20 digits, both against an EA07 and an
 * EA09 decoder that remember a few TIDs. Checks: a refused token leaves the
 * decoder unchanged and has a message; an accepted one decodes to fields
 * that encode back to the same 20 digits; a credit is never above the room.
 *
 * Linked with fuzz/replay_main.c it becomes a plain program that runs the
 * files (or directories of files) named on its command line through the
 * target once, for replaying the corpus without libFuzzer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "meter/sts.h"
#include "sim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int cond)
{
    if (!cond)
        abort();
}

/* Any bijections will do for the fuzzer: a fixed shuffle. */
static void make_tables(struct mtr_sts_sta_tables *t)
{
    uint32_t x = 2463534242u;
    for (unsigned i = 0; i < 16; i++)
        t->s[0][i] = t->s[1][15 - i] = (uint8_t)((i * 7u + 3u) & 15u);
    for (unsigned i = 0; i < 64; i++)
        t->p[i] = (uint8_t)i;
    for (unsigned i = 63; i > 0; i--) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        unsigned j = x % (i + 1u);
        uint8_t tmp = t->p[i];
        t->p[i] = t->p[j];
        t->p[j] = tmp;
    }
}

static void one(struct mtr_sts *s, const char *tok, size_t len, uint32_t room)
{
    struct mtr_sts before = *s;
    struct mtr_sts_result r;
    mtr_err_t err = mtr_sts_process(s, tok, len, room, &r);
    char again[MTR_STS_DIGITS + 1];

    require(mtr_sts_message(r.status) != NULL);
    if (err != MTR_OK) {
        require(r.status >= MTR_STS_REJECT_LENGTH && r.status < MTR_STS_STATUS_COUNT);
        require(memcmp(&before, s, sizeof before) == 0);
        return;
    }
    require(r.status <= MTR_STS_KEY_CHANGED);
    require(len == MTR_STS_DIGITS);
    if (r.status == MTR_STS_ACCEPTED)
        require(r.value <= room && r.value <= MTR_STS_AMOUNT_MAX);
    require(mtr_sts_encode(&before.cipher, before.key.dk, &r.token, again) == MTR_OK);
    require(memcmp(again, tok, MTR_STS_DIGITS) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct mtr_sts_sta_tables tab;
    struct mtr_hal hal = {0};
    struct mtr_sts_key key = {.dk = 0x0123456789ABCDEFull, .krn = 1, .kt = 2, .ti = 1,
                              .ken = 0xF0, .base = MTR_STS_BASE_1993};
    struct mtr_sts_cipher c[2];
    struct mtr_sts s;
    char digits[MTR_STS_DIGITS + 1];
    uint32_t room = size > 0 ? (uint32_t)data[0] * 70000u : UINT32_MAX;

    make_tables(&tab);
    hal.crypto = mtr_sim_crypto_ops();
    c[0] = (struct mtr_sts_cipher){.ea = MTR_STS_EA07, .sta = &tab, .hal = &hal};
    c[1] = (struct mtr_sts_cipher){.ea = MTR_STS_EA09, .hal = &hal};
    for (int i = 0; i < (hal.crypto != NULL ? 2 : 1); i++) {
        require(mtr_sts_init(&s, &c[i], &key) == MTR_OK);
        one(&s, (const char *)data, size, room);
        if (size >= 9) {
            struct mtr_sts_number n;
            n.hi = (uint8_t)(data[0] & 3u);
            n.lo = 0;
            for (int b = 1; b < 9; b++)
                n.lo = (n.lo << 8) | data[b];
            mtr_sts_digits_format(&n, digits);
            one(&s, digits, MTR_STS_DIGITS, room);
            one(&s, digits, MTR_STS_DIGITS, room); /* a second time: used or harmless */
        }
    }
    return 0;
}
