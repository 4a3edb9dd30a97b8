#!/usr/bin/env bash
# Fuzzes the parsers with libFuzzer (clang, with ASan and UBSan), each target for
# the given number of seconds (default 60), with a per-input time limit (a hang is
# a failure) and a cap on memory:
#   fuzz_model_open  the model loader, then recommend, related and session restore
#                    on what opens (seeds: the models test_model_format writes)
#   fuzz_log_read    every log reader and the catalog reader, then training on what
#                    they read (seeds: tests/fuzz/seeds/log_read)
#   fuzz_session_restore  saved session states, as is and with the checksum fixed
#                    (seeds: tests/fuzz/seeds/session_restore)
#   fuzz_cli_input   the CLI's --events JSON and eval test lines (seeds:
#                    tests/fuzz/seeds/cli_input)
# A crash or a broken promise stops it with a non-zero exit and leaves the input in
# build-fuzz/ (replay it: build-fuzz/tests/fuzz/<target> FILE).
# Usage: tools/fuzz.sh [SECONDS]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
seconds=${1:-60}
out=build-fuzz
# The same layers and flags as every build, plus coverage hooks (tests/fuzz/CMakeLists.txt).
CC=clang cmake -S . -B "$out" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS_DEBUG="-g -O1" -DSHELF_FUZZ=ON >/dev/null
cmake --build "$out" -j"$(nproc 2>/dev/null || echo 2)" --target fuzz_model_open fuzz_log_read fuzz_session_restore fuzz_cli_input >/dev/null
mkdir -p "$out/corpus/model_open" "$out/corpus/log_read" "$out/corpus/session_restore" "$out/corpus/cli_input"
build/tests/test_model_format --write-seeds "$out/corpus/model_open" 2>/dev/null
cp tests/fuzz/seeds/log_read/* "$out/corpus/log_read/"
cp tests/fuzz/seeds/session_restore/* "$out/corpus/session_restore/"
cp tests/fuzz/seeds/cli_input/* "$out/corpus/cli_input/"
cd "$out"
for target in model_open log_read session_restore cli_input; do
  quiet=""; [ $target = cli_input ] && quiet="-close_fd_mask=2" # the CLI's messages
  echo "-- fuzz_$target, $seconds s"
  status=0
  TMPDIR="$PWD" tests/fuzz/fuzz_$target -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 $quiet \
    -print_final_stats=1 "corpus/$target" > "fuzz_$target.log" 2>&1 || status=$?
  # The end of libFuzzer's report: executions, coverage (cov: edges, ft: features), the corpus.
  grep -E '^#[0-9]+.*DONE|^stat::number_of_executed_units|^stat::peak_rss_mb' "fuzz_$target.log" || true
  if [ $status -ne 0 ]; then
    tail -n 40 "fuzz_$target.log"
    echo "fuzz_$target failed (exit $status): the input is in $out/" >&2
    exit $status
  fi
done
