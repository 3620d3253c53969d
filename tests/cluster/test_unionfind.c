/*
 * test_unionfind.c — union-find over document indices (tw__uf_*).
 *
 * The batch reports a document's cluster as find(i), and the public API
 * promises that this is the earliest member of the cluster. So the root of
 * every set must be its smallest index whatever order the unions come in,
 * and union must report whether it joined anything. Random unions over
 * 10,000 elements are checked against a naive labeling. Another thread may
 * follow the links while one thread joins (tw__uf_find_shared, used by the
 * batch's threads that check pairs ahead of its walk): two indices it sees
 * with one root must end up in one set, and once the joining is done it
 * must agree with find.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "../tw_test_util.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/tw_cluster.h"



static void test_find_identity_initially(void **state)
{
    (void)state;
    tw__uf u;
    assert_int_equal(tw__uf_init(&u, 1000), TW_OK);
    assert_int_equal(u.n, 1000);
    for (uint32_t i = 0; i < 1000; i++)
        assert_int_equal(tw__uf_find(&u, i), i);
    tw__uf_free(&u);
    assert_null(u.parent);
    /* an empty structure is valid and frees cleanly */
    assert_int_equal(tw__uf_init(&u, 0), TW_OK);
    tw__uf_free(&u);
    tw__uf_free(NULL);
}

static void test_union_reports_join_once(void **state)
{
    (void)state;
    tw__uf u;
    assert_int_equal(tw__uf_init(&u, 10), TW_OK);
    assert_int_equal(tw__uf_union(&u, 3, 7), 1);
    assert_int_equal(tw__uf_union(&u, 3, 7), 0);
    assert_int_equal(tw__uf_union(&u, 7, 3), 0);
    assert_int_equal(tw__uf_union(&u, 5, 5), 0); /* a set with itself */
    assert_int_equal(tw__uf_union(&u, 7, 9), 1);
    assert_int_equal(tw__uf_union(&u, 9, 3), 0); /* transitively joined */
    assert_int_equal(tw__uf_find(&u, 9), 3);
    assert_int_equal(tw__uf_find(&u, 7), 3);
    assert_int_equal(tw__uf_find(&u, 5), 5);
    tw__uf_free(&u);
}

static void test_root_is_smallest_any_order(void **state)
{
    (void)state;
    tw__uf u;
    /* a chain built from the top down, and from the bottom up */
    assert_int_equal(tw__uf_init(&u, 100), TW_OK);
    for (uint32_t i = 99; i > 50; i--)
        assert_int_equal(tw__uf_union(&u, i, i - 1), 1);
    for (uint32_t i = 0; i < 49; i++)
        assert_int_equal(tw__uf_union(&u, i + 1, i), 1);
    for (uint32_t i = 50; i < 100; i++)
        assert_int_equal(tw__uf_find(&u, i), 50);
    for (uint32_t i = 0; i < 50; i++)
        assert_int_equal(tw__uf_find(&u, i), 0);
    /* joining the two through their largest members */
    assert_int_equal(tw__uf_union(&u, 99, 49), 1);
    for (uint32_t i = 0; i < 100; i++)
        assert_int_equal(tw__uf_find(&u, i), 0);
    tw__uf_free(&u);
}

