/*
 * test_oph.c — one-permutation hashing with optimal densification, held
 * against exact Jaccard and against the classic 128-permutation MinHash it
 * replaced in batches: the estimate must be as accurate, for large sets and
 * for sets smaller than the number of bins (where densification does the
 * work), order-independent and deterministic.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "../tw_test_util.h"

#include <math.h>
#include <stdlib.h>
#include "sketch/tw_sketch.h"

#define K 126 /* bands x rows at the default threshold */

/* Two random sets with `shared` common elements; returns exact Jaccard. */
static double make_pair(uint64_t *rng, uint32_t *a, size_t na, uint32_t *b, size_t nb,
                        size_t shared)
{
    for (size_t i = 0; i < shared; i++)
        a[i] = b[i] = (uint32_t)splitmix64(rng) | 1u;
    for (size_t i = shared; i < na; i++)
        a[i] = (uint32_t)splitmix64(rng) | 1u;
    for (size_t i = shared; i < nb; i++)
        b[i] = (uint32_t)splitmix64(rng) | 1u;
    return (double)shared / (double)(na + nb - shared);
}

static void accuracy(size_t maxn, double max_mean_err)
{
    static uint32_t a[4000], b[4000];
    uint32_t sa[TW__MH_N], sb[TW__MH_N];
    tw__minhash mh;
    tw__minhash_init(&mh, 3);
    uint64_t rng = 0x0F1A5EEDull + maxn;
    double err_oph = 0, err_mh = 0;
    const int pairs = 200;
    for (int t = 0; t < pairs; t++) {
        size_t na = 2 + (size_t)rnd_below(&rng, maxn);
        size_t shared = (size_t)rnd_below(&rng, na + 1);
        size_t nb = shared + (size_t)rnd_below(&rng, maxn);
        if (nb == 0)
            nb = 1;
        double j = make_pair(&rng, a, na, b, nb, shared);
        tw__oph_sign(11, a, na, sa, K);
        tw__oph_sign(11, b, nb, sb, K);
        err_oph += fabs(tw__minhash_estimate(sa, sb, K) - j);
        tw__minhash_sign(&mh, a, na, sa, K);
        tw__minhash_sign(&mh, b, nb, sb, K);
        err_mh += fabs(tw__minhash_estimate(sa, sb, K) - j);
    }
    err_oph /= pairs;
    err_mh /= pairs;
    assert_true(err_oph < max_mean_err);
    assert_true(err_oph < err_mh + 0.01); /* as accurate as what it replaced */
}

static void test_accuracy_large_sets(void **state)
{
    (void)state;
    accuracy(2000, 0.04);
}

static void test_accuracy_sets_smaller_than_the_bins(void **state)
{
    (void)state;
    accuracy(60, 0.05); /* most bins are filled by densification */
}

static void test_identical_sets_collide_everywhere(void **state)
{
    (void)state;
    uint32_t a[5] = {11, 22, 33, 44, 55}, sa[TW__MH_N], sb[TW__MH_N];
    tw__oph_sign(1, a, 5, sa, K);
    tw__oph_sign(1, a, 5, sb, K);
    assert_memory_equal(sa, sb, K * sizeof sa[0]);
    for (int i = 0; i < K; i++)
        assert_true(sa[i] != UINT32_MAX); /* densified: no bin left empty */
}

static void test_order_independent_and_seeded(void **state)
{
    (void)state;
    uint64_t rng = 77;
    uint32_t a[300], sa[TW__MH_N], sb[TW__MH_N], sc[TW__MH_N];
    for (int i = 0; i < 300; i++)
        a[i] = (uint32_t)splitmix64(&rng) | 1u;
    tw__oph_sign(5, a, 300, sa, K);
    tw_test_shuffle(&rng, a, 300, sizeof a[0]);
    tw__oph_sign(5, a, 300, sb, K);
    assert_memory_equal(sa, sb, K * sizeof sa[0]);
    tw__oph_sign(6, a, 300, sc, K);
    assert_true(memcmp(sa, sc, K * sizeof sa[0]) != 0);
}

