/*
 * tw_cli_json_avx2.c — the JSON scanner's string loop for AVX2 (the SSE2
 * loop in tw_cli_json.c is the reference): the first '"', '\\' or control
 * byte, 64 bytes a step in two registers and one test, where SSE2 needs
 * twice the operations for half the bytes. Built with -mavx2 and chosen by
 * tw_cli_json_use_avx2 when the library's vector kernels are AVX2 or wider
 * (TAWAM_FORCE_ISA lowers both); test_json holds it to the reference.
 */
#include <immintrin.h>
#include <stddef.h>

typedef unsigned char uchar;

static inline __m256i specials(__m256i v)
{
    const __m256i quote = _mm256_set1_epi8('"'), bslash = _mm256_set1_epi8('\\');
    const __m256i ctl = _mm256_set1_epi8(0x1F);
    /* a byte below 0x20: min(v, 0x1F) == v, unsigned */
    return _mm256_or_si256(_mm256_cmpeq_epi8(_mm256_min_epu8(v, ctl), v),
                           _mm256_or_si256(_mm256_cmpeq_epi8(v, quote), _mm256_cmpeq_epi8(v, bslash)));
}

/* Whole 32-byte blocks of [p, end): the first special byte in them, or
 * where the blocks ended (fewer than 32 bytes before end; the caller's
 * loop takes the rest). */
const uchar *tw_cli_find_special_avx2(const uchar *p, const uchar *end);
const uchar *tw_cli_find_special_avx2(const uchar *p, const uchar *end)
{
    while (end - p >= 64) {
        __m256i a = specials(_mm256_loadu_si256((const __m256i *)p));
        __m256i b = specials(_mm256_loadu_si256((const __m256i *)(p + 32)));
        if (!_mm256_testz_si256(_mm256_or_si256(a, b), _mm256_or_si256(a, b))) {
            unsigned ma = (unsigned)_mm256_movemask_epi8(a);
            if (ma)
                return p + __builtin_ctz(ma);
            return p + 32 + __builtin_ctz((unsigned)_mm256_movemask_epi8(b));
        }
        p += 64;
    }
    if (end - p >= 32) {
        unsigned m = (unsigned)_mm256_movemask_epi8(specials(_mm256_loadu_si256((const __m256i *)p)));
        if (m)
            return p + __builtin_ctz(m);
        p += 32;
    }
    return p;
}
