// A small static file server on 127.0.0.1 for the demo and the browser tests:
// serves a folder, plus single files mounted at chosen paths (the model), with the
// MIME types a browser insists on (application/wasm for streaming compilation,
// text/javascript for modules). Records every request it answers.

import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.shelf': 'application/octet-stream',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/**
 * Serves `root` and `mounts` ({ '/url/path': '/file/path' }) on 127.0.0.1:`port`
 * (0: any free port); headers(path) gives a response's extra headers. Resolves to
 * { url, requests, close() }.
 */
export function serveStatic({ root, mounts = {}, port = 0, index = 'index.html', headers = () => ({}) }) {
  const requests = [];
  const server = createServer((req, res) => {
    let path;
    try {
      path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    } catch {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('bad request\n');
      return;
    }
    requests.push(path);
    const file = mounts[path] ?? fileUnder(root, path.endsWith('/') ? path + index : path);
    let size;
    try {
      const stat = file && statSync(file);
      if (!stat || !stat.isFile()) throw new Error('not a file');
      size = stat.size;
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${path}\n`);
      return;
    }
    res.writeHead(200, {
      'content-type': MIME[extname(file)] ?? 'application/octet-stream',
      'content-length': size,
      'cache-control': 'no-cache',
      ...headers(path),
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        requests,
        close: () =>
          new Promise((done) => {
            server.close(done);
            server.closeAllConnections(); // a browser keeps idle connections open
          }),
      });
    });
  });
}

/** The file for a URL path, never outside root. */
function fileUnder(root, path) {
  const file = normalize(join(root, path));
  return file.startsWith(normalize(root + sep)) ? file : null;
}
