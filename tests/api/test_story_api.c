/*
 * test_story_api.c — story mode through the public API, end to end:
 * tw_batch_add_doc with titles and times, tw_batch_cluster, tw_batch_story,
 * tw_batch_explain and the story fields of tw_batch_stats.
 *
 * The corpus is twelve short Arabic news items written for this test. They
 * are FICTIONAL: the officials, the figures and the events are invented
 * (the places are real). Three events are each reported two or three times
 * by independent writers (same names, places and numbers, different
 * wording, hours apart): a Jordanian–Syrian water agreement on the Yarmouk
 * (Tuesday 12 March 2024), an earthquake in Malatya (Wednesday 13 March)
 * and an Egyptian interest-rate rise (Thursday 14 March). Two items are
 * "related but different": the same officials at a different event five or
 * six days later. One item is a near-copy of another, with tatweel and
 * diacritics added. What must hold: rewrites share a story, the related
 * items stay out, the near-copy shares both its dup and its story, story
 * ids name the earliest member and do not depend on input order, and the
 * explanation agrees with the decision.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tawam.h"
#include "../tw_test_util.h"

enum {
    S1A, S1B, S1C, S1N, /* water agreement: three rewrites and a near-copy of S1A */
    S2A, S2B, S2C,      /* earthquake */
    S3A, S3B, S3C,      /* interest rates */
    D1, D2,             /* the same people, another event, days later */
    NDOCS
};

typedef struct article {
    const char *time; /* as a feed writes it */
    const char *title;
    const char *text;
} article;

