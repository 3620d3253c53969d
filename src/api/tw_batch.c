/*
 * tw_batch.c — clustering a collection of documents into near-copy groups.
 *
 * Adding a document keeps only its shingle set (4 bytes a shingle) in one
 * growing array; the text is not kept. Clustering then runs in passes over
 * those sets:
 *   1. exact duplicates (same set) are joined, and counted once from here on;
 *   2. document frequency of every shingle over distinct documents (byte
 *      counters in cache, then an exact count of the few that pass them);
 *      shingles in more than common_df of them are
 *      boilerplate-like: site templates, "most read" blocks, formulae;
 *   3. each set is split into rare and boilerplate-like runs, and
 *   4. MinHash signatures (one-permutation hashing with densification, over
 *      the rare run and over the whole set) are cut into LSH bands, in one
 *      pass over the sets; only the band keys are kept;
 *   5. documents sharing a band key are verified exactly (tw__pair_is_dup)
 *      and joined with union-find, roots being the earliest documents; two
 *      clusters join only if their earliest members also pass the rule at
 *      TW_ROOT_FACTOR x threshold, which stops chains of edits from walking
 *      into unrelated texts (measured on SaudiNewsNet: members whose
 *      containment in their cluster's first text is under 0.3 fell from 86
 *      to 5 at threshold 0.4, with no recall lost on perturbed copies).
 *   6. with story on, story clusters over the near-copy clusters
 *      (cluster/tw_story.c); each document inherits its dup root's story,
 *      named by the story's earliest document.
 * Every step is ordered by document index, so the result is deterministic.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/tw_api.h"

typedef struct tw__doc {
    uint64_t off;     /* into fps */
    uint64_t content; /* hash of the whole set: equal sets are exact copies */
    uint32_t n, n_low;
    uint64_t toff;    /* into terms */
    uint32_t nterms;
    int64_t time;     /* TW_TIME_NONE when unknown */
    int64_t event;    /* tw__event_time: the second guess at the event's time */
} tw__doc;

struct tw_batch {
    const tw_engine *e;
    tw__buf fps;   /* uint32_t, all sets back to back; given back after the
                      pairs (lent to the story walk first) */
    tw__buf docs;  /* tw__doc */
    tw__buf terms; /* tw__term, all story terms back to back; the story vectors
                      are built over them (spent) */
    uint32_t *dup;
    uint32_t *story;     /* earliest document of each document's story */
    uint32_t *unit_of;   /* story unit (dup root rank) of each document */
    tw__story_vecs vecs; /* per unit, kept for tw_batch_explain */
    int clustered;
    int spent;        /* the story step took the terms' or the sets' memory: no
                         second clustering */
    unsigned threads; /* for tw_batch_cluster's parallel passes */
    int df_buckets;   /* count document frequency in buckets whatever the size (tests) */
    tw_batch_stats st;
};

int tw_batch_set_threads(tw_batch *b, unsigned threads)
{
    if (!b)
        return TW_EINVAL;
    b->threads = threads ? threads : 1;
    return TW_OK;
}

int tw_batch_create(const tw_engine *e, tw_batch **out)
{
    if (!e || !out)
        return TW_EINVAL;
    tw_batch *b = calloc(1, sizeof *b);
    if (!b)
        return TW_ENOMEM;
    b->e = e;
    b->threads = 1;
    *out = b;
    return TW_OK;
}

void tw_batch_free(tw_batch *b)
{
    if (!b)
        return;
    tw__buf_free(&b->fps);
    tw__buf_free(&b->docs);
    tw__buf_free(&b->terms);
    free(b->dup);
    free(b->story);
    free(b->unit_of);
    tw__story_vecs_free(&b->vecs);
    free(b);
}

size_t tw_batch_size(const tw_batch *b)
{
    return b ? b->docs.len : 0;
}

int tw_features_create(tw_features **out)
{
    if (!out)
        return TW_EINVAL;
    *out = calloc(1, sizeof **out);
    if (!*out)
        return TW_ENOMEM;
    (*out)->status = TW_ENOTEXT;
    return TW_OK;
}

void tw_features_free(tw_features *f)
{
    if (!f)
        return;
    tw__buf_free(&f->fps);
    tw__buf_free(&f->terms);
    free(f);
}

static void swap_buf(tw__buf *a, tw__buf *b)
{
    tw__buf t = *a;
    *a = *b;
    *b = t;
}

int tw_features_compute(tw_scratch *s, const tw_doc *doc, tw_features *f, tw_text_info *info)
{
    if (!s || !doc || !f || (!doc->text && doc->text_len) || (!doc->title && doc->title_len))
        return TW_EINVAL;
    f->e = NULL;
    tw_doc d = *doc;
    if (!d.text)
        d.text = "";
    int rc = tw__prepare(s, &d, s->e->cfg.story, NULL, NULL, info);
    if (!rc && (s->fps.len > UINT32_MAX || s->terms.len > UINT32_MAX))
        rc = TW_ERANGE;
    f->status = rc;
    if (rc)
        return rc;
    /* the scratch's set becomes the features', and the features' old one
     * goes back to the scratch: no copy, and both keep their memory. The
     * story terms are copied instead: their working buffer has room for
     * four times what is left of them (two terms a word, and the sort's
     * scratch), and passed from features to features it made every one of
     * a pipeline's features hold that much (SaudiNewsNet story mode: 23 MB
     * more touched, 5.9k page faults of 59.7k, and the reallocations'
     * copies). */
    swap_buf(&f->fps, &s->fps);
    f->terms.len = 0;
    if (tw__buf_reserve_empty(&f->terms, s->terms.len, sizeof(tw__term))) {
        f->status = TW_ENOMEM;
        return TW_ENOMEM;
    }
    if (s->terms.len)
        memcpy(f->terms.data, s->terms.data, s->terms.len * sizeof(tw__term));
    f->terms.len = s->terms.len;
    f->content = tw__keys_hash(f->fps.data, f->fps.len);
    f->time = d.time;
    f->event = tw__event_time(d.time, s->lead_days);
    f->e = s->e;
    return TW_OK;
}

int tw_batch_add_features(tw_batch *b, const tw_features *f, size_t *index)
{
    if (!b || !f || !index)
        return TW_EINVAL;
    if (!f->e)
        return f->status ? f->status : TW_EINVAL;
    if (f->e != b->e)
        return TW_EINVAL;
    if (b->clustered || b->spent)
        return TW_ESTATE;
    if (b->docs.len >= UINT32_MAX - 1)
        return TW_ERANGE;
    size_t n = f->fps.len, nt = f->terms.len;
    if (tw__buf_reserve(&b->fps, b->fps.len + n, sizeof(uint32_t)) ||
        tw__buf_reserve(&b->terms, b->terms.len + nt, sizeof(tw__term)) ||
        tw__buf_reserve(&b->docs, b->docs.len + 1, sizeof(tw__doc)))
        return TW_ENOMEM;
    if (n) /* (memcpy from or to NULL is undefined even for 0 bytes) */
        memcpy((uint32_t *)b->fps.data + b->fps.len, f->fps.data, n * sizeof(uint32_t));
    if (nt)
        memcpy((tw__term *)b->terms.data + b->terms.len, f->terms.data, nt * sizeof(tw__term));
    tw__doc *dd = (tw__doc *)b->docs.data + b->docs.len;
    dd->off = b->fps.len;
    dd->n = (uint32_t)n;
    dd->n_low = (uint32_t)n;
    dd->content = f->content;
    dd->toff = b->terms.len;
    dd->nterms = (uint32_t)nt;
    dd->time = f->time;
    dd->event = f->event;
    b->fps.len += n;
    b->terms.len += nt;
    *index = b->docs.len++;
    return TW_OK;
}

int tw_batch_add_doc(tw_batch *b, tw_scratch *s, const tw_doc *doc, size_t *index,
                     tw_text_info *info)
{
    if (!b || !s || !doc || !index || s->e != b->e)
        return TW_EINVAL;
    if (b->clustered || b->spent)
        return TW_ESTATE;
    if (b->docs.len >= UINT32_MAX - 1)
        return TW_ERANGE;
    int rc = tw_features_compute(s, doc, &s->feat, info);
    if (!rc)
        rc = tw_batch_add_features(b, &s->feat, index);
    return rc;
}

