/*
 * tw_sketch.h — the sketch stage: word shingles hashed (XXH3-style folds), and
 * MinHash signatures over them. Depends on base/ and text/ (tokens).
 */
#ifndef TW_SKETCH_H
#define TW_SKETCH_H

#include "base/tw_base.h"
#include "text/tw_text.h"
#include "phrase/tw_phrase.h"

#define TW__MH_N 128 /* MinHash values per signature */

/* splitmix64's finalizer: a bijection of 64 bits with full avalanche (the
 * classic MinHash draws its functions with it, OPH hashes with it). */
static inline uint64_t tw__mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

/* Turns tokens into the duplicate-free set of 32-bit fingerprints of their
 * k-word shingles (a text shorter than k words is one shingle), each where
 * it first occurs in the text. Fingerprint 0 is never produced (0 marks
 * empty slots in hash sets). tokhash (uint64_t) is a working buffer and
 * table a key table (tw__keys_unique); out receives the set. 32 bits keep
 * memory at 4 bytes a word; two distinct shingles collide with
 * probability 2^-32, far below what changes a Jaccard. */
int tw__shingle(const uint8_t *text, size_t text_len, const tw__token *tok, size_t ntok, int k,
                uint64_t seed, tw__buf *tokhash, tw__buf *table, tw__buf *out);

/* tw__shingle's two steps, for a caller that wants the word hashes too (story
 * mode keys its term cache by them): th[i] for tok[i] under seed, with the
 * active ISA's kernel (tw__word_hashes_fn below); then the set from ntok word
 * hashes. */
void tw__word_hashes_seeded(const uint8_t *text, size_t text_len, const tw__token *tok, size_t ntok,
                            uint64_t seed, uint64_t *th);
int tw__shingle_hashes(const uint64_t *th, size_t ntok, int k, uint64_t seed, tw__buf *table,
                       tw__buf *out);

/* The window hashes (what tw__shingle makes of the word hashes th): fp[i]
 * for the window th[i, i + kk) of every i < nsh, a polynomial in
 * TW__WINDOW_MUL from `start`, then an avalanche; 0 becomes 1. The scalar
 * loop is the reference; windows of 4 words (the default) have AVX2 and AVX-512
 * kernels, chosen once. */
#define TW__WINDOW_MUL 0xC2B2AE3D27D4EB4Full
#define TW__AVALANCHE_MUL 0x165667919E3779F9ull
void tw__window_hashes_scalar(const uint64_t *th, size_t nsh, size_t kk, uint64_t start,
                              uint32_t *fp);
typedef void (*tw__window4_fn)(const uint64_t *th, size_t nsh, uint64_t start, uint32_t *fp);
void tw__window4_hashes_avx2(const uint64_t *th, size_t nsh, uint64_t start, uint32_t *fp);
void tw__window4_hashes_avx512(const uint64_t *th, size_t nsh, uint64_t start, uint32_t *fp);
tw__window4_fn tw__window4_for(tw__isa isa);

/* The word hashes (tw__shingle's first step): th[i] for tok[i] of text,
 * keyed by k1, k2 and seed. A word of up to 16 bytes is its bytes as two
 * 64-bit halves, keyed, folded by one 64x64->128-bit multiply (low half
 * xor high half), plus its length, avalanched; a longer one is XXH3's.
 * The scalar loop is the reference; AVX2 takes four words at once. */
typedef void (*tw__word_hashes_fn)(const uint8_t *text, size_t text_len, const tw__token *tok,
                                   size_t ntok, uint64_t k1, uint64_t k2, uint64_t seed, uint64_t *th);
void tw__word_hashes_scalar(const uint8_t *text, size_t text_len, const tw__token *tok, size_t ntok,
                            uint64_t k1, uint64_t k2, uint64_t seed, uint64_t *th);
void tw__word_hashes_avx2(const uint8_t *text, size_t text_len, const tw__token *tok, size_t ntok,
                          uint64_t k1, uint64_t k2, uint64_t seed, uint64_t *th);
