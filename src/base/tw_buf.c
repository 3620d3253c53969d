/*
 * tw_buf.c — growable arrays, the radix sort and sets of hash keys in a
 * scratch table: the plumbing every stage uses. Growth is geometric
 * (x1.5 + 64) so amortized appends are O(1); overflow of the byte count is
 * checked before any allocation.
 *
 * Big arrays (a batch's shingle sets, the clustering's working buffer, the
 * story edges) are mappings of their own, asked for huge pages
 * (MADV_HUGEPAGE; the system's default here is to give them only when
 * asked), placed on huge-page boundaries and grown by mremap, which moves
 * their pages instead of copying them. A first touch of a 4 KB page costs
 * about 4 us on the virtual machines we measure on, and a batch touches
 * each page of these arrays once: the near-copy job on SaudiNewsNet went
 * from 15.8 k page faults to 4.4 k at -j 1 (19.5 k to 7.7 k at -j 2),
 * for 3 MB more peak RSS (a huge page is taken whole). malloc's own large
 * blocks cannot take the hint: advising the aligned inside of one splits
 * its mapping, and realloc, which can then no longer mremap it, copies it
 * (page faults went up, 15.8 k -> 24.7 k).
 */
#define _GNU_SOURCE /* mremap */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "base/tw_base.h"
#if defined(__linux__)
#include <sys/mman.h>
#endif

/* The capacity a buffer of cap elements grows to for need; 0 on overflow. */
static size_t grown_cap(size_t cap, size_t need, size_t elem)
{
    size_t c = cap + cap / 2 + 64;
    if (c < need)
        c = need;
    return elem && c > SIZE_MAX / elem ? 0 : c;
}

#if defined(__linux__) && defined(MREMAP_FIXED) && defined(MADV_HUGEPAGE)
#define TW_BUF_MAPS 1
#define TW_HUGE ((size_t)2 << 20)

/* bytes rounded up to whole huge pages; 0 on overflow */
static size_t huge_round(size_t bytes)
{
    return bytes > SIZE_MAX - (TW_HUGE - 1) ? 0 : (bytes + TW_HUGE - 1) & ~(TW_HUGE - 1);
}

/* A new mapping of `bytes` (whole huge pages) at a huge page's boundary,
 * or NULL. Only huge pages wholly inside a mapping can be given, and
 * mremap picks any address: mapped where it fell, a grown array's new
 * part took 4 KB pages (3.3 k faults left in copying the sets). */
static void *map_aligned(size_t bytes)
{
    size_t span = bytes + TW_HUGE;
    if (span < bytes)
        return NULL;
    uint8_t *p = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    uint8_t *a = (uint8_t *)(((uintptr_t)p + TW_HUGE - 1) & ~(uintptr_t)(TW_HUGE - 1));
    if (a > p)
        munmap(p, (size_t)(a - p));
    if (p + span > a + bytes)
        munmap(a + bytes, (size_t)(p + span - (a + bytes)));
    return a;
}

/* Grows b to cap elements as a mapping; keep: how many bytes of the old
 * contents must survive. TW_OK, or TW_ENOMEM with b as it was. */
static int map_grow(tw__buf *b, size_t cap, size_t elem, size_t keep)
{
    size_t bytes = huge_round(cap * elem);
    void *p = bytes ? map_aligned(bytes) : NULL;
    if (!p)
        return TW_ENOMEM;
    madvise(p, bytes, MADV_HUGEPAGE); /* a hint: its failure changes nothing */
    if (b->mapped) {
        /* the pages move (whole huge pages stay whole: both ends aligned) */
        if (mremap(b->data, b->mapped, bytes, MREMAP_MAYMOVE | MREMAP_FIXED, p) == MAP_FAILED) {
            munmap(p, bytes);
            return TW_ENOMEM;
        }
    } else {
        if (keep)
            memcpy(p, b->data, keep);
        free(b->data);
    }
    b->data = p;
    b->cap = cap;
    b->mapped = bytes;
    return TW_OK;
}
#else
#define TW_BUF_MAPS 0
#endif