int tw_batch_add(tw_batch *b, tw_scratch *s, const char *text, size_t len, size_t *index,
                 tw_text_info *info)
{
    tw_doc d = {text, len, NULL, 0, TW_TIME_NONE};
    return tw_batch_add_doc(b, s, &d, index, info);
}

typedef struct content_ref {
    uint64_t content;
    uint32_t n, doc;
} content_ref;

/* (content, n, doc) order, for the runs of equal content */
#define CONTENT_KEY(r) (((uint64_t)(r).n << 32) | (r).doc)

/* Sorts refs (made in document order) by (content, n, doc): an LSD radix
 * over the content's bytes (stable, so equal contents keep document
 * order; a pass whose byte is the same everywhere is skipped), then the
 * runs of equal content, a few references long, by (n, doc). glibc's
 * qsort here was 7.9 M instructions on 3,000 articles, most of joining
 * exact copies. */
static int sort_contents(content_ref *refs, size_t n)
{
    content_ref *tmp = malloc((n ? n : 1) * sizeof *tmp);
    if (!tmp)
        return TW_ENOMEM;
#define CONTENT_OF(r) ((r).content)
    TW__RADIX_BY_BYTES(content_ref, refs, tmp, n, 64, CONTENT_OF);
    free(tmp);
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i + 1; j < n && refs[j].content == refs[i].content; j++)
            ;
        if (j - i > 1)
            TW__INSERTION_SORT(content_ref, refs + i, j - i, CONTENT_KEY);
    }
    return TW_OK;
}

/* Step 1: joins exact copies; marks the first of each in `distinct`. */
static int join_exact(tw_batch *b, tw__uf *uf, uint8_t *distinct)
{
    size_t n = b->docs.len;
    const tw__doc *docs = b->docs.data;
    content_ref *refs = malloc((n ? n : 1) * sizeof *refs);
    if (!refs)
        return TW_ENOMEM;
    for (size_t i = 0; i < n; i++)
        refs[i] = (content_ref){docs[i].content, docs[i].n, (uint32_t)i};
    if (sort_contents(refs, n)) {
        free(refs);
        return TW_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        int same = i > 0 && refs[i].content == refs[i - 1].content && refs[i].n == refs[i - 1].n;
        if (same)
            tw__uf_union(uf, refs[i - 1].doc, refs[i].doc);
        else
            distinct[refs[i].doc] = 1;
    }
    free(refs);
    return TW_OK;
}

/* Step 2: the set of shingles found in more than common_df distinct docs.
 *
 * Counting goes through a filter first: saturating byte counters indexed by
 * a hash of the shingle. A counter is at least the count of every shingle
 * that lands on it (or 255), so a shingle whose counter ends at most the
 * limit is in at most `limit` documents: nearly every shingle is settled
 * there. The others (those over the limit and what shares their counters)
 * are gathered, sorted and counted exactly, so the result is exact at every
 * limit (a limit of 255 or more: the saturated counters' shingles).
 *
 * A batch whose shingles keep a filter of at most 2 MB sparse (a counter's
 * expected load from shingles seen once at most half the limit) is counted
 * in one filter over the documents' sets where they lie: each worker fills
 * its own over its documents, the filters are added, each worker gathers
 * its documents' candidates, and a second, independent filter over the
 * candidates drops most of those that only shared a counter. Larger
 * batches spread every shingle into 1024 or more buckets by its top bits
 * first (up to 16384, keeping a bucket to about 16k shingles), each counted
 * in a 32 KB filter that stays in L1.
 *
 * On SaudiNewsNet (8.4 M shingles, a first filter of 1 MB) the flat count
 * took 51 ms against the buckets' 109 (medians of 9 interleaved runs, busy
 * hour): spreading wrote a copy of every shingle, 34 MB, which the LSH sort
 * now faults in instead (+15 ms there). Earlier: one radix sort of
 * everything, 0.41 s; 4096 buckets each sorted, 0.20 s; counting by key
 * ranges with a cursor per document, without the copy, 0.5 s (the cursors'
 * cache misses). */
#define TW_DF_MIN_BITS 10 /* buckets: 2^10, more for larger batches ... */
#define TW_DF_MAX_BITS 14
#define TW_DF_PER_BUCKET 16384 /* ... so that a bucket holds about this many at most */
#define TW_DF_BUCKET_FILTER_BITS 15 /* a bucket's filter: load 0.5 at most */
#define TW_DF_FLAT_MIN_BITS 15
#define TW_DF_FLAT_MAX_BITS 21 /* a flat filter: 2 MB at most */

void tw__batch_force_df_buckets(tw_batch *b, int on)
{
    if (b)
        b->df_buckets = on != 0;
}

/* A filter's counter for x: the top bits of a multiplicative hash. The two
 * multipliers give independent slots, so shingles that share a counter in
 * the first filter are spread again in the second. */
#define TW_DF_MUL1 0x9E3779B1u
#define TW_DF_MUL2 0x85EBCA77u

/* Shingles ahead whose counter is prefetched: the 2 MB filter misses L2 on
 * nearly every shingle, and the loads of a plain loop overlap too little
 * (perf, SaudiNewsNet dup -j 1: flat_range 5.5-7.4% of samples before,
 * 3.5-5.0% after, in three pairs of runs). */
#define TW_DF_AHEAD 16

static inline uint32_t df_slot(uint32_t x, uint32_t mul, unsigned shift)
{
    return (x * mul) >> shift;
}

/* Counts x[0, n) into the filter of 2^(32 - shift) counters. */
static inline void df_count(uint8_t *filter, uint32_t mul, unsigned shift, uint32_t x)
{
    uint8_t *f = &filter[df_slot(x, mul, shift)];
    *f = (uint8_t)(*f + (*f < 0xFF));
}

static inline void df_tally(uint8_t *filter, uint32_t mul, unsigned shift, const uint32_t *x,
                            size_t n)
{
    /* the loads ahead in a loop of their own, so the main one tests no bound */
    size_t i = 0;
    TW_UNROLL4
    for (; i + TW_DF_AHEAD < n; i++) {
        __builtin_prefetch(&filter[df_slot(x[i + TW_DF_AHEAD], mul, shift)], 1);
        df_count(filter, mul, shift, x[i]);
    }
    for (; i < n; i++)
        df_count(filter, mul, shift, x[i]);
}

/* Writes to out (room for n; may be x itself) the x[i] whose counter
 * passes cap, in order, without a branch; returns how many. */
static inline size_t df_gather(const uint8_t *filter, uint32_t mul, unsigned shift, uint8_t cap,
                               const uint32_t *x, size_t n, uint32_t *out)
{
    size_t k = 0, i = 0;
    TW_UNROLL4
    for (; i + TW_DF_AHEAD < n; i++) {
        __builtin_prefetch(&filter[df_slot(x[i + TW_DF_AHEAD], mul, shift)]);
        uint32_t v = x[i];
        out[k] = v;
        k += filter[df_slot(v, mul, shift)] > cap;
    }
    for (; i < n; i++) {
        uint32_t v = x[i];
        out[k] = v;
        k += filter[df_slot(v, mul, shift)] > cap;
    }
    return k;
}

/* Sorts the candidates c[0, n) (tmp: room for n). */
#define TW_DF_KEY(x) (x)
static void df_sort(uint32_t *c, uint32_t *tmp, size_t n)
{
    if (n < 64) /* a bucket's few: the radix sort's four histograms would cost more */
        TW__INSERTION_SORT(uint32_t, c, n, TW_DF_KEY);
    else
        tw__radix_sort_u32(c, tmp, n);
}

/* Appends x to found. */
static int df_found(tw__buf *found, uint32_t x)
{
    if (tw__buf_reserve(found, found->len + 1, sizeof(uint32_t)))
        return TW_ENOMEM;
    ((uint32_t *)found->data)[found->len++] = x;
    return TW_OK;
}

static uint8_t df_cap(uint32_t limit)
{
    return (uint8_t)(limit < 0xFE ? limit : 0xFE); /* a saturated counter passes */
}

/* log2 of a filter's size for n shingles: the least, from min_bits, at which
 * a counter's expected load is at most (cap + 1) / 2, so that shingles seen
 * once rarely add up past the cap. */
