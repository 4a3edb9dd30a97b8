// The package in a storefront built by a bundler, as its users build theirs: a
// project installs the packed tarball, imports 'shelf-recs' by name, is bundled, and
// the bundle runs in Chromium, recommending exactly what Node recommends.
//   esbuild  the .wasm subpaths imported with esbuild's file loader
//            (--loader:.wasm=file) and passed as `wasm: { simd, scalar }`, the
//            recipe of the README: esbuild leaves `new URL(..., import.meta.url)`
//            alone, so the package cannot find its files by itself there.
//   Vite     no option at all: its build and its dev server both follow the
//            package's `new URL(..., import.meta.url)`.
//   webpack  5, no option either: the same, as asset modules.

import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { build } from 'esbuild';
import { build as viteBuild, createServer as viteServer } from 'vite';
import webpack from 'webpack';

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

/** Opens a page in Chromium and returns its window.result. */
async function resultOf(url) {
  const page = await openPage(browser);
  try {
    await page.goto(url);
    await page.waitForFunction(() => window.result, null, { timeout: 30000 });
    assert.deepEqual(page.problems, []);
    return await page.evaluate(() => window.result);
  } finally {
    await page.close();
  }
}

/** Serves a built app's folder (and the model), returns its page's window.result. */
async function runInChromium(root) {
  const server = await serveStatic({ root, mounts: { '/models/demo.shelf': model } });
  try {
    return await resultOf(`${server.url}/index.html`);
  } finally {
    await server.close();
  }
}

const page = (script) => `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module" src="${script}"></script>`;

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
  writeFileSync(join(out, 'index.html'), page('main.js'));
  assert.equal(readdirSync(out).filter((f) => f.endsWith('.wasm')).length, 2, 'both modules are emitted beside the bundle');
  const got = await runInChromium(out);
  assert.deepEqual(got, await expected(true));
});

test('Vite: the build and the dev server, with no option, in Chromium, as Node answers', async () => {
  const app = await consumerProject(join(scratch, 'vite'), tarball, { 'main.js': storefront('', ''), 'index.html': page('/main.js') });
  // The model as a static file of the app, as a shop would serve it.
  mkdirSync(join(app, 'public', 'models'), { recursive: true });
  cpSync(model, join(app, 'public', 'models', 'demo.shelf'));
  const want = await expected(true);

  await viteBuild({ root: app, logLevel: 'silent', build: { outDir: join(app, 'dist'), target: 'es2022' } });
  const assets = readdirSync(join(app, 'dist', 'assets'));
  assert.equal(assets.filter((f) => f.endsWith('.wasm')).length, 2, `both modules are emitted: ${assets}`);
  assert.deepEqual(await runInChromium(join(app, 'dist')), want, 'vite build');

  const dev = await viteServer({ root: app, logLevel: 'silent', server: { host: '127.0.0.1', port: 0 } });
  await dev.listen();
  try {
    const { port } = dev.httpServer.address();
    assert.deepEqual(await resultOf(`http://127.0.0.1:${port}/`), want, 'vite dev server');
  } finally {
    await dev.close();
  }
});

test('webpack 5: with no option, in Chromium, as Node answers', async () => {
  const app = await consumerProject(join(scratch, 'webpack'), tarball, { 'main.js': storefront('', '') });
  const out = join(app, 'public');
  const stats = await new Promise((resolve, reject) => {
    webpack({
      context: app, entry: './main.js', mode: 'production',
      output: { path: out, filename: 'main.js', module: true, publicPath: 'auto' },
      experiments: { outputModule: true },
    }, (error, result) => (error ? reject(error) : resolve(result)));
  });
  assert.ok(!stats.hasErrors(), stats.toString({ all: false, errors: true }));
  assert.ok(!stats.hasWarnings(), stats.toString({ all: false, warnings: true }));
  assert.equal(readdirSync(out).filter((f) => f.endsWith('.wasm')).length, 2, 'both modules are emitted');
  writeFileSync(join(out, 'index.html'), page('main.js'));
  assert.deepEqual(await runInChromium(out), await expected(true));
});
