/*
 * test_story.c — story clustering (tw_story.c): the time factor, the gap
 * between two reports' times and event guesses, the TF-IDF vectors, and
 * the average-linkage agglomeration over units (near-copy clusters).
 *
 * The clustering is where a story is made or lost: a time factor that does
 * not reach 0 outside the window joins last week's meeting to today's, a
 * single-linkage slip chains a thread of related events into one story,
 * and a result that depends on input order makes `tawam cluster` give
 * different answers for the same feed. Units and vectors are built by hand
 * where exact similarities matter (the no-chaining case), and from random
 * but seeded term lists where the property is global (order independence,
 * agreement with a brute-force UPGMA reference).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/tw_cluster.h"
#include "../tw_test_util.h"

#define HOUR 3600
#define DAY 86400

static tw__story_params params(double threshold)
{
    return (tw__story_params){threshold, 3 * DAY, 1.0 * DAY};
}

/* ------------------------------------------------------- time and gap */

static void test_time_factor(void **state)
{
    (void)state;
    tw__story_params p = params(0.22);
    assert_true(tw__story_time_factor(&p, 0) == 1.0);
    assert_true(fabs(tw__story_time_factor(&p, 6 * HOUR) - exp(-0.25)) < 1e-12);
    assert_true(fabs(tw__story_time_factor(&p, DAY) - exp(-1.0)) < 1e-12);
    assert_true(fabs(tw__story_time_factor(&p, -DAY) - exp(-1.0)) < 1e-12);
    assert_true(fabs(tw__story_time_factor(&p, 3 * DAY) - exp(-3.0)) < 1e-12);
    assert_true(tw__story_time_factor(&p, 3 * DAY + 1) == 0.0);
    assert_true(tw__story_time_factor(&p, -(3 * DAY + 1)) == 0.0);
    assert_true(tw__story_time_factor(&p, 365 * DAY) == 0.0);
    /* decay is its own parameter */
    tw__story_params q = {0.22, 10 * DAY, 2.0 * DAY};
    assert_true(fabs(tw__story_time_factor(&q, 5 * DAY) - exp(-2.5)) < 1e-12);
    /* monotone inside the window */
    double prev = 2;
    for (int64_t dt = 0; dt <= 3 * DAY; dt += HOUR) {
        double f = tw__story_time_factor(&p, dt);
        assert_true(f > 0 && f < prev);
        prev = f;
    }
}

static void test_gap_min_over_guesses(void **state)
{
    (void)state;
    /* time-time 100, event-time 150, time-event 80, event-event 130 */
    tw__story_unit a = {NULL, 0, 100, 50}, b = {NULL, 0, 200, 180};
    assert_int_equal(tw__story_gap(&a, &b), 80);
    assert_int_equal(tw__story_gap(&b, &a), 80);
    /* event-event closest */
    tw__story_unit c = {NULL, 0, 1000, 0}, d = {NULL, 0, 2000, 10};
    assert_int_equal(tw__story_gap(&c, &d), 10);
    assert_int_equal(tw__story_gap(&d, &c), 10);
    /* a's event to b's time */
    tw__story_unit e = {NULL, 0, 2 * DAY, DAY}, f = {NULL, 0, DAY + HOUR, DAY + HOUR};
    assert_int_equal(tw__story_gap(&e, &f), HOUR);
    /* no guesses: the plain difference, either order */
    tw__story_unit g = {NULL, 0, 5000, 5000}, h = {NULL, 0, 1000, 1000};
    assert_int_equal(tw__story_gap(&g, &h), 4000);
    assert_int_equal(tw__story_gap(&h, &g), 4000);
    assert_int_equal(tw__story_gap(&g, &g), 0);
    /* negative times */
    tw__story_unit i = {NULL, 0, -DAY, -2 * DAY}, j = {NULL, 0, DAY, DAY};
    assert_int_equal(tw__story_gap(&i, &j), 2 * DAY);
}

/* ------------------------------------------------------------ vectors */

static double norm2(const tw__story_vecs *v, size_t i)
{
    double s = 0;
    for (size_t k = v->off[i]; k < v->off[i + 1]; k++)
        s += (double)v->terms[k].w * v->terms[k].w;
    return s;
}

static const tw__term *vfind(const tw__story_vecs *v, size_t i, uint32_t h)
{
    for (size_t k = v->off[i]; k < v->off[i + 1]; k++)
        if (v->terms[k].h == h)
            return &v->terms[k];
    return NULL;
}

