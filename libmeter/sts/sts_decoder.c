/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The meter's STS decoder: checks a token against the key, the key expiry
 * number and the TID memory, then records it (two steps, so that the
 * consumer of the token can persist its effect and the TID together).
 */
#include <string.h>

#include "meter/sts.h"

#include "sts_internal.h"

static const char *const messages[MTR_STS_STATUS_COUNT] = {
    [MTR_STS_ACCEPTED] = "Token accepted",
    [MTR_STS_MGMT_ACCEPTED] = "Token accepted",
    [MTR_STS_TEST_ACCEPTED] = "Test token accepted",
    [MTR_STS_KEY_CHANGE_1ST] = "Key change: enter second token",
    [MTR_STS_KEY_CHANGED] = "Key changed",
    [MTR_STS_REJECT_LENGTH] = "Incorrect token: 20 digits needed",
    [MTR_STS_REJECT_DIGIT] = "Incorrect token: digits only",
    [MTR_STS_REJECT_RANGE] = "Incorrect token",
    [MTR_STS_REJECT_CRC] = "Incorrect token: check the digits",
    [MTR_STS_REJECT_INCORRECT] = "Incorrect token",
    [MTR_STS_REJECT_CLASS] = "Token rejected",
    [MTR_STS_REJECT_SUBCLASS] = "Token rejected: not supported",
    [MTR_STS_REJECT_USED] = "Duplicate token",
    [MTR_STS_REJECT_OLD] = "Token rejected: too old",
    [MTR_STS_REJECT_KEY_EXPIRED] = "Token expired",
    [MTR_STS_REJECT_OVERFLOW] = "Token credit overflow",
    [MTR_STS_REJECT_FAULT] = "Token rejected: meter fault",
};

const char *mtr_sts_message(enum mtr_sts_status s)
{
    return (unsigned)s < MTR_STS_STATUS_COUNT ? messages[s] : "Unknown";
}

static bool key_ok(const struct mtr_sts_key *k)
{
    return k->kt <= 3u && k->krn >= 1u && k->krn <= 15u && k->ti <= 99u &&
           k->base < MTR_STS_BASE_COUNT;
}

mtr_err_t mtr_sts_init(struct mtr_sts *s, const struct mtr_sts_cipher *c,
                       const struct mtr_sts_key *key)
{
    MTR_ASSERT(s != NULL && c != NULL && key != NULL);
    if (!mtr_sts_cipher_ok(c) || !key_ok(key))
        return MTR_ERR_INVAL;
    memset(s, 0, sizeof *s);
    s->cipher = *c;
    s->key = *key;
    return MTR_OK;
}

/* ------------------------------------------------------------------ check */

static mtr_err_t reject(struct mtr_sts_result *r, enum mtr_sts_status st, mtr_err_t err)
{
    r->status = st;
    return err;
}

static mtr_err_t status_of(mtr_err_t err, struct mtr_sts_result *r)
{
    switch (err) {
    case MTR_ERR_STS_LENGTH: return reject(r, MTR_STS_REJECT_LENGTH, err);
    case MTR_ERR_STS_DIGIT: return reject(r, MTR_STS_REJECT_DIGIT, err);
    case MTR_ERR_STS_RANGE: return reject(r, MTR_STS_REJECT_RANGE, err);
    case MTR_ERR_STS_CRC: return reject(r, MTR_STS_REJECT_CRC, err);
    case MTR_ERR_STS_INCORRECT: return reject(r, MTR_STS_REJECT_INCORRECT, err);
    case MTR_ERR_STS_CLASS: return reject(r, MTR_STS_REJECT_CLASS, err);
    default: return reject(r, MTR_STS_REJECT_FAULT, err);
    }
}

static bool subclass_supported(const struct mtr_sts *s, const struct mtr_sts_token *t)
{
    if (t->cls == MTR_STS_CLASS_TEST)
        return t->subclass <= MTR_STS_TEST_DISPLAY_2;
    if (t->cls == MTR_STS_CLASS_MGMT && t->subclass == MTR_STS_MGMT_SET_KEY_1ST && t->ro &&
        s->key.base + 1u >= MTR_STS_BASE_COUNT)
        return false; /* no base date after 2035 */
    return t->subclass <= 7u;
}

static mtr_err_t check_tid(const struct mtr_sts *s, uint32_t tid, struct mtr_sts_result *r)
{
    uint32_t oldest = UINT32_MAX;

    if ((tid >> 16) > s->key.ken)
        return reject(r, MTR_STS_REJECT_KEY_EXPIRED, MTR_ERR_STS_KEY_EXPIRED);
    for (uint32_t i = 0; i < s->ntids; i++) {
        if (s->tids[i] == tid)
            return reject(r, MTR_STS_REJECT_USED, MTR_ERR_STS_USED);
        oldest = s->tids[i] < oldest ? s->tids[i] : oldest;
    }
    if (s->ntids == MTR_STS_TID_MEMORY && tid < oldest)
        return reject(r, MTR_STS_REJECT_OLD, MTR_ERR_STS_OLD);
    return MTR_OK;
}

/* The new key once both sections are known (one from the token, one held). */
static void key_change(const struct mtr_sts *s, struct mtr_sts_result *r)
{
    unsigned mine = r->token.subclass == MTR_STS_MGMT_SET_KEY_1ST ? 0u : 1u;
    unsigned other = mine ^ 1u;

    if (!((s->kct_have >> other) & 1u)) {
        r->status = MTR_STS_KEY_CHANGE_1ST;
        return;
    }
    const struct mtr_sts_token *hi = mine == 0u ? &r->token : &s->kct[0];
    const struct mtr_sts_token *lo = mine == 1u ? &r->token : &s->kct[1];
    r->new_dk = ((uint64_t)hi->key_half << 32) | lo->key_half;
    r->status = MTR_STS_KEY_CHANGED;
}

