import { Writable } from 'node:stream';
import { pino } from 'pino';
import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ZaloApi } from '../../../src/channels/zalo/api.js';
import { ZaloDownError, ZaloTokens, ZaloTransientError, type DownState } from '../../../src/channels/zalo/tokens.js';
import { createLogger } from '../../../src/logger.js';
import { createRedis } from '../../../src/redis/connection.js';
import { startFakeZalo, type FakeZalo } from '../../fakes/zalo-openapi.js';
import { PROCESS_TEST_TIMEOUT, start } from '../../helpers/process.js';
import { testRedis } from '../../helpers/redis.js';

const APP_ID = '1234567890123456789';
const APP_SECRET = 'app-secret-for-tests';
const RT0 = 'initial-refresh-token-0123456789';
const log = createLogger('silent');
const { redis, url, ns } = testRedis();
const hash = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 16);

let fake: FakeZalo;
let prefix: string;
let n = 0;
const downs: DownState[] = [];

function tokens(extra: Partial<ConstructorParameters<typeof ZaloTokens>[0]> = {}) {
  return new ZaloTokens({
    redis,
    prefix,
    oauthBase: fake.oauthBase,
    appId: APP_ID,
    appSecret: APP_SECRET,
    bootstrapRefreshToken: RT0,
    log,
    onDown: async (d) => {
      downs.push(d);
    },
    ...extra,
  });
}

beforeEach(async () => {
  prefix = `${ns}-${n++}`;
  downs.length = 0;
  fake = await startFakeZalo({ appId: APP_ID, appSecret: APP_SECRET, oaSecretKey: 'oa', initialRefreshToken: RT0 });
});
afterEach(async () => {
  await fake.close();
});
afterAll(async () => {
  await redis.quit();
});

