/* SPDX-License-Identifier: Apache-2.0 */
/* Saved form of the calendar and of the clock settings: round trip (every
 * 15-minute slot of a year decided alike, identical getters), every prefix,
 * every flipped byte and bit, a newer version and limit violations refused
 * with nothing changed, and the change counters. */
#include "cal_test.h"

#include <criterion/criterion.h>

#include "meter/crc.h"
#include "sim.h"

#define CAL_BUF (MTR_CALENDAR_STATE_MAX + 16)

static struct mtr_calendar src, dst, before;
static uint8_t blob[CAL_BUF];
static size_t blob_len;

static void fix_crc(uint8_t *b, size_t len)
{
    uint32_t crc = mtr_crc32(b, len - 4);
    b[len - 4] = (uint8_t)(crc >> 24);
    b[len - 3] = (uint8_t)(crc >> 16);
    b[len - 2] = (uint8_t)(crc >> 8);
    b[len - 1] = (uint8_t)crc;
}

static void name(struct mtr_tou_name *n, const char *s)
{
    cr_assert_eq(mtr_tou_name_set(n, (const uint8_t *)s, strlen(s)), MTR_OK);
}

/* A calendar using every part of the saved form: the active calendar with
 * an empty name, the passive one with names of every length class (empty,
 * short, MTR_CFG_CALENDAR_NAME_LEN bytes) and seasons naming their weeks. */
static void program(struct mtr_calendar *cal)
{
    struct mtr_tou tou;
    char longest[MTR_CFG_CALENDAR_NAME_LEN + 1];
    memset(longest, 'L', MTR_CFG_CALENDAR_NAME_LEN);
    longest[MTR_CFG_CALENDAR_NAME_LEN] = '\0';
    mtr_calendar_init(cal, NULL);
    ref_tou(&tou);
    name(&tou.name, "");
    cr_assert_eq(mtr_calendar_set_active(cal, &tou), MTR_OK);
    tou.day[0].sw[1] = sw(8, 15, 6); /* passive: workdays start later, tariff 6 */
    tou.season[0] = (struct mtr_tou_season){3, 15, 2};
    name(&tou.name, longest);
    name(&tou.week_name[0], "WINTER");
    name(&tou.week_name[1], "");
    name(&tou.season_name[0], "SUMMER-2026");
    name(&tou.season_week[0], ""); /* week 2, by its empty name */
    name(&tou.season_week[1], "WINTER");
    cr_assert_eq(mtr_calendar_set_passive(cal, &tou, ut(2026, 7, 1, 0, 0, 0)), MTR_OK);
    struct mtr_special_day sd[] = {
        {1, MTR_SPECIAL_EVERY_YEAR, 12, 25, 3},
        {2, 2026, 5, 1, 3},
        {7, MTR_SPECIAL_EVERY_YEAR, 2, 29, 2},
        {9, 2026, 8, 15, 2},
    };
    for (size_t i = 0; i < sizeof sd / sizeof sd[0]; i++) {
        cr_assert_eq(mtr_calendar_special_set(cal, &sd[i]), MTR_OK);
    }
    struct mtr_tariff_masks mk = {.energy = 1u << 2, .demand = 1u << 0};
    cr_assert_eq(mtr_calendar_set_masks(cal, 4, &mk), MTR_OK);
    const uint8_t map[4] = {2, 1, 4, 3};
    cr_assert_eq(mtr_calendar_set_control(cal, MTR_TARIFF_BY_CALENDAR, map, 0), MTR_OK);
}

static void save_src(void)
{
    cr_assert_eq(mtr_calendar_save(&src, blob, sizeof blob, &blob_len), MTR_OK);
    cr_assert_eq(blob_len, mtr_calendar_state_size(&src));
}

static void fresh_dst(void)
{
    mtr_calendar_init(&dst, NULL);
    before = dst;
}

static mtr_err_t load_dst(const uint8_t *b, size_t len)
{
    const uint8_t *p = b;
    mtr_err_t err = mtr_calendar_load(&dst, &p, b + len);
    if (err != MTR_OK) {
        cr_assert_eq(p, b, "cursor kept on error");
    } else {
        cr_assert_eq(p, b + len);
    }
    return err;
}

