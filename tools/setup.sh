#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks to build and test Shelf.
# Idempotent: a second run finds everything in place and does nothing.
#   - Debian packages: emscripten (wasm builds); for the tests also wabt (wasm
#     inspection), chromium (browser tests), valgrind (memcheck of the CLI) and
#     clang with its libFuzzer runtime (the fuzz targets);
#   - cJSON 1.7.15 from Debian's source package, checksum-verified, into .deps/;
#   - for the tests, the npm packages of web/ from its committed package-lock.json
#     (Chromium's driver, workerd, TypeScript, the peers of the benchmark: the demo
#     itself needs none of them).
# Usage: tools/setup.sh          everything the tests need (tools/test.sh)
#        tools/setup.sh --demo   only what building and the demo need (tools/demo.sh)
set -euo pipefail
demo_only=0
case "${1:-}" in
  --demo) demo_only=1 ;;
  "") ;;
  *) echo "usage: tools/setup.sh [--demo]" >&2; exit 2 ;;
esac

top=$(cd "$(dirname "$0")/.." && pwd)
deps="$top/.deps"
cjson_version=1.7.15
cjson_orig_sha256=5308fd4bd90cef7aa060558514de6a1a4a0819974a26e6ed13973c5f624c24b2

say() { printf 'setup: %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_debian_packages() {
  local missing=()
  command -v emcc >/dev/null 2>&1 || missing+=(emscripten)
  command -v node >/dev/null 2>&1 || missing+=(nodejs)   # the demo's server, the test harness
  if [ $demo_only = 0 ]; then
    command -v npm >/dev/null 2>&1 || missing+=(npm)
    command -v wasm-objdump >/dev/null 2>&1 || missing+=(wabt)
    command -v chromium >/dev/null 2>&1 || missing+=(chromium)
    command -v valgrind >/dev/null 2>&1 || missing+=(valgrind)
    # The fuzz targets: clang and its libFuzzer runtime (Debian 12's clang is 14).
    command -v clang >/dev/null 2>&1 || missing+=(clang)
    compgen -G "/usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a" >/dev/null || missing+=(libclang-rt-14-dev)
  fi
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# cJSON comes from Debian's source package (with Debian's patches applied), so the
# same cJSON.c is compiled into the native and the WebAssembly builds. The deb-src
# entries are derived from this machine's own apt sources, in a private folder.
fetch_cjson() {
  local dest="$deps/cjson"
  [ -f "$dest/cJSON.c" ] && [ -f "$dest/cJSON.h" ] && return 0
  say "fetching cJSON $cjson_version from Debian's source package"
  local tmp
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' RETURN
  mkdir -p "$tmp/parts" "$tmp/lists/partial" "$tmp/src"
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -e "$f" ] || continue
    sed 's/^Types:.*/Types: deb-src/' "$f" > "$tmp/parts/$(basename "$f")"
  done
  if [ -f /etc/apt/sources.list ]; then
    sed -n 's/^deb[[:space:]]/deb-src /p' /etc/apt/sources.list > "$tmp/parts/from-sources-list.list"
  fi
  local apt_opts=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$tmp/parts"
                  -o "Dir::State::Lists=$tmp/lists" -o APT::Sandbox::User=root -qq)
  apt-get "${apt_opts[@]}" update
  (cd "$tmp/src" && apt-get "${apt_opts[@]}" source --download-only cjson)
  local orig="$tmp/src/cjson_${cjson_version}.orig.tar.gz"
  [ -f "$orig" ] || { say "cJSON orig tarball not found after download"; return 1; }
  echo "$cjson_orig_sha256  $orig" | sha256sum -c --quiet - \
    || { say "cJSON orig tarball checksum mismatch"; return 1; }
  (cd "$tmp/src" && dpkg-source --no-check -x ./*.dsc cjson >/dev/null)
  mkdir -p "$dest"
  cp "$tmp/src/cjson/cJSON.c" "$tmp/src/cjson/cJSON.h" "$tmp/src/cjson/LICENSE" "$dest/"
}

install_npm_packages() {
  local dir="$top/web"
  [ -f "$dir/package-lock.json" ] || return 0
  if [ -d "$dir/node_modules" ] && [ "$dir/node_modules/.package-lock.json" -nt "$dir/package-lock.json" ]; then
    return 0
  fi
  say "installing npm packages of web/ from package-lock.json"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
}

install_debian_packages
fetch_cjson
[ $demo_only = 1 ] || install_npm_packages
