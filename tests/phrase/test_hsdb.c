/*
 * test_hsdb.c — what is made at build time (src/phrase/tw_hsdb.c): a
 * default engine takes its Hyperscan databases from the table, an engine
 * with anything changed compiles its own, and both paths strip every text
 * the same way; the build-time normalization table and LSH bands are those
 * an engine computes itself, entry for entry; the built-ins scanned one
 * byte a character strip as a UTF-8 scan does. Texts cover every built-in pattern; with ../shared present,
 * the first 3000 SaudiNewsNet articles are compared too.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/tw_api.h"
#include "index/tw_index.h"

static const char *const texts[] = {
    "الرياض (واس) - اعلن الوزير اليوم عن خطة جديدة https://example.com/a?b=1 #عاجل",
    "القاهرة - أ ش أ - قال المتحدث ان الاجتماع انتهى info@example.org @tawam_news",
    "تبوك 21 شوال 1436 هـ الموافق 06 اغسطس 2015 م واس افتتح الامير المعرض",
    "عاجل: انفجار في المدينة\nاقرأ أيضاً\nعنوان قصير اول\nعنوان قصير ثان\n"
    "ثم نص طويل يكفي ليكون محتوى لا عنوانا في قائمة الاخبار ذات الصلة على الاطلاق ابدا ابدا ابدا ابدا",
    "أخبار ذات صلة:\nالأكثر قراءة\nشاهد بالفيديو اللحظة\nتابعونا على تويتر\nحمل تطبيق الجريدة",
    "شارك الخبر عبر فيسبوك | تويتر | واتساب\nفيسبوك تويتر يوتيوب\nاكتب تعليقك هنا",
    "جميع الحقوق محفوظة © 2024\nالمصدر: وكالات\nتصوير: احمد",
    "نص عادي بلا اي شيء يزال منه ولا رابط ولا وسم ولا وكالة",
    "",
};

/* Strips every text with both engines; returns how many differed. */
static size_t compare(tw_scratch *a, tw_scratch *b, const char *text, size_t len)
{
    const char *x = NULL, *y = NULL;
    size_t xl = 0, yl = 0;
    tw_text_info xi, yi;
    int ra = tw_normalize(a, text, len, 1, &x, &xl, &xi);
    char *copy = malloc(xl + 1);
    assert_non_null(copy);
    memcpy(copy, x, xl);
    int rb = tw_normalize(b, text, len, 1, &y, &yl, &yi);
    size_t diff = ra != rb || xl != yl || memcmp(copy, y, xl) != 0 ||
                  xi.stripped_bytes != yi.stripped_bytes;
    free(copy);
    return diff;
}

/* The first 3,000 SaudiNewsNet lines (each as a text) stripped alike by
 * both, when ../shared is beside the project. */
static void compare_articles(tw_scratch *a, tw_scratch *b)
{
    const char *src = getenv("TAWAM_SOURCE_DIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/../shared/data/saudinewsnet.jsonl", src ? src : ".");
    FILE *f = fopen(path, "rb");
    if (!f) {
        print_message("skip: %s absent; real-article comparison not run\n", path);
        return;
    }
    char *line = NULL;
    size_t cap = 0, lines = 0, diffs = 0;
    ssize_t n;
    while (lines < 3000 && (n = getline(&line, &cap, f)) > 0) {
        diffs += compare(a, b, line, (size_t)n); /* the JSON line as text */
        lines++;
    }
    free(line);
    fclose(f);
    assert_int_equal(diffs, 0);
}

static void make(tw_engine **e, tw_scratch **s, const tw_config *cfg)
{
    char err[256];
    assert_int_equal(tw_engine_create(cfg, e, err, sizeof err), TW_OK);
    assert_int_equal(tw_scratch_create(*e, s), TW_OK);
}

/* A default engine that may take what was made at build time, and one that
 * makes everything itself. */
static void make_both(tw_engine **pre, tw_scratch **ps, tw_engine **fresh, tw_scratch **fs)
{
    unsetenv("TAWAM_NO_PRECOMPILED");
    make(pre, ps, NULL);
    setenv("TAWAM_NO_PRECOMPILED", "1", 1);
    make(fresh, fs, NULL);
    unsetenv("TAWAM_NO_PRECOMPILED");
}

static void test_default_engine_uses_table_and_strips_alike(void **state)
{
    (void)state;
    tw_engine *pre, *fresh;
    tw_scratch *ps, *fs;
    make_both(&pre, &ps, &fresh, &fs);
    if (tw__hs_blob_count == 0) {
        print_message("skip: built without TAWAM_PRECOMPILE_PATTERNS\n");
    } else {
        assert_int_equal(pre->strip.precompiled, 1);
    }
    assert_int_equal(fresh->strip.precompiled, 0);
    size_t stripped_any = 0;
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        assert_int_equal(compare(ps, fs, texts[i], strlen(texts[i])), 0);
        const char *o;
        size_t ol;
        tw_text_info info;
        assert_int_equal(tw_normalize(ps, texts[i], strlen(texts[i]), 1, &o, &ol, &info), TW_OK);
        stripped_any += info.stripped_bytes > 0;
    }
    assert_true(stripped_any >= 7); /* the texts do exercise the patterns */

    compare_articles(ps, fs);
    tw_scratch_free(ps);
    tw_scratch_free(fs);
    tw_engine_free(pre);
    tw_engine_free(fresh);
}

