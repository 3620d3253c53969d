/*
 * tw_shingle_avx512.c — the window hashes of word 4-shingles (the default)
 * for AVX-512 (F, DQ): eight windows at once, the polynomial's four
 * multiply-adds and the avalanche's multiply each one vpmullq, where the
 * scalar loop (tw_shingle.c, the reference) does five 64-bit multiplies a
 * window. Built with -mavx512f -mavx512dq and called only when the CPU has
 * them; the tests hold it to the scalar loop bit for bit.
 */
#include <immintrin.h>
#include "sketch/tw_sketch.h"

void tw__window4_hashes_avx512(const uint64_t *th, size_t nsh, uint64_t start, uint32_t *fp)
{
    const __m512i m = _mm512_set1_epi64((long long)TW__WINDOW_MUL);
    const __m512i av = _mm512_set1_epi64((long long)TW__AVALANCHE_MUL);
    const __m512i s = _mm512_set1_epi64((long long)start);
    const __m512i one = _mm512_set1_epi64(1);
    size_t i = 0;
    for (; i + 8 <= nsh; i += 8) {
        __m512i acc = s;
        for (int j = 0; j < 4; j++)
            acc = _mm512_mullo_epi64(_mm512_add_epi64(acc, _mm512_loadu_si512(th + i + j)), m);
        /* avalanche, as tw_shingle.c's */
        acc = _mm512_xor_si512(acc, _mm512_srli_epi64(acc, 37));
        acc = _mm512_mullo_epi64(acc, av);
        acc = _mm512_xor_si512(acc, _mm512_srli_epi64(acc, 32));
        /* a fingerprint of 0 becomes 1 (0 marks empty slots) */
        __mmask8 zero = _mm512_testn_epi64_mask(acc, _mm512_set1_epi64(0xFFFFFFFFll));
        acc = _mm512_mask_mov_epi64(acc, zero, one);
        _mm256_storeu_si256((__m256i *)(fp + i), _mm512_cvtepi64_epi32(acc));
    }
    tw__window_hashes_scalar(th + i, nsh - i, 4, start, fp + i);
}
