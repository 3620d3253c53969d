/*
 * tw_hsdb_none.c — an empty table of precompiled Hyperscan databases: what
 * tw_hsdb_gen links (it makes the table) and what a cross-compiled build
 * uses (it cannot run the generator).
 */
#include "phrase/tw_phrase.h"

const tw__hs_blob tw__hs_blobs[] = {{0, NULL, 0}};
const size_t tw__hs_blob_count = 0;
