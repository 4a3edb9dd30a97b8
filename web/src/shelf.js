// The friendly layer's entry point: a model, loaded into its own WebAssembly
// instance, and the sessions made on it. Everything it does goes through the thin
// binding (binding.js) to the C library, which owns every rule: scoring, filters,
// diversity, reasons, the state encoding.

import { bindInstance, imports } from './binding.js';
import { ShelfError } from './error.js';
import { compileWasm, discardModel, openModel, readModel } from './load.js';
import { Model } from './model.js';
import { Session } from './session.js';

export class Shelf {
  #model;
  #sessions = new Set(); // WeakRefs: a session the page dropped can be collected
  #categories = null;

  /**
   * Loads a model. Options:
   *   model  the .shelf file: a URL or path, a Request, a Response, a ReadableStream
   *          (in Node also a file stream), an ArrayBuffer or bytes. Anything but
   *          bytes is streamed into wasm memory as it arrives: the file is never
   *          held twice.
   *   wasm   the module (default: this package's dist/ files): a URL, bytes, a
   *          compiled WebAssembly.Module, or { simd, scalar } of these
   *   simd   'auto' (default: detect SIMD128), true or false: which of { simd, scalar }
   *   onProgress  (loaded, total) => void, called as the model's bytes arrive;
   *          total is the file size its header gives
   *   eventNames  the site's own event names, { yourName: 'view', ... }, for
   *          track(); Shelf's names and GA4's and Segment's e-commerce names
   *          ('view_item', 'Product Added', ...) need none
   * Throws ShelfError: SHELF_E_IO when a file cannot be read, or the C loader's
   * status (SHELF_E_BAD_MAGIC, SHELF_E_TRUNCATED, ...) when the model is invalid;
   * a stream longer than its header says is SHELF_E_BAD_HEADER.
   */
  static async load({ model, wasm, simd = 'auto', onProgress, eventNames } = {}) {
    if (model === undefined || model === null) throw new ShelfError('SHELF_E_NULL_ARGUMENT', 'Shelf.load() needs a model');
    if (onProgress !== undefined && typeof onProgress !== 'function') {
      throw new ShelfError('SHELF_E_BAD_ARGUMENT', 'onProgress must be a function');
    }
    // The download starts while the module compiles; its body is read once the
    // instance exists, straight into the instance's memory.
    const opening = openModel(model);
    opening.catch(() => {}); // awaited below, after the compilation
    try {
      const compiled = await compileWasm(wasm, simd);
      const opened = await opening;
      const binding = bindInstance(await WebAssembly.instantiate(compiled.module, imports));
      const shelf = new Shelf(new Model(binding, await readModel(binding, opened, onProgress)), LOAD_KEY);
      if (eventNames !== undefined) {
        try {
          shelf.#model.mapEventNames(eventNames);
        } catch (error) {
          shelf.dispose();
          throw error;
        }
      }
      return shelf;
    } catch (error) {
      discardModel(opening);
      throw error;
    }
  }

  /** Use Shelf.load(). */
  constructor(model, key) {
    if (key !== LOAD_KEY) throw new TypeError('use Shelf.load() to load a model');
    this.#model = model;
  }

