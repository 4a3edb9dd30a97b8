#!/usr/bin/env bash
# Builds everything: the native library, CLI and tests (build/), and the two
# WebAssembly modules (build-wasm-simd/, build-wasm-scalar/). Incremental.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
jobs=$(nproc 2>/dev/null || echo 2)

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$jobs"

if [ -f src/wasm/wasm.cmake ]; then
  for variant in simd scalar; do
    emcmake cmake -S . -B "build-wasm-$variant" -DCMAKE_BUILD_TYPE=Release -DSHELF_WASM_SIMD=$([ $variant = simd ] && echo ON || echo OFF) >/dev/null
    cmake --build "build-wasm-$variant" -j"$jobs"
  done
fi
