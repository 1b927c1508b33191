import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createRedis } from '../../src/redis/connection.js';
import { CLI_ACTOR, createStore, isStoreError, type IdentityInput } from '../../src/store/index.js';
import { startBot, type TestBot } from '../helpers/bot.js';
import { cli as runCli, PROCESS_TEST_TIMEOUT } from '../helpers/process.js';

/** Issue #11 item 4: admins can be removed. */
const CAMPAIGN = 'hai-duong-2021-2025';
const REFUSED = 'Bạn không có quyền';
const admin = (userId: string): IdentityInput => ({
  channel: 'sim',
  userId,
  personId: null,
  role: 'admin',
  unitId: null,
  lang: 'vi',
  lastInboundAt: null,
  unreachable: false,
  createdAt: new Date().toISOString(),
});

describe('ADMINS is applied at every start', () => {
  const bots: TestBot[] = [];
  afterAll(async () => {
    for (const b of bots.reverse()) await b.close();
  });

  it('listed accounts become admins; one removed from ADMINS is demoted (actor config); others keep their role', async () => {
    const first = await startBot(CAMPAIGN, { env: { ADMINS: 'sim:boss-a,sim:boss-b' } });
    bots.push(first);
    const { store } = first.app;
    for (const u of ['boss-a', 'boss-b']) expect((await store.identities.get('sim', u))?.role, u).toBe('admin');
    expect(first.text(await first.say('boss-b', '/thongbao'))).not.toContain(REFUSED);
    await first.say('boss-b', 'hủy');

    await first.close();
    bots.pop();
    const second = await startBot(CAMPAIGN, { prefix: first.prefix, dataDir: first.dataDir, env: { ADMINS: 'sim:boss-a,sim:boss-c' } });
    bots.push(second);
    const s = second.app.store;
    expect((await s.identities.get('sim', 'boss-a'))?.role).toBe('admin');
    expect((await s.identities.get('sim', 'boss-b'))?.role).toBeNull();
    expect((await s.identities.get('sim', 'boss-c'))?.role).toBe('admin');
    // The demo admin was not made by ADMINS: it stays.
    expect((await s.identities.get('sim', 'quan-tri'))?.role).toBe('admin');
    const demoted = (await s.audit.forEntity('sim:boss-b')).at(-1)!;
    expect(demoted).toMatchObject({ actor: 'config', action: 'identity.admin_removed_from_config', after: { role: null } });
    expect(second.text(await second.say('boss-b', '/thongbao'))).toContain('Bạn tham gia phong trào với tư cách nào?');
  });
});

describe('admins revoke admins, never the last one', () => {
  let bot: TestBot;
  afterAll(() => bot?.close());

  it('/canbo lists admins to an admin, who can revoke another admin (staff never see them)', async () => {
    bot = await startBot(CAMPAIGN, { env: { ADMINS: 'sim:chief-1,sim:chief-2' } });
    let r = await bot.say('chief-1', '/canbo');
    const labels = r.at(-1)!.choices!.map((c) => c.label);
    expect(labels.filter((l) => l.startsWith('Quản trị:')).length).toBe(2); // chief-2 and the demo admin, not chief-1
    r = await bot.say('chief-1', bot.button(r, 'sim …ef-2'));
    r = await bot.say('chief-1', 'Xác nhận');
    expect(bot.text(r)).toContain('Đã thu hồi quyền');
    expect((await bot.app.store.identities.get('sim', 'chief-2'))?.role).toBeNull();
    expect((await bot.app.store.audit.forEntity('sim:chief-2')).at(-1)).toMatchObject({ actor: 'sim:chief-1', action: 'identity.revoke' });
    // The demo district staff member sees no admin.
    r = await bot.say('can-bo-theo-doi', '/canbo');
    expect(bot.text(r)).not.toContain('Quản trị:');
  });

  it('the store refuses to revoke the last admin, atomically: two admins revoking each other at once leave one', async () => {
    const redis = createRedis(inject('redisUrl'));
    try {
      const store = createStore(redis, { prefix: `adm${randomUUID().slice(0, 6)}` });
      await store.identities.upsert(admin('only'), CLI_ACTOR);
      const err = await store.identities.revoke('sim', 'only', CLI_ACTOR).catch((e: unknown) => e);
      expect(isStoreError(err, 'last_admin'), String(err)).toBe(true);
      expect((await store.identities.get('sim', 'only'))?.role).toBe('admin');

      await store.identities.upsert(admin('other'), CLI_ACTOR);
      const results = await Promise.allSettled([store.identities.revoke('sim', 'only', CLI_ACTOR), store.identities.revoke('sim', 'other', CLI_ACTOR)]);
      expect(results.filter((x) => x.status === 'fulfilled').length).toBe(1);
      expect((await store.identities.listByRole('admin')).length).toBe(1);
    } finally {
      await redis.quit();
    }
  });
});

describe('npm run cli -- people:list / people:revoke', { timeout: PROCESS_TEST_TIMEOUT }, () => {
  const prefix = `clip${randomUUID().slice(0, 6)}`;
  const redis = createRedis(inject('redisUrl'));
  const store = createStore(redis, { prefix });
  afterAll(() => redis.quit());
  const cli = (...args: string[]) =>
    runCli(args, { env: { ...process.env, REDIS_URL: inject('redisUrl'), STORE_PREFIX: prefix, DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'cli-')) } });

  it('lists the admins naming the store used, revokes one, and refuses the last with a clear message', async () => {
    await store.identities.upsert(admin('ops-1'), CLI_ACTOR);
    await store.identities.upsert(admin('ops-2'), CLI_ACTOR);
    await store.identities.upsert({ ...admin('clerk'), role: 'individual' }, CLI_ACTOR);

    const list = cli('people:list', '--role', 'admin');
    expect(list.status, list.stderr).toBe(0);
    expect(list.stdout.trim().split('\n').map((l) => l.split('\t').slice(0, 2))).toEqual([
      ['sim:ops-1', 'admin'],
      ['sim:ops-2', 'admin'],
    ]);
    expect(list.stderr).toContain(`store prefix ${prefix}`);
    expect(list.stderr).not.toMatch(/redis:\/\//);

    const ok = cli('people:revoke', 'sim:ops-1');
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toContain(`Revoked admin sim:ops-1`);
    expect((await store.identities.get('sim', 'ops-1'))?.role).toBeNull();
    expect((await store.audit.forEntity('sim:ops-1')).at(-1)).toMatchObject({ actor: 'cli', action: 'identity.revoke' });

    const last = cli('people:revoke', 'sim:ops-2');
    expect(last.status).toBe(1);
    expect(last.stderr).toContain('sim:ops-2 is the last admin');
    expect((await store.identities.get('sim', 'ops-2'))?.role).toBe('admin');
  }, 120_000);
});
