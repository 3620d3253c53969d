/*
 * test_shingle.c — word k-shingling (tw__shingle) and exact Jaccard
 * (tw__jaccard_keys).
 *
 * Every later stage (MinHash, the boilerplate split, pair verification)
 * assumes a shingle set is duplicate-free and free of 0, and that equal
 * token sequences give equal sets; the set keeps each shingle where it
 * first occurs, which is checked against each window shingled alone.
 * Exact Jaccard is what finally decides whether two documents are
 * near-copies, so it is checked on hand-built sets and against a naive
 * reference, in any order.
 *
 * Tokens are built by hand over ASCII text (split on spaces), so this test
 * does not depend on the normalizer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "../tw_test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sketch/tw_sketch.h"

/* ------------------------------------------------------------ helpers */



#define MAX_TOK 4096

/* Splits an ASCII string on runs of spaces into tokens (byte ranges). */
static size_t split_words(const char *text, tw__token *tok)
{
    size_t n = 0, i = 0, len = strlen(text);
    while (i < len) {
        while (i < len && text[i] == ' ')
            i++;
        if (i >= len)
            break;
        size_t start = i;
        while (i < len && text[i] != ' ')
            i++;
        assert_true(n < MAX_TOK);
        tok[n++] = (tw__token){(uint32_t)start, (uint32_t)(i - start)};
    }
    return n;
}

/* A shingle set, owned by the caller (free with set_free). */
typedef struct fpset_copy {
    uint32_t *fp;
    size_t n;
} fpset_copy;

static fpset_copy shingle_text(const char *text, int k, uint64_t seed)
{
    static tw__token tok[MAX_TOK];
    size_t ntok = split_words(text, tok);
    tw__buf tokhash = {0}, table = {0}, out = {0};
    /* Poison the output buffer: tw__shingle must reset its length. */
    assert_int_equal(tw__buf_reserve(&out, 8, sizeof(uint32_t)), TW_OK);
    out.len = 8;
    assert_int_equal(tw__shingle((const uint8_t *)text, strlen(text), tok, ntok, k, seed, &tokhash,
                                 &table, &out),
                     TW_OK);
    fpset_copy c = {malloc((out.len ? out.len : 1) * sizeof(uint32_t)), out.len};
    assert_non_null(c.fp);
    if (out.len)
        memcpy(c.fp, out.data, out.len * sizeof(uint32_t));
    tw__buf_free(&tokhash);
    tw__buf_free(&table);
    tw__buf_free(&out);
    return c;
}

static void set_free(fpset_copy *c)
{
    free(c->fp);
    c->fp = NULL;
    c->n = 0;
}

/* A sorted copy of a set (free it). */
static uint32_t *sorted_copy(const fpset_copy *c)
{
    uint32_t *s = malloc((c->n + 1) * sizeof *s);
    assert_non_null(s);
    memcpy(s, c->fp, c->n * sizeof *s);
    qsort(s, c->n, sizeof *s, tw_test_cmp_u32);
    return s;
}

static void assert_valid_set(const fpset_copy *c)
{
    uint32_t *s = sorted_copy(c);
    for (size_t i = 0; i < c->n; i++) {
        assert_int_not_equal(s[i], 0);
        if (i > 0)
            assert_true(s[i - 1] < s[i]); /* duplicate-free */
    }
    free(s);
}

/* The same set, whatever the order. */
static int sets_equal(const fpset_copy *a, const fpset_copy *b)
{
    if (a->n != b->n)
        return 0;
    uint32_t *x = sorted_copy(a), *y = sorted_copy(b);
    int eq = a->n == 0 || memcmp(x, y, a->n * sizeof *x) == 0;
    free(x);
    free(y);
    return eq;
}

/* Builds a text of n words drawn from a vocabulary of `vocab` words "wN". */
static char *random_text(uint64_t *rng, size_t n, size_t vocab)
{
    char *s = malloc(n * 12 + 1);
    assert_non_null(s);
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        w += (size_t)sprintf(s + w, "%sw%u", i ? " " : "", (unsigned)rnd_below(rng, vocab));
    s[w] = 0;
    return s;
}

/* ------------------------------------------------------------- shingle */

