/*
 * tw_story.c — story clustering: which independent rewrites report the
 * same event.
 *
 * Units are near-copy clusters (their earliest member stands for them), so
 * story clusters contain dup clusters by construction. Each unit is a
 * TF-IDF vector over its story terms (IDF from the collection; terms seen
 * in one unit only, or in more than a tenth of them, are dropped: they can
 * not tell two events apart). Units are taken in time order; each joins the
 * earlier story whose members, within the time window, are on average
 * similar enough to it, or starts a new story. Average similarity to a
 * whole cluster, not to its nearest member, is what keeps a thread of
 * related events (a meeting, next week's follow-up) from chaining into one
 * story; the time decay does the rest.
 *
 * Candidates come from an inverted index walked backwards in time, never
 * from all pairs: a unit meets only the units that share a term with it
 * inside the window.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cluster/tw_cluster.h"

typedef struct termmap {
    uint32_t *key, *val;
    size_t mask;
} termmap;

static int map_init(termmap *m, size_t n)
{
    size_t cap = 16;
    while (cap < 2 * n + 2)
        cap *= 2;
    m->key = calloc(cap, sizeof *m->key);
    m->val = calloc(cap, sizeof *m->val);
    m->mask = cap - 1;
    return (m->key && m->val) ? TW_OK : TW_ENOMEM;
}

static void map_free(termmap *m)
{
    free(m->key);
    free(m->val);
}

/* The slot of key h (inserting it when absent). */
static size_t map_slot(termmap *m, uint32_t h)
{
    size_t i = (h * 0x9E3779B1u) & m->mask;
    while (m->key[i] && m->key[i] != h)
        i = (i + 1) & m->mask;
    m->key[i] = h;
    return i;
}

static size_t map_find(const termmap *m, uint32_t h)
{
    size_t i = (h * 0x9E3779B1u) & m->mask;
    while (m->key[i] && m->key[i] != h)
        i = (i + 1) & m->mask;
    return m->key[i] ? i : (size_t)-1;
}

double tw__story_time_factor(const tw__story_params *p, int64_t dt)
{
    if (dt < 0)
        dt = -dt;
    if (dt > p->window)
        return 0.0;
    double grace = 86400.0; /* same-day reports are not penalized */
    if (dt <= grace)
        return 1.0;
    return exp(-((double)dt - grace) / p->decay);
}

int tw__story_vectors(const tw__story_unit *u, size_t n, tw__story_vecs *v)
{
    memset(v, 0, sizeof *v);
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += u[i].nterms;
    termmap df;
    int rc = map_init(&df, total + 16); /* distinct terms <= total */
    if (rc) {
        map_free(&df);
        return rc;
    }
    /* document frequency over units, counted in the map's value slots */
    for (size_t i = 0; i < n; i++)
        for (uint32_t k = 0; k < u[i].nterms; k++)
            df.val[map_slot(&df, u[i].terms[k].h)]++;
    v->off = malloc((n + 1) * sizeof *v->off);
    v->terms = malloc((total ? total : 1) * sizeof *v->terms);
    if (!v->off || !v->terms) {
        map_free(&df);
        tw__story_vecs_free(v);
        return TW_ENOMEM;
    }
    double N = (double)n;
    uint32_t maxdf = (uint32_t)(n / 10 > 50 ? n / 10 : 50);
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        v->off[i] = w;
        double norm = 0;
        size_t start = w;
        for (uint32_t k = 0; k < u[i].nterms; k++) {
            uint32_t d = df.val[map_find(&df, u[i].terms[k].h)];
            if (d < 2 || d > maxdf)
                continue;
            double wt = (1.0 + log(u[i].terms[k].w)) * log(N / d);
            if (wt <= 0)
                continue;
            v->terms[w++] = (tw__term){u[i].terms[k].h, (float)wt};
            norm += wt * wt;
        }
        if (norm > 0) {
            float inv = (float)(1.0 / sqrt(norm));
            for (size_t k = start; k < w; k++)
                v->terms[k].w *= inv;
        }
    }
    v->off[n] = w;
    v->n = n;
    map_free(&df);
    return TW_OK;
}

void tw__story_vecs_free(tw__story_vecs *v)
{
    if (!v)
        return;
    free(v->off);
    free(v->terms);
    memset(v, 0, sizeof *v);
}

double tw__story_cosine(const tw__story_vecs *v, size_t a, size_t b)
{
    const tw__term *x = v->terms + v->off[a], *y = v->terms + v->off[b];
    size_t nx = v->off[a + 1] - v->off[a], ny = v->off[b + 1] - v->off[b], i = 0, j = 0;
    double dot = 0;
    while (i < nx && j < ny) {
        if (x[i].h < y[j].h)
            i++;
        else if (x[i].h > y[j].h)
            j++;
        else
            dot += (double)x[i++].w * y[j++].w;
    }
    return dot;
}

typedef struct order_ref {
    int64_t time;
    size_t unit;
} order_ref;

static int cmp_order(const void *a_, const void *b_)
{
    const order_ref *a = a_, *b = b_;
    if (a->time != b->time)
        return a->time < b->time ? -1 : 1;
    return (a->unit > b->unit) - (a->unit < b->unit);
}