static const article corpus[NDOCS] = {
    [S1A] = {"2024-03-12T09:00:00Z",
             "الأردن وسوريا توقعان اتفاقية لتقاسم مياه نهر اليرموك",
             "عمّان – وقّع وزير المياه الأردني سامر الحديدي ونظيره السوري عماد الخطيب، اليوم "
             "الثلاثاء في عمّان، اتفاقية جديدة لتقاسم مياه نهر اليرموك وتشغيل سد الوحدة. وتنص "
             "الاتفاقية على تزويد الأردن بـ40 مليون متر مكعب سنويا من مياه السد، مقابل تزويد "
             "محافظة درعا بالكهرباء. وقال الحديدي إن الاتفاقية تنهي خلافا استمر أكثر من عشر "
             "سنوات، فيما أكد الخطيب أن لجنة فنية مشتركة ستتابع تنفيذها اعتبارا من الشهر "
             "المقبل."},
    [S1B] = {"Tue, 12 Mar 2024 14:30:00 +0300",
             "اتفاق أردني سوري على مياه اليرموك وسد الوحدة",
             "وقعت الحكومتان الأردنية والسورية في عمان الثلاثاء اتفاقية لتقاسم مياه نهر "
             "اليرموك، يحصل الأردن بموجبها على 40 مليون متر مكعب من مياه سد الوحدة كل عام. "
             "ووقع الاتفاقية عن الجانب الأردني وزير المياه سامر الحديدي، وعن الجانب السوري "
             "الوزير عماد الخطيب. وبحسب بيان مشترك، ستحصل محافظة درعا في المقابل على "
             "الكهرباء من الشبكة الأردنية، وستشرف لجنة فنية مشتركة على التنفيذ."},
    [S1C] = {"2024-03-12 16:00:00",
             "الحديدي والخطيب يوقعان اتفاقية مياه اليرموك في عمان",
             "أنهى الأردن وسوريا خلافا طويلا على مياه نهر اليرموك بتوقيع اتفاقية في العاصمة "
             "عمان يوم الثلاثاء. ووفق الاتفاقية التي وقعها الوزيران سامر الحديدي وعماد "
             "الخطيب، يتسلم الأردن 40 مليون متر مكعب سنويا من سد الوحدة، وتتسلم محافظة درعا "
             "الكهرباء في المقابل. وأوضح الحديدي في مؤتمر صحفي أن الاتفاقية تعالج نقص المياه "
             "في شمال المملكة خلال الصيف."},
    /* S1A again: tatweel and diacritics, as a site that decorates copy */
    [S1N] = {"1710238500",
             "الأردنُ وسوريا توقّعان اتفاقيةً لتقاسم مياه نهر اليرموك",
             "عمّان – وقّـع وزيـر المياه الأردنيّ سامر الحديدي ونظيرُه السوريّ عماد الخطيب، "
             "اليومَ الثلاثاء في عمّان، اتفاقيـةً جديدة لتقاسم مياه نهر اليرموك وتشغيل سدّ "
             "الوحدة. وتنصّ الاتفاقيـة على تزويد الأردن بـ40 مليون متر مكعّب سنويّا من مياه "
             "السدّ، مقابل تزويد محافظة درعا بالكهرباء. وقال الحديدي إنّ الاتفاقية تنهي "
             "خلافـا استمرّ أكثر من عشر سنوات، فيما أكّد الخطيب أنّ لجنة فنيّة مشتركة ستتابع "
             "تنفيذها اعتبارا من الشهر المقبل."},
    [S2A] = {"2024-03-13T05:40:00Z",
             "زلزال بقوة 5.8 درجات يضرب ملطية التركية ويقتل 3 أشخاص",
             "أنقرة – ضرب زلزال بقوة 5.8 درجات على مقياس ريختر ولاية ملطية شرقي تركيا فجر "
             "الأربعاء، ما أسفر عن مقتل 3 أشخاص وإصابة 47 آخرين. وقالت إدارة الكوارث والطوارئ "
             "التركية آفاد إن مركز الزلزال كان في بلدة بوتورغه على عمق 9 كيلومترات. وأعلن "
             "رئيس آفاد أوكتاي يلدز انهيار 14 مبنى قديما، وإرسال فرق الإنقاذ إلى القرى "
             "المحيطة."},
    [S2B] = {"2024-03-13T11:15:00+03:00",
             "3 قتلى و47 جريحا في زلزال ملطية شرق تركيا",
             "لقي 3 أشخاص حتفهم وأصيب 47 بجروح جراء زلزال بلغت قوته 5.8 درجات ضرب ولاية ملطية "
             "في شرق تركيا صباح الأربعاء. وأوضحت هيئة آفاد أن الزلزال وقع على عمق 9 كيلومترات "
             "قرب بلدة بوتورغه، وأدى إلى انهيار 14 مبنى. وأكد أوكتاي يلدز، رئيس الهيئة، أن "
             "فرق البحث والإنقاذ انتشرت في القرى المتضررة، وأن السكان نقلوا إلى خيام "
             "مؤقتة."},
    [S2C] = {"Wed, 13 Mar 2024 11:00:00 GMT",
             "ملطية: زلزال بقوة 5.8 يهدم 14 مبنى",
             "هز زلزال قوي ولاية ملطية التركية فجر اليوم الأربعاء، وبلغت قوته 5.8 درجات، بحسب "
             "هيئة الكوارث والطوارئ آفاد. وأسفر الزلزال الذي كان مركزه بلدة بوتورغه عن 3 "
             "قتلى و47 مصابا، بينما انهار 14 مبنى معظمها منازل طينية قديمة. وقال أوكتاي يلدز "
             "إن الهزات الارتدادية مستمرة، داعيا السكان إلى عدم العودة إلى المباني "
             "المتصدعة."},
    [S3A] = {"2024-03-14T16:30:00Z",
             "المركزي المصري يرفع الفائدة 200 نقطة أساس",
             "القاهرة – قررت لجنة السياسة النقدية في البنك المركزي المصري، في اجتماعها مساء "
             "الخميس، رفع سعري عائد الإيداع والإقراض لليلة واحدة بواقع 200 نقطة أساس إلى "
             "21.25% و22.25% على الترتيب. وقال محافظ البنك المركزي هشام رضوان إن القرار يهدف "
             "إلى كبح التضخم الذي بلغ 35.7% في فبراير، مؤكدا أن البنك سيواصل مراقبة "
             "الأسعار."},
    [S3B] = {"14 Mar 2024 19:10 +0200",
             "مصر ترفع أسعار الفائدة إلى 21.25% لمواجهة التضخم",
             "رفع البنك المركزي المصري أسعار الفائدة الأساسية 200 نقطة أساس، ليصل عائد الإيداع "
             "لليلة واحدة إلى 21.25% وعائد الإقراض إلى 22.25%. وجاء قرار لجنة السياسة النقدية، "
             "الخميس، بعد أن سجل التضخم السنوي 35.7% في فبراير. وأوضح المحافظ هشام رضوان أن "
             "رفع الفائدة ضروري لاحتواء الضغوط على الأسعار، وأن البنك مستعد لاتخاذ إجراءات "
             "إضافية."},
    [S3C] = {"1710445500",
             "رضوان: رفع الفائدة 200 نقطة لكبح تضخم بلغ 35.7%",
             "أعلن البنك المركزي المصري مساء الخميس زيادة أسعار الفائدة بمقدار 200 نقطة أساس، "
             "في خطوة تستهدف التضخم المرتفع. وأصبح عائد الإيداع 21.25% والإقراض 22.25%، وفق "
             "بيان لجنة السياسة النقدية. وقال المحافظ هشام رضوان إن التضخم الذي وصل إلى 35.7% "
             "في فبراير يضغط على دخل الأسر، وإن اللجنة ستراجع قرارها في اجتماعها المقبل."},
    [D1] = {"2024-03-18T10:00:00Z",
            "الحديدي والخطيب يبحثان في دمشق صيانة محطات ضخ درعا",
            "دمشق – بحث وزير المياه الأردني سامر الحديدي مع نظيره السوري عماد الخطيب في دمشق، "
            "اليوم الاثنين، خطة لصيانة محطات الضخ في محافظة درعا المتضررة من الجفاف. واتفق "
            "الجانبان على تمويل مشترك لإصلاح ثلاث محطات قديمة بكلفة 12 مليون دولار، وعلى "
            "تدريب فنيين سوريين في الأردن. وقال الخطيب إن الأعمال ستبدأ قبل نهاية نيسان "
            "المقبل."},
    [D2] = {"2024-03-18 12:00:00",
            "آفاد تسلم أول 200 منزل جاهز لمتضرري زلزال ملطية",
            "ملطية – سلمت هيئة الكوارث والطوارئ التركية آفاد، الاثنين، أول 200 منزل جاهز "
            "للعائلات التي فقدت بيوتها في زلزال ملطية الأسبوع الماضي. وقال رئيس الهيئة "
            "أوكتاي يلدز خلال حفل التسليم في بلدة بوتورغه إن 600 منزل أخرى ستسلم قبل نهاية "
            "الشهر، وإن الحكومة خصصت 30 مليون ليرة لترميم المدارس المتضررة."},
};

