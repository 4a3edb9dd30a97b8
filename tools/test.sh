#!/usr/bin/env bash
# The README's second command (and CI's): set up, build, and run every test:
# the C tests natively, again under AddressSanitizer + UndefinedBehaviorSanitizer,
# the CLI and quality tests on the real data, a fuzzing run of the model loader,
# and the JavaScript tests (Node, Chromium, workerd) against the WebAssembly builds.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
jobs=$(nproc 2>/dev/null || echo 2)

tools/setup.sh
tools/build.sh

echo "== C tests (native, release)"
ctest --test-dir build --output-on-failure -j"$jobs"

echo "== C tests under AddressSanitizer and UndefinedBehaviorSanitizer"
cmake -S . -B build-sanitize -DCMAKE_BUILD_TYPE=Debug -DSHELF_SANITIZE=ON >/dev/null
cmake --build build-sanitize -j"$jobs"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build-sanitize --output-on-failure -j"$jobs"

echo "== Fuzzing the model loader (libFuzzer, 30 s)"
tools/fuzz.sh 30

if [ -f web/package.json ]; then
  echo "== JavaScript tests (Node, Chromium, workerd) on the WebAssembly builds"
  (cd web && npm test)
fi
echo "== all tests passed"
