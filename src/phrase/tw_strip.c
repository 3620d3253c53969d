/*
 * tw_strip.c — boilerplate stripping with Hyperscan.
 *
 * All patterns go into one block-mode database and one scan reports every
 * match; blanking happens after the scan so that overlapping matches and
 * line expansion are resolved in one place. Every pattern reports its start
 * (HS_FLAG_SOM_LEFTMOST), because a `line` match inside a long line blanks
 * only the match: feeds often carry a whole article on one line, and a share
 * bar glued to its first words must not take the article with it. SOM makes
 * wide bounded repeats ("^[^\n]{0,40}") too large to compile, so the
 * patterns avoid them and let the line rule do that work.
 *
 * Built-in patterns are compiled without Unicode classes: normalized text
 * has only ASCII spaces, so ASCII \s is exact, and UCP's multi-byte classes
 * cost more than half the scan time (measured on SaudiNewsNet). User
 * patterns get Unicode classes, so that \w matches Arabic letters.
 *
 * Start-of-match is costly: with it the scan ran at ~100 MB/s on
 * SaudiNewsNet, without it ~400 MB/s. Only spans need their start on every
 * match; a line or block match needs it only on a line long enough to be
 * content (see TW_LINE_MAX_WORDS), which is rare. So built-in line and
 * block patterns (none crosses a line break) are compiled without SOM in
 * the main database and again, with SOM, in a second one that rescans just
 * the long lines they hit; the ranges are those the single SOM database
 * gave. User patterns keep SOM (they may span lines). Built-in patterns
 * write " ?" where the text could only hold one space (normalized text
 * has no runs of spaces): "\s*" cost a SOM pattern ~20x more scan time.
 * The e-mail pattern starts at its "@" and leaves the byte before it to
 * extend_left: written with the local part's class before the "@", it
 * cost ~10% of the scan (Hyperscan 5.4, SaudiNewsNet), mostly through the
 * share-bar line pattern, whose automaton it joined.
 *
 * Blanked bytes become spaces and line breaks stay, so offsets and UTF-8
 * validity survive and later stages need no map back to the input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "phrase/tw_phrase.h"

/* Written as a reader would write them; their letters are normalized (أ→ا,
 * ة→ه, diacritics dropped, …) before compiling, as the text is.
 * News agencies seen in Arabic datelines: Reuters, AFP (أ ف ب), AP (أ ب),
 * dpa (د ب أ), SPA (واس), QNA (قنا), WAM (وام), KUNA (كونا), BNA (بنا),
 * Saba (سبأ), SANA (سانا), Anadolu (الأناضول), MENA (أ ش أ), UNA (يونا). */
#define TW_AGENCIES "(?:رويترز|أ ف ب|ا ف ب|أ ب|د ب أ|واس|قنا|وام|كونا|بنا|سبأ|سانا|الأناضول|أ ش أ|يونا|reuters|afp|ap|dpa)"
#define TW_SOCIAL "(?:فيسبوك|فيس بوك|تويتر|واتساب|واتس اب|انستغرام|انستجرام|إنستغرام|يوتيوب|تلغرام|تيليجرام|لينكدإن|سناب شات|جوجل بلس|غوغل بلس|google plus|facebook|twitter|whatsapp|instagram|youtube|telegram|linkedin|x)"

