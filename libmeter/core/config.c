/* SPDX-License-Identifier: Apache-2.0 */
#include "meter/config.h"

uint32_t mtr_config_event_queue_len(void)
{
    return MTR_CFG_EVENT_QUEUE_LEN;
}

uint32_t mtr_config_tariffs(void)
{
    return MTR_CFG_TARIFFS;
}

uint32_t mtr_config_phases(void)
{
    return MTR_CFG_PHASES;
}
