/*
 * tw_entity.c — spotting names with Hyperscan: titles and roles that
 * precede a name in Arabic news (الرئيس، وزير، الشيخ، اللواء …), and the
 * user's gazetteer of names with their variants.
 *
 * One block-mode database holds both, every pattern a plain literal: cues
 * report where a cue ends (the name follows; the sketch stage reads the
 * words after it), gazetteer variants report which canonical entity they
 * spell. No start-of-match is needed: cues are followed, not blanked, and a
 * literal's start is its end minus its length, where the match callback
 * checks that a word starts (the regex class in front of each literal that
 * did this before cost a third of story mode's scan time on SaudiNewsNet).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "phrase/tw_phrase.h"

/* Cues, written as a reader would write them; the engine normalizes their
 * letters with its own rules (as it does strip patterns) before building,
 * so they match normalized text whatever rules are on. A cue must start a
 * word (optionally with و ب ل attached) and be followed by a space. */
static const char *const cue_words[] = {
    "الرئيس", "رئيس", "رئيسه", "وزير", "وزيره", "الوزير", "الوزيره", "الشيخ", "السيد",
    "السيده", "اللواء", "العميد", "العقيد", "الفريق", "المشير", "الملك", "الملكه", "الامير",
    "الاميره", "ولي العهد", "الدكتور", "النائب", "السفير", "السفيره", "المتحدث", "المتحدثه",
    "الناطق", "المبعوث", "الامين العام", "مدير", "مديره", "قائد", "زعيم", "المستشار", "مستشار",
    "الجنرال", "البابا", "المرشد", "الحاخام", "المطران", "الاعلامي", "الاعلاميه", "الفنان",
    "الفنانه", "اللاعب", "اللاعبه", "المدرب", "الكاتب", "الكاتبه", "الصحفي", "الصحفيه", "الناشط",
    "الناشطه", "المحامي", "القاضي", "رجل الاعمال", "المهندس",
};
#define TW_NCUES (sizeof cue_words / sizeof cue_words[0])

