/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file metrology.h
 * @brief Fixed-point 3-phase 4-quadrant metrology: energy, RMS, power,
 *        frequency, angles, harmonics, calibration and pulse outputs.
 *
 * The engine takes raw ADC frames (MTR_ADC_CHANNELS signed samples, order of
 * ::mtr_adc_channel) through mtr_metrology_process() and, once per result
 * period (1 s by default), computes RMS values, powers and energies. The
 * per-sample path does only integer adds, shifts and 32x32->64 multiply-
 * accumulates; everything else runs once per cycle or once per period.
 *
 * Units: energy registers in mWh / mvarh / mVAh (::mtr_mwh_t), with the part
 * below one unit carried in micro-joules (uW*s) and below that in a binary
 * fraction, so that no energy is ever lost to rounding. See docs/metrology.md.
 *
 * @code
 * static struct mtr_metrology metro;
 * struct mtr_metrology_config cfg;
 * mtr_metrology_config_default(&cfg);
 * mtr_metrology_init(&metro, &cfg, &hal);
 * // in the meter's on_frames hook:
 * mtr_metrology_process(&metro, frames, n);
 * @endcode
 */
#ifndef METER_METROLOGY_H
#define METER_METROLOGY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "meter/config.h"
#include "meter/error.h"
#include "meter/hal.h"
#include "meter/units.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Phases (elements) handled: MTR_CFG_PHASES. */
#define MTR_METROLOGY_PHASES MTR_CFG_PHASES
/** Index of the totals in per-phase arrays of registers. */
#define MTR_METROLOGY_TOTAL MTR_CFG_PHASES
/** Pulse outputs: the two LEDs and up to 5 outputs. */
#define MTR_METROLOGY_PULSE_OUTPUTS 7
/** Size in bytes of a serialised calibration blob. */
#define MTR_METROLOGY_CAL_BLOB_SIZE 88u
/** Version written in (and required of) a calibration blob. */
#define MTR_METROLOGY_CAL_VERSION 1u
/** Length of the voltage history used for the quarter-period delay, samples. */
#define MTR_METROLOGY_VHIST 128u
/** Micro-joules per milliwatt-hour (also uvar*s per mvarh, uVA*s per mVAh). */
#define MTR_METROLOGY_UJ_PER_MWH 3600000LL
/** One, in the Q30 gains of ::mtr_metrology_cal. */
#define MTR_METROLOGY_GAIN_ONE (1u << 30)

/** How the meter is connected. */
enum mtr_metrology_wiring {
    MTR_WIRING_1P2W = 1, /**< single-phase 2-wire: V1, I1 */
    MTR_WIRING_3P4W = 2, /**< 3-phase 4-wire, three elements: Vn-N, In */
    /** 3-phase 3-wire, two elements (Aron): channel V1 carries U12, V3
     *  carries U32, with I1 and I3; V2 and I2 are ignored. */
    MTR_WIRING_3P3W = 3,
};

/** Energy registers kept per phase and for the total (DLMS/IEC 62053-23 naming). */
enum mtr_metrology_energy {
    MTR_E_A_IMP = 0, /**< +A, active import (P > 0), mWh */
    MTR_E_A_EXP,     /**< -A, active export, mWh */
    MTR_E_R_Q1,      /**< reactive in quadrant I (P>=0, Q>=0), mvarh */
    MTR_E_R_Q2,      /**< quadrant II (P<0, Q>=0) */
    MTR_E_R_Q3,      /**< quadrant III (P<0, Q<0) */
    MTR_E_R_Q4,      /**< quadrant IV (P>=0, Q<0) */
    MTR_E_R_IMP,     /**< +R = QI + QII, mvarh */
    MTR_E_R_EXP,     /**< -R = QIII + QIV, mvarh */
    MTR_E_S_IMP,     /**< apparent while P >= 0, mVAh */
    MTR_E_S_EXP,     /**< apparent while P < 0, mVAh */
    MTR_E_COUNT
};

/** A positive fixed-point constant m / 2^q (private use). */
struct mtr_metrology_fx {
    uint32_t m; /**< mantissa */
    uint8_t q;  /**< binary exponent */
};

