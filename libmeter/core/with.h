/* SPDX-License-Identifier: Apache-2.0 */
/* The engines in this build (private to libmeter).
 *
 * libmeter/meson.build passes -DMTR_WITH_<ENGINE>=1 for each engine built; an engine that is
 * not built reads 0 here.
 */
#ifndef LIBMETER_CORE_WITH_H
#define LIBMETER_CORE_WITH_H

#ifndef MTR_WITH_METROLOGY
#define MTR_WITH_METROLOGY 0
#endif
#ifndef MTR_WITH_CALENDAR
#define MTR_WITH_CALENDAR 0
#endif
#ifndef MTR_WITH_STORE
#define MTR_WITH_STORE 0
#endif
#ifndef MTR_WITH_DISCONNECT
#define MTR_WITH_DISCONNECT 0
#endif
#ifndef MTR_WITH_STS
#define MTR_WITH_STS 0
#endif
#ifndef MTR_WITH_PREPAID
#define MTR_WITH_PREPAID 0
#endif
#ifndef MTR_WITH_PROFILE
#define MTR_WITH_PROFILE 0
#endif
#ifndef MTR_WITH_EVENTS
#define MTR_WITH_EVENTS 0
#endif
#ifndef MTR_WITH_QUALITY
#define MTR_WITH_QUALITY 0
#endif
#ifndef MTR_WITH_DISPLAY
#define MTR_WITH_DISPLAY 0
#endif

#endif /* LIBMETER_CORE_WITH_H */
