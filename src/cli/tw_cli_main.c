/*
 * tw_cli_main.c — `tawam`: dispatch to subcommands, and the engine options
 * every subcommand shares (normalization rules, boilerplate patterns).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "tw_cli.h"

const char tw_cli_engine_help[] =
    "Text options:\n"
    "  --strip FILE          extra boilerplate patterns, one a line: [line|span|block] REGEX\n"
    "                        (Hyperscan syntax, matched against normalized text; '#' comments)\n"
    "  --no-builtin-strip    do not strip the built-in Arabic news boilerplate\n"
    "  --norm-off LIST       turn normalization rules off (comma-separated): nfkc, diacritics,\n"
    "                        tatweel, controls, alef, yaa, taa-marbuta, hamza-seats, digits,\n"
    "                        persian, case, spaces, punct\n"
    "\n"
    "Story options:\n"
    "  --story-threshold X   average similarity at which two story clusters merge\n"
    "                        (default 0.22)\n"
    "  --decay-days D        story similarity is multiplied by exp(-gap / D) (default 1)\n"
    "  --window-days D       reports further apart are never compared (default 3)\n"
    "  --gazetteer FILE      names with their variants, one entity a line:\n"
    "                        canonical|variant|variant ('#' comments)\n";

const char tw_cli_field_help[] =
    "\n"
    "Input fields:\n"
    "  --id-field F          field holding the id (default \"id\")\n"
    "  --text-field F        field holding the text (default \"text\")\n"
    "  --title-field F       field holding the title (default \"title\"; used by story mode)\n"
    "  --time-field F        field holding the time (default \"date\": ISO 8601,\n"
    "                        YYYY-MM-DD HH:MM:SS, RFC 2822 or epoch seconds)\n";

int tw_cli_parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end)
        return -1;
    *out = v;
    return 0;
}

int tw_cli_parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

int tw_cli_field_option(tw_cli_fields *f, int argc, char **argv, int *i)
{
    static const char *const names[] = {"--id-field", "--text-field", "--title-field", "--time-field"};
    const char **slots[] = {&f->id, &f->text, &f->title, &f->time};
    for (int k = 0; k < 4; k++) {
        if (strcmp(argv[*i], names[k]) != 0)
            continue;
        if (*i + 1 >= argc) {
            fprintf(stderr, "tawam: %s needs a value\n", names[k]);
            return -1;
        }
        *slots[k] = argv[++*i];
        return 1;
    }
    return 0;
}

void tw_cli_engine_opts_init(tw_cli_engine_opts *o)
{
    memset(o, 0, sizeof *o);
    tw_config_default(&o->cfg);
}

void tw_cli_engine_opts_free(tw_cli_engine_opts *o)
{
    free(o->strip_text);
    free(o->gazetteer_text);
    o->strip_text = o->gazetteer_text = NULL;
}

const char *tw_cli_parse_line(char *line, size_t len, const tw_cli_fields *f, tw_doc *doc,
                              tw_cli_json_field *id)
{
    tw_cli_json_field fl[4] = {
        {.name = f->id, .decode = 0},
        {.name = f->text, .decode = 1},
        {.name = f->title, .decode = 1},
        {.name = f->time, .decode = 1},
    };
    const char *why = tw_cli_json_object(line, len, fl, 4);
    *id = fl[0];
    if (why)
        return why;
    if (fl[1].kind != TW_CLI_JSON_STRING)
        return fl[1].kind ? "the text field is not a string" : "no text field";
    doc->text = fl[1].str;
    doc->text_len = fl[1].str_len;
    doc->title = NULL;
    doc->title_len = 0;
    doc->time = TW_TIME_NONE;
    if (fl[2].kind == TW_CLI_JSON_STRING) {
        doc->title = fl[2].str;
        doc->title_len = fl[2].str_len;
    }
    int64_t secs;
    if (fl[3].kind == TW_CLI_JSON_STRING && tw_parse_time(fl[3].str, fl[3].str_len, &secs) == TW_OK)
        doc->time = secs;
    else if (fl[3].kind == TW_CLI_JSON_NUMBER && fl[3].num > -1e15 && fl[3].num < 1e15)
        doc->time = (int64_t)fl[3].num;
    return NULL;
}

static int parse_rules_off(tw_cli_engine_opts *o, const char *list)
{
    char *copy = strdup(list), *save = NULL;
    if (!copy)
        return -1;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        unsigned bit = tw_norm_rule_from_name(tok);
        if (!bit) {
            fprintf(stderr, "tawam: unknown normalization rule '%s'\n", tok);
            free(copy);
            return -1;
        }
        o->cfg.norm_rules &= ~bit;
    }
    free(copy);
    return 0;
}

/* Story options: the config field each sets and its bounds. */
static double *story_option(tw_cli_engine_opts *o, const char *a, double *lo, double *hi)
{
    *lo = 0;
    *hi = 3650;
    if (strcmp(a, "--story-threshold") == 0) {
        *hi = 1;
        return &o->cfg.story_threshold;
    }
    if (strcmp(a, "--decay-days") == 0)
        return &o->cfg.story_decay_days;
    if (strcmp(a, "--window-days") == 0)
        return &o->cfg.story_window_days;
    return NULL;
}

