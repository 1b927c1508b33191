import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createRedis } from '../../src/redis/connection.js';
import { CLI_ACTOR, createStore } from '../../src/store/index.js';
import { loadInviteSecret } from '../../src/config/invite-secret.js';
import { cli as runCli, PROCESS_TEST_TIMEOUT } from '../helpers/process.js';

describe('npm run cli -- invite:create', { timeout: PROCESS_TEST_TIMEOUT }, () => {
  const prefix = `cli${randomUUID().slice(0, 6)}`;
  const redis = createRedis(inject('redisUrl'));
  // The CLI generates the secret into its DATA_DIR; the bot on the same machine reads it from there.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-'));
  afterAll(() => redis.quit());
  const cli = (...args: string[]) =>
    runCli(args, { env: { ...process.env, REDIS_URL: inject('redisUrl'), STORE_PREFIX: prefix, DATA_DIR: dataDir, INVITE_SECRET: '' } });
  const store = () => createStore(redis, { prefix, inviteSecret: loadInviteSecret({ dataDir, INVITE_SECRET: undefined }) });

  it('prints a code bound to the unit and role, usable once; only its hash is stored', async () => {
    const unit = await store().units.create({ code: 'X01', name: 'Xóm Một', level: 'hamlet', parentId: null }, CLI_ACTOR);
    const r = cli('invite:create', '--role', 'officer', '--unit', 'X01');
    expect(r.status, r.stderr).toBe(0);
    const code = r.stdout.trim();
    expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{5}$/);
    expect(fs.statSync(path.join(dataDir, 'invite-secret')).mode & 0o777).toBe(0o600);
    const keys = await redis.keys(`${prefix}:*`);
    for (const k of keys) {
      const type = await redis.type(k);
      const dump = type === 'string' ? await redis.get(k) : type === 'hash' ? JSON.stringify(await redis.hgetall(k)) : '';
      expect(`${k} ${dump}`).not.toContain(code);
      expect(`${k} ${dump}`).not.toContain(code.replace(/-/g, ''));
    }
    const invite = await store().invites.consume(code, 'sim:x');
    expect(invite).toMatchObject({ role: 'officer', unitId: unit.id });
    expect(await store().invites.consume(code, 'sim:y')).toBeNull();
  });

  it('refuses to issue codes with a secret other than the one this Redis has seen (another machine without INVITE_SECRET)', () => {
    const elsewhere = runCli(['invite:create', '--role', 'officer', '--unit', 'X01'], {
      env: { ...process.env, REDIS_URL: inject('redisUrl'), STORE_PREFIX: prefix, DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'cli-other-')), INVITE_SECRET: '' },
    });
    expect(elsewhere.status).toBe(1);
    expect(elsewhere.stdout).toBe('');
    expect(elsewhere.stderr).toContain('set the same INVITE_SECRET on every web, worker and CLI process');
  });

  it('refuses a missing or unknown unit and a bad role with a clear message', () => {
    expect(cli('invite:create', '--role', 'officer').stderr).toContain('--unit <code> is required');
    expect(cli('invite:create', '--role', 'officer', '--unit', 'NOPE').stderr).toContain('No unit with code NOPE');
    expect(cli('invite:create', '--role', 'boss').stderr).toContain('--role must be one of');
  });
});
