/*
 * tw_cpu.c — which instruction set the vector kernels use, decided once,
 * and the other environment switch the library reads (TAWAM_NO_PRECOMPILED).
 *
 * The best set both the CPU and this build support, unless the environment
 * variable TAWAM_FORCE_ISA (scalar, sse42, avx2, avx512) asks for another:
 * a set the CPU or build lacks falls back to the best one below it, so a
 * forced run never faults. Every kernel has a scalar reference that the
 * tests hold the others to, byte for byte; the choice changes speed only.
 */
#include <pthread.h>
#include <string.h>
#include <stdlib.h>
#include "base/tw_base.h"

static const char *const isa_names[] = {"scalar", "sse42", "avx2", "avx512"};

const char *tw__isa_name(tw__isa isa)
{
    return (unsigned)isa < sizeof isa_names / sizeof isa_names[0] ? isa_names[isa] : "?";
}

int tw__isa_from_name(const char *name, tw__isa *out)
{
    for (unsigned i = 0; i < sizeof isa_names / sizeof isa_names[0]; i++)
        if (name && strcmp(name, isa_names[i]) == 0) {
            *out = (tw__isa)i;
            return 0;
        }
    return -1;
}

tw__isa tw__isa_supported(void)
{
#if TW_X86_KERNELS
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vbmi") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vbmi2") &&
        __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2"))
        return TW__ISA_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi"))
        return TW__ISA_AVX2;
    if (__builtin_cpu_supports("sse4.2"))
        return TW__ISA_SSE42;
#endif
    return TW__ISA_SCALAR;
}

static tw__isa active;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void choose(void)
{
    tw__isa best = tw__isa_supported(), want;
    const char *env = getenv("TAWAM_FORCE_ISA");
    active = (env && *env && tw__isa_from_name(env, &want) == 0 && want < best) ? want : best;
}

tw__isa tw__isa_active(void)
{
    pthread_once(&once, choose);
    return active;
}

const char *tw_isa(void)
{
    return tw__isa_name(tw__isa_active());
}

int tw__precompiled_off(void)
{
    const char *off = getenv("TAWAM_NO_PRECOMPILED");
    return off && *off && strcmp(off, "0") != 0;
}
