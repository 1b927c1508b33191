import { afterAll, describe, expect, it } from 'vitest';
import { testRedis } from '../helpers/redis.js';
import { createStore, type Actor } from '../../src/store/index.js';
import type { Identity } from '../../src/domain/entities.js';

const admin: Actor = { id: 'cli', role: 'admin', channel: 'cli' };
let clock = Date.parse('2024-11-01T01:00:00Z');
const now = () => new Date(clock);

describe('store: people', () => {
  const { redis, ns } = testRedis();
  const store = createStore(redis, { prefix: ns, now });
  afterAll(() => redis.quit());

  it('create fills defaults, get reads it back', async () => {
    const p = await store.people.create({ name: 'Nguyễn Văn An' }, admin);
    expect(p).toEqual({
      id: expect.stringMatching(/^p_\d+$/),
      name: 'Nguyễn Văn An',
      position: null,
      kind: null,
      unitId: null,
      unitName: null,
      createdAt: '2024-11-01T01:00:00.000Z',
    });
    expect(await store.people.get(p.id)).toEqual(p);
    expect(await store.people.get('p_0')).toBeNull();
  });

  it('create keeps a given createdAt (flows pass their clock)', async () => {
    const p = await store.people.create(
      { name: 'Lê Thị Bình', position: 'Trưởng xóm', kind: 'civil_servant', unitId: 'u_5', unitName: null, createdAt: '2024-01-02T00:00:00.000Z' },
      admin,
    );
    expect(p.createdAt).toBe('2024-01-02T00:00:00.000Z');
    expect((await store.people.listByUnit('u_5')).map((x) => x.id)).toEqual([p.id]);
  });

  it('update is partial, moves the unit index, keeps id and createdAt', async () => {
    const p = await store.people.create({ name: 'Hoàng Văn Cường', unitId: 'u_7' }, admin);
    clock += 60_000;
    const q = await store.people.update(p.id, { position: 'Công chức Văn phòng – Thống kê', unitId: 'u_8' }, admin);
    expect(q).toEqual({ ...p, position: 'Công chức Văn phòng – Thống kê', unitId: 'u_8' });
    expect(await store.people.get(p.id)).toEqual(q);
    expect(await store.people.listByUnit('u_7')).toEqual([]);
    expect((await store.people.listByUnit('u_8')).map((x) => x.id)).toEqual([p.id]);
  });

  it('update of a missing person is not_found; invalid data changes nothing', async () => {
    await expect(store.people.update('p_404', { name: 'X' }, admin)).rejects.toMatchObject({ code: 'not_found' });
    const p = await store.people.create({ name: 'Phạm Thị Dung' }, admin);
    await expect(store.people.update(p.id, { name: '' }, admin)).rejects.toMatchObject({ code: 'invalid' });
    await expect(store.people.update(p.id, { kind: 'alien' as never }, admin)).rejects.toMatchObject({ code: 'invalid' });
    expect(await store.people.get(p.id)).toEqual(p);
    await expect(store.people.create({ name: 'x'.repeat(121) }, admin)).rejects.toMatchObject({ code: 'invalid' });
  });
});

