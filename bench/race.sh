#!/usr/bin/env bash
# race.sh — tawam against its peer, in the same run on the same input: the
# near-copy job on a whole feed, one thread each (GOMAXPROCS=1 for the Go
# peer, -j 1 for tawam), RUNS alternating runs, medians, MB/s, peak memory,
# and the speed-up. The peer is bench/peer/ekzhu_dup.go on Debian's
# golang-github-ekzhu-minhash-lsh-dev (the same folding, word 5-shingles,
# 128 hashes, LSH at 0.5, union-find); callgrind instruction counts are the
# tie-breaker when the shared machine is noisy (bench/README.md).
# Usage: bench/race.sh [FEED] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
FEED=${1:-../shared/data/saudinewsnet.jsonl}
RUNS=${2:-3}
[ -f "$FEED" ] || { echo "race: $FEED is absent; nothing measured"; exit 0; }
if [ ! -d /usr/share/gocode/src/github.com/ekzhu/minhash-lsh ] || ! command -v go > /dev/null; then
    echo "race: the peer needs Debian packages: apt-get install golang-go golang-github-ekzhu-minhash-lsh-dev"
    exit 0
fi
GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE=${GOCACHE:-/tmp/tawam-gocache} \
    go build -o build/ekzhu_dup bench/peer/ekzhu_dup.go
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
bash bench/machine.sh
echo "peer: $(go version | cut -d' ' -f3), ekzhu/minhash-lsh $(dpkg-query -W -f '${Version}' golang-github-ekzhu-minhash-lsh-dev)"
for i in $(seq "$RUNS"); do
    /usr/bin/time -f "%e %M" -o "$OUT/tawam.$i" build/tawam cluster -q -j 1 --mode dup "$FEED" > "$OUT/tawam.jsonl" 2> /dev/null || true
    GOMAXPROCS=1 /usr/bin/time -f "%e %M" -o "$OUT/peer.$i" build/ekzhu_dup "$FEED" > "$OUT/peer.jsonl" 2> /dev/null || true
done
python3 - "$OUT" "$RUNS" "$(stat -c %s "$FEED")" <<'PY'
import json, statistics, sys
out, runs, nbytes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def figures(name):
    t = [tuple(map(float, open(f"{out}/{name}.{i}").read().split("\n")[-2].split())) for i in range(1, runs + 1)]
    return statistics.median(x[0] for x in t), max(x[1] for x in t) / 1024
def clusters(name):
    sizes = {}
    for line in open(f"{out}/{name}.jsonl"):
        o = json.loads(line)
        if o.get("dup") is not None:
            sizes[json.dumps(o["dup"])] = sizes.get(json.dumps(o["dup"]), 0) + 1
    multi = [n for n in sizes.values() if n > 1]
    return len(multi), sum(multi)
ts, ms = figures("tawam")
tp, mp = figures("peer")
print(f"| program | median s ({runs} runs) | MB/s | peak RSS MB | clusters of 2+ | articles in them |")
print("|---|---|---|---|---|---|")
for name, t, m in (("tawam 0.1 (-j 1, scalar)", ts, ms), ("ekzhu/minhash-lsh (Go, GOMAXPROCS=1)", tp, mp)):
    c, a = clusters("tawam" if name.startswith("tawam") else "peer")
    print(f"| {name} | {t:.2f} | {nbytes / 1e6 / t:.1f} | {m:.0f} | {c} | {a} |")
print(f"\ntawam is {tp / ts:.1f}x faster than the peer on this input.")
PY
