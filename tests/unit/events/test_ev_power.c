/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Power cuts and the saved state. Each operation (a raise to one or to all
 * logs, a log clear, a power failure entry, register writes that log an
 * event) is cut at every byte it writes; after the restart the whole
 * observable state (registers, filters, descriptors, counters, every log's
 * entries) is either exactly as before the operation or exactly as after
 * it, never a mix, and stays so across a second restart. Cuts during the
 * recovery itself are tested too. Corrupt saved states are refused with
 * nothing changed; at init they give the defaults and are reported.
 */
#include "ev_fixture.h"
#include "meter/bytes.h"
#include "meter/crc.h"

#define T0 1767225600
#define T1 (T0 + 86400)

static struct fx f;
static struct fx_obs before, after, got;

static void history(void)
{
    cr_assert_eq(mtr_events_raise(&f.ev, 2, NULL, T0, 0), MTR_OK);
    cr_assert_eq(mtr_events_raise(&f.ev, 40, NULL, T0 + 1, 0), MTR_OK);
    cr_assert_eq(mtr_events_raise(&f.ev, 17, NULL, T0 + 2, 30101), MTR_OK);
    cr_assert_eq(mtr_events_raise(&f.ev, 82, NULL, T0 + 3, 0), MTR_OK);
    cr_assert_eq(mtr_events_power_failure(&f.ev, T0 + 10, T0 + 1000), MTR_OK);
    cr_assert_eq(mtr_events_raise(&f.ev, 142, NULL, T0 + 4, 0), MTR_OK);
}

static mtr_err_t op_raise_all(void)
{
    return mtr_events_raise(&f.ev, 255, "Event log cleared", T1, 0);
}

static mtr_err_t op_raise_two(void)
{
    return mtr_events_raise(&f.ev, 241, NULL, T1, 30202); /* fraud + firmware, alarm 1.13 */
}

static mtr_err_t op_raise_alarm(void)
{
    return mtr_events_raise(&f.ev, 91, NULL, T1, 0); /* fraud, alarms 1.13 and 2.10 */
}

static mtr_err_t op_clear(void)
{
    return mtr_events_clear_log(&f.ev, MTR_EVLOG_FRAUD, T1);
}

static mtr_err_t op_power(void)
{
    return mtr_events_power_failure(&f.ev, T1, T1 + 600);
}

static mtr_err_t op_error_write(void)
{
    return mtr_events_error_write(&f.ev, 0, T1);
}

static mtr_err_t op_alarm_write(void)
{
    return mtr_events_alarm_write(&f.ev, 2, 1u << 2, T1);
}

typedef mtr_err_t (*op_fn)(void);

static void check_restart(const char *name, uint32_t cut, int *n_before, int *n_after)
{
    mtr_sim_nvm_restore(&f.sim);
    cr_assert_eq(fx_boot(&f), MTR_OK, "%s cut %u: boot", name, cut);
    fx_observe(&f, &got);
    bool is_before = fx_obs_eq(&got, &before);
    bool is_after = fx_obs_eq(&got, &after);
    cr_assert(is_before || is_after, "%s cut at byte %u: half an operation", name, cut);
    *n_before += is_before;
    *n_after += is_after;
    /* a second restart finds the same */
    cr_assert_eq(fx_boot(&f), MTR_OK);
    fx_observe(&f, &got);
    cr_assert(fx_obs_eq(&got, is_before ? &before : &after), "%s cut %u: second restart", name,
              cut);
    /* power cuts never look like corruption */
    struct mtr_store_faults sf;
    mtr_store_faults(&f.st, &sf);
    cr_assert_eq(sf.crc, 0u, "%s cut %u: CRC fault", name, cut);
    cr_assert_eq(mtr_events_restored(&f.ev, NULL), MTR_EVENTS_RESTORED);
    /* and the engine goes on: one more event lands once */
    uint32_t n = mtr_events_log_count(&f.ev, MTR_EVLOG_STANDARD);
    cr_assert_eq(mtr_events_raise(&f.ev, 3, NULL, T1 + 5, 0), MTR_OK);
    cr_assert_eq(mtr_events_log_count(&f.ev, MTR_EVLOG_STANDARD), n + 1u);
    static struct fx_log lg;
    fx_read_log(&f, MTR_EVLOG_STANDARD, &lg);
    cr_assert_eq(lg.v[lg.n - 1][0], 3);
    cr_assert_eq(lg.n, got.logs[MTR_EVLOG_STANDARD].n +
                           (got.logs[MTR_EVLOG_STANDARD].n < FX_CAPACITY ? 1u : 0u));
}

