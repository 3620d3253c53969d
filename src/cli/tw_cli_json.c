/*
 * tw_cli_json.c — the strict JSONL object scanner (contract in tw_cli_json.h).
 *
 * One forward pass over the line, no allocation, no recursion:
 *   - Strings are most of a news line's bytes (the body), so the string loop
 *     is the one that matters. It reads eight bytes at a time and asks, with
 *     the SWAR zero-byte test (Mycroft's haszero, as in generic strlen
 *     implementations), whether any is one of the only bytes that end a plain
 *     run: '"', '\\' or a control below 0x20. A wanted string is decoded in
 *     place: until its first escape nothing is written; after it, each plain
 *     run is moved down over the room the escapes freed (an escape never
 *     decodes to more bytes than it is written with).
 *   - Punctuation, numbers and literals are a few bytes per member and are
 *     read a byte at a time.
 *   - Nested values are skipped with an explicit stack of bits (object or
 *     array), so a line of a thousand '[' costs no C stack.
 * A number's value comes from strtod on the token itself: the byte after the
 * token (which a valid line always has: at least the object's '}') is set to
 * NUL for the call and put back. This reads numbers of any length exactly as
 * strtod does, without a bounded copy.
 */
#include "tw_cli_json.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define NESTING_LIMIT 1000 /* containers, the line's own object included */

typedef unsigned char uchar;

static const char INVALID[] = "invalid JSON";
static const char NOT_OBJECT[] = "not a JSON object";

static int is_ws(uchar c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int is_digit(uchar c)
{
    return (unsigned)(c - '0') < 10u;
}

static int is_special(uchar c)
{
    return c < 0x20 || c == '"' || c == '\\';
}

static const uchar *skip_ws(const uchar *p, const uchar *end)
{
    while (p < end && is_ws(*p))
        p++;
    return p;
}

#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

/* Nonzero when one of the eight bytes of v is '"', '\\' or below 0x20.
 * Each term flags a byte by its high bit; a borrow can flag a wrong byte, but
 * only above a rightly flagged one, so the lowest flag is always exact. */
static uint64_t special_bytes(uint64_t v)
{
    uint64_t q = v ^ (ONES * '"'), b = v ^ (ONES * '\\');
    return (((v - ONES * 0x20) & ~v) | ((q - ONES) & ~q) | ((b - ONES) & ~b)) & HIGHS;
}

/* The first '"', '\\' or control byte in [p, end), or end. On x86-64,
 * SSE2 (always there) looks at 32 bytes a step; elsewhere eight at a time
 * in a 64-bit word. Texts are long runs without any: this loop is most of
 * the scanner's time. */
#if TW_CLI_AVX2
const uchar *tw_cli_find_special_avx2(const uchar *p, const uchar *end);
static int use_avx2;
#endif

void tw_cli_json_use_avx2(int on)
{
#if TW_CLI_AVX2
    use_avx2 = on != 0;
#else
    (void)on;
#endif
}

static const uchar *find_special(const uchar *p, const uchar *end)
{
#if TW_CLI_AVX2
    if (use_avx2) {
        p = tw_cli_find_special_avx2(p, end);
        if (p < end && is_special(*p))
            return p; /* found in a block (or the first byte after them) */
    }
#endif
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');
    const __m128i ctl = _mm_set1_epi8(0x1F);
    /* 32 bytes a step while there is room: one test for both halves */
    while (end - p >= 32) {
        __m128i v = _mm_loadu_si128((const __m128i *)p), w = _mm_loadu_si128((const __m128i *)(p + 16));
        __m128i hv = _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(v, ctl), v),
                                  _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)));
        __m128i hw = _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(w, ctl), w),
                                  _mm_or_si128(_mm_cmpeq_epi8(w, quote), _mm_cmpeq_epi8(w, bslash)));
        if (_mm_movemask_epi8(_mm_or_si128(hv, hw))) {
            unsigned m = (unsigned)_mm_movemask_epi8(hv) | (unsigned)_mm_movemask_epi8(hw) << 16;
            return p + __builtin_ctz(m);
        }
        p += 32;
    }
    while (end - p >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)p);
        /* a byte below 0x20: min(v, 0x1F) == v, unsigned */
        __m128i low = _mm_cmpeq_epi8(_mm_min_epu8(v, ctl), v);
        __m128i hit = _mm_or_si128(low, _mm_or_si128(_mm_cmpeq_epi8(v, quote),
                                                      _mm_cmpeq_epi8(v, bslash)));
        unsigned m = (unsigned)_mm_movemask_epi8(hit);
        if (m)
            return p + __builtin_ctz(m);
        p += 16;
    }
