/*
 * test_normalize.c — Arabic normalization through the public API
 * (tw_engine_create, tw_scratch_create, tw_normalize with strip = 0).
 *
 * Every rule of enum tw_norm_rule is tested on its own with golden
 * input → output pairs, and each pair is run a second time with only that
 * rule switched off (norm_rules = TW_NORM_DEFAULT & ~rule), so a test shows
 * both that the rule does its fold and that its switch really turns it off.
 * Going through the public API tests what callers get: the table, the
 * NFKC pass and the output loop together. Engines are built with
 * builtin_strip = 0 (stripping is not under test here) and cached per rule
 * set for the whole run, which keeps the executable fast. Invisible and
 * look-alike code points are written as \u escapes so the tests say exactly
 * which code point they feed in.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tawam.h"

/* ------------------------------------------------------------- harness */

#define MAX_ENGINES 32
static struct {
    unsigned rules;
    tw_engine *e;
    tw_scratch *s;
} cache[MAX_ENGINES];
static size_t ncache;

static tw_scratch *scratch_for(unsigned rules)
{
    for (size_t i = 0; i < ncache; i++)
        if (cache[i].rules == rules)
            return cache[i].s;
    assert_true(ncache < MAX_ENGINES);
    tw_config cfg;
    tw_config_default(&cfg);
    cfg.norm_rules = rules;
    cfg.builtin_strip = 0;
    char err[256];
    tw_engine *e = NULL;
    tw_scratch *s = NULL;
    assert_int_equal(tw_engine_create(&cfg, &e, err, sizeof err), TW_OK);
    assert_int_equal(tw_scratch_create(e, &s), TW_OK);
    cache[ncache].rules = rules;
    cache[ncache].e = e;
    cache[ncache].s = s;
    ncache++;
    return s;
}

static int teardown_all(void **state)
{
    (void)state;
    for (size_t i = 0; i < ncache; i++) {
        tw_scratch_free(cache[i].s);
        tw_engine_free(cache[i].e);
    }
    ncache = 0;
    return 0;
}

/* Normalizes with `rules` (no stripping) into a NUL-terminated buffer. */
static int norm_into(unsigned rules, const char *in, size_t len, char *buf, size_t cap,
                     tw_text_info *info)
{
    tw_scratch *s = scratch_for(rules);
    const char *out = NULL;
    size_t olen = 0;
    int rc = tw_normalize(s, in, len, 0, &out, &olen, info);
    if (rc)
        return rc;
    assert_true(olen < cap);
    if (olen)
        memcpy(buf, out, olen);
    buf[olen] = 0;
    return TW_OK;
}

static void check_norm_at(unsigned rules, const char *in, const char *want, const char *file,
                          int line)
{
    char got[4096];
    int rc = norm_into(rules, in, strlen(in), got, sizeof got, NULL);
    if (rc != TW_OK)
        fail_msg("%s:%d: tw_normalize returned %d (%s)", file, line, rc, tw_strerror(rc));
    if (strcmp(got, want) != 0) {
        char hex[3 * 512 + 1] = "";
        for (size_t i = 0; got[i] && i < 512; i++)
            sprintf(hex + 3 * i, "%02X ", (unsigned char)got[i]);
        fail_msg("%s:%d: rules 0x%X\n  input: \"%s\"\n  want:  \"%s\"\n  got:   \"%s\" [%s]", file,
                 line, rules, in, want, got, hex);
    }
}

/* in → want with every rule on; in → want_off with only `rule` off. */
#define CHECK(rules, in, want) check_norm_at((rules), (in), (want), __FILE__, __LINE__)
#define CHECK_RULE(rule, in, want, want_off)                                                  \
    do {                                                                                  \
        CHECK(TW_NORM_DEFAULT, in, want);                                                 \
        CHECK(TW_NORM_DEFAULT & ~(unsigned)(rule), in, want_off);                          \
    } while (0)

/* ----------------------------------------------------------------- nfkc */

