/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file sim.h
 * @brief The simulator HAL: the test bed of libmeter on Linux.
 *
 * - clock: a millisecond counter and an RTC that only move when told to
 *   (mtr_sim_advance()), settable anywhere, including just before the 2^32
 *   wrap; the RTC can be made to lose its time (battery gone).
 * - nvm: RAM or file, with sectors, erase, NOR-flash or EEPROM semantics,
 *   per-sector write and erase counters, and power-cut injection: after N
 *   more bytes the write in progress is torn (part new, part old, the byte
 *   being programmed half-way) and every later access fails until power is
 *   restored.
 * - io: relays with feedback (which can be made to stick), pulse outputs and
 *   LEDs with a log, inputs (buttons, covers, tariff inputs) set by tests.
 * - adc: the synthetic 3-phase waveform of sim_adc.h, or a sample file,
 *   delivered as a DMA buffer would: frames accumulate as time advances.
 * - sys: critical-section depth check, deterministic entropy, watchdog and
 *   reset counters.
 * - crypto: mbedTLS (AES-128-GCM, AES key wrap, SHA-256, DES), when built.
 */
#ifndef METER_SIM_H
#define METER_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "meter/hal.h"
#include "sim_adc.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MTR_SIM_MAX_RELAYS 4
#define MTR_SIM_MAX_OUTPUTS 8
#define MTR_SIM_LOG_LEN 256

/** Settings of a simulated board. mtr_sim_default_config() fills them. */
struct mtr_sim_config {
    uint32_t nvm_size;        /**< bytes (default 256 KiB) */
    uint32_t nvm_sector_size; /**< bytes (default 4 KiB) */
    uint32_t nvm_write_unit;  /**< bytes (default 1) */
    bool nvm_needs_erase;     /**< true: NOR flash (erased 0xFF, writes clear bits); false: EEPROM */
    const char *nvm_path;     /**< NULL: RAM only; else a file kept in step with every write */
    mtr_ms_t ms_start;        /**< initial millisecond counter */
    mtr_utc_t utc_start;      /**< initial RTC */
    bool rtc_valid;           /**< false: the RTC starts invalid (battery lost) */
    uint8_t relays;           /**< 1..MTR_SIM_MAX_RELAYS (default 3) */
    uint8_t outputs;          /**< pulse outputs incl. LEDs, 1..MTR_SIM_MAX_OUTPUTS (default 7) */
    uint32_t adc_buffer;      /**< frames the "DMA buffer" holds before it overruns (default 4096) */
    bool adc_enabled;         /**< false: no ADC ops in the HAL */
    struct mtr_sim_adc_cfg adc; /**< waveform (default: mtr_sim_adc_default()) */
    uint64_t entropy_seed;    /**< seed of the deterministic entropy source */
};

/** One relay command or pulse, as logged. */
struct mtr_sim_log_entry {
    mtr_ms_t ms;    /**< counter value when it happened */
    uint8_t which;  /**< relay or output number */
    uint16_t value; /**< relay: 1 closed / 0 open; pulse: width in ms */
};

/** A simulated board. Fields are for the sim's own use; tests use the functions. */
struct mtr_sim {
    struct mtr_sim_config cfg;
    /* clock */
    mtr_ms_t ms;
    mtr_utc_t utc;
    uint32_t utc_ms; /* milliseconds into the current RTC second */
    bool rtc_valid;
    bool clock_fail;
    uint64_t elapsed_ms; /* since init, drives the ADC */
    /* nvm */
    uint8_t *nvm;
    uint32_t *sector_erases;
    uint32_t *sector_writes;
    void *nvm_file;
    bool power_on;
    bool cut_armed;
    uint32_t cut_budget;
    uint32_t power_cuts;
    /* io */
    bool relay_cmd[MTR_SIM_MAX_RELAYS];
    bool relay_pos[MTR_SIM_MAX_RELAYS];
    bool relay_stuck[MTR_SIM_MAX_RELAYS];
    uint32_t relay_ops[MTR_SIM_MAX_RELAYS];
    uint64_t pulses[MTR_SIM_MAX_OUTPUTS];
    mtr_ms_t pulse_end[MTR_SIM_MAX_OUTPUTS];
    struct mtr_sim_log_entry relay_log[MTR_SIM_LOG_LEN];
    uint32_t relay_log_n;
    struct mtr_sim_log_entry pulse_log[MTR_SIM_LOG_LEN];
    uint32_t pulse_log_n;
    uint32_t inputs;
    /* adc */
    struct mtr_sim_adc adc;
    uint64_t adc_next;
    bool adc_overrun;
    /* sys */
    int critical_depth;
    uint32_t critical_errors;
    uint64_t entropy_state;
    uint32_t watchdog_kicks;
    uint32_t resets;
};