int tw_cli_engine_option(tw_cli_engine_opts *o, int argc, char **argv, int *i)
{
    const char *a = argv[*i];
    double lo, hi, *slot = story_option(o, a, &lo, &hi);
    if (slot) {
        double d;
        if (*i + 1 >= argc || tw_cli_parse_double(argv[*i + 1], &d) || !(d > lo && d <= hi)) {
            fprintf(stderr, "tawam: %s takes a number in (%g, %g]\n", a, lo, hi);
            return -1;
        }
        ++*i;
        *slot = d;
        return 1;
    }
    if (strcmp(a, "--no-builtin-strip") == 0) {
        o->cfg.builtin_strip = 0;
        return 1;
    }
    if (strcmp(a, "--strip") == 0 || strcmp(a, "--norm-off") == 0 || strcmp(a, "--gazetteer") == 0) {
        if (*i + 1 >= argc) {
            fprintf(stderr, "tawam: %s needs a value\n", a);
            return -1;
        }
        const char *v = argv[++*i];
        if (strcmp(a, "--strip") == 0) {
            o->strip_file = v;
            return 1;
        }
        if (strcmp(a, "--gazetteer") == 0) {
            o->gazetteer_file = v;
            return 1;
        }
        return parse_rules_off(o, v) ? -1 : 1;
    }
    return 0;
}

tw_engine *tw_cli_engine_create(tw_cli_engine_opts *o)
{
    if (o->strip_file) {
        size_t len;
        o->strip_text = tw_cli_read_file(o->strip_file, &len);
        if (!o->strip_text)
            return NULL;
        o->cfg.strip_patterns = o->strip_text;
    }
    if (o->gazetteer_file) {
        size_t len;
        o->gazetteer_text = tw_cli_read_file(o->gazetteer_file, &len);
        if (!o->gazetteer_text)
            return NULL;
        o->cfg.gazetteer = o->gazetteer_text;
    }
    tw_engine *e = NULL;
    char err[512];
    int rc = tw_engine_create(&o->cfg, &e, err, sizeof err);
    if (rc) {
        if (rc == TW_EPATTERN && o->strip_file)
            fprintf(stderr, "tawam: %s: %s\n", o->strip_file, err);
        else
            fprintf(stderr, "tawam: cannot build the engine: %s%s%s\n", tw_strerror(rc),
                    err[0] ? ": " : "", err);
        return NULL;
    }
    return e;
}

char *tw_cli_read_file(const char *path, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "tawam: cannot open %s: %s\n", path, strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap)
            break;
        char *bigger = realloc(buf, 2 * cap + 1);
        if (!bigger) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = bigger;
        cap *= 2;
    }
    int failed = ferror(f);
    if (f != stdin)
        fclose(f);
    if (!buf || failed) {
        fprintf(stderr, "tawam: cannot read %s\n", path);
        free(buf);
        return NULL;
    }
    buf[n] = 0;
    *len = n;
    return buf;
}

static void usage(FILE *out)
{
    fprintf(out,
            "tawam %s — near-copies and same-story rewrites in Arabic news\n"
            "\n"
            "Usage: tawam COMMAND [OPTIONS] [FILE|-]\n"
            "\n"
            "Commands:\n"
            "  cluster     cluster a JSONL feed: one output line per input line, in order,\n"
            "              naming each article's near-copy cluster and story cluster\n"
            "  explain     say why two articles are, or are not, the same story\n"
            "  normalize   print text the way tawam sees it (normalized, boilerplate blanked)\n"
            "\n"
            "Options:\n"
            "  -h, --help     this help; `tawam COMMAND --help` for a command's options\n"
            "  -V, --version  print the version and the vector instruction set in use\n"
            "\n"
            "Environment: TAWAM_FORCE_ISA=scalar|sse42|avx2|avx512 runs the vector kernels\n"
            "with a lower instruction set than the CPU's best (results never change).\n"
            "\n"
            "Exit status: 0 success; 1 some input lines could not be used (each has an\n"
            "\"error\" field); 2 usage or input error; 3 internal error.\n",
            tw_version());
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return TW_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    /* the JSON scanner's string loop follows the library's kernels (and
     * TAWAM_FORCE_ISA), chosen before any thread scans */
    tw_cli_json_use_avx2(strcmp(tw_isa(), "avx2") == 0 || strcmp(tw_isa(), "avx512") == 0);
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return TW_EXIT_OK;
    }
    if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0) {
        printf("tawam %s (vector kernels: %s)\n", tw_version(), tw_isa());
        return TW_EXIT_OK;
    }
    if (strcmp(cmd, "cluster") == 0)
        return tw_cli_cluster(argc - 1, argv + 1);
    if (strcmp(cmd, "normalize") == 0)
        return tw_cli_normalize(argc - 1, argv + 1);
    if (strcmp(cmd, "explain") == 0)
        return tw_cli_explain(argc - 1, argv + 1);
    fprintf(stderr, "tawam: unknown command '%s' (try tawam --help)\n", cmd);
    return TW_EXIT_USAGE;
}
