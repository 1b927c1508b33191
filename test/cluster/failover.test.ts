import type { Update } from 'grammy/types';
import type { Cluster } from 'ioredis';
import { describe, expect, it, vi } from 'vitest';
import { startWorkers } from '../../jobs/index.js';
import { standardFor } from '../../src/domain/index.js';
import type { Health } from '../../src/ops/health.js';
import { createRedis } from '../../src/redis/connection.js';
import { replicaShortfalls } from '../../src/redis/durable.js';
import { postZaloEvent, zaloEvents } from '../fakes/zalo-events.js';
import { startFakeZalo } from '../fakes/zalo-openapi.js';
import { addIdentity, stopAfterEach, unitByCode, vn } from '../helpers/jobs.js';
import { clusterPerFile, clusterUnsupported } from '../helpers/redis-cluster.js';
import { joinOnTelegram, startTelegramBot, textOf, type TelegramTestBot } from '../helpers/telegram.js';
import { ZALO_APP_ID, ZALO_APP_SECRET, ZALO_OA_SECRET, ZALO_RT0 } from '../helpers/zalo.js';

/**
 * A master SIGKILLed in the middle of a broadcast (Telegram and Zalo) and of officers'
 * conversations: its replica is promoted (cluster-node-timeout 1 s), the app's and the
 * workers' ioredis Cluster clients find it by themselves, no confirmed report is lost, no
 * recipient gets the announcement twice, the broadcast finishes on its own, workers that
 * were idle at the kill take jobs again and close, and /healthz says what happened.
 */
const unsupported = clusterUnsupported();
if (unsupported) console.warn(`⚠ SKIPPED: Redis Cluster failover test (test/cluster/failover.test.ts): ${unsupported}`);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ANNOUNCEMENT = 'Họp sơ kết phong trào lúc 8 giờ thứ Hai.';