/** @brief Defaults: 256 KiB NOR flash in RAM, 4 KiB sectors, RTC valid at 2026-01-01, 3 relays, 7 outputs, default waveform. */
void mtr_sim_default_config(struct mtr_sim_config *cfg);
/**
 * @brief Build a simulated board.
 * @return MTR_OK; MTR_ERR_INVAL for an impossible geometry or count;
 *         MTR_ERR_IO if the NVM file cannot be opened, or exists with another size.
 */
mtr_err_t mtr_sim_init(struct mtr_sim *sim, const struct mtr_sim_config *cfg);
/** @brief Release the NVM (and close its file). */
void mtr_sim_free(struct mtr_sim *sim);
/** @brief Fill @p hal with the sim's ops (crypto is NULL when built without mbedTLS). */
void mtr_sim_hal(struct mtr_sim *sim, struct mtr_hal *hal);

/* clock */
/** @brief Let @p ms pass: counter, RTC (if valid) and ADC time move together. */
void mtr_sim_advance(struct mtr_sim *sim, uint32_t ms);
/** @brief Set the millisecond counter (the RTC and the ADC are not affected). */
void mtr_sim_set_ms(struct mtr_sim *sim, mtr_ms_t ms);
/** @brief Set the RTC and mark it valid (as a battery-backed RTC set by a tool). */
void mtr_sim_set_utc(struct mtr_sim *sim, mtr_utc_t utc);
/** @brief The RTC loses its time: rtc_get returns MTR_ERR_RTC_INVALID until set. */
void mtr_sim_rtc_lose(struct mtr_sim *sim);
/** @brief While @p fail, ms_now returns MTR_ERR_IO. */
void mtr_sim_clock_fail(struct mtr_sim *sim, bool fail);

/* nvm */
/** @brief Power fails after @p bytes more bytes are programmed or erased. */
void mtr_sim_nvm_cut_after(struct mtr_sim *sim, uint32_t bytes);
/** @brief Power back on; clears a pending cut. */
void mtr_sim_nvm_restore(struct mtr_sim *sim);
/** @brief False after a cut until mtr_sim_nvm_restore(). */
bool mtr_sim_nvm_powered(const struct mtr_sim *sim);
/** @brief Erases of sector @p sector since init (0 for a sector that does not exist). */
uint32_t mtr_sim_nvm_erases(const struct mtr_sim *sim, uint32_t sector);
/** @brief Write calls that touched sector @p sector since init. */
uint32_t mtr_sim_nvm_writes(const struct mtr_sim *sim, uint32_t sector);
/** @brief The raw memory, for tests that flip bits or inspect images. */
uint8_t *mtr_sim_nvm_data(struct mtr_sim *sim);

/* io */
/** @brief Commanded state of relay @p r (true = closed). */
bool mtr_sim_relay(const struct mtr_sim *sim, uint8_t r);
/** @brief Relay commands received for relay @p r. */
uint32_t mtr_sim_relay_ops(const struct mtr_sim *sim, uint8_t r);
/** @brief Make the relay's contact stay where it is (feedback stops following). */
void mtr_sim_relay_stick(struct mtr_sim *sim, uint8_t r, bool stuck);
/** @brief Pulses emitted on output @p out. */
uint64_t mtr_sim_pulses(const struct mtr_sim *sim, uint8_t out);
/** @brief Entry @p i (0 = oldest kept) of the relay or pulse log; false past the end. */
bool mtr_sim_relay_log(const struct mtr_sim *sim, uint32_t i, struct mtr_sim_log_entry *e);
bool mtr_sim_pulse_log(const struct mtr_sim *sim, uint32_t i, struct mtr_sim_log_entry *e);
/** @brief Set the inputs (::mtr_input mask): press buttons, open covers. */
void mtr_sim_set_inputs(struct mtr_sim *sim, uint32_t inputs);

/* adc */
/** @brief Frames waiting in the simulated DMA buffer. */
uint64_t mtr_sim_adc_pending(const struct mtr_sim *sim);
/** @brief Replace the waveform (frames already produced are kept). */
mtr_err_t mtr_sim_adc_set(struct mtr_sim *sim, const struct mtr_sim_adc_cfg *cfg);
/** @brief Play a sample file instead of the synthetic waveform. */
mtr_err_t mtr_sim_adc_play(struct mtr_sim *sim, const char *path);

/* sys */
/** @brief Current critical-section nesting (0 when balanced). */
int mtr_sim_critical_depth(const struct mtr_sim *sim);
/** @brief Watchdog kicks since init. */
uint32_t mtr_sim_watchdog_kicks(const struct mtr_sim *sim);

/** @brief The mbedTLS crypto ops (NULL when built without mbedTLS). */
const struct mtr_crypto_ops *mtr_sim_crypto_ops(void);

#ifdef __cplusplus
}
#endif

#endif /* METER_SIM_H */