/* The expected publication times (UTC), computed with calendar.timegm. */
static const int64_t want_time[NDOCS] = {
    [S1A] = 1710234000, [S1B] = 1710243000, [S1C] = 1710259200, [S1N] = 1710238500,
    [S2A] = 1710308400, [S2B] = 1710317700, [S2C] = 1710327600,
    [S3A] = 1710433800, [S3B] = 1710436200, [S3C] = 1710445500,
    [D1] = 1710756000, [D2] = 1710763200,
};

/* The expected stories, by article. */
static const int want_story[NDOCS] = {
    [S1A] = 1, [S1B] = 1, [S1C] = 1, [S1N] = 1, [S2A] = 2, [S2B] = 2, [S2C] = 2,
    [S3A] = 3, [S3B] = 3, [S3C] = 3, [D1] = 4, [D2] = 5,
};

static tw_doc docs[NDOCS];

/* Engines take a fifth of a second to build: one with the defaults and
 * one with story = 0 serve the whole run. */
static tw_engine *eng, *eng_off;
static tw_scratch *scr, *scr_off;

static int setup(void **state)
{
    (void)state;
    for (int i = 0; i < NDOCS; i++) {
        const article *a = &corpus[i];
        docs[i] = (tw_doc){a->text, strlen(a->text), a->title, strlen(a->title), 0};
        if (tw_parse_time(a->time, strlen(a->time), &docs[i].time) != TW_OK ||
            docs[i].time != want_time[i])
            return -1;
    }
    tw_config cfg;
    tw_config_default(&cfg);
    if (tw_engine_create(&cfg, &eng, NULL, 0) || tw_scratch_create(eng, &scr))
        return -1;
    cfg.story = 0;
    if (tw_engine_create(&cfg, &eng_off, NULL, 0) || tw_scratch_create(eng_off, &scr_off))
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tw_scratch_free(scr);
    tw_scratch_free(scr_off);
    tw_engine_free(eng);
    tw_engine_free(eng_off);
    return 0;
}

