/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Power cuts at every step of a transition, the saved-state blob (round trip,
 * corruption), relay feedback failure (seed: event 68 "Disconnect/reconnect
 * failure" and alarm register 2 bit 31, alarm-bits.csv) and the button
 * (seed: manual reconnection when held > 10 s, tou-limits.json).
 */
#include "dc_fixture.h"

#include "meter/bytes.h"
#include "meter/crc.h"

static void teardown(void)
{
    fx_teardown();
}

TestSuite(dc_power, .fini = teardown);

/* Position changes of relay @p r in the sim's log from entry @p from on. */
static int relay_moves(uint8_t r, uint32_t from, bool pos)
{
    struct mtr_sim_log_entry e;
    int moves = 0;
    for (uint32_t i = from; mtr_sim_relay_log(&fx.sim, i, &e); i++) {
        if (e.which == r && (e.value != 0) != pos) {
            pos = e.value != 0;
            moves++;
        }
    }
    return moves;
}

static uint32_t relay_log_len(void)
{
    struct mtr_sim_log_entry e;
    uint32_t n = 0;
    while (mtr_sim_relay_log(&fx.sim, n, &e)) {
        n++;
    }
    return n;
}

struct cut_case {
    const char *name;
    uint8_t mode;
    uint8_t from;
    enum mtr_dc_transition t; /* via apply, or the local cause API for g/h */
    uint8_t to;
    uint8_t event;
};

static mtr_err_t run_transition(const struct cut_case *c)
{
    if (c->t == MTR_DC_T_G) {
        return mtr_disconnect_local_set(&fx.dc, 0, MTR_DC_CAUSE_PREPAID, fx_ms());
    }
    if (c->t == MTR_DC_T_H) {
        return mtr_disconnect_local_clear(&fx.dc, 0, MTR_DC_CAUSE_PREPAID, fx_ms());
    }
    return mtr_disconnect_apply(&fx.dc, 0, c->t, fx_ms());
}

/* Run the transition with the cut armed at step @p k; true if power was cut. */
static bool attempt(const struct cut_case *c, int k)
{
    fx.steps = 0;
    fx.cut_at = k;
    if (setjmp(fx.jb) != 0) {
        return true;
    }
    cr_assert_eq(run_transition(c), MTR_OK);
    return false;
}

static void prepare(const struct cut_case *c)
{
    fx_setup_mode(c->mode);
    if (c->from != MTR_DC_READY) {
        cr_assert_eq(mtr_disconnect_apply(&fx.dc, 0, MTR_DC_T_E, fx_ms()), MTR_OK);
    }
    if (c->from == MTR_DC_DISCONNECTED) {
        cr_assert_eq(mtr_disconnect_apply(&fx.dc, 0, MTR_DC_T_B, fx_ms()), MTR_OK);
    }
    if (c->t == MTR_DC_T_H) {
        cr_assert_eq(mtr_disconnect_apply(&fx.dc, 0, MTR_DC_T_E, fx_ms()), MTR_OK);
        cr_assert_eq(mtr_disconnect_local_set(&fx.dc, 0, MTR_DC_CAUSE_PREPAID, fx_ms()), MTR_OK);
    }
    cr_assert_eq(mtr_disconnect_state(&fx.dc, 0), c->from);
    fx.nev = 0;
}

Test(dc_power, cut_at_every_step_of_a_transition)
{
    static const struct cut_case cases[] = {
        {"b", 1, MTR_DC_CONNECTED, MTR_DC_T_B, MTR_DC_DISCONNECTED, 62},
        {"a", 2, MTR_DC_DISCONNECTED, MTR_DC_T_A, MTR_DC_CONNECTED, 63},
        {"d", 1, MTR_DC_DISCONNECTED, MTR_DC_T_D, MTR_DC_READY, 59},
        {"e", 1, MTR_DC_READY, MTR_DC_T_E, MTR_DC_CONNECTED, 61},
        {"g", 5, MTR_DC_CONNECTED, MTR_DC_T_G, MTR_DC_READY, 64},
        {"h", 5, MTR_DC_READY, MTR_DC_T_H, MTR_DC_CONNECTED, 69},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct cut_case *c = &cases[i];
        int steps;

        /* count the steps of an uninterrupted run */
        prepare(c);
        fx.steps = 0;
        cr_assert_eq(run_transition(c), MTR_OK);
        steps = fx.steps;
        cr_assert_geq(steps, 3, "%s: persist, event, persist at least", c->name);
        fx_teardown();

        for (int k = 0; k <= steps; k++) {
            bool old_pos, cut;
            uint32_t log0, ops;
            uint8_t st;
            int events;

            prepare(c);
            old_pos = mtr_sim_relay(&fx.sim, 0);
            log0 = relay_log_len();
            cut = attempt(c, k);
            cr_assert_eq(cut, k < steps, "%s: cut %d", c->name, k);
            events = fx_count(c->event);
            ops = mtr_sim_relay_ops(&fx.sim, 0);
            cr_assert_eq(fx_restart(), MTR_OK, "%s: cut %d", c->name, k);
            st = mtr_disconnect_state(&fx.dc, 0);
            cr_assert(st == c->from || st == c->to, "%s: cut %d: state %u", c->name, k, st);
            cr_assert_eq(mtr_sim_relay(&fx.sim, 0), st == MTR_DC_CONNECTED,
                         "%s: cut %d: relay and state disagree", c->name, k);
            cr_assert_eq(mtr_sim_relay_ops(&fx.sim, 0), ops + 1, "%s: restore drives once", c->name);
            cr_assert_leq(relay_moves(0, log0, old_pos), 1, "%s: cut %d: relay toggled twice",
                          c->name, k);
            /* the event: once when the new state holds; the only repeat is
             * a cut after the event and before the pending mark is cleared */
            events = fx_count(c->event);
            if (st == c->from) {
                cr_assert_eq(events, 0, "%s: cut %d", c->name, k);
            } else {
                cr_assert(events == 1 || (events == 2 && k == steps - 1), "%s: cut %d: %d events",
                          c->name, k, events);
            }
            fx_teardown();
        }
    }
}

Test(dc_power, blob_round_trip)
{
    uint8_t a[MTR_DISCONNECT_BLOB_SIZE], b[MTR_DISCONNECT_BLOB_SIZE];
    struct mtr_dc_code_red cr = {2000000, 100, 3600, 600, 7};

    fx_setup_mode(6);
    cr_assert_eq(mtr_disconnect_blob_size(), sizeof a);
    cr_assert_eq(mtr_disconnect_apply(&fx.dc, 1, MTR_DC_T_C, fx_ms()), MTR_OK);
    cr_assert_eq(mtr_disconnect_set_mode(&fx.dc, 2, 3), MTR_OK);
    cr_assert_eq(mtr_disconnect_code_red(&fx.dc, &cr), MTR_OK);
    cr_assert_eq(mtr_disconnect_save(&fx.dc, a, sizeof a), MTR_OK);
    cr_assert_eq(mtr_disconnect_save(&fx.dc, a, sizeof a - 1), MTR_ERR_FULL);
    cr_assert_eq(mtr_get_be32(a + sizeof a - 4), mtr_crc32(a, sizeof a - 4));
    cr_assert_arr_eq(a, fx.nv, sizeof a, "the last persisted blob is the state");
    cr_assert_eq(fx_restart(), MTR_OK);
    cr_assert_eq(mtr_disconnect_save(&fx.dc, b, sizeof b), MTR_OK);
    cr_assert_arr_eq(a, b, sizeof a);
    cr_assert_eq(mtr_disconnect_state(&fx.dc, 1), MTR_DC_DISCONNECTED);
    cr_assert_eq(mtr_disconnect_mode(&fx.dc, 2), 3);
}

/* Rewrite the CRC after editing a blob. */
static void reseal(uint8_t *blob)
{
    mtr_put_be32(blob + MTR_DISCONNECT_BLOB_SIZE - 4, mtr_crc32(blob, MTR_DISCONNECT_BLOB_SIZE - 4));
}

static void expect_refused(const uint8_t *blob, size_t len, mtr_err_t err, const char *what)
{
    struct fx_snap before;
    fx_snap(&before);
    cr_assert_eq(mtr_disconnect_restore(&fx.dc, blob, len, fx_ms()), err, "%s", what);
    fx_assert_unchanged(&before, what);
}

Test(dc_power, corrupt_blobs_are_refused_and_change_nothing)
{
    uint8_t good[MTR_DISCONNECT_BLOB_SIZE], bad[MTR_DISCONNECT_BLOB_SIZE];
    const size_t ch0 = 5, lim = 5 + 4 * MTR_CFG_DISCONNECT_CHANNELS;
    const size_t trip = MTR_DISCONNECT_BLOB_SIZE - 4 - 10;

    fx_setup_mode(5);
    cr_assert_eq(mtr_disconnect_save(&fx.dc, good, sizeof good), MTR_OK);
    /* another engine, whose state must stay as it is */
    cr_assert_eq(mtr_disconnect_apply(&fx.dc, 0, MTR_DC_T_E, fx_ms()), MTR_OK);
    fx.nev = 0;
    for (size_t n = 0; n < sizeof good; n++) {
        expect_refused(good, n, n >= 5 && good[2] != 1 ? MTR_ERR_DISCONNECT_VERSION
                                                       : MTR_ERR_DISCONNECT_BLOB, "prefix");
    }
    for (size_t i = 0; i < sizeof good; i++) {
        memcpy(bad, good, sizeof bad);
        bad[i] ^= 0x10;
        expect_refused(bad, sizeof bad,
                       i == 2 ? MTR_ERR_DISCONNECT_VERSION
                              : (i < 5 ? MTR_ERR_DISCONNECT_BLOB : MTR_ERR_DISCONNECT_BLOB_CRC),
                       "flipped bit");
    }
    struct {
        size_t at;
        uint8_t v;
        mtr_err_t err;
    } edits[] = {
        {2, 2, MTR_ERR_DISCONNECT_VERSION},
        {ch0 + 0, 3, MTR_ERR_DISCONNECT_BLOB},    /* state */
        {ch0 + 1, 9, MTR_ERR_DISCONNECT_BLOB},    /* mode */
        {ch0 + 2, 0x08, MTR_ERR_DISCONNECT_BLOB}, /* unknown cause */
        {ch0 + 3, 9, MTR_ERR_DISCONNECT_BLOB},    /* pending past h */
        {ch0 + 3, 1, MTR_ERR_DISCONNECT_BLOB},    /* pending a, but state ready */
        {lim + 8, 0, MTR_ERR_DISCONNECT_BLOB},    /* averaging period, set to 29 below */
        {trip, 4, MTR_ERR_DISCONNECT_BLOB},       /* trip cause */
        {trip, 1, MTR_ERR_DISCONNECT_BLOB},       /* trip without a penalty end */
        {trip + 1, 2, MTR_ERR_DISCONNECT_BLOB},   /* exceeded not 0/1 */
    };
    for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
        memcpy(bad, good, sizeof bad);
        if (i == 6) {
            mtr_put_be16(bad + lim + 8, 29); /* averaging period below 30 s */
        } else {
            bad[edits[i].at] = edits[i].v;
        }
        reseal(bad);
        expect_refused(bad, sizeof bad, edits[i].err, "edited value");
    }
    /* a refused blob leaves the default safe state to mtr_disconnect_start() */
    cr_assert_eq(mtr_disconnect_init(&fx.dc, &fx.cfg, &fx.hal), MTR_OK);
    cr_assert_eq(mtr_disconnect_restore(&fx.dc, NULL, 0, fx_ms()), MTR_ERR_DISCONNECT_BLOB);
    cr_assert_eq(mtr_disconnect_start(&fx.dc, fx_ms()), MTR_OK);
    cr_assert_eq(mtr_disconnect_state(&fx.dc, 0), MTR_DC_READY);
    cr_assert_not(mtr_sim_relay(&fx.sim, 0));
}

