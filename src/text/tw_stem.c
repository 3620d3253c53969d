/*
 * tw_stem.c — light stemming, stopwords and name keys for story features.
 *
 * All three work on NORMALIZED words (alef forms folded, ة→ه, ى→ي), so the
 * lists below are written in that form.
 *
 * Light stemming follows the idea of Larkey's light10 stemmer (written
 * here from its description): strip the article and its proclitics (ال
 * وال بال كال فال لل) and the conjunction و, then one common suffix, each
 * only when enough of the word is left. The single-letter clitics ب ك ل ف
 * are not stripped on their own: لندن would become ندن while بلندن became
 * لندن, and a stemmer that is inconsistent between two spellings of one
 * word is worse than none. Matching needs consistency, not linguistics.
 *
 * A name key is a word's consonant skeleton: long vowels (ا و ي) after the
 * first letter dropped, ق→ك (Turkish and Persian k is written both ways),
 * a final ه dropped, doubled letters collapsed. كالين, قالن and قالين all
 * become كلن; خلف and خلاف both خلف. Used only as an extra feature, since
 * skeletons of ordinary words collide.
 */
#include <pthread.h>
#include <string.h>
#include "text/tw_text.h"

/* Words longer than this many bytes are left as they are: they are not
 * Arabic words (URLs that escaped stripping, runs of symbols). */
#define TW_STEM_MAX_BYTES 128

/* Decodes the normalized (valid) UTF-8 word into code points; returns n. */
static size_t word_cps(const uint8_t *w, size_t len, uint32_t *cp)
{
    size_t bad = 0;
    return tw__utf8_decode(w, len, cp, &bad, NULL);
}

static size_t cps_to_utf8(const uint32_t *cp, size_t n, uint8_t *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++)
        o += tw__utf8_encode(cp[i], out + o);
    return o;
}

#define A_ALEF 0x0627
#define A_LAM 0x0644
#define A_WAW 0x0648
#define A_BEH 0x0628
#define A_KAF 0x0643
#define A_FEH 0x0641
#define A_YEH 0x064A
#define A_HEH 0x0647
#define A_TEH 0x062A
#define A_NOON 0x0646
#define A_QAF 0x0642

static int is_arabic_letter(uint32_t c)
{
    return c >= 0x0621 && c <= 0x064A;
}

/* Decodes a word made only of two-byte letters of U+0600-U+067F (lead byte
 * D8 or D9), as nearly every normalized Arabic word is, without the
 * general decoder's checks; returns 0 for any other word. */
static int arabic_pairs(const uint8_t *w, size_t len, uint32_t *cp)
{
    if (len & 1)
        return 0;
    for (size_t i = 0; i < len; i += 2) {
        if ((w[i] & 0xFE) != 0xD8 || (w[i + 1] & 0xC0) != 0x80)
            return 0;
        cp[i / 2] = ((uint32_t)(w[i] & 0x1F) << 6) | (w[i + 1] & 0x3F);
    }
    return 1;
}