static unsigned df_filter_bits(size_t n, uint8_t cap, unsigned min_bits)
{
    unsigned bits = min_bits;
    while (bits < 32 && 2 * n > ((size_t)cap + 1) << bits)
        bits++;
    return bits;
}

/* The flat count: one filter per worker over the documents it claims,
 * then summed; the candidates it passes, per worker; a second filter over
 * them the same way; the few left are settled in one sort. Every step but
 * that sort runs on all workers, and none depends on which worker took
 * which documents: the filters only thin out the candidates, and the
 * settling counts exactly. */
enum { FLAT_TALLY, FLAT_GATHER };

typedef struct flat_ctx {
    const tw_batch *b;
    const uint8_t *distinct;
    uint8_t **filter; /* per worker; the sum lands in filter[0] */
    unsigned shift;
    uint8_t cap;
    tw__buf *cand;    /* per worker: uint32_t candidates */
    int pass;
} flat_ctx;

/* Documents [begin, end): counted into the worker's filter, or their
 * shingles that pass the summed one appended to the worker's candidates. */
static int flat_range(void *ctx_, unsigned worker, size_t begin, size_t end)
{
    flat_ctx *c = ctx_;
    const tw__doc *docs = c->b->docs.data;
    const uint32_t *fps = c->b->fps.data;
    tw__buf *cand = &c->cand[worker];
    for (size_t i = begin; i < end; i++) {
        if (!c->distinct[i])
            continue;
        const uint32_t *x = fps + docs[i].off;
        if (c->pass == FLAT_TALLY) {
            df_tally(c->filter[worker], TW_DF_MUL1, c->shift, x, docs[i].n);
            continue;
        }
        if (tw__buf_reserve(cand, cand->len + docs[i].n, sizeof(uint32_t)))
            return TW_ENOMEM;
        cand->len += df_gather(c->filter[0], TW_DF_MUL1, c->shift, c->cap, x, docs[i].n,
                               (uint32_t *)cand->data + cand->len);
    }
    return TW_OK;
}

/* Workers' candidate lists [begin, end) (worker w takes list w): counted
 * into its own second filter, or thinned in place by the summed one. */
static int cand_range(void *ctx_, unsigned worker, size_t begin, size_t end)
{
    TW_UNUSED(worker);
    flat_ctx *c = ctx_;
    for (size_t w = begin; w < end; w++) {
        uint32_t *x = c->cand[w].data;
        if (c->pass == FLAT_TALLY)
            df_tally(c->filter[w], TW_DF_MUL2, c->shift, x, c->cand[w].len);
        else
            c->cand[w].len = df_gather(c->filter[0], TW_DF_MUL2, c->shift, c->cap, x,
                                       c->cand[w].len, x);
    }
    return TW_OK;
}

/* nw zeroed filters of 2^bits counters, or NULL. */
static uint8_t **df_filters(unsigned nw, unsigned bits)
{
    uint8_t **f = calloc(nw, sizeof *f);
    for (unsigned w = 0; f && w < nw; w++)
        if (!(f[w] = calloc((size_t)1 << bits, 1))) {
            while (w--)
                free(f[w]);
            free(f);
            return NULL;
        }
    return f;
}

static void df_filters_free(uint8_t **f, unsigned nw)
{
    for (unsigned w = 0; f && w < nw; w++)
        free(f[w]);
    free(f);
}

/* Workers' candidate lists [begin, end), each with room for its sort's
 * scratch after it, sorted. */
static int sort_lists(void *ctx_, unsigned worker, size_t begin, size_t end)
{
    TW_UNUSED(worker);
    tw__buf *cand = ctx_;
    for (size_t w = begin; w < end; w++) {
        uint32_t *x = cand[w].data;
        df_sort(x, x + cand[w].len, cand[w].len);
    }
    return TW_OK;
}

/* Appends to found, in ascending order, each value that the nw sorted
 * lists hold more than limit times in all. */
static int df_settle_lists(const tw__buf *cand, unsigned nw, uint32_t limit, tw__buf *found)
{
    size_t few[8] = {0}, *at = nw <= 8 ? few : calloc(nw, sizeof *at);
    if (!at)
        return TW_ENOMEM;
    int rc = TW_OK;
    while (!rc) {
        int any = 0;
        uint32_t v = UINT32_MAX;
        for (unsigned w = 0; w < nw; w++)
            if (at[w] < cand[w].len) {
                uint32_t x = ((const uint32_t *)cand[w].data)[at[w]];
                v = !any || x < v ? x : v;
                any = 1;
            }
        if (!any)
            break;
        size_t count = 0;
        for (unsigned w = 0; w < nw; w++) {
            const uint32_t *x = cand[w].data;
            size_t i = at[w];
            while (i < cand[w].len && x[i] == v)
                i++;
            count += i - at[w];
            at[w] = i;
        }
        if (count > limit)
            rc = df_found(found, v);
    }
    if (at != few)
        free(at);
    return rc;
}

/* Sorts the candidates c[0, n) (tmp: room for n) and appends to found each
 * one found more than limit times. */
static int df_settle(uint32_t *c, uint32_t *tmp, size_t n, uint32_t limit, tw__buf *found)
{
    df_sort(c, tmp, n);
    tw__buf one = {c, n, n, 0};
    return df_settle_lists(&one, 1, limit, found);
}

typedef struct sum_ctx {
    uint8_t **filter;
    unsigned nw;
} sum_ctx;

/* Counters [begin, end) of filter[0] += every other worker's, saturating. */
static int sum_range(void *ctx_, unsigned worker, size_t begin, size_t end)
{
    TW_UNUSED(worker);
    const sum_ctx *c = ctx_;
    for (unsigned w = 1; w < c->nw; w++)
        for (size_t i = begin; i < end; i++) {
            unsigned sum = (unsigned)c->filter[0][i] + c->filter[w][i];
            c->filter[0][i] = (uint8_t)(sum < 0xFF ? sum : 0xFF);
        }
    return TW_OK;
}

/* filter[0] += every other worker's, saturating, on every worker (a 1 MB
 * filter took 2 ms on one thread at -j 2). */
static void df_filters_sum(uint8_t **filter, unsigned nw, unsigned bits)
{
    sum_ctx c = {filter, nw};
    if (nw > 1)
        tw__parallel_for((size_t)1 << bits, nw, 1u << 16, sum_range, &c);
}

/* Blocks of documents a worker claims at a time. */
#define TW_DF_GRAIN 128

/* The second filter's sizing (df_filter_bits' cap): about (3 + 1) / 2
 * candidates a counter. */
#define TW_DF_SECOND_LOAD 3

