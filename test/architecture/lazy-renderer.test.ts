import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/paths.js';

/**
 * The chart renderer (ECharts, resvg, fontkit: ≈ 70 MB of a process) is loaded on first use,
 * with `await import(…)`: every process builds the app, and a worker that only sends must
 * stay small (README, Benchmarks → Scale: worker RSS). Outside src/services/charts/, no file
 * imports it statically; its font list (charts/font.ts) is light and may be.
 */
const HEAVY = /^\s*import\s+(?!type\b)[^;]*?from\s+'((?:[^']*services\/charts\/(?!font\.js)[^']*)|echarts|@resvg\/resvg-js|fontkit)'/gm;

function files(): string[] {
  const out: string[] = [];
  for (const dir of ['src', 'flows', 'jobs'])
    for (const f of fs.readdirSync(path.join(PROJECT_ROOT, dir), { recursive: true, encoding: 'utf8' }))
      if (f.endsWith('.ts')) out.push(`${dir}/${f.split(path.sep).join('/')}`);
  return out.filter((f) => !f.startsWith('src/services/charts/'));
}

describe('the chart renderer is loaded on first use', () => {
  it('no static import of it outside src/services/charts', () => {
    const found = files().flatMap((f) => [...fs.readFileSync(path.join(PROJECT_ROOT, f), 'utf8').matchAll(HEAVY)].map((m) => `${f}: ${m[1]}`));
    expect(found).toEqual([]);
  });

  it('the check finds a static import', () => {
    expect([..."import { chartPng } from '../src/services/charts/index.js';".matchAll(HEAVY)]).toHaveLength(1);
    expect([..."import { FONT_FILES } from '../services/charts/font.js';".matchAll(HEAVY)]).toHaveLength(0);
    expect([..."import type { X } from '../services/charts/index.js';".matchAll(HEAVY)]).toHaveLength(0);
    expect([..."import * as echarts from 'echarts';".matchAll(HEAVY)]).toHaveLength(1);
  });
});