size_t tw__light_stem(const uint8_t *w, size_t len, uint8_t *out)
{
    uint32_t cp[TW_STEM_MAX_BYTES];
    if (len > TW_STEM_MAX_BYTES) {
        memcpy(out, w, len);
        return len;
    }
    int pairs = arabic_pairs(w, len, cp);
    size_t n = pairs ? len / 2 : word_cps(w, len, cp);
    size_t s = 0, e = n;
    if (n >= 2 && is_arabic_letter(cp[0])) {
        /* proclitics with the article, longest first, then the article */
        if (n >= 5 && (cp[0] == A_WAW || cp[0] == A_BEH || cp[0] == A_KAF || cp[0] == A_FEH) &&
            cp[1] == A_ALEF && cp[2] == A_LAM)
            s = 3;
        else if (n >= 4 && cp[0] == A_LAM && cp[1] == A_LAM)
            s = 2;
        else if (n >= 4 && cp[0] == A_ALEF && cp[1] == A_LAM)
            s = 2;
        else if (n >= 4 && cp[0] == A_WAW)
            s = 1;
        /* one suffix, leaving at least three letters */
        static const uint32_t suf2[][2] = {{A_ALEF, A_TEH}, {A_WAW, A_NOON}, {A_YEH, A_NOON},
                                           {A_ALEF, A_NOON}, {A_HEH, A_ALEF}, {A_YEH, A_HEH}};
        int done = 0;
        if (e - s >= 5) {
            for (size_t k = 0; k < sizeof suf2 / sizeof suf2[0]; k++)
                if (cp[e - 2] == suf2[k][0] && cp[e - 1] == suf2[k][1]) {
                    e -= 2;
                    done = 1;
                    break;
                }
        }
        if (!done && e - s >= 4 && (cp[e - 1] == A_HEH || cp[e - 1] == A_YEH))
            e -= 1;
    }
    if (pairs) { /* two bytes a letter: the stem is a slice of the word */
        memcpy(out, w + 2 * s, 2 * (e - s));
        return 2 * (e - s);
    }
    return cps_to_utf8(cp + s, e - s, out);
}

size_t tw__name_key(const uint8_t *w, size_t len, uint8_t *out)
{
    uint32_t cp[TW_STEM_MAX_BYTES], k[TW_STEM_MAX_BYTES];
    if (len > TW_STEM_MAX_BYTES) {
        memcpy(out, w, len);
        return len;
    }
    size_t n = word_cps(w, len, cp), m = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t c = cp[i] == A_QAF ? A_KAF : cp[i];
        if (i > 0 && (c == A_ALEF || c == A_WAW || c == A_YEH))
            continue;
        if (i == n - 1 && i > 0 && c == A_HEH)
            continue;
        if (m > 0 && k[m - 1] == c)
            continue;
        k[m++] = c;
    }
    return cps_to_utf8(k, m, out);
}

/* Arabic function words, written normalized, sorted (for the reader). */
#define W(s) {s, sizeof(s) - 1}
static const struct {
    const char *s;
    size_t len;
} stopwords[] = {
    W("ا"), W("اخر"), W("اذ"), W("اذا"), W("اضاف"), W("اضافت"), W("اكثر"), W("اكد"), W("اكدت"),
    W("ال"), W("الا"), W("التي"), W("الذي"), W("الذين"), W("الي"), W("اليوم"), W("ام"), W("امام"),
    W("امس"), W("ان"), W("انا"), W("انه"), W("انها"), W("انهم"), W("او"), W("اول"), W("اي"),
    W("ايضا"), W("اين"), W("ايه"), W("بان"), W("بانه"), W("بعد"), W("بعض"), W("بل"), W("به"),
    W("بها"), W("بهم"), W("بين"), W("تحت"), W("تكون"), W("تلك"), W("تم"), W("ثم"), W("جدا"),
    W("حتي"), W("حول"), W("حيث"), W("خلال"), W("دون"), W("ذا"), W("ذات"), W("ذلك"), W("زال"),
    W("سوف"), W("سيتم"), W("ضد"), W("ضمن"), W("عام"), W("عبر"), W("عدد"), W("عدم"), W("علي"),
    W("عليه"), W("عليها"), W("عليهم"), W("عن"), W("عند"), W("عندما"), W("غير"), W("فان"), W("فقد"),
    W("فقط"), W("فوق"), W("في"), W("فيه"), W("فيها"), W("فيهم"), W("قال"), W("قالت"), W("قبل"),
    W("قد"), W("كان"), W("كانت"), W("كانوا"), W("كل"), W("كما"), W("كيف"), W("لا"), W("لان"),
    W("لدي"), W("لقد"), W("لكن"), W("لم"), W("لما"), W("لن"), W("له"), W("لها"), W("لهم"), W("ما"),
    W("ماذا"), W("متي"), W("مثل"), W("مساء"), W("مع"), W("من"), W("منذ"), W("منه"), W("منها"),
    W("منهم"), W("نحن"), W("نحو"), W("هذا"), W("هذه"), W("هل"), W("هم"), W("هنا"), W("هناك"),
    W("هو"), W("هي"), W("وان"), W("وفق"), W("وفقا"), W("وقال"), W("وقالت"), W("وقد"), W("وكان"),
    W("وكانت"), W("ولا"), W("ولم"), W("وما"), W("ومن"), W("وهو"), W("وهي"), W("يتم"), W("يكون"),
    W("يمكن"), W("يوم"),
};

