/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file clock.h
 * @brief Civil time, the clock (COSEM class 8) with daylight saving time, the
 *        activity calendar (class 20), special days (class 11) and the tariff
 *        decision that drives the register activation masks (class 6).
 *
 * Time is kept in UTC seconds (::mtr_utc_t) by the HAL's RTC. Local time is
 * UTC plus the standard time zone plus, while summer time is active, the DST
 * deviation. Calendars and billing schedules work in local wall time; demand
 * periods and energy are independent of wall time (energy is counted by
 * delta, never by elapsed time), so the repeated autumn hour counts nothing
 * twice and the skipped spring hour loses nothing.
 *
 * Every change of the clock (set, shift, adjust, time zone or DST settings)
 * increments a change counter carried in ::mtr_clock_view; the tariff,
 * demand and billing parts (meter/tariff.h) read it from the view and flag
 * what the change cut short. The clock reports each change through the
 * event callback of its configuration, with the event codes of the meter's
 * standard event log (::MTR_CLOCK_EV_ADJUSTED_OLD and ::MTR_CLOCK_EV_ADJUSTED_NEW).
 *
 * Range: 1970-01-01T00:00:00Z (::MTR_UTC_MIN) to 2199-12-31T23:59:59Z
 * (::MTR_UTC_MAX), proleptic Gregorian calendar, no leap seconds.
 */
#ifndef METER_CLOCK_H
#define METER_CLOCK_H

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

/* ------------------------------------------------------------ civil time */

/** First second the library handles: 1970-01-01T00:00:00Z. */
#define MTR_UTC_MIN ((mtr_utc_t)0)
/** Last second the library handles: 2199-12-31T23:59:59Z. */
#define MTR_UTC_MAX ((mtr_utc_t)7258118399LL)
/** First and last year of the supported range. */
#define MTR_YEAR_MIN 1970 /**< first year of the supported range */
#define MTR_YEAR_MAX 2199 /**< last year of the supported range */

/** COSEM clock status bits (Blue Book 4.1.6.1, clock_status). */
enum mtr_clock_status {
    MTR_CLOCK_ST_INVALID = 0x01,        /**< time could not be recovered (RTC lost) */
    MTR_CLOCK_ST_DOUBTFUL = 0x02,       /**< time recovered but not certain */
    MTR_CLOCK_ST_DIFFERENT_BASE = 0x04, /**< clock base differs from the configured one */
    MTR_CLOCK_ST_INVALID_STATUS = 0x08, /**< the status bits themselves are not reliable */
    MTR_CLOCK_ST_DST = 0x80,            /**< daylight saving (summer) time active */
};

/** COSEM date-time deviation meaning "not specified" (0x8000). */
#define MTR_DEVIATION_UNSPECIFIED ((int16_t)INT16_MIN)

/**
 * COSEM date-time, as the DLMS codec encodes it (12 bytes on the wire).
 * @c deviation follows the Blue Book / IDIS sign: minutes of UTC minus local
 * time, so -60 for CET and -120 for CEST (local = UTC - deviation).
 */
struct mtr_datetime {
    uint16_t year;      /**< 1970..2199 */
    uint8_t month;      /**< 1..12 */
    uint8_t day;        /**< 1..31 */
    uint8_t weekday;    /**< 1 = Monday .. 7 = Sunday */
    uint8_t hour;       /**< 0..23 */
    uint8_t minute;     /**< 0..59 */
    uint8_t second;     /**< 0..59 */
    uint8_t hundredths; /**< 0..99 */
    int16_t deviation;  /**< minutes, UTC - local, -840..840 or MTR_DEVIATION_UNSPECIFIED */
    uint8_t status;     /**< ::mtr_clock_status bits */
};

/** @brief True if @p year is a Gregorian leap year. */
bool mtr_civil_is_leap(int32_t year);
/** @brief Days of month @p month (1..12) of @p year; 0 for a month out of range. */
uint8_t mtr_civil_month_days(int32_t year, uint8_t month);
/**
 * @brief Days from 1970-01-01 to the given date (proleptic Gregorian; the
 *        day-count method of H. Hinnant, "chrono-compatible low-level date
 *        algorithms", rewritten with integer arithmetic only).
 * @return days (negative before 1970); the date is not checked.
 */
int32_t mtr_civil_days(int32_t year, uint8_t month, uint8_t day);
/** @brief Date of day number @p days since 1970-01-01 (inverse of mtr_civil_days()). */
void mtr_civil_from_days(int32_t days, int32_t *year, uint8_t *month, uint8_t *day);
/** @brief ISO weekday of day number @p days: 1 = Monday .. 7 = Sunday. */
uint8_t mtr_civil_weekday(int32_t days);

