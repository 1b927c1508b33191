import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/paths.js';

/**
 * Campaign time is read only through the injected clock (src/clock.ts; docs/architecture.md,
 * "Time"). Precisely: in src/, flows/ and jobs/, a read of the host clock — `Date.now()`,
 * an argument-less `new Date()` or `Date()` — appears only
 *   - in src/clock.ts (the real clock, and the demo clock built on it), or
 *   - on a line saying why the host's time is meant there, `// host clock: <reason>`
 *     (how long to wait for a lock, a duration, a BullMQ delay, a platform's own time, a
 *     unique id), and never in the modules that decide anything by campaign time (below),
 *     not even with a reason.
 * `new Date(x)` (parsing, copying) is not a read of the clock.
 */

const CAMPAIGN_TIME = [
  'src/domain/',
  'src/services/',
  'src/store/',
  'src/engine/steps/',
  'src/demo/',
  'flows/',
  'jobs/reminders.ts',
  'jobs/alerts.ts',
  'jobs/schedule.ts',
  'jobs/clock.ts',
  'jobs/broadcasts.ts',
];
const CLOCK_FILE = 'src/clock.ts';

const READS = /\bDate\.now\s*\(\s*\)|\bnew\s+Date\s*\(\s*\)|(?<!new\s+)(?<![\w.])Date\s*\(\s*\)/;
const REASON = /\/\/ host clock: \S.{2,}/;

function sourceFiles(): string[] {
  const out: string[] = [];
  for (const dir of ['src', 'flows', 'jobs'])
    for (const f of fs.readdirSync(path.join(PROJECT_ROOT, dir), { recursive: true, encoding: 'utf8' }))
      if (f.endsWith('.ts')) out.push(`${dir}/${f.split(path.sep).join('/')}`);
  return out.sort();
}

/** Lines reading the host clock, without block comments and `//` comments that are the whole line. */
function reads(file: string): { line: number; text: string }[] {
  const code = fs.readFileSync(path.join(PROJECT_ROOT, file), 'utf8').replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '));
  return code.split('\n').flatMap((text, i) => (READS.test(text.replace(/\/\/.*$/, '')) ? [{ line: i + 1, text: text.trim() }] : []));
}

describe('the host clock', () => {
  it('the pattern finds the ways of reading it, and not parsing', () => {
    for (const yes of ['const t = Date.now();', 'x = new Date();', 'new Date ( )', 'const s = Date();']) expect(READS.test(yes), yes).toBe(true);
    for (const no of ["new Date('2024-11-28')", 'new Date(ms)', 'Date.parse(s)', 'myDate()', 'x.Date()']) expect(READS.test(no), no).toBe(false);
  });

  it('is read only by src/clock.ts and on lines that say why; never by a campaign-time module', () => {
    const problems: string[] = [];
    let tagged = 0;
    for (const file of sourceFiles()) {
      if (file === CLOCK_FILE) continue;
      const strict = CAMPAIGN_TIME.some((p) => (p.endsWith('/') ? file.startsWith(p) : file === p));
      for (const r of reads(file)) {
        if (strict) problems.push(`${file}:${r.line} reads the host clock in a campaign-time module; use the injected clock (ctx.now, deps.now): ${r.text}`);
        else if (!REASON.test(r.text)) problems.push(`${file}:${r.line} reads the host clock without "// host clock: <why>"; campaign time comes from the injected clock: ${r.text}`);
        else tagged++;
      }
    }
    expect(problems).toEqual([]);
    // The scan saw the real clock and the host-time uses it allows (it would see a new one).
    expect(reads(CLOCK_FILE).length).toBeGreaterThan(0);
    expect(tagged).toBeGreaterThan(10);
  });
});
