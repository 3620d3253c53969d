/*
 * tawam.h — the public interface of libtawam, and its specification.
 *
 * tawam (توأم, "twin") finds near-copies of Arabic news articles: the same
 * text republished with small edits, orthographic noise or new boilerplate.
 * What is not declared here is not API.
 *
 * Shape (the Hyperscan model):
 *   tw_engine   configuration, normalization tables and compiled boilerplate
 *               patterns. Built once, read-only afterwards, shareable by any
 *               number of threads.
 *   tw_scratch  per-thread working memory for one engine. Re-entrant library,
 *               non-shareable scratch: one scratch per thread at a time.
 *   tw_batch    a collection of documents clustered together (the CLI's
 *               `tawam cluster`). Documents are added in input order; cluster
 *               ids name the earliest member, so results do not depend on
 *               timing or thread count.
 *
 * Errors: every function that can fail returns an int status, 0 on success
 * and a negative TW_E* code otherwise (tw_strerror names it). The library
 * never prints, never exits and never aborts on bad input.
 */
#ifndef TAWAM_H
#define TAWAM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(TW_BUILDING_LIBRARY) && defined(__GNUC__)
#define TW_API __attribute__((visibility("default")))
#else
#define TW_API
#endif

#define TW_VERSION_MAJOR 0
#define TW_VERSION_MINOR 1
#define TW_VERSION_PATCH 0
#define TW_VERSION_STRING "0.1.0"

/* ---------------------------------------------------------------- status */

/* One list makes both the enum and the messages. Values never change once
 * released; new codes are appended. */
#define TW_ERRNO_MAP(X)                                                       \
    X(EINVAL, -1, "invalid argument")                                        \
    X(ENOMEM, -2, "out of memory")                                           \
    X(EPATTERN, -3, "a boilerplate pattern does not compile")                \
    X(ENOTEXT, -4, "no text left after normalization and stripping")         \
    X(EUTF8, -5, "text is not UTF-8 (too many invalid bytes to repair)")     \
    X(ESTATE, -6, "call not allowed in the object's current state")          \
    X(EHYPERSCAN, -7, "Hyperscan failed at run time")                        \
    X(EICU, -8, "ICU failed to normalize the text")                          \
    X(ERANGE, -9, "value out of range")                                      \
    X(ENOTSUP, -10, "not supported by this version")

typedef enum tw_status {
    TW_OK = 0,
#define TW__ENUM(name, value, msg) TW_##name = (value),
    TW_ERRNO_MAP(TW__ENUM)
#undef TW__ENUM
} tw_status;

/* The message for a status code: a static string, never NULL (an unknown
 * code gets "unknown error"). Thread-safe. */
TW_API const char *tw_strerror(int status);

/* The library's version string, e.g. "0.1.0". Static. Thread-safe. */
TW_API const char *tw_version(void);
/* The instruction set the vector kernels use: "scalar", "sse42", "avx2" or
 * "avx512". Chosen once per process from the CPU; the environment variable
 * TAWAM_FORCE_ISA names a lower one (tests, benchmarks). Results never
 * depend on it. */
TW_API const char *tw_isa(void);

/* --------------------------------------------------------- normalization */

/* Normalization rules, each a switch. Text is folded the way Arabic search
 * stacks fold it (Lucene, CAMeL Tools, ICU): NFKC first, so presentation
 * forms become letters before marks are stripped, then the folds below. */
enum tw_norm_rule {
    TW_NORM_NFKC = 1u << 0,         /* ICU NFKC: presentation forms, ligatures, fullwidth */
    TW_NORM_DIACRITICS = 1u << 1,   /* drop U+0610–061A, U+064B–065F, U+0670, U+06D6–06ED */
    TW_NORM_TATWEEL = 1u << 2,      /* drop U+0640 */
    TW_NORM_CONTROLS = 1u << 3,     /* drop bidi, zero-width and other invisible controls */
    TW_NORM_ALEF = 1u << 4,         /* أ إ آ ٱ ٲ ٳ → ا */
    TW_NORM_YAA = 1u << 5,          /* ى → ي */
    TW_NORM_TAA_MARBUTA = 1u << 6,  /* ة → ه */
    TW_NORM_HAMZA_SEATS = 1u << 7,  /* ؤ → و, ئ → ي */
    TW_NORM_DIGITS = 1u << 8,       /* Arabic-Indic and Persian digits → 0-9 */
    TW_NORM_PERSIAN = 1u << 9,      /* ک ی ے ھ ہ ۀ ە ۃ پ چ ژ ڤ گ → Arabic letters */
    TW_NORM_CASE = 1u << 10,        /* Latin (and every cased script) case folding */
    TW_NORM_SPACES = 1u << 11,      /* every Unicode space → ' ' (line breaks → '\n'), runs collapsed */
    TW_NORM_PUNCT = 1u << 12,       /* ، ؛ ؟ ٪ « » “ ” – — → , ; ? % " " " " - - */
};
#define TW_NORM_ALL 0x1FFFu
#define TW_NORM_DEFAULT TW_NORM_ALL