static void assert_dst_unchanged(const char *what, size_t i)
{
    cr_assert(memcmp(&dst, &before, sizeof dst) == 0, "%s %zu: nothing changed", what, i);
}

static void assert_same_getters(void)
{
    const struct mtr_tou *a = mtr_calendar_active(&src), *b = mtr_calendar_active(&dst);
    cr_assert(a != NULL && b != NULL && memcmp(a, b, sizeof *a) == 0);
    a = mtr_calendar_passive(&src);
    b = mtr_calendar_passive(&dst);
    cr_assert(a != NULL && b != NULL && memcmp(a, b, sizeof *a) == 0);
    mtr_utc_t at_a, at_b;
    cr_assert_eq(mtr_calendar_control(&src, &at_a), mtr_calendar_control(&dst, &at_b));
    cr_assert_eq(at_a, at_b);
    cr_assert_eq(mtr_calendar_special_count(&src), mtr_calendar_special_count(&dst));
    struct mtr_special_day x, y;
    for (uint16_t i = 0; mtr_calendar_special_get(&src, i, &x); i++) {
        cr_assert(mtr_calendar_special_get(&dst, i, &y));
        cr_assert(x.index == y.index && x.year == y.year && x.month == y.month &&
                  x.day == y.day && x.day_id == y.day_id);
    }
    for (uint8_t c = 0; c < 4; c++) {
        cr_assert_eq(mtr_calendar_input_tariff(&src, c), mtr_calendar_input_tariff(&dst, c));
    }
    for (uint8_t t = 1; t <= MTR_CFG_TARIFFS; t++) {
        struct mtr_tariff_masks ma, mb;
        cr_assert(mtr_calendar_masks(&src, t, &ma) && mtr_calendar_masks(&dst, t, &mb));
        cr_assert(ma.energy == mb.energy && ma.demand == mb.demand);
    }
}

/* Every 15-minute slot of 2026 in CET, both controls, the passive calendar
 * activated at its time in both. Returns the distinct tariffs seen. */
static unsigned assert_same_decisions(void)
{
    unsigned seen = 0;
    mtr_utc_t t0 = ut(2026, 1, 1, 0, 0, 0) - 3600;
    for (uint32_t slot = 0; slot < 365u * 96u; slot++) {
        struct mtr_clock_view v = view_fixed(t0 + (mtr_utc_t)slot * 900, 3600, 0);
        cr_assert_eq(mtr_calendar_poll(&src, &v), mtr_calendar_poll(&dst, &v));
        struct mtr_tariff_sel a, b;
        mtr_calendar_decide(&src, &v, slot & 3u, &a);
        mtr_calendar_decide(&dst, &v, slot & 3u, &b);
        cr_assert(a.tariff == b.tariff && a.control == b.control &&
                      a.masks.energy == b.masks.energy && a.masks.demand == b.masks.demand,
                  "slot %u", slot);
        seen |= 1u << a.tariff;
    }
    return seen;
}

Test(cal_state, round_trip_decides_every_slot_of_a_year_alike)
{
    program(&src);
    save_src();
    fresh_dst();
    cr_assert_eq(load_dst(blob, blob_len), MTR_OK);
    assert_same_getters();
    uint8_t again[CAL_BUF];
    size_t len2;
    cr_assert_eq(mtr_calendar_save(&dst, again, sizeof again, &len2), MTR_OK);
    cr_assert(len2 == blob_len && memcmp(again, blob, blob_len) == 0, "saves back the same bytes");
    unsigned seen = assert_same_decisions();
    cr_assert(mtr_calendar_active(&dst)->day[0].sw[1].tariff == 6, "passive activated in July");
    cr_assert(seen & (1u << 6) && seen & (1u << 4) && seen & (1u << 2), "tariffs seen %x", seen);
    assert_same_getters();
}

Test(cal_state, round_trip_under_input_control_and_empty)
{
    mtr_calendar_init(&src, NULL);
    save_src();
    fresh_dst();
    cr_assert_eq(load_dst(blob, blob_len), MTR_OK);
    cr_assert_null(mtr_calendar_active(&dst));
    cr_assert_null(mtr_calendar_passive(&dst));
    program(&src);
    const uint8_t map[4] = {3, 3, 1, 2};
    cr_assert_eq(mtr_calendar_set_control(&src, MTR_TARIFF_BY_INPUTS, map, 0), MTR_OK);
    cr_assert_eq(mtr_calendar_activate_passive(&src, 0), MTR_OK);
    save_src();
    fresh_dst();
    cr_assert_eq(load_dst(blob, blob_len), MTR_OK);
    assert_same_getters();
    (void)assert_same_decisions();
}

