/*
 * tw_text_kernels.h — the text stage's vector kernels, written once for
 * every width: tw_text_sse42.c (16 bytes a step) and tw_text_avx2.c (32)
 * define the V_* operations and V_KERNEL / V_WORDS names, and include this.
 *
 * Normalizer. Arabic news is mostly letters of U+0600–U+067F (two bytes, lead D8/D9)
 * and ASCII spaces and digits. Their folds (أ→ا, ة→ه, ى→ي, A→a) keep the
 * length, so a block of them is folded in place of a copy: each byte's
 * output comes from a table lookup on its own pair (lead with the next
 * byte, continuation with the one before). Anything else — a dropped mark,
 * a line break, a second space, a digit that loses a byte, another script
 * — ends the block there. An Arabic-block character that folds to one
 * ASCII byte or to nothing (pair_short) is then written by the kernel,
 * which goes on from the character after it; anything else goes to the
 * scalar loop (tw_normalize.c). The output is the reference's by
 * construction; the tests check it byte for byte on every ISA the host
 * has. (The AVX-512 kernel, tw_text_avx512.c, takes the short folds inside
 * its blocks, with a compress.)
 */
/* V_K16(s) and V_K80(s): 16s and 0x80s for the normalizer's loop. A kernel
 * file defines V_CONST_FROM_TABLE when its compiler, short of registers,
 * rebuilt them inside the loop (AVX2 with gcc 12: mov, movd, broadcast,
 * three instructions a block each); a load from the table (k16 and k80 in
 * tw_text.h) folds into the instruction that uses it. The SSE4.2 kernel
 * keeps them in registers, and a load there costs one more. */
#ifdef V_CONST_FROM_TABLE
#define V_K16(s) V_LOAD((const V *)(s)->k16)
#define V_K80(s) V_LOAD((const V *)(s)->k80)
#else
#define V_K16(s) V_SET1(16)
#define V_K80(s) V_SET1((char)0x80)
#endif

/* 128-entry lookup of the pair table, idx < 128: row idx >> 4, column
 * idx & 15. The shuffle reads a column and gives 0 where the index's top
 * bit is set, so with rows stored as XORs of their neighbours (pair_x)
 * and the index stepped down 16 a row, the rows at or below idx's XOR
 * back to its own and the rest, negative, add nothing: three operations a
 * row, where masking each row's hits took five. The empty asm keeps the
 * chain of subtractions: without it gcc 12 rewrote them as idx + (-16k),
 * each constant rebuilt in the loop (mov, movd, broadcast) for want of
 * registers — 13% of the AVX2 kernel's instructions (callgrind, 3,000
 * SaudiNewsNet articles: 62.9M -> 54.8M). */
static inline V lookup128(const tw__norm_simd *s, V idx)
{
    V r = V_SHUFFLE(V_TABLE(s->pair_x[0]), idx);
    for (int k = 1; k < 8; k++) {
        idx = V_SUB(idx, V_K16(s));
        __asm__("" : "+x"(idx)); /* one subtraction a row (see above) */
        r = V_XOR(r, V_SHUFFLE(V_TABLE(s->pair_x[k]), idx));
    }
    return r;
}

/* 128-entry bit lookup: bit (idx & 7) of byte idx >> 3 of tab, as 0xFF or
 * 0: one shuffle fetches the byte, one the bit (five operations where a
 * byte table takes eight shuffles). */
static const uint8_t tw__bit_of[16] = {1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128};

static inline V lookup128_bit(const uint8_t tab[16], V idx)
{
    V bit = V_SHUFFLE(V_TABLE(tw__bit_of), V_AND(idx, V_SET1(7)));
    V byte = V_SHUFFLE(V_TABLE(tab), V_AND(V_SRLI16(idx, 3), V_SET1(0x0F)));
    return V_CMPEQ(V_AND(byte, bit), bit);
}


/* Pair index: (lead & 1) << 6 | (cont & 0x3F). */
static inline V pair_index(V lead, V cont)
{
    V l = V_AND(lead, V_SET1(1));
    return V_OR(V_SLLI16(l, 6), V_AND(cont, V_SET1(0x3F)));
}

