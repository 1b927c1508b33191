import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROCESS_TEST_TIMEOUT, runSync, start } from '../helpers/process.js';

const env = (extra: Record<string, string>) => {
  const e: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'info', ...extra };
  delete e.REDIS_URL;
  return e;
};

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });

describe('npm start (src/main.ts) as a real process', { timeout: PROCESS_TEST_TIMEOUT }, () => {
  it('with no environment: starts its embedded Redis, says where it listens, and stops both on SIGINT', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'thidua-main-'));
    const app = start('src/main.ts', [], { env: env({ DATA_DIR: dataDir, PORT: '0' }) });
    const url = (await app.waitFor(/listening on (http:\/\/localhost:\d+\/)/))[1]!;
    const out = () => app.output().stdout + app.output().stderr;
    const redisPort = Number(/"url":"redis:\/\/127\.0\.0\.1:(\d+)"/.exec(out())?.[1]);
    expect(out()).toContain('started embedded redis-server');
    // The default campaign's dates are all past: the log says so and how to see reminders, not just "schedulers":0.
    expect(out()).toMatch(/every date of campaign [\w-]+ is past \(its last deadline was \d\d\/\d\d\/\d{4}\), so no reminder or staff alert will fire on its own\. To see them, move the demo clock: in the simulator page pick a date under \\"Ngày giả lập\\" \(e\.g\. \\"D-7 hạn hồ sơ năm \d{4}[^)]*\)\\"\), or POST \/sim\/api\/clock/);
    expect(out()).toMatch(/"simulatedTime":"\d\d:\d\d \d\d\/\d\d\/\d{4}"/);
    expect(await portOpen(redisPort)).toBe(true);
    const health = await fetch(new URL('healthz', url)).then((r) => r.json());
    expect(health).toMatchObject({ ok: true, status: 'ok', redis: { ok: true, writable: true }, workers: { ok: true, alive: 1 } });
    expect(fs.existsSync(path.join(dataDir, 'redis', 'appendonlydir'))).toBe(true);

    app.child.kill('SIGINT');
    expect(await app.exited).toBe(0);
    expect(out()).toContain('"msg":"stopped"');
    expect(await portOpen(redisPort)).toBe(false);
  });

  it('an invalid variable stops it with one line naming the variable', () => {
    const r = runSync('src/main.ts', [], { env: env({ PORT: 'abc' }) });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^Invalid configuration: PORT must be /);
  });
});
