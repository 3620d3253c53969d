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

void tw__lsh_xxh3_flips(uint64_t *flip1, uint64_t *flip2)
{
    /* XXH3_len_9to16_64b's bitflips before the seed */
    *flip1 = XXH_readLE64(XXH3_kSecret + 24) ^ XXH_readLE64(XXH3_kSecret + 32);
    *flip2 = XXH_readLE64(XXH3_kSecret + 40) ^ XXH_readLE64(XXH3_kSecret + 48);
}

void tw__lsh_band_keys(const uint32_t *sig, int bands, int rows, uint64_t seed, uint64_t *keys)
{
#if TW_X86_KERNELS
    if (tw__isa_active() >= TW__ISA_AVX2) {
        uint64_t flip1, flip2;
        tw__lsh_xxh3_flips(&flip1, &flip2);
        if (tw__lsh_band_keys_avx2(sig, bands, rows, seed, flip1, flip2, keys))
            return;
    }
#endif
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
 * can be a distribution, in three passes:
 *   1. Entries whose key no other entry has make no pair (81% of
 *      SaudiNewsNet's 1.40 M, 89% of ANT's 1.41 M), and the sort need not
 *      see them. Two bitmaps of at least 4 bits an entry, interleaved
 *      word by word, mark the slots (the key's low bits) seen once and
 *      seen again; then each range of the table (one a thread) moves the
 *      entries of slots seen again (every entry of a shared key, and about
 *      a fifth of the others, which share a slot by chance) down to its
 *      front, in order, counting them by the key's top byte, and the
 *      ranges are closed up.
 *   2. Each range's kept entries are spread, in order, to 256 buckets by
 *      the top byte, into the part of the table the first pass left dead:
 *      memory already touched (a fresh page costs about 4 us on this kind
 *      of virtual machine).
 *   3. Each bucket is spread back to its place at the table's front by its
 *      next bits (about two entries a sub-bucket; a million articles make
 *      buckets of 200,000), and the few entries of a sub-bucket are put in
 *      order by insertion on (key, doc).
 * Every pass keeps the entries' order, and (key, doc) has no ties, so the
 * order, and with it the walk, is the same as a stable sort's. (Before:
 * the filter on one thread, then the buckets placed in place by cycle-
 * leader swaps, each copied out to be spread back: at -j 2 the lead-in
 * before the walk took 18.2 ms against 15.9, medians of nine runs.)
 * A key's entries never leave its bucket, so the walk takes the buckets one
 * by one in key order, each as soon as it is sorted: the calling thread
 * walks (the walk decides unions, so it stays on one thread, in order)
 * while the other threads sort the buckets ahead of it, and it sorts any
 * bucket nobody has taken yet itself. The serial walk is thereby hidden
 * behind the sort instead of following it. Once every bucket is sorted,
 * the other threads, given an `ahead` callback, walk buckets ahead of the
 * walk with it (see ahead_walk). Falls back to qsort and one walk when
 * memory for the passes cannot be had. */
#define TW_SUB_BITS 16
#define TW_LSH_BUCKETS 256
#define TW_SHARED_MIN_BITS 12
/* The slots' bitmap words asked for this many entries ahead (random
 * lines of a few MB). */
#define TW_SHARED_AHEAD 16
/* Each spread loads the line it writes, at the next place of one of 256
 * buckets, a line the hardware does not fetch ahead on so many streams:
 * the line this many entries further on in that bucket is asked for
 * (perf, SaudiNewsNet near-copy job: the in-place placement this pass
 * replaces took 4.8% of the time without, 1.6-2.1% with). */
#define TW_SPREAD_AHEAD 16

typedef struct sort_ctx {
    tw__lsh_entry *e;      /* the table; the sorted entries end up at its front */
    size_t n;
    tw__lsh_entry *dead;   /* where pass 2 spreads them (bucket k at start[k]) */
    /* pass 1 */
    unsigned bits;         /* slots: 2^bits */
    uint64_t *maps;        /* seen and again, word by word (NULL: every entry is kept) */
    size_t *begin, *kept;  /* per range: where its kept entries start, how many */
    size_t *hist;          /* [range][256]: kept entries by top byte, then spread offsets */
    size_t start[TW_LSH_BUCKETS + 1]; /* bucket k is [start[k], start[k + 1]) */
    /* pass 3 and the walk */
    size_t **count;        /* per worker: sub-bucket counters */
    unsigned claimed;      /* buckets handed out (atomic) */
    unsigned char ready[TW_LSH_BUCKETS]; /* per bucket: sorted (atomic) */
    int stop;              /* the walk ended early (atomic) */
    int max_probe;
    tw__pair_fn fn;
    void *fn_ctx;
    tw__pair_fn ahead;      /* NULL: the other threads stop when the sort is done */
    void *const *ahead_ctx; /* per worker from 1 */
    unsigned walking;       /* the bucket the walk is in (atomic) */
    unsigned next_ahead;    /* the next bucket to walk ahead (atomic) */
    int rc;
} sort_ctx;

/* Whether the slot of key was seen again. The bitmaps' words are
 * interleaved (seen, again), so that marking touches one line a slot, not
 * two: the marking took 5.2 ms against 7.4 (SaudiNewsNet, medians of 9). */
static inline int again_in(const uint64_t *maps, uint64_t mask, uint64_t key)
{
    uint64_t s = key & mask;
    return (int)(maps[2 * (s >> 6) + 1] >> (s & 63) & 1);
}

/* Pass 1a: the slots the entries take once and again. On one thread:
 * split over two, with bitmaps of their own merged after, each half took
 * longer (8-10 ms at -j 2) than the whole on one (6-7 ms at -j 1). */
static void mark_slots(sort_ctx *c)
{
    const tw__lsh_entry *e = c->e;
    const size_t n = c->n;
    const uint64_t mask = ((uint64_t)1 << c->bits) - 1;
    uint64_t *maps = c->maps;
    for (size_t i = 0; i < n; i++) {
        if (i + TW_SHARED_AHEAD < n)
            __builtin_prefetch(&maps[2 * ((e[i + TW_SHARED_AHEAD].key & mask) >> 6)], 1);
        uint64_t s = e[i].key & mask, bit = (uint64_t)1 << (s & 63);
        uint64_t *w = &maps[2 * (s >> 6)]; /* seen, again */
        w[1] |= w[0] & bit;
        w[0] |= bit;
    }
}

/* Pass 1b: a range's entries of shared slots moved down to its front, in
 * order, and counted by top byte. */
static int keep_range(void *ctx_, unsigned worker, size_t begin, size_t end)
{
    sort_ctx *c = ctx_;
    tw__lsh_entry *e = c->e;
    size_t *h = c->hist + (size_t)worker * TW_LSH_BUCKETS;
    const uint64_t *maps = c->maps;
    const uint64_t mask = ((uint64_t)1 << c->bits) - 1;
    size_t k = begin;
    if (!maps) {
        TW_UNROLL4
        for (size_t i = begin; i < end; i++)
            h[e[i].key >> 56]++;
        k = end;
    } else {
        for (size_t i = begin; i < end; i++) {
            if (i + TW_SHARED_AHEAD < end)
                __builtin_prefetch(&maps[2 * ((e[i + TW_SHARED_AHEAD].key & mask) >> 6)]);
            tw__lsh_entry x = e[i];
            size_t keep = (size_t)again_in(maps, mask, x.key);
            e[k] = x; /* (k <= i: nothing unread is overwritten) */
            h[x.key >> 56] += keep;
            k += keep;
        }
    }
    c->begin[worker] = begin;
    c->kept[worker] = k - begin;
    return TW_OK;
}

/* Pass 2: range t's kept entries spread, in order, to their buckets in
 * c->dead, from the offsets hist[t][]. */
static int spread_range(void *ctx_, unsigned worker, size_t begin, size_t end)
{
    TW_UNUSED(worker);
    sort_ctx *c = ctx_;
    for (size_t t = begin; t < end; t++) {
        size_t *next = c->hist + t * TW_LSH_BUCKETS;
        const tw__lsh_entry *src = c->e + c->begin[t];
        tw__lsh_entry *dst = c->dead;
        for (size_t i = 0; i < c->kept[t]; i++) {
            unsigned d = (unsigned)(src[i].key >> 56);
            __builtin_prefetch(&dst[next[d] + TW_SPREAD_AHEAD], 1);
            dst[next[d]++] = src[i];
        }
    }
    return TW_OK;
}

/* Pass 3: bucket k from c->dead to its place at the table's front,
 * sorted. */
static void sort_bucket(const sort_ctx *c, size_t *count, size_t k)
{
    size_t lo = c->start[k], n = c->start[k + 1] - lo;
    tw__lsh_entry *dst = c->e + lo;
    const tw__lsh_entry *src = c->dead + lo;
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

/* A thread with no bucket left to sort walks buckets ahead of the walk
 * with c->ahead, for work the walk's callback may then find done (the
 * batch's exact checks, tw_batch.c: the walk's one thread spent most of
 * its time in them). Each takes the next bucket not taken, and when the
 * walk has caught up with it, jumps to the bucket after the walk's next,
 * so that it works where the walk is not yet: on SaudiNewsNet's near-copy
 * job at -j 2 it answers about half of the walk's checks, and `--stats`'
 * pairs step took 0.049 s against 0.056 and 0.048 against 0.062 (medians
 * of 21 and 15 interleaved runs). A negative return from c->ahead ends
 * its walking. */
static void ahead_walk(sort_ctx *c, unsigned worker)
{
    while (!__atomic_load_n(&c->stop, __ATOMIC_RELAXED)) {
        unsigned at = __atomic_load_n(&c->walking, __ATOMIC_RELAXED);
        unsigned k = __atomic_fetch_add(&c->next_ahead, 1, __ATOMIC_RELAXED);
        if (k >= TW_LSH_BUCKETS)
            break;
        if (k <= at + 1) {
            /* the walk is here already, or about to be */
            unsigned want = at + 2, cur = k + 1;
            while (cur < want && !__atomic_compare_exchange_n(&c->next_ahead, &cur, want, 0,
                                                              __ATOMIC_RELAXED, __ATOMIC_RELAXED))
                ;
            continue;
        }
        while (!__atomic_load_n(&c->ready[k], __ATOMIC_ACQUIRE))
            sched_yield(); /* (every bucket is claimed: its sorter is at work) */
        if (walk(c->e, c->start[k], c->start[k + 1], c->max_probe, c->ahead, c->ahead_ctx[worker]))
            break;
    }
}

/* Worker 0 (the calling thread) walks the buckets in order, sorting those
 * nobody has claimed; the others sort buckets as they claim them, then
 * walk ahead of it when asked to. */
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
            sort_bucket(c, count, k);
            __atomic_store_n(&c->ready[k], 1, __ATOMIC_RELEASE);
        }
        if (c->ahead && c->ahead_ctx[worker])
            ahead_walk(c, worker);
        return TW_OK;
    }
    for (unsigned k = 0; k < TW_LSH_BUCKETS; k++) {
        /* buckets before k are walked, so claimed >= k; when it is k, no
         * one has bucket k yet: take the next claim (k, or a later bucket
         * if another thread took k meanwhile) and sort it here */
        if (__atomic_load_n(&c->claimed, __ATOMIC_RELAXED) <= k) {
            unsigned got = __atomic_fetch_add(&c->claimed, 1, __ATOMIC_RELAXED);
            if (got < TW_LSH_BUCKETS) {
                sort_bucket(c, count, got);
                __atomic_store_n(&c->ready[got], 1, __ATOMIC_RELEASE);
            }
        }
        while (!__atomic_load_n(&c->ready[k], __ATOMIC_ACQUIRE))
            sched_yield(); /* another thread is sorting it: a bucket's time */
        __atomic_store_n(&c->walking, k, __ATOMIC_RELAXED);
        int rc = walk(c->e, c->start[k], c->start[k + 1], c->max_probe, c->fn, c->fn_ctx);
        if (rc) {
            c->rc = rc;
            __atomic_store_n(&c->stop, 1, __ATOMIC_RELAXED);
            break;
        }
    }
    return TW_OK;
}

