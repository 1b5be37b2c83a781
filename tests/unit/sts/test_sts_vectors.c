/* SPDX-License-Identifier: Apache-2.0 */
/*
 * STS against published vectors: tests/vectors/sts_ctsa.data (STS 531-1
 * compliance test cases, see the file's header for the source), plus the
 * CRC-16 check value and the amount boundaries.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meter/sts.h"
#include "sim.h"
#include "sts_test_tables.h"

static struct mtr_hal hal;
static struct mtr_sts_cipher ea07;

static void setup(void)
{
    memset(&hal, 0, sizeof hal);
    hal.crypto = mtr_sim_crypto_ops();
    ea07.ea = MTR_STS_EA07;
    ea07.sta = &sts_test_tables;
    ea07.hal = &hal;
}

/* One line of the vector file, with the CTSA defaults. */
struct line {
    char kind;
    char name[32];
    char dkga[4];
    char vk[48];
    unsigned long iin, sgc, ti, krn, base, cls, sub, nti, nkrn, nbase, ken, ro, amount, field;
    unsigned long long iain, control, mfg, dk;
    int has_amount;
    char at[24], tok[24], tok1[24], tok2[24];
};

static void defaults(struct line *l)
{
    memset(l, 0, sizeof *l);
    strcpy(l->dkga, "02");
    strcpy(l->vk, "abababababababab");
    l->iin = 600727;
    l->sgc = 123456;
    l->ti = 1;
    l->krn = 1;
    l->base = 1993;
}

