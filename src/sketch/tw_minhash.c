/*
 * tw_minhash.c — MinHash signatures, scalar.
 *
 * 128 multiply-shift hash functions over the 32-bit shingle fingerprints:
 * h_i(x) = (a_i·x + b_i) mod 2^64 >> 32 with random odd a_i is a 2-universal
 * family (Dietzfelbinger et al.), and the fingerprints are already XXH3
 * output, so this is as good as independent permutations for estimating
 * Jaccard. The inner loop runs over the 128 functions for one fingerprint,
 * which compilers vectorize.
 *
 * Batches now sign with one-permutation hashing (tw_oph.c), one hash per
 * shingle instead of 128; this classic sketch stays as the yardstick the
 * tests hold OPH's Jaccard estimates against.
 */
#include "sketch/tw_sketch.h"

static uint64_t splitmix64(uint64_t *s)
{
    return tw__mix64(*s += 0x9E3779B97F4A7C15ull);
}

void tw__minhash_init(tw__minhash *mh, uint64_t seed)
{
    uint64_t s = seed ^ 0x7A7A7761u; /* "tawa" */
    for (int i = 0; i < TW__MH_N; i++) {
        mh->a[i] = splitmix64(&s) | 1;
        mh->b[i] = splitmix64(&s);
    }
}

void tw__minhash_sign(const tw__minhash *mh, const uint32_t *fp, size_t n, uint32_t *sig,
                      int count)
{
    if (count > TW__MH_N)
        count = TW__MH_N;
    for (int i = 0; i < count; i++)
        sig[i] = UINT32_MAX;
    for (size_t j = 0; j < n; j++) {
        uint64_t x = fp[j];
        for (int i = 0; i < count; i++) {
            uint32_t h = (uint32_t)((mh->a[i] * x + mh->b[i]) >> 32);
            sig[i] = h < sig[i] ? h : sig[i];
        }
    }
}

double tw__minhash_estimate(const uint32_t *a, const uint32_t *b, int count)
{
    if (count <= 0)
        return 0.0;
    int eq = 0;
    for (int i = 0; i < count; i++)
        eq += a[i] == b[i];
    return (double)eq / count;
}
