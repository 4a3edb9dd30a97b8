#!/usr/bin/env bash
# Fuzzes the model loader with libFuzzer (clang, with ASan and UBSan) for the given
# number of seconds (default 60), starting from valid models that the format test
# writes. A crash or a broken promise stops it with a non-zero exit and leaves the
# input in build-fuzz/ (replay it: build-fuzz/tests/fuzz/fuzz_model_open FILE).
# Usage: tools/fuzz.sh [SECONDS]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
seconds=${1:-60}
out=build-fuzz
# The same layers and flags as every build, plus coverage hooks (tests/fuzz/CMakeLists.txt).
CC=clang cmake -S . -B "$out" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS_DEBUG="-g -O1" -DSHELF_FUZZ=ON >/dev/null
cmake --build "$out" -j"$(nproc 2>/dev/null || echo 2)" --target fuzz_model_open >/dev/null
mkdir -p "$out/corpus"
build/tests/test_model_format --write-seeds "$out/corpus" 2>/dev/null
cd "$out"
tests/fuzz/fuzz_model_open -max_total_time="$seconds" -print_final_stats=1 corpus 2>&1 | tail -n 12
