/* SPDX-License-Identifier: Apache-2.0 */
/* Simulator HAL: clock, io, adc and sys ops, and the board as a whole. */
#include "sim.h"

#include <string.h>

#include "sim_internal.h"

void mtr_sim_default_config(struct mtr_sim_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->nvm_size = 256u * 1024u;
    cfg->nvm_sector_size = 4096u;
    cfg->nvm_write_unit = 1u;
    cfg->nvm_needs_erase = true;
    cfg->ms_start = 0;
    cfg->utc_start = 1767225600; /* 2026-01-01T00:00:00Z */
    cfg->rtc_valid = true;
    cfg->relays = 3;
    cfg->outputs = 7;
    cfg->adc_buffer = 4096;
    cfg->adc_enabled = true;
    mtr_sim_adc_default(&cfg->adc);
    cfg->entropy_seed = 0x6D657465723031ULL;
}

mtr_err_t mtr_sim_init(struct mtr_sim *sim, const struct mtr_sim_config *cfg)
{
    if (cfg->relays < 1 || cfg->relays > MTR_SIM_MAX_RELAYS || cfg->outputs < 1 ||
        cfg->outputs > MTR_SIM_MAX_OUTPUTS || cfg->adc_buffer == 0) {
        return MTR_ERR_INVAL;
    }
    struct mtr_sim fresh;
    memset(&fresh, 0, sizeof fresh);
    fresh.cfg = *cfg;
    fresh.ms = cfg->ms_start;
    fresh.utc = cfg->utc_start;
    fresh.rtc_valid = cfg->rtc_valid;
    fresh.entropy_state = cfg->entropy_seed;
    fresh.power_on = true;
    if (cfg->adc_enabled) {
        mtr_err_t rc = mtr_sim_adc_init(&fresh.adc, &cfg->adc);
        if (rc != MTR_OK) {
            return rc;
        }
    }
    mtr_err_t rc = sim_nvm_init(&fresh);
    if (rc != MTR_OK) {
        mtr_sim_adc_free(&fresh.adc);
        return rc;
    }
    *sim = fresh;
    return MTR_OK;
}

void mtr_sim_free(struct mtr_sim *sim)
{
    sim_nvm_free(sim);
    if (sim->cfg.adc_enabled) {
        mtr_sim_adc_free(&sim->adc);
    }
}

/* ------------------------------------------------------------------ clock */

void mtr_sim_advance(struct mtr_sim *sim, uint32_t ms)
{
    sim->ms += ms;
    sim->elapsed_ms += ms;
    uint64_t total = (uint64_t)sim->utc_ms + ms;
    sim->utc += (mtr_utc_t)(total / 1000u);
    sim->utc_ms = (uint32_t)(total % 1000u);
}

void mtr_sim_set_ms(struct mtr_sim *sim, mtr_ms_t ms)
{
    sim->ms = ms;
}

void mtr_sim_set_utc(struct mtr_sim *sim, mtr_utc_t utc)
{
    sim->utc = utc;
    sim->utc_ms = 0;
    sim->rtc_valid = true;
}

void mtr_sim_rtc_lose(struct mtr_sim *sim)
{
    sim->rtc_valid = false;
    sim->utc = 0;
}

void mtr_sim_clock_fail(struct mtr_sim *sim, bool fail)
{
    sim->clock_fail = fail;
}

static mtr_err_t clk_ms_now(void *ctx, mtr_ms_t *ms)
{
    struct mtr_sim *sim = ctx;
    if (sim->clock_fail) {
        return MTR_ERR_IO;
    }
    *ms = sim->ms;
    return MTR_OK;
}

static mtr_err_t clk_rtc_get(void *ctx, mtr_utc_t *utc)
{
    struct mtr_sim *sim = ctx;
    *utc = sim->utc;
    return sim->rtc_valid ? MTR_OK : MTR_ERR_RTC_INVALID;
}

/* A 64-bit seconds RTC: anything from 1970 to the year 292e9 fits. */
static mtr_err_t clk_rtc_set(void *ctx, mtr_utc_t utc)
{
    if (utc < 0) {
        return MTR_ERR_RANGE;
    }
    mtr_sim_set_utc(ctx, utc);
    return MTR_OK;
}

static const struct mtr_clock_ops sim_clock_ops = {
    .ms_now = clk_ms_now,
    .rtc_get = clk_rtc_get,
    .rtc_set = clk_rtc_set,
};

/* --------------------------------------------------------------------- io */

static void log_push(struct mtr_sim_log_entry *log, uint32_t *n, mtr_ms_t ms, uint8_t which,
                     uint16_t value)
{
    log[*n % MTR_SIM_LOG_LEN] = (struct mtr_sim_log_entry){.ms = ms, .which = which, .value = value};
    (*n)++;
}

