/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The wiring of the engines (DESIGN.md rule 7): ADC frames -> metrology ->
 * energy deltas -> tariff registers chosen by the calendar -> demand and
 * billing -> limiter -> disconnect; the register snapshot, the calibration
 * and the disconnect state through the store; every engine event to the
 * application's on_log. The only file that includes several engine headers.
 */
#include <string.h>

#include "meter/bytes.h"
#include "meter/crc.h"
#include "meter_wire.h"

#if MTR_WITH_METROLOGY
#include "meter/metrology.h"
#endif
#if MTR_WITH_CALENDAR
#include "meter/clock.h"
#include "meter/tariff.h"
#endif
#if MTR_WITH_STORE
#include "meter/store.h"
#endif
#if MTR_WITH_DISCONNECT
#include "meter/disconnect.h"
#endif

#if MTR_WITH_METROLOGY
_Static_assert(MTR_E_COUNT == MTR_METER_ENERGY_KINDS, "metrology energy kinds");
#endif
#if MTR_WITH_CALENDAR
_Static_assert(MTR_Q_COUNT == MTR_METER_ENERGY_KINDS, "tariff quantities");
#endif

/* Event codes and names of the seed's event-codes.csv (Table 10) that the
 * aggregate reports besides the disconnect engine's own (code, name) pairs. */
enum {
    EV_POWER_DOWN = 1,
    EV_POWER_UP = 2,
    EV_NV_MEMORY_ERROR = 14,
};

static const struct {
    uint16_t code;
    const char *name;
} ev_names[] = {
    {1, "Power down"},
    {2, "Power up"},
    {3, "DST enabled or disabled"},
    {4, "Clock adjusted (old value)"},
    {5, "Clock adjusted (new value)"},
    {6, "Clock invalid"},
    {9, "TOU activated"},
    {14, "NV memory error"},
    {19, "Passive TOU programmed"},
    {201, "Change from external to internal"},
    {202, "Change from internal to external"},
    {209, "Remote billing capture"},
    {210, "Manual billing capture"},
    {223, "Regular billing capture"},
};

static const char *ev_name(uint16_t code)
{
    for (size_t i = 0; i < sizeof ev_names / sizeof ev_names[0]; i++) {
        if (ev_names[i].code == code) {
            return ev_names[i].name;
        }
    }
    return "";
}

static mtr_utc_t rtc_now(struct mtr_meter *m)
{
    mtr_utc_t utc;
    if (m->hal.clock->rtc_get(m->hal.ctx, &utc) == MTR_OK && utc >= 0) {
        m->wire.last_utc = utc;
    }
    return m->wire.last_utc;
}

static void log_rec(struct mtr_meter *m, uint8_t source, uint16_t code, mtr_utc_t utc,
                    int64_t value)
{
    if (m->cfg.on_log == NULL) {
        return;
    }
    struct mtr_log_record r = {.code = code, .source = source, .kind = MTR_LOG_EVENT,
                               .name = ev_name(code), .utc = utc, .value = value};
    m->cfg.on_log(m, &r, m->cfg.user);
}

#if MTR_WITH_CALENDAR || MTR_WITH_DISCONNECT
static void step_error(struct mtr_meter *m, mtr_err_t rc)
{
    m->wire.w.step_errors++;
    m->wire.w.last_error = rc;
}
#endif

/* ------------------------------------------------------------ engine hooks */

#if MTR_WITH_CALENDAR
static void on_clock_event(void *user, const struct mtr_clock_event *ev)
{
    struct mtr_meter *m = user;
    mtr_utc_t when = ev->code == MTR_CLOCK_EV_ADJUSTED_OLD ? ev->before : ev->after;
    uint8_t src = ev->cause == MTR_CLOCK_BY_CALENDAR ? MTR_LOG_CALENDAR : MTR_LOG_CLOCK;
    if (ev->code == MTR_BILLING_EV_REGULAR || ev->code == MTR_BILLING_EV_REMOTE ||
        ev->code == MTR_BILLING_EV_MANUAL) {
        src = MTR_LOG_TARIFF;
    }
    log_rec(m, src, ev->code, when, 0);
}

static void on_billing(void *user, const struct mtr_billing_capture *cap)
{
    struct mtr_meter *m = user;
    if (m->wire.on_billing != NULL) {
        m->wire.on_billing(m->wire.billing_user, cap);
    }
}
#endif

#if MTR_WITH_STORE
static void on_store_fault(void *user, uint16_t part_id, uint32_t fault)
{
    /* A torn write is a power cut, and a fallback follows another fault:
     * only damage and failed writes are memory errors. */
    if ((fault & (MTR_STORE_FAULT_CRC | MTR_STORE_FAULT_WRITE | MTR_STORE_FAULT_LOST)) != 0) {
        struct mtr_meter *m = user;
        log_rec(m, MTR_LOG_STORE, EV_NV_MEMORY_ERROR, rtc_now(m), part_id);
    }
}
#endif

#if MTR_WITH_DISCONNECT
static mtr_err_t dc_persist(void *user, const uint8_t *blob, size_t len)
{
#if MTR_WITH_STORE
    struct mtr_meter *m = user;
    return mtr_store_commit(m->wire.e.store, m->wire.e.disconnect_part, blob, len);
#else
    (void)user;
    (void)blob;
    (void)len;
    return MTR_ERR_NOTSUP;
#endif
}

