// Internal: one open shelf_model and the translations between the storefront's words
// (item ids, category names, event names) and C's (indices, enums, statuses).
// Shelf and Session are the public faces of it; this class is not exported.

import { ShelfError, statusError } from './error.js';

const SCRATCH_SIZE = 16; // out-parameters of single calls: up to four 32-bit values

export class Model {
  binding;
  handle = 0;   // shelf_model *
  #bytes = 0;   // the file in wasm memory, borrowed by the model until it is closed
  #scratch = 0;
  #eventTypes = new Map();
  #reasonNames = [];
  #scorerBits = new Map();
  #categoryIndex = new Map();

  /** Opens the model file at `file.pointer` (malloc'ed, `file.size` bytes) in the
   * binding's memory, and owns it from then on: close() frees it, and so does a
   * failure to open. */
  constructor(binding, file) {
    this.binding = binding;
    const { capi, constants: C, wasm } = binding;
    this.#bytes = file.pointer;
    try {
      this.#scratch = wasm.alloc(SCRATCH_SIZE);
    } catch (error) {
      wasm.free(this.#bytes);
      throw error;
    }
    const status = capi.shelf_model_open(this.#bytes, file.size, this.#scratch);
    if (status !== C.SHELF_OK) {
      const error = this.error(status, 'cannot open the model');
      wasm.free(this.#bytes);
      wasm.free(this.#scratch);
      throw error;
    }
    this.handle = this.#out(0);

    // Every name comes from C, so JS accepts exactly what the library knows.
    for (let type = 0; type < C.SHELF_EVENT_TYPE_COUNT; type++) {
      this.#eventTypes.set(wasm.string(capi.shelf_event_type_name(type)), type);
    }
    for (let reason = 0; reason < C.SHELF_REASON_COUNT; reason++) {
      this.#reasonNames.push(wasm.string(capi.shelf_reason_name(reason)));
    }
    for (let bit = 1; bit & C.SHELF_SCORER_ALL; bit <<= 1) {
      this.#scorerBits.set(wasm.string(capi.shelf_scorer_name(bit)), bit);
    }
  }

  close() {
    if (!this.handle) return;
    const { capi, wasm } = this.binding;
    capi.shelf_model_close(this.handle);
    wasm.free(this.#bytes);
    wasm.free(this.#scratch);
    this.handle = this.#bytes = this.#scratch = 0;
  }

  /** The handle, or a ShelfError once closed. */
  live() {
    if (!this.handle) throw new ShelfError('SHELF_E_NULL_ARGUMENT', 'the model was disposed');
    return this.handle;
  }

  /** A ShelfError for a shelf_status, named and explained by C. */
  error(status, what) {
    return statusError(this.binding, status, what);
  }

  get eventTypes() { return [...this.#eventTypes.keys()]; }
  get scorers() { return [...this.#scorerBits.keys()]; }

  metadata() {
    const { capi, wasm } = this.binding;
    const text = capi.shelf_model_metadata(this.live(), this.#scratch);
    return JSON.parse(wasm.string(text, this.#out(0)));
  }

  /** The index of an item id, or -1 when the model does not know it. */
  itemIndex(id) {
    const { capi, constants: C } = this.binding;
    const status = this.#withText(String(id), (p, size) => capi.shelf_model_find_item(this.live(), p, size, this.#scratch));
    if (status === C.SHELF_OK) return this.#out(0);
    if (status === C.SHELF_E_UNKNOWN_ITEM) return -1;
    throw this.error(status, `cannot look up item ${id}`);
  }

  itemId(index) {
    return this.binding.wasm.string(this.binding.capi.shelf_model_item_id(this.live(), index, 0));
  }

  /** { id, category, price, inStock } of an item index. */
  item(index) {
    const { capi, constants: C, wasm } = this.binding;
    const s = this.#scratch;
    const status = capi.shelf_model_item_attributes(this.live(), index, s, s + 4, s + 8);
    if (status !== C.SHELF_OK) throw this.error(status, `no item at index ${index}`);
    const price = wasm.f32()[(s + 4) >> 2];
    const flags = this.#out(2);
    return {
      id: this.itemId(index),
      category: this.categoryName(this.#out(0)),
      price: Number.isNaN(price) ? null : price,
      inStock: (flags & C.SHELF_ITEM_IN_STOCK) !== 0,
    };
  }

  categoryOf(index) {
    this.binding.capi.shelf_model_item_attributes(this.live(), index, this.#scratch, 0, 0);
    return this.categoryName(this.#out(0));
  }

  itemCount() {
    return this.binding.capi.shelf_model_item_count(this.live()) >>> 0;
  }

  categoryCount() {
    return this.binding.capi.shelf_model_category_count(this.live()) >>> 0;
  }

  /** A category's name; null for SHELF_NO_CATEGORY. */
  categoryName(index) {
    if (index === this.binding.constants.SHELF_NO_CATEGORY) return null;
    return this.binding.wasm.string(this.binding.capi.shelf_model_category_name(this.live(), index, 0));
  }

  /** A category's index; ShelfError SHELF_E_UNKNOWN_CATEGORY when absent. */
  categoryIndex(name) {
    let index = this.#categoryIndex.get(name);
    if (index === undefined) {
      const { capi, constants: C } = this.binding;
      const status = this.#withText(String(name), (p, size) => capi.shelf_model_find_category(this.live(), p, size, this.#scratch));
      if (status !== C.SHELF_OK) throw this.error(status, `category "${name}"`);
      index = this.#out(0);
      this.#categoryIndex.set(name, index);
    }
    return index;
  }

  eventType(name) {
    const type = this.#eventTypes.get(name);
    if (type === undefined) {
      throw new ShelfError('SHELF_E_BAD_EVENT', `unknown event type "${name}"; one of ${this.eventTypes.join(', ')}`);
    }
    return type;
  }

  reasonName(reason) {
    return this.#reasonNames[reason];
  }

  scorerBit(name) {
    const bit = this.#scorerBits.get(name);
    if (bit === undefined) {
      throw new ShelfError('SHELF_E_BAD_ARGUMENT', `unknown scorer "${name}"; one of ${this.scorers.join(', ')}`);
    }
    return bit;
  }

  /** The i-th uint32 of the scratch area (where out-parameters land). */
  #out(i) {
    return this.binding.wasm.u32()[(this.#scratch >> 2) + i];
  }

  /** Calls fn(pointer, size) with the UTF-8 bytes of `text` in C memory. */
  #withText(text, fn) {
    const { wasm } = this.binding;
    const bytes = wasm.utf8(text);
    const p = wasm.allocBytes(bytes);
    try {
      return fn(p, bytes.length);
    } finally {
      wasm.free(p);
    }
  }
}
