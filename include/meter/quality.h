/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file quality.h
 * @brief Power-quality supervision: sags, swells, missing phases, supply
 *        interruptions, weekly voltage quality, wiring and fraud conditions.
 *
 * One caller-allocated ::mtr_quality context watches up to three phases
 * L1..L3. It reads no hardware and no clock: the aggregate calls
 *
 * - mtr_quality_step() once per measuring period (typically 1 s) with a
 *   plain ::mtr_quality_input filled from the metrology period results;
 * - mtr_quality_power_down() on the power-fail warning and
 *   mtr_quality_power_up() at start-up (supply interruptions);
 * - mtr_quality_inputs() with the ::mtr_input bits of the HAL (covers and
 *   magnetic field, debounced).
 *
 * Events go to @c on_event with the (code, name) pair exactly as in the
 * seed's event-codes.csv (seed 001 Table 10 and the §5.7.2 list). Completed
 * sags, swells and missing-voltage periods go to @c on_voltage_record, long
 * supply interruptions to @c on_power_failure (the long voltage cut log,
 * seed 001 §5.7.2). Codes 1 and 2 (power down/up) are the aggregate's.
 *
 * Thresholds are per mille of the nominal voltage Un; defaults are the
 * seed's (tou-limits.json power_quality: sag 0.8 Un, swell 1.15 Un,
 * missing 0.5 Un, long interruption from 180 s). Where the seed is silent
 * the vocabulary and values are those of IEC 61000-4-30 and EN 50160; see
 * docs/quality.md for every rule and decision.
 *
 * Time: a measuring period stamped @c utc covers the @c period_ms before it.
 * Durations of events are the measured time (sum of the periods in the
 * event), kept in ms and read in whole seconds. Events carry the time at
 * which they are declared (the step that confirms them); records carry the
 * start (beginning of the first period in the condition) and the end.
 *
 * Units: mV, mA, mW, uA as in meter/units.h; power factor x 10000; UTC
 * seconds (::mtr_utc_t).
 */
#ifndef METER_QUALITY_H
#define METER_QUALITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "meter/error.h"
#include "meter/units.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Phases supervised at most (L1..L3). */
#define MTR_QUALITY_PHASES 3

/** Highest voltage accepted in an input, mV (2 kV). */
#define MTR_QUALITY_U_MAX_MV 2000000
/** Highest current accepted in an input, mA (2 kA). */
#define MTR_QUALITY_I_MAX_MA 2000000
/** Latest time accepted, UTC seconds (2^62: no overflow in any sum). */
#define MTR_QUALITY_UTC_MAX ((mtr_utc_t)1 << 62)
/** Longest measuring period accepted, ms. */
#define MTR_QUALITY_PERIOD_MAX_MS 60000u
/** Longest declare/release time, s. */
#define MTR_QUALITY_TIME_MAX_S 3600u

/** Options (::mtr_quality_settings.options). */
enum mtr_quality_option {
    /** Current reversal: any phase exporting is a reversal (import-only
     *  installation). Without it a reversal needs another phase importing. */
    MTR_QUALITY_OPT_REVERSAL_ANY = 1u << 0,
    MTR_QUALITY_OPT_ALL = 0x01u, /**< every option defined */
};

/**
 * Settings: thresholds and times. All can be changed at run time with
 * mtr_quality_set() (all or nothing) and are kept in the saved state.
 */
