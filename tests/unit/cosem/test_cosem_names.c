/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Activity calendar names over COSEM (class 20: calendar_name, season and
 * week names as octet-strings of 0..MTR_CFG_CALENDAR_NAME_LEN bytes, read
 * back as written, moved by the activation, kept over a restart) and the
 * methods of the register activation objects (class 6: add_register,
 * add_mask, delete_mask), role by role, with bad parameters.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "cosem_rig.h"
#include "cosem_value.h"

#define T0 ((mtr_utc_t)1709251200) /* 2024-03-01T00:00:00Z */
#define N  MTR_CFG_CALENDAR_NAME_LEN

static const uint8_t CAL[6] = {0, 0, 13, 0, 0, 255};
static const uint8_t ACT_ENERGY[6] = {0, 0, 14, 0, 1, 255};
static const uint8_t ACT_DEMAND[6] = {0, 0, 14, 0, 2, 255};
static const uint8_t TARIFF_SCRIPTS[6] = {0, 0, 10, 0, 100, 255};
/* season_start as the meter reads it: every year, month/day, 00:00:00, no deviation */
static const uint8_t START[12] = {0xFF, 0xFF, 1, 1, 0xFF, 0, 0, 0, 0xFF, 0x80, 0x00, 0xFF};

/* A name of @p len bytes "<c>01234..." */
static void long_name(uint8_t *b, size_t len, uint8_t c)
{
    for (size_t i = 0; i < len; i++) {
        b[i] = i == 0 ? c : (uint8_t)('0' + i % 10);
    }
}

static void octets(struct cosem_val *v, const uint8_t *b, size_t n)
{
    cv_reset(v);
    cv_bytes(v, MTR_DLMS_OCTET_STRING, b, n);
}

/* day_profile_table: day 2 always T4, day 3 always T2. */
static void days_value(struct cosem_val *v)
{
    const uint8_t tm[4] = {0, 0, 0, 0};
    cv_reset(v);
    cv_tag_len(v, MTR_DLMS_ARRAY, 2);
    for (uint8_t k = 0; k < 2; k++) {
        cv_tag_len(v, MTR_DLMS_STRUCTURE, 2);
        cv_uint(v, MTR_DLMS_UNSIGNED, 2u + k);
        cv_tag_len(v, MTR_DLMS_ARRAY, 1);
        cv_tag_len(v, MTR_DLMS_STRUCTURE, 3);
        cv_bytes(v, MTR_DLMS_OCTET_STRING, tm, 4);
        cv_bytes(v, MTR_DLMS_OCTET_STRING, TARIFF_SCRIPTS, 6);
        cv_uint(v, MTR_DLMS_LONG_UNSIGNED, k == 0 ? 4 : 2);
    }
}

/* week_profile_table: week k named nm[k] (length len[k]), every day day[k]. */
static void weeks_value(struct cosem_val *v, int n, const uint8_t *const *nm, const size_t *len,
                        const uint8_t *day)
{
    cv_reset(v);
    cv_tag_len(v, MTR_DLMS_ARRAY, (size_t)n);
    for (int k = 0; k < n; k++) {
        cv_tag_len(v, MTR_DLMS_STRUCTURE, 8);
        cv_bytes(v, MTR_DLMS_OCTET_STRING, nm[k], len[k]);
        for (int d = 0; d < 7; d++) {
            cv_uint(v, MTR_DLMS_UNSIGNED, day[k]);
        }
    }
}

/* season_profile: season k named sn[k] from month[k]-01 running the week named wn[k]. */
static void seasons_value(struct cosem_val *v, int n, const uint8_t *const *sn, const size_t *sl,
                          const uint8_t *month, const uint8_t *const *wn, const size_t *wl)
{
    cv_reset(v);
    cv_tag_len(v, MTR_DLMS_ARRAY, (size_t)n);
    for (int k = 0; k < n; k++) {
        uint8_t start[12];
        memcpy(start, START, 12);
        start[2] = month[k];
        cv_tag_len(v, MTR_DLMS_STRUCTURE, 3);
        cv_bytes(v, MTR_DLMS_OCTET_STRING, sn[k], sl[k]);
        cv_bytes(v, MTR_DLMS_OCTET_STRING, start, 12);
        cv_bytes(v, MTR_DLMS_OCTET_STRING, wn[k], wl[k]);
    }
}

