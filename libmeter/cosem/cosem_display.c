/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The display's objects (objects_display.def; docs/cosem.md, "Display"):
 * factory decimal places, auto-scroll interval and test mode duration, the
 * general and alternate display readouts (class 7: capture_objects is the
 * readout sequence, the buffer the values of its entries) and the test /
 * normal mode script tables. Writes are checked by the display engine and
 * committed through the aggregate (mtr_meter_display_commit()).
 */
#include "cosem_display.h"

#include <string.h>

#if MTR_WITH_DISPLAY
#include "meter/display.h"

/* Readouts: every attribute read; capture_objects written and both methods
 * (reset, capture) called from level 3 up, as the other display settings. */
const struct mtr_dlms_access cosem_acc_disp_readout[MTR_CFG_DLMS_PROFILES] =
    COSEM_ACCESS_SETTING(COSEM_UPTO(8), COSEM_BIT(3), COSEM_BIT(1) | COSEM_BIT(2));
/* Test / normal mode scripts: executed from level 3 up. */
const struct mtr_dlms_access cosem_acc_disp_script[MTR_CFG_DLMS_PROFILES] =
    COSEM_ACCESS_SETTING(COSEM_UPTO(2), 0, COSEM_BIT(1));

enum { UNIT_SECOND = 7 };

static struct mtr_display *disp_of(const struct mtr_dlms_call *c)
{
    return cosem_engines(c)->display;
}

static bool ms_now(const struct mtr_dlms_call *c, mtr_ms_t *now)
{
    const struct mtr_meter *m = cosem_of(c)->cfg.meter;
    return m->hal.clock->ms_now(m->hal.ctx, now) == MTR_OK;
}

/* Settings and lists changed: persisted (a failure is counted by the aggregate). */
static void commit(const struct mtr_dlms_call *c)
{
    (void)mtr_meter_display_commit(cosem_of(c)->cfg.meter);
}

/* ------------------------------------------------------------ decimal places */

/* E = 51 energy, 52 power, 61 voltage, 62 current (seed obis-objects.csv). */
mtr_err_t cosem_disp_decimals_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    struct mtr_display *d = disp_of(c);
    struct mtr_display_decimals dec;
    struct cosem_out o;
    uint8_t e = c->obj->obis[4];

    if (d == NULL) {
        return MTR_ERR_NOTSUP;
    }
    if (c->id != 2) {
        return MTR_ERR_NOTSUP;
    }
    mtr_display_decimals(d, &dec);
    cosem_out_init(&o, c, w);
    cosem_put_uint(&o, MTR_DLMS_UNSIGNED,
                   e == 51 ? dec.energy : e == 52 ? dec.power : e == 61 ? dec.voltage : dec.current);
    return cosem_out_end(&o);
}

/* ------------------------------------------------------------ scroll interval, test duration */

/* 1-0:129.1.10.255 the auto-scroll interval (long-unsigned), 0-0:96.34.10.255
 * the test mode duration (double-long-unsigned), both in seconds. */
static bool is_scroll(const struct mtr_dlms_call *c)
{
    return c->obj->obis[2] == 129;
}

mtr_err_t cosem_disp_time_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    struct mtr_display *d = disp_of(c);
    struct mtr_display_settings s;
    struct cosem_out o;

    if (d == NULL) {
        return MTR_ERR_NOTSUP;
    }
    mtr_display_get(d, &s);
    cosem_out_init(&o, c, w);
    switch (c->id) {
    case 2:
        if (is_scroll(c)) {
            cosem_put_uint(&o, MTR_DLMS_LONG_UNSIGNED, s.scroll_s);
        } else {
            cosem_put_uint(&o, MTR_DLMS_DOUBLE_LONG_UNSIGNED, s.test_s);
        }
        break;
    case 3:
        cosem_put_scaler_unit(&o, 0, UNIT_SECOND);
        break;
    default:
        return MTR_ERR_NOTSUP;
    }
    return cosem_out_end(&o);
}