static inline V is_lead(V v)
{
    /* D8 or D9: (v & 0xFE) == 0xD8 */
    return V_CMPEQ(V_AND(v, V_SET1((char)0xFE)),
                             V_SET1((char)0xD8));
}

static inline V is_cont(V v)
{
    return V_CMPEQ(V_AND(v, V_SET1((char)0xC0)), V_SET1((char)0x80));
}

/* The same for the normalizer's loop (V_K80: see above); the other loops
 * keep 0x80 in a register. */
static inline V is_cont_k(const tw__norm_simd *s, V v)
{
    (void)s; /* (unused when V_K80 is a V_SET1) */
    return V_CMPEQ(V_AND(v, V_SET1((char)0xC0)), V_K80(s));
}

size_t V_KERNEL(const tw__norm_simd *s, const uint8_t *in, size_t i, size_t len, uint8_t *out,
                uint8_t prev_out, size_t *wrote)
{
    *wrote = 0;
    if (in[i] == ' ' && (prev_out == ' ' || prev_out == '\n'))
        return 0;
    const V alo = V_TABLE(s->ascii_lo);
    const V ahi = V_TABLE(s->ascii_hi);
    const V space = V_SET1(' ');
    const V ff = V_SET1((char)0xFF);
    const V casefold = V_SET1(s->case_fold ? 32 : 0);
    size_t done = 0, w = 0;
    while (i + done + V_W + 1 <= len) {
        const uint8_t *p = in + i + done;
        V v = V_LOAD((const V *)p);
        V vp = V_LOAD((const V *)(p - 1));
        V vn = V_LOAD((const V *)(p + 1));
        /* ASCII (the high bit clear selects rows 0-7 of ascii_hi) */
        V ascii = V_CMPGT(v, V_SET1(-1));
        V bits = V_AND(V_SHUFFLE(alo, V_AND(v, V_SET1(0x0F))),
                       V_SHUFFLE(ahi, V_AND(V_SRLI16(v, 4), V_SET1(0x0F))));
        V aok = V_ANDNOT(V_CMPEQ(bits, V_ZERO()), ascii);
        V dspace = V_AND(V_CMPEQ(v, space), V_CMPEQ(vp, space));
        aok = V_ANDNOT(dspace, aok);
        V upper = V_AND(V_CMPGT(v, V_SET1('A' - 1)), V_CMPGT(V_SET1('Z' + 1), v));
        V aout = V_ADD(v, V_AND(upper, casefold));
        /* One lookup serves both bytes of a pair: a lead is looked up with
         * the byte after it, a continuation with the byte before it. */
        V lead = is_lead(v);
        V val = lookup128(s, V_BLEND(pair_index(vp, v), pair_index(v, vn), lead));
        V known = V_XOR(V_CMPEQ(val, ff), ff);
        V lok = V_AND(V_AND(lead, is_cont_k(s, vn)), known);
        V cok = V_AND(V_AND(is_lead(vp), is_cont_k(s, v)), known);
        V lout = V_ADD(V_SET1((char)0xD8), V_AND(V_SRLI16(val, 6), V_SET1(1)));
        V cout = V_OR(V_SET1((char)0x80), V_AND(val, V_SET1(0x3F)));
        V o = V_BLEND(cout, lout, lok);
        o = V_BLEND(o, aout, aok);
        V_STORE((V *)(out + w), o);
        uint32_t okmask = (uint32_t)V_MOVEMASK(V_OR(aok, V_OR(lok, cok)));
        if (okmask != V_ALL) {
            size_t k = (size_t)__builtin_ctz(~okmask);
            done += k;
            w += k;
            /* An Arabic-block character that folds to one ASCII byte or to
             * nothing (، to ",", a diacritic, tatweel: pair_short), or a
             * no-break space, « or », is written here and the blocks go
             * on, saving the scalar loop a return and the next call its
             * set-up (most stops on news text are these) — unless a space
             * would follow a space. */
            uint8_t b0 = p[k], b1 = p[k + 1], sh = 0xFF;
            if ((b0 & 0xFE) == 0xD8 && (b1 & 0xC0) == 0x80)
                sh = s->pair_short[(b0 & 1) << 6 | (b1 & 0x3F)];
            else if (b0 == 0xC2) /* no-break space, « and » (C2 A0, AB, BB) */
                sh = b1 == 0xA0 ? s->c2_a0 : b1 == 0xAB ? s->c2_ab : b1 == 0xBB ? s->c2_bb : 0xFF;
            if (sh == 0xFF)
                break;
            uint8_t last = w ? out[w - 1] : prev_out;
            if (sh == ' ' && (last == ' ' || last == '\n'))
                sh = 0; /* a space collapses into the one before */
            out[w] = sh;
            w += sh != 0;
            done += 2;
            last = w ? out[w - 1] : prev_out;
            if (i + done < len && in[i + done] == ' ' && (last == ' ' || last == '\n'))
                break;
            continue;
        }
        /* keep a lead with its continuation: stop before a split pair */
        size_t step = (p[V_W - 1] & 0xFE) == 0xD8 ? V_W - 1 : V_W;
        done += step;
        w += step;
    }
    *wrote = w;
    return done;
}

