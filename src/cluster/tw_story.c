/*
 * tw_story.c — story clustering: which independent rewrites report the
 * same event.
 *
 * Units are near-copy clusters (their earliest member stands for them), so
 * story clusters contain dup clusters by construction. Each unit is a
 * TF-IDF vector over its story terms (IDF from the collection; terms seen
 * in one unit only, or in more than a tenth of them, are dropped: they can
 * not tell two events apart). Units are taken in time order; each joins the
 * earlier story whose members, within the time window, are on average
 * similar enough to it, or starts a new story. Average similarity to a
 * whole cluster, not to its nearest member, is what keeps a thread of
 * related events (a meeting, next week's follow-up) from chaining into one
 * story; the time decay does the rest.
 *
 * Candidates come from an inverted index walked backwards in time, never
 * from all pairs: a unit meets only the units that share a term with it
 * inside the window.
 */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include "cluster/tw_cluster.h"

/* Four postings a step while the fourth one back is still in the window
 * (positions ascend along a list, so the three after it are too): one test
 * of the window's edge per four postings, where a test and a branch each
 * was half the loop's instructions (12 a posting; this loop is a third of
 * story mode's instructions on SaudiNewsNet). The adds are those of the
 * one-at-a-time loop: each position of a list is added to once. */
void tw__story_acc_scalar(const tw__posting *pb, size_t start, size_t end, uint32_t lo, float xw,
                          float *acc)
{
    size_t q = end;
    while (q - start >= 4 && pb[q - 4].pos >= lo) {
        const tw__posting *p = pb + q - 4;
        acc[p[3].pos] += xw * p[3].w;
        acc[p[2].pos] += xw * p[2].w;
        acc[p[1].pos] += xw * p[1].w;
        acc[p[0].pos] += xw * p[0].w;
        q -= 4;
    }
    while (q > start && pb[q - 1].pos >= lo) {
        q--;
        acc[pb[q].pos] += xw * pb[q].w;
    }
}

tw__story_acc_fn tw__story_acc_for(tw__isa isa)
{
    return TW__AVX512_OR(isa, tw__story_acc_avx512, tw__story_acc_scalar);
}

/* Distinct terms are a small part of all terms (a tenth on SaudiNewsNet),
 * so the map starts small and doubles when half full: sized for every
 * term instead, it was tens of MB and a cache miss a term. A slot holds
 * the term, its document frequency and its dense number side by side, so
 * that a probe and what it finds are one cache line (three arrays were
 * three misses a term occurrence: the story vectors had a quarter of story
 * mode's last-level misses). */
typedef struct term_slot {
    uint32_t key; /* 0: empty */
    uint32_t df;  /* units holding the term */
    uint32_t id;  /* its dense number + 1 among the kept terms; 0: none yet */
} term_slot;

typedef struct termmap {
    term_slot *slot;
    size_t mask, used;
} termmap;

static int map_alloc(termmap *m, size_t cap)
{
    m->slot = calloc(cap, sizeof *m->slot);
    m->mask = cap - 1;
    return m->slot ? TW_OK : TW_ENOMEM;
}

static void map_free(termmap *m)
{
    free(m->slot);
}

static int map_init(termmap *m)
{
    m->used = 0;
    return map_alloc(m, 1u << 12);
}

/* The slot of key h, or the empty one where it goes. */
_Static_assert(offsetof(term_slot, key) == 0, "tw__key_slot_in reads a slot's key first");
static inline size_t map_find(const termmap *m, uint32_t h)
{
    return tw__key_slot_in(m->slot, sizeof *m->slot, m->mask, h);
}

/* The slot of key h, inserting it (zero counts) when absent; SIZE_MAX when
 * out of memory. Slots move when the map grows: a slot is good until the
 * next insertion. */
static size_t map_slot(termmap *m, uint32_t h)
{
    size_t i = map_find(m, h);
    if (m->slot[i].key)
        return i;
    if (2 * (m->used + 1) > m->mask + 1) {
        termmap g;
        if (map_alloc(&g, 2 * (m->mask + 1))) {
            map_free(&g);
            return SIZE_MAX;
        }
        for (size_t j = 0; j <= m->mask; j++)
            if (m->slot[j].key)
                g.slot[map_find(&g, m->slot[j].key)] = m->slot[j];
        g.used = m->used;
        map_free(m);
        *m = g;
        i = map_find(m, h);
    }
    m->slot[i].key = h;
    m->used++;
    return i;
}

