/*
 * tw_avx2.h — small AVX2 helpers the AVX2 kernel files share (each is
 * built with -mavx2; nothing else includes this).
 */
#ifndef TW_AVX2_H
#define TW_AVX2_H

#include <immintrin.h>

/* x * m mod 2^64, lane by lane, from three 32x32->64 multiplies (AVX2 has
 * no 64-bit low multiply): lo(x)lo(m) + ((hi(x)lo(m) + lo(x)hi(m)) << 32).
 * m's low half is read from m (vpmuludq ignores the high one), m_hi holds
 * m >> 32 in every lane. */
static inline __m256i tw__mul64_avx2(__m256i x, __m256i m, __m256i m_hi)
{
    __m256i lolo = _mm256_mul_epu32(x, m);
    __m256i cross = _mm256_add_epi64(_mm256_mul_epu32(_mm256_srli_epi64(x, 32), m),
                                     _mm256_mul_epu32(x, m_hi));
    return _mm256_add_epi64(lolo, _mm256_slli_epi64(cross, 32));
}

/* The 128-bit product of x and y, lane by lane, its halves xor-ed (XXH3's
 * mul128_fold64), from four 32x32->64 multiplies with the carries of the
 * middle terms added by hand. */
static inline __m256i tw__mul128_fold_avx2(__m256i x, __m256i y)
{
    const __m256i low32 = _mm256_set1_epi64x(0xFFFFFFFFll);
    __m256i xh = _mm256_srli_epi64(x, 32), yh = _mm256_srli_epi64(y, 32);
    __m256i ll = _mm256_mul_epu32(x, y), lh = _mm256_mul_epu32(x, yh);
    __m256i hl = _mm256_mul_epu32(xh, y), hh = _mm256_mul_epu32(xh, yh);
    __m256i mid = _mm256_add_epi64(_mm256_srli_epi64(ll, 32), _mm256_and_si256(lh, low32));
    mid = _mm256_add_epi64(mid, _mm256_and_si256(hl, low32));
    __m256i lo = _mm256_blend_epi32(ll, _mm256_slli_epi64(mid, 32), 0xAA);
    __m256i hi = _mm256_add_epi64(hh, _mm256_srli_epi64(lh, 32));
    hi = _mm256_add_epi64(hi, _mm256_add_epi64(_mm256_srli_epi64(hl, 32), _mm256_srli_epi64(mid, 32)));
    return _mm256_xor_si256(lo, hi);
}

#endif
