/*
 * tw_fpset.c — a set of 32-bit fingerprints with linear probing, sized to
 * stay under half full. Fingerprints are XXH3 output, so a multiplicative
 * hash of them spreads well; 0 marks an empty slot (never a fingerprint).
 */
#include <stdlib.h>
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
