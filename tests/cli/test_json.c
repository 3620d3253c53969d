/*
 * test_json.c — tw_cli_json_object, the CLI's strict scanner for a JSONL
 * line holding one object (src/cli/tw_cli_json.c).
 *
 * It replaces cJSON on the hot path, so cJSON is the oracle: a few thousand
 * random objects (wanted keys among others, duplicates, escaped keys,
 * nested values, strings with random escapes, surrogate pairs and Arabic
 * bytes, numbers of every grammatical shape) must be accepted by both and
 * decode to the same strings and numbers; the same lines with one byte
 * deleted or inserted must never be accepted by the scanner alone, cJSON
 * being the more lenient of the two (trailing garbage, raw control bytes,
 * sloppy numbers), except where the header says it departs on purpose (a
 * lone surrogate escape becomes U+FFFD, cJSON rejects the line). Where the
 * two differ by design (strictness, \u0000 kept, lone surrogates) the
 * expected results are written out by hand. Every line is handed over in a
 * buffer of exactly its length, so AddressSanitizer sees any read past it.
 * The real feeds in ../shared/data are read whole when present.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/tw_cli_json.h"
#include "../tw_test_util.h"

#define BAD "invalid JSON"
#define NOTOBJ "not a JSON object"

/* A malloc'd copy of exactly len bytes, no terminator. */
static char *dup_exact(const char *s, size_t len)
{
    char *p = malloc(len ? len : 1);
    assert_non_null(p);
    memcpy(p, s, len);
    return p;
}

