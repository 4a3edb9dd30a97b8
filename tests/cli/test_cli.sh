#!/usr/bin/env bash
# The `shelf` command line end to end on real data: every subcommand, its --help,
# determinism, a golden output, and a named error for every kind of bad input.
# Usage: test_cli.sh SHELF_BINARY DATA_DIR TMP_DIR GOLDEN_DIR
set -uo pipefail
shelf=$1 data=$2 tmp=$3/cli golden=$4
mkdir -p "$tmp"
failures=0 checks=0

fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
# expect_ok DESCRIPTION COMMAND...: the command must exit 0.
expect_ok() {
  local what=$1; shift; checks=$((checks + 1))
  "$@" >"$tmp/out" 2>"$tmp/err" || { fail "$what: exit $?: $(head -c 400 "$tmp/err")"; }
}
# expect_error DESCRIPTION PATTERN COMMAND...: non-zero exit and stderr matching PATTERN.
expect_error() {
  local what=$1 pattern=$2; shift 2; checks=$((checks + 1))
  if "$@" >"$tmp/out" 2>"$tmp/err"; then fail "$what: succeeded"; return; fi
  local status=$?
  [ $status -ge 128 ] && fail "$what: crashed with exit $status"
  grep -qE -- "$pattern" "$tmp/err" || fail "$what: stderr lacks '$pattern': $(head -c 400 "$tmp/err")"
}

# A small training set: the first 8000 Diginetica sessions; a test file of 2000 cases.
head -n 8000 "$data/diginetica/train_sessions.tsv" > "$tmp/train.tsv"
head -n 2000 "$data/diginetica/test_prefix_label.tsv" > "$tmp/test.tsv"

for command in train quantize eval inspect recommend related; do
  expect_ok "$command --help" "$shelf" "$command" --help
  grep -q "usage: shelf $command" "$tmp/out" || fail "$command --help prints no usage"
done
expect_ok "version" "$shelf" version

export SOURCE_DATE_EPOCH=1700000000
expect_ok "train small" "$shelf" train --sessions "$tmp/train.tsv" --out "$tmp/a.shelf" --name small --seed 7 --dims 16 --epochs 1 --keep-unused
expect_ok "train small again" "$shelf" train --sessions "$tmp/train.tsv" --out "$tmp/b.shelf" --name small --seed 7 --dims 16 --epochs 1 --keep-unused
checks=$((checks + 1)); cmp -s "$tmp/a.shelf" "$tmp/b.shelf" || fail "same data and seed gave different models"
expect_ok "train float" "$shelf" train --sessions "$tmp/train.tsv" --out "$tmp/f.shelf" --seed 7 --dims 16 --epochs 1 --float
expect_ok "quantize" "$shelf" quantize --model "$tmp/f.shelf" --out "$tmp/q.shelf"
checks=$((checks + 1)); [ "$(stat -c %s "$tmp/q.shelf")" -lt "$(stat -c %s "$tmp/f.shelf")" ] || fail "quantized model is not smaller"

# By default a scorer the blend gives no weight is left out, and the metadata says so.
expect_ok "train small, default" "$shelf" train --sessions "$tmp/train.tsv" --out "$tmp/lean.shelf" --name small --seed 7 --dims 16 --epochs 1
# stderr is a file here, as in CI: progress comes as whole lines, one per stage at least.
for stage in "counting neighbours: [0-9]+% \([0-9]+ s\)" "training embeddings: [0-9]+% \([0-9]+ s\)"; do
  checks=$((checks + 1)); grep -qE "^shelf: $stage$" "$tmp/err" || fail "no progress line '$stage' in a log: $(head -c 400 "$tmp/err")"
