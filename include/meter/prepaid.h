/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file prepaid.h
 * @brief Payment metering: account, credits, charges and token gateway with
 *        the semantics of the COSEM classes Account (111), Credit (112),
 *        Charge (113) and Token gateway (115).
 *
 * One ::mtr_prepaid context holds:
 * - the account: payment mode (credit or prepayment), account status,
 *   low-credit and next-credit-available thresholds, the aggregated debt;
 * - five credits, one per credit type (token, reserved, emergency,
 *   time-based, consumption-based), each with amount, priority, status,
 *   warning threshold, limit, configuration, preset amount, available
 *   threshold and period (a date-time: the next top-up of an allowance);
 * - the currency (a description) and the provision limit (max_provision
 *   credit units by tokens and payments per max_provision_period);
 * - the consumption charge (unit charge per tariff T1..Tn plus stepped blocks
 *   priced by the consumption of the current billing period, active and
 *   passive with an activation time) and MTR_CFG_PREPAID_CHARGES further
 *   charges collected by time (standing charge, time-based debt recovery) or
 *   by payment (a percentage or a fixed amount of each purchase);
 * - friendly periods (a table of hours per weekday, special days, and a
 *   plain boolean input);
 * - the ledger: credit in (bought + granted) = consumed + cleared + left,
 *   exactly, in whole credit units, every remainder carried.
 *
 * Credit is kept in currency (minor units, ::mtr_money_t) or in energy
 * (mWh, for STS meters whose tokens carry 0.1 kWh): see
 * ::mtr_prepaid_unit. Every "amount" below is in that credit unit.
 *
 * The engine reads no clock and drives no relay. The aggregate calls
 * mtr_prepaid_tick() with the time, the friendly-period inputs, the buttons
 * and the energy consumed per tariff since the last call; the engine answers
 * with a supply decision (bool + reason) that the aggregate hands to the
 * disconnect engine as the local cause "prepaid". Tokens typed on a keypad
 * and tokens delivered by the head-end both go through
 * mtr_prepaid_token_submit(). Persistence: mtr_prepaid_save() writes ONE
 * blob holding the whole state and the STS decoder's state (TID memory),
 * so a token's credit and its TID are saved or lost together.
 */
#ifndef METER_PREPAID_H
#define METER_PREPAID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "meter/config.h"
#include "meter/error.h"
#include "meter/sts.h"
#include "meter/units.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- account */

/** Payment mode (class 111 attribute 2, first element). */
enum mtr_prepaid_payment_mode {
    MTR_PREPAID_MODE_CREDIT = 1,     /**< credit (post-payment): never disconnects for credit */
    MTR_PREPAID_MODE_PREPAYMENT = 2, /**< prepayment */
};

/** Account status (class 111 attribute 2, second element). */
enum mtr_prepaid_account_status {
    MTR_PREPAID_ACCOUNT_NEW = 1,    /**< new (inactive) account */
    MTR_PREPAID_ACCOUNT_ACTIVE = 2, /**< account active */
    MTR_PREPAID_ACCOUNT_CLOSED = 3, /**< account closed */
};

/** Bits of the account's current credit status (class 111 attribute 4);
 *  C bit n is the Blue Book's bit n (on the wire bit 0 is sent first). */
enum mtr_prepaid_account_bits {
    MTR_PREPAID_IN_CREDIT = 1u << 0,          /**< available credit > 0 */
    MTR_PREPAID_LOW_CREDIT = 1u << 1,         /**< available credit <= low credit threshold */
    MTR_PREPAID_NEXT_CREDIT_ENABLED = 1u << 2, /**< emergency credit configured and not used up */
    MTR_PREPAID_NEXT_CREDIT_SELECTABLE = 1u << 3, /**< emergency credit may be selected now */
    MTR_PREPAID_CREDIT_REFERENCE_LIST = 1u << 4,  /**< always set: the credit list is fixed */
    MTR_PREPAID_SELECTABLE_IN_USE = 1u << 5,  /**< emergency credit in use */
    MTR_PREPAID_OUT_OF_CREDIT = 1u << 6,      /**< available credit <= 0 */
};

/** Unit the credit is kept in (fixed at init). */
enum mtr_prepaid_unit {
    MTR_PREPAID_UNIT_CURRENCY = 0, /**< minor currency units (DLMS credit) */
    MTR_PREPAID_UNIT_ENERGY = 1,   /**< mWh (STS energy tokens); only the consumption charge applies */
};

/* ---------------------------------------------------------------- credits */

/** Credit types (class 112 attribute 3); also the index of each credit. */
enum mtr_prepaid_credit_type {
    MTR_PREPAID_CREDIT_TOKEN = 0,       /**< bought: tokens and head-end payments */
    MTR_PREPAID_CREDIT_RESERVED = 1,    /**< reserve set by the head-end */
    MTR_PREPAID_CREDIT_EMERGENCY = 2,   /**< advance paid back from the next purchase */
    MTR_PREPAID_CREDIT_TIME_BASED = 3,  /**< allowance topped up to its preset every period */
    MTR_PREPAID_CREDIT_CONSUMPTION = 4, /**< allowance topped up to its preset every billing period */
    MTR_PREPAID_CREDITS
};

/** Credit status (class 112 attribute 8). */
enum mtr_prepaid_credit_status {
    MTR_PREPAID_CS_ENABLED = 0,    /**< configured, not available now */
    MTR_PREPAID_CS_SELECTABLE = 1, /**< may be selected (emergency credit) */
    MTR_PREPAID_CS_INVOKED = 2,    /**< selected, not yet drawn from */
    MTR_PREPAID_CS_IN_USE = 3,     /**< being consumed */
    MTR_PREPAID_CS_CONSUMED = 4,   /**< used up */
};

