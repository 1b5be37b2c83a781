/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The tick: friendly periods, price activation, consumption and time
 * charges, time-based credit, the emergency credit button, the supply.
 */
#include "pp_priv.h"

#define HOURS_MASK 0x00FFFFFFu

mtr_err_t mtr_prepaid_set_friendly(struct mtr_prepaid *pp, const struct mtr_prepaid_friendly *f)
{
    MTR_ASSERT(pp != NULL && f != NULL);
    for (unsigned d = 0; d < 7; d++) {
        if ((f->hours[d] & ~HOURS_MASK) != 0) {
            return MTR_ERR_RANGE;
        }
    }
    pp->s.friendly = *f;
    pp->s.generation++;
    return MTR_OK;
}

static mtr_err_t check_input(const struct mtr_prepaid *pp, const struct mtr_prepaid_input *in)
{
    if (in->weekday > 6 || in->hour > 23 || in->utc < 0 || in->utc > PP_UTC_MAX) {
        return MTR_ERR_RANGE;
    }
    if (pp->s.last_utc >= 0 && in->utc < pp->s.last_utc) {
        return MTR_ERR_PREPAID_TIME;
    }
    if (in->usage != NULL) {
        for (unsigned t = 0; t < MTR_CFG_TARIFFS; t++) {
            if (in->usage->delta[t] < 0 || in->usage->delta[t] > MTR_PREPAID_DELTA_MAX_MWH) {
                return MTR_ERR_RANGE;
            }
        }
    }
    return MTR_OK;
}

static bool friendly_now(const struct mtr_prepaid_friendly *f, const struct mtr_prepaid_input *in)
{
    if (in->friendly || (in->special_day && f->special_days)) {
        return true;
    }
    return ((f->hours[in->weekday] >> in->hour) & 1u) != 0;
}

/* A press of the emergency credit button counts when released after at
 * least ec_press_min_ms and before ec_press_max_ms (seed: "less than 5 s"). */
static void button(struct mtr_prepaid *pp, const struct mtr_prepaid_input *in)
{
    bool pressed = (in->inputs & pp->cfg->ec_button) != 0;

    if (pressed && !pp->btn_down) {
        pp->btn_down = true;
        pp->btn_since = in->now_ms;
    } else if (!pressed && pp->btn_down) {
        uint32_t held = mtr_ms_elapsed(in->now_ms, pp->btn_since);
        pp->btn_down = false;
        if (held >= pp->cfg->ec_press_min_ms && held < pp->cfg->ec_press_max_ms) {
            (void)pp_ec_invoke(&pp->s, &pp->events);
        }
    }
}

mtr_err_t mtr_prepaid_tick(struct mtr_prepaid *pp, const struct mtr_prepaid_input *in,
                           struct mtr_prepaid_output *out)
{
    struct mtr_prepaid_state *st;
    mtr_err_t err;
    bool friendly;

    MTR_ASSERT(pp != NULL && in != NULL);
    st = &pp->s;
    err = check_input(pp, in);
    if (err != MTR_OK) {
        return err;
    }
    friendly = friendly_now(&st->friendly, in);
    pp->friendly_now = friendly;
    if (in->usage != NULL) {
        pp_charge_usage(st, pp->cfg->unit, in->usage, in->utc);
    }
    if (st->passive_utc >= 0 && in->utc >= st->passive_utc) {
        st->active = st->passive;
        st->passive_utc = -1;
        pp->events |= MTR_PREPAID_EV_PRICE_ACTIVATED;
    }
    pp_charge_time(st, in->utc, friendly, &pp->events);
    pp_period_credits(st, in->utc);
    button(pp, in);
    pp_settle(st, friendly, &pp->events);
    st->last_utc = in->utc;
    st->generation++;
    if (out != NULL) {
        out->supply = mtr_prepaid_supply(pp);
        out->events = pp->events;
        out->status = pp_status_bits(st);
    }
    pp->events = 0;
    return MTR_OK;
}

mtr_err_t mtr_prepaid_time_set(struct mtr_prepaid *pp, mtr_utc_t utc)
{
    MTR_ASSERT(pp != NULL);
    if (utc < 0 || utc > PP_UTC_MAX) {
        return MTR_ERR_RANGE;
    }
    /* the credits' periods are date-times: a jump forward tops up once at
     * the next tick, a jump back waits for them */
    pp->s.last_utc = utc;
    pp->s.generation++;
    return MTR_OK;
}
