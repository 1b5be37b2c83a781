/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file display.h
 * @brief The meter's LCD: two readout sequences, auto scroll, manual mode on
 *        the button, test mode, and the rendering of values for an 8-digit
 *        7-segment display.
 *
 * One caller-allocated ::mtr_display context holds:
 *
 * - two readout sequences of COSEM capture object definitions (class id,
 *   logical name, attribute index, data index), up to MTR_CFG_DISPLAY_ITEMS
 *   each (seed: 64 values per sequence): the general display readout
 *   0-0:21.0.1.255 scrolled automatically and the alternate display readout
 *   0-0:21.0.2.255 stepped by the button (::mtr_display_list);
 * - the settings (::mtr_display_settings): auto-scroll interval
 *   (1-0:129.1.10.255, seed default 8 s), test mode duration
 *   (0-0:96.34.10.255, seed default 3600 s) and the manual-mode time-out;
 * - the factory decimal places of energy, power, voltage and current
 *   (1-0:129.1.51/52/61/62.255), given once in the configuration and never
 *   changed afterwards (seed 001 §4.1.1.1: "factory-set, not modifiable
 *   after delivery").
 *
 * It reads no hardware and no clock: the aggregate hands in the monotonic
 * time (::mtr_ms_t) with every call that moves the state machine, and the
 * values through the @c value callback of the configuration.
 *
 * State machine (docs/display.md):
 * - ::MTR_DISPLAY_AUTO shows the general list, one entry per scroll
 *   interval, wrapping; an empty list shows nothing.
 * - A short press (::MTR_DISPLAY_KEY_NEXT) enters ::MTR_DISPLAY_MANUAL on
 *   the first entry of the alternate list, each further press shows the
 *   next one (wrapping); the manual time-out after the last press, or a
 *   long press (::MTR_DISPLAY_KEY_EXIT), returns to auto scroll.
 * - mtr_display_test() starts ::MTR_DISPLAY_TEST (every segment lit) for
 *   the test mode duration, then the display returns to auto scroll.
 * - Every return to auto scroll starts the general list at its first entry.
 *
 * Time: the calls taking @c now refuse a time before the latest time seen
 * (wrap-safe: "before" means less than 2^31 ms behind) with
 * MTR_ERR_DISPLAY_TIME and change nothing. They must come at least every
 * 24 days (2^31 ms) for the same reason.
 */
#ifndef METER_DISPLAY_H
#define METER_DISPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "meter/config.h"
#include "meter/error.h"
#include "meter/units.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Digit cells of the display (seed tou-limits.json display.digits). */
#define MTR_DISPLAY_DIGITS 8
/** Bytes of a value text: 8 cells, 8 decimal points, NUL. */
#define MTR_DISPLAY_TEXT_SIZE 17
/** Bytes of a display code: "255.255.255.255" and NUL. */
#define MTR_DISPLAY_CODE_SIZE 16

/** Auto-scroll interval range, s (default 8, seed 1-0:129.1.10.255). */
#define MTR_DISPLAY_SCROLL_MIN_S 1u
#define MTR_DISPLAY_SCROLL_MAX_S 255u /**< see MTR_DISPLAY_SCROLL_MIN_S */
/** Test mode duration range, s (default 3600, seed 0-0:96.34.10.255). */
#define MTR_DISPLAY_TEST_MIN_S 1u
#define MTR_DISPLAY_TEST_MAX_S 86400u /**< see MTR_DISPLAY_TEST_MIN_S */
/** Manual-mode time-out range, s (default 60). */
#define MTR_DISPLAY_MANUAL_MIN_S 1u
#define MTR_DISPLAY_MANUAL_MAX_S 3600u /**< see MTR_DISPLAY_MANUAL_MIN_S */
/** Most factory decimal places of a category. */
#define MTR_DISPLAY_DECIMALS_MAX 7u

/** Press shorter than this is a scroll press, ms (seed: "< 2 s"). */
#define MTR_DISPLAY_PRESS_SHORT_MS 2000u
/** Press longer than this is the "master back" to auto scroll, ms (seed: "> 7 s"). */
#define MTR_DISPLAY_PRESS_EXIT_MS 7000u

/** The two readout sequences. */
enum mtr_display_list {
    MTR_DISPLAY_GENERAL = 0,   /**< general display readout 0-0:21.0.1.255 (auto scroll) */
    MTR_DISPLAY_ALTERNATE = 1, /**< alternate display readout 0-0:21.0.2.255 (manual) */
};

/** Modes of the display. */
enum mtr_display_mode {
    MTR_DISPLAY_AUTO = 0,   /**< scrolling the general list */
    MTR_DISPLAY_MANUAL = 1, /**< stepping with the button */
    MTR_DISPLAY_TEST = 2,   /**< every segment lit */
};

/** Button events (see mtr_display_key_of()). */
enum mtr_display_key {
    MTR_DISPLAY_KEY_NONE = 0, /**< nothing for the display (2..7 s: menus not modelled) */
    MTR_DISPLAY_KEY_NEXT = 1, /**< short press: manual mode, next entry */
    MTR_DISPLAY_KEY_EXIT = 2, /**< long press: back to auto scroll (ends test mode too) */
};

/** Quantity categories with factory decimal places. */
enum mtr_display_category {
    MTR_DISPLAY_CAT_ENERGY = 0,  /**< Wh, varh, VAh: shown in k-units, truncated */
    MTR_DISPLAY_CAT_POWER = 1,   /**< W, var, VA: shown in k-units, rounded */
    MTR_DISPLAY_CAT_VOLTAGE = 2, /**< V, rounded */
    MTR_DISPLAY_CAT_CURRENT = 3, /**< A, rounded */
    MTR_DISPLAY_CAT_OTHER = 4,   /**< any other unit: the scaler's decimals, rounded */
};

/** Formats of a value (::mtr_display_value.format). */
enum mtr_display_format {
    /** value x 10^scaler in @c unit, by the rules of its category */
    MTR_DISPLAY_FMT_NUMBER = 0,
    /** local time of day, seconds 0..86399, shown "hh-mm-ss" */
    MTR_DISPLAY_FMT_TIME = 1,
    /** local date as the integer yyyymmdd (year 2000..2099), shown "dd-mm-yy" */
    MTR_DISPLAY_FMT_DATE = 2,
    /** 32-bit register (error register), 0..0xFFFFFFFF, 8 hex digits */
    MTR_DISPLAY_FMT_HEX = 3,
};

/** DLMS units used by the categories (Blue Book, enumeration of scal_unit_type). */
enum mtr_display_unit {
    MTR_DISPLAY_UNIT_S = 7,      /**< second */
    MTR_DISPLAY_UNIT_W = 27,     /**< watt */
    MTR_DISPLAY_UNIT_VA = 28,    /**< volt-ampere */
    MTR_DISPLAY_UNIT_VAR = 29,   /**< var */
    MTR_DISPLAY_UNIT_WH = 30,    /**< watt-hour */
    MTR_DISPLAY_UNIT_VAH = 31,   /**< volt-ampere-hour */
    MTR_DISPLAY_UNIT_VARH = 32,  /**< var-hour */
    MTR_DISPLAY_UNIT_A = 33,     /**< ampere */
    MTR_DISPLAY_UNIT_V = 35,     /**< volt */
    MTR_DISPLAY_UNIT_HZ = 44,    /**< hertz */
    MTR_DISPLAY_UNIT_NONE = 255, /**< count, no unit */
};

/**
 * One entry of a readout sequence: a COSEM capture object definition
 * (Blue Book class 7 capture_objects element).
 */
struct mtr_display_item {
    uint16_t class_id;      /**< interface class, not 0 */
    uint8_t ln[6];          /**< logical name A..F */
    int8_t attribute_index; /**< attribute, > 0 */
    uint16_t data_index;    /**< element of a structured attribute, 0 = all */
};

/** A value to show (given by the @c value callback). */
struct mtr_display_value {
    int64_t value;  /**< the number; for TIME seconds of day, DATE yyyymmdd, HEX the bits */
    int8_t scaler;  /**< power of ten of @c value (NUMBER only) */
    uint8_t unit;   /**< DLMS unit (::mtr_display_unit or any other Blue Book unit) */
    uint8_t format; /**< ::mtr_display_format */
};

/** Run-time settings (all or nothing with mtr_display_set(); in the blob). */
struct mtr_display_settings {
    /** Auto-scroll interval, s, 1..255. Seed default 8 (1-0:129.1.10.255). */
    uint16_t scroll_s;
    /** Test mode duration, s, 1..86400. Seed default 3600 (0-0:96.34.10.255). */
    uint32_t test_s;
    /** Manual mode ends this long after the last press, s, 1..3600.
     *  Default 60 (the seed says "automatically after inactivity", no value). */
    uint16_t manual_timeout_s;
};

/** Factory decimal places (0..7) per category; fixed after init. */
struct mtr_display_decimals {
    uint8_t energy;  /**< 1-0:129.1.51.255; seed direct/transformer 2 */
    uint8_t power;   /**< 1-0:129.1.52.255; seed direct 2, transformer 3 */
    uint8_t voltage; /**< 1-0:129.1.61.255; no seed value, default 1 */
    uint8_t current; /**< 1-0:129.1.62.255; no seed value, default 2 */
};

/** Configuration given at init; the context keeps the pointer (static storage). */
struct mtr_display_config {
    /**
     * Read the value of @p item into @p out (NULL: every render shows the
     * error indication and returns MTR_ERR_NOTSUP). An error returned is
     * shown as the error indication and returned by mtr_display_render().
     */
    mtr_err_t (*value)(void *user, const struct mtr_display_item *item,
                       struct mtr_display_value *out);
    void *user;                             /**< handed to @c value */
    struct mtr_display_decimals decimals;   /**< factory decimal places */
    struct mtr_display_settings settings;   /**< settings after init */
    const struct mtr_display_item *general; /**< general list after init (may be NULL if count 0) */
    uint16_t general_count;                 /**< its entries, 0..MTR_CFG_DISPLAY_ITEMS */
    const struct mtr_display_item *alternate; /**< alternate list after init */
    uint16_t alternate_count;                 /**< its entries, 0..MTR_CFG_DISPLAY_ITEMS */
};

/** What the display shows now (mtr_display_state()). */
struct mtr_display_state {
    uint8_t mode;                 /**< ::mtr_display_mode */
    uint8_t list;                 /**< ::mtr_display_list of the entry shown */
    bool shown;                   /**< an entry is shown (false: test mode, or the list is empty) */
    uint16_t index;               /**< index of the entry in its list (0 when none is shown) */
    struct mtr_display_item item; /**< the entry (zero when none is shown) */
};

/** A rendered screen (mtr_display_render()). */
struct mtr_display_screen {
    uint8_t mode;                     /**< ::mtr_display_mode */
    bool all_segments;                /**< test mode: every segment, point and flag lit */
    uint8_t unit;                     /**< DLMS unit of the value shown (255: none or no value) */
    bool kilo;                        /**< the value is shown in k-units (energy, power) */
    char code[MTR_DISPLAY_CODE_SIZE]; /**< display code, e.g. "1.8.1"; "" when none */
    char text[MTR_DISPLAY_TEXT_SIZE]; /**< value text, 8 cells (see mtr_display_format()) */
};

/* ----------------------------------------------------- private structures */

/** The context (caller-allocated; fields private, use the functions). */
struct mtr_display {
    const struct mtr_display_config *cfg;
    struct mtr_display_decimals dec;
    struct mtr_display_settings set;
    uint16_t count[2];
    struct mtr_display_item item[2][MTR_CFG_DISPLAY_ITEMS];
    uint8_t mode;   /* enum mtr_display_mode */
    uint8_t list;   /* list shown */
    uint16_t index; /* entry shown */
    mtr_ms_t last;  /* latest time seen */
    mtr_ms_t due;   /* next change: scroll step, manual time-out, end of test */
};

/** Bytes of the saved settings blob (version 1): header 4, settings 8, two
 *  lists of a count and MTR_CFG_DISPLAY_ITEMS entries of 11 bytes, CRC 4. */
#define MTR_DISPLAY_BLOB_SIZE (16u + 2u * (2u + 11u * (unsigned)MTR_CFG_DISPLAY_ITEMS))
/** @brief Run-time twin of MTR_DISPLAY_BLOB_SIZE. */
size_t mtr_display_blob_size(void);
/** @brief Run-time twin of MTR_CFG_DISPLAY_ITEMS (entries per list). */
uint32_t mtr_display_config_items(void);
/** @brief sizeof(struct mtr_display), for bindings. */
size_t mtr_display_ctx_size(void);

/** @brief Fill @p s with the defaults: scroll 8 s, test 3600 s (seed), manual time-out 60 s. */
void mtr_display_settings_default(struct mtr_display_settings *s);

/**
 * @brief The seed's configuration (docs/display.md "Seed configuration"): default
 *        settings, the seed's factory decimal places, and the general and
 *        alternate lists built from obis-display.csv (static storage). The
 *        value callback and user are NULL: set them before mtr_display_init().
 * @param transformer false: direct-connected meter (energy 2, power 2
 *        decimals); true: transformer-operated (energy 2, power 3 decimals),
 *        seed tou-limits.json display.decimal_defaults. Voltage 1, current 2.
 */
void mtr_display_seed(struct mtr_display_config *out, bool transformer);

/**
 * @brief Check @p cfg and start @p d in auto mode at the first entry of
 *        the general list, the first step one interval after @p now.
 * @return MTR_OK; MTR_ERR_DISPLAY_CONFIG (settings or decimal places out of
 *         range); MTR_ERR_DISPLAY_LIST (a list invalid, see
 *         mtr_display_set_list()). On error @p d is untouched.
 */
mtr_err_t mtr_display_init(struct mtr_display *d, const struct mtr_display_config *cfg,
                           mtr_ms_t now);

/**
 * @brief Advance the state machine to @p now: auto steps (catching up on
 *        every interval passed), the manual time-out, the end of test mode.
 * @return MTR_OK; MTR_ERR_DISPLAY_TIME if @p now is before the latest time
 *         seen (nothing changed).
 */
mtr_err_t mtr_display_poll(struct mtr_display *d, mtr_ms_t now);

/**
 * @brief The time of the next change (for the caller's sleep).
 * @return true with @p at set; false when nothing will change by itself
 *         (auto mode with fewer than two entries shown).
 */
bool mtr_display_deadline(const struct mtr_display *d, mtr_ms_t *at);

/**
 * @brief A button event at @p now (after mtr_display_poll(d, now)).
 *        NEXT: in auto mode enter manual mode on the first entry of the
 *        alternate list (the general list when the alternate list is
 *        empty); in manual mode the next entry, wrapping; the time-out
 *        restarts. Ignored in test mode. EXIT: back to auto scroll from
 *        manual or test mode (in auto mode: nothing). NONE: nothing.
 * @return MTR_OK; MTR_ERR_DISPLAY_TIME (time went back);
 *         MTR_ERR_INVAL (unknown key). On error nothing changed.
 */
mtr_err_t mtr_display_press(struct mtr_display *d, mtr_ms_t now, uint8_t key);

/**
 * @brief The button event of a press held @p held_ms (seed tou-limits.json
 *        display.button_timing_s): < 2 s NEXT, > 7 s EXIT, else NONE (the
 *        enter/back menu presses of 2..7 s are not the display's).
 */
uint8_t mtr_display_key_of(uint32_t held_ms);

/**
 * @brief Start test mode at @p now (the COSEM "test mode activation" script):
 *        every segment lit for the test duration, then auto scroll. A start
 *        during test mode restarts the duration.
 * @return MTR_OK; MTR_ERR_DISPLAY_TIME (nothing changed).
 */
mtr_err_t mtr_display_test(struct mtr_display *d, mtr_ms_t now);

/** @brief What is shown now (as of the latest call with a time). */
void mtr_display_state(const struct mtr_display *d, struct mtr_display_state *out);

/**
 * @brief Replace readout list @p which (::mtr_display_list). Rules: count
 *        0..MTR_CFG_DISPLAY_ITEMS; @p items may be NULL only with count 0;
 *        every class_id != 0, attribute_index > 0; no two entries equal in
 *        all four fields (a sequence shows each value once). If the list is
 *        the one shown, it restarts at its first entry; in auto mode the
 *        next step comes one interval after the latest time seen (in manual
 *        mode the time-out runs on).
 * @return MTR_OK; MTR_ERR_DISPLAY_LIST; MTR_ERR_INVAL (unknown list).
 *         On error nothing changed.
 */
mtr_err_t mtr_display_set_list(struct mtr_display *d, uint8_t which,
                               const struct mtr_display_item *items, uint16_t count);

/**
 * @brief Read list @p which: its entry count, and a pointer to its entries
 *        in @p items (optional; valid until the list is changed).
 *        An unknown list has 0 entries.
 */
uint16_t mtr_display_list(const struct mtr_display *d, uint8_t which,
                          const struct mtr_display_item **items);

/**
 * @brief Replace the settings (all or nothing). They apply from the next
 *        change: a running interval, time-out or test keeps its deadline.
 * @return MTR_OK; MTR_ERR_DISPLAY_CONFIG (nothing changed).
 */
mtr_err_t mtr_display_set(struct mtr_display *d, const struct mtr_display_settings *s);
/** @brief The settings in force. */
void mtr_display_get(const struct mtr_display *d, struct mtr_display_settings *s);
/** @brief The factory decimal places (read-only after init). */
void mtr_display_decimals(const struct mtr_display *d, struct mtr_display_decimals *out);

/** @brief The category of DLMS unit @p unit (::mtr_display_category). */
uint8_t mtr_display_category_of(uint8_t unit);

/**
 * @brief Format one value into 8 cells (docs/display.md "Rendering").
 *
 * The text is right-aligned in 8 cells, padded with spaces on the left; a
 * '.' is the decimal point of the cell before it and takes no cell. A
 * negative value takes one cell for '-'; a value that rounds to zero has
 * no sign.
 *
 * NUMBER: energy (Wh, varh, VAh) and power (W, var, VA) are shown in
 * k-units, voltage (V) and current (A) as they are, each with the factory
 * decimal places of its category; energy is truncated toward zero (a meter
 * never shows more energy than it registered), everything else rounded
 * half away from zero. Other units keep the decimals of the scaler (none
 * for a scaler >= 0), fewer (rounded) when the digits would not fit.
 * TIME "hh-mm-ss", DATE "dd-mm-yy", HEX 8 hex digits (0-9 A b C d E F).
 *
 * Overflow (the integer part does not fit): "--------". Invalid value
 * (unknown format, TIME/DATE/HEX out of range, a decimal place of @p dec
 * above 7 for a NUMBER): "Err" and five blank cells.
 *
 * @param dec decimal places of the four categories.
 * @return MTR_OK; MTR_ERR_OVERFLOW (overflow indication written);
 *         MTR_ERR_DISPLAY_VALUE (error indication written).
 */
mtr_err_t mtr_display_format(const struct mtr_display_decimals *dec,
                             const struct mtr_display_value *v, char text[MTR_DISPLAY_TEXT_SIZE]);

/**
 * @brief The display code of @p ln (IEC 62056-6-1 reduced ID code): "C.D.E"
 *        in decimal with groups A and B left out, and ".F" added when F is
 *        not 255 (e.g. 1-0:1.8.1.255 "1.8.1", 0-0:96.1.0.255 "96.1.0",
 *        1-0:1.8.0.101 "1.8.0.101").
 */
void mtr_display_code(const uint8_t ln[6], char code[MTR_DISPLAY_CODE_SIZE]);

/**
 * @brief Render the screen now: in test mode every segment
 *        ("8.8.8.8.8.8.8.8.", all_segments); with nothing shown an empty
 *        code and 8 blank cells; otherwise the code of the entry and its
 *        value read through the @c value callback and mtr_display_format().
 *        A callback error shows "Err" and the last four digits of the
 *        error code ("Err 1407"); an invalid value shows "Err".
 * @return MTR_OK; the callback's error; MTR_ERR_NOTSUP (no callback);
 *         MTR_ERR_OVERFLOW or MTR_ERR_DISPLAY_VALUE from
 *         mtr_display_format(). @p out is always filled.
 */
mtr_err_t mtr_display_render(const struct mtr_display *d, struct mtr_display_screen *out);

/**
 * @brief Save the settings and both lists (version 1, big-endian, CRC-32
 *        last). The factory decimal places are not in it (configuration).
 * @param[out] len bytes written (MTR_DISPLAY_BLOB_SIZE).
 * @return MTR_OK; MTR_ERR_FULL if @p cap < MTR_DISPLAY_BLOB_SIZE (nothing written).
 */
mtr_err_t mtr_display_save(const struct mtr_display *d, uint8_t *buf, size_t cap, size_t *len);

/**
 * @brief Adopt saved settings and lists, all checked first (as
 *        mtr_display_set() and mtr_display_set_list(); unused entries must
 *        be zero). The display then restarts in auto mode at the first
 *        entry of the general list, the next step one interval after the
 *        latest time seen.
 * @return MTR_OK; MTR_ERR_DISPLAY_BLOB (length, magic, capacity or a value);
 *         MTR_ERR_DISPLAY_BLOB_CRC; MTR_ERR_DISPLAY_VERSION. On error
 *         nothing changed.
 */
mtr_err_t mtr_display_load(struct mtr_display *d, const uint8_t *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* METER_DISPLAY_H */
