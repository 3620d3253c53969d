/*
 * test_oom.c — out-of-memory paths, SQLite style: every allocation the
 * library makes is made to fail in turn (the n-th malloc, calloc or realloc
 * returns NULL), and the whole pipeline — engine, scratch, batch with dup
 * and story clustering, explain — must answer with a status, never crash,
 * and (under the sanitizer build) never leak or free twice.
 *
 * The allocator is intercepted with the linker's --wrap, which reaches the
 * library's own calls because tests link the static library.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include "tawam.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t m);
void *__wrap_realloc(void *p, size_t n);

static long countdown = -1; /* allocations left before one fails; -1 = never */
static long failures;
static long retry_ok, retry_refused; /* second clusterings after a failed one */

static int should_fail(void)
{
    if (countdown < 0)
        return 0;
    if (countdown-- == 0) {
        failures++;
        return 1;
    }
    return 0;
}

void *__wrap_malloc(size_t n)
{
    return should_fail() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t m)
{
    return should_fail() ? NULL : __real_calloc(n, m);
}

void *__wrap_realloc(void *p, size_t n)
{
    return should_fail() ? NULL : __real_realloc(p, n);
}

static const char *const texts[] = {
    "أعلنت وزارة الصحة اليوم الثلاثاء افتتاح مركز جديد لعلاج أمراض القلب في مدينة الرياض بطاقة "
    "استيعابية تبلغ مئتي سرير، وقال الوزير إن المركز سيخدم سكان المنطقة الوسطى.",
    "أعلنت وزارة الصـحة اليوم الثلاثاء افتتاح مركز جديد لعلاج أمراض القلب في مدينة الرياض بطاقة "
    "استيعابية تبلغ مئتي سرير، وقال الوزير إن المركز سيخدم سكان المنطقة الوسطى. تابعونا على تويتر",
    "افتتحت الرياض مركزا متخصصا في أمراض القلب يضم مئتي سرير، بحسب بيان لوزارة الصحة صدر "
    "الثلاثاء، وأوضح الوزير أن المركز يخدم المنطقة الوسطى.",
    "فاز فريق النادي الأهلي على ضيفه بثلاثة أهداف مقابل هدف في مباراة أقيمت مساء أمس على الملعب "
    "الرئيسي بحضور آلاف المشجعين.",
};

/* One full run; returns the first status that was not TW_OK (or TW_OK). */
static int run_pipeline(void)
{
    tw_config cfg;
    tw_config_default(&cfg);
    cfg.strip_patterns = "line صحيفة الواحة\nspan اقرأ أيضاً\n";
    cfg.gazetteer = "ابراهيم قالن|إبراهيم كالين\n";
    tw_engine *e = NULL;
    tw_scratch *s = NULL;
    tw_batch *b = NULL;
    char err[128];
    int rc = tw_engine_create(&cfg, &e, err, sizeof err);
    if (!rc)
        rc = tw_scratch_create(e, &s);
    if (!rc)
        rc = tw_batch_create(e, &b);
    size_t idx[4];
    for (size_t i = 0; !rc && i < 4; i++) {
        int64_t t;
        tw_parse_time("2026-03-03 10:00:00", 19, &t);
        tw_doc d = {texts[i], strlen(texts[i]), "عنوان الخبر", strlen("عنوان الخبر"), t + (int64_t)i * 3600};
        rc = tw_batch_add_doc(b, s, &d, &idx[i], NULL);
    }
    if (!rc) {
        rc = tw_batch_cluster(b);
        if (rc == TW_ENOMEM) {
            /* with memory back, a second call either clusters the batch
             * right (checked below) or refuses: never a wrong answer from
             * what the first call used up */
            long saved = countdown;
            countdown = -1;
            int again = tw_batch_cluster(b);
            countdown = saved;
            if (again == TW_ESTATE)
                retry_refused++;
            else if (again == TW_OK)
                rc = TW_OK, retry_ok++;
            else
                rc = again;
        }
    }
    if (!rc) {
        tw_story_explanation x;
        tw_doc d0 = {texts[0], strlen(texts[0]), NULL, 0, TW_TIME_NONE};
        tw_doc d2 = {texts[2], strlen(texts[2]), NULL, 0, TW_TIME_NONE};
        rc = tw_batch_explain(b, s, idx[0], &d0, idx[2], &d2, &x);
    }
    if (!rc) {
        const char *out;
        size_t n;
        rc = tw_normalize(s, texts[1], strlen(texts[1]), 1, &out, &n, NULL);
    }
    int ok_clusters = !rc && tw_batch_dup(b, idx[1]) == idx[0] && tw_batch_dup(b, idx[3]) == idx[3] &&
                      tw_batch_story(b, idx[2]) == idx[0] && tw_batch_story(b, idx[3]) == idx[3];
    tw_batch_free(b);
    tw_scratch_free(s);
    tw_engine_free(e);
    if (!rc && !ok_clusters)
        return 1; /* a success that computed something else */
    return rc;
}

static void test_every_allocation_failure_is_a_status(void **state)
{
    (void)state;
    countdown = -1;
    assert_int_equal(run_pipeline(), TW_OK); /* the baseline works */
    long n;
    for (n = 0; n < 20000; n++) {
        countdown = n;
        failures = 0;
        int rc = run_pipeline();
        countdown = -1;
        if (failures == 0) { /* no allocation left to fail: done */
            assert_int_equal(rc, TW_OK);
            break;
        }
        /* an allocation failed: the run reports it (Hyperscan and ICU may
         * report their own failures as their errors) or recovers fully */
        if (rc != TW_OK && rc != TW_ENOMEM && rc != TW_EHYPERSCAN && rc != TW_EPATTERN &&
            rc != TW_EICU)
            fail_msg("allocation %ld failed and the pipeline returned %d (%s)", n, rc,
                     tw_strerror(rc));
    }
    assert_true(n > 50); /* the library does allocate, and every one was tried */
    /* both kinds of failed clustering were met: before the story vectors
     * (a retry works) and after them (a retry is refused) */
    assert_true(retry_ok > 0);
    assert_true(retry_refused > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_allocation_failure_is_a_status),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
