/*
 * tw_text_avx512.c — the text stage's vector kernels for AVX-512 (64 bytes
 * a step). Built with -mavx512f -mavx512bw -mavx512vbmi -mavx512vbmi2
 * -mbmi -mbmi2 and called only when the CPU has them (base/tw_cpu.c).
 *
 * The algorithms are tw_text_kernels.h's, written with mask registers
 * instead of byte masks: comparisons give a bit a byte, blends take a
 * mask, and the 128-entry lookups — the Arabic pair table (lead & 1,
 * continuation & 0x3F) and the ASCII tables — are one VBMI two-table
 * permute (vpermi2b) each, where SSE and AVX2 need eight shuffles and
 * eight compares. The tables are tw__norm_simd's, laid out for this
 * (pair[8][16] is already 128 bytes in index order; ascii_keep and
 * ascii_word are the ASCII nibble bitmaps spread out a byte each).
 *
 * Unlike SSE and AVX2, the normalizer kernel here also takes the Arabic
 * characters that fold shorter (، to ",", Arabic digits to ASCII ones,
 * diacritics and tatweel to nothing: pair_short) — about a quarter of the
 * characters the others leave to the scalar loop on news text — and
 * closes the gaps with one VBMI2 compress a block; it hands back to the
 * scalar loop only where two spaces would meet. The tests hold both
 * kernels to the scalar loops byte for byte.
 */
#include <immintrin.h>
#include "text/tw_text.h"
#include "text/tw_tok_run.h"

#define W 64

static inline __m512i table128(const uint8_t *t, __m512i idx)
{
    /* t[idx & 127]: bit 6 of idx picks the half, bit 7 is ignored */
    return _mm512_permutex2var_epi8(_mm512_loadu_si512(t), idx, _mm512_loadu_si512(t + 64));
}

static inline __mmask64 eq(__m512i a, __m512i b)
{
    return _mm512_cmpeq_epi8_mask(a, b);
}

static inline __mmask64 lead_of(__m512i v)
{
    /* D8 or D9: (v & 0xFE) == 0xD8 */
    return eq(_mm512_and_si512(v, _mm512_set1_epi8((char)0xFE)), _mm512_set1_epi8((char)0xD8));
}

static inline __mmask64 cont_of(__m512i v)
{
    return eq(_mm512_and_si512(v, _mm512_set1_epi8((char)0xC0)), _mm512_set1_epi8((char)0x80));
}

/* The pair index of every byte: a lead with the byte after it, a
 * continuation with the byte before it, (lead & 1) << 6 | (cont & 0x3F). */
static inline __m512i pair_index(__m512i vp, __m512i v, __m512i vn, __mmask64 lead)
{
    const __m512i one = _mm512_set1_epi8(1), low6 = _mm512_set1_epi8(0x3F);
    __m512i as_cont = _mm512_or_si512(_mm512_slli_epi16(_mm512_and_si512(vp, one), 6),
                                      _mm512_and_si512(v, low6));
    __m512i as_lead = _mm512_or_si512(_mm512_slli_epi16(_mm512_and_si512(v, one), 6),
                                      _mm512_and_si512(vn, low6));
    return _mm512_mask_blend_epi8(lead, as_cont, as_lead);
}

size_t tw__norm_kernel_avx512(const tw__norm_simd *s, const uint8_t *in, size_t i, size_t len,
                              uint8_t *out, uint8_t prev_out, size_t *wrote)
{
    const __m512i space = _mm512_set1_epi8(' ');
    const __m512i ff = _mm512_set1_epi8((char)0xFF);
    const __m512i fold = _mm512_set1_epi8(s->case_fold ? 32 : 0);
    size_t done = 0, w = 0;
    /* the byte before the block's first one was a space or a line break */
    uint64_t after_space = prev_out == ' ' || prev_out == '\n';
    while (i + done + W + 1 <= len) {
        const uint8_t *p = in + i + done;
        __m512i v = _mm512_loadu_si512(p);
        __m512i vp = _mm512_loadu_si512(p - 1);
        __m512i vn = _mm512_loadu_si512(p + 1);
        /* ASCII that folds to itself (or A-Z to a-z) */
        __mmask64 ascii = ~_mm512_movepi8_mask(v);
        __m512i keep = table128(s->ascii_keep, v);
        __mmask64 aok = ascii & _mm512_test_epi8_mask(keep, keep);
        __mmask64 upper = _mm512_cmplt_epu8_mask(_mm512_sub_epi8(v, _mm512_set1_epi8('A')),
                                                 _mm512_set1_epi8(26));
        __m512i aout = _mm512_mask_add_epi8(v, upper, v, fold);
        /* Arabic pairs: folds that stay in U+0600-U+067F, and those to one
         * ASCII byte (written at the lead, the continuation dropped) or to
         * nothing (both dropped) */
        __mmask64 lead = lead_of(v);
        __m512i idx = pair_index(vp, v, vn, lead);
        __m512i val = table128(&s->pair[0][0], idx);
        __m512i sh = table128(s->pair_short, idx);
        __mmask64 lpair = lead & cont_of(vn), cpair = lead_of(vp) & cont_of(v);
        __mmask64 known = ~eq(val, ff), shrt = ~eq(sh, ff) & (lpair | cpair);
        __mmask64 gone = _mm512_mask_cmpeq_epi8_mask(shrt, sh, _mm512_setzero_si512());
        __mmask64 lok = lpair & known, cok = cpair & known;
        __m512i lout = _mm512_add_epi8(
            _mm512_set1_epi8((char)0xD8),
            _mm512_and_si512(_mm512_srli_epi16(val, 6), _mm512_set1_epi8(1)));
        __m512i cout = _mm512_or_si512(_mm512_set1_epi8((char)0x80),
                                       _mm512_and_si512(val, _mm512_set1_epi8(0x3F)));
        __m512i o = _mm512_mask_blend_epi8(lok, cout, lout);
        o = _mm512_mask_blend_epi8(aok, o, aout);
        o = _mm512_mask_blend_epi8(shrt & lead, o, sh);
        /* the block's bytes up to the first one not taken (a lead at the
         * end waits for the next block, with its continuation) */
        uint64_t okmask = (uint64_t)(aok | lok | cok | shrt);
        size_t avail = (p[W - 1] & 0xFE) == 0xD8 ? W - 1 : W;
        uint64_t stop = ~okmask & _bzhi_u64(~(uint64_t)0, (unsigned)avail);
        size_t take = stop ? (size_t)__builtin_ctzll(stop) : avail;
        uint64_t kept = _bzhi_u64(~(uint64_t)(gone | (shrt & ~lead)), (unsigned)take);
        __m512i c = _mm512_maskz_compress_epi8(kept, o);
        size_t nk = (size_t)__builtin_popcountll(kept);
        /* a space after a space or a line break is the scalar loop's: stop
         * before the byte that wrote it (past nk the compress wrote zeros) */
        uint64_t sp = (uint64_t)eq(c, space);
        uint64_t twice = sp & ((sp << 1) | after_space);
        _mm512_storeu_si512(out + w, c);
        if (twice) {
            size_t j = (size_t)__builtin_ctzll(twice);
            done += (size_t)__builtin_ctzll(_pdep_u64((uint64_t)1 << j, kept));
            *wrote = w + j;
            return done;
        }
        done += take;
        w += nk;
        if (nk) /* what it writes holds no line break */
            after_space = sp >> (nk - 1) & 1;
        if (take < avail)
            break;
    }
    *wrote = w;
    return done;
}

