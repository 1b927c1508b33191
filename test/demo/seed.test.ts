import { afterAll, describe, expect, it } from 'vitest';
import { listPresets, loadCampaign } from '../../src/campaign/index.js';
import { DEMO, demoUsers, seedDemo } from '../../src/demo/seed.js';
import { hierarchyOf, mayBeParent } from '../../src/domain/levels.js';
import { isUnder } from '../../src/domain/units.js';
import { createStore } from '../../src/store/index.js';
import { testRedis } from '../helpers/redis.js';

/**
 * The demo seed of every preset: its unit list imports under the preset's own hierarchy,
 * the demo staff member works for the office that runs the campaign (the issuer's unit,
 * never a district the plan does not have) and the demo officer's unit is under it.
 */
describe.each(listPresets())('demo seed of %s', (id) => {
  const campaign = loadCampaign(id);
  const { redis, ns } = testRedis();
  const store = createStore(redis, { prefix: ns, hierarchy: hierarchyOf(campaign), inviteSecret: 'x'.repeat(32) });
  afterAll(() => redis.quit());

  it("seeds its unit tree by the campaign's own parent rules, staff at the issuer's office, the officer under it", async () => {
    expect(await seedDemo(store, campaign, redis, ns)).toBe('seeded');
    const units = await store.units.all();
    const byId = new Map(units.map((u) => [u.id, u]));
    for (const u of units) if (u.parentId) expect(mayBeParent(campaign, u.level, byId.get(u.parentId)!.level), `${u.name}`).toBe(true);

    const staff = (await store.identities.get('sim', DEMO.staff))!;
    const officer = (await store.identities.get('sim', DEMO.officer))!;
    const office = byId.get(staff.unitId!)!;
    expect(office.level).toBe(campaign.issuer.level);
    expect(isUnder(officer.unitId!, office.id, byId)).toBe(true);
    expect(campaign.standards.some((s) => s.level === byId.get(officer.unitId!)!.level)).toBe(true);

    const label = (await demoUsers(store, campaign, redis, ns)).find((u) => u.id === DEMO.staff)!.label;
    expect(label).toBe(`Cán bộ theo dõi — ${office.name}`);
    if (campaign.issuer.level !== 'district') expect(label).not.toMatch(/huyện/i);
  });
});

describe('demo seed of the two-level preset', () => {
  it('staff of the province, an officer of a xóm of the new xã Bình Thành', async () => {
    const campaign = loadCampaign('thai-nguyen-2026');
    const { redis, ns } = testRedis();
    const store = createStore(redis, { prefix: ns, hierarchy: hierarchyOf(campaign), inviteSecret: 'x'.repeat(32) });
    await seedDemo(store, campaign, redis, ns);
    const users = await demoUsers(store, campaign, redis, ns);
    expect(users.map((u) => u.label).slice(0, 2)).toEqual(['Cán bộ Xóm Đồng Tâm', 'Cán bộ theo dõi — Tỉnh Thái Nguyên']);
    const officer = await store.units.get((await store.identities.get('sim', DEMO.officer))!.unitId!);
    expect((await store.units.get(officer!.parentId!))!.name).toBe('UBND xã Bình Thành');
    await redis.quit();
  });
});
