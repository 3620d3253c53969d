/*
 * test_verify.c — the pair rule that turns an LSH candidate into a
 * near-copy (tw__pair_is_dup, tw__docset_uses_rare).
 *
 * This exact check is what the batch's precision rests on. It must tell
 * apart two situations plain Jaccard confuses: two different articles in
 * one site template (they share only boilerplate-like shingles) and one
 * text reprinted so widely that its own shingles became common. Docsets are
 * built by hand: fp holds the rare run then the common run, in any order
 * (the random ones are shuffled), and a value is rare or common in every
 * document alike, as in a batch.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "../tw_test_util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/tw_cluster.h"


/* A docset with its own storage. */
typedef struct hdoc {
    uint32_t fp[1024];
    tw__docset d;
} hdoc;

static void append_range(uint32_t *fp, uint32_t *n, uint32_t from, uint32_t count)
{
    for (uint32_t i = 0; i < count; i++)
        fp[(*n)++] = from + i;
}

/* rare: [r1, r1+c1) ∪ [r2, r2+c2); common: [m1, m1+d1) ∪ [m2, m2+d2);
 * ranges given in increasing order so each run is sorted. */
static void build(hdoc *h, uint32_t r1, uint32_t c1, uint32_t r2, uint32_t c2, uint32_t m1,
                  uint32_t d1, uint32_t m2, uint32_t d2)
{
    uint32_t n = 0;
    append_range(h->fp, &n, r1, c1);
    append_range(h->fp, &n, r2, c2);
    uint32_t n_low = n;
    append_range(h->fp, &n, m1, d1);
    append_range(h->fp, &n, m2, d2);
    h->d = (tw__docset){h->fp, n, n_low};
}

/* The key table every check uses (tw__pair_is_dup's working memory). */
static tw__buf table;

/* Plain Jaccard over whole sets, ignoring the rare/common split. */
static double plain_jaccard(const tw__docset *a, const tw__docset *b)
{
    return tw_test_naive_jaccard(a->fp, a->n, b->fp, b->n);
}

static const tw__pair_rule RULE = {0.5, 0.3};

static void test_template_trap_not_dup(void **state)
{
    (void)state;
    static hdoc a, b;
    /* Two different articles (3 rare shingles in common by chance) in one
     * template of 45 shared boilerplate-like shingles. Rare share 20/65. */
    build(&a, 100, 17, 500, 3, 1000, 45, 0, 0);
    build(&b, 200, 17, 500, 3, 1000, 45, 0, 0);
    assert_true(tw__docset_uses_rare(&a.d, &RULE));
    assert_true(tw__docset_uses_rare(&b.d, &RULE));
    double plain = plain_jaccard(&a.d, &b.d);
    assert_true(fabs(plain - 48.0 / 82.0) < 1e-12);
    assert_true(plain >= RULE.threshold); /* plain Jaccard would call them copies */
    double score = -1;
    assert_false(tw__pair_is_dup(&a.d, &b.d, &RULE, &table, &score));
    assert_true(fabs(score - 3.0 / 37.0) < 1e-12); /* decided on rare shingles */
    assert_false(tw__pair_is_dup(&b.d, &a.d, &RULE, &table, &score));
    assert_true(fabs(score - 3.0 / 37.0) < 1e-12);
}

static void test_widely_reprinted_text_is_dup(void **state)
{
    (void)state;
    static hdoc a, b;
    /* The story's own shingles are common (40 and 38 of them); each copy
     * has 2 rare shingles of its own. */
    build(&a, 100, 2, 0, 0, 1000, 40, 0, 0);
    build(&b, 200, 2, 0, 0, 1000, 38, 0, 0);
    assert_false(tw__docset_uses_rare(&a.d, &RULE));
    assert_false(tw__docset_uses_rare(&b.d, &RULE));
    double score = -1;
    assert_true(tw__pair_is_dup(&a.d, &b.d, &RULE, &table, &score));
    assert_true(fabs(score - 38.0 / 44.0) < 1e-12); /* full Jaccard */
    assert_true(fabs(score - plain_jaccard(&a.d, &b.d)) < 1e-12);
    /* a different widely reprinted text is not a copy of it */
    static hdoc c;
    build(&c, 300, 2, 0, 0, 2000, 40, 0, 0);
    assert_false(tw__pair_is_dup(&a.d, &c.d, &RULE, &table, &score));
    assert_true(score == 0.0);
}

