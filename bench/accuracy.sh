#!/usr/bin/env bash
# accuracy.sh — pairwise precision/recall/F1/ARI of `tawam cluster` on
# perturbed near-copies generated from SaudiNewsNet (tools/perturb.py), with
# the defaults and with each guard switched off in the same run, so the
# table shows what each part buys. Needs ../shared/data.
# Usage: bench/accuracy.sh [TAWAM]
set -euo pipefail
cd "$(dirname "$0")/.."
TAWAM=${1:-build/tawam}
DATA=../shared/data/saudinewsnet.jsonl
[ -f "$DATA" ] || { echo "accuracy: $DATA is absent; nothing measured"; exit 0; }
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
bash bench/machine.sh
echo
printf '| set | settings | docs | precision | recall | F1 | ARI |\n|---|---|---|---|---|---|---|\n'
for spec in "1:400" "2:400" "3:1000" "7:150"; do
    seed=${spec%%:*} bases=${spec##*:}
    dir="$OUT/s$seed"
    python3 tools/perturb.py --input "$DATA" --bases "$bases" --seed "$seed" --out "$dir" 2> /dev/null
    while IFS='|' read -r name args; do
        # shellcheck disable=SC2086
        "$TAWAM" cluster -q $args "$dir/docs.jsonl" > "$dir/pred.jsonl" 2> /dev/null || true
        python3 tools/score.py --truth "$dir/truth.jsonl" --pred "$dir/pred.jsonl" --json |
            python3 -c 'import json,sys; d=json.load(sys.stdin); n=sys.argv[1]; print("| seed %s, %s bases | %s | %d | %.4f | %.4f | %.4f | %.4f |" % (sys.argv[2], sys.argv[3], n, d["docs"], d["precision"], d["recall"], d["f1"], d["ari"]))' \
            "$name" "$seed" "$bases"
    done <<'EOF2'
defaults|
no built-in patterns|--no-builtin-strip
no patterns, no learnt boilerplate|--no-builtin-strip --common-df 0
plain MinHash-LSH settings (5-shingles, 0.5, no guards)|--no-builtin-strip --common-df 0 --shingle 5 --threshold 0.5
EOF2
done
