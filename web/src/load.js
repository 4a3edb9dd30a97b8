// Getting bytes and compiled modules from wherever the caller has them: a URL (the
// browser, Node, a Web Worker), bytes, a Response, or an already compiled
// WebAssembly.Module (edge runtimes such as Cloudflare Workers refuse to compile
// wasm from bytes: there the .wasm is imported as a module and handed over).

import { ShelfError } from './error.js';

// The smallest module that uses SIMD128 (the one the wasm-feature-detect package
// uses): a function () -> v128 whose body is i8x16.popcnt(i8x16.splat(0)).
// An engine without SIMD128 refuses to validate it.
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // "\0asm", version 1
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b,       // type section: () -> v128
  0x03, 0x02, 0x01, 0x00,                         // function section: one of type 0
  0x0a, 0x0a, 0x01, 0x08, 0x00,                   // code section: one body, no locals
  0x41, 0x00, 0xfd, 0x0f, 0xfd, 0x62, 0x0b,       // i32.const 0, i8x16.splat, i8x16.popcnt, end
]);

/** True when this engine runs WebAssembly SIMD128. */
export function simdSupported() {
  try {
    return WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

/** The two modules shipped in the package's dist/ folder. Computed on demand:
 * some runtimes (workerd) give embedded modules no usable import.meta.url. */
export function packagedWasm() {
  return {
    simd: new URL('../dist/shelf-simd.wasm', import.meta.url),
    scalar: new URL('../dist/shelf-scalar.wasm', import.meta.url),
  };
}

// Compilation is the slow part of loading, and a page may load several models:
// modules fetched from the same URL are compiled once.
const compiledByUrl = new Map();

/**
 * Resolves the `wasm` option of Shelf.load() to a compiled module.
 * @param {*} source  a Module, bytes, a Response, a URL or string, or { simd, scalar }
 *                    holding any of those (the default: the packaged files)
 * @param {'auto'|boolean} simd  which of { simd, scalar } to take; 'auto' detects
 * @returns {Promise<{ module: WebAssembly.Module, simd: boolean|null }>} simd is
 *          null when a single module was given and the choice was not ours
 */
export async function compileWasm(source, simd = 'auto') {
  let chosen = null;
  if (source === undefined || isPair(source)) {
    const pair = source ?? packagedWasm();
    chosen = simd === 'auto' ? simdSupported() : Boolean(simd);
    source = chosen ? pair.simd : pair.scalar;
    if (source === undefined) throw new ShelfError('SHELF_E_NULL_ARGUMENT', `no ${chosen ? 'simd' : 'scalar'} module given`);
  }
  if (source instanceof WebAssembly.Module) return { module: source, simd: chosen };
  if (isLocation(source)) {
    const url = resolveLocation(source);
    const key = url instanceof URL ? url.href : url;
    if (!compiledByUrl.has(key)) {
      const compiling = fetchBytes(url).then((bytes) => WebAssembly.compile(bytes));
      compiledByUrl.set(key, compiling);
      compiling.catch(() => compiledByUrl.delete(key)); // a failed fetch may be retried
    }
    return { module: await compiledByUrl.get(key), simd: chosen };
  }
  return { module: await WebAssembly.compile(await toBytes(source)), simd: chosen };
}

/** Bytes from a URL, a string (a URL; in Node also a file path), a Response,
 * an ArrayBuffer or a view. Failures to read are ShelfError SHELF_E_IO. */
export async function toBytes(source) {
  if (source instanceof Uint8Array) return source;
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  if (ArrayBuffer.isView(source)) return new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  if (typeof Response !== 'undefined' && source instanceof Response) return responseBytes(source, source.url);
  if (isLocation(source)) return fetchBytes(resolveLocation(source));
  throw new ShelfError('SHELF_E_BAD_ARGUMENT', 'expected a URL, a string, a Response, an ArrayBuffer or a typed array');
}

function isPair(source) {
  return source !== null && typeof source === 'object' && ('simd' in source || 'scalar' in source);
}

function isLocation(source) {
  return typeof source === 'string' || source instanceof URL;
}

/** A URL, or a file path for Node when there is no page to resolve against. */
function resolveLocation(source) {
  if (source instanceof URL) return source;
  if (typeof location !== 'undefined' && location.href) return new URL(source, location.href);
  try {
    return new URL(source); // absolute
  } catch {
    return source; // a path: only Node can read it
  }
}

async function fetchBytes(url) {
  const where = String(url);
  try {
    if (typeof url === 'string' || url.protocol === 'file:') {
      // Node: fetch() does not read files. Never reached in a browser or a worker.
      const fs = await import(/* webpackIgnore: true */ 'node:fs/promises');
      return new Uint8Array(await fs.readFile(url));
    }
    return await responseBytes(await fetch(url), where);
  } catch (error) {
    if (error instanceof ShelfError) throw error;
    throw new ShelfError('SHELF_E_IO', `cannot read ${where}: ${error.message}`);
  }
}

async function responseBytes(response, where) {
  if (!response.ok) throw new ShelfError('SHELF_E_IO', `cannot read ${where}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}
