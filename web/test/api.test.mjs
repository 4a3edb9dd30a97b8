// The friendly API in Node: loading from every kind of source, tracking, recommending
// with rules, reasons, state, consent, stores, forgetting, disposing, typed errors.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';

import { Session, Shelf, ShelfError, memoryStore, simdSupported, stateSealer } from '../src/index.js';
import { Model } from '../src/model.js';
import { ensureDemoModel, ensureRetrainedSessionsModel, ensureSessionsModel, requireWasm } from '../scripts/artifacts.mjs';

// The collector on demand, to see what it reclaims.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

const wasmFiles = requireWasm();
const modelPath = ensureDemoModel();
const modelBytes = readFileSync(modelPath);
const T0 = 1700000000;

/** A Shelf on the demo model, and the ids of a few of its items. */
async function demo(options = {}) {
  const shelf = await Shelf.load({ model: modelBytes, ...options });
  return shelf;
}

/** Expect a ShelfError with this code. */
function throwsCode(fn, code) {
  assert.throws(fn, (error) => error instanceof ShelfError && error.code === code, `expected ${code}`);
}
async function rejectsCode(promise, code) {
  await assert.rejects(promise, (error) => error instanceof ShelfError && error.code === code, `expected ${code}`);
}

/** Ids of the first `n` popular items: what an empty session is recommended. */
function popular(shelf, n) {
  const session = shelf.session();
  const ids = session.recommend({ k: n }).map((r) => r.id);
  session.dispose();
  return ids;
}

test('loads from a path, a file URL, bytes, an ArrayBuffer, a Response and a compiled Module', async () => {
  const module = await WebAssembly.compile(readFileSync(wasmFiles.scalar));
  const sources = [
    { model: modelPath },
    { model: pathToFileURL(modelPath) },
    { model: new Uint8Array(modelBytes) },
    { model: modelBytes.buffer.slice(modelBytes.byteOffset, modelBytes.byteOffset + modelBytes.length) },
    { model: new Response(modelBytes) },
    { model: modelBytes, wasm: module },
    { model: modelBytes, wasm: readFileSync(wasmFiles.simd) },
    { model: modelBytes, wasm: { simd: pathToFileURL(wasmFiles.simd), scalar: module }, simd: false },
  ];
  const expected = popular(await demo(), 5);
  for (const options of sources) {
    const shelf = await Shelf.load(options);
    assert.equal(shelf.name, 'demo');
    assert.deepEqual(popular(shelf, 5), expected);
    shelf.dispose();
  }
});

test('picks the SIMD module where SIMD128 runs, and the scalar one on request', async () => {
  assert.equal(simdSupported(), true); // Node 20's V8 has SIMD128
  assert.equal((await demo()).simd, true);
  assert.equal((await demo({ simd: false })).simd, false);
  assert.equal((await demo({ simd: true })).simd, true);
});

test('describes the model', async () => {
  const shelf = await demo();
  assert.equal(shelf.name, 'demo');
  assert.ok(shelf.itemCount > 1000);
  assert.equal(shelf.dims % 16, 0);
  assert.match(shelf.version, /^\d+\.\d+\.\d+$/);
  assert.equal(shelf.metadata.name, 'demo');
  assert.ok(shelf.categories.length > 10);
  assert.deepEqual(shelf.eventTypes, ['view', 'click', 'add_to_cart', 'purchase', 'search', 'dwell']);
  assert.deepEqual(shelf.scorers, ['popularity', 'repeat', 'covisit', 'sequential', 'embedding']);
  const [id] = popular(shelf, 1);
  assert.equal(shelf.has(id), true);
  assert.equal(shelf.has('no-such-sku'), false);
  const item = shelf.item(id);
  assert.equal(item.id, id);
  assert.ok(shelf.categories.includes(item.category));
  assert.equal(typeof item.inStock, 'boolean');
  assert.equal(shelf.item('no-such-sku'), null);
});

test('recommendations follow what the shopper does, with reasons', async () => {
  const shelf = await demo();
  const s = shelf.session({ consent: true });
  const before = s.recommend({ k: 10 });
  assert.equal(before.length, 10);
  assert.ok(before.every((r) => r.reason === 'popular' && r.because === null));
  for (let i = 1; i < before.length; i++) assert.ok(before[i - 1].score >= before[i].score);

  const viewed = popular(shelf, 40).at(-1);
  assert.equal(s.track('view', viewed, { ts: T0 }), true);
  assert.equal(s.track('click', viewed, { ts: new Date((T0 + 5) * 1000) }), true);
  assert.equal(s.eventCount, 2);
  const after = s.recommend({ k: 10 });
  assert.notDeepEqual(after.map((r) => r.id), before.map((r) => r.id));
  const personal = after.filter((r) => r.reason !== 'popular');
  assert.ok(personal.length > 0);
  for (const r of personal) assert.equal(r.because, viewed, `${r.id} ${r.reason}`);
  assert.ok(after.every((r) => typeof r.score === 'number' && shelf.has(r.id)));
  assert.ok(after.every((r) => r.category === shelf.item(r.id).category));

  const unseen = s.recommend({ k: 10, excludeSeen: true });
  assert.ok(unseen.every((r) => r.id !== viewed));
});

