/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Simulated measuring ADC: synthetic 3-phase waveforms and sample-file
 * playback. See sim_adc.h for the model and the file format.
 */
#include "sim_adc.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SQRT2 1.41421356237309504880
#define TWO_PI 6.28318530717958647692
#define CDEG_PER_TURN 36000
/* Scaled codes are clamped to this before rounding: far beyond 24 bits, far within long. */
#define CODE_CLAMP 1073741824.0
/* Shortest frame line, "0 0 0 0 0 0 0\n": bounds the frames a file can hold. */
#define FRAME_LINE_MIN 14u

/* ================================================================ config */

void mtr_sim_adc_default(struct mtr_sim_adc_cfg *cfg)
{
    static const int32_t v_angle[3] = {0, -12000, 12000};

    assert(cfg != NULL);
    memset(cfg, 0, sizeof *cfg);
    cfg->rate_hz = 4000;
    cfg->bits = 24;
    cfg->freq_mhz = 50000;
    cfg->v_full_scale_mv = 600000;
    cfg->i_full_scale_ma = 200000;
    for (unsigned p = 0; p < 3; p++) {
        cfg->phase[p].v_rms_mv = 230000;
        cfg->phase[p].i_rms_ma = 5000;
        cfg->phase[p].v_angle_cdeg = v_angle[p];
        cfg->phase[p].i_angle_cdeg = 2584; /* acos(0.9) = 25.84 degrees */
    }
}

static int32_t code_max(uint8_t bits)
{
    return (int32_t)((1ul << (bits - 1u)) - 1u);
}

static int32_t code_min(uint8_t bits)
{
    return -code_max(bits) - 1;
}

static bool angle_ok(int32_t cdeg)
{
    return cdeg >= -MTR_SIM_ANGLE_MAX && cdeg <= MTR_SIM_ANGLE_MAX;
}

static bool harmonics_ok(const uint16_t *permille, const int32_t *cdeg)
{
    if (permille[0] != 0 || permille[1] != 0 || cdeg[0] != 0 || cdeg[1] != 0)
        return false;
    for (unsigned h = 2; h <= MTR_SIM_HARMONIC_MAX; h++) {
        if (permille[h] > MTR_SIM_HARM_PERMILLE_MAX || !angle_ok(cdeg[h]))
            return false;
    }
    return true;
}

static bool phase_ok(const struct mtr_sim_phase_cfg *ph)
{
    return ph->v_rms_mv >= 0 && ph->i_rms_ma >= 0 && angle_ok(ph->v_angle_cdeg) &&
           angle_ok(ph->i_angle_cdeg) && harmonics_ok(ph->v_harm_permille, ph->v_harm_cdeg) &&
           harmonics_ok(ph->i_harm_permille, ph->i_harm_cdeg);
}

static bool timing_ok(const struct mtr_sim_adc_cfg *cfg)
{
    return cfg->rate_hz >= MTR_SIM_RATE_MIN && cfg->rate_hz <= MTR_SIM_RATE_MAX &&
           cfg->freq_mhz >= 1 && (uint64_t)cfg->freq_mhz < (uint64_t)cfg->rate_hz * 500u &&
           cfg->drift_mhz_per_s >= -MTR_SIM_DRIFT_MAX && cfg->drift_mhz_per_s <= MTR_SIM_DRIFT_MAX;
}

static bool scale_ok(const struct mtr_sim_adc_cfg *cfg)
{
    if (cfg->bits < MTR_SIM_BITS_MIN || cfg->bits > MTR_SIM_BITS_MAX)
        return false;
    if (cfg->v_full_scale_mv <= 0 || cfg->i_full_scale_ma <= 0)
        return false;
    if (cfg->noise_lsb > (uint32_t)code_max(cfg->bits) + 1u)
        return false;
    for (unsigned ch = 0; ch < MTR_ADC_CHANNELS; ch++) {
        if (cfg->dc_offset[ch] < code_min(cfg->bits) || cfg->dc_offset[ch] > code_max(cfg->bits))
            return false;
    }
    return true;
}

