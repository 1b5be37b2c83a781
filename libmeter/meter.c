/* SPDX-License-Identifier: Apache-2.0 */
/* The aggregate: the only place where engines are wired together. */
#include <string.h>

#include "meter/meter.h"
#include "meter_wire.h"

#define METER_MAGIC 0x4D54524Du /* "MTRM": catches use of an uninitialised meter */

#ifndef MTR_VERSION_STRING
#define MTR_VERSION_STRING "0.1.0"
#endif

const char *mtr_version(void)
{
    return MTR_VERSION_STRING;
}

size_t mtr_meter_size(void)
{
    return sizeof(struct mtr_meter);
}

static void check_meter(const struct mtr_meter *m)
{
    MTR_ASSERT(m != NULL && m->magic == METER_MAGIC);
}

static mtr_err_t read_adc_info(const struct mtr_hal *hal, struct mtr_adc_info *adc, bool *has)
{
    *has = false;
    if (hal->io == NULL || hal->io->adc_info == NULL) {
        return MTR_OK;
    }
    mtr_err_t rc = hal->io->adc_info(hal->ctx, adc);
    if (rc != MTR_OK) {
        return rc;
    }
    if (adc->channels != MTR_ADC_CHANNELS || adc->bits < 12 || adc->bits > 24 ||
        adc->rate_hz == 0) {
        return MTR_ERR_CONFIG;
    }
    *has = true;
    return MTR_OK;
}

mtr_err_t mtr_meter_init(struct mtr_meter *m, const struct mtr_hal *hal,
                         const struct mtr_meter_config *cfg)
{
    MTR_ASSERT(m != NULL);
    mtr_err_t rc = mtr_hal_check(hal);
    if (rc != MTR_OK) {
        return rc;
    }
    /* Everything is read before *m is touched: a failed init changes nothing. */
    mtr_utc_t utc;
    bool rtc_invalid = false;
    rc = hal->clock->rtc_get(hal->ctx, &utc);
    if (rc == MTR_ERR_RTC_INVALID) {
        rtc_invalid = true;
    } else if (rc != MTR_OK) {
        return rc;
    }
    struct mtr_adc_info adc = {0};
    bool has_adc;
    rc = read_adc_info(hal, &adc, &has_adc);
    if (rc != MTR_OK) {
        return rc;
    }
    uint32_t inputs = 0;
    if (hal->io != NULL && hal->io->inputs != NULL) {
        rc = hal->io->inputs(hal->ctx, &inputs);
        if (rc != MTR_OK) {
            return rc;
        }
    }
    memset(m, 0, sizeof *m);
    m->hal = *hal;
    if (cfg != NULL) {
        m->cfg = *cfg;
    }
    m->adc = adc;
    m->has_adc = has_adc;
    m->rtc_invalid = rtc_invalid;
    m->inputs = inputs;
    mtr_evq_init(&m->evq);
    rc = meter_wire_init(m);
    if (rc != MTR_OK) {
        return rc; /* magic left 0: the meter is unusable */
    }
    m->magic = METER_MAGIC;
    return MTR_OK;
}

static void drain_adc(struct mtr_meter *m)
{
    int32_t frames[MTR_CFG_ADC_FRAMES * MTR_ADC_CHANNELS];
    /* Bounded: at most a queue's worth of hand-overs per event, so a
     * stuck DMA cannot keep the loop here. */
    for (uint32_t round = 0; round < MTR_CFG_EVENT_QUEUE_LEN; round++) {
        size_t n = 0;
        mtr_err_t rc = m->hal.io->adc_read(m->hal.ctx, frames, MTR_CFG_ADC_FRAMES, &n);
        if (rc == MTR_ERR_OVERFLOW) {
            m->stats.adc_overruns++;
        } else if (rc != MTR_OK) {
            m->stats.hal_errors++;
            return;
        }
        if (n > MTR_CFG_ADC_FRAMES) {
            m->stats.hal_errors++; /* a HAL that overran our buffer: drop the lot */
            return;
        }
        if (n == 0) {
            return;
        }
        m->stats.adc_frames += n;
        meter_wire_frames(m, frames, n);
        if (m->cfg.on_frames != NULL) {
            m->cfg.on_frames(m, frames, n, m->cfg.user);
        }
        if (n < MTR_CFG_ADC_FRAMES) {
            return;
        }
    }
}

