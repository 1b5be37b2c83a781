/* SPDX-License-Identifier: Apache-2.0 */
/* A non-default configuration, used to check that an installed libmeter
 * hands its configuration to the programs built against it. */
#define MTR_CFG_EVENT_QUEUE_LEN 8
#define MTR_CFG_TARIFFS 4
