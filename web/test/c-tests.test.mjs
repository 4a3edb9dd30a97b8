// The C test suite under Node: the test programs of tests/c/ that src/wasm/wasm.cmake
// builds with Emscripten, in both flavours. The SIMD build's test_kernels compares
// the wasm SIMD128 dot kernel with the scalar reference, bit for bit.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'node:test';

import { repoRoot } from '../scripts/artifacts.mjs';

const run = promisify(execFile);

for (const flavour of ['simd', 'scalar']) {
  const dir = join(repoRoot, `build-wasm-${flavour}`, 'tests');
  const programs = existsSync(dir) ? readdirSync(dir).filter((f) => /^test_\w+\.cjs$/.test(f)).sort() : [];

  test(`wasm ${flavour}: the C tests are built`, () => {
    // The kernels against their reference, the API, and the loader where size_t is 32-bit.
    for (const name of ['test_kernels.cjs', 'test_api.cjs', 'test_model_format.cjs', 'test_common.cjs']) {
      assert.ok(programs.includes(name), `no ${join(dir, name)}: run tools/build.sh`);
    }
  });

  for (const program of programs) {
    test(`wasm ${flavour}: ${program.replace('.cjs', '')}`, async () => {
      // Exit status 0 means every CHECK passed; the output names any failure.
      const { stdout, stderr } = await run(process.execPath, [join(dir, program)], { cwd: repoRoot, maxBuffer: 16 << 20 })
        .catch((error) => assert.fail(`${program} failed (exit ${error.code}):\n${error.stdout}\n${error.stderr}`));
      assert.match(stderr, /\d+ checks, 0 failed/);
      if (program === 'test_kernels.cjs') {
        assert.match(stdout, flavour === 'simd' ? /automatic: wasmsimd/ : /automatic: scalar/);
      }
    });
  }
}
