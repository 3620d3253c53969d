/*
 * tw_normalize.c — Arabic normalization, the scalar reference.
 *
 * Order matters and is fixed: decode (repairing invalid UTF-8), NFKC when
 * the document holds a code point that NFKC could change (presentation
 * forms such as ﻻ or ﺑ, ligatures, fullwidth Latin, decomposed hamza), then
 * the folds, each a switch (tawam.h lists them). NFKC runs before marks are
 * stripped so that a presentation form becomes its letter first.
 *
 * Which code points need ICU is decided per code point from ICU's own data:
 * NFKC_Quick_Check = Yes and canonical combining class 0 means NFKC leaves
 * the code point alone in any context (a following code point that could
 * compose with it has Quick_Check = Maybe and sends the document to ICU).
 * Arabic diacritics that we drop anyway are exempt, since reordering marks
 * that are then deleted changes nothing. Most Arabic news never calls ICU.
 */
#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include "text/tw_text.h"

static int is_arabic_diacritic(uint32_t c)
{
    return (c >= 0x0610 && c <= 0x061A) || (c >= 0x064B && c <= 0x065F) || c == 0x0670 ||
           (c >= 0x06D6 && c <= 0x06ED);
}

static int is_word_cp(uint32_t c)
{
    if (c < 0x80)
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (c == 0x200C || c == 0x200D || c == 0x0640)
        return 1; /* joiners and tatweel sit inside words when not dropped */
    if (u_isalnum((UChar32)c))
        return 1;
    int8_t type = u_charType((UChar32)c);
    return type == U_NON_SPACING_MARK || type == U_COMBINING_SPACING_MARK ||
           type == U_ENCLOSING_MARK;
}

static int needs_icu(uint32_t c, unsigned rules)
{
    if (!(rules & TW_NORM_NFKC) || c < 0x80)
        return 0;
    if (u_getIntPropertyValue((UChar32)c, UCHAR_NFKC_QUICK_CHECK) != UNORM_YES)
        return 1;
    if (u_getCombiningClass((UChar32)c) == 0)
        return 0;
    return !((rules & TW_NORM_DIACRITICS) && is_arabic_diacritic(c));
}

/* Persian, Urdu and foreign-sound letters to the Arabic letter a reader
 * would write instead (names are spelled both ways: ڤيينا / فيينا). */
static uint32_t fold_persian(uint32_t c)
{
    switch (c) {
    case 0x06A9: case 0x06AA: case 0x06AF: return 0x0643; /* ک ڪ گ → ك */
    case 0x06CC: case 0x06D2: case 0x06D3: return 0x064A; /* ی ے ۓ → ي */
    case 0x06BE: case 0x06C1: case 0x06C2: case 0x06C0: case 0x06D5: return 0x0647; /* ھ ہ ۂ ۀ ە → ه */
    case 0x06C3: return 0x0629;                           /* ۃ → ة */
    case 0x067E: return 0x0628;                           /* پ → ب */
    case 0x0686: return 0x062C;                           /* چ → ج */
    case 0x0698: return 0x0632;                           /* ژ → ز */
    case 0x06A4: return 0x0641;                           /* ڤ → ف */
    default: return c;
    }
}

static uint32_t fold_punct(uint32_t c)
{
    switch (c) {
    case 0x060C: case 0x066C: return ',';
    case 0x061B: return ';';
    case 0x061F: return '?';
    case 0x066A: return '%';
    case 0x066B: case 0x06D4: return '.';
    case 0x00AB: case 0x00BB: case 0x201C: case 0x201D: case 0x201E: case 0x201F: return '"';
    case 0x2018: case 0x2019: case 0x201A: case 0x201B: return '\'';
    case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014: case 0x2015: case 0x2212: return '-';
    default: return c;
    }
}

/* What the rules make of one code point (NFKC aside). */
/* NFKC of a code point that interacts with neither neighbour (a boundary
 * before and after it) is NFKC of it alone; when that is one BMP code
 * point that needs no ICU itself, the table can fold it directly and the
 * document need not go to ICU. U+00A0 (no-break space, → U+0020) is the
 * case that matters: 28% of SaudiNewsNet articles hold one, and each sent
 * its whole article through ICU. Returns the code point, or 0. */
