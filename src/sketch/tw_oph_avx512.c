/*
 * tw_oph_avx512.c — OPH's inner loop for AVX-512 (F, DQ, VL): eight
 * shingles hashed at once with 64-bit lanes (vpmullq does splitmix64's
 * multiplications), their bins and values stored to the stack and kept by
 * the scalar minimum (tw__oph_keep). Built with -mavx512f -mavx512dq
 * -mavx512vl and called only when the CPU has them (base/tw_cpu.c); the
 * tests hold it to tw__oph_add_scalar bit for bit.
 */
#include <immintrin.h>
#include "sketch/tw_sketch.h"

void tw__oph_add_avx512(uint64_t salt, const uint32_t *fp, size_t n, uint32_t *sig,
                        uint8_t *filled, int count)
{
    const __m512i s = _mm512_set1_epi64((long long)salt);
    const __m512i m1 = _mm512_set1_epi64((long long)0xBF58476D1CE4E5B9ull);
    const __m512i m2 = _mm512_set1_epi64((long long)0x94D049BB133111EBull);
    const __m512i c = _mm512_set1_epi64(count);
    size_t j = 0;
    for (; j + 8 <= n; j += 8) {
        __m512i x = _mm512_cvtepu32_epi64(_mm256_loadu_si256((const __m256i *)(fp + j)));
        x = _mm512_xor_si512(x, s);
        /* tw__mix64 */
        x = _mm512_xor_si512(x, _mm512_srli_epi64(x, 30));
        x = _mm512_mullo_epi64(x, m1);
        x = _mm512_xor_si512(x, _mm512_srli_epi64(x, 27));
        x = _mm512_mullo_epi64(x, m2);
        x = _mm512_xor_si512(x, _mm512_srli_epi64(x, 31));
        __m512i bin = _mm512_srli_epi64(_mm512_mul_epu32(_mm512_srli_epi64(x, 32), c), 32);
        uint32_t b[8], v[8];
        _mm256_storeu_si256((__m256i *)b, _mm512_cvtepi64_epi32(bin));
        _mm256_storeu_si256((__m256i *)v, _mm512_cvtepi64_epi32(x));
        for (int k = 0; k < 8; k++)
            tw__oph_keep(sig, filled, b[k], v[k]);
    }
    for (; j < n; j++)
        tw__oph_add_one(salt, fp[j], sig, filled, count);
}
