/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Rendering: a table of values (energy truncated, the rest rounded half
 * away from zero, negative values, positive and negative scalers,
 * overflow, every unit category, 0 decimals), each also checked against an
 * independent model that works on the decimal string of the value; a
 * pseudo-random sweep against the same model; time, date and hex formats;
 * display codes; and whole screens with the value source (code, text,
 * unit, callback error).
 */
#include "dp_fixture.h"

#include <inttypes.h>
#include <stdint.h>

TestSuite(dp_render, .init = fx_init);

/* ------------------------------------------------ the independent model */

static int model_category(uint8_t unit)
{
    switch (unit) {
    case 30: case 31: case 32: return 0; /* Wh VAh varh */
    case 27: case 28: case 29: return 1; /* W VA var */
    case 35: return 2;                   /* V */
    case 33: return 3;                   /* A */
    default: return 4;
    }
}

/* Add one to the decimal digit string @p s in place (it has room for one more digit). */
static void str_inc(char *s)
{
    size_t n = strlen(s);
    for (size_t i = n; i-- > 0;) {
        if (s[i] != '9') {
            s[i]++;
            return;
        }
        s[i] = '0';
    }
    memmove(s + 1, s, n + 1);
    s[0] = '1';
}

/* Try @p d decimals; false when it needs more than 8 cells. */
static int model_try(const char *intpart, const char *frac, int neg, int d, int trunc, char *out)
{
    char digits[512];
    size_t il = strlen(intpart), fl = strlen(frac);

    snprintf(digits, sizeof digits, "%s", intpart);
    for (int i = 0; i < d; i++) {
        char c = (size_t)i < fl ? frac[i] : '0';
        size_t l = strlen(digits);
        digits[l] = c;
        digits[l + 1] = '\0';
    }
    if (!trunc && (size_t)d < fl && frac[d] >= '5') {
        str_inc(digits);
    }
    /* strip leading zeros but keep d + 1 digits */
    size_t l = strlen(digits);
    size_t skip = 0;
    while (l - skip > (size_t)d + 1 && digits[skip] == '0') {
        skip++;
    }
    const char *dg = digits + skip;
    l = strlen(dg);
    int zero = 1;
    for (size_t i = 0; i < l; i++) {
        zero &= dg[i] == '0';
    }
    int sign = neg && !zero;
    if ((int)l + sign > 8) {
        return 0;
    }
    char body[600];
    size_t k = 0;
    if (sign) {
        body[k++] = '-';
    }
    for (size_t i = 0; i < l; i++) {
        if (d > 0 && i == l - (size_t)d) {
            body[k++] = '.';
        }
        body[k++] = dg[i];
    }
    body[k] = '\0';
    int cells = (int)l + sign;
    snprintf(out, 32, "%*s%s", 8 - cells, "", body);
    (void)il;
    return 1;
}

static void model(const struct mtr_display_decimals *dec, int64_t value, int scaler,
                  uint8_t unit, char *out)
{
    char mag[32], intpart[400], frac[400];
    int neg = value < 0;
    uint64_t m = neg ? (uint64_t)0 - (uint64_t)value : (uint64_t)value;
    int cat = model_category(unit);
    int e = scaler, d;

    snprintf(mag, sizeof mag, "%" PRIu64, m);
    switch (cat) {
    case 0: d = dec->energy; e -= 3; break;
    case 1: d = dec->power; e -= 3; break;
    case 2: d = dec->voltage; break;
    case 3: d = dec->current; break;
    default: d = scaler < 0 ? (-scaler > 7 ? 7 : -scaler) : 0; break;
    }
    if (e >= 0) {
        size_t l = strlen(mag);
        memcpy(intpart, mag, l);
        memset(intpart + l, '0', (size_t)e);
        intpart[l + (size_t)e] = '\0';
        frac[0] = '\0';
    } else {
        size_t k = (size_t)-e, l = strlen(mag);
        char padded[400];
        size_t pad = l < k + 1 ? k + 1 - l : 0;
        memset(padded, '0', pad);
        memcpy(padded + pad, mag, l + 1);
        l += pad;
        memcpy(intpart, padded, l - k);
        intpart[l - k] = '\0';
        snprintf(frac, sizeof frac, "%s", padded + l - k);
    }
    for (;;) {
        if (model_try(intpart, frac, neg, d, cat == 0, out)) {
            return;
        }
        if (cat != 4 || d == 0) {
            snprintf(out, 32, "--------");
            return;
        }
        d--;
    }
}

