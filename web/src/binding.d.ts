// Types of the thin binding ('shelf-recs/binding'): include/shelf.h as JS functions.
// Pointers are byte offsets into `wasm.memory`; every function keeps its C name and
// its C arguments, so shelf.h is the manual.

/** Every shelf_* function of include/shelf.h, plus the shelf_wasm_* glue. */
export type CApi = Readonly<Record<`shelf_${string}`, (...args: number[]) => number>>;

export interface WasmHelpers {
  readonly memory: WebAssembly.Memory;
  /** Views of the whole memory; take them again after a call that may allocate. */
  u8(): Uint8Array;
  u32(): Uint32Array;
  f32(): Float32Array;
  /** malloc(), throwing RangeError when out of memory, and ShelfError
   * SHELF_E_BAD_ARGUMENT for a size that is not a whole number in 0..2^32-1 (a
   * wasm32 size_t). */
  alloc(size: number): number;
  free(pointer: number): void;
  /** Copies bytes into new C memory; free the pointer. */
  allocBytes(bytes: Uint8Array): number;
  /** A NUL-terminated string, or `size` bytes; null for NULL. */
  string(pointer: number, size?: number): string | null;
  utf8(text: string): Uint8Array;
}

export interface Binding {
  readonly capi: CApi;
  /** C's constants, struct sizes ("sizeof shelf_request") and field offsets
   * ("shelf_request.k"), and the status codes ("SHELF_E_BAD_STATE"), read from the module. */
  readonly constants: Readonly<Record<string, number>>;
  readonly wasm: WasmHelpers;
}

/** The module's imports: a no-op memory-growth hook. */
export const imports: WebAssembly.Imports;

/** Binds an instance of shelf-simd.wasm or shelf-scalar.wasm and runs its _initialize
 * once; ShelfError SHELF_E_BAD_ARGUMENT for any other module. */
export function bindInstance(instance: WebAssembly.Instance): Binding;
