/*
 * test_sort.c — the two integer sorts of base/: the radix sort and the
 * bucket sort for hashes (which also drops duplicates; every instruction
 * set's variant), against qsort, on random keys of
 * every size up to past the hash sort's radix cut-over, with duplicates,
 * with keys that share their top bits (the hash sort's worst case must
 * still sort), and on empty and one-key input.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "base/tw_base.h"
#include "../tw_test_util.h"

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static void check(uint32_t *keys, size_t n, int hashes)
{
    uint32_t *want = malloc((n + 1) * sizeof *want), *tmp = malloc((n + 1) * sizeof *tmp);
    memcpy(want, keys, n * sizeof *keys);
    qsort(want, n, sizeof *want, cmp_u32);
    size_t nwant = n;
    if (hashes) { /* the hash sort also drops duplicates */
        nwant = n ? 1 : 0;
        for (size_t i = 1; i < n; i++)
            if (want[i] != want[nwant - 1])
                want[nwant++] = want[i];
        /* every instruction set's variant, and the dispatched one */
        uint32_t *copy = malloc((n + 1) * sizeof *copy);
        for (int isa = TW__ISA_SCALAR; isa <= (int)tw__isa_supported(); isa++) {
            memcpy(copy, keys, n * sizeof *keys);
            size_t got = tw__sort_unique_for((tw__isa)isa)(copy, tmp, n);
            if (got != nwant || (nwant && memcmp(copy, want, nwant * sizeof *copy))) {
                print_error("%s: %zu keys, %zu unique, got %zu\n", tw__isa_name((tw__isa)isa), n,
                            nwant, got);
                fail();
            }
        }
        free(copy);
        assert_int_equal(tw__sort_unique_hashes_u32(keys, tmp, n), nwant);
    } else {
        tw__radix_sort_u32(keys, tmp, n);
    }
    if (nwant)
        assert_memory_equal(keys, want, nwant * sizeof *keys);
    free(want);
    free(tmp);
}

static void test_random_sizes(void **state)
{
    (void)state;
    uint64_t rng = 99;
    uint32_t *k = malloc(20000 * sizeof *k);
    size_t sizes[] = {0, 1, 2, 3, 7, 64, 100, 511, 600, 1000, 4095, 8192, 8193, 20000};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
        for (int hashes = 0; hashes < 2; hashes++)
            for (int kind = 0; kind < 3; kind++) {
                size_t n = sizes[s];
                for (size_t i = 0; i < n; i++) {
                    uint32_t r = (uint32_t)splitmix64(&rng);
                    if (kind == 1)
                        r %= 50; /* many duplicates, all sharing their top bits */
                    else if (kind == 2)
                        r = 0xABC00000u | (r & 0xFFFFF); /* one top-bits bucket */
                    k[i] = r;
                }
                check(k, n, hashes);
            }
    free(k);
}

/* The hash sort on every length to 600 (bucket counts change at powers
 * of two), with buckets of more than 16 (a run of one key, keys packed in
 * a narrow range) and all ones among the keys (the vector sort's padding). */
static void test_hash_sort_every_length(void **state)
{
    (void)state;
    uint64_t rng = 7;
    uint32_t k[640];
    for (size_t n = 0; n <= 600; n++)
        for (int kind = 0; kind < 4; kind++) {
            for (size_t i = 0; i < n; i++) {
                uint32_t r = (uint32_t)splitmix64(&rng);
                if (kind == 1 && i % 5 == 0)
                    r = UINT32_MAX;
                else if (kind == 2 && i % 3 == 0)
                    r = 12345; /* a bucket of many copies */
                else if (kind == 3)
                    r = 0x80000000u + (r & 0xFF) * (i % 7 ? 1 : 0x1000000u); /* crowded buckets */
                k[i] = r;
            }
            check(k, n, 1);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_sizes),
        cmocka_unit_test(test_hash_sort_every_length),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
