import type { Update } from 'grammy/types';
import { describe, expect, it, vi } from 'vitest';
import { standardFor } from '../../src/domain/index.js';
import type { Health } from '../../src/ops/health.js';
import { replicaShortfalls } from '../../src/redis/durable.js';
import { stopAfterEach, unitByCode, vn } from '../helpers/jobs.js';
import { clusterPerFile, clusterUnsupported } from '../helpers/redis-cluster.js';
import { joinOnTelegram, startTelegramBot, textOf, type TelegramTestBot } from '../helpers/telegram.js';

/**
 * A master SIGKILLed in the middle of officers' conversations: its replica is promoted
 * (cluster-node-timeout 1 s), the app's ioredis Cluster clients find it by themselves, no
 * confirmed report is lost, no reply is sent twice, and /healthz says so while it happens
 * and recovers once the old master is back as a replica.
 *
 * Mid-broadcast is not covered yet: after the kill, an idle BullMQ worker's blocking
 * connection (ioredis 6 Cluster, BullMQ 6.7) can stay stuck — the broadcast's step job
 * or the schedule worker then stops, and Worker.close() hangs. docs/store.md "Failover".
 */
const unsupported = clusterUnsupported();
if (unsupported) console.warn(`⚠ SKIPPED: Redis Cluster failover test (test/cluster/failover.test.ts): ${unsupported}`);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(unsupported)('a Redis Cluster master dies mid-conversation', () => {
  const cluster = clusterPerFile();
  const track = stopAfterEach();

  it('a replica takes over: 0 confirmed reports lost, no reply sent twice, the app reconnects, /healthz reports the outage and recovers', async () => {
    const now = vn('2024-12-03T08:00');
    const prefix = `{f${Date.now().toString(36)}}`;
    const t = track(await startTelegramBot('binh-thanh-2024', { now, redisUrl: cluster().url, prefix }));
    const { app } = t.bot;
    const base = t.url.replace(/\/webhooks\/telegram$/, '');

    // Four officers on Telegram (hamlets X01-X04). No BullMQ workers here (see above): /healthz counts a stand-in as running.
    const officers = [9301, 9302, 9303, 9304];
    for (const [i, chat] of officers.entries()) await joinOnTelegram(t, chat, 'officer', (await unitByCode(app, `TN-DH-BT-X0${i + 1}`)).id);
    app.attachWorkers([{ isRunning: () => true }]);

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

    // Once every officer has confirmed a round, the master of our slot is killed.
    await vi.waitFor(() => expect([...confirmed.values()].every((v) => v.length >= 1)).toBe(true), { timeout: 30_000, interval: 20 });
    const { master: killed, replicas } = await cluster().slotOwners(prefix);
    cluster().signal(killed, 'SIGKILL');
    const killedAt = Date.now();

    // The replica is promoted; the conversations go on for a few rounds more.
    await vi.waitFor(async () => expect((await cluster().slotOwners(prefix)).master).toBe(replicas[0]), { timeout: 20_000, interval: 200 });
    const atPromotion = new Map([...confirmed].map(([c, v]) => [c, v.length]));
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
    const before = seen.filter((s) => s.at < killedAt);
    const after = seen.filter((s) => s.at > killedAt);
    expect(before.length).toBeGreaterThan(0);
    expect(before.every((s) => s.status === 'ok'), JSON.stringify(before)).toBe(true);
    const outage = after.filter((s) => s.status !== 'ok');
    expect(outage.length, JSON.stringify(after)).toBeGreaterThan(0);
    expect(outage.flatMap((s) => s.reasons)).toEqual(expect.arrayContaining(['redis_cluster_degraded']));
    expect(after.at(-1)?.status).toBe('ok');
    expect(replicaShortfalls(app.redis)!.count).toBeGreaterThan(0);
  }, 180_000);
});
