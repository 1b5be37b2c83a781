/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Control modes and transitions, driven by the seed's Table 7 as the file
 * ../shared/reference/disconnector-modes.csv: every transition of every
 * mode, allowed ones change state and relay and log one event, forbidden
 * ones change nothing. Transition meanings (from/to states, the event of
 * each) are those of disconnector-states.md §2 and §4.
 */
#include "dc_fixture.h"

/* CSV column of each transition, and its from/to states (disconnector-states.md §2). */
static const struct {
    const char *column;
    enum mtr_dc_transition t;
    uint8_t from, to;
    uint8_t event; /* disconnector-states.md §4; d logs 59 (see docs/disconnect.md) */
} trans[] = {
    {"remote_reconnect_a", MTR_DC_T_A, MTR_DC_DISCONNECTED, MTR_DC_CONNECTED, 63},
    {"remote_disconnect_b", MTR_DC_T_B, MTR_DC_CONNECTED, MTR_DC_DISCONNECTED, 62},
    {"remote_disconnect_c", MTR_DC_T_C, MTR_DC_READY, MTR_DC_DISCONNECTED, 62},
    {"remote_reconnect_d", MTR_DC_T_D, MTR_DC_DISCONNECTED, MTR_DC_READY, 59},
    {"manual_reconnect_e", MTR_DC_T_E, MTR_DC_READY, MTR_DC_CONNECTED, 61},
    {"manual_disconnect_f", MTR_DC_T_F, MTR_DC_CONNECTED, MTR_DC_READY, 60},
    {"local_disconnect_g", MTR_DC_T_G, MTR_DC_CONNECTED, MTR_DC_READY, 64},
    {"local_reconnect_h", MTR_DC_T_H, MTR_DC_READY, MTR_DC_CONNECTED, 69},
};
#define NTRANS (sizeof trans / sizeof trans[0])

/* allowed[mode][t] as read from the CSV. */
static bool allowed[MTR_DC_MODE_MAX + 1][MTR_DC_T_COUNT];

static void read_modes(void)
{
    char line[CSV_LINE], *f[CSV_MAX_FIELDS];
    int col[NTRANS], cmode, n, rows = 0;
    FILE *fp = csv_open("disconnector-modes.csv");

    n = csv_split(fgets(line, sizeof line, fp), f);
    cmode = csv_col(f, n, "mode");
    for (size_t i = 0; i < NTRANS; i++) {
        col[i] = csv_col(f, n, trans[i].column);
    }
    while (fgets(line, sizeof line, fp) != NULL) {
        int mode;
        n = csv_split(line, f);
        mode = atoi(f[cmode]);
        cr_assert(mode >= 0 && mode <= MTR_DC_MODE_MAX, "mode %d in the CSV", mode);
        for (size_t i = 0; i < NTRANS; i++) {
            cr_assert(strcmp(f[col[i]], "yes") == 0 || strcmp(f[col[i]], "no") == 0);
            allowed[mode][trans[i].t] = strcmp(f[col[i]], "yes") == 0;
        }
        rows++;
    }
    fclose(fp);
    cr_assert_eq(rows, MTR_DC_MODE_MAX + 1, "the CSV lists modes 0..8");
}

static void teardown(void)
{
    fx_teardown();
}

TestSuite(dc_modes, .fini = teardown);

/* Bring channel 0 to @p state with mode 2 moves, then switch to @p mode. */
static void reach(uint8_t state, uint8_t mode)
{
    fx_setup_mode(2);
    if (state != MTR_DC_READY) {
        cr_assert_eq(mtr_disconnect_apply(&fx.dc, 0, MTR_DC_T_E, fx_ms()), MTR_OK);
    }
    if (state == MTR_DC_DISCONNECTED) {
        cr_assert_eq(mtr_disconnect_apply(&fx.dc, 0, MTR_DC_T_B, fx_ms()), MTR_OK);
    }
    cr_assert_eq(mtr_disconnect_set_mode(&fx.dc, 0, mode), MTR_OK);
    cr_assert_eq(mtr_disconnect_state(&fx.dc, 0), state);
    fx.nev = 0;
}

Test(dc_modes, table_matches_csv_transition_by_transition)
{
    read_modes();
    for (uint8_t m = 0; m <= MTR_DC_MODE_MAX; m++) {
        for (size_t i = 0; i < NTRANS; i++) {
            bool bit = (mtr_disconnect_mode_mask(m) >> trans[i].t) & 1u;
            cr_assert_eq(bit, allowed[m][trans[i].t], "mode %u transition %s", m, trans[i].column);
        }
    }
    cr_assert_eq(mtr_disconnect_mode_mask(MTR_DC_MODE_MAX + 1), 0);
}

