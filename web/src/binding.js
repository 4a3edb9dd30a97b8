// The thin layer: include/shelf.h as JavaScript, one function per C function.
//
//   capi       every shelf_* function the module exports, under its C name, with
//              its C arguments: pointers are byte offsets into `wasm.memory`,
//              sizes are numbers, a shelf_status comes back as a number.
//   constants  C's own constants and struct layouts (src/wasm/shelf_wasm.c), read
//              from the module itself, so they cannot drift from shelf.h.
//   wasm       the memory helpers a caller of capi needs: allocate, copy bytes in,
//              read C strings, typed views that survive memory growth.
//
// Nothing here decides anything: that is the friendly layer's job (shelf.js), as in
// SQLite's wasm API (capi, then the object-oriented API above it).

import { ShelfError } from './error.js';

/** What the module imports: memory growth is announced, and nothing needs to hear it
 * because views are re-created lazily (see `wasm.u8()`). */
export const imports = Object.freeze({
  env: { emscripten_notify_memory_growth() {} },
});

/** The largest size_t of wasm32: no allocation can be bigger. */
const MAX_ALLOC = 0xffffffff;

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

/**
 * Binds an instantiated Shelf module. Call once per instance.
 * @param {WebAssembly.Instance} instance
 */
export function bindInstance(instance) {
  const exports = instance.exports;
  if (typeof exports.shelf_wasm_constant_count !== 'function' || !(exports.memory instanceof WebAssembly.Memory)) {
    throw new ShelfError('SHELF_E_BAD_ARGUMENT', 'not a Shelf module (shelf-simd.wasm or shelf-scalar.wasm)');
  }
  // A standalone module without an entry point runs its C constructors here, once.
  if (typeof exports._initialize === 'function') exports._initialize();

  const capi = {};
  for (const [name, value] of Object.entries(exports)) {
    if (name.startsWith('shelf_') && typeof value === 'function') capi[name] = value;
  }
  const wasm = memoryHelpers(exports);
  const constants = readConstants(capi, wasm);
  return Object.freeze({ capi: Object.freeze(capi), constants, wasm });
}

function memoryHelpers(exports) {
  const { memory, malloc, free } = exports;
  let u8 = new Uint8Array(memory.buffer);
  let u32 = new Uint32Array(memory.buffer);
  let f32 = new Float32Array(memory.buffer);
  // Growth replaces memory.buffer (the old one is detached): re-create the views then.
  const fresh = () => {
    if (u8.buffer !== memory.buffer) {
      u8 = new Uint8Array(memory.buffer);
      u32 = new Uint32Array(memory.buffer);
      f32 = new Float32Array(memory.buffer);
    }
  };

  const wasm = {
    memory,
    /** Current views of the whole memory: take them again after any call into C
     * that may allocate. u32()[p >> 2] reads the uint32 at byte offset p. */
    u8() { fresh(); return u8; },
    u32() { fresh(); return u32; },
    f32() { fresh(); return f32; },

    /** malloc(), throwing instead of returning 0. */
    alloc(size) {
      // malloc takes a 32-bit size_t: JS would pass size modulo 2^32, so a size too
      // big for it would come back as a small block that C then overruns.
      if (!Number.isInteger(size) || size < 0 || size > MAX_ALLOC) {
        throw new ShelfError('SHELF_E_BAD_ARGUMENT', `cannot allocate ${size} bytes: wasm32 sizes are whole numbers up to ${MAX_ALLOC}`);
      }
      const p = malloc(Math.max(1, size));
      if (p === 0) throw new RangeError(`out of wasm memory allocating ${size} bytes`);
      return p;
    },
    free,

    /** Copies bytes into fresh C memory; the caller frees the pointer. */
    allocBytes(bytes) {
      const p = wasm.alloc(bytes.length);
      wasm.u8().set(bytes, p);
      return p;
    },

    /** A NUL-terminated C string, or `size` bytes when given; null for NULL. */
    string(ptr, size) {
      if (ptr === 0) return null;
      const heap = wasm.u8();
      let end = ptr + (size ?? 0);
      if (size === undefined) while (heap[end] !== 0) end++;
      return utf8Decoder.decode(heap.subarray(ptr, end));
    },

    /** UTF-8 bytes of a JS string (ids are bytes in C). */
    utf8(text) {
      return utf8Encoder.encode(text);
    },
  };
  return Object.freeze(wasm);
}

function readConstants(capi, wasm) {
  const constants = {};
  const count = capi.shelf_wasm_constant_count();
  for (let i = 0; i < count; i++) {
    constants[wasm.string(capi.shelf_wasm_constant_name(i))] = capi.shelf_wasm_constant_value(i) >>> 0;
  }
  // The status codes, SHELF_OK = 0 upwards, until C stops knowing them.
  for (let status = 0; ; status++) {
    const name = wasm.string(capi.shelf_status_name(status));
    if (name === 'SHELF_E_UNKNOWN_STATUS') break;
    constants[name] = status;
  }
  return Object.freeze(constants);
}
