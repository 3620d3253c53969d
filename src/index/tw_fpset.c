/*
 * tw_fpset.c — a set of 32-bit fingerprints with linear probing, sized to
 * stay under half full. Fingerprints are XXH3 output, so a multiplicative
 * hash of them spreads well; 0 marks an empty slot (never a fingerprint).
 * Also a set of pairs of document indices, the same way with 64-bit keys,
 * a table of answers for such pairs that one thread fills while others
 * read it, and the scalar scan of the bitmap filter in front of the first
 * set (tw_fpset_avx2.c has its vector one).
 */
#include <stdlib.h>
#include <string.h>
#include "index/tw_index.h"

int tw__fpset_init(tw__fpset *s, size_t expected)
{
    size_t cap = 16;
    while (cap < 2 * expected + 2)
        cap *= 2;
    s->slots = calloc(cap, sizeof *s->slots);
    if (!s->slots)
        return TW_ENOMEM;
    s->mask = cap - 1;
    s->count = 0;
    return TW_OK;
}

int tw__fpset_add(tw__fpset *s, uint32_t fp)
{
    if (fp == 0)
        return TW_EINVAL;
    if (2 * (s->count + 1) > s->mask + 1) {
        tw__fpset bigger;
        if (tw__fpset_init(&bigger, 2 * (s->count + 1)))
            return TW_ENOMEM;
        for (size_t i = 0; i <= s->mask; i++)
            if (s->slots[i])
                tw__fpset_add(&bigger, s->slots[i]);
        free(s->slots);
        *s = bigger;
    }
    size_t i = tw__key_slot(s->slots, s->mask, fp);
    if (!s->slots[i]) {
        s->slots[i] = fp;
        s->count++;
    }
    return TW_OK;
}

void tw__fpset_free(tw__fpset *s)
{
    if (!s)
        return;
    free(s->slots);
    s->slots = NULL;
    s->mask = s->count = 0;
}

size_t tw__fpmap_find_scalar(const uint64_t *map, const uint32_t *x, size_t n, uint32_t *at)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (tw__fpmap_has(map, x[i]))
            at[k++] = (uint32_t)i;
    return k;
}

tw__fpmap_find_fn tw__fpmap_find_for(tw__isa isa)
{
    /* (AVX-512 hosts take the AVX2 loop: a gather of eight is what it needs) */
    return TW__AVX512_AVX2_OR(isa, tw__fpmap_find_avx2, tw__fpmap_find_avx2, tw__fpmap_find_scalar);
}

size_t tw__fps_move_to_end(uint32_t *x, size_t n, const uint32_t *at, size_t k, uint32_t *tmp)
{
    if (k == 0)
        return n;
    size_t lo = at[0];
    for (size_t h = 0; h < k; h++) {
        tmp[h] = x[at[h]];
        size_t from = at[h] + 1, to = h + 1 < k ? at[h + 1] : n;
        memmove(x + lo, x + from, (to - from) * sizeof *x);
        lo += to - from;
    }
    memcpy(x + lo, tmp, k * sizeof *x);
    return lo;
}

static inline uint64_t pair_key(uint32_t a, uint32_t b)
{
    return (((uint64_t)a << 32) | b) + 1; /* never 0: a document index is below 2^32 - 1 */
}

/* where key k's probe starts: the high half of the product, so that every
 * bit of both indices takes part */
static inline size_t pair_home(size_t mask, uint64_t k)
{
    return (size_t)((k * 0x9E3779B97F4A7C15ull) >> 32) & mask;
}

static size_t pair_slot(const uint64_t *slots, size_t mask, uint64_t k)
{
    size_t i = pair_home(mask, k);
    while (slots[i] && slots[i] != k)
        i = (i + 1) & mask;
    return i;
}

int tw__pairset_add(tw__pairset *s, uint32_t a, uint32_t b)
{
    if (a == UINT32_MAX && b == UINT32_MAX)
        return TW_ERANGE;
    if (2 * (s->count + 1) > (s->slots ? s->mask + 1 : 0)) {
        size_t cap = s->slots ? 2 * (s->mask + 1) : 1024;
        if (cap > SIZE_MAX / sizeof(uint64_t))
            return TW_ENOMEM;
        uint64_t *slots = calloc(cap, sizeof *slots);
        if (!slots)
            return TW_ENOMEM;
        for (size_t i = 0; s->slots && i <= s->mask; i++)
            if (s->slots[i])
                slots[pair_slot(slots, cap - 1, s->slots[i])] = s->slots[i];
        free(s->slots);
        s->slots = slots;
        s->mask = cap - 1;
    }
    uint64_t k = pair_key(a, b);
    size_t i = pair_slot(s->slots, s->mask, k);
    if (!s->slots[i]) {
        s->slots[i] = k;
        s->count++;
    }
    return TW_OK;
}

int tw__pairset_has(const tw__pairset *s, uint32_t a, uint32_t b)
{
    if (!s->slots || (a == UINT32_MAX && b == UINT32_MAX))
        return 0;
    uint64_t k = pair_key(a, b);
    return s->slots[pair_slot(s->slots, s->mask, k)] == k;
}

void tw__pairset_free(tw__pairset *s)
{
    if (!s)
        return;
    free(s->slots);
    s->slots = NULL;
    s->mask = s->count = 0;
}

int tw__pairans_init(tw__pairans *s, size_t room)
{
    size_t cap = 16;
    while (cap / 2 < room)
        cap *= 2;
    s->mask = cap - 1;
    s->count = 0;
    s->slots = calloc(cap, sizeof *s->slots);
    s->answer = malloc(cap);
    if (s->slots && s->answer)
        return TW_OK;
    tw__pairans_free(s);
    return TW_ENOMEM;
}

int tw__pairans_put(tw__pairans *s, uint32_t a, uint32_t b, int answer)
{
    if (a == UINT32_MAX && b == UINT32_MAX)
        return TW_ERANGE;
    if (2 * (s->count + 1) > s->mask + 1)
        return TW_ENOMEM;
    uint64_t k = pair_key(a, b);
    /* (only this thread writes the slots: plain reads see them all) */
    size_t i = pair_slot(s->slots, s->mask, k);
    if (s->slots[i])
        return TW_OK; /* answered already: a pair's answer does not change */
    s->answer[i] = (uint8_t)(answer != 0);
    /* the answer first, then the key that publishes it */
    __atomic_store_n(&s->slots[i], k, __ATOMIC_RELEASE);
    s->count++;
    return TW_OK;
}

int tw__pairans_get(const tw__pairans *s, uint32_t a, uint32_t b)
{
    if (!s->slots || (a == UINT32_MAX && b == UINT32_MAX))
        return -1;
    uint64_t k = pair_key(a, b);
    for (size_t i = pair_home(s->mask, k);; i = (i + 1) & s->mask) {
        uint64_t at = __atomic_load_n(&s->slots[i], __ATOMIC_ACQUIRE);
        if (at == k)
            return s->answer[i];
        if (!at)
            return -1; /* (the table is never full: an empty slot ends every probe) */
    }
}

void tw__pairans_free(tw__pairans *s)
{
    if (!s)
        return;
    free(s->slots);
    free(s->answer);
    s->slots = NULL;
    s->answer = NULL;
    s->mask = s->count = 0;
}
