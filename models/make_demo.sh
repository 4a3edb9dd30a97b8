#!/usr/bin/env bash
# The demo model's recipe: views and purchases of the Diginetica sample with every
# item's category ($SHELF_DATA_DIR/diginetica-raw), trained with a fixed seed.
# Usage: models/make_demo.sh [OUT]   (default build/models/demo.shelf)
set -euo pipefail
source "$(dirname "$0")/../tools/paths.sh"
out=${1:-"$top/build/models/demo.shelf"}
mkdir -p "$(dirname "$out")"
"$top/build/shelf" train \
  --events "$data_dir/diginetica-raw/derived_views_purchases_categories.csv" --format diginetica \
  --out "$out" --name demo --seed 1