/* The passive calendar of the tests: names of every length class. */
struct names {
    uint8_t cal[N], week_long[N], season_long[N];
    struct cosem_val days, weeks, seasons, name;
};

static void names_values(struct names *x)
{
    long_name(x->cal, N, 'C');
    long_name(x->week_long, N, 'W');
    long_name(x->season_long, N, 'S');
    /* week 1: N bytes, days 2; week 2: the empty name, days 3 */
    const uint8_t *wnm[2] = {x->week_long, (const uint8_t *)""};
    const size_t wlen[2] = {N, 0};
    const uint8_t wday[2] = {2, 3};
    /* season 1 from 01-01: N bytes, runs week 1; season 2 from 07-01: one
     * byte 0x07 (not its position), runs the week with the empty name */
    const uint8_t *snm[2] = {x->season_long, (const uint8_t *)"\x07"};
    const size_t slen[2] = {N, 1};
    const uint8_t month[2] = {1, 7};
    const uint8_t *swn[2] = {x->week_long, (const uint8_t *)""};
    const size_t swl[2] = {N, 0};
    days_value(&x->days);
    weeks_value(&x->weeks, 2, wnm, wlen, wday);
    seasons_value(&x->seasons, 2, snm, slen, month, swn, swl);
    octets(&x->name, x->cal, N);
}

static void read_equals(struct cosem_rig *r, uint8_t attr, const struct cosem_val *v, const char *what)
{
    cr_assert_eq(cosem_rig_get(r, 20, CAL, attr), 0, "%s read", what);
    cr_assert(r->val_len == v->n && memcmp(r->val, v->b, v->n) == 0, "%s reads back as written", what);
}

static void write_passive(struct cosem_rig *r, struct names *x)
{
    cr_assert_eq(cosem_rig_set(r, 20, CAL, 9, x->days.b, x->days.n), 0, "days");
    cr_assert_eq(cosem_rig_set(r, 20, CAL, 8, x->weeks.b, x->weeks.n), 0, "weeks");
    cr_assert_eq(cosem_rig_set(r, 20, CAL, 7, x->seasons.b, x->seasons.n), 0, "seasons");
    cr_assert(!r->cosem.tou_staged, "the seasons name the weeks written: handed to the calendar");
    cr_assert_eq(cosem_rig_set(r, 20, CAL, 6, x->name.b, x->name.n), 0, "calendar_name_passive");
}

Test(cosem_names, long_names_read_back_and_move_with_the_activation)
{
    struct cosem_rig *r = cosem_rig_new(T0);
    static struct names x;
    names_values(&x);
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL2);
    write_passive(r, &x);
    read_equals(r, 6, &x.name, "calendar_name_passive");
    read_equals(r, 7, &x.seasons, "season_profile_passive");
    read_equals(r, 8, &x.weeks, "week_profile_table_passive");
    const struct mtr_tou *p = mtr_calendar_passive(&r->cal);
    cr_assert(p->name.set && p->name.len == N && memcmp(p->name.b, x.cal, N) == 0);
    cr_assert(p->week_name[1].set && p->week_name[1].len == 0, "an empty week name is a name");
    cr_assert_eq(mtr_tou_season_week(p, 1), &p->week[1], "season 2 runs the week named \"\"");
    /* the active calendar still has its own (default) name */
    cr_assert_eq(cosem_rig_get(r, 20, CAL, 2), 0);
    cr_assert(r->val_len == 6, "default: a 4-byte digest");

    cr_assert_eq(cosem_rig_action(r, 20, CAL, 1, (const uint8_t[]){MTR_DLMS_INTEGER, 0}, 2), 0, "activate");
    read_equals(r, 2, &x.name, "calendar_name_active");
    read_equals(r, 3, &x.seasons, "season_profile_active");
    read_equals(r, 4, &x.weeks, "week_profile_table_active");
    cr_assert_eq(cosem_rig_get(r, 6, ACT_ENERGY, 4), 0);
    cr_assert(r->val_len == 4 && r->val[3] == 4, "March: season 1, its week runs day 2 (T4)");

    /* kept over a restart (committed with the calendar record by the steps) */
    cosem_rig_run(r, 2000, 1000);
    cosem_rig_reboot(r);
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL1);
    read_equals(r, 2, &x.name, "active name after the restart");
    read_equals(r, 4, &x.weeks, "active weeks after the restart");
    read_equals(r, 7, &x.seasons, "passive seasons after the restart");
    cosem_rig_free(r);
}