/* The map's line for key h, fetched ahead of its probe. */
static inline void map_prefetch(const termmap *m, uint32_t h)
{
    __builtin_prefetch(m->slot + tw__key_home(m->mask, h));
}

#define TW_MAP_AHEAD 16

/* Pairs less similar than this are not kept as edges: they cannot make a
 * story and only slow the merging (they would count as 0 in averages). */
#define TW_STORY_EDGE_MIN 0.05

/* |a - b|, saturated at INT64_MAX (a library caller may give any times). */
static int64_t absdiff(int64_t a, int64_t b)
{
    uint64_t d = a > b ? (uint64_t)a - (uint64_t)b : (uint64_t)b - (uint64_t)a;
    return d > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)d;
}

/* The gap between reports published at at and bt, with event guesses ae
 * and be. */
static int64_t gap_of(int64_t at, int64_t ae, int64_t bt, int64_t be)
{
    int64_t g = absdiff(at, bt), h;
    if ((h = absdiff(ae, bt)) < g)
        g = h;
    if ((h = absdiff(at, be)) < g)
        g = h;
    if ((h = absdiff(ae, be)) < g)
        g = h;
    return g;
}

int64_t tw__story_gap(const tw__story_unit *a, const tw__story_unit *b)
{
    return gap_of(a->time, a->event, b->time, b->event);
}

double tw__story_time_factor(const tw__story_params *p, int64_t dt)
{
    if (dt < 0)
        dt = -dt;
    if (dt > p->window)
        return 0.0;
    return exp(-(double)dt / p->decay);
}

int tw__story_vectors(const tw__story_unit *u, size_t n, tw__story_vecs *v)
{
    return tw__story_vectors_in(u, n, NULL, v);
}

int tw__story_vectors_in(const tw__story_unit *u, size_t n, tw__term *room, tw__story_vecs *v)
{
    memset(v, 0, sizeof *v);
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += u[i].nterms;
    termmap df = {0};
    int rc = map_init(&df);
    v->off = malloc((n + 1) * sizeof *v->off);
    /* (every allocation happens before the first write: on failure the
     * units' terms are as they were) */
    v->terms_lent = room != NULL;
    v->terms = room ? room : malloc((total ? total : 1) * sizeof *v->terms);
    if (!tw__buf_reserve_empty(&v->id_mem, total ? total : 1, sizeof *v->id))
        v->id = v->id_mem.data;
    if (rc || !v->off || !v->terms || !v->id || total >= UINT32_MAX) {
        map_free(&df);
        tw__story_vecs_free(v);
        return TW_ENOMEM;
    }
    /* document frequency over units, counted in the map's value slots */
    for (size_t i = 0; i < n; i++)
        for (uint32_t k = 0; k < u[i].nterms; k++) {
            if (k + TW_MAP_AHEAD < u[i].nterms)
                map_prefetch(&df, u[i].terms[k + TW_MAP_AHEAD].h);
            size_t slot = map_slot(&df, u[i].terms[k].h);
            if (slot == SIZE_MAX) {
                map_free(&df);
                tw__story_vecs_free(v);
                return TW_ENOMEM;
            }
            df.slot[slot].df++;
        }
    double N = (double)n;
    uint32_t maxdf = (uint32_t)(n / 10 > 50 ? n / 10 : 50), ids = 0;
    /* IDF by document frequency, computed once per frequency (a log a term
     * occurrence was a third of this function's time) */
    double *idf = malloc(((size_t)maxdf + 1) * sizeof *idf);
    if (!idf) {
        map_free(&df);
        tw__story_vecs_free(v);
        return TW_ENOMEM;
    }
    for (uint32_t d = 2; d <= maxdf; d++)
        idf[d] = log(N / d);
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        v->off[i] = w;
        double norm = 0;
        size_t start = w;
        for (uint32_t k = 0; k < u[i].nterms; k++) {
            if (k + TW_MAP_AHEAD < u[i].nterms)
                map_prefetch(&df, u[i].terms[k + TW_MAP_AHEAD].h);
            term_slot *ts = &df.slot[map_find(&df, u[i].terms[k].h)];
            uint32_t d = ts->df;
            if (d < 2 || d > maxdf)
                continue;
            /* raw term frequency: a report repeats the words of its event
             * (measured on the ANT dev pairs: pair AUC 0.947 against 0.941
             * with 1 + log tf) */
            double wt = u[i].terms[k].w * idf[d];
            if (wt <= 0)
                continue;
            if (!ts->id)
                ts->id = ++ids;
            v->id[w] = ts->id - 1;
            v->terms[w++] = (tw__term){u[i].terms[k].h, (float)wt};
            norm += wt * wt;
        }
        if (norm > 0) {
            float inv = (float)(1.0 / sqrt(norm));
            for (size_t k = start; k < w; k++)
                v->terms[k].w *= inv;
        }
    }
    v->off[n] = w;
    v->n = n;
    v->nids = ids;
    map_free(&df);
    free(idf);
    return TW_OK;
}

