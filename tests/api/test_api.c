/*
 * test_api.c — the public API of libtawam, through tawam.h only.
 *
 * tawam.h is the specification: every entry point must reject bad
 * arguments with a status instead of crashing, configurations out of range
 * must be refused, the batch must follow its add → cluster → read life
 * cycle, and clustering must find near-copies made by the edits news sites
 * really make (tatweel, diacritics, hamza on alef, a "follow us" line, a
 * dropped sentence) while keeping different stories apart, naming each
 * cluster by its earliest member whatever the input order.
 *
 * The Arabic texts are short news-style paragraphs written for this test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "../tw_test_util.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tawam.h"
#include "api/tw_api.h" /* tw__batch_force_df_buckets */


/* ------------------------------------------------------------ the texts */

#define NBASE 6

/* Six stories on different topics, five sentences each, "." between. */
static const char *const BASE[NBASE] = {
    /* weather */
    "شهدت المدينة الساحلية أمطارا غزيرة منذ ساعات الفجر الأولى وأدت إلى تجمع المياه في "
    "الشوارع الرئيسية. وأعلنت إدارة الدفاع المدني رفع درجة الاستعداد في جميع المراكز "
    "التابعة لها تحسبا لأي طارئ. وطالبت السلطات السكان بتجنب الاقتراب من مجاري السيول "
    "والأودية خلال الأيام المقبلة. وتوقع خبراء الأرصاد أن تستمر الحالة الجوية غير "
    "المستقرة حتى نهاية الأسبوع مع انخفاض ملحوظ في درجات الحرارة. وقررت السلطات المحلية "
    "تأجيل الفعاليات الخارجية المقررة يوم غد في الحدائق العامة والواجهة البحرية.",
    /* football */
    "حقق فريق النادي الأهلي فوزا ثمينا على منافسه التقليدي بهدفين مقابل هدف واحد في "
    "المباراة التي أقيمت مساء أمس. وسجل المهاجم الشاب الهدف الأول في الدقيقة العشرين بعد "
    "تمريرة متقنة من زميله في خط الوسط. وأدرك الفريق الضيف التعادل مطلع الشوط الثاني من "
    "ركلة جزاء أثارت اعتراض الجماهير. وجاء هدف الفوز قبل النهاية بخمس دقائق إثر رأسية "
    "قوية من المدافع المخضرم. وبهذه النتيجة يرتقي الفريق إلى المركز الثاني في جدول ترتيب "
    "الدوري برصيد ثلاثين نقطة.",
    /* economy */
    "ارتفعت أسعار النفط في التعاملات الآسيوية اليوم بعد أن أعلنت الدول المنتجة عزمها خفض "
    "الإنتاج خلال الربع المقبل. وصعد سعر خام برنت إلى أعلى مستوى له منذ ثلاثة أشهر وسط "
    "مخاوف من نقص الإمدادات. وقال محللون إن الطلب العالمي على الطاقة ما زال قويا رغم "
    "تباطؤ النمو في بعض الاقتصادات الكبرى. في المقابل تراجعت أسواق الأسهم الإقليمية بشكل "
    "طفيف مع ترقب المستثمرين لقرار البنك المركزي بشأن أسعار الفائدة. ويرى مراقبون أن "
    "استمرار الارتفاع قد يدعم موازنات الدول المصدرة ويقلص العجز المالي المتوقع.",
    /* health */
    "أطلقت وزارة الصحة حملة وطنية لتطعيم الأطفال ضد الحصبة وشلل الأطفال تستمر أسبوعين في "
    "جميع المحافظات. وتستهدف الحملة أكثر من مليوني طفل دون سن الخامسة عبر فرق متنقلة تزور "
    "المنازل والمدارس ورياض الأطفال. وأكد مسؤول في الوزارة أن اللقاحات المستخدمة آمنة "
    "ومعتمدة من منظمة الصحة العالمية. ودعا الأسر إلى التعاون مع العاملين الصحيين وعدم "
    "الالتفات إلى الشائعات المنتشرة على مواقع التواصل. وأشار إلى أن نسبة التغطية في الحملة "
    "السابقة تجاوزت تسعين في المئة في أغلب المناطق.",
    /* education */
    "بدأ أكثر من مئة ألف طالب وطالبة امتحانات الثانوية العامة صباح اليوم وسط إجراءات "
    "تنظيمية مشددة. وانطلقت الامتحانات بمادة اللغة العربية التي وصفها عدد من الطلاب بأنها "
    "متوسطة الصعوبة ومناسبة للوقت المحدد. وخصصت الجهات المعنية غرفة عمليات مركزية لمتابعة "
    "سير الامتحانات والتعامل الفوري مع أي شكوى. ومنعت اللجان إدخال الهواتف المحمولة إلى "
    "قاعات الامتحان حفاظا على نزاهة العملية. ومن المقرر إعلان النتائج النهائية في منتصف "
    "الشهر المقبل عبر الموقع الإلكتروني الرسمي.",
    /* technology */
    "كشفت شركة ناشئة محلية عن تطبيق جديد يساعد المزارعين على مراقبة رطوبة التربة وجودة "
    "المحاصيل باستخدام الهاتف الذكي. ويعتمد التطبيق على أجهزة استشعار صغيرة تثبت في "
    "الحقول وترسل بياناتها لحظيا إلى خوادم الشركة. وقال مؤسس الشركة إن الفكرة ولدت من "
    "معاناة عائلته في إدارة مزرعة صغيرة خلال سنوات الجفاف. وحصلت الشركة على تمويل أولي من "
    "صندوق استثماري يدعم مشاريع الابتكار الزراعي في المنطقة. وتخطط الشركة لتوسيع خدماتها "
    "لتشمل التنبؤ بالآفات وتقديم نصائح الري المناسبة لكل محصول.",
};