/** Credit configuration bits (class 112 attribute 7; C bit n = Blue Book bit n). */
enum mtr_prepaid_credit_config {
    MTR_PREPAID_CC_VISUAL = 1u << 0,       /**< requires visual indication */
    MTR_PREPAID_CC_CONFIRMATION = 1u << 1, /**< requires confirmation (button or invoke) before use */
    MTR_PREPAID_CC_PAID_BACK = 1u << 2,    /**< the amount used is paid back from the next purchase */
    MTR_PREPAID_CC_RESETTABLE = 1u << 3,   /**< may be cleared (clear credit token, reset) */
    MTR_PREPAID_CC_TOKENS = 1u << 4,       /**< receives credit amounts from tokens */
};

/** Settable attributes of one credit (class 112 attributes 4..7, 9..11). */
struct mtr_prepaid_credit_cfg {
    uint8_t priority;          /**< 1 = drawn first, up to 5; 0 = not used */
    uint8_t config;            /**< ::mtr_prepaid_credit_config bits */
    int64_t warning_threshold; /**< warning when the amount is at or below it */
    int64_t limit;             /**< largest amount the credit may hold; 0 = no limit */
    int64_t preset;            /**< preset_credit_amount (emergency, allowances), >= 0 */
    int64_t available_threshold; /**< emergency credit selectable when the other credits are <= this */
    /** period (class 112 attribute 11, a date-time in the Blue Book): UTC of
     *  the next top-up of a time-based or consumption-based credit to its
     *  preset, at the first tick at or after it; 0 or -1 = not set. No
     *  effect on the other credit types (kept and read back). -1..year 2191. */
    mtr_utc_t period_utc;
    /** After the top-up at period_utc, period_utc moves on by this many
     *  seconds (to the first time after that tick); 0 = once, then
     *  period_utc becomes -1. 0..31 622 400 (366 days). Not a COSEM attribute. */
    uint32_t repeat_s;
};

/* ---------------------------------------------------------------- charges */

/** Charge types (class 113 attribute 3). */
enum mtr_prepaid_charge_type {
    MTR_PREPAID_CHARGE_CONSUMPTION = 0, /**< by energy consumed (the consumption charge) */
    MTR_PREPAID_CHARGE_TIME = 1,        /**< by time (standing charge, time-based debt recovery) */
    MTR_PREPAID_CHARGE_PAYMENT = 2,     /**< by payment event (percentage or fixed per purchase) */
};

/** Charge configuration bits (class 113 attribute 9). */
enum mtr_prepaid_charge_config {
    MTR_PREPAID_CHG_PERCENTAGE = 1u << 0, /**< payment charge: a proportion of each purchase */
    MTR_PREPAID_CHG_CONTINUOUS = 1u << 1, /**< collect for ever (no total amount remaining) */
};

/** When a charge is collected (credit/charge collection configuration). */
enum mtr_prepaid_collect {
    MTR_PREPAID_COLLECT_DISCONNECTED = 1u << 0, /**< also while the supply is disallowed */
    MTR_PREPAID_COLLECT_FRIENDLY = 1u << 2,     /**< also in friendly periods */
};

/** Largest energy per tariff per call of mtr_prepaid_tick(): 1 MWh in mWh. */
#define MTR_PREPAID_DELTA_MAX_MWH 1000000000LL
/** Largest price: 10^9 milli-minor-units per kWh. */
#define MTR_PREPAID_PRICE_MAX 1000000000L
/** Largest amount of one payment, charge or preset: 10^13 credit units. */
#define MTR_PREPAID_AMOUNT_MAX 10000000000000LL
/** Largest amount per period of a time charge: 10^7 credit units. */
#define MTR_PREPAID_TIME_AMOUNT_MAX 10000000LL
/** Milli-minor-units per minor unit (prices are 1/1000 of a minor unit per kWh). */
#define MTR_PREPAID_PRICE_SCALE 1000LL

/** Steps of the block tariff (MTR_CFG_PREPAID_BLOCKS). */
#define MTR_PREPAID_BLOCKS MTR_CFG_PREPAID_BLOCKS
/** Charges besides the consumption charge (MTR_CFG_PREPAID_CHARGES). */
#define MTR_PREPAID_CHARGES MTR_CFG_PREPAID_CHARGES

/**
 * Unit charge of the consumption charge (class 113 attributes 5/6): the
 * price of one kWh in tariff t within block b is tariff[t] + block_price[b],
 * in 1/1000 minor unit. Blocks step on the energy of the current billing
 * period: block b covers [upper[b-1], upper[b]) mWh (upper[-1] = 0), the last
 * block used (index blocks - 1) has no upper end. blocks = 0 or 1 with
 * block_price[0] = 0: a flat price per tariff.
 */
struct mtr_prepaid_unit_charge {
    int32_t tariff[MTR_CFG_TARIFFS];         /**< 0..MTR_PREPAID_PRICE_MAX */
    uint8_t blocks;                          /**< blocks used, 0..MTR_PREPAID_BLOCKS */
    int64_t upper[MTR_PREPAID_BLOCKS];       /**< mWh, strictly ascending, > 0 (last one ignored) */
    int32_t block_price[MTR_PREPAID_BLOCKS]; /**< 0..MTR_PREPAID_PRICE_MAX */
};