/* Parses a rule name ("nfkc", "diacritics", "tatweel", "controls", "alef",
 * "yaa", "taa-marbuta", "hamza-seats", "digits", "persian", "case",
 * "spaces", "punct") into its bit; 0 if unknown. Thread-safe. */
TW_API unsigned tw_norm_rule_from_name(const char *name);

/* The name of one rule bit, or NULL. Thread-safe. */
TW_API const char *tw_norm_rule_name(unsigned rule);

/* ---------------------------------------------------------------- engine */

typedef struct tw_engine tw_engine;
typedef struct tw_scratch tw_scratch;
typedef struct tw_batch tw_batch;
typedef struct tw_features tw_features;

typedef struct tw_config {
    unsigned norm_rules;       /* TW_NORM_* bits; default TW_NORM_DEFAULT */
    int builtin_strip;         /* 1: strip built-in Arabic news boilerplate; default 1 */
    const char *strip_patterns;/* user patterns, text of a pattern file (see below), or NULL; copied */
    int shingle_k;             /* words per shingle, 1..16; default 4 */
    double threshold;          /* Jaccard of shingle sets at which two texts are near-copies,
                                  (0,1]; default 0.4 */
    uint32_t common_df;        /* a shingle in more than this many distinct documents is
                                  boilerplate-like (site templates, formulae); default 16;
                                  0 = off */
    double template_share;     /* when both texts of a pair have at least this share of
                                  shingles that are not boilerplate-like, the pair is judged
                                  on those alone; default 0.2 */
    uint64_t seed;             /* hashing seed; default 0 */

    /* Story mode: independent rewrites of the same event. */
    int story;                 /* 1: compute story features and clusters; default 1 */
    double story_threshold;    /* average-linkage similarity (time-decayed TF-IDF cosine)
                                  at which two story clusters merge; default 0.22 */
    double story_window_days;  /* reports further apart are never compared; default 3 */
    double story_decay_days;   /* similarity is multiplied by exp(-gap / this); default 1 */
    const char *gazetteer;     /* names and their variants, one entity a line:
                                  "canonical|variant|variant…" ('#' comments), or NULL;
                                  copied */
} tw_config;

/* Fills *cfg with the defaults above. Thread-safe. */
TW_API void tw_config_default(tw_config *cfg);

/* Builds an engine from cfg (NULL: defaults). The pattern text is one
 * pattern a line: "KIND REGEX", KIND being `line` (blank the whole line
 * holding a match), `span` (blank the match) or `block` (blank the line and
 * the lines of at most 16 words that follow it, as in a related-headlines
 * list); a `line` or `block` match in a line of more than 12 words blanks
 * only the match, since feeds often put a whole article on one line; a line
 * with no kind word is `line`; '#' starts a comment line. Regexes are
 * Hyperscan's PCRE subset and match NORMALIZED text (see `tawam normalize`);
 * their non-ASCII letters are normalized like text, so "اقرأ أيضاً" matches
 * as written. On TW_EPATTERN, err (if not NULL) receives a message naming
 * the line. On success *out owns the engine; free it with tw_engine_free.
 * Thread-safe. */
TW_API int tw_engine_create(const tw_config *cfg, tw_engine **out, char *err, size_t errcap);

/* Frees an engine; NULL is a no-op. No scratch or batch of it may be in use.
 * Not thread-safe with respect to the engine. */
TW_API void tw_engine_free(tw_engine *e);

/* The configuration in force (defaults filled in). Valid while e lives.
 * Thread-safe. */
