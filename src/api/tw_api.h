/*
 * tw_api.h — the objects behind the public handles, shared by the api/
 * files only. api/ is the top of the library: it may use every stage.
 */
#ifndef TW_API_H
#define TW_API_H

#include "base/tw_base.h"
#include "text/tw_text.h"
#include "phrase/tw_phrase.h"
#include "sketch/tw_sketch.h"
#include "index/tw_index.h"
#include "cluster/tw_cluster.h"

/* LSH weights: verification removes false positives exactly, so a missed
 * pair (a false negative) costs more than a candidate checked in vain. */
#define TW_LSH_WEIGHT_FP 0.05
#define TW_LSH_WEIGHT_FN 0.95
/* Two clusters join only if their earliest members pass the pair rule at
 * this fraction of the threshold (no chaining). */
#define TW_ROOT_FACTOR 0.5
/* Earlier bucket members a document is checked against, nearest first. */
#define TW_LSH_MAX_PROBE 24

struct tw_engine {
    tw_config cfg;
    char *patterns;  /* owned copy of cfg.strip_patterns */
    char *gazetteer; /* owned copy of cfg.gazetteer */
    tw__stripper strip;
    tw__spotter spot;
    int bands, rows;
    tw__norm_table norm; /* last: large */
};

/* A document read by tw_features_compute (see tawam.h). */
struct tw_features {
    const tw_engine *e; /* NULL: holds no document */
    int status;         /* why it holds none */
    tw__buf fps;        /* uint32_t: the shingle set */
    tw__buf terms;      /* tw__term: story terms */
    uint64_t content;   /* hash of the set: equal sets are exact copies */
    int64_t time, event;
};

struct tw_scratch {
    const tw_engine *e;
    tw__norm_work nw;
    tw__strip_work sw;
    tw__buf tokens;  /* tw__token */
    tw__buf tokhash; /* uint64_t */
    tw__buf keys;    /* uint32_t: a key table (tw__keys_unique) */
    tw__buf fps;     /* uint32_t: the document's shingle set */
    tw__buf fps2;    /* uint32_t: a second set, for tw_similarity */
    tw__buf text;    /* uint8_t: normalized title + '\n' + text */
    tw__spot_work spw;
    tw__buf terms;   /* tw__term: the document's story terms */
    tw__term_cache *tcache; /* what words gave as story terms (made on first use) */
    struct tw_features feat; /* tw_batch_add_doc's features */
    size_t title_end;  /* bytes of s->text that are the title's */
    size_t body_first; /* index of the first body token */
    unsigned lead_days; /* tw__lead_days of the body */
};


/* Runs the document pipeline (normalize, strip, tokenize, shingle; with
 * story != 0 also spot names and build story terms, calling label for each
 * term when it is not NULL) and leaves the shingle set in s->fps, the terms
 * in s->terms. */
int tw__prepare(tw_scratch *s, const tw_doc *doc, int story, tw__term_label_fn label,
                void *label_ctx, tw_text_info *info);

/* A second guess at when a report's event happened: its publication time
 * moved back to the latest earlier weekday its lead names, when that is
 * yesterday or the day before ("اليوم الثلاثاء" in a piece published on
 * Wednesday evening), else one day back for "امس", else the publication
 * time itself. Weekdays are read at UTC+3, the middle of the Arab world's
 * time zones. Story similarity takes the closer of the two guesses. */
int64_t tw__event_time(int64_t published, unsigned lead_days);

/* Makes tw_batch_cluster count document frequency in buckets whatever the
 * batch's size (on != 0), as it does for large batches: for tests, which
 * hold both ways to the same result. */
void tw__batch_force_df_buckets(tw_batch *b, int on);

#endif
