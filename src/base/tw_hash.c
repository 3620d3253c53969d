/*
 * tw_hash.c — XXH3 of a byte range, with the widest vectors the CPU has.
 *
 * XXH3's value does not depend on how it is computed, but its speed on
 * long inputs does: the shared library and a baseline x86-64 build use
 * SSE2, about 1.1 instructions a byte, where AVX2 takes a third of that
 * (tw_hash_avx2.c). A document's set (a few KB) is hashed this way to find
 * exact copies: 39 M instructions of SaudiNewsNet's near-copy job went to
 * the library's XXH3. The tests hold every variant to the library's
 * XXH3_64bits.
 */
#define XXH_INLINE_ALL
#include <xxhash.h>
#include "base/tw_base.h"

uint64_t tw__hash_bytes_scalar(const void *p, size_t n)
{
    return XXH3_64bits(p, n);
}

tw__hash_bytes_fn tw__hash_bytes_for(tw__isa isa)
{
    /* AVX-512 hosts take the AVX2 one: XXH3's AVX-512 loop gains little
     * on inputs of a few KB */
    return TW__AVX512_AVX2_OR(isa, tw__hash_bytes_avx2, tw__hash_bytes_avx2, tw__hash_bytes_scalar);
}

uint64_t tw__hash_bytes(const void *p, size_t n)
{
    return tw__hash_bytes_for(tw__isa_active())(p, n);
}
