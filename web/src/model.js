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
  #eventTypes = new Map();   // Shelf's names
  #eventAliases = new Map(); // GA4's and Segment's, from C
  #siteEvents = new Map();   // the site's own (Shelf.load's eventNames)
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
    for (let i = 0, name; (name = capi.shelf_event_alias(i, this.#scratch)); i++) {
      this.#eventAliases.set(wasm.string(name), this.#out(0));
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
    const { category, price, flags } = this.attributes(index);
    return {
      id: this.itemId(index),
      category: this.categoryName(category),
      price: Number.isNaN(price) ? null : price,
      inStock: (flags & this.binding.constants.SHELF_ITEM_IN_STOCK) !== 0,
    };
  }

  /** C's attributes of an item index: { category (an index), price (NaN: unknown), flags }. */
  attributes(index) {
    const { capi, constants: C, wasm } = this.binding;
    const s = this.#scratch;
    const status = capi.shelf_model_item_attributes(this.live(), index, s, s + 4, s + 8);
    if (status !== C.SHELF_OK) throw this.error(status, `no item at index ${index}`);
    return { category: this.#out(0), price: wasm.f32()[(s + 4) >> 2], flags: this.#out(2) };
  }

  /**
   * The attributes `base` (as attributes() gives them) with the changes of
   * shelf.setItem() applied: { inStock, price, category }, each optional. Changes
   * nothing yet; throws ShelfError for a value C would refuse, so that a batch is
   * checked whole before any of it is applied.
   */
  changedAttributes(base, changes, id) {
    const C = this.binding.constants;
    if (changes === null || typeof changes !== 'object') {
      throw new ShelfError('SHELF_E_BAD_ARGUMENT', `the changes to item ${id} must be an object like { inStock: false }`);
    }
    let { category, price, flags } = base;
    const { inStock, price: newPrice, category: newCategory } = changes;
    if (inStock !== undefined) {
      if (typeof inStock !== 'boolean') throw new ShelfError('SHELF_E_BAD_ARGUMENT', `item ${id}: inStock must be true or false, not ${inStock}`);
      flags = inStock ? flags | C.SHELF_ITEM_IN_STOCK : flags & ~C.SHELF_ITEM_IN_STOCK;
    }
    if (newPrice !== undefined) {
      // null is the one spelling of "unknown" (as item() reports it); C stores a float32.
      if (newPrice !== null && !(typeof newPrice === 'number' && newPrice >= 0 && Number.isFinite(Math.fround(newPrice)))) {
        throw new ShelfError('SHELF_E_BAD_ARGUMENT', `item ${id}: price must be a number >= 0 or null (unknown), not ${newPrice}`);
      }
      price = newPrice === null ? NaN : newPrice;
    }
    if (newCategory !== undefined) {
      if (newCategory !== null && typeof newCategory !== 'string') {
        throw new ShelfError('SHELF_E_BAD_ARGUMENT', `item ${id}: category must be a category name or null, not ${newCategory}`);
      }
      category = newCategory === null ? C.SHELF_NO_CATEGORY : this.categoryIndex(newCategory);
    }
    return { category, price, flags };
  }

  /** shelf_model_set_item_attributes(): C checks again, and fails only before changing anything. */
  setAttributes(index, { category, price, flags }) {
    const status = this.binding.capi.shelf_model_set_item_attributes(this.live(), index, category, price, flags);
    if (status !== this.binding.constants.SHELF_OK) throw this.error(status, `cannot update item ${this.itemId(index)}`);
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

  /** The site's own event names, { theirs: a name eventType() knows }: added to
   * the names it knows, all or none. */
  mapEventNames(mapping) {
    if (mapping === null || typeof mapping !== 'object' || Array.isArray(mapping)) {
      throw new ShelfError('SHELF_E_BAD_ARGUMENT', 'eventNames must be an object: { yourName: "view", ... }');
    }
    const added = Object.entries(mapping).map(([theirs, ours]) => {
      const type = this.#eventTypes.get(ours) ?? this.#eventAliases.get(ours);
      if (type === undefined) {
        throw new ShelfError('SHELF_E_BAD_ARGUMENT', `eventNames maps "${theirs}" to "${ours}", which is not ${this.#knownEventNames()}`);
      }
      const known = this.#eventTypes.get(theirs) ?? this.#eventAliases.get(theirs);
      if (known !== undefined && known !== type) {
        throw new ShelfError('SHELF_E_BAD_ARGUMENT', `eventNames cannot give "${theirs}" another meaning: Shelf reads it already`);
      }
      return [theirs, type];
    });
    for (const [theirs, type] of added) this.#siteEvents.set(theirs, type);
  }

  eventType(name) {
    const type = this.#eventTypes.get(name) ?? this.#eventAliases.get(name) ?? this.#siteEvents.get(name);
    if (type === undefined) {
      throw new ShelfError('SHELF_E_BAD_EVENT', `unknown event type "${name}": not ${this.#knownEventNames()}; ` +
        'map a name of your own with Shelf.load({ eventNames: { yourName: "view" } })');
    }
    return type;
  }

  #knownEventNames() {
    const site = this.#siteEvents.size ? `, or this site's (${[...this.#siteEvents.keys()].join(', ')})` : '';
    return `one of Shelf's (${this.eventTypes.join(', ')}), GA4's and Segment's (${[...this.#eventAliases.keys()].join(', ')})${site}`;
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

  /**
   * A ranking, shelf_recommend's or shelf_related's: `call(request, out, capacity,
   * count)` runs it on a shelf_request written from the options (Session.recommend()
   * lists them) and returns its status; the results come back as [{ id, score,
   * reason, because, category }]. `what` starts the message of a ShelfError.
   */
  rank(options, what, call) {
    const { constants: C, wasm } = this.binding;
    const k = options.k ?? 10;
    if (!Number.isInteger(k) || k < 0) throw new ShelfError('SHELF_E_BAD_ARGUMENT', `k must be a whole number >= 0, not ${k}`);

    const allocated = [];
    const alloc = (size) => {
      const p = wasm.alloc(size);
      allocated.push(p);
      return p;
    };
    // A ranking never returns more results than the model has items, so a larger k
    // asks for nothing more: clamped, the result buffer (16 bytes a result) stays
    // within wasm32's address space and k within the request's uint32 field, where
    // a huge k would otherwise wrap around.
    const wanted = Math.min(k, this.itemCount());
    try {
      const request = writeRequest(this, options, wanted, alloc);
      const resultSize = C['sizeof shelf_result'];
      const out = alloc(Math.max(1, wanted) * resultSize);
      const count = alloc(4);
      const status = call(request, out, wanted, count);
      if (status !== C.SHELF_OK) throw this.error(status, what);

      const u32 = wasm.u32();
      const f32 = wasm.f32();
      const results = [];
      for (let i = 0, r = out; i < u32[count >> 2]; i++, r += resultSize) {
        const item = u32[(r + C['shelf_result.item']) >> 2];
        const because = u32[(r + C['shelf_result.reason_item']) >> 2];
        results.push({
          id: this.itemId(item),
          score: f32[(r + C['shelf_result.score']) >> 2],
          reason: this.reasonName(u32[(r + C['shelf_result.reason']) >> 2]),
          because: because === C.SHELF_NO_ITEM ? null : this.itemId(because),
          category: this.categoryOf(item),
        });
      }
      return results;
    } finally {
      for (const p of allocated) wasm.free(p);
    }
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

/** A shelf_request in C memory from recommend()'s options (defaults from
 * shelf_request_init). `alloc` gives memory the caller frees. */
function writeRequest(model, options, k, alloc) {
  const { capi, constants: C, wasm } = model.binding;
  const allow = (options.categories ?? []).map((name) => model.categoryIndex(name));
  const deny = (options.excludeCategories ?? []).map((name) => model.categoryIndex(name));
  const boosts = Object.entries(options.boost ?? {});
  const boostCategories = boosts.map(([name]) => model.categoryIndex(name));
  const boostFactors = boosts.map(([, factor]) => Number(factor));
  const perCategory = options.perCategory ?? 0;
  if (!Number.isInteger(perCategory) || perCategory < 0) {
    throw new ShelfError('SHELF_E_BAD_ARGUMENT', `perCategory must be a whole number >= 0, not ${perCategory}`);
  }
  const scorers = options.scorers
    ? options.scorers.reduce((bits, name) => bits | model.scorerBit(name), 0)
    : C.SHELF_SCORER_ALL;
  if (typeof options.exclude === 'string') {
    throw new ShelfError('SHELF_E_BAD_ARGUMENT', `exclude is a list of item ids, not the string "${options.exclude}"`);
  }
  // Ids the model does not know are left out: nothing could return them anyway.
  const exclude = [];
  for (const id of options.exclude ?? []) {
    const index = model.itemIndex(id);
    if (index !== -1) exclude.push(index);
  }

  // Allocate everything first: an allocation may grow the memory and detach views.
  const array = (values) => (values.length ? alloc(values.length * 4) : 0);
  const request = alloc(C['sizeof shelf_request']);
  const pointers = {
    allow_categories: array(allow),
    deny_categories: array(deny),
    boost_categories: array(boosts),
    boost_factors: array(boosts),
    exclude_items: array(exclude),
  };
  capi.shelf_request_init(request);

  const u32 = wasm.u32();
  const f32 = wasm.f32();
  const field = (name) => (request + C[`shelf_request.${name}`]) >> 2;
  u32.set(allow, pointers.allow_categories >> 2);
  u32.set(deny, pointers.deny_categories >> 2);
  u32.set(boostCategories, pointers.boost_categories >> 2);
  f32.set(boostFactors, pointers.boost_factors >> 2);
  u32.set(exclude, pointers.exclude_items >> 2);
  for (const [name, pointer] of Object.entries(pointers)) u32[field(name)] = pointer;

  let flags = u32[field('flags')];
  if (options.excludeSeen) flags |= C.SHELF_EXCLUDE_SEEN;
  if (options.keepBought) flags &= ~(C.SHELF_EXCLUDE_PURCHASED | C.SHELF_EXCLUDE_IN_CART);
  if (options.inStockOnly) flags |= C.SHELF_IN_STOCK_ONLY;
  if (options.ranker === false) flags |= C.SHELF_BLEND_ONLY;
  u32[field('flags')] = flags;
  u32[field('k')] = k;
  u32[field('allow_count')] = allow.length;
  u32[field('deny_count')] = deny.length;
  u32[field('boost_count')] = boosts.length;
  u32[field('exclude_count')] = exclude.length;
  // The field is 32-bit: a larger cap, which caps nothing, would wrap to a small one.
  u32[field('max_per_category')] = Math.min(perCategory, 0xffffffff);
  u32[field('scorers')] = scorers;
  if (options.minPrice !== undefined) f32[field('min_price')] = options.minPrice;
  if (options.maxPrice !== undefined) f32[field('max_price')] = options.maxPrice;
  return request;
}
