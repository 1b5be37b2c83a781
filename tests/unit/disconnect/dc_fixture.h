/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test bed of the disconnect engine: the sim HAL with a relay op that can
 * cut the power, a persist callback standing in for the store, event and
 * alarm recorders, and readers for the seed's CSV files.
 *
 * Power-cut model: every side effect (persist, relay command, event) is a
 * step; with cut_at = k the power fails just before step k (steps 0..k-1
 * happened): the hook longjmps out of the engine, whose RAM is then
 * abandoned, as at a real cut. NVM (the last persisted blob) and the relay
 * positions survive.
 */
#ifndef DC_FIXTURE_H
#define DC_FIXTURE_H

#include <criterion/criterion.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meter/disconnect.h"
#include "sim.h"

#define FX_MAX_EVENTS 256

struct fx_event {
    uint8_t code;
    uint8_t ch;
    const char *name;
};

struct fx {
    struct mtr_sim sim;
    struct mtr_hal hal;
    struct mtr_io_ops io;
    struct mtr_dc_config cfg;
    struct mtr_disconnect dc;
    uint8_t nv[MTR_DISCONNECT_BLOB_SIZE];
    size_t nv_len;
    int persists;
    mtr_err_t persist_err;
    struct fx_event ev[FX_MAX_EVENTS];
    int nev;
    int alarms;
    uint8_t alarm_reg;
    uint32_t alarm_mask;
    int steps;
    int cut_at; /* -1: no cut */
    jmp_buf jb;
};

static struct fx fx;

static inline void fx_step(void)
{
    if (fx.cut_at >= 0 && fx.steps == fx.cut_at) {
        longjmp(fx.jb, 1);
    }
    fx.steps++;
}

static inline mtr_err_t fx_persist(void *user, const uint8_t *blob, size_t len)
{
    (void)user;
    fx_step();
    if (fx.persist_err != MTR_OK) {
        return fx.persist_err;
    }
    cr_assert_eq(len, sizeof fx.nv);
    memcpy(fx.nv, blob, len);
    fx.nv_len = len;
    fx.persists++;
    return MTR_OK;
}

static inline void fx_on_event(void *user, const struct mtr_dc_event *ev)
{
    (void)user;
    fx_step();
    cr_assert_lt(fx.nev, FX_MAX_EVENTS);
    fx.ev[fx.nev].code = ev->code;
    fx.ev[fx.nev].ch = ev->channel;
    fx.ev[fx.nev].name = ev->name;
    fx.nev++;
}

static inline void fx_on_alarm(void *user, uint8_t reg, uint32_t mask)
{
    (void)user;
    fx.alarms++;
    fx.alarm_reg = reg;
    fx.alarm_mask = mask;
}

static mtr_err_t (*fx_sim_relay_set)(void *ctx, uint8_t relay, bool closed);

static inline mtr_err_t fx_relay_set(void *ctx, uint8_t relay, bool closed)
{
    fx_step();
    return fx_sim_relay_set(ctx, relay, closed);
}

static inline mtr_ms_t fx_ms(void)
{
    mtr_ms_t ms = 0;
    cr_assert_eq(fx.hal.clock->ms_now(fx.hal.ctx, &ms), MTR_OK);
    return ms;
}

static inline mtr_utc_t fx_utc(void)
{
    mtr_utc_t utc = 0;
    cr_assert_eq(fx.hal.clock->rtc_get(fx.hal.ctx, &utc), MTR_OK);
    return utc;
}

/* Defaults used by every suite: limiter 5 kW normal, 3 kW emergency, 60 s
 * window, 60 s penalty, no minimum durations; seed hold time for manual
 * reconnection (> 10 s, tou-limits.json display.button_timing_s). */
static inline void fx_default_config(struct mtr_dc_config *c, uint8_t mode)
{
    memset(c, 0, sizeof *c);
    c->persist = fx_persist;
    c->on_event = fx_on_event;
    c->on_alarm = fx_on_alarm;
    for (uint8_t ch = 0; ch < MTR_CFG_DISCONNECT_CHANNELS; ch++) {
        c->relay[ch] = ch;
    }
    c->mode = mode;
    c->group_id = 7;
    c->feedback_ms = 200;
    c->debounce_ms = 50;
    c->disconnect_hold_ms = 3000;
    c->reconnect_hold_ms = 10000;
    c->limiter.normal_mw = 5000000;
    c->limiter.emergency_mw = 3000000;
    c->limiter.period_s = 60;
    c->limiter.penalty_s = 60;
}

/* Fresh sim board and an engine started in its default (ready) state. */
static inline void fx_setup_mode(uint8_t mode)
{
    struct mtr_sim_config sc;

    memset(&fx, 0, sizeof fx);
    fx.cut_at = -1;
    mtr_sim_default_config(&sc);
    cr_assert_eq(mtr_sim_init(&fx.sim, &sc), MTR_OK);
    mtr_sim_hal(&fx.sim, &fx.hal);
    fx.io = *fx.hal.io;
    fx_sim_relay_set = fx.io.relay_set;
    fx.io.relay_set = fx_relay_set;
    fx.hal.io = &fx.io;
    fx_default_config(&fx.cfg, mode);
    cr_assert_eq(mtr_disconnect_init(&fx.dc, &fx.cfg, &fx.hal), MTR_OK);
    cr_assert_eq(mtr_disconnect_start(&fx.dc, fx_ms()), MTR_OK);
    fx.nev = 0;
}