static uint32_t nfkc_alone(uint32_t c, unsigned rules)
{
    UErrorCode err = U_ZERO_ERROR;
    const UNormalizer2 *nfkc = unorm2_getNFKCInstance(&err);
    if (U_FAILURE(err) || c >= 0x10000 || (c >= 0xD800 && c <= 0xDFFF) ||
        !unorm2_hasBoundaryBefore(nfkc, (UChar32)c) || !unorm2_hasBoundaryAfter(nfkc, (UChar32)c))
        return 0;
    UChar in[1] = {(UChar)c}, out[8];
    int32_t n = unorm2_normalize(nfkc, in, 1, out, 8, &err);
    if (U_FAILURE(err) || n != 1 || (out[0] >= 0xD800 && out[0] <= 0xDFFF) || out[0] == c ||
        needs_icu(out[0], rules))
        return 0;
    return out[0];
}

static uint32_t fold_entry(uint32_t c, unsigned rules)
{
    if (needs_icu(c, rules)) {
        uint32_t d = nfkc_alone(c, rules);
        if (d)
            return fold_entry(d, rules);
    }
    uint32_t flags = 0;
    if (is_word_cp(c))
        flags |= TW__E_WORD;
    if (needs_icu(c, rules))
        flags |= TW__E_ICU;

    if (c == 0xFFFD) /* a repaired byte separates words, never joins them */
        return flags | TW__E_SPACE | ' ';
    if (rules & TW_NORM_SPACES) {
        if (c == '\r')
            return flags | TW__E_CR | TW__E_NEWLINE | '\n';
        if (c == '\n' || c == 0x0B || c == 0x0C || c == 0x85 || c == 0x2028 || c == 0x2029)
            return flags | TW__E_NEWLINE | '\n';
        if (u_isUWhiteSpace((UChar32)c))
            return flags | TW__E_SPACE | ' ';
    }
    if (rules & TW_NORM_CONTROLS) {
        if (u_hasBinaryProperty((UChar32)c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT))
            return flags | TW__E_DROP;
        if (u_charType((UChar32)c) == U_CONTROL_CHAR && c != '\n' && c != '\r' && c != '\t')
            return flags | TW__E_SPACE | ' ';
    }
    if ((rules & TW_NORM_DIACRITICS) && is_arabic_diacritic(c))
        return flags | TW__E_DROP;
    if ((rules & TW_NORM_TATWEEL) && c == 0x0640)
        return flags | TW__E_DROP;
    if (rules & TW_NORM_PERSIAN)
        c = fold_persian(c);
    if ((rules & TW_NORM_ALEF) &&
        (c == 0x0622 || c == 0x0623 || c == 0x0625 || c == 0x0671 || c == 0x0672 || c == 0x0673))
        c = 0x0627;
    if ((rules & TW_NORM_YAA) && c == 0x0649)
        c = 0x064A;
    if ((rules & TW_NORM_TAA_MARBUTA) && c == 0x0629)
        c = 0x0647;
    if (rules & TW_NORM_HAMZA_SEATS) {
        if (c == 0x0624)
            c = 0x0648;
        else if (c == 0x0626)
            c = 0x064A;
    }
    if ((rules & TW_NORM_DIGITS) && c >= 0x80 && u_charType((UChar32)c) == U_DECIMAL_DIGIT_NUMBER)
        c = '0' + (uint32_t)u_charDigitValue((UChar32)c);
    if (rules & TW_NORM_PUNCT)
        c = fold_punct(c);
    if (rules & TW_NORM_CASE) {
        if (c < 0x80) {
            if (c >= 'A' && c <= 'Z')
                c += 32;
        } else if (u_hasBinaryProperty((UChar32)c, UCHAR_CHANGES_WHEN_CASEFOLDED)) {
            c = (uint32_t)u_foldCase((UChar32)c, U_FOLD_CASE_DEFAULT);
        }
    }
    return flags | c;
}

