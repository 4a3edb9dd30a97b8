// A project of a package user's own: a folder with its package.json and shelf-recs
// installed from the tarball `npm pack` makes of web/ (a real copy, as a registry
// install gives, never a link back to this checkout).

import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
 * Makes `dir` a project with `files` ({ path: text }) and the tarball installed,
 * with `packages` (names of web/'s devDependencies: react, vue, ...) at the
 * versions web/ pins, installed offline from the npm cache its `npm ci` filled.
 */
export async function consumerProject(dir, tarball, files = {}, packages = []) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'shop', private: true, type: 'module' }));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const pinned = JSON.parse(readFileSync(join(webRoot, 'package.json'), 'utf8')).devDependencies;
  const specs = packages.map((name) => {
    if (!pinned[name]) throw new Error(`${name} is not a devDependency of web/`);
    return `${name}@${pinned[name]}`;
  });
  await npm(['install', '--offline', tarball, ...specs], dir);
  return dir;
}
