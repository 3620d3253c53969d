/*
 * test_time.c — tw_parse_time (feed times into UTC seconds) and
 * tw__event_time (the second guess at when a report's event happened).
 *
 * Story mode decays similarity with the time between reports, so a time
 * parsed a few hours off, or a zone offset applied with the wrong sign,
 * silently splits or merges stories. Every expected value below was
 * computed independently with Python's calendar.timegm and is hard-coded.
 * tw__event_time is tested on a Wednesday evening publication (18:00 at
 * UTC+3, 15:00 UTC) whose lead names other weekdays, and across the local
 * midnight that UTC+3 puts three hours before UTC's.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "tawam.h"
#include "api/tw_api.h"

static int64_t parse_ok(const char *s)
{
    int64_t t = 12345;
    int rc = tw_parse_time(s, strlen(s), &t);
    if (rc != TW_OK)
        fail_msg("tw_parse_time(\"%s\") = %d, want TW_OK", s, rc);
    return t;
}

static void parse_bad(const char *s)
{
    int64_t t = 12345;
    int rc = tw_parse_time(s, strlen(s), &t);
    if (rc != TW_EINVAL)
        fail_msg("tw_parse_time(\"%s\") = %d (t = %lld), want TW_EINVAL", s, rc, (long long)t);
    assert_int_equal(t, 12345); /* *out untouched on failure */
}

static void test_plain_datetime_is_utc(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("2015-07-21 02:51:32"), 1437447092);
    assert_int_equal(parse_ok("2018-02-18 21:35:43"), 1518989743);
    assert_int_equal(parse_ok("2000-02-29 12:00:00"), 951825600);
    assert_int_equal(parse_ok("2024-12-31 23:59:59"), 1735689599);
    assert_int_equal(parse_ok("1970-01-01 00:00:00"), 0);
    assert_int_equal(parse_ok("1969-12-31 23:59:59"), -1);
}

static void test_iso8601(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("2018-02-18T21:35:43Z"), 1518989743);
    assert_int_equal(parse_ok("2018-02-18T21:35:43"), 1518989743);
    assert_int_equal(parse_ok("2018-02-18T21:35:43+04:00"), 1518975343);
    assert_int_equal(parse_ok("2018-02-18T21:35:43+0400"), 1518975343);
    assert_int_equal(parse_ok("2018-02-18T21:35:43+04"), 1518975343);
    assert_int_equal(parse_ok("2018-02-18T21:35:43-05:00"), 1519007743);
    assert_int_equal(parse_ok("2018-02-18T21:35:43+05:30"), 1518969943);
    assert_int_equal(parse_ok("2018-02-18T21:35:43.123Z"), 1518989743);
    assert_int_equal(parse_ok("2018-02-18T21:35:43,5+04:00"), 1518975343);
    assert_int_equal(parse_ok("2018-02-18T21:35"), 1518989700);
    assert_int_equal(parse_ok("2018-02-18"), 1518912000);
}

static void test_rfc2822(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("Sun, 18 Feb 2018 21:35:43 +0400"), 1518975343);
    assert_int_equal(parse_ok("18 Feb 2018 21:35:43 +0400"), 1518975343);
    assert_int_equal(parse_ok("Sun, 18 Feb 2018 21:35:43 GMT"), 1518989743);
    assert_int_equal(parse_ok("Sun, 18 Feb 2018 21:35:43 UT"), 1518989743);
    assert_int_equal(parse_ok("Sun, 18 Feb 2018 21:35:43 -0500"), 1519007743);
    assert_int_equal(parse_ok("Sun, 18 feb 2018 21:35:43 +0000"), 1518989743);
    assert_int_equal(parse_ok("8 Feb 2018 21:35 +0000"), 1518125700);
    assert_int_equal(parse_ok("18 Feb 2018"), 1518912000);
}

static void test_epoch(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("1519000000"), 1519000000);
    assert_int_equal(parse_ok("1519000000.5"), 1519000000);
    assert_int_equal(parse_ok("0"), 0);
    assert_int_equal(parse_ok("-86400"), -86400);
}

static void test_spaces_and_length(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("  2018-02-18T21:35:43Z  "), 1518989743);
    assert_int_equal(parse_ok("\t1519000000 "), 1519000000);
    assert_int_equal(parse_ok(" Sun, 18 Feb 2018 21:35:43 +0400\t"), 1518975343);
    /* only len bytes are read: what follows is not part of the time */
    const char *s = "2018-02-18T21:35:43Zgarbage";
    int64_t t = 0;
    assert_int_equal(tw_parse_time(s, 20, &t), TW_OK);
    assert_int_equal(t, 1518989743);
    assert_int_equal(tw_parse_time("1519000000999", 10, &t), TW_OK);
    assert_int_equal(t, 1519000000);
}

static void test_rejects(void **state)
{
    (void)state;
    parse_bad("");
    parse_bad("   ");
    parse_bad("yesterday");
    parse_bad("2018-13-01");
    parse_bad("2018-00-10");
    parse_bad("2018-02-00");
    parse_bad("2018-02-32");
    parse_bad("2018-02-18 25:00:00");
    parse_bad("2018-02-18T21:61:00");
    parse_bad("2018-02-18T");
    parse_bad("2018-02-18T21:35:43+25:00");
    parse_bad("2018-02-18T21:35:43 EST");
    parse_bad("2018-02-18T21:35:43Z junk");
    parse_bad("18 Foo 2018");
    parse_bad("Sun, 18 Feb 18 21:35:43 +0400");
    parse_bad("1519000000x");
    parse_bad("1519000000.5.5");

    int64_t t = 7;
    assert_int_equal(tw_parse_time(NULL, 10, &t), TW_EINVAL);
    assert_int_equal(tw_parse_time("2018-02-18", 10, NULL), TW_EINVAL);
    assert_int_equal(tw_parse_time(NULL, 0, NULL), TW_EINVAL);
    assert_int_equal(tw_parse_time("2018-02-18", 0, &t), TW_EINVAL);
    assert_int_equal(t, 7);
}