struct mtr_quality_settings {
    /** Sag (dip) threshold, per mille of Un: a sag is U below it.
     *  Seed default 800 (0.8 Un), COSEM 1-0:12.31.0.255.
     *  Range missing_permille + 1 .. 1000 - hysteresis_permille. */
    uint16_t sag_permille;
    /** Swell threshold, per mille of Un: a swell is U above it.
     *  Seed default 1150 (1.15 Un), COSEM 1-0:12.35.0.255.
     *  Range 1000 + max(1, hysteresis_permille) .. 2000. */
    uint16_t swell_permille;
    /** Missing voltage threshold, per mille of Un: a phase is missing with U
     *  below it. Seed default 500 (0.5 Un), COSEM 1-0:12.39.0.255.
     *  Range 1 .. sag_permille - 1. */
    uint16_t missing_permille;
    /** Hysteresis of the three voltage thresholds, per mille of Un: a sag
     *  ends at U >= sag + hysteresis, a swell at U <= swell - hysteresis, a
     *  missing voltage at U >= missing + hysteresis. Default 20 (2 % of Un,
     *  IEC 61000-4-30 §5.4.2.1), 0..100. */
    uint16_t hysteresis_permille;
    /** Phase asymmetry limit: voltage unbalance (largest deviation from the
     *  mean of the phase voltages, per mille of the mean) above it is an
     *  asymmetry. Default 20 (EN 50160 2 %), 1..1000. */
    uint16_t unbalance_permille;
    /** Power factor under limit: |total PF| below it (x 10000). 0 = off
     *  (default; the seed gives no value). 0..pf_over. */
    uint16_t pf_under;
    /** Power factor over limit: |total PF| above it (x 10000). 10000 = off
     *  (default). pf_under..10000. */
    uint16_t pf_over;
    /** A phase carries current when its Irms is at least this, mA (current
     *  without voltage, reversal, power factor, bypass). Default 100,
     *  1..100000. */
    mtr_ma_t i_min_ma;
    /** Missing neutral: smallest spread of the phase currents (Imax - Imin)
     *  that makes the load unbalanced, mA. Default 2000, 1..1000000. */
    mtr_ma_t neutral_unbalance_ma;
    /** Sag and swell: minimum duration before one is declared, s. Default 1
     *  (one 1 s period), 1..3600. */
    uint16_t event_s;
    /** Missing voltage: minimum duration before it is declared, s. Default 5
     *  (seed: "below Umin for a prolonged period"), 1..3600. */
    uint16_t missing_s;
    /** Return to normal of every condition: minimum duration, s. Default 1,
     *  1..3600. */
    uint16_t normal_s;
    /** Other conditions (current without voltage, reversals, neutral,
     *  asymmetry, power factor, bypass): minimum duration, s. Default 5,
     *  1..3600. */
    uint16_t detect_s;
    /** Cover and magnetic inputs: stable time before a change counts, s.
     *  Default 1, 0..3600 (0: the first reading counts). */
    uint16_t debounce_s;
    /** A supply interruption lasting at least this is long, shorter is
     *  short, s. Seed default 180 (3 minutes, configurable), 1..86400. */
    uint32_t long_s;
    /** Bad voltage quality: evaluation window, days, aligned to UTC (7: a
     *  week from Monday 00:00 UTC). Seed default 7, 0 = off, 1..7. */
    uint8_t bvq_days;
    /** Bad voltage quality: band of the 10-minute mean around Un, per mille.
     *  Default 100 (EN 50160: Un +-10 %), 1..500. */
    uint16_t bvq_band_permille;
    /** Bad voltage quality: share of the window's 10-minute means allowed
     *  outside the band, per mille. Default 50 (EN 50160: 95 % inside),
     *  0..999. */
    uint16_t bvq_share_permille;
    /** ::mtr_quality_option bits. Default 0. */
    uint8_t options;
};

/** Kinds of a completed voltage event record. */
enum mtr_quality_kind {
    MTR_QUALITY_SAG = 0,     /**< U below the sag threshold */
    MTR_QUALITY_SWELL = 1,   /**< U above the swell threshold */
    MTR_QUALITY_MISSING = 2, /**< U below the missing threshold */
};

/** A completed sag, swell or missing voltage (EN 50160 event record). */
struct mtr_quality_record {
    uint8_t kind;        /**< ::mtr_quality_kind */
    uint8_t phase;       /**< 0..2 for L1..L3 */
    mtr_utc_t start;     /**< beginning of the first period in the condition */
    mtr_utc_t end;       /**< end of the last period in it, or the power down */
    uint64_t duration_s; /**< measured time in the condition, whole seconds */
    mtr_mv_t extreme_mv; /**< lowest (sag, missing) or highest (swell) Urms */
};

/** Configuration given at init; the context keeps the pointer (static storage). */
struct mtr_quality_config {
    /**
     * One event for the logs (NULL: dropped). @p code and @p name are a row
     * of the seed's event-codes.csv; @p utc the step that declared it;
     * @p value per code as in docs/quality.md (a voltage in mV, a current,
     * a mask...).
     */
    void (*on_event)(void *user, uint16_t code, const char *name, mtr_utc_t utc,
                     int64_t value);
    /** A sag, swell or missing voltage ended (NULL: dropped). */
    void (*on_voltage_record)(void *user, const struct mtr_quality_record *rec);
    /** A long supply interruption ended: the record of the long voltage cut
     *  log (seed 001 §5.7.2), UTC start and end, duration in s (NULL: dropped). */
    void (*on_power_failure)(void *user, mtr_utc_t start, mtr_utc_t end, uint64_t duration_s);
    void *user;      /**< handed to the callbacks */
    mtr_mv_t un_mv;  /**< nominal voltage Un (phase-neutral), mV, 1000..1000000 */
    uint8_t phases;  /**< phases supervised, 1..3 (1: L1 only) */
    struct mtr_quality_settings settings; /**< settings after init */
};