/*
 * value (attribute 2) written: in the engine's range (scroll 1..255 s, test
 * 1..86400 s, docs/display.md), else MTR_ERR_DISPLAY_CONFIG (other-reason)
 * and nothing changes. A running interval or test keeps its deadline.
 */
mtr_err_t cosem_disp_time_set(const struct mtr_dlms_call *c)
{
    struct mtr_display *d = disp_of(c);
    struct mtr_display_settings s;
    struct cosem_in in;
    uint64_t v = 0;

    if (d == NULL) {
        return MTR_ERR_NOTSUP;
    }
    if (c->id != 2) {
        return MTR_ERR_DLMS_DENIED;
    }
    cosem_in_init(&in, c->data, c->data_len);
    (void)cosem_get_uint(&in, is_scroll(c) ? MTR_DLMS_LONG_UNSIGNED : MTR_DLMS_DOUBLE_LONG_UNSIGNED,
                         &v);
    mtr_err_t err = cosem_in_end(&in);
    if (err != MTR_OK) {
        return err;
    }
    mtr_display_get(d, &s);
    if (is_scroll(c)) {
        if (v > UINT16_MAX) {
            return MTR_ERR_DISPLAY_CONFIG;
        }
        s.scroll_s = (uint16_t)v;
    } else {
        s.test_s = (uint32_t)v;
    }
    err = mtr_display_set(d, &s);
    if (err == MTR_OK) {
        commit(c);
    }
    return err;
}

/* ------------------------------------------------------------ readouts */

/* E = 1 the general readout, 2 the alternate one. */
static uint8_t list_of(const struct mtr_dlms_call *c)
{
    return c->obj->obis[4] == 1 ? MTR_DISPLAY_GENERAL : MTR_DISPLAY_ALTERNATE;
}

static void put_capture_object(struct cosem_out *o, const struct mtr_display_item *it)
{
    cosem_put_struct(o, 4);
    cosem_put_uint(o, MTR_DLMS_LONG_UNSIGNED, it->class_id);
    cosem_put_copy(o, MTR_DLMS_OCTET_STRING, it->ln, 6);
    cosem_put_int(o, MTR_DLMS_INTEGER, it->attribute_index);
    cosem_put_uint(o, MTR_DLMS_LONG_UNSIGNED, it->data_index);
}

/* Bytes of the largest entry value the readout buffer carries (a register,
 * a date-time, a short string); a larger one reads as null-data. */
#define VALUE_MAX 64u

/*
 * The value of entry @p it as the object itself serves it to the caller's
 * role, encoded into @p buf: @return its bytes, or 0 when it cannot be given
 * (object not in the table or not readable by the role, an element of a
 * structured attribute, a read error, larger than VALUE_MAX).
 */
static uint32_t entry_value(const struct mtr_dlms_call *c, const struct mtr_display_item *it,
                            uint8_t buf[VALUE_MAX])
{
    const struct mtr_dlms_obj *obj = cosem_find(it->class_id, it->ln);
    if (obj == NULL || obj->get == NULL || it->data_index != 0 || it->attribute_index < 1 ||
        it->attribute_index > 32 || c->profile >= MTR_CFG_DLMS_PROFILES ||
        (obj->access[c->profile].get & COSEM_BIT((uint32_t)it->attribute_index)) == 0) {
        return 0;
    }
    if (it->attribute_index == 1) {
        buf[0] = MTR_DLMS_OCTET_STRING;
        buf[1] = 6;
        memcpy(buf + 2, obj->obis, 6);
        return 8;
    }
    struct mtr_dlms_axdr_writer w;
    mtr_dlms_axdr_writer_init(&w, buf, VALUE_MAX);
    if (cosem_get_attr(cosem_of(c), c->server, obj, (uint8_t)it->attribute_index, c->profile, &w) !=
            MTR_OK ||
        mtr_dlms_axdr_writer_pending(&w) != 0) {
        return 0;
    }
    return (uint32_t)w.len;
}

