/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test bed of the events engine: a simulated NVM (NOR flash or EEPROM) with
 * a store holding the state snapshot and one ring per event log, the nine
 * log profiles with their default columns, an alarm push recorder, readers
 * for the logs, and the seed's csv files.
 */
#ifndef EV_FIXTURE_H
#define EV_FIXTURE_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meter/events.h"
#include "meter/profile.h"
#include "meter/store.h"
#include "sim.h"
#include "../../support/sim_nvm.h"

enum fx_geo { FX_NOR1, FX_NOR8, FX_EEPROM };

#define FX_SECTOR      1024u
#define FX_STATE_PART  1u
#define FX_LOG_PART(l) ((uint16_t)(10u + (l)))
#define FX_LOG_SECTORS 2u
#define FX_CAPACITY    12u
#define FX_SMALL_PART  2u /* a snapshot too small for the state */
#define FX_NPARTS      (2u + MTR_EVLOG_COUNT)
#define FX_NVM         (FX_SECTOR * (4u + FX_LOG_SECTORS * MTR_EVLOG_COUNT))
#define FX_MAX_PUSH    64

struct fx_push {
    uint8_t reg;
    uint32_t bits;
};

struct fx {
    struct mtr_sim sim;
    struct mtr_hal hal;
    struct mtr_store st;
    struct mtr_store_part parts[FX_NPARTS];
    struct mtr_store_part_cfg table[FX_NPARTS];
    struct mtr_store_cfg scfg;
    struct mtr_profile_config pcfg[MTR_EVLOG_COUNT];
    struct mtr_profile prof[MTR_EVLOG_COUNT];
    struct mtr_events_config ecfg;
    struct mtr_events ev;
    uint16_t kept; /* logs given to the engine */
    struct fx_push push[FX_MAX_PUSH];
    int npush;
};

static inline void fx_on_alarm(void *user, uint8_t reg, uint32_t bits)
{
    struct fx *f = user;
    cr_assert(bits != 0, "push hook called without new bits");
    if (f->npush < FX_MAX_PUSH) {
        f->push[f->npush].reg = reg;
        f->push[f->npush].bits = bits;
    }
    f->npush++;
}

/* (Re)start store and engine, as a reboot does. */
static inline mtr_err_t fx_boot(struct fx *f)
{
    f->scfg = (struct mtr_store_cfg){.parts = f->table, .state = f->parts, .nparts = FX_NPARTS};
    mtr_err_t rc = mtr_store_init(&f->st, &f->hal, &f->scfg);
    if (rc != MTR_OK) {
        return rc;
    }
    memset(&f->ecfg, 0, sizeof f->ecfg);
    f->ecfg.store = &f->st;
    f->ecfg.state_part = FX_STATE_PART;
    for (uint8_t l = 0; l < MTR_EVLOG_COUNT; l++) {
        if (f->kept & (1u << l)) {
            f->ecfg.log[l] = &f->prof[l];
            f->ecfg.log_cfg[l] = &f->pcfg[l];
        }
    }
    f->ecfg.on_alarm = fx_on_alarm;
    f->ecfg.user = f;
    return mtr_events_init(&f->ev, &f->ecfg);
}

static inline void fx_open_geo(struct fx *f, enum fx_geo g, uint16_t kept)
{
    memset(f, 0, sizeof *f);
    sim_nvm_open(&f->sim, &f->hal, FX_NVM, FX_SECTOR, g == FX_NOR8 ? 8u : 1u, g != FX_EEPROM);
    f->table[0] = (struct mtr_store_part_cfg){.id = FX_STATE_PART,
                                              .kind = MTR_STORE_SNAPSHOT,
                                              .first_sector = 0,
                                              .sectors = 2,
                                              .record_size = MTR_EVENTS_BLOB_SIZE};
    for (uint8_t l = 0; l < MTR_EVLOG_COUNT; l++) {
        f->table[1 + l] =
            (struct mtr_store_part_cfg){.id = FX_LOG_PART(l),
                                        .kind = MTR_STORE_RING,
                                        .first_sector = 2u + FX_LOG_SECTORS * l,
                                        .sectors = FX_LOG_SECTORS,
                                        .record_size = (uint16_t)mtr_events_log_record_size(l)};
        cr_assert_eq(mtr_events_log_default(l, FX_LOG_PART(l), FX_CAPACITY, &f->pcfg[l]), MTR_OK);
    }
    f->table[1 + MTR_EVLOG_COUNT] =
        (struct mtr_store_part_cfg){.id = FX_SMALL_PART,
                                    .kind = MTR_STORE_SNAPSHOT,
                                    .first_sector = 2u + FX_LOG_SECTORS * MTR_EVLOG_COUNT,
                                    .sectors = 2,
                                    .record_size = 100};
    f->kept = kept;
    cr_assert_eq(fx_boot(f), MTR_OK);
}

#define FX_ALL_LOGS ((uint16_t)((1u << MTR_EVLOG_COUNT) - 1u))

static inline void fx_open(struct fx *f)
{
    fx_open_geo(f, FX_NOR1, FX_ALL_LOGS);
}

