/*
 * tw_cli_cluster.c — `tawam cluster`: JSONL in, one JSONL line out per input
 * line, in input order (the contract in the README).
 *
 * A pipeline: the main thread reads chunks of lines; workers parse each
 * line (tw_cli_json.c: cJSON cost half the run time at 96 MB) and read the
 * article (tw_features_compute, the bulk of the work); the main thread adds
 * the chunks' features to the batch in input order, reporting bad lines on
 * stderr as it goes, and works chunks itself when it has nothing else to
 * do (so -j N is N threads, not N + 1 on N cores). At most 2N + 1 chunks
 * (256 lines or 1 MB each: with 1024 lines or 4 MB, the last chunk held
 * one thread up at the end, and the slots' buffers and features faulted in
 * 20% more pages, 96 MB peak against 84 on SaudiNewsNet) are in flight,
 * so memory stays bounded whatever the feed's length, and the batch, hence
 * the output, is the same for every -j. The output waits for clustering, since the last article can join the first one's
 * cluster. Only ids are kept per line, never the text.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "tw_cli.h"

typedef struct line_rec {
    char *id;          /* the id as JSON (string or number), or NULL */
    const char *error; /* static message, or NULL */
    size_t doc;        /* batch index when error == NULL */
    size_t repaired;   /* invalid UTF-8 sequences repaired */
    int timed;         /* the line had a time */
} line_rec;

static void cluster_usage(FILE *out)
{
    fprintf(out,
            "Usage: tawam cluster [OPTIONS] [FILE|-]\n"
            "\n"
            "Reads JSONL (one JSON object a line) from FILE or stdin and writes, for every\n"
            "input line and in the same order, one line:\n"
            "  {\"id\": <the input id>, \"dup\": <id of the earliest member of its near-copy\n"
            "   cluster>, \"story\": <id of the earliest member of its story cluster>}\n"
            "A line that cannot be used gets {\"id\": ..., \"dup\": null, \"story\": null,\n"
            "\"error\": \"why\"} and its line number on stderr; nothing is dropped.\n"
            "\n"
            "Options:\n"
            "  --mode dup|story|both  near-copies only (\"dup\"), stories only (\"story\"), or both\n"
            "                         (default both; story clusters contain whole dup clusters)\n"
            "  -j N                   threads reading articles (default: all cores); the output\n"
            "                         is the same for every N\n"
            "  --threshold X          Jaccard of word shingles at which two texts are near-copies,\n"
            "                         0 < X <= 1 (default 0.4)\n"
            "  --shingle K            words per shingle, 1..16 (default 4)\n"
            "  --common-df N          a shingle found in more than N distinct articles is treated as\n"
            "                         boilerplate-like (default 16; 0 turns this off)\n"
            "  --template-share X     when both texts of a pair have at least this share of\n"
            "                         other shingles, judge the pair on those alone (default 0.2)\n"
            "  --stats                print clustering figures on stderr at the end\n"
            "  -q, --quiet            no progress line on stderr\n"
            "  -h, --help             this help\n"
            "%s"
            "\n"
            "%s"
            "\n"
            "Exit status: 0 success; 1 some lines carry an \"error\"; 2 usage or input error;\n"
            "3 internal error (out of memory).\n",
            tw_cli_field_help, tw_cli_engine_help);
}

/* Writes a string without printf's format parsing: the output is a few
 * pieces a line, and on SaudiNewsNet's 31,030 lines writing it (serial, at
 * the end of every run) took 4-8 ms with printf, 2-5 ms so. */
static void put_str(const char *str, FILE *out)
{
    fwrite_unlocked(str, 1, strlen(str), out);
}

static double now_sec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* A chunk of input lines, read by the main thread, worked on by one
 * worker, added by the main thread. */
#define TW_CHUNK_LINES 256
#define TW_CHUNK_BYTES (1u << 20)

enum { CHUNK_FREE, CHUNK_FILLED, CHUNK_DONE };

typedef struct chunk {
    char *buf;            /* the lines back to back, each NUL-terminated */
    size_t len, cap;
    size_t off[TW_CHUNK_LINES], llen[TW_CHUNK_LINES];
    size_t nlines;
    line_rec rec[TW_CHUNK_LINES];
    tw_features *feat[TW_CHUNK_LINES];
    int fatal;              /* TW_ENOMEM while working on it */
    int state;
} chunk;