Test(dc_power, relay_that_does_not_follow_raises_the_failure_once)
{
    uint32_t t0;
    fx_setup_mode(2);
    cr_assert_eq(mtr_disconnect_apply(&fx.dc, 0, MTR_DC_T_E, fx_ms()), MTR_OK);
    cr_assert_eq(fx_tick_ms(1000, 0), MTR_OK);
    cr_assert_not(mtr_disconnect_relay_fault(&fx.dc, 0));
    mtr_sim_relay_stick(&fx.sim, 0, true);
    fx.nev = 0;
    cr_assert_eq(mtr_disconnect_remote_disconnect(&fx.dc, 0, fx_ms()), MTR_OK);
    t0 = fx_ms();
    cr_assert_eq(mtr_disconnect_state(&fx.dc, 0), MTR_DC_DISCONNECTED);
    cr_assert_eq(fx_tick_ms(fx.cfg.feedback_ms - 1, 0), MTR_OK);
    cr_assert_eq(fx.alarms, 0, "not before the feedback time");
    cr_assert_eq(fx_tick_ms(1, 0), MTR_OK);
    cr_assert_eq(fx_ms() - t0, fx.cfg.feedback_ms);
    cr_assert_eq(fx.alarms, 1);
    cr_assert_eq(fx.alarm_reg, 2);
    cr_assert_eq(fx.alarm_mask, 0x80000000u, "alarm register 2 bit 31 (alarm-bits.csv)");
    cr_assert_eq(fx_count(68), 1);
    cr_assert(csv_has_event(68, fx.ev[fx.nev - 1].name));
    cr_assert(mtr_disconnect_relay_fault(&fx.dc, 0));
    for (int i = 0; i < 5; i++) {
        cr_assert_eq(fx_tick_ms(1000, 0), MTR_OK);
    }
    cr_assert_eq(fx_count(68), 1, "raised once");
    /* a relay that follows clears the fault */
    mtr_sim_relay_stick(&fx.sim, 0, false);
    cr_assert_eq(mtr_disconnect_remote_reconnect(&fx.dc, 0, fx_ms()), MTR_OK);
    cr_assert_eq(fx_tick_ms(10, 0), MTR_OK);
    cr_assert_not(mtr_disconnect_relay_fault(&fx.dc, 0));
}