static int df_flat(const tw_batch *b, const uint8_t *distinct, unsigned nw, unsigned fbits,
                   uint32_t limit, tw__buf *found, tw__buf *work)
{
    size_t total = 0;
    uint8_t **filter = df_filters(nw, fbits), **second = NULL;
    tw__buf *cand = calloc(nw, sizeof *cand);
    int rc = filter && cand ? TW_OK : TW_ENOMEM;
    /* the first worker's candidates, then the ones left of everyone's, in
     * the clustering's working buffer, which the LSH sort reuses after this
     * (faulted in once) */
    if (!rc) {
        cand[0] = *work;
        cand[0].len = 0;
        *work = (tw__buf){0};
    }
    const uint8_t cap = df_cap(limit);
    flat_ctx c = {b, distinct, filter, 32 - fbits, cap, cand, FLAT_TALLY};
    if (!rc)
        rc = tw__parallel_claim(b->docs.len, nw, TW_DF_GRAIN, flat_range, &c);
    if (!rc) {
        df_filters_sum(filter, nw, fbits);
        c.pass = FLAT_GATHER;
        rc = tw__parallel_claim(b->docs.len, nw, TW_DF_GRAIN, flat_range, &c);
    }
    for (unsigned w = 0; !rc && w < nw; w++)
        total += cand[w].len;
    /* A second filter, with independent slots, over the candidates: what
     * only shared a first counter with a frequent shingle drops out here.
     * It is sized for a load of about two a counter, not cap's (a table of
     * 512 KB for SaudiNewsNet's 942k candidates, against 128 KB): 232k
     * candidates are left for the serial sort that settles them, against
     * 362k, most of them the 5,261 common shingles' own occurrences; the
     * step at -j 2 took 0.043 s against 0.053 (medians of seven). */
    unsigned bits2 = df_filter_bits(total, TW_DF_SECOND_LOAD, TW_DF_FLAT_MIN_BITS);
    if (!rc && !(second = df_filters(nw, bits2)))
        rc = TW_ENOMEM;
    if (!rc) {
        c = (flat_ctx){b, distinct, second, 32 - bits2, cap, cand, FLAT_TALLY};
        rc = tw__parallel_for(nw, nw, 1, cand_range, &c);
    }
    if (!rc) {
        df_filters_sum(second, nw, bits2);
        c.pass = FLAT_GATHER;
        rc = tw__parallel_for(nw, nw, 1, cand_range, &c);
    }
    /* what is left of every worker's candidates sorted in its list (with
     * room for the sort's scratch), on every worker, then counted across
     * the lists (one list after the other, sorted on one thread, was 4 ms
     * of the step's serial part at -j 2) */
    for (unsigned w = 0; !rc && w < nw; w++)
        if (tw__buf_reserve(&cand[w], 2 * cand[w].len + 1, sizeof(uint32_t)))
            rc = TW_ENOMEM;
    if (!rc)
        rc = tw__parallel_for(nw, nw, 1, sort_lists, cand);
    if (!rc)
        rc = df_settle_lists(cand, nw, limit, found);
    if (cand) {
        *work = cand[0];
        work->len = 0;
    }
    for (unsigned w = 1; cand && w < nw; w++)
        tw__buf_free(&cand[w]);
    df_filters_free(filter, nw);
    df_filters_free(second, nw);
    free(cand);
    return rc;
}

/* The bucketed count: every bucket filtered, gathered and settled alone. */
typedef struct df_ctx {
    uint32_t *all;        /* shingles grouped by bucket */
    const size_t *start;  /* bucket b is all[start[b], start[b + 1]) */
    uint32_t limit;
    tw__buf *found;       /* per worker: uint32_t common shingles */
    uint8_t **filter;     /* per worker: 2^TW_DF_BUCKET_FILTER_BITS counters (zero between buckets) */
    uint32_t **cand;      /* per worker: room for the largest bucket, twice */
} df_ctx;

static int df_buckets(void *ctx_, unsigned worker, size_t begin, size_t end)
{
    df_ctx *c = ctx_;
    uint8_t *filter = c->filter[worker];
    uint32_t *cand = c->cand[worker];
    const unsigned shift = 32 - TW_DF_BUCKET_FILTER_BITS;
    for (size_t bk = begin; bk < end; bk++) {
        const uint32_t *x = c->all + c->start[bk];
        size_t n = c->start[bk + 1] - c->start[bk];
        df_tally(filter, TW_DF_MUL1, shift, x, n);
        size_t k = df_gather(filter, TW_DF_MUL1, shift, df_cap(c->limit), x, n, cand);
        for (size_t i = 0; i < n; i++)
            filter[df_slot(x[i], TW_DF_MUL1, shift)] = 0; /* empty again for the next bucket */
        if (df_settle(cand, cand + k, k, c->limit, &c->found[worker]))
            return TW_ENOMEM;
    }
    return TW_OK;
}

/* Spreading the shingles into buckets, in parallel: each worker counts
 * its documents' shingles per bucket, then writes them at offsets that
 * put every worker's share of a bucket side by side. */
typedef struct spread_ctx {
    const tw_batch *b;
    const uint8_t *distinct;
    size_t *hist; /* [worker][bucket]: counts, then write offsets */
    uint32_t *all;
    unsigned bits; /* buckets: 2^bits, by the top bits */
    int write;
} spread_ctx;

static int spread_range(void *ctx_, unsigned worker, size_t begin, size_t end)
{
    spread_ctx *c = ctx_;
    const tw__doc *docs = c->b->docs.data;
    const uint32_t *fps = c->b->fps.data;
    const unsigned shift = 32 - c->bits;
    size_t *h = c->hist + ((size_t)worker << c->bits);
    for (size_t i = begin; i < end; i++) {
        if (!c->distinct[i])
            continue;
        const uint32_t *f = fps + docs[i].off;
        if (c->write)
            for (size_t k = 0; k < docs[i].n; k++)
                c->all[h[f[k] >> shift]++] = f[k];
        else
            for (size_t k = 0; k < docs[i].n; k++)
                h[f[k] >> shift]++;
    }
    return TW_OK;
}

static int df_bucketed(const tw_batch *b, const uint8_t *distinct, unsigned nw, size_t shingles,
                       uint32_t limit, tw__buf *found, tw__buf *work)
{
    size_t n = b->docs.len;
    unsigned dbits = TW_DF_MIN_BITS;
    while (dbits < TW_DF_MAX_BITS && (shingles >> dbits) > TW_DF_PER_BUCKET)
        dbits++;
    const size_t nb = (size_t)1 << dbits;
    size_t *start = calloc(nb + 1, sizeof *start);
    size_t *hist = calloc((size_t)nw * nb, sizeof *hist);
    uint8_t **filter = calloc(nw, sizeof *filter);
    uint32_t **cand = calloc(nw, sizeof *cand);
    int rc = (start && hist && filter && cand) ? TW_OK : TW_ENOMEM;
    spread_ctx sc = {b, distinct, hist, NULL, dbits, 0};
    if (!rc)
        rc = tw__parallel_for(n, nw, 256, spread_range, &sc);
    size_t largest = 0, total = 0;
    for (size_t bk = 0; !rc && bk < nb; bk++) {
        start[bk] = total;
        for (unsigned w = 0; w < nw; w++) {
            size_t c = hist[(size_t)w * nb + bk];
            hist[(size_t)w * nb + bk] = total;
            total += c;
        }
        largest = total - start[bk] > largest ? total - start[bk] : largest;
    }
    if (start)
        start[nb] = total;
    /* the buckets live in the clustering's working buffer, which the LSH
     * sort reuses after this (touched once, faulted in once) */
    if (!rc && tw__buf_reserve(work, (total ? total : 1) * sizeof(uint32_t), 1)) /* bytes */
        rc = TW_ENOMEM;
    for (unsigned w = 0; !rc && w < nw; w++)
        if (!(filter[w] = calloc((size_t)1 << TW_DF_BUCKET_FILTER_BITS, 1)) ||
            !(cand[w] = malloc((2 * largest + 1) * sizeof(uint32_t))))
            rc = TW_ENOMEM;
    if (!rc) {
        sc.all = work->data;
        sc.write = 1;
        rc = tw__parallel_for(n, nw, 256, spread_range, &sc);
    }
    if (!rc) {
        df_ctx ctx = {work->data, start, limit, found, filter, cand};
        rc = tw__parallel_for(nb, nw, 64, df_buckets, &ctx);
    }
    for (unsigned w = 0; filter && cand && w < nw; w++) {
        free(filter[w]);
        free(cand[w]);
    }
    free(filter);
    free(cand);
    free(start);
    free(hist);
    return rc;
}

static int find_common(tw_batch *b, const uint8_t *distinct, tw__fpset *common, tw__buf *work)
{
    uint32_t limit = b->e->cfg.common_df;
    memset(common, 0, sizeof *common);
    if (limit == 0)
        return TW_OK;
    size_t n = b->docs.len;
    /* the same split of documents for every pass over them */
    unsigned nw = tw__parallel_ranges(n, b->threads, 256);
    size_t shingles = 0;
    const tw__doc *docs = b->docs.data;
    for (size_t i = 0; i < n; i++)
        shingles += distinct[i] ? docs[i].n : 0;
    unsigned fbits = df_filter_bits(shingles, df_cap(limit), TW_DF_FLAT_MIN_BITS);
    tw__buf *found = calloc(nw, sizeof *found);
    int rc = found ? TW_OK : TW_ENOMEM;
    if (!rc && fbits <= TW_DF_FLAT_MAX_BITS && !b->df_buckets)
        rc = df_flat(b, distinct, nw, fbits, limit, &found[0], work);
    else if (!rc)
        rc = df_bucketed(b, distinct, nw, shingles, limit, found, work);
    size_t nfound = 0;
    for (unsigned w = 0; !rc && w < nw; w++)
        nfound += found[w].len;
    if (!rc)
        rc = tw__fpset_init(common, nfound + 1024);
    for (unsigned w = 0; !rc && w < nw; w++)
        for (size_t k = 0; !rc && k < found[w].len; k++)
            rc = tw__fpset_add(common, ((uint32_t *)found[w].data)[k]);
    for (unsigned w = 0; found && w < nw; w++)
        tw__buf_free(&found[w]);
    free(found);
    return rc;
}