/*
 * Tokenizer. Which bytes of a block belong to words: ASCII by a nibble
 * bitmap, Arabic pairs by the pair table (both from the normalization
 * table's word flag, so the kernel and the scalar loop cannot disagree).
 * Fails (returns 0) on a block holding any other non-ASCII byte; the
 * scalar loop in tw_tokenize.c then takes it. Reads p[-1] and p[V_W]; the
 * run takes two blocks a step (width 2 V_W).
 * V_WORDS runs it block after block (tw_tok_run.h).
 */
static inline int words_block(const tw__norm_simd *s, const uint8_t *p, uint64_t *mask)
{
    V v = V_LOAD((const V *)p);
    V vp = V_LOAD((const V *)(p - 1));
    V vn = V_LOAD((const V *)(p + 1));
    V ascii = V_CMPGT(v, V_SET1(-1));
    V bits = V_AND(V_SHUFFLE(V_TABLE(s->word_lo), V_AND(v, V_SET1(0x0F))),
                   V_SHUFFLE(V_TABLE(s->ascii_hi), V_AND(V_SRLI16(v, 4), V_SET1(0x0F))));
    V aword = V_ANDNOT(V_CMPEQ(bits, V_ZERO()), ascii);
    V lead = V_AND(is_lead(v), is_cont(vn));
    V cont = V_AND(is_lead(vp), is_cont(v));
    /* one bit lookup for both bytes of a pair (indexed as the normalizer's) */
    V word = lookup128_bit(s->pair_word_bits, V_BLEND(pair_index(vp, v), pair_index(v, vn), is_lead(v)));
    V lword = V_AND(lead, word);
    V cword = V_AND(cont, word);
    uint32_t known = V_MOVEMASK(V_OR(ascii, V_OR(lead, cont)));
    if (known != V_ALL)
        return 0;
    *mask = V_MOVEMASK(V_OR(aword, V_OR(lword, cword)));
    return 1;
}

/* Two vectors a step, one mask of 2 V_W bits: the run's bookkeeping (edges,
 * carry, bounds) is paid once for both (AVX2 with gcc 12: 44.7M -> 40.4M
 * instructions on 3,000 SaudiNewsNet articles). */
static inline int words_block2(const tw__norm_simd *s, const uint8_t *p, uint64_t *mask)
{
    uint64_t lo, hi;
    if (!words_block(s, p, &lo) || !words_block(s, p + V_W, &hi))
        return 0;
    *mask = lo | hi << V_W;
    return 1;
}

size_t V_WORDS(const tw__norm_simd *s, const uint8_t *text, size_t i, size_t len, tw__token *out,
               size_t *nout, size_t cap, int *in_word, size_t *start)
{
    return tw__tok_run_with(s, text, i, len, out, nout, cap, in_word, start, words_block2, 2 * V_W);
}

/*
 * Tokenizer on the character map (tw__tokenize_mapped in tw_tokenize.c is
 * the caller; tw__tokenize the reference). A unit below 0x80 is an ASCII
 * byte of the text, classified as above; one of 0x80-0xFF is an Arabic-block
 * character of two bytes whose low seven bits are its pair index, so the
 * pair word bits classify it with no neighbour to look at. 0x7F (another
 * character) and 0x01 (the copyright sign, two bytes) stop the kernel.
 * Words are read off a step's mask by tw_tok_run.h's tw__tok_words, an
 * edge at unit j of a step at text offset at + j + (two-byte units before j).
 */
