// The package in Chromium, for real: on a page's main thread and in a module Web
// Worker, with both .wasm files, giving exactly the results Node gives (a session's
// recommendations; a product page's related items, before and after a stock feed);
// session state kept in localStorage (main thread) and IndexedDB (worker) across
// reloads.
// The model has embeddings and the scenario asks for them, so the SIMD128 dot
// kernel runs in the browser; its results are checked against Node's scalar
// module, which no SIMD128 code computes.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { Shelf } from '../src/index.js';
import { ensureEmbeddingModel, requireWasm, webRoot } from '../scripts/artifacts.mjs';
import { serveStatic } from '../scripts/static-server.mjs';
import { launchChromium, openPage } from './helpers/chromium.mjs';
import { runScenario } from './browser/scenario.mjs';

requireWasm();
const model = ensureEmbeddingModel();
let server;
let browser;
let page;

before(async () => {
  const blank = join(webRoot, 'test', 'browser', 'index.html');
  server = await serveStatic({
    root: webRoot,
    mounts: { '/model.shelf': model, '/csp/strict.html': blank, '/csp/wasm.html': blank },
    // A strict policy as shops set them, without and with WebAssembly allowed.
    headers: (path) => (path.startsWith('/csp/')
      ? { 'content-security-policy': `script-src 'self'${path === '/csp/wasm.html' ? " 'wasm-unsafe-eval'" : ''}` }
      : {}),
  });
  browser = await launchChromium();
  page = await openPage(browser);
  await page.goto(`${server.url}/test/browser/index.html`);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** What Node computes for the scenario: the reference for every other place. */
async function expected() {
  const bytes = readFileSync(model);
  return {
    simd: await runScenario(Shelf, { model: bytes, simd: true }),
    scalar: await runScenario(Shelf, { model: bytes, simd: false }),
  };
}

/** A SIMD128 run against Node's scalar run: int8 dot products are exact, so the two
 * flavours agree to the last bit. Comparing SIMD with Node's SIMD alone would miss
 * a broken SIMD128 kernel, which breaks both the same way. */
function matchesScalar(got, scalar, where) {
  assert.ok(scalar.dims > 0, 'the model has embeddings');
  assert.equal(scalar.similar.length, 12);
  assert.ok(scalar.similar.every((r) => r.reason === 'similar'), 'the embedding scorer ranked them');
  assert.equal(scalar.related.length, 8);
  assert.deepEqual(scalar.feed, { updated: 1, unknown: ['no-such-sku'] });
  assert.deepEqual(scalar.relatedInStock.slice(0, 7), scalar.related.slice(1), 'the item out of stock is gone');
  assert.deepEqual({ ...got, simd: false }, scalar, `${where}: SIMD128 differs from Node's scalar module`);
}

test('main thread: both modules load from URLs and match Node exactly', async () => {
  const got = await page.evaluate(async () => {
    const { Shelf, simdSupported } = await import('/src/index.js');
    const { runScenario } = await import('/test/browser/scenario.mjs');
    return {
      simdSupported: simdSupported(),
      simd: await runScenario(Shelf, { model: '/model.shelf', simd: true }),
      scalar: await runScenario(Shelf, { model: '/model.shelf', simd: false }),
      auto: (await Shelf.load({ model: '/model.shelf' })).simd,
    };
  });
  assert.equal(got.simdSupported, true);
  assert.equal(got.auto, true, "'auto' picks SIMD128 in Chromium");
  const want = await expected();
  assert.equal(got.simd.simd, true);
  assert.equal(got.scalar.simd, false);
  assert.deepEqual(got.simd, want.simd);
  assert.deepEqual(got.scalar, want.scalar);
  matchesScalar(got.simd, want.scalar, 'main thread');
  assert.deepEqual(page.problems, []);
});

test('main thread: localStorage keeps the session across a reload, only with consent', async () => {
  const before = await page.evaluate(async () => {
    const { Shelf, localStorageStore } = await import('/src/index.js');
    localStorage.clear();
    const shelf = await Shelf.load({ model: '/model.shelf' });
    const store = localStorageStore();
    const noConsent = shelf.session({ store });
    const ids = noConsent.recommend({ k: 3 }).map((r) => r.id);
    const trackedWithout = noConsent.track('view', ids[0]);
    const storedWithout = localStorage.length;
    const s = shelf.session({ consent: true, store });
    ids.forEach((id) => s.track('view', id));
    return { trackedWithout, storedWithout, stored: localStorage.getItem('shelf-session'), recs: s.recommend({ k: 5 }) };
  });
  assert.equal(before.trackedWithout, false);
  assert.equal(before.storedWithout, 0);
  assert.match(before.stored, /^[A-Za-z0-9_-]+$/);

  await page.reload();
  const afterReload = await page.evaluate(async () => {
    const { Shelf, localStorageStore } = await import('/src/index.js');
    const shelf = await Shelf.load({ model: '/model.shelf' });
    const s = shelf.session({ consent: true, store: localStorageStore() });
    const result = { events: s.eventCount, recs: s.recommend({ k: 5 }) };
    s.forget();
    return { ...result, storedAfterForget: localStorage.getItem('shelf-session') };
  });
  assert.equal(afterReload.events, 3);
  assert.deepEqual(afterReload.recs, before.recs);
  assert.equal(afterReload.storedAfterForget, null);
  assert.deepEqual(page.problems, []);
});

test('Web Worker: same results, and IndexedDB keeps the session', async () => {
  const got = await page.evaluate(
    () =>
      new Promise((resolve) => {
        const worker = new Worker('/test/browser/worker.mjs', { type: 'module' });
        worker.onmessage = ({ data }) => {
          worker.terminate();
          resolve(data);
        };
        worker.onerror = (event) => resolve({ error: event.message ?? 'worker error' });
        worker.postMessage({ model: '/model.shelf' });
      }),
  );
  assert.equal(got.error, undefined, got.error);
  assert.equal(got.simdSupported, true);
  const want = await expected();
  assert.deepEqual(got.simd, want.simd);
  assert.deepEqual(got.scalar, want.scalar);
  matchesScalar(got.simd, want.scalar, 'Web Worker');
  assert.equal(got.restored, 2);
  assert.equal(got.afterForget, 0);
  assert.deepEqual(page.problems, []);
});

test("a Content-Security-Policy without 'wasm-unsafe-eval' is a ShelfError that names the fix", async () => {
  const load = (on) => on.evaluate(async () => {
    const { Shelf } = await import('/src/index.js');
    try {
      const shelf = await Shelf.load({ model: '/model.shelf' });
      return { items: shelf.itemCount };
    } catch (error) {
      return { name: error.name, code: error.code, message: error.message, cause: error.cause?.name };
    }
  });
  const strict = await openPage(browser);
  try {
    await strict.goto(`${server.url}/csp/strict.html`);
    const refused = await load(strict);
    assert.equal(refused.name, 'ShelfError', JSON.stringify(refused));
    assert.equal(refused.code, 'SHELF_E_IO');
    assert.match(refused.message, /Content-Security-Policy/);
    assert.match(refused.message, /'wasm-unsafe-eval'/);
    assert.equal(refused.cause, 'CompileError');
    // The fix it names works.
    await strict.goto(`${server.url}/csp/wasm.html`);
    const allowed = await load(strict);
    assert.ok(allowed.items > 0, JSON.stringify(allowed));
  } finally {
    await strict.close();
  }
});