done
checks=$((checks + 1)); ! grep -q $'\r' "$tmp/err" || fail "a log got a terminal's carriage returns"
# What the blend was chosen on, from the model's metadata; a warning when it is too little.
checks=$((checks + 1)); grep -qE '^shelf: blend chosen on [0-9]+ cases of the newest [0-9]+ sessions' "$tmp/err" || fail "no validation line: $(tail -c 300 "$tmp/err")"
checks=$((checks + 1)); ! grep -q 'warning' "$tmp/err" || fail "a warning for 8000 sessions: $(grep warning "$tmp/err")"
head -n 300 "$tmp/train.tsv" > "$tmp/tiny.tsv"
expect_ok "train on 300 sessions" "$shelf" train --sessions "$tmp/tiny.tsv" --out "$tmp/tiny.shelf" --dims 0
checks=$((checks + 1)); grep -qE '^shelf: warning: only [0-9]+ validation cases \(under 1000\)' "$tmp/err" || fail "no warning for a tiny validation split: $(tail -c 300 "$tmp/err")"
expect_ok "train without validation" "$shelf" train --sessions "$tmp/tiny.tsv" --out "$tmp/tiny.shelf" --dims 0 --validation 0
checks=$((checks + 1)); grep -q '^shelf: warning: no validation sessions' "$tmp/err" || fail "no warning without validation: $(tail -c 300 "$tmp/err")"
expect_ok "inspect lean" "$shelf" inspect "$tmp/lean.shelf"
checks=$((checks + 1)); grep -q '"left_out": \[' "$tmp/out" || fail "inspect shows no left_out list"
checks=$((checks + 1)); grep -q '"validation": {"measured": "the blend chosen, on every prefix of the newest' "$tmp/out" || fail "the validation figures do not say what they measured"
if grep -q '"left_out": \[.*"embedding"' "$tmp/out"; then
  checks=$((checks + 1)); ! grep -qE '^embeddings ' "$tmp/out" || fail "embeddings left out but still in the model"
fi
# A drop tolerance trades quality for size: at 100,000 points per byte per item every table goes.
expect_ok "train small, tolerant" "$shelf" train --sessions "$tmp/train.tsv" --out "$tmp/tiny.shelf" --dims 16 --epochs 1 --drop-tolerance 100000
expect_ok "inspect tolerant" "$shelf" inspect "$tmp/tiny.shelf"
checks=$((checks + 1)); grep -q '"dropped_for_size": \[.*"covisit"' "$tmp/out" || fail "drop tolerance 100000 kept covisit: $(grep dropped "$tmp/out")"
checks=$((checks + 1)); ! grep -qE '^(covisit|sequential|embeddings) ' "$tmp/out" || fail "a table is still in the model"
# A shop's own analytics export: Segment's track calls as JSON Lines, with a bad line named.
printf '%s\n' '{"event":"Product Viewed","anonymousId":"a","timestamp":"2024-01-01T10:00:00Z","properties":{"product_id":"1"}}' \
  '{"event":"Product Added","anonymousId":"a","timestamp":"2024-01-01T10:01:00Z","properties":{"product_id":"2"}}' > "$tmp/segment.jsonl"
expect_ok "train --format segment" "$shelf" train --events "$tmp/segment.jsonl" --format segment --out "$tmp/segment.shelf" --dims 0
checks=$((checks + 1)); grep -q 'read 1 sessions, 2 events, 2 items' "$tmp/err" || fail "segment export: $(head -c 300 "$tmp/err")"
printf '%s\n' '{"event_name":"view_item","event_timestamp":"1700000000000000","user_pseudo_id":"u","items":[{"item_id":"1"}]}' '{"event_name":' > "$tmp/ga4.jsonl"
expect_error "a bad GA4 line" "ga4.jsonl:2: not a JSON object" "$shelf" train --events "$tmp/ga4.jsonl" --format ga4 --out "$tmp/ga4.shelf"
# A first evaluation from a raw log: split, train on the training part, evaluate on the test part.
expect_ok "split" "$shelf" split --events "$data/diginetica-raw/sample_train-item-views.csv" --format diginetica \
  --train "$tmp/split_train.tsv" --test "$tmp/split_test.tsv"