static void test_empty_set_and_count(void **state)
{
    (void)state;
    uint32_t sig[TW__MH_N];
    for (int i = 0; i < TW__MH_N; i++)
        sig[i] = 0xA5A5A5A5u;
    tw__oph_sign(1, NULL, 0, sig, 40);
    for (int i = 0; i < 40; i++)
        assert_int_equal(sig[i], UINT32_MAX);
    for (int i = 40; i < TW__MH_N; i++)
        assert_int_equal(sig[i], 0xA5A5A5A5u); /* beyond count: untouched */
    uint32_t one = 9;
    tw__oph_sign(1, &one, 1, sig, 40);
    for (int i = 1; i < 40; i++)
        assert_int_equal(sig[i], sig[0]); /* one element fills every bin */
}

static void test_prefix_and_whole_in_one_pass(void **state)
{
    (void)state;
    uint64_t rng = 2026;
    uint32_t a[700];
    for (int i = 0; i < 700; i++)
        a[i] = (uint32_t)splitmix64(&rng) | 1u;
    tw__oph o;
    tw__oph_init(&o, 3, 126);
    static const size_t sizes[][2] = {{0, 0}, {0, 1},  {1, 1},   {1, 2},   {3, 9},  {5, 700},
                                      {64, 130}, {126, 127}, {300, 300}, {699, 700}, {9, 4}};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        size_t np = sizes[k][0], n = sizes[k][1];
        uint32_t p1[TW__MH_N], w1[TW__MH_N], p2[TW__MH_N], w2[TW__MH_N], w3[TW__MH_N];
        tw__oph_sign(3, a, np < n ? np : n, p1, 126);
        tw__oph_sign(3, a, n, w1, 126);
        tw__oph_sign2(&o, a, np, n, p2, w2);
        assert_memory_equal(p1, p2, 126 * sizeof p1[0]);
        assert_memory_equal(w1, w2, 126 * sizeof w1[0]);
        tw__oph_sign2(&o, a, np, n, NULL, w3); /* either output alone */
        assert_memory_equal(w1, w3, 126 * sizeof w1[0]);
        tw__oph_sign2(&o, a, np, n, p2, NULL);
        assert_memory_equal(p1, p2, 126 * sizeof p1[0]);
    }
}

/* Sparse runs: sign2 (which fills a one-shingle run's signature with its
 * one value instead of densifying) against the scalar loop and the scalar
 * densification called directly, for runs of 1 to 4 shingles (most bins
 * empty; tries past the drawn ones), prefix and whole, several seeds and
 * bin counts. */
static void test_sparse_runs_equal_densified(void **state)
{
    (void)state;
    uint64_t rng = 4242;
    static const int counts[] = {1, 2, 7, 64, 126, 128};
    static tw__oph o;
    for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++)
        for (uint64_t seed = 0; seed < 6; seed++) {
            tw__oph_init(&o, seed, counts[c]);
            for (size_t n = 1; n <= 4; n++)
                for (size_t np = 0; np <= n; np++) {
                    uint32_t a[4];
                    for (size_t i = 0; i < n; i++)
                        a[i] = (uint32_t)splitmix64(&rng);
                    uint32_t p1[TW__MH_N], w1[TW__MH_N], ref[TW__MH_N];
                    tw__oph_sign2(&o, a, np, n, p1, w1);
                    for (int run = 0; run < 2; run++) {
                        size_t m = run ? n : np;
                        if (m == 0)
                            continue;
                        uint8_t filled[TW__MH_N] = {0};
                        for (int i = 0; i < TW__MH_N; i++)
                            ref[i] = UINT32_MAX;
                        tw__oph_add_scalar(o.salt, a, m, ref, filled, counts[c]);
                        tw__oph_densify_scalar(&o, m, ref, filled);
                        assert_memory_equal(run ? w1 : p1, ref, (size_t)counts[c] * sizeof ref[0]);
                        if (m == 1)
                            for (int i = 1; i < counts[c]; i++)
                                assert_int_equal(ref[i], ref[0]);
                    }
                }
        }
}