static void dc_event(void *user, const struct mtr_dc_event *ev)
{
    struct mtr_meter *m = user;
    if (m->cfg.on_log == NULL) {
        return;
    }
    struct mtr_log_record r = {.code = ev->code, .source = MTR_LOG_DISCONNECT,
                               .kind = MTR_LOG_EVENT, .channel = ev->channel,
                               .name = ev->name, .utc = rtc_now(m)};
    m->cfg.on_log(m, &r, m->cfg.user);
}

static void dc_alarm(void *user, uint8_t reg, uint32_t mask)
{
    struct mtr_meter *m = user;
    if (m->cfg.on_log == NULL) {
        return;
    }
    struct mtr_log_record r = {.source = MTR_LOG_DISCONNECT, .kind = MTR_LOG_ALARM,
                               .channel = reg, .name = "", .utc = rtc_now(m), .value = mask};
    m->cfg.on_log(m, &r, m->cfg.user);
}
#endif

/* -------------------------------------------------------- energy mapping */

#if MTR_WITH_METROLOGY
/* Metrology kind of each tariff quantity, by meaning: the two enums list the
 * same ten registers in different orders (metrology A+-, QI..QIV, R+-, S+-;
 * tariff A+-, R+-, QI..QIV, S+-). */
static const uint8_t kind_of_quantity[MTR_METER_ENERGY_KINDS] = {
    MTR_E_A_IMP, /* MTR_Q_A_IMP  +A */
    MTR_E_A_EXP, /* MTR_Q_A_EXP  -A */
    MTR_E_R_IMP, /* MTR_Q_R_IMP  +R */
    MTR_E_R_EXP, /* MTR_Q_R_EXP  -R */
    MTR_E_R_Q1,  /* MTR_Q_R_QI   */
    MTR_E_R_Q2,  /* MTR_Q_R_QII  */
    MTR_E_R_Q3,  /* MTR_Q_R_QIII */
    MTR_E_R_Q4,  /* MTR_Q_R_QIV  */
    MTR_E_S_IMP, /* MTR_Q_S_IMP  */
    MTR_E_S_EXP, /* MTR_Q_S_EXP  */
};

static void metrology_totals(const struct mtr_meter *m, int64_t out[MTR_METER_ENERGY_KINDS])
{
    for (unsigned q = 0; q < MTR_METER_ENERGY_KINDS; q++) {
        out[q] = 0;
        (void)mtr_metrology_energy(m->wire.e.metrology, MTR_METROLOGY_TOTAL, kind_of_quantity[q],
                                   &out[q], NULL);
    }
}
#endif

/* ----------------------------------------------------- register snapshot */

#if MTR_WITH_STORE && (MTR_WITH_METROLOGY || MTR_WITH_CALENDAR)
#define SNAP_MAGIC 0x4D545245u /* "MTRE" */
#define SNAP_VERSION 1u
#define SNAP_HDR 8u
#define SNAP_HAS_METRO 0x01u
#define SNAP_HAS_TARIFF 0x02u
#if MTR_WITH_METROLOGY
#define SNAP_METRO_BYTES (8u * (MTR_METROLOGY_PHASES + 1u) * MTR_E_COUNT)
#else
#define SNAP_METRO_BYTES 0u
#endif
#if MTR_WITH_CALENDAR
#define SNAP_TARIFF_BYTES MTR_TARIFF_STATE_SIZE
#else
#define SNAP_TARIFF_BYTES 0u
#endif
#define SNAP_MAX (SNAP_HDR + SNAP_METRO_BYTES + SNAP_TARIFF_BYTES)

static size_t snap_encode(const struct mtr_meter *m, uint8_t *buf)
{
    const struct mtr_meter_engines *e = &m->wire.e;
    uint8_t flags = 0;
    size_t n = SNAP_HDR;
#if MTR_WITH_METROLOGY
    if (e->metrology != NULL) {
        flags |= SNAP_HAS_METRO;
        for (unsigned ph = 0; ph <= MTR_METROLOGY_PHASES; ph++) {
            for (unsigned k = 0; k < MTR_E_COUNT; k++) {
                int64_t v = 0;
                (void)mtr_metrology_energy(e->metrology, ph, k, &v, NULL);
                mtr_put_be64(buf + n, (uint64_t)v);
                n += 8;
            }
        }
    }
#endif
#if MTR_WITH_CALENDAR
    if (e->tariff != NULL) {
        size_t len = 0;
        flags |= SNAP_HAS_TARIFF;
        (void)mtr_tariff_save(e->tariff, buf + n, SNAP_TARIFF_BYTES, &len);
        n += len;
    }
#endif
    mtr_put_be32(buf, SNAP_MAGIC);
    buf[4] = SNAP_VERSION;
    buf[5] = flags;
    mtr_put_be16(buf + 6, (uint16_t)n);
    return n;
}

static uint8_t snap_flags(const struct mtr_meter *m)
{
    uint8_t flags = 0;
#if MTR_WITH_METROLOGY
    flags |= m->wire.e.metrology != NULL ? SNAP_HAS_METRO : 0;
#endif
#if MTR_WITH_CALENDAR
    flags |= m->wire.e.tariff != NULL ? SNAP_HAS_TARIFF : 0;
#endif
    (void)m;
    return flags;
}

