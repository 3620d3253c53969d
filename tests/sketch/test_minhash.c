/*
 * test_minhash.c — MinHash signatures (tw__minhash_init, tw__minhash_sign,
 * tw__minhash_estimate).
 *
 * The batch path never sees exact Jaccard before LSH: a pair that MinHash
 * misjudges is never even proposed. So the hash family must be reproducible
 * from the seed (the same input must cluster the same way on every run),
 * the signature must depend on the set and not on its order, and the
 * 128-value estimate must track exact Jaccard. LSH asks for only
 * bands x rows values, so signing fewer must not write past them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "../tw_test_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sketch/tw_sketch.h"



/* MurmurHash3's finalizer: a bijection on 32 bits with fmix32(0) = 0, so
 * fmix32(1..n) are n distinct nonzero "fingerprints". */
static uint32_t fmix32(uint32_t h)
{
    h ^= h >> 16;
    h *= 0x85EBCA6Bu;
    h ^= h >> 13;
    h *= 0xC2B2AE35u;
    h ^= h >> 16;
    return h;
}


/* ---------------------------------------------------------------- init */

static void test_init_deterministic_and_odd(void **state)
{
    (void)state;
    static tw__minhash m1, m2, m3;
    memset(&m1, 0x11, sizeof m1);
    memset(&m2, 0x22, sizeof m2);
    tw__minhash_init(&m1, 12345);
    tw__minhash_init(&m2, 12345);
    assert_memory_equal(&m1, &m2, sizeof m1);
    for (int i = 0; i < TW__MH_N; i++) {
        assert_true(m1.a[i] & 1);
        for (int j = 0; j < i; j++)
            assert_true(m1.a[i] != m1.a[j]); /* 128 different functions */
    }
    tw__minhash_init(&m3, 12346);
    int same = 0;
    for (int i = 0; i < TW__MH_N; i++) {
        assert_true(m3.a[i] & 1);
        same += m3.a[i] == m1.a[i] || m3.b[i] == m1.b[i];
    }
    assert_int_equal(same, 0);
    /* seed 0 is a valid seed too and differs from the others */
    tw__minhash_init(&m3, 0);
    assert_memory_not_equal(&m3, &m1, sizeof m1);
    for (int i = 0; i < TW__MH_N; i++)
        assert_true(m3.a[i] & 1);
}

/* ---------------------------------------------------------------- sign */

static void test_empty_set_all_ones(void **state)
{
    (void)state;
    static tw__minhash mh;
    tw__minhash_init(&mh, 1);
    uint32_t sig[TW__MH_N];
    memset(sig, 0, sizeof sig);
    tw__minhash_sign(&mh, NULL, 0, sig, TW__MH_N);
    for (int i = 0; i < TW__MH_N; i++)
        assert_int_equal(sig[i], UINT32_MAX);
}

static void test_sign_matches_definition(void **state)
{
    (void)state;
    /* The header defines h_i(x) = (a_i x + b_i) >> 32 (mod 2^64) and
     * sig[i] = min over the set of h_i. */
    static tw__minhash mh;
    tw__minhash_init(&mh, 77);
    uint64_t rng = 0x5EED1001;
    uint32_t fp[300];
    for (int i = 0; i < 300; i++)
        fp[i] = (uint32_t)splitmix64(&rng) | 1;
    uint32_t sig[TW__MH_N];
    tw__minhash_sign(&mh, fp, 300, sig, TW__MH_N);
    for (int i = 0; i < TW__MH_N; i++) {
        uint32_t m = UINT32_MAX;
        for (int j = 0; j < 300; j++) {
            uint32_t h = (uint32_t)((mh.a[i] * (uint64_t)fp[j] + mh.b[i]) >> 32);
            m = h < m ? h : m;
        }
        assert_int_equal(sig[i], m);
    }
}

