/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SET and ACTION services (Green Book, LN referencing): normal, with-list,
 * and block transfer of the value or parameters from the client
 * (SET-request-with-first-datablock / with-datablock, ACTION-request-with-
 * first-pblock / with-pblock), reassembled in cfg.blk before the object is
 * called with one complete A-XDR value.
 */
#include "server_private.h"

enum { BLK_NONE = 0, BLK_SET = 1, BLK_ACTION = 2 };
enum { AR_LONG_ABORTED = 15, AR_NO_LONG = 16 };

struct block {
    const uint8_t *raw;
    uint32_t number;
    uint32_t len;
    bool last;
};

static bool parse_block(struct dlms_rd *r, struct block *b)
{
    uint8_t last = rd_u8(r);

    b->number = rd_be(r, 4);
    b->len = rd_len(r);
    b->raw = rd_bytes(r, b->len);
    if (last > 1)
        r->bad = true;
    b->last = last == 1;
    return !r->bad;
}

/* Descriptor with optional selective access (SET only carries it). */
static bool parse_sel_desc(struct dlms_rd *r, struct dlms_desc *d, uint8_t *selector, const uint8_t **sel,
                           size_t *sel_len)
{
    uint8_t flag;

    rd_desc(r, d);
    flag = rd_u8(r);
    *selector = 0;
    *sel = NULL;
    *sel_len = 0;
    if (flag == 1) {
        *selector = rd_u8(r);
        *sel = rd_data(r, sel_len);
        if (*selector == 0)
            r->bad = true;
    } else if (flag != 0) {
        r->bad = true;
    }
    return !r->bad;
}


static uint8_t do_set(const struct mtr_dlms_server *s, const struct dlms_desc *d, uint8_t selector,
                      const uint8_t *sel, size_t sel_len, const uint8_t *data, size_t len)
{
    struct mtr_dlms_call c;
    uint16_t idx;
    uint8_t dar = srv_resolve(s, d, 1, &idx);

    if (dar != 0)
        return dar;
    srv_call_init(s, &c, &s->cfg->objects[idx], d->id);
    c.selector = selector;
    c.sel = sel;
    c.sel_len = sel_len;
    c.data = data;
    c.data_len = len;
    return srv_dar(s->cfg->objects[idx].set(&c));
}

static void set_result(struct dlms_out *o, uint8_t choice, uint8_t iid, int dar, uint32_t number, bool with_number)
{
    uint8_t b[8] = {TAG_SET_RESP, choice, iid};
    size_t n = 3;

    o->len = 0;
    if (dar >= 0)
        b[n++] = (uint8_t)dar;
    if (with_number) {
        mtr_put_be32(b + n, number);
        n += 4;
    }
    (void)out_put(o, b, n);
}

/* Whole value of a block transfer. */
static bool complete_value(const uint8_t *b, size_t len)
{
    const uint8_t *p = b;
    return len > 0 && mtr_dlms_axdr_skip(&p, b + len) == MTR_OK && p == b + len;
}

/* Append a block; on the last one return true with *dar for the whole transfer. */
static bool take_block(struct mtr_dlms_server *s, const struct block *b, uint8_t *dar)
{
    if (b->len > s->cfg->blk_cap - s->blk_len) {
        *dar = s->blk_kind == BLK_SET ? MTR_DLMS_DAR_LONG_SET_ABORTED : AR_LONG_ABORTED;
        s->blk_kind = BLK_NONE;
        return true;
    }
    if (b->len > 0)
        memcpy(s->cfg->blk + s->blk_len, b->raw, b->len);
    s->blk_len += b->len;
    s->blk_block = b->number;
    *dar = 0;
    return b->last;
}

/* ------------------------------------------------------------ SET */

static mtr_err_t set_normal(struct mtr_dlms_server *s, struct dlms_rd *r, uint8_t iid, struct dlms_out *o)
{
    struct dlms_desc d;
    const uint8_t *sel;
    const uint8_t *data;
    size_t sel_len;
    size_t len = 0;
    uint8_t selector;

    if (!parse_sel_desc(r, &d, &selector, &sel, &sel_len))
        return MTR_ERR_DLMS_APDU;
    data = rd_data(r, &len);
    if (!rd_done(r))
        return MTR_ERR_DLMS_APDU;
    if (selector != 0 && !srv_conf(s, MTR_DLMS_CONF_SELECTIVE_ACCESS))
        return MTR_ERR_DLMS_SERVICE;
    set_result(o, 1, iid, do_set(s, &d, selector, sel, sel_len, data, len), 0, false);
    return MTR_OK;
}

