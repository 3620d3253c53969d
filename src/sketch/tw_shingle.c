/*
 * tw_shingle.c — word k-shingles as 32-bit fingerprints.
 *
 * Each word is hashed once (XXH3-64), then each window of k word hashes is
 * hashed again as 8k bytes: shingling costs one short XXH3 per word whatever
 * k is, and never copies text. Sets are sorted (hashes: one bucket pass
 * and insertion sort, tw__sort_hashes_u32) and
 * deduplicated in place, ready for exact Jaccard by merging.
 */
/* xxHash's own header in inline mode: the short hashes of the hot loops
 * are inlined instead of called through the shared library. */
#define XXH_INLINE_ALL
#include <xxhash.h>
#include "sketch/tw_sketch.h"

int tw__shingle(const uint8_t *text, const tw__token *tok, size_t ntok, int k, uint64_t seed,
                tw__buf *tokhash, tw__buf *tmp, tw__buf *out)
{
    out->len = 0;
    if (ntok == 0)
        return TW_OK;
    if (k < 1)
        k = 1;
    size_t kk = (size_t)k > ntok ? ntok : (size_t)k;
    size_t nsh = ntok - kk + 1;
    if (tw__buf_reserve(tokhash, ntok, sizeof(uint64_t)) || tw__buf_reserve(out, nsh, sizeof(uint32_t)) ||
        tw__buf_reserve(tmp, nsh, sizeof(uint32_t)))
        return TW_ENOMEM;
    uint64_t *th = tokhash->data;
    for (size_t i = 0; i < ntok; i++)
        th[i] = XXH3_64bits_withSeed(text + tok[i].off, tok[i].len, seed);
    uint32_t *fp = out->data;
    for (size_t i = 0; i < nsh; i++) {
        uint32_t h = (uint32_t)XXH3_64bits_withSeed(th + i, kk * sizeof(uint64_t), seed ^ kk);
        fp[i] = h ? h : 1;
    }
    tw__sort_hashes_u32(fp, tmp->data, nsh);
    size_t u = 1;
    for (size_t i = 1; i < nsh; i++)
        if (fp[i] != fp[u - 1])
            fp[u++] = fp[i];
    out->len = u;
    return TW_OK;
}

size_t tw__intersect_sorted(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
    /* branch-free merge: which side advances is data, and a branch on it
     * mispredicted about half the time (this runs in the serial walk) */
    size_t i = 0, j = 0, inter = 0;
    while (i < na && j < nb) {
        uint32_t x = a[i], y = b[j];
        inter += x == y;
        i += x <= y;
        j += y <= x;
    }
    return inter;
}

double tw__jaccard_sorted(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
    if (na == 0 && nb == 0)
        return 1.0;
    size_t inter = tw__intersect_sorted(a, na, b, nb);
    return (double)inter / (double)(na + nb - inter);
}
