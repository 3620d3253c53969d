/*
 * test_story_terms.c — tw__story_terms: the features a story is recognized
 * by (light-stemmed content words, numbers, names after a cue, gazetteer
 * entities), as a sorted list of (hash, raw weight).
 *
 * Story similarity is a cosine over these lists, merged by walking two
 * sorted arrays, so an unsorted or duplicated list silently loses shared
 * terms; a stopword that slips through links unrelated stories; a name
 * whose spellings (كالين / قالين) give different features splits one.
 * Texts are written in normalized form (as the pipeline passes them) and
 * tokenized with tw__tokenize; mentions are built by hand where the test is
 * about the terms, and come from tw__spot where it is about the pipeline.
 * The label callback of tw__story_terms_labeled tells which hashes are
 * names and which words they came from.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "sketch/tw_sketch.h"

#include "../tw_test_spot.h"

#define MAXL 64
typedef struct labels {
    size_t n;
    struct {
        uint32_t h;
        int is_name;
        char text[128];
    } l[MAXL];
} labels;

static void on_label(uint32_t h, const uint8_t *text, size_t len, int is_name, void *ctx)
{
    labels *L = ctx;
    if (L->n >= MAXL || len >= sizeof L->l[0].text)
        return;
    L->l[L->n].h = h;
    L->l[L->n].is_name = is_name;
    memcpy(L->l[L->n].text, text, len);
    L->l[L->n].text[len] = 0;
    L->n++;
}

/* Terms of a normalized text; title_end in bytes; mentions as given. */
static void terms_of(const char *text, size_t title_end, const tw__mention *men, size_t nmen,
                     tw__buf *out, labels *L)
{
    tw__buf toks = {0};
    assert_int_equal(tw__tokenize(table, (const uint8_t *)text, strlen(text), &toks), TW_OK);
    if (L) {
        memset(L, 0, sizeof *L);
        assert_int_equal(tw__story_terms_labeled((const uint8_t *)text, toks.data, toks.len,
                                                 title_end, men, nmen, 0, NULL, NULL, out, on_label, L),
                         TW_OK);
    } else {
        assert_int_equal(tw__story_terms((const uint8_t *)text, toks.data, toks.len, title_end,
                                         men, nmen, 0, out),
                         TW_OK);
    }
    tw__buf_free(&toks);
}

/* Mentions found by the real cue spotter. */
static size_t spot(const char *text, tw__mention *men, size_t cap)
{
    assert_int_equal(tw__spot(&cues, &cw, (const uint8_t *)text, strlen(text), NULL), TW_OK);
    assert_true(cw.mentions.len <= cap);
    memcpy(men, cw.mentions.data, cw.mentions.len * sizeof *men);
    return cw.mentions.len;
}

static void assert_sorted_unique(const tw__buf *b)
{
    const tw__term *t = b->data;
    for (size_t i = 0; i < b->len; i++) {
        assert_true(t[i].h != 0);
        assert_true(t[i].w > 0);
        if (i > 0 && !(t[i - 1].h < t[i].h))
            fail_msg("terms %zu and %zu out of order or equal: %u, %u", i - 1, i, t[i - 1].h,
                     t[i].h);
    }
}

static const tw__term *find(const tw__buf *b, uint32_t h)
{
    const tw__term *t = b->data;
    for (size_t i = 0; i < b->len; i++)
        if (t[i].h == h)
            return &t[i];
    return NULL;
}

/* The hash labelled with `word` (is_name as given); 0 if none. */
static uint32_t hash_of(const labels *L, const char *word, int is_name)
{
    for (size_t i = 0; i < L->n; i++)
        if (L->l[i].is_name == is_name && strcmp(L->l[i].text, word) == 0)
            return L->l[i].h;
    return 0;
}

static size_t count_names(const labels *L)
{
    size_t c = 0;
    for (size_t i = 0; i < L->n; i++)
        c += L->l[i].is_name;
    return c;
}

