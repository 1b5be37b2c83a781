/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The token gateway: keypad and head-end tokens take the same path; every
 * bad token gets its own result and changes nothing; management tokens;
 * the saved blob (round trip, every truncation and bit flip refused); and a
 * power cut at every step of a token acceptance, including every byte of
 * the blob write, neither loses nor doubles the credit.
 */
#include "meter/crc.h"
#include "pp_fixture.h"

static struct pp_fx fx;

static void setup(void)
{
    pp_fx_init(&fx, MTR_PREPAID_UNIT_CURRENCY);
}

TestSuite(prepaid_gateway, .init = setup);

static mtr_err_t submit(const char *tok, enum mtr_prepaid_delivery d, struct mtr_prepaid_token_result *r)
{
    return mtr_prepaid_token_submit(&fx.pp, tok, strlen(tok), d, fx.utc, r);
}

Test(prepaid_gateway, keypad_and_head_end_tokens_take_one_path)
{
    char a[21], b[21];
    struct mtr_prepaid_token_result r;
    pp_fx_token(&fx, MTR_STS_CREDIT_ELECTRICITY_CURRENCY, 1234, a);
    pp_fx_token(&fx, MTR_STS_CREDIT_ELECTRICITY_CURRENCY, 1234, b);
    cr_assert_eq(submit(a, MTR_PREPAID_DELIVERY_MANUAL, &r), MTR_OK);
    cr_assert_eq(r.sts.status, MTR_STS_ACCEPTED);
    cr_assert_eq(r.gw, MTR_PREPAID_GW_EXECUTION_OK);
    cr_assert_eq(r.delivery, MTR_PREPAID_DELIVERY_MANUAL);
    cr_assert_eq(r.credited, 1234);
    cr_assert_eq(submit(b, MTR_PREPAID_DELIVERY_REMOTE, &r), MTR_OK);
    cr_assert_eq(r.delivery, MTR_PREPAID_DELIVERY_REMOTE);
    cr_assert_eq(r.credited, 1234);
    cr_assert_eq(mtr_prepaid_credit_amount(&fx.pp, MTR_PREPAID_CREDIT_TOKEN), 2468);
    cr_assert_eq(mtr_prepaid_ledger(&fx.pp).bought, 2468);
    /* the same token again, from the other channel: used */
    cr_assert_eq(submit(a, MTR_PREPAID_DELIVERY_REMOTE, &r), MTR_ERR_STS_USED);
    cr_assert_eq(r.gw, MTR_PREPAID_GW_VALIDATION_FAILURE);
    cr_assert_str_eq(mtr_sts_message(r.sts.status), "Duplicate token");
    pp_fx_balanced(&fx.pp);
}

Test(prepaid_gateway, energy_tokens_in_tenths_of_kwh)
{
    char t[21];
    struct mtr_prepaid_token_result r;
    pp_fx_init(&fx, MTR_PREPAID_UNIT_ENERGY);
    pp_fx_token(&fx, MTR_STS_CREDIT_ELECTRICITY, 250, t); /* 25.0 kWh */
    cr_assert_eq(submit(t, MTR_PREPAID_DELIVERY_MANUAL, &r), MTR_OK);
    cr_assert_eq(mtr_prepaid_credit_amount(&fx.pp, MTR_PREPAID_CREDIT_TOKEN), 25000000);
    struct mtr_prepaid_usage u = {{1000000}};
    fx.utc += 3600;
    pp_fx_tick(&fx, &u, 0, false);
    cr_assert_eq(mtr_prepaid_credit_amount(&fx.pp, MTR_PREPAID_CREDIT_TOKEN), 24000000);
    pp_fx_balanced(&fx.pp);
}

