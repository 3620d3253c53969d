/*
 * tw_buf.c — growable arrays and the sorts of hash keys, the plumbing every
 * stage uses (the set sort's AVX2 and AVX-512 variants are tw_sort_avx2.c
 * and tw_sort_avx512.c). Growth is geometric (x1.5 + 64) so amortized
 * appends are O(1); overflow of the byte count is checked before any
 * allocation.
 */
#include <stdlib.h>
#include <string.h>
#include "base/tw_base.h"

/* The capacity a buffer of cap elements grows to for need; 0 on overflow. */
static size_t grown_cap(size_t cap, size_t need, size_t elem)
{
    size_t c = cap + cap / 2 + 64;
    if (c < need)
        c = need;
    return elem && c > SIZE_MAX / elem ? 0 : c;
}

int tw__buf_grow(tw__buf *b, size_t need, size_t elem)
{
    if (need <= b->cap)
        return TW_OK;
    size_t cap = grown_cap(b->cap, need, elem);
    void *p = cap ? realloc(b->data, cap * elem) : NULL;
    if (!p)
        return TW_ENOMEM;
    b->data = p;
    b->cap = cap;
    return TW_OK;
}

int tw__buf_grow_empty(tw__buf *b, size_t need, size_t elem)
{
    if (need <= b->cap)
        return TW_OK;
    size_t cap = grown_cap(b->cap, need, elem);
    void *p = cap ? malloc(cap * elem) : NULL;
    if (!p)
        return TW_ENOMEM; /* the old block stays */
    free(b->data);
    b->data = p;
    b->cap = cap;
    b->len = 0;
    return TW_OK;
}

void tw__buf_free(tw__buf *b)
{
    if (!b)
        return;
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void tw__radix_sort_u32(uint32_t *keys, uint32_t *tmp, size_t n)
{
    /* Four passes of 8 bits with the histograms on the stack: no allocation,
     * linear time, fast from a few hundred keys (one document) to hundreds
     * of millions (a whole feed). An even pass count leaves the result in
     * keys. */
    size_t count[4][256];
    memset(count, 0, sizeof count);
    for (size_t i = 0; i < n; i++) {
        uint32_t k = keys[i];
        count[0][k & 0xFF]++;
        count[1][(k >> 8) & 0xFF]++;
        count[2][(k >> 16) & 0xFF]++;
        count[3][k >> 24]++;
    }
    uint32_t *src = keys, *dst = tmp;
    for (int p = 0; p < 4; p++) {
        tw__offsets(count[p], 256);
        int shift = 8 * p;
        for (size_t i = 0; i < n; i++)
            dst[count[p][(src[i] >> shift) & 0xFF]++] = src[i];
        uint32_t *t = src;
        src = dst;
        dst = t;
    }
}

static size_t unique_sorted(uint32_t *keys, size_t n)
{
    size_t u = n ? 1 : 0;
    for (size_t i = 1; i < n; i++)
        if (keys[i] != keys[u - 1])
            keys[u++] = keys[i];
    return u;
}

#define TW__SELF(x) (x)

void tw__hash_buckets(const uint32_t *keys, uint32_t *tmp, size_t n, unsigned bits, uint32_t *ends)
{
    /* buckets by the top bits of the part that varies: keys that share
     * their top bits (one bucket of the DF pass) spread as well */
    /* the highest bit any two keys differ in is the highest that any key
     * differs from the first in (two operations a key, where min and max
     * took four times as many) */
    uint32_t diff = 0;
    for (size_t i = 1; i < n; i++)
        diff |= keys[i] ^ keys[0];
    unsigned varying = diff == 0 ? 0 : 32 - (unsigned)__builtin_clz(diff);
    unsigned shift = varying > bits ? varying - bits : 0;
    uint32_t mask = ((uint32_t)1 << bits) - 1;
    memset(ends, 0, (((size_t)1 << bits) + 1) * sizeof ends[0]);
    TW_UNROLL4
    for (size_t i = 0; i < n; i++)
        ends[((keys[i] >> shift) & mask) + 1]++;
    for (size_t b = 0; b < ((size_t)1 << bits); b++)
        ends[b + 1] += ends[b];
    TW_UNROLL4
    for (size_t i = 0; i < n; i++)
        tmp[ends[(keys[i] >> shift) & mask]++] = keys[i];
}

size_t tw__sort_unique_hashes_u32_scalar(uint32_t *keys, uint32_t *tmp, size_t n)
{
    /* One pass into 2^bits buckets by the top varying bits, about two keys
     * a bucket, then insertion sort inside each: for one document's few
     * hundred shingle hashes, half the work of four radix passes. */
    if (n > TW__SORT_HASHES_MAX) {
        tw__radix_sort_u32(keys, tmp, n);
        return unique_sorted(keys, n);
    }
    if (n < 2)
        return n;
    unsigned bits = 1;
    while (bits < 11 && ((size_t)1 << bits) < n / 2)
        bits++;
    uint32_t ends[(1u << 11) + 1];
    tw__hash_buckets(keys, tmp, n, bits, ends);
    /* insertion sort runs across bucket edges harmlessly (earlier buckets
     * hold smaller keys) */
    TW__INSERTION_SORT(uint32_t, tmp, n, TW__SELF);
    /* back into keys, duplicates dropped on the way (no copy, then a pass) */
    size_t u = 1;
    keys[0] = tmp[0];
    for (size_t i = 1; i < n; i++) {
        keys[u] = tmp[i];
        u += tmp[i] != tmp[i - 1];
    }
    return u;
}

tw__sort_unique_fn tw__sort_unique_for(tw__isa isa)
{
    return TW__AVX512_AVX2_OR(isa, tw__sort_unique_hashes_u32_avx512, tw__sort_unique_hashes_u32_avx2,
                              tw__sort_unique_hashes_u32_scalar);
}

size_t tw__sort_unique_hashes_u32(uint32_t *keys, uint32_t *tmp, size_t n)
{
    /* the active set is decided once (tw_cpu.c); asking costs a load */
    return tw__sort_unique_for(tw__isa_active())(keys, tmp, n);
}