static int same_msg(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* Runs the scanner on a private copy of s[0..len) asking for "t" decoded and
 * "id" raw, and checks the result. */
static void expect_result(const char *s, size_t len, const char *want)
{
    char *line = dup_exact(s, len);
    tw_cli_json_field f[2] = {{.name = "t", .decode = 1}, {.name = "id"}};
    const char *got = tw_cli_json_object(line, len, f, 2);
    if (!same_msg(got, want))
        fail_msg("line [%.*s]: got %s, want %s", (int)len, s, got ? got : "ok",
                 want ? want : "ok");
    if (got) /* on error every field is reset */
        assert_true(f[0].kind == TW_CLI_JSON_ABSENT && f[1].kind == TW_CLI_JSON_ABSENT);
    free(line);
}

#define CASE(s, w) {s, sizeof(s) - 1, w}

static void test_valid_and_invalid_lines(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        size_t len;
        const char *want;
    } cases[] = {
        CASE("{}", NULL),
        CASE(" \t\r\n{ \t\r\n} \t\r\n", NULL),
        CASE("{\"a\":1}", NULL),
        CASE("{\"a\" : 1 , \"b\" : [ ] , \"c\" : { } }", NULL),
        CASE("{\"a\":-0,\"b\":0.5e+10,\"c\":1E-2,\"d\":-12.75e3,\"e\":0e0}", NULL),
        CASE("{\"a\":[1,[2,{\"b\":null}],{},[]],\"c\":{\"d\":{\"e\":[true,false]}}}", NULL),
        CASE("{\"a\":true,\"b\":false,\"c\":null}", NULL),
        CASE("{\"\":\"\"}", NULL),
        CASE("{\"t\":\"\\u00e9\\/\\b\\f\\n\\r\\t\\\"\\\\\"}", NULL),
        CASE("{\"t\":\"\\uD800\"}", NULL), /* lone surrogate: U+FFFD, not an error */
        CASE("{\"t\":\"\xd8\xb9\xd8\xb1\xd8\xa8\xd9\x8a\"}", NULL),
        CASE("{\"t\":\"\xff\xfe\"}", NULL), /* UTF-8 validity is not checked here */
        CASE("{\"t\":\"a\",\"t\":\"\\q\"}", BAD), /* a skipped duplicate is still validated */
        CASE("", BAD),
        CASE("   ", BAD),
        CASE("{", BAD),
        CASE("}", BAD),
        CASE("{\"a\"}", BAD),
        CASE("{\"a\":}", BAD),
        CASE("{\"a\":1,}", BAD),
        CASE("{,\"a\":1}", BAD),
        CASE("{\"a\":1 \"b\":2}", BAD),
        CASE("{\"a\" 1}", BAD),
        CASE("{a:1}", BAD),
        CASE("{'a':1}", BAD),
        CASE("{1:1}", BAD),
        CASE("{\"a\":01}", BAD),
        CASE("{\"a\":-01}", BAD),
        CASE("{\"a\":1.}", BAD),
        CASE("{\"a\":.5}", BAD),
        CASE("{\"a\":-}", BAD),
        CASE("{\"a\":1e}", BAD),
        CASE("{\"a\":1e+}", BAD),
        CASE("{\"a\":+1}", BAD),
        CASE("{\"a\":1.5e3.2}", BAD),
        CASE("{\"a\":0x10}", BAD),
        CASE("{\"a\":Infinity}", BAD),
        CASE("{\"a\":NaN}", BAD),
        CASE("{\"a\":-Infinity}", BAD),
        CASE("{\"a\":tru}", BAD),
        CASE("{\"a\":True}", BAD),
        CASE("{\"a\":nul}", BAD),
        CASE("{\"a\":nulll}", BAD),
        CASE("{\"a\":\"x", BAD),
        CASE("{\"a\":\"x}", BAD),
        CASE("{\"a\":\"\\x\"}", BAD),
        CASE("{\"a\":\"\\'\"}", BAD),
        CASE("{\"a\":\"\\u12\"}", BAD),
        CASE("{\"a\":\"\\u12G4\"}", BAD),
        CASE("{\"a\":\"\\U1234\"}", BAD),
        CASE("{\"a\":\"\\", BAD),
        CASE("{\"a\":\"\\u", BAD),
        CASE("{\"a\":\"\\u123", BAD),
        CASE("{\"t\":\"\\u123", BAD), /* the same, in the decoding path */
        CASE("{\"t\":\"\\uD83D\\uDE0", BAD),
        CASE("{\"a\":\"tab\there\"}", BAD),
        CASE("{\"t\":\"nl\nhere\"}", BAD),
        CASE("{\"a\":\"nul\0here\"}", BAD),
        CASE("{\"t\":\"del\x7f ok\"}", NULL), /* only bytes below 0x20 are controls */
        CASE("{\"a\":1}x", BAD),
        CASE("{\"a\":1}{}", BAD),
        CASE("{\"a\":1}\v", BAD), /* \v and \f are not JSON whitespace */
        CASE("\f{}", BAD),
        CASE("{}\0", BAD),
        CASE("\xef\xbb\xbf{}", BAD), /* no byte order mark */
        CASE("{\"a\":[1,]}", BAD),
        CASE("{\"a\":[1 2]}", BAD),
        CASE("{\"a\":[,1]}", BAD),
        CASE("{\"a\":{\"b\"}}", BAD),
        CASE("{\"a\":{\"b\":1,}}", BAD),
        CASE("{\"a\":[}", BAD),
        CASE("{\"a\":{]}", BAD),
        CASE("{\"a\":[1]]}", BAD),
        CASE("{\"a\":\"x\"]", BAD),
        CASE("{\"a\":1]", BAD),
        CASE("{\"a\":1", BAD),
        CASE("{\"a\":", BAD),
        CASE("{\"a\"", BAD),
        CASE("{\"a\":1,\"a\"}", BAD),
        CASE("{\"a\":[", BAD),
        CASE("{\"a\":{", BAD),
        CASE("[]", NOTOBJ),
        CASE(" [1,{\"a\":2},\"x\"] ", NOTOBJ),
        CASE("\"x\"", NOTOBJ),
        CASE("1", NOTOBJ),
        CASE("-2.5e3\n", NOTOBJ),
        CASE("true", NOTOBJ),
        CASE("null", NOTOBJ),
        CASE("[1,]", BAD),
        CASE("\"x", BAD),
        CASE("tru", BAD),
        CASE("1 2", BAD),
        CASE("[] []", BAD),
        CASE("01", BAD),
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_result(cases[i].s, cases[i].len, cases[i].want);

    /* every proper prefix of a valid line is invalid */
    const char *full = "{\"id\":\"a\\\"b\",\"t\":[1,{\"x\":-2.5e3}],\"z\":\"\\uD83D\\uDE00\"}";
    for (size_t n = 0; n < strlen(full); n++)
        expect_result(full, n, BAD);
    expect_result(full, strlen(full), NULL);
}

/* 1 when cJSON accepts s[0..len). */
static int cjson_accepts(const char *s, size_t len)
{
    char *copy = dup_exact(s, len);
    cJSON *root = cJSON_ParseWithLength(copy, len);
    int ok = root != NULL;
    cJSON_Delete(root);
    free(copy);
    return ok;
}

/* {"a": <n nested arrays>}, or n nested arrays alone. */
static char *nested(size_t n, int in_object, size_t *len)
{
    char *s = malloc(2 * n + 16), *p = s;
    assert_non_null(s);
    if (in_object)
        p += sprintf(p, "{\"a\":");
    memset(p, '[', n);
    memset(p + n, ']', n);
    p += 2 * n;
    if (in_object)
        *p++ = '}';
    *len = (size_t)(p - s);
    return s;
}

/* 1000 containers deep, the line's own object included, as cJSON. */
static void test_nesting_limit(void **state)
{
    (void)state;
    size_t len;
    char *s = nested(999, 1, &len);
    expect_result(s, len, NULL);
    assert_true(cjson_accepts(s, len));
    free(s);
    s = nested(1000, 1, &len);
    expect_result(s, len, BAD);
    assert_false(cjson_accepts(s, len));
    free(s);
    s = nested(1000, 0, &len);
    expect_result(s, len, NOTOBJ);
    free(s);
    s = nested(1001, 0, &len);
    expect_result(s, len, BAD);
    free(s);
    s = nested(100000, 1, &len); /* no recursion: no stack to overflow */
    expect_result(s, len, BAD);
    free(s);

    /* objects nested the same way: {"a":{"a":...{}...}} */
    for (size_t depth = 999; depth <= 1001; depth++) {
        char *o = malloc(6 * depth + 2), *p = o;
        assert_non_null(o);
        for (size_t i = 0; i + 1 < depth; i++)
            p += sprintf(p, "{\"a\":");
        *p++ = '{';
        memset(p, '}', depth);
        p += depth;
        expect_result(o, (size_t)(p - o), depth <= 1000 ? NULL : BAD);
        assert_int_equal(cjson_accepts(o, (size_t)(p - o)), depth <= 1000);
        free(o);
    }
}

/* Decodes {"t": <value>} and checks the string against want[0..want_len). */
static void expect_decoded(const char *value, const char *want, size_t want_len)
{
    char buf[512];
    int n = snprintf(buf, sizeof buf, "{\"t\":%s}", value);
    assert_true(n > 0 && (size_t)n < sizeof buf);
    char *line = dup_exact(buf, (size_t)n);
    tw_cli_json_field f = {.name = "t", .decode = 1};
    const char *err = tw_cli_json_object(line, (size_t)n, &f, 1);
    if (err)
        fail_msg("%s: %s", value, err);
    assert_int_equal(f.kind, TW_CLI_JSON_STRING);
    assert_ptr_equal(f.raw, line + 5);
    assert_int_equal(f.raw_len, strlen(value));
    assert_ptr_equal(f.str, line + 6);
    if (f.str_len != want_len || memcmp(f.str, want, want_len) != 0)
        fail_msg("%s: decoded to %zu bytes, want %zu", value, f.str_len, want_len);
    assert_int_equal(f.str[f.str_len], '\0');
    assert_int_equal(line[n - 1], '}'); /* nothing written past the value */
    free(line);
}

#define DECODED(value, want) expect_decoded(value, want, sizeof(want) - 1)

static void test_escapes_and_surrogates(void **state)
{
    (void)state;
    DECODED("\"\"", "");
    DECODED("\"plain\"", "plain");
    DECODED("\"a\\\"b\\\\c\\/d\\be\\ff\\ng\\rh\\ti\"", "a\"b\\c/d\be\ff\ng\rh\ti");
    DECODED("\"\\u0041\\u00e9\\u00E9\\u0627\\u20AC\\uFFFF\"",
            "A\xc3\xa9\xc3\xa9\xd8\xa7\xe2\x82\xac\xef\xbf\xbf");
    DECODED("\"\\u007f\\u0080\\u07ff\\u0800\"", "\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80");
    /* surrogate pairs, either case */
    DECODED("\"\\uD83D\\uDE00\"", "\xf0\x9f\x98\x80");
    DECODED("\"\\ud83d\\ude00x\"", "\xf0\x9f\x98\x80x");
    DECODED("\"\\uD800\\uDC00\\uDBFF\\uDFFF\"", "\xf0\x90\x80\x80\xf4\x8f\xbf\xbf");
    /* lone and mismatched surrogates: U+FFFD each, what follows kept */
    DECODED("\"\\uD800\"", "\xef\xbf\xbd");
    DECODED("\"\\uDC00\"", "\xef\xbf\xbd");
    DECODED("\"\\uD83Dx\"", "\xef\xbf\xbdx");
    DECODED("\"\\uD83D\\u0041\"", "\xef\xbf\xbd" "A");
    DECODED("\"\\uD83D\\n\"", "\xef\xbf\xbd\n");
    DECODED("\"\\uD800\\uD800\\uDC00\"", "\xef\xbf\xbd\xf0\x90\x80\x80");
    DECODED("\"\\uDC00\\uD800\"", "\xef\xbf\xbd\xef\xbf\xbd");
    DECODED("\"\\uDE00\\uD83D\\uDE00\"", "\xef\xbf\xbd\xf0\x9f\x98\x80");
    /* \u0000 kept, with the length running past it */
    DECODED("\"a\\u0000b\"", "a\0b");
    DECODED("\"\\u0000\"", "\0");
    DECODED("\"\\u0000\\u0000\\u0000\"", "\0\0\0");
    /* raw Arabic and other high bytes pass through untouched */
    DECODED("\"\xd8\xa7\xd9\x84\xd8\xb1\xd9\x8a\xd8\xa7\xd8\xb6 \\\"\xd9\x88\xd8\xa7\xd8\xb3\\\"\"",
            "\xd8\xa7\xd9\x84\xd8\xb1\xd9\x8a\xd8\xa7\xd8\xb6 \"\xd9\x88\xd8\xa7\xd8\xb3\"");
    DECODED("\"\xf0\x9f\x98\x80\xff\x80\"", "\xf0\x9f\x98\x80\xff\x80");

    /* where the decoded string starts, the byte after the value stays put */
    char line[] = "{\"t\":\"\\n\\n\\n\",\"u\":1}";
    tw_cli_json_field f = {.name = "t", .decode = 1};
    assert_null(tw_cli_json_object(line, sizeof line - 1, &f, 1));
    assert_int_equal(f.str_len, 3);
    assert_memory_equal(f.str, "\n\n\n\0", 4);
    assert_string_equal(line + 13, ",\"u\":1}");
}

/* Every special byte at every position of strings around the SWAR block
 * size, at every alignment: the eight-byte scan must find the same first
 * byte as a byte loop would. */
static void test_scan_positions(void **state)
{
    (void)state;
    static const struct {
        const char *ins; /* what is put at the position */
        const char *dec; /* what it decodes to, NULL when the line is invalid */
    } specials[] = {
        {"\\n", "\n"},     {"\\\"", "\""}, {"\\u0627", "\xd8\xa7"}, {"\x1f", NULL},
        {"\x01", NULL},    {"\t", NULL},   {"\"", NULL}, {"\xd8\xa7", "\xd8\xa7"},
        {" ", " "},        {"\x7f", "\x7f"}, {"\x9c", "\x9c"}, {"\\\\", "\\"},
    };
    char buf[160], want[96];
    for (size_t pad = 0; pad < 8; pad++)
        for (size_t len = 0; len <= 70; len++)
            for (size_t pos = 0; pos < len; pos++)
                for (size_t k = 0; k < sizeof specials / sizeof specials[0]; k++) {
                    size_t n = 0, w = 0;
                    memset(buf, ' ', pad);
                    n = pad;
                    n += (size_t)sprintf(buf + n, "{\"t\":\"");
                    for (size_t i = 0; i < len; i++) {
                        if (i == pos) {
                            n += (size_t)sprintf(buf + n, "%s", specials[k].ins);
                            if (specials[k].dec)
                                w += (size_t)sprintf(want + w, "%s", specials[k].dec);
                        } else {
                            buf[n++] = (char)('a' + i % 26);
                            want[w++] = (char)('a' + i % 26);
                        }
                    }
                    n += (size_t)sprintf(buf + n, "\"}");
                    char *line = dup_exact(buf, n);
                    tw_cli_json_field f = {.name = "t", .decode = (int)(pos & 1)};
                    const char *err = tw_cli_json_object(line, n, &f, 1);
                    if (specials[k].dec == NULL) {
                        if (!err)
                            fail_msg("accepted [%.*s]", (int)n, buf);
                    } else {
                        if (err)
                            fail_msg("%s on [%.*s]", err, (int)n, buf);
                        assert_int_equal(f.raw_len, n - pad - 6);
                        if (f.decode) {
                            assert_int_equal(f.str_len, w);
                            assert_memory_equal(f.str, want, w);
                        } else {
                            assert_memory_equal(line, buf, n);
                        }
                    }
                    free(line);
                }
}

static void test_numbers(void **state)
{
    (void)state;
    static const char *const nums[] = {
        "0", "-0", "1", "-1", "12345678901234567890", "0.5", "-0.000001", "1e3", "1E+3",
        "1e-3", "-12.75e3", "6.02214076e23", "1e400", "-1e400", "4.9e-324", "1e-400",
        "123456789012345678901234567890123456789012345678901234567890123456789.5e-60",
    };
    char buf[256];
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        int n = snprintf(buf, sizeof buf, "{\"n\":%s,\"x\":\"y\"}", nums[i]);
        char *line = dup_exact(buf, (size_t)n);
        tw_cli_json_field f = {.name = "n", .decode = 1};
        assert_null(tw_cli_json_object(line, (size_t)n, &f, 1));
        assert_int_equal(f.kind, TW_CLI_JSON_NUMBER);
        assert_int_equal(f.raw_len, strlen(nums[i]));
        assert_memory_equal(f.raw, nums[i], f.raw_len);
        assert_null(f.str);
        double want = strtod(nums[i], NULL);
        assert_memory_equal(&f.num, &want, sizeof want);
        assert_memory_equal(line, buf, (size_t)n); /* the borrowed byte is back */
        free(line);
    }
    /* a number that ends the object */
    char line[] = "{\"n\":-7.25}";
    tw_cli_json_field f = {.name = "n"};
    assert_null(tw_cli_json_object(line, sizeof line - 1, &f, 1));
    assert_true(f.num == -7.25);
    assert_string_equal(line, "{\"n\":-7.25}");
}

