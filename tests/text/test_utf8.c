/*
 * test_utf8.c — the UTF-8 decoder (tw__utf8_decode) and encoder
 * (tw__utf8_encode) of the text stage.
 *
 * Every other stage trusts these two functions, so they are tested directly
 * rather than through tw_normalize: each case gives raw bytes and the exact
 * code points, number of bad sequences and number of bad bytes expected.
 * Invalid input is checked class by class against Unicode's "maximal
 * subpart" rule (one U+FFFD per maximal invalid subpart, Unicode 15 §3.9,
 * Table 3-8), including the standard's own worked example, and valid code
 * points are checked at every encoding-length boundary in both directions.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "text/tw_text.h"

#define R 0xFFFDu /* U+FFFD REPLACEMENT CHARACTER */

/* Decodes `len` bytes and checks the code points and both bad counts. */
static void check_decode(const char *bytes, size_t len, const uint32_t *want, size_t nwant,
                         size_t want_seqs, size_t want_bytes)
{
    uint32_t out[64];
    assert_true(len <= 64);
    for (size_t i = 0; i < 64; i++)
        out[i] = 0xDEADBEEFu; /* so a missing write cannot pass */
    size_t seqs = 12345, bad = 12345;
    size_t n = tw__utf8_decode((const uint8_t *)bytes, len, out, &seqs, &bad);
    assert_int_equal(n, nwant);
    for (size_t i = 0; i < nwant; i++) {
        if (out[i] != want[i])
            fail_msg("code point %zu: got U+%04X, want U+%04X", i, (unsigned)out[i],
                     (unsigned)want[i]);
    }
    assert_int_equal(seqs, want_seqs);
    assert_int_equal(bad, want_bytes);
}

#define DECODE(lit, seqs, bytes, ...)                                                          \
    do {                                                                                   \
        static const uint32_t want_[] = {__VA_ARGS__};                                     \
        check_decode(lit, sizeof(lit) - 1, want_, sizeof want_ / sizeof want_[0], seqs,    \
                     bytes);                                                               \
    } while (0)

/* ------------------------------------------------------------- valid input */

