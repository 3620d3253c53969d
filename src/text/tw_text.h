/*
 * tw_text.h — the text stage: UTF-8 decoding with repair, Arabic
 * normalization, tokenization. Depends only on base/ and ICU.
 *
 * Normalization is table-driven: one 32-bit entry per BMP code point says
 * what the enabled rules turn it into (a code point, nothing, a space or a
 * line break) and whether ICU's NFKC must see the document first. The table
 * is built once per engine from ICU's own properties, so the fast loop never
 * calls ICU and the rules stay switches. Code points above the BMP (emoji,
 * rare scripts) take the same decision through a function call.
 */
#ifndef TW_TEXT_H
#define TW_TEXT_H

#include "base/tw_base.h"

#define TW__E_CP_MASK 0x001FFFFFu
#define TW__E_DROP (1u << 24)    /* output nothing */
#define TW__E_SPACE (1u << 25)   /* a horizontal space: collapsed */
#define TW__E_NEWLINE (1u << 26) /* a line break */
#define TW__E_CR (1u << 27)      /* carriage return: dropped before '\n' */
#define TW__E_ICU (1u << 28)     /* NFKC may change this code point or its neighbours */
#define TW__E_WORD (1u << 29)    /* the code point itself is part of a word */

/* What the vector kernels need of the table: the folds that keep a
 * character's length, for ASCII and for the Arabic block U+0600–U+067F
 * (lead bytes D8 and D9), derived from bmp[] at init. */
typedef struct tw__norm_simd {
    uint8_t ascii_lo[16], ascii_hi[16]; /* ASCII byte b folds to itself (or
                                           to b+32 for A–Z when case_fold):
                                           ascii_lo[b & 15] & ascii_hi[b >> 4] */
    uint8_t case_fold;                  /* A–Z become a–z */
    uint8_t pair[8][16]; /* [(lead & 1) << 2 | cont >> 4 & 3][cont & 15]: the
                            folded code point minus U+0600 (it stays in the
                            block), or 0xFF when the fold changes length */
    uint8_t pair_x[8][16]; /* pair's rows XOR the row before (row 0 as is), for
                              lookups that step the index down a row at a time */
    /* the tokenizer's: which characters are word characters (TW__E_WORD) */
    uint8_t word_lo[16];      /* ASCII, with ascii_hi as above */
    uint8_t pair_word[8][16]; /* U+0600–U+067F, indexed as pair: 0xFF or 0 */
    uint8_t pair_word_bits[16]; /* the same a bit each: bit (i & 7) of byte i >> 3,
                                   i = (lead & 1) << 6 | (cont & 0x3F) */
    /* the same ASCII facts a byte each, for 128-entry permutes (AVX-512
     * VBMI): ascii_keep[b] nonzero when b folds as ascii_lo/ascii_hi say,
     * ascii_word[b] when it is a word character */
    uint8_t ascii_keep[128], ascii_word[128];
    /* for the kernels' folds that write fewer bytes than they read (the
     * AVX-512 one's VBMI2 compress), indexed as pair: the ASCII character an Arabic-block
     * character folds to (، to ",", ٣ to "3"), 0 when it is dropped
     * (diacritics, tatweel), 0xFF otherwise */
    uint8_t pair_short[128];
    /* what U+00A0, U+00AB and U+00BB (lead C2: no-break space, « and »)
     * fold to: ' ' for a space, an ASCII character (« and » to '"'), or
     * 0xFF when neither */
    uint8_t c2_a0, c2_ab, c2_bb;
    /* for tw__charmap's kernels, which close up the bytes they keep with a
     * shuffle per 8: the positions of mask m's set bits, then 0x80s; and
     * the same plus 8, for the upper 8 bytes of a 16-byte shuffle (a table
     * of its own: adding 8 in the loop made gcc 12 rebuild the constant
     * there, short of registers, 5 instructions a 32-byte block) */
    uint8_t compact[256][8];
    uint8_t compact_hi[256][8];
    /* byte constants the AVX2 normalizer reads from here (32 bytes, its
     * width; V_K16 in tw_text_kernels.h says why) */
    uint8_t k16[32], k80[32];
} tw__norm_simd;

