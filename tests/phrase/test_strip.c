/*
 * test_strip.c — boilerplate stripping, through the public API
 * (tw_normalize with strip = 1), with the built-in Arabic news patterns and
 * with user patterns given in tw_config.strip_patterns.
 *
 * Stripping blanks bytes to spaces and keeps line breaks, so outputs are
 * compared after squeeze(): runs of spaces become one space and spaces at
 * the edges of a line go, line breaks stay. A test therefore pins exactly
 * which words survive and which lines were emptied, while staying
 * independent of how many spaces a blanked span left behind.
 * tw_text_info.stripped_bytes is checked exactly where the blanked text is
 * obvious (it counts the non-space bytes blanked) and is 0 when nothing
 * matched. Hyperscan compilation dominates run time, so two engines are
 * built once for the whole run: the built-in one (defaults, plus one user
 * span pattern "اعلان ممول" that no built-in test text contains, to show
 * user patterns adding to the built-ins) and a user one (the pattern file
 * below, built-ins off). Tests about engine creation build their own.
 *
 * Expected outputs are written in normalized form (أ→ا, ة→ه, ى→ي, …),
 * since that is what tw_normalize returns.
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

/* ---------------------------------------------------------------- harness */

/* The user pattern file: every kind, a line with no kind, comments (one
 * indented), a blank line, a tab after the kind, Arabic written with hamza
 * and tanween. */
static const char user_patterns[] =
    "# user patterns for the tests\n"
    "\n"
    "span اعلان ممول\n"
    "line ^للاشتراك في النشرة\n"
    "block ^مواد مقترحة:$\n"
    "حالة الطقس\n"
    "   # an indented comment\n"
    "span\tأيضاً\n";

static tw_engine *builtin_engine, *user_engine, *default_engine;
static tw_scratch *builtin_scratch, *user_scratch, *default_scratch;

static int setup(void **state)
{
    (void)state;
    char err[256];
    tw_config cfg;
    tw_config_default(&cfg);
    if (tw_engine_create(&cfg, &default_engine, err, sizeof err) != TW_OK)
        return -1;
    if (tw_scratch_create(default_engine, &default_scratch) != TW_OK)
        return -1;
    cfg.strip_patterns = "span اعلان ممول\n";
    if (tw_engine_create(&cfg, &builtin_engine, err, sizeof err) != TW_OK)
        return -1;
    if (tw_scratch_create(builtin_engine, &builtin_scratch) != TW_OK)
        return -1;
    cfg.builtin_strip = 0;
    cfg.strip_patterns = user_patterns;
    if (tw_engine_create(&cfg, &user_engine, err, sizeof err) != TW_OK)
        return -1;
    if (tw_scratch_create(user_engine, &user_scratch) != TW_OK)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tw_scratch_free(builtin_scratch);
    tw_engine_free(builtin_engine);
    tw_scratch_free(user_scratch);
    tw_engine_free(user_engine);
    tw_scratch_free(default_scratch);
    tw_engine_free(default_engine);
    return 0;
}

/* Collapses runs of spaces, drops spaces at line edges, keeps '\n'. */
static void squeeze(const char *in, size_t len, char *out, size_t cap)
{
    size_t o = 0;
    int pending = 0, line_start = 1;
    for (size_t i = 0; i < len; i++) {
        char c = in[i];
        if (c == ' ') {
            pending = !line_start;
            continue;
        }
        assert_true(o + 3 < cap);
        if (c == '\n') {
            pending = 0;
            line_start = 1;
            out[o++] = '\n';
            continue;
        }
        if (pending)
            out[o++] = ' ';
        pending = 0;
        line_start = 0;
        out[o++] = c;
    }
    out[o] = 0;
}

/* Normalizes and strips `in` with scratch s; the squeezed output goes to
 * out. Returns tw_normalize's status. */
static int strip_with(tw_scratch *s, const char *in, char *out, size_t cap, tw_text_info *info)
{
    const char *res = NULL;
    size_t rlen = 0;
    int rc = tw_normalize(s, in, strlen(in), 1, &res, &rlen, info);
    if (rc)
        return rc;
    squeeze(res, rlen, out, cap);
    return TW_OK;
}