typedef struct pipeline {
    const tw_cli_fields *fields;
    pthread_mutex_t mu;
    pthread_cond_t work_cv, done_cv;
    chunk *slots;
    size_t nslots;
    size_t next_read, next_work; /* chunk sequence numbers */
    int quit;
} pipeline;

/* Bytes asked of the file at a time. A chunk ends at its 256th line, and
 * what the last read brought past it (half a read on average) is copied
 * out and back in for the next chunk: with 256 KB reads that was 31 MB of
 * copies on SaudiNewsNet (0.5% of the near-copy job's time, perf); with
 * 64 KB, a quarter of it, for 1.6k reads instead of 400. */
#define TW_READ_BLOCK (64u << 10)

/* What one read left over: the start of the next chunk. */
typedef struct carry {
    char *buf;
    size_t len, cap;
} carry;

/* Makes room for `more` bytes after a chunk's len, plus a NUL. */
static int chunk_room(chunk *c, size_t more)
{
    if (c->len + more + 1 <= c->cap)
        return 0;
    size_t nc = c->cap ? 2 * c->cap : TW_CHUNK_BYTES + TW_READ_BLOCK + 1;
    while (nc < c->len + more + 1)
        nc *= 2;
    char *bigger = realloc(c->buf, nc);
    if (!bigger)
        return -1;
    c->buf = bigger;
    c->cap = nc;
    return 0;
}

/* Ends the line c->buf[from, end) (end at its '\n', or the data's end). */
static void take_line(chunk *c, size_t from, size_t end)
{
    size_t n = end - from;
    if (n > 0 && c->buf[from + n - 1] == '\r')
        n--;
    c->buf[from + n] = 0;
    c->off[c->nlines] = from;
    c->llen[c->nlines] = n;
    c->nlines++;
}

/* Reads up to one chunk of lines: blocks of the file straight into the
 * chunk's buffer, lines cut in place (the lines after the chunk's last are
 * carried to the next). The main thread does this for every thread, so it
 * is kept to one copy and a memchr per line. Returns 0, or -1 when out of
 * memory. */
static int read_chunk(FILE *in, chunk *c, carry *cr, size_t *bytes, int *eof)
{
    c->len = c->nlines = 0;
    c->fatal = 0;
    if (chunk_room(c, cr->len + TW_READ_BLOCK))
        return -1;
    if (cr->len) /* (memcpy from NULL is undefined even for 0 bytes) */
        memcpy(c->buf, cr->buf, cr->len);
    c->len = cr->len;
    cr->len = 0;
    size_t scan = 0; /* where the next line starts */
    int at_end = 0;
    for (;;) {
        while (c->nlines < TW_CHUNK_LINES && scan < c->len) {
            char *nl = memchr(c->buf + scan, '\n', c->len - scan);
            if (!nl)
                break;
            size_t end = (size_t)(nl - c->buf);
            *bytes += end - scan + 1;
            take_line(c, scan, end);
            scan = end + 1;
        }
        if (c->nlines == TW_CHUNK_LINES || (c->nlines && scan >= TW_CHUNK_BYTES))
            break;
        if (at_end) {
            if (scan < c->len) { /* a last line without its '\n' */
                *bytes += c->len - scan;
                take_line(c, scan, c->len);
                scan = c->len;
            }
            *eof = 1;
            break;
        }
        if (chunk_room(c, TW_READ_BLOCK))
            return -1;
        size_t got = fread(c->buf + c->len, 1, TW_READ_BLOCK, in);
        c->len += got;
        at_end = got < TW_READ_BLOCK && (feof(in) || ferror(in));
    }
    size_t rest = c->len - scan;
    if (rest > cr->cap) {
        char *bigger = realloc(cr->buf, rest);
        if (!bigger)
            return -1;
        cr->buf = bigger;
        cr->cap = rest;
    }
    if (rest)
        memcpy(cr->buf, c->buf + scan, rest);
    cr->len = rest;
    c->len = scan;
    return 0;
}