/* --------------------------------------------------------- perturbations */

typedef struct str {
    char *p;
    size_t len;
} str;

static str str_dup(const char *s)
{
    str r = {malloc(strlen(s) + 1), strlen(s)};
    assert_non_null(r.p);
    memcpy(r.p, s, r.len + 1);
    return r;
}

static void str_free(str *s)
{
    free(s->p);
    s->p = NULL;
    s->len = 0;
}

/* The code point of a 2-byte UTF-8 sequence at p, or 0. */
static unsigned cp2(const char *p)
{
    unsigned char a = (unsigned char)p[0], b = (unsigned char)p[1];
    if (a >= 0xC0 && a < 0xE0 && (b & 0xC0) == 0x80)
        return ((a & 0x1Fu) << 6) | (b & 0x3Fu);
    return 0;
}

static int is_arabic_letter(unsigned cp)
{
    return cp >= 0x0621 && cp <= 0x064A && cp != 0x0640;
}

/* After every `every`-th Arabic letter that another Arabic letter follows,
 * inserts the 2-byte UTF-8 sequence `ins` (cycling through nins of them). */
static str insert_after_letters(const str *in, int every, const char *const *ins, int nins)
{
    str r = {malloc(in->len * 3 + 1), 0};
    assert_non_null(r.p);
    int letters = 0, k = 0;
    for (size_t i = 0; i < in->len;) {
        unsigned c = cp2(in->p + i);
        if (c) {
            memcpy(r.p + r.len, in->p + i, 2);
            r.len += 2;
            i += 2;
            if (is_arabic_letter(c) && i + 1 < in->len && is_arabic_letter(cp2(in->p + i)) &&
                ++letters % every == 0) {
                memcpy(r.p + r.len, ins[k++ % nins], 2);
                r.len += 2;
            }
        } else {
            r.p[r.len++] = in->p[i++];
        }
    }
    r.p[r.len] = 0;
    return r;
}

static const char *const TATWEEL[] = {"\xD9\x80"};                      /* U+0640 */
static const char *const HARAKAT[] = {"\xD9\x8E", "\xD9\x90", "\xD9\x8F", /* fatha kasra damma */
                                      "\xD9\x91", "\xD9\x92", "\xD9\x8B"}; /* shadda sukun tanween */

static str with_tatweel(const str *in)
{
    return insert_after_letters(in, 3, TATWEEL, 1);
}

static str with_diacritics(const str *in)
{
    return insert_after_letters(in, 2, HARAKAT, 6);
}

/* أ ↔ ا and إ → ا: the hamza spelling varies between papers. */
static str swap_alef(const str *in)
{
    str r = str_dup(in->p);
    for (size_t i = 0; i + 1 < r.len; i++) {
        if ((unsigned char)r.p[i] != 0xD8)
            continue;
        unsigned char b = (unsigned char)r.p[i + 1];
        if (b == 0xA3 || b == 0xA5) /* أ إ */
            r.p[i + 1] = (char)0xA7;
        else if (b == 0xA7) /* ا */
            r.p[i + 1] = (char)0xA3;
        i++;
    }
    return r;
}

static str append_line(const str *in, const char *line)
{
    size_t l = strlen(line);
    str r = {malloc(in->len + l + 2), in->len + l + 1};
    assert_non_null(r.p);
    memcpy(r.p, in->p, in->len);
    r.p[in->len] = '\n';
    memcpy(r.p + in->len + 1, line, l + 1);
    return r;
}

/* Removes sentence `idx` (0-based; sentences end with ".") and the space
 * after it. */
static str delete_sentence(const str *in, int idx)
{
    size_t start = 0;
    for (int s = 0; s < idx; s++) {
        const char *dot = memchr(in->p + start, '.', in->len - start);
        assert_non_null(dot);
        start = (size_t)(dot - in->p) + 1;
        while (start < in->len && in->p[start] == ' ')
            start++;
    }
    const char *dot = memchr(in->p + start, '.', in->len - start);
    assert_non_null(dot);
    size_t end = (size_t)(dot - in->p) + 1;
    while (end < in->len && in->p[end] == ' ')
        end++;
    str r = {malloc(in->len + 1), 0};
    assert_non_null(r.p);
    memcpy(r.p, in->p, start);
    memcpy(r.p + start, in->p + end, in->len - end);
    r.len = start + in->len - end;
    r.p[r.len] = 0;
    assert_true(r.len < in->len);
    return r;
}