/* Step 3: reorders each set as [rare | common], each run in the set's order,
 * just before the set is signed (step 4), while it is in cache: a pass of
 * its own read every set from memory once more (SaudiNewsNet near-copy job
 * at -j 1: split 21-25 ms and band keys 44-63 ms before). A bitmap of the
 * common shingles' top bits (32 KB, in cache) turns away almost every
 * shingle before the set is asked (eight at a time with AVX2,
 * tw__fpmap_find_for), a set with no common shingle is not written at all,
 * and one with some is moved in runs (one test a shingle and a scalar copy
 * of the rest after the first common one were 117 M instructions and 4% of
 * the near-copy job's time on SaudiNewsNet; then 1.7-2.1% and 0.7-1.0%,
 * perf). */
typedef struct split_ctx {
    const tw__fpset *common; /* NULL: nothing to split */
    uint64_t *bitmap;        /* tw__fpmap of the common shingles */
    tw__fpmap_find_fn find;
    size_t maxn;
    uint32_t **tmp;          /* per worker: room for 2 maxn */
    unsigned nw;
} split_ctx;

/* The largest set's size. */
static size_t largest_set(const tw_batch *b)
{
    const tw__doc *docs = b->docs.data;
    size_t maxn = 0;
    for (size_t i = 0; i < b->docs.len; i++)
        maxn = docs[i].n > maxn ? docs[i].n : maxn;
    return maxn;
}

static void split_free(split_ctx *c)
{
    for (unsigned w = 0; c->tmp && w < c->nw; w++)
        free(c->tmp[w]);
    free(c->tmp);
    free(c->bitmap);
}

static int split_init(split_ctx *c, const tw_batch *b, const tw__fpset *common, unsigned nw)
{
    memset(c, 0, sizeof *c);
    if (common->count == 0)
        return TW_OK; /* every set is all rare, as added */
    c->maxn = largest_set(b);
    c->nw = nw;
    c->bitmap = calloc(((size_t)1 << TW__FPMAP_BITS) / 64, sizeof *c->bitmap);
    c->tmp = calloc(nw, sizeof *c->tmp);
    int ok = c->bitmap && c->tmp;
    for (unsigned w = 0; ok && w < nw; w++)
        ok = (c->tmp[w] = malloc((2 * c->maxn + 1) * sizeof **c->tmp)) != NULL;
    if (!ok) {
        split_free(c);
        return TW_ENOMEM;
    }
    for (size_t i = 0; i <= common->mask; i++)
        if (common->slots[i])
            tw__fpmap_add(c->bitmap, common->slots[i]);
    c->common = common;
    c->find = tw__fpmap_find_for(tw__isa_active());
    return TW_OK;
}

/* Splits document i's set, with the worker's scratch. */
static void split_doc(const split_ctx *c, tw_batch *b, unsigned worker, size_t i)
{
    if (!c->common)
        return;
    tw__doc *d = (tw__doc *)b->docs.data + i;
    uint32_t *f = (uint32_t *)b->fps.data + d->off;
    uint32_t *at = c->tmp[worker], *common = at + c->maxn;
    size_t n = d->n, nh = c->find(c->bitmap, f, n, at), nc = 0;
    /* the bitmap's hits that are common, past its false alarms */
    for (size_t h = 0; h < nh; h++)
        if (tw__fpset_has(c->common, f[at[h]]))
            at[nc++] = at[h];
    if (nc) /* (all rare: n_low stays n) */
        d->n_low = (uint32_t)tw__fps_move_to_end(f, n, at, nc, common);
}

static tw__docset docset_of(const tw_batch *b, uint32_t i)
{
    const tw__doc *d = (const tw__doc *)b->docs.data + i;
    return (tw__docset){(const uint32_t *)b->fps.data + d->off, d->n, d->n_low};
}

/* A thread checking pairs ahead of the walk (tw__lsh_pairs_ahead): a
 * pair's own check is a function of the two sets alone, so its answer
 * can be worked out anywhere and looked up by the walk. This thread skips
 * what the walk will skip: pairs in one cluster as far as the walk's
 * union-find shows yet, or as far as its own answers join them. For a
 * pair that passes, it checks the two roots the walk's union-find shows
 * now too (the roots' check is a function of their two sets; the walk
 * uses the answer when it finds the same roots). */
typedef struct ahead_ctx {
    const tw_batch *b;
    const tw__uf *uf; /* the walk's, read as it grows */
    tw__uf own;       /* the pairs this thread found near-copies, joined */
    tw__pair_rule rule, root_rule;
    tw__buf table;    /* its own key table */
    tw__pairans ans, roots; /* read by the walk: pairs' and roots' answers */
} ahead_ctx;

/* The check of a and b under rule, answered in t (a pair's answer stands:
 * the table's, or one made and put there); negative when it fails, or
 * when t is full. */
static int ahead_answer(ahead_ctx *h, tw__pairans *t, uint32_t a, uint32_t b,
                        const tw__pair_rule *rule)
{
    int dup = tw__pairans_get(t, a, b);
    if (dup >= 0)
        return dup;
    tw__docset x = docset_of(h->b, a), y = docset_of(h->b, b);
    if ((dup = tw__pair_is_dup(&x, &y, rule, &h->table, NULL)) < 0)
        return dup;
    int rc = tw__pairans_put(t, a, b, dup);
    return rc ? rc : dup;
}

static int ahead_pair(uint32_t earlier, uint32_t later, void *ctx_)
{
    ahead_ctx *h = ctx_;
    if (tw__uf_find_shared(h->uf, earlier) == tw__uf_find_shared(h->uf, later) ||
        tw__uf_find(&h->own, earlier) == tw__uf_find(&h->own, later))
        return 1;
    int dup = ahead_answer(h, &h->ans, earlier, later, &h->rule);
    if (dup <= 0)
        return dup; /* not a near-copy, or (negative) this thread is done */
    tw__uf_union(&h->own, earlier, later);
    uint32_t ra = tw__uf_find_shared(h->uf, earlier), rd = tw__uf_find_shared(h->uf, later);
    if (ra != earlier || rd != later) {
        int rc = ahead_answer(h, &h->roots, ra, rd, &h->root_rule);
        if (rc < 0)
            return rc;
    }
    return 1;
}

typedef struct pair_ctx {
    tw_batch *b;
    tw__uf *uf;
    tw__pair_rule rule, root_rule;
    tw__buf table; /* key table for the exact check, room for the largest set */
    tw__pairset failed; /* pairs whose own check failed: it would fail again */
    ahead_ctx *ahead; /* [1, nahead): the threads checking ahead */
    unsigned nahead;
} pair_ctx;

/* The check of a and b under rule: a thread ahead's answer (in its table
 * of pairs', or of roots'), else made here. */
static int pair_check(pair_ctx *c, int roots, uint32_t a, uint32_t b, const tw__pair_rule *rule)
{
    for (unsigned w = 1; w < c->nahead; w++) {
        int dup = tw__pairans_get(roots ? &c->ahead[w].roots : &c->ahead[w].ans, a, b);
        if (dup >= 0)
            return dup;
    }
    tw__docset x = docset_of(c->b, a), y = docset_of(c->b, b);
    return tw__pair_is_dup(&x, &y, rule, &c->table, NULL);
}