Test(dc_modes, every_transition_in_every_mode)
{
    read_modes();
    for (uint8_t m = 0; m <= MTR_DC_MODE_MAX; m++) {
        for (size_t i = 0; i < NTRANS; i++) {
            struct fx_snap before;
            uint32_t ops;
            bool moves = (trans[i].from == MTR_DC_CONNECTED) != (trans[i].to == MTR_DC_CONNECTED);
            mtr_err_t err;

            reach(trans[i].from, m);
            fx_snap(&before);
            ops = mtr_sim_relay_ops(&fx.sim, 0);
            err = mtr_disconnect_apply(&fx.dc, 0, trans[i].t, fx_ms());
            if (!allowed[m][trans[i].t]) {
                cr_assert_eq(err, MTR_ERR_DISCONNECT_FORBIDDEN, "mode %u %s", m, trans[i].column);
                fx_assert_unchanged(&before, trans[i].column);
                fx_teardown();
                continue;
            }
            cr_assert_eq(err, MTR_OK, "mode %u %s", m, trans[i].column);
            cr_assert_eq(mtr_disconnect_state(&fx.dc, 0), trans[i].to);
            cr_assert_eq(mtr_disconnect_output(&fx.dc, 0), trans[i].to == MTR_DC_CONNECTED);
            cr_assert_eq(mtr_sim_relay(&fx.sim, 0), trans[i].to == MTR_DC_CONNECTED);
            cr_assert_eq(mtr_sim_relay_ops(&fx.sim, 0), ops + (moves ? 1u : 0u));
            cr_assert_eq(fx.nev, 1, "mode %u %s: one event", m, trans[i].column);
            cr_assert_eq(fx.ev[0].code, trans[i].event);
            cr_assert(csv_has_event(fx.ev[0].code, fx.ev[0].name), "(%u, %s) not in event-codes.csv",
                      fx.ev[0].code, fx.ev[0].name);
            /* the other channels never move */
            cr_assert_eq(mtr_sim_relay_ops(&fx.sim, 1), before.relay_ops[1]);
            fx_teardown();
        }
    }
}

Test(dc_modes, allowed_transition_from_wrong_state_changes_nothing)
{
    static const uint8_t states[] = {MTR_DC_DISCONNECTED, MTR_DC_CONNECTED, MTR_DC_READY};
    read_modes();
    for (uint8_t m = 0; m <= MTR_DC_MODE_MAX; m++) {
        for (size_t i = 0; i < NTRANS; i++) {
            for (size_t s = 0; s < 3; s++) {
                struct fx_snap before;
                if (!allowed[m][trans[i].t] || states[s] == trans[i].from) {
                    continue;
                }
                reach(states[s], m);
                fx_snap(&before);
                cr_assert_eq(mtr_disconnect_apply(&fx.dc, 0, trans[i].t, fx_ms()),
                             MTR_ERR_DISCONNECT_STATE, "mode %u %s from %u", m, trans[i].column,
                             states[s]);
                fx_assert_unchanged(&before, trans[i].column);
                fx_teardown();
            }
        }
    }
}

Test(dc_modes, remote_methods_pick_the_transition_of_the_mode)
{
    read_modes();
    for (uint8_t m = 1; m <= MTR_DC_MODE_MAX; m++) {
        reach(MTR_DC_CONNECTED, m);
        cr_assert_eq(mtr_disconnect_remote_disconnect(&fx.dc, 0, fx_ms()), MTR_OK); /* b */
        cr_assert_eq(mtr_disconnect_state(&fx.dc, 0), MTR_DC_DISCONNECTED);
        cr_assert_eq(mtr_disconnect_remote_disconnect(&fx.dc, 0, fx_ms()), MTR_ERR_DISCONNECT_STATE);
        cr_assert_eq(mtr_disconnect_remote_reconnect(&fx.dc, 0, fx_ms()), MTR_OK);
        /* direct modes (a) reconnect, conditional modes (d) wait for the customer */
        cr_assert_eq(mtr_disconnect_state(&fx.dc, 0),
                     allowed[m][MTR_DC_T_A] ? MTR_DC_CONNECTED : MTR_DC_READY, "mode %u", m);
        cr_assert_eq(fx.ev[fx.nev - 1].code, allowed[m][MTR_DC_T_A] ? 63 : 59);
        if (!allowed[m][MTR_DC_T_A]) {
            cr_assert_eq(mtr_disconnect_remote_disconnect(&fx.dc, 0, fx_ms()), MTR_OK); /* c */
            cr_assert_eq(mtr_disconnect_state(&fx.dc, 0), MTR_DC_DISCONNECTED);
        }
        fx_teardown();
    }
    reach(MTR_DC_CONNECTED, 0);
    cr_assert_eq(mtr_disconnect_remote_disconnect(&fx.dc, 0, fx_ms()), MTR_ERR_DISCONNECT_FORBIDDEN);
    cr_assert_eq(mtr_disconnect_remote_reconnect(&fx.dc, 0, fx_ms()), MTR_ERR_DISCONNECT_FORBIDDEN);
}