static void test_template_wrapped_copy_is_dup(void **state)
{
    (void)state;
    static hdoc base, copy, edited;
    /* The base as first published: 40 shingles, none boilerplate-like. */
    build(&base, 100, 40, 0, 0, 0, 0, 0, 0);
    /* The same text inside a site template of 50 common shingles. */
    build(&copy, 100, 40, 0, 0, 5000, 50, 0, 0);
    assert_true(tw__docset_uses_rare(&base.d, &RULE));
    assert_true(tw__docset_uses_rare(&copy.d, &RULE));
    double plain = plain_jaccard(&base.d, &copy.d);
    assert_true(fabs(plain - 40.0 / 90.0) < 1e-12);
    assert_true(plain < RULE.threshold); /* plain Jaccard would miss it */
    double score = -1;
    assert_true(tw__pair_is_dup(&base.d, &copy.d, &RULE, &table, &score));
    assert_true(score == 1.0);
    assert_true(tw__pair_is_dup(&copy.d, &base.d, &RULE, &table, &score));
    assert_true(score == 1.0);
    /* the wrapped copy with 4 of its shingles edited: 36 of 44 */
    build(&edited, 100, 36, 300, 4, 5000, 50, 0, 0);
    assert_true(tw__pair_is_dup(&base.d, &edited.d, &RULE, &table, &score));
    assert_true(fabs(score - 36.0 / 44.0) < 1e-12);
}

static void test_mixed_pair_uses_full_sets(void **state)
{
    (void)state;
    static hdoc a, b;
    /* a uses its rare run (30/40), b does not (2/42): the rule falls back
     * to all shingles. */
    build(&a, 100, 30, 0, 0, 1000, 10, 0, 0);
    build(&b, 100, 2, 0, 0, 1000, 40, 0, 0);
    assert_true(tw__docset_uses_rare(&a.d, &RULE));
    assert_false(tw__docset_uses_rare(&b.d, &RULE));
    double score = -1;
    int dup = tw__pair_is_dup(&a.d, &b.d, &RULE, &table, &score);
    /* inter 2 + 10 = 12, union 40 + 42 - 12 = 70 */
    assert_true(fabs(score - 12.0 / 70.0) < 1e-12);
    assert_false(dup);
}

static void test_threshold_boundary_counts(void **state)
{
    (void)state;
    static hdoc a, b, c, d;
    double score = -1;
    /* all rare: {1,2,3} vs {2,3,4} → exactly 0.5 */
    build(&a, 1, 3, 0, 0, 0, 0, 0, 0);
    build(&b, 2, 3, 0, 0, 0, 0, 0, 0);
    tw__pair_rule r = {0.5, 0.3};
    assert_true(tw__pair_is_dup(&a.d, &b.d, &r, &table, &score));
    assert_true(score == 0.5);
    r.threshold = nextafter(0.5, 1.0);
    assert_false(tw__pair_is_dup(&a.d, &b.d, &r, &table, &score));
    assert_true(score == 0.5);
    /* {1,2,3,4} vs {1,2,3,5} → exactly 3/5 = 0.6 */
    build(&a, 1, 4, 0, 0, 0, 0, 0, 0);
    build(&b, 1, 3, 5, 1, 0, 0, 0, 0);
    r.threshold = 0.6;
    assert_true(tw__pair_is_dup(&a.d, &b.d, &r, &table, &score));
    assert_true(score == 0.6);
    /* the full-set path: rare {1} + common {10..13} vs rare {2} + common
     * {10,11,12,14}: 3 shared of 7 */
    build(&c, 1, 1, 0, 0, 10, 4, 0, 0);
    build(&d, 2, 1, 0, 0, 10, 3, 14, 1);
    r = (tw__pair_rule){3.0 / 7.0, 0.3};
    assert_false(tw__docset_uses_rare(&c.d, &r));
    assert_true(tw__pair_is_dup(&c.d, &d.d, &r, &table, &score));
    assert_true(score == 3.0 / 7.0);
    r.threshold = nextafter(3.0 / 7.0, 1.0);
    assert_false(tw__pair_is_dup(&c.d, &d.d, &r, &table, &score));
    /* threshold 1: only identical sets */
    r = (tw__pair_rule){1.0, 0.3};
    assert_true(tw__pair_is_dup(&c.d, &c.d, &r, &table, &score));
    assert_true(score == 1.0);
    assert_false(tw__pair_is_dup(&c.d, &d.d, &r, &table, NULL)); /* score may be NULL */
}

