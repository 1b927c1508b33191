import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/paths.js';

const root = PROJECT_ROOT;
const read = (lang: string) => JSON.parse(fs.readFileSync(path.join(root, 'locales', `${lang}.json`), 'utf8')) as Record<string, string>;
const vi = read('vi');
const en = read('en');

function sources(dir: string): string[] {
  return fs.readdirSync(path.join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => fs.readFileSync(path.join(root, dir, f), 'utf8'));
}
const code = [...sources('src'), ...sources('flows'), ...(fs.existsSync(path.join(root, 'jobs')) ? sources('jobs') : [])].join('\n');

describe('locales', () => {
  it('vi and en have exactly the same keys', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(vi).sort());
  });

  it('no message is empty, and both languages use the same {placeholders}', () => {
    for (const key of Object.keys(vi)) {
      expect(vi[key]!.trim(), key).not.toBe('');
      expect(en[key]!.trim(), key).not.toBe('');
      const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect(names(en[key]!), key).toEqual(names(vi[key]!));
    }
  });

  it('every key is used by the code (literally, or through a `prefix.${…}` template)', () => {
    const templates = [...code.matchAll(/`([a-z_]+\.[a-z_]*)\$\{/g)].map((m) => m[1]!);
    const unused = Object.keys(vi).filter((k) => !code.includes(`'${k}'`) && !code.includes(`"${k}"`) && !templates.some((p) => k.startsWith(p)));
    expect(unused).toEqual([]);
  });

  it('every key the code names exists (t() is typed; this also catches keys in plain strings)', () => {
    const named = [...code.matchAll(/\bt\(\s*'([a-z_]+\.[a-z0-9_.]+)'/g)].map((m) => m[1]!);
    expect(named.length).toBeGreaterThan(50);
    expect(named.filter((k) => !(k in vi))).toEqual([]);
  });
});
