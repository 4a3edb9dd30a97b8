// Same results everywhere: fixed models and fixed sessions give identical items,
// reasons and float32 scores natively (build/shelf recommend --json, and related
// --json for one item), in wasm SIMD128 and in wasm scalar.
//
// Sessions are real ones: Diginetica shopping sessions (views and purchases) for
// the demo model, and test prefixes of the standard split for the second model,
// plus one synthetic session with every event type, fractional times and dwell.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { Shelf } from '../src/index.js';
import { cli, dataRoot, demoEvents, ensureDemoModel, ensureSessionsModel, requireFile } from '../scripts/artifacts.mjs';

const T0 = 1700000000;

/** The request variants every session is asked with; the CLI's flags beside. */
const requests = [
  { options: { k: 20 }, flags: ['--k', '20'] },
  { options: { k: 10, excludeSeen: true }, flags: ['--k', '10', '--exclude-seen'] },
  { options: { k: 15, perCategory: 2 }, flags: ['--k', '15', '--per-category', '2'] },
  { options: { k: 5, keepBought: true }, flags: ['--k', '5', '--keep-bought'] },
];

/** The same for related items of one item (shelf related --item ID). */
const relatedRequests = [
  { options: { k: 12 }, flags: ['--k', '12'] },
  { options: { k: 8, perCategory: 1 }, flags: ['--k', '8', '--per-category', '1'] },
];

/** Diginetica sessions of the raw log (views and purchases), with their times. */
function demoSessions(count) {
  const lines = readFileSync(demoEvents, 'utf8').trim().split('\n').slice(1);
  const bySession = new Map();
  for (const line of lines) {
    const [session, , timeframe, , event, item] = line.split(';');
    if (!bySession.has(session)) bySession.set(session, []);
    bySession.get(session).push({ type: event, item, ts: T0 + Number(timeframe) / 1000 });
  }
  const sessions = [...bySession.values()].filter((events) => events.length >= 3);
  // Spread over the file, including sessions that end in purchases.
  const step = Math.floor(sessions.length / count);
  return Array.from({ length: count }, (_, i) => sessions[i * step]);
}

/** Prefixes of the standard test split: item ids in click order. */
function testPrefixes(shelf, count) {
  const lines = readFileSync(requireFile(join(dataRoot, 'diginetica', 'test_prefix_label.tsv')), 'utf8').split('\n');
  const sessions = [];
  for (const line of lines) {
    const items = line.split('\t')[0].split(' ').filter((id) => id && shelf.has(id));
    if (items.length >= 2) sessions.push(items.map((item, i) => ({ type: 'click', item, ts: T0 + 30 * i })));
    if (sessions.length === count) break;
  }
  return sessions;
}

/** Every event type, fractional seconds, a dwell weight, a repeated item. */
function syntheticSession(ids) {
  const types = ['view', 'click', 'search', 'add_to_cart', 'dwell', 'view', 'purchase', 'click'];
  return types.map((type, i) => ({
    type,
    item: ids[i % 5],
    ts: T0 + i * 13.25 + 0.001,
    ...(type === 'dwell' ? { weight: 17.5 } : {}),
  }));
}

function runNative(model, events, flags) {
  const output = execFileSync(requireFile(cli), ['recommend', '--model', model, '--events', JSON.stringify(events), '--json', ...flags], {
    encoding: 'utf8',
  });
  return JSON.parse(output);
}

function runNativeRelated(model, id, flags) {
  const output = execFileSync(requireFile(cli), ['related', '--model', model, '--item', id, '--json', ...flags], { encoding: 'utf8' });
  return JSON.parse(output);
}

function runWasm(shelf, events, options) {
  const session = shelf.session({ consent: true });
  for (const { type, item, ts, weight } of events) assert.ok(session.track(type, item, { ts, weight }), `${type} ${item}`);
  const results = session.recommend(options);
  session.dispose();
  return results;
}

/** Native JSON prints scores as decimal text; float32-exact only with 9 digits. */
function assertSameAsNative(native, wasm, where) {
  assert.deepEqual(
    wasm.map((r) => [r.id, r.reason, r.because ?? undefined]),
    native.map((r) => [r.item, r.reason, r.because]),
    `${where}: items, reasons or because differ`,
  );
  native.forEach((r, i) => {
    const asFloat32 = Math.fround(r.score);
    assert.ok(
      Object.is(asFloat32, wasm[i].score),
      `${where}: item ${r.item}: native score ${r.score} is float32 ${asFloat32}, wasm's is ${wasm[i].score}` +
        ' (the CLI must print scores with 9 significant digits, %.9g, to round-trip a float32)',
    );
  });
}

for (const [name, ensureModel, sessionsFor, ranked] of [
  ['demo model (catalog; the blend leaves its embeddings out)', ensureDemoModel, () => demoSessions(8), false],
  ['sessions model (no catalog, 16 dims, a learned ranker)', ensureSessionsModel, (shelf) => testPrefixes(shelf, 8), true],
]) {
  test(`${name}: native, wasm SIMD and wasm scalar agree exactly`, async () => {
    const model = ensureModel();
    const bytes = readFileSync(model);
    const simd = await Shelf.load({ model: bytes, simd: true });
    const scalar = await Shelf.load({ model: bytes, simd: false });
    assert.equal(simd.simd, true);
    assert.equal(scalar.simd, false);
    // The ranker's network and features must agree bit for bit too: this model has one.
    if (ranked) assert.ok(simd.metadata.ranker?.hidden > 0, 'the sessions model has no learned ranker');

    const popular = runWasm(simd, [], { k: 5 }).map((r) => r.id);
    const sessions = [...sessionsFor(simd), syntheticSession(popular), []];
    let compared = 0;
    for (const [s, events] of sessions.entries()) {
      for (const { options, flags } of requests) {
        const where = `session ${s}, ${JSON.stringify(options)}`;
        const fromSimd = runWasm(simd, events, options);
        const fromScalar = runWasm(scalar, events, options);
        assert.deepEqual(fromScalar, fromSimd, `${where}: SIMD and scalar differ`);
        fromSimd.forEach((r, i) => assert.ok(Object.is(r.score, fromScalar[i].score)));
        assertSameAsNative(runNative(model, events, flags), fromSimd, where);
        compared += fromSimd.length;
      }
    }
    // Related items of each session's first item: no session at all.
    for (const id of new Set(sessions.filter((events) => events.length).map((events) => events[0].item))) {
      for (const { options, flags } of relatedRequests) {
        const where = `related to ${id}, ${JSON.stringify(options)}`;
        const fromSimd = simd.related(id, options);
        assert.deepEqual(scalar.related(id, options), fromSimd, `${where}: SIMD and scalar differ`);
        assertSameAsNative(runNativeRelated(model, id, flags), fromSimd, where);
        compared += fromSimd.length;
      }
    }
    assert.ok(compared > 400, `only ${compared} results compared`);
    simd.dispose();
    scalar.dispose();
  });
}
