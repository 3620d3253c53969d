/*
 * tw_text_avx2.c — the text stage's vector kernels for AVX2 (32 bytes
 * a step; the algorithms are in tw_text_kernels.h). Built with -mavx2
 * -mbmi and called only when the CPU has them (base/tw_cpu.c).
 */
#include <immintrin.h>
#include "text/tw_text.h"

typedef __m256i V;
#define V_W 32
#define V_ALL 0xFFFFFFFFu
#define V_KERNEL tw__norm_kernel_avx2
#define V_WORDS tw__tok_words_avx2
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

#include "text/tw_text_kernels.h"
