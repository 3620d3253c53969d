/*
 * tw_index.h — the index stage: LSH banding of MinHash signatures into
 * candidate pairs, and the fingerprint set used to mark boilerplate-like
 * shingles. Depends on base/ and sketch/.
 */
#ifndef TW_INDEX_H
#define TW_INDEX_H

#include "base/tw_base.h"
#include "sketch/tw_sketch.h"

/* Chooses b bands of r rows (b·r <= nperm) for a Jaccard threshold by
 * minimizing wfp·FP + wfn·FN, where FP and FN are the areas under the
 * S-curve 1-(1-s^r)^b below and above the threshold (Leskovec et al.,
 * Mining of Massive Datasets §3.4; datasketch does the same). */
void tw__lsh_params(double threshold, int nperm, double wfp, double wfn, int *bands, int *rows);

/* The default engine's choice, made at build time (tw_hsdb_gen writes it
 * into the generated tw_hsdb_blobs.c) and taken when the inputs are the
 * same: the integration is 13 M instructions, most of what an engine's
 * start had left. nperm 0: none. */
typedef struct tw__lsh_prebuilt {
    double threshold, wfp, wfn;
    int nperm, bands, rows;
} tw__lsh_prebuilt;
extern const tw__lsh_prebuilt tw__lsh_prebuilt_choice;

/* For tw_hsdb_gen: called with every choice integrated. */
void tw__lsh_set_recorder(void (*fn)(const tw__lsh_prebuilt *choice));

/* The probability that two sets of Jaccard s share at least one band. */
double tw__lsh_collision_prob(double s, int bands, int rows);

/* Hash of band `band` (rows values) of a signature. */
uint64_t tw__lsh_band_key(const uint32_t *sig, int band, int rows, uint64_t seed);
/* The keys of bands 0 .. bands - 1 at keys[]: tw__lsh_band_key's values. */
void tw__lsh_band_keys(const uint32_t *sig, int bands, int rows, uint64_t seed, uint64_t *keys);
/* The same with AVX2 for 3 or 4 rows (returns 0, writing nothing, for
 * others): flip1 and flip2 are XXH3's default secret's words 3 ^ 4 and 5 ^ 6,
 * which tw__lsh_xxh3_flips reads from xxHash's header. */
void tw__lsh_xxh3_flips(uint64_t *flip1, uint64_t *flip2);
int tw__lsh_band_keys_avx2(const uint32_t *sig, int bands, int rows, uint64_t seed,
                           uint64_t flip1, uint64_t flip2, uint64_t *keys);

/* One (band key, document) entry of a batch LSH table: 12 bytes, packed
 * (a million articles make 46 M of them; padded to 16, with the copy the
 * sort used to spread them into, they were 0.37 GB more memory touched). */
typedef struct __attribute__((packed)) tw__lsh_entry {
    uint64_t key;
    uint32_t doc;
} tw__lsh_entry;

/* Called for a candidate pair (earlier, later); returns 1 when the two are
 * now known to be in one cluster (stop looking for this document), else 0,
 * or a negative status to abort. */
typedef int (*tw__pair_fn)(uint32_t earlier, uint32_t later, void *ctx);

/* Calls fn for the pairs of documents sharing a key, in the order of the
 * entries sorted by (key, doc): each document against up to max_probe
 * earlier documents of its key, nearest first. The entries are the sort's
 * work space: afterwards they hold nothing to rely on. Returns TW_OK or the
 * callback's negative status. */
int tw__lsh_pairs(tw__lsh_entry *entries, size_t n, int max_probe, unsigned threads,
                  tw__pair_fn fn, void *ctx);
/* The same, and meanwhile, with threads > 1, the threads that have sorted
 * their share walk buckets the walk has not reached with ahead (thread w,
 * from 1, with ahead_ctx[w]; the array has room for threads, and a thread
 * whose entry is NULL does not walk ahead): the same
 * probing, each stopped by a return of 1, a negative return ending that
 * thread's calls. They may take any bucket after the walk's, some not at
 * all, some a pair the walk is checking too, so ahead should only do work
 * the walk's fn could use (answers to a question that depends on the pair
 * alone): fn's calls, and the result, are tw__lsh_pairs' whatever ahead
 * does. ahead runs beside fn and must be safe to. */
