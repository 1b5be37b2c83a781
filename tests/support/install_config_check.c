/* SPDX-License-Identifier: Apache-2.0 */
/* Built against an installed libmeter configured with install_config.h:
 * the program and the library must agree on the configuration and layouts. */
#include <stdio.h>

#include "meter/meter.h"

_Static_assert(MTR_CFG_EVENT_QUEUE_LEN == 8, "the installed configuration is not in effect");

int main(void)
{
    if (mtr_config_event_queue_len() != MTR_CFG_EVENT_QUEUE_LEN ||
        mtr_config_tariffs() != MTR_CFG_TARIFFS || mtr_meter_size() != sizeof(struct mtr_meter)) {
        fprintf(stderr, "library and program disagree on the configuration\n");
        return 1;
    }
    printf("configuration shared: queue %u, tariffs %u\n", (unsigned)mtr_config_event_queue_len(),
           (unsigned)mtr_config_tariffs());
    return 0;
}
