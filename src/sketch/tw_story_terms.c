/*
 * tw_story_terms.c — the features a story is recognized by: light-stemmed
 * content words (title words counted more), numbers, and names.
 *
 * A document becomes a sorted list of (term hash, raw weight). Names come
 * from the phrase stage's mentions: after a title or role cue, the first
 * one or two words that are not descriptors (descriptors start with ال:
 * "وزير الخارجية التركي هاكان فيدان") are a name, and enter as name keys
 * (consonant skeletons), so كالين / قالن / قالين are one feature. Latin
 * words (acronyms such as CMCC, after case folding) count as names too.
 * Weights are raw term frequencies here; IDF needs the whole collection and
 * is applied by the story clustering.
 */
#include <stdlib.h>
#include <string.h>
/* xxHash's own header in inline mode: the short hashes of the hot loops
 * are inlined instead of called through the shared library. */
#define XXH_INLINE_ALL
#include <xxhash.h>
#include "sketch/tw_sketch.h"

#define TW_TITLE_WEIGHT 2.0f
#define TW_NAME_WEIGHT 1.5f
#define TW_NAME_WORDS 2   /* name words taken after a cue */
#define TW_CUE_LOOKAHEAD 5 /* words looked at after a cue */

static uint32_t term_hash(const uint8_t *s, size_t len, uint64_t tag)
{
    uint32_t h = (uint32_t)XXH3_64bits_withSeed(s, len, tag);
    return h ? h : 1;
}

/* Where terms go: straight into out's room (reserved once for the
 * document), counted here and the count stored back at the end. Pushed
 * through out, the count and the pointer were reloaded and stored every
 * push, with the cache's results spilled around them; with this, a loop
 * without the label test (word_loop) and a cold cache miss, this
 * function's own instructions on the first 3,000 SaudiNewsNet articles
 * went from 78.6 M to 58.3 M (callgrind, story mode). */
typedef struct sink {
    tw__term *o;
    size_t n;
    tw__term_label_fn label; /* optional: who wants the words behind the hashes */
    void *ctx;
} sink;

static inline void push(sink *k, uint32_t h, float w, const uint8_t *text, size_t len, int is_name)
{
    k->o[k->n++] = (tw__term){h, w};
    if (k->label)
        k->label(h, text, len, is_name, k->ctx);
}

static int starts_with_al(const uint8_t *w, size_t len)
{
    return len >= 4 && w[0] == 0xD8 && w[1] == 0xA7 && w[2] == 0xD9 && w[3] == 0x84;
}

static int is_latin_word(const uint8_t *w, size_t len)
{
    size_t letters = 0;
    for (size_t i = 0; i < len; i++) {
        if (w[i] >= 0x80)
            return 0;
        letters += w[i] >= 'a' && w[i] <= 'z';
    }
    return letters >= 2;
}

static int is_connector(const uint8_t *w, size_t len)
{
    /* بن ابن بنت ابو عبد: parts of a name, not names */
    static const char *const c[] = {"بن", "ابن", "بنت", "ابو", "عبد"};
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
        if (len == strlen(c[i]) && memcmp(w, c[i], len) == 0)
            return 1;
    return 0;
}

/* Sorts terms by h, stably (equal terms are summed in text order). A
 * document has a few hundred terms: one counting pass on the top bits
 * (about a bucket a term: two a term cost 10M more instructions, in
 * clearing and summing counters, than the insertion sort saves, on 3,000
 * articles) leaves only neighbours out of
 * order, and an insertion sort (stable) finishes. Long texts take an LSD radix by bytes,
 * a pass skipped when every key has the same byte there. (The LSD radix
 * for every document, four passes and 256 counters each, was 6% of story
 * mode; glibc's qsort before it as much.) */
#define TW_TERM_SORT_MAX_BITS 12
#define TERM_KEY(x) ((x).h)
static void sort_terms(tw__term *t, tw__term *tmp, size_t n)
{
    if (n <= ((size_t)1 << (TW_TERM_SORT_MAX_BITS - 1))) {
        int bits = 4;
        while (((size_t)1 << bits) < n)
            bits++;
        uint32_t count[(1u << TW_TERM_SORT_MAX_BITS) + 1];
        memset(count, 0, (((size_t)1 << bits) + 1) * sizeof count[0]);
        for (size_t i = 0; i < n; i++)
            count[(t[i].h >> (32 - bits)) + 1]++;
        for (size_t b = 0; b < ((size_t)1 << bits); b++)
            count[b + 1] += count[b];
        for (size_t i = 0; i < n; i++)
            tmp[count[t[i].h >> (32 - bits)]++] = t[i];
        TW__INSERTION_SORT(tw__term, tmp, n, TERM_KEY);
        memcpy(t, tmp, n * sizeof *t);
        return;
    }
    TW__RADIX_BY_BYTES(tw__term, t, tmp, n, 32, TERM_KEY);
}