typedef struct tw__norm_table {
    unsigned rules;
    tw__norm_simd simd;
    uint32_t bmp[0x10000];
} tw__norm_table;

/* A vector kernel of the normalizer: from in[i] (i >= 1), folds whole
 * blocks of characters whose folds keep their length (and single spaces
 * not after prev_out ' ' or '\n') into out, stopping at the first other
 * character or when fewer than TW__NORM_KERNEL_TAIL bytes remain before
 * len. Every kernel also takes the Arabic-block characters that fold to
 * one ASCII byte or to nothing (pair_short), as long as no two spaces
 * meet in what it writes (AVX-512 inside its blocks, the others between
 * them). Returns the bytes consumed and sets *wrote to the bytes written;
 * it stops at a character boundary. May store up to 64 bytes past what it
 * writes. */
typedef size_t (*tw__norm_kernel)(const tw__norm_simd *s, const uint8_t *in, size_t i, size_t len,
                                  uint8_t *out, uint8_t prev_out, size_t *wrote);
#define TW__NORM_KERNEL_TAIL 65
size_t tw__norm_kernel_sse42(const tw__norm_simd *s, const uint8_t *in, size_t i, size_t len,
                             uint8_t *out, uint8_t prev_out, size_t *wrote);
size_t tw__norm_kernel_avx2(const tw__norm_simd *s, const uint8_t *in, size_t i, size_t len,
                            uint8_t *out, uint8_t prev_out, size_t *wrote);
size_t tw__norm_kernel_avx512(const tw__norm_simd *s, const uint8_t *in, size_t i, size_t len,
                              uint8_t *out, uint8_t prev_out, size_t *wrote);
/* A word of normalized text: byte offset and length. */
typedef struct tw__token {
    uint32_t off, len;
} tw__token;

/* The tokenizer's kernel: from text[i] (i >= 1), takes whole blocks of its
 * width while each holds only characters it knows (ASCII, the Arabic
 * block), a byte follows the block and out has room for its words (up to
 * cap entries), appending the words that end in them at out[*nout] and carrying
 * whether a word is open (*in_word) and where it started (*start) across
 * blocks; returns where it stopped (a block it does not know, too near
 * len, or out of room), i when it took nothing. Per block it classifies the bytes with
 * vector lookups into a bit mask, then reads the words off the mask
 * (tw_tok_run.h). */
typedef size_t (*tw__tok_kernel)(const tw__norm_simd *s, const uint8_t *text, size_t i, size_t len,
                                 tw__token *out, size_t *nout, size_t cap, int *in_word, size_t *start);
size_t tw__tok_run_sse42(const tw__norm_simd *s, const uint8_t *text, size_t i, size_t len,
                         tw__token *out, size_t *nout, size_t cap, int *in_word, size_t *start);
size_t tw__tok_run_avx2(const tw__norm_simd *s, const uint8_t *text, size_t i, size_t len,
                        tw__token *out, size_t *nout, size_t cap, int *in_word, size_t *start);
size_t tw__tok_run_avx512(const tw__norm_simd *s, const uint8_t *text, size_t i, size_t len,
                          tw__token *out, size_t *nout, size_t cap, int *in_word, size_t *start);
/* The tokenizer kernel and its block width for an instruction set (NULL,
 * 0 for scalar). */
tw__tok_kernel tw__tok_kernel_for(tw__isa isa, size_t *width);

