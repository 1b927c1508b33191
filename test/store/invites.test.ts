import { createHash, createHmac } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { testRedis } from '../helpers/redis.js';
import { createRedis } from '../../src/redis/connection.js';
import { createStore, hashInviteCode, INVITE_ALPHABET, INVITE_LENGTH, normalizeInviteCode, type Actor } from '../../src/store/index.js';

const SECRET = 'store-invites-test-secret-0123456789abcdef';
const canonical = (code: string) => normalizeInviteCode(code);

const admin: Actor = { id: 'telegram:1', role: 'admin', channel: 'telegram' };

/** Every key of a prefix and everything stored in it, as text. */
async function dump(redis: Redis, prefix: string): Promise<string> {
  const parts: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      parts.push(key);
      const type = await redis.type(key);
      if (type === 'string') parts.push((await redis.get(key)) ?? '');
      else if (type === 'hash') parts.push(JSON.stringify(await redis.hgetall(key)));
      else if (type === 'set') parts.push(JSON.stringify(await redis.smembers(key)));
      else if (type === 'zset') parts.push(JSON.stringify(await redis.zrange(key, '0', '-1', 'WITHSCORES')));
      else if (type === 'list') parts.push(JSON.stringify(await redis.lrange(key, 0, -1)));
      else if (type === 'stream') parts.push(JSON.stringify(await redis.xrange(key, '-', '+')));
      else parts.push(`?${type}`);
    }
  } while (cursor !== '0');
  return parts.join('\n');
}

