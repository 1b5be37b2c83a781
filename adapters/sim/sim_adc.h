/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file sim_adc.h
 * @brief Simulated 3-phase measuring ADC: synthetic waveforms or file playback.
 *
 * Host-side part of the sim HAL (it uses double, libm and malloc). A
 * ::mtr_sim_adc produces frames of ::MTR_ADC_CHANNELS signed samples in the
 * order of ::mtr_adc_channel, either from a synthetic generator
 * (mtr_sim_adc_init()) or from a recorded sample file (mtr_sim_adc_load()).
 * A frame is a pure function of its index, so frames may be asked for in any
 * order and any number of times.
 *
 * ## Synthetic waveforms
 *
 * With t = index / rate_hz (seconds), f0 = freq_mhz / 1000 (Hz) and
 * d = drift_mhz_per_s / 1000 (Hz/s), the fundamental's phase in cycles is
 * c(t) = f0 * t + d * t^2 / 2 (the integral of f0 + d * t). It is computed
 * exactly in integers modulo one cycle, so that it stays precise at any index.
 * A waveform with RMS value R and angle theta is
 *
 *     x(t) = sqrt(2) R [ sin(2 pi c(t) + theta)
 *                        + sum_h a_h sin(h (2 pi c(t) + theta) + phi_h) ]
 *
 * with a_h = permille_h / 1000 and phi_h the harmonic's own phase, both per
 * harmonic h = 2..21. Harmonics follow their fundamental's angle h-fold: in a
 * balanced system triplen harmonics are in phase on the three phases (zero
 * sequence). Harmonics above the Nyquist frequency alias, as in a real ADC.
 * Voltage p has theta = v_angle; current p has theta = v_angle - i_angle
 * (positive i_angle: the current lags its voltage, inductive load).
 * The neutral current is iN = -(i1 + i2 + i3).
 *
 * Sample code of channel ch: round(x / full_scale * (2^(bits-1) - 1))
 * + dc_offset[ch] + round(noise), clipped to [-2^(bits-1), 2^(bits-1) - 1].
 * The noise is Gaussian with RMS noise_lsb, a function of (seed, index,
 * channel) only. When the neutral is not measured, IN reads 0 (no offset, no
 * noise).
 *
 * ## Sample file format, version 1
 *
 * ASCII text, one record per line. Every line ends with LF or CR LF (also the
 * last one) and holds at most ::MTR_SIM_SAMPLES_LINE_MAX bytes before its
 * terminator. A '#' starts a comment that runs to the end of its line; lines
 * that are empty or hold only blanks (space, tab) and a comment are skipped.
 * Blanks may surround every token.
 *
 * 1. The first line that is not skipped is the header, in this order:
 *    `mtr-samples 1 rate=<hz> bits=<n>` with rate 1..100000 frames per
 *    second and bits 12..24, as unsigned decimal numbers.
 * 2. Then one or more frame lines, each with exactly 7 decimal integers in
 *    the channel order V1 V2 V3 I1 I2 I3 IN. A value is an optional '+' or
 *    '-' and one or more digits, and lies in [-2^(bits-1), 2^(bits-1) - 1].
 *    Values are separated by blanks or by one comma with optional blanks
 *    around it.
 * 3. The last line is `end`. No bytes at all may follow its terminator, so
 *    that a truncated file never reads as a shorter valid one.
 *
 * @code
 * # 230 V, 7 A / 5 A / 5 A at PF 0.9, neutral measured
 * mtr-samples 1 rate=4000 bits=24
 * # V1 V2 V3 I1 I2 I3 IN
 * 0 -3938330 3938330 -180975 -166533 295801 51707
 * 356800, -4104589, 3747789, -151097, -185274, 293201, 43171
 * end
 * @endcode
 *
 * Anything else is rejected with ::MTR_ERR_DECODE and a line number and
 * reason (::mtr_sim_samples_diag): over-long lines, a missing terminator,
 * missing or extra values, stray characters, numbers that overflow or do not
 * fit the declared bits, an unknown version, no frames, a missing `end` line
 * or data after it. The parser reads only the bytes it is given, never past
 * them.
 */
#ifndef METER_SIM_ADC_H
#define METER_SIM_ADC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "meter/error.h"
#include "meter/hal.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Highest harmonic order the generator produces; orders 2..21 are used. */
#define MTR_SIM_HARMONIC_MAX 21
/** Lowest frame rate, frames per second. */
#define MTR_SIM_RATE_MIN 1u
/** Highest frame rate, frames per second. */
#define MTR_SIM_RATE_MAX 100000u
/** Lowest ADC resolution, bits. */
#define MTR_SIM_BITS_MIN 12u
/** Highest ADC resolution, bits. */
#define MTR_SIM_BITS_MAX 24u
/** Largest |drift_mhz_per_s|, millihertz per second (1 kHz/s). */
#define MTR_SIM_DRIFT_MAX 1000000
/** Largest |angle| accepted for any angle field, 0.01 degree (one turn). */
#define MTR_SIM_ANGLE_MAX 36000
/** Largest harmonic amplitude, 0.1 % of the fundamental (100 %). */
#define MTR_SIM_HARM_PERMILLE_MAX 1000u
/** Longest line of a sample file, bytes, without its LF or CR LF. */
#define MTR_SIM_SAMPLES_LINE_MAX 256u
/** Largest sample file mtr_sim_adc_load_file() reads, bytes (64 MiB). */
#define MTR_SIM_SAMPLES_FILE_MAX (64u * 1024u * 1024u)

