/* SPDX-License-Identifier: Apache-2.0 */
/* Names of the activity calendar (calendar, season and week names, Blue Book
 * class 20 octet-strings): validation with nothing changed on refusal, seasons
 * resolving their week by name, names moving with the activation, the saved
 * form (version 2) round trip and the previous version (1) still loading. */
#include "cal_test.h"

#include <criterion/criterion.h>

#include "meter/bytes.h"
#include "meter/crc.h"

#define N MTR_CFG_CALENDAR_NAME_LEN

static struct mtr_calendar cal, before, other;
static uint8_t blob[MTR_CALENDAR_STATE_MAX + 16];
static unsigned programmed;

static void on_event(void *user, const struct mtr_clock_event *ev)
{
    (void)user;
    programmed += ev->code == MTR_CAL_EV_PASSIVE_PROGRAMMED;
}

static void name(struct mtr_tou_name *n, const char *s)
{
    cr_assert_eq(mtr_tou_name_set(n, (const uint8_t *)s, strlen(s)), MTR_OK);
}

static bool name_is(const struct mtr_tou_name *n, const char *s)
{
    return n->set && n->len == strlen(s) && memcmp(n->b, s, n->len) == 0;
}

/* ref_tou() with its weeks named and its seasons naming them; the week ids
 * are 0 for both (ignored once a week has a name). */
static void named_tou(struct mtr_tou *t)
{
    ref_tou(t);
    name(&t->name, "TOU-2026");
    name(&t->week_name[0], "WINTER-WEEK");
    name(&t->week_name[1], "SUMMER-WEEK");
    t->week[0].id = 0;
    t->week[1].id = 0;
    name(&t->season_name[0], "summer");
    name(&t->season_name[1], "");
    name(&t->season_week[0], "SUMMER-WEEK");
    name(&t->season_week[1], "WINTER-WEEK");
    t->season[0].week = 0;
    t->season[1].week = 0;
}

static void fresh(void)
{
    const struct mtr_calendar_config cfg = {.on_event = on_event};
    mtr_calendar_init(&cal, &cfg);
    programmed = 0;
}

Test(cal_names, name_length_checked)
{
    struct mtr_tou_name n, keep;
    uint8_t b[N + 1];
    memset(b, 'x', sizeof b);
    cr_assert_eq(mtr_calendar_config_name_len(), MTR_CFG_CALENDAR_NAME_LEN);
    cr_assert_eq(mtr_tou_name_set(&n, NULL, 0), MTR_OK);
    cr_assert(n.set && n.len == 0, "an empty name is a name");
    cr_assert_eq(mtr_tou_name_set(&n, b, N), MTR_OK);
    cr_assert(n.set && n.len == N && memcmp(n.b, b, N) == 0);
    keep = n;
    cr_assert_eq(mtr_tou_name_set(&n, b, N + 1), MTR_ERR_CALENDAR_NAME);
    cr_assert(memcmp(&n, &keep, sizeof n) == 0, "refused: unchanged");
    cr_assert_str_neq(mtr_strerror(MTR_ERR_CALENDAR_NAME), mtr_strerror(MTR_ERR_CALENDAR_REF));
}

