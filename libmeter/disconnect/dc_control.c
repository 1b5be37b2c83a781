/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Disconnect control (COSEM class 70): the transition table of the control
 * modes, the transitions with their commit point, local causes, relays.
 *
 * Commit point of a transition: the new state is persisted with the
 * transition marked pending BEFORE the relay moves; then the relay is driven,
 * the event logged and the pending mark cleared by a second persist. A power
 * cut anywhere leaves either the old state with the relay untouched, or the
 * new state, which mtr_disconnect_restore() drives the relay to (once).
 */
#include "dc_priv.h"

#include <string.h>

#include "meter/meter.h"

#define T(x) (1u << MTR_DC_T_##x)

/*
 * Allowed transitions per control mode, from the seed's Table 7
 * (../shared/reference/disconnector-modes.csv, checked row by row by the
 * tests against the file itself). Mode 6 follows the table (a, f allowed;
 * d not), not the seed's text; see docs/disconnect.md.
 */
static const uint8_t mode_mask[MTR_DC_MODE_MAX + 1] = {
    0,                                                  /* 0 */
    T(B) | T(C) | T(F) | T(G) | T(D) | T(E),            /* 1 */
    T(B) | T(C) | T(F) | T(G) | T(A) | T(E),            /* 2 */
    T(B) | T(C) | T(G) | T(D) | T(E),                   /* 3 */
    T(B) | T(C) | T(G) | T(A) | T(E),                   /* 4 */
    T(B) | T(C) | T(F) | T(G) | T(D) | T(E) | T(H),     /* 5 */
    T(B) | T(C) | T(F) | T(G) | T(A) | T(E) | T(H),     /* 6 */
    T(B) | T(C) | T(G) | T(D) | T(E) | T(H),            /* 7 */
    T(B) | T(C) | T(G) | T(A) | T(E) | T(H),            /* 8 */
};

const uint8_t dc_from[MTR_DC_T_COUNT] = {
    MTR_DC_DISCONNECTED, MTR_DC_CONNECTED, MTR_DC_READY, MTR_DC_DISCONNECTED,
    MTR_DC_READY,        MTR_DC_CONNECTED, MTR_DC_CONNECTED, MTR_DC_READY,
};
const uint8_t dc_to[MTR_DC_T_COUNT] = {
    MTR_DC_CONNECTED, MTR_DC_DISCONNECTED, MTR_DC_DISCONNECTED, MTR_DC_READY,
    MTR_DC_CONNECTED, MTR_DC_READY,        MTR_DC_READY,        MTR_DC_CONNECTED,
};

/* Event of each transition: d logs 59 (the supply is not back yet, it is
 * ready for manual reconnection); a logs 63. */
const uint8_t dc_trans_event[MTR_DC_T_COUNT] = {
    DC_EV_REM_RECON, DC_EV_REM_DISC,  DC_EV_REM_DISC, DC_EV_READY,
    DC_EV_MAN_RECON, DC_EV_MAN_DISC,  DC_EV_LOC_DISC, DC_EV_LOC_RECON,
};

/* (code, name) pairs exactly as in the seed's event-codes.csv (Table 10). */
static const struct {
    uint8_t code;
    const char *name;
} dc_events[DC_EV_COUNT] = {
    {59, "Disconnector ready for manual reconnection"},
    {60, "Manual disconnection"},
    {61, "Manual reconnection"},
    {62, "Remote disconnection"},
    {63, "Remote reconnection"},
    {64, "Local disconnection"},
    {65, "Limiter threshold exceeded"},
    {66, "Limiter threshold OK"},
    {67, "Limiter threshold changed"},
    {68, "Disconnect/reconnect failure"},
    {69, "Local reconnection"},
};

uint8_t mtr_disconnect_mode_mask(uint8_t mode)
{
    return mode <= MTR_DC_MODE_MAX ? mode_mask[mode] : 0;
}

size_t mtr_disconnect_ctx_size(void)
{
    return sizeof(struct mtr_disconnect);
}

void dc_emit(const struct mtr_disconnect *dc, enum dc_ev ev, uint8_t ch)
{
    if (dc->cfg->on_event != NULL) {
        struct mtr_dc_event e = {dc_events[ev].code, ch, dc_events[ev].name};
        dc->cfg->on_event(dc->cfg->user, &e);
    }
}

mtr_err_t dc_commit(struct mtr_disconnect *dc)
{
    uint8_t buf[MTR_DISCONNECT_BLOB_SIZE];

    if (dc->cfg->persist == NULL) {
        return MTR_OK;
    }
    (void)mtr_disconnect_save(dc, buf, sizeof buf);
    return dc->cfg->persist(dc->cfg->user, buf, sizeof buf);
}

static bool has_relay(const struct mtr_disconnect *dc)
{
    return dc->hal->io != NULL && dc->hal->io->relay_set != NULL;
}

