/*
 * tw_base.h — what every stage shares: growable buffers and small helpers.
 *
 * Buffers grow geometrically and are reused between documents (reset, not
 * freed), so the per-document path allocates only while a scratch warms up,
 * never per token or shingle.
 */
#ifndef TW_BASE_H
#define TW_BASE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "tawam.h"

#define TW_UNUSED(x) ((void)(x))
#define TW_LIKELY(x) __builtin_expect(!!(x), 1)
#define TW_UNLIKELY(x) __builtin_expect(!!(x), 0)
/* Unrolls the loop after it four times: for the short scalar loops that
 * count and scatter hash keys (a load, a shift, an increment a key), where
 * gcc 12 at -O3 leaves the loop's own three instructions on every key. */
#if defined(__GNUC__) && !defined(__clang__)
#define TW_UNROLL4 _Pragma("GCC unroll 4")
#elif defined(__clang__)
#define TW_UNROLL4 _Pragma("unroll 4")
#else
#define TW_UNROLL4
#endif

/* A growable array of fixed-size elements. Big ones (TW__BUF_MAP_MIN
 * bytes and up) are mappings of their own with a huge-page hint (tw_buf.c):
 * free one only with tw__buf_free, and hand one over by copying the whole
 * struct. */
typedef struct tw__buf {
    void *data;
    size_t len;    /* elements in use */
    size_t cap;    /* elements allocated */
    size_t mapped; /* bytes mapped when data is a mapping, else 0 (malloc's) */
} tw__buf;

/* Arrays of this many bytes or more are mappings (see tw__buf). */
#define TW__BUF_MAP_MIN ((size_t)4 << 20)

/* Ensures room for `need` elements of `elem` bytes; TW_OK or TW_ENOMEM.
 * The check is inline (hot loops call it per item); growing is not. */
int tw__buf_grow(tw__buf *b, size_t need, size_t elem);
static inline int tw__buf_reserve(tw__buf *b, size_t need, size_t elem)
{
    return TW_LIKELY(need <= b->cap) ? 0 : tw__buf_grow(b, need, elem);
}
void tw__buf_free(tw__buf *b);
/* tw__buf_reserve for a buffer whose contents are dead (len is 0): when it
 * must grow, the old block is freed and a new one taken, so nothing is
 * copied (realloc copies every byte it moves). */
int tw__buf_grow_empty(tw__buf *b, size_t need, size_t elem);
static inline int tw__buf_reserve_empty(tw__buf *b, size_t need, size_t elem)
{
    return TW_LIKELY(need <= b->cap) ? 0 : tw__buf_grow_empty(b, need, elem);
}

/* Open addressing over nonzero 32-bit keys (0 marks an empty slot; keys
 * are hashes, so a multiplicative hash spreads them), linear probing in a
 * table of mask + 1 slots that is never full: the slot holding x, or the
 * empty slot where x goes. The fingerprint set, the story term map and the
 * DF counting tables all probe this way. */
static inline size_t tw__key_home(size_t mask, uint32_t x)
{
    return (size_t)((x * 0x9E3779B1u) & mask); /* where probing for x starts */
}

/* The probe over slots of `stride` bytes, each starting with its key (a
 * key beside its values keeps a probe and what it finds in one line). */
static inline size_t tw__key_slot_in(const void *slots, size_t stride, size_t mask, uint32_t x)
{
    size_t i = tw__key_home(mask, x);
    for (;;) {
        uint32_t k;
        memcpy(&k, (const char *)slots + i * stride, sizeof k);
        if (!k || k == x)
            return i;
        i = (i + 1) & mask;
    }
}

static inline size_t tw__key_slot(const uint32_t *keys, size_t mask, uint32_t x)
{
    return tw__key_slot_in(keys, sizeof *keys, mask, x);
}

/* Sorts a[0, n) of type T in place, ascending and stably, where
 * LESS(P, x, y) says x goes before y (P: a parameter handed through): an
 * insertion sort, for runs that are short or nearly in order (after a
 * bucket pass). The counting sorts of shingle sets, story terms and LSH
 * sub-buckets finish with it. */