test('reasons: the session\'s own items are in_cart or seen_before, never viewed_together', async () => {
  const shelf = await demo();
  const viewed = popular(shelf, 40).at(-1);
  const [carted] = shelf.related(viewed, { k: 1 }); // viewed together with it
  assert.equal(carted.reason, 'viewed_together');
  const s = shelf.session({ consent: true });
  s.track('view', viewed, { ts: T0 });
  s.track('add_to_cart', carted.id, { ts: T0 + 20 });
  // The covisit table alone links each to the other; the labels say what they are.
  for (const scorers of [undefined, ['covisit']]) {
    const recs = s.recommend({ k: 20, keepBought: true, scorers });
    const reasonOf = (id) => recs.find((r) => r.id === id);
    assert.deepEqual(reasonOf(carted.id) && [reasonOf(carted.id).reason, reasonOf(carted.id).because], ['in_cart', carted.id]);
    assert.deepEqual(reasonOf(viewed) && [reasonOf(viewed).reason, reasonOf(viewed).because], ['seen_before', viewed]);
    for (const r of recs) {
      if (r.id !== viewed && r.id !== carted.id) assert.ok(!['in_cart', 'seen_before'].includes(r.reason), `${r.id} ${r.reason}`);
    }
  }
});

test('cold start: an empty session gets the most popular items, spread over categories', async () => {
  const shelf = await demo();
  const s = shelf.session(); // no consent: nothing is ever tracked
  const first = s.recommend({ k: 8 });
  assert.equal(first.length, 8);
  assert.ok(first.every((r) => r.reason === 'popular' && r.because === null));
  assert.ok(first.every((r) => r.score > 0), 'ranked by popularity, though the demo blend weighs it 0');
  for (let i = 1; i < first.length; i++) assert.ok(first[i - 1].score >= first[i].score);

  // Crowd the most popular items into one category (a live catalog may): the shelf
  // takes at most ceil(k / 4) of it, and the next most popular of other categories.
  const crowd = first[0].category;
  const top = s.recommend({ k: 40, perCategory: 40 }); // a cap of its own: popularity alone
  assert.deepEqual(shelf.updateItems(top.map(({ id }) => ({ id, category: crowd }))), { updated: 40, unknown: [] });
  assert.ok(s.recommend({ k: 8, perCategory: 8 }).every((r) => r.category === crowd));
  for (const k of [1, 4, 5, 8, 12]) {
    const recs = s.recommend({ k });
    assert.equal(recs.length, k);
    assert.equal(recs.filter((r) => r.category === crowd).length, Math.ceil(k / 4), `k = ${k}`);
    assert.deepEqual(recs.filter((r) => r.category === crowd).map((r) => r.id), top.slice(0, Math.ceil(k / 4)).map((r) => r.id));
    for (let i = 1; i < recs.length; i++) assert.ok(recs[i - 1].score >= recs[i].score);
  }
  assert.equal(s.recommend({ k: 8, perCategory: 1 }).filter((r) => r.category === crowd).length, 1, "the request's cap wins");
});

test('track: unknown items are ignored and reported, bad events throw', async () => {
  const shelf = await demo();
  const unknown = [];
  const s = shelf.session({ consent: true, now: () => T0, onUnknownItem: (id, type) => unknown.push([id, type]) });
  assert.equal(s.track('view', 'no-such-sku'), false);
  assert.equal(s.track('Product Added', 'sku-123'), false);
  assert.equal(s.eventCount, 0);
  assert.deepEqual(unknown, [['no-such-sku', 'view'], ['sku-123', 'Product Added']]);
  assert.equal(s.track('view', popular(shelf, 1)[0]), true);
  assert.equal(unknown.length, 2, 'a known item is not reported');
  s.forget();
  throwsCode(() => shelf.session({ onUnknownItem: 'log' }), 'SHELF_E_BAD_ARGUMENT');
  const [id] = popular(shelf, 1);
  throwsCode(() => s.track('stare', id), 'SHELF_E_BAD_EVENT');
  throwsCode(() => s.track('view', id, { ts: -1 }), 'SHELF_E_BAD_EVENT');
  throwsCode(() => s.track('view', id, { ts: NaN }), 'SHELF_E_BAD_EVENT');
  throwsCode(() => s.track('dwell', id, { weight: -3 }), 'SHELF_E_BAD_EVENT');
  throwsCode(() => s.track('view', id, { ts: null }), 'SHELF_E_BAD_EVENT'); // not 1970
  throwsCode(() => s.track('view', id, { ts: '1700000000' }), 'SHELF_E_BAD_EVENT');
  assert.equal(s.eventCount, 0);
  assert.equal(s.track('dwell', id, { weight: 42 }), true);
  assert.equal(s.eventCount, 1);
  // The library keeps the newest 64 events.
  for (let i = 0; i < 100; i++) s.track('view', id, { ts: T0 + i });
  assert.equal(s.eventCount, 64);
});

