import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Update } from 'grammy/types';
import { startWorkers } from '../../jobs/index.js';
import { basicAuthMatches } from '../../src/ops/board.js';
import { startHeartbeat, type Health } from '../../src/ops/health.js';
import { runWorkers } from '../../src/ops/bootstrap.js';
import { parseConfig } from '../../src/config/index.js';
import { startBot, type TestBot } from '../helpers/bot.js';
import { startTelegramBot, SECRET, type TelegramTestBot } from '../helpers/telegram.js';
import { startZaloBot, type ZaloTestBot } from '../helpers/zalo.js';

const base = (server: http.Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('GET /healthz', () => {
  let bot: TestBot | undefined;
  let stopWorkers: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stopWorkers?.();
    stopWorkers = undefined;
    await bot?.close();
    bot = undefined;
  });

  it('200 with Redis, this process’s workers and the outbox backlog; 503 once a worker stops', async () => {
    bot = await startBot('binh-thanh-2024');
    const url = base(await bot.app.listen());
    const running = await startWorkers(bot.app, { schedules: false });
    stopWorkers = () => running.close();
    bot.app.attachWorkers(running.workers);
    await bot.app.jobs.outbox.queue('sim').add('x', { channel: 'sim', userId: 'u', reply: { text: 'later' }, key: 'k1', kind: 'direct' }, { delay: 3_600_000 });

    let r = await fetch(`${url}/healthz`);
    expect(r.status).toBe(200);
    const body = (await r.json()) as Health;
    expect(body).toMatchObject({ ok: true, status: 'ok', reasons: [], redis: { ok: true, writable: true }, workers: { ok: true, local: { running: running.workers.length, total: running.workers.length } } });
    expect(body.outbox.sim).toEqual({ waiting: 0, staged: 0, delayed: 1, active: 0, failed: 0, oldestWaitingAgeSec: null });

    await running.workers[0]!.close();
    r = await fetch(`${url}/healthz`);
    expect(r.status).toBe(503);
    expect(await r.json()).toMatchObject({ ok: false, status: 'down', reasons: ['no_workers'], redis: { ok: true }, workers: { ok: false } });
  });

  it('a web-only process reports workers alive anywhere in the deployment by their heartbeat', async () => {
    bot = await startBot('binh-thanh-2024');
    const url = base(await bot.app.listen());
    let r = await fetch(`${url}/healthz`);
    expect(r.status).toBe(503);
    expect(await r.json()).toMatchObject({ ok: false, redis: { ok: true }, workers: { ok: false, local: null, alive: 0 } });

    // Another process's workers (here: a heartbeat with another id) make it healthy.
    const hb = startHeartbeat(bot.app.redis, bot.prefix, () => [{ isRunning: () => true }], { id: 'other-host:1' });
    await hb.beat();
    r = await fetch(`${url}/healthz`);
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ ok: true, workers: { ok: true, local: null, alive: 1 } });
    await hb.stop();
    expect(((await (await fetch(`${url}/healthz`)).json()) as Health).workers.alive).toBe(0);
  });

  it('runWorkers (npm start, npm run worker) attaches the workers and beats; close() leaves the set', async () => {
    bot = await startBot('binh-thanh-2024');
    const url = base(await bot.app.listen());
    const w = await runWorkers(bot.app, { schedules: false });
    let h = (await (await fetch(`${url}/healthz`)).json()) as Health;
    expect(h.workers).toMatchObject({ ok: true, alive: 1 });
    await w.close();
    h = (await (await fetch(`${url}/healthz`)).json()) as Health;
    expect(h.workers).toMatchObject({ ok: false, alive: 0 });
  });

  it('503 with redis.ok false when Redis does not answer', async () => {
    bot = await startBot('binh-thanh-2024');
    const url = base(await bot.app.listen());
    bot.app.redis.disconnect();
    const r = await fetch(`${url}/healthz`);
    expect(r.status).toBe(503);
    expect(await r.json()).toMatchObject({ ok: false, status: 'down', reasons: expect.arrayContaining(['redis_unreachable']), redis: { ok: false, writable: false } });
  });
});

