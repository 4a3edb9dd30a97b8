// Getting bytes and compiled modules from wherever the caller has them: a URL (the
// browser, Node, a Web Worker), bytes, a Response, or an already compiled
// WebAssembly.Module (edge runtimes such as Cloudflare Workers refuse to compile
// wasm from bytes: there the .wasm is imported as a module and handed over).
//
// The model is streamed: a model of a million items is tens of MB, and the C
// library reads it in place in wasm memory, so every chunk is copied there as it
// arrives and no second copy of the file is ever assembled in JavaScript.

import { ShelfError, statusError } from './error.js';

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
let bundledWasm = null;

/** The modules an entry point of the package imported itself (src/workerd.js, for
 * edge runtimes' bundlers): then they are the packaged ones. */
export function useBundledWasm(modules) {
  bundledWasm = modules;
}

export function packagedWasm() {
  if (bundledWasm) return bundledWasm;
  try {
    return {
      simd: new URL('../dist/shelf-simd.wasm', import.meta.url),
      scalar: new URL('../dist/shelf-scalar.wasm', import.meta.url),
    };
  } catch {
    throw new ShelfError('SHELF_E_NULL_ARGUMENT', 'this runtime gives the package no URL to fetch its .wasm ' +
      "files from (an edge Worker, or a bundle): import them and pass them, e.g. import simd from " +
      "'shelf-recs/shelf-simd.wasm'; import scalar from 'shelf-recs/shelf-scalar.wasm'; " +
      'Shelf.load({ model, wasm: { simd, scalar } })');
  }
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
      const compiling = fetchBytes(url).then(compile);
      compiledByUrl.set(key, compiling);
      compiling.catch(() => compiledByUrl.delete(key)); // a failed fetch may be retried
    }
    return { module: await compiledByUrl.get(key), simd: chosen };
  }
  return { module: await compile(await toBytes(source)), simd: chosen };
}

/** WebAssembly.compile, with a page's Content-Security-Policy refusal explained: the
 * browser's own CompileError names a directive, not the fix. */
