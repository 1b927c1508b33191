import { describe, expect, it, vi } from 'vitest';
import { startWorkers } from '../../jobs/index.js';
import { createApp } from '../../src/app.js';
import { parseConfig } from '../../src/config/index.js';
import { standardFor } from '../../src/domain/index.js';
import { createLogger } from '../../src/logger.js';
import { createRedis, isCluster } from '../../src/redis/connection.js';
import { createStore } from '../../src/store/index.js';
import { addIdentity, addNomination, outboxDrained, stopAfterEach, TEST_ACTOR, unitByCode, vn } from '../helpers/jobs.js';
import { clusterPerFile, clusterUnsupported } from '../helpers/redis-cluster.js';
import { joinOnTelegram, startTelegramBot, textOf } from '../helpers/telegram.js';

/**
 * The app on a real Redis Cluster (3 masters + 3 replicas): the engine's and the store's
 * scripts, the outbox, reminders, staff digests and a broadcast, through the Telegram
 * webhook and the fake Bot API. One cluster for the file.
 */
const unsupported = clusterUnsupported();
if (unsupported) console.warn(`⚠ SKIPPED: Redis Cluster tests (test/cluster/app.test.ts): ${unsupported}`);

describe.skipIf(unsupported)('the app on a Redis Cluster', () => {
  const cluster = clusterPerFile();
  const track = stopAfterEach();

  it('every key of one script shares a slot: a braced prefix works, an unbraced one fails with CROSSSLOT and is refused at start', async () => {
    const redis = track({ r: createRedis(cluster().url), close: async function () { await this.r.quit(); } }).r;
    expect(isCluster(redis)).toBe(true);
    const unit = { code: 'X1', name: 'Xã Một', level: 'commune' as const };
    // Without a hash tag the keys of one store change scatter over slots: the cluster refuses the script.
    await expect(createStore(redis, { prefix: 'nobrace' }).units.create(unit, TEST_ACTOR)).rejects.toThrow(/CROSSSLOT|same slot/);
    const store = createStore(redis, { prefix: '{braced}' });
    const created = await store.units.create(unit, TEST_ACTOR);
    expect(await store.units.getByCode('x1')).toEqual(created);
    expect((await store.audit.forEntity(created.id)).map((e) => e.action)).toEqual(['unit.create']);

    // The process refuses such a prefix in one line; unset, it is {td} on a cluster.
    expect(() => parseConfig({ REDIS_URL: cluster().url, STORE_PREFIX: 'td' })).toThrow(/^Invalid configuration: STORE_PREFIX must be a hash-tagged prefix on a Redis Cluster, e\.g\. \{td\}/);
    expect(parseConfig({ REDIS_URL: cluster().url }).STORE_PREFIX).toBe('{td}');
    const config = parseConfig({ REDIS_URL: cluster().url, LOG_LEVEL: 'silent' });
    await expect(createApp(config, { redisUrl: cluster().url, prefix: 'plain', log: createLogger('silent') })).rejects.toThrow(/^Refusing to start: the key prefix must be a hash-tagged prefix/);
  });

  it('Telegram: officers join and report through the engine; reminders, a staff digest and a broadcast reach each chat exactly once', async () => {
    const now = vn('2024-12-03T08:00');
    const t = track(await startTelegramBot('binh-thanh-2024', { now, redisUrl: cluster().url, prefix: `{c${Date.now().toString(36)}}` }));
    const { app } = t.bot;
    expect(isCluster(app.redis)).toBe(true);

    // Two officers join by invite over the webhook (engine: lock, dedupe, session scripts; store: invite, identity).
    const officers = [
      { chat: 9101, code: 'TN-DH-BT-X01' },
      { chat: 9102, code: 'TN-DH-BT-X02' },
    ];
    for (const o of officers) expect(await joinOnTelegram(t, o.chat, 'officer', (await unitByCode(app, o.code)).id)).toContain('Bạn đã tham gia');
    // The first reports its indicators: a store transaction behind a conversation.
    const unit = await unitByCode(app, 'TN-DH-BT-X01');
    const indicators = standardFor(app.campaign, unit.level)!.indicators;
    await t.send(t.tg.text({ userId: 9101, text: '/baocao' }), 9101);
    let r = await t.send(t.tg.text({ userId: 9101, text: '2024' }), 9101);
    for (const _ of indicators) r = await t.send(t.tg.text({ userId: 9101, text: '100' }), 9101);
    r = await t.send(t.tg.text({ userId: 9101, text: 'bỏ qua' }), 9101);
    r = await t.press(9101, 'Xác nhận');
    expect(t.text(r)).toContain('Đã nhận báo cáo chỉ tiêu năm 2024');
    expect((await app.store.reports.get(app.campaign.id, 2024, unit.id))?.values).toEqual(Object.fromEntries(indicators.map((i) => [i.id, 100])));

    // Staff of the office that receives the hamlets' dossiers (every chain's first step: the commune's
    // Văn phòng – Thống kê, where digests go) on Telegram, and 20 more hamlet officers.
    await addIdentity(app, 'telegram', '9200', { role: 'staff', unitCode: 'TN-DH-BT-VPTK' });
    const chats = [9102];
    for (let i = 3; i <= 14; i++) {
      chats.push(9100 + i);
      await addIdentity(app, 'telegram', String(9100 + i), { unitCode: `TN-DH-BT-X${String(i).padStart(2, '0')}` });
    }
    await addNomination(app, t.bot.dataDir, 'TN-DH-BT-X04', { nominee: 'Xóm Nà Mòn', parts: ['to_trinh'], status: 'submitted' });
    const workers = track(await startWorkers(app, { schedules: false }));
    app.attachWorkers(workers.workers);

    // Reminders: everyone who has not reported (not 9101), once, even when the pass runs twice.
    // Staged as a national pass is (jobs/outbox-staging.ts: its list, set and lock share the prefix's slot).
    app.jobs.outbox.stageFrom = 1;
    const first = await app.jobs.runReminders(now);
    await app.jobs.runReminders(now);
    expect(first.queued).toBeGreaterThanOrEqual(chats.length);
    // The staff digest (dossiers missing parts, D-2 of 05/12).
    const alerts = await app.jobs.runAlerts(now);
    expect(alerts.queued).toBeGreaterThan(0);
    await outboxDrained(app);
    for (const chat of chats) expect(t.fake.messagesTo(chat).map(textOf).filter((m) => m.includes('chưa gửi báo cáo')), `chat ${chat}`).toHaveLength(1);
    expect(t.fake.messagesTo(9101).map(textOf).filter((m) => m.includes('chưa gửi báo cáo'))).toEqual([]);
    expect(t.fake.messagesTo(9200).map(textOf).filter((m) => m.startsWith('📋'))).toHaveLength(1);

    // A broadcast to every participant.
    const { id } = await app.jobs.broadcasts.start({ by: { channel: 'telegram', userId: '9200', lang: 'vi' }, text: 'Họp sơ kết lúc 8 giờ thứ Hai.', audience: { kind: 'channel', channel: 'telegram' } });
    await vi.waitFor(async () => expect((await app.jobs.broadcasts.status(id))?.status).toBe('done'), { timeout: 20_000, interval: 50 });
    await outboxDrained(app);
    for (const chat of [...chats, 9101]) expect(t.fake.messagesTo(chat).map(textOf).filter((m) => m.includes('Họp sơ kết lúc 8 giờ')), `chat ${chat}`).toHaveLength(1);
    const status = (await app.jobs.broadcasts.status(id))!;
    expect(status.sent).toBe(status.total);
    expect(status.resent).toBe(0);

    // /healthz on a healthy cluster: ok, with the cluster's state.
    const health = await app.health();
    expect(health.reasons).toEqual([]);
    expect(health.status).toBe('ok');
    expect(health.redis.cluster).toEqual({ state: 'ok', failingNodes: 0 });
  });
});
