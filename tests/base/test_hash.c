/*
 * test_hash.c — tw__hash_bytes: every instruction set's variant the host
 * has, and the dispatched one, give xxHash's own XXH3_64bits (the shared
 * library's) on random bytes of every length up to past XXH3's short, mid
 * and long paths and its 1 KB stripes, from unaligned starts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <xxhash.h>

#include "base/tw_base.h"
#include "../tw_test_util.h"

static void test_every_set_is_xxh3(void **state)
{
    (void)state;
    enum { MAX = 5000 };
    uint8_t *buf = malloc(MAX + 16);
    assert_non_null(buf);
    uint64_t rng = 0x4A5B;
    for (size_t i = 0; i < MAX + 16; i++)
        buf[i] = (uint8_t)splitmix64(&rng);
    for (size_t n = 0; n <= MAX; n += n < 300 ? 1 : 97)
        for (size_t start = 0; start < 16; start += 5) {
            const uint8_t *p = buf + start;
            uint64_t want = XXH3_64bits(p, n);
            assert_true(tw__hash_bytes(p, n) == want);
            for (int isa = TW__ISA_SCALAR; isa <= (int)tw__isa_supported(); isa++)
                assert_true(tw__hash_bytes_for((tw__isa)isa)(p, n) == want);
        }
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_set_is_xxh3),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
