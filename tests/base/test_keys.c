/*
 * test_keys.c — sets of hash keys in a scratch table (tw_buf.c):
 * tw__keys_unique against an oracle of its own (qsort by key, then the
 * first index of each), tw__keys_intersect against a sorted merge,
 * with and without a `need` to reach, and tw__keys_hash's independence of
 * order. Keys are random, repeated, or made to share one home slot (long
 * probe runs); sizes cross the table's growth steps. After every call the
 * table must be all zero again, or the next call would see stale keys.
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

typedef struct at {
    uint32_t key;
    uint32_t i;
} at;

static int cmp_at(const void *a_, const void *b_)
{
    const at *a = a_, *b = b_;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return (a->i > b->i) - (a->i < b->i);
}

static int cmp_index(const void *a_, const void *b_)
{
    const at *a = a_, *b = b_;
    return (a->i > b->i) - (a->i < b->i);
}

static void assert_table_clear(const tw__buf *t)
{
    const uint32_t *s = t->data;
    for (size_t i = 0; i < t->cap; i++)
        if (s[i]) {
            print_error("slot %zu of %zu left holding %u\n", i, t->cap, s[i]);
            fail();
        }
}

/* keys[0, n) drawn by kind: 0 random, 1 from 40 values (many repeats),
 * 2 sharing one home (x * 0x9E3779B1 has the same low 20 bits: steps of
 * 2^20), 3 random with every fifth one a repeat of an earlier key. */
static void draw(uint64_t *rng, uint32_t *keys, size_t n, int kind)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t r = (uint32_t)splitmix64(rng);
        if (kind == 1)
            r = 1 + r % 40;
        else if (kind == 2)
            r = 0x00012345u + (r % 4000) * (1u << 20);
        else if (kind == 3 && i > 0 && i % 5 == 0)
            r = keys[rnd_below(rng, i)];
        keys[i] = r ? r : 1;
    }
}

/* What tw__keys_unique must leave: each key once, at its first index. */
static size_t first_occurrences(const uint32_t *keys, size_t n, uint32_t *want)
{
    at *a = malloc((n + 1) * sizeof *a);
    for (size_t i = 0; i < n; i++)
        a[i] = (at){keys[i], (uint32_t)i};
    qsort(a, n, sizeof *a, cmp_at);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || a[i].key != a[i - 1].key)
            a[m++] = a[i];
    qsort(a, m, sizeof *a, cmp_index);
    for (size_t i = 0; i < m; i++)
        want[i] = a[i].key;
    free(a);
    return m;
}

static void test_unique(void **state)
{
    (void)state;
    uint64_t rng = 5;
    const size_t sizes[] = {0,   1,   2,   3,   15,   16,   17,   63,   64,
                            65,  255, 256, 257, 550,  1000, 4097, 20000};
    uint32_t *keys = malloc(20000 * sizeof *keys), *want = malloc(20000 * sizeof *want);
    tw__buf table = {0};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
        for (int kind = 0; kind < 4; kind++) {
            size_t n = sizes[s], got = 12345;
            draw(&rng, keys, n, kind);
            size_t m = first_occurrences(keys, n, want);
            assert_int_equal(tw__keys_unique(&table, keys, n, &got), TW_OK);
            if (got != m || (m && memcmp(keys, want, m * sizeof *keys))) {
                print_error("kind %d, %zu keys: %zu unique, got %zu\n", kind, n, m, got);
                fail();
            }
            assert_table_clear(&table);
        }
    /* a table grown for 20000 keys serves small sets again */
    uint32_t few[] = {9, 7, 9, 9, 3, 7};
    size_t got = 0;
    assert_int_equal(tw__keys_unique(&table, few, 6, &got), TW_OK);
    assert_int_equal(got, 3);
    assert_int_equal(few[0], 9);
    assert_int_equal(few[1], 7);
    assert_int_equal(few[2], 3);
    assert_table_clear(&table);
    tw__buf_free(&table);
    free(keys);
    free(want);
}

static size_t merge_count(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
    uint32_t *x = malloc((na + 1) * sizeof *x), *y = malloc((nb + 1) * sizeof *y);
    memcpy(x, a, na * sizeof *a);
    memcpy(y, b, nb * sizeof *b);
    qsort(x, na, sizeof *x, tw_test_cmp_u32);
    qsort(y, nb, sizeof *y, tw_test_cmp_u32);
    size_t i = 0, j = 0, c = 0;
    while (i < na && j < nb) {
        if (x[i] == y[j]) {
            c++;
            i++;
            j++;
        } else if (x[i] < y[j]) {
            i++;
        } else {
            j++;
        }
    }
    free(x);
    free(y);
    return c;
}

/* Two sets of na and nb keys sharing about `share` of the smaller. */
static void draw_pair(uint64_t *rng, uint32_t *a, size_t *na, uint32_t *b, size_t *nb, double share,
                      int kind, tw__buf *table)
{
    draw(rng, a, *na, kind);
    assert_int_equal(tw__keys_unique(table, a, *na, na), TW_OK);
    draw(rng, b, *nb, kind);
    for (size_t i = 0; i < *nb && i < *na; i++)
        if ((double)rnd_below(rng, 1000) < share * 1000.0)
            b[i] = a[i];
    assert_int_equal(tw__keys_unique(table, b, *nb, nb), TW_OK);
    tw_test_shuffle(rng, b, *nb, sizeof *b);
}

