#!/usr/bin/env bash
# Fuzzes the model loader with libFuzzer (clang, with ASan and UBSan) for the given
# number of seconds (default 60), starting from valid models that the format test
# writes. A crash or a broken promise stops it with a non-zero exit and leaves the
# input in build-fuzz/ (replay it: build-fuzz/fuzz_model_open FILE).
# Usage: tools/fuzz.sh [SECONDS]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
seconds=${1:-60}
out=build-fuzz
mkdir -p "$out/corpus"

clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -std=c11 -ffp-contract=off \
  -Iinclude -Isrc/common -Isrc/model -I.deps/cjson \
  tests/fuzz/fuzz_model_open.c src/model/model_open.c src/model/model_metadata.c \
  src/common/checksum.c src/common/status.c .deps/cjson/cJSON.c -lm -o "$out/fuzz_model_open"
build/tests/test_model_format --write-seeds "$out/corpus" 2>/dev/null
cd "$out"
./fuzz_model_open -max_total_time="$seconds" -print_final_stats=1 corpus 2>&1 | tail -n 12
