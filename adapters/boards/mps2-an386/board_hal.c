/* SPDX-License-Identifier: Apache-2.0 */
#include "board_hal.h"

#include <string.h>

#define REG32(addr) (*(volatile uint32_t *)(addr))
#define SYST_CSR REG32(0xE000E010u)
#define SYST_RVR REG32(0xE000E014u)
#define SYST_CVR REG32(0xE000E018u)
#define SCB_AIRCR REG32(0xE000ED0Cu)

#define SYST_CSR_ENABLE (1u << 0)
#define SYST_CSR_TICKINT (1u << 1)
#define SYST_CSR_CLKSOURCE_CPU (1u << 2)
#define AIRCR_SYSRESETREQ (0x05FAu << 16 | 1u << 2)

/* Left in .noinit by reset(): tells the next start that the reset was ours. */
#define RESET_MAGIC_SOFTWARE 0x52535457u

#define NVM_ERASED 0xFFu
#define STACK_PAINT 0xA5A5A5A5u

/* Linker script symbols (mps2_an386.ld). */
extern uint32_t __stack_bottom__[];
extern uint32_t __stack_top__[];

struct board {
    volatile mtr_ms_t ms;
    volatile uint32_t utc_ms; /* milliseconds into the current RTC second */
    int64_t utc;              /* changed by the tick: read it with interrupts masked */
    bool rtc_valid;
    board_tick_fn volatile tick_fn;
    void *volatile tick_user;

    bool nvm_powered;
    bool cut_armed;
    uint32_t cut_budget;

    volatile uint32_t inputs;
    bool relay_closed[BOARD_RELAYS];
    volatile uint16_t pulse_left[BOARD_OUTPUTS];
    uint32_t pulses[BOARD_OUTPUTS];
    uint32_t kicks;
    uint32_t reset_cause;
};

static struct board board;
static uint8_t nvm_mem[BOARD_NVM_SIZE] __attribute__((section(".nvm"), aligned(4)));
static uint32_t reset_magic __attribute__((section(".noinit")));

static inline uint32_t irq_save(void)
{
    uint32_t primask;
    __asm__ volatile("mrs %0, primask\n\tcpsid i" : "=r"(primask)::"memory");
    return primask;
}

static inline void irq_restore(uint32_t primask)
{
    __asm__ volatile("msr primask, %0" ::"r"(primask) : "memory");
}

/* ------------------------------------------------------------------ clock */

static mtr_err_t clock_ms_now(void *ctx, mtr_ms_t *ms)
{
    const struct board *b = ctx;
    *ms = b->ms;
    return MTR_OK;
}

static mtr_err_t clock_rtc_get(void *ctx, mtr_utc_t *utc)
{
    const struct board *b = ctx;
    uint32_t s = irq_save();
    mtr_utc_t now = b->utc;
    bool valid = b->rtc_valid;
    irq_restore(s);
    *utc = now;
    return valid ? MTR_OK : MTR_ERR_RTC_INVALID;
}

static mtr_err_t clock_rtc_set(void *ctx, mtr_utc_t utc)
{
    struct board *b = ctx;
    if (utc < 0 || utc > BOARD_RTC_MAX) {
        return MTR_ERR_RANGE;
    }
    uint32_t s = irq_save();
    b->utc = utc;
    b->utc_ms = 0;
    b->rtc_valid = true;
    irq_restore(s);
    return MTR_OK;
}

static const struct mtr_clock_ops clock_ops = {
    .ms_now = clock_ms_now,
    .rtc_get = clock_rtc_get,
    .rtc_set = clock_rtc_set,
};

/* -------------------------------------------------------------------- nvm */

/* The order of hal.h: range, then zero length (valid anywhere in range), then
 * alignment, then power. */
static mtr_err_t nvm_check(const struct board *b, uint32_t addr, size_t len, uint32_t unit)
{
    if (addr > BOARD_NVM_SIZE || len > BOARD_NVM_SIZE - addr) {
        return MTR_ERR_RANGE;
    }
    if (len == 0) {
        return MTR_OK;
    }
    if (addr % unit != 0 || len % unit != 0) {
        return MTR_ERR_ALIGN;
    }
    if (!b->nvm_powered) {
        return MTR_ERR_POWER;
    }
    return MTR_OK;
}

/* Bytes of a @p len byte operation done before the power goes: @p len when
 * no cut is due in it. A cut takes the power away until restored. */
static size_t nvm_budget(struct board *b, size_t len)
{
    if (!b->cut_armed) {
        return len;
    }
    if (len <= b->cut_budget) {
        b->cut_budget -= (uint32_t)len;
        return len;
    }
    size_t done = b->cut_budget;
    b->cut_armed = false;
    b->cut_budget = 0;
    b->nvm_powered = false;
    return done;
}