static void test_sign_order_independent(void **state)
{
    (void)state;
    static tw__minhash mh;
    tw__minhash_init(&mh, 2024);
    uint64_t rng = 0x5EED1002;
    static uint32_t fp[1500];
    for (int iter = 0; iter < 20; iter++) {
        size_t n = 1 + (size_t)rnd_below(&rng, 1500);
        for (size_t i = 0; i < n; i++)
            fp[i] = fmix32((uint32_t)(iter * 2000 + i + 1));
        qsort(fp, n, sizeof *fp, tw_test_cmp_u32);
        uint32_t s1[TW__MH_N], s2[TW__MH_N];
        tw__minhash_sign(&mh, fp, n, s1, TW__MH_N);
        tw_test_shuffle(&rng, fp, n, sizeof *(fp));
        tw__minhash_sign(&mh, fp, n, s2, TW__MH_N);
        assert_memory_equal(s1, s2, sizeof s1);
        assert_true(tw__minhash_estimate(s1, s2, TW__MH_N) == 1.0);
    }
}

static void test_sign_partial_count_leaves_rest(void **state)
{
    (void)state;
    static tw__minhash mh;
    tw__minhash_init(&mh, 5);
    uint32_t fp[200];
    for (int i = 0; i < 200; i++)
        fp[i] = fmix32((uint32_t)i + 1);
    uint32_t full[TW__MH_N];
    tw__minhash_sign(&mh, fp, 200, full, TW__MH_N);
    const uint32_t sentinel = 0xA5A5A5A5u;
    const int counts[] = {0, 1, 3, 17, 64, 100, 127};
    for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
        int count = counts[c];
        uint32_t sig[TW__MH_N + 8];
        for (int i = 0; i < TW__MH_N + 8; i++)
            sig[i] = sentinel;
        tw__minhash_sign(&mh, fp, 200, sig, count);
        for (int i = 0; i < count; i++)
            assert_int_equal(sig[i], full[i]); /* same values as a full signature */
        for (int i = count; i < TW__MH_N + 8; i++)
            assert_int_equal(sig[i], sentinel);
        /* and for the empty set */
        for (int i = 0; i < TW__MH_N + 8; i++)
            sig[i] = sentinel;
        tw__minhash_sign(&mh, NULL, 0, sig, count);
        for (int i = 0; i < count; i++)
            assert_int_equal(sig[i], UINT32_MAX);
        for (int i = count; i < TW__MH_N + 8; i++)
            assert_int_equal(sig[i], sentinel);
    }
}

/* ------------------------------------------------------------ estimate */

static void test_estimate_counts_equal_positions(void **state)
{
    (void)state;
    uint32_t a[TW__MH_N], b[TW__MH_N];
    for (int i = 0; i < TW__MH_N; i++) {
        a[i] = (uint32_t)i;
        b[i] = i < 64 ? (uint32_t)i : (uint32_t)i + 1000; /* first half equal */
    }
    assert_true(tw__minhash_estimate(a, b, TW__MH_N) == 0.5);
    assert_true(tw__minhash_estimate(a, b, 64) == 1.0);
    assert_true(tw__minhash_estimate(a, b, 32) == 1.0);
    b[0] = 999;
    assert_true(tw__minhash_estimate(a, b, 4) == 0.75);
    assert_true(tw__minhash_estimate(a, a, TW__MH_N) == 1.0);
    for (int i = 0; i < TW__MH_N; i++)
        b[i] = a[i] + 1;
    assert_true(tw__minhash_estimate(a, b, TW__MH_N) == 0.0);
}