static void test_nfkc(void **state)
{
    (void)state;
    /* ﻻ LAM-ALEF ligature, isolated form. */
    CHECK_RULE(TW_NORM_NFKC, "\uFEFB", "لا", "\uFEFB");
    /* ﺍ alef isolated, ﺑ beh initial. */
    CHECK_RULE(TW_NORM_NFKC, "\uFE8D", "ا", "\uFE8D");
    CHECK_RULE(TW_NORM_NFKC, "\uFE91", "ب", "\uFE91");
    /* ﺑﺎﺏ "باب" spelled in presentation forms, inside a sentence. */
    CHECK_RULE(TW_NORM_NFKC, "فتح \uFE91\uFE8E\uFE8F البيت", "فتح باب البيت",
               "فتح \uFE91\uFE8E\uFE8F البيت");
    /* ﷲ the word "الله" as one code point. */
    CHECK_RULE(TW_NORM_NFKC, "\uFDF2", "الله", "\uFDF2");
    /* Fullwidth Latin: NFKC makes it ASCII, then case folds it. Without
     * NFKC case folding still applies, to the fullwidth letter. */
    CHECK_RULE(TW_NORM_NFKC, "\uFF21", "a", "\uFF41");
    CHECK_RULE(TW_NORM_NFKC, "\uFF21\uFF22\uFF23 123", "abc 123", "\uFF41\uFF42\uFF43 123");
    /* Fullwidth digits become ASCII either way: NFKC maps them, and the
     * digits rule folds every decimal digit. */
    CHECK_RULE(TW_NORM_NFKC, "\uFF12\uFF10\uFF12\uFF16", "2026", "2026");
    /* Latin ligature ﬁ and superscript two are NFKC's alone. */
    CHECK_RULE(TW_NORM_NFKC, "\uFB01le", "file", "\uFB01le");
    CHECK_RULE(TW_NORM_NFKC, "m\u00B2", "m2", "m\u00B2");
}

static void test_nfkc_presentation_forms_with_diacritics(void **state)
{
    (void)state;
    /* ﻛَﺘَﺐَ: presentation forms of ك ت ب each carrying a fatha. NFKC
     * must turn the forms into letters; the marks are then dropped. With
     * NFKC off the marks still go but the forms stay. */
    CHECK_RULE(TW_NORM_NFKC, "\uFEDB\u064E\uFE98\u064E\uFE90\u064E", "كتب",
               "\uFEDB\uFE98\uFE90");
    /* ﻻ with a shadda and a fatha on it (as in the word "الَّا"). */
    CHECK(TW_NORM_DEFAULT, "ا\uFEFB\u0651\u064E", "الا");
}

static void test_decomposed_hamza(void **state)
{
    (void)state;
    /* ا + U+0654 HAMZA ABOVE is canonically أ: the two spellings must
     * normalize alike. */
    CHECK(TW_NORM_DEFAULT, "ا\u0654حمد", "احمد");
    CHECK(TW_NORM_DEFAULT, "أحمد", "احمد");
    /* With the alef fold off, NFKC composes the pair into أ... */
    CHECK(TW_NORM_DEFAULT & ~TW_NORM_ALEF, "ا\u0654حمد", "أحمد");
    CHECK(TW_NORM_DEFAULT & ~TW_NORM_ALEF, "أحمد", "أحمد");
    /* ...and without NFKC the mark is only dropped as a diacritic. */
    CHECK(TW_NORM_DEFAULT & ~TW_NORM_ALEF & ~TW_NORM_NFKC, "ا\u0654حمد", "احمد");
    /* The same for the hamza seats: و + ٔ is ؤ, ي + ٔ is ئ. */
    CHECK(TW_NORM_DEFAULT, "مو\u0654تمر", "موتمر");
    CHECK(TW_NORM_DEFAULT & ~TW_NORM_HAMZA_SEATS, "مو\u0654تمر", "مؤتمر");
    CHECK(TW_NORM_DEFAULT & ~TW_NORM_HAMZA_SEATS, "ري\u0654يس", "رئيس");
    /* ا + U+0655 HAMZA BELOW is إ. */
    CHECK(TW_NORM_DEFAULT & ~TW_NORM_ALEF, "ا\u0655سلام", "إسلام");
}

/* ----------------------------------------------------------- diacritics */