/**
 * @brief Local date-time of @p utc.
 * @param utc MTR_UTC_MIN..MTR_UTC_MAX.
 * @param offset_s local minus UTC in seconds, -50400..50400 (multiple of 60).
 * @param status clock status bits copied into @p dt.
 * @param[out] dt written only on success; hundredths 0, deviation = -offset/60.
 * @return MTR_OK; MTR_ERR_CALENDAR_DATE if @p utc or the local time lies
 *         outside 1970..2199 or @p offset_s is out of range.
 */
mtr_err_t mtr_datetime_from_utc(mtr_utc_t utc, int32_t offset_s, uint8_t status,
                                struct mtr_datetime *dt);
/**
 * @brief Check a date-time's fields: real date in 1970..2199, time of day,
 *        hundredths, deviation in -840..840 (Blue Book: -720..720, widened
 *        for UTC+13 and UTC+14). The weekday may be 0 or 0xFF ("not
 *        specified"); any other value must be the date's weekday.
 * @return MTR_OK; MTR_ERR_CALENDAR_DATE.
 */
mtr_err_t mtr_datetime_check(const struct mtr_datetime *dt);
/**
 * @brief UTC second of a date-time with a specified deviation (hundredths
 *        are dropped).
 * @return MTR_OK; MTR_ERR_CALENDAR_DATE for an invalid date-time, an
 *         unspecified deviation or a result outside MTR_UTC_MIN..MTR_UTC_MAX.
 */
mtr_err_t mtr_datetime_to_utc(const struct mtr_datetime *dt, mtr_utc_t *utc);

/* ----------------------------------------------------------------- DST */

/** How the daylight saving period is found. */
enum mtr_dst_kind {
    MTR_DST_NONE = 0,     /**< no summer time */
    MTR_DST_RULE = 1,     /**< yearly rule: n-th (or last) weekday of a month at a time */
    MTR_DST_EXPLICIT = 2, /**< one explicit begin and end (UTC seconds) */
};

/** Time base of a rule's switching time. */
enum mtr_dst_base {
    MTR_DST_AT_UTC = 0,      /**< minute of the UTC day (EU rule: 01:00 UTC) */
    MTR_DST_AT_STANDARD = 1, /**< minute of the local standard-time day */
    MTR_DST_AT_WALL = 2,     /**< minute of the local wall-clock day in force before the change
                                  (US rule: 02:00 local) */
};

/** One switching point of a yearly DST rule. */
struct mtr_dst_point {
    uint8_t month;   /**< 1..12 */
    uint8_t week;    /**< 1..4 = first..fourth, 5 = last occurrence of @c weekday in the month */
    uint8_t weekday; /**< 1 = Monday .. 7 = Sunday */
    uint8_t base;    /**< ::mtr_dst_base */
    uint16_t minute; /**< minute of the day, 0..1439, in @c base */
};

/** Daylight saving settings (class 8 attributes 5..8). */
struct mtr_dst_config {
    uint8_t kind;                    /**< ::mtr_dst_kind */
    bool enabled;                    /**< class 8 attribute 8 */
    int16_t deviation_min;           /**< summer time shift, minutes, -120..120 (usually 60) */
    struct mtr_dst_point begin, end; /**< MTR_DST_RULE */
    mtr_utc_t begin_utc, end_utc;    /**< MTR_DST_EXPLICIT: summer time in [begin, end) */
};

/** @brief EU rule (Directive 2000/84/EC, art. 2-3): last Sunday of March to
 *         last Sunday of October, 01:00 UTC, +60 min, enabled. */
void mtr_dst_eu(struct mtr_dst_config *dst);
/** @brief US rule (15 U.S.C. 260a as amended by the Energy Policy Act of
 *         2005): second Sunday of March to first Sunday of November, 02:00
 *         local wall time, +60 min, enabled. */
void mtr_dst_us(struct mtr_dst_config *dst);
/** @brief Check a DST configuration. @return MTR_OK; MTR_ERR_CALENDAR_DST. */
mtr_err_t mtr_dst_check(const struct mtr_dst_config *dst);
/**
 * @brief Whether summer time is active at @p utc.
 * @param std_offset_s local standard time minus UTC, seconds.
 */
bool mtr_dst_active(const struct mtr_dst_config *dst, int32_t std_offset_s, mtr_utc_t utc);
/**
 * @brief UTC second at which summer time begins (@p end false) or ends
 *        (@p end true) in local standard year @p year under a MTR_DST_RULE.
 */
mtr_utc_t mtr_dst_switch_utc(const struct mtr_dst_config *dst, int32_t std_offset_s, int32_t year,
                             bool end);

/* --------------------------------------------------------------- clock */

