/*
 * test_stem.c — the word-level helpers of story mode (tw_stem.c): light
 * stemming, the stopword list, name keys and the weekdays named in a lead.
 *
 * Story features are built from these, so a stemmer that treats two
 * spellings of one word differently, a stopword lookup that misses entries
 * (the list is binary-searched: one entry out of order hides others), or a
 * name key that splits كالين from قالن directly costs recall. All inputs
 * are NORMALIZED words (alef folded, ة→ه, ى→ي), as the pipeline passes
 * them. tw__lead_days reads tokens made by tw__tokenize with a real
 * normalization table (256 KiB, malloc'ed once for the run).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/tw_text.h"

static tw__norm_table *table;

static int setup(void **state)
{
    (void)state;
    table = malloc(sizeof *table);
    if (!table)
        return -1;
    return tw__norm_table_init(table, TW_NORM_DEFAULT) == TW_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    free(table);
    return 0;
}

/* ------------------------------------------------------------ stemming */

static void check_stem(const char *word, const char *want)
{
    size_t len = strlen(word);
    uint8_t out[512];
    memset(out, 0xAA, sizeof out);
    size_t n = tw__light_stem((const uint8_t *)word, len, out);
    if (n != strlen(want) || memcmp(out, want, n) != 0)
        fail_msg("stem(\"%s\") = \"%.*s\", want \"%s\"", word, (int)n, (const char *)out, want);
    assert_true(n <= len); /* never longer than the input */
}

static void test_stem_article_and_proclitics(void **state)
{
    (void)state;
    /* article with the conjunction / a preposition attached, then ه */
    check_stem("والمدينه", "مدين");
    check_stem("المدينه", "مدين");
    check_stem("مدينه", "مدين");
    check_stem("بالقاهره", "قاهر");
    check_stem("القاهره", "قاهر");
    check_stem("كالعاده", "عاد");
    check_stem("فالحكومه", "حكوم");
    /* لل (ل + the article) */
    check_stem("للسلام", "سلام");
    check_stem("السلام", "سلام");
    /* the conjunction alone */
    check_stem("ومفاوضات", "مفاوض");
}

static void test_stem_suffixes(void **state)
{
    (void)state;
    check_stem("المفاوضات", "مفاوض");
    check_stem("مفاوضات", "مفاوض");
    check_stem("المسلمون", "مسلم");
    check_stem("المسلمين", "مسلم");
    check_stem("الطرفان", "طرف");
    check_stem("حكومتها", "حكومت");
    check_stem("مصري", "مصر");
    check_stem("المصريه", "مصر"); /* ال, then the two-letter يه */
}

static void test_stem_single_clitics_kept(void **state)
{
    (void)state;
    /* ل ب ك ف alone are never stripped: لندن must stay لندن */
    check_stem("لندن", "لندن");
    check_stem("بلندن", "بلندن");
    check_stem("كتاب", "كتاب");
    check_stem("فرنسا", "فرنسا");
}

static void test_stem_short_words_untouched(void **state)
{
    (void)state;
    check_stem("في", "في");
    check_stem("من", "من");
    check_stem("ولد", "ولد"); /* و + 2 letters: too short to strip */
    check_stem("الي", "الي"); /* ال + 1 letter */
    check_stem("فيه", "فيه"); /* a final ه on three letters stays */
    check_stem("ايه", "ايه");
    check_stem("a", "a");
    check_stem("2025", "2025");
    check_stem("cmcc", "cmcc");
    check_stem("", "");
}

static void test_stem_suffix_guard(void **state)
{
    (void)state;
    /* two-letter suffixes need five letters, one-letter suffixes four:
     * at least three letters always remain */
    check_stem("بنات", "بنات");  /* 4 letters: ات kept */
    check_stem("سنوات", "سنو");  /* 5 letters: ات stripped, 3 left */
    check_stem("قريه", "قري");   /* 4 letters: ه stripped, 3 left */
    check_stem("الكتب", "كتب");  /* nothing to strip after the article */
    check_stem("البيت", "بيت");
    check_stem("الحيه", "حيه");  /* ال leaves 3: no suffix */
}