static void setup(enum fx_geo g)
{
    fx_open_geo(&f, g, FX_ALL_LOGS);
    history();
    /* alarm 2 bit 2 is set by the history (82) for op_alarm_write */
    cr_assert(mtr_events_alarm(&f.ev, 2) & (1u << 2));
}

static void cut_every_byte(enum fx_geo g, op_fn op, const char *name)
{
    /* reference: the state before and after the operation */
    setup(g);
    fx_observe(&f, &before);
    cr_assert_eq(op(), MTR_OK);
    fx_observe(&f, &after);
    cr_assert(!fx_obs_eq(&before, &after));
    fx_close(&f);

    int n_before = 0, n_after = 0;
    uint32_t cut;
    for (cut = 0;; cut++) {
        setup(g);
        mtr_sim_nvm_cut_after(&f.sim, cut);
        mtr_err_t rc = op();
        if (mtr_sim_nvm_powered(&f.sim)) {
            cr_assert_eq(rc, MTR_OK);
            fx_close(&f);
            break;
        }
        check_restart(name, cut, &n_before, &n_after);
        fx_close(&f);
    }
    cr_log_info("%s: %u cuts, %d found the state before, %d after", name, cut, n_before, n_after);
    cr_assert_gt(cut, 100u);
    cr_assert_gt(n_before, 0);
    cr_assert_gt(n_after, 0);
}

Test(events_power, cut_at_every_byte_raise_to_all_logs, .timeout = 600)
{
    cut_every_byte(FX_NOR1, op_raise_all, "raise 255 (nor)");
}

Test(events_power, cut_at_every_byte_raise_to_two_logs_eeprom, .timeout = 600)
{
    cut_every_byte(FX_EEPROM, op_raise_two, "raise 241 (eeprom)");
}

Test(events_power, cut_at_every_byte_raise_with_alarms_nor8, .timeout = 600)
{
    cut_every_byte(FX_NOR8, op_raise_alarm, "raise 91 (nor wu8)");
}

Test(events_power, cut_at_every_byte_clear_log, .timeout = 600)
{
    cut_every_byte(FX_NOR1, op_clear, "clear fraud log");
}

Test(events_power, cut_at_every_byte_power_failure, .timeout = 600)
{
    cut_every_byte(FX_NOR1, op_power, "power failure");
}

Test(events_power, cut_at_every_byte_error_register_write, .timeout = 600)
{
    cut_every_byte(FX_EEPROM, op_error_write, "error register write");
}

Test(events_power, cut_at_every_byte_alarm_register_write, .timeout = 600)
{
    cut_every_byte(FX_NOR1, op_alarm_write, "alarm register write");
}

/* A cut during the operation's entries, then a cut at every byte of the
 * recovery that completes them. */
Test(events_power, cut_during_recovery, .timeout = 600)
{
    setup(FX_NOR1);
    fx_observe(&f, &before);
    cr_assert_eq(op_raise_all(), MTR_OK);
    fx_observe(&f, &after);
    fx_close(&f);
    /* bytes the operation writes (erases count too) */
    setup(FX_NOR1);
    const uint32_t big = 1u << 30;
    mtr_sim_nvm_cut_after(&f.sim, big);
    cr_assert_eq(op_raise_all(), MTR_OK);
    uint32_t used = big - f.sim.cut_budget;
    fx_close(&f);
    /* cut in the second half (the entries, after the state commit) at a
     * few places, then at every byte of the recovery */
    int tested = 0;
    for (uint32_t first = used / 2; first < used; first += used / 16) {
        int n_before = 0, n_after = 0;
        for (uint32_t second = 0;; second++) {
            setup(FX_NOR1);
            mtr_sim_nvm_cut_after(&f.sim, first);
            (void)op_raise_all();
            mtr_sim_nvm_restore(&f.sim);
            mtr_sim_nvm_cut_after(&f.sim, second);
            mtr_err_t rc = fx_boot(&f);
            if (mtr_sim_nvm_powered(&f.sim)) {
                cr_assert_eq(rc, MTR_OK);
                fx_observe(&f, &got);
                cr_assert(fx_obs_eq(&got, &before) || fx_obs_eq(&got, &after));
                fx_close(&f);
                break;
            }
            check_restart("recovery", first * 10000u + second, &n_before, &n_after);
            fx_close(&f);
            tested++;
        }
    }
    cr_log_info("recovery: %d cuts during recovery", tested);
    cr_assert_gt(tested, 0);
}

/* ---------------------------------------------------------------- saved state */

