/*
 * test_text_kernels.c — the normalizer's fast path and vector kernels
 * against the reference, byte for byte, on every instruction set the host
 * has: random texts of Arabic (letters, marks, digits, punctuation, the
 * whole U+0600 block), ASCII, spaces and line breaks in runs, three- and
 * four-byte characters, NFKC triggers and invalid UTF-8; lengths around
 * the vector widths; unaligned starts. The tokenizer's kernels the same
 * way, on the normalized texts, and the character map (tw__charmap) on
 * both, against its definition written out here. Also the dispatch: names, and that
 * TAWAM_FORCE_ISA can only lower the set.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/tw_text.h"
#include "../tw_test_util.h"

static tw__norm_table *table;

static int setup(void **state)
{
    (void)state;
    table = malloc(sizeof *table);
    return table && tw__norm_table_init(table, TW_NORM_DEFAULT) == TW_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    free(table);
    return 0;
}

static size_t put_cp(uint8_t *o, uint32_t cp)
{
    return tw__utf8_encode(cp, o);
}

/* One random "character" of the mix, appended at o; returns bytes. */
static size_t random_piece(uint64_t *rng, uint8_t *o)
{
    static const uint32_t arabic_common[] = {0x0627, 0x0644, 0x0645, 0x0646, 0x064A, 0x0648,
                                             0x0647, 0x0629, 0x0623, 0x0625, 0x0622, 0x0649,
                                             0x0628, 0x062A, 0x0631, 0x0639, 0x0641, 0x0642};
    switch (rnd_below(rng, 20)) {
    case 0: case 1: case 2: case 3: case 4: case 5: case 6:
        return put_cp(o, arabic_common[rnd_below(rng, sizeof arabic_common / 4)]);
    case 7: case 8:
        return put_cp(o, 0x0600 + (uint32_t)rnd_below(rng, 0x100)); /* the whole block */
    case 9: case 10:
        o[0] = ' ';
        return 1;
    case 11:
        o[0] = (uint8_t)('a' + rnd_below(rng, 26));
        return 1;
    case 12:
        o[0] = (uint8_t)('A' + rnd_below(rng, 26));
        return 1;
    case 13:
        o[0] = (uint8_t)(0x20 + rnd_below(rng, 0x5F)); /* printable ASCII */
        return 1;
    case 14: {
        static const char *ws[] = {"\n", "\r\n", "\r", "\t", "  ", "\n\n\n", " \n "};
        const char *w = ws[rnd_below(rng, 7)];
        memcpy(o, w, strlen(w));
        return strlen(w);
    }
    case 15: {
        static const uint32_t three[] = {0x200C, 0x200F, 0x2019, 0x201C, 0x2014, 0xFEFB,
                                         0xFE91, 0xFDF2, 0x00A0, 0x06F5, 0x0660, 0xFF21,
                                         0x00A9, 0x00E9, 0x00AB, 0x00BB, 0x00A0, 0x00A0};
        return put_cp(o, three[rnd_below(rng, sizeof three / 4)]);
    }
    case 16:
        return put_cp(o, 0x1F600 + (uint32_t)rnd_below(rng, 64)); /* emoji */
    case 17:
        o[0] = (uint8_t)(0x80 + rnd_below(rng, 0x80)); /* a stray byte */
        return 1;
    case 18: {
        size_t n = put_cp(o, 0x0627 + (uint32_t)rnd_below(rng, 20));
        return n - (rnd_below(rng, 2)); /* sometimes truncated */
    }
    default:
        o[0] = (uint8_t)('0' + rnd_below(rng, 10));
        return 1;
    }
}

/* Mostly-clean Arabic: long same-length runs that the kernels take whole,
 * broken now and then. */
static size_t clean_piece(uint64_t *rng, uint8_t *o)
{
    uint64_t r = rnd_below(rng, 100);
    if (r < 80)
        return put_cp(o, 0x0621 + (uint32_t)rnd_below(rng, 0x2A)); /* letters ء..ي */
    if (r < 93) {
        o[0] = ' ';
        return 1;
    }
    return random_piece(rng, o);
}