#define FOLLOW_US "تابعونا على تويتر"

/* The collection: each base story and its near-copies. */
#define MAXDOCS 40
typedef struct corpus {
    str doc[MAXDOCS];
    int group[MAXDOCS];
    size_t n;
} corpus;

static void corpus_add(corpus *c, str s, int group)
{
    assert_true(c->n < MAXDOCS);
    c->doc[c->n] = s;
    c->group[c->n++] = group;
}

/* Each story and three near-copies: 24 documents. */
static void build_corpus(corpus *c)
{
    memset(c, 0, sizeof *c);
    for (int g = 0; g < NBASE; g++) {
        str base = str_dup(BASE[g]);
        /* 1: tatweel and diacritics (identical after folding) */
        str t = with_tatweel(&base);
        corpus_add(c, with_diacritics(&t), g);
        str_free(&t);
        /* 2: hamza spelling and a "follow us" line (identical after folding
         * and stripping); in half of the stories also the second sentence
         * dropped and diacritics added */
        if (g % 2 == 0) {
            str d = delete_sentence(&base, 1), dd = with_diacritics(&d), a = swap_alef(&dd);
            corpus_add(c, append_line(&a, FOLLOW_US), g);
            str_free(&d);
            str_free(&dd);
            str_free(&a);
        } else {
            str a = swap_alef(&base);
            corpus_add(c, append_line(&a, FOLLOW_US), g);
            str_free(&a);
        }
        /* 3: the third sentence dropped, with tatweel */
        str d = delete_sentence(&base, 2);
        corpus_add(c, with_tatweel(&d), g);
        str_free(&d);
        corpus_add(c, base, g);
    }
}

static void free_corpus(corpus *c)
{
    for (size_t i = 0; i < c->n; i++)
        str_free(&c->doc[i]);
    c->n = 0;
}


/* ------------------------------------------------------------ fixtures */

typedef struct fixture {
    tw_engine *e;
    tw_scratch *s;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    char err[256];
    if (tw_engine_create(NULL, &f->e, err, sizeof err) != TW_OK || !f->e)
        return -1;
    if (tw_scratch_create(f->e, &f->s) != TW_OK || !f->s)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    if (f) {
        tw_scratch_free(f->s);
        tw_engine_free(f->e);
        free(f);
    }
    return 0;
}

/* -------------------------------------------------------- status, names */

static void test_strerror_codes(void **state)
{
    (void)state;
    static const struct {
        int code;
        const char *msg;
    } map[] = {
#define ENTRY(name, value, msg) {TW_##name, msg},
        TW_ERRNO_MAP(ENTRY)
#undef ENTRY
    };
    const size_t n = sizeof map / sizeof map[0];
    assert_true(n >= 10);
    for (size_t i = 0; i < n; i++) {
        const char *m = tw_strerror(map[i].code);
        assert_non_null(m);
        assert_string_equal(m, map[i].msg);
        assert_string_not_equal(m, "unknown error");
        for (size_t j = 0; j < i; j++) {
            assert_int_not_equal(map[i].code, map[j].code);
            assert_string_not_equal(m, tw_strerror(map[j].code));
        }
    }
    const char *ok = tw_strerror(TW_OK);
    assert_non_null(ok);
    for (size_t i = 0; i < n; i++)
        assert_string_not_equal(ok, map[i].msg);
    const int unknown[] = {1, 2, -11, -100, 12345, INT_MIN, INT_MAX};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        assert_non_null(tw_strerror(unknown[i]));
        assert_string_equal(tw_strerror(unknown[i]), "unknown error");
    }
    assert_string_equal(tw_version(), TW_VERSION_STRING);
}

static void test_norm_rule_names(void **state)
{
    (void)state;
    static const char *const names[] = {"nfkc", "diacritics", "tatweel", "controls", "alef",
                                        "yaa", "taa-marbuta", "hamza-seats", "digits", "persian",
                                        "case", "spaces", "punct"};
    static const unsigned bits[] = {TW_NORM_NFKC, TW_NORM_DIACRITICS, TW_NORM_TATWEEL,
                                    TW_NORM_CONTROLS, TW_NORM_ALEF, TW_NORM_YAA,
                                    TW_NORM_TAA_MARBUTA, TW_NORM_HAMZA_SEATS, TW_NORM_DIGITS,
                                    TW_NORM_PERSIAN, TW_NORM_CASE, TW_NORM_SPACES, TW_NORM_PUNCT};
    unsigned all = 0;
    for (size_t i = 0; i < 13; i++) {
        assert_int_equal(tw_norm_rule_from_name(names[i]), bits[i]);
        assert_non_null(tw_norm_rule_name(bits[i]));
        assert_string_equal(tw_norm_rule_name(bits[i]), names[i]);
        all |= bits[i];
    }
    assert_int_equal(all, TW_NORM_ALL);
    assert_int_equal(tw_norm_rule_from_name(NULL), 0);
    assert_int_equal(tw_norm_rule_from_name(""), 0);
    assert_int_equal(tw_norm_rule_from_name("bogus"), 0);
    assert_int_equal(tw_norm_rule_from_name("NFKC "), 0);
    assert_null(tw_norm_rule_name(0));
    assert_null(tw_norm_rule_name(TW_NORM_NFKC | TW_NORM_ALEF));
    assert_null(tw_norm_rule_name(1u << 13));
}

