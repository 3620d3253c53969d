#!/usr/bin/env bash
# race.sh — tawam against its peer, in the same run on the same input.
#
# The peer is bench/peer/ekzhu_dup.go on Debian's golang-github-ekzhu-minhash-
# lsh-dev doing the near-copy job (the same folding, word 5-shingles, 128
# hashes, LSH at 0.5, union-find), GOMAXPROCS=1. tawam runs the near-copy job
# with one thread on every instruction set the host has (TAWAM_FORCE_ISA),
# then with -j 2, then story mode with -j 1 and -j 2. Every configuration
# runs RUNS times, the configurations interleaved (a noisy neighbour hits all
# of them alike); medians, MB/s, peak RSS, speed-up over the peer. Writes
# bench/results/race.md, race.tsv and, with gnuplot, race.svg.
# Usage: bench/race.sh [FEED] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
FEED=${1:-../shared/data/saudinewsnet.jsonl}
RUNS=${2:-3}
TAWAM=${TAWAM:-build/tawam}
[ -f "$FEED" ] || { echo "race: $FEED is absent; nothing measured"; exit 0; }
if [ ! -d /usr/share/gocode/src/github.com/ekzhu/minhash-lsh ] || ! command -v go > /dev/null; then
    echo "race: the peer needs Debian packages: apt-get install golang-go golang-github-ekzhu-minhash-lsh-dev"
    exit 0
fi
mkdir -p bench/results
GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE=${GOCACHE:-/tmp/tawam-gocache} \
    go build -o build/ekzhu_dup bench/peer/ekzhu_dup.go
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

# name | environment | command
configs=()
host=$("$TAWAM" --version | sed -n 's/.*kernels: \([a-z0-9]*\).*/\1/p')
for isa in scalar sse42 avx2 avx512; do
    forced=$(TAWAM_FORCE_ISA=$isa "$TAWAM" --version | sed -n 's/.*kernels: \([a-z0-9]*\).*/\1/p')
    [ "$forced" = "$isa" ] || continue # the host (or build) lacks it
    configs+=("tawam dup -j 1 $isa|TAWAM_FORCE_ISA=$isa|$TAWAM cluster -q -j 1 --mode dup $FEED")
done
configs+=("tawam dup -j 2 $host||$TAWAM cluster -q -j 2 --mode dup $FEED")
configs+=("tawam story -j 1 $host||$TAWAM cluster -q -j 1 --mode story $FEED")
configs+=("tawam story -j 2 $host||$TAWAM cluster -q -j 2 --mode story $FEED")
configs+=("peer dup (ekzhu/minhash-lsh, Go, GOMAXPROCS=1)|GOMAXPROCS=1|build/ekzhu_dup $FEED")

{
bash bench/machine.sh "$TAWAM"
echo "peer: $(go version | cut -d' ' -f3), ekzhu/minhash-lsh $(dpkg-query -W -f '${Version}' golang-github-ekzhu-minhash-lsh-dev)"
echo "feed: $FEED ($(stat -c %s "$FEED") bytes); $RUNS runs of every configuration, interleaved"
} > "$OUT/header"
for r in $(seq "$RUNS"); do
    for k in "${!configs[@]}"; do
        IFS='|' read -r name envs cmd <<< "${configs[$k]}"
        env $envs /usr/bin/time -f "%e %M" -o "$OUT/t.$k.$r" $cmd > "$OUT/o.$k.jsonl" 2> /dev/null || true
    done
done
for k in "${!configs[@]}"; do echo "${configs[$k]%%|*}"; done > "$OUT/names"
python3 - "$OUT" "$RUNS" "$(stat -c %s "$FEED")" <<'PY'
import json, statistics, sys
out, runs, nbytes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
names = open(f"{out}/names").read().splitlines()
rows = []
for k, name in enumerate(names):
    t = [tuple(map(float, open(f"{out}/t.{k}.{r}").read().split("\n")[-2].split()))
         for r in range(1, runs + 1)]
    field = "story" if " story " in name else "dup"
    sizes = {}
    for line in open(f"{out}/o.{k}.jsonl"):
        v = json.loads(line).get(field)
        if v is not None:
            sizes[json.dumps(v)] = sizes.get(json.dumps(v), 0) + 1
    multi = [n for n in sizes.values() if n > 1]
    rows.append((name, statistics.median(x[0] for x in t), [x[0] for x in t],
                 max(x[1] for x in t) / 1024, len(multi), sum(multi)))
peer = next(r for r in rows if r[0].startswith("peer"))[1]
header = open(f"{out}/header").read()
lines = [header, "| configuration | median s | all runs | MB/s | peak RSS MB | x peer | clusters of 2+ | articles in them |",
         "|---|---|---|---|---|---|---|---|"]
for name, med, all_, rss, c, a in rows:
    lines.append(f"| {name} | {med:.2f} | {', '.join(f'{x:.2f}' for x in all_)} | {nbytes / 1e6 / med:.1f} | "
                 f"{rss:.0f} | {peer / med:.1f} | {c} | {a} |")
def med(prefix):
    return next(r[1] for r in rows if r[0].startswith(prefix))
best1 = min(r[1] for r in rows if r[0].startswith("tawam dup -j 1"))
lines.append("")
lines.append(f"near-copy job, one thread, best ISA: {peer / best1:.1f}x the peer (acceptance: >= 50x)")
lines.append(f"story mode, one thread: {peer / med('tawam story -j 1'):.1f}x the peer's near-copy job (acceptance: >= 15x)")
lines.append(f"-j 2 against -j 1 (near-copy job, best ISA): {best1 / med('tawam dup -j 2'):.2f}x (acceptance: >= 1.7x)")
lines.append(f"-j 2 against -j 1 (story mode): {med('tawam story -j 1') / med('tawam story -j 2'):.2f}x")
text = "\n".join(lines) + "\n"
print(text)
open("bench/results/race.md", "w").write(text)
with open("bench/results/race.tsv", "w") as f:
    f.write("# configuration\tmedian_s\tMB_per_s\tpeak_rss_MB\tx_peer\tlabel\n")
    for name, med_, all_, rss, c, a in rows:
        label = "peer (Go) dup" if name.startswith("peer") else name.replace("tawam ", "")
        f.write(f"{name}\t{med_:.3f}\t{nbytes / 1e6 / med_:.2f}\t{rss:.0f}\t{peer / med_:.2f}\t{label}\n")
PY
if command -v gnuplot > /dev/null; then
    title=$(head -1 "$OUT/header" | sed 's/"/\\"/g')
    gnuplot <<GP
set terminal svg size 1000,460 font "sans,11"
set output "bench/results/race.svg"
set title "SaudiNewsNet (96 MB), throughput, median of $RUNS runs\n{/*0.7 $title}"
set datafile separator "\t"
set style fill solid 0.8
set boxwidth 0.6
set xtics rotate by -30 right scale 0 font ",10" offset 0,-0.3
set bmargin 7
set ylabel "MB/s (log scale)"
set logscale y
set yrange [1:400]
set grid ytics
unset key
plot "bench/results/race.tsv" using 0:3:xtic(6) with boxes lc rgb "#3b6ea5", \
     "" using 0:3:(sprintf("%.1f MB/s, %.1fx", \$3, \$5)) with labels offset 0,0.8 font ",9"
GP
    echo "chart: bench/results/race.svg"
else
    echo "race: gnuplot is absent (apt-get install gnuplot-nox); no chart"
fi