/* The passes' memory: the slot bitmaps (4 bits an entry at least), the
 * ranges' counters, the sub-bucket counters of each sorting thread. */
static int sort_memory(sort_ctx *c, unsigned ranges, unsigned threads)
{
    unsigned b = TW_SHARED_MIN_BITS;
    while (b < 62 && ((uint64_t)1 << b) < 4 * (uint64_t)c->n)
        b++;
    c->bits = b;
    /* (without the bitmaps every entry is kept: the sort copes) */
    c->maps = calloc(2 * ((size_t)((uint64_t)1 << b) / 64), sizeof *c->maps);
    c->begin = calloc(ranges, sizeof *c->begin);
    c->kept = calloc(ranges, sizeof *c->kept);
    c->hist = calloc((size_t)ranges * TW_LSH_BUCKETS, sizeof *c->hist);
    c->count = calloc(threads, sizeof *c->count);
    int ok = c->begin && c->kept && c->hist && c->count;
    for (unsigned w = 0; ok && w < threads; w++)
        ok = (c->count[w] = malloc(((size_t)1 << TW_SUB_BITS) * sizeof **c->count)) != NULL;
    return ok ? TW_OK : TW_ENOMEM;
}

static void sort_memory_free(sort_ctx *c, unsigned threads)
{
    for (unsigned w = 0; c->count && w < threads; w++)
        free(c->count[w]);
    free(c->count);
    free(c->maps);
    free(c->begin);
    free(c->kept);
    free(c->hist);
}