typedef struct run {
    tw_engine *e;
    tw_scratch *s;
    tw_batch *b;
    size_t index[NDOCS]; /* batch index of each article */
    int article[NDOCS];  /* article at each batch index */
} run;

/* Adds the articles in `order` to a new batch of engine e and clusters. */
static void run_batch(run *r, tw_engine *e, tw_scratch *s, const int *order)
{
    memset(r, 0, sizeof *r);
    r->e = e;
    r->s = s;
    assert_int_equal(tw_batch_create(r->e, &r->b), TW_OK);
    for (int k = 0; k < NDOCS; k++) {
        int a = order[k];
        size_t idx = 99;
        tw_text_info info;
        assert_int_equal(tw_batch_add_doc(r->b, r->s, &docs[a], &idx, &info), TW_OK);
        assert_int_equal(idx, (size_t)k);
        assert_true(info.tokens >= 40 && info.tokens <= 80);
        r->index[a] = idx;
        r->article[idx] = a;
    }
    assert_int_equal(tw_batch_cluster(r->b), TW_OK);
}

static void free_run(run *r)
{
    tw_batch_free(r->b);
}

static const int input_order[NDOCS] = {S1A, S2A, S1B, D1, S3A, S2B, S1N, S1C, S3B, D2, S2C, S3C};

static size_t story_of(const run *r, int article)
{
    return tw_batch_story(r->b, r->index[article]);
}

static const char *const names[NDOCS] = {"S1A", "S1B", "S1C", "S1N", "S2A", "S2B",
                                          "S2C", "S3A", "S3B", "S3C", "D1", "D2"};

static void test_stories_found(void **state)
{
    (void)state;
    run r;
    run_batch(&r, eng, scr, input_order);
    for (int a = 0; a < NDOCS; a++)
        for (int b = a + 1; b < NDOCS; b++) {
            int same = story_of(&r, a) == story_of(&r, b);
            int want = want_story[a] == want_story[b];
            if (same != want)
                fail_msg("%s and %s: same story %d, want %d", names[a], names[b], same, want);
        }
    /* the near-copy: one dup cluster with its original, and only that */
    assert_int_equal(tw_batch_dup(r.b, r.index[S1N]), r.index[S1A]);
    assert_int_equal(tw_batch_dup(r.b, r.index[S1A]), r.index[S1A]);
    for (int a = 0; a < NDOCS; a++)
        if (a != S1N)
            assert_int_equal(tw_batch_dup(r.b, r.index[a]), r.index[a]);
    free_run(&r);
}

static void test_story_ids_are_earliest_members(void **state)
{
    (void)state;
    run r;
    run_batch(&r, eng, scr, input_order);
    size_t n = tw_batch_size(r.b);
    assert_int_equal(n, NDOCS);
    for (size_t i = 0; i < n; i++) {
        size_t s = tw_batch_story(r.b, i);
        assert_true(s <= i);
        assert_int_equal(tw_batch_story(r.b, s), s);
        for (size_t j = 0; j < s; j++)
            assert_true(tw_batch_story(r.b, j) != s);
        /* a story holds whole dup clusters */
        assert_int_equal(tw_batch_story(r.b, tw_batch_dup(r.b, i)), s);
    }
    /* the water story is named by S1A, added first */
    assert_int_equal(story_of(&r, S1C), 0);
    assert_int_equal(story_of(&r, S2C), r.index[S2A]);
    assert_int_equal(story_of(&r, S3C), r.index[S3A]);
    assert_true(tw_batch_story(r.b, n) == (size_t)-1);
    assert_true(tw_batch_story(r.b, (size_t)-1) == (size_t)-1);
    assert_true(tw_batch_story(NULL, 0) == (size_t)-1);
    free_run(&r);
}

