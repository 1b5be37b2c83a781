/* SPDX-License-Identifier: Apache-2.0 */
/*
 * GET service (Green Book, LN referencing): normal, with-list and block
 * transfer of responses larger than the PDU (GET-response-with-datablock,
 * GET-request-next). The value is streamed by the object into the A-XDR
 * writer whose buffer is the raw-data of the current block.
 */
#include "server_private.h"

#define BLOCK_HEAD 12u /* C4 02 iid last-block block-number(4) choice length(<= 3) */

struct item {
    struct dlms_desc d;
    const uint8_t *sel;
    size_t sel_len;
    uint8_t selector;
};

static bool parse_item(struct dlms_rd *r, struct item *it)
{
    uint8_t flag;

    rd_desc(r, &it->d);
    flag = rd_u8(r);
    it->selector = 0;
    it->sel = NULL;
    it->sel_len = 0;
    if (flag == 1) {
        it->selector = rd_u8(r);
        it->sel = rd_data(r, &it->sel_len);
        if (it->selector == 0)
            r->bad = true;
    } else if (flag != 0) {
        r->bad = true;
    }
    return !r->bad;
}


static mtr_err_t get_item(struct mtr_dlms_server *s, uint8_t k)
{
    struct mtr_dlms_long_get *lg = &s->lg;
    const struct mtr_dlms_obj *o = &s->cfg->objects[lg->obj[k]];
    struct mtr_dlms_call c;

    if (lg->id[k] == 1) {
        if (!mtr_dlms_server_room(&lg->w))
            return MTR_ERR_FULL;
        return mtr_dlms_axdr_put_string(&lg->w, MTR_DLMS_OCTET_STRING, o->obis, 6);
    }
    srv_call_init(s, &c, o, lg->id[k]);
    c.selector = lg->selector[k];
    if (c.selector != 0) {
        c.sel = lg->sel + lg->sel_off[k];
        c.sel_len = lg->sel_len[k];
    }
    c.cursor = lg->cursor;
    return o->get(&c, &lg->w);
}

/* Stream items into the writer: MTR_OK all written (maybe pending), MTR_ERR_FULL, or an error. */
static mtr_err_t produce(struct mtr_dlms_server *s)
{
    struct mtr_dlms_long_get *lg = &s->lg;
    struct mtr_dlms_axdr_writer *w = &lg->w;

    while (lg->item < lg->count) {
        uint8_t k = lg->item;
        mtr_err_t err;

        if (lg->phase == 0) {
            if (lg->list) {
                uint8_t h[2] = {lg->dar[k] != 0, lg->dar[k]};
                if (!mtr_dlms_server_room(w))
                    return MTR_ERR_FULL;
                lg->start = w->len;
                lg->start_block = lg->block;
                (void)axdr_put_raw(w, h, lg->dar[k] != 0 ? 2u : 1u);
                if (lg->dar[k] != 0) {
                    lg->item++;
                    continue;
                }
            }
            lg->phase = 1;
            lg->cursor[0] = 0;
            lg->cursor[1] = 0;
        }
        err = get_item(s, k);
        if (err == MTR_ERR_FULL)
            return err;
        if (err != MTR_OK) {
            uint8_t h[2] = {1, srv_dar(err)};
            if (!lg->list || lg->start_block != lg->block)
                return err;
            axdr_writer_truncate(w, lg->start);
            (void)axdr_put_raw(w, h, 2);
        }
        lg->phase = 0;
        lg->item++;
    }
    return MTR_OK;
}

/* DataBlock-G: raw data (the writer's bytes) or a data-access-result. */
static void emit_block(struct mtr_dlms_server *s, struct dlms_out *o, bool last, int dar, uint32_t number)
{
    uint8_t h[BLOCK_HEAD];
    size_t raw = dar < 0 ? s->lg.w.len : 0;
    size_t n = 0;
    struct dlms_out t = {h, sizeof h, 0};

    (void)out_u8(&t, TAG_GET_RESP);
    (void)out_u8(&t, 2);
    (void)out_u8(&t, s->lg.iid);
    (void)out_u8(&t, last);
    n = t.len;
    mtr_put_be32(h + n, number);
    t.len += 4;
    if (dar >= 0) {
        (void)out_u8(&t, 1);
        (void)out_u8(&t, (uint8_t)dar);
    } else {
        (void)out_u8(&t, 0);
        (void)out_len(&t, (uint32_t)raw);
    }
    if (raw > 0)
        memmove(o->buf + t.len, o->buf + BLOCK_HEAD, raw);
    memcpy(o->buf, h, t.len);
    o->len = t.len + raw;
    if (last)
        s->lg.active = false;
}