static void test_random_sets_unique_nonzero(void **state)
{
    (void)state;
    uint64_t rng = 0x5EED0001;
    for (int iter = 0; iter < 300; iter++) {
        size_t n = 1 + rnd_below(&rng, 300);
        size_t vocab = 2 + rnd_below(&rng, 60);
        int k = 1 + (int)rnd_below(&rng, 8);
        uint64_t seed = splitmix64(&rng);
        char *text = random_text(&rng, n, vocab);
        fpset_copy c = shingle_text(text, k, seed);
        assert_valid_set(&c);
        size_t bound = n < (size_t)k ? 1 : n - (size_t)k + 1;
        assert_true(c.n >= 1);
        assert_true(c.n <= bound);
        set_free(&c);
        free(text);
    }
}

/* With this seed, the 1-shingle of the text "w" hashes to a 32-bit value
 * of 0 under the current hashing (found by brute force); the library must
 * still not emit 0, which marks empty slots in its hash sets. */
#define ZERO_HASH_SEED UINT64_C(7136572211)

static void test_zero_fingerprint_never_emitted(void **state)
{
    (void)state;
    fpset_copy c = shingle_text("w", 1, ZERO_HASH_SEED);
    assert_int_equal(c.n, 1);
    assert_int_not_equal(c.fp[0], 0);
    set_free(&c);
    c = shingle_text("w w w", 1, ZERO_HASH_SEED);
    assert_int_equal(c.n, 1);
    assert_int_not_equal(c.fp[0], 0);
    set_free(&c);
}

static void test_short_text_is_one_shingle(void **state)
{
    (void)state;
    const char *texts[] = {"alpha", "alpha beta", "alpha beta gamma", "a b c d e f g h i j k l m n o"};
    for (int k = 2; k <= 16; k++) {
        for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
            static tw__token tok[MAX_TOK];
            size_t n = split_words(texts[t], tok);
            if (n >= (size_t)k)
                continue;
            fpset_copy c = shingle_text(texts[t], k, 42);
            assert_int_equal(c.n, 1);
            assert_int_not_equal(c.fp[0], 0);
            set_free(&c);
        }
    }
    /* The one shingle depends on the words. */
    fpset_copy a = shingle_text("alpha beta", 4, 42), b = shingle_text("alpha gamma", 4, 42);
    assert_int_equal(a.n, 1);
    assert_int_equal(b.n, 1);
    assert_int_not_equal(a.fp[0], b.fp[0]);
    set_free(&a);
    set_free(&b);
}

static void test_empty_token_list_gives_empty_set(void **state)
{
    (void)state;
    fpset_copy c = shingle_text("", 4, 0);
    assert_int_equal(c.n, 0);
    set_free(&c);
    c = shingle_text("   ", 1, 0);
    assert_int_equal(c.n, 0);
    set_free(&c);
}

static void test_distinct_words_give_n_minus_k_plus_1(void **state)
{
    (void)state;
    char text[8192];
    for (int n = 1; n <= 200; n += 7) {
        size_t w = 0;
        for (int i = 0; i < n; i++)
            w += (size_t)sprintf(text + w, "%sword%d", i ? " " : "", i);
        for (int k = 1; k <= 16; k++) {
            fpset_copy c = shingle_text(text, k, 7);
            size_t expect = n < k ? 1 : (size_t)(n - k + 1);
            assert_int_equal(c.n, expect);
            assert_valid_set(&c);
            set_free(&c);
        }
    }
}

static void test_repeated_phrase_dedups(void **state)
{
    (void)state;
    /* Windows of "x y z x y z x y z" are xyz yzx zxy xyz yzx zxy xyz. */
    fpset_copy c = shingle_text("x y z x y z x y z", 3, 1);
    assert_int_equal(c.n, 3);
    set_free(&c);
    c = shingle_text("a a a a a a a a", 2, 1);
    assert_int_equal(c.n, 1);
    set_free(&c);
    /* A phrase repeated 20 times shingles like the phrase repeated twice. */
    char text[4096];
    size_t w = 0;
    for (int i = 0; i < 20; i++)
        w += (size_t)sprintf(text + w, "%sone two three four five", i ? " " : "");
    fpset_copy many = shingle_text(text, 4, 3);
    fpset_copy two = shingle_text("one two three four five one two three four five", 4, 3);
    assert_int_equal(many.n, 5);
    assert_true(sets_equal(&many, &two));
    set_free(&many);
    set_free(&two);
}

