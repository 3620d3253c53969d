/*
 * test_parallel.c — documents read in parallel and clustered with threads
 * give exactly what one thread gives: tw_features computed by three
 * threads (each with its own scratch, documents dealt round-robin) and
 * added in order, clustered with 1 to 4 threads, against tw_batch_add_doc
 * in one thread. The feed is generated: random texts over a synthetic
 * vocabulary, each base republished with edits (near-copies) and dated so
 * that stories form; large enough that every parallel pass splits its
 * work. Also the tw_features contract: errors, reuse, engine checks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tw_test_util.h"
#include "tawam.h"

#define NDOCS 3000
#define NVOCAB 4000

typedef struct feed {
    char *text[NDOCS], *title[NDOCS];
    tw_doc doc[NDOCS];
} feed;

static char vocab[NVOCAB][24];

static void make_vocab(uint64_t *rng)
{
    for (int v = 0; v < NVOCAB; v++) {
        size_t n = 0, letters = 3 + (size_t)rnd_below(rng, 5);
        for (size_t k = 0; k < letters; k++) {
            uint32_t cp = 0x0628 + (uint32_t)rnd_below(rng, 0x1B); /* ب .. غ and more */
            vocab[v][n++] = (char)(0xC0 | (cp >> 6));
            vocab[v][n++] = (char)(0x80 | (cp & 0x3F));
        }
        vocab[v][n] = 0;
    }
}

static char *random_text(uint64_t *rng, size_t words)
{
    char *t = malloc(words * 25 + 1), *p = t;
    for (size_t w = 0; w < words; w++) {
        /* a skewed pick: some words are common, most are rare */
        size_t v = (size_t)(rnd_below(rng, 3) == 0 ? rnd_below(rng, 60) : rnd_below(rng, NVOCAB));
        p += sprintf(p, "%s%s", w ? (w % 17 == 0 ? "\n" : " ") : "", vocab[v]);
    }
    return t;
}

/* A copy with about one word in ten replaced. */
static char *edited(uint64_t *rng, const char *src)
{
    char *t = malloc(strlen(src) * 2 + 64), *o = t;
    const char *p = src;
    while (*p) {
        const char *e = p;
        while (*e && *e != ' ' && *e != '\n')
            e++;
        if (rnd_below(rng, 10) == 0)
            o += sprintf(o, "%s", vocab[rnd_below(rng, NVOCAB)]);
        else
            memcpy(o, p, (size_t)(e - p)), o += e - p;
        if (*e)
            *o++ = *e++;
        p = e;
    }
    *o = 0;
    return t;
}

static feed *make_feed(void)
{
    feed *f = calloc(1, sizeof *f);
    uint64_t rng = 2026;
    make_vocab(&rng);
    for (size_t i = 0; i < NDOCS; i++) {
        int copy = i > 10 && rnd_below(&rng, 4) == 0;
        size_t base = copy ? i - 1 - (size_t)rnd_below(&rng, i > 50 ? 50 : i - 1) : i;
        f->text[i] = copy ? edited(&rng, f->text[base]) : random_text(&rng, 40 + rnd_below(&rng, 200));
        f->title[i] = copy ? edited(&rng, f->title[base]) : random_text(&rng, 8);
        int64_t t = 1700000000 + (int64_t)i * 600;
        f->doc[i] = (tw_doc){f->text[i], strlen(f->text[i]), f->title[i], strlen(f->title[i]),
                             i % 97 == 0 ? TW_TIME_NONE : t};
    }
    f->text[7][0] = 0; /* one empty text: an error in both runs */
    f->doc[7].text_len = 0;
    return f;
}

static void free_feed(feed *f)
{
    for (size_t i = 0; i < NDOCS; i++) {
        free(f->text[i]);
        free(f->title[i]);
    }
    free(f);
}

typedef struct reader {
    const tw_engine *e;
    const feed *f;
    tw_features **feat;
    int *status;
    unsigned id, n;
} reader;

static void *read_docs(void *arg)
{
    reader *r = arg;
    tw_scratch *s;
    if (tw_scratch_create(r->e, &s))
        return NULL;
    for (size_t i = r->id; i < NDOCS; i += r->n)
        r->status[i] = tw_features_compute(s, &r->f->doc[i], r->feat[i], NULL);
    tw_scratch_free(s);
    return NULL;
}

