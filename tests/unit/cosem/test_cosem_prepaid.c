/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Blue Book parts of the payment metering objects over DLMS, on the
 * cosem rig with the prepaid engine of cosem_rig_control.c: the account's
 * currency and provision limit (class 111 attributes 15, 18, 19), the credit
 * period as a date-time (class 112 attribute 11), set_amount_to_value (112
 * method 2), the engine's time and payment charges (class 113 at
 * 0-0:19.20.10.255...) with collect, update_total_amount_remaining and
 * set_total_amount_remaining (methods 3..5). Each refusal answers its
 * data-access-result or action-result and leaves the engine unchanged; the
 * rights follow the roles.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "test_cosem_control_rig.h"

#if MTR_WITH_PREPAID

#define T0 ((mtr_utc_t)1772409600) /* 2026-03-02T00:00:00Z, a Monday */
#define DAY 86400

#define MGMT MTR_COSEM_ROLE_MANAGEMENT
#define PUBLIC MTR_COSEM_ROLE_PUBLIC
#define L1 MTR_COSEM_ROLE_LEVEL1
#define L3 MTR_COSEM_ROLE_LEVEL3

#define OTHER MTR_DLMS_DAR_OTHER
#define TYPE MTR_DLMS_DAR_TYPE_UNMATCHED
#define DENIED MTR_DLMS_DAR_READ_WRITE_DENIED
#define BUSY MTR_DLMS_DAR_TEMPORARY_FAILURE

static const uint8_t OB_ACCOUNT[6] = {0, 0, 19, 0, 0, 255};
static const uint8_t OB_CREDIT[6] = {0, 0, 19, 10, 0, 255};
static const uint8_t OB_EC[6] = {0, 0, 19, 10, 1, 255};
static const uint8_t OB_TIME_CREDIT[6] = {0, 0, 19, 10, 3, 255};
static const uint8_t OB_CHARGE1[6] = {0, 0, 19, 20, 0, 255};
static const uint8_t OB_DEBT1[6] = {0, 0, 19, 20, 10, 255};
static const uint8_t OB_DEBT2[6] = {0, 0, 19, 20, 11, 255};
static const uint8_t ACTIVATE[6] = {0x02, 0x02, 0x16, 0x02, 0x16, 0x02};
static const uint8_t INT0[2] = {MTR_DLMS_INTEGER, 0};

static struct cosem_rig *R;

static void setup(void)
{
    R = cosem_rig_new(T0);
    cosem_rig_assoc(R, MGMT);
}

static void teardown(void)
{
    cosem_rig_free(R);
}

static struct mtr_prepaid *pp(void)
{
    return &ctl(R)->pp;
}