static void test_rejects_impossible_dates(void **state)
{
    (void)state;
    /* days that the month does not have must not roll into the next one */
    parse_bad("2018-02-30");
    parse_bad("2018-04-31 10:00:00");
    parse_bad("2019-02-29");
    parse_bad("31 Jun 2018 10:00 +0000");
    /* …while the ones it has are accepted */
    assert_int_equal(parse_ok("2000-02-29"), 951782400);
}

/* ------------------------------------------------------------ event time */

#define DAY 86400
/* Wednesday 2025-11-26 15:00 UTC = 18:00 at UTC+3. */
#define WED_EVENING 1764169200
enum { SUN, MON, TUE, WED, THU, FRI, SAT, YESTERDAY };
#define BIT(d) (1u << (d))

static void test_event_time_weekdays(void **state)
{
    (void)state;
    /* the lead names Tuesday: the event was the day before */
    assert_int_equal(tw__event_time(WED_EVENING, BIT(TUE)), WED_EVENING - DAY);
    /* Monday: two days back */
    assert_int_equal(tw__event_time(WED_EVENING, BIT(MON)), WED_EVENING - 2 * DAY);
    /* the publication's own weekday: same day */
    assert_int_equal(tw__event_time(WED_EVENING, BIT(WED)), WED_EVENING);
    /* three or more days back: not trusted, publication time kept */
    assert_int_equal(tw__event_time(WED_EVENING, BIT(SUN)), WED_EVENING);
    assert_int_equal(tw__event_time(WED_EVENING, BIT(SAT)), WED_EVENING);
    assert_int_equal(tw__event_time(WED_EVENING, BIT(THU)), WED_EVENING);
    /* the latest earlier named day wins */
    assert_int_equal(tw__event_time(WED_EVENING, BIT(MON) | BIT(TUE)), WED_EVENING - DAY);
    assert_int_equal(tw__event_time(WED_EVENING, BIT(WED) | BIT(TUE)), WED_EVENING - DAY);
    /* a weekday found beats "امس" */
    assert_int_equal(tw__event_time(WED_EVENING, BIT(MON) | BIT(YESTERDAY)),
                     WED_EVENING - 2 * DAY);
}

static void test_event_time_yesterday_and_none(void **state)
{
    (void)state;
    assert_int_equal(tw__event_time(WED_EVENING, BIT(YESTERDAY)), WED_EVENING - DAY);
    assert_int_equal(tw__event_time(WED_EVENING, BIT(SUN) | BIT(YESTERDAY)), WED_EVENING - DAY);
    assert_int_equal(tw__event_time(WED_EVENING, 0), WED_EVENING);
    assert_true(tw__event_time(TW_TIME_NONE, BIT(TUE)) == TW_TIME_NONE);
    assert_true(tw__event_time(TW_TIME_NONE, BIT(YESTERDAY)) == TW_TIME_NONE);
    assert_true(tw__event_time(TW_TIME_NONE, 0) == TW_TIME_NONE);
    /* times at the ends of int64_t (a library caller's own) are kept, not
     * shifted past the end (UBSan would say) */
    assert_true(tw__event_time(INT64_MAX, BIT(TUE) | BIT(YESTERDAY)) == INT64_MAX);
    assert_true(tw__event_time(INT64_MIN + 1, BIT(TUE) | BIT(YESTERDAY)) == INT64_MIN + 1);
}

static void test_event_time_local_day(void **state)
{
    (void)state;
    /* Tuesday 22:30 UTC is already Wednesday 01:30 at UTC+3 */
    const int64_t tue_2230 = 1764109800;
    assert_int_equal(tw__event_time(tue_2230, BIT(TUE)), tue_2230 - DAY);
    /* Tuesday 20:00 UTC is still Tuesday 23:00 at UTC+3 */
    const int64_t tue_2000 = 1764100800;
    assert_int_equal(tw__event_time(tue_2000, BIT(TUE)), tue_2000);
    assert_int_equal(tw__event_time(tue_2000, BIT(MON)), tue_2000 - DAY);
    /* before 1970: Monday 1969-12-29 00:00 UTC (03:00 local), Sunday named */
    assert_int_equal(tw__event_time(-259200, BIT(SUN)), -259200 - DAY);
    assert_int_equal(tw__event_time(-259200, BIT(MON)), -259200);
    /* 1970-01-01 was a Thursday */
    assert_int_equal(tw__event_time(0, BIT(WED)), -DAY);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_datetime_is_utc),
        cmocka_unit_test(test_iso8601),
        cmocka_unit_test(test_rfc2822),
        cmocka_unit_test(test_epoch),
        cmocka_unit_test(test_spaces_and_length),
        cmocka_unit_test(test_rejects),
        cmocka_unit_test(test_rejects_impossible_dates),
        cmocka_unit_test(test_event_time_weekdays),
        cmocka_unit_test(test_event_time_yesterday_and_none),
        cmocka_unit_test(test_event_time_local_day),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
