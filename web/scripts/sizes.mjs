// What a page downloads to run Shelf: each .wasm file and the package's JavaScript
// that 'shelf-recs' imports (the widget apart: a page loads it only if it uses it),
// raw and gzipped (level 9, each file alone, as a server sends them). Prints a
// Markdown table for the README:   node scripts/sizes.mjs   (npm run sizes)

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { pageModules, requireWasm, webRoot } from './artifacts.mjs';

const GOAL_KB = 60;
const wasm = requireWasm();

const jsFiles = pageModules();
const widgetFiles = [join(webRoot, 'src', 'widget.js')];

const measure = (files) =>
  files.reduce(
    (sum, file) => {
      const bytes = readFileSync(file);
      return { raw: sum.raw + bytes.length, gzip: sum.gzip + gzipSync(bytes, { level: 9 }).length };
    },
    { raw: 0, gzip: 0 },
  );

const rows = [
  ['shelf-simd.wasm', measure([wasm.simd])],
  ['shelf-scalar.wasm', measure([wasm.scalar])],
  [`JavaScript (src/index.js and its ${jsFiles.length - 1} imports, unminified)`, measure(jsFiles)],
];
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const page = { raw: rows[0][1].raw + rows[2][1].raw, gzip: rows[0][1].gzip + rows[2][1].gzip };
rows.push(['a page: one .wasm (SIMD) + the JavaScript', page]);
rows.push(['and the widget, if the page uses it (src/widget.js)', measure(widgetFiles)]);

// What a bundler makes of it: examples/page/main.js and the package, bundled and
// minified by esbuild (the .wasm files apart), so unused exports (the edge's
// sealer, the widget) are shaken out.
const { build } = await import('esbuild');
const bundled = await build({
  entryPoints: [join(webRoot, 'examples', 'page', 'main.js')], bundle: true, minify: true, format: 'esm', write: false,
  alias: { 'shelf-recs': join(webRoot, 'src', 'index.js') }, external: ['*.wasm'], platform: 'browser', logLevel: 'silent',
});
const bundle = bundled.outputFiles[0].contents;
rows.push(['examples/page/main.js bundled and minified by esbuild (JavaScript only)',
  { raw: bundle.length, gzip: gzipSync(bundle, { level: 9 }).length }]);

console.log('| file | raw | gzip -9 |');
console.log('|---|---:|---:|');
for (const [name, size] of rows) console.log(`| ${name} | ${kb(size.raw)} | ${kb(size.gzip)} |`);
console.log(`\nGoal: wasm + JS under ${GOAL_KB} KB gzipped: ${page.gzip < GOAL_KB * 1024 ? 'met' : 'NOT met'} (${kb(page.gzip)}).`);