test("track: GA4's and Segment's event names as they are, a site's own once mapped", async () => {
  const shelf = await demo({ eventNames: { pdp_view: 'view', basket: 'Product Added' } });
  const [a, b] = popular(shelf, 2);
  // Each name records the event its canonical name does: the same saved state.
  const state = (events) => {
    const s = shelf.session({ consent: true, now: () => T0 });
    for (const [type, id] of events) assert.equal(s.track(type, id), true, type);
    const saved = s.save();
    s.dispose();
    return saved;
  };
  const canonical = state([['view', a], ['click', a], ['add_to_cart', b], ['purchase', b]]);
  assert.equal(state([['view_item', a], ['select_item', a], ['add_to_cart', b], ['purchase', b]]), canonical, 'GA4');
  assert.equal(state([['Product Viewed', a], ['Product Clicked', a], ['Product Added', b], ['Order Completed', b]]), canonical, 'Segment');
  assert.equal(state([['pdp_view', a], ['click', a], ['basket', b], ['purchase', b]]), canonical, "the site's");
  assert.notEqual(state([['view', a], ['view', a], ['add_to_cart', b], ['purchase', b]]), canonical, 'the types matter');
  // An unknown name says what is accepted and how to map one.
  const s = shelf.session({ consent: true });
  assert.throws(() => s.track('Product Zoomed', a), (error) => error.code === 'SHELF_E_BAD_EVENT' &&
    /"Product Zoomed"/.test(error.message) && /add_to_cart/.test(error.message) && /view_item/.test(error.message) &&
    /Order Completed/.test(error.message) && /pdp_view/.test(error.message) && /eventNames/.test(error.message));
  assert.throws(() => s.track('view_Item', a), { code: 'SHELF_E_BAD_EVENT' }, 'case matters');
  // A mapping onto a name Shelf does not know fails the load, naming both.
  await assert.rejects(demo({ eventNames: { pdp_view: 'look' } }), (error) => error.code === 'SHELF_E_BAD_ARGUMENT' &&
    /"pdp_view"/.test(error.message) && /"look"/.test(error.message));
  await assert.rejects(demo({ eventNames: ['view'] }), { code: 'SHELF_E_BAD_ARGUMENT' });
  await assert.rejects(demo({ eventNames: { view_item: 'purchase' } }), /another meaning/);
  // Another Shelf is not affected by this one's mapping.
  const other = await demo();
  throwsCode(() => other.session({ consent: true }).track('pdp_view', a), 'SHELF_E_BAD_EVENT');
});

test("a session's 'change' events: after each change of what recommend() answers", async () => {
  const shelf = await demo();
  const [id] = popular(shelf, 1);
  const s = shelf.session({ now: () => T0 });
  let changes = 0;
  s.addEventListener('change', () => changes++);
  s.track('view', id); // no consent: nothing recorded, nothing changed
  assert.equal(changes, 0);
  s.setConsent(true);
  assert.equal(changes, 1);
  s.track('view', id);
  s.track('view', 'no-such-sku'); // unknown: nothing changed
  assert.equal(changes, 2);
  const state = s.save();
  s.forget();
  assert.equal(changes, 3);
  s.restore(state);
  assert.equal(changes, 4);
  s.setConsent(false);
  assert.ok(changes >= 5);
});

test('stateSealer: a sealed state opens for its site until it expires, with every secret of a rotation', async () => {
  const shelf = await demo();
  const [id] = popular(shelf, 1);
  const session = shelf.session({ consent: true });
  session.track('purchase', id, { ts: T0 });
  let t = T0;
  const now = () => t;
  const old = 'the secret of last month, long enough to use';
  const current = 'the secret of this month, long enough to use';
  const before = await stateSealer({ secrets: [old], site: 'shop.example', maxAge: 600, now });
  const after = await stateSealer({ secrets: [current, old], site: 'shop.example', maxAge: 600, now });
  const sealedBefore = await before.seal(session);
  const sealedAfter = await after.seal(session);
  assert.notEqual(sealedBefore, sealedAfter);
  assert.equal(await before.seal(shelf.session()), null, 'nothing to seal without consent');
  for (const [sealer, sealed] of [[after, sealedBefore], [after, sealedAfter], [before, sealedBefore]]) {
    const { state, problem } = await sealer.open(sealed);
    assert.equal(problem, null);
    assert.equal(shelf.session({ consent: true, state }).eventCount, 1);
  }
  assert.match((await before.open(sealedAfter)).problem, /unknown key|tampered/, 'the old secret alone does not open the new');
  assert.deepEqual(await after.open(undefined), { state: null, problem: 'missing' });
  t += 601;
  assert.deepEqual(await after.open(sealedAfter), { state: null, problem: 'expired' });
  await assert.rejects(stateSealer({ secrets: ['short'], site: 'shop.example' }), { code: 'SHELF_E_BAD_ARGUMENT' });
  await assert.rejects(stateSealer({ secrets: [current] }), { code: 'SHELF_E_BAD_ARGUMENT' });
  await assert.rejects(stateSealer({ site: 'x' }), { code: 'SHELF_E_BAD_ARGUMENT' });
});