/** Event codes of the standard event log (seed event-codes.csv, Table 10). */
enum mtr_calendar_event_code {
    MTR_CLOCK_EV_DST_CHANGED = 3,          /**< DST enabled or disabled */
    MTR_CLOCK_EV_ADJUSTED_OLD = 4,         /**< clock adjusted (old value) */
    MTR_CLOCK_EV_ADJUSTED_NEW = 5,         /**< clock adjusted (new value) */
    MTR_CLOCK_EV_INVALID = 6,              /**< clock invalid */
    MTR_CAL_EV_TOU_ACTIVATED = 9,          /**< passive TOU became active */
    MTR_CAL_EV_PASSIVE_PROGRAMMED = 19,    /**< passive TOU programmed */
    MTR_CAL_EV_EXTERNAL_TO_INTERNAL = 201, /**< tariff control: inputs -> calendar */
    MTR_CAL_EV_INTERNAL_TO_EXTERNAL = 202, /**< tariff control: calendar -> inputs */
};

/** What changed the clock (::mtr_clock_event.cause). */
enum mtr_clock_cause {
    MTR_CLOCK_BY_SET = 1,  /**< time written */
    MTR_CLOCK_BY_SHIFT,    /**< shift_time */
    MTR_CLOCK_BY_QUARTER,  /**< adjust_to_quarter */
    MTR_CLOCK_BY_MINUTE,   /**< adjust_to_minute */
    MTR_CLOCK_BY_PRESET,   /**< adjust_to_preset_time */
    MTR_CLOCK_BY_SETTINGS, /**< time zone or DST settings */
    MTR_CLOCK_BY_RTC_LOST, /**< RTC found invalid */
    MTR_CLOCK_BY_CALENDAR, /**< activity calendar or tariff control event */
    MTR_CLOCK_BY_PERIOD,   /**< adjust_to_measuring_period */
};

/**
 * One event of the clock or the calendar. A time change gives one event with
 * code ::MTR_CLOCK_EV_ADJUSTED_OLD and one with ::MTR_CLOCK_EV_ADJUSTED_NEW,
 * both carrying @c before and @c after.
 */
struct mtr_clock_event {
    uint16_t code;    /**< ::mtr_calendar_event_code */
    uint8_t cause;    /**< ::mtr_clock_cause */
    mtr_utc_t before; /**< UTC before the change (or when the event happened) */
    mtr_utc_t after;  /**< UTC after the change (same as before when time did not move) */
};

/** Event callback (the event log engine or the application). */
typedef void (*mtr_clock_event_fn)(void *user, const struct mtr_clock_event *ev);

/** Clock settings. */
struct mtr_clock_config {
    int16_t time_zone;           /**< class 8 attr 3: minutes, UTC - local standard time
                                      (Blue Book/IDIS sign: -60 for CET), -840..840 */
    struct mtr_dst_config dst;   /**< summer time */
    mtr_clock_event_fn on_event; /**< may be NULL */
    void *user;                  /**< given to on_event */
};

/**
 * What the other parts need to know about "now": a plain struct handed to
 * the calendar, the tariff registers, demand and billing.
 */
struct mtr_clock_view {
    mtr_utc_t utc;             /**< UTC seconds */
    int32_t offset_s;          /**< local wall time minus UTC (zone + active DST), seconds */
    int32_t std_offset_s;      /**< local standard time minus UTC, seconds */
    uint8_t status;            /**< ::mtr_clock_status bits */
    uint32_t change_seq;       /**< incremented by every clock change */
    struct mtr_datetime local; /**< local wall time */
};

/** The clock. Caller-allocated; fields private. */
struct mtr_clock {
    const struct mtr_hal *hal;
    struct mtr_clock_config cfg;
    uint8_t status;
    uint32_t change_seq;
    mtr_utc_t preset, preset_from, preset_to;
    bool preset_valid;
    uint32_t settings_seq;
    uint32_t magic;
};

/**
 * @brief Initialise @p clk on @p hal and read the RTC. An RTC that reports
 *        MTR_ERR_RTC_INVALID is not an error: the clock is marked invalid
 *        (status bit, view flag) until a set, and an ::MTR_CLOCK_EV_INVALID
 *        event is emitted.
 * @return MTR_OK; MTR_ERR_CALENDAR_DST for a bad time zone or DST setting;
 *         the RTC's other errors (MTR_ERR_IO). On error @p clk is untouched.
 */
mtr_err_t mtr_clock_init(struct mtr_clock *clk, const struct mtr_hal *hal,
                         const struct mtr_clock_config *cfg);
/** @brief sizeof(struct mtr_clock), for bindings. */
size_t mtr_clock_size(void);
/**
 * @brief Read the RTC and describe "now". An RTC that reports
 *        MTR_ERR_RTC_INVALID, or holds a time within 15 h of the ends of
 *        the range, marks the clock invalid (status bit, one
 *        ::MTR_CLOCK_EV_INVALID event, change counter incremented); the
 *        view then carries the RTC's time clamped into the range.
 * @return MTR_OK (also while the clock is invalid: see view->status);
 *         MTR_ERR_IO.
 */
mtr_err_t mtr_clock_now(struct mtr_clock *clk, struct mtr_clock_view *view);
/** @brief The view of an arbitrary @p utc under the clock's zone and DST (no RTC read).
 *  @return MTR_OK; MTR_ERR_CALENDAR_DATE if the local time leaves 1970..2199. */
