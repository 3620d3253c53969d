/*
 * test_threads.c — base/tw_parallel.c's two ways of sharing work:
 * tw__parallel_for's fixed ranges (range t is [n*t/k, n*(t+1)/k) whatever
 * happens) and tw__parallel_claim's blocks, which must visit every item
 * exactly once, in blocks of the grain, with worker numbers below the
 * bound, for every thread count and grain, including n = 0 and a grain
 * larger than n; a failing block is reported and stops further claims.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "base/tw_base.h"

typedef struct visit_ctx {
    unsigned char *seen; /* per item: times visited (atomic adds) */
    size_t grain, n;
    unsigned max_worker;  /* workers must be below this */
    int bad;              /* a block of the wrong shape, or a worker out of bounds */
    size_t fail_at;       /* a block holding this item fails (SIZE_MAX: none) */
    unsigned blocks;      /* calls made (atomic) */
} visit_ctx;

static int visit(void *ctx_, unsigned worker, size_t begin, size_t end)
{
    visit_ctx *c = ctx_;
    __atomic_fetch_add(&c->blocks, 1, __ATOMIC_RELAXED);
    if (worker >= c->max_worker || begin % c->grain != 0 || end > c->n ||
        (end - begin != c->grain && end != c->n) || begin >= end)
        __atomic_store_n(&c->bad, 1, __ATOMIC_RELAXED);
    for (size_t i = begin; i < end; i++)
        __atomic_fetch_add(&c->seen[i], 1, __ATOMIC_RELAXED);
    return c->fail_at >= begin && c->fail_at < end ? -7 : 0;
}

static void test_claim_visits_each_item_once(void **state)
{
    (void)state;
    const size_t sizes[] = {0, 1, 5, 127, 128, 129, 1000, 4096, 10007};
    const size_t grains[] = {1, 3, 128, 5000};
    for (unsigned threads = 1; threads <= 5; threads++)
        for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++)
            for (size_t gi = 0; gi < sizeof grains / sizeof *grains; gi++) {
                size_t n = sizes[si], g = grains[gi];
                size_t blocks = n / g + (n % g != 0);
                visit_ctx c = {calloc(n + 1, 1), g, n,
                               threads < blocks ? threads : (blocks ? (unsigned)blocks : 1), 0,
                               SIZE_MAX, 0};
                assert_int_equal(tw__parallel_claim(n, threads, g, visit, &c), 0);
                assert_false(c.bad);
                for (size_t i = 0; i < n; i++)
                    assert_int_equal(c.seen[i], 1);
                /* one thread takes the whole range in one call */
                assert_int_equal(c.blocks, threads == 1 || blocks <= 1 ? (n > 0) : blocks);
                free(c.seen);
            }
}

static void test_claim_reports_failure(void **state)
{
    (void)state;
    for (unsigned threads = 1; threads <= 4; threads++) {
        size_t n = 20000, g = 100;
        visit_ctx c = {calloc(n, 1), g, n, threads, 0, 150, 0};
        assert_int_equal(tw__parallel_claim(n, threads, g, visit, &c), -7);
        /* the failing block ran; no item ran twice */
        assert_int_equal(c.seen[150], 1);
        for (size_t i = 0; i < n; i++)
            assert_true(c.seen[i] <= 1);
        free(c.seen);
    }
}

typedef struct range_ctx {
    size_t begin[8], end[8];
} range_ctx;

static int record(void *ctx_, unsigned worker, size_t begin, size_t end)
{
    range_ctx *c = ctx_;
    c->begin[worker] = begin;
    c->end[worker] = end;
    return 0;
}

static void test_for_ranges_are_fixed(void **state)
{
    (void)state;
    for (unsigned threads = 1; threads <= 8; threads++) {
        range_ctx c;
        memset(&c, 0xFF, sizeof c);
        size_t n = 1003;
        assert_int_equal(tw__parallel_for(n, threads, 100, record, &c), 0);
        unsigned k = threads < n / 100 ? threads : (unsigned)(n / 100);
        for (unsigned t = 0; t < k; t++) {
            assert_int_equal(c.begin[t], n * t / k);
            assert_int_equal(c.end[t], n * (t + 1) / k);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_claim_visits_each_item_once),
        cmocka_unit_test(test_claim_reports_failure),
        cmocka_unit_test(test_for_ranges_are_fixed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
