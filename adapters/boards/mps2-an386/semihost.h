/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file semihost.h
 * @brief Arm semihosting: console output and exit status through the debugger
 *        or QEMU (`-semihosting-config enable=on`).
 *
 * Every call traps with `bkpt 0xAB`; without a host that answers it the core
 * takes a HardFault, so these are for test images only.
 */
#ifndef MPS2_SEMIHOST_H
#define MPS2_SEMIHOST_H

/** @brief Write a NUL-terminated string on the host console (SYS_WRITE0). */
void semihost_write0(const char *s);

/** @brief Write one character on the host console (SYS_WRITEC). */
void semihost_writec(char c);

/**
 * @brief End the program with exit status @p code (SYS_EXIT_EXTENDED with
 *        ADP_Stopped_ApplicationExit; a host without it gets SYS_EXIT, which
 *        can only tell 0 from non-zero). Does not return.
 */
_Noreturn void semihost_exit(int code);

#endif /* MPS2_SEMIHOST_H */
