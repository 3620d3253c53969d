/*
 * test_buf.c — growable arrays (tw_buf.c): contents survive growth from
 * malloc's blocks into a mapping of their own (TW__BUF_MAP_MIN bytes and
 * up) and from mapping to mapping (mremap); growing an empty buffer keeps
 * nothing and need not; a failed mmap or mremap (made to fail with the
 * linker's --wrap) answers TW_ENOMEM and leaves the buffer as it was, still
 * usable and freeable; a size that overflows is refused before any
 * allocation.
 */
#define _GNU_SOURCE /* mremap's flags */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "base/tw_base.h"

void *__real_mmap(void *a, size_t n, int prot, int flags, int fd, off_t off);
void *__wrap_mmap(void *a, size_t n, int prot, int flags, int fd, off_t off);
void *__real_mremap(void *old, size_t n, size_t m, int flags, ...);
void *__wrap_mremap(void *old, size_t n, size_t m, int flags, ...);

static int fail_mmap, fail_mremap, mmaps, mremaps;

void *__wrap_mmap(void *a, size_t n, int prot, int flags, int fd, off_t off)
{
    mmaps++;
    if (fail_mmap)
        return MAP_FAILED;
    return __real_mmap(a, n, prot, flags, fd, off);
}

void *__wrap_mremap(void *old, size_t n, size_t m, int flags, ...)
{
    mremaps++;
    if (fail_mremap)
        return MAP_FAILED;
    void *to = NULL; /* the new address, passed when flags hold MREMAP_FIXED */
    if (flags & MREMAP_FIXED) {
        va_list ap;
        va_start(ap, flags);
        to = va_arg(ap, void *);
        va_end(ap);
    }
    return __real_mremap(old, n, m, flags, to);
}

/* Fills elements [from, to) of b with a pattern of their index. */
static void fill(tw__buf *b, size_t from, size_t to)
{
    uint32_t *x = b->data;
    for (size_t i = from; i < to; i++)
        x[i] = (uint32_t)(i * 2654435761u);
}

static void assert_pattern(const tw__buf *b, size_t to)
{
    const uint32_t *x = b->data;
    for (size_t i = 0; i < to; i++)
        if (x[i] != (uint32_t)(i * 2654435761u))
            fail_msg("element %zu lost", i);
}

#define ELEMS_MAP (TW__BUF_MAP_MIN / sizeof(uint32_t))

static void test_grow_keeps(void **state)
{
    (void)state;
    tw__buf b = {0};
    /* small: malloc's */
    assert_int_equal(tw__buf_reserve(&b, 1000, sizeof(uint32_t)), TW_OK);
    assert_int_equal(b.mapped, 0);
    fill(&b, 0, 1000);
    b.len = 1000;
    /* across the line: a mapping, the contents copied */
    mmaps = mremaps = 0;
    assert_int_equal(tw__buf_reserve(&b, ELEMS_MAP + 10, sizeof(uint32_t)), TW_OK);
    assert_true(b.mapped >= (ELEMS_MAP + 10) * sizeof(uint32_t));
    assert_int_equal(b.mapped % (2u << 20), 0);
    assert_int_equal((uintptr_t)b.data % (2u << 20), 0);
    assert_true(b.cap >= ELEMS_MAP + 10);
    assert_int_equal(mmaps, 1);
    assert_int_equal(b.len, 1000);
    assert_pattern(&b, 1000);
    fill(&b, 1000, b.cap);
    /* mapping to mapping: the pages moved by mremap to a new aligned place
     * (one more mmap reserves it), everything up to the old capacity kept */
    size_t old_cap = b.cap;
    assert_int_equal(tw__buf_reserve(&b, 3 * old_cap, sizeof(uint32_t)), TW_OK);
    assert_int_equal(mremaps, 1);
    assert_int_equal(mmaps, 2);
    assert_int_equal((uintptr_t)b.data % (2u << 20), 0);
    assert_true(b.cap >= 3 * old_cap);
    assert_pattern(&b, old_cap);
    fill(&b, 0, b.cap); /* all of it writable */
    tw__buf_free(&b);
    assert_null(b.data);
    assert_int_equal(b.cap + b.len + b.mapped, 0);
    tw__buf_free(&b); /* twice is harmless */
}

static void test_grow_empty(void **state)
{
    (void)state;
    tw__buf b = {0};
    assert_int_equal(tw__buf_reserve_empty(&b, 100, sizeof(uint32_t)), TW_OK);
    assert_int_equal(b.mapped, 0);
    b.len = 5;
    assert_int_equal(tw__buf_reserve_empty(&b, ELEMS_MAP, sizeof(uint32_t)), TW_OK);
    assert_int_not_equal(b.mapped, 0);
    assert_int_equal(b.len, 0);
    fill(&b, 0, b.cap);
    b.len = 7;
    assert_int_equal(tw__buf_reserve_empty(&b, 2 * b.cap, sizeof(uint32_t)), TW_OK);
    assert_int_equal(b.len, 0);
    fill(&b, 0, b.cap);
    /* no growth needed: nothing changes, len included */
    b.len = 3;
    void *d = b.data;
    assert_int_equal(tw__buf_reserve_empty(&b, 10, sizeof(uint32_t)), TW_OK);
    assert_ptr_equal(b.data, d);
    assert_int_equal(b.len, 3);
    tw__buf_free(&b);
}

static void test_failures(void **state)
{
    (void)state;
    tw__buf b = {0};
    assert_int_equal(tw__buf_reserve(&b, 1000, sizeof(uint32_t)), TW_OK);
    fill(&b, 0, 1000);
    b.len = 1000;
    tw__buf before = b;
    /* no mapping to grow into: refused, the block as it was */
    fail_mmap = 1;
    assert_int_equal(tw__buf_reserve(&b, ELEMS_MAP, sizeof(uint32_t)), TW_ENOMEM);
    assert_int_equal(tw__buf_reserve_empty(&b, ELEMS_MAP, sizeof(uint32_t)), TW_ENOMEM);
    fail_mmap = 0;
    assert_memory_equal(&b, &before, sizeof b);
    assert_pattern(&b, 1000);
    /* a mapping that cannot grow: refused, the mapping as it was */
    assert_int_equal(tw__buf_reserve(&b, ELEMS_MAP, sizeof(uint32_t)), TW_OK);
    fill(&b, 0, b.cap);
    before = b;
    fail_mremap = 1;
    assert_int_equal(tw__buf_reserve(&b, 2 * b.cap, sizeof(uint32_t)), TW_ENOMEM);
    assert_int_equal(tw__buf_reserve_empty(&b, 2 * b.cap, sizeof(uint32_t)), TW_ENOMEM);
    fail_mremap = 0;
    assert_memory_equal(&b, &before, sizeof b);
    assert_pattern(&b, b.cap);
    /* then it grows as usual */
    assert_int_equal(tw__buf_reserve(&b, 2 * before.cap, sizeof(uint32_t)), TW_OK);
    assert_pattern(&b, before.cap);
    tw__buf_free(&b);
    /* a byte count past SIZE_MAX: refused before any allocation */
    mmaps = 0;
    assert_int_equal(tw__buf_reserve(&b, SIZE_MAX / 2, 8), TW_ENOMEM);
    assert_int_equal(tw__buf_reserve_empty(&b, SIZE_MAX / 2, 8), TW_ENOMEM);
    assert_int_equal(mmaps, 0);
    assert_null(b.data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grow_keeps),
        cmocka_unit_test(test_grow_empty),
        cmocka_unit_test(test_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