static void test_vectors(void **state)
{
    (void)state;
    /* term 1 in units 0,1; term 2 in 0,1,2; term 3 only in 0; term 4 in
     * every unit; term 5 in 2,3 */
    static const tw__term t0[] = {{1, 2.0f}, {2, 1.0f}, {3, 5.0f}, {4, 1.0f}};
    static const tw__term t1[] = {{1, 1.0f}, {2, 1.0f}, {4, 3.0f}};
    static const tw__term t2[] = {{2, 1.0f}, {4, 1.0f}, {5, 1.0f}};
    static const tw__term t3[] = {{4, 1.0f}, {5, 1.5f}};
    static const tw__term t4[] = {{4, 1.0f}, {9, 1.0f}};
    tw__story_unit u[] = {{t0, 4, 0, 0}, {t1, 3, 0, 0}, {t2, 3, 0, 0}, {t3, 2, 0, 0}, {t4, 2, 0, 0}};
    tw__story_vecs v;
    assert_int_equal(tw__story_vectors(u, 5, &v), TW_OK);
    assert_int_equal(v.n, 5);
    assert_int_equal(v.off[0], 0);
    for (size_t i = 0; i < 5; i++) {
        assert_true(v.off[i] <= v.off[i + 1]);
        for (size_t k = v.off[i] + 1; k < v.off[i + 1]; k++)
            assert_true(v.terms[k - 1].h < v.terms[k].h);
        /* no term seen in one unit only (3, 9), none in every unit (4) */
        assert_null(vfind(&v, i, 3));
        assert_null(vfind(&v, i, 4));
        assert_null(vfind(&v, i, 9));
    }
    /* unit-normalized; unit 4 keeps nothing */
    for (size_t i = 0; i < 4; i++)
        assert_true(fabs(norm2(&v, i) - 1.0) < 1e-6);
    assert_int_equal(v.off[5] - v.off[4], 0);
    /* TF-IDF: unit 0 = (2 log(5/2), 1 log(5/3)) normalized */
    double a = 2 * log(5.0 / 2), b = log(5.0 / 3), n = sqrt(a * a + b * b);
    assert_int_equal(v.off[1] - v.off[0], 2);
    assert_true(fabs(vfind(&v, 0, 1)->w - a / n) < 1e-6);
    assert_true(fabs(vfind(&v, 0, 2)->w - b / n) < 1e-6);
    /* unit 3: term 5 alone */
    assert_int_equal(v.off[4] - v.off[3], 1);
    assert_true(fabs(vfind(&v, 3, 5)->w - 1.0) < 1e-6);
    /* cosine is the dot product of the normalized vectors */
    double c01 = tw__story_cosine(&v, 0, 1);
    double a1 = log(5.0 / 2), b1 = log(5.0 / 3), n1 = sqrt(a1 * a1 + b1 * b1);
    assert_true(fabs(c01 - (a * a1 + b * b1) / (n * n1)) < 1e-6);
    assert_true(fabs(tw__story_cosine(&v, 1, 0) - c01) < 1e-9);
    assert_true(fabs(tw__story_cosine(&v, 2, 2) - 1.0) < 1e-6);
    assert_true(tw__story_cosine(&v, 0, 3) == 0.0);
    assert_true(tw__story_cosine(&v, 0, 4) == 0.0);
    /* the kept terms (1, 2, 5) numbered densely: one number a term */
    assert_int_equal(v.nids, 3);
    for (size_t k = 0; k < v.off[5]; k++) {
        assert_true(v.id[k] < v.nids);
        for (size_t j = 0; j < k; j++)
            assert_true((v.terms[j].h == v.terms[k].h) == (v.id[j] == v.id[k]));
    }
    tw__story_vecs_free(&v);
    tw__story_vecs_free(&v); /* twice: harmless */
    tw__story_vecs_free(NULL);

    /* nothing at all */
    assert_int_equal(tw__story_vectors(NULL, 0, &v), TW_OK);
    assert_int_equal(v.n, 0);
    uint32_t none[1];
    tw__story_params p = params(0.22);
    assert_int_equal(tw__story_cluster(NULL, 0, &v, &p, 1, NULL, 0, none), TW_OK);
    tw__story_vecs_free(&v);
}