/* ---------------------------------------------------------- configuration */

static void test_config_default_values(void **state)
{
    (void)state;
    tw_config c;
    memset(&c, 0xAB, sizeof c);
    tw_config_default(&c);
    assert_int_equal(c.norm_rules, TW_NORM_DEFAULT);
    assert_int_equal(c.norm_rules, TW_NORM_ALL);
    assert_int_equal(c.builtin_strip, 1);
    assert_null(c.strip_patterns);
    assert_int_equal(c.shingle_k, 4);
    assert_true(c.threshold == 0.4);
    assert_int_equal(c.common_df, 16);
    assert_true(c.template_share == 0.2);
    assert_int_equal(c.seed, 0);
    tw_config_default(NULL); /* no-op, no crash */
}

static void expect_rejected(const tw_config *c)
{
    tw_engine *e = (tw_engine *)(uintptr_t)1;
    char err[128];
    assert_int_equal(tw_engine_create(c, &e, err, sizeof err), TW_EINVAL);
    assert_int_equal(tw_engine_create(c, &e, NULL, 0), TW_EINVAL);
}

static void test_engine_rejects_bad_config(void **state)
{
    (void)state;
    tw_config c;
    tw_config_default(&c);
    c.shingle_k = 0;
    expect_rejected(&c);
    c.shingle_k = 17;
    expect_rejected(&c);
    c.shingle_k = -3;
    expect_rejected(&c);
    tw_config_default(&c);
    c.threshold = 0.0;
    expect_rejected(&c);
    c.threshold = 1.5;
    expect_rejected(&c);
    c.threshold = -0.2;
    expect_rejected(&c);
    c.threshold = NAN;
    expect_rejected(&c);
    tw_config_default(&c);
    c.template_share = -0.1;
    expect_rejected(&c);
    c.template_share = NAN;
    expect_rejected(&c);
    tw_config_default(&c);
    c.norm_rules = TW_NORM_ALL | (1u << 13);
    expect_rejected(&c);
    c.norm_rules = 0x80000000u;
    expect_rejected(&c);
    /* NULL out */
    assert_int_equal(tw_engine_create(NULL, NULL, NULL, 0), TW_EINVAL);
    tw_config_default(&c);
    assert_int_equal(tw_engine_create(&c, NULL, NULL, 0), TW_EINVAL);
}

static void test_engine_accepts_edges_and_reports_config(void **state)
{
    (void)state;
    /* the edges of every range at once */
    tw_config c;
    tw_config_default(&c);
    c.shingle_k = 16;
    c.threshold = 1.0;
    c.template_share = 1.0;
    c.norm_rules = 0;
    c.common_df = 0;
    c.seed = 99;
    c.strip_patterns = "# my site\nline xyz footer\nspan qqq+\n";
    char pat_copy[64];
    strcpy(pat_copy, c.strip_patterns);
    c.strip_patterns = pat_copy;
    tw_engine *e = NULL;
    char err[256];
    assert_int_equal(tw_engine_create(&c, &e, err, sizeof err), TW_OK);
    assert_non_null(e);
    const tw_config *got = tw_engine_config(e);
    assert_non_null(got);
    assert_int_equal(got->shingle_k, 16);
    assert_true(got->threshold == 1.0);
    assert_true(got->template_share == 1.0);
    assert_int_equal(got->norm_rules, 0);
    assert_int_equal(got->common_df, 0);
    assert_int_equal(got->seed, 99);
    /* the pattern text is copied */
    assert_non_null(got->strip_patterns);
    assert_ptr_not_equal(got->strip_patterns, pat_copy);
    assert_string_equal(got->strip_patterns, pat_copy);
    memset(pat_copy, 'z', sizeof pat_copy - 1);
    assert_string_equal(got->strip_patterns, "# my site\nline xyz footer\nspan qqq+\n");
    tw_engine_free(e);

    /* the other end, with defaults otherwise */
    tw_config_default(&c);
    c.shingle_k = 1;
    c.template_share = 0.0;
    c.threshold = 1e-6;
    assert_int_equal(tw_engine_create(&c, &e, NULL, 0), TW_OK);
    got = tw_engine_config(e);
    assert_int_equal(got->shingle_k, 1);
    assert_null(got->strip_patterns);
    tw_engine_free(e);
    assert_null(tw_engine_config(NULL));
}

static void test_engine_bad_pattern_names_line(void **state)
{
    (void)state;
    tw_config c;
    tw_config_default(&c);
    c.builtin_strip = 0;
    c.strip_patterns = "# comment\nspan ok\nline (unclosed\n";
    tw_engine *e = NULL;
    char err[256] = "untouched";
    assert_int_equal(tw_engine_create(&c, &e, err, sizeof err), TW_EPATTERN);
    assert_non_null(strstr(err, "line 3"));
    /* blank lines count as lines */
    c.strip_patterns = "# c\n\nspan [z-a]\nline fine\n";
    strcpy(err, "untouched");
    assert_int_equal(tw_engine_create(&c, &e, err, sizeof err), TW_EPATTERN);
    assert_non_null(strstr(err, "line 3"));
}