static void field(struct line *l, const char *k, const char *v)
{
#define S(n) else if (!strcmp(k, #n)) snprintf(l->n, sizeof l->n, "%s", v)
#define U(n) else if (!strcmp(k, #n)) l->n = strtoul(v, NULL, 10)
#define X(n) else if (!strcmp(k, #n)) l->n = strtoull(v, NULL, 16)
    if (!strcmp(k, "amount")) {
        l->amount = strtoul(v, NULL, 10);
        l->has_amount = 1;
    }
    else if (!strcmp(k, "field")) l->field = strtoul(v, NULL, 16);
    else if (!strcmp(k, "iain")) l->iain = strtoull(v, NULL, 10);
    else if (!strcmp(k, "ken")) l->ken = strtoul(v, NULL, 16);
    S(name); S(dkga); S(vk); S(at); S(tok); S(tok1); S(tok2);
    U(iin); U(sgc); U(ti); U(krn); U(base); U(cls); U(sub); U(nti); U(nkrn); U(nbase); U(ro);
    X(control); X(mfg); X(dk);
    else cr_assert_fail("unknown key %s", k);
#undef S
#undef U
#undef X
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static long days_from_civil(long y, long m, long d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static mtr_utc_t parse_at(const char *s)
{
    int y, mo, d, h, mi;
    cr_assert_eq(sscanf(s, "%d-%d-%dT%d:%d", &y, &mo, &d, &h, &mi), 5, "%s", s);
    return (mtr_utc_t)days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60;
}

static enum mtr_sts_base base_of(unsigned long year)
{
    return year == 1993 ? MTR_STS_BASE_1993 : year == 2014 ? MTR_STS_BASE_2014 : MTR_STS_BASE_2035;
}

static uint64_t derive(const struct line *l, unsigned long ti, unsigned long krn, unsigned long base)
{
    uint8_t vk[20];
    size_t n = strlen(l->vk) / 2;
    struct mtr_sts_key_params p = {.iin = (uint32_t)l->iin, .iain = l->iain,
                                   .sgc = (uint32_t)l->sgc, .ti = (uint8_t)ti,
                                   .krn = (uint8_t)krn, .kt = 2, .base = (uint8_t)base_of(base),
                                   .ea = MTR_STS_EA07};
    uint64_t dk = 0;

    for (size_t i = 0; i < n; i++) {
        unsigned v;
        sscanf(l->vk + 2 * i, "%2x", &v);
        vk[i] = (uint8_t)v;
    }
    if (!strcmp(l->dkga, "04")) {
        cr_assert_eq(n, 20u);
        cr_assert_eq(mtr_sts_dkga04(&hal, vk, &p, &dk), MTR_OK);
    } else {
        cr_assert_eq(n, 8u);
        cr_assert_eq(mtr_sts_dkga02(&hal, vk, &p, &dk), MTR_OK);
    }
    return dk;
}

/* Every strict prefix is refused for its length and changes nothing. */
static void check_prefixes(struct mtr_sts *s, const char *tok)
{
    struct mtr_sts before = *s;
    struct mtr_sts_result r;
    for (size_t n = 0; n < MTR_STS_DIGITS; n++) {
        cr_assert_eq(mtr_sts_process(s, tok, n, UINT32_MAX, &r), MTR_ERR_STS_LENGTH);
        cr_assert_eq(r.status, MTR_STS_REJECT_LENGTH);
    }
    cr_assert_eq(memcmp(&before, s, sizeof before), 0);
}

static void run_tid(const struct line *l)
{
    uint64_t dk = derive(l, l->ti, l->krn, l->base);
    struct mtr_sts_token t = {.cls = (uint8_t)l->cls, .subclass = (uint8_t)l->sub, .rnd = 5};
    struct mtr_sts_key key = {.dk = dk, .krn = (uint8_t)l->krn, .kt = 2, .ti = (uint8_t)l->ti,
                              .ken = 255, .base = (uint8_t)base_of(l->base)};
    struct mtr_sts s;
    struct mtr_sts_result r;
    char out[MTR_STS_DIGITS + 1];
    uint32_t rep = 0;

    cr_assert_eq(mtr_sts_utc_to_tid(base_of(l->base), parse_at(l->at), &t.tid), MTR_OK);
    t.field = (uint16_t)l->field;
    if (l->has_amount)
        cr_assert_eq(mtr_sts_amount_encode((uint32_t)l->amount, &t.field, &rep), MTR_OK);
    cr_assert_eq(mtr_sts_encode(&ea07, dk, &t, out), MTR_OK);
    cr_assert_str_eq(out, l->tok, "%s", l->name);

    cr_assert_eq(mtr_sts_init(&s, &ea07, &key), MTR_OK);
    check_prefixes(&s, l->tok);
    cr_assert_eq(mtr_sts_process(&s, l->tok, 20, UINT32_MAX, &r), MTR_OK, "%s", l->name);
    cr_assert_eq(r.token.tid, t.tid);
    cr_assert_eq(r.token.field, t.field);
    cr_assert_eq(r.token.subclass, l->sub);
    cr_assert_eq(r.issued, parse_at(l->at), "%s", l->name);
    if (l->has_amount)
        cr_assert_eq(r.value, rep);
    cr_assert_eq(r.status, l->cls == 0 ? MTR_STS_ACCEPTED : MTR_STS_MGMT_ACCEPTED);
}

static void run_kct(const struct line *l)
{
    uint64_t dk = derive(l, l->ti, l->krn, l->base);
    uint64_t ndk = derive(l, l->nti, l->nkrn, l->nbase);
    struct mtr_sts_token t1 = {.cls = 2, .subclass = 3, .ken_high = (uint8_t)(l->ken >> 4),
                               .krn = (uint8_t)l->nkrn, .ro = (uint8_t)l->ro, .kt = 2,
                               .key_half = (uint32_t)(ndk >> 32)};
    struct mtr_sts_token t2 = {.cls = 2, .subclass = 4, .ken_low = (uint8_t)(l->ken & 0xF),
                               .ti = (uint8_t)l->nti, .key_half = (uint32_t)ndk};
    struct mtr_sts_key key = {.dk = dk, .krn = (uint8_t)l->krn, .kt = 2, .ti = (uint8_t)l->ti,
                              .ken = 255, .base = (uint8_t)base_of(l->base)};
    struct mtr_sts s;
    struct mtr_sts_result r;
    char out[MTR_STS_DIGITS + 1];

    cr_assert_eq(mtr_sts_encode(&ea07, dk, &t1, out), MTR_OK);
    cr_assert_str_eq(out, l->tok1, "%s", l->name);
    cr_assert_eq(mtr_sts_encode(&ea07, dk, &t2, out), MTR_OK);
    cr_assert_str_eq(out, l->tok2, "%s", l->name);

    cr_assert_eq(mtr_sts_init(&s, &ea07, &key), MTR_OK);
    cr_assert_eq(mtr_sts_process(&s, l->tok2, 20, UINT32_MAX, &r), MTR_OK);
    cr_assert_eq(r.status, MTR_STS_KEY_CHANGE_1ST);
    cr_assert_eq(mtr_sts_current_key(&s)->dk, dk);
    cr_assert_eq(mtr_sts_process(&s, l->tok1, 20, UINT32_MAX, &r), MTR_OK);
    cr_assert_eq(r.status, MTR_STS_KEY_CHANGED);
    cr_assert_eq(mtr_sts_current_key(&s)->dk, ndk, "%s", l->name);
    cr_assert_eq(mtr_sts_current_key(&s)->krn, l->nkrn);
    cr_assert_eq(mtr_sts_current_key(&s)->ti, l->nti);
    cr_assert_eq(mtr_sts_current_key(&s)->ken, l->ken);
    cr_assert_eq(mtr_sts_current_key(&s)->base, base_of(l->nbase));
}

static void run_test_token(const struct line *l)
{
    struct mtr_sts_token t = {.cls = 1, .subclass = (uint8_t)l->sub, .control = l->control,
                              .manufacturer = (uint16_t)l->mfg};
    struct mtr_sts_key key = {.dk = 1, .krn = 1, .kt = 2, .ken = 255};
    struct mtr_sts s;
    struct mtr_sts_result r;
    char out[MTR_STS_DIGITS + 1];

    cr_assert_eq(mtr_sts_encode(&ea07, 0, &t, out), MTR_OK);
    cr_assert_str_eq(out, l->tok, "%s", l->name);
    cr_assert_eq(mtr_sts_init(&s, &ea07, &key), MTR_OK);
    cr_assert_eq(mtr_sts_process(&s, l->tok, 20, UINT32_MAX, &r), MTR_OK);
    cr_assert_eq(r.status, MTR_STS_TEST_ACCEPTED);
    cr_assert_eq(r.token.control, l->control);
    cr_assert_eq(mtr_sts_tid_count(&s), 0u);
}

Test(sts_vectors, ctsa_file, .init = setup)
{
    FILE *f = fopen(MTR_TEST_VECTORS "/sts_ctsa.data", "r");
    char buf[512];
    unsigned counts[4] = {0};

    cr_assert_not_null(f);
    while (fgets(buf, sizeof buf, f) != NULL) {
        struct line l;
        char *save = NULL;
        if (buf[0] == '#' || buf[0] == '\n')
            continue;
        defaults(&l);
        l.kind = buf[0];
        for (char *w = strtok_r(buf + 1, " \n", &save); w; w = strtok_r(NULL, " \n", &save)) {
            char *eq = strchr(w, '=');
            cr_assert_not_null(eq, "%s", w);
            *eq = '\0';
            field(&l, w, eq + 1);
        }
        if (l.kind == 'T') {
            run_tid(&l);
            counts[0]++;
        } else if (l.kind == 'K') {
            run_kct(&l);
            counts[1]++;
        } else if (l.kind == 'C') {
            run_test_token(&l);
            counts[2]++;
        } else {
            cr_assert_eq(l.kind, 'D');
            struct line d;
            defaults(&d);
            cr_assert_eq(derive(&d, 1, 1, 1993), l.dk, "%s", l.name);
            counts[3]++;
        }
    }
    fclose(f);
    cr_assert(counts[0] >= 40 && counts[1] >= 9 && counts[2] >= 14 && counts[3] >= 1);
}

/* CRC-16/MODBUS (poly 0x8005 reflected, init 0xFFFF) has check value 0x4B37
 * over "123456789" (R. Williams' CRC catalogue). The token CRC is that
 * register over 7 bytes; with the data of 7 known bytes we cross-check it. */
Test(sts_vectors, crc_matches_modbus_register)
{
    /* class 0, block top 48 bits = 0x313233343536 -> bytes 00 31 32 33 34 35 36 */
    const uint8_t bytes[7] = {0x00, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36};
    uint16_t crc = 0xFFFF;
    for (int i = 0; i < 7; i++) {
        crc ^= bytes[i];
        for (int b = 0; b < 8; b++)
            crc = (crc & 1) ? (uint16_t)((crc >> 1) ^ 0xA001) : (uint16_t)(crc >> 1);
    }
    uint64_t block = 0x313233343536ull << 16;
    cr_assert_eq(mtr_sts_crc(0, block), (uint16_t)((crc << 8) | (crc >> 8)));
    /* the reference loop itself against the catalogue check value */
    crc = 0xFFFF;
    for (const char *p = "123456789"; *p; p++) {
        crc ^= (uint8_t)*p;
        for (int b = 0; b < 8; b++)
            crc = (crc & 1) ? (uint16_t)((crc >> 1) ^ 0xA001) : (uint16_t)(crc >> 1);
    }
    cr_assert_eq(crc, 0x4B37);
}

/* Boundaries of the amount coding (exponent offsets 16384, 180224, 1818624;
 * the largest value 18201624 is the maximum of CTSA12/13). */
Test(sts_vectors, amount_boundaries)
{
    const struct { uint32_t v; uint16_t field; } tab[] = {
        {0, 0x0000}, {16383, 0x3FFF}, {16384, 0x4000}, {16394, 0x4001}, {180214, 0x7FFF},
        {180224, 0x8000}, {1818524, 0xBFFF}, {1818624, 0xC000}, {18201624, 0xFFFF},
    };
    for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++) {
        uint16_t f;
        uint32_t rep;
        cr_assert_eq(mtr_sts_amount_encode(tab[i].v, &f, &rep), MTR_OK);
        cr_assert_eq(f, tab[i].field, "value %u", tab[i].v);
        cr_assert_eq(rep, tab[i].v);
        cr_assert_eq(mtr_sts_amount_decode(tab[i].field), tab[i].v);
    }
    uint16_t f = 0x1234;
    uint32_t rep = 7;
    cr_assert_eq(mtr_sts_amount_encode(MTR_STS_AMOUNT_MAX + 1, &f, &rep), MTR_ERR_STS_OVERFLOW);
    cr_assert_eq(f, 0x1234);
    cr_assert_eq(rep, 7u);
}

/* Every field value decodes, and encoding it gives it back (a bijection). */
Test(sts_vectors, amount_all_fields_round_trip)
{
    for (uint32_t f = 0; f <= 0xFFFF; f++) {
        uint16_t g;
        uint32_t rep;
        uint32_t v = mtr_sts_amount_decode((uint16_t)f);
        cr_assert_eq(mtr_sts_amount_encode(v, &g, &rep), MTR_OK);
        cr_assert_eq(g, f);
        if (f != 0 && (f & 0x3FFF) != 0)
            cr_assert_lt(mtr_sts_amount_decode((uint16_t)(f - 1)), v);
    }
}

/* TID: 2^24 minutes after 1993-01-01 falls on 2024-11-24 (the roll-over). */
Test(sts_vectors, tid_rollover_1993)
{
    mtr_utc_t last = mtr_sts_tid_to_utc(MTR_STS_BASE_1993, MTR_STS_TID_MAX);
    long day = (long)(last / 86400);
    uint32_t tid;
    cr_assert_eq(day, days_from_civil(2024, 11, 24));
    cr_assert_eq(mtr_sts_utc_to_tid(MTR_STS_BASE_1993, last, &tid), MTR_OK);
    cr_assert_eq(tid, MTR_STS_TID_MAX);
    cr_assert_eq(mtr_sts_utc_to_tid(MTR_STS_BASE_1993, last + 60, &tid), MTR_ERR_RANGE);
    cr_assert_eq(mtr_sts_utc_to_tid(MTR_STS_BASE_2014, last + 60, &tid), MTR_OK);
    cr_assert_eq(mtr_sts_base_utc(MTR_STS_BASE_2014), days_from_civil(2014, 1, 1) * 86400L);
    cr_assert_eq(mtr_sts_base_utc(MTR_STS_BASE_2035), days_from_civil(2035, 1, 1) * 86400L);
    cr_assert_eq(mtr_sts_utc_to_tid(MTR_STS_BASE_2014, mtr_sts_base_utc(MTR_STS_BASE_2014) - 1,
                                    &tid), MTR_ERR_RANGE);
}

/* PAN check digits of the two CTSA meters: 600727000000000009 and 000001000000000082. */
Test(sts_vectors, pan_check_digit)
{
    cr_assert_eq(mtr_sts_pan_check_digit(600727, 0), 9);
    cr_assert_eq(mtr_sts_pan_check_digit(1, 8), 2);
}