describe.skipIf(unsupported)('a Redis Cluster master dies mid-broadcast and mid-conversation', () => {
  const cluster = clusterPerFile();
  const track = stopAfterEach();

  it('a replica takes over: 0 confirmed reports lost, every recipient once, the broadcast finishes, idle workers recover, /healthz reports the outage', async () => {
    const now = vn('2024-12-03T08:00');
    const prefix = `{f${Date.now().toString(36)}}`;
    const zalo = track(await startFakeZalo({ appId: ZALO_APP_ID, appSecret: ZALO_APP_SECRET, oaSecretKey: ZALO_OA_SECRET, initialRefreshToken: ZALO_RT0 }));
    const t = track(
      await startTelegramBot('binh-thanh-2024', {
        now,
        redisUrl: cluster().url,
        prefix,
        env: {
          // Slow enough that the broadcast is still sending when the master dies.
          TELEGRAM_RATE_PER_SEC: '8',
          ZALO_RATE_PER_SEC: '4',
          ZALO_APP_ID,
          ZALO_APP_SECRET,
          ZALO_OA_SECRET_KEY: ZALO_OA_SECRET,
          ZALO_REFRESH_TOKEN: ZALO_RT0,
          ZALO_API_BASE: zalo.apiBase,
          ZALO_OAUTH_BASE: zalo.oauthBase,
          ZALO_ZNS_BASE: zalo.znsBase,
        },
      }),
    );
    const { app } = t.bot;
    const base = t.url.replace(/\/webhooks\/telegram$/, '');

    // Four officers on Telegram (hamlets X01-X04) who will talk through the failover.
    const officers = [9301, 9302, 9303, 9304];
    for (const [i, chat] of officers.entries()) await joinOnTelegram(t, chat, 'officer', (await unitByCode(app, `TN-DH-BT-X0${i + 1}`)).id);
    // The broadcast's audience besides them: 60 more on Telegram, 24 on Zalo, the admin on Telegram.
    const ADMIN = 9300;
    await addIdentity(app, 'telegram', String(ADMIN), { role: 'admin' });
    const hamlets = (await app.store.units.all()).filter((u) => u.level === 'hamlet');
    const tgChats = Array.from({ length: 60 }, (_, i) => 9400 + i);
    const zaloUsers = Array.from({ length: 24 }, (_, i) => `73000000000000${String(1000 + i)}`);
    for (const [i, chat] of tgChats.entries()) await addIdentity(app, 'telegram', String(chat), { unitId: hamlets[i % hamlets.length]!.id });
    for (const [i, user] of zaloUsers.entries()) await addIdentity(app, 'zalo', user, { unitId: hamlets[i % hamlets.length]!.id });
    // Everyone with a role (the demo's simulator accounts too).
    const audience = await app.jobs.broadcasts.count({ kind: 'all' });
    expect(audience.total).toBeGreaterThanOrEqual(officers.length + 1 + tgChats.length + zaloUsers.length);

    // The worker side in this process: outbox (Telegram, Zalo), schedule and broadcast workers.
    const workers = await startWorkers(app, { schedules: false });
    let workersClosed = false;
    track({ close: async () => void (workersClosed ? undefined : await workers.close()) });
    app.attachWorkers(workers.workers);

    // /healthz, every 200 ms, from before the kill to the end.
    const seen: { at: number; status: Health['status']; reasons: string[] }[] = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const h = (await fetch(`${base}/healthz`).then((r) => r.json()).catch(() => null)) as Health | null;
        if (h) seen.push({ at: Date.now(), status: h.status, reasons: h.reasons });
        await sleep(200);
      }
    })();

    // Officers report again and again, each update redelivered until answered 200, as Telegram does.
    const deliver = async (t: TelegramTestBot, update: Update, chat: number) => {
      const before = t.fake.messagesTo(chat).length;
      for (let attempt = 0; ; attempt++) {
        const status = await t.post(update).catch(() => 0);
        if (status === 200) return t.fake.messagesTo(chat).slice(before);
        if (attempt > 100) throw new Error(`update for ${chat} never answered 200 (last ${status})`);
        await sleep(200);
      }
    };
    const indicators = standardFor(app.campaign, 'hamlet')!.indicators;
    const confirmed = new Map<number, number[]>(officers.map((c) => [c, []]));
    let talking = true;
    const conversations = officers.map(async (chat) => {
      for (let round = 1; talking || round <= 2; round++) {
        const value = 40 + round;
        await deliver(t, t.tg.text({ userId: chat, text: '/baocao' }), chat);
        await deliver(t, t.tg.text({ userId: chat, text: '2024' }), chat);
        for (const _ of indicators) await deliver(t, t.tg.text({ userId: chat, text: String(value) }), chat);
        await deliver(t, t.tg.text({ userId: chat, text: 'bỏ qua' }), chat);
        const r = await deliver(t, t.tg.text({ userId: chat, text: 'Xác nhận' }), chat);
        if (r.map(textOf).some((m) => m.includes('Đã nhận báo cáo chỉ tiêu năm 2024'))) confirmed.get(chat)!.push(value);
      }
    });

    // Once every officer has confirmed a round, the broadcast starts; as soon as some
    // announcements are out on both platforms (most still to go), the master of our slot is killed.
    await vi.waitFor(() => expect([...confirmed.values()].every((v) => v.length >= 1)).toBe(true), { timeout: 60_000, interval: 20 });
    const { id } = await app.jobs.broadcasts.start({ by: { channel: 'telegram', userId: String(ADMIN), lang: 'vi' }, text: ANNOUNCEMENT, audience: { kind: 'all' } });
    const announced = () => ({
      telegram: [ADMIN, ...officers, ...tgChats].filter((c) => t.fake.messagesTo(c).some((m) => textOf(m).includes(ANNOUNCEMENT))).length,
      zalo: zaloUsers.filter((u) => zalo.sentTo(u).some((m) => m.text?.includes(ANNOUNCEMENT))).length,
    });
    await vi.waitFor(
      () => {
        expect(announced().telegram).toBeGreaterThanOrEqual(3);
        expect(announced().zalo).toBeGreaterThanOrEqual(1);
      },
      { timeout: 60_000, interval: 20 },
    );
    const { master: killed, replicas } = await cluster().slotOwners(prefix);
    cluster().signal(killed, 'SIGKILL');
    const killedAt = Date.now();
    const atKill = announced();
    expect(atKill.telegram + atKill.zalo, 'the broadcast was still sending at the kill').toBeLessThan(audience.total / 2);

    // The replica is promoted; the conversations go on for a few rounds more.
    await vi.waitFor(async () => expect((await cluster().slotOwners(prefix)).master).toBe(replicas[0]), { timeout: 20_000, interval: 200 });
    const atPromotion = new Map([...confirmed].map(([c, v]) => [c, v.length]));

    // A worker that was idle at the kill (schedule) takes a job added after it.
    const probe = await app.jobs.schedule.add('member-joined', { channel: 'telegram', userId: 'nobody' }, { jobId: `probe-${Date.now()}` });
    await vi.waitFor(async () => expect((await app.jobs.schedule.getJob(probe.id!))?.finishedOn).toBeGreaterThan(0), { timeout: 60_000, interval: 200 });

    // A Zalo officer writes after the failover: the app's inbound worker (idle until now) answers once.
    const zaloOfficer = zaloUsers[0]!;
    const before = zalo.sentTo(zaloOfficer).length;
    // Stamped by the app's clock, as Zalo's would be by real time (the replay window compares the two).
    const ev = zaloEvents({ appId: ZALO_APP_ID, oaId: zalo.oaId, now: () => t.bot.clock.now.getTime() });
    const event = ev.userSendText({ userId: zaloOfficer, text: '/trangthai' });
    await vi.waitFor(async () => expect((await postZaloEvent(`${base}/webhooks/zalo`, event, ZALO_OA_SECRET).catch(() => ({ status: 0 }))).status).toBe(200), { timeout: 30_000, interval: 300 });
    await vi.waitFor(() => expect(zalo.sentTo(zaloOfficer).length).toBeGreaterThan(before), { timeout: 60_000, interval: 200 });

    // The broadcast finishes by itself.
    await vi.waitFor(async () => expect((await app.jobs.broadcasts.status(id))?.status).toBe('done'), { timeout: 120_000, interval: 250 });
    await vi.waitFor(() => expect(officers.every((c) => confirmed.get(c)!.length >= atPromotion.get(c)! + 2)).toBe(true), { timeout: 60_000, interval: 100 });
    talking = false;
    await Promise.all(conversations);

    // The old master comes back as a replica; /healthz goes back to ok once a write is acknowledged again.
    await cluster().restart(killed);
    await cluster().waitHealthy();
    await vi.waitFor(
      async () => {
        await app.store.identities.touchInbound('telegram', '9301', new Date()); // a write that waits for a replica
        await app.store.identities.setLang('telegram', '9301', 'vi', { id: 'telegram:9301', role: 'officer', channel: 'telegram' });
        expect((await app.health()).status).toBe('ok');
      },
      { timeout: 30_000, interval: 500 },
    );
    await sleep(400);
    polling = false;
    await poller;

    // Every recipient got the announcement exactly once, on its platform.
    for (const chat of [ADMIN, ...officers, ...tgChats]) expect(t.fake.messagesTo(chat).map(textOf).filter((m) => m.includes(ANNOUNCEMENT)), `telegram ${chat}`).toHaveLength(1);
    for (const user of zaloUsers) expect(zalo.sentTo(user).filter((m) => m.text?.includes(ANNOUNCEMENT)), `zalo ${user}`).toHaveLength(1);
    const status = (await app.jobs.broadcasts.status(id))!;
    expect(status).toMatchObject({ status: 'done', total: audience.total, sent: audience.total - audience.unreachable, failed: 0, pending: 0, resent: 0 });
    // One report to the admin.
    expect(t.fake.messagesTo(ADMIN).map(textOf).filter((m) => m.startsWith('✅'))).toHaveLength(1);
    // The Zalo officer's message was answered once (one reply batch, no re-run after the failover).
    expect(zalo.sentTo(zaloOfficer).slice(before).filter((m) => !m.text?.includes(ANNOUNCEMENT)).length).toBeGreaterThan(0);

    // 0 confirmed reports lost: every confirmed round is in the report's history, the last one is the report.
    for (const [i, chat] of officers.entries()) {
      const unit = await unitByCode(app, `TN-DH-BT-X0${i + 1}`);
      const values = confirmed.get(chat)!;
      expect(values.length, `officer ${chat}`).toBeGreaterThanOrEqual(3);
      const history = (await app.store.reports.history(app.campaign.id, 2024, unit.id)).map((v) => Object.values(v.values)[0]);
      for (const v of values) expect(history, `officer ${chat}`).toContain(v);
      expect(Object.values((await app.store.reports.get(app.campaign.id, 2024, unit.id))!.values)[0]).toBe(values.at(-1));
      // One confirmation per confirmed round: no reply was sent twice.
      expect(t.fake.messagesTo(chat).map(textOf).filter((m) => m.includes('Đã nhận báo cáo chỉ tiêu năm 2024'))).toHaveLength(values.length);
    }

    // /healthz: ok before, not ok during the outage (down, then degraded while a master is failing), ok again.
    const beforeKill = seen.filter((s) => s.at < killedAt);
    const after = seen.filter((s) => s.at > killedAt);
    expect(beforeKill.length).toBeGreaterThan(0);
    expect(beforeKill.every((s) => s.status === 'ok'), JSON.stringify(beforeKill)).toBe(true);
    const outage = after.filter((s) => s.status !== 'ok');
    expect(outage.length, JSON.stringify(after)).toBeGreaterThan(0);
    expect(outage.flatMap((s) => s.reasons)).toEqual(expect.arrayContaining(['redis_cluster_degraded']));
    expect(after.at(-1)?.status).toBe('ok');
    expect(replicaShortfalls(app.redis)!.count).toBeGreaterThan(0);

    // Every worker, idle or busy at the kill, stops when asked.
    const closed = await Promise.race([workers.close().then(() => 'closed'), sleep(30_000).then(() => 'hung')]);
    workersClosed = true;
    expect(closed).toBe('closed');
  }, 300_000);

  it("the root cause, alone: a BullMQ connection reconnected while the cluster is failing over settles its connect() (ioredis' ready check would leave it pending forever)", async () => {
    // BullMQ's worker watchdog does exactly this to its blocking connection: disconnect, then await connect().
    const bull = track({ r: createRedis(cluster().url, 'bullmq'), close: async function () { this.r.disconnect(); } }).r as unknown as Cluster;
    const prefix = `{r${Date.now().toString(36)}}`;
    await bull.set(`${prefix}:k`, '1');
    const { master: killed } = await cluster().slotOwners(prefix);
    const live = cluster().nodes.find((n) => n.port !== killed)!.port;
    const probe = track({ r: cluster().node(live), close: async function () { this.r.disconnect(); } }).r;
    cluster().signal(killed, 'SIGKILL');
    // The other nodes mark the master failed: cluster_state:fail until its replica is promoted.
    await vi.waitFor(async () => expect(String(await probe.cluster('INFO'))).toMatch(/cluster_state:fail/), { timeout: 20_000, interval: 20 });
    const ended = new Promise((resolve) => bull.once('end', resolve));
    bull.disconnect();
    await ended;
    const settled = await Promise.race([bull.connect().then(() => 'connected', (err: Error) => `rejected: ${err.message}`), sleep(30_000).then(() => 'still pending after 30 s')]);
    expect(settled).toBe('connected');
    // And it serves commands on the promoted replica (the key written before the kill may be
    // gone: BullMQ's connections do not wait for replicas).
    await bull.set(`${prefix}:k`, '2');
    expect(await bull.get(`${prefix}:k`)).toBe('2');
    await cluster().restart(killed);
    await cluster().waitHealthy();
  }, 120_000);
});
