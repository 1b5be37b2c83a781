/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Cost of checking one STS token on the host (parse, decrypt, CRC, TID
 * memory), EA07 against EA09 (DES through the sim HAL's mbedTLS), and of
 * encoding one. Prints one JSON line last.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "meter/sts.h"
#include "sim.h"
#include "../bench_time.h"

#define TOKENS 256
#define ROUNDS 40

static void tables(struct mtr_sts_sta_tables *t)
{
    for (unsigned i = 0; i < 16; i++)
        t->s[0][i] = t->s[1][15 - i] = (uint8_t)((i * 7u + 3u) & 15u);
    for (unsigned i = 0; i < 64; i++)
        t->p[i] = (uint8_t)((i * 29u + 11u) & 63u);
}

static double bench_check(const struct mtr_sts_cipher *c, double *enc_ns)
{
    static char toks[TOKENS][MTR_STS_DIGITS + 1];
    struct mtr_sts_key key = {.dk = 0xe653341f9d5bf36full, .krn = 1, .kt = 2, .ti = 1,
                              .ken = 255, .base = MTR_STS_BASE_1993};
    struct mtr_sts s;
    struct mtr_sts_result r;
    volatile unsigned ok = 0;
    double t0 = now_ns();

    for (unsigned i = 0; i < TOKENS; i++) {
        struct mtr_sts_token t = {.cls = 0, .rnd = (uint8_t)(i & 15), .tid = 1000 + i,
                                  .field = (uint16_t)(i * 37u)};
        if (mtr_sts_encode(c, key.dk, &t, toks[i]) != MTR_OK)
            return -1.0;
    }
    *enc_ns = (now_ns() - t0) / TOKENS;
    if (mtr_sts_init(&s, c, &key) != MTR_OK)
        return -1.0;
    t0 = now_ns();
    for (unsigned k = 0; k < ROUNDS; k++) {
        for (unsigned i = 0; i < TOKENS; i++)
            ok += mtr_sts_check(&s, toks[i], MTR_STS_DIGITS, UINT32_MAX, &r) == MTR_OK;
    }
    double per = (now_ns() - t0) / (TOKENS * ROUNDS);
    return ok == TOKENS * ROUNDS ? per : -1.0;
}

int main(void)
{
    struct mtr_sts_sta_tables tab;
    struct mtr_hal hal = {0};
    struct mtr_sts_cipher ea07 = {.ea = MTR_STS_EA07, .sta = &tab, .hal = &hal};
    struct mtr_sts_cipher ea09 = {.ea = MTR_STS_EA09, .hal = &hal};
    double enc07 = 0, enc09 = 0, dec07, dec09 = -1.0;

    tables(&tab);
    hal.crypto = mtr_sim_crypto_ops();
    dec07 = bench_check(&ea07, &enc07);
    if (hal.crypto != NULL)
        dec09 = bench_check(&ea09, &enc09);
    printf("{\"bench\": \"bench_sts\", \"tokens\": %d, \"check_ea07_ns\": %.0f, "
           "\"check_ea09_ns\": %.0f, \"encode_ea07_ns\": %.0f, \"encode_ea09_ns\": %.0f, "
           "\"ratio_ea09_ea07\": %.2f}\n",
           TOKENS * ROUNDS, dec07, dec09, enc07, enc09, dec07 > 0 ? dec09 / dec07 : 0.0);
    return dec07 > 0 && (hal.crypto == NULL || dec09 > 0) ? 0 : 1;
}
