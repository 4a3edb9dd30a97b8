// recommend() latency in Node's V8, through the wasm SIMD and the wasm scalar
// builds, in one process and one run: p50 / p99 over replayed real sessions of the
// standard Diginetica test file (3,000 sessions, after a warm-up round), with the
// model's learned ranker and without.
//
//   node scripts/bench.mjs [MODEL ...]     (npm run bench)
//
// Default models, both over the 43,097 Diginetica items: build/quality/int8.shelf
// (the default training; tools/quality_table.sh makes it) and build/bench/diginetica.shelf
// (every scorer on, embeddings included; tools/bench_recommend.sh makes it).

import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { join, relative } from 'node:path';

import { Shelf } from '../src/index.js';
import { dataRoot, repoRoot, requireFile, requireWasm } from './artifacts.mjs';

const wasm = requireWasm();
const models = process.argv.slice(2);
if (models.length === 0) {
  models.push(requireFile(join(repoRoot, 'build', 'quality', 'int8.shelf'), 'run tools/quality_table.sh'));
  models.push(requireFile(join(repoRoot, 'build', 'bench', 'diginetica.shelf'), 'run tools/bench_recommend.sh'));
}
// Sessions: the prefixes of the test file (item ids of the Diginetica split).
const cases = readFileSync(join(dataRoot, 'diginetica', 'test_prefix_label.tsv'), 'utf8')
  .split('\n').filter(Boolean).slice(0, 3000).map((line) => line.split('\t')[0].split(' '));

function percentile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * q))];
}

async function measure(modelPath, flavour, ranker) {
  const model = readFileSync(modelPath);
  const shelf = await Shelf.load({ model, wasm: readFileSync(wasm[flavour]), simd: flavour === 'simd' });
  const times = [];
  for (let round = 0; round < 2; round++) { // the first round warms the JIT up
    for (const prefix of cases) {
      const session = shelf.session({ consent: true });
      let t = 1700000000;
      for (const id of prefix) session.track('view', id, { ts: t++ }); // ids the model lacks are skipped
      const start = performance.now();
      session.recommend({ k: 20, keepBought: true, ranker });
      const elapsed = performance.now() - start;
      if (round === 1) times.push(elapsed * 1000);
      session.dispose();
    }
  }
  shelf.dispose();
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 0.5), p99: percentile(times, 0.99) };
}

// Each model with its learned ranker and without (`ranker: false`, the blend's
// order), interleaved in this one process: what the ranker costs is their ratio.
console.log('| model | items | ranker | wasm SIMD p50 / p99 µs | wasm scalar p50 / p99 µs | scalar / SIMD (p50) |');
console.log('|---|---:|---|---|---|---:|');
for (const path of models) {
  const probe = await Shelf.load({ model: readFileSync(path), wasm: readFileSync(wasm.simd) });
  const items = probe.itemCount;
  probe.dispose();
  const rows = {};
  for (const ranker of [true, false]) {
    rows[ranker] = { simd: await measure(path, 'simd', ranker), scalar: await measure(path, 'scalar', ranker) };
  }
  for (const ranker of [true, false]) {
    const { simd, scalar } = rows[ranker];
    console.log(`| ${relative(repoRoot, path)} | ${items} | ${ranker ? 'on' : 'off'} | ${simd.p50.toFixed(1)} / ${simd.p99.toFixed(1)} | ` +
      `${scalar.p50.toFixed(1)} / ${scalar.p99.toFixed(1)} | ${(scalar.p50 / simd.p50).toFixed(2)} |`);
  }
  console.log(`| ${relative(repoRoot, path)}: ranker on / off (SIMD p50) | | | ${(rows.true.simd.p50 / rows.false.simd.p50).toFixed(2)} | | |`);
}