describe('store: identities', () => {
  const { redis, ns } = testRedis();
  const store = createStore(redis, { prefix: ns, now });
  afterAll(() => redis.quit());

  const fresh = (userId: string, extra: Partial<Identity> = {}): Identity => ({
    channel: 'telegram',
    userId,
    personId: null,
    role: null,
    unitId: null,
    lang: 'vi',
    lastInboundAt: null,
    unreachable: false,
    createdAt: '2024-11-01T00:00:00.000Z',
    ...extra,
  });
  const me = (userId: string): Actor => ({ id: `telegram:${userId}`, role: null, channel: 'telegram' });

  it('upsert creates, get reads, unknown is null', async () => {
    const id = await store.identities.upsert(fresh('1001'), me('1001'));
    expect(id).toEqual(fresh('1001'));
    expect(await store.identities.get('telegram', '1001')).toEqual(fresh('1001'));
    expect(await store.identities.get('zalo', '1001')).toBeNull();
  });

  it('upsert fills unreachable by default and keeps the first createdAt', async () => {
    const { unreachable: _, ...input } = fresh('1002');
    await store.identities.upsert(input, me('1002'));
    const again = await store.identities.upsert({ ...input, createdAt: '2030-01-01T00:00:00.000Z', lang: 'en' }, me('1002'));
    expect(again.unreachable).toBe(false);
    expect(again.createdAt).toBe('2024-11-01T00:00:00.000Z');
    expect(again.lang).toBe('en');
  });

  it('role and unit indexes follow changes', async () => {
    await store.identities.upsert(fresh('2001', { role: 'officer', unitId: 'u_1' }), admin);
    await store.identities.upsert(fresh('2002', { role: 'officer', unitId: 'u_1' }), admin);
    await store.identities.upsert(fresh('2003', { role: 'staff', unitId: 'u_9' }), admin);
    expect((await store.identities.listByUnit('u_1')).map((i) => i.userId).sort()).toEqual(['2001', '2002']);
    expect((await store.identities.listByRole('officer')).map((i) => i.userId).sort()).toEqual(['2001', '2002']);
    await store.identities.update('telegram', '2002', { role: 'staff', unitId: 'u_9' }, admin);
    expect((await store.identities.listByUnit('u_1')).map((i) => i.userId)).toEqual(['2001']);
    expect((await store.identities.listByRole('staff')).map((i) => i.userId).sort()).toEqual(['2002', '2003']);
    expect((await store.identities.listByRole('officer')).map((i) => i.userId)).toEqual(['2001']);
    await store.identities.upsert(fresh('2001', { role: null, unitId: null }), admin);
    expect(await store.identities.listByRole('officer')).toEqual([]);
    expect(await store.identities.listByUnit('u_1')).toEqual([]);
  });

  it('setLang changes only the language', async () => {
    await store.identities.upsert(fresh('3001', { role: 'officer', unitId: 'u_3' }), admin);
    const after = await store.identities.setLang('telegram', '3001', 'en', me('3001'));
    expect(after).toEqual(fresh('3001', { role: 'officer', unitId: 'u_3', lang: 'en' }));
    await expect(store.identities.setLang('telegram', 'nobody', 'en', me('nobody'))).rejects.toMatchObject({ code: 'not_found' });
    await expect(store.identities.setLang('telegram', '3001', 'fr' as never, me('3001'))).rejects.toMatchObject({ code: 'invalid' });
    expect((await store.identities.get('telegram', '3001'))?.lang).toBe('en');
  });

  it('touchInbound is one cheap write, merged on read, and not audited', async () => {
    await store.identities.upsert(fresh('4001'), me('4001'));
    const auditBefore = await store.audit.length();
    await store.identities.touchInbound('telegram', '4001', new Date('2024-11-02T03:04:05Z'));
    expect(await store.audit.length()).toBe(auditBefore);
    expect((await store.identities.get('telegram', '4001'))?.lastInboundAt).toBe('2024-11-02T03:04:05.000Z');
    expect((await store.identities.all()).find((i) => i.userId === '4001')?.lastInboundAt).toBe('2024-11-02T03:04:05.000Z');
    // A later upsert of an older snapshot does not move it back.
    await store.identities.upsert(fresh('4001'), me('4001'));
    expect((await store.identities.get('telegram', '4001'))?.lastInboundAt).toBe('2024-11-02T03:04:05.000Z');
  });

  it('markUnreachable flips the flag (audited), no-op when unchanged, null when unknown', async () => {
    await store.identities.upsert(fresh('5001'), me('5001'));
    const n0 = await store.audit.length();
    expect((await store.identities.markUnreachable('telegram', '5001', true))?.unreachable).toBe(true);
    expect((await store.identities.get('telegram', '5001'))?.unreachable).toBe(true);
    expect(await store.audit.length()).toBe(n0 + 1);
    expect((await store.identities.markUnreachable('telegram', '5001', true))?.unreachable).toBe(true);
    expect(await store.audit.length()).toBe(n0 + 1);
    expect((await store.identities.markUnreachable('telegram', '5001', false, me('5001')))?.unreachable).toBe(false);
    expect(await store.identities.markUnreachable('telegram', 'ghost', true)).toBeNull();
  });

  it('all() and count() cover every channel', async () => {
    await store.identities.upsert({ ...fresh('z-1'), channel: 'zalo' }, admin);
    await store.identities.upsert({ ...fresh('sim:odd/id'), channel: 'sim' }, admin);
    const all = await store.identities.all();
    expect(all.length).toBe(await store.identities.count());
    expect(all.map((i) => `${i.channel}:${i.userId}`)).toEqual(expect.arrayContaining(['zalo:z-1', 'sim:sim:odd/id', 'telegram:1001']));
    expect(await store.identities.get('sim', 'sim:odd/id')).toMatchObject({ channel: 'sim', userId: 'sim:odd/id' });
  });

  it('concurrent upserts of one account keep the indexes consistent', async () => {
    await Promise.all(
      ['u_a', 'u_b', 'u_c', 'u_d'].map((unitId) => store.identities.upsert(fresh('6001', { role: 'officer', unitId }), admin)),
    );
    const final = await store.identities.get('telegram', '6001');
    const inUnits = await Promise.all(['u_a', 'u_b', 'u_c', 'u_d'].map((u) => store.identities.listByUnit(u)));
    expect(inUnits.flat().map((i) => i.userId)).toEqual(['6001']);
    expect((await store.identities.listByUnit(final!.unitId!)).map((i) => i.userId)).toEqual(['6001']);
  });
});
