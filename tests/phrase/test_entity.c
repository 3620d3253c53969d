/*
 * test_entity.c — name spotting (tw_entity.c): the cue regex (titles and
 * roles such as الرئيس، وزير، الشيخ، ولي العهد that precede a name) and
 * the gazetteer literals, compiled into one Hyperscan database.
 *
 * Story mode reads a name from the words after a cue, and a gazetteer hit
 * stands for its canonical entity, so a cue that never fires, fires inside
 * another word, or reports the wrong offset, and a variant reported under
 * the wrong entity, all change story features. Text is scanned the way the
 * pipeline scans it: raw Arabic goes through tw__normalize with the
 * default rules first (hamza seats folded, ة→ه, alef forms folded). The
 * public-API cases check that a gazetteer given in tw_config builds,
 * comment lines and regex-special characters included.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "api/tw_api.h"

#include "../tw_test_spot.h"

/* Normalizes raw text into a NUL-terminated malloc'ed string. */
static char *norm(const char *raw)
{
    tw__norm_work w = {0};
    assert_int_equal(tw__normalize(table, &w, (const uint8_t *)raw, strlen(raw), NULL), TW_OK);
    char *s = malloc(w.out.len + 1);
    assert_non_null(s);
    memcpy(s, w.out.data, w.out.len);
    s[w.out.len] = 0;
    tw__norm_work_free(&w);
    return s;
}

/* Scans normalized text; returns the mentions (owned by w). */
static const tw__mention *scan(const tw__spotter *sp, tw__spot_work *w, const char *text,
                               size_t *n)
{
    assert_int_equal(tw__spot(sp, w, (const uint8_t *)text, strlen(text), NULL), TW_OK);
    *n = w->mentions.len;
    return w->mentions.data;
}

static size_t count_kind(const tw__mention *m, size_t n, uint32_t kind)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += m[i].kind == kind;
    return c;
}

/* Raw text holding one cue: after normalization, exactly one CUE mention,
 * ending where the (normalized) name begins. */
static void expect_cue(const char *raw, const char *raw_name)
{
    char *t = norm(raw), *name = norm(raw_name);
    const char *at = strstr(t, name);
    assert_non_null(at);
    size_t n;
    const tw__mention *m = scan(&cues, &cw, t, &n);
    if (count_kind(m, n, TW__MENTION_CUE) != 1)
        fail_msg("\"%s\" (normalized \"%s\"): %zu cue mentions, want 1", raw, t,
                 count_kind(m, n, TW__MENTION_CUE));
    assert_int_equal(n, 1);
    assert_int_equal(m[0].kind, TW__MENTION_CUE);
    assert_int_equal(m[0].entity, 0);
    if (m[0].end != (uint32_t)(at - t))
        fail_msg("\"%s\": cue ends at %u, the name starts at %zu", raw, m[0].end,
                 (size_t)(at - t));
    free(t);
    free(name);
}

static void expect_no_cue(const char *raw)
{
    char *t = norm(raw);
    size_t n;
    const tw__mention *m = scan(&cues, &cw, t, &n);
    if (count_kind(m, n, TW__MENTION_CUE) != 0)
        fail_msg("\"%s\": cue found ending at %u", raw, m[0].end);
    free(t);
}

static void test_cue_roles(void **state)
{
    (void)state;
    expect_cue("قال وزير الخارجية التركي هاكان فيدان", "الخارجية");
    expect_cue("استقبل الشيخ محمد بن زايد الوفد", "محمد");
    expect_cue("وصل ولي العهد السعودي إلى القاهرة", "السعودي");
    expect_cue("التقى مدير المخابرات المصرية", "المخابرات");
    expect_cue("أكد اللواء أحمد", "أحمد");
    expect_cue("الشيخ تميم", "تميم");                    /* at the very start */
    expect_cue("غزة\nالشيخ تميم", "تميم");                /* at a line start */
    expect_cue("(الأمين العام غوتيريش)", "غوتيريش");     /* after punctuation */
}

