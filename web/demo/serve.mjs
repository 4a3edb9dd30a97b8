// Serves the demo storefront on 127.0.0.1 and prints its address:
//
//   node demo/serve.mjs [--port 8080]     (npm run demo)
//
// It serves this package (the page imports ../src/index.js and loads ../dist/*.wasm)
// plus two generated files: the demo model (build/models/demo.shelf, trained from
// the Diginetica log if absent) and the catalog (build/demo/catalog.json).
// Port 0, or a busy 8080, picks a free port.

import { existsSync } from 'node:fs';

import { ensureDemoModel, requireWasm, webRoot } from '../scripts/artifacts.mjs';
import { serveStatic } from '../scripts/static-server.mjs';
import { catalogFile, writeCatalog } from './make-catalog.mjs';

const at = process.argv.indexOf('--port');
const port = at === -1 ? 8080 : Number(process.argv[at + 1]);

requireWasm();
const model = ensureDemoModel();
if (!existsSync(catalogFile)) writeCatalog();
const mounts = { '/models/demo.shelf': model, '/demo/catalog.json': catalogFile };

let server;
try {
  server = await serveStatic({ root: webRoot, mounts, port });
} catch (error) {
  if (error.code !== 'EADDRINUSE') throw error;
  server = await serveStatic({ root: webRoot, mounts, port: 0 });
}
console.log(`Shelf demo storefront: ${server.url}/demo/`);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.close().then(() => process.exit(0)));
}
