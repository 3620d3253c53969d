/*
 * tw_cluster.h — the cluster stage: the pair rule that verifies LSH
 * candidates, and union-find whose roots are the earliest documents.
 * Depends on base/ and sketch/.
 */
#ifndef TW_CLUSTER_H
#define TW_CLUSTER_H

#include "base/tw_base.h"
#include "sketch/tw_sketch.h"

/* Union-find over document indices. The root of a set is always its
 * smallest index, so find() names the earliest member directly. */
typedef struct tw__uf {
    uint32_t *parent;
    size_t n;
} tw__uf;

int tw__uf_init(tw__uf *u, size_t n);
void tw__uf_free(tw__uf *u);
uint32_t tw__uf_find(tw__uf *u, uint32_t x);
/* The root of x as far as another thread sees it while the owner joins
 * sets: a link always stays inside its set, and sets only merge, so two
 * indices with one root here are in one set from then on (the converse
 * may lag). Changes nothing. */
uint32_t tw__uf_find_shared(const tw__uf *u, uint32_t x);
/* Joins the sets of a and b; 1 if they were apart, 0 if already one. */
int tw__uf_union(tw__uf *u, uint32_t a, uint32_t b);

/* A posting of the story walk's inverted index: a unit's position in time
 * order and its weight for the list's term. */
typedef struct tw__posting {
    uint32_t pos;
    float w;
} tw__posting;

/* The story walk's inner loop, one per instruction set: for the postings
 * pb[start, end) of one term list (positions ascending and distinct), from
 * the last back while the position is at least lo, acc[pos] += xw * w —
 * a multiply, then an add, never fused, so that every set gives the same
 * floats. The AVX-512 one takes 16 postings a step (a gather, a multiply,
 * an add and a scatter: positions in one list are distinct, so the
 * scatter has no conflicts). */
typedef void (*tw__story_acc_fn)(const tw__posting *pb, size_t start, size_t end, uint32_t lo,
                                 float xw, float *acc);
void tw__story_acc_scalar(const tw__posting *pb, size_t start, size_t end, uint32_t lo, float xw,
                          float *acc);
void tw__story_acc_avx512(const tw__posting *pb, size_t start, size_t end, uint32_t lo, float xw,
                          float *acc);
tw__story_acc_fn tw__story_acc_for(tw__isa isa);

/* A document's shingle set split in two runs: fp[0..n_low) are
 * shingles rare in the collection, fp[n_low..n) boilerplate-like ones. */
typedef struct tw__docset {
    const uint32_t *fp;
    uint32_t n, n_low;
} tw__docset;

typedef struct tw__pair_rule {
    double threshold;      /* Jaccard needed */
    double template_share; /* see tw_config.template_share */
} tw__pair_rule;

/* The rule: when both documents have at least template_share of rare
 * shingles, they must match on those (a shared site template or formula
 * does not count); otherwise on all shingles (a text reprinted so widely
 * that its own shingles are common). *score gets the Jaccard decided on.
 * Returns 1 or 0, or TW_ENOMEM when the key table (tw__keys_intersect)
 * cannot grow; tw__keys_reserve for the largest set first rules that out. */
int tw__pair_is_dup(const tw__docset *a, const tw__docset *b, const tw__pair_rule *rule,
                    tw__buf *table, double *score);

/* Whether a document's signature should be taken over its rare shingles
 * (1) as well as over all of them. */
int tw__docset_uses_rare(const tw__docset *d, const tw__pair_rule *rule);

/* ------------------------------------------------- stories (tw_story.c) */

/* One unit of story clustering (a near-copy cluster), by its terms. */
typedef struct tw__story_unit {
    const tw__term *terms; /* sorted by h */
    uint32_t nterms;
    int64_t time;  /* publication, seconds; units are taken in (time, index) order */
    int64_t event; /* a second guess at the event's time (<= time) */
} tw__story_unit;

/* The time between two reports' events: the smallest gap between their
 * publication times and event guesses (non-negative). */
int64_t tw__story_gap(const tw__story_unit *a, const tw__story_unit *b);

typedef struct tw__story_params {
    double threshold; /* average decayed cosine needed to join a story */
    int64_t window;   /* seconds: members further apart are not compared */
    double decay;     /* seconds: e-folding time of the similarity after a day */
} tw__story_params;

/* L2-normalized TF-IDF vectors of the units (CSR: terms[off[i]..off[i+1])). */
typedef struct tw__story_vecs {
    size_t n;
    size_t *off;     /* unit i's terms are terms[off[i], off[i + 1]) */
    tw__term *terms; /* sorted by h within a unit, weights L2-normalized */
    uint32_t *id;    /* beside each term: a dense number, < nids, one per distinct term */
    tw__buf id_mem;  /* owns id (a big array: a mapping, see tw__buf) */
    uint32_t nids;
    int terms_lent;  /* 1: terms is the caller's room (tw__story_vectors_in), not freed here */
} tw__story_vecs;

int tw__story_vectors(const tw__story_unit *u, size_t n, tw__story_vecs *v);
/* The same, the vectors' terms written over room, which holds every unit's
 * own terms, unit after unit in order (u[i].terms at or after room plus the
 * terms of the units before it): a vector is never longer than its unit's
 * terms, so each is written where terms already read were. On success the
 * units' terms are gone; on failure they are untouched. */
int tw__story_vectors_in(const tw__story_unit *u, size_t n, tw__term *room, tw__story_vecs *v);
void tw__story_vecs_free(tw__story_vecs *v);
double tw__story_cosine(const tw__story_vecs *v, size_t a, size_t b);
double tw__story_time_factor(const tw__story_params *p, int64_t dt);

/* Assigns story[i] (a story number, in order of creation) to every unit;
 * the edge walk uses up to `threads` threads (same result for any). The
 * narena buffers at arena (up to TW_STORY_ARENAS; their caps count bytes)
 * lend the walk's largest arrays memory the caller has touched already;
 * their contents are overwritten. */
#define TW_STORY_ARENAS 4
int tw__story_cluster(const tw__story_unit *u, size_t n, const tw__story_vecs *v,
                      const tw__story_params *p, unsigned threads, tw__buf *arena,
                      size_t narena, uint32_t *story);

#endif
