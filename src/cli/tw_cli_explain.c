/*
 * tw_cli_explain.c — `tawam explain`: why two articles are, or are not, the
 * same story, in words an editor can check: the similarity and what makes
 * it (shared names, words, numbers), the time gap and what it costs, and
 * the verdict. Story similarity needs collection statistics (how rare a
 * word is), so articles are explained within a corpus (--corpus) or, with
 * none, within the pairs given.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "tw_cli.h"

static void explain_usage(FILE *out)
{
    fprintf(out,
            "Usage: tawam explain [OPTIONS] [PAIRS|-]\n"
            "\n"
            "PAIRS is JSONL: lines 1 and 2 are the first pair of articles, lines 3 and 4 the\n"
            "second, and so on. For each pair, prints the story score and what makes it: shared\n"
            "names, words and numbers with their share, the time gap, and the verdict.\n"
            "\n"
            "Options:\n"
            "  --corpus FILE     JSONL articles that give word rarity (IDF) and the clusters the\n"
            "                    verdict is read from; without it, the pairs alone are the corpus\n"
            "  --json            one JSON line per pair instead of text\n"
            "  -h, --help        this help\n"
            "%s"
            "\n"
            "%s",
            tw_cli_field_help, tw_cli_engine_help);
}

typedef struct art {
    tw_doc doc;
    size_t index;
    tw_cli_json_field id; /* raw token, into the file's text */
} art;