int tw__story_terms(const uint8_t *text, const tw__token *tok, size_t ntok, size_t title_end,
                    const tw__mention *men, size_t nmen, uint64_t seed, tw__buf *out)
{
    return tw__story_terms_labeled(text, tok, ntok, title_end, men, nmen, seed, NULL, NULL, out,
                                   NULL, NULL);
}

/* A word's term and name hashes (0: none; a term hash is never 0, and a
 * word gives a name only with a term). */
typedef struct word_hashes {
    uint32_t term, name;
} word_hashes;

/* What a word gives (its term and, for a short Latin word, its name), a
 * function of its bytes and the seed alone. */
static word_hashes word_terms(const uint8_t *w, size_t len, uint64_t seed)
{
    word_hashes r = {0, 0};
    uint8_t buf[256];
    if (tw__is_stopword(w, len))
        return r;
    size_t sl = tw__light_stem(w, len, buf);
    int digit = buf[0] >= '0' && buf[0] <= '9';
    if ((sl < 4 && !digit && buf[0] >= 0x80) || sl < 2 || tw__is_stopword(buf, sl))
        return r; /* one Arabic letter (2 bytes) or one ASCII char carries nothing */
    r.term = term_hash(buf, sl, seed ^ 0x5445524Dull /* TERM */);
    if (is_latin_word(w, len) && len <= 8)
        r.name = term_hash(w, len, seed ^ 0x4E414D45ull /* NAME */);
    return r;
}

/* The term cache: a direct-mapped table of words and what word_terms gave
 * for them. News text repeats its vocabulary, so most words are found here,
 * and a word found costs one probe instead of two stopword lookups, the
 * stemmer and a hash (20% of story mode on SaudiNewsNet). A word's key is
 * its 64-bit word hash, which the shingles computed anyway (tw__shingle's
 * first step): one load and a shift give the slot, where the word's own
 * bytes (two loads, two multiplies) took about 45 instructions a word, and
 * a slot is 16 bytes instead of 32. Two words share a key only if their
 * 64-bit hashes collide, and the shingles already take such words for one.
 * 2^18 slots (4 MB a scratch, as the byte-keyed table of 2^17 32-byte
 * slots before it): on all of SaudiNewsNet (9.0 M words) the hit rate is
 * 90.8% at 2^17, 93.5% at 2^18, 95.3% at 2^19; a miss costs about 460
 * instructions (two stopword lookups, the stemmer, a hash). */
#define TW_TCACHE_BITS 18
typedef struct tcache_slot {
    uint64_t key;        /* the word hash; 0: empty */
    uint32_t term, name; /* 0: none */
} tcache_slot;

struct tw__term_cache {
    uint64_t seed;
    tcache_slot slot[1u << TW_TCACHE_BITS];
};

int tw__term_cache_create(tw__term_cache **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? TW_OK : TW_ENOMEM;
}

void tw__term_cache_free(tw__term_cache *c)
{
    free(c);
}

static inline tcache_slot *key_slot(tw__term_cache *c, uint64_t key)
{
    return &c->slot[key >> (64 - TW_TCACHE_BITS)];
}

/* A word's hashes from the cache or, on a miss (out of line: the loop
 * stays small), from word_terms, kept in the slot. */
static __attribute__((noinline)) word_hashes cache_miss(tcache_slot *sl, uint64_t key,
                                                        const uint8_t *w, size_t len, uint64_t seed)
{
    word_hashes r = word_terms(w, len, seed);
    *sl = (tcache_slot){key, r.term, r.name};
    return r;
}

static inline word_hashes cached_word_terms(tw__term_cache *c, uint64_t key, const uint8_t *w,
                                            size_t len, uint64_t seed)
{
    tcache_slot *sl = key_slot(c, key);
    if (TW_LIKELY(sl->key == key && key))
        return (word_hashes){sl->term, sl->name};
    return cache_miss(sl, key, w, len, seed);
}

/* Tokens ahead whose cache slot is fetched before it is needed: the table
 * (4 MB) lives in L3, and a miss a word was most of the loop's time. */