static void test_cue_with_attached_conjunction(void **state)
{
    (void)state;
    expect_cue("التقى والشيخ تميم", "تميم");
    expect_cue("ووزير الدفاع", "الدفاع");
    expect_cue("بالشيخ تميم", "تميم");
    expect_cue("قال لوزير الخارجية", "الخارجية");
    expect_cue("غزة\nوالشيخ تميم", "تميم");     /* a conjunction at a line start */
    expect_cue("«والشيخ تميم»", "تميم");        /* after a two-byte non-letter */
    expect_cue("—الشيخ تميم", "تميم");          /* after a three-byte one */
    /* one of و ب ل only, and only those */
    expect_no_cue("وبالشيخ تميم");
    expect_no_cue("فالشيخ تميم");
    expect_no_cue("تالشيخ تميم");
}

static void test_cue_president(void **state)
{
    (void)state;
    /* The commonest cue. Normalized text spells رئيس with ي (hamza seats
     * are folded), so the cue must match that spelling. */
    expect_cue("قال الرئيس أردوغان إن", "أردوغان");
    expect_cue("وأكد والرئيس ماكرون", "ماكرون");
    expect_cue("اجتمع رئيس الوزراء القطري", "الوزراء");
    expect_cue("وصلت رئيسة الوزراء", "الوزراء");
    expect_cue("شكر ورئيسه الحكومة", "الحكومة"); /* و + رئيسه: a whole word */
    expect_cue("قال قائد الجيش", "الجيش");
}

static void test_cue_whole_word_only(void **state)
{
    (void)state;
    /* a cue followed by more letters is another word */
    expect_no_cue("المقر الرئيسي للشركة");
    expect_no_cue("ورئيسها الجديد");
    expect_no_cue("الشيخوخة مرحلة");
    expect_no_cue("الوزيرين الجديدين");
    expect_no_cue("مديرية الأمن");
    expect_no_cue("مستشارية الأمن");
    /* a cue glued to a preceding Latin letter or digit */
    expect_no_cue("xالشيخ تميم");
    expect_no_cue("5الشيخ تميم");
    /* not followed by a space */
    expect_no_cue("الشيخ");
    expect_no_cue("قال الشيخ، ثم");
    expect_no_cue("الشيخ\nتميم");
    /* no cue at all */
    expect_no_cue("أعلنت الحكومة خطة جديدة");
}

static void test_cue_several(void **state)
{
    (void)state;
    char *t = norm("التقى الشيخ تميم ووزير الدفاع في قصر السفير");
    size_t n;
    const tw__mention *m = scan(&cues, &cw, t, &n);
    assert_int_equal(n, 2);
    uint32_t a = (uint32_t)(strstr(t, "تميم") - t), b = (uint32_t)(strstr(t, "الدفاع") - t);
    assert_true((m[0].end == a && m[1].end == b) || (m[0].end == b && m[1].end == a));
    free(t);
}

/* ------------------------------------------------------------ gazetteer */