void tw__story_vecs_free(tw__story_vecs *v)
{
    if (!v)
        return;
    free(v->off);
    if (!v->terms_lent)
        free(v->terms);
    tw__buf_free(&v->id_mem);
    memset(v, 0, sizeof *v);
}

double tw__story_cosine(const tw__story_vecs *v, size_t a, size_t b)
{
    const tw__term *x = v->terms + v->off[a], *y = v->terms + v->off[b];
    size_t nx = v->off[a + 1] - v->off[a], ny = v->off[b + 1] - v->off[b], i = 0, j = 0;
    double dot = 0;
    while (i < nx && j < ny) {
        if (x[i].h < y[j].h)
            i++;
        else if (x[i].h > y[j].h)
            j++;
        else
            dot += (double)x[i++].w * y[j++].w;
    }
    return dot;
}

typedef struct order_ref {
    int64_t time;
    size_t unit;
} order_ref;

static int cmp_order(const void *a_, const void *b_)
{
    const order_ref *a = a_, *b = b_;
    if (a->time != b->time)
        return a->time < b->time ? -1 : 1;
    return (a->unit > b->unit) - (a->unit < b->unit);
}

typedef struct edge {
    uint32_t a, b; /* a < b: units, or clusters during merging */
    float sim;
} edge;

/* Sorts edges by (a, b), stably: parallel edges keep their order, so their
 * sums are those of a stable comparison sort (glibc's merge sort, which
 * this replaced: 20% of story time on SaudiNewsNet went to it). LSD radix
 * over digits of b then a, skipping digits no end reaches: 16-bit digits
 * for many edges, 8-bit ones for few (most agglomeration rounds move a
 * handful of edges, and clearing 65,536 counters twice a round was most of
 * what a round cost: 19M of 1,100M instructions on 3,000 articles). */
static int sort_edges(edge *e, size_t n, uint32_t max_end, tw__buf *scratch)
{
    if (n < 2)
        return TW_OK;
    const int bits = n < 4096 ? 8 : 16;
    const size_t buckets = (size_t)1 << bits;
    /* (the scratch is kept across rounds: the first round's is a big
     * array, a mapping, faulted in once) */
    if (tw__buf_reserve_empty(scratch, n, sizeof(edge)))
        return TW_ENOMEM;
    edge *tmp = scratch->data;
    size_t *count = malloc(buckets * sizeof *count);
    if (!count)
        return TW_ENOMEM;
    int digits = 1;
    while (digits * bits < 32 && (max_end >> (digits * bits)) != 0)
        digits++;
    edge *src = e, *dst = tmp;
    for (int pass = 0; pass < 2 * digits; pass++) {
        int shift = bits * (pass % digits), by_a = pass >= digits;
        memset(count, 0, buckets * sizeof *count);
        TW_UNROLL4
        for (size_t i = 0; i < n; i++)
            count[((by_a ? src[i].a : src[i].b) >> shift) & (buckets - 1)]++;
        tw__offsets(count, buckets);
        TW_UNROLL4
        for (size_t i = 0; i < n; i++)
            dst[count[((by_a ? src[i].a : src[i].b) >> shift) & (buckets - 1)]++] = src[i];
        edge *t = src;
        src = dst;
        dst = t;
    }
    /* an even number of passes: the result is back in e */
    free(count);
    return TW_OK;
}

/* Step 1: similarity edges between units within the window, from an
 * inverted index. The postings of every term are laid out first, in time
 * order; then each unit walks back, term by term, over the postings of
 * earlier units inside its window, accumulating dot products. Units are
 * independent in that walk, so ranges of them run in parallel, each with
 * its own accumulator and edge list; the lists are joined in time order,
 * which gives the edges (and their order) of a one-thread walk. */
