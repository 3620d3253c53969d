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

int tw__pair_is_dup(const tw__docset *a, const tw__docset *b, const tw__pair_rule *rule,
                    double *score)
{
    size_t low = tw__intersect_sorted(a->fp, a->n_low, b->fp, b->n_low);
    double j;
    if (tw__docset_uses_rare(a, rule) && tw__docset_uses_rare(b, rule)) {
        size_t uni = (size_t)a->n_low + b->n_low - low;
        j = uni ? (double)low / (double)uni : 0.0;
    } else {
        size_t high = tw__intersect_sorted(a->fp + a->n_low, a->n - a->n_low, b->fp + b->n_low,
                                           b->n - b->n_low);
        size_t inter = low + high, uni = (size_t)a->n + b->n - inter;
        j = uni ? (double)inter / (double)uni : 0.0;
    }
    if (score)
        *score = j;
    return j >= rule->threshold;
}
