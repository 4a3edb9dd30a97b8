// Derives the demo storefront's catalog from the real Diginetica log: the most viewed
// products, with their ids and categories, as JSON. The output is generated, never
// committed (build/ is ignored): `node demo/make-catalog.mjs [--count N] [--out FILE]`.

import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { demoEvents, repoRoot, requireFile } from '../scripts/artifacts.mjs';

export const catalogFile = join(repoRoot, 'build', 'demo', 'catalog.json');

/** The `count` most viewed items of the log: [{ id, category, views }], most viewed first. */
export function makeCatalog({ events = demoEvents, count = 240 } = {}) {
  const lines = readFileSync(requireFile(events, 'the shared Diginetica data is missing'), 'utf8').trim().split('\n');
  const header = lines[0].split(';');
  const column = (name) => header.indexOf(name);
  const [eventAt, itemAt, categoryAt] = [column('event'), column('item_id'), column('category_id')];
  const items = new Map();
  for (const line of lines.slice(1)) {
    const fields = line.split(';');
    const id = fields[itemAt];
    const item = items.get(id) ?? { id, category: fields[categoryAt] || null, views: 0 };
    if (fields[eventAt] === 'view') item.views++;
    items.set(id, item);
  }
  // Ties by id, so the catalog is the same on every machine.
  return [...items.values()]
    .sort((a, b) => b.views - a.views || a.id.localeCompare(b.id))
    .slice(0, count);
}

export function writeCatalog(out = catalogFile, options) {
  const catalog = makeCatalog(options);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(`${out}.tmp`, JSON.stringify(catalog));
  renameSync(`${out}.tmp`, out);
  return { out, count: catalog.length };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name, fallback) => {
    const at = process.argv.indexOf(name);
    return at === -1 ? fallback : process.argv[at + 1];
  };
  const { out, count } = writeCatalog(arg('--out', catalogFile), { count: Number(arg('--count', 240)) });
  console.log(`wrote ${count} products to ${out}`);
}
