/*
 * tw_text_avx2.c — the text stage's vector kernels for AVX2 (32 bytes
 * a step; the algorithms are in tw_text_kernels.h). Built with -mavx2
 * -mbmi and called only when the CPU has them (base/tw_cpu.c).
 */
#include <immintrin.h>
#include "text/tw_text.h"
#include "text/tw_tok_run.h"

typedef __m256i V;
#define V_W 32
#define V_ALL 0xFFFFFFFFu
#define V_KERNEL tw__norm_kernel_avx2
#define V_WORDS tw__tok_run_avx2
#define V_LOAD(p) _mm256_loadu_si256(p)
#define V_STORE(p, v) _mm256_storeu_si256(p, v)
#define V_TABLE(t) _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(t)))
#define V_AND _mm256_and_si256
#define V_ANDNOT _mm256_andnot_si256
#define V_OR _mm256_or_si256
#define V_XOR _mm256_xor_si256
#define V_ZERO _mm256_setzero_si256
#define V_SET1 _mm256_set1_epi8
#define V_CMPEQ _mm256_cmpeq_epi8
#define V_CMPGT _mm256_cmpgt_epi8
#define V_SHUFFLE _mm256_shuffle_epi8
#define V_SRLI16 _mm256_srli_epi16
#define V_SLLI16 _mm256_slli_epi16
#define V_ADD _mm256_add_epi8
#define V_SUB _mm256_sub_epi8
#define V_BLEND _mm256_blendv_epi8
#define V_MOVEMASK(v) (uint32_t) _mm256_movemask_epi8(v)
#define V_UNIT_WORDS tw__unit_tok_run_avx2
#define V_CHARMAP tw__charmap_avx2
#define V_CONST_FROM_TABLE 1 /* (tw_text_kernels.h, V_K16) */

/* Stores the bytes of o that kept marks, in order, at dst (32 bytes may
 * be written); returns how many. Each 8 bytes are closed up by a shuffle,
 * its indices from the table. */
static inline size_t V_COMPACT(const tw__norm_simd *s, __m256i o, uint32_t kept, uint8_t *dst)
{
    if (kept == V_ALL) {
        _mm256_storeu_si256((__m256i *)dst, o);
        return 32;
    }
    size_t n = 0;
    for (int lane = 0; lane < 2; lane++, kept >>= 16) {
        __m128i v = lane ? _mm256_extracti128_si256(o, 1) : _mm256_castsi256_si128(o);
        unsigned lo = kept & 0xFF, hi = (kept >> 8) & 0xFF;
        __m128i idx = _mm_loadl_epi64((const __m128i *)s->compact[lo]);
        __m128i idx_hi = _mm_loadl_epi64((const __m128i *)s->compact_hi[hi]);
        __m128i c = _mm_shuffle_epi8(v, _mm_unpacklo_epi64(idx, idx_hi));
        size_t nlo = (size_t)__builtin_popcount(lo);
        _mm_storel_epi64((__m128i *)(dst + n), c);
        _mm_storel_epi64((__m128i *)(dst + n + nlo), _mm_unpackhi_epi64(c, c));
        n += nlo + (size_t)__builtin_popcount(hi);
    }
    return n;
}

#include "text/tw_text_kernels.h"