static void test_sorted_unique_merged(void **state)
{
    (void)state;
    tw__buf out = {0};
    /* المدينه, والمدينه and مدينه all stem to مدين: one term of weight 3 */
    terms_of("المدينه تحاصر غزه مدينه معبر غزه والمدينه حصار غزه", 0, NULL, 0, &out, NULL);
    assert_sorted_unique(&out);
    assert_int_equal(out.len, 5); /* مدين تحاصر غزه معبر حصار */
    float sum = 0;
    int threes = 0;
    for (size_t i = 0; i < out.len; i++) {
        float w = ((tw__term *)out.data)[i].w;
        sum += w;
        threes += w == 3.0f;
    }
    assert_true(sum == 9.0f);
    assert_int_equal(threes, 2);

    /* a longer text with many repeats stays sorted and unique */
    char text[8192] = "";
    static const char *const words[] = {"اتفاق", "هدنه", "اسري", "معبر", "رفح", "مساعدات",
                                        "شاحنات", "اعمار", "قطاع", "حكومه", "2025", "70"};
    for (int i = 0; i < 300; i++) {
        strcat(text, words[(i * 7) % 12]);
        strcat(text, " ");
    }
    terms_of(text, 0, NULL, 0, &out, NULL);
    assert_sorted_unique(&out);
    assert_int_equal(out.len, 12);
    sum = 0;
    for (size_t i = 0; i < out.len; i++)
        sum += ((tw__term *)out.data)[i].w;
    assert_true(sum == 300.0f);
    tw__buf_free(&out);
}

static void test_stopwords_and_short_words(void **state)
{
    (void)state;
    tw__buf out = {0};
    /* stopwords, stems that are stopwords (وهذا → هذا, وبعد → بعد),
     * single letters and single characters */
    terms_of("في من علي الذي قال ان هذا وهذا وبعد ومن و ب a 5 ,", 0, NULL, 0, &out, NULL);
    assert_int_equal(out.len, 0);
    /* the same function words around one content word leave that word */
    terms_of("قال الوزير في بيان ان", 0, NULL, 0, &out, NULL);
    assert_int_equal(out.len, 2); /* وزير, بيان */
    terms_of("", 0, NULL, 0, &out, NULL);
    assert_int_equal(out.len, 0);
    tw__buf_free(&out);
}

static void test_title_weighs_double(void **state)
{
    (void)state;
    tw__buf a = {0}, b = {0};
    labels L;
    const char *t = "حصار\nمعبر";
    terms_of(t, strlen("حصار\n"), NULL, 0, &a, &L);
    assert_int_equal(a.len, 2);
    const tw__term *title = find(&a, hash_of(&L, "حصار", 0));
    const tw__term *body = find(&a, hash_of(&L, "معبر", 0));
    assert_non_null(title);
    assert_non_null(body);
    assert_true(title->w == 2.0f);
    assert_true(body->w == 1.0f);
    /* a title word is the same feature as the body word: one term, 2 + 1 */
    terms_of("حصار\nحصار", strlen("حصار\n"), NULL, 0, &b, NULL);
    assert_int_equal(b.len, 1);
    assert_int_equal(((tw__term *)b.data)[0].h, title->h);
    assert_true(((tw__term *)b.data)[0].w == 3.0f);
    tw__buf_free(&a);
    tw__buf_free(&b);
}

static void test_numbers_are_terms(void **state)
{
    (void)state;
    tw__buf a = {0}, b = {0};
    labels La, Lb;
    terms_of("تكلفه الاعمار 70 مليار دولار في 2025", 0, NULL, 0, &a, &La);
    terms_of("70 مليار دولار لاعاده الاعمار عام 2025", 0, NULL, 0, &b, &Lb);
    uint32_t h70 = hash_of(&La, "70", 0), h2025 = hash_of(&La, "2025", 0);
    assert_true(h70 != 0 && h2025 != 0 && h70 != h2025);
    assert_int_equal(hash_of(&Lb, "70", 0), h70);
    assert_int_equal(hash_of(&Lb, "2025", 0), h2025);
    assert_non_null(find(&a, h70));
    assert_non_null(find(&b, h2025));
    /* a different number is a different term */
    terms_of("71", 0, NULL, 0, &b, &Lb);
    assert_int_equal(b.len, 1);
    assert_true(((tw__term *)b.data)[0].h != h70);
    tw__buf_free(&a);
    tw__buf_free(&b);
}

/* The name features a CUE mention adds: terms with it minus terms without. */
static size_t name_features(const char *text, uint32_t cue_end, uint32_t *out, size_t cap)
{
    tw__buf with = {0}, without = {0};
    tw__mention m = {TW__MENTION_CUE, cue_end, 0, 0};
    terms_of(text, 0, NULL, 0, &without, NULL);
    terms_of(text, 0, &m, 1, &with, NULL);
    assert_sorted_unique(&with);
    size_t n = 0;
    for (size_t i = 0; i < with.len; i++) {
        const tw__term *t = &((tw__term *)with.data)[i];
        const tw__term *o = find(&without, t->h);
        if (!o) {
            assert_true(t->w == 1.5f);
            assert_true(n < cap);
            out[n++] = t->h;
        } else {
            assert_true(o->w == t->w);
        }
    }
    assert_int_equal(with.len, without.len + n);
    tw__buf_free(&with);
    tw__buf_free(&without);
    return n;
}