/** Run-time configuration. mtr_metrology_config_default() fills sensible values. */
struct mtr_metrology_config {
    uint32_t rate_hz;   /**< frames per second, 1000..16000 */
    uint8_t bits;       /**< ADC resolution, 12..24 */
    uint8_t wiring;     /**< ::mtr_metrology_wiring (3-phase modes need MTR_CFG_PHASES 3) */
    bool neutral_measured; /**< true: IN channel is sampled; false: IN computed from I1+I2+I3 */
    /** instantaneous voltage at the positive full-scale code 2^(bits-1)-1, mV, 1..1000000 */
    int64_t v_full_scale_mv;
    /** instantaneous current at the positive full-scale code, mA, 1..2000000 */
    int64_t i_full_scale_ma;
    mtr_mv_t un_mv;     /**< nominal voltage Un (phase-neutral; line-line in 3P3W), mV, > 0 */
    mtr_ma_t ib_ma;     /**< basic (direct) or nominal (transformer) current Ib/In, mA, > 0 */
    mtr_ma_t imax_ma;   /**< maximum current, mA, >= ib_ma */
    mtr_mhz_t fn_mhz;   /**< nominal frequency, 50000 or 60000 */
    /** result and energy period, ms, 100..2000; rate_hz * period_ms must be a
     *  multiple of 1000 and the period at most 16384 samples */
    uint16_t period_ms;
    /** starting current: a phase whose Irms is below it registers no energy
     *  (no-load condition), mA, >= 0. IEC 62053-21 class 1 direct: 0.004 Ib;
     *  IEC 62053-22 class 0.2S/0.5S: 0.001 In. */
    mtr_ma_t start_ma;
    /** a phase is "missing" when its Urms is below this share of Un, per mille, 1..1000 */
    uint16_t missing_permille;
};

/** Per-phase (per-element) results of one period. */
struct mtr_metrology_phase {
    uint32_t u_uv;     /**< Urms, microvolts */
    uint32_t i_ua;     /**< Irms, microamperes */
    mtr_mv_t u_mv;     /**< Urms, millivolts (rounded) */
    mtr_ma_t i_ma;     /**< Irms, milliamperes (rounded) */
    mtr_mw_t p_mw;     /**< active power, mW, > 0 import */
    mtr_mw_t q_mvar;   /**< reactive power, mvar, > 0 inductive (QI, QII) */
    mtr_mw_t s_mva;    /**< apparent power Urms*Irms, mVA */
    mtr_pf_t pf;       /**< |P|/S x 10000 with the sign of P (negative: export) */
    uint8_t quadrant;  /**< 1..4 by the signs of P and Q */
    bool missing;      /**< Urms below missing_permille of Un */
    bool below_start;  /**< Irms below start_ma: no energy registered */
    mtr_cdeg_t ui_angle; /**< angle by which I lags U, 0.01 degree, -18000..18000 */
    uint16_t thd_u;    /**< voltage THD (orders 2..MTR_CFG_HARMONIC_MAX), 0.01 % of the fundamental */
    uint16_t thd_i;    /**< current THD, 0.01 % */
};

/** Results of one period. */
struct mtr_metrology_result {
    struct mtr_metrology_phase ph[MTR_METROLOGY_PHASES]; /**< per phase (unused elements zero) */
    mtr_mw_t p_mw;     /**< total active power, mW */
    mtr_mw_t q_mvar;   /**< total reactive power, mvar */
    mtr_mw_t s_mva;    /**< total apparent power (arithmetic sum; vector in 3P3W), mVA */
    mtr_pf_t pf;       /**< total PF x 10000, sign of P */
    uint8_t quadrant;  /**< total quadrant 1..4 */
    uint32_t in_ua;    /**< neutral current RMS, uA (measured or computed) */
    bool in_measured;  /**< true: from the IN channel; false: computed */
    mtr_mhz_t f_mhz;   /**< mean frequency over the period, mHz (0: no signal) */
    /** angle of U(p) behind U1, 0.01 degree (ABC: 0, 12000, 24000 -> 0, 12000, -12000) */
    mtr_cdeg_t uu_angle[MTR_METROLOGY_PHASES];
    int8_t sequence;   /**< +1 ABC (positive), -1 ACB (negative), 0 unknown/1-phase */
    uint32_t seq;      /**< periods computed since init (0: none yet) */
};

/**
 * Calibration coefficients. Gains multiply the channel (Q30, 1.0 =
 * ::MTR_METROLOGY_GAIN_ONE, 0.5..2.0); @c phase delays the current of
 * element p (> 0) or its voltage (< 0) by |phase| / 32768 of a sample;
 * @c v_dc / @c i_dc seed the DC-removal filters at start (24-bit codes,
 * |x| <= 2^22).
 */
struct mtr_metrology_cal {
    uint32_t v_gain[3];
    uint32_t i_gain[3];
    uint32_t in_gain;
    int32_t phase[3];
    int32_t v_dc[3];
    int32_t i_dc[3];
};

