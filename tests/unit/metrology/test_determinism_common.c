/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The metrology determinism check: what the host and the Cortex-M4 both run
 * on the frames of tests/vectors/metrology_det.data. The host test
 * (test_determinism.c), the Cortex-M4 image and its host twin
 * (adapters/boards/mps2-an386/det.c, det_host.c) #include this file, so that
 * all of them run the same code; it is not compiled on its own.
 *
 * det_run() initialises the engine with det_config(), feeds the frames in
 * blocks of DET_BLOCK frames (a divisor of the period, so that every period
 * ends with a block), and after each period serialises its results:
 * mtr_metrology_result() field by field, mtr_metrology_frequency() and the
 * harmonics of the six channels. At the end it serialises the energy
 * registers of the three phases and of the total, every kind, whole units
 * and remainder. Every value is written as a little-endian integer of fixed
 * width (never struct bytes: layout and padding differ between compilers),
 * and the digest is the CRC-32 (meter/crc.h) of the whole stream. A change of
 * one bit of any register or result changes the digest.
 *
 * It also prints, through a callback, one line per period and phase and one
 * line per register set, so that a difference can be located:
 *   det: frames=<n> rate=<hz> bits=<n> frames_crc=<hex>
 *   period <seq> f=<mHz> fc=<mHz> p=<mW> q=<mvar> s=<mVA> pf=<n> quadrant=<n>
 *          in=<uA> sequence=<n> uu=<a>,<b>,<c> crc=<hex of the record>
 *   period <seq> phase <1..3> u=<uV> i=<uA> p=<mW> q=<mvar> s=<mVA> pf=<n>
 *          quadrant=<n> ui=<cdeg> thd_u=<n> thd_i=<n> missing=<0|1> below_start=<0|1>
 *   registers <1|2|3|total> <whole>:<remainder> x MTR_E_COUNT (enum mtr_metrology_energy order)
 *   det: periods=<n> digest=<hex>
 * Freestanding: no stdio, no heap, no floating point.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "meter/crc.h"
#include "meter/metrology.h"

/** The vector's format, and the engine's configuration for it. */
#define DET_RATE_HZ 2000u
#define DET_BITS 24u
#define DET_PERIOD_MS 200u
/** Frames per call: 20 ms, a divisor of the 400-frame period. */
#define DET_BLOCK 40u
/** Bytes of the serialised registers: (phases + total) x kinds x (whole, remainder). */
#define DET_REG_BYTES ((MTR_METROLOGY_PHASES + 1u) * MTR_E_COUNT * 16u)

_Static_assert((DET_RATE_HZ * DET_PERIOD_MS / 1000u) % DET_BLOCK == 0,
               "every period must end with a block");

/** Receives one NUL-terminated line (no newline). */
typedef void (*det_line_fn)(void *user, const char *line);

struct det_result {
    uint32_t frames_crc;         /**< CRC-32 of the frames, each channel int32 little-endian */
    uint32_t periods;            /**< periods whose results were serialised */
    uint32_t crc_periods;        /**< raw CRC-32 register after the period records */
    uint8_t regs[DET_REG_BYTES]; /**< the registers as serialised */
    uint32_t digest;             /**< CRC-32 of the period records and the registers */
};

/* ---------------------------------------------------------- serialising */

struct det_buf {
    uint8_t b[1024];
    size_t n;
    bool overflow;
};

static void det_u64(struct det_buf *d, uint64_t v, unsigned bytes)
{
    if (d->n + bytes > sizeof d->b) {
        d->overflow = true;
        return;
    }
    for (unsigned i = 0; i < bytes; i++) {
        d->b[d->n++] = (uint8_t)(v >> (8u * i));
    }
}

static void det_i64(struct det_buf *d, int64_t v)
{
    det_u64(d, (uint64_t)v, 8u);
}

/* ------------------------------------------------------------ printing */

struct det_line {
    char s[320];
    size_t n;
};

static void det_str(struct det_line *l, const char *s)
{
    for (; *s != '\0' && l->n < sizeof l->s - 1u; s++) {
        l->s[l->n++] = *s;
    }
    l->s[l->n] = '\0';
}

static void det_dec(struct det_line *l, int64_t v)
{
    char d[21];
    size_t k = 0;
    uint64_t u = v < 0 ? 0u - (uint64_t)v : (uint64_t)v;
    do {
        d[k++] = (char)('0' + u % 10u);
        u /= 10u;
    } while (u != 0);
    if (v < 0) {
        d[k++] = '-';
    }
    char r[22];
    for (size_t i = 0; i < k; i++) {
        r[i] = d[k - 1u - i];
    }
    r[k] = '\0';
    det_str(l, r);
}