/* Derives the kernels' tables from bmp[] (see tw__norm_simd). */
static void simd_tables(tw__norm_table *t)
{
    tw__norm_simd *s = &t->simd;
    memset(s, 0, sizeof *s);
    const uint32_t bad = TW__E_DROP | TW__E_SPACE | TW__E_NEWLINE | TW__E_ICU;
    int fold = 1;
    for (uint32_t b = 'A'; b <= 'Z'; b++)
        fold &= !(t->bmp[b] & bad) && (t->bmp[b] & TW__E_CP_MASK) == b + 32;
    s->case_fold = (uint8_t)fold;
    for (uint32_t b = 0; b < 0x80; b++) {
        uint32_t e = t->bmp[b], cp = e & TW__E_CP_MASK;
        int ok = b == ' ' || (!(e & bad) && (cp == b || (fold && b >= 'A' && b <= 'Z')));
        if (ok)
            s->ascii_lo[b & 15] |= (uint8_t)(1u << (b >> 4));
    }
    for (unsigned h = 0; h < 8; h++)
        s->ascii_hi[h] = (uint8_t)(1u << h);
    for (uint32_t b = 0; b < 0x80; b++)
        if (t->bmp[b] & TW__E_WORD)
            s->word_lo[b & 15] |= (uint8_t)(1u << (b >> 4));
    for (uint32_t b = 0; b < 0x80; b++) {
        s->ascii_keep[b] = s->ascii_lo[b & 15] & s->ascii_hi[b >> 4];
        s->ascii_word[b] = s->word_lo[b & 15] & s->ascii_hi[b >> 4];
    }
    for (unsigned lead = 0; lead < 2; lead++)
        for (unsigned c = 0; c < 64; c++) {
            uint32_t e = t->bmp[0x600 + lead * 64 + c], cp = e & TW__E_CP_MASK;
            int ok = !(e & bad) && cp >= 0x600 && cp < 0x680;
            s->pair[lead << 2 | c >> 4][c & 15] = ok ? (uint8_t)(cp - 0x600) : 0xFF;
            s->pair_word[lead << 2 | c >> 4][c & 15] = (e & TW__E_WORD) ? 0xFF : 0;
            if (e & TW__E_WORD)
                s->pair_word_bits[(lead << 6 | c) >> 3] |= (uint8_t)(1u << (c & 7));
            /* emit() writes a dropped character as nothing and any other
             * (not a space or line break) as its UTF-8 bytes */
            uint8_t sh = 0xFF;
            if (!(e & TW__E_ICU) && (e & TW__E_DROP))
                sh = 0;
            else if (!(e & bad) && cp > 0x20 && cp < 0x7F)
                sh = (uint8_t)cp;
            s->pair_short[lead << 6 | c] = sh;
        }
    for (unsigned r = 0; r < 8; r++)
        for (unsigned c = 0; c < 16; c++)
            s->pair_x[r][c] = (uint8_t)(s->pair[r][c] ^ (r ? s->pair[r - 1][c] : 0));
    uint8_t *c2[3] = {&s->c2_a0, &s->c2_ab, &s->c2_bb};
    const uint32_t c2cp[3] = {0xA0, 0xAB, 0xBB};
    for (unsigned k = 0; k < 3; k++) {
        uint32_t e = t->bmp[c2cp[k]], cp = e & TW__E_CP_MASK;
        *c2[k] = 0xFF;
        if (!(e & (TW__E_DROP | TW__E_NEWLINE | TW__E_ICU)) && (e & TW__E_SPACE))
            *c2[k] = ' ';
        else if (!(e & bad) && cp > 0x20 && cp < 0x7F)
            *c2[k] = (uint8_t)cp;
    }
    for (unsigned m = 0; m < 256; m++) {
        unsigned k = 0;
        for (unsigned b = 0; b < 8; b++)
            if (m >> b & 1)
                s->compact[m][k++] = (uint8_t)b;
        while (k < 8)
            s->compact[m][k++] = 0x80;
        for (k = 0; k < 8; k++) /* 0x80 + 8 still has its top bit: a zero */
            s->compact_hi[m][k] = (uint8_t)(s->compact[m][k] + 8);
    }
    memset(s->k16, 16, sizeof s->k16);
    memset(s->k80, 0x80, sizeof s->k80);
}