static void blob_of(struct fx *fx, uint8_t *b)
{
    size_t len = 0;
    cr_assert_eq(mtr_events_save(&fx->ev, b, MTR_EVENTS_BLOB_SIZE, &len), MTR_OK);
    cr_assert_eq(len, MTR_EVENTS_BLOB_SIZE);
}

static void recrc(uint8_t *b)
{
    mtr_put_be32(b + MTR_EVENTS_BLOB_SIZE - 4, mtr_crc32(b, MTR_EVENTS_BLOB_SIZE - 4));
}

static bool is_refusal(mtr_err_t rc)
{
    return rc == MTR_ERR_EVENTS_BLOB || rc == MTR_ERR_EVENTS_BLOB_CRC ||
           rc == MTR_ERR_EVENTS_VERSION;
}

Test(events_power, save_restore_round_trip)
{
    setup(FX_NOR1);
    static uint8_t b[MTR_EVENTS_BLOB_SIZE], b2[MTR_EVENTS_BLOB_SIZE];
    blob_of(&f, b);
    uint8_t small[16];
    cr_assert_eq(mtr_events_save(&f.ev, small, sizeof small, NULL), MTR_ERR_OVERFLOW);
    fx_observe(&f, &before);
    cr_assert_eq(mtr_events_restore(&f.ev, b, sizeof b), MTR_OK);
    fx_observe(&f, &after);
    cr_assert(fx_obs_eq(&before, &after));
    blob_of(&f, b2);
    cr_assert_eq(memcmp(b, b2, sizeof b), 0);
    /* the blob is the committed snapshot */
    static uint8_t nv[MTR_EVENTS_BLOB_SIZE];
    size_t len;
    cr_assert_eq(mtr_store_load(&f.st, FX_STATE_PART, nv, sizeof nv, &len, NULL), MTR_OK);
    cr_assert_eq(len, sizeof nv);
    cr_assert_eq(memcmp(nv, b, len), 0);
    fx_close(&f);
}

Test(events_power, corrupt_blobs_are_refused_and_change_nothing, .timeout = 300)
{
    setup(FX_NOR1);
    static uint8_t b[MTR_EVENTS_BLOB_SIZE], bad[MTR_EVENTS_BLOB_SIZE];
    static struct mtr_events ev0;
    blob_of(&f, b);
    ev0 = f.ev;
    /* every prefix */
    for (size_t n = 0; n < sizeof b; n++) {
        mtr_err_t rc = mtr_events_restore(&f.ev, b, n);
        cr_assert(is_refusal(rc), "prefix %zu: %d", n, rc);
        cr_assert_eq(memcmp(&ev0, &f.ev, sizeof ev0), 0, "prefix %zu changed the context", n);
    }
    cr_assert(is_refusal(mtr_events_restore(&f.ev, NULL, 0)));
    /* longer than the layout */
    static uint8_t longer[MTR_EVENTS_BLOB_SIZE + 1];
    memcpy(longer, b, sizeof b);
    cr_assert_eq(mtr_events_restore(&f.ev, longer, sizeof longer), MTR_ERR_EVENTS_BLOB);
    /* every byte flipped, three ways */
    static const uint8_t flips[3] = {0x01, 0x80, 0xFF};
    for (size_t i = 0; i < sizeof b; i++) {
        for (size_t k = 0; k < 3; k++) {
            memcpy(bad, b, sizeof b);
            bad[i] ^= flips[k];
            mtr_err_t rc = mtr_events_restore(&f.ev, bad, sizeof bad);
            cr_assert(is_refusal(rc), "byte %zu ^ %#x accepted", i, flips[k]);
            cr_assert_eq(memcmp(&ev0, &f.ev, sizeof ev0), 0);
        }
    }
    /* the right CRC over values out of their domain */
    struct {
        size_t off;
        uint8_t val;
        mtr_err_t want;
    } cases[] = {
        {2, 2, MTR_ERR_EVENTS_VERSION},      /* version */
        {3, 8, MTR_ERR_EVENTS_BLOB},         /* logs */
        {5, 135, MTR_ERR_EVENTS_BLOB},       /* codes */
        {6 + 3, 0x20, MTR_ERR_EVENTS_BLOB},  /* error bit 5 (unassigned) */
        {10 + 3, 0x04, MTR_ERR_EVENTS_BLOB}, /* alarm 1 bit 2 (reserved) */
        {14 + 0, 0x40, MTR_ERR_EVENTS_BLOB}, /* alarm 2 bit 30 */
        {18 + 0, 0x01, MTR_ERR_EVENTS_BLOB}, /* filter 1 bit 24 */
        {30 + 1, 0x20, MTR_ERR_EVENTS_BLOB}, /* descriptor 2 bit 21 */
        {34, 0x80, MTR_ERR_EVENTS_BLOB},     /* error time negative, not -1 */
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        memcpy(bad, b, sizeof b);
        bad[cases[c].off] = cases[c].val;
        if (cases[c].off != 2) {
            recrc(bad);
        }
        cr_assert_eq(mtr_events_restore(&f.ev, bad, sizeof bad), cases[c].want, "case %zu", c);
        cr_assert_eq(memcmp(&ev0, &f.ev, sizeof ev0), 0);
    }
    /* pending operations the table does not allow */
    size_t pend = MTR_EVENTS_BLOB_SIZE - 4 - (29 + 4 * MTR_EVLOG_COUNT);
    const uint8_t ops[][5] = {
        /* op, row hi, row lo, logs hi, logs lo */
        {7, 0, 0, 0, 1},                     /* unknown op */
        {MTR_EVENTS_OP_RAISE, 0, 200, 0, 1}, /* row past the table */
        {MTR_EVENTS_OP_RAISE, 0, 0, 0, 2},   /* power down into the fraud log */
        {MTR_EVENTS_OP_RAISE, 0, 0, 0, 0},   /* no log */
        {MTR_EVENTS_OP_CLEAR, 0, 0, 0, 1},   /* clear with another row than 255 */
        {MTR_EVENTS_OP_POWER, 0, 0, 0, 1},   /* power entry in the standard log */
        {MTR_EVENTS_OP_NONE, 0, 0, 0, 1},    /* nothing pending but logs */
    };
    for (size_t c = 0; c < sizeof ops / sizeof ops[0]; c++) {
        memcpy(bad, b, sizeof b);
        memcpy(bad + pend, ops[c], 5);
        mtr_put_be64(bad + pend + 5, T1);
        recrc(bad);
        cr_assert_eq(mtr_events_restore(&f.ev, bad, sizeof bad), MTR_ERR_EVENTS_BLOB, "op %zu", c);
        cr_assert_eq(memcmp(&ev0, &f.ev, sizeof ev0), 0);
    }
    fx_close(&f);
}