describe('store: invites', () => {
  const { redis, url, ns } = testRedis();
  let clock = Date.parse('2024-11-01T00:00:00Z');
  const store = createStore(redis, { prefix: ns, now: () => new Date(clock), inviteSecret: SECRET });
  const other = createRedis(url);
  const store2 = createStore(other, { prefix: ns, now: () => new Date(clock), inviteSecret: SECRET });
  afterAll(async () => {
    await redis.quit();
    await other.quit();
  });

  it('create returns a 13-symbol code (≥ 60 bits) grouped XXXX-XXXX-XXXXX, without vowels, W or D (Telex/VNI keyboards leave it alone)', async () => {
    const code = await store.invites.create({ role: 'officer', unitId: 'u_4', createdBy: 'telegram:1' }, admin);
    expect(code).toMatch(new RegExp(`^[${INVITE_ALPHABET}]{4}-[${INVITE_ALPHABET}]{4}-[${INVITE_ALPHABET}]{5}$`));
    expect(INVITE_LENGTH * Math.log2(INVITE_ALPHABET.length)).toBeGreaterThanOrEqual(60);
    expect(INVITE_ALPHABET).not.toMatch(/[AEIOUYWDL]/);
    const codes = new Set(await Promise.all(Array.from({ length: 50 }, () => store.invites.create({ role: 'staff', unitId: null, createdBy: 'cli' }, admin))));
    expect(codes.size).toBe(50);
  });

  it('consume returns the invite once; case, spaces, dashes and O/I/L for 0/1/1 do not matter; stored as HMAC with the secret', async () => {
    let issued = await store.invites.issue({ role: 'officer', unitId: 'u_7', createdBy: 'telegram:1' }, admin);
    while (!/[01]/.test(issued.code)) issued = await store.invites.issue({ role: 'officer', unitId: 'u_7', createdBy: 'telegram:1' }, admin);
    const { code, invite } = issued;
    expect(invite).toEqual({
      codeHash: createHmac('sha256', SECRET).update(canonical(code)).digest('hex'),
      role: 'officer',
      unitId: 'u_7',
      createdBy: 'telegram:1',
      createdAt: '2024-11-01T00:00:00.000Z',
      expiresAt: '2024-11-08T00:00:00.000Z',
    });
    expect(invite.codeHash).not.toBe(createHash('sha256').update(canonical(code)).digest('hex'));
    const typed = ` ${canonical(code).slice(0, 6).toLowerCase()} ${canonical(code).slice(6).replace(/0/g, 'o').replace(/1/g, 'l')} `;
    expect(await store.invites.consume(typed, 'zalo:42')).toEqual(invite);
    expect(await store.invites.consume(code, 'zalo:43')).toBeNull();
    const audit = await store.audit.forEntity(invite.codeHash);
    expect(audit.map((e) => [e.action, e.actor, e.channel])).toEqual([
      ['invite.create', 'telegram:1', 'telegram'],
      ['invite.consume', 'zalo:42', 'zalo'],
    ]);
    expect(audit[1]!.after).toEqual({ usedBy: 'zalo:42', usedAt: '2024-11-01T00:00:00.000Z' });
  });

  it('a code only works with the secret it was made with; a process with another secret refuses to start', async () => {
    const code = await store.invites.create({ role: 'officer', unitId: 'u_7', createdBy: 'cli' }, admin);
    const stranger = createStore(redis, { prefix: ns, now: () => new Date(clock), inviteSecret: `${SECRET}-other` });
    expect(await stranger.invites.consume(code, 'zalo:1')).toBeNull();
    await store.invites.checkSecret();
    await store2.invites.checkSecret();
    await expect(stranger.invites.checkSecret()).rejects.toThrow(/set the same INVITE_SECRET on every web, worker and CLI process/);
    expect(await store.invites.consume(code, 'zalo:1')).not.toBeNull();
    await expect(createStore(redis, { prefix: ns }).invites.create({ role: 'admin', unitId: null, createdBy: 'cli' }, admin)).rejects.toThrow(/need a secret/);
  });

  it('an invite of the old format (8 symbols, bare sha256) still works until it expires', async () => {
    const old = 'K7M2Q9XA';
    const hash = createHash('sha256').update(old).digest('hex');
    const invite = { codeHash: hash, role: 'officer', unitId: 'u_9', createdBy: 'cli', createdAt: '2024-10-30T00:00:00.000Z', expiresAt: '2024-11-06T00:00:00.000Z' };
    await redis.set(`${ns}:invite:${hash}`, JSON.stringify(invite), 'PX', 86_400_000);
    await redis.zadd(`${ns}:invites`, Date.parse(invite.expiresAt), hash);
    expect((await store.invites.listActive()).map((i) => i.codeHash)).toContain(hash);
    expect(await store.invites.consume('k7m2-q9xa', 'zalo:5')).toEqual(invite);
    expect(await store.invites.consume(old, 'zalo:6')).toBeNull();
  });

  it('unknown and malformed codes are null', async () => {
    expect(await store.invites.consume('ABCDEFGH', 'zalo:1')).toBeNull();
    expect(await store.invites.consume('BCFG-HJKM-NPQRS', 'zalo:1')).toBeNull();
    expect(await store.invites.consume('', 'zalo:1')).toBeNull();
    expect(await store.invites.consume('short', 'zalo:1')).toBeNull();
    expect(await store.invites.consume('AEIO-UAEI-OUAEI', 'zalo:1')).toBeNull();
  });

  it('two concurrent consumers of one code (two connections): exactly one wins', async () => {
    for (let round = 0; round < 10; round++) {
      const code = await store.invites.create({ role: 'officer', unitId: 'u_1', createdBy: 'cli' }, admin);
      const results = await Promise.all([
        store.invites.consume(code, 'telegram:a'),
        store2.invites.consume(code, 'telegram:b'),
        store.invites.consume(code.toLowerCase(), 'telegram:c'),
        store2.invites.consume(code, 'telegram:d'),
      ]);
      expect(results.filter((r) => r !== null)).toHaveLength(1);
      expect((await store.audit.forEntity(hashInviteCode(code, SECRET)!)).filter((e) => e.action === 'invite.consume')).toHaveLength(1);
    }
  });

  it('the key expires with the invite (PX)', async () => {
    const { invite } = await store.invites.issue({ role: 'officer', unitId: null, ttlDays: 7, createdBy: 'cli' }, admin);
    const pttl = await redis.pttl(`${ns}:invite:${invite.codeHash}`);
    expect(pttl).toBeGreaterThan(7 * 86_400_000 - 10_000);
    expect(pttl).toBeLessThanOrEqual(7 * 86_400_000);
    const short = await store.invites.create({ role: 'officer', unitId: null, ttlMs: 60, createdBy: 'cli' }, admin);
    await new Promise((r) => setTimeout(r, 150));
    expect(await store.invites.consume(short, 'zalo:1')).toBeNull();
  });

  it('an invite past expiresAt by the store clock is refused even if the key lingers', async () => {
    const code = await store.invites.create({ role: 'staff', unitId: 'u_2', ttlDays: 1, createdBy: 'cli' }, admin);
    clock += 2 * 86_400_000;
    expect(await store.invites.consume(code, 'zalo:1')).toBeNull();
    clock -= 2 * 86_400_000;
  });

  it('revoke by code or hash; listActive shows hashes only', async () => {
    const { code, invite } = await store.invites.issue({ role: 'admin', unitId: null, createdBy: 'cli' }, admin);
    expect((await store.invites.listActive()).map((i) => i.codeHash)).toContain(invite.codeHash);
    expect(await store.invites.revoke(invite.codeHash, admin)).toBe(true);
    expect(await store.invites.revoke(code, admin)).toBe(false);
    expect(await store.invites.consume(code, 'zalo:1')).toBeNull();
    const c2 = await store.invites.create({ role: 'admin', unitId: null, createdBy: 'cli' }, admin);
    expect(await store.invites.revoke(c2.toLowerCase(), admin)).toBe(true);
    expect((await store.invites.listActive()).map((i) => i.codeHash)).not.toContain(invite.codeHash);
  });

  it('invalid input is refused', async () => {
    await expect(store.invites.create({ role: 'officer', unitId: null, ttlDays: 0, createdBy: 'cli' }, admin)).rejects.toMatchObject({ code: 'invalid' });
    await expect(store.invites.create({ role: 'individual' as never, unitId: null, createdBy: 'cli' }, admin)).rejects.toMatchObject({ code: 'invalid' });
  });

  it('the plaintext code is stored nowhere: not in any key, value, index or audit entry', async () => {
    const codes: string[] = [];
    for (let i = 0; i < 5; i++) codes.push(await store.invites.create({ role: 'officer', unitId: 'u_3', createdBy: 'cli' }, admin));
    await store.invites.consume(codes[0]!, 'telegram:9');
    await store.invites.revoke(codes[1]!, admin);
    const everything = await dump(redis, ns);
    expect(everything).toContain(hashInviteCode(codes[2]!, SECRET)!); // the dump does see the invites
    for (const code of codes) {
      for (const form of [code, canonical(code)]) {
        expect(everything).not.toContain(form);
        expect(everything.toLowerCase()).not.toContain(form.toLowerCase());
      }
    }
    expect(everything).not.toContain(SECRET);
  });
});