test('rules: k, per-category cap, categories, bought items, boosts, scorers', async () => {
  const shelf = await demo();
  const s = shelf.session({ consent: true });
  const ids = popular(shelf, 30);
  ids.slice(0, 5).forEach((id, i) => s.track('view', id, { ts: T0 + i }));

  assert.equal(s.recommend({ k: 3 }).length, 3);
  assert.deepEqual(s.recommend({ k: 0 }), []);

  const capped = s.recommend({ k: 20, perCategory: 2 });
  const perCategory = new Map();
  for (const r of capped) perCategory.set(r.category, (perCategory.get(r.category) ?? 0) + 1);
  for (const [category, n] of perCategory) if (category !== null) assert.ok(n <= 2, `${n} of ${category}`);

  const category = shelf.item(ids[0]).category;
  const only = s.recommend({ k: 10, categories: [category] });
  assert.ok(only.length > 0 && only.every((r) => r.category === category));
  const without = s.recommend({ k: 30, excludeCategories: [category] });
  assert.ok(without.every((r) => r.category !== category));

  const boosted = s.recommend({ k: 10, boost: { [category]: 1000 } });
  assert.equal(boosted[0].category, category);

  const [bought] = ids;
  s.track('purchase', bought, { ts: T0 + 10 });
  assert.ok(s.recommend({ k: 50 }).every((r) => r.id !== bought));
  assert.ok(s.recommend({ k: 50, keepBought: true }).some((r) => r.id === bought));

  // Popularity alone; the session's own (popular) items still say they are the session's.
  const popularOnly = s.recommend({ k: 10, scorers: ['popularity'] });
  assert.ok(popularOnly.some((r) => r.reason === 'popular'));
  assert.ok(popularOnly.every((r) => r.reason === (ids.slice(0, 5).includes(r.id) ? 'seen_before' : 'popular')));
  const repeatOnly = s.recommend({ k: 3, scorers: ['repeat'], keepBought: true });
  assert.ok(repeatOnly.every((r) => r.reason === 'seen_before' && r.because === r.id));

  throwsCode(() => s.recommend({ categories: ['no-such-category'] }), 'SHELF_E_UNKNOWN_CATEGORY');
  throwsCode(() => s.recommend({ scorers: ['magic'] }), 'SHELF_E_BAD_ARGUMENT');
  throwsCode(() => s.recommend({ k: -1 }), 'SHELF_E_BAD_ARGUMENT');
  throwsCode(() => s.recommend({ k: 2.5 }), 'SHELF_E_BAD_ARGUMENT');
  throwsCode(() => s.recommend({ boost: { [category]: 0 } }), 'SHELF_E_BAD_ARGUMENT');
  throwsCode(() => s.recommend({ minPrice: NaN }), 'SHELF_E_BAD_ARGUMENT');
});

test('exclude: those items never come back, the rest keep their order; unknown ids are ignored', async () => {
  const shelf = await demo();
  const s = shelf.session({ consent: true });
  popular(shelf, 3).forEach((id, i) => s.track('view', id, { ts: T0 + i }));
  const all = s.recommend({ k: 10 });
  const exclude = [all[0].id, all[3].id, 'no-such-sku'];
  const without = s.recommend({ k: 10, exclude });
  assert.equal(without.length, 10);
  assert.ok(without.every((r) => !exclude.includes(r.id)));
  assert.deepEqual(without.slice(0, 8), all.filter((r) => !exclude.includes(r.id)));
  assert.deepEqual(s.recommend({ k: 10, exclude: new Set(exclude) }), without, 'any iterable of ids');
  assert.deepEqual(s.recommend({ k: 10, exclude: ['no-such-sku'] }), all);
  throwsCode(() => s.recommend({ exclude: all[0].id }), 'SHELF_E_BAD_ARGUMENT');
});

test('setItem: stock, price and category change at once for every session, without retraining', async () => {
  const shelf = await demo();
  const s = shelf.session({ consent: true });
  popular(shelf, 2).forEach((id, i) => s.track('view', id, { ts: T0 + i }));
  const before = s.recommend({ k: 10, inStockOnly: true });
  const { id } = before[0];
  const item = shelf.item(id);
  assert.equal(item.inStock, true);

  assert.deepEqual(shelf.setItem(id, { inStock: false }), { ...item, inStock: false });
  const after = s.recommend({ k: 10, inStockOnly: true });
  assert.deepEqual(after.slice(0, 9), before.slice(1), 'gone, and the others in the same order');
  assert.ok(shelf.session().recommend({ k: 50, inStockOnly: true }).every((r) => r.id !== id), 'a new session too');
  assert.ok(s.recommend({ k: 10 }).some((r) => r.id === id), 'out of stock still shows without inStockOnly');

  // Partial updates keep the other fields.
  assert.deepEqual(shelf.setItem(id, { price: 12.5 }), { ...item, inStock: false, price: 12.5 });
  shelf.setItem(id, { inStock: true });
  assert.equal(s.recommend({ k: 5, minPrice: 12.5, maxPrice: 12.5 })[0].id, id);
  const other = shelf.categories.find((c) => c !== item.category);
  assert.deepEqual(shelf.setItem(id, { category: other }), { ...item, price: 12.5, category: other });
  const moved = s.recommend({ k: 5, categories: [other] });
  assert.equal(moved[0].id, id);
  assert.equal(moved[0].category, other);
  assert.ok(s.recommend({ k: 50, categories: [item.category] }).every((r) => r.id !== id));
  assert.deepEqual(shelf.setItem(id, { price: null, category: null }), { ...item, price: null, category: null });
  assert.ok(s.recommend({ k: 50, minPrice: 0 }).every((r) => r.id !== id), 'an unknown price is outside every range');

  const now = shelf.item(id);
  throwsCode(() => shelf.setItem('no-such-sku', { inStock: true }), 'SHELF_E_UNKNOWN_ITEM');
  throwsCode(() => shelf.setItem(id, { category: 'no-such-category' }), 'SHELF_E_UNKNOWN_CATEGORY');
  for (const bad of [{ price: -1 }, { price: NaN }, { price: Infinity }, { price: 1e39 }, { price: '3' },
    { inStock: 'no' }, { category: 7 }, null, 'in stock']) {
    throwsCode(() => shelf.setItem(id, bad), 'SHELF_E_BAD_ARGUMENT');
  }
  assert.deepEqual(shelf.item(id), now, 'a refused update changes nothing');
  assert.deepEqual((await demo()).item(id), item, 'another Shelf of the same file is its own');
});

