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
//   React, Vue  web/examples/react and web/examples/vue (a hook / a composable that
//            follows the session's 'change' events), built by Vite (React and Vue
//            copied in from web/node_modules: no registry): the list drawn,
//            and redrawn after a click, is what Node recommends.
//   wrangler a Worker project (examples/wrangler) bundled by `wrangler deploy
//            --dry-run`, run in Miniflare (wrangler's local runtime, on workerd):
//            the package's "workerd" entry imports its own .wasm files, so again
//            no option; the model bundled as a data module, or streamed from R2 or KV.

import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { build as viteBuild, createServer as viteServer } from 'vite';
import webpack from 'webpack';

import { Shelf } from '../src/index.js';
import { ensureDemoModel, requireWasm, webRoot } from '../scripts/artifacts.mjs';
import { serveStatic } from '../scripts/static-server.mjs';
import { launchChromium, openPage } from './helpers/chromium.mjs';
import { consumerProject, packPackage, run } from './helpers/consumer.mjs';

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

/** The example page's project: examples/page and the model under /models/. */
/** A project made of web/examples/EXAMPLE's files (and `extra`), the tarball and
 * `packages` installed, the demo model under public/models/. */
async function exampleProject(example, name, { extra = {}, packages = [] } = {}) {
  const dir = join(webRoot, 'examples', example);
  const files = Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
  const app = await consumerProject(join(scratch, name), tarball, { ...files, ...extra }, packages);
  mkdirSync(join(app, 'public', 'models'), { recursive: true });
  cpSync(model, join(app, 'public', 'models', 'demo.shelf'));
  return app;
}

const examplePage = (name) => exampleProject('page', name);

/** What examples/page draws, in Chromium at `url`, and what Node recommends for it. */
async function checkExamplePage(url, where) {
  const page = await openPage(browser);
  try {
    await page.goto(url);
    await page.waitForFunction(() => document.querySelectorAll('#recommendations li').length > 0, null, { timeout: 30000 });
    const drawn = await page.$$eval('#recommendations li', (items) => items.map((li) => li.dataset.id));
    const shelf = await Shelf.load({ model: readFileSync(model) });
    const session = shelf.session({ consent: true });
    session.track('view', '42163');
    assert.deepEqual(drawn, session.recommend({ k: 8, perCategory: 2 }).map((r) => r.id), where);
    assert.equal(await page.evaluate(() => Boolean(localStorage.getItem('shelf-session'))), true, `${where}: the session is stored`);
    assert.deepEqual(page.problems, [], where);
  } finally {
    await page.close();
  }
}

test("Vite: the README's page, built and served by the dev server, with no option, in Chromium, as Node answers", async () => {
  const app = await examplePage('vite');
  await viteBuild({ root: app, logLevel: 'silent', build: { outDir: join(app, 'dist'), target: 'es2022' } });
  const assets = readdirSync(join(app, 'dist', 'assets'));
  assert.equal(assets.filter((f) => f.endsWith('.wasm')).length, 2, `both modules are emitted: ${assets}`);
  const server = await serveStatic({ root: join(app, 'dist') });
  try {
    await checkExamplePage(`${server.url}/index.html`, 'vite build');
  } finally {
    await server.close();
  }
  const dev = await viteServer({ root: app, logLevel: 'silent', server: { host: '127.0.0.1', port: 0 } });
  await dev.listen();
  try {
    await checkExamplePage(`http://127.0.0.1:${dev.httpServer.address().port}/`, 'vite dev server');
  } finally {
    await dev.close();
  }
});

test("webpack 5: the README's page, with no option, in Chromium, as Node answers", async () => {
  const app = await examplePage('webpack');
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
  cpSync(join(app, 'index.html'), join(out, 'index.html'));
  const server = await serveStatic({ root: out });
  try {
    await checkExamplePage(`${server.url}/index.html`, 'webpack');
  } finally {
    await server.close();
  }
});