Test(cal_names, too_long_names_refused_nothing_changed)
{
    struct mtr_tou t;
    fresh();
    named_tou(&t);
    cr_assert_eq(mtr_calendar_set_active(&cal, &t), MTR_OK);
    cr_assert_eq(mtr_calendar_set_passive(&cal, &t, MTR_CAL_NEVER), MTR_OK);
    before = cal;
    struct mtr_tou_name *where[] = {&t.name, &t.week_name[1], &t.season_name[0], &t.season_week[0]};
    for (size_t i = 0; i < sizeof where / sizeof where[0]; i++) {
        named_tou(&t);
        where[i]->len = N + 1; /* set without the checked setter */
        cr_assert_eq(mtr_tou_check(&t), MTR_ERR_CALENDAR_NAME, "name %zu", i);
        cr_assert_eq(mtr_calendar_set_passive(&cal, &t, MTR_CAL_NEVER), MTR_ERR_CALENDAR_NAME);
        cr_assert_eq(mtr_calendar_set_active(&cal, &t), MTR_ERR_CALENDAR_NAME);
        cr_assert(memcmp(&cal, &before, sizeof cal) == 0, "name %zu: nothing changed", i);
    }
    uint8_t b[N + 1];
    memset(b, 'y', sizeof b);
    cr_assert_eq(mtr_calendar_set_passive_name(&cal, b, N + 1), MTR_ERR_CALENDAR_NAME);
    cr_assert(memcmp(&cal, &before, sizeof cal) == 0, "passive name: nothing changed");
    cr_assert_eq(programmed, 1u, "no event for a refused name");
}

Test(cal_names, seasons_run_the_week_of_their_name)
{
    struct mtr_tou plain, named;
    struct mtr_calendar by_id;
    ref_tou(&plain);
    named_tou(&named);
    cr_assert_eq(mtr_tou_check(&named), MTR_OK);
    cr_assert_eq(mtr_tou_season_week(&named, 0), &named.week[1]);
    cr_assert_eq(mtr_tou_season_week(&named, 1), &named.week[0]);
    cr_assert_null(mtr_tou_season_week(&named, 2));
    fresh();
    cr_assert_eq(mtr_calendar_set_active(&cal, &named), MTR_OK);
    mtr_calendar_init(&by_id, NULL);
    cr_assert_eq(mtr_calendar_set_active(&by_id, &plain), MTR_OK);
    /* every day of 2026 and 2027 at four times: the same tariffs as by ids */
    int32_t d0 = mtr_civil_days(2026, 1, 1);
    for (int32_t d = d0; d < d0 + 730; d++) {
        for (uint32_t sod = 0; sod < 86400u; sod += 21600u + 1800u) {
            cr_assert_eq(mtr_calendar_tariff_at(&cal, d, sod), mtr_calendar_tariff_at(&by_id, d, sod),
                         "day %d second %u", d, sod);
        }
    }
    /* swapping the names of the weeks swaps what the seasons run */
    name(&named.week_name[0], "SUMMER-WEEK");
    name(&named.week_name[1], "WINTER-WEEK");
    cr_assert_eq(mtr_tou_season_week(&named, 0), &named.week[0]);
}

Test(cal_names, unknown_or_duplicate_week_names_refused)
{
    struct mtr_tou t;
    fresh();
    named_tou(&t);
    cr_assert_eq(mtr_calendar_set_passive(&cal, &t, MTR_CAL_NEVER), MTR_OK);
    before = cal;
    named_tou(&t);
    name(&t.season_week[1], "WINTER"); /* a prefix of a name is another name */
    cr_assert_eq(mtr_calendar_set_passive(&cal, &t, MTR_CAL_NEVER), MTR_ERR_CALENDAR_REF);
    named_tou(&t);
    name(&t.week_name[1], "WINTER-WEEK");
    cr_assert_eq(mtr_calendar_set_passive(&cal, &t, MTR_CAL_NEVER), MTR_ERR_CALENDAR_REF);
    /* a week without a name is named by its id byte: "\x05" is week 5's name */
    named_tou(&t);
    t.week[1].id = 5;
    t.week_name[1].set = false;
    name(&t.week_name[0], "\x05");
    cr_assert_eq(mtr_calendar_set_passive(&cal, &t, MTR_CAL_NEVER), MTR_ERR_CALENDAR_REF);
    /* a season's week by id byte when its week name is not set */
    named_tou(&t);
    t.season_week[0].set = false;
    t.season[0].week = 7;
    cr_assert_eq(mtr_calendar_set_passive(&cal, &t, MTR_CAL_NEVER), MTR_ERR_CALENDAR_REF);
    cr_assert(memcmp(&cal, &before, sizeof cal) == 0, "nothing changed");
    name(&t.week_name[1], "\x07");
    cr_assert_eq(mtr_calendar_set_passive(&cal, &t, MTR_CAL_NEVER), MTR_OK, "week named \\x07 found");
}