/* Validate all of a snapshot, then apply it: all or nothing. */
static mtr_err_t snap_apply(struct mtr_meter *m, const uint8_t *buf, size_t len)
{
    if (len < SNAP_HDR || mtr_get_be32(buf) != SNAP_MAGIC || buf[4] != SNAP_VERSION ||
        buf[5] != snap_flags(m) || mtr_get_be16(buf + 6) != len) {
        return MTR_ERR_DECODE;
    }
    const uint8_t *p = buf + SNAP_HDR;
    const uint8_t *end = buf + len;
#if MTR_WITH_METROLOGY
    int64_t regs[MTR_METROLOGY_PHASES + 1][MTR_E_COUNT];
    if (m->wire.e.metrology != NULL) {
        if ((size_t)(end - p) < SNAP_METRO_BYTES) {
            return MTR_ERR_DECODE;
        }
        for (unsigned ph = 0; ph <= MTR_METROLOGY_PHASES; ph++) {
            for (unsigned k = 0; k < MTR_E_COUNT; k++, p += 8) {
                regs[ph][k] = (int64_t)mtr_get_be64(p);
                if (regs[ph][k] < 0) {
                    return MTR_ERR_DECODE;
                }
            }
        }
    }
#endif
#if MTR_WITH_CALENDAR
    if (m->wire.e.tariff != NULL) {
        /* Check the tariff state against the metrology totals before adopting it. */
        struct mtr_tariff probe = *m->wire.e.tariff;
        const uint8_t *q = p;
        mtr_err_t rc = mtr_tariff_load(&probe, &q, end);
        if (rc != MTR_OK) {
            return rc;
        }
#if MTR_WITH_METROLOGY
        if (m->wire.e.metrology != NULL) {
            const struct mtr_registers *r = mtr_tariff_registers(&probe);
            for (unsigned qn = 0; qn < MTR_Q_COUNT; qn++) {
                if (mtr_registers_total(r, qn) !=
                    regs[MTR_METROLOGY_TOTAL][kind_of_quantity[qn]]) {
                    return MTR_ERR_DECODE;
                }
            }
        }
#endif
        p = q;
        if (p != end) {
            return MTR_ERR_DECODE;
        }
        *m->wire.e.tariff = probe;
    } else if (p != end) {
        return MTR_ERR_DECODE;
    }
#else
    if (p != end) {
        return MTR_ERR_DECODE;
    }
#endif
#if MTR_WITH_METROLOGY
    if (m->wire.e.metrology != NULL) {
        (void)mtr_metrology_energy_restore(m->wire.e.metrology,
                                           (const int64_t(*)[MTR_E_COUNT])regs);
    }
#endif
    return MTR_OK;
}

static mtr_err_t snap_commit(struct mtr_meter *m)
{
    uint8_t buf[SNAP_MAX];
    size_t n = snap_encode(m, buf);
    mtr_err_t rc = mtr_store_commit(m->wire.e.store, m->wire.e.energy_part, buf, n);
    if (rc == MTR_OK) {
        m->wire.w.commits++;
    } else {
        m->wire.w.commit_errors++;
        m->wire.w.last_error = rc;
    }
    return rc;
}

static uint8_t snap_restore(struct mtr_meter *m)
{
    uint8_t buf[SNAP_MAX];
    size_t len = 0;
    mtr_err_t rc = mtr_store_load(m->wire.e.store, m->wire.e.energy_part, buf, sizeof buf, &len,
                                  NULL);
    if (rc == MTR_ERR_NOENT) {
        return MTR_RESTORE_MISSING;
    }
    if (rc == MTR_OK) {
        rc = snap_apply(m, buf, len);
    }
    if (rc != MTR_OK) {
        log_rec(m, MTR_LOG_METER, EV_NV_MEMORY_ERROR, rtc_now(m), rc);
        return MTR_RESTORE_REFUSED;
    }
    return MTR_RESTORE_OK;
}
#define HAVE_SNAP 1
#else
#define HAVE_SNAP 0
#endif

size_t mtr_meter_energy_record_size(void)
{
#if HAVE_SNAP
    return SNAP_MAX;
#else
    return 0;
#endif
}

static bool snap_enabled(const struct mtr_meter *m)
{
#if HAVE_SNAP
    return m->wire.e.store != NULL && m->wire.e.energy_part != 0 &&
           (snap_flags(m) != 0);
#else
    (void)m;
    return false;
#endif
}

/* ------------------------------------------- calendar and clock settings */

#if MTR_WITH_STORE && MTR_WITH_CALENDAR
#define CALREC_MAGIC 0x4D54524Bu /* "MTRK" */
#define CALREC_VERSION 1u
#define CALREC_HDR 8u
#define CALREC_HAS_CLOCK 0x01u
#define CALREC_HAS_CALENDAR 0x02u
#define CALREC_MAX (CALREC_HDR + MTR_CLOCK_STATE_SIZE + MTR_CALENDAR_STATE_MAX)

static bool calrec_enabled(const struct mtr_meter *m)
{
    const struct mtr_meter_engines *e = &m->wire.e;
    /* the calendar is initialised only with a clock (init_calendar) */
    return e->store != NULL && e->calendar_part != 0 && e->clock != NULL;
}

