/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Image transfer object (class 18 version 0, 0-0:44.0.0.255; Blue Book
 * 4.4.6, seed section 11.3): the A-XDR side of the image transfer engine
 * (meter/image.h) that the application initialised and handed over in
 * ::mtr_cosem_config.image. Only the management role may write or invoke
 * (access rights of objects_system.def, seed security.json).
 *
 * Results: malformed parameters type-unmatched; out-of-range values (block
 * number, block length, image size) scope-of-access-violated; a transfer
 * that is disabled read-write-denied; a step out of order (block before
 * initiate, verify before all blocks, activate before verify) and a failed
 * verification other-reason. Nothing changes on a refused request.
 */
#include "cosem_sys.h"

#include <string.h>

static bool local_port(const struct mtr_dlms_call *c)
{
    struct mtr_dlms_assoc_info a;
    sys_assoc(c, &a);
    return a.local_port;
}

mtr_err_t cosem_sys_image_get(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    struct mtr_image *img = cosem_of(c)->cfg.image;
    struct mtr_image_info info;
    const uint8_t *bitmap;
    uint32_t blocks;
    struct sys_emit e;

    if (img == NULL)
        return MTR_ERR_NOTSUP;
    if (c->selector != 0)
        return MTR_ERR_RANGE;
    sys_emit_init(&e, w, &c->cursor[1]);
    switch (c->id) {
    case 2: /* image_block_size */
        sys_uint(&e, MTR_DLMS_DOUBLE_LONG_UNSIGNED, mtr_image_block_size(img));
        break;
    case 3: /* image_transferred_blocks_status: bit n = block n transferred */
        blocks = mtr_image_blocks(img, &bitmap);
        sys_bits(&e, bitmap, blocks);
        break;
    case 4: /* image_first_not_transferred_block_number */
        sys_uint(&e, MTR_DLMS_DOUBLE_LONG_UNSIGNED, mtr_image_first_missing(img));
        break;
    case 5: /* image_transfer_enabled */
        sys_uint(&e, MTR_DLMS_BOOLEAN, mtr_image_enabled(img));
        break;
    case 6: /* image_transfer_status */
        sys_uint(&e, MTR_DLMS_ENUM, mtr_image_status(img));
        break;
    case 7: /* image_to_activate_info: array of {size, identification, signature} */
        if (!mtr_image_to_activate(img, &info)) {
            sys_cont(&e, MTR_DLMS_ARRAY, 0);
            break;
        }
        sys_cont(&e, MTR_DLMS_ARRAY, 1);
        sys_cont(&e, MTR_DLMS_STRUCTURE, 3);
        sys_uint(&e, MTR_DLMS_DOUBLE_LONG_UNSIGNED, info.size);
        sys_str(&e, MTR_DLMS_OCTET_STRING, info.id, info.id_len);
        sys_str(&e, MTR_DLMS_OCTET_STRING, info.signature, info.signature_len);
        break;
    default:
        return MTR_ERR_NOTSUP;
    }
    return e.err;
}

/* Attribute 5: image_transfer_enabled (boolean). */
mtr_err_t cosem_sys_image_set(const struct mtr_dlms_call *c)
{
    struct mtr_cosem *cs = cosem_of(c);
    struct sys_rd r;
    uint64_t v;

    if (cs->cfg.image == NULL)
        return MTR_ERR_NOTSUP;
    if (c->id != 5)
        return MTR_ERR_DLMS_DENIED;
    if (c->selector != 0)
        return MTR_ERR_RANGE;
    sys_rd_init(&r, c->data, c->data_len);
    v = sys_rd_uint(&r, MTR_DLMS_BOOLEAN);
    if (!sys_rd_done(&r))
        return MTR_ERR_INVAL;
    mtr_image_enable(cs->cfg.image, v != 0, local_port(c));
    sys_changed(cs, MTR_COSEM_SETTING_IMAGE, 0);
    return MTR_OK;
}

/* Parameters integer(0) of image_verify and image_activate. */
static mtr_err_t no_params(const struct mtr_dlms_call *c)
{
    struct sys_rd r;
    int64_t v;

    sys_rd_init(&r, c->data, c->data_len);
    v = sys_rd_int(&r, MTR_DLMS_INTEGER);
    if (!sys_rd_done(&r))
        return MTR_ERR_INVAL;
    return v == 0 ? MTR_OK : SYS_REFUSED;
}

/* A parameter the engine refuses (an identifier or size out of range, a
 * block number past the image): other-reason, as every refused value. */
static mtr_err_t refused(mtr_err_t err)
{
    return err == MTR_ERR_RANGE ? SYS_REFUSED : err;
}

mtr_err_t cosem_sys_image_action(const struct mtr_dlms_call *c, struct mtr_dlms_axdr_writer *w)
{
    struct mtr_image *img = cosem_of(c)->cfg.image;
    struct sys_rd r;
    const uint8_t *p;
    uint32_t n;
    uint64_t v;
    mtr_err_t err;

    (void)w;
    if (img == NULL)
        return MTR_ERR_NOTSUP;
    sys_rd_init(&r, c->data, c->data_len);
    switch (c->id) {
    case 1: /* image_transfer_initiate {image_identifier octet-string, image_size
               double_long_unsigned} */
        if (sys_rd_cont(&r, MTR_DLMS_STRUCTURE) != 2)
            r.bad = true;
        p = sys_rd_str(&r, MTR_DLMS_OCTET_STRING, &n);
        v = sys_rd_uint(&r, MTR_DLMS_DOUBLE_LONG_UNSIGNED);
        if (!sys_rd_done(&r))
            return MTR_ERR_INVAL;
        return refused(mtr_image_initiate(img, p, n, (uint32_t)v, local_port(c)));
    case 2: /* image_block_transfer {image_block_number double_long_unsigned, image_block_value
               octet-string} */
        if (sys_rd_cont(&r, MTR_DLMS_STRUCTURE) != 2)
            r.bad = true;
        v = sys_rd_uint(&r, MTR_DLMS_DOUBLE_LONG_UNSIGNED);
        p = sys_rd_str(&r, MTR_DLMS_OCTET_STRING, &n);
        if (!sys_rd_done(&r))
            return MTR_ERR_INVAL;
        return refused(mtr_image_block(img, (uint32_t)v, p, n));
    case 3: /* image_verify(integer(0)) */
        err = no_params(c);
        return err != MTR_OK ? err : mtr_image_verify(img, local_port(c));
    case 4: /* image_activate(integer(0)) */
        err = no_params(c);
        return err != MTR_OK ? err : mtr_image_activate(img, local_port(c));
    default:
        return MTR_ERR_NOTSUP;
    }
}