typedef struct walk_ctx {
    const tw__story_unit *u;
    const tw__story_vecs *v;
    const tw__story_params *p;
    const tw__posting *post; /* every term's postings, list after list */
    const uint32_t *list;    /* per term of a unit: where its term's list starts in post */
    const uint32_t *self;    /* per term of a unit: where its own posting is in post */
    const int64_t *tpos;     /* time of each position */
    const int64_t *epos;     /* event guess of each position */
    const uint32_t *unit_at; /* unit at each position */
    size_t n;
    tw__buf *edges;          /* per worker */
    float **acc;             /* per worker: n dot products, zero between units */
    tw__story_acc_fn accumulate; /* the active instruction set's */
    int vec_scan;                /* block_edges with vectors (not forced scalar) */
} walk_ctx;

#define TW_SCAN_BLOCK 16

/* Which of the n (at most TW_SCAN_BLOCK) dot products at acc reach the
 * edge minimum, a bit each. gcc does not vectorize the plain loop (16
 * compares, sets and ors: half the walk's own instructions on SaudiNewsNet,
 * whose 3-day windows hold 3,300 reports on average), so a whole block,
 * with SSE2 (every x86-64 has it), is four compares and four masks. The
 * plain loop is the reference: TAWAM_FORCE_ISA=scalar takes it (vec 0),
 * so the tests that force it compare the two. */
static inline unsigned block_edges(const float *acc, size_t n, int vec)
{
    unsigned m = 0;
#if defined(__SSE2__)
    if (vec && n == TW_SCAN_BLOCK) {
        const __m128 t = _mm_set1_ps((float)TW_STORY_EDGE_MIN);
        for (int q = 0; q < 4; q++)
            m |= (unsigned)_mm_movemask_ps(_mm_cmpge_ps(_mm_loadu_ps(acc + 4 * q), t)) << (4 * q);
        return m;
    }
#endif
    for (size_t j = 0; j < n; j++)
        m |= (unsigned)(acc[j] >= (float)TW_STORY_EDGE_MIN) << j;
    return m;
}

/* Prefetching in the walk: lists this many terms ahead, this many
 * postings of each. */
#define TW_WALK_AHEAD 10
#define TW_WALK_PREFETCH 96

