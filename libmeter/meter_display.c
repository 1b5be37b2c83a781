/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The aggregate's display wiring (docs/display.md, "In the meter"): the
 * display engine's values come from the meter (mtr_meter_value() and its
 * units, the clock's local time and date, the application for the rest),
 * it is polled at every step, button 1 presses are timed and handed to it,
 * and its settings and lists persist in their own partition.
 */
#include "meter_wire_int.h"

#if MTR_WITH_DISPLAY
#include "meter/display.h"
#endif

mtr_err_t meter_display_check(const struct mtr_meter_engines *e)
{
#if MTR_WITH_DISPLAY
    if (e->display_part != 0 &&
        (e->display == NULL || e->display_cfg == NULL || e->store == NULL || e->display_buf == NULL)) {
        return MTR_ERR_CONFIG;
    }
    return MTR_OK;
#else
    return e->display != NULL ? MTR_ERR_NOTSUP : MTR_OK;
#endif
}

#if MTR_WITH_DISPLAY

mtr_err_t mtr_meter_display_value(struct mtr_meter *m, const struct mtr_display_item *item,
                                  struct mtr_display_value *out)
{
    MTR_ASSERT(m != NULL && item != NULL && out != NULL);
    static const uint8_t ln_time[5] = {1, 0, 0, 9, 1}; /* IEC 62056-6-1: local time */
    static const uint8_t ln_date[5] = {1, 0, 0, 9, 2}; /* ...local date */
    static const uint8_t ln_error[6] = {0, 0, 97, 97, 0, 255};
    const uint8_t *ln = item->ln;
    mtr_err_t rc = MTR_ERR_NOENT;
    int64_t v = 0;

    memset(out, 0, sizeof *out);
    out->unit = MTR_DISPLAY_UNIT_NONE;
#if MTR_WITH_CALENDAR
    bool time = memcmp(ln, ln_time, 5) == 0, date = memcmp(ln, ln_date, 5) == 0;
    if ((time || date) && ln[5] == 255 && item->class_id == 1 && item->attribute_index == 2 &&
        m->wire.e.clock != NULL) {
        struct mtr_clock_view cv;
        rc = mtr_clock_now(m->wire.e.clock, &cv);
        if (rc != MTR_OK) {
            return rc;
        }
        const struct mtr_datetime *t = &cv.local;
        out->format = time ? MTR_DISPLAY_FMT_TIME : MTR_DISPLAY_FMT_DATE;
        out->value = time ? (int64_t)t->hour * 3600 + t->minute * 60 + t->second
                          : (int64_t)t->year * 10000 + t->month * 100 + t->day;
        return MTR_OK;
    }
#else
    (void)ln_time;
    (void)ln_date;
#endif
    if (m->wire.active) {
        rc = mtr_meter_value(m, item->class_id, ln, item->attribute_index, &v);
    }
    if (rc == MTR_OK && item->data_index == 0) {
        out->value = v;
        if (memcmp(ln, ln_error, 6) == 0) {
            out->format = MTR_DISPLAY_FMT_HEX;
        } else if (mtr_meter_value_unit(item->class_id, ln, item->attribute_index, &out->scaler,
                                        &out->unit) != MTR_OK) {
            return MTR_ERR_NOENT; /* a time, not a quantity */
        }
        return MTR_OK;
    }
    if (rc == MTR_ERR_NOENT && m->wire.e.display_value != NULL) {
        memset(out, 0, sizeof *out);
        return m->wire.e.display_value(m->cfg.user, item, out);
    }
    return rc == MTR_OK ? MTR_ERR_NOENT : rc;
}

static mtr_err_t display_value(void *user, const struct mtr_display_item *item,
                               struct mtr_display_value *out)
{
    return mtr_meter_display_value((struct mtr_meter *)user, item, out);
}

static bool d_persists(const struct mtr_meter *m)
{
#if MTR_WITH_STORE
    return m->wire.e.display != NULL && m->wire.e.store != NULL && m->wire.e.display_part != 0;
#else
    (void)m;
    return false;
#endif
}

static void d_error(struct mtr_meter *m, mtr_err_t rc)
{
    if (rc != MTR_OK) {
        m->wire.w.display_errors++;
        m->wire.w.last_error = rc;
    }
}