static void normal_dar(struct dlms_out *o, uint8_t iid, uint8_t dar)
{
    uint8_t b[5] = {TAG_GET_RESP, 1, iid, 1, dar};
    o->len = 0;
    (void)out_put(o, b, sizeof b);
}

/* The response does not fit one PDU and block transfer was not negotiated. */
static void too_long(const struct mtr_dlms_server *s, struct dlms_out *o)
{
    const struct mtr_dlms_long_get *lg = &s->lg;

    if (!lg->list) {
        normal_dar(o, lg->iid, MTR_DLMS_DAR_OTHER);
        return;
    }
    o->len = 0;
    (void)out_u8(o, TAG_GET_RESP);
    (void)out_u8(o, 3);
    (void)out_u8(o, lg->iid);
    (void)out_len(o, lg->count);
    for (uint8_t k = 0; k < lg->count; k++) {
        (void)out_u8(o, 1);
        (void)out_u8(o, MTR_DLMS_DAR_OTHER);
    }
}

/* First response: whole when it fits, else the first block. */
static mtr_err_t run_first(struct mtr_dlms_server *s, struct dlms_out *o)
{
    struct mtr_dlms_long_get *lg = &s->lg;
    uint8_t head[4] = {TAG_GET_RESP, lg->list ? 3 : 1, lg->iid, 0};
    size_t hlen = lg->list ? 3u : 4u;
    mtr_err_t err;

    mtr_dlms_axdr_writer_init(&lg->w, o->buf + BLOCK_HEAD, o->cap - BLOCK_HEAD);
    lg->block = 0;
    if (lg->list) {
        uint8_t n[2] = {lg->count};
        (void)axdr_put_raw(&lg->w, n, 1);
    }
    err = produce(s);
    if (err == MTR_OK && mtr_dlms_axdr_writer_pending(&lg->w) == 0) {
        memmove(o->buf + hlen, o->buf + BLOCK_HEAD, lg->w.len);
        memcpy(o->buf, head, hlen);
        o->len = hlen + lg->w.len;
        return MTR_OK;
    }
    if (err != MTR_OK && err != MTR_ERR_FULL) {
        normal_dar(o, lg->iid, srv_dar(err));
        return MTR_OK;
    }
    if (!srv_conf(s, MTR_DLMS_CONF_BLOCK_GET)) {
        too_long(s, o);
        return MTR_OK;
    }
    lg->active = true;
    emit_block(s, o, false, -1, ++lg->block);
    return MTR_OK;
}

static mtr_err_t get_normal(struct mtr_dlms_server *s, struct dlms_rd *r, uint8_t iid, struct dlms_out *o)
{
    struct mtr_dlms_long_get *lg = &s->lg;
    struct item it;
    uint16_t idx;
    uint8_t dar;

    if (!parse_item(r, &it) || !rd_done(r))
        return MTR_ERR_DLMS_APDU;
    if (it.selector != 0 && !srv_conf(s, MTR_DLMS_CONF_SELECTIVE_ACCESS))
        return MTR_ERR_DLMS_SERVICE;
    dar = srv_resolve(s, &it.d, 0, &idx);
    if (dar == 0 && it.sel_len > sizeof lg->sel)
        dar = MTR_DLMS_DAR_SCOPE_VIOLATED;
    lg->active = false;
    if (dar != 0) {
        normal_dar(o, iid, dar);
        return MTR_OK;
    }
    lg->iid = iid;
    lg->list = false;
    lg->count = 1;
    lg->item = 0;
    lg->phase = 0;
    lg->obj[0] = idx;
    lg->id[0] = it.d.id;
    lg->dar[0] = 0;
    lg->selector[0] = it.selector;
    lg->sel_off[0] = 0;
    lg->sel_len[0] = (uint8_t)it.sel_len;
    if (it.sel_len > 0)
        memcpy(lg->sel, it.sel, it.sel_len);
    return run_first(s, o);
}