static void test_parallel_equals_sequential(void **state)
{
    (void)state;
    feed *f = make_feed();
    tw_engine *e;
    char err[256];
    assert_int_equal(tw_engine_create(NULL, &e, err, sizeof err), TW_OK);

    /* one thread, the plain way */
    tw_scratch *s;
    tw_batch *a;
    assert_int_equal(tw_scratch_create(e, &s), TW_OK);
    assert_int_equal(tw_batch_create(e, &a), TW_OK);
    size_t idx_a[NDOCS];
    int st_a[NDOCS];
    for (size_t i = 0; i < NDOCS; i++)
        st_a[i] = tw_batch_add_doc(a, s, &f->doc[i], &idx_a[i], NULL);
    assert_int_equal(tw_batch_cluster(a), TW_OK);
    tw_batch_stats sa;
    tw_batch_stats_get(a, &sa);
    assert_true(sa.dup_clusters > 100);  /* the feed does hold near-copies */
    assert_true(sa.story_clusters > 50); /* and stories */
    assert_int_equal(st_a[7], TW_ENOTEXT);

    /* three readers, then added in order, clustered with 1..4 threads */
    tw_features **feat = calloc(NDOCS, sizeof *feat);
    int *st_b = calloc(NDOCS, sizeof *st_b);
    for (size_t i = 0; i < NDOCS; i++)
        assert_int_equal(tw_features_create(&feat[i]), TW_OK);
    reader r[3];
    pthread_t th[3];
    for (unsigned k = 0; k < 3; k++) {
        r[k] = (reader){e, f, feat, st_b, k, 3};
        assert_int_equal(pthread_create(&th[k], NULL, read_docs, &r[k]), 0);
    }
    for (unsigned k = 0; k < 3; k++)
        pthread_join(th[k], NULL);
    for (unsigned threads = 1; threads <= 4; threads++) {
        tw_batch *b;
        assert_int_equal(tw_batch_create(e, &b), TW_OK);
        assert_int_equal(tw_batch_set_threads(b, threads), TW_OK);
        for (size_t i = 0; i < NDOCS; i++) {
            size_t idx = 999999;
            int rc = tw_batch_add_features(b, feat[i], &idx);
            assert_int_equal(rc, st_b[i]);
            assert_int_equal(rc, st_a[i]);
            if (!rc)
                assert_int_equal(idx, idx_a[i]);
        }
        assert_int_equal(tw_batch_cluster(b), TW_OK);
        assert_int_equal(tw_batch_size(b), tw_batch_size(a));
        for (size_t i = 0; i < tw_batch_size(a); i++) {
            assert_int_equal(tw_batch_dup(b, i), tw_batch_dup(a, i));
            assert_int_equal(tw_batch_story(b, i), tw_batch_story(a, i));
        }
        tw_batch_stats sb;
        tw_batch_stats_get(b, &sb);
        assert_int_equal(sb.dup_clusters, sa.dup_clusters);
        assert_int_equal(sb.candidates, sa.candidates);
        assert_int_equal(sb.common_shingles, sa.common_shingles);
        assert_int_equal(sb.story_clusters, sa.story_clusters);
        tw_batch_free(b);
    }
    for (size_t i = 0; i < NDOCS; i++)
        tw_features_free(feat[i]);
    free(feat);
    free(st_b);
    tw_batch_free(a);
    tw_scratch_free(s);
    tw_engine_free(e);
    free_feed(f);
}

static void test_features_contract(void **state)
{
    (void)state;
    tw_engine *e, *other;
    char err[256];
    assert_int_equal(tw_engine_create(NULL, &e, err, sizeof err), TW_OK);
    assert_int_equal(tw_engine_create(NULL, &other, err, sizeof err), TW_OK);
    tw_scratch *s;
    assert_int_equal(tw_scratch_create(e, &s), TW_OK);
    tw_features *f;
    assert_int_equal(tw_features_create(&f), TW_OK);
    tw_batch *b, *ob;
    assert_int_equal(tw_batch_create(e, &b), TW_OK);
    assert_int_equal(tw_batch_create(other, &ob), TW_OK);
    size_t idx = 42;

    /* a fresh features object holds no document */
    assert_int_not_equal(tw_batch_add_features(b, f, &idx), TW_OK);
    /* an error leaves it holding none, and adding reports the same status */
    tw_doc empty = {"   ", 3, NULL, 0, TW_TIME_NONE};
    assert_int_equal(tw_features_compute(s, &empty, f, NULL), TW_ENOTEXT);
    assert_int_equal(tw_batch_add_features(b, f, &idx), TW_ENOTEXT);
    assert_int_equal(idx, 42);
    assert_int_equal(tw_batch_size(b), 0);
    /* reuse: a good document after the error */
    tw_doc good = {"خبر عن الطقس في المدينة اليوم", strlen("خبر عن الطقس في المدينة اليوم"),
                   NULL, 0, TW_TIME_NONE};
    assert_int_equal(tw_features_compute(s, &good, f, NULL), TW_OK);
    assert_int_equal(tw_batch_add_features(b, f, &idx), TW_OK);
    assert_int_equal(idx, 0);
    /* added twice: two documents, exact copies */
    assert_int_equal(tw_batch_add_features(b, f, &idx), TW_OK);
    assert_int_equal(idx, 1);
    /* another engine's batch refuses it */
    assert_int_equal(tw_batch_add_features(ob, f, &idx), TW_EINVAL);
    /* bad arguments */
    assert_int_equal(tw_features_create(NULL), TW_EINVAL);
    assert_int_equal(tw_features_compute(NULL, &good, f, NULL), TW_EINVAL);
    assert_int_equal(tw_features_compute(s, NULL, f, NULL), TW_EINVAL);
    assert_int_equal(tw_features_compute(s, &good, NULL, NULL), TW_EINVAL);
    assert_int_equal(tw_batch_add_features(NULL, f, &idx), TW_EINVAL);
    assert_int_equal(tw_batch_set_threads(NULL, 2), TW_EINVAL);
    tw_features_free(NULL);
    assert_int_equal(tw_batch_cluster(b), TW_OK);
    assert_int_equal(tw_batch_dup(b, 1), 0);
    assert_int_equal(tw_batch_add_features(b, f, &idx), TW_ESTATE);
    tw_features_free(f);
    tw_batch_free(b);
    tw_batch_free(ob);
    tw_scratch_free(s);
    tw_engine_free(e);
    tw_engine_free(other);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parallel_equals_sequential),
        cmocka_unit_test(test_features_contract),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