static void test_vectors_drop_common_terms(void **state)
{
    (void)state;
    /* 600 units: maxdf = 600 / 10 = 60. Term 7 in 61 units is dropped,
     * term 8 in 60 units kept; 1000 + i/2 pairs every unit with another. */
    enum { N = 600 };
    tw__term *t = malloc(N * 3 * sizeof *t);
    tw__story_unit *u = malloc(N * sizeof *u);
    assert_non_null(t);
    assert_non_null(u);
    for (size_t i = 0; i < N; i++) {
        tw__term *x = t + 3 * i;
        uint32_t k = 0;
        if (i < 61)
            x[k++] = (tw__term){7, 1.0f};
        if (i < 60)
            x[k++] = (tw__term){8, 1.0f};
        x[k++] = (tw__term){1000 + (uint32_t)i / 2, 1.0f};
        u[i] = (tw__story_unit){x, k, (int64_t)i * HOUR, (int64_t)i * HOUR};
    }
    tw__story_vecs v;
    assert_int_equal(tw__story_vectors(u, N, &v), TW_OK);
    for (size_t i = 0; i < N; i++) {
        assert_null(vfind(&v, i, 7));
        assert_true((vfind(&v, i, 8) != NULL) == (i < 60));
        assert_non_null(vfind(&v, i, 1000 + (uint32_t)i / 2));
        assert_true(fabs(norm2(&v, i) - 1.0) < 1e-6);
    }
    tw__story_vecs_free(&v);
    free(t);
    free(u);
}

/* ------------------------------------------------------------ clustering */

/* Canonical labels: the smallest unit index with the same story. */
static void canon(const uint32_t *story, size_t n, uint32_t *out)
{
    for (size_t i = 0; i < n; i++) {
        size_t j = 0;
        while (story[j] != story[i])
            j++;
        out[i] = (uint32_t)j;
    }
}

static void cluster_units(const tw__story_unit *u, size_t n, double threshold, uint32_t *out)
{
    tw__story_vecs v;
    assert_int_equal(tw__story_vectors(u, n, &v), TW_OK);
    tw__story_params p = params(threshold);
    uint32_t *story = malloc((n ? n : 1) * sizeof *story);
    assert_non_null(story);
    assert_int_equal(tw__story_cluster(u, n, &v, &p, 1, NULL, 0, story), TW_OK);
    canon(story, n, out);
    free(story);
    tw__story_vecs_free(&v);
}

/* Two pairs of identical units (A,B share terms 1-3; C,D terms 4-6) and a
 * fifth unit, so that every shared term has a positive IDF. */
static const tw__term tA[] = {{1, 2.0f}, {2, 1.0f}, {3, 1.0f}};
static const tw__term tC[] = {{4, 1.0f}, {5, 1.0f}, {6, 2.0f}};
static const tw__term tE[] = {{7, 1.0f}, {8, 1.0f}};

/* A,B one story, C,D another, E alone (canonical numbers). */
static void expect_ab_cd_e(const uint32_t *c)
{
    assert_int_equal(c[0], 0);
    assert_int_equal(c[1], 0);
    assert_int_equal(c[2], 2);
    assert_int_equal(c[3], 2);
    assert_int_equal(c[4], 4);
}

static void test_close_units_join_far_ones_do_not(void **state)
{
    (void)state;
    uint32_t c[5];
    tw__story_unit u[] = {
        {tA, 3, 0, 0},         {tA, 3, 3 * HOUR, 3 * HOUR}, {tC, 3, HOUR, HOUR},
        {tC, 3, 20 * HOUR, 20 * HOUR}, {tE, 2, 2 * HOUR, 2 * HOUR},
    };
    cluster_units(u, 5, 0.22, c);
    expect_ab_cd_e(c);

    /* the same pair five days apart with a three-day window: apart */
    u[1].time = u[1].event = 5 * DAY;
    cluster_units(u, 5, 0.22, c);
    assert_int_equal(c[1], 1);
    assert_int_equal(c[3], 2);

    /* two days apart: decayed to e^-2 = 0.135, joined at 0.1, not at 0.22 */
    u[1].time = u[1].event = 2 * DAY;
    cluster_units(u, 5, 0.22, c);
    assert_int_equal(c[1], 1);
    cluster_units(u, 5, 0.1, c);
    assert_int_equal(c[1], 0);

    /* 36 h apart, but the later report's event guess is 30 h earlier: the
     * 6 h gap between the guesses counts */
    u[1].time = 36 * HOUR;
    u[1].event = 6 * HOUR;
    cluster_units(u, 5, 0.5, c);
    assert_int_equal(c[1], 0);
    u[1].event = u[1].time;
    cluster_units(u, 5, 0.5, c);
    assert_int_equal(c[1], 1);

    /* published 4.5 days after A, outside the window, but its event guess
     * is 2 days back: 2.5 days from A, inside (e^-2.5 = 0.08; the walk back
     * in time must start from the guess, not the publication); 13 h later,
     * the guess is more than the window from A */
    u[1].time = 4 * DAY + 12 * HOUR;
    u[1].event = 2 * DAY + 12 * HOUR;
    cluster_units(u, 5, 0.05, c);
    assert_int_equal(c[1], 0);
    u[1].time += 13 * HOUR;
    u[1].event += 13 * HOUR;
    cluster_units(u, 5, 0.05, c);
    assert_int_equal(c[1], 1);
}