static mtr_err_t get_list(struct mtr_dlms_server *s, struct dlms_rd *r, uint8_t iid, struct dlms_out *o)
{
    struct mtr_dlms_long_get *lg = &s->lg;
    struct item it[MTR_CFG_DLMS_LIST_MAX];
    uint32_t n = rd_len(r);
    size_t used = 0;

    if (r->bad || n == 0 || n > MTR_CFG_DLMS_LIST_MAX)
        return MTR_ERR_DLMS_APDU;
    for (uint32_t k = 0; k < n; k++)
        if (!parse_item(r, &it[k]))
            return MTR_ERR_DLMS_APDU;
    if (!rd_done(r))
        return MTR_ERR_DLMS_APDU;
    if (!srv_conf(s, MTR_DLMS_CONF_MULTIPLE_REFS))
        return MTR_ERR_DLMS_SERVICE;
    for (uint32_t k = 0; k < n; k++)
        if (it[k].selector != 0 && !srv_conf(s, MTR_DLMS_CONF_SELECTIVE_ACCESS))
            return MTR_ERR_DLMS_SERVICE;
    lg->active = false;
    lg->iid = iid;
    lg->list = true;
    lg->count = (uint8_t)n;
    lg->item = 0;
    lg->phase = 0;
    for (uint8_t k = 0; k < n; k++) {
        lg->dar[k] = srv_resolve(s, &it[k].d, 0, &lg->obj[k]);
        lg->id[k] = it[k].d.id;
        lg->selector[k] = it[k].selector;
        lg->sel_off[k] = (uint8_t)used;
        lg->sel_len[k] = 0;
        if (lg->dar[k] == 0 && it[k].sel_len > sizeof lg->sel - used)
            lg->dar[k] = MTR_DLMS_DAR_SCOPE_VIOLATED;
        if (lg->dar[k] == 0 && it[k].sel_len > 0) {
            memcpy(lg->sel + used, it[k].sel, it[k].sel_len);
            lg->sel_len[k] = (uint8_t)it[k].sel_len;
            used += it[k].sel_len;
        }
    }
    return run_first(s, o);
}

static mtr_err_t get_next(struct mtr_dlms_server *s, struct dlms_rd *r, uint8_t iid, struct dlms_out *o)
{
    struct mtr_dlms_long_get *lg = &s->lg;
    uint32_t number = rd_be(r, 4);
    mtr_err_t err = MTR_OK;

    if (!rd_done(r))
        return MTR_ERR_DLMS_APDU;
    if (!srv_conf(s, MTR_DLMS_CONF_BLOCK_GET))
        return MTR_ERR_DLMS_SERVICE;
    lg->iid = iid;
    if (!lg->active || number != lg->block) {
        emit_block(s, o, true, lg->active ? MTR_DLMS_DAR_LONG_GET_ABORTED : MTR_DLMS_DAR_NO_LONG_GET,
                   number);
        return MTR_OK;
    }
    mtr_dlms_axdr_writer_next(&lg->w, o->buf + BLOCK_HEAD, o->cap - BLOCK_HEAD);
    if (mtr_dlms_axdr_writer_pending(&lg->w) == 0 && lg->item < lg->count)
        err = produce(s);
    if (err != MTR_OK && err != MTR_ERR_FULL) {
        emit_block(s, o, true, srv_dar(err), ++lg->block);
        return MTR_OK;
    }
    emit_block(s, o, lg->item >= lg->count && mtr_dlms_axdr_writer_pending(&lg->w) == 0, -1, ++lg->block);
    return MTR_OK;
}

mtr_err_t dlms_get(struct mtr_dlms_server *s, struct dlms_rd *r, struct dlms_out *o)
{
    uint8_t choice = rd_u8(r);
    uint8_t iid = rd_u8(r);

    if (r->bad)
        return MTR_ERR_DLMS_APDU;
    if (!srv_conf(s, MTR_DLMS_CONF_GET))
        return choice >= 1 && choice <= 3 ? MTR_ERR_DLMS_SERVICE : MTR_ERR_DLMS_APDU;
    switch (choice) {
    case 1:
        return get_normal(s, r, iid, o);
    case 2:
        return get_next(s, r, iid, o);
    case 3:
        return get_list(s, r, iid, o);
    default:
        return MTR_ERR_DLMS_APDU;
    }
}