Test(dc_modes, mode_six_follows_the_table)
{
    /* Seed text says remote reconnection is not allowed in mode 6; Table 7
     * row 6 allows a and f. The library follows the table. */
    reach(MTR_DC_DISCONNECTED, 6);
    cr_assert_eq(mtr_disconnect_remote_reconnect(&fx.dc, 0, fx_ms()), MTR_OK);
    cr_assert_eq(mtr_disconnect_state(&fx.dc, 0), MTR_DC_CONNECTED);
    cr_assert_eq(mtr_disconnect_apply(&fx.dc, 0, MTR_DC_T_F, fx_ms()), MTR_OK);
    cr_assert_eq(mtr_disconnect_apply(&fx.dc, 0, MTR_DC_T_H, fx_ms()), MTR_OK);
    cr_assert_eq(mtr_disconnect_apply(&fx.dc, 0, MTR_DC_T_B, fx_ms()), MTR_OK);
    cr_assert_eq(mtr_disconnect_apply(&fx.dc, 0, MTR_DC_T_D, fx_ms()), MTR_ERR_DISCONNECT_FORBIDDEN);
}

Test(dc_modes, auxiliary_channels_drive_their_own_relay)
{
    fx_setup_mode(4);
    for (uint8_t ch = 1; ch < MTR_CFG_DISCONNECT_CHANNELS; ch++) {
        uint32_t main_ops = mtr_sim_relay_ops(&fx.sim, 0);
        cr_assert_eq(mtr_disconnect_apply(&fx.dc, ch, MTR_DC_T_C, fx_ms()), MTR_OK);
        cr_assert_eq(mtr_disconnect_remote_reconnect(&fx.dc, ch, fx_ms()), MTR_OK); /* a */
        cr_assert(mtr_sim_relay(&fx.sim, ch));
        cr_assert_not(mtr_sim_relay(&fx.sim, 0));
        cr_assert_eq(mtr_sim_relay_ops(&fx.sim, 0), main_ops);
        cr_assert_eq(fx.ev[fx.nev - 1].ch, ch);
    }
}

Test(dc_modes, local_causes_are_a_set)
{
    fx_setup_mode(5); /* g and h allowed */
    cr_assert_eq(mtr_disconnect_apply(&fx.dc, 0, MTR_DC_T_E, fx_ms()), MTR_OK);
    fx.nev = 0;
    cr_assert_eq(mtr_disconnect_local_set(&fx.dc, 0, MTR_DC_CAUSE_PREPAID, fx_ms()), MTR_OK);
    cr_assert_eq(mtr_disconnect_state(&fx.dc, 0), MTR_DC_READY);
    cr_assert_not(mtr_sim_relay(&fx.sim, 0));
    cr_assert_eq(mtr_disconnect_local_set(&fx.dc, 0, MTR_DC_CAUSE_LIMITER, fx_ms()), MTR_OK);
    cr_assert_eq(mtr_disconnect_causes(&fx.dc, 0), MTR_DC_CAUSE_PREPAID | MTR_DC_CAUSE_LIMITER);
    cr_assert_eq(fx.nev, 1, "only the first cause disconnects");
    /* customer and local reconnection refused while a cause remains */
    cr_assert_eq(mtr_disconnect_apply(&fx.dc, 0, MTR_DC_T_E, fx_ms()), MTR_ERR_DISCONNECT_CAUSE);
    cr_assert_eq(mtr_disconnect_local_clear(&fx.dc, 0, MTR_DC_CAUSE_PREPAID, fx_ms()), MTR_OK);
    cr_assert_eq(mtr_disconnect_state(&fx.dc, 0), MTR_DC_READY);
    cr_assert_eq(mtr_disconnect_local_clear(&fx.dc, 0, MTR_DC_CAUSE_LIMITER, fx_ms()), MTR_OK);
    cr_assert_eq(mtr_disconnect_state(&fx.dc, 0), MTR_DC_CONNECTED);
    cr_assert(mtr_sim_relay(&fx.sim, 0));
    cr_assert_eq(fx.nev, 2);
    cr_assert_eq(fx.ev[0].code, 64);
    cr_assert_eq(fx.ev[1].code, 69);
}