/* A SET refused with @p dar that changes neither the calendar nor what is staged. */
static void refused(struct cosem_rig *r, uint8_t attr, const struct cosem_val *v, int dar, const char *what)
{
    static struct mtr_calendar cal;
    static struct mtr_cosem cm;
    memcpy(&cal, &r->cal, sizeof cal);
    memcpy(&cm, &r->cosem, sizeof cm);
    cr_assert_eq(cosem_rig_set(r, 20, CAL, attr, v->b, v->n), dar, "%s", what);
    cr_assert(memcmp(&cal, &r->cal, sizeof cal) == 0, "%s: calendar unchanged", what);
    cr_assert(memcmp(&cm, &r->cosem, sizeof cm) == 0, "%s: nothing staged", what);
}

Test(cosem_names, too_long_and_inconsistent_names_refused_nothing_changed)
{
    struct cosem_rig *r = cosem_rig_new(T0);
    static struct names x;
    static struct cosem_val v;
    uint8_t big[N + 1];
    long_name(big, sizeof big, 'B');
    names_values(&x);
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL2);

    octets(&v, big, N + 1);
    refused(r, 6, &v, MTR_DLMS_DAR_OTHER, "calendar name of N + 1 bytes");
    const uint8_t *w1[2] = {big, (const uint8_t *)"A"};
    const size_t l1[2] = {N + 1, 1};
    const uint8_t d1[2] = {1, 1};
    weeks_value(&v, 2, w1, l1, d1);
    refused(r, 8, &v, MTR_DLMS_DAR_OTHER, "week name of N + 1 bytes");
    const uint8_t *w2[2] = {x.week_long, x.week_long};
    const size_t l2[2] = {N, N};
    weeks_value(&v, 2, w2, l2, d1);
    refused(r, 8, &v, MTR_DLMS_DAR_OTHER, "two weeks of the same name");
    const uint8_t *sn[1] = {big};
    const size_t sl[1] = {N + 1};
    const uint8_t mo[1] = {1};
    const uint8_t *wn[1] = {(const uint8_t *)"\x01"};
    const size_t wl[1] = {1};
    seasons_value(&v, 1, sn, sl, mo, wn, wl);
    refused(r, 7, &v, MTR_DLMS_DAR_OTHER, "season name of N + 1 bytes");
    seasons_value(&v, 1, wn, wl, mo, sn, sl);
    refused(r, 7, &v, MTR_DLMS_DAR_OTHER, "week_name of N + 1 bytes");
    cv_reset(&v);
    cv_uint(&v, MTR_DLMS_UNSIGNED, 1);
    refused(r, 6, &v, MTR_DLMS_DAR_TYPE_UNMATCHED, "calendar name not an octet-string");
    octets(&v, x.cal, N);
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL1);
    refused(r, 6, &v, MTR_DLMS_DAR_READ_WRITE_DENIED, "level 1 names the passive calendar");

    /* seasons naming a week the calendar lacks: staged, never handed over */
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL2);
    const struct mtr_tou before = *mtr_calendar_passive(&r->cal);
    const uint8_t *nope[1] = {(const uint8_t *)"NO-SUCH-WEEK"};
    const size_t nl[1] = {12};
    seasons_value(&v, 1, wn, wl, mo, nope, nl);
    cr_assert_eq(cosem_rig_set(r, 20, CAL, 7, v.b, v.n), 0, "a part: kept staged");
    cr_assert(r->cosem.tou_staged);
    cr_assert(memcmp(&before, mtr_calendar_passive(&r->cal), sizeof before) == 0, "engine unchanged");
    cr_assert_eq(cosem_rig_action(r, 20, CAL, 1, (const uint8_t[]){MTR_DLMS_INTEGER, 0}, 2),
                 MTR_DLMS_DAR_OTHER, "not whole: no activation");
    /* a name written meanwhile goes into the staged copy */
    octets(&v, x.cal, 3);
    cr_assert_eq(cosem_rig_set(r, 20, CAL, 6, v.b, v.n), 0);
    cr_assert(r->cosem.tou_staged);
    read_equals(r, 6, &v, "the staged name");
    cr_assert(memcmp(&before, mtr_calendar_passive(&r->cal), sizeof before) == 0, "engine unchanged");
    /* the week of that name completes it */
    const uint8_t *w3[1] = {nope[0]};
    const uint8_t d3[1] = {1};
    weeks_value(&v, 1, w3, nl, d3);
    cr_assert_eq(cosem_rig_set(r, 20, CAL, 8, v.b, v.n), 0);
    cr_assert(!r->cosem.tou_staged, "whole: handed to the calendar");
    const struct mtr_tou *p = mtr_calendar_passive(&r->cal);
    cr_assert(p->name.set && p->name.len == 3 && memcmp(p->name.b, x.cal, 3) == 0, "with the staged name");
    cr_assert_eq(mtr_tou_season_week(mtr_calendar_passive(&r->cal), 0), &mtr_calendar_passive(&r->cal)->week[0]);
    cosem_rig_free(r);
}