static uint8_t calrec_flags(const struct mtr_meter *m)
{
    return (uint8_t)((m->wire.e.clock != NULL ? CALREC_HAS_CLOCK : 0u) |
                     (m->wire.e.calendar != NULL ? CALREC_HAS_CALENDAR : 0u));
}

static mtr_err_t calrec_encode(const struct mtr_meter *m, size_t *n)
{
    const struct mtr_meter_engines *e = &m->wire.e;
    uint8_t *buf = e->calendar_buf;
    size_t cap = e->calendar_buf_size, len = 0, at = CALREC_HDR;
    mtr_err_t rc = MTR_OK;
    if (e->clock != NULL) {
        rc = mtr_clock_save(e->clock, buf + at, cap - at, &len);
        at += len;
    }
    if (rc == MTR_OK && e->calendar != NULL) {
        rc = mtr_calendar_save(e->calendar, buf + at, cap - at, &len);
        at += len;
    }
    if (rc != MTR_OK || at > UINT16_MAX) {
        return rc != MTR_OK ? rc : MTR_ERR_OVERFLOW;
    }
    mtr_put_be32(buf, CALREC_MAGIC);
    buf[4] = CALREC_VERSION;
    buf[5] = calrec_flags(m);
    mtr_put_be16(buf + 6, (uint16_t)at);
    *n = at;
    return MTR_OK;
}

static void calrec_mark(struct mtr_meter *m)
{
    m->wire.clk_seen = m->wire.e.clock != NULL ? mtr_clock_settings_changes(m->wire.e.clock) : 0;
    m->wire.cal_seen = m->wire.e.calendar != NULL ? mtr_calendar_changes(m->wire.e.calendar) : 0;
}

static bool calrec_changed(const struct mtr_meter *m)
{
    const struct mtr_meter_engines *e = &m->wire.e;
    return (e->clock != NULL && mtr_clock_settings_changes(e->clock) != m->wire.clk_seen) ||
           (e->calendar != NULL && mtr_calendar_changes(e->calendar) != m->wire.cal_seen);
}

/* Commit the record if the settings moved and its bytes differ from the last. */
static mtr_err_t calrec_commit(struct mtr_meter *m)
{
    if (!calrec_changed(m)) {
        return MTR_OK;
    }
    size_t n = 0;
    mtr_err_t rc = calrec_encode(m, &n);
    uint32_t crc = rc == MTR_OK ? mtr_crc32(m->wire.e.calendar_buf, n) : 0;
    if (rc == MTR_OK && !(m->wire.calrec_known && crc == m->wire.calrec_crc)) {
        rc = mtr_store_commit(m->wire.e.store, m->wire.e.calendar_part, m->wire.e.calendar_buf,
                              n);
        m->wire.w.calendar_commits += rc == MTR_OK;
    }
    if (rc != MTR_OK) {
        m->wire.w.calendar_commit_errors++;
        m->wire.w.last_error = rc;
        return rc;
    }
    m->wire.calrec_crc = crc;
    m->wire.calrec_known = true;
    calrec_mark(m);
    return MTR_OK;
}

/* Check all of a record, then apply it: the clock into a copy first, the
 * calendar (all or nothing itself) last. */
static mtr_err_t calrec_apply(struct mtr_meter *m, const uint8_t *buf, size_t len)
{
    const struct mtr_meter_engines *e = &m->wire.e;
    if (len < CALREC_HDR || mtr_get_be32(buf) != CALREC_MAGIC || buf[4] != CALREC_VERSION ||
        buf[5] != calrec_flags(m) || mtr_get_be16(buf + 6) != len) {
        return MTR_ERR_DECODE;
    }
    const uint8_t *p = buf + CALREC_HDR, *end = buf + len;
    struct mtr_clock probe;
    if (e->clock != NULL) {
        probe = *e->clock;
        mtr_err_t rc = mtr_clock_load(&probe, &p, end);
        if (rc != MTR_OK) {
            return rc;
        }
    }
    if (e->calendar != NULL) {
        /* the calendar blob must end the record (its length is at offset 4) */
        if ((size_t)(end - p) < 6 || mtr_get_be16(p + 4) != (size_t)(end - p)) {
            return MTR_ERR_DECODE;
        }
        mtr_err_t rc = mtr_calendar_load(e->calendar, &p, end);
        if (rc != MTR_OK) {
            return rc;
        }
    }
    if (p != end) {
        return MTR_ERR_DECODE;
    }
    if (e->clock != NULL) {
        *e->clock = probe;
    }
    return MTR_OK;
}

static uint8_t calrec_restore(struct mtr_meter *m)
{
    const struct mtr_meter_engines *e = &m->wire.e;
    size_t len = 0;
    mtr_err_t rc = mtr_store_load(e->store, e->calendar_part, e->calendar_buf,
                                  e->calendar_buf_size, &len, NULL);
    uint8_t res = MTR_RESTORE_OK;
    if (rc == MTR_ERR_NOENT) {
        res = MTR_RESTORE_MISSING;
    } else if (rc != MTR_OK || calrec_apply(m, e->calendar_buf, len) != MTR_OK) {
        log_rec(m, MTR_LOG_METER, EV_NV_MEMORY_ERROR, rtc_now(m), e->calendar_part);
        res = MTR_RESTORE_REFUSED;
    } else {
        m->wire.calrec_crc = mtr_crc32(e->calendar_buf, len);
        m->wire.calrec_known = true;
    }
    calrec_mark(m);
    return res;
}
#define HAVE_CALREC 1
#else
#define HAVE_CALREC 0
#endif