/** Counters (COSEM registers; durations in whole seconds). */
struct mtr_quality_counters {
    uint32_t sags[MTR_QUALITY_PHASES];      /**< sags declared per phase */
    uint64_t sag_s[MTR_QUALITY_PHASES];     /**< total duration of ended sags, s */
    uint32_t swells[MTR_QUALITY_PHASES];    /**< swells declared per phase */
    uint64_t swell_s[MTR_QUALITY_PHASES];   /**< total duration of ended swells, s */
    uint32_t missing[MTR_QUALITY_PHASES];   /**< missing voltages declared per phase */
    uint64_t missing_s[MTR_QUALITY_PHASES]; /**< total duration of ended ones, s */
    uint32_t short_count;   /**< short supply interruptions */
    uint64_t short_s;       /**< their total duration, s */
    uint32_t long_count;    /**< long supply interruptions */
    uint64_t long_s;        /**< their total duration, s */
    mtr_utc_t last_long_start; /**< start of the last long one, -1 if none */
    mtr_utc_t last_long_end;   /**< its end, -1 if none */
    /** 10-minute means of the running bad-voltage-quality window: measured */
    uint16_t bvq_valid[MTR_QUALITY_PHASES];
    /** ... and outside the band */
    uint16_t bvq_bad[MTR_QUALITY_PHASES];
};

/** Bits of mtr_quality_active(). Per-phase bits: base << phase. */
enum mtr_quality_status {
    MTR_QUALITY_ST_SAG = 1u << 0,        /**< sag on L1 (<< 1: L2, << 2: L3) */
    MTR_QUALITY_ST_SWELL = 1u << 3,      /**< swell on L1.. */
    MTR_QUALITY_ST_MISSING = 1u << 6,    /**< missing voltage on L1.. */
    MTR_QUALITY_ST_CWV = 1u << 9,        /**< current without voltage on L1.. */
    MTR_QUALITY_ST_SEQUENCE = 1u << 12,  /**< phase sequence reversed */
    MTR_QUALITY_ST_NEUTRAL = 1u << 13,   /**< neutral missing */
    MTR_QUALITY_ST_ASYMMETRY = 1u << 14, /**< voltage unbalance above the limit */
    MTR_QUALITY_ST_REVERSAL = 1u << 15,  /**< current reversal */
    MTR_QUALITY_ST_PF_UNDER = 1u << 16,  /**< power factor under limit */
    MTR_QUALITY_ST_PF_OVER = 1u << 17,   /**< power factor over limit */
    MTR_QUALITY_ST_BYPASS = 1u << 18,    /**< phase bypass with neutral present */
    MTR_QUALITY_ST_TERMINAL_COVER = 1u << 19, /**< terminal cover open (debounced) */
    MTR_QUALITY_ST_MAIN_COVER = 1u << 20,     /**< meter cover open (debounced) */
    MTR_QUALITY_ST_MAGNETIC = 1u << 21,       /**< strong DC field (debounced) */
    MTR_QUALITY_ST_POWER_DOWN = 1u << 22,     /**< between power down and power up */
};

/** Threshold selector of the COSEM threshold registers. */
enum mtr_quality_threshold {
    MTR_QUALITY_THR_SAG = 0,     /**< 1-0:12.31.0.255 */
    MTR_QUALITY_THR_SWELL = 1,   /**< 1-0:12.35.0.255 */
    MTR_QUALITY_THR_MISSING = 2, /**< 1-0:12.39.0.255 */
};

/** Per-phase values of one measuring period. */
struct mtr_quality_phase_input {
    mtr_mv_t u_mv; /**< Urms, mV, 0..MTR_QUALITY_U_MAX_MV */
    mtr_ma_t i_ma; /**< Irms, mA, 0..MTR_QUALITY_I_MAX_MA */
    mtr_mw_t p_mw; /**< active power, mW, > 0 import, < 0 export */
};

