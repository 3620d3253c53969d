/*
 * tw_lsh.c — LSH banding for a batch.
 *
 * A batch knows all its documents before it looks for pairs, so instead of
 * b hash tables it writes one (band key, doc) array and sorts it: equal keys
 * become runs, memory is 16 bytes per band per sketch, and the order (and so
 * the output) is deterministic.
 */
#include <math.h>
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

void tw__lsh_params(double threshold, int nperm, double wfp, double wfn, int *bands, int *rows)
{
    if (nperm > TW__MH_N)
        nperm = TW__MH_N;
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
}

uint64_t tw__lsh_band_key(const uint32_t *sig, int band, int rows, uint64_t seed)
{
    return XXH3_64bits_withSeed(sig + (size_t)band * rows, (size_t)rows * sizeof(uint32_t),
                                seed + (uint64_t)band * 0x9E3779B97F4A7C15ull);
}

static int cmp_entry(const void *a_, const void *b_)
{
    const tw__lsh_entry *a = a_, *b = b_;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return (a->doc > b->doc) - (a->doc < b->doc);
}

/* Sorts by (key, doc). Keys are hashes, so the sort can be a stable
 * distribution: entries spread into 256 buckets by the key's top byte
 * (threads count and write ranges of the table side by side, which keeps
 * document order inside a bucket), then each bucket into 4096 by the next
 * 12 bits, and the few entries of a sub-bucket are put in order by
 * insertion (stable: one key's entries stay in document order). Buckets
 * run in parallel. Falls back to qsort when the scratch cannot be had, or
 * the input is not in document order. */
#define TW_SUB_BITS 12

typedef struct sort_ctx {
    tw__lsh_entry *e, *tmp;
    size_t *hist; /* [worker][256]: counts, then write offsets */
    const size_t *start; /* bucket k is [start[k], start[k + 1]) */
    int write;
} sort_ctx;

static int spread_entries(void *ctx_, unsigned worker, size_t begin, size_t end)
{
    sort_ctx *c = ctx_;
    size_t *h = c->hist + (size_t)worker * 256;
    if (c->write)
        for (size_t i = begin; i < end; i++)
            c->tmp[h[c->e[i].key >> 56]++] = c->e[i];
    else
        for (size_t i = begin; i < end; i++)
            h[c->e[i].key >> 56]++;
    return TW_OK;
}

static int sort_buckets(void *ctx_, unsigned worker, size_t begin, size_t end)
{
    TW_UNUSED(worker);
    sort_ctx *c = ctx_;
    size_t *count = malloc(((size_t)1 << TW_SUB_BITS) * sizeof *count);
    if (!count)
        return TW_ENOMEM;
    for (size_t k = begin; k < end; k++) {
        size_t lo = c->start[k], n = c->start[k + 1] - lo;
        const tw__lsh_entry *src = c->tmp + lo;
        tw__lsh_entry *dst = c->e + lo;
        /* about two entries a sub-bucket: a small bucket does not pay for
         * clearing and walking 4096 counters */
        int bits = 1;
        while (bits < TW_SUB_BITS && ((size_t)1 << bits) < n / 2)
            bits++;
        const int shift = 56 - bits;
        const uint64_t mask = ((uint64_t)1 << bits) - 1;
        memset(count, 0, ((size_t)1 << bits) * sizeof *count);
        for (size_t i = 0; i < n; i++)
            count[(src[i].key >> shift) & mask]++;
        tw__offsets(count, (size_t)1 << bits);
        for (size_t i = 0; i < n; i++)
            dst[count[(src[i].key >> shift) & mask]++] = src[i];
        /* count[s] is now the end of sub-bucket s */
        size_t from = 0;
        for (size_t sb = 0; sb < ((size_t)1 << bits); sb++) {
            size_t to = count[sb], len = to - from;
            tw__lsh_entry *x = dst + from;
            if (len > 48) {
                qsort(x, len, sizeof *x, cmp_entry); /* (key, doc) has no ties */
            } else {
                for (size_t i = 1; i < len; i++) {
                    tw__lsh_entry v = x[i];
                    size_t j = i;
                    while (j > 0 && x[j - 1].key > v.key) {
                        x[j] = x[j - 1];
                        j--;
                    }
                    x[j] = v;
                }
            }
            from = to;
        }
    }
    free(count);
    return TW_OK;
}

static void sort_entries(tw__lsh_entry *e, size_t n, unsigned threads, tw__buf *scratch)
{
    int in_doc_order = 1;
    for (size_t i = 1; i < n && in_doc_order; i++)
        in_doc_order = e[i - 1].doc <= e[i].doc;
    if (threads < 1)
        threads = 1;
    if (threads > n / 4096)
        threads = n / 4096 ? (unsigned)(n / 4096) : 1;
    /* the caller's scratch when it has one (memory already touched: no
     * page faults), else our own */
    tw__lsh_entry *own = NULL, *tmp = NULL;
    if (in_doc_order && n > 4096) {
        if (scratch)
            tmp = tw__buf_reserve(scratch, n * sizeof *tmp, 1) ? NULL : scratch->data;
        else
            tmp = own = malloc(n * sizeof *tmp);
    }
    size_t *hist = tmp ? calloc((size_t)threads * 256, sizeof *hist) : NULL;
    size_t start[257];
    sort_ctx ctx = {e, tmp, hist, start, 0};
    if (!hist || tw__parallel_for(n, threads, 4096, spread_entries, &ctx)) {
        free(own);
        free(hist);
        qsort(e, n, sizeof *e, cmp_entry);
        return;
    }
    size_t total = 0;
    for (int k = 0; k < 256; k++) {
        start[k] = total;
        for (unsigned w = 0; w < threads; w++) {
            size_t cnt = hist[(size_t)w * 256 + k];
            hist[(size_t)w * 256 + k] = total;
            total += cnt;
        }
    }
    start[256] = total;
    ctx.write = 1;
    tw__parallel_for(n, threads, 4096, spread_entries, &ctx);
    if (tw__parallel_for(256, threads, 16, sort_buckets, &ctx)) {
        memcpy(e, tmp, n * sizeof *e); /* no memory for a bucket: qsort all */
        qsort(e, n, sizeof *e, cmp_entry);
    }
    free(own);
    free(hist);
}

int tw__lsh_pairs(tw__lsh_entry *e, size_t n, int max_probe, unsigned threads, tw__buf *scratch,
                  tw__pair_fn fn, void *ctx)
{
    sort_entries(e, n, threads, scratch);
    size_t s = 0;
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