const tw__strip_pattern tw__builtin_strip[] = {
    /* links, addresses, tags */
    {TW__STRIP_SPAN, "(?:https?://|www\\.)[^\\s]+", 0, NULL, 0},
    /* an e-mail address from its "@"; extend_left finds its local part,
     * which must hold one byte at least */
    {TW__STRIP_SPAN, "@[a-z0-9-]+(?:\\.[a-z0-9-]+)*\\.[a-z]{2,}", 0, "abcdefghijklmnopqrstuvwxyz0123456789._%+-", 0},
    {TW__STRIP_SPAN, "#[^\\s#]+", 0, NULL, 0},
    /* an @handle after a space or at a line's start (after_space) */
    {TW__STRIP_SPAN, "@[a-z0-9_]{2,}", 0, NULL, 1},
    /* agency credits: "(رويترز) -", "الرياض - واس:", "القاهرة (أ ف ب) -". The
     * city before them stays: a bounded prefix with start-of-match makes the
     * Hyperscan database too large, and one word is no boilerplate. */
    {TW__STRIP_SPAN, "\\( ?" TW_AGENCIES " ?\\) ?[-:]?", 0, NULL, 0},
    {TW__STRIP_SPAN, "[-:] ?" TW_AGENCIES " ?[-:]", 0, NULL, 0},
    {TW__STRIP_SPAN, "^ ?عاجل ?[|:-]", 0, NULL, 0},
    /* SPA's dated dateline: "تبوك 21 شوال 1436 هـ الموافق 06 اغسطس 2015 م واس" */
    {TW__STRIP_SPAN, "\\d{1,2} \\S+ \\d{4} ?هـ? الموافق \\d{1,2} \\S+ \\d{4} ?م(?: واس)?", 0, NULL, 0},
    /* related-headline lists */
    {TW__STRIP_BLOCK, "(?:اقرأ|اقرئي|إقرأ) ?(?:أيضاً|أيضا|كذلك|المزيد)", 0, NULL, 0},
    {TW__STRIP_BLOCK, "^ ?(?:أخبار|مواضيع|مقالات|موضوعات)? ?ذات صلة ?:? ?$", 0, NULL, 0},
    {TW__STRIP_BLOCK, "^ ?(?:الأكثر قراءة|الأكثر مشاهدة|الأكثر تداولاً|الأكثر تداولا)", 0, NULL, 0},
    /* calls to watch, follow, share, download */
    {TW__STRIP_LINE, "شاهد (?:الآن|أيضاً|أيضا|الفيديو|بالفيديو|بالصور)", 0, NULL, 0},
    {TW__STRIP_LINE, "تابعونا (?:على|عبر|في)", 0, NULL, 0},
    {TW__STRIP_LINE, "(?:حمل|حملوا|نزل) تطبيق", 0, NULL, 0},
    {TW__STRIP_LINE, "(?:شارك|شاركوا|مشاركة)(?: (?:الخبر|المقال|هذا|الموضوع|من خلال|عبر|على|في|مع))*(?: ?[|,/:-]? ?" TW_SOCIAL ")+", 0, NULL, 0},
    {TW__STRIP_LINE, "^(?: ?[|,/-]? ?" TW_SOCIAL "){2,} ?$", 0, NULL, 0},
    {TW__STRIP_SPAN, "(?:اكتب|أضف) (?:رأيك|تعليقك)", 0, NULL, 0},
    /* copyright and credits */
    {TW__STRIP_LINE, "(?:جميع الحقوق محفوظة|حقوق النشر محفوظة|©|\\(c\\) ?\\d{4}|copyright)", 0, NULL, 0},
    {TW__STRIP_LINE, "^ ?(?:المصدر|مصدر الخبر|تصوير) ?:", 0, NULL, 0},
};
const size_t tw__builtin_strip_count = sizeof tw__builtin_strip / sizeof tw__builtin_strip[0];