static void handle_event(struct mtr_meter *m, const struct mtr_event *ev)
{
    switch (ev->type) {
    case MTR_EV_ADC_READY:
        if (m->has_adc) {
            drain_adc(m);
            meter_wire_after_drain(m);
        }
        break;
    case MTR_EV_INPUT:
        m->inputs = ev->arg;
        meter_wire_inputs(m); /* covers and magnetic field to the quality engine */
        break;
    case MTR_EV_POWER_FAIL:
        if (!m->power_failing) {
            m->stats.power_fails++;
            meter_wire_power_fail(m); /* flush the registers while the supply holds */
        }
        m->power_failing = true;
        break;
    case MTR_EV_POWER_RESTORED:
        if (m->power_failing) {
            meter_wire_power_restored(m);
        }
        m->power_failing = false;
        break;
    default:
        break;
    }
    m->stats.events++;
    if (m->cfg.on_event != NULL) {
        m->cfg.on_event(m, ev, m->cfg.user);
    }
}

mtr_err_t mtr_poll(struct mtr_meter *m, uint32_t *sleep_ms)
{
    check_meter(m);
    mtr_ms_t now;
    if (m->hal.clock->ms_now(m->hal.ctx, &now) != MTR_OK) {
        return MTR_ERR_IO;
    }
    m->stats.polls++;
    struct mtr_event ev;
    for (uint32_t i = 0; i < MTR_CFG_POLL_MAX_EVENTS; i++) {
        if (mtr_evq_get(&m->evq, &ev) != MTR_OK) {
            break;
        }
        handle_event(m, &ev);
    }
    if (m->hal.clock->ms_now(m->hal.ctx, &now) != MTR_OK) {
        return MTR_ERR_IO;
    }
    m->stats.timer_runs += mtr_timers_run(&m->timers, now);
    m->stats.dropped = m->evq.dropped;
    if (m->hal.sys != NULL && m->hal.sys->watchdog_kick != NULL &&
        m->hal.sys->watchdog_kick(m->hal.ctx) != MTR_OK) {
        m->stats.hal_errors++;
    }
    if (sleep_ms != NULL) {
        *sleep_ms = mtr_evq_count(&m->evq) != 0 ? 0 : mtr_timers_next(&m->timers, now);
    }
    return MTR_OK;
}

mtr_err_t mtr_post(struct mtr_meter *m, uint8_t type, uint8_t src, uint32_t arg)
{
    check_meter(m);
    struct mtr_event ev = {.type = type, .src = src, .aux = 0, .arg = arg};
    return mtr_evq_post(&m->evq, &m->hal, &ev);
}

mtr_err_t mtr_post_adc_ready(struct mtr_meter *m)
{
    return mtr_post(m, MTR_EV_ADC_READY, 0, 0);
}

mtr_err_t mtr_post_input(struct mtr_meter *m, uint32_t inputs)
{
    return mtr_post(m, MTR_EV_INPUT, 0, inputs);
}

mtr_err_t mtr_post_power_fail(struct mtr_meter *m)
{
    return mtr_post(m, MTR_EV_POWER_FAIL, 0, 0);
}

mtr_err_t mtr_timer_start(struct mtr_meter *m, struct mtr_timer *t, uint32_t delay, uint32_t period)
{
    check_meter(m);
    mtr_ms_t now;
    if (m->hal.clock->ms_now(m->hal.ctx, &now) != MTR_OK) {
        return MTR_ERR_IO;
    }
    return mtr_timers_start(&m->timers, t, now, delay, period);
}

void mtr_timer_stop(struct mtr_meter *m, struct mtr_timer *t)
{
    check_meter(m);
    mtr_timers_stop(&m->timers, t);
}

void mtr_meter_stats(const struct mtr_meter *m, struct mtr_meter_stats *out)
{
    check_meter(m);
    MTR_ASSERT(out != NULL);
    *out = m->stats;
    out->dropped = m->evq.dropped;
}

uint32_t mtr_meter_inputs(const struct mtr_meter *m)
{
    check_meter(m);
    return m->inputs;
}

bool mtr_meter_rtc_invalid(const struct mtr_meter *m)
{
    check_meter(m);
    return m->rtc_invalid;
}

bool mtr_meter_power_failing(const struct mtr_meter *m)
{
    check_meter(m);
    return m->power_failing;
}

mtr_err_t mtr_meter_rtc_set(struct mtr_meter *m, mtr_utc_t utc)
{
    check_meter(m);
    if (utc < 0) {
        return MTR_ERR_RANGE;
    }
    mtr_err_t rc = meter_wire_rtc_set(m, utc);
    if (rc != MTR_ERR_NOTSUP) {
        if (rc == MTR_OK) {
            m->rtc_invalid = false;
        }
        return rc;
    }
    if (m->hal.clock->rtc_set == NULL) {
        return MTR_ERR_NOTSUP;
    }
    rc = m->hal.clock->rtc_set(m->hal.ctx, utc);
    if (rc == MTR_OK) {
        m->rtc_invalid = false;
    }
    return rc;
}

bool mtr_meter_adc_info(const struct mtr_meter *m, struct mtr_adc_info *info)
{
    check_meter(m);
    MTR_ASSERT(info != NULL);
    if (!m->has_adc) {
        return false;
    }
    *info = m->adc;
    return true;
}