mtr_err_t mtr_clock_view_at(const struct mtr_clock *clk, mtr_utc_t utc,
                            struct mtr_clock_view *view);
/**
 * @brief Set the time (class 8 attribute 2 written in UTC). Clears the
 *        invalid and doubtful status.
 * @param utc MTR_UTC_MIN + 15 h .. MTR_UTC_MAX - 15 h (so that every local
 *        time stays inside the range).
 * @return MTR_OK; MTR_ERR_CALENDAR_DATE outside that range;
 *         MTR_ERR_NOTSUP without rtc_set; the HAL's error. On error nothing
 *         changed.
 */
mtr_err_t mtr_clock_set(struct mtr_clock *clk, mtr_utc_t utc);
/** @brief Set the time from a COSEM date-time (its deviation gives UTC).
 *  @return as mtr_clock_set(); MTR_ERR_CALENDAR_DATE for an invalid date-time. */
mtr_err_t mtr_clock_set_datetime(struct mtr_clock *clk, const struct mtr_datetime *dt);
/**
 * @brief shift_time: move the time by @p seconds.
 * @return MTR_OK; MTR_ERR_CALENDAR_SHIFT outside -900..900; MTR_ERR_STATE
 *         while the clock is invalid (set it instead); as mtr_clock_set().
 */
mtr_err_t mtr_clock_shift(struct mtr_clock *clk, int32_t seconds);
/** @brief adjust_to_quarter: to the nearest quarter hour of local time (ties up).
 *  @return as mtr_clock_shift(). */
mtr_err_t mtr_clock_adjust_to_quarter(struct mtr_clock *clk);
/** @brief adjust_to_minute: to the nearest minute (30 s and more: up).
 *  @return as mtr_clock_shift(). */
mtr_err_t mtr_clock_adjust_to_minute(struct mtr_clock *clk);
/**
 * @brief adjust_to_measuring_period: to the nearest boundary of a period of
 *        @p period_s seconds, boundaries aligned in local standard time
 *        (ties up), as the demand periods are.
 * @return as mtr_clock_shift(); MTR_ERR_RANGE for a period outside 1..86400 s.
 */
mtr_err_t mtr_clock_adjust_to_period(struct mtr_clock *clk, uint32_t period_s);
/**
 * @brief preset_adjusting_time: remember @p preset, valid in [from, to].
 * @return MTR_OK; MTR_ERR_CALENDAR_DATE for a time out of range or from > to.
 */
mtr_err_t mtr_clock_preset(struct mtr_clock *clk, mtr_utc_t preset, mtr_utc_t from, mtr_utc_t to);
/**
 * @brief adjust_to_preset_time: set the preset time if now is within its
 *        validity interval; the preset is then consumed.
 * @return MTR_OK; MTR_ERR_CALENDAR_PRESET (no preset, or now outside the
 *         interval; nothing changed); as mtr_clock_set().
 */
mtr_err_t mtr_clock_adjust_to_preset(struct mtr_clock *clk);
/** @brief Change the time zone (minutes, Blue Book sign). Counts as a clock change.
 *  @return MTR_OK; MTR_ERR_CALENDAR_DST outside -840..840. */
mtr_err_t mtr_clock_set_time_zone(struct mtr_clock *clk, int16_t time_zone);
/** @brief Change the DST settings; emits ::MTR_CLOCK_EV_DST_CHANGED when
 *         @c enabled changes. Counts as a clock change.
 *  @return MTR_OK; MTR_ERR_CALENDAR_DST (nothing changed). */
mtr_err_t mtr_clock_set_dst(struct mtr_clock *clk, const struct mtr_dst_config *dst);
/** @brief Current settings (for the COSEM attributes). */
void mtr_clock_settings(const struct mtr_clock *clk, int16_t *time_zone,
                        struct mtr_dst_config *dst);
/** @brief The change counter (incremented by every change of time or settings). */
uint32_t mtr_clock_changes(const struct mtr_clock *clk);
/**
 * @brief The settings counter: incremented by every change of what
 *        mtr_clock_save() writes (time zone, DST settings, a preset set or
 *        consumed, mtr_clock_load()), never by the time itself. The
 *        aggregate commits the saved settings when it moves.
 */
uint32_t mtr_clock_settings_changes(const struct mtr_clock *clk);

/** Version of the saved clock settings written by mtr_clock_save(). */
#define MTR_CLOCK_STATE_VERSION 1
/** Bytes of the saved clock settings. */
#define MTR_CLOCK_STATE_SIZE 67u
/** @brief Run-time twin of MTR_CLOCK_STATE_SIZE. */
size_t mtr_clock_state_size(void);
/**
 * @brief Write the clock settings that must survive a power cut: time zone,
 *        DST settings, a pending preset (not the time: the RTC keeps it).
 *        Format: "CLK" + version, big-endian fields, CRC-32 last (docs/calendar.md).
 * @param[out] len MTR_CLOCK_STATE_SIZE on success.
 * @return MTR_OK; MTR_ERR_OVERFLOW if @p cap < MTR_CLOCK_STATE_SIZE.
 */