static void test_cue_name_variants_share_a_feature(void **state)
{
    (void)state;
    /* normalized text: رئيس is spelled with ي after the hamza seat fold */
    uint32_t a[4], b[4], c[4];
    uint32_t end = (uint32_t)strlen("الرييس ");
    assert_int_equal(name_features("الرييس كالين في انقره", end, a, 4), 1);
    assert_int_equal(name_features("الرييس قالين في انقره", end, b, 4), 1);
    assert_int_equal(name_features("الرييس قالن في انقره", end, c, 4), 1);
    assert_int_equal(a[0], b[0]);
    assert_int_equal(a[0], c[0]);
    /* another name is another feature */
    assert_int_equal(name_features("الرييس فيدان في انقره", end, b, 4), 1);
    assert_true(a[0] != b[0]);
    /* two name words are taken */
    assert_int_equal(name_features("الرييس رجب اردوغان يصل", end, a, 4), 2);
    /* a cue at the end of the text names nobody */
    assert_int_equal(name_features("قال الرييس ", (uint32_t)strlen("قال الرييس "), a, 4), 0);
    assert_int_equal(name_features("قال الرييس", 4096, a, 4), 0);
}

static void test_descriptors_and_connectors_skipped(void **state)
{
    (void)state;
    tw__buf out = {0};
    labels L;
    tw__mention men[8];
    const char *t = "قال وزير الخارجيه التركي هاكان فيدان ان بلاده مستعده";
    size_t nm = spot(t, men, 8);
    assert_int_equal(nm, 1);
    assert_int_equal(men[0].end, strlen("قال وزير "));
    terms_of(t, 0, men, nm, &out, &L);
    assert_sorted_unique(&out);
    assert_int_equal(count_names(&L), 2);
    assert_true(hash_of(&L, "هاكان", 1) != 0);
    assert_true(hash_of(&L, "فيدان", 1) != 0);
    assert_int_equal(hash_of(&L, "الخارجيه", 1), 0);
    assert_int_equal(hash_of(&L, "التركي", 1), 0);
    assert_int_equal(hash_of(&L, "بلاده", 1), 0);
    /* the descriptors are still ordinary words */
    assert_true(hash_of(&L, "الخارجيه", 0) != 0);

    /* بن is part of a name, not a name; a stopword ends the name */
    t = "استقبل الشيخ محمد بن زايد الوفد";
    nm = spot(t, men, 8);
    assert_int_equal(nm, 1);
    terms_of(t, 0, men, nm, &out, &L);
    assert_int_equal(count_names(&L), 2);
    assert_true(hash_of(&L, "محمد", 1) != 0);
    assert_true(hash_of(&L, "زايد", 1) != 0);
    assert_int_equal(hash_of(&L, "بن", 1), 0);
    t = "استقبل الشيخ تميم في الدوحه";
    nm = spot(t, men, 8);
    terms_of(t, 0, men, nm, &out, &L);
    assert_int_equal(count_names(&L), 1);
    assert_true(hash_of(&L, "تميم", 1) != 0);
    tw__buf_free(&out);
}

static void test_gazetteer_and_latin_names(void **state)
{
    (void)state;
    tw__buf a = {0}, b = {0}, c = {0};
    /* a gazetteer mention is its entity, wherever it is */
    tw__mention ma = {TW__MENTION_GAZ, 10, 7, 4}, mb = {TW__MENTION_GAZ, 30, 7, 4},
                mc = {TW__MENTION_GAZ, 10, 8, 4};
    const char *t = "وصل الوفد الي القاهره امس لبحث الهدنه";
    terms_of(t, 0, NULL, 0, &c, NULL);
    size_t base = c.len;
    terms_of(t, 0, &ma, 1, &a, NULL);
    terms_of(t, 0, &mb, 1, &b, NULL);
    assert_int_equal(a.len, base + 1);
    assert_int_equal(b.len, base + 1);
    assert_memory_equal(a.data, b.data, a.len * sizeof(tw__term));
    terms_of(t, 0, &mc, 1, &c, NULL);
    assert_int_equal(c.len, base + 1);
    assert_memory_not_equal(a.data, c.data, a.len * sizeof(tw__term));
    /* two mentions of one entity: one feature, weights added */
    tw__mention two[2] = {ma, mb};
    terms_of(t, 0, two, 2, &c, NULL);
    assert_int_equal(c.len, base + 1);
    float sa = 0, sc = 0;
    for (size_t i = 0; i < a.len; i++) {
        sa += ((tw__term *)a.data)[i].w;
        sc += ((tw__term *)c.data)[i].w;
    }
    assert_true(sc - sa == 1.5f);

    /* a short Latin word (an acronym) is a word and a name */
    labels L;
    terms_of("مركز cmcc في كريات جات", 0, NULL, 0, &a, &L);
    assert_true(hash_of(&L, "cmcc", 0) != 0);
    assert_true(hash_of(&L, "cmcc", 1) != 0);
    assert_true(hash_of(&L, "cmcc", 0) != hash_of(&L, "cmcc", 1));
    tw__buf_free(&a);
    tw__buf_free(&b);
    tw__buf_free(&c);
}

