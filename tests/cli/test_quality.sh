#!/usr/bin/env bash
# The default int8 model must pass SR-GNN's published figures on the standard
# Diginetica split: HR@20 >= 50.73 and MRR@20 >= 17.59 (../shared/data/README.md).
set -euo pipefail
shelf=$1 data=$2 tmp=$3/quality
mkdir -p "$tmp"
"$shelf" train --sessions "$data/diginetica/train_sessions.tsv" --out "$tmp/diginetica.shelf"
json=$("$shelf" eval --model "$tmp/diginetica.shelf" --test "$data/diginetica/test_prefix_label.tsv" --json --no-baselines)
echo "$json"
hr=$(echo "$json" | sed 's/.*"hr@20": \([0-9.]*\).*/\1/')
mrr=$(echo "$json" | sed 's/.*"mrr@20": \([0-9.]*\).*/\1/')
cases=$(echo "$json" | sed 's/.*"cases": \([0-9]*\).*/\1/')
[ "$cases" = 60858 ] || { echo "expected 60858 cases, got $cases" >&2; exit 1; }
awk -v hr="$hr" -v mrr="$mrr" 'BEGIN { exit !(hr >= 50.73 && mrr >= 17.59) }' \
  || { echo "below SR-GNN (50.73 / 17.59): HR@20 $hr, MRR@20 $mrr" >&2; exit 1; }
echo "HR@20 $hr >= 50.73 and MRR@20 $mrr >= 17.59"
