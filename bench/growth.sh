#!/usr/bin/env bash
# growth.sh — how time and memory grow with the feed: one synthetic feed of 1M
# articles from tools/gen_feed.py (made once, kept in $TAWAM_BENCH_DIR), its
# first 100k, 300k and 1M lines each clustered in one run of the real CLI
# (-j 1, --stats, output thrown away), median time of RUNS runs, peak RSS and
# the library's own "MB held". A feed that large cannot ship with the project,
# and growth only shows against a feed whose make-up does not change with its
# size. Prints the table, writes bench/results/growth.tsv and, with gnuplot,
# bench/results/growth.svg (time and peak RSS against documents, each with a
# least-squares line through the origin: a straight line is linear growth).
#
# Usage: bench/growth.sh [-m dup|story|both] [-r RUNS] [-R RUNS_LARGEST]
#                        [-s "100000 300000 1000000"] [-t SECONDS] [-S SEED] [-v VOCAB|none]
#   -m  tawam --mode (default dup; other modes write growth-MODE.tsv/.svg)
#   -r  runs of every size but the largest, median time reported (default 3)
#   -R  runs of the largest size (default 1)
#   -s  feed sizes in documents; the largest is generated, the others are its prefixes
#   -t  time limit of one run in seconds; a size that exceeds it ends the series (default none)
#   -S  generator seed (default 1)
#   -v  word frequencies for the generator (default ../shared/data/saudinewsnet.jsonl when
#       present, read at run time, never copied), or "none" for its built-in vocabulary
# Environment: TAWAM=path/to/tawam (default build/tawam); TAWAM_BENCH_DIR (default /tmp/tawam-bench).
set -euo pipefail
cd "$(dirname "$0")/.."

MODE=dup RUNS=3 RUNS_LAST=1 SIZES="100000 300000 1000000" LIMIT=0 SEED=1
VOCAB=../shared/data/saudinewsnet.jsonl
while getopts "m:r:R:s:t:S:v:h" opt; do
    case $opt in
        m) MODE=$OPTARG ;; r) RUNS=$OPTARG ;; R) RUNS_LAST=$OPTARG ;; s) SIZES=$OPTARG ;;
        t) LIMIT=$OPTARG ;; S) SEED=$OPTARG ;; v) VOCAB=$OPTARG ;;
        *) sed -n '12,23p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
    esac
done
case $MODE in dup|story|both) ;; *) echo "growth: -m takes dup, story or both" >&2; exit 2 ;; esac
TAWAM=${TAWAM:-build/tawam}
DIR=${TAWAM_BENCH_DIR:-/tmp/tawam-bench}
RES=bench/results
SUFFIX=$([ "$MODE" = dup ] && echo "" || echo "-$MODE")
mkdir -p "$DIR" "$RES"
SIZES=$(tr ' ' '\n' <<< "$SIZES" | grep . | sort -n | uniq | tr '\n' ' ')
MAX=${SIZES%% *}; for n in $SIZES; do MAX=$n; done

# The binary may be in the middle of a rebuild: wait for it (up to 2 minutes).
tawam_ready() {
    local i
    for i in $(seq 24); do
        "$TAWAM" --version > /dev/null 2>&1 && return 0
        [ "$i" = 1 ] && echo "growth: $TAWAM does not run yet; waiting for it" >&2
        sleep 5
    done
    echo "growth: $TAWAM does not run; build it first (cmake --build build)" >&2
    return 1
}
tawam_ready || exit 2

# --- the feed: made once per (size, seed, vocabulary, generator version) -----------------
if [ "$VOCAB" != none ] && [ ! -f "$VOCAB" ]; then
    echo "growth: $VOCAB is absent; using the generator's built-in vocabulary"
    VOCAB=none
fi
vtag=$([ "$VOCAB" = none ] && echo builtin || basename "$VOCAB" .jsonl)
gtag=$(md5sum tools/gen_feed.py | cut -c1-8)
FEED="$DIR/feed-$MAX-s$SEED-$vtag-$gtag.jsonl"
TRUTH="${FEED%.jsonl}.truth.tsv"
if [ ! -s "$FEED" ] || [ ! -s "$TRUTH" ]; then
    echo "growth: generating $FEED"
    vopt=(); [ "$VOCAB" != none ] && vopt=(--vocab-from "$VOCAB")
    /usr/bin/time -f "growth: generated in %e s, peak RSS %M KB" \
        python3 tools/gen_feed.py --docs "$MAX" --seed "$SEED" "${vopt[@]}" --progress \
        --truth "$TRUTH.part" -o "$FEED.part"
    mv "$TRUTH.part" "$TRUTH"
    mv "$FEED.part" "$FEED"
fi
file_of() {   # the feed's first $1 lines, cut once and kept beside it
    if [ "$1" = "$MAX" ]; then echo "$FEED"; return; fi
    local f="${FEED%.jsonl}-head$1.jsonl"
    if [ ! -s "$f" ] || [ "$f" -ot "$FEED" ]; then
        head -n "$1" "$FEED" > "$f.part" && mv "$f.part" "$f"
    fi
    echo "$f"
}