static bool log_get(const struct mtr_sim_log_entry *log, uint32_t n, uint32_t i,
                    struct mtr_sim_log_entry *e)
{
    uint32_t kept = n < MTR_SIM_LOG_LEN ? n : MTR_SIM_LOG_LEN;
    if (i >= kept) {
        return false;
    }
    *e = log[(n - kept + i) % MTR_SIM_LOG_LEN];
    return true;
}

static mtr_err_t io_relay_set(void *ctx, uint8_t relay, bool closed)
{
    struct mtr_sim *sim = ctx;
    if (relay >= sim->cfg.relays) {
        return MTR_ERR_RANGE;
    }
    sim->relay_cmd[relay] = closed;
    if (!sim->relay_stuck[relay]) {
        sim->relay_pos[relay] = closed;
    }
    sim->relay_ops[relay]++;
    log_push(sim->relay_log, &sim->relay_log_n, sim->ms, relay, closed ? 1 : 0);
    return MTR_OK;
}

static mtr_err_t io_relay_feedback(void *ctx, uint8_t relay, bool *closed)
{
    struct mtr_sim *sim = ctx;
    if (relay >= sim->cfg.relays) {
        return MTR_ERR_RANGE;
    }
    *closed = sim->relay_pos[relay];
    return MTR_OK;
}

static mtr_err_t io_pulse(void *ctx, uint8_t out, uint16_t width_ms)
{
    struct mtr_sim *sim = ctx;
    if (out >= sim->cfg.outputs) {
        return MTR_ERR_RANGE;
    }
    if (sim->pulses[out] != 0 && !mtr_ms_reached(sim->ms, sim->pulse_end[out])) {
        return MTR_ERR_BUSY;
    }
    sim->pulses[out]++;
    sim->pulse_end[out] = sim->ms + width_ms;
    log_push(sim->pulse_log, &sim->pulse_log_n, sim->ms, out, width_ms);
    return MTR_OK;
}

static mtr_err_t io_inputs(void *ctx, uint32_t *bits)
{
    *bits = ((struct mtr_sim *)ctx)->inputs;
    return MTR_OK;
}

bool mtr_sim_relay(const struct mtr_sim *sim, uint8_t r)
{
    return r < MTR_SIM_MAX_RELAYS && sim->relay_cmd[r];
}

uint32_t mtr_sim_relay_ops(const struct mtr_sim *sim, uint8_t r)
{
    return r < MTR_SIM_MAX_RELAYS ? sim->relay_ops[r] : 0;
}

void mtr_sim_relay_stick(struct mtr_sim *sim, uint8_t r, bool stuck)
{
    if (r < MTR_SIM_MAX_RELAYS) {
        sim->relay_stuck[r] = stuck;
    }
}

uint64_t mtr_sim_pulses(const struct mtr_sim *sim, uint8_t out)
{
    return out < MTR_SIM_MAX_OUTPUTS ? sim->pulses[out] : 0;
}

bool mtr_sim_relay_log(const struct mtr_sim *sim, uint32_t i, struct mtr_sim_log_entry *e)
{
    return log_get(sim->relay_log, sim->relay_log_n, i, e);
}

bool mtr_sim_pulse_log(const struct mtr_sim *sim, uint32_t i, struct mtr_sim_log_entry *e)
{
    return log_get(sim->pulse_log, sim->pulse_log_n, i, e);
}

void mtr_sim_set_inputs(struct mtr_sim *sim, uint32_t inputs)
{
    sim->inputs = inputs;
}

/* -------------------------------------------------------------------- adc */

static uint64_t adc_due(const struct mtr_sim *sim)
{
    return sim->elapsed_ms * mtr_sim_adc_rate(&sim->adc) / 1000u;
}

/* Frames older than the DMA buffer are overwritten, as real DMA would. */
static void adc_catch_up(struct mtr_sim *sim)
{
    uint64_t due = adc_due(sim);
    if (due - sim->adc_next > sim->cfg.adc_buffer) {
        sim->adc_next = due - sim->cfg.adc_buffer;
        sim->adc_overrun = true;
    }
}

uint64_t mtr_sim_adc_pending(const struct mtr_sim *sim)
{
    if (!sim->cfg.adc_enabled) {
        return 0;
    }
    uint64_t pending = adc_due(sim) - sim->adc_next;
    return pending < sim->cfg.adc_buffer ? pending : sim->cfg.adc_buffer;
}

mtr_err_t mtr_sim_adc_set(struct mtr_sim *sim, const struct mtr_sim_adc_cfg *cfg)
{
    if (!sim->cfg.adc_enabled) {
        return MTR_ERR_STATE;
    }
    struct mtr_sim_adc next;
    mtr_err_t rc = mtr_sim_adc_init(&next, cfg);
    if (rc != MTR_OK) {
        return rc;
    }
    if (mtr_sim_adc_rate(&next) != mtr_sim_adc_rate(&sim->adc)) {
        mtr_sim_adc_free(&next);
        return MTR_ERR_INVAL; /* the HAL reported its rate at init */
    }
    mtr_sim_adc_free(&sim->adc);
    sim->adc = next;
    return MTR_OK;
}

