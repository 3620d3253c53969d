/*
 * tw_hsdb.c — Hyperscan databases compiled once, at build time.
 *
 * Compiling the built-in patterns costs about 0.2 s (0.9 G instructions)
 * per engine, more than clustering a small feed. The build runs
 * tw_hsdb_gen, which creates a default engine and serializes every
 * database it compiles into a generated C table; at run time tw__hs_compile
 * looks its input up in that table by a key over everything that shapes
 * the database (Hyperscan's version, each expression, flag and id) and
 * deserializes the match (≈0.2 ms). Anything else — user patterns, other
 * normalization rules, a gazetteer, a Hyperscan that refuses the bytes
 * (another version or CPU) — compiles as before, so the table can only
 * make engines faster, never different. TAWAM_NO_PRECOMPILED=1 turns the
 * table off (tests compare both paths).
 */
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>
#include "phrase/tw_phrase.h"

static tw__hs_record_fn recorder;

void tw__hs_set_recorder(tw__hs_record_fn fn)
{
    recorder = fn;
}

uint64_t tw__hs_key(const char *const *exprs, const unsigned *flags, const unsigned *ids,
                    unsigned n)
{
    /* chained: each part's hash seeds the next */
    const char *v = hs_version();
    uint64_t h = XXH3_64bits_withSeed(v, strlen(v) + 1, n);
    for (unsigned i = 0; i < n; i++) {
        unsigned fi[2] = {flags[i], ids[i]};
        h = XXH3_64bits_withSeed(exprs[i], strlen(exprs[i]) + 1, h);
        h = XXH3_64bits_withSeed(fi, sizeof fi, h);
    }
    return h;
}

hs_error_t tw__hs_compile(const char *const *exprs, const unsigned *flags, const unsigned *ids,
                          unsigned n, hs_database_t **db, hs_compile_error_t **err,
                          int *precompiled)
{
    *db = NULL;
    *err = NULL;
    if (precompiled)
        *precompiled = 0;
    uint64_t key = tw__hs_key(exprs, flags, ids, n);
    if (!recorder && !tw__precompiled_off())
        for (size_t i = 0; i < tw__hs_blob_count; i++)
            if (tw__hs_blobs[i].key == key &&
                hs_deserialize_database((const char *)tw__hs_blobs[i].bytes, tw__hs_blobs[i].len,
                                        db) == HS_SUCCESS) {
                if (precompiled)
                    *precompiled = 1;
                return HS_SUCCESS;
            }
    /* Build-time databases target this CPU without its AVX-512: the same
     * scan speed here (SaudiNewsNet's built-in strip scan measured 27.6-28.3
     * ms either way on 8,000 texts), and a build on an AVX-512 machine still
     * loads where only AVX2 is (or under valgrind, which has no AVX-512),
     * instead of compiling them again (0.9 G instructions) at every start. */
    hs_platform_info_t plat, *target = NULL;
    if (recorder && hs_populate_platform(&plat) == HS_SUCCESS) {
        plat.cpu_features &= ~(unsigned long long)(HS_CPU_FEATURES_AVX512 | HS_CPU_FEATURES_AVX512VBMI);
        target = &plat;
    }
    hs_error_t rc = hs_compile_multi(exprs, flags, ids, n, HS_MODE_BLOCK, target, db, err);
    if (rc == HS_SUCCESS && recorder)
        recorder(key, *db);
    return rc;
}