describe('zalo OAuth v4 tokens', () => {
  it('bootstraps from ZALO_REFRESH_TOKEN, stores the rotated pair, and reuses it until near expiry', async () => {
    const tk = tokens();
    await tk.init();
    const access = await tk.accessToken();
    expect(access).toBe(fake.currentAccessToken);
    expect(fake.refreshCount).toBe(1);
    expect(fake.spentRefreshTokens).toEqual([RT0]);
    const call = fake.callsTo('/v4/oa/access_token')[0]!;
    expect(call.headers['secret_key']).toBe(APP_SECRET);
    expect(call.headers['content-type']).toMatch(/application\/x-www-form-urlencoded/);
    expect(call.body).toEqual({ app_id: APP_ID, grant_type: 'refresh_token', refresh_token: RT0 });
    const stored = await redis.hgetall(`${prefix}:zalo:tokens`);
    expect(stored.access).toBe(access);
    expect(stored.refresh).toBe(fake.currentRefreshToken);
    expect(Number(stored.expiresAt) - Date.now()).toBeGreaterThan(24 * 3600_000);
    expect(await tk.accessToken()).toBe(access);
    expect(fake.refreshCount).toBe(1);
    // A restart with the same env does not re-spend the (now dead) bootstrap token.
    await tokens().init();
    expect(await tokens().accessToken()).toBe(access);
    expect(fake.refreshCount).toBe(1);
    expect((await tk.status()).down).toBeNull();
  });

  it('refreshes ahead of expiry (at 20 h of 25) by the injected clock', async () => {
    const clock = { now: new Date() };
    const tk = tokens({ now: () => clock.now });
    await tk.init();
    const first = await tk.accessToken();
    clock.now = new Date(clock.now.getTime() + 19 * 3600_000);
    expect(await tk.accessToken()).toBe(first);
    clock.now = new Date(clock.now.getTime() + 2 * 3600_000);
    const second = await tk.accessToken();
    expect(second).not.toBe(first);
    expect(fake.refreshCount).toBe(2);
  });

  it('many instances with their own Redis connections refresh once (the lock and the re-read)', async () => {
    fake.setDelay('/v4/oa/access_token', 400);
    const conns = Array.from({ length: 5 }, () => createRedis(url));
    try {
      const all = conns.map((c) => tokens({ redis: c }));
      await all[0]!.init();
      const got = await Promise.all(all.map((t) => t.accessToken()));
      expect(new Set(got).size).toBe(1);
      expect(fake.refreshCount).toBe(1);
      expect(fake.refreshes.filter((r) => !r.ok)).toEqual([]);
      // A token error seen by all of them at once: still one refresh.
      const stale = got[0]!;
      const again = await Promise.all(all.map((t) => t.refresh(stale)));
      expect(new Set(again).size).toBe(1);
      expect(again[0]).not.toBe(stale);
      expect(fake.refreshCount).toBe(2);
      expect(fake.spentRefreshTokens).toHaveLength(2);
      expect(new Set(fake.spentRefreshTokens).size).toBe(2);
    } finally {
      await Promise.all(conns.map((c) => c.quit()));
    }
  });

  it('two OS processes refreshing at once spend the refresh token once', async () => {
    const tk = tokens();
    await tk.init();
    fake.setDelay('/v4/oa/access_token', 1500);
    const goKey = `${prefix}:go`;
    const run = () => {
      const child = start('test/fixtures/zalo-refresh-child.ts', [url, prefix, fake.oauthBase, APP_ID, APP_SECRET, goKey]);
      const result = child.exited.then((code) => {
        const { stdout, stderr } = child.output();
        const line = stdout.split('\n').find((l) => l.startsWith('{'));
        if (code !== 0 || !line) throw new Error(`child exited ${code}: ${stderr}`);
        return JSON.parse(line) as { ok: boolean; hash?: string; error?: string };
      });
      return { ready: child.waitFor(/ready\n/), result };
    };
    const [a, b] = [run(), run()];
    await Promise.all([a.ready, b.ready]);
    await redis.set(goKey, '1');
    const [ra, rb] = await Promise.all([a.result, b.result]);
    expect(ra.ok && rb.ok).toBe(true);
    expect(ra.hash).toBe(rb.hash);
    expect(ra.hash).toBe(hash(fake.currentAccessToken!));
    expect(fake.refreshCount).toBe(1);
    expect(fake.spentRefreshTokens).toEqual([RT0]);
    expect(fake.refreshes.filter((r) => !r.ok)).toEqual([]);
  }, PROCESS_TEST_TIMEOUT);

  it('a body without access_token is a failure: nothing stored, the channel is down, one alert', async () => {
    fake.failNext('/v4/oa/access_token', { body: { error: -14014, error_name: 'Invalid refresh token' } });
    const conns = Array.from({ length: 3 }, () => createRedis(url));
    try {
      const all = conns.map((c) => tokens({ redis: c }));
      await all[0]!.init();
      const results = await Promise.allSettled(all.map((t) => t.accessToken()));
      for (const r of results) {
        expect(r.status).toBe('rejected');
        expect((r as PromiseRejectedResult).reason).toBeInstanceOf(ZaloDownError);
      }
    } finally {
      await Promise.all(conns.map((c) => c.quit()));
    }
    expect(downs).toHaveLength(1);
    expect(downs[0]).toMatchObject({ kind: 'grant', code: -14014 });
    const stored = await redis.hgetall(`${prefix}:zalo:tokens`);
    expect(stored.access).toBeUndefined();
    expect(stored.refresh).toBe(RT0);
    expect(Object.values(stored)).not.toContain('undefined');
    // Down stays down (no loop of refresh attempts) until an operator gives a new token.
    const attempts = fake.refreshes.length;
    await expect(tokens().accessToken()).rejects.toBeInstanceOf(ZaloDownError);
    expect(fake.refreshes.length).toBe(attempts);
    await tokens().setRefreshToken(RT0);
    expect(await tokens().accessToken()).toBe(fake.currentAccessToken);
    expect((await tokens().status()).down).toBeNull();
  });

  it('an empty 200 answer (a spent token, per one integration) and odd bodies are failures too', async () => {
    const tk = tokens();
    await tk.init();
    fake.failNext('/v4/oa/access_token', { body: '' });
    await expect(tk.accessToken()).rejects.toBeInstanceOf(ZaloDownError);
    expect(downs[0]).toMatchObject({ kind: 'grant' });
    await tk.setRefreshToken(RT0);
    fake.failNext('/v4/oa/access_token', { body: { access_token: 'only-access', expires_in: '90000' } });
    await expect(tk.accessToken()).rejects.toBeInstanceOf(ZaloDownError);
    expect((await redis.hgetall(`${prefix}:zalo:tokens`)).access).toBeUndefined();
  });

  it('network errors and 5xx are transient: not down, the token is kept for the next try', async () => {
    const tk = tokens();
    await tk.init();
    fake.failNext('/v4/oa/access_token', { drop: true });
    await expect(tk.accessToken()).rejects.toBeInstanceOf(ZaloTransientError);
    fake.failNext('/v4/oa/access_token', { body: { error: -1, message: 'busy' }, httpStatus: 502 });
    await expect(tk.accessToken()).rejects.toBeInstanceOf(ZaloTransientError);
    expect(downs).toEqual([]);
    expect(await tk.accessToken()).toBe(fake.currentAccessToken);
  });

  it('wrong app credentials: down as config; a restart with other credentials clears it', async () => {
    const bad = tokens({ appSecret: 'wrong-secret' });
    await bad.init();
    await expect(bad.accessToken()).rejects.toBeInstanceOf(ZaloDownError);
    expect(downs[0]).toMatchObject({ kind: 'config', code: -14001 });
    // Same wrong credentials: still down.
    const again = tokens({ appSecret: 'wrong-secret' });
    await again.init();
    await expect(again.accessToken()).rejects.toBeInstanceOf(ZaloDownError);
    // Fixed credentials: up, and the (unspent) refresh token still works.
    const good = tokens();
    await good.init();
    expect(await good.accessToken()).toBe(fake.currentAccessToken);
  });

  it('a new ZALO_REFRESH_TOKEN is adopted; none at all means down with a clear reason', async () => {
    const tk = tokens();
    await tk.init();
    await tk.accessToken();
    fake.revokeRefreshToken();
    const code = fake.issueAuthorizationCode();
    const grant = await fetch(`${fake.oauthBase}/v4/oa/access_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', secret_key: APP_SECRET },
      body: new URLSearchParams({ app_id: APP_ID, grant_type: 'authorization_code', code }).toString(),
    }).then((r) => r.json() as Promise<{ refresh_token: string }>);
    const next = tokens({ bootstrapRefreshToken: grant.refresh_token });
    await next.init();
    const access = await next.accessToken();
    expect(access).toBe(fake.currentAccessToken);
    expect((await next.status()).source).toBe('refresh');

    prefix = `${prefix}-empty`;
    const none = tokens({ bootstrapRefreshToken: undefined });
    await none.init();
    await expect(none.accessToken()).rejects.toThrow(/no refresh token/);
    expect(downs.at(-1)).toMatchObject({ kind: 'missing' });
  });

  it('the lock must outlast the OAuth request', () => {
    expect(() => tokens({ lockTtlMs: 10_000, httpTimeoutMs: 30_000 })).toThrow(/outlast/);
  });

  it('the API client refreshes once on -216/-220 and retries once', async () => {
    const tk = tokens();
    await tk.init();
    const api = new ZaloApi({ apiBase: fake.apiBase, znsBase: fake.znsBase, tokens: tk, log });
    const first = await api.call({ method: 'GET', path: '/v3.0/oa/user/detail', data: { user_id: '123' } });
    expect(first.error).toBe(0);
    fake.expireAccessTokens(-220);
    const second = await api.call({ method: 'GET', path: '/v3.0/oa/user/detail', data: { user_id: '123' } });
    expect(second.error).toBe(0);
    expect(fake.refreshCount).toBe(2);
    const details = fake.callsTo('/v3.0/oa/user/detail');
    expect(details.map((c) => (c.response as { error: number }).error)).toEqual([0, -220, 0]);
    expect(details[0]!.query.data).toBe('{"user_id":"123"}');
    // Refused again after the refresh: no loop, the answer comes back.
    fake.failNext('/v3.0/oa/user/detail', { error: -216, message: 'Access token is invalid' }, { times: 2 });
    const third = await api.call({ method: 'GET', path: '/v3.0/oa/user/detail', data: { user_id: '123' } });
    expect(third.error).toBe(-216);
    expect(fake.refreshCount).toBe(3);
  });

  it('keeps the access token in-process: one Redis read per recheck, and a token refreshed by another process is used after an auth error', async () => {
    const clock = { now: new Date() };
    const conns = [createRedis(url), createRedis(url)];
    try {
      const [a, b] = conns.map((c) => tokens({ redis: c, now: () => clock.now, recheckMs: 60_000 }));
      await a!.init();
      const api = new ZaloApi({ apiBase: fake.apiBase, znsBase: fake.znsBase, tokens: a!, log });
      const send = () => api.call({ method: 'POST', path: '/v3.0/oa/message/cs', json: { recipient: { user_id: '1' }, message: { text: 'x' } } });
      expect((await send()).error).toBe(0); // the first send refreshes and stores the pair

      // Every command A's connection sends on the token keys (MONITOR on the shared test
      // server is not used: other files' commands made ioredis' monitor parser fail).
      const tokenKeys = new Set([`${prefix}:zalo:tokens`, `${prefix}:zalo:down`]);
      const seen: string[] = [];
      const conn = conns[0]!;
      const sendCommand = conn.sendCommand.bind(conn);
      conn.sendCommand = ((cmd: { name: string; args: unknown[] }) => {
        const args = cmd.args.map(String);
        if (args.some((x) => tokenKeys.has(x))) seen.push([cmd.name, ...args].join(' '));
        return sendCommand(cmd as never);
      }) as typeof conn.sendCommand;
      const flushed = async () => seen.splice(0);

      for (let i = 0; i < 50; i++) expect((await send()).error).toBe(0);
      expect(await flushed()).toEqual([]);
      // After the recheck interval: one read (the down mark and the pair, one round trip) for the next 50.
      clock.now = new Date(clock.now.getTime() + 61_000);
      for (let i = 0; i < 50; i++) expect((await send()).error).toBe(0);
      const reads = await flushed();
      expect(reads.filter((c) => /^hgetall /i.test(c))).toHaveLength(1);
      expect(reads.filter((c) => /^get /i.test(c))).toHaveLength(1);
      expect(reads).toHaveLength(2);

      // Another process rotates the token and the old one dies at Zalo; A still holds the old one.
      const old = fake.currentAccessToken!;
      fake.expireAccessTokens(-216);
      const rotated = await b!.refresh(old);
      expect(rotated).not.toBe(old);
      expect(fake.refreshCount).toBe(2);
      // A's next send is refused, A re-reads Redis and uses B's token: no refresh of its own.
      expect((await send()).error).toBe(0);
      expect(fake.refreshCount).toBe(2);
      const cs = fake.callsTo('/v3.0/oa/message/cs').slice(-2);
      expect(cs.map((c) => (c.response as { error: number }).error)).toEqual([-216, 0]);
      expect(cs.map((c) => c.headers['access_token'])).toEqual([old, rotated]);
      // And keeps using it without reading Redis.
      seen.length = 0;
      for (let i = 0; i < 20; i++) expect((await send()).error).toBe(0);
      expect(await flushed()).toEqual([]);
      expect(fake.callsTo('/v3.0/oa/message/cs').slice(-20).every((c) => c.headers['access_token'] === rotated)).toBe(true);
    } finally {
      await Promise.all(conns.map((c) => c.quit()));
    }
  });

  it('logs carry no tokens or secrets, whatever happens', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const traceLog = pino({ level: 'trace' }, sink);
    const tk = tokens({ log: traceLog });
    await tk.init();
    const api = new ZaloApi({ apiBase: fake.apiBase, znsBase: fake.znsBase, tokens: tk, log: traceLog });
    await api.call({ method: 'POST', path: '/v3.0/oa/message/cs', json: { recipient: { user_id: '1' }, message: { text: 'bí mật' } } });
    fake.expireAccessTokens();
    await api.call({ method: 'POST', path: '/v3.0/oa/message/cs', json: { recipient: { user_id: '1' }, message: { text: 'bí mật' } } });
    fake.failNext('/v3.0/oa/message/cs', { drop: true });
    await api.call({ method: 'POST', path: '/v3.0/oa/message/cs', json: { recipient: { user_id: '1' }, message: { text: 'x' } } }).catch(() => null);
    fake.failNext('/v4/oa/access_token', { drop: true });
    await tk.refresh(null).catch(() => null);
    fake.revokeRefreshToken();
    await tk.refresh(null).catch(() => null);
    const all = lines.join('');
    expect(lines.length).toBeGreaterThan(3);
    const secrets = [RT0, APP_SECRET, ...fake.refreshes.flatMap((r) => [r.presented, r.newAccessToken, r.newRefreshToken]).filter((x): x is string => !!x)];
    for (const secret of secrets) expect(all).not.toContain(secret);
    expect(all).not.toContain('bí mật');
  });
});