Test(cosem_names, calendar_name_passive_is_writable)
{
    struct cosem_rig *r = cosem_rig_new(T0);
    static struct cosem_val v;
    uint8_t nm[N];
    long_name(nm, N, 'P');
    for (int role = 0; role < MTR_COSEM_ROLES; role++) {
        bool may = role == MTR_COSEM_ROLE_LEVEL2 || role == MTR_COSEM_ROLE_LEVEL3 ||
                   role == MTR_COSEM_ROLE_MANAGEMENT;
        cosem_rig_assoc(r, role);
        octets(&v, nm, (size_t)role + 1u);
        cr_assert_eq(cosem_rig_set(r, 20, CAL, 6, v.b, v.n), may ? 0 : MTR_DLMS_DAR_READ_WRITE_DENIED,
                     "role %d", role);
        if (may) {
            const struct mtr_tou *p = mtr_calendar_passive(&r->cal);
            cr_assert(p->name.set && p->name.len == (uint8_t)(role + 1) && memcmp(p->name.b, nm, p->name.len) == 0);
        }
    }
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL2);
    uint32_t programmed = cosem_rig_count(r, MTR_CAL_EV_PASSIVE_PROGRAMMED);
    uint32_t seq = mtr_calendar_changes(&r->cal);
    for (size_t len = 0; len <= N; len += N) {
        octets(&v, nm, len);
        cr_assert_eq(cosem_rig_set(r, 20, CAL, 6, v.b, v.n), 0, "%zu bytes", len);
        cr_assert_eq(cosem_rig_get(r, 20, CAL, 6), 0);
        cr_assert(r->val_len == v.n && memcmp(r->val, v.b, v.n) == 0, "%zu bytes read back", len);
    }
    cr_assert_eq(cosem_rig_count(r, MTR_CAL_EV_PASSIVE_PROGRAMMED), programmed + 2, "passive TOU programmed");
    cr_assert_gt(mtr_calendar_changes(&r->cal), seq, "to be persisted");
    cr_assert_eq(cosem_rig_get(r, 20, CAL, 2), 0);
    cr_assert(r->val_len == 6, "the active name is untouched");
    cosem_rig_free(r);
}

/* ------------------------------------------------------------ class 6 */

/* register_act_mask {"00 0t", index list of @p nq entries selecting register k + 1}. */
static void mask_value(struct cosem_val *v, unsigned t, unsigned nq, unsigned k)
{
    const uint8_t name[2] = {0, (uint8_t)t};
    cv_reset(v);
    cv_tag_len(v, MTR_DLMS_STRUCTURE, 2);
    cv_bytes(v, MTR_DLMS_OCTET_STRING, name, 2);
    cv_tag_len(v, MTR_DLMS_ARRAY, nq);
    for (unsigned q = 0; q < nq; q++) {
        cv_uint(v, MTR_DLMS_UNSIGNED, q * MTR_CFG_TARIFFS + k + 1u);
    }
}