static void test_kinds_keys_and_raw(void **state)
{
    (void)state;
    static const char src[] =
        " {\"obj\" : {\"text\":\"inner\"} , \"arr\":[1,\"]\"],\"b\":true,\"z\":null,"
        "\"t\\u0065xt\":\"esc\\u0061ped key\",\"id\":\"x\\n\\u0031\",\"te\\u0000xt\":1,"
        "\"num\":-0.5} ";
    char *line = dup_exact(src, sizeof src - 1);
    tw_cli_json_field f[] = {
        {.name = "obj", .decode = 1}, {.name = "arr"},  {.name = "b"},      {.name = "z"},
        {.name = "text", .decode = 1}, {.name = "id"},  {.name = "te"},     {.name = "num"},
        {.name = "missing", .decode = 1}, {.name = NULL, .decode = 1},
    };
    size_t nf = sizeof f / sizeof f[0];
    for (size_t i = 0; i < nf; i++) { /* outputs are reset, whatever they held */
        f[i].kind = TW_CLI_JSON_OTHER;
        f[i].raw = f[i].str = "junk";
        f[i].num = 99;
    }
    assert_null(tw_cli_json_object(line, sizeof src - 1, f, nf));
    assert_int_equal(f[0].kind, TW_CLI_JSON_OTHER);
    assert_int_equal(f[0].raw_len, strlen("{\"text\":\"inner\"}"));
    assert_memory_equal(f[0].raw, "{\"text\":\"inner\"}", f[0].raw_len);
    assert_null(f[0].str);
    assert_int_equal(f[1].kind, TW_CLI_JSON_OTHER);
    assert_memory_equal(f[1].raw, "[1,\"]\"]", f[1].raw_len);
    assert_int_equal(f[2].kind, TW_CLI_JSON_OTHER);
    assert_memory_equal(f[2].raw, "true", f[2].raw_len);
    assert_int_equal(f[3].kind, TW_CLI_JSON_OTHER);
    assert_memory_equal(f[3].raw, "null", f[3].raw_len);
    /* the key is compared decoded; the nested "text" does not count */
    assert_int_equal(f[4].kind, TW_CLI_JSON_STRING);
    assert_int_equal(f[4].str_len, strlen("escaped key"));
    assert_string_equal(f[4].str, "escaped key");
    /* raw only: the token as written, bytes intact */
    assert_int_equal(f[5].kind, TW_CLI_JSON_STRING);
    assert_int_equal(f[5].raw_len, strlen("\"x\\n\\u0031\""));
    assert_memory_equal(f[5].raw, "\"x\\n\\u0031\"", f[5].raw_len);
    assert_null(f[5].str);
    assert_int_equal(f[6].kind, TW_CLI_JSON_ABSENT); /* "te\u0000xt" is not "te" */
    assert_int_equal(f[7].kind, TW_CLI_JSON_NUMBER);
    assert_true(f[7].num == -0.5);
    for (size_t i = 8; i < nf; i++) {
        assert_int_equal(f[i].kind, TW_CLI_JSON_ABSENT);
        assert_null(f[i].raw);
        assert_null(f[i].str);
        assert_true(f[i].num == 0);
    }
    free(line);

    /* a key decoding to "te" and a NUL is not the name "te", even where the
     * name's memory goes on with NULs */
    static const char te_nul[] = "te\0\0";
    static const char src3[] = "{\"te\\u0000\":1}";
    line = dup_exact(src3, sizeof src3 - 1);
    tw_cli_json_field h = {.name = te_nul};
    assert_null(tw_cli_json_object(line, sizeof src3 - 1, &h, 1));
    assert_int_equal(h.kind, TW_CLI_JSON_ABSENT);
    free(line);

    /* with nothing decoded, the line is not changed at all */
    static const char src2[] = "{\"id\":\"a\\u0041\\n\",\"text\":\"\\uD83D\\uDE00\\\"\","
                               "\"n\":123456789012345678901234567890123456789012345678901234567890123456789}";
    line = dup_exact(src2, sizeof src2 - 1);
    tw_cli_json_field g[] = {{.name = "id"}, {.name = "text"}, {.name = "n"}};
    assert_null(tw_cli_json_object(line, sizeof src2 - 1, g, 3));
    assert_memory_equal(line, src2, sizeof src2 - 1);
    assert_int_equal(g[1].kind, TW_CLI_JSON_STRING);
    assert_int_equal(g[2].kind, TW_CLI_JSON_NUMBER);
    assert_true(g[2].num > 1.2e68 && g[2].num < 1.3e68);
    free(line);
}