describe('GET /metrics', () => {
  let t: TelegramTestBot | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('counts updates in, replies out, 429s and reminder passes; reports queue sizes and process metrics', async () => {
    t = await startTelegramBot();
    const metricsUrl = t.url.replace('/webhooks/telegram', '/metrics');
    expect(await t.post(t.tg.command({ userId: 7001, command: 'start' }))).toBe(200);
    expect(await t.post(t.tg.text({ userId: 7001, text: 'xin chào' }))).toBe(200);
    expect((await t.bot.app.outbound.telegram!.send('7001', { text: 'nhắc việc' })).ok).toBe(true);
    t.fake.failNext('sendMessage', { kind: '429', retryAfter: 3 });
    expect(await t.bot.app.outbound.telegram!.send('7001', { text: 'nhắc việc' })).toMatchObject({ ok: false, kind: 'rate_limited' });
    await t.bot.app.jobs.runReminders(new Date('2024-11-20T03:00:00Z'));
    await t.bot.app.jobs.outbox.queue('telegram').add('x', { channel: 'telegram', userId: '1', reply: { text: 'x' }, key: 'm1', kind: 'direct' }, { delay: 3_600_000 });

    const r = await fetch(metricsUrl);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await r.text();
    const value = (line: string) => Number(new RegExp(`^${line.replace(/[{}"]/g, (c) => `\\${c}`)} (\\d+)$`, 'm').exec(text)?.[1]);
    expect(value('updates_in_total{channel="telegram"}')).toBe(2);
    // Two conversation answers (at least one reply each) and one outbox send.
    expect(value('replies_out_total{channel="telegram"}')).toBeGreaterThanOrEqual(3);
    expect(value('rate_limited_total{channel="telegram"}')).toBe(1);
    expect(value('reminder_runs_total')).toBe(1);
    expect(value('queue_jobs{queue="outbox-telegram",state="delayed"}')).toBe(1);
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
  });
});

describe('Bull Board at /admin/queues', () => {
  let bot: TestBot | undefined;
  afterEach(async () => {
    await bot?.close();
    bot = undefined;
  });

  it('is not mounted when BULL_BOARD_USER/PASSWORD are unset', async () => {
    bot = await startBot('binh-thanh-2024');
    const url = base(await bot.app.listen());
    expect((await fetch(`${url}/admin/queues`)).status).toBe(404);
  });

  it('asks for basic auth, refuses wrong credentials, serves the board with the right ones', async () => {
    bot = await startBot('binh-thanh-2024', { env: { BULL_BOARD_USER: 'ops', BULL_BOARD_PASSWORD: 'correct-horse-battery' } });
    const url = base(await bot.app.listen());
    let r = await fetch(`${url}/admin/queues`);
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toMatch(/^Basic /);
    expect((await fetch(`${url}/admin/queues`, { headers: { authorization: basic('ops', 'wrong-password-123') } })).status).toBe(401);
    expect((await fetch(`${url}/admin/queues/api/queues`, { headers: { authorization: basic('x', 'correct-horse-battery') } })).status).toBe(401);
    r = await fetch(`${url}/admin/queues`, { headers: { authorization: basic('ops', 'correct-horse-battery') } });
    expect(r.status).toBe(200);
    expect(await r.text()).toContain('<html');
    r = await fetch(`${url}/admin/queues/api/queues`, { headers: { authorization: basic('ops', 'correct-horse-battery') } });
    expect(r.status).toBe(200);
    const names = ((await r.json()) as { queues: { name: string }[] }).queues.map((q) => q.name);
    expect(names).toEqual(expect.arrayContaining(['outbox-sim', 'schedule', 'broadcast']));
  });

  it('credentials are compared whole, in constant time, and both variables are required together', () => {
    expect(basicAuthMatches(basic('ops', 'pw:with:colons'), 'ops', 'pw:with:colons')).toBe(true);
    expect(basicAuthMatches(basic('ops', 'pw'), 'ops', 'pw2')).toBe(false);
    expect(basicAuthMatches(basic('op', 'pw'), 'ops', 'pw')).toBe(false);
    expect(basicAuthMatches('Basic !!!', 'ops', 'pw')).toBe(false);
    expect(basicAuthMatches(undefined, 'ops', 'pw')).toBe(false);
    expect(basicAuthMatches('Bearer abc', 'ops', 'pw')).toBe(false);
    expect(() => parseConfig({ BULL_BOARD_USER: 'ops' })).toThrow(/BULL_BOARD_PASSWORD must be set/);
    expect(() => parseConfig({ BULL_BOARD_USER: 'ops', BULL_BOARD_PASSWORD: 'short' })).toThrow(/BULL_BOARD_PASSWORD must be at least 12/);
  });
});