size_t mtr_meter_calendar_record_size(void)
{
#if MTR_WITH_CALENDAR
    return 8u + MTR_CLOCK_STATE_SIZE + MTR_CALENDAR_STATE_MAX;
#else
    return 0;
#endif
}

mtr_err_t mtr_meter_calendar_commit(struct mtr_meter *m)
{
    MTR_ASSERT(m != NULL);
#if HAVE_CALREC
    if (m->wire.active && calrec_enabled(m)) {
        return calrec_commit(m);
    }
#endif
    return MTR_ERR_NOTSUP;
}

/* ------------------------------------------------------------------ step */

#if MTR_WITH_CALENDAR
static void default_sel(struct mtr_tariff_sel *sel)
{
    *sel = (struct mtr_tariff_sel){.tariff = 1, .control = MTR_TARIFF_BY_CALENDAR,
                                   .masks = {.energy = 1, .demand = 1}};
}

static void select_tariff(struct mtr_meter *m, const struct mtr_clock_view *v,
                          struct mtr_tariff_sel *sel)
{
    if (m->wire.e.calendar == NULL) {
        default_sel(sel);
        return;
    }
    (void)mtr_calendar_poll(m->wire.e.calendar, v);
    mtr_calendar_decide(m->wire.e.calendar, v, m->inputs, sel);
}

static void step_tariff(struct mtr_meter *m, const struct mtr_clock_view *v)
{
    struct mtr_energy_delta d = {{0}};
    int64_t cur[MTR_METER_ENERGY_KINDS];
    memcpy(cur, m->wire.seen, sizeof cur);
#if MTR_WITH_METROLOGY
    if (m->wire.e.metrology != NULL) {
        metrology_totals(m, cur);
    }
#endif
    for (unsigned q = 0; q < MTR_Q_COUNT; q++) {
        d.q[q] = cur[q] - m->wire.seen[q];
    }
    struct mtr_tariff_sel sel;
    select_tariff(m, v, &sel);
    mtr_err_t rc = mtr_tariff_step(m->wire.e.tariff, v, &d, &sel);
    if (rc != MTR_OK) {
        step_error(m, rc); /* nothing moved: the deltas go with the next step */
        return;
    }
    memcpy(m->wire.seen, cur, sizeof cur);
}
#endif

#if MTR_WITH_DISCONNECT
static void step_disconnect(struct mtr_meter *m, mtr_ms_t now, mtr_utc_t utc, bool clock_moved)
{
    struct mtr_disconnect *dc = m->wire.e.disconnect;
    mtr_err_t rc;
    if (clock_moved && (rc = mtr_disconnect_time_set(dc, utc)) != MTR_OK) {
        step_error(m, rc);
    }
    struct mtr_dc_input in = {.now_ms = now, .now_utc = utc,
                              .monitored_mw = m->wire.monitored_mw, .inputs = m->inputs};
    rc = mtr_disconnect_tick(dc, &in);
    if (rc == MTR_ERR_DISCONNECT_TIME) {
        /* the RTC went back without the clock engine knowing (HAL set) */
        rc = mtr_disconnect_time_set(dc, utc);
        if (rc == MTR_OK) {
            rc = mtr_disconnect_tick(dc, &in);
        }
    }
    if (rc != MTR_OK) {
        step_error(m, rc);
    }
}
#endif

static void update_monitored(struct mtr_meter *m)
{
#if MTR_WITH_METROLOGY
    struct mtr_metrology_result r;
    if (m->wire.e.metrology != NULL && mtr_metrology_result(m->wire.e.metrology, &r) == MTR_OK) {
        m->wire.metro_seq = r.seq;
        m->wire.monitored_mw = r.p_mw > 0 ? r.p_mw : 0;
    }
#else
    (void)m;
#endif
}

static void wire_step(struct mtr_meter *m, mtr_ms_t now)
{
    mtr_utc_t utc = rtc_now(m);
    bool clock_moved = false;
    update_monitored(m);
#if MTR_WITH_CALENDAR
    if (m->wire.e.clock != NULL) {
        struct mtr_clock_view v;
        mtr_err_t rc = mtr_clock_now(m->wire.e.clock, &v);
        if (rc != MTR_OK) {
            step_error(m, rc);
            return;
        }
        utc = v.utc;
        clock_moved = v.change_seq != m->wire.clock_seq;
        m->wire.clock_seq = v.change_seq;
        if (m->wire.e.tariff != NULL) {
            step_tariff(m, &v);
        }
        meter_prepaid_step(m, &v, now, clock_moved); /* meter_prepaid.c */
    }
#endif
#if HAVE_CALREC
    if (calrec_enabled(m)) {
        (void)calrec_commit(m); /* counted; retried at the next step */
    }
#endif
#if MTR_WITH_DISCONNECT
    if (m->wire.e.disconnect != NULL) {
        step_disconnect(m, now, utc, clock_moved);
    }
#else
    (void)utc;
    (void)clock_moved;
#endif
    m->wire.w.steps++;
    m->wire.last_step_ms = now;
#if HAVE_SNAP
    if (!snap_enabled(m) || m->power_failing) {
        return;
    }
    bool billed = false;
#if MTR_WITH_CALENDAR
    if (m->wire.e.tariff != NULL) {
        billed = mtr_tariff_billing_count(m->wire.e.tariff) != m->wire.billing_seen;
    }
#endif
    /* A billing end is committed at once, so that no restart closes it again. */
    if (billed || mtr_ms_elapsed(now, m->wire.last_commit_ms) >=
                      (uint32_t)MTR_CFG_STORE_ENERGY_COMMIT_S * 1000u) {
        if (snap_commit(m) == MTR_OK) {
            m->wire.last_commit_ms = now;
#if MTR_WITH_CALENDAR
            if (m->wire.e.tariff != NULL) {
                m->wire.billing_seen = mtr_tariff_billing_count(m->wire.e.tariff);
            }
#endif
        }
    }
#endif
}

