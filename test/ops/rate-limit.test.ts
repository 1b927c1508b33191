import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { clientKey } from '../../src/ops/ip-limit.js';
import { startBot } from '../helpers/bot.js';
import { stopAfterEach } from '../helpers/jobs.js';
import { startZaloBot } from '../helpers/zalo.js';

/** The simulator and Bull Board on, 5 requests per client per minute. */
/** A second replica gets the first one's prefix and data dir (one machine: the same invite secret). */
async function startLimited(env: Record<string, string> = {}, replicaOf?: { prefix: string; dataDir: string }) {
  const bot = await startBot('binh-thanh-2024', {
    ...(replicaOf && { prefix: replicaOf.prefix, dataDir: replicaOf.dataDir }),
    env: { HTTP_REQUESTS_PER_MINUTE: '5', BULL_BOARD_USER: 'ops', BULL_BOARD_PASSWORD: 'correct-horse-battery', ...env },
  });
  const server = await bot.app.listen();
  return { bot, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => bot.close() };
}

const hit = (url: string, from?: string) => fetch(url, from ? { headers: { 'x-forwarded-for': from } } : {});
async function statuses(url: string, n: number, from?: string): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await hit(url, from)).status);
  return out;
}

describe('per-client limit on public routes', () => {
  const stop = stopAfterEach();

  it('without TRUST_PROXY: the socket address counts, X-Forwarded-For changes nothing; 429 with Retry-After and a Vietnamese message', async () => {
    const { bot, url } = stop(await startLimited());
    const spoofed = ['198.51.100.1', '198.51.100.2', '198.51.100.3', '198.51.100.4', '198.51.100.5'];
    for (const ip of spoofed) expect((await hit(`${url}/sim/api/users`, ip)).status).toBe(200);
    const r = await hit(`${url}/sim/api/users`, '198.51.100.6');
    expect(r.status).toBe(429);
    const seconds = Number(r.headers.get('retry-after'));
    expect(seconds).toBeGreaterThanOrEqual(1);
    expect(seconds).toBeLessThanOrEqual(60);
    const body = (await r.json()) as { error: string; message: string };
    expect(body.error).toBe('too many requests');
    expect(body.message).toMatch(/^Bạn thao tác quá nhanh.*đợi khoảng \d+ giây/);
    // Every public route shares the budget: the page, the send API (refused before its body is read), Bull Board's password prompt.
    expect((await hit(`${url}/`)).status).toBe(429);
    expect((await fetch(`${url}/sim/api/send`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'x', text: 'hi' }) })).status).toBe(429);
    expect((await hit(`${url}/admin/queues`)).status).toBe(429);
    // Health checks and scrapes are never limited into failure; webhooks neither.
    expect(await statuses(`${url}/healthz`, 10)).not.toContain(429);
    expect(await statuses(`${url}/metrics`, 10)).toEqual(Array(10).fill(200));
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(Number(/^http_rate_limited_total (\d+)$/m.exec(metrics)?.[1])).toBe(4);
    // No address in Redis beyond the limiter's own key for it.
    expect((await bot.app.redis.keys(`${bot.prefix}:rl:*`)).length).toBe(1);
  });

  it('with TRUST_PROXY: each forwarded client has its own budget (IPv6 by /64), across replicas sharing Redis', async () => {
    const a = stop(await startLimited({ TRUST_PROXY: 'loopback' }));
    expect(await statuses(`${a.url}/sim/api/users`, 6, '203.0.113.7')).toEqual([200, 200, 200, 200, 200, 429]);
    // Another client behind the same proxy is unaffected; so is the proxy's own address.
    expect(await statuses(`${a.url}/sim/api/users`, 2, '203.0.113.8')).toEqual([200, 200]);
    expect((await hit(`${a.url}/sim/api/users`)).status).toBe(200);
    // A client cannot escape by prepending addresses: only the hop the trusted proxy saw counts.
    expect((await hit(`${a.url}/sim/api/users`, '192.0.2.99, 203.0.113.7')).status).toBe(429);
    // Another replica (same Redis and prefix) continues the count.
    const b = stop(await startLimited({ TRUST_PROXY: 'loopback' }, a.bot));
    expect((await hit(`${b.url}/sim/api/users`, '203.0.113.7')).status).toBe(429);
    expect(await statuses(`${b.url}/sim/api/users`, 3, '203.0.113.8')).toEqual([200, 200, 200]);
    expect((await hit(`${a.url}/sim/api/users`, '203.0.113.8')).status).toBe(429);
    // IPv6: one subscriber's /64 is one client.
    expect(await statuses(`${a.url}/sim/api/users`, 5, '2001:db8:1:2::1')).toEqual([200, 200, 200, 200, 200]);
    expect((await hit(`${a.url}/sim/api/users`, '2001:db8:1:2:ffff::9')).status).toBe(429);
    expect((await hit(`${a.url}/sim/api/users`, '2001:db8:1:3::1')).status).toBe(200);
  });

  it('the Zalo webhook is never limited: signed events from a spent address are still taken', async () => {
    const z = stop(await startZaloBot('binh-thanh-2024', { env: { HTTP_REQUESTS_PER_MINUTE: '2' } }));
    const url = z.webhook.replace('/webhooks/zalo', '');
    expect(await statuses(`${url}/sim/api/users`, 3)).toContain(429);
    for (let i = 0; i < 4; i++) {
      const r = await z.post(z.ev.follow({ userId: `541234567890123456${i}` }));
      expect(r.status).toBe(200);
    }
  });

  it('client keys and TRUST_PROXY values', () => {
    expect(clientKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(clientKey('2001:DB8:0001:0002:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
    expect(parseConfig({ TRUST_PROXY: '1' }).TRUST_PROXY).toBe(1);
    expect(parseConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).TRUST_PROXY).toBe('loopback, 10.0.0.0/8');
    expect(parseConfig({}).TRUST_PROXY).toBeUndefined();
    // "true" would let any client pick its address (and so its budget).
    expect(() => parseConfig({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY must be/);
    expect(() => parseConfig({ TRUST_PROXY: 'proxy.example' })).toThrow(/TRUST_PROXY must be/);
    expect(() => parseConfig({ HTTP_REQUESTS_PER_MINUTE: '0' })).toThrow(/HTTP_REQUESTS_PER_MINUTE/);
  });
});
