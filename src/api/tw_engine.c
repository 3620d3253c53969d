/*
 * tw_engine.c — the engine (configuration, normalization table, compiled
 * patterns), the per-thread scratch, and the per-document pipeline that
 * every entry point shares: normalize → strip → tokenize → shingle.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/tw_api.h"

static const struct {
    const char *name;
    unsigned bit;
} rule_names[] = {
    {"nfkc", TW_NORM_NFKC},         {"diacritics", TW_NORM_DIACRITICS},
    {"tatweel", TW_NORM_TATWEEL},   {"controls", TW_NORM_CONTROLS},
    {"alef", TW_NORM_ALEF},         {"yaa", TW_NORM_YAA},
    {"taa-marbuta", TW_NORM_TAA_MARBUTA}, {"hamza-seats", TW_NORM_HAMZA_SEATS},
    {"digits", TW_NORM_DIGITS},     {"persian", TW_NORM_PERSIAN},
    {"case", TW_NORM_CASE},         {"spaces", TW_NORM_SPACES},
    {"punct", TW_NORM_PUNCT},
};

unsigned tw_norm_rule_from_name(const char *name)
{
    if (!name)
        return 0;
    for (size_t i = 0; i < sizeof rule_names / sizeof rule_names[0]; i++)
        if (strcmp(name, rule_names[i].name) == 0)
            return rule_names[i].bit;
    return 0;
}

const char *tw_norm_rule_name(unsigned rule)
{
    for (size_t i = 0; i < sizeof rule_names / sizeof rule_names[0]; i++)
        if (rule_names[i].bit == rule)
            return rule_names[i].name;
    return NULL;
}

void tw_config_default(tw_config *cfg)
{
    if (!cfg)
        return;
    memset(cfg, 0, sizeof *cfg);
    cfg->norm_rules = TW_NORM_DEFAULT;
    cfg->builtin_strip = 1;
    cfg->strip_patterns = NULL;
    cfg->shingle_k = 4;
    cfg->threshold = 0.4;
    cfg->common_df = 16;
    cfg->template_share = 0.2;
    cfg->seed = 0;
    cfg->story = 1;
    cfg->story_threshold = 0.22;
    cfg->story_window_days = 3;
    cfg->story_decay_days = 1;
    cfg->gazetteer = NULL;
}

static void set_err(char *err, size_t cap, const char *fmt, const char *a, size_t line)
{
    if (err && cap)
        snprintf(err, cap, fmt, line, a);
}

/* Parses the user pattern text into pats (appended after *n entries); the
 * regex strings point into `text`, which is modified (lines terminated). */
static int parse_patterns(char *text, tw__strip_pattern *pats, size_t *n, size_t *lines,
                          char *err, size_t errcap)
{
    size_t line = 0;
    char *p = text;
    while (p && *p) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = 0;
        line++;
        size_t len = strlen(p);
        while (len && (p[len - 1] == '\r' || p[len - 1] == ' ' || p[len - 1] == '\t'))
            p[--len] = 0;
        char *q = p;
        while (*q == ' ' || *q == '\t')
            q++;
        if (*q && *q != '#') {
            tw__strip_kind kind = TW__STRIP_LINE;
            static const struct { const char *w; tw__strip_kind k; } kinds[] = {
                {"line", TW__STRIP_LINE}, {"span", TW__STRIP_SPAN}, {"block", TW__STRIP_BLOCK}};
            for (size_t k = 0; k < 3; k++) {
                size_t wl = strlen(kinds[k].w);
                if (strncmp(q, kinds[k].w, wl) == 0 && (q[wl] == ' ' || q[wl] == '\t' || q[wl] == 0)) {
                    kind = kinds[k].k;
                    q += wl;
                    while (*q == ' ' || *q == '\t')
                        q++;
                    break;
                }
            }
            if (!*q) {
                set_err(err, errcap, "pattern line %zu: %s", "a kind with no regex", line);
                return TW_EPATTERN;
            }
            pats[*n] = (tw__strip_pattern){kind, q, 1, NULL, 0};
            lines[*n] = line;
            (*n)++;
        }
        p = nl ? nl + 1 : NULL;
    }
    return TW_OK;
}