static bool cfg_ok(const struct mtr_sim_adc_cfg *cfg)
{
    for (unsigned p = 0; p < 3; p++) {
        if (!phase_ok(&cfg->phase[p]))
            return false;
    }
    return timing_ok(cfg) && scale_ok(cfg);
}

mtr_err_t mtr_sim_adc_init(struct mtr_sim_adc *adc, const struct mtr_sim_adc_cfg *cfg)
{
    struct mtr_sim_adc tmp = {0};
    int64_t drift;

    if (adc == NULL || cfg == NULL || !cfg_ok(cfg))
        return MTR_ERR_INVAL;
    tmp.source = MTR_SIM_ADC_SYNTH;
    tmp.rate_hz = cfg->rate_hz;
    tmp.bits = cfg->bits;
    tmp.cfg = *cfg;
    /* cycles(index) = (2 rate f index + d index^2) / (2000 rate^2), f and d in mHz and mHz/s */
    tmp.phase_den = 2000u * (uint64_t)cfg->rate_hz * cfg->rate_hz;
    tmp.phase_lin = (2u * (uint64_t)cfg->rate_hz * cfg->freq_mhz) % tmp.phase_den;
    drift = cfg->drift_mhz_per_s;
    tmp.phase_quad = drift >= 0 ? (uint64_t)drift % tmp.phase_den
                                : (tmp.phase_den - (uint64_t)(-drift) % tmp.phase_den) % tmp.phase_den;
    *adc = tmp;
    return MTR_OK;
}

/* ============================================================ generator */

/* (a * b) mod m without overflow, for a < m <= 2^48. */
static uint64_t mulmod48(uint64_t a, uint64_t b, uint64_t m)
{
    uint64_t r = 0;

    for (int shift = 48; shift >= 0; shift -= 16) {
        r = (r << 16) % m;
        r = (r + a * ((b >> shift) & 0xFFFFu)) % m;
    }
    return r;
}

/* Phase of the fundamental at @index, in units of 1/phase_den cycle, in [0, phase_den). */
static uint64_t phase_num(const struct mtr_sim_adc *adc, uint64_t index)
{
    const uint64_t m = adc->phase_den;
    const uint64_t i = index % m;
    const uint64_t lin = mulmod48(adc->phase_lin, i, m);
    const uint64_t quad = mulmod48(adc->phase_quad, mulmod48(i, i, m), m);

    return (lin + quad) % m;
}

static int64_t cdeg_mod_turn(int64_t cdeg)
{
    int64_t r = cdeg % CDEG_PER_TURN;

    return r < 0 ? r + CDEG_PER_TURN : r;
}

/* sin of harmonic h of a waveform of fundamental angle @angle_cdeg, own phase @phi_cdeg. */
static double harmonic_sin(const struct mtr_sim_adc *adc, uint64_t num, unsigned h,
                           int64_t angle_cdeg, int32_t phi_cdeg)
{
    const uint64_t turn_num = (h * num) % adc->phase_den;
    const int64_t cdeg = cdeg_mod_turn((int64_t)h * angle_cdeg + phi_cdeg);
    double turns = (double)turn_num / (double)adc->phase_den + (double)cdeg / CDEG_PER_TURN;

    if (turns >= 1.0)
        turns -= 1.0;
    return sin(TWO_PI * turns);
}

/* Instantaneous value of a waveform, in the unit of @rms. */
static double wave(const struct mtr_sim_adc *adc, uint64_t num, int64_t rms, int64_t angle_cdeg,
                   const uint16_t *permille, const int32_t *phi_cdeg)
{
    double sum;

    if (rms == 0)
        return 0.0;
    sum = harmonic_sin(adc, num, 1, angle_cdeg, 0);
    for (unsigned h = 2; h <= MTR_SIM_HARMONIC_MAX; h++) {
        if (permille[h] != 0) {
            sum += (double)permille[h] / 1000.0 *
                   harmonic_sin(adc, num, h, angle_cdeg, phi_cdeg[h]);
        }
    }
    return SQRT2 * (double)rms * sum;
}