/* Times at the very start of int64_t (a library caller's own clock): the
 * walk's window start saturates instead of overflowing (UBSan would say). */
static void test_times_near_int64_min(void **state)
{
    (void)state;
    uint32_t c[5];
    tw__story_unit u[] = {
        {tA, 3, INT64_MIN + 10, INT64_MIN + 10}, {tA, 3, INT64_MIN + 20, INT64_MIN + 20},
        {tC, 3, INT64_MIN + 30, INT64_MIN + 30}, {tC, 3, INT64_MIN + 40, INT64_MIN + 40},
        {tE, 2, INT64_MIN + 50, INT64_MIN + 50},
    };
    cluster_units(u, 5, 0.22, c);
    expect_ab_cd_e(c);
    /* and at both ends at once: the gap between them saturates, no story */
    tw__story_unit far[] = {{tA, 3, INT64_MIN + 10, INT64_MIN + 10}, {tA, 3, INT64_MAX - 10, INT64_MAX - 10},
                            {tC, 3, 0, 0}, {tC, 3, 10, 10}, {tE, 2, 20, 20}};
    cluster_units(far, 5, 0.22, c);
    assert_int_equal(c[0], 0);
    assert_int_equal(c[1], 1);
    assert_int_equal(c[2], 2);
    assert_int_equal(c[3], 2);
    assert_true(tw__story_gap(&far[0], &far[1]) == INT64_MAX);
}

/* A thread: A~B and B~C strong, A~C nothing. Vectors by hand:
 * A = x, B = 0.6 x + 0.8 z, C = z; cos(A,B) = 0.6, cos(B,C) = 0.8. */
static void thread_cluster(double threshold, int64_t t_c, uint32_t *out)
{
    static const tw__term vt[] = {
        {1, 1.0f},             /* A */
        {1, 0.6f}, {2, 0.8f},  /* B */
        {2, 1.0f},             /* C */
    };
    static const uint32_t id[] = {0, 0, 1, 1}; /* dense numbers of terms 1 and 2 */
    size_t off[] = {0, 1, 3, 4};
    tw__story_vecs v = {3, off, (tw__term *)vt, (uint32_t *)id, {0}, 2, 0};
    tw__story_unit u[] = {{NULL, 0, 0, 0}, {NULL, 0, 0, 0}, {NULL, 0, t_c, t_c}};
    tw__story_params p = params(threshold);
    uint32_t story[3];
    assert_int_equal(tw__story_cluster(u, 3, &v, &p, 1, NULL, 0, story), TW_OK);
    canon(story, 3, out);
}

/* Many distinct terms (the term map grows many times while counting):
 * every term shared by two units is kept, with one dense number each. */
static void test_vectors_many_terms(void **state)
{
    (void)state;
    enum { UNITS = 40, PER = 500 };
    tw__term *t = malloc(UNITS * PER * sizeof *t);
    tw__story_unit u[UNITS];
    assert_non_null(t);
    for (size_t i = 0; i < UNITS; i++) {
        /* unit i holds terms of pairs i/2: units 2j and 2j+1 share all */
        for (size_t k = 0; k < PER; k++)
            t[i * PER + k] = (tw__term){(uint32_t)((i / 2) * PER + k + 1) * 2654435761u | 1u, 1.0f};
        /* sorted by h, as story terms are */
        for (size_t k = 1; k < PER; k++)
            for (size_t j = k; j > 0 && t[i * PER + j - 1].h > t[i * PER + j].h; j--) {
                tw__term x = t[i * PER + j];
                t[i * PER + j] = t[i * PER + j - 1];
                t[i * PER + j - 1] = x;
            }
        u[i] = (tw__story_unit){t + i * PER, PER, 0, 0};
    }
    tw__story_vecs v;
    assert_int_equal(tw__story_vectors(u, UNITS, &v), TW_OK);
    assert_int_equal(v.off[UNITS], UNITS * PER);
    assert_int_equal(v.nids, UNITS / 2 * PER);
    for (size_t i = 0; i < UNITS; i += 2) {
        assert_memory_equal(v.id + v.off[i], v.id + v.off[i + 1], PER * sizeof *v.id);
        assert_true(fabs(tw__story_cosine(&v, i, i + 1) - 1.0) < 1e-6);
    }
    char *seen = calloc(v.nids, 1);
    assert_non_null(seen);
    for (size_t i = 0; i < UNITS; i += 2)
        for (size_t k = v.off[i]; k < v.off[i + 1]; k++) {
            assert_true(v.id[k] < v.nids);
            assert_int_equal(seen[v.id[k]], 0);
            seen[v.id[k]] = 1;
        }
    free(seen);
    tw__story_vecs_free(&v);
    free(t);
}

