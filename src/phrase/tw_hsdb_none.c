/*
 * tw_hsdb_none.c — empty tables of what is made at build time (precompiled
 * Hyperscan databases, the default normalization table and LSH bands):
 * what tw_hsdb_gen
 * links (it makes them) and what a cross-compiled build uses (it cannot
 * run the generator).
 */
#include "index/tw_index.h"
#include "phrase/tw_phrase.h"

const tw__hs_blob tw__hs_blobs[] = {{0, NULL, 0}};
const size_t tw__hs_blob_count = 0;
const tw__norm_prebuilt tw__norm_prebuilt_table = {NULL, 0, NULL};
const tw__lsh_prebuilt tw__lsh_prebuilt_choice = {0, 0, 0, 0, 0, 0};
