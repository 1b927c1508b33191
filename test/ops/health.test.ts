import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startWorkers } from '../../jobs/index.js';
import { startHeartbeat, type Health } from '../../src/ops/health.js';
import { createRedis } from '../../src/redis/connection.js';
import { startEmbeddedRedis } from '../../src/redis/embedded.js';
import { startBot, type TestBot } from '../helpers/bot.js';
import { stopAfterEach } from '../helpers/jobs.js';
import { startTelegramBot } from '../helpers/telegram.js';
import { startZaloBot } from '../helpers/zalo.js';

const base = (server: http.Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const get = async (url: string) => {
  const r = await fetch(url);
  return { status: r.status, body: (await r.json()) as Health };
};
/** One sample of a Prometheus text exposition, e.g. gauge(text, 'channel_up{channel="telegram"}'). */
const gauge = (text: string, sample: string) => Number(new RegExp(`^${sample.replace(/[{}"]/g, (c) => `\\${c}`)} (\\S+)$`, 'm').exec(text)?.[1]);
const scrape = (url: string) => fetch(`${url}/metrics`).then((r) => r.text());

describe('/healthz tells the truth', () => {
  const stop = stopAfterEach();
  /** Another process's workers are alive (its heartbeat), so this web process can be healthy. */
  const workersElsewhere = async (bot: TestBot, id: string) => {
    const hb = startHeartbeat(bot.app.redis, bot.prefix, () => [{ isRunning: () => true }], { id });
    stop({ close: () => hb.stop() });
    await hb.beat();
  };

  it('Redis at maxmemory (noeviction): 503 "down", not writable (OOM); near it: 200 "degraded"; the same as gauges', async () => {
    // A private redis-server: changing maxmemory on the run's shared one would break parallel tests.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thidua-oom-'));
    const server = await startEmbeddedRedis({ dir, persistence: false });
    stop({
      async close() {
        await server.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    });
    const admin = createRedis(server.url);
    stop({ close: () => admin.quit() });
    const bot = stop(await startBot('binh-thanh-2024', { redisUrl: server.url }));
    const url = base(await bot.app.listen());
    await workersElsewhere(bot, 'worker-host:1');

    let h = await get(`${url}/healthz`);
    expect(h.status).toBe(200);
    expect(h.body).toMatchObject({ ok: true, status: 'ok', redis: { ok: true, writable: true, maxMemory: 0, headroom: null } });
    expect(h.body.redis.usedMemory).toBeGreaterThan(100_000);

    // 5 % left: still writable, but the operator must act before writes fail.
    const used = Number(/^used_memory:(\d+)/m.exec(await admin.info('memory'))![1]);
    await admin.config('SET', 'maxmemory', String(Math.round(used * 1.05)));
    h = await get(`${url}/healthz`);
    expect(h.status).toBe(200);
    expect(h.body).toMatchObject({ ok: true, status: 'degraded', reasons: ['redis_memory_low'], redis: { writable: true } });
    expect(h.body.redis.headroom).toBeLessThan(0.1);

    // Full: PING still answers (the old check said ok:true), every write is refused.
    await admin.config('SET', 'maxmemory', '1');
    await expect(bot.app.redis.set(`${bot.prefix}:x`, '1')).rejects.toThrow(/^OOM/);
    h = await get(`${url}/healthz`);
    expect(h.status).toBe(503);
    expect(h.body).toMatchObject({ ok: false, status: 'down', reasons: ['redis_not_writable', 'redis_memory_low'], redis: { ok: true, writable: false, writeError: 'OOM', maxMemory: 1, headroom: 0 } });
    const text = await scrape(url);
    expect(gauge(text, 'redis_writable')).toBe(0);
    expect(gauge(text, 'health_status')).toBe(2);
    expect(gauge(text, 'redis_memory_max_bytes')).toBe(1);
    expect(gauge(text, 'redis_memory_used_bytes')).toBeGreaterThan(100_000);

    await admin.config('SET', 'maxmemory', '0');
    h = await get(`${url}/healthz`);
    expect(h.status).toBe(200);
    expect(h.body.status).toBe('ok');
    expect(gauge(await scrape(url), 'redis_writable')).toBe(1);
  });

  it('a revoked Telegram bot token (Bot API 401): 200 "degraded" on every replica with the reason, no token; a new token clears it', async () => {
    const t = stop(await startTelegramBot('binh-thanh-2024', { env: { TELEGRAM_BOT_TOKEN: '123456789:REVOKED-token-0000' } }));
    const url = t.url.replace('/webhooks/telegram', '');
    const workers = stop(await startWorkers(t.bot.app, { schedules: false }));
    t.bot.app.attachWorkers(workers.workers);
    let h = await get(`${url}/healthz`);
    expect(h.body).toMatchObject({ status: 'ok', channels: { telegram: { state: 'up' } } });

    // A reminder through the real outbox: the fake Bot API answers 401 to the unknown token.
    await t.bot.app.jobs.outbox.enqueue({ channel: 'telegram', userId: '7001', reply: { text: 'Nhắc việc' }, key: 'revoked-1', kind: 'reminder' });
    await expect.poll(() => t.bot.app.jobs.outbox.outcome('revoked-1'), { timeout: 10_000 }).toBe('failed:config');
    expect(t.fake.stats()[401]).toBeGreaterThan(0);

    h = await get(`${url}/healthz`);
    // Load balancers keep the replica: webhooks and the other channels still work.
    expect(h.status).toBe(200);
    expect(h.body).toMatchObject({ ok: true, status: 'degraded', reasons: ['channel_down:telegram'], channels: { telegram: { state: 'down', reason: '401: Unauthorized' } } });
    expect(Date.parse(h.body.channels.telegram!.since!)).not.toBeNaN();
    expect(JSON.stringify(h.body)).not.toMatch(/REVOKED|123456789/);
    expect(gauge(await scrape(url), 'channel_up{channel="telegram"}')).toBe(0);

    // Another replica (same Redis and prefix) sees it too; with the right token it is up again.
    const other = stop(await startBot('binh-thanh-2024', {
      prefix: t.bot.prefix,
      dataDir: t.bot.dataDir,
      env: { TELEGRAM_BOT_TOKEN: '123456789:REVOKED-token-0000', TELEGRAM_WEBHOOK_SECRET: 'x', TELEGRAM_API_ROOT: t.fake.apiRoot },
      app: { telegramBotInfo: t.fake.botInfo },
    }));
    expect((await other.app.health()).channels.telegram).toMatchObject({ state: 'down', reason: '401: Unauthorized' });
    const renewed = stop(await startBot('binh-thanh-2024', {
      prefix: t.bot.prefix,
      dataDir: t.bot.dataDir,
      env: { TELEGRAM_BOT_TOKEN: t.fake.token, TELEGRAM_WEBHOOK_SECRET: 'x', TELEGRAM_API_ROOT: t.fake.apiRoot },
      app: { telegramBotInfo: t.fake.botInfo },
    }));
    expect((await renewed.app.health()).channels.telegram).toEqual({ state: 'up' });
  });

  it('a Telegram 401 that passes: the next accepted outbox send brings the channel back up', async () => {
    const t = stop(await startTelegramBot());
    const url = t.url.replace('/webhooks/telegram', '');
    const send = (key: string) => t.bot.app.outbound.telegram!.send('7002', { text: 'Thông báo' }, { idempotencyKey: key });
    t.fake.failNext('sendMessage', { kind: 'error', code: 401, description: 'Unauthorized' });
    expect(await send('blip-1')).toMatchObject({ ok: false, kind: 'config' });
    expect((await get(`${url}/healthz`)).body.channels.telegram).toMatchObject({ state: 'down' });
    expect(await send('blip-2')).toMatchObject({ ok: true });
    expect((await get(`${url}/healthz`)).body.channels.telegram).toEqual({ state: 'up' });
  });

  it('a dead Zalo refresh token (channel stopped): 200 "degraded" with the reason, channel_up 0', async () => {
    const z = stop(await startZaloBot('binh-thanh-2024'));
    const url = z.webhook.replace('/webhooks/zalo', '');
    await workersElsewhere(z.bot, 'worker-host:2');
    // A follower who wrote just now: replies to them go through the OpenAPI.
    expect((await z.send('5412345678901234567', z.ev.follow({ userId: '5412345678901234567' }))).length).toBeGreaterThan(0);
    let h = await get(`${url}/healthz`);
    expect(h.body).toMatchObject({ status: 'ok', channels: { zalo: { state: 'up' } } });

    z.fake.revokeRefreshToken();
    z.fake.expireAccessTokens();
    expect(await z.bot.app.outbound.zalo!.send('5412345678901234567', { text: 'Nhắc việc' })).toMatchObject({ ok: false, kind: 'config' });
    h = await get(`${url}/healthz`);
    expect(h.status).toBe(200);
    expect(h.body).toMatchObject({ ok: true, status: 'degraded', reasons: ['channel_down:zalo'], channels: { zalo: { state: 'down', reason: expect.stringMatching(/^grant: -14014/) } } });
    expect(JSON.stringify(h.body)).not.toContain('zalo-bootstrap-refresh-token');
    expect(gauge(await scrape(url), 'channel_up{channel="zalo"}')).toBe(0);
  });

  it('an outbox that does not move: the waiting count and the oldest ready job’s age; "degraded" past 45 minutes', async () => {
    const bot = stop(await startBot('binh-thanh-2024'));
    const url = base(await bot.app.listen());
    await workersElsewhere(bot, 'worker-host:3');
    const q = bot.app.jobs.outbox.queue('sim');
    const data = { channel: 'sim' as const, userId: 'u', reply: { text: 'x' }, kind: 'direct' as const };
    await q.add('direct', { ...data, key: 'recent' }, { timestamp: Date.now() - 5 * 60_000 });
    let h = await get(`${url}/healthz`);
    expect(h.body.outbox.sim).toMatchObject({ waiting: 1 });
    expect(h.body.outbox.sim!.oldestWaitingAgeSec).toBeGreaterThanOrEqual(300);
    expect(h.body.status).toBe('ok');

    // The same queue two hours on: nothing was taken (no worker sends), more came in.
    await q.obliterate({ force: true });
    await q.add('direct', { ...data, key: 'old' }, { timestamp: Date.now() - 2 * 3600_000 });
    await q.add('direct', { ...data, key: 'new' });
    h = await get(`${url}/healthz`);
    expect(h.status).toBe(200);
    expect(h.body).toMatchObject({ status: 'degraded', reasons: ['outbox_stale:sim'], outbox: { sim: { waiting: 2 } } });
    expect(h.body.outbox.sim!.oldestWaitingAgeSec).toBeGreaterThanOrEqual(7200);
    const text = await scrape(url);
    expect(gauge(text, 'outbox_waiting{channel="sim"}')).toBe(2);
    expect(gauge(text, 'outbox_oldest_waiting_age_seconds{channel="sim"}')).toBeGreaterThanOrEqual(7200);
    expect(gauge(text, 'health_status')).toBe(1);
  });
});