static void test_no_chaining(void **state)
{
    (void)state;
    uint32_t c[3];
    /* B and C merge first (0.8); A's average link to {B, C} is
     * (0.6 + 0) / 2 = 0.3: below 0.4, A stays out, although it is 0.6
     * from B (single linkage would make one story of all three) */
    thread_cluster(0.4, 0, c);
    assert_int_equal(c[0], 0);
    assert_int_equal(c[1], 1);
    assert_int_equal(c[2], 1);
    /* at 0.3 the average link suffices */
    thread_cluster(0.25, 0, c);
    assert_int_equal(c[0], 0);
    assert_int_equal(c[1], 0);
    assert_int_equal(c[2], 0);
    /* with C a day later (0.8 e^-1 = 0.29 < 0.6) A and B merge first; C's
     * link to {A, B} is 0.29 / 2 = 0.15 */
    thread_cluster(0.25, DAY, c);
    assert_int_equal(c[0], 0);
    assert_int_equal(c[1], 0);
    assert_int_equal(c[2], 2);
    /* nothing reaches 0.9 */
    thread_cluster(0.9, 0, c);
    assert_int_equal(c[0], 0);
    assert_int_equal(c[1], 1);
    assert_int_equal(c[2], 2);
}

/* A seeded random collection: groups of 1–5 reports of an event, each with
 * most of the event's core terms, a few terms of a neighbouring event and
 * shared noise; events spread over three weeks. */
typedef struct instance {
    size_t n;
    tw__story_unit *u;
    tw__term *terms;
} instance;

static int cmp_term(const void *a_, const void *b_)
{
    const tw__term *a = a_, *b = b_;
    return (a->h > b->h) - (a->h < b->h);
}

static instance make_instance(uint64_t seed, size_t groups)
{
    instance in = {0};
    in.u = malloc(groups * 5 * sizeof *in.u);
    in.terms = malloc(groups * 5 * 32 * sizeof *in.terms);
    assert_non_null(in.u);
    assert_non_null(in.terms);
    uint64_t rng = seed;
    size_t tw = 0;
    for (size_t g = 0; g < groups; g++) {
        int64_t tg = (int64_t)(g * 21 * DAY / groups) + (int64_t)rnd_below(&rng, 6 * HOUR);
        size_t members = 1 + (size_t)rnd_below(&rng, 5);
        for (size_t m = 0; m < members; m++) {
            tw__term *x = in.terms + tw;
            size_t k = 0;
            for (uint32_t j = 0; j < 8; j++)
                if (rnd_below(&rng, 10) < 7)
                    x[k++] = (tw__term){(uint32_t)(1000 * (g + 1) + j), 1.0f + rnd_below(&rng, 3)};
            if (g > 0)
                for (uint32_t j = 0; j < 3; j++)
                    if (rnd_below(&rng, 10) < 4)
                        x[k++] = (tw__term){(uint32_t)(1000 * g + j), 1.0f};
            for (int j = 0; j < 4; j++)
                x[k++] = (tw__term){(uint32_t)(900000 + rnd_below(&rng, 60)), 1.0f};
            qsort(x, k, sizeof *x, cmp_term);
            size_t w = 0;
            for (size_t i = 0; i < k; i++) {
                if (w > 0 && x[w - 1].h == x[i].h)
                    x[w - 1].w += x[i].w;
                else
                    x[w++] = x[i];
            }
            int64_t t = tg + (int64_t)rnd_below(&rng, 18 * HOUR);
            int64_t ev = rnd_below(&rng, 4) == 0 ? t - DAY : t;
            in.u[in.n++] = (tw__story_unit){x, (uint32_t)w, t, ev};
            tw += w;
        }
    }
    return in;
}