static void test_arguments(void **state)
{
    (void)state;
    char line[] = "{\"a\":1}";
    tw_cli_json_field f = {.name = "a"};
    assert_string_equal(tw_cli_json_object(NULL, 0, &f, 1), BAD);
    assert_int_equal(f.kind, TW_CLI_JSON_ABSENT);
    assert_string_equal(tw_cli_json_object(line, sizeof line - 1, NULL, 1), BAD);
    assert_null(tw_cli_json_object(line, sizeof line - 1, NULL, 0));
    assert_null(tw_cli_json_object(line, sizeof line - 1, &f, 0));
    assert_int_equal(f.kind, TW_CLI_JSON_ABSENT); /* not asked for */
    assert_string_equal(tw_cli_json_object(line, 0, &f, 1), BAD);
    assert_string_equal(tw_cli_json_object(line, 3, &f, 1), BAD);
}

static void test_duplicate_keys_first_wins(void **state)
{
    (void)state;
    static const char src[] = "{\"text\":\"first\",\"id\":1,\"text\":\"sec\\nond\","
                              "\"id\":\"two\",\"t\\u0065xt\":\"third\"}";
    char *line = dup_exact(src, sizeof src - 1);
    tw_cli_json_field f[] = {{.name = "text", .decode = 1}, {.name = "id"}};
    assert_null(tw_cli_json_object(line, sizeof src - 1, f, 2));
    assert_int_equal(f[0].str_len, 5);
    assert_string_equal(f[0].str, "first");
    assert_int_equal(f[1].kind, TW_CLI_JSON_NUMBER);
    assert_true(f[1].num == 1);
    assert_memory_equal(f[1].raw, "1", f[1].raw_len);
    /* the later "text" is not decoded: its bytes are as written */
    const char *second = strstr(src, "\"sec");
    assert_memory_equal(line + (second - src), "\"sec\\nond\"", 10);
    free(line);

    /* the first occurrence is the one taken even when a later one is a
     * string and it is not */
    static const char src2[] = "{\"text\":[\"x\"],\"text\":\"y\"}";
    line = dup_exact(src2, sizeof src2 - 1);
    assert_null(tw_cli_json_object(line, sizeof src2 - 1, f, 2));
    assert_int_equal(f[0].kind, TW_CLI_JSON_OTHER);
    assert_memory_equal(f[0].raw, "[\"x\"]", 5);
    assert_null(f[0].str);
    assert_int_equal(f[1].kind, TW_CLI_JSON_ABSENT);
    free(line);

    /* one key asked for twice, raw and decoded: both describe the first
     * token, which is decoded */
    static const char src3[] = "{\"k\":\"a\\tb\",\"k\":\"zz\"}";
    line = dup_exact(src3, sizeof src3 - 1);
    tw_cli_json_field g[] = {{.name = "k"}, {.name = "k", .decode = 1}};
    assert_null(tw_cli_json_object(line, sizeof src3 - 1, g, 2));
    assert_ptr_equal(g[0].raw, g[1].raw);
    assert_int_equal(g[0].raw_len, 6);
    assert_null(g[0].str);
    assert_int_equal(g[1].str_len, 3);
    assert_string_equal(g[1].str, "a\tb");
    free(line);
}