mtr_err_t mtr_clock_save(const struct mtr_clock *clk, uint8_t *buf, size_t cap, size_t *len);
/**
 * @brief Restore saved settings into an initialised @p clk, checked with the
 *        rules of mtr_clock_set_time_zone(), mtr_clock_set_dst() and
 *        mtr_clock_preset(). No event is emitted; both change counters move.
 * @return MTR_OK (*p advanced past the blob); MTR_ERR_DECODE (short data,
 *         a flag that is not 0 or 1, preset fields without a preset);
 *         MTR_ERR_CALENDAR_VERSION (unknown magic or version); MTR_ERR_CRC;
 *         MTR_ERR_CALENDAR_DST (time zone or DST rule refused);
 *         MTR_ERR_CALENDAR_DATE (preset refused). On error nothing changed.
 */
mtr_err_t mtr_clock_load(struct mtr_clock *clk, const uint8_t **p, const uint8_t *end);

/* ----------------------------------------------- activity calendar (20) */

/** One switching point of a day profile (class 20 day_profile_action). */
struct mtr_tou_switch {
    uint8_t hour, minute, second; /**< local start time */
    uint8_t tariff;               /**< script selector = tariff 1..MTR_CFG_TARIFFS */
};

/** A day profile: switching points in strictly increasing start time. */
struct mtr_tou_day {
    uint8_t id; /**< day_id, unique */
    uint8_t n;  /**< 1..MTR_CFG_CALENDAR_SWITCHES */
    struct mtr_tou_switch sw[MTR_CFG_CALENDAR_SWITCHES];
};

/**
 * A name of the activity calendar (Blue Book class 20: calendar_name,
 * season_profile_name, week_profile_name, week_name are octet-strings).
 * Not set (@c set false, as in a zeroed struct): the owner's default name,
 * given with the owner. Set: exactly @c len bytes of @c b, 0 bytes allowed.
 */
struct mtr_tou_name {
    bool set;                              /**< false: the default name */
    uint8_t len;                           /**< 0..MTR_CFG_CALENDAR_NAME_LEN when set */
    uint8_t b[MTR_CFG_CALENDAR_NAME_LEN]; /**< the name's bytes */
};

/**
 * A week profile: a day profile for each weekday. Its name (week_profile_name)
 * is mtr_tou::week_name[i] when set, else the one byte @c id. Names are
 * unique in a calendar: seasons refer to a week by name.
 */
struct mtr_tou_week {
    uint8_t id;     /**< the week's name when week_name[i] is not set (ignored otherwise) */
    uint8_t day[7]; /**< day ids, Monday first */
};

/**
 * A season: from its start (every year, local 00:00) to the next season's
 * start. It runs the week whose name is mtr_tou::season_week[i] when set,
 * else the week named by the one byte @c week.
 */
struct mtr_tou_season {
    uint8_t month, day; /**< start; 02-29 is not allowed */
    uint8_t week;       /**< week name (one byte) when season_week[i] is not set */
};

/**
 * One activity calendar (the active or the passive one). The names are kept
 * beside the tables, entry i of each name array belonging to entry i of its
 * table; a zeroed name is "not set" (the default name).
 */
struct mtr_tou {
    uint8_t n_seasons, n_weeks, n_days;
    struct mtr_tou_season season[MTR_CFG_CALENDAR_SEASONS]; /**< increasing start dates */
    struct mtr_tou_week week[MTR_CFG_CALENDAR_WEEKS];
    struct mtr_tou_day day[MTR_CFG_CALENDAR_DAYS];
    /** calendar_name; not set: the COSEM codec shows a digest of the content */
    struct mtr_tou_name name;
    /** season_profile_name of season i; not set: its position i + 1 (one byte) */
    struct mtr_tou_name season_name[MTR_CFG_CALENDAR_SEASONS];
    /** week_name of season i (the week it runs); not set: the one byte season[i].week */
    struct mtr_tou_name season_week[MTR_CFG_CALENDAR_SEASONS];
    /** week_profile_name of week i; not set: the one byte week[i].id */
    struct mtr_tou_name week_name[MTR_CFG_CALENDAR_WEEKS];
};

/**
 * @brief Check a calendar against the rules and the configured limits.
 * @return MTR_OK; MTR_ERR_CALENDAR_LIMIT (too many seasons, weeks, days or
 *         switching points, or none); MTR_ERR_CALENDAR_NAME (a set name longer
 *         than MTR_CFG_CALENDAR_NAME_LEN); MTR_ERR_CALENDAR_DATE (a time of
 *         day or season date that does not exist); MTR_ERR_CALENDAR_SEASONS
 *         (season starts not strictly increasing); MTR_ERR_CALENDAR_DAY_ORDER;
 *         MTR_ERR_CALENDAR_REF (duplicate day ids or week names, a season
 *         naming no week of the calendar or a week naming an undefined day);
 *         MTR_ERR_CALENDAR_TARIFF.
 */