test('updateItems: a stock feed in one call, unknown ids listed, all or nothing', async () => {
  const shelf = await demo();
  const ids = popular(shelf, 6);
  const first = shelf.item(ids[1]);
  const feed = [
    { id: ids[0], inStock: false },
    { id: 'sku-from-next-week', inStock: true },
    { id: ids[1], price: 9.5 },
    { id: ids[1], inStock: false }, // builds on the update before
  ];
  assert.deepEqual(shelf.updateItems(feed), { updated: 3, unknown: ['sku-from-next-week'] });
  assert.equal(shelf.item(ids[0]).inStock, false);
  assert.deepEqual(shelf.item(ids[1]), { ...first, price: 9.5, inStock: false });
  const shown = shelf.session().recommend({ k: 4, inStockOnly: true }).map((r) => r.id);
  assert.deepEqual(shown, ids.slice(2));

  const snapshot = ids.map((id) => shelf.item(id));
  function* feedWithABadLine() {
    yield { id: ids[2], inStock: false };
    yield { id: ids[3], category: 'no-such-category' };
  }
  throwsCode(() => shelf.updateItems(feedWithABadLine()), 'SHELF_E_UNKNOWN_CATEGORY');
  throwsCode(() => shelf.updateItems([{ id: ids[2], inStock: false }, { id: ids[3], price: -2 }]), 'SHELF_E_BAD_ARGUMENT');
  throwsCode(() => shelf.updateItems([{ id: ids[2], inStock: false }, { inStock: false }]), 'SHELF_E_BAD_ARGUMENT');
  throwsCode(() => shelf.updateItems({ id: ids[2], inStock: false }), 'SHELF_E_BAD_ARGUMENT');
  throwsCode(() => shelf.updateItems(null), 'SHELF_E_BAD_ARGUMENT');
  assert.deepEqual(ids.map((id) => shelf.item(id)), snapshot, 'a refused feed changes nothing');
  assert.deepEqual(shelf.updateItems([]), { updated: 0, unknown: [] });
});

test('related: items for a product page from the model alone, never the item, every filter', async () => {
  const shelf = await demo(); // no session is ever made on it
  const id = popular(shelf, 40).at(-1);
  const related = shelf.related(id, { k: 10 });
  assert.equal(related.length, 10);
  assert.ok(related.every((r) => r.id !== id && shelf.has(r.id)));
  const linked = related.filter((r) => r.reason !== 'popular');
  assert.ok(linked.length > 0, 'the tables know the item');
  for (const r of linked) {
    assert.ok(['viewed_together', 'viewed_after', 'similar'].includes(r.reason), r.reason);
    assert.equal(r.because, id);
  }
  assert.ok(related.filter((r) => r.reason === 'popular').every((r) => r.because === null));
  for (let i = 1; i < related.length; i++) assert.ok(related[i - 1].score >= related[i].score);
  assert.deepEqual(shelf.related(id), shelf.related(id, { k: 10 }), 'k defaults to 10');

  // The scorers are the session's: a session of one view of the item ranks its
  // linked items the same by the blend (and, unlike related(), may return the item
  // itself); the learned ranker, for sessions only, re-orders and re-scores them.
  const s = shelf.session({ consent: true });
  s.track('view', id, { ts: T0 });
  assert.deepEqual(s.recommend({ k: linked.length, exclude: [id], ranker: false }), linked);
  if (shelf.metadata.ranker) {
    const ranked = s.recommend({ k: linked.length, exclude: [id] });
    assert.notDeepEqual(ranked.map((r) => r.score), linked.map((r) => r.score), 'the ranker changed nothing');
  }

  const without = shelf.related(id, { k: 10, exclude: [related[0].id, 'no-such-sku'] });
  assert.deepEqual(without.slice(0, 9), related.slice(1));
  shelf.setItem(related[1].id, { inStock: false });
  const inStock = shelf.related(id, { k: 10, inStockOnly: true });
  assert.ok(inStock.every((r) => r.id !== related[1].id) && inStock[0].id === related[0].id);
  const { category } = related[0];
  const same = shelf.related(id, { k: 5, categories: [category] });
  assert.ok(same.length > 0 && same.every((r) => r.category === category));
  assert.ok(shelf.related(id, { k: 20, excludeCategories: [category] }).every((r) => r.category !== category));
  const capped = shelf.related(id, { k: 10, perCategory: 1 }).map((r) => r.category);
  assert.equal(new Set(capped).size, capped.length, `one per category: ${capped}`);
  assert.deepEqual(shelf.related(id, { k: 0 }), []);

  throwsCode(() => shelf.related('no-such-sku'), 'SHELF_E_UNKNOWN_ITEM');
  throwsCode(() => shelf.related(id, { categories: ['no-such-category'] }), 'SHELF_E_UNKNOWN_CATEGORY');
  throwsCode(() => shelf.related(id, { k: -1 }), 'SHELF_E_BAD_ARGUMENT');
  throwsCode(() => shelf.related(id, { minPrice: NaN }), 'SHELF_E_BAD_ARGUMENT');
  shelf.dispose();
  throwsCode(() => shelf.related(id), 'SHELF_E_NULL_ARGUMENT');
});