/* Every instruction set's inner loop against the scalar one, bit for bit:
 * lengths around the vector widths, unaligned starts, bin counts that do
 * and do not divide the hash range, and bins already holding values. */
static void test_kernels_equal_scalar(void **state)
{
    (void)state;
    uint64_t rng = 77;
    uint32_t a[300];
    for (int i = 0; i < 300; i++)
        a[i] = (uint32_t)splitmix64(&rng);
    static const int counts[] = {1, 7, 64, 126, 128};
    for (int isa = TW__ISA_SCALAR + 1; isa <= (int)tw__isa_supported(); isa++) {
        tw__oph_add_fn k = tw__oph_add_for((tw__isa)isa);
        for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++)
            for (size_t start = 0; start < 9; start++)
                for (size_t n = 0; n <= 70; n += (n < 20 ? 1 : 7)) {
                    uint32_t s1[TW__MH_N], s2[TW__MH_N];
                    uint8_t f1[TW__MH_N] = {0}, f2[TW__MH_N] = {0};
                    for (int i = 0; i < TW__MH_N; i++)
                        s1[i] = s2[i] = i % 3 ? UINT32_MAX : (uint32_t)splitmix64(&rng);
                    uint64_t salt = splitmix64(&rng);
                    tw__oph_add_scalar(salt, a + start, n, s1, f1, counts[c]);
                    k(salt, a + start, n, s2, f2, counts[c]);
                    assert_memory_equal(s1, s2, sizeof s1);
                    assert_memory_equal(f1, f2, sizeof f1);
                }
    }
    /* whole signatures, densification included: every set's kernels
     * against the scalar ones, on sets from empty to longer than the bins
     * (short ones leave most bins empty and need tries past the drawn 32),
     * with the tries drawn and not */
    static tw__oph ref, got;
    for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++)
        for (int drawn = 0; drawn < 2; drawn++)
            for (int isa = TW__ISA_SCALAR + 1; isa <= (int)tw__isa_supported(); isa++) {
                tw__oph_init(&ref, 9, counts[c]);
                ref.tries_drawn = drawn;
                ref.add = tw__oph_add_scalar;
                ref.densify = tw__oph_densify_scalar;
                got = ref;
                got.add = tw__oph_add_for((tw__isa)isa);
                got.densify = tw__oph_densify_for((tw__isa)isa);
                for (size_t n = 0; n <= 300; n += (n < 40 ? 1 : 13)) {
                    uint32_t p1[TW__MH_N], w1[TW__MH_N], p2[TW__MH_N], w2[TW__MH_N];
                    size_t np = n / 3;
                    tw__oph_sign2(&ref, a, np, n, p1, w1);
                    tw__oph_sign2(&got, a, np, n, p2, w2);
                    assert_memory_equal(p1, p2, (size_t)counts[c] * sizeof p1[0]);
                    assert_memory_equal(w1, w2, (size_t)counts[c] * sizeof w1[0]);
                }
            }
    /* the active plan uses the active set's kernels */
    tw__oph o;
    tw__oph_init(&o, 1, 126);
    assert_ptr_equal(o.add, tw__oph_add_for(tw__isa_active()));
    assert_ptr_equal(o.densify, tw__oph_densify_for(tw__isa_active()));
    assert_ptr_equal(tw__oph_add_for(TW__ISA_SCALAR), tw__oph_add_scalar);
    assert_ptr_equal(tw__oph_densify_for(TW__ISA_SCALAR), tw__oph_densify_scalar);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accuracy_large_sets),
        cmocka_unit_test(test_kernels_equal_scalar),
        cmocka_unit_test(test_accuracy_sets_smaller_than_the_bins),
        cmocka_unit_test(test_identical_sets_collide_everywhere),
        cmocka_unit_test(test_order_independent_and_seeded),
        cmocka_unit_test(test_prefix_and_whole_in_one_pass),
        cmocka_unit_test(test_sparse_runs_equal_densified),
        cmocka_unit_test(test_empty_set_and_count),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
