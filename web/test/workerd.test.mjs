// The package on workerd, Cloudflare's Workers runtime: examples/edge-worker.mjs
// imports both .wasm files as compiled modules and the model as data, keeps the
// session in a cookie, and answers over HTTP on 127.0.0.1, with exactly the
// recommendations Node computes for the same events, and the related items of a
// product page without any session. The model has embeddings,
// and one request asks for them alone, so workerd runs the SIMD128 dot kernel; Node
// runs the scalar module, which no SIMD128 code computes (the two agree exactly).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { Shelf, stateSealer } from '../src/index.js';
import { ensureEmbeddingModel, ensureSessionsModel, webRoot } from '../scripts/artifacts.mjs';
import { startWorkerd } from './helpers/workerd.mjs';

const T0 = 1700000000;
const CONSENT = 'consent=personalization';
const SECRET = 'the site secret of these tests, 32+ characters long';
const PREVIOUS_SECRET = 'the secret before the last rotation, also long';
const model = ensureEmbeddingModel();
let workerd;
let base;
let log = () => '';

before(async () => {
  // The example imports the model as data, under the name "demo.shelf".
  workerd = await startWorkerd({
    worker: join(webRoot, 'examples', 'edge-worker.mjs'), modules: { 'demo.shelf': model },
    bindings: { STATE_SECRET: SECRET, STATE_SECRET_PREVIOUS: PREVIOUS_SECRET },
  });
  ({ base, log } = workerd);
});

after(async () => {
  await workerd?.stop();
});