/* --------------------------------------------------------------- tables */

/* @p body right-aligned in 8 cells (a '.' takes no cell). */
static const char *pad8(const char *body)
{
    static char out[4][32];
    static int slot;
    int cells = 0;
    char *o = out[slot++ % 4];
    for (const char *p = body; *p; p++) {
        cells += *p != '.';
    }
    snprintf(o, 32, "%*s%s", 8 - cells, "", body);
    return o;
}

struct row {
    int64_t value;
    int8_t scaler;
    uint8_t unit;
    const char *want;
};

static const struct mtr_display_decimals DEC = {2, 2, 1, 2};

static const struct row rows[] = {
    /* energy in kWh, 2 decimals, truncated */
    {123456789, 0, 30, "123456.78"},
    {999, 0, 30, "0.99"},
    {999999999, 0, 30, "999999.99"},
    {1000000000, 0, 30, "--------"},     /* 1 000 000.00 kWh: 9 cells */
    {-1239, 0, 30, "-1.23"},          /* toward zero */
    {-9, 0, 30, "0.00"},             /* no "-0" */
    {12, 3, 30, "12.00"},             /* positive scaler */
    {123456789, -3, 32, "123.45"},    /* varh, 123.456789 kvarh */
    {5, 6, 31, "5000.00"},              /* VAh, scaler 6 */
    {INT64_MAX, 0, 30, "--------"},
    {INT64_MIN, -30, 30, "0.00"},
    /* power in kW, 2 decimals, rounded half away from zero */
    {1235, 0, 27, "1.24"},
    {1234, 0, 27, "1.23"},
    {-1235, 0, 27, "-1.24"},
    {-1234, 0, 29, "-1.23"},
    {1234567, -3, 28, "1.23"},
    {-99999994, -3, 27, "-100.00"},
    {-99999995, 0, 27, "--------"},      /* -100000.00 kW: 9 cells */
    {-99999994, 0, 27, "-99999.99"},
    {-4, 0, 27, "0.00"},
    {-5, 0, 27, "-0.01"},
    /* voltage, 1 decimal */
    {230049, -3, 35, "230.0"},
    {230050, -3, 35, "230.1"},
    {-230050, -3, 35, "-230.1"},
    {23, 1, 35, "230.0"},
    /* current, 2 decimals */
    {5, -3, 33, "0.01"},
    {4, -3, 33, "0.00"},
    {-4, -3, 33, "0.00"},
    {123456, -3, 33, "123.46"},
    /* other units: the scaler's decimals, fewer when they do not fit */
    {50012, -3, 44, "50.012"},
    {500123456789, -10, 44, "50.012346"},
    {5, 2, 255, "500"},
    {123456789, 0, 255, "--------"},
    {99999999, 0, 255, "99999999"},
    {-9999999, 0, 255, "-9999999"},
    {-10000000, 0, 255, "--------"},
    {3600, 0, 7, "3600"},
    {-123456789, -2, 56, "-1234568"},    /* %: decimals given up, rounded */
    {12345, -1, 9, "1234.5"},          /* degree Celsius */
    {1, -9, 255, "0.0000000"},           /* 7 decimals at most: 0.000000001 rounds to 0 */
    {5, -8, 255, "0.0000001"},
    {0, 100, 255, "0"},
    {1, 100, 255, "--------"},
};

static void check_row(const struct mtr_display_decimals *dec, const struct row *r)
{
    char text[MTR_DISPLAY_TEXT_SIZE], ref[32];
    struct mtr_display_value v = {r->value, r->scaler, r->unit, MTR_DISPLAY_FMT_NUMBER};
    mtr_err_t err = mtr_display_format(dec, &v, text);

    const char *want = pad8(r->want);

    model(dec, r->value, r->scaler, r->unit, ref);
    cr_assert_str_eq(ref, want, "model %" PRId64 " e%d u%u: [%s]", r->value, r->scaler,
                     r->unit, ref);
    cr_assert_str_eq(text, want, "%" PRId64 " e%d u%u: [%s], want [%s]", r->value,
                     r->scaler, r->unit, text, want);
    cr_assert_eq(err, strcmp(r->want, "--------") == 0 ? MTR_ERR_OVERFLOW : MTR_OK);
}

