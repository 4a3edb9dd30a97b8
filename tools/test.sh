#!/usr/bin/env bash
# The README's second command (and CI's): set up, build, and run every test:
#   unit     the C tests natively, again under AddressSanitizer + UndefinedBehavior-
#            Sanitizer, and on wasm32 under Node (SIMD128 and scalar; in npm test);
#   cli      the shelf command end to end on the real data (also sanitized);
#   valgrind the CLI under memcheck on small samples (split, train, eval, recommend);
#   fuzz     60 s of libFuzzer on each parser target (tools/fuzz.sh);
#   js       the JavaScript tests: Node, Chromium (page and Web Worker), workerd,
#            the demo storefront, the peers' agreement;
#   quality  the quality bar of the standard Diginetica split (minutes).
#
# tools/test.sh --quick: the edit-compile-test loop (under a minute): the unit and
# cli tiers natively, the C tests on wasm32 and the package's tests in Node.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
source tools/paths.sh
jobs=$(nproc 2>/dev/null || echo 2)
quick=0
case "${1:-}" in
  --quick) quick=1 ;;
  "") ;;
  *) echo "usage: tools/test.sh [--quick]" >&2; exit 2 ;;
esac

tools/setup.sh
tools/build.sh

echo "== C tests (native, release): unit and cli"
ctest --test-dir build --output-on-failure -j"$jobs" -L 'unit|cli'
if [ $quick = 1 ]; then
  echo "== The C tests on wasm32 and the JavaScript tests, in Node"
  (cd web && node --test test/c-tests.test.mjs test/binding.test.mjs test/constants.test.mjs test/api.test.mjs test/stream.test.mjs test/identity.test.mjs)
  echo "== quick tests passed (the full command adds sanitizers, fuzzing, browsers, workerd and the quality bar)"
  exit 0
fi

echo "== C tests under AddressSanitizer and UndefinedBehaviorSanitizer"
cmake -S . -B build-sanitize -DCMAKE_BUILD_TYPE=Debug -DSHELF_SANITIZE=ON >/dev/null
cmake --build build-sanitize -j"$jobs"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build-sanitize --output-on-failure -j"$jobs"

echo "== valgrind memcheck: the CLI splits, trains, evaluates (with a report) and recommends on samples"
vg="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect"
mkdir -p build/valgrind
head -n 2000 "$data_dir/diginetica/train_sessions.tsv" > build/valgrind/train.tsv
head -n 300 "$data_dir/diginetica/test_prefix_label.tsv" > build/valgrind/test.tsv
$vg build/shelf split --events "$data_dir/diginetica-raw/sample_train-item-views.csv" --format diginetica \
  --train build/valgrind/split_train.tsv --test build/valgrind/split_test.tsv 2>/dev/null
$vg build/shelf train --sessions build/valgrind/train.tsv --out build/valgrind/model.shelf --epochs 1 2>/dev/null
$vg build/shelf eval --model build/valgrind/model.shelf --test build/valgrind/test.tsv --report build/valgrind/report.html >/dev/null 2>&1
$vg build/shelf recommend --model build/valgrind/model.shelf --k 5 --json \
  --events "[{\"type\":\"view\",\"item\":\"$(head -n 1 build/valgrind/train.tsv | cut -d' ' -f1)\"}]" >/dev/null
echo "valgrind: no errors, no leaks"

echo "== Fuzzing the model loader and the log readers (libFuzzer, 60 s each)"
tools/fuzz.sh 60

echo "== JavaScript tests (Node, Chromium, workerd) on the WebAssembly builds"
(cd web && npm test)

echo "== Quality bar: the default int8 model on the Diginetica split"
ctest --test-dir build --output-on-failure -L quality
echo "== all tests passed"
