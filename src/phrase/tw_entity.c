/*
 * tw_entity.c — spotting names with Hyperscan: titles and roles that
 * precede a name in Arabic news (الرئيس، وزير، الشيخ، اللواء …), and the
 * user's gazetteer of names with their variants.
 *
 * One block-mode database holds both: cue patterns report where a cue ends
 * (the name follows; the sketch stage reads the words after it), gazetteer
 * variants report which canonical entity they spell. No start-of-match is
 * needed: cues are followed, not blanked, and a literal's start is its end
 * minus its length.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "phrase/tw_phrase.h"

/* Written as a reader would write it; the engine normalizes its letters
 * with its own rules (as it does strip patterns) before building, so it
 * matches normalized text whatever rules are on. A cue must start a word
 * (optionally with و ب ل attached) and be followed by a space. */
#define TW_AR "\\x{0621}-\\x{064A}"
static const char cue_regex_written[] =
    "(?:^|[^" TW_AR "a-z0-9])[وبل]?(?:الرئيس|رئيس|رئيسه|وزير|وزيره|الوزير|الوزيره|الشيخ|السيد|"
    "السيده|اللواء|العميد|العقيد|الفريق|المشير|الملك|الملكه|الامير|الاميره|ولي العهد|"
    "الدكتور|النائب|السفير|السفيره|المتحدث|المتحدثه|الناطق|المبعوث|الامين العام|مدير|"
    "مديره|قائد|زعيم|المستشار|مستشار|الجنرال|البابا|المرشد|الحاخام|المطران|الاعلامي|"
    "الاعلاميه|الفنان|الفنانه|اللاعب|اللاعبه|المدرب|الكاتب|الكاتبه|الصحفي|الصحفيه|الناشط|"
    "الناشطه|المحامي|القاضي|رجل الاعمال|المهندس) ";

int tw__spotter_build(tw__spotter *sp, const tw__norm_table *t, const char *const *gaz_variants,
                      const uint32_t *gaz_ids, size_t ngaz, char *err, size_t errcap)
{
    memset(sp, 0, sizeof *sp);
    tw__norm_work nw = {0};
    tw__buf cue = {0};
    int frc = tw__fold_pattern(t, &nw, cue_regex_written, strlen(cue_regex_written), &cue);
    tw__norm_work_free(&nw);
    if (frc) {
        tw__buf_free(&cue);
        return frc;
    }
    const char *cue_regex = cue.data;
    size_t n = 1 + ngaz;
    const char **exprs = calloc(n, sizeof *exprs);
    unsigned *flags = calloc(n, sizeof *flags), *ids = calloc(n, sizeof *ids);
    char **owned = calloc(n, sizeof *owned);
    sp->lit_len = calloc(n, sizeof *sp->lit_len);
    sp->gaz_id = calloc(n, sizeof *sp->gaz_id);
    int rc = TW_OK;
    if (!exprs || !flags || !ids || !owned || !sp->lit_len || !sp->gaz_id) {
        rc = TW_ENOMEM;
        goto done;
    }
    exprs[0] = cue_regex;
    flags[0] = HS_FLAG_UTF8 | HS_FLAG_MULTILINE;
    ids[0] = 0;
    for (size_t i = 0; i < ngaz; i++) {
        /* Literal, whole word: escape everything that is not a letter. */
        const char *v = gaz_variants[i];
        size_t vl = strlen(v);
        char *x = malloc(4 * vl + 64);
        if (!x) {
            rc = TW_ENOMEM;
            goto done;
        }
        size_t o = (size_t)sprintf(x, "(?:^|[^" TW_AR "a-z0-9])");
        for (size_t k = 0; k < vl; k++) {
            unsigned char ch = (unsigned char)v[k];
            if (ch < 0x80 && !((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == ' '))
                o += (size_t)sprintf(x + o, "\\x%02x", ch);
            else
                x[o++] = (char)ch;
        }
        x[o] = 0; /* the end of the word is checked at the match (no lookahead) */
        owned[i + 1] = x;
        exprs[i + 1] = x;
        flags[i + 1] = HS_FLAG_UTF8 | HS_FLAG_MULTILINE;
        ids[i + 1] = (unsigned)(i + 1);
        sp->gaz_id[i + 1] = gaz_ids[i];
        sp->lit_len[i + 1] = (uint32_t)vl;
    }
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
    tw__buf_free(&cue);
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
    memset(w, 0, sizeof *w);
}

typedef struct spot_ctx {
    const tw__spotter *sp;
    const uint8_t *text;
    size_t len;
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

static int on_spot(unsigned id, unsigned long long from, unsigned long long to, unsigned fl,
                   void *ctx_)
{
    TW_UNUSED(from);
    TW_UNUSED(fl);
    spot_ctx *c = ctx_;
    if (tw__buf_reserve(c->out, c->out->len + 1, sizeof(tw__mention))) {
        c->failed = 1;
        return 1;
    }
    tw__mention m;
    if (id == 0) {
        m.kind = TW__MENTION_CUE;
        m.end = (uint32_t)to; /* the name starts after this */
        m.entity = 0;
        m.len = 0;
    } else {
        if (word_continues(c->text + to, c->len - (size_t)to))
            return 0; /* a prefix of a longer word */
        m.kind = TW__MENTION_GAZ;
        m.end = (uint32_t)to;
        m.entity = c->sp->gaz_id[id];
        m.len = c->sp->lit_len[id];
    }
    ((tw__mention *)c->out->data)[c->out->len++] = m;
    return 0;
}

int tw__spot(const tw__spotter *sp, tw__spot_work *w, const uint8_t *text, size_t len)
{
    w->mentions.len = 0;
    if (!sp->db || len == 0)
        return TW_OK;
    if (len > UINT32_MAX)
        return TW_ERANGE;
    spot_ctx ctx = {sp, text, len, &w->mentions, 0};
    hs_error_t rc = hs_scan(sp->db, (const char *)text, (unsigned)len, 0, w->scratch, on_spot, &ctx);
    if (ctx.failed)
        return TW_ENOMEM;
    return (rc == HS_SUCCESS || rc == HS_SCAN_TERMINATED) ? TW_OK : TW_EHYPERSCAN;
}
