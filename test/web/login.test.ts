import { afterAll, describe, expect, it } from 'vitest';
import { createRedis } from '../../src/redis/connection.js';
import { LOGIN_MINUTES, SESSION_HOURS, WebLogins } from '../../src/web/login.js';
import { testRedis } from '../helpers/redis.js';

/** Login links and sessions in a real Redis: one winner per link, hashes only, expiry on the app's clock and in Redis. */
describe('dashboard login links and sessions', () => {
  const { redis, url, ns } = testRedis();
  const others = Array.from({ length: 4 }, () => createRedis(url));
  let clock = new Date('2024-11-20T03:00:00Z');
  const now = () => clock;
  afterAll(async () => {
    for (const r of [redis, ...others]) await r.quit();
  });

  it('a link raced by many clients opens exactly one session', async () => {
    const token = await new WebLogins(redis, ns, now).issue({ channel: 'sim', userId: 'staff-1' });
    const racers = [redis, ...others].flatMap((r) => [new WebLogins(r, ns, now), new WebLogins(r, ns, now)]);
    const won = (await Promise.all(racers.map((l) => l.consume(token)))).filter(Boolean);
    expect(won).toEqual([{ channel: 'sim', userId: 'staff-1' }]);
    expect(await racers[0]!.usable(token)).toBe(false);
  });

  it('stores only hashes, with Redis expiries; refuses malformed and expired tokens', async () => {
    const logins = new WebLogins(redis, ns, now);
    const token = await logins.issue({ channel: 'telegram', userId: '42' });
    const keys = await redis.keys(`${ns}:web:login:*`);
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/:web:login:[0-9a-f]{64}$/);
    expect(keys[0]).not.toContain(token);
    const ttl = await redis.ttl(keys[0]!);
    expect(ttl).toBeGreaterThan(LOGIN_MINUTES * 60 - 5);
    expect(ttl).toBeLessThanOrEqual(LOGIN_MINUTES * 60);
    for (const bad of ['', 'x', `${token}=`, token.slice(1), '../../etc']) expect(await logins.consume(bad)).toBeNull();

    clock = new Date(clock.getTime() + LOGIN_MINUTES * 60_000);
    expect(await logins.usable(token)).toBe(false);
    expect(await logins.consume(token)).toBeNull();

    const { id, session } = await logins.open({ channel: 'telegram', userId: '42' });
    expect(session.csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await redis.ttl(`${ns}:web:session:${id}`)).toBe(-2); // only the hash is a key
    expect(await logins.session(id)).toEqual(session);
    clock = new Date(clock.getTime() + SESSION_HOURS * 3600_000);
    expect(await logins.session(id)).toBeNull();
  });
});
