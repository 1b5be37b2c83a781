/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Saved settings and lists: round trip, every truncated prefix and every
 * flipped byte refused with nothing changed, each field check reached with
 * the CRC made right; and the seed's configuration against the reference
 * files obis-display.csv and tou-limits.json read at run time.
 */
#include "dp_fixture.h"

#include "meter/bytes.h"
#include "meter/crc.h"

TestSuite(dp_blob, .init = fx_init);

static uint8_t blob[MTR_DISPLAY_BLOB_SIZE];
static size_t blob_len;

/* A state unlike the defaults, saved into blob. */
static void make_blob(void)
{
    struct mtr_display_settings s = {17, 1234, 99};
    struct mtr_display_item it[5];

    for (uint8_t i = 0; i < 5; i++) {
        it[i] = fx_reg(3, i);
        it[i].data_index = (uint16_t)(1000u * i);
        it[i].attribute_index = (int8_t)(2 + i);
    }
    it[4].class_id = 0xFFFF;
    cr_assert_eq(mtr_display_set(&fx.d, &s), MTR_OK);
    cr_assert_eq(mtr_display_set_list(&fx.d, MTR_DISPLAY_GENERAL, it, 5), MTR_OK);
    cr_assert_eq(mtr_display_set_list(&fx.d, MTR_DISPLAY_ALTERNATE, it + 1, 2), MTR_OK);
    cr_assert_eq(mtr_display_save(&fx.d, blob, sizeof blob, &blob_len), MTR_OK);
    cr_assert_eq(blob_len, MTR_DISPLAY_BLOB_SIZE);
}

static void fix_crc(uint8_t *b)
{
    mtr_put_be32(b + MTR_DISPLAY_BLOB_SIZE - 4, mtr_crc32(b, MTR_DISPLAY_BLOB_SIZE - 4));
}

static void load_refused(const uint8_t *b, size_t len, mtr_err_t want)
{
    struct mtr_display before = fx.d;
    cr_assert_eq(mtr_display_load(&fx.d, b, len), want, "len %zu", len);
    cr_assert_eq(memcmp(&before, &fx.d, sizeof before), 0);
}

Test(dp_blob, sizes)
{
    cr_assert_eq(mtr_display_blob_size(), MTR_DISPLAY_BLOB_SIZE);
    cr_assert_eq(MTR_DISPLAY_BLOB_SIZE, 16u + 2u * (2u + 11u * MTR_CFG_DISPLAY_ITEMS));
    size_t len = 7;
    cr_assert_eq(mtr_display_save(&fx.d, blob, MTR_DISPLAY_BLOB_SIZE - 1, &len), MTR_ERR_FULL);
    cr_assert_eq(len, 7);
}

Test(dp_blob, round_trip)
{
    struct mtr_display_settings s;
    const struct mtr_display_item *a, *b;
    uint8_t again[MTR_DISPLAY_BLOB_SIZE];
    size_t len;
    struct mtr_display saved;

    make_blob();
    saved = fx.d;
    fx_init_at(T0 + 50000);
    cr_assert_eq(mtr_display_poll(&fx.d, T0 + 60000), MTR_OK);
    cr_assert_eq(mtr_display_press(&fx.d, T0 + 60000, MTR_DISPLAY_KEY_NEXT), MTR_OK);
    cr_assert_eq(mtr_display_load(&fx.d, blob, blob_len), MTR_OK);
    mtr_display_get(&fx.d, &s);
    cr_assert_eq(s.scroll_s, 17);
    cr_assert_eq(s.test_s, 1234);
    cr_assert_eq(s.manual_timeout_s, 99);
    for (uint8_t l = 0; l < 2; l++) {
        uint16_t n = mtr_display_list(&fx.d, l, &a);
        cr_assert_eq(n, mtr_display_list(&saved, l, &b));
        cr_assert_eq(memcmp(a, b, n * sizeof *a), 0);
    }
    /* lists and settings are the same bytes as before the save */
    cr_assert_eq(memcmp(saved.item, fx.d.item, sizeof saved.item), 0);
    cr_assert_eq(memcmp(&saved.set, &fx.d.set, sizeof saved.set), 0);
    /* back to auto at the first entry, one interval after the latest time */
    struct mtr_display_state st = fx_state();
    cr_assert_eq(st.mode, MTR_DISPLAY_AUTO);
    cr_assert_eq(st.index, 0);
    fx_at(T0 + 60000 + 17000 - 1, MTR_DISPLAY_AUTO, MTR_DISPLAY_GENERAL, 0);
    fx_at(T0 + 60000 + 17000, MTR_DISPLAY_AUTO, MTR_DISPLAY_GENERAL, 1);
    cr_assert_eq(mtr_display_save(&fx.d, again, sizeof again, &len), MTR_OK);
    cr_assert_eq(memcmp(again, blob, sizeof blob), 0);
}