Test(cal_state, every_prefix_refused_nothing_changed)
{
    program(&src);
    save_src();
    fresh_dst();
    for (size_t n = 0; n < blob_len; n++) {
        cr_assert_eq(load_dst(blob, n), MTR_ERR_DECODE, "prefix %zu", n);
        assert_dst_unchanged("prefix", n);
    }
}

Test(cal_state, every_flipped_byte_and_bit_refused_nothing_changed)
{
    program(&src);
    save_src();
    fresh_dst();
    uint8_t bad[CAL_BUF];
    for (size_t i = 0; i < blob_len; i++) {
        for (int k = 0; k <= 8; k++) {
            memcpy(bad, blob, blob_len);
            bad[i] ^= k == 8 ? 0xFFu : (uint8_t)(1u << k);
            mtr_err_t err = load_dst(bad, blob_len);
            cr_assert(err == MTR_ERR_CRC || err == MTR_ERR_DECODE ||
                          err == MTR_ERR_CALENDAR_VERSION,
                      "byte %zu mask %d: %d", i, k, err);
            assert_dst_unchanged("byte", i);
        }
    }
}

Test(cal_state, newer_version_refused)
{
    program(&src);
    save_src();
    fresh_dst();
    blob[3] = MTR_CALENDAR_STATE_VERSION + 1;
    fix_crc(blob, blob_len);
    cr_assert_eq(load_dst(blob, blob_len), MTR_ERR_CALENDAR_VERSION);
    assert_dst_unchanged("version", 0);
    blob[3] = MTR_CALENDAR_STATE_VERSION;
    blob[6] = MTR_CFG_TARIFFS + 1; /* a build with more tariffs */
    fix_crc(blob, blob_len);
    cr_assert_eq(load_dst(blob, blob_len), MTR_ERR_CALENDAR_VERSION);
    assert_dst_unchanged("tariffs", 0);
}

/* Offsets of the saved form (docs/calendar.md). */
#define OFF_SPECIAL (21u + 4u * MTR_CFG_TARIFFS)
#define OFF_ACTIVE  (OFF_SPECIAL + 2u + 7u * 4u) /* program() sets 4 special days */

static void patch_refused(size_t off, uint8_t value, mtr_err_t want)
{
    program(&src);
    save_src();
    fresh_dst();
    blob[off] = value;
    fix_crc(blob, blob_len);
    cr_assert_eq(load_dst(blob, blob_len), want, "offset %zu = %u", off, value);
    assert_dst_unchanged("patch", off);
}

Test(cal_state, limits_refused_as_the_setters_do)
{
    /* counts past the configured limits (config.h) */
    patch_refused(OFF_SPECIAL, 0xFF, MTR_ERR_CALENDAR_LIMIT); /* n_special >= 0xFF00 */
    patch_refused(OFF_ACTIVE, MTR_CFG_CALENDAR_SEASONS + 1, MTR_ERR_CALENDAR_LIMIT);
    patch_refused(OFF_ACTIVE + 1, MTR_CFG_CALENDAR_WEEKS + 1, MTR_ERR_CALENDAR_LIMIT);
    patch_refused(OFF_ACTIVE + 1, 0, MTR_ERR_CALENDAR_LIMIT);
    /* header fields with the setters' errors */
    patch_refused(8, 2, MTR_ERR_INVAL);                          /* control */
    patch_refused(9, MTR_CFG_TARIFFS + 1, MTR_ERR_CALENDAR_TARIFF); /* input map */
    patch_refused(21, 0x03, MTR_ERR_CALENDAR_TARIFF);            /* mask with two bits */
    patch_refused(7, 0x07, MTR_ERR_DECODE);                      /* unknown flag */
    /* a special day in month 13, on day 32 */
    patch_refused(OFF_SPECIAL + 2 + 4, 13, MTR_ERR_CALENDAR_DATE);
    patch_refused(OFF_SPECIAL + 2 + 5, 32, MTR_ERR_CALENDAR_DATE);
    /* the active calendar's name (empty) made longer than a name may be */
    patch_refused(OFF_ACTIVE + 3, MTR_CFG_CALENDAR_NAME_LEN + 1, MTR_ERR_CALENDAR_NAME);
}

