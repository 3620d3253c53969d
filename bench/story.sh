#!/usr/bin/env bash
# story.sh — story mode, measured: all of ANT clustered with --mode story
# (median time and peak memory over RUNS), scored on the labelled dev pairs
# (same-story recall, related-but-different merge rate, random cross-outlet
# merges, largest cluster), the seed-article check, and the Spearman
# correlation of `tawam explain` scores with SemEval-2022 human ratings.
# Needs ../shared. Usage: bench/story.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
D=../shared/data
[ -f "$D/ant.jsonl" ] || { echo "story: $D is absent; nothing measured"; exit 0; }
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
bash bench/machine.sh
echo
echo "== ANT, --mode story"
bash bench/feed.sh "$D/ant.jsonl" "$RUNS" --mode story | grep -v '^machine'
build/tawam cluster -q --mode story "$D/ant.jsonl" > "$OUT/ant.jsonl" 2> /dev/null || true
python3 tools/story_score.py --pairs "$D/story_pairs_dev.jsonl" --docs "$D/ant.jsonl" --pred "$OUT/ant.jsonl" > "$OUT/score.txt" 2> /dev/null || true
head -n 8 "$OUT/score.txt"
echo
echo "== seed articles among Gaza-truce reports and distractors"
python3 tools/seed_story_check.py --tawam build/tawam > "$OUT/seed.txt" || true
tail -n 1 "$OUT/seed.txt"
echo
echo "== SemEval-2022 Arabic pairs: Spearman of the story score with human ratings"
python3 tools/semeval_pairs.py to-pairs --pairs "$D/semeval_ar_pairs.jsonl" --out "$OUT/sem.jsonl" 2> /dev/null
build/tawam explain --json "$OUT/sem.jsonl" > "$OUT/sem_scores.jsonl"
python3 tools/semeval_pairs.py spearman --pairs "$D/semeval_ar_pairs.jsonl" --scores "$OUT/sem_scores.jsonl" > "$OUT/sem.txt" || true
head -n 3 "$OUT/sem.txt"