test('wrangler: a Worker project bundled by wrangler itself runs in Miniflare, the model bundled, in R2 or in KV, no wasm option', async () => {
  const example = join(webRoot, 'examples', 'wrangler');
  const app = await consumerProject(join(scratch, 'wrangler'), tarball, {
    'wrangler.toml': readFileSync(join(example, 'wrangler.toml'), 'utf8'),
  });
  mkdirSync(join(app, 'src'));
  cpSync(join(example, 'src', 'worker.mjs'), join(app, 'src', 'worker.mjs'));
  mkdirSync(join(app, 'models'));
  cpSync(model, join(app, 'models', 'shop.shelf'));
  // Bundled as `wrangler deploy` bundles (the "workerd" condition, the module
  // rules), offline and without writing to the home folder.
  const out = join(app, 'out');
  const home = join(scratch, 'wrangler-home');
  await run(join(webRoot, 'node_modules', '.bin', 'wrangler'), ['deploy', '--dry-run', '--outdir', out], {
    cwd: app,
    env: {
      ...process.env, WRANGLER_SEND_METRICS: 'false', WRANGLER_SEND_ERROR_REPORTS: 'false', WRANGLER_HIDE_BANNER: 'true',
      WRANGLER_LOG_PATH: join(home, 'logs'), XDG_CONFIG_HOME: home,
    },
  });
  const emitted = readdirSync(out);
  assert.equal(emitted.filter((f) => f.endsWith('.wasm')).length, 2, `the modules: ${emitted}`);
  assert.equal(emitted.filter((f) => f.endsWith('.shelf')).length, 1, `the model: ${emitted}`);

  // wrangler's output as the Workers runtime gets it: the bundle first, each file a
  // module of the type its rule gave.
  const moduleType = (f) => (f.endsWith('.js') ? 'ESModule' : f.endsWith('.wasm') ? 'CompiledWasm' : 'Data');
  const files = ['worker.js', ...emitted.filter((f) => /\.(wasm|shelf)$/.test(f))];
  const modules = files.map((f) => ({ type: moduleType(f), path: join(out, f) }));
  const mf = new Miniflare({
    modulesRoot: out, modules, compatibilityDate: '2025-06-01', r2Buckets: ['MODELS'], kvNamespaces: ['MODELS_KV'],
  });
  try {
    const bytes = Uint8Array.from(readFileSync(model)).buffer;
    await (await mf.getR2Bucket('MODELS')).put('shop.shelf', bytes);
    await (await mf.getKVNamespace('MODELS_KV')).put('shop.shelf', bytes);
    const want = await expected(true);
    const views = ['21638', '7779', '3299'].join(',');
    for (const source of ['bundle', 'r2', 'kv']) {
      const response = await mf.dispatchFetch(`http://shop.example/?items=${views}&k=8&model=${source}`);
      const body = await response.json();
      assert.equal(response.status, 200, JSON.stringify(body));
      assert.deepEqual(body.recommendations, want.recommendations, source);
    }
  } finally {
    await mf.dispose();
  }
});

/** Builds a framework example with Vite and checks its list before and after a click. */
async function frameworkApp(name, entry, packages) {
  const index = `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><div id="root"></div><script type="module" src="/${entry}"></script>`;
  const app = await exampleProject(name, name, { extra: { 'index.html': index }, packages });
  await viteBuild({ root: app, logLevel: 'silent', build: { outDir: join(app, 'dist'), target: 'es2022' } });

  const server = await serveStatic({ root: join(app, 'dist') });
  const browserPage = await openPage(browser);
  try {
    await browserPage.goto(`${server.url}/index.html`);
    const shown = () => browserPage.$$eval('#root li', (items) => items.map((li) => li.dataset.id));
    await browserPage.waitForFunction(() => document.querySelectorAll('#root li').length > 0, null, { timeout: 30000 });
    const shelf = await Shelf.load({ model: readFileSync(model) });
    const session = shelf.session({ consent: true });
    const cold = session.recommend({ k: 6, excludeSeen: true }).map((r) => r.id);
    assert.deepEqual(await shown(), cold, `${name}: the first list`);
    // A click is tracked; the 'change' event redraws the list.
    await browserPage.click(`#root li[data-id="${cold[2]}"] button`);
    session.track('click', cold[2]);
    const after = session.recommend({ k: 6, excludeSeen: true }).map((r) => r.id);
    assert.notDeepEqual(after, cold);
    await browserPage.waitForFunction((first) => document.querySelector('#root li')?.dataset.id === first, after[0]);
    assert.deepEqual(await shown(), after, `${name}: after a click`);
    assert.deepEqual(browserPage.problems, []);
  } finally {
    await browserPage.close();
    await server.close();
  }
}

test('React: a hook on the session, built by Vite, in Chromium, as Node answers', async () => {
  await frameworkApp('react', 'main.jsx', ['react', 'react-dom']);
});

test('Vue: a composable on the session, built by Vite, in Chromium, as Node answers', async () => {
  await frameworkApp('vue', 'main.js', ['vue']);
});
