/* SPDX-License-Identifier: Apache-2.0 */
/* Shared set-up of the prepaid tests: an EA07 STS decoder with the CTSA01
 * decoder key, an engine in currency or energy mode, token encoding, ticks
 * and the ledger check. */
#ifndef PP_FIXTURE_H
#define PP_FIXTURE_H

#include <criterion/criterion.h>
#include <string.h>

#include "meter/hal.h"
#include "meter/prepaid.h"
#include "meter/sts.h"
#include "sts_test_tables.h"

/* CTSA01 decoder key (STS 531-1), as used by the sts suite. */
#define PP_DK 0xe653341f9d5bf36full

struct pp_fx {
    struct mtr_sts_cipher ciph;
    struct mtr_sts sts;
    struct mtr_prepaid_config cfg;
    struct mtr_prepaid pp;
    mtr_utc_t utc;
    mtr_ms_t ms;
    uint32_t tid;
};

static inline void pp_fx_init(struct pp_fx *fx, uint8_t unit)
{
    struct mtr_sts_key key = {.dk = PP_DK, .krn = 1, .kt = 2, .ti = 1, .ken = 255,
                              .base = MTR_STS_BASE_2014};
    memset(fx, 0, sizeof *fx);
    fx->ciph = (struct mtr_sts_cipher){.ea = MTR_STS_EA07, .sta = &sts_test_tables};
    cr_assert_eq(mtr_sts_init(&fx->sts, &fx->ciph, &key), MTR_OK);
    fx->cfg.unit = unit;
    fx->cfg.token_scale = unit == MTR_PREPAID_UNIT_ENERGY ? 100000 : 1; /* 0.1 kWh in mWh */
    fx->cfg.ec_button = MTR_IN_BUTTON_2;
    fx->cfg.ec_press_min_ms = 50;
    fx->cfg.ec_press_max_ms = 5000;
    cr_assert_eq(mtr_prepaid_init(&fx->pp, &fx->cfg, &fx->sts), MTR_OK);
    cr_assert_eq(mtr_prepaid_activate(&fx->pp, 0), MTR_OK);
    fx->utc = 1735689600; /* 2025-01-01T00:00Z (a Wednesday) */
    fx->tid = 5000000;
}

/* Encode a credit token of @p field (amount field) with a fresh TID. */
static inline void pp_fx_token(struct pp_fx *fx, uint8_t subclass, uint32_t value, char out[21])
{
    uint16_t field;
    uint32_t rep;
    struct mtr_sts_token t;
    cr_assert_eq(mtr_sts_amount_encode(value, &field, &rep), MTR_OK);
    cr_assert_eq(rep, value, "amount %u not exactly codable", value);
    memset(&t, 0, sizeof t);
    t.cls = MTR_STS_CLASS_CREDIT;
    t.subclass = subclass;
    t.rnd = (uint8_t)(fx->tid & 15u);
    t.tid = fx->tid++;
    t.field = field;
    cr_assert_eq(mtr_sts_encode(&fx->ciph, PP_DK, &t, out), MTR_OK);
}

/* Weekday 0 = Monday of a UTC time (the tests treat UTC as local time). */
static inline uint8_t pp_weekday(mtr_utc_t utc)
{
    return (uint8_t)(((utc / 86400) + 3) % 7); /* 1970-01-01 was a Thursday */
}

/* Tick at fx->utc with the given usage (NULL: none), buttons, friendly input. */
static inline struct mtr_prepaid_output pp_fx_tick(struct pp_fx *fx,
                                                    const struct mtr_prepaid_usage *u,
                                                    uint32_t inputs, bool friendly)
{
    struct mtr_prepaid_input in;
    struct mtr_prepaid_output out;
    memset(&in, 0, sizeof in);
    in.utc = fx->utc;
    in.now_ms = fx->ms;
    in.weekday = pp_weekday(fx->utc);
    in.hour = (uint8_t)((fx->utc % 86400) / 3600);
    in.friendly = friendly;
    in.inputs = inputs;
    in.usage = u;
    cr_assert_eq(mtr_prepaid_tick(&fx->pp, &in, &out), MTR_OK);
    return out;
}

/* The books balance exactly. */
static inline void pp_fx_balanced(const struct mtr_prepaid *pp)
{
    struct mtr_prepaid_ledger l = mtr_prepaid_ledger(pp);
    cr_assert_eq(l.bought + l.granted, l.consumed + l.cleared + l.left,
                 "in %lld + %lld != consumed %lld + cleared %lld + left %lld", (long long)l.bought,
                 (long long)l.granted, (long long)l.consumed, (long long)l.cleared,
                 (long long)l.left);
}

#endif
