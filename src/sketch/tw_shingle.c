/*
 * tw_shingle.c — word k-shingles as 32-bit fingerprints.
 *
 * Each word is hashed once, then each window of k word hashes is combined:
 * shingling costs one short hash per word and a few multiplies per window
 * whatever k is, and never copies text. Words of up to 16 bytes (nearly
 * every Arabic word: 2-8 letters of 2 bytes) are read as two 64-bit loads,
 * masked to their length and folded by one 64x64->128-bit multiply, the
 * way XXH3 folds its short inputs; longer words go to XXH3 itself. A
 * window is a polynomial in the word hashes (mod 2^64) with an avalanche at
 * the end (eight windows and words at once with AVX-512,
 * tw_shingle_avx512.c; four with AVX2, tw_shingle_avx2.c). Both
 * replaced an XXH3 call each (its length dispatch per word,
 * a 32-byte XXH3 per window): tokenize + shingle on SaudiNewsNet went from
 * 310-345 ms to 260-275 ms (build/tw_bench), near-copy accuracy unchanged
 * (bench/accuracy.sh, within the LSH's own run-to-run spread).
 * Repeated shingles are dropped with a key table (tw__keys_unique), each
 * kept where it first occurs: a set, in no particular order, which is all
 * the later stages ask of it (exact Jaccard by tw__keys_intersect).
 */
/* xxHash's own header in inline mode: the hash of long words is inlined
 * instead of called through the shared library. */
#define XXH_INLINE_ALL
#include <string.h>
#include <xxhash.h>
#include "sketch/tw_sketch.h"

static inline uint64_t fold128(uint64_t a, uint64_t b)
{
    __uint128_t p = (__uint128_t)a * b;
    return (uint64_t)p ^ (uint64_t)(p >> 64);
}

static inline uint64_t avalanche(uint64_t h)
{
    h ^= h >> 37;
    h *= TW__AVALANCHE_MUL;
    return h ^ (h >> 32);
}

static inline uint64_t load64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* The bytes of a word of len <= 16 that are its own, little-endian. */
static const uint64_t keep_lo[17] = {
    0, 0xFFull, 0xFFFFull, 0xFFFFFFull, 0xFFFFFFFFull, 0xFFFFFFFFFFull, 0xFFFFFFFFFFFFull,
    0xFFFFFFFFFFFFFFull, ~0ull, ~0ull, ~0ull, ~0ull, ~0ull, ~0ull, ~0ull, ~0ull, ~0ull};
static const uint64_t keep_hi[17] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFFull, 0xFFFFull, 0xFFFFFFull, 0xFFFFFFFFull, 0xFFFFFFFFFFull,
    0xFFFFFFFFFFFFull, 0xFFFFFFFFFFFFFFull, ~0ull};

static inline uint64_t word_hash(const uint8_t *text, size_t text_len, tw__token t, uint64_t k1,
                                 uint64_t k2, uint64_t seed)
{
    const uint8_t *p = text + t.off;
    size_t len = t.len;
    if (len > 16)
        return XXH3_64bits_withSeed(p, len, seed);
    uint64_t a, b;
    if (t.off + 16 <= text_len) {
        /* reads past the word, inside the text; the mask drops the rest */
        a = load64(p) & keep_lo[len];
        b = load64(p + 8) & keep_hi[len];
    } else {
        uint8_t tmp[16] = {0};
        memcpy(tmp, p, len);
        a = load64(tmp);
        b = load64(tmp + 8);
    }
    return avalanche(fold128(a ^ k1, b ^ k2) + len);
}

void tw__word_hashes_scalar(const uint8_t *text, size_t text_len, const tw__token *tok, size_t ntok,
                            uint64_t k1, uint64_t k2, uint64_t seed, uint64_t *th)
{
    for (size_t i = 0; i < ntok; i++)
        th[i] = word_hash(text, text_len, tok[i], k1, k2, seed);
}