static void test_random_unions_match_naive_labels(void **state)
{
    (void)state;
    enum { N = 10000 };
    uint32_t *label = malloc(N * sizeof *label);
    assert_non_null(label);
    for (int round = 0; round < 3; round++) {
        uint64_t rng = 0x5EED3000u + (uint64_t)round;
        tw__uf u;
        assert_int_equal(tw__uf_init(&u, N), TW_OK);
        for (uint32_t i = 0; i < N; i++)
            label[i] = i; /* naive: every element carries the smallest index of its set */
        size_t sets = N;
        /* Unions among nearby indices make big clusters grow slowly; some
         * long-range ones join them. */
        for (int step = 0; step < 6000; step++) {
            uint32_t a = (uint32_t)rnd_below(&rng, N), b;
            if (step % 3)
                b = (uint32_t)((a + 1 + rnd_below(&rng, 50)) % N);
            else
                b = (uint32_t)rnd_below(&rng, N);
            int apart = label[a] != label[b];
            assert_int_equal(tw__uf_union(&u, a, b), apart);
            if (apart) {
                uint32_t keep = label[a] < label[b] ? label[a] : label[b];
                uint32_t drop = label[a] < label[b] ? label[b] : label[a];
                for (uint32_t i = 0; i < N; i++)
                    if (label[i] == drop)
                        label[i] = keep;
                sets--;
            }
            if (step % 500 == 499)
                for (uint32_t i = 0; i < N; i++)
                    assert_int_equal(tw__uf_find(&u, i), label[i]);
        }
        size_t roots = 0;
        for (uint32_t i = 0; i < N; i++) {
            assert_int_equal(tw__uf_find(&u, i), label[i]);
            assert_true(label[i] <= i);
            roots += tw__uf_find(&u, i) == i;
        }
        assert_int_equal(roots, sets);
        assert_true(sets < N / 2); /* the unions really merged things */
        tw__uf_free(&u);
    }
    free(label);
}

typedef struct follower {
    tw__uf *u;
    int done;                 /* the joining is over (atomic) */
    uint32_t same[20000][2];  /* pairs seen with one root */
    size_t nsame, looks;
    size_t up;                /* roots above their index: never */
} follower;

static void *follow(void *arg)
{
    follower *f = arg;
    uint64_t rng = 0xF011;
    while (!__atomic_load_n(&f->done, __ATOMIC_ACQUIRE) || f->looks < 1000) {
        uint32_t a = (uint32_t)rnd_below(&rng, f->u->n);
        uint32_t b = (uint32_t)((a + 1 + rnd_below(&rng, 40)) % f->u->n);
        uint32_t ra = tw__uf_find_shared(f->u, a), rb = tw__uf_find_shared(f->u, b);
        f->up += ra > a || rb > b; /* (asserted by the main thread: cmocka's are its own) */
        if (ra == rb && f->nsame < sizeof f->same / sizeof f->same[0]) {
            f->same[f->nsame][0] = a;
            f->same[f->nsame][1] = b;
            f->nsame++;
        }
        f->looks++;
    }
    return NULL;
}

static void test_find_shared_beside_the_joining_thread(void **state)
{
    (void)state;
    enum { N = 20000 };
    static follower f;
    memset(&f, 0, sizeof f);
    tw__uf u;
    assert_int_equal(tw__uf_init(&u, N), TW_OK);
    f.u = &u;
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, follow, &f), 0);
    uint64_t rng = 0x70D0;
    for (int step = 0; step < 30000; step++) {
        uint32_t a = (uint32_t)rnd_below(&rng, N);
        uint32_t b = step % 4 ? (uint32_t)((a + 1 + rnd_below(&rng, 30)) % N)
                              : (uint32_t)rnd_below(&rng, N);
        tw__uf_union(&u, a, b);
        if (step % 7 == 0) /* finds halve paths: links change under the follower */
            tw__uf_find(&u, (uint32_t)rnd_below(&rng, N));
    }
    __atomic_store_n(&f.done, 1, __ATOMIC_RELEASE);
    pthread_join(th, NULL);
    assert_true(f.nsame > 0);
    assert_int_equal(f.up, 0); /* links only lead down */
    for (size_t k = 0; k < f.nsame; k++)
        assert_int_equal(tw__uf_find(&u, f.same[k][0]), tw__uf_find(&u, f.same[k][1]));
    for (uint32_t i = 0; i < N; i++) /* at rest: the same roots as find */
        assert_int_equal(tw__uf_find_shared(&u, i), tw__uf_find(&u, i));
    tw__uf_free(&u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_find_identity_initially),
        cmocka_unit_test(test_union_reports_join_once),
        cmocka_unit_test(test_root_is_smallest_any_order),
        cmocka_unit_test(test_random_unions_match_naive_labels),
        cmocka_unit_test(test_find_shared_beside_the_joining_thread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
