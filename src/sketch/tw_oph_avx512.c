/*
 * tw_oph_avx512.c — OPH for AVX-512 (F, BW, DQ, VL, VBMI). The inner loop:
 * eight shingles hashed at once with 64-bit lanes (vpmullq does
 * splitmix64's multiplications), their bins and values stored to the
 * stack and kept by the scalar minimum (tw__oph_keep). Densification: all
 * 32 drawn tries of an empty bin looked up in the filled bytes with one
 * two-table permute. Built with -mavx512f -mavx512bw -mavx512dq -mavx512vl
 * -mavx512vbmi and called only when the CPU has them (base/tw_cpu.c); the
 * tests hold both to the scalar code bit for bit.
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

void tw__oph_densify_avx512(const tw__oph *o, size_t n, uint32_t *sig, const uint8_t *filled)
{
    const int count = o->count;
    const __m512i f0 = _mm512_loadu_si512(filled), f1 = _mm512_loadu_si512(filled + 64);
    const uint64_t full[2] = {(uint64_t)_mm512_test_epi8_mask(f0, f0),
                              (uint64_t)_mm512_test_epi8_mask(f1, f1)};
    uint64_t empty[2];
    tw__oph_empty_bins(full, count, empty);
    if (n == 0 || (empty[0] | empty[1]) == 0)
        return; /* an empty set stays empty; a long text fills every bin */
    for (int w = 0; w < 2; w++)
        while (empty[w]) {
            int i = 64 * w + __builtin_ctzll(empty[w]);
            empty[w] &= empty[w] - 1;
            uint64_t hit = 0;
            if (o->tries_drawn) {
                /* filled[] of all 32 tries at once: bins are < 128, so a
                 * try indexes the two 64-byte halves directly */
                __m512i t = _mm512_maskz_loadu_epi8(0xFFFFFFFFull, o->tries[i]);
                __m512i v = _mm512_permutex2var_epi8(f0, t, f1);
                hit = (uint64_t)_mm512_test_epi8_mask(v, v) & 0xFFFFFFFFull;
            }
            uint32_t j = hit ? o->tries[i][__builtin_ctzll(hit)] : tw__oph_far(o, i, filled);
            sig[i] = sig[j];
        }
}
