/* SPDX-License-Identifier: Apache-2.0 */
#include "meter/meter.h"

static mtr_assert_hook_t assert_hook;
static void *assert_user;

void mtr_set_assert_hook(mtr_assert_hook_t hook, void *user)
{
    assert_hook = hook;
    assert_user = user;
}

void mtr_assert_failed(const char *file, int line)
{
    if (assert_hook != NULL) {
        assert_hook(file, line, assert_user);
    }
    /* A hook that returns leaves the core in an unknown state: stop here so
     * that the watchdog resets the MCU. */
    for (;;) {
    }
}