# --- the machine, compiler and commit, printed beside the figures ------------------------
# machine.sh is sourced in a subshell, given the binary as its argument: its variables
# (TAWAM, commit, ...) and its exit status stay out of this script.
( set +e +o pipefail; set -- "$TAWAM"; . bench/machine.sh ) || true
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
cache="$(dirname "$TAWAM")/CMakeCache.txt"; [ -f "$cache" ] || cache=build/CMakeCache.txt
ccpath=$(sed -n 's/^CMAKE_C_COMPILER:[A-Z]*=//p' "$cache" 2> /dev/null | head -1)
btype=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$cache" 2> /dev/null | head -1)
ccver=$("${ccpath:-cc}" --version 2> /dev/null | head -1 || true)
[ -n "$ccver" ] || ccver=$(cc --version | head -1)
commit=$(git rev-parse --short HEAD 2> /dev/null || echo unknown)
git diff --quiet HEAD -- src include CMakeLists.txt 2> /dev/null || commit="$commit+uncommitted"
version=$(tawam_ready && "$TAWAM" --version 2> /dev/null | head -1) || version="tawam (version not read)"
echo "compiler: ${ccpath:-cc} = $ccver (${btype:-build type unknown}); $version; commit $commit"
echo "feed: $FEED ($(stat -c %s "$FEED" | awk '{printf "%.0f MB", $1/1e6}'), seed $SEED, vocabulary $vtag)"
echo "command: $TAWAM cluster -q --mode $MODE --stats -j 1 FILE > /dev/null; $RUNS run(s) per size, $RUNS_LAST of the largest"

# --- the runs ------------------------------------------------------------------------------
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
done_sizes=""
for n in $SIZES; do
    file=$(file_of "$n")
    runs=$([ "$n" = "$MAX" ] && echo "$RUNS_LAST" || echo "$RUNS")
    stop=0
    for r in $(seq "$runs"); do
        for attempt in 1 2 3 4 5; do
            tawam_ready || exit 2
            rc=0
            timeout "$LIMIT" /usr/bin/time -f "%e %M" -o "$OUT/time.$n.$r" \
                "$TAWAM" cluster -q --mode "$MODE" --stats -j 1 "$file" \
                > /dev/null 2> "$OUT/stats.$n.$r" || rc=$?
            if [ "$rc" = 124 ]; then
                echo "growth: $n docs exceeded the time limit of $LIMIT s; larger sizes skipped"
                stop=1; break
            fi
            # 0: done; 1: some lines carry an "error" (still a full run); else retry
            if [ "$rc" -le 1 ] && grep -q "MB held" "$OUT/stats.$n.$r"; then break; fi
            echo "growth: run $r of $n docs failed (status $rc: $(tail -n 1 "$OUT/stats.$n.$r")); retrying" >&2
            rm -f "$OUT/time.$n.$r"
            sleep 10
        done
        [ "$stop" = 1 ] && break
        [ -f "$OUT/time.$n.$r" ] || { echo "growth: $n docs never ran through; stopping" >&2; stop=1; break; }
        echo "growth: $n docs, run $r: $(tail -n 1 "$OUT/time.$n.$r" | awk '{printf "%s s, %.0f MB", $1, $2/1024}')" >&2
    done
    [ "$stop" = 1 ] && break
    done_sizes="$done_sizes $n=$file"
done
[ -n "$done_sizes" ] || { echo "growth: nothing measured"; exit 1; }

# --- the table, the fit, the chart -------------------------------------------------------
title1="tawam cluster --mode $MODE -j 1: time and peak RSS on a synthetic feed (gen_feed.py, seed $SEED, $vtag vocabulary)"
title2="$cpu, $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GB; $ccver; $version; commit $commit"
python3 - "$OUT" "$TRUTH" "$RES/growth$SUFFIX.tsv" "$OUT/growth.gp" "$RES/growth$SUFFIX.svg" \
    "$title1" "$title2" "$MODE" $done_sizes <<'PY'
import collections, os, re, statistics, sys
out, truth, tsv, gp, svg, title1, title2, mode = sys.argv[1:9]
sizes = [int(x.split("=", 1)[0]) for x in sys.argv[9:]]
feed_sizes = {int(k): os.path.getsize(f) for k, f in (x.split("=", 1) for x in sys.argv[9:])}
rows = []
def num(pat, s, conv=float):
    m = re.search(pat, s)
    return conv(m.group(1)) if m else None
for n in sizes:
    runs = sorted(int(f.split(".")[2]) for f in os.listdir(out) if f.startswith(f"time.{n}."))
    t = [tuple(map(float, open(f"{out}/time.{n}.{r}").read().split("\n")[-2].split())) for r in runs]
    stats = open(f"{out}/stats.{n}.{runs[-1]}").read()
    line = [l for l in stats.splitlines() if "MB held" in l][-1]
    docs = num(r"(\d+) lines", line, int) or n
    rows.append(dict(n=n, docs=docs, secs=statistics.median(x[0] for x in t), all=[x[0] for x in t],
                     rss=max(x[1] for x in t) * 1024, held=num(r"([\d.]+) MB held", line) * 1e6,
                     dupc=num(r"(\d+) near-copy clusters", line, int),
                     dupa=num(r"near-copy clusters holding (\d+)", line, int),
                     storyc=num(r"(\d+) story clusters", line, int),
                     storya=num(r"story clusters holding (\d+)", line, int),
                     failed=num(r"(\d+) failed", line, int)))
