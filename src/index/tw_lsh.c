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

/* Trapezoid rule: the curve is smooth, 256 steps is far below the noise. */
static double area(double lo, double hi, int bands, int rows, int above)
{
    const int steps = 256;
    double h = (hi - lo) / steps, sum = 0;
    for (int i = 0; i <= steps; i++) {
        double s = lo + i * h;
        double p = tw__lsh_collision_prob(s, bands, rows);
        double v = above ? 1.0 - p : p;
        sum += (i == 0 || i == steps) ? v / 2 : v;
    }
    return sum * h;
}

void tw__lsh_params(double threshold, int nperm, double wfp, double wfn, int *bands, int *rows)
{
    double best = INFINITY;
    int bb = 1, br = nperm;
    for (int b = 1; b <= nperm; b++) {
        for (int r = 1; b * r <= nperm; r++) {
            double fp = area(0.0, threshold, b, r, 0);
            double fn = area(threshold, 1.0, b, r, 1);
            double err = wfp * fp + wfn * fn;
            if (err < best) {
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

/* Sorts by (key, doc): a stable LSD radix sort on the key (16 bits a pass,
 * four passes) keeps entries of one key in the order they came, which is
 * document order when the caller wrote them so. Falls back to qsort when
 * the scratch cannot be had, or the input is not in document order. */
static void sort_entries(tw__lsh_entry *e, size_t n)
{
    int in_doc_order = 1;
    for (size_t i = 1; i < n && in_doc_order; i++)
        in_doc_order = e[i - 1].doc <= e[i].doc;
    tw__lsh_entry *tmp = in_doc_order && n > 4096 ? malloc(n * sizeof *tmp) : NULL;
    size_t *count = tmp ? malloc(65536 * sizeof *count) : NULL;
    if (!tmp || !count) {
        free(tmp);
        free(count);
        qsort(e, n, sizeof *e, cmp_entry);
        return;
    }
    tw__lsh_entry *src = e, *dst = tmp;
    for (int shift = 0; shift < 64; shift += 16) {
        memset(count, 0, 65536 * sizeof *count);
        for (size_t i = 0; i < n; i++)
            count[(src[i].key >> shift) & 0xFFFF]++;
        size_t sum = 0;
        for (size_t d = 0; d < 65536; d++) {
            size_t c = count[d];
            count[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            dst[count[(src[i].key >> shift) & 0xFFFF]++] = src[i];
        tw__lsh_entry *t = src;
        src = dst;
        dst = t;
    }
    /* four passes: the sorted entries are back in e */
    free(tmp);
    free(count);
}

int tw__lsh_pairs(tw__lsh_entry *e, size_t n, int max_probe, tw__pair_fn fn, void *ctx)
{
    sort_entries(e, n);
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