static void free_instance(instance *in)
{
    free(in->u);
    free(in->terms);
}

static size_t count_clusters(const uint32_t *c, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += c[i] == i;
    return k;
}

static void test_order_independent(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 4; seed++) {
        instance in = make_instance(seed, 24);
        size_t n = in.n;
        uint32_t *ref = malloc(n * sizeof *ref), *got = malloc(n * sizeof *got);
        uint32_t *lab = malloc(n * sizeof *lab), *story = malloc(n * sizeof *story);
        size_t *perm = malloc(n * sizeof *perm);
        tw__story_unit *u2 = malloc(n * sizeof *u2);
        assert_true(ref && got && lab && story && perm && u2);
        cluster_units(in.u, n, 0.22, ref);
        /* the instance is not trivial: some stories, not one */
        size_t k = count_clusters(ref, n);
        assert_true(k > 5 && k < n);
        uint64_t rng = seed * 7919;
        for (int round = 0; round < 6; round++) {
            for (size_t i = 0; i < n; i++)
                perm[i] = i;
            tw_test_shuffle(&rng, perm, n, sizeof *perm);
            for (size_t i = 0; i < n; i++)
                u2[i] = in.u[perm[i]];
            tw__story_vecs v;
            assert_int_equal(tw__story_vectors(u2, n, &v), TW_OK);
            tw__story_params p = params(0.22);
            assert_int_equal(tw__story_cluster(u2, n, &v, &p, 1, NULL, 0, story), TW_OK);
            tw__story_vecs_free(&v);
            /* back to the original numbering, as a partition */
            for (size_t i = 0; i < n; i++)
                lab[perm[i]] = story[i];
            canon(lab, n, got);
            for (size_t i = 0; i < n; i++)
                if (got[i] != ref[i])
                    fail_msg("seed %llu round %d: unit %zu in the story of %u, want %u",
                             (unsigned long long)seed, round, i, got[i], ref[i]);
        }
        free(ref);
        free(got);
        free(lab);
        free(story);
        free(perm);
        free(u2);
        free_instance(&in);
    }
}

/* Brute-force average linkage (UPGMA) with the same similarity: merge the
 * best pair of clusters while its average link reaches the threshold. The
 * pair similarity is cosine x time factor, counted as 0 below the edge
 * floor tw_story.c keeps (TW_STORY_EDGE_MIN = 0.05). */
static void upgma(const tw__story_unit *u, size_t n, const tw__story_vecs *v,
                  const tw__story_params *p, uint32_t *out)
{
    double *sim = calloc(n * n, sizeof *sim);
    size_t *cl = malloc(n * sizeof *cl), *sz = malloc(n * sizeof *sz);
    assert_true(sim && cl && sz);
    for (size_t i = 0; i < n; i++) {
        cl[i] = i;
        sz[i] = 1;
        for (size_t j = 0; j < n; j++) {
            if (i == j)
                continue;
            double s = tw__story_cosine(v, i, j) * tw__story_time_factor(p, tw__story_gap(&u[i], &u[j]));
            sim[i * n + j] = s < 0.05 ? 0 : s;
        }
    }
    /* sim between clusters kept as sums over member pairs, indexed by root */
    for (;;) {
        double best = -1;
        size_t ba = 0, bb = 0;
        for (size_t a = 0; a < n; a++)
            if (cl[a] == a)
                for (size_t b = a + 1; b < n; b++)
                    if (cl[b] == b) {
                        double l = sim[a * n + b] / ((double)sz[a] * sz[b]);
                        if (l > best) {
                            best = l;
                            ba = a;
                            bb = b;
                        }
                    }
        if (best < p->threshold)
            break;
        for (size_t c = 0; c < n; c++)
            if (cl[c] == c && c != ba && c != bb) {
                sim[ba * n + c] += sim[bb * n + c];
                sim[c * n + ba] = sim[ba * n + c];
            }
        for (size_t i = 0; i < n; i++)
            if (cl[i] == bb)
                cl[i] = ba;
        sz[ba] += sz[bb];
    }
    for (size_t i = 0; i < n; i++)
        out[i] = (uint32_t)cl[i];
    free(sim);
    free(cl);
    free(sz);
}

