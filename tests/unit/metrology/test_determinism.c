/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Determinism of the metrology engine, host side: the frames of
 * tests/vectors/metrology_det.data through the check of
 * test_determinism_common.c. The host must give the same digest on every
 * run, whatever the block size, and the digest must see a one-bit change of
 * any register. The same check runs on the Cortex-M4 under QEMU in the
 * cortex-m suite (qemu-determinism, docs/boards.md), which compares the
 * board's digest and lines with those of the same code built for the host.
 * The digest and the registers are logged.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "sim_adc.h"
#include "test_determinism_common.c"

#define VECTOR MTR_TEST_VECTORS "/metrology_det.data"
#define VECTOR_FRAMES 4000u /* 2 s at 2 kHz */
#define VECTOR_PERIODS 10u

static struct mtr_metrology metro;

/* The vector's frames, read through the sim ADC's sample-file parser. */
static int32_t *load(size_t *n)
{
    struct mtr_sim_adc adc;
    struct mtr_sim_samples_diag diag;
    memset(&adc, 0, sizeof adc);
    mtr_err_t rc = mtr_sim_adc_load_file_diag(&adc, VECTOR, &diag);
    cr_assert_eq(rc, MTR_OK, "%s: error %d at line %zu: %s", VECTOR, rc, diag.line,
                 diag.reason != NULL ? diag.reason : "-");
    cr_assert_eq(mtr_sim_adc_rate(&adc), DET_RATE_HZ);
    cr_assert_eq(mtr_sim_adc_bits(&adc), DET_BITS);
    *n = mtr_sim_adc_file_frames(&adc);
    int32_t *f = malloc(*n * MTR_ADC_CHANNELS * sizeof *f);
    cr_assert_not_null(f);
    for (size_t k = 0; k < *n; k++) {
        mtr_sim_adc_frame(&adc, k, &f[k * MTR_ADC_CHANNELS]);
    }
    mtr_sim_adc_free(&adc);
    return f;
}

/* All the lines of a run, newline-separated. */
struct text {
    char s[64 * 1024];
    size_t n;
};

static void to_text(void *user, const char *line)
{
    struct text *t = user;
    size_t len = strlen(line);
    cr_assert_lt(t->n + len + 1u, sizeof t->s, "output too long");
    memcpy(&t->s[t->n], line, len);
    t->s[t->n + len] = '\n';
    t->n += len + 1u;
    t->s[t->n] = '\0';
}

static void to_log(void *user, const char *line)
{
    (void)user;
    if (strncmp(line, "registers ", 10) == 0 || strncmp(line, "det:", 4) == 0) {
        cr_log_info("%s", line);
    }
}

static void nothing(void *user, const char *line)
{
    (void)user;
    (void)line;
}

Test(determinism, vector)
{
    size_t n;
    int32_t *f = load(&n);
    cr_expect_eq(n, VECTOR_FRAMES, "%zu frames", n);
    free(f);
}

Test(determinism, repeatable)
{
    size_t n;
    int32_t *f = load(&n);
    static struct text a, b;
    static struct det_result ra, rb;
    a.n = b.n = 0;
    cr_assert_eq(det_run(&metro, f, n, 0, to_text, &a, &ra), MTR_OK);
    cr_assert_eq(det_run(&metro, f, n, 0, to_text, &b, &rb), MTR_OK);
    cr_expect_eq(ra.periods, VECTOR_PERIODS, "%u periods", ra.periods);
    cr_expect_eq(ra.digest, rb.digest);
    cr_expect_str_eq(a.s, b.s);
    cr_expect_eq(memcmp(ra.regs, rb.regs, sizeof ra.regs), 0);
    /* the run exercises every kind of result: energy in all four quadrants
     * across the phases, export, harmonics */
    cr_expect(strstr(a.s, "quadrant=1") && strstr(a.s, "quadrant=2") && strstr(a.s, "quadrant=4"));
    struct det_result rl;
    cr_assert_eq(det_run(&metro, f, n, 0, to_log, NULL, &rl), MTR_OK);
    free(f);
}

/* Registers and the last period's record after feeding @p n frames in blocks of @p block. */
static void feed_blocks(const int32_t *f, size_t n, size_t block, struct det_result *res,
                        uint32_t *last_crc)
{
    struct mtr_metrology_config cfg;
    det_config(&cfg);
    cr_assert_eq(mtr_metrology_init(&metro, &cfg, NULL), MTR_OK);
    for (size_t k = 0; k < n; k += block) {
        mtr_metrology_process(&metro, &f[k * MTR_ADC_CHANNELS], n - k < block ? n - k : block);
    }
    struct mtr_metrology_result r;
    cr_assert_eq(mtr_metrology_result(&metro, &r), MTR_OK);
    static struct det_buf d;
    d.n = 0;
    *last_crc = MTR_CRC32_INIT;
    det_period(&metro, &r, &d, nothing, NULL, last_crc);
    det_registers(&metro, 0, res, nothing, NULL);
}

Test(determinism, block_size)
{
    size_t n;
    int32_t *f = load(&n);
    static struct det_result ref, res;
    uint32_t ref_crc, crc;
    feed_blocks(f, n, DET_BLOCK, &ref, &ref_crc);
    static const size_t blocks[] = {1, 7, 64, 400, 1000, VECTOR_FRAMES};
    for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++) {
        feed_blocks(f, n, blocks[i], &res, &crc);
        cr_expect_eq(memcmp(ref.regs, res.regs, sizeof ref.regs), 0,
                     "registers differ with blocks of %zu frames", blocks[i]);
        cr_expect_eq(ref_crc, crc, "last period differs with blocks of %zu frames", blocks[i]);
    }
    free(f);
}

Test(determinism, one_bit)
{
    size_t n;
    int32_t *f = load(&n);
    static struct det_result base, flipped;
    static struct text a, b;
    a.n = b.n = 0;
    cr_assert_eq(det_run(&metro, f, n, 0, to_text, &a, &base), MTR_OK);
    cr_assert_eq(det_run(&metro, f, n, 1, to_text, &b, &flipped), MTR_OK);
    cr_expect_neq(base.digest, flipped.digest);
    cr_expect_str_neq(a.s, b.s);
    /* every bit of every register, whole and remainder */
    static uint8_t regs[DET_REG_BYTES];
    unsigned missed = 0;
    for (size_t bit = 0; bit < 8u * DET_REG_BYTES; bit++) {
        memcpy(regs, base.regs, sizeof regs);
        regs[bit / 8u] ^= (uint8_t)(1u << (bit % 8u));
        missed += det_digest(base.crc_periods, regs) == base.digest;
    }
    cr_expect_eq(missed, 0, "%u one-bit changes not seen by the digest", missed);
    free(f);
}