/*
 * Class 7 version 1 attributes: 2 buffer, one entry (the values of the
 * sequence's entries, read when the buffer is read: a readout is a capture
 * at read time; an entry the caller may not read, or that cannot be had,
 * is null-data); 3 capture_objects (the sequence); 4 capture_period 0 (on
 * demand); 5 sort_method 1 (fifo); 6 sort_object none; 7 entries_in_use
 * (1, or 0 for an empty sequence); 8 profile_entries 1.
 */
mtr_err_t cosem_disp_readout_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    struct mtr_display *d = disp_of(c);
    const struct mtr_display_item *items = NULL;
    struct cosem_out o;
    uint16_t n;

    if (d == NULL) {
        return MTR_ERR_NOTSUP;
    }
    if (c->selector != 0) {
        return MTR_ERR_RANGE; /* one entry: no selective access */
    }
    n = mtr_display_list(d, list_of(c), &items);
    cosem_out_init(&o, c, w);
    switch (c->id) {
    case 2:
        cosem_put_array(&o, n > 0 ? 1u : 0u);
        if (n > 0) {
            cosem_put_struct(&o, n);
        }
        for (uint16_t k = 0; k < n && o.err == MTR_OK; k++) {
            if (o.cursor != NULL && o.n < o.cursor[0]) { /* sent in an earlier block */
                cosem_put_null(&o);
                continue;
            }
            uint8_t buf[VALUE_MAX];
            uint32_t len = entry_value(c, &items[k], buf);
            if (len == 0) {
                cosem_put_null(&o);
            } else {
                cosem_put_raw(&o, buf, len);
            }
        }
        break;
    case 3:
        cosem_put_array(&o, n);
        for (uint16_t k = 0; k < n && o.err == MTR_OK; k++) {
            put_capture_object(&o, &items[k]);
        }
        break;
    case 4:
        cosem_put_uint(&o, MTR_DLMS_DOUBLE_LONG_UNSIGNED, 0);
        break;
    case 5:
        cosem_put_uint(&o, MTR_DLMS_ENUM, 1);
        break;
    case 6: {
        const struct mtr_display_item none = {0, {0, 0, 0, 0, 0, 0}, 0, 0};
        put_capture_object(&o, &none);
        break;
    }
    case 7:
        cosem_put_uint(&o, MTR_DLMS_DOUBLE_LONG_UNSIGNED, n > 0 ? 1u : 0u);
        break;
    case 8:
        cosem_put_uint(&o, MTR_DLMS_DOUBLE_LONG_UNSIGNED, 1);
        break;
    default:
        return MTR_ERR_NOTSUP;
    }
    return cosem_out_end(&o);
}

/*
 * capture_objects (attribute 3) written: an array of at most
 * MTR_CFG_DISPLAY_ITEMS capture_object_definition {class_id long-unsigned,
 * logical_name octet-string(6), attribute_index integer, data_index
 * long-unsigned}; the engine refuses a class 0, an attribute below 1 and a
 * repeated entry (MTR_ERR_DISPLAY_LIST: other-reason), nothing changed.
 * The sequence restarts at its first entry.
 */