/* The tokenizer's kernel on the character map (tw__charmap's units of the
 * same text, one byte a character): from unit i, with the text offset of
 * that unit at *at, takes steps of 64 units while each holds only units
 * whose character it knows by the unit alone (ASCII, one byte in the text;
 * 0x80-0xFF, the Arabic block, two) and out has room (cap) for a step's
 * words, appending tokens in text offsets as the text's own kernel would
 * and carrying *at, *in_word and *start; returns the unit where it stopped
 * (i when it took nothing). A word's edges are read off the step's mask and
 * moved to text offsets by counting the two-byte units before them: half
 * the bytes to classify, for a popcount an edge. */
typedef size_t (*tw__unit_tok_kernel)(const tw__norm_simd *s, const uint8_t *units, size_t i,
                                      size_t nunits, size_t *at, tw__token *out, size_t *nout,
                                      size_t cap, int *in_word, size_t *start);
size_t tw__unit_tok_run_sse42(const tw__norm_simd *s, const uint8_t *units, size_t i,
                              size_t nunits, size_t *at, tw__token *out, size_t *nout,
                              size_t cap, int *in_word, size_t *start);
size_t tw__unit_tok_run_avx2(const tw__norm_simd *s, const uint8_t *units, size_t i,
                             size_t nunits, size_t *at, tw__token *out, size_t *nout,
                             size_t cap, int *in_word, size_t *start);
/* The unit kernel for an instruction set (NULL for scalar; AVX-512 hosts
 * run the AVX2 one). */
tw__unit_tok_kernel tw__unit_tok_kernel_for(tw__isa isa);

/* One byte a character, for Hyperscan databases compiled in byte mode
 * (phrase/tw_strip.c): on normalized Arabic text half the bytes to scan.
 * ASCII stays as it is, U+0600-U+063F becomes 0x80-0xBF (the second byte
 * of its UTF-8), U+0640-U+067F 0xC0-0xFF, U+00A9 (the copyright sign)
 * 0x01, and any other character 0x7F. Defined on any bytes, a byte at a
 * time: the "last" bytes (those not followed by a continuation byte, 10xxxxxx)
 * each write one byte, chosen by themselves and the byte before; a unit
 * is a last byte and the bytes since the one before it (on valid UTF-8, a
 * character). out needs len + 32 bytes and ck TW__CHARMAP_CK(len) entries:
 * ck[b] is how many units end before byte 64 b (ck at the end: all).
 * Returns the number of units (bytes written). */
#define TW__CHARMAP_CK(len) ((len) / 64 + 2)
size_t tw__charmap(const tw__norm_simd *s, const uint8_t *in, size_t len, uint8_t *out, uint32_t *ck);
/* Whether the active instruction set has a kernel for it: the scalar loop
 * costs more than the byte-mode scan saves (on 3,000 SaudiNewsNet articles
 * 195 M instructions against 40 M), so without one the databases scan
 * UTF-8. */
int tw__charmap_fast(void);
/* Whether a scan of text normalized with t may go over the map: a vector
 * kernel here, and control characters folded to spaces (so the text never
 * holds 0x01 or 0x7F, the bytes the map writes for © and the rest). */
int tw__charmap_usable(const tw__norm_table *t);
/* For tw_hsdb_gen, which records the databases of both: on, engines made
 * after it do not map (off again: they do where they can). */
void tw__charmap_force_off(int on);
size_t tw__charmap_with(const tw__norm_simd *s, const uint8_t *in, size_t len, uint8_t *out,
                        uint32_t *ck, tw__isa isa);
/* Where unit m starts in in (len for m = the number of units). */
size_t tw__charmap_to_text(const uint8_t *in, size_t len, const uint32_t *ck, size_t m);
/* The unit that starts at in[o] (o 0, len, or where a unit starts). */
size_t tw__charmap_to_units(const uint8_t *in, size_t len, const uint32_t *ck, size_t o);
/* A kernel: maps in[i, end) (32 <= i, i and end multiples of 32, end + 1
 * <= len) as tw__charmap does, k units written before it; returns k then. */
typedef size_t (*tw__charmap_kernel)(const tw__norm_simd *s, const uint8_t *in, size_t i, size_t end,
                                     uint8_t *out, uint32_t *ck, size_t k);
