/*
 * tw_keys_avx2.c — the order-free hash of a key set (tw__keys_hash) for
 * AVX2: eight keys a step, the 32x32->64-bit products of even and odd
 * lanes summed in four 64-bit lanes. The sum mod 2^64 does not depend on
 * the order it is taken in, so this is the scalar loop's value exactly;
 * gcc's own vectorization of that loop (SSE2, the generic build) took 4.5
 * instructions a key, 37.5 M of the near-copy job on SaudiNewsNet. Built
 * with -mavx2 and called only when the CPU has it; test_keys holds it to
 * tw__keys_hash_scalar.
 */
#include <immintrin.h>
#include "base/tw_base.h"

uint64_t tw__keys_hash_avx2(const uint32_t *keys, size_t n)
{
    const __m256i c1 = _mm256_set1_epi32((int)TW__KEYS_HASH_C1);
    const __m256i c2 = _mm256_set1_epi32((int)TW__KEYS_HASH_C2);
    __m256i acc = _mm256_setzero_si256();
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256i k = _mm256_loadu_si256((const __m256i *)(keys + i));
        __m256i a = _mm256_xor_si256(k, c1), b = _mm256_xor_si256(k, c2);
        acc = _mm256_add_epi64(acc, _mm256_mul_epu32(a, b));
        acc = _mm256_add_epi64(acc, _mm256_mul_epu32(_mm256_srli_epi64(a, 32),
                                                     _mm256_srli_epi64(b, 32)));
    }
    uint64_t lane[4];
    _mm256_storeu_si256((__m256i *)lane, acc);
    return lane[0] + lane[1] + lane[2] + lane[3] + tw__keys_hash_scalar(keys + i, n - i);
}