mtr_err_t cosem_disp_readout_set(const struct mtr_dlms_call *c)
{
    /* decoded here before the engine takes them (too large for the stack;
     * requests are served one at a time) */
    static struct mtr_display_item items[MTR_CFG_DISPLAY_ITEMS];
    struct mtr_display *d = disp_of(c);
    struct cosem_in in;
    uint32_t n = 0;

    if (d == NULL) {
        return MTR_ERR_NOTSUP;
    }
    if (c->id != 3) {
        return MTR_ERR_DLMS_DENIED;
    }
    if (c->selector != 0) {
        return MTR_ERR_RANGE;
    }
    cosem_in_init(&in, c->data, c->data_len);
    if (cosem_get_array(&in, &n) && n > MTR_CFG_DISPLAY_ITEMS) {
        return MTR_ERR_DISPLAY_LIST;
    }
    for (uint32_t k = 0; k < n && in.err == MTR_OK; k++) {
        uint64_t cls = 0, di = 0;
        int64_t attr = 0;
        const uint8_t *ln = NULL;
        uint32_t len = 0;
        if (cosem_get_struct(&in, 4) && cosem_get_uint(&in, MTR_DLMS_LONG_UNSIGNED, &cls) &&
            cosem_get_bytes(&in, MTR_DLMS_OCTET_STRING, &ln, &len, 6) &&
            cosem_get_int(&in, MTR_DLMS_INTEGER, &attr) &&
            cosem_get_uint(&in, MTR_DLMS_LONG_UNSIGNED, &di)) {
            items[k].class_id = (uint16_t)cls;
            memcpy(items[k].ln, ln, 6);
            items[k].attribute_index = (int8_t)attr;
            items[k].data_index = (uint16_t)di;
        }
    }
    mtr_err_t err = cosem_in_end(&in);
    if (err != MTR_OK) {
        return err;
    }
    err = mtr_display_set_list(d, list_of(c), items, (uint16_t)n);
    if (err == MTR_OK) {
        commit(c);
    }
    return err;
}

/*
 * Methods 1 reset and 2 capture (data integer 0): the buffer holds the
 * values at the time it is read, so there is nothing to clear or take;
 * both succeed.
 */
mtr_err_t cosem_disp_readout_action(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    (void)w;
    if (disp_of(c) == NULL) {
        return MTR_ERR_NOTSUP;
    }
    if (c->id != 1 && c->id != 2) {
        return MTR_ERR_NOTSUP;
    }
    return cosem_param_integer(c);
}

/* ------------------------------------------------------------ test and normal mode */

/* E = 101 activate test mode, 102 activate normal mode (IEC 62056-6-1). */
static bool is_test(const struct mtr_dlms_call *c)
{
    return c->obj->obis[4] == 101;
}

/*
 * scripts (attribute 2): one script, identifier 1, whose action is the
 * display's own (every segment lit for the test mode duration / back to
 * auto scroll), not a method of another object: its action list is empty.
 */
mtr_err_t cosem_disp_script_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    struct cosem_out o;
    if (disp_of(c) == NULL) {
        return MTR_ERR_NOTSUP;
    }
    if (c->id != 2) {
        return MTR_ERR_NOTSUP;
    }
    cosem_out_init(&o, c, w);
    cosem_put_array(&o, 1);
    cosem_put_struct(&o, 2);
    cosem_put_uint(&o, MTR_DLMS_LONG_UNSIGNED, 1);
    cosem_put_array(&o, 0);
    return cosem_out_end(&o);
}

/*
 * execute (method 1, data long-unsigned script 1): test mode starts (a start
 * during test mode restarts its duration); normal mode ends test or manual
 * mode (auto scroll from the first entry). Another script: MTR_ERR_RANGE.
 */
mtr_err_t cosem_disp_script_action(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    struct mtr_display *d = disp_of(c);
    struct cosem_in in;
    uint64_t id = 0;
    mtr_ms_t now = 0;

    (void)w;
    if (d == NULL) {
        return MTR_ERR_NOTSUP;
    }
    if (c->id != 1) {
        return MTR_ERR_NOTSUP;
    }
    cosem_in_init(&in, c->data, c->data_len);
    (void)cosem_get_uint(&in, MTR_DLMS_LONG_UNSIGNED, &id);
    mtr_err_t err = cosem_in_end(&in);
    if (err != MTR_OK) {
        return err;
    }
    if (id != 1) {
        return MTR_ERR_RANGE;
    }
    if (!ms_now(c, &now)) {
        return MTR_ERR_IO;
    }
    err = mtr_display_poll(d, now);
    if (err != MTR_OK) {
        return err;
    }
    return is_test(c) ? mtr_display_test(d, now) : mtr_display_press(d, now, MTR_DISPLAY_KEY_EXIT);
}

#endif /* MTR_WITH_DISPLAY */
