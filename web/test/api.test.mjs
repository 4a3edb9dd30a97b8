// The friendly API in Node: loading from every kind of source, tracking, recommending
// with rules, reasons, state, consent, stores, forgetting, disposing, typed errors.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';

import { Session, Shelf, ShelfError, memoryStore, simdSupported } from '../src/index.js';
import { Model } from '../src/model.js';
import { ensureDemoModel, ensureSessionsModel, requireWasm } from '../scripts/artifacts.mjs';

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

test('track: unknown items are ignored, bad events throw', async () => {
  const shelf = await demo();
  const s = shelf.session({ consent: true, now: () => T0 });
  assert.equal(s.track('view', 'no-such-sku'), false);
  assert.equal(s.eventCount, 0);
  const [id] = popular(shelf, 1);
  throwsCode(() => s.track('stare', id), 'SHELF_E_BAD_EVENT');
  throwsCode(() => s.track('view', id, { ts: -1 }), 'SHELF_E_BAD_EVENT');
  throwsCode(() => s.track('view', id, { ts: NaN }), 'SHELF_E_BAD_EVENT');
  throwsCode(() => s.track('dwell', id, { weight: -3 }), 'SHELF_E_BAD_EVENT');
  assert.equal(s.eventCount, 0);
  assert.equal(s.track('dwell', id, { weight: 42 }), true);
  assert.equal(s.eventCount, 1);
  // The library keeps the newest 64 events.
  for (let i = 0; i < 100; i++) s.track('view', id, { ts: T0 + i });
  assert.equal(s.eventCount, 64);
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

  const popularOnly = s.recommend({ k: 10, scorers: ['popularity'] });
  assert.ok(popularOnly.every((r) => r.reason === 'popular'));
  const repeatOnly = s.recommend({ k: 3, scorers: ['repeat'], keepBought: true });
  assert.ok(repeatOnly.every((r) => r.reason === 'seen_before' && r.because === r.id));

  throwsCode(() => s.recommend({ categories: ['no-such-category'] }), 'SHELF_E_UNKNOWN_CATEGORY');
  throwsCode(() => s.recommend({ scorers: ['magic'] }), 'SHELF_E_BAD_ARGUMENT');
  throwsCode(() => s.recommend({ k: -1 }), 'SHELF_E_BAD_ARGUMENT');
  throwsCode(() => s.recommend({ k: 2.5 }), 'SHELF_E_BAD_ARGUMENT');
  throwsCode(() => s.recommend({ boost: { [category]: 0 } }), 'SHELF_E_BAD_ARGUMENT');
  throwsCode(() => s.recommend({ minPrice: NaN }), 'SHELF_E_BAD_ARGUMENT');
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
  assert.ok(state.length < 120, `${state.length} characters`);

  const again = shelf.session({ consent: true, state });
  assert.equal(again.eventCount, s.eventCount);
  assert.deepEqual(again.recommend({ k: 10 }), s.recommend({ k: 10 }));

  const fresh = shelf.session({ consent: true });
  fresh.restore(state);
  assert.deepEqual(fresh.recommend({ k: 10 }), s.recommend({ k: 10 }));
  throwsCode(() => fresh.restore('!!not-a-state!!'), 'SHELF_E_BAD_STATE');
  throwsCode(() => fresh.restore(state.slice(0, -3)), 'SHELF_E_BAD_STATE');
  assert.equal(fresh.eventCount, s.eventCount, 'a failed restore leaves the session unchanged');

  // A state from another model is refused by restore() and dropped by session({ state }).
  const other = await Shelf.load({ model: ensureSessionsModel() });
  const foreign = other.session({ consent: true });
  throwsCode(() => foreign.restore(state), 'SHELF_E_STATE_MISMATCH');
  assert.equal(other.session({ consent: true, state }).eventCount, 0);
  assert.equal(other.session({ consent: true, state: 'garbage' }).eventCount, 0);
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