static inline void fx_close(struct fx *f)
{
    mtr_sim_free(&f->sim);
}

/* Entries of a log, oldest first: time and values. */
#define FX_MAX_ENTRIES 64
struct fx_log {
    uint32_t n;
    mtr_utc_t utc[FX_MAX_ENTRIES];
    int64_t v[FX_MAX_ENTRIES][MTR_EVENTS_MAX_VALUES];
    uint8_t nv;
};

static inline void fx_read_log(struct fx *f, uint8_t log, struct fx_log *out)
{
    memset(out, 0, sizeof *out);
    struct mtr_profile *p = mtr_events_log(&f->ev, log);
    cr_assert_not_null(p, "log %u is not kept", log);
    struct mtr_profile_sel sel = {.by = MTR_PROFILE_ALL};
    struct mtr_profile_cursor cur;
    uint32_t count;
    cr_assert_eq(mtr_profile_select(p, &sel, &cur, &count), MTR_OK);
    cr_assert_leq(count, FX_MAX_ENTRIES);
    static struct mtr_profile_entry e;
    mtr_err_t rc;
    while ((rc = mtr_profile_next(p, &sel, &cur, &e)) == MTR_OK) {
        cr_assert_lt(out->n, FX_MAX_ENTRIES);
        out->utc[out->n] = e.utc;
        out->nv = e.nvalues;
        for (uint8_t i = 0; i < e.nvalues && i < MTR_EVENTS_MAX_VALUES; i++) {
            out->v[out->n][i] = e.v[i];
        }
        out->n++;
    }
    cr_assert_eq(rc, MTR_ERR_EMPTY);
    cr_assert_eq(out->n, count, "log %u: %u entries read, %u counted", log, out->n, count);
}

/* Everything observable of the engine: registers, counters, every log. */
struct fx_obs {
    uint32_t error, alarm[2], filter[2], desc[2];
    uint32_t log_count[MTR_EVLOG_COUNT];
    uint32_t code_count[MTR_EVENTS_CODES];
    uint32_t short_failures;
    struct fx_log logs[MTR_EVLOG_COUNT];
};

static inline void fx_observe(struct fx *f, struct fx_obs *o)
{
    memset(o, 0, sizeof *o);
    o->error = mtr_events_error(&f->ev);
    for (uint8_t r = 0; r < 2; r++) {
        o->alarm[r] = mtr_events_alarm(&f->ev, (uint8_t)(r + 1));
        o->filter[r] = mtr_events_filter(&f->ev, (uint8_t)(r + 1));
        o->desc[r] = mtr_events_descriptor(&f->ev, (uint8_t)(r + 1));
    }
    for (uint8_t l = 0; l < MTR_EVLOG_COUNT; l++) {
        o->log_count[l] = mtr_events_log_count(&f->ev, l);
        if (f->kept & (1u << l)) {
            fx_read_log(f, l, &o->logs[l]);
        }
    }
    for (uint16_t i = 0; i < MTR_EVENTS_CODES; i++) {
        o->code_count[i] = mtr_events_code_count(&f->ev, i);
    }
    o->short_failures = mtr_events_short_failures(&f->ev);
}

static inline bool fx_obs_eq(const struct fx_obs *a, const struct fx_obs *b)
{
    return memcmp(a, b, sizeof *a) == 0;
}

/* The seed's reference files. */
#ifndef MTR_EV_REFERENCE
#define MTR_EV_REFERENCE "../shared/reference"
#endif

/* Split one csv line into fields (quotes handled; fields point into @line). */
static inline int fx_csv_split(char *line, char **fields, int max)
{
    int n = 0;
    char *p = line;
    while (n < max) {
        char *out = p;
        fields[n++] = p;
        if (*p == '"') {
            char *q = p + 1;
            out = p;
            for (;;) {
                if (*q == '"' && q[1] == '"') {
                    *out++ = '"';
                    q += 2;
                } else if (*q == '"') {
                    q++;
                    break;
                } else if (*q == '\0') {
                    break;
                } else {
                    *out++ = *q++;
                }
            }
            p = q;
        } else {
            while (*p != ',' && *p != '\0' && *p != '\n' && *p != '\r') {
                p++;
            }
            out = p;
        }
        char c = *p;
        *out = '\0';
        if (c != ',') {
            break;
        }
        p++;
    }
    return n;
}

/* Bit of a log key of the csv "logs" column. */
static inline uint16_t fx_log_bit(const char *key)
{
    static const char *const keys[MTR_EVLOG_COUNT] = {
        "standard",      "fraud_detection", "disconnector_control", "mbus",    "power_quality",
        "communication", "firmware_update", "power_failure",        "security"};
    for (uint8_t l = 0; l < MTR_EVLOG_COUNT; l++) {
        if (strcmp(key, keys[l]) == 0) {
            return (uint16_t)(1u << l);
        }
    }
    cr_assert_fail("unknown log key '%s'", key);
    return 0;
}

#endif /* EV_FIXTURE_H */
