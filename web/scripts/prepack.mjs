// Run by npm before `npm pack` and `npm publish`: a package without its .wasm
// files installs, imports and then fails on every page, so packing stops here
// instead, saying what to do; and the licence of the repository goes in.

import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));
const repoRoot = join(packageRoot, '..');

const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];
const problems = [];
for (const name of ['shelf-simd.wasm', 'shelf-scalar.wasm']) {
  const file = join(packageRoot, 'dist', name);
  if (!existsSync(file)) {
    problems.push(`dist/${name} is missing`);
    continue;
  }
  const head = readFileSync(file).subarray(0, 4);
  if (!WASM_MAGIC.every((byte, i) => head[i] === byte)) problems.push(`dist/${name} is not a WebAssembly module`);
}
if (problems.length) {
  console.error(`shelf-recs: cannot pack: ${problems.join('; ')}.\n` +
    'Build the modules first, from the repository root: tools/build.sh (tools/setup.sh installs what it needs).');
  process.exit(1);
}
copyFileSync(join(repoRoot, 'LICENSE'), join(packageRoot, 'LICENSE'));
