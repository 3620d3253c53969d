/*
 * tw_lsh.c — LSH banding for a batch.
 *
 * A batch knows all its documents before it looks for pairs, so instead of
 * b hash tables it writes one (band key, doc) array and sorts it: equal keys
 * become runs, memory is 12 bytes per band per sketch, and the order (and so
 * the output) is deterministic.
 */
#include <math.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
/* xxHash's own header in inline mode: the short hashes of the hot loops
 * are inlined instead of called through the shared library. */
#define XXH_INLINE_ALL
#include <xxhash.h>
#include "index/tw_index.h"

double tw__lsh_collision_prob(double s, int bands, int rows)
{
    return 1.0 - pow(1.0 - pow(s, rows), bands);
}

/* Chooses bands x rows <= nperm minimizing wfp * (false-positive area below
 * the threshold) + wfn * (false-negative area above it), each area by the
 * trapezoid rule over 256 steps (the curve is smooth; far below the
 * noise). For a given rows r and point s, (1 - s^r)^b for every b comes
 * from one running product, so the whole search costs a few hundred
 * thousand multiplications (pow() per point cost 65 M instructions, more
 * than reading a thousand articles). Ties go to the smallest (b, r). */
#define TW_LSH_STEPS 256

static void (*lsh_recorder)(const tw__lsh_prebuilt *choice);

void tw__lsh_set_recorder(void (*fn)(const tw__lsh_prebuilt *choice))
{
    lsh_recorder = fn;
}

void tw__lsh_params(double threshold, int nperm, double wfp, double wfn, int *bands, int *rows)
{
    if (nperm > TW__MH_N)
        nperm = TW__MH_N;
    const tw__lsh_prebuilt *pre = &tw__lsh_prebuilt_choice;
    if (!lsh_recorder && pre->nperm > 0 && pre->nperm == nperm && pre->threshold == threshold &&
        pre->wfp == wfp && pre->wfn == wfn && !tw__precompiled_off()) {
        *bands = pre->bands;
        *rows = pre->rows;
        return;
    }
    double best = INFINITY;
    int bb = 1, br = nperm > 0 ? nperm : 1;
    double fp[TW__MH_N + 1], fn[TW__MH_N + 1];
    for (int r = 1; r <= nperm; r++) {
        int maxb = nperm / r;
        for (int b = 1; b <= maxb; b++)
            fp[b] = fn[b] = 0;
        for (int half = 0; half < 2; half++) {
            double lo = half ? threshold : 0.0, hi = half ? 1.0 : threshold;
            double h = (hi - lo) / TW_LSH_STEPS;
            for (int i = 0; i <= TW_LSH_STEPS; i++) {
                double s = lo + i * h, w = (i == 0 || i == TW_LSH_STEPS) ? h / 2 : h;
                double q = 1.0 - pow(s, r), miss = 1.0; /* miss = (1 - s^r)^b */
                for (int b = 1; b <= maxb; b++) {
                    miss *= q;
                    if (half)
                        fn[b] += w * miss; /* a pair above the threshold missed */
                    else
                        fp[b] += w * (1.0 - miss); /* one below it found */
                }
            }
        }
        for (int b = 1; b <= maxb; b++) {
            double err = wfp * fp[b] + wfn * fn[b];
            if (err < best || (err == best && (b < bb || (b == bb && r < br)))) {
                best = err;
                bb = b;
                br = r;
            }
        }
    }
    *bands = bb;
    *rows = br;
    if (lsh_recorder) {
        tw__lsh_prebuilt c = {threshold, wfp, wfn, nperm, bb, br};
        lsh_recorder(&c);
    }
}

uint64_t tw__lsh_band_key(const uint32_t *sig, int band, int rows, uint64_t seed)
{
    return XXH3_64bits_withSeed(sig + (size_t)band * rows, (size_t)rows * sizeof(uint32_t),
                                seed + (uint64_t)band * 0x9E3779B97F4A7C15ull);
}

/* tw__lsh_band_key for bands 0 .. bands - 1, with the band's length a
 * constant for the usual row counts: XXH3 inlined for a known length is
 * its one short-input path with no length dispatch (the same values; the
 * tests compare). */
#define TW_BAND_KEYS(ROWS)                                                                      \
    for (int b = 0; b < bands; b++)                                                             \
        keys[b] = XXH3_64bits_withSeed(sig + (size_t)b * (ROWS), (ROWS) * sizeof(uint32_t),    \
                                       seed + (uint64_t)b * 0x9E3779B97F4A7C15ull)

void tw__lsh_band_keys(const uint32_t *sig, int bands, int rows, uint64_t seed, uint64_t *keys)
{
    switch (rows) {
    case 2:
        TW_BAND_KEYS(2);
        break;
    case 3:
        TW_BAND_KEYS(3);
        break;
    case 4:
        TW_BAND_KEYS(4);
        break;
    default:
        for (int b = 0; b < bands; b++)
            keys[b] = tw__lsh_band_key(sig, b, rows, seed);
    }
}

