/* SPDX-License-Identifier: Apache-2.0 */
#include "semihost.h"

#include <stdint.h>

/* Operation numbers and reason codes of the Arm semihosting specification. */
#define SYS_WRITEC 0x03u
#define SYS_WRITE0 0x04u
#define SYS_EXIT 0x18u
#define SYS_EXIT_EXTENDED 0x20u
#define ADP_STOPPED_APPLICATION_EXIT 0x20026u
#define ADP_STOPPED_RUNTIME_ERROR_UNKNOWN 0x20023u

static uint32_t semihost_call(uint32_t op, const void *arg)
{
    register uint32_t r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

void semihost_write0(const char *s)
{
    (void)semihost_call(SYS_WRITE0, s);
}

void semihost_writec(char c)
{
    (void)semihost_call(SYS_WRITEC, &c);
}

_Noreturn void semihost_exit(int code)
{
    const uint32_t block[2] = {ADP_STOPPED_APPLICATION_EXIT, (uint32_t)code};
    (void)semihost_call(SYS_EXIT_EXTENDED, block);
    /* On AArch32, SYS_EXIT takes the reason itself, not a block. */
    uintptr_t reason = code == 0 ? ADP_STOPPED_APPLICATION_EXIT : ADP_STOPPED_RUNTIME_ERROR_UNKNOWN;
    (void)semihost_call(SYS_EXIT, (const void *)reason);
    for (;;) {
        __asm__ volatile("wfi");
    }
}