/* ------------------------------------------------------ NULL and nonsense */

static void test_null_arguments(void **state)
{
    fixture *f = *state;
    tw_engine_free(NULL);
    tw_scratch_free(NULL);
    tw_batch_free(NULL);

    tw_scratch *s = NULL;
    assert_int_equal(tw_scratch_create(NULL, &s), TW_EINVAL);
    assert_int_equal(tw_scratch_create(f->e, NULL), TW_EINVAL);

    const char *out = NULL;
    size_t out_len = 0;
    tw_text_info info;
    assert_int_equal(tw_normalize(NULL, "abc", 3, 1, &out, &out_len, &info), TW_EINVAL);
    assert_int_equal(tw_normalize(f->s, NULL, 3, 1, &out, &out_len, &info), TW_EINVAL);
    assert_int_equal(tw_normalize(f->s, "abc", 3, 1, NULL, &out_len, &info), TW_EINVAL);
    assert_int_equal(tw_normalize(f->s, "abc", 3, 1, &out, NULL, &info), TW_EINVAL);
    /* NULL text of length 0 is the empty text */
    assert_int_equal(tw_normalize(f->s, NULL, 0, 1, &out, &out_len, NULL), TW_OK);
    assert_int_equal(out_len, 0);

    double j = -1;
    assert_int_equal(tw_similarity(NULL, "a b", 3, "a b", 3, &j), TW_EINVAL);
    assert_int_equal(tw_similarity(f->s, NULL, 3, "a b", 3, &j), TW_EINVAL);
    assert_int_equal(tw_similarity(f->s, "a b", 3, NULL, 3, &j), TW_EINVAL);
    assert_int_equal(tw_similarity(f->s, "a b", 3, "a b", 3, NULL), TW_EINVAL);
    assert_true(j == -1);

    tw_batch *b = NULL;
    assert_int_equal(tw_batch_create(NULL, &b), TW_EINVAL);
    assert_int_equal(tw_batch_create(f->e, NULL), TW_EINVAL);
    assert_int_equal(tw_batch_create(f->e, &b), TW_OK);
    size_t idx = 777;
    assert_int_equal(tw_batch_add(NULL, f->s, "a b", 3, &idx, NULL), TW_EINVAL);
    assert_int_equal(tw_batch_add(b, NULL, "a b", 3, &idx, NULL), TW_EINVAL);
    assert_int_equal(tw_batch_add(b, f->s, NULL, 3, &idx, NULL), TW_EINVAL);
    assert_int_equal(tw_batch_add(b, f->s, "a b", 3, NULL, NULL), TW_EINVAL);
    assert_int_equal(idx, 777);
    assert_int_equal(tw_batch_size(b), 0);
    assert_int_equal(tw_batch_cluster(NULL), TW_EINVAL);
    assert_int_equal(tw_batch_size(NULL), 0);
    assert_true(tw_batch_dup(NULL, 0) == (size_t)-1);
    tw_batch_stats st;
    assert_int_equal(tw_batch_stats_get(NULL, &st), TW_EINVAL);
    assert_int_equal(tw_batch_stats_get(b, NULL), TW_EINVAL);
    tw_batch_free(b);
}

static void test_scratch_of_other_engine_rejected(void **state)
{
    fixture *f = *state;
    tw_config c;
    tw_config_default(&c);
    c.seed = 7;
    tw_engine *e2 = NULL;
    tw_scratch *s2 = NULL;
    tw_batch *b = NULL;
    assert_int_equal(tw_engine_create(&c, &e2, NULL, 0), TW_OK);
    assert_int_equal(tw_scratch_create(e2, &s2), TW_OK);
    assert_int_equal(tw_batch_create(f->e, &b), TW_OK);
    size_t idx = 555;
    assert_int_equal(tw_batch_add(b, s2, BASE[0], strlen(BASE[0]), &idx, NULL), TW_EINVAL);
    assert_int_equal(idx, 555);
    assert_int_equal(tw_batch_size(b), 0);
    /* the right scratch works */
    assert_int_equal(tw_batch_add(b, f->s, BASE[0], strlen(BASE[0]), &idx, NULL), TW_OK);
    assert_int_equal(idx, 0);
    tw_batch_free(b);
    tw_scratch_free(s2);
    tw_engine_free(e2);
}

/* -------------------------------------------------------- batch life cycle */