/** Settable attributes of a time or payment charge (class 113). */
struct mtr_prepaid_charge_cfg {
    uint8_t type;         /**< MTR_PREPAID_CHARGE_TIME or _PAYMENT; 0xFF = charge not used */
    uint8_t config;       /**< ::mtr_prepaid_charge_config bits */
    uint8_t collect;      /**< ::mtr_prepaid_collect bits */
    uint32_t period_s;    /**< time charge: @c amount is per this many seconds, >= 1 */
    int64_t amount;       /**< time: per period; payment without percentage: per purchase */
    uint16_t proportion;  /**< payment with percentage: 1/100 percent of each purchase, 0..10000 */
};

/** Currency of the account (class 111 attribute 15). */
enum mtr_prepaid_currency_unit {
    MTR_PREPAID_CURRENCY_TIME = 0,        /**< time */
    MTR_PREPAID_CURRENCY_CONSUMPTION = 1, /**< consumption */
    MTR_PREPAID_CURRENCY_MONETARY = 2,    /**< monetary */
};

/** Bytes of the currency name (MTR_CFG_PREPAID_CURRENCY_NAME). */
#define MTR_PREPAID_CURRENCY_NAME MTR_CFG_PREPAID_CURRENCY_NAME
/** @brief Run-time twin of MTR_CFG_PREPAID_CURRENCY_NAME (bytes of the currency name). */
uint32_t mtr_prepaid_config_currency_name(void);

/** currency (class 111 attribute 15): {currency_name utf8-string,
 *  currency_scale integer, currency_unit enum}. Only described: amounts stay
 *  in the engine's credit units. */
struct mtr_prepaid_currency {
    uint8_t name[MTR_PREPAID_CURRENCY_NAME]; /**< UTF-8, not terminated */
    uint8_t name_len;                        /**< 0..MTR_PREPAID_CURRENCY_NAME */
    int8_t scale;                            /**< -9..9: a credit unit is 10^scale of the currency */
    uint8_t unit;                            /**< ::mtr_prepaid_currency_unit */
};

/** Read-back of a charge (class 113 attributes 2, 10, 11, 12). */
struct mtr_prepaid_charge_info {
    int64_t total_paid;       /**< total_amount_paid: collected so far */
    int64_t remaining;        /**< total_amount_remaining (debt left); ignored when continuous */
    mtr_utc_t last_collection_utc; /**< last_collection_time (0 = never) */
    int64_t last_collection;  /**< last_collection_amount */
};

/* --------------------------------------------------------------- friendly */

/** Friendly periods: no disconnection for lack of credit. */
struct mtr_prepaid_friendly {
    uint32_t hours[7];  /**< weekday 0 = Monday .. 6 = Sunday; bit h = the hour h..h+1 is friendly */
    bool special_days;  /**< special days (holidays) are friendly all day */
};

/* ------------------------------------------------------------ tick, supply */

/** Energy consumed per tariff since the last call, mWh, each 0..MTR_PREPAID_DELTA_MAX_MWH. */
struct mtr_prepaid_usage {
    mtr_mwh_t delta[MTR_CFG_TARIFFS];
};

/** What the aggregate hands in at each tick. */
struct mtr_prepaid_input {
    mtr_utc_t utc;        /**< wall time, UTC seconds; never earlier than the last tick */
    mtr_ms_t now_ms;      /**< monotonic ms (button timing) */
    uint8_t weekday;      /**< local weekday, 0 = Monday .. 6 = Sunday (from the calendar) */
    uint8_t hour;         /**< local hour 0..23 (from the calendar) */
    bool special_day;     /**< today is a special day (from the calendar) */
    bool friendly;        /**< an outside "friendly now" (e.g. a calendar script) */
    uint32_t inputs;      /**< ::mtr_input bits, for the emergency credit button */
    const struct mtr_prepaid_usage *usage; /**< energy since the last tick; NULL = none */
};

/** Why the supply is or is not allowed. */
enum mtr_prepaid_reason {
    MTR_PREPAID_SUPPLY_NOT_PREPAID = 0, /**< allowed: credit mode, or account not active */
    MTR_PREPAID_SUPPLY_CREDIT,          /**< allowed: credit available */
    MTR_PREPAID_SUPPLY_EMERGENCY,       /**< allowed: on emergency credit */
    MTR_PREPAID_SUPPLY_FRIENDLY,        /**< allowed: out of credit in a friendly period */
    MTR_PREPAID_SUPPLY_NO_CREDIT,       /**< refused: out of credit */
    MTR_PREPAID_SUPPLY_BELOW_THRESHOLD, /**< refused: credit below next_credit_available_threshold */
};

/** The supply decision handed to the disconnect engine (cause "prepaid" when !allowed). */
struct mtr_prepaid_supply {
    bool allowed;                  /**< false: request disconnection */
    enum mtr_prepaid_reason reason;
};

/** Event bits reported by a tick or a token (the seed has no prepaid event codes). */
enum mtr_prepaid_event {
    MTR_PREPAID_EV_LOW_CREDIT = 1u << 0,     /**< available credit fell to the low credit threshold */
    MTR_PREPAID_EV_OUT_OF_CREDIT = 1u << 1,  /**< available credit fell to 0 or below */
    MTR_PREPAID_EV_EC_SELECTABLE = 1u << 2,  /**< emergency credit became selectable */
    MTR_PREPAID_EV_EC_INVOKED = 1u << 3,     /**< emergency credit invoked (button, method, auto) */
    MTR_PREPAID_EV_SUPPLY_OFF = 1u << 4,     /**< supply decision became "disallowed" */
    MTR_PREPAID_EV_SUPPLY_ON = 1u << 5,      /**< supply decision became "allowed" again */
    MTR_PREPAID_EV_PRICE_ACTIVATED = 1u << 6, /**< passive unit charge became active */
    MTR_PREPAID_EV_DEBT_CLEARED = 1u << 7,   /**< a charge's remaining debt reached 0 */
    MTR_PREPAID_EV_CREDIT_ADDED = 1u << 8,   /**< a token or a payment added credit */
};