static void test_gazetteer_whole_words(void **state)
{
    (void)state;
    static const char *const vars[] = {"كالين", "قالن", "حماس"};
    static const uint32_t ids[] = {1, 1, 2};
    tw__spotter sp;
    tw__spot_work w;
    char err[256] = "";
    assert_int_equal(tw__spotter_build(&sp, table, vars, ids, 3, err, sizeof err), TW_OK);
    assert_int_equal(sp.count, sp.ncues + 3);
    assert_int_equal(tw__spot_work_init(&sp, &w), TW_OK);

    const char *t = "التقي قالن وفد حماس ثم كالين";
    size_t n;
    const tw__mention *m = scan(&sp, &w, t, &n);
    assert_int_equal(count_kind(m, n, TW__MENTION_GAZ), 3);
    assert_int_equal(count_kind(m, n, TW__MENTION_CUE), 0);
    /* each hit names its entity and ends where its variant ends */
    struct { const char *v; uint32_t id; int seen; } want[] = {
        {"قالن", 1, 0}, {"حماس", 2, 0}, {"كالين", 1, 0}};
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < 3; k++) {
            const char *at = strstr(t, want[k].v);
            uint32_t end = (uint32_t)(at - t + strlen(want[k].v));
            if (m[i].entity == want[k].id && m[i].end == end)
                want[k].seen++;
        }
    for (size_t k = 0; k < 3; k++)
        if (want[k].seen != 1)
            fail_msg("\"%s\" (entity %u): %d mentions ending at its last byte", want[k].v,
                     want[k].id, want[k].seen);

    /* inside other words: nothing */
    m = scan(&sp, &w, "الحماس والحماسه حماسي قالنا كالينز", &n);
    assert_int_equal(n, 0);
    /* a text that is only the variant */
    m = scan(&sp, &w, "حماس", &n);
    assert_int_equal(n, 1);
    assert_int_equal(m[0].kind, TW__MENTION_GAZ);
    assert_int_equal(m[0].entity, 2);
    assert_int_equal(m[0].end, strlen("حماس"));

    tw__spot_work_free(&w);
    tw__spotter_free(&sp);
}

