/* SPDX-License-Identifier: Apache-2.0 */
/* The object table itself: unique objects, coherent rights, the seed's objects present.
 * (A role may write what it cannot read: secrets and keys are write-only.) */
#include <criterion/criterion.h>
#include <string.h>

#include "cosem_rig.h"

Test(cosem_table, objects_are_unique_and_named)
{
    uint16_t n;
    const struct mtr_dlms_obj *t = mtr_cosem_table(&n);
    cr_assert_gt(n, 100);
    cr_assert_null(mtr_cosem_object_name(n));
    for (uint16_t k = 0; k < n; k++) {
        const char *name = mtr_cosem_object_name(k);
        cr_assert(name != NULL && name[0] != '\0', "object %u has a name", k);
        cr_assert_not_null(t[k].access, "%s has access rights", name);
        for (uint16_t j = 0; j < k; j++) {
            cr_assert(memcmp(t[j].obis, t[k].obis, 6) != 0, "%s and %s share a logical name", name,
                      mtr_cosem_object_name(j));
            cr_assert(strcmp(mtr_cosem_object_name(j), name) != 0, "two objects named %s", name);
        }
    }
}

Test(cosem_table, rights_match_the_callbacks)
{
    uint16_t n;
    const struct mtr_dlms_obj *t = mtr_cosem_table(&n);
    for (uint16_t k = 0; k < n; k++) {
        const char *name = mtr_cosem_object_name(k);
        for (int r = MTR_COSEM_ROLES; r < MTR_CFG_DLMS_PROFILES; r++) {
            cr_assert(t[k].access[r].get == 0 && t[k].access[r].set == 0 && t[k].access[r].act == 0,
                      "%s: profile %d is no role", name, r);
        }
        for (int r = 0; r < MTR_COSEM_ROLES; r++) {
            const struct mtr_dlms_access *a = &t[k].access[r];
            cr_assert_eq(a->set & 1u, 0, "%s: logical name writable", name);
            cr_assert(t[k].get != NULL || (a->get & ~1u) == 0, "%s: readable without a get callback", name);
            cr_assert(t[k].set != NULL || a->set == 0, "%s: writable without a set callback", name);
            cr_assert(t[k].action != NULL || a->act == 0, "%s: methods without an action callback", name);
        }
        /* pre-established reads nothing that public does not */
        const struct mtr_dlms_access *pub = &t[k].access[MTR_COSEM_ROLE_PUBLIC];
        const struct mtr_dlms_access *pre = &t[k].access[MTR_COSEM_ROLE_PRE_ESTABLISHED];
        cr_assert_eq(pre->get & ~pub->get, 0, "%s: pre-established reads more than public", name);
    }
}

Test(cosem_table, reading_roles_read_every_metering_object)
{
    uint16_t n;
    const struct mtr_dlms_obj *t = mtr_cosem_table(&n);
    for (uint16_t k = 0; k < n; k++) {
        if (t[k].obis[0] != 1) {
            continue; /* electricity objects: A = 1 */
        }
        for (int r = MTR_COSEM_ROLE_MANAGEMENT; r <= MTR_COSEM_ROLE_LEVEL3; r++) {
            cr_assert(t[k].access[r].get & 1u, "%s: role %d reads everything", mtr_cosem_object_name(k), r);
        }
    }
}

/* Objects of the seed (obis-objects.csv, obis-display.csv, tou-limits.json) in this group. */
Test(cosem_table, seed_objects_are_present)
{
    static const struct {
        uint16_t cls;
        uint8_t ln[6];
    } seed[] = {
        {8, {0, 0, 1, 0, 0, 255}},     {20, {0, 0, 13, 0, 0, 255}},  {11, {0, 0, 11, 0, 0, 255}},
        {9, {0, 0, 10, 0, 100, 255}},  {6, {0, 0, 14, 0, 1, 255}},   {6, {0, 0, 14, 0, 2, 255}},
        {3, {1, 0, 1, 8, 1, 255}},     {3, {1, 0, 15, 8, 0, 255}},   {3, {1, 0, 32, 7, 0, 255}},
        {3, {1, 0, 52, 7, 0, 255}},    {3, {1, 0, 72, 7, 0, 255}},   {3, {1, 0, 31, 7, 0, 255}},
        {3, {1, 0, 51, 7, 0, 255}},    {3, {1, 0, 71, 7, 0, 255}},   {3, {1, 0, 33, 7, 0, 255}},
        {3, {1, 0, 53, 7, 0, 255}},    {3, {1, 0, 73, 7, 0, 255}},   {3, {1, 0, 1, 7, 0, 255}},
        {3, {1, 0, 2, 7, 0, 255}},     {3, {1, 0, 3, 7, 0, 255}},    {3, {1, 0, 4, 7, 0, 255}},
        {3, {1, 0, 14, 7, 0, 255}},
    };
    for (size_t k = 0; k < sizeof seed / sizeof seed[0]; k++) {
        cr_assert_geq(cosem_rig_find(seed[k].cls, seed[k].ln), 0, "%u-%u:%u.%u.%u.%u", seed[k].ln[0],
                      seed[k].ln[1], seed[k].ln[2], seed[k].ln[3], seed[k].ln[4], seed[k].ln[5]);
    }
    /* every energy quantity of the display table with every tariff: C.8.0 .. C.8.T */
    static const uint8_t energy[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15};
    for (size_t q = 0; q < sizeof energy; q++) {
        for (uint8_t e = 0; e <= MTR_CFG_TARIFFS; e++) {
            const uint8_t ln[6] = {1, 0, energy[q], 8, e, 255};
            cr_assert_geq(cosem_rig_find(3, ln), 0, "1-0:%u.8.%u.255", energy[q], e);
        }
    }
    /* maximum demand per tariff: C.6.0 .. C.6.T */
    for (uint8_t c = 1; c <= MTR_CFG_CALENDAR_DEMAND_QUANTITIES; c++) {
        for (uint8_t e = 0; e <= MTR_CFG_TARIFFS; e++) {
            const uint8_t ln[6] = {1, 0, c, 6, e, 255};
            cr_assert_geq(cosem_rig_find(4, ln), 0, "1-0:%u.6.%u.255", c, e);
        }
    }
}