/** A known reference load for the calibration procedure. */
struct mtr_metrology_cal_ref {
    uint8_t phases;      /**< bit p: calibrate element p */
    mtr_mv_t u_mv;       /**< reference Urms, mV, > 0 */
    mtr_ma_t i_ma;       /**< reference Irms, mA, > 0 */
    mtr_cdeg_t angle;    /**< current lag, 0.01 degree (0: PF 1; 6000: PF 0.5L), |x| <= 8500 */
    uint16_t periods;    /**< result periods to average, 1..600 */
};

/** Pulse energy sources (seed: ST402 pulse output options). */
enum mtr_pulse_source {
    MTR_PULSE_OFF = 0,
    MTR_PULSE_A_ABS, /**< |A+| + |A-| (also "(A+)+(A-)": both registers are non-negative) */
    MTR_PULSE_A_IMP, /**< A+ */
    MTR_PULSE_A_EXP, /**< A- */
    MTR_PULSE_R_ABS, /**< |R+| + |R-| */
    MTR_PULSE_R_IMP, /**< R+ */
    MTR_PULSE_R_EXP, /**< R- */
    MTR_PULSE_R1, MTR_PULSE_R2, MTR_PULSE_R3, MTR_PULSE_R4, /**< reactive per quadrant */
    MTR_PULSE_S_ABS, /**< apparent, both directions */
    MTR_PULSE_SOURCE_COUNT
};

/** One pulse output. */
struct mtr_metrology_pulse_cfg {
    uint8_t source;       /**< ::mtr_pulse_source of the total */
    uint8_t out;          /**< HAL output (io.pulse @p out: 0 active LED, 1 reactive LED, 2.. outputs) */
    uint16_t width_ms;    /**< pulse width, 1..1000 ms; pulses are at least 2 widths apart */
    uint32_t imp_per_kunit; /**< impulses per kWh (kvarh, kVAh), 1..100000 (seed: 500..16000) */
};

/** The engine's state: caller-allocated, fields private. */
struct mtr_metrology {
    /* configuration and derived constants */
    struct mtr_metrology_config cfg;
    const struct mtr_hal *hal;
    uint8_t mask;             /* elements in use */
    uint8_t shift24;          /* left shift to 24-bit codes */
    uint8_t lpf_k;            /* frequency low-pass shift */
    uint32_t period_n;        /* samples per period */
    int32_t hyst;             /* zero-crossing hysteresis, filtered codes */
    /* per-sample state */
    int32_t dc[MTR_ADC_CHANNELS];   /* DC estimate, 24-bit codes Q6 */
    uint8_t hk, hk_final;           /* DC filter shift (time constant 2^hk samples) */
    int32_t prev[6];                /* previous HPF output of V1..V3, I1..I3 */
    int32_t av[3], ai[3];           /* interpolation coefficients, Q15 */
    int32_t vhist[3][MTR_METROLOGY_VHIST];
    uint32_t vh_pos;
    uint32_t qdelay;                /* quarter-period delay, samples */
    uint64_t v2[3], i2[3], in2;
    int64_t vi[3], vq[3];
    uint32_t n;                     /* samples in the running period */
    uint64_t nsamp;                 /* samples since init */
    /* frequency */
    int32_t lp1, lp2;
    bool armed;
    uint8_t fref;                   /* reference element */
    uint64_t zc[11];                /* last crossing times, Q16 samples */
    uint8_t zc_n;
    uint64_t zc_first, zc_last;     /* crossings in this period */
    uint32_t zc_count;
    uint64_t lost_q16;              /* longest cycle (1/40 s), and the signal-lost time, Q16 samples */
    uint64_t cycle_min_q16;         /* shortest cycle (1/75 s), Q16 samples */
    mtr_mhz_t f_cycle, f_period;
    /* conversion constants */
    struct mtr_metrology_fx kp[3], kv[3], ki[3], kin;
    uint64_t pfrac[3], qfrac[3], sfrac[3], qcfrac[3];
    /* registers */
    int64_t reg[MTR_METROLOGY_PHASES + 1][MTR_E_COUNT];
    int64_t rem[MTR_METROLOGY_PHASES + 1][MTR_E_COUNT];
    struct mtr_metrology_result res;
    /* calibration */
    struct mtr_metrology_cal cal;
    bool cal_mode, cal_loaded;
    struct mtr_metrology_cal_ref cref;
    uint16_t cal_left;
    mtr_err_t cal_status;
    uint64_t cal_v2[3], cal_i2[3];
    int64_t cal_p[3], cal_q[3];
    uint32_t cal_nper;
    /* pulses */
    struct mtr_metrology_pulse_cfg pcfg[MTR_METROLOGY_PULSE_OUTPUTS];
    int64_t pacc[MTR_METROLOGY_PULSE_OUTPUTS];
    uint64_t pulses[MTR_METROLOGY_PULSE_OUTPUTS], pending[MTR_METROLOGY_PULSE_OUTPUTS];
    uint64_t pnext[MTR_METROLOGY_PULSE_OUTPUTS];
#if MTR_CFG_HARMONICS
    int32_t cap[6][MTR_CFG_METROLOGY_HARM_CAPTURE];
    uint32_t cap_len;
    uint64_t cap_t0;                /* crossing time the capture starts at, Q16 */
    uint64_t cap_start;             /* sample index of cap[.][0] */
    uint8_t cap_state;              /* 0 idle, 1 wait crossing, 2 capturing, 3 ready */
    uint64_t cap_t1;
    uint16_t harm[6][MTR_CFG_HARMONIC_MAX + 1];
    int32_t fund_ang[6];
#endif
    uint32_t magic;
};

