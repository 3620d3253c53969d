/*
 * tw_tokenize.c — words of normalized text.
 *
 * A word is a maximal run of code points that are letters, digits or marks
 * (any script), as the normalization table classifies them. Punctuation,
 * spaces and symbols separate words. Normalized text is valid UTF-8 by
 * construction, so decoding here needs no checks beyond the lead byte.
 *
 * A vector kernel (tw_text_kernels.h, tw_tok_run.h) classifies whole
 * blocks of ASCII and Arabic at once and reads the words off each block's
 * bit mask, one step per word edge instead of one per character, block
 * after block while it knows them. Blocks it does not know, the first byte
 * and the tail go through the scalar loop, which is the reference (tests
 * hold every kernel to it).
 *
 * On the character map (tw__tokenize_mapped): the same tokens from the
 * map's units, one byte a character, which the strip stage made for
 * Hyperscan anyway. A unit tells an ASCII byte from an Arabic-block pair
 * without its neighbours, so a step classifies 64 characters (about 110
 * bytes of news text) with no pair lookups, and each word edge is moved to
 * its text offset by a popcount of the two-byte units before it. The near-
 * copy job on SaudiNewsNet (callgrind, AVX2): tokenizing 358 M
 * instructions -> 280 M, the whole job 3,068 M -> 3,006 M, the same tokens.
 */
#include <string.h>
#include "text/tw_text.h"

static int push(tw__buf *tokens, size_t start, size_t end)
{
    if (tw__buf_reserve(tokens, tokens->len + 1, sizeof(tw__token)))
        return TW_ENOMEM;
    ((tw__token *)tokens->data)[tokens->len++] = (tw__token){(uint32_t)start, (uint32_t)(end - start)};
    return TW_OK;
}

/* Whether the character at s[i] is a word character; *n gets its length.
 * Normalized text is valid UTF-8: the lead byte says how long. */
static inline int is_word_at(const tw__norm_table *t, const uint8_t *s, size_t i, size_t len,
                             size_t *n)
{
    uint8_t b = s[i];
    uint32_t cp;
    if (b < 0x80) {
        cp = b;
        *n = 1;
    } else if (b < 0xE0) {
        cp = ((uint32_t)(b & 0x1F) << 6) | (s[i + 1] & 0x3F);
        *n = 2;
    } else if (b < 0xF0) {
        cp = ((uint32_t)(b & 0x0F) << 12) | ((uint32_t)(s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3F);
        *n = 3;
    } else {
        cp = ((uint32_t)(b & 0x07) << 18) | ((uint32_t)(s[i + 1] & 0x3F) << 12) |
             ((uint32_t)(s[i + 2] & 0x3F) << 6) | (s[i + 3] & 0x3F);
        *n = 4;
    }
    if (i + *n > len)
        *n = len - i; /* defensive: truncated input ends the last word */
    return (tw__norm_entry(t, cp) & TW__E_WORD) != 0;
}

/* One character of the text at s[i]: a word opens or closes there. *n
 * gets its length; TW_ENOMEM when a closed word finds no room. */
static inline int char_step(const tw__norm_table *t, const uint8_t *s, size_t i, size_t len,
                            int *in_word, size_t *start, tw__buf *tokens, size_t *n)
{
    int word = is_word_at(t, s, i, len, n);
    if (word && !*in_word) {
        *start = i;
        *in_word = 1;
    } else if (!word && *in_word) {
        *in_word = 0;
        return push(tokens, *start, i);
    }
    return TW_OK;
}

int tw__tokenize_with(const tw__norm_table *t, const uint8_t *s, size_t len, tw__buf *tokens,
                      tw__tok_kernel kernel, size_t width)
{
    tokens->len = 0;
    if (len > UINT32_MAX)
        return TW_ERANGE;
    size_t i = 0, start = 0, next_try = 1;
    int in_word = 0;
    while (i < len) {
        if (kernel && i >= next_try && i + width < len) {
            /* room for the words of the rest at news text's rate (a word
             * in six bytes), or of a few blocks: a run out of room stops
             * and the next one finds more */
            if (tw__buf_reserve(tokens, tokens->len + (len - i) / 6 + 2 * width, sizeof(tw__token)))
                return TW_ENOMEM;
            size_t stop = kernel(&t->simd, s, i, len, tokens->data, &tokens->len, tokens->cap,
                                 &in_word, &start);
            if (stop == i) {
                next_try = i + width; /* the scalar loop takes this block */
                goto scalar;
            }
            i = stop;
            continue;
        }
    scalar:;
        size_t n;
        if (char_step(t, s, i, len, &in_word, &start, tokens, &n))
            return TW_ENOMEM;
        i += n;
    }
    if (in_word && push(tokens, start, len))
        return TW_ENOMEM;
    return TW_OK;
}

int tw__tokenize(const tw__norm_table *t, const uint8_t *s, size_t len, tw__buf *tokens)
{
    size_t width;
    tw__tok_kernel k = tw__tok_kernel_for(tw__isa_active(), &width);
    return tw__tokenize_with(t, s, len, tokens, k, width);
}

int tw__tokenize_mapped_with(const tw__norm_table *t, const uint8_t *s, size_t len,
                             const uint8_t *units, size_t nunits, tw__buf *tokens,
                             tw__unit_tok_kernel kernel)
{
    if (!kernel)
        return tw__tokenize(t, s, len, tokens);
    tokens->len = 0;
    if (len > UINT32_MAX)
        return TW_ERANGE;
    size_t i = 0, at = 0, start = 0, next_try = 0;
    int in_word = 0;
    while (i < nunits && at < len) {
        if (i >= next_try) {
            /* room for the words of the rest at news text's rate (a word
             * in three units), or of a step */
            if (tw__buf_reserve(tokens, tokens->len + (nunits - i) / 3 + 66, sizeof(tw__token)))
                return TW_ENOMEM;
            if (i + 64 <= nunits) {
                size_t stop = kernel(&t->simd, units, i, nunits, &at, tokens->data, &tokens->len,
                                     tokens->cap, &in_word, &start);
                if (stop != i) {
                    i = stop;
                    continue;
                }
            } else {
                /* the last units, a step padded with spaces (no word
                 * character: the last word ends where the text does) */
                uint8_t last[64];
                size_t rest = nunits - i, at0 = at;
                memcpy(last, units + i, rest);
                memset(last + rest, ' ', sizeof last - rest);
                if (kernel(&t->simd, last, 0, sizeof last, &at, tokens->data, &tokens->len,
                           tokens->cap, &in_word, &start) == sizeof last) {
                    i = nunits;
                    at -= sizeof last - rest;
                    break;
                }
                at = at0;
            }
            next_try = i + 64; /* the character loop takes this step */
        }
        /* one character of the text, one unit of the map */
        size_t n;
        if (char_step(t, s, at, len, &in_word, &start, tokens, &n))
            return TW_ENOMEM;
        at += n;
        i++;
    }
    /* a map that is not the text's (or text that is not UTF-8) would leave
     * the two out of step: the text alone then */
    if (i != nunits || at != len)
        return tw__tokenize(t, s, len, tokens);
    if (in_word && push(tokens, start, len))
        return TW_ENOMEM;
    return TW_OK;
}

int tw__tokenize_mapped(const tw__norm_table *t, const uint8_t *s, size_t len,
                        const uint8_t *units, size_t nunits, tw__buf *tokens)
{
    return tw__tokenize_mapped_with(t, s, len, units, nunits, tokens,
                                    tw__unit_tok_kernel_for(tw__isa_active()));
}
