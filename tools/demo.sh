#!/usr/bin/env bash
# The README's first command: set up, build, train the demo model, print the
# recommendations for a scripted shopping session and the related items of one
# product, then serve the demo storefront on 127.0.0.1 (Ctrl-C stops it). Idempotent: a second run only re-serves.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

tools/setup.sh --demo   # the compiler and cJSON: the demo needs no npm package
tools/build.sh
model=build/models/demo.shelf
# Retrained when missing or older than the CLI (whose model format may have moved on).
if [ ! -f "$model" ] || [ build/shelf -nt "$model" ]; then models/make_demo.sh "$model"; fi

# A real shopper's session from the Diginetica sample (session 156): two views, a
# product opened from a search and read for 40 s, another added to the cart.
session='[
  {"type": "view",        "item": "21638", "ts": 1700000000},
  {"type": "view",        "item": "7779",  "ts": 1700000030},
  {"type": "search",      "item": "42163", "ts": 1700000075},
  {"type": "dwell",       "item": "42163", "ts": 1700000090, "weight": 40},
  {"type": "add_to_cart", "item": "3299",  "ts": 1700000120}
]'
echo "== Scripted session on the demo model ($model)"
echo "$session"
echo
# As a page shows them: what the shopper has seen already is left out (--exclude-seen).
# Without it, recommend gives what the evaluation protocol measures, repeats included.
echo "== Recommended for this shopper"
build/shelf recommend --model "$model" --events "$session" --k 8 --exclude-seen
echo
echo "== The same, one item per category"
build/shelf recommend --model "$model" --events "$session" --k 8 --exclude-seen --per-category 1
echo
echo "== Related items on the product page of 42163 (no session: from the model alone)"
build/shelf related --model "$model" --item 42163 --k 8
echo

if [ -f web/demo/serve.mjs ]; then
  echo "== Demo storefront"
  exec node web/demo/serve.mjs
fi