Test(events_power, a_corrupt_saved_state_gives_the_defaults_and_is_reported)
{
    setup(FX_NOR1);
    cr_assert_eq(mtr_events_filter_write(&f.ev, 1, 0), MTR_OK);
    static uint8_t b[MTR_EVENTS_BLOB_SIZE];
    blob_of(&f, b);
    b[20] ^= 0x10; /* CRC fails */
    cr_assert_eq(mtr_store_commit(&f.st, FX_STATE_PART, b, sizeof b), MTR_OK);
    cr_assert_eq(fx_boot(&f), MTR_OK);
    mtr_err_t why = MTR_OK;
    cr_assert_eq(mtr_events_restored(&f.ev, &why), MTR_EVENTS_REFUSED);
    cr_assert_eq(why, MTR_ERR_EVENTS_BLOB_CRC);
    cr_assert_eq(mtr_events_error(&f.ev), 0u);
    cr_assert_eq(mtr_events_alarm(&f.ev, 2), 0u);
    cr_assert_eq(mtr_events_filter(&f.ev, 1), MTR_EVENTS_ALARM1_VALID, "default filter");
    cr_assert_eq(mtr_events_code_count(&f.ev, 0), 0u);
    /* the logs are kept, and their entries are a floor for the counters */
    static struct fx_log lg;
    fx_read_log(&f, MTR_EVLOG_STANDARD, &lg);
    cr_assert_gt(lg.n, 0u);
    cr_assert_eq(mtr_events_log_count(&f.ev, MTR_EVLOG_STANDARD), lg.n);
    /* a short record of another layout */
    cr_assert_eq(mtr_store_commit(&f.st, FX_STATE_PART, "EV", 2), MTR_OK);
    cr_assert_eq(fx_boot(&f), MTR_OK);
    cr_assert_eq(mtr_events_restored(&f.ev, &why), MTR_EVENTS_REFUSED);
    cr_assert_eq(why, MTR_ERR_EVENTS_BLOB);
    /* the next change commits a good state again */
    cr_assert_eq(mtr_events_raise(&f.ev, 1, NULL, T1, 0), MTR_OK);
    cr_assert_eq(fx_boot(&f), MTR_OK);
    cr_assert_eq(mtr_events_restored(&f.ev, NULL), MTR_EVENTS_RESTORED);
    cr_assert_eq(mtr_events_code_count(&f.ev, 0), 1u);
    fx_close(&f);
}
