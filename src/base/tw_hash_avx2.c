/*
 * tw_hash_avx2.c — XXH3 of a byte range built with -mavx2: xxHash's own
 * header, inlined, picks its AVX2 accumulator loop. The same values as
 * tw_hash.c's (XXH3 is defined independently of the vector width; the
 * tests compare). Called only when the CPU has AVX2.
 */
#define XXH_INLINE_ALL
#include <xxhash.h>
#include "base/tw_base.h"

uint64_t tw__hash_bytes_avx2(const void *p, size_t n)
{
    return XXH3_64bits(p, n);
}
