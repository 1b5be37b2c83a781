/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target for the prepaid engine's saved-state loader (NVM read-back:
 * mtr_prepaid_load). Besides memory errors it checks what a load promises:
 * a refused blob changes neither the engine nor the STS decoder; an
 * accepted blob balances its books, saves back to the same bytes, and the
 * engine keeps working on it (a tick and a payment keep the books exact).
 * Each input is also tried with its CRC recomputed, to reach the field
 * checks.
 *
 * Linked with fuzz/replay_main.c it becomes a plain program that runs the
 * files (or directories of files) named on its command line through the
 * target once, for replaying the corpus without libFuzzer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "meter/bytes.h"
#include "meter/crc.h"
#include "meter/hal.h"
#include "meter/prepaid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int cond)
{
    if (!cond)
        abort();
}

/* Any bijections will do: the loader never deciphers. */
static void make_tables(struct mtr_sts_sta_tables *t)
{
    for (unsigned i = 0; i < 16; i++)
        t->s[0][i] = t->s[1][15 - i] = (uint8_t)((i * 7u + 3u) & 15u);
    for (unsigned i = 0; i < 64; i++)
        t->p[i] = (uint8_t)((i * 5u) & 63u);
}

static void balanced(const struct mtr_prepaid *pp)
{
    struct mtr_prepaid_ledger l = mtr_prepaid_ledger(pp);
    require(l.bought + l.granted == l.consumed + l.cleared + l.left);
}

static void one(const uint8_t *data, size_t size);

/* Each input twice: as read back, and with its CRC made valid, so that the
 * field checks behind the CRC are fuzzed too. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t sealed[2 * MTR_PREPAID_STATE_SIZE];

    one(data, size);
    if (size >= 4 && size <= sizeof sealed) {
        memcpy(sealed, data, size);
        mtr_put_be32(sealed + size - 4, mtr_crc32(sealed, size - 4));
        one(sealed, size);
    }
    return 0;
}

static void one(const uint8_t *data, size_t size)
{
    static struct mtr_sts_sta_tables tab;
    static struct mtr_sts sts, sts_before;
    static struct mtr_prepaid pp, before;
    static uint8_t out[MTR_PREPAID_STATE_SIZE];
    struct mtr_sts_cipher c;
    struct mtr_sts_key key = {.dk = 0x0123456789abcdefull, .krn = 1, .kt = 2, .ti = 1, .ken = 255,
                              .base = MTR_STS_BASE_2014};
    static const struct mtr_prepaid_config cfg[2] = {
        {.unit = MTR_PREPAID_UNIT_CURRENCY, .token_scale = 1, .ec_button = MTR_IN_BUTTON_2,
         .ec_press_min_ms = 50, .ec_press_max_ms = 5000},
        {.unit = MTR_PREPAID_UNIT_ENERGY, .token_scale = 100000, .ec_button = MTR_IN_BUTTON_2,
         .ec_press_min_ms = 50, .ec_press_max_ms = 5000},
    };
    size_t n;

    make_tables(&tab);
    c = (struct mtr_sts_cipher){.ea = MTR_STS_EA07, .sta = &tab};
    for (int u = 0; u < 2; u++) {
        require(mtr_sts_init(&sts, &c, &key) == MTR_OK);
        require(mtr_prepaid_init(&pp, &cfg[u], &sts) == MTR_OK);
        before = pp;
        sts_before = sts;
        mtr_err_t err = mtr_prepaid_load(&pp, data, size);
        if (err != MTR_OK) {
            require(err == MTR_ERR_PREPAID_BLOB || err == MTR_ERR_PREPAID_BLOB_CRC ||
                    err == MTR_ERR_PREPAID_VERSION);
            require(memcmp(&pp, &before, sizeof pp) == 0);
            require(memcmp(&sts, &sts_before, sizeof sts) == 0);
            continue;
        }
        balanced(&pp);
        require(mtr_prepaid_save(&pp, out, sizeof out, &n) == MTR_OK);
        if (data[2] == 1) {
            /* a version 1 blob loads converted and saves as version 2, which reloads to itself */
            static struct mtr_prepaid again;
            static uint8_t out2[MTR_PREPAID_STATE_SIZE];
            size_t m;
            again = pp;
            require(out[2] == 2 && mtr_prepaid_load(&again, out, n) == MTR_OK);
            require(mtr_prepaid_save(&again, out2, sizeof out2, &m) == MTR_OK);
            require(m == n && memcmp(out2, out, n) == 0);
        } else {
            require(n == size && memcmp(out, data, size) == 0);
        }
        struct mtr_prepaid_usage usage;
        memset(&usage, 0, sizeof usage);
        usage.delta[0] = 123456789;
        struct mtr_prepaid_input in = {.utc = 7000000000LL, .weekday = 2, .hour = 3, .usage = &usage};
        require(mtr_prepaid_tick(&pp, &in, NULL) == MTR_OK);
        balanced(&pp);
        (void)mtr_prepaid_payment(&pp, MTR_PREPAID_CREDIT_TOKEN, 1000, in.utc, NULL);
        balanced(&pp);
    }
}
