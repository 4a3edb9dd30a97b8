#!/usr/bin/env bash
# Reproduces the README's quality table on the standard Diginetica split:
# trains float32 and int8 models, quantizes the float one, and evaluates each
# scorer alone and the blend with `shelf eval` (the same recommend() as wasm).
# Usage: tools/quality_table.sh [OUT_DIR]   (about 7 minutes on 2 cores)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
source "$top/tools/paths.sh"
data="$data_dir/diginetica"
out=${1:-"$top/build/quality"}
shelf="$top/build/shelf"
mkdir -p "$out"

train() {  # train NAME [options]: prints wall seconds
  local name=$1; shift
  local t0 t1
  t0=$(date +%s.%N)
  "$shelf" train --sessions "$data/train_sessions.tsv" --out "$out/$name.shelf" --seed 1 "$@" 2>"$out/$name.log"
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", b - a }'
}
eval_json() { "$shelf" eval --model "$1" --test "$data/test_prefix_label.tsv" --json --no-baselines ${2:+--scorers "$2"}; }
field() { sed -n "s/.*\"$1\": \([0-9.]*\).*/\1/p"; }

int8_seconds=$(train int8)
train all-scorers --keep-unused >/dev/null
keep_seconds=$(train keep-all --drop-tolerance 0)
larger_seconds=$(train larger --neighbours 50 --drop-tolerance 0)
nodims_seconds=$(train nodims --dims 0)
small_seconds=$(train small --neighbours 15 --dims 0)
float_seconds=$(train float --float)
"$shelf" quantize --model "$out/float.shelf" --out "$out/float-quantized.shelf" 2>/dev/null

row() {  # row LABEL MODEL [SCORERS] [SECONDS]
  local json size gz
  json=$(eval_json "$2" "${3:-}")
  size=$(stat -c %s "$2")
  gz=$(gzip -9 -c "$2" | wc -c)
  printf '| %s | %s | %s | %s | %.2f MB | %.2f MB | %.0f | %s | %s |\n' "$1" "$(echo "$json" | field 'hr@20')" \
    "$(echo "$json" | field 'mrr@20')" "$(echo "$json" | field 'ndcg@20')" "$(awk -v s="$size" 'BEGIN { print s / 1e6 }')" \
    "$(awk -v s="$gz" 'BEGIN { print s / 1e6 }')" "$(awk -v s="$size" 'BEGIN { print s / 43097 }')" \
    "$(echo "$json" | field p50_us) / $(echo "$json" | field p99_us)" "${4:-}"
}

echo '| model | HR@20 | MRR@20 | NDCG@20 | size | gzip -9 | bytes/item | recommend() p50 / p99 µs | training s |'
echo '|---|---|---|---|---|---|---|---|---|'
for scorer in popularity repeat covisit sequential embedding; do
  row "$scorer alone" "$out/all-scorers.shelf" "$scorer"
done
row "blend, float32" "$out/float.shelf" "" "$float_seconds"
row "blend, float32 -> shelf quantize" "$out/float-quantized.shelf"
row "blend (shelf train default)" "$out/int8.shelf" "" "$int8_seconds"
row "larger: --drop-tolerance 0" "$out/keep-all.shelf" "" "$keep_seconds"
row "larger: --neighbours 50 --drop-tolerance 0" "$out/larger.shelf" "" "$larger_seconds"
row "smaller: --dims 0" "$out/nodims.shelf" "" "$nodims_seconds"
row "smaller: --neighbours 15 --dims 0" "$out/small.shelf" "" "$small_seconds"
echo
echo "Bytes per item by section (shelf inspect):"
for m in int8 larger nodims; do
  echo "$m: $("$shelf" inspect "$out/$m.shelf" | awk '$1 ~ /^(item_ids|category_names|item_attributes|popularity|covisit|sequential|embeddings|file)$/ { printf "%s %s  ", $1, ($1 == "file" ? $NF : $(NF-1)) }')"
done