static void test_encode_boundaries(void **state)
{
    (void)state;
    static const struct {
        uint32_t cp;
        size_t n;
        const char *bytes;
    } cases[] = {
        {0x00, 1, "\x00"},
        {0x41, 1, "A"},
        {0x7F, 1, "\x7F"},
        {0x80, 2, "\xC2\x80"},
        {0xE9, 2, "\xC3\xA9"},               /* é */
        {0x0628, 2, "\xD8\xA8"},             /* ب */
        {0x07FF, 2, "\xDF\xBF"},
        {0x0800, 3, "\xE0\xA0\x80"},
        {0x20AC, 3, "\xE2\x82\xAC"},         /* € */
        {0xD7FF, 3, "\xED\x9F\xBF"},         /* last before the surrogates */
        {0xE000, 3, "\xEE\x80\x80"},         /* first after them */
        {0xFEFB, 3, "\xEF\xBB\xBB"},         /* ﻻ */
        {0xFFFD, 3, "\xEF\xBF\xBD"},
        {0xFFFF, 3, "\xEF\xBF\xBF"},
        {0x10000, 4, "\xF0\x90\x80\x80"},
        {0x1F600, 4, "\xF0\x9F\x98\x80"},    /* emoji */
        {0x10FFFF, 4, "\xF4\x8F\xBF\xBF"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t o[8];
        memset(o, 0xAA, sizeof o);
        size_t n = tw__utf8_encode(cases[i].cp, o);
        assert_int_equal(n, cases[i].n);
        assert_memory_equal(o, cases[i].bytes, n);
        assert_int_equal(o[n], 0xAA); /* nothing written past the sequence */
    }
}

static void test_round_trip_every_length(void **state)
{
    (void)state;
    /* Encode, then decode back, a code point of each length and the edges
     * of each length class; also every 7th code point of the whole range. */
    static const uint32_t cps[] = {0x01, 0x41, 0x7F, 0x80, 0x627, 0x7FF, 0x800, 0x644,
                                   0xD7FF, 0xE000, 0xFFFF, 0x10000, 0x1F600, 0x10FFFF};
    for (size_t i = 0; i < sizeof cps / sizeof cps[0]; i++) {
        uint8_t b[4];
        uint32_t back[4];
        size_t seqs = 9, bad = 9;
        size_t n = tw__utf8_encode(cps[i], b);
        assert_int_equal(tw__utf8_decode(b, n, back, &seqs, &bad), 1);
        assert_int_equal(back[0], cps[i]);
        assert_int_equal(seqs, 0);
        assert_int_equal(bad, 0);
    }
    for (uint32_t cp = 0; cp <= 0x10FFFF; cp += 7) {
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        uint8_t b[4];
        uint32_t back[4];
        size_t seqs = 9, bad = 9;
        size_t n = tw__utf8_encode(cp, b);
        size_t got = tw__utf8_decode(b, n, back, &seqs, &bad);
        if (got != 1 || back[0] != cp || seqs || bad)
            fail_msg("U+%04X does not round-trip", (unsigned)cp);
    }
}

static void test_decode_valid_text(void **state)
{
    (void)state;
    /* "سلام a€😀": 2-, 1-, 3- and 4-byte sequences in one string. */
    DECODE("\xD8\xB3\xD9\x84\xD8\xA7\xD9\x85 a\xE2\x82\xAC\xF0\x9F\x98\x80", 0, 0,
           0x0633, 0x0644, 0x0627, 0x0645, 0x20, 0x61, 0x20AC, 0x1F600);
    DECODE("\xF4\x8F\xBF\xBF", 0, 0, 0x10FFFF);
    DECODE("\xED\x9F\xBF", 0, 0, 0xD7FF);
    DECODE("\xE0\xA0\x80", 0, 0, 0x0800);
    DECODE("\xF0\x90\x80\x80", 0, 0, 0x10000);
}

static void test_decode_empty(void **state)
{
    (void)state;
    uint32_t out[2] = {0x1234, 0};
    size_t seqs = 7, bad = 7;
    assert_int_equal(tw__utf8_decode((const uint8_t *)"", 0, out, &seqs, &bad), 0);
    assert_int_equal(seqs, 0);
    assert_int_equal(bad, 0);
    assert_int_equal(out[0], 0x1234);
    /* The counters are optional. */
    assert_int_equal(tw__utf8_decode((const uint8_t *)"\xFF" "a", 2, out, NULL, NULL), 2);
}

/* ----------------------------------------------------------- invalid input */

static void test_lone_continuation(void **state)
{
    (void)state;
    DECODE("\x80", 1, 1, R);
    DECODE("\xBF", 1, 1, R);
    DECODE("a\x80" "b", 1, 1, 'a', R, 'b');
    /* Each stray continuation byte is its own maximal subpart. */
    DECODE("\x80\xBF\x80", 3, 3, R, R, R);
    /* A complete sequence followed by one continuation byte too many. */
    DECODE("\xD8\xA8\x80", 1, 1, 0x0628, R);
}

static void test_overlong(void **state)
{
    (void)state;
    /* C0 and C1 never start a sequence: the lead and the continuation
     * byte are two separate subparts. */
    DECODE("\xC0\x80", 2, 2, R, R);
    DECODE("\xC1\xBF", 2, 2, R, R);
    /* E0 needs A0..BF next; E0 80 is not the start of any valid sequence. */
    DECODE("\xE0\x80\x80", 3, 3, R, R, R);
    DECODE("\xE0\x9F\xBF", 3, 3, R, R, R); /* overlong U+07FF */
    /* F0 needs 90..BF next. */
    DECODE("\xF0\x80\x80\x80", 4, 4, R, R, R, R);
    DECODE("\xF0\x8F\xBF\xBF", 4, 4, R, R, R, R); /* overlong U+FFFF */
}

static void test_surrogates(void **state)
{
    (void)state;
    /* ED needs 80..9F next; A0..BF would encode U+D800..DFFF. */
    DECODE("\xED\xA0\x80", 3, 3, R, R, R);
    DECODE("\xED\xBF\xBF", 3, 3, R, R, R);
    /* A CESU-8 surrogate pair is six bad bytes, not one character. */
    DECODE("\xED\xA0\xBD\xED\xB8\x80", 6, 6, R, R, R, R, R, R);
}

static void test_above_max(void **state)
{
    (void)state;
    /* F4 needs 80..8F next; F4 90 80 80 would be U+110000. */
    DECODE("\xF4\x90\x80\x80", 4, 4, R, R, R, R);
    DECODE("\xF4\xBF\xBF\xBF", 4, 4, R, R, R, R);
}

static void test_bad_lead_bytes(void **state)
{
    (void)state;
    DECODE("\xF5", 1, 1, R);
    DECODE("\xF7\xBF\xBF\xBF", 4, 4, R, R, R, R); /* would be U+1FFFFF */
    DECODE("\xF8\x88\x80\x80\x80", 5, 5, R, R, R, R, R); /* old 5-byte form */
    DECODE("\xFC", 1, 1, R);
    DECODE("\xFE\xFF", 2, 2, R, R);
    DECODE("a\xFF" "b", 1, 1, 'a', R, 'b');
    /* Every byte F5..FF alone is one replacement. */
    for (unsigned b = 0xF5; b <= 0xFF; b++) {
        uint8_t in[1] = {(uint8_t)b};
        uint32_t out[1];
        size_t seqs = 0, bad = 0;
        assert_int_equal(tw__utf8_decode(in, 1, out, &seqs, &bad), 1);
        assert_int_equal(out[0], R);
        assert_int_equal(seqs, 1);
        assert_int_equal(bad, 1);
    }
}

static void test_truncated_at_end(void **state)
{
    (void)state;
    /* A truncated sequence is ONE maximal subpart however long it got. */
    DECODE("\xC3", 1, 1, R);
    DECODE("\xD8", 1, 1, R);
    DECODE("\xE2\x82", 1, 2, R);
    DECODE("\xE2", 1, 1, R);
    DECODE("\xF0\x9F\x98", 1, 3, R);
    DECODE("\xF0\x9F", 1, 2, R);
    DECODE("\xD9\x84\xD8", 1, 1, 0x0644, R); /* "ل" then half of "ا" */
    DECODE("ab\xF4\x8F\xBF", 1, 3, 'a', 'b', R);
}

static void test_truncated_then_ascii(void **state)
{
    (void)state;
    /* The byte that ends a truncated sequence is not swallowed. */
    DECODE("\xE2\x82" "A", 1, 2, R, 'A');
    DECODE("\xF0\x9F\x98" "A", 1, 3, R, 'A');
    DECODE("\xC3" "A", 1, 1, R, 'A');
    DECODE("\xD8 ", 1, 1, R, ' ');
    DECODE("\xE0\xA0\n", 1, 2, R, '\n');
    /* ...nor is a valid multi-byte sequence that follows. */
    DECODE("\xE2\x82\xD8\xA8", 1, 2, R, 0x0628);
    DECODE("\xF0\x9F\xF0\x9F\x98\x80", 1, 2, R, 0x1F600);
}

static void test_unicode_table_3_8(void **state)
{
    (void)state;
    /* The worked example of Unicode §3.9 ("U+FFFD Substitution of Maximal
     * Subparts"): 61 F1 80 80 E1 80 C2 62 80 63 80 BF 64 decodes to
     * a FFFD FFFD FFFD b FFFD c FFFD FFFD d. */
    DECODE("\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64", 6, 9, 'a', R, R, R, 'b', R,
           'c', R, R, 'd');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode_boundaries),
        cmocka_unit_test(test_round_trip_every_length),
        cmocka_unit_test(test_decode_valid_text),
        cmocka_unit_test(test_decode_empty),
        cmocka_unit_test(test_lone_continuation),
        cmocka_unit_test(test_overlong),
        cmocka_unit_test(test_surrogates),
        cmocka_unit_test(test_above_max),
        cmocka_unit_test(test_bad_lead_bytes),
        cmocka_unit_test(test_truncated_at_end),
        cmocka_unit_test(test_truncated_then_ascii),
        cmocka_unit_test(test_unicode_table_3_8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