static void test_diacritics_range_ends(void **state)
{
    (void)state;
    /* First and last code point of each range, between two letters. */
    CHECK_RULE(TW_NORM_DIACRITICS, "ب\u0610ت", "بت", "ب\u0610ت");
    CHECK_RULE(TW_NORM_DIACRITICS, "ب\u061Aت", "بت", "ب\u061Aت");
    CHECK_RULE(TW_NORM_DIACRITICS, "ب\u064Bت", "بت", "ب\u064Bت");
    CHECK_RULE(TW_NORM_DIACRITICS, "ب\u065Fت", "بت", "ب\u065Fت");
    CHECK_RULE(TW_NORM_DIACRITICS, "ب\u0670ت", "بت", "ب\u0670ت");
    CHECK_RULE(TW_NORM_DIACRITICS, "ب\u06D6ت", "بت", "ب\u06D6ت");
    CHECK_RULE(TW_NORM_DIACRITICS, "ب\u06EDت", "بت", "ب\u06EDت");
}

static void test_diacritics_neighbours_kept(void **state)
{
    (void)state;
    /* Just outside the ranges: U+060F ARABIC SIGN MISRA and U+06EE ARABIC
     * LETTER DAL WITH INVERTED V are not diacritics and stay. */
    CHECK(TW_NORM_DEFAULT, "ب\u060Fت", "ب\u060Fت");
    CHECK(TW_NORM_DEFAULT, "ب\u06EEت", "ب\u06EEت");
}

static void test_diacritics_words(void **state)
{
    (void)state;
    /* Fatha, shadda, tanween, sukun, kasra, damma in ordinary words. */
    CHECK_RULE(TW_NORM_DIACRITICS, "كَتَبَ", "كتب", "كَتَبَ");
    CHECK_RULE(TW_NORM_DIACRITICS, "محمّد", "محمد", "محمّد");
    CHECK_RULE(TW_NORM_DIACRITICS, "شكراً جزيلاً", "شكرا جزيلا", "شكراً جزيلاً");
    CHECK_RULE(TW_NORM_DIACRITICS, "مِنْ بُيُوتِ", "من بيوت", "مِنْ بُيُوتِ");
}

/* -------------------------------------------------------------- tatweel */

static void test_tatweel(void **state)
{
    (void)state;
    CHECK_RULE(TW_NORM_TATWEEL, "كـــتاب", "كتاب", "كـــتاب");
    CHECK_RULE(TW_NORM_TATWEEL, "\u0640", "", "\u0640");
    CHECK_RULE(TW_NORM_TATWEEL, "جمـيل جـداً", "جميل جدا", "جمـيل جـدا");
}

/* ------------------------------------------------------------- controls */

static void test_controls(void **state)
{
    (void)state;
    static const char *const ctl[] = {
        "\u200B", "\u200C", "\u200D", "\u200E", "\u200F",           /* zero-width, LRM, RLM */
        "\u202A", "\u202B", "\u202C", "\u202D", "\u202E",           /* bidi embeddings */
        "\u2066", "\u2067", "\u2068", "\u2069",                     /* bidi isolates */
        "\u061C", "\uFEFF", "\u00AD",                               /* ALM, BOM, soft hyphen */
    };
    for (size_t i = 0; i < sizeof ctl / sizeof ctl[0]; i++) {
        char in[64];
        snprintf(in, sizeof in, "كت%sاب", ctl[i]);
        CHECK_RULE(TW_NORM_CONTROLS, in, "كتاب", in);
    }
    /* At the edges of a text too (a BOM in front is the common case). */
    CHECK_RULE(TW_NORM_CONTROLS, "\uFEFFخبر\u200F", "خبر", "\uFEFFخبر\u200F");
    /* Other C0 controls are word breaks. */
    CHECK_RULE(TW_NORM_CONTROLS, "خبر\x01عاجل", "خبر عاجل", "خبر\x01عاجل");
}

/* ----------------------------------------------------------------- alef */

static void test_alef(void **state)
{
    (void)state;
    CHECK_RULE(TW_NORM_ALEF, "أ", "ا", "أ");
    CHECK_RULE(TW_NORM_ALEF, "إ", "ا", "إ");
    CHECK_RULE(TW_NORM_ALEF, "آ", "ا", "آ");
    CHECK_RULE(TW_NORM_ALEF, "ٱ", "ا", "ٱ");
    CHECK_RULE(TW_NORM_ALEF, "\u0672\u0673", "اا", "\u0672\u0673");
    CHECK_RULE(TW_NORM_ALEF, "أمس إنه آخر ٱلأيام", "امس انه اخر الايام",
               "أمس إنه آخر ٱلأيام");
}

