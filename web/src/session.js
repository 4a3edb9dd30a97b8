// A shopper's session: what they did (track), what to show them (recommend), and
// where that lives (save/restore, a store), all behind a consent switch.

import { fromBase64Url, toBase64Url } from './base64url.js';
import { ShelfError } from './error.js';
import { Model } from './model.js';

/**
 * Made by shelf.session(options):
 *   consent  false (default): track() records nothing and nothing is read from or
 *            written to a store until setConsent(true); recommendations are then
 *            the popular items
 *   state    a string from save() (a cookie, a header) to continue from; used
 *            only with consent
 *   store    where the state lives across page loads: localStorageStore(),
 *            indexedDBStore() or any { get, set, remove }; read once consent is
 *            given, written after every change
 *   key      the store's key (default "shelf-session")
 *   now      the clock, in seconds (default Date.now() / 1000)
 *   onUnknownItem  (id, type) => void: called when track() is given an item the
 *            model does not know (a product newer than the model, a typo), which
 *            it records nothing for
 * A state that does not fit the model (saved with another model, or damaged) is
 * dropped: the session starts empty. Only restore() reports it, as an error.
 * A session is an EventTarget: 'change' fires after track(), forget(), restore(),
 * setConsent() and a store's state read in, whenever what recommend() answers may
 * have changed.
 */
// A session dropped without dispose() still frees its C session (and the scratch
// of 8 bytes per item it holds after a recommend) once the collector takes it.
const unreclaimed = new FinalizationRegistry(({ model, pointer, onDispose }) => {
  if (model.handle) model.binding.capi.shelf_session_free(pointer);
  onDispose();
});

export class Session extends EventTarget {
  #model;
  #session = 0; // shelf_session *
  #onDispose;
  #consent;
  #store;
  #key;
  #now;
  #onUnknownItem;
  #writes = Promise.resolve();
  #writing = 0;    // store writes in flight
  #replay = null;  // events tracked while an asynchronous store was being read
  #generation = 0; // bumped by forget() and restore(): a late store read then loses
  /** Resolves (to the session) once a store's state has been read. */
  ready;

