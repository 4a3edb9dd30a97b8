// Type-checked by test/types.test.mjs (tsc --noEmit): what a storefront and an edge
// worker write, through the package's own name and "exports". Each @ts-expect-error
// line must fail to type-check, or tsc reports it.

import {
  Shelf,
  ShelfError,
  indexedDBStore,
  localStorageStore,
  memoryStore,
  simdSupported,
  stateSealer,
  type Item,
  type ItemsUpdated,
  type Recommendation,
  type RecommendOptions,
  type RelatedOptions,
  type Store,
} from 'shelf-recs';
import { bindInstance, imports, type Binding } from 'shelf-recs/binding';
import { defineWidget } from 'shelf-recs/widget';

export async function storefront(): Promise<Recommendation[]> {
  const shelf = await Shelf.load({ model: '/models/demo.shelf' });
  const session = shelf.session({ consent: true, store: localStorageStore() });
  await session.ready;
  session.track('view', 'sku-1');
  session.track('dwell', 'sku-1', { weight: 12, ts: new Date() });
  const options: RecommendOptions = { k: 8, perCategory: 2, excludeSeen: true, boost: { shoes: 1.5 }, exclude: ['sku-1'] };
  const recs = session.recommend(options);
  for (const { id, score, reason, because, category } of recs) {
    const text: string = `${id} ${score.toFixed(3)} ${reason} ${because ?? ''} ${category ?? ''}`;
    void text;
  }
  const cookie: string | null = session.save();
  if (cookie) session.restore(cookie);
  session.setConsent(false).forget();
  await session.flush();
  session.dispose();
  shelf.dispose();
  return recs;
}

export function productPage(shelf: Shelf, sku: string): Recommendation[] {
  const options: RelatedOptions = { k: 6, perCategory: 2, inStockOnly: true, exclude: [sku] };
  return shelf.has(sku) ? shelf.related(sku, options) : shelf.session().recommend({ k: 6 });
}

export function liveCatalog(shelf: Shelf, feed: { sku: string; stock: number; price: number }[]): number {
  const item: Item = shelf.setItem('sku-1', { inStock: false });
  shelf.setItem('sku-2', { price: null, category: 'shoes' });
  const { updated, unknown }: ItemsUpdated = shelf.updateItems(feed.map((f) => ({ id: f.sku, inStock: f.stock > 0, price: f.price })));
  return updated + unknown.length + (item.inStock ? 1 : 0);
}

export async function edge(simd: WebAssembly.Module, scalar: WebAssembly.Module, model: ArrayBuffer, cookie?: string) {
  const shelf = await Shelf.load({ model, wasm: { simd, scalar } });
  const session = shelf.session({ consent: true, state: cookie });
  return { recs: session.recommend({ k: 4, scorers: ['covisit', 'popularity'] }), state: session.save() };
}

export async function streamed(bucket: { get(key: string): Promise<{ body: ReadableStream<Uint8Array> }> }, url: string) {
  const shown: number[] = [];
  const fromR2 = await Shelf.load({ model: (await bucket.get('shop.shelf')).body, onProgress: (loaded, total) => shown.push(loaded / total) });
  const fromFetch = await Shelf.load({ model: new Request(url) });
  return [fromR2, fromFetch, shown];
}

export function errors(error: unknown): string | null {
  if (error instanceof ShelfError) {
    const status: number | null = error.status;
    void status;
    return error.code === 'SHELF_E_STATE_MISMATCH' ? 'stale cookie' : error.code;
  }
  return null;
}

export function lowLevel(instance: WebAssembly.Instance): number {
  const binding: Binding = bindInstance(instance);
  void imports;
  return binding.capi.shelf_version_number() + binding.constants['sizeof shelf_request'];
}

export function stores(): Store[] {
  return [memoryStore(), indexedDBStore({ database: 'shop' }), localStorageStore(sessionStorage)];
}

export async function analyticsNames(model: Uint8Array) {
  // GA4's and Segment's names as they are; a site's own once mapped.
  const shelf = await Shelf.load({ model, eventNames: { pdp_view: 'view', basket_add: 'Product Added' } });
  const session = shelf.session({ consent: true });
  session.track('view_item', 'sku-1');
  session.track('Order Completed', 'sku-1');
  session.track('pdp_view', 'sku-1');
  session.track('basket_add', 'sku-1');
  // @ts-expect-error: not mapped
  session.track('pdp_zoom', 'sku-1');
  // @ts-expect-error: a mapping names an event Shelf knows
  await Shelf.load({ model, eventNames: { pdp_view: 'look' } });
}

export async function mistakes(shelf: Shelf) {
  const session = shelf.session();
  // @ts-expect-error: not an event type
  session.track('stare', 'sku-1');
  // @ts-expect-error: k is a number
  session.recommend({ k: '8' });
  // @ts-expect-error: not a scorer
  session.recommend({ scorers: ['magic'] });
  // @ts-expect-error: exclude lists ids, it is not one id
  session.recommend({ exclude: 42 });
  // @ts-expect-error: related items have no session to leave out
  shelf.related('sku-1', { excludeSeen: true });
  // @ts-expect-error: inStock is a boolean
  shelf.setItem('sku-1', { inStock: 0 });
  // @ts-expect-error: updates need an id
  shelf.updateItems([{ price: 3 }]);
  // @ts-expect-error: a model is required
  await Shelf.load({});
  // @ts-expect-error: a stream of bytes, not of text
  await Shelf.load({ model: new ReadableStream<string>() });
  // @ts-expect-error: onProgress is a function
  await Shelf.load({ model: '/m.shelf', onProgress: true });
  // @ts-expect-error: sessions come from shelf.session()
  new (await import('shelf-recs')).Session();
  const supported: boolean = simdSupported();
  return supported;
}

export function widget(shelf: Shelf, session: ReturnType<Shelf['session']>) {
  const Element = defineWidget({ shelf, session });
  const element = document.createElement('shelf-recommendations') as InstanceType<typeof Element>;
  element.render = (r) => `${r.id}: ${element.reasonText(r)}`;
  element.addEventListener('shelf-click', (event) => console.log(event.detail.id, event.detail.position));
  session.addEventListener('change', () => element.refresh());
  // @ts-expect-error: render gives a node or a string
  element.render = (r) => r.score;
}

export async function sealed(shelf: Shelf, secret: string, cookie: string | undefined) {
  const sealer = await stateSealer({ secrets: [secret], site: 'shop.example', maxAge: 600 });
  const { state, problem } = await sealer.open(cookie);
  const session = shelf.session({ consent: true, state });
  if (problem) console.log(problem);
  const next: string | null = await sealer.seal(session);
  // @ts-expect-error: the secrets are required
  await stateSealer({ site: 'shop.example' });
  return next;
}