int tw__story_cluster(const tw__story_unit *u, size_t n, const tw__story_vecs *v,
                      const tw__story_params *p, uint32_t *story)
{
    int rc = TW_OK;
    order_ref *ord = malloc((n ? n : 1) * sizeof *ord);
    /* postings: for each term, the positions (in time order) of units holding it */
    termmap tix = {0};
    size_t nt = v->off[n];
    size_t *pstart = NULL, *pfill = NULL;
    uint32_t *post = NULL, *members = NULL, *mnext = NULL, *mlast = NULL, *tpos_unit = NULL;
    float *acc = NULL, *sacc = NULL;
    uint32_t *touched = NULL, *stouched = NULL, *scount = NULL;
    int64_t *tpos = NULL;
    if (!ord || map_init(&tix, nt / 2 + 16)) {
        rc = TW_ENOMEM;
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        ord[i] = (order_ref){u[i].time, i};
    qsort(ord, n, sizeof *ord, cmp_order);
    /* count postings per distinct term */
    for (size_t k = 0; k < nt; k++)
        tix.val[map_slot(&tix, v->terms[k].h)]++;
    size_t slots = tix.mask + 1;
    pstart = malloc((slots + 1) * sizeof *pstart);
    pfill = calloc(slots, sizeof *pfill);
    post = malloc((nt ? nt : 1) * sizeof *post);
    tpos = malloc((n ? n : 1) * sizeof *tpos);
    tpos_unit = malloc((n ? n : 1) * sizeof *tpos_unit);
    acc = calloc(n ? n : 1, sizeof *acc);
    touched = malloc((n ? n : 1) * sizeof *touched);
    sacc = calloc(n ? n : 1, sizeof *sacc);
    stouched = malloc((n ? n : 1) * sizeof *stouched);
    scount = calloc(n ? n : 1, sizeof *scount);
    members = malloc((n ? n : 1) * sizeof *members); /* per story: linked list of positions */
    mnext = malloc((n ? n : 1) * sizeof *mnext);
    mlast = malloc((n ? n : 1) * sizeof *mlast);
    if (!pstart || !pfill || !post || !tpos || !tpos_unit || !acc || !touched || !sacc ||
        !stouched || !scount || !members || !mnext || !mlast) {
        rc = TW_ENOMEM;
        goto done;
    }
    size_t sum = 0;
    for (size_t s = 0; s < slots; s++) {
        pstart[s] = sum;
        sum += tix.key[s] ? tix.val[s] : 0;
    }
    pstart[slots] = sum;

    uint32_t nstories = 0;
    uint32_t *pos_story = malloc((n ? n : 1) * sizeof *pos_story);
    if (!pos_story) {
        rc = TW_ENOMEM;
        goto done;
    }
    for (size_t pi = 0; pi < n; pi++) {
        size_t un = ord[pi].unit;
        int64_t t = ord[pi].time;
        tpos[pi] = t;
        tpos_unit[pi] = (uint32_t)un;
        size_t ntouch = 0;
        const tw__term *x = v->terms + v->off[un];
        size_t nx = v->off[un + 1] - v->off[un];
        for (size_t k = 0; k < nx; k++) {
            size_t slot = map_find(&tix, x[k].h);
            size_t b = pstart[slot], e = b + pfill[slot];
            for (size_t q = e; q-- > b;) {
                uint32_t other = post[q];
                if (t - tpos[other] > p->window)
                    break;
                float ow = 0;
                /* the other unit's weight for this term */
                const tw__term *y = v->terms + v->off[tpos_unit[other]];
                size_t lo = 0, hi = v->off[tpos_unit[other] + 1] - v->off[tpos_unit[other]];
                while (lo < hi) {
                    size_t mid = (lo + hi) / 2;
                    if (y[mid].h < x[k].h)
                        lo = mid + 1;
                    else
                        hi = mid;
                }
                ow = y[lo].w;
                if (acc[other] == 0)
                    touched[ntouch++] = other;
                acc[other] += x[k].w * ow;
            }
        }
        /* aggregate by story: sum of decayed similarities */
        size_t nst = 0;
        for (size_t k = 0; k < ntouch; k++) {
            uint32_t other = touched[k];
            double sim = acc[other] * tw__story_time_factor(p, t - tpos[other]);
            acc[other] = 0;
            uint32_t st = pos_story[other];
            if (sacc[st] == 0 && scount[st] == 0)
                stouched[nst++] = st;
            sacc[st] += (float)sim;
            scount[st] = 1;
        }
        uint32_t best = UINT32_MAX;
        double best_score = 0;
        for (size_t k = 0; k < nst; k++) {
            uint32_t st = stouched[k];
            /* members of st inside the window (members are in time order) */
            size_t inwin = 0;
            for (uint32_t q = members[st];; q = mnext[q]) {
                if (t - tpos[q] <= p->window)
                    inwin++;
                if (q == mlast[st])
                    break;
            }
            double score = inwin ? sacc[st] / (double)inwin : 0;
            if (score >= p->threshold && (score > best_score || (score == best_score && st < best))) {
                best = st;
                best_score = score;
            }
            sacc[st] = 0;
            scount[st] = 0;
        }
        if (best == UINT32_MAX) {
            best = nstories++;
            members[best] = (uint32_t)pi;
        } else {
            mnext[mlast[best]] = (uint32_t)pi;
        }
        mlast[best] = (uint32_t)pi;
        pos_story[pi] = best;
        story[un] = best;
        for (size_t k = 0; k < nx; k++) {
            size_t slot = map_find(&tix, x[k].h);
            post[pstart[slot] + pfill[slot]++] = (uint32_t)pi;
        }
    }
    free(pos_story);
done:
    free(ord);
    map_free(&tix);
    free(pstart);
    free(pfill);
    free(post);
    free(tpos);
    free(tpos_unit);
    free(acc);
    free(touched);
    free(sacc);
    free(stouched);
    free(scount);
    free(members);
    free(mnext);
    free(mlast);
    return rc;
}
