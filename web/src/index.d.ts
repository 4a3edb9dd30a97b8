// Types of shelf-recs. The runtime is src/*.js; test/types.test.mjs checks that a
// typical use type-checks against these declarations and that mistakes do not.

import type { Binding } from './binding.js';

/** Event types, as the C library names them. */
export type EventType = 'view' | 'click' | 'add_to_cart' | 'purchase' | 'search' | 'dwell';
/** The same events as analytics tools name them, accepted by track() as they are:
 * GA4's e-commerce events and Segment's e-commerce spec. */
export type AnalyticsEventName =
  | 'view_item' | 'select_item' | 'Product Viewed' | 'Product Clicked' | 'Product Added' | 'Order Completed';

/** Why an item was recommended: the scorer that contributed most; an item of the
 * session itself is 'in_cart' (added to the cart in it) or 'seen_before'. */
export type Reason = 'popular' | 'seen_before' | 'viewed_together' | 'viewed_after' | 'similar' | 'in_cart';

/** Scorers a request may choose from. */
export type Scorer = 'popularity' | 'repeat' | 'covisit' | 'sequential' | 'embedding';

/** A shelf_status name, e.g. "SHELF_E_UNKNOWN_CATEGORY". */
export type StatusCode =
  | 'SHELF_E_NULL_ARGUMENT' | 'SHELF_E_BAD_ARGUMENT' | 'SHELF_E_OUT_OF_MEMORY'
  | 'SHELF_E_BAD_MAGIC' | 'SHELF_E_UNSUPPORTED_VERSION' | 'SHELF_E_TRUNCATED'
  | 'SHELF_E_BAD_HEADER' | 'SHELF_E_BAD_SECTION_TABLE' | 'SHELF_E_CHECKSUM_MISMATCH'
  | 'SHELF_E_MISSING_SECTION' | 'SHELF_E_BAD_SECTION' | 'SHELF_E_BAD_METADATA'
  | 'SHELF_E_UNKNOWN_ITEM' | 'SHELF_E_UNKNOWN_CATEGORY' | 'SHELF_E_BAD_EVENT'
  | 'SHELF_E_BAD_STATE' | 'SHELF_E_STATE_MISMATCH' | 'SHELF_E_BUFFER_TOO_SMALL'
  | 'SHELF_E_IO' | 'SHELF_E_PARSE';

/** Every error the package throws on purpose. */
export class ShelfError extends Error {
  readonly name: 'ShelfError';
  /** The C status name. */
  readonly code: StatusCode;
  /** The numeric shelf_status when the error came from C, else null. */
  readonly status: number | null;
  constructor(code: StatusCode, message: string, status?: number);
}

/** Bytes, or where to get them. A string is a URL (in Node also a file path). */
export type Source = string | URL | Response | ArrayBuffer | ArrayBufferView;

/** The .shelf model file: a Source, a Request, or a stream of its bytes (a fetch
 * body, R2's `object.body`, KV's `{ type: 'stream' }`; in Node also a file stream).
 * Anything but bytes is streamed into wasm memory as it arrives. */
export type ModelSource =
  | Source
  | Request
  | ReadableStream<ArrayBufferView | ArrayBuffer>
  | AsyncIterable<ArrayBufferView | ArrayBuffer>;

/** A .wasm module: a source of bytes or a module compiled already (edge runtimes). */
export type WasmSource = Source | WebAssembly.Module;

export interface LoadOptions<SiteEvent extends string = never> {
  /** The .shelf model file. A stream shorter than its header says is
   * SHELF_E_TRUNCATED, a longer one SHELF_E_BAD_HEADER. */
  model: ModelSource;
  /** Called as the model's bytes arrive in wasm memory; `total` is the file size
   * the model's header gives. */
  onProgress?: (loaded: number, total: number) => void;
  /** The module(s); default: this package's dist/shelf-simd.wasm and dist/shelf-scalar.wasm. */
  wasm?: WasmSource | { simd?: WasmSource; scalar?: WasmSource };
  /** Which of { simd, scalar } to use: 'auto' (default) detects SIMD128. */
  simd?: 'auto' | boolean;
  /** The site's own event names for track(), each mapped to one Shelf knows. */
  eventNames?: Record<SiteEvent, EventType | AnalyticsEventName>;
}