/** Inputs of one measuring period (from the metrology period results). */
struct mtr_quality_input {
    struct mtr_quality_phase_input ph[MTR_QUALITY_PHASES]; /**< L1..L3 (unused: zero) */
    mtr_pf_t pf;        /**< total power factor x 10000, -10000..10000 */
    uint32_t in_ua;     /**< neutral current, uA */
    bool in_measured;   /**< true: in_ua is measured (IN channel), not computed */
    int8_t sequence;    /**< +1 L1-L2-L3, -1 reversed, 0 unknown */
    bool neutral_lost;  /**< an external neutral-presence detector reports it lost */
    uint32_t period_ms; /**< length of the period, 1..MTR_QUALITY_PERIOD_MAX_MS */
};

/* ----------------------------------------------------- private structures */

/** Detector of one condition (private). */
struct mtr_quality_det {
    uint8_t active;  /* 0 or 1 */
    uint32_t run_ms; /* run toward the other state */
};

/** Detector of one voltage event with its record (private). */
struct mtr_quality_vdet {
    struct mtr_quality_det d;
    uint64_t ev_ms;  /* measured time of the event (or of the pending run) */
    mtr_utc_t start; /* beginning of its first period */
    mtr_utc_t last;  /* end of its last period */
    mtr_mv_t extreme;
};

/** Everything the saved state carries (private). */
struct mtr_quality_saved {
    struct mtr_quality_settings set;
    struct mtr_quality_vdet v[MTR_QUALITY_PHASES][3]; /* [phase][kind] */
    struct mtr_quality_det cwv[MTR_QUALITY_PHASES];
    struct mtr_quality_det g[7]; /* sequence, neutral, asymmetry, reversal, pf under/over, bypass */
    uint32_t count[MTR_QUALITY_PHASES][3];
    uint64_t total_ms[MTR_QUALITY_PHASES][3];
    uint32_t short_n, long_n;
    uint64_t short_s, long_s;
    mtr_utc_t last_long_start, last_long_end;
    uint8_t down;
    mtr_utc_t down_utc;
    int64_t bvq_interval, bvq_window; /* -1: none yet */
    int64_t bvq_sum[MTR_QUALITY_PHASES]; /* mV * ms */
    uint32_t bvq_ms[MTR_QUALITY_PHASES];
    uint16_t bvq_valid[MTR_QUALITY_PHASES], bvq_bad[MTR_QUALITY_PHASES];
    uint8_t in_stable, in_pending; /* MTR_IN_* bits of the three inputs */
    mtr_utc_t in_since[3];
};

/** The context (caller-allocated; fields private, use the functions). */
struct mtr_quality {
    const struct mtr_quality_config *cfg;
    struct mtr_quality_saved s;
};

/** Bytes of the saved-state blob (version 1). */
#define MTR_QUALITY_BLOB_SIZE 644u
/** @brief Run-time twin of MTR_QUALITY_BLOB_SIZE. */
size_t mtr_quality_blob_size(void);
/** @brief sizeof(struct mtr_quality), for bindings. */
size_t mtr_quality_ctx_size(void);

/** @brief Fill @p s with the defaults (the seed's where it has them, see each field). */
void mtr_quality_settings_default(struct mtr_quality_settings *s);

/**
 * @brief Check @p cfg and start @p q: no event in progress, counters zero,
 *        supply up, covers closed, no field.
 * @return MTR_OK; MTR_ERR_QUALITY_CONFIG for un_mv, phases or a setting
 *         out of its range (@p q untouched).
 */
mtr_err_t mtr_quality_init(struct mtr_quality *q, const struct mtr_quality_config *cfg);

/**
 * @brief One measuring period: run every detector and raise the events.
 * @param in  values of the period that ended at @p utc.
 * @param utc end of the period, UTC seconds, 0..MTR_QUALITY_UTC_MAX.
 * @return MTR_OK; MTR_ERR_QUALITY_INPUT (a value out of its documented
 *         range, utc outside 0..MTR_QUALITY_UTC_MAX); MTR_ERR_QUALITY_STATE while the supply is down
 *         (after mtr_quality_power_down(), before mtr_quality_power_up()).
 *         On error nothing changed and no event was raised.
 */
mtr_err_t mtr_quality_step(struct mtr_quality *q, const struct mtr_quality_input *in,
                           mtr_utc_t utc);