int tw__buf_grow(tw__buf *b, size_t need, size_t elem)
{
    if (need <= b->cap)
        return TW_OK;
    size_t cap = grown_cap(b->cap, need, elem);
    if (!cap)
        return TW_ENOMEM;
#if TW_BUF_MAPS
    if (b->mapped || cap * elem >= TW__BUF_MAP_MIN)
        return map_grow(b, cap, elem, b->cap * elem);
#endif
    void *p = realloc(b->data, cap * elem);
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
    if (!cap)
        return TW_ENOMEM;
#if TW_BUF_MAPS
    /* (a mapping keeps its pages, already touched, and grows past them) */
    if (b->mapped || cap * elem >= TW__BUF_MAP_MIN) {
        int rc = map_grow(b, cap, elem, 0);
        if (!rc)
            b->len = 0;
        return rc;
    }
#endif
    void *p = malloc(cap * elem);
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
#if TW_BUF_MAPS
    if (b->mapped)
        munmap(b->data, b->mapped);
    else
#endif
        free(b->data);
    b->data = NULL;
    b->len = b->cap = b->mapped = 0;
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

/* Key tables (tw_base.h). A table of 2^k slots at least four times the
 * keys: a key's first probe finds its home empty three times in four or
 * better, so the loop's branch is predictable. Clearing after use is a
 * memset of the slots used (16-32 bytes a key, L1-resident for one
 * document's few hundred shingles).
 *
 * Why a table and not a sort: a document's shingles only need to be a set.
 * Exact copies are found by an order-free hash (tw__keys_hash), the
 * document frequencies, the split into rare and common runs and one-
 * permutation hashing never looked at the order, and the exact check of a
 * candidate pair (tw__keys_intersect) probes one run's table with the
 * other's keys instead of merging two sorted runs. On 550-key sets a
 * dedup pass took 1.8-2.7 ns a key where the AVX2 bucket sort took
 * 8.9-11.5 (bench/README, session 15). */
#define TW_KEYS_MIN_SLOTS 64

/* The slots for n keys (a power of two >= 4n), or 0 when too many. */
static size_t key_slots(size_t n)
{
    if (n > ((size_t)1 << 29))
        return 0; /* past 2^31 slots; a set's size is a uint32_t anyway */
    size_t slots = TW_KEYS_MIN_SLOTS;
    while (slots < 4 * n)
        slots *= 2;
    return slots;
}

int tw__keys_reserve(tw__buf *table, size_t n)
{
    size_t slots = key_slots(n);
    if (!slots)
        return TW_ERANGE;
    if (slots <= table->cap)
        return TW_OK;
    /* a new block, all zero: the old one's contents are zero anyway */
    uint32_t *p = calloc(slots, sizeof *p);
    if (!p)
        return TW_ENOMEM;
    tw__buf_free(table);
    table->data = p;
    table->cap = slots;
    table->len = 0;
    return TW_OK;
}

int tw__keys_unique(tw__buf *table, uint32_t *keys, size_t n, size_t *out)
{
    int rc = tw__keys_reserve(table, n);
    if (rc)
        return rc;
    uint32_t *t = table->data;
    const size_t slots = key_slots(n), mask = slots - 1;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t x = keys[i];
        size_t s = tw__key_slot(t, mask, x);
        if (!t[s]) {
            t[s] = x;
            keys[k++] = x;
        }
    }
    memset(t, 0, slots * sizeof *t);
    *out = k;
    return TW_OK;
}

/* Whether x is in the table. Found or not is the data's to say (half and
 * half in a near-copy pair), so the probe goes on while min(k ^ x, k) != 0:
 * one branch, taken the same way by a hit and by a miss at an empty home
 * (gcc splits (k == x) | (k == 0) back into two, the first of which
 * mispredicted on the answer). Only here: in tw__key_slot_in, for every
 * table, the extra cmov cost 5.7 M instructions on 3,000 articles' near-
 * copy job and 7.6 M in story mode, whose probes mostly insert or miss. */
static inline int key_present(const uint32_t *t, size_t mask, uint32_t x)
{
    size_t s = tw__key_home(mask, x);
    uint32_t k = t[s];
    while (((k ^ x) < k ? (k ^ x) : k) != 0) {
        s = (s + 1) & mask;
        k = t[s];
    }
    return k == x;
}

int tw__keys_intersect(tw__buf *table, const uint32_t *a, size_t na, const uint32_t *b,
                       size_t nb, size_t need, size_t *out)
{
    if (na > nb) { /* the table holds the smaller set */
        const uint32_t *t = a;
        a = b;
        b = t;
        size_t tn = na;
        na = nb;
        nb = tn;
    }
    *out = 0;
    if (na == 0 || need > na)
        return TW_OK;
    int rc = tw__keys_reserve(table, na);
    if (rc)
        return rc;
    uint32_t *t = table->data;
    const size_t slots = key_slots(na), mask = slots - 1;
    for (size_t i = 0; i < na; i++)
        t[tw__key_slot(t, mask, a[i])] = a[i];
    /* b's keys probed 32 at a time; between, whether what is left of b
     * (and of a) could still make up need */
    size_t inter = 0, j = 0;
    while (j < nb) {
        size_t left = nb - j < na - inter ? nb - j : na - inter;
        if (inter + left < need)
            break;
        size_t stop = nb - j > 32 ? j + 32 : nb;
        for (; j < stop; j++)
            inter += key_present(t, mask, b[j]);
    }
    memset(t, 0, slots * sizeof *t);
    *out = inter;
    return TW_OK;
}

uint64_t tw__keys_hash_scalar(const uint32_t *keys, size_t n)
{
    /* one 32x32->64-bit product a key, summed: the order drops out, and
     * the loop vectorizes (pmuludq). Two sets of the same size (the
     * callers compare sizes too) collide as two random 64-bit sums. */
    uint64_t h = 0;
    for (size_t i = 0; i < n; i++)
        h += (uint64_t)(keys[i] ^ TW__KEYS_HASH_C1) * (keys[i] ^ TW__KEYS_HASH_C2);
    return h;
}

uint64_t tw__keys_hash(const uint32_t *keys, size_t n)
{
#if TW_X86_KERNELS
    if (tw__isa_active() >= TW__ISA_AVX2)
        return tw__keys_hash_avx2(keys, n);
#endif
    return tw__keys_hash_scalar(keys, n);
}