static mtr_err_t check_content(const struct mtr_sts *s, uint32_t room, struct mtr_sts_result *r)
{
    const struct mtr_sts_token *t = &r->token;
    mtr_err_t err;

    if (!subclass_supported(s, t))
        return reject(r, MTR_STS_REJECT_SUBCLASS, MTR_ERR_STS_SUBCLASS);
    if (t->cls == MTR_STS_CLASS_TEST) {
        r->status = MTR_STS_TEST_ACCEPTED;
        return MTR_OK;
    }
    if (!mtr_sts_has_tid(t->cls, t->subclass)) {
        key_change(s, r);
        return MTR_OK;
    }
    r->issued = mtr_sts_tid_to_utc((enum mtr_sts_base)s->key.base, t->tid);
    err = check_tid(s, t->tid, r);
    if (err != MTR_OK)
        return err;
    if (t->cls == MTR_STS_CLASS_CREDIT) {
        r->value = mtr_sts_amount_decode(t->field);
        if (r->value > room)
            return reject(r, MTR_STS_REJECT_OVERFLOW, MTR_ERR_STS_OVERFLOW);
        r->status = MTR_STS_ACCEPTED;
        return MTR_OK;
    }
    if (t->subclass == MTR_STS_MGMT_SET_MAX_POWER || t->subclass == MTR_STS_MGMT_SET_MAX_UNBALANCE)
        r->value = mtr_sts_amount_decode(t->field);
    r->status = MTR_STS_MGMT_ACCEPTED;
    return MTR_OK;
}

mtr_err_t mtr_sts_check(const struct mtr_sts *s, const char *digits, size_t len,
                        uint32_t credit_room, struct mtr_sts_result *r)
{
    struct mtr_sts_number n;
    mtr_err_t err;

    MTR_ASSERT(s != NULL && r != NULL);
    memset(r, 0, sizeof *r);
    r->stamp = s->changes;
    err = mtr_sts_digits_parse(digits, len, &n);
    if (err == MTR_OK)
        err = mtr_sts_decipher(&s->cipher, s->key.dk, &n, &r->token);
    if (err != MTR_OK)
        return status_of(err, r);
    return check_content(s, credit_room, r);
}

/* ----------------------------------------------------------------- commit */

static bool accepted(enum mtr_sts_status st)
{
    return st <= MTR_STS_KEY_CHANGED;
}

static void remember_tid(struct mtr_sts *s, uint32_t tid)
{
    uint32_t at = s->ntids;

    if (s->ntids == MTR_STS_TID_MEMORY) {
        at = 0;
        for (uint32_t i = 1; i < s->ntids; i++)
            at = s->tids[i] < s->tids[at] ? i : at;
    } else {
        s->ntids++;
    }
    s->tids[at] = tid;
}

static void apply_key(struct mtr_sts *s, const struct mtr_sts_result *r)
{
    const struct mtr_sts_token *hi =
        r->token.subclass == MTR_STS_MGMT_SET_KEY_1ST ? &r->token : &s->kct[0];
    const struct mtr_sts_token *lo =
        r->token.subclass == MTR_STS_MGMT_SET_KEY_2ND ? &r->token : &s->kct[1];

    s->key.dk = r->new_dk;
    s->key.krn = hi->krn;
    s->key.kt = hi->kt;
    s->key.ti = lo->ti;
    s->key.ken = (uint8_t)((hi->ken_high << 4) | lo->ken_low);
    if (hi->ro) {
        s->key.base++;
        s->ntids = 0; /* TIDs restart at the new base date */
    }
    s->kct_have = 0;
    memset(s->kct, 0, sizeof s->kct);
}

mtr_err_t mtr_sts_commit(struct mtr_sts *s, struct mtr_sts_result *r)
{
    MTR_ASSERT(s != NULL && r != NULL);
    if (!accepted(r->status) || r->stamp != s->changes)
        return MTR_ERR_STATE;
    if (r->status == MTR_STS_KEY_CHANGED) {
        apply_key(s, r);
    } else if (r->status == MTR_STS_KEY_CHANGE_1ST) {
        unsigned slot = r->token.subclass == MTR_STS_MGMT_SET_KEY_1ST ? 0u : 1u;
        s->kct[slot] = r->token;
        s->kct_have |= (uint8_t)(1u << slot);
    } else if (mtr_sts_has_tid(r->token.cls, r->token.subclass)) {
        remember_tid(s, r->token.tid);
    }
    s->changes++;
    r->stamp = s->changes;
    return MTR_OK;
}

mtr_err_t mtr_sts_process(struct mtr_sts *s, const char *digits, size_t len,
                          uint32_t credit_room, struct mtr_sts_result *r)
{
    mtr_err_t err = mtr_sts_check(s, digits, len, credit_room, r);

    return err == MTR_OK ? mtr_sts_commit(s, r) : err;
}

const struct mtr_sts_key *mtr_sts_current_key(const struct mtr_sts *s)
{
    MTR_ASSERT(s != NULL);
    return &s->key;
}

uint32_t mtr_sts_tid_count(const struct mtr_sts *s)
{
    MTR_ASSERT(s != NULL);
    return s->ntids;
}

uint32_t mtr_sts_tid_capacity(void)
{
    return MTR_STS_TID_MEMORY;
}

size_t mtr_sts_size(void)
{
    return sizeof(struct mtr_sts);
}
