/*
 * tw_parallel.c — a parallel for over [0, n): contiguous ranges, one per
 * thread, threads started per call and joined before it returns.
 *
 * Batch clustering calls it a handful of times per run, each over tens of
 * thousands of items or more, so starting threads per call costs nothing
 * measurable and keeps no pool alive between calls (a crawler's long-lived
 * engine holds no idle threads). Every caller writes only its own range's
 * results, so the output is the same for any thread count. The split of
 * [0, n) depends only on n, threads and min_per_thread, never on whether
 * threads could be started, so a caller may count in one call and write
 * in the next, range by range. tw__parallel_claim hands out small blocks
 * instead, for passes where that does not matter, on top of the same
 * threads.
 */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include "base/tw_base.h"

double tw__seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef struct job {
    tw__range_fn fn;
    void *ctx;
    unsigned worker;
    size_t begin, end;
    int rc;
    pthread_t th;
} job;

static void *run(void *arg)
{
    job *j = arg;
    j->rc = j->fn(j->ctx, j->worker, j->begin, j->end);
    return NULL;
}

unsigned tw__parallel_ranges(size_t n, unsigned threads, size_t min_per_thread)
{
    if (min_per_thread == 0)
        min_per_thread = 1;
    if (threads > n / min_per_thread)
        threads = (unsigned)(n / min_per_thread);
    return threads ? threads : 1;
}

int tw__parallel_for(size_t n, unsigned threads, size_t min_per_thread, tw__range_fn fn, void *ctx)
{
    threads = tw__parallel_ranges(n, threads, min_per_thread);
    if (threads <= 1)
        return fn(ctx, 0, 0, n);
    job *jobs = calloc(threads, sizeof *jobs);
    if (!jobs) {
        /* no memory for threads: the same ranges, one after another (callers
         * may count in one call and write in the next, range by range) */
        for (unsigned t = 0; t < threads; t++) {
            int rc = fn(ctx, t, n * t / threads, n * (t + 1) / threads);
            if (rc)
                return rc;
        }
        return TW_OK;
    }
    unsigned started = 0;
    for (unsigned t = 0; t < threads; t++) {
        jobs[t] = (job){fn, ctx, t, n * t / threads, n * (t + 1) / threads, 0, 0};
        if (t > 0 && pthread_create(&jobs[t].th, NULL, run, &jobs[t]) == 0)
            started = t;
        else if (t > 0)
            break;
    }
    /* the calling thread takes range 0; ranges whose thread did not start
     * are run here too, after it */
    run(&jobs[0]);
    for (unsigned t = started + 1; t < threads; t++)
        run(&jobs[t]);
    int rc = jobs[0].rc;
    for (unsigned t = 1; t < threads; t++) {
        if (t <= started)
            pthread_join(jobs[t].th, NULL);
        if (!rc)
            rc = jobs[t].rc;
    }
    free(jobs);
    return rc;
}

typedef struct claim_ctx {
    tw__range_fn fn;
    void *ctx;
    size_t n, grain;
    size_t next; /* the next block's first item (atomic) */
    int rc;      /* the first failure seen (atomic) */
} claim_ctx;

static int claim_loop(void *ctx_, unsigned worker, size_t begin, size_t end)
{
    TW_UNUSED(begin);
    TW_UNUSED(end);
    claim_ctx *c = ctx_;
    while (!__atomic_load_n(&c->rc, __ATOMIC_RELAXED)) {
        size_t b = __atomic_fetch_add(&c->next, c->grain, __ATOMIC_RELAXED);
        if (b >= c->n)
            break;
        int rc = c->fn(c->ctx, worker, b, b + c->grain < c->n ? b + c->grain : c->n);
        if (rc) {
            int none = 0;
            __atomic_compare_exchange_n(&c->rc, &none, rc, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
        }
    }
    return TW_OK;
}

int tw__parallel_claim(size_t n, unsigned threads, size_t grain, tw__range_fn fn, void *ctx)
{
    if (grain == 0)
        grain = 1;
    size_t blocks = n / grain + (n % grain != 0);
    if (threads > blocks)
        threads = (unsigned)blocks;
    if (threads <= 1)
        return n ? fn(ctx, 0, 0, n) : TW_OK;
    claim_ctx c = {fn, ctx, n, grain, 0, TW_OK};
    /* one "item" per worker: tw__parallel_for gives each its own thread */
    tw__parallel_for(threads, threads, 1, claim_loop, &c);
    return c.rc;
}