static void test_batch_states(void **state)
{
    fixture *f = *state;
    tw_batch *b = NULL;
    assert_int_equal(tw_batch_create(f->e, &b), TW_OK);
    size_t idx = 99;
    assert_int_equal(tw_batch_add(b, f->s, BASE[1], strlen(BASE[1]), &idx, NULL), TW_OK);
    assert_int_equal(idx, 0);
    assert_int_equal(tw_batch_add(b, f->s, BASE[2], strlen(BASE[2]), &idx, NULL), TW_OK);
    assert_int_equal(idx, 1);
    assert_true(tw_batch_dup(b, 0) == (size_t)-1); /* not clustered yet */
    tw_batch_stats st;
    assert_int_equal(tw_batch_stats_get(b, &st), TW_OK);
    assert_int_equal(st.documents, 2);
    assert_int_equal(tw_batch_cluster(b), TW_OK);
    assert_int_equal(tw_batch_dup(b, 0), 0);
    assert_int_equal(tw_batch_dup(b, 1), 1);
    assert_true(tw_batch_dup(b, 2) == (size_t)-1);
    assert_true(tw_batch_dup(b, (size_t)-1) == (size_t)-1);
    idx = 99;
    assert_int_equal(tw_batch_add(b, f->s, BASE[3], strlen(BASE[3]), &idx, NULL), TW_ESTATE);
    assert_int_equal(idx, 99);
    assert_int_equal(tw_batch_size(b), 2);
    assert_int_equal(tw_batch_cluster(b), TW_ESTATE);
    /* results survive the refused calls */
    assert_int_equal(tw_batch_dup(b, 0), 0);
    assert_int_equal(tw_batch_dup(b, 1), 1);
    assert_int_equal(tw_batch_stats_get(b, &st), TW_OK);
    assert_int_equal(st.documents, 2);
    assert_int_equal(st.dup_clusters, 0);
    assert_int_equal(st.dup_clustered_docs, 0);
    tw_batch_free(b);
}

static void test_empty_batch_clusters(void **state)
{
    fixture *f = *state;
    tw_batch *b = NULL;
    assert_int_equal(tw_batch_create(f->e, &b), TW_OK);
    assert_int_equal(tw_batch_size(b), 0);
    assert_int_equal(tw_batch_cluster(b), TW_OK);
    assert_int_equal(tw_batch_size(b), 0);
    assert_true(tw_batch_dup(b, 0) == (size_t)-1);
    tw_batch_stats st;
    memset(&st, 0xFF, sizeof st);
    assert_int_equal(tw_batch_stats_get(b, &st), TW_OK);
    assert_int_equal(st.documents, 0);
    assert_int_equal(st.dup_clusters, 0);
    assert_int_equal(st.dup_clustered_docs, 0);
    assert_int_equal(st.candidates, 0);
    assert_int_equal(st.verified, 0);
    tw_batch_free(b);
}

static void test_no_text_not_added(void **state)
{
    fixture *f = *state;
    tw_batch *b = NULL;
    assert_int_equal(tw_batch_create(f->e, &b), TW_OK);
    size_t idx = 4242;
    assert_int_equal(tw_batch_add(b, f->s, BASE[4], strlen(BASE[4]), &idx, NULL), TW_OK);
    assert_int_equal(idx, 0);
    idx = 4242;
    const char *punct = "... !!! ؟ ، ؛ « » — (-) *** ?!";
    assert_int_equal(tw_batch_add(b, f->s, punct, strlen(punct), &idx, NULL), TW_ENOTEXT);
    assert_int_equal(idx, 4242);
    assert_int_equal(tw_batch_size(b), 1);
    /* empty text, and text that is only boilerplate */
    assert_int_equal(tw_batch_add(b, f->s, "", 0, &idx, NULL), TW_ENOTEXT);
    assert_int_equal(tw_batch_add(b, f->s, NULL, 0, &idx, NULL), TW_ENOTEXT);
    assert_int_equal(tw_batch_add(b, f->s, FOLLOW_US, strlen(FOLLOW_US), &idx, NULL), TW_ENOTEXT);
    assert_int_equal(idx, 4242);
    assert_int_equal(tw_batch_size(b), 1);
    /* the batch still works, and the next index follows on */
    assert_int_equal(tw_batch_add(b, f->s, BASE[5], strlen(BASE[5]), &idx, NULL), TW_OK);
    assert_int_equal(idx, 1);
    assert_int_equal(tw_batch_cluster(b), TW_OK);
    assert_int_equal(tw_batch_dup(b, 1), 1);
    tw_batch_free(b);
    /* tw_similarity reports the same */
    double j = -1;
    assert_int_equal(tw_similarity(f->s, punct, strlen(punct), BASE[0], strlen(BASE[0]), &j),
                     TW_ENOTEXT);
}

/* --------------------------------------------------------- near-copies */