/* mask_list as read: tariff t selects register reg[t - 1]. */
static void mask_list_value(struct cosem_val *v, unsigned nq, const uint8_t *reg)
{
    cv_reset(v);
    cv_tag_len(v, MTR_DLMS_ARRAY, MTR_CFG_TARIFFS);
    for (unsigned t = 1; t <= MTR_CFG_TARIFFS; t++) {
        const uint8_t name[2] = {0, (uint8_t)t};
        cv_tag_len(v, MTR_DLMS_STRUCTURE, 2);
        cv_bytes(v, MTR_DLMS_OCTET_STRING, name, 2);
        cv_tag_len(v, MTR_DLMS_ARRAY, nq);
        for (unsigned q = 0; q < nq; q++) {
            cv_uint(v, MTR_DLMS_UNSIGNED, q * MTR_CFG_TARIFFS + reg[t - 1]);
        }
    }
}

static void mask_list_is(struct cosem_rig *r, const uint8_t obis[6], unsigned nq, const uint8_t *reg,
                         const char *what)
{
    static struct cosem_val want;
    mask_list_value(&want, nq, reg);
    cr_assert_eq(cosem_rig_get(r, 6, obis, 3), 0);
    cr_assert(r->val_len == want.n && memcmp(r->val, want.b, want.n) == 0, "%s: mask_list", what);
}

/* An ACTION refused with @p res that leaves the calendar engine as it was. */
static void act_refused(struct cosem_rig *r, const uint8_t obis[6], uint8_t m, const struct cosem_val *v, int res,
                        const char *what)
{
    static struct mtr_calendar before;
    memcpy(&before, &r->cal, sizeof before);
    cr_assert_eq(cosem_rig_action(r, 6, obis, m, v->b, v->n), res, "%s", what);
    cr_assert(memcmp(&before, &r->cal, sizeof before) == 0, "%s changed the calendar", what);
}

static bool may_write_tou(int role)
{
    return role == MTR_COSEM_ROLE_LEVEL2 || role == MTR_COSEM_ROLE_LEVEL3 || role == MTR_COSEM_ROLE_MANAGEMENT;
}

static void assignment(struct cosem_val *v, uint16_t cls, uint8_t c, uint8_t d, uint8_t e)
{
    const uint8_t ln[6] = {1, 0, c, d, e, 255};
    cv_reset(v);
    cv_tag_len(v, MTR_DLMS_STRUCTURE, 2);
    cv_uint(v, MTR_DLMS_LONG_UNSIGNED, cls);
    cv_bytes(v, MTR_DLMS_OCTET_STRING, ln, 6);
}