/* A calendar that mtr_tou_check() refuses, saved without checks (the
 * struct is public), is refused by the loader with the same error. */
static void tou_refused(void (*spoil)(struct mtr_tou *))
{
    program(&src);
    spoil(&src.active);
    mtr_err_t want = mtr_tou_check(&src.active);
    cr_assert_neq(want, MTR_OK);
    save_src();
    fresh_dst();
    cr_assert_eq(load_dst(blob, blob_len), want);
    assert_dst_unchanged("tou", 0);
}

static void no_switch(struct mtr_tou *t) { t->day[1].n = 0; }
static void big_tariff(struct mtr_tou *t) { t->day[0].sw[2].tariff = MTR_CFG_TARIFFS + 1; }
static void bad_order(struct mtr_tou *t) { t->day[0].sw[2] = sw(6, 59, 1); }
static void bad_minute(struct mtr_tou *t) { t->day[0].sw[2] = sw(22, 60, 1); }
static void dup_day(struct mtr_tou *t) { t->day[2].id = 2; }
static void dup_week(struct mtr_tou *t) { t->week[1].id = 1; }
static void bad_week_ref(struct mtr_tou *t) { t->week[1].day[6] = 99; }
static void bad_season_ref(struct mtr_tou *t) { t->season[1].week = 9; }
static void unknown_week_name(struct mtr_tou *t) { name(&t->season_week[1], "NOWEEK"); }
static void dup_week_name(struct mtr_tou *t) { name(&t->week_name[0], "\x02"); } /* = week 2's id */
static void leap_season(struct mtr_tou *t) { t->season[0] = (struct mtr_tou_season){2, 29, 2}; }
static void season_order(struct mtr_tou *t) { t->season[1] = (struct mtr_tou_season){4, 1, 1}; }

Test(cal_state, calendars_the_setter_refuses_are_refused)
{
    tou_refused(no_switch);
    tou_refused(big_tariff);
    tou_refused(bad_order);
    tou_refused(bad_minute);
    tou_refused(dup_day);
    tou_refused(dup_week);
    tou_refused(bad_week_ref);
    tou_refused(bad_season_ref);
    tou_refused(unknown_week_name);
    tou_refused(dup_week_name);
    tou_refused(leap_season);
    tou_refused(season_order);
}

Test(cal_state, special_days_after_an_activation_round_trip)
{
    /* a special day may name a profile the new active calendar lacks */
    program(&src);
    struct mtr_tou small;
    memset(&small, 0, sizeof small);
    small.n_days = 1;
    small.day[0] = (struct mtr_tou_day){.id = 1, .n = 1, .sw = {{0, 0, 0, 2}}};
    small.n_weeks = 1;
    small.week[0] = (struct mtr_tou_week){.id = 1, .day = {1, 1, 1, 1, 1, 1, 1}};
    small.n_seasons = 1;
    small.season[0] = (struct mtr_tou_season){1, 1, 1};
    cr_assert_eq(mtr_calendar_set_passive(&src, &small, MTR_CAL_NEVER), MTR_OK);
    cr_assert_eq(mtr_calendar_activate_passive(&src, 0), MTR_OK);
    save_src();
    fresh_dst();
    cr_assert_eq(load_dst(blob, blob_len), MTR_OK);
    assert_same_getters();
    (void)assert_same_decisions();
    /* duplicate special day index */
    memcpy(blob + OFF_SPECIAL + 2 + 7, blob + OFF_SPECIAL + 2, 2);
    fix_crc(blob, blob_len);
    fresh_dst();
    cr_assert_eq(load_dst(blob, blob_len), MTR_ERR_CALENDAR_REF);
    assert_dst_unchanged("dup index", 0);
}

