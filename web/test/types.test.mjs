// The TypeScript declarations (src/index.d.ts, src/binding.d.ts) type-check, and a
// typical use of the package through its own name and "exports" map type-checks,
// while the mistakes marked @ts-expect-error in test/types/usage.ts are caught.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'node:test';

import { requireFile, webRoot } from '../scripts/artifacts.mjs';

test('the declarations type-check a storefront, an edge worker and their mistakes', async () => {
  const tsc = requireFile(join(webRoot, 'node_modules', '.bin', 'tsc'), 'run npm ci in web/ (tools/setup.sh does)');
  const result = await promisify(execFile)(tsc, ['-p', join(webRoot, 'test', 'types', 'tsconfig.json')], { cwd: webRoot })
    .then(() => ({ code: 0, output: '' }), (error) => ({ code: error.code, output: error.stdout + error.stderr }));
  assert.equal(result.code, 0, `tsc reported:\n${result.output}`);
});
