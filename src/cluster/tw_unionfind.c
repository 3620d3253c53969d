/*
 * tw_unionfind.c — union-find with path halving, linking the larger root
 * under the smaller. Linking by index instead of by rank keeps the earliest
 * member as root (what the output names) at the cost of a theoretical
 * log factor that near-copy clusters, small and built in input order, never
 * show.
 */
#include <stdlib.h>
#include "cluster/tw_cluster.h"

int tw__uf_init(tw__uf *u, size_t n)
{
    u->parent = malloc((n ? n : 1) * sizeof *u->parent);
    if (!u->parent)
        return TW_ENOMEM;
    for (size_t i = 0; i < n; i++)
        u->parent[i] = (uint32_t)i;
    u->n = n;
    return TW_OK;
}

void tw__uf_free(tw__uf *u)
{
    if (!u)
        return;
    free(u->parent);
    u->parent = NULL;
    u->n = 0;
}

uint32_t tw__uf_find(tw__uf *u, uint32_t x)
{
    while (u->parent[x] != x) {
        u->parent[x] = u->parent[u->parent[x]];
        x = u->parent[x];
    }
    return x;
}

int tw__uf_union(tw__uf *u, uint32_t a, uint32_t b)
{
    uint32_t ra = tw__uf_find(u, a), rb = tw__uf_find(u, b);
    if (ra == rb)
        return 0;
    if (ra < rb)
        u->parent[rb] = ra;
    else
        u->parent[ra] = rb;
    return 1;
}