static void test_matches_upgma(void **state)
{
    (void)state;
    for (uint64_t seed = 11; seed <= 16; seed++) {
        instance in = make_instance(seed, 20);
        size_t n = in.n;
        tw__story_vecs v;
        assert_int_equal(tw__story_vectors(in.u, n, &v), TW_OK);
        tw__story_params p = params(0.22);
        uint32_t *story = malloc(n * sizeof *story), *ref = malloc(n * sizeof *ref);
        uint32_t *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
        assert_true(story && ref && a && b);
        assert_int_equal(tw__story_cluster(in.u, n, &v, &p, 1, NULL, 0, story), TW_OK);
        upgma(in.u, n, &v, &p, ref);
        canon(story, n, a);
        canon(ref, n, b);
        size_t k = count_clusters(a, n);
        assert_true(k > 3 && k < n);
        for (size_t i = 0; i < n; i++)
            if (a[i] != b[i])
                fail_msg("seed %llu: unit %zu with %u, UPGMA puts it with %u",
                         (unsigned long long)seed, i, a[i], b[i]);
        free(story);
        free(ref);
        free(a);
        free(b);
        tw__story_vecs_free(&v);
        free_instance(&in);
    }
}

/* Vectors written over the units' own terms equal the ones written apart:
 * units that take every other stretch of one array (the skipped ones are
 * the documents that are not their near-copy cluster's root), the room
 * overwritten as it is read. */
static void test_vectors_in_place(void **state)
{
    (void)state;
    instance in = make_instance(99, 600);
    size_t n = in.n, m = 0, nt = 0;
    for (size_t i = 0; i < n; i++)
        nt = (size_t)(in.u[i].terms - in.terms) + in.u[i].nterms;
    tw__term *room = malloc(nt * sizeof *room);
    tw__story_unit *sub = malloc(n * sizeof *sub), *sub_room = malloc(n * sizeof *sub_room);
    assert_true(room && sub && sub_room);
    memcpy(room, in.terms, nt * sizeof *room);
    for (size_t i = 0; i < n; i += 2) {
        sub[m] = in.u[i];
        sub_room[m] = in.u[i];
        sub_room[m].terms = room + (in.u[i].terms - in.terms);
        m++;
    }
    tw__story_vecs want, got;
    assert_int_equal(tw__story_vectors(sub, m, &want), TW_OK);
    assert_int_equal(tw__story_vectors_in(sub_room, m, room, &got), TW_OK);
    assert_true(got.terms_lent);
    assert_ptr_equal(got.terms, room);
    assert_true(want.off[m] > 1000);
    assert_int_equal(got.n, want.n);
    assert_int_equal(got.nids, want.nids);
    assert_memory_equal(got.off, want.off, (m + 1) * sizeof *got.off);
    assert_memory_equal(got.terms, want.terms, want.off[m] * sizeof *got.terms);
    assert_memory_equal(got.id, want.id, want.off[m] * sizeof *got.id);
    tw__story_vecs_free(&got); /* the room stays the caller's */
    tw__story_vecs_free(&want);
    free(room);
    free(sub);
    free(sub_room);
    free_instance(&in);
}

/* Stories found with 2-4 threads (the layout's ranges of positions, the
 * walk's claimed blocks), or with the walk's arrays in a lent arena, equal
 * the one-thread ones. 1,500 groups make over 4,000 units: two layout
 * ranges at least. */
