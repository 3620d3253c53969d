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
 */
#include "text/tw_text.h"

static int push(tw__buf *tokens, size_t start, size_t end)
{
    if (tw__buf_reserve(tokens, tokens->len + 1, sizeof(tw__token)))
        return TW_ENOMEM;
    ((tw__token *)tokens->data)[tokens->len++] = (tw__token){(uint32_t)start, (uint32_t)(end - start)};
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
        uint8_t b = s[i];
        uint32_t cp;
        size_t n;
        if (b < 0x80) {
            cp = b;
            n = 1;
        } else if (b < 0xE0) {
            cp = ((uint32_t)(b & 0x1F) << 6) | (s[i + 1] & 0x3F);
            n = 2;
        } else if (b < 0xF0) {
            cp = ((uint32_t)(b & 0x0F) << 12) | ((uint32_t)(s[i + 1] & 0x3F) << 6) |
                 (s[i + 2] & 0x3F);
            n = 3;
        } else {
            cp = ((uint32_t)(b & 0x07) << 18) | ((uint32_t)(s[i + 1] & 0x3F) << 12) |
                 ((uint32_t)(s[i + 2] & 0x3F) << 6) | (s[i + 3] & 0x3F);
            n = 4;
        }
        if (i + n > len)
            n = len - i; /* defensive: truncated input ends the last word */
        int word = (tw__norm_entry(t, cp) & TW__E_WORD) != 0;
        if (word && !in_word) {
            start = i;
            in_word = 1;
        } else if (!word && in_word) {
            if (push(tokens, start, i))
                return TW_ENOMEM;
            in_word = 0;
        }
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