static void test_similarity_of_variants(void **state)
{
    fixture *f = *state;
    for (int g = 0; g < NBASE; g++) {
        str base = str_dup(BASE[g]);
        str t = with_tatweel(&base), td = with_diacritics(&t), a = swap_alef(&base);
        assert_true(td.len > base.len + 20); /* the variant really differs */
        assert_int_not_equal(memcmp(a.p, base.p, a.len), 0);
        double j = -1;
        assert_int_equal(tw_similarity(f->s, base.p, base.len, td.p, td.len, &j), TW_OK);
        assert_true(j == 1.0);
        j = -1;
        assert_int_equal(tw_similarity(f->s, a.p, a.len, base.p, base.len, &j), TW_OK);
        assert_true(j == 1.0);
        /* the normalized texts are byte-identical */
        const char *out;
        size_t n1, n2;
        assert_int_equal(tw_normalize(f->s, base.p, base.len, 1, &out, &n1, NULL), TW_OK);
        char *copy = malloc(n1 + 1);
        assert_non_null(copy);
        memcpy(copy, out, n1);
        assert_int_equal(tw_normalize(f->s, td.p, td.len, 1, &out, &n2, NULL), TW_OK);
        assert_int_equal(n1, n2);
        assert_memory_equal(copy, out, n1);
        free(copy);
        /* a dropped sentence: similar, not identical */
        str d = delete_sentence(&base, 2);
        assert_int_equal(tw_similarity(f->s, base.p, base.len, d.p, d.len, &j), TW_OK);
        assert_true(j > 0.5 && j < 1.0);
        /* other stories */
        for (int h = 0; h < NBASE; h++) {
            if (h == g)
                continue;
            assert_int_equal(
                tw_similarity(f->s, base.p, base.len, BASE[h], strlen(BASE[h]), &j), TW_OK);
            assert_true(j < 0.1);
        }
        str_free(&base);
        str_free(&t);
        str_free(&td);
        str_free(&a);
        str_free(&d);
    }
}

/* Adds the corpus in the order `order`, clusters, and checks that every
 * document's cluster is its story's earliest document in that order. */
static void cluster_in_order(fixture *f, const corpus *c, const size_t *order, size_t *dup_out)
{
    tw_batch *b = NULL;
    assert_int_equal(tw_batch_create(f->e, &b), TW_OK);
    for (size_t i = 0; i < c->n; i++) {
        size_t idx = 12345;
        tw_text_info info;
        const str *d = &c->doc[order[i]];
        assert_int_equal(tw_batch_add(b, f->s, d->p, d->len, &idx, &info), TW_OK);
        assert_int_equal(idx, i);
        assert_true(info.tokens > 30);
    }
    assert_int_equal(tw_batch_size(b), c->n);
    assert_int_equal(tw_batch_cluster(b), TW_OK);
    for (size_t i = 0; i < c->n; i++) {
        size_t earliest = i;
        for (size_t k = 0; k < i; k++)
            if (c->group[order[k]] == c->group[order[i]]) {
                earliest = k;
                break;
            }
        dup_out[i] = tw_batch_dup(b, i);
        assert_int_equal(dup_out[i], earliest);
    }
    tw_batch_stats st;
    assert_int_equal(tw_batch_stats_get(b, &st), TW_OK);
    assert_int_equal(st.documents, tw_batch_size(b));
    assert_int_equal(st.dup_clusters, NBASE);
    assert_int_equal(st.dup_clustered_docs, c->n); /* every document has a copy */
    assert_true(st.dup_clustered_docs >= 2 * st.dup_clusters);
    assert_true(st.verified <= st.candidates);
    /* the copies with a dropped sentence (9 of them) can only join through
     * a verified candidate pair; the others are exact after folding */
    assert_true(st.verified >= NBASE + NBASE / 2);
    assert_true(st.bands >= 1 && st.rows >= 1 && st.bands * st.rows <= 128);
    assert_true(st.memory_bytes > 0);
    tw_batch_free(b);
}

static void test_batch_finds_the_stories(void **state)
{
    fixture *f = *state;
    static corpus c;
    build_corpus(&c);
    assert_int_equal(c.n, 4 * NBASE);
    size_t order[MAXDOCS], inv[MAXDOCS], dup1[MAXDOCS], dup2[MAXDOCS];
    uint64_t rng = 0x5EED5001;
    for (size_t i = 0; i < c.n; i++)
        order[i] = i;
    tw_test_shuffle(&rng, order, c.n, sizeof *(order));
    cluster_in_order(f, &c, order, dup1);

    /* Same documents, another order: the same partition. */
    size_t order2[MAXDOCS];
    for (size_t i = 0; i < c.n; i++)
        order2[i] = i;
    tw_test_shuffle(&rng, order2, c.n, sizeof *(order2));
    assert_memory_not_equal(order, order2, c.n * sizeof *order);
    cluster_in_order(f, &c, order2, dup2);
    for (size_t i = 0; i < c.n; i++)
        inv[order2[i]] = i; /* corpus index → position in the second run */
    for (size_t i = 0; i < c.n; i++)
        for (size_t k = 0; k < c.n; k++) {
            int same1 = dup1[i] == dup1[k];
            int same2 = dup2[inv[order[i]]] == dup2[inv[order[k]]];
            assert_int_equal(same1, same2);
        }
    free_corpus(&c);
}

static void test_batch_keeps_stories_apart(void **state)
{
    fixture *f = *state;
    /* Only the six different stories: no clusters. */
    tw_batch *b = NULL;
    assert_int_equal(tw_batch_create(f->e, &b), TW_OK);
    for (int g = 0; g < NBASE; g++) {
        size_t idx;
        assert_int_equal(tw_batch_add(b, f->s, BASE[g], strlen(BASE[g]), &idx, NULL), TW_OK);
    }
    assert_int_equal(tw_batch_cluster(b), TW_OK);
    for (size_t i = 0; i < NBASE; i++)
        assert_int_equal(tw_batch_dup(b, i), i);
    tw_batch_stats st;
    assert_int_equal(tw_batch_stats_get(b, &st), TW_OK);
    assert_int_equal(st.dup_clusters, 0);
    assert_int_equal(st.dup_clustered_docs, 0);
    assert_int_equal(st.verified, 0);
    tw_batch_free(b);
}