static void test_order_independent(void **state)
{
    (void)state;
    run ref;
    run_batch(&ref, eng, scr, input_order);
    uint64_t rng = 2024;
    for (int round = 0; round < 4; round++) {
        int order[NDOCS];
        for (int i = 0; i < NDOCS; i++)
            order[i] = round == 0 ? NDOCS - 1 - i : i; /* reversed, then shuffled */
        if (round > 0)
            tw_test_shuffle(&rng, order, NDOCS, sizeof order[0]);
        run r;
        run_batch(&r, eng, scr, order);
        for (int a = 0; a < NDOCS; a++) {
            for (int b = a + 1; b < NDOCS; b++) {
                int x = story_of(&ref, a) == story_of(&ref, b);
                int y = story_of(&r, a) == story_of(&r, b);
                if (x != y)
                    fail_msg("round %d: %s and %s together %d, in input order %d", round,
                             names[a], names[b], y, x);
            }
            /* each story is named by its earliest member in this order */
            size_t s = story_of(&r, a), first = (size_t)-1;
            for (int b = 0; b < NDOCS; b++)
                if (story_of(&r, b) == s && r.index[b] < first)
                    first = r.index[b];
            assert_int_equal(s, first);
        }
        free_run(&r);
    }
    free_run(&ref);
}

static void test_story_off(void **state)
{
    (void)state;
    assert_int_equal(tw_engine_config(eng_off)->story, 0);
    run r;
    run_batch(&r, eng_off, scr_off, input_order);
    for (size_t i = 0; i < NDOCS; i++)
        assert_true(tw_batch_story(r.b, i) == (size_t)-1);
    /* near-copies are still found */
    assert_int_equal(tw_batch_dup(r.b, r.index[S1N]), r.index[S1A]);
    tw_batch_stats st;
    assert_int_equal(tw_batch_stats_get(r.b, &st), TW_OK);
    assert_int_equal(st.story_clusters, 0);
    assert_int_equal(st.story_clustered_docs, 0);
    assert_int_equal(st.largest_story, 0);
    assert_int_equal(st.dup_clusters, 1);
    /* nothing to explain */
    tw_story_explanation ex;
    assert_int_equal(tw_batch_explain(r.b, r.s, 0, &docs[S1A], 1, &docs[S2A], &ex), TW_ESTATE);
    free_run(&r);
}

