// Where the things built outside web/ are, for the tests, the demo server and the
// size report: the .wasm modules (tools/build.sh copies them to web/dist/), the
// native CLI (build/shelf) and the models it trains. A missing artifact is an error
// that says which command makes it; nothing is skipped quietly.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const webRoot = fileURLToPath(new URL('..', import.meta.url));
export const repoRoot = join(webRoot, '..');
// SHELF_DATA_DIR, default ../shared/data beside the repository (as tools/paths.sh).
export const dataRoot = process.env.SHELF_DATA_DIR || join(repoRoot, '..', 'shared', 'data');

export const wasmFiles = {
  simd: join(webRoot, 'dist', 'shelf-simd.wasm'),
  scalar: join(webRoot, 'dist', 'shelf-scalar.wasm'),
};
export const cli = join(repoRoot, 'build', 'shelf');

/** The path, if the file exists; otherwise an Error that says how to make it. */
export function requireFile(path, howToMake = 'run tools/build.sh') {
  if (!existsSync(path)) throw new Error(`missing ${path}: ${howToMake}`);
  return path;
}

/** Both .wasm files, checked. */
export function requireWasm() {
  requireFile(wasmFiles.simd);
  requireFile(wasmFiles.scalar);
  return wasmFiles;
}

// The demo model: the recipe of models/make_demo.sh, views, purchases and
// categories of the real Diginetica data, so the model has a catalog.
export const demoEvents = join(dataRoot, 'diginetica-raw', 'derived_views_purchases_categories.csv');
export const demoModel = join(repoRoot, 'build', 'models', 'demo.shelf');

/** build/models/demo.shelf, trained now if absent or older than the CLI. */
export function ensureDemoModel() {
  return trainOnce(demoModel, ['--events', demoEvents, '--format', 'diginetica', '--name', 'demo', '--seed', '1']);
}

/** The demo recipe keeping its embeddings: the blend gives them no weight (the
 * trainer leaves them out), so --keep-unused keeps them for requests that ask for
 * the embedding scorer alone. The browser and workerd tests use it, so that the
 * SIMD128 dot kernel runs there. */
export function ensureEmbeddingModel() {
  const model = join(repoRoot, 'build', 'web-test', 'demo-embeddings.shelf');
  return trainOnce(model, ['--events', demoEvents, '--format', 'diginetica', '--name', 'demo-embeddings', '--seed', '1', '--keep-unused']);
}

/** A second model for the identity test: no catalog, 16 dimensions, its own seed,
 * from the first 3000 sessions of the standard Diginetica training split. */
export function ensureSessionsModel() {
  return trainOnce(join(repoRoot, 'build', 'web-test', 'sessions.shelf'),
    ['--sessions', firstSessions(3000), '--seed', '7', '--dims', '16', '--name', 'sessions']);
}

/** The same sessions retrained as a shop does overnight: another seed, one more
 * session (the retrain test restores sessions saved under the first model). */
export function ensureRetrainedSessionsModel() {
  return trainOnce(join(repoRoot, 'build', 'web-test', 'sessions-retrained.shelf'),
    ['--sessions', firstSessions(3001), '--seed', '8', '--dims', '16', '--name', 'sessions-retrained']);
}

/** The first `count` sessions of the standard Diginetica training split, as a file. */
function firstSessions(count) {
  const sessions = join(repoRoot, 'build', 'web-test', `sessions-${count}.txt`);
  if (!existsSync(sessions)) {
    const all = readFileSync(requireFile(join(dataRoot, 'diginetica', 'train_sessions.tsv'), 'the shared data is missing'), 'utf8');
    writeAtomically(sessions, all.split('\n').slice(0, count).join('\n') + '\n');
  }
  return sessions;
}