/* An Arabic word of its own for every number (three letters or more). */
static size_t number_word(unsigned v, char *o)
{
    size_t n = 0;
    do {
        uint32_t cp = 0x0628 + v % 18; /* ب .. ع */
        o[n++] = (char)(0xC0 | (cp >> 6));
        o[n++] = (char)(0x80 | (cp & 0x3F));
        v /= 18;
    } while (v || n < 6);
    o[n++] = ' ';
    return n;
}

/* Document frequency is exact at every limit, on both sides of it: a
 * phrase of five words (two 4-word shingles) is put in exactly k of 800
 * documents for k around each limit tried; every other word is a
 * document's own, so the shingles in more than `limit` documents are
 * known (a phrase's documents are spread over the batch, so that every
 * thread holds some of them). Counting goes through saturating byte counters (tw_batch.c), whose
 * cap (254: a limit of 255 and above takes the saturated ones) must change
 * nothing. Both ways of counting: one filter over the sets (the size of
 * this batch), and buckets (forced here, as large batches do). With 1 to 3
 * threads: each fills its own filter, or spreads its share of the
 * documents into the buckets, where the shares lie side by side. */
static void test_document_frequency_is_exact(void **state)
{
    (void)state;
    static const unsigned ks[] = {1, 2, 3, 4, 15, 16, 17, 18, 100, 254, 255, 256, 257, 300, 320};
    const size_t nk = sizeof ks / sizeof ks[0], ndocs = 800;
    static const uint32_t limits[] = {0, 3, 16, 17, 254, 255, 256, 299, 1000};
    char *text = malloc(64 * 1024);
    assert_non_null(text);
    for (size_t l = 0; l < sizeof limits / sizeof limits[0]; l++)
    for (int buckets = 0; buckets <= 1; buckets++)
    for (unsigned threads = 1; threads <= 3; threads++) {
        tw_config c;
        tw_config_default(&c);
        c.common_df = limits[l];
        tw_engine *e;
        tw_scratch *s;
        tw_batch *b;
        assert_int_equal(tw_engine_create(&c, &e, NULL, 0), TW_OK);
        assert_int_equal(tw_scratch_create(e, &s), TW_OK);
        assert_int_equal(tw_batch_create(e, &b), TW_OK);
        assert_int_equal(tw_batch_set_threads(b, threads), TW_OK);
        tw__batch_force_df_buckets(b, buckets);
        unsigned own = 100000;
        for (size_t d = 0; d < ndocs; d++) {
            size_t n = 0;
            n += number_word(own++, text + n);
            for (size_t p = 0; p < nk; p++) {
                /* in exactly ks[p] documents, spread over the batch (d -> 7d + 13p
                 * mod 800 is one to one), so that every thread sees some */
                if ((d * 7 + p * 13) % ndocs >= ks[p])
                    continue;
                for (unsigned w = 0; w < 5; w++)
                    n += number_word(1000 + (unsigned)p * 5 + w, text + n);
                n += number_word(own++, text + n);
            }
            size_t idx;
            assert_int_equal(tw_batch_add(b, s, text, n, &idx, NULL), TW_OK);
        }
        assert_int_equal(tw_batch_cluster(b), TW_OK);
        size_t want = 0;
        for (size_t p = 0; limits[l] > 0 && p < nk; p++)
            want += ks[p] > limits[l] ? 2 : 0;
        tw_batch_stats st;
        assert_int_equal(tw_batch_stats_get(b, &st), TW_OK);
        if (st.common_shingles != want) {
            print_error("limit %u, %s, %u threads: %zu common shingles, want %zu\n", limits[l],
                        buckets ? "buckets" : "one filter", threads, st.common_shingles, want);
            fail();
        }
        tw_batch_free(b);
        tw_scratch_free(s);
        tw_engine_free(e);
    }
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strerror_codes),
        cmocka_unit_test(test_norm_rule_names),
        cmocka_unit_test(test_config_default_values),
        cmocka_unit_test(test_engine_rejects_bad_config),
        cmocka_unit_test(test_engine_accepts_edges_and_reports_config),
        cmocka_unit_test(test_engine_bad_pattern_names_line),
        cmocka_unit_test(test_null_arguments),
        cmocka_unit_test(test_scratch_of_other_engine_rejected),
        cmocka_unit_test(test_batch_states),
        cmocka_unit_test(test_empty_batch_clusters),
        cmocka_unit_test(test_no_text_not_added),
        cmocka_unit_test(test_similarity_of_variants),
        cmocka_unit_test(test_batch_finds_the_stories),
        cmocka_unit_test(test_batch_keeps_stories_apart),
        cmocka_unit_test(test_document_frequency_is_exact),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