mtr_err_t mtr_sim_adc_play(struct mtr_sim *sim, const char *path)
{
    if (!sim->cfg.adc_enabled) {
        return MTR_ERR_STATE;
    }
    struct mtr_sim_adc next;
    memset(&next, 0, sizeof next);
    mtr_err_t rc = mtr_sim_adc_load_file(&next, path);
    if (rc != MTR_OK) {
        return rc;
    }
    mtr_sim_adc_free(&sim->adc);
    sim->adc = next;
    sim->cfg.adc.rate_hz = mtr_sim_adc_rate(&next);
    sim->cfg.adc.bits = mtr_sim_adc_bits(&next);
    return MTR_OK;
}

static mtr_err_t adc_info(void *ctx, struct mtr_adc_info *info)
{
    struct mtr_sim *sim = ctx;
    info->rate_hz = mtr_sim_adc_rate(&sim->adc);
    info->bits = mtr_sim_adc_bits(&sim->adc);
    info->channels = MTR_ADC_CHANNELS;
    return MTR_OK;
}

static mtr_err_t adc_read(void *ctx, int32_t *frames, size_t max, size_t *n)
{
    struct mtr_sim *sim = ctx;
    adc_catch_up(sim);
    uint64_t pending = adc_due(sim) - sim->adc_next;
    size_t take = pending < max ? (size_t)pending : max;
    for (size_t i = 0; i < take; i++) {
        mtr_sim_adc_frame(&sim->adc, sim->adc_next + i, frames + i * MTR_ADC_CHANNELS);
    }
    sim->adc_next += take;
    *n = take;
    if (sim->adc_overrun) {
        sim->adc_overrun = false;
        return MTR_ERR_OVERFLOW;
    }
    return MTR_OK;
}

static const struct mtr_io_ops sim_io_ops = {
    .relay_set = io_relay_set,
    .relay_feedback = io_relay_feedback,
    .pulse = io_pulse,
    .inputs = io_inputs,
    .adc_info = adc_info,
    .adc_read = adc_read,
};

static const struct mtr_io_ops sim_io_ops_no_adc = {
    .relay_set = io_relay_set,
    .relay_feedback = io_relay_feedback,
    .pulse = io_pulse,
    .inputs = io_inputs,
};

/* -------------------------------------------------------------------- sys */

static mtr_err_t sys_critical_enter(void *ctx, uint32_t *state)
{
    struct mtr_sim *sim = ctx;
    *state = (uint32_t)sim->critical_depth;
    sim->critical_depth++;
    return MTR_OK;
}

static mtr_err_t sys_critical_exit(void *ctx, uint32_t state)
{
    struct mtr_sim *sim = ctx;
    sim->critical_depth--;
    if ((uint32_t)sim->critical_depth != state) {
        sim->critical_errors++;
    }
    return MTR_OK;
}

/* Deterministic (splitmix64): a simulation must replay exactly. */
static mtr_err_t sys_entropy(void *ctx, void *buf, size_t len)
{
    struct mtr_sim *sim = ctx;
    uint8_t *p = buf;
    for (size_t i = 0; i < len; i++) {
        uint64_t z = (sim->entropy_state += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        p[i] = (uint8_t)(z ^ (z >> 31));
    }
    return MTR_OK;
}

static mtr_err_t sys_watchdog_kick(void *ctx)
{
    ((struct mtr_sim *)ctx)->watchdog_kicks++;
    return MTR_OK;
}

static mtr_err_t sys_reset(void *ctx)
{
    ((struct mtr_sim *)ctx)->resets++;
    return MTR_OK;
}

static const struct mtr_sys_ops sim_sys_ops = {
    .critical_enter = sys_critical_enter,
    .critical_exit = sys_critical_exit,
    .entropy = sys_entropy,
    .watchdog_kick = sys_watchdog_kick,
    .reset = sys_reset,
};

int mtr_sim_critical_depth(const struct mtr_sim *sim)
{
    return sim->critical_depth;
}

uint32_t mtr_sim_watchdog_kicks(const struct mtr_sim *sim)
{
    return sim->watchdog_kicks;
}

/* -------------------------------------------------------------------- hal */

void mtr_sim_hal(struct mtr_sim *sim, struct mtr_hal *hal)
{
    hal->ctx = sim;
    hal->clock = &sim_clock_ops;
    hal->nvm = &sim_nvm_ops;
    hal->io = sim->cfg.adc_enabled ? &sim_io_ops : &sim_io_ops_no_adc;
    hal->sys = &sim_sys_ops;
    hal->crypto = mtr_sim_crypto_ops();
}
