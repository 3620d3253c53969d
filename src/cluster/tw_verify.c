/*
 * tw_verify.c — deciding whether an LSH candidate pair is a near-copy.
 *
 * LSH only proposes; this exact check on the shingle sets decides, so
 * precision does not depend on MinHash luck. The rule separates two things
 * that look alike to plain Jaccard: two different articles inside one site
 * template (they share many shingles, all of them boilerplate-like) and one
 * wire story reprinted by many papers (its own shingles are common because
 * it is everywhere).
 */
#include "cluster/tw_cluster.h"

int tw__docset_uses_rare(const tw__docset *d, const tw__pair_rule *rule)
{
    return d->n > 0 && (double)d->n_low >= rule->template_share * (double)d->n;
}

/* Jaccard from an intersection x of sets whose sizes sum to sum, as the
 * rule computes it; it grows with x. */
static double jaccard_of(size_t x, size_t sum)
{
    size_t uni = sum - x;
    return uni ? (double)x / (double)uni : 0.0;
}

/* The least intersection (up to most) whose Jaccard reaches t; most + 1
 * when none does. From the closed form, then settled on jaccard_of
 * itself, so that the bound decides exactly as the full count would. */
static size_t least_reaching(double t, size_t sum, size_t most)
{
    double guess = t * (double)sum / (1.0 + t);
    size_t x = guess <= 0 ? 0 : guess >= (double)most ? most : (size_t)guess;
    while (x > 0 && jaccard_of(x - 1, sum) >= t)
        x--;
    while (x <= most && jaccard_of(x, sum) < t)
        x++;
    return x;
}

/* Candidates that fail (about 70% on SaudiNewsNet) stop counting once the
 * threshold is out of reach (tw__keys_intersect's need); the decision is
 * the full count's, and a caller asking for the score gets the full
 * count. */
int tw__pair_is_dup(const tw__docset *a, const tw__docset *b, const tw__pair_rule *rule,
                    tw__buf *table, double *score)
{
    const double t = score ? 0.0 : rule->threshold;
    double j;
    size_t low = 0, high = 0;
    int rc;
    if (tw__docset_uses_rare(a, rule) && tw__docset_uses_rare(b, rule)) {
        size_t sum = (size_t)a->n_low + b->n_low;
        size_t most = a->n_low < b->n_low ? a->n_low : b->n_low;
        rc = tw__keys_intersect(table, a->fp, a->n_low, b->fp, b->n_low,
                                least_reaching(t, sum, most), &low);
        if (rc)
            return rc;
        j = jaccard_of(low, sum);
    } else {
        size_t ahi = a->n - a->n_low, bhi = b->n - b->n_low;
        size_t sum = (size_t)a->n + b->n, most_hi = ahi < bhi ? ahi : bhi;
        size_t need = least_reaching(t, sum, a->n < b->n ? a->n : b->n);
        /* the common runs can add at most most_hi to the rare runs' count */
        size_t need_low = need > most_hi ? need - most_hi : 0;
        rc = tw__keys_intersect(table, a->fp, a->n_low, b->fp, b->n_low, need_low, &low);
        if (rc)
            return rc;
        if (low < need_low)
            return 0; /* out of reach already (never when a score is asked: need is 0) */
        rc = tw__keys_intersect(table, a->fp + a->n_low, ahi, b->fp + b->n_low, bhi,
                                need > low ? need - low : 0, &high);
        if (rc)
            return rc;
        j = jaccard_of(low + high, sum);
    }
    if (score)
        *score = j;
    return j >= rule->threshold;
}