/* (key, doc) order, which has no ties */
static inline int entry_before(const tw__lsh_entry *a, const tw__lsh_entry *b)
{
    return a->key < b->key || (a->key == b->key && a->doc < b->doc);
}
#define ENTRY_LESS(unused, x, y) entry_before(&(x), &(y))

static int cmp_entry(const void *a_, const void *b_)
{
    const tw__lsh_entry *a = a_, *b = b_;
    return entry_before(a, b) ? -1 : entry_before(b, a);
}

/* Sorts by (key, doc) and walks the pairs. Keys are hashes, so the sort
 * can be a distribution: threads count the entries of each of 256 buckets
 * by the key's top byte, the entries are moved to their buckets in place
 * (cycle-leader swaps, as in an American flag sort), then each bucket is
 * copied to a thread's small scratch and counted back by its next bits
 * (about two entries a sub-bucket; a million articles make buckets of
 * 200,000), and the few entries of a sub-bucket are put in order by
 * insertion on (key, doc). In place, the sort touches no memory of the
 * table's size besides the table: the copy it was spread into before (its
 * size again, written once) was 4.0k of the near-copy job's 21.2k page
 * faults on SaudiNewsNet, and a fresh page costs about 4 us on this kind of
 * virtual machine. (key, doc) has no ties, so the order, and with it the
 * walk, is the same as a stable sort's.
 * A key's entries never leave its bucket, so the walk takes the buckets one
 * by one in key order, each as soon as it is sorted: the calling thread
 * walks (the walk decides unions, so it stays on one thread, in order)
 * while the other threads sort the buckets ahead of it, and it sorts any
 * bucket nobody has taken yet itself. The serial walk is thereby hidden
 * behind the sort instead of following it. Falls back to qsort and one
 * walk when the counters cannot be had. */
#define TW_SUB_BITS 16
#define TW_LSH_BUCKETS 256

typedef struct sort_ctx {
    tw__lsh_entry *e;
    size_t *hist; /* [worker][256]: counts */
    const size_t *start; /* bucket k is [start[k], start[k + 1]) */
    /* the walk */
    size_t **count;       /* per worker: sub-bucket counters */
    tw__lsh_entry **tmp;  /* per worker: room for the largest bucket */
    unsigned claimed;     /* buckets handed out (atomic) */
    unsigned char *ready; /* per bucket: sorted (atomic) */
    int stop;             /* the walk ended early (atomic) */
    int max_probe;
    tw__pair_fn fn;
    void *fn_ctx;
    int rc;
} sort_ctx;

static int count_entries(void *ctx_, unsigned worker, size_t begin, size_t end)
{
    sort_ctx *c = ctx_;
    size_t *h = c->hist + (size_t)worker * TW_LSH_BUCKETS;
    TW_UNROLL4
    for (size_t i = begin; i < end; i++)
        h[c->e[i].key >> 56]++;
    return TW_OK;
}

/* Moves every entry of e to its bucket (start[]), in place. Each move
 * loads the entry it displaces, at the next place of one of 256 buckets,
 * a line the hardware does not fetch ahead on so many streams: the line
 * TW_PLACE_AHEAD entries further on in that bucket is asked for (perf,
 * SaudiNewsNet near-copy job: this loop 4.8% of the time without, 1.6-2.1%
 * with, where the spread into a copy it replaces was 1.9%). */
#define TW_PLACE_AHEAD 16
static void place_entries(tw__lsh_entry *e, const size_t *start)
{
    size_t next[TW_LSH_BUCKETS];
    memcpy(next, start, sizeof next);
    for (unsigned k = 0; k < TW_LSH_BUCKETS; k++) {
        while (next[k] < start[k + 1]) {
            /* follow the cycle from the first misplaced entry of bucket
             * k: each entry displaces the one in its own bucket's next
             * place, until one of bucket k comes back */
            tw__lsh_entry x = e[next[k]];
            unsigned d = (unsigned)(x.key >> 56);
            while (d != k) {
                __builtin_prefetch(&e[next[d] + TW_PLACE_AHEAD], 1);
                tw__lsh_entry y = e[next[d]];
                e[next[d]++] = x;
                x = y;
                d = (unsigned)(x.key >> 56);
            }
            e[next[k]++] = x;
        }
    }
}

