/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Rendering for an 8-digit 7-segment display: values (fixed-point, own
 * digit output, no library formatting), display codes and whole screens.
 */
#include "dp_priv.h"

#include <string.h>

#define CELLS   MTR_DISPLAY_DIGITS
#define NUM_MAX 99999999u /* largest 8-digit number */

/* clang-format off */
static const uint64_t pow10_tab[20] = {
    1u, 10u, 100u, 1000u, 10000u, 100000u, 1000000u, 10000000u, 100000000u,
    1000000000u, 10000000000u, 100000000000u, 1000000000000u, 10000000000000u,
    100000000000000u, 1000000000000000u, 10000000000000000u, 100000000000000000u,
    1000000000000000000u, 10000000000000000000u,
};
/* clang-format on */

uint8_t mtr_display_category_of(uint8_t unit)
{
    switch (unit) { /* Blue Book unit enumeration */
    case MTR_DISPLAY_UNIT_WH:
    case MTR_DISPLAY_UNIT_VARH:
    case MTR_DISPLAY_UNIT_VAH:
        return MTR_DISPLAY_CAT_ENERGY;
    case MTR_DISPLAY_UNIT_W:
    case MTR_DISPLAY_UNIT_VAR:
    case MTR_DISPLAY_UNIT_VA:
        return MTR_DISPLAY_CAT_POWER;
    case MTR_DISPLAY_UNIT_V:
        return MTR_DISPLAY_CAT_VOLTAGE;
    case MTR_DISPLAY_UNIT_A:
        return MTR_DISPLAY_CAT_CURRENT;
    default:
        return MTR_DISPLAY_CAT_OTHER;
    }
}

static unsigned ndigits(uint64_t n)
{
    unsigned k = 1;
    while (n >= 10u) {
        n /= 10u;
        k++;
    }
    return k;
}

/*
 * |v| x 10^e as an integer: truncated toward zero, or rounded half away
 * from zero. false when it exceeds NUM_MAX.
 */
static bool scale(uint64_t mag, int e, bool truncate, uint64_t *out)
{
    if (e >= 0) {
        if (mag == 0) {
            *out = 0;
            return true;
        }
        if (e > 8 || mag > NUM_MAX / pow10_tab[e]) {
            return false;
        }
        *out = mag * pow10_tab[e];
        return true;
    }
    if (-e > 19) {
        *out = 0; /* |v| < 2^64 < 10^20 / 2: rounds to 0 as well */
        return true;
    }
    uint64_t p = pow10_tab[-e];
    uint64_t q = mag / p;
    if (!truncate && mag % p >= p / 2u) {
        q++; /* p is even: the remainder is at least one half */
    }
    *out = q;
    return q <= NUM_MAX;
}

/* Right-align @p n with @p dec decimals (at least dec + 1 digits) and an
 * optional sign into 8 cells. The caller checked that it fits. */
static void put_number(char *text, bool neg, uint64_t n, unsigned dec)
{
    char tmp[MTR_DISPLAY_TEXT_SIZE];
    unsigned len = 0, cells = 0, digits = 0;

    do {
        if (dec > 0 && digits == dec) {
            tmp[len++] = '.';
        }
        tmp[len++] = (char)('0' + n % 10u);
        n /= 10u;
        digits++;
        cells++;
    } while (n > 0 || digits <= dec);
    if (neg) {
        tmp[len++] = '-';
        cells++;
    }
    while (cells < CELLS) {
        tmp[len++] = ' ';
        cells++;
    }
    for (unsigned i = 0; i < len; i++) {
        text[i] = tmp[len - 1u - i];
    }
    text[len] = '\0';
}

static void put_text(char *text, const char *s)
{
    size_t n = strlen(s);
    memcpy(text, s, n + 1u);
}

static void put_two(char *p, unsigned v)
{
    p[0] = (char)('0' + v / 10u);
    p[1] = (char)('0' + v % 10u);
}

static mtr_err_t format_number(const struct mtr_display_decimals *dec,
                               const struct mtr_display_value *v, char *text)
{
    uint8_t cat = mtr_display_category_of(v->unit);
    bool neg = v->value < 0;
    uint64_t mag = neg ? (uint64_t)(-(v->value + 1)) + 1u : (uint64_t)v->value;
    int shift = 0;
    unsigned d;

    switch (cat) {
    case MTR_DISPLAY_CAT_ENERGY:
        d = dec->energy;
        shift = -3; /* kWh, kvarh, kVAh */
        break;
    case MTR_DISPLAY_CAT_POWER:
        d = dec->power;
        shift = -3; /* kW, kvar, kVA */
        break;
    case MTR_DISPLAY_CAT_VOLTAGE:
        d = dec->voltage;
        break;
    case MTR_DISPLAY_CAT_CURRENT:
        d = dec->current;
        break;
    default:
        d = v->scaler < 0 ? (unsigned)(-v->scaler) : 0u;
        d = d > CELLS - 1u ? CELLS - 1u : d;
        break;
    }
    for (;;) {
        uint64_t n = 0;
        bool ok = scale(mag, (int)v->scaler + shift + (int)d, cat == MTR_DISPLAY_CAT_ENERGY, &n);
        bool sign = neg && n != 0;
        unsigned need = ndigits(n);
        need = need < d + 1u ? d + 1u : need;
        if (ok && need + (sign ? 1u : 0u) <= CELLS) {
            put_number(text, sign, n, d);
            return MTR_OK;
        }
        if (cat != MTR_DISPLAY_CAT_OTHER || d == 0) {
            put_text(text, "--------");
            return MTR_ERR_OVERFLOW;
        }
        d--; /* other units: give up a decimal to make room */
    }
}