static void check_strip_at(tw_scratch *s, const char *in, const char *want, long want_bytes,
                           const char *file, int line)
{
    char got[8192];
    tw_text_info info;
    int rc = strip_with(s, in, got, sizeof got, &info);
    if (rc)
        fail_msg("%s:%d: tw_normalize returned %d (%s)", file, line, rc, tw_strerror(rc));
    if (strcmp(got, want) != 0)
        fail_msg("%s:%d:\n  input: \"%s\"\n  want:  \"%s\"\n  got:   \"%s\"", file, line, in,
                 want, got);
    if (want_bytes >= 0 && info.stripped_bytes != (size_t)want_bytes)
        fail_msg("%s:%d: stripped_bytes %zu, want %ld", file, line, info.stripped_bytes,
                 want_bytes);
    if (want_bytes < 0 && info.stripped_bytes == 0)
        fail_msg("%s:%d: stripped_bytes is 0 but text was blanked", file, line);
}

/* want_bytes: exact stripped_bytes, or SOME for "more than 0". */
#define SOME (-1L)
#define CHECK_STRIP(s, in, want, want_bytes)                                                 \
    check_strip_at((s), (in), (want), (want_bytes), __FILE__, __LINE__)
/* The built-ins alone are scanned as one byte a character (tw__charmap),
 * the built-ins with a user pattern as UTF-8: both must strip alike. */
#define CHECK_BUILTIN(in, want, want_bytes)                                                  \
    do {                                                                                     \
        CHECK_STRIP(default_scratch, in, want, want_bytes);                                  \
        CHECK_STRIP(builtin_scratch, in, want, want_bytes);                                  \
    } while (0)
#define CHECK_USER(in, want, want_bytes) CHECK_STRIP(user_scratch, in, want, want_bytes)

/* An engine with the given user patterns; builtin_strip as given. */
static void make_engine(const char *patterns, int builtin, tw_engine **e, tw_scratch **s)
{
    tw_config cfg;
    tw_config_default(&cfg);
    cfg.builtin_strip = builtin;
    cfg.strip_patterns = patterns;
    char err[256] = "";
    int rc = tw_engine_create(&cfg, e, err, sizeof err);
    if (rc)
        fail_msg("tw_engine_create: %d (%s): %s", rc, tw_strerror(rc), err);
    assert_int_equal(tw_scratch_create(*e, s), TW_OK);
}

static void free_engine(tw_engine *e, tw_scratch *s)
{
    tw_scratch_free(s);
    tw_engine_free(e);
}

/* Appends n filler words "كلمه1 كلمه2 …" (numbered from `from`) to buf. */
static void add_words(char *buf, size_t cap, int from, int n)
{
    for (int i = 0; i < n; i++) {
        size_t l = strlen(buf);
        snprintf(buf + l, cap - l, "%sكلمه%d", l ? " " : "", from + i);
    }
}

/* ------------------------------------------------ built-in: spans */

static void test_url(void **state)
{
    (void)state;
    /* "https://example.com/news?id=5" is 29 bytes once case-folded. */
    CHECK_BUILTIN("زوروا الموقع https://Example.com/news?id=5 لمعرفة التفاصيل",
                  "زوروا الموقع لمعرفه التفاصيل", 29);
    CHECK_BUILTIN("للمزيد www.example.org/ar اليوم", "للمزيد اليوم", 18);
}

static void test_email(void **state)
{
    (void)state;
    CHECK_BUILTIN("راسلونا على info@example.com للاستفسار", "راسلونا علي للاستفسار", 16);
    /* the whole local part goes, however long, and only it: the Arabic word
     * glued before it stays (its start is found left of the match) */
    CHECK_BUILTIN("راسلونا first.last+news_2024@mail.example.org اليوم", "راسلونا اليوم", 37);
    CHECK_BUILTIN("البريدx.y@example.com هنا", "البريد هنا", 15);
    CHECK_BUILTIN("a@example.com", "", 13);
}

static void test_handle(void **state)
{
    (void)state;
    /* "@tawam_news" after a space or at a line's start, not inside a word */
    CHECK_BUILTIN("تابع @tawam_news للمزيد", "تابع للمزيد", 11);
    CHECK_BUILTIN("@tawam_news\nخبر اليوم", "\nخبر اليوم", 11);
    CHECK_BUILTIN("خبر abc@tawam_news اليوم", "خبر abc@tawam_news اليوم", 0);
    CHECK_BUILTIN("خبر @a اليوم", "خبر @a اليوم", 0); /* two characters at least */
}

