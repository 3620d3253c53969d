#!/usr/bin/env bash
# machine.sh — one line naming the machine, compiler and ISA, printed beside
# every figure (figures without their machine are not comparable).
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
isa=$(grep -m1 -o -w -E 'avx512bw|avx2|sse4_2' /proc/cpuinfo | head -1)
for f in avx512bw avx2 sse4_2; do grep -q -w "$f" /proc/cpuinfo && { isa=$f; break; }; done
echo "machine: $cpu, $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GB; $(gcc --version | head -1); best ISA on host: $isa (tawam 0.1 runs scalar code)"
