/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file board_icount.h
 * @brief Bench images of the board: instruction counts under QEMU -icount,
 *        read from SysTick running free on the CPU clock, and the JSON figures.
 *
 * Include after board_print.h's settings (it includes board_print.h). The
 * scale is measured by board_calibrate(): the slope between two loops of a
 * known instruction count cancels the fixed cost of a window.
 */
#ifndef MPS2_BOARD_ICOUNT_H
#define MPS2_BOARD_ICOUNT_H

#include <stdint.h>

#include "board_print.h"

#define REG32(addr) (*(volatile uint32_t *)(addr))
#define SYST_CSR REG32(0xE000E010u)
#define SYST_RVR REG32(0xE000E014u)
#define SYST_CVR REG32(0xE000E018u)
#define SYST_CSR_ENABLE (1u << 0)
#define SYST_CSR_CLKSOURCE_CPU (1u << 2)
#define SYST_MASK 0xFFFFFFu /* 24-bit down counter */

/* SysTick free-running, no interrupt (the board's millisecond tick stops). */
static inline void timer_start(void)
{
    SYST_CSR = 0;
    SYST_RVR = SYST_MASK;
    SYST_CVR = 0;
    SYST_CSR = SYST_CSR_CLKSOURCE_CPU | SYST_CSR_ENABLE;
}

static inline uint32_t ticks(void)
{
    __asm__ volatile("" ::: "memory");
    uint32_t t = SYST_CVR;
    __asm__ volatile("" ::: "memory");
    return t;
}

/* Ticks from @p start to @p end of the down counter; every window measured is
 * far shorter than one wrap (2^24 ticks, 671 million instructions). */
static inline uint32_t since(uint32_t start, uint32_t end)
{
    return (start - end) & SYST_MASK;
}

/* Exactly 100 * iters instructions: 98 nops, subs, bne per iteration. */
__attribute__((noinline, unused)) static void spin100(uint32_t iters)
{
    __asm__ volatile("1:\n\t"
                     ".rept 98\n\t"
                     "nop\n\t"
                     ".endr\n\t"
                     "subs %0, %0, #1\n\t"
                     "bne 1b"
                     : "+r"(iters)
                     :
                     : "cc");
}

static inline uint32_t time_spin(uint32_t iters)
{
    uint32_t t0 = ticks();
    spin100(iters);
    return since(t0, ticks());
}

/* The measured scale: cal_instr instructions took cal_ticks ticks. */
static uint64_t cal_instr, cal_ticks;

/* Measure the scale; returns the ticks of the short loop. */
static inline uint32_t board_calibrate(void)
{
    enum { SHORT = 1000, LONG = 41000 }; /* 0.1 and 4.1 million instructions */
    uint32_t a = time_spin(SHORT), b = time_spin(LONG);
    cal_instr = 100u * (uint64_t)(LONG - SHORT);
    cal_ticks = b - a;
    return a;
}

/* Hundredths of an instruction per item: @p t ticks over @p items items. */
static inline int64_t x100_per(uint64_t t, uint64_t items)
{
    return (int64_t)((t * cal_instr * 100u + cal_ticks * items / 2u) / (cal_ticks * items));
}

/* A value in hundredths as a decimal number: 12345 -> "123.45". */
static inline void put_x100(struct line *l, int64_t v)
{
    if (v < 0) {
        put_char(l, '-');
        v = -v;
    }
    put_u64(l, (uint64_t)v / 100u);
    put_char(l, '.');
    put_u64(l, (uint64_t)v / 10u % 10u);
    put_u64(l, (uint64_t)v % 10u);
}

/* ', "key": 123.45' (a value in hundredths) */
static inline void put_json(struct line *l, const char *key, int64_t x100)
{
    put_str(l, ", \"");
    put_str(l, key);
    put_str(l, "\": ");
    put_x100(l, x100);
}

/* ', "key": 123' */
static inline void put_json_int(struct line *l, const char *key, int64_t v)
{
    put_str(l, ", \"");
    put_str(l, key);
    put_str(l, "\": ");
    put_i64(l, v);
}

#endif /* MPS2_BOARD_ICOUNT_H */