#undef W

/* A hash set over the table, built once: every story term is looked up
 * (twice), and a binary search with memcmp cost 12% of story mode. */
#define TW_STOP_SLOTS 1024
#define TW_STOP_MAX_LEN 16
static uint16_t stop_slot[TW_STOP_SLOTS]; /* index + 1, 0 = empty */
static pthread_once_t stop_once = PTHREAD_ONCE_INIT;

static size_t stop_hash(const uint8_t *w, size_t len)
{
    /* length and the last two bytes: Arabic words differ most at the end
     * (the first byte of a letter is one of four values) */
    return (len * 0x9E37u + w[len - 1] * 0x45D9u + w[len > 1 ? len - 2 : 0] * 0x2F1Bu) &
           (TW_STOP_SLOTS - 1);
}

static void stop_build(void)
{
    for (size_t i = 0; i < sizeof stopwords / sizeof stopwords[0]; i++) {
        size_t h = stop_hash((const uint8_t *)stopwords[i].s, stopwords[i].len);
        while (stop_slot[h])
            h = (h + 1) & (TW_STOP_SLOTS - 1);
        stop_slot[h] = (uint16_t)(i + 1);
    }
}

int tw__is_stopword(const uint8_t *w, size_t len)
{
    if (len == 0 || len > TW_STOP_MAX_LEN)
        return 0;
    pthread_once(&stop_once, stop_build);
    for (size_t h = stop_hash(w, len); stop_slot[h]; h = (h + 1) & (TW_STOP_SLOTS - 1)) {
        size_t i = stop_slot[h] - 1u;
        if (stopwords[i].len == len && memcmp(stopwords[i].s, w, len) == 0)
            return 1;
    }
    return 0;
}

unsigned tw__lead_days(const uint8_t *text, const tw__token *tok, size_t ntok)
{
    /* Normalized weekday names, Sunday first, as news leads write them
     * ("اليوم الثلاثاء", "مساء الاحد"). Only with the article: bare احد and
     * اثنين are "one" and "two", bare جمعه and سبت other words too. */
    static const char *const days[7] = {"الاحد", "الاثنين", "الثلاثاء", "الاربعاء",
                                        "الخميس", "الجمعه", "السبت"};
    unsigned mask = 0;
    for (size_t i = 0; i < ntok && i < TW_LEAD_WORDS; i++) {
        const uint8_t *w = text + tok[i].off;
        size_t len = tok[i].len;
        if (len >= 2 && w[0] == 0xD9 && w[1] == 0x88) { /* a leading و */
            w += 2;
            len -= 2;
        }
        /* every day's name starts with ال (D8 A7 D9 84): one test turns
         * away most words before seven comparisons (they were 1% of story
         * mode's time on SaudiNewsNet) */
        if (len > 4 && w[0] == 0xD8 && w[1] == 0xA7 && w[2] == 0xD9 && w[3] == 0x84) {
            for (int d = 0; d < 7; d++)
                if (len == strlen(days[d]) && memcmp(w, days[d], len) == 0)
                    mask |= 1u << d;
        } else if (len == strlen("امس") && memcmp(w, "امس", len) == 0) {
            mask |= 1u << 7;
        }
    }
    return mask;
}