static void det_hex(struct det_line *l, uint32_t v)
{
    char r[11] = "0x";
    for (int i = 0; i < 8; i++) {
        r[2 + i] = "0123456789abcdef"[(v >> (28 - 4 * i)) & 0xFu];
    }
    r[10] = '\0';
    det_str(l, r);
}

static void det_kv(struct det_line *l, const char *key, int64_t v)
{
    det_str(l, " ");
    det_str(l, key);
    det_str(l, "=");
    det_dec(l, v);
}

/* ----------------------------------------------------------------- run */

static void det_config(struct mtr_metrology_config *c)
{
    mtr_metrology_config_default(c);
    c->rate_hz = DET_RATE_HZ;
    c->bits = DET_BITS;
    c->period_ms = DET_PERIOD_MS;
    c->neutral_measured = true;
}

/* One period's record: results, cycle frequency, harmonics. */
static void det_period(const struct mtr_metrology *m, const struct mtr_metrology_result *r,
                       struct det_buf *d, det_line_fn line, void *user, uint32_t *crc)
{
    d->n = 0;
    det_u64(d, r->seq, 4);
    det_u64(d, r->f_mhz, 4);
    det_u64(d, mtr_metrology_frequency(m), 4);
    det_i64(d, r->p_mw);
    det_i64(d, r->q_mvar);
    det_i64(d, r->s_mva);
    det_i64(d, r->pf);
    det_u64(d, r->quadrant, 1);
    det_u64(d, r->in_ua, 4);
    det_u64(d, r->in_measured, 1);
    det_i64(d, r->sequence);
    for (unsigned p = 0; p < MTR_METROLOGY_PHASES; p++) {
        const struct mtr_metrology_phase *ph = &r->ph[p];
        det_i64(d, r->uu_angle[p]);
        det_u64(d, ph->u_uv, 4);
        det_u64(d, ph->i_ua, 4);
        det_i64(d, ph->u_mv);
        det_i64(d, ph->i_ma);
        det_i64(d, ph->p_mw);
        det_i64(d, ph->q_mvar);
        det_i64(d, ph->s_mva);
        det_i64(d, ph->pf);
        det_u64(d, ph->quadrant, 1);
        det_u64(d, ph->missing, 1);
        det_u64(d, ph->below_start, 1);
        det_i64(d, ph->ui_angle);
        det_u64(d, ph->thd_u, 2);
        det_u64(d, ph->thd_i, 2);
    }
    for (unsigned ch = MTR_ADC_V1; ch <= MTR_ADC_I3; ch++) {
        uint16_t h[MTR_CFG_HARMONIC_MAX + 1];
        memset(h, 0, sizeof h);
        mtr_err_t rc = mtr_metrology_harmonics(m, ch, h, MTR_CFG_HARMONIC_MAX + 1);
        det_i64(d, rc);
        for (unsigned k = 0; k <= MTR_CFG_HARMONIC_MAX; k++) {
            det_u64(d, h[k], 2);
        }
    }
    *crc = mtr_crc32_update(*crc, d->b, d->n);

    struct det_line l = {.n = 0};
    det_str(&l, "period ");
    det_dec(&l, r->seq);
    det_kv(&l, "f", r->f_mhz);
    det_kv(&l, "fc", mtr_metrology_frequency(m));
    det_kv(&l, "p", r->p_mw);
    det_kv(&l, "q", r->q_mvar);
    det_kv(&l, "s", r->s_mva);
    det_kv(&l, "pf", r->pf);
    det_kv(&l, "quadrant", r->quadrant);
    det_kv(&l, "in", r->in_ua);
    det_kv(&l, "sequence", r->sequence);
    det_kv(&l, "uu", r->uu_angle[0]);
    for (unsigned p = 1; p < MTR_METROLOGY_PHASES; p++) {
        det_str(&l, ",");
        det_dec(&l, r->uu_angle[p]);
    }
    det_str(&l, " crc=");
    det_hex(&l, mtr_crc32(d->b, d->n));
    line(user, l.s);
    for (unsigned p = 0; p < MTR_METROLOGY_PHASES; p++) {
        const struct mtr_metrology_phase *ph = &r->ph[p];
        l.n = 0;
        det_str(&l, "period ");
        det_dec(&l, r->seq);
        det_str(&l, " phase ");
        det_dec(&l, p + 1);
        det_kv(&l, "u", ph->u_uv);
        det_kv(&l, "i", ph->i_ua);
        det_kv(&l, "p", ph->p_mw);
        det_kv(&l, "q", ph->q_mvar);
        det_kv(&l, "s", ph->s_mva);
        det_kv(&l, "pf", ph->pf);
        det_kv(&l, "quadrant", ph->quadrant);
        det_kv(&l, "ui", ph->ui_angle);
        det_kv(&l, "thd_u", ph->thd_u);
        det_kv(&l, "thd_i", ph->thd_i);
        det_kv(&l, "missing", ph->missing);
        det_kv(&l, "below_start", ph->below_start);
        line(user, l.s);
    }
}

