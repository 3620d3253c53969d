/*
 * tw_tok_run.h — the tokenizer kernels' block loop, shared by the vector
 * kernel files (tw_text_sse42.c, tw_text_avx2.c, tw_text_avx512.c), each
 * of which passes its block classifier: one call takes every block it can,
 * so the classifier's tables are loaded once a run, not once a block, and
 * the classifier is inlined into the loop (a call a block through a
 * pointer, with its constants set up each time, was half its cost).
 *
 * Words are read off a block's bit mask: starts and ends are the bits
 * where the mask differs from the bit before; they alternate, so words come
 * in pairs, one step a word and no branch on the in-word state: a word
 * carried in from the last block takes the first end, every other end the
 * start before it, and a start left over is carried out.
 */
#ifndef TW_TOK_RUN_H
#define TW_TOK_RUN_H

#include "text/tw_text.h"

typedef int (*tw__tok_block_fn)(const tw__norm_simd *s, const uint8_t *p, uint64_t *mask);

/* Text offset of bit j (< 64) of a step whose bit 0 is at offset base,
 * when the step's characters at the bits of `wide` take two bytes and
 * the others one (the map's units); wide 0: one byte a bit (the text). */
static inline size_t tw__tok_at(size_t base, uint64_t wide, unsigned j)
{
    return base + j + (size_t)__builtin_popcountll(wide & ((UINT64_C(1) << j) - 1));
}

/* Appends at out[*n_io] the words a step's mask (bits in `inblock`)
 * ends, taking *in_word (a word open before the step) and carrying *start
 * (where the open word began); the caller sets *in_word from the step's
 * last bit. Shared by the text's run below and the map's
 * (tw_text_kernels.h). */
static inline __attribute__((always_inline)) void
tw__tok_words(uint64_t mask, uint64_t inblock, size_t base, uint64_t wide, tw__token *out,
              size_t *n_io, int *in_word, size_t *start)
{
    size_t n = *n_io;
    uint64_t prev = (mask << 1) | (uint64_t)*in_word;
    uint64_t starts = mask & ~prev & inblock, ends = ~mask & prev & inblock;
    if (*in_word && ends) {
        size_t at = tw__tok_at(base, wide, (unsigned)__builtin_ctzll(ends));
        out[n++] = (tw__token){(uint32_t)*start, (uint32_t)(at - *start)};
        ends &= ends - 1;
    }
    while (ends) {
        size_t s0 = tw__tok_at(base, wide, (unsigned)__builtin_ctzll(starts));
        size_t e0 = tw__tok_at(base, wide, (unsigned)__builtin_ctzll(ends));
        out[n++] = (tw__token){(uint32_t)s0, (uint32_t)(e0 - s0)};
        starts &= starts - 1;
        ends &= ends - 1;
    }
    if (starts)
        *start = tw__tok_at(base, wide, (unsigned)__builtin_ctzll(starts));
    *n_io = n;
}

static inline size_t tw__tok_run_with(const tw__norm_simd *s, const uint8_t *text, size_t i,
                                      size_t len, tw__token *out, size_t *nout, size_t cap,
                                      int *in_word_io, size_t *start_io, tw__tok_block_fn block,
                                      size_t width)
{
    const uint64_t inblock = ~(uint64_t)0 >> (64 - width);
    size_t n = *nout, start = *start_io;
    int in_word = *in_word_io;
    /* a block ends at most width / 2 + 1 words */
    while (i + width < len && n + width / 2 + 1 <= cap) {
        uint64_t mask;
        if (!block(s, text + i, &mask))
            break;
        tw__tok_words(mask, inblock, i, 0, out, &n, &in_word, &start);
        in_word = (int)((mask >> (width - 1)) & 1);
        i += width;
    }
    /* Blocks may start inside a character (a block's first byte is read
     * with the one before it), but the scalar loop after must not: it
     * starts again at the character's first byte, already counted, whose
     * word or not it agrees with (in_word is that byte's bit), so the
     * tokens do not change. (Moving every block's start past a split
     * character was 1% of the near-copy job's instructions.) */
    while (i < len && (text[i] & 0xC0) == 0x80)
        i--;
    *nout = n;
    *start_io = start;
    *in_word_io = in_word;
    return i;
}

#endif
