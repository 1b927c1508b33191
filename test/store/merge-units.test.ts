import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCampaign } from '../../src/campaign/load.js';
import type { Unit } from '../../src/domain/entities.js';
import { officeOverview } from '../../src/services/overview.js';
import { exportSheets } from '../../src/services/export.js';
import { CLI_ACTOR, createStore, importUnitsCsv, mergeUnitsCsv, type Store } from '../../src/store/index.js';
import { fromRoot } from '../../src/paths.js';
import { testRedis } from '../helpers/redis.js';

const campaign = loadCampaign('tu-ky-2021-2025');
const demoCsv = (id: string) => fs.readFileSync(fromRoot('campaigns', 'demo', `${id}.csv`), 'utf8');
const mergeCsv = (id: string) => fs.readFileSync(fromRoot('campaigns', 'demo', `${id}.merge.csv`), 'utf8');
const OLD_COMMUNES = ['HD-TK-TT', 'HD-TK-QP', 'HD-TK-TK', 'HD-TK-HDA'];
const YEARS = [2021, 2022, 2023, 2024];
const officer = (userId: string, unitId: string) => ({
  channel: 'sim' as const,
  userId,
  personId: null,
  role: 'officer' as const,
  unitId,
  lang: 'vi' as const,
  lastInboundAt: null,
  unreachable: false,
  createdAt: '2021-03-01T01:00:00.000Z',
});

/** The demo units of Tứ Kỳ with five years of records for every old commune, as a 2021–2025 campaign leaves them. */
async function seeded(store: Store): Promise<Map<string, Unit>> {
  const imported = await importUnitsCsv(store, demoCsv('tu-ky-2021-2025'), CLI_ACTOR);
  if (!imported.ok) throw new Error(imported.errors.join('\n'));
  const byCode = new Map(imported.units.map((u) => [u.code, u]));
  for (const code of OLD_COMMUNES) {
    const unitId = byCode.get(code)!.id;
    await store.identities.upsert(officer(`officer-${code}`, unitId), CLI_ACTOR);
    for (const year of [...YEARS, 2025]) {
      await store.registrations.upsert({ campaignId: campaign.id, year, subject: { type: 'unit', unitId }, contentAreas: ['awareness', 'skills'], registeredBy: 'p_1' }, CLI_ACTOR);
      if (year < 2025)
        await store.reports.submit(
          { campaignId: campaign.id, year, unitId, values: { online_records: 90, electronic_documents: 95, econ_reports_software: 100 }, submittedBy: 'p_1' },
          CLI_ACTOR,
        );
    }
    await store.nominations.createDraft(
      { campaignId: campaign.id, year: 2023, unitId, awardId: 'giay-khen-ubnd-huyen', reviewId: 'so-ket-2023', nominee: { type: 'collective', unitId, name: byCode.get(code)!.name }, createdBy: 'p_1' },
      CLI_ACTOR,
    );
    await store.nominations.createDraft(
      { campaignId: campaign.id, year: 2025, unitId, awardId: 'giay-khen-ubnd-huyen', reviewId: 'tong-ket-2025', nominee: { type: 'individual', name: 'Nguyễn Văn A', position: 'Công chức', unitName: byCode.get(code)!.name }, createdBy: 'p_1' },
      CLI_ACTOR,
    );
  }
  await store.identities.upsert({ ...officer('staff-province', byCode.get('HD')!.id), role: 'staff' }, CLI_ACTOR);
  return byCode;
}

/** Every record of the campaign, year by year. */
async function records(store: Store) {
  const out: unknown[] = [];
  for (const year of [...YEARS, 2025])
    out.push(await store.registrations.list(campaign.id, year), await store.reports.list(campaign.id, year), await store.nominations.list(campaign.id, year));
  return out;
}