static void test_stem_long_word_unchanged(void **state)
{
    (void)state;
    /* 65 Arabic letters (130 bytes) starting with ال and ending in ات:
     * the stemmer would strip both if it looked at it */
    char word[256] = "ال";
    while (strlen(word) < 126)
        strcat(word, "م");
    strcat(word, "ات");
    size_t len = strlen(word);
    assert_int_equal(len, 130);
    uint8_t out[256];
    size_t n = tw__light_stem((const uint8_t *)word, len, out);
    assert_int_equal(n, len);
    assert_memory_equal(out, word, len);

    /* at exactly 128 bytes the word is still stemmed */
    char w128[256] = "ال";
    while (strlen(w128) < 124)
        strcat(w128, "م");
    strcat(w128, "ات");
    assert_int_equal(strlen(w128), 128);
    n = tw__light_stem((const uint8_t *)w128, 128, out);
    assert_int_equal(n, 128 - 8);
    assert_memory_equal(out, w128 + 4, n);

    /* a long ASCII token (a URL that escaped stripping) */
    char url[200];
    memset(url, 'x', sizeof url);
    n = tw__light_stem((const uint8_t *)url, sizeof url, out);
    assert_int_equal(n, sizeof url);
    assert_memory_equal(out, url, sizeof url);
}

/* ------------------------------------------------------------ stopwords */

/* The whole list, copied from tw_stem.c: every entry must be found, which
 * fails for entries hidden by a sort error in the binary search. */
static const char *const all_stopwords[] = {
    "ا", "اخر", "اذ", "اذا", "اضاف", "اضافت", "اكثر", "اكد", "اكدت", "ال", "الا", "التي",
    "الذي", "الذين", "الي", "اليوم", "ام", "امام", "امس", "ان", "انا", "انه", "انها", "انهم",
    "او", "اول", "اي", "ايضا", "اين", "ايه", "بان", "بانه", "بعد", "بعض", "بل", "به", "بها",
    "بهم", "بين", "تحت", "تكون", "تلك", "تم", "ثم", "جدا", "حتي", "حول", "حيث", "خلال", "دون",
    "ذا", "ذات", "ذلك", "زال", "سوف", "سيتم", "ضد", "ضمن", "عام", "عبر", "عدد", "عدم", "علي",
    "عليه", "عليها", "عليهم", "عن", "عند", "عندما", "غير", "فان", "فقد", "فقط", "فوق", "في",
    "فيه", "فيها", "فيهم", "قال", "قالت", "قبل", "قد", "كان", "كانت", "كانوا", "كل", "كما",
    "كيف", "لا", "لان", "لدي", "لقد", "لكن", "لم", "لما", "لن", "له", "لها", "لهم", "ما",
    "ماذا", "متي", "مثل", "مساء", "مع", "من", "منذ", "منه", "منها", "منهم", "نحن", "نحو",
    "هذا", "هذه", "هل", "هم", "هنا", "هناك", "هو", "هي", "وان", "وفق", "وفقا", "وقال",
    "وقالت", "وقد", "وكان", "وكانت", "ولا", "ولم", "وما", "ومن", "وهو", "وهي", "يتم", "يكون",
    "يمكن", "يوم",
};

static int is_stop(const char *w)
{
    return tw__is_stopword((const uint8_t *)w, strlen(w));
}

static void test_stopwords_every_entry(void **state)
{
    (void)state;
    size_t n = sizeof all_stopwords / sizeof all_stopwords[0];
    assert_int_equal(n, 138);
    for (size_t i = 0; i < n; i++)
        if (!is_stop(all_stopwords[i]))
            fail_msg("stopword %zu \"%s\" not found", i, all_stopwords[i]);
    /* first and last entries of the sorted list */
    assert_true(is_stop("ا"));
    assert_true(is_stop("يوم"));
}