/* ------------------------------------------------------------------ yaa */

static void test_yaa(void **state)
{
    (void)state;
    CHECK_RULE(TW_NORM_YAA, "ى", "ي", "ى");
    CHECK_RULE(TW_NORM_YAA, "مستشفى على", "مستشفي علي", "مستشفى على");
    /* ي itself is untouched either way. */
    CHECK_RULE(TW_NORM_YAA, "في", "في", "في");
}

/* ---------------------------------------------------------- taa-marbuta */

static void test_taa_marbuta(void **state)
{
    (void)state;
    CHECK_RULE(TW_NORM_TAA_MARBUTA, "ة", "ه", "ة");
    CHECK_RULE(TW_NORM_TAA_MARBUTA, "مدرسة جميلة", "مدرسه جميله", "مدرسة جميلة");
    /* Urdu ۃ goes to ة through the Persian fold, and on to ه only when the
     * taa-marbuta rule is on. */
    CHECK_RULE(TW_NORM_TAA_MARBUTA, "\u06C3", "ه", "ة");
}

/* ---------------------------------------------------------- hamza-seats */

static void test_hamza_seats(void **state)
{
    (void)state;
    CHECK_RULE(TW_NORM_HAMZA_SEATS, "ؤ", "و", "ؤ");
    CHECK_RULE(TW_NORM_HAMZA_SEATS, "ئ", "ي", "ئ");
    CHECK_RULE(TW_NORM_HAMZA_SEATS, "مؤتمر رئيس", "موتمر رييس", "مؤتمر رئيس");
    /* The bare hamza ء is not on a seat and stays. */
    CHECK_RULE(TW_NORM_HAMZA_SEATS, "سماء", "سماء", "سماء");
}

/* --------------------------------------------------------------- digits */

static void test_digits(void **state)
{
    (void)state;
    CHECK_RULE(TW_NORM_DIGITS, "٠١٢٣٤٥٦٧٨٩", "0123456789", "٠١٢٣٤٥٦٧٨٩");
    CHECK_RULE(TW_NORM_DIGITS, "۰۱۲۳۴۵۶۷۸۹", "0123456789", "۰۱۲۳۴۵۶۷۸۹");
    CHECK_RULE(TW_NORM_DIGITS, "عام ٢٠٢٦ م", "عام 2026 م", "عام ٢٠٢٦ م");
    /* ASCII digits are untouched either way. */
    CHECK_RULE(TW_NORM_DIGITS, "2026", "2026", "2026");
}

/* -------------------------------------------------------------- persian */

static void test_persian(void **state)
{
    (void)state;
    CHECK_RULE(TW_NORM_PERSIAN, "ک", "ك", "ک");
    CHECK_RULE(TW_NORM_PERSIAN, "ی", "ي", "ی");
    CHECK_RULE(TW_NORM_PERSIAN, "ے", "ي", "ے");
    CHECK_RULE(TW_NORM_PERSIAN, "ھ", "ه", "ھ");
    CHECK_RULE(TW_NORM_PERSIAN, "ہ", "ه", "ہ");
    CHECK_RULE(TW_NORM_PERSIAN, "ۀ", "ه", "ۀ");
    CHECK_RULE(TW_NORM_PERSIAN, "ە", "ه", "ە");
    CHECK_RULE(TW_NORM_PERSIAN, "پ", "ب", "پ");
    CHECK_RULE(TW_NORM_PERSIAN, "چ", "ج", "چ");
    CHECK_RULE(TW_NORM_PERSIAN, "ژ", "ز", "ژ");
    CHECK_RULE(TW_NORM_PERSIAN, "ڤ", "ف", "ڤ");
    CHECK_RULE(TW_NORM_PERSIAN, "گ", "ك", "گ");
    /* Names spelled both ways meet: ڤيينا / فيينا, کتاب / كتاب. */
    CHECK_RULE(TW_NORM_PERSIAN, "ڤيينا کتاب", "فيينا كتاب", "ڤيينا کتاب");
}

/* ----------------------------------------------------------------- case */