#define TW_TCACHE_AHEAD 8

/* The words' terms, in text order. */
static inline __attribute__((always_inline)) void word_loop(sink *k, const uint8_t *text,
                                                            const tw__token *tok, size_t ntok,
                                                            size_t title_end, uint64_t seed,
                                                            tw__term_cache *cache,
                                                            const uint64_t *wh)
{
    for (size_t i = 0; i < ntok; i++) {
        const uint8_t *w = text + tok[i].off;
        size_t len = tok[i].len;
        /* (the tokenizer makes no empty token) */
        if (len - 1 >= 128)
            continue;
        word_hashes x;
        if (cache) {
            if (i + TW_TCACHE_AHEAD < ntok)
                __builtin_prefetch(key_slot(cache, wh[i + TW_TCACHE_AHEAD]));
            x = cached_word_terms(cache, wh[i], w, len, seed);
        } else {
            x = word_terms(w, len, seed);
        }
        if (!x.term)
            continue;
        float wt = tok[i].off < title_end ? TW_TITLE_WEIGHT : 1.0f;
        /* labelled with the word as written (normalized), not its stem */
        push(k, x.term, wt, w, len, 0);
        if (x.name)
            push(k, x.name, TW_NAME_WEIGHT, w, len, 1);
    }
}

int tw__story_terms_labeled(const uint8_t *text, const tw__token *tok, size_t ntok,
                            size_t title_end, const tw__mention *men, size_t nmen, uint64_t seed,
                            tw__term_cache *cache, const uint64_t *wh, tw__buf *out,
                            tw__term_label_fn label, void *ctx)
{
    out->len = 0;
    uint8_t buf[256];
    /* every term at once: two a word at most, one a gazetteer mention,
     * TW_NAME_WORDS a cue; and the sort's scratch after them */
    if (tw__buf_reserve_empty(out, 2 * (2 * ntok + TW_NAME_WORDS * nmen) + 2, sizeof(tw__term)))
        return TW_ENOMEM;
    sink k = {out->data, 0, label, ctx};
    if (!wh)
        cache = NULL; /* keyed by the word hashes */
    if (cache && cache->seed != seed) {
        memset(cache->slot, 0, sizeof cache->slot);
        cache->seed = seed;
    }
    /* (two copies of the loop: the one without labels has no test for them) */
    if (label) {
        word_loop(&k, text, tok, ntok, title_end, seed, cache, wh);
    } else {
        sink bare = {k.o, 0, NULL, NULL};
        word_loop(&bare, text, tok, ntok, title_end, seed, cache, wh);
        k.n = bare.n;
    }
    for (size_t m = 0; m < nmen; m++) {
        if (men[m].kind == TW__MENTION_GAZ) {
            uint32_t id = men[m].entity;
            /* labelled with the variant as it stands in the text */
            size_t end = men[m].end, len = men[m].len <= end ? men[m].len : end;
            push(&k, term_hash((const uint8_t *)&id, sizeof id, seed ^ 0x47415Aull), TW_NAME_WEIGHT,
                 text + end - len, len, 1);
            continue;
        }
        /* the first token starting at or after the cue's end */
        size_t lo = 0, hi = ntok;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (tok[mid].off < men[m].end)
                lo = mid + 1;
            else
                hi = mid;
        }
        int taken = 0;
        for (size_t i = lo; i < ntok && i < lo + TW_CUE_LOOKAHEAD && taken < TW_NAME_WORDS; i++) {
            const uint8_t *w = text + tok[i].off;
            size_t len = tok[i].len;
            if (starts_with_al(w, len) || is_connector(w, len))
                continue;
            if (tw__is_stopword(w, len) || len > 128)
                break;
            size_t kl = tw__name_key(w, len, buf);
            if (kl >= 4)
                push(&k, term_hash(buf, kl, seed ^ 0x4E414D45ull), TW_NAME_WEIGHT, w, len, 1);
            taken++;
        }
    }
    /* sort and merge equal terms */
    if (k.n > 1) /* the room after the terms is the sort's scratch */
        sort_terms(k.o, k.o + k.n, k.n);
    tw__term *t = k.o;
    size_t u = 0;
    for (size_t i = 0; i < k.n; i++) {
        if (u > 0 && t[u - 1].h == t[i].h)
            t[u - 1].w += t[i].w;
        else
            t[u++] = t[i];
    }
    out->len = u;
    return TW_OK;
}
