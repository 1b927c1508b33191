import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/paths.js';

/**
 * Issue 14: since 1/7/2025 Vietnam has no district level, so nothing in the code or the
 * generic texts may assume one exists; the district is only one level of the 2021–2025
 * tree, which older campaign files still use. What is forbidden, precisely:
 *
 * 1. the level ids `district` / `district_agency` as a quoted string (a decision made on
 *    the level: `u.level === 'district'`, `pick('district', …)`) outside the files that
 *    define the 2021–2025 tree;
 * 2. the words "district", "huyện"/"huyen" (any case, whole words) anywhere else in
 *    src/, flows/, jobs/: no text, comment, id or name built on a district;
 * 3. in locales/, "huyện"/"district" in any message but the names of those two levels.
 *
 * The campaign presets and their demo unit lists (2021–2025 plans with real districts) are
 * data, not code, and are not checked here.
 */

/** Files allowed to name the district, and why. */
const ALLOWED: Record<string, string> = {
  'src/domain/levels.ts': 'the known levels and DEFAULT_HIERARCHY, the 2021–2025 tree',
  'src/campaign/schema.ts': "a 2021–2025 plan's issuer may be a district",
  'src/store/import-units.ts': 'the Vietnamese names a unit list may give the old levels (huyện, phòng …)',
  'src/store/units.ts': 'a unit named "Huyện …" is still found without its designator',
};

const WORD = /(^|[^\p{L}\p{N}_])(district\w*|huyện|huyen)(?![\p{L}\p{N}])/iu;
const LITERAL = /['"`]district(_agency)?['"`]/;

function files(dir: string): string[] {
  return fs.readdirSync(path.join(PROJECT_ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) return files(rel);
    return /\.(ts|html|js|mjs)$/.test(e.name) ? [rel] : [];
  });
}

describe('nothing assumes a district exists (issue 14)', () => {
  const code = ['src', 'flows', 'jobs'].flatMap(files);

  it('reads the code (the check is not vacuous)', () => {
    expect(code.length).toBeGreaterThan(100);
    expect(code).toContain('flows/invite.ts');
    expect(code).toContain('src/demo/seed.ts');
  });

  it('src/, flows/ and jobs/ name the district only where the 2021–2025 tree is defined', () => {
    const hits: string[] = [];
    for (const f of code) {
      if (f in ALLOWED) continue;
      fs.readFileSync(path.join(PROJECT_ROOT, f), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (WORD.test(line) || LITERAL.test(line)) hits.push(`${f}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(hits).toEqual([]);
  });

  it('the allowed files still hold what they are allowed for (remove them from the list when they stop)', () => {
    for (const f of Object.keys(ALLOWED)) expect(WORD.test(fs.readFileSync(path.join(PROJECT_ROOT, f), 'utf8')), f).toBe(true);
  });

  it('the pattern catches what it should, and not "chuyển"', () => {
    for (const s of ["pick('district', 'province')", 'Cán bộ theo dõi — Huyện', "staff: 'can-bo-huyen'", '// a district staff member', 'DISTRICT_LEVELS'])
      expect(WORD.test(s) || LITERAL.test(s), s).toBe(true);
    for (const s of ["['co', 'yes', 'dong y', 'chuyen']", 'chuyển đổi số']) expect(WORD.test(s) || LITERAL.test(s), s).toBe(false);
  });

  it('locales: only the names of the two old levels mention the district', () => {
    for (const lang of ['vi', 'en']) {
      const messages = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'locales', `${lang}.json`), 'utf8')) as Record<string, string>;
      const mention = Object.entries(messages)
        .filter(([, text]) => WORD.test(text))
        .map(([key]) => key);
      expect(mention, lang).toEqual(['level.district', 'level.district_agency']);
    }
  });
});