mtr_err_t meter_display_init(struct mtr_meter *m)
{
    const struct mtr_meter_engines *e = &m->wire.e;
    mtr_ms_t now = 0;
    if (e->display == NULL || e->display_cfg == NULL) {
        return MTR_OK;
    }
    e->display_cfg->value = display_value;
    e->display_cfg->user = m;
    if (m->hal.clock->ms_now(m->hal.ctx, &now) != MTR_OK) {
        return MTR_ERR_IO;
    }
    mtr_err_t rc = mtr_display_init(e->display, e->display_cfg, now);
    if (rc != MTR_OK || !d_persists(m)) {
        return rc;
    }
#if MTR_WITH_STORE
    size_t len = 0;
    rc = mtr_store_load(e->store, e->display_part, e->display_buf, MTR_DISPLAY_BLOB_SIZE, &len, NULL);
    /* refused: the configuration's settings and lists stay */
    m->wire.w.display_restore = meter_restored(
        m, rc, rc == MTR_OK ? mtr_display_load(e->display, e->display_buf, len) : rc, e->display_part);
#endif
    return MTR_OK;
}

void meter_display_step(struct mtr_meter *m, mtr_ms_t now)
{
    if (m->wire.e.display != NULL) {
        d_error(m, mtr_display_poll(m->wire.e.display, now));
    }
}

void meter_display_inputs(struct mtr_meter *m)
{
    struct mtr_display *d = m->wire.e.display;
    bool down = (m->inputs & MTR_IN_BUTTON_1) != 0;
    mtr_ms_t now = 0;
    if (d == NULL || !m->wire.active || down == m->wire.disp_down ||
        m->hal.clock->ms_now(m->hal.ctx, &now) != MTR_OK) {
        return;
    }
    m->wire.disp_down = down;
    if (down) {
        m->wire.disp_down_ms = now;
        return;
    }
    /* released: the length of the press is the key (seed button timing) */
    mtr_ms_t held = now - m->wire.disp_down_ms;
    uint8_t key = mtr_display_key_of(held > UINT32_MAX ? UINT32_MAX : (uint32_t)held);
    mtr_err_t rc = mtr_display_poll(d, now);
    if (rc == MTR_OK) {
        rc = mtr_display_press(d, now, key);
    }
    d_error(m, rc);
}

mtr_err_t mtr_meter_display_commit(struct mtr_meter *m)
{
    MTR_ASSERT(m != NULL);
    if (!m->wire.active || !d_persists(m)) {
        return MTR_ERR_NOTSUP;
    }
#if MTR_WITH_STORE
    size_t len = 0;
    mtr_err_t rc = mtr_display_save(m->wire.e.display, m->wire.e.display_buf, MTR_DISPLAY_BLOB_SIZE,
                                    &len);
    if (rc == MTR_OK) {
        rc = mtr_store_commit(m->wire.e.store, m->wire.e.display_part, m->wire.e.display_buf, len);
    }
    if (rc != MTR_OK) {
        m->wire.w.display_commit_errors++;
        m->wire.w.last_error = rc;
        return rc;
    }
    m->wire.w.display_commits++;
    meter_records_parametrization(m, meter_rtc_now(m));
    return MTR_OK;
#else
    return MTR_ERR_NOTSUP;
#endif
}

#else /* !MTR_WITH_DISPLAY */

mtr_err_t meter_display_init(struct mtr_meter *m)
{
    (void)m;
    return MTR_OK;
}

void meter_display_step(struct mtr_meter *m, mtr_ms_t now)
{
    (void)m;
    (void)now;
}

void meter_display_inputs(struct mtr_meter *m)
{
    (void)m;
}

mtr_err_t mtr_meter_display_commit(struct mtr_meter *m)
{
    MTR_ASSERT(m != NULL);
    return MTR_ERR_NOTSUP;
}

mtr_err_t mtr_meter_display_value(struct mtr_meter *m, const struct mtr_display_item *item,
                                  struct mtr_display_value *out)
{
    MTR_ASSERT(m != NULL && item != NULL && out != NULL);
    return MTR_ERR_NOTSUP;
}

#endif