void tw__word_hashes_avx512(const uint8_t *text, size_t text_len, const tw__token *tok, size_t ntok,
                            uint64_t k1, uint64_t k2, uint64_t seed, uint64_t *th);
tw__word_hashes_fn tw__word_hashes_for(tw__isa isa);

typedef struct tw__minhash {
    uint64_t a[TW__MH_N], b[TW__MH_N]; /* h_i(x) = (a_i x + b_i) >> 32, a_i odd */
} tw__minhash;

/* Draws the hash functions from seed (splitmix64). */
void tw__minhash_init(tw__minhash *mh, uint64_t seed);

/* sig[i] = min over the set of h_i(fp) for i < count (<= TW__MH_N); all
 * ones for an empty set. LSH reads only bands x rows values, so callers ask
 * for no more. */
void tw__minhash_sign(const tw__minhash *mh, const uint32_t *fp, size_t n, uint32_t *sig,
                      int count);

/* One-permutation hashing with optimal densification (tw_oph.c): count
 * values with the same collision probability as MinHash, one hash per
 * shingle. All ones for an empty set. This is what batches use. */
void tw__oph_sign(uint64_t seed, const uint32_t *fp, size_t n, uint32_t *sig, int count);

/* OPH's inner loop, one per instruction set: folds fp[0, n) into the
 * bins — each shingle x goes to bin (hi32(m) * count) >> 32 with value
 * lo32(m), m = tw__mix64(x ^ salt), keeping the minimum, and marks the
 * bin filled. The vector kernels hash 4 (AVX2) or 8 (AVX-512) shingles at
 * once and keep the minimum per bin with scalar stores (bins collide
 * within a vector too often for a scatter); they equal the scalar loop bit
 * for bit, and the tests hold them to it. */
typedef void (*tw__oph_add_fn)(uint64_t salt, const uint32_t *fp, size_t n, uint32_t *sig,
                               uint8_t *filled, int count);
void tw__oph_add_scalar(uint64_t salt, const uint32_t *fp, size_t n, uint32_t *sig,
                        uint8_t *filled, int count);
void tw__oph_add_avx2(uint64_t salt, const uint32_t *fp, size_t n, uint32_t *sig,
                      uint8_t *filled, int count);
void tw__oph_add_avx512(uint64_t salt, const uint32_t *fp, size_t n, uint32_t *sig,
                        uint8_t *filled, int count);
/* The kernel for an instruction set (the scalar loop where it has none). */
tw__oph_add_fn tw__oph_add_for(tw__isa isa);

/* Value v reaches bin: every kernel keeps the minimum this way. */
static inline void tw__oph_keep(uint32_t *sig, uint8_t *filled, uint32_t bin, uint32_t v)
{
    /* branch-free: which bin wins is data, a branch would mispredict */
    sig[bin] = v < sig[bin] ? v : sig[bin];
    filled[bin] = 1;
}

/* The scalar loop's step for one shingle, which the kernels' tails share. */
static inline void tw__oph_add_one(uint64_t salt, uint32_t x, uint32_t *sig, uint8_t *filled,
                                   int count)
{
    uint64_t h = tw__mix64((uint64_t)x ^ salt);
    tw__oph_keep(sig, filled, (uint32_t)(((h >> 32) * (uint64_t)count) >> 32), (uint32_t)h);
}

typedef struct tw__oph tw__oph;
/* Optimal densification, one per instruction set: every empty bin of sig
 * (filled[b] == 0; filled has TW__MH_N entries, 0 past count) takes the
 * value of the first filled bin among its tries (o->tries, then
 * tw__oph_far); nothing for an empty set (n == 0). The AVX-512 one looks
 * up all 32 drawn tries of a bin in the filled bytes at once (one VBMI
 * permute), the AVX2 one with two shuffles on a 16-byte map of the filled
 * bins, where the scalar one tests them one by one; short texts leave
 * most bins empty and most tries missing. */
typedef void (*tw__oph_densify_fn)(const tw__oph *o, size_t n, uint32_t *sig,
                                   const uint8_t *filled);