static void set_finish(struct mtr_dlms_server *s, uint8_t iid, uint32_t number, struct dlms_out *o)
{
    struct dlms_desc d = {0};
    const struct mtr_dlms_obj *obj = &s->cfg->objects[s->blk_obj];
    uint8_t dar;

    d.class_id = obj->class_id;
    memcpy(d.obis, obj->obis, 6);
    d.id = s->blk_id;
    s->blk_kind = BLK_NONE;
    dar = complete_value(s->cfg->blk, s->blk_len)
              ? do_set(s, &d, 0, NULL, 0, s->cfg->blk, s->blk_len)
              : MTR_DLMS_DAR_TYPE_UNMATCHED;
    set_result(o, 3, iid, dar, number, true);
}

/* Take one SET block and answer it: the result when it was the last, else an
 * acknowledgement; a refused value of a later block aborts the long set. */
static void answer_block(struct mtr_dlms_server *s, struct block *b, uint8_t iid,
                         struct dlms_out *o, bool first)
{
    uint8_t dar;

    if (!take_block(s, b, &dar)) {
        set_result(o, 2, iid, -1, b->number, true);
        return;
    }
    if (dar != 0)
        set_result(o, 3, iid, first ? dar : MTR_DLMS_DAR_LONG_SET_ABORTED, b->number, true);
    else
        set_finish(s, iid, b->number, o);
}

static mtr_err_t set_first(struct mtr_dlms_server *s, struct dlms_rd *r, uint8_t iid, struct dlms_out *o)
{
    struct dlms_desc d;
    struct block b;
    const uint8_t *sel;
    size_t sel_len;
    uint8_t selector;
    uint16_t idx;
    uint8_t dar;

    if (!parse_sel_desc(r, &d, &selector, &sel, &sel_len) || !parse_block(r, &b) || !rd_done(r))
        return MTR_ERR_DLMS_APDU;
    if (!srv_conf(s, MTR_DLMS_CONF_BLOCK_SET))
        return MTR_ERR_DLMS_SERVICE;
    dar = srv_resolve(s, &d, 1, &idx);
    if (dar == 0 && selector != 0)
        dar = MTR_DLMS_DAR_SCOPE_VIOLATED; /* no selective access with block transfer */
    if (dar == 0 && b.number != 1)
        dar = MTR_DLMS_DAR_BLOCK_NUMBER_INVALID;
    if (dar == 0 && s->cfg->blk_cap == 0)
        dar = MTR_DLMS_DAR_OTHER;
    s->blk_kind = BLK_NONE;
    if (dar != 0) {
        set_result(o, 3, iid, dar, b.number, true);
        return MTR_OK;
    }
    s->blk_kind = BLK_SET;
    s->blk_obj = idx;
    s->blk_id = d.id;
    s->blk_len = 0;
    answer_block(s, &b, iid, o, true);
    return MTR_OK;
}

static mtr_err_t set_next(struct mtr_dlms_server *s, struct dlms_rd *r, uint8_t iid, struct dlms_out *o)
{
    struct block b;
    uint8_t dar;

    if (!parse_block(r, &b) || !rd_done(r))
        return MTR_ERR_DLMS_APDU;
    if (!srv_conf(s, MTR_DLMS_CONF_BLOCK_SET))
        return MTR_ERR_DLMS_SERVICE;
    if (s->blk_kind != BLK_SET || b.number != s->blk_block + 1u) {
        dar = s->blk_kind != BLK_SET ? MTR_DLMS_DAR_NO_LONG_SET : MTR_DLMS_DAR_BLOCK_NUMBER_INVALID;
        s->blk_kind = BLK_NONE;
        set_result(o, 3, iid, dar, b.number, true);
        return MTR_OK;
    }
    answer_block(s, &b, iid, o, false);
    return MTR_OK;
}

static mtr_err_t set_list(struct mtr_dlms_server *s, struct dlms_rd *r, uint8_t iid, struct dlms_out *o)
{
    struct dlms_desc d[MTR_CFG_DLMS_LIST_MAX];
    const uint8_t *sel[MTR_CFG_DLMS_LIST_MAX];
    size_t sel_len[MTR_CFG_DLMS_LIST_MAX];
    uint8_t selector[MTR_CFG_DLMS_LIST_MAX];
    const uint8_t *data[MTR_CFG_DLMS_LIST_MAX];
    size_t len[MTR_CFG_DLMS_LIST_MAX];
    uint32_t n = rd_len(r);

    if (r->bad || n == 0 || n > MTR_CFG_DLMS_LIST_MAX)
        return MTR_ERR_DLMS_APDU;
    for (uint32_t k = 0; k < n; k++)
        if (!parse_sel_desc(r, &d[k], &selector[k], &sel[k], &sel_len[k]))
            return MTR_ERR_DLMS_APDU;
    if (rd_len(r) != n)
        return MTR_ERR_DLMS_APDU;
    for (uint32_t k = 0; k < n; k++)
        data[k] = rd_data(r, &len[k]);
    if (!rd_done(r))
        return MTR_ERR_DLMS_APDU;
    if (!srv_conf(s, MTR_DLMS_CONF_MULTIPLE_REFS))
        return MTR_ERR_DLMS_SERVICE;
    for (uint32_t k = 0; k < n; k++)
        if (selector[k] != 0 && !srv_conf(s, MTR_DLMS_CONF_SELECTIVE_ACCESS))
            return MTR_ERR_DLMS_SERVICE;
    o->len = 0;
    (void)out_u8(o, TAG_SET_RESP);
    (void)out_u8(o, 5);
    (void)out_u8(o, iid);
    (void)out_len(o, n);
    for (uint32_t k = 0; k < n; k++)
        (void)out_u8(o, do_set(s, &d[k], selector[k], sel[k], sel_len[k], data[k], len[k]));
    return MTR_OK;
}