static void test_explain_rewrites(void **state)
{
    (void)state;
    run r;
    run_batch(&r, eng, scr, input_order);
    tw_story_explanation ex;
    assert_int_equal(tw_batch_explain(r.b, r.s, r.index[S1A], &docs[S1A], r.index[S1B],
                                      &docs[S1B], &ex),
                     TW_OK);
    assert_int_equal(ex.same_story, 1);
    assert_int_equal(ex.same_dup, 0);
    assert_true(ex.threshold == 0.22);
    assert_true(ex.cosine > 0 && ex.cosine < 1);
    /* 09:00 and 11:30 UTC, both naming the day of publication: 2.5 hours */
    assert_true(fabs(ex.gap_days - 2.5 / 24) < 1e-9);
    assert_true(fabs(ex.time_factor - exp(-2.5 / 24)) < 1e-9);
    assert_true(fabs(ex.score - ex.cosine * ex.time_factor) < 1e-12);
    assert_true(ex.score >= ex.threshold);
    assert_true(ex.ntop > 0 && ex.ntop <= 16);
    assert_true(ex.shared >= ex.ntop);
    double sum = 0;
    int names_seen = 0;
    for (size_t k = 0; k < ex.ntop; k++) {
        assert_true(strlen(ex.top[k].text) > 0);
        assert_string_not_equal(ex.top[k].text, "?");
        assert_true(ex.top[k].contribution > 0);
        if (k > 0)
            assert_true(ex.top[k].contribution <= ex.top[k - 1].contribution);
        assert_true(ex.top[k].is_name == 0 || ex.top[k].is_name == 1);
        names_seen += ex.top[k].is_name;
        sum += ex.top[k].contribution;
    }
    if (ex.shared <= 16)
        assert_true(fabs(sum - ex.cosine) < 1e-5);
    else
        assert_true(sum <= ex.cosine + 1e-5);
    (void)names_seen;
    /* symmetric */
    tw_story_explanation ey;
    assert_int_equal(tw_batch_explain(r.b, r.s, r.index[S1B], &docs[S1B], r.index[S1A],
                                      &docs[S1A], &ey),
                     TW_OK);
    assert_true(fabs(ey.cosine - ex.cosine) < 1e-6);
    assert_true(ey.score == ex.score || fabs(ey.score - ex.score) < 1e-6);
    assert_int_equal(ey.same_story, 1);

    /* every rewrite pair reaches a positive score and shares the story */
    static const int pairs[][2] = {{S1A, S1C}, {S1B, S1C}, {S2A, S2B}, {S2A, S2C},
                                   {S2B, S2C}, {S3A, S3B}, {S3A, S3C}, {S3B, S3C}};
    for (size_t p = 0; p < sizeof pairs / sizeof pairs[0]; p++) {
        int a = pairs[p][0], b = pairs[p][1];
        assert_int_equal(tw_batch_explain(r.b, r.s, r.index[a], &docs[a], r.index[b], &docs[b],
                                          &ex),
                         TW_OK);
        if (!ex.same_story || !(ex.score > 0.1))
            fail_msg("%s / %s: same_story %d, score %.3f", names[a], names[b], ex.same_story,
                     ex.score);
        assert_true(fabs(ex.score - ex.cosine * ex.time_factor) < 1e-12);
    }

    /* the near-copy: one unit, cosine 1 */
    assert_int_equal(tw_batch_explain(r.b, r.s, r.index[S1A], &docs[S1A], r.index[S1N],
                                      &docs[S1N], &ex),
                     TW_OK);
    assert_int_equal(ex.same_dup, 1);
    assert_int_equal(ex.same_story, 1);
    assert_true(ex.cosine == 1.0);
    free_run(&r);
}

static void test_explain_distractors(void **state)
{
    (void)state;
    run r;
    run_batch(&r, eng, scr, input_order);
    tw_story_explanation ex;
    static const int pairs[][2] = {{S1A, D1}, {S1C, D1}, {S2A, D2}, {S2C, D2}};
    for (size_t p = 0; p < sizeof pairs / sizeof pairs[0]; p++) {
        int a = pairs[p][0], b = pairs[p][1];
        assert_int_equal(tw_batch_explain(r.b, r.s, r.index[a], &docs[a], r.index[b], &docs[b],
                                          &ex),
                         TW_OK);
        assert_int_equal(ex.same_story, 0);
        assert_int_equal(ex.same_dup, 0);
        /* they share people and places… */
        assert_true(ex.cosine > 0);
        assert_true(ex.shared > 0);
        /* …but are days apart: outside the three-day window */
        assert_true(ex.gap_days > 4);
        assert_true(ex.time_factor == 0.0);
        assert_true(ex.score == 0.0);
    }
    /* different stories on neighbouring days */
    assert_int_equal(tw_batch_explain(r.b, r.s, r.index[S1A], &docs[S1A], r.index[S2A],
                                      &docs[S2A], &ex),
                     TW_OK);
    assert_int_equal(ex.same_story, 0);
    assert_true(ex.score < ex.threshold);
    free_run(&r);
}