/* Tokens of normalized text: every kernel against the scalar loop. */
static void check_tokens(const uint8_t *text, size_t len)
{
    tw__buf ref = {0}, got = {0};
    assert_int_equal(tw__tokenize_with(table, text, len, &ref, NULL, 0), TW_OK);
    for (int isa = TW__ISA_SSE42; isa <= (int)tw__isa_supported(); isa++) {
        size_t width;
        tw__tok_kernel k = tw__tok_kernel_for((tw__isa)isa, &width);
        assert_int_equal(tw__tokenize_with(table, text, len, &got, k, width), TW_OK);
        if (got.len != ref.len ||
            (ref.len && memcmp(got.data, ref.data, ref.len * sizeof(tw__token)))) {
            print_error("tokenizer isa %s differs on %zu bytes (%zu/%zu tokens)\n",
                        tw__isa_name((tw__isa)isa), len, got.len, ref.len);
            fail();
        }
    }
    /* and off the character map of the same text, with every unit kernel */
    uint8_t *units = malloc(len + 32);
    uint32_t *ck = malloc(TW__CHARMAP_CK(len) * sizeof *ck);
    assert_non_null(units);
    assert_non_null(ck);
    size_t nunits = tw__charmap_with(&table->simd, text, len, units, ck, TW__ISA_SCALAR);
    for (int isa = TW__ISA_SCALAR; isa <= (int)tw__isa_supported(); isa++) {
        tw__unit_tok_kernel k = tw__unit_tok_kernel_for((tw__isa)isa);
        assert_true(isa == TW__ISA_SCALAR ? k == NULL : k != NULL);
        assert_int_equal(tw__tokenize_mapped_with(table, text, len, units, nunits, &got, k), TW_OK);
        if (got.len != ref.len ||
            (ref.len && memcmp(got.data, ref.data, ref.len * sizeof(tw__token)))) {
            print_error("mapped tokenizer isa %s differs on %zu bytes (%zu/%zu tokens)\n",
                        tw__isa_name((tw__isa)isa), len, got.len, ref.len);
            fail();
        }
    }
    free(units);
    free(ck);
    tw__buf_free(&ref);
    tw__buf_free(&got);
}

/* The character map (tw__charmap) written out from its definition, on
 * every ISA the host has, with its unit counts; and the offsets mapped
 * back and forth. */
static void check_charmap(const uint8_t *in, size_t len)
{
    uint8_t *want = malloc(len + 1), *got = malloc(len + 33);
    size_t *start = malloc((len + 1) * sizeof *start);
    uint32_t *ck_want = calloc(TW__CHARMAP_CK(len), sizeof *ck_want);
    uint32_t *ck = malloc(TW__CHARMAP_CK(len) * sizeof *ck);
    assert_non_null(want && got && start && ck_want && ck);
    size_t units = 0;
    start[0] = 0;
    for (size_t j = 0; j < len; j++) {
        if (j % 64 == 0)
            ck_want[j / 64] = (uint32_t)units;
        if (j + 1 < len && (in[j + 1] & 0xC0) == 0x80)
            continue; /* not a unit's last byte */
        uint8_t x = in[j], b = j ? in[j - 1] : 0, y = 0x7F;
        if (x < 0x80)
            y = x;
        else if ((x & 0xC0) == 0x80 && b == 0xD8)
            y = x;
        else if ((x & 0xC0) == 0x80 && b == 0xD9)
            y = (uint8_t)(x + 0x40);
        else if (x == 0xA9 && b == 0xC2)
            y = 0x01;
        want[units++] = y;
        start[units] = j + 1; /* where the next unit starts */
    }
    for (size_t b = (len + 63) / 64; b <= len / 64 + 1; b++)
        ck_want[b] = (uint32_t)units;
    for (int isa = TW__ISA_SCALAR; isa <= (int)tw__isa_supported(); isa++) {
        memset(ck, 0xEE, TW__CHARMAP_CK(len) * sizeof *ck);
        size_t n = tw__charmap_with(&table->simd, in, len, got, ck, (tw__isa)isa);
        if (n != units || memcmp(got, want, units) ||
            memcmp(ck, ck_want, TW__CHARMAP_CK(len) * sizeof *ck)) {
            print_error("charmap isa %s differs on %zu bytes (%zu/%zu units)\n",
                        tw__isa_name((tw__isa)isa), len, n, units);
            fail();
        }
    }
    /* every unit on short texts, a spread of them on long ones */
    size_t step = units < 400 ? 1 : units / 97;
    for (size_t m = 0; m <= units; m += step) {
        size_t at = tw__charmap_to_text(in, len, ck_want, m);
        if (at != start[m] || tw__charmap_to_units(in, len, ck_want, at) != m) {
            print_error("charmap unit %zu of %zu: at %zu, want %zu (len %zu)\n", m, units, at,
                        start[m], len);
            fail();
        }
    }
    assert_int_equal(tw__charmap_to_text(in, len, ck_want, units), len);
    free(want), free(got), free(start), free(ck_want), free(ck);
}