static void test_case(void **state)
{
    (void)state;
    CHECK_RULE(TW_NORM_CASE, "Reuters AFP", "reuters afp", "Reuters AFP");
    CHECK_RULE(TW_NORM_CASE, "\u00C9t\u00C9", "\u00E9t\u00E9", "\u00C9t\u00C9"); /* ÉtÉ */
    CHECK_RULE(TW_NORM_CASE, "ΣΟΦΙΑ", "σοφια", "ΣΟΦΙΑ");
    /* Decomposed É: NFKC composes it, then it folds. */
    CHECK_RULE(TW_NORM_CASE, "E\u0301", "\u00E9", "\u00C9");
    /* Arabic has no case: untouched either way. */
    CHECK_RULE(TW_NORM_CASE, "خبر", "خبر", "خبر");
}

/* --------------------------------------------------------------- spaces */

static void test_spaces_unicode(void **state)
{
    (void)state;
    /* NBSP, EM SPACE and IDEOGRAPHIC SPACE: with SPACES off NFKC still maps
     * them to an ASCII space, but a run is no longer collapsed. */
    CHECK_RULE(TW_NORM_SPACES, "خبر\u00A0عاجل", "خبر عاجل", "خبر عاجل");
    CHECK_RULE(TW_NORM_SPACES, "خبر\u2003عاجل", "خبر عاجل", "خبر عاجل");
    CHECK_RULE(TW_NORM_SPACES, "خبر\u3000عاجل", "خبر عاجل", "خبر عاجل");
    CHECK_RULE(TW_NORM_SPACES, "خبر\u00A0\u2003 عاجل", "خبر عاجل", "خبر   عاجل");
    /* With NFKC off too, SPACES alone decides. */
    CHECK(TW_NORM_DEFAULT & ~TW_NORM_NFKC, "خبر\u00A0\u3000عاجل", "خبر عاجل");
    CHECK(TW_NORM_DEFAULT & ~TW_NORM_NFKC & ~TW_NORM_SPACES, "خبر\u00A0\u3000عاجل",
          "خبر\u00A0\u3000عاجل");
}

static void test_spaces_runs_tabs(void **state)
{
    (void)state;
    CHECK_RULE(TW_NORM_SPACES, "خبر\tعاجل", "خبر عاجل", "خبر\tعاجل");
    CHECK_RULE(TW_NORM_SPACES, "خبر  \t  عاجل", "خبر عاجل", "خبر  \t  عاجل");
    CHECK_RULE(TW_NORM_SPACES, "a    b", "a b", "a    b");
}

static void test_spaces_line_breaks(void **state)
{
    (void)state;
    CHECK_RULE(TW_NORM_SPACES, "سطر\r\nاخر", "سطر\nاخر", "سطر\r\nاخر");
    CHECK_RULE(TW_NORM_SPACES, "سطر\u2028اخر", "سطر\nاخر", "سطر\u2028اخر");
    CHECK_RULE(TW_NORM_SPACES, "سطر\rاخر", "سطر\nاخر", "سطر\rاخر");
    /* Spaces around a line break go. */
    CHECK_RULE(TW_NORM_SPACES, "سطر  \n  اخر", "سطر\nاخر", "سطر  \n  اخر");
    /* At most one blank line. */
    CHECK_RULE(TW_NORM_SPACES, "سطر\n\n\n\nاخر", "سطر\n\nاخر", "سطر\n\n\n\nاخر");
    CHECK(TW_NORM_DEFAULT, "سطر\r\n\r\n\r\n\r\nاخر", "سطر\n\nاخر");
    CHECK(TW_NORM_DEFAULT, "سطر\n \n\t\n \nاخر", "سطر\n\nاخر");
    CHECK(TW_NORM_DEFAULT, "سطر\n\nاخر", "سطر\n\nاخر");
}

static void test_spaces_trim(void **state)
{
    (void)state;
    CHECK(TW_NORM_DEFAULT, "   خبر عاجل   ", "خبر عاجل");
    CHECK(TW_NORM_DEFAULT, "\n\n \t\u00A0خبر\n\n\n ", "خبر");
    CHECK(TW_NORM_DEFAULT, " \n\t\u3000\r\n ", "");
}

/* ---------------------------------------------------------------- punct */

