/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The COSEM object table: one const array assembled from the object list
 * files (see cosem_int.h), and the names of its objects for docs/objects.md.
 */
#include "cosem_control.h"
#include "cosem_data.h"
#include "cosem_display.h"
#include "cosem_int.h"
#include "cosem_sys.h"

#include <string.h>

/* Every role of enum mtr_cosem_role has its access-rights profile. */
_Static_assert(MTR_CFG_DLMS_PROFILES >= MTR_COSEM_ROLES, "MTR_CFG_DLMS_PROFILES below MTR_COSEM_ROLES");

/* Common access arrays (cosem_int.h). */
const struct mtr_dlms_access cosem_acc_read1[MTR_CFG_DLMS_PROFILES] = COSEM_ACCESS_READ(COSEM_UPTO(1));
const struct mtr_dlms_access cosem_acc_read2[MTR_CFG_DLMS_PROFILES] = COSEM_ACCESS_READ(COSEM_UPTO(2));
const struct mtr_dlms_access cosem_acc_read3[MTR_CFG_DLMS_PROFILES] = COSEM_ACCESS_READ(COSEM_UPTO(3));
const struct mtr_dlms_access cosem_acc_read4[MTR_CFG_DLMS_PROFILES] = COSEM_ACCESS_READ(COSEM_UPTO(4));
const struct mtr_dlms_access cosem_acc_read5[MTR_CFG_DLMS_PROFILES] = COSEM_ACCESS_READ(COSEM_UPTO(5));
const struct mtr_dlms_access cosem_acc_read9[MTR_CFG_DLMS_PROFILES] = COSEM_ACCESS_READ(COSEM_UPTO(9));
const struct mtr_dlms_access cosem_acc_public2[MTR_CFG_DLMS_PROFILES] =
    COSEM_ACCESS_PUBLIC_READ(COSEM_UPTO(2));
const struct mtr_dlms_access cosem_acc_public3[MTR_CFG_DLMS_PROFILES] =
    COSEM_ACCESS_PUBLIC_READ(COSEM_UPTO(3));
const struct mtr_dlms_access cosem_acc_setting2[MTR_CFG_DLMS_PROFILES] =
    COSEM_ACCESS_SETTING(COSEM_UPTO(2), COSEM_BIT(2), 0);
const struct mtr_dlms_access cosem_acc_setting3[MTR_CFG_DLMS_PROFILES] =
    COSEM_ACCESS_SETTING(COSEM_UPTO(3), COSEM_BIT(2), 0);

#define COSEM_OBJ(name, cls, ver, a, b, c, d, e, f, acc, get, set, act, user)                      \
    {(cls), (ver), {(a), (b), (c), (d), (e), (f)}, (acc), (get), (set), (act), (void *)(user)},
static const struct mtr_dlms_obj cosem_objects[] = {
#include "objects_data.def"
#include "objects_control.def"
#include "objects_records.def"
#include "objects_system.def"
#include "objects_display.def"
};
#undef COSEM_OBJ

#define COSEM_OBJ(name, cls, ver, a, b, c, d, e, f, acc, get, set, act, user) name,
static const char *const cosem_names[] = {
#include "objects_data.def"
#include "objects_control.def"
#include "objects_records.def"
#include "objects_system.def"
#include "objects_display.def"
};
#undef COSEM_OBJ

const struct mtr_dlms_obj *mtr_cosem_table(uint16_t *n)
{
    *n = (uint16_t)(sizeof cosem_objects / sizeof cosem_objects[0]);
    return cosem_objects;
}

const struct mtr_dlms_obj *cosem_find(uint16_t class_id, const uint8_t obis[6])
{
    uint16_t n;
    const struct mtr_dlms_obj *t = mtr_cosem_table(&n);

    for (uint16_t k = 0; k < n; k++) {
        if (t[k].class_id == class_id && memcmp(t[k].obis, obis, 6) == 0) {
            return &t[k];
        }
    }
    return NULL;
}

mtr_err_t cosem_get_attr(struct mtr_cosem *cs, const struct mtr_dlms_server *server,
                         const struct mtr_dlms_obj *o, uint8_t attr, uint8_t profile,
                         struct mtr_dlms_axdr_writer *w)
{
    uint32_t cursor[2] = {0, 0};
    struct mtr_dlms_call call;

    if (o->get == NULL) {
        return MTR_ERR_NOTSUP;
    }
    memset(&call, 0, sizeof call);
    call.obj = o;
    call.user = cs;
    call.id = attr;
    call.profile = profile;
    call.cursor = cursor;
    call.server = server;
    return o->get(&call, w);
}

const char *mtr_cosem_object_name(uint16_t index)
{
    uint16_t n;
    (void)mtr_cosem_table(&n);
    return index < n ? cosem_names[index] : NULL;
}

mtr_err_t mtr_cosem_init(struct mtr_cosem *c, const struct mtr_cosem_config *cfg)
{
    MTR_ASSERT(c != NULL && cfg != NULL);
    if (cfg->meter == NULL) {
        return MTR_ERR_CONFIG;
    }
    memset(c, 0, sizeof *c);
    c->cfg = *cfg;
    return MTR_OK;
}

size_t mtr_cosem_size(void)
{
    return sizeof(struct mtr_cosem);
}