checks=$((checks + 1)); grep -qE '^shelf: .*split_test.tsv: [1-9][0-9]* cases from [1-9][0-9]* test sessions' "$tmp/err" || fail "split: $(cat "$tmp/err")"
checks=$((checks + 1)); [ "$(grep -c . "$tmp/split_test.tsv")" -gt 0 ] && ! grep -qv $'\t' "$tmp/split_test.tsv" || fail "split: the test file is not prefix<TAB>label lines"
expect_ok "train on the split" "$shelf" train --sessions "$tmp/split_train.tsv" --out "$tmp/split.shelf" --dims 0
expect_ok "eval on the split" "$shelf" eval --model "$tmp/split.shelf" --test "$tmp/split_test.tsv"
checks=$((checks + 1)); grep -q '^  session repeat' "$tmp/out" || fail "eval on the split: $(cat "$tmp/out")"
expect_error "split too long a test" "not more than the 999.0 test days" "$shelf" split --events "$data/diginetica-raw/sample_train-item-views.csv" \
  --format diginetica --train "$tmp/x.tsv" --test "$tmp/y.tsv" --test-days 999
# A failed or killed run leaves the files it would have replaced as they were.
echo GOOD > "$tmp/keep_train.tsv"; echo GOOD > "$tmp/keep_test.tsv"
expect_error "split that fails" "test days" "$shelf" split --events "$data/diginetica-raw/sample_train-item-views.csv" \
  --format diginetica --train "$tmp/keep_train.tsv" --test "$tmp/keep_test.tsv" --test-days 999
checks=$((checks + 1)); [ "$(cat "$tmp/keep_train.tsv" "$tmp/keep_test.tsv")" = "$(printf 'GOOD\nGOOD')" ] || fail "a failed split changed its outputs"
cp "$tmp/lean.shelf" "$tmp/keep.shelf"
expect_error "train that fails" "no sessions" "$shelf" train --sessions /dev/null --out "$tmp/keep.shelf"
checks=$((checks + 1)); cmp -s "$tmp/lean.shelf" "$tmp/keep.shelf" || fail "a failed train changed its --out"
"$shelf" train --sessions "$data/diginetica/train_sessions.tsv" --out "$tmp/keep.shelf" --dims 0 2>/dev/null & victim=$!
sleep 2; kill -9 $victim 2>/dev/null; wait $victim 2>/dev/null || true
checks=$((checks + 1)); cmp -s "$tmp/lean.shelf" "$tmp/keep.shelf" || fail "a killed train left --out changed"
# Options that name nothing are refused, not read as defaults.
printf 's,x,view\n' > "$tmp/tiny.csv"
expect_error "--columns without item" "item=N is required" "$shelf" train --events "$tmp/tiny.csv" --format generic --columns user=0 --out "$tmp/x.shelf"
expect_error "--columns empty" "item=N is required" "$shelf" train --events "$tmp/tiny.csv" --format generic --columns '' --out "$tmp/x.shelf"
expect_error "--delimiter of two" "--delimiter: one character" "$shelf" train --events "$tmp/tiny.csv" --format generic --columns session=0,item=1 --delimiter ab --out "$tmp/x.shelf"
expect_error "no sessions, named" "/dev/null: no sessions in it" "$shelf" train --sessions /dev/null --out "$tmp/x.shelf"
expect_error "bad drop tolerance" "drop tolerance" "$shelf" train --sessions "$tmp/train.tsv" --out "$tmp/x.shelf" --drop-tolerance -1
expect_ok "inspect" "$shelf" inspect "$tmp/a.shelf"
for word in covisit sequential embeddings popularity item_ids '"seed": 7'; do
  checks=$((checks + 1)); grep -q -- "$word" "$tmp/out" || fail "inspect does not show $word"
done

expect_ok "eval --json" "$shelf" eval --model "$tmp/a.shelf" --test "$tmp/test.tsv" --json
for key in '"cases": 2000' '"hr@20"' '"mrr@20"' '"ndcg@20"' '"p50_us"' '"p99_us"'; do
  checks=$((checks + 1)); grep -q -- "$key" "$tmp/out" || fail "eval --json lacks $key: $(cat "$tmp/out")"
done
# The baselines beside the model: each the figure of its scorer alone, on the same cases.
checks=$((checks + 1)); grep -q '"baselines": \[{"scorers": "popularity", "hr@20": [0-9.]*, .*}, {"scorers": "repeat", ' "$tmp/out" \
  || fail "eval --json lacks the baselines: $(cat "$tmp/out")"