/**
 * @brief The supply is failing (power-fail warning): ongoing sags and swells
 *        end now (records given), pending runs are dropped, the time is
 *        kept for the interruption. Missing voltages and other declared
 *        conditions stay declared across the interruption.
 * @return MTR_OK; MTR_ERR_QUALITY_INPUT for utc outside 0..MTR_QUALITY_UTC_MAX;
 *         MTR_ERR_QUALITY_STATE if already down (nothing changed).
 */
mtr_err_t mtr_quality_power_down(struct mtr_quality *q, mtr_utc_t utc);

/**
 * @brief The supply is back (start-up): if a power down is recorded,
 *        classify the interruption (long when >= long_s), count it, and give
 *        a long one to on_power_failure. Without a recorded power down
 *        nothing is counted (first start, or a loss without warning).
 *        A clock earlier than the power down counts as a 0 s interruption.
 * @return MTR_OK; MTR_ERR_QUALITY_INPUT for utc outside 0..MTR_QUALITY_UTC_MAX
 *         (nothing changed).
 */
mtr_err_t mtr_quality_power_up(struct mtr_quality *q, mtr_utc_t utc);

/**
 * @brief The HAL input bits now (::mtr_input): terminal cover (40/41), meter
 *        cover (44/45), magnetic field (42/43). A change counts once it has
 *        been read unchanged for debounce_s seconds; other bits are ignored.
 * @return MTR_OK; MTR_ERR_QUALITY_INPUT for utc outside 0..MTR_QUALITY_UTC_MAX
 *         (nothing changed).
 */
mtr_err_t mtr_quality_inputs(struct mtr_quality *q, uint32_t inputs, mtr_utc_t utc);

/**
 * @brief Replace all settings (all or nothing). Ongoing events continue and
 *        end by the new thresholds; a change of bvq_days restarts the
 *        bad-voltage-quality window.
 * @return MTR_OK; MTR_ERR_QUALITY_CONFIG (nothing changed).
 */
mtr_err_t mtr_quality_set(struct mtr_quality *q, const struct mtr_quality_settings *s);
/** @brief The settings in force. */
void mtr_quality_get(const struct mtr_quality *q, struct mtr_quality_settings *s);

/** @brief Threshold @p which (::mtr_quality_threshold) in mV: Un x per mille / 1000,
 *         rounded to nearest; 0 for an unknown selector. */
mtr_mv_t mtr_quality_threshold_mv(const struct mtr_quality *q, uint8_t which);
/**
 * @brief Write threshold @p which in mV (COSEM registers 1-0:12.31/35/39);
 *        kept as per mille of Un rounded to nearest.
 * @return MTR_OK; MTR_ERR_QUALITY_CONFIG for an unknown selector, mv <= 0 or
 *         a result out of range (nothing changed).
 */
mtr_err_t mtr_quality_set_threshold_mv(struct mtr_quality *q, uint8_t which, mtr_mv_t mv);

/** @brief Read all counters. */
void mtr_quality_counters(const struct mtr_quality *q, struct mtr_quality_counters *out);
/** @brief Zero the counters and the last long interruption; ongoing events go on
 *         and add their duration when they end. */
void mtr_quality_reset_counters(struct mtr_quality *q);
/** @brief Conditions declared now (::mtr_quality_status bits). */
uint32_t mtr_quality_active(const struct mtr_quality *q);

/**
 * @brief Serialise the state (version 1, big-endian, CRC-32 last).
 * @param[out] len bytes written (MTR_QUALITY_BLOB_SIZE).
 * @return MTR_OK; MTR_ERR_FULL if @p cap < MTR_QUALITY_BLOB_SIZE (nothing written).
 */
mtr_err_t mtr_quality_save(const struct mtr_quality *q, uint8_t *buf, size_t cap, size_t *len);

/**
 * @brief Adopt a saved state (counters, settings, ongoing events, supply
 *        and input state). All of it is checked first.
 * @return MTR_OK; MTR_ERR_QUALITY_BLOB (length, magic, phase count or a
 *         value out of range); MTR_ERR_QUALITY_BLOB_CRC;
 *         MTR_ERR_QUALITY_VERSION. On error nothing changed.
 */
mtr_err_t mtr_quality_load(struct mtr_quality *q, const uint8_t *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* METER_QUALITY_H */