tw__norm_kernel tw__norm_kernel_for(tw__isa isa)
{
#if TW_X86_KERNELS
    if (isa >= TW__ISA_AVX512)
        return tw__norm_kernel_avx512;
    if (isa == TW__ISA_AVX2)
        return tw__norm_kernel_avx2;
    if (isa == TW__ISA_SSE42)
        return tw__norm_kernel_sse42;
#else
    TW_UNUSED(isa);
#endif
    return NULL;
}

tw__tok_kernel tw__tok_kernel_for(tw__isa isa, size_t *width)
{
#if TW_X86_KERNELS
    if (isa >= TW__ISA_AVX512) {
        *width = 64;
        return tw__tok_run_avx512;
    }
    if (isa == TW__ISA_AVX2) {
        *width = 64; /* two vectors a step (tw_text_kernels.h) */
        return tw__tok_run_avx2;
    }
    if (isa == TW__ISA_SSE42) {
        *width = 32;
        return tw__tok_run_sse42;
    }
#else
    TW_UNUSED(isa);
#endif
    *width = 0;
    return NULL;
}

tw__unit_tok_kernel tw__unit_tok_kernel_for(tw__isa isa)
{
#if TW_X86_KERNELS
    /* (an AVX-512 host runs the AVX2 kernel, as for tw__fpmap_find_for) */
    if (isa >= TW__ISA_AVX2)
        return tw__unit_tok_run_avx2;
    if (isa == TW__ISA_SSE42)
        return tw__unit_tok_run_sse42;
#else
    TW_UNUSED(isa);
#endif
    return NULL;
}

tw__norm_kernel tw__norm_kernel_best(void)
{
    return tw__norm_kernel_for(tw__isa_active());
}

static void (*norm_recorder)(const tw__norm_table *t);

void tw__norm_set_recorder(void (*fn)(const tw__norm_table *t))
{
    norm_recorder = fn;
}

/* The build-time table when it was made for these rules by this ICU. */
static const uint32_t *prebuilt_for(unsigned rules)
{
    const tw__norm_prebuilt *p = &tw__norm_prebuilt_table;
    if (norm_recorder || !p->bmp || p->rules != rules || tw__precompiled_off())
        return NULL;
    char vs[TW__ICU_VERSION_MAX];
    tw__icu_version(vs);
    return strcmp(vs, p->icu) == 0 ? p->bmp : NULL;
}

_Static_assert(U_MAX_VERSION_STRING_LENGTH <= TW__ICU_VERSION_MAX, "ICU's version strings fit");

void tw__icu_version(char out[TW__ICU_VERSION_MAX])
{
    UVersionInfo v;
    u_getVersion(v);
    u_versionToString(v, out);
}

int tw__norm_table_init(tw__norm_table *t, unsigned rules)
{
    UErrorCode err = U_ZERO_ERROR;
    if (rules & TW_NORM_NFKC) {
        unorm2_getNFKCInstance(&err); /* load ICU's data now, not mid-document */
        if (U_FAILURE(err))
            return TW_EICU;
    }
    t->rules = rules;
    const uint32_t *pre = prebuilt_for(rules);
    if (pre) {
        memcpy(t->bmp, pre, sizeof t->bmp);
    } else {
        for (uint32_t c = 0; c < 0x10000; c++)
            t->bmp[c] = (c >= 0xD800 && c <= 0xDFFF) ? (TW__E_SPACE | ' ') : fold_entry(c, rules);
        if (norm_recorder)
            norm_recorder(t);
    }
    simd_tables(t);
    return TW_OK;
}

uint32_t tw__norm_entry_slow(const tw__norm_table *t, uint32_t cp)
{
    if (cp > 0x10FFFF)
        return TW__E_SPACE | ' ';
    return fold_entry(cp, t->rules);
}