size_t tw__charmap_sse42(const tw__norm_simd *s, const uint8_t *in, size_t i, size_t end, uint8_t *out,
                         uint32_t *ck, size_t k);
size_t tw__charmap_avx2(const tw__norm_simd *s, const uint8_t *in, size_t i, size_t end, uint8_t *out,
                        uint32_t *ck, size_t k);
size_t tw__charmap_avx512(const tw__norm_simd *s, const uint8_t *in, size_t i, size_t end,
                          uint8_t *out, uint32_t *ck, size_t k);

/* A text as tw__charmap writes it, with its unit counts. The strip scan
 * makes one and leaves it valid when it blanked nothing, so that the
 * spotter, which scans the same text next, need not map it again. */
typedef struct tw__mapped {
    tw__buf bytes; /* uint8_t */
    tw__buf ck;    /* uint32_t */
    size_t units;
    int valid;     /* it maps the text as it is now */
} tw__mapped;

/* Maps text[0, len) into m (valid afterwards). */
int tw__mapped_make(tw__mapped *m, const tw__norm_simd *s, const uint8_t *text, size_t len);
void tw__mapped_free(tw__mapped *m);
/* Whether every character of s[0, len) (UTF-8) is one the map keeps apart:
 * ASCII, U+0600-U+067F, U+00A9. */
int tw__charmap_covers(const char *s, size_t len);
/* A string (a pattern, a literal) in place as the map writes it. */
int tw__charmap_string(const tw__norm_simd *s, tw__buf *b);

/* The kernel for an instruction set (NULL for scalar), and for the active one. */
tw__norm_kernel tw__norm_kernel_for(tw__isa isa);
tw__norm_kernel tw__norm_kernel_best(void);

/* Builds the table for `rules`; TW_EICU if ICU cannot be loaded. The
 * default rules' table is made at build time (tw_hsdb_gen writes it into
 * the generated tw_hsdb_blobs.c beside the Hyperscan databases) and copied
 * when the ICU at run time is the one that made it: building it from ICU's
 * properties is 67 M instructions, most of an engine's start. Other rules,
 * another ICU, or TAWAM_NO_PRECOMPILED=1 build it as before. */
int tw__norm_table_init(tw__norm_table *t, unsigned rules);

/* The table made at build time (bmp NULL when there is none). */
typedef struct tw__norm_prebuilt {
    const char *icu; /* u_versionToString of the ICU that made it */
    unsigned rules;
    const uint32_t *bmp; /* 0x10000 entries */
} tw__norm_prebuilt;
extern const tw__norm_prebuilt tw__norm_prebuilt_table;

/* For tw_hsdb_gen: called with every table built from ICU. */
void tw__norm_set_recorder(void (*fn)(const tw__norm_table *t));

/* The run-time ICU's version ("72.1"), which a build-time table must match. */
#define TW__ICU_VERSION_MAX 32
void tw__icu_version(char out[TW__ICU_VERSION_MAX]);

/* The entry for any code point (BMP from the table, others computed). */
static inline uint32_t tw__norm_entry(const tw__norm_table *t, uint32_t cp);
uint32_t tw__norm_entry_slow(const tw__norm_table *t, uint32_t cp);

static inline uint32_t tw__norm_entry(const tw__norm_table *t, uint32_t cp)
{
    return TW_LIKELY(cp < 0x10000) ? t->bmp[cp] : tw__norm_entry_slow(t, cp);
}

/* Decodes UTF-8 into code points; each maximal invalid subpart becomes one
 * U+FFFD. out must hold len entries. Returns the number of code points. */
size_t tw__utf8_decode(const uint8_t *s, size_t len, uint32_t *out, size_t *bad_seqs,
                       size_t *bad_bytes);

