#!/usr/bin/env bash
# The default int8 model on the standard Diginetica split (../shared/data/README.md)
# must hold the README's figures within noise (0.3 points below them), its learned
# ranker must earn its place (beat the blend alone on the same cases), and the
# model must stay within the size budget (3.0 MB gzipped).
set -euo pipefail
shelf=$1 data=$2 tmp=$3/quality
mkdir -p "$tmp"
hr_floor=55.05 mrr_floor=19.71  # README: 55.35 / 20.01, less 0.3 of noise
"$shelf" train --sessions "$data/diginetica/train_sessions.tsv" --out "$tmp/diginetica.shelf"
figures() {  # figures [EVAL FLAGS]: "cases hr mrr"
  local json
  json=$("$shelf" eval --model "$tmp/diginetica.shelf" --test "$data/diginetica/test_prefix_label.tsv" --json --no-baselines "$@")
  echo "$json" >&2
  echo "$json" | sed 's/.*"cases": \([0-9]*\).*"hr@20": \([0-9.]*\).*"mrr@20": \([0-9.]*\).*/\1 \2 \3/'
}
read -r cases hr mrr < <(figures)
read -r _ blend_hr blend_mrr < <(figures --no-ranker)
[ "$cases" = 60858 ] || { echo "expected 60858 cases, got $cases" >&2; exit 1; }
awk -v hr="$hr" -v mrr="$mrr" -v a="$hr_floor" -v b="$mrr_floor" 'BEGIN { exit !(hr >= a && mrr >= b) }' \
  || { echo "below the floor ($hr_floor / $mrr_floor): HR@20 $hr, MRR@20 $mrr" >&2; exit 1; }
awk -v hr="$hr" -v mrr="$mrr" -v bh="$blend_hr" -v bm="$blend_mrr" 'BEGIN { exit !(hr + 2 * mrr > bh + 2 * bm) }' \
  || { echo "the ranker does not beat the blend alone: $hr / $mrr against $blend_hr / $blend_mrr" >&2; exit 1; }
gz=$(gzip -9 -c "$tmp/diginetica.shelf" | wc -c)
[ "$gz" -le 3000000 ] || { echo "the default model is $gz bytes gzipped, over 3.0 MB" >&2; exit 1; }
echo "HR@20 $hr >= $hr_floor and MRR@20 $mrr >= $mrr_floor; the blend alone $blend_hr / $blend_mrr; $gz bytes gzipped"