int tw__lsh_pairs_ahead(tw__lsh_entry *entries, size_t n, int max_probe, unsigned threads,
                        tw__pair_fn fn, void *ctx, tw__pair_fn ahead, void *const *ahead_ctx);

/* An open-addressing set of nonzero 32-bit fingerprints. */
typedef struct tw__fpset {
    uint32_t *slots;
    size_t mask;
    size_t count;
} tw__fpset;

int tw__fpset_init(tw__fpset *s, size_t expected);
int tw__fpset_add(tw__fpset *s, uint32_t fp);
void tw__fpset_free(tw__fpset *s);

static inline int tw__fpset_has(const tw__fpset *s, uint32_t fp)
{
    return s->slots && s->slots[tw__key_slot(s->slots, s->mask, fp)] != 0;
}

/* A bitmap of fingerprints by their top TW__FPMAP_BITS bits (32 KB, kept
 * in the first-level cache): a filter in front of a tw__fpset, which turns
 * away almost every fingerprint the set does not hold (SaudiNewsNet: 5,261
 * common shingles set 2% of the bits). map holds 2^TW__FPMAP_BITS bits as
 * uint64_t words, bit (x >> (32 - TW__FPMAP_BITS)) for each x added. */
#define TW__FPMAP_BITS 18

static inline void tw__fpmap_add(uint64_t *map, uint32_t x)
{
    uint32_t top = x >> (32 - TW__FPMAP_BITS);
    map[top >> 6] |= (uint64_t)1 << (top & 63);
}

static inline int tw__fpmap_has(const uint64_t *map, uint32_t x)
{
    uint32_t top = x >> (32 - TW__FPMAP_BITS);
    return (int)(map[top >> 6] >> (top & 63) & 1);
}

/* Writes to at[] (room for n) the indexes i, ascending, of the x[i] whose
 * bit is set in map; returns how many. One per instruction set, the scalar
 * one the reference. */
typedef size_t (*tw__fpmap_find_fn)(const uint64_t *map, const uint32_t *x, size_t n, uint32_t *at);
size_t tw__fpmap_find_scalar(const uint64_t *map, const uint32_t *x, size_t n, uint32_t *at);
size_t tw__fpmap_find_avx2(const uint64_t *map, const uint32_t *x, size_t n, uint32_t *at);
tw__fpmap_find_fn tw__fpmap_find_for(tw__isa isa);

/* Moves x[at[0]], .., x[at[k - 1]] (at ascending) to the end of x[0, n),
 * in that order, and the others down before them, in theirs: a run of
 * memmoves, not one step per element. tmp has room for k. Returns n - k. */
size_t tw__fps_move_to_end(uint32_t *x, size_t n, const uint32_t *at, size_t k, uint32_t *tmp);

/* An open-addressing set of pairs of document indices (a, b), kept under
 * half full: which candidate pairs failed the exact check. LSH proposes a
 * pair once for every band key it shares, and a pair that is not a
 * near-copy was checked again each time (a third of SaudiNewsNet's
 * checks). */
typedef struct tw__pairset {
    uint64_t *slots; /* (a << 32 | b) + 1; 0 marks an empty slot */
    size_t mask;
    size_t count;
} tw__pairset;

int tw__pairset_add(tw__pairset *s, uint32_t a, uint32_t b);
int tw__pairset_has(const tw__pairset *s, uint32_t a, uint32_t b);
void tw__pairset_free(tw__pairset *s);

/* Answers (0 or 1) for pairs of document indices (a, b), in a table one
 * thread fills while other threads read it: a put writes the answer, then
 * publishes its key (release); a get that finds the key (acquire) reads
 * the answer written before it, and one that does not says -1, unknown.
 * The room is fixed at init (no growth, which readers could not follow):
 * a put beyond it is TW_ENOMEM and changes nothing. A pair's first answer
 * stays. */
typedef struct tw__pairans {
    uint64_t *slots; /* (a << 32 | b) + 1; 0 marks an empty slot */
    uint8_t *answer;
    size_t mask, count;
} tw__pairans;

int tw__pairans_init(tw__pairans *s, size_t room);
int tw__pairans_put(tw__pairans *s, uint32_t a, uint32_t b, int answer);
int tw__pairans_get(const tw__pairans *s, uint32_t a, uint32_t b);
void tw__pairans_free(tw__pairans *s);

#endif
