/*
 * tw_story_avx512.c — the story walk's inner loop for AVX-512 (F): sixteen
 * postings of a term list a step, their positions and weights split apart
 * by two permutes, the accumulator read with a gather and written back with
 * a scatter (a list holds a unit once, so no two lanes share a position).
 * The walk goes back from a unit's own posting and stops at the first
 * position before the window: the step's lanes below it are masked off and
 * the walk ends there. A multiply then an add, as the scalar loop does,
 * never fused (this file is built with -ffp-contract=off): the floats, and
 * so the stories, are the scalar loop's, which the tests check.
 */
#include <immintrin.h>
#include "cluster/tw_cluster.h"

void tw__story_acc_avx512(const tw__posting *pb, size_t start, size_t end, uint32_t lo, float xw,
                          float *acc)
{
    const __m512i even = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
    const __m512i odd = _mm512_set_epi32(31, 29, 27, 25, 23, 21, 19, 17, 15, 13, 11, 9, 7, 5, 3, 1);
    const __m512i vlo = _mm512_set1_epi32((int)lo);
    const __m512 vx = _mm512_set1_ps(xw);
    size_t q = end;
    while (q >= start + 16) {
        const uint32_t *p = (const uint32_t *)(pb + q - 16);
        __m512i a = _mm512_loadu_si512(p), b = _mm512_loadu_si512(p + 16);
        __m512i pos = _mm512_permutex2var_epi32(a, even, b);
        __m512 w = _mm512_castsi512_ps(_mm512_permutex2var_epi32(a, odd, b));
        __mmask16 in = _mm512_cmpge_epu32_mask(pos, vlo);
        __m512 old = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), in, pos, acc, 4);
        _mm512_mask_i32scatter_ps(acc, in, pos, _mm512_add_ps(old, _mm512_mul_ps(vx, w)), 4);
        if (in != 0xFFFF)
            return; /* the window's start is inside this step */
        q -= 16;
    }
    tw__story_acc_scalar(pb, start, q, lo, xw, acc);
}
