/*
 * tw_bench.c — micro benchmarks, one per pipeline stage, on real text.
 *
 *   tw_bench [--docs N] [--runs R] FILE.jsonl
 *
 * Loads the "text" of up to N articles (all by default), then times each
 * stage over all of them: normalize (the reference path and the fast path
 * with every kernel the CPU has), strip (Hyperscan), tokenize (off the text, and off
 * the character map), shingle, MinHash (one-permutation hashing; classic 128-permutation MinHash
 * beside it), LSH band keys and candidate pairs, and clustering through
 * the public API (near-copies alone, then with stories; texts only, one
 * thread, so "story" here has no titles or times: a stage figure). Each figure is the median of R runs (default 5) and
 * names the instruction set it ran with; the first lines name the machine
 * and compiler. Stage outputs are checked against each other (every
 * normalize kernel must give the reference's bytes) so a fast wrong
 * kernel cannot post a figure. For instruction counts on a noisy machine,
 * run it under valgrind --tool=callgrind with a small --docs.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "api/tw_api.h"

typedef struct text {
    char *p;
    size_t len;
} text;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void die(const char *what)
{
    fprintf(stderr, "tw_bench: %s\n", what);
    exit(1);
}

static void report(const char *stage, const char *isa, double sec, double bytes, size_t items,
                   const char *unit)
{
    printf("%-22s %-8s %9.2f ms %10.1f MB/s %12.0f %s/s\n", stage, isa, sec * 1e3,
           bytes / 1e6 / sec, items / sec, unit);
}

static int count_pair(uint32_t earlier, uint32_t later, void *ctx)
{
    (void)earlier, (void)later;
    (*(size_t *)ctx)++;
    return 0;
}

static const char *cpu_model(char *buf, size_t cap)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    snprintf(buf, cap, "unknown CPU");
    if (!f)
        return buf;
    char line[512];
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "model name", 10) == 0) {
            char *c = strchr(line, ':');
            if (c) {
                c += 2;
                c[strcspn(c, "\n")] = 0;
                snprintf(buf, cap, "%s", c);
            }
            break;
        }
    fclose(f);
    return buf;
}

int main(int argc, char **argv)
{
    size_t maxdocs = (size_t)-1;
    int runs = 5;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--docs") == 0 && i + 1 < argc)
            maxdocs = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
            runs = atoi(argv[++i]);
        else if (argv[i][0] == '-')
            path = NULL, i = argc; /* --help, or an option it does not know */
        else
            path = argv[i];
    }
    if (!path || runs < 1 || runs > 99)
        die("usage: tw_bench [--docs N] [--runs R] FILE.jsonl\n"
            "  times every stage on the \"text\" of FILE's articles (all, or the first N),\n"
            "  median of R runs (default 5), with every instruction set the CPU has");

    /* ---- load */
    FILE *f = fopen(path, "rb");
    if (!f)
        die("cannot open the input");
    text *texts = NULL;
    size_t n = 0, cap = 0, bytes = 0;
    char *line = NULL;
    size_t lcap = 0;
    ssize_t ll;
    while (n < maxdocs && (ll = getline(&line, &lcap, f)) > 0) {
        cJSON *j = cJSON_ParseWithLength(line, (size_t)ll);
        const cJSON *t = j ? cJSON_GetObjectItemCaseSensitive(j, "text") : NULL;
        if (t && cJSON_IsString(t) && t->valuestring[0]) {
            if (n == cap) {
                cap = cap ? 2 * cap : 1024;
                texts = realloc(texts, cap * sizeof *texts);
                if (!texts)
                    die("out of memory");
            }
            texts[n].len = strlen(t->valuestring);
            texts[n].p = strdup(t->valuestring);
            bytes += texts[n].len;
            n++;
        }
        cJSON_Delete(j);
    }
    free(line);
    fclose(f);
    if (!n)
        die("no texts");

    char cpu[256];
    printf("machine: %s; compiler: gcc %s; active ISA: %s; %zu texts, %.1f MB; median of %d runs\n",
           cpu_model(cpu, sizeof cpu), __VERSION__, tw_isa(), n, bytes / 1e6, runs);
    printf("%-22s %-8s %12s %15s %16s\n", "stage", "isa", "time", "throughput", "items");

    tw_engine *e;
    char err[256];
    if (tw_engine_create(NULL, &e, err, sizeof err))
        die(err);
    tw_scratch *s;
    if (tw_scratch_create(e, &s))
        die("scratch");
    double *t = malloc((size_t)runs * sizeof *t);

    /* ---- normalize: reference, then the fast path with every kernel */
    tw__buf *norm = calloc(n, sizeof *norm);
    for (int r = 0; r < runs; r++) {
        double t0 = now();
        for (size_t i = 0; i < n; i++)
            tw__normalize_reference(&e->norm, &s->nw, (const uint8_t *)texts[i].p, texts[i].len, NULL);
        t[r] = now() - t0;
    }
    report("normalize reference", "scalar", median(t, runs), (double)bytes, n, "doc");
    for (size_t i = 0; i < n; i++) {
        tw__normalize_reference(&e->norm, &s->nw, (const uint8_t *)texts[i].p, texts[i].len, NULL);
        tw__buf_reserve(&norm[i], s->nw.out.len + 1, 1);
        memcpy(norm[i].data, s->nw.out.data, s->nw.out.len);
        norm[i].len = s->nw.out.len;
    }
    for (int isa = TW__ISA_SCALAR; isa <= (int)tw__isa_supported(); isa++) {
        tw__norm_kernel k = tw__norm_kernel_for((tw__isa)isa);
        for (int r = 0; r < runs; r++) {
            double t0 = now();
            for (size_t i = 0; i < n; i++)
                tw__normalize_with(&e->norm, &s->nw, (const uint8_t *)texts[i].p, texts[i].len,
                                   NULL, k);
            t[r] = now() - t0;
        }
        for (size_t i = 0; i < n; i++) {
            tw__normalize_with(&e->norm, &s->nw, (const uint8_t *)texts[i].p, texts[i].len, NULL, k);
            if (s->nw.out.len != norm[i].len || memcmp(s->nw.out.data, norm[i].data, norm[i].len))
                die("a normalize kernel differs from the reference");
        }
        report("normalize fast", tw__isa_name((tw__isa)isa), median(t, runs), (double)bytes, n, "doc");
    }

    /* ---- strip (Hyperscan), on copies of the normalized texts */
    size_t nbytes = 0;
    for (size_t i = 0; i < n; i++)
        nbytes += norm[i].len;
    tw__buf work = {0};
    for (int r = 0; r < runs; r++) {
        double t0 = now();
        for (size_t i = 0; i < n; i++) {
            tw__buf_reserve(&work, norm[i].len + 1, 1);
            memcpy(work.data, norm[i].data, norm[i].len);
            size_t blanked;
            tw__strip(&e->strip, &s->sw, work.data, norm[i].len, &blanked);
        }
        t[r] = now() - t0;
    }
    report("strip (hyperscan)", "-", median(t, runs), (double)nbytes, n, "doc");

    /* ---- tokenize with every kernel (each must give the scalar loop's
     * tokens), and tokenize + shingle with the active one */
    size_t ntok = 0;
    tw__buf ref_tok = {0};
    for (int isa = TW__ISA_SCALAR; isa <= (int)tw__isa_supported(); isa++) {
        size_t width;
        tw__tok_kernel k = tw__tok_kernel_for((tw__isa)isa, &width);
        if (isa > TW__ISA_SCALAR && !k)
            continue;
        for (int r = 0; r < runs; r++) {
            double t0 = now();
            ntok = 0;
            for (size_t i = 0; i < n; i++) {
                tw__tokenize_with(&e->norm, norm[i].data, norm[i].len, &s->tokens, k, width);
                ntok += s->tokens.len;
            }
            t[r] = now() - t0;
        }
        for (size_t i = 0; i < n; i++) {
            tw__tokenize_with(&e->norm, norm[i].data, norm[i].len, &ref_tok, NULL, 0);
            tw__tokenize_with(&e->norm, norm[i].data, norm[i].len, &s->tokens, k, width);
            if (ref_tok.len != s->tokens.len ||
                (ref_tok.len && memcmp(ref_tok.data, s->tokens.data, ref_tok.len * sizeof(tw__token))))
                die("a tokenizer kernel differs from the scalar loop");
        }
        report("tokenize", tw__isa_name((tw__isa)isa), median(t, runs), (double)nbytes, ntok, "token");
    }
    /* ---- the same tokens off the character map (what the pipeline does
     * when the strip stage has mapped the text), every unit kernel; the
     * maps are made beforehand, as the strip stage makes them */
    tw__mapped *maps = calloc(n, sizeof *maps);
    for (size_t i = 0; maps && i < n; i++)
        if (tw__mapped_make(&maps[i], &e->norm.simd, norm[i].data, norm[i].len))
            die("out of memory");
    for (int isa = TW__ISA_SCALAR; maps && isa <= (int)tw__isa_supported(); isa++) {
        tw__unit_tok_kernel k = tw__unit_tok_kernel_for((tw__isa)isa);
        if (!k)
            continue;
        for (int r = 0; r < runs; r++) {
            double t0 = now();
            ntok = 0;
            for (size_t i = 0; i < n; i++) {
                tw__tokenize_mapped_with(&e->norm, norm[i].data, norm[i].len, maps[i].bytes.data,
                                         maps[i].units, &s->tokens, k);
                ntok += s->tokens.len;
            }
            t[r] = now() - t0;
        }
        for (size_t i = 0; i < n; i++) {
            tw__tokenize_with(&e->norm, norm[i].data, norm[i].len, &ref_tok, NULL, 0);
            tw__tokenize_mapped_with(&e->norm, norm[i].data, norm[i].len, maps[i].bytes.data,
                                     maps[i].units, &s->tokens, k);
            if (ref_tok.len != s->tokens.len ||
                (ref_tok.len && memcmp(ref_tok.data, s->tokens.data, ref_tok.len * sizeof(tw__token))))
                die("a map tokenizer kernel differs from the scalar loop");
        }
        report("tokenize (map)", tw__isa_name((tw__isa)isa), median(t, runs), (double)nbytes, ntok,
               "token");
    }
    for (size_t i = 0; maps && i < n; i++)
        tw__mapped_free(&maps[i]);
    free(maps);
    tw__buf_free(&ref_tok);
    tw__buf *sets = calloc(n, sizeof *sets);
    size_t nsh = 0;
    for (int r = 0; r < runs; r++) {
        double t0 = now();
        nsh = 0;
        for (size_t i = 0; i < n; i++) {
            tw__tokenize(&e->norm, norm[i].data, norm[i].len, &s->tokens);
            tw__shingle(norm[i].data, norm[i].len, s->tokens.data, s->tokens.len, e->cfg.shingle_k, 0,
                        &s->tokhash, &s->keys, &s->fps);
            nsh += s->fps.len;
            if (r == 0) {
                tw__buf_reserve(&sets[i], s->fps.len + 1, sizeof(uint32_t));
                memcpy(sets[i].data, s->fps.data, s->fps.len * sizeof(uint32_t));
                sets[i].len = s->fps.len;
            }
        }
        t[r] = now() - t0;
    }
    report("tokenize+shingle", tw_isa(), median(t, runs), (double)nbytes, nsh, "shingle");

    /* ---- MinHash: one-permutation hashing, and classic for comparison */
    int bands = e->bands, rows = e->rows, count = bands * rows;
    uint32_t sig[TW__MH_N];
    uint64_t sink = 0;
    tw__oph oph; /* drawn once, as a batch does; then each kernel's turn */
    tw__oph_init(&oph, 0, count);
    uint32_t *ref_sig = malloc((n ? n : 1) * sizeof *ref_sig * TW__MH_N);
    if (!ref_sig)
        die("out of memory");
    for (int isa = TW__ISA_SCALAR; isa <= (int)tw__isa_supported(); isa++) {
        tw__oph_add_fn k = tw__oph_add_for((tw__isa)isa);
        tw__oph_densify_fn d = tw__oph_densify_for((tw__isa)isa);
        if (isa > TW__ISA_SCALAR && k == tw__oph_add_for((tw__isa)(isa - 1)) &&
            d == tw__oph_densify_for((tw__isa)(isa - 1)))
            continue; /* no kernel of its own */
        oph.add = k;
        oph.densify = d;
        for (int r = 0; r < runs; r++) {
            double t0 = now();
            for (size_t i = 0; i < n; i++) {
                tw__oph_sign2(&oph, sets[i].data, sets[i].len, sets[i].len, NULL, sig);
                sink += sig[0];
            }
            t[r] = now() - t0;
        }
        for (size_t i = 0; i < n; i++) {
            tw__oph_sign2(&oph, sets[i].data, sets[i].len, sets[i].len, NULL, sig);
            if (isa == TW__ISA_SCALAR)
                memcpy(ref_sig + i * TW__MH_N, sig, (size_t)count * sizeof *sig);
            else if (memcmp(ref_sig + i * TW__MH_N, sig, (size_t)count * sizeof *sig))
                die("an OPH kernel differs from the scalar loop");
        }
        report("minhash (oph)", tw__isa_name((tw__isa)isa), median(t, runs), (double)nsh * 4, n, "doc");
    }
    free(ref_sig);
    tw__oph_init(&oph, 0, count); /* the active kernel again */
    tw__minhash mh;
    tw__minhash_init(&mh, 0);
    for (int r = 0; r < runs; r++) {
        double t0 = now();
        for (size_t i = 0; i < n; i++) {
            tw__minhash_sign(&mh, sets[i].data, sets[i].len, sig, count);
            sink += sig[0];
        }
        t[r] = now() - t0;
    }
    report("minhash (classic)", "scalar", median(t, runs), (double)nsh * 4, n, "doc");

    /* ---- LSH: band keys (insert), then candidate pairs (query) */
    tw__lsh_entry *ent = malloc(n * (size_t)bands * sizeof *ent);
    tw__lsh_entry *ent2 = malloc(n * (size_t)bands * sizeof *ent2);
    for (int r = 0; r < runs; r++) {
        double t0 = now();
        size_t w = 0;
        for (size_t i = 0; i < n; i++) {
            uint64_t keys[TW__MH_N];
            tw__oph_sign2(&oph, sets[i].data, sets[i].len, sets[i].len, NULL, sig);
            tw__lsh_band_keys(sig, bands, rows, 0, keys);
            for (int b = 0; b < bands; b++)
                ent[w++] = (tw__lsh_entry){keys[b], (uint32_t)i};
        }
        t[r] = now() - t0;
    }
    report("lsh insert (+sign)", "scalar", median(t, runs), (double)nsh * 4, n, "doc");
    size_t pairs = 0;
    for (int r = 0; r < runs; r++) {
        memcpy(ent2, ent, n * (size_t)bands * sizeof *ent);
        double t0 = now();
        pairs = 0;
        tw__lsh_pairs(ent2, n * (size_t)bands, TW_LSH_MAX_PROBE, 1, count_pair, &pairs);
        t[r] = now() - t0;
    }
    report("lsh query", "scalar", median(t, runs), 0, pairs, "pair");

    /* ---- the whole batch through the public API: near-copies, then stories */
    for (int story = 0; story < 2; story++) {
        tw_config cfg;
        tw_config_default(&cfg);
        cfg.story = story;
        tw_engine *be;
        tw_scratch *bs;
        if (tw_engine_create(&cfg, &be, err, sizeof err) || tw_scratch_create(be, &bs))
            die("engine");
        double tadd[99], tcl[99];
        for (int r = 0; r < runs; r++) {
            tw_batch *b;
            if (tw_batch_create(be, &b))
                die("batch");
            double t0 = now();
            for (size_t i = 0; i < n; i++) {
                size_t idx;
                tw_batch_add(b, bs, texts[i].p, texts[i].len, &idx, NULL);
            }
            double t1 = now();
            tw_batch_cluster(b);
            tcl[r] = now() - t1;
            tadd[r] = t1 - t0;
            tw_batch_free(b);
        }
        report(story ? "batch add, story on" : "batch add (all above)", tw_isa(), median(tadd, runs),
               (double)bytes, n, "doc");
        report(story ? "batch cluster, story" : "batch cluster, dup", "-", median(tcl, runs), 0, n,
               "doc");
        tw_scratch_free(bs);
        tw_engine_free(be);
    }
    fprintf(stderr, "(checksum %llu)\n", (unsigned long long)sink);

    for (size_t i = 0; i < n; i++) {
        free(texts[i].p);
        tw__buf_free(&norm[i]);
        tw__buf_free(&sets[i]);
    }
    free(texts), free(norm), free(sets), free(ent), free(ent2), free(t);
    tw__buf_free(&work);
    tw_scratch_free(s);
    tw_engine_free(e);
    return 0;
}
