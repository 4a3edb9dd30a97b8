// What a big model costs in memory: a synthetic Diginetica-shaped catalog
// (tools/synth_sessions.py) is trained once, then streamed into Shelf from a local
// HTTP server on 127.0.0.1 (or read from its path), a few sessions of it are
// recommended, and the figures are printed: file size and bytes per item, wasm
// memory after the open and after recommend(), the process's peak RSS, JS heap and
// ArrayBuffers, and the open time (median of the runs, each in a fresh process).
//
//   node scripts/large-model.mjs                      1,000,000 items, the fast recipe
//   node scripts/large-model.mjs --items 100000       the CI short mode's catalog
//   node scripts/large-model.mjs --recipe default     the trainer's defaults (about 23 min to train at 1M)
//   node scripts/large-model.mjs --source file        read the path instead of HTTP
//   node scripts/large-model.mjs --runs 5 --json
//
// test/large-model.test.mjs asserts the promise behind the figures (memoryBound).

import { execFile } from 'node:child_process';
import { createReadStream, openSync, readSync, closeSync, readFileSync, statSync, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';

import { Shelf } from '../src/index.js';
import { ensureLargeModel, requireWasm } from './artifacts.mjs';

const MiB = 1024 * 1024;

/**
 * The most wasm memory a model may take, open and after one session's
 * recommend(): its file (borrowed in place, never copied: shelf.h, Ownership),
 * what the open builds (shelf.h, Memory: at most 36 bytes per item), the session's
 * scratch (2 floats per item, 8 bytes), and 2 MiB: the 1 MiB the module starts
 * with (stack, static data) and 1 MiB for the small blocks (metadata, names,
 * results), allocator headers and rounding up to 64 KiB pages. A second copy of
 * the file, anywhere in wasm memory, does not fit.
 */
export function memoryBound(fileSize, items) {
  return fileSize + (36 + 8) * items + 2 * MiB;
}

/** Serves one file on 127.0.0.1, chunked, without Content-Length (the loader takes
 * the size from the model's header). Resolves to { url, close() }. */
export function serveFile(path) {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    createReadStream(path).pipe(res);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({
      url: `http://127.0.0.1:${server.address().port}/${path.split('/').at(-1)}`,
      close: () => new Promise((done) => { server.close(done); server.closeAllConnections(); }),
    }));
  });
}

/** The newest `count` sessions of a sessions file (its last lines): what the
 * harness and the tests recommend for. */
export function lastSessions(path, count = 5) {
  const size = statSync(path).size;
  const tail = Buffer.alloc(Math.min(size, 64 * 1024));
  const fd = openSync(path, 'r');
  try {
    readSync(fd, tail, 0, tail.length, size - tail.length);
  } finally {
    closeSync(fd);
  }
  const lines = tail.toString('utf8').split('\n').filter(Boolean);
  return lines.slice(1).slice(-count).map((line) => line.split(' ')); // the first may be cut
}

// With `gc`, it runs every GC_EVERY bytes of progress: ArrayBuffers measured just
// after it are what JS still holds, plus what it collected too late to count (the
// chunks of the last GC_EVERY bytes or so: measured, 3 MiB when it ran at every MiB,
// 0.8 MiB at every 128 KiB).
const GC_EVERY = 128 * 1024;

/**
 * Loads a model once and measures it. `gc` (a function) is called every GC_EVERY
 * bytes, so that `liveArrayBuffers` is what JS holds of the file as it streams,
 * not the chunks that wait for the collector.
 */
export async function measureLoad({ model, sessions, gc = null, wasm, simd }) {
  const at = () => process.memoryUsage();
  const before = at();
  const peak = { heapUsed: before.heapUsed, arrayBuffers: before.arrayBuffers, liveArrayBuffers: before.arrayBuffers, rss: before.rss };
  let nextGc = 0;
  let lastByte = 0;
  let total = 0;
  const sample = () => {
    const m = at();
    peak.heapUsed = Math.max(peak.heapUsed, m.heapUsed);
    peak.arrayBuffers = Math.max(peak.arrayBuffers, m.arrayBuffers);
    peak.rss = Math.max(peak.rss, m.rss);
  };
  const onProgress = (loaded, size) => {
    total = size;
    lastByte = performance.now();
    sample();
    if (gc && loaded >= nextGc) {
      gc();
      peak.liveArrayBuffers = Math.max(peak.liveArrayBuffers, at().arrayBuffers);
      nextGc = loaded + GC_EVERY;
    }
  };
  const start = performance.now();
  const shelf = await Shelf.load({ model, onProgress, wasm, simd });
  const opened = performance.now();
  const memory = () => shelf.binding.wasm.memory.buffer.byteLength;
  const afterOpen = memory();
  sample();

  const recommendMs = [];
  const recommendations = [];
  for (const ids of sessions) {
    const session = shelf.session({ consent: true });
    let ts = 1700000000;
    for (const id of ids) session.track('view', id, { ts: ts++ });
    const t = performance.now();
    recommendations.push(session.recommend({ k: 10 }));
    recommendMs.push(performance.now() - t);
    session.dispose(); // each session frees its scratch: the next one reuses it
  }
  const afterRecommend = memory();
  sample();
  if (gc) gc();
  const after = at();
  const result = {
    fileSize: total,
    items: shelf.itemCount,
    bytesPerItem: total / shelf.itemCount,
    simd: shelf.simd,
    openMs: opened - start,
    streamMs: lastByte - start, // until the last byte was in wasm memory; the rest is C's validation
    recommendMs,
    wasmAfterOpen: afterOpen,
    wasmAfterRecommend: afterRecommend,
    bound: memoryBound(total, shelf.itemCount),
    peakRss: Math.max(peak.rss, process.resourceUsage().maxRSS * 1024),
    peakHeapUsed: peak.heapUsed,
    peakArrayBuffers: peak.arrayBuffers,
    liveArrayBuffers: gc ? peak.liveArrayBuffers : null,
    arrayBuffersAfter: after.arrayBuffers,
    arrayBuffersBefore: before.arrayBuffers,
    recommendations,
  };
  shelf.dispose();
  return result;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
};
const mb = (bytes) => `${(bytes / MiB).toFixed(1)} MiB`;

