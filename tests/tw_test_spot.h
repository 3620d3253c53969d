/*
 * tw_test_spot.h — the fixture the name-spotting and story-term tests
 * share: a default normalization table and a cue spotter without a
 * gazetteer, built once per test file (building costs ~0.2 s).
 */
#ifndef TW_TEST_SPOT_H
#define TW_TEST_SPOT_H

#include <stdlib.h>
#include "phrase/tw_phrase.h"

static tw__norm_table *table;
static tw__spotter cues; /* no gazetteer */
static tw__spot_work cw;

static int spot_setup(void **state)
{
    (void)state;
    table = malloc(sizeof *table);
    if (!table || tw__norm_table_init(table, TW_NORM_DEFAULT) != TW_OK)
        return -1;
    if (tw__spotter_build(&cues, table, NULL, NULL, 0, NULL, 0) != TW_OK)
        return -1;
    return tw__spot_work_init(&cues, &cw) == TW_OK ? 0 : -1;
}

static int spot_teardown(void **state)
{
    (void)state;
    tw__spot_work_free(&cw);
    tw__spotter_free(&cues);
    free(table);
    return 0;
}

#endif