/** What a tick reports. */
struct mtr_prepaid_output {
    struct mtr_prepaid_supply supply; /**< the decision now */
    uint32_t events;                  /**< ::mtr_prepaid_event bits raised by this call */
    uint32_t status;                  /**< ::mtr_prepaid_account_bits now */
};

/** The ledger, in credit units, since the account was reset:
 *  bought + granted == consumed + cleared + left, exactly. */
struct mtr_prepaid_ledger {
    int64_t bought;   /**< tokens and head-end payments */
    int64_t granted;  /**< allowances given (time- and consumption-based credits) */
    int64_t consumed; /**< collected by all charges */
    int64_t cleared;  /**< removed by clear-credit tokens */
    int64_t left;     /**< sum of the credits minus the emergency credit owed */
};

/* --------------------------------------------------------------- gateway */

/** Token delivery method (class 115 attribute 5). */
enum mtr_prepaid_delivery {
    MTR_PREPAID_DELIVERY_REMOTE = 0, /**< head-end, through the DLMS token gateway */
    MTR_PREPAID_DELIVERY_LOCAL = 1,  /**< local port / CIU */
    MTR_PREPAID_DELIVERY_MANUAL = 2, /**< keypad */
};

/** Token status code (class 115 attribute 6, first element). */
enum mtr_prepaid_gw_status {
    MTR_PREPAID_GW_FORMAT_OK = 0,
    MTR_PREPAID_GW_AUTHENTICATION_OK = 1,
    MTR_PREPAID_GW_VALIDATION_OK = 2,
    MTR_PREPAID_GW_EXECUTION_OK = 3,
    MTR_PREPAID_GW_FORMAT_FAILURE = 4,
    MTR_PREPAID_GW_AUTHENTICATION_FAILURE = 5,
    MTR_PREPAID_GW_VALIDATION_FAILURE = 6,
    MTR_PREPAID_GW_EXECUTION_FAILURE = 7,
    MTR_PREPAID_GW_RECEIVED = 8,
};

/** Result of one token. */
struct mtr_prepaid_token_result {
    struct mtr_sts_result sts;        /**< the STS decoder's result (status, fields, message) */
    enum mtr_prepaid_gw_status gw;    /**< class 115 token status code */
    enum mtr_prepaid_delivery delivery; /**< how it came */
    mtr_utc_t utc;                    /**< token_time: when it was entered */
    int64_t credited;                 /**< credit added (credit units), before charges */
    int64_t to_charges;               /**< collected from it by payment charges */
    int64_t paid_back;                /**< emergency credit paid back from it */
    int64_t cleared;                  /**< credit removed (clear credit token) */
};

/* ---------------------------------------------------------------- context */

/** Fixed configuration; the context keeps the pointer (static storage). */
struct mtr_prepaid_config {
    uint8_t unit;             /**< ::mtr_prepaid_unit */
    int64_t token_scale;      /**< credit units per token amount unit: energy 100000 (0.1 kWh
                                   in mWh), currency as the vending system codes it (>= 1) */
    uint32_t ec_button;       /**< ::mtr_input bit that invokes emergency credit */
    uint32_t ec_press_min_ms; /**< shortest press that counts (debounce) */
    uint32_t ec_press_max_ms; /**< a press must be released before this (seed: 5 s) */
};

/** One charge (private: use the functions). */
struct mtr_prepaid_charge {
    struct mtr_prepaid_charge_cfg cfg;
    struct mtr_prepaid_charge_info info;
    struct mtr_carry carry;
};

/** One credit (private: use the functions). */
struct mtr_prepaid_credit {
    struct mtr_prepaid_credit_cfg cfg;
    int64_t amount;
    uint8_t status;
};

/** The persisted state (private). */
struct mtr_prepaid_state {
    uint8_t mode, account;
    bool supply_on;
    mtr_utc_t last_utc;          /* -1: no tick yet */
    mtr_utc_t activation_utc, closure_utc;
    int64_t low_threshold, next_threshold;
    int64_t ec_owed;
    struct mtr_prepaid_credit credit[MTR_PREPAID_CREDITS];
    struct mtr_prepaid_currency currency;
    uint16_t max_provision;      /* credit units per provision period, 0: no limit */
    uint32_t max_provision_period_s;
    mtr_utc_t prov_start_utc;    /* start of the provision period running, -1: none */
    int64_t prov_sum;            /* credit provided in it */
    struct mtr_prepaid_unit_charge active, passive;
    mtr_utc_t passive_utc;       /* activation time of the passive unit charge, -1: none */
    mtr_mwh_t period_mwh;        /* consumption in the current billing period */
    struct mtr_prepaid_charge_info cons; /* the consumption charge's read-back */
    struct mtr_carry cons_carry; /* mWh x milli-minor not yet collected */
    struct mtr_prepaid_charge charge[MTR_PREPAID_CHARGES];
    struct mtr_prepaid_friendly friendly;
    struct mtr_prepaid_ledger ledger;
    uint32_t generation;         /* counts changes; newer blob = larger */
    uint32_t bits;               /* status bits at the last settle (not saved) */
};