async function call(method, path, { cookie, body } = {}) {
  const response = await fetch(base + path, {
    method,
    headers: { ...(cookie ? { cookie } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  assert.ok(response.status !== 500, `workerd answered 500: ${text}\n${log()}`);
  return { status: response.status, json: JSON.parse(text), setCookie: response.headers.get('set-cookie'), headers: response.headers };
}

/** What Node's scalar module recommends for the same events. */
async function inNode(events, options) {
  const shelf = await Shelf.load({ model: readFileSync(model), simd: false });
  const session = shelf.session({ consent: true });
  for (const { type, item, ts, weight } of events) session.track(type, item, { ts, weight });
  const recommendations = session.recommend(options);
  shelf.dispose();
  return recommendations;
}

/** What Node's scalar module gives as related items. */
async function relatedInNode(id, options) {
  const shelf = await Shelf.load({ model: readFileSync(model), simd: false });
  const related = shelf.related(id, options);
  shelf.dispose();
  return related;
}

function stateFrom(setCookie) {
  const match = /^shelf=([A-Za-z0-9_-]+);/.exec(setCookie ?? '');
  assert.ok(match, `expected a state cookie, got ${setCookie}`);
  return `shelf=${match[1]}`;
}

test('without consent: popular items, nothing tracked, no cookie', async () => {
  const popular = await call('GET', '/recommendations?k=5');
  assert.equal(popular.status, 200);
  assert.deepEqual(popular.json.recommendations, await inNode([], { k: 5 }));
  assert.equal(popular.setCookie, null);

  const [id] = popular.json.recommendations.map((r) => r.id);
  const posted = await call('POST', '/events', { body: [{ type: 'view', item: id, ts: T0 }] });
  assert.equal(posted.json.tracked, 0);
  assert.equal(posted.setCookie, null);
});

test('with consent: the session lives in a cookie, and the answers are Node\'s exactly', async () => {
  const ids = (await inNode([], { k: 20 })).map((r) => r.id);
  const first = [
    { type: 'view', item: ids[7], ts: T0 },
    { type: 'click', item: ids[9], ts: T0 + 12.5 },
    { type: 'add_to_cart', item: ids[9], ts: T0 + 40 },
  ];
  const one = await call('POST', '/events?k=8&perCategory=2', { cookie: CONSENT, body: first });
  assert.equal(one.json.tracked, 3);
  assert.deepEqual(one.json.recommendations, await inNode(first, { k: 8, perCategory: 2 }));
  const cookie = stateFrom(one.setCookie);
  assert.match(one.setCookie, /HttpOnly; SameSite=Lax/);
  assert.ok(cookie.length < 200, `a ${cookie.length}-byte cookie`);

  // The next request carries the cookie: the edge remembers nothing else.
  const more = [{ type: 'dwell', item: ids[11], ts: T0 + 70, weight: 25 }];
  const two = await call('POST', '/events?k=10', { cookie: `${CONSENT}; ${cookie}`, body: more });
  assert.equal(two.json.tracked, 1);
  assert.deepEqual(two.json.recommendations, await inNode([...first, ...more], { k: 10 }));
  const cookie2 = stateFrom(two.setCookie);

  const three = await call('GET', '/recommendations?k=6&excludeSeen=1', { cookie: `${CONSENT}; ${cookie2}` });
  assert.deepEqual(three.json.recommendations, await inNode([...first, ...more], { k: 6, excludeSeen: true }));
  assert.ok(three.json.recommendations.some((r) => r.reason !== 'popular'));

  // The embedding scorer alone (the blend gives it no weight): the dot kernel. The
  // session's own items, nearest of all, would say so rather than "similar".
  const similar = await call('GET', '/recommendations?k=12&scorers=embedding&excludeSeen=1', { cookie: `${CONSENT}; ${cookie2}` });
  assert.equal(similar.json.recommendations.length, 12);
  assert.ok(similar.json.recommendations.every((r) => r.reason === 'similar'));
  assert.deepEqual(similar.json.recommendations, await inNode([...first, ...more], { k: 12, scorers: ['embedding'], excludeSeen: true }));

  // forget: the cookie is cleared.
  const gone = await call('POST', '/forget', { cookie: `${CONSENT}; ${cookie2}` });
  assert.equal(gone.json.forgotten, true);
  assert.match(gone.setCookie, /^shelf=; .*Max-Age=0/);
});

test('related items for a product page: no cookie read or set, and Node\'s answer exactly', async () => {
  const ids = (await inNode([], { k: 20 })).map((r) => r.id);
  const page = await call('GET', `/related?item=${ids[3]}&k=6&perCategory=2`, { cookie: `${CONSENT}; shelf=not-a-state` });
  assert.equal(page.status, 200);
  assert.equal(page.setCookie, null, 'the session cookie is neither read nor touched');
  assert.equal(page.json.related.length, 6);
  assert.ok(page.json.related.every((r) => r.id !== ids[3]));
  assert.deepEqual(page.json.related, await relatedInNode(ids[3], { k: 6, perCategory: 2 }));
  // The embeddings alone: workerd's SIMD128 dot kernel against Node's scalar one.
  const similar = await call('GET', `/related?item=${ids[3]}&k=10&scorers=embedding`);
  assert.ok(similar.json.related.every((r) => r.reason === 'similar' && r.because === ids[3]));
  assert.deepEqual(similar.json.related, await relatedInNode(ids[3], { k: 10, scorers: ['embedding'] }));
  const unknown = await call('GET', '/related?item=no-such-sku');
  assert.equal(unknown.status, 404);
  assert.equal(unknown.json.error, 'SHELF_E_UNKNOWN_ITEM');
});

test('a cookie from another model is ignored, and a bad event is a 400 with the C status', async () => {
  const other = await Shelf.load({ model: ensureSessionsModel() });
  const foreign = other.session({ consent: true });
  foreign.track('view', other.session().recommend({ k: 1 })[0].id, { ts: T0 });
  const stale = await call('GET', '/recommendations?k=3', { cookie: `${CONSENT}; shelf=${foreign.save()}` });
  assert.deepEqual(stale.json.recommendations, await inNode([], { k: 3 }));
  assert.match(stale.setCookie, /^shelf=; .*Max-Age=0/);

  const bad = await call('POST', '/events', { cookie: CONSENT, body: [{ type: 'stare', item: 'x' }] });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.error, 'SHELF_E_BAD_EVENT');
  const badScorer = await call('GET', '/recommendations?scorers=magic');
  assert.equal(badScorer.status, 400);
  assert.equal(badScorer.json.error, 'SHELF_E_BAD_ARGUMENT');
  assert.equal((await fetch(`${base}/nothing-here`)).status, 404);
});

test('sealed state: forged, flipped, cut, oversized, expired, foreign cookies give an empty session and a named reason; rotation works', async () => {
  const ids = (await inNode([], { k: 20 })).map((r) => r.id);
  const events = [{ type: 'purchase', item: ids[4], ts: T0 }, { type: 'view', item: ids[5], ts: T0 + 5 }];
  const sealedCookie = stateFrom((await call('POST', '/events', { cookie: CONSENT, body: events })).setCookie).slice('shelf='.length);
  // Readable by nobody: it is no saved state, and its bytes hold no item id.
  const shelf = await Shelf.load({ model: readFileSync(model) });
  assert.throws(() => shelf.session({ consent: true }).restore(sealedCookie), { code: 'SHELF_E_BAD_STATE' });
  const remembered = await call('GET', '/recommendations?k=5', { cookie: `${CONSENT}; shelf=${sealedCookie}` });
  assert.equal(remembered.status, 200);
  assert.deepEqual(remembered.json.recommendations, await inNode(events, { k: 5 }));

  const site = new URL(base).host;
  const sealFor = async (options, session) => (await stateSealer(options)).seal(session);
  const node = shelf.session({ consent: true });
  for (const e of events) node.track(e.type, e.item, { ts: e.ts });
  const flipped = sealedCookie.slice(0, 40) + (sealedCookie[40] === 'A' ? 'B' : 'A') + sealedCookie.slice(41);
  const cases = [
    ['a forgery', 'AQ' + 'A'.repeat(120), /unknown key|tampered/],
    ['a bit flipped', flipped, /tampered/],
    ['cut short', sealedCookie.slice(0, sealedCookie.length - 10), /tampered|malformed/],
    ['oversized', 'A'.repeat(100 * 1024), /oversized/],
    ['expired', await sealFor({ secrets: [SECRET], site, now: () => Date.now() / 1000 - 7200 }, node), /expired/],
    ['another site', await sealFor({ secrets: [SECRET], site: 'elsewhere.example' }, node), /unknown key|tampered/],
    ['another secret', await sealFor({ secrets: ['a secret this Worker never had, 32+ characters'], site }, node), /unknown key|tampered/],
    ['an unsealed state', node.save(), /malformed|unknown version|unknown key|tampered/],
  ];
  for (const [what, cookie, problem] of cases) {
    const response = await call('GET', '/recommendations?k=5', { cookie: `${CONSENT}; shelf=${cookie}` });
    assert.equal(response.status, 200, what);
    assert.deepEqual(response.json.recommendations, await inNode([], { k: 5 }), `${what}: the session starts empty`);
    assert.match(response.headers.get('x-shelf-state') ?? '', problem, what);
    assert.match(response.setCookie ?? '', /^shelf=; .*Max-Age=0/, `${what}: the cookie is cleared`);
  }
  // A rotation: a cookie sealed with the previous secret still opens.
  const rotated = await sealFor({ secrets: [PREVIOUS_SECRET], site }, node);
  const kept = await call('GET', '/recommendations?k=5', { cookie: `${CONSENT}; shelf=${rotated}` });
  assert.equal(kept.headers.get('x-shelf-state'), null);
  assert.deepEqual(kept.json.recommendations, await inNode(events, { k: 5 }));
});

test('hostile event bodies are a 400 that says what is wrong, never a 500', async () => {
  const bodies = [
    ['not json', /not JSON/],
    ['[null]', /event 0 is not an object/],
    ['[{"type":"view","item":{"toString":1}}]', /event 0: "item" must be an id/],
    ['[{"type":"view","item":"x","ts":null}]', /"ts" must be a number/],
    ['{"type":"view"}', /expected an array/],
    [JSON.stringify(Array.from({ length: 65 }, () => ({ type: 'view', item: 'x' }))), /more than 64 events/],
    ['[' + '"x",'.repeat(30000) + '"x"]', /over 16384 bytes/],
  ];
  for (const [body, message] of bodies) {
    const response = await fetch(`${base}/events`, { method: 'POST', headers: { cookie: CONSENT }, body });
    const text = await response.text();
    assert.equal(response.status, 400, `${body.slice(0, 60)}: ${text}\n${log()}`);
    assert.match(JSON.parse(text).message, message, body.slice(0, 60));
  }
});

test('a Worker that forgets the wasm option gets a ShelfError saying what to pass', async (t) => {
  const forgetful = await startWorkerd({ worker: join(webRoot, 'test', 'workerd', 'no-wasm-worker.mjs'), modules: { 'demo.shelf': model } });
  t.after(() => forgetful.stop());
  const failure = await (await fetch(forgetful.base + '/')).json();
  assert.equal(failure.name, 'ShelfError', JSON.stringify(failure));
  assert.equal(failure.code, 'SHELF_E_NULL_ARGUMENT');
  assert.match(failure.message, /wasm: \{ simd, scalar \}/);
  assert.match(failure.message, /import simd from 'shelf-recs\/shelf-simd\.wasm'/);
});