static bool ms_now(struct mtr_meter *m, mtr_ms_t *now)
{
    if (m->hal.clock->ms_now(m->hal.ctx, now) != MTR_OK) {
        m->stats.hal_errors++;
        return false;
    }
    return true;
}

static void on_tick(struct mtr_timer *t, void *arg)
{
    (void)t;
    struct mtr_meter *m = arg;
    mtr_ms_t now;
    if (!ms_now(m, &now)) {
        return;
    }
    /* With metrology the periods drive the steps; the timer steps only when
     * they stop coming (no signal, no ADC). */
    bool metro = false;
#if MTR_WITH_METROLOGY
    metro = m->wire.e.metrology != NULL && m->has_adc;
#endif
    if (!metro || mtr_ms_elapsed(now, m->wire.last_step_ms) >= 2u * m->wire.tick_ms) {
        wire_step(m, now);
    }
}

void meter_wire_frames(struct mtr_meter *m, const int32_t *frames, size_t n)
{
#if MTR_WITH_METROLOGY
    if (m->wire.e.metrology != NULL) {
        mtr_metrology_process(m->wire.e.metrology, frames, n);
    }
#else
    (void)m;
    (void)frames;
    (void)n;
#endif
}

void meter_wire_after_drain(struct mtr_meter *m)
{
#if MTR_WITH_METROLOGY
    struct mtr_metrology_result r;
    mtr_ms_t now;
    if (m->wire.active && m->wire.e.metrology != NULL &&
        mtr_metrology_result(m->wire.e.metrology, &r) == MTR_OK && r.seq != m->wire.metro_seq &&
        ms_now(m, &now)) {
        wire_step(m, now);
    }
#else
    (void)m;
#endif
}

void meter_wire_power_fail(struct mtr_meter *m)
{
    if (!m->wire.active) {
        return;
    }
    log_rec(m, MTR_LOG_METER, EV_POWER_DOWN, rtc_now(m), 0);
    (void)mtr_meter_commit(m);
    meter_prepaid_power_fail(m);
}

void meter_wire_power_restored(struct mtr_meter *m)
{
#if MTR_WITH_CALENDAR
    struct mtr_clock_view v;
    if (m->wire.active && m->wire.e.tariff != NULL &&
        mtr_clock_now(m->wire.e.clock, &v) == MTR_OK) {
        mtr_tariff_power_restored(m->wire.e.tariff, &v);
    }
#else
    (void)m;
#endif
}

mtr_err_t mtr_meter_commit(struct mtr_meter *m)
{
    MTR_ASSERT(m != NULL && m->wire.active);
    if (!snap_enabled(m)) {
        return MTR_ERR_NOTSUP;
    }
    mtr_ms_t now;
    if (!ms_now(m, &now)) {
        return MTR_ERR_IO;
    }
    uint32_t errors = m->wire.w.step_errors;
    bool failing = m->power_failing;
    m->power_failing = true; /* step without its own commit */
    wire_step(m, now);
    m->power_failing = failing;
    if (m->wire.w.step_errors != errors) {
        return m->wire.w.last_error;
    }
#if HAVE_SNAP
    mtr_err_t rc = snap_commit(m);
    if (rc == MTR_OK) {
        m->wire.last_commit_ms = now;
#if MTR_WITH_CALENDAR
        if (m->wire.e.tariff != NULL) {
            m->wire.billing_seen = mtr_tariff_billing_count(m->wire.e.tariff);
        }
#endif
    }
    return rc;
#else
    return MTR_ERR_NOTSUP;
#endif
}

mtr_err_t mtr_meter_cal_commit(struct mtr_meter *m)
{
    MTR_ASSERT(m != NULL);
#if MTR_WITH_METROLOGY && MTR_WITH_STORE
    const struct mtr_meter_engines *e = &m->wire.e;
    if (e->metrology == NULL || e->store == NULL || e->cal_part == 0) {
        return MTR_ERR_NOTSUP;
    }
    struct mtr_metrology_cal cal;
    uint8_t blob[MTR_METROLOGY_CAL_BLOB_SIZE];
    mtr_metrology_cal_get(e->metrology, &cal);
    mtr_err_t rc = mtr_metrology_cal_encode(&cal, blob, sizeof blob);
    if (rc == MTR_OK) {
        rc = mtr_store_commit(e->store, e->cal_part, blob, sizeof blob);
    }
    return rc;
#else
    (void)m;
    return MTR_ERR_NOTSUP;
#endif
}