static inline int words_block(const tw__norm_simd *s, const uint8_t *p, uint64_t *mask)
{
    __m512i v = _mm512_loadu_si512(p);
    __m512i vp = _mm512_loadu_si512(p - 1);
    __m512i vn = _mm512_loadu_si512(p + 1);
    __mmask64 ascii = ~_mm512_movepi8_mask(v);
    __mmask64 is_lead = lead_of(v);
    __mmask64 lead = is_lead & cont_of(vn);
    __mmask64 cont = lead_of(vp) & cont_of(v);
    if ((uint64_t)(ascii | lead | cont) != ~(uint64_t)0)
        return 0;
    __m512i aw = table128(s->ascii_word, v);
    __m512i pw = table128(&s->pair_word[0][0], pair_index(vp, v, vn, is_lead));
    __mmask64 aword = ascii & _mm512_test_epi8_mask(aw, aw);
    __mmask64 word = (lead | cont) & _mm512_test_epi8_mask(pw, pw);
    *mask = (uint64_t)(aword | word);
    return 1;
}

size_t tw__tok_run_avx512(const tw__norm_simd *s, const uint8_t *text, size_t i, size_t len,
                          tw__token *out, size_t *nout, size_t cap, int *in_word, size_t *start)
{
    return tw__tok_run_with(s, text, i, len, out, nout, cap, in_word, start, words_block, W);
}

/*
 * Character map (tw_charmap.c is the reference; tw_text_kernels.h has the
 * SSE and AVX2 kernels): 64 bytes a step, the bytes kept closed up by one
 * VBMI2 compress and written with a masked store (vpcompressb straight to
 * memory is microcoded on AMD Zen 4). A step that meets end after 32
 * bytes loads only those (masked loads do not fault past them), and a
 * step across a multiple of 64 records ck there from the kept bytes below
 * it. Reads in[i - 1] and in[end].
 */
size_t tw__charmap_avx512(const tw__norm_simd *s, const uint8_t *in, size_t i, size_t end,
                          uint8_t *out, uint32_t *ck, size_t k)
{
    TW_UNUSED(s);
    const __m512i d8 = _mm512_set1_epi8((char)0xD8), d9 = _mm512_set1_epi8((char)0xD9);
    for (size_t j = i; j < end; j += W) {
        const uint8_t *p = in + j;
        unsigned n = end - j < W ? (unsigned)(end - j) : W;
        __mmask64 m = _bzhi_u64(~(uint64_t)0, n);
        __m512i v = _mm512_maskz_loadu_epi8(m, p);
        __m512i vp = _mm512_maskz_loadu_epi8(m, p - 1);
        __m512i vn = _mm512_maskz_loadu_epi8(m, p + 1);
        __mmask64 cont = cont_of(v);
        __mmask64 as_is = ~_mm512_movepi8_mask(v) | (cont & eq(vp, d8));
        __m512i o = _mm512_mask_blend_epi8(as_is, _mm512_set1_epi8(0x7F), v);
        o = _mm512_mask_add_epi8(o, cont & eq(vp, d9), v, _mm512_set1_epi8(0x40));
        o = _mm512_mask_blend_epi8(eq(v, _mm512_set1_epi8((char)0xA9)) &
                                       eq(vp, _mm512_set1_epi8((char)0xC2)),
                                   o, _mm512_set1_epi8(1));
        uint64_t keep = (uint64_t)(~cont_of(vn) & m);
        size_t off = j % 64;
        if (off == 0)
            ck[j / 64] = (uint32_t)k;
        else if (64 - off < n)
            ck[j / 64 + 1] = (uint32_t)(k + (size_t)__builtin_popcountll(_bzhi_u64(keep, (unsigned)(64 - off))));
        unsigned kept = (unsigned)__builtin_popcountll(keep);
        _mm512_mask_storeu_epi8(out + k, _bzhi_u64(~(uint64_t)0, kept),
                                _mm512_maskz_compress_epi8(keep, o));
        k += kept;
    }
    return k;
}