static void relay_failed(struct mtr_disconnect *dc, uint8_t ch)
{
    dc->s.ch[ch].fault = true;
    dc->s.ch[ch].watch = false;
    dc_emit(dc, DC_EV_FAILURE, ch);
    if (dc->cfg->on_alarm != NULL) {
        dc->cfg->on_alarm(dc->cfg->user, MTR_DC_ALARM_REGISTER, MTR_DC_ALARM_RELAY_FAILURE);
    }
}

mtr_err_t dc_drive(struct mtr_disconnect *dc, uint8_t ch, bool closed, mtr_ms_t now_ms)
{
    struct mtr_dc_channel *c = &dc->s.ch[ch];
    mtr_err_t err;

    if (!has_relay(dc)) {
        return MTR_ERR_NOTSUP;
    }
    c->cmd = closed;
    err = dc->hal->io->relay_set(dc->hal->ctx, dc->cfg->relay[ch], closed);
    if (err != MTR_OK) {
        relay_failed(dc, ch);
        return err;
    }
    c->watch = true;
    c->drive_ms = now_ms;
    return MTR_OK;
}

void dc_supervise(struct mtr_disconnect *dc, mtr_ms_t now_ms)
{
    for (uint8_t ch = 0; ch < MTR_CFG_DISCONNECT_CHANNELS; ch++) {
        struct mtr_dc_channel *c = &dc->s.ch[ch];
        bool fb = !c->cmd;

        if (!c->watch) {
            continue;
        }
        if (dc->hal->io->relay_feedback == NULL) {
            c->watch = false;
            continue;
        }
        if (dc->hal->io->relay_feedback(dc->hal->ctx, dc->cfg->relay[ch], &fb) == MTR_OK &&
            fb == c->cmd) {
            c->watch = false;
            c->fault = false;
        } else if (mtr_ms_elapsed(now_ms, c->drive_ms) >= dc->cfg->feedback_ms) {
            relay_failed(dc, ch);
        }
    }
}

static mtr_err_t check(const struct mtr_disconnect *dc, const struct mtr_dc_channel *c,
                       enum mtr_dc_transition t)
{
    if ((mode_mask[c->mode] & (1u << t)) == 0) {
        return MTR_ERR_DISCONNECT_FORBIDDEN;
    }
    if (c->state != dc_from[t]) {
        return MTR_ERR_DISCONNECT_STATE;
    }
    if (dc_to[t] == MTR_DC_CONNECTED && c->causes != 0) {
        return MTR_ERR_DISCONNECT_CAUSE;
    }
    if ((dc_to[t] == MTR_DC_CONNECTED || c->state == MTR_DC_CONNECTED) && !has_relay(dc)) {
        return MTR_ERR_NOTSUP;
    }
    return MTR_OK;
}

/* Checked transition; dc->s may already hold other changes to commit with it,
 * @p before is what to go back to if the commit fails. */
static mtr_err_t transition(struct mtr_disconnect *dc, uint8_t ch, enum mtr_dc_transition t,
                            mtr_ms_t now_ms, const struct mtr_dc_saved *before)
{
    struct mtr_dc_channel *c = &dc->s.ch[ch];
    bool was_closed = c->state == MTR_DC_CONNECTED;
    bool closed = dc_to[t] == MTR_DC_CONNECTED;
    mtr_err_t err;

    c->state = dc_to[t];
    c->pending = (uint8_t)(t + 1u);
    err = dc_commit(dc);
    if (err != MTR_OK) {
        dc->s = *before;
        return err;
    }
    if (closed != was_closed) {
        err = dc_drive(dc, ch, closed, now_ms);
    }
    dc_emit(dc, (enum dc_ev)dc_trans_event[t], ch);
    c->pending = 0;
    (void)dc_commit(dc); /* if lost: the event is logged again after a restart */
    return err;
}

mtr_err_t mtr_disconnect_apply(struct mtr_disconnect *dc, uint8_t ch, enum mtr_dc_transition t,
                               mtr_ms_t now_ms)
{
    struct mtr_dc_saved before;
    mtr_err_t err;

    MTR_ASSERT(dc != NULL);
    if (ch >= MTR_CFG_DISCONNECT_CHANNELS || (unsigned)t >= MTR_DC_T_COUNT) {
        return MTR_ERR_DISCONNECT_CHANNEL;
    }
    err = check(dc, &dc->s.ch[ch], t);
    if (err != MTR_OK) {
        return err;
    }
    before = dc->s;
    return transition(dc, ch, t, now_ms, &before);
}

mtr_err_t mtr_disconnect_remote_disconnect(struct mtr_disconnect *dc, uint8_t ch, mtr_ms_t now_ms)
{
    MTR_ASSERT(dc != NULL);
    if (ch >= MTR_CFG_DISCONNECT_CHANNELS) {
        return MTR_ERR_DISCONNECT_CHANNEL;
    }
    return mtr_disconnect_apply(dc, ch, dc->s.ch[ch].state == MTR_DC_READY ? MTR_DC_T_C : MTR_DC_T_B,
                                now_ms);
}

