/*
 * test_tokenize.c — tw__tokenize, the split of normalized text into words.
 *
 * Shingles are built from these tokens, so a word boundary in the wrong
 * place changes every fingerprint of a document. The tokenizer is called
 * directly, on text that is already in normalized form (as the pipeline
 * calls it), with a table built by tw__norm_table_init for TW_NORM_DEFAULT.
 * Each case states the exact byte offset and length of every token, so a
 * token that is merged, split, shifted or truncated fails. Where a case
 * starts from raw Arabic punctuation, the text goes through tw__normalize
 * first with the same table. The table is 256 KiB, so it is malloc'ed once
 * for the whole run.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "text/tw_text.h"

static tw__norm_table *table;       /* TW_NORM_DEFAULT */
static tw__norm_table *table_marks; /* TW_NORM_DEFAULT without DIACRITICS */

static int setup(void **state)
{
    (void)state;
    table = malloc(sizeof *table);
    table_marks = malloc(sizeof *table_marks);
    if (!table || !table_marks)
        return -1;
    if (tw__norm_table_init(table, TW_NORM_DEFAULT) != TW_OK)
        return -1;
    if (tw__norm_table_init(table_marks, TW_NORM_DEFAULT & ~TW_NORM_DIACRITICS) != TW_OK)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(table);
    free(table_marks);
    return 0;
}

typedef struct want_tok {
    uint32_t off, len;
    const char *text; /* the bytes the token must cover */
} want_tok;

static void check_tokens_t(const tw__norm_table *t, const char *s, size_t len,
                           const want_tok *want, size_t nwant)
{
    tw__buf toks = {0};
    assert_int_equal(tw__tokenize(t, (const uint8_t *)s, len, &toks), TW_OK);
    const tw__token *tk = toks.data;
    if (toks.len != nwant) {
        for (size_t i = 0; i < toks.len; i++)
            print_message("  token %zu: off %u len %u \"%.*s\"\n", i, tk[i].off, tk[i].len,
                          (int)tk[i].len, s + tk[i].off);
        fail_msg("\"%.*s\": %zu tokens, want %zu", (int)len, s, toks.len, nwant);
    }
    for (size_t i = 0; i < nwant; i++) {
        assert_int_equal(tk[i].off, want[i].off);
        assert_int_equal(tk[i].len, want[i].len);
        assert_int_equal(strlen(want[i].text), want[i].len);
        assert_memory_equal(s + tk[i].off, want[i].text, want[i].len);
    }
    tw__buf_free(&toks);
}

#define TOKENS(str, ...)                                                                     \
    do {                                                                                 \
        static const want_tok want_[] = {__VA_ARGS__};                                   \
        check_tokens_t(table, str, sizeof(str) - 1, want_, sizeof want_ / sizeof want_[0]); \
    } while (0)

static void check_no_tokens(const char *s, size_t len)
{
    tw__buf toks = {0};
    assert_int_equal(tw__tokenize(table, (const uint8_t *)s, len, &toks), TW_OK);
    assert_int_equal(toks.len, 0);
    tw__buf_free(&toks);
}

/* ------------------------------------------------------------------ tests */

static void test_arabic_words_on_spaces(void **state)
{
    (void)state;
    /* كتب = 6 bytes, الولد = 10, الدرس = 10 (2 bytes a letter). */
    TOKENS("كتب الولد الدرس", {0, 6, "كتب"}, {7, 10, "الولد"}, {18, 10, "الدرس"});
    /* One word. */
    TOKENS("مرحبا", {0, 10, "مرحبا"});
    /* A line break separates like a space. */
    TOKENS("سطر\nاخر", {0, 6, "سطر"}, {7, 6, "اخر"});
}

static void test_ascii_punctuation_separates(void **state)
{
    (void)state;
    TOKENS("قال,ثم", {0, 6, "قال"}, {7, 4, "ثم"});
    TOKENS("قال.ثم", {0, 6, "قال"}, {7, 4, "ثم"});
    TOKENS("قال?ثم", {0, 6, "قال"}, {7, 4, "ثم"});
    TOKENS("قال!ثم", {0, 6, "قال"}, {7, 4, "ثم"});
    TOKENS("قال:ثم", {0, 6, "قال"}, {7, 4, "ثم"});
    TOKENS("قال;ثم", {0, 6, "قال"}, {7, 4, "ثم"});
    TOKENS("\"قال\"", {1, 6, "قال"});
    TOKENS("(قال)", {1, 6, "قال"});
    TOKENS("قال-ثم", {0, 6, "قال"}, {7, 4, "ثم"});
    TOKENS("قال/ثم", {0, 6, "قال"}, {7, 4, "ثم"});
    /* All of them in one sentence, with spaces. */
    TOKENS("قال: \"نعم\" (هنا) - او/لا; لماذا? هيا! تم, انتهي.",
           {0, 6, "قال"}, {9, 6, "نعم"}, {18, 6, "هنا"}, {28, 4, "او"}, {33, 4, "لا"},
           {39, 10, "لماذا"}, {51, 6, "هيا"}, {59, 4, "تم"}, {65, 10, "انتهي"});
}