/** The engine. Fields are private; use the functions. */
struct mtr_prepaid {
    const struct mtr_prepaid_config *cfg;
    struct mtr_sts *sts; /* NULL: no token decoder */
    struct mtr_prepaid_state s;
    /* not persisted */
    bool friendly_now;
    bool btn_down;
    mtr_ms_t btn_since;
    uint32_t events;
};

/**
 * @brief Start an engine: prepayment mode, account new (inactive), all
 *        credits at 0 with priority 0 except the token credit (priority 1,
 *        tokens), no charges, prices 0, no friendly period, supply allowed.
 * @param sts the STS decoder whose TID memory is saved with the credit, or
 *        NULL (no tokens: mtr_prepaid_token_submit() returns MTR_ERR_NOTSUP).
 * @return MTR_OK; MTR_ERR_INVAL for a bad unit, token_scale < 1 or
 *         > MTR_PREPAID_AMOUNT_MAX, no ec_button, or ec_press_min_ms >= ec_press_max_ms.
 */
mtr_err_t mtr_prepaid_init(struct mtr_prepaid *pp, const struct mtr_prepaid_config *cfg,
                           struct mtr_sts *sts);

/** @brief sizeof(struct mtr_prepaid), for bindings. */
size_t mtr_prepaid_size(void);

/* --------------------------------------------------------- account calls */

/**
 * @brief Set the payment mode (class 111 attribute 2). Switching to credit
 *        mode allows the supply at once.
 * @return MTR_OK; MTR_ERR_INVAL for an unknown mode.
 */
mtr_err_t mtr_prepaid_set_mode(struct mtr_prepaid *pp, enum mtr_prepaid_payment_mode mode);

/**
 * @brief activate_account (class 111 method 1): status active from @p utc.
 * @return MTR_OK; MTR_ERR_STATE if the account is closed.
 */
mtr_err_t mtr_prepaid_activate(struct mtr_prepaid *pp, mtr_utc_t utc);

/** @brief close_account (class 111 method 2): status closed, tokens refused. @return MTR_OK. */
mtr_err_t mtr_prepaid_close(struct mtr_prepaid *pp, mtr_utc_t utc);

/**
 * @brief reset_account (class 111 method 3): status new, every credit
 *        amount, debt, emergency credit owed and the ledger back to 0;
 *        configuration (credits, charges, prices, friendly periods) kept.
 * @return MTR_OK.
 */
mtr_err_t mtr_prepaid_reset(struct mtr_prepaid *pp);

/**
 * @brief Low credit threshold (class 111 attribute 16) and next credit
 *        available threshold (attribute 17): once disconnected for lack of
 *        credit, the supply is allowed again only when the available credit
 *        is > 0 and >= @p next_credit.
 * @return MTR_OK; MTR_ERR_RANGE for a magnitude above MTR_PREPAID_AMOUNT_MAX
 *         or a negative @p next_credit.
 */
mtr_err_t mtr_prepaid_set_thresholds(struct mtr_prepaid *pp, int64_t low_credit,
                                     int64_t next_credit);

/**
 * @brief low_credit_threshold (class 111 attribute 16) and
 *        next_credit_available_threshold (attribute 17), as last set by
 *        mtr_prepaid_set_thresholds() (0 and 0 after init).
 * @param[out] low_credit may be NULL.
 * @param[out] next_credit may be NULL.
 */
void mtr_prepaid_thresholds(const struct mtr_prepaid *pp, int64_t *low_credit, int64_t *next_credit);
/** @brief account_activation_time (class 111 attribute 13): UTC of the last
 *         mtr_prepaid_activate(), -1 if the account was never activated. */
mtr_utc_t mtr_prepaid_activation_time(const struct mtr_prepaid *pp);
/** @brief account_closure_time (class 111 attribute 14): UTC of the last
 *         mtr_prepaid_close(), -1 if the account was never closed. */
mtr_utc_t mtr_prepaid_closure_time(const struct mtr_prepaid *pp);
/**
 * @brief currency (class 111 attribute 15): name, scale and unit. The engine
 *        only keeps it for the head-end; amounts stay in credit units.
 * @return MTR_OK; MTR_ERR_RANGE for name_len above MTR_PREPAID_CURRENCY_NAME
 *         or a scale out of -9..9; MTR_ERR_INVAL for a unit above 2 or a
 *         name that is not well-formed UTF-8. On error nothing changes.
 */
mtr_err_t mtr_prepaid_set_currency(struct mtr_prepaid *pp, const struct mtr_prepaid_currency *c);
/** @brief The currency as last set (after init: empty name, scale 0, monetary). */
void mtr_prepaid_currency(const struct mtr_prepaid *pp, struct mtr_prepaid_currency *out);

/**
 * @brief max_provision (class 111 attribute 18) and max_provision_period
 *        (attribute 19): the credit that tokens and head-end payments
 *        (update_amount) may add within one provision period, in credit
 *        units; 0 = no limit. A period starts with the first provision after
 *        the previous one ended and lasts @p period_s seconds; @p period_s 0:
 *        the limit applies to each provision alone. A provision that would
 *        take the period's total above @p max is refused whole
 *        (MTR_ERR_PREPAID_PROVISION). Setting either restarts the count.
 * @return MTR_OK; MTR_ERR_RANGE for @p period_s above 31 622 400 (366 days).
 */
mtr_err_t mtr_prepaid_set_max_provision(struct mtr_prepaid *pp, uint16_t max, uint32_t period_s);
/** @brief max_provision and max_provision_period as last set (0, 0 after init).
 *  @param[out] max may be NULL. @param[out] period_s may be NULL. */