static int build_stripper(tw_engine *e, char *err, size_t errcap)
{
    size_t user_max = 0;
    if (e->patterns)
        for (const char *c = e->patterns; *c; c++)
            user_max += *c == '\n';
    user_max += 1;
    size_t cap = tw__builtin_strip_count + user_max;
    tw__strip_pattern *pats = calloc(cap, sizeof *pats);
    size_t *lines = calloc(cap, sizeof *lines);
    char *work = e->patterns ? strdup(e->patterns) : NULL; /* parsing cuts it into lines */
    int rc = TW_OK;
    size_t n = 0;
    if (!pats || !lines || (e->patterns && !work)) {
        rc = TW_ENOMEM;
        goto done;
    }
    if (e->cfg.builtin_strip)
        for (size_t i = 0; i < tw__builtin_strip_count; i++)
            pats[n++] = tw__builtin_strip[i];
    size_t first_user = n;
    if (work && (rc = parse_patterns(work, pats, &n, lines, err, errcap)))
        goto done;
    size_t bad = 0;
    char hs_msg[200] = "";
    rc = tw__stripper_build(&e->strip, &e->norm, pats, n, &bad, hs_msg, sizeof hs_msg);
    if (rc == TW_EPATTERN) {
        if (bad >= first_user)
            set_err(err, errcap, "pattern line %zu: %s", hs_msg, lines[bad]);
        else
            set_err(err, errcap, "built-in pattern %zu: %s", hs_msg, bad + 1);
    }
done:
    free(work);
    free(pats);
    free(lines);
    return rc;
}

/* Parses "canonical|variant|…" lines into normalized variants, each mapped
 * to its line's entity number, and builds the name spotter. */
static int build_spotter(tw_engine *e, char *err, size_t errcap)
{
    char *work = e->gazetteer ? strdup(e->gazetteer) : NULL;
    size_t cap = 1;
    if (e->gazetteer)
        for (const char *c = e->gazetteer; *c; c++)
            cap += *c == '|' || *c == '\n';
    tw__buf *folded = calloc(cap, sizeof *folded);
    const char **vars = calloc(cap, sizeof *vars);
    uint32_t *ids = calloc(cap, sizeof *ids);
    tw__norm_work nw = {0};
    size_t n = 0;
    uint32_t entity = 0;
    int rc = (folded && vars && ids && (!e->gazetteer || work)) ? TW_OK : TW_ENOMEM;
    for (char *line = work, *next; !rc && line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = 0;
        while (*line == ' ' || *line == '\t')
            line++;
        if (*line == '#' || *line == 0 || *line == '\r')
            continue;
        entity++;
        for (char *v = line, *bar; v; v = bar) {
            bar = strchr(v, '|');
            if (bar)
                *bar++ = 0;
            size_t vl = strlen(v);
            while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\r' || v[vl - 1] == '\t'))
                v[--vl] = 0;
            while (*v == ' ' || *v == '\t')
                v++, vl--;
            if (!vl)
                continue;
            /* variants are text: normalized exactly like the documents */
            if ((rc = tw__normalize(&e->norm, &nw, (const uint8_t *)v, vl, NULL)))
                break;
            if ((rc = tw__buf_reserve(&folded[n], nw.out.len + 1, 1)))
                break;
            memcpy(folded[n].data, nw.out.data, nw.out.len);
            ((char *)folded[n].data)[nw.out.len] = 0;
            vars[n] = folded[n].data;
            ids[n] = entity;
            n++;
        }
    }
    if (!rc)
        rc = tw__spotter_build(&e->spot, &e->norm, vars, ids, n, err, errcap);
    for (size_t i = 0; folded && i < cap; i++)
        tw__buf_free(&folded[i]);
    free(folded);
    free(vars);
    free(ids);
    free(work);
    tw__norm_work_free(&nw);
    return rc;
}

int tw_engine_create(const tw_config *cfg, tw_engine **out, char *err, size_t errcap)
{
    if (err && errcap)
        err[0] = 0;
    if (!out)
        return TW_EINVAL;
    *out = NULL;
    tw_config c;
    if (cfg)
        c = *cfg;
    else
        tw_config_default(&c);
    if ((c.norm_rules & ~TW_NORM_ALL) || c.shingle_k < 1 || c.shingle_k > 16 ||
        !(c.threshold > 0.0 && c.threshold <= 1.0) ||
        !(c.template_share >= 0.0 && c.template_share <= 1.0) ||
        !(c.story_threshold > 0.0 && c.story_threshold <= 1.0) ||
        !(c.story_window_days > 0.0 && c.story_window_days <= 3650.0) ||
        !(c.story_decay_days > 0.0 && c.story_decay_days <= 3650.0)) {
        if (err && errcap)
            snprintf(err, errcap, "configuration out of range");
        return TW_EINVAL;
    }
    tw_engine *e = calloc(1, sizeof *e);
    if (!e)
        return TW_ENOMEM;
    e->cfg = c;
    int rc = tw__norm_table_init(&e->norm, c.norm_rules);
    if (rc)
        goto fail;
    if (c.strip_patterns) {
        e->patterns = strdup(c.strip_patterns);
        if (!e->patterns) {
            rc = TW_ENOMEM;
            goto fail;
        }
    }
    if ((rc = build_stripper(e, err, errcap)))
        goto fail;
    if (c.gazetteer && !(e->gazetteer = strdup(c.gazetteer))) {
        rc = TW_ENOMEM;
        goto fail;
    }
    e->cfg.gazetteer = e->gazetteer;
    if ((rc = build_spotter(e, err, errcap)))
        goto fail;
    e->cfg.strip_patterns = e->patterns;
    tw__lsh_params(c.threshold, TW__MH_N, TW_LSH_WEIGHT_FP, TW_LSH_WEIGHT_FN, &e->bands, &e->rows);
    *out = e;
    return TW_OK;
fail:
    tw_engine_free(e);
    return rc;
}

