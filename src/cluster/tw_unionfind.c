/*
 * tw_unionfind.c — union-find with path halving, linking the larger root
 * under the smaller. Linking by index instead of by rank keeps the earliest
 * member as root (what the output names) at the cost of a theoretical
 * log factor that near-copy clusters, small and built in input order, never
 * show.
 *
 * One thread changes the links; others may follow them meanwhile
 * (tw__uf_find_shared), so every link is read and written whole (relaxed
 * atomics: plain moves on x86, where the loops compile as before).
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

static inline uint32_t link_of(const tw__uf *u, uint32_t x)
{
    return __atomic_load_n(&u->parent[x], __ATOMIC_RELAXED);
}

static inline void set_link(tw__uf *u, uint32_t x, uint32_t to)
{
    __atomic_store_n(&u->parent[x], to, __ATOMIC_RELAXED);
}

uint32_t tw__uf_find(tw__uf *u, uint32_t x)
{
    uint32_t p;
    while ((p = link_of(u, x)) != x) {
        uint32_t g = link_of(u, p);
        set_link(u, x, g);
        x = g;
    }
    return x;
}

uint32_t tw__uf_find_shared(const tw__uf *u, uint32_t x)
{
    uint32_t p;
    while ((p = link_of(u, x)) != x)
        x = p;
    return x;
}

int tw__uf_union(tw__uf *u, uint32_t a, uint32_t b)
{
    uint32_t ra = tw__uf_find(u, a), rb = tw__uf_find(u, b);
    if (ra == rb)
        return 0;
    if (ra < rb)
        set_link(u, rb, ra);
    else
        set_link(u, ra, rb);
    return 1;
}
