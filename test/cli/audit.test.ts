import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { haiDuongStaffAndReturnedDossier, startBot, type TestBot } from '../helpers/bot.js';
import { cli, PROCESS_TEST_TIMEOUT } from '../helpers/process.js';

describe('npm run cli -- audit:dump', () => {
  let bot: TestBot;
  let dossier: string;

  beforeAll(async () => {
    bot = await startBot('hai-duong-2021-2025', { now: new Date('2025-11-20T03:00:00Z') });
    dossier = await haiDuongStaffAndReturnedDossier(bot);
  });
  afterAll(() => bot.close());

  it('the CLI dumps the audit of a period as JSON lines', { timeout: PROCESS_TEST_TIMEOUT }, () => {
    const out = cli(['audit:dump', '--from', '2000-01-01', '--entity', dossier], {
      env: { ...process.env, REDIS_URL: inject('redisUrl'), STORE_PREFIX: bot.prefix, DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'audit-')) },
    });
    expect(out.status, out.stderr).toBe(0);
    const lines = out.stdout.trim().split('\n').map((l) => JSON.parse(l) as { action: string; entityId: string; role: string });
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(lines.every((l) => l.entityId === dossier)).toBe(true);
    expect(lines.map((l) => l.role)).toContain('staff');
    expect(out.stderr).toMatch(/\d+ audit entries/);
  });

  it('--entity takes the dossier number as people write it, and each line says the dossier number', { timeout: PROCESS_TEST_TIMEOUT }, () => {
    const env = { ...process.env, REDIS_URL: inject('redisUrl'), STORE_PREFIX: bot.prefix, DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'audit-')) };
    const number = Number(dossier.slice(2));
    const byId = cli(['audit:dump', '--from', '2000-01-01', '--entity', dossier], { env });
    for (const form of [String(number), `Hồ sơ số ${number}`]) {
      const out = cli(['audit:dump', '--from', '2000-01-01', '--entity', form], { env });
      expect(out.status, out.stderr).toBe(0);
      expect(out.stdout, form).toBe(byId.stdout);
    }
    const lines = byId.stdout.trim().split('\n').map((l) => JSON.parse(l) as { entityId: string; dossier: number });
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const l of lines) expect(l.dossier).toBe(number);
  });
});