static void test_hashtag(void **state)
{
    (void)state;
    /* "#عاجل" is 1 + 8 bytes. */
    CHECK_BUILTIN("خبر #عاجل اليوم", "خبر اليوم", 9);
    CHECK_BUILTIN("انتهت المباراة #كأس_العالم #Final بالتعادل", "انتهت المباراه بالتعادل",
                  SOME);
}

static void test_dateline_agency_in_parentheses(void **state)
{
    (void)state;
    /* "(رويترز) -": 1 + 12 + 1 + 1 bytes. The city stays. */
    CHECK_BUILTIN("لندن (رويترز) - قال مسؤول إن الاجتماع انتهى",
                  "لندن قال مسوول ان الاجتماع انتهي", 15);
    CHECK_BUILTIN("القاهرة (أ ف ب) - أعلنت الحكومة خطة جديدة", "القاهره اعلنت الحكومه خطه جديده",
                  SOME);
}

static void test_dateline_agency_between_dashes(void **state)
{
    (void)state;
    /* "- واس:": 1 + 6 + 1 bytes. */
    CHECK_BUILTIN("الرياض - واس: افتتح الوزير المعرض", "الرياض افتتح الوزير المعرض", 8);
}

/* ------------------------------------------- built-in: lines and blocks */

static void test_read_also_block(void **state)
{
    (void)state;
    /* The heading and the three short headlines after it go; the line
     * before stays; the emptied lines stay as line breaks. */
    CHECK_BUILTIN("افتتح الوزير اليوم معرض الكتاب في العاصمة بحضور عدد من الكتاب\n"
                  "اقرأ أيضاً:\n"
                  "ارتفاع أسعار النفط\n"
                  "فوز الفريق بالبطولة\n"
                  "افتتاح جسر جديد",
                  "افتتح الوزير اليوم معرض الكتاب في العاصمه بحضور عدد من الكتاب\n\n\n\n", SOME);
}

static void test_read_also_block_stops_at_long_line(void **state)
{
    (void)state;
    /* A line of more than 16 words after the headlines is content again. */
    char in[4096] = "مقدمة الخبر\nاقرأ أيضاً:\nعنوان أول\nعنوان ثان\n";
    char want[4096] = "مقدمه الخبر\n\n\n\n";
    char para[2048] = "";
    add_words(para, sizeof para, 1, 17);
    strcat(in, para);
    strcat(want, para);
    CHECK_BUILTIN(in, want, SOME);
}

static void test_follow_us_line(void **state)
{
    (void)state;
    CHECK_BUILTIN("نص الخبر هنا\nتابعونا على تويتر", "نص الخبر هنا\n", SOME);
    CHECK_BUILTIN("تابعونا عبر قناتنا للمزيد من الأخبار\nنص الخبر هنا", "\nنص الخبر هنا", SOME);
}

static void test_copyright_line(void **state)
{
    (void)state;
    /* "جميع الحقوق محفوظه © 2026": 8+12+12+2+4 = 38 bytes. */
    CHECK_BUILTIN("نص الخبر هنا\nجميع الحقوق محفوظة © 2026", "نص الخبر هنا\n", 38);
}

static void test_share_line(void **state)
{
    (void)state;
    CHECK_BUILTIN("نص الخبر هنا\nشارك الخبر: فيسبوك تويتر واتساب", "نص الخبر هنا\n", SOME);
    /* A line of social network names only. */
    CHECK_BUILTIN("نص الخبر هنا\nفيسبوك | تويتر | يوتيوب", "نص الخبر هنا\n", SOME);
}

