import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testRedis } from '../helpers/redis.js';
import { createStore, isStoreError, StoreError, type Actor } from '../../src/store/index.js';
import { classifyMatch, coreName, searchKey } from '../../src/store/units.js';
import { loadCampaign } from '../../src/campaign/index.js';
import { hierarchyOf } from '../../src/domain/levels.js';

const actor: Actor = { id: 'telegram:100', role: 'admin', channel: 'telegram' };

async function keysOf(redis: ReturnType<typeof testRedis>['redis'], prefix: string): Promise<string[]> {
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    out.push(...keys);
  } while (cursor !== '0');
  return [...new Set(out)].sort();
}

describe('store: units', () => {
  const { redis, ns } = testRedis();
  const store = createStore(redis, { prefix: ns, now: () => new Date('2024-10-01T02:00:00Z') });
  afterAll(() => redis.quit());

  let tn: string, dh: string, bt: string;
  beforeAll(async () => {
    tn = (await store.units.create({ code: 'TN', name: 'Tỉnh Thái Nguyên', level: 'province', parentId: null }, actor)).id;
    dh = (await store.units.create({ code: 'TN-DH', name: 'Huyện Định Hóa', level: 'district', parentId: tn }, actor)).id;
    bt = (await store.units.create({ code: 'TN-DH-BT', name: 'UBND xã Bình Thành', level: 'commune', parentId: dh }, actor)).id;
    for (const [code, name] of [
      ['X01', 'Xóm Na Mòn'],
      ['X02', 'Xóm Đồng Hoàng'],
      ['X03', 'Xóm Bình Tiến'],
      ['X04', 'Xóm Làng Mới'],
    ] as const)
      await store.units.create({ code: `TN-DH-BT-${code}`, name, level: 'hamlet', parentId: bt }, actor);
  });

  it('creates units with short ids and reads them by id and by code (any case)', async () => {
    expect(tn).toMatch(/^u_\d+$/);
    const u = await store.units.get(bt);
    expect(u).toEqual({
      id: bt,
      code: 'TN-DH-BT',
      name: 'UBND xã Bình Thành',
      level: 'commune',
      parentId: dh,
      createdAt: '2024-10-01T02:00:00.000Z',
    });
    expect(await store.units.getByCode('tn-dh-bt')).toEqual(u);
    expect(await store.units.getByCode(' TN-DH-BT ')).toEqual(u);
    expect(await store.units.get('u_999999')).toBeNull();
    expect(await store.units.getByCode('NOPE')).toBeNull();
  });

  it('refuses a code already used, with a clear error', async () => {
    const err = await store.units.create({ code: 'tn-dh', name: 'Khác', level: 'district', parentId: tn }, actor).catch((e: unknown) => e);
    expect(isStoreError(err, 'duplicate_code')).toBe(true);
    expect((err as StoreError).message).toMatch(/code "tn-dh" is already used/);
  });

  it('refuses a missing parent or a parent of the wrong level', async () => {
    await expect(store.units.create({ code: 'Z1', name: 'Xóm Ma', level: 'hamlet', parentId: 'u_424242' }, actor)).rejects.toMatchObject({
      code: 'bad_parent',
    });
    // A hamlet belongs under a commune, not a district.
    await expect(store.units.create({ code: 'Z2', name: 'Xóm Lạc', level: 'hamlet', parentId: dh }, actor)).rejects.toMatchObject({
      code: 'bad_parent',
      message: expect.stringMatching(/hamlet cannot be under a district \(allowed: commune\)/),
    });
    expect(await store.units.getByCode('Z2')).toBeNull();
  });

  it("follows the campaign's hierarchy: in a two-level campaign a commune sits under the province and a district is refused", async () => {
    const { redis: r, ns: p } = testRedis();
    const two = createStore(r, { prefix: p, hierarchy: hierarchyOf(loadCampaign('thai-nguyen-2026')) });
    const province = await two.units.create({ code: 'TN', name: 'Tỉnh Thái Nguyên', level: 'province' }, actor);
    const commune = await two.units.create({ code: 'TN-BT', name: 'UBND xã Bình Thành', level: 'commune', parentId: province.id }, actor);
    expect(commune.parentId).toBe(province.id);
    await expect(two.units.create({ code: 'TN-DH', name: 'Huyện Định Hóa', level: 'district', parentId: province.id }, actor)).rejects.toMatchObject({
      code: 'invalid',
      message: expect.stringMatching(/^level "district" is not a level of this campaign \(province, department, commune, ward, /),
    });
    await expect(two.units.create({ code: 'TN-X', name: 'Xóm Lạc', level: 'hamlet', parentId: province.id }, actor)).rejects.toMatchObject({
      code: 'bad_parent',
      message: expect.stringMatching(/hamlet cannot be under a province \(allowed: commune, ward\)/),
    });
    // The same hamlet under a province is refused in the 2021–2025 tree too.
    await expect(store.units.create({ code: 'TN-X2', name: 'Xóm Khác', level: 'hamlet', parentId: tn }, actor)).rejects.toMatchObject({ code: 'bad_parent' });
    await r.quit();
  });

  it('a root may be of any level (a campaign tree starts at its issuer)', async () => {
    const root = await store.units.create({ code: 'ROOT-XA', name: 'UBND xã Gốc', level: 'commune' }, actor);
    expect(root.parentId).toBeNull();
    expect((await store.units.roots()).map((u) => u.code)).toEqual(['TN', 'ROOT-XA']); // by name
  });

  it('invalid data is refused and leaves no key behind (not even a spent id)', async () => {
    const before = await keysOf(redis, ns);
    const seq = await redis.hget(`${ns}:seq`, 'unit');
    await expect(store.units.create({ code: 'BAD', name: '', level: 'hamlet', parentId: bt }, actor)).rejects.toMatchObject({ code: 'invalid' });
    await expect(store.units.create({ code: 'x'.repeat(40), name: 'Xóm Dài', level: 'hamlet', parentId: bt }, actor)).rejects.toMatchObject({
      code: 'invalid',
    });
    await expect(store.units.create({ code: 'BAD2', name: 'Xóm', level: 'village' as never, parentId: bt }, actor)).rejects.toMatchObject({
      code: 'invalid',
    });
    expect(await keysOf(redis, ns)).toEqual(before);
    expect(await redis.hget(`${ns}:seq`, 'unit')).toBe(seq);
  });

  it('two concurrent creates with one code: exactly one wins, indexes stay consistent', async () => {
    const results = await Promise.allSettled(
      ['Xóm Một', 'Xóm Hai', 'Xóm Ba'].map((name) => store.units.create({ code: 'RACE', name, level: 'hamlet', parentId: bt }, actor)),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(isStoreError(r.reason, 'duplicate_code')).toBe(true);
    const winner = (won[0] as PromiseFulfilledResult<{ id: string; name: string }>).value;
    const names = await redis.zrangebylex(`${ns}:units:names`, '[xom ', '(xom \xff');
    expect(names.filter((m) => ['xom mot', 'xom hai', 'xom ba'].includes(m.split('\x00')[0]!))).toEqual([
      `${searchKey(winner.name)}\x00${winner.id}`,
    ]);
    expect(await redis.sismember(`${ns}:unit:${bt}:children`, winner.id)).toBe(1);
  });

  it('children, subtree, all and count', async () => {
    expect((await store.units.children(bt)).map((u) => u.name)).toEqual(
      expect.arrayContaining(['Xóm Bình Tiến', 'Xóm Đồng Hoàng', 'Xóm Làng Mới', 'Xóm Na Mòn']),
    );
    expect((await store.units.children(tn)).map((u) => u.id)).toEqual([dh]);
    expect(await store.units.children('u_999999')).toEqual([]);
    const sub = await store.units.subtree(dh);
    expect(sub.slice(0, 2)).toEqual([dh, bt]);
    expect(sub).toHaveLength(2 + (await store.units.children(bt)).length);
    expect(await store.units.subtree('u_999999')).toEqual([]);
    const all = await store.units.all();
    expect(all.map((u) => u.id).slice(0, 3)).toEqual([tn, dh, bt]);
    expect(await store.units.count()).toBe(all.length);
  });

  describe('findByName', () => {
    const names = async (q: string, opts?: Parameters<typeof store.units.findByName>[1]) =>
      (await store.units.findByName(q, opts)).map((u) => u.name);

    it('ignores diacritics, đ, case, spacing and punctuation', async () => {
      expect(await names('binh thanh')).toEqual(['UBND xã Bình Thành']);
      expect(await names('BÌNH   THÀNH')).toEqual(['UBND xã Bình Thành']);
      expect(await names('Bình Thành')).toEqual(['UBND xã Bình Thành']);
      expect(await names('dong hoang')).toEqual(['Xóm Đồng Hoàng']);
      expect(await names('đồng hoàng')).toEqual(['Xóm Đồng Hoàng']);
      expect(await names('xom na')).toEqual(['Xóm Na Mòn']);
      expect(await names('dinh hoa')).toEqual(['Huyện Định Hóa']);
      expect(await names('Thái-Nguyên!')).toEqual(['Tỉnh Thái Nguyên']);
    });

    it('a leading designator may be left out ("na mon" is exact for "Xóm Na Mòn")', async () => {
      const scored = await store.units.findByNameScored('na mon');
      expect(scored.map((m) => [m.unit.name, m.match])).toEqual([['Xóm Na Mòn', 'exact']]);
      expect(coreName('ubnd xa binh thanh')).toBe('binh thanh');
      expect(coreName('xom')).toBe('xom');
    });

    it('ranks exact > prefix > word prefix > words in any order > substring (substrings only when nothing else matches)', async () => {
      const { redis: r2, ns: ns2 } = testRedis();
      const s = createStore(r2, { prefix: ns2 });
      for (const [code, name] of [
        ['A', 'Tânbình'], // substring
        ['B', 'Hòa Bình Phú'], // word prefix
        ['C', 'Bình Phú Đông'], // prefix
        ['D', 'Phú Hòa Bình'], // tokens in another order
        ['E', 'Bình Phú'], // exact
        ['F', 'Xóm Bình Phú'], // exact without the designator
        ['G', 'An Lạc'], // no match
      ])
        await s.units.create({ code: code!, name: name!, level: 'hamlet' }, actor);
      const scored = await s.units.findByNameScored('binh phu');
      expect(scored.map((m) => `${m.unit.name}:${m.match}`)).toEqual([
        'Bình Phú:exact',
        'Xóm Bình Phú:exact',
        'Bình Phú Đông:prefix',
        'Hòa Bình Phú:word',
      ]);
      // Words in another order are looked for when nothing starts with the query.
      expect((await s.units.findByNameScored('binh hoa')).map((m) => `${m.unit.name}:${m.match}`)).toEqual([
        'Hòa Bình Phú:tokens',
        'Phú Hòa Bình:tokens',
      ]);
      expect((await s.units.findByNameScored('dong phu')).map((m) => `${m.unit.name}:${m.match}`)).toEqual(['Bình Phú Đông:tokens']);
      expect((await s.units.findByNameScored('anbinh')).map((m) => `${m.unit.name}:${m.match}`)).toEqual(['Tânbình:substring']);
      expect(await s.units.findByName('binh phu', { limit: 2 })).toHaveLength(2);
      expect(await s.units.findByName('khong co')).toEqual([]);
      expect(await s.units.findByName('   ')).toEqual([]);
      await r2.quit();
    });

    it('filters by level and honours the limit', async () => {
      expect(await names('binh', { levels: ['hamlet'] })).toEqual(['Xóm Bình Tiến']);
      expect(await names('binh', { levels: ['commune'] })).toEqual(['UBND xã Bình Thành']);
      expect(await names('xom', { limit: 2 })).toHaveLength(2);
    });

    it('classifyMatch', () => {
      expect(classifyMatch('xom na mon', 'xom na mon')).toBe('exact');
      expect(classifyMatch('xom na mon', 'xom na')).toBe('prefix');
      expect(classifyMatch('xom na mon', 'mon')).toBe('word');
      expect(classifyMatch('xom na mon', 'mon na')).toBe('tokens');
      expect(classifyMatch('xom na mon', 'a mo')).toBe('substring');
      expect(classifyMatch('xom na mon', 'on om')).toBe('fuzzy');
      expect(classifyMatch('xom na mon', 'lang')).toBeNull();
    });
  });

  it('rejects a bad prefix', () => {
    expect(() => createStore(redis, { prefix: 'a b' })).toThrow(/bad store prefix/);
  });
});
