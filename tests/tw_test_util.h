/*
 * tw_test_util.h — what several module tests share: a seeded PRNG
 * (splitmix64), a Fisher–Yates shuffle, qsort's comparison of uint32_t and
 * a naive Jaccard of two key sets (the oracle of the exact checks), so
 * every test is deterministic and none carries its own copy.
 */
#ifndef TW_TEST_UTIL_H
#define TW_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform enough below n (n is small in tests, the modulo bias negligible). */
static inline uint64_t rnd_below(uint64_t *s, uint64_t n)
{
    return splitmix64(s) % n;
}

/* Shuffles n elements of `size` bytes (size <= 64). */
static inline void tw_test_shuffle(uint64_t *rng, void *base, size_t n, size_t size)
{
    unsigned char tmp[64], *b = base;
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)rnd_below(rng, i);
        memcpy(tmp, b + (i - 1) * size, size);
        memcpy(b + (i - 1) * size, b + j * size, size);
        memcpy(b + j * size, tmp, size);
    }
}

/* qsort's comparison of two uint32_t, ascending. */
static inline int tw_test_cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Jaccard of two duplicate-free sets in any order, by comparing every pair
 * (slow, and nothing like the library's table probing); 1 for two empty. */
static inline double tw_test_naive_jaccard(const uint32_t *x, size_t nx, const uint32_t *y,
                                           size_t ny)
{
    size_t inter = 0;
    for (size_t i = 0; i < nx; i++)
        for (size_t j = 0; j < ny; j++)
            inter += x[i] == y[j];
    return nx + ny == 0 ? 1.0 : (double)inter / (double)(nx + ny - inter);
}

#endif
