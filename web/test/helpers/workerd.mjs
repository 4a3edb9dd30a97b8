// workerd (Cloudflare's Workers runtime, from the npm package) for the tests: a
// config with one worker, the package's modules under the names a worker imports
// them by, served over HTTP on 127.0.0.1.

import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

import { requireFile, requireWasm, webRoot } from '../../scripts/artifacts.mjs';

/**
 * Starts workerd on a free port with `worker` (a file) as "worker.mjs", the
 * package as "shelf-recs" with both .wasm modules, plus `modules` ({ name: file }
 * as data), text `bindings` ({ NAME: value }), and, with `localFetch`, a global
 * fetch() that reaches 127.0.0.1 (and nothing else). Resolves to
 * { base, log(), pid, stop() } once it answers.
 */
export async function startWorkerd({ worker, modules = {}, bindings = {}, localFetch = false }) {
  const workerd = requireFile(join(webRoot, 'node_modules', '.bin', 'workerd'), 'run npm ci in web/ (tools/setup.sh does)');
  const wasmFiles = requireWasm();
  const dir = mkdtempSync(join(tmpdir(), 'shelf-workerd-'));
  const embed = (file) => JSON.stringify(relative(dir, file));
  const src = join(webRoot, 'src');
  const moduleLines = [
    `(name = "worker.mjs", esModule = embed ${embed(worker)})`,
    ...readdirSync(src)
      .filter((f) => f.endsWith('.js'))
      .map((f) => `(name = ${JSON.stringify(f === 'index.js' ? 'shelf-recs' : f)}, esModule = embed ${embed(join(src, f))})`),
    `(name = "shelf-simd.wasm", wasm = embed ${embed(wasmFiles.simd)})`,
    `(name = "shelf-scalar.wasm", wasm = embed ${embed(wasmFiles.scalar)})`,
    ...Object.entries(modules).map(([name, file]) => `(name = ${JSON.stringify(name)}, data = embed ${embed(file)})`),
  ];
  const bindingLines = Object.entries(bindings).map(([name, value]) => `(name = ${JSON.stringify(name)}, text = ${JSON.stringify(value)})`);
  // The default "internet" service reaches public addresses only; for a model
  // served on 127.0.0.1 it is replaced by one that reaches loopback only.
  const internet = localFetch ? ',\n    (name = "internet", network = (allow = ["local"]))' : '';
  const config = join(dir, 'config.capnp');
  writeFileSync(
    config,
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker)${internet}
  ],
  sockets = [(name = "http", address = "127.0.0.1:0", http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [
    ${moduleLines.join(',\n    ')}
  ],
  bindings = [${bindingLines.join(', ')}],
  compatibilityDate = "2025-06-01",
);
`,
  );
  const port = await freePort();
  const child = spawn(workerd, ['serve', config, `--socket-addr=http=127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  const base = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // Ready within a fraction of a second; wait on the socket, not on a clock.
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`workerd exited with ${child.exitCode}:\n${log}`);
    }
    try {
      await fetch(`${base}/ping`);
      break;
    } catch {
      if (attempt === 200) {
        await stop();
        throw new Error(`workerd did not answer on ${base}:\n${log}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return { base, log: () => log, pid: child.pid, stop };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