static int on_pair(uint32_t earlier, uint32_t later, void *ctx_)
{
    pair_ctx *c = ctx_;
    if (tw__uf_find(c->uf, earlier) == tw__uf_find(c->uf, later))
        return 1;
    /* proposed again by another band it shares: the check is a function of
     * the two sets alone, so its answer stands (only this first check; the
     * roots' check below depends on the clusters, which grow) */
    if (tw__pairset_has(&c->failed, earlier, later))
        return 0;
    c->b->st.candidates++;
    int dup = pair_check(c, 0, earlier, later, &c->rule);
    if (dup == 0)
        return tw__pairset_add(&c->failed, earlier, later);
    if (dup < 0)
        return dup;
    /* No chaining: the two clusters' earliest members must resemble each
     * other too, at a lower bar, or a run of small edits (or a shared
     * formula) walks from one text to an unrelated one. */
    uint32_t ra = tw__uf_find(c->uf, earlier), rd = tw__uf_find(c->uf, later);
    if (ra != earlier || rd != later) {
        dup = pair_check(c, 1, ra, rd, &c->root_rule);
        if (dup <= 0)
            return dup;
    }
    c->b->st.verified++;
    tw__uf_union(c->uf, earlier, later);
    return 1;
}

/* Frees what ahead_start made. */
static void ahead_end(pair_ctx *ctx, void **actx)
{
    for (unsigned w = 1; ctx->ahead && w < ctx->nahead; w++) {
        tw__uf_free(&ctx->ahead[w].own);
        tw__buf_free(&ctx->ahead[w].table);
        tw__pairans_free(&ctx->ahead[w].ans);
        tw__pairans_free(&ctx->ahead[w].roots);
    }
    free(ctx->ahead);
    free(actx);
    ctx->ahead = NULL;
    ctx->nahead = 0;
}

/* The threads that check pairs ahead of the walk: 1 to threads - 1, at
 * most TW_AHEAD_MAX of them, since each keeps a union-find of its own (4
 * bytes a document: at 64 threads and a million articles, 250 MB), and
 * the walk's own steps bound what they can save (at -j 2 one thread ahead
 * answered half its checks; more could not be measured on 2 cores). Their
 * answers' room is half a pair a document, shared out among them (the
 * walk checks 0.42 a document on SaudiNewsNet), and a quarter of that for
 * roots: 9 bytes a slot, two slots an answer, about 11 bytes a document
 * in all. A thread whose table is full stops. Without memory for them the
 * walk goes alone: *actx stays NULL. */
#define TW_AHEAD_MAX 3
#define TW_AHEAD_MIN_ROOM 4096
static void ahead_start(pair_ctx *ctx, size_t big, void ***actx)
{
    const tw_batch *b = ctx->b;
    unsigned n = b->threads, ahead = n - 1 < TW_AHEAD_MAX ? n - 1 : TW_AHEAD_MAX;
    size_t room = b->docs.len / 2 / ahead;
    if (room < TW_AHEAD_MIN_ROOM)
        room = TW_AHEAD_MIN_ROOM;
    ahead_ctx *h = calloc(ahead + 1, sizeof *h);
    void **p = calloc(n, sizeof *p); /* (one per worker: NULL past the threads ahead) */
    int rc = h && p ? TW_OK : TW_ENOMEM;
    for (unsigned w = 1; w <= ahead && !rc; w++) {
        h[w] = (ahead_ctx){b, ctx->uf, {0}, ctx->rule, ctx->root_rule, {0}, {0}, {0}};
        p[w] = &h[w];
        rc = tw__uf_init(&h[w].own, b->docs.len);
        if (!rc)
            rc = tw__keys_reserve(&h[w].table, big);
        if (!rc)
            rc = tw__pairans_init(&h[w].ans, room);
        if (!rc)
            rc = tw__pairans_init(&h[w].roots, room / 4);
    }
    ctx->ahead = h;
    ctx->nahead = ahead + 1;
    if (rc) {
        ahead_end(ctx, p);
        return;
    }
    *actx = p;
}

/* Step 4: band keys of every document's one or two signatures. Each
 * document is given room for as many as it can have (two signatures' when
 * its set may hold common shingles: which it has is known once it is
 * split), so that a range's entries have a fixed place; then documents are
 * split and signed in parallel. */
typedef struct band_ctx {
    tw_batch *b;
    const tw__pair_rule *rule;
    const size_t *first; /* room for each document's entries starts here */
    size_t *start, *wrote; /* per worker: where its range's entries start, how many */
    tw__lsh_entry *out;
    const tw__oph *oph;
    const split_ctx *split;
} band_ctx;

/* Bit 0: a signature of the rare run; bit 1: one of the whole set. */
static unsigned signatures_of(const tw__docset *d, const tw__pair_rule *rule)
{
    int rare = tw__docset_uses_rare(d, rule);
    return (rare ? 1u : 0u) | (!rare || d->n_low != d->n ? 2u : 0u);
}

/* Document i's entries at o; returns how many. */
static size_t doc_entries(const band_ctx *c, size_t i, tw__lsh_entry *o)
{
    const tw_engine *e = c->b->e;
    int bands = e->bands, rows = e->rows;
    uint32_t sig[2][TW__MH_N];
    tw__lsh_entry *o0 = o;
    tw__docset d = docset_of(c->b, (uint32_t)i);
    unsigned which = signatures_of(&d, c->rule);
    /* one pass over the set for both: the rare run is its prefix */
    tw__oph_sign2(c->oph, d.fp, d.n_low, which & 2u ? d.n : d.n_low, which & 1u ? sig[0] : NULL,
                  which & 2u ? sig[1] : NULL);
    uint64_t key[2][TW__MH_N];
    for (int pass = 0; pass < 2; pass++) {
        if (!(which & (1u << pass)))
            continue;
        tw__lsh_band_keys(sig[pass], bands, rows, e->cfg.seed, key[pass]);
        for (int band = 0; band < bands; band++) {
            /* a band where both signatures agree gives the document one
             * entry: the walk probes a document once per key anyway */
            if (pass == 1 && which & 1u && key[1][band] == key[0][band])
                continue;
            *o++ = (tw__lsh_entry){key[pass][band], (uint32_t)i};
        }
    }
    return (size_t)(o - o0);
}

/* Documents ahead, last to first, whose sets are fetched before they are
 * signed: the sets lie one after the other in memory, and taken backwards
 * each starts a stream the hardware prefetcher has to find anew (at -j 2
 * on SaudiNewsNet, the backward range took 41-46 ms against 31-34 for the
 * forward one; with the sets fetched four documents ahead the step took
 * 38.4 ms against 43.1, medians of fifteen interleaved runs). */
#define TW_BAND_AHEAD 4

static void prefetch_set(const tw_batch *b, size_t i)
{
    tw__docset d = docset_of(b, (uint32_t)i);
    const char *p = (const char *)d.fp, *end = (const char *)(d.fp + d.n);
    for (; p < end; p += 64)
        __builtin_prefetch(p);
}

/* A range's entries back to back in its documents' room: from its start,
 * or, for an even-numbered range with a range after it, up to its end,
 * documents taken last to first, so that it meets the next range's
 * entries and the two need no closing up. */
static int band_range(void *ctx_, unsigned worker, size_t begin, size_t end)
{
    band_ctx *c = ctx_;
    size_t at;
    if (worker % 2 == 0 && end < c->b->docs.len) {
        tw__lsh_entry one[2 * TW__MH_N];
        at = c->first[end];
        for (size_t i = end; i-- > begin;) {
            if (i >= begin + TW_BAND_AHEAD)
                prefetch_set(c->b, i - TW_BAND_AHEAD);
            split_doc(c->split, c->b, worker, i);
            size_t m = doc_entries(c, i, one);
            at -= m;
            memcpy(c->out + at, one, m * sizeof *one);
        }
        c->start[worker] = at;
        c->wrote[worker] = c->first[end] - at;
    } else {
        at = c->first[begin];
        for (size_t i = begin; i < end; i++) {
            split_doc(c->split, c->b, worker, i);
            at += doc_entries(c, i, c->out + at);
        }
        c->start[worker] = c->first[begin];
        c->wrote[worker] = at - c->first[begin];
    }
    return TW_OK;
}

/* The entries go in the clustering's working buffer (the DF buckets, dead
 * by now: memory already touched, no page faults; *entries is a view into
 * work that must not be freed or grown). Each document is given room for
 * all its band keys, signed in parallel, each range of documents writing
 * its entries back to back (ranges 0 and 1 meeting in the middle, as 2
 * and 3 do, and so on),
 * and the pairs of ranges are then closed up: a band where a document's
 * two signatures agree (38% of SaudiNewsNet's entries) is one entry,
 * since the walk probes a document once per key whatever
 * (tw__lsh_pairs), so the candidates are the same, in the same order, for
 * fewer entries to sort. (Closing up every document's room, 29 MB on
 * SaudiNewsNet, was a serial pass of its own; moving the second range
 * down to the first took 3 ms at -j 2.) */