expect_ok "eval --scorers repeat" "$shelf" eval --model "$tmp/a.shelf" --test "$tmp/test.tsv" --json --scorers repeat
repeat_alone=$(sed 's/.*"hr@20": \([0-9.]*\), "mrr@20": \([0-9.]*\).*/\1 \2/' "$tmp/out")
checks=$((checks + 1)); ! grep -q baselines "$tmp/out" || fail "--scorers still evaluates the baselines"
expect_ok "eval, text" "$shelf" eval --model "$tmp/a.shelf" --test "$tmp/test.tsv"
checks=$((checks + 1))
[ "$(awk '$1 == "session" && $2 == "repeat" { print $3, $4 }' "$tmp/out")" = "$repeat_alone" ] \
  || fail "the session repeat baseline ($(grep 'session repeat' "$tmp/out")) is not --scorers repeat's ($repeat_alone)"
checks=$((checks + 1)); grep -qE '^  popularity +[0-9.]+ +[0-9.]+ +[0-9.]+$' "$tmp/out" || fail "no popularity baseline: $(cat "$tmp/out")"
expect_error "eval --scorers ''" "--scorers: no scorer given \(one or more of popularity, " "$shelf" eval --model "$tmp/a.shelf" --test "$tmp/test.tsv" --scorers ''
expect_error "eval --test DIR" "is a directory, not a test file" "$shelf" eval --model "$tmp/a.shelf" --test "$tmp"
python3 -c "print('1 ' * 600000 + '\t2')" > "$tmp/long_line.tsv"
expect_error "eval, a huge line" "long_line.tsv:1: a line of [0-9]+ bytes \(at most 1048576\)" "$shelf" eval --model "$tmp/a.shelf" --test "$tmp/long_line.tsv"
expect_ok "eval --k 5" "$shelf" eval --model "$tmp/a.shelf" --test "$tmp/test.tsv" --k 5 --json
checks=$((checks + 1)); grep -q '"hr@5"' "$tmp/out" || fail "eval --k 5 does not report hr@5"
# The float model and its quantized copy rank almost the same.
"$shelf" eval --model "$tmp/f.shelf" --test "$tmp/test.tsv" --json --no-baselines > "$tmp/f.json"
"$shelf" eval --model "$tmp/q.shelf" --test "$tmp/test.tsv" --json --no-baselines > "$tmp/q.json"
checks=$((checks + 1))
awk -v f="$(sed 's/.*"hr@20": \([0-9.]*\).*/\1/' "$tmp/f.json")" -v q="$(sed 's/.*"hr@20": \([0-9.]*\).*/\1/' "$tmp/q.json")" \
  'BEGIN { d = f - q; if (d < 0) d = -d; exit !(d < 1.5) }' || fail "int8 HR@20 drifts from float: $(cat "$tmp/f.json") vs $(cat "$tmp/q.json")"

