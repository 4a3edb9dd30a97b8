// Loading a model as a stream: from a URL over HTTP (no Content-Length), a
// Request, a Response, a ReadableStream cut anywhere (inside the header too), a
// Node file stream and a path, each straight into wasm memory, with the same
// results as bytes; and a stream or a file that is shorter or longer than its
// header says, foreign, of another format version, failing or not bytes, each a
// named ShelfError, with the source cancelled.

import assert from 'node:assert/strict';
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { Shelf, ShelfError } from '../src/index.js';
import { ensureDemoModel, requireWasm } from '../scripts/artifacts.mjs';

requireWasm();
const modelPath = ensureDemoModel();
const bytes = new Uint8Array(readFileSync(modelPath));
const HEADER_SIZE = 64;

let server;
let base;
before(async () => {
  // Chunked transfer, no Content-Length: the size comes from the model's header.
  server = createServer((req, res) => {
    const body = { '/model.shelf': bytes, '/short.shelf': bytes.subarray(0, bytes.length - 64), '/long.shelf': concat(bytes, new Uint8Array(64)) }[req.url];
    if (!body) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    for (let at = 0; at < body.length; at += 40000) res.write(body.subarray(at, at + 40000));
    res.end();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${server.address().port}`;
});
after(() => new Promise((resolve) => server.close(resolve)));

function concat(a, b) {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** A ReadableStream of `data` in chunks of the given sizes (the last repeated),
 * recording how far it was read and whether it was cancelled. */
function streamOf(data, sizes, log = {}) {
  let at = 0;
  let i = 0;
  log.pulled = 0;
  log.cancelled = false;
  return new ReadableStream({
    pull(controller) {
      if (at >= data.length) return controller.close();
      const size = sizes[Math.min(i++, sizes.length - 1)];
      controller.enqueue(data.slice(at, at + size)); // a copy, as a network chunk
      at += size;
      log.pulled = Math.min(at, data.length);
    },
    cancel() {
      log.cancelled = true;
    },
  }, { highWaterMark: 0 }); // pulled only when read: `pulled` is what was asked for
}

async function popular(options) {
  const shelf = await Shelf.load(options);
  const session = shelf.session();
  const ids = session.recommend({ k: 10 }).map((r) => r.id);
  shelf.dispose();
  return ids;
}

async function rejectsCode(promise, code, message) {
  await assert.rejects(promise, (error) => {
    assert.ok(error instanceof ShelfError, `expected a ShelfError, got ${error}`);
    assert.equal(error.code, code, error.message);
    if (message) assert.match(error.message, message);
    return true;
  });
}

test('a URL, a Request, a Response, a ReadableStream and a file stream load what the bytes load', async () => {
  const expected = await popular({ model: bytes });
  const sources = {
    url: `${base}/model.shelf`,
    URL: new URL(`${base}/model.shelf`),
    request: new Request(`${base}/model.shelf`),
    response: await fetch(`${base}/model.shelf`),
    'response of a stream': new Response(streamOf(bytes, [5000])),
    'one chunk': streamOf(bytes, [bytes.length]),
    'the header in pieces': streamOf(bytes, [1, 7, 16, 8, 31, 2, 999]), // 63 bytes, then a chunk across the header's end
    'header and body in one chunk': streamOf(bytes, [100, 65536]),
    'Node file stream': createReadStream(modelPath, { highWaterMark: 4096 }),
    'ArrayBuffer chunks': streamOf(bytes, [3000]).pipeThrough(new TransformStream({ transform: (c, out) => out.enqueue(c.buffer) })),
  };
  for (const [name, model] of Object.entries(sources)) {
    assert.deepEqual(await popular({ model }), expected, name);
  }
});

test('onProgress: every chunk, up to the size the header gives', async () => {
  const calls = [];
  await popular({ model: streamOf(bytes, [10, 54, 100000]), onProgress: (loaded, total) => calls.push([loaded, total]) });
  assert.deepEqual(calls[0], [HEADER_SIZE, bytes.length]); // the header, assembled from 10 + 54
  assert.deepEqual(calls.at(-1), [bytes.length, bytes.length]);
  assert.equal(calls.length, 1 + Math.ceil((bytes.length - HEADER_SIZE) / 100000));
  for (let i = 1; i < calls.length; i++) assert.ok(calls[i][0] > calls[i - 1][0]);
  const once = [];
  await popular({ model: bytes, onProgress: (...args) => once.push(args) });
  assert.deepEqual(once, [[bytes.length, bytes.length]]);
  await rejectsCode(Shelf.load({ model: bytes, onProgress: 1 }), 'SHELF_E_BAD_ARGUMENT');
});

test('shorter or longer than the header says: SHELF_E_TRUNCATED, SHELF_E_BAD_HEADER', async () => {
  await rejectsCode(Shelf.load({ model: `${base}/short.shelf` }), 'SHELF_E_TRUNCATED', /ended after \d+ of the \d+ bytes/);
  await rejectsCode(Shelf.load({ model: `${base}/long.shelf` }), 'SHELF_E_BAD_HEADER', /goes on past/);
  for (const cut of [0, 1, 8, 63]) {
    await rejectsCode(Shelf.load({ model: streamOf(bytes.subarray(0, cut), [7]) }), 'SHELF_E_TRUNCATED');
  }
  await rejectsCode(Shelf.load({ model: new Response(null) }), 'SHELF_E_TRUNCATED');
  // The byte past the end arrives in a chunk of its own, or at the end of one.
  const log = {};
  await rejectsCode(Shelf.load({ model: streamOf(concat(bytes, new Uint8Array(1)), [bytes.length, 1, 1], log) }), 'SHELF_E_BAD_HEADER');
  await rejectsCode(Shelf.load({ model: streamOf(concat(bytes, new Uint8Array(1)), [4096]) }), 'SHELF_E_BAD_HEADER');
});

test('a header C refuses fails before the rest is read, and the stream is cancelled', async () => {
  const foreign = new TextEncoder().encode('<!doctype html><title>Not found</title>'.repeat(100));
  let log = {};
  await rejectsCode(Shelf.load({ model: streamOf(foreign, [HEADER_SIZE], log) }), 'SHELF_E_BAD_MAGIC');
  assert.equal(log.pulled, HEADER_SIZE);
  assert.equal(log.cancelled, true);

  const otherVersion = new Uint8Array(bytes);
  new DataView(otherVersion.buffer).setUint32(8, 99, true); // format_version
  log = {};
  await rejectsCode(Shelf.load({ model: streamOf(otherVersion, [HEADER_SIZE], log) }), 'SHELF_E_UNSUPPORTED_VERSION');
  assert.equal(log.pulled, HEADER_SIZE);
  assert.equal(log.cancelled, true);

  // A size no wasm32 memory holds: refused from the header alone.
  const huge = new Uint8Array(bytes);
  new DataView(huge.buffer).setBigUint64(24, 1n << 40n, true); // file_size
  log = {};
  await rejectsCode(Shelf.load({ model: streamOf(huge, [HEADER_SIZE], log) }), 'SHELF_E_OUT_OF_MEMORY');
  assert.equal(log.pulled, HEADER_SIZE);
  assert.equal(log.cancelled, true);

  // A damaged byte inside a section is C's to find, once all of it is in.
  const damaged = new Uint8Array(bytes);
  damaged[damaged.length >> 1] ^= 0xff;
  await rejectsCode(Shelf.load({ model: streamOf(damaged, [30000]) }), 'SHELF_E_CHECKSUM_MISMATCH');
});

test('failing sources: HTTP errors and broken streams are SHELF_E_IO, other chunks SHELF_E_BAD_ARGUMENT', async () => {
  await rejectsCode(Shelf.load({ model: `${base}/missing.shelf` }), 'SHELF_E_IO', /HTTP 404/);
  await rejectsCode(Shelf.load({ model: new Request(`${base}/missing.shelf`) }), 'SHELF_E_IO');
  let pulls = 0;
  const broken = new ReadableStream({
    pull(controller) {
      if (pulls++ < 3) controller.enqueue(bytes.slice((pulls - 1) * 1000, pulls * 1000));
      else controller.error(new Error('connection reset'));
    },
  });
  await rejectsCode(Shelf.load({ model: broken }), 'SHELF_E_IO', /connection reset/);
  await rejectsCode(Shelf.load({ model: streamOf(new Uint8Array(0), [1]).pipeThrough(new TransformStream({ start: (c) => c.enqueue('SHELF') })) }), 'SHELF_E_BAD_ARGUMENT');
  const used = new Response(bytes);
  await used.arrayBuffer();
  await rejectsCode(Shelf.load({ model: used }), 'SHELF_E_BAD_ARGUMENT', /read already/);
  await rejectsCode(Shelf.load({ model: 42 }), 'SHELF_E_BAD_ARGUMENT');
});

test('a module that fails to compile cancels the model download', async () => {
  const log = {};
  const notWasm = new Uint8Array([1, 2, 3]);
  await assert.rejects(Shelf.load({ model: streamOf(bytes, [1000], log), wasm: notWasm }), WebAssembly.CompileError);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(log.cancelled, true);
  assert.equal(log.pulled, 0);
});

test('a path: shorter, longer or foreign files fail as streams do, before the block is made', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shelf-stream-'));
  try {
    const file = (name, data) => {
      writeFileSync(join(dir, name), data);
      return join(dir, name);
    };
    await rejectsCode(Shelf.load({ model: file('short.shelf', bytes.subarray(0, bytes.length - 1)) }), 'SHELF_E_TRUNCATED', /ended after/);
    await rejectsCode(Shelf.load({ model: file('long.shelf', concat(bytes, new Uint8Array(1))) }), 'SHELF_E_BAD_HEADER', /goes on past/);
    await rejectsCode(Shelf.load({ model: file('header.shelf', bytes.subarray(0, 40)) }), 'SHELF_E_TRUNCATED');
    await rejectsCode(Shelf.load({ model: file('page.html', '<!doctype html>'.repeat(10)) }), 'SHELF_E_BAD_MAGIC');
    await rejectsCode(Shelf.load({ model: dir }), 'SHELF_E_IO'); // a folder opens, and fails to read
    const damaged = new Uint8Array(bytes);
    damaged[damaged.length >> 1] ^= 0xff;
    await rejectsCode(Shelf.load({ model: file('damaged.shelf', damaged) }), 'SHELF_E_CHECKSUM_MISMATCH');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