/** One phase of the synthetic source. */
struct mtr_sim_phase_cfg {
    int64_t v_rms_mv;     /**< fundamental voltage RMS, millivolts, >= 0 */
    int64_t i_rms_ma;     /**< fundamental current RMS, milliamperes, >= 0 */
    int32_t v_angle_cdeg; /**< voltage angle, 0.01 degree, |x| <= 36000 (e.g. 0, -12000, 12000) */
    /** current angle relative to its own voltage, 0.01 degree, |x| <= 36000;
     *  positive = current lags (inductive) */
    int32_t i_angle_cdeg;
    /** voltage harmonic h (2..21) amplitude, 0.1 % of the fundamental, <= 1000;
     *  entries 0 and 1 must be 0 */
    uint16_t v_harm_permille[MTR_SIM_HARMONIC_MAX + 1];
    /** current harmonic amplitudes, as v_harm_permille */
    uint16_t i_harm_permille[MTR_SIM_HARMONIC_MAX + 1];
    /** voltage harmonic h phase phi_h, 0.01 degree, |x| <= 36000; entries 0, 1 must be 0 */
    int32_t v_harm_cdeg[MTR_SIM_HARMONIC_MAX + 1];
    /** current harmonic phases, as v_harm_cdeg */
    int32_t i_harm_cdeg[MTR_SIM_HARMONIC_MAX + 1];
};

/** Configuration of the synthetic source. */
struct mtr_sim_adc_cfg {
    uint32_t rate_hz;        /**< frames per second, 1..100000 */
    uint8_t bits;            /**< resolution, 12..24 */
    /** starting frequency, millihertz, 1 .. below rate_hz * 500 (Nyquist) */
    uint32_t freq_mhz;
    /** linear frequency drift, millihertz per second, |x| <= 1000000;
     *  the phase is the integral of the frequency */
    int32_t drift_mhz_per_s;
    /** instantaneous voltage at the positive full-scale code, millivolts, > 0 */
    int64_t v_full_scale_mv;
    /** instantaneous current at the positive full-scale code, milliamperes, > 0 */
    int64_t i_full_scale_ma;
    struct mtr_sim_phase_cfg phase[3]; /**< phases 1, 2, 3 */
    /** added to each channel, ADC codes (LSB), within the code range of bits */
    int32_t dc_offset[MTR_ADC_CHANNELS];
    uint32_t noise_lsb;    /**< RMS of the Gaussian noise, LSB, <= 2^(bits-1); 0 = none */
    uint64_t seed;         /**< noise seed, any value */
    bool neutral_measured; /**< true: IN = -(i1 + i2 + i3) sampled; false: IN reads 0 */
};

/** Where and why a sample file was rejected. */
struct mtr_sim_samples_diag {
    size_t line;        /**< 1-based line of the error (one past the last line at end of data) */
    const char *reason; /**< static English text; NULL when there was no error */
};

/** Which source an ::mtr_sim_adc plays. */
enum mtr_sim_adc_source {
    MTR_SIM_ADC_EMPTY = 0, /**< nothing: frames of zeros, rate 0, bits 0 */
    MTR_SIM_ADC_SYNTH,     /**< synthetic waveforms */
    MTR_SIM_ADC_FILE       /**< decoded sample file, looped */
};

/**
 * The simulated ADC. Caller-allocated; its fields are private. An all-zero
 * value is an empty ADC. init and load treat the struct as raw storage and
 * fill it only on success; call mtr_sim_adc_free() before re-using one that
 * holds a loaded file, or its memory leaks.
 */
struct mtr_sim_adc {
    enum mtr_sim_adc_source source; /**< what frames come from */
    uint32_t rate_hz;               /**< frames per second */
    uint8_t bits;                   /**< resolution */
    struct mtr_sim_adc_cfg cfg;     /**< synthetic: the validated configuration */
    uint64_t phase_den;             /**< synthetic: phase denominator, 2000 * rate^2 */
    uint64_t phase_lin;             /**< synthetic: 2 * rate * freq_mhz mod phase_den */
    uint64_t phase_quad;            /**< synthetic: drift_mhz_per_s mod phase_den */
    int32_t *frames;                /**< file: owned, nframes * MTR_ADC_CHANNELS codes */
    size_t nframes;                 /**< file: number of frames, >= 1 */
};