void tw__norm_work_free(tw__norm_work *w)
{
    if (!w)
        return;
    tw__buf_free(&w->cps);
    tw__buf_free(&w->u16a);
    tw__buf_free(&w->u16b);
    tw__buf_free(&w->out);
}

/* Runs ICU NFKC over w->cps in place (through UTF-16). */
static int apply_nfkc(tw__norm_work *w)
{
    UErrorCode err = U_ZERO_ERROR;
    const UNormalizer2 *nfkc = unorm2_getNFKCInstance(&err);
    if (U_FAILURE(err))
        return TW_EICU;
    size_t n = w->cps.len;
    if (n > INT32_MAX / 4)
        return TW_ERANGE;
    if (tw__buf_reserve(&w->u16a, 2 * n + 1, sizeof(UChar)))
        return TW_ENOMEM;
    int32_t len16 = 0;
    u_strFromUTF32((UChar *)w->u16a.data, (int32_t)w->u16a.cap, &len16,
                   (const UChar32 *)w->cps.data, (int32_t)n, &err);
    if (U_FAILURE(err))
        return TW_EICU;
    /* a first guess at the output size; ICU names the exact one if short */
    if (tw__buf_reserve(&w->u16b, (size_t)len16 + len16 / 2 + 16, sizeof(UChar)))
        return TW_ENOMEM;
    int32_t outlen = unorm2_normalize(nfkc, (const UChar *)w->u16a.data, len16,
                                      (UChar *)w->u16b.data, (int32_t)w->u16b.cap, &err);
    if (err == U_BUFFER_OVERFLOW_ERROR) {
        if (tw__buf_reserve(&w->u16b, (size_t)outlen + 1, sizeof(UChar)))
            return TW_ENOMEM;
        err = U_ZERO_ERROR;
        outlen = unorm2_normalize(nfkc, (const UChar *)w->u16a.data, len16,
                                  (UChar *)w->u16b.data, (int32_t)w->u16b.cap, &err);
    }
    if (U_FAILURE(err))
        return TW_EICU;
    /* UTF-16 units bound the code point count from above. */
    if (tw__buf_reserve(&w->cps, (size_t)outlen + 1, sizeof(uint32_t)))
        return TW_ENOMEM;
    int32_t n32 = 0;
    u_strToUTF32((UChar32 *)w->cps.data, (int32_t)w->cps.cap, &n32, (const UChar *)w->u16b.data,
                 outlen, &err);
    if (U_FAILURE(err))
        return TW_EICU;
    w->cps.len = (size_t)n32;
    return TW_OK;
}

/* Runs NFKC over w->cps when the rules ask for it and one of the code
 * points needs it (see the file comment); most documents pass untouched. */
static int nfkc_if_needed(const tw__norm_table *t, tw__norm_work *w)
{
    if (!(t->rules & TW_NORM_NFKC))
        return TW_OK;
    const uint32_t *cps = w->cps.data;
    for (size_t i = 0; i < w->cps.len; i++)
        if (tw__norm_entry(t, cps[i]) & TW__E_ICU)
            return apply_nfkc(w);
    return TW_OK;
}

/* The last step of both paths: appends to out[0..o) what a code point
 * whose table entry is e makes (nothing, a collapsed space, a line break,
 * or its folded self) and returns the new length. Line breaks: a CR before
 * an LF (lf_follows) is dropped, at most one blank line, none leading, no
 * space before one. */
static inline size_t emit(uint32_t e, int lf_follows, uint8_t *out, size_t o, int *newlines)
{
    if (e & TW__E_DROP)
        return o;
    if (e & TW__E_NEWLINE) {
        if ((e & TW__E_CR) && lf_follows)
            return o;
        if (o > 0 && out[o - 1] == ' ')
            o--;
        if (o > 0 && *newlines < 2) {
            out[o++] = '\n';
            (*newlines)++;
        }
        return o;
    }
    if (e & TW__E_SPACE) {
        if (o > 0 && out[o - 1] != ' ' && out[o - 1] != '\n')
            out[o++] = ' ';
        return o;
    }
    *newlines = 0;
    return o + tw__utf8_encode(e & TW__E_CP_MASK, out + o);
}