static inline int units_block(const tw__norm_simd *s, const uint8_t *p, uint64_t *word,
                              uint64_t *wide)
{
    V v = V_LOAD((const V *)p);
    V ascii = V_CMPGT(v, V_SET1(-1));
    V bits = V_AND(V_SHUFFLE(V_TABLE(s->word_lo), V_AND(v, V_SET1(0x0F))),
                   V_SHUFFLE(V_TABLE(s->ascii_hi), V_AND(V_SRLI16(v, 4), V_SET1(0x0F))));
    V aword = V_ANDNOT(V_CMPEQ(bits, V_ZERO()), ascii);
    /* (lookup128_bit reads bits 0-6 of each byte: the pair index) */
    V pword = V_ANDNOT(ascii, lookup128_bit(s->pair_word_bits, v));
    V odd = V_OR(V_CMPEQ(v, V_SET1(0x7F)), V_CMPEQ(v, V_SET1(0x01)));
    if (V_MOVEMASK(odd))
        return 0;
    *word = V_MOVEMASK(V_OR(aword, pword));
    *wide = ~V_MOVEMASK(ascii) & V_ALL;
    return 1;
}

size_t V_UNIT_WORDS(const tw__norm_simd *s, const uint8_t *units, size_t i, size_t nunits,
                    size_t *at_io, tw__token *out, size_t *nout, size_t cap, int *in_word_io,
                    size_t *start_io)
{
    size_t n = *nout, start = *start_io, at = *at_io;
    int in_word = *in_word_io;
    /* a step ends at most 33 words */
    while (i + 64 <= nunits && n + 33 <= cap) {
        uint64_t mask = 0, wide = 0;
        int known = 1;
        for (int b = 0; b < 64 / V_W && known; b++) {
            uint64_t w, d;
            known = units_block(s, units + i + (size_t)b * V_W, &w, &d);
            mask |= w << (b * V_W);
            wide |= d << (b * V_W);
        }
        if (!known)
            break;
        tw__tok_words(mask, ~UINT64_C(0), at, wide, out, &n, &in_word, &start);
        in_word = (int)(mask >> 63);
        at += 64 + (size_t)__builtin_popcountll(wide);
        i += 64;
    }
    *nout = n;
    *start_io = start;
    *in_word_io = in_word;
    *at_io = at;
    return i;
}

/*
 * Character map (tw_charmap.c is the reference). Each byte not followed by
 * a continuation byte writes one: itself when ASCII, a continuation byte
 * after D8 as it is and after D9 plus 0x40, A9 after C2 as 0x01, anything
 * else 0x7F; V_COMPACT closes up the bytes kept. Reads in[i - 1] and
 * in[end].
 */
size_t V_CHARMAP(const tw__norm_simd *s, const uint8_t *in, size_t i, size_t end, uint8_t *out,
                 uint32_t *ck, size_t k)
{
    for (size_t j = i; j < end; j += V_W) {
        if (j % 64 == 0)
            ck[j / 64] = (uint32_t)k;
        const uint8_t *p = in + j;
        V v = V_LOAD((const V *)p);
        V vp = V_LOAD((const V *)(p - 1));
        V vn = V_LOAD((const V *)(p + 1));
        V cont = is_cont(v);
        V ascii = V_CMPGT(v, V_SET1(-1));
        V as_is = V_OR(ascii, V_AND(cont, V_CMPEQ(vp, V_SET1((char)0xD8))));
        V o = V_BLEND(V_SET1(0x7F), v, as_is);
        o = V_BLEND(o, V_ADD(v, V_SET1(0x40)), V_AND(cont, V_CMPEQ(vp, V_SET1((char)0xD9))));
        o = V_BLEND(o, V_SET1(1), V_AND(V_CMPEQ(v, V_SET1((char)0xA9)), V_CMPEQ(vp, V_SET1((char)0xC2))));
        uint32_t keep = ~V_MOVEMASK(is_cont(vn)) & V_ALL;
        k += V_COMPACT(s, o, keep, out + k);
    }
    return k;
}
