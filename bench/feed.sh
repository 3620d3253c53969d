#!/usr/bin/env bash
# feed.sh — clusters a whole feed (default: all of SaudiNewsNet) in one run,
# RUNS times, and prints the median time, MB/s, peak memory and cluster
# counts, with the machine beside them. Timing the real CLI end to end, JSON
# parsing and output included, is what a user sees.
# Usage: bench/feed.sh [FEED] [RUNS] [extra tawam options...]
set -euo pipefail
cd "$(dirname "$0")/.."
FEED=${1:-../shared/data/saudinewsnet.jsonl}
RUNS=${2:-5}
shift $(( $# > 2 ? 2 : $# ))
[ -f "$FEED" ] || { echo "feed: $FEED is absent; nothing measured"; exit 0; }
TAWAM=build/tawam
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
bash bench/machine.sh
bytes=$(stat -c %s "$FEED")
for i in $(seq "$RUNS"); do
    /usr/bin/time -f "%e %M" -o "$OUT/time.$i" "$TAWAM" cluster -q --stats "$@" "$FEED" \
        > "$OUT/out.jsonl" 2> "$OUT/stats.$i" || true
done
python3 - "$OUT" "$RUNS" "$bytes" "$FEED" <<'PY'
import json, statistics, sys, collections
out, runs, nbytes, feed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
t = [tuple(map(float, open(f"{out}/time.{i}").read().split("\n")[-2].split())) for i in range(1, runs + 1)]
secs = statistics.median(x[0] for x in t)
rss = max(x[1] for x in t) / 1024
sizes = {"dup": collections.Counter(), "story": collections.Counter()}
errors = 0
for line in open(f"{out}/out.jsonl"):
    o = json.loads(line)
    if o.get("error"):
        errors += 1
        continue
    for field in sizes:
        if field in o:
            sizes[field][json.dumps(o[field])] += 1
print(f"feed: {feed} ({nbytes/1e6:.1f} MB)")
print(f"time: median {secs:.2f} s of {runs} runs (all: {', '.join('%.2f' % x[0] for x in t)}); "
      f"{nbytes/1e6/secs:.1f} MB/s; peak RSS {rss:.0f} MB")
for field, name in (("dup", "near-copy"), ("story", "story")):
    if sizes[field]:
        multi = [n for n in sizes[field].values() if n > 1]
        print(f"{name} clusters: {len(multi)} of 2+ holding {sum(multi)} articles; largest {sorted(multi)[-5:][::-1]}; "
              f"{sum(sizes[field].values())} articles, {errors} lines with errors")
print("stats:", [l for l in open(f"{out}/stats.1") if l.startswith("tawam cluster: ") and "lines," in l][-1].strip())
PY