/**
 * @brief Fill @p cfg with the defaults: 4000 frames/s, 24 bits, 50 Hz, no
 *        drift; 230 V and 5 A RMS per phase at power factor 0.9 lagging
 *        (i_angle 25.84 degrees); sequence ABC (voltage angles 0, -120,
 *        +120 degrees); full scale 600 V and 200 A instantaneous; neutral
 *        not measured; no harmonics, offset or noise; seed 0.
 */
void mtr_sim_adc_default(struct mtr_sim_adc_cfg *cfg);

/**
 * @brief Set up @p adc as a synthetic source. The configuration is copied.
 * @param adc raw storage (see ::mtr_sim_adc).
 * @param cfg every field is checked against its documented domain.
 * @return MTR_OK; MTR_ERR_INVAL if @p adc or @p cfg is NULL or any field is
 *         out of its domain (then @p adc is unchanged).
 */
mtr_err_t mtr_sim_adc_init(struct mtr_sim_adc *adc, const struct mtr_sim_adc_cfg *cfg);

/**
 * @brief Decode a sample file held in memory and set up @p adc to play it
 *        in a loop. The frames are copied into memory owned by @p adc;
 *        @p data may be released after the call.
 * @param adc raw storage (see ::mtr_sim_adc).
 * @param data the file's bytes; only [data, data + len) is read.
 * @param len bytes in @p data.
 * @return MTR_OK; MTR_ERR_DECODE if the bytes are not a valid sample file;
 *         MTR_ERR_FULL if the frames do not fit in memory; MTR_ERR_INVAL if
 *         @p adc is NULL or @p data is NULL with @p len > 0. On error
 *         @p adc is unchanged.
 */
mtr_err_t mtr_sim_adc_load(struct mtr_sim_adc *adc, const uint8_t *data, size_t len);

/**
 * @brief As mtr_sim_adc_load(), and say where and why a file was rejected.
 * @param[out] diag optional (NULL): on MTR_ERR_DECODE the line and reason;
 *             on success reason is NULL and line 0.
 */
mtr_err_t mtr_sim_adc_load_diag(struct mtr_sim_adc *adc, const uint8_t *data, size_t len,
                                struct mtr_sim_samples_diag *diag);

/**
 * @brief Read a sample file of at most ::MTR_SIM_SAMPLES_FILE_MAX bytes and
 *        play it as mtr_sim_adc_load() does.
 * @return as mtr_sim_adc_load(), and MTR_ERR_NOENT if @p path does not
 *         exist; MTR_ERR_IO if it cannot be opened or read; MTR_ERR_RANGE if
 *         it is larger than ::MTR_SIM_SAMPLES_FILE_MAX; MTR_ERR_INVAL if
 *         @p path is NULL. On error @p adc is unchanged.
 */
mtr_err_t mtr_sim_adc_load_file(struct mtr_sim_adc *adc, const char *path);

/** @brief As mtr_sim_adc_load_file(), with the diagnostics of mtr_sim_adc_load_diag(). */
mtr_err_t mtr_sim_adc_load_file_diag(struct mtr_sim_adc *adc, const char *path,
                                     struct mtr_sim_samples_diag *diag);

/**
 * @brief Record frames [first, first + count) of @p adc's current source into
 *        a sample file at @p path (created or replaced), in the format above
 *        with the source's rate and bits. Loading the file plays the same
 *        frames from index 0.
 * @return MTR_OK; MTR_ERR_INVAL if an argument is NULL or @p count is 0;
 *         MTR_ERR_STATE if @p adc is empty; MTR_ERR_RANGE if the last index
 *         would pass UINT64_MAX; MTR_ERR_NOENT if the directory does not
 *         exist; MTR_ERR_IO if the file cannot be written (no partial file
 *         is left behind).
 */
mtr_err_t mtr_sim_adc_write_file(const struct mtr_sim_adc *adc, const char *path, uint64_t first,
                                 uint64_t count);

/** @brief Release what @p adc owns and make it empty. NULL and empty ADCs are fine. */
void mtr_sim_adc_free(struct mtr_sim_adc *adc);

/**
 * @brief The frame at sample @p index: synthetic frames are computed for
 *        that instant, file frames repeat with the file's length.
 * @param adc a set-up or empty ADC (not NULL).
 * @param index frame number from 0 (time index / rate seconds).
 * @param[out] frame ::MTR_ADC_CHANNELS sign-extended codes, ::mtr_adc_channel order.
 */
void mtr_sim_adc_frame(const struct mtr_sim_adc *adc, uint64_t index,
                       int32_t frame[MTR_ADC_CHANNELS]);

/** @brief Frames per second of the source; 0 when empty. */
uint32_t mtr_sim_adc_rate(const struct mtr_sim_adc *adc);

/** @brief Resolution of the source, bits (12..24); 0 when empty. */
uint8_t mtr_sim_adc_bits(const struct mtr_sim_adc *adc);

/** @brief Number of frames of a played file before it loops; 0 for other sources. */
size_t mtr_sim_adc_file_frames(const struct mtr_sim_adc *adc);

#ifdef __cplusplus
}
#endif

#endif /* METER_SIM_ADC_H */
