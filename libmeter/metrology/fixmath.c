/* SPDX-License-Identifier: Apache-2.0 */
#include "fixmath.h"

struct mtr_u128 mtr_u128_mul(uint64_t a, uint64_t b)
{
    uint64_t al = (uint32_t)a, ah = a >> 32, bl = (uint32_t)b, bh = b >> 32;
    uint64_t ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
    uint64_t mid = (ll >> 32) + (uint32_t)lh + (uint32_t)hl;
    struct mtr_u128 r;
    r.lo = (mid << 32) | (uint32_t)ll;
    r.hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
    return r;
}

static struct mtr_u128 neg128(struct mtr_u128 a)
{
    struct mtr_u128 r;
    r.lo = ~a.lo + 1u;
    r.hi = ~a.hi + (r.lo == 0 ? 1u : 0u);
    return r;
}

static uint64_t abs64(int64_t v)
{
    return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
}

struct mtr_u128 mtr_s128_mul(int64_t a, int64_t b)
{
    struct mtr_u128 r = mtr_u128_mul(abs64(a), abs64(b));
    return ((a < 0) != (b < 0)) ? neg128(r) : r;
}

struct mtr_u128 mtr_u128_add(struct mtr_u128 a, struct mtr_u128 b)
{
    struct mtr_u128 r;
    r.lo = a.lo + b.lo;
    r.hi = a.hi + b.hi + (r.lo < a.lo ? 1u : 0u);
    return r;
}

struct mtr_u128 mtr_u128_from_s64(int64_t v)
{
    struct mtr_u128 r;
    r.lo = (uint64_t)v;
    r.hi = v < 0 ? UINT64_MAX : 0;
    return r;
}

struct mtr_u128 mtr_u128_shl(struct mtr_u128 a, unsigned n)
{
    struct mtr_u128 r;
    if (n == 0) {
        return a;
    }
    if (n >= 64) {
        r.hi = a.lo << (n - 64);
        r.lo = 0;
    } else {
        r.hi = (a.hi << n) | (a.lo >> (64 - n));
        r.lo = a.lo << n;
    }
    return r;
}

struct mtr_u128 mtr_u128_shr(struct mtr_u128 a, unsigned n)
{
    struct mtr_u128 r;
    if (n == 0) {
        return a;
    }
    if (n >= 64) {
        r.lo = a.hi >> (n - 64);
        r.hi = 0;
    } else {
        r.lo = (a.lo >> n) | (a.hi << (64 - n));
        r.hi = a.hi >> n;
    }
    return r;
}

struct mtr_u128 mtr_s128_sar(struct mtr_u128 a, unsigned n)
{
    bool neg = (a.hi >> 63) != 0;
    struct mtr_u128 r = mtr_u128_shr(a, n);
    if (neg && n > 0) {
        struct mtr_u128 ones = mtr_u128_shl((struct mtr_u128){UINT64_MAX, UINT64_MAX}, 128 - n);
        if (n >= 128) {
            ones = (struct mtr_u128){UINT64_MAX, UINT64_MAX};
        }
        r.hi |= ones.hi;
        r.lo |= ones.lo;
    }
    return r;
}

int mtr_u128_cmp(struct mtr_u128 a, struct mtr_u128 b)
{
    if (a.hi != b.hi) {
        return a.hi < b.hi ? -1 : 1;
    }
    if (a.lo != b.lo) {
        return a.lo < b.lo ? -1 : 1;
    }
    return 0;
}

unsigned mtr_u128_bits(struct mtr_u128 a)
{
    unsigned n = 0;
    while (a.hi != 0 || a.lo != 0) {
        a = mtr_u128_shr(a, 1);
        n++;
    }
    return n;
}

static struct mtr_u128 sub128(struct mtr_u128 a, struct mtr_u128 b)
{
    return mtr_u128_add(a, neg128(b));
}

struct mtr_u128 mtr_u128_div(struct mtr_u128 n, struct mtr_u128 d)
{
    struct mtr_u128 q = {0, 0}, r = {0, 0};
    for (int i = 127; i >= 0; i--) {
        r = mtr_u128_shl(r, 1);
        r.lo |= (i >= 64 ? n.hi >> (i - 64) : n.lo >> i) & 1u;
        if (mtr_u128_cmp(r, d) >= 0) {
            r = sub128(r, d);
            if (i >= 64) {
                q.hi |= 1ull << (i - 64);
            } else {
                q.lo |= 1ull << i;
            }
        }
    }
    return q;
}

uint64_t mtr_isqrt128(struct mtr_u128 a)
{
    uint64_t root = 0;
    for (int b = 63; b >= 0; b--) {
        uint64_t cand = root | (1ull << b);
        if (mtr_u128_cmp(mtr_u128_mul(cand, cand), a) <= 0) {
            root = cand;
        }
    }
    return root;
}