  get name() { return this.#text('shelf_model_name'); }
  get itemCount() { return this.#number('shelf_model_item_count'); }
  /** Embedding width; 0 without embeddings. */
  get dims() { return this.#number('shelf_model_dims'); }
  /** Whether the SIMD128 build of the module runs this model. */
  get simd() { return this.#model.binding.constants.SHELF_WASM_SIMD128 === 1; }
  /** The C library's version, "MAJOR.MINOR.PATCH". */
  get version() { return this.#model.binding.wasm.string(this.#model.binding.capi.shelf_version_string()); }
  /** The model's metadata JSON, parsed. */
  get metadata() { return this.#model.metadata(); }
  /** The catalog's category names ([] for a model trained without one). */
  get categories() {
    this.#categories ??= Array.from({ length: this.#model.categoryCount() }, (_, i) => this.#model.categoryName(i));
    return this.#categories.slice();
  }
  /** The event types track() accepts. */
  get eventTypes() { return this.#model.eventTypes; }
  /** The scorers a recommend() request may choose from. */
  get scorers() { return this.#model.scorers; }

  /** The thin binding underneath ({ capi, constants, wasm }), and this model's
   * shelf_model * in it: for what the friendly layer does not cover. */
  get binding() { return this.#model.binding; }
  get handle() { return this.#model.live(); }

  /** Whether the model knows this item id. */
  has(id) {
    return this.#model.itemIndex(id) !== -1;
  }

  /** { id, category, price, inStock }, or null for an id the model does not know. */
  item(id) {
    const index = this.#model.itemIndex(id);
    return index === -1 ? null : this.#model.item(index);
  }

  /**
   * Items related to one item, for its product page, best first: [{ id, score,
   * reason, because, category }] as recommend() gives them. From the model alone:
   * no session, no consent, no store. The options are recommend()'s (k, perCategory,
   * inStockOnly, categories, excludeCategories, minPrice, maxPrice, boost, scorers,
   * exclude; excludeSeen and keepBought have no session to act on). The item itself
   * is never returned. Reasons: viewed_together, viewed_after and similar, because
   * the item; popular (because null) where the model links nothing more to it.
   * Throws ShelfError SHELF_E_UNKNOWN_ITEM for an id the model does not know (a
   * product newer than the model: show an empty session's recommend() instead).
   */
  related(id, options = {}) {
    const model = this.#model;
    const index = model.itemIndex(id);
    if (index === -1) throw new ShelfError('SHELF_E_UNKNOWN_ITEM', `no items related to ${id}: the model does not know it`);
    const { capi } = model.binding;
    return model.rank(options, `cannot find items related to ${id}`, (request, out, capacity, count) =>
      capi.shelf_related(model.live(), index, request, out, capacity, count));
  }

  /**
   * Changes an item of this model at once, without retraining (a live catalog):
   * `changes` holds any of inStock (true or false), price (a number >= 0, or null
   * for unknown) and category (one of the model's category names, or null); the
   * fields left out keep their values. Every session's next recommend() sees it.
   * Returns the item as item() does. Throws ShelfError SHELF_E_UNKNOWN_ITEM for an
   * id the model does not know, SHELF_E_UNKNOWN_CATEGORY for a category it does not
   * have, SHELF_E_BAD_ARGUMENT for any other bad value; the item is then unchanged.
   */
  setItem(id, changes) {
    const model = this.#model;
    const index = model.itemIndex(id);
    if (index === -1) throw new ShelfError('SHELF_E_UNKNOWN_ITEM', `cannot update item ${id}: the model does not know it`);
    model.setAttributes(index, model.changedAttributes(model.attributes(index), changes, id));
    return model.item(index);
  }

  /**
   * setItem() for many items, e.g. a stock feed: `updates` is any iterable of
   * { id, inStock?, price?, category? }. Ids the model does not know (products newer
   * than it) are skipped and listed. All or nothing: every update is checked before
   * any is applied, so a bad one throws (as setItem() would) and changes nothing.
   * Later updates of the same id build on earlier ones. Returns { updated, unknown }:
   * how many updates were applied, and the ids skipped.
   */
  updateItems(updates) {
    const model = this.#model;
    if (updates === null || typeof updates !== 'object' || typeof updates[Symbol.iterator] !== 'function') {
      throw new ShelfError('SHELF_E_BAD_ARGUMENT', 'updateItems() takes an iterable (an array, say) of { id, inStock?, price?, category? }');
    }
    const pending = new Map(); // item index -> its attributes after the updates so far
    const unknown = [];
    let updated = 0;
    for (const update of updates) {
      if (update === null || typeof update !== 'object' || update.id === undefined || update.id === null) {
        throw new ShelfError('SHELF_E_BAD_ARGUMENT', `an update must be an object with an id, not ${JSON.stringify(update)}`);
      }
      const index = model.itemIndex(update.id);
      if (index === -1) {
        unknown.push(String(update.id));
        continue;
      }
      pending.set(index, model.changedAttributes(pending.get(index) ?? model.attributes(index), update, update.id));
      updated++;
    }
    for (const [index, attributes] of pending) model.setAttributes(index, attributes);
    return { updated, unknown };
  }

  /** A new shopper's session; see Session for the options. */
  session(options) {
    let ref = null;
    const session = new Session(this.#model, options, () => this.#sessions.delete(ref));
    ref = new WeakRef(session);
    this.#sessions.add(ref);
    return session;
  }

  /** Frees the model and every session on it. Calling it again does nothing. */
  dispose() {
    for (const ref of this.#sessions) ref.deref()?.dispose();
    this.#model.close();
  }

  #number(fn) {
    return this.#model.binding.capi[fn](this.#model.live()) >>> 0;
  }

  #text(fn) {
    return this.#model.binding.wasm.string(this.#model.binding.capi[fn](this.#model.live()));
  }
}

const LOAD_KEY = Symbol('Shelf.load');

// `using shelf = await Shelf.load(...)` where the engine has explicit resource management.
if (typeof Symbol.dispose === 'symbol') {
  Shelf.prototype[Symbol.dispose] = Shelf.prototype.dispose;
  Session.prototype[Symbol.dispose] = Session.prototype.dispose;
}