#endif
    while (end - p >= 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        uint64_t m = special_bytes(v);
        if (m) {
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            return p + (__builtin_ctzll(m) >> 3);
#else
            while (!is_special(*p))
                p++;
            return p;
#endif
        }
        p += 8;
    }
    while (p < end && !is_special(*p))
        p++;
    return p;
}

static int hex_value(uchar c)
{
    if (is_digit(c))
        return c - '0';
    c |= 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The four hex digits at p as a number, or -1. */
static long hex4(const uchar *p)
{
    long v = 0;
    for (int i = 0; i < 4; i++) {
        int d = hex_value(p[i]);
        if (d < 0)
            return -1;
        v = v << 4 | d;
    }
    return v;
}

static size_t put_utf8(uchar *out, long cp)
{
    if (cp < 0x80) {
        out[0] = (uchar)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (uchar)(0xC0 | cp >> 6);
        out[1] = (uchar)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (uchar)(0xE0 | cp >> 12);
        out[1] = (uchar)(0x80 | (cp >> 6 & 0x3F));
        out[2] = (uchar)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (uchar)(0xF0 | cp >> 18);
    out[1] = (uchar)(0x80 | (cp >> 12 & 0x3F));
    out[2] = (uchar)(0x80 | (cp >> 6 & 0x3F));
    out[3] = (uchar)(0x80 | (cp & 0x3F));
    return 4;
}

/* Decodes the escape whose backslash is at *pp into out (1 to 4 bytes) and
 * moves *pp past it. Returns the byte count, 0 when the escape is invalid.
 * A high surrogate takes a following low surrogate escape with it; any other
 * surrogate decodes to U+FFFD (the header says why). Everything is read
 * before out is written, so out may lie below *pp in the same buffer. */
static size_t decode_escape(const uchar **pp, const uchar *end, uchar out[4])
{
    const uchar *p = *pp;
    uchar c;
    if (end - p < 2)
        return 0;
    switch (p[1]) {
    case '"': c = '"'; break;
    case '\\': c = '\\'; break;
    case '/': c = '/'; break;
    case 'b': c = '\b'; break;
    case 'f': c = '\f'; break;
    case 'n': c = '\n'; break;
    case 'r': c = '\r'; break;
    case 't': c = '\t'; break;
    case 'u': {
        long cp = end - p >= 6 ? hex4(p + 2) : -1, lo;
        if (cp < 0)
            return 0;
        p += 6;
        if (cp >= 0xD800 && cp <= 0xDFFF) {
            if (cp <= 0xDBFF && end - p >= 6 && p[0] == '\\' && p[1] == 'u' &&
                (lo = hex4(p + 2)) >= 0xDC00 && lo <= 0xDFFF) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                p += 6;
            } else {
                cp = 0xFFFD;
            }
        }
        *pp = p;
        return put_utf8(out, cp);
    }
    default:
        return 0;
    }
    *pp = p + 2;
    out[0] = c;
    return 1;
}

/* p is just past an opening quote. Returns the closing quote, or NULL when
 * the string is unterminated or holds a control byte or a bad escape; sets
 * *escaped when it holds an escape. */
static const uchar *skip_string(const uchar *p, const uchar *end, int *escaped)
{
    for (;;) {
        p = find_special(p, end);
        if (p == end)
            return NULL;
        if (*p == '"')
            return p;
        if (*p < 0x20 || end - p < 2)
            return NULL;
        *escaped = 1;
        switch (p[1]) {
        case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
            p += 2;
            break;
        case 'u':
            if (end - p < 6 || hex4(p + 2) < 0)
                return NULL;
            p += 6;
            break;
        default:
            return NULL;
        }
    }
}

/* As skip_string, but decodes the string in place, from p on: *out_end gets
 * the end of the decoded bytes, which is at most the closing quote. */
static uchar *decode_string(uchar *p, const uchar *end, uchar **out_end)
{
    uchar *w = p;
    for (;;) {
        uchar *q = (uchar *)find_special(p, end);
        if (w != p)
            memmove(w, p, (size_t)(q - p));
        w += q - p;
        p = q;
        if (p == end)
            return NULL;
        if (*p == '"') {
            *out_end = w;
            return p;
        }
        if (*p < 0x20)
            return NULL;
        uchar buf[4];
        const uchar *next = p;
        size_t n = decode_escape(&next, end, buf);
        if (n == 0)
            return NULL;
        memcpy(w, buf, n);
        w += n;
        p = (uchar *)next;
    }
}

/* p is at '-' or a digit. Returns the end of the number, or NULL when it
 * breaks the JSON grammar (01, 1., .5, 1e, -). */
static const uchar *skip_number(const uchar *p, const uchar *end)
{
    if (*p == '-')
        p++;
    if (p == end)
        return NULL;
    if (*p == '0') {
        p++;
    } else if (is_digit(*p)) {
        do
            p++;
        while (p < end && is_digit(*p));
    } else {
        return NULL;
    }
    if (p < end && *p == '.') {
        p++;
        if (p == end || !is_digit(*p))
            return NULL;
        do
            p++;
        while (p < end && is_digit(*p));
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        if (p == end || !is_digit(*p))
            return NULL;
        do
            p++;
        while (p < end && is_digit(*p));
    }
    return p;
}

/* p is at 't', 'f' or 'n'. Returns the end of true, false or null, or NULL. */
static const uchar *skip_literal(const uchar *p, const uchar *end)
{
    const char *word = *p == 't' ? "true" : *p == 'f' ? "false" : "null";
    size_t n = strlen(word);
    if ((size_t)(end - p) < n || memcmp(p, word, n) != 0)
        return NULL;
    return p + n;
}

/* Skips the value at p, with depth containers already open around it.
 * Returns the end of the value, or NULL when it is invalid or nests deeper
 * than NESTING_LIMIT. */
static const uchar *skip_value(const uchar *p, const uchar *end, int depth)
{
    uint64_t is_object[(NESTING_LIMIT + 63) / 64]; /* bit i: container i is an object */
    int top = 0;                                    /* containers opened here */
    int escaped;

value:
    if (p == end)
        return NULL;
    switch (*p) {
    case '"':
        p = skip_string(p + 1, end, &escaped);
        if (!p)
            return NULL;
        p++;
        break;
    case '{':
    case '[': {
        int obj = *p == '{';
        if (depth + top >= NESTING_LIMIT)
            return NULL;
        if (obj)
            is_object[top / 64] |= (uint64_t)1 << (top % 64);
        else
            is_object[top / 64] &= ~((uint64_t)1 << (top % 64));
        top++;
        p = skip_ws(p + 1, end);
        if (p < end && *p == (obj ? '}' : ']')) {
            p++;
            top--;
            break;
        }
        if (obj)
            goto key;
        goto value;
    }
    case 't':
    case 'f':
    case 'n':
        p = skip_literal(p, end);
        if (!p)
            return NULL;
        break;
    default:
        if (*p != '-' && !is_digit(*p))
            return NULL;
        p = skip_number(p, end);
        if (!p)
            return NULL;
        break;
    }
    /* after a value: close what ends here, then go on with the next one */
    for (;;) {
        if (top == 0)
            return p;
        int obj = (int)(is_object[(top - 1) / 64] >> ((top - 1) % 64) & 1);
        p = skip_ws(p, end);
        if (p == end)
            return NULL;
        if (*p == ',') {
            p = skip_ws(p + 1, end);
            if (obj)
                goto key;
            goto value;
        }
        if (*p != (obj ? '}' : ']'))
            return NULL;
        p++;
        top--;
    }

key:
    if (p == end || *p != '"')
        return NULL;
    p = skip_string(p + 1, end, &escaped);
    if (!p)
        return NULL;
    p = skip_ws(p + 1, end);
    if (p == end || *p != ':')
        return NULL;
    p = skip_ws(p + 1, end);
    goto value;
}

/* 1 when the escaped key text [k, ke) decodes to exactly name. */
static int key_equals_escaped(const uchar *k, const uchar *ke, const char *name)
{
    const uchar *n = (const uchar *)name;
    while (k < ke) {
        if (*k != '\\') {
            if (*n != *k)
                return 0;
            n++;
            k++;
            continue;
        }
        uchar buf[4];
        size_t len = decode_escape(&k, ke, buf);
        if (len == 0) /* cannot happen: the key was validated */
            return 0;
        for (size_t i = 0; i < len; i++) {
            if (buf[i] == 0 || *n != buf[i]) /* a name holds no NUL */
                return 0;
            n++;
        }
    }
    return *n == 0;
}

/* The first field still absent whose name is the key [k, ke), or nfields. */
static size_t find_field(const tw_cli_json_field *fields, size_t nfields, const uchar *k,
                         const uchar *ke, int escaped)
{
    size_t klen = (size_t)(ke - k);
    for (size_t i = 0; i < nfields; i++) {
        const char *name = fields[i].name;
        if (fields[i].kind != TW_CLI_JSON_ABSENT || !name)
            continue;
        if (escaped ? key_equals_escaped(k, ke, name)
                    : strncmp(name, (const char *)k, klen) == 0 && name[klen] == '\0')
            return i;
    }
    return nfields;
}

static int same_name(const tw_cli_json_field *f, const char *name)
{
    return f->kind == TW_CLI_JSON_ABSENT && f->name && strcmp(f->name, name) == 0;
}

/* Reads the value at p for fields[hit] and for any later absent field of the
 * same name, decoding a string when one of them asks. Returns the end of the
 * value, or NULL when it is invalid; *filled gets how many fields it filled. */
static uchar *take_value(uchar *p, const uchar *end, tw_cli_json_field *fields, size_t nfields,
                         size_t hit, size_t *filled)
{
    const char *name = fields[hit].name;
    int decode = 0;
    for (size_t i = hit; i < nfields; i++)
        if (same_name(&fields[i], name))
            decode |= fields[i].decode;

    tw_cli_json_kind kind;
    uchar *vend, *str = NULL, *str_end = NULL;
    double num = 0;
    if (*p == '"') {
        int escaped = 0;
        vend = decode ? decode_string(p + 1, end, &str_end)
                      : (uchar *)skip_string(p + 1, end, &escaped);
        if (!vend)
            return NULL;
        if (decode) {
            str = p + 1;
            *str_end = 0; /* at most the closing quote */
        }
        vend++;
        kind = TW_CLI_JSON_STRING;
    } else if (*p == '-' || is_digit(*p)) {
        vend = (uchar *)skip_number(p, end);
        if (!vend || vend == end) /* a valid line has the '}' after it */
            return NULL;
        uchar after = *vend;
        *vend = 0;
        num = strtod((const char *)p, NULL);
        *vend = after;
        kind = TW_CLI_JSON_NUMBER;
    } else {
        vend = (uchar *)skip_value(p, end, 1);
        if (!vend)
            return NULL;
        kind = TW_CLI_JSON_OTHER;
    }

    size_t n = 0;
    for (size_t i = hit; i < nfields; i++) {
        tw_cli_json_field *f = &fields[i];
        if (i != hit && !same_name(f, name))
            continue;
        f->kind = kind;
        f->raw = (const char *)p;
        f->raw_len = (size_t)(vend - p);
        f->num = num;
        if (str && f->decode) {
            f->str = (const char *)str;
            f->str_len = (size_t)(str_end - str);
        }
        n++;
    }
    *filled = n;
    return vend;
}

static void reset_fields(tw_cli_json_field *fields, size_t nfields)
{
    for (size_t i = 0; i < nfields; i++) {
        fields[i].kind = TW_CLI_JSON_ABSENT;
        fields[i].raw = fields[i].str = NULL;
        fields[i].raw_len = fields[i].str_len = 0;
        fields[i].num = 0;
    }
}

const char *tw_cli_json_object(char *line, size_t len, tw_cli_json_field *fields, size_t nfields)
{
    if (!fields && nfields)
        return INVALID;
    reset_fields(fields, nfields);
    if (!line)
        return INVALID;
    size_t left = 0; /* fields not found yet */
    for (size_t i = 0; i < nfields; i++)
        left += fields[i].name != NULL;

    uchar *p = (uchar *)line;
    const uchar *end = p + len;
    p = (uchar *)skip_ws(p, end);
    if (p == end)
        return INVALID;
    if (*p != '{') {
        const uchar *e = skip_value(p, end, 0);
        return e && skip_ws(e, end) == end ? NOT_OBJECT : INVALID;
    }
    p = (uchar *)skip_ws(p + 1, end);
    if (p < end && *p == '}') {
        p++;
    } else {
        for (;;) {
            if (p == end || *p != '"')
                goto fail;
            int escaped = 0;
            const uchar *k = p + 1, *ke = skip_string(k, end, &escaped);
            if (!ke)
                goto fail;
            p = (uchar *)skip_ws(ke + 1, end);
            if (p == end || *p != ':')
                goto fail;
            p = (uchar *)skip_ws(p + 1, end);
            if (p == end)
                goto fail;
            size_t hit = left ? find_field(fields, nfields, k, ke, escaped) : nfields;
            if (hit < nfields) {
                size_t filled;
                p = take_value(p, end, fields, nfields, hit, &filled);
                left -= p ? filled : 0;
            } else {
                p = (uchar *)skip_value(p, end, 1);
            }
            if (!p)
                goto fail;
            p = (uchar *)skip_ws(p, end);
            if (p == end)
                goto fail;
            if (*p == '}') {
                p++;
                break;
            }
            if (*p != ',')
                goto fail;
            p = (uchar *)skip_ws(p + 1, end);
        }
    }
    if (skip_ws(p, end) == end)
        return NULL;
fail:
    reset_fields(fields, nfields);
    return INVALID;
}