/* Passes 1 and 2: the kept entries at the table's front, counted into
 * c->start; returns how many, spread by bucket into c->dead, or 0 when none
 * were kept or no memory could be had for c->dead. */
static size_t keep_and_spread(sort_ctx *c, unsigned ranges)
{
    if (c->maps)
        mark_slots(c);
    tw__parallel_for(c->n, ranges, 4096, keep_range, c);
    /* the ranges closed up, and the buckets' starts */
    size_t k = 0;
    for (unsigned t = 0; t < ranges; t++) {
        if (c->kept[t] && k != c->begin[t])
            memmove(c->e + k, c->e + c->begin[t], c->kept[t] * sizeof *c->e);
        c->begin[t] = k;
        k += c->kept[t];
    }
    size_t total = 0;
    for (unsigned b = 0; b < TW_LSH_BUCKETS; b++) {
        c->start[b] = total;
        for (unsigned t = 0; t < ranges; t++) {
            size_t *h = &c->hist[(size_t)t * TW_LSH_BUCKETS + b], m = *h;
            *h = total;
            total += m;
        }
    }
    c->start[TW_LSH_BUCKETS] = total;
    /* the dead part of the table is room enough when at most half of it
     * was kept (a real table keeps a fifth to a third) */
    c->dead = 2 * k <= c->n ? c->e + k : malloc(k * sizeof *c->e);
    if (!k || !c->dead)
        return 0;
    tw__parallel_for(ranges, ranges, 1, spread_range, c);
    return k;
}

