import { afterAll, describe, expect, it } from 'vitest';
import { testRedis } from '../helpers/redis.js';
import { createStore, type Actor } from '../../src/store/index.js';

const officer: Actor = { id: 'zalo:777', role: 'officer', channel: 'zalo' };
let clock = Date.parse('2024-10-15T03:00:00Z');
const now = () => new Date(clock);
const C = 'binh-thanh-2024';

describe('store: registrations', () => {
  const { redis, ns } = testRedis();
  const store = createStore(redis, { prefix: ns, now });
  afterAll(() => redis.quit());

  const input = {
    campaignId: C,
    year: 2024,
    subject: { type: 'unit' as const, unitId: 'u_4' },
    contentAreas: ['leadership', 'skills'],
    commitments: 'Hoàn thành 100% hồ sơ trực tuyến',
    registeredBy: 'p_1',
  };

  it('upsert creates; get finds it by campaign, year and subject', async () => {
    const r = await store.registrations.upsert(input, officer);
    expect(r).toEqual({ ...input, id: expect.stringMatching(/^r_\d+$/), createdAt: '2024-10-15T03:00:00.000Z', updatedAt: '2024-10-15T03:00:00.000Z' });
    expect(await store.registrations.get(C, 2024, { type: 'unit', unitId: 'u_4' })).toEqual(r);
    expect(await store.registrations.get(C, 2025, { type: 'unit', unitId: 'u_4' })).toBeNull();
    expect(await store.registrations.get(C, 2024, { type: 'person', personId: 'u_4' })).toBeNull();
  });

  it('registering the same subject again updates it: same id, createdAt kept, updatedAt moves', async () => {
    const first = (await store.registrations.get(C, 2024, input.subject))!;
    clock += 3_600_000;
    const again = await store.registrations.upsert({ ...input, contentAreas: ['infrastructure'], commitments: null }, officer);
    expect(again.id).toBe(first.id);
    expect(again.createdAt).toBe(first.createdAt);
    expect(again.updatedAt).toBe('2024-10-15T04:00:00.000Z');
    expect(again.contentAreas).toEqual(['infrastructure']);
    expect(again.commitments).toBeNull();
    expect(await store.registrations.list(C, 2024)).toEqual([again]);
  });

  it('other subjects and years are separate registrations', async () => {
    const person = await store.registrations.upsert({ ...input, subject: { type: 'person', personId: 'p_9' } }, officer);
    const nextYear = await store.registrations.upsert({ ...input, year: 2025 }, officer);
    expect(new Set([person.id, nextYear.id, (await store.registrations.get(C, 2024, input.subject))!.id]).size).toBe(3);
    expect((await store.registrations.list(C, 2024)).map((r) => r.subject)).toEqual([input.subject, { type: 'person', personId: 'p_9' }]);
    expect(await store.registrations.list(C, 2025)).toEqual([nextYear]);
    expect(await store.registrations.list('other', 2024)).toEqual([]);
  });

  it('concurrent first registrations of one subject make one record', async () => {
    const subject = { type: 'unit' as const, unitId: 'u_race' };
    const results = await Promise.all(
      [['a'], ['b'], ['c'], ['d'], ['e']].map((areas) => store.registrations.upsert({ ...input, subject, contentAreas: areas }, officer)),
    );
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect((await store.registrations.list(C, 2024)).filter((r) => r.subject.type === 'unit' && r.subject.unitId === 'u_race')).toHaveLength(1);
  });

  it('invalid input (no content area) is refused and writes nothing', async () => {
    const before = await redis.hgetall(`${ns}:seq`);
    await expect(
      store.registrations.upsert({ ...input, subject: { type: 'unit', unitId: 'u_new' }, contentAreas: [] }, officer),
    ).rejects.toMatchObject({ code: 'invalid' });
    expect(await store.registrations.get(C, 2024, { type: 'unit', unitId: 'u_new' })).toBeNull();
    expect(await redis.hgetall(`${ns}:seq`)).toEqual(before);
  });
});

describe('store: indicator reports', () => {
  const { redis, ns } = testRedis();
  const store = createStore(redis, { prefix: ns, now });
  afterAll(() => redis.quit());

  const report = {
    campaignId: C,
    year: 2024,
    unitId: 'u_4',
    values: { records_online: 65, docs_electronic: 100 },
    narrative: 'Đã triển khai',
    submittedBy: 'p_1',
    submittedAt: '2024-12-01T02:00:00.000Z',
    late: false,
  };

  it('submit stores one report per (campaign, year, unit)', async () => {
    const r = await store.reports.submit(report, officer);
    expect(r).toEqual({ ...report, id: expect.stringMatching(/^rp_\d+$/) });
    expect(await store.reports.get(C, 2024, 'u_4')).toEqual(r);
    expect(await store.reports.get(C, 2024, 'u_5')).toBeNull();
  });

  it('resubmitting replaces the values under the same id; history keeps every version', async () => {
    const first = (await store.reports.get(C, 2024, 'u_4'))!;
    const second = await store.reports.submit(
      { ...report, values: { records_online: 72, docs_electronic: 100 }, submittedAt: '2024-12-11T02:00:00.000Z', late: true },
      officer,
    );
    expect(second.id).toBe(first.id);
    expect(second.values).toEqual({ records_online: 72, docs_electronic: 100 });
    expect(second.late).toBe(true);
    expect(await store.reports.list(C, 2024)).toEqual([second]);
    const history = await store.reports.history(C, 2024, 'u_4');
    expect(history.map((h) => h.values.records_online)).toEqual([65, 72]);
    const audit = await store.audit.forEntity(first.id);
    expect(audit.map((e) => e.action)).toEqual(['report.submit', 'report.resubmit']);
    expect(audit[1]!.before).toEqual(first);
    expect(audit[1]!.after).toEqual(second);
  });

  it('submittedAt, late and narrative default; list is by submission time', async () => {
    clock = Date.parse('2024-12-02T00:00:00Z');
    const r = await store.reports.submit({ campaignId: C, year: 2024, unitId: 'u_6', values: { records_online: 90 }, submittedBy: 'p_2' }, officer);
    expect(r).toMatchObject({ submittedAt: '2024-12-02T00:00:00.000Z', late: false, narrative: null });
    expect((await store.reports.list(C, 2024)).map((x) => x.unitId)).toEqual(['u_6', 'u_4']);
  });

  it('values outside 0-100 are refused; the stored report is untouched', async () => {
    const before = await store.reports.get(C, 2024, 'u_4');
    await expect(store.reports.submit({ ...report, values: { records_online: 140 } }, officer)).rejects.toMatchObject({ code: 'invalid' });
    expect(await store.reports.get(C, 2024, 'u_4')).toEqual(before);
  });
});