mtr_err_t dlms_set(struct mtr_dlms_server *s, struct dlms_rd *r, struct dlms_out *o)
{
    uint8_t choice = rd_u8(r);
    uint8_t iid = rd_u8(r);

    if (r->bad || choice < 1 || choice > 4)
        return MTR_ERR_DLMS_APDU;
    if (!srv_conf(s, MTR_DLMS_CONF_SET))
        return MTR_ERR_DLMS_SERVICE;
    switch (choice) {
    case 1:
        return set_normal(s, r, iid, o);
    case 2:
        return set_first(s, r, iid, o);
    case 3:
        return set_next(s, r, iid, o);
    default:
        return set_list(s, r, iid, o);
    }
}

/* ------------------------------------------------------------ ACTION */

/* Action-Response-With-Optional-Data for one method, appended to o. */
static void invoke(struct mtr_dlms_server *s, const struct dlms_desc *d, const uint8_t *data, size_t len,
                   struct dlms_out *o)
{
    struct mtr_dlms_axdr_writer w;
    size_t at = o->len;
    uint8_t result = 0;
    mtr_err_t err = MTR_OK;

    if (o->cap - at < 3) {
        o->len = o->cap; /* no room: the caller's response is cut (cannot happen with cap >= 64) */
        return;
    }
    mtr_dlms_axdr_writer_init(&w, o->buf + at + 3, o->cap - at - 3);
    if (!dlms_builtin_action(s, d, data, len, &w, &result, &err)) {
        uint16_t idx;
        result = srv_resolve(s, d, 2, &idx);
        if (result == 0) {
            struct mtr_dlms_call c;
            srv_call_init(s, &c, &s->cfg->objects[idx], d->id);
            c.data = data;
            c.data_len = len;
            result = srv_dar(s->cfg->objects[idx].action(&c, &w));
        }
    }
    if (result == 0 && mtr_dlms_axdr_writer_pending(&w) != 0)
        result = MTR_DLMS_DAR_OTHER; /* return data larger than the PDU */
    o->buf[at] = result;
    if (result != 0 || w.total == 0) {
        o->buf[at + 1] = 0;
        o->len = at + 2;
        return;
    }
    o->buf[at + 1] = 1;
    o->buf[at + 2] = 0;
    o->len = at + 3 + w.len;
    (void)err;
}

static void action_head(struct dlms_out *o, uint8_t choice, uint8_t iid)
{
    o->len = 0;
    (void)out_u8(o, TAG_ACTION_RESP);
    (void)out_u8(o, choice);
    (void)out_u8(o, iid);
}

static mtr_err_t action_normal(struct mtr_dlms_server *s, struct dlms_rd *r, uint8_t iid, struct dlms_out *o)
{
    struct dlms_desc d;
    const uint8_t *data = NULL;
    size_t len = 0;
    uint8_t flag;

    rd_desc(r, &d);
    flag = rd_u8(r);
    if (flag == 1)
        data = rd_data(r, &len);
    else if (flag != 0)
        r->bad = true;
    if (!rd_done(r))
        return MTR_ERR_DLMS_APDU;
    action_head(o, 1, iid);
    invoke(s, &d, data, len, o);
    return MTR_OK;
}

static void action_error(struct dlms_out *o, uint8_t iid, uint8_t result)
{
    action_head(o, 1, iid);
    (void)out_u8(o, result);
    (void)out_u8(o, 0);
}

