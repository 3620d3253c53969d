/*
 * tw_phrase.h — the phrase stage: Hyperscan finds boilerplate in normalized
 * text and blanks it before shingling, and spots names for story features.
 * Depends on base/, text/ (its patterns are normalized like the text they
 * match) and Hyperscan.
 *
 * The compiled database is read-only and shared by all threads; each thread
 * brings its own hs_scratch (Hyperscan's rule, and ours).
 */
#ifndef TW_PHRASE_H
#define TW_PHRASE_H

#include <hs/hs.h>
#include "base/tw_base.h"
#include "text/tw_text.h"

typedef enum tw__strip_kind {
    TW__STRIP_LINE = 0,  /* blank the whole line that holds the match */
    TW__STRIP_SPAN = 1,  /* blank the match itself */
    TW__STRIP_BLOCK = 2, /* blank the line and the short lines after it */
} tw__strip_kind;

typedef struct tw__strip_pattern {
    tw__strip_kind kind;
    const char *regex; /* as written; letters are normalized by the caller */
    int unicode_classes; /* 1: \\w \\s \\d etc. are Unicode-wide (HS_FLAG_UCP) */
} tw__strip_pattern;

/* The built-in Arabic news boilerplate patterns. */
extern const tw__strip_pattern tw__builtin_strip[];
extern const size_t tw__builtin_strip_count;

typedef struct tw__stripper {
    hs_database_t *db; /* NULL when there are no patterns */
    uint8_t *kinds;    /* per pattern id */
    size_t count;
} tw__stripper;

/* Compiles n patterns, their letters first folded with table t as the text
 * is (so "أيضاً" matches "ايضا"). On TW_EPATTERN, *bad is the failing
 * pattern's index and err receives Hyperscan's message. */
int tw__stripper_build(tw__stripper *st, const tw__norm_table *t, const tw__strip_pattern *pats,
                       size_t n, size_t *bad, char *err, size_t errcap);
void tw__stripper_free(tw__stripper *st);

typedef struct tw__strip_work {
    hs_scratch_t *scratch;
    tw__buf ranges; /* matches of the current scan */
} tw__strip_work;

int tw__strip_work_init(const tw__stripper *st, tw__strip_work *w);
void tw__strip_work_free(tw__strip_work *w);

/* Blanks boilerplate in text (normalized UTF-8) in place with spaces,
 * keeping line breaks; *blanked counts the bytes blanked. */
int tw__strip(const tw__stripper *st, tw__strip_work *w, uint8_t *text, size_t len,
              size_t *blanked);

/* ----------------------------------------------------- names (tw_entity.c) */

typedef enum tw__mention_kind {
    TW__MENTION_CUE = 0, /* a title or role ends at `end`; a name follows */
    TW__MENTION_GAZ = 1, /* a gazetteer variant of entity `entity` ends at `end` */
} tw__mention_kind;

typedef struct tw__mention {
    uint32_t kind, end, entity;
    uint32_t len; /* gazetteer: the variant's byte length (it starts at end - len) */
} tw__mention;

typedef struct tw__spotter {
    hs_database_t *db;
    uint32_t *lit_len; /* per pattern id: byte length of a gazetteer literal */
    uint32_t *gaz_id;  /* per pattern id: canonical entity number */
    size_t count;
} tw__spotter;

/* Builds the cue database (the built-in titles and roles, their letters
 * folded with table t so that they match text normalized by it) plus one
 * literal per gazetteer variant (normalized, NUL-terminated), each mapping
 * to gaz_ids[i]. A gazetteer mention's end is the end of the variant; its
 * start is end - lit_len[id]. */
int tw__spotter_build(tw__spotter *sp, const tw__norm_table *t, const char *const *gaz_variants,
                      const uint32_t *gaz_ids, size_t ngaz, char *err, size_t errcap);
void tw__spotter_free(tw__spotter *sp);

typedef struct tw__spot_work {
    hs_scratch_t *scratch;
    tw__buf mentions; /* tw__mention of the last scan */
} tw__spot_work;

int tw__spot_work_init(const tw__spotter *sp, tw__spot_work *w);
void tw__spot_work_free(tw__spot_work *w);
/* Finds mentions in normalized text into w->mentions. */
int tw__spot(const tw__spotter *sp, tw__spot_work *w, const uint8_t *text, size_t len);

#endif