async function compile(bytes) {
  try {
    return await WebAssembly.compile(bytes);
  } catch (error) {
    if (/Content.Security.Policy|unsafe-eval/i.test(String(error?.message))) {
      const refused = new ShelfError('SHELF_E_IO', "the page's Content-Security-Policy does not allow WebAssembly: " +
        "add 'wasm-unsafe-eval' to its script-src (script-src 'self' 'wasm-unsafe-eval'); 'unsafe-eval' is not needed");
      refused.cause = error;
      throw refused;
    }
    throw error;
  }
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
      const fs = await nodeFs();
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

// The model file's header (models/FORMAT.md): 64 bytes, whose bytes 24..31 hold the
// size of the whole file as a little-endian u64.
const HEADER_SIZE = 64;
const HEADER_FILE_SIZE = 24;
const FILE_READ_SIZE = 1 << 20; // Node: a model file is read in 1 MiB steps
const BYOB_SIZE = 1 << 16;      // a byte stream is read 64 KiB at a time at most

/**
 * Opens the `model` option of Shelf.load() without reading it: bytes are kept as
 * they are; a URL, a Request or a Response becomes the stream of its body; a
 * ReadableStream (or, in Node, any async iterable such as a file stream) is taken
 * as it is; a path or file: URL (Node) is opened. readModel() then copies it into
 * wasm memory.
 * @returns {Promise<{ bytes: Uint8Array } | { stream: ReadableStream|AsyncIterable|null, where: string }
 *                   | { file: import('node:fs/promises').FileHandle, where: string }>}
 */
export async function openModel(source) {
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return { bytes: await toBytes(source) };
  if (isLocation(source)) {
    const url = resolveLocation(source);
    if (typeof url === 'string' || url.protocol === 'file:') return openFile(url);
    source = await fetchResponse(url, String(url));
  } else if (typeof Request !== 'undefined' && source instanceof Request) {
    source = await fetchResponse(source, source.url);
  }
  if (typeof Response !== 'undefined' && source instanceof Response) {
    const where = source.url || 'the response';
    if (!source.ok) throw new ShelfError('SHELF_E_IO', `cannot read ${where}: HTTP ${source.status}`);
    if (source.bodyUsed) throw new ShelfError('SHELF_E_BAD_ARGUMENT', `the body of ${where} was read already`);
    return { stream: source.body, where }; // null without a body: an empty file
  }
  if (isReadableStream(source) || (source !== null && typeof source[Symbol.asyncIterator] === 'function')) {
    return { stream: source, where: 'the stream' };
  }
  throw new ShelfError('SHELF_E_BAD_ARGUMENT', 'expected a URL, a path, a Request, a Response, a ReadableStream, an ArrayBuffer or a typed array');
}

/**
 * Copies an opened model (see openModel) into the memory of a bound instance, in
 * one block of exactly the size its header gives: bytes at once; a stream chunk
 * by chunk as they arrive; a file read straight into the block. The header is
 * judged by C before the block is allocated and the rest read: its status
 * (SHELF_E_BAD_MAGIC, SHELF_E_UNSUPPORTED_VERSION, ...) is thrown then. Shorter
 * than the header says is SHELF_E_TRUNCATED, longer SHELF_E_BAD_HEADER (what C
 * says of buffers shorter or longer than their header); a failing source
 * SHELF_E_IO. An unfinished stream is cancelled, a file closed.
 * @param {(loaded: number, total: number) => void} [onProgress] after every chunk
 * @returns {Promise<{ pointer: number, size: number }>} the caller owns the block
 */
export async function readModel(binding, opened, onProgress) {
  const { wasm } = binding;
  if (opened.bytes) {
    const size = opened.bytes.length;
    const pointer = wasm.allocBytes(opened.bytes);
    onProgress?.(size, size);
    return { pointer, size };
  }
  // The fillers call these two in turn: the size once they have the header, the
  // block once they know the size is right.
  const block = { pointer: 0, size: 0 };
  const sizeOf = (header) => (block.size = fileSize(binding, header, opened.where));
  const allocate = () => (block.pointer = allocModel(wasm, block.size, opened.where));
  try {
    await (opened.file ? fillFromFile : fillFromStream)(opened, sizeOf, allocate, wasm, onProgress);
    return block;
  } catch (error) {
    if (block.pointer !== 0) wasm.free(block.pointer);
    throw error;
  }
}

/** Reads a stream's header (which may come split over chunks, or share one with
 * what follows), then copies it and every chunk after it into the block, checking
 * the length. */
async function fillFromStream({ stream, where }, sizeOf, allocate, wasm, onProgress) {
  const chunks = chunksOf(stream, where);
  try {
    const header = new Uint8Array(HEADER_SIZE);
    let have = 0;
    let rest = null;
    while (have < HEADER_SIZE) {
      const { value, done } = await chunks.next();
      if (done) break;
      const n = Math.min(value.length, HEADER_SIZE - have);
      header.set(value.subarray(0, n), have);
      have += n;
      if (n < value.length) rest = value.subarray(n);
    }
    const size = sizeOf(header.subarray(0, have));
    const pointer = allocate();
    let loaded = 0;
    const append = (chunk) => {
      if (chunk.length > size - loaded) throw tooLong(where, size);
      wasm.u8().set(chunk, pointer + loaded);
      loaded += chunk.length;
      onProgress?.(loaded, size);
    };
    append(header);
    if (rest) append(rest);
    for await (const chunk of chunks) append(chunk);
    if (loaded < size) throw tooShort(where, loaded, size);
  } finally {
    await chunks.return(); // cancels a download left unfinished
  }
}

/** The same for a file (Node), read straight into wasm memory, so that no byte of
 * it passes through a JS buffer; its length is checked before the block is made. */
async function fillFromFile({ file, where }, sizeOf, allocate, wasm, onProgress) {
  try {
    const header = new Uint8Array(HEADER_SIZE);
    const { bytesRead } = await file.read(header, 0, HEADER_SIZE, 0);
    const size = sizeOf(header.subarray(0, bytesRead));
    const length = (await file.stat()).size;
    if (length < size) throw tooShort(where, length, size);
    if (length > size) throw tooLong(where, size);
    const pointer = allocate();
    let loaded = 0;
    while (loaded < size) {
      // Nothing else runs in this instance while it loads: its memory cannot grow
      // under the read.
      const { bytesRead: n } = await file.read(wasm.u8(), pointer + loaded, Math.min(FILE_READ_SIZE, size - loaded), loaded);
      if (n === 0) break; // the file shrank since stat()
      loaded += n;
      onProgress?.(loaded, size);
    }
    if (loaded < size) throw tooShort(where, loaded, size);
  } catch (error) {
    if (error instanceof ShelfError) throw error;
    throw new ShelfError('SHELF_E_IO', `cannot read ${where}: ${error.message}`);
  } finally {
    await file.close();
  }
}

function tooShort(where, loaded, size) {
  return new ShelfError('SHELF_E_TRUNCATED', `${where} ended after ${loaded} of the ${size} bytes its header gives`);
}

function tooLong(where, size) {
  return new ShelfError('SHELF_E_BAD_HEADER', `${where} goes on past the ${size} bytes its header gives`);
}

/** The file size a model's header gives, once C has judged the header: what a
 * model that goes on after its first bytes gets from shelf_model_open() is
 * SHELF_E_TRUNCATED (models/FORMAT.md); anything else (foreign bytes, another
 * format version, a header too short for a model) is thrown as C names it. */
function fileSize(binding, header, where) {
  const { capi, constants: C, wasm } = binding;
  const copy = wasm.allocBytes(header);
  const out = wasm.alloc(4);
  const status = capi.shelf_model_open(copy, header.length, out);
  if (status === C.SHELF_OK) capi.shelf_model_close(wasm.u32()[out >> 2]); // a whole model in 64 bytes
  wasm.free(copy);
  wasm.free(out);
  if (header.length < HEADER_SIZE || (status !== C.SHELF_E_TRUNCATED && status !== C.SHELF_OK)) {
    throw statusError(binding, status, `cannot open the model from ${where}`);
  }
  const size = new DataView(header.buffer, header.byteOffset, HEADER_SIZE).getBigUint64(HEADER_FILE_SIZE, true);
  // malloc takes a 32-bit size_t (see binding.js's alloc()).
  if (size > 0xffffffffn) throw new ShelfError('SHELF_E_OUT_OF_MEMORY', `${where}: a model of ${size} bytes does not fit in wasm32 memory`);
  return Number(size);
}

function allocModel(wasm, size, where) {
  try {
    return wasm.alloc(size);
  } catch (error) {
    throw new ShelfError('SHELF_E_OUT_OF_MEMORY', `${where}: no room for a model of ${size} bytes in wasm memory (${error.message})`);
  }
}

/** Closes what an opened model holds when it will not be read (or not to the
 * end): a download is cancelled, a file closed. */
export function discardModel(opening) {
  opening.then(({ stream, file }) => {
    if (file) file.close().catch(() => {}); // closed already if readModel ran
    else if (isReadableStream(stream)) stream.cancel().catch(() => {}); // refused while readModel holds it: it cancels itself
    else stream?.destroy?.(); // a Node stream
  }, () => {});
}

/** The chunks of a ReadableStream or an async iterable, as Uint8Arrays; errors
 * of the source become SHELF_E_IO. return() cancels the source. */
async function* chunksOf(stream, where) {
  if (stream === null) return;
  // getReader(), not for await: not every browser iterates ReadableStreams. A byte
  // stream (a fetch body, R2, KV) is read into one buffer, reused: a new chunk for
  // every read would be garbage as big as the file before the collector runs. So a
  // chunk yielded is only valid until the next one is asked for.
  let reader = null;
  let buffer = null;
  if (isReadableStream(stream)) {
    try {
      reader = stream.getReader({ mode: 'byob' });
      buffer = new ArrayBuffer(BYOB_SIZE);
    } catch {
      reader = stream.getReader(); // not a byte stream
    }
  }
  const iterator = reader ? null : stream[Symbol.asyncIterator]();
  let finished = false;
  try {
    for (;;) {
      let step;
      try {
        step = await (buffer ? reader.read(new Uint8Array(buffer)) : reader ? reader.read() : iterator.next());
      } catch (error) {
        throw new ShelfError('SHELF_E_IO', `cannot read ${where}: ${error.message}`);
      }
      if (step.done) {
        finished = true;
        return;
      }
      if (buffer) buffer = step.value.buffer; // the same memory, handed back
      yield chunkBytes(step.value, where);
    }
  } finally {
    if (!finished) {
      if (reader) await reader.cancel().catch(() => {});
      else await iterator.return?.();
    }
  }
}

function chunkBytes(value, where) {
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  throw new ShelfError('SHELF_E_BAD_ARGUMENT', `${where} gave a chunk that is not bytes (${typeof value})`);
}

function isReadableStream(source) {
  return typeof ReadableStream !== 'undefined' && source instanceof ReadableStream;
}

async function fetchResponse(request, where) {
  try {
    return await fetch(request);
  } catch (error) {
    throw new ShelfError('SHELF_E_IO', `cannot read ${where}: ${error.message}`);
  }
}

/** Node's file system, for paths. Its name is not a literal, so that bundlers
 * making a browser bundle (esbuild, Vite, webpack) neither try to resolve it nor
 * warn: only Node, which reads paths, ever gets here. */
const NODE_FS = 'node:fs/promises';
function nodeFs() {
  return import(/* webpackIgnore: true */ /* @vite-ignore */ NODE_FS);
}

/** Node: a model file, opened here so that a missing one fails before anything
 * else is done. Never reached in a browser or a worker. */
async function openFile(path) {
  const fs = await nodeFs();
  try {
    return { file: await fs.open(path), where: String(path) };
  } catch (error) {
    throw new ShelfError('SHELF_E_IO', `cannot read ${path}: ${error.message}`);
  }
}