mtr_err_t mtr_tou_check(const struct mtr_tou *tou);
/** @brief sizeof(struct mtr_tou), for bindings. */
size_t mtr_tou_size(void);
/** @brief Run-time twin of MTR_CFG_CALENDAR_NAME_LEN (bytes of a name at most). */
uint32_t mtr_calendar_config_name_len(void);
/**
 * @brief Set @p name to the @p len bytes at @p bytes.
 * @param bytes may be NULL when @p len is 0.
 * @return MTR_OK; MTR_ERR_CALENDAR_NAME (@p len > MTR_CFG_CALENDAR_NAME_LEN:
 *         @p name unchanged).
 */
mtr_err_t mtr_tou_name_set(struct mtr_tou_name *name, const uint8_t *bytes, size_t len);
/**
 * @brief The week season @p season (0..n_seasons - 1) runs: the week whose
 *        name equals the season's week name (see ::mtr_tou_season), or NULL.
 * @param tou a calendar that passed mtr_tou_check() (set names not too long).
 */
const struct mtr_tou_week *mtr_tou_season_week(const struct mtr_tou *tou, uint8_t season);

/** Year of a special day that recurs every year. */
#define MTR_SPECIAL_EVERY_YEAR 0xFFFFu

/** One special day (class 11 spec_day_entry). */
struct mtr_special_day {
    uint16_t index; /**< unique key */
    uint16_t year;  /**< 1970..2199, or MTR_SPECIAL_EVERY_YEAR */
    uint8_t month;  /**< 1..12 */
    uint8_t day;    /**< 1..31 (02-29 allowed yearly: used in leap years only) */
    uint8_t day_id; /**< day profile of the active calendar */
};

/** Tariff control. */
enum mtr_tariff_control {
    MTR_TARIFF_BY_CALENDAR = 0, /**< activity calendar */
    MTR_TARIFF_BY_INPUTS = 1,   /**< external inputs MTR_IN_TARIFF_1/2 */
};

/** Register activation masks of one tariff (class 6 mask_list entry). */
struct mtr_tariff_masks {
    uint16_t energy; /**< bit n-1 = energy register Tn; exactly one bit */
    uint16_t demand; /**< bit n-1 = demand register Mn; exactly one bit */
};

/** The tariff decision for "now". */
struct mtr_tariff_sel {
    uint8_t tariff;                /**< 1..MTR_CFG_TARIFFS (script selector / active mask name) */
    uint8_t control;               /**< ::mtr_tariff_control that decided it */
    struct mtr_tariff_masks masks; /**< class 6 active masks */
};

/** Calendar settings. */
struct mtr_calendar_config {
    mtr_clock_event_fn on_event; /**< events 9, 19, 201, 202; may be NULL */
    void *user;
};

/** Activity calendar + special days + tariff control. Caller-allocated. */
struct mtr_calendar {
    struct mtr_calendar_config cfg;
    struct mtr_tou active, passive;
    bool has_active, has_passive;
    mtr_utc_t activate_at;
    uint16_t n_special;
    struct mtr_special_day special[MTR_CFG_CALENDAR_SPECIAL_DAYS];
    uint8_t control;
    uint8_t input_tariff[4];
    struct mtr_tariff_masks masks[MTR_CFG_TARIFFS];
    uint32_t change_seq;
    uint32_t magic;
};

/** "Never" for the passive calendar's activation time. */
#define MTR_CAL_NEVER ((mtr_utc_t)INT64_MAX)

/**
 * @brief Initialise with no calendar (every time is tariff 1), calendar
 *        control, masks Tn -> bit n-1, inputs code c (T1 + 2*T2) -> tariff c+1.
 * @param cfg may be NULL.
 */
void mtr_calendar_init(struct mtr_calendar *cal, const struct mtr_calendar_config *cfg);
/** @brief sizeof(struct mtr_calendar), for bindings. */
size_t mtr_calendar_size(void);
/** @brief Install @p tou as the active calendar at once (factory setting).
 *  @return as mtr_tou_check(); on error the old calendar is kept. */
mtr_err_t mtr_calendar_set_active(struct mtr_calendar *cal, const struct mtr_tou *tou);
/**
 * @brief Program the passive calendar and its activation time (UTC; the
 *        COSEM codec converts activate_passive_calendar_time). Emits
 *        ::MTR_CAL_EV_PASSIVE_PROGRAMMED.
 * @param activate_at MTR_UTC_MIN..MTR_UTC_MAX or MTR_CAL_NEVER.
 * @return as mtr_tou_check(); MTR_ERR_CALENDAR_DATE; on error nothing changed.
 */