/* ---- differential test against cJSON ---- */

typedef struct sbuf {
    char *p;
    size_t n, cap;
} sbuf;

static void sb_putn(sbuf *b, const char *s, size_t n)
{
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2 + 64;
        b->p = realloc(b->p, b->cap);
        assert_non_null(b->p);
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
}

static void sb_puts(sbuf *b, const char *s)
{
    sb_putn(b, s, strlen(s));
}

static void sb_putc(sbuf *b, char c)
{
    sb_putn(b, &c, 1);
}

static void gen_ws(uint64_t *rng, sbuf *b)
{
    static const char ws[] = " \t\r\n";
    if (rnd_below(rng, 3) == 0)
        for (uint64_t i = 1 + rnd_below(rng, 2); i > 0; i--)
            sb_putc(b, ws[rnd_below(rng, 4)]);
}

static void put_u_escape(uint64_t *rng, sbuf *b, unsigned cp)
{
    char e[8];
    snprintf(e, sizeof e, rnd_below(rng, 2) ? "\\u%04X" : "\\u%04x", cp);
    sb_puts(b, e);
}

/* The inside of a string: ASCII, raw Arabic and other UTF-8, every escape,
 * \u escapes of the BMP and surrogate pairs; \u0000 when allow_nul. */
static void gen_string_body(uint64_t *rng, sbuf *b, int allow_nul)
{
    static const char *const simple[] = {"\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t"};
    static const char *const raw[] = {"\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xc3\xa9", "\xef\xbb\xbf"};
    uint64_t units = rnd_below(rng, 4) == 0 ? rnd_below(rng, 200) : rnd_below(rng, 24);
    for (uint64_t i = 0; i < units; i++) {
        uint64_t r = rnd_below(rng, 100);
        if (r < 40) {
            char c;
            do
                c = (char)(0x20 + rnd_below(rng, 95));
            while (c == '"' || c == '\\');
            sb_putc(b, c);
        } else if (r < 70) { /* an Arabic letter U+0621..U+064A */
            unsigned cp = 0x621 + (unsigned)rnd_below(rng, 0x64A - 0x621 + 1);
            sb_putc(b, (char)(0xC0 | cp >> 6));
            sb_putc(b, (char)(0x80 | (cp & 0x3F)));
        } else if (r < 80) {
            sb_puts(b, simple[rnd_below(rng, 8)]);
        } else if (r < 88) {
            unsigned cp;
            do
                cp = 1 + (unsigned)rnd_below(rng, 0xFFFF);
            while (cp >= 0xD800 && cp <= 0xDFFF);
            put_u_escape(rng, b, cp);
        } else if (r < 93) {
            unsigned cp = 0x10000 + (unsigned)rnd_below(rng, 0x100000);
            put_u_escape(rng, b, 0xD800 + ((cp - 0x10000) >> 10));
            put_u_escape(rng, b, 0xDC00 + ((cp - 0x10000) & 0x3FF));
        } else if (r < 96 && allow_nul && rnd_below(rng, 8) == 0) {
            put_u_escape(rng, b, 0);
        } else {
            sb_puts(b, raw[rnd_below(rng, 4)]);
        }
    }
}