Test(cal_names, activation_moves_the_names)
{
    struct mtr_tou t;
    fresh();
    ref_tou(&t);
    cr_assert_eq(mtr_calendar_set_active(&cal, &t), MTR_OK);
    cr_assert_eq(mtr_calendar_set_passive_name(&cal, (const uint8_t *)"X", 1), MTR_ERR_EMPTY,
                 "no passive calendar to name");
    named_tou(&t);
    cr_assert_eq(mtr_calendar_set_passive(&cal, &t, MTR_CAL_NEVER), MTR_OK);
    uint32_t seq = mtr_calendar_changes(&cal);
    cr_assert_eq(mtr_calendar_set_passive_name(&cal, (const uint8_t *)"TOU-2027-SPRING", 15), MTR_OK);
    cr_assert_gt(mtr_calendar_changes(&cal), seq);
    cr_assert_eq(programmed, 2u, "renaming programs the passive calendar");
    cr_assert(!mtr_calendar_active(&cal)->name.set);
    cr_assert_eq(mtr_calendar_activate_passive(&cal, 0), MTR_OK);
    const struct mtr_tou *a = mtr_calendar_active(&cal);
    cr_assert(name_is(&a->name, "TOU-2027-SPRING"));
    cr_assert(name_is(&a->week_name[0], "WINTER-WEEK") && name_is(&a->week_name[1], "SUMMER-WEEK"));
    cr_assert(name_is(&a->season_name[0], "summer") && name_is(&a->season_name[1], ""));
    cr_assert(name_is(&a->season_week[0], "SUMMER-WEEK"));
    cr_assert(memcmp(a, mtr_calendar_passive(&cal), sizeof *a) == 0, "the passive copy stays");
    /* an empty name is kept as an empty name */
    cr_assert_eq(mtr_calendar_set_passive_name(&cal, NULL, 0), MTR_OK);
    cr_assert(name_is(&mtr_calendar_passive(&cal)->name, ""));
    cr_assert(name_is(&mtr_calendar_active(&cal)->name, "TOU-2027-SPRING"), "active until activated");
}

static size_t save(const struct mtr_calendar *c)
{
    size_t len = 0;
    cr_assert_eq(mtr_calendar_save(c, blob, sizeof blob, &len), MTR_OK);
    cr_assert_eq(len, mtr_calendar_state_size(c));
    cr_assert_eq(blob[3], 2, "saved as version 2");
    return len;
}

static mtr_err_t load(struct mtr_calendar *c, const uint8_t *b, size_t len)
{
    const uint8_t *p = b;
    mtr_err_t err = mtr_calendar_load(c, &p, b + len);
    cr_assert_eq(p, err == MTR_OK ? b + len : b);
    return err;
}

Test(cal_names, names_round_trip_through_the_saved_form)
{
    struct mtr_tou t;
    uint8_t longest[N];
    memset(longest, 0xA5, sizeof longest);
    fresh();
    named_tou(&t);
    cr_assert_eq(mtr_calendar_set_active(&cal, &t), MTR_OK);
    cr_assert_eq(mtr_tou_name_set(&t.name, longest, N), MTR_OK);
    name(&t.week_name[1], ""); /* an empty week name, named by seasons */
    name(&t.season_week[0], "");
    cr_assert_eq(mtr_calendar_set_passive(&cal, &t, 1767225600), MTR_OK);
    size_t len = save(&cal);
    mtr_calendar_init(&other, NULL);
    cr_assert_eq(load(&other, blob, len), MTR_OK);
    cr_assert(memcmp(&other.active, &cal.active, sizeof cal.active) == 0);
    cr_assert(memcmp(&other.passive, &cal.passive, sizeof cal.passive) == 0);
    cr_assert(other.passive.name.len == N && memcmp(other.passive.name.b, longest, N) == 0);
    /* every prefix refused, nothing changed */
    mtr_calendar_init(&other, NULL);
    before = other;
    for (size_t n = 0; n < len; n++) {
        cr_assert_eq(load(&other, blob, n), MTR_ERR_DECODE, "prefix %zu", n);
    }
    cr_assert(memcmp(&other, &before, sizeof other) == 0);
}

