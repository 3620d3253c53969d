/*
 * tw_lsh_avx2.c — band keys for AVX2: four bands a step through XXH3's own
 * path for 9 to 16 bytes (three or four rows of 32 bits), so the keys are
 * XXH3_64bits_withSeed's bit for bit: the band's first and last eight
 * bytes (two gathers) xor-ed with the secret's words plus and minus the
 * band's seed, the 128-bit product folded (tw__mul128_fold_avx2), the
 * byte swap a shuffle, the avalanche's 64-bit multiply three 32-bit ones.
 * XXH3 inlined for a known length took about 21 instructions a key (55.5 M
 * of the near-copy job on SaudiNewsNet, 42 bands of 3 rows, one or two
 * signatures a document). Built with -mavx2 and called only when the CPU
 * has it; test_lsh holds it to tw__lsh_band_key.
 */
#include <immintrin.h>
#include "base/tw_avx2.h"
#include "index/tw_index.h"

#define TW_BAND_SEED_STEP 0x9E3779B97F4A7C15ull /* (tw_lsh.c: band b's seed) */
#define TW_XXH3_MX1 0x165667919E3779F9ull       /* XXH3_avalanche's multiplier */

int tw__lsh_band_keys_avx2(const uint32_t *sig, int bands, int rows, uint64_t seed,
                           uint64_t flip1, uint64_t flip2, uint64_t *keys)
{
    if (rows != 3 && rows != 4)
        return 0;
    const uint64_t step = TW_BAND_SEED_STEP; /* (unsigned: the seeds wrap) */
    __m256i s = _mm256_set_epi64x((long long)(seed + 3 * step), (long long)(seed + 2 * step),
                                  (long long)(seed + step), (long long)seed);
    const __m256i four = _mm256_set1_epi64x((long long)(4 * step));
    const __m256i f1 = _mm256_set1_epi64x((long long)flip1), f2 = _mm256_set1_epi64x((long long)flip2);
    const __m256i len = _mm256_set1_epi64x(4 * rows);
    const __m256i mx = _mm256_set1_epi64x((long long)TW_XXH3_MX1);
    const __m256i mx_hi = _mm256_set1_epi64x((long long)(TW_XXH3_MX1 >> 32));
    const __m256i swap = _mm256_setr_epi8(7, 6, 5, 4, 3, 2, 1, 0, 15, 14, 13, 12, 11, 10, 9, 8,
                                          7, 6, 5, 4, 3, 2, 1, 0, 15, 14, 13, 12, 11, 10, 9, 8);
    /* a band's first eight bytes at row 0, its last eight at row rows - 2 */
    const __m128i first = _mm_setr_epi32(0, rows, 2 * rows, 3 * rows);
    const __m128i last = _mm_add_epi32(first, _mm_set1_epi32(rows - 2));
    int b = 0;
    for (; b + 4 <= bands; b += 4) {
        const long long *p = (const long long *)(const void *)(sig + (size_t)b * rows);
        __m256i lo = _mm256_i32gather_epi64(p, first, 4), hi = _mm256_i32gather_epi64(p, last, 4);
        lo = _mm256_xor_si256(lo, _mm256_add_epi64(f1, s));
        hi = _mm256_xor_si256(hi, _mm256_sub_epi64(f2, s));
        __m256i acc = _mm256_add_epi64(_mm256_add_epi64(len, _mm256_shuffle_epi8(lo, swap)),
                                       _mm256_add_epi64(hi, tw__mul128_fold_avx2(lo, hi)));
        acc = _mm256_xor_si256(acc, _mm256_srli_epi64(acc, 37));
        acc = tw__mul64_avx2(acc, mx, mx_hi);
        acc = _mm256_xor_si256(acc, _mm256_srli_epi64(acc, 32));
        _mm256_storeu_si256((__m256i *)(keys + b), acc);
        s = _mm256_add_epi64(s, four);
    }
    for (; b < bands; b++)
        keys[b] = tw__lsh_band_key(sig, b, rows, seed);
    return 1;
}
