/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Power cuts: a capture and a reset are cut at every byte they program or
 * erase, on NOR flash (write unit 1 and 8) and EEPROM, both in the middle of
 * an erase unit and where the ring must first drop its oldest unit. After a
 * restart the profile holds either the old or the new state: the same
 * entries, or those plus the new entry; nothing duplicated or out of order,
 * and the profile goes on capturing.
 */
#include <stdlib.h>

#include "profile_fixture.h"

#define MAXE 64

struct state {
    uint32_t n;
    mtr_utc_t t[MAXE];
    uint8_t status[MAXE];
    bool has_reset;
};

static void observe(struct px *f, struct state *s)
{
    struct mtr_profile_entry e[MAXE];
    memset(s, 0, sizeof *s);
    s->n = px_all(f, e, MAXE);
    cr_assert_eq(s->n, mtr_profile_entries_in_use(&f->p));
    for (uint32_t i = 0; i < s->n; i++) {
        s->t[i] = e[i].utc;
        s->status[i] = e[i].status;
        px_check_values(&e[i]);
        if (i > 0) {
            cr_assert_gt(s->t[i], s->t[i - 1], "entries duplicated or out of order");
        }
    }
    mtr_utc_t r;
    s->has_reset = mtr_profile_last_reset(&f->p, &r);
}

static bool same(const struct state *a, const struct state *b)
{
    return a->n == b->n && a->has_reset == b->has_reset &&
           memcmp(a->t, b->t, sizeof a->t) == 0 && memcmp(a->status, b->status, sizeof a->status) == 0;
}

enum op { OP_CAPTURE, OP_RESET };

/* Prepare @k entries, then cut @op at every byte. */
static void cut_every_byte(enum geo g, int k, enum op op)
{
    struct px f;
    px_open(&f, g);
    for (int i = 1; i <= k; i++) {
        cr_assert_eq(px_capture(&f, T0 + i * MIN15, 0), MTR_OK);
    }
    const mtr_utc_t tn = T0 + (k + 1) * MIN15;
    /* The old and the new state, from an uncut run. */
    uint8_t *img = malloc(PX_NVM);
    cr_assert_not_null(img);
    memcpy(img, mtr_sim_nvm_data(&f.sim), PX_NVM);
    struct state old_s, new_s, got;
    observe(&f, &old_s);
    mtr_profile_note(&f.p, MTR_PROFILE_ST_PDN);
    cr_assert_eq(op == OP_CAPTURE ? px_capture(&f, tn, 0) : mtr_profile_reset(&f.p, tn), MTR_OK);
    observe(&f, &new_s);
    cr_assert(!same(&old_s, &new_s));

    uint32_t cuts = 0, olds = 0, news = 0;
    for (uint32_t cut = 0;; cut++) {
        memcpy(mtr_sim_nvm_data(&f.sim), img, PX_NVM);
        cr_assert_eq(px_boot(&f), MTR_OK);
        mtr_profile_note(&f.p, MTR_PROFILE_ST_PDN);
        mtr_sim_nvm_cut_after(&f.sim, cut);
        mtr_err_t rc = op == OP_CAPTURE ? px_capture(&f, tn, 0) : mtr_profile_reset(&f.p, tn);
        bool was_cut = !mtr_sim_nvm_powered(&f.sim);
        mtr_sim_nvm_restore(&f.sim);
        if (!was_cut) {
            cr_assert_eq(rc, MTR_OK);
            break;
        }
        cr_assert_neq(rc, MTR_OK, "cut %u: the call reported success", cut);
        cuts++;
        cr_assert_eq(px_boot(&f), MTR_OK, "cut %u: restart failed", cut);
        observe(&f, &got);
        bool is_old = same(&got, &old_s), is_new = same(&got, &new_s);
        cr_assert(is_old || is_new, "cut %u: neither the old nor the new state (%u entries)", cut,
                  got.n);
        olds += is_old ? 1u : 0u;
        news += is_new ? 1u : 0u;
        /* The profile goes on: one more capture is readable after it. */
        cr_assert_eq(px_capture(&f, tn + MIN15, 0), MTR_OK);
        struct state after;
        observe(&f, &after);
        cr_assert_eq(after.t[after.n - 1], tn + MIN15);
        cr_assert_eq(px_boot(&f), MTR_OK);
        struct state again;
        observe(&f, &again);
        cr_assert(same(&after, &again));
    }
    cr_assert_gt(cuts, 20u);
    cr_assert_gt(olds, 0u);
    cr_log_info("profile power %d k=%d op=%d: %u cuts, %u old, %u new", (int)g, k, (int)op, cuts,
                olds, news);
    free(img);
    px_close(&f);
}

/* NOR1: 9 slots per unit, so the 10th capture opens a new unit and the
 * 37th must first drop the oldest unit (4 units of 9). */
Test(profile_power, capture_nor1)
{
    cut_every_byte(GEO_NOR1, 4, OP_CAPTURE);
    cut_every_byte(GEO_NOR1, 9, OP_CAPTURE);
    cut_every_byte(GEO_NOR1, 36, OP_CAPTURE);
    cut_every_byte(GEO_NOR1, 50, OP_CAPTURE);
}
Test(profile_power, capture_nor8)
{
    cut_every_byte(GEO_NOR8, 5, OP_CAPTURE);
    cut_every_byte(GEO_NOR8, 32, OP_CAPTURE);
}
Test(profile_power, capture_eeprom)
{
    cut_every_byte(GEO_EEPROM, 5, OP_CAPTURE);
    cut_every_byte(GEO_EEPROM, 36, OP_CAPTURE);
}
Test(profile_power, reset_nor1)
{
    cut_every_byte(GEO_NOR1, 6, OP_RESET);
    cut_every_byte(GEO_NOR1, 36, OP_RESET);
}
Test(profile_power, reset_nor8)
{
    cut_every_byte(GEO_NOR8, 8, OP_RESET);
}
Test(profile_power, reset_eeprom)
{
    cut_every_byte(GEO_EEPROM, 12, OP_RESET);
}

/* A reset just before an erase unit is dropped, then captures: a cut at any
 * point of the following capture never brings the old entries back. */
Test(profile_power, reset_not_undone_by_a_cut)
{
    struct px f;
    px_open(&f, GEO_NOR1);
    for (int i = 1; i <= 30; i++) {
        cr_assert_eq(px_capture(&f, T0 + i * MIN15, 0), MTR_OK);
    }
    cr_assert_eq(mtr_profile_reset(&f.p, T0 + 31 * MIN15), MTR_OK);
    for (int i = 32; i <= 60; i++) {
        mtr_sim_nvm_cut_after(&f.sim, (uint32_t)(i * 7) % 70u);
        (void)px_capture(&f, T0 + i * MIN15, 0);
        mtr_sim_nvm_restore(&f.sim);
        cr_assert_eq(px_boot(&f), MTR_OK);
        struct state s;
        observe(&f, &s);
        for (uint32_t k = 0; k < s.n; k++) {
            cr_assert_gt(s.t[k], T0 + 31 * MIN15, "an entry from before the reset came back");
        }
    }
    px_close(&f);
}