#define TW__INSERTION_SORT_WITH(T, a, n, LESS, P)                                                 \
    do {                                                                                          \
        for (size_t i_ = 1; i_ < (n); i_++) {                                                     \
            T x_ = (a)[i_];                                                                       \
            size_t j_ = i_;                                                                       \
            while (j_ > 0 && LESS(P, x_, (a)[j_ - 1])) {                                          \
                (a)[j_] = (a)[j_ - 1];                                                            \
                j_--;                                                                             \
            }                                                                                     \
            (a)[j_] = x_;                                                                         \
        }                                                                                         \
    } while (0)

/* The same by KEY(element), an integer. */
#define TW__KEY_LESS(KEY, x, y) (KEY(x) < KEY(y))
#define TW__INSERTION_SORT(T, a, n, KEY) TW__INSERTION_SORT_WITH(T, a, n, TW__KEY_LESS, KEY)

/* Stable LSD radix sort of a[0, n) by KEY(x), an unsigned integer of
 * `bits` bits (a multiple of 8), a byte a pass; a pass whose byte is the
 * same for every element is skipped (already in order). tmp has room for
 * n; the result ends in a. */
#define TW__RADIX_BY_BYTES(T, a, tmp, n, bits, KEY)                                                \
    do {                                                                                          \
        T *src_ = (a), *dst_ = (tmp);                                                             \
        for (int shift_ = 0; (n) > 0 && shift_ < (bits); shift_ += 8) {                           \
            size_t count_[257] = {0};                                                             \
            for (size_t i_ = 0; i_ < (n); i_++)                                                   \
                count_[((KEY(src_[i_]) >> shift_) & 0xFF) + 1]++;                                 \
            if (count_[((KEY(src_[0]) >> shift_) & 0xFF) + 1] == (n))                             \
                continue;                                                                         \
            for (int b_ = 0; b_ < 256; b_++)                                                      \
                count_[b_ + 1] += count_[b_];                                                     \
            for (size_t i_ = 0; i_ < (n); i_++)                                                   \
                dst_[count_[(KEY(src_[i_]) >> shift_) & 0xFF]++] = src_[i_];                      \
            T *t_ = src_;                                                                         \
            src_ = dst_;                                                                          \
            dst_ = t_;                                                                            \
        }                                                                                         \
        if (src_ != (a))                                                                          \
            memcpy((a), src_, (n) * sizeof *src_);                                                \
    } while (0)

/* Turns n counts into starting offsets (an exclusive prefix sum), as a
 * counting sort's scatter wants them; returns the total. */
static inline size_t tw__offsets(size_t *count, size_t n)
{
    size_t sum = 0;
    for (size_t i = 0; i < n; i++) {
        size_t c = count[i];
        count[i] = sum;
        sum += c;
    }
    return sum;
}

/* Sorts n 32-bit keys in place (LSD radix; tmp must hold n keys). */
void tw__radix_sort_u32(uint32_t *keys, uint32_t *tmp, size_t n);

/* Monotonic wall-clock seconds (tw_parallel.c), for the steps' timings. */
double tw__seconds(void);

/* --------------------------------------------- threads (tw_parallel.c) */

/* Work on items [begin, end) as worker number `worker`; nonzero = failure. */
typedef int (*tw__range_fn)(void *ctx, unsigned worker, size_t begin, size_t end);
/* Splits [0, n) into up to `threads` contiguous ranges of at least
 * min_per_thread items, runs them in parallel (the caller's thread takes
 * the first) and returns the first failure of a range, in range order.
 * Range t is always [n*t/k, n*(t+1)/k) with worker number t, k being
 * min(threads, n / min_per_thread) (at least 1), whether or not threads
 * could be started. */
int tw__parallel_for(size_t n, unsigned threads, size_t min_per_thread, tw__range_fn fn, void *ctx);
/* k above: how many ranges (and workers) tw__parallel_for makes of n items,
 * for callers that keep something per worker. */
unsigned tw__parallel_ranges(size_t n, unsigned threads, size_t min_per_thread);
/* For passes whose results do not depend on which worker does what (each
 * item's own output, or per-worker sums): [0, n) in blocks of `grain`
 * items, claimed in order by up to `threads` workers as each finishes its
 * last, so that a worker given dense items does not hold the others up at
 * the end (contiguous halves of SaudiNewsNet differ by 30-45% in some
 * passes). fn is called once per block; worker numbers are below
 * min(threads, ceil(n / grain)). Returns a failure of some block (blocks
 * not yet claimed are then skipped), or 0. */