mtr_err_t mtr_display_format(const struct mtr_display_decimals *dec,
                             const struct mtr_display_value *v, char text[MTR_DISPLAY_TEXT_SIZE])
{
    static const char hex[] = "0123456789AbCdEF"; /* 7-segment forms */

    MTR_ASSERT(dec != NULL && v != NULL && text != NULL);
    switch (v->format) {
    case MTR_DISPLAY_FMT_NUMBER:
        if (dec->energy > MTR_DISPLAY_DECIMALS_MAX || dec->power > MTR_DISPLAY_DECIMALS_MAX ||
            dec->voltage > MTR_DISPLAY_DECIMALS_MAX || dec->current > MTR_DISPLAY_DECIMALS_MAX) {
            break;
        }
        return format_number(dec, v, text);
    case MTR_DISPLAY_FMT_TIME:
        if (v->value >= 0 && v->value < 86400) {
            unsigned s = (unsigned)v->value;
            put_text(text, "hh-mm-ss");
            put_two(text, s / 3600u);
            put_two(text + 3, s / 60u % 60u);
            put_two(text + 6, s % 60u);
            return MTR_OK;
        }
        break;
    case MTR_DISPLAY_FMT_DATE: {
        int64_t y = v->value / 10000, m = v->value / 100 % 100, dd = v->value % 100;
        if (y >= 2000 && y <= 2099 && m >= 1 && m <= 12 && dd >= 1 && dd <= 31) {
            put_text(text, "dd-mm-yy");
            put_two(text, (unsigned)dd);
            put_two(text + 3, (unsigned)m);
            put_two(text + 6, (unsigned)(y - 2000));
            return MTR_OK;
        }
        break;
    }
    case MTR_DISPLAY_FMT_HEX:
        if (v->value >= 0 && v->value <= 0xFFFFFFFF) {
            uint32_t x = (uint32_t)v->value;
            for (unsigned i = 0; i < 8u; i++) {
                text[7u - i] = hex[x & 0xFu];
                x >>= 4;
            }
            text[8] = '\0';
            return MTR_OK;
        }
        break;
    default:
        break;
    }
    put_text(text, "Err     ");
    return MTR_ERR_DISPLAY_VALUE;
}

/* Decimal digits of @p v at @p p; returns the characters written. */
static unsigned put_u8(char *p, uint8_t v)
{
    char tmp[3];
    unsigned n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v > 0);
    for (unsigned i = 0; i < n; i++) {
        p[i] = tmp[n - 1u - i];
    }
    return n;
}

void mtr_display_code(const uint8_t ln[6], char code[MTR_DISPLAY_CODE_SIZE])
{
    unsigned n = 0;

    MTR_ASSERT(ln != NULL && code != NULL);
    /* IEC 62056-6-1 reduced ID code: C.D.E, A and B left out, F only when
     * it is not the "not used" value 255 */
    n += put_u8(code + n, ln[2]);
    code[n++] = '.';
    n += put_u8(code + n, ln[3]);
    code[n++] = '.';
    n += put_u8(code + n, ln[4]);
    if (ln[5] != 255u) {
        code[n++] = '.';
        n += put_u8(code + n, ln[5]);
    }
    code[n] = '\0';
}

/* "Err" and the last four digits of |err| right-aligned in 5 cells. */
static void put_error(char *text, mtr_err_t err)
{
    uint32_t m = err < 0 ? (uint32_t)(-(err + 1)) + 1u : (uint32_t)err;
    put_text(text, "Err     ");
    m %= 10000u;
    for (unsigned i = 7; i >= 4u; i--) {
        text[i] = (char)('0' + m % 10u);
        m /= 10u;
        if (m == 0) {
            break;
        }
    }
}

mtr_err_t mtr_display_render(const struct mtr_display *d, struct mtr_display_screen *out)
{
    struct mtr_display_state st;
    struct mtr_display_value v;
    mtr_err_t err;

    MTR_ASSERT(d != NULL && out != NULL);
    memset(out, 0, sizeof *out);
    out->mode = d->mode;
    out->unit = MTR_DISPLAY_UNIT_NONE;
    if (d->mode == MTR_DISPLAY_TEST) {
        out->all_segments = true;
        put_text(out->text, "8.8.8.8.8.8.8.8.");
        return MTR_OK;
    }
    mtr_display_state(d, &st);
    if (!st.shown) {
        put_text(out->text, "        ");
        return MTR_OK;
    }
    mtr_display_code(st.item.ln, out->code);
    if (d->cfg->value == NULL) {
        put_error(out->text, MTR_ERR_NOTSUP);
        return MTR_ERR_NOTSUP;
    }
    memset(&v, 0, sizeof v);
    err = d->cfg->value(d->cfg->user, &st.item, &v);
    if (err != MTR_OK) {
        put_error(out->text, err);
        return err;
    }
    err = mtr_display_format(&d->dec, &v, out->text);
    if (err != MTR_ERR_DISPLAY_VALUE) {
        uint8_t cat = mtr_display_category_of(v.unit);
        out->unit = v.format == MTR_DISPLAY_FMT_NUMBER ? v.unit : MTR_DISPLAY_UNIT_NONE;
        out->kilo = v.format == MTR_DISPLAY_FMT_NUMBER &&
                    (cat == MTR_DISPLAY_CAT_ENERGY || cat == MTR_DISPLAY_CAT_POWER);
    }
    return err;
}
