// Shelf's recommend() against onnxruntime-web and TensorFlow.js (wasm backend) doing
// the same scoring, in one Node process and one run: one session query vector
// against all N item rows (D = 64), then the top 20. p50 / p99 per engine, the
// ratio peer / Shelf, whether each peer's top 20 is Shelf's, and the bytes each
// engine ships to a browser.
//
//   node scripts/bench-peers.mjs [--sizes 43097,100000[,1000000]] [--calls N]
//                                                          (npm run bench:peers)
//
// The engines and how each is fed Shelf's numbers: scripts/peers/engines.mjs.
// Rows: N x 64 random float32 vectors (seeded), written as a .npy and made into an
// embeddings-only model by `build/shelf quantize --npy` (in build/bench-peers/).
// Each call asks for the neighbours of one item (Shelf: one 'view' of it, then
// recommend({ k: 20, keepBought: true, scorers: ['embedding'] }); the peers: its
// vector as the query). The first 200 queries check agreement and warm up; then
// three rounds, each engine in turn (the order rotating) for a third of the calls,
// so drift on a shared machine reaches every engine alike.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';

import { pageModules, repoRoot, requireWasm, webRoot } from './artifacts.mjs';
import {
  agreement, buildShelfModel, makeProblem, ortEngine, shelfEngine, tfjsEngine,
} from './peers/engines.mjs';

const D = 64;
const K = 20;
const CHECKED = 200; // queries whose top 20 are compared (and that warm the engines up)
const ROUNDS = 3;

const args = process.argv.slice(2);
const option = (name) => {
  const at = args.indexOf(name);
  return at === -1 ? undefined : args[at + 1];
};
const sizes = (option('--sizes') ?? '43097,100000').split(',').map(Number);
const callsFor = (n) => Number(option('--calls') ?? (n >= 500000 ? 150 : 1500));

// Which .wasm files the engines really load: every module compiled in this process,
// by its size, matched against the candidates shipped in web/dist and node_modules.
const compiledSizes = [];
for (const name of ['instantiate', 'compile']) {
  const original = WebAssembly[name];
  WebAssembly[name] = function (source, ...rest) {
    if (source?.byteLength !== undefined) compiledSizes.push(source.byteLength);
    return original.call(this, source, ...rest);
  };
}

const modules = join(webRoot, 'node_modules');
const versionOf = (pkg) => JSON.parse(readFileSync(join(modules, pkg, 'package.json'), 'utf8')).version;
const wasmCandidates = [
  ...Object.values(requireWasm()),
  ...['onnxruntime-web/dist', '@tensorflow/tfjs-backend-wasm/dist'].flatMap((dir) =>
    readdirSync(join(modules, dir)).filter((f) => f.endsWith('.wasm')).map((f) => join(modules, dir, f))),
];

function percentile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * q))];
}

/** A seeded sequence of query items, distinct while count <= n. */
function queryItems(n, count) {
  const step = 7919; // a prime that divides none of the sizes: a permutation of 0..n-1
  return Array.from({ length: count }, (_, c) => (c * step + 12345) % n);
}

async function benchSize(n) {
  const problem = makeProblem(n, D, 1);
  const modelPath = buildShelfModel(problem, join(repoRoot, 'build', 'bench-peers'), `random-${n}x${D}`);
  const engines = [
    await shelfEngine(problem, modelPath, K),
    await ortEngine(problem, K, 'f32'),
    await ortEngine(problem, K, 'int8'),
    await tfjsEngine(problem, K),
  ];
  const calls = callsFor(n);
  const queries = queryItems(n, Math.max(calls, CHECKED));

  // Agreement (and warm-up): every engine on the same first queries.
  const agree = engines.map(() => ({ sameSet: 0, tied: 0, sameOrder: 0 }));
  for (const i of queries.slice(0, CHECKED)) {
    const tops = [];
    for (const e of engines) {
      e.prepare(i);
      tops.push(await e.run(i));
    }
    tops.forEach((top, e) => {
      const a = agreement(problem, i, tops[0], top);
      agree[e].sameSet += a.sameSet;
      agree[e].tied += a.tied;
      agree[e].sameOrder += a.sameOrder;
    });
  }

  const times = engines.map(() => []);
  const perRound = Math.ceil(calls / ROUNDS);
  for (let round = 0; round < ROUNDS; round++) {
    const slice = queries.slice(round * perRound, Math.min(calls, (round + 1) * perRound));
    for (let e0 = 0; e0 < engines.length; e0++) {
      const e = (e0 + round) % engines.length;
      const engine = engines[e];
      for (const i of slice) {
        engine.prepare(i);
        const start = performance.now();
        await engine.run(i);
        times[e].push((performance.now() - start) * 1000);
      }
    }
  }
  const rows = engines.map((engine, e) => {
    const sorted = times[e].sort((a, b) => a - b);
    return { engine, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), calls: sorted.length, agree: agree[e] };
  });
  for (const e of engines) await e.dispose();
  return rows;
}