static void test_share_bar_on_long_article_line(void **state)
{
    (void)state;
    /* A whole article on one line (59 words) behind a share bar: only the
     * share bar goes, every article word stays. */
    CHECK_BUILTIN(
        "شارك من خلال تويتر فيسبوك أعلنت وزارة الصحة اليوم عن افتتاح مستشفى جديد في شمال "
        "المدينة يضم مئتي سرير وقسما للطوارئ ومختبرا حديثا وقال الوزير في مؤتمر صحفي إن "
        "المشروع استغرق ثلاث سنوات من العمل المتواصل وإن المستشفى سيخدم أكثر من نصف مليون "
        "نسمة في المنطقة والقرى المجاورة لها وأضاف أن الحكومة تخطط لبناء مستشفيين آخرين "
        "خلال العام المقبل",
        "اعلنت وزاره الصحه اليوم عن افتتاح مستشفي جديد في شمال المدينه يضم ميتي سرير "
        "وقسما للطواري ومختبرا حديثا وقال الوزير في موتمر صحفي ان المشروع استغرق ثلاث "
        "سنوات من العمل المتواصل وان المستشفي سيخدم اكثر من نصف مليون نسمه في المنطقه "
        "والقري المجاوره لها واضاف ان الحكومه تخطط لبناء مستشفيين اخرين خلال العام المقبل",
        SOME);
}

static void test_share_bar_on_article_line_just_over_40_words(void **state)
{
    (void)state;
    /* The same rule as above on a line of 43 words (5 of share bar + 38 of
     * article). Hyperscan reports the share pattern once per end offset
     * ("…تويتر" and "…تويتر فيسبوك"); the line must be judged as written
     * (41+ words), not after the first report's blanking. This was a bug. */
    char in[4096] = "شارك من خلال تويتر فيسبوك ";
    char want[4096] = "";
    add_words(want, sizeof want, 1, 38);
    strcat(in, want);
    CHECK_BUILTIN(in, want, SOME);
}

static void test_line_rule_word_limit(void **state)
{
    (void)state;
    /* "تابعونا على" + 10 words = 12 words: a boilerplate line, it goes. */
    char in[4096] = "تابعونا على ";
    add_words(in, sizeof in, 1, 10);
    CHECK_BUILTIN(in, "", SOME);
    /* + 11 words = 13 words: content (a short news item on one line with the
     * phrase glued on), so only "تابعونا على" (14 + 6 bytes) goes. */
    char in2[4096] = "تابعونا على ";
    char want2[4096] = "";
    add_words(want2, sizeof want2, 1, 11);
    strcat(in2, want2);
    CHECK_BUILTIN(in2, want2, 20);
}

static void test_line_word_limit_counts_the_line_as_written(void **state)
{
    (void)state;
    /* 36 article words, 3 hashtags and "تابعونا على": 41 words, so the
     * follow-us match must blank only itself, wherever it sits in the line.
     * With the match first, it does. */
    char words[4096] = "";
    add_words(words, sizeof words, 1, 36);
    char in[4096 + 128];
    snprintf(in, sizeof in, "تابعونا على %s #وسم1 #وسم2 #وسم3", words);
    CHECK_BUILTIN(in, words, SOME);
    /* With the match last, the hashtag spans are reported first; the line's
     * word count must still be that of the line as written (a bug once). */
    snprintf(in, sizeof in, "%s #وسم1 #وسم2 #وسم3 تابعونا على", words);
    CHECK_BUILTIN(in, words, SOME);
}

static void test_nothing_to_strip(void **state)
{
    (void)state;
    static const char text[] = "أعلنت الحكومة اليوم عن خطة جديدة لدعم المزارعين\n"
                               "وقال الوزير إن الخطة تبدأ الشهر المقبل";
    CHECK_BUILTIN(text,
                  "اعلنت الحكومه اليوم عن خطه جديده لدعم المزارعين\n"
                  "وقال الوزير ان الخطه تبدا الشهر المقبل",
                  0);
    /* And the stripped text is byte for byte the normalized text. */
    const char *a = NULL, *b = NULL;
    size_t alen = 0, blen = 0;
    char copy[1024];
    assert_int_equal(tw_normalize(builtin_scratch, text, sizeof text - 1, 0, &a, &alen, NULL),
                     TW_OK);
    assert_true(alen < sizeof copy);
    memcpy(copy, a, alen);
    assert_int_equal(tw_normalize(builtin_scratch, text, sizeof text - 1, 1, &b, &blen, NULL),
                     TW_OK);
    assert_int_equal(blen, alen);
    assert_memory_equal(b, copy, alen);
}

static void test_strip_off_keeps_boilerplate(void **state)
{
    (void)state;
    static const char text[] = "خبر #عاجل https://Example.com";
    const char *out = NULL;
    size_t olen = 0;
    tw_text_info info;
    assert_int_equal(tw_normalize(builtin_scratch, text, sizeof text - 1, 0, &out, &olen, &info),
                     TW_OK);
    static const char want[] = "خبر #عاجل https://example.com";
    assert_int_equal(olen, sizeof want - 1);
    assert_memory_equal(out, want, olen);
    assert_int_equal(info.stripped_bytes, 0);
}