static int band_entries(tw_batch *b, const tw__pair_rule *rule, const tw__fpset *common,
                        tw__buf *work, tw__buf *entries, size_t *touched)
{
    size_t n = b->docs.len, bands = (size_t)b->e->bands;
    unsigned nw = b->threads ? b->threads : 1;
    size_t *first = malloc((n + 1) * sizeof *first);
    size_t *start = calloc(nw, sizeof *start), *wrote = calloc(nw, sizeof *wrote);
    split_ctx split;
    int rc = split_init(&split, b, common, nw);
    if (rc || !first || !start || !wrote) {
        if (!rc)
            split_free(&split);
        free(first);
        free(start);
        free(wrote);
        return TW_ENOMEM;
    }
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        first[i] = w;
        tw__docset d = docset_of(b, (uint32_t)i);
        unsigned which = split.common && d.n ? 3u : signatures_of(&d, rule);
        w += bands * ((which & 1u) + (which >> 1));
    }
    first[n] = w;
    /* (the room a range does not fill is never written: no page faults) */
    size_t room = (w + 1) * sizeof(tw__lsh_entry);
    if (room / sizeof(tw__lsh_entry) != w + 1 || tw__buf_reserve(work, room, 1))
        rc = TW_ENOMEM;
    tw__oph oph;
    tw__oph_init(&oph, b->e->cfg.seed, b->e->bands * b->e->rows);
    band_ctx ctx = {b, rule, first, start, wrote, work->data, &oph, &split};
    if (!rc)
        rc = tw__parallel_for(n, nw, 256, band_range, &ctx);
    /* close up the ranges, in order, from where the first one's start */
    tw__lsh_entry *e = work->data;
    size_t base = start[0], len = 0;
    for (unsigned t = 0; !rc && t < nw; t++) {
        size_t end = (start[t] + wrote[t]) * sizeof *e;
        *touched = end > *touched ? end : *touched;
        if (wrote[t] && base + len != start[t])
            memmove(e + base + len, e + start[t], wrote[t] * sizeof *e);
        len += wrote[t];
    }
    if (!rc)
        *entries = (tw__buf){(tw__lsh_entry *)work->data + base, len, len, 0};
    split_free(&split);
    free(first);
    free(start);
    free(wrote);
    return rc;
}

/* Story clusters over near-copy clusters: each dup root is a unit with its
 * own terms and time; every member inherits its root's story. */
static int cluster_stories(tw_batch *b, tw__buf *arena, size_t narena)
{
    size_t n = b->docs.len;
    const tw__doc *docs = b->docs.data;
    const tw__term *terms = b->terms.data;
    size_t nunits = 0;
    b->unit_of = malloc((n ? n : 1) * sizeof *b->unit_of);
    b->story = malloc((n ? n : 1) * sizeof *b->story);
    tw__story_unit *units = malloc((n ? n : 1) * sizeof *units);
    uint32_t *ustory = malloc((n ? n : 1) * sizeof *ustory);
    uint32_t *first = malloc((n ? n : 1) * sizeof *first);
    uint32_t *size = calloc(n ? n : 1, sizeof *size);
    int rc = (b->unit_of && b->story && units && ustory && first && size) ? TW_OK : TW_ENOMEM;
    int64_t last_time = 0;
    for (size_t i = 0; !rc && i < n; i++) {
        /* documents without a time take the last known one (input order) */
        int known = docs[i].time != TW_TIME_NONE;
        int64_t t = known ? docs[i].time : last_time;
        int64_t ev = known ? docs[i].event : last_time;
        last_time = t;
        if (b->dup[i] == i) {
            units[nunits] = (tw__story_unit){terms + docs[i].toff, docs[i].nterms, t, ev};
            b->unit_of[i] = (uint32_t)nunits++;
        } else {
            b->unit_of[i] = b->unit_of[b->dup[i]];
        }
    }
    /* the vectors are written over the documents' terms, which nothing
     * reads after this (26 MB less memory touched on SaudiNewsNet) */
    if (!rc)
        rc = tw__story_vectors_in(units, nunits, b->terms.data, &b->vecs);
    if (!rc && b->vecs.terms_lent)
        b->spent = 1;
    tw__story_params p = {b->e->cfg.story_threshold,
                          (int64_t)(b->e->cfg.story_window_days * 86400.0),
                          b->e->cfg.story_decay_days * 86400.0};
    if (!rc)
        rc = tw__story_cluster(units, nunits, &b->vecs, &p, b->threads, arena, narena, ustory);
    if (!rc) {
        /* name each story by its earliest document in input order */
        for (size_t k = 0; k < nunits; k++)
            first[k] = UINT32_MAX;
        for (size_t i = 0; i < n; i++) {
            uint32_t st = ustory[b->unit_of[i]];
            if (first[st] == UINT32_MAX)
                first[st] = (uint32_t)i;
            b->story[i] = first[st];
            size[st]++;
        }
        for (size_t k = 0; k < nunits; k++)
            if (size[k] >= 2) {
                b->st.story_clusters++;
                b->st.story_clustered_docs += size[k];
                if (size[k] > b->st.largest_story)
                    b->st.largest_story = size[k];
            }
    }
    free(units);
    free(ustory);
    free(first);
    free(size);
    return rc;
}