static mtr_err_t nvm_info(void *ctx, struct mtr_nvm_info *info)
{
    (void)ctx;
    info->size = BOARD_NVM_SIZE;
    info->sector_size = BOARD_NVM_SECTOR_SIZE;
    info->write_unit = BOARD_NVM_WRITE_UNIT;
    info->erased = NVM_ERASED;
    info->needs_erase = true;
    return MTR_OK;
}

static mtr_err_t nvm_read(void *ctx, uint32_t addr, void *buf, size_t len)
{
    const struct board *b = ctx;
    mtr_err_t rc = nvm_check(b, addr, len, 1u);
    if (rc != MTR_OK || len == 0) {
        return rc;
    }
    memcpy(buf, &nvm_mem[addr], len);
    return MTR_OK;
}

static mtr_err_t nvm_write(void *ctx, uint32_t addr, const void *buf, size_t len)
{
    struct board *b = ctx;
    mtr_err_t rc = nvm_check(b, addr, len, BOARD_NVM_WRITE_UNIT);
    if (rc != MTR_OK || len == 0) {
        return rc;
    }
    const uint8_t *src = buf;
    size_t done = nvm_budget(b, len);
    for (size_t i = 0; i < done; i++) {
        nvm_mem[addr + i] &= src[i]; /* NOR flash: programming only clears bits */
    }
    return done == len ? MTR_OK : MTR_ERR_POWER;
}

static mtr_err_t nvm_erase(void *ctx, uint32_t addr, size_t len)
{
    struct board *b = ctx;
    mtr_err_t rc = nvm_check(b, addr, len, BOARD_NVM_SECTOR_SIZE);
    if (rc != MTR_OK || len == 0) {
        return rc;
    }
    size_t done = nvm_budget(b, len);
    memset(&nvm_mem[addr], NVM_ERASED, done);
    return done == len ? MTR_OK : MTR_ERR_POWER;
}

static const struct mtr_nvm_ops nvm_ops = {
    .info = nvm_info,
    .read = nvm_read,
    .write = nvm_write,
    .erase = nvm_erase,
};

/* --------------------------------------------------------------------- io */

static mtr_err_t io_relay_set(void *ctx, uint8_t relay, bool closed)
{
    struct board *b = ctx;
    if (relay >= BOARD_RELAYS) {
        return MTR_ERR_RANGE;
    }
    b->relay_closed[relay] = closed;
    return MTR_OK;
}

static mtr_err_t io_relay_feedback(void *ctx, uint8_t relay, bool *closed)
{
    const struct board *b = ctx;
    if (relay >= BOARD_RELAYS) {
        return MTR_ERR_RANGE;
    }
    *closed = b->relay_closed[relay];
    return MTR_OK;
}

static mtr_err_t io_pulse(void *ctx, uint8_t out, uint16_t width_ms)
{
    struct board *b = ctx;
    if (out >= BOARD_OUTPUTS) {
        return MTR_ERR_RANGE;
    }
    mtr_err_t rc = MTR_OK;
    uint32_t s = irq_save();
    if (b->pulse_left[out] != 0) {
        rc = MTR_ERR_BUSY;
    } else {
        b->pulse_left[out] = width_ms; /* counted down by the tick */
        b->pulses[out]++;
    }
    irq_restore(s);
    return rc;
}

static mtr_err_t io_inputs(void *ctx, uint32_t *bits)
{
    const struct board *b = ctx;
    *bits = b->inputs;
    return MTR_OK;
}

static const struct mtr_io_ops io_ops = {
    .relay_set = io_relay_set,
    .relay_feedback = io_relay_feedback,
    .pulse = io_pulse,
    .inputs = io_inputs,
};

/* -------------------------------------------------------------------- sys */

static mtr_err_t sys_critical_enter(void *ctx, uint32_t *state)
{
    (void)ctx;
    *state = irq_save();
    return MTR_OK;
}

static mtr_err_t sys_critical_exit(void *ctx, uint32_t state)
{
    (void)ctx;
    irq_restore(state);
    return MTR_OK;
}

static mtr_err_t sys_watchdog_kick(void *ctx)
{
    struct board *b = ctx;
    b->kicks++;
    return MTR_OK;
}