/* ------------------------------------------------------- user patterns */

static void test_user_span(void **state)
{
    (void)state;
    /* "اعلان ممول": 10 + 8 bytes. */
    CHECK_USER("خبر اول اعلان ممول خبر ثان", "خبر اول خبر ثان", 18);
}

static void test_user_line(void **state)
{
    (void)state;
    CHECK_USER("سطر اول\nللاشتراك في النشرة اضغط هنا\nسطر اخير", "سطر اول\n\nسطر اخير",
                SOME);
    /* ^ anchors at a line start: the phrase inside a line is not a match. */
    CHECK_USER("قال انه للاشتراك في النشرة", "قال انه للاشتراك في النشره", 0);
}

static void test_user_block(void **state)
{
    (void)state;
    CHECK_USER("فقرة اولى طويلة\nمواد مقترحة:\nعنوان اول\nعنوان ثان",
                "فقره اولي طويله\n\n\n", SOME);
}

static void test_user_pattern_without_kind_is_line(void **state)
{
    (void)state;
    CHECK_USER("سطر\nحالة الطقس اليوم مشمس\nسطر", "سطر\n\nسطر", SOME);
}

static void test_user_comments_and_blank_lines_ignored(void **state)
{
    (void)state;
    /* The engine was built (an empty line is no pattern), and the comment
     * lines, which would match themselves if read as regexes, blank
     * nothing. */
    CHECK_USER("# user patterns for the tests\n# an indented comment",
                "# user patterns for the tests\n# an indented comment", 0);
}

static void test_user_pattern_letters_are_normalized(void **state)
{
    (void)state;
    /* The pattern says "أيضاً" (hamza, tanween after the alef); the text
     * says "أيضًا" (tanween on the dad) and normalizes to "ايضا". */
    CHECK_USER("قال أيضًا إن", "قال ان", 8);
    CHECK_USER("قال ايضا ان", "قال ان", 8);
}

static void test_user_pattern_presentation_form(void **state)
{
    (void)state;
    tw_engine *e;
    tw_scratch *s;
    /* tawam.h says a pattern's non-ASCII letters "are normalized like
     * text": a pattern written with the presentation form ﻻ (U+FEFB) must
     * match like one written لا (it did not, before patterns got NFKC). */
    static const char text[] = "تقرير مهم لا تنسوا الاشتراك في القناة";
    /* Control: the same pattern written with ل + ا matches. */
    make_engine("span لا تنسوا الاشتراك\n", 0, &e, &s);
    CHECK_STRIP(s, text, "تقرير مهم في القناه", SOME);
    free_engine(e, s);
    make_engine("span \uFEFB تنسوا الاشتراك\n", 0, &e, &s);
    CHECK_STRIP(s, text, "تقرير مهم في القناه", SOME); /* fails: the bug */
    free_engine(e, s);
}

static void test_user_patterns_with_builtins(void **state)
{
    (void)state;
    /* User patterns come on top of the built-ins (the built-in engine has
     * the one user pattern "span اعلان ممول"). */
    CHECK_STRIP(builtin_scratch, "اعلان ممول https://example.com خبر #عاجل مهم", "خبر مهم", SOME);
    CHECK_STRIP(default_scratch, "اعلان ممول https://example.com خبر #عاجل مهم", "اعلان ممول خبر مهم",
                SOME);
}

static void test_other_scripts_around_boilerplate(void **state)
{
    (void)state;
    /* Characters outside the Arabic block and ASCII (é, €, —, ☕, an emoji,
     * CJK) inside and around matches: a span over them goes whole, the
     * words beside them stay, offsets land on character edges. */
    CHECK_BUILTIN("مقهى café ☕ https://example.com/é€/☕ يفتح اليوم", "مقهي café ☕ يفتح اليوم", SOME);
    CHECK_BUILTIN("وسم #مقهى_café☕😀 ثم 東京 خبر", "وسم ثم 東京 خبر", SOME);
    CHECK_BUILTIN("€ 5 — تابعونا على تويتر ☕\nخبر عن 東京", "\nخبر عن 東京", SOME);
    CHECK_BUILTIN("جميع الحقوق محفوظة © 2026 — é\nنص الخبر", "\nنص الخبر", SOME);
    /* a span's end right against a letter: the letter stays */
    CHECK_BUILTIN("راسلونا info@example.comاليوم", "راسلونا اليوم", 16);
    CHECK_BUILTIN("الرياض (رويترز) - قال مسؤول ☕ إن", "الرياض قال مسوول ☕ ان", SOME);
}