Test(cosem_names, add_register_accepts_the_assigned_registers_only)
{
    struct cosem_rig *r = cosem_rig_new(T0);
    static struct cosem_val v;
    for (int role = 0; role < MTR_COSEM_ROLES; role++) {
        cosem_rig_assoc(r, role);
        assignment(&v, 3, 1, 8, MTR_CFG_TARIFFS);
        act_refused(r, ACT_ENERGY, 1, &v, may_write_tou(role) ? 0 : MTR_DLMS_DAR_READ_WRITE_DENIED,
                    "an energy tariff register already assigned: no-op");
        assignment(&v, 4, MTR_DEMAND_QUANTITIES, 6, 1);
        act_refused(r, ACT_DEMAND, 1, &v, may_write_tou(role) ? 0 : MTR_DLMS_DAR_READ_WRITE_DENIED,
                    "a demand register already assigned: no-op");
    }
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL2);
    assignment(&v, 3, 1, 8, 0);
    act_refused(r, ACT_ENERGY, 1, &v, MTR_DLMS_DAR_OTHER, "the total is not a tariff register");
    assignment(&v, 3, 1, 8, MTR_CFG_TARIFFS + 1);
    act_refused(r, ACT_ENERGY, 1, &v, MTR_DLMS_DAR_OTHER, "a register the build does not meter");
    assignment(&v, 4, 1, 6, 1);
    act_refused(r, ACT_ENERGY, 1, &v, MTR_DLMS_DAR_OTHER, "a demand register on the energy object");
    assignment(&v, 3, MTR_DEMAND_QUANTITIES + 1, 6, 1);
    act_refused(r, ACT_DEMAND, 1, &v, MTR_DLMS_DAR_OTHER, "a quantity without demand");
    cv_reset(&v);
    cv_uint(&v, MTR_DLMS_INTEGER, 0);
    act_refused(r, ACT_ENERGY, 1, &v, MTR_DLMS_DAR_TYPE_UNMATCHED, "not a register_assignment");
    cv_reset(&v);
    cv_tag_len(&v, MTR_DLMS_STRUCTURE, 2);
    cv_uint(&v, MTR_DLMS_LONG_UNSIGNED, 3);
    cv_bytes(&v, MTR_DLMS_OCTET_STRING, "\x01\x00\x01\x08\x01", 5);
    act_refused(r, ACT_ENERGY, 1, &v, MTR_DLMS_DAR_TYPE_UNMATCHED, "a logical name of 5 bytes");
    cosem_rig_free(r);
}