static mtr_err_t sys_reset(void *ctx)
{
    (void)ctx;
    reset_magic = RESET_MAGIC_SOFTWARE;
    __asm__ volatile("dsb" ::: "memory");
    SCB_AIRCR = AIRCR_SYSRESETREQ;
    __asm__ volatile("dsb" ::: "memory");
    /* The reset takes a few cycles; still running long after means it failed. */
    for (volatile uint32_t spin = 0; spin < 1000000u; spin++) {
    }
    reset_magic = 0;
    return MTR_ERR_IO;
}

static mtr_err_t sys_reset_cause(void *ctx, uint32_t *cause)
{
    const struct board *b = ctx;
    *cause = b->reset_cause;
    return MTR_OK;
}

static const struct mtr_sys_ops sys_ops = {
    .critical_enter = sys_critical_enter,
    .critical_exit = sys_critical_exit,
    .watchdog_kick = sys_watchdog_kick,
    .reset = sys_reset,
    .reset_cause = sys_reset_cause,
};

/* ------------------------------------------------------------------ board */

const struct mtr_hal board_hal = {
    .ctx = &board,
    .clock = &clock_ops,
    .nvm = &nvm_ops,
    .io = &io_ops,
    .sys = &sys_ops,
    .crypto = NULL,
};

void board_init(void)
{
    SYST_CSR = 0;
    board.reset_cause = reset_magic == RESET_MAGIC_SOFTWARE ? MTR_RESET_SOFTWARE
                                                             : MTR_RESET_POWER_ON;
    reset_magic = 0;
    memset(nvm_mem, NVM_ERASED, sizeof nvm_mem); /* a new, erased chip */
    board.nvm_powered = true;
    board.cut_armed = false;
    board.rtc_valid = false;
    board.utc = 0;
    board.utc_ms = 0;
    board.ms = 0;
    SYST_RVR = BOARD_SYSCLK_HZ / 1000u - 1u;
    SYST_CVR = 0;
    SYST_CSR = SYST_CSR_CLKSOURCE_CPU | SYST_CSR_TICKINT | SYST_CSR_ENABLE;
}

void board_systick_isr(void)
{
    mtr_ms_t now = board.ms + 1u;
    board.ms = now;
    uint32_t sub = board.utc_ms + 1u;
    if (sub >= 1000u) {
        sub = 0;
        if (board.utc < BOARD_RTC_MAX) {
            board.utc++;
        }
    }
    board.utc_ms = sub;
    for (uint32_t i = 0; i < BOARD_OUTPUTS; i++) {
        uint16_t left = board.pulse_left[i];
        if (left != 0) {
            board.pulse_left[i] = (uint16_t)(left - 1u);
        }
    }
    board_tick_fn fn = board.tick_fn;
    if (fn != NULL) {
        fn(now, board.tick_user);
    }
}

void board_set_tick_hook(board_tick_fn fn, void *user)
{
    uint32_t s = irq_save();
    board.tick_fn = fn;
    board.tick_user = user;
    irq_restore(s);
}

mtr_ms_t board_ms(void)
{
    return board.ms;
}

void board_set_ms(mtr_ms_t ms)
{
    board.ms = ms;
}

void board_idle(void)
{
    __asm__ volatile("wfi" ::: "memory");
}

void board_wait_ms(uint32_t ms)
{
    mtr_ms_t start = board.ms;
    while (mtr_ms_elapsed(board.ms, start) < ms) {
        board_idle();
    }
}

void board_nvm_cut_after(uint32_t bytes)
{
    board.cut_armed = true;
    board.cut_budget = bytes;
}

void board_nvm_restore(void)
{
    board.cut_armed = false;
    board.cut_budget = 0;
    board.nvm_powered = true;
}

void board_set_inputs(uint32_t bits)
{
    board.inputs = bits;
}

bool board_relay_closed(uint8_t relay)
{
    return relay < BOARD_RELAYS && board.relay_closed[relay];
}

uint32_t board_pulses(uint8_t out)
{
    return out < BOARD_OUTPUTS ? board.pulses[out] : 0;
}

uint32_t board_watchdog_kicks(void)
{
    return board.kicks;
}

void board_stack_paint(void)
{
    uint32_t *sp;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    /* Keep clear of the words just below sp: this function's own spills. */
    for (uint32_t *w = __stack_bottom__; w < sp - 16; w++) {
        *w = STACK_PAINT;
    }
}

uint32_t board_stack_used(void)
{
    const uint32_t *w = __stack_bottom__;
    while (w < __stack_top__ && *w == STACK_PAINT) {
        w++;
    }
    return (uint32_t)((uintptr_t)__stack_top__ - (uintptr_t)w);
}

uint32_t board_stack_size(void)
{
    return (uint32_t)((uintptr_t)__stack_top__ - (uintptr_t)__stack_bottom__);
}