/* Sorts bucket k in place, through tmp. */
static void sort_bucket(const sort_ctx *c, size_t *count, tw__lsh_entry *tmp, size_t k)
{
    size_t lo = c->start[k], n = c->start[k + 1] - lo;
    tw__lsh_entry *dst = c->e + lo;
    if (n)
        memcpy(tmp, dst, n * sizeof *tmp);
    const tw__lsh_entry *src = tmp;
    /* about two entries a sub-bucket: a small bucket does not pay for
     * clearing and walking 4096 counters */
    int bits = 1;
    while (bits < TW_SUB_BITS && ((size_t)1 << bits) < n / 2)
        bits++;
    const int shift = 56 - bits;
    const uint64_t mask = ((uint64_t)1 << bits) - 1;
    memset(count, 0, ((size_t)1 << bits) * sizeof *count);
    TW_UNROLL4
    for (size_t i = 0; i < n; i++)
        count[(src[i].key >> shift) & mask]++;
    tw__offsets(count, (size_t)1 << bits);
    TW_UNROLL4
    for (size_t i = 0; i < n; i++)
        dst[count[(src[i].key >> shift) & mask]++] = src[i];
    /* count[s] is now the end of sub-bucket s */
    size_t from = 0;
    for (size_t sb = 0; sb < ((size_t)1 << bits); sb++) {
        size_t to = count[sb], len = to - from;
        tw__lsh_entry *x = dst + from;
        if (len > 48) {
            qsort(x, len, sizeof *x, cmp_entry);
        } else {
            TW__INSERTION_SORT_WITH(tw__lsh_entry, x, len, ENTRY_LESS, 0);
        }
        from = to;
    }
}

/* Calls fn for the pairs of the sorted entries e[s, t): each document
 * against up to max_probe earlier documents of its key, nearest first.
 * Returns TW_OK, or the callback's negative status. */
static int walk(const tw__lsh_entry *e, size_t s, size_t n, int max_probe, tw__pair_fn fn,
                void *ctx)
{
    while (s < n) {
        size_t t = s + 1;
        while (t < n && e[t].key == e[s].key)
            t++;
        for (size_t m = s + 1; m < t; m++) {
            if (e[m].doc == e[m - 1].doc)
                continue; /* one document's two sketches in one bucket */
            int probes = 0;
            for (size_t p = m; p-- > s && probes < max_probe;) {
                /* Entries are sorted by doc within a key, so a document's
                 * two sketches sit side by side: probe each document once. */
                if (e[p].doc == e[m].doc || (p + 1 < m && e[p].doc == e[p + 1].doc))
                    continue;
                probes++;
                int rc = fn(e[p].doc, e[m].doc, ctx);
                if (rc < 0)
                    return rc;
                if (rc > 0)
                    break;
            }
        }
        s = t;
    }
    return TW_OK;
}

/* Worker 0 (the calling thread) walks the buckets in order, sorting those
 * nobody has claimed; the others sort buckets as they claim them. */
static int sort_and_walk(void *ctx_, unsigned worker, size_t begin, size_t end)
{
    TW_UNUSED(begin);
    TW_UNUSED(end);
    sort_ctx *c = ctx_;
    size_t *count = c->count[worker];
    if (worker > 0) {
        for (;;) {
            if (__atomic_load_n(&c->stop, __ATOMIC_RELAXED))
                break;
            unsigned k = __atomic_fetch_add(&c->claimed, 1, __ATOMIC_RELAXED);
            if (k >= TW_LSH_BUCKETS)
                break;
            sort_bucket(c, count, c->tmp[worker], k);
            __atomic_store_n(&c->ready[k], 1, __ATOMIC_RELEASE);
        }
        return TW_OK;
    }
    for (unsigned k = 0; k < TW_LSH_BUCKETS; k++) {
        /* buckets before k are walked, so claimed >= k; when it is k, no
         * one has bucket k yet: take the next claim (k, or a later bucket
         * if another thread took k meanwhile) and sort it here */
        if (__atomic_load_n(&c->claimed, __ATOMIC_RELAXED) <= k) {
            unsigned got = __atomic_fetch_add(&c->claimed, 1, __ATOMIC_RELAXED);
            if (got < TW_LSH_BUCKETS) {
                sort_bucket(c, count, c->tmp[0], got);
                __atomic_store_n(&c->ready[got], 1, __ATOMIC_RELEASE);
            }
        }
        while (!__atomic_load_n(&c->ready[k], __ATOMIC_ACQUIRE))
            sched_yield(); /* another thread is sorting it: a bucket's time */
        int rc = walk(c->e, c->start[k], c->start[k + 1], c->max_probe, c->fn, c->fn_ctx);
        if (rc) {
            c->rc = rc;
            __atomic_store_n(&c->stop, 1, __ATOMIC_RELAXED);
            break;
        }
    }
    return TW_OK;
}