static void test_uses_rare_share(void **state)
{
    (void)state;
    static hdoc h;
    tw__pair_rule r = {0.5, 0.3};
    build(&h, 1, 3, 0, 0, 100, 7, 0, 0); /* 3 of 10: exactly the share */
    assert_true(tw__docset_uses_rare(&h.d, &r));
    build(&h, 1, 2, 0, 0, 100, 8, 0, 0); /* 2 of 10 */
    assert_false(tw__docset_uses_rare(&h.d, &r));
    build(&h, 1, 0, 0, 0, 100, 8, 0, 0); /* nothing rare */
    assert_false(tw__docset_uses_rare(&h.d, &r));
    build(&h, 0, 0, 0, 0, 0, 0, 0, 0); /* empty */
    assert_false(tw__docset_uses_rare(&h.d, &r));
    r.template_share = 0.0;
    assert_false(tw__docset_uses_rare(&h.d, &r)); /* still: no shingles at all */
    build(&h, 1, 0, 0, 0, 100, 8, 0, 0);
    assert_true(tw__docset_uses_rare(&h.d, &r)); /* share 0: every nonempty doc */
    r.template_share = 1.0;
    build(&h, 1, 9, 0, 0, 100, 1, 0, 0);
    assert_false(tw__docset_uses_rare(&h.d, &r));
    build(&h, 1, 10, 0, 0, 0, 0, 0, 0);
    assert_true(tw__docset_uses_rare(&h.d, &r));
}

/* Random docsets over a universe where values < 200 are rare and values
 * >= 200 are common in every document. The score must be the Jaccard of
 * the rare runs when both documents use them, and plain Jaccard otherwise;
 * the decision without a score asked is the same. */
static void test_score_is_jaccard_used(void **state)
{
    (void)state;
    uint64_t rng = 0x5EED4001;
    static hdoc a, b;
    for (int iter = 0; iter < 2000; iter++) {
        hdoc *hs[2] = {&a, &b};
        uint32_t p_rare = (uint32_t)(splitmix64(&rng) % 100);
        for (int k = 0; k < 2; k++) {
            uint32_t n = 0;
            for (uint32_t v = 1; v < 200; v++)
                if (splitmix64(&rng) % 100 < p_rare / 3)
                    hs[k]->fp[n++] = v;
            uint32_t n_low = n;
            for (uint32_t v = 200; v < 400; v++)
                if (splitmix64(&rng) % 100 < 20)
                    hs[k]->fp[n++] = v;
            hs[k]->d = (tw__docset){hs[k]->fp, n, n_low};
            tw_test_shuffle(&rng, hs[k]->fp, n_low, sizeof(uint32_t));
            tw_test_shuffle(&rng, hs[k]->fp + n_low, n - n_low, sizeof(uint32_t));
        }
        tw__pair_rule r = {0.05 + (double)(splitmix64(&rng) % 90) / 100.0,
                           (double)(1 + splitmix64(&rng) % 60) / 100.0};
        double expect;
        if (tw__docset_uses_rare(&a.d, &r) && tw__docset_uses_rare(&b.d, &r)) {
            /* share > 0, so a document using its rare run has one */
            assert_true(a.d.n_low > 0 && b.d.n_low > 0);
            expect = tw_test_naive_jaccard(a.fp, a.d.n_low, b.fp, b.d.n_low);
        } else {
            assert_true(a.d.n > 0 && b.d.n > 0);
            expect = plain_jaccard(&a.d, &b.d);
        }
        double s1 = -1, s2 = -1;
        int d1 = tw__pair_is_dup(&a.d, &b.d, &r, &table, &s1);
        int d2 = tw__pair_is_dup(&b.d, &a.d, &r, &table, &s2);
        assert_true(fabs(s1 - expect) < 1e-12);
        assert_true(s1 == s2); /* symmetric */
        assert_int_equal(d1, d2);
        assert_int_equal(d1, s1 >= r.threshold);
        /* without a score the count may stop early once the threshold is
         * out of reach: the same decisions, also at the threshold itself
         * and just above it */
        assert_int_equal(tw__pair_is_dup(&a.d, &b.d, &r, &table, NULL), d1);
        assert_int_equal(tw__pair_is_dup(&b.d, &a.d, &r, &table, NULL), d1);
        tw__pair_rule at = {s1, r.template_share}, above = {nextafter(s1, 2.0), r.template_share};
        assert_int_equal(tw__pair_is_dup(&a.d, &b.d, &at, &table, NULL), 1);
        assert_int_equal(tw__pair_is_dup(&b.d, &a.d, &above, &table, NULL), 0);
    }
}

