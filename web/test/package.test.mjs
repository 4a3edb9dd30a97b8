// The package as a user gets it: `npm pack` of this folder, installed from the
// tarball into a project of its own (no symlink back here), then imported by name:
// the .wasm files resolve through the package itself, the declarations cover every
// subpath, and packing an unbuilt checkout fails loudly instead of shipping no .wasm.

import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { ensureDemoModel, repoRoot, requireFile, requireWasm, webRoot } from '../scripts/artifacts.mjs';
import { consumerProject, npm, packPackage, run } from './helpers/consumer.mjs';

requireWasm();
const scratch = mkdtempSync(join(tmpdir(), 'shelf-package-'));
test.after(() => rmSync(scratch, { recursive: true, force: true }));

test('npm pack: the modules, the declarations, the licence and the changelog; nothing of the tests', async () => {
  const { stdout } = await npm(['pack', '--dry-run', '--json', '--ignore-scripts=false'], webRoot);
  const [packed] = JSON.parse(stdout.slice(stdout.indexOf('[')));
  const files = packed.files.map((f) => f.path);
  for (const file of ['LICENSE', 'CHANGELOG.md', 'README.md', 'package.json', 'dist/shelf-simd.wasm', 'dist/shelf-scalar.wasm',
    'src/index.js', 'src/index.d.ts', 'src/binding.d.ts', 'src/wasm-module.d.ts']) {
    assert.ok(files.includes(file), `the package lacks ${file}: ${files.join(', ')}`);
  }
  assert.deepEqual(files.filter((f) => !/^(src\/|dist\/[^/]+\.wasm$|LICENSE$|CHANGELOG\.md$|README\.md$|package\.json$)/.test(f)), []);
});

test('an unbuilt checkout does not pack: the error says to build first', async () => {
  const checkout = join(scratch, 'unbuilt');
  const web = join(checkout, 'web');
  mkdirSync(join(web, 'scripts'), { recursive: true });
  cpSync(join(webRoot, 'package.json'), join(web, 'package.json'));
  cpSync(join(webRoot, 'src'), join(web, 'src'), { recursive: true });
  cpSync(join(webRoot, 'scripts', 'prepack.mjs'), join(web, 'scripts', 'prepack.mjs'));
  cpSync(join(repoRoot, 'LICENSE'), join(checkout, 'LICENSE'));
  const failure = await npm(['pack'], web).then(() => null, (error) => error);
  assert.ok(failure, 'npm pack succeeded without dist/*.wasm');
  assert.match(failure.stderr, /cannot pack: dist\/shelf-simd\.wasm is missing; dist\/shelf-scalar\.wasm is missing/);
  assert.match(failure.stderr, /tools\/build\.sh/);
  assert.deepEqual(readdirSync(web).filter((f) => f.endsWith('.tgz')), []);
});

test('installed from the tarball into its own project: it loads its .wasm, recommends, and type-checks', async () => {
  const app = await consumerProject(join(scratch, 'app'), await packPackage(scratch));
  // A real copy, not a link to this folder.
  assert.deepEqual(readdirSync(join(app, 'node_modules', 'shelf-recs', 'dist')).sort(), ['shelf-scalar.wasm', 'shelf-simd.wasm']);

  const model = ensureDemoModel();
  writeFileSync(join(app, 'main.mjs'), `
import { readFileSync } from 'node:fs';
import { Shelf } from 'shelf-recs';
const shelf = await Shelf.load({ model: readFileSync(${JSON.stringify(model)}) });
const recs = shelf.session().recommend({ k: 3 });
console.log(JSON.stringify({ simd: shelf.simd, items: shelf.itemCount, recs: recs.length }));
`);
  const { stdout: out } = await run(process.execPath, [join(app, 'main.mjs')], { cwd: app });
  const result = JSON.parse(out);
  assert.equal(result.recs, 3);
  assert.ok(result.items > 0);

  // TypeScript sees the package's declarations, the .wasm subpaths' included.
  writeFileSync(join(app, 'shop.ts'), `
import { Shelf } from 'shelf-recs';
import simd from 'shelf-recs/shelf-simd.wasm';
import scalar from 'shelf-recs/shelf-scalar.wasm';
export const load = (model: Uint8Array) => Shelf.load({ model, wasm: { simd, scalar } });
`);
  writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext', lib: ['es2022', 'dom'], types: [] },
    files: ['shop.ts'],
  }));
  const tsc = requireFile(join(webRoot, 'node_modules', '.bin', 'tsc'), 'run npm ci in web/ (tools/setup.sh does)');
  const typed = await run(tsc, ['-p', join(app, 'tsconfig.json')], { cwd: app }).then(() => '', (error) => error.stdout + error.stderr);
  assert.equal(typed, '', `tsc in the consumer project:\n${typed}`);
});