static void test_builtins_off(void **state)
{
    (void)state;
    tw_engine *e;
    tw_scratch *s;
    static const char text[] = "زوروا https://example.com #خبر\nتابعونا على تويتر\n"
                               "جميع الحقوق محفوظة © 2026";
    static const char want[] = "زوروا https://example.com #خبر\nتابعونا علي تويتر\n"
                               "جميع الحقوق محفوظه © 2026";
    /* No patterns at all. */
    make_engine(NULL, 0, &e, &s);
    CHECK_STRIP(s, text, want, 0);
    free_engine(e, s);
    /* Only user patterns: the built-in ones stay off. */
    CHECK_USER(text, want, 0);
    /* The same text with the built-ins on, for contrast. */
    CHECK_BUILTIN(text, "زوروا\n\n", SOME);
}

static void test_bad_pattern_names_line(void **state)
{
    (void)state;
    tw_config cfg;
    tw_engine *e = (tw_engine *)&cfg; /* must be reset to NULL on failure */
    char err[256];

    tw_config_default(&cfg);
    cfg.builtin_strip = 0;
    cfg.strip_patterns = "# the next line does not compile\nline (unclosed\n";
    memset(err, 0, sizeof err);
    assert_int_equal(tw_engine_create(&cfg, &e, err, sizeof err), TW_EPATTERN);
    assert_null(e);
    if (!strstr(err, "pattern line 2"))
        fail_msg("err does not name line 2: \"%s\"", err);

    /* With the built-ins in front, the line number is still the user's. */
    cfg.builtin_strip = 1;
    cfg.strip_patterns = "span اعلان ممول\n\nline (unclosed";
    e = (tw_engine *)&cfg;
    memset(err, 0, sizeof err);
    assert_int_equal(tw_engine_create(&cfg, &e, err, sizeof err), TW_EPATTERN);
    assert_null(e);
    if (!strstr(err, "pattern line 3"))
        fail_msg("err does not name line 3: \"%s\"", err);

    /* err may be NULL. */
    cfg.builtin_strip = 0;
    cfg.strip_patterns = "span [unclosed";
    assert_int_equal(tw_engine_create(&cfg, &e, NULL, 0), TW_EPATTERN);
    assert_null(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url),
        cmocka_unit_test(test_email),
        cmocka_unit_test(test_handle),
        cmocka_unit_test(test_hashtag),
        cmocka_unit_test(test_dateline_agency_in_parentheses),
        cmocka_unit_test(test_dateline_agency_between_dashes),
        cmocka_unit_test(test_read_also_block),
        cmocka_unit_test(test_read_also_block_stops_at_long_line),
        cmocka_unit_test(test_follow_us_line),
        cmocka_unit_test(test_copyright_line),
        cmocka_unit_test(test_share_line),
        cmocka_unit_test(test_share_bar_on_long_article_line),
        cmocka_unit_test(test_share_bar_on_article_line_just_over_40_words),
        cmocka_unit_test(test_line_rule_word_limit),
        cmocka_unit_test(test_line_word_limit_counts_the_line_as_written),
        cmocka_unit_test(test_nothing_to_strip),
        cmocka_unit_test(test_strip_off_keeps_boilerplate),
        cmocka_unit_test(test_user_span),
        cmocka_unit_test(test_user_line),
        cmocka_unit_test(test_user_block),
        cmocka_unit_test(test_user_pattern_without_kind_is_line),
        cmocka_unit_test(test_user_comments_and_blank_lines_ignored),
        cmocka_unit_test(test_user_pattern_letters_are_normalized),
        cmocka_unit_test(test_user_pattern_presentation_form),
        cmocka_unit_test(test_user_patterns_with_builtins),
        cmocka_unit_test(test_other_scripts_around_boilerplate),
        cmocka_unit_test(test_builtins_off),
        cmocka_unit_test(test_bad_pattern_names_line),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