int tw__stripper_build(tw__stripper *st, const tw__norm_table *t, const tw__strip_pattern *pats,
                       size_t n, size_t *bad, char *err, size_t errcap)
{
    memset(st, 0, sizeof *st);
    if (n == 0)
        return TW_OK;
    if (n > 1000000)
        return TW_ERANGE;
    const char **exprs = malloc(n * sizeof *exprs);
    unsigned *flags = malloc(n * sizeof *flags);
    unsigned *ids = malloc(n * sizeof *ids);
    tw__buf *folded = calloc(n, sizeof *folded);
    tw__norm_work nw = {0};
    st->kinds = malloc(n);
    st->late = malloc(n);
    st->extend_left = calloc(n, sizeof *st->extend_left);
    st->after_space = calloc(n, 1);
    int frc = (exprs && flags && ids && folded && st->kinds && st->late && st->extend_left &&
               st->after_space) ? TW_OK : TW_ENOMEM;
    for (size_t i = 0; !frc && i < n; i++)
        frc = tw__fold_pattern(t, &nw, pats[i].regex, strlen(pats[i].regex), &folded[i]);
    tw__norm_work_free(&nw);
    if (frc) {
        for (size_t i = 0; folded && i < n; i++)
            tw__buf_free(&folded[i]);
        free(exprs), free(flags), free(ids), free(folded);
        tw__stripper_free(st);
        return frc;
    }
    /* Byte mode on mapped text when the map may serve (tw__charmap_usable)
     * and every pattern is a built-in one whose characters it keeps apart
     * (ASCII, U+0600-U+067F, ©); otherwise UTF-8 mode on the text. */
    int mapped = tw__charmap_usable(t);
    for (size_t i = 0; mapped && i < n; i++)
        mapped = !pats[i].unicode_classes && tw__charmap_covers(folded[i].data, folded[i].len);
    for (size_t i = 0; !frc && mapped && i < n; i++)
        frc = tw__charmap_string(&t->simd, &folded[i]);
    if (frc) {
        for (size_t i = 0; i < n; i++)
            tw__buf_free(&folded[i]);
        free(exprs), free(flags), free(ids), free(folded);
        tw__stripper_free(st);
        return frc;
    }
    st->charmap = mapped ? &t->simd : NULL;
    size_t nlate = 0;
    for (size_t i = 0; i < n; i++) {
        exprs[i] = folded[i].data;
        ids[i] = (unsigned)i;
        st->kinds[i] = (uint8_t)pats[i].kind;
        st->extend_left[i] = pats[i].extend_left;
        st->after_space[i] = (uint8_t)(pats[i].after_space != 0);
        /* built-in line and block patterns: start found by a rescan */
        int late = pats[i].kind != TW__STRIP_SPAN && !pats[i].unicode_classes;
        st->late[i] = (uint8_t)late;
        nlate += late;
        flags[i] = (mapped ? 0 : HS_FLAG_UTF8) | HS_FLAG_MULTILINE | (late ? 0 : HS_FLAG_SOM_LEFTMOST);
        if (pats[i].unicode_classes)
            flags[i] |= HS_FLAG_UCP;
    }
    hs_compile_error_t *cerr = NULL;
    hs_error_t rc = tw__hs_compile(exprs, flags, ids, (unsigned)n, &st->db, &cerr, &st->precompiled);
    if (rc == HS_SUCCESS && nlate) {
        /* the rescan database: the late patterns again, with SOM */
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            if (st->late[i]) {
                exprs[k] = exprs[i];
                ids[k] = ids[i];
                flags[k] = flags[i] | HS_FLAG_SOM_LEFTMOST;
                k++;
            }
        rc = tw__hs_compile(exprs, flags, ids, (unsigned)k, &st->db_som, &cerr, NULL);
    }
    for (size_t i = 0; i < n; i++)
        tw__buf_free(&folded[i]);
    free(exprs), free(flags), free(ids), free(folded);
    if (rc != HS_SUCCESS) {
        if (bad)
            *bad = (cerr && cerr->expression >= 0) ? (size_t)cerr->expression : 0;
        if (err && errcap)
            snprintf(err, errcap, "%s", cerr && cerr->message ? cerr->message : "compile failed");
        hs_free_compile_error(cerr);
        tw__stripper_free(st);
        return rc == HS_NOMEM ? TW_ENOMEM : TW_EPATTERN;
    }
    st->count = n;
    return TW_OK;
}