void tw_engine_free(tw_engine *e)
{
    if (!e)
        return;
    tw__stripper_free(&e->strip);
    tw__spotter_free(&e->spot);
    free(e->patterns);
    free(e->gazetteer);
    free(e);
}

const tw_config *tw_engine_config(const tw_engine *e)
{
    return e ? &e->cfg : NULL;
}

int tw_scratch_create(const tw_engine *e, tw_scratch **out)
{
    if (!e || !out)
        return TW_EINVAL;
    *out = NULL;
    tw_scratch *s = calloc(1, sizeof *s);
    if (!s)
        return TW_ENOMEM;
    s->e = e;
    int rc = tw__strip_work_init(&e->strip, &s->sw);
    if (!rc)
        rc = tw__spot_work_init(&e->spot, &s->spw);
    if (rc) {
        tw_scratch_free(s);
        return rc;
    }
    *out = s;
    return TW_OK;
}

void tw_scratch_free(tw_scratch *s)
{
    if (!s)
        return;
    tw__norm_work_free(&s->nw);
    tw__strip_work_free(&s->sw);
    tw__term_cache_free(s->tcache);
    tw__buf_free(&s->tokens);
    tw__buf_free(&s->tokhash);
    tw__buf_free(&s->keys);
    tw__buf_free(&s->fps);
    tw__buf_free(&s->fps2);
    tw__buf_free(&s->text);
    tw__buf_free(&s->terms);
    tw__buf_free(&s->feat.fps);
    tw__buf_free(&s->feat.terms);
    tw__spot_work_free(&s->spw);
    free(s);
}

/* Normalize and (optionally) strip; the text is left in s->nw.out. */
static int clean(tw_scratch *s, const char *text, size_t len, int strip, tw_text_info *info)
{
    tw_text_info local = {0};
    int rc = tw__normalize(&s->e->norm, &s->nw, (const uint8_t *)text, len, &local.invalid_utf8);
    if (!rc && strip)
        rc = tw__strip(&s->e->strip, &s->sw, s->nw.out.data, s->nw.out.len, &local.stripped_bytes);
    if (info)
        *info = local;
    return rc;
}

/* Appends n bytes to s->text. */
static int append_text(tw_scratch *s, const void *p, size_t n)
{
    if (tw__buf_reserve(&s->text, s->text.len + n + 1, 1))
        return TW_ENOMEM;
    memcpy((uint8_t *)s->text.data + s->text.len, p, n);
    s->text.len += n;
    return TW_OK;
}

