import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/paths.js';

/**
 * The import rules of docs/architecture.md ("Layers"), checked on every .ts file of
 * src/, flows/, jobs/ and bench/. An import (type-only ones included: they are arrows
 * too) may point to its own layer or a lower one, never up, and files never import
 * each other in a circle.
 */

const root = PROJECT_ROOT;

/** Top to bottom. A file belongs to the first layer with a matching pattern (`dir/` = everything under it). */
const LAYERS: { name: string; files: string[] }[] = [
  { name: 'entry points', files: ['src/main.ts', 'src/worker.ts', 'src/cli/', 'bench/'] },
  { name: 'app and ops', files: ['src/app.ts', 'src/ops/'] },
  { name: 'web dashboard', files: ['src/web/'] },
  { name: 'jobs and demo', files: ['jobs/', 'src/demo/'] },
  { name: 'channels', files: ['src/channels/'] },
  { name: 'flows', files: ['flows/'] },
  { name: 'services', files: ['src/services/'] },
  { name: 'engine', files: ['src/engine/'] },
  { name: 'store, files, i18n', files: ['src/store/', 'src/files.ts', 'src/download.ts', 'src/i18n.ts'] },
  { name: 'domain and campaign', files: ['src/domain/', 'src/campaign/'] },
  { name: 'config, redis, paths, logger, clock', files: ['src/config/', 'src/redis/', 'src/paths.ts', 'src/logger.ts', 'src/clock.ts'] },
];

/** Narrower rules on top of the layers: `from` may reach files under `into` only through `only`. */
const PORTS: { from: string; into: string; only: string[]; why: string }[] = [
  { from: 'jobs/', into: 'src/channels/', only: ['src/channels/types.ts'], why: 'the jobs send through the OutboundChannel port, never a platform' },
  { from: 'src/channels/', into: 'src/services/', only: [], why: 'a channel gets what it needs from the app as a callback' },
  { from: 'src/channels/', into: 'flows/', only: [], why: 'channels hand messages to the engine, not to a conversation' },
];

/** Files outside the layers that may be imported, and by whom. */
const OUTSIDE: { target: string; by: string[] }[] = [
  { target: 'locales/', by: ['src/i18n.ts'] },
  { target: 'test/fakes/', by: ['bench/'] },
];

/** Source files longer than this need a reason at their top (within the first 40 lines, a comment starting "Long on purpose:"). */
const MAX_LINES = 320;
/** Long files another part of issue #12 is splitting (remove the entry when it is short). */
const BEING_SPLIT = ['src/engine/engine.ts'];

const under = (file: string, pattern: string) => (pattern.endsWith('/') ? file.startsWith(pattern) : file === pattern);

function layerOf(file: string): number {
  return LAYERS.findIndex((l) => l.files.some((p) => under(file, p)));
}

function sourceFiles(): string[] {
  const out: string[] = [];
  for (const dir of ['src', 'flows', 'jobs', 'bench']) {
    const abs = path.join(root, dir);
    if (!fs.existsSync(abs)) continue;
    for (const f of fs.readdirSync(abs, { recursive: true, encoding: 'utf8' })) if (f.endsWith('.ts')) out.push(`${dir}/${f.split(path.sep).join('/')}`);
  }
  return out.sort();
}