/* A bad token: exact error, status and gateway code, engine and decoder unchanged. */
static void refused(const char *tok, size_t len, mtr_err_t err, enum mtr_sts_status st,
                    enum mtr_prepaid_gw_status gw)
{
    struct mtr_prepaid before = fx.pp;
    struct mtr_sts sts_before = fx.sts;
    struct mtr_prepaid_token_result r;
    cr_assert_eq(mtr_prepaid_token_submit(&fx.pp, tok, len, MTR_PREPAID_DELIVERY_REMOTE, fx.utc, &r),
                 err, "%.*s", (int)len, tok);
    cr_assert_eq(r.sts.status, st, "%.*s: status %d", (int)len, tok, r.sts.status);
    cr_assert_eq(r.gw, gw);
    cr_assert_eq(r.credited, 0);
    cr_assert_eq(memcmp(&before, &fx.pp, sizeof before), 0);
    cr_assert_eq(memcmp(&sts_before, &fx.sts, sizeof sts_before), 0);
}

Test(prepaid_gateway, every_bad_token_has_its_result_and_changes_nothing)
{
    char ok[21], t[21];
    struct mtr_prepaid_token_result r;
    pp_fx_token(&fx, MTR_STS_CREDIT_ELECTRICITY_CURRENCY, 500, ok);
    cr_assert_eq(submit(ok, MTR_PREPAID_DELIVERY_MANUAL, &r), MTR_OK);

    refused(ok, 19, MTR_ERR_STS_LENGTH, MTR_STS_REJECT_LENGTH, MTR_PREPAID_GW_FORMAT_FAILURE);
    refused("123456789012345678901", 21, MTR_ERR_STS_LENGTH, MTR_STS_REJECT_LENGTH,
            MTR_PREPAID_GW_FORMAT_FAILURE);
    memcpy(t, ok, 21);
    t[7] = 'x';
    refused(t, 20, MTR_ERR_STS_DIGIT, MTR_STS_REJECT_DIGIT, MTR_PREPAID_GW_FORMAT_FAILURE);
    /* 2^66 = 73 786 976 294 838 206 464 */
    refused("99999999999999999999", 20, MTR_ERR_STS_RANGE, MTR_STS_REJECT_RANGE,
            MTR_PREPAID_GW_FORMAT_FAILURE);
    /* another meter's key */
    struct mtr_sts_token tk = {.cls = 0, .subclass = 4, .rnd = 1, .tid = fx.tid++, .field = 100};
    cr_assert_eq(mtr_sts_encode(&fx.ciph, 0x0123456789abcdefull, &tk, t), MTR_OK);
    refused(t, 20, MTR_ERR_STS_INCORRECT, MTR_STS_REJECT_INCORRECT,
            MTR_PREPAID_GW_AUTHENTICATION_FAILURE);
    /* a plain test token with a mistyped digit fails its CRC */
    struct mtr_sts_token tt = {.cls = 1, .subclass = 0, .control = 0x123, .manufacturer = 7};
    cr_assert_eq(mtr_sts_encode(&fx.ciph, PP_DK, &tt, t), MTR_OK);
    t[19] = (char)(t[19] == '0' ? '1' : '0');
    {
        struct mtr_sts_result sr;
        mtr_err_t e = mtr_sts_check(&fx.sts, t, 20, UINT32_MAX, &sr);
        refused(t, 20, e, sr.status, sr.status == MTR_STS_REJECT_CRC
                                         ? MTR_PREPAID_GW_FORMAT_FAILURE
                                         : MTR_PREPAID_GW_AUTHENTICATION_FAILURE);
        cr_assert(e == MTR_ERR_STS_CRC || e == MTR_ERR_STS_INCORRECT);
    }
    /* replayed */
    refused(ok, 20, MTR_ERR_STS_USED, MTR_STS_REJECT_USED, MTR_PREPAID_GW_VALIDATION_FAILURE);
    /* an energy token on a currency meter */
    pp_fx_token(&fx, MTR_STS_CREDIT_ELECTRICITY, 10, t);
    refused(t, 20, MTR_ERR_STS_SUBCLASS, MTR_STS_REJECT_SUBCLASS, MTR_PREPAID_GW_VALIDATION_FAILURE);
    /* amount over the token credit's limit */
    struct mtr_prepaid_credit_cfg lim = {.priority = 1, .config = MTR_PREPAID_CC_TOKENS, .limit = 1000};
    cr_assert_eq(mtr_prepaid_set_credit(&fx.pp, MTR_PREPAID_CREDIT_TOKEN, &lim), MTR_OK);
    pp_fx_token(&fx, MTR_STS_CREDIT_ELECTRICITY_CURRENCY, 501, t);
    refused(t, 20, MTR_ERR_STS_OVERFLOW, MTR_STS_REJECT_OVERFLOW, MTR_PREPAID_GW_VALIDATION_FAILURE);
    /* older than every remembered TID once the memory is full */
    uint32_t old_tid = fx.tid++;
    for (uint32_t i = 0; i < MTR_STS_TID_MEMORY; i++) {
        struct mtr_sts_token m = {.cls = 2, .subclass = MTR_STS_MGMT_SET_TARIFF_RATE,
                                  .tid = fx.tid++, .field = 1};
        cr_assert_eq(mtr_sts_encode(&fx.ciph, PP_DK, &m, t), MTR_OK);
        cr_assert_eq(submit(t, MTR_PREPAID_DELIVERY_REMOTE, &r), MTR_OK);
    }
    struct mtr_sts_token o = {.cls = 0, .subclass = 4, .tid = old_tid, .field = 5};
    cr_assert_eq(mtr_sts_encode(&fx.ciph, PP_DK, &o, t), MTR_OK);
    refused(t, 20, MTR_ERR_STS_OLD, MTR_STS_REJECT_OLD, MTR_PREPAID_GW_VALIDATION_FAILURE);
    /* closed account */
    cr_assert_eq(mtr_prepaid_close(&fx.pp, fx.utc), MTR_OK);
    pp_fx_token(&fx, MTR_STS_CREDIT_ELECTRICITY_CURRENCY, 5, t);
    refused(t, 20, MTR_ERR_PREPAID_ACCOUNT, MTR_STS_REJECT_CLASS, MTR_PREPAID_GW_EXECUTION_FAILURE);
    pp_fx_balanced(&fx.pp);
}