/* Adds every usable line of path; returns the number of lines or -1. */
static long add_corpus(const char *path, const tw_cli_fields *f, tw_batch *b, tw_scratch *s)
{
    FILE *in = fopen(path, "rb");
    if (!in) {
        fprintf(stderr, "tawam explain: cannot open %s: %s\n", path, strerror(errno));
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long n = 0;
    while ((len = getline(&line, &cap, in)) >= 0) {
        n++;
        tw_doc d;
        tw_cli_json_field id;
        size_t idx;
        if (!tw_cli_parse_line(line, (size_t)len, f, &d, &id))
            tw_batch_add_doc(b, s, &d, &idx, NULL); /* unusable lines add nothing */
    }
    free(line);
    fclose(in);
    return n;
}

static void json_string(FILE *out, const char *s)
{
    cJSON *str = cJSON_CreateString(s);
    char *p = str ? cJSON_PrintUnformatted(str) : NULL;
    fputs(p ? p : "\"\"", out);
    cJSON_free(p);
    cJSON_Delete(str);
}

/* The id token as written (it points into the line), or `none`. */
static void print_id(const art *a, const char *none)
{
    if (a->id.kind)
        fwrite(a->id.raw, 1, a->id.raw_len, stdout);
    else
        fputs(none, stdout);
}

static void print_pair(const art *a, const art *b, const tw_story_explanation *x, int json)
{
    if (json) {
        printf("{\"a\":");
        print_id(a, "null");
        printf(",\"b\":");
        print_id(b, "null");
        printf(",\"story_score\":%.4f,\"cosine\":%.4f,\"time_factor\":%.4f,", x->score, x->cosine,
               x->time_factor);
        if (isnan(x->gap_days))
            printf("\"gap_days\":null,");
        else
            printf("\"gap_days\":%.2f,", x->gap_days);
        printf("\"threshold\":%.3f,\"same_story\":%s,\"same_dup\":%s,\"shared\":[", x->threshold,
               x->same_story ? "true" : "false", x->same_dup ? "true" : "false");
        for (size_t k = 0; k < x->ntop; k++) {
            printf(k ? ",{\"text\":" : "{\"text\":");
            json_string(stdout, x->top[k].text);
            printf(",\"name\":%s,\"share\":%.4f}", x->top[k].is_name ? "true" : "false",
                   x->cosine > 0 ? x->top[k].contribution / x->cosine : 0.0);
        }
        printf("]}\n");
    } else {
        print_id(a, "?");
        printf("  ~  ");
        print_id(b, "?");
        printf("\n");
        printf("  verdict: %s%s\n", x->same_story ? "SAME STORY" : "different stories",
               x->same_dup ? " (and near-copies of each other)" : "");
        printf("  similarity %.3f", x->cosine);
        if (isnan(x->gap_days))
            printf(", no time on one of them (no time penalty)");
        else
            printf(", %.1f days apart (x %.2f)", x->gap_days, x->time_factor);
        printf(" = score %.3f; stories merge at an average of %.3f between their members\n",
               x->score, x->threshold);
        printf("  %zu shared features; the strongest:\n", x->shared);
        for (size_t k = 0; k < x->ntop; k++)
            printf("    %5.1f%%  %s%s\n", x->cosine > 0 ? 100.0 * x->top[k].contribution / x->cosine : 0.0,
                   x->top[k].text, x->top[k].is_name ? "  (name)" : "");
        printf("\n");
    }
}

int tw_cli_explain(int argc, char **argv)
{
    tw_cli_engine_opts eo;
    tw_cli_engine_opts_init(&eo);
    tw_cli_fields f = {"id", "text", "title", "date"};
    const char *path = "-", *corpus = NULL;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int r = tw_cli_engine_option(&eo, argc, argv, &i);
        if (!r)
            r = tw_cli_field_option(&f, argc, argv, &i);
        if (r < 0)
            return TW_EXIT_USAGE;
        if (r > 0)
            continue;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            explain_usage(stdout);
            return TW_EXIT_OK;
        }
        if (strcmp(a, "--json") == 0) {
            json = 1;
            continue;
        }
        if (a[0] == '-' && a[1]) {
            if (i + 1 >= argc) {
                fprintf(stderr, "tawam explain: %s needs a value (or is unknown; see --help)\n", a);
                return TW_EXIT_USAGE;
            }
            const char *v = argv[++i];
            if (strcmp(a, "--corpus") != 0) {
                fprintf(stderr, "tawam explain: unknown option %s (see --help)\n", a);
                return TW_EXIT_USAGE;
            }
            corpus = v;
            continue;
        }
        path = a;
    }
    size_t len;
    char *text = tw_cli_read_file(path, &len);
    if (!text)
        return TW_EXIT_USAGE;
    eo.cfg.story = 1;
    tw_engine *e = tw_cli_engine_create(&eo);
    tw_scratch *s = NULL;
    tw_batch *b = NULL;
    art *arts = NULL;
    size_t narts = 0, cap = 0;
    int exit_code = TW_EXIT_OK;
    if (!e || tw_scratch_create(e, &s) || tw_batch_create(e, &b)) {
        exit_code = e ? TW_EXIT_INTERNAL : TW_EXIT_USAGE;
        goto done;
    }
    if (corpus && add_corpus(corpus, &f, b, s) < 0) {
        exit_code = TW_EXIT_USAGE;
        goto done;
    }
    size_t lineno = 0;
    for (char *p = text, *nl; p && *p; p = nl) {
        nl = strchr(p, '\n');
        if (nl)
            *nl++ = 0;
        lineno++;
        if (narts == cap) {
            cap = cap ? 2 * cap : 16;
            art *bigger = realloc(arts, cap * sizeof *arts);
            if (!bigger) {
                exit_code = TW_EXIT_INTERNAL;
                goto done;
            }
            arts = bigger;
        }
        art *x = &arts[narts];
        const char *why = tw_cli_parse_line(p, strlen(p), &f, &x->doc, &x->id);
        int rc = why ? 0 : tw_batch_add_doc(b, s, &x->doc, &x->index, NULL);
        if (why || rc) {
            fprintf(stderr, "tawam explain: line %zu: %s\n", lineno, why ? why : tw_strerror(rc));
            exit_code = TW_EXIT_USAGE;
            goto done;
        }
        narts++;
    }
    if (narts % 2) {
        fprintf(stderr, "tawam explain: %zu articles given; pairs need an even number\n", narts);
        exit_code = TW_EXIT_USAGE;
        goto done;
    }
    if (tw_batch_cluster(b)) {
        exit_code = TW_EXIT_INTERNAL;
        goto done;
    }
    for (size_t k = 0; k + 1 < narts; k += 2) {
        tw_story_explanation x;
        int rc = tw_batch_explain(b, s, arts[k].index, &arts[k].doc, arts[k + 1].index,
                                  &arts[k + 1].doc, &x);
        if (rc) {
            fprintf(stderr, "tawam explain: %s\n", tw_strerror(rc));
            exit_code = TW_EXIT_INTERNAL;
            goto done;
        }
        print_pair(&arts[k], &arts[k + 1], &x, json);
    }
done:
    free(arts);
    tw_batch_free(b);
    tw_scratch_free(s);
    tw_engine_free(e);
    tw_cli_engine_opts_free(&eo);
    free(text);
    return exit_code;
}
