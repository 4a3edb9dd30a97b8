#!/usr/bin/env bash
# Reproduces the README's quality table on the standard Diginetica split:
# trains float32 and int8 models, quantizes the float one, and evaluates each
# scorer alone, the blend without and with the learned ranker, with `shelf eval`
# (the same recommend() as wasm). Two trainings run at a time (each is
# single-threaded), so the training seconds are those of a machine doing two.
# Usage: tools/quality_table.sh [--reuse] [OUT_DIR]   (about 20 minutes on 2 cores;
#   --reuse evaluates the models a previous run left in OUT_DIR, about 10 minutes)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
source "$top/tools/paths.sh"
data="$data_dir/diginetica"
reuse=0
if [ "${1:-}" = --reuse ]; then reuse=1; shift; fi
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
eval_json() { "$shelf" eval --model "$1" --test "$data/test_prefix_label.tsv" --json --no-baselines ${2:+--scorers "$2"} ${3:-}; }
field() { sed -n "s/.*\"$1\": \([0-9.]*\).*/\1/p"; }
seconds() { cat "$out/$1.seconds"; }

# Pairs of trainings side by side; each writes NAME.shelf, NAME.log, NAME.seconds.
models="int8 all-scorers float keep-all nodims small"
if [ "$reuse" = 0 ]; then
  for m in $models; do rm -f "$out/$m.shelf"; done
  train int8 > "$out/int8.seconds" & train all-scorers --keep-unused > "$out/all-scorers.seconds" & wait
  train float --float > "$out/float.seconds" & train keep-all --drop-tolerance 0 > "$out/keep-all.seconds" & wait
  train nodims --dims 0 > "$out/nodims.seconds" & train small --neighbours 15 --dims 0 > "$out/small.seconds" & wait
fi
for m in $models; do [ -s "$out/$m.shelf" ] || { echo "training $m failed: see $out/$m.log" >&2; exit 1; }; done
"$shelf" quantize --model "$out/float.shelf" --out "$out/float-quantized.shelf" 2>/dev/null

row() {  # row LABEL MODEL [SCORERS] [SECONDS] [EVAL FLAGS]
  local json size gz
  json=$(eval_json "$2" "${3:-}" "${5:-}")
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
row "blend without the ranker (eval --no-ranker)" "$out/int8.shelf" "" "" --no-ranker
row "blend + ranker, float32" "$out/float.shelf" "" "$(seconds float)"
row "blend + ranker, float32 -> shelf quantize" "$out/float-quantized.shelf"
row "blend + ranker (shelf train default)" "$out/int8.shelf" "" "$(seconds int8)"
row "larger: --drop-tolerance 0" "$out/keep-all.shelf" "" "$(seconds keep-all)"
row "smaller: --dims 0" "$out/nodims.shelf" "" "$(seconds nodims)"
row "smaller: --neighbours 15 --dims 0" "$out/small.shelf" "" "$(seconds small)"
echo
echo "Bytes per item by section (shelf inspect):"
for m in int8 keep-all nodims; do
  echo "$m: $("$shelf" inspect "$out/$m.shelf" | awk '$1 ~ /^(item_ids|category_names|item_attributes|popularity|covisit|sequential|embeddings|file)$/ { printf "%s %s  ", $1, ($1 == "file" ? $NF : $(NF-1)) }')"
done
echo
echo "What the trainer measured on the validation split (shelf inspect, default model):"
"$shelf" inspect "$out/int8.shelf" | grep -E '"(cases|ranker)": ' | sed 's/^ *//'
