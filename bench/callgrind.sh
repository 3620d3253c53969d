#!/usr/bin/env bash
# callgrind.sh — instruction counts, for when the shared machine's timings
# are too noisy to compare: valgrind --tool=callgrind on the first N lines
# of a feed (default 3000 of SaudiNewsNet), the near-copy job with one
# thread on every instruction set the host has, and story mode. (The Go
# peer does not run under valgrind; bench/race.sh times it.)
# Counts include start-up. Writes bench/results/callgrind.md.
# Usage: bench/callgrind.sh [FEED] [LINES]
set -euo pipefail
cd "$(dirname "$0")/.."
FEED=${1:-../shared/data/saudinewsnet.jsonl}
LINES=${2:-3000}
TAWAM=${TAWAM:-build/tawam}
[ -f "$FEED" ] || { echo "callgrind: $FEED is absent; nothing measured"; exit 0; }
command -v valgrind > /dev/null || { echo "callgrind: apt-get install valgrind"; exit 0; }
mkdir -p bench/results
# valgrind counts each step of a `rep stosb` or `rep movsb` as an
# instruction, so glibc's memset and memcpy of 2 KB or more (rep on this
# kind of CPU) counted a byte an instruction: the key tables' clears (8-16
# KB a document) were 6% of the near-copy job's count and a fraction of a
# percent of its time (perf). Here they keep to the vector loops they use
# below 2 KB. (Counts before session 15 were taken without this.)
export GLIBC_TUNABLES=glibc.cpu.x86_rep_stosb_threshold=1000000000:glibc.cpu.x86_rep_movsb_threshold=1000000000
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
head -n "$LINES" "$FEED" > "$OUT/feed.jsonl"
bytes=$(stat -c %s "$OUT/feed.jsonl")
{
bash bench/machine.sh "$TAWAM"
echo "feed: first $LINES lines of $FEED ($bytes bytes)"
echo
echo "| run | instructions | instructions per input byte |"
echo "|---|---|---|"
run() {
    local name=$1; shift
    valgrind --tool=callgrind --trace-children=yes --callgrind-out-file="$OUT/cg.%p" "$@" > /dev/null 2> "$OUT/log" || true
    local ir
    ir=$(sed -n "s/.*Collected : \([0-9]*\).*/\1/p" "$OUT/log" | tail -1)
    if [ -n "$ir" ]; then
        python3 -c "import sys; ir=int(sys.argv[1]); print(f'| $name | {ir:,} | {ir/int(sys.argv[2]):.1f} |')" "$ir" "$bytes"
    else
        echo "| $name | (does not run under valgrind) | |"
    fi
}
for isa in scalar sse42 avx2 avx512; do
    # asked under valgrind itself: it has no AVX-512, whatever the host has
    forced=$(TAWAM_FORCE_ISA=$isa valgrind --tool=none -q "$TAWAM" --version | sed -n 's/.*kernels: \([a-z0-9]*\).*/\1/p')
    [ "$forced" = "$isa" ] || { echo "callgrind: $isa is not available under valgrind; not counted" >&2; continue; }
    run "tawam dup -j 1, $isa" env TAWAM_FORCE_ISA=$isa "$TAWAM" cluster -q -j 1 --mode dup "$OUT/feed.jsonl"
done
run "tawam story -j 1" "$TAWAM" cluster -q -j 1 --mode story "$OUT/feed.jsonl"
} | tee bench/results/callgrind.md
