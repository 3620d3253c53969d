/*
 * tw_charmap.c — normalized text at one byte a character, for the
 * byte-mode Hyperscan databases of phrase/ (tw_text.h has the mapping):
 * the boilerplate patterns and the name spotter's literals.
 *
 * Arabic news is two bytes a letter in UTF-8, and Hyperscan's literal
 * matcher costs per byte scanned: on the first 3,000 SaudiNewsNet
 * articles the built-in boilerplate patterns, mapped the same way, ran in
 * 49.9 M instructions where the UTF-8 text took 89.5 M, and the spotter
 * in 39.5 M where it took 73.5 M (map included), with the same matches.
 * Each unit's byte is written at its last byte, so the mapping reads a
 * byte, the one before and the one after: no state, which the vector
 * kernels share, closing up the bytes they keep with a shuffle per 8
 * (tw_text_kernels.h) or one compress per 64 (tw_text_avx512.c). ck[]
 * counts the units every 64 bytes so that a match's offsets map back with
 * a walk of at most 64 bytes.
 *
 * This file is the reference: the kernels must write its bytes and ck.
 */
#include <stdlib.h>
#include <string.h>
#include "text/tw_text.h"

static inline int is_cont(uint8_t b)
{
    return (b & 0xC0) == 0x80;
}

static inline int is_last(const uint8_t *in, size_t len, size_t j)
{
    return j + 1 == len || !is_cont(in[j + 1]);
}

static inline uint8_t unit_byte(uint8_t x, uint8_t before)
{
    if (x < 0x80)
        return x;
    if (is_cont(x) && before == 0xD8)
        return x;
    if (is_cont(x) && before == 0xD9)
        return (uint8_t)(x + 0x40);
    if (x == 0xA9 && before == 0xC2)
        return 0x01;
    return 0x7F;
}

/* The reference over in[j0, j1), k units written so far; returns k. */
static size_t map_range(const uint8_t *in, size_t len, size_t j0, size_t j1, uint8_t *out, uint32_t *ck,
                        size_t k)
{
    for (size_t j = j0; j < j1; j++) {
        if (j % 64 == 0)
            ck[j / 64] = (uint32_t)k;
        if (is_last(in, len, j))
            out[k++] = unit_byte(in[j], j ? in[j - 1] : 0);
    }
    return k;
}

static tw__charmap_kernel kernel_for(tw__isa isa)
{
#if TW_X86_KERNELS
    if (isa >= TW__ISA_AVX512)
        return tw__charmap_avx512;
    if (isa == TW__ISA_AVX2)
        return tw__charmap_avx2;
    if (isa == TW__ISA_SSE42)
        return tw__charmap_sse42;
#else
    TW_UNUSED(isa);
#endif
    return NULL;
}

/* The kernel on the 32-byte block at in[at, at + n) (n <= 32) of a text
 * of len bytes, through a copy with the byte before it (0 at the text's
 * start, as the reference has it) and the byte after it, or at the text's
 * end NULs: each NUL is a unit of its own after the block's, dropped
 * again, and the last byte, followed by one, ends a unit as the text's
 * last byte does. ck: the block's entry, when it starts one. */
static size_t map_block_copy(tw__charmap_kernel kernel, const tw__norm_simd *s,
                             const uint8_t *in, size_t len, size_t at, size_t n, uint8_t *out,
                             uint32_t *ck, size_t k)
{
    uint8_t buf[1 + 32 + 1] = {0};
    uint32_t ck_block[2];
    buf[0] = at ? in[at - 1] : 0;
    memcpy(buf + 1, in + at, at + n < len ? n + 1 : n);
    if (at % 64 == 0)
        ck[at / 64] = (uint32_t)k;
    return kernel(s, buf + 1, 0, 32, out, ck_block, k) - (32 - n);
}

size_t tw__charmap_with(const tw__norm_simd *s, const uint8_t *in, size_t len, uint8_t *out,
                        uint32_t *ck, tw__isa isa)
{
    tw__charmap_kernel kernel = kernel_for(isa);
    size_t k;
    if (kernel && len > 33) {
        /* the first block (no byte before it) and the last (none after
         * it) through copies, whole 32-byte blocks between, each with a
         * byte after it (map_range, the scalar loop, took those two
         * blocks of every text at 1.1% of the near-copy job) */
        size_t end = 32 + (len - 1 - 32) / 32 * 32;
        k = map_block_copy(kernel, s, in, len, 0, 32, out, ck, 0);
        k = kernel(s, in, 32, end, out, ck, k);
        k = map_block_copy(kernel, s, in, len, end, len - end, out, ck, k);
    } else {
        k = map_range(in, len, 0, len, out, ck, 0);
    }
    for (size_t b = (len + 63) / 64; b <= len / 64 + 1; b++)
        ck[b] = (uint32_t)k;
    return k;
}

