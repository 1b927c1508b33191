import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  listPresets,
  loadCampaign,
  type Campaign,
  type Indicator,
  type Provenance,
  type Review,
} from '../../src/campaign/index.js';
import { isLevelOf, levelsOf, mayBeParent, type UnitLevel } from '../../src/domain/levels.js';
import { levelName } from '../../src/i18n.js';
import { PROJECT_ROOT } from '../../src/paths.js';

/**
 * The seed plans live in shared/seeds beside the repository: next to the CI clone, or some
 * levels up from a worktree (/work/shared/seeds from /work/wt/x), so look upwards.
 */
function findSeeds(): string {
  for (let dir = PROJECT_ROOT; ; dir = path.dirname(dir)) {
    const seeds = path.join(dir, 'shared', 'seeds');
    if (fs.existsSync(seeds)) return seeds;
    if (path.dirname(dir) === dir) throw new Error(`no shared/seeds in ${PROJECT_ROOT} or above it`);
  }
}
const SEEDS_DIR = findSeeds();

const DT = '000_d7286785418e3acc.txt'; // Đồng Tháp, extraction 1
const DT2 = '001_760fa4d443487fc2.txt'; // Đồng Tháp, extraction 2 (with the document header)
const TK = '002_8a7e83cb4e2fdf51.txt'; // Tứ Kỳ
const BT = '003_829a1a4e0a8970a5.txt'; // Bình Thành
const HD = '004_44a00f9a7be812e9.txt'; // Hải Dương

const SEED_PRESETS = ['binh-thanh-2024', 'dong-thap-2021-2025', 'hai-duong-2021-2025', 'tu-ky-2021-2025'];
/** Presets of plans not among the seeds: every value is inferred from a seed preset (issue 14: a two-level campaign). */
const INFERRED_PRESETS = ['thai-nguyen-2026'];
const PRESETS = [...SEED_PRESETS, ...INFERRED_PRESETS].sort();

/** Seed text with runs of whitespace collapsed to one space (the seeds are hard-wrapped). */
const seedCache = new Map<string, string>();
function seed(file: string): string {
  let text = seedCache.get(file);
  if (text === undefined) {
    const p = path.join(SEEDS_DIR, file);
    if (!fs.existsSync(p)) throw new Error(`seed file ${p} not found: the tests need shared/seeds beside the repository or above it`);
    text = fs.readFileSync(p, 'utf8').replace(/\s+/g, ' ');
    seedCache.set(file, text);
  }
  return text;
}