/**
 * @brief Defaults: 4000 Hz, 24 bits, 3P4W (1P2W when MTR_CFG_PHASES is 1),
 *        full scale 600 V / 200 A instantaneous, Un 230 V, Ib 5 A, Imax 100 A,
 *        50 Hz, 1000 ms period, start 20 mA (0.004 Ib, IEC 62053-21 class 1),
 *        missing phase below 500 per mille of Un (seed: ST402 50 % Un).
 */
void mtr_metrology_config_default(struct mtr_metrology_config *cfg);

/**
 * @brief Initialise @p m: registers zero, calibration neutral (gains 1, no
 *        phase shift), calibration mode off, pulse outputs off.
 * @param hal used for io.pulse only; may be NULL (no pulse outputs).
 * @return MTR_OK; MTR_ERR_CONFIG if a field of @p cfg is out of its
 *         documented domain or the fields contradict one another (then @p m
 *         is untouched).
 */
mtr_err_t mtr_metrology_init(struct mtr_metrology *m, const struct mtr_metrology_config *cfg,
                             const struct mtr_hal *hal);

/** @brief sizeof(struct mtr_metrology), for bindings. */
size_t mtr_metrology_size(void);

/**
 * @brief Feed @p n frames (n * MTR_ADC_CHANNELS samples, oldest first). Runs
 *        the per-sample path, and the period work each time a period ends
 *        (results, energy, pulses, harmonics, calibration steps).
 *        Samples outside the signed range of cfg.bits are clipped to it.
 */
void mtr_metrology_process(struct mtr_metrology *m, const int32_t *frames, size_t n);

/**
 * @brief Results of the last complete period.
 * @return MTR_OK; MTR_ERR_EMPTY before the first period ends (@p out untouched).
 */
mtr_err_t mtr_metrology_result(const struct mtr_metrology *m, struct mtr_metrology_result *out);

/**
 * @brief Frequency over the last (up to) 10 cycles, updated every cycle, mHz;
 *        0 until two crossings were seen or after the signal is lost.
 */
mtr_mhz_t mtr_metrology_frequency(const struct mtr_metrology *m);

/**
 * @brief Energy register @p kind of phase @p phase (or ::MTR_METROLOGY_TOTAL),
 *        whole mWh / mvarh / mVAh.
 * @param[out] rem_uj optional: the part not yet moved into the register,
 *             micro-joules (0 <= rem < 3600000).
 * @return MTR_OK; MTR_ERR_RANGE for a phase or kind out of range.
 */
mtr_err_t mtr_metrology_energy(const struct mtr_metrology *m, unsigned phase, unsigned kind,
                               int64_t *whole, int64_t *rem_uj);

/**
 * @brief Set the registers of all phases and kinds (restoring them from the
 *        store at start-up), remainders zero.
 * @param regs [MTR_METROLOGY_PHASES + 1][MTR_E_COUNT] values, whole units.
 * @return MTR_OK; MTR_ERR_RANGE if a value is negative (nothing changed).
 */
mtr_err_t mtr_metrology_energy_restore(struct mtr_metrology *m,
                                       const int64_t regs[MTR_METROLOGY_PHASES + 1][MTR_E_COUNT]);

/**
 * @brief Harmonic magnitudes of channel @p ch (MTR_ADC_V1..MTR_ADC_I3) from the
 *        last analysed cycle: out[h] for h = 1..MTR_CFG_HARMONIC_MAX in 0.01 %
 *        of the fundamental (out[1] = 10000), out[0] = 0.
 * @param max entries in @p out (at most MTR_CFG_HARMONIC_MAX + 1 are written).
 * @return MTR_OK; MTR_ERR_NOTSUP when built with MTR_CFG_HARMONICS 0;
 *         MTR_ERR_RANGE for a channel out of range; MTR_ERR_EMPTY before
 *         the first analysis.
 */
