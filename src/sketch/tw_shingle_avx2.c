/*
 * tw_shingle_avx2.c — the window hashes of word 4-shingles (the default)
 * for AVX2: four windows at once. AVX2 has no 64-bit multiply, so each of
 * the five a window needs (four multiply-adds, the avalanche's one) is
 * three 32x32->64 vpmuludq and a shift, by a constant whose halves are
 * split once: x * m mod 2^64 = lo(x)lo(m) + ((hi(x)lo(m) + lo(x)hi(m)) << 32).
 * Also the word hashes, four words at once: each word's 16 bytes loaded
 * and masked to its length as one 128-bit value, the 64x64->128-bit
 * multiply that folds it as four vpmuludq with the carries added by hand.
 * Built with -mavx2 and called only when the CPU has it; the tests hold
 * both to the scalar loops (tw_shingle.c, the reference) bit for bit.
 */
#include <immintrin.h>
#include "base/tw_avx2.h"
#include "sketch/tw_sketch.h"

void tw__window4_hashes_avx2(const uint64_t *th, size_t nsh, uint64_t start, uint32_t *fp)
{
    const __m256i m_lo = _mm256_set1_epi64x((long long)(TW__WINDOW_MUL & 0xFFFFFFFFull));
    const __m256i m_hi = _mm256_set1_epi64x((long long)(TW__WINDOW_MUL >> 32));
    const __m256i a_lo = _mm256_set1_epi64x((long long)(TW__AVALANCHE_MUL & 0xFFFFFFFFull));
    const __m256i a_hi = _mm256_set1_epi64x((long long)(TW__AVALANCHE_MUL >> 32));
    const __m256i s = _mm256_set1_epi64x((long long)start);
    const __m256i low_halves = _mm256_setr_epi32(0, 2, 4, 6, 0, 2, 4, 6);
    size_t i = 0;
    for (; i + 4 <= nsh; i += 4) {
        __m256i acc = s;
        for (int j = 0; j < 4; j++)
            acc = tw__mul64_avx2(_mm256_add_epi64(acc, _mm256_loadu_si256((const __m256i *)(th + i + j))),
                        m_lo, m_hi);
        /* avalanche, as tw_shingle.c's; only the low 32 bits are kept, so
         * the last shift's xor is the high half onto the low */
        acc = _mm256_xor_si256(acc, _mm256_srli_epi64(acc, 37));
        acc = tw__mul64_avx2(acc, a_lo, a_hi);
        acc = _mm256_xor_si256(acc, _mm256_srli_epi64(acc, 32));
        __m128i h = _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(acc, low_halves));
        /* a fingerprint of 0 becomes 1 (0 marks empty slots): 0 - (-1) */
        h = _mm_sub_epi32(h, _mm_cmpeq_epi32(h, _mm_setzero_si128()));
        _mm_storeu_si128((__m128i *)(fp + i), h);
    }
    tw__window_hashes_scalar(th + i, nsh - i, 4, start, fp + i);
}

/* The first len bytes of 16 kept, for len <= 16. */
#define K8(n) ((n) > 0 ? 0xFF : 0), ((n) > 1 ? 0xFF : 0), ((n) > 2 ? 0xFF : 0), ((n) > 3 ? 0xFF : 0), \
    ((n) > 4 ? 0xFF : 0), ((n) > 5 ? 0xFF : 0), ((n) > 6 ? 0xFF : 0), ((n) > 7 ? 0xFF : 0)
#define K16(n) {K8(n), K8((n) > 8 ? (n) - 8 : 0)}
static const uint8_t keep16[17][16] = {K16(0),  K16(1),  K16(2),  K16(3),  K16(4),  K16(5),
                                       K16(6),  K16(7),  K16(8),  K16(9),  K16(10), K16(11),
                                       K16(12), K16(13), K16(14), K16(15), K16(16)};

static inline __m128i word16(const uint8_t *text, tw__token t)
{
    return _mm_and_si128(_mm_loadu_si128((const __m128i *)(text + t.off)),
                         _mm_loadu_si128((const __m128i *)keep16[t.len]));
}

void tw__word_hashes_avx2(const uint8_t *text, size_t text_len, const tw__token *tok, size_t ntok,
                          uint64_t k1, uint64_t k2, uint64_t seed, uint64_t *th)
{
    const __m256i key1 = _mm256_set1_epi64x((long long)k1), key2 = _mm256_set1_epi64x((long long)k2);
    const __m256i a_lo = _mm256_set1_epi64x((long long)(TW__AVALANCHE_MUL & 0xFFFFFFFFull));
    const __m256i a_hi = _mm256_set1_epi64x((long long)(TW__AVALANCHE_MUL >> 32));
    /* a word is taken here when len <= 16 and off + 16 <= text_len */
    const __m256i len_max = _mm256_set1_epi32(16);
    const __m256i off_max = _mm256_set1_epi32(text_len >= 16 ? (int)(uint32_t)(text_len - 16) : -1);
    const __m256i offs = _mm256_setr_epi32(-1, 0, -1, 0, -1, 0, -1, 0); /* off lanes all ones */
    size_t i = 0;
    for (; i + 4 <= ntok && text_len >= 16 && text_len - 16 <= UINT32_MAX; i += 4) {
        /* tokens are (off, len) pairs of 32 bits: one load holds four */
        __m256i t = _mm256_loadu_si256((const __m256i *)(tok + i));
        __m256i lim = _mm256_blendv_epi8(len_max, off_max, offs);
        /* a word longer than 16 bytes (one in eight on SaudiNewsNet), or a
         * load that would pass the text's end: the four go to the scalar
         * loop (fixing up lanes after the vector pass cost more, measured) */
        if ((unsigned)_mm256_movemask_epi8(_mm256_cmpeq_epi32(_mm256_max_epu32(t, lim), lim)) != 0xFFFFFFFFu) {
            tw__word_hashes_scalar(text, text_len, tok + i, 4, k1, k2, seed, th + i);
            continue;
        }
        __m256i w01 = _mm256_inserti128_si256(_mm256_castsi128_si256(word16(text, tok[i])), word16(text, tok[i + 1]), 1);
        __m256i w23 = _mm256_inserti128_si256(_mm256_castsi128_si256(word16(text, tok[i + 2])), word16(text, tok[i + 3]), 1);
        /* lanes in the order 0, 2, 1, 3 from here on */
        __m256i x = _mm256_xor_si256(_mm256_unpacklo_epi64(w01, w23), key1);
        __m256i y = _mm256_xor_si256(_mm256_unpackhi_epi64(w01, w23), key2);
        __m256i len = _mm256_permute4x64_epi64(_mm256_srli_epi64(t, 32), 0xD8);
        __m256i h = _mm256_add_epi64(tw__mul128_fold_avx2(x, y), len);
        /* avalanche, as tw_shingle.c's */
        h = _mm256_xor_si256(h, _mm256_srli_epi64(h, 37));
        h = tw__mul64_avx2(h, a_lo, a_hi);
        h = _mm256_xor_si256(h, _mm256_srli_epi64(h, 32));
        _mm256_storeu_si256((__m256i *)(th + i), _mm256_permute4x64_epi64(h, 0xD8));
    }
    tw__word_hashes_scalar(text, text_len, tok + i, ntok - i, k1, k2, seed, th + i);
}