void mtr_prepaid_max_provision(const struct mtr_prepaid *pp, uint16_t *max, uint32_t *period_s);
/** @brief Credit provided (tokens and payments) in the provision period
 *         running at @p utc (0 when none runs then). */
int64_t mtr_prepaid_provided(const struct mtr_prepaid *pp, mtr_utc_t utc);

/** @brief Payment mode now. */
enum mtr_prepaid_payment_mode mtr_prepaid_mode(const struct mtr_prepaid *pp);
/** @brief Account status now. */
enum mtr_prepaid_account_status mtr_prepaid_account(const struct mtr_prepaid *pp);
/** @brief available_credit (class 111 attribute 5): the credits that may be drawn now. */
int64_t mtr_prepaid_available(const struct mtr_prepaid *pp);
/** @brief aggregated_debt (class 111 attribute 8): charges' remaining debt plus emergency credit owed. */
int64_t mtr_prepaid_debt(const struct mtr_prepaid *pp);
/** @brief current_credit_status (class 111 attribute 4): ::mtr_prepaid_account_bits. */
uint32_t mtr_prepaid_status(const struct mtr_prepaid *pp);
/** @brief The supply decision for the state now (friendly input of the last tick). */
struct mtr_prepaid_supply mtr_prepaid_supply(const struct mtr_prepaid *pp);
/** @brief The ledger; left is computed now. */
struct mtr_prepaid_ledger mtr_prepaid_ledger(const struct mtr_prepaid *pp);
/** @brief Human-readable name of a reason ("credit", "out of credit", ...); never NULL. */
const char *mtr_prepaid_reason_name(enum mtr_prepaid_reason r);

/* ---------------------------------------------------------- credit calls */

/**
 * @brief Set a credit's attributes (class 112 attributes 4..7, 9..11).
 * @return MTR_OK; MTR_ERR_INVAL for an unknown type, priority > 5, unknown
 *         configuration bits; MTR_ERR_RANGE for a negative preset or limit,
 *         period_utc out of -1..year 2191, repeat_s above 366 days, or a
 *         magnitude above MTR_PREPAID_AMOUNT_MAX.
 */
mtr_err_t mtr_prepaid_set_credit(struct mtr_prepaid *pp, enum mtr_prepaid_credit_type type,
                                 const struct mtr_prepaid_credit_cfg *cfg);

/**
 * @brief The settable attributes of credit @p type (class 112 attributes
 *        4..7, 9..11) as last accepted by mtr_prepaid_set_credit() (or the
 *        defaults of mtr_prepaid_init()).
 */
void mtr_prepaid_credit_config(const struct mtr_prepaid *pp, enum mtr_prepaid_credit_type type,
                               struct mtr_prepaid_credit_cfg *out);
/** @brief current_credit_amount (class 112 attribute 2). */
int64_t mtr_prepaid_credit_amount(const struct mtr_prepaid *pp, enum mtr_prepaid_credit_type type);
/** @brief credit_status (class 112 attribute 8). */
enum mtr_prepaid_credit_status mtr_prepaid_credit_status(const struct mtr_prepaid *pp,
                                                         enum mtr_prepaid_credit_type type);
/** @brief Whether the credit's amount is at or below its warning threshold. */
bool mtr_prepaid_credit_warning(const struct mtr_prepaid *pp, enum mtr_prepaid_credit_type type);

/**
 * @brief A payment from the head-end (class 112 update_amount on the token
 *        or reserved credit): adds @p amount to the credit, counted as
 *        bought, collects payment charges and pays back emergency credit
 *        like a token.
 * @param[out] r optional: what happened to the amount (sts part zeroed).
 * @return MTR_OK; MTR_ERR_INVAL for another credit type; MTR_ERR_RANGE for
 *         amount <= 0 or > MTR_PREPAID_AMOUNT_MAX; MTR_ERR_PREPAID_LIMIT if
 *         the credit would exceed its limit; MTR_ERR_PREPAID_ACCOUNT if the
 *         account is closed. On error nothing changes.
 */
mtr_err_t mtr_prepaid_payment(struct mtr_prepaid *pp, enum mtr_prepaid_credit_type type,
                              int64_t amount, mtr_utc_t utc, struct mtr_prepaid_token_result *r);

/**
 * @brief set_amount_to_value (class 112 method 2): the credit's amount
 *        becomes @p amount. An adjustment by the head-end, not a purchase:
 *        no payment charge, no emergency credit paid back, no provision
 *        counted. A rise counts as granted, a fall as cleared in the ledger;
 *        statuses, the supply decision and the events follow as after
 *        update_amount (MTR_PREPAID_EV_CREDIT_ADDED on a rise).
 * @return MTR_OK; MTR_ERR_INVAL for the emergency credit (its amount comes
 *         only from invoke_credit and paybacks) or an unknown type;
 *         MTR_ERR_RANGE for an amount above MTR_PREPAID_AMOUNT_MAX or below
 *         0 (below -MTR_PREPAID_AMOUNT_MAX for the token credit);
 *         MTR_ERR_PREPAID_LIMIT above the credit's limit;
 *         MTR_ERR_PREPAID_ACCOUNT if the account is closed. On error nothing
 *         changes.
 */
mtr_err_t mtr_prepaid_set_amount(struct mtr_prepaid *pp, enum mtr_prepaid_credit_type type,
                                 int64_t amount);

/**
 * @brief invoke_credit (class 112 method 3) on the emergency credit; the
 *        button does the same.
 * @return MTR_OK; MTR_ERR_PREPAID_NO_EC if emergency credit is not
 *         selectable now (nothing changes).
 */
