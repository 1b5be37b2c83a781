/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The records part of the wiring (private to the aggregate): the profiles,
 * the events engine and the power-quality engine.
 *
 * - Every record an engine produces goes through meter_log(): first the
 *   application's on_log, then the events engine (an event with a code is
 *   raised, an alarm sets its bits). Records that come before the events
 *   engine is ready (store recovery) or while it is busy (a store fault
 *   inside a raise) wait in a small queue.
 * - Profiles: initialised on the meter's store; captured at their period
 *   boundaries (the clock's UTC) and, for billing profiles, at every billing
 *   end; each VALUE column is resolved by mtr_meter_value(), the one place
 *   where the meter's quantities get their COSEM names.
 * - Quality: one step per metrology period, the inputs at every step, the
 *   power-fail warning and the power up; its blob through the store.
 * - The power-up records: "Power down" of a cut without warning, the power
 *   failure log, the quality power up, PDN on every profile, "Power up".
 *
 * Exactly-once after a power cut (docs/event-producers.md): the register
 * snapshot (version 2) carries the events engine's counters of power
 * down, power up, power failures and billing captures at each commit, and
 * the last capture time of each billing profile; the disconnect record
 * carries the count of transition events. A record that an engine gives
 * again after a restart although the events engine already holds it is
 * recognised by these counters and dropped.
 */
#include "meter_wire_int.h"

#define HAVE_EV (MTR_WITH_EVENTS && MTR_WITH_STORE && MTR_WITH_PROFILE)
#define HAVE_PF (MTR_WITH_PROFILE && MTR_WITH_STORE)
#define HAVE_Q MTR_WITH_QUALITY

/* Error register bits (seed error-register.csv, Table 5) that make a profile
 * entry "critical error" (ERR, profile status bit 0): the legally relevant
 * integrity bits FRAM energy CRC (1), maximum demand CRC (2), calibration
 * (3), measuring part (11) and legally relevant flash (16). */
#define METER_ERR_CRITICAL 0x0001080Eu
/* Set with event 14 when the damaged partition is the register snapshot
 * (bit 1, FRAM energy CRC error) or the calibration (bit 3). */
#define METER_ERR_ENERGY 0x00000002u
#define METER_ERR_CALIBRATION 0x00000008u
/* Set by event 14 itself (its row: bit 15, flash memory LNR error). */
#define METER_ERR_NV 0x00008000u

/* Transition events of the disconnect engine (seed Table 10): the ones a
 * restart may log again (docs/disconnect.md, "Power cuts"). */
static const uint16_t dc_trans_codes[] = {59, 60, 61, 62, 63, 64, 69};
/* Billing captures: remote, manual, regular. */
static const uint16_t bill_codes[] = {209, 210, 223};

static bool in_list(const uint16_t *list, size_t n, uint16_t code)
{
    for (size_t i = 0; i < n; i++) {
        if (list[i] == code) {
            return true;
        }
    }
    return false;
}

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------ checks */

mtr_err_t meter_records_check(const struct mtr_meter_engines *e)
{
#if !HAVE_PF
    if (e->nprofiles != 0 && e->profiles != NULL) {
        return MTR_ERR_NOTSUP;
    }
#endif
#if !HAVE_EV
    if (e->events != NULL) {
        return MTR_ERR_NOTSUP;
    }
#endif
#if !HAVE_Q
    if (e->quality != NULL) {
        return MTR_ERR_NOTSUP;
    }
#endif
    uint8_t np = e->profiles != NULL ? e->nprofiles : 0;
    if (np != 0) {
        /* without profile_cfgs the application initialised them itself */
        if (np > MTR_METER_BILLING_PROFILES || (e->profile_cfgs != NULL && e->store == NULL)) {
            return MTR_ERR_CONFIG;
        }
        for (uint8_t i = 0; i < np; i++) {
            if (e->profiles[i] == NULL || (e->profile_cfgs != NULL && e->profile_cfgs[i] == NULL)) {
                return MTR_ERR_CONFIG;
            }
        }
    }
    if (e->billing_profiles != 0 &&
        (e->tariff == NULL || np == 0 || (e->billing_profiles >> np) != 0)) {
        return MTR_ERR_CONFIG;
    }
    /* events_cfg or quality_cfg NULL: initialised by the application */
    if (e->events != NULL && e->events_cfg != NULL && e->store == NULL) {
        return MTR_ERR_CONFIG;
    }
    if (e->quality != NULL && e->quality_part != 0 && e->store != NULL &&
        (e->quality_buf == NULL || e->quality_cfg == NULL)) {
        return MTR_ERR_CONFIG;
    }
    return MTR_OK;
}

/* ------------------------------------------------------------ counters */

#if HAVE_EV
static uint32_t ev_count(const struct mtr_meter *m, uint16_t code)
{
    uint16_t idx;
    if (m->wire.e.events == NULL || !m->wire.ev_ready ||
        mtr_events_find(code, NULL, &idx) != MTR_OK) {
        return 0;
    }
    return mtr_events_code_count(m->wire.e.events, idx);
}

static uint32_t ev_count_list(const struct mtr_meter *m, const uint16_t *codes, size_t n)
{
    uint32_t s = 0;
    for (size_t i = 0; i < n; i++) {
        s += ev_count(m, codes[i]);
    }
    return s;
}

/* Power failures the events engine counted: long (log entries) and short. */
static uint32_t ev_failures(const struct mtr_meter *m)
{
    if (m->wire.e.events == NULL || !m->wire.ev_ready) {
        return 0;
    }
    return mtr_events_log_count(m->wire.e.events, MTR_EVLOG_POWER_FAILURE) +
           mtr_events_short_failures(m->wire.e.events);
}
#endif

uint32_t meter_records_dc_mark(struct mtr_meter *m)
{
#if HAVE_EV
    return ev_count_list(m, dc_trans_codes, N_OF(dc_trans_codes));
#else
    (void)m;
    return 0;
#endif
}

/* ------------------------------------------------------------ the log path */

/* A record that repeats, after a restart, one the events engine holds. */
static bool is_repeat(struct mtr_meter *m, const struct mtr_log_record *r)
{
    if (r->kind != MTR_LOG_EVENT) {
        return false;
    }
    if (m->wire.restoring_dc && r->source == MTR_LOG_DISCONNECT && m->wire.skip_dc > 0 &&
        in_list(dc_trans_codes, N_OF(dc_trans_codes), r->code)) {
        m->wire.skip_dc--;
        return true;
    }
    if (r->source == MTR_LOG_TARIFF && m->wire.skip_bill_ev > 0 &&
        in_list(bill_codes, N_OF(bill_codes), r->code)) {
        m->wire.skip_bill_ev--;
        return true;
    }
    return false;
}

#if HAVE_EV
/* Error register bits a store fault or a refused saved state adds to event
 * 14's own, by partition (@c value holds the partition id). */
static uint32_t nv_bits(const struct mtr_meter *m, const struct mtr_log_record *r)
{
    const struct mtr_meter_engines *e = &m->wire.e;
    if (e->energy_part != 0 && r->value == e->energy_part) {
        return METER_ERR_ENERGY;
    }
    if (e->cal_part != 0 && r->value == e->cal_part) {
        return METER_ERR_CALIBRATION;
    }
    return 0;
}

static void count_rc(struct mtr_meter *m, mtr_err_t rc)
{
    if (rc == MTR_OK) {
        m->wire.w.events_raised++;
    } else if (rc == MTR_ERR_EVENTS_UNKNOWN || rc == MTR_ERR_RANGE ||
               rc == MTR_ERR_EVENTS_RESERVED) {
        m->wire.w.event_unknown++; /* a wiring error: the pair is not in the table */
    } else {
        m->wire.w.event_errors++;
        m->wire.w.last_error = rc;
    }
}

/* One record into the events engine. @boot: the records of the store's
 * recovery scan, raised once the engine is ready. */
static void route(struct mtr_meter *m, const struct mtr_log_record *r, bool boot)
{
    struct mtr_events *ev = m->wire.e.events;
    mtr_utc_t utc = r->utc < 0 ? 0 : r->utc;
    mtr_err_t rc;
    if (r->kind == MTR_LOG_ALARM) {
        rc = mtr_events_alarm_set(ev, r->channel, (uint32_t)r->value, utc);
    } else if (r->code == 0) {
        return; /* prepaid: the seed has no code for these */
    } else {
        if (r->code == EV_NV_MEMORY_ERROR) {
            uint32_t extra = nv_bits(m, r);
            if (extra != 0) {
                count_rc(m, mtr_events_error_set(ev, extra, utc));
            }
            /* A damaged record is found again at every start-up until its
             * sector is recycled: while the error register still holds the
             * NV bit, the recovery's finding is not logged again. */
            if (boot && r->source == MTR_LOG_STORE && (mtr_events_error(ev) & METER_ERR_NV) != 0) {
                m->wire.w.events_deduped++;
                return;
            }
        }
        rc = mtr_events_raise(ev, r->code, r->name, utc, r->value);
    }
    count_rc(m, rc);
}

static void drain(struct mtr_meter *m, bool boot)
{
    while (m->wire.logq_n > 0) {
        struct mtr_log_record r = m->wire.logq[0];
        m->wire.logq_n--;
        memmove(&m->wire.logq[0], &m->wire.logq[1], m->wire.logq_n * sizeof r);
        route(m, &r, boot);
    }
}
#endif

void meter_log(struct mtr_meter *m, const struct mtr_log_record *r)
{
    if (is_repeat(m, r)) {
        m->wire.w.events_deduped++;
        return;
    }
    if (m->wire.app_log != NULL) {
        m->wire.app_log(m, r, m->cfg.user);
    }
#if HAVE_EV
    if (m->wire.e.events == NULL) {
        return;
    }
    if (!m->wire.ev_ready || m->wire.ev_busy) {
        if (m->wire.logq_n < MTR_METER_LOG_QUEUE) {
            m->wire.logq[m->wire.logq_n++] = *r;
        } else {
            m->wire.w.event_unknown++; /* could not wait: lost for the events engine */
        }
        return;
    }
    m->wire.ev_busy = true;
    route(m, r, false);
    drain(m, false);
    m->wire.ev_busy = false;
#endif
}

void meter_log_hook(struct mtr_meter *m, const struct mtr_log_record *rec, void *user)
{
    (void)user;
    meter_log(m, rec);
}

/* ------------------------------------------------------------ events engine */

#if HAVE_EV
static void ev_alarm(void *user, uint8_t reg, uint32_t new_bits)
{
    struct mtr_meter *m = user;
    if (m->cfg.on_alarm != NULL) {
        m->cfg.on_alarm(m, reg, new_bits, m->cfg.user);
    }
}
#endif

mtr_err_t meter_events_init(struct mtr_meter *m)
{
#if HAVE_EV
    const struct mtr_meter_engines *e = &m->wire.e;
    if (e->events == NULL) {
        return MTR_OK;
    }
    if (e->events_cfg == NULL) {
        /* initialised by the application (its alarm hook stays its own) */
        m->wire.w.events_restore = MTR_RESTORE_NONE;
        m->wire.ev_ready = true;
        return MTR_OK;
    }
    struct mtr_events_config c = *e->events_cfg;
    c.store = e->store;
    c.on_alarm = ev_alarm;
    c.user = m;
    mtr_err_t rc = mtr_events_init(e->events, &c);
    if (rc != MTR_OK) {
        return rc;
    }
    uint8_t res = mtr_events_restored(e->events, NULL);
    m->wire.w.events_restore = res == MTR_EVENTS_RESTORED  ? MTR_RESTORE_OK
                               : res == MTR_EVENTS_MISSING ? MTR_RESTORE_MISSING
                                                           : MTR_RESTORE_REFUSED;
    m->wire.ev_ready = true;
    m->wire.ev_busy = true;
    drain(m, true); /* the store's recovery findings */
    m->wire.ev_busy = false;
    if (res == MTR_EVENTS_REFUSED) {
        meter_log_rec(m, MTR_LOG_EVENTS, EV_NV_MEMORY_ERROR, meter_rtc_now(m),
                      e->events_cfg->state_part);
    }
#else
    (void)m;
#endif
    return MTR_OK;
}

void meter_records_parametrization(struct mtr_meter *m, mtr_utc_t utc)
{
    meter_log_rec(m, MTR_LOG_METER, EV_PARAMETRIZATION, utc, 0);
}

/* ------------------------------------------------------------ values */

#if MTR_WITH_METROLOGY
static mtr_err_t metro_result(const struct mtr_meter *m, struct mtr_metrology_result *r)
{
    if (m->wire.e.metrology == NULL) {
        return MTR_ERR_NOENT;
    }
    return mtr_metrology_result(m->wire.e.metrology, r) == MTR_OK ? MTR_OK : MTR_ERR_EMPTY;
}

/* Instantaneous values (D = 7): C = 20 k + base, k = 0 total, 1..3 phase. */
static mtr_err_t instant(const struct mtr_meter *m, uint8_t c, int64_t *out)
{
    struct mtr_metrology_result r;
    unsigned k = c / 20u, base = c % 20u;
    if (c == 91) {
        mtr_err_t rc = metro_result(m, &r);
        if (rc == MTR_OK) {
            *out = (int64_t)((r.in_ua + 500u) / 1000u);
        }
        return rc;
    }
    if (k > 3 || (k > 0 && k > MTR_METROLOGY_PHASES)) {
        return MTR_ERR_NOENT;
    }
    bool power = base == 1 || base == 2 || base == 3 || base == 4 || base == 9 || base == 10 ||
                 base == 16;
    if (!power && base != 13 && !(k > 0 && (base == 11 || base == 12)) &&
        !(k == 0 && base == 14)) {
        return MTR_ERR_NOENT;
    }
    mtr_err_t rc = metro_result(m, &r);
    if (rc != MTR_OK) {
        return rc;
    }
    int64_t p = k == 0 ? r.p_mw : r.ph[k - 1].p_mw;
    int64_t q = k == 0 ? r.q_mvar : r.ph[k - 1].q_mvar;
    int64_t s = k == 0 ? r.s_mva : r.ph[k - 1].s_mva;
    switch (base) {
    case 1: *out = p > 0 ? p : 0; break;
    case 2: *out = p < 0 ? -p : 0; break;
    case 3: *out = q > 0 ? q : 0; break;
    case 4: *out = q < 0 ? -q : 0; break;
    case 9: *out = p >= 0 ? s : 0; break;
    case 10: *out = p < 0 ? s : 0; break;
    case 16: *out = p; break;
    case 11: *out = r.ph[k - 1].i_ma; break;
    case 12: *out = r.ph[k - 1].u_mv; break;
    case 13: *out = k == 0 ? r.pf : r.ph[k - 1].pf; break;
    default: *out = r.f_mhz; break; /* 14 */
    }
    return MTR_OK;
}
#endif

/* Energy registers (D = 8). */
static mtr_err_t energy(const struct mtr_meter *m, uint8_t c, uint8_t e, int64_t *out)
{
    if (c >= 1 && c <= MTR_METER_ENERGY_KINDS) {
#if MTR_WITH_CALENDAR
        if (m->wire.e.tariff != NULL) {
            const struct mtr_registers *reg = mtr_tariff_registers(m->wire.e.tariff);
            if (e > MTR_CFG_TARIFFS) {
                return MTR_ERR_NOENT;
            }
            *out = e == 0 ? mtr_registers_total(reg, c - 1u)
                          : mtr_registers_tariff(reg, c - 1u, e);
            return MTR_OK;
        }
#endif
#if MTR_WITH_METROLOGY
        if (m->wire.e.metrology != NULL && e == 0) {
            return mtr_metrology_energy(m->wire.e.metrology, MTR_METROLOGY_TOTAL,
                                        meter_kind_of_quantity[c - 1u], out, NULL) == MTR_OK
                       ? MTR_OK
                       : MTR_ERR_NOENT;
        }
#endif
        return MTR_ERR_NOENT;
    }
#if MTR_WITH_METROLOGY
    unsigned ph = (c - 1u) / 20u, q = (c - 1u) % 20u;
    if (m->wire.e.metrology != NULL && e == 0 && c > 20 && ph >= 1 && ph <= 3 &&
        ph <= MTR_METROLOGY_PHASES && q < MTR_METER_ENERGY_KINDS) {
        return mtr_metrology_energy(m->wire.e.metrology, ph - 1u, meter_kind_of_quantity[q], out,
                                    NULL) == MTR_OK
                   ? MTR_OK
                   : MTR_ERR_NOENT;
    }
#endif
    (void)m;
    (void)e;
    (void)out;
    return MTR_ERR_NOENT;
}

#if MTR_WITH_CALENDAR
/* Demand (D = 2, 4, 5, 6). */
static mtr_err_t demand(const struct mtr_meter *m, uint16_t cls, uint8_t c, uint8_t d, uint8_t e,
                        int8_t attr, int64_t *out)
{
    if (m->wire.e.tariff == NULL || c < 1 || c > MTR_DEMAND_QUANTITIES) {
        return MTR_ERR_NOENT;
    }
    const struct mtr_demand *dm = mtr_tariff_demand(m->wire.e.tariff);
    unsigned q = c - 1u;
    bool reg = (cls == 3 || cls == 4) && attr == 2;
    switch (d) {
    case 4:
        if (e == 0 && (reg || (cls == 5 && attr == 2))) {
            *out = mtr_demand_current(dm, q);
            return MTR_OK;
        }
        if (e == 0 && cls == 5 && attr == 3) {
            *out = dm->last_avg[q];
            return MTR_OK;
        }
        break;
    case 5:
        if (e == 0 && (reg || (cls == 5 && attr == 2))) {
            *out = dm->last_avg[q];
            return MTR_OK;
        }
        break;
    case 6:
        if (e <= MTR_CFG_TARIFFS && reg) {
            *out = dm->max[q][e].value;
            return MTR_OK;
        }
        if (e <= MTR_CFG_TARIFFS && cls == 4 && attr == 5) {
            *out = dm->max[q][e].time;
            return MTR_OK;
        }
        break;
    default: /* 2 */
        if (e <= MTR_CFG_TARIFFS && reg) {
            *out = dm->cumulative[q][e];
            return MTR_OK;
        }
        break;
    }
    return MTR_ERR_NOENT;
}
#endif

/* Abstract objects (A = 0, B = 0). */
static mtr_err_t abstract(const struct mtr_meter *m, const uint8_t *o, int64_t *out)
{
#if MTR_WITH_CALENDAR
    if (o[2] == 0 && o[3] == 1 && o[4] == 0) {
        if (m->wire.e.tariff == NULL) {
            return MTR_ERR_NOENT;
        }
        *out = mtr_tariff_billing_count(m->wire.e.tariff);
        return MTR_OK;
    }
#endif
#if HAVE_EV
    struct mtr_events *ev = m->wire.e.events;
    if (ev != NULL && m->wire.ev_ready && o[2] == 97 && o[3] == 97 && o[4] == 0) {
        *out = mtr_events_error(ev);
        return MTR_OK;
    }
    if (ev != NULL && m->wire.ev_ready && o[2] == 97 && o[3] == 98) {
        uint8_t reg = (uint8_t)(o[4] % 10u + 1u);
        if (reg > 2 || o[4] > 21) {
            return MTR_ERR_NOENT;
        }
        switch (o[4] / 10u) {
        case 0: *out = mtr_events_alarm(ev, reg); return MTR_OK;
        case 1: *out = mtr_events_filter(ev, reg); return MTR_OK;
        default: *out = mtr_events_descriptor(ev, reg); return MTR_OK;
        }
    }
#endif
    (void)m;
    (void)o;
    (void)out;
    return MTR_ERR_NOENT;
}

mtr_err_t mtr_meter_value(struct mtr_meter *m, uint16_t class_id, const uint8_t obis[6],
                          int8_t attr, int64_t *out)
{
    MTR_ASSERT(m != NULL && obis != NULL && out != NULL);
    if (obis[5] != 255 || !m->wire.active) {
        return MTR_ERR_NOENT;
    }
    bool reg = (class_id == 3 || class_id == 4) && attr == 2;
    if (obis[0] == 0 && obis[1] == 0) {
        return (class_id == 1 || class_id == 3) && attr == 2 ? abstract(m, obis, out)
                                                             : MTR_ERR_NOENT;
    }
    if (obis[0] != 1 || obis[1] != 0) {
        return MTR_ERR_NOENT;
    }
    uint8_t c = obis[2], d = obis[3], e = obis[4];
    switch (d) {
    case 8:
        return reg ? energy(m, c, e, out) : MTR_ERR_NOENT;
    case 7:
#if MTR_WITH_METROLOGY
        return reg && e == 0 ? instant(m, c, out) : MTR_ERR_NOENT;
#else
        return MTR_ERR_NOENT;
#endif
    case 2:
    case 4:
    case 5:
    case 6:
#if MTR_WITH_CALENDAR
        return demand(m, class_id, c, d, e, attr, out);
#else
        return MTR_ERR_NOENT;
#endif
    default:
        return MTR_ERR_NOENT;
    }
}

/* DLMS units (Blue Book, enumeration of scal_unit_type). */
enum { U_W = 27, U_VA = 28, U_VAR = 29, U_WH = 30, U_VAH = 31, U_VARH = 32, U_A = 33, U_V = 35,
       U_HZ = 44, U_NONE = 255 };

/* Unit of the power (or, @p energy, energy) of quantity C = 1..10 (IEC 62056-6-1:
 * 1, 2 active; 3..8 reactive; 9, 10 apparent); 15 (|+A| + |-A|) and 16 (signed P) active. */
static uint8_t unit_of_quantity(unsigned c, bool energy)
{
    if (c <= 2 || c == 15 || c == 16) {
        return energy ? U_WH : U_W;
    }
    if (c >= 9 && c <= 10) {
        return energy ? U_VAH : U_VA;
    }
    return energy ? U_VARH : U_VAR;
}

mtr_err_t mtr_meter_value_unit(uint16_t class_id, const uint8_t obis[6], int8_t attr,
                               int8_t *scaler, uint8_t *unit)
{
    MTR_ASSERT(obis != NULL && scaler != NULL && unit != NULL);
    uint8_t c = obis[2], d = obis[3], e = obis[4];
    bool reg = (class_id == 3 || class_id == 4) && attr == 2;
    if (obis[5] != 255) {
        return MTR_ERR_NOENT;
    }
    if (obis[0] == 0 && obis[1] == 0) {
        /* billing period counter, error and alarm registers, filters, descriptors */
        bool known = (c == 0 && d == 1 && e == 0) || (c == 97 && d == 97 && e == 0) ||
                     (c == 97 && d == 98 && e <= 21 && e % 10u <= 1u);
        if (!known || !((class_id == 1 || class_id == 3) && attr == 2)) {
            return MTR_ERR_NOENT;
        }
        *scaler = 0;
        *unit = U_NONE;
        return MTR_OK;
    }
    if (obis[0] != 1 || obis[1] != 0) {
        return MTR_ERR_NOENT;
    }
    unsigned base = c > 20 && c <= 80 ? (c - 1u) % 20u + 1u : c;
    if (d == 8 && reg && base >= 1 && (base <= 10 || c == 15)) {
        *scaler = -3;
        *unit = unit_of_quantity(base, true);
        return MTR_OK;
    }
    if (d == 7 && reg && e == 0) {
        *scaler = -3;
        if (c == 91 || base == 11) {
            *unit = U_A;
        } else if (base == 12) {
            *unit = U_V;
        } else if (base == 13) {
            *scaler = -4; /* power factor x 10000 */
            *unit = U_NONE;
        } else if (base == 14 && c == 14) {
            *unit = U_HZ;
        } else if (base <= 4 || base == 9 || base == 10 || c == 16) {
            *unit = unit_of_quantity(base, false);
        } else {
            return MTR_ERR_NOENT;
        }
        return MTR_OK;
    }
    /* demand: current/last average (class 5 attributes 2, 3), registers */
    bool avg = class_id == 5 && (attr == 2 || (attr == 3 && d == 4));
    if ((d == 2 || d == 4 || d == 5 || d == 6) && c >= 1 && c <= 10 && (reg || avg)) {
        *scaler = -3;
        *unit = unit_of_quantity(c, false);
        return MTR_OK;
    }
    return MTR_ERR_NOENT;
}

/* ------------------------------------------------------------ profiles */

#if HAVE_PF
static uint8_t nprofiles(const struct mtr_meter *m)
{
    return m->wire.e.profiles != NULL ? m->wire.e.nprofiles : 0;
}

/* Status bits of a capture: DST and CIV from the clock status, ERR from the
 * error register. */
static uint8_t status_of(const struct mtr_meter *m, uint8_t clock_status, bool clock_known)
{
    uint8_t st = 0;
#if MTR_WITH_CALENDAR
    if (clock_known && (clock_status & MTR_CLOCK_ST_DST) != 0) {
        st |= MTR_PROFILE_ST_DST;
    }
    if (clock_known && (clock_status & MTR_CLOCK_ST_INVALID) != 0) {
        st |= MTR_PROFILE_ST_CIV;
    }
#else
    (void)clock_status;
    (void)clock_known;
#endif
    if (m->rtc_invalid) {
        st |= MTR_PROFILE_ST_CIV;
    }
#if HAVE_EV
    if (m->wire.e.events != NULL && m->wire.ev_ready &&
        (mtr_events_error(m->wire.e.events) & METER_ERR_CRITICAL) != 0) {
        st |= MTR_PROFILE_ST_ERR;
    }
#endif
    return st;
}

/* The values of @p's VALUE columns; DNV when one could not be had. */
static uint8_t gather(struct mtr_meter *m, struct mtr_profile *p, int64_t *vals, size_t *n)
{
    uint8_t ncol = 0, st = 0;
    const struct mtr_profile_column *col = mtr_profile_columns(p, &ncol);
    size_t k = 0;
    for (uint8_t i = 0; i < ncol && k < MTR_CFG_PROFILE_COLUMNS; i++) {
        if (col[i].kind != MTR_PROFILE_COL_VALUE) {
            continue;
        }
        mtr_err_t rc = mtr_meter_value(m, col[i].class_id, col[i].obis, col[i].attr, &vals[k]);
        if (rc != MTR_OK) {
            vals[k] = 0;
            st = MTR_PROFILE_ST_DNV;
            m->wire.w.profile_value_errors += rc == MTR_ERR_NOENT;
        }
        k++;
    }
    *n = k;
    return st;
}

static mtr_err_t capture_vals(struct mtr_meter *m, uint8_t i, mtr_utc_t t, uint8_t st,
                              const int64_t *vals, size_t n)
{
    mtr_err_t rc = mtr_profile_capture(m->wire.e.profiles[i], t, st, vals, n);
    if (rc == MTR_OK) {
        m->wire.w.profile_captures++;
    } else {
        m->wire.w.profile_capture_errors++;
        m->wire.w.last_error = rc;
    }
    return rc;
}

static mtr_err_t capture_now(struct mtr_meter *m, uint8_t i, mtr_utc_t t, uint8_t st)
{
    int64_t vals[MTR_CFG_PROFILE_COLUMNS];
    size_t n = 0;
    st |= gather(m, m->wire.e.profiles[i], vals, &n);
    return capture_vals(m, i, t, st, vals, n);
}

static void profiles_step(struct mtr_meter *m, uint8_t st, mtr_utc_t utc)
{
    for (uint8_t i = 0; i < nprofiles(m); i++) {
        mtr_utc_t b;
        if (mtr_profile_due(m->wire.e.profiles[i], utc, &b)) {
            (void)capture_now(m, i, b, st); /* a failure stays due: retried next step */
        }
    }
    /* billing captures that failed, with the values of their billing end */
    for (uint8_t i = 0; m->wire.bill_retry != 0 && i < nprofiles(m); i++) {
        uint8_t bit = (uint8_t)(1u << i);
        if ((m->wire.bill_retry & bit) == 0) {
            continue;
        }
        mtr_err_t rc;
        if (m->wire.bill_vals_idx == i) {
            rc = capture_vals(m, i, m->wire.bill_utc, m->wire.bill_status, m->wire.bill_vals,
                              mtr_profile_value_count(m->wire.e.profiles[i]));
        } else {
            rc = capture_now(m, i, m->wire.bill_utc, m->wire.bill_status);
        }
        if (rc == MTR_OK) {
            m->wire.bill_retry &= (uint8_t)~bit;
            if (m->wire.bill_vals_idx == i) {
                m->wire.bill_vals_idx = MTR_METER_BILLING_PROFILES;
            }
        }
    }
}
#endif

void meter_records_billing(struct mtr_meter *m, const struct mtr_billing_capture *cap)
{
#if HAVE_PF && MTR_WITH_CALENDAR
    for (uint8_t i = 0; i < nprofiles(m); i++) {
        uint8_t bit = (uint8_t)(1u << i);
        if ((m->wire.e.billing_profiles & bit) == 0) {
            continue;
        }
        if ((m->wire.skip_bill_lp & bit) != 0) {
            /* captured before the cut that kept the billing end from its commit */
            m->wire.skip_bill_lp &= (uint8_t)~bit;
            m->wire.w.events_deduped++;
            continue;
        }
        int64_t vals[MTR_CFG_PROFILE_COLUMNS];
        size_t n = 0;
        uint8_t st = status_of(m, cap->clock_status, true);
        st |= gather(m, m->wire.e.profiles[i], vals, &n);
        if (capture_vals(m, i, cap->utc, st, vals, n) != MTR_OK) {
            m->wire.bill_retry |= bit;
            m->wire.bill_utc = cap->utc;
            m->wire.bill_status = st;
            if (m->wire.bill_vals_idx >= MTR_METER_BILLING_PROFILES) {
                m->wire.bill_vals_idx = i;
                memcpy(m->wire.bill_vals, vals, n * sizeof vals[0]);
            }
        }
    }
#else
    (void)m;
    (void)cap;
#endif
}

void meter_records_clock(struct mtr_meter *m, mtr_utc_t before, mtr_utc_t after)
{
#if HAVE_PF
    if (before == after) {
        return;
    }
    for (uint8_t i = 0; i < nprofiles(m); i++) {
        mtr_profile_clock_changed(m->wire.e.profiles[i], before, after);
    }
#else
    (void)m;
    (void)before;
    (void)after;
#endif
}

mtr_err_t mtr_meter_profile_capture(struct mtr_meter *m, uint8_t index)
{
    MTR_ASSERT(m != NULL);
#if HAVE_PF
    if (!m->wire.active || index >= nprofiles(m)) {
        return MTR_ERR_NOENT;
    }
    uint8_t cs = 0;
    bool known = false;
    mtr_utc_t utc = meter_rtc_now(m);
#if MTR_WITH_CALENDAR
    struct mtr_clock_view v;
    if (m->wire.e.clock != NULL && mtr_clock_now(m->wire.e.clock, &v) == MTR_OK) {
        utc = v.utc;
        cs = v.status;
        known = true;
    }
#endif
    return capture_now(m, index, utc, status_of(m, cs, known));
#else
    (void)index;
    return MTR_ERR_NOENT;
#endif
}

#if HAVE_PF
/* The row of code 254 for a profile, by its logical name (seed Table 10:
 * "Load profile 1..5 cleared", "Billing profile cleared"; load profile 5 is
 * billing profile 2, 1-0:99.130.0.255, seed profiles.json; the seed writes load
 * profiles 1 and 2 with A = 0 and 3 and 4 with A = 1, so either is accepted). */
static const char *cleared_name(const uint8_t *o)
{
    static const char *const lp[] = {"Load profile 1 cleared", "Load profile 2 cleared",
                                     "Load profile 3 cleared", "Load profile 4 cleared"};
    if (o[0] <= 1 && o[1] == 0 && o[2] == 99 && o[3] >= 1 && o[3] <= 4 && o[4] == 0) {
        return lp[o[3] - 1u];
    }
    if (o[0] == 1 && o[1] == 0 && o[2] == 99 && o[3] == 130 && o[4] == 0) {
        return "Load profile 5 cleared";
    }
    if (o[0] == 0 && o[1] == 0 && o[2] == 98 && o[3] == 1) {
        return "Billing profile cleared";
    }
    return "Load profile cleared";
}
#endif

mtr_err_t mtr_meter_profile_reset(struct mtr_meter *m, uint8_t index)
{
    MTR_ASSERT(m != NULL);
#if HAVE_PF
    if (!m->wire.active || index >= nprofiles(m)) {
        return MTR_ERR_NOENT;
    }
    struct mtr_profile *p = m->wire.e.profiles[index];
    mtr_utc_t utc = meter_rtc_now(m);
    mtr_err_t rc = mtr_profile_reset(p, utc);
    if (rc == MTR_OK) {
        const struct mtr_profile_config *pc =
            m->wire.e.profile_cfgs != NULL ? m->wire.e.profile_cfgs[index] : NULL;
        struct mtr_log_record r = {.code = 254, .source = MTR_LOG_METER, .kind = MTR_LOG_EVENT,
                                   .name = pc != NULL ? cleared_name(pc->obis)
                                                      : "Load profile cleared",
                                   .utc = utc};
        meter_log(m, &r);
    }
    return rc;
#else
    (void)index;
    return MTR_ERR_NOENT;
#endif
}

/* ------------------------------------------------------------ quality */

#if HAVE_Q
static bool q_persists(const struct mtr_meter *m)
{
#if MTR_WITH_STORE
    return m->wire.e.store != NULL && m->wire.e.quality_part != 0;
#else
    (void)m;
    return false;
#endif
}

static mtr_err_t q_commit(struct mtr_meter *m)
{
#if MTR_WITH_STORE
    size_t len = 0;
    mtr_ms_t now = 0;
    (void)m->hal.clock->ms_now(m->hal.ctx, &now);
    mtr_err_t rc = mtr_quality_save(m->wire.e.quality, m->wire.e.quality_buf,
                                    MTR_QUALITY_BLOB_SIZE, &len);
    if (rc == MTR_OK) {
        rc = mtr_store_commit(m->wire.e.store, m->wire.e.quality_part, m->wire.e.quality_buf,
                              len);
    }
    m->wire.q_commit_ms = now;
    if (rc == MTR_OK) {
        m->wire.w.quality_commits++;
        m->wire.q_dirty = false;
        m->wire.q_now = false;
    } else {
        m->wire.w.quality_commit_errors++;
        m->wire.w.last_error = rc;
        m->wire.q_dirty = true;
    }
    return rc;
#else
    (void)m;
    return MTR_ERR_NOTSUP;
#endif
}

static void q_event(void *user, uint16_t code, const char *name, mtr_utc_t utc, int64_t value)
{
    struct mtr_meter *m = user;
    struct mtr_log_record r = {.code = code, .source = MTR_LOG_QUALITY, .kind = MTR_LOG_EVENT,
                               .name = name, .utc = utc, .value = value};
    m->wire.q_dirty = true;
    m->wire.q_now = true; /* committed after this step: a restart does not declare it again */
    meter_log(m, &r);
}

static void q_record(void *user, const struct mtr_quality_record *rec)
{
    struct mtr_meter *m = user;
    (void)rec;
    m->wire.q_dirty = true; /* its duration went into the counters */
}

/* Long interruptions are logged by the aggregate, from its own power-down
 * time, with or without a warning: the quality engine only counts them. */
static void q_power_failure(void *user, mtr_utc_t start, mtr_utc_t end, uint64_t duration_s)
{
    (void)start;
    (void)end;
    (void)duration_s;
    ((struct mtr_meter *)user)->wire.q_dirty = true;
}

static void q_error(struct mtr_meter *m, mtr_err_t rc)
{
    if (rc != MTR_OK) {
        m->wire.w.quality_errors++;
        m->wire.w.last_error = rc;
    }
}

static void q_step(struct mtr_meter *m, mtr_utc_t utc)
{
    struct mtr_quality *q = m->wire.e.quality;
    if (utc < 0) {
        return;
    }
#if MTR_WITH_METROLOGY
    struct mtr_metrology_result r;
    if (m->wire.e.metrology != NULL && mtr_metrology_result(m->wire.e.metrology, &r) == MTR_OK &&
        r.seq != m->wire.q_seq) {
        m->wire.q_seq = r.seq;
        struct mtr_quality_input in;
        memset(&in, 0, sizeof in);
        for (unsigned p = 0; p < MTR_METROLOGY_PHASES && p < MTR_QUALITY_PHASES; p++) {
            int64_t u = r.ph[p].u_mv, i = r.ph[p].i_ma;
            in.ph[p].u_mv = (mtr_mv_t)(u < 0 ? 0 : u > MTR_QUALITY_U_MAX_MV ? MTR_QUALITY_U_MAX_MV : u);
            in.ph[p].i_ma = (mtr_ma_t)(i < 0 ? 0 : i > MTR_QUALITY_I_MAX_MA ? MTR_QUALITY_I_MAX_MA : i);
            in.ph[p].p_mw = r.ph[p].p_mw;
        }
        in.pf = r.pf < -10000 ? -10000 : r.pf > 10000 ? 10000 : r.pf;
        in.in_ua = r.in_ua;
        in.in_measured = r.in_measured;
        in.sequence = r.sequence;
        in.period_ms = m->wire.tick_ms == 0 ? 1000u : m->wire.tick_ms;
        q_error(m, mtr_quality_step(q, &in, utc));
    }
#endif
    q_error(m, mtr_quality_inputs(q, m->inputs, utc));
}
#endif

void meter_records_inputs(struct mtr_meter *m)
{
#if HAVE_Q
    if (m->wire.active && m->wire.e.quality != NULL) {
        q_error(m, mtr_quality_inputs(m->wire.e.quality, m->inputs, meter_rtc_now(m)));
    }
#else
    (void)m;
#endif
}

mtr_err_t mtr_meter_quality_commit(struct mtr_meter *m)
{
    MTR_ASSERT(m != NULL);
#if HAVE_Q
    if (!m->wire.active || m->wire.e.quality == NULL || !q_persists(m)) {
        return MTR_ERR_NOTSUP;
    }
    mtr_err_t rc = q_commit(m);
    if (rc == MTR_OK) {
        meter_records_parametrization(m, meter_rtc_now(m));
    }
    return rc;
#else
    return MTR_ERR_NOTSUP;
#endif
}

/* ------------------------------------------------------------ init and step */

mtr_err_t meter_records_init(struct mtr_meter *m)
{
    const struct mtr_meter_engines *e = &m->wire.e;
    m->wire.bill_vals_idx = MTR_METER_BILLING_PROFILES;
    m->wire.down_utc = -1;
#if HAVE_PF
    for (uint8_t i = 0; i < nprofiles(m) && e->profile_cfgs != NULL; i++) {
        mtr_err_t rc = mtr_profile_init(e->profiles[i], e->store, e->profile_cfgs[i]);
        if (rc != MTR_OK) {
            return rc;
        }
    }
    /* Billing captures made after the last snapshot commit: the billing end
     * the snapshot does not hold is delivered again; its capture is not. */
    if (m->wire.snap_ext) {
        for (uint8_t i = 0; i < nprofiles(m); i++) {
            mtr_utc_t t;
            if ((e->billing_profiles & (1u << i)) != 0 &&
                mtr_profile_last_capture(e->profiles[i], &t) && t > m->wire.snap_bill_lp[i]) {
                m->wire.skip_bill_lp |= (uint8_t)(1u << i);
            }
        }
    }
#endif
#if HAVE_EV
    if (m->wire.snap_ext) {
        uint32_t n = ev_count_list(m, bill_codes, N_OF(bill_codes));
        m->wire.skip_bill_ev = n > m->wire.snap_bill_ev ? n - m->wire.snap_bill_ev : 0;
    }
#endif
#if HAVE_Q
    if (e->quality != NULL && e->quality_cfg != NULL) {
        struct mtr_quality_config *qc = e->quality_cfg;
        qc->on_event = q_event;
        qc->on_voltage_record = q_record;
        qc->on_power_failure = q_power_failure;
        qc->user = m;
        mtr_err_t rc = mtr_quality_init(e->quality, qc);
        if (rc != MTR_OK) {
            return rc;
        }
#if MTR_WITH_STORE
        if (q_persists(m)) {
            size_t len = 0;
            rc = mtr_store_load(e->store, e->quality_part, e->quality_buf, MTR_QUALITY_BLOB_SIZE,
                                &len, NULL);
            m->wire.w.quality_restore = meter_restored(
                m, rc, rc == MTR_OK ? mtr_quality_load(e->quality, e->quality_buf, len) : rc,
                e->quality_part);
        }
#endif
    }
#endif
    (void)e;
    return MTR_OK;
}

void meter_records_step(struct mtr_meter *m, const struct mtr_clock_view *v, mtr_utc_t utc,
                        mtr_ms_t now)
{
#if HAVE_Q
    if (m->wire.e.quality != NULL && !m->power_failing) {
        q_step(m, utc);
        /* after an event at once; other changes (durations, the voltage
         * quality window) with the register commit interval */
        if (q_persists(m) &&
            (m->wire.q_now ||
             (m->wire.q_dirty && mtr_ms_elapsed(now, m->wire.q_commit_ms) >=
                                     (uint32_t)MTR_CFG_STORE_ENERGY_COMMIT_S * 1000u))) {
            (void)q_commit(m);
        }
    }
#else
    (void)now;
#endif
#if HAVE_PF
    uint8_t cs = 0;
    bool known = false;
#if MTR_WITH_CALENDAR
    if (v != NULL) {
        cs = v->status;
        known = true;
    }
#else
    (void)v;
#endif
    if (nprofiles(m) != 0 && utc >= 0) {
        profiles_step(m, status_of(m, cs, known), utc);
    }
#else
    (void)v;
    (void)utc;
#endif
    (void)m;
}

/* ------------------------------------------------------------ power */

void meter_records_power_fail(struct mtr_meter *m, mtr_utc_t utc)
{
    m->wire.down_utc = utc;
    m->wire.warned = true;
#if HAVE_Q
    if (m->wire.e.quality != NULL) {
        q_error(m, mtr_quality_power_down(m->wire.e.quality, utc < 0 ? 0 : utc));
        if (q_persists(m)) {
            (void)q_commit(m);
        }
    }
#endif
}

#if HAVE_EV
static void power_failure(struct mtr_meter *m, mtr_utc_t start, mtr_utc_t end)
{
    if (start < 0) {
        return;
    }
    if (end < start) {
        end = start; /* the clock went back: a 0 s interruption */
    }
    mtr_err_t rc = mtr_events_power_failure(m->wire.e.events, start, end);
    if (rc == MTR_OK) {
        m->wire.w.events_raised++;
    } else if (rc != MTR_ERR_NOENT) { /* NOENT: a long one without the log kept */
        m->wire.w.event_errors++;
        m->wire.w.last_error = rc;
    }
}
#endif

#if HAVE_EV
/* The latest time the meter is known to have run before a cut without
 * warning: the snapshot's commit, or a later entry of a log or a profile
 * (never after @p now). */
static mtr_utc_t last_alive(struct mtr_meter *m, mtr_utc_t snap, mtr_utc_t now)
{
    mtr_utc_t t = snap, c;
    for (uint8_t log = 0; log < MTR_EVLOG_COUNT; log++) {
        struct mtr_profile *p = mtr_events_log(m->wire.e.events, log);
        if (p != NULL && mtr_profile_last_capture(p, &c) && c > t) {
            t = c;
        }
    }
    for (uint8_t i = 0; i < nprofiles(m); i++) {
        if (mtr_profile_last_capture(m->wire.e.profiles[i], &c) && c > t) {
            t = c;
        }
    }
    return now >= 0 && t > now ? (snap > now ? snap : now) : t;
}
#endif

#if HAVE_Q
static void q_power_up(struct mtr_meter *m, bool cut_unwarned, mtr_utc_t start, mtr_utc_t now)
{
    struct mtr_quality *q = m->wire.e.quality;
    if (q == NULL) {
        return;
    }
    bool down = (mtr_quality_active(q) & MTR_QUALITY_ST_POWER_DOWN) != 0;
    if (!down && cut_unwarned && start >= 0) {
        q_error(m, mtr_quality_power_down(q, start)); /* a cut without warning */
        down = true;
    }
    if (down) {
        q_error(m, mtr_quality_power_up(q, now < 0 ? 0 : now));
        if (q_persists(m)) {
            (void)q_commit(m);
        }
    }
}
#endif

void meter_records_power_up(struct mtr_meter *m)
{
    mtr_utc_t now = meter_rtc_now(m);
    bool unwarned = false;
    mtr_utc_t start = -1;
#if HAVE_EV
    bool ev = m->wire.e.events != NULL && m->wire.ev_ready;
    bool pf_owed = false;
    if (ev) {
        /* A clock change logs its old value (4) then its new value (5): a
         * cut between the two raises is completed now, at the time of the
         * last record. */
        uint32_t c4 = ev_count(m, EV_CLOCK_OLD);
        uint32_t c5 = ev_count(m, EV_CLOCK_NEW);
        if (c4 == c5 + 1u) {
            mtr_utc_t t = last_alive(m, m->wire.snap_ext ? m->wire.snap_utc : 0, now);
            meter_log_rec(m, MTR_LOG_CLOCK, EV_CLOCK_NEW, t, 0);
        }
    }
    if (ev && m->wire.snap_ext) {
        /* What the snapshot's counters say was done since its commit. */
        uint32_t pd = ev_count(m, EV_POWER_DOWN), pu = ev_count(m, EV_POWER_UP);
        uint32_t pf = ev_failures(m);
        bool warned = (m->wire.snap_flags & SNAP_EXT_WARNED) != 0;
        start = m->wire.snap_utc;
        if (pu < m->wire.snap_pu || pd < m->wire.snap_pd || pf < m->wire.snap_pf) {
            /* the events state is older than the snapshot (refused) */
            unwarned = !warned;
            pf_owed = true;
        } else if (pu > m->wire.snap_pu) {
            /* a start-up after the commit got as far as "Power up": this
             * is another cut (its start is not known better than this) */
            unwarned = true;
            pf_owed = true;
        } else {
            unwarned = !warned && pd == m->wire.snap_pd;
            pf_owed = pf == m->wire.snap_pf;
        }
        if (unwarned) {
            start = last_alive(m, start, now);
            meter_log_rec(m, MTR_LOG_METER, EV_POWER_DOWN, start < 0 ? 0 : start, 0);
        }
    }
#endif
#if HAVE_Q
    q_power_up(m, unwarned, start, now);
#endif
#if HAVE_EV
    if (pf_owed) {
        power_failure(m, start, now);
    }
#endif
#if HAVE_PF
    for (uint8_t i = 0; i < nprofiles(m); i++) {
        mtr_utc_t t;
        if (m->wire.snap_ext || mtr_profile_last_capture(m->wire.e.profiles[i], &t)) {
            mtr_profile_note(m->wire.e.profiles[i], MTR_PROFILE_ST_PDN);
        }
    }
#endif
    meter_log_rec(m, MTR_LOG_METER, EV_POWER_UP, now, 0);
#if HAVE_EV && HAVE_SNAP
    /* The start-up's records and their counters, committed at once. */
    if (ev && meter_snap_enabled(m)) {
        (void)meter_snap_commit(m);
    }
#endif
    (void)unwarned;
    (void)start;
}

void meter_records_power_restored(struct mtr_meter *m, mtr_utc_t utc)
{
    mtr_utc_t down = m->wire.down_utc;
#if HAVE_Q
    if (m->wire.e.quality != NULL) {
        q_error(m, mtr_quality_power_up(m->wire.e.quality, utc < 0 ? 0 : utc));
        if (q_persists(m)) {
            (void)q_commit(m);
        }
    }
#endif
#if HAVE_EV
    if (m->wire.e.events != NULL && m->wire.ev_ready && down >= 0) {
        power_failure(m, down, utc);
    }
#endif
    m->wire.down_utc = -1;
    m->wire.warned = false;
    meter_log_rec(m, MTR_LOG_METER, EV_POWER_UP, utc, 0);
    (void)down;
}

/* ------------------------------------------------------------ snapshot block */

void meter_records_snap_ext(struct mtr_meter *m, uint8_t *buf)
{
    mtr_put_be64(buf, (uint64_t)meter_rtc_now(m));
    buf[8] = m->wire.warned ? SNAP_EXT_WARNED : 0u;
    uint32_t pd = 0, pu = 0, pf = 0, bill = 0;
#if HAVE_EV
    pd = ev_count(m, EV_POWER_DOWN);
    pu = ev_count(m, EV_POWER_UP);
    pf = ev_failures(m);
    bill = ev_count_list(m, bill_codes, N_OF(bill_codes));
    /* a repeated billing end still owed keeps its mark */
    bill = bill >= m->wire.skip_bill_ev ? bill - m->wire.skip_bill_ev : 0;
#endif
    mtr_put_be32(buf + 9, pd);
    mtr_put_be32(buf + 13, pu);
    mtr_put_be32(buf + 17, pf);
    mtr_put_be32(buf + 21, bill);
    for (uint8_t i = 0; i < MTR_METER_BILLING_PROFILES; i++) {
        mtr_utc_t t = -1;
#if HAVE_PF
        if ((m->wire.skip_bill_lp & (1u << i)) != 0) {
            t = m->wire.snap_bill_lp[i];
        } else if (i < nprofiles(m) && !mtr_profile_last_capture(m->wire.e.profiles[i], &t)) {
            t = -1;
        }
#endif
        mtr_put_be64(buf + 25 + 8u * i, (uint64_t)t);
    }
}

void meter_records_snap_load(struct mtr_meter *m, const uint8_t *buf)
{
    m->wire.snap_ext = true;
    m->wire.snap_utc = (mtr_utc_t)mtr_get_be64(buf);
    m->wire.snap_flags = buf[8];
    m->wire.snap_pd = mtr_get_be32(buf + 9);
    m->wire.snap_pu = mtr_get_be32(buf + 13);
    m->wire.snap_pf = mtr_get_be32(buf + 17);
    m->wire.snap_bill_ev = mtr_get_be32(buf + 21);
    for (uint8_t i = 0; i < MTR_METER_BILLING_PROFILES; i++) {
        m->wire.snap_bill_lp[i] = (mtr_utc_t)mtr_get_be64(buf + 25 + 8u * i);
    }
}