/* The version 1 form of a calendar with its active calendar only (no
 * names, no special days): docs/calendar.md, "Calendar and clock settings". */
static size_t save_v1(const struct mtr_tou *t, uint8_t *b)
{
    uint8_t *w = b + 21;
    memcpy(b, "CAL\x01", 4);
    b[6] = MTR_CFG_TARIFFS;
    b[7] = 0x01; /* active calendar */
    b[8] = MTR_TARIFF_BY_CALENDAR;
    for (int i = 0; i < 4; i++) {
        b[9 + i] = (uint8_t)(i + 1 <= MTR_CFG_TARIFFS ? i + 1 : 1);
    }
    mtr_put_be64(b + 13, (uint64_t)MTR_CAL_NEVER);
    for (unsigned k = 0; k < MTR_CFG_TARIFFS; k++, w += 4) {
        mtr_put_be16(w, (uint16_t)(1u << k));
        mtr_put_be16(w + 2, (uint16_t)(1u << k));
    }
    mtr_put_be16(w, 0); /* special days */
    w += 2;
    *w++ = t->n_seasons;
    *w++ = t->n_weeks;
    *w++ = t->n_days;
    for (uint8_t i = 0; i < t->n_days; i++) {
        *w++ = t->day[i].id;
        *w++ = t->day[i].n;
        for (uint8_t k = 0; k < t->day[i].n; k++) {
            const struct mtr_tou_switch *s = &t->day[i].sw[k];
            *w++ = s->hour;
            *w++ = s->minute;
            *w++ = s->second;
            *w++ = s->tariff;
        }
    }
    for (uint8_t i = 0; i < t->n_weeks; i++) {
        *w++ = t->week[i].id;
        memcpy(w, t->week[i].day, 7);
        w += 7;
    }
    for (uint8_t i = 0; i < t->n_seasons; i++) {
        *w++ = t->season[i].month;
        *w++ = t->season[i].day;
        *w++ = t->season[i].week;
    }
    size_t len = (size_t)(w - b) + 4;
    mtr_put_be16(b + 4, (uint16_t)len);
    mtr_put_be32(w, mtr_crc32(b, len - 4));
    return len;
}

Test(cal_names, version_1_still_loads_without_names)
{
    struct mtr_tou t;
    ref_tou(&t);
    size_t len = save_v1(&t, blob);
    mtr_calendar_init(&other, NULL);
    cr_assert_eq(load(&other, blob, len), MTR_OK);
    const struct mtr_tou *a = mtr_calendar_active(&other);
    cr_assert_not_null(a);
    cr_assert(memcmp(a, &t, sizeof t) == 0, "the same calendar, no name set");
    cr_assert_null(mtr_calendar_passive(&other));
    /* saved again: version 2, 1 + 2 x seasons + weeks name bytes more */
    size_t len2 = save(&other);
    cr_assert_eq(len2, len + 1u + 2u * t.n_seasons + t.n_weeks);
    fresh();
    cr_assert_eq(load(&cal, blob, len2), MTR_OK);
    cr_assert(memcmp(mtr_calendar_active(&cal), &t, sizeof t) == 0);
    /* a version 1 blob whose season names no week is refused as before */
    ref_tou(&t);
    t.season[1].week = 9;
    len = save_v1(&t, blob);
    mtr_calendar_init(&other, NULL);
    before = other;
    cr_assert_eq(load(&other, blob, len), MTR_ERR_CALENDAR_REF);
    cr_assert(memcmp(&other, &before, sizeof other) == 0);
}