static void test_same_tokens_same_set_seed_changes_it(void **state)
{
    (void)state;
    /* Same words in the same order, different offsets and spacing. */
    fpset_copy a = shingle_text("the quick brown fox jumps over the lazy dog again", 3, 99);
    fpset_copy b = shingle_text("  the   quick brown  fox jumps over  the lazy dog     again ", 3, 99);
    assert_int_equal(a.n, 8);
    assert_true(sets_equal(&a, &b));
    /* Another seed: same count, different fingerprints. */
    fpset_copy c = shingle_text("the quick brown fox jumps over the lazy dog again", 3, 100);
    assert_int_equal(c.n, a.n);
    assert_false(sets_equal(&a, &c));
    tw__buf table = {0};
    size_t shared = 0;
    assert_int_equal(tw__keys_intersect(&table, a.fp, a.n, c.fp, c.n, 0, &shared), TW_OK);
    assert_true(shared <= 1);
    tw__buf_free(&table);
    /* Word order matters for k >= 2. */
    fpset_copy d = shingle_text("quick the brown fox", 2, 99);
    fpset_copy e = shingle_text("the quick brown fox", 2, 99);
    assert_false(sets_equal(&d, &e));
    set_free(&a);
    set_free(&b);
    set_free(&c);
    set_free(&d);
    set_free(&e);
}

static void test_k1_is_set_of_distinct_words(void **state)
{
    (void)state;
    uint64_t rng = 0x5EED0002;
    for (int iter = 0; iter < 50; iter++) {
        size_t vocab = 1 + rnd_below(&rng, 80);
        size_t n = 1 + rnd_below(&rng, 400);
        char *text = random_text(&rng, n, vocab);
        /* The distinct words, in vocabulary order, each once. */
        static tw__token tok[MAX_TOK];
        size_t ntok = split_words(text, tok);
        unsigned char seen[100] = {0};
        for (size_t i = 0; i < ntok; i++)
            seen[atoi(text + tok[i].off + 1)] = 1;
        char uniq[2048];
        size_t w = 0, distinct = 0;
        for (size_t v = 0; v < vocab; v++)
            if (seen[v]) {
                w += (size_t)sprintf(uniq + w, "%sw%u", distinct ? " " : "", (unsigned)v);
                distinct++;
            }
        uniq[w] = 0;
        uint64_t seed = splitmix64(&rng);
        fpset_copy a = shingle_text(text, 1, seed), b = shingle_text(uniq, 1, seed);
        assert_int_equal(a.n, distinct);
        assert_true(sets_equal(&a, &b));
        set_free(&a);
        set_free(&b);
        free(text);
    }
}

/* The set keeps each shingle where it first occurs: the text's windows,
 * each shingled alone (a text of k words is one shingle, the window's),
 * with repeats dropped, in order. */
static void test_first_occurrence_order(void **state)
{
    (void)state;
    uint64_t rng = 0x5EED0005;
    static tw__token tok[MAX_TOK];
    static uint32_t want[MAX_TOK];
    for (int iter = 0; iter < 60; iter++) {
        size_t n = 1 + rnd_below(&rng, 200);
        size_t vocab = 2 + rnd_below(&rng, 12); /* few words: many repeats */
        int k = 1 + (int)rnd_below(&rng, 5);
        uint64_t seed = splitmix64(&rng);
        char *text = random_text(&rng, n, vocab);
        size_t ntok = split_words(text, tok), m = 0;
        size_t windows = ntok < (size_t)k ? 1 : ntok - (size_t)k + 1;
        for (size_t i = 0; i < windows; i++) {
            size_t last = i + (size_t)k < ntok ? i + (size_t)k : ntok;
            size_t from = tok[i].off, to = tok[last - 1].off + tok[last - 1].len;
            char window[256];
            memcpy(window, text + from, to - from);
            window[to - from] = 0;
            fpset_copy one = shingle_text(window, k, seed);
            assert_int_equal(one.n, 1);
            int seen = 0;
            for (size_t j = 0; j < m; j++)
                seen |= want[j] == one.fp[0];
            if (!seen)
                want[m++] = one.fp[0];
            set_free(&one);
        }
        fpset_copy c = shingle_text(text, k, seed);
        assert_int_equal(c.n, m);
        assert_memory_equal(c.fp, want, m * sizeof *want);
        set_free(&c);
        free(text);
    }
}

/* ------------------------------------------------------------- jaccard */

/* Jaccard of x and y by the library, given in both orders and shuffled
 * (the sets are in any order); returns it. */
static tw__buf jaccard_table; /* freed by main */