Test(cal_state, change_counter_moves_on_changes_only)
{
    mtr_calendar_init(&src, NULL);
    uint32_t c0 = mtr_calendar_changes(&src);
    struct mtr_tou tou;
    ref_tou(&tou);
    tou.n_days = 0;
    cr_assert_neq(mtr_calendar_set_active(&src, &tou), MTR_OK);
    struct mtr_tariff_masks bad = {3, 1};
    cr_assert_neq(mtr_calendar_set_masks(&src, 1, &bad), MTR_OK);
    cr_assert_eq(mtr_calendar_set_control(&src, MTR_TARIFF_BY_CALENDAR, NULL, 0), MTR_OK);
    cr_assert_eq(mtr_calendar_changes(&src), c0, "refused or idle calls");
    program(&src);
    uint32_t c1 = mtr_calendar_changes(&src);
    cr_assert(c1 >= 8, "every setter counted (%u)", c1);
    cr_assert_eq(mtr_calendar_special_delete(&src, 9), MTR_OK);
    cr_assert_eq(mtr_calendar_changes(&src), c1 + 1);
    struct mtr_clock_view v = view_fixed(ut(2026, 7, 1, 0, 0, 0), 0, 0);
    cr_assert(mtr_calendar_poll(&src, &v));
    cr_assert_eq(mtr_calendar_changes(&src), c1 + 2, "activation counted");
    save_src();
    fresh_dst();
    cr_assert_eq(load_dst(blob, blob_len), MTR_OK);
    cr_assert_neq(mtr_calendar_changes(&dst), mtr_calendar_changes(&before), "load counted");
}

/* ------------------------------------------------------------------ clock */

static struct mtr_sim sim;
static struct mtr_hal hal;
static struct mtr_clock ca, cb, cb_before;

static void clocks(void)
{
    struct mtr_sim_config cfg;
    mtr_sim_default_config(&cfg);
    cfg.utc_start = ut(2026, 3, 1, 12, 0, 0);
    cr_assert_eq(mtr_sim_init(&sim, &cfg), MTR_OK);
    mtr_sim_hal(&sim, &hal);
    struct mtr_clock_config cc = {.time_zone = 0, .dst = {.kind = MTR_DST_NONE}};
    cr_assert_eq(mtr_clock_init(&ca, &hal, &cc), MTR_OK);
    cr_assert_eq(mtr_clock_init(&cb, &hal, &cc), MTR_OK);
    cb_before = cb;
}

static void clocks_fini(void)
{
    mtr_sim_free(&sim);
}

static mtr_err_t clock_load(const uint8_t *b, size_t len)
{
    const uint8_t *p = b;
    mtr_err_t err = mtr_clock_load(&cb, &p, b + len);
    cr_assert_eq(p, err == MTR_OK ? b + MTR_CLOCK_STATE_SIZE : b);
    return err;
}