Test(dp_render, table)
{
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        check_row(&DEC, &rows[i]);
    }
}

Test(dp_render, zero_decimals_and_seven)
{
    static const struct mtr_display_decimals z = {0, 0, 0, 0};
    static const struct row zr[] = {
        {123456, 0, 30, "123"},   /* 123.456 kWh truncated */
        {123999, 0, 30, "123"},
        {123500, 0, 27, "124"},   /* 123.5 kW rounded */
        {-123500, 0, 27, "-124"},
        {229500, -3, 35, "230"},
        {499, -3, 33, "0"},
        {-500, -3, 33, "-1"},
        {99999999999, 0, 30, "99999999"},
        {100000000000, 0, 30, "--------"},
    };
    for (size_t i = 0; i < sizeof zr / sizeof zr[0]; i++) {
        check_row(&z, &zr[i]);
    }
    static const struct mtr_display_decimals seven = {7, 7, 7, 7};
    static const struct row sr[] = {
        {1, 0, 30, "0.0010000"},
        {-1, 0, 27, "--------"},       /* -0.0010000 needs 9 cells */
        {12345678, -7, 35, "1.2345678"},
        {123456789, -8, 33, "1.2345679"},
    };
    for (size_t i = 0; i < sizeof sr / sizeof sr[0]; i++) {
        check_row(&seven, &sr[i]);
    }
}

/* Pseudo-random values, scalers and units against the model. */
Test(dp_render, sweep_against_model)
{
    static const uint8_t units[] = {30, 31, 32, 27, 28, 29, 35, 33, 44, 7, 255, 56};
    uint64_t x = 88172645463325252u;
    char text[MTR_DISPLAY_TEXT_SIZE], ref[32];
    unsigned checked = 0;

    for (int i = 0; i < 200000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        struct mtr_display_decimals dec = {(uint8_t)(x % 8), (uint8_t)(x / 8 % 8),
                                           (uint8_t)(x / 64 % 8), (uint8_t)(x / 512 % 8)};
        int digits = (int)(x >> 12) % 20;
        int64_t v = (int64_t)((x >> 20) % 1000000007u);
        for (int k = 0; k < digits && v < INT64_MAX / 10; k++) {
            v = v * 10 + (int64_t)(x >> (k % 40) & 7u);
        }
        if (x & (1u << 30)) {
            v = -v;
        }
        int scaler = (int)((x >> 44) % 40) - 25;
        uint8_t unit = units[(x >> 52) % sizeof units];
        struct mtr_display_value val = {v, (int8_t)scaler, unit, MTR_DISPLAY_FMT_NUMBER};
        mtr_err_t err = mtr_display_format(&dec, &val, text);
        model(&dec, v, scaler, unit, ref);
        cr_assert_str_eq(text, ref, "%" PRId64 " e%d u%u dec %u%u%u%u: [%s] model [%s]", v, scaler,
                         unit, dec.energy, dec.power, dec.voltage, dec.current, text, ref);
        cr_assert_eq(err == MTR_ERR_OVERFLOW, strcmp(ref, "--------") == 0);
        checked++;
    }
    cr_assert_eq(checked, 200000);
}

Test(dp_render, categories)
{
    cr_assert_eq(mtr_display_category_of(30), MTR_DISPLAY_CAT_ENERGY);
    cr_assert_eq(mtr_display_category_of(31), MTR_DISPLAY_CAT_ENERGY);
    cr_assert_eq(mtr_display_category_of(32), MTR_DISPLAY_CAT_ENERGY);
    cr_assert_eq(mtr_display_category_of(27), MTR_DISPLAY_CAT_POWER);
    cr_assert_eq(mtr_display_category_of(28), MTR_DISPLAY_CAT_POWER);
    cr_assert_eq(mtr_display_category_of(29), MTR_DISPLAY_CAT_POWER);
    cr_assert_eq(mtr_display_category_of(35), MTR_DISPLAY_CAT_VOLTAGE);
    cr_assert_eq(mtr_display_category_of(33), MTR_DISPLAY_CAT_CURRENT);
    cr_assert_eq(mtr_display_category_of(44), MTR_DISPLAY_CAT_OTHER);
    cr_assert_eq(mtr_display_category_of(7), MTR_DISPLAY_CAT_OTHER);
    cr_assert_eq(mtr_display_category_of(255), MTR_DISPLAY_CAT_OTHER);
    cr_assert_eq(mtr_display_category_of(0), MTR_DISPLAY_CAT_OTHER);
}