tw__word_hashes_fn tw__word_hashes_for(tw__isa isa)
{
    return TW__AVX512_AVX2_OR(isa, tw__word_hashes_avx512, tw__word_hashes_avx2, tw__word_hashes_scalar);
}

static inline void window_hashes(const uint64_t *th, size_t nsh, size_t kk, uint64_t start,
                                 uint32_t *fp)
{
    for (size_t i = 0; i < nsh; i++) {
        uint64_t acc = start;
        for (size_t j = 0; j < kk; j++)
            acc = (acc + th[i + j]) * TW__WINDOW_MUL;
        uint32_t h = (uint32_t)avalanche(acc);
        fp[i] = h ? h : 1;
    }
}

void tw__window_hashes_scalar(const uint64_t *th, size_t nsh, size_t kk, uint64_t start,
                              uint32_t *fp)
{
    if (kk == 4) /* the default, unrolled by the compiler: same values */
        window_hashes(th, nsh, 4, start, fp);
    else
        window_hashes(th, nsh, kk, start, fp);
}

static void window4_scalar(const uint64_t *th, size_t nsh, uint64_t start, uint32_t *fp)
{
    tw__window_hashes_scalar(th, nsh, 4, start, fp);
}

tw__window4_fn tw__window4_for(tw__isa isa)
{
    return TW__AVX512_AVX2_OR(isa, tw__window4_hashes_avx512, tw__window4_hashes_avx2,
                              window4_scalar);
}

void tw__word_hashes_seeded(const uint8_t *text, size_t text_len, const tw__token *tok, size_t ntok,
                            uint64_t seed, uint64_t *th)
{
    /* keys drawn from the seed (XXH3's default secret's first words) */
    const uint64_t k1 = 0xBE4BA423396CFEB8ull ^ seed, k2 = 0x1CAD21F72C81017Cull + seed;
    tw__word_hashes_for(tw__isa_active())(text, text_len, tok, ntok, k1, k2, seed, th);
}

int tw__shingle_hashes(const uint64_t *th, size_t ntok, int k, uint64_t seed, tw__buf *table,
                       tw__buf *out)
{
    out->len = 0;
    if (ntok == 0)
        return TW_OK;
    if (k < 1)
        k = 1;
    size_t kk = (size_t)k > ntok ? ntok : (size_t)k;
    size_t nsh = ntok - kk + 1;
    if (tw__buf_reserve_empty(out, nsh, sizeof(uint32_t)))
        return TW_ENOMEM;
    const uint64_t start = avalanche(seed ^ (0x9E3779B97F4A7C15ull * kk));
    uint32_t *fp = out->data;
    if (kk == 4)
        tw__window4_for(tw__isa_active())(th, nsh, start, fp);
    else
        tw__window_hashes_scalar(th, nsh, kk, start, fp);
    return tw__keys_unique(table, fp, nsh, &out->len);
}

int tw__shingle(const uint8_t *text, size_t text_len, const tw__token *tok, size_t ntok, int k,
                uint64_t seed, tw__buf *tokhash, tw__buf *table, tw__buf *out)
{
    out->len = 0;
    if (ntok == 0)
        return TW_OK;
    if (tw__buf_reserve(tokhash, ntok, sizeof(uint64_t)))
        return TW_ENOMEM;
    tw__word_hashes_seeded(text, text_len, tok, ntok, seed, tokhash->data);
    return tw__shingle_hashes(tokhash->data, ntok, k, seed, table, out);
}

int tw__jaccard_keys(tw__buf *table, const uint32_t *a, size_t na, const uint32_t *b, size_t nb,
                     double *out)
{
    size_t inter = 0;
    int rc = tw__keys_intersect(table, a, na, b, nb, 0, &inter);
    if (!rc)
        *out = na == 0 && nb == 0 ? 1.0 : (double)inter / (double)(na + nb - inter);
    return rc;
}