Test(dp_blob, every_prefix_refused)
{
    make_blob();
    for (size_t len = 0; len < blob_len; len++) {
        load_refused(blob, len, MTR_ERR_DISPLAY_BLOB);
    }
    uint8_t longer[MTR_DISPLAY_BLOB_SIZE + 1];
    memcpy(longer, blob, blob_len);
    longer[blob_len] = 0;
    load_refused(longer, sizeof longer, MTR_ERR_DISPLAY_BLOB);
}

Test(dp_blob, every_flipped_byte_refused)
{
    make_blob();
    fx_init(); /* a state different from the blob's */
    for (size_t i = 0; i < blob_len; i++) {
        for (unsigned bit = 0; bit < 8; bit += 3) {
            blob[i] ^= (uint8_t)(1u << bit);
            struct mtr_display before = fx.d;
            mtr_err_t err = mtr_display_load(&fx.d, blob, blob_len);
            cr_assert(err == MTR_ERR_DISPLAY_BLOB || err == MTR_ERR_DISPLAY_BLOB_CRC,
                      "byte %zu bit %u: %d", i, bit, (int)err);
            cr_assert_eq(memcmp(&before, &fx.d, sizeof before), 0, "byte %zu", i);
            blob[i] ^= (uint8_t)(1u << bit);
        }
    }
    cr_assert_eq(mtr_display_load(&fx.d, blob, blob_len), MTR_OK);
}

Test(dp_blob, field_checks_with_good_crc)
{
    uint8_t b[MTR_DISPLAY_BLOB_SIZE];
    const size_t gen = 12, alt = 12 + 2 + 11 * MTR_CFG_DISPLAY_ITEMS;

    make_blob();
    fx_init();
#define TRY(edit, want)                                                                     \
    do {                                                                                    \
        memcpy(b, blob, sizeof b);                                                          \
        edit;                                                                               \
        fix_crc(b);                                                                         \
        load_refused(b, sizeof b, want);                                                    \
    } while (0)
    TRY(b[0] = 'X', MTR_ERR_DISPLAY_BLOB);
    TRY(b[1] = 'X', MTR_ERR_DISPLAY_BLOB);
    TRY(b[2] = 2, MTR_ERR_DISPLAY_VERSION);
    TRY(b[2] = 0, MTR_ERR_DISPLAY_VERSION);
    TRY(b[3] = (uint8_t)(MTR_CFG_DISPLAY_ITEMS + 1), MTR_ERR_DISPLAY_BLOB);
    TRY(mtr_put_be16(b + 4, 0), MTR_ERR_DISPLAY_BLOB);        /* scroll 0 s */
    TRY(mtr_put_be16(b + 4, 256), MTR_ERR_DISPLAY_BLOB);      /* scroll 256 s */
    TRY(mtr_put_be32(b + 6, 0), MTR_ERR_DISPLAY_BLOB);        /* test 0 s */
    TRY(mtr_put_be32(b + 6, 86401), MTR_ERR_DISPLAY_BLOB);    /* test 86401 s */
    TRY(mtr_put_be16(b + 10, 0), MTR_ERR_DISPLAY_BLOB);       /* manual 0 s */
    TRY(mtr_put_be16(b + 10, 3601), MTR_ERR_DISPLAY_BLOB);    /* manual 3601 s */
    TRY(mtr_put_be16(b + gen, MTR_CFG_DISPLAY_ITEMS + 1), MTR_ERR_DISPLAY_BLOB);
    TRY(mtr_put_be16(b + alt, MTR_CFG_DISPLAY_ITEMS + 1), MTR_ERR_DISPLAY_BLOB);
    TRY(mtr_put_be16(b + gen, 6), MTR_ERR_DISPLAY_BLOB);      /* a zero entry counted */
    TRY(mtr_put_be16(b + gen, 4), MTR_ERR_DISPLAY_BLOB);      /* a used entry not counted */
    TRY(mtr_put_be16(b + gen + 2, 0), MTR_ERR_DISPLAY_BLOB);  /* class id 0 */
    TRY(b[gen + 2 + 8] = 0, MTR_ERR_DISPLAY_BLOB);            /* attribute 0 */
    TRY(b[gen + 2 + 8] = 0x80, MTR_ERR_DISPLAY_BLOB);         /* attribute -128 */
    TRY(memcpy(b + gen + 2 + 11, b + gen + 2, 11), MTR_ERR_DISPLAY_BLOB); /* duplicate */
    TRY(b[alt + 2 + 11 * 3 + 5] = 1, MTR_ERR_DISPLAY_BLOB);   /* unused entry not zero */
    TRY(b[alt + 2 + 11 * (MTR_CFG_DISPLAY_ITEMS - 1) + 10] = 1, MTR_ERR_DISPLAY_BLOB);
#undef TRY
    /* a good change with the CRC made right is taken */
    memcpy(b, blob, sizeof b);
    mtr_put_be16(b + 4, 255);
    fix_crc(b);
    cr_assert_eq(mtr_display_load(&fx.d, b, sizeof b), MTR_OK);
    struct mtr_display_settings s;
    mtr_display_get(&fx.d, &s);
    cr_assert_eq(s.scroll_s, 255);
}