static void test_explain_errors(void **state)
{
    (void)state;
    run r;
    run_batch(&r, eng, scr, input_order);
    tw_story_explanation ex;
    size_t i = r.index[S1A], j = r.index[S1B];
    const tw_doc *a = &docs[S1A], *b = &docs[S1B];
    assert_int_equal(tw_batch_explain(NULL, r.s, i, a, j, b, &ex), TW_EINVAL);
    assert_int_equal(tw_batch_explain(r.b, NULL, i, a, j, b, &ex), TW_EINVAL);
    assert_int_equal(tw_batch_explain(r.b, r.s, i, NULL, j, b, &ex), TW_EINVAL);
    assert_int_equal(tw_batch_explain(r.b, r.s, i, a, j, NULL, &ex), TW_EINVAL);
    assert_int_equal(tw_batch_explain(r.b, r.s, i, a, j, b, NULL), TW_EINVAL);
    assert_int_equal(tw_batch_explain(r.b, r.s, NDOCS, a, j, b, &ex), TW_ERANGE);
    assert_int_equal(tw_batch_explain(r.b, r.s, i, a, (size_t)-1, b, &ex), TW_ERANGE);

    /* a scratch of another engine */
    assert_int_equal(tw_batch_explain(r.b, scr_off, i, a, j, b, &ex), TW_EINVAL);

    /* before clustering */
    tw_batch *b2 = NULL;
    size_t idx;
    assert_int_equal(tw_batch_create(eng, &b2), TW_OK);
    assert_int_equal(tw_batch_add_doc(b2, scr, a, &idx, NULL), TW_OK);
    assert_int_equal(tw_batch_add_doc(b2, scr, b, &idx, NULL), TW_OK);
    assert_int_equal(tw_batch_explain(b2, scr, 0, a, 1, b, &ex), TW_ESTATE);
    assert_true(tw_batch_story(b2, 0) == (size_t)-1);
    assert_int_equal(tw_batch_cluster(b2), TW_OK);
    assert_int_equal(tw_batch_cluster(b2), TW_ESTATE);
    assert_int_equal(tw_batch_explain(b2, scr, 0, a, 1, b, &ex), TW_OK);
    assert_int_equal(tw_batch_explain(b2, scr, 0, a, 2, b, &ex), TW_ERANGE);
    /* after clustering nothing more is added */
    assert_int_equal(tw_batch_add_doc(b2, scr, a, &idx, NULL), TW_ESTATE);
    tw_batch_free(b2);
    free_run(&r);
}

static void test_add_doc_arguments(void **state)
{
    (void)state;
    tw_scratch *s = scr;
    tw_batch *b = NULL;
    assert_int_equal(tw_batch_create(eng, &b), TW_OK);
    size_t idx = 77;
    tw_doc d = docs[S2A];
    d.title = NULL; /* a length with no title */
    assert_int_equal(tw_batch_add_doc(b, s, &d, &idx, NULL), TW_EINVAL);
    d = docs[S2A];
    d.text = NULL;
    assert_int_equal(tw_batch_add_doc(b, s, &d, &idx, NULL), TW_EINVAL);
    assert_int_equal(tw_batch_add_doc(b, s, NULL, &idx, NULL), TW_EINVAL);
    assert_int_equal(tw_batch_add_doc(b, s, &docs[S2A], NULL, NULL), TW_EINVAL);
    assert_int_equal(idx, 77);
    /* no title, no time: accepted */
    d = docs[S2A];
    d.title = NULL;
    d.title_len = 0;
    d.time = TW_TIME_NONE;
    assert_int_equal(tw_batch_add_doc(b, s, &d, &idx, NULL), TW_OK);
    assert_int_equal(idx, 0);
    assert_int_equal(tw_batch_add_doc(b, s, &docs[S2B], &idx, NULL), TW_OK);
    assert_int_equal(tw_batch_cluster(b), TW_OK);
    /* the time-less report sits at no time: the gap is unknown, not decayed */
    tw_story_explanation ex;
    assert_int_equal(tw_batch_explain(b, s, 0, &d, 1, &docs[S2B], &ex), TW_OK);
    assert_true(isnan(ex.gap_days));
    assert_true(ex.time_factor == 1.0);
    tw_batch_free(b);
}

