import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { describeStore } from '../../src/ops/store-campaign.js';
import { fromRoot } from '../../src/paths.js';
import { createRedis } from '../../src/redis/connection.js';
import { cli, PROCESS_TEST_TIMEOUT, run, start } from '../helpers/process.js';

/** One store, one campaign: through the real compiled processes (npm start, npm run worker, the CLI). */
describe('a store records its campaign; another CAMPAIGN on it stops with one line', { timeout: PROCESS_TEST_TIMEOUT }, () => {
  const prefix = `sc${randomUUID().slice(0, 6)}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'store-campaign-'));
  const redis = createRedis(inject('redisUrl'));
  afterAll(async () => {
    await redis.quit();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  const env = (campaign?: string): NodeJS.ProcessEnv => ({
    ...process.env,
    REDIS_URL: inject('redisUrl'),
    STORE_PREFIX: prefix,
    DATA_DIR: dataDir,
    CAMPAIGN: campaign ?? '',
    PORT: '0',
    LOG_LEVEL: 'info',
    INVITE_SECRET: 'x'.repeat(40),
  });

  it('npm start records the campaign at its first start', async () => {
    const server = start('src/main.ts', [], { env: env('binh-thanh-2024') });
    await server.waitFor(/listening on/);
    server.child.kill('SIGTERM');
    await server.exited;
    expect(JSON.parse((await redis.get(`${prefix}:campaign`))!)).toMatchObject({ campaignId: 'binh-thanh-2024', source: 'binh-thanh-2024', prefix });
  });

  it('npm start and npm run worker with another campaign stop with one line naming both and how to choose', async () => {
    for (const entry of ['src/main.ts', 'src/worker.ts']) {
      const r = await run(entry, [], { env: env('tu-ky-2021-2025') });
      expect(r.status, entry).toBe(1);
      const lines = r.stderr.trim().split('\n');
      expect(lines, entry).toHaveLength(1);
      expect(lines[0]).toContain('holds campaign binh-thanh-2024, not tu-ky-2021-2025');
      expect(lines[0]).toMatch(/DATA_DIR or STORE_PREFIX/);
      expect(r.stdout).not.toMatch(/listening on|worker started/);
    }
  });

  it('the CLI with another campaign stops too; without CAMPAIGN it uses the store\'s, and says which store and campaign', () => {
    const wrong = cli(['units:find', 'binh'], { env: env('tu-ky-2021-2025') });
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toContain('holds campaign binh-thanh-2024, not tu-ky-2021-2025');

    const r = cli(['reminders:preview', '--at', '2024-11-28T08:00'], { env: env() });
    expect(r.status, r.stderr).toBe(0);
    const [where] = r.stderr.trim().split('\n');
    expect(where).toBe(`Store: redis ${inject('redisUrl').replace('redis://', '')}, store prefix ${prefix}, campaign binh-thanh-2024`);
    // The demo store's xóm has not registered: the store's own campaign finds the reminder.
    expect(r.stdout).toMatch(/Reminders at 08:00 28\/11\/2024 \(Vietnam time\): [1-9]/);
  });

  it('a fresh store is claimed by units:import, so a later npm start with another campaign is refused', async () => {
    const fresh = `${prefix}b`;
    const csv = path.join(dataDir, 'units.csv');
    fs.writeFileSync(csv, 'name,level,parent,code\nTỉnh Hải Dương,province,,HD\n');
    const imported = cli(['units:import', csv], { env: { ...env('hai-duong-2021-2025'), STORE_PREFIX: fresh } });
    expect(imported.status, imported.stderr).toBe(0);
    expect(imported.stderr).toContain('campaign hai-duong-2021-2025');
    const r = await run('src/main.ts', [], { env: { ...env('binh-thanh-2024'), STORE_PREFIX: fresh } });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('holds campaign hai-duong-2021-2025, not binh-thanh-2024');
  });
});

describe('describeStore', () => {
  it('names the Redis without user or password, or the embedded one by its DATA_DIR', () => {
    const config = { REDIS_URL: 'redis://operator:s3cret@10.0.0.5:6380/2', dataDir: '/srv/data', STORE_PREFIX: 'td' };
    expect(describeStore(config, config.REDIS_URL)).toBe('redis 10.0.0.5:6380/2, store prefix td');
    expect(describeStore({ ...config, REDIS_URL: undefined }, 'redis://127.0.0.1:40000')).toBe('embedded redis on DATA_DIR /srv/data, store prefix td');
  });
});

describe('DATA_DIR', () => {
  it('defaults to data/ of the project, whatever the working directory (npm start and the CLI share it)', () => {
    const cwd = process.cwd();
    try {
      process.chdir(os.tmpdir());
      expect(parseConfig({}).dataDir).toBe(fromRoot('data'));
      expect(parseConfig({ DATA_DIR: 'here' }).dataDir).toBe(path.join(fs.realpathSync(os.tmpdir()), 'here'));
    } finally {
      process.chdir(cwd);
    }
  });
});