TW_API const tw_config *tw_engine_config(const tw_engine *e);

/* Allocates working memory for one thread using engine e. Free it with
 * tw_scratch_free before the engine. Thread-safe. */
TW_API int tw_scratch_create(const tw_engine *e, tw_scratch **out);

/* Frees a scratch; NULL is a no-op. */
TW_API void tw_scratch_free(tw_scratch *s);

/* What normalization found, for callers who report it. */
typedef struct tw_text_info {
    size_t invalid_utf8;   /* invalid UTF-8 sequences replaced (each by a space) */
    size_t stripped_bytes; /* bytes of normalized text blanked as boilerplate */
    size_t tokens;         /* words left for shingling */
} tw_text_info;

/* Normalizes UTF-8 text with the engine's rules. Invalid UTF-8 is repaired
 * (each bad sequence becomes a space) unless more than a quarter of the
 * input is invalid (TW_EUTF8). With strip != 0 the engine's boilerplate
 * patterns are then blanked out. *out points into scratch memory, is not
 * NUL-terminated, and stays valid until the next call with s. info may be
 * NULL. Thread-safe with one scratch per thread. */
TW_API int tw_normalize(tw_scratch *s, const char *text, size_t len, int strip,
                        const char **out, size_t *out_len, tw_text_info *info);

/* Jaccard similarity of the shingle sets of two texts as the engine sees
 * them (normalized, stripped, shingled), in *jaccard. For inspection and
 * tests; the batch path estimates it with MinHash. Thread-safe with one
 * scratch per thread. */
TW_API int tw_similarity(tw_scratch *s, const char *a, size_t alen, const char *b,
                         size_t blen, double *jaccard);

/* ----------------------------------------------------------------- time */

/* "No time": documents without one are placed at the time of the nearest
 * earlier document (in input order) that has one, or at 0. */
#define TW_TIME_NONE INT64_MIN

/* Parses a time as news feeds write it into UTC seconds since 1970:
 * ISO 8601 ("2018-02-18T21:35:43+04:00", "2018-02-18"), "YYYY-MM-DD
 * HH:MM:SS" (taken as UTC), RFC 2822 ("Sun, 18 Feb 2018 21:35:43 +0400")
 * and epoch seconds. TW_EINVAL if it is none of these. Thread-safe. */
TW_API int tw_parse_time(const char *s, size_t len, int64_t *out);

/* ----------------------------------------------------------------- batch */

/* One article. title may be NULL; time is TW_TIME_NONE when unknown. */
typedef struct tw_doc {
    const char *text;
    size_t text_len;
    const char *title;
    size_t title_len;
    int64_t time;
} tw_doc;

/* A batch clusters a collection: add every document, then cluster once,
 * then read results. Boilerplate-like shingles are found from the whole
 * collection, which is why clustering waits for the last document.
 * Thread-safety: one thread at a time per batch. */
TW_API int tw_batch_create(const tw_engine *e, tw_batch **out);
TW_API void tw_batch_free(tw_batch *b);

/* Adds a document and returns its index (0, 1, 2… in call order) in *index.
 * On error (TW_EUTF8, TW_ENOTEXT, …) nothing is added and *index is left
 * alone; the caller reports the document as failed. The text is not kept.
 * info may be NULL. TW_ESTATE after tw_batch_cluster. */
TW_API int tw_batch_add(tw_batch *b, tw_scratch *s, const char *text, size_t len,
                        size_t *index, tw_text_info *info);

/* Adds a document with its title and time (both used by story mode; the
 * near-copy decision reads the text only). As tw_batch_add otherwise. */
TW_API int tw_batch_add_doc(tw_batch *b, tw_scratch *s, const tw_doc *doc, size_t *index,
                            tw_text_info *info);

/* Documents in parallel. Reading a document (normalize, strip, shingle,
 * story terms) is most of the work and needs only a scratch, so it can run
 * in any thread: tw_features_compute fills a tw_features in the caller's
 * thread, and tw_batch_add_features adds it later, in the order the caller
 * wants (index = call order, as tw_batch_add). A tw_features is reused
 * from one document to the next; its memory is kept, so steady use
 * allocates nothing. tw_batch_add_doc is compute + add in one call.
 * `tawam cluster -j N` runs this as reader -> N workers -> ordered adder. */
