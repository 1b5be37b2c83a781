/* SPDX-License-Identifier: Apache-2.0 */
/*
 * EA07 tables for the tests: the substitution and permutation tables of the
 * open-source NectarAPI/tokens-service (as reproduced by
 * KellyKinyama/nectar_sts_dart, lib/src/encryption/tables.dart), with which
 * the STS 531-1 compliance vectors of tests/vectors/sts_ctsa.data come out.
 * s[0]/s[1]: encryption substitution where the key bit is 0/1; p: bit i of
 * the substituted block moves to bit p[i].
 */
#ifndef STS_TEST_TABLES_H
#define STS_TEST_TABLES_H

#include "meter/sts.h"

static const struct mtr_sts_sta_tables sts_test_tables = {
    .s = {{14, 10, 7, 9, 12, 3, 2, 5, 13, 0, 15, 1, 4, 8, 6, 11},
          {12, 8, 2, 13, 7, 6, 1, 3, 11, 5, 9, 15, 0, 4, 10, 14}},
    .p = {55, 42, 10, 18, 24, 21, 44, 35, 2,  22, 56, 43, 27, 58, 9,  50,
          6,  36, 12, 61, 37, 38, 53, 16, 62, 3,  7,  4,  32, 20, 63, 25,
          51, 52, 54, 33, 49, 19, 46, 29, 48, 31, 23, 30, 41, 28, 13, 5,
          40, 60, 39, 11, 15, 17, 1,  0,  57, 34, 59, 8,  47, 14, 45, 26},
};

#endif /* STS_TEST_TABLES_H */