static int forced_off;

void tw__charmap_force_off(int on)
{
    forced_off = on != 0;
}

int tw__charmap_fast(void)
{
    return !forced_off && kernel_for(tw__isa_active()) != NULL;
}

int tw__charmap_usable(const tw__norm_table *t)
{
    return (t->rules & TW_NORM_CONTROLS) != 0 && tw__charmap_fast();
}

size_t tw__charmap(const tw__norm_simd *s, const uint8_t *in, size_t len, uint8_t *out, uint32_t *ck)
{
    return tw__charmap_with(s, in, len, out, ck, tw__isa_active());
}

/* Bit i set when in[base + i] is a last byte (i < 64, base + i < len):
 * eight bytes at a time, each one's top two bits compared at once. */
static uint64_t last_bytes(const uint8_t *in, size_t len, size_t base)
{
    uint8_t next[64] = {0}; /* in[base + 1, base + 65); past len, 0 (not a continuation) */
    size_t n = len - base - 1 < 64 ? len - base - 1 : 64;
    memcpy(next, in + base + 1, n);
    uint64_t mask = 0;
    for (unsigned q = 0; q < 8; q++) {
        uint64_t w;
        memcpy(&w, next + 8 * q, 8);
        /* bit 7 of each byte: a continuation (10xxxxxx) */
        uint64_t cont = w & ~(w << 1) & 0x8080808080808080ull;
        uint64_t other = (~cont & 0x8080808080808080ull) >> 7;
        mask |= ((other * 0x0102040810204080ull) >> 56) << (8 * q);
    }
    if (len - base < 64)
        mask &= ((uint64_t)1 << (len - base)) - 1;
    return mask;
}

size_t tw__charmap_to_text(const uint8_t *in, size_t len, const uint32_t *ck, size_t m)
{
    if (m == 0)
        return 0;
    size_t want = m - 1; /* where unit m - 1 ends */
    if (want >= ck[len / 64 + 1])
        return len;
    /* the last block whose count is want or less: unit want ends in it */
    size_t lo = 0, hi = (len + 63) / 64; /* ck[lo] <= want < ck[hi] */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (ck[mid] <= want)
            lo = mid;
        else
            hi = mid;
    }
    uint64_t last = last_bytes(in, len, lo * 64);
    for (size_t r = want - ck[lo]; r; r--)
        last &= last - 1;
    return lo * 64 + (size_t)__builtin_ctzll(last) + 1;
}

size_t tw__charmap_to_units(const uint8_t *in, size_t len, const uint32_t *ck, size_t o)
{
    if (o >= len)
        return ck[len / 64 + 1];
    size_t b = o / 64, off = o - b * 64;
    uint64_t last = off ? last_bytes(in, len, b * 64) & (~(uint64_t)0 >> (64 - off)) : 0;
    return ck[b] + (size_t)__builtin_popcountll(last);
}

int tw__mapped_make(tw__mapped *m, const tw__norm_simd *s, const uint8_t *text, size_t len)
{
    m->valid = 0;
    if (tw__buf_reserve(&m->bytes, len + 33, 1) || tw__buf_reserve(&m->ck, TW__CHARMAP_CK(len), sizeof(uint32_t)))
        return TW_ENOMEM;
    m->units = tw__charmap(s, text, len, m->bytes.data, m->ck.data);
    m->bytes.len = m->units;
    m->ck.len = TW__CHARMAP_CK(len);
    m->valid = 1;
    return TW_OK;
}

void tw__mapped_free(tw__mapped *m)
{
    if (!m)
        return;
    tw__buf_free(&m->bytes);
    tw__buf_free(&m->ck);
    m->units = 0;
    m->valid = 0;
}

int tw__charmap_covers(const char *s_, size_t len)
{
    const uint8_t *p = (const uint8_t *)s_;
    for (size_t i = 0; i < len; i++) {
        if (p[i] < 0x80)
            continue;
        if (i + 1 < len && is_cont(p[i + 1]) && (i + 2 >= len || !is_cont(p[i + 2])) &&
            (p[i] == 0xD8 || p[i] == 0xD9 || (p[i] == 0xC2 && p[i + 1] == 0xA9))) {
            i++;
            continue;
        }
        return 0;
    }
    return 1;
}

int tw__charmap_string(const tw__norm_simd *s, tw__buf *b)
{
    uint8_t *out = malloc(b->len + 33);
    uint32_t *ck = malloc(TW__CHARMAP_CK(b->len) * sizeof *ck);
    if (!out || !ck) {
        free(out), free(ck);
        return TW_ENOMEM;
    }
    size_t n = tw__charmap_with(s, b->data, b->len, out, ck, TW__ISA_SCALAR);
    out[n] = 0;
    free(ck);
    free(b->data);
    b->data = out;
    b->len = n;
    b->cap = n + 33;
    return TW_OK;
}