TW_API int tw_features_create(tw_features **out);
TW_API void tw_features_free(tw_features *f);
/* As tw_batch_add_doc's reading step: TW_ENOTEXT, TW_EUTF8, … leave f
 * holding no document (adding it then fails with the same status). */
TW_API int tw_features_compute(tw_scratch *s, const tw_doc *doc, tw_features *f,
                               tw_text_info *info);
/* Adds f's document to b (the engines of the scratch that computed it and
 * of b must be the same: TW_EINVAL otherwise). f is not changed. */
TW_API int tw_batch_add_features(tw_batch *b, const tw_features *f, size_t *index);

/* Threads tw_batch_cluster may use for its parallel passes (default 1;
 * 0 means 1). The result is the same for any number. */
TW_API int tw_batch_set_threads(tw_batch *b, unsigned threads);

/* Clusters everything added: boilerplate-like shingles, MinHash, LSH
 * candidates, verification, union-find; then, when the engine's config has
 * story = 1, story clusters over the near-copy clusters. Call once: after
 * it, adding or clustering again returns TW_ESTATE, and so it does after a
 * call that failed in its story step (the story vectors are built over the
 * documents' story terms, to touch less memory). */
TW_API int tw_batch_cluster(tw_batch *b);

/* Number of documents added. */
TW_API size_t tw_batch_size(const tw_batch *b);

/* After tw_batch_cluster: the index of the earliest document of document
 * i's near-copy cluster (i itself when it has no near-copy), or
 * (size_t)-1 if i is out of range or the batch is not clustered. */
TW_API size_t tw_batch_dup(const tw_batch *b, size_t i);

/* After tw_batch_cluster with story = 1: the index of the earliest document
 * of document i's story cluster. A story cluster holds whole near-copy
 * clusters. (size_t)-1 if out of range, not clustered, or story is off. */
TW_API size_t tw_batch_story(const tw_batch *b, size_t i);

/* Why two documents of a clustered batch are, or are not, one story. */
typedef struct tw_story_explanation {
    double cosine;       /* TF-IDF cosine of their story features */
    double time_factor;  /* exp(-gap / story_decay_days), 0 outside the window */
    double score;        /* cosine x time_factor, compared with story_threshold */
    double gap_days;     /* time between them; NAN when either has no time */
    double threshold;    /* story_threshold in force */
    int same_story, same_dup; /* what the clustering decided */
    size_t shared;       /* number of shared features */
    struct {
        char text[96];       /* the word, number or name as written (normalized) */
        double contribution; /* its share of the cosine */
        int is_name;         /* 1: a name (name key), 0: a word or number */
    } top[16];
    size_t ntop;          /* entries used in top[], largest contribution first */
} tw_story_explanation;

/* Explains documents ia and ib of a clustered batch. Their documents are
 * passed again (a and b) only to label the shared features with words;
 * the batch keeps no text. Thread-safe with one scratch per thread. */
TW_API int tw_batch_explain(const tw_batch *b, tw_scratch *s, size_t ia, const tw_doc *a,
                            size_t ib, const tw_doc *b_doc, tw_story_explanation *out);

typedef struct tw_batch_stats {
    size_t documents, dup_clusters, dup_clustered_docs; /* clusters of size >= 2 and their members */
    size_t story_clusters, story_clustered_docs, largest_story; /* the same for stories */
    size_t candidates, verified;                        /* candidate pairs checked, and accepted */
    size_t common_shingles;                             /* shingles judged boilerplate-like */
    int bands, rows;                                    /* LSH shape in use */
    size_t memory_bytes;                                /* bytes held by the batch */
    /* wall-clock seconds of tw_batch_cluster's steps: exact copies, common
     * (boilerplate-like) shingles, splitting sets into rare and common (0:
     * each set is split as it is signed, so that time is in bands_s), LSH
     * band keys, candidate pairs and their verification, story clusters */
    double exact_s, common_s, split_s, bands_s, pairs_s, story_s;
} tw_batch_stats;

/* Fills *st. Thread-safe only against other readers. */
TW_API int tw_batch_stats_get(const tw_batch *b, tw_batch_stats *st);

#ifdef __cplusplus
}
#endif
#endif /* TAWAM_H */