export interface Item {
  id: string;
  category: string | null;
  price: number | null;
  inStock: boolean;
}

/** A change to an item of a live catalog; fields left out keep their values. */
export interface ItemChanges {
  inStock?: boolean;
  /** A number >= 0, or null for unknown. */
  price?: number | null;
  /** One of the model's category names, or null for none. */
  category?: string | null;
}

/** What updateItems() did. */
export interface ItemsUpdated {
  /** How many updates were applied. */
  updated: number;
  /** The ids the model does not know (skipped). */
  unknown: string[];
}

/** A key-value place for session state; each method may return a Promise. */
export interface Store {
  get(key: string): string | null | undefined | Promise<string | null | undefined>;
  set(key: string, value: string): void | Promise<unknown>;
  remove(key: string): void | Promise<unknown>;
}

export interface SessionOptions {
  /** Personalization consent; without it nothing is recorded or stored. Default false. */
  consent?: boolean;
  /** A string from save() (a cookie, a header) to continue from, used only with
   * consent; dropped if it does not fit the model (another model, or damaged). */
  state?: string | Uint8Array | null;
  /** Where the state lives between page loads. */
  store?: Store;
  /** The store's key. Default "shelf-session". */
  key?: string;
  /** The clock in seconds. Default Date.now() / 1000. */
  now?: () => number;
  /** Called when track() is given an item the model does not know (it records
   * nothing for it and returns false): a product newer than the model, a typo. */
  onUnknownItem?: (id: string, type: string) => void;
}

export interface TrackOptions {
  /** When, in seconds or as a Date. Default: now. */
  ts?: number | Date;
  /** Scales the event type's weight (default 1); for 'dwell' the seconds spent. */
  weight?: number;
}

export interface RecommendOptions {
  /** How many. Default 10; a k above the item count gives every item that passes. */
  k?: number;
  /** Diversity: at most this many items of one category. */
  perCategory?: number;
  /** Leave out every item of the session. */
  excludeSeen?: boolean;
  /** Keep items bought or in the cart (left out by default). */
  keepBought?: boolean;
  /** Only items the catalog marks in stock. */
  inStockOnly?: boolean;
  /** Only these categories. */
  categories?: string[];
  /** Never these categories. */
  excludeCategories?: string[];
  minPrice?: number;
  maxPrice?: number;
  /** Category name -> factor (> 0) the scores of its items are multiplied by. */
  boost?: Record<string, number>;
  /** The scorers to use; default all (the model's learned ranker runs only with all). */
  scorers?: Scorer[];
  /** false: rank by the blend alone, without the model's learned ranker. */
  ranker?: boolean;
  /** Item ids never to return (what the page shows already, say); ids the model
   * does not know are ignored. */
  exclude?: Iterable<string>;
}

/** related()'s options: recommend()'s but those about a session. */
export type RelatedOptions = Omit<RecommendOptions, 'excludeSeen' | 'keepBought' | 'ranker'>;

export interface Recommendation {
  id: string;
  /** The blend's score, or the ranker's order over the blend's best candidates;
   * larger is better; comparable within one call. */
  score: number;
  reason: Reason;
  /** The id of the session item behind the reason, or null (popular). */
  because: string | null;
  category: string | null;
}