static void test_stopwords_content_words(void **state)
{
    (void)state;
    static const char *const content[] = {
        "المفاوضات", "القاهره", "وزير", "سلام", "غزه", "حماس", "الرئيس", "معبر", "رفح",
        "اتفاق", "2025", "cmcc", "",
        /* near misses: prefixes, extensions and neighbours of entries */
        "عل", "فيهما", "يومي", "اليو", "اا", "ي", "ب", "وفقًا", "ايام", "يوما", "ءا",
    };
    for (size_t i = 0; i < sizeof content / sizeof content[0]; i++)
        if (is_stop(content[i]))
            fail_msg("\"%s\" taken for a stopword", content[i]);
    /* bytes below and above every entry */
    assert_false(tw__is_stopword((const uint8_t *)"\x01", 1));
    assert_false(tw__is_stopword((const uint8_t *)"\xF4\x8F\xBF\xBF", 4));
}

/* ------------------------------------------------------------ name keys */

static void name_key(const char *w, char *out)
{
    uint8_t buf[512];
    size_t n = tw__name_key((const uint8_t *)w, strlen(w), buf);
    assert_true(n <= strlen(w));
    memcpy(out, buf, n);
    out[n] = 0;
}

static void test_name_key_variants(void **state)
{
    (void)state;
    char a[512], b[512], c[512];
    name_key("كالين", a);
    name_key("قالن", b);
    name_key("قالين", c);
    assert_string_equal(a, "كلن");
    assert_string_equal(b, "كلن");
    assert_string_equal(c, "كلن");

    name_key("خلف", a);
    name_key("خلاف", b);
    assert_string_equal(a, "خلف");
    assert_string_equal(b, "خلف");

    /* a final ه is dropped, a leading vowel letter is kept */
    name_key("حمزه", a);
    assert_string_equal(a, "حمز");
    name_key("اردوغان", a);
    assert_string_equal(a, "اردغن");
    name_key("يوسف", a);
    assert_string_equal(a, "يسف");
    /* doubled letters collapse (also once vowels between them are gone) */
    name_key("مدد", a);
    assert_string_equal(a, "مد");
    name_key("ريري", a);
    assert_string_equal(a, "ر");
}

static void test_name_key_different_names(void **state)
{
    (void)state;
    char a[512], b[512];
    name_key("هاكان", a);
    name_key("فيدان", b);
    assert_string_not_equal(a, b);
    name_key("رشاد", a);
    name_key("قالن", b);
    assert_string_not_equal(a, b);
    name_key("نتنياهو", a);
    name_key("ترامب", b);
    assert_string_not_equal(a, b);
}

static void test_name_key_long_word_unchanged(void **state)
{
    (void)state;
    char word[256] = "";
    while (strlen(word) < 130)
        strcat(word, "قا");
    size_t len = strlen(word);
    uint8_t out[256];
    size_t n = tw__name_key((const uint8_t *)word, len, out);
    assert_int_equal(n, len);
    assert_memory_equal(out, word, len);
}

/* ---------------------------------------------------------- lead days */

static unsigned lead_days_of(const char *normalized)
{
    tw__buf toks = {0};
    assert_int_equal(tw__tokenize(table, (const uint8_t *)normalized, strlen(normalized), &toks),
                     TW_OK);
    unsigned m = tw__lead_days((const uint8_t *)normalized, toks.data, toks.len);
    tw__buf_free(&toks);
    return m;
}