mtr_err_t mtr_calendar_set_passive(struct mtr_calendar *cal, const struct mtr_tou *tou,
                                   mtr_utc_t activate_at);
/**
 * @brief activate_passive_calendar: the passive calendar becomes active at
 *        once (and stays as the passive copy). Emits ::MTR_CAL_EV_TOU_ACTIVATED.
 * @return MTR_OK; MTR_ERR_EMPTY if no passive calendar was programmed.
 */
mtr_err_t mtr_calendar_activate_passive(struct mtr_calendar *cal, mtr_utc_t now);
/**
 * @brief Rename the passive calendar (calendar_name_passive); the rest of it
 *        and its activation time are kept. Emits ::MTR_CAL_EV_PASSIVE_PROGRAMMED.
 *        The name becomes the active calendar's name with the activation.
 * @param name may be NULL when @p len is 0.
 * @return MTR_OK; MTR_ERR_EMPTY (no passive calendar); MTR_ERR_CALENDAR_NAME
 *         (@p len > MTR_CFG_CALENDAR_NAME_LEN). On error nothing changed.
 */
mtr_err_t mtr_calendar_set_passive_name(struct mtr_calendar *cal, const uint8_t *name,
                                        size_t len);
/**
 * @brief Activate the passive calendar when its time has come
 *        (now->utc >= activation time).
 * @return true if it was activated by this call.
 */
bool mtr_calendar_poll(struct mtr_calendar *cal, const struct mtr_clock_view *now);
/** @brief The active calendar, or NULL if none. */
const struct mtr_tou *mtr_calendar_active(const struct mtr_calendar *cal);
/** @brief The passive calendar, or NULL if none. */
const struct mtr_tou *mtr_calendar_passive(const struct mtr_calendar *cal);

/**
 * @brief Insert or replace (same index) a special day.
 * @return MTR_OK; MTR_ERR_CALENDAR_DATE (no such date, year out of range);
 *         MTR_ERR_CALENDAR_REF (day_id not in the active calendar);
 *         MTR_ERR_CALENDAR_LIMIT (table full). On error nothing changed.
 */
mtr_err_t mtr_calendar_special_set(struct mtr_calendar *cal, const struct mtr_special_day *sd);
/** @brief Delete the special day with @p index. @return MTR_OK; MTR_ERR_NOENT. */
mtr_err_t mtr_calendar_special_delete(struct mtr_calendar *cal, uint16_t index);
/** @brief Number of special days. */
uint16_t mtr_calendar_special_count(const struct mtr_calendar *cal);
/** @brief Copy entry @p i of the special days table; false past the end. */
bool mtr_calendar_special_get(const struct mtr_calendar *cal, uint16_t i,
                              struct mtr_special_day *sd);

/**
 * @brief Choose the tariff control; emits ::MTR_CAL_EV_INTERNAL_TO_EXTERNAL
 *        or ::MTR_CAL_EV_EXTERNAL_TO_INTERNAL when it changes.
 * @param input_tariff NULL to keep the map; else tariff for input codes 0..3
 *        (code = T1 + 2*T2), each 1..MTR_CFG_TARIFFS.
 * @return MTR_OK; MTR_ERR_INVAL (unknown control); MTR_ERR_CALENDAR_TARIFF.
 */
mtr_err_t mtr_calendar_set_control(struct mtr_calendar *cal, uint8_t control,
                                   const uint8_t input_tariff[4], mtr_utc_t now);
/**
 * @brief Set the class 6 activation masks of tariff @p tariff.
 * @return MTR_OK; MTR_ERR_CALENDAR_TARIFF (tariff out of range, or a mask
 *         without exactly one bit among the first MTR_CFG_TARIFFS).
 */
mtr_err_t mtr_calendar_set_masks(struct mtr_calendar *cal, uint8_t tariff,
                                 const struct mtr_tariff_masks *masks);
/**
 * @brief Set the class 6 activation masks of every tariff at once (the
 *        mask_list of the register activation objects): all or nothing.
 *        The change counter moves only when a mask changes.
 * @param masks masks of T1..Tn, index tariff - 1.
 * @return MTR_OK; MTR_ERR_CALENDAR_TARIFF (a mask without exactly one bit
 *         among the first MTR_CFG_TARIFFS; nothing changed).
 */
mtr_err_t mtr_calendar_set_mask_list(struct mtr_calendar *cal,
                                     const struct mtr_tariff_masks masks[MTR_CFG_TARIFFS]);
/**
 * @brief The tariff decision at @p now: under calendar control, a special
 *        day's profile, else the season's week profile for the weekday; the
 *        last switching point at or before the local time of day, or, before
 *        the day's first, the previous day's last. Under input control, the
 *        input map applied to @p inputs (::mtr_input bits).
 * @param[out] sel the tariff and its masks.
 */
void mtr_calendar_decide(const struct mtr_calendar *cal, const struct mtr_clock_view *now,
                         uint32_t inputs, struct mtr_tariff_sel *sel);