static int walk_range(void *ctx_, unsigned worker, size_t begin, size_t end)
{
    walk_ctx *c = ctx_;
    tw__buf *edges = &c->edges[worker];
    float *acc = c->acc[worker];
    if (!acc && !(acc = c->acc[worker] = calloc(c->n ? c->n : 1, sizeof *acc)))
        return TW_ENOMEM;
    int rc = TW_OK;
    for (size_t pi = begin; pi < end && !rc; pi++) {
        size_t un = c->unit_at[pi];
        /* The earliest report that can be inside the window: one published
         * at least `window` before this one's earlier guess at its event.
         * (Every guess is at most the publication time, so an earlier
         * report's own guess only takes it further away.) Most reports
         * make no guess: the walk goes back the window, not the window
         * plus the two days a guess can reach. */
        const tw__story_unit *me = &c->u[un];
        int64_t early = me->event < me->time ? me->event : me->time;
        int64_t from = early < INT64_MIN + c->p->window ? INT64_MIN : early - c->p->window;
        size_t lo = 0, hi = pi;
        while (lo < hi) {
            size_t m = (lo + hi) / 2;
            if (c->tpos[m] < from)
                lo = m + 1;
            else
                hi = m;
        }
        const tw__term *x = c->v->terms + c->v->off[un];
        size_t nx = c->v->off[un + 1] - c->v->off[un];
        const uint32_t *list = c->list + c->v->off[un], *self = c->self + c->v->off[un];
        for (size_t k = 0; k < nx; k++) {
            /* the earlier units' postings: from its own back to the list's start
             * (where each term's list is was found once, not hashed here) */
            const tw__posting *pb = c->post;
            size_t start = list[k];
            float xw = x[k].w;
            if (k + TW_WALK_AHEAD < nx) {
                /* the lists lie far apart in memory, and a walk is too
                 * short (85 postings on average) for the hardware prefetcher
                 * to catch up: fetch the first lines of a list a few terms
                 * ahead (the walk was waiting on memory most of its time) */
                size_t a = self[k + TW_WALK_AHEAD], s0 = list[k + TW_WALK_AHEAD];
                size_t len = a - s0 < TW_WALK_PREFETCH ? a - s0 : TW_WALK_PREFETCH;
                for (size_t d = 0; d < len; d += 8)
                    __builtin_prefetch(pb + a - 1 - d);
            }
            c->accumulate(pb, start, self[k], (uint32_t)lo, xw, acc);
        }
        /* the dot products gathered are those of the window [lo, pi): read
         * them off in order (a scan of contiguous floats, cheaper than
         * keeping a list of which were touched: about as many entries,
         * and no branch per posting). Most are below the edge minimum, so
         * blocks of 16 are tested at once (block_edges) and only the dot
         * products that reach the minimum are looked at, in order; the
         * window is cleared in one go after. */
        for (size_t o0 = lo; o0 < pi && !rc; o0 += TW_SCAN_BLOCK) {
            unsigned hits = block_edges(acc + o0, pi - o0 < TW_SCAN_BLOCK ? pi - o0 : TW_SCAN_BLOCK,
                                        c->vec_scan);
            for (; hits; hits &= hits - 1) {
                /* the time factor is at most 1: below the minimum, no edge and no exp() */
                size_t other = o0 + (size_t)__builtin_ctz(hits);
                float dot = acc[other];
                /* the times by position, read in the window's order (through
                 * unit_at, a random load a dot product: a tenth of the walk) */
                double sim = dot * tw__story_time_factor(
                                       c->p, gap_of(c->tpos[other], c->epos[other], me->time, me->event));
                if (sim < TW_STORY_EDGE_MIN)
                    continue;
                uint32_t ua = c->unit_at[other], ub = (uint32_t)un;
                if (tw__buf_reserve(edges, edges->len + 1, sizeof(edge))) {
                    rc = TW_ENOMEM;
                    break;
                }
                ((edge *)edges->data)[edges->len++] =
                    (edge){ua < ub ? ua : ub, ua < ub ? ub : ua, (float)sim};
            }
        }
        if (pi > lo)
            memset(acc + lo, 0, (pi - lo) * sizeof *acc);
    }
    return rc;
}

/* Units a worker claims at a time: later units have more earlier ones in
 * their window when the feed thickens (SaudiNewsNet's halves by time took
 * 0.28 and 0.46 s); the edges do not depend on who found them, since
 * every pair is found once and sort_edges orders them by their ends. */
#define TW_WALK_GRAIN 128

typedef struct term_list {
    uint32_t start, next;
} term_list;

/* The layout of the walk's index: every term's postings in time order,
 * list after list. Ranges of positions (time order) are laid out in
 * parallel: each worker counts its range's postings per term, the counts
 * give every worker its place in each list after the earlier ranges' (so
 * every list stays in time order, whatever the split), and each worker
 * scatters its range (a cache miss a term occurrence, a tenth of story
 * clustering with one thread). */
typedef struct layout_ctx {
    const tw__story_unit *u;
    const tw__story_vecs *v;
    const order_ref *ord;
    term_list **tl; /* per worker, per term: where its list starts, where
                       the worker's next posting goes (counts at first) */
    tw__posting *post;
    uint32_t *list, *self;
    int64_t *tpos, *epos;
    uint32_t *unit_at;
    int write;
} layout_ctx;

static int layout_range(void *ctx_, unsigned worker, size_t begin, size_t end)
{
    layout_ctx *c = ctx_;
    const tw__story_vecs *v = c->v;
    term_list *tl = c->tl[worker];
    for (size_t pi = begin; pi < end; pi++) {
        size_t un = c->ord[pi].unit;
        if (!c->write) {
            TW_UNROLL4
            for (size_t k = v->off[un]; k < v->off[un + 1]; k++)
                tl[v->id[k]].next++;
            continue;
        }
        c->tpos[pi] = c->ord[pi].time;
        c->epos[pi] = c->u[un].event;
        c->unit_at[pi] = (uint32_t)un;
        for (size_t k = v->off[un]; k < v->off[un + 1]; k++) {
            term_list *t = &tl[v->id[k]];
            c->list[k] = t->start;
            c->self[k] = t->next;
            c->post[t->next++] = (tw__posting){(uint32_t)pi, v->terms[k].w};
        }
    }
    return TW_OK;
}