/* ------------------------------------------------------- the seed lists */

struct csv_row {
    char code[32];
    char full[32];
};

static int parse_ln(const char *s, uint8_t ln[6])
{
    unsigned v[6];
    if (sscanf(s, "%u-%u:%u.%u.%u.%u", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6) {
        return 0;
    }
    for (int i = 0; i < 6; i++) {
        ln[i] = (uint8_t)v[i];
    }
    return 1;
}

/* The rows of obis-display.csv (code, likely_full_obis), T rows expanded
 * 1..4 when @p expand_all, or only 1.8.T and 2.8.T otherwise. */
static int read_display_csv(struct csv_row *rows, int max, int expand_all)
{
    char line[512];
    int n = 0;
    FILE *f = fopen(MTR_DISPLAY_REFERENCE "/obis-display.csv", "r");

    cr_assert_not_null(f, "cannot open %s", MTR_DISPLAY_REFERENCE "/obis-display.csv");
    cr_assert_not_null(fgets(line, sizeof line, f));
    cr_assert(strncmp(line, "code,description,tariff_index_range,", 36) == 0);
    while (fgets(line, sizeof line, f) != NULL) {
        /* fields: code, description (maybe quoted), range, wording (maybe quoted), full, ... */
        char *fields[8];
        int nf = 0;
        char *p = line;
        while (nf < 8 && *p != '\0' && *p != '\n') {
            if (*p == '"') {
                p++;
                fields[nf++] = p;
                while (*p != '\0' && !(*p == '"' && p[1] != '"')) {
                    p += *p == '"' ? 2 : 1;
                }
                *p++ = '\0';
            } else {
                fields[nf++] = p;
                while (*p != ',' && *p != '\n' && *p != '\0') {
                    p++;
                }
            }
            if (*p == ',' || *p == '\n') {
                *p++ = '\0';
            }
        }
        cr_assert_geq(nf, 5);
        const char *code = fields[0], *full = fields[4];
        size_t cl = strlen(code);
        if (cl > 2 && strcmp(code + cl - 2, ".T") == 0) {
            int take = expand_all || strcmp(code, "1.8.T") == 0 || strcmp(code, "2.8.T") == 0;
            for (int t = 1; take && t <= 4; t++) {
                cr_assert_lt(n, max);
                snprintf(rows[n].code, sizeof rows[n].code, "%.*s%d", (int)(cl - 1), code, t);
                const char *dot = strstr(full, ".T.");
                cr_assert_not_null(dot);
                snprintf(rows[n].full, sizeof rows[n].full, "%.*s.%d.%s", (int)(dot - full),
                         full, t, dot + 3);
                n++;
            }
            continue;
        }
        cr_assert_lt(n, max);
        snprintf(rows[n].code, sizeof rows[n].code, "%s", code);
        snprintf(rows[n].full, sizeof rows[n].full, "%s", full);
        n++;
    }
    fclose(f);
    return n;
}

/* The item's logical name and display code against a csv row. */
static void check_item(const struct mtr_display_item *it, const struct csv_row *r)
{
    uint8_t ln[6];
    char code[MTR_DISPLAY_CODE_SIZE];

    cr_assert(parse_ln(r->full, ln), "%s", r->full);
    cr_assert_eq(memcmp(it->ln, ln, 6), 0, "logical name of %s", r->code);
    mtr_display_code(it->ln, code);
    cr_assert_str_eq(code, r->code);
    cr_assert_neq(it->class_id, 0);
    cr_assert_gt(it->attribute_index, 0);
}

Test(dp_blob, seed_alternate_list_is_table_4)
{
    static struct csv_row rows[128];
    struct mtr_display_config cfg;
    int n = read_display_csv(rows, 128, 0);

    mtr_display_seed(&cfg, false);
    cr_assert_eq(n, 48);
    cr_assert_eq(cfg.alternate_count, n < MTR_CFG_DISPLAY_ITEMS ? n : MTR_CFG_DISPLAY_ITEMS);
    for (int i = 0; i < cfg.alternate_count; i++) {
        check_item(&cfg.alternate[i], &rows[i]);
    }
}

Test(dp_blob, seed_general_list_rows_of_table_4)
{
    static struct csv_row rows[128];
    static const char *const want[] = {"96.1.0", "0.9.1", "0.9.2", "1.8.0", "1.8.1", "1.8.2",
                                       "1.8.3", "1.8.4", "2.8.0", "1.6.1", "1.6.2", "1.6.3",
                                       "1.6.4", "97.97.0"};
    struct mtr_display_config cfg;
    int n = read_display_csv(rows, 128, 1);

    mtr_display_seed(&cfg, false);
    cr_assert_eq(cfg.general_count, 14);
    for (int i = 0; i < cfg.general_count; i++) {
        int found = -1;
        for (int k = 0; k < n; k++) {
            if (strcmp(rows[k].code, want[i]) == 0) {
                found = k;
            }
        }
        cr_assert_geq(found, 0, "%s not in obis-display.csv", want[i]);
        check_item(&cfg.general[i], &rows[found]);
    }
    /* classes by OBIS group */
    cr_assert_eq(cfg.general[0].class_id, 1);  /* serial number: Data */
    cr_assert_eq(cfg.general[3].class_id, 3);  /* energy: Register */
    cr_assert_eq(cfg.general[9].class_id, 4);  /* maximum demand: Extended register */
    cr_assert_eq(cfg.general[13].class_id, 1); /* error register: Data */
}

/* The integer after "key" and then "default": in tou-limits.json's display object. */
static long json_default(const char *text, const char *key)
{
    const char *p = strstr(text, key);
    cr_assert_not_null(p, "%s", key);
    p = strstr(p, "\"default\":");
    cr_assert_not_null(p);
    return strtol(p + 10, NULL, 10);
}

Test(dp_blob, seed_settings_from_reference)
{
    static char text[1 << 16];
    struct mtr_display_config cfg;
    struct mtr_display d;
    FILE *f = fopen(MTR_DISPLAY_REFERENCE "/tou-limits.json", "r");

    cr_assert_not_null(f);
    size_t got = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[got] = '\0';
    const char *disp = strstr(text, "\"display\"");
    cr_assert_not_null(disp);
    mtr_display_seed(&cfg, false);
    cr_assert_eq(cfg.settings.scroll_s, json_default(disp, "\"auto_scroll_interval_s\""));
    cr_assert_eq(cfg.settings.test_s, json_default(disp, "\"test_mode_duration_s\""));
    const char *mv = strstr(disp, "\"max_values_per_sequence\":");
    cr_assert_not_null(mv);
    cr_assert_eq(MTR_CFG_DISPLAY_ITEMS, strtol(mv + 26, NULL, 10));
    cr_assert_eq(cfg.decimals.energy, 2);
    cr_assert_eq(cfg.decimals.power, 2);
    mtr_display_seed(&cfg, true);
    cr_assert_eq(cfg.decimals.energy, 2);
    cr_assert_eq(cfg.decimals.power, 3);
    cr_assert_null(cfg.value);
    /* the seed configuration starts */
    cr_assert_eq(mtr_display_init(&d, &cfg, 0), MTR_OK);
    struct mtr_display_screen scr;
    cr_assert_eq(mtr_display_render(&d, &scr), MTR_ERR_NOTSUP);
    cr_assert_str_eq(scr.code, "96.1.0");
}
