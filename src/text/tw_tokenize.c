/*
 * tw_tokenize.c — words of normalized text.
 *
 * A word is a maximal run of code points that are letters, digits or marks
 * (any script), as the normalization table classifies them. Punctuation,
 * spaces and symbols separate words. Normalized text is valid UTF-8 by
 * construction, so decoding here needs no checks beyond the lead byte.
 */
#include "text/tw_text.h"

int tw__tokenize(const tw__norm_table *t, const uint8_t *s, size_t len, tw__buf *tokens)
{
    tokens->len = 0;
    if (len > UINT32_MAX)
        return TW_ERANGE;
    size_t i = 0, start = 0;
    int in_word = 0;
    while (i < len) {
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
            if (tw__buf_reserve(tokens, tokens->len + 1, sizeof(tw__token)))
                return TW_ENOMEM;
            ((tw__token *)tokens->data)[tokens->len++] =
                (tw__token){(uint32_t)start, (uint32_t)(i - start)};
            in_word = 0;
        }
        i += n;
    }
    if (in_word) {
        if (tw__buf_reserve(tokens, tokens->len + 1, sizeof(tw__token)))
            return TW_ENOMEM;
        ((tw__token *)tokens->data)[tokens->len++] =
            (tw__token){(uint32_t)start, (uint32_t)(len - start)};
    }
    return TW_OK;
}