async function child() {
  const [model, sessionsFile] = process.argv.slice(3);
  const result = await measureLoad({ model, sessions: lastSessions(sessionsFile) });
  delete result.recommendations;
  process.stdout.write(JSON.stringify(result));
}

async function main() {
  const { values } = parseArgs({
    options: {
      items: { type: 'string', default: '1000000' },
      recipe: { type: 'string', default: 'fast' },
      source: { type: 'string', default: 'http' },
      runs: { type: 'string', default: '5' },
      json: { type: 'boolean', default: false },
    },
  });
  requireWasm();
  const items = Number(values.items);
  const runs = Number(values.runs);
  if (!['http', 'file'].includes(values.source)) throw new Error('--source is http or file');
  const { model, sessions } = ensureLargeModel(items, values.recipe);
  const made = existsSync(`${model}.json`) ? JSON.parse(readFileSync(`${model}.json`, 'utf8')) : {};
  const server = values.source === 'http' ? await serveFile(model) : null;
  const results = [];
  try {
    for (let run = 0; run < runs; run++) {
      // A fresh process per run: peak RSS and heap are this load's alone. Not a
      // synchronous spawn: this process serves the file meanwhile.
      const { stdout } = await promisify(execFile)(process.execPath, [fileURLToPath(import.meta.url), '--child', server ? server.url : model, sessions], {
        encoding: 'utf8', maxBuffer: 16 * MiB,
      });
      results.push(JSON.parse(stdout));
    }
  } finally {
    await server?.close();
  }
  const first = results[0];
  const summary = {
    model,
    recipe: values.recipe,
    source: values.source,
    runs,
    items: first.items,
    fileSize: first.fileSize,
    bytesPerItem: first.bytesPerItem,
    wasmAfterOpen: Math.max(...results.map((r) => r.wasmAfterOpen)),
    wasmAfterRecommend: Math.max(...results.map((r) => r.wasmAfterRecommend)),
    bound: first.bound,
    under128MiB: Math.max(...results.map((r) => r.wasmAfterRecommend)) <= 128 * MiB,
    openMsMedian: median(results.map((r) => r.openMs)),
    streamMsMedian: median(results.map((r) => r.streamMs)),
    recommendMsMedian: median(results.flatMap((r) => r.recommendMs)),
    peakRss: Math.max(...results.map((r) => r.peakRss)),
    peakHeapUsed: Math.max(...results.map((r) => r.peakHeapUsed)),
    peakArrayBuffers: Math.max(...results.map((r) => r.peakArrayBuffers)),
    arrayBuffersAfter: Math.max(...results.map((r) => r.arrayBuffersAfter)),
    trainingSeconds: made.trainingSeconds ?? null,
  };
  if (values.json) {
    console.log(JSON.stringify(summary, null, 2));
    return;
  }
  const rows = [
    ['items', summary.items.toLocaleString('en-US')],
    ['model file', `${summary.fileSize.toLocaleString('en-US')} bytes (${mb(summary.fileSize)}), ${summary.bytesPerItem.toFixed(1)} bytes per item`],
    ['wasm memory after open', mb(summary.wasmAfterOpen)],
    ['wasm memory after recommend()', `${mb(summary.wasmAfterRecommend)} (bound ${mb(summary.bound)}; ${summary.under128MiB ? 'within' : 'over'} 128 MiB)`],
    [`open time (${values.source}, median of ${runs})`, `${summary.openMsMedian.toFixed(0)} ms (last byte in at ${summary.streamMsMedian.toFixed(0)} ms)`],
    ['recommend() median', `${summary.recommendMsMedian.toFixed(2)} ms`],
    ['peak RSS', mb(summary.peakRss)],
    ['peak JS heap used', mb(summary.peakHeapUsed)],
    ['peak ArrayBuffers (incl. chunks awaiting GC)', mb(summary.peakArrayBuffers)],
    ['ArrayBuffers after the load', mb(summary.arrayBuffersAfter)],
    ['training', summary.trainingSeconds === null ? 'trained earlier' : `${summary.trainingSeconds.toFixed(0)} s (${values.recipe} recipe)`],
  ];
  console.log(`${model}\n`);
  console.log('| | |\n|---|---|');
  for (const [name, value] of rows) console.log(`| ${name} | ${value} |`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv[2] === '--child') await child();
  else await main();
}