/* The built-in patterns alone scan the text mapped to one byte a
 * character (tw__charmap); with a user pattern beside them (Unicode
 * classes) everything scans the UTF-8. A user pattern that never matches
 * must change nothing: both paths strip every text alike. */
static void test_mapped_and_utf8_scans_strip_alike(void **state)
{
    (void)state;
    tw_engine *mapped, *utf8;
    tw_scratch *ms, *us;
    make(&mapped, &ms, NULL);
    tw_config cfg;
    tw_config_default(&cfg);
    cfg.strip_patterns = "span qqqzzzqqq\n";
    make(&utf8, &us, &cfg);
    if (tw__charmap_fast())
        assert_non_null(mapped->strip.charmap);
    else
        print_message("no vector map here: both engines scan UTF-8\n");
    assert_null(utf8->strip.charmap);
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        assert_int_equal(compare(ms, us, texts[i], strlen(texts[i])), 0);
    compare_articles(ms, us);
    tw_scratch_free(ms);
    tw_scratch_free(us);
    tw_engine_free(mapped);
    tw_engine_free(utf8);
}

static void test_changed_config_compiles(void **state)
{
    (void)state;
    tw_config cfg;
    tw_config_default(&cfg);
    cfg.norm_rules &= ~TW_NORM_ALEF; /* patterns fold differently: another key */
    tw_engine *e;
    tw_scratch *s;
    make(&e, &s, &cfg);
    assert_int_equal(e->strip.precompiled, 0);
    tw_scratch_free(s);
    tw_engine_free(e);
}

static void test_key_covers_every_part(void **state)
{
    (void)state;
    const char *ex[2] = {"abc", "de"};
    unsigned fl[2] = {1, 2}, id[2] = {0, 1};
    uint64_t k = tw__hs_key(ex, fl, id, 2);
    assert_true(k == tw__hs_key(ex, fl, id, 2));
    assert_true(k != tw__hs_key(ex, fl, id, 1));
    const char *ex2[2] = {"abc", "dd"};
    assert_true(k != tw__hs_key(ex2, fl, id, 2));
    const char *ex3[2] = {"ab", "cde"}; /* same bytes, other split */
    assert_true(k != tw__hs_key(ex3, fl, id, 2));
    unsigned fl2[2] = {1, 3}, id2[2] = {1, 0};
    assert_true(k != tw__hs_key(ex, fl2, id, 2));
    assert_true(k != tw__hs_key(ex, fl, id2, 2));
}

static void test_build_time_table_and_bands_equal_computed(void **state)
{
    (void)state;
    tw_engine *pre, *fresh;
    tw_scratch *ps, *fs;
    make_both(&pre, &ps, &fresh, &fs);
    int b = 0, r = 0;
    setenv("TAWAM_NO_PRECOMPILED", "1", 1);
    tw__lsh_params(0.4, TW__MH_N, TW_LSH_WEIGHT_FP, TW_LSH_WEIGHT_FN, &b, &r); /* integrated */
    unsetenv("TAWAM_NO_PRECOMPILED");
    if (!tw__norm_prebuilt_table.bmp) {
        print_message("skip: built without TAWAM_PRECOMPILE_PATTERNS (no table)\n");
    } else {
        assert_int_equal(tw__norm_prebuilt_table.rules, fresh->norm.rules);
        assert_memory_equal(tw__norm_prebuilt_table.bmp, fresh->norm.bmp, sizeof fresh->norm.bmp);
    }
    /* whichever path each engine took, the tables are one */
    assert_int_equal(pre->norm.rules, fresh->norm.rules);
    assert_memory_equal(pre->norm.bmp, fresh->norm.bmp, sizeof pre->norm.bmp);
    assert_memory_equal(&pre->norm.simd, &fresh->norm.simd, sizeof pre->norm.simd);
    assert_int_equal(pre->bands, fresh->bands);
    assert_int_equal(pre->rows, fresh->rows);
    if (tw__lsh_prebuilt_choice.nperm) {
        assert_int_equal(tw__lsh_prebuilt_choice.bands, fresh->bands);
        assert_int_equal(tw__lsh_prebuilt_choice.rows, fresh->rows);
    }
    assert_int_equal(b * 1000 + r, fresh->bands * 1000 + fresh->rows);
    tw_scratch_free(ps);
    tw_scratch_free(fs);
    tw_engine_free(pre);
    tw_engine_free(fresh);
}

/* The build-time databases ask for no AVX-512, whatever the build machine
 * has: they load on an AVX2-only machine and under valgrind. */
static void test_build_time_databases_need_no_avx512(void **state)
{
    (void)state;
    if (tw__hs_blob_count == 0)
        print_message("skip: built without TAWAM_PRECOMPILE_PATTERNS\n");
    for (size_t i = 0; i < tw__hs_blob_count; i++) {
        char *info = NULL;
        assert_int_equal(hs_serialized_database_info((const char *)tw__hs_blobs[i].bytes,
                                                     tw__hs_blobs[i].len, &info),
                         HS_SUCCESS);
        assert_non_null(info);
        if (strstr(info, "AVX512")) {
            print_error("blob %zu: %s\n", i, info);
            fail();
        }
        free(info);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_build_time_databases_need_no_avx512),
        cmocka_unit_test(test_default_engine_uses_table_and_strips_alike),
        cmocka_unit_test(test_mapped_and_utf8_scans_strip_alike),
        cmocka_unit_test(test_changed_config_compiles),
        cmocka_unit_test(test_build_time_table_and_bands_equal_computed),
        cmocka_unit_test(test_key_covers_every_part),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