bool mtr_fx_ratio(struct mtr_u128 num, struct mtr_u128 den, unsigned e, struct mtr_fx *out)
{
    int nb = (int)mtr_u128_bits(num), db = (int)mtr_u128_bits(den);
    if (nb == 0 || db == 0) {
        return false;
    }
    /* m = num * 2^t / den with q = t + e; aim at m in [2^31, 2^32). */
    int t = 33 + db - nb;
    if (t + (int)e > 62) {
        t = 62 - (int)e;
    }
    for (; t + (int)e >= 0; t--) {
        struct mtr_u128 q;
        if (t >= 0) {
            if (nb + t > 127) {
                continue;
            }
            q = mtr_u128_div(mtr_u128_shl(num, (unsigned)t), den);
        } else {
            if (db - t > 127) {
                return false;
            }
            q = mtr_u128_div(num, mtr_u128_shl(den, (unsigned)-t));
        }
        if (q.hi != 0 || q.lo >= (1ull << 32)) {
            continue;
        }
        if (q.lo < (1ull << 20)) {
            return false;
        }
        out->m = (uint32_t)q.lo;
        out->q = (uint8_t)(t + (int)e);
        return true;
    }
    return false;
}

uint64_t mtr_fx_mul_u64(uint64_t x, struct mtr_fx fx)
{
    struct mtr_u128 p = mtr_u128_mul(x, fx.m);
    if (fx.q > 0) {
        p = mtr_u128_add(p, mtr_u128_shl((struct mtr_u128){0, 1}, fx.q - 1u));
    }
    return mtr_u128_shr(p, fx.q).lo;
}

int64_t mtr_fx_mul_carry(int64_t s, struct mtr_fx fx, uint64_t *frac)
{
    struct mtr_u128 p = mtr_s128_mul(s, (int64_t)fx.m);
    p = mtr_u128_add(p, (struct mtr_u128){0, *frac});
    struct mtr_u128 whole = mtr_s128_sar(p, fx.q);
    uint64_t mask = fx.q >= 64 ? UINT64_MAX : ((1ull << fx.q) - 1u);
    *frac = p.lo & mask;
    return (int64_t)whole.lo;
}

/* atan(2^-i) in turns * 2^32 (computed offline). */
static const uint32_t atan_tab[31] = {
    536870912, 316933406, 167458907, 85004756, 42667331, 21354465, 10679838, 5340245,
    2670163,   1335087,   667544,    333772,   166886,   83443,    41722,    20861,
    10430,     5215,      2608,      1304,     652,      326,      163,      81,
    41,        20,        10,        5,        3,        1,        1};
/* Product of cos(atan(2^-i)), i = 0..30, Q30. */
#define CORDIC_K_Q30 652032874

void mtr_cordic_sincos(mtr_turn_t a, int32_t *cos_q30, int32_t *sin_q30)
{
    /* Bring the angle into [-1/4, 1/4] turn, remembering a half-turn flip. */
    int32_t z = (int32_t)a;
    bool flip = false;
    if (z > (int32_t)0x40000000 || z < -(int32_t)0x40000000) {
        z = (int32_t)(a + 0x80000000u);
        flip = true;
    }
    int64_t x = CORDIC_K_Q30, y = 0;
    for (int i = 0; i < 31; i++) {
        int64_t nx, ny;
        if (z >= 0) {
            nx = x - (y >> i);
            ny = y + (x >> i);
            z -= (int32_t)atan_tab[i];
        } else {
            nx = x + (y >> i);
            ny = y - (x >> i);
            z += (int32_t)atan_tab[i];
        }
        x = nx;
        y = ny;
    }
    if (flip) {
        x = -x;
        y = -y;
    }
    *cos_q30 = (int32_t)x;
    *sin_q30 = (int32_t)y;
}

int32_t mtr_cordic_atan2(int64_t y, int64_t x)
{
    if (x == 0 && y == 0) {
        return 0;
    }
    while (x > (1ll << 29) || x < -(1ll << 29) || y > (1ll << 29) || y < -(1ll << 29)) {
        x /= 2;
        y /= 2;
    }
    int32_t z = 0;
    if (x < 0) {
        /* Rotate by a half turn so that the vector lies in the right half-plane. */
        x = -x;
        y = -y;
        z = (int32_t)0x80000000u;
    }
    for (int i = 0; i < 31; i++) {
        int64_t nx, ny;
        if (y > 0) {
            nx = x + (y >> i);
            ny = y - (x >> i);
            z = (int32_t)((uint32_t)z + atan_tab[i]);
        } else {
            nx = x - (y >> i);
            ny = y + (x >> i);
            z = (int32_t)((uint32_t)z - atan_tab[i]);
        }
        x = nx;
        y = ny;
    }
    return z;
}

int32_t mtr_turn_to_cdeg(int32_t a)
{
    /* a / 2^32 * 36000, rounded. */
    int64_t v = (int64_t)a * 36000;
    return (int32_t)((v + (v >= 0 ? (1ll << 31) : -(1ll << 31))) / (1ll << 32));
}