void tw__stripper_free(tw__stripper *st)
{
    if (!st)
        return;
    hs_free_database(st->db);
    hs_free_database(st->db_som);
    free(st->kinds);
    free(st->late);
    free(st->extend_left);
    free(st->after_space);
    memset(st, 0, sizeof *st);
}

int tw__strip_work_init(const tw__stripper *st, tw__strip_work *w)
{
    memset(w, 0, sizeof *w);
    if (!st->db)
        return TW_OK;
    if (hs_alloc_scratch(st->db, &w->scratch) != HS_SUCCESS ||
        (st->db_som && hs_alloc_scratch(st->db_som, &w->scratch) != HS_SUCCESS))
        return TW_ENOMEM;
    return TW_OK;
}

void tw__strip_work_free(tw__strip_work *w)
{
    if (!w)
        return;
    hs_free_scratch(w->scratch);
    tw__buf_free(&w->ranges);
    tw__mapped_free(&w->map);
    memset(w, 0, sizeof *w);
}

typedef struct match {
    size_t from, to;
    unsigned kind;
    unsigned late; /* from unknown: a late-start pattern's match */
} match;

#define TW_MATCH_EXACT 3u /* a rescan's range: blank exactly from..to */

typedef struct scan_ctx {
    const tw__stripper *st;
    const uint8_t *text; /* the whole text (rescans scan a part of it) */
    size_t len;
    const uint32_t *ck;  /* not NULL: the scan is of the mapped text (tw__charmap) */
    tw__buf *ranges;
    size_t base;  /* offset of the scanned buffer in the text, or in the mapped text */
    int rescan;   /* 1: matches are exact ranges */
    int failed;
} scan_ctx;

static int on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned fl,
                    void *ctx_)
{
    TW_UNUSED(fl);
    scan_ctx *ctx = ctx_;
    /* to offsets in the text */
    if (ctx->ck) {
        from = tw__charmap_to_text(ctx->text, ctx->len, ctx->ck, ctx->base + (size_t)from);
        to = tw__charmap_to_text(ctx->text, ctx->len, ctx->ck, ctx->base + (size_t)to);
    } else {
        from += ctx->base;
        to += ctx->base;
    }
    const char *extend = ctx->st->extend_left[id];
    if (!ctx->rescan && (extend || ctx->st->after_space[id])) {
        const uint8_t *t = ctx->text;
        if (ctx->st->after_space[id] && from > 0 && !strchr(" \n\t\r\v\f", t[from - 1]))
            return 0;
        if (extend) {
            size_t at = from;
            while (from > 0 && t[from - 1] && strchr(extend, t[from - 1]))
                from--;
            if (from == at)
                return 0; /* nothing to extend over: no match */
        }
    }
    if (tw__buf_reserve(ctx->ranges, ctx->ranges->len + 1, sizeof(match))) {
        ctx->failed = 1;
        return 1; /* stop the scan */
    }
    ((match *)ctx->ranges->data)[ctx->ranges->len++] =
        ctx->rescan ? (match){(size_t)from, (size_t)to, TW_MATCH_EXACT, 0}
                    : (match){(size_t)from, (size_t)to, ctx->st->kinds[id], ctx->st->late[id]};
    return 0;
}

static size_t line_start(const uint8_t *t, size_t i)
{
    while (i > 0 && t[i - 1] != '\n')
        i--;
    return i;
}

static size_t line_end(const uint8_t *t, size_t len, size_t i)
{
    while (i < len && t[i] != '\n')
        i++;
    return i;
}

static size_t blank(uint8_t *t, size_t from, size_t to)
{
    size_t n = 0;
    for (size_t i = from; i < to; i++)
        if (t[i] != ' ' && t[i] != '\n') {
            t[i] = ' ';
            n++;
        }
    return n;
}