void tw__oph_densify_scalar(const tw__oph *o, size_t n, uint32_t *sig, const uint8_t *filled);
void tw__oph_densify_avx2(const tw__oph *o, size_t n, uint32_t *sig, const uint8_t *filled);
void tw__oph_densify_avx512(const tw__oph *o, size_t n, uint32_t *sig, const uint8_t *filled);
tw__oph_densify_fn tw__oph_densify_for(tw__isa isa);
/* The bins of a 128-bit filled map that are empty and below count: what
 * every densify walks. */
static inline void tw__oph_empty_bins(const uint64_t full[2], int count, uint64_t empty[2])
{
    for (int w = 0; w < 2; w++) {
        empty[w] = ~full[w];
        if (count - 64 * w < 64)
            empty[w] &= count > 64 * w ? ((uint64_t)1 << (count - 64 * w)) - 1 : 0;
    }
}
/* Where empty bin i borrows from when none of its drawn tries is filled
 * (or none are drawn): the first filled bin of the hashed tries after. */
uint32_t tw__oph_far(const tw__oph *o, int i, const uint8_t *filled);

/* What signing with one seed and count shares: drawn once (tw__oph_init),
 * then used for every document. */
#define TW__OPH_TRIES 32
struct tw__oph {
    uint64_t salt;
    int count;
    tw__oph_add_fn add;             /* the active instruction set's kernels */
    tw__oph_densify_fn densify;
    int tries_drawn; /* tries below are filled (tw__oph_sign hashes them as needed) */
    uint8_t tries[TW__MH_N][TW__OPH_TRIES]; /* the bins an empty bin borrows from, in order */
};

void tw__oph_init(tw__oph *o, uint64_t seed, int count);

/* The signatures of fp[0, n_prefix) into sig_prefix and of fp[0, n) into
 * sig, in one pass over the set (either output may be NULL): each equals
 * what tw__oph_sign gives for its run. */
void tw__oph_sign2(const tw__oph *o, const uint32_t *fp, size_t n_prefix, size_t n,
                   uint32_t *sig_prefix, uint32_t *sig);

/* The fraction of equal positions among the first count: an unbiased
 * estimate of Jaccard. */
double tw__minhash_estimate(const uint32_t *a, const uint32_t *b, int count);

/* Exact Jaccard of two duplicate-free sets, in any order (1 for two empty
 * ones), into *out; table is a key table (tw__keys_intersect). */
int tw__jaccard_keys(tw__buf *table, const uint32_t *a, size_t na, const uint32_t *b, size_t nb,
                     double *out);

/* A story feature: a term (stem, number or name key) and its raw weight. */
typedef struct tw__term {
    uint32_t h;
    float w;
} tw__term;

/* Builds a document's story terms, sorted by h with equal terms merged.
 * Tokens before byte title_end are the title's (weighted more); mentions
 * come from tw__spot over the same text. */
int tw__story_terms(const uint8_t *text, const tw__token *tok, size_t ntok, size_t title_end,
                    const tw__mention *men, size_t nmen, uint64_t seed, tw__buf *out);

/* Per-thread memory of what words gave (tw_story_terms.c), keyed by their
 * 64-bit word hashes: results are the same with or without it, only faster
 * (unless two words' hashes collide, and the shingles already take such
 * words for one). 4 MB. */
typedef struct tw__term_cache tw__term_cache;
int tw__term_cache_create(tw__term_cache **out);
void tw__term_cache_free(tw__term_cache *c);

/* The same, with a cache (or NULL) and the word hashes of tok[0, ntok)
 * (tw__word_hashes_seeded under the same seed; without them, NULL, the cache
 * is not used), calling label(h, text, len, is_name, ctx) for every feature
 * as it is found, so that an explanation can show words instead of hashes. */
typedef void (*tw__term_label_fn)(uint32_t h, const uint8_t *text, size_t len, int is_name,
                                  void *ctx);
int tw__story_terms_labeled(const uint8_t *text, const tw__token *tok, size_t ntok,
                            size_t title_end, const tw__mention *men, size_t nmen, uint64_t seed,
                            tw__term_cache *cache, const uint64_t *wh, tw__buf *out,
                            tw__term_label_fn label, void *ctx);

#endif
