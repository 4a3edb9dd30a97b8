// The peer benchmark's engines (scripts/peers/engines.mjs) do the same scoring: on a
// tiny problem (300 items, 16 dimensions) Shelf, onnxruntime-web (float32 and int8)
// and TensorFlow.js' wasm backend return the same top 20 for every query, and Shelf's
// scores are the int8 dot products of the rows quantized as the peers get them.
// No timing here: `npm run bench:peers` measures.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';

import { repoRoot } from '../scripts/artifacts.mjs';
import { agreement, buildShelfModel, makeProblem, npyBytes, ortEngine, shelfEngine, tfjsEngine } from '../scripts/peers/engines.mjs';

const N = 300;
const D = 16;
const K = 20;

test('the .npy header is version 1.0, padded to 64 bytes, ending in a newline', () => {
  const bytes = npyBytes(new Float32Array(6), 2, 3);
  const headerLength = bytes[8] | (bytes[9] << 8);
  assert.deepEqual([...bytes.subarray(0, 8)], [0x93, 78, 85, 77, 80, 89, 1, 0]);
  assert.equal((10 + headerLength) % 64, 0);
  const header = new TextDecoder().decode(bytes.subarray(10, 10 + headerLength));
  assert.match(header, /^\{'descr': '<f4', 'fortran_order': False, 'shape': \(2, 3\), \} *\n$/);
  assert.equal(bytes.length, 10 + headerLength + 6 * 4);
});

test('Shelf, onnxruntime-web and TF.js agree on the top 20', async () => {
  const problem = makeProblem(N, D, 3);
  const model = buildShelfModel(problem, join(repoRoot, 'build', 'web-test'), `peers-${N}x${D}`);
  const engines = [
    await shelfEngine(problem, model, K),
    await ortEngine(problem, K, 'f32'),
    await ortEngine(problem, K, 'int8'),
    await tfjsEngine(problem, K),
  ];
  try {
    for (const i of [0, 1, 42, 150, 299]) {
      const tops = [];
      for (const engine of engines) {
        engine.prepare(i);
        tops.push(await engine.run(i));
      }
      assert.equal(tops[0].length, K);
      assert.equal(tops[0][0], problem.ids[i], 'an item is its own nearest neighbour here');
      for (let e = 1; e < engines.length; e++) {
        assert.equal(tops[e].length, K, engines[e].name);
        const a = agreement(problem, i, tops[0], tops[e]);
        assert.ok(a.sameSet || a.tied, `${engines[e].name}, query ${i}: ${tops[e]} vs Shelf's ${tops[0]}`);
      }

      // Shelf's scores: scale_j * scale_i * (int8 dot), in float32.
      engines[0].prepare(i);
      for (const r of engines[0].results()) {
        const exact = problem.exactScore(i, problem.ids.indexOf(r.id)) * problem.scales[i];
        assert.ok(Math.abs(r.score - exact) <= 1e-5 * Math.abs(exact), `${r.id}: ${r.score} vs ${exact}`);
        // The query item is the session's: it says so, the others are similar to it.
        assert.equal(r.reason, r.id === problem.ids[i] ? 'seen_before' : 'similar');
      }
    }
  } finally {
    for (const engine of engines) await engine.dispose();
  }
});