Test(prepaid_gateway, expired_key_refused)
{
    struct mtr_sts_key key = {.dk = PP_DK, .krn = 1, .kt = 2, .ti = 1, .ken = 0,
                              .base = MTR_STS_BASE_2014};
    char t[21];
    cr_assert_eq(mtr_sts_init(&fx.sts, &fx.ciph, &key), MTR_OK);
    pp_fx_token(&fx, MTR_STS_CREDIT_ELECTRICITY_CURRENCY, 5, t); /* TID >> 16 = 76 > KEN 0 */
    refused(t, 20, MTR_ERR_STS_KEY_EXPIRED, MTR_STS_REJECT_KEY_EXPIRED,
            MTR_PREPAID_GW_AUTHENTICATION_FAILURE);
}

Test(prepaid_gateway, no_decoder)
{
    struct mtr_prepaid p;
    struct mtr_prepaid_token_result r;
    cr_assert_eq(mtr_prepaid_init(&p, &fx.cfg, NULL), MTR_OK);
    cr_assert_eq(mtr_prepaid_token_submit(&p, "12345678901234567890", 20,
                                          MTR_PREPAID_DELIVERY_MANUAL, 0, &r), MTR_ERR_NOTSUP);
}

Test(prepaid_gateway, clear_credit_and_other_management_tokens)
{
    char t[21];
    struct mtr_prepaid_token_result r;
    pp_fx_token(&fx, MTR_STS_CREDIT_ELECTRICITY_CURRENCY, 700, t);
    cr_assert_eq(submit(t, MTR_PREPAID_DELIVERY_MANUAL, &r), MTR_OK);
    struct mtr_sts_token p = {.cls = 2, .subclass = MTR_STS_MGMT_SET_MAX_POWER, .tid = fx.tid++,
                              .field = 5000};
    cr_assert_eq(mtr_sts_encode(&fx.ciph, PP_DK, &p, t), MTR_OK);
    cr_assert_eq(submit(t, MTR_PREPAID_DELIVERY_REMOTE, &r), MTR_OK);
    cr_assert_eq(r.sts.status, MTR_STS_MGMT_ACCEPTED);
    cr_assert_eq(r.sts.value, 5000, "the limit is the caller's to apply");
    cr_assert_eq(mtr_prepaid_credit_amount(&fx.pp, MTR_PREPAID_CREDIT_TOKEN), 700);
    cr_assert_eq(submit(t, MTR_PREPAID_DELIVERY_REMOTE, &r), MTR_ERR_STS_USED);
    struct mtr_sts_token c = {.cls = 2, .subclass = MTR_STS_MGMT_CLEAR_CREDIT, .tid = fx.tid++,
                              .field = 0};
    cr_assert_eq(mtr_sts_encode(&fx.ciph, PP_DK, &c, t), MTR_OK);
    cr_assert_eq(submit(t, MTR_PREPAID_DELIVERY_REMOTE, &r), MTR_OK);
    cr_assert_eq(r.cleared, 700);
    cr_assert_eq(mtr_prepaid_credit_amount(&fx.pp, MTR_PREPAID_CREDIT_TOKEN), 0);
    cr_assert_eq(mtr_prepaid_ledger(&fx.pp).cleared, 700);
    fx.utc += 60;
    cr_assert_not(pp_fx_tick(&fx, NULL, 0, false).supply.allowed);
    pp_fx_balanced(&fx.pp);
}

