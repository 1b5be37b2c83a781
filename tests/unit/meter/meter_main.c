/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Criterion's main, plus the diagnostics of the tests: Criterion sends the
 * TAP stream through its own descriptor and the tests run in worker
 * processes, so a worker appends its "# ..." lines to a file (rig_diag())
 * and they are written out after the TAP lines, as TAP diagnostics.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "meter_rig.h"

int main(int argc, char *argv[])
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/meter-diag-%ld.txt", (long)getpid());
    setenv(RIG_DIAG_ENV, path, 1);
    int out = dup(1);
    struct criterion_test_set *tests = criterion_initialize();
    int result = 0;
    if (criterion_handle_args(argc, argv, true)) {
        result = !criterion_run_all_tests(tests);
    }
    criterion_finalize(tests);
    fflush(NULL); /* the TAP lines first */
    FILE *f = fopen(path, "r");
    if (f != NULL) {
        char line[256];
        while (fgets(line, sizeof line, f) != NULL) {
            size_t n = strlen(line);
            if (out >= 0 && write(out, line, n) != (ssize_t)n) {
                break;
            }
        }
        fclose(f);
        remove(path);
    }
    return result;
}
