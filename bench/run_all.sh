#!/usr/bin/env bash
# run_all.sh — every benchmark, in one command, results in bench/results/:
#   micro.txt       per-stage micro benchmarks (bench/tw_bench.c), every ISA
#   race.md/.tsv/.svg  tawam against ekzhu/minhash-lsh, same run, same input
#   callgrind.md    instruction counts (the noisy-machine tie-breaker)
#   growth.tsv/.svg 100k, 300k and 1M generated articles in one run each
#   accuracy and story figures on stdout (bench/accuracy.sh, bench/story.sh)
# Needs ../shared/data (read, never copied); the race needs
#   apt-get install golang-go golang-github-ekzhu-minhash-lsh-dev
# and the charts gnuplot-nox. Each script says what it skips and why.
# Usage: bench/run_all.sh [RUNS]   (default 3; growth runs its largest size once)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
[ -x build/tawam ] && [ -x build/tw_bench ] || { echo "build first: bash tools/setup.sh"; exit 1; }
mkdir -p bench/results
FEED=../shared/data/saudinewsnet.jsonl
echo "== micro benchmarks (median of $RUNS)"
if [ -f "$FEED" ]; then
    { bash bench/machine.sh; build/tw_bench --runs "$RUNS" "$FEED"; } 2> /dev/null | tee bench/results/micro.txt
else
    echo "skip: $FEED is absent"
fi
echo; echo "== the race"
bash bench/race.sh "$FEED" "$RUNS"
echo; echo "== instruction counts"
bash bench/callgrind.sh "$FEED" 3000
echo; echo "== growth: 100k, 300k, 1M articles"
bash bench/growth.sh -r "$RUNS"
echo; echo "== accuracy on perturbed near-copies"
bash bench/accuracy.sh
echo; echo "== story mode"
bash bench/story.sh "$RUNS"