/* Encodes one code point (<= 0x10FFFF, not a surrogate) into 1–4 bytes. */
static inline size_t tw__utf8_encode(uint32_t cp, uint8_t *o)
{
    if (cp < 0x80) {
        o[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (uint8_t)(0xC0 | (cp >> 6));
        o[1] = (uint8_t)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (uint8_t)(0xE0 | (cp >> 12));
        o[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (uint8_t)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (uint8_t)(0xF0 | (cp >> 18));
    o[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (uint8_t)(0x80 | (cp & 0x3F));
    return 4;
}

/* Working memory of the normalizer, reused across documents. */
typedef struct tw__norm_work {
    tw__buf cps;  /* uint32_t code points */
    tw__buf u16a; /* UChar, ICU input */
    tw__buf u16b; /* UChar, ICU output */
    tw__buf out;  /* uint8_t normalized UTF-8 */
} tw__norm_work;

void tw__norm_work_free(tw__norm_work *w);

/* Normalizes len bytes of UTF-8 into w->out (w->out.len bytes).
 * TW_EUTF8 when more than a quarter of the bytes are invalid. */
int tw__normalize(const tw__norm_table *t, tw__norm_work *w, const uint8_t *in, size_t len,
                  size_t *invalid_seqs);
/* The same with a given kernel (NULL: the scalar fast path). */
int tw__normalize_with(const tw__norm_table *t, tw__norm_work *w, const uint8_t *in, size_t len,
                       size_t *invalid_seqs, tw__norm_kernel kernel);
/* The reference: decode all, NFKC when needed, fold; what the fast path
 * (and every kernel) must reproduce byte for byte. */
int tw__normalize_reference(const tw__norm_table *t, tw__norm_work *w, const uint8_t *in,
                            size_t len, size_t *invalid_seqs);

/* Splits normalized UTF-8 into words (runs of TW__E_WORD code points),
 * appending tw__token entries to `tokens` (cleared first). Boilerplate has
 * already been blanked to spaces by the phrase stage. */
int tw__tokenize(const tw__norm_table *t, const uint8_t *s, size_t len, tw__buf *tokens);
/* The same with a given kernel (NULL: scalar only); what tests compare. */
int tw__tokenize_with(const tw__norm_table *t, const uint8_t *s, size_t len, tw__buf *tokens,
                      tw__tok_kernel kernel, size_t width);
/* The same tokens, read off the character map of the same text (units:
 * tw__charmap of s[0, len), nunits of them; s is valid UTF-8, as
 * normalized text is). Where the map's kernel cannot go (a unit that does
 * not tell its character: 0x7F, the copyright sign's 0x01) the text's
 * characters are taken one at a time, as tw__tokenize takes them. The
 * kernel NULL: tw__tokenize itself. */
int tw__tokenize_mapped(const tw__norm_table *t, const uint8_t *s, size_t len,
                        const uint8_t *units, size_t nunits, tw__buf *tokens);
int tw__tokenize_mapped_with(const tw__norm_table *t, const uint8_t *s, size_t len,
                             const uint8_t *units, size_t nunits, tw__buf *tokens,
                             tw__unit_tok_kernel kernel);

/* Normalizes a regex like text, leaving its ASCII untouched: NFKC, then the
 * folds on non-ASCII code points; out gets a NUL-terminated string. */
int tw__fold_pattern(const tw__norm_table *t, tw__norm_work *w, const char *in, size_t len,
                     tw__buf *out);

/* Story features (tw_stem.c), on normalized words. out must hold len
 * bytes; the result is never longer than the input. */
size_t tw__light_stem(const uint8_t *w, size_t len, uint8_t *out);
size_t tw__name_key(const uint8_t *w, size_t len, uint8_t *out);
int tw__is_stopword(const uint8_t *w, size_t len);

/* Words of an article's lead searched for the day of its event. */
#define TW_LEAD_WORDS 60
/* The days an article's lead names: bit d for weekday d (0 = Sunday …
 * 6 = Saturday), bit 7 for "امس" (yesterday). */
unsigned tw__lead_days(const uint8_t *text, const tw__token *tok, size_t ntok);

#endif