mtr_err_t mtr_prepaid_ec_invoke(struct mtr_prepaid *pp);

/* ---------------------------------------------------------- charge calls */

/**
 * @brief Set the passive unit charge and its activation time (class 113
 *        attributes 6 and 7); it becomes active at the first tick at or after
 *        @p activation_utc (-1: only by mtr_prepaid_activate_passive()).
 * @return MTR_OK; MTR_ERR_RANGE for a price out of 0..MTR_PREPAID_PRICE_MAX,
 *         more blocks than MTR_PREPAID_BLOCKS, or block limits not strictly
 *         ascending and > 0; MTR_ERR_PREPAID_UNIT in energy mode.
 */
mtr_err_t mtr_prepaid_set_passive(struct mtr_prepaid *pp, const struct mtr_prepaid_unit_charge *uc,
                                  mtr_utc_t activation_utc);

/** @brief activate_passive_unit_charge (class 113 method 2). @return MTR_OK. */
mtr_err_t mtr_prepaid_activate_passive(struct mtr_prepaid *pp);

/** @brief unit_charge_active (class 113 attribute 5). */
const struct mtr_prepaid_unit_charge *mtr_prepaid_active_charge(const struct mtr_prepaid *pp);
/**
 * @brief unit_charge_passive (class 113 attribute 6) and its activation time
 *        (attribute 7), as last set by mtr_prepaid_set_passive().
 * @param[out] activation_utc may be NULL; -1 when none is pending (never
 *             set, already activated, or activated by mtr_prepaid_activate_passive()).
 */
const struct mtr_prepaid_unit_charge *mtr_prepaid_passive_charge(const struct mtr_prepaid *pp,
                                                                 mtr_utc_t *activation_utc);

/**
 * @brief Configure time or payment charge @p idx (0..MTR_PREPAID_CHARGES-1);
 *        its debt (remaining) and totals are kept, its carry restarts.
 * @return MTR_OK; MTR_ERR_RANGE for idx, a time charge's period out of
 *         1..31 622 400 s (366 days) or amount above MTR_PREPAID_TIME_AMOUNT_MAX,
 *         proportion > 10000, or an amount out of 0..MTR_PREPAID_AMOUNT_MAX; MTR_ERR_INVAL for a type
 *         or bits unknown; MTR_ERR_PREPAID_UNIT in energy mode.
 */
mtr_err_t mtr_prepaid_set_charge(struct mtr_prepaid *pp, unsigned idx,
                                 const struct mtr_prepaid_charge_cfg *cfg);

/**
 * @brief set_total_amount_remaining (class 113 method 5): the debt charge
 *        @p idx recovers.
 * @return MTR_OK; MTR_ERR_RANGE for idx or an amount out of
 *         0..MTR_PREPAID_AMOUNT_MAX.
 */
mtr_err_t mtr_prepaid_set_debt(struct mtr_prepaid *pp, unsigned idx, int64_t amount);

/**
 * @brief update_total_amount_remaining (class 113 method 4): adds @p delta
 *        (may be negative) to the debt of charge @p idx; reaching 0 raises
 *        MTR_PREPAID_EV_DEBT_CLEARED.
 * @return MTR_OK; MTR_ERR_RANGE for idx or a result out of
 *         0..MTR_PREPAID_AMOUNT_MAX (nothing changes).
 */
mtr_err_t mtr_prepaid_update_debt(struct mtr_prepaid *pp, unsigned idx, int64_t delta);

/**
 * @brief collect (class 113 method 3): charge @p idx collects one unit
 *        charge now: its amount (a time charge: one period's amount; a
 *        payment charge: its fixed amount), capped by its debt unless it is
 *        continuous, from the credits in priority order, whatever the
 *        supply or friendly state. A percentage payment charge has no amount
 *        of its own: it collects only on a purchase.
 * @param[out] collected optional: the amount collected (0 when the debt is 0).
 * @return MTR_OK; MTR_ERR_RANGE for idx; MTR_ERR_STATE for an unused slot,
 *         a percentage charge or an account that is not active.
 */
mtr_err_t mtr_prepaid_charge_collect(struct mtr_prepaid *pp, unsigned idx, mtr_utc_t utc,
                                     int64_t *collected);

/**
 * @brief The configuration of charge @p idx (0..MTR_PREPAID_CHARGES-1) as
 *        last accepted by mtr_prepaid_set_charge() (type 0xFF: not used).
 * @return MTR_OK; MTR_ERR_RANGE for idx.
 */
mtr_err_t mtr_prepaid_charge_config(const struct mtr_prepaid *pp, unsigned idx,
                                    struct mtr_prepaid_charge_cfg *out);

/**
 * @brief Read-back of a charge: idx 0..MTR_PREPAID_CHARGES-1, or
 *        MTR_PREPAID_CHARGES for the consumption charge.
 * @return MTR_OK; MTR_ERR_RANGE for idx.
 */
mtr_err_t mtr_prepaid_charge_info(const struct mtr_prepaid *pp, unsigned idx,
                                  struct mtr_prepaid_charge_info *info);

/** @brief Energy of the current billing period that the blocks step on, mWh. */
mtr_mwh_t mtr_prepaid_period_energy(const struct mtr_prepaid *pp);

/**
 * @brief End of a billing period: the block tariff restarts from 0 and the
 *        consumption-based credit is topped up to its preset.
 * @return MTR_OK.
 */
mtr_err_t mtr_prepaid_billing_reset(struct mtr_prepaid *pp);

/**
 * @brief Friendly periods table.
 * @return MTR_OK; MTR_ERR_RANGE for an hour bit above 23.
 */