/* A request refused with @p res that leaves the engine unchanged. */
#define UNCHANGED(expr, res)                                                                      \
    do {                                                                                          \
        struct mtr_prepaid before_ = *pp();                                                       \
        int got_ = (expr);                                                                        \
        cr_assert_eq(got_, (res), "%s answered %d", #expr, got_);                                 \
        cr_assert_eq(memcmp(&before_, pp(), sizeof before_), 0, "%s changed the engine", #expr);  \
    } while (0)

static uint64_t be(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int k = 0; k < n; k++) {
        v = v << 8 | p[k];
    }
    return v;
}

static int set_val(uint16_t cls, const uint8_t obis[6], uint8_t attr, const struct cosem_val *v)
{
    return cosem_rig_set(R, cls, obis, attr, v->b, v->n);
}

static int act_val(uint16_t cls, const uint8_t obis[6], uint8_t m, const struct cosem_val *v)
{
    return cosem_rig_action(R, cls, obis, m, v->b, v->n);
}

/* A double-long of @p x. */
static struct cosem_val dl(int32_t x)
{
    struct cosem_val v;
    cv_reset(&v);
    cv_uint(&v, MTR_DLMS_DOUBLE_LONG, (uint32_t)x);
    return v;
}

/* A currency {name (tag), scale, unit}. */
static struct cosem_val currency(uint8_t tag, const char *name, int8_t scale, uint8_t unit)
{
    struct cosem_val v;
    cv_reset(&v);
    cv_u8(&v, MTR_DLMS_STRUCTURE);
    cv_u8(&v, 3);
    cv_bytes(&v, tag, name, strlen(name));
    cv_uint(&v, MTR_DLMS_INTEGER, (uint8_t)scale);
    cv_uint(&v, MTR_DLMS_ENUM, unit);
    return v;
}

static int64_t get_dl(uint16_t cls, const uint8_t obis[6], uint8_t attr)
{
    int dar = cosem_rig_get(R, cls, obis, attr);
    cr_assert_eq(dar, 0, "GET attr %u answered %d", attr, dar);
    cr_assert(R->val_len == 5 && R->val[0] == MTR_DLMS_DOUBLE_LONG);
    return (int32_t)(uint32_t)be(R->val + 1, 4);
}

/* ================================================================ account: currency */

Test(cosem_prepaid, currency_read_written_and_validated, .init = setup, .fini = teardown)
{
    static const uint8_t fresh[] = {0x02, 0x03, MTR_DLMS_UTF8_STRING, 0, MTR_DLMS_INTEGER, 0, MTR_DLMS_ENUM, 2};
    static const uint8_t eur[] = {0x02, 0x03, MTR_DLMS_UTF8_STRING, 3, 'E', 'U', 'R', MTR_DLMS_INTEGER, 0xFE,
                                  MTR_DLMS_ENUM, 2};
    struct cosem_val v;
    struct mtr_prepaid_currency c;

    cr_assert_eq(cosem_rig_get(R, 111, OB_ACCOUNT, 15), 0);
    cr_assert(R->val_len == sizeof fresh && memcmp(R->val, fresh, sizeof fresh) == 0, "empty, scale 0, monetary");
    v = currency(MTR_DLMS_UTF8_STRING, "EUR", -2, 2);
    cr_assert_eq(set_val(111, OB_ACCOUNT, 15, &v), 0);
    cr_assert_eq(cosem_rig_get(R, 111, OB_ACCOUNT, 15), 0);
    cr_assert(R->val_len == sizeof eur && memcmp(R->val, eur, sizeof eur) == 0, "reads back");
    mtr_prepaid_currency(pp(), &c);
    cr_assert(c.name_len == 3 && memcmp(c.name, "EUR", 3) == 0 && c.scale == -2 && c.unit == 2);
    v = currency(MTR_DLMS_VISIBLE_STRING, "USD", -2, 2);
    cr_assert_eq(set_val(111, OB_ACCOUNT, 15, &v), 0, "a visible-string name is taken");
    v = currency(MTR_DLMS_UTF8_STRING, "\xE2\x82\xAC", -2, 2);
    cr_assert_eq(set_val(111, OB_ACCOUNT, 15, &v), 0, "the euro sign");

    v = currency(MTR_DLMS_UTF8_STRING, "123456789", -2, 2); /* longer than MTR_CFG_PREPAID_CURRENCY_NAME */
    UNCHANGED(set_val(111, OB_ACCOUNT, 15, &v), OTHER);
    v = currency(MTR_DLMS_UTF8_STRING, "EUR", 10, 2);
    UNCHANGED(set_val(111, OB_ACCOUNT, 15, &v), OTHER);
    v = currency(MTR_DLMS_UTF8_STRING, "EUR", -2, 3);
    UNCHANGED(set_val(111, OB_ACCOUNT, 15, &v), OTHER);
    v = currency(MTR_DLMS_UTF8_STRING, "\xC0\x80", -2, 2);
    UNCHANGED(set_val(111, OB_ACCOUNT, 15, &v), OTHER);
    v = currency(MTR_DLMS_OCTET_STRING, "EUR", -2, 2);
    UNCHANGED(set_val(111, OB_ACCOUNT, 15, &v), TYPE);
    v = currency(MTR_DLMS_UTF8_STRING, "EUR", -2, 2);
    v.b[1] = 2; /* a structure of two: no unit */
    v.n -= 2;
    UNCHANGED(set_val(111, OB_ACCOUNT, 15, &v), TYPE);
    v = dl(5);
    UNCHANGED(set_val(111, OB_ACCOUNT, 15, &v), TYPE);

    v = currency(MTR_DLMS_UTF8_STRING, "GBP", -2, 2);
    cosem_rig_assoc(R, L3);
    UNCHANGED(set_val(111, OB_ACCOUNT, 15, &v), DENIED);
    cr_assert_eq(cosem_rig_get(R, 111, OB_ACCOUNT, 15), 0, "level 3 reads");
    cosem_rig_assoc(R, L1);
    cr_assert_eq(cosem_rig_get(R, 111, OB_ACCOUNT, 15), 0, "level 1 reads");
    cosem_rig_assoc(R, PUBLIC);
    cr_assert_eq(cosem_rig_get(R, 111, OB_ACCOUNT, 15), DENIED, "not public");
}

/* ================================================================ account: max provision */

Test(cosem_prepaid, max_provision_read_written_and_enforced, .init = setup, .fini = teardown)
{
    const uint8_t max1000[3] = {MTR_DLMS_LONG_UNSIGNED, 0x03, 0xE8};
    const uint8_t day_u32[5] = {MTR_DLMS_DOUBLE_LONG_UNSIGNED, 0, 0x01, 0x51, 0x80};
    const uint8_t day_i32[5] = {MTR_DLMS_DOUBLE_LONG, 0, 0x01, 0x51, 0x80};
    const uint8_t too_big[5] = {MTR_DLMS_DOUBLE_LONG_UNSIGNED, 0, 0x01, 0x11, 0x70}; /* 70000 */
    const uint8_t year_plus[5] = {MTR_DLMS_DOUBLE_LONG, 0x01, 0xE2, 0x85, 0x01};      /* 366 d + 1 s */
    const uint8_t minus1[5] = {MTR_DLMS_DOUBLE_LONG, 0xFF, 0xFF, 0xFF, 0xFF};
    const uint8_t text[3] = {MTR_DLMS_OCTET_STRING, 1, 'x'};
    uint16_t max = 0;
    uint32_t period = 0;

    cr_assert_eq(cosem_rig_get(R, 111, OB_ACCOUNT, 18), 0);
    cr_assert(R->val_len == 3 && R->val[0] == MTR_DLMS_LONG_UNSIGNED && be(R->val + 1, 2) == 0);
    cr_assert_eq(get_dl(111, OB_ACCOUNT, 19), 0, "max_provision_period: double-long");
    cr_assert_eq(cosem_rig_set(R, 111, OB_ACCOUNT, 18, max1000, sizeof max1000), 0);
    cr_assert_eq(cosem_rig_set(R, 111, OB_ACCOUNT, 19, day_u32, sizeof day_u32), 0);
    cr_assert_eq(cosem_rig_set(R, 111, OB_ACCOUNT, 19, day_i32, sizeof day_i32), 0);
    mtr_prepaid_max_provision(pp(), &max, &period);
    cr_assert(max == 1000 && period == DAY, "each write keeps the other");
    cr_assert_eq(cosem_rig_get(R, 111, OB_ACCOUNT, 18), 0);
    cr_assert_eq(be(R->val + 1, 2), 1000);
    cr_assert_eq(get_dl(111, OB_ACCOUNT, 19), DAY);
    UNCHANGED(cosem_rig_set(R, 111, OB_ACCOUNT, 18, too_big, sizeof too_big), OTHER);
    UNCHANGED(cosem_rig_set(R, 111, OB_ACCOUNT, 19, year_plus, sizeof year_plus), OTHER);
    UNCHANGED(cosem_rig_set(R, 111, OB_ACCOUNT, 19, minus1, sizeof minus1), OTHER);
    UNCHANGED(cosem_rig_set(R, 111, OB_ACCOUNT, 18, text, sizeof text), TYPE);

    /* head-end payments (update_amount) within the day: 1000 at most */
    cr_assert_eq(cosem_rig_set(R, 111, OB_ACCOUNT, 2, ACTIVATE, sizeof ACTIVATE), 0);
    struct cosem_val v = dl(800);
    cr_assert_eq(act_val(112, OB_CREDIT, 1, &v), 0);
    v = dl(201);
    UNCHANGED(act_val(112, OB_CREDIT, 1, &v), OTHER);
    v = dl(200);
    cr_assert_eq(act_val(112, OB_CREDIT, 1, &v), 0);
    cr_assert_eq(mtr_prepaid_credit_amount(pp(), MTR_PREPAID_CREDIT_TOKEN), 1000);

    cosem_rig_assoc(R, L3);
    UNCHANGED(cosem_rig_set(R, 111, OB_ACCOUNT, 18, max1000, sizeof max1000), DENIED);
    UNCHANGED(cosem_rig_set(R, 111, OB_ACCOUNT, 19, day_u32, sizeof day_u32), DENIED);
    cr_assert_eq(cosem_rig_get(R, 111, OB_ACCOUNT, 19), 0);
    cosem_rig_assoc(R, PUBLIC);
    cr_assert_eq(cosem_rig_get(R, 111, OB_ACCOUNT, 18), DENIED);
}

/* ================================================================ credit: period */

Test(cosem_prepaid, credit_period_is_a_date_time, .init = setup, .fini = teardown)
{
    /* 2026-03-03 00:00:00, weekday and hundredths not specified, deviation 0 */
    const uint8_t at[14] = {MTR_DLMS_OCTET_STRING, 12, 0x07, 0xEA, 3, 3, 0xFF, 0, 0, 0, 0xFF, 0, 0, 0};
    const uint8_t none[14] = {MTR_DLMS_OCTET_STRING, 12, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                              0xFF, 0xFF, 0xFF, 0x80, 0x00, 0xFF};
    uint8_t partly[14];
    const uint8_t seconds[5] = {MTR_DLMS_DOUBLE_LONG_UNSIGNED, 0, 0x01, 0x51, 0x80};
    struct mtr_prepaid_credit_cfg cfg;

    cr_assert_eq(cosem_rig_get(R, 112, OB_TIME_CREDIT, 11), 0);
    cr_assert(R->val_len == 14 && R->val[0] == MTR_DLMS_OCTET_STRING && R->val[1] == 12);
    cr_assert(be(R->val + 2, 2) == 0xFFFF && R->val[4] == 0xFF, "no period: not specified");
    cr_assert_eq(cosem_rig_set(R, 112, OB_TIME_CREDIT, 11, at, sizeof at), 0);
    mtr_prepaid_credit_config(pp(), MTR_PREPAID_CREDIT_TIME_BASED, &cfg);
    cr_assert_eq(cfg.period_utc, T0 + DAY);
    cr_assert_eq(cosem_rig_get(R, 112, OB_TIME_CREDIT, 11), 0);
    cr_assert(R->val_len == 14 && be(R->val + 2, 2) == 2026 && R->val[4] == 3 && R->val[5] == 3 &&
              R->val[7] == 0 && R->val[8] == 0 && R->val[9] == 0, "reads back");
    cr_assert_eq(cosem_rig_set(R, 112, OB_TIME_CREDIT, 11, R->val, R->val_len), 0, "what it reads writes back");
    mtr_prepaid_credit_config(pp(), MTR_PREPAID_CREDIT_TIME_BASED, &cfg);
    cr_assert_eq(cfg.period_utc, T0 + DAY);

    memcpy(partly, at, sizeof partly);
    partly[2] = partly[3] = 0xFF; /* every year: a pattern the engine does not keep */
    UNCHANGED(cosem_rig_set(R, 112, OB_TIME_CREDIT, 11, partly, sizeof partly), TYPE);
    UNCHANGED(cosem_rig_set(R, 112, OB_TIME_CREDIT, 11, seconds, sizeof seconds), TYPE);
    cosem_rig_assoc(R, L3);
    UNCHANGED(cosem_rig_set(R, 112, OB_TIME_CREDIT, 11, none, sizeof none), DENIED);
    cosem_rig_assoc(R, MGMT);
    cr_assert_eq(cosem_rig_set(R, 112, OB_TIME_CREDIT, 11, none, sizeof none), 0);
    mtr_prepaid_credit_config(pp(), MTR_PREPAID_CREDIT_TIME_BASED, &cfg);
    cr_assert_eq(cfg.period_utc, -1, "not specified: no period");

    /* the engine tops the credit up at its period: set it 1 s ahead and run 3 s */
    cfg.priority = 2;
    cfg.preset = 40;
    cfg.period_utc = R->sim.utc + 1;
    cr_assert_eq(mtr_prepaid_set_credit(pp(), MTR_PREPAID_CREDIT_TIME_BASED, &cfg), MTR_OK);
    cr_assert_eq(cosem_rig_set(R, 111, OB_ACCOUNT, 2, ACTIVATE, sizeof ACTIVATE), 0);
    cosem_rig_run(R, 3000, 100);
    cr_assert_eq(get_dl(112, OB_TIME_CREDIT, 2), 40, "topped up to its preset");
    cr_assert_eq(cosem_rig_get(R, 112, OB_TIME_CREDIT, 11), 0);
    cr_assert_eq(be(R->val + 2, 2), 0xFFFF, "no repeat: the period ended");
}

/* ================================================================ credit: set_amount_to_value */

Test(cosem_prepaid, set_amount_to_value_over_dlms, .init = setup, .fini = teardown)
{
    const uint8_t big[9] = {MTR_DLMS_LONG64, 0, 0, 0, 0, 0x80, 0, 0, 0};
    const uint8_t text[3] = {MTR_DLMS_OCTET_STRING, 1, 'x'};
    const uint8_t lim[5] = {MTR_DLMS_DOUBLE_LONG, 0, 0, 0x07, 0xD0}; /* 2000 */
    struct cosem_val v;

    cr_assert_eq(cosem_rig_set(R, 111, OB_ACCOUNT, 2, ACTIVATE, sizeof ACTIVATE), 0);
    v = dl(700);
    cr_assert_eq(act_val(112, OB_CREDIT, 2, &v), 0);
    cr_assert_eq(get_dl(112, OB_CREDIT, 2), 700);
    cr_assert_eq(get_dl(111, OB_ACCOUNT, 5), 700, "available credit");
    cr_assert(mtr_prepaid_supply(pp()).allowed);
    v = dl(-50);
    cr_assert_eq(act_val(112, OB_CREDIT, 2, &v), 0, "the main credit may go below 0");
    cr_assert_eq(get_dl(112, OB_CREDIT, 2), -50);
    v = dl(30);
    cr_assert_eq(act_val(112, OB_TIME_CREDIT, 2, &v), 0, "on the time-based credit too");
    cr_assert_eq(mtr_prepaid_credit_amount(pp(), MTR_PREPAID_CREDIT_TIME_BASED), 30);
    struct mtr_prepaid_ledger l = mtr_prepaid_ledger(pp());
    cr_assert_eq(l.bought + l.granted, l.consumed + l.cleared + l.left, "the books balance");

    v = dl(-1);
    UNCHANGED(act_val(112, OB_TIME_CREDIT, 2, &v), OTHER);
    UNCHANGED(cosem_rig_action(R, 112, OB_CREDIT, 2, big, sizeof big), OTHER);
    UNCHANGED(cosem_rig_action(R, 112, OB_CREDIT, 2, text, sizeof text), TYPE);
    cr_assert_eq(cosem_rig_set(R, 112, OB_CREDIT, 6, lim, sizeof lim), 0);
    v = dl(2001);
    UNCHANGED(act_val(112, OB_CREDIT, 2, &v), OTHER);
    v = dl(5);
    UNCHANGED(act_val(112, OB_EC, 2, &v), DENIED);
    cosem_rig_assoc(R, L3);
    UNCHANGED(act_val(112, OB_CREDIT, 2, &v), DENIED);
    cosem_rig_assoc(R, MGMT);
    cr_assert_eq(cosem_rig_action(R, 111, OB_ACCOUNT, 2, INT0, sizeof INT0), 0, "close_account");
    UNCHANGED(act_val(112, OB_CREDIT, 2, &v), BUSY);
}

/* ================================================================ time and payment charges */

Test(cosem_prepaid, a_debt_charge_read_over_dlms, .init = setup, .fini = teardown)
{
    struct mtr_prepaid_charge_cfg cc = {.type = MTR_PREPAID_CHARGE_TIME, .collect = 0, .period_s = DAY,
                                        .amount = 25};
    cr_assert_eq(mtr_prepaid_set_charge(pp(), 0, &cc), MTR_OK);
    cr_assert_eq(mtr_prepaid_set_debt(pp(), 0, 300), MTR_OK);
    cr_assert_eq(cosem_rig_get(R, 113, OB_DEBT1, 3), 0);
    cr_assert(R->val_len == 2 && R->val[0] == MTR_DLMS_ENUM && R->val[1] == 1, "time based");
    cr_assert_eq(cosem_rig_get(R, 113, OB_DEBT1, 4), 0);
    cr_assert_eq(R->val[1], 1, "in use");
    cr_assert_eq(cosem_rig_get(R, 113, OB_DEBT1, 8), 0);
    cr_assert(R->val[0] == MTR_DLMS_DOUBLE_LONG_UNSIGNED && be(R->val + 1, 4) == DAY);
    cr_assert_eq(get_dl(113, OB_DEBT1, 12), 300, "total_amount_remaining");
    cr_assert_eq(get_dl(113, OB_DEBT1, 2), 0);
    cr_assert_eq(cosem_rig_get(R, 113, OB_DEBT1, 5), 0);
    /* {{0, 0}, {0, 0-0:0.0.0.0, 0}, [{"", 25}]} */
    cr_assert(R->val_len >= 4 && R->val[R->val_len - 3] == MTR_DLMS_LONG && be(R->val + R->val_len - 2, 2) == 25);
    cr_assert_eq(cosem_rig_get(R, 113, OB_DEBT1, 9), 0);
    cr_assert(R->val[0] == MTR_DLMS_BIT_STRING && R->val[1] == 2);
    cr_assert_eq(cosem_rig_get(R, 113, OB_DEBT2, 4), 0);
    cr_assert_eq(R->val[1], 0, "an unused slot: priority 0");
    /* the account lists the tariff charges and these */
    cr_assert_eq(cosem_rig_get(R, 111, OB_ACCOUNT, 10), 0);
    cr_assert_eq(R->val[1], (MTR_CFG_TARIFFS < 4 ? MTR_CFG_TARIFFS : 4) + (MTR_PREPAID_CHARGES < 3 ? MTR_PREPAID_CHARGES : 3),
                 "tariffs 1..4 and the three debt or fee charges");
    cr_assert_eq(R->val[2 + (R->val[1] - 1) * 8 + 6], 12, "the last one: 0-0:19.20.12.255");
    cosem_rig_assoc(R, L1);
    cr_assert_eq(cosem_rig_get(R, 113, OB_DEBT1, 12), 0, "level 1 reads");
    cosem_rig_assoc(R, PUBLIC);
    cr_assert_eq(cosem_rig_get(R, 113, OB_DEBT1, 12), DENIED);
}

Test(cosem_prepaid, collect_and_the_debt_methods, .init = setup, .fini = teardown)
{
    struct mtr_prepaid_charge_cfg cc = {.type = MTR_PREPAID_CHARGE_TIME, .period_s = DAY, .amount = 25};
    struct mtr_prepaid_charge_cfg pc = {.type = MTR_PREPAID_CHARGE_PAYMENT, .config = MTR_PREPAID_CHG_PERCENTAGE,
                                        .proportion = 1000};
    struct cosem_val v;
    const uint8_t text[3] = {MTR_DLMS_OCTET_STRING, 1, 'x'};

    cr_assert_eq(mtr_prepaid_set_charge(pp(), 0, &cc), MTR_OK);
    cr_assert_eq(mtr_prepaid_set_charge(pp(), 1, &pc), MTR_OK);
    cr_assert_eq(mtr_prepaid_set_debt(pp(), 0, 300), MTR_OK);
    UNCHANGED(cosem_rig_action(R, 113, OB_DEBT1, 3, INT0, sizeof INT0), BUSY); /* account new */
    cr_assert_eq(cosem_rig_set(R, 111, OB_ACCOUNT, 2, ACTIVATE, sizeof ACTIVATE), 0);
    v = dl(1000);
    cr_assert_eq(act_val(112, OB_CREDIT, 1, &v), 0);
    int64_t credit = mtr_prepaid_credit_amount(pp(), MTR_PREPAID_CREDIT_TOKEN);

    cr_assert_eq(cosem_rig_action(R, 113, OB_DEBT1, 3, INT0, sizeof INT0), 0, "collect");
    cr_assert_eq(get_dl(113, OB_DEBT1, 12), 275);
    cr_assert_eq(get_dl(113, OB_DEBT1, 11), 25, "last_collection_amount");
    cr_assert_eq(get_dl(113, OB_DEBT1, 2), 25, "total_amount_paid");
    cr_assert_eq(mtr_prepaid_credit_amount(pp(), MTR_PREPAID_CREDIT_TOKEN), credit - 25);
    cr_assert_eq(cosem_rig_get(R, 113, OB_DEBT1, 10), 0);
    cr_assert(R->val_len == 14 && be(R->val + 2, 2) == 2026, "last_collection_time");
    UNCHANGED(cosem_rig_action(R, 113, OB_DEBT2, 3, INT0, sizeof INT0), BUSY); /* a percentage charge */
    UNCHANGED(cosem_rig_action(R, 113, OB_DEBT1, 3, text, sizeof text), TYPE);

    v = dl(100);
    cr_assert_eq(act_val(113, OB_DEBT1, 4, &v), 0, "update_total_amount_remaining +100");
    cr_assert_eq(get_dl(113, OB_DEBT1, 12), 375);
    v = dl(-75);
    cr_assert_eq(act_val(113, OB_DEBT1, 4, &v), 0);
    cr_assert_eq(get_dl(113, OB_DEBT1, 12), 300);
    cr_assert_eq(get_dl(111, OB_ACCOUNT, 8), 300, "aggregated_debt");
    v = dl(-301);
    UNCHANGED(act_val(113, OB_DEBT1, 4, &v), OTHER);
    UNCHANGED(cosem_rig_action(R, 113, OB_DEBT1, 4, text, sizeof text), TYPE);
    v = dl(50);
    cr_assert_eq(act_val(113, OB_DEBT1, 5, &v), 0, "set_total_amount_remaining 50");
    cr_assert_eq(get_dl(113, OB_DEBT1, 12), 50);
    v = dl(-1);
    UNCHANGED(act_val(113, OB_DEBT1, 5, &v), OTHER);

    /* rights: management only; the tariff charges have no debt methods */
    v = dl(10);
    UNCHANGED(act_val(113, OB_DEBT1, 1, &v), DENIED);
    UNCHANGED(act_val(113, OB_CHARGE1, 5, &v), DENIED);
    UNCHANGED(act_val(113, OB_CHARGE1, 3, &v), DENIED);
    cosem_rig_assoc(R, L3);
    UNCHANGED(cosem_rig_action(R, 113, OB_DEBT1, 3, INT0, sizeof INT0), DENIED);
    UNCHANGED(act_val(113, OB_DEBT1, 4, &v), DENIED);
    UNCHANGED(act_val(113, OB_DEBT1, 5, &v), DENIED);
    cosem_rig_assoc(R, PUBLIC);
    UNCHANGED(act_val(113, OB_DEBT1, 5, &v), DENIED);
}

/* ================================================================ persistence */

/* The rig's meter keeps no prepaid partition: the blob is saved and loaded
 * here as the aggregate does it (mtr_meter_prepaid_commit(), start-up). */
Test(cosem_prepaid, settings_written_over_dlms_are_in_the_blob, .init = setup, .fini = teardown)
{
    const uint8_t max1000[3] = {MTR_DLMS_LONG_UNSIGNED, 0x03, 0xE8};
    const uint8_t at[14] = {MTR_DLMS_OCTET_STRING, 12, 0x07, 0xEA, 3, 3, 0xFF, 0, 0, 0, 0xFF, 0, 0, 0};
    struct cosem_val v = currency(MTR_DLMS_UTF8_STRING, "EUR", -2, 2);
    cr_assert_eq(set_val(111, OB_ACCOUNT, 15, &v), 0);
    cr_assert_eq(cosem_rig_set(R, 111, OB_ACCOUNT, 18, max1000, sizeof max1000), 0);
    cr_assert_eq(cosem_rig_set(R, 112, OB_TIME_CREDIT, 11, at, sizeof at), 0);
    cr_assert_eq(cosem_rig_set(R, 111, OB_ACCOUNT, 2, ACTIVATE, sizeof ACTIVATE), 0);
    v = dl(321);
    cr_assert_eq(act_val(112, OB_CREDIT, 2, &v), 0);
    static uint8_t blob[MTR_PREPAID_STATE_SIZE];
    static struct mtr_prepaid fresh;
    static struct mtr_sts sts;
    size_t n = 0;
    cr_assert_eq(mtr_prepaid_save(pp(), blob, sizeof blob, &n), MTR_OK);
    sts = ctl(R)->sts;
    cr_assert_eq(mtr_prepaid_init(&fresh, &ctl(R)->pp_cfg, &sts), MTR_OK);
    cr_assert_eq(mtr_prepaid_load(&fresh, blob, n), MTR_OK);
    struct mtr_prepaid_currency c;
    mtr_prepaid_currency(&fresh, &c);
    cr_assert(c.name_len == 3 && memcmp(c.name, "EUR", 3) == 0 && c.scale == -2);
    uint16_t max = 0;
    mtr_prepaid_max_provision(&fresh, &max, NULL);
    cr_assert_eq(max, 1000);
    struct mtr_prepaid_credit_cfg cfg;
    mtr_prepaid_credit_config(&fresh, MTR_PREPAID_CREDIT_TIME_BASED, &cfg);
    cr_assert_eq(cfg.period_utc, T0 + DAY);
    cr_assert_eq(mtr_prepaid_credit_amount(&fresh, MTR_PREPAID_CREDIT_TOKEN), 321);
}

#endif /* MTR_WITH_PREPAID */