/* The count stops early once the threshold is out of reach; the bound
 * must be exact. Each document has m values of its own, all before the k
 * they share, so when the own values are probed nothing is counted yet and
 * exactly k can still come: at a threshold of exactly the pair's Jaccard
 * the pair is a near-copy, just above it it is not. Both with rare runs
 * alone and with common runs (disjoint, or all shared) on the full sets. */
static void test_early_stop_is_exact(void **state)
{
    (void)state;
    static hdoc a, b;
    for (uint32_t m = 32; m <= 160; m += 32)
        for (uint32_t k = 0; k <= 96; k += 8)
            for (int common = 0; common < 3; common++) {
                uint32_t na = 0, nb = 0;
                append_range(a.fp, &na, 1, m);
                append_range(b.fp, &nb, 1 + m, m);
                append_range(a.fp, &na, 1 + 2 * m, k);
                append_range(b.fp, &nb, 1 + 2 * m, k);
                uint32_t la = na, lb = nb;
                if (common == 1) { /* disjoint common runs */
                    append_range(a.fp, &na, 100000, 40);
                    append_range(b.fp, &nb, 100040, 72);
                } else if (common == 2) { /* one shared common run */
                    append_range(a.fp, &na, 100000, 48);
                    append_range(b.fp, &nb, 100000, 48);
                }
                a.d = (tw__docset){a.fp, na, la};
                b.d = (tw__docset){b.fp, nb, lb};
                /* share 0.99: documents with a common run judge full sets */
                tw__pair_rule r = {0.5, common ? 0.99 : 0.2};
                double sc = -1;
                tw__pair_is_dup(&a.d, &b.d, &r, &table, &sc);
                if (sc <= 0)
                    continue; /* nothing shared: no threshold to sit on */
                tw__pair_rule at = {sc, r.template_share}, above = {nextafter(sc, 2.0), r.template_share};
                assert_int_equal(tw__pair_is_dup(&a.d, &b.d, &at, &table, NULL), 1);
                assert_int_equal(tw__pair_is_dup(&b.d, &a.d, &at, &table, NULL), 1);
                assert_int_equal(tw__pair_is_dup(&a.d, &b.d, &above, &table, NULL), 0);
                assert_int_equal(tw__pair_is_dup(&b.d, &a.d, &above, &table, NULL), 0);
            }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_template_trap_not_dup),
        cmocka_unit_test(test_widely_reprinted_text_is_dup),
        cmocka_unit_test(test_template_wrapped_copy_is_dup),
        cmocka_unit_test(test_mixed_pair_uses_full_sets),
        cmocka_unit_test(test_threshold_boundary_counts),
        cmocka_unit_test(test_uses_rare_share),
        cmocka_unit_test(test_score_is_jaccard_used),
        cmocka_unit_test(test_early_stop_is_exact),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    tw__buf_free(&table);
    return failed;
}