/** A model loaded into its own WebAssembly instance. */
export class Shelf<SiteEvent extends string = never> {
  static load<SiteEvent extends string = never>(options: LoadOptions<SiteEvent>): Promise<Shelf<SiteEvent>>;
  private constructor();
  readonly name: string;
  readonly itemCount: number;
  /** Embedding width; 0 without embeddings. */
  readonly dims: number;
  /** Whether the SIMD128 module runs this model. */
  readonly simd: boolean;
  /** The library version, "MAJOR.MINOR.PATCH". */
  readonly version: string;
  readonly metadata: Record<string, unknown>;
  readonly categories: string[];
  readonly eventTypes: EventType[];
  readonly scorers: Scorer[];
  /** The thin 1:1 binding of the C API underneath. */
  readonly binding: Binding;
  /** The shelf_model * for the thin binding. */
  readonly handle: number;
  has(id: string): boolean;
  item(id: string): Item | null;
  /** Items related to one item, for its product page: no session, consent or store.
   * Throws ShelfError SHELF_E_UNKNOWN_ITEM for an id the model does not know. */
  related(id: string, options?: RelatedOptions): Recommendation[];
  /** Changes an item at once, without retraining. Throws ShelfError
   * SHELF_E_UNKNOWN_ITEM, SHELF_E_UNKNOWN_CATEGORY or SHELF_E_BAD_ARGUMENT. */
  setItem(id: string, changes: ItemChanges): Item;
  /** setItem() for many items (a stock feed), all or nothing; unknown ids are skipped. */
  updateItems(updates: Iterable<ItemChanges & { id: string }>): ItemsUpdated;
  session(options?: SessionOptions): Session<SiteEvent>;
  /** Frees the model and its sessions; again: no-op. */
  dispose(): void;
}

/** One shopper's session. An EventTarget: 'change' fires after track(), forget(),
 * restore(), setConsent() and a store's state read in. */
export class Session<SiteEvent extends string = never> extends EventTarget {
  private constructor();
  readonly consent: boolean;
  readonly eventCount: number;
  /** Events the last restore dropped: their items are not in this model (the catalog changed). */
  readonly droppedEvents: number;
  /** Resolves once a store's state has been read. */
  readonly ready: Promise<Session<SiteEvent>>;
  /** Grant (reads the store) or withdraw (forgets everything) consent. */
  setConsent(granted: boolean): this;
  /** False, recording nothing, without consent or for an item the model does not know. */
  track(type: EventType | AnalyticsEventName | SiteEvent, id: string, options?: TrackOptions): boolean;
  recommend(options?: RecommendOptions): Recommendation[];
  /** A cookie-safe string; null without consent. */
  save(): string | null;
  /** Throws ShelfError SHELF_E_BAD_STATE or SHELF_E_STATE_MISMATCH. */
  restore(state: string | Uint8Array): this;
  /** Forgets every event, in memory and in the store. */
  forget(): this;
  /** Resolves when the store writes so far are done. */
  flush(): Promise<unknown>;
  dispose(): void;
}

export function localStorageStore(storage?: Storage): Store;
export function indexedDBStore(options?: { database?: string; objectStore?: string }): Store;
export function memoryStore(map?: Map<string, string>): Store;

/** True when this engine runs WebAssembly SIMD128. */
export function simdSupported(): boolean;

/** Compiles (and caches by URL) the module the `wasm` and `simd` options describe. */
export function compileWasm(
  source?: LoadOptions['wasm'],
  simd?: 'auto' | boolean,
): Promise<{ module: WebAssembly.Module; simd: boolean | null }>;

export interface StateSealerOptions {
  /** [current, ...previous]: the first seals, every one opens (rotation). At least 32 characters or bytes each. */
  secrets: string | Uint8Array | Array<string | Uint8Array | undefined | null>;
  /** What a sealed state is bound to (the shop's host, say). */
  site: string;
  /** Seconds a sealed state stays valid. Default 1800. */
  maxAge?: number;
  now?: () => number;
}
export interface StateSealer {
  /** The session's state, encrypted and authenticated (AES-GCM), for a cookie; null without consent. */
  seal(session: Session<any>): Promise<string | null>;
  /** The state's bytes for shelf.session({ state }), or null and why: 'missing', 'oversized',
   * 'malformed', 'unknown version', 'unknown key', 'tampered' or 'expired'. */
  open(sealed: string | null | undefined): Promise<{ state: Uint8Array | null; problem: string | null }>;
}
/** Sealed session state for the edge, through Web Crypto. */
export function stateSealer(options: StateSealerOptions): Promise<StateSealer>;
export const SEALED_STATE_MAX: number;
