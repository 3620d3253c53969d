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
            pats[*n] = (tw__strip_pattern){kind, q, 1};
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
    tw__buf *folded = calloc(cap, sizeof *folded);
    char *work = e->patterns ? strdup(e->patterns) : NULL; /* parsing cuts it into lines */
    tw__norm_work nw = {0};
    int rc = TW_OK;
    size_t n = 0;
    if (!pats || !lines || !folded || (e->patterns && !work)) {
        rc = TW_ENOMEM;
        goto done;
    }
    if (e->cfg.builtin_strip)
        for (size_t i = 0; i < tw__builtin_strip_count; i++)
            pats[n++] = tw__builtin_strip[i];
    size_t first_user = n;
    if (work && (rc = parse_patterns(work, pats, &n, lines, err, errcap)))
        goto done;
    for (size_t i = 0; i < n; i++) {
        rc = tw__fold_pattern(&e->norm, &nw, pats[i].regex, strlen(pats[i].regex), &folded[i]);
        if (rc)
            goto done;
        pats[i].regex = folded[i].data;
    }
    size_t bad = 0;
    char hs_msg[200] = "";
    rc = tw__stripper_build(&e->strip, pats, n, &bad, hs_msg, sizeof hs_msg);
    if (rc == TW_EPATTERN) {
        if (bad >= first_user)
            set_err(err, errcap, "pattern line %zu: %s", hs_msg, lines[bad]);
        else
            set_err(err, errcap, "built-in pattern %zu: %s", hs_msg, bad + 1);
    }
done:
    if (folded)
        for (size_t i = 0; i < cap; i++)
            tw__buf_free(&folded[i]);
    free(folded);
    free(work);
    tw__norm_work_free(&nw);
    free(pats);
    free(lines);
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
        !(c.template_share >= 0.0 && c.template_share <= 1.0)) {
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
    e->cfg.strip_patterns = e->patterns;
    tw__minhash_init(&e->mh, c.seed);
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
    free(e->patterns);
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
    tw__buf_free(&s->tokens);
    tw__buf_free(&s->tokhash);
    tw__buf_free(&s->tmp);
    tw__buf_free(&s->fps);
    tw__buf_free(&s->fps2);
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

int tw__prepare(tw_scratch *s, const char *text, size_t len, tw_text_info *info)
{
    tw_text_info local = {0};
    int rc = clean(s, text, len, 1, &local);
    if (!rc)
        rc = tw__tokenize(&s->e->norm, s->nw.out.data, s->nw.out.len, &s->tokens);
    local.tokens = s->tokens.len;
    if (!rc && s->tokens.len == 0)
        rc = TW_ENOTEXT;
    if (!rc)
        rc = tw__shingle(s->nw.out.data, s->tokens.data, s->tokens.len, s->e->cfg.shingle_k,
                         s->e->cfg.seed, &s->tokhash, &s->tmp, &s->fps);
    if (info)
        *info = local;
    return rc;
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
    int rc = tw__prepare(s, a ? a : "", alen, NULL);
    if (rc)
        return rc;
    tw__buf t = s->fps; /* keep a's set: swap buffers rather than copy */
    s->fps = s->fps2;
    s->fps2 = t;
    rc = tw__prepare(s, b ? b : "", blen, NULL);
    if (rc)
        return rc;
    *jaccard = tw__jaccard_sorted(s->fps2.data, s->fps2.len, s->fps.data, s->fps.len);
    return TW_OK;
}