static void test_gazetteer_entity_numbers(void **state)
{
    (void)state;
    /* a hit is found whatever follows it, and is reported with its entity */
    static const char *const vars[] = {"كالين", "قالن", "حماس"};
    static const uint32_t ids[] = {1, 1, 2};
    tw__spotter sp;
    tw__spot_work w;
    assert_int_equal(tw__spotter_build(&sp, table, vars, ids, 3, NULL, 0), TW_OK);
    assert_int_equal(tw__spot_work_init(&sp, &w), TW_OK);
    static const struct { const char *t; uint32_t id; } cases[] = {
        {"قالن، ", 1}, {"(كالين)", 1}, {"حماس.", 2}, {"\nحماس\n", 2}, {"x قالن 5", 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n;
        const tw__mention *m = scan(&sp, &w, cases[i].t, &n);
        if (n != 1 || m[0].kind != TW__MENTION_GAZ || m[0].entity != cases[i].id)
            fail_msg("\"%s\": %zu mentions, want one of entity %u", cases[i].t, n, cases[i].id);
    }
    /* with cues in the same scan */
    size_t n;
    const tw__mention *m = scan(&sp, &w, "الشيخ حماس", &n);
    assert_int_equal(count_kind(m, n, TW__MENTION_CUE), 1);
    assert_int_equal(count_kind(m, n, TW__MENTION_GAZ), 1);
    tw__spot_work_free(&w);
    tw__spotter_free(&sp);
}

/* Mentions of two scans as (kind, end, entity, len) lists: equal or not. */
static int same_mentions(const tw__spot_work *a, const tw__spot_work *b)
{
    return a->mentions.len == b->mentions.len &&
           (a->mentions.len == 0 ||
            memcmp(a->mentions.data, b->mentions.data, a->mentions.len * sizeof(tw__mention)) == 0);
}

/* Cues and an Arabic gazetteer are scanned one byte a character
 * (tw__charmap); a gazetteer variant in another script keeps the UTF-8
 * scan. Both must report the same mentions at the same offsets, with a
 * mapped text handed in or made by the spotter, and a stale one redone. */
static void test_mapped_and_utf8_scans_spot_alike(void **state)
{
    (void)state;
    static const char *const vars[] = {"كالين", "قالن", "حماس", "café"};
    static const uint32_t ids[] = {1, 1, 2, 3};
    tw__spotter a, b;
    tw__spot_work wa, wb;
    assert_int_equal(tw__spotter_build(&a, table, vars, ids, 3, NULL, 0), TW_OK);
    assert_int_equal(tw__spotter_build(&b, table, vars, ids, 4, NULL, 0), TW_OK);
    assert_true(a.charmap != NULL || !tw__charmap_fast());
    assert_null(b.charmap);
    assert_int_equal(tw__spot_work_init(&a, &wa), TW_OK);
    assert_int_equal(tw__spot_work_init(&b, &wb), TW_OK);
    static const char *const raw[] = {
        "قال الرئيس ☕ أردوغان إن وفد حماس ☕قالن",
        "التقى وزير الخارجية 東京 كالين، ثم الشيخ تميم © 2026",
        "é الأمير محمد — والرئيس 😀 حماس\nكالين",
        "ولي العهد€ السعودي وبالرئيس قالن",
    };
    tw__mapped map = {0};
    for (size_t i = 0; i < sizeof raw / sizeof raw[0]; i++) {
        char *t = norm(raw[i]);
        size_t len = strlen(t);
        assert_int_equal(tw__spot(&b, &wb, (const uint8_t *)t, len, NULL), TW_OK);
        assert_true(wb.mentions.len > 0);
        assert_int_equal(tw__spot(&a, &wa, (const uint8_t *)t, len, NULL), TW_OK);
        if (!same_mentions(&wa, &wb))
            fail_msg("text %zu: %zu mentions mapped, %zu in UTF-8", i, wa.mentions.len, wb.mentions.len);
        assert_int_equal(tw__mapped_make(&map, a.charmap, (const uint8_t *)t, len), TW_OK);
        assert_int_equal(tw__spot(&a, &wa, (const uint8_t *)t, len, &map), TW_OK);
        assert_true(same_mentions(&wa, &wb));
        /* a map of another text, marked stale: made again */
        assert_int_equal(tw__mapped_make(&map, a.charmap, (const uint8_t *)"xyz", 3), TW_OK);
        map.valid = 0;
        assert_int_equal(tw__spot(&a, &wa, (const uint8_t *)t, len, &map), TW_OK);
        assert_true(same_mentions(&wa, &wb));
        free(t);
    }
    tw__mapped_free(&map);
    tw__spot_work_free(&wa);
    tw__spot_work_free(&wb);
    tw__spotter_free(&a);
    tw__spotter_free(&b);
}

static void test_spot_work_lifecycle(void **state)
{
    (void)state;
    tw__spot_work w;
    assert_int_equal(tw__spot_work_init(&cues, &w), TW_OK);
    assert_non_null(w.scratch);
    size_t n;
    scan(&cues, &w, "الشيخ تميم", &n);
    assert_int_equal(n, 1);
    /* the next scan replaces the mentions; an empty text clears them */
    scan(&cues, &w, "لا شيء هنا", &n);
    assert_int_equal(n, 0);
    scan(&cues, &w, "الشيخ تميم", &n);
    assert_int_equal(n, 1);
    assert_int_equal(tw__spot(&cues, &w, (const uint8_t *)"", 0, NULL), TW_OK);
    assert_int_equal(w.mentions.len, 0);
    tw__spot_work_free(&w);
    assert_null(w.scratch);
    tw__spot_work_free(&w); /* twice: harmless */
    tw__spot_work_free(NULL);

    /* an empty (zeroed) spotter scans to nothing */
    tw__spotter none;
    memset(&none, 0, sizeof none);
    assert_int_equal(tw__spot_work_init(&none, &w), TW_OK);
    assert_int_equal(tw__spot(&none, &w, (const uint8_t *)"الشيخ تميم", 19, NULL), TW_OK);
    assert_int_equal(w.mentions.len, 0);
    tw__spot_work_free(&w);
    tw__spotter_free(&none);
    tw__spotter_free(NULL);
}

/* --------------------------------------------------------- public API */

static void test_engine_gazetteer(void **state)
{
    (void)state;
    tw_config cfg;
    tw_config_default(&cfg);
    cfg.gazetteer = "ابراهيم قالن|إبراهيم كالين\n# comment\nحسن رشاد\n";
    tw_engine *e = NULL;
    char err[256] = "x";
    assert_int_equal(tw_engine_create(&cfg, &e, err, sizeof err), TW_OK);
    assert_non_null(e);
    assert_string_equal(err, "");
    /* the cue literals plus three variants, two entities */
    size_t g = e->spot.ncues;
    assert_true(g > 0);
    assert_int_equal(e->spot.count, g + 3);
    assert_int_equal(e->spot.gaz_id[g], 1);
    assert_int_equal(e->spot.gaz_id[g + 1], 1);
    assert_int_equal(e->spot.gaz_id[g + 2], 2);
    /* the config keeps its own copy */
    assert_ptr_not_equal(tw_engine_config(e)->gazetteer, cfg.gazetteer);
    assert_string_equal(tw_engine_config(e)->gazetteer, cfg.gazetteer);

    /* variants are normalized like the text: إبراهيم كالين is found */
    tw_scratch *s = NULL;
    assert_int_equal(tw_scratch_create(e, &s), TW_OK);
    char *t = norm("استقبل إبراهيم كالين الوفد");
    size_t n;
    const tw__mention *m = scan(&e->spot, &s->spw, t, &n);
    assert_int_equal(count_kind(m, n, TW__MENTION_GAZ), 1);
    for (size_t i = 0; i < n; i++)
        if (m[i].kind == TW__MENTION_GAZ)
            assert_int_equal(m[i].entity, 1);
    free(t);
    tw_scratch_free(s);
    tw_engine_free(e);
}

static void test_engine_gazetteer_special_chars(void **state)
{
    (void)state;
    tw_config cfg;
    tw_config_default(&cfg);
    cfg.gazetteer = "C++|(x)\n[a-z]*|a.b|$^\\\n  \n|||\n";
    tw_engine *e = NULL;
    char err[256] = "";
    int rc = tw_engine_create(&cfg, &e, err, sizeof err);
    if (rc != TW_OK)
        fail_msg("tw_engine_create: %s (%s)", tw_strerror(rc), err);
    /* literals are literal: "c++" matches itself, not "cc" */
    tw_scratch *s = NULL;
    assert_int_equal(tw_scratch_create(e, &s), TW_OK);
    size_t n;
    scan(&e->spot, &s->spw, "about c++ and (x) here", &n);
    assert_int_equal(n, 2);
    scan(&e->spot, &s->spw, "cc c x abc axb", &n);
    assert_int_equal(n, 0);
    tw_scratch_free(s);
    tw_engine_free(e);

    /* an empty gazetteer and one of comments only build too */
    cfg.gazetteer = "";
    assert_int_equal(tw_engine_create(&cfg, &e, NULL, 0), TW_OK);
    assert_int_equal(e->spot.count, e->spot.ncues);
    tw_engine_free(e);
    cfg.gazetteer = "# nothing\n#\n";
    assert_int_equal(tw_engine_create(&cfg, &e, NULL, 0), TW_OK);
    assert_int_equal(e->spot.count, e->spot.ncues);
    tw_engine_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cue_roles),
        cmocka_unit_test(test_cue_with_attached_conjunction),
        cmocka_unit_test(test_cue_president),
        cmocka_unit_test(test_cue_whole_word_only),
        cmocka_unit_test(test_cue_several),
        cmocka_unit_test(test_gazetteer_whole_words),
        cmocka_unit_test(test_gazetteer_entity_numbers),
        cmocka_unit_test(test_mapped_and_utf8_scans_spot_alike),
        cmocka_unit_test(test_spot_work_lifecycle),
        cmocka_unit_test(test_engine_gazetteer),
        cmocka_unit_test(test_engine_gazetteer_special_chars),
    };
    return cmocka_run_group_tests(tests, spot_setup, spot_teardown);
}