int tw__spotter_build(tw__spotter *sp, const tw__norm_table *t, const char *const *gaz_variants,
                      const uint32_t *gaz_ids, size_t ngaz, char *err, size_t errcap)
{
    memset(sp, 0, sizeof *sp);
    size_t n = TW_NCUES + ngaz;
    const char **exprs = calloc(n, sizeof *exprs);
    unsigned *flags = calloc(n, sizeof *flags), *ids = calloc(n, sizeof *ids);
    char **owned = calloc(n, sizeof *owned);
    sp->lit_len = calloc(n, sizeof *sp->lit_len);
    sp->gaz_id = calloc(n, sizeof *sp->gaz_id);
    sp->ncues = TW_NCUES;
    tw__norm_work nw = {0};
    tw__buf folded = {0};
    int rc = TW_OK;
    if (!exprs || !flags || !ids || !owned || !sp->lit_len || !sp->gaz_id) {
        rc = TW_ENOMEM;
        goto done;
    }
    /* Every pattern is a plain literal, which Hyperscan matches with its
     * fastest engine; the word boundary before it is checked at the match
     * (a class and an optional letter in front made the cue regex a third
     * of story mode's Hyperscan time). */
    for (size_t i = 0; i < TW_NCUES; i++) {
        rc = tw__fold_pattern(t, &nw, cue_words[i], strlen(cue_words[i]), &folded);
        char *x = rc ? NULL : malloc(folded.len + 2);
        if (!rc && !x)
            rc = TW_ENOMEM;
        if (rc)
            goto done;
        memcpy(x, folded.data, folded.len);
        x[folded.len] = ' ';
        x[folded.len + 1] = 0;
        owned[i] = x;
        exprs[i] = x;
        ids[i] = (unsigned)i;
        sp->lit_len[i] = (uint32_t)folded.len + 1;
    }
    for (size_t i = 0; i < ngaz; i++) {
        /* Literal: escape everything that is not a letter. */
        const char *v = gaz_variants[i];
        size_t vl = strlen(v);
        char *x = malloc(4 * vl + 64);
        if (!x) {
            rc = TW_ENOMEM;
            goto done;
        }
        size_t o = 0;
        for (size_t k = 0; k < vl; k++) {
            unsigned char ch = (unsigned char)v[k];
            if (ch < 0x80 && !((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == ' '))
                o += (size_t)sprintf(x + o, "\\x%02x", ch);
            else
                x[o++] = (char)ch;
        }
        x[o] = 0; /* the word's ends are checked at the match (no lookaround) */
        size_t id = TW_NCUES + i;
        owned[id] = x;
        exprs[id] = x;
        ids[id] = (unsigned)id;
        sp->gaz_id[id] = gaz_ids[i];
        sp->lit_len[id] = (uint32_t)vl;
    }
    /* Scanned one byte a character (tw__charmap), as the strip scan is,
     * when the map may serve (tw__charmap_usable) and every literal is in
     * its alphabet (a gazetteer may hold other scripts). */
    int mapped = tw__charmap_usable(t);
    for (size_t i = 0; mapped && i < n; i++)
        mapped = tw__charmap_covers(exprs[i], strlen(exprs[i]));
    for (size_t i = 0; mapped && i < n; i++) {
        tw__buf b = {owned[i], strlen(owned[i]), strlen(owned[i]) + 1, 0};
        if ((rc = tw__charmap_string(&t->simd, &b)) != TW_OK) {
            owned[i] = NULL;
            free(b.data);
            goto done;
        }
        owned[i] = b.data;
        exprs[i] = b.data;
    }
    sp->charmap = mapped ? &t->simd : NULL;
    hs_compile_error_t *cerr = NULL;
    if (tw__hs_compile(exprs, flags, ids, (unsigned)n, &sp->db, &cerr, NULL) != HS_SUCCESS) {
        if (err && errcap)
            snprintf(err, errcap, "gazetteer: %s", cerr && cerr->message ? cerr->message : "compile failed");
        hs_free_compile_error(cerr);
        sp->db = NULL;
        rc = TW_EPATTERN;
        goto done;
    }
    sp->count = n;
done:
    tw__buf_free(&folded);
    tw__norm_work_free(&nw);
    if (owned)
        for (size_t i = 0; i < n; i++)
            free(owned[i]);
    free(owned);
    free(exprs);
    free(flags);
    free(ids);
    if (rc)
        tw__spotter_free(sp);
    return rc;
}

void tw__spotter_free(tw__spotter *sp)
{
    if (!sp)
        return;
    hs_free_database(sp->db);
    free(sp->lit_len);
    free(sp->gaz_id);
    memset(sp, 0, sizeof *sp);
}

int tw__spot_work_init(const tw__spotter *sp, tw__spot_work *w)
{
    memset(w, 0, sizeof *w);
    if (!sp->db)
        return TW_OK;
    return hs_alloc_scratch(sp->db, &w->scratch) == HS_SUCCESS ? TW_OK : TW_ENOMEM;
}

void tw__spot_work_free(tw__spot_work *w)
{
    if (!w)
        return;
    hs_free_scratch(w->scratch);
    tw__buf_free(&w->mentions);
    tw__mapped_free(&w->map);
    memset(w, 0, sizeof *w);
}

typedef struct spot_ctx {
    const tw__spotter *sp;
    const uint8_t *text;
    size_t len;
    const uint32_t *ck; /* not NULL: offsets are in the mapped text */
    tw__buf *out;
    int failed;
} spot_ctx;

/* Whether a word continues at p (an Arabic letter or a Latin letter/digit). */
static int word_continues(const uint8_t *p, size_t left)
{
    if (left == 0)
        return 0;
    if (p[0] < 0x80)
        return (p[0] >= 'a' && p[0] <= 'z') || (p[0] >= '0' && p[0] <= '9');
    if (left >= 2 && (p[0] == 0xD8 || p[0] == 0xD9)) {
        uint32_t cp = ((uint32_t)(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
        return cp >= 0x0621 && cp <= 0x064A;
    }
    return 0;
}

/* Whether a word may start at text[at]: the text or a line starts there,
 * or the character before is not an Arabic letter (U+0621-U+064A), a Latin
 * letter or a digit (what the regex (?:^|[^\x{0621}-\x{064A}a-z0-9]) in
 * front of the literal asked). */
static int word_starts(const uint8_t *text, size_t at)
{
    if (at == 0)
        return 1;
    size_t b = at - 1;
    while (b > 0 && (text[b] & 0xC0) == 0x80 && at - b < 4)
        b--; /* back to the first byte of the character before */
    return !word_continues(text + b, at - b);
}

/* Whether text[at - 2, at) is a و, ب or ل. */
static int clitic_before(const uint8_t *text, size_t at)
{
    if (at < 2)
        return 0;
    const uint8_t *p = text + at - 2;
    return (p[0] == 0xD9 && (p[1] == 0x88 || p[1] == 0x84)) || (p[0] == 0xD8 && p[1] == 0xA8);
}

static int on_spot(unsigned id, unsigned long long from, unsigned long long to, unsigned fl,
                   void *ctx_)
{
    TW_UNUSED(from);
    TW_UNUSED(fl);
    spot_ctx *c = ctx_;
    if (c->ck)
        to = tw__charmap_to_text(c->text, c->len, c->ck, (size_t)to);
    size_t start = (size_t)to - c->sp->lit_len[id];
    tw__mention m;
    if (id < c->sp->ncues) {
        if (!word_starts(c->text, start) &&
            !(clitic_before(c->text, start) && word_starts(c->text, start - 2)))
            return 0;
        /* two cues ending here (one the other's tail) are one mention */
        const tw__mention *ms = c->out->data;
        for (size_t k = c->out->len; k-- > 0 && ms[k].end == to;)
            if (ms[k].kind == TW__MENTION_CUE)
                return 0;
        m.kind = TW__MENTION_CUE;
        m.end = (uint32_t)to; /* the name starts after this */
        m.entity = 0;
        m.len = 0;
    } else {
        if (!word_starts(c->text, start) || word_continues(c->text + to, c->len - (size_t)to))
            return 0; /* inside a longer word */
        m.kind = TW__MENTION_GAZ;
        m.end = (uint32_t)to;
        m.entity = c->sp->gaz_id[id];
        m.len = c->sp->lit_len[id];
    }
    if (tw__buf_reserve(c->out, c->out->len + 1, sizeof(tw__mention))) {
        c->failed = 1;
        return 1;
    }
    ((tw__mention *)c->out->data)[c->out->len++] = m;
    return 0;
}

int tw__spot(const tw__spotter *sp, tw__spot_work *w, const uint8_t *text, size_t len,
             tw__mapped *map)
{
    w->mentions.len = 0;
    if (!sp->db || len == 0)
        return TW_OK;
    if (len > UINT32_MAX)
        return TW_ERANGE;
    const uint8_t *scan = text;
    size_t scan_len = len;
    const uint32_t *ck = NULL;
    if (sp->charmap) {
        if (!map || !map->valid) {
            map = &w->map;
            if (tw__mapped_make(map, sp->charmap, text, len))
                return TW_ENOMEM;
        }
        scan = map->bytes.data;
        scan_len = map->units;
        ck = map->ck.data;
    }
    spot_ctx ctx = {sp, text, len, ck, &w->mentions, 0};
    hs_error_t rc = hs_scan(sp->db, (const char *)scan, (unsigned)scan_len, 0, w->scratch, on_spot, &ctx);
    if (ctx.failed)
        return TW_ENOMEM;
    return (rc == HS_SUCCESS || rc == HS_SCAN_TERMINATED) ? TW_OK : TW_EHYPERSCAN;
}