static void test_intersect(void **state)
{
    (void)state;
    uint64_t rng = 11;
    const size_t sizes[] = {0, 1, 5, 31, 32, 33, 100, 550, 3000};
    const double shares[] = {0.0, 0.3, 0.7, 1.0};
    uint32_t *a = malloc(3000 * sizeof *a), *b = malloc(3000 * sizeof *b);
    tw__buf table = {0};
    for (size_t s1 = 0; s1 < sizeof sizes / sizeof sizes[0]; s1++)
        for (size_t s2 = 0; s2 < sizeof sizes / sizeof sizes[0]; s2++)
            for (size_t sh = 0; sh < sizeof shares / sizeof shares[0]; sh++)
                for (int kind = 0; kind < 4; kind += 2) {
                    size_t na = sizes[s1], nb = sizes[s2], got = 0;
                    draw_pair(&rng, a, &na, b, &nb, shares[sh], kind, &table);
                    size_t want = merge_count(a, na, b, nb);
                    assert_int_equal(tw__keys_intersect(&table, a, na, b, nb, 0, &got), TW_OK);
                    assert_int_equal(got, want);
                    assert_int_equal(tw__keys_intersect(&table, b, nb, a, na, 0, &got), TW_OK);
                    assert_int_equal(got, want);
                    /* a need met gives the exact count; one out of reach,
                     * some count below it */
                    size_t needs[] = {want, want / 2, want + 1, want + 40, na + nb + 1};
                    for (size_t k = 0; k < sizeof needs / sizeof needs[0]; k++) {
                        assert_int_equal(
                            tw__keys_intersect(&table, a, na, b, nb, needs[k], &got), TW_OK);
                        if (needs[k] <= want)
                            assert_int_equal(got, want);
                        else
                            assert_true(got < needs[k] && got <= want);
                    }
                    assert_table_clear(&table);
                }
    tw__buf_free(&table);
    free(a);
    free(b);
}

static void test_hash(void **state)
{
    (void)state;
    uint64_t rng = 3;
    uint32_t a[600], b[600];
    tw__buf table = {0};
    for (int round = 0; round < 200; round++) {
        size_t n = 1 + (size_t)rnd_below(&rng, 600);
        draw(&rng, a, n, 0);
        assert_int_equal(tw__keys_unique(&table, a, n, &n), TW_OK);
        uint64_t h = tw__keys_hash(a, n);
        memcpy(b, a, n * sizeof *a);
        tw_test_shuffle(&rng, b, n, sizeof *b);
        assert_true(tw__keys_hash(b, n) == h); /* the order drops out */
        /* one key swapped for another: another hash */
        uint32_t fresh = (uint32_t)splitmix64(&rng) | 1u;
        int taken = 0;
        for (size_t i = 0; i < n; i++)
            taken |= a[i] == fresh;
        if (!taken) {
            b[rnd_below(&rng, n)] = fresh;
            assert_true(tw__keys_hash(b, n) != h);
        }
    }
    assert_true(tw__keys_hash(NULL, 0) == 0);
    tw__buf_free(&table);
}

/* Every instruction set's hash is the sum written out here, mod 2^64:
 * lengths around the vector's eight, unaligned starts, keys with the top
 * bit set (the products' carries). */
static void test_hash_on_every_isa(void **state)
{
    (void)state;
    uint64_t rng = 17;
    uint32_t x[80];
    for (size_t n = 0; n <= 70; n++)
        for (size_t off = 0; off < 3; off++) {
            uint64_t want = 0;
            for (size_t i = 0; i < off + n; i++)
                x[i] = i % 3 ? (uint32_t)splitmix64(&rng) : 0xF0000000u | (uint32_t)i;
            for (size_t i = 0; i < n; i++)
                want += (uint64_t)(x[off + i] ^ 0x9E3779B9u) * (x[off + i] ^ 0x7F4A7C15u);
            assert_true(tw__keys_hash_scalar(x + off, n) == want);
#if TW_X86_KERNELS
            if (tw__isa_supported() >= TW__ISA_AVX2)
                assert_true(tw__keys_hash_avx2(x + off, n) == want);
#endif
            assert_true(tw__keys_hash(x + off, n) == want);
        }
}

static void test_limits(void **state)
{
    (void)state;
    tw__buf table = {0};
    /* more keys than a table of 2^31 slots may hold: refused, no memory */
    assert_int_equal(tw__keys_reserve(&table, ((size_t)1 << 29) + 1), TW_ERANGE);
    assert_null(table.data);
    assert_int_equal(tw__keys_reserve(&table, 1000), TW_OK);
    assert_true(table.cap >= 4000);
    size_t cap = table.cap;
    assert_int_equal(tw__keys_reserve(&table, 10), TW_OK); /* never shrinks */
    assert_int_equal(table.cap, cap);
    assert_table_clear(&table);
    tw__buf_free(&table);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unique),
        cmocka_unit_test(test_intersect),
        cmocka_unit_test(test_hash),
        cmocka_unit_test(test_hash_on_every_isa),
        cmocka_unit_test(test_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
