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

#endif