mtr_err_t meter_wire_rtc_set(struct mtr_meter *m, mtr_utc_t utc)
{
#if MTR_WITH_CALENDAR
    if (m->wire.active && m->wire.e.clock != NULL) {
        return mtr_clock_set(m->wire.e.clock, utc);
    }
#endif
    (void)m;
    (void)utc;
    return MTR_ERR_NOTSUP;
}

/* ------------------------------------------------------------------ init */

static mtr_err_t check_built(const struct mtr_meter_engines *e)
{
#if !MTR_WITH_METROLOGY
    if (e->metrology != NULL) {
        return MTR_ERR_NOTSUP;
    }
#endif
#if !MTR_WITH_CALENDAR
    if (e->clock != NULL || e->calendar != NULL || e->tariff != NULL) {
        return MTR_ERR_NOTSUP;
    }
#endif
#if !MTR_WITH_STORE
    if (e->store != NULL) {
        return MTR_ERR_NOTSUP;
    }
#endif
#if !MTR_WITH_DISCONNECT
    if (e->disconnect != NULL) {
        return MTR_ERR_NOTSUP;
    }
#endif
    if ((e->tariff != NULL && (e->clock == NULL || e->tariff_cfg == NULL)) ||
        (e->store != NULL && e->store_cfg == NULL) ||
        (e->disconnect != NULL && e->disconnect_cfg == NULL) ||
        (e->calendar_part != 0 && e->store != NULL &&
         (e->calendar_buf == NULL || e->calendar_buf_size < 8u))) {
        return MTR_ERR_CONFIG;
    }
    return meter_prepaid_check(e);
}

#if MTR_WITH_STORE
static mtr_err_t init_store(struct mtr_meter *m)
{
    if (m->wire.e.store == NULL) {
        return MTR_OK;
    }
    struct mtr_store_cfg sc = *m->wire.e.store_cfg;
    sc.on_fault = on_store_fault;
    sc.user = m;
    return mtr_store_init(m->wire.e.store, &m->hal, &sc);
}
#endif

#if MTR_WITH_METROLOGY
static mtr_err_t init_metrology(struct mtr_meter *m)
{
    const struct mtr_meter_engines *e = &m->wire.e;
    struct mtr_metrology_config mc;
    if (e->metrology_cfg != NULL) {
        mc = *e->metrology_cfg;
    } else {
        mtr_metrology_config_default(&mc);
        if (m->has_adc) {
            mc.rate_hz = m->adc.rate_hz;
            mc.bits = m->adc.bits;
        }
    }
    if (m->has_adc && (mc.rate_hz != m->adc.rate_hz || mc.bits != m->adc.bits)) {
        return MTR_ERR_CONFIG;
    }
    mtr_err_t rc = mtr_metrology_init(e->metrology, &mc, &m->hal);
    if (rc != MTR_OK) {
        return rc;
    }
    m->wire.tick_ms = mc.period_ms;
#if MTR_WITH_STORE
    if (e->store != NULL && e->cal_part != 0) {
        uint8_t blob[MTR_METROLOGY_CAL_BLOB_SIZE];
        size_t len = 0;
        rc = mtr_store_load(e->store, e->cal_part, blob, sizeof blob, &len, NULL);
        if (rc == MTR_ERR_NOENT) {
            m->wire.w.cal_restore = MTR_RESTORE_MISSING;
        } else if (rc == MTR_OK && mtr_metrology_cal_load(e->metrology, blob, len) == MTR_OK) {
            m->wire.w.cal_restore = MTR_RESTORE_OK;
        } else {
            /* neutral calibration stays (the engine's default) */
            m->wire.w.cal_restore = MTR_RESTORE_REFUSED;
            log_rec(m, MTR_LOG_METER, EV_NV_MEMORY_ERROR, rtc_now(m), e->cal_part);
        }
    }
#endif
    return MTR_OK;
}
#endif

#if MTR_WITH_CALENDAR
static mtr_err_t init_calendar(struct mtr_meter *m)
{
    const struct mtr_meter_engines *e = &m->wire.e;
    if (e->clock == NULL) {
        return MTR_OK;
    }
    struct mtr_clock_config cc = {0};
    if (e->clock_cfg != NULL) {
        cc = *e->clock_cfg;
    }
    cc.on_event = on_clock_event;
    cc.user = m;
    mtr_err_t rc = mtr_clock_init(e->clock, &m->hal, &cc);
    if (rc != MTR_OK) {
        return rc;
    }
    if (e->calendar != NULL) {
        const struct mtr_calendar_config calc = {.on_event = on_clock_event, .user = m};
        mtr_calendar_init(e->calendar, &calc);
    }
#if HAVE_CALREC
    if (calrec_enabled(m)) {
        m->wire.w.calendar_restore = calrec_restore(m);
    }
#endif
    struct mtr_clock_view v;
    if ((rc = mtr_clock_now(e->clock, &v)) != MTR_OK) {
        return rc;
    }
    m->wire.clock_seq = v.change_seq;
    if (e->tariff == NULL) {
        return MTR_OK;
    }
    struct mtr_tariff_config tc = *e->tariff_cfg;
    m->wire.on_billing = tc.on_billing;
    m->wire.billing_user = tc.user;
    tc.on_billing = on_billing;
    tc.on_event = on_clock_event;
    tc.user = m;
    struct mtr_tariff_sel sel;
    select_tariff(m, &v, &sel);
    return mtr_tariff_init(e->tariff, &tc, &v, &sel);
}
#endif

