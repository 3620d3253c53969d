#!/usr/bin/env bash
# run_all.sh — every benchmark, in one command, results in bench/results/:
#   micro.txt       per-stage micro benchmarks (bench/tw_bench.c), every ISA
#   race.md/.tsv/.svg  tawam against ekzhu/minhash-lsh, same run, same input
#   callgrind.md    instruction counts (the noisy-machine tie-breaker)
#   growth.tsv/.svg 100k, 300k and 1M generated articles in one run each
#   accuracy and story figures on stdout (bench/accuracy.sh, bench/story.sh)
# Needs ../shared/data (read, never copied); the race needs golang-go and
# golang-github-ekzhu-minhash-lsh-dev, the charts gnuplot-nox, the counts
# valgrind: installed here when missing (as root or with sudo). Each script
# says what it skips and why.
# Usage: bench/run_all.sh [RUNS]   (default 3; growth runs its largest size once)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
[ -x build/tawam ] && [ -x build/tw_bench ] || { echo "build first: bash tools/setup.sh"; exit 1; }
# the peer and the charts: Debian packages, installed when missing and we may
missing=""
for p in golang-go golang-github-ekzhu-minhash-lsh-dev gnuplot-nox valgrind; do
    dpkg -s "$p" > /dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
    if [ "$(id -u)" -eq 0 ]; then
        echo "run_all: installing$missing"
        apt-get update -q > /dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing > /dev/null
    elif command -v sudo > /dev/null; then
        echo "run_all: installing$missing"
        sudo apt-get update -q > /dev/null && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing > /dev/null
    else
        echo "run_all: without root, these stay missing (the scripts say what they skip):$missing"
    fi
fi
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
