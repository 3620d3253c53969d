/*
 * tw_shingle_avx2.c — the window hashes of word 4-shingles (the default)
 * for AVX2: four windows at once. AVX2 has no 64-bit multiply, so each of
 * the five a window needs (four multiply-adds, the avalanche's one) is
 * three 32x32->64 vpmuludq and a shift, by a constant whose halves are
 * split once: x * m mod 2^64 = lo(x)lo(m) + ((hi(x)lo(m) + lo(x)hi(m)) << 32).
 * Built with -mavx2 and called only when the CPU has it; the tests hold it
 * to the scalar loop (tw_shingle.c, the reference) bit for bit.
 */
#include <immintrin.h>
#include "base/tw_avx2.h"
#include "sketch/tw_sketch.h"

void tw__window4_hashes_avx2(const uint64_t *th, size_t nsh, uint64_t start, uint32_t *fp)
{
    const __m256i m_lo = _mm256_set1_epi64x((long long)(TW__WINDOW_MUL & 0xFFFFFFFFull));
    const __m256i m_hi = _mm256_set1_epi64x((long long)(TW__WINDOW_MUL >> 32));
    const __m256i a_lo = _mm256_set1_epi64x((long long)(TW__AVALANCHE_MUL & 0xFFFFFFFFull));
    const __m256i a_hi = _mm256_set1_epi64x((long long)(TW__AVALANCHE_MUL >> 32));
    const __m256i s = _mm256_set1_epi64x((long long)start);
    const __m256i low_halves = _mm256_setr_epi32(0, 2, 4, 6, 0, 2, 4, 6);
    size_t i = 0;
    for (; i + 4 <= nsh; i += 4) {
        __m256i acc = s;
        for (int j = 0; j < 4; j++)
            acc = tw__mul64_avx2(_mm256_add_epi64(acc, _mm256_loadu_si256((const __m256i *)(th + i + j))),
                        m_lo, m_hi);
        /* avalanche, as tw_shingle.c's; only the low 32 bits are kept, so
         * the last shift's xor is the high half onto the low */
        acc = _mm256_xor_si256(acc, _mm256_srli_epi64(acc, 37));
        acc = tw__mul64_avx2(acc, a_lo, a_hi);
        acc = _mm256_xor_si256(acc, _mm256_srli_epi64(acc, 32));
        __m128i h = _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(acc, low_halves));
        /* a fingerprint of 0 becomes 1 (0 marks empty slots): 0 - (-1) */
        h = _mm_sub_epi32(h, _mm_cmpeq_epi32(h, _mm_setzero_si128()));
        _mm_storeu_si128((__m128i *)(fp + i), h);
    }
    tw__window_hashes_scalar(th + i, nsh - i, 4, start, fp + i);
}