const kb = (bytes) => (bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(2)} MB` : `${(bytes / 1024).toFixed(1)} KB`);
const fileSize = (path) => {
  const bytes = readFileSync(path);
  return { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
};

console.log(`Same process, same run; D = ${D}, top ${K}; engines: Shelf (shelf-recs, wasm SIMD), ` +
  `onnxruntime-web ${versionOf('onnxruntime-web')}, TensorFlow.js ${versionOf('@tensorflow/tfjs-core')} ` +
  `+ tfjs-backend-wasm ${versionOf('@tensorflow/tfjs-backend-wasm')}; Node ${process.versions.node}.\n`);
console.log('| items | engine | calls | p50 µs | p99 µs | p50 / Shelf | p99 / Shelf | top 20 vs Shelf |');
console.log('|---:|---|---:|---:|---:|---:|---:|---|');
let details;
for (const n of sizes) {
  const rows = await benchSize(n);
  details = rows.map((r) => `- ${r.engine.name}: ${r.engine.detail}`);
  const shelf = rows[0];
  for (const r of rows) {
    const a = r.agree;
    const agreed = r === shelf
      ? '(reference)'
      : `${a.sameSet}/${CHECKED} same set` + (a.tied ? `, ${a.tied} differ only by ties` : '') + `; ${a.sameOrder} same order`;
    console.log(`| ${n} | ${r.engine.name} | ${r.calls} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ` +
      `${(r.p50 / shelf.p50).toFixed(2)} | ${(r.p99 / shelf.p99).toFixed(2)} | ${agreed} |`);
  }
}
console.log('\nEngines:');
console.log(details.join('\n'));
const loaded = [...new Set(compiledSizes)].map((size) => {
  const match = wasmCandidates.filter((f) => statSync(f).size === size).map((f) => f.slice(f.lastIndexOf('/') + 1));
  return match.length ? match.join(' or ') : `an unknown module of ${size} bytes`;
});
console.log(`- .wasm modules compiled in this process: ${loaded.join(', ')}`);

// What a page loads for each engine (each file gzipped alone at level 9, as a server
// sends it). Shelf: as scripts/sizes.mjs counts it.
const shelfJs = pageModules();
const ortDist = join(modules, 'onnxruntime-web', 'dist');
const tfCore = join(modules, '@tensorflow', 'tfjs-core', 'dist');
const tfWasm = join(modules, '@tensorflow', 'tfjs-backend-wasm', 'dist');
const pages = [
  ['Shelf', [[requireWasm().simd], ['dist/shelf-simd.wasm']], [shelfJs, [`src/index.js and its ${shelfJs.length - 1} imports, unminified`]]],
  [`onnxruntime-web ${versionOf('onnxruntime-web')} (wasm only)`,
    [[join(ortDist, 'ort-wasm-simd-threaded.wasm')], ['ort-wasm-simd-threaded.wasm']],
    [[join(ortDist, 'ort.wasm.min.mjs'), join(ortDist, 'ort-wasm-simd-threaded.mjs')], ['ort.wasm.min.mjs + ort-wasm-simd-threaded.mjs']]],
  [`onnxruntime-web ${versionOf('onnxruntime-web')} (wasm only, bundled glue)`,
    [[join(ortDist, 'ort-wasm-simd-threaded.wasm')], ['ort-wasm-simd-threaded.wasm']],
    [[join(ortDist, 'ort.wasm.bundle.min.mjs')], ['ort.wasm.bundle.min.mjs']]],
  [`TF.js ${versionOf('@tensorflow/tfjs-core')} wasm backend`,
    [[join(tfWasm, 'tfjs-backend-wasm-simd.wasm')], ['tfjs-backend-wasm-simd.wasm']],
    [[join(tfCore, 'tf-core.min.js'), join(tfWasm, 'tf-backend-wasm.min.js')], ['tf-core.min.js + tf-backend-wasm.min.js']]],
];
const sum = (files) => files.map(fileSize).reduce((a, b) => ({ raw: a.raw + b.raw, gzip: a.gzip + b.gzip }), { raw: 0, gzip: 0 });
console.log('\n| engine | .wasm | raw | gzip -9 | JavaScript | raw | gzip -9 | page total raw | page total gzip | gzip / Shelf |');
console.log('|---|---|---:|---:|---|---:|---:|---:|---:|---:|');
let shelfGzip;
for (const [name, [wasmFiles, [wasmLabel]], [jsFiles, [jsLabel]]] of pages) {
  const w = sum(wasmFiles);
  const j = sum(jsFiles);
  const total = { raw: w.raw + j.raw, gzip: w.gzip + j.gzip };
  shelfGzip ??= total.gzip;
  console.log(`| ${name} | ${wasmLabel} | ${kb(w.raw)} | ${kb(w.gzip)} | ${jsLabel} | ${kb(j.raw)} | ${kb(j.gzip)} | ` +
    `${kb(total.raw)} | ${kb(total.gzip)} | ${(total.gzip / shelfGzip).toFixed(1)} |`);
}