/* Hold button 2 with bounce first; return ms from the steady press to the action. */
static uint32_t press(uint32_t bounce_ms, uint32_t limit_ms, uint8_t state)
{
    for (uint32_t t = 0; t < bounce_ms; t += 20) {
        mtr_sim_set_inputs(&fx.sim, (t / 20) % 2 == 0 ? MTR_IN_BUTTON_2 : 0);
        cr_assert_eq(fx_tick_ms(20, 0), MTR_OK);
        cr_assert_eq(mtr_disconnect_state(&fx.dc, 0), state, "bounce acted");
    }
    mtr_sim_set_inputs(&fx.sim, 0);
    cr_assert_eq(fx_tick_ms(10, 0), MTR_OK);
    mtr_sim_set_inputs(&fx.sim, MTR_IN_BUTTON_2);
    cr_assert_eq(fx_tick_ms(0, 0), MTR_OK);
    for (uint32_t held = 1; held <= limit_ms; held++) {
        cr_assert_eq(fx_tick_ms(1, 0), MTR_OK);
        if (mtr_disconnect_state(&fx.dc, 0) != state) {
            return held;
        }
    }
    return 0;
}

Test(dc_power, button_hold_times_and_bounce)
{
    fx_setup_mode(1);
    cr_assert_eq(mtr_disconnect_apply(&fx.dc, 0, MTR_DC_T_E, fx_ms()), MTR_OK);
    fx.nev = 0;
    cr_assert_eq(press(1000, 5000, MTR_DC_CONNECTED), fx.cfg.disconnect_hold_ms + 1);
    cr_assert_eq(mtr_disconnect_state(&fx.dc, 0), MTR_DC_READY);
    cr_assert_eq(fx_count(60), 1);
    /* still held: nothing more; release and hold > 10 s to reconnect */
    cr_assert_eq(fx_tick_ms(20000, 0), MTR_OK);
    cr_assert_eq(mtr_disconnect_state(&fx.dc, 0), MTR_DC_READY);
    cr_assert_eq(press(500, 11000, MTR_DC_READY), 10001, "seed: held > 10 s");
    cr_assert_eq(fx_count(61), 1);
    mtr_sim_set_inputs(&fx.sim, 0);
    cr_assert_eq(fx_tick_ms(10, 0), MTR_OK);
    cr_assert_eq(fx.nev, 2);
}

Test(dc_power, debounce_without_hold)
{
    static struct mtr_dc_config c;
    fx_setup_mode(1);
    c = fx.cfg;
    c.disconnect_hold_ms = 0;
    cr_assert_eq(mtr_disconnect_init(&fx.dc, &c, &fx.hal), MTR_OK);
    cr_assert_eq(mtr_disconnect_start(&fx.dc, fx_ms()), MTR_OK);
    cr_assert_eq(mtr_disconnect_apply(&fx.dc, 0, MTR_DC_T_E, fx_ms()), MTR_OK);
    cr_assert_eq(press(400, 1000, MTR_DC_CONNECTED), c.debounce_ms, "stable for the debounce time");
}

Test(dc_power, button_during_a_penalty_does_nothing)
{
    fx_setup_mode(5);
    cr_assert_eq(mtr_disconnect_apply(&fx.dc, 0, MTR_DC_T_E, fx_ms()), MTR_OK);
    cr_assert_eq(mtr_disconnect_local_set(&fx.dc, 0, MTR_DC_CAUSE_LIMITER, fx_ms()), MTR_OK);
    fx.nev = 0;
    cr_assert_eq(press(0, 12000, MTR_DC_READY), 0);
    cr_assert_eq(fx.nev, 0);
}