/* Drops trailing spaces and line breaks. */
static size_t trim_end(const uint8_t *out, size_t o)
{
    while (o > 0 && (out[o - 1] == ' ' || out[o - 1] == '\n'))
        o--;
    return o;
}

/* The reference path: decode everything, NFKC if needed, fold. */
int tw__normalize_reference(const tw__norm_table *t, tw__norm_work *w, const uint8_t *in,
                            size_t len, size_t *invalid_seqs)
{
    if (tw__buf_reserve(&w->cps, len + 1, sizeof(uint32_t)))
        return TW_ENOMEM;
    size_t bad_seqs = 0, bad_bytes = 0;
    uint32_t *cps = w->cps.data;
    size_t n = tw__utf8_decode(in, len, cps, &bad_seqs, &bad_bytes);
    w->cps.len = n;
    if (invalid_seqs)
        *invalid_seqs = bad_seqs;
    if (bad_bytes * 4 > len)
        return TW_EUTF8;

    int rc = nfkc_if_needed(t, w);
    if (rc)
        return rc;
    cps = w->cps.data;
    n = w->cps.len;

    if (tw__buf_reserve(&w->out, 4 * n + 1, 1))
        return TW_ENOMEM;
    uint8_t *out = w->out.data;
    size_t o = 0;
    int newlines = 0; /* consecutive line breaks written */
    for (size_t i = 0; i < n; i++)
        o = emit(tw__norm_entry(t, cps[i]), i + 1 < n && cps[i + 1] == '\n', out, o, &newlines);
    w->out.len = trim_end(out, o);
    return TW_OK;
}

/* One code point of valid UTF-8 in the BMP at in[i] (i < len), its length
 * in *n; 0 with *n = 0 for anything else (the fast path gives up there). */