static double jaccard(const uint32_t *x, size_t nx, const uint32_t *y, size_t ny)
{
    tw__buf *table = &jaccard_table;
    static uint64_t rng = 0x5EED0004;
    uint32_t *sx = malloc((nx + 1) * sizeof *sx), *sy = malloc((ny + 1) * sizeof *sy);
    assert_non_null(sx);
    assert_non_null(sy);
    if (nx)
        memcpy(sx, x, nx * sizeof *x);
    if (ny)
        memcpy(sy, y, ny * sizeof *y);
    tw_test_shuffle(&rng, sx, nx, sizeof *sx);
    tw_test_shuffle(&rng, sy, ny, sizeof *sy);
    double j1 = -1, j2 = -1;
    assert_int_equal(tw__jaccard_keys(table, x, nx, y, ny, &j1), TW_OK);
    assert_int_equal(tw__jaccard_keys(table, sy, ny, sx, nx, &j2), TW_OK);
    assert_true(j1 == j2);
    free(sx);
    free(sy);
    return j1;
}

static void test_jaccard_hand_built(void **state)
{
    (void)state;
    const uint32_t a[] = {1, 2, 3, 4}, b[] = {3, 4, 5, 6}, c[] = {10, 20, 30};
    const uint32_t big[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, half[] = {2, 4, 6, 8, 10};
    assert_true(jaccard(a, 4, c, 3) == 0.0);       /* disjoint */
    assert_true(jaccard(a, 4, a, 4) == 1.0);       /* equal */
    assert_true(jaccard(a, 4, b, 4) == 2.0 / 6.0); /* |A∩B| = 2, |A∪B| = 6 */
    assert_true(jaccard(big, 10, half, 5) == 0.5); /* subset: 5 of 10 */
    /* A={2,3,50}, B={3,50,60,70} → 2/5 */
    const uint32_t d[] = {2, 3, 50}, e[] = {3, 50, 60, 70};
    assert_true(jaccard(d, 3, e, 4) == 2.0 / 5.0);
    /* extremes of the 32-bit range */
    const uint32_t x[] = {1, 0x7FFFFFFFu, UINT32_MAX}, y[] = {0x7FFFFFFFu, UINT32_MAX};
    assert_true(jaccard(x, 3, y, 2) == 2.0 / 3.0);
    /* one empty set shares nothing; two empty ones are identical */
    assert_true(jaccard(a, 4, NULL, 0) == 0.0);
    assert_true(jaccard(NULL, 0, a, 4) == 0.0);
    assert_true(jaccard(NULL, 0, NULL, 0) == 1.0);
}

/* A duplicate-free random set of at most n nonzero values up to `range`,
 * in random order. */
static size_t random_set(uint64_t *rng, uint32_t *out, size_t n, uint32_t range)
{
    for (size_t i = 0; i < n; i++)
        out[i] = 1 + (uint32_t)rnd_below(rng, range);
    qsort(out, n, sizeof *out, tw_test_cmp_u32);
    size_t u = 0;
    for (size_t i = 0; i < n; i++)
        if (u == 0 || out[i] != out[u - 1])
            out[u++] = out[i];
    tw_test_shuffle(rng, out, u, sizeof *out);
    return u;
}

static void test_jaccard_matches_naive(void **state)
{
    (void)state;
    uint64_t rng = 0x5EED0003;
    static uint32_t a[600], b[600];
    for (int iter = 0; iter < 200; iter++) {
        uint32_t range = 1 + (uint32_t)rnd_below(&rng, 1000);
        size_t na = random_set(&rng, a, rnd_below(&rng, 600), range);
        size_t nb = random_set(&rng, b, rnd_below(&rng, 600), range);
        assert_true(jaccard(a, na, b, nb) == tw_test_naive_jaccard(a, na, b, nb));
    }
}

static uint64_t inverse64(uint64_t a) /* a odd: a * inverse = 1 mod 2^64 */
{
    uint64_t x = a;
    for (int i = 0; i < 6; i++)
        x *= 2 - a * x;
    return x;
}

/* The last word hash that makes window th[i, i + 4) hash to 0: the
 * avalanche undone (its xor-shifts are their own inverses, the multiply
 * has one), then the polynomial solved for its last term. */
static uint64_t word_for_zero(const uint64_t *th, uint64_t start, uint64_t high)
{
    uint64_t h = high << 32; /* the fingerprint is the low half: 0 */
    h ^= h >> 32;
    h *= inverse64(TW__AVALANCHE_MUL);
    h ^= h >> 37;
    uint64_t acc = start;
    for (int j = 0; j < 3; j++)
        acc = (acc + th[j]) * TW__WINDOW_MUL;
    return h * inverse64(TW__WINDOW_MUL) - acc;
}

/* Every instruction set's window hashes against the scalar loop, bit for
 * bit, on window counts around the vector width, with windows made to
 * hash to 0 (which must become 1) at random places. */
static void test_window_kernels_equal_scalar(void **state)
{
    (void)state;
    uint64_t rng = 31;
    uint64_t th[80];
    size_t zeros = 0;
    for (int isa = TW__ISA_SCALAR; isa <= (int)tw__isa_supported(); isa++) {
        tw__window4_fn k = tw__window4_for((tw__isa)isa);
        for (size_t nsh = 0; nsh <= 70; nsh++)
            for (int trial = 0; trial < 20; trial++) {
                for (size_t i = 0; i < nsh + 3; i++)
                    th[i] = splitmix64(&rng);
                uint64_t start = splitmix64(&rng);
                if (nsh && trial % 2) {
                    size_t at = (size_t)rnd_below(&rng, nsh);
                    th[at + 3] = word_for_zero(th + at, start, splitmix64(&rng));
                }
                uint32_t want[80], got[80];
                tw__window_hashes_scalar(th, nsh, 4, start, want);
                k(th, nsh, start, got);
                assert_memory_equal(got, want, nsh * sizeof got[0]);
                for (size_t i = 0; i < nsh; i++) {
                    assert_int_not_equal(got[i], 0);
                    zeros += isa == TW__ISA_SCALAR && got[i] == 1;
                }
            }
    }
    assert_true(zeros >= 300); /* the windows made to hash to 0 did */
}

/* Every instruction set's word hashes against the scalar loop, bit for
 * bit: words of 0 to 40 bytes (past 16, XXH3's), at every offset, up to
 * the text's last byte (where a 16-byte load would run past it), token
 * counts around the vector width. */
static void test_word_hash_kernels_equal_scalar(void **state)
{
    (void)state;
    uint64_t rng = 41;
    tw__token tok[64];
    uint64_t want[64], got[64];
    for (int trial = 0; trial < 4000; trial++) {
        size_t len = 1 + (size_t)rnd_below(&rng, 300);
        uint8_t *text = malloc(len); /* exactly: a read past it is a sanitizer error */
        assert_non_null(text);
        for (size_t i = 0; i < len; i++)
            text[i] = (uint8_t)splitmix64(&rng);
        size_t n = (size_t)rnd_below(&rng, 64);
        for (size_t i = 0; i < n; i++) {
            size_t wl = rnd_below(&rng, 8) ? (size_t)rnd_below(&rng, 17) : (size_t)rnd_below(&rng, 41);
            if (wl > len)
                wl = len;
            /* a quarter of the words end at the text's end */
            size_t off = rnd_below(&rng, 4) ? (size_t)rnd_below(&rng, len - wl + 1) : len - wl;
            tok[i] = (tw__token){(uint32_t)off, (uint32_t)wl};
        }
        uint64_t k1 = splitmix64(&rng), k2 = splitmix64(&rng), seed = splitmix64(&rng);
        tw__word_hashes_scalar(text, len, tok, n, k1, k2, seed, want);
        for (int isa = TW__ISA_SSE42; isa <= (int)tw__isa_supported(); isa++) {
            tw__word_hashes_for((tw__isa)isa)(text, len, tok, n, k1, k2, seed, got);
            assert_memory_equal(got, want, n * sizeof got[0]);
        }
        free(text);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_sets_unique_nonzero),
        cmocka_unit_test(test_window_kernels_equal_scalar),
        cmocka_unit_test(test_word_hash_kernels_equal_scalar),
        cmocka_unit_test(test_zero_fingerprint_never_emitted),
        cmocka_unit_test(test_short_text_is_one_shingle),
        cmocka_unit_test(test_empty_token_list_gives_empty_set),
        cmocka_unit_test(test_distinct_words_give_n_minus_k_plus_1),
        cmocka_unit_test(test_repeated_phrase_dedups),
        cmocka_unit_test(test_same_tokens_same_set_seed_changes_it),
        cmocka_unit_test(test_k1_is_set_of_distinct_words),
        cmocka_unit_test(test_first_occurrence_order),
        cmocka_unit_test(test_jaccard_hand_built),
        cmocka_unit_test(test_jaccard_matches_naive),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    tw__buf_free(&jaccard_table);
    return failed;
}