static void test_arabic_punctuation_after_normalization(void **state)
{
    (void)state;
    /* ، ؛ ؟ « » — are folded to ASCII by normalization; the words between
     * them must come out as words. */
    static const char raw[] = "قال، ثم؛ هل؟ «نعم» — حسناً";
    tw__norm_work w = {0};
    assert_int_equal(tw__normalize(table, &w, (const uint8_t *)raw, sizeof raw - 1, NULL), TW_OK);
    static const char norm[] = "قال, ثم; هل? \"نعم\" - حسنا";
    assert_int_equal(w.out.len, sizeof norm - 1);
    assert_memory_equal(w.out.data, norm, sizeof norm - 1);
    static const want_tok want[] = {
        {0, 6, "قال"}, {8, 4, "ثم"}, {14, 4, "هل"}, {21, 6, "نعم"}, {31, 8, "حسنا"},
    };
    check_tokens_t(table, (const char *)w.out.data, w.out.len, want, 5);
    tw__norm_work_free(&w);

    /* Unfolded Arabic punctuation separates words too. */
    TOKENS("قال،ثم؟", {0, 6, "قال"}, {8, 4, "ثم"});
}

static void test_digits_are_words(void **state)
{
    (void)state;
    TOKENS("2026", {0, 4, "2026"});
    TOKENS("عام 2026 جديد", {0, 6, "عام"}, {7, 4, "2026"}, {12, 8, "جديد"});
    /* A number with a decimal point or a percent is split at the sign. */
    TOKENS("3.5%", {0, 1, "3"}, {2, 1, "5"});
    /* Arabic letters and digits with no space are one word. */
    TOKENS("عام2026", {0, 10, "عام2026"});
}

static void test_latin_and_mixed(void **state)
{
    (void)state;
    TOKENS("hello world", {0, 5, "hello"}, {6, 5, "world"});
    TOKENS("covid19", {0, 7, "covid19"});
    TOKENS("covid19 انتشر", {0, 7, "covid19"}, {8, 10, "انتشر"});
    TOKENS("covid-19", {0, 5, "covid"}, {6, 2, "19"});
    /* '_' and '@' are not word characters. */
    TOKENS("a_b@c", {0, 1, "a"}, {2, 1, "b"}, {4, 1, "c"});
    /* Accented Latin letters are letters. */
    TOKENS("\u00E9t\u00E9 ok", {0, 5, "\u00E9t\u00E9"}, {6, 2, "ok"});
}

static void test_emoji_separates(void **state)
{
    (void)state;
    /* U+1F600 (4 bytes) glued between two words. */
    TOKENS("مرحبا\U0001F600عالم", {0, 10, "مرحبا"}, {14, 8, "عالم"});
    check_no_tokens("\U0001F600\U0001F44D", 8);
    TOKENS("\U0001F600خبر\U0001F44D", {4, 6, "خبر"});
    /* A symbol from the BMP too. */
    TOKENS("خبر\u2605عاجل", {0, 6, "خبر"}, {9, 8, "عاجل"});
}

static void test_marks_stay_inside_words(void **state)
{
    (void)state;
    /* With diacritics kept (rule off), a marked word is still one word:
     * كَتَبَ is 6 code points, 12 bytes. */
    static const char s[] = "كَتَبَ الدرس";
    static const want_tok want[] = {{0, 12, "كَتَبَ"}, {13, 10, "الدرس"}};
    check_tokens_t(table_marks, s, sizeof s - 1, want, 2);
}

static void test_no_tokens(void **state)
{
    (void)state;
    check_no_tokens("", 0);
    check_no_tokens(" ", 1);
    check_no_tokens(" \n \n", 4);
    static const char punct[] = ",.?!:;\"()-/ ';%";
    check_no_tokens(punct, sizeof punct - 1);
    static const char mixed[] = "- , . \"\" () !! ?";
    check_no_tokens(mixed, sizeof mixed - 1);
}

static void test_tokens_buffer_is_reset(void **state)
{
    (void)state;
    /* The buffer is cleared on each call, not appended to. */
    tw__buf toks = {0};
    static const char a[] = "واحد اثنان ثلاثه";
    static const char b[] = "اربعه";
    assert_int_equal(tw__tokenize(table, (const uint8_t *)a, sizeof a - 1, &toks), TW_OK);
    assert_int_equal(toks.len, 3);
    assert_int_equal(tw__tokenize(table, (const uint8_t *)b, sizeof b - 1, &toks), TW_OK);
    assert_int_equal(toks.len, 1);
    assert_int_equal(((tw__token *)toks.data)[0].off, 0);
    assert_int_equal(((tw__token *)toks.data)[0].len, 10);
    assert_int_equal(tw__tokenize(table, (const uint8_t *)"", 0, &toks), TW_OK);
    assert_int_equal(toks.len, 0);
    tw__buf_free(&toks);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arabic_words_on_spaces),
        cmocka_unit_test(test_ascii_punctuation_separates),
        cmocka_unit_test(test_arabic_punctuation_after_normalization),
        cmocka_unit_test(test_digits_are_words),
        cmocka_unit_test(test_latin_and_mixed),
        cmocka_unit_test(test_emoji_separates),
        cmocka_unit_test(test_marks_stay_inside_words),
        cmocka_unit_test(test_no_tokens),
        cmocka_unit_test(test_tokens_buffer_is_reset),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