static void test_lead_days_each_weekday(void **state)
{
    (void)state;
    static const char *const with_al[7] = {"الاحد", "الاثنين", "الثلاثاء", "الاربعاء",
                                           "الخميس", "الجمعه", "السبت"};
    static const char *const bare[7] = {"احد", "اثنين", "ثلاثاء", "اربعاء",
                                        "خميس", "جمعه", "سبت"};
    char text[256];
    for (int d = 0; d < 7; d++) {
        snprintf(text, sizeof text, "التقي الوزيران اليوم %s في القاهره", with_al[d]);
        assert_int_equal(lead_days_of(text), 1u << d);
        snprintf(text, sizeof text, "وصل الوفد امس و%s غادر", with_al[d]);
        assert_int_equal(lead_days_of(text), (1u << d) | (1u << 7));
        /* bare forms are other words too (احد "one", اثنين "two"): ignored */
        snprintf(text, sizeof text, "قال %s المسؤولين و%s", bare[d], bare[d]);
        assert_int_equal(lead_days_of(text), 0);
    }
}

static void test_lead_days_yesterday_and_mixes(void **state)
{
    (void)state;
    assert_int_equal(lead_days_of("قال الوزير امس ان المفاوضات مستمره"), 1u << 7);
    assert_int_equal(lead_days_of("وامس اعلن الجيش"), 1u << 7);
    assert_int_equal(lead_days_of("اجتماع الثلاثاء وزياره الخميس"), (1u << 2) | (1u << 4));
    assert_int_equal(lead_days_of("اعلنت الحكومه خطه جديده للاعمار"), 0);
    assert_int_equal(lead_days_of(""), 0);
    /* whole words only */
    assert_int_equal(lead_days_of("الاحدث والسبتي خميسه امسيه"), 0);
    /* a word that is only و */
    assert_int_equal(lead_days_of("و و"), 0);
}

static void test_lead_days_from_raw_text(void **state)
{
    (void)state;
    /* raw spelling: hamza, taa marbuta, punctuation — normalized first */
    const char *raw = "القاهرة – التقى الوزيران، يوم الأربعاء، في العاصمة المصرية.";
    tw__norm_work w = {0};
    assert_int_equal(tw__normalize(table, &w, (const uint8_t *)raw, strlen(raw), NULL), TW_OK);
    char *norm = malloc(w.out.len + 1);
    assert_non_null(norm);
    memcpy(norm, w.out.data, w.out.len);
    norm[w.out.len] = 0;
    assert_int_equal(lead_days_of(norm), 1u << 3);
    free(norm);
    tw__norm_work_free(&w);
}

static void test_lead_days_only_the_lead(void **state)
{
    (void)state;
    char text[2048] = "";
    /* 59 filler words, then الثلاثاء as word 60 (index 59): counted */
    for (int i = 0; i < 59; i++)
        strcat(text, "كلمه ");
    strcat(text, "الثلاثاء");
    assert_int_equal(lead_days_of(text), 1u << 2);
    /* 60 filler words, then the weekday as word 61: ignored */
    text[0] = 0;
    for (int i = 0; i < 60; i++)
        strcat(text, "كلمه ");
    strcat(text, "الثلاثاء امس");
    assert_int_equal(lead_days_of(text), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stem_article_and_proclitics),
        cmocka_unit_test(test_stem_suffixes),
        cmocka_unit_test(test_stem_single_clitics_kept),
        cmocka_unit_test(test_stem_short_words_untouched),
        cmocka_unit_test(test_stem_suffix_guard),
        cmocka_unit_test(test_stem_long_word_unchanged),
        cmocka_unit_test(test_stopwords_every_entry),
        cmocka_unit_test(test_stopwords_content_words),
        cmocka_unit_test(test_name_key_variants),
        cmocka_unit_test(test_name_key_different_names),
        cmocka_unit_test(test_name_key_long_word_unchanged),
        cmocka_unit_test(test_lead_days_each_weekday),
        cmocka_unit_test(test_lead_days_yesterday_and_mixes),
        cmocka_unit_test(test_lead_days_from_raw_text),
        cmocka_unit_test(test_lead_days_only_the_lead),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