Test(dc_modes, cause_cleared_in_a_mode_without_h_waits_for_the_customer)
{
    fx_setup_mode(1); /* g allowed, h not */
    cr_assert_eq(mtr_disconnect_apply(&fx.dc, 0, MTR_DC_T_E, fx_ms()), MTR_OK);
    cr_assert_eq(mtr_disconnect_local_set(&fx.dc, 0, MTR_DC_CAUSE_PREPAID, fx_ms()), MTR_OK);
    cr_assert_eq(mtr_disconnect_local_clear(&fx.dc, 0, MTR_DC_CAUSE_PREPAID, fx_ms()), MTR_OK);
    cr_assert_eq(mtr_disconnect_state(&fx.dc, 0), MTR_DC_READY);
    cr_assert_eq(mtr_disconnect_causes(&fx.dc, 0), 0);
    cr_assert_eq(mtr_disconnect_apply(&fx.dc, 0, MTR_DC_T_E, fx_ms()), MTR_OK);
}

Test(dc_modes, bad_arguments_change_nothing)
{
    struct fx_snap before;
    fx_setup_mode(2);
    fx_snap(&before);
    cr_assert_eq(mtr_disconnect_set_mode(&fx.dc, 0, 9), MTR_ERR_DISCONNECT_MODE);
    cr_assert_eq(mtr_disconnect_set_mode(&fx.dc, MTR_CFG_DISCONNECT_CHANNELS, 1),
                 MTR_ERR_DISCONNECT_CHANNEL);
    cr_assert_eq(mtr_disconnect_apply(&fx.dc, MTR_CFG_DISCONNECT_CHANNELS, MTR_DC_T_E, 0),
                 MTR_ERR_DISCONNECT_CHANNEL);
    cr_assert_eq(mtr_disconnect_apply(&fx.dc, 0, MTR_DC_T_COUNT, 0), MTR_ERR_DISCONNECT_CHANNEL);
    cr_assert_eq(mtr_disconnect_local_set(&fx.dc, 0, 0, 0), MTR_ERR_DISCONNECT_CHANNEL);
    cr_assert_eq(mtr_disconnect_local_set(&fx.dc, 0, 0x08, 0), MTR_ERR_DISCONNECT_CHANNEL);
    cr_assert_eq(mtr_disconnect_local_clear(&fx.dc, 0, 0x80, 0), MTR_ERR_DISCONNECT_CHANNEL);
    fx_assert_unchanged(&before, "bad arguments");
    /* a failing persist (store full, power failing) aborts the transition */
    fx.persist_err = MTR_ERR_POWER;
    fx.persists = 0;
    fx_snap(&before);
    cr_assert_eq(mtr_disconnect_apply(&fx.dc, 0, MTR_DC_T_E, fx_ms()), MTR_ERR_POWER);
    cr_assert_eq(mtr_disconnect_set_mode(&fx.dc, 0, 5), MTR_ERR_POWER);
    fx_assert_unchanged(&before, "persist failed");
}

Test(dc_modes, init_rejects_bad_configuration)
{
    struct mtr_dc_config c;
    struct mtr_disconnect d;
    struct mtr_sim_config sc;
    mtr_sim_default_config(&sc);
    cr_assert_eq(mtr_sim_init(&fx.sim, &sc), MTR_OK);
    mtr_sim_hal(&fx.sim, &fx.hal);
    memset(&d, 0x5A, sizeof d);
    fx_default_config(&c, 9);
    cr_assert_eq(mtr_disconnect_init(&d, &c, &fx.hal), MTR_ERR_DISCONNECT_MODE);
    fx_default_config(&c, 1);
    c.limiter.normal_mw = MTR_DC_LIMIT_MAX_MW + 1;
    cr_assert_eq(mtr_disconnect_init(&d, &c, &fx.hal), MTR_ERR_DISCONNECT_THRESHOLD);
    fx_default_config(&c, 1);
    c.limiter.period_s = 29;
    cr_assert_eq(mtr_disconnect_init(&d, &c, &fx.hal), MTR_ERR_DISCONNECT_PERIOD);
    fx_default_config(&c, 1);
    c.feedback_ms = 0;
    cr_assert_eq(mtr_disconnect_init(&d, &c, &fx.hal), MTR_ERR_INVAL);
    fx_default_config(&c, 1);
    c.debounce_ms = 1001;
    cr_assert_eq(mtr_disconnect_init(&d, &c, &fx.hal), MTR_ERR_INVAL);
    for (size_t i = 0; i < sizeof d; i++) {
        cr_assert_eq(((uint8_t *)&d)[i], 0x5A, "context written on error");
    }
}

Test(dc_modes, no_relay_op_is_not_supported)
{
    struct fx_snap before;
    fx_setup_mode(2);
    fx.io.relay_set = NULL;
    fx_snap(&before);
    cr_assert_eq(mtr_disconnect_apply(&fx.dc, 0, MTR_DC_T_E, fx_ms()), MTR_ERR_NOTSUP);
    fx_assert_unchanged(&before, "no relay");
    /* ready -> disconnected moves no relay: allowed without one */
    cr_assert_eq(mtr_disconnect_apply(&fx.dc, 0, MTR_DC_T_C, fx_ms()), MTR_OK);
}
