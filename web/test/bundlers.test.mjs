// The package in a storefront built by a bundler, as its users build theirs: a
// project installs the packed tarball, imports 'shelf-recs' by name, is bundled, and
// the bundle runs in Chromium, recommending exactly what Node recommends.
//   esbuild  the .wasm subpaths imported with esbuild's file loader
//            (--loader:.wasm=file) and passed as `wasm: { simd, scalar }`, the
//            recipe of the README: esbuild leaves `new URL(..., import.meta.url)`
//            alone, so the package cannot find its files by itself there.

import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { build } from 'esbuild';

import { Shelf } from '../src/index.js';
import { ensureDemoModel, requireWasm } from '../scripts/artifacts.mjs';
import { serveStatic } from '../scripts/static-server.mjs';
import { launchChromium, openPage } from './helpers/chromium.mjs';
import { consumerProject, packPackage } from './helpers/consumer.mjs';

requireWasm();
const model = ensureDemoModel();
const scratch = mkdtempSync(join(tmpdir(), 'shelf-bundlers-'));
let tarball;
let browser;

before(async () => {
  tarball = await packPackage(scratch);
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  rmSync(scratch, { recursive: true, force: true });
});

// The storefront's code: the same in every app. It reports what a page would show.
const storefront = (imports, wasm) => `
import { Shelf } from 'shelf-recs';
${imports}
const shelf = await Shelf.load({ model: '/models/demo.shelf'${wasm} });
const session = shelf.session({ consent: true });
for (const id of ['21638', '7779', '3299']) session.track('view', id);
window.result = {
  simd: shelf.simd,
  recommendations: session.recommend({ k: 8 }).map((r) => [r.id, r.reason]),
  related: shelf.related('42163', { k: 5 }).map((r) => r.id),
};
`;

/** What Node computes for the storefront's session. */
async function expected(simd) {
  const shelf = await Shelf.load({ model: readFileSync(model), simd });
  const session = shelf.session({ consent: true });
  for (const id of ['21638', '7779', '3299']) session.track('view', id);
  return {
    simd,
    recommendations: session.recommend({ k: 8 }).map((r) => [r.id, r.reason]),
    related: shelf.related('42163', { k: 5 }).map((r) => r.id),
  };
}

/** Serves a built app's folder (and the model), opens its page, returns window.result. */
async function runInChromium(root) {
  const server = await serveStatic({ root, mounts: { '/models/demo.shelf': model } });
  const page = await openPage(browser);
  try {
    await page.goto(`${server.url}/index.html`);
    await page.waitForFunction(() => window.result, null, { timeout: 30000 });
    assert.deepEqual(page.problems, []);
    return await page.evaluate(() => window.result);
  } finally {
    await page.close();
    await server.close();
  }
}

test('esbuild: the .wasm subpaths through the file loader, in Chromium, as Node answers', async () => {
  const app = await consumerProject(join(scratch, 'esbuild'), tarball, {
    'main.js': storefront(
      "import simd from 'shelf-recs/shelf-simd.wasm';\nimport scalar from 'shelf-recs/shelf-scalar.wasm';",
      ', wasm: { simd, scalar }'),
  });
  const out = join(app, 'public');
  await build({
    absWorkingDir: app, entryPoints: ['main.js'], bundle: true, format: 'esm', outdir: out,
    loader: { '.wasm': 'file' }, logLevel: 'silent',
  });
  writeFileSync(join(out, 'index.html'), '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module" src="main.js"></script>');
  assert.equal(readdirSync(out).filter((f) => f.endsWith('.wasm')).length, 2, 'both modules are emitted beside the bundle');
  const got = await runInChromium(out);
  assert.deepEqual(got, await expected(true));
});