/* Entries whose key no other entry has make no pair (81% of SaudiNewsNet's
 * 1.40 M, 89% of ANT's 1.41 M), and the sort need not see them. Two
 * bitmaps of at least 4 bits an entry mark the slots (the key's low bits)
 * seen once and seen again; the entries of slots seen again (every entry
 * of a shared key, and about a fifth of the others, which share a slot by
 * chance) are moved down to the front, in order, over the others. Returns
 * how many were kept. The walk then meets the same runs of two or more in
 * the same order. */
#define TW_SHARED_MIN_BITS 12
#define TW_SHARED_AHEAD 16

static inline int slot_again(const uint64_t *again, uint64_t mask, uint64_t key)
{
    uint64_t s = key & mask;
    return (int)(again[s >> 6] >> (s & 63) & 1);
}

static size_t keep_shared(tw__lsh_entry *e, size_t n)
{
    unsigned b = TW_SHARED_MIN_BITS;
    while (b < 62 && ((uint64_t)1 << b) < 4 * (uint64_t)n)
        b++;
    const size_t words = (size_t)((uint64_t)1 << b) / 64;
    const uint64_t mask = ((uint64_t)1 << b) - 1;
    uint64_t *seen = calloc(2 * words, sizeof *seen);
    if (!seen)
        return n; /* all of them: the sort copes */
    uint64_t *again = seen + words;
    for (size_t i = 0; i < n; i++) {
        if (i + TW_SHARED_AHEAD < n) {
            uint64_t a = e[i + TW_SHARED_AHEAD].key & mask;
            __builtin_prefetch(&seen[a >> 6], 1);
            __builtin_prefetch(&again[a >> 6], 1);
        }
        uint64_t s = e[i].key & mask, bit = (uint64_t)1 << (s & 63);
        again[s >> 6] |= seen[s >> 6] & bit;
        seen[s >> 6] |= bit;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (i + TW_SHARED_AHEAD < n)
            __builtin_prefetch(&again[(e[i + TW_SHARED_AHEAD].key & mask) >> 6]);
        tw__lsh_entry x = e[i];
        e[k] = x; /* (k <= i: nothing unread is overwritten) */
        k += (size_t)slot_again(again, mask, x.key);
    }
    free(seen);
    return k;
}

/* Per-worker working memory of the sort: sub-bucket counters, and room
 * for the largest bucket. */
static int sort_memory(sort_ctx *c, unsigned threads, size_t largest)
{
    c->count = calloc(threads, sizeof *c->count);
    c->tmp = calloc(threads, sizeof *c->tmp);
    int ok = c->count && c->tmp;
    for (unsigned w = 0; ok && w < threads; w++)
        ok = (c->count[w] = malloc(((size_t)1 << TW_SUB_BITS) * sizeof **c->count)) &&
             (c->tmp[w] = malloc((largest ? largest : 1) * sizeof **c->tmp));
    return ok ? TW_OK : TW_ENOMEM;
}

static void sort_memory_free(sort_ctx *c, unsigned threads)
{
    for (unsigned w = 0; w < threads; w++) {
        free(c->count ? c->count[w] : NULL);
        free(c->tmp ? c->tmp[w] : NULL);
    }
    free(c->count);
    free(c->tmp);
}

int tw__lsh_pairs(tw__lsh_entry *e, size_t n, int max_probe, unsigned threads, tw__pair_fn fn,
                  void *ctx)
{
    if (n > 4096)
        n = keep_shared(e, n);
    threads = tw__parallel_ranges(n, threads, 4096);
    size_t start[TW_LSH_BUCKETS + 1];
    unsigned char ready[TW_LSH_BUCKETS] = {0};
    sort_ctx c = {e, NULL, start, NULL, NULL, 0, ready, 0, max_probe, fn, ctx, TW_OK};
    /* the buckets' sizes first: the scratch is the largest one */
    size_t largest = 0, total = 0;
    int radix = n > 4096 && (c.hist = calloc((size_t)threads * TW_LSH_BUCKETS, sizeof *c.hist)) &&
                tw__parallel_for(n, threads, 4096, count_entries, &c) == TW_OK;
    for (unsigned k = 0; radix && k < TW_LSH_BUCKETS; k++) {
        start[k] = total;
        for (unsigned w = 0; w < threads; w++)
            total += c.hist[(size_t)w * TW_LSH_BUCKETS + k];
        largest = total - start[k] > largest ? total - start[k] : largest;
    }
    start[TW_LSH_BUCKETS] = total;
    free(c.hist);
    c.hist = NULL;
    if (radix)
        radix = sort_memory(&c, threads, largest) == TW_OK;
    int rc;
    if (!radix) {
        qsort(e, n, sizeof *e, cmp_entry);
        rc = walk(e, 0, n, max_probe, fn, ctx);
    } else {
        place_entries(e, start);
        tw__parallel_for(threads, threads, 1, sort_and_walk, &c);
        rc = c.rc;
    }
    sort_memory_free(&c, threads);
    return rc;
}