int tw_batch_cluster(tw_batch *b)
{
    if (!b)
        return TW_EINVAL;
    if (b->clustered || b->spent)
        return TW_ESTATE;
    size_t n = b->docs.len;
    tw__uf uf = {0};
    tw__fpset common = {0};
    tw__buf entries = {0}; /* a view into work */
    tw__buf work = {0};    /* bytes: the DF buckets, then the LSH entries */
    uint8_t *distinct = calloc(n ? n : 1, 1);
    int rc = distinct ? tw__uf_init(&uf, n) : TW_ENOMEM;
    tw__pair_rule rule = {b->e->cfg.threshold, b->e->cfg.template_share};
    memset(&b->st, 0, sizeof b->st);
    double t = tw__seconds(), t1;
    if (!rc)
        rc = join_exact(b, &uf, distinct);
    b->st.exact_s = (t1 = tw__seconds()) - t;
    if (!rc)
        rc = find_common(b, distinct, &common, &work);
    b->st.common_s = (t = tw__seconds()) - t1;
    b->st.common_shingles = common.count;
    /* what of the working buffer is used: the DF step's capacity, or the
     * band keys' room as far as it is written, whichever is more (the room
     * left empty, for bands where a document's two signatures agree and for
     * second signatures a set turned out not to need, is never touched:
     * counted, SaudiNewsNet's near-copy job at -j 1 held 68.2 MB, not 54.1) */
    size_t work_bytes = work.cap;
    if (!rc)
        rc = band_entries(b, &rule, &common, &work, &entries, &work_bytes);
    tw__fpset_free(&common);
    /* (split_s stays 0: the split's time is the band keys') */
    b->st.bands_s = (t1 = tw__seconds()) - t;
    t = t1;
    if (!rc) {
        pair_ctx ctx = {b, &uf, rule, {rule.threshold * TW_ROOT_FACTOR, rule.template_share},
                        {0}, {0}, NULL, 0};
        size_t big = largest_set(b);
        rc = tw__keys_reserve(&ctx.table, big);
        void **actx = NULL;
        if (!rc && b->threads > 1)
            ahead_start(&ctx, big, &actx);
        if (!rc)
            rc = tw__lsh_pairs_ahead(entries.data, entries.len, TW_LSH_MAX_PROBE, b->threads,
                                     on_pair, &ctx, actx ? ahead_pair : NULL, actx);
        ahead_end(&ctx, actx);
        tw__buf_free(&ctx.table);
        tw__pairset_free(&ctx.failed);
    }
    if (!rc) {
        b->dup = malloc((n ? n : 1) * sizeof *b->dup);
        if (!b->dup)
            rc = TW_ENOMEM;
    }
    if (!rc) {
        /* Roots are the earliest members; a member's root precedes it. */
        uint32_t *size = calloc(n ? n : 1, sizeof *size);
        if (!size) {
            rc = TW_ENOMEM;
        } else {
            for (size_t i = 0; i < n; i++) {
                b->dup[i] = tw__uf_find(&uf, (uint32_t)i);
                size[b->dup[i]]++;
            }
            for (size_t i = 0; i < n; i++)
                if (size[i] >= 2) {
                    b->st.dup_clusters++;
                    b->st.dup_clustered_docs += size[i];
                }
            free(size);
        }
    }
    b->st.pairs_s = (t1 = tw__seconds()) - t;
    /* Nothing reads the shingle sets after the pairs (tw_batch_explain
     * reads its two documents anew). Their memory and the working
     * buffer's, both faulted in already, lend the story walk its postings
     * (SaudiNewsNet: 8.1k fewer page faults than with the working buffer
     * alone; a fresh page cost about 4 us here), and both are given back
     * after: a batch kept for its answers holds 4 bytes a shingle less. */
    const size_t fps_bytes = b->fps.cap * sizeof(uint32_t);
    if (!rc && b->e->cfg.story) {
        tw__buf lend[2] = {work, {b->fps.data, 0, fps_bytes, 0}};
        b->spent = 1; /* the walk writes over the sets */
        rc = cluster_stories(b, lend, 2);
    }
    tw__buf_free(&work);
    if (!rc || b->spent) /* (kept for another try when the dup steps failed) */
        tw__buf_free(&b->fps);
    b->st.story_s = b->e->cfg.story ? tw__seconds() - t1 : 0.0;
    b->st.documents = n;
    b->st.bands = b->e->bands;
    b->st.rows = b->e->rows;
    /* what the batch holds (sets, records, results, story terms and
     * vectors) plus the largest transient buffer (the DF buckets, then the
     * LSH entries) */
    b->st.memory_bytes = sizeof *b + fps_bytes +
                         b->docs.cap * sizeof(tw__doc) + n * sizeof(uint32_t) + work_bytes +
                         b->terms.cap * sizeof(tw__term) +
                         (b->story ? 2 * n * sizeof(uint32_t) : 0) +
                         (b->vecs.off ? (b->vecs.n + 1) * sizeof(size_t) +
                                            b->vecs.off[b->vecs.n] *
                                                ((b->vecs.terms_lent ? 0 : sizeof(tw__term)) +
                                                 sizeof(uint32_t))
                                      : 0);
    tw__uf_free(&uf);
    free(distinct);
    if (rc) {
        free(b->dup);
        free(b->story);
        free(b->unit_of);
        b->dup = b->story = b->unit_of = NULL;
        tw__story_vecs_free(&b->vecs);
        return rc;
    }
    b->clustered = 1;
    return TW_OK;
}

size_t tw_batch_story(const tw_batch *b, size_t i)
{
    if (!b || !b->clustered || !b->story || i >= b->docs.len)
        return (size_t)-1;
    return b->story[i];
}

size_t tw_batch_dup(const tw_batch *b, size_t i)
{
    if (!b || !b->clustered || i >= b->docs.len)
        return (size_t)-1;
    return b->dup[i];
}

int tw_batch_stats_get(const tw_batch *b, tw_batch_stats *st)
{
    if (!b || !st)
        return TW_EINVAL;
    *st = b->st;
    if (!b->clustered) {
        st->documents = b->docs.len;
        st->bands = b->e->bands;
        st->rows = b->e->rows;
    }
    return TW_OK;
}

typedef struct label_ctx {
    tw__buf *labels; /* label entries */
} label_ctx;

typedef struct label {
    uint32_t h;
    int is_name;
    char text[96];
} label;

static void on_label(uint32_t h, const uint8_t *text, size_t len, int is_name, void *ctx_)
{
    label_ctx *c = ctx_;
    label *l = c->labels->data;
    for (size_t i = 0; i < c->labels->len; i++)
        if (l[i].h == h)
            return;
    if (tw__buf_reserve(c->labels, c->labels->len + 1, sizeof(label)))
        return; /* a missing label is shown as "?" */
    l = c->labels->data;
    label *n = &l[c->labels->len++];
    n->h = h;
    n->is_name = is_name;
    if (len >= sizeof n->text)
        len = sizeof n->text - 1;
    memcpy(n->text, text, len);
    n->text[len] = 0;
}

typedef struct contrib {
    uint32_t h;
    double c;
} contrib;

static int cmp_contrib(const void *a_, const void *b_)
{
    const contrib *a = a_, *b = b_;
    return (a->c < b->c) - (a->c > b->c);
}

int tw_batch_explain(const tw_batch *b, tw_scratch *s, size_t ia, const tw_doc *a, size_t ib,
                     const tw_doc *b_doc, tw_story_explanation *out)
{
    if (!b || !s || !a || !b_doc || !out || s->e != b->e)
        return TW_EINVAL;
    if (!b->clustered || !b->story)
        return TW_ESTATE;
    if (ia >= b->docs.len || ib >= b->docs.len)
        return TW_ERANGE;
    memset(out, 0, sizeof *out);
    const tw__doc *docs = b->docs.data;
    uint32_t ua = b->unit_of[ia], ub = b->unit_of[ib];
    tw__story_params p = {b->e->cfg.story_threshold,
                          (int64_t)(b->e->cfg.story_window_days * 86400.0),
                          b->e->cfg.story_decay_days * 86400.0};
    out->threshold = p.threshold;
    out->cosine = ua == ub ? 1.0 : tw__story_cosine(&b->vecs, ua, ub);
    if (docs[ia].time == TW_TIME_NONE || docs[ib].time == TW_TIME_NONE) {
        out->gap_days = NAN;
        out->time_factor = 1.0;
    } else {
        tw__story_unit x = {NULL, 0, docs[ia].time, docs[ia].event};
        tw__story_unit y = {NULL, 0, docs[ib].time, docs[ib].event};
        int64_t dt = tw__story_gap(&x, &y);
        out->gap_days = (double)dt / 86400.0;
        out->time_factor = tw__story_time_factor(&p, dt);
    }
    out->score = out->cosine * out->time_factor;
    out->same_story = b->story[ia] == b->story[ib];
    out->same_dup = b->dup[ia] == b->dup[ib];

    /* shared features and their contributions */
    const tw__story_vecs *v = &b->vecs;
    const tw__term *x = v->terms + v->off[ua], *y = v->terms + v->off[ub];
    size_t nx = v->off[ua + 1] - v->off[ua], ny = v->off[ub + 1] - v->off[ub], i = 0, j = 0;
    contrib *cs = malloc((nx < ny ? nx : ny) * sizeof *cs + 1);
    if (!cs)
        return TW_ENOMEM;
    size_t nc = 0;
    while (i < nx && j < ny) {
        if (x[i].h < y[j].h)
            i++;
        else if (x[i].h > y[j].h)
            j++;
        else {
            cs[nc++] = (contrib){x[i].h, (double)x[i].w * y[j].w};
            i++;
            j++;
        }
    }
    out->shared = nc;
    qsort(cs, nc, sizeof *cs, cmp_contrib);
    /* labels: the two documents' features again, this time with their words */
    tw__buf labels = {0};
    label_ctx lc = {&labels};
    int rc = TW_OK;
    const tw_doc *both[2] = {a, b_doc};
    for (int k = 0; k < 2 && !rc; k++) {
        rc = tw__prepare(s, both[k], 1, on_label, &lc, NULL);
    }
    if (rc == TW_ENOTEXT)
        rc = TW_OK;
    size_t top = sizeof out->top / sizeof out->top[0];
    for (size_t k = 0; k < nc && out->ntop < top; k++) {
        const label *l = labels.data;
        const label *hit = NULL;
        for (size_t q = 0; q < labels.len; q++)
            if (l[q].h == cs[k].h) {
                hit = &l[q];
                break;
            }
        snprintf(out->top[out->ntop].text, sizeof out->top[0].text, "%s", hit ? hit->text : "?");
        out->top[out->ntop].is_name = hit ? hit->is_name : 0;
        out->top[out->ntop].contribution = cs[k].c;
        out->ntop++;
    }
    free(cs);
    tw__buf_free(&labels);
    return rc;
}