static inline uint32_t decode_bmp(const uint8_t *in, size_t len, size_t i, size_t *n)
{
    uint8_t b = in[i];
    *n = 0;
    if (b < 0x80) {
        *n = 1;
        return b;
    }
    if (b >= 0xC2 && b <= 0xDF) {
        if (i + 1 >= len || (in[i + 1] & 0xC0) != 0x80)
            return 0;
        *n = 2;
        return ((uint32_t)(b & 0x1F) << 6) | (in[i + 1] & 0x3F);
    }
    if (b >= 0xE0 && b <= 0xEF) {
        if (i + 2 >= len || (in[i + 1] & 0xC0) != 0x80 || (in[i + 2] & 0xC0) != 0x80)
            return 0;
        uint32_t cp = ((uint32_t)(b & 0x0F) << 12) | ((uint32_t)(in[i + 1] & 0x3F) << 6) | (in[i + 2] & 0x3F);
        if (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0; /* overlong or surrogate: the reference repairs it */
        *n = 3;
        return cp;
    }
    return 0;
}

/* Characters NFKC may change, met by the fast path at in[i] (what ends at
 * the next character that needs no ICU and starts a normalization
 * boundary, where NFKC of the document splits: the segment's NFKC is the
 * document's there), folded and written at out + *o like the rest. The
 * first character must have a boundary before it too (one that composes
 * with what was already written cannot be done here). Returns 0 with *next
 * the offset after the segment, 1 to give the document to the reference
 * path, -1 out of memory; *out may move (expansions can be long: ﷺ is 18
 * characters). */
#define TW_NFKC_SEGMENT_MAX 256 /* UTF-16 units; longer runs go to the reference */
static int nfkc_segment(const tw__norm_table *t, tw__norm_work *w, const uint8_t *in, size_t len,
                        size_t i, size_t *next, uint8_t **out, size_t *o, int *newlines)
{
    UErrorCode err = U_ZERO_ERROR;
    const UNormalizer2 *nfkc = unorm2_getNFKCInstance(&err);
    if (U_FAILURE(err))
        return 1;
    if (tw__buf_reserve(&w->u16a, TW_NFKC_SEGMENT_MAX, sizeof(UChar)) ||
        tw__buf_reserve(&w->u16b, 18 * TW_NFKC_SEGMENT_MAX, sizeof(UChar)))
        return -1;
    UChar *seg = w->u16a.data;
    int32_t n16 = 0;
    size_t j = i, n;
    while (j < len) {
        uint32_t cp = decode_bmp(in, len, j, &n);
        if (!n)
            return 1;
        int icu = (t->bmp[cp] & TW__E_ICU) != 0, boundary = unorm2_hasBoundaryBefore(nfkc, (UChar32)cp);
        if (j == i ? !boundary : !icu && boundary)
            break;
        if (n16 == TW_NFKC_SEGMENT_MAX)
            return 1;
        seg[n16++] = (UChar)cp;
        j += n;
    }
    if (j == i)
        return 1;
    UChar *res = w->u16b.data;
    int32_t nres = unorm2_normalize(nfkc, seg, n16, res, (int32_t)w->u16b.cap, &err);
    if (U_FAILURE(err))
        return 1;
    /* what is written, and the rest of the input's worth at the fast path's 3x */
    if (tw__buf_reserve(&w->out, *o + 4 * (size_t)nres + 3 * (len - j) + 64, 1))
        return -1;
    *out = w->out.data;
    for (int32_t k = 0; k < nres;) {
        UChar32 cp;
        U16_NEXT(res, k, nres, cp);
        int lf = k < nres ? res[k] == '\n' : j < len && in[j] == '\n';
        *o = emit(tw__norm_entry(t, (uint32_t)cp), lf, *out, *o, newlines);
    }
    *next = j;
    return 0;
}

/* The fast path: one pass over the bytes, no code point array, with runs
 * of same-length folds handed to the vector kernel when there is one. It
 * gives up (returns 1) on anything the reference does differently or at
 * length: invalid UTF-8, code points above the BMP, a code point NFKC
 * could change that composes with what is already written (others go
 * through ICU a segment at a time, nfkc_segment). Its output is the
 * reference's, byte for byte (tests/text/test_text_kernels.c holds every
 * ISA to that). Before segments, 2% of SaudiNewsNet's bytes (documents
 * with a ﻻ or a …) took the reference path, 18% of normalize's time. */
static int normalize_fast(const tw__norm_table *t, tw__norm_work *w, const uint8_t *in,
                          size_t len, tw__norm_kernel kernel)
{
    /* a BMP code point is at most 3 bytes, from at least 1: 3x bounds it;
     * the kernel stores whole vectors, hence the slack */
    if (tw__buf_reserve(&w->out, 3 * len + 64, 1))
        return -1;
    uint8_t *out = w->out.data;
    size_t o = 0, i = 0, next_try = 1;
    int newlines = 0;
    while (i < len) {
        if (kernel && i >= next_try) {
            /* The last bytes, fewer than the kernel must have before the
             * end, go through a copy padded with 0xFF, which no kernel
             * takes (not ASCII, not a lead, not a continuation): it stops
             * at the text's end as it would at any character it does not
             * know, and what it takes it folds as the reference does.
             * (They went one character at a time: at least 64 bytes of
             * every text, and every title whole.) */
            uint8_t tail[1 + TW__NORM_KERNEL_TAIL + TW__NORM_KERNEL_TAIL];
            const uint8_t *src = in;
            size_t at = i, end = len;
            if (i + TW__NORM_KERNEL_TAIL > len) {
                tail[0] = in[i - 1];
                memcpy(tail + 1, in + i, len - i);
                memset(tail + 1 + (len - i), 0xFF, sizeof tail - 1 - (len - i));
                src = tail;
                at = 1;
                end = sizeof tail;
            }
            size_t wrote = 0;
            size_t adv = kernel(&t->simd, src, at, end, out + o, o ? out[o - 1] : '\n', &wrote);
            /* nothing folded: a run the kernel cannot take; try again later */
            next_try = adv ? 0 : i + 16;
            i += adv;
            o += wrote;
            /* what it wrote holds a character that is not a space (it
             * writes no space after a line break), or follows one */
            if (wrote)
                newlines = 0;
            if (i >= len)
                break;
        }
        uint32_t cp;
        uint8_t b = in[i];
        if (b < 0x80) {
            cp = b;
            i++;
        } else if (b >= 0xC2 && b <= 0xDF) {
            if (i + 1 >= len || (in[i + 1] & 0xC0) != 0x80)
                return 1;
            cp = ((uint32_t)(b & 0x1F) << 6) | (in[i + 1] & 0x3F);
            i += 2;
        } else if (b >= 0xE0 && b <= 0xEF) {
            if (i + 2 >= len || (in[i + 1] & 0xC0) != 0x80 || (in[i + 2] & 0xC0) != 0x80)
                return 1;
            cp = ((uint32_t)(b & 0x0F) << 12) | ((uint32_t)(in[i + 1] & 0x3F) << 6) |
                 (in[i + 2] & 0x3F);
            if (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))
                return 1; /* overlong or surrogate: the reference repairs it */
            i += 3;
        } else {
            return 1;
        }
        uint32_t e = t->bmp[cp];
        if (e & TW__E_ICU) {
            /* back to the character's start, for the segment */
            size_t at = i - (cp < 0x80 ? 1 : cp < 0x800 ? 2 : 3), next;
            int rc = nfkc_segment(t, w, in, len, at, &next, &out, &o, &newlines);
            if (rc)
                return rc;
            i = next;
            continue;
        }
        o = emit(e, i < len && in[i] == '\n', out, o, &newlines);
    }
    w->out.len = trim_end(out, o);
    return 0;
}

