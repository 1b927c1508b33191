import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CAMPAIGNS_DIR,
  CampaignError,
  clearCampaignCache,
  listPresets,
  loadCampaign,
  parseCampaign,
} from '../../src/campaign/index.js';

let dir: string;
const base = () => JSON.parse(fs.readFileSync(path.join(CAMPAIGNS_DIR, 'binh-thanh-2024.json'), 'utf8'));

/** Writes a campaign file (object → JSON, string → as is) and returns its path. */
function write(name: string, content: unknown): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return p;
}

function errorOf(fn: () => unknown): CampaignError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CampaignError);
    return e as CampaignError;
  }
  throw new Error('expected a CampaignError');
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thidua-campaign-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('loadCampaign', () => {
  it('finds presets relative to the project, not the working directory', () => {
    const cwd = process.cwd();
    clearCampaignCache();
    try {
      process.chdir(dir);
      expect(loadCampaign('tu-ky-2021-2025').id).toBe('tu-ky-2021-2025');
      expect(listPresets()).toContain('binh-thanh-2024');
    } finally {
      process.chdir(cwd);
    }
  });

  it('caches presets by id and freezes them', () => {
    const a = loadCampaign('binh-thanh-2024');
    expect(loadCampaign('binh-thanh-2024')).toBe(a);
    expect(loadCampaign(' binh-thanh-2024 ')).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
    expect(Object.isFrozen(a.standards[0]!.indicators[0])).toBe(true);
    expect(() => {
      (a.deadlines.dossier.due as { day: number }).day = 6;
    }).toThrow(TypeError);
    clearCampaignCache();
    const b = loadCampaign('binh-thanh-2024');
    expect(b).not.toBe(a);
    expect(b).toEqual(a);
  });

  it('loads a user file by path, absolute or relative to the working directory', () => {
    const p = write('mine.json', { ...base(), id: 'xa-cua-toi-2024' });
    expect(loadCampaign(p).id).toBe('xa-cua-toi-2024');
    const cwd = process.cwd();
    try {
      process.chdir(dir);
      expect(loadCampaign('./mine.json').id).toBe('xa-cua-toi-2024');
      expect(loadCampaign('mine.json').id).toBe('xa-cua-toi-2024');
    } finally {
      process.chdir(cwd);
    }
  });

  it('an unknown preset id lists the available presets', () => {
    const e = errorOf(() => loadCampaign('ha-noi-2030'));
    expect(e.message).toContain('unknown campaign preset "ha-noi-2030"');
    for (const id of ['binh-thanh-2024', 'dong-thap-2021-2025', 'hai-duong-2021-2025', 'tu-ky-2021-2025'])
      expect(e.message).toContain(id);
  });

  it('a missing file is named', () => {
    const p = path.join(dir, 'nope.json');
    const e = errorOf(() => loadCampaign(p));
    expect(e.message).toContain(p);
    expect(e.message).toContain('no such campaign file');
  });

  it('an empty argument is refused', () => {
    expect(errorOf(() => loadCampaign('  ')).message).toContain('no campaign given');
  });
});