#if MTR_WITH_DISCONNECT
static mtr_err_t init_disconnect(struct mtr_meter *m)
{
    const struct mtr_meter_engines *e = &m->wire.e;
    if (e->disconnect == NULL) {
        return MTR_OK;
    }
    struct mtr_dc_config *dcc = e->disconnect_cfg;
    bool persist = false;
#if MTR_WITH_STORE
    persist = e->store != NULL && e->disconnect_part != 0;
#endif
    dcc->persist = persist ? dc_persist : NULL;
    dcc->on_event = dc_event;
    dcc->on_alarm = dc_alarm;
    dcc->user = m;
    mtr_err_t rc = mtr_disconnect_init(e->disconnect, dcc, &m->hal);
    mtr_ms_t now;
    if (rc != MTR_OK) {
        return rc;
    }
    if (!ms_now(m, &now)) {
        return MTR_ERR_IO;
    }
    m->wire.w.disconnect_restore = MTR_RESTORE_NONE;
#if MTR_WITH_STORE
    if (persist) {
        uint8_t blob[MTR_DISCONNECT_BLOB_SIZE];
        size_t len = 0;
        rc = mtr_store_load(e->store, e->disconnect_part, blob, sizeof blob, &len, NULL);
        if (rc == MTR_OK && mtr_disconnect_restore(e->disconnect, blob, len, now) == MTR_OK) {
            m->wire.w.disconnect_restore = MTR_RESTORE_OK;
            return MTR_OK;
        }
        m->wire.w.disconnect_restore =
            rc == MTR_ERR_NOENT ? MTR_RESTORE_MISSING : MTR_RESTORE_REFUSED;
        if (rc != MTR_ERR_NOENT) {
            log_rec(m, MTR_LOG_METER, EV_NV_MEMORY_ERROR, rtc_now(m), e->disconnect_part);
        }
    }
#endif
    /* the default safe state: ready for reconnection, relays open */
    return mtr_disconnect_start(e->disconnect, now);
}
#endif

static mtr_err_t init_engines(struct mtr_meter *m)
{
    mtr_err_t rc = MTR_OK;
    (void)m;
#if MTR_WITH_STORE
    rc = init_store(m);
#endif
#if MTR_WITH_METROLOGY
    if (rc == MTR_OK && m->wire.e.metrology != NULL) {
        rc = init_metrology(m);
    }
#endif
#if MTR_WITH_CALENDAR
    if (rc == MTR_OK) {
        rc = init_calendar(m);
    }
#endif
    if (rc != MTR_OK) {
        return rc;
    }
#if HAVE_SNAP
    if (snap_enabled(m)) {
        m->wire.w.energy_restore = snap_restore(m);
    }
#endif
#if MTR_WITH_METROLOGY
    if (m->wire.e.metrology != NULL) {
        metrology_totals(m, m->wire.seen);
    }
#endif
#if MTR_WITH_CALENDAR
    if (m->wire.e.tariff != NULL) {
        m->wire.billing_seen = mtr_tariff_billing_count(m->wire.e.tariff);
    }
#endif
#if MTR_WITH_DISCONNECT
    rc = init_disconnect(m);
#endif
    if (rc == MTR_OK) {
        rc = meter_prepaid_init(m); /* meter_prepaid.c */
    }
    return rc;
}

mtr_err_t meter_wire_init(struct mtr_meter *m)
{
    memset(&m->wire, 0, sizeof m->wire);
    if (m->cfg.engines == NULL) {
        return MTR_OK;
    }
    mtr_err_t rc = check_built(m->cfg.engines);
    if (rc != MTR_OK) {
        return rc;
    }
    m->wire.e = *m->cfg.engines;
    m->wire.tick_ms = 1000;
    (void)rtc_now(m);
    rc = init_engines(m);
    if (rc != MTR_OK) {
        return rc;
    }
    mtr_ms_t now;
    if (!ms_now(m, &now)) {
        return MTR_ERR_IO;
    }
    m->wire.last_step_ms = now;
    m->wire.last_commit_ms = now;
    m->wire.active = true;
    log_rec(m, MTR_LOG_METER, EV_POWER_UP, rtc_now(m), 0);
    mtr_timer_init(&m->wire.tick, on_tick, m);
    return mtr_timers_start(&m->timers, &m->wire.tick, now, m->wire.tick_ms, m->wire.tick_ms);
}

void mtr_meter_wiring(const struct mtr_meter *m, struct mtr_meter_wiring *out)
{
    MTR_ASSERT(m != NULL && out != NULL);
    *out = m->wire.w;
}

mtr_mw_t mtr_meter_monitored_mw(const struct mtr_meter *m)
{
    MTR_ASSERT(m != NULL);
    return m->wire.monitored_mw;
}