Test(cosem_names, add_mask_and_delete_mask_change_one_tariff)
{
    struct cosem_rig *r = cosem_rig_new(T0);
    static struct cosem_val v;
    uint8_t reg[MTR_CFG_TARIFFS], dreg[MTR_CFG_TARIFFS];
    for (unsigned t = 0; t < MTR_CFG_TARIFFS; t++) {
        reg[t] = dreg[t] = (uint8_t)(t + 1u);
    }
    const unsigned t2 = MTR_CFG_TARIFFS >= 2 ? 2u : 1u;
    const unsigned k = MTR_CFG_TARIFFS - 1u; /* the last register */

    /* rights: level 2 and up */
    for (int role = 0; role < MTR_COSEM_ROLES; role++) {
        if (may_write_tou(role)) {
            continue;
        }
        cosem_rig_assoc(r, role);
        mask_value(&v, t2, MTR_Q_COUNT, k);
        act_refused(r, ACT_ENERGY, 2, &v, MTR_DLMS_DAR_READ_WRITE_DENIED, "add_mask denied");
        octets(&v, (const uint8_t[]){0, (uint8_t)t2}, 2);
        act_refused(r, ACT_ENERGY, 3, &v, MTR_DLMS_DAR_READ_WRITE_DENIED, "delete_mask denied");
    }
    for (int role = 0; role < MTR_COSEM_ROLES; role++) {
        if (!may_write_tou(role)) {
            continue;
        }
        cosem_rig_assoc(r, role);
        struct mtr_meter_wiring w0, w1;
        mtr_meter_wiring(&r->meter, &w0);
        mask_value(&v, t2, MTR_Q_COUNT, k);
        cr_assert_eq(cosem_rig_action(r, 6, ACT_ENERGY, 2, v.b, v.n), 0, "role %d add_mask", role);
        mtr_meter_wiring(&r->meter, &w1);
        cr_assert_gt(w1.calendar_commits, w0.calendar_commits, "committed with the calendar record");
        reg[t2 - 1] = (uint8_t)(k + 1u);
        mask_list_is(r, ACT_ENERGY, MTR_Q_COUNT, reg, "add_mask replaced one mask");
        mask_list_is(r, ACT_DEMAND, MTR_DEMAND_QUANTITIES, dreg, "demand masks kept");
        struct mtr_tariff_masks m;
        cr_assert(mtr_calendar_masks(&r->cal, (uint8_t)t2, &m));
        cr_assert(m.energy == 1u << k && m.demand == 1u << (t2 - 1u));
        octets(&v, (const uint8_t[]){0, (uint8_t)t2}, 2);
        cr_assert_eq(cosem_rig_action(r, 6, ACT_ENERGY, 3, v.b, v.n), 0, "role %d delete_mask", role);
        reg[t2 - 1] = (uint8_t)t2;
        mask_list_is(r, ACT_ENERGY, MTR_Q_COUNT, reg, "delete_mask: the default mask again");
    }

    /* the demand object: demand masks only */
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL2);
    mask_value(&v, 1, MTR_DEMAND_QUANTITIES, k);
    cr_assert_eq(cosem_rig_action(r, 6, ACT_DEMAND, 2, v.b, v.n), 0);
    dreg[0] = (uint8_t)(k + 1u);
    mask_list_is(r, ACT_DEMAND, MTR_DEMAND_QUANTITIES, dreg, "demand add_mask");
    mask_list_is(r, ACT_ENERGY, MTR_Q_COUNT, reg, "energy masks kept");
    uint32_t seq = mtr_calendar_changes(&r->cal);
    cr_assert_eq(cosem_rig_action(r, 6, ACT_DEMAND, 2, v.b, v.n), 0, "the mask in force again");
    cr_assert_eq(mtr_calendar_changes(&r->cal), seq, "nothing changed");

    /* bad parameters: nothing changed */
    mask_value(&v, MTR_CFG_TARIFFS + 1u, MTR_Q_COUNT, 0);
    act_refused(r, ACT_ENERGY, 2, &v, MTR_DLMS_DAR_OTHER, "a new mask name (no such tariff)");
    mask_value(&v, 1, MTR_Q_COUNT - 1u, 0);
    act_refused(r, ACT_ENERGY, 2, &v, MTR_DLMS_DAR_OTHER, "an index list too short");
    mask_value(&v, 1, MTR_Q_COUNT, 0);
    v.b[2 + 4 + 2 + 2 * 1 + 1] = (uint8_t)(MTR_CFG_TARIFFS + 2u); /* quantity 2 on register 2 */
    act_refused(r, ACT_ENERGY, 2, &v, MTR_DLMS_DAR_OTHER, "quantities to different registers");
    mask_value(&v, 1, MTR_Q_COUNT, 0);
    v.b[2 + 4 + 2 + 1] = 0;
    act_refused(r, ACT_ENERGY, 2, &v, MTR_DLMS_DAR_OTHER, "index 0");
    mask_value(&v, 1, MTR_Q_COUNT, 0);
    v.b[2 + 4 + 2] = MTR_DLMS_INTEGER;
    act_refused(r, ACT_ENERGY, 2, &v, MTR_DLMS_DAR_TYPE_UNMATCHED, "an index of the wrong type");
    octets(&v, (const uint8_t *)"\x00\x01", 2);
    act_refused(r, ACT_ENERGY, 2, &v, MTR_DLMS_DAR_TYPE_UNMATCHED, "a name alone to add_mask");
    octets(&v, (const uint8_t *)"PEAK", 4);
    act_refused(r, ACT_ENERGY, 3, &v, MTR_DLMS_DAR_OTHER, "delete an unknown mask");
    octets(&v, (const uint8_t[]){0, (uint8_t)(MTR_CFG_TARIFFS + 1u)}, 2);
    act_refused(r, ACT_ENERGY, 3, &v, MTR_DLMS_DAR_OTHER, "delete the mask of no tariff");
    mask_value(&v, 1, MTR_Q_COUNT, 0);
    act_refused(r, ACT_ENERGY, 3, &v, MTR_DLMS_DAR_TYPE_UNMATCHED, "a mask to delete_mask");
    act_refused(r, ACT_ENERGY, 4, &v, MTR_DLMS_DAR_READ_WRITE_DENIED, "no method 4");
    mask_list_is(r, ACT_ENERGY, MTR_Q_COUNT, reg, "energy unchanged");
    mask_list_is(r, ACT_DEMAND, MTR_DEMAND_QUANTITIES, dreg, "demand unchanged");

    /* kept over a restart */
    cosem_rig_reboot(r);
    cosem_rig_assoc(r, MTR_COSEM_ROLE_LEVEL1);
    mask_list_is(r, ACT_DEMAND, MTR_DEMAND_QUANTITIES, dreg, "demand mask after the restart");
    cosem_rig_free(r);
}
