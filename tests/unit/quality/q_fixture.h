/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test bed of the power-quality engine: recorders for events, voltage
 * records and power failures, functions that build measuring-period inputs,
 * and a reader for the seed's event-codes.csv.
 */
#ifndef Q_FIXTURE_H
#define Q_FIXTURE_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meter/hal.h"
#include "meter/quality.h"

#define FX_MAX 4096
#define UN 230000 /* Un = 230 V */

struct fx_event {
    uint16_t code;
    const char *name;
    mtr_utc_t utc;
    int64_t value;
};

struct fx_pf {
    mtr_utc_t start, end;
    uint64_t dur;
};

struct fx {
    struct mtr_quality_config cfg;
    struct mtr_quality q;
    struct fx_event ev[FX_MAX];
    int nev;
    struct mtr_quality_record rec[FX_MAX];
    int nrec;
    struct fx_pf pf[64];
    int npf;
    mtr_utc_t now; /* utc of the next step */
};

static struct fx fx;

static inline void fx_on_event(void *user, uint16_t code, const char *name, mtr_utc_t utc,
                               int64_t value)
{
    cr_assert_eq(user, &fx);
    cr_assert_lt(fx.nev, FX_MAX);
    fx.ev[fx.nev++] = (struct fx_event){code, name, utc, value};
}

static inline void fx_on_record(void *user, const struct mtr_quality_record *r)
{
    cr_assert_eq(user, &fx);
    cr_assert_lt(fx.nrec, FX_MAX);
    fx.rec[fx.nrec++] = *r;
}

static inline void fx_on_pf(void *user, mtr_utc_t start, mtr_utc_t end, uint64_t dur)
{
    cr_assert_eq(user, &fx);
    cr_assert_lt(fx.npf, 64);
    fx.pf[fx.npf++] = (struct fx_pf){start, end, dur};
}

/* Init with the default settings, @p phases phases, the clock at 1e9 s. */
static inline void fx_init_phases(uint8_t phases)
{
    memset(&fx, 0, sizeof fx);
    fx.cfg.on_event = fx_on_event;
    fx.cfg.on_voltage_record = fx_on_record;
    fx.cfg.on_power_failure = fx_on_pf;
    fx.cfg.user = &fx;
    fx.cfg.un_mv = UN;
    fx.cfg.phases = phases;
    mtr_quality_settings_default(&fx.cfg.settings);
    fx.cfg.settings.bvq_days = 0; /* only the weekly tests turn it on */
    fx.now = 1000000000;
    cr_assert_eq(mtr_quality_init(&fx.q, &fx.cfg), MTR_OK);
}

static inline void fx_init(void)
{
    fx_init_phases(3);
}

/* Apply settings changed in fx.cfg.settings. */
static inline void fx_apply(void)
{
    cr_assert_eq(mtr_quality_set(&fx.q, &fx.cfg.settings), MTR_OK);
}

/* A healthy balanced period: Un, 5 A importing at PF 1, sequence +1. */
static inline struct mtr_quality_input fx_normal(void)
{
    struct mtr_quality_input in;
    memset(&in, 0, sizeof in);
    for (int p = 0; p < MTR_QUALITY_PHASES; p++) {
        in.ph[p].u_mv = UN;
        in.ph[p].i_ma = 5000;
        in.ph[p].p_mw = (mtr_mw_t)UN * 5;
    }
    in.pf = 10000;
    in.in_ua = 0;
    in.sequence = 1;
    in.period_ms = 1000;
    return in;
}

/* Step @p n periods of 1 s with input @p in; fx.now advances. */
static inline void fx_run(const struct mtr_quality_input *in, int n)
{
    for (int i = 0; i < n; i++) {
        cr_assert_eq(mtr_quality_step(&fx.q, in, fx.now), MTR_OK);
        fx.now += in->period_ms / 1000u;
    }
}

/* Step @p n periods with phase @p p at @p u_mv, the others normal. */
static inline void fx_run_u(int p, mtr_mv_t u_mv, int n)
{
    struct mtr_quality_input in = fx_normal();
    in.ph[p].u_mv = u_mv;
    fx_run(&in, n);
}

/* Events with @p code. */
static inline int fx_count(uint16_t code)
{
    int n = 0;
    for (int i = 0; i < fx.nev; i++) {
        n += fx.ev[i].code == code;
    }
    return n;
}

/* The only event with @p code (asserts there is exactly one). */
static inline const struct fx_event *fx_one(uint16_t code)
{
    const struct fx_event *e = NULL;
    cr_assert_eq(fx_count(code), 1, "code %u seen %d times", code, fx_count(code));
    for (int i = 0; i < fx.nev; i++) {
        if (fx.ev[i].code == code) {
            e = &fx.ev[i];
        }
    }
    return e;
}

static inline struct mtr_quality_counters fx_counters(void)
{
    struct mtr_quality_counters c;
    mtr_quality_counters(&fx.q, &c);
    return c;
}

/* ---------------------------------------------------------------- CSV */

#include "../../support/csv_split.h" /* csv_split(), CSV_LINE, CSV_MAX_FIELDS */

/* True when (code, name) is a row of event-codes.csv. */
static inline bool csv_has_event(uint16_t code, const char *name)
{
    char line[CSV_LINE], *f[CSV_MAX_FIELDS], path[1024];
    bool found = false;
    FILE *fp;

    snprintf(path, sizeof path, "%s/event-codes.csv", MTR_Q_REFERENCE);
    fp = fopen(path, "r");
    cr_assert_not_null(fp, "cannot open %s", path);
    cr_assert_not_null(fgets(line, sizeof line, fp));
    csv_split(line, f);
    cr_assert_str_eq(f[0], "code");
    cr_assert_str_eq(f[1], "name");
    while (!found && fgets(line, sizeof line, fp) != NULL) {
        int n = csv_split(line, f);
        found = n >= 2 && atoi(f[0]) == code && strcmp(f[1], name) == 0;
    }
    fclose(fp);
    return found;
}

/* Every event raised so far is a (code, name) row of the seed's file. */
static inline void fx_check_names(void)
{
    for (int i = 0; i < fx.nev; i++) {
        cr_assert(csv_has_event(fx.ev[i].code, fx.ev[i].name), "(%u, %s) not in event-codes.csv",
                  fx.ev[i].code, fx.ev[i].name);
        cr_assert(fx.ev[i].code != 254 && fx.ev[i].code != 255 && fx.ev[i].code != 1 &&
                  fx.ev[i].code != 2);
    }
}

#endif /* Q_FIXTURE_H */