/* The term cache remembers what a word gave: with it, cold or warm, and
 * after a change of seed, the terms are exactly those computed without it.
 * Its key is the word hash, so the words differ in every way a key could
 * miss: only in middle bytes, at every length around the hash's 8- and
 * 16-byte halves and beyond 16 bytes (XXH3's words), alike but for their
 * first or last letters; and of its 13,112 distinct words, 356 share a
 * slot of the direct-mapped table with another and evict it. */
static void put(char *text, size_t *len, const char *s)
{
    memcpy(text + *len, s, strlen(s));
    *len += strlen(s);
}

static void test_cache_changes_nothing(void **state)
{
    (void)state;
    static const char *const parts[] = {"ب", "ت", "ك", "م", "ن", "ال", "و", "a", "b", "7", "x"};
    static const char *const letters[] = {"ب", "ت", "ث", "ج", "ح", "خ", "د", "ر",
                                          "س", "ش", "ص", "ط", "ع", "غ", "ف", "ق"};
    const size_t np = sizeof parts / sizeof parts[0];
    size_t len = 0;
    char *text = malloc(4 << 20);
    assert_non_null(text);
    uint64_t r = 12345;
    for (int i = 0; i < 30000; i++) {
        r = r * 6364136223846793005ull + 1442695040888963407ull;
        /* a vocabulary of 6000 words, each met about five times */
        uint64_t word = (r >> 33) % 6000, x = word * 0x9E3779B97F4A7C15ull;
        size_t parts_in = 1 + (size_t)(word % 11);
        for (size_t k = 0; k < parts_in; k++, x = x * 6364136223846793005ull + 1)
            put(text, &len, parts[(x >> 40) % np]);
        /* 16-byte words alike but for their last three letters, then alike
         * but for their first three */
        put(text, &len, " مستشا");
        for (int k = 0; k < 3; k++)
            put(text, &len, letters[(word >> (4 * k)) & 15]);
        put(text, &len, " ");
        for (int k = 0; k < 3; k++)
            put(text, &len, letters[(word >> (4 * k)) & 15]);
        put(text, &len, "ستشار ");
        if (i == 40)
            put(text, &len, "في "); /* a stopword */
    }
    text[len] = 0;
    tw__buf toks = {0}, plain = {0}, cached = {0}, wh = {0};
    assert_int_equal(tw__tokenize(table, (const uint8_t *)text, len, &toks), TW_OK);
    tw__term_cache *c = NULL;
    assert_int_equal(tw__term_cache_create(&c), TW_OK);
    const uint64_t seeds[] = {0, 0, 99, 0};
    for (size_t si = 0; si < sizeof seeds / sizeof seeds[0]; si++) {
        assert_int_equal(tw__story_terms((const uint8_t *)text, toks.data, toks.len, 200, NULL, 0,
                                         seeds[si], &plain),
                         TW_OK);
        assert_int_equal(tw__buf_reserve(&wh, toks.len, sizeof(uint64_t)), TW_OK);
        tw__word_hashes_seeded((const uint8_t *)text, len, toks.data, toks.len, seeds[si], wh.data);
        assert_int_equal(tw__story_terms_labeled((const uint8_t *)text, toks.data, toks.len, 200,
                                                 NULL, 0, seeds[si], c, wh.data, &cached, NULL, NULL),
                         TW_OK);
        assert_true(plain.len > 1000);
        assert_int_equal(cached.len, plain.len);
        assert_memory_equal(cached.data, plain.data, plain.len * sizeof(tw__term));
    }
    tw__term_cache_free(c);
    tw__buf_free(&toks);
    tw__buf_free(&plain);
    tw__buf_free(&cached);
    tw__buf_free(&wh);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sorted_unique_merged),
        cmocka_unit_test(test_stopwords_and_short_words),
        cmocka_unit_test(test_title_weighs_double),
        cmocka_unit_test(test_numbers_are_terms),
        cmocka_unit_test(test_cue_name_variants_share_a_feature),
        cmocka_unit_test(test_descriptors_and_connectors_skipped),
        cmocka_unit_test(test_gazetteer_and_latin_names),
        cmocka_unit_test(test_cache_changes_nothing),
    };
    return cmocka_run_group_tests(tests, spot_setup, spot_teardown);
}