test('a huge k gives at most every item, and corrupts nothing', async () => {
  const shelf = await demo();
  const s = shelf.session({ consent: true });
  popular(shelf, 8).forEach((id, i) => s.track('view', id, { ts: T0 + i }));
  const before = s.recommend({ k: 10 });
  const state = s.save();
  // 2**28 + 100 results of 16 bytes wrap to a 1600-byte buffer in 32 bits; 2**32 + 3
  // wraps to k = 3 in the request's uint32 field.
  for (const k of [2 ** 28 + 100, 2 ** 32 + 3, Number.MAX_SAFE_INTEGER]) {
    const all = s.recommend({ k });
    assert.ok(all.length > 10 && all.length <= shelf.itemCount, `k = ${k}: ${all.length} results`);
    assert.deepEqual(all.slice(0, 10), before);
  }
  // A cap above any category's size caps nothing (2**32 + 1 would wrap to 1).
  assert.deepEqual(s.recommend({ k: 10, perCategory: 2 ** 32 + 1 }), before);
  // The session, the model and the heap around them are as they were.
  assert.deepEqual(s.recommend({ k: 10 }), before);
  assert.equal(s.save(), state);
  const t = shelf.session({ consent: true, state });
  assert.deepEqual(t.recommend({ k: 10 }), before);
});

test('save and restore: a short cookie-safe string, and back to the same recommendations', async () => {
  const shelf = await demo();
  const s = shelf.session({ consent: true });
  popular(shelf, 8).forEach((id, i) => s.track(i % 2 ? 'click' : 'view', id, { ts: T0 + i * 7.5 }));
  s.track('dwell', popular(shelf, 1)[0], { ts: T0 + 100, weight: 31 });
  const state = s.save();
  assert.match(state, /^[A-Za-z0-9_-]+$/);
  assert.ok(state.length < 160, `${state.length} characters`);  /* 9 events */

  const again = shelf.session({ consent: true, state });
  assert.equal(again.eventCount, s.eventCount);
  assert.deepEqual(again.recommend({ k: 10 }), s.recommend({ k: 10 }));

  const fresh = shelf.session({ consent: true });
  fresh.restore(state);
  assert.deepEqual(fresh.recommend({ k: 10 }), s.recommend({ k: 10 }));
  throwsCode(() => fresh.restore('!!not-a-state!!'), 'SHELF_E_BAD_STATE');
  throwsCode(() => fresh.restore(state.slice(0, -3)), 'SHELF_E_BAD_STATE');
  assert.equal(fresh.eventCount, s.eventCount, 'a failed restore leaves the session unchanged');

  // Under another model, events of the items it does not know are dropped and counted.
  const other = await Shelf.load({ model: ensureSessionsModel() });
  const foreign = other.session({ consent: true });
  foreign.restore(state);
  assert.equal(foreign.eventCount + foreign.droppedEvents, s.eventCount);
  assert.equal(other.session({ consent: true, state: 'garbage' }).eventCount, 0);
});

test('a session saved under one model restores under its retrained successor', async () => {
  const before = await Shelf.load({ model: readFileSync(ensureSessionsModel()) });
  const after = await Shelf.load({ model: readFileSync(ensureRetrainedSessionsModel()) });
  assert.notEqual(before.metadata.name, after.metadata.name);
  const s = before.session({ consent: true });
  const ids = ['19', '200', '5', '492', '593', '60'];
  for (let i = 0; i < 64; i++) s.track(i % 5 === 4 ? 'add_to_cart' : 'view', ids[i % 6], { ts: T0 + 30 * i });
  const state = s.save();
  assert.ok(state.length < 1024, `a full session's cookie is ${state.length} characters`);
  const t = after.session({ consent: true, state });
  assert.equal(t.eventCount, 64);
  assert.equal(t.droppedEvents, 0);
  // The same shopper, so mostly the same items under the new model (a lost session
  // would get the cold-start items instead: none of these).
  const was = new Set(s.recommend({ k: 10 }).map((r) => r.id));
  const overlap = t.recommend({ k: 10 }).filter((r) => was.has(r.id)).length;
  assert.ok(overlap >= 5, `${overlap} of 10 in common`);
  assert.ok(after.session({ consent: true }).recommend({ k: 10 }).filter((r) => was.has(r.id)).length < 5);
  before.dispose();
  after.dispose();
});

test('consent: nothing is recorded or stored before it, and withdrawing it forgets', async () => {
  const shelf = await demo();
  const map = new Map();
  const store = memoryStore(map);
  const [a, b] = popular(shelf, 2);

  const s = shelf.session({ store });
  assert.equal(s.consent, false);
  assert.equal(s.track('view', a), false);
  assert.equal(s.eventCount, 0);
  assert.equal(s.save(), null);
  assert.equal(map.size, 0);
  assert.ok(s.recommend({ k: 5 }).every((r) => r.reason === 'popular'));
  throwsCode(() => s.restore('AAAA'), 'SHELF_E_BAD_ARGUMENT');

  s.setConsent(true);
  assert.equal(s.track('view', a, { ts: T0 }), true);
  assert.equal(s.track('view', b, { ts: T0 + 1 }), true);
  await s.flush();
  assert.equal(map.get('shelf-session'), s.save());

  // The next page load continues from the store, once consent is known.
  const next = shelf.session({ store });
  assert.equal(next.eventCount, 0, 'no store read without consent');
  next.setConsent(true);
  assert.equal(next.eventCount, 2);

  s.setConsent(false);
  await s.flush();
  assert.equal(s.eventCount, 0);
  assert.equal(map.size, 0);
  assert.equal(s.track('view', a), false);
});

