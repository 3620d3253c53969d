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
 */
#include "sketch/tw_sketch.h"

static inline uint64_t mix64(uint64_t x)
{
    /* splitmix64's finalizer: a bijection with full avalanche */
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

void tw__oph_sign(uint64_t seed, const uint32_t *fp, size_t n, uint32_t *sig, int count)
{
    if (count > TW__MH_N)
        count = TW__MH_N;
    if (count <= 0)
        return;
    for (int i = 0; i < count; i++)
        sig[i] = UINT32_MAX;
    uint64_t s = mix64(seed ^ 0x4F50482D5457ull); /* "OPH-TW" */
    uint8_t filled[TW__MH_N] = {0};
    for (size_t j = 0; j < n; j++) {
        uint64_t h = mix64((uint64_t)fp[j] ^ s);
        uint32_t bin = (uint32_t)(((h >> 32) * (uint64_t)count) >> 32);
        uint32_t v = (uint32_t)h;
        /* branch-free: which bin wins is data, a branch would mispredict */
        sig[bin] = v < sig[bin] ? v : sig[bin];
        filled[bin] = 1;
    }
    if (n == 0)
        return; /* an empty set: every bin stays empty (all ones) */
    uint32_t tmp[TW__MH_N];
    for (int i = 0; i < count; i++)
        tmp[i] = sig[i];
    for (int i = 0; i < count; i++) {
        if (filled[i])
            continue;
        for (uint64_t attempt = 1;; attempt++) {
            uint64_t r = mix64(s ^ ((uint64_t)i << 32) ^ attempt);
            uint32_t j = (uint32_t)(((r >> 32) * (uint64_t)count) >> 32);
            if (filled[j]) {
                sig[i] = tmp[j];
                break;
            }
        }
    }
}
