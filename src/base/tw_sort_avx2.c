/*
 * tw_sort_avx2.c — a document's shingle hashes sorted and made unique with
 * AVX2, the eight-lane sibling of tw_sort_avx512.c. The same
 * bucket pass (tw__hash_buckets) makes buckets of two to four keys; each
 * is sorted in one register by a bitonic network of 8 lanes (six steps of
 * permute, min, max and blend; unused lanes hold all ones and sort last),
 * its duplicates (equal keys share a bucket) found by comparing each lane
 * with the one before. A bucket without them (most) is stored whole; AVX2
 * has no compress, so one with them is copied lane by lane, as is one of
 * more than 8, after an insertion sort. The result equals the
 * scalar one (tw_buf.c, the reference) key for key; the tests check it.
 */
#include <immintrin.h>
#include "base/tw_base.h"

/* One compare-exchange step: each lane against lane ^ j (the permute
 * `perm`), keeping the maximum in the lanes set in the immediate TAKE_MAX. */
#define EXCHANGE(v, perm, TAKE_MAX)                                                               \
    do {                                                                                          \
        __m256i p_ = _mm256_permutevar8x32_epi32((v), (perm));                                   \
        (v) = _mm256_blend_epi32(_mm256_min_epu32((v), p_), _mm256_max_epu32((v), p_), (TAKE_MAX)); \
    } while (0)

/* Sorts 8 lanes ascending: bitonic blocks of 2, 4, then 8 (take_max has
 * bit i = ((i & j) != 0) ^ ((i & k) != 0), as in tw_sort_avx512.c). */
static inline __m256i sort8(__m256i v)
{
    const __m256i x1 = _mm256_setr_epi32(1, 0, 3, 2, 5, 4, 7, 6);
    const __m256i x2 = _mm256_setr_epi32(2, 3, 0, 1, 6, 7, 4, 5);
    const __m256i x4 = _mm256_setr_epi32(4, 5, 6, 7, 0, 1, 2, 3);
    EXCHANGE(v, x1, 0x66); /* k = 2 */
    EXCHANGE(v, x2, 0x3C); /* k = 4 */
    EXCHANGE(v, x1, 0x5A);
    EXCHANGE(v, x4, 0xF0); /* k = 8 */
    EXCHANGE(v, x2, 0xCC);
    EXCHANGE(v, x1, 0xAA);
    return v;
}

size_t tw__sort_unique_hashes_u32_avx2(uint32_t *keys, uint32_t *tmp, size_t n)
{
    if (n < 2 || n > TW__SORT_HASHES_MAX)
        return tw__sort_unique_hashes_u32_scalar(keys, tmp, n);
    uint32_t ends[(1u << 11) + 1];
    const size_t nb = tw__sort_buckets(keys, tmp, n, 4, ends);
    const __m256i ones = _mm256_set1_epi32(-1);
    const __m256i iota = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i rotate = _mm256_setr_epi32(0, 0, 1, 2, 3, 4, 5, 6);
    size_t u = 0, start = 0;
    for (size_t b = 0; b < nb; b++) {
        size_t end = ends[b], m = end - start;
        if (TW_LIKELY(m <= 8)) {
            __m256i valid = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)m), iota);
            __m256i v = _mm256_blendv_epi8(ones, _mm256_maskload_epi32((const int *)(tmp + start), valid), valid);
            v = sort8(v);
            /* lane i against lane i - 1 (lane 0 is always new: keys equal
             * to a key of another bucket do not exist) */
            __m256i same = _mm256_cmpeq_epi32(v, _mm256_permutevar8x32_epi32(v, rotate));
            unsigned dup = (unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(same)) & ((1u << m) - 1) & 0xFEu;
            if (TW_LIKELY(!dup && u + 8 <= n)) {
                _mm256_storeu_si256((__m256i *)(keys + u), v); /* lanes past m are overwritten next */
                u += m;
            } else {
                uint32_t lane[8];
                _mm256_storeu_si256((__m256i *)lane, v);
                for (size_t i = 0; i < m; i++) {
                    keys[u] = lane[i];
                    u += !((dup >> i) & 1);
                }
            }
        } else {
            u = tw__sort_unique_bucket(tmp + start, m, keys, u);
        }
        start = end;
    }
    return u;
}