int tw__prepare(tw_scratch *s, const tw_doc *doc, int story, tw__term_label_fn label,
                void *label_ctx, tw_text_info *info)
{
    tw_text_info local = {0};
    const tw_engine *e = s->e;
    s->text.len = 0;
    s->title_end = 0;
    int rc = TW_OK;
    /* The title, normalized, then a line break, then the text: one buffer,
     * stripped, spotted and tokenized once. Only the text's words make
     * shingles; a near-copy is about the text, titles get rewritten. */
    if (story && doc->title && doc->title_len) {
        rc = tw__normalize(&e->norm, &s->nw, (const uint8_t *)doc->title, doc->title_len, NULL);
        if (rc == TW_EUTF8)
            rc = TW_OK; /* a broken title only loses its weight */
        else if (!rc && !(rc = append_text(s, s->nw.out.data, s->nw.out.len)))
            rc = append_text(s, "\n", 1);
        s->title_end = s->text.len;
    }
    if (!rc)
        rc = tw__normalize(&e->norm, &s->nw, (const uint8_t *)doc->text, doc->text_len,
                           &local.invalid_utf8);
    if (!rc && s->text.len == 0) {
        /* no title before it: the normalizer's buffer becomes the text
         * (a swap, not a copy; each keeps the other's memory) */
        tw__buf tb = s->text;
        s->text = s->nw.out;
        s->nw.out = tb;
        if (tw__buf_reserve(&s->text, s->text.len + 1, 1))
            rc = TW_ENOMEM;
    } else if (!rc) {
        rc = append_text(s, s->nw.out.data, s->nw.out.len);
    }
    uint8_t *t = s->text.data;
    if (!rc)
        rc = tw__strip(&e->strip, &s->sw, t, s->text.len, &local.stripped_bytes);
    /* the words off the character map the strip made for Hyperscan, when
     * it still maps the text (nothing was blanked); else off the text */
    if (!rc && s->sw.map.valid)
        rc = tw__tokenize_mapped(&e->norm, t, s->text.len, s->sw.map.bytes.data,
                                 s->sw.map.units, &s->tokens);
    else if (!rc)
        rc = tw__tokenize(&e->norm, t, s->text.len, &s->tokens);
    const tw__token *tok = s->tokens.data;
    size_t first = 0;
    while (!rc && first < s->tokens.len && tok[first].off < s->title_end)
        first++;
    s->body_first = first;
    local.tokens = s->tokens.len - first;
    if (!rc && local.tokens == 0)
        rc = TW_ENOTEXT;
    /* the words' hashes: the body's make the shingles; in story mode the
     * title's too, which key the term cache */
    const size_t hashed = story ? 0 : first;
    if (!rc && tw__buf_reserve_empty(&s->tokhash, s->tokens.len - hashed, sizeof(uint64_t)))
        rc = TW_ENOMEM;
    const uint64_t *wh = s->tokhash.data;
    if (!rc) {
        tw__word_hashes_seeded(t, s->text.len, tok + hashed, s->tokens.len - hashed, e->cfg.seed,
                               s->tokhash.data);
        rc = tw__shingle_hashes(wh + (first - hashed), local.tokens, e->cfg.shingle_k, e->cfg.seed,
                                &s->keys, &s->fps);
    }
    s->terms.len = 0;
    s->lead_days = 0;
    if (!rc && story) {
        s->lead_days = tw__lead_days(t, tok + first, s->tokens.len - first);
        rc = tw__spot(&e->spot, &s->spw, t, s->text.len, &s->sw.map);
        if (!rc && !s->tcache)
            rc = tw__term_cache_create(&s->tcache);
        if (!rc)
            rc = tw__story_terms_labeled(t, tok, s->tokens.len, s->title_end,
                                         s->spw.mentions.data, s->spw.mentions.len, e->cfg.seed,
                                         s->tcache, wh, &s->terms, label, label_ctx);
    }
    if (info)
        *info = local;
    return rc;
}

int64_t tw__event_time(int64_t published, unsigned lead_days)
{
    /* times beyond ±2^62 s (no calendar's) are kept, so that the shifts
     * below cannot overflow */
    if (published == TW_TIME_NONE || !lead_days || published > INT64_MAX / 2 ||
        published < INT64_MIN / 2)
        return published;
    int64_t local = published + 3 * 3600;
    int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
    int pub_wd = (int)(((days + 4) % 7 + 7) % 7); /* 1970-01-01 was a Thursday */
    for (int back = 1; back <= 2; back++)
        if (lead_days & (1u << ((pub_wd - back + 7) % 7)))
            return published - (int64_t)back * 86400;
    return (lead_days & (1u << 7)) ? published - 86400 : published;
}

int tw_normalize(tw_scratch *s, const char *text, size_t len, int strip, const char **out,
                 size_t *out_len, tw_text_info *info)
{
    if (!s || (!text && len) || !out || !out_len)
        return TW_EINVAL;
    int rc = clean(s, text ? text : "", len, strip, info);
    if (rc)
        return rc;
    if (info) {
        int trc = tw__tokenize(&s->e->norm, s->nw.out.data, s->nw.out.len, &s->tokens);
        if (trc)
            return trc;
        info->tokens = s->tokens.len;
    }
    *out = (const char *)s->nw.out.data;
    *out_len = s->nw.out.len;
    return TW_OK;
}

int tw_similarity(tw_scratch *s, const char *a, size_t alen, const char *b, size_t blen,
                  double *jaccard)
{
    if (!s || !jaccard || (!a && alen) || (!b && blen))
        return TW_EINVAL;
    tw_doc da = {a ? a : "", alen, NULL, 0, TW_TIME_NONE}, db = {b ? b : "", blen, NULL, 0, TW_TIME_NONE};
    int rc = tw__prepare(s, &da, 0, NULL, NULL, NULL);
    if (rc)
        return rc;
    tw__buf t = s->fps; /* keep a's set: swap buffers rather than copy */
    s->fps = s->fps2;
    s->fps2 = t;
    rc = tw__prepare(s, &db, 0, NULL, NULL, NULL);
    if (rc)
        return rc;
    return tw__jaccard_keys(&s->keys, s->fps2.data, s->fps2.len, s->fps.data, s->fps.len, jaccard);
}
