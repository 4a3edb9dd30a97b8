// The same scoring in three engines, for scripts/bench-peers.mjs and
// test/peers.test.mjs: one query vector against all N item rows, then the top k.
//
//   Shelf             an embeddings-only model made by `build/shelf quantize --npy`
//                     from N x D random float32 vectors (int8 codes, a bfloat16 scale
//                     per row); one 'view' of item i, then recommend({ scorers:
//                     ['embedding'] }): the query is item i's vector, quantized to int8
//   onnxruntime-web   its wasm backend, one thread; a graph written by ./onnx.mjs:
//                       f32   MatMul against the dequantized rows, then TopK
//                       int8  MatMulInteger against Shelf's own int8 codes (the query
//                             as uint8 with a zero point of 128: ORT's fast path), times
//                             the row scales and the query scale, then TopK
//   TensorFlow.js     tfjs-core + tfjs-backend-wasm: matMul against the dequantized
//                     rows, held as [D, N] (with [N, D] and transposeB its wasm matMul
//                     measured 4x slower), then topk; its wasm matMul is float32 only
//
// The peers get Shelf's numbers: the rows are quantized here exactly as the CLI does
// (src/model/model_writer.c, float32 arithmetic), so the float32 peers score with
// code * scale, and the int8 one with the codes and scales themselves.
//
// Each engine: { name, detail, prepare(i) (untimed: Shelf's session bookkeeping),
// run(i) -> Promise of the top-k ids, best first (timed: builds the query, scores,
// ranks), dispose() }.

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import * as ort from 'onnxruntime-web';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';

import { Shelf } from '../../src/index.js';
import { cli, requireFile, requireWasm } from '../artifacts.mjs';
import { floatScoringModel, int8ScoringModel } from './onnx.mjs';

/** N x D float32 vectors, standard normal, from a seeded generator (mulberry32 +
 * Box-Muller): the same numbers on every run. */
export function randomVectors(n, d, seed = 1) {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = new Float32Array(n * d);
  for (let i = 0; i < out.length; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - uniform()));
    const a = 2 * Math.PI * uniform();
    out[i] = r * Math.cos(a);
    if (i + 1 < out.length) out[i + 1] = r * Math.sin(a);
  }
  return out;
}