mtr_err_t mtr_disconnect_remote_reconnect(struct mtr_disconnect *dc, uint8_t ch, mtr_ms_t now_ms)
{
    MTR_ASSERT(dc != NULL);
    if (ch >= MTR_CFG_DISCONNECT_CHANNELS) {
        return MTR_ERR_DISCONNECT_CHANNEL;
    }
    return mtr_disconnect_apply(
        dc, ch, (mode_mask[dc->s.ch[ch].mode] & T(D)) != 0 ? MTR_DC_T_D : MTR_DC_T_A, now_ms);
}

static bool bad_cause(uint8_t ch, uint8_t cause)
{
    return ch >= MTR_CFG_DISCONNECT_CHANNELS || cause == 0 || (cause & ~MTR_DC_CAUSE_ALL) != 0;
}

static mtr_err_t commit_or_revert(struct mtr_disconnect *dc, const struct mtr_dc_saved *before)
{
    mtr_err_t err = dc_commit(dc);
    if (err != MTR_OK) {
        dc->s = *before;
    }
    return err;
}

mtr_err_t mtr_disconnect_local_set(struct mtr_disconnect *dc, uint8_t ch, uint8_t cause,
                                   mtr_ms_t now_ms)
{
    struct mtr_dc_saved before;
    struct mtr_dc_channel *c;
    mtr_err_t err;

    MTR_ASSERT(dc != NULL);
    if (bad_cause(ch, cause)) {
        return MTR_ERR_DISCONNECT_CHANNEL;
    }
    c = &dc->s.ch[ch];
    before = dc->s;
    if (c->state == MTR_DC_CONNECTED) {
        err = check(dc, c, MTR_DC_T_G);
        if (err != MTR_OK) {
            return err;
        }
        c->causes |= cause;
        return transition(dc, ch, MTR_DC_T_G, now_ms, &before);
    }
    if ((c->causes | cause) == c->causes) {
        return MTR_OK;
    }
    c->causes |= cause;
    return commit_or_revert(dc, &before);
}

mtr_err_t mtr_disconnect_local_clear(struct mtr_disconnect *dc, uint8_t ch, uint8_t cause,
                                     mtr_ms_t now_ms)
{
    struct mtr_dc_saved before;
    struct mtr_dc_channel *c;

    MTR_ASSERT(dc != NULL);
    if (bad_cause(ch, cause)) {
        return MTR_ERR_DISCONNECT_CHANNEL;
    }
    c = &dc->s.ch[ch];
    if ((c->causes & cause) == 0) {
        return MTR_OK;
    }
    before = dc->s;
    c->causes &= (uint8_t)~cause;
    if (c->causes == 0 && check(dc, c, MTR_DC_T_H) == MTR_OK) {
        return transition(dc, ch, MTR_DC_T_H, now_ms, &before);
    }
    return commit_or_revert(dc, &before);
}

mtr_err_t mtr_disconnect_set_mode(struct mtr_disconnect *dc, uint8_t ch, uint8_t mode)
{
    struct mtr_dc_saved before;

    MTR_ASSERT(dc != NULL);
    if (ch >= MTR_CFG_DISCONNECT_CHANNELS) {
        return MTR_ERR_DISCONNECT_CHANNEL;
    }
    if (mode > MTR_DC_MODE_MAX) {
        return MTR_ERR_DISCONNECT_MODE;
    }
    before = dc->s;
    dc->s.ch[ch].mode = mode;
    return commit_or_revert(dc, &before);
}

/* ------------------------------------------------------------- accessors */

static const struct mtr_dc_channel *chan(const struct mtr_disconnect *dc, uint8_t ch)
{
    MTR_ASSERT(dc != NULL && ch < MTR_CFG_DISCONNECT_CHANNELS);
    return &dc->s.ch[ch];
}

uint8_t mtr_disconnect_state(const struct mtr_disconnect *dc, uint8_t ch)
{
    return chan(dc, ch)->state;
}

bool mtr_disconnect_output(const struct mtr_disconnect *dc, uint8_t ch)
{
    return chan(dc, ch)->state == MTR_DC_CONNECTED;
}

uint8_t mtr_disconnect_mode(const struct mtr_disconnect *dc, uint8_t ch)
{
    return chan(dc, ch)->mode;
}

uint8_t mtr_disconnect_causes(const struct mtr_disconnect *dc, uint8_t ch)
{
    return chan(dc, ch)->causes;
}

bool mtr_disconnect_relay_fault(const struct mtr_disconnect *dc, uint8_t ch)
{
    return chan(dc, ch)->fault;
}