static void test_estimate_tracks_exact_jaccard(void **state)
{
    (void)state;
    static tw__minhash mh;
    tw__minhash_init(&mh, 0);
    uint64_t rng = 0x5EED1003;
    static uint32_t a[2000], b[2000];
    tw__buf table = {0};
    const int pairs = 80;
    double sum_err = 0, max_err = 0;
    double jmin = 1, jmax = 0;
    uint32_t next = 1; /* fmix32(next++) never repeats */
    for (int p = 0; p < pairs; p++) {
        /* Target J spread evenly over 0.1..0.9; sizes 200..2000. */
        double target = 0.1 + 0.8 * (p + 0.5) / pairs;
        size_t na = 200 + (size_t)rnd_below(&rng, 1801);
        /* nb within [na·J, na/J] keeps the overlap feasible */
        double lo = fmax(200.0, na * target), hi = fmin(2000.0, na / target);
        size_t nb = (size_t)(lo + (hi - lo) * (double)rnd_below(&rng, 1000) / 1000.0);
        size_t inter = (size_t)llround(target * (double)(na + nb) / (1.0 + target));
        if (inter > na)
            inter = na;
        if (inter > nb)
            inter = nb;
        for (size_t i = 0; i < inter; i++)
            a[i] = b[i] = fmix32(next++);
        for (size_t i = inter; i < na; i++)
            a[i] = fmix32(next++);
        for (size_t i = inter; i < nb; i++)
            b[i] = fmix32(next++);
        tw_test_shuffle(&rng, a, na, sizeof *(a));
        tw_test_shuffle(&rng, b, nb, sizeof *(b));
        double exact = (double)inter / (double)(na + nb - inter);
        jmin = fmin(jmin, exact);
        jmax = fmax(jmax, exact);
        /* cross-check the construction with the library's exact Jaccard */
        double lib = -1;
        assert_int_equal(tw__jaccard_keys(&table, a, na, b, nb, &lib), TW_OK);
        assert_true(fabs(lib - exact) < 1e-12);

        uint32_t sga[TW__MH_N], sgb[TW__MH_N];
        tw__minhash_sign(&mh, a, na, sga, TW__MH_N);
        tw__minhash_sign(&mh, b, nb, sgb, TW__MH_N);
        double est = tw__minhash_estimate(sga, sgb, TW__MH_N);
        double err = fabs(est - exact);
        /* sd of the estimate is sqrt(J(1-J)/128) <= 0.045 */
        assert_true(err < 0.1);
        sum_err += err;
        max_err = fmax(max_err, err);
    }
    assert_true(jmin < 0.12 && jmax > 0.88); /* J really spans 0.1..0.9 */
    double mean = sum_err / pairs;
    assert_true(mean < 0.04);
    assert_true(mean > 0.0); /* it is an estimate, not a copy of exact */
    tw__buf_free(&table);
}

static void test_estimate_disjoint_and_identical(void **state)
{
    (void)state;
    static tw__minhash mh;
    tw__minhash_init(&mh, 9);
    static uint32_t a[1000], b[1000];
    for (int i = 0; i < 1000; i++) {
        a[i] = fmix32((uint32_t)i + 1);
        b[i] = fmix32((uint32_t)i + 5001);
    }
    uint32_t sa[TW__MH_N], sb[TW__MH_N];
    tw__minhash_sign(&mh, a, 1000, sa, TW__MH_N);
    tw__minhash_sign(&mh, b, 1000, sb, TW__MH_N);
    assert_true(tw__minhash_estimate(sa, sb, TW__MH_N) <= 0.02);
    tw__minhash_sign(&mh, a, 1000, sb, TW__MH_N);
    assert_true(tw__minhash_estimate(sa, sb, TW__MH_N) == 1.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_deterministic_and_odd),
        cmocka_unit_test(test_empty_set_all_ones),
        cmocka_unit_test(test_sign_matches_definition),
        cmocka_unit_test(test_sign_order_independent),
        cmocka_unit_test(test_sign_partial_count_leaves_rest),
        cmocka_unit_test(test_estimate_counts_equal_positions),
        cmocka_unit_test(test_estimate_tracks_exact_jaccard),
        cmocka_unit_test(test_estimate_disjoint_and_identical),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