/* Parses and reads every line of a chunk (any thread, its own scratch). */
static void work_chunk(chunk *c, const tw_cli_fields *f, tw_scratch *scratch)
{
    for (size_t i = 0; i < c->nlines && !c->fatal; i++) {
        line_rec *rec = &c->rec[i];
        memset(rec, 0, sizeof *rec);
        if (c->llen[i] == 0) {
            rec->error = "empty line";
            continue;
        }
        tw_doc doc;
        tw_cli_json_field id;
        rec->error = tw_cli_parse_line(c->buf + c->off[i], c->llen[i], f, &doc, &id);
        if (id.kind == TW_CLI_JSON_STRING || id.kind == TW_CLI_JSON_NUMBER) {
            rec->id = malloc(id.raw_len + 1);
            if (!rec->id) {
                c->fatal = TW_ENOMEM;
                break;
            }
            memcpy(rec->id, id.raw, id.raw_len);
            rec->id[id.raw_len] = 0;
        } else if (!rec->error) {
            rec->error = id.kind ? "the id field is not a string or a number" : "no id field";
        }
        if (rec->error)
            continue;
        if (!c->feat[i] && tw_features_create(&c->feat[i])) {
            c->fatal = TW_ENOMEM;
            break;
        }
        tw_text_info info = {0};
        /* a failure stays in the features: adding them reports it */
        if (tw_features_compute(scratch, &doc, c->feat[i], &info) == TW_ENOMEM)
            c->fatal = TW_ENOMEM;
        rec->repaired = info.invalid_utf8;
        rec->timed = doc.time != TW_TIME_NONE;
    }
}

typedef struct worker {
    pipeline *p;
    tw_scratch *scratch;
    pthread_t th;
} worker;

static void *worker_main(void *arg)
{
    worker *w = arg;
    pipeline *p = w->p;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->quit && p->next_work == p->next_read)
            pthread_cond_wait(&p->work_cv, &p->mu);
        if (p->next_work == p->next_read)
            break; /* quit, and nothing left */
        chunk *c = &p->slots[p->next_work++ % p->nslots];
        pthread_mutex_unlock(&p->mu);
        work_chunk(c, p->fields, w->scratch);
        pthread_mutex_lock(&p->mu);
        c->state = CHUNK_DONE;
        pthread_cond_broadcast(&p->done_cv);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

static void progress(size_t docs, size_t bytes, double t0, int final)
{
    double dt = now_sec() - t0;
    fprintf(stderr, "\rtawam: %zu lines, %.1f MB, %.1f MB/s, %.1f s%s", docs, bytes / 1e6,
            dt > 0 ? bytes / 1e6 / dt : 0.0, dt, final ? "\n" : "");
    fflush(stderr);
}