/* ------------------------------------------------------------------ blob */

static void some_state(void)
{
    char t[21];
    struct mtr_prepaid_token_result r;
    struct mtr_prepaid_unit_charge uc;
    struct mtr_prepaid_charge_cfg sc = {.type = MTR_PREPAID_CHARGE_TIME,
                                        .config = MTR_PREPAID_CHG_CONTINUOUS,
                                        .period_s = 86400, .amount = 77};
    struct mtr_prepaid_credit_cfg ec = {.priority = 2, .config = MTR_PREPAID_CC_PAID_BACK |
                                        MTR_PREPAID_CC_CONFIRMATION, .preset = 300,
                                        .available_threshold = 50};
    memset(&uc, 0, sizeof uc);
    uc.tariff[0] = 12345;
    uc.blocks = 2;
    uc.upper[0] = 50000000;
    uc.block_price[1] = 999;
    cr_assert_eq(mtr_prepaid_set_passive(&fx.pp, &uc, -1), MTR_OK);
    cr_assert_eq(mtr_prepaid_activate_passive(&fx.pp), MTR_OK);
    cr_assert_eq(mtr_prepaid_set_charge(&fx.pp, 0, &sc), MTR_OK);
    cr_assert_eq(mtr_prepaid_set_credit(&fx.pp, MTR_PREPAID_CREDIT_EMERGENCY, &ec), MTR_OK);
    pp_fx_token(&fx, MTR_STS_CREDIT_ELECTRICITY_CURRENCY, 900, t);
    cr_assert_eq(submit(t, MTR_PREPAID_DELIVERY_MANUAL, &r), MTR_OK);
    struct mtr_prepaid_usage u = {{1234567, 7654321}};
    pp_fx_tick(&fx, &u, 0, false);
    fx.utc += 40000;
    pp_fx_tick(&fx, &u, 0, false);
}