int tw__normalize_with(const tw__norm_table *t, tw__norm_work *w, const uint8_t *in, size_t len,
                       size_t *invalid_seqs, tw__norm_kernel kernel)
{
    int fast = normalize_fast(t, w, in, len, kernel);
    if (fast < 0)
        return TW_ENOMEM;
    if (fast > 0)
        return tw__normalize_reference(t, w, in, len, invalid_seqs);
    if (invalid_seqs)
        *invalid_seqs = 0;
    return TW_OK;
}

int tw__normalize(const tw__norm_table *t, tw__norm_work *w, const uint8_t *in, size_t len,
                  size_t *invalid_seqs)
{
    return tw__normalize_with(t, w, in, len, invalid_seqs, tw__norm_kernel_best());
}

int tw__fold_pattern(const tw__norm_table *t, tw__norm_work *w, const char *in, size_t len,
                     tw__buf *out)
{
    /* Regex syntax is ASCII and stays as written (folding case would turn
     * \S into \s); NFKC leaves ASCII alone, and the folds are applied to
     * non-ASCII code points only, so a pattern written "أيضاً" or with a
     * presentation form such as ﻻ matches the normalized text. A pattern
     * that is not UTF-8 is passed through for Hyperscan to reject. */
    out->len = 0;
    if (tw__buf_reserve(&w->cps, len + 1, sizeof(uint32_t)))
        return TW_ENOMEM;
    size_t bad = 0;
    w->cps.len = tw__utf8_decode((const uint8_t *)in, len, w->cps.data, &bad, NULL);
    if (bad) {
        if (tw__buf_reserve(out, len + 1, 1))
            return TW_ENOMEM;
        memcpy(out->data, in, len);
        ((char *)out->data)[len] = 0;
        out->len = len;
        return TW_OK;
    }
    int rc = nfkc_if_needed(t, w);
    if (rc)
        return rc;
    const uint32_t *cps = w->cps.data;
    if (tw__buf_reserve(out, 4 * w->cps.len + 1, 1))
        return TW_ENOMEM;
    uint8_t *o = out->data;
    size_t n = 0;
    for (size_t i = 0; i < w->cps.len; i++) {
        if (cps[i] < 0x80) {
            o[n++] = (uint8_t)cps[i];
            continue;
        }
        uint32_t e = tw__norm_entry(t, cps[i]);
        if (!(e & TW__E_DROP))
            n += tw__utf8_encode(e & TW__E_CP_MASK, o + n);
    }
    o[n] = 0;
    out->len = n;
    return TW_OK;
}
