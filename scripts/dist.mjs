/**
 * The compiled JavaScript in dist/, rebuilt only when what it is compiled from changed.
 * Plain `node` starts our entry points in a fraction of what tsx costs (tsx transpiles
 * every imported file at every start). "Changed" is a content hash of the TypeScript
 * sources and the compiler settings, not file times: a git checkout or stash that brings
 * back older content is noticed too. The hashes live in dist/.build-stamp.json.
 *
 * No dependencies beyond Node and the typescript devDependency, so that
 * `npm ci && npm start` works on a fresh clone.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.join(ROOT, 'dist');
const STAMP = path.join(DIST, '.build-stamp.json');
const SOURCE = /\.[cm]?tsx?$/;

/** `src/main.ts` → the absolute path of `dist/src/main.js` (outDir dist, rootDir .). */
export function distPath(entry) {
  return path.join(DIST, path.relative(ROOT, path.resolve(ROOT, entry)).replace(/\.([cm]?)tsx?$/, '.$1js'));
}

function tscBin() {
  try {
    const pkg = createRequire(import.meta.url).resolve('typescript/package.json');
    return path.join(path.dirname(pkg), 'bin', 'tsc');
  } catch {
    return null;
  }
}

/** Everything that changes what tsc emits for every project: the shared settings and the compiler's version. */
function settingsHash() {
  const h = createHash('sha256');
  for (const f of fs.readdirSync(ROOT).filter((f) => /^tsconfig.*\.json$/.test(f)).sort()) h.update(`${f}\0${fs.readFileSync(path.join(ROOT, f))}\0`);
  const tsc = tscBin();
  h.update(tsc ? fs.readFileSync(path.join(path.dirname(tsc), '..', 'package.json')) : 'no typescript');
  return h.digest('hex');
}

/** Paths and contents of the TypeScript files under `dir`, in a stable order. */
function treeHash(dir) {
  const h = createHash('sha256');
  const walk = (d) => {
    if (!fs.existsSync(d)) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (SOURCE.test(e.name)) h.update(`${path.relative(ROOT, p)}\0${fs.readFileSync(p)}\0`);
    }
  };
  walk(dir);
  return h.digest('hex');
}

/** The folders a project compiles (its `include`, or that of the config it extends). */
function includes(project) {
  const file = path.join(ROOT, project);
  const config = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (config.include) return config.include.map((p) => path.relative(ROOT, path.resolve(path.dirname(file), p)));
  if (config.extends) return includes(path.relative(ROOT, path.resolve(path.dirname(file), config.extends)));
  throw new Error(`${project} has no include`);
}

function readStamp() {
  try {
    return JSON.parse(fs.readFileSync(STAMP, 'utf8'));
  } catch {
    return null;
  }
}

/**
 * Compiles `project` unless dist/ already holds the output of exactly these sources (and
 * `entries`, the files about to be run, exist). Projects share dist/ and settings, so a
 * build of tsconfig.test.json (a superset) also counts for tsconfig.build.json.
 * Returns whether it compiled. tsc's messages go to stderr, keeping stdout for the program.
 */
export function ensureDist(project = 'tsconfig.build.json', entries = []) {
  const settings = settingsHash();
  const roots = Object.fromEntries(includes(project).map((dir) => [dir, treeHash(path.join(ROOT, dir))]));
  const stamp = readStamp();
  const current =
    stamp?.settings === settings && Object.entries(roots).every(([dir, hash]) => stamp.roots?.[dir] === hash) && entries.every((e) => fs.existsSync(distPath(e)));
  if (current) return false;

  const tsc = tscBin();
  if (!tsc && entries.length && entries.every((e) => fs.existsSync(distPath(e)))) {
    // A production install (npm ci --omit=dev) next to a dist/ built elsewhere: run that.
    process.stderr.write('TypeScript is not installed, so dist/ cannot be checked against the sources; running it as it is.\n');
    return false;
  }
  if (!tsc) throw new Error('dist/ is missing or out of date and TypeScript is not installed: run `npm ci` (with dev dependencies), or `npm run build` where it is.');
  process.stderr.write(`Compiling TypeScript (${project}) into dist/ …\n`);
  const r = spawnSync(process.execPath, [tsc, '-p', project], { cwd: ROOT, stdio: ['ignore', 2, 2] });
  const emitted = entries.every((e) => fs.existsSync(distPath(e)));
  if (r.status !== 0 && !emitted) throw new Error(`tsc -p ${project} failed (exit ${r.status ?? r.signal}); see its messages above`);
  if (r.status !== 0) {
    // Type errors do not stop the emit; run what was emitted (as tsx would), and say so every time until fixed.
    process.stderr.write('TypeScript reported errors (above; `npm run lint` lists them); running the compiled code anyway.\n');
    return true;
  }
  const kept = stamp?.settings === settings ? stamp.roots : {};
  fs.writeFileSync(STAMP, `${JSON.stringify({ settings, roots: { ...kept, ...roots } }, null, 2)}\n`);
  return true;
}