static void test_punct(void **state)
{
    (void)state;
    CHECK_RULE(TW_NORM_PUNCT, "،", ",", "،");
    CHECK_RULE(TW_NORM_PUNCT, "؛", ";", "؛");
    CHECK_RULE(TW_NORM_PUNCT, "؟", "?", "؟");
    CHECK_RULE(TW_NORM_PUNCT, "٪", "%", "٪");
    CHECK_RULE(TW_NORM_PUNCT, "«»", "\"\"", "«»");
    CHECK_RULE(TW_NORM_PUNCT, "\u201C\u201D", "\"\"", "\u201C\u201D");
    CHECK_RULE(TW_NORM_PUNCT, "\u2013\u2014", "--", "\u2013\u2014");
    CHECK_RULE(TW_NORM_PUNCT, "قال «نعم»، ثم سأل: لماذا؟ نسبة ٥٠٪ — تقريباً",
               "قال \"نعم\", ثم سال: لماذا? نسبه 50% - تقريبا",
               "قال «نعم»، ثم سال: لماذا؟ نسبه 50٪ — تقريبا");
}

/* ---------------------------------------------------------- invalid UTF-8 */

static void test_invalid_utf8_repaired(void **state)
{
    (void)state;
    /* A stray 0xFF between two words, a truncated 2-byte lead before the
     * next Arabic letter, and a lone continuation byte. */
    static const char in[] = "كتب\xFF" "قلم الخبر\xC3" "العاجل\x80" "اليوم";
    char got[256];
    tw_text_info info;
    memset(&info, 0xFF, sizeof info);
    assert_int_equal(norm_into(TW_NORM_DEFAULT, in, sizeof in - 1, got, sizeof got, &info), TW_OK);
    assert_string_equal(got, "كتب قلم الخبر العاجل اليوم");
    assert_int_equal(info.invalid_utf8, 3);
    assert_int_equal(info.stripped_bytes, 0);
    assert_int_equal(info.tokens, 5);
}

static void test_invalid_utf8_too_much(void **state)
{
    (void)state;
    char got[64];
    tw_text_info info;
    /* 1 bad byte in 3: more than a quarter. */
    assert_int_equal(norm_into(TW_NORM_DEFAULT, "ab\xFF", 3, got, sizeof got, &info), TW_EUTF8);
    /* 2 bad bytes in 4. */
    assert_int_equal(norm_into(TW_NORM_DEFAULT, "\xFE\xFF" "ab", 4, got, sizeof got, &info),
                     TW_EUTF8);
    /* A truncated 3-byte sequence counts its 2 bytes: 2 in 5. */
    assert_int_equal(norm_into(TW_NORM_DEFAULT, "abc\xE2\x82", 5, got, sizeof got, &info),
                     TW_EUTF8);
    /* Exactly a quarter is still repaired. */
    assert_int_equal(norm_into(TW_NORM_DEFAULT, "abc\xFF", 4, got, sizeof got, &info), TW_OK);
    assert_string_equal(got, "abc");
    assert_int_equal(info.invalid_utf8, 1);
    /* 2 bad bytes in 8 (one sequence). */
    assert_int_equal(norm_into(TW_NORM_DEFAULT, "ab\xE2\x82" "cdef", 8, got, sizeof got, &info),
                     TW_OK);
    assert_string_equal(got, "ab cdef");
    assert_int_equal(info.invalid_utf8, 1);
}

/* ------------------------------------------------------------------ misc */

static void test_empty_input(void **state)
{
    (void)state;
    tw_scratch *s = scratch_for(TW_NORM_DEFAULT);
    const char *out = NULL;
    size_t olen = 99;
    tw_text_info info;
    memset(&info, 0xFF, sizeof info);
    assert_int_equal(tw_normalize(s, "", 0, 0, &out, &olen, &info), TW_OK);
    assert_int_equal(olen, 0);
    assert_non_null(out);
    assert_int_equal(info.invalid_utf8, 0);
    assert_int_equal(info.stripped_bytes, 0);
    assert_int_equal(info.tokens, 0);
    /* NULL text with length 0 is the empty text; NULL with a length is not. */
    olen = 99;
    assert_int_equal(tw_normalize(s, NULL, 0, 0, &out, &olen, NULL), TW_OK);
    assert_int_equal(olen, 0);
    assert_int_equal(tw_normalize(s, NULL, 3, 0, &out, &olen, NULL), TW_EINVAL);
}