mtr_err_t mtr_prepaid_set_friendly(struct mtr_prepaid *pp, const struct mtr_prepaid_friendly *f);

/* ------------------------------------------------------------------ tick */

/**
 * @brief Advance to @p in->utc: activate a passive unit charge that is due,
 *        charge the energy of @p in->usage, collect time charges, top up a
 *        time-based credit, read the emergency credit button, and decide the
 *        supply.
 * @param[out] out optional.
 * @return MTR_OK; MTR_ERR_PREPAID_TIME if @p in->utc is earlier than the last
 *         tick (a clock set backwards: call mtr_prepaid_time_set());
 *         MTR_ERR_RANGE for a weekday, hour or energy delta out of range.
 *         On error nothing changes.
 */
mtr_err_t mtr_prepaid_tick(struct mtr_prepaid *pp, const struct mtr_prepaid_input *in,
                           struct mtr_prepaid_output *out);

/**
 * @brief The clock was set: continue from @p utc without charging the time
 *        in between (forward) or refusing it (backward).
 * @return MTR_OK; MTR_ERR_RANGE for utc < 0.
 */
mtr_err_t mtr_prepaid_time_set(struct mtr_prepaid *pp, mtr_utc_t utc);

/* --------------------------------------------------------------- gateway */

/**
 * @brief Submit a token: the one path for tokens typed on the keypad and
 *        tokens delivered through the DLMS token gateway (class 115 method
 *        enter). The STS decoder checks it (nothing changes), the engine
 *        applies a credit token (or a clear-credit token) to a copy of its
 *        state, the decoder commits the token (its TID enters the memory),
 *        then the copy becomes the state. Save the blob (mtr_prepaid_save())
 *        after an accepted token.
 *
 * Credit tokens must be of the meter's credit unit: electricity (subclass
 * 0) in energy mode, electricity currency (subclass 4) in currency mode.
 * The credit room handed to the decoder is the token credit's limit minus
 * its amount, so that an overflow is refused as "Token credit overflow".
 * Management tokens other than clear credit, test tokens and key changes
 * are only decoded and committed here; the caller acts on r->sts.
 *
 * @param[out] r always written.
 * @return MTR_OK when accepted; the STS error of r->sts.status when refused
 *         (MTR_ERR_STS_LENGTH, _DIGIT, _RANGE, _CRC, _INCORRECT, _CLASS,
 *         _SUBCLASS (also: credit of another unit), _USED, _OLD,
 *         _KEY_EXPIRED, _OVERFLOW, or a crypto error); MTR_ERR_NOTSUP without
 *         a decoder; MTR_ERR_PREPAID_ACCOUNT for a credit or clear-credit
 *         token on a closed account (status MTR_STS_REJECT_CLASS, "Token
 *         rejected"). A refused token changes nothing.
 */
mtr_err_t mtr_prepaid_token_submit(struct mtr_prepaid *pp, const char *digits, size_t len,
                                   enum mtr_prepaid_delivery delivery, mtr_utc_t utc,
                                   struct mtr_prepaid_token_result *r);

/* ------------------------------------------------------------ persistence */

/** Bytes of the state part of a blob (without the STS part). */
#define MTR_PREPAID_CORE_SIZE                                                                   \
    (482u + MTR_PREPAID_CURRENCY_NAME + 2u * (4u * MTR_CFG_TARIFFS + 1u + 12u * MTR_PREPAID_BLOCKS) + \
     57u * MTR_PREPAID_CHARGES)
/** Largest blob: state, STS state, CRC-32. */
#define MTR_PREPAID_STATE_SIZE (MTR_PREPAID_CORE_SIZE + MTR_STS_STATE_SIZE + 4u)

/** @brief Run-time twin of MTR_PREPAID_STATE_SIZE. */
size_t mtr_prepaid_state_size(void);

/**
 * @brief Serialise the whole state and the STS decoder's state as ONE
 *        versioned blob (version 2) with a CRC-32. Holds the decoder key:
 *        keep it secret.
 * @param[out] len bytes written.
 * @return MTR_OK; MTR_ERR_FULL if @p cap < MTR_PREPAID_STATE_SIZE (nothing written).
 */
mtr_err_t mtr_prepaid_save(const struct mtr_prepaid *pp, uint8_t *buf, size_t cap, size_t *len);

/**
 * @brief Restore a blob of mtr_prepaid_save() (NVM read-back, untrusted).
 *        Checks length, magic, version, CRC, every field's range, the
 *        ledger's balance and the STS part; only then replaces the state and
 *        the decoder's state. Version 1 blobs (before the credit period
 *        became a date-time) load too: a credit's period in seconds becomes
 *        its repeat_s, the time-based credit's next top-up its period_utc;
 *        currency and provision limit as after init. The next save writes
 *        version 2.
 * @return MTR_OK; MTR_ERR_PREPAID_BLOB (truncated, trailing bytes, another
 *         build's sizes or unit, a value out of range, ledger not balanced,
 *         STS part refused); MTR_ERR_PREPAID_BLOB_CRC; MTR_ERR_PREPAID_VERSION.
 *         On error neither the engine nor the decoder changes.
 */
mtr_err_t mtr_prepaid_load(struct mtr_prepaid *pp, const uint8_t *buf, size_t len);

/** @brief Generation of the state: grows with every change; of two valid
 *         blobs, the one with the larger generation is newer. */
uint32_t mtr_prepaid_generation(const struct mtr_prepaid *pp);

#ifdef __cplusplus
}
#endif

#endif /* METER_PREPAID_H */