static void fmt(uint8_t format, int64_t value, const char *want, mtr_err_t want_err)
{
    char text[MTR_DISPLAY_TEXT_SIZE];
    struct mtr_display_value v = {value, 0, 255, format};
    cr_assert_eq(mtr_display_format(&DEC, &v, text), want_err, "%u %" PRId64, format, value);
    cr_assert_str_eq(text, want, "%u %" PRId64 ": [%s]", format, value, text);
}

Test(dp_render, time_date_hex)
{
    fmt(MTR_DISPLAY_FMT_TIME, 12 * 3600 + 34 * 60 + 56, "12-34-56", MTR_OK);
    fmt(MTR_DISPLAY_FMT_TIME, 0, "00-00-00", MTR_OK);
    fmt(MTR_DISPLAY_FMT_TIME, 86399, "23-59-59", MTR_OK);
    fmt(MTR_DISPLAY_FMT_TIME, 86400, "Err     ", MTR_ERR_DISPLAY_VALUE);
    fmt(MTR_DISPLAY_FMT_TIME, -1, "Err     ", MTR_ERR_DISPLAY_VALUE);
    fmt(MTR_DISPLAY_FMT_DATE, 20261123, "23-11-26", MTR_OK);
    fmt(MTR_DISPLAY_FMT_DATE, 20000101, "01-01-00", MTR_OK);
    fmt(MTR_DISPLAY_FMT_DATE, 20991231, "31-12-99", MTR_OK);
    fmt(MTR_DISPLAY_FMT_DATE, 21000101, "Err     ", MTR_ERR_DISPLAY_VALUE);
    fmt(MTR_DISPLAY_FMT_DATE, 20261301, "Err     ", MTR_ERR_DISPLAY_VALUE);
    fmt(MTR_DISPLAY_FMT_DATE, 20261100, "Err     ", MTR_ERR_DISPLAY_VALUE);
    fmt(MTR_DISPLAY_FMT_DATE, 20261132, "Err     ", MTR_ERR_DISPLAY_VALUE);
    fmt(MTR_DISPLAY_FMT_HEX, 0x10, "00000010", MTR_OK);
    fmt(MTR_DISPLAY_FMT_HEX, 0xDEADBEEF, "dEAdbEEF", MTR_OK);
    fmt(MTR_DISPLAY_FMT_HEX, 0xFFFFFFFF, "FFFFFFFF", MTR_OK);
    fmt(MTR_DISPLAY_FMT_HEX, 0x100000000, "Err     ", MTR_ERR_DISPLAY_VALUE);
    fmt(MTR_DISPLAY_FMT_HEX, -1, "Err     ", MTR_ERR_DISPLAY_VALUE);
    fmt(4, 0, "Err     ", MTR_ERR_DISPLAY_VALUE);
    /* decimal places above 7 cannot be shown */
    static const struct mtr_display_decimals bad = {2, 8, 1, 2};
    struct mtr_display_value v = {1, 0, 30, MTR_DISPLAY_FMT_NUMBER};
    char text[MTR_DISPLAY_TEXT_SIZE];
    cr_assert_eq(mtr_display_format(&bad, &v, text), MTR_ERR_DISPLAY_VALUE);
    cr_assert_str_eq(text, "Err     ");
    fmt(255, 0, "Err     ", MTR_ERR_DISPLAY_VALUE);
}

/* ---------------------------------------------------------- display codes */

static void code(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint8_t e, uint8_t f,
                 const char *want)
{
    const uint8_t ln[6] = {a, b, c, d, e, f};
    char out[MTR_DISPLAY_CODE_SIZE];
    memset(out, 'x', sizeof out);
    mtr_display_code(ln, out);
    cr_assert_str_eq(out, want);
}

Test(dp_render, codes)
{
    code(1, 0, 1, 8, 1, 255, "1.8.1");
    code(1, 0, 1, 8, 0, 255, "1.8.0");
    code(0, 0, 96, 1, 0, 255, "96.1.0");
    code(1, 0, 0, 9, 1, 255, "0.9.1");
    code(0, 0, 97, 97, 0, 255, "97.97.0");
    code(1, 0, 32, 7, 0, 255, "32.7.0");
    code(1, 2, 1, 8, 0, 255, "1.8.0"); /* A and B left out */
    code(1, 0, 1, 8, 0, 101, "1.8.0.101");
    code(1, 0, 1, 8, 0, 0, "1.8.0.0");
    code(255, 255, 255, 255, 255, 254, "255.255.255.254");
    code(0, 0, 0, 0, 0, 255, "0.0.0");
}

