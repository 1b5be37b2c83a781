/* SPDX-License-Identifier: Apache-2.0 */
/* Host benchmarks: the monotonic clock in nanoseconds. The including file defines
 * _POSIX_C_SOURCE (200809L) before any system header. */
#ifndef TESTS_BENCH_BENCH_TIME_H
#define TESTS_BENCH_BENCH_TIME_H

#include <time.h>

/* CLOCK_MONOTONIC in ns, for differences only. */
static inline double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

#endif /* TESTS_BENCH_BENCH_TIME_H */