static void gen_number(uint64_t *rng, sbuf *b)
{
    if (rnd_below(rng, 3) == 0)
        sb_putc(b, '-');
    if (rnd_below(rng, 4) == 0) {
        sb_putc(b, '0');
    } else {
        sb_putc(b, (char)('1' + rnd_below(rng, 9)));
        for (uint64_t i = rnd_below(rng, 9); i > 0; i--)
            sb_putc(b, (char)('0' + rnd_below(rng, 10)));
    }
    if (rnd_below(rng, 2)) {
        sb_putc(b, '.');
        for (uint64_t i = 1 + rnd_below(rng, 8); i > 0; i--)
            sb_putc(b, (char)('0' + rnd_below(rng, 10)));
    }
    if (rnd_below(rng, 3) == 0) {
        sb_putc(b, rnd_below(rng, 2) ? 'e' : 'E');
        uint64_t s = rnd_below(rng, 3);
        if (s)
            sb_putc(b, s == 1 ? '+' : '-');
        for (uint64_t i = 1 + rnd_below(rng, 3); i > 0; i--)
            sb_putc(b, (char)('0' + rnd_below(rng, 10)));
    }
}

static void gen_object(uint64_t *rng, sbuf *b, int depth);

static void gen_value(uint64_t *rng, sbuf *b, int depth)
{
    static const char *const lits[] = {"true", "false", "null"};
    uint64_t r = rnd_below(rng, 100);
    if (depth >= 4 && r >= 70)
        r = rnd_below(rng, 70);
    if (r < 35) {
        sb_putc(b, '"');
        gen_string_body(rng, b, 1);
        sb_putc(b, '"');
    } else if (r < 60) {
        gen_number(rng, b);
    } else if (r < 70) {
        sb_puts(b, lits[rnd_below(rng, 3)]);
    } else if (r < 85) {
        sb_putc(b, '[');
        gen_ws(rng, b);
        for (uint64_t i = 0, n = rnd_below(rng, 5); i < n; i++) {
            if (i) {
                sb_putc(b, ',');
                gen_ws(rng, b);
            }
            gen_value(rng, b, depth + 1);
            gen_ws(rng, b);
        }
        sb_putc(b, ']');
    } else {
        gen_object(rng, b, depth + 1);
    }
}

/* Wanted keys, some written with escapes, and others. */
static void gen_key(uint64_t *rng, sbuf *b)
{
    static const char *const keys[] = {
        "id", "text", "title", "date", "num", "\\u0069d", "t\\u0065xt", "ti\\u0074le",
        "dat\\u0065", "source", "url", "x", "", "Text", "tex", "texts",
    };
    uint64_t r = rnd_below(rng, 5);
    sb_putc(b, '"');
    if (r == 0)
        gen_string_body(rng, b, 0);
    else /* half the time one of the nine wanted spellings */
        sb_puts(b, keys[rnd_below(rng, r <= 2 ? 9 : sizeof keys / sizeof keys[0])]);
    sb_putc(b, '"');
}

