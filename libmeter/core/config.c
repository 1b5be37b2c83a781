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

uint32_t mtr_config_poll_max_events(void)
{
    return MTR_CFG_POLL_MAX_EVENTS;
}

uint32_t mtr_config_adc_frames(void)
{
    return MTR_CFG_ADC_FRAMES;
}

uint32_t mtr_config_harmonic_max(void)
{
    return MTR_CFG_HARMONICS ? MTR_CFG_HARMONIC_MAX : 0;
}