describe('units:merge with the real Tứ Kỳ mapping (NQ 1669/NQ-UBTVQH15) over 2021–2025 data', () => {
  const { redis, ns } = testRedis();
  const store = createStore(redis, { prefix: ns, now: () => new Date('2025-07-02T02:00:00Z') });
  let old: Map<string, Unit>;
  let before: unknown[];
  afterAll(() => redis.quit());

  beforeAll(async () => {
    old = await seeded(store);
    before = await records(store);
    const result = await mergeUnitsCsv(store, mergeCsv('tu-ky-2021-2025'), CLI_ACTOR);
    expect(result.ok ? [] : result.errors).toEqual([]);
  });

  const byCode = async (code: string) => (await store.units.getByCode(code))!;

  it('keeps every record as it was', async () => {
    expect(await records(store)).toEqual(before);
    expect(await store.units.count()).toBe(old.size + 4);
  });

  it('marks the old units merged (date, successor, source) and puts the new communes under Hải Phòng, with no district', async () => {
    const hp = await byCode('HP');
    expect(hp).toMatchObject({ name: 'Thành phố Hải Phòng', level: 'province', parentId: null });
    const into = { 'HD-TK-TT': 'HP-TUKY', 'HD-TK-QP': 'HP-TUKY', 'HD-TK-TK': 'HP-TANKY', 'HD-TK-HDA': 'HP-DAISON', HD: 'HP' } as Record<string, string>;
    for (const [from, to] of Object.entries(into)) {
      const successor = await byCode(to);
      const unit = await byCode(from);
      expect(unit.merged).toEqual({ intoId: successor.id, on: '2025-07-01', source: expect.stringMatching(/^NQ (1669\/NQ-UBTVQH15|202\/2025\/QH15)/) });
      if (successor.level === 'commune') expect(successor.parentId).toBe(hp.id);
    }
    // Kept, but no longer offered (onboarding and invites search by name).
    expect(await store.units.findByName('Quang Phục')).toEqual([]);
    expect((await store.units.findByName('Quang Phục', { includeMerged: true })).map((u) => u.code)).toEqual(['HD-TK-QP']);
    const audit = await store.audit.forEntity(old.get('HD-TK-QP')!.id);
    expect(audit.at(-1)).toMatchObject({ action: 'unit.merge', actor: 'cli' });
  });

  it('moves officers and staff of merged units to the successor', async () => {
    for (const code of OLD_COMMUNES) {
      const successor = await store.units.get((await byCode(code)).merged!.intoId);
      expect((await store.identities.get('sim', `officer-${code}`))!.unitId).toBe(successor!.id);
    }
    expect((await store.identities.get('sim', 'staff-province'))!.unitId).toBe((await byCode('HP')).id);
    expect(await store.identities.listByUnit(old.get('HD-TK-QP')!.id)).toEqual([]);
  });

  it("counts every old commune's records for its successor, and shows both names, in every year of the review", async () => {
    for (const year of YEARS) {
      for (const code of OLD_COMMUNES) {
        const unit = await byCode(code);
        const successor = (await store.units.get(unit.merged!.intoId))!;
        const shortName = unit.name.replace(/^UBND /, '');
        // The successor's own export (a 2021–2025 tổng kết in December 2025 reads these).
        const sheets = await exportSheets(store, campaign, successor.id, year, 'vi', new Date());
        const [regs, reports] = await Promise.all(sheets.slice(0, 2).map(async (s) => [...(s.rows as Iterable<unknown[]>)]));
        const name = `${successor.name} (trước 01/07/2025: ${shortName})`;
        expect(regs!.map((r) => r[0])).toContain(name);
        expect(reports!.map((r) => r[0])).toContain(name);
        // The province's overview: one row per new commune, registered and reported from its old communes.
        const rows = await officeOverview(store, campaign, (await byCode('HP')).id, year);
        expect(rows.map((r) => r.unit.code)).not.toContain(code);
        const row = rows.find((r) => r.unit.id === successor.id)!;
        expect(row).toMatchObject({ registered: true, reported: true });
        expect(row.name).toContain(shortName);
      }
    }
    const tuKy = await byCode('HP-TUKY');
    const rows = await officeOverview(store, campaign, (await byCode('HP')).id, 2023);
    expect(rows.find((r) => r.unit.id === tuKy.id)).toMatchObject({ name: 'Xã Tứ Kỳ (trước 01/07/2025: thị trấn Tứ Kỳ, xã Quang Phục)', nominations: 2 });
    const dossiers = [...((await exportSheets(store, campaign, tuKy.id, 2025, 'vi', new Date()))[2]!.rows as Iterable<unknown[]>)];
    expect(dossiers.map((r) => r[1]).sort()).toEqual(['Xã Tứ Kỳ (trước 01/07/2025: thị trấn Tứ Kỳ)', 'Xã Tứ Kỳ (trước 01/07/2025: xã Quang Phục)']);
  });

  it('refuses a second merger of the same units, changing nothing', async () => {
    const units = await store.units.all();
    const again = await mergeUnitsCsv(store, mergeCsv('tu-ky-2021-2025'), CLI_ACTOR);
    expect(again.ok).toBe(false);
    if (!again.ok) expect(again.errors).toContain('row 9: unit "HD-TK-QP" was already merged on 2025-07-01');
    expect(await store.units.all()).toEqual(units);
  });
});

