/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The wiring of the engines (DESIGN.md rule 7): ADC frames -> metrology ->
 * energy deltas -> tariff registers chosen by the calendar -> demand and
 * billing -> limiter -> disconnect; the register snapshot, the calibration
 * and the disconnect state through the store; every engine event to the
 * application's on_log and the events engine. With meter_persist.c (the
 * aggregate's store records), meter_records.c (profiles, events, quality)
 * and meter_prepaid.c, the only files that include several engine headers.
 */
#include "meter_wire_int.h"

#if MTR_WITH_METROLOGY
_Static_assert(MTR_E_COUNT == MTR_METER_ENERGY_KINDS, "metrology energy kinds");
#endif
#if MTR_WITH_CALENDAR
_Static_assert(MTR_Q_COUNT == MTR_METER_ENERGY_KINDS, "tariff quantities");
#endif

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
    {47, "Parametrization (parameters changed)"},
    {201, "Change from external to internal"},
    {202, "Change from internal to external"},
    {209, "Remote billing capture"},
    {210, "Manual billing capture"},
    {223, "Regular billing capture"},
};

uint8_t meter_restored(struct mtr_meter *m, mtr_err_t store_rc, mtr_err_t load_rc, uint16_t part)
{
    if (store_rc == MTR_ERR_NOENT) {
        return MTR_RESTORE_MISSING;
    }
    if (store_rc == MTR_OK && load_rc == MTR_OK) {
        return MTR_RESTORE_OK;
    }
    meter_log_rec(m, MTR_LOG_METER, EV_NV_MEMORY_ERROR, meter_rtc_now(m), part);
    return MTR_RESTORE_REFUSED;
}

const char *meter_ev_name(uint16_t code)
{
    for (size_t i = 0; i < sizeof ev_names / sizeof ev_names[0]; i++) {
        if (ev_names[i].code == code) {
            return ev_names[i].name;
        }
    }
    return "";
}

mtr_utc_t meter_rtc_now(struct mtr_meter *m)
{
    mtr_utc_t utc;
    if (m->hal.clock->rtc_get(m->hal.ctx, &utc) == MTR_OK && utc >= 0) {
        m->wire.last_utc = utc;
    }
    return m->wire.last_utc;
}

void meter_log_rec(struct mtr_meter *m, uint8_t source, uint16_t code, mtr_utc_t utc,
                    int64_t value)
{
    struct mtr_log_record r = {.code = code, .source = source, .kind = MTR_LOG_EVENT,
                               .name = meter_ev_name(code), .utc = utc, .value = value};
    meter_log(m, &r);
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
    meter_log_rec(m, src, ev->code, when, 0);
    if (ev->code == MTR_CLOCK_EV_ADJUSTED_NEW) {
        meter_records_clock(m, ev->before, ev->after); /* CAD in every profile */
    } else if (ev->code == MTR_CAL_EV_TOU_ACTIVATED) {
        m->wire.tou_activated = true;
    }
}

static void on_billing(void *user, const struct mtr_billing_capture *cap)
{
    struct mtr_meter *m = user;
    meter_records_billing(m, cap); /* the billing profiles, with the values of the end */
    if (m->wire.on_billing != NULL) {
        m->wire.on_billing(m->wire.billing_user, cap);
    }
}
#endif

#if MTR_WITH_STORE
static void on_store_fault(void *user, uint16_t part_id, uint32_t fault)
{
    /* A torn write is a power cut, and a fallback follows another fault:
     * damage, failed writes, lost records and records of a newer format
     * (which this firmware cannot read) are memory errors. */
    if ((fault & (MTR_STORE_FAULT_CRC | MTR_STORE_FAULT_WRITE | MTR_STORE_FAULT_LOST |
                  MTR_STORE_FAULT_VERSION)) != 0) {
        struct mtr_meter *m = user;
        meter_log_rec(m, MTR_LOG_STORE, EV_NV_MEMORY_ERROR, meter_rtc_now(m), part_id);
    }
}
#endif

#if MTR_WITH_DISCONNECT
/* The disconnect record: the engine's blob, then the count of transition
 * events raised so far (big-endian u32): after a cut between logging a
 * transition's event and clearing its pending mark, the restart recognises
 * the event as logged. A partition sized for the bare blob gets the blob. */
