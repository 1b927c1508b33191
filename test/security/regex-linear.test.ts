import fs from 'node:fs';
import path from 'node:path';
import { parseSync } from 'vite';
import { describe, expect, it } from 'vitest';

/**
 * Issue #11.2, ReDoS-style: every regular expression in src/ (request data reaches most of
 * them: webhook headers and events, user text in the engine and the domain parsers, file
 * names, invite codes) must take linear time. Each is found in the source itself, so a new
 * one is checked without anyone listing it, and attacked with long repetitions of the
 * characters it loops on, behind each of its characters and literal words, ending in a
 * character that forces a failed match.
 */

/** The longest input any path gives a regex: a Zalo event body (64 KB); user text is capped at 4,000 characters. */
const MAX_INPUT = 64 * 1024;
/** Per regex and input of MAX_INPUT characters; linear patterns need well under 5 ms. */
const BUDGET_MS = 25;

/** `new RegExp(...)` in src/, each reviewed: built from constants, linear by construction. */
const DYNAMIC_REGEXPS: Record<string, string> = {
  'src/store/invite-codes.ts': 'LEGACY / CURRENT: ^[alphabet]{length}$, one bounded class, anchored',
  'src/ops/health.ts': '^<INFO field name>:(\\d+) with a constant field name, over Redis INFO output (never request data)',
};

/** Patterns that only ever see configuration, never request data; quadratic in their input, which an operator writes. */
const CONFIG_ONLY: Record<string, string> = {
  '\\/+$': 'trims the trailing slashes of a configured base URL (TELEGRAM_API_ROOT, ZALO_*_BASE, PUBLIC_URL)',
};

interface Found {
  file: string;
  where: string;
  regex: RegExp;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function regexesInSource(): { literals: Found[]; dynamic: string[] } {
  const literals: Found[] = [];
  const dynamic: string[] = [];
  for (const file of sourceFiles('src')) {
    const code = fs.readFileSync(file, 'utf8');
    const parsed = parseSync(file, code, { lang: 'ts' });
    expect(parsed.errors, file).toEqual([]);
    const visit = (node: unknown): void => {
      if (!node || typeof node !== 'object') return;
      if (Array.isArray(node)) return node.forEach(visit);
      const n = node as { type?: string; regex?: { pattern: string; flags: string }; callee?: { type?: string; name?: string }; start?: number };
      if (n.type === 'Literal' && n.regex) {
        const line = code.slice(0, n.start).split('\n').length;
        literals.push({ file, where: `${file}:${line} /${n.regex.pattern}/${n.regex.flags}`, regex: new RegExp(n.regex.pattern, n.regex.flags) });
      }
      if ((n.type === 'NewExpression' || n.type === 'CallExpression') && n.callee?.type === 'Identifier' && n.callee.name === 'RegExp') dynamic.push(file);
      for (const [k, v] of Object.entries(n)) if (k !== 'parent') visit(v);
    };
    visit(parsed.program);
  }
  return { literals, dynamic };
}

/** Characters the usual classes match (\s, \w, \d, \p{L}, combining marks, punctuation), plus each character of the pattern. */
const SAMPLES = [...' \t\n\u00a0aZ09_-.,;:|/\\"\'@%+=()[]{}<>#?*&!~`$^ữđĐ\u0301\u0300'];
const STARTS = ['', '0', 'a', ' ', '-', '.'];
const ENDS = ['\u0000', '!', '\n'];

interface Attack {
  start: string;
  pump: string;
  end: string;
}
const build = (a: Attack, length: number) => a.start + a.pump.repeat(Math.max(0, length - a.start.length - 1)) + a.end;

function attacks(regex: RegExp): Attack[] {
  const own = [...new Set(regex.source.replace(/\\[dswDSWpPu]/g, ''))].filter((c) => c >= ' ');
  const words = regex.source.match(/[A-Za-z0-9 |/=]{2,}/g) ?? [];
  const out: Attack[] = [];
  for (const start of new Set([...STARTS, ...own, ...words])) {
    for (const pump of new Set([...SAMPLES, ...own])) for (const end of ENDS) out.push({ start, pump, end });
  }
  return out;
}

/** Every start position is tried (a `g` scan), as `replace`, `split`, `test` and `exec` on a failing input do. */
function timeMs(scan: RegExp, input: string): number {
  const t = performance.now();
  input.replace(scan, '');
  return performance.now() - t;
}

/** Why `regex` is not linear on some attack of up to `length` characters (empty: it is). */
function superLinear(regex: RegExp, length = MAX_INPUT): string[] {
  const scan = new RegExp(regex.source, regex.flags.includes('g') ? regex.flags : `${regex.flags}g`);
  const all = attacks(regex);
  // Exponential patterns ((a+)+$) are slow on 24 characters already, and would hang the ranking below.
  const exponential = all.find((a) => Math.min(timeMs(scan, build(a, 24)), timeMs(scan, build(a, 24))) > 5);
  if (exponential) return [`exponential on ${JSON.stringify(exponential)}`];
  // Rank every attack on 2,048 characters (long enough that a quadratic one stands out of
  // the timer's noise; 256 sometimes ranked it below linear ones), then run the three worst
  // at full length, best of 3.
  const worst = all
    .map((a) => ({ a, ms: timeMs(scan, build(a, 2048)) }))
    .sort((x, y) => y.ms - x.ms)
    .slice(0, 3);
  for (const { a } of worst) {
    const input = build(a, length);
    let ms = Infinity;
    for (let attempt = 0; attempt < 3 && ms >= BUDGET_MS; attempt++) ms = Math.min(ms, timeMs(scan, input));
    if (ms >= BUDGET_MS) return [`${Math.round(ms)} ms on ${JSON.stringify(a)}`];
  }
  return [];
}

describe('every regex in src/ runs in linear time on hostile input', () => {
  const { literals, dynamic } = regexesInSource();

  it('finds them in the source; a RegExp built at run time is one reviewed here', () => {
    expect(literals.length).toBeGreaterThan(50);
    expect([...new Set(dynamic)].sort()).toEqual(Object.keys(DYNAMIC_REGEXPS).sort());
    const configOnly = literals.filter((l) => l.regex.source in CONFIG_ONLY).map((l) => l.file);
    expect([...new Set(configOnly)].sort()).toEqual(['src/channels/telegram/channel.ts', 'src/channels/zalo/api.ts', 'src/channels/zalo/oauth.ts', 'src/cli/commands/telegram.ts', 'src/config/index.ts']);
  });

  it(`each takes under ${BUDGET_MS} ms on its worst ${MAX_INPUT}-character attack`, () => {
    const slow = literals.filter((l) => !(l.regex.source in CONFIG_ONLY)).flatMap((l) => superLinear(l.regex).map((why) => `${l.where}: ${why}`));
    expect(slow).toEqual([]);
  });

  it('the check itself catches known super-linear patterns', () => {
    const known = [
      /("(?:[^"\\]|\\.)*")|(?<=[:[,]\s*)(-?\d{16,})(?=\s*[,}\]])/g, // the old Zalo event parser (issue #11)
      /^\s*(-?)(\d+(?:[.,]\d*)?|[.,]\d+)\s*%?\s*$/, // the old percent parser
      /\/+$/,
      /^(\w+\s?)*$/,
      /(a+)+$/,
    ];
    // 16 K characters are enough to see a quadratic pattern blow the budget.
    for (const regex of known) expect(superLinear(regex, 16 * 1024), String(regex)).not.toEqual([]);
  });
});