static void test_rule_names(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        unsigned bit;
    } names[] = {
        {"nfkc", TW_NORM_NFKC},
        {"diacritics", TW_NORM_DIACRITICS},
        {"tatweel", TW_NORM_TATWEEL},
        {"controls", TW_NORM_CONTROLS},
        {"alef", TW_NORM_ALEF},
        {"yaa", TW_NORM_YAA},
        {"taa-marbuta", TW_NORM_TAA_MARBUTA},
        {"hamza-seats", TW_NORM_HAMZA_SEATS},
        {"digits", TW_NORM_DIGITS},
        {"persian", TW_NORM_PERSIAN},
        {"case", TW_NORM_CASE},
        {"spaces", TW_NORM_SPACES},
        {"punct", TW_NORM_PUNCT},
    };
    unsigned all = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        assert_int_equal(tw_norm_rule_from_name(names[i].name), names[i].bit);
        assert_non_null(tw_norm_rule_name(names[i].bit));
        assert_string_equal(tw_norm_rule_name(names[i].bit), names[i].name);
        all |= names[i].bit;
    }
    assert_int_equal(all, TW_NORM_ALL); /* the 13 names cover every rule */
    assert_int_equal(tw_norm_rule_from_name("unknown"), 0);
    assert_int_equal(tw_norm_rule_from_name(""), 0);
    assert_int_equal(tw_norm_rule_from_name("NFKC"), 0);
    assert_int_equal(tw_norm_rule_from_name("taa_marbuta"), 0);
    assert_int_equal(tw_norm_rule_from_name(NULL), 0);
    assert_null(tw_norm_rule_name(0));
    assert_null(tw_norm_rule_name(1u << 13));
    assert_null(tw_norm_rule_name(TW_NORM_ALEF | TW_NORM_YAA));
    assert_null(tw_norm_rule_name(TW_NORM_ALL));
}

static void test_idempotent(void **state)
{
    (void)state;
    static const char para[] =
        "\uFEFFأعلنت الشركةُ «تِقنية» يوم ٢٥ مارس ٢٠٢٦ عن إطلاق منصة AI جديدة،"
        " وقال المديـــر: «سنصل إلى ١٠٠٠ عميل».\r\n\r\n\r\n"
        "  السعر ۱۵٪ فقط — COVID-19 لا يؤثر!\u00A0 \uFEFB شك\t\u200Fفي ذلك  ";
    static const char want[] =
        "اعلنت الشركه \"تقنيه\" يوم 25 مارس 2026 عن اطلاق منصه ai جديده,"
        " وقال المدير: \"سنصل الي 1000 عميل\".\n\n"
        "السعر 15% فقط - covid-19 لا يوثر! لا شك في ذلك";
    char once[1024], twice[1024];
    assert_int_equal(norm_into(TW_NORM_DEFAULT, para, sizeof para - 1, once, sizeof once, NULL),
                     TW_OK);
    assert_string_equal(once, want);
    assert_int_equal(norm_into(TW_NORM_DEFAULT, once, strlen(once), twice, sizeof twice, NULL),
                     TW_OK);
    assert_string_equal(twice, once);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nfkc),
        cmocka_unit_test(test_nfkc_presentation_forms_with_diacritics),
        cmocka_unit_test(test_decomposed_hamza),
        cmocka_unit_test(test_diacritics_range_ends),
        cmocka_unit_test(test_diacritics_neighbours_kept),
        cmocka_unit_test(test_diacritics_words),
        cmocka_unit_test(test_tatweel),
        cmocka_unit_test(test_controls),
        cmocka_unit_test(test_alef),
        cmocka_unit_test(test_yaa),
        cmocka_unit_test(test_taa_marbuta),
        cmocka_unit_test(test_hamza_seats),
        cmocka_unit_test(test_digits),
        cmocka_unit_test(test_persian),
        cmocka_unit_test(test_case),
        cmocka_unit_test(test_spaces_unicode),
        cmocka_unit_test(test_spaces_runs_tabs),
        cmocka_unit_test(test_spaces_line_breaks),
        cmocka_unit_test(test_spaces_trim),
        cmocka_unit_test(test_punct),
        cmocka_unit_test(test_invalid_utf8_repaired),
        cmocka_unit_test(test_invalid_utf8_too_much),
        cmocka_unit_test(test_empty_input),
        cmocka_unit_test(test_rule_names),
        cmocka_unit_test(test_idempotent),
    };
    return cmocka_run_group_tests(tests, NULL, teardown_all);
}
