/*
 * tw_shingle_avx512.c — the window hashes of word 4-shingles (the default)
 * for AVX-512 (F, DQ): eight windows at once, the polynomial's four
 * multiply-adds and the avalanche's multiply each one vpmullq, where the
 * scalar loop (tw_shingle.c, the reference) does five 64-bit multiplies a
 * window. Also the word hashes, eight words at once: each word loaded with
 * a byte mask of its length (no read past it, so no check against the
 * text's end), the 64x64->128-bit fold as four vpmuludq with the carries
 * added by hand, as AVX2 does; a word longer than 16 bytes (one in eight)
 * is done again alone by the scalar loop, since eight words of which none
 * is long are only a third of the groups. Built with -mavx512f -mavx512dq
 * -mavx512bw -mavx512vl -mbmi2 and called only when the CPU has them; the
 * tests hold both to the scalar loops bit for bit.
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

void tw__word_hashes_avx512(const uint8_t *text, size_t text_len, const tw__token *tok, size_t ntok,
                            uint64_t k1, uint64_t k2, uint64_t seed, uint64_t *th)
{
    const __m512i key1 = _mm512_set1_epi64((long long)k1), key2 = _mm512_set1_epi64((long long)k2);
    const __m512i low32 = _mm512_set1_epi64(0xFFFFFFFFll);
    const __m512i av = _mm512_set1_epi64((long long)TW__AVALANCHE_MUL);
    /* the unpacks below leave words in the order 0 4 1 5 2 6 3 7 */
    const __m512i to_unpacked = _mm512_setr_epi64(0, 4, 1, 5, 2, 6, 3, 7);
    const __m512i from_unpacked = _mm512_setr_epi64(0, 2, 4, 6, 1, 3, 5, 7);
    for (size_t i = 0; i < ntok; i += 8) {
        unsigned nt = ntok - i < 8 ? (unsigned)(ntok - i) : 8;
        __m128i w[8];
        unsigned long_words = 0;
        for (unsigned j = 0; j < 8; j++) {
            uint32_t len = j < nt ? tok[i + j].len : 0;
            long_words |= (unsigned)(len > 16) << j;
            w[j] = _mm_maskz_loadu_epi8((__mmask16)_bzhi_u32(0xFFFF, len < 16 ? len : 16),
                                        text + (j < nt ? tok[i + j].off : 0));
        }
        __m512i z0 = _mm512_inserti64x4(
            _mm512_castsi256_si512(_mm256_inserti128_si256(_mm256_castsi128_si256(w[0]), w[1], 1)),
            _mm256_inserti128_si256(_mm256_castsi128_si256(w[2]), w[3], 1), 1);
        __m512i z1 = _mm512_inserti64x4(
            _mm512_castsi256_si512(_mm256_inserti128_si256(_mm256_castsi128_si256(w[4]), w[5], 1)),
            _mm256_inserti128_si256(_mm256_castsi128_si256(w[6]), w[7], 1), 1);
        __m512i x = _mm512_xor_si512(_mm512_unpacklo_epi64(z0, z1), key1);
        __m512i y = _mm512_xor_si512(_mm512_unpackhi_epi64(z0, z1), key2);
        __mmask8 lanes = (__mmask8)_bzhi_u32(0xFF, nt);
        __m512i t = _mm512_maskz_loadu_epi64(lanes, tok + i); /* (off, len) a lane */
        __m512i len = _mm512_permutexvar_epi64(to_unpacked, _mm512_srli_epi64(t, 32));
        /* x * y as 128 bits, from 32-bit halves */
        __m512i xh = _mm512_srli_epi64(x, 32), yh = _mm512_srli_epi64(y, 32);
        __m512i ll = _mm512_mul_epu32(x, y), lh = _mm512_mul_epu32(x, yh);
        __m512i hl = _mm512_mul_epu32(xh, y), hh = _mm512_mul_epu32(xh, yh);
        __m512i mid = _mm512_add_epi64(_mm512_add_epi64(_mm512_srli_epi64(ll, 32), _mm512_and_si512(lh, low32)),
                                       _mm512_and_si512(hl, low32));
        __m512i lo = _mm512_mask_blend_epi32(0xAAAA, ll, _mm512_slli_epi64(mid, 32));
        __m512i hi = _mm512_add_epi64(_mm512_add_epi64(hh, _mm512_srli_epi64(lh, 32)),
                                      _mm512_add_epi64(_mm512_srli_epi64(hl, 32), _mm512_srli_epi64(mid, 32)));
        __m512i h = _mm512_add_epi64(_mm512_xor_si512(lo, hi), len);
        /* avalanche, as tw_shingle.c's */
        h = _mm512_xor_si512(h, _mm512_srli_epi64(h, 37));
        h = _mm512_mullo_epi64(h, av);
        h = _mm512_xor_si512(h, _mm512_srli_epi64(h, 32));
        _mm512_mask_storeu_epi64(th + i, lanes, _mm512_permutexvar_epi64(from_unpacked, h));
        for (; long_words; long_words &= long_words - 1) {
            unsigned j = (unsigned)__builtin_ctz(long_words);
            tw__word_hashes_scalar(text, text_len, tok + i + j, 1, k1, k2, seed, th + i + j);
        }
    }
}
