/* SPDX-License-Identifier: Apache-2.0 */
/* Vector table and reset of the Cortex-M4F on mps2-an386. A fault or an
 * unexpected interrupt prints where it happened and exits with status 3. */
#include <stddef.h>
#include <stdint.h>

#include "board_hal.h"
#include "semihost.h"

#define REG32(addr) (*(volatile uint32_t *)(addr))
#define SCB_VTOR REG32(0xE000ED08u)
#define SCB_CPACR REG32(0xE000ED88u)

#define EXIT_FAULT 3
#define IRQ_COUNT 32 /* external interrupts of the AN386 image */

/* Linker script symbols (mps2_an386.ld). */
extern uint32_t __data_load__[];
extern uint32_t __data_start__[];
extern uint32_t __data_end__[];
extern uint32_t __bss_start__[];
extern uint32_t __bss_end__[];
extern uint32_t __stack_top__[];

int main(void);

void Reset_Handler(void);
void NMI_Handler(void);
void HardFault_Handler(void);
void SysTick_Handler(void);
void Default_Handler(void);
void startup_fault(const uint32_t *frame, uint32_t exception);

struct vector_table {
    uint32_t *initial_sp;
    void (*handler[15 + IRQ_COUNT])(void);
};

#define IRQ4 Default_Handler, Default_Handler, Default_Handler, Default_Handler
#define IRQ16 IRQ4, IRQ4, IRQ4, IRQ4

__attribute__((section(".vectors"), used)) static const struct vector_table vectors = {
    .initial_sp = __stack_top__,
    .handler = {
        Reset_Handler,
        NMI_Handler,
        HardFault_Handler,
        Default_Handler, /* MemManage */
        Default_Handler, /* BusFault */
        Default_Handler, /* UsageFault */
        NULL, NULL, NULL, NULL,
        Default_Handler, /* SVCall */
        Default_Handler, /* DebugMonitor */
        NULL,
        Default_Handler, /* PendSV */
        SysTick_Handler,
        IRQ16, IRQ16,
    },
};

_Static_assert(IRQ_COUNT == 32, "the table lists 32 external interrupts");

void Reset_Handler(void)
{
    uint32_t *src = __data_load__;
    for (uint32_t *dst = __data_start__; dst < __data_end__;) {
        *dst++ = *src++;
    }
    for (uint32_t *dst = __bss_start__; dst < __bss_end__;) {
        *dst++ = 0;
    }
    SCB_VTOR = (uint32_t)(uintptr_t)&vectors;
#if defined(__ARM_FP)
    /* The hard-float ABI may keep values in FPU registers even in code that
     * computes nothing in floating point: grant CP10/CP11 full access. */
    SCB_CPACR |= 0xFu << 20;
    __asm__ volatile("dsb\n\tisb" ::: "memory");
#endif
    semihost_exit(main());
}

void SysTick_Handler(void)
{
    board_systick_isr();
}

static void put_hex(char *p, uint32_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = "0123456789abcdef"[v & 0xFu];
        v >>= 4;
    }
}

/* frame: the registers the core stacked on exception entry (r0-r3, r12, lr, pc, xpsr). */
void startup_fault(const uint32_t *frame, uint32_t exception)
{
    char line[] = "fault: exception 0x00000000 pc=0x00000000 lr=0x00000000\n";
    put_hex(line + 19, exception);
    put_hex(line + 33, frame[6]);
    put_hex(line + 47, frame[5]);
    semihost_write0(line);
    semihost_exit(EXIT_FAULT);
}

/* Pass the stacked frame (main or process stack, per EXC_RETURN bit 2) and
 * the exception number (IPSR) to startup_fault(). */
#define FAULT_TRAMPOLINE                                                                           \
    __asm__ volatile("tst lr, #4\n\t"                                                              \
                     "ite eq\n\t"                                                                  \
                     "mrseq r0, msp\n\t"                                                           \
                     "mrsne r0, psp\n\t"                                                           \
                     "mrs r1, ipsr\n\t"                                                            \
                     "b startup_fault\n\t")

__attribute__((naked)) void HardFault_Handler(void)
{
    FAULT_TRAMPOLINE;
}

__attribute__((naked)) void NMI_Handler(void)
{
    FAULT_TRAMPOLINE;
}

__attribute__((naked)) void Default_Handler(void)
{
    FAULT_TRAMPOLINE;
}
