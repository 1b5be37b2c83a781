/* SPDX-License-Identifier: Apache-2.0 */
/* Private functions shared by the files of the prepaid engine. They work on
 * a state (struct mtr_prepaid_state) so that a token can be applied to a
 * copy first and committed only when the STS decoder commits too. */
#ifndef PP_PRIV_H
#define PP_PRIV_H

#include "meter/meter.h"
#include "meter/prepaid.h"

/** Milli-minor-units x mWh per minor unit: 10^6 mWh/kWh x 10^3. */
#define PP_PRICE_DEN (MTR_MWH_PER_KWH * MTR_PREPAID_PRICE_SCALE)
/** Latest wall time accepted (year 2191): keeps every product in int64. */
#define PP_UTC_MAX 7000000000LL
/** Largest magnitude of a credit amount or a ledger total in a blob. */
#define PP_TOTAL_MAX 1000000000000000000LL
/** Largest amount per period of a time charge (bounds elapsed x amount). */
#define PP_TIME_AMOUNT_MAX MTR_PREPAID_TIME_AMOUNT_MAX
/** Longest period of a time charge or a time-based credit: 366 days. */
#define PP_PERIOD_MAX_S 31622400u
/** Largest credits per token amount unit. */
#define PP_TOKEN_SCALE_MAX 1000000LL
/** An unused charge slot. */
#define PP_CHARGE_UNUSED 0xFFu
/** Largest magnitude of the currency scale. */
#define PP_CURRENCY_SCALE_MAX 9

/* pp_account.c */
bool pp_prepay_active(const struct mtr_prepaid_state *st);
int64_t pp_available(const struct mtr_prepaid_state *st);
int64_t pp_left(const struct mtr_prepaid_state *st);
uint32_t pp_status_bits(const struct mtr_prepaid_state *st);
void pp_settle(struct mtr_prepaid_state *st, bool friendly, uint32_t *ev);
void pp_state_defaults(struct mtr_prepaid_state *st);
mtr_err_t pp_check_currency(const struct mtr_prepaid_currency *c);
bool pp_provision_take(struct mtr_prepaid_state *st, int64_t amount, mtr_utc_t utc);

/* pp_credit.c */
mtr_err_t pp_check_credit(unsigned type, const struct mtr_prepaid_credit_cfg *c);
void pp_debit(struct mtr_prepaid_state *st, int64_t amount);
void pp_credit_statuses(struct mtr_prepaid_state *st, uint32_t *ev);
bool pp_ec_invoke(struct mtr_prepaid_state *st, uint32_t *ev);
void pp_period_credits(struct mtr_prepaid_state *st, mtr_utc_t utc);
void pp_purchase(struct mtr_prepaid_state *st, unsigned type, int64_t amount, mtr_utc_t utc,
                 struct mtr_prepaid_token_result *r, uint32_t *ev);

/* pp_charge.c */
mtr_err_t pp_check_unit_charge(const struct mtr_prepaid_unit_charge *uc);
mtr_err_t pp_check_charge(const struct mtr_prepaid_charge_cfg *c);
void pp_charge_usage(struct mtr_prepaid_state *st, uint8_t unit, const struct mtr_prepaid_usage *u,
                     mtr_utc_t utc);
void pp_charge_time(struct mtr_prepaid_state *st, mtr_utc_t utc, bool friendly, uint32_t *ev);
int64_t pp_charge_payment(struct mtr_prepaid_state *st, int64_t amount, mtr_utc_t utc, uint32_t *ev);

#endif /* PP_PRIV_H */