/** Every provenance object in a preset, with its JSON path. */
function provenances(c: Campaign): { path: string; p: Provenance }[] {
  const out: { path: string; p: Provenance }[] = [];
  const walk = (v: unknown, at: string) => {
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${at}[${i}]`));
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'source') out.push({ path: `${at}.source`, p: x as Provenance });
        else walk(x, at ? `${at}.${k}` : k);
      }
    }
  };
  walk(c, '');
  return out;
}

function indicator(c: Campaign, level: UnitLevel, id: string): Indicator {
  const s = c.standards.find((x) => x.level === level);
  const ind = s?.indicators.find((i) => i.id === id);
  if (!ind) throw new Error(`${c.id}: no indicator ${id} at level ${level}`);
  return ind;
}

function review(c: Campaign, awardId: string, reviewId: string): Review {
  const r = c.awards.find((a) => a.id === awardId)?.reviews.find((x) => x.id === reviewId);
  if (!r) throw new Error(`${c.id}: no review ${awardId}/${reviewId}`);
  return r;
}

/** The value is quoted from `file`, and the quote (found in the seed) contains every needle. */
function expectQuoted(src: Provenance, file: string, ...needles: string[]) {
  expect(src.seed).toBe(file);
  expect(src.quote).toBeTruthy();
  expect(seed(file)).toContain(src.quote!);
  for (const n of needles) expect(src.quote!.toLowerCase()).toContain(n.toLowerCase());
}

const presets = () => PRESETS.map((id) => loadCampaign(id));

describe('campaign presets', () => {
  it('lists exactly the four seed presets and the inferred two-level one', () => {
    expect(listPresets()).toEqual(PRESETS);
  });

  it.each(PRESETS)('%s loads and validates', (id) => {
    const c = loadCampaign(id);
    expect(c.id).toBe(id);
    expect(c.contentAreas.length).toBeGreaterThanOrEqual(5);
    expect(c.contentAreas.length).toBeLessThanOrEqual(12);
    expect(c.awards.length).toBeGreaterThan(0);
    expect(c.dossierParts.map((p) => p.id)).toEqual([
      'to_trinh',
      'bien_ban',
      'bao_cao_thanh_tich',
      'bao_cao_so_tong_ket',
      'ke_hoach_phat_dong',
    ]);
  });

  it('the seed plans are where the tests expect them', () => {
    for (const f of [DT, DT2, TK, BT, HD]) expect(seed(f).length).toBeGreaterThan(10_000);
  });

  describe('provenance', () => {
    for (const id of PRESETS) {
      it(`${id}: every quote is an exact substring of its seed (whitespace collapsed), 20–120 characters`, () => {
        const c = loadCampaign(id);
        const quoted = provenances(c).filter((x) => x.p.seed || x.p.quote);
        if (INFERRED_PRESETS.includes(id)) expect(quoted).toEqual([]);
        else expect(quoted.length).toBeGreaterThan(0);
        for (const { path: at, p } of quoted) {
          expect(p.seed, `${id} ${at}: quote without seed`).toBeTruthy();
          expect(p.quote, `${id} ${at}: seed without quote`).toBeTruthy();
          expect(seed(p.seed!).includes(p.quote!), `${id} ${at}: "${p.quote}" is not in ${p.seed}`).toBe(true);
          expect(p.quote!.length, `${id} ${at}: quote length`).toBeGreaterThanOrEqual(20);
          expect(p.quote!.length, `${id} ${at}: quote length`).toBeLessThanOrEqual(120);
        }
      });

      it(`${id}: every inferredFrom names another existing preset, or this-plan`, () => {
        const c = loadCampaign(id);
        for (const { path: at, p } of provenances(c).filter((x) => x.p.inferredFrom)) {
          // 'this-plan': a reading of this preset's own plan (a part's scope, say), its note says which words.
          if (p.inferredFrom !== 'this-plan') expect(PRESETS, `${id} ${at}`).toContain(p.inferredFrom);
          expect(p.inferredFrom, `${id} ${at}: inferred from itself`).not.toBe(id);
          expect(p.note, `${id} ${at}: an inferred value needs a note saying why`).toBeTruthy();
          if (INFERRED_PRESETS.includes(id)) expect(SEED_PRESETS, `${id} ${at}: inferred from a plan's own preset`).toContain(p.inferredFrom);
        }
      });
    }

    it('every inferred value matches the preset it was taken from', () => {
      for (const c of presets()) {
        for (const s of c.standards)
          for (const ind of s.indicators) {
            if (!ind.source.inferredFrom) continue;
            const from = loadCampaign(ind.source.inferredFrom);
            const mins = from.standards.flatMap((x) => x.indicators.filter((i) => i.id === ind.id).map((i) => i.min));
            expect(mins, `${c.id} ${s.level}.${ind.id} from ${from.id}`).toContain(ind.min);
          }
        for (const a of c.awards)
          for (const r of a.reviews) {
            if (!r.source.inferredFrom) continue;
            const from = loadCampaign(r.source.inferredFrom);
            // The same kind, at the same place in its plan (a final review in the plan's last year …).
            const at = (y: number | null, p: Campaign) => (y === null ? null : y - p.period.to);
            const same = from.awards.flatMap((x) => x.reviews).filter((x) => x.kind === r.kind && at(x.year, from) === at(r.year, c));
            expect(same.length, `${c.id} ${a.id}/${r.id} from ${from.id}`).toBeGreaterThan(0);
          }
        for (const part of c.dossierParts) {
          if (!part.source.inferredFrom) continue;
          const from = loadCampaign(part.source.inferredFrom).dossierParts.find((p) => p.id === part.id);
          expect(from, `${c.id} dossier part ${part.id}`).toBeDefined();
          expect(part.required, `${c.id} dossier part ${part.id}`).toBe(from!.required);
        }
        for (const key of ['report', 'dossier'] as const) {
          const d = c.deadlines[key];
          if (!d.source.inferredFrom) continue;
          expect(d.due, `${c.id} deadlines.${key}`).toEqual(loadCampaign(d.source.inferredFrom).deadlines[key].due);
        }
        const reg = c.deadlines.registration;
        if (reg.source.inferredFrom)
          expect(reg.quarter).toBe(loadCampaign(reg.source.inferredFrom).deadlines.registration.quarter);
      }
    });

    it(`Đồng Tháp quotes are found in both extractions of the plan (${DT}, ${DT2}), except the header only ${DT2} kept`, () => {
      const c = loadCampaign('dong-thap-2021-2025');
      for (const { path: at, p } of provenances(c).filter((x) => x.p.quote)) {
        expect(seed(DT2), at).toContain(p.quote!);
        if (at !== 'issuer.source') expect(seed(DT), at).toContain(p.quote!);
      }
    });

    it('every indicator quote contains the indicator’s own percentage', () => {
      for (const c of presets())
        for (const s of c.standards)
          for (const ind of s.indicators)
            if (ind.source.quote) expect(ind.source.quote, `${c.id} ${s.level}.${ind.id}`).toContain(`${ind.min}%`);
    });
  });

  describe('shared vocabulary', () => {
    it('indicator ids mean the same thing in every preset', () => {
      const known = ['online_records', 'electronic_documents', 'econ_reports_software', 'lgsp_databases'];
      for (const c of presets())
        for (const s of c.standards) for (const ind of s.indicators) expect(known, `${c.id} ${s.level}`).toContain(ind.id);
    });

    it('every collective level that takes part and has a standard can report; hamlets and tech teams can', () => {
      const bt = loadCampaign('binh-thanh-2024');
      for (const level of ['commune_agency', 'hamlet', 'tech_team'] as const) {
        const s = bt.standards.find((x) => x.level === level);
        expect(s?.indicators.length, level).toBeGreaterThan(0);
      }
    });

    it('reminder settings are the defaults in every preset', () => {
      for (const c of presets()) {
        expect(c.deadlines.report.reminderOffsetsDays).toEqual([7, 3, 1, 0]);
        expect(c.deadlines.dossier.reminderOffsetsDays).toEqual([7, 3, 1, 0]);
        expect(c.deadlines.registration.reminderOffsetsDays).toEqual([14, 7, 1]);
        expect(c.deadlines.reminderTime).toBe('08:00');
        expect(c.deadlines.staffAlertOffsetsDays).toEqual([5, 2, 0]);
      }
    });

    it('reporting years: every year of the plan (Bình Thành: 2024 only)', () => {
      expect(loadCampaign('binh-thanh-2024').reportingYears).toEqual([2024]);
      expect(loadCampaign('hai-duong-2021-2025').reportingYears).toEqual([2021, 2022, 2023, 2024, 2025]);
      expect(loadCampaign('tu-ky-2021-2025').reportingYears).toEqual([2021, 2022, 2023, 2024, 2025]);
      // Issued in June 2022: no 2021 report can be asked for.
      expect(loadCampaign('dong-thap-2021-2025').reportingYears).toEqual([2022, 2023, 2024, 2025]);
    });
  });
});

