/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The aggregate's records in the store: the register snapshot (metrology
 * registers with the tariff state) and the calendar record (clock settings
 * with the activity calendar); see docs/architecture.md, "Persistence".
 */
#include "meter_wire_int.h"

/* ----------------------------------------------------- register snapshot */

#if HAVE_SNAP
#define SNAP_MAGIC 0x4D545245u /* "MTRE" */
/* Version 2 adds the block of meter_records.c after the tariff state;
 * version 1 records (without it) still load. */
#define SNAP_VERSION 2u
#define SNAP_VERSION_1 1u
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
#define SNAP_MAX (SNAP_HDR + SNAP_METRO_BYTES + SNAP_TARIFF_BYTES + SNAP_EXT_BYTES)

static size_t snap_encode(struct mtr_meter *m, uint8_t *buf)
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
    meter_records_snap_ext(m, buf + n);
    n += SNAP_EXT_BYTES;
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
    if (len < SNAP_HDR || mtr_get_be32(buf) != SNAP_MAGIC ||
        (buf[4] != SNAP_VERSION && buf[4] != SNAP_VERSION_1) || buf[5] != snap_flags(m) ||
        mtr_get_be16(buf + 6) != len) {
        return MTR_ERR_DECODE;
    }
    const uint8_t *p = buf + SNAP_HDR;
    const uint8_t *end = buf + len;
    const uint8_t *ext = NULL;
    if (buf[4] == SNAP_VERSION) {
        if (len < SNAP_HDR + SNAP_EXT_BYTES) {
            return MTR_ERR_DECODE;
        }
        end -= SNAP_EXT_BYTES;
        ext = end;
    }
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
                    regs[MTR_METROLOGY_TOTAL][meter_kind_of_quantity[qn]]) {
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
    if (ext != NULL) {
        meter_records_snap_load(m, ext);
    }
    return MTR_OK;
}

mtr_err_t meter_snap_commit(struct mtr_meter *m)
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

uint8_t meter_snap_restore(struct mtr_meter *m)
{
    uint8_t buf[SNAP_MAX];
    size_t len = 0;
    mtr_err_t rc = mtr_store_load(m->wire.e.store, m->wire.e.energy_part, buf, sizeof buf, &len,
                                  NULL);
    return meter_restored(m, rc, rc == MTR_OK ? snap_apply(m, buf, len) : rc, m->wire.e.energy_part);
}
#endif

size_t mtr_meter_energy_record_size(void)
{
#if HAVE_SNAP
    return SNAP_MAX;
#else
    return 0;
#endif
}

bool meter_snap_enabled(const struct mtr_meter *m)
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

#if HAVE_CALREC
#define CALREC_MAGIC 0x4D54524Bu /* "MTRK" */
#define CALREC_VERSION 1u
#define CALREC_HDR 8u
#define CALREC_HAS_CLOCK 0x01u
#define CALREC_HAS_CALENDAR 0x02u
#define CALREC_MAX (CALREC_HDR + MTR_CLOCK_STATE_SIZE + MTR_CALENDAR_STATE_MAX)

bool meter_calrec_enabled(const struct mtr_meter *m)
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
mtr_err_t meter_calrec_commit(struct mtr_meter *m)
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
        if (rc == MTR_OK && !m->wire.tou_activated) {
            /* settings written by the head-end or the application (an
             * activation of the passive calendar alone is event 9) */
            meter_records_parametrization(m, meter_rtc_now(m));
        }
    }
    if (rc != MTR_OK) {
        m->wire.w.calendar_commit_errors++;
        m->wire.w.last_error = rc;
        return rc;
    }
    m->wire.calrec_crc = crc;
    m->wire.calrec_known = true;
    m->wire.tou_activated = false;
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

uint8_t meter_calrec_restore(struct mtr_meter *m)
{
    const struct mtr_meter_engines *e = &m->wire.e;
    size_t len = 0;
    mtr_err_t rc = mtr_store_load(e->store, e->calendar_part, e->calendar_buf,
                                  e->calendar_buf_size, &len, NULL);
    uint8_t res = meter_restored(m, rc, rc == MTR_OK ? calrec_apply(m, e->calendar_buf, len) : rc,
                                 e->calendar_part);
    if (res == MTR_RESTORE_OK) {
        m->wire.calrec_crc = mtr_crc32(e->calendar_buf, len);
        m->wire.calrec_known = true;
    }
    calrec_mark(m);
    return res;
}
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
    if (m->wire.active && meter_calrec_enabled(m)) {
        return meter_calrec_commit(m);
    }
#endif
    return MTR_ERR_NOTSUP;
}