static void test_threads_same_stories(void **state)
{
    (void)state;
    instance in = make_instance(77, 1500);
    size_t n = in.n;
    assert_true(n > 4 * 1024);
    tw__story_vecs v;
    assert_int_equal(tw__story_vectors(in.u, n, &v), TW_OK);
    tw__story_params p = params(0.22);
    uint32_t *want = malloc(n * sizeof *want), *got = malloc(n * sizeof *got);
    assert_non_null(want);
    assert_non_null(got);
    assert_int_equal(tw__story_cluster(in.u, n, &v, &p, 1, NULL, 0, want), TW_OK);
    assert_true(count_clusters(want, n) < n / 2);
    for (unsigned threads = 2; threads <= 4; threads++) {
        assert_int_equal(tw__story_cluster(in.u, n, &v, &p, threads, NULL, 0, got), TW_OK);
        assert_memory_equal(got, want, n * sizeof *got);
    }
    /* an arena, filled with garbage, that holds none, some or all of the
     * walk's arrays (postings 8 bytes a term, its two indexes 4 each) */
    size_t nt = v.off[n];
    const size_t sizes[] = {16, 8 * nt + 8, 12 * nt + 16, 16 * nt + 24};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        tw__buf arena = {malloc(sizes[k]), 0, sizes[k], 0};
        assert_non_null(arena.data);
        memset(arena.data, 0xA5, sizes[k]);
        assert_int_equal(tw__story_cluster(in.u, n, &v, &p, 2, &arena, 1, got), TW_OK);
        assert_memory_equal(got, want, n * sizeof *got);
        free(arena.data);
    }
    /* two arenas: each array goes to the first with room left for it (the
     * postings in one and their indexes in the other; all in the second;
     * the indexes split between them) */
    const size_t pairs[][2] = {
        {8 * nt + 8, 8 * nt + 16}, {16, 16 * nt + 24}, {12 * nt + 16, 4 * nt + 8}};
    for (size_t k = 0; k < sizeof pairs / sizeof pairs[0]; k++) {
        tw__buf two[2];
        for (int a = 0; a < 2; a++) {
            two[a] = (tw__buf){malloc(pairs[k][a]), 0, pairs[k][a], 0};
            assert_non_null(two[a].data);
            memset(two[a].data, 0x5A, pairs[k][a]);
        }
        assert_int_equal(tw__story_cluster(in.u, n, &v, &p, 2, two, 2, got), TW_OK);
        assert_memory_equal(got, want, n * sizeof *got);
        free(two[0].data);
        free(two[1].data);
    }
    free(want);
    free(got);
    tw__story_vecs_free(&v);
    free_instance(&in);
}

/* The walk's inner loop as it is defined: from the last posting back while
 * the position is at least lo, one multiply and one add each. */
static void acc_one_by_one(const tw__posting *pb, size_t start, size_t end, uint32_t lo, float xw,
                           float *acc)
{
    for (size_t q = end; q-- > start;) {
        if (pb[q].pos < lo)
            break;
        volatile float prod = xw * pb[q].w; /* never fused */
        acc[pb[q].pos] += prod;
    }
}

/* The walk's inner loop on every instruction set (the scalar one's four
 * postings a step included) against its definition, float for float:
 * lists of 0-70 postings with distinct ascending positions, the window's
 * start before, inside (at every offset) and after them, weights whose
 * products round differently when fused. */
static void test_walk_kernels_equal_scalar(void **state)
{
    (void)state;
    uint64_t rng = 404;
    tw__posting pb[80];
    float want[4096], got[4096];
    for (int isa = TW__ISA_SCALAR; isa <= (int)tw__isa_supported(); isa++) {
        tw__story_acc_fn k = tw__story_acc_for((tw__isa)isa);
        for (size_t n = 0; n <= 70; n++) {
            uint32_t pos = (uint32_t)rnd_below(&rng, 8);
            for (size_t i = 0; i < n; i++) {
                pb[i].pos = pos;
                pb[i].w = (float)((double)splitmix64(&rng) / 18446744073709551616.0) * 3.0f + 1e-3f;
                pos += 1 + (uint32_t)rnd_below(&rng, 50);
            }
            for (size_t cut = 0; cut <= n + 1; cut++) {
                uint32_t lo = cut == 0 ? 0 : cut > n ? pos + 1 : pb[cut - 1].pos + (cut % 2);
                float xw = (float)((double)splitmix64(&rng) / 18446744073709551616.0) + 0.1f;
                for (size_t i = 0; i < 4096; i++)
                    want[i] = got[i] = (float)i * 0.37f;
                size_t start = cut % 3 == 0 && n ? 1 : 0;
                acc_one_by_one(pb, start, n, lo, xw, want);
                k(pb, start, n, lo, xw, got);
                assert_memory_equal(got, want, sizeof want);
            }
        }
    }
    assert_ptr_equal(tw__story_acc_for(TW__ISA_SCALAR), tw__story_acc_scalar);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_time_factor),
        cmocka_unit_test(test_walk_kernels_equal_scalar),
        cmocka_unit_test(test_gap_min_over_guesses),
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_vectors_many_terms),
        cmocka_unit_test(test_vectors_drop_common_terms),
        cmocka_unit_test(test_close_units_join_far_ones_do_not),
        cmocka_unit_test(test_times_near_int64_min),
        cmocka_unit_test(test_no_chaining),
        cmocka_unit_test(test_order_independent),
        cmocka_unit_test(test_matches_upgma),
        cmocka_unit_test(test_vectors_in_place),
        cmocka_unit_test(test_threads_same_stories),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
