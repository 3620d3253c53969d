/*
 * tw_story_terms.c — the features a story is recognized by: light-stemmed
 * content words (title words counted more), numbers, and names.
 *
 * A document becomes a sorted list of (term hash, raw weight). Names come
 * from the phrase stage's mentions: after a title or role cue, the first
 * one or two words that are not descriptors (descriptors start with ال:
 * "وزير الخارجية التركي هاكان فيدان") are a name, and enter as name keys
 * (consonant skeletons), so كالين / قالن / قالين are one feature. Latin
 * words (acronyms such as CMCC, after case folding) count as names too.
 * Weights are raw term frequencies here; IDF needs the whole collection and
 * is applied by the story clustering.
 */
#include <string.h>
/* xxHash's own header in inline mode: the short hashes of the hot loops
 * are inlined instead of called through the shared library. */
#define XXH_INLINE_ALL
#include <xxhash.h>
#include "sketch/tw_sketch.h"

#define TW_TITLE_WEIGHT 2.0f
#define TW_NAME_WEIGHT 1.5f
#define TW_NAME_WORDS 2   /* name words taken after a cue */
#define TW_CUE_LOOKAHEAD 5 /* words looked at after a cue */

static uint32_t term_hash(const uint8_t *s, size_t len, uint64_t tag)
{
    uint32_t h = (uint32_t)XXH3_64bits_withSeed(s, len, tag);
    return h ? h : 1;
}

typedef struct sink {
    tw__buf *out;
    tw__term_label_fn label; /* optional: who wants the words behind the hashes */
    void *ctx;
} sink;

static int push(sink *k, uint32_t h, float w, const uint8_t *text, size_t len, int is_name)
{
    if (tw__buf_reserve(k->out, k->out->len + 1, sizeof(tw__term)))
        return TW_ENOMEM;
    ((tw__term *)k->out->data)[k->out->len++] = (tw__term){h, w};
    if (k->label)
        k->label(h, text, len, is_name, k->ctx);
    return TW_OK;
}

static int starts_with_al(const uint8_t *w, size_t len)
{
    return len >= 4 && w[0] == 0xD8 && w[1] == 0xA7 && w[2] == 0xD9 && w[3] == 0x84;
}

static int is_latin_word(const uint8_t *w, size_t len)
{
    size_t letters = 0;
    for (size_t i = 0; i < len; i++) {
        if (w[i] >= 0x80)
            return 0;
        letters += w[i] >= 'a' && w[i] <= 'z';
    }
    return letters >= 2;
}

static int is_connector(const uint8_t *w, size_t len)
{
    /* بن ابن بنت ابو عبد: parts of a name, not names */
    static const char *const c[] = {"بن", "ابن", "بنت", "ابو", "عبد"};
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
        if (len == strlen(c[i]) && memcmp(w, c[i], len) == 0)
            return 1;
    return 0;
}

/* Sorts terms by h, stably (equal terms are summed in text order): LSD
 * radix by bytes, a pass skipped when every key has the same byte there.
 * (glibc's qsort, a merge sort here, took 6% of story mode.) */
static void sort_terms(tw__term *t, tw__term *tmp, size_t n)
{
    tw__term *src = t, *dst = tmp;
    for (int shift = 0; shift < 32; shift += 8) {
        size_t count[257] = {0};
        for (size_t i = 0; i < n; i++)
            count[((src[i].h >> shift) & 0xFF) + 1]++;
        if (count[((src[0].h >> shift) & 0xFF) + 1] == n)
            continue; /* one byte value for all: already in order */
        for (int b = 0; b < 256; b++)
            count[b + 1] += count[b];
        for (size_t i = 0; i < n; i++)
            dst[count[(src[i].h >> shift) & 0xFF]++] = src[i];
        tw__term *x = src;
        src = dst;
        dst = x;
    }
    if (src != t)
        memcpy(t, src, n * sizeof *t);
}

int tw__story_terms(const uint8_t *text, const tw__token *tok, size_t ntok, size_t title_end,
                    const tw__mention *men, size_t nmen, uint64_t seed, tw__buf *out)
{
    return tw__story_terms_labeled(text, tok, ntok, title_end, men, nmen, seed, out, NULL, NULL);
}

int tw__story_terms_labeled(const uint8_t *text, const tw__token *tok, size_t ntok,
                            size_t title_end, const tw__mention *men, size_t nmen, uint64_t seed,
                            tw__buf *out, tw__term_label_fn label, void *ctx)
{
    sink k = {out, label, ctx};
    out->len = 0;
    uint8_t buf[256];
    for (size_t i = 0; i < ntok; i++) {
        const uint8_t *w = text + tok[i].off;
        size_t len = tok[i].len;
        if (len > 128 || tw__is_stopword(w, len))
            continue;
        size_t sl = tw__light_stem(w, len, buf);
        int digit = buf[0] >= '0' && buf[0] <= '9';
        if ((sl < 4 && !digit && buf[0] >= 0x80) || sl < 2 || tw__is_stopword(buf, sl))
            continue; /* one Arabic letter (2 bytes) or one ASCII char carries nothing */
        float wt = tok[i].off < title_end ? TW_TITLE_WEIGHT : 1.0f;
        /* labelled with the word as written (normalized), not its stem */
        if (push(&k, term_hash(buf, sl, seed ^ 0x5445524Dull /* TERM */), wt, w, len, 0))
            return TW_ENOMEM;
        if (is_latin_word(w, len) && len <= 8 &&
            push(&k, term_hash(w, len, seed ^ 0x4E414D45ull /* NAME */), TW_NAME_WEIGHT, w, len, 1))
            return TW_ENOMEM;
    }
    for (size_t m = 0; m < nmen; m++) {
        if (men[m].kind == TW__MENTION_GAZ) {
            uint32_t id = men[m].entity;
            /* labelled with the variant as it stands in the text */
            size_t end = men[m].end, len = men[m].len <= end ? men[m].len : end;
            if (push(&k, term_hash((const uint8_t *)&id, sizeof id, seed ^ 0x47415Aull),
                     TW_NAME_WEIGHT, text + end - len, len, 1))
                return TW_ENOMEM;
            continue;
        }
        /* the first token starting at or after the cue's end */
        size_t lo = 0, hi = ntok;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (tok[mid].off < men[m].end)
                lo = mid + 1;
            else
                hi = mid;
        }
        int taken = 0;
        for (size_t i = lo; i < ntok && i < lo + TW_CUE_LOOKAHEAD && taken < TW_NAME_WORDS; i++) {
            const uint8_t *w = text + tok[i].off;
            size_t len = tok[i].len;
            if (starts_with_al(w, len) || is_connector(w, len))
                continue;
            if (tw__is_stopword(w, len) || len > 128)
                break;
            size_t kl = tw__name_key(w, len, buf);
            if (kl >= 4 && push(&k, term_hash(buf, kl, seed ^ 0x4E414D45ull), TW_NAME_WEIGHT, w,
                                len, 1))
                return TW_ENOMEM;
            taken++;
        }
    }
    /* sort and merge equal terms */
    if (out->len > 1) {
        /* the buffer's second half is the sort's scratch */
        if (tw__buf_reserve(out, 2 * out->len, sizeof(tw__term)))
            return TW_ENOMEM;
        sort_terms(out->data, (tw__term *)out->data + out->len, out->len);
    }
    tw__term *t = out->data;
    size_t u = 0;
    for (size_t i = 0; i < out->len; i++) {
        if (u > 0 && t[u - 1].h == t[i].h)
            t[u - 1].w += t[i].w;
        else
            t[u++] = t[i];
    }
    out->len = u;
    return TW_OK;
}