static mtr_err_t dc_persist(void *user, const uint8_t *blob, size_t len)
{
#if MTR_WITH_STORE
    struct mtr_meter *m = user;
    uint8_t rec[MTR_DISCONNECT_BLOB_SIZE + 4u];
    if (len == MTR_DISCONNECT_BLOB_SIZE) {
        memcpy(rec, blob, len);
        mtr_put_be32(rec + len, meter_records_dc_mark(m));
        mtr_err_t rc = mtr_store_commit(m->wire.e.store, m->wire.e.disconnect_part, rec,
                                        sizeof rec);
        if (rc != MTR_ERR_RANGE) {
            return rc;
        }
    }
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
    struct mtr_log_record r = {.code = ev->code, .source = MTR_LOG_DISCONNECT,
                               .kind = MTR_LOG_EVENT, .channel = ev->channel,
                               .name = ev->name, .utc = meter_rtc_now(m)};
    meter_log(m, &r);
}

static void dc_alarm(void *user, uint8_t reg, uint32_t mask)
{
    struct mtr_meter *m = user;
    struct mtr_log_record r = {.source = MTR_LOG_DISCONNECT, .kind = MTR_LOG_ALARM,
                               .channel = reg, .name = "", .utc = meter_rtc_now(m), .value = mask};
    meter_log(m, &r);
}
#endif

/* -------------------------------------------------------- energy mapping */

#if MTR_WITH_METROLOGY
/* Metrology kind of each tariff quantity, by meaning: the two enums list the
 * same ten registers in different orders (metrology A+-, QI..QIV, R+-, S+-;
 * tariff A+-, R+-, QI..QIV, S+-). */
const uint8_t meter_kind_of_quantity[MTR_METER_ENERGY_KINDS] = {
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
        (void)mtr_metrology_energy(m->wire.e.metrology, MTR_METROLOGY_TOTAL, meter_kind_of_quantity[q],
                                   &out[q], NULL);
    }
}
#endif

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
    mtr_utc_t utc = meter_rtc_now(m);
    bool clock_moved = false;
    const struct mtr_clock_view *vp = NULL;
    update_monitored(m);
#if MTR_WITH_CALENDAR
    struct mtr_clock_view v;
    if (m->wire.e.clock != NULL) {
        mtr_err_t rc = mtr_clock_now(m->wire.e.clock, &v);
        if (rc != MTR_OK) {
            step_error(m, rc);
            return;
        }
        vp = &v;
        utc = v.utc;
        clock_moved = v.change_seq != m->wire.clock_seq;
        m->wire.clock_seq = v.change_seq;
        if (m->wire.e.tariff != NULL) {
            step_tariff(m, &v);
        }
        meter_prepaid_step(m, &v, now, clock_moved); /* meter_prepaid.c */
    }
#endif
    meter_records_step(m, vp, utc, now); /* meter_records.c */
    meter_display_step(m, now);          /* meter_display.c */