int tw_cli_cluster(int argc, char **argv)
{
    tw_cli_engine_opts eo;
    tw_cli_engine_opts_init(&eo);
    tw_cli_fields fields = {"id", "text", "title", "date"};
    const char *path = "-";
    int stats = 0, quiet = 0, exit_code = TW_EXIT_OK, want_dup = 1, want_story = 1;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    long jobs = cores > 0 ? (cores < 64 ? cores : 64) : 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int r = tw_cli_engine_option(&eo, argc, argv, &i);
        if (!r)
            r = tw_cli_field_option(&fields, argc, argv, &i);
        if (r < 0)
            return TW_EXIT_USAGE;
        if (r > 0)
            continue;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            cluster_usage(stdout);
            return TW_EXIT_OK;
        }
        if (strcmp(a, "--stats") == 0) {
            stats = 1;
            continue;
        }
        if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            quiet = 1;
            continue;
        }
        if (a[0] == '-' && a[1]) {
            if (i + 1 >= argc) {
                fprintf(stderr, "tawam cluster: %s needs a value (or is unknown; see --help)\n", a);
                return TW_EXIT_USAGE;
            }
            const char *v = argv[++i];
            long l;
            double d;
            if (strcmp(a, "--mode") == 0) {
                want_dup = strcmp(v, "dup") == 0 || strcmp(v, "both") == 0;
                want_story = strcmp(v, "story") == 0 || strcmp(v, "both") == 0;
                if (!want_dup && !want_story) {
                    fprintf(stderr, "tawam cluster: --mode takes dup, story or both\n");
                    return TW_EXIT_USAGE;
                }
            } else if (strcmp(a, "-j") == 0 || strcmp(a, "--jobs") == 0) {
                if (tw_cli_parse_long(v, 1, 1024, &jobs)) {
                    fprintf(stderr, "tawam cluster: -j takes a whole number from 1 to 1024\n");
                    return TW_EXIT_USAGE;
                }
            } else if (strcmp(a, "--threshold") == 0) {
                if (tw_cli_parse_double(v, &d) || !(d > 0 && d <= 1)) {
                    fprintf(stderr, "tawam cluster: --threshold takes a number in (0, 1]\n");
                    return TW_EXIT_USAGE;
                }
                eo.cfg.threshold = d;
            } else if (strcmp(a, "--shingle") == 0) {
                if (tw_cli_parse_long(v, 1, 16, &l)) {
                    fprintf(stderr, "tawam cluster: --shingle takes 1..16\n");
                    return TW_EXIT_USAGE;
                }
                eo.cfg.shingle_k = (int)l;
            } else if (strcmp(a, "--common-df") == 0) {
                if (tw_cli_parse_long(v, 0, 4000000000L, &l)) {
                    fprintf(stderr, "tawam cluster: --common-df takes a whole number >= 0\n");
                    return TW_EXIT_USAGE;
                }
                eo.cfg.common_df = (uint32_t)l;
            } else if (strcmp(a, "--template-share") == 0) {
                if (tw_cli_parse_double(v, &d) || !(d >= 0 && d <= 1)) {
                    fprintf(stderr, "tawam cluster: --template-share takes a number in [0, 1]\n");
                    return TW_EXIT_USAGE;
                }
                eo.cfg.template_share = d;
            } else {
                fprintf(stderr, "tawam cluster: unknown option %s (see --help)\n", a);
                return TW_EXIT_USAGE;
            }
            continue;
        }
        path = a;
    }

    eo.cfg.story = want_story;
    FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!in) {
        fprintf(stderr, "tawam cluster: cannot open %s: %s\n", path, strerror(errno));
        return TW_EXIT_USAGE;
    }
    tw_engine *engine = tw_cli_engine_create(&eo);
    if (!engine) {
        if (in != stdin)
            fclose(in);
        tw_cli_engine_opts_free(&eo);
        return TW_EXIT_USAGE;
    }
    tw_scratch *scratch = NULL;
    tw_batch *batch = NULL;
    line_rec *recs = NULL;
    size_t nrec = 0, caprec = 0, bytes = 0, failed = 0, timed = 0;
    carry cr = {NULL, 0, 0};
    int rc = tw_scratch_create(engine, &scratch);
    if (!rc)
        rc = tw_batch_create(engine, &batch);
    if (!rc)
        rc = tw_batch_set_threads(batch, (unsigned)jobs);
    int show = !quiet && isatty(2);
    double t0 = now_sec(), last = t0;

    /* the pipeline: N - 1 workers, and the main thread works chunks too
     * whenever it has nothing to read or add, so that N threads compute
     * (with -j 1, the main thread works each chunk itself) */
    size_t nworkers = jobs > 1 ? (size_t)jobs - 1 : 0;
    /* (-j 1 has one chunk in flight at a time, so one slot: taken in turn,
     * three slots faulted in three chunks' buffers and 768 features where
     * 256 do, 1.1k of the near-copy job's 17k page faults on SaudiNewsNet) */
    pipeline p = {.fields = &fields, .nslots = nworkers ? 2 * (size_t)jobs + 1 : 1};
    p.slots = calloc(p.nslots, sizeof *p.slots);
    worker *workers = calloc(nworkers ? nworkers : 1, sizeof *workers);
    size_t started = 0;
    if (!rc && (!p.slots || !workers))
        rc = TW_ENOMEM;
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.work_cv, NULL);
    pthread_cond_init(&p.done_cv, NULL);
    for (; !rc && started < nworkers; started++) {
        workers[started].p = &p;
        if ((rc = tw_scratch_create(engine, &workers[started].scratch)))
            break;
        if (pthread_create(&workers[started].th, NULL, worker_main, &workers[started])) {
            tw_scratch_free(workers[started].scratch);
            rc = TW_ENOMEM;
            break;
        }
    }
    size_t next_add = 0;
    int eof = 0;
    pthread_mutex_lock(&p.mu);
    while (!rc) {
        chunk *c = &p.slots[next_add % p.nslots];
        if (next_add < p.next_read && c->state == CHUNK_DONE) {
            /* the next chunk in input order is worked: add it */
            pthread_mutex_unlock(&p.mu);
            if (c->fatal)
                rc = c->fatal;
            for (size_t i = 0; !rc && i < c->nlines; i++) {
                if (nrec == caprec) {
                    size_t nc = caprec ? 2 * caprec : 4096;
                    line_rec *bigger = realloc(recs, nc * sizeof *recs);
                    if (!bigger) {
                        rc = TW_ENOMEM;
                        break;
                    }
                    recs = bigger;
                    caprec = nc;
                }
                line_rec *r = &recs[nrec];
                *r = c->rec[i];
                c->rec[i].id = NULL; /* moved */
                if (!r->error) {
                    int st = tw_batch_add_features(batch, c->feat[i], &r->doc);
                    if (st == TW_ENOMEM)
                        rc = st;
                    else if (st == TW_ENOTEXT)
                        r->error = "no words in the text (empty, or all boilerplate)";
                    else if (st)
                        r->error = tw_strerror(st);
                    timed += !r->error && r->timed;
                }
                if (r->error) {
                    failed++;
                    if (show)
                        fputc('\n', stderr);
                    fprintf(stderr, "tawam cluster: line %zu: %s\n", nrec + 1, r->error);
                }
                nrec++;
            }
            if (show && now_sec() - last > 0.25) {
                last = now_sec();
                progress(nrec, bytes, t0, 0);
            }
            pthread_mutex_lock(&p.mu);
            c->state = CHUNK_FREE;
            next_add++;
            continue;
        }
        if (eof && next_add == p.next_read)
            break;
        chunk *r = &p.slots[p.next_read % p.nslots];
        if (!eof && r->state == CHUNK_FREE) {
            pthread_mutex_unlock(&p.mu);
            if (read_chunk(in, r, &cr, &bytes, &eof))
                rc = TW_ENOMEM;
            if (!rc && r->nlines && !nworkers) {
                work_chunk(r, &fields, scratch);
                r->state = CHUNK_DONE;
            } else if (!rc && r->nlines) {
                r->state = CHUNK_FILLED;
            }
            pthread_mutex_lock(&p.mu);
            if (!rc && r->nlines) {
                p.next_read++;
                pthread_cond_signal(&p.work_cv);
            }
            continue;
        }
        if (p.next_work < p.next_read) {
            /* nothing to add or read yet: work the oldest unclaimed chunk */
            chunk *w = &p.slots[p.next_work++ % p.nslots];
            pthread_mutex_unlock(&p.mu);
            work_chunk(w, &fields, scratch);
            pthread_mutex_lock(&p.mu);
            w->state = CHUNK_DONE;
            continue;
        }
        pthread_cond_wait(&p.done_cv, &p.mu);
    }
    p.quit = 1;
    pthread_cond_broadcast(&p.work_cv);
    pthread_mutex_unlock(&p.mu);
    for (size_t k = 0; k < started; k++) {
        pthread_join(workers[k].th, NULL);
        tw_scratch_free(workers[k].scratch);
    }
    for (size_t k = 0; p.slots && k < p.nslots; k++) {
        for (size_t i = 0; i < TW_CHUNK_LINES; i++)
            tw_features_free(p.slots[k].feat[i]);
        free(p.slots[k].buf);
    }
    free(p.slots);
    free(workers);
    pthread_mutex_destroy(&p.mu);
    pthread_cond_destroy(&p.work_cv);
    pthread_cond_destroy(&p.done_cv);
    if (!rc && ferror(in)) {
        fprintf(stderr, "tawam cluster: read error on %s\n", path);
        exit_code = TW_EXIT_USAGE;
    }
    double t_read = now_sec();
    if (!rc && want_story && timed == 0 && nrec > failed + 1)
        /* every article at one time: one window holds them all, and story
         * mode's work grows with the square of the feed (minutes at 100k) */
        fprintf(stderr,
                "tawam cluster: no article has a time in its \"%s\" field (--time-field): "
                "story mode takes them all as published together and compares every pair, "
                "which is slow on a large feed\n",
                fields.time);
    if (!rc)
        rc = tw_batch_cluster(batch);
    double t_cluster = now_sec();
    if (show)
        progress(nrec, bytes, t0, 1);
    if (!rc) {
        setvbuf(stdout, NULL, _IOFBF, 1 << 16);
        /* Map each batch index back to its line, to name clusters by id. */
        size_t ndocs = tw_batch_size(batch);
        size_t *line_of = malloc((ndocs ? ndocs : 1) * sizeof *line_of);
        if (!line_of) {
            rc = TW_ENOMEM;
        } else {
            for (size_t i = 0; i < nrec; i++)
                if (!recs[i].error)
                    line_of[recs[i].doc] = i;
            for (size_t i = 0; i < nrec; i++) {
                const line_rec *r = &recs[i];
                put_str("{\"id\":", stdout);
                put_str(r->id ? r->id : "null", stdout);
                if (r->error) {
                    if (want_dup)
                        put_str(",\"dup\":null", stdout);
                    if (want_story)
                        put_str(",\"story\":null", stdout);
                    put_str(",\"error\":\"", stdout);
                    put_str(r->error, stdout);
                    put_str("\"}\n", stdout);
                    continue;
                }
                if (want_dup) {
                    put_str(",\"dup\":", stdout);
                    put_str(recs[line_of[tw_batch_dup(batch, r->doc)]].id, stdout);
                }
                if (want_story) {
                    put_str(",\"story\":", stdout);
                    put_str(recs[line_of[tw_batch_story(batch, r->doc)]].id, stdout);
                }
                if (r->repaired)
                    printf(",\"utf8_repaired\":%zu", r->repaired);
                put_str("}\n", stdout);
            }
            free(line_of);
        }
        if (fflush(stdout) != 0 || ferror(stdout)) {
            fprintf(stderr, "tawam cluster: cannot write the output: %s\n", strerror(errno));
            exit_code = TW_EXIT_INTERNAL;
        }
    }
    if (!rc && stats) {
        tw_batch_stats st;
        tw_batch_stats_get(batch, &st);
        fprintf(stderr,
                "tawam cluster: %zu lines, %zu failed, %zu articles; %zu near-copy clusters "
                "holding %zu articles; %zu candidate pairs checked, %zu joined; %zu "
                "boilerplate-like shingles; LSH %d bands x %d rows; %zu story clusters holding "
                "%zu articles, the largest %zu; %.1f MB held (%.0f bytes an article); %.2f s "
                "(reading %.2f s with %ld "
                "thread%s, clustering %.2f s: exact copies %.3f, common shingles %.3f, "
                "band keys %.3f, pairs %.3f, stories %.3f)\n",
                nrec, failed, st.documents, st.dup_clusters, st.dup_clustered_docs,
                st.candidates, st.verified, st.common_shingles, st.bands, st.rows,
                st.story_clusters, st.story_clustered_docs, st.largest_story,
                st.memory_bytes / 1e6,
                st.documents ? (double)st.memory_bytes / (double)st.documents : 0.0, now_sec() - t0,
                t_read - t0, jobs, jobs > 1 ? "s" : "",
                t_cluster - t_read, st.exact_s, st.common_s, st.bands_s, st.pairs_s,
                st.story_s);
    }
    if (rc) {
        fprintf(stderr, "tawam cluster: %s\n", tw_strerror(rc));
        exit_code = TW_EXIT_INTERNAL;
    } else if (exit_code == TW_EXIT_OK && failed) {
        exit_code = TW_EXIT_LINES;
    }
    for (size_t i = 0; i < nrec; i++)
        free(recs[i].id);
    free(recs);
    free(cr.buf);
    tw_batch_free(batch);
    tw_scratch_free(scratch);
    tw_engine_free(engine);
    tw_cli_engine_opts_free(&eo);
    if (in != stdin)
        fclose(in);
    return exit_code;
}