describe('errors name the file and the exact field', () => {
  it('a threshold above 100', () => {
    const c = base();
    c.standards[0].indicators[1].min = 101;
    const p = write('too-big.json', c);
    const e = errorOf(() => loadCampaign(p));
    expect(e.message).toBe(`${p}: standards[0].indicators[1].min: Too big: expected number to be <=100`);
    expect(e.file).toBe(p);
    expect(e.issues).toEqual(['standards[0].indicators[1].min: Too big: expected number to be <=100']);
  });

  it('missing awards', () => {
    const c = base();
    delete c.awards;
    const p = write('no-awards.json', c);
    const e = errorOf(() => loadCampaign(p));
    expect(e.message).toMatch(new RegExp(`^${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: awards: `));
    expect(e.message).toContain('expected array');
  });

  it('an empty award list', () => {
    const c = base();
    c.awards = [];
    const e = errorOf(() => loadCampaign(write('empty-awards.json', c)));
    expect(e.message).toContain(': awards: Too small');
  });

  it('an unknown unit level', () => {
    const c = base();
    c.unitLevels[3] = 'village';
    const e = errorOf(() => loadCampaign(write('village.json', c)));
    expect(e.message).toContain('village.json: unitLevels[3]: level "village" is not a level of the campaign\'s hierarchy (province, department, district,');
  });

  it('an unknown level in a standard', () => {
    const c = base();
    c.standards[2].level = 'xom';
    const e = errorOf(() => loadCampaign(write('xom.json', c)));
    expect(e.message).toContain('standards[2].level: level "xom" is not a level of the campaign\'s hierarchy');
  });

  describe('the hierarchy (issue 14): every level the file names is checked against its own levels', () => {
    const twoLevel = () => JSON.parse(fs.readFileSync(path.join(CAMPAIGNS_DIR, 'thai-nguyen-2026.json'), 'utf8'));

    it('a district in a two-level campaign is refused wherever it is named, each with its field', () => {
      const c = twoLevel();
      c.unitLevels.push('district');
      c.participants.collectives.push('district');
      c.standards[1].level = 'district';
      c.offices[0].level = 'district';
      c.hierarchy.parents.commune = ['district'];
      const e = errorOf(() => loadCampaign(write('district.json', c)));
      expect(e.issues).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^hierarchy\.parents\.commune\[0\]: "district" is not in hierarchy\.levels$/),
          expect.stringMatching(/^unitLevels\[7\]: level "district" is not a level of the campaign's hierarchy \(province, department, commune, ward, commune_agency, hamlet, tech_team\)$/),
          expect.stringMatching(/^participants\.collectives\[6\]: level "district" is not a level/),
          expect.stringMatching(/^standards\[1\]\.level: level "district" is not a level/),
          expect.stringMatching(/^offices\[0\]\.level: level "district" is not a level/),
        ]),
      );
    });

    it('a level the bot does not know needs its label; with one it is a level like any other', () => {
      const c = twoLevel();
      c.hierarchy.levels.push({ id: 'khu_cong_nghiep' });
      c.hierarchy.parents.khu_cong_nghiep = ['province'];
      expect(errorOf(() => loadCampaign(write('kcn.json', c))).issues).toEqual([
        expect.stringMatching(/^hierarchy\.levels\[7\]\.label: level "khu_cong_nghiep" is not one the bot knows \(province, .*\); give its label \{vi, en\}$/),
      ]);
      c.hierarchy.levels[7].label = { vi: 'Khu công nghiệp', en: 'Industrial park' };
      c.unitLevels.push('khu_cong_nghiep');
      c.participants.collectives.push('khu_cong_nghiep');
      expect(loadCampaign(write('kcn-ok.json', c)).unitLevels).toContain('khu_cong_nghiep');
    });

    it('a ward may issue a plan; a level id must be a short id', () => {
      const c = twoLevel();
      c.issuer.level = 'ward';
      expect(loadCampaign(write('ward.json', c)).issuer.level).toBe('ward');
      c.hierarchy.levels[0].id = 'Tỉnh';
      expect(errorOf(() => loadCampaign(write('bad-id.json', c))).message).toContain('hierarchy.levels[0].id: a level id like commune');
    });

    it('without a hierarchy the file gets the 2021–2025 tree, where a ward is unknown', () => {
      const c = base();
      c.unitLevels.push('ward');
      expect(errorOf(() => loadCampaign(write('ward-old.json', c))).issues).toEqual([
        'unitLevels[4]: level "ward" is not a level of the campaign\'s hierarchy (province, department, district, district_agency, commune, commune_agency, hamlet, tech_team, enterprise, organization)',
      ]);
    });
  });

  it('several problems give one line each', () => {
    const c = base();
    c.standards[0].indicators[0].min = -5;
    c.deadlines.dossier.due.month = 13;
    c.deadlines.reminderTime = '8h';
    delete c.awards[0].reviews[0].source;
    c.issuer.extra = 1;
    const p = write('many.json', c);
    const lines = errorOf(() => loadCampaign(p)).message.split('\n');
    expect(lines).toHaveLength(5);
    for (const l of lines) expect(l.startsWith(`${p}: `)).toBe(true);
    const fields = lines.map((l) => l.slice(p.length + 2).split(': ')[0]);
    expect(fields.sort()).toEqual(
      [
        'standards[0].indicators[0].min',
        'deadlines.dossier.due.month',
        'deadlines.reminderTime',
        'awards[0].reviews[0].source',
        'issuer.extra',
      ].sort(),
    );
    expect(lines.join('\n')).toContain('deadlines.reminderTime: a time like 08:00');
    expect(lines.join('\n')).toContain('issuer.extra: unknown field');
  });

  it('a provenance with neither a quote nor inferredFrom', () => {
    const c = base();
    c.standingOffice.source = { note: 'trust me' };
    const e = errorOf(() => loadCampaign(write('no-source.json', c)));
    expect(e.message).toContain('standingOffice.source: needs either seed + quote, or inferredFrom');
  });

  it('duplicate ids and levels outside the unit tree', () => {
    const c = base();
    c.awards[1].id = c.awards[0].id;
    c.contentAreas[2].id = 'awareness';
    c.participants.collectives.push('district');
    const e = errorOf(() => loadCampaign(write('dups.json', c)));
    expect(e.message).toContain('awards[1].id: duplicate award id "giay-khen-ubnd-xa"');
    expect(e.message).toContain('contentAreas[2].id: duplicate content area id "awareness"');
    expect(e.message).toContain('participants.collectives[3]: level "district" is not in unitLevels');
  });

  it('a review year outside the period', () => {
    const c = base();
    c.awards[0].reviews[0].year = 2031;
    const e = errorOf(() => loadCampaign(write('late.json', c)));
    expect(e.message).toContain('awards[0].reviews[0].year: 2031 is outside the period 2024–2024');
  });

  it('malformed JSON names the file and the place', () => {
    const p = write('broken.json', '{\n  "id": "x",\n  "name": { "vi": "a" "en": "b" }\n}\n');
    const e = errorOf(() => loadCampaign(p));
    expect(e.message.startsWith(`${p}: invalid JSON`)).toBe(true);
    expect(e.message).toContain('line 3');
    expect(e.message.split('\n')).toHaveLength(1);
  });

  it('a file that is not a campaign at all', () => {
    const e = errorOf(() => loadCampaign(write('array.json', '[1, 2]')));
    expect(e.message).toContain('array.json: (root): Invalid input: expected object');
  });

  it('a UTF-8 byte-order mark is accepted', () => {
    const p = write('bom.json', '\uFEFF' + JSON.stringify({ ...base(), id: 'bom-2024' }));
    expect(loadCampaign(p).id).toBe('bom-2024');
  });

  it('parseCampaign checks data already in memory', () => {
    expect(parseCampaign(base()).id).toBe('binh-thanh-2024');
    const e = errorOf(() => parseCampaign({ ...base(), launchYear: 2020 }, 'admin upload'));
    expect(e.message).toBe('admin upload: launchYear: 2020 is outside the period 2024–2024');
    const f = errorOf(() => parseCampaign(base(), 'campaigns/other.json', 'other'));
    expect(f.message).toContain('campaigns/other.json: id: "binh-thanh-2024" must match the file name (other)');
  });
});
