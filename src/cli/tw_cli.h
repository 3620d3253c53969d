/*
 * tw_cli.h — what the `tawam` subcommands share: reading files, the engine
 * options every command accepts, and exit codes. The CLI uses only the
 * public header tawam.h.
 */
#ifndef TW_CLI_H
#define TW_CLI_H

#include <stdio.h>
#include "tawam.h"
#include "tw_cli_json.h"

/* Exit codes (documented in --help and the README). */
enum {
    TW_EXIT_OK = 0,       /* every line clustered */
    TW_EXIT_LINES = 1,    /* output complete, but some lines carry an "error" */
    TW_EXIT_USAGE = 2,    /* bad options, unreadable file, bad pattern file */
    TW_EXIT_INTERNAL = 3, /* out of memory or a library failure mid-run */
};

/* Engine options shared by `cluster` and `normalize`. */
typedef struct tw_cli_engine_opts {
    tw_config cfg;
    const char *strip_file, *gazetteer_file;
    char *strip_text, *gazetteer_text; /* owned */
} tw_cli_engine_opts;

/* Where the fields of an input article are. */
typedef struct tw_cli_fields {
    const char *id, *text, *title, *time;
} tw_cli_fields;

/* Parses one JSONL line (decoding its strings in place) into doc, whose
 * pointers then point into the line, and *id (the id field's raw token;
 * kind ABSENT when there is none). Returns NULL, or a static message
 * saying why the article cannot be used. A time that does not parse
 * leaves the article without a time. Thread-safe. */
const char *tw_cli_parse_line(char *line, size_t len, const tw_cli_fields *f, tw_doc *doc,
                              tw_cli_json_field *id);

void tw_cli_engine_opts_init(tw_cli_engine_opts *o);
/* Tries to consume argv[*i] (and its value) as an engine option (text and
 * story options): 1 if it did, 0 if it is not one, -1 on a bad value
 * (already reported). */
int tw_cli_engine_option(tw_cli_engine_opts *o, int argc, char **argv, int *i);

/* The same for --id-field, --text-field, --title-field and --time-field. */
int tw_cli_field_option(tw_cli_fields *f, int argc, char **argv, int *i);

/* Strict number parsing: 0 on success, -1 if s is not entirely a number. */
int tw_cli_parse_double(const char *s, double *out);
int tw_cli_parse_long(const char *s, long lo, long hi, long *out);
/* Creates the engine, reporting errors on stderr; NULL on failure. */
tw_engine *tw_cli_engine_create(tw_cli_engine_opts *o);
void tw_cli_engine_opts_free(tw_cli_engine_opts *o);

/* Reads a whole file ("-" = stdin); NULL with a message on failure. */
char *tw_cli_read_file(const char *path, size_t *len);

/* The help text for engine options and field options, shared by commands. */
extern const char tw_cli_engine_help[];
extern const char tw_cli_field_help[];

int tw_cli_cluster(int argc, char **argv);
int tw_cli_normalize(int argc, char **argv);
int tw_cli_explain(int argc, char **argv);

#endif