// Synthetic Diginetica-shaped catalogs (tools/synth_sessions.py) and their models,
// for the memory harness (scripts/large-model.mjs) and its test. Two recipes:
//   fast     --dims 0 --keep-unused: both neighbour tables, whatever the blend
//            weighs them, and no embeddings (100k items: about 10 s here), so the
//            file is large enough for a second copy of it to stand out
//   default  the trainer's defaults (100k: about 95 s, 1M: 23 min): the size a default model
//            has (on these synthetic sessions the trainer keeps covisit alone)
export const largeRecipes = { fast: ['--dims', '0', '--keep-unused'], default: [] };
/** The CI short mode's catalog: big enough for 32-bit item indices (over 65,536). */
export const CI_ITEMS = 100000;

/** The package's JavaScript a page loads: src/index.js and what it imports,
 * relatively, file paths sorted (the widget and the workerd entry are not in it). */
export function pageModules(entry = join(webRoot, 'src', 'index.js'), seen = new Set()) {
  if (!seen.has(entry)) {
    seen.add(entry);
    const text = readFileSync(entry, 'utf8');
    for (const [, spec] of text.matchAll(/^(?:import|export)\s[^'"]*?from\s+'(\.\/[^']+\.js)'/gm)) {
      pageModules(join(dirname(entry), spec), seen);
    }
  }
  return [...seen].sort();
}

/** build/large/synthetic-ITEMS-RECIPE.shelf, made now if absent or older than the
 * CLI; beside it a .json of how it was made and the training's wall seconds. */
export function ensureLargeModel(items = CI_ITEMS, recipe = 'fast') {
  const args = largeRecipes[recipe];
  if (!args) throw new Error(`unknown recipe ${recipe}: one of ${Object.keys(largeRecipes).join(', ')}`);
  const dir = join(repoRoot, 'build', 'large');
  const sessions = join(dir, `sessions-${items}.tsv`);
  if (!existsSync(sessions)) {
    mkdirSync(dir, { recursive: true });
    const partial = `${sessions}.${process.pid}.tmp`;
    execFileSync('python3', [join(repoRoot, 'tools', 'synth_sessions.py'), '--items', String(items), '--seed', '1', '--out', partial],
      { stdio: ['ignore', 'ignore', 'inherit'] });
    renameSync(partial, sessions);
  }
  const model = join(dir, `synthetic-${items}-${recipe}.shelf`);
  if (!sameRecipe(`${model}.json`, args)) rmSync(model, { force: true });
  if (!isFresh(model)) {
    const started = Date.now();
    trainOnce(model, ['--sessions', sessions, '--seed', '1', '--name', `synthetic-${items}-${recipe}`, ...args]);
    writeAtomically(`${model}.json`, JSON.stringify({ items, recipe, args, trainingSeconds: (Date.now() - started) / 1000 }) + '\n');
  }
  return { model, sessions };
}

/** Whether the .json beside a large model records these trainer arguments (a
 * recipe changed since the model was made retrains it). */
function sameRecipe(record, args) {
  try {
    return JSON.stringify(JSON.parse(readFileSync(record, 'utf8')).args) === JSON.stringify(args);
  } catch {
    return false;
  }
}

// Test files run in parallel processes: each trains to its own file and renames it
// into place, so a reader never sees half a model.
function trainOnce(model, args) {
  if (isFresh(model)) return model;
  mkdirSync(dirname(model), { recursive: true });
  const partial = `${model}.${process.pid}.tmp`;
  execFileSync(cli, ['train', ...args, '--out', partial], { stdio: ['ignore', 'ignore', 'pipe'] });
  renameSync(partial, model);
  return model;
}

/** Whether a model exists and is newer than the CLI that trains it. */
function isFresh(model) {
  requireFile(cli);
  return existsSync(model) && statSync(model).mtimeMs >= statSync(cli).mtimeMs;
}

function writeAtomically(path, text) {
  mkdirSync(dirname(path), { recursive: true });
  const partial = `${path}.${process.pid}.tmp`;
  writeFileSync(partial, text);
  renameSync(partial, path);
}
