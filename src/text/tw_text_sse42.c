/*
 * tw_text_sse42.c — the text stage's vector kernels for SSE4.2 (16
 * bytes a step; the algorithms are in tw_text_kernels.h). Built with
 * -msse4.2 and called only when the CPU has it (base/tw_cpu.c).
 */
#include <immintrin.h>
#include "text/tw_text.h"
#include "text/tw_tok_run.h"

typedef __m128i V;
#define V_W 16
#define V_ALL 0xFFFFu
#define V_KERNEL tw__norm_kernel_sse42
#define V_WORDS tw__tok_run_sse42
#define V_LOAD(p) _mm_loadu_si128(p)
#define V_STORE(p, v) _mm_storeu_si128(p, v)
#define V_TABLE(t) _mm_loadu_si128((const __m128i *)(t))
#define V_AND _mm_and_si128
#define V_ANDNOT _mm_andnot_si128
#define V_OR _mm_or_si128
#define V_XOR _mm_xor_si128
#define V_ZERO _mm_setzero_si128
#define V_SET1 _mm_set1_epi8
#define V_CMPEQ _mm_cmpeq_epi8
#define V_CMPGT _mm_cmpgt_epi8
#define V_SHUFFLE _mm_shuffle_epi8
#define V_SRLI16 _mm_srli_epi16
#define V_SLLI16 _mm_slli_epi16
#define V_ADD _mm_add_epi8
#define V_SUB _mm_sub_epi8
#define V_BLEND _mm_blendv_epi8
#define V_MOVEMASK(v) ((uint32_t)_mm_movemask_epi8(v) & 0xFFFFu)
#define V_UNIT_WORDS tw__unit_tok_run_sse42
#define V_CHARMAP tw__charmap_sse42

/* Stores the bytes of o that kept marks, in order, at dst (16 bytes may
 * be written); returns how many. Each 8 bytes are closed up by one
 * shuffle, its indices from the table. */
static inline size_t V_COMPACT(const tw__norm_simd *s, __m128i o, uint32_t kept, uint8_t *dst)
{
    if (kept == 0xFFFFu) {
        _mm_storeu_si128((__m128i *)dst, o);
        return 16;
    }
    unsigned lo = kept & 0xFF, hi = (kept >> 8) & 0xFF;
    __m128i idx = _mm_loadl_epi64((const __m128i *)s->compact[lo]);
    __m128i idx_hi = _mm_loadl_epi64((const __m128i *)s->compact_hi[hi]);
    __m128i c = _mm_shuffle_epi8(o, _mm_unpacklo_epi64(idx, idx_hi));
    size_t nlo = (size_t)__builtin_popcount(lo);
    _mm_storel_epi64((__m128i *)dst, c);
    _mm_storel_epi64((__m128i *)(dst + nlo), _mm_unpackhi_epi64(c, c));
    return nlo + (size_t)__builtin_popcount(hi);
}

#include "text/tw_text_kernels.h"