static void check_all(const uint8_t *in, size_t len)
{
    check_charmap(in, len);
    tw__norm_work ref = {0}, fast = {0};
    size_t rbad = 0, fbad = 0;
    int rrc = tw__normalize_reference(table, &ref, in, len, &rbad);
    for (int isa = TW__ISA_SCALAR; isa <= (int)tw__isa_supported(); isa++) {
        fbad = 12345;
        int frc = tw__normalize_with(table, &fast, in, len, &fbad,
                                     tw__norm_kernel_for((tw__isa)isa));
        if (frc != rrc || (rrc == TW_OK && (fast.out.len != ref.out.len ||
                                            memcmp(fast.out.data, ref.out.data, ref.out.len) ||
                                            fbad != rbad))) {
            print_error("isa %s differs on %zu bytes (rc %d/%d, len %zu/%zu)\n",
                        tw__isa_name((tw__isa)isa), len, frc, rrc, fast.out.len, ref.out.len);
            fail();
        }
    }
    if (rrc == TW_OK) {
        check_tokens(ref.out.data, ref.out.len);
        check_charmap(ref.out.data, ref.out.len);
    }
    tw__norm_work_free(&ref);
    tw__norm_work_free(&fast);
}

static void test_random_mixed(void **state)
{
    (void)state;
    uint64_t rng = 7;
    uint8_t *buf = malloc(4096 + 128);
    for (int trial = 0; trial < 6000; trial++) {
        size_t target = trial < 300 ? (size_t)trial : (size_t)rnd_below(&rng, 1500);
        size_t shift = (size_t)rnd_below(&rng, 64); /* unaligned starts */
        uint8_t *p = buf + shift;
        size_t n = 0;
        int clean = trial % 3 != 0;
        while (n < target)
            n += clean ? clean_piece(&rng, p + n) : random_piece(&rng, p + n);
        check_all(p, n);
    }
    free(buf);
}

/* Arabic-block characters that fold to one ASCII byte (، ؛ ؟ ٪, digits) or
 * to nothing (diacritics, tatweel), which the AVX-512 kernel writes short
 * (compressed), densely among letters, spaces and line breaks: runs of
 * marks, a mark between two spaces (the spaces then meet), a mark or a
 * comma at every block edge; under rule sets that keep some of them as
 * they are. Every kernel against the reference, byte for byte. */
static void test_short_folds(void **state)
{
    (void)state;
    static const uint32_t shorts[] = {0x060C, 0x061B, 0x061F, 0x066A, 0x0660, 0x0663, 0x0669,
                                      0x064B, 0x064E, 0x0650, 0x0651, 0x0652, 0x0640, 0x0670};
    static const unsigned rules[] = {TW_NORM_DEFAULT, TW_NORM_DEFAULT & ~TW_NORM_DIACRITICS,
                                     TW_NORM_DEFAULT & ~(TW_NORM_PUNCT | TW_NORM_DIGITS),
                                     TW_NORM_DEFAULT & ~(TW_NORM_TATWEEL | TW_NORM_SPACES)};
    tw__norm_table *keep = table;
    tw__norm_table *t = malloc(sizeof *t);
    assert_non_null(t);
    uint64_t rng = 11;
    uint8_t *buf = malloc(2048 + 128);
    assert_non_null(buf);
    for (size_t r = 0; r < sizeof rules / sizeof rules[0]; r++) {
        assert_int_equal(tw__norm_table_init(t, rules[r]), TW_OK);
        table = t;
        for (int trial = 0; trial < 3000; trial++) {
            size_t target = trial < 200 ? (size_t)trial : (size_t)rnd_below(&rng, 700);
            uint8_t *p = buf + rnd_below(&rng, 64);
            size_t n = 0;
            while (n < target) {
                uint64_t k = rnd_below(&rng, 100);
                if (k < 55)
                    n += put_cp(p + n, 0x0621 + (uint32_t)rnd_below(&rng, 0x2A));
                else if (k < 75)
                    n += put_cp(p + n, shorts[rnd_below(&rng, sizeof shorts / 4)]);
                else if (k < 92)
                    p[n++] = ' ';
                else if (k < 95)
                    p[n++] = '\n';
                else
                    p[n++] = (uint8_t)('a' + rnd_below(&rng, 26));
            }
            check_all(p, n);
        }
        /* one short fold (or a space, mark, space) at every position of
         * clean text, for lengths around the block */
        for (size_t len = 62; len < 140; len += 3)
            for (size_t pos = 0; pos + 6 <= len; pos++)
                for (int form = 0; form < 3; form++) {
                    size_t n = 0;
                    while (n + 2 <= len) {
                        if (n == pos && form == 2) {
                            buf[n++] = ' ';
                            n += put_cp(buf + n, 0x064B);
                            buf[n++] = ' ';
                            continue;
                        }
                        n += put_cp(buf + n, n == pos ? (form ? 0x060C : 0x0651) : 0x0645);
                    }
                    check_all(buf, n);
                }
    }
    table = keep;
    free(t);
    free(buf);
}