/** A NumPy .npy (version 1.0) of a row-major float32 [n, d] matrix. */
export function npyBytes(rows, n, d) {
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${n}, ${d}), }`;
  const prefix = 10; // magic (6), version (2), header length (2, little-endian)
  const total = Math.ceil((prefix + dict.length + 1) / 64) * 64;
  const header = dict.padEnd(total - prefix - 1, ' ') + '\n';
  const out = new Uint8Array(total + rows.byteLength);
  out.set([0x93, ...new TextEncoder().encode('NUMPY'), 1, 0, header.length & 0xff, header.length >> 8]);
  out.set(new TextEncoder().encode(header), prefix);
  out.set(new Uint8Array(rows.buffer, rows.byteOffset, rows.byteLength), total);
  return out;
}

// lrintf / nearbyintf in the default rounding mode: to nearest, ties to even.
function roundHalfEven(x) {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** The smallest bfloat16 (the high 16 bits of a float32) at least `target` >= 0. */
function bf16AtLeast(target) {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, target, true);
  let high = view.getUint32(0, true) >>> 16;
  view.setUint32(0, high << 16, true);
  if (view.getFloat32(0, true) < target) view.setUint32(0, ++high << 16, true);
  return view.getFloat32(0, true);
}

/** The CLI's int8 quantization, in float32 arithmetic: scale = the smallest bfloat16
 * >= row max |x| / 127 (models/FORMAT.md), code = lrintf(x / scale) clamped to
 * [-127, 127]. Also the dequantized rows. */
export function quantizeRows(rows, n, d) {
  const f = Math.fround;
  const codes = new Int8Array(n * d);
  const scales = new Float32Array(n);
  const dequantized = new Float32Array(n * d);
  for (let r = 0; r < n; r++) {
    let max = 0;
    for (let j = 0; j < d; j++) max = Math.max(max, Math.abs(rows[r * d + j]));
    const scale = bf16AtLeast(f(max / 127));
    scales[r] = scale;
    for (let j = 0; j < d; j++) {
      let code = 0;
      if (scale > 0) {
        const q = f(rows[r * d + j] / scale);
        code = !(q < 127) ? 127 : !(q > -127) ? -127 : roundHalfEven(q);
      }
      codes[r * d + j] = code;
      dequantized[r * d + j] = code * scale; // rounded to float32 by the store
    }
  }
  return { codes, scales, dequantized };
}

/** The problem: vectors, their quantization, the ids, and an exact reference score. */
export function makeProblem(n, d, seed = 1) {
  const rows = randomVectors(n, d, seed);
  const { codes, scales, dequantized } = quantizeRows(rows, n, d);
  const ids = Array.from({ length: n }, (_, i) => `item-${i}`);
  /** Item j's score for the query item i, exactly (in doubles): scale_j * int8 dot;
   * the query's own scale is the same for every j and left out. */
  const exactScore = (i, j) => {
    let dot = 0;
    for (let t = 0; t < d; t++) dot += codes[i * d + t] * codes[j * d + t];
    return scales[j] * dot;
  };
  return { n, d, rows, codes, scales, dequantized, ids, exactScore };
}

/** Writes the .npy and the ids, runs `shelf quantize`, returns the model's path. */
export function buildShelfModel(problem, dir, name) {
  requireFile(cli);
  mkdirSync(dir, { recursive: true });
  const npy = join(dir, `${name}.npy`);
  const idsFile = join(dir, `${name}.ids.txt`);
  const model = join(dir, `${name}.shelf`);
  writeFileSync(npy, npyBytes(problem.rows, problem.n, problem.d));
  writeFileSync(idsFile, problem.ids.join('\n') + '\n');
  execFileSync(cli, ['quantize', '--npy', npy, '--ids', idsFile, '--out', model, '--name', name], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return model;
}

/** Shelf through its npm API, the SIMD128 module. */
export async function shelfEngine(problem, modelPath, k) {
  const shelf = await Shelf.load({ model: readFileSync(modelPath), wasm: readFileSync(requireWasm().simd), simd: true });
  const session = shelf.session({ consent: true });
  const options = { k, keepBought: true, scorers: ['embedding'] };
  return {
    name: 'Shelf',
    detail: 'wasm SIMD128, int8 rows + bfloat16 row scales, the query quantized at its own scale, 1 thread',
    prepare(i) {
      session.forget();
      session.track('view', problem.ids[i]);
    },
    async run() {
      return session.recommend(options).map((r) => r.id);
    },
    /** The full results, for the test's score check. */
    results: () => session.recommend(options),
    dispose() {
      session.dispose();
      shelf.dispose();
    },
  };
}

let ortConfigured = false;
function configureOrt() {
  if (ortConfigured) return;
  ort.env.wasm.numThreads = 1; // like Shelf and TF.js here: one thread, no workers
  ort.env.wasm.proxy = false;
  ortConfigured = true;
}

/** onnxruntime-web's wasm backend; `variant` 'f32' or 'int8'. */
export async function ortEngine(problem, k, variant) {
  configureOrt();
  const { n, d, dequantized, codes, scales, ids } = problem;
  const bytes = variant === 'int8' ? int8ScoringModel(codes, scales, n, d, k) : floatScoringModel(dequantized, n, d, k);
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  const topIds = (out) => Array.from(out.indices.data, (j) => ids[Number(j)]);
  const run =
    variant === 'int8'
      ? async (i) => {
        const query = new ort.Tensor('uint8', Uint8Array.from(codes.subarray(i * d, (i + 1) * d), (c) => c + 128), [1, d]);
        const queryScale = new ort.Tensor('float32', Float32Array.of(scales[i]), [1]);
        return topIds(await session.run({ query, query_scale: queryScale }));
      }
      : async (i) => {
        const query = new ort.Tensor('float32', dequantized.slice(i * d, (i + 1) * d), [1, d]);
        return topIds(await session.run({ query }));
      };
  return {
    name: `onnxruntime-web ${variant}`,
    detail:
      variant === 'int8'
        ? 'wasm (SIMD build), MatMulInteger uint8 (code + 128, zero point 128) x int8 -> int32, Cast, Mul by scales, TopK; 1 thread'
        : 'wasm (SIMD build), MatMul float32, TopK; 1 thread',
    prepare() {},
    run,
    dispose: () => session.release(),
  };
}

/** TensorFlow.js on its wasm backend: float32 matMul against the rows as [D, N], topk. */
export async function tfjsEngine(problem, k) {
  if (tf.getBackend() !== 'wasm' && !(await tf.setBackend('wasm'))) throw new Error('TF.js: the wasm backend did not start');
  await tf.ready();
  const { n, d, dequantized, ids } = problem;
  const items = tf.tidy(() => tf.transpose(tf.tensor2d(dequantized, [n, d])));
  const env = tf.env();
  return {
    name: 'TF.js wasm f32',
    detail: `backend ${tf.getBackend()} (SIMD ${env.getBool('WASM_HAS_SIMD_SUPPORT') ? 'yes' : 'no'}, ` +
      `threads ${env.getBool('WASM_HAS_MULTITHREAD_SUPPORT') ? 'yes' : 'no'}), matMul float32 [1, D] x [D, N], topk`,
    prepare() {},
    async run(i) {
      const indices = tf.tidy(() => {
        const query = tf.tensor2d(dequantized.slice(i * d, (i + 1) * d), [1, d]);
        return tf.topk(tf.matMul(query, items), k).indices;
      });
      const top = indices.dataSync();
      indices.dispose();
      return Array.from(top, (j) => ids[j]);
    },
    dispose: () => items.dispose(),
  };
}

/** Whether a peer's top-k agrees with Shelf's: the same set, or a different one only
 * by items tied (within float error) with Shelf's k-th score. */
export function agreement(problem, queryItem, shelfIds, peerIds) {
  const index = (id) => Number(id.slice('item-'.length));
  const shelfSet = new Set(shelfIds);
  const extra = peerIds.filter((id) => !shelfSet.has(id));
  const sameOrder = shelfIds.length === peerIds.length && shelfIds.every((id, r) => id === peerIds[r]);
  if (extra.length === 0 && shelfIds.length === peerIds.length) return { sameSet: true, tied: false, sameOrder };
  const kth = Math.min(...shelfIds.map((id) => problem.exactScore(queryItem, index(id))));
  const tied = (id) => Math.abs(problem.exactScore(queryItem, index(id)) - kth) <= 1e-5 * Math.abs(kth);
  const peerSet = new Set(peerIds);
  const missing = shelfIds.filter((id) => !peerSet.has(id));
  return { sameSet: false, tied: extra.every(tied) && missing.every(tied), sameOrder };
}