int tw__lsh_pairs(tw__lsh_entry *e, size_t n, int max_probe, unsigned threads, tw__pair_fn fn,
                  void *ctx)
{
    return tw__lsh_pairs_ahead(e, n, max_probe, threads, fn, ctx, NULL, NULL);
}

int tw__lsh_pairs_ahead(tw__lsh_entry *e, size_t n, int max_probe, unsigned threads,
                        tw__pair_fn fn, void *ctx, tw__pair_fn ahead, void *const *ahead_ctx)
{
    sort_ctx c = {.e = e, .n = n, .max_probe = max_probe, .fn = fn, .fn_ctx = ctx,
                  .ahead = ahead_ctx ? ahead : NULL, .ahead_ctx = ahead_ctx};
    unsigned ranges = tw__parallel_ranges(n, threads, 4096);
    int rc, filtered = n > 4096 && sort_memory(&c, ranges, threads) == TW_OK;
    size_t k = filtered ? keep_and_spread(&c, ranges) : 0;
    if (k) {
        unsigned sorters = tw__parallel_ranges(k, threads, 4096);
        tw__parallel_for(sorters, sorters, 1, sort_and_walk, &c);
        rc = c.rc;
        if (c.dead != e + k)
            free(c.dead);
    } else {
        if (filtered) /* (the kept entries, at the front) */
            n = c.start[TW_LSH_BUCKETS];
        qsort(e, n, sizeof *e, cmp_entry);
        rc = walk(e, 0, n, max_probe, fn, ctx);
    }
    sort_memory_free(&c, threads);
    return rc;
}