test('forget() wipes the session and its stored state', async () => {
  const shelf = await demo();
  const map = new Map();
  const s = shelf.session({ consent: true, store: memoryStore(map), key: 'k' });
  s.track('view', popular(shelf, 1)[0]);
  await s.flush();
  assert.ok(map.has('k'));
  s.forget();
  await s.flush();
  assert.equal(s.eventCount, 0);
  assert.equal(map.has('k'), false);
  assert.equal(s.consent, true);
});

test('an asynchronous store: restored when ready, with events tracked meanwhile on top', async () => {
  const shelf = await demo();
  const [a, b, c] = popular(shelf, 3);
  const map = new Map();
  const later = (value) => new Promise((resolve) => setTimeout(() => resolve(value), 5));
  const asyncStore = {
    get: (key) => later(map.get(key) ?? null),
    set: (key, value) => later(map.set(key, value)),
    remove: (key) => later(map.delete(key)),
  };
  const first = shelf.session({ consent: true, store: asyncStore });
  await first.ready;
  first.track('view', a, { ts: T0 });
  first.track('view', b, { ts: T0 + 1 });
  await first.flush();
  assert.ok(map.has('shelf-session'));

  const second = shelf.session({ consent: true, store: asyncStore });
  second.track('click', c, { ts: T0 + 2 }); // before the store has answered
  assert.equal(await second.ready, second);
  assert.equal(second.eventCount, 3);
  const reference = shelf.session({ consent: true });
  reference.track('view', a, { ts: T0 });
  reference.track('view', b, { ts: T0 + 1 });
  reference.track('click', c, { ts: T0 + 2 });
  assert.deepEqual(second.recommend(), reference.recommend());

  // forget() before the store answers wins over the late answer.
  const third = shelf.session({ consent: true, store: asyncStore });
  third.forget();
  await third.ready;
  assert.equal(third.eventCount, 0);
});

test('a failing store never breaks recommendations; flush() reports the failure', async () => {
  const shelf = await demo();
  const broken = {
    get() { throw new Error('blocked'); },
    set() { return Promise.reject(new Error('quota')); },
    remove() {},
  };
  const s = shelf.session({ consent: true, store: broken });
  assert.equal(s.track('view', popular(shelf, 1)[0]), true);
  await assert.rejects(s.flush(), /quota/);
  assert.equal(s.recommend({ k: 3 }).length, 3);
});

test('dispose: idempotent, and using a disposed object throws a ShelfError', async () => {
  const shelf = await demo();
  const s = shelf.session({ consent: true });
  const t = shelf.session({ consent: true });
  s.dispose();
  s.dispose();
  throwsCode(() => s.recommend(), 'SHELF_E_NULL_ARGUMENT');
  throwsCode(() => s.track('view', 'x'), 'SHELF_E_NULL_ARGUMENT');
  shelf.dispose();
  shelf.dispose();
  throwsCode(() => t.recommend(), 'SHELF_E_NULL_ARGUMENT');
  throwsCode(() => shelf.itemCount, 'SHELF_E_NULL_ARGUMENT');
  throwsCode(() => shelf.session(), 'SHELF_E_NULL_ARGUMENT');
  assert.throws(() => new Shelf(), TypeError);
});

test('errors carry the C status name', async () => {
  await rejectsCode(Shelf.load({ model: new TextEncoder().encode('not a model') }), 'SHELF_E_BAD_MAGIC');
  await rejectsCode(Shelf.load({ model: modelBytes.subarray(0, 1000) }), 'SHELF_E_TRUNCATED');
  const damaged = new Uint8Array(modelBytes);
  damaged[damaged.length >> 1] ^= 0xff; // inside a section, not in the padding
  await rejectsCode(Shelf.load({ model: damaged }), 'SHELF_E_CHECKSUM_MISMATCH');
  await rejectsCode(Shelf.load({ model: '/no/such/model.shelf' }), 'SHELF_E_IO');
  await rejectsCode(Shelf.load({ model: new Response('', { status: 404 }) }), 'SHELF_E_IO');
  await rejectsCode(Shelf.load({}), 'SHELF_E_NULL_ARGUMENT');
  const emptyModule = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
  await rejectsCode(Shelf.load({ model: modelBytes, wasm: emptyModule }), 'SHELF_E_BAD_ARGUMENT');
  try {
    await Shelf.load({ model: new Uint8Array(3) });
    assert.fail('expected an error');
  } catch (error) {
    assert.ok(error instanceof ShelfError && error instanceof Error);
    assert.equal(error.name, 'ShelfError');
    assert.equal(typeof error.status, 'number');
    assert.match(error.message, /\(SHELF_E_\w+\)$/);
  }
});

// Leaks, measured in wasm memory: it only ever grows, and malloc reuses what was
// freed, so doing the same work again must not grow it at all. A leak must, once
// the leaked bytes add up to more than all the memory there is.
const memoryOf = (binding) => binding.wasm.memory.buffer.byteLength;
const SESSIONS_PER_ROUND = 10;