/** @brief The calendar's tariff (1..n) at local day @p days (since 1970) and
 *         second of day @p sod; tariff 1 without a calendar. */
uint8_t mtr_calendar_tariff_at(const struct mtr_calendar *cal, int32_t days, uint32_t sod);
/** @brief Tariff for input code @p code (0..3, T1 + 2*T2) under input control. */
uint8_t mtr_calendar_input_tariff(const struct mtr_calendar *cal, uint8_t code);
/** @brief The tariff control (::mtr_tariff_control) and the pending activation time
 *         of the passive calendar (MTR_CAL_NEVER if none). */
uint8_t mtr_calendar_control(const struct mtr_calendar *cal, mtr_utc_t *activate_at);
/** @brief The activation masks of tariff @p tariff (1..MTR_CFG_TARIFFS); false out of range. */
bool mtr_calendar_masks(const struct mtr_calendar *cal, uint8_t tariff,
                        struct mtr_tariff_masks *masks);
/**
 * @brief The change counter: incremented by every successful call that
 *        changes what mtr_calendar_save() writes (set_active, set_passive,
 *        activation of the passive calendar, special days, control, masks,
 *        mtr_calendar_load()). The aggregate commits the saved calendar when
 *        it moves.
 */
uint32_t mtr_calendar_changes(const struct mtr_calendar *cal);

/* ------------------------------------------------------------ persistence */

/** Version of the saved calendar written by mtr_calendar_save() (2: with the
 *  names; mtr_calendar_load() also reads version 1, whose names are not set). */
#define MTR_CALENDAR_STATE_VERSION 2
/** Bytes of one saved name at most: a length (0xFF: not set), the bytes. */
#define MTR_TOU_NAME_STATE_MAX (1u + MTR_CFG_CALENDAR_NAME_LEN)
/** Bytes of one saved activity calendar at most. */
#define MTR_TOU_STATE_MAX                                                                          \
    (3u + MTR_TOU_NAME_STATE_MAX +                                                                 \
     (3u + 2u * MTR_TOU_NAME_STATE_MAX) * MTR_CFG_CALENDAR_SEASONS +                               \
     (8u + MTR_TOU_NAME_STATE_MAX) * MTR_CFG_CALENDAR_WEEKS +                                      \
     MTR_CFG_CALENDAR_DAYS * (2u + 4u * MTR_CFG_CALENDAR_SWITCHES))
/** Bytes of a saved calendar at most (the blob is variable: only the entries in use). */
#define MTR_CALENDAR_STATE_MAX                                                                     \
    (21u + 4u * MTR_CFG_TARIFFS + 2u + 7u * MTR_CFG_CALENDAR_SPECIAL_DAYS +                        \
     2u * MTR_TOU_STATE_MAX + 4u)
/** @brief Run-time twin of MTR_CALENDAR_STATE_MAX. */
size_t mtr_calendar_state_max(void);
/** @brief Bytes mtr_calendar_save() writes for the calendar as it is now. */
size_t mtr_calendar_state_size(const struct mtr_calendar *cal);
/**
 * @brief Write what must survive a power cut: the active and passive
 *        calendars, the activation time, the special days, the tariff
 *        control with its input map and the activation masks. Format: "CAL" +
 *        version, length, big-endian fields, CRC-32 last (docs/calendar.md).
 * @param[out] len mtr_calendar_state_size() on success.
 * @return MTR_OK; MTR_ERR_OVERFLOW if @p cap < mtr_calendar_state_size().
 */
mtr_err_t mtr_calendar_save(const struct mtr_calendar *cal, uint8_t *buf, size_t cap,
                            size_t *len);
/**
 * @brief Restore a saved calendar into an initialised @p cal, checked with
 *        the rules of the setters (mtr_tou_check(), mtr_calendar_set_passive(),
 *        mtr_calendar_special_set() except that a special day may name a day
 *        profile the active calendar lacks, as after an activation,
 *        mtr_calendar_set_control(), mtr_calendar_set_masks()). No event is
 *        emitted; the change counter moves.
 * @return MTR_OK (*p advanced past the blob); MTR_ERR_DECODE (short or
 *         malformed data, flags other than 0/1, trailing bytes inside the
 *         blob); MTR_ERR_CALENDAR_VERSION (unknown magic or version, or
 *         another MTR_CFG_TARIFFS); MTR_ERR_CRC; the setters' errors
 *         (MTR_ERR_CALENDAR_LIMIT, _NAME, _DATE, _SEASONS, _DAY_ORDER, _REF, _TARIFF,
 *         MTR_ERR_INVAL for an unknown control). On error nothing changed.
 */
mtr_err_t mtr_calendar_load(struct mtr_calendar *cal, const uint8_t **p, const uint8_t *end);

#ifdef __cplusplus
}
#endif

#endif /* METER_CLOCK_H */
