#!/usr/bin/env bash
# recommend() latency natively, for catalogs of 43k (the real Diginetica model),
# 100k and 1M items (synthetic sessions with the same shape), each with every
# scorer on (embeddings included), and with the int8 kernel forced to the scalar
# reference for the ratio. Reports p50 / p99 of `shelf eval` over 5000 sessions.
# Usage: tools/bench_recommend.sh [OUT_DIR]   (about 10 minutes on 2 cores)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
shelf="$top/build/shelf"
source "$top/tools/paths.sh"
data="$data_dir/diginetica"
out=${1:-"$top/build/bench"}
mkdir -p "$out"

# Sessions of 2-12 views that wander near a random start, so that every item has
# neighbours, as in real catalogs; the test file holds prefixes of such sessions.
synthesize() {  # synthesize ITEMS SESSIONS FILE [test]
  awk -v n="$1" -v s="$2" -v test="${4:-}" 'BEGIN {
    srand(n + (test ? 7 : 0));
    for (k = 0; k < s; k++) {
      len = 2 + int(rand() * 11); at = int(rand() * n); line = "";
      for (p = 0; p < len; p++) {
        item = (at + int(rand() * 40) - 20 + n) % n + 1;
        if (test && p == len - 1) { line = line "\t" item; break }
        line = line (p && !(test && p == len - 1) ? " " : "") item
      }
      print line
    }
  }' > "$3"
}

measure() {  # measure LABEL MODEL TEST
  local best scalar
  best=$("$shelf" eval --model "$2" --test "$3" --limit 5000 --json --no-baselines)
  scalar=$(SHELF_KERNEL=scalar "$shelf" eval --model "$2" --test "$3" --limit 5000 --json --no-baselines)
  local p50 p99 s50
  p50=$(echo "$best" | sed 's/.*"p50_us": \([0-9.]*\).*/\1/')
  p99=$(echo "$best" | sed 's/.*"p99_us": \([0-9.]*\).*/\1/')
  s50=$(echo "$scalar" | sed 's/.*"p50_us": \([0-9.]*\).*/\1/')
  printf '| %s | %s | %s | %s | %s | %.1f |\n' "$1" "$(stat -c %s "$2" | awk '{ printf "%.1f MB", $1 / 1e6 }')" \
    "$p50" "$p99" "$s50" "$(awk -v a="$s50" -v b="$p50" 'BEGIN { print a / b }')"
}

echo '| catalog | model | p50 µs | p99 µs | p50 µs, scalar kernel | scalar / best |'
echo '|---|---|---|---|---|---|'
[ -f "$out/diginetica.shelf" ] || "$shelf" train --sessions "$data/train_sessions.tsv" --out "$out/diginetica.shelf" --validation 0 --keep-unused 2>/dev/null
measure "Diginetica, 43,097 items" "$out/diginetica.shelf" "$data/test_prefix_label.tsv"
for items in 100000 1000000; do
  if [ ! -f "$out/synthetic-$items.shelf" ]; then
    synthesize "$items" $((items * 2)) "$out/synthetic-$items.tsv"
    synthesize "$items" 5000 "$out/synthetic-$items-test.tsv" test
    "$shelf" train --sessions "$out/synthetic-$items.tsv" --out "$out/synthetic-$items.shelf" --validation 0 --epochs 1 --keep-unused 2>/dev/null
  fi
  measure "synthetic, $(printf "%'d" "$items") items" "$out/synthetic-$items.shelf" "$out/synthetic-$items-test.tsv"
done