# input size of each prefix and the near-copy clusters the generator made in it
kinds = []
with open(truth) as f:
    for l in f:
        _, kind, base = l.rstrip("\n").split("\t")
        kinds.append((kind, base))
for r in rows:
    copies = collections.Counter(b for k, b in kinds[:r["n"]] if k == "copy")
    r["exp_c"], r["exp_a"] = len(copies), sum(copies.values()) + len(copies)
    r["bytes"] = feed_sizes.get(r["n"], 0)
# least squares through the origin: y = a x
def slope(key):
    return sum(r["docs"] * r[key] for r in rows) / sum(r["docs"] ** 2 for r in rows)
a_t, a_m = slope("secs"), slope("rss")
cols = ["docs", "input_MB", "seconds", "docs_per_s", "peak_rss_MB", "rss_bytes_per_doc",
        "held_bytes_per_doc", "held_MB", "runs", "all_seconds", "dup_clusters", "dup_articles",
        "generated_dup_clusters", "generated_dup_articles", "story_clusters", "story_articles"]
with open(tsv, "w") as f:
    f.write("# " + "\t".join(cols) + "\n")
    for r in rows:
        f.write("\t".join(str(x) for x in (
            r["docs"], "%.1f" % (r["bytes"] / 1e6), "%.2f" % r["secs"], "%.0f" % (r["docs"] / r["secs"]),
            "%.1f" % (r["rss"] / 1e6), "%.0f" % (r["rss"] / r["docs"]), "%.0f" % (r["held"] / r["docs"]),
            "%.1f" % (r["held"] / 1e6), len(r["all"]), ",".join("%.2f" % x for x in r["all"]),
            r["dupc"], r["dupa"], r["exp_c"], r["exp_a"], r["storyc"], r["storya"])) + "\n")
print()
print("| docs | input MB | seconds | docs/s | peak RSS MB | RSS bytes/doc | held bytes/doc | time vs fit | RSS vs fit |")
print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for r in rows:
    print(f"| {r['docs']} | {r['bytes'] / 1e6:.0f} | {r['secs']:.2f} | {r['docs'] / r['secs']:.0f} | "
          f"{r['rss'] / 1e6:.0f} | {r['rss'] / r['docs']:.0f} | {r['held'] / r['docs']:.0f} | "
          f"{(r['secs'] / (a_t * r['docs']) - 1) * 100:+.1f}% | {(r['rss'] / (a_m * r['docs']) - 1) * 100:+.1f}% |")
print(f"\nlinear fits through the origin: {a_t * 1e6:.2f} µs per document, {a_m:.0f} bytes of peak RSS per document")
print("near-copy clusters found / made by the generator (clusters of 2+, articles in them):")
for r in rows:
    print(f"  {r['docs']} docs: found {r['dupc']} holding {r['dupa']}; generated {r['exp_c']} holding {r['exp_a']}"
          + (f"; story clusters {r['storyc']} holding {r['storya']}" if mode != "dup" else "")
          + (f"; {r['failed']} lines failed" if r["failed"] else ""))
xmax = max(r["docs"] for r in rows) * 1.05
with open(gp, "w") as f:
    f.write(f"""# written by bench/growth.sh
set encoding utf8
set terminal svg size 1000,620 dynamic font 'sans,12' background '#ffffff'
set output '{svg}'
set title "{title1}\\n{title2}" noenhanced font 'sans,10'
set xlabel 'documents'
set ylabel 'seconds (median)'
set y2label 'peak RSS (MB)'
set ytics nomirror
set y2tics
set xrange [0:{xmax}]
set yrange [0:*]
set y2range [0:*]
set format x '%.0s%c'
set grid
set key left top
a_t = {a_t!r}
a_m = {a_m / 1e6!r}
plot '{tsv}' using 1:3 axes x1y1 with points pt 7 ps 1.3 lc rgb '#1f77b4' title 'time', \\
     a_t * x axes x1y1 with lines lw 2 lc rgb '#1f77b4' title sprintf('fit: %.2f µs/doc', a_t * 1e6), \\
     '{tsv}' using 1:5 axes x1y2 with points pt 5 ps 1.3 lc rgb '#d62728' title 'peak RSS', \\
     a_m * x axes x1y2 with lines lw 2 dt 2 lc rgb '#d62728' title sprintf('fit: %.0f bytes/doc', a_m * 1e6)
""")
PY
if command -v gnuplot > /dev/null; then
    gnuplot "$OUT/growth.gp" && echo "chart: $RES/growth$SUFFIX.svg"
else
    echo "chart skipped: gnuplot is missing (apt-get install gnuplot-nox); the table is in $RES/growth$SUFFIX.tsv"
fi
echo "table: $RES/growth$SUFFIX.tsv"
