/* SPDX-License-Identifier: Apache-2.0 */
/* Host benchmarks: stop on the first error. The including file defines BENCH_NAME
 * (the program's name, a string) before it includes this header. */
#ifndef TESTS_BENCH_BENCH_CHECK_H
#define TESTS_BENCH_BENCH_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#include "meter/error.h"

#ifndef BENCH_NAME
#error "define BENCH_NAME before including bench_check.h"
#endif

/* Exit with status 1, naming what failed and how, unless rc is MTR_OK. */
static inline void check(mtr_err_t rc, const char *what)
{
    if (rc != MTR_OK) {
        fprintf(stderr, BENCH_NAME ": %s: %s\n", what, mtr_strerror(rc));
        exit(1);
    }
}

#endif /* TESTS_BENCH_BENCH_CHECK_H */
