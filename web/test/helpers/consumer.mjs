// A project of a package user's own: a folder with its package.json and shelf-recs
// installed from the tarball `npm pack` makes of web/ (a real copy, as a registry
// install gives, never a link back to this checkout).

import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

import { webRoot } from '../../scripts/artifacts.mjs';

export const run = promisify(execFile);
export const npm = (args, cwd) => run('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd });

/** Packs web/ into `dir` and returns the tarball's path. */
export async function packPackage(dir) {
  const { stdout } = await npm(['pack', '--pack-destination', dir], webRoot);
  return join(dir, stdout.trim().split('\n').at(-1));
}

/**
 * Makes `dir` a project with `files` ({ path: text }) and the tarball installed.
 * `packages` (react, vue, ...: web/'s own devDependencies) are copied in from
 * web/node_modules with every package they depend on, as an install would lay them
 * out, so that no test needs the registry.
 */
export async function consumerProject(dir, tarball, files = {}, packages = []) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'shop', private: true, type: 'module' }));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  await npm(['install', '--offline', tarball], dir);
  const installed = join(webRoot, 'node_modules');
  const pending = [...packages];
  const copied = new Set();
  while (pending.length) {
    const name = pending.pop();
    if (copied.has(name)) continue;
    copied.add(name);
    const from = join(installed, name);
    if (!existsSync(from)) throw new Error(`${name} is not installed in web/node_modules`);
    cpSync(from, join(dir, 'node_modules', name), { recursive: true, dereference: true });
    const manifest = JSON.parse(readFileSync(join(from, 'package.json'), 'utf8'));
    // Dependencies nested in the package's own node_modules came along with it.
    for (const dependency of Object.keys(manifest.dependencies ?? {})) {
      if (!existsSync(join(from, 'node_modules', dependency))) pending.push(dependency);
    }
  }
  return dir;
}