static void test_lengths_around_widths(void **state)
{
    (void)state;
    /* identity-only Arabic with one fold placed at every position, for
     * every length around 16, 32 and 64 bytes and the kernel's tail */
    uint8_t buf[512];
    for (size_t len = 60; len < 200; len++)
        for (size_t pos = 0; pos + 2 <= len; pos += 1) {
            size_t n = 0;
            while (n + 2 <= len) {
                n += put_cp(buf + n, n == pos || n + 1 == pos ? 0x0629 : 0x0645);
                if (n % 11 == 0 && n + 1 <= len)
                    buf[n++] = ' ';
            }
            if (n < len)
                buf[n++] = 'x';
            check_all(buf, n);
        }
}

static void test_split_pair_at_block_end(void **state)
{
    (void)state;
    /* an odd ASCII prefix puts lead bytes at the last byte of a block */
    uint8_t buf[300];
    for (size_t prefix = 1; prefix < 72; prefix++) {
        size_t n = 0;
        for (size_t k = 0; k < prefix; k++)
            buf[n++] = 'a';
        while (n + 2 <= 200)
            n += put_cp(buf + n, 0x0644);
        buf[n++] = '\n'; /* ends the last run early, then scalar */
        check_all(buf, n);
    }
}

static void test_double_spaces_and_line_starts(void **state)
{
    (void)state;
    uint8_t buf[400];
    for (size_t gap = 0; gap < 70; gap++) {
        size_t n = 0;
        for (size_t k = 0; k < gap; k++)
            n += put_cp(buf + n, 0x0628);
        memcpy(buf + n, "  \n ", 4);
        n += 4;
        for (size_t k = 0; k < 100; k++)
            n += put_cp(buf + n, k % 7 == 6 ? ' ' : 0x062A);
        check_all(buf, n);
    }
}

static void test_tokens_unaligned(void **state)
{
    (void)state;
    /* normalized-looking text (valid UTF-8, words, punctuation, other
     * scripts) at every start offset within a vector */
    uint64_t rng = 11;
    uint8_t *buf = malloc(2048 + 64);
    tw__norm_work w = {0};
    for (int trial = 0; trial < 2000; trial++) {
        size_t n = 0, target = (size_t)rnd_below(&rng, 600);
        uint8_t raw[2048];
        while (n < target)
            n += clean_piece(&rng, raw + n);
        assert_int_equal(tw__normalize_reference(table, &w, raw, n, NULL), TW_OK);
        size_t shift = (size_t)rnd_below(&rng, 64);
        memcpy(buf + shift, w.out.data, w.out.len);
        check_tokens(buf + shift, w.out.len);
    }
    tw__norm_work_free(&w);
    free(buf);
}

static void test_tokens_arabic_non_word(void **state)
{
    (void)state;
    /* Arabic and ASCII only (blocks the kernels take whole), with the
     * U+0600 block's non-word characters (signs, symbols, ٭) and digits
     * between letters: each must end a word exactly where the scalar
     * loop ends it */
    static const uint32_t non_word[] = {0x0606, 0x0607, 0x0608, 0x0609, 0x060A,
                                        0x060E, 0x060F, 0x066D, 0x061E};
    uint64_t rng = 5;
    uint8_t buf[1024];
    for (int trial = 0; trial < 3000; trial++) {
        size_t n = 0, target = 40 + (size_t)rnd_below(&rng, 400);
        while (n + 4 < target) {
            uint64_t r = rnd_below(&rng, 20);
            if (r < 14)
                n += put_cp(buf + n, 0x0621 + (uint32_t)rnd_below(&rng, 0x2A));
            else if (r < 16)
                n += put_cp(buf + n, non_word[rnd_below(&rng, sizeof non_word / 4)]);
            else if (r < 18)
                buf[n++] = ' ';
            else
                buf[n++] = (uint8_t)(rnd_below(&rng, 2) ? '0' + rnd_below(&rng, 10) : ',');
        }
        check_tokens(buf, n);
    }
}

