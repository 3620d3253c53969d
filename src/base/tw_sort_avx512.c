/*
 * tw_sort_avx512.c — a document's shingle hashes sorted and made unique with
 * AVX-512 (F). The scalar reference (tw_buf.c) spreads the keys into
 * buckets of about two and finishes with an insertion sort, whose
 * comparisons are coin flips for the branch predictor: most of its time.
 * Here the same bucket pass (tw__hash_buckets) makes buckets of four to
 * eight keys, and each bucket is sorted in one register by a bitonic
 * network of 16 lanes (ten steps of permute, min, max and blend; unused
 * lanes hold all ones and sort last), its duplicates — equal keys share a
 * bucket — dropped by comparing each lane with the one before, and the
 * rest compressed into place. A bucket of more than 16 (rare for hashes,
 * or many copies of one key) takes the insertion sort. The result equals
 * the scalar one key for key; the tests check it on every length to 600
 * and around the bucket edges.
 */
#include <immintrin.h>
#include "base/tw_base.h"

/* One compare-exchange step: each lane against lane ^ j, keeping the
 * maximum where take_max is set. */
static inline __m512i exchange(__m512i v, __m512i iota, int j, __mmask16 take_max)
{
    __m512i p = _mm512_permutexvar_epi32(_mm512_xor_si512(iota, _mm512_set1_epi32(j)), v);
    return _mm512_mask_blend_epi32(take_max, _mm512_min_epu32(v, p), _mm512_max_epu32(v, p));
}

/* Sorts 16 lanes ascending: bitonic blocks of 2, 4, 8, then 16. In a
 * block of size k, lanes with i & k == 0 build it ascending; the lane of a
 * pair whose bit j is set takes the maximum in an ascending block, so
 * take_max has bit i = ((i & j) != 0) ^ ((i & k) != 0). */
static inline __m512i sort16(__m512i v)
{
    const __m512i iota = _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    v = exchange(v, iota, 1, 0x6666); /* k = 2 */
    v = exchange(v, iota, 2, 0x3C3C); /* k = 4 */
    v = exchange(v, iota, 1, 0x5A5A);
    v = exchange(v, iota, 4, 0x0FF0); /* k = 8 */
    v = exchange(v, iota, 2, 0x33CC);
    v = exchange(v, iota, 1, 0x55AA);
    v = exchange(v, iota, 8, 0xFF00); /* k = 16 */
    v = exchange(v, iota, 4, 0xF0F0);
    v = exchange(v, iota, 2, 0xCCCC);
    v = exchange(v, iota, 1, 0xAAAA);
    return v;
}

size_t tw__sort_unique_hashes_u32_avx512(uint32_t *keys, uint32_t *tmp, size_t n)
{
    if (n < 2 || n > TW__SORT_HASHES_MAX)
        return tw__sort_unique_hashes_u32_scalar(keys, tmp, n);
    uint32_t ends[(1u << 11) + 1];
    const size_t nb = tw__sort_buckets(keys, tmp, n, 8, ends);
    const __m512i ones = _mm512_set1_epi32(-1);
    size_t u = 0, start = 0;
    for (size_t b = 0; b < nb; b++) {
        size_t end = ends[b], m = end - start;
        if (TW_LIKELY(m <= 16)) {
            __mmask16 valid = (__mmask16)((1u << m) - 1);
            __m512i v = sort16(_mm512_mask_loadu_epi32(ones, valid, tmp + start));
            /* lane i against lane i - 1 (lane 0 is always new: keys equal
             * to a key of another bucket do not exist) */
            __m512i before = _mm512_alignr_epi32(v, v, 15);
            __mmask16 keep = valid & (__mmask16)(_mm512_cmpneq_epu32_mask(v, before) | 1u);
            unsigned k = (unsigned)__builtin_popcount(keep);
            _mm512_mask_storeu_epi32(keys + u, (__mmask16)((1u << k) - 1),
                                     _mm512_maskz_compress_epi32(keep, v));
            u += k;
        } else {
            u = tw__sort_unique_bucket(tmp + start, m, keys, u);
        }
        start = end;
    }
    return u;
}