/** Relative specifiers of every static import/export-from, side-effect import and import(). */
export function specifiers(code: string): string[] {
  const text = code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const found = [
    ...text.matchAll(/\b(?:import|export)\s+(?:type\s+)?[\w*{}\s,$]*?\bfrom\s*['"]([^'"]+)['"]/g),
    ...text.matchAll(/\bimport\s*['"]([^'"]+)['"]/g),
    ...text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((m) => m[1]!);
  return [...new Set(found.filter((s) => s.startsWith('.')))];
}

/** The repository path a relative specifier of `from` names (`.js` → `.ts`, a folder → its index.ts). */
function resolve(from: string, spec: string): string {
  const abs = path.resolve(root, path.dirname(from), spec);
  const rel = path.relative(root, abs).split(path.sep).join('/');
  for (const candidate of [rel.replace(/\.js$/, '.ts'), rel, `${rel}.ts`, `${rel}/index.ts`]) if (fs.existsSync(path.join(root, candidate)) && fs.statSync(path.join(root, candidate)).isFile()) return candidate;
  return rel;
}

const files = sourceFiles();
const graph = new Map<string, { spec: string; target: string }[]>(
  files.map((f) => [f, specifiers(fs.readFileSync(path.join(root, f), 'utf8')).map((spec) => ({ spec, target: resolve(f, spec) }))]),
);

/** Every import that breaks a rule, as "file: import 'spec' (why)". */
export function violations(): string[] {
  const out: string[] = [];
  for (const [file, imports] of graph) {
    const from = layerOf(file);
    if (from < 0) {
      out.push(`${file}: in no layer (add it to LAYERS in test/architecture/layers.test.ts and to docs/architecture.md)`);
      continue;
    }
    for (const { spec, target } of imports) {
      const to = layerOf(target);
      if (to < 0) {
        const allowed = OUTSIDE.some((o) => under(target, o.target) && o.by.some((b) => under(file, b)));
        if (!allowed) out.push(`${file}: import '${spec}' (${target} is outside the layers)`);
        continue;
      }
      if (to < from) out.push(`${file}: import '${spec}' points up (${LAYERS[from]!.name} → ${LAYERS[to]!.name})`);
      for (const p of PORTS)
        if (under(file, p.from) && under(target, p.into) && !p.only.includes(target)) out.push(`${file}: import '${spec}' ${p.only.length ? `bypasses ${p.only.join(', ')}` : `reaches into ${p.into}`} (${p.why})`);
    }
  }
  return out;
}

/** Every import cycle among the files, as "a → b → a" (Tarjan's strongly connected components). */
export function cycles(): string[] {
  const edges = (f: string) => (graph.get(f) ?? []).map((i) => i.target).filter((t) => graph.has(t));
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[] = [];
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges(v)) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || edges(v).includes(v)) out.push(cyclePath(component, edges));
  };
  for (const f of graph.keys()) if (!index.has(f)) visit(f);
  return out;
}

/** One concrete circle through a strongly connected component, for the message. */
function cyclePath(component: string[], edges: (f: string) => string[]): string {
  const inside = new Set(component);
  const start = [...component].sort()[0]!;
  const seen = new Map<string, string>([[start, '']]);
  const queue = [start];
  while (queue.length) {
    const v = queue.shift()!;
    for (const w of edges(v)) {
      if (w === start) {
        const chain = [v];
        for (let p = seen.get(v)!; p; p = seen.get(p)!) chain.unshift(p);
        return [...chain, start].join(' → ');
      }
      if (inside.has(w) && !seen.has(w)) {
        seen.set(w, v);
        queue.push(w);
      }
    }
  }
  return component.join(' ↔ ');
}

describe('architecture', () => {
  it('reads every kind of import, type-only and multi-line ones included', () => {
    const code = [
      "import type { A } from './a.js';",
      'import {\n  B,\n  type C,\n} from "../b.js";',
      "export { D } from './d.js';",
      "export * from './e.js';",
      "import './f.js';",
      "const g = await import('./g.js');",
      "import express from 'express';",
      "// import { H } from './h.js';",
    ].join('\n');
    expect(specifiers(code)).toEqual(['./a.js', '../b.js', './d.js', './e.js', './f.js', './g.js']);
    expect(files.length).toBeGreaterThan(100);
    expect([...graph.values()].flat().length).toBeGreaterThan(300);
  });

  it('no import points to a higher layer, around a port, or outside the layers', () => {
    expect(violations()).toEqual([]);
  });

  it('no import cycles', () => {
    expect(cycles()).toEqual([]);
  });

  it(`no source file over ${MAX_LINES} lines without a reason at its top`, () => {
    const long = files.filter((f) => {
      const text = fs.readFileSync(path.join(root, f), 'utf8');
      return text.split('\n').length > MAX_LINES && !/Long on purpose:/.test(text.split('\n').slice(0, 40).join('\n'));
    });
    expect(long.filter((f) => !BEING_SPLIT.includes(f))).toEqual([]);
    // An exception that is no longer needed is removed, so it cannot hide a file that grows back.
    expect(BEING_SPLIT.filter((f) => !long.includes(f))).toEqual([]);
  });
});