static void action_block(struct mtr_dlms_server *s, const struct block *b, uint8_t iid, struct dlms_out *o)
{
    uint8_t dar;

    if (!take_block(s, b, &dar)) {
        uint8_t n[4];
        action_head(o, 4, iid); /* action-response-next-pblock */
        mtr_put_be32(n, b->number);
        (void)out_put(o, n, 4);
        return;
    }
    if (dar != 0) {
        action_error(o, iid, AR_LONG_ABORTED);
        return;
    }
    s->blk_kind = BLK_NONE;
    if (!complete_value(s->cfg->blk, s->blk_len)) {
        action_error(o, iid, MTR_DLMS_DAR_TYPE_UNMATCHED);
        return;
    }
    {
        struct dlms_desc d = {0};
        const struct mtr_dlms_obj *obj = &s->cfg->objects[s->blk_obj];
        d.class_id = obj->class_id;
        memcpy(d.obis, obj->obis, 6);
        d.id = s->blk_id;
        action_head(o, 1, iid);
        invoke(s, &d, s->cfg->blk, s->blk_len, o);
    }
}

static mtr_err_t action_first(struct mtr_dlms_server *s, struct dlms_rd *r, uint8_t iid, struct dlms_out *o)
{
    struct dlms_desc d;
    struct block b;
    uint16_t idx;
    uint8_t result;

    rd_desc(r, &d);
    if (!parse_block(r, &b) || !rd_done(r))
        return MTR_ERR_DLMS_APDU;
    if (!srv_conf(s, MTR_DLMS_CONF_BLOCK_ACTION))
        return MTR_ERR_DLMS_SERVICE;
    s->blk_kind = BLK_NONE;
    result = srv_resolve(s, &d, 2, &idx);
    if (result == 0 && (b.number != 1 || s->cfg->blk_cap == 0))
        result = AR_LONG_ABORTED;
    if (result != 0) {
        action_error(o, iid, result);
        return MTR_OK;
    }
    s->blk_kind = BLK_ACTION;
    s->blk_obj = idx;
    s->blk_id = d.id;
    s->blk_len = 0;
    action_block(s, &b, iid, o);
    return MTR_OK;
}

static mtr_err_t action_next(struct mtr_dlms_server *s, struct dlms_rd *r, uint8_t iid, struct dlms_out *o)
{
    struct block b;

    if (!parse_block(r, &b) || !rd_done(r))
        return MTR_ERR_DLMS_APDU;
    if (!srv_conf(s, MTR_DLMS_CONF_BLOCK_ACTION))
        return MTR_ERR_DLMS_SERVICE;
    if (s->blk_kind != BLK_ACTION || b.number != s->blk_block + 1u) {
        uint8_t result = s->blk_kind != BLK_ACTION ? AR_NO_LONG : AR_LONG_ABORTED;
        s->blk_kind = BLK_NONE;
        action_error(o, iid, result);
        return MTR_OK;
    }
    action_block(s, &b, iid, o);
    return MTR_OK;
}

static mtr_err_t action_list(struct mtr_dlms_server *s, struct dlms_rd *r, uint8_t iid, struct dlms_out *o)
{
    struct dlms_desc d[MTR_CFG_DLMS_LIST_MAX];
    const uint8_t *data[MTR_CFG_DLMS_LIST_MAX];
    size_t len[MTR_CFG_DLMS_LIST_MAX];
    uint32_t n = rd_len(r);

    if (r->bad || n == 0 || n > MTR_CFG_DLMS_LIST_MAX)
        return MTR_ERR_DLMS_APDU;
    for (uint32_t k = 0; k < n; k++)
        rd_desc(r, &d[k]);
    if (rd_len(r) != n)
        return MTR_ERR_DLMS_APDU;
    for (uint32_t k = 0; k < n; k++)
        data[k] = rd_data(r, &len[k]);
    if (!rd_done(r))
        return MTR_ERR_DLMS_APDU;
    if (!srv_conf(s, MTR_DLMS_CONF_MULTIPLE_REFS))
        return MTR_ERR_DLMS_SERVICE;
    action_head(o, 3, iid);
    (void)out_len(o, n);
    for (uint32_t k = 0; k < n; k++)
        invoke(s, &d[k], data[k], len[k], o);
    return MTR_OK;
}

mtr_err_t dlms_action(struct mtr_dlms_server *s, struct dlms_rd *r, struct dlms_out *o)
{
    uint8_t choice = rd_u8(r);
    uint8_t iid = rd_u8(r);

    if (r->bad || choice < 1 || choice > 6 || choice == 2 || choice == 5)
        return MTR_ERR_DLMS_APDU;
    if (!srv_conf(s, MTR_DLMS_CONF_ACTION))
        return MTR_ERR_DLMS_SERVICE;
    switch (choice) {
    case 1:
        return action_normal(s, r, iid, o);
    case 3:
        return action_list(s, r, iid, o);
    case 4:
        return action_first(s, r, iid, o);
    default:
        return action_next(s, r, iid, o);
    }
}
