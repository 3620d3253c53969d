/*
 * tw_oph.c — one-permutation hashing with optimal densification, scalar.
 *
 * Classic MinHash hashes every shingle K times; one-permutation hashing
 * (Li, Owen & Zhang 2012) hashes it once, uses part of the hash to pick one
 * of K bins and keeps the minimum of the rest per bin: O(n + K) instead of
 * O(nK). Bins that no shingle reached are filled by optimal densification
 * (Shrivastava 2017): an empty bin i borrows the value of bin j, where j is
 * drawn by a hash of (i, attempt) alone — independent of the data, so two
 * sets borrow consistently — until a filled bin is found. The borrowed
 * values keep Pr[sig_a[i] == sig_b[i]] = Jaccard(a, b), so LSH banding and
 * the collision estimate work as with K-permutation MinHash (tests check it
 * against exact Jaccard).
 *
 * The loop over the shingles (tw__oph_add_scalar here, vector kernels in
 * tw_oph_avx2.c and tw_oph_avx512.c) and the densification (scalar here,
 * AVX-512 beside the loop) are chosen once per plan.
 */
#include <string.h>
#include "sketch/tw_sketch.h"


/* The bin that empty bin i tries at its attempt-th try (from 1). */
static uint32_t oph_try(uint64_t salt, int i, uint64_t attempt, int count)
{
    uint64_t r = tw__mix64(salt ^ ((uint64_t)i << 32) ^ attempt);
    return (uint32_t)(((r >> 32) * (uint64_t)count) >> 32);
}

uint32_t tw__oph_far(const tw__oph *o, int i, const uint8_t *filled)
{
    for (uint64_t attempt = (uint64_t)(o->tries_drawn ? TW__OPH_TRIES : 0) + 1;; attempt++) {
        uint32_t j = oph_try(o->salt, i, attempt, o->count);
        if (filled[j])
            return j;
    }
}

/* The plan's count and salt; its tries are not drawn. */
static void oph_plan(tw__oph *o, uint64_t seed, int count)
{
    o->count = count > TW__MH_N ? TW__MH_N : (count < 0 ? 0 : count);
    o->salt = tw__mix64(seed ^ 0x4F50482D5457ull); /* "OPH-TW" */
    o->tries_drawn = 0;
    o->add = tw__oph_add_for(tw__isa_active());
    o->densify = tw__oph_densify_for(tw__isa_active());
}

void tw__oph_init(tw__oph *o, uint64_t seed, int count)
{
    oph_plan(o, seed, count);
    o->tries_drawn = 1;
    /* the first tries of every bin, drawn once instead of once a document:
     * densifying a short text's signature costs a table walk, not a hash
     * per try */
    for (int i = 0; i < o->count; i++)
        for (int t = 0; t < TW__OPH_TRIES; t++)
            o->tries[i][t] = (uint8_t)oph_try(o->salt, i, (uint64_t)t + 1, o->count);
}

void tw__oph_add_scalar(uint64_t salt, const uint32_t *fp, size_t n, uint32_t *sig,
                        uint8_t *filled, int count)
{
    for (size_t j = 0; j < n; j++)
        tw__oph_add_one(salt, fp[j], sig, filled, count);
}

tw__oph_add_fn tw__oph_add_for(tw__isa isa)
{
    return TW__AVX512_AVX2_OR(isa, tw__oph_add_avx512, tw__oph_add_avx2,
                              tw__oph_add_scalar);
}

tw__oph_densify_fn tw__oph_densify_for(tw__isa isa)
{
    return TW__AVX512_AVX2_OR(isa, tw__oph_densify_avx512, tw__oph_densify_avx2,
                              tw__oph_densify_scalar);
}