Test(prepaid_gateway, blob_round_trip_and_every_corruption_refused)
{
    static uint8_t a[MTR_PREPAID_STATE_SIZE], b[MTR_PREPAID_STATE_SIZE], c[MTR_PREPAID_STATE_SIZE];
    size_t n, m;
    some_state();
    cr_assert_eq(mtr_prepaid_save(&fx.pp, a, sizeof a - 1, &n), MTR_ERR_FULL);
    cr_assert_eq(mtr_prepaid_save(&fx.pp, a, sizeof a, &n), MTR_OK);
    cr_assert_leq(n, MTR_PREPAID_STATE_SIZE);

    struct pp_fx other;
    pp_fx_init(&other, MTR_PREPAID_UNIT_CURRENCY);
    other.pp.cfg = &fx.cfg;
    other.pp.sts = &other.sts;
    cr_assert_eq(mtr_prepaid_load(&other.pp, a, n), MTR_OK);
    cr_assert_eq(mtr_prepaid_save(&other.pp, b, sizeof b, &m), MTR_OK);
    cr_assert_eq(m, n);
    cr_assert_eq(memcmp(a, b, n), 0);
    cr_assert_eq(mtr_prepaid_available(&other.pp), mtr_prepaid_available(&fx.pp));
    cr_assert_eq(mtr_sts_tid_count(&other.sts), mtr_sts_tid_count(&fx.sts));

    struct mtr_prepaid before = fx.pp;
    struct mtr_sts sts_before = fx.sts;
    for (size_t len = 0; len < n; len++)
        cr_assert_eq(mtr_prepaid_load(&fx.pp, a, len), len < 8 ? MTR_ERR_PREPAID_BLOB
                     : MTR_ERR_PREPAID_BLOB, "length %zu", len);
    for (size_t bit = 0; bit < n * 8; bit++) {
        memcpy(c, a, n);
        c[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        mtr_err_t e = mtr_prepaid_load(&fx.pp, c, n);
        cr_assert(e == MTR_ERR_PREPAID_BLOB || e == MTR_ERR_PREPAID_BLOB_CRC ||
                  e == MTR_ERR_PREPAID_VERSION, "bit %zu: %d", bit, e);
    }
    cr_assert_eq(memcmp(&before, &fx.pp, sizeof before), 0);
    cr_assert_eq(memcmp(&sts_before, &fx.sts, sizeof sts_before), 0);
}

static void reseal(uint8_t *buf, size_t n)
{
    uint32_t crc = mtr_crc32(buf, n - 4);
    buf[n - 4] = (uint8_t)(crc >> 24); buf[n - 3] = (uint8_t)(crc >> 16);
    buf[n - 2] = (uint8_t)(crc >> 8); buf[n - 1] = (uint8_t)crc;
}

Test(prepaid_gateway, blob_with_valid_crc_but_bad_content_refused)
{
    static uint8_t a[MTR_PREPAID_STATE_SIZE], c[MTR_PREPAID_STATE_SIZE];
    size_t n;
    some_state();
    cr_assert_eq(mtr_prepaid_save(&fx.pp, a, sizeof a, &n), MTR_OK);
    struct mtr_prepaid before = fx.pp;
    memcpy(c, a, n); c[2] = 3; reseal(c, n);
    cr_assert_eq(mtr_prepaid_load(&fx.pp, c, n), MTR_ERR_PREPAID_VERSION);
    memcpy(c, a, n); c[3] = MTR_PREPAID_UNIT_ENERGY; reseal(c, n);
    cr_assert_eq(mtr_prepaid_load(&fx.pp, c, n), MTR_ERR_PREPAID_BLOB, "other unit");
    memcpy(c, a, n); c[12] = 9; reseal(c, n); /* payment mode */
    cr_assert_eq(mtr_prepaid_load(&fx.pp, c, n), MTR_ERR_PREPAID_BLOB);
    /* one cent more of token credit: the books no longer balance */
    memcpy(c, a, n);
    c[63 + 47 + 7] ^= 1u; /* low byte of the token credit's amount */
    reseal(c, n);
    cr_assert_eq(mtr_prepaid_load(&fx.pp, c, n), MTR_ERR_PREPAID_BLOB);
    cr_assert_eq(memcmp(&before, &fx.pp, sizeof before), 0);
}

/* ------------------------------------------------------------- power cuts */

/* Two NVM slots written alternately; a write can be cut after any byte
 * (the rest of the slot keeps its old bytes). Start-up loads the valid
 * slot of the larger generation. */
struct slots {
    uint8_t b[2][MTR_PREPAID_STATE_SIZE];
    size_t n[2];
    unsigned next;
};

static void slot_write(struct slots *s, const struct mtr_prepaid *pp, size_t cut)
{
    uint8_t tmp[MTR_PREPAID_STATE_SIZE];
    size_t n;
    cr_assert_eq(mtr_prepaid_save(pp, tmp, sizeof tmp, &n), MTR_OK);
    size_t k = cut < n ? cut : n;
    memcpy(s->b[s->next], tmp, k);
    if (cut >= n) {
        s->n[s->next] = n;
        s->next ^= 1u;
    } else if (s->n[s->next] < n) {
        s->n[s->next] = n; /* torn: length as the reader will try it */
    }
}

static void restart(struct slots *s, struct pp_fx *f)
{
    int best = -1;
    uint32_t gen = 0;
    pp_fx_init(f, MTR_PREPAID_UNIT_CURRENCY);
    for (int i = 0; i < 2; i++) {
        struct pp_fx probe;
        pp_fx_init(&probe, MTR_PREPAID_UNIT_CURRENCY);
        probe.pp.cfg = &f->cfg;
        probe.pp.sts = &probe.sts;
        if (mtr_prepaid_load(&probe.pp, s->b[i], s->n[i]) == MTR_OK &&
            (best < 0 || mtr_prepaid_generation(&probe.pp) > gen)) {
            best = i;
            gen = mtr_prepaid_generation(&probe.pp);
        }
    }
    cr_assert_geq(best, 0, "no valid copy");
    cr_assert_eq(mtr_prepaid_load(&f->pp, s->b[best], s->n[best]), MTR_OK);
}

Test(prepaid_gateway, power_cut_at_every_step_of_a_token_neither_loses_nor_doubles)
{
    static struct slots base, s;
    static struct pp_fx f;
    char tok[21];
    struct mtr_prepaid_token_result r;
    size_t blob_len, n_after = 0;
    uint8_t tmp[MTR_PREPAID_STATE_SIZE];

    some_state();
    memset(&base, 0, sizeof base);
    slot_write(&base, &fx.pp, SIZE_MAX);
    slot_write(&base, &fx.pp, SIZE_MAX);
    int64_t credit0 = mtr_prepaid_credit_amount(&fx.pp, MTR_PREPAID_CREDIT_TOKEN);
    pp_fx_token(&fx, MTR_STS_CREDIT_ELECTRICITY_CURRENCY, 4321, tok);
    cr_assert_eq(mtr_prepaid_save(&fx.pp, tmp, sizeof tmp, &blob_len), MTR_OK);

    /* steps: 0 = after check only, 1 = after submit, 2.. = cut after byte k
     * of the blob write, last = write complete */
    /* the accepted token's TID adds 3 bytes to the blob */
    for (size_t step = 0; step <= blob_len + 6; step++) {
        bool complete = false;
        s = base;
        restart(&s, &f);
        if (step == 0) {
            struct mtr_sts_result sr;
            cr_assert_eq(mtr_sts_check(&f.sts, tok, 20, UINT32_MAX, &sr), MTR_OK);
        } else {
            cr_assert_eq(mtr_prepaid_token_submit(&f.pp, tok, 20, MTR_PREPAID_DELIVERY_MANUAL,
                                                  f.utc, &r), MTR_OK);
            cr_assert_eq(mtr_prepaid_save(&f.pp, tmp, sizeof tmp, &n_after), MTR_OK);
            cr_assert_eq(n_after, blob_len + 3);
            complete = step >= 2 && step - 2 >= n_after;
            if (step >= 2)
                slot_write(&s, &f.pp, step - 2);
        }
        /* power cut: everything in RAM is gone */
        restart(&s, &f);
        mtr_err_t again = mtr_prepaid_token_submit(&f.pp, tok, 20, MTR_PREPAID_DELIVERY_MANUAL,
                                                   f.utc, &r);
        cr_assert(again == MTR_OK || again == MTR_ERR_STS_USED, "step %zu: %d", step, again);
        if (complete)
            cr_assert_eq(again, MTR_ERR_STS_USED, "step %zu: saved, so used", step);
        if (step < 2)
            cr_assert_eq(again, MTR_OK, "step %zu: nothing saved yet", step);
        cr_assert_eq(mtr_prepaid_credit_amount(&f.pp, MTR_PREPAID_CREDIT_TOKEN), credit0 + 4321,
                     "step %zu", step);
        pp_fx_balanced(&f.pp);
    }
}