static inline void fx_teardown(void)
{
    mtr_sim_free(&fx.sim);
}

/* Restart after a power cut: a new engine adopts the last persisted blob. */
static inline mtr_err_t fx_restart(void)
{
    fx.cut_at = -1;
    cr_assert_eq(mtr_disconnect_init(&fx.dc, &fx.cfg, &fx.hal), MTR_OK);
    if (fx.nv_len == 0) {
        return mtr_disconnect_start(&fx.dc, fx_ms());
    }
    return mtr_disconnect_restore(&fx.dc, fx.nv, fx.nv_len, fx_ms());
}

/* Let one second pass and tick with @p mw. */
static inline mtr_err_t fx_tick_s(mtr_mw_t mw)
{
    struct mtr_dc_input in;

    mtr_sim_advance(&fx.sim, 1000);
    in.now_ms = fx_ms();
    in.now_utc = fx_utc();
    in.monitored_mw = mw;
    cr_assert_eq(fx.hal.io->inputs(fx.hal.ctx, &in.inputs), MTR_OK);
    return mtr_disconnect_tick(&fx.dc, &in);
}

/* Let @p ms pass and tick without a new limiter second's worth of change. */
static inline mtr_err_t fx_tick_ms(uint32_t ms, mtr_mw_t mw)
{
    struct mtr_dc_input in;

    mtr_sim_advance(&fx.sim, ms);
    in.now_ms = fx_ms();
    in.now_utc = fx_utc();
    in.monitored_mw = mw;
    cr_assert_eq(fx.hal.io->inputs(fx.hal.ctx, &in.inputs), MTR_OK);
    return mtr_disconnect_tick(&fx.dc, &in);
}

static inline int fx_count(uint8_t code)
{
    int n = 0;
    for (int i = 0; i < fx.nev; i++) {
        n += fx.ev[i].code == code;
    }
    return n;
}

/* Snapshot of everything an error must leave alone. */
struct fx_snap {
    uint8_t blob[MTR_DISCONNECT_BLOB_SIZE];
    uint32_t relay_ops[MTR_CFG_DISCONNECT_CHANNELS];
    int nev, persists, alarms;
};

static inline void fx_snap(struct fx_snap *s)
{
    cr_assert_eq(mtr_disconnect_save(&fx.dc, s->blob, sizeof s->blob), MTR_OK);
    for (uint8_t ch = 0; ch < MTR_CFG_DISCONNECT_CHANNELS; ch++) {
        s->relay_ops[ch] = mtr_sim_relay_ops(&fx.sim, ch);
    }
    s->nev = fx.nev;
    s->persists = fx.persists;
    s->alarms = fx.alarms;
}

static inline void fx_assert_unchanged(const struct fx_snap *s, const char *what)
{
    struct fx_snap now;
    fx_snap(&now);
    cr_assert_arr_eq(now.blob, s->blob, sizeof s->blob, "%s: saved state changed", what);
    for (uint8_t ch = 0; ch < MTR_CFG_DISCONNECT_CHANNELS; ch++) {
        cr_assert_eq(now.relay_ops[ch], s->relay_ops[ch], "%s: relay %u driven", what, ch);
    }
    cr_assert_eq(now.nev, s->nev, "%s: event logged", what);
    cr_assert_eq(now.persists, s->persists, "%s: persisted", what);
    cr_assert_eq(now.alarms, s->alarms, "%s: alarm raised", what);
}

/* ------------------------------------------------------------ seed CSVs */

#include "../../support/csv_split.h" /* csv_split(), CSV_LINE, CSV_MAX_FIELDS */

static FILE *csv_open(const char *name)
{
    char path[1024];
    FILE *f;
    snprintf(path, sizeof path, "%s/%s", MTR_DC_REFERENCE, name);
    f = fopen(path, "r");
    cr_assert_not_null(f, "cannot open %s", path);
    return f;
}

static inline int csv_col(char **hdr, int n, const char *name)
{
    for (int i = 0; i < n; i++) {
        if (strcmp(hdr[i], name) == 0) {
            return i;
        }
    }
    cr_assert_fail("column %s missing", name);
    return -1;
}

/* True when (code, name) is a row of event-codes.csv. */
static inline bool csv_has_event(uint8_t code, const char *name)
{
    char line[CSV_LINE], *f[CSV_MAX_FIELDS];
    bool found = false;
    FILE *fp = csv_open("event-codes.csv");
    int n = csv_split(fgets(line, sizeof line, fp), f);
    int ccode = csv_col(f, n, "code"), cname = csv_col(f, n, "name");

    while (!found && fgets(line, sizeof line, fp) != NULL) {
        n = csv_split(line, f);
        found = n > cname && atoi(f[ccode]) == code && strcmp(f[cname], name) == 0;
    }
    fclose(fp);
    return found;
}

#endif /* DC_FIXTURE_H */