static void gen_object(uint64_t *rng, sbuf *b, int depth)
{
    sb_putc(b, '{');
    gen_ws(rng, b);
    uint64_t n = depth == 0 ? 1 + rnd_below(rng, 9) : rnd_below(rng, 4);
    for (uint64_t i = 0; i < n; i++) {
        if (i) {
            sb_putc(b, ',');
            gen_ws(rng, b);
        }
        gen_key(rng, b);
        gen_ws(rng, b);
        sb_putc(b, ':');
        gen_ws(rng, b);
        if (depth == 0 && rnd_below(rng, 2)) { /* the wanted fields are mostly strings */
            sb_putc(b, '"');
            gen_string_body(rng, b, 1);
            sb_putc(b, '"');
        } else {
            gen_value(rng, b, depth);
        }
        gen_ws(rng, b);
    }
    sb_putc(b, '}');
}

enum { NF = 5 };

static void init_fields(tw_cli_json_field f[NF])
{
    static const tw_cli_json_field tmpl[NF] = {
        {.name = "id"},
        {.name = "text", .decode = 1},
        {.name = "title", .decode = 1},
        {.name = "date", .decode = 1},
        {.name = "num"},
    };
    memcpy(f, tmpl, sizeof tmpl);
}

/* How many decoded strings were compared whole, and up to a \u0000 (cJSON
 * stores them cut there). */
typedef struct cmp_stats {
    int whole, to_nul, numbers;
} cmp_stats;

/* The scanner's fields against cJSON's tree of the same line. orig is the
 * line before the scanner decoded it in place (line). */
static void compare_with_cjson(const char *orig, const char *line, size_t len,
                               const tw_cli_json_field *f, size_t nf, const cJSON *root,
                               cmp_stats *st)
{
    for (size_t i = 0; i < nf; i++) {
        const cJSON *item = cJSON_GetObjectItemCaseSensitive(root, f[i].name);
        if (!item) {
            if (f[i].kind != TW_CLI_JSON_ABSENT)
                fail_msg("[%.*s] %s: found, cJSON has none", (int)len, orig, f[i].name);
            continue;
        }
        tw_cli_json_kind want = cJSON_IsString(item)   ? TW_CLI_JSON_STRING
                                : cJSON_IsNumber(item) ? TW_CLI_JSON_NUMBER
                                                       : TW_CLI_JSON_OTHER;
        if (f[i].kind != want)
            fail_msg("[%.*s] %s: kind %d, cJSON %d", (int)len, orig, f[i].name, f[i].kind, want);
        /* raw is where the token was: cJSON reads exactly it back, and for a
         * field not decoded its bytes are still as written */
        assert_true(f[i].raw >= line && f[i].raw + f[i].raw_len <= line + len);
        size_t off = (size_t)(f[i].raw - line);
        const char *tok_end = NULL;
        cJSON *tok = cJSON_ParseWithLengthOpts(orig + off, f[i].raw_len, &tok_end, 0);
        assert_non_null(tok);
        assert_ptr_equal(tok_end, orig + off + f[i].raw_len);
        /* printed rather than cJSON_Compare'd: that one finds inf != inf */
        char *p1 = cJSON_PrintUnformatted(tok), *p2 = cJSON_PrintUnformatted(item);
        assert_true(p1 && p2);
        if (strcmp(p1, p2) != 0)
            fail_msg("[%.*s] %s: raw [%.*s] reads back differently", (int)len, orig, f[i].name,
                     (int)f[i].raw_len, orig + off);
        cJSON_free(p1);
        cJSON_free(p2);
        cJSON_Delete(tok);
        if (!f[i].decode || want != TW_CLI_JSON_STRING)
            assert_memory_equal(f[i].raw, orig + off, f[i].raw_len);
        if (want == TW_CLI_JSON_NUMBER) {
            assert_memory_equal(&f[i].num, &item->valuedouble, sizeof(double));
            st->numbers++;
        }
        if (want == TW_CLI_JSON_STRING && f[i].decode) {
            assert_true(f[i].str > f[i].raw && f[i].str + f[i].str_len < f[i].raw + f[i].raw_len);
            assert_int_equal(f[i].str[f[i].str_len], '\0');
            const char *nul = memchr(f[i].str, 0, f[i].str_len);
            size_t upto = nul ? (size_t)(nul - f[i].str) : f[i].str_len;
            if (nul)
                st->to_nul++;
            else
                st->whole++;
            if (strlen(item->valuestring) != upto || memcmp(f[i].str, item->valuestring, upto) != 0)
                fail_msg("[%.*s] %s: decoded differently from cJSON", (int)len, orig, f[i].name);
        }
    }
}

/* A \u escape of a surrogate anywhere in the line (loosely: a "\\u" pair of
 * characters counts too). */
static int has_surrogate_escape(const char *s, size_t len)
{
    for (size_t i = 0; i + 3 < len; i++)
        if (s[i] == '\\' && s[i + 1] == 'u' && (s[i + 2] | 0x20) == 'd' &&
            s[i + 3] && strchr("89abcdefABCDEF", s[i + 3]))
            return 1;
    return 0;
}