/* The registers, serialised into out->regs and printed. @p flip is XORed
 * into the remainder of the total's +A register (0: none), so that a run can
 * show that a one-bit difference is caught. */
static void det_registers(const struct mtr_metrology *m, uint64_t flip, struct det_result *out,
                          det_line_fn line, void *user)
{
    struct det_buf d = {.n = 0, .overflow = false};
    for (unsigned p = 0; p <= MTR_METROLOGY_PHASES; p++) {
        struct det_line l = {.n = 0};
        det_str(&l, "registers ");
        if (p == MTR_METROLOGY_TOTAL) {
            det_str(&l, "total");
        } else {
            det_dec(&l, p + 1);
        }
        for (unsigned k = 0; k < MTR_E_COUNT; k++) {
            int64_t whole = 0, rem = 0;
            (void)mtr_metrology_energy(m, p, k, &whole, &rem);
            if (p == MTR_METROLOGY_TOTAL && k == MTR_E_A_IMP) {
                rem = (int64_t)((uint64_t)rem ^ flip);
            }
            det_i64(&d, whole);
            det_i64(&d, rem);
            det_str(&l, " ");
            det_dec(&l, whole);
            det_str(&l, ":");
            det_dec(&l, rem);
        }
        line(user, l.s);
    }
    memcpy(out->regs, d.b, sizeof out->regs);
}

/** The digest of a run from its period records' CRC register and its registers. */
static uint32_t det_digest(uint32_t crc_periods, const uint8_t regs[DET_REG_BYTES])
{
    return mtr_crc32_update(crc_periods, regs, DET_REG_BYTES) ^ 0xFFFFFFFFu;
}

/**
 * Run the check over @p n frames (@p n x MTR_ADC_CHANNELS codes) with the
 * engine context @p m (caller-allocated, initialised here).
 * @return MTR_OK; the error of mtr_metrology_init(); MTR_ERR_FULL if a
 *         record outgrew its buffer.
 */
static mtr_err_t det_run(struct mtr_metrology *m, const int32_t *frames, size_t n, uint64_t flip,
                         det_line_fn line, void *user, struct det_result *out)
{
    _Static_assert(DET_REG_BYTES <= sizeof(((struct det_buf *)0)->b), "register buffer");
    struct mtr_metrology_config cfg;
    det_config(&cfg);
    mtr_err_t rc = mtr_metrology_init(m, &cfg, NULL);
    if (rc != MTR_OK) {
        return rc;
    }
    memset(out, 0, sizeof *out);
    struct det_buf d = {.n = 0, .overflow = false};
    uint32_t fcrc = MTR_CRC32_INIT;
    for (size_t k = 0; k < n * MTR_ADC_CHANNELS; k++) {
        d.n = 0;
        det_u64(&d, (uint32_t)frames[k], 4);
        fcrc = mtr_crc32_update(fcrc, d.b, d.n);
    }
    out->frames_crc = fcrc ^ 0xFFFFFFFFu;

    struct det_line l = {.n = 0};
    det_str(&l, "det:");
    det_kv(&l, "frames", (int64_t)n);
    det_kv(&l, "rate", cfg.rate_hz);
    det_kv(&l, "bits", cfg.bits);
    det_str(&l, " frames_crc=");
    det_hex(&l, out->frames_crc);
    line(user, l.s);

    uint32_t crc = MTR_CRC32_INIT, seen = 0;
    for (size_t k = 0; k < n; k += DET_BLOCK) {
        size_t len = n - k < DET_BLOCK ? n - k : DET_BLOCK;
        mtr_metrology_process(m, &frames[k * MTR_ADC_CHANNELS], len);
        struct mtr_metrology_result r;
        if (mtr_metrology_result(m, &r) == MTR_OK && r.seq != seen) {
            seen = r.seq;
            out->periods++;
            det_period(m, &r, &d, line, user, &crc);
            if (d.overflow) {
                return MTR_ERR_FULL;
            }
        }
    }
    out->crc_periods = crc;
    det_registers(m, flip, out, line, user);
    out->digest = det_digest(crc, out->regs);

    l.n = 0;
    det_str(&l, "det:");
    det_kv(&l, "periods", out->periods);
    det_str(&l, " digest=");
    det_hex(&l, out->digest);
    line(user, l.s);
    return MTR_OK;
}
