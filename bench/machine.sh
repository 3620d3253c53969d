#!/usr/bin/env bash
# machine.sh — one line naming the machine, compiler and ISA, printed beside
# every figure (figures without their machine are not comparable). The ISA
# is the one tawam's kernels use (`tawam --version`), next to the best the
# CPU has. Usage: bench/machine.sh [TAWAM]
TAWAM=${1:-${TAWAM:-build/tawam}}
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
host=none
for f in avx512bw avx2 sse4_2; do grep -q -w "$f" /proc/cpuinfo && { host=$f; break; }; done
kern=$("$TAWAM" --version 2> /dev/null | sed -n 's/.*kernels: \([a-z0-9]*\).*/\1/p')
commit=$(git rev-parse --short HEAD 2> /dev/null || echo unknown)
echo "machine: $cpu, $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GB; $(gcc --version | head -1); best ISA on host: $host; tawam kernels: ${kern:-?}${TAWAM_FORCE_ISA:+ (forced)}; commit $commit"
