import { afterAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { testRedis } from '../helpers/redis.js';
import { createStore, importUnitsCsv, type Actor, type AuditEntry } from '../../src/store/index.js';
import type { FileRef } from '../../src/domain/entities.js';

const tg: Actor = { id: 'telegram:123', role: 'officer', channel: 'telegram' };
const zl: Actor = { id: 'zalo:456', role: 'staff', channel: 'zalo' };
const cli: Actor = { id: 'cli', role: null, channel: 'cli' };
const AT = '2024-11-05T08:00:00.000Z';

async function snapshot(redis: Redis, prefix: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) out[key] = Buffer.from((await redis.dump(key)) ?? '').toString('base64');
  } while (cursor !== '0');
  return out;
}

describe('store: audit', () => {
  const { redis, ns } = testRedis();
  const store = createStore(redis, { prefix: ns, now: () => new Date(AT), inviteSecret: 'audit-test-secret-'.padEnd(40, 'x') });
  afterAll(() => redis.quit());

  /** Runs a change and returns the audit entries it wrote. */
  async function audited(fn: () => Promise<unknown>): Promise<AuditEntry[]> {
    const before = await store.audit.list({ newestFirst: true, count: 1 });
    await fn();
    return store.audit.list({ from: before[0]?.id, count: 1000 }).then((all) => all.filter((e) => e.id !== before[0]?.id));
  }
  const one = async (fn: () => Promise<unknown>): Promise<AuditEntry> => {
    const entries = await audited(fn);
    expect(entries).toHaveLength(1);
    return entries[0]!;
  };

  it('every mutating method writes one entry with actor, role, channel, action, entity, before, after, at', async () => {
    // units
    let e = await one(() => store.units.create({ code: 'BT', name: 'UBND xã Bình Thành', level: 'commune' }, tg));
    expect(e).toMatchObject({ actor: 'telegram:123', role: 'officer', channel: 'telegram', action: 'unit.create', entity: 'unit', before: null, at: AT });
    const bt = (await store.units.getByCode('BT'))!;
    expect(e.after).toEqual(bt);
    expect(e.entityId).toBe(bt.id);
    const imported = await audited(() => importUnitsCsv(store, 'name,level,parent,code\nXóm Na Mòn,xóm,BT,BT-01\nXóm Đồng Hoàng,xóm,BT,BT-02\n', cli));
    expect(imported.map((x) => [x.action, x.actor, x.role, (x.after as { code: string }).code])).toEqual([
      ['unit.import', 'cli', null, 'BT-01'],
      ['unit.import', 'cli', null, 'BT-02'],
    ]);

    // people
    e = await one(() => store.people.create({ name: 'Hà Văn Nam' }, tg));
    expect(e).toMatchObject({ action: 'person.create', entity: 'person', before: null, after: { name: 'Hà Văn Nam' } });
    const pid = e.entityId;
    e = await one(() => store.people.update(pid, { position: 'Trưởng xóm' }, zl));
    expect(e).toMatchObject({ action: 'person.update', actor: 'zalo:456', role: 'staff', channel: 'zalo', before: { position: null }, after: { position: 'Trưởng xóm' } });

    // identities
    const ident = {
      channel: 'telegram' as const,
      userId: '123',
      personId: pid,
      role: null,
      unitId: null,
      lang: 'vi' as const,
      lastInboundAt: null,
      unreachable: false,
      createdAt: AT,
    };
    e = await one(() => store.identities.upsert(ident, tg));
    expect(e).toMatchObject({ action: 'identity.create', entity: 'identity', entityId: 'telegram:123', before: null, after: ident });
    e = await one(() => store.identities.upsert({ ...ident, role: 'officer', unitId: bt.id }, tg));
    expect(e).toMatchObject({ action: 'identity.update', before: { role: null }, after: { role: 'officer', unitId: bt.id } });
    e = await one(() => store.identities.update('telegram', '123', { personId: null }, cli));
    expect(e).toMatchObject({ action: 'identity.update', before: { personId: pid }, after: { personId: null } });
    e = await one(() => store.identities.setLang('telegram', '123', 'en', tg));
    expect(e).toMatchObject({ action: 'identity.update', before: { lang: 'vi' }, after: { lang: 'en' } });
    e = await one(() => store.identities.markUnreachable('telegram', '123', true));
    expect(e).toMatchObject({ action: 'identity.unreachable', actor: 'system', role: null, before: { unreachable: false }, after: { unreachable: true } });
    expect(await audited(() => store.identities.touchInbound('telegram', '123', new Date()))).toEqual([]);

    // registrations
    const reg = { campaignId: 'c', year: 2024, subject: { type: 'unit' as const, unitId: bt.id }, contentAreas: ['a'], registeredBy: pid };
    e = await one(() => store.registrations.upsert(reg, tg));
    expect(e).toMatchObject({ action: 'registration.create', entity: 'registration', before: null, after: { contentAreas: ['a'] } });
    e = await one(() => store.registrations.upsert({ ...reg, contentAreas: ['b', 'c'] }, tg));
    expect(e).toMatchObject({ action: 'registration.update', before: { contentAreas: ['a'] }, after: { contentAreas: ['b', 'c'] } });

    // reports
    const rep = { campaignId: 'c', year: 2024, unitId: bt.id, values: { x: 10 }, submittedBy: pid };
    e = await one(() => store.reports.submit(rep, tg));
    expect(e).toMatchObject({ action: 'report.submit', entity: 'report', before: null, after: { values: { x: 10 } } });
    e = await one(() => store.reports.submit({ ...rep, values: { x: 20 } }, tg));
    expect(e).toMatchObject({ action: 'report.resubmit', before: { values: { x: 10 } }, after: { values: { x: 20 } } });

    // nominations
    const f: FileRef = { sha256: 'a'.repeat(64), name: 'a.pdf', mime: 'application/pdf', size: 1, path: 'files/a', receivedAt: AT };
    e = await one(() =>
      store.nominations.createDraft(
        { campaignId: 'c', year: 2024, unitId: bt.id, awardId: 'gk', reviewId: 'y', nominee: { type: 'collective', unitId: null, name: 'Xóm Na Mòn' }, createdBy: pid },
        tg,
      ),
    );
    expect(e).toMatchObject({ action: 'nomination.create', entity: 'nomination', before: null, after: { status: 'draft' } });
    const nid = e.entityId;
    e = await one(() => store.nominations.update(nid, { summary: 's' }, tg));
    expect(e).toMatchObject({ action: 'nomination.update', before: { summary: '' }, after: { summary: 's' } });
    e = await one(() => store.nominations.attachPart(nid, 'p1', f, tg));
    expect(e).toMatchObject({ action: 'nomination.attach_part', before: { parts: {} }, after: { parts: { p1: f } } });
    e = await one(() => store.nominations.removePart(nid, 'p1', tg));
    expect(e).toMatchObject({ action: 'nomination.remove_part', before: { parts: { p1: f } }, after: { parts: {} } });
    e = await one(() => store.nominations.setStatus(nid, 'submitted', {}, tg));
    expect(e).toMatchObject({ action: 'nomination.submitted', before: { status: 'draft' }, after: { status: 'submitted' } });
    e = await one(() => store.nominations.setStatus(nid, 'returned', { reason: 'thiếu tờ trình' }, zl));
    expect(e).toMatchObject({ action: 'nomination.returned', actor: 'zalo:456', before: { status: 'submitted' }, after: { status: 'returned', returnReason: 'thiếu tờ trình' } });

    // invites
    let code = '';
    e = await one(async () => (code = await store.invites.create({ role: 'officer', unitId: bt.id, createdBy: 'telegram:123' }, tg)));
    expect(e).toMatchObject({ action: 'invite.create', entity: 'invite', before: null, after: { role: 'officer', unitId: bt.id } });
    e = await one(() => store.invites.consume(code, zl));
    expect(e).toMatchObject({ action: 'invite.consume', actor: 'zalo:456', before: { role: 'officer' }, after: { usedBy: 'zalo:456' } });
    const code2 = await store.invites.create({ role: 'staff', unitId: null, createdBy: 'cli' }, cli);
    e = await one(() => store.invites.revoke(code2, cli));
    expect(e).toMatchObject({ action: 'invite.revoke', before: { role: 'staff' }, after: null });

    // refused changes write no entry
    expect(await audited(() => store.nominations.setStatus(nid, 'accepted', {}, zl).catch(() => null))).toEqual([]);
    expect(await audited(() => store.units.create({ code: 'BT', name: 'dup', level: 'commune' }, tg).catch(() => null))).toEqual([]);
  });

  it('list filters by time window, entity and count; forEntity gives one entity oldest first', async () => {
    const all = await store.audit.list({ count: 10_000 });
    expect(all.length).toBe(await store.audit.length());
    const ids = all.map((e) => e.id);
    expect([...ids].sort((a, b) => (BigInt(a.split('-')[0]!) === BigInt(b.split('-')[0]!) ? Number(a.split('-')[1]) - Number(b.split('-')[1]) : BigInt(a.split('-')[0]!) < BigInt(b.split('-')[0]!) ? -1 : 1))).toEqual(ids);
    expect(await store.audit.list({ count: 3 })).toEqual(all.slice(0, 3));
    expect(await store.audit.list({ count: 2, newestFirst: true })).toEqual(all.slice(-2).reverse());
    const firstMs = Number(all[0]!.id.split('-')[0]);
    expect(await store.audit.list({ to: new Date(firstMs - 1) })).toEqual([]);
    expect((await store.audit.list({ from: new Date(firstMs), count: 10_000 })).length).toBe(all.length);
    expect(await store.audit.list({ from: new Date(Date.now() + 60_000) })).toEqual([]);
    expect(await store.audit.list({ from: all[5]!.id, to: all[7]!.id })).toEqual(all.slice(5, 8));

    const unit = (await store.units.getByCode('BT'))!;
    const forUnit = await store.audit.forEntity(unit.id);
    expect(forUnit.map((e) => e.action)).toEqual(['unit.create']);
    const forIdentity = await store.audit.forEntity('telegram:123');
    expect(forIdentity.map((e) => e.action)).toEqual(['identity.create', 'identity.update', 'identity.update', 'identity.update', 'identity.unreachable']);
    expect(await store.audit.list({ entityId: 'telegram:123', count: 2, newestFirst: true })).toEqual(forIdentity.slice(-2).reverse());
    expect(await store.audit.forEntity('nothing')).toEqual([]);
  });

  it('atomicity: a refused change leaves every key exactly as it was', async () => {
    const { redis: r, ns: p } = testRedis();
    const s = createStore(r, { prefix: p, now: () => new Date(AT) });
    const bt = await s.units.create({ code: 'BT', name: 'Bình Thành', level: 'commune' }, cli);
    const n = await s.nominations.createDraft(
      { campaignId: 'c', year: 2024, unitId: bt.id, awardId: 'gk', reviewId: 'y', nominee: { type: 'collective', unitId: null, name: 'X' }, createdBy: 'p' },
      cli,
    );
    const person = await s.people.create({ name: 'An' }, cli);
    const before = await snapshot(r, p);
    const attempts = [
      () => s.units.create({ code: 'BT', name: 'Trùng mã', level: 'hamlet', parentId: bt.id }, cli),
      () => s.units.create({ code: 'H1', name: 'Xóm sai cấp', level: 'district', parentId: bt.id }, cli),
      () => s.units.create({ code: 'H2', name: '', level: 'hamlet', parentId: bt.id }, cli),
      () => s.people.update(person.id, { name: '' }, cli),
      () => s.people.create({ name: 'x'.repeat(500) }, cli),
      () => s.nominations.update(n.id, { summary: 'x'.repeat(3000) }, cli),
      () => s.nominations.setStatus(n.id, 'accepted', {}, cli),
      () => s.registrations.upsert({ campaignId: 'c', year: 2024, subject: { type: 'unit', unitId: bt.id }, contentAreas: [], registeredBy: 'p' }, cli),
      () => s.reports.submit({ campaignId: 'c', year: 2024, unitId: bt.id, values: { x: -1 }, submittedBy: 'p' }, cli),
      () => s.identities.upsert({ channel: 'fax' as never, userId: '1', personId: null, role: null, unitId: null, lang: 'vi', lastInboundAt: null, createdAt: AT }, cli),
      () => s.invites.create({ role: 'officer', unitId: null, ttlDays: -1, createdBy: 'cli' }, cli),
      () => importUnitsCsv(s, 'name,level,parent,code\nXóm A,xóm,BT,A1\nXóm B,làng,BT,A2\n', cli),
    ];
    for (const attempt of attempts) await attempt().catch(() => null);
    expect(await snapshot(r, p)).toEqual(before);
    await r.quit();
  });
});