test('sessions: memory is reused, so a leaked session shows', async () => {
  for (const simd of [true, false]) {
    const shelf = await demo({ simd });
    const ids = popular(shelf, 20);
    const round = () => {
      for (let i = 0; i < SESSIONS_PER_ROUND; i++) {
        const s = shelf.session({ consent: true });
        ids.forEach((id, j) => s.track('view', id, { ts: T0 + j }));
        assert.ok(s.recommend({ k: 20, perCategory: 1 }).length > 0);
        s.dispose();
      }
    };
    round(); // warm-up: the first sessions take the memory the next ones reuse
    const warm = memoryOf(shelf.binding);
    // A session's first recommend() allocates 8 bytes per item (its scores and
    // similarities), freed with the session: a leaked session leaks at least that.
    // After `rounds` more rounds such leaks alone would exceed `warm`.
    const leakPerRound = 8 * shelf.itemCount * SESSIONS_PER_ROUND;
    const rounds = Math.ceil(warm / leakPerRound) + 1;
    for (let r = 0; r < rounds; r++) round();
    assert.equal(memoryOf(shelf.binding), warm, `memory grew over ${rounds} rounds of ${SESSIONS_PER_ROUND} sessions (simd: ${simd})`);
    shelf.dispose();
  }
});

test('sessions a page drops without dispose() are freed by the collector', async () => {
  const shelf = await demo();
  const ids = popular(shelf, 20);
  // Sessions made and dropped, the way a page that never calls dispose() does.
  const round = () => {
    for (let i = 0; i < SESSIONS_PER_ROUND; i++) {
      const s = shelf.session({ consent: true });
      ids.forEach((id, j) => s.track('view', id, { ts: T0 + j }));
      assert.ok(s.recommend({ k: 20 }).length > 0);
    }
  };
  const collect = async () => {
    gc();
    // Finalizers run as tasks of their own, after the collection.
    for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
  };
  round();
  await collect();
  round();
  await collect();
  const warm = memoryOf(shelf.binding);
  const leakPerRound = 8 * shelf.itemCount * SESSIONS_PER_ROUND;
  const rounds = Math.ceil(warm / leakPerRound) + 1;
  for (let r = 0; r < rounds; r++) {
    round();
    await collect();
  }
  assert.equal(memoryOf(shelf.binding), warm, `memory grew over ${rounds} rounds of ${SESSIONS_PER_ROUND} dropped sessions`);
  // Those it has not collected yet still go with the Shelf.
  const kept = shelf.session({ consent: true });
  shelf.dispose();
  assert.throws(() => kept.recommend(), { code: 'SHELF_E_NULL_ARGUMENT' });
});

test('models: Shelf.dispose() and closing a model free their memory', async () => {
  const shelf = await demo();
  const binding = shelf.binding;
  const ids = popular(shelf, 20);
  const use = (session) => {
    ids.forEach((id, j) => session.track('view', id, { ts: T0 + j }));
    assert.ok(session.recommend({ k: 20, perCategory: 1 }).length > 0);
  };
  use(shelf.session({ consent: true })); // left for shelf.dispose()
  const other = shelf.session({ consent: true });
  use(other);
  other.dispose();
  const loaded = memoryOf(binding);
  shelf.dispose();

  // The same model opened again in the same instance (Model is the internal class
  // behind Shelf) fits where the first one was. Before dispose() little was free:
  // growth slack under a 64 KB page, one session's scratch (58 KB), small blocks;
  // each model holds a copy of its file (570 KB). So a model left open by
  // Shelf.dispose() grows memory in the first round, and a leak in Model.close()
  // within `rounds` rounds, when the leaked copies alone exceed `loaded`.
  const rounds = Math.ceil(loaded / modelBytes.length) + 1;
  for (let r = 0; r < rounds; r++) {
    const model = new Model(binding, { pointer: binding.wasm.allocBytes(modelBytes), size: modelBytes.length });
    const session = new Session(model, { consent: true });
    use(session);
    session.dispose();
    model.close();
    assert.equal(memoryOf(binding), loaded, `memory grew in round ${r + 1} of ${rounds}`);
  }
});

test('related: each call frees its scratch', async () => {
  const shelf = await demo();
  const id = popular(shelf, 40).at(-1);
  const call = () => assert.equal(shelf.related(id, { k: 20, perCategory: 1 }).length, 20);
  call(); // warm-up
  const warm = memoryOf(shelf.binding);
  // A call takes 8 bytes per item of scratch: left behind, it would grow the memory
  // within `calls` calls.
  const calls = Math.ceil(warm / (8 * shelf.itemCount)) + 1;
  for (let i = 0; i < calls; i++) call();
  assert.equal(memoryOf(shelf.binding), warm, `memory grew over ${calls} calls`);
});

test('models: the attributes an update copies are freed with the model', async () => {
  const shelf = await demo();
  const binding = shelf.binding;
  const [id] = popular(shelf, 1);
  const items = shelf.itemCount;
  shelf.dispose();
  // The model opened again in the same instance, and one item updated: the model
  // then copies every item's attributes (9 bytes per item).
  const cycle = () => {
    const model = new Model(binding, { pointer: binding.wasm.allocBytes(modelBytes), size: modelBytes.length });
    const index = model.itemIndex(id);
    model.setAttributes(index, model.changedAttributes(model.attributes(index), { inStock: false }, id));
    assert.equal(model.item(index).inStock, false);
    model.close();
  };
  cycle(); // warm-up
  const warm = memoryOf(binding);
  // A copy that close() left behind would grow the memory within `rounds` rounds.
  const rounds = Math.ceil(warm / (9 * items)) + 1;
  for (let r = 0; r < rounds; r++) {
    cycle();
    assert.equal(memoryOf(binding), warm, `memory grew in round ${r + 1} of ${rounds}`);
  }
});