Test(clock_state, round_trip_and_every_bad_blob, .init = clocks, .fini = clocks_fini)
{
    struct mtr_dst_config us;
    mtr_dst_us(&us);
    cr_assert_eq(mtr_clock_set_time_zone(&ca, 300), MTR_OK);
    cr_assert_eq(mtr_clock_set_dst(&ca, &us), MTR_OK);
    mtr_utc_t now = ut(2026, 3, 1, 12, 0, 0);
    cr_assert_eq(mtr_clock_preset(&ca, now + 600, now, now + 3600), MTR_OK);
    uint8_t b[MTR_CLOCK_STATE_SIZE + 8], bad[sizeof b];
    size_t len;
    cr_assert_eq(mtr_clock_save(&ca, b, MTR_CLOCK_STATE_SIZE - 1, &len), MTR_ERR_OVERFLOW);
    cr_assert_eq(mtr_clock_save(&ca, b, sizeof b, &len), MTR_OK);
    cr_assert_eq(len, mtr_clock_state_size());
    for (size_t n = 0; n < len; n++) {
        cr_assert_eq(clock_load(b, n), MTR_ERR_DECODE, "prefix %zu", n);
        cr_assert(memcmp(&cb, &cb_before, sizeof cb) == 0);
    }
    for (size_t i = 0; i < len; i++) {
        for (int k = 0; k <= 8; k++) {
            memcpy(bad, b, len);
            bad[i] ^= k == 8 ? 0xFFu : (uint8_t)(1u << k);
            mtr_err_t err = clock_load(bad, len);
            cr_assert(err == MTR_ERR_CRC || err == MTR_ERR_CALENDAR_VERSION, "byte %zu", i);
            cr_assert(memcmp(&cb, &cb_before, sizeof cb) == 0);
        }
    }
    memcpy(bad, b, len);
    bad[3] = MTR_CLOCK_STATE_VERSION + 1;
    fix_crc(bad, len);
    cr_assert_eq(clock_load(bad, len), MTR_ERR_CALENDAR_VERSION);
    cr_assert(memcmp(&cb, &cb_before, sizeof cb) == 0);

    uint32_t s0 = mtr_clock_settings_changes(&cb);
    cr_assert_eq(clock_load(b, len), MTR_OK);
    cr_assert_eq(mtr_clock_settings_changes(&cb), s0 + 1);
    int16_t tza, tzb;
    struct mtr_dst_config da, db;
    mtr_clock_settings(&ca, &tza, &da);
    mtr_clock_settings(&cb, &tzb, &db);
    cr_assert_eq(tza, tzb);
    cr_assert(da.kind == db.kind && da.enabled == db.enabled &&
              da.deviation_min == db.deviation_min &&
              memcmp(&da.begin, &db.begin, sizeof da.begin) == 0 &&
              memcmp(&da.end, &db.end, sizeof da.end) == 0);
    /* the same local times over a year, hour by hour */
    for (mtr_utc_t t = now; t < now + 365 * 86400LL; t += 3600) {
        struct mtr_clock_view va, vb;
        cr_assert_eq(mtr_clock_view_at(&ca, t, &va), MTR_OK);
        cr_assert_eq(mtr_clock_view_at(&cb, t, &vb), MTR_OK);
        cr_assert(va.offset_s == vb.offset_s && va.status == vb.status);
    }
    /* the preset came along: both adjust alike */
    cr_assert_eq(mtr_clock_adjust_to_preset(&cb), MTR_OK);
    cr_assert_eq(mtr_clock_adjust_to_preset(&cb), MTR_ERR_CALENDAR_PRESET, "consumed");
    uint8_t c[MTR_CLOCK_STATE_SIZE];
    cr_assert_eq(mtr_clock_save(&cb, c, sizeof c, &len), MTR_OK);
    cr_assert(memcmp(c, b, 38) == 0 && c[38] == 0, "settings kept, preset gone");
}

Test(clock_state, settings_the_setters_refuse_are_refused, .init = clocks, .fini = clocks_fini)
{
    uint8_t b[MTR_CLOCK_STATE_SIZE];
    size_t len;
    cr_assert_eq(mtr_clock_save(&ca, b, sizeof b, &len), MTR_OK);
    /* time zone 841 min: mtr_clock_set_time_zone() refuses it */
    cr_assert_eq(mtr_clock_set_time_zone(&ca, 841), MTR_ERR_CALENDAR_DST);
    uint8_t bad[sizeof b];
    memcpy(bad, b, len);
    bad[4] = 841 >> 8;
    bad[5] = 841 & 0xFF;
    fix_crc(bad, len);
    cr_assert_eq(clock_load(bad, len), MTR_ERR_CALENDAR_DST);
    /* an unknown DST kind */
    memcpy(bad, b, len);
    bad[6] = 3;
    fix_crc(bad, len);
    cr_assert_eq(clock_load(bad, len), MTR_ERR_CALENDAR_DST);
    /* a preset whose window ends before it starts: mtr_clock_preset() refuses it */
    mtr_utc_t now = ut(2026, 3, 1, 12, 0, 0);
    cr_assert_eq(mtr_clock_preset(&ca, now, now + 10, now), MTR_ERR_CALENDAR_DATE);
    cr_assert_eq(mtr_clock_preset(&ca, now, now, now + 10), MTR_OK);
    cr_assert_eq(mtr_clock_save(&ca, b, sizeof b, &len), MTR_OK);
    memcpy(bad, b, len);
    bad[55] ^= 0x40; /* the end of the preset window leaves the range */
    fix_crc(bad, len);
    cr_assert_eq(clock_load(bad, len), MTR_ERR_CALENDAR_DATE);
    /* a flag that is neither 0 nor 1 */
    memcpy(bad, b, len);
    bad[38] = 2;
    fix_crc(bad, len);
    cr_assert_eq(clock_load(bad, len), MTR_ERR_DECODE);
    cr_assert(memcmp(&cb, &cb_before, sizeof cb) == 0, "nothing changed");
}