/* ---------------------------------------------------------------- screens */

Test(dp_render, screen_of_the_entry_shown)
{
    struct mtr_display_screen scr;

    fx.value = (struct mtr_display_value){1234567, 0, 30, MTR_DISPLAY_FMT_NUMBER};
    cr_assert_eq(mtr_display_render(&fx.d, &scr), MTR_OK);
    cr_assert_eq(fx.reads, 1);
    cr_assert_eq(memcmp(&fx.last_item, &fx.general[0], sizeof fx.last_item), 0);
    cr_assert_str_eq(scr.code, "1.8.0");
    cr_assert_str_eq(scr.text, pad8("1234.56"));
    cr_assert_eq(scr.unit, 30);
    cr_assert(scr.kilo);
    cr_assert_not(scr.all_segments);
    cr_assert_eq(scr.mode, MTR_DISPLAY_AUTO);

    cr_assert_eq(mtr_display_poll(&fx.d, T0 + 8000), MTR_OK);
    fx.value = (struct mtr_display_value){230050, -3, 35, MTR_DISPLAY_FMT_NUMBER};
    cr_assert_eq(mtr_display_render(&fx.d, &scr), MTR_OK);
    cr_assert_str_eq(scr.code, "1.8.1");
    cr_assert_str_eq(scr.text, pad8("230.1"));
    cr_assert_eq(scr.unit, 35);
    cr_assert_not(scr.kilo);

    fx.value = (struct mtr_display_value){45296, 0, 255, MTR_DISPLAY_FMT_TIME};
    cr_assert_eq(mtr_display_render(&fx.d, &scr), MTR_OK);
    cr_assert_str_eq(scr.text, "12-34-56");
    cr_assert_eq(scr.unit, 255);

    cr_assert_eq(mtr_display_press(&fx.d, T0 + 8001, MTR_DISPLAY_KEY_NEXT), MTR_OK);
    cr_assert_eq(mtr_display_press(&fx.d, T0 + 8002, MTR_DISPLAY_KEY_NEXT), MTR_OK);
    cr_assert_eq(mtr_display_render(&fx.d, &scr), MTR_OK);
    cr_assert_str_eq(scr.code, "2.8.1");
    cr_assert_eq(scr.mode, MTR_DISPLAY_MANUAL);
}

Test(dp_render, screen_errors)
{
    struct mtr_display_screen scr;

    fx.value_err = MTR_ERR_IO;
    cr_assert_eq(mtr_display_render(&fx.d, &scr), MTR_ERR_IO);
    cr_assert_str_eq(scr.code, "1.8.0");
    cr_assert_str_eq(scr.text, "Err    6");
    fx.value_err = MTR_ERR_DISPLAY_VALUE;
    cr_assert_eq(mtr_display_render(&fx.d, &scr), MTR_ERR_DISPLAY_VALUE);
    cr_assert_str_eq(scr.text, "Err 1407");
    fx.value_err = -123456;
    cr_assert_eq(mtr_display_render(&fx.d, &scr), -123456);
    cr_assert_str_eq(scr.text, "Err 3456");
    fx.value_err = MTR_OK;
    fx.value = (struct mtr_display_value){1, 0, 255, 9};
    cr_assert_eq(mtr_display_render(&fx.d, &scr), MTR_ERR_DISPLAY_VALUE);
    cr_assert_str_eq(scr.text, "Err     ");
    cr_assert_eq(scr.unit, 255);
    fx.value = (struct mtr_display_value){INT64_MAX, 0, 30, MTR_DISPLAY_FMT_NUMBER};
    cr_assert_eq(mtr_display_render(&fx.d, &scr), MTR_ERR_OVERFLOW);
    cr_assert_str_eq(scr.text, "--------");
    cr_assert_eq(scr.unit, 30);

    /* no value source */
    fx.cfg.value = NULL;
    cr_assert_eq(mtr_display_render(&fx.d, &scr), MTR_ERR_NOTSUP);
    cr_assert_str_eq(scr.text, "Err    3");
    cr_assert_str_eq(scr.code, "1.8.0");
}