/* splitmix64's output function: a bijection that mixes every bit. */
static uint64_t mix64(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

/* Standard normal deviate for (seed, index, channel), by Box-Muller. */
static double gauss(uint64_t seed, uint64_t index, unsigned ch)
{
    const uint64_t key = mix64(mix64(mix64(seed) ^ index) + ch);
    const double u1 = (double)((mix64(key) >> 11) + 1u) * 0x1p-53; /* (0, 1] */
    const double u2 = (double)(mix64(~key) >> 11) * 0x1p-53;        /* [0, 1) */

    return sqrt(-2.0 * log(u1)) * cos(TWO_PI * u2);
}

static double clamp_d(double x, double lim)
{
    return x > lim ? lim : (x < -lim ? -lim : x);
}

/* ADC code of channel @ch for the instantaneous value @x (mV or mA). */
static int32_t to_code(const struct mtr_sim_adc *adc, unsigned ch, uint64_t index, double x)
{
    const struct mtr_sim_adc_cfg *cfg = &adc->cfg;
    const int64_t fs = ch < MTR_ADC_I1 ? cfg->v_full_scale_mv : cfg->i_full_scale_ma;
    const int32_t hi = code_max(cfg->bits);
    int64_t code = (int64_t)llround(clamp_d(x / (double)fs * (double)hi, CODE_CLAMP));

    code += cfg->dc_offset[ch];
    if (cfg->noise_lsb != 0)
        code += (int64_t)llround((double)cfg->noise_lsb * gauss(cfg->seed, index, ch));
    if (code > hi)
        return hi;
    return code < code_min(cfg->bits) ? code_min(cfg->bits) : (int32_t)code;
}

static void synth_frame(const struct mtr_sim_adc *adc, uint64_t index,
                        int32_t frame[MTR_ADC_CHANNELS])
{
    const struct mtr_sim_adc_cfg *cfg = &adc->cfg;
    const uint64_t num = phase_num(adc, index);
    double x[MTR_ADC_CHANNELS];

    for (unsigned p = 0; p < 3; p++) {
        const struct mtr_sim_phase_cfg *ph = &cfg->phase[p];
        const int64_t i_angle = (int64_t)ph->v_angle_cdeg - ph->i_angle_cdeg;

        x[MTR_ADC_V1 + p] = wave(adc, num, ph->v_rms_mv, ph->v_angle_cdeg, ph->v_harm_permille,
                                 ph->v_harm_cdeg);
        x[MTR_ADC_I1 + p] =
            wave(adc, num, ph->i_rms_ma, i_angle, ph->i_harm_permille, ph->i_harm_cdeg);
    }
    x[MTR_ADC_IN] = -(x[MTR_ADC_I1] + x[MTR_ADC_I2] + x[MTR_ADC_I3]);
    for (unsigned ch = 0; ch < MTR_ADC_CHANNELS; ch++)
        frame[ch] = to_code(adc, ch, index, x[ch]);
    if (!cfg->neutral_measured)
        frame[MTR_ADC_IN] = 0;
}

void mtr_sim_adc_frame(const struct mtr_sim_adc *adc, uint64_t index,
                       int32_t frame[MTR_ADC_CHANNELS])
{
    assert(adc != NULL && frame != NULL);
    switch (adc->source) {
    case MTR_SIM_ADC_SYNTH:
        synth_frame(adc, index, frame);
        break;
    case MTR_SIM_ADC_FILE:
        memcpy(frame, adc->frames + (size_t)(index % adc->nframes) * MTR_ADC_CHANNELS,
               MTR_ADC_CHANNELS * sizeof frame[0]);
        break;
    default:
        memset(frame, 0, MTR_ADC_CHANNELS * sizeof frame[0]);
        break;
    }
}

uint32_t mtr_sim_adc_rate(const struct mtr_sim_adc *adc)
{
    assert(adc != NULL);
    return adc->rate_hz;
}

uint8_t mtr_sim_adc_bits(const struct mtr_sim_adc *adc)
{
    assert(adc != NULL);
    return adc->bits;
}

size_t mtr_sim_adc_file_frames(const struct mtr_sim_adc *adc)
{
    assert(adc != NULL);
    return adc->source == MTR_SIM_ADC_FILE ? adc->nframes : 0;
}

void mtr_sim_adc_free(struct mtr_sim_adc *adc)
{
    if (adc == NULL)
        return;
    free(adc->frames);
    memset(adc, 0, sizeof *adc);
    adc->frames = NULL;
}

/* =============================================================== parser */

/* Bytes not yet read, the current line number and the first error's reason. */
struct reader {
    const uint8_t *p;
    const uint8_t *end;
    size_t line;
    const char *why;
};

/* A part of one line, [s, e). */
struct span {
    const uint8_t *s;
    const uint8_t *e;
};

struct header {
    uint32_t rate_hz;
    uint8_t bits;
};

static mtr_err_t fail(struct reader *r, const char *why)
{
    r->why = why;
    return MTR_ERR_DECODE;
}

/* Next line without its terminator and comment; MTR_ERR_EMPTY at the end of the data. */
static mtr_err_t take_line(struct reader *r, struct span *line)
{
    const size_t left = (size_t)(r->end - r->p);
    const size_t scan = left < MTR_SIM_SAMPLES_LINE_MAX + 2u ? left : MTR_SIM_SAMPLES_LINE_MAX + 2u;
    const uint8_t *nl;
    const uint8_t *e;
    const uint8_t *hash;

    if (left == 0)
        return MTR_ERR_EMPTY;
    r->line++;
    nl = memchr(r->p, '\n', scan);
    if (nl == NULL)
        return fail(r, scan < left || left > MTR_SIM_SAMPLES_LINE_MAX ? "line too long"
                                                                       : "line has no terminator");
    e = nl;
    if (e > r->p && e[-1] == '\r')
        e--;
    if ((size_t)(e - r->p) > MTR_SIM_SAMPLES_LINE_MAX)
        return fail(r, "line too long");
    hash = memchr(r->p, '#', (size_t)(e - r->p));
    line->s = r->p;
    line->e = hash != NULL ? hash : e;
    r->p = nl + 1;
    return MTR_OK;
}

static bool is_blank(uint8_t c)
{
    return c == ' ' || c == '\t';
}

static bool is_digit(uint8_t c)
{
    return c >= '0' && c <= '9';
}

/* Skip blanks; true if there were any. */
static bool skip_blanks(struct span *t)
{
    const uint8_t *s = t->s;

    while (t->s < t->e && is_blank(*t->s))
        t->s++;
    return t->s != s;
}

static bool rest_blank(struct span t)
{
    skip_blanks(&t);
    return t.s == t.e;
}

/* Take the literal @lit if the span starts with it. */
static bool take_lit(struct span *t, const char *lit)
{
    const size_t n = strlen(lit);

    if ((size_t)(t->e - t->s) < n || memcmp(t->s, lit, n) != 0)
        return false;
    t->s += n;
    return true;
}

/* Unsigned decimal number of at most UINT32_MAX. */
static mtr_err_t take_uint(struct reader *r, struct span *t, uint32_t *v)
{
    uint64_t acc = 0;

    if (t->s == t->e || !is_digit(*t->s))
        return fail(r, "expected an unsigned decimal number");
    while (t->s < t->e && is_digit(*t->s)) {
        acc = acc * 10u + (uint64_t)(*t->s++ - '0');
        if (acc > UINT32_MAX)
            return fail(r, "number too large");
    }
    *v = (uint32_t)acc;
    return MTR_OK;
}

/* Signed decimal sample value within the code range of @bits. */
static mtr_err_t take_sample(struct reader *r, struct span *t, uint8_t bits, int32_t *v)
{
    const bool neg = t->s < t->e && *t->s == '-';
    int64_t acc = 0;

    if (t->s < t->e && (*t->s == '-' || *t->s == '+'))
        t->s++;
    if (t->s == t->e || !is_digit(*t->s))
        return fail(r, "expected a decimal integer");
    while (t->s < t->e && is_digit(*t->s)) {
        acc = acc * 10 + (int64_t)(*t->s++ - '0');
        if (acc > INT32_MAX)
            return fail(r, "value overflows");
    }
    acc = neg ? -acc : acc;
    if (acc < code_min(bits) || acc > code_max(bits))
        return fail(r, "value does not fit the declared bits");
    *v = (int32_t)acc;
    return MTR_OK;
}

#define HEADER_FORM "expected header 'mtr-samples 1 rate=<hz> bits=<n>'"

/* Blanks, then @key and an unsigned number. */
static mtr_err_t take_field(struct reader *r, struct span *t, const char *key, uint32_t *v)
{
    if (!skip_blanks(t) || !take_lit(t, key))
        return fail(r, HEADER_FORM);
    return take_uint(r, t, v);
}

/* `mtr-samples 1 rate=<hz> bits=<n>` */
static mtr_err_t parse_header(struct reader *r, struct span t, struct header *h)
{
    uint32_t version;
    uint32_t rate;
    uint32_t bits;
    mtr_err_t err;

    if (!take_lit(&t, "mtr-samples"))
        return fail(r, HEADER_FORM);
    err = take_field(r, &t, "", &version);
    if (err != MTR_OK)
        return err;
    if (version != 1)
        return fail(r, "unsupported sample file version");
    err = take_field(r, &t, "rate=", &rate);
    if (err != MTR_OK)
        return err;
    if (rate < MTR_SIM_RATE_MIN || rate > MTR_SIM_RATE_MAX)
        return fail(r, "rate out of range 1..100000");
    err = take_field(r, &t, "bits=", &bits);
    if (err != MTR_OK)
        return err;
    if (bits < MTR_SIM_BITS_MIN || bits > MTR_SIM_BITS_MAX)
        return fail(r, "bits out of range 12..24");
    if (!rest_blank(t))
        return fail(r, "unexpected text after the header");
    h->rate_hz = rate;
    h->bits = (uint8_t)bits;
    return MTR_OK;
}

/* Between two values: blanks, or one comma with optional blanks around it. */
static mtr_err_t take_separator(struct reader *r, struct span *t)
{
    bool any = skip_blanks(t);

    if (t->s < t->e && *t->s == ',') {
        t->s++;
        skip_blanks(t);
        any = true;
    }
    if (t->s == t->e)
        return fail(r, "too few values (a frame has 7)");
    return any ? MTR_OK : fail(r, "unexpected character after a value");
}

static mtr_err_t parse_frame(struct reader *r, struct span t, uint8_t bits,
                             int32_t frame[MTR_ADC_CHANNELS])
{
    mtr_err_t err = MTR_OK;

    skip_blanks(&t);
    for (unsigned ch = 0; ch < MTR_ADC_CHANNELS && err == MTR_OK; ch++) {
        if (ch > 0)
            err = take_separator(r, &t);
        if (err == MTR_OK)
            err = take_sample(r, &t, bits, &frame[ch]);
    }
    if (err == MTR_OK && !rest_blank(t))
        return fail(r, "more than 7 values or stray text");
    return err;
}

static mtr_err_t finish(struct reader *r, size_t count)
{
    if (count == 0)
        return fail(r, "no frames before 'end'");
    if (r->p != r->end) {
        r->line++;
        return fail(r, "data after the 'end' line");
    }
    return MTR_OK;
}

/* What the parser has seen so far; frames go to out (NULL: only count them). */
struct parse_state {
    struct header h;
    bool have_header;
    bool done;
    size_t count;
    int32_t *out;
    size_t cap;
};

/* A line after the header: a frame or `end`. */
static mtr_err_t parse_body_line(struct reader *r, struct span t, struct parse_state *st)
{
    int32_t scratch[MTR_ADC_CHANNELS];
    int32_t *dst = scratch;
    mtr_err_t err;

    if (take_lit(&t, "end")) {
        st->done = true;
        return rest_blank(t) ? MTR_OK : fail(r, "unexpected text after 'end'");
    }
    if (st->out != NULL) {
        if (st->count >= st->cap)
            return fail(r, "more frames than counted");
        dst = st->out + st->count * MTR_ADC_CHANNELS;
    }
    err = parse_frame(r, t, st->h.bits, dst);
    if (err == MTR_OK)
        st->count++;
    return err;
}

static mtr_err_t parse(struct reader *r, struct parse_state *st)
{
    struct span t;
    mtr_err_t err;

    while (!st->done) {
        err = take_line(r, &t);
        if (err == MTR_ERR_EMPTY) {
            r->line++;
            return fail(r, st->have_header ? "missing 'end' line" : "missing header");
        }
        if (err != MTR_OK)
            return err;
        skip_blanks(&t);
        if (t.s == t.e)
            continue;
        if (st->have_header) {
            err = parse_body_line(r, t, st);
        } else {
            err = parse_header(r, t, &st->h);
            st->have_header = true;
        }
        if (err != MTR_OK)
            return err;
    }
    return finish(r, st->count);
}

/* ================================================================ loading */

static void set_diag(struct mtr_sim_samples_diag *diag, size_t line, const char *reason)
{
    if (diag != NULL) {
        diag->line = line;
        diag->reason = reason;
    }
}

/* One pass over the file, storing up to @cap frames in @out (NULL: only count). */
static mtr_err_t parse_pass(const uint8_t *data, size_t len, int32_t *out, size_t cap,
                            struct reader *r, struct parse_state *st)
{
    *r = (struct reader){data, data + len, 0, NULL};
    *st = (struct parse_state){.out = out, .cap = cap};
    return parse(r, st);
}

static mtr_err_t alloc_frames(size_t count, int32_t **frames)
{
    if (count > SIZE_MAX / (MTR_ADC_CHANNELS * sizeof(int32_t)))
        return MTR_ERR_FULL;
    *frames = malloc(count * MTR_ADC_CHANNELS * sizeof(int32_t));
    return *frames != NULL ? MTR_OK : MTR_ERR_FULL;
}

/* Check the file, then decode it into a new array of exactly its frames. */
static mtr_err_t decode(const uint8_t *data, size_t len, struct mtr_sim_adc *out,
                        struct mtr_sim_samples_diag *diag)
{
    struct reader r;
    struct parse_state st;
    int32_t *frames = NULL;
    mtr_err_t err = parse_pass(data, len, NULL, 0, &r, &st);

    if (err == MTR_OK)
        err = alloc_frames(st.count, &frames);
    if (err == MTR_OK)
        err = parse_pass(data, len, frames, st.count, &r, &st);
    if (err != MTR_OK) {
        free(frames);
        if (err == MTR_ERR_DECODE)
            set_diag(diag, r.line, r.why);
        else
            set_diag(diag, 0, "out of memory");
        return err;
    }
    out->source = MTR_SIM_ADC_FILE;
    out->rate_hz = st.h.rate_hz;
    out->bits = st.h.bits;
    out->frames = frames;
    out->nframes = st.count;
    return MTR_OK;
}

mtr_err_t mtr_sim_adc_load_diag(struct mtr_sim_adc *adc, const uint8_t *data, size_t len,
                                struct mtr_sim_samples_diag *diag)
{
    static const uint8_t none[1] = {0};
    struct mtr_sim_adc tmp = {0};
    mtr_err_t err;

    set_diag(diag, 0, NULL);
    if (adc == NULL || (data == NULL && len > 0)) {
        set_diag(diag, 0, "invalid argument");
        return MTR_ERR_INVAL;
    }
    err = decode(data != NULL ? data : none, len, &tmp, diag);
    if (err == MTR_OK)
        *adc = tmp;
    return err;
}

mtr_err_t mtr_sim_adc_load(struct mtr_sim_adc *adc, const uint8_t *data, size_t len)
{
    return mtr_sim_adc_load_diag(adc, data, len, NULL);
}

static mtr_err_t open_error(void)
{
#ifdef ENOENT
    if (errno == ENOENT)
        return MTR_ERR_NOENT;
#endif
    return MTR_ERR_IO;
}

/* Grow @buf towards MTR_SIM_SAMPLES_FILE_MAX + 1 bytes, one more than may be read. */
static mtr_err_t grow(uint8_t **buf, size_t *cap)
{
    const size_t limit = (size_t)MTR_SIM_SAMPLES_FILE_MAX + 1u;
    size_t want = *cap == 0 ? 65536u : *cap * 2u;
    uint8_t *p;

    if (want > limit)
        want = limit;
    p = realloc(*buf, want);
    if (p == NULL)
        return MTR_ERR_FULL;
    *buf = p;
    *cap = want;
    return MTR_OK;
}

/* The whole of @f, at most MTR_SIM_SAMPLES_FILE_MAX bytes, in a malloc'd buffer. */
static mtr_err_t read_all(FILE *f, uint8_t **buf, size_t *len)
{
    size_t cap = 0;
    size_t n = 0;
    mtr_err_t err = MTR_OK;

    *buf = NULL;
    for (;;) {
        size_t want;
        size_t got;

        if (n == cap && (err = grow(buf, &cap)) != MTR_OK)
            break;
        want = cap - n;
        got = fread(*buf + n, 1, want, f);
        n += got;
        if (n > MTR_SIM_SAMPLES_FILE_MAX) {
            err = MTR_ERR_RANGE;
            break;
        }
        if (got < want) {
            err = ferror(f) ? MTR_ERR_IO : MTR_OK;
            break;
        }
    }
    if (err != MTR_OK) {
        free(*buf);
        *buf = NULL;
    }
    *len = n;
    return err;
}

mtr_err_t mtr_sim_adc_load_file_diag(struct mtr_sim_adc *adc, const char *path,
                                     struct mtr_sim_samples_diag *diag)
{
    uint8_t *data;
    size_t len;
    mtr_err_t err;
    FILE *f;

    set_diag(diag, 0, NULL);
    if (adc == NULL || path == NULL) {
        set_diag(diag, 0, "invalid argument");
        return MTR_ERR_INVAL;
    }
    f = fopen(path, "rb");
    if (f == NULL) {
        err = open_error();
        set_diag(diag, 0, err == MTR_ERR_NOENT ? "no such file" : "cannot open the file");
        return err;
    }
    err = read_all(f, &data, &len);
    fclose(f);
    if (err != MTR_OK) {
        set_diag(diag, 0, err == MTR_ERR_RANGE ? "file larger than 64 MiB" : "cannot read the file");
        return err;
    }
    err = mtr_sim_adc_load_diag(adc, data, len, diag);
    free(data);
    return err;
}

mtr_err_t mtr_sim_adc_load_file(struct mtr_sim_adc *adc, const char *path)
{
    return mtr_sim_adc_load_file_diag(adc, path, NULL);
}

/* ================================================================ writing */

static bool write_frame(const struct mtr_sim_adc *adc, FILE *f, uint64_t index)
{
    int32_t frame[MTR_ADC_CHANNELS];

    mtr_sim_adc_frame(adc, index, frame);
    for (unsigned ch = 0; ch < MTR_ADC_CHANNELS; ch++) {
        if (fprintf(f, "%s%" PRId32, ch == 0 ? "" : " ", frame[ch]) < 0)
            return false;
    }
    return fputc('\n', f) != EOF;
}

mtr_err_t mtr_sim_adc_write_file(const struct mtr_sim_adc *adc, const char *path, uint64_t first,
                                 uint64_t count)
{
    bool ok;
    FILE *f;

    if (adc == NULL || path == NULL || count == 0)
        return MTR_ERR_INVAL;
    if (adc->source == MTR_SIM_ADC_EMPTY)
        return MTR_ERR_STATE;
    if (count - 1u > UINT64_MAX - first)
        return MTR_ERR_RANGE;
    f = fopen(path, "wb");
    if (f == NULL)
        return open_error();
    ok = fprintf(f, "mtr-samples 1 rate=%" PRIu32 " bits=%u\n", adc->rate_hz,
                 (unsigned)adc->bits) > 0;
    for (uint64_t k = 0; ok && k < count; k++)
        ok = write_frame(adc, f, first + k);
    ok = ok && fputs("end\n", f) != EOF;
    ok = fclose(f) == 0 && ok;
    if (!ok) {
        remove(path);
        return MTR_ERR_IO;
    }
    return MTR_OK;
}