/** Every level id a campaign file names, with where: unitLevels, participants, any `level` field, the hierarchy's parent rules. */
function namedLevels(raw: unknown): { at: string; level: string }[] {
  const out: { at: string; level: string }[] = [];
  const walk = (v: unknown, at: string) => {
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${at}[${i}]`));
    else if (v && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) {
        const here = at ? `${at}.${k}` : k;
        if (k === 'level' && typeof x === 'string') out.push({ at: here, level: x });
        else if ((k === 'unitLevels' || k === 'collectives') && Array.isArray(x)) x.forEach((l: string, i) => out.push({ at: `${here}[${i}]`, level: l }));
        else if (k === 'parents' && at === 'hierarchy')
          for (const [child, parents] of Object.entries(x as Record<string, string[]>)) {
            out.push({ at: `${here}.${child}`, level: child });
            parents.forEach((l, i) => out.push({ at: `${here}.${child}[${i}]`, level: l }));
          }
        else walk(x, here);
      }
  };
  walk(raw, '');
  return out;
}

describe('the hierarchy is data (issue 14)', () => {
  const raw = (id: string): unknown => JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'campaigns', `${id}.json`), 'utf8'));

  it.each(PRESETS)('%s: every level named anywhere in the file is a level of its hierarchy', (id) => {
    const c = loadCampaign(id);
    const named = namedLevels(raw(id));
    expect(named.length).toBeGreaterThan(5);
    for (const { at, level } of named) expect(isLevelOf(c, level), `${id} ${at}: "${level}" (levels: ${levelsOf(c).join(', ')})`).toBe(true);
  });

  it.each(PRESETS)('%s: every level its unit tree uses has a name in both languages', (id) => {
    const c = loadCampaign(id);
    for (const level of c.unitLevels)
      for (const lang of ['vi', 'en'] as const) expect(levelName(c, level, lang), `${id} ${level} ${lang}`).not.toBe(`level.${level}`);
  });

  it('the seed presets keep the 2021–2025 tree (no hierarchy in their files)', () => {
    for (const id of SEED_PRESETS) expect(loadCampaign(id).hierarchy, id).toBeUndefined();
  });

  it('thai-nguyen-2026 is two-level: communes and wards under the province, no district anywhere', () => {
    const c = loadCampaign('thai-nguyen-2026');
    expect(c.issuer.level).toBe('province');
    expect(mayBeParent(c, 'commune', 'province')).toBe(true);
    expect(mayBeParent(c, 'ward', 'province')).toBe(true);
    expect(mayBeParent(c, 'hamlet', 'commune')).toBe(true);
    expect(mayBeParent(c, 'hamlet', 'ward')).toBe(true);
    expect(levelsOf(c).filter((l) => l.startsWith('district'))).toEqual([]);
    expect(JSON.stringify(raw('thai-nguyen-2026'))).not.toMatch(/"district/);
    expect(levelName(c, 'ward', 'vi')).toBe('Phường');
    // The contract's offices and chains: every chain step names one of the plan's offices.
    const offices = new Set((c.offices ?? []).map((o) => o.id));
    const steps = c.awards.flatMap((a) => a.reviews.flatMap((r) => r.chain ?? []));
    expect(steps.map((s) => s.step)).toContain('receive');
    for (const s of steps) if (s.office !== null) expect(offices.has(s.office), s.office).toBe(true);
  });
});

describe('numbers from the seed plans', () => {
  const hd = () => loadCampaign('hai-duong-2021-2025');
  const tk = () => loadCampaign('tu-ky-2021-2025');
  const dt = () => loadCampaign('dong-thap-2021-2025');
  const bt = () => loadCampaign('binh-thanh-2024');

  // Hải Dương standards (004)
  it(`Hải Dương department online records ≥ 90 % (${HD})`, () => {
    const i = indicator(hd(), 'department', 'online_records');
    expect(i.min).toBe(90);
    expectQuoted(i.source, HD, '90%', 'hồ sơ công việc');
  });
  it(`Hải Dương district online records ≥ 80 % (${HD})`, () => {
    const i = indicator(hd(), 'district', 'online_records');
    expect(i.min).toBe(80);
    expectQuoted(i.source, HD, '80%', 'cấp huyện');
  });
  it(`Hải Dương commune online records ≥ 60 % (${HD})`, () => {
    const i = indicator(hd(), 'commune', 'online_records');
    expect(i.min).toBe(60);
    expectQuoted(i.source, HD, '60%', 'cấp xã');
  });
  it(`Hải Dương department LGSP shared databases ≥ 70 % (${HD})`, () => {
    const i = indicator(hd(), 'department', 'lgsp_databases');
    expect(i.min).toBe(70);
    expectQuoted(i.source, HD, 'Tối thiểu 70%', 'cơ sở dữ liệu dùng chung');
  });
  for (const level of ['department', 'district', 'commune'] as const) {
    it(`Hải Dương ${level} electronic documents = 100 % (${HD})`, () => {
      const i = indicator(hd(), level, 'electronic_documents');
      expect(i.min).toBe(100);
      expectQuoted(i.source, HD, '100%', 'văn bản điện tử');
    });
    it(`Hải Dương ${level} socio-economic reports on the provincial software = 100 % (${HD})`, () => {
      const i = indicator(hd(), level, 'econ_reports_software');
      expect(i.min).toBe(100);
      expectQuoted(i.source, HD, '100%', 'phần mềm báo cáo của tỉnh');
    });
  }
  it(`Hải Dương: LGSP is a department-only indicator (${HD})`, () => {
    const levels = hd().standards.filter((s) => s.indicators.some((i) => i.id === 'lgsp_databases')).map((s) => s.level);
    expect(levels).toEqual(['department']);
  });

  // Tứ Kỳ standards (002)
  it(`Tứ Kỳ district online records ≥ 80 % (${TK})`, () => {
    const i = indicator(tk(), 'district', 'online_records');
    expect(i.min).toBe(80);
    expectQuoted(i.source, TK, '80%', 'cấp huyện');
  });
  it(`Tứ Kỳ district offices online records ≥ 80 %, the “cấp huyện” row (${TK})`, () => {
    const i = indicator(tk(), 'district_agency', 'online_records');
    expect(i.min).toBe(80);
    expectQuoted(i.source, TK, '80%', 'cấp huyện');
  });
  it(`Tứ Kỳ commune online records ≥ 70 % (${TK})`, () => {
    const i = indicator(tk(), 'commune', 'online_records');
    expect(i.min).toBe(70);
    expectQuoted(i.source, TK, '70%', 'cấp xã');
  });
  for (const level of ['district', 'commune'] as const) {
    it(`Tứ Kỳ ${level} electronic documents = 100 % (${TK})`, () => {
      const i = indicator(tk(), level, 'electronic_documents');
      expect(i.min).toBe(100);
      expectQuoted(i.source, TK, '100%', 'văn bản điện tử');
    });
    it(`Tứ Kỳ ${level} socio-economic reports on the provincial software = 100 % (${TK})`, () => {
      const i = indicator(tk(), level, 'econ_reports_software');
      expect(i.min).toBe(100);
      expectQuoted(i.source, TK, '100%', 'phần mềm báo cáo của tỉnh');
    });
  }

  // Đồng Tháp awards and dates (000/001)
  it(`Đồng Tháp Bằng khen, interim review 2023: at most 10 collectives, 20 individuals (${DT2}, ${DT})`, () => {
    const r = review(dt(), 'bang-khen-ubnd-tinh', 'so-ket-2023');
    expect(r.kind).toBe('interim');
    expect(r.year).toBe(2023);
    expect(r.quota).toEqual({ collective: 10, individual: 20 });
    expectQuoted(r.source, DT2, 'không quá 10 tập thể, 20 cá nhân');
    expect(seed(DT)).toContain(r.source.quote!);
    expect(seed(DT2)).toContain('Thời gian sơ kết: Tháng 12 năm 2023');
  });
  it(`Đồng Tháp Bằng khen, final review 2025: at most 20 collectives, 30 individuals (${DT2}, ${DT})`, () => {
    const r = review(dt(), 'bang-khen-ubnd-tinh', 'tong-ket-2025');
    expect(r.kind).toBe('final');
    expect(r.year).toBe(2025);
    expect(r.quota).toEqual({ collective: 20, individual: 30 });
    expectQuoted(r.source, DT2, 'không quá 20 tập thể, 30 cá nhân');
    expect(seed(DT)).toContain(r.source.quote!);
    expect(seed(DT2)).toContain('Thời gian tổng kết: Tháng 12 năm 2025');
  });
  it(`Đồng Tháp Giấy khen of bloc/cluster members has no fixed quota, “tùy theo điều kiện” (${DT2})`, () => {
    for (const rid of ['so-ket-2023', 'tong-ket-2025']) {
      const r = review(dt(), 'giay-khen-khoi-cum', rid);
      expect(r.quota).toEqual({ collective: null, individual: null });
      expectQuoted(r.source, DT2, 'Tùy theo điều kiện');
    }
  });
  it(`Đồng Tháp state-level awards have no quota in the plan (${DT2})`, () => {
    const r = review(dt(), 'cap-nha-nuoc', 'tong-ket-2025');
    expect(r.quota).toEqual({ collective: null, individual: null });
    expectQuoted(r.source, DT2, 'cấp Nhà nước');
  });
  it(`Đồng Tháp yearly report due on 10 December (${DT2}, ${DT})`, () => {
    const d = dt().deadlines.report;
    expect(d.due).toEqual({ month: 12, day: 10 });
    expectQuoted(d.source, DT2, 'vào ngày 10 tháng 12');
    expect(seed(DT)).toContain(d.source.quote!);
  });
  it(`Đồng Tháp plan 207/KH-UBND of 07/06/2022 (${DT2})`, () => {
    const { issuer } = dt();
    expect(issuer.document).toBe('207/KH-UBND');
    expect(issuer.date).toBe('2022-06-07');
    expectQuoted(issuer.source, DT2, '207/KH-UBND', 'ngày 07 tháng 6 năm 2022');
  });
  it(`Đồng Tháp dossier lists all five parts, all required (${DT2}, ${DT})`, () => {
    for (const p of dt().dossierParts) {
      expect(p.required, p.id).toBe(true);
      expect(p.source.seed, p.id).toBe(DT2);
      expect(seed(DT2)).toContain(p.source.quote!);
      expect(seed(DT)).toContain(p.source.quote!);
    }
  });

  // Bình Thành (003)
  it(`Bình Thành Giấy khen of the commune chairman: 2 collectives, 3 individuals in 2024 (${BT})`, () => {
    const r = review(bt(), 'giay-khen-ubnd-xa', 'tong-ket-2024');
    expect(r.year).toBe(2024);
    expect(r.quota).toEqual({ collective: 2, individual: 3 });
    expectQuoted(r.source, BT, '02 Tập thể, 03 cá nhân');
  });
  it(`Bình Thành ad-hoc awards: any time, no quota (${BT})`, () => {
    const r = review(bt(), 'giay-khen-ubnd-xa', 'dot-xuat');
    expect(r.kind).toBe('ad_hoc');
    expect(r.year).toBeNull();
    expect(r.quota).toEqual({ collective: null, individual: null });
    expectQuoted(r.source, BT, 'thành tích đột xuất');
  });
  it(`Bình Thành dossiers due no later than 05/12/2024 (${BT})`, () => {
    const d = bt().deadlines.dossier;
    expect(d.due).toEqual({ month: 12, day: 5 });
    expectQuoted(d.source, BT, 'chậm nhất ngày 05/12/2024');
  });
  it(`Bình Thành participants: offices, hamlets, tech teams; households (${BT})`, () => {
    const { participants } = bt();
    expect(participants.collectives).toEqual(['commune_agency', 'hamlet', 'tech_team']);
    expect(participants.individuals).toContain('household');
    expectQuoted(participants.source, BT, 'các xóm, tổ công nghệ số');
    expect(seed(BT)).toContain('- 14 xóm;');
  });

  // Registration in Q4 2021 (002, 004)
  it(`Hải Dương registration closes in Q4 of 2021 (${HD})`, () => {
    const c = hd();
    expect(c.launchYear).toBe(2021);
    expect(c.deadlines.registration.quarter).toBe(4);
    expectQuoted(c.deadlines.registration.source, HD, 'quý IV năm 2021', 'đăng ký');
  });
  it(`Tứ Kỳ registration closes in Q4 of 2021 (${TK})`, () => {
    const c = tk();
    expect(c.launchYear).toBe(2021);
    expect(c.deadlines.registration.quarter).toBe(4);
    expectQuoted(c.deadlines.registration.source, TK, 'quý IV năm 2021', 'đăng ký');
  });
  it(`Hải Dương plan 3125/KH-UBND of 25/8/2021, as cited by Tứ Kỳ (${TK})`, () => {
    const { issuer } = hd();
    expect(issuer.document).toBe('3125/KH-UBND');
    expect(issuer.date).toBe('2021-08-25');
    expectQuoted(issuer.source, TK, '3125/KH-UBND ngày 25/8/2021', 'tỉnh Hải Dương');
  });

  // Who does what
  it(`standing and appraisal offices (${DT2}, ${HD}, ${TK}, ${BT})`, () => {
    expectQuoted(dt().standingOffice.source, DT2, 'Sở Thông tin và Truyền thông', 'cơ quan thường trực');
    expectQuoted(dt().appraisalOffice.source, DT2, 'Sở Nội vụ thẩm định');
    expectQuoted(hd().standingOffice.source, HD, 'Sở Thông tin và Truyền thông', 'cơ quan thường trực');
    expectQuoted(hd().appraisalOffice.source, HD, 'Ban Thi đua - Khen thưởng thẩm định');
    expectQuoted(tk().standingOffice.source, TK, 'Phòng Văn hóa và Thông tin', 'cơ quan thường trực');
    expectQuoted(tk().appraisalOffice.source, TK, 'Phòng Nội vụ huyện thẩm định');
    expectQuoted(bt().standingOffice.source, BT, 'Văn phòng – Thống kê', 'cơ quan thường trực');
    expectQuoted(bt().appraisalOffice.source, BT, 'Hội đồng Thi đua - Khen thưởng xã');
  });
});

describe('values the plans are silent on are inferred, not invented', () => {
  it('Đồng Tháp standards (its annex is not in the seed) come from Hải Dương', () => {
    for (const s of loadCampaign('dong-thap-2021-2025').standards)
      for (const i of s.indicators) expect(i.source.inferredFrom, `${s.level}.${i.id}`).toBe('hai-duong-2021-2025');
    expect(seed(DT2)).toContain('Phụ lục tiêu chuẩn thi đua kèm theo');
    expect(seed(DT2)).not.toMatch(/\d+ ?%/);
  });

  it('Bình Thành standards come from Tứ Kỳ (the seed has no percentage at all)', () => {
    expect(seed(BT)).not.toMatch(/%/);
    const c = loadCampaign('binh-thanh-2024');
    expect(indicator(c, 'commune', 'online_records').min).toBe(70);
    for (const s of c.standards)
      for (const i of s.indicators) expect(i.source.inferredFrom, `${s.level}.${i.id}`).toBe('tu-ky-2021-2025');
  });

  it('report deadlines other than Đồng Tháp’s come from Đồng Tháp, dossier deadlines other than Bình Thành’s from Bình Thành', () => {
    for (const c of presets()) {
      expect(c.deadlines.report.due).toEqual({ month: 12, day: 10 });
      expect(c.deadlines.dossier.due).toEqual({ month: 12, day: 5 });
      if (c.id !== 'dong-thap-2021-2025') expect(c.deadlines.report.source.inferredFrom).toBe('dong-thap-2021-2025');
      if (c.id !== 'binh-thanh-2024') expect(c.deadlines.dossier.source.inferredFrom).toBe('binh-thanh-2024');
    }
  });

  it('quotas the plans do not give are null, with a note', () => {
    for (const c of presets())
      for (const a of c.awards)
        for (const r of a.reviews)
          if (r.quota.collective === null || r.quota.individual === null)
            expect(r.source.note, `${c.id} ${a.id}/${r.id}`).toBeTruthy();
  });
});