# Golden output: the small model's recommendations for a fixed session.
ids=$(head -n 1 "$tmp/train.tsv" | tr ' ' '\n' | head -n 3)
events=$(printf '%s\n' $ids | awk 'BEGIN { printf "[" } { printf "%s{\"type\":\"view\",\"item\":\"%s\",\"ts\":%d}", (NR > 1 ? "," : ""), $1, 1700000000 + 10 * NR } END { print "]" }')
expect_ok "recommend --json" "$shelf" recommend --model "$tmp/a.shelf" --events "$events" --k 10 --json
if [ "${UPDATE_GOLDEN:-}" = 1 ]; then cp "$tmp/out" "$golden/recommend_small.json"; fi
checks=$((checks + 1)); diff -u "$golden/recommend_small.json" "$tmp/out" >&2 || fail "recommend output differs from $golden/recommend_small.json (UPDATE_GOLDEN=1 rewrites it)"
checks=$((checks + 1)); python3 -m json.tool "$tmp/out" > /dev/null || fail "recommend --json is not JSON"
# --exclude (repeatable, comma-separated): the golden list without two of its items, the
# others in the same order; an id the model lacks is ignored with a note.
golden_items=$(sed -n 's/.*"item": "\([^"]*\)".*/\1/p' "$golden/recommend_small.json")
dropped=$(echo "$golden_items" | sed -n '3p;5p' | paste -sd,)
expect_ok "recommend --exclude" "$shelf" recommend --model "$tmp/a.shelf" --events "$events" --k 8 --json --exclude "$dropped" --exclude no-such-sku
checks=$((checks + 1))
[ "$(sed -n 's/.*"item": "\([^"]*\)".*/\1/p' "$tmp/out")" = "$(echo "$golden_items" | sed '3d;5d')" ] ||
  fail "recommend --exclude $dropped: $(cat "$tmp/out")"
checks=$((checks + 1)); grep -q "no item 'no-such-sku'" "$tmp/err" || fail "--exclude of an unknown id says nothing: $(cat "$tmp/err")"
# Related items of one item (a product page): never the item, reasons naming it,
# --exclude honoured, an unknown item refused by name.
page=$(head -n 1 "$tmp/train.tsv" | cut -d' ' -f1)
expect_ok "related --json" "$shelf" related --model "$tmp/a.shelf" --item "$page" --k 10 --json
checks=$((checks + 1)); [ "$(grep -c '"item"' "$tmp/out")" = 10 ] || fail "related --k 10 --json: $(cat "$tmp/out")"
checks=$((checks + 1)); ! grep -q "\"item\": \"$page\"" "$tmp/out" || fail "related returned the item itself"
checks=$((checks + 1)); grep -q "\"reason\": \"viewed_together\", \"because\": \"$page\"" "$tmp/out" || fail "related gives no viewed_together of $page: $(cat "$tmp/out")"
checks=$((checks + 1)); ! grep -vE '^\[|^\]|"reason": "(viewed_together|viewed_after|similar)", "because": "'"$page"'"|"reason": "popular"}' "$tmp/out" >&2 ||
  fail "related: a line with another reason or because"
related_first=$(sed -n 's/.*"item": "\([^"]*\)".*/\1/p' "$tmp/out" | head -n 1)
expect_ok "related --exclude" "$shelf" related --model "$tmp/a.shelf" --item "$page" --k 10 --json --exclude "$related_first"
checks=$((checks + 1)); ! grep -q "\"item\": \"$related_first\"" "$tmp/out" || fail "related --exclude $related_first: $(cat "$tmp/out")"
expect_ok "related text" "$shelf" related --model "$tmp/a.shelf" --item "$page" --k 3
checks=$((checks + 1)); [ "$(grep -c '^ *[0-9]*\. ' "$tmp/out")" = 3 ] || fail "related --k 3 did not print 3 items"
expect_error "related of an unknown item" "unknown item 'no-such-sku'" "$shelf" related --model "$tmp/a.shelf" --item no-such-sku
expect_error "related without --item" "give --model MODEL and --item ID" "$shelf" related --model "$tmp/a.shelf"
expect_ok "recommend text" "$shelf" recommend --model "$tmp/a.shelf" --events "$events" --k 3
checks=$((checks + 1)); [ "$(grep -c '^ *[0-9]*\. ' "$tmp/out")" = 3 ] || fail "recommend --k 3 did not print 3 items"

# Embeddings trained elsewhere: a float32 .npy [5, 20] and its ids -> an int8 model, dims padded to 32.
python3 - "$tmp/vectors.npy" <<'PY'
import struct, sys
rows, dims = 5, 20
header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }" % (rows, dims)
header += " " * (63 - (10 + len(header)) % 64) + "\n"
with open(sys.argv[1], "wb") as f:
    f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode())
    for r in range(rows):
        f.write(struct.pack("<%df" % dims, *[(1.0 if d == r else 0.1 * d) for d in range(dims)]))
PY
printf 'red\ngreen\nblue\ncyan\nmagenta\n' > "$tmp/vectors.ids"
expect_ok "quantize npy" "$shelf" quantize --npy "$tmp/vectors.npy" --ids "$tmp/vectors.ids" --out "$tmp/npy.shelf" --name colours
expect_ok "inspect npy model" "$shelf" inspect "$tmp/npy.shelf"
checks=$((checks + 1)); grep -qE "^dims +32$" "$tmp/out" || fail "npy model dims are not padded to 32: $(grep dims "$tmp/out")"
expect_ok "recommend on npy model" "$shelf" recommend --model "$tmp/npy.shelf" --events '[{"type":"view","item":"green","ts":1}]' --k 2 --keep-bought --json
checks=$((checks + 1)); grep -q '"reason": "similar"' "$tmp/out" || fail "npy model gives no similar items: $(cat "$tmp/out")"
printf 'red\ngreen\n' > "$tmp/short.ids"
expect_error "npy with too few ids" "short.ids" "$shelf" quantize --npy "$tmp/vectors.npy" --ids "$tmp/short.ids" --out "$tmp/x.shelf"

# Raw logs of every format.
expect_ok "train diginetica raw" "$shelf" train --events "$data/diginetica-raw/sample_train-item-views.csv" --format diginetica --out "$tmp/d.shelf" --dims 0
expect_ok "train rees46" "$shelf" train --events "$data/rees46/2019-Oct-sample.csv" --format rees46 --out "$tmp/r.shelf" --dims 16 --epochs 1
expect_ok "train taobao skipping the truncated line" "$shelf" train --events "$data/taobao-userbehavior/UserBehavior_head84k.csv" --format taobao --skip-bad-lines --out "$tmp/t.shelf" --dims 0
checks=$((checks + 1)); grep -q "84476" "$tmp/err" || fail "skipped taobao line not reported: $(cat "$tmp/err")"
printf 'SessionId\tTime\tItemId\ns1\t10\tx\ns1\t20\ty\ns2\t30\ty\ns2\t40\tz\n' > "$tmp/sessionrec.tsv"
expect_ok "train sessionrec" "$shelf" train --events "$tmp/sessionrec.tsv" --format sessionrec --out "$tmp/s.shelf" --dims 0 --validation 0
printf 'user,sku,when,what\nu1,a,2024-01-01T10:00:00Z,view\nu1,b,2024-01-01T10:01:00Z,add_to_cart\nu2,b,2024-01-01T11:00:00Z,view\nu2,c,2024-01-01T11:00:30Z,purchase\n' > "$tmp/generic.csv"
expect_ok "train generic" "$shelf" train --events "$tmp/generic.csv" --format generic --columns user=0,item=1,time=2,type=3 --header --iso-time --out "$tmp/g.shelf" --dims 0 --validation 0
printf '{"id":"a","category":"shoes","price":10}\n{"id":"b","category":"hats","price":20,"in_stock":false}\n' > "$tmp/catalog.jsonl"
expect_ok "train with catalog" "$shelf" train --events "$tmp/generic.csv" --format generic --columns user=0,item=1,time=2,type=3 --header --iso-time --catalog "$tmp/catalog.jsonl" --out "$tmp/c.shelf" --dims 0 --validation 0
expect_ok "inspect catalog model" "$shelf" inspect "$tmp/c.shelf"
checks=$((checks + 1)); grep -q "category shoes" "$tmp/out" || fail "catalog not in the model"

# Bad input: a named error, a non-zero exit, no crash.
expect_error "missing sessions file" "no-such-file.tsv" "$shelf" train --sessions "$tmp/no-such-file.tsv" --out "$tmp/x.shelf"
printf '1 2 3\n4 5\n6\t7\n' > "$tmp/tab.tsv"
expect_error "tab in a sessions file" "tab.tsv:3:" "$shelf" train --sessions "$tmp/tab.tsv" --out "$tmp/x.shelf"
expect_error "truncated taobao line" "UserBehavior_head84k.csv:84476:" "$shelf" train --events "$data/taobao-userbehavior/UserBehavior_head84k.csv" --format taobao --out "$tmp/x.shelf"
expect_error "unknown format" "unknown --format" "$shelf" train --events "$tmp/generic.csv" --format parquet --out "$tmp/x.shelf"
printf '{"id":"a"}\n{"id": }\n' > "$tmp/bad.jsonl"
expect_error "malformed catalog" "bad.jsonl:2:" "$shelf" train --sessions "$tmp/train.tsv" --catalog "$tmp/bad.jsonl" --out "$tmp/x.shelf" --dims 0
checks=$((checks + 1)); [ ! -e "$tmp/x.shelf" ] || fail "a failed train left a model behind"
head -c 5000 "$tmp/a.shelf" > "$tmp/truncated.shelf"
expect_error "truncated model" "SHELF_E_TRUNCATED" "$shelf" inspect "$tmp/truncated.shelf"
expect_error "truncated model in eval" "SHELF_E_TRUNCATED" "$shelf" eval --model "$tmp/truncated.shelf" --test "$tmp/test.tsv"
cp "$tmp/a.shelf" "$tmp/corrupt.shelf"
printf '\x55' | dd of="$tmp/corrupt.shelf" bs=1 seek=100000 conv=notrunc 2>/dev/null
expect_error "corrupted model" "SHELF_E_CHECKSUM_MISMATCH" "$shelf" inspect "$tmp/corrupt.shelf"
expect_error "not a model" "SHELF_E_BAD_MAGIC" "$shelf" inspect "$tmp/train.tsv"
expect_error "unknown item" "unknown item 'no-such-sku'" "$shelf" recommend --model "$tmp/a.shelf" --events '[{"type":"view","item":"no-such-sku","ts":1}]'
expect_error "unknown event type" "event 0: \"type\" must be one of view, .*dwell, view_item, .*Order Completed" "$shelf" recommend --model "$tmp/a.shelf" --events '[{"type":"like","item":"2","ts":1}]'
# GA4's and Segment's names are the same events as Shelf's: the same recommendations.
expect_ok "recommend, Segment's names" "$shelf" recommend --model "$tmp/a.shelf" --k 10 --json --events "$(echo "$events" | sed 's/"type":"view"/"type":"Product Viewed"/g')"
checks=$((checks + 1)); cmp -s "$tmp/out" "$golden/recommend_small.json" || fail "Segment's 'Product Viewed' recommends otherwise than 'view'"
# Hostile events: trailing text, a NUL escape, a huge id, a huge file, a bad price bound.
expect_error "events with trailing text" "nothing after it" "$shelf" recommend --model "$tmp/a.shelf" --events '[{"type":"view","item":"2"}] x'
expect_error "an id with a NUL" 'holds \\u0000' "$shelf" recommend --model "$tmp/a.shelf" --events '[{"type":"view","item":"2\u0000zz"}]'
python3 -c "print('[{\"type\":\"view\",\"item\":\"' + 'x' * 100000 + '\"}]')" > "$tmp/huge_id.json"
expect_error "a huge unknown id" "unknown item 'x{64}\.\.\.' \(100000 bytes\)" "$shelf" recommend --model "$tmp/a.shelf" --events "@$tmp/huge_id.json"
checks=$((checks + 1)); [ "$(wc -c < "$tmp/err")" -lt 400 ] || fail "a huge id was echoed whole: $(wc -c < "$tmp/err") bytes"
head -c 2000000 /dev/zero | tr '\0' ' ' > "$tmp/huge_events.json"
expect_error "a huge events file" "over 1048576 bytes" "$shelf" recommend --model "$tmp/a.shelf" --events "@$tmp/huge_events.json"
expect_error "--min-price abc" "--min-price: a price >= 0, not 'abc'" "$shelf" recommend --model "$tmp/a.shelf" --events '[]' --min-price abc
expect_error "malformed events JSON" "expected a JSON array" "$shelf" recommend --model "$tmp/a.shelf" --events '[{"type":'
printf '1 2 3\n' > "$tmp/notab.tsv"
expect_error "test file without a tab" "notab.tsv:1:" "$shelf" eval --model "$tmp/a.shelf" --test "$tmp/notab.tsv"
expect_error "unknown option" "unknown option" "$shelf" eval --model "$tmp/a.shelf" --test "$tmp/test.tsv" --bogus
expect_error "unknown command" "unknown command" "$shelf" fly

echo "test_cli: $checks checks, $failures failed" >&2
[ $failures -eq 0 ]