static void test_stats(void **state)
{
    (void)state;
    run r;
    run_batch(&r, eng, scr, input_order);
    tw_batch_stats st;
    assert_int_equal(tw_batch_stats_get(r.b, &st), TW_OK);
    assert_int_equal(st.documents, NDOCS);
    assert_int_equal(st.dup_clusters, 1);
    assert_int_equal(st.dup_clustered_docs, 2);
    /* recount from tw_batch_story */
    size_t size[NDOCS] = {0}, clusters = 0, docs_in = 0, largest = 0;
    for (size_t i = 0; i < NDOCS; i++)
        size[tw_batch_story(r.b, i)]++;
    for (size_t i = 0; i < NDOCS; i++)
        if (size[i] >= 2) {
            clusters++;
            docs_in += size[i];
            largest = size[i] > largest ? size[i] : largest;
        }
    assert_int_equal(st.story_clusters, clusters);
    assert_int_equal(st.story_clustered_docs, docs_in);
    assert_int_equal(st.largest_story, largest);
    /* and from the expected stories: 4 + 3 + 3 */
    assert_int_equal(st.story_clusters, 3);
    assert_int_equal(st.story_clustered_docs, 10);
    assert_int_equal(st.largest_story, 4);
    assert_int_equal(tw_batch_stats_get(r.b, NULL), TW_EINVAL);
    assert_int_equal(tw_batch_stats_get(NULL, &st), TW_EINVAL);
    free_run(&r);
}

/* Is s valid UTF-8 (no cut characters)? */
static int valid_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        int n = *p < 0x80 ? 0 : (*p & 0xE0) == 0xC0 ? 1 : (*p & 0xF0) == 0xE0 ? 2
                : (*p & 0xF8) == 0xF0 ? 3 : -1;
        if (n < 0)
            return 0;
        p++;
        for (int k = 0; k < n; k++, p++)
            if ((*p & 0xC0) != 0x80)
                return 0;
    }
    return 1;
}

static void test_explain_gazetteer_labels(void **state)
{
    (void)state;
    /* with a gazetteer entity, the explanation names it by its words */
    tw_config cfg;
    tw_config_default(&cfg);
    cfg.gazetteer = "أوكتاي يلدز|يلدز|يلديز\n";
    tw_engine *e = NULL;
    tw_scratch *s = NULL;
    assert_int_equal(tw_engine_create(&cfg, &e, NULL, 0), TW_OK);
    assert_int_equal(tw_scratch_create(e, &s), TW_OK);
    run r;
    run_batch(&r, e, s, input_order);
    assert_int_equal(story_of(&r, S2B), story_of(&r, S2A));
    tw_story_explanation ex;
    assert_int_equal(tw_batch_explain(r.b, r.s, r.index[S2A], &docs[S2A], r.index[S2B],
                                      &docs[S2B], &ex),
                     TW_OK);
    int found = 0;
    for (size_t k = 0; k < ex.ntop; k++) {
        if (!valid_utf8(ex.top[k].text))
            fail_msg("top[%zu] is not valid UTF-8: \"%s\"", k, ex.top[k].text);
        size_t l = strlen(ex.top[k].text);
        if (l == 0 || ex.top[k].text[0] == ' ' || ex.top[k].text[l - 1] == ' ')
            fail_msg("top[%zu] is not a word or name: \"%s\"", k, ex.top[k].text);
        found += ex.top[k].is_name && (strcmp(ex.top[k].text, "اوكتاي يلدز") == 0 ||
                                       strcmp(ex.top[k].text, "يلدز") == 0);
    }
    assert_true(found >= 1);
    free_run(&r);
    tw_scratch_free(s);
    tw_engine_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stories_found),
        cmocka_unit_test(test_story_ids_are_earliest_members),
        cmocka_unit_test(test_order_independent),
        cmocka_unit_test(test_story_off),
        cmocka_unit_test(test_explain_rewrites),
        cmocka_unit_test(test_explain_distractors),
        cmocka_unit_test(test_explain_errors),
        cmocka_unit_test(test_add_doc_arguments),
        cmocka_unit_test(test_stats),
        cmocka_unit_test(test_explain_gazetteer_labels),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
