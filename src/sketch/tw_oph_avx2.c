/*
 * tw_oph_avx2.c — OPH's inner loop for AVX2: four shingles hashed at once.
 * AVX2 has no 64-bit low multiply, so each of splitmix64's two is made of
 * three 32x32->64 ones (lo*lo + (hi*lo + lo*hi) << 32); bins and values go
 * to the stack and the scalar minimum keeps them (tw__oph_keep). Built
 * with -mavx2 and called only when the CPU has it (base/tw_cpu.c); the
 * tests hold it to tw__oph_add_scalar bit for bit.
 */
#include <immintrin.h>
#include "sketch/tw_sketch.h"

/* x * m mod 2^64, lane by lane; m_hi holds m >> 32 in every lane. */
static inline __m256i mul64(__m256i x, __m256i m, __m256i m_hi)
{
    __m256i lolo = _mm256_mul_epu32(x, m);
    __m256i cross = _mm256_add_epi64(_mm256_mul_epu32(_mm256_srli_epi64(x, 32), m),
                                     _mm256_mul_epu32(x, m_hi));
    return _mm256_add_epi64(lolo, _mm256_slli_epi64(cross, 32));
}

void tw__oph_add_avx2(uint64_t salt, const uint32_t *fp, size_t n, uint32_t *sig,
                      uint8_t *filled, int count)
{
    const uint64_t k1 = 0xBF58476D1CE4E5B9ull, k2 = 0x94D049BB133111EBull;
    const __m256i s = _mm256_set1_epi64x((long long)salt);
    const __m256i m1 = _mm256_set1_epi64x((long long)k1), m1h = _mm256_set1_epi64x((long long)(k1 >> 32));
    const __m256i m2 = _mm256_set1_epi64x((long long)k2), m2h = _mm256_set1_epi64x((long long)(k2 >> 32));
    const __m256i c = _mm256_set1_epi64x(count);
    size_t j = 0;
    for (; j + 4 <= n; j += 4) {
        __m256i x = _mm256_cvtepu32_epi64(_mm_loadu_si128((const __m128i *)(fp + j)));
        x = _mm256_xor_si256(x, s);
        /* tw__mix64 */
        x = _mm256_xor_si256(x, _mm256_srli_epi64(x, 30));
        x = mul64(x, m1, m1h);
        x = _mm256_xor_si256(x, _mm256_srli_epi64(x, 27));
        x = mul64(x, m2, m2h);
        x = _mm256_xor_si256(x, _mm256_srli_epi64(x, 31));
        __m256i bin = _mm256_srli_epi64(_mm256_mul_epu32(_mm256_srli_epi64(x, 32), c), 32);
        uint64_t b[4], v[4];
        _mm256_storeu_si256((__m256i *)b, bin);
        _mm256_storeu_si256((__m256i *)v, x);
        for (int k = 0; k < 4; k++)
            tw__oph_keep(sig, filled, (uint32_t)b[k], (uint32_t)v[k]);
    }
    for (; j < n; j++)
        tw__oph_add_one(salt, fp[j], sig, filled, count);
}