/* Characters NFKC changes, which the fast path folds a segment at a time
 * through ICU (from one with a normalization boundary before it to the
 * next character that needs no ICU and has one): ligatures and
 * presentation forms, ﷺ (18 characters), …, ″, fullwidth and circled
 * forms, next to marks that compose (ا + U+0653 is آ, و + U+0654 is ؤ, e +
 * U+0301 is é) or are dropped (fatha, shadda), to spaces, line breaks and
 * CR LF, in long runs (past the segment's limit) and at the text's edges.
 * Every kernel against the reference, byte for byte. */
static void test_nfkc_segments(void **state)
{
    (void)state;
    static const char *const pieces[] = {
        "\uFEFB", "\uFEF7", "\uFDFA", "\u2026", "\u2033", "\u2460", "\uFF21", "\uFE91",
        "\u0627\u0653", "\u0648\u0654", "e\u0301", "\u064E", "\u0651", "\u0653", "\u0654",
        "\uFEFB\u064E", "\u0301", "\u00A0", "\u2126", "\u1E9B\u0323",
        "كتب", "الرئيس", " ", " ", "\n", "\r\n", "\n\n", "،", "1", "abc", "\u00AB", "\u00BB",
        "\u00A0", " \u00A0 ",
    };
    uint64_t rng = 17;
    char *buf = malloc(8192);
    for (int trial = 0; trial < 3000; trial++) {
        size_t n = 0, want = (size_t)rnd_below(&rng, trial % 10 ? 120 : 2000);
        while (n < want) {
            const char *p = pieces[rnd_below(&rng, sizeof pieces / sizeof pieces[0])];
            size_t l = strlen(p);
            if (n + l >= 8192)
                break;
            memcpy(buf + n, p, l);
            n += l;
        }
        check_all((const uint8_t *)buf, n);
    }
    /* one run longer than a segment holds */
    size_t n = 0;
    for (int k = 0; k < 300; k++)
        n += put_cp((uint8_t *)buf + n, 0xFEFB);
    check_all((const uint8_t *)buf, n);
    free(buf);
}

/* The character map on bytes drawn from the few it tells apart (ASCII, a
 * continuation byte, the leads D8, D9 and C2, and A9), so that every
 * pattern of kept bytes comes up in every 8-byte group the kernels close
 * up with one shuffle. */
static void test_charmap_every_mask(void **state)
{
    (void)state;
    static const uint8_t alphabet[] = {'a', ' ', 0x80, 0xBF, 0xA9, 0xD8, 0xD9, 0xC2, 0xE2};
    uint64_t rng = 11;
    uint8_t buf[600];
    for (int trial = 0; trial < 3000; trial++) {
        size_t len = trial < 200 ? (size_t)trial : 200 + (size_t)rnd_below(&rng, 400);
        for (size_t i = 0; i < len; i++)
            buf[i] = alphabet[rnd_below(&rng, sizeof alphabet)];
        check_charmap(buf, len);
    }
}

static void test_dispatch(void **state)
{
    (void)state;
    tw__isa isa;
    assert_int_equal(tw__isa_from_name("avx2", &isa), 0);
    assert_int_equal(isa, TW__ISA_AVX2);
    assert_int_equal(tw__isa_from_name("scalar", &isa), 0);
    assert_int_equal(isa, TW__ISA_SCALAR);
    assert_int_not_equal(tw__isa_from_name("neon", &isa), 0);
    assert_true(tw__isa_active() <= tw__isa_supported());
    assert_string_equal(tw_isa(), tw__isa_name(tw__isa_active()));
    const char *forced = getenv("TAWAM_FORCE_ISA");
    if (forced && tw__isa_from_name(forced, &isa) == 0 && isa <= tw__isa_supported())
        assert_int_equal(tw__isa_active(), isa);
    assert_null(tw__norm_kernel_for(TW__ISA_SCALAR));
    size_t width = 99;
    assert_null(tw__tok_kernel_for(TW__ISA_SCALAR, &width));
    assert_int_equal(width, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_mixed),
        cmocka_unit_test(test_lengths_around_widths),
        cmocka_unit_test(test_short_folds),
        cmocka_unit_test(test_split_pair_at_block_end),
        cmocka_unit_test(test_double_spaces_and_line_starts),
        cmocka_unit_test(test_tokens_unaligned),
        cmocka_unit_test(test_tokens_arabic_non_word),
        cmocka_unit_test(test_nfkc_segments),
        cmocka_unit_test(test_charmap_every_mask),
        cmocka_unit_test(test_dispatch),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