mtr_err_t mtr_metrology_harmonics(const struct mtr_metrology *m, unsigned ch, uint16_t *out,
                                  size_t max);

/* ------------------------------------------------------------ calibration */

/** @brief Enter (true) or leave calibration mode. Leaving stops a running procedure. */
void mtr_metrology_cal_mode(struct mtr_metrology *m, bool on);

/** @brief Copy of the coefficients in use. */
void mtr_metrology_cal_get(const struct mtr_metrology *m, struct mtr_metrology_cal *out);

/**
 * @brief Replace the coefficients.
 * @return MTR_OK; MTR_ERR_METROLOGY_LOCKED outside calibration mode;
 *         MTR_ERR_RANGE for a value out of its documented domain. On error
 *         nothing changes.
 */
mtr_err_t mtr_metrology_cal_set(struct mtr_metrology *m, const struct mtr_metrology_cal *cal);

/**
 * @brief Serialise @p cal: "MCAL", version, the fields big-endian, CRC-32
 *        (meter/crc.h) of everything before it. Exactly
 *        ::MTR_METROLOGY_CAL_BLOB_SIZE bytes.
 * @return MTR_OK; MTR_ERR_FULL if @p cap is smaller than the blob.
 */
mtr_err_t mtr_metrology_cal_encode(const struct mtr_metrology_cal *cal, uint8_t *buf,
                                   size_t cap);

/**
 * @brief Decode and validate a blob (no state changes anywhere).
 * @return MTR_OK; MTR_ERR_DECODE for a wrong length or magic;
 *         MTR_ERR_CRC for a checksum mismatch; MTR_ERR_METROLOGY_VERSION for
 *         an unknown version; MTR_ERR_RANGE for a coefficient out of its
 *         domain. @p out is written only on success.
 */
mtr_err_t mtr_metrology_cal_decode(const uint8_t *buf, size_t len, struct mtr_metrology_cal *out);

/**
 * @brief Decode a blob and apply it. Allowed once after init (start-up load
 *        from the store) and at any time in calibration mode.
 * @return as mtr_metrology_cal_decode(); MTR_ERR_METROLOGY_LOCKED after the
 *         start-up load outside calibration mode. On error nothing changes.
 */
mtr_err_t mtr_metrology_cal_load(struct mtr_metrology *m, const uint8_t *buf, size_t len);

/**
 * @brief Start the procedure on a known reference load: over @p ref->periods
 *        periods the engine measures Urms, Irms, P and Q of the selected
 *        elements and then corrects gains (from U and I) and the phase (from
 *        the angle atan2(Q, P) against @p ref->angle). Run it at PF 1 first,
 *        then (optionally) at PF 0.5L to refine the phase.
 * @return MTR_OK; MTR_ERR_METROLOGY_LOCKED outside calibration mode;
 *         MTR_ERR_RANGE for a reference out of its domain.
 */
mtr_err_t mtr_metrology_cal_start(struct mtr_metrology *m, const struct mtr_metrology_cal_ref *ref);

/**
 * @brief State of the procedure.
 * @return MTR_OK when done and applied; MTR_ERR_BUSY while measuring;
 *         MTR_ERR_EMPTY if none was started; MTR_ERR_METROLOGY_SIGNAL if the
 *         measured values were too far from the reference (coefficients unchanged);
 *         MTR_ERR_METROLOGY_LOCKED if calibration mode was left.
 */
mtr_err_t mtr_metrology_cal_status(const struct mtr_metrology *m);

/* ----------------------------------------------------------------- pulses */

/**
 * @brief Configure pulse output slot @p idx (0..MTR_METROLOGY_PULSE_OUTPUTS-1).
 *        The slot's count restarts at 0 from the energy registered afterwards.
 * @return MTR_OK; MTR_ERR_RANGE for a slot or field out of range (nothing changed).
 */
mtr_err_t mtr_metrology_pulse_config(struct mtr_metrology *m, unsigned idx,
                                     const struct mtr_metrology_pulse_cfg *cfg);

/**
 * @brief Pulses of slot @p idx: @p emitted were accepted by io.pulse,
 *        @p pending are due but not yet emitted (paced at two widths).
 * @return MTR_OK; MTR_ERR_RANGE for a slot out of range.
 */
mtr_err_t mtr_metrology_pulse_count(const struct mtr_metrology *m, unsigned idx,
                                    uint64_t *emitted, uint64_t *pending);

#ifdef __cplusplus
}
#endif

#endif /* METER_METROLOGY_H */