/* A line short enough to be a headline in a related-articles list. */
#define TW_BLOCK_MAX_WORDS 16
/* A line of more words is content with boilerplate inside (a feed's whole
 * article on one line, or a short news item with "تابعونا على …" glued on):
 * only the match goes. Boilerplate lines are short. */
#define TW_LINE_MAX_WORDS 12

static size_t words_in(const uint8_t *t, size_t from, size_t to)
{
    size_t words = 0;
    int in = 0;
    for (size_t i = from; i < to; i++) {
        int sp = t[i] == ' ';
        if (!sp && !in)
            words++;
        in = !sp;
    }
    return words;
}

int tw__strip(const tw__stripper *st, tw__strip_work *w, uint8_t *text, size_t len,
              size_t *blanked)
{
    *blanked = 0;
    w->map.valid = 0; /* (no map of this text yet) */
    if (!st->db || len == 0)
        return TW_OK;
    if (len > UINT32_MAX)
        return TW_ERANGE;
    w->ranges.len = 0;
    const uint8_t *scan = text;
    size_t scan_len = len;
    const uint32_t *ck = NULL;
    if (st->charmap) {
        if (tw__mapped_make(&w->map, st->charmap, text, len))
            return TW_ENOMEM;
        scan = w->map.bytes.data;
        scan_len = w->map.units;
        ck = w->map.ck.data;
    }
    scan_ctx ctx = {st, text, len, ck, &w->ranges, 0, 0, 0};
    hs_error_t rc = hs_scan(st->db, (const char *)scan, (unsigned)scan_len, 0, w->scratch, on_match, &ctx);
    if (ctx.failed)
        return TW_ENOMEM;
    if (rc != HS_SUCCESS && rc != HS_SCAN_TERMINATED)
        return TW_EHYPERSCAN;
    /* Decide every range on the text as written, then blank: a line's word
     * count must not depend on which match Hyperscan reported first. */
    size_t nm = w->ranges.len, rescanned = SIZE_MAX;
    for (size_t i = 0; i < nm; i++) {
        match *m = (match *)w->ranges.data + i;
        size_t to = m->to > len ? len : m->to;
        size_t at = to > 0 ? to - 1 : 0;
        if (m->kind == TW__STRIP_SPAN) {
            m->to = to;
            continue;
        }
        size_t s = line_start(text, m->late ? at : m->from), e = line_end(text, len, at);
        if (words_in(text, s, e) > TW_LINE_MAX_WORDS) {
            /* content with boilerplate inside: the match only */
            if (!m->late) {
                m->to = to;
                continue;
            }
            m->from = m->to = 0; /* replaced by the rescan's ranges */
            if (s != rescanned) {
                rescanned = s;
                /* the line, in the scanned text's offsets */
                size_t ls = ck ? tw__charmap_to_units(text, len, ck, s) : s;
                size_t le = ck ? tw__charmap_to_units(text, len, ck, e) : e;
                ctx = (scan_ctx){st, text, len, ck, &w->ranges, ls, 1, 0};
                rc = hs_scan(st->db_som, (const char *)scan + ls, (unsigned)(le - ls), 0, w->scratch,
                             on_match, &ctx);
                if (ctx.failed)
                    return TW_ENOMEM;
                if (rc != HS_SUCCESS && rc != HS_SCAN_TERMINATED)
                    return TW_EHYPERSCAN;
            }
            continue;
        }
        if (m->kind == TW__STRIP_BLOCK) {
            while (e < len) {
                size_t ne = line_end(text, len, e + 1);
                if (words_in(text, e + 1, ne) > TW_BLOCK_MAX_WORDS)
                    break;
                e = ne;
            }
        }
        m->from = s;
        m->to = e;
    }
    match *m = w->ranges.data;
    size_t total = 0;
    for (size_t i = 0; i < w->ranges.len; i++)
        total += blank(text, m[i].from, m[i].to);
    *blanked = total;
    if (total)
        w->map.valid = 0; /* the text changed under it */
    return TW_OK;
}