describe('webhook bodies', () => {
  let t: TelegramTestBot | undefined;
  let z: ZaloTestBot | undefined;
  afterEach(async () => {
    await t?.close();
    await z?.close();
    t = z = undefined;
  });

  const post = (url: string, body: string | Buffer, headers: Record<string, string> = {}) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body }).then(async (r) => ({ status: r.status, body: await r.text() }));

  it('Telegram: over 1 MB → 413; not JSON, not an object or not an update → 400; nothing of the body is logged', async () => {
    t = await startTelegramBot();
    const h = { 'x-telegram-bot-api-secret-token': SECRET };
    expect((await post(t.url, JSON.stringify({ update_id: 1, pad: 'x'.repeat(1_100_000) }), h)).status).toBe(413);
    expect((await post(t.url, 'Nguyễn Văn Bí Mật is not json', h)).status).toBe(400);
    expect((await post(t.url, '[1,2]', h)).status).toBe(400);
    expect((await post(t.url, '"Nguyễn"', h)).status).toBe(400);
    expect((await post(t.url, '{"message":{"text":"hi"}}', h)).status).toBe(400);
    // Still answers a real update afterwards.
    expect(await t.post(t.tg.command({ userId: 7002, command: 'start' }))).toBe(200);
  });

  it('Zalo: over 1 MB → 413; not a JSON object with app_id and timestamp → 400; a bad signature stays 401', async () => {
    z = await startZaloBot('binh-thanh-2024');
    const sig = { 'x-zevent-signature': `mac=${'0'.repeat(64)}` };
    expect((await post(z.webhook, Buffer.alloc(1_100_000, 0x20), sig)).status).toBe(413);
    expect((await post(z.webhook, 'not json at all', sig)).status).toBe(400);
    expect((await post(z.webhook, '[1]', sig)).status).toBe(400);
    expect((await post(z.webhook, '{"event_name":"user_send_text"}', sig)).status).toBe(400);
    expect((await post(z.webhook, '{"app_id":"1","timestamp":"2"}', sig)).status).toBe(401);
  });
});

describe('drain (graceful shutdown, first step)', () => {
  let bot: TestBot | undefined;
  afterEach(async () => {
    await bot?.close();
    bot = undefined;
  });

  it('answers 503 to requests arriving during shutdown and waits for engine steps in flight', async () => {
    bot = await startBot('binh-thanh-2024');
    // A second server on the same handlers: drain() closes the app's own listener.
    await bot.app.listen();
    const side = http.createServer(bot.app.http).listen(0, '127.0.0.1');
    await new Promise((r) => side.once('listening', r));
    const step = bot.say('drain-user', '/start');
    const drained = bot.app.drain();
    let stepDone = false;
    void step.then(() => (stepDone = true));
    await drained;
    expect(stepDone).toBe(true);
    expect((await step).length).toBeGreaterThan(0);
    const r = await fetch(`${base(side)}/healthz`);
    expect(r.status).toBe(503);
    expect(await r.json()).toEqual({ error: 'shutting down' });
    await new Promise((r) => side.close(r));
  });

  it('the Telegram webhook (served ahead of express) answers 503 during shutdown too, and handles nothing', async () => {
    const t = await startTelegramBot();
    try {
      const side = http.createServer(t.bot.app.requestListener).listen(0, '127.0.0.1');
      await new Promise((r) => side.once('listening', r));
      const url = `${base(side)}/webhooks/telegram`;
      const post = (u: Update) =>
        fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET }, body: JSON.stringify(u) });
      expect((await post(t.tg.command({ userId: 7101, command: 'start' }))).status).toBe(200);
      const sent = t.fake.callsOf('sendMessage').length;
      await t.bot.app.drain();
      const r = await post(t.tg.command({ userId: 7102, command: 'start' }));
      expect(r.status).toBe(503);
      expect(r.headers.get('retry-after')).toBe('5');
      expect(t.fake.callsOf('sendMessage').length).toBe(sent);
      expect(await t.bot.app.store.identities.get('telegram', '7102')).toBeNull();
      await new Promise((r) => side.close(r));
    } finally {
      await t.close();
    }
  });
});