#if HAVE_CALREC
    if (meter_calrec_enabled(m)) {
        (void)meter_calrec_commit(m); /* counted; retried at the next step */
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
    if (!meter_snap_enabled(m) || m->power_failing) {
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
        if (meter_snap_commit(m) == MTR_OK) {
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
    mtr_utc_t utc = meter_rtc_now(m);
    meter_log_rec(m, MTR_LOG_METER, EV_POWER_DOWN, utc, 0);
    meter_records_power_fail(m, utc); /* quality down and committed; the flush is marked */
    (void)mtr_meter_commit(m);
    meter_prepaid_power_fail(m);
}

void meter_wire_power_restored(struct mtr_meter *m)
{
    if (!m->wire.active) {
        return;
    }
#if MTR_WITH_CALENDAR
    struct mtr_clock_view v;
    if (m->wire.e.tariff != NULL && mtr_clock_now(m->wire.e.clock, &v) == MTR_OK) {
        mtr_tariff_power_restored(m->wire.e.tariff, &v);
    }
#endif
    meter_records_power_restored(m, meter_rtc_now(m)); /* power failure, "Power up" */
    if (m->wire.e.events != NULL && meter_snap_enabled(m)) {
        (void)mtr_meter_commit(m); /* the counters of those records */
    }
}

void meter_wire_inputs(struct mtr_meter *m)
{
    meter_records_inputs(m);
    meter_display_inputs(m);
}

mtr_err_t mtr_meter_commit(struct mtr_meter *m)
{
    MTR_ASSERT(m != NULL && m->wire.active);
    if (!meter_snap_enabled(m)) {
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
    mtr_err_t rc = meter_snap_commit(m);
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
    mtr_err_t rc = meter_records_check(e);
    if (rc == MTR_OK) {
        rc = meter_display_check(e);
    }
    return rc != MTR_OK ? rc : meter_prepaid_check(e);
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
        /* refused: the neutral calibration stays (the engine's default) */
        m->wire.w.cal_restore = meter_restored(
            m, rc, rc == MTR_OK ? mtr_metrology_cal_load(e->metrology, blob, len) : rc, e->cal_part);
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
    if (meter_calrec_enabled(m)) {
        m->wire.w.calendar_restore = meter_calrec_restore(m);
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
        uint8_t blob[MTR_DISCONNECT_BLOB_SIZE + 4u];
        size_t len = 0;
        rc = mtr_store_load(e->store, e->disconnect_part, blob, sizeof blob, &len, NULL);
        if (rc == MTR_OK && len == MTR_DISCONNECT_BLOB_SIZE + 4u) {
            /* transition events logged since this record: a pending one among
             * them is not logged again by the restore */
            uint32_t mark = mtr_get_be32(blob + MTR_DISCONNECT_BLOB_SIZE);
            uint32_t now_mark = meter_records_dc_mark(m);
            m->wire.skip_dc = now_mark > mark ? now_mark - mark : 0;
            len = MTR_DISCONNECT_BLOB_SIZE;
        }
        m->wire.restoring_dc = true;
        mtr_err_t rrc = rc == MTR_OK ? mtr_disconnect_restore(e->disconnect, blob, len, now) : rc;
        m->wire.restoring_dc = false;
        m->wire.skip_dc = 0;
        if (rrc == MTR_OK) {
            m->wire.w.disconnect_restore = MTR_RESTORE_OK;
            return MTR_OK;
        }
        m->wire.w.disconnect_restore =
            rc == MTR_ERR_NOENT ? MTR_RESTORE_MISSING : MTR_RESTORE_REFUSED;
        if (rc != MTR_ERR_NOENT) {
            meter_log_rec(m, MTR_LOG_METER, EV_NV_MEMORY_ERROR, meter_rtc_now(m), e->disconnect_part);
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
    if (rc == MTR_OK) {
        rc = meter_events_init(m); /* first: every later record reaches it */
    }
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
    if (meter_snap_enabled(m)) {
        m->wire.w.energy_restore = meter_snap_restore(m);
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
    rc = meter_records_init(m); /* profiles, quality (meter_records.c) */
#if MTR_WITH_DISCONNECT
    if (rc == MTR_OK) {
        rc = init_disconnect(m);
    }
#endif
    if (rc == MTR_OK) {
        rc = meter_prepaid_init(m); /* meter_prepaid.c */
    }
    if (rc == MTR_OK) {
        rc = meter_display_init(m); /* meter_display.c */
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
    /* Every record of every engine goes through meter_log(): the
     * application's hook, then the events engine. */
    m->wire.app_log = m->cfg.on_log;
    m->cfg.on_log = meter_log_hook;
    (void)meter_rtc_now(m);
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
    meter_records_power_up(m); /* power-up records, "Power up" (meter_records.c) */
    mtr_timer_init(&m->wire.tick, on_tick, m);
    return mtr_timers_start(&m->timers, &m->wire.tick, now, m->wire.tick_ms, m->wire.tick_ms);
}

void mtr_meter_wiring(const struct mtr_meter *m, struct mtr_meter_wiring *out)
{
    MTR_ASSERT(m != NULL && out != NULL);
    *out = m->wire.w;
}

size_t mtr_meter_disconnect_record_size(void)
{
#if MTR_WITH_DISCONNECT
    return MTR_DISCONNECT_BLOB_SIZE + 4u;
#else
    return 0;
#endif
}

mtr_mw_t mtr_meter_monitored_mw(const struct mtr_meter *m)
{
    MTR_ASSERT(m != NULL);
    return m->wire.monitored_mw;
}