  constructor(model, { consent = false, state, store, key = 'shelf-session', now, onUnknownItem } = {}, onDispose = () => {}) {
    super();
    if (!(model instanceof Model)) throw new TypeError('use shelf.session() to create a session');
    if (onUnknownItem !== undefined && typeof onUnknownItem !== 'function') {
      throw new ShelfError('SHELF_E_BAD_ARGUMENT', 'onUnknownItem must be a function');
    }
    this.#onUnknownItem = onUnknownItem;
    this.#model = model;
    this.#onDispose = onDispose;
    this.#consent = Boolean(consent);
    this.#store = store ?? null;
    this.#key = key;
    this.#now = now ?? (() => Date.now() / 1000);
    const { capi, wasm } = model.binding;
    const out = wasm.alloc(4);
    try {
      const status = capi.shelf_session_create(model.live(), out);
      if (status !== 0) throw model.error(status, 'cannot create a session');
      this.#session = wasm.u32()[out >> 2];
    } finally {
      wasm.free(out);
    }
    unreclaimed.register(this, { model, pointer: this.#session, onDispose }, this);
    this.ready = Promise.resolve(this);
    if (!this.#consent) return;
    if (state !== undefined && state !== null) this.#restoreLeniently(state);
    else if (this.#store) this.#readStore();
  }

  /** Whether the shopper agreed to personalization. */
  get consent() { return this.#consent; }

  /** Events held: the library keeps the newest SHELF_SESSION_CAPACITY (64). */
  get eventCount() { return this.#model.binding.capi.shelf_session_event_count(this.#live()) >>> 0; }
  /** Events the last restore dropped because this model does not know their item
   * (a state saved under an older model whose catalog has changed since). */
  get droppedEvents() { return this.#model.binding.capi.shelf_session_dropped_events(this.#live()) >>> 0; }

  /** The consent switch. Granting reads the store (if any); withdrawing forgets
   * everything, in memory and in the store. */
  setConsent(granted) {
    this.#live();
    granted = Boolean(granted);
    if (granted === this.#consent) return this;
    if (granted) {
      this.#consent = true;
      if (this.#store) this.#readStore();
    } else {
      this.forget();
      this.#consent = false;
    }
    this.#changed();
    return this;
  }

  /**
   * Records what the shopper did. `type`: view, click, add_to_cart, purchase, search
   * or dwell (then `weight` is the seconds spent), or the same events as GA4 and
   * Segment name them (view_item, select_item; Product Viewed, Product Clicked,
   * Product Added, Order Completed), or a site's own names given to Shelf.load's
   * eventNames; `ts`: seconds or a Date (default now). Returns false, recording nothing, without consent or when the model does
   * not know the item (a product newer than the model, say: then onUnknownItem is
   * called, if the session has one). An unknown type, or a
   * negative or non-finite time or weight, throws ShelfError SHELF_E_BAD_EVENT.
   */
  track(type, id, { ts, weight = 1 } = {}) {
    const session = this.#live();
    const eventType = this.#model.eventType(type);
    if (!this.#consent) return false;
    const item = this.#model.itemIndex(id);
    if (item === -1) {
      this.#onUnknownItem?.(id, type);
      return false;
    }
    if (ts !== undefined && typeof ts !== 'number' && !(ts instanceof Date)) {
      // null, a string: not a time (Number(null) would be 1970)
      throw new ShelfError('SHELF_E_BAD_EVENT', `cannot track ${type} of ${id}: ts must be seconds or a Date, not ${ts === null ? 'null' : typeof ts}`);
    }
    const seconds = ts === undefined ? this.#now() : ts instanceof Date ? ts.getTime() / 1000 : ts;
    const status = this.#model.binding.capi.shelf_session_track(session, eventType, item, seconds, Number(weight));
    if (status !== 0) throw this.#model.error(status, `cannot track ${type} of ${id}`);
    this.#replay?.push([eventType, item, seconds, Number(weight)]);
    this.#persist();
    this.#changed();
    return true;
  }

  /**
   * The best items for this session, best first: [{ id, score, reason, because,
   * category }], where `because` is the id of the session item behind the reason
   * (null for popular items); an item of the session itself is 'in_cart' or
   * 'seen_before', because itself. An empty session (no consent, nothing tracked)
   * gets the most popular items, at most ceil(k / 4) of a category unless
   * perCategory is given. Options, all optional:
   *   k                   how many (default 10); a k above the item count gives every item
   *   perCategory         diversity: at most this many items of one category
   *   excludeSeen         leave out every item of the session
   *   keepBought          keep items bought or in the cart (left out by default)
   *   inStockOnly         only items the catalog marks in stock
   *   categories          only these categories (names)
   *   excludeCategories   never these categories
   *   minPrice, maxPrice  a price range
   *   boost               { categoryName: factor }: those items' scores times factor
   *   scorers             e.g. ['popularity', 'covisit'] (default: all the model has;
   *                       the model's learned ranker re-orders the blend only with all)
   *   ranker              false: the blend's order, without the model's learned ranker
   *   exclude             item ids never to return (what the page shows already, say);
   *                       ids the model does not know are ignored: a page may list
   *                       products newer than the model, which it cannot return anyway
   * Unknown category or scorer names throw ShelfError (SHELF_E_UNKNOWN_CATEGORY,
   * SHELF_E_BAD_ARGUMENT).
   */
  recommend(options = {}) {
    const session = this.#live();
    const { capi } = this.#model.binding;
    return this.#model.rank(options, 'cannot recommend', (request, out, capacity, count) =>
      capi.shelf_recommend(session, request, out, capacity, count));
  }

  /** The session's state as a short cookie-safe string (base64url), for a cookie, a
   * header or a store; null without consent. */
  save() {
    const session = this.#live();
    if (!this.#consent) return null;
    const { capi, constants: C, wasm } = this.#model.binding;
    const capacity = C.SHELF_SESSION_STATE_MAX;
    const buffer = wasm.alloc(capacity + 4);
    try {
      const size = buffer + capacity;
      const status = capi.shelf_session_save(session, buffer, capacity, size);
      if (status !== 0) throw this.#model.error(status, 'cannot save the session');
      return toBase64Url(wasm.u8().subarray(buffer, buffer + wasm.u32()[size >> 2]));
    } finally {
      wasm.free(buffer);
    }
  }

  /** Replaces the events with a saved state (a string from save(), or its bytes),
   * saved under this model or an earlier one of the same catalog: events of items
   * this model does not know are dropped (see droppedEvents). Throws ShelfError
   * SHELF_E_BAD_STATE (damaged) or SHELF_E_STATE_MISMATCH (a state of Shelf's
   * first format), leaving the session unchanged. Needs consent. */
  restore(state) {
    this.#live();
    if (!this.#consent) throw new ShelfError('SHELF_E_BAD_ARGUMENT', 'restore() needs consent');
    this.#load(state);
    this.#generation++;
    this.#persist();
    this.#changed();
    return this;
  }

  /** Forgets every event, in memory and in the store. Consent stays as it is. */
  forget() {
    this.#model.binding.capi.shelf_session_clear(this.#live());
    this.#generation++;
    if (this.#store && this.#consent) this.#write(() => this.#store.remove(this.#key));
    this.#changed();
    return this;
  }

  /** Resolves once the store writes so far are done; rejects if the last one failed. */
  flush() {
    return this.#writes;
  }

  /** Frees the session. Calling it again does nothing; any other call then throws. */
  dispose() {
    if (!this.#session) return;
    unreclaimed.unregister(this);
    if (this.#model.handle) this.#model.binding.capi.shelf_session_free(this.#session);
    this.#session = 0;
    this.#onDispose();
  }

  #load(state) {
    const bytes = typeof state === 'string' ? fromBase64Url(state) : state;
    if (!(bytes instanceof Uint8Array)) throw new ShelfError('SHELF_E_BAD_STATE', 'the state is not a string from save()');
    const { capi, wasm } = this.#model.binding;
    const p = wasm.allocBytes(bytes);
    try {
      const status = capi.shelf_session_restore(this.#session, p, bytes.length);
      if (status !== 0) throw this.#model.error(status, 'cannot restore the session');
    } finally {
      wasm.free(p);
    }
  }

  #restoreLeniently(state) {
    try {
      this.#load(state);
    } catch (error) {
      if (!(error instanceof ShelfError)) throw error;
      this.forget(); // a stale state is dropped, from the store too
    }
  }

  #readStore() {
    let stored;
    try {
      stored = this.#store.get(this.#key);
    } catch {
      return; // an unreadable store (blocked storage, say): start empty
    }
    if (typeof stored?.then !== 'function') {
      if (stored) this.#restoreLeniently(stored);
      return;
    }
    // The store answers later: events tracked meanwhile are replayed on top of the
    // stored ones, unless forget() or restore() came first.
    const generation = this.#generation;
    this.#replay = [];
    this.ready = Promise.resolve(stored)
      .catch(() => null)
      .then((value) => {
        const pending = this.#replay;
        this.#replay = null;
        if (!this.#session || !this.#consent || generation !== this.#generation) return this;
        if (value) this.#restoreLeniently(value);
        const track = this.#model.binding.capi.shelf_session_track;
        for (const [type, item, seconds, weight] of pending) track(this.#session, type, item, seconds, weight);
        if (pending.length) this.#persist();
        this.#changed();
        return this;
      });
  }

  /** A 'change' event: what recommend() answers may have changed (a widget
   * showing this session's recommendations redraws). */
  #changed() {
    this.dispatchEvent(new Event('change'));
  }

  #persist() {
    if (!this.#store || !this.#consent) return;
    const state = this.save();
    this.#write(() => this.#store.set(this.#key, state));
  }

  // Store writes run in order; one that fails does not stop the next. A synchronous
  // store (localStorage) is written at once, so a page closed right after track()
  // keeps the event; an asynchronous one (IndexedDB) is queued.
  #write(action) {
    let written;
    if (this.#writing === 0) {
      try {
        written = action();
      } catch (error) {
        written = Promise.reject(error);
      }
      if (typeof written?.then !== 'function') {
        this.#writes = Promise.resolve();
        return;
      }
    } else {
      written = this.#writes.catch(() => {}).then(action);
    }
    this.#writing++;
    const settled = () => void this.#writing--;
    this.#writes = Promise.resolve(written);
    this.#writes.then(settled, settled); // failures reach flush(), not the console
  }

  #live() {
    if (!this.#session) throw new ShelfError('SHELF_E_NULL_ARGUMENT', 'the session was disposed');
    if (!this.#model.handle) throw new ShelfError('SHELF_E_NULL_ARGUMENT', 'the model was disposed');
    return this.#session;
  }
}

