/*
 * test_sort.c — the radix sort of base/ against qsort, on random keys of
 * many sizes, with duplicates, with keys that share their top bits, and on
 * empty and one-key input.
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

static void check(uint32_t *keys, size_t n)
{
    uint32_t *want = malloc((n + 1) * sizeof *want), *tmp = malloc((n + 1) * sizeof *tmp);
    memcpy(want, keys, n * sizeof *keys);
    qsort(want, n, sizeof *want, tw_test_cmp_u32);
    tw__radix_sort_u32(keys, tmp, n);
    if (n)
        assert_memory_equal(keys, want, n * sizeof *keys);
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
            check(k, n);
        }
    free(k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_sizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