int tw__parallel_claim(size_t n, unsigned threads, size_t grain, tw__range_fn fn, void *ctx);

/* ------------------------------------------ instruction sets (tw_cpu.c) */

/* x86-64 vector kernels are compiled in (one file per set, -m flags). */
#ifndef TW_X86_KERNELS
#define TW_X86_KERNELS 0
#endif

/* A kernel that only AVX-512 has beside its scalar reference: the one to
 * run for an instruction set (the kernel's symbol exists only in x86
 * builds). */
#if TW_X86_KERNELS
#define TW__AVX512_OR(isa, kernel_avx512, reference) \
    ((isa) >= TW__ISA_AVX512 ? (kernel_avx512) : (reference))
#else
#define TW__AVX512_OR(isa, kernel_avx512, reference) ((void)(isa), (reference))
#endif
/* The same for a kernel that AVX2 has too (AVX-512 hosts take theirs). */
#if TW_X86_KERNELS
#define TW__AVX512_AVX2_OR(isa, kernel_avx512, kernel_avx2, reference)                          \
    ((isa) >= TW__ISA_AVX512 ? (kernel_avx512) : (isa) == TW__ISA_AVX2 ? (kernel_avx2) : (reference))
#else
#define TW__AVX512_AVX2_OR(isa, kernel_avx512, kernel_avx2, reference) ((void)(isa), (reference))
#endif

typedef enum tw__isa {
    TW__ISA_SCALAR = 0,
    TW__ISA_SSE42 = 1,
    TW__ISA_AVX2 = 2,
    TW__ISA_AVX512 = 3,
} tw__isa;

/* The set the kernels use: chosen once, TAWAM_FORCE_ISA honoured. */
tw__isa tw__isa_active(void);
/* The best set this CPU and build support. */
tw__isa tw__isa_supported(void);
const char *tw__isa_name(tw__isa isa);
int tw__isa_from_name(const char *name, tw__isa *out);

/* ------------------------- sets of keys in a scratch table (tw_buf.c) */

/* A key table is a tw__buf of uint32_t slots, zero between calls, that a
 * call fills with a set of nonzero keys (hashes: tw__key_slot's probing, at
 * most a quarter full) and clears again. It replaced sorting a document's
 * shingles: one probe a key, where the bucket sort took a bucket pass, a
 * sorting network and a merge (see tw_buf.c). Each fails only when the
 * table cannot grow (TW_ENOMEM, nothing changed); tw__keys_reserve makes
 * room for sets of up to n keys beforehand. */
int tw__keys_reserve(tw__buf *table, size_t n);

/* Drops repeated keys from keys[0, n) in place, keeping each key's first
 * occurrence in order; *out gets how many are left. */
int tw__keys_unique(tw__buf *table, uint32_t *keys, size_t n, size_t *out);

/* |A ∩ B| of two duplicate-free key sets, in any order, into *out; or, as
 * soon as the count can no longer reach `need`, some count below need
 * (need 0: always the exact count). */
int tw__keys_intersect(tw__buf *table, const uint32_t *a, size_t na, const uint32_t *b,
                       size_t nb, size_t need, size_t *out);

/* A hash of a duplicate-free key set that does not depend on the keys'
 * order (a sum of one product per key): equal sets, equal hashes. */
uint64_t tw__keys_hash(const uint32_t *keys, size_t n);
/* The same, by instruction set (tw__keys_hash takes the active one's). */
#define TW__KEYS_HASH_C1 0x9E3779B9u
#define TW__KEYS_HASH_C2 0x7F4A7C15u
uint64_t tw__keys_hash_scalar(const uint32_t *keys, size_t n);
uint64_t tw__keys_hash_avx2(const uint32_t *keys, size_t n);

/* Whether TAWAM_NO_PRECOMPILED is set (not empty, not "0"): what is made at
 * build time (Hyperscan databases, the normalization table, LSH bands) is
 * then computed at run time instead; the tests compare both paths. */
int tw__precompiled_off(void);

#endif
