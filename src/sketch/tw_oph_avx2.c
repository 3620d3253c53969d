/*
 * tw_oph_avx2.c — OPH's inner loop for AVX2: four shingles hashed at once.
 * AVX2 has no 64-bit low multiply, so each of splitmix64's two is made of
 * three 32x32->64 ones (lo*lo + (hi*lo + lo*hi) << 32); bins and values go
 * to the stack and the scalar minimum keeps them (tw__oph_keep). Built
 * with -mavx2 and called only when the CPU has it (base/tw_cpu.c); the
 * tests hold it to tw__oph_add_scalar bit for bit.
 *
 * Densification for AVX2: the filled bins as a 128-bit map, 16 bytes that
 * one shuffle can index, so an empty bin's 32 drawn tries are looked up at
 * once (the byte of each try's bit by one shuffle, the bit by another) and
 * the first filled one is a count of trailing zeros, where the scalar loop
 * tests them one by one and mispredicts where it stops. The tests hold it
 * to tw__oph_densify_scalar.
 */
#include <immintrin.h>
#include "base/tw_avx2.h"
#include "sketch/tw_sketch.h"

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
        x = tw__mul64_avx2(x, m1, m1h);
        x = _mm256_xor_si256(x, _mm256_srli_epi64(x, 27));
        x = tw__mul64_avx2(x, m2, m2h);
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

void tw__oph_densify_avx2(const tw__oph *o, size_t n, uint32_t *sig, const uint8_t *filled)
{
    const int count = o->count;
    /* filled[] (0 or 1, TW__MH_N = 128 of them) to 128 bits, bin j at bit
     * j & 7 of byte j >> 3 */
    uint32_t m[4];
    for (int q = 0; q < 4; q++) {
        __m256i f = _mm256_loadu_si256((const __m256i *)(filled + 32 * q));
        m[q] = ~(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(f, _mm256_setzero_si256()));
    }
    const uint64_t full[2] = {m[0] | (uint64_t)m[1] << 32, m[2] | (uint64_t)m[3] << 32};
    uint64_t empty[2];
    tw__oph_empty_bins(full, count, empty);
    if (n == 0 || (empty[0] | empty[1]) == 0)
        return; /* an empty set stays empty; a long text fills every bin */
    const __m256i map = _mm256_broadcastsi128_si256(_mm_set_epi64x((long long)full[1], (long long)full[0]));
    const __m256i bit_of = _mm256_setr_epi8(1, 2, 4, 8, 16, 32, 64, -128, 1, 2, 4, 8, 16, 32, 64, -128,
                                            1, 2, 4, 8, 16, 32, 64, -128, 1, 2, 4, 8, 16, 32, 64, -128);
    for (int w = 0; w < 2; w++)
        while (empty[w]) {
            int i = 64 * w + __builtin_ctzll(empty[w]);
            empty[w] &= empty[w] - 1;
            uint32_t hit = 0;
            if (o->tries_drawn) {
                /* tries are bins, < 128: bits 3-6 pick the byte, 0-2 the bit */
                __m256i t = _mm256_loadu_si256((const __m256i *)o->tries[i]);
                __m256i byte = _mm256_shuffle_epi8(map, _mm256_and_si256(_mm256_srli_epi16(t, 3), _mm256_set1_epi8(0x0F)));
                __m256i bit = _mm256_shuffle_epi8(bit_of, _mm256_and_si256(t, _mm256_set1_epi8(7)));
                hit = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_and_si256(byte, bit), bit));
            }
            uint32_t j = hit ? o->tries[i][__builtin_ctz(hit)] : tw__oph_far(o, i, filled);
            sig[i] = sig[j];
        }
}