static void test_random_against_cjson(void **state)
{
    (void)state;
    static const char noise[] = "\"\\{}[],:0123456789eE.-+ tunlfarsu\x01\x1f\xd8\xa7";
    uint64_t rng = 0x7a3a11cafef00dull;
    sbuf b = {0};
    int objects = 0, found = 0;
    cmp_stats st = {0};
    int mut_ours = 0, mut_both = 0, mut_cjson_only = 0, mut_surrogate = 0, mut_none = 0;
    for (int round = 0; round < 4000; round++) {
        b.n = 0;
        gen_ws(&rng, &b);
        gen_object(&rng, &b, 0);
        gen_ws(&rng, &b);
        size_t len = b.n;
        char *orig = dup_exact(b.p, len), *line = dup_exact(b.p, len);
        cJSON *root = cJSON_ParseWithLength(orig, len);
        if (!root)
            fail_msg("cJSON rejects generated [%.*s]", (int)len, orig);
        tw_cli_json_field f[NF];
        init_fields(f);
        const char *err = tw_cli_json_object(line, len, f, NF);
        if (err)
            fail_msg("%s: [%.*s]", err, (int)len, orig);
        compare_with_cjson(orig, line, len, f, NF, root, &st);
        for (int i = 0; i < NF; i++)
            found += f[i].kind != TW_CLI_JSON_ABSENT;
        objects++;
        cJSON_Delete(root);
        free(line);

        /* one byte deleted or inserted */
        for (int m = 0; m < 6; m++) {
            size_t mlen, at = (size_t)rnd_below(&rng, len + 1);
            char *mut = malloc(len + 1);
            assert_non_null(mut);
            if (rnd_below(&rng, 2) && at < len) {
                memcpy(mut, orig, at);
                memcpy(mut + at, orig + at + 1, len - at - 1);
                mlen = len - 1;
            } else {
                memcpy(mut, orig, at);
                mut[at] = noise[rnd_below(&rng, sizeof noise - 1)];
                memcpy(mut + at + 1, orig + at, len - at);
                mlen = len + 1;
            }
            char *cj_copy = dup_exact(mut, mlen), *ours = dup_exact(mut, mlen);
            cJSON *r = cJSON_ParseWithLength(cj_copy, mlen);
            init_fields(f);
            err = tw_cli_json_object(ours, mlen, f, NF);
            if (!err && r) {
                mut_both++;
                compare_with_cjson(mut, ours, mlen, f, NF, r, &st);
            } else if (!err) { /* only for a lone surrogate, which cJSON rejects */
                if (!has_surrogate_escape(mut, mlen))
                    fail_msg("accepted, cJSON rejects: [%.*s]", (int)mlen, mut);
                mut_surrogate++;
            } else if (r) {
                mut_cjson_only++;
            } else {
                mut_none++;
            }
            mut_ours += !err;
            cJSON_Delete(r);
            free(cj_copy);
            free(ours);
            free(mut);
        }
        free(orig);
    }
    free(b.p);
    print_message("%d objects, %d fields found; compared: %d decoded strings whole, %d up to "
                  "\\u0000, %d numbers; mutated lines: %d accepted by both, %d by cJSON only, "
                  "%d by us only (lone surrogate), %d by neither\n",
                  objects, found, st.whole, st.to_nul, st.numbers, mut_both, mut_cjson_only,
                  mut_surrogate, mut_none);
    /* the run exercised what it is meant to */
    assert_true(found > objects * 3 / 2);
    assert_true(st.whole > 10000 && st.to_nul > 500 && st.numbers > 1000);
    assert_true(mut_both > 500 && mut_cjson_only > 500 && mut_none > 5000);
    assert_true(mut_ours == mut_both + mut_surrogate);
}

/* ---- the real feeds ---- */

static void check_feed(const char *file)
{
    const char *root_dir = getenv("TAWAM_SOURCE_DIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/../shared/data/%s", root_dir ? root_dir : ".", file);
    FILE *in = fopen(path, "rb");
    if (!in) {
        print_message("%s absent: skipped\n", path);
        skip();
    }
    char *buf = NULL;
    size_t cap = 0, lines = 0;
    ssize_t n;
    cmp_stats st = {0};
    while ((n = getline(&buf, &cap, in)) > 0) {
        size_t len = (size_t)n;
        if (buf[len - 1] == '\n')
            len--;
        char *orig = dup_exact(buf, len), *line = dup_exact(buf, len);
        cJSON *root = cJSON_ParseWithLength(orig, len);
        assert_non_null(root);
        tw_cli_json_field f[NF];
        init_fields(f);
        const char *err = tw_cli_json_object(line, len, f, NF);
        if (err)
            fail_msg("%s line %zu: %s", file, lines + 1, err);
        compare_with_cjson(orig, line, len, f, NF, root, &st);
        for (int i = 0; i < 4; i++) /* id, text, title, date */
            assert_int_equal(f[i].kind, TW_CLI_JSON_STRING);
        cJSON_Delete(root);
        free(orig);
        free(line);
        lines++;
    }
    free(buf);
    fclose(in);
    print_message("%s: %zu lines agree with cJSON\n", file, lines);
    assert_true(lines > 1000);
}

static void test_saudinewsnet(void **state)
{
    (void)state;
    check_feed("saudinewsnet.jsonl");
}

static void test_ant(void **state)
{
    (void)state;
    check_feed("ant.jsonl");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_and_invalid_lines),
        cmocka_unit_test(test_nesting_limit),
        cmocka_unit_test(test_escapes_and_surrogates),
        cmocka_unit_test(test_scan_positions),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_kinds_keys_and_raw),
        cmocka_unit_test(test_arguments),
        cmocka_unit_test(test_duplicate_keys_first_wins),
        cmocka_unit_test(test_random_against_cjson),
        cmocka_unit_test(test_saudinewsnet),
        cmocka_unit_test(test_ant),
    };
    /* every test with the SSE2/SWAR string loop, then with AVX2 where the
     * build and the CPU have it */
    int failed = cmocka_run_group_tests_name("reference string loop", tests, NULL, NULL);
#if TW_CLI_AVX2
    if (__builtin_cpu_supports("avx2")) {
        tw_cli_json_use_avx2(1);
        failed += cmocka_run_group_tests_name("AVX2 string loop", tests, NULL, NULL);
        tw_cli_json_use_avx2(0);
    } else {
        print_message("skip: no AVX2 here; the AVX2 string loop is not run\n");
    }
#endif
    return failed;
}