/* Fills the empty bins (a set of `n` shingles; an empty set stays all ones):
 * an empty bin takes the value of the first filled bin among its tries.
 * The filled bins are read into a 128-bit mask first, so the walk visits
 * only the empty ones (about 1 in 10 for a 300-shingle text over 126
 * bins) and a try is one bit test; filled bins never change, so their
 * values are read in place. */
void tw__oph_densify_scalar(const tw__oph *o, size_t n, uint32_t *sig, const uint8_t *filled)
{
    int count = o->count;
    uint64_t full[2] = {0, 0};
    for (int i = 0; i < count; i += 8) {
        /* eight 0/1 bytes to eight bits: the multiply gathers them into
         * the top byte (filled[] has TW__MH_N entries; bins past count are 0) */
        uint64_t x;
        memcpy(&x, filled + i, 8);
        full[i >> 6] |= ((x * 0x0102040810204080ull) >> 56) << (i & 63);
    }
    uint64_t empty[2];
    tw__oph_empty_bins(full, count, empty);
    if (n == 0 || (empty[0] | empty[1]) == 0)
        return; /* an empty set stays empty; a long text fills every bin */
    const int tries = o->tries_drawn ? TW__OPH_TRIES : 0;
    for (int w = 0; w < 2; w++)
        while (empty[w]) {
            int i = 64 * w + __builtin_ctzll(empty[w]);
            empty[w] &= empty[w] - 1;
            int t = 0;
            uint32_t j = 0;
            for (; t < tries; t++) {
                j = o->tries[i][t];
                if (full[j >> 6] >> (j & 63) & 1)
                    break;
            }
            if (t == tries)
                j = tw__oph_far(o, i, filled);
            sig[i] = sig[j];
        }
}

/* The densification of a run of n shingles: the active kernel's, except
 * for one shingle, whose one filled bin is where every empty bin's tries
 * end, so every bin takes its value: what the kernels give, without
 * walking about 126 tries a bin, most of them hashed in tw__oph_far
 * (SaudiNewsNet's near-copy job signs 232 one-shingle runs; tw__oph_far
 * took 58.3 M instructions, 3.6 M since). */
static void densify_run(const tw__oph *o, size_t n, uint32_t *sig, const uint8_t *filled)
{
    if (n != 1) {
        o->densify(o, n, sig, filled);
        return;
    }
    int j = 0;
    while (j < o->count - 1 && !filled[j])
        j++;
    for (int i = 0; i < o->count; i++)
        sig[i] = sig[j];
}

void tw__oph_sign2(const tw__oph *o, const uint32_t *fp, size_t n_prefix, size_t n,
                   uint32_t *sig_prefix, uint32_t *sig)
{
    int count = o->count;
    if (count <= 0)
        return;
    if (n_prefix > n)
        n_prefix = n;
    uint32_t bins[TW__MH_N];
    uint8_t filled[TW__MH_N] = {0}, filled_prefix[TW__MH_N] = {0};
    for (int i = 0; i < count; i++)
        bins[i] = UINT32_MAX;
    /* the whole set's bins are the prefix's, carried on over the rest */
    o->add(o->salt, fp, n_prefix, bins, filled, count);
    if (sig_prefix) {
        for (int i = 0; i < count; i++) {
            sig_prefix[i] = bins[i];
            filled_prefix[i] = filled[i];
        }
        densify_run(o, n_prefix, sig_prefix, filled_prefix);
    }
    if (sig) {
        o->add(o->salt, fp + n_prefix, n - n_prefix, bins, filled, count);
        for (int i = 0; i < count; i++)
            sig[i] = bins[i];
        densify_run(o, n, sig, filled);
    }
}

void tw__oph_sign(uint64_t seed, const uint32_t *fp, size_t n, uint32_t *sig, int count)
{
    /* one signature: drawing every bin's tries (4,000 hashes) would cost
     * more than the signature; each try is hashed when it is needed */
    tw__oph o;
    oph_plan(&o, seed, count);
    tw__oph_sign2(&o, fp, n, n, NULL, sig);
}
