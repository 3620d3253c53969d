/*
 * tw_cli_normalize.c — `tawam normalize`: shows text as the engine sees it,
 * for checking rules and writing boilerplate patterns (which match exactly
 * this normalized form).
 */
#include <stdlib.h>
#include <string.h>
#include "tw_cli.h"

static void normalize_usage(FILE *out)
{
    fprintf(out,
            "Usage: tawam normalize [OPTIONS] [FILE|-]\n"
            "\n"
            "Prints the text of FILE (or stdin) normalized the way tawam compares texts:\n"
            "NFKC, Arabic letter folding, diacritics/tatweel/invisible controls removed,\n"
            "digits to ASCII, spaces collapsed; then boilerplate is blanked out.\n"
            "\n"
            "Options:\n"
            "  --keep-boilerplate  normalize only; do not blank boilerplate\n"
            "  --info              print counts (repaired bytes, blanked bytes, words) on stderr\n"
            "  -h, --help          this help\n"
            "\n"
            "%s",
            tw_cli_engine_help);
}

int tw_cli_normalize(int argc, char **argv)
{
    tw_cli_engine_opts eo;
    tw_cli_engine_opts_init(&eo);
    const char *path = "-";
    int strip = 1, show_info = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int r = tw_cli_engine_option(&eo, argc, argv, &i);
        if (r < 0)
            return TW_EXIT_USAGE;
        if (r > 0)
            continue;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            normalize_usage(stdout);
            return TW_EXIT_OK;
        } else if (strcmp(a, "--keep-boilerplate") == 0) {
            strip = 0;
        } else if (strcmp(a, "--info") == 0) {
            show_info = 1;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "tawam normalize: unknown option %s (see --help)\n", a);
            return TW_EXIT_USAGE;
        } else {
            path = a;
        }
    }
    size_t len;
    char *text = tw_cli_read_file(path, &len);
    if (!text)
        return TW_EXIT_USAGE;
    int exit_code = TW_EXIT_OK;
    tw_engine *e = tw_cli_engine_create(&eo);
    tw_scratch *s = NULL;
    if (!e) {
        exit_code = TW_EXIT_USAGE;
    } else if (tw_scratch_create(e, &s)) {
        fprintf(stderr, "tawam normalize: out of memory\n");
        exit_code = TW_EXIT_INTERNAL;
    } else {
        const char *out;
        size_t out_len;
        tw_text_info info;
        int rc = tw_normalize(s, text, len, strip, &out, &out_len, &info);
        if (rc) {
            fprintf(stderr, "tawam normalize: %s\n", tw_strerror(rc));
            exit_code = rc == TW_ENOMEM ? TW_EXIT_INTERNAL : TW_EXIT_LINES;
        } else {
            fwrite(out, 1, out_len, stdout);
            fputc('\n', stdout);
            if (show_info)
                fprintf(stderr, "repaired %zu invalid UTF-8 sequences, blanked %zu bytes, %zu words\n",
                        info.invalid_utf8, info.stripped_bytes, info.tokens);
        }
    }
    tw_scratch_free(s);
    tw_engine_free(e);
    tw_cli_engine_opts_free(&eo);
    free(text);
    return exit_code;
}