describe('units:merge refuses a file with any bad row, reports every one, and changes nothing', () => {
  const { redis, ns } = testRedis();
  const store = createStore(redis, { prefix: ns });
  afterAll(() => redis.quit());

  it('unknown code, loop, date format, a unit merged twice, a missing source, a bad new parent', async () => {
    await seeded(store);
    const keysBefore = (await redis.keys(`${ns}:*`)).sort();
    const dump = async () => Promise.all(keysBefore.map(async (k) => ((await redis.type(k)) === 'string' ? redis.get(k) : redis.type(k))));
    const valuesBefore = await dump();
    const auditBefore = await store.audit.length();
    const csv = [
      'old,new,date,source,new_name,new_level,new_parent',
      'HD-TK-TT,HP-TUKY,01/07/2025,NQ 1669 k.93,Xã Tứ Kỳ,xã,HD', // row 2: fine
      'HD-TK-XX,HP-TUKY,01/07/2025,NQ 1669 k.93,,,', // row 3: unknown old code
      'HD-TK-QP,HD-TK-TK,01/07/2025,NQ 1669 k.93,,,', // row 4 and 5: a loop
      'HD-TK-TK,HD-TK-QP,01/07/2025,NQ 1669 k.94,,,',
      'HD-TK-HDA,HP-TUKY,31/06/2025,NQ 1669 k.95,,,', // row 6: no such day
      'HD-TK-TT,HP-DAISON,2025-07-01,NQ 1669 k.95,Xã Đại Sơn,xã,HD', // row 7: merged twice
      'HD-TK-VHTT,HP-TUKY,2025/07/01,,,,', // row 8: date format and no source
      'HD-TK-NV,HP-NEW,01/07/2025,NQ 1669,Xã Mới,xã,NOWHERE', // row 9: unknown parent
    ].join('\n');
    const r = await mergeUnitsCsv(store, csv, CLI_ACTOR);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const rowsWith = (re: RegExp) => r.rows.filter((e) => re.test(e.message)).map((e) => e.row);
    expect(rowsWith(/unknown unit code "HD-TK-XX"/)).toEqual([3]);
    expect(rowsWith(/loops back/)).toEqual([4, 5]);
    expect(rowsWith(/date "31\/06\/2025" is not a day/)).toEqual([6]);
    expect(rowsWith(/merged twice \(also on row 2\)/)).toEqual([7]);
    expect(rowsWith(/date "2025\/07\/01"/)).toEqual([8]);
    expect(rowsWith(/source is missing/)).toEqual([8]);
    expect(rowsWith(/new_parent "NOWHERE"/)).toEqual([9]);
    expect(r.rows.map((e) => e.row)).not.toContain(2);
    expect(r.errors.every((line) => /^row \d+: /.test(line))).toBe(true);
    // Nothing changed: same keys, same values, no audit entry, no id spent.
    expect((await redis.keys(`${ns}:*`)).sort()).toEqual(keysBefore);
    expect(await dump()).toEqual(valuesBefore);
    expect(await store.audit.length()).toBe(auditBefore);
  });
});

describe('units:merge with the real Bình Thành mapping (NQ 1683/NQ-UBTVQH15)', () => {
  const { redis, ns } = testRedis();
  const store = createStore(redis, { prefix: ns });
  afterAll(() => redis.quit());

  it("makes xã Bình Thành a commune of Thái Nguyên directly; the old commune's xóm count under it", async () => {
    const imported = await importUnitsCsv(store, demoCsv('binh-thanh-2024'), CLI_ACTOR);
    expect(imported.ok).toBe(true);
    const r = await mergeUnitsCsv(store, mergeCsv('binh-thanh-2024'), CLI_ACTOR);
    expect(r.ok ? r.created.map((u) => [u.code, u.name, u.level]) : r.errors).toEqual([['TN-BT', 'Xã Bình Thành', 'commune']]);
    const fresh = (await store.units.getByCode('TN-BT'))!;
    expect(fresh.parentId).toBe((await store.units.getByCode('TN'))!.id);
    const below = new Set(await store.units.subtree(fresh.id));
    const old = (await store.units.getByCode('TN-DH-BT'))!;
    expect(below.has(old.id)).toBe(true);
    for (const id of await store.units.subtree(old.id)) expect(below.has(id)).toBe(true);
  });
});