/* Positions a layout worker takes at least. */
#define TW_LAYOUT_MIN 2048

static int layout(layout_ctx *c, size_t n, unsigned threads)
{
    uint32_t distinct = c->v->nids;
    int rc = tw__parallel_for(n, threads, TW_LAYOUT_MIN, layout_range, c);
    uint32_t sum = 0;
    for (uint32_t d = 0; !rc && d < distinct; d++) {
        uint32_t start = sum;
        for (unsigned w = 0; w < threads; w++) {
            uint32_t count = c->tl[w][d].next;
            c->tl[w][d] = (term_list){start, sum};
            sum += count;
        }
    }
    c->write = 1;
    return rc ? rc : tw__parallel_for(n, threads, TW_LAYOUT_MIN, layout_range, c);
}

/* bytes of the first of the arenas where they fit after what is used
 * (used[k]), else NULL */
static void *carve(tw__buf *arena, size_t narena, size_t *used, size_t bytes)
{
    for (size_t k = 0; k < narena; k++) {
        size_t at = (used[k] + 7) & ~(size_t)7;
        if (at > arena[k].cap || bytes > arena[k].cap - at)
            continue;
        used[k] = at + bytes;
        return (char *)arena[k].data + at;
    }
    return NULL;
}

static int build_edges(const tw__story_unit *u, size_t n, const tw__story_vecs *v,
                       const tw__story_params *p, unsigned threads, tw__buf *arena,
                       size_t narena, tw__buf *edges)
{
    int rc = TW_OK;
    order_ref *ord = malloc((n ? n : 1) * sizeof *ord);
    size_t nt = v->off[n];
    /* per layout worker and distinct term: where its list starts in post,
     * and where the worker's next posting goes, side by side (the scatter
     * takes one cache miss a term occurrence, not one an array) */
    term_list **tl = NULL;
    unsigned lw = 1; /* the layout's workers */
    tw__posting *post = NULL, *post_a = NULL; /* _a: in the arena */
    uint32_t *self = NULL, *list = NULL, *self_a = NULL, *list_a = NULL;
    int64_t *tpos = NULL, *epos = NULL;
    uint32_t *unit_at = NULL;
    tw__buf *parts = NULL;
    float **acc = NULL;
    if (threads < 1)
        threads = 1;
    if (!ord || nt >= UINT32_MAX) {
        rc = TW_ENOMEM;
        goto done;
    }
    lw = tw__parallel_ranges(n, threads, TW_LAYOUT_MIN);
    tl = calloc(lw, sizeof *tl);
    for (unsigned w = 0; tl && w < lw; w++)
        if (!(tl[w] = calloc(v->nids + 1, sizeof **tl))) {
            rc = TW_ENOMEM;
            goto done;
        }
    /* the postings and their two indexes, the largest arrays here, in the
     * caller's arenas as far as they hold them (memory touched already: no
     * page faults) */
    size_t used[TW_STORY_ARENAS] = {0}, m = nt ? nt : 1;
    if (narena > TW_STORY_ARENAS)
        narena = TW_STORY_ARENAS;
    post_a = carve(arena, narena, used, m * sizeof *post);
    self_a = carve(arena, narena, used, m * sizeof *self);
    list_a = carve(arena, narena, used, m * sizeof *list);
    post = post_a ? post_a : malloc(m * sizeof *post);
    self = self_a ? self_a : malloc(m * sizeof *self);
    list = list_a ? list_a : malloc(m * sizeof *list);
    tpos = malloc((n ? n : 1) * sizeof *tpos);
    epos = malloc((n ? n : 1) * sizeof *epos);
    unit_at = malloc((n ? n : 1) * sizeof *unit_at);
    parts = calloc(threads, sizeof *parts);
    acc = calloc(threads, sizeof *acc);
    if (!tl || !post || !self || !list || !tpos || !epos || !unit_at || !parts || !acc) {
        rc = TW_ENOMEM;
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        ord[i] = (order_ref){u[i].time, i};
    qsort(ord, n, sizeof *ord, cmp_order);
    layout_ctx lc = {u, v, ord, tl, post, list, self, tpos, epos, unit_at, 0};
    if ((rc = layout(&lc, n, lw)))
        goto done;
    walk_ctx ctx = {u, v, p, post, list, self, tpos, epos, unit_at, n, parts, acc,
                    tw__story_acc_for(tw__isa_active()), tw__isa_active() != TW__ISA_SCALAR};
    rc = tw__parallel_claim(n, threads, TW_WALK_GRAIN, walk_range, &ctx);
    for (unsigned w = 0; !rc && w < threads; w++) {
        if (!parts[w].len)
            continue;
        if (!edges->len) {
            /* the first worker's edges become the list (one thread: no copy,
             * and 11 MB less memory touched on SaudiNewsNet) */
            tw__buf t = *edges;
            *edges = parts[w];
            parts[w] = t;
            continue;
        }
        if (tw__buf_reserve(edges, edges->len + parts[w].len, sizeof(edge))) {
            rc = TW_ENOMEM;
            break;
        }
        memcpy((edge *)edges->data + edges->len, parts[w].data, parts[w].len * sizeof(edge));
        edges->len += parts[w].len;
    }
done:
    for (unsigned w = 0; parts && w < threads; w++)
        tw__buf_free(&parts[w]);
    for (unsigned w = 0; acc && w < threads; w++)
        free(acc[w]);
    free(parts);
    free(acc);
    free(ord);
    for (unsigned w = 0; tl && w < lw; w++)
        free(tl[w]);
    free(tl);
    if (post != post_a)
        free(post);
    if (self != self_a)
        free(self);
    if (list != list_a)
        free(list);
    free(tpos);
    free(epos);
    free(unit_at);
    return rc;
}

/* Step 2: average-linkage agglomeration by reciprocal nearest neighbours.
 * The average link of two clusters is the sum of their members' pair
 * similarities divided by the product of their sizes (a pair without an
 * edge counts 0: too far apart in time, or nothing shared). Each round,
 * every two clusters that are each other's best neighbour merge if their
 * link reaches the threshold. Average linkage is reducible, so this gives
 * the same clusters as merging one best pair at a time (UPGMA), in a few
 * rounds, and the result does not depend on input order. */
int tw__story_cluster(const tw__story_unit *u, size_t n, const tw__story_vecs *v,
                      const tw__story_params *p, unsigned threads, tw__buf *arena,
                      size_t narena, uint32_t *story)
{
    tw__buf eb = {0};
    int rc = build_edges(u, n, v, p, threads, arena, narena, &eb);
    uint32_t *parent = malloc((n ? n : 1) * sizeof *parent);
    uint32_t *size = malloc((n ? n : 1) * sizeof *size);
    uint32_t *best = malloc((n ? n : 1) * sizeof *best);
    float *best_link = malloc((n ? n : 1) * sizeof *best_link);
    if (!rc && (!parent || !size || !best || !best_link))
        rc = TW_ENOMEM;
    for (size_t i = 0; !rc && i < n; i++) {
        parent[i] = (uint32_t)i;
        size[i] = 1;
        best_link[i] = 0;
    }
    edge *e = eb.data;
    size_t ne = eb.len;
    /* A unit whose best edge is below the threshold never merges, and its
     * edges decide no other merge (see the dropping at the end of a
     * round): the first round dropped them after sorting every edge, so
     * they are dropped before it here (on SaudiNewsNet, most of the edges
     * the walk finds). The first round's links are the edges' similarities
     * (every size is 1, and each pair is found once), so its best links,
     * its merges and the edges it leaves are those of the whole list. */
    for (size_t k = 0; !rc && k < ne; k++) {
        if (e[k].sim > best_link[e[k].a])
            best_link[e[k].a] = e[k].sim;
        if (e[k].sim > best_link[e[k].b])
            best_link[e[k].b] = e[k].sim;
    }
    if (!rc) {
        size_t w = 0;
        for (size_t k = 0; k < ne; k++)
            if (best_link[e[k].a] >= p->threshold && best_link[e[k].b] >= p->threshold)
                e[w++] = e[k];
        ne = w;
    }
    /* Each round, edges of clusters that merged are relabelled ("moved");
     * the others keep their place in the sorted list. Only the moved ones
     * are sorted, then merged back, which equals a stable sort of the whole
     * list: a moved edge's old ends are each at least its new ends (the
     * absorbing cluster has the smaller number), so where a moved edge
     * lands on an unmoved one's key, the unmoved one came first. (The whole
     * list was sorted every round before: 54 rounds on SaudiNewsNet, most
     * of them merging a handful of clusters.) */
    /* (the two lists are big arrays: tw__bufs, mappings when big) */
    tw__buf moved_mem = {0}, merged_mem = {0}, sort_tmp = {0};
    edge *moved = NULL, *merged_list = NULL;
    size_t nmoved = ne;
    if (!rc && ne > 0) {
        if (tw__buf_reserve(&moved_mem, ne, sizeof *moved) ||
            tw__buf_reserve(&merged_mem, ne, sizeof *merged_list)) {
            rc = TW_ENOMEM;
        } else {
            moved = moved_mem.data;
            merged_list = merged_mem.data;
            memcpy(moved, e, ne * sizeof *e);
        }
        ne = 0; /* at first every edge is "moved" and none is in place */
    }
    while (!rc && ne + nmoved > 0) {
        /* the sorted list: in-place edges merged with the sorted moved ones */
        if ((rc = sort_edges(moved, nmoved, n ? (uint32_t)(n - 1) : 0, &sort_tmp)))
            break;
        size_t i = 0, j = 0, m = 0;
        while (i < ne || j < nmoved) {
            int take_moved = i == ne || (j < nmoved && (moved[j].a < e[i].a ||
                                                         (moved[j].a == e[i].a && moved[j].b < e[i].b)));
            edge x = take_moved ? moved[j++] : e[i++];
            /* merge parallel edges: sum of similarities between two clusters */
            if (m > 0 && merged_list[m - 1].a == x.a && merged_list[m - 1].b == x.b)
                merged_list[m - 1].sim += x.sim;
            else
                merged_list[m++] = x;
        }
        edge *t = e;
        e = merged_list;
        merged_list = t;
        ne = m;
        nmoved = 0;
        for (size_t k = 0; k < n; k++) {
            best[k] = UINT32_MAX;
            best_link[k] = 0;
        }
        for (size_t k = 0; k < ne; k++) {
            float link = e[k].sim / ((float)size[e[k].a] * (float)size[e[k].b]);
            uint32_t a = e[k].a, b = e[k].b;
            if (link > best_link[a] || (link == best_link[a] && b < best[a])) {
                best_link[a] = link;
                best[a] = b;
            }
            if (link > best_link[b] || (link == best_link[b] && a < best[b])) {
                best_link[b] = link;
                best[b] = a;
            }
        }
        size_t merges = 0;
        for (size_t k = 0; k < ne; k++) {
            uint32_t a = e[k].a, b = e[k].b;
            if (best[a] == b && best[b] == a && best_link[a] >= p->threshold) {
                parent[b] = a; /* a < b: the smaller unit number names the cluster */
                size[a] += size[b];
                best[a] = best[b] = UINT32_MAX; /* one merge per cluster per round */
                merges++;
            }
        }
        if (!merges)
            break;
        /* every unit straight to its cluster (roots do not change later) */
        for (size_t k = 0; k < n; k++)
            parent[k] = parent[parent[k]];
        /* relabel edge ends to their clusters; drop edges inside a cluster,
         * and edges of a cluster whose best link is below the threshold:
         * such a cluster never merges (a merge elsewhere makes its link to
         * the union a weighted average of two links, no larger than the
         * larger), and its links, all below the threshold, are never
         * another cluster's best where that one could merge. Dropping them
         * changes no merge and no other sum; after the first round few
         * edges are left (all were walked every round before: 54 rounds on
         * SaudiNewsNet). */
        size_t w = 0;
        for (size_t k = 0; k < ne; k++) {
            if (best_link[e[k].a] < p->threshold || best_link[e[k].b] < p->threshold)
                continue;
            uint32_t a = parent[e[k].a], b = parent[e[k].b];
            if (a == b)
                continue;
            if (a == e[k].a && b == e[k].b)
                e[w++] = e[k];
            else
                moved[nmoved++] = (edge){a < b ? a : b, a < b ? b : a, e[k].sim};
        }
        ne = w;
    }
    /* (the list and its spare swapped places round by round, between eb's
     * memory and merged_mem's: all are freed whole, eb below) */
    tw__buf_free(&moved_mem);
    tw__buf_free(&merged_mem);
    tw__buf_free(&sort_tmp);
    for (size_t i = 0; !rc && i < n; i++) {
        uint32_t r = (uint32_t)i;
        while (parent[r] != r)
            r = parent[r];
        story[i] = r;
    }
    tw__buf_free(&eb);
    free(parent);
    free(size);
    free(best);
    free(best_link);
    return rc;
}
