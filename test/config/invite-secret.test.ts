import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { ConfigError, parseConfig } from '../../src/config/index.js';
import { INVITE_SECRET_FILE, loadInviteSecret } from '../../src/config/invite-secret.js';
import { createLogger } from '../../src/logger.js';
import { startBot, type TestBot } from '../helpers/bot.js';

const tmp = (p: string) => fs.mkdtempSync(path.join(os.tmpdir(), p));

/** Runs loadInviteSecret in a separate process; resolves with what it printed. */
function secretFromProcess(dataDir: string): Promise<string> {
  const code = `import { loadInviteSecret } from './src/config/invite-secret.ts'; console.log(loadInviteSecret({ dataDir: process.env.DIR }));`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { env: { ...process.env, DIR: dataDir }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (status) => (status === 0 ? resolve(out.trim()) : reject(new Error(err))));
  });
}

describe('INVITE_SECRET', () => {
  it('from the environment: at least 32 characters, used as given, nothing written', () => {
    expect(() => parseConfig({ INVITE_SECRET: 'short' })).toThrow(ConfigError);
    expect(() => parseConfig({ INVITE_SECRET: 'short' })).toThrow(/^Invalid configuration: INVITE_SECRET must be at least 32 characters/);
    const dataDir = tmp('secret-env-');
    const secret = 'x'.repeat(40);
    expect(loadInviteSecret({ ...parseConfig({ INVITE_SECRET: secret, DATA_DIR: dataDir }) })).toBe(secret);
    expect(fs.readdirSync(dataDir)).toEqual([]);
  });

  it('unset: four processes starting together on an empty DATA_DIR generate one secret (32 random bytes, mode 0600, nothing left aside)', async () => {
    const dataDir = path.join(tmp('secret-race-'), 'data');
    const secrets = await Promise.all(Array.from({ length: 4 }, () => secretFromProcess(dataDir)));
    expect(new Set(secrets).size).toBe(1);
    expect(secrets[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(fs.readdirSync(dataDir)).toEqual([INVITE_SECRET_FILE]);
    expect(fs.statSync(path.join(dataDir, INVITE_SECRET_FILE)).mode & 0o777).toBe(0o600);
    expect(loadInviteSecret({ dataDir })).toBe(secrets[0]);
  }, 60_000);

  describe('a second machine (another DATA_DIR) on the same Redis', () => {
    let bot: TestBot;
    beforeAll(async () => {
      bot = await startBot('binh-thanh-2024');
    });
    afterAll(() => bot.close());
    const start = (env: Record<string, string>) =>
      createApp(parseConfig({ DATA_DIR: tmp('machine-b-'), LOG_LEVEL: 'silent', ...env }), { redisUrl: inject('redisUrl'), log: createLogger('silent'), prefix: bot.prefix });

    it('refuses to start without the first machine’s secret, and starts with it; its codes then work on the first machine', async () => {
      await expect(start({})).rejects.toThrow(/set the same INVITE_SECRET on every web, worker and CLI process/);
      const shared = fs.readFileSync(path.join(bot.dataDir, INVITE_SECRET_FILE), 'utf8').trim();
      const second = await start({ INVITE_SECRET: shared });
      try {
        const unit = (await bot.app.store.units.all()).find((u) => u.level === 'hamlet')!;
        const code = await second.store.invites.create({ role: 'officer', unitId: unit.id, createdBy: 'test' }, { id: 'test', role: 'admin', channel: 'cli' });
        expect(await bot.app.store.invites.consume(code, 'sim:b')).toMatchObject({ unitId: unit.id });
      } finally {
        await second.close();
      }
    });
  });
});
